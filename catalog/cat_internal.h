/* cat_internal.h — private to the catalog .c files: the handle, the write guard, and
 * small SQLite helpers.  Nothing outside catalog/ includes this (it pulls in
 * sqlite3.h, which only the catalog may see). */
#ifndef CAT_INTERNAL_H
#define CAT_INTERNAL_H

#include <sqlite3.h>

#include "../include/mileage.h"
#include "catalog.h"

struct cat_db {
    sqlite3 *h;
    char *path;        /* as given to cat_open; owned, used in messages */
    int readonly;      /* the file could only be opened for reading */
};

/* ---- fault injection (faultvfs.c, tests only) ----
 * The VFS name cat_open must use: NULL normally; "mlg_fault" when
 * MLG_TEST_CATALOG_FAULT asks for a simulated full disk ("full:BYTES") or
 * read-only file ("readonly"); "" with e filled for a malformed value. */
const char *cat_fault_vfs(ut_err *e);

/* Timestamp expression used by every table default and update: ISO-8601 UTC
 * with milliseconds, so text order is time order. */
#define CAT_NOW "strftime('%Y-%m-%dT%H:%M:%fZ','now')"

/* Metrics for which a smaller score is better (SHOW EXPERIMENTS' best).
 * One list, in SQL form, so listing.c and README agree. */
#define CAT_LOWER_IS_BETTER "'rmse','mae','mse','logloss','cost'"

/* ---- errors ---- */
/* Formats "<what>: <sqlite message>" with the given code; returns -1.
 * A full disk, a read-only file and an I/O error get words of their own
 * (code MLG_CATALOG): "<what>: cannot write the catalog: the disk is full". */
int cat_sqlerr(cat_db *db, ut_err *e, int code, const char *what);

/* ---- statements ---- */
/* Prepares sql (NUL-terminated); on failure fills e and returns -1. */
int cat_prepare(cat_db *db, const char *sql, sqlite3_stmt **st, ut_err *e);
/* Runs SQL without results (one or more statements). */
int cat_exec(cat_db *db, const char *sql, ut_err *e);
/* Binds a C string, or NULL when s is NULL. */
int cat_bind_text(sqlite3_stmt *st, int i, const char *s);
/* Binds a double, or NULL when v is NaN/inf (SQLite has no NaN). */
int cat_bind_real(sqlite3_stmt *st, int i, double v);
/* malloc'd copy of a text column, NULL for SQL NULL.  *oom set on failure. */
char *cat_col_text(sqlite3_stmt *st, int i, int *oom);
/* Steps a prepared statement to the end, copying every row into a fresh
 * ut_result with SQLite's column names and per-cell types.  Finalizes
 * nothing: the caller owns st.  *out is owned by the caller. */
int cat_collect(cat_db *db, sqlite3_stmt *st, ut_result **out, ut_err *e);
/* The same, refusing (MLG_DENIED) more than max_rows rows or a result
 * above max_memory bytes (cells counted at 16 bytes plus their text); 0 =
 * no limit. */
int cat_collect_limited(cat_db *db, sqlite3_stmt *st, long long max_rows, long long max_memory,
                        ut_result **out, ut_err *e);

/* ---- write guard ----
 * Every cat_* write is all-or-nothing.  cat_w_begin opens a SAVEPOINT (and,
 * when no transaction is open, first a BEGIN IMMEDIATE so the write lock is
 * taken up front and the busy timeout applies instead of a snapshot error).
 * cat_w_end(ok=1) releases/commits; cat_w_end(ok=0) rolls back to the state
 * before cat_w_begin.  The guard lives on the caller's stack. */
typedef struct { int owned; int open; } cat_w;
/* The refusal of a write to a catalog opened read-only; returns -1. */
int cat_readonly_err(cat_db *db, ut_err *e);
int cat_w_begin(cat_db *db, cat_w *w, ut_err *e);
/* Returns rc unchanged when rc != 0 (after rolling back); when rc == 0 and
 * the commit fails, rolls back and returns -1 with e filled. */
int cat_w_end(cat_db *db, cat_w *w, int rc, ut_err *e);

/* ---- schema (schema.c) ---- */
/* Brings the schema from version `from` up to CAT_SCHEMA_VERSION.  Runs
 * inside the caller's transaction. */
int cat_migrate(cat_db *db, int from, ut_err *e);

/* ---- lookups shared by several files ---- */
/* The statement of cat_reusable_runs (reuse.c), for cat_lookup_plan. */
extern const char cat_reusable_sql[];
/* Id of a dataset/task by name (case-insensitive): 1 found, 0 not, -1 err. */
int cat_dataset_id(cat_db *db, const char *name, long long *id, ut_err *e);
int cat_task_id(cat_db *db, const char *name, long long *id, ut_err *e);
/* "[1,2,3]" of cfg[0..n): the JSON array the lookups pass to json_each
 * (history.c); the caller frees it.  NULL when out of memory (e filled). */
char *cat_ids_json(const long long *cfg, int n, ut_err *e);

#endif
