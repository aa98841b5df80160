/* cart.h — private to the tree families (fam_tree.c, fam_forest.c,
 * fam_gbt.c) and, later, the optimizer: CART trees in the manner of
 * scikit-learn's BestSplitter + DepthFirstTreeBuilder, grown on a matrix
 * whose columns are sorted once and then partitioned down the tree.
 *
 * Every node, internal or leaf, keeps its own prediction (class
 * distribution or mean), depth and sample count, so one deep tree answers
 * "what would a tree grown with max_depth = d predict" for every d
 * (cart_apply with a depth cap): growth is node-local and deterministic, so
 * the capped deep tree *is* the shallower tree.  Forests seed each node's
 * feature draws from the node's path, not from a stream shared with earlier
 * nodes, so that equality also holds for them.  min_samples_leaf cannot
 * be read off a deeper tree the same way: it changes which split a node
 * takes (here as in sklearn).  Trees of several leaf sizes are instead
 * grown together (cart_grow_leaves), sharing every node until their
 * splits differ.
 *
 * Memory: a cart_tree's arrays are owned by the tree (cart_tree_free); a
 * builder owns its sort and work buffers (cart_builder_free). */
#ifndef RT_CART_H
#define RT_CART_H

#include <stdint.h>

#include "model.h"

typedef enum { CART_GINI = 0, CART_ENTROPY = 1, CART_MSE = 2 } cart_criterion;

typedef struct {
    int    feature;     /* split feature, -1 at a leaf                       */
    int    left, right; /* child node ids, -1 at a leaf                      */
    int    depth;       /* root = 0                                          */
    double threshold;   /* x[feature] <= threshold goes left                 */
    int    n_samples;   /* distinct training rows reaching the node          */
    double weight;      /* their total weight (bootstrap counts, or rows)    */
    double impurity;    /* gini / entropy (bits) / variance of the node      */
} cart_node;

typedef struct {
    int nnodes, cap;
    int nout;           /* nclasses (a distribution) or 1 (a value)         */
    int depth;          /* deepest node's depth                              */
    cart_node *node;    /* preorder: root 0, a left subtree before the right */
    double *value;      /* nnodes x nout: each node's own prediction          */
} cart_tree;

void cart_tree_free(cart_tree *t);   /* frees the arrays, not t; NULL-safe */

/* The node x ends in when the tree is cut at max_depth (0 = no cap): the
 * descent stops at a leaf or at a node of depth max_depth. */
int cart_apply(const cart_tree *t, const double *x, int max_depth);

/* How a node gets each candidate column in value order.  AUTO presorts the
 * columns once and partitions them at every split, switching a subtree to
 * sorting its drawn columns on the spot when few are drawn (forests on wide
 * data); the trees are the same either way (tests force each). */
typedef enum { CART_AUTO = 0, CART_PRESORT = 1, CART_NODE_SORT = 2 } cart_strategy;

typedef struct {
    cart_criterion crit;
    int max_depth;          /* 0 = unlimited                                */
    int min_samples_leaf;   /* >= 1, counted in distinct rows like sklearn  */
    int max_features;       /* features drawn per split; <= 0 or >= p: all,
                               visited in index order (lowest index wins
                               ties); otherwise drawn at random per node     */
    uint64_t seed;          /* the random draws (max_features < p)          */
    cart_strategy strategy;
} cart_params;

/* Sorted columns of one training matrix, reusable for many trees (forest,
 * boosting rounds).  X (n x p, row-major) must outlive the builder.  reuse =
 * 0 for a single tree: the columns are then sorted straight into the work
 * buffers, which halves the memory.  Buffers a strategy needs are allocated
 * on first use. */
typedef struct cart_builder cart_builder;
cart_builder *cart_builder_new(const double *X, int n, int p, int reuse, ut_err *e);
/* Presorted growth keeps each feature's sorted values beside its row order
 * while n*p is below this (doubles; default 4 Mi = 32 MB); above it, a
 * builder without reuse reads the values from X (the same bits, about half
 * the speed on deep trees, one copy of the data less).  A variable so
 * tests can take the low-memory path on small data. */
extern size_t cart_val_copy_max;
void cart_builder_free(cart_builder *b);

/* Grows t (zeroed or freed beforehand) on the rows with weight > 0 (w NULL:
 * every row, weight 1).  Classification: yc codes in [0, nclasses), crit
 * gini/entropy.  Regression: nclasses = 0, y, crit mse. */
int cart_grow(cart_builder *b, const int *yc, int nclasses, const double *y,
              const double *w, const cart_params *cp, cart_tree *t, ut_err *e);

