/* lineage.h — lineage hashes of the intermediates EXPLORE produces.
 * A lineage is the hash (128 bits, 32 hex digits; util/hash.h) of what an
 * intermediate is made from: its inputs' lineages, the operator, its
 * canonical parameters (typed values, defaults filled in — never the text
 * as written) and the fold.  Equal lineages mean equal bits: the cache
 * (cache.h) keys stored intermediates by it.  The mileage version is part
 * of the data lineage, so a new build never reads an old build's designs.
 * Every function returns 0, or -1 when memory ran out. */
#ifndef RT_LINEAGE_H
#define RT_LINEAGE_H

#include "../catalog/catalog.h"
#include "../compiler/compile.h"
#include "transform.h"

typedef char rt_lineage_hex[33];

/* Loaded data: the file's content hash, the reading options, the format. */
int rt_lineage_data(const cat_dataset *d, rt_lineage_hex out);
/* One round's split: the data, the task's protocol, seed and stored folds
 * (their hash), the round, and the train / test rows in the order used
 * (a shuffled order is another lineage: sums run in that order). */
int rt_lineage_fold(const rt_lineage_hex data, const cat_task *t, int round, const int *train, int ntrain,
                    const int *test, int ntest, rt_lineage_hex out);
/* The state after steps[0..nsteps) fitted on a fold (a fitted transform:
 * e.g. the pca components of a shared prefix), and, with design = 1, the
 * dense design rt_tf_finish makes from it (the transformed fold).  The
 * target column and task kind are inputs (select_k reads the target). */
int rt_lineage_steps(const rt_lineage_hex fold, const char *target, const char *kind, const rt_tf_step *steps,
                     int nsteps, int design, rt_lineage_hex out);
/* A pipeline's design: rt_lineage_steps over its steps with design = 1. */
int rt_lineage_design(const rt_lineage_hex fold, const char *target, const char *kind, const cmp_pipeline *pl,
                      rt_lineage_hex out);
/* The pca family of a pipeline that ends in pca with k > 0: the design
 * lineage with that last pca's k left out — deliberately, as the only
 * parameter a lineage ignores: pca(K) cut to its first k components is bit
 * for bit pca(k) (tf_pca.c), so the cache keeps one design per family,
 * the widest computed, and serves every k it covers from it (cache.h,
 * rt_cache_load_pca).  A change of k changes rt_lineage_design, never
 * this.  1 filled, 0 the pipeline is not of a family (no pca at its end,
 * or k = 0: every component), -1 out of memory. */
int rt_lineage_design_family(const rt_lineage_hex fold, const char *target, const char *kind,
                             const cmp_pipeline *pl, rt_lineage_hex out);
/* A fitted model and its predictions on the fold's test rows: the design,
 * the family, its canonical parameter JSON and the seed. */
int rt_lineage_fit(const rt_lineage_hex design, const char *family, const char *params_json,
                   unsigned long long seed, rt_lineage_hex out);

/* A FIT group's predictions on its round's test rows (cache kind
 * 'predictions', cache_pred.h): the design, the family, every
 * configuration's canonical parameters (typed values in params.def order)
 * in the group's order, the training and test row counts, the seed,
 * whether the group was fitted shared and by which path (0 the rows, 1 / 2
 * ridge by per-fold Gram blocks, raw / standardized, 3 / 4 gaussian nb by
 * per-fold class statistics).  The whole group is
 * in it, not one configuration: logreg's L-BFGS batch and Newton C path
 * round by their members, so only an identical group reproduces the bits.
 * params[c] holds the family's parameters (rt_family_params). */
int rt_lineage_group_predictions(const rt_lineage_hex design, rt_family f, const rt_pval *const *params, int ncfg,
                                 int ntrain, int ntest, unsigned long long seed, int shared, int path,
                                 rt_lineage_hex out);
/* One configuration's fitted model (kind 'model', cache_pred.h): the
 * design, the family, its canonical parameters, the training rows, the
 * seed, and `group` — the rt_lineage_group_predictions of its group when
 * the group's fit rounds by its members (logreg fitted shared), else NULL
 * (then the model is the one a fit alone makes, from any group). */
int rt_lineage_config_model(const rt_lineage_hex design, rt_family f, const rt_pval *params, int ntrain,
                            unsigned long long seed, const char *group, rt_lineage_hex out);

/* Ridge's per-fold Gram blocks (sharing rule 2, ridge_folds.h): the data,
 * the target and task kind, the task's protocol, seed and stored folds
 * (their hash), and the fold count — no pipeline: the blocks are of the
 * table's columns as they are (a standardizing pipeline derives its
 * rounds from the same blocks).  Stored as kind 'gram' under
 * rt_lineage_gram_entry (cache.h: this plus the payload's format), "gram
 * blocks, 5 folds, 36 columns, dataset sat". */
int rt_lineage_gram_blocks(const rt_lineage_hex data, const cat_task *t, int nfolds, rt_lineage_hex out);
/* knn's neighbour lists of a round (share.c's knn group): the design (its
 * fold's training and test rows included) and the metric.  The list
 * length K is not in it: lists of length K serve every k <= K (prefixes),
 * as a tree grown to a cap serves every smaller cap.  Stored as kind
 * 'neighbors' under rt_lineage_knn_lists (cache.h: this plus the row
 * counts), "knn neighbours K=15 euclidean, <pipeline>, round 1, dataset
 * sat". */
int rt_lineage_neighbors(const rt_lineage_hex design, const char *metric, rt_lineage_hex out);

#endif
