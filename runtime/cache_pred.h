/* cache_pred.h — a FIT group's predictions and the linear families' and
 * naive Bayes' fitted models in the intermediate cache (cache.h).
 *
 *   predictions (kind 'predictions'): one entry per (FIT group, round),
 *     every configuration's test-row predictions and probabilities (bits),
 *     its warning and its fit seconds, under rt_lineage_group_predictions;
 *     stored only when every configuration of the group was fitted (none
 *     failed or stopped);
 *   models (kind 'model'): for logreg, linsvm, lasso, elasticnet, linreg,
 *     ridge and nb groups fitted from the rows, each configuration's model
 *     under rt_lineage_config_model, read back when the group's
 *     predictions are not stored (evicted: they are far larger) and every
 *     model of the group is; the test rows are then predicted from the
 *     design, the same bits as fitting.
 *
 * Decisions are by the cost model's analytical seconds for what an entry
 * spares (rt_pred_group_seconds: the group's fit, or predicting from
 * models the cache keeps anyway; a shared group's model, its share), not
 * the measured fit: that number is the entry's compute cost, so EXPLAIN (rt_cache_pred_decision) shows exactly
 * what the executor then does, on any machine — a fit measured in
 * microseconds would flip between materialize and recompute with load.
 *
 * Memory: an rt_pred_group owns its lineages and the models the fit kept
 * (rt_pred_group_free); outputs are the caller's as in share.h. */
#ifndef RT_CACHE_PRED_H
#define RT_CACHE_PRED_H

#include "cache.h"
#include "../optimizer/plan.h"

typedef struct {
    rt_ctx *c;                     /* NULL: this group does not use the cache */
    rt_family fam;
    const rt_pval *const *params;  /* the group's, borrowed */
    int ncfg, ntrain, nt, k, p;
    int read;                      /* 0 under FRESH: configurations are fitted again */
    double est;                    /* the group's analytical seconds */
    double *est_cfg;               /* per configuration (models) */
    rt_lineage_hex lin;            /* the predictions' lineage */
    rt_lineage_hex *mlin;          /* per configuration's model, or NULL: no models */
    rt_model **models;             /* filled by the fit (rt_fit_predict_group_keep), or NULL */
    char **mwhat;                  /* SHOW CACHE names of the models */
    char what[600];                /* SHOW CACHE name of the predictions */
} rt_pred_group;

/* 1 when family f's models are stored per configuration. */
int rt_pred_model_family(rt_family f);

/* The analytical seconds (no measured history) a stored entry of group g
 * spares: its fit (on the design's estimated width, the same number in
 * EXPLAIN and in the executor); for tree, forest, gbt and knn groups, whose model or
 * neighbour lists the cache keeps itself, predicting ntest rows from
 * them. */
double rt_pred_group_seconds(const cmp_explore *x, const opt_group *g, const opt_stats *st, int ntest);

/* Sets up pg for group g of x on a design of lineage `design` (p columns,
 * ntrain / ntest rows, k classes or 0), fitted by `path` (0 the rows, 1 /
 * 2 ridge by Gram blocks) with the task's seed; `where` names the design
 * ("<pipeline>, round r, dataset d").  pg->c stays NULL when c is NULL or
 * design empty.  0, or -1 out of memory (e set). */
int rt_pred_group_init(rt_pred_group *pg, rt_ctx *c, const cmp_explore *x, const opt_group *g, const opt_stats *st,
                       const char *design, const char *where, int path, int ntrain, int ntest, int p, int k,
                       unsigned long long seed, ut_err *e);

/* The group's outputs from the cache: its predictions when stored and
 * loading pays (*how = RT_PRED_LOADED), else every configuration's model
 * when all are stored and loading pays, predicting Xt (*how =
 * RT_PRED_FROM_MODELS).  1 filled (out[c].pred / proba written, warning
 * malloc'd, fit_seconds as stored), 0 not (fit the group; outputs
 * untouched), -1 out of memory.  Unusable entries are noted and removed. */
enum { RT_PRED_FITTED = 0, RT_PRED_LOADED = 1, RT_PRED_FROM_MODELS = 2 };
int rt_pred_group_load(rt_pred_group *pg, const double *Xt, rt_group_out *out, int *how, ut_err *e);

/* After a fit: offers the predictions (when every configuration has them)
 * and the models pg->models holds.  Never fails. */
void rt_pred_group_offer(rt_pred_group *pg, const rt_group_out *out);

void rt_pred_group_free(rt_pred_group *pg);

/* Entries as bits (for tests and the store): the stored predictions of
 * `lineage` for ncfg x nt x k, as rt_cache_fetch (1 / 0 / -1); offer
 * stores them under the cost rule with compute cost compute_s. */
int  rt_cache_load_predictions(rt_ctx *c, const char *lineage, int ncfg, int nt, int k, rt_group_out *out,
                               ut_err *e);
void rt_cache_offer_predictions(rt_ctx *c, const char *lineage, const char *what, int ncfg, int nt, int k,
                                const rt_group_out *out, double compute_s);
/* A configuration's model: 1 loaded (*m the caller's, *compute_s its
 * seconds), 0 not, -1 out of memory.  Offer: as JSON (model_io.c). */
int  rt_cache_load_config_model(rt_ctx *c, const char *lineage, rt_family f, int p, int k, rt_model **m,
                                double *compute_s, ut_err *e);
void rt_cache_offer_config_model(rt_ctx *c, const char *lineage, const char *what, const rt_model *m,
                                 double compute_s);

/* EXPLAIN: the decision for FIT node i of plan p, whose input design has
 * lineage `design` with ntrain / ntest rows: p->pcache[i] (OPT_PCACHE_*)
 * and p->pmodels[i].  Returns 1 when the group's outputs come from the
 * cache (its model-level decision is then moot), 0 when it is fitted, -1
 * out of memory. */
int rt_cache_pred_decision(rt_ctx *c, const cmp_explore *x, opt_plan *p, int i, const char *design, int ntrain,
                           int ntest, const opt_stats *st);

#endif
