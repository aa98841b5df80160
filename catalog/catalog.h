/* catalog.h — the experiment repository (SQLite).  Only the catalog .c files include
 * sqlite3.h.  Every write function runs inside the caller's transaction
 * (cat_begin/cat_commit) or, when none is open, its own; a failed write
 * leaves nothing behind.  Strings in the cat_* structs filled by getters are
 * malloc'd and owned by the caller (free with the matching *_clear). */
#ifndef CAT_CATALOG_H
#define CAT_CATALOG_H

#include "../util/util.h"

#define CAT_SCHEMA_VERSION 12

typedef struct cat_db cat_db;

/* Opens/creates the catalog, enables WAL + busy timeout, creates or
 * migrates the schema (refuses a newer schema version or a foreign file). */
int  cat_open(const char *path, cat_db **out, ut_err *e);
void cat_close(cat_db *db);                 /* NULL-safe */

int  cat_begin(cat_db *db, ut_err *e);      /* BEGIN IMMEDIATE */
int  cat_commit(cat_db *db, ut_err *e);
void cat_rollback(cat_db *db);              /* no-op when no transaction */

/* ---- datasets ---- */
typedef struct {
    long long id;
    char *name, *path, *format, *hash, *options_json;
    int nrows, ncols;
} cat_dataset;
typedef struct {
    char *name, *type;                      /* "numeric" | "categorical" */
    long missing, distinct;
    double min, max, mean, std;             /* NAN stored as NULL */
    int nlevels;
} cat_column;

int  cat_dataset_create(cat_db *db, const cat_dataset *d, const cat_column *cols,
                        int ncols, long long *id, ut_err *e);   /* name must be new */
/* 1 found, 0 not found, -1 error. */
int  cat_dataset_get(cat_db *db, const char *name, cat_dataset *out, ut_err *e);
void cat_dataset_clear(cat_dataset *d);
/* Drops a dataset; with cascade also its tasks, experiments, runs. Without
 * cascade, refuses (MLG_NAME-style error naming a task) when tasks use it. */
int  cat_dataset_drop(cat_db *db, const char *name, int cascade, ut_err *e);

/* ---- tasks ---- */
typedef struct {
    long long id, dataset_id;
    char *name, *dataset, *target, *kind;   /* kind: classification|regression */
    char *metric, *protocol_json;            /* {"type":"cv","k":5} | {"type":"holdout","test":0.25} */
    long long seed;
    int nrounds;                             /* CV: k; holdout: 1; repeated: k*r */
    int nreps;                               /* create only: repetitions of the fold
                                                array (REPEATED CV), 0/1 = one */
    char *folds_hash;
} cat_task;
/* fold holds n entries: t->nreps repetitions of one fold per data row,
 * repetition-major (entry i: rep i / rows, row i % rows). */
int  cat_task_create(cat_db *db, const cat_task *t, const int *fold, int n,
                     long long *id, ut_err *e);
int  cat_task_get(cat_db *db, const char *name, cat_task *out, ut_err *e);  /* 1/0/-1 */
void cat_task_clear(cat_task *t);
int  cat_task_drop(cat_db *db, const char *name, ut_err *e);
/* Fold of every row (malloc'd), repetition-major as stored: *n entries
 * = repetitions x data rows. */
int  cat_task_folds(cat_db *db, long long task_id, int **fold, int *nrows, ut_err *e);

/* ---- experiments, configs, runs ---- */
int  cat_experiment_begin(cat_db *db, long long task_id, const char *statement,
                          const char *spec_json, const char *logical_plan,
                          const char *physical_plan, int planned_runs,
                          long long *id, ut_err *e);
/* status: "finished" | "failed" | "interrupted"; error may be NULL. */
int  cat_experiment_finish(cat_db *db, long long id, const char *status,
                           const char *error, ut_err *e);
/* The strategy of an experiment, its budget (unit "seconds" | "runs", or
 * NULL for none: limit and used are then stored as NULL) and how much of
 * the budget it used. */
