/* compile.h — AST → bound statement.  The compiler checks every name it can
 * against the catalog and the family/transform/metric tables, expands search
 * spaces into concrete configurations, fills defaults, and for EXPLORE
 * builds the logical plan LOAD → SPLIT → TRANSFORM* → FIT → EVALUATE → RECORD.
 * Errors carry the byte range of the offending node.
 * Memory: cmp_stmt owns everything it points to except `src` (the AST,
 * owned by the caller and kept alive as long as the statement). */
#ifndef CMP_COMPILE_H
#define CMP_COMPILE_H

#include "../grammar/ast.h"
#include "../catalog/catalog.h"
#include "../runtime/model.h"
#include "../runtime/transform.h"
#include "../runtime/metrics.h"
#include "space.h"

#define CMP_MAX_METRICS 16   /* metrics one task may request */

typedef struct {
    rt_family family;
    int       pipe;         /* index of its preprocessing pipeline */
    rt_pval  *params;       /* one per spec of the family, params.def order */
    int       nparams;
    char     *params_json;  /* canonical: keys sorted, shortest round-trip numbers */
    char     *params_text;  /* for tables: "C=0.001, max_iter=1000" (non-default first) */
} cmp_config;

/* One parameter's domain: a finite list of values (grid-able), or a
 * continuous interval [lo, hi] that only the sampling strategies use. */
typedef struct {
    const rt_param_spec *spec;
    int        given;       /* written by the user (else: the default value) */
    int        continuous;  /* [lo, hi] */
    double     lo, hi;      /* the interval, or the range of numeric values */
    int        log;         /* modelled (and, if continuous, sampled) on log10 */
    int        integer;     /* INT interval: values rounded */
    cmp_values vals;        /* the finite values (continuous: none) */
    const ast *node;        /* the spec, for carets */
} cmp_dim;

/* One family of USING with its parameters' domains, params.def order. */
typedef struct {
    rt_family  family;
    cmp_dim   *dims;
    int        ndims;
    long long  size;        /* finite configurations, -1 when continuous */
    const ast *node;
} cmp_famspace;

enum { CMP_SEARCH_GRID, CMP_SEARCH_RANDOM, CMP_SEARCH_HALVING, CMP_SEARCH_HYPERBAND, CMP_SEARCH_BAYES,
       CMP_SEARCH_AUTO };
enum { CMP_BUDGET_NONE, CMP_BUDGET_SECONDS, CMP_BUDGET_RUNS };

typedef struct {
    int    kind;            /* CMP_SEARCH_*, never AUTO after compiling */
    int    automatic;       /* chosen by SEARCH auto (or no USING space)  */
    char  *why;             /* SEARCH auto: the reason (malloc'd)          */
    int    n;               /* random / bayes: configurations; halving:
                               starting configurations (0: every finite one) */
    double eta;             /* halving / hyperband: keep 1/eta per rung    */
    long long max_budget;   /* hyperband: most training rows per configuration
                               (0: all of a round's training rows)         */
    int    rungs;           /* halving: rungs (the last on all rows)       */
    int    nbrackets;       /* hyperband: brackets, the most rungs first;
                               bracket b starts with the configurations
                               members[bracket_start[b] .. bracket_start[b+1]) */
    int    bracket_start[17];
    int    bracket_s[16];   /* bracket b has bracket_s[b] + 1 rungs        */
    int   *members;         /* indices into configs (malloc'd)             */
    int    budget_unit;     /* CMP_BUDGET_*                                */
    double budget;          /* seconds or runs                             */
    int    nseeds;          /* configs[0..nseeds) are seeds: evaluated first
                               and fed to bayes' surrogate (warm start)    */
    int    has_seed;        /* seed = s given: sampling draws from s instead
                               of the task's seed                          */
    unsigned long long seed;
} cmp_search;

typedef struct {
    rt_tf_step step;        /* step.columns borrow from the AST / catalog strings */
    int        implicit;    /* added by the compiler, not written by the user */
    char      *text;        /* canonical text: "impute(median)" */
} cmp_transform;

/* One concrete preprocessing chain: PREPROCESS with search ranges over
 * transform parameters (pca(k IN {5, 10})) expands into several. */
typedef struct {
    cmp_transform *steps;
    int            nsteps;
    char          *text;    /* "impute(median) -> onehot -> pca(k = 5)" */
} cmp_pipeline;

