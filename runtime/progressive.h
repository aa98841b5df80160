/* progressive.h — progressive reuse for halving / hyperband (DESIGN.md §4
 * item 5).  A rung fits on a prefix of each round's (shuffled) training
 * rows, and the next rung on a longer prefix of the same rows, so
 * associative statistics (ridge's Gram blocks, naive Bayes' counts and
 * sums) of the shorter prefix are updated with only the new rows.
 * Entries are keyed by (pipeline, round, family); the design of a
 * (pipeline, round) must be the same at every rung (exec_explore fits the
 * transforms on the round's full training rows for that reason).
 * Thread-safe: fits of one window may share an entry.
 * Memory: the cache owns its statistics; rt_prog_free frees them. */
#ifndef RT_PROGRESSIVE_H
#define RT_PROGRESSIVE_H

#include "share.h"

typedef struct rt_prog rt_prog;

rt_prog *rt_prog_new(void);
void     rt_prog_free(rt_prog *pc);   /* NULL-safe */
/* 1 when family f has statistics to reuse (ridge, nb). */
int      rt_prog_supports(rt_family f);
/* Fits every configuration of a group on ts (the first ts->n rows of the
 * round) from the kept statistics updated with the rows they lack, and
 * predicts Xt.  Same contract as rt_fit_predict_group. */
int      rt_prog_fit_predict(rt_prog *pc, int pipe, int round, rt_family f, const rt_pval *const *params, int ncfg,
                             const rt_trainset *ts, const double *Xt, int nt, rt_group_out *out, ut_err *e);
/* Rows whose statistics were reused / added so far. */
void     rt_prog_counts(const rt_prog *pc, long long *reused, long long *added);

#endif