int  cat_experiment_search(cat_db *db, long long id, const char *search, const char *budget_unit,
                           double budget_limit, double budget_used, ut_err *e);
/* What an experiment is (baseline = 1: made by BASELINE), its intents
 * (JSON, may be NULL) and its ranking metric when it is not the task's
 * (NULL: the task's). */
int  cat_experiment_intents(cat_db *db, long long id, int baseline, const char *intents_json, const char *metric,
                            ut_err *e);
/* The latest finished BASELINE experiment of the task with exactly this
 * spec (same portfolio, pipelines, metric) on data with this content hash;
 * *id = 0 when none. */
int  cat_baseline_current(cat_db *db, long long task_id, const char *spec_json, const char *dataset_hash,
                          long long *id, ut_err *e);
/* Sets an unfinished experiment running again (by this process). */
int  cat_experiment_resume(cat_db *db, long long id, ut_err *e);
/* Marks 'running' experiments whose process is gone as interrupted
 * (called on open). */
int  cat_mark_orphans(cat_db *db, ut_err *e);
/* Interns (family, canonical params JSON); hash = SHA-256 of both. */
int  cat_config_intern(cat_db *db, const char *family, const char *params_json,
                       long long *id, ut_err *e);
/* The id of an interned configuration without interning it (read-only
 * catalogs, EXPLAIN): 1 found, 0 not known, -1 error. */
int  cat_config_find(cat_db *db, const char *family, const char *params_json,
                     long long *id, ut_err *e);
/* Reuse across queries (reuse.c): the finished runs ("ok") of configs
 * cfg[0..n) recorded by experiments other than exclude_exp on a task with
 * the same lineage as task_id — the same dataset version (row and content
 * hash), target, kind, metrics, protocol, seed, number of rounds and fold
 * assignment.  One row per (config, fold, train_rows) — the earliest
 * origin — with the columns config_id, fold, train_rows (NULL: every
 * training row), origin (run id), score, fit_seconds, predict_seconds,
 * scores (JSON), mileage_version of the origin's experiment. */
int  cat_reusable_runs(cat_db *db, long long task_id, long long exclude_exp, const long long *cfg, int n,
                       ut_result **out, ut_err *e);
/* Measured fit seconds (history.c): secs[i] = the mean fit seconds of
 * config cfg[i]'s ok runs in the latest experiment that ran it ok with the
 * sharing setting `sharing` (1 on, 0 off, -1 either), when
 * that experiment's dataset is named `dataset`; NAN otherwise.  secs has
 * n slots (the caller's). */
/* The latest measured seconds of a plan operator other than FIT on the
 * dataset with content hash dataset_hash (op "load", "split", "transform",
 * "evaluate"; detail: how, or which pipeline / family; rows: what it was
 * measured on).  put: a non-finite or negative time is not stored.  get:
 * 1 found, 0 none (*seconds NAN), -1 error. */
int  cat_op_time_put(cat_db *db, const char *dataset_hash, const char *op, const char *detail, long long rows,
                     double seconds, ut_err *e);
int  cat_op_time_get(cat_db *db, const char *dataset_hash, const char *op, const char *detail, long long *rows,
                     double *seconds, ut_err *e);
int  cat_fit_history(cat_db *db, const char *dataset, int sharing, const long long *cfg, int n, double *secs,
                     ut_err *e);
/* Tests: EXPLAIN QUERY PLAN of a per-EXPLORE lookup (parameters unbound;
 * RESULTS_OF: the results view of one experiment, as EXPLORE's summary reads it),
 * one row per plan step (columns id, parent, notused, detail). */