#define CMP_MAX_STEPS 64    /* steps in one pipeline (preprocess.c refuses more) */

/* pl's steps as the transform chain takes them, into out (room for
 * CMP_MAX_STEPS); returns their count. */
static inline int cmp_pipeline_steps(const cmp_pipeline *pl, rt_tf_step *out)
{
    int n = pl->nsteps < CMP_MAX_STEPS ? pl->nsteps : CMP_MAX_STEPS;
    for (int k = 0; k < n; k++) out[k] = pl->steps[k].step;
    return n;
}

typedef struct {
    cat_task    task;       /* bound task (owned) */
    cat_dataset dataset;    /* its dataset (owned) */
    int         target_off, target_len;
    cmp_pipeline *pipes;    /* at least one (possibly with no steps) */
    int         npipes;
    char      **owned;      /* allocations the steps' column lists point into */
    int         nowned;
    char      **owned_names;
    cmp_config *configs;
    int         nconfigs;
    int         top;        /* 0 = all */
    int         fresh;      /* FRESH: run every configuration, reuse nothing */
    rt_metric   metric;     /* ranks the configurations */
    rt_metric   metrics[CMP_MAX_METRICS]; /* reported: the task's list, ranking one first */
    int         nmetrics;
    char       *spec_json;  /* canonical JSON of the whole request */
    char       *search;     /* "grid", "random(20)", "halving(eta = 3)", ... */
    cmp_search  strategy;
    cmp_famspace *space;    /* per USING family */
    int         nspace;
    int         finite;     /* every domain finite: grid can enumerate it */
    long long   space_size; /* finite configurations x pipelines (-1: infinite) */
    /* WITH INTENT (intent.c) */
    char       *intents_text; /* "interpretable, cost(fn = 5, fp = 1)", NULL without */
    char       *intents_json; /* [{"intent":"cost","fn":5,"fp":1}], NULL without */
    char      **notes;        /* what each intent changed, one line each */
    int         nnotes;
    int         cost;         /* rank by expected cost (RT_MET_COST) */
    double      cost_fn, cost_fp;
    int         robust_missing; /* impute ON all first in every pipeline */
    int         baseline;     /* compiled from BASELINE task (baseline.c) */
    ast        *owned_ast;    /* BASELINE: the generated statement the configs borrow from */
    /* meta-learning (suggest.c) */
    ast        *own_ast;    /* autopilot: the generated USING / clauses the
                               space borrows from (owned) */
    char       *autopilot;  /* autopilot: what it chose and why (EXPLAIN) */
    char       *warm;       /* WARM START: summary line (EXPLAIN) */
    char      **warm_notes; /* one per seed: the seed and where it came from */
    int         nwarm_notes;
} cmp_explore;

/* intent.c: applies WITH INTENT (an AST_CL_INTENT clause) to x->space and
 * x->metric(s), before the space is expanded; x->task and x->dataset bound. */
int  cmp_apply_intents(cmp_explore *x, const ast *clause, cat_db *cat, ut_err *e);
/* baseline.c: BASELINE task → the portfolio as an EXPLORE (x->baseline = 1). */
int  cmp_compile_baseline(const ast *st, cat_db *cat, cmp_explore **out, ut_err *e);

/* One suggested configuration (suggest.c).  task / dataset / metric are
 * NULL (score, distance NAN) for the default portfolio. */
typedef struct {
    rt_family family;
    char  *params_json;     /* as stored: every parameter, plus "preprocess" */
    char  *params_text;     /* the non-default parameters, "C=0.1" or "defaults" */
    char  *preprocess;      /* the pipeline it ran on ("" none) */
    char  *task, *dataset, *metric;
    double score, distance;
    int    rank_there, n_there;  /* its rank among that task's configurations */
    char  *why;
} cmp_suggestion;

/* Configurations from the runs of the nsimilar (0: all) most similar other
 * tasks of the same kind on other datasets, ordered as a greedy portfolio
 * (suggest.c), at most limit (0: all), only of the families with
 * families[f] set (NULL: all).  With nothing to learn from, the default
 * portfolio.  *note says which (malloc'd). */
int  cmp_suggest(cat_db *cat, const cat_task *t, int nsimilar, int limit, const unsigned char *families,
                 cmp_suggestion **out, int *n, char **note, ut_err *e);
