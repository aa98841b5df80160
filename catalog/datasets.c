/* datasets.c — datasets and their column profiles: create, look up, drop
 * (with or without the tasks, experiments and runs built on them). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cat_internal.h"

int cat_dataset_id(cat_db *db, const char *name, long long *id, ut_err *e)
{
    sqlite3_stmt *st;
    if (cat_prepare(db, "SELECT id FROM mlg_datasets WHERE name = ?1", &st, e)) return -1;
    cat_bind_text(st, 1, name);
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        found = 1;
    } else if (rc != SQLITE_DONE) {
        found = cat_sqlerr(db, e, MLG_CATALOG, "catalog");
    }
    sqlite3_finalize(st);
    return found;
}

static int insert_columns(cat_db *db, long long id, const cat_column *cols, int n, ut_err *e)
{
    sqlite3_stmt *st;
    if (cat_prepare(db,
                    "INSERT INTO mlg_columns(dataset_id, position, name, type, missing,"
                    " n_distinct, min, max, mean, std, nlevels)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    &st, e))
        return -1;
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        const cat_column *c = &cols[i];
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, i);
        cat_bind_text(st, 3, c->name);
        cat_bind_text(st, 4, c->type);
        sqlite3_bind_int64(st, 5, c->missing);
        sqlite3_bind_int64(st, 6, c->distinct);
        cat_bind_real(st, 7, c->min);
        cat_bind_real(st, 8, c->max);
        cat_bind_real(st, 9, c->mean);
        cat_bind_real(st, 10, c->std);
        sqlite3_bind_int(st, 11, c->nlevels);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = cat_sqlerr(db, e, MLG_CATALOG, "cannot store column profile");
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

static int insert_dataset(cat_db *db, const cat_dataset *d, const cat_column *cols,
                          int ncols, long long *id, ut_err *e)
{
    long long old;
    int found = cat_dataset_id(db, d->name, &old, e);
    if (found < 0) return -1;
    if (found) return ut_errf(e, MLG_NAME, "dataset '%s' already exists", d->name);

    sqlite3_stmt *st;
    if (cat_prepare(db,
                    "INSERT INTO mlg_datasets(name, path, format, hash, options_json, nrows, ncols)"
                    " VALUES (?1, ?2, ?3, ?4, coalesce(?5, '{}'), ?6, ?7)",
                    &st, e))
        return -1;
    cat_bind_text(st, 1, d->name);
    cat_bind_text(st, 2, d->path);
    cat_bind_text(st, 3, d->format);
    cat_bind_text(st, 4, d->hash);
    cat_bind_text(st, 5, d->options_json);
    sqlite3_bind_int(st, 6, d->nrows);
    sqlite3_bind_int(st, 7, d->ncols);
    int rc = 0;
    if (sqlite3_step(st) != SQLITE_DONE) rc = cat_sqlerr(db, e, MLG_CATALOG, "cannot store dataset");
    sqlite3_finalize(st);
    if (rc) return -1;
    long long newid = sqlite3_last_insert_rowid(db->h);
    if (insert_columns(db, newid, cols, ncols, e)) return -1;
    if (id) *id = newid;
    return 0;
}

int cat_dataset_create(cat_db *db, const cat_dataset *d, const cat_column *cols, int ncols,
                       long long *id, ut_err *e)
{
    if (!d || !d->name || !*d->name) return ut_errf(e, MLG_MISUSE, "dataset has no name");
    if (ncols > 0 && !cols) return ut_errf(e, MLG_MISUSE, "dataset columns missing");
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    return cat_w_end(db, &w, insert_dataset(db, d, cols, ncols, id, e), e);
}

int cat_dataset_get(cat_db *db, const char *name, cat_dataset *out, ut_err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    if (cat_prepare(db,
                    "SELECT id, name, path, format, hash, options_json, nrows, ncols"
                    " FROM mlg_datasets WHERE name = ?1",
                    &st, e))
        return -1;
    cat_bind_text(st, 1, name);
    int rc = sqlite3_step(st), ret;
    if (rc == SQLITE_ROW) {
        int oom = 0;
        out->id = sqlite3_column_int64(st, 0);
        out->name = cat_col_text(st, 1, &oom);
        out->path = cat_col_text(st, 2, &oom);
        out->format = cat_col_text(st, 3, &oom);
        out->hash = cat_col_text(st, 4, &oom);
        out->options_json = cat_col_text(st, 5, &oom);
        out->nrows = sqlite3_column_int(st, 6);
        out->ncols = sqlite3_column_int(st, 7);
        ret = 1;
        if (oom) {
            cat_dataset_clear(out);
            ret = ut_errf(e, MLG_NOMEM, "out of memory");
        }
    } else if (rc == SQLITE_DONE) {
        /* Not an error for the caller, but the message is ready if it is. */
        ut_errf(e, MLG_NAME, "no dataset named '%s'", name);
        ret = 0;
    } else {
        ret = cat_sqlerr(db, e, MLG_CATALOG, "catalog");
    }
    sqlite3_finalize(st);
    return ret;
}

void cat_dataset_clear(cat_dataset *d)
{
    if (!d) return;
    free(d->name);
    free(d->path);
    free(d->format);
    free(d->hash);
    free(d->options_json);
    memset(d, 0, sizeof *d);
}

/* Name of one task using the dataset (for the refusal message): 1/0/-1. */
static int first_task(cat_db *db, long long id, char **task, ut_err *e)
{
    sqlite3_stmt *st;
    if (cat_prepare(db, "SELECT name FROM mlg_tasks WHERE dataset_id = ?1 ORDER BY name LIMIT 1",
                    &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st), ret = 0;
    if (rc == SQLITE_ROW) {
        int oom = 0;
        *task = cat_col_text(st, 0, &oom);
        ret = oom ? ut_errf(e, MLG_NOMEM, "out of memory") : 1;
    } else if (rc != SQLITE_DONE) {
        ret = cat_sqlerr(db, e, MLG_CATALOG, "catalog");
    }
    sqlite3_finalize(st);
    return ret;
}

static int drop_dataset(cat_db *db, const char *name, int cascade, ut_err *e)
{
    long long id;
    int found = cat_dataset_id(db, name, &id, e);
    if (found < 0) return -1;
    if (!found) return ut_errf(e, MLG_NAME, "no dataset named '%s'", name);
    if (!cascade) {
        char *task = NULL;
        int used = first_task(db, id, &task, e);
        if (used < 0) return -1;
        if (used) {
            ut_errf(e, MLG_NAME,
                    "dataset '%s' is used by task '%s'; drop the task first or use "
                    "DROP DATASET %s CASCADE",
                    name, task, name);
            free(task);
            return -1;
        }
    }
    /* Foreign keys cascade: tasks -> folds, experiments -> runs; columns. */
    sqlite3_stmt *st;
    if (cat_prepare(db, "DELETE FROM mlg_datasets WHERE id = ?1", &st, e)) return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = 0;
    if (sqlite3_step(st) != SQLITE_DONE) rc = cat_sqlerr(db, e, MLG_CATALOG, "cannot drop dataset");
    sqlite3_finalize(st);
    return rc;
}

int cat_dataset_drop(cat_db *db, const char *name, int cascade, ut_err *e)
{
    if (!name) return ut_errf(e, MLG_MISUSE, "dataset name missing");
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    return cat_w_end(db, &w, drop_dataset(db, name, cascade, e), e);
}
