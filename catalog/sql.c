/* sql.c — thin helpers over the SQLite API shared by the catalog files:
 * error text, prepare/bind/column copies, result collection, write guard. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cat_internal.h"

int cat_sqlerr(cat_db *db, ut_err *e, int code, const char *what)
{
    int rc = sqlite3_errcode(db->h) & 0xff;
    if (rc == SQLITE_NOMEM) code = MLG_NOMEM;
    /* "catalog" and the path add nothing to "cannot write the catalog" */
    const char *pre = (strcmp(what, "catalog") == 0 || strcmp(what, db->path) == 0) ? "" : what;
    const char *sep = *pre ? ": " : "";
    if (rc == SQLITE_FULL)
        return ut_errf(e, MLG_CATALOG, "%s%scannot write the catalog: the disk is full", pre, sep);
    if (rc == SQLITE_READONLY)
        return ut_errf(e, MLG_CATALOG, "%s%scannot write the catalog: it is read-only", pre, sep);
    if (rc == SQLITE_IOERR)
        return ut_errf(e, MLG_CATALOG, "%s%scannot write the catalog: I/O error (%s)", pre, sep,
                       sqlite3_errmsg(db->h));
    return ut_errf(e, code, "%s: %s", what, sqlite3_errmsg(db->h));
}

int cat_prepare(cat_db *db, const char *sql, sqlite3_stmt **st, ut_err *e)
{
    *st = NULL;
    if (sqlite3_prepare_v2(db->h, sql, -1, st, NULL) != SQLITE_OK) {
        sqlite3_finalize(*st);
        *st = NULL;
        return cat_sqlerr(db, e, MLG_CATALOG, "catalog");
    }
    return 0;
}

int cat_exec(cat_db *db, const char *sql, ut_err *e)
{
    if (sqlite3_exec(db->h, sql, NULL, NULL, NULL) != SQLITE_OK)
        return cat_sqlerr(db, e, MLG_CATALOG, "catalog");
    return 0;
}

int cat_bind_text(sqlite3_stmt *st, int i, const char *s)
{
    if (!s) return sqlite3_bind_null(st, i);
    return sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

int cat_bind_real(sqlite3_stmt *st, int i, double v)
{
    if (!isfinite(v)) return sqlite3_bind_null(st, i);
    return sqlite3_bind_double(st, i, v);
}

char *cat_col_text(sqlite3_stmt *st, int i, int *oom)
{
    const unsigned char *s = sqlite3_column_text(st, i);
    if (!s) {
        if (sqlite3_column_type(st, i) != SQLITE_NULL) *oom = 1;
        return NULL;
    }
    char *c = ut_strdup((const char *)s);
    if (!c) *oom = 1;
    return c;
}

int cat_collect(cat_db *db, sqlite3_stmt *st, ut_result **out, ut_err *e)
{
    return cat_collect_limited(db, st, 0, 0, out, e);
}

int cat_collect_limited(cat_db *db, sqlite3_stmt *st, long long max_rows, long long max_memory,
                        ut_result **out, ut_err *e)
{
    *out = NULL;
    int n = sqlite3_column_count(st);
    const char **names = calloc((size_t)(n ? n : 1), sizeof *names);
    if (!names) return ut_errf(e, MLG_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        names[i] = sqlite3_column_name(st, i);
        if (!names[i]) {
            free(names);
            return ut_errf(e, MLG_NOMEM, "out of memory");
        }
    }
    ut_result *r = ut_result_new(n, names);
    free(names);
    if (!r) return ut_errf(e, MLG_NOMEM, "out of memory");

    int rc;
    long long rows = 0, bytes = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (max_rows > 0 && ++rows > max_rows) {
            ut_result_free(r);
            return ut_errf(e, MLG_DENIED, "SELECT returns more than max_rows = %lld rows (add a LIMIT)",
                           max_rows);
        }
        if (max_memory > 0) {
            for (int i = 0; i < n; i++)
                bytes += 16 + (sqlite3_column_type(st, i) == SQLITE_TEXT || sqlite3_column_type(st, i) == SQLITE_BLOB
                                   ? sqlite3_column_bytes(st, i) : 0);
            if (bytes > max_memory) {
                ut_result_free(r);
                return ut_errf(e, MLG_DENIED, "SELECT result is larger than max_memory = %lld bytes", max_memory);
            }
        }
        int row = ut_result_add_row(r);
        if (row < 0) goto oom;
        for (int i = 0; i < n; i++) {
            switch (sqlite3_column_type(st, i)) {
            case SQLITE_INTEGER:
                ut_result_set_int(r, row, i, sqlite3_column_int64(st, i));
                break;
            case SQLITE_FLOAT:
                ut_result_set_float(r, row, i, sqlite3_column_double(st, i));
                break;
            case SQLITE_NULL:
                break;
            default: {          /* TEXT, and BLOBs shown as their bytes */
                const unsigned char *s = sqlite3_column_text(st, i);
                if (!s) goto oom;
                ut_result_set_text(r, row, i, (const char *)s);
                if (r->cells[(size_t)row * (size_t)n + (size_t)i].type != UT_TEXT) goto oom;
            }
            }
        }
    }
    if (rc != SQLITE_DONE) {
        ut_result_free(r);
        return cat_sqlerr(db, e, MLG_ERROR, "SELECT");
    }
    *out = r;
    return 0;
oom:
    ut_result_free(r);
    return ut_errf(e, MLG_NOMEM, "out of memory");
}

/* ---- write guard ---- */

int cat_readonly_err(cat_db *db, ut_err *e)
{
    (void)db;
    return ut_errf(e, MLG_CATALOG,
                   "the catalog is read-only: this statement needs to write to it "
                   "(SELECT, SHOW, DESCRIBE and EXPLAIN still work)");
}

int cat_w_begin(cat_db *db, cat_w *w, ut_err *e)
{
    w->owned = w->open = 0;
    if (db->readonly) return cat_readonly_err(db, e);
    if (sqlite3_get_autocommit(db->h)) {
        if (cat_exec(db, "BEGIN IMMEDIATE", e)) return -1;
        w->owned = 1;
    }
    if (cat_exec(db, "SAVEPOINT cat_write", e)) {
        if (w->owned) sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
        w->owned = 0;
        return -1;
    }
    w->open = 1;
    return 0;
}

int cat_w_end(cat_db *db, cat_w *w, int rc, ut_err *e)
{
    if (!w->open) return rc;
    w->open = 0;
    if (rc == 0) {
        if (cat_exec(db, "RELEASE cat_write", e)) rc = -1;
        else if (w->owned && cat_exec(db, "COMMIT", e)) rc = -1;
        if (rc == 0) return 0;
        /* A failed RELEASE/COMMIT leaves the savepoint or transaction open. */
    }
    /* Undo this write only: the savepoint may already be gone when SQLite
     * rolled the whole transaction back itself (e.g. SQLITE_FULL). */
    if (!sqlite3_get_autocommit(db->h)) {
        sqlite3_exec(db->h, "ROLLBACK TO cat_write", NULL, NULL, NULL);
        sqlite3_exec(db->h, "RELEASE cat_write", NULL, NULL, NULL);
    }
    if (w->owned && !sqlite3_get_autocommit(db->h))
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}