void cmp_suggestions_free(cmp_suggestion *s, int n);
/* SUGGEST PREPROCESS: transforms ranked by how often the best configuration
 * of a family on one of the nsimilar most similar tasks was better with
 * them than without (same family, same task).  limit 0: all. */
int  cmp_suggest_preprocess(cat_db *cat, const cat_task *t, int nsimilar, int limit, ut_result **res,
                            char **note, ut_err *e);
/* WARM START [FROM SIMILAR n]: max(n, 5) suggestions mapped into x's
 * space become its seeds (families outside USING dropped, parameters
 * projected onto the space); bayes then starts from them alone. */
int  cmp_warm_start(cmp_explore *x, cat_db *cat, int nsimilar, ut_err *e);
/* EXPLORE task with no USING: parses a generated "EXPLORE t USING ...
 * [PREPROCESS ...] [SEARCH ...] [WARM START]" whose families and clauses
 * x uses (*out owned by x->own_ast); x->autopilot says why. */
int  cmp_autopilot(cmp_explore *x, cat_db *cat, int have_pre, int have_search, int have_warm, ast **out,
                   ut_err *e);

/* search.c: SEARCH and BUDGET clauses, and the configurations a strategy
 * starts from (grid: all; random: n samples; halving: its first rung;
 * hyperband: every bracket's first rung; bayes: the initial design). */
int  cmp_search_clause(cmp_explore *x, const ast *c, ut_err *e);
int  cmp_budget_clause(cmp_explore *x, const ast *c, ut_err *e);
int  cmp_strategy_configs(cmp_explore *x, const ast *search, ut_err *e);
/* The seed sampling strategies draw from: SEARCH ...(seed = s), else the
 * task's seed.  Fits keep the task's seed, so runs reuse across seeds. */
uint64_t cmp_search_seed(const cmp_explore *x);
/* explore.c: every finite configuration x every pipeline into x->configs. */
int  cmp_expand_grid(cmp_explore *x, ut_err *e);
/* Adds a configuration unless one with the same family, pipeline and
 * parameters exists; *index gets its position.  Takes c (freed when a
 * duplicate).  0 / -1 OOM. */
int  cmp_add_unique(cmp_explore *x, cmp_config *c, int *index);
/* Training rows of one round, estimated from the dataset and protocol
 * (the strategies size their rungs with it). */
double cmp_train_rows_estimate(const cmp_explore *x);

/* A point of the space: a family of USING, a pipeline, and one value per
 * parameter (params.def order; str borrowed from the AST / specs). */
typedef struct {
    int    fam;             /* index into x->space */
    int    pipe;
    rt_pval v[32];
} cmp_point;

/* Draws a point uniformly: a family, a pipeline, then each parameter
 * (intervals uniform, on log10 when LOG; INT rounded; finite lists by
 * index). */
void cmp_space_sample(const cmp_explore *x, ut_rng *r, cmp_point *pt);
/* The configuration of a point (canonical JSON and text filled); 0 / -1 OOM.
 * out->params is malloc'd (free with cmp_config_clear). */
int  cmp_point_config(const cmp_explore *x, const cmp_point *pt, cmp_config *out);
/* The point of configuration i (its family's index in x->space). */
void cmp_config_point(const cmp_explore *x, const cmp_config *c, cmp_point *pt);
void cmp_config_clear(cmp_config *c);
int  cmp_config_copy(const cmp_config *src, cmp_config *dst);
/* Warm start entry: puts copies of seeds[0..n) in front of x->configs and
 * sets x->strategy.nseeds; strategies evaluate them first (bayes feeds
 * them to its surrogate).  Duplicates of existing configurations move to
 * the front instead. */
int  cmp_explore_add_seeds(cmp_explore *x, const cmp_config *seeds, int n, ut_err *e);

/* CREATE DATASET options. */
typedef struct {
    int    header;          /* 1 default */
    char   delimiter;       /* ',' default */
    char **na;              /* NULL = the reader's defaults */
    int    nna;
    char  *options_json;    /* canonical, stored in the catalog */
} cmp_readopts;

