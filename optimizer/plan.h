/* plan.h — logical and physical plans of EXPLORE.
 *
 * The logical plan is the statement's meaning: LOAD → SPLIT → TRANSFORM* →
 * FIT(config) → EVALUATE → RECORD, one FIT per configuration.  The
 * physical plan says how it runs: per evaluation round (fold), TRANSFORM
 * nodes shared by every configuration with the same preprocessing (or, with
 * sharing off, one per configuration), and FIT+EVALUATE per (config, fold).
 * Plans are read-only once built; the executor keeps its state beside them.
 * Memory: opt_plan_free frees a plan and its nodes, not the cmp_explore. */
#ifndef OPT_PLAN_H
#define OPT_PLAN_H

#include "../compiler/compile.h"

typedef enum {
#define X(e, name, desc) OPT_##e,
#include "ops.def"
#undef X
    OPT__COUNT
} opt_op;

extern const char *const opt_op_names[OPT__COUNT];

typedef struct {
    opt_op op;
    int    round;      /* evaluation round (fold), -1 when not per fold   */
    int    config;     /* configuration index, -1 when shared             */
    int    input;      /* node whose output this one consumes, -1 = none  */
    int    users;      /* how many nodes consume this node's output       */
    double est_cost;   /* estimated seconds                               */
    int    pipe;       /* preprocessing pipeline (TRANSFORM/FIT/EVALUATE)  */
    int    group;      /* FIT: the configuration group it fits; STATS: the
                          first group using its statistics (opt_stats_kind) */
    int    served;     /* every run it leads to comes from the repository
                          (opt_stats.served): not run, costed at 0        */
    int    test_only;  /* TRANSFORM: every FIT it feeds fits from STATS
                          (plan.c's plan_test_only), so it makes the design
                          of the round's test rows alone */
} opt_node;

/* Configurations fitted together (sharing rules 2 and 4): one family, one
 * pipeline, parameters equal except those the family can share. */
typedef struct {
    int *configs;      /* indices into cmp_explore.configs */
    int  n;
    int  shared;       /* 1 when the family's group fit shares work */
    int  batch;        /* logreg: L-BFGS side by side (0: Newton C path) */
    int  gram;         /* lasso / elasticnet: the sweeps run on one centered
                          Gram matrix (else on the centered columns) */
    int  gram_folds;   /* ridge by rule 2 (runtime/ridge_folds.h): 0 no,
                          2 standardized per round (1, the raw columns,
                          is supported by the runtime but not planned:
                          too ill-conditioned to agree within 1e-9) */
    int  nb_folds;     /* gaussian nb by rule 2 (runtime/nb_folds.h): 0 no,
                          1 raw columns, 2 standardized per round */
} opt_group;

typedef struct {
    opt_node *nodes;   /* topologically ordered: inputs come first        */
    int       n;
    int       nrounds, nconfigs;
    int       sharing;
    double    est_total;
    opt_group *groups;
    int       ngroups;
    int      *group_of;   /* per configuration: its group */
    int      *member_of;  /* per configuration: its position in the group */
    int       threads;
    int       nhist;      /* configurations costed from measured history */
    int       nmeasured;  /* other nodes (LOAD, SPLIT, TRANSFORM, STATS, EVALUATE)
                             costed from their measured past times */
    int       hide_costs; /* EXPLAIN without seconds (SET show_times = off) */
    int       nserved;    /* runs taken from the repository (opt_stats.served) */
    /* Sharing rule 4 for pca: pipelines equal up to a pca step that differ
     * only in its k compute the components once, with the largest k, and
     * drop the extra columns.  Per pipeline: the index of that step (-1:
     * none) and the k computed (0 = every component). */
    int      *pca_step, *pca_k;
    /* The intermediate cache's decision per node (OPT_CACHE_*), filled by
     * the runtime (runtime/cache.h) for EXPLAIN; NULL when the cache is
     * off.  FIT nodes of tree groups say what becomes of their grown
     * tree, those of knn groups of their neighbour lists; cache_from is then, per node, the depth a stored tree is
     * extended from (OPT_CACHE_EXTEND).  Freed with the plan. */
    unsigned char *cache;
    int *cache_from;
    /* Per FIT node, the group's outputs across queries (runtime/cache_pred.h):
     * OPT_PCACHE_* for its predictions, and pmodels the configurations
     * whose fitted model would be stored.  NULL when the cache is off. */
    unsigned char *pcache;
    int *pmodels;
} opt_plan;

enum { OPT_CACHE_NONE, OPT_CACHE_REUSE, OPT_CACHE_RECOMPUTE, OPT_CACHE_MATERIALIZE, OPT_CACHE_EXTEND };
enum { OPT_PCACHE_NONE, OPT_PCACHE_REUSE, OPT_PCACHE_MODELS, OPT_PCACHE_MATERIALIZE, OPT_PCACHE_RECOMPUTE };

