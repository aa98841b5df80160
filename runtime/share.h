/* share.h — fitting several configurations of one family as one group
 * (DESIGN.md §4, rules 2 and 4), giving exactly the predictions separate
 * fits would:
 *   ridge   one centered Gram matrix per group, one solve per alpha
 *   knn     one neighbour search with the largest k, every k and weighting
 *           read from its sorted lists
 *   tree    one growth to the deepest cap for every min_samples_leaf (the
 *           sizes share each node until their splits differ), predicted
 *           at every depth (share_leaves.c)
 *   forest  the most trees at the deepest cap, one forest per
 *           min_samples_leaf grown together (tree t of every size in one
 *           growth); every smaller forest and depth read from it
 *   gbt     the most rounds; every smaller round count read from it
 *   logreg  (l2, where Newton solves it) the C path in ascending order,
 *           each fit started from the previous solution; where L-BFGS
 *           solves it, the fits side by side, one pair of GEMMs per round
 *   linsvm  (squared hinge, by the finite Newton method) the C path in
 *           ascending order, each fit started from the previous weights
 *   lasso, elasticnet  one centered Gram matrix (n ≥ p) or centered
 *           design per group, every configuration's coordinate descent
 *           on it
 *   nb      one pass of class statistics, every var_smoothing (alpha)
 *           applied to it (and by rule 2, nb_folds.h, from per-fold
 *           blocks)
 * Configurations may share a group when they differ only in the parameters
 * rt_share_mask names.  Other families run one fit per configuration.
 * Memory: outputs are caller-allocated except out[c].error (malloc'd). */
#ifndef RT_SHARE_H
#define RT_SHARE_H

#include "model.h"

/* 1 when family f has a shared group fit; *mask has bit i set for every
 * parameter (params.def order) that may differ inside a group. */
int rt_share_mask(rt_family f, unsigned *mask);

typedef struct {
    double *pred;         /* nt predictions (caller-allocated)                 */
    double *proba;        /* nt x nclasses (classification) or NULL            */
    char   *error;        /* why this configuration failed, or NULL            */
    int     stopped;      /* its fit was stopped inside (stop.h): no run       */
    char   *warning;      /* e.g. did not converge: the run is ok, but noted   */
    double  fit_seconds;  /* its share of the group's fit and predict time      */
} rt_group_out;

/* A configuration's fit or predict failed with *me: out of memory ends the
 * whole group (copied to *e, returns -1); a stop (MLG_INTERRUPT, stop.h)
 * sets o->stopped; anything else is that configuration's reason
 * (o->error). */
int rt_keep_error(rt_group_out *o, const ut_err *me, ut_err *e);

/* Notes on o when model m stopped at its iteration cap without meeting its
 * tolerance (the run keeps the last iterate, as scikit-learn does, but the
 * user is told). */
void rt_note_convergence(rt_group_out *o, const rt_model *m);

/* Fits every configuration on ts and predicts the nt rows Xt, as one
 * shared fit when `share` (the plan's decision) and the family has one,
 * else one fit each.  A failing configuration gets out[c].error; returns -1
 * only when the group cannot run at all (out of memory), with e set. */
/* ---- tree, forest and gbt groups (share_leaves.c) ----
 * One model per min_samples_leaf (tree, forest; gbt: one), with the
 * group's most trees / rounds at its deepest cap; the sizes to fit are
 * grown together (cart_grow_leaves).  share_tree.c and share_forest.c put
 * the cache around it. */
typedef struct {
    rt_model *m;        /* the size's model (owned), or NULL */
    int cap;            /* forest: the cap its trees were grown to */
    int how;            /* RT_TREE_REUSED / _EXTENDED / _GROWN (cache.h); 0: to fit */
    double compute_s;   /* what fitting it from nothing costs; -1: not fitted here */
    char lin[33];       /* its lineage (an rt_lineage_hex) */
} rt_leaf_model;
typedef struct {
    int nv;             /* leaf sizes */
    int *msl;           /* nv sizes, ascending */
    int *of;            /* per configuration: its size's index */
    int *idx;           /* scratch: the sizes to fit */
    rt_leaf_model *one; /* per size */
} rt_leaf_group;