/* CREATE TASK clauses, defaults filled. */
enum { CMP_PROTO_CV, CMP_PROTO_HOLDOUT, CMP_PROTO_REPEATED, CMP_PROTO_FOLDS, CMP_PROTO_TIME };
typedef struct {
    int       kind;         /* -1 = infer from the target column, else rt_kind */
    int       metrics[CMP_MAX_METRICS];  /* requested; the first ranks */
    const ast *metric_nodes[CMP_MAX_METRICS];
    int       nmetrics;     /* 0 = default for the kind */
    int       protocol;     /* CMP_PROTO_* */
    int       k;            /* CV / REPEATED / TIME: folds or splits */
    int       repeats;      /* REPEATED CV */
    double    holdout;      /* test fraction */
    const ast *column;      /* FOLDS / TIME SPLIT: the column */
    const ast *protocol_node;
    long long seed;
} cmp_taskdef;

/* SET: a known setting and its value. */
typedef struct {
    int    setting;         /* index into cmp_settings */
    double num;
    char  *text;
} cmp_set;

typedef struct {
    const char *name;
    const char *kind;       /* "int" | "bool" | "size" (bytes) */
    double      min, max;
    const char *doc;
} cmp_setting_info;
extern const cmp_setting_info cmp_settings[];
extern const int cmp_nsettings;
/* the limits (MAX_ROWS .. MAX_MEMORY) stay together: apply_set maps them to slots by offset */
enum { CMP_SET_THREADS, CMP_SET_SHARING, CMP_SET_SHOW_TIMES, CMP_SET_PROGRESS, CMP_SET_REUSE, CMP_SET_MAX_ROWS,
       CMP_SET_MAX_CONFIGS, CMP_SET_MAX_SECONDS, CMP_SET_MAX_MEMORY, CMP_SET_CACHE_BUDGET };
/* A size: plain bytes (a whole number) or a number with B, KB, MB, GB, TB
 * (powers of 1024; KiB.. accepted too), e.g. '512MB'; the error is located
 * at v.  Result in *out. */
int cmp_size(const ast *v, const char *setting, long long *out, ut_err *e);

typedef struct {
    ast_kind kind;          /* the statement's kind (EXPLAIN unwrapped) */
    int      explain;       /* 1: EXPLAIN, 2: EXPLAIN ANALYZE */
    const ast *src;         /* the statement node (for error offsets)   */
    cmp_explore *explore;   /* AST_EXPLORE only */
    cmp_readopts readopts;  /* AST_CREATE_DATASET */
    cmp_taskdef  taskdef;   /* AST_CREATE_TASK */
    cmp_set      set;       /* AST_SET */
    int          limit;     /* AST_SUGGEST: LIMIT (0: the default) */
} cmp_stmt;

int  cmp_compile_explore(const ast *st, cat_db *cat, cmp_explore **out, ut_err *e);
/* TRAIN config AS name ON task: one configuration (model_stmt.c); NULL
 * *out for TRAIN BEST, which binds when it runs. */
int  cmp_compile_train(const ast *st, cat_db *cat, cmp_explore **out, ut_err *e);
/* PREPROCESS items (a TRANSFORM list, may be NULL) → x->pipes, with the
 * implicit steps; x->task and x->dataset must be bound. */
int  cmp_compile_preprocess(cmp_explore *x, const ast *items, cat_db *cat, ut_err *e);
void cmp_pipes_free(cmp_explore *x);
/* A configuration as the catalog stores it: model parameters plus its
 * pipeline, {"C":1,...,"preprocess":"impute(median) -> onehot"} (malloc'd). */
char *cmp_config_json(const cmp_explore *x, int i);
void cmp_explore_free(cmp_explore *x);
/* Looks a task up; unknown → MLG_NAME error at `name` with a suggestion. */
int  cmp_lookup_task(cat_db *cat, const ast *name, cat_task *t, ut_err *e);

/* Compiles one parsed statement.  Names are looked up in cat. */
int  cmp_compile(const ast *root, cat_db *cat, cmp_stmt **out, ut_err *e);
void cmp_stmt_free(cmp_stmt *s);   /* NULL-safe */

/* Helpers shared with the executors: the value of a literal node as a
 * number / text, with a caret error when it has the wrong type. */
int cmp_number(const ast *v, double *out, ut_err *e);
int cmp_int(const ast *v, long long lo, long long hi, long long *out, ut_err *e);
const char *cmp_word(const ast *v);     /* IDENT or STRING text, else NULL */
/* "unknown WHAT 'name'; did you mean 'x'?" at the name node (MLG_NAME). */
int cmp_unknown(ut_err *e, const ast *at, const char *what, const char *const *names, int n);

#endif
