/* cache.h — the intermediate cache: intermediates stored as files in the
 * directory beside the catalog (<catalog>.cache/), one row each in the
 * catalog's mlg_cache (catalog/cache.c), keyed by lineage (lineage.h).
 *
 * Decisions are by cost.  Loading an entry is estimated as a fixed
 * per-file cost plus bytes / the measured read bandwidth; it is chosen
 * (reuse) when that beats the seconds computing it took.  A computed
 * intermediate is stored (materialize) when one reuse would save more
 * (computing minus loading) than writing it costs, and it fits in SET
 * cache_budget — room is made by
 * evicting entries of lower value per byte (seconds saved × (1 + hits) /
 * bytes; least recently used first among equals), never by going over the
 * budget, not even while a file is being written.
 *
 * Nothing is trusted: a file that is missing, truncated, of another
 * format, or whose checksum or lineage does not match its row is reported
 * as a warning (rt_cache_take_notes), its row and file removed, and the
 * intermediate recomputed.  A loaded design is bit for bit the one stored. */
#ifndef RT_CACHE_H
#define RT_CACHE_H

#include "exec.h"
#include "lineage.h"
#include "ridge_folds.h"
#include "share.h"

#define RT_CACHE_DEFAULT_BUDGET (512LL << 20)

/* The cache is used: a budget above 0, a catalog in a file (not
 * :memory:) opened for writing, and sharing on (SET sharing = off runs
 * the naive plan: everything computed). */
int    rt_cache_active(const rt_ctx *c);
/* Estimated seconds to load / to store an intermediate of `bytes` bytes
 * (a per-file cost plus bytes over the read / write bandwidth measured on
 * earlier loads and stores, kept in the catalog). */
double rt_cache_load_seconds(const rt_ctx *c, long long bytes);
double rt_cache_store_seconds(const rt_ctx *c, long long bytes);
/* The materialize rule: it fits in the budget, and the seconds one reuse
 * saves (computing minus loading) exceed the seconds storing it costs. */
int    rt_cache_worth_storing(const rt_ctx *c, long long bytes, double compute_s);

/* A stored design of ntrain + ntest rows: 1 loaded (*x is one malloc'd
 * block, training rows then test rows, *p columns; the caller frees it),
 * 0 not used (absent, cheaper to recompute, or invalid: then noted and
 * removed), -1 out of memory. */
int  rt_cache_load_design(rt_ctx *c, const char *lineage, int ntrain, int ntest, double **x, int *p, ut_err *e);
/* A design just computed in compute_s seconds: stored when the cost rule
 * says so.  Never fails the statement; a file that cannot be written is a
 * note.  The arrays stay the caller's. */
void rt_cache_offer_design(rt_ctx *c, const char *lineage, const char *what, const double *xtr, int ntrain,
                           const double *xte, int ntest, int p, double compute_s);

/* pca families (cache_pca.c): a design whose pipeline ends in pca(k > 0)
 * is stored under rt_lineage_design_family, one entry per family (the
 * widest computed), recording its pc columns ncomp and the k asked kreq.
 * It serves pca(k) when k <= ncomp, or when pca clamped (ncomp < kreq:
 * every k gives those ncomp); the design served keeps pc1..pck. */
int  rt_pca_serves(int ncomp, int kreq, int k);
/* The largest k of pipeline q's family among the query's pipelines (same
 * steps, then the same pca but for k), q's own k when none is larger; 0
 * when q does not end in pca(k > 0).  Only the widest is offered: the
 * narrower siblings are computed from it (sharing rule 4) and served by
 * its entry from then on. */
int  rt_pca_family_widest(const cmp_explore *x, int q);
/* EXPLAIN: 1 when the family entry is stored, with its ncomp, kreq, and
 * whether loading it pays. */
int  rt_cache_pca_stored(rt_ctx *c, const char *family, int *ncomp, int *kreq, int *pays);
/* A family entry as loaded, whole, kept for the other members of the
 * family in the same round: each is cut from it in memory instead of
 * reading the file again (on the 200 000-row table a round's four pca(k)
 * read the 64 MB pca(40) entry four times).  The caller's; zeroed to
 * start, rt_pca_memo_free to drop it. */
typedef struct {
    rt_lineage_hex family;
    double *x;   /* NULL: empty */
    int ntrain, ntest, p, ncomp, kreq, at;
} rt_pca_memo;
void rt_pca_memo_free(rt_pca_memo *m);

/* The design of pca(k) of the family, as rt_cache_load_design (*p its
 * columns, *ncomp the components stored); an entry that does not serve k
 * is a miss (0), left in place.  memo (or NULL): served from it when it
 * holds this family, else filled with what is loaded. */
int  rt_cache_load_pca(rt_ctx *c, const char *family, int k, int ntrain, int ntest, double **x, int *p, int *ncomp,
                       rt_pca_memo *memo, ut_err *e);
/* Offers a design of the family whose pc1..pc<ncomp> are columns
 * at..at+ncomp-1, made by pca(k = kreq); not stored when a wider design of
 * the family is, else it replaces the entry.  As rt_cache_offer_design. */