/* The distinct values of parameter `at` (min_samples_leaf) over a group,
 * ascending, into msl; each configuration's index among them into of
 * (both ncfg long).  Returns their count. */
int  rt_leaf_sizes(const rt_pval *const *params, int ncfg, int at, int *msl, int *of);
/* The group's model parameters into big: the first configuration's with
 * the most trees / rounds and the deepest cap (0 = unlimited beats all). */
void rt_leaf_group_params(rt_family f, const rt_pval *const *params, int ncfg, rt_pval *big);
/* Sets size j's min_samples_leaf in one (gbt: nothing). */
void rt_leaf_group_params_of(rt_family f, const rt_leaf_group *g, int j, rt_pval *one);
int  rt_leaf_group_new(rt_family f, const rt_pval *const *params, int ncfg, rt_leaf_group *g);   /* -1: no memory */
void rt_leaf_group_free(rt_leaf_group *g);
/* Fits sizes idx[0..n) from big: a failure other than memory is kept in
 * *me for those sizes (their models NULL).  -1: out of memory (*e). */
int  rt_leaf_group_fit(rt_family f, const rt_pval *big, rt_leaf_group *g, int n, const rt_trainset *ts, ut_err *me,
                       ut_err *e);
/* With the cache: the sizes it did not serve (how 0) fitted together,
 * each marked RT_TREE_GROWN with its share of this thread's CPU as
 * compute_s; *decision the group's (all reused, some grown, else
 * extended).  Failures as rt_leaf_group_fit. */
int  rt_leaf_group_fit_rest(rt_family f, const rt_pval *big, rt_leaf_group *g, const rt_trainset *ts, int *decision,
                            ut_err *me, ut_err *e);
/* Every configuration's predictions off its size's model (its cap, trees
 * or rounds); a size without one gives *failed. */
int  rt_leaf_group_predict(rt_family f, const rt_pval *const *params, int ncfg, const rt_leaf_group *g,
                           const ut_err *failed, const double *Xt, int nt, rt_group_out *out, ut_err *e);
/* A tree, forest or gbt group without the cache; as rt_fit_predict_group. */
int  rt_leaf_group_run(rt_family f, const rt_pval *const *params, int ncfg, const rt_trainset *ts, const double *Xt,
                       int nt, rt_group_out *out, ut_err *e);

int rt_fit_predict_group(rt_family f, const rt_pval *const *params, int ncfg, int share, const rt_trainset *ts,
                         const double *Xt, int nt, rt_group_out *out, ut_err *e);

/* As rt_fit_predict_group, and keep[c] (when keep is not NULL: ncfg
 * pointers the caller zeroed) receives the fitted model of every
 * configuration that succeeded, the caller's to free (rt_model_free) —
 * for the linear families and naive Bayes, whose models the intermediate
 * cache stores (cache_pred.h); the tree / knn / forest / gbt group paths
 * keep nothing. */
int rt_fit_predict_group_keep(rt_family f, const rt_pval *const *params, int ncfg, int share, const rt_trainset *ts,
                              const double *Xt, int nt, rt_group_out *out, rt_model **keep, ut_err *e);

/* Ridge or linreg configurations (fam) of CV round k by rule 2
 * (ridge_folds.h): from the per-fold Gram blocks in rf, standardized per
 * round when `standardize`, predicting the round's nt test rows Xt (the
 * round's design, p columns).  Outputs as rt_fit_predict_group; returns 1,
 * with nothing fitted, where linreg declines (rt_ridge_folds_linreg): the
 * caller fits the design then. */
struct rt_ridge_folds;
int rt_fit_predict_gram_folds(const struct rt_ridge_folds *rf, rt_family fam, int k, int standardize,
                              const rt_pval *const *params, int ncfg, int p, int nclasses, const double *Xt, int nt,
                              rt_group_out *out, ut_err *e);

#endif
