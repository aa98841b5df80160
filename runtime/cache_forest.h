/* cache_forest.h — forests and boosted trees in the intermediate cache
 * (kind 'model', cache.h), as cache_model.c keeps single trees.
 *
 *   forest  lineage = the design's lineage, the training rows, the seed
 *           and every forest parameter except trees and max_depth.  Tree
 *           t depends on cart_seed(seed, t) alone, so a stored forest of N
 *           trees grown with cap C serves every trees <= N at every cap
 *           the stored trees serve (rt_tree_serves over the deepest
 *           tree); more trees extend it (trees N.. grown, the first N
 *           copied).  A deeper cap than the stored trees serve grows the
 *           forest again (forest trees draw their split features, so
 *           cart_grow_from cannot continue them).
 *   gbt     lineage = the same with every gbt parameter except rounds
 *           (max_depth included: every round depends on the earlier
 *           rounds' trees).  A stored model of R rounds serves every
 *           rounds <= R; more rounds continue boosting from it, its
 *           training raw scores rebuilt from its trees (rt_gbt_fit_from).
 * Both: bit for bit the model fitted at once (tests/unit/test_forest_extend.c). */
#ifndef RT_CACHE_FOREST_H
#define RT_CACHE_FOREST_H

#include "cache.h"

/* The lineage of the model a forest or gbt group fits (params: the
 * group's largest configuration, params.def order). */
int rt_lineage_ensemble(rt_family f, const char *design, const rt_pval *params, int nrows, unsigned long long seed,
                        rt_lineage_hex out);
/* EXPLAIN: 1 when a model of `lineage` is stored and loading it pays, with
 * its tree / round count, the cap it was grown with and its deepest tree
 * (forest; 0 for gbt). */
int rt_cache_ensemble_stored(rt_ctx *c, const char *lineage, int *count, int *grown_cap, int *depth);
/* The stored model of `lineage` (a forest or gbt for p features and
 * nclasses): 1 loaded (*m the caller's), 0 not used (absent, cheaper to
 * fit, invalid: noted and removed), -1 out of memory.  Thread-safe. */
int rt_cache_load_ensemble(rt_ctx *c, rt_family f, const char *lineage, int p, int nclasses, rt_model **m,
                           int *grown_cap, double *compute_s, ut_err *e);
/* Offers m (grown with cap grown_cap, in compute_s seconds from nothing);
 * it replaces the entry of its lineage unless that one took longer.
 * Never fails; thread-safe. */
void rt_cache_offer_ensemble(rt_ctx *c, const char *lineage, const char *what, const rt_model *m, int grown_cap,
                             double compute_s);

/* A forest or gbt group with the cache active (share_forest.c): the model
 * is reused, extended (more trees / rounds) or fitted, and offered to the
 * cache; *decision is RT_TREE_REUSED / RT_TREE_EXTENDED / RT_TREE_GROWN.
 * Outputs as rt_fit_predict_group. */
int rt_ensemble_group_cached(rt_ctx *c, rt_family f, const char *design, const char *what,
                             const rt_pval *const *params, int ncfg, const rt_trainset *ts, const double *Xt, int nt,
                             rt_group_out *out, int *decision, ut_err *e);

/* EXPLAIN (cache_plan.c): the decision for FIT node i of a forest or gbt
 * group on a design of lineage `design` with ntrain rows; fit_s is the
 * cost model's seconds for fitting the group's largest model. */
int rt_cache_plan_ensemble(rt_ctx *c, const cmp_explore *x, opt_plan *p, int i, const char *design, int ntrain,
                           int nclasses, double fit_s);

#endif