/* A STATS node's statistics: OPT_STATS_GRAM (ridge / linreg, the per-fold
 * Gram blocks of runtime/ridge_folds.h) or OPT_STATS_NB (gaussian nb's
 * per-fold class statistics, runtime/nb_folds.h). */
enum { OPT_STATS_GRAM, OPT_STATS_NB, OPT_STATS__COUNT };
/* Measured seconds of earlier runs of the operators other than FIT on the
 * same data (the runtime records them: runtime/optimes.c), NAN where none.
 * known = 0: nothing was looked up, the formulas alone. */
typedef struct {
    int known;
    double load;             /* LOAD as this statement will (parsed, from
                                the cache or in memory) */
    double load_formula;     /* the runtime's formula for that way */
    double split;
    const double *tf;        /* per pipeline: one TRANSFORM computing it */
    const double *tf_cache;  /* per pipeline: one TRANSFORM loading its
                                design from the intermediate cache */
    const double *tf_store;  /* per pipeline: one TRANSFORM computing it and
                                storing it in the cache */
    const double *tf_test;   /* per pipeline: one TRANSFORM computing the
                                design of the test rows alone (test_only) */
    const double *evaluate;  /* per family (rt_family): one EVALUATE */
    double stats[OPT_STATS__COUNT];  /* STATS computed (not read from the cache) */
} opt_op_times;

/* Statistics the cost model reads (from the catalog). */
typedef struct {
    int nrows, nfeatures;   /* rows of the dataset, columns after preprocessing (estimate) */
    int nclasses;           /* 0 for regression */
    int nrounds;            /* evaluation rounds of the task */
    int threads;
    int gram_folds_ok;      /* rule 2 may apply: plain k-fold CV, and every
                               feature numeric with no missing value anywhere
                               (impute and onehot leave the table as it is) */
    const double *hist;     /* per configuration: mean measured fit seconds of
                               its past runs on this dataset, NAN when none */
    const unsigned char *served;  /* per (configuration i, round j) at
                               i * nrounds + j: the run comes from the
                               repository (runtime/reuse.h); NULL = none */
    opt_op_times ops;
} opt_stats;

int  opt_physical(const cmp_explore *x, const opt_stats *st, int sharing, opt_plan **out, ut_err *e);
/* Columns of pipeline pl's design, estimated from the statistics' feature
 * count w (categorical columns counted by their levels) reshaped by the
 * steps that change the width. */
double opt_pipe_width(const cmp_pipeline *pl, double w);
void opt_plan_free(opt_plan *p);
/* Pipelines a and b agree on their first len steps (text and implicitness). */
int  opt_same_prefix(const cmp_pipeline *a, const cmp_pipeline *b, int len);
/* The number of distinct min_samples_leaf values of tree or forest group
 * g (1 for other families: sizes not filled), the first cap of them in
 * sizes (NULL: none) in the configurations' order: its trees, grown in one
 * growth (share_leaves.c). */
int  opt_leaf_sizes(const cmp_explore *x, const opt_group *g, int *sizes, int cap);
/* Steps a and b are the same pca step except perhaps for its k. */
int  opt_same_pca_but_k(const rt_tf_step *a, const rt_tf_step *b);

/* EXPLAIN text: the logical plan and the physical plan, one line per row
 * appended to r (a result with one text column). */
/* actual: measured seconds per plan node (EXPLAIN ANALYZE), or NULL. */
int  opt_explain(const cmp_explore *x, const opt_plan *p, const double *actual, ut_result *r);
/* The same plans as one text (stored with the experiment). */
char *opt_logical_text(const cmp_explore *x);
char *opt_physical_text(const cmp_explore *x, const opt_plan *p, const double *actual);

/* Estimated seconds of one fit of configuration i: its measured past
 * runs when the catalog has them, else the analytical model on its
 * pipeline's width (opt_pipe_width). */
double opt_fit_cost(const cmp_explore *x, int i, const opt_stats *st);
double opt_transform_cost(const cmp_pipeline *pl, const opt_stats *st);
/* The same for a TRANSFORM that makes the design of the test rows alone
 * (opt_node.test_only), straight from the table (rt_tf_scaled_rows). */
double opt_transform_test_cost(const opt_stats *st);
/* Estimated seconds of sharing rule 2's one pass (runtime/ridge_folds.h)
 * over the table for nfolds folds: the Gram and cross products of every
 * row, and the scalar work of gathering the rows fold by fold. */
double opt_gram_blocks_cost(const opt_stats *st, int nfolds);
/* The same for gaussian nb's class statistics (runtime/nb_folds.h). */
double opt_nb_blocks_cost(const opt_stats *st, int nfolds);
/* Which statistics STATS node s of p holds (OPT_STATS_*), and whether FIT
 * node f of p fits from them. */
int opt_stats_kind(const opt_plan *p, const opt_node *s);
int opt_fits_from(const opt_plan *p, const opt_node *f, int kind);

#endif