void rt_cache_offer_pca(rt_ctx *c, const char *family, const char *what, const double *xtr, int ntrain,
                        const double *xte, int ntest, int p, int at, int ncomp, int kreq, double compute_s);

/* 1 when `lineage` is stored and loading it beats computing it. */
int  rt_cache_worth_loading(rt_ctx *c, const char *lineage);
/* Loaded data: the table of dataset row d stored under `lineage`
 * (rt_lineage_data of d).  1 loaded (*out the caller's; its hash is d's:
 * the caller must have checked the file still has it), 0 not used, -1 out
 * of memory.  Offer: stores a table parsed in compute_s seconds. */
int  rt_cache_load_table(rt_ctx *c, const char *lineage, const cat_dataset *d, rt_table **out, ut_err *e);
void rt_cache_offer_table(rt_ctx *c, const char *lineage, const char *what, const rt_table *t, double compute_s);
/* Offers the table rt_load_dataset parsed during the statement (c->cached,
 * c->cache_pending), once; called when a statement is done. */
void rt_cache_offer_pending(rt_ctx *c);

/* Fitted trees (cache_model.c, kind 'model').  The lineage of the tree a
 * tree group grows on a design: the design's lineage, the training rows,
 * the seed and every tree parameter except max_depth (params in
 * params.def order). */
int  rt_lineage_tree(const char *design, const rt_pval *params, int nrows, unsigned long long seed,
                     rt_lineage_hex out);
/* A tree grown with cap grown_cap (0 = none) that reached `depth` is the
 * tree of cap `cap` (0 = none) cut at that cap: its cap is at least `cap`,
 * or it stopped before its cap (then it is the unlimited tree). */
int  rt_tree_serves(int grown_cap, int depth, int cap);
/* EXPLAIN: 1 when a tree of `lineage` is stored and loading it pays, with
 * the cap it was grown to and the depth it reached. */
int  rt_cache_tree_stored(rt_ctx *c, const char *lineage, int *grown_cap, int *depth);
/* The stored tree of `lineage` for p features and nclasses: 1 loaded (*m
 * the caller's; *grown_cap its cap, *compute_s the seconds growing it took),
 * 0 not used (absent, cheaper to grow, or invalid: noted and removed), -1
 * out of memory.  Safe from the fit window's threads. */
int  rt_cache_load_tree(rt_ctx *c, const char *lineage, int p, int nclasses, rt_model **m, int *grown_cap,
                        double *compute_s, ut_err *e);
/* Offers tree m grown with cap grown_cap in compute_s seconds (from the
 * root); it replaces the entry of its lineage unless that one took longer.
 * Never fails; safe from the fit window's threads. */
void rt_cache_offer_tree(rt_ctx *c, const char *lineage, const char *what, const rt_model *m, int grown_cap,
                         double compute_s);

/* A tree group (sharing on) with the intermediate cache active
 * (share_tree.c): the tree is reused from the cache, extended from a
 * shallower stored one, or grown, and offered to the cache; design is the
 * lineage of ts's design, what names the design (the entry is named
 * "tree to max_depth D, " + what in SHOW CACHE).  *decision
 * says which.  Outputs as rt_fit_predict_group. */
enum { RT_TREE_GROWN = 1, RT_TREE_REUSED = 2, RT_TREE_EXTENDED = 3 };
int rt_tree_group_cached(rt_ctx *c, const char *design, const char *what, const rt_pval *const *params,
                         int ncfg, const rt_trainset *ts, const double *Xt, int nt, rt_group_out *out, int *decision,
                         ut_err *e);

/* knn's neighbour lists (cache_neighbors.c, kind 'neighbors').  The
 * lineage of the lists a knn group computes on a design: the design's
 * lineage (rt_lineage_neighbors: design + metric), the training and test
 * row counts.  K is not in it: lists of length K serve every K' <= K (their
 * first K' entries, knn.h).  Lists in memory: dist then idx, nt x K each
 * (row stride K), one malloc'd block `buf` the holder frees. */
typedef struct {
    void   *buf;
    double *dist;
    int    *idx;
    int     K;
} rt_knn_lists;
int  rt_lineage_knn_lists(const char *design, const char *metric, int ntrain, int ntest, rt_lineage_hex out);
/* EXPLAIN: 1 when lists of `lineage` are stored and loading them pays,
 * with their length in *K. */
int  rt_cache_neighbors_stored(rt_ctx *c, const char *lineage, int *K);
/* The stored lists of `lineage` for nt test rows against ntrain training
 * rows, when they are at least Kneed long: 1 loaded (*out the caller's;
 * every index, distance and order checked), 0 not used (absent, shorter,
 * cheaper to compute, or invalid: noted and removed), -1 out of memory.
 * Safe from the fit window's threads. */
int  rt_cache_load_neighbors(rt_ctx *c, const char *lineage, int nt, int ntrain, int Kneed, rt_knn_lists *out,
                             ut_err *e);
/* Offers lists of length K computed in compute_s seconds; they replace the
 * entry of their lineage unless that one is at least as long.  Never
 * fails; safe from the fit window's threads. */