/* Grows t as cart_grow would with cp, starting from `from`, a tree grown
 * by cart_grow (or this) on the same rows, weights and parameters except
 * a smaller cap from_cap (> 0; cp->max_depth 0 or >= from_cap): its nodes
 * above from_cap are copied, the training rows are routed to its leaves,
 * and only the leaves at depth from_cap grow on — with the same per-node
 * code, draws and numbering, so t is bit for bit the tree cart_grow gives.
 * Only when every feature is tried at every split (max_features <= 0 or
 * >= p): find_split's record of constant features is then a function of
 * the node's rows.  A tree whose counts do not match the rows is an
 * MLG_DATA error (the caller grows from scratch). */
int cart_grow_from(cart_builder *b, const int *yc, int nclasses, const double *y, const double *w,
                   const cart_params *cp, const cart_tree *from, int from_cap, cart_tree *t, ut_err *e);

/* Grows nv trees at once, t[j] bit for bit cart_grow's tree with
 * min_samples_leaf = msl[j] (ascending, distinct, nv <= CART_MAX_LEAF_SIZES)
 * and cp otherwise (drawn features too: a node's draws follow its path and
 * rows, which the sizes sharing it share).  The sizes share each node
 * whose rows they share and part where their best splits differ (sharing
 * rule 4 for min_samples_leaf).  t[0..nv) are the caller's, each freed
 * with cart_tree_free. */
#define CART_MAX_LEAF_SIZES 64
int cart_grow_leaves(cart_builder *b, const int *yc, int nclasses, const double *y, const double *w,
                     const cart_params *cp, const int *msl, int nv, cart_tree *t, ut_err *e);

/* A well-mixed seed for item `index` (a tree, a round) of a model seeded
 * with `seed`: items get independent streams that do not depend on how many
 * items are fitted, so prefixes of a model equal smaller models. */
uint64_t cart_seed(uint64_t seed, uint64_t index);

/* The criterion parameter of tree/forest ("auto|gini|entropy|mse") for a
 * classification or regression task; a mismatch is an MLG_ERROR naming fam. */
int cart_parse_criterion(const char *s, int classification, const char *fam,
                         cart_criterion *out, ut_err *e);

/* pred (and, for classification with proba non-NULL, the proba row) from a
 * node value: the distribution's first argmax, or the value itself. */
void cart_emit(const double *value, int nclasses, double *pred, double *proba);

/* ---- the tree families' prefix predictions (for sharing work) ----
 * Each writes pred[n] and, for classification when proba is non-NULL,
 * proba[n x nclasses], exactly as rt_predict does for the full model. */

/* Decision tree cut at max_depth (0 = the whole tree). */
int rt_tree_predict_capped(const rt_model *m, const double *X, int n, int max_depth,
                           double *pred, double *proba, ut_err *e);
const cart_tree *rt_tree_get(const rt_model *m);   /* NULL unless a tree */
/* A tree of params fitted on ts by continuing `from` (grown on the same
 * rows with the same parameters to cap from_cap): cart_grow_from.  *out
 * is the caller's. */
int rt_tree_fit_from(const rt_pval *params, const rt_trainset *ts, const rt_model *from, int from_cap,
                     rt_model **out, ut_err *e);

/* Trees of params for each leaf size msl[0..nv) (ascending, distinct, at
 * most CART_MAX_LEAF_SIZES; params' own min_samples_leaf is ignored) grown
 * at once (cart_grow_leaves): out[j] equals rt_fit's tree with msl[j].
 * out[0..nv) are the caller's; all NULL on error. */
int rt_tree_fit_leaves(const rt_pval *params, const int *msl, int nv, const rt_trainset *ts, rt_model **out,
                       ut_err *e);

/* Forest of its first t trees (t clamped to [1, trees]), optionally each cut
 * at max_depth (0 = none): equal to a forest fitted with t trees and that
 * max_depth. */
int rt_forest_predict_first(const rt_model *m, const double *X, int n, int t,
                            double *pred, double *proba, ut_err *e);
int rt_forest_predict_capped(const rt_model *m, const double *X, int n, int t,
                             int max_depth, double *pred, double *proba, ut_err *e);
int rt_forest_ntrees(const rt_model *m);

/* Boosted model after its first r rounds (r clamped to [0, rounds]): equal
 * to a model fitted with r rounds. */
int rt_gbt_predict_rounds(const rt_model *m, const double *X, int n, int r,
                          double *pred, double *proba, ut_err *e);
/* Training loss after each round (sklearn's train_score_: squared error,
 * binomial deviance or multinomial log-loss, on the in-bag rows); *rounds
 * set to the count.  NULL unless a gbt model. */
const double *rt_gbt_train_loss(const rt_model *m, int *rounds);

#endif
