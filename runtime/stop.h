/* stop.h — stopping a statement inside a long fit.
 *
 * The executor checks mlg_interrupt and max_seconds between fits; one slow
 * fit (an l1 logreg with C = 1e6 can take a thousand proximal Newton
 * iterations) would otherwise run to its end first.  The executor installs
 * the statement's stop condition on each thread that fits (thread-local, so
 * two mlg_db handles on two threads do not see each other's); iterative
 * solvers call rt_stop_requested() once per iteration and, when it says so,
 * fail with rt_stop_error(), code MLG_INTERRUPT.  A fit stopped that way is
 * not a failed run: the executor drops it, marks the experiment interrupted,
 * and RESUME fits it again.
 * Memory: the rt_stop is owned by the installer and must outlive the
 * installation (uninstall with rt_stop_install(NULL)). */
#ifndef RT_STOP_H
#define RT_STOP_H

#include <signal.h>
#include "../util/util.h"

typedef struct {
    volatile sig_atomic_t *interrupted;   /* mlg_interrupt's flag, or NULL */
    double deadline;                      /* ut_now() value, or 0 = none   */
} rt_stop;

void rt_stop_install(const rt_stop *s);
const rt_stop *rt_stop_current(void);

/* Nonzero when the installed condition holds (never without one). */
int rt_stop_requested(void);

/* Sets e to MLG_INTERRUPT, "WHO: stopped during the fit ..."; returns -1. */
int rt_stop_error(ut_err *e, const char *who);

#endif