void rt_cache_offer_neighbors(rt_ctx *c, const char *lineage, const char *what, const rt_knn_lists *l, int nt,
                              int ntrain, double compute_s);
/* A knn group (share_knn.c) with the cache active: the lists of the
 * largest k loaded from the cache when stored long enough, else searched
 * and offered to it; every k and weighting read from them.  design / what
 * as rt_tree_group_cached.  *decision: RT_KNN_SEARCHED or RT_KNN_LOADED.
 * Outputs as rt_fit_predict_group. */
enum { RT_KNN_SEARCHED = 1, RT_KNN_LOADED = 2 };
int rt_knn_group_cached(rt_ctx *c, const char *design, const char *what, const rt_pval *const *params, int ncfg,
                        const rt_trainset *ts, const double *Xt, int nt, rt_group_out *out, int *decision,
                        ut_err *e);
/* EXPLAIN: the decision for FIT node i of plan p, a knn group on the design
 * of lineage `design` with ntrain / ntest rows (cache_neighbors.c). */
int rt_cache_knn_decision(rt_ctx *c, const cmp_explore *x, opt_plan *p, int i, const char *design, int ntrain,
                          int ntest, const opt_stats *st);

/* Ridge's per-fold Gram blocks (cache_gram.c, kind 'gram'; sharing rule
 * 2, ridge_folds.h).  Their lineage: rt_lineage_gram_blocks (data, target,
 * task kind, protocol, seed, stored folds, fold count) and the payload's
 * format.  One entry per (dataset, task), named "gram blocks, 5 folds, 36
 * columns, dataset sat" in SHOW CACHE. */
int  rt_lineage_gram_entry(const rt_lineage_hex data, const cat_task *t, int nfolds, rt_lineage_hex out);
/* EXPLAIN: 1 when blocks of nfolds folds, p features and nclasses (0:
 * regression) are stored under `lineage` and loading them pays. */
int  rt_cache_gram_stored(rt_ctx *c, const char *lineage, int nfolds, int p, int nclasses);
/* The stored statistics of `lineage` for table t (arguments as
 * rt_ridge_folds_new): 1 loaded (*out the caller's, rt_ridge_folds_free;
 * every length, count and number checked, rt_ridge_folds_adopt), 0 not
 * used (absent, cheaper to compute, the table not eligible, or unusable:
 * then noted and removed), -1 out of memory. */
int  rt_cache_load_gram(rt_ctx *c, const char *lineage, const rt_table *t, int target, const int *fold, int nfolds,
                        const int *yc, const double *y, int nclasses, rt_ridge_folds **out, ut_err *e);
/* Offers statistics computed in compute_s seconds (rf stays the
 * caller's); stored when the cost rule says so.  Never fails. */
void rt_cache_offer_gram(rt_ctx *c, const char *lineage, const char *what, const rt_ridge_folds *rf,
                         double compute_s);
/* rt_ridge_folds_new with the cache active: loaded when stored and loading
 * pays (RT_GRAM_LOADED), else computed and offered (RT_GRAM_COMPUTED),
 * valued at value_s seconds (the cost model's estimate, what EXPLAIN
 * decided by) or, when value_s < 0, at this thread's CPU seconds measured
 * (call it with one BLAS thread).  dataset names the entry.  Returns as
 * rt_ridge_folds_new (*out NULL: the table is not eligible). */
enum { RT_GRAM_COMPUTED = 1, RT_GRAM_LOADED = 2 };
int  rt_ridge_folds_cached(rt_ctx *c, const char *lineage, const char *dataset, const rt_table *t, int target,
                           const int *fold, int nfolds, const int *yc, const double *y, int nclasses,
                           double value_s, rt_ridge_folds **out, int *decision, ut_err *e);
/* EXPLAIN: the decision for plan p's STATS node of the Gram blocks (one
 * entry for every round and group: reuse, costed at reading it, materialize
 * or recompute), data the lineage of the query's data. */
int  rt_cache_gram_decision(rt_ctx *c, const cmp_explore *x, opt_plan *p, const char *data, const opt_stats *st);

/* Brings the directory and the rows into agreement (files without a row
 * and leftovers of interrupted writes removed; rows whose file has another
 * size removed with a note) and evicts until the total is within the
 * budget. */
int  rt_cache_sync(rt_ctx *c, ut_err *e);
/* CLEAR CACHE: every file and row; *msg says how much went. */
int  rt_cache_clear_all(rt_ctx *c, char **msg, ut_err *e);
/* SHOW CACHE: the entries, and in *msg the totals against the budget. */
int  rt_cache_show(rt_ctx *c, ut_result **out, char **msg, ut_err *e);
/* EXPLAIN: the decision for every TRANSFORM node of p (p->cache). */
int  rt_cache_plan(rt_ctx *c, const cmp_explore *x, opt_plan *p, const opt_stats *st, ut_err *e);
/* Warnings noted since the last call, one "warning: ..." line each
 * (malloc'd), or NULL. */
char *rt_cache_take_notes(rt_ctx *c);

#endif
