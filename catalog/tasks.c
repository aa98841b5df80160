/* tasks.c — tasks (dataset + target + metric + protocol) and their stored
 * folds: the fold of every row is fixed when the task is created so every
 * later run of the task is evaluated on the same splits. */
#include <stdlib.h>
#include <string.h>

#include "cat_internal.h"

int cat_task_id(cat_db *db, const char *name, long long *id, ut_err *e)
{
    sqlite3_stmt *st;
    if (cat_prepare(db, "SELECT id FROM mlg_tasks WHERE name = ?1", &st, e)) return -1;
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

static int dataset_exists(cat_db *db, long long id, ut_err *e)
{
    sqlite3_stmt *st;
    if (cat_prepare(db, "SELECT 1 FROM mlg_datasets WHERE id = ?1", &st, e)) return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW) found = 1;
    else if (rc != SQLITE_DONE) found = cat_sqlerr(db, e, MLG_CATALOG, "catalog");
    sqlite3_finalize(st);
    return found;
}

/* One prepared INSERT reused for every row: inside the surrounding
 * transaction this stores 200 000 folds in well under a second. */
static int insert_folds(cat_db *db, long long task, const int *fold, int n, int nreps, ut_err *e)
{
    sqlite3_stmt *st;
    if (nreps < 1) nreps = 1;
    int rows = n / nreps;
    if (cat_prepare(db, "INSERT INTO mlg_folds(task_id, rep, row, fold) VALUES (?1, ?2, ?3, ?4)", &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, task);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        sqlite3_bind_int(st, 2, i / rows);
        sqlite3_bind_int(st, 3, i % rows);
        sqlite3_bind_int(st, 4, fold[i]);
        if (sqlite3_step(st) != SQLITE_DONE) {
            rc = cat_sqlerr(db, e, MLG_CATALOG, "cannot store folds");
            break;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

static int insert_task(cat_db *db, const cat_task *t, const int *fold, int nrows,
                       long long *id, ut_err *e)
{
    long long ds = t->dataset_id, old;
    int found;
    if (ds > 0) {
        found = dataset_exists(db, ds, e);
        if (found == 0) return ut_errf(e, MLG_NAME, "no dataset with id %lld", ds);
    } else {
        if (!t->dataset) return ut_errf(e, MLG_MISUSE, "task has no dataset");
        found = cat_dataset_id(db, t->dataset, &ds, e);
        if (found == 0) return ut_errf(e, MLG_NAME, "no dataset named '%s'", t->dataset);
    }
    if (found < 0) return -1;

    found = cat_task_id(db, t->name, &old, e);
    if (found < 0) return -1;
    if (found) return ut_errf(e, MLG_NAME, "task '%s' already exists", t->name);

    sqlite3_stmt *st;
    if (cat_prepare(db,
                    "INSERT INTO mlg_tasks(name, dataset_id, target, kind, metric, protocol_json,"
                    " seed, nrounds, folds_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    &st, e))
        return -1;
    cat_bind_text(st, 1, t->name);
    sqlite3_bind_int64(st, 2, ds);
    cat_bind_text(st, 3, t->target);
    cat_bind_text(st, 4, t->kind);
    cat_bind_text(st, 5, t->metric);
    cat_bind_text(st, 6, t->protocol_json);
    sqlite3_bind_int64(st, 7, t->seed);
    sqlite3_bind_int(st, 8, t->nrounds);
    cat_bind_text(st, 9, t->folds_hash);
    int rc = 0;
    if (sqlite3_step(st) != SQLITE_DONE) rc = cat_sqlerr(db, e, MLG_CATALOG, "cannot store task");
    sqlite3_finalize(st);
    if (rc) return -1;
    long long newid = sqlite3_last_insert_rowid(db->h);
    if (insert_folds(db, newid, fold, nrows, t->nreps, e)) return -1;
    if (id) *id = newid;
    return 0;
}

int cat_task_create(cat_db *db, const cat_task *t, const int *fold, int nrows,
                    long long *id, ut_err *e)
{
    if (!t || !t->name || !*t->name) return ut_errf(e, MLG_MISUSE, "task has no name");
    if (nrows < 0 || (nrows > 0 && !fold)) return ut_errf(e, MLG_MISUSE, "task folds missing");
    if (t->nreps > 1 && nrows % t->nreps) return ut_errf(e, MLG_MISUSE, "task folds: %d entries for %d repetitions", nrows, t->nreps);
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    return cat_w_end(db, &w, insert_task(db, t, fold, nrows, id, e), e);
}

int cat_task_get(cat_db *db, const char *name, cat_task *out, ut_err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    if (cat_prepare(db,
                    "SELECT t.id, t.dataset_id, t.name, d.name, t.target, t.kind, t.metric,"
                    " t.protocol_json, t.seed, t.nrounds, t.folds_hash"
                    " FROM mlg_tasks t JOIN mlg_datasets d ON d.id = t.dataset_id"
                    " WHERE t.name = ?1",
                    &st, e))
        return -1;
    cat_bind_text(st, 1, name);
    int rc = sqlite3_step(st), ret;
    if (rc == SQLITE_ROW) {
        int oom = 0;
        out->id = sqlite3_column_int64(st, 0);
        out->dataset_id = sqlite3_column_int64(st, 1);
        out->name = cat_col_text(st, 2, &oom);
        out->dataset = cat_col_text(st, 3, &oom);
        out->target = cat_col_text(st, 4, &oom);
        out->kind = cat_col_text(st, 5, &oom);
        out->metric = cat_col_text(st, 6, &oom);
        out->protocol_json = cat_col_text(st, 7, &oom);
        out->seed = sqlite3_column_int64(st, 8);
        out->nrounds = sqlite3_column_int(st, 9);
        out->folds_hash = cat_col_text(st, 10, &oom);
        ret = 1;
        if (oom) {
            cat_task_clear(out);
            ret = ut_errf(e, MLG_NOMEM, "out of memory");
        }
    } else if (rc == SQLITE_DONE) {
        ut_errf(e, MLG_NAME, "no task named '%s'", name);
        ret = 0;
    } else {
        ret = cat_sqlerr(db, e, MLG_CATALOG, "catalog");
    }
    sqlite3_finalize(st);
    return ret;
}

void cat_task_clear(cat_task *t)
{
    if (!t) return;
    free(t->name);
    free(t->dataset);
    free(t->target);
    free(t->kind);
    free(t->metric);
    free(t->protocol_json);
    free(t->folds_hash);
    memset(t, 0, sizeof *t);
}

static int drop_task(cat_db *db, const char *name, ut_err *e)
{
    long long id;
    int found = cat_task_id(db, name, &id, e);
    if (found < 0) return -1;
    if (!found) return ut_errf(e, MLG_NAME, "no task named '%s'", name);
    /* Foreign keys cascade to folds, experiments and their runs. */
    sqlite3_stmt *st;
    if (cat_prepare(db, "DELETE FROM mlg_tasks WHERE id = ?1", &st, e)) return -1;
    sqlite3_bind_int64(st, 1, id);
    int rc = 0;
    if (sqlite3_step(st) != SQLITE_DONE) rc = cat_sqlerr(db, e, MLG_CATALOG, "cannot drop task");
    sqlite3_finalize(st);
    return rc;
}

int cat_task_drop(cat_db *db, const char *name, ut_err *e)
{
    if (!name) return ut_errf(e, MLG_MISUSE, "task name missing");
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    return cat_w_end(db, &w, drop_task(db, name, e), e);
}

int cat_task_folds(cat_db *db, long long task_id, int **fold, int *nrows, ut_err *e)
{
    *fold = NULL;
    *nrows = 0;
    sqlite3_stmt *st;
    /* Rows are stored 0..n-1; count first so one allocation suffices. */
    if (cat_prepare(db, "SELECT count(*), (coalesce(max(row), -1) + 1) * (coalesce(max(rep), -1) + 1) - 1,"
                    " coalesce(min(row), 0) + coalesce(min(rep), 0), coalesce(max(row), -1) + 1"
                    " FROM mlg_folds WHERE task_id = ?1",
                    &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, task_id);
    if (sqlite3_step(st) != SQLITE_ROW) {
        cat_sqlerr(db, e, MLG_CATALOG, "catalog");
        sqlite3_finalize(st);
        return -1;
    }
    long long n = sqlite3_column_int64(st, 0), maxrow = sqlite3_column_int64(st, 1);
    long long minrow = sqlite3_column_int64(st, 2), rows = sqlite3_column_int64(st, 3);
    sqlite3_finalize(st);
    /* (task_id, row) is the key, so distinct rows spanning 0..n-1 are all of them. */
    if (maxrow != n - 1 || minrow != 0)
        return ut_errf(e, MLG_CATALOG, "folds of task %lld are damaged (rows are not 0..%lld)",
                       task_id, n - 1);
    if (n == 0) return 0;
    int *f = malloc((size_t)n * sizeof *f);
    if (!f) return ut_errf(e, MLG_NOMEM, "out of memory");
    if (cat_prepare(db, "SELECT rep * ?2 + row, fold FROM mlg_folds WHERE task_id = ?1", &st, e)) {
        free(f);
        return -1;
    }
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_int64(st, 2, rows);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        long long r = sqlite3_column_int64(st, 0);
        if (r >= 0 && r < n) f[r] = sqlite3_column_int(st, 1);
    }
    if (rc != SQLITE_DONE) {
        cat_sqlerr(db, e, MLG_CATALOG, "catalog");
        sqlite3_finalize(st);
        free(f);
        return -1;
    }
    sqlite3_finalize(st);
    *fold = f;
    *nrows = (int)n;
    return 0;
}
