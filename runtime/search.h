/* search.h — the strategy engine of EXPLORE ... SEARCH: it says which
 * configurations to evaluate next, on how many rows, and learns from
 * their scores (ask / tell).  The executor (exec_explore.c) evaluates each
 * batch through the optimizer's plan, so configurations of one batch share
 * work as in a grid.
 *   grid / random   one batch of every configuration the compiler made
 *                   (batches of a few under a time budget)
 *   halving         successive halving (Jamieson & Talwalkar): every rung
 *                   fits the survivors on eta times more rows and keeps
 *                   the best 1/eta
 *   hyperband       Li et al.: brackets of successive halving from
 *                   different first rungs
 *   bayes           the initial design, then one configuration at a time
 *                   maximizing expected improvement under a GP surrogate
 * Seeds (x->strategy.nseeds, the first configurations) go in the first
 * batch and, for bayes, into the surrogate.
 * Memory: the engine borrows x (bayes appends configurations to it). */
#ifndef RT_SEARCH_H
#define RT_SEARCH_H

#include "../compiler/compile.h"

typedef struct {
    int   *cfg;        /* configuration indices into x->configs */
    int    n;
    int    rung;       /* budget level recorded with the runs (0: fewest rows) */
    double frac;       /* share of the rows cap a fit gets (1: all) */
    long long rows_cap;/* most training rows of a fit (0: the round's all) */
    int    subsample;  /* fits use a seeded prefix of the shuffled rows */
} rt_batch;

typedef struct rt_search rt_search;

int  rt_search_new(cmp_explore *x, int chunk, rt_search **out, ut_err *e);
/* 1: *b holds the next batch (valid until the next call); 0: done. */
int  rt_search_next(rt_search *s, rt_batch *b, ut_err *e);
/* Scores of the last batch, one per configuration, larger is better
 * (NAN: failed or not evaluated). */
void rt_search_tell(rt_search *s, const rt_batch *b, const double *score);
void rt_search_free(rt_search *s);   /* NULL-safe */

/* For the unit tests and EXPLAIN: the encoding of configuration i in
 * [0,1]^d (d = rt_search_dims), and bayes' next proposal. */
int  rt_search_dims(const rt_search *s);
void rt_search_encode(const rt_search *s, const cmp_config *c, double *v);

#endif