enum { CAT_PLAN_REUSABLE = 1, CAT_PLAN_FIT_HISTORY = 2, CAT_PLAN_RESULTS_OF = 3 };
int  cat_lookup_plan(cat_db *db, int which, ut_result **out, ut_err *e);
typedef struct {
    long long experiment_id, config_id;
    int fold;
    double score;                           /* NAN when failed */
    const char *scores_json;                /* {"accuracy":0.75,...} */
    double fit_seconds, predict_seconds;
    const char *status;                     /* "ok" | "failed" */
    const char *error;                      /* NULL when ok */
    int rung;                               /* halving / hyperband rung, else 0 */
    long long train_rows;                   /* rows the model was fitted on; <= 0: NULL */
    long long reused_from;                  /* > 0: taken from the repository, this run's
                                               origin (the run that was fitted); 0: fitted */
    const char *warning;                    /* an ok run's note (did not converge), or NULL */
    int seq;                                /* position in the evaluation order (1-based); 0: NULL */
    int batch, batch_pos;                   /* search batch fitted in, position in it (1-based); 0: NULL */
    int blas_threads;                       /* BLAS threads the fit ran with; 0: NULL */
} cat_run;
int  cat_run_insert(cat_db *db, const cat_run *r, ut_err *e);

/* ---- listings for SHOW / DESCRIBE ---- */
int  cat_list_datasets(cat_db *db, ut_result **out, ut_err *e);
int  cat_list_tasks(cat_db *db, ut_result **out, ut_err *e);
int  cat_list_experiments(cat_db *db, ut_result **out, ut_err *e);
int  cat_describe_dataset(cat_db *db, const char *name, ut_result **out, ut_err *e);
/* Names for "did you mean": kind = "dataset" | "task". Caller frees each
 * string and the array. */
int  cat_names(cat_db *db, const char *kind, char ***names, int *n, ut_err *e);

/* ---- read-only SQL over the views ---- */
/* Runs one SELECT with an authorizer that refuses every write, ATTACH,
 * PRAGMA and load_extension.  On a SQL error, e->offset is the byte offset
 * into sql reported by SQLite (or -1); e->code = MLG_DENIED for refusals. */
int  cat_select(cat_db *db, const char *sql, ut_result **out, ut_err *e);

/* Bounds on a user's SELECT (0 / NULL: none).  Reaching one stops the
 * statement with MLG_DENIED (MLG_INTERRUPT for *interrupted) and a message
 * naming the limit; nothing is returned. */
typedef struct {
    long long max_rows;              /* rows of the result                       */
    long long max_seconds;           /* wall time, checked every 1000 VM steps   */
    long long max_memory;            /* bytes of the collected result (approx.)  */
    volatile const int *interrupted; /* set asynchronously to stop it            */
} cat_limits;
int  cat_select_limited(cat_db *db, const char *sql, const cat_limits *lim, ut_result **out, ut_err *e);

const char *cat_sqlite_version(void);

/* ---- trained models (models.c) ---- */
typedef struct {
    long long id;
    char *name, *family, *kind, *target, *source, *task, *dataset, *dataset_hash;
    char *config_json, *mileage_version, *checksum;
    int dataset_version;                    /* 0 = unknown (imported) */
    long long experiment_id;                /* 0 = none */
    long long seed;
    int train_rows, format_version;
    char *blob;                             /* the model document (NUL added) */
    size_t bytes;                           /* its size as recorded */
    size_t blob_len;                        /* get: its size as read back */
} cat_model;
/* Inserts a model; a taken name is an MLG_NAME error. */
int  cat_model_insert(cat_db *db, const cat_model *m, ut_err *e);
/* 1 found (blob included), 0 not found, -1 error. */
int  cat_model_get(cat_db *db, const char *name, cat_model *out, ut_err *e);
void cat_model_clear(cat_model *m);
/* 1 dropped, 0 no such model, -1 error. */
int  cat_model_drop(cat_db *db, const char *name, ut_err *e);
int  cat_list_models(cat_db *db, ut_result **out, ut_err *e);
/* What reproducing the experiment's runs needs (JSON object). */
int  cat_experiment_set_repro(cat_db *db, long long id, const char *repro_json, ut_err *e);

/* ---- dataset versions ---- */
/* The current version's number (1 when never re-created). */
int  cat_dataset_version(cat_db *db, long long dataset_id, int *version, ut_err *e);
/* Keeps the current dataset `name` (its tasks, experiments and runs) as
 * NAME@vN, so that a new version can take the name; *kept gets that name
 * (malloc'd) and *next the new version's number. */
