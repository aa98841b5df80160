/* reuse.h — reuse across queries: the runs of earlier experiments with the
 * same lineage (catalog/reuse.c says what that is) that a new EXPLORE takes
 * from the repository instead of fitting again.  EXPLORE ... FRESH and
 * SET reuse = off turn it off.
 * Memory: a pool owns its runs (rt_reuse_free). */
#ifndef RT_REUSE_H
#define RT_REUSE_H

#include "exec.h"
#include "metrics.h"

typedef struct {
    long long config_id;
    int       fold;
    long long rows;        /* training rows of a subsampled fit; 0: every row */
    long long origin;      /* the run that was fitted */
    double    score, fit_s, pred_s;
    double    all[RT_MET__COUNT];  /* every metric (NAN: not recorded) */
    char     *scores_json;
    char     *warning;     /* the origin's runs.warning (did not converge), or NULL */
} rt_reuse_run;

typedef struct {
    rt_reuse_run *v;
    int n;
} rt_reuse_pool;

/* Why EXPLORE x reuses nothing ("FRESH", "SET reuse = off"), or NULL when
 * it does. */
const char *rt_reuse_off(const rt_ctx *c, const cmp_explore *x);
/* The reusable runs of configurations cfg[0..n) (catalog ids) for x's
 * task, other than experiment exclude_exp's own. */
int  rt_reuse_load(rt_ctx *c, const cmp_explore *x, long long exclude_exp, const long long *cfg, int n,
                   rt_reuse_pool *p, ut_err *e);
/* The run of (config, fold, rows), or NULL. */
const rt_reuse_run *rt_reuse_find(const rt_reuse_pool *p, long long config_id, int fold, long long rows);
void rt_reuse_free(rt_reuse_pool *p);
/* What EXPLORE x would take from the repository, looked up before it
 * runs (reads only: no configuration interned).  served[i * nrounds + j]
 * is 1 when configuration i's run of round j is there (whole training
 * rows; NULL under halving / hyperband, whose rungs look runs up on their
 * rows as they run, and when reuse is off).  Memory: rt_reuse_plan_free. */
typedef struct {
    const char *off;         /* why nothing is reused (rt_reuse_off), or NULL */
    unsigned char *served;   /* x->nconfigs * x->task.nrounds flags, or NULL */
    int full;                /* configurations served on every round */
    int nserved;             /* runs served */
    int any;                 /* the repository has runs of x's configurations on this task */
} rt_reuse_plan;

int  rt_reuse_served(rt_ctx *c, const cmp_explore *x, rt_reuse_plan *rp, ut_err *e);
void rt_reuse_plan_free(rt_reuse_plan *rp);
/* EXPLAIN: a line saying how many of x's configurations the repository
 * has on every round, or that reuse is off.  *line is malloc'd, NULL when
 * there is nothing to say. */
int  rt_reuse_explain(const cmp_explore *x, const rt_reuse_plan *rp, char **line, ut_err *e);

#endif
