/* ensemble.h — private to fam_forest.c, fam_gbt.c and cache_forest.c: the
 * fitted state of forests and boosted trees, so the intermediate cache can
 * store and restore it bit for bit, and the fits that continue a stored
 * model (more trees, more rounds) instead of starting over.
 * Memory: both structs own their arrays; the model's impl_free releases
 * them (rt_forest_impl_free / rt_gbt_impl_free). */
#ifndef RT_ENSEMBLE_H
#define RT_ENSEMBLE_H

#include "cart.h"
#include "families.h"

typedef struct {
    int ntrees;
    cart_tree *trees;
} rt_forest_impl;

typedef struct {
    int K;              /* trees per round; 0 = constant model (one class)  */
    int nfit;           /* classification: classes seen                      */
    int *cls;           /* fitted index -> class code                        */
    int rounds;
    double lr;
    double *init;       /* K initial raw scores                              */
    cart_tree *trees;   /* rounds x K                                        */
    double *loss;       /* training loss after each round                    */
} rt_gbt_impl;

void rt_forest_impl_free(void *impl);
void rt_gbt_impl_free(void *impl);

/* A deep copy of tree a into *b (zeroed beforehand): 0, or -1 out of memory. */
int rt_cart_tree_copy(const cart_tree *a, cart_tree *b);

/* The forest of params fitted on ts, taking its first trees from `from`
 * (a forest fitted on the same rows with the same parameters except
 * `trees`, whose trees are each the tree of params' max_depth: the caller
 * checks with rt_tree_serves): those are copied, only trees
 * from->ntrees .. trees-1 are grown — bit for bit the forest grown at
 * once, as tree t depends on cart_seed(seed, t) alone.  *out is the
 * caller's. */
/* Forests of params for each leaf size msl[0..nv) (ascending, distinct, at
 * most CART_MAX_LEAF_SIZES; params' own min_samples_leaf is ignored): tree
 * t of every size grown at once (cart_grow_leaves), out[j] equal to
 * rt_fit's forest with msl[j].  out[0..nv) are the caller's; all NULL on
 * error. */
int rt_forest_fit_leaves(const rt_pval *params, const int *msl, int nv, const rt_trainset *ts, rt_model **out,
                         ut_err *e);
int rt_forest_fit_from(const rt_pval *params, const rt_trainset *ts, const rt_model *from, rt_model **out,
                       ut_err *e);
/* The deepest node of any tree of a forest (0 when not a forest). */
int rt_forest_depth(const rt_model *m);

/* Boosting continued from `from` (fitted on the same rows with the same
 * parameters except fewer rounds): its rounds are copied, the training
 * rows' raw scores recomputed from its trees in the order the fit added
 * them (the same sums, so the same bits), and only the remaining rounds
 * boosted — bit for bit the model of params fitted at once.  A `from`
 * whose classes or initial scores differ from what ts gives is an
 * MLG_DATA error (the caller fits from scratch).  *out is the caller's. */
int rt_gbt_fit_from(const rt_pval *params, const rt_trainset *ts, const rt_model *from, rt_model **out, ut_err *e);
/* Rounds of a fitted gbt model (0 when not one). */
int rt_gbt_rounds(const rt_model *m);

#endif