int  cat_dataset_retire(cat_db *db, const char *name, char **kept, int *next, ut_err *e);
/* Sets the version of a dataset row (after cat_dataset_create). */
int  cat_dataset_set_version(cat_db *db, long long id, int version, ut_err *e);

/* ---- the intermediate cache (cache.c; files: runtime/cache.c) ---- */
/* The catalog's file name, NULL for an in-memory catalog (no cache then). */
const char *cat_file_path(const cat_db *db);
int  cat_is_readonly(const cat_db *db);
typedef struct {
    char lineage[33];                       /* 32 hex digits */
    char *kind;                             /* "design", ... */
    char *what;                             /* readable: pipeline, round, dataset */
    char *file;                             /* name inside the cache directory */
    char *last_used;                        /* get only: ISO-8601 UTC */
    long long bytes, hits;
    double compute_seconds;                 /* measured when it was computed */
} cat_cache_entry;
void cat_cache_entry_clear(cat_cache_entry *c);
/* 1 found, 0 not, -1 error. */
int  cat_cache_get(cat_db *db, const char *lineage, cat_cache_entry *out, ut_err *e);
/* Every row, least recently used first; free with cat_cache_all_free. */
int  cat_cache_all(cat_db *db, cat_cache_entry **out, int *n, ut_err *e);
void cat_cache_all_free(cat_cache_entry *v, int n);
int  cat_cache_put(cat_db *db, const cat_cache_entry *c, ut_err *e);      /* insert or replace */
int  cat_cache_touch(cat_db *db, const char *lineage, ut_err *e);         /* one more hit, used now */
int  cat_cache_delete(cat_db *db, const char *lineage, ut_err *e);
int  cat_cache_clear(cat_db *db, ut_err *e);
/* SHOW CACHE: kind, lineage (12 hex digits), what, bytes, [compute_seconds,]
 * hits[, last_used] (times only with show_times). */
int  cat_cache_list(cat_db *db, int show_times, ut_result **out, ut_err *e);
/* A number kept in mlg_meta (e.g. the measured cache read bandwidth):
 * 1 found, 0 not. */
int  cat_meta_real(cat_db *db, const char *key, double *v);
int  cat_meta_set_real(cat_db *db, const char *key, double v, ut_err *e);
/* ---- meta-features (meta.c) ---- */
/* The vector every task is compared by: the dataset-level values first
 * (CAT_META_NDS), then the task-level ones; names as in the
 * meta_features view.  NAN = unknown (stored as NULL). */
#define CAT_META_NDS 11
#define CAT_META_NTASK 6
#define CAT_META_N (CAT_META_NDS + CAT_META_NTASK)
extern const char *const cat_meta_names[CAT_META_N];
int  cat_meta_dataset_put(cat_db *db, long long dataset_id, const double *v, ut_err *e);
int  cat_meta_task_put(cat_db *db, long long task_id, const double *v, ut_err *e);
/* Every task with its meta-features (v all NAN when it has none, has_meta
 * 0), its kind and ranking metric, and how many configurations it has
 * complete results for. */
typedef struct {
    long long task_id, dataset_id;
    char *task, *dataset, *kind, *metric;
    double v[CAT_META_N];
    int has_meta, nresults;
} cat_meta_row;
int  cat_meta_rows(cat_db *db, cat_meta_row **rows, int *n, ut_err *e);
void cat_meta_rows_free(cat_meta_row *rows, int n);   /* NULL-safe */
/* A task's configurations (family + canonical params with "preprocess"),
 * each with its best mean score over the task's experiments — only
 * results on all of a round's rows (the experiment's highest rung) with
 * every round scored — best first (higher_better chooses the direction). */
typedef struct {
    char *family, *params_json;
    double score;
} cat_scored;
int  cat_task_scores(cat_db *db, long long task_id, int higher_better, cat_scored **out, int *n, ut_err *e);
void cat_scored_free(cat_scored *s, int n);           /* NULL-safe */

#endif
