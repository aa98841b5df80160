/* stop.c — the thread's stop condition for long fits (see stop.h). */
#include "stop.h"
#include "../include/mileage.h"

static _Thread_local const rt_stop *cur;

void rt_stop_install(const rt_stop *s) { cur = s; }

const rt_stop *rt_stop_current(void) { return cur; }

int rt_stop_requested(void)
{
    const rt_stop *s = cur;
    if (!s) return 0;
    if (s->interrupted && *s->interrupted) return 1;
    return s->deadline > 0 && ut_now() > s->deadline;
}

int rt_stop_error(ut_err *e, const char *who)
{
    return ut_errf(e, MLG_INTERRUPT, "%s: stopped during the fit (interrupted or out of time)", who);
}
