/* exec.h — statement executors.  They run a compiled statement (and, for
 * EXPLORE, its physical plan) against the catalog and produce a result
 * table and/or a one-line message.  The context is owned by the API layer
 * (one per mlg_db); executors only borrow it.
 * Memory: *out results and *msg strings are owned by the caller. */
#ifndef RT_EXEC_H
#define RT_EXEC_H

#include <signal.h>
#include "../compiler/compile.h"
#include "../optimizer/plan.h"
#include "table.h"

typedef void (*rt_progress_fn)(void *arg, int done, int planned, double best, double elapsed);

typedef struct {
    cat_db *cat;
    volatile sig_atomic_t *interrupted;  /* set asynchronously by mlg_interrupt */
    rt_progress_fn progress;
    void *progress_arg;
    int threads, sharing, show_times;
    int reuse;        /* EXPLORE takes runs the repository already has (SET reuse) */
    /* limits for untrusted text (0 = none); see mlg_limit */
    long long max_rows, max_configs, max_seconds, max_memory;
    char *data_dir;   /* when set: data files only below this (realpath) directory */
    /* one loaded dataset kept between statements: the next EXPLORE on the
     * same data does not read the file again */
    rt_table *cached;
    char     *cached_path;
    /* the intermediate cache (cache.h): SET cache_budget in bytes (0 =
     * off), the measured read / write bandwidth (0 = not yet read from the
     * catalog), warnings for the statement's message */
    long long cache_budget;
    double    cache_read_bps, cache_write_bps;
    ut_buf    cache_notes;
    /* the table `cached` was parsed in cache_pending_s seconds and may be
     * stored under lineage cache_pending ("" = nothing pending) once the
     * statement is done (rt_cache_offer_pending) */
    char      cache_pending[33];
    double    cache_pending_s;
    int       load_way;   /* how rt_load_dataset last brought a table (optimes.h RT_LOAD_*) */
} rt_ctx;

void rt_ctx_clear_cache(rt_ctx *c);

/* The file a query names, confined to c->data_dir when that is set:
 * relative paths only, no "..", and the resolved file (symlinks followed)
 * must lie inside the directory.  *out is malloc'd. */
int rt_resolve_data_path(const rt_ctx *c, const char *path, char **out, ut_err *e);

/* Data definition and listings. */
int rt_exec_create_dataset(rt_ctx *c, const cmp_stmt *s, char **msg, ut_err *e);
int rt_exec_create_task(rt_ctx *c, const cmp_stmt *s, char **msg, ut_err *e);
int rt_exec_drop(rt_ctx *c, const cmp_stmt *s, char **msg, ut_err *e);
int rt_exec_show(rt_ctx *c, const cmp_stmt *s, ut_result **out, ut_err *e);
int rt_exec_describe(rt_ctx *c, const cmp_stmt *s, ut_result **out, ut_err *e);
int rt_exec_select(rt_ctx *c, const cmp_stmt *s, ut_result **out, ut_err *e);
/* SUGGEST CONFIGS | PREPROCESS FOR task [LIMIT n] (exec_suggest.c). */
int rt_exec_suggest(rt_ctx *c, const cmp_stmt *s, ut_result **out, char **msg, ut_err *e);

/* 1 when the context still holds dataset d's table (same file, same
 * content hash): rt_load_dataset hands it out without reading anything. */
int rt_table_in_memory(const rt_ctx *c, const cat_dataset *d);

/* Loads the dataset of a catalog row (from the cache when unchanged) and
 * checks the file still has the stored content hash.  The table stays owned
 * by the context. */
int rt_load_dataset(rt_ctx *c, const cat_dataset *d, const rt_table **out, ut_err *e);

/* Statistics for the cost model; *hist (malloc'd, caller frees) holds the
 * measured history st->hist and st->ops point to. */
int rt_plan_stats(rt_ctx *c, const cmp_explore *x, opt_stats *st, double **hist, ut_err *e);

/* EXPLORE: runs the plan, records every run, returns the ranked table. */
/* actual (may be NULL): p->n measured seconds per plan node, for EXPLAIN
 * ANALYZE. */
int rt_exec_explore(rt_ctx *c, const cmp_stmt *s, const opt_plan *p, const char *statement,
                    ut_result **out, char **msg, double *actual, ut_err *e);
/* The same for an unfinished experiment (RESUME EXPERIMENT n): only the
 * runs it does not have yet are run; the result covers all of them. */
int rt_exec_explore_resume(rt_ctx *c, const cmp_stmt *s, const opt_plan *p, const char *statement,
                           long long resume_id, ut_result **out, char **msg, double *actual, ut_err *e);

#endif
