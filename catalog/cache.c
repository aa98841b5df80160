/* cache.c — the rows of the intermediate cache (mlg_cache): one per file in
 * the directory beside the catalog (runtime/cache.c owns the files).  A row
 * says what the file holds (lineage hash, kind), its size, what computing
 * it cost, how often it was used and when last; the runtime's eviction and
 * load-or-recompute decisions read these. */
#include <stdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cat_internal.h"

const char *cat_file_path(const cat_db *db)
{
    /* an in-memory catalog has no place for files beside it */
    if (!db->path || !strcmp(db->path, ":memory:") || !strncmp(db->path, "file:", 5) || !db->path[0]) return NULL;
    return db->path;
}

int cat_is_readonly(const cat_db *db) { return db->readonly; }

void cat_cache_entry_clear(cat_cache_entry *c)
{
    free(c->kind);
    free(c->what);
    free(c->file);
    free(c->last_used);
    memset(c, 0, sizeof *c);
}

static int fill(sqlite3_stmt *st, cat_cache_entry *c)
{
    int oom = 0;
    memset(c, 0, sizeof *c);
    const char *lin = (const char *)sqlite3_column_text(st, 0);
    snprintf(c->lineage, sizeof c->lineage, "%s", lin ? lin : "");
    c->kind = cat_col_text(st, 1, &oom);
    c->what = cat_col_text(st, 2, &oom);
    c->bytes = sqlite3_column_int64(st, 3);
    c->compute_seconds = sqlite3_column_double(st, 4);
    c->hits = sqlite3_column_int64(st, 5);
    c->last_used = cat_col_text(st, 6, &oom);
    c->file = cat_col_text(st, 7, &oom);
    if (oom) cat_cache_entry_clear(c);
    return oom ? -1 : 0;
}

#define COLS "lineage, kind, what, bytes, compute_seconds, hits, last_used, file"

int cat_cache_get(cat_db *db, const char *lineage, cat_cache_entry *out, ut_err *e)
{
    sqlite3_stmt *st;
    if (cat_prepare(db, "SELECT " COLS " FROM mlg_cache WHERE lineage = ?1", &st, e)) return -1;
    cat_bind_text(st, 1, lineage);
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW) {
        found = fill(st, out) ? ut_errf(e, MLG_NOMEM, "out of memory") : 1;
    } else if (rc != SQLITE_DONE) {
        found = cat_sqlerr(db, e, MLG_CATALOG, "cannot read the cache table");
    }
    sqlite3_finalize(st);
    return found;
}

int cat_cache_all(cat_db *db, cat_cache_entry **out, int *n, ut_err *e)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (cat_prepare(db, "SELECT " COLS " FROM mlg_cache ORDER BY last_used, lineage", &st, e)) return -1;
    int cap = 0, rc = 0, s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            cat_cache_entry *ne = realloc(*out, (size_t)cap * sizeof *ne);
            if (!ne) {
                rc = ut_errf(e, MLG_NOMEM, "out of memory");
                break;
            }
            *out = ne;
        }
        if (fill(st, &(*out)[*n])) {
            rc = ut_errf(e, MLG_NOMEM, "out of memory");
            break;
        }
        (*n)++;
    }
    if (!rc && s != SQLITE_DONE) rc = cat_sqlerr(db, e, MLG_CATALOG, "cannot read the cache table");
    sqlite3_finalize(st);
    if (rc) {
        for (int i = 0; i < *n; i++) cat_cache_entry_clear(&(*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

void cat_cache_all_free(cat_cache_entry *v, int n)
{
    for (int i = 0; i < n; i++) cat_cache_entry_clear(&v[i]);
    free(v);
}

/* One write of one statement with the lineage as ?1. */
static int write1(cat_db *db, const char *sql, const cat_cache_entry *c, const char *lineage, const char *what,
                  ut_err *e)
{
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    sqlite3_stmt *st;
    int rc = cat_prepare(db, sql, &st, e);
    if (rc == 0) {
        cat_bind_text(st, 1, lineage);
        if (c) {
            cat_bind_text(st, 2, c->kind);
            cat_bind_text(st, 3, c->what);
            sqlite3_bind_int64(st, 4, c->bytes);
            cat_bind_real(st, 5, c->compute_seconds);
            cat_bind_text(st, 6, c->file);
        }
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cat_sqlerr(db, e, MLG_CATALOG, what);
        sqlite3_finalize(st);
    }
    return cat_w_end(db, &w, rc, e);
}

int cat_cache_put(cat_db *db, const cat_cache_entry *c, ut_err *e)
{
    return write1(db,
                  "INSERT OR REPLACE INTO mlg_cache(lineage, kind, what, bytes, compute_seconds, file)"
                  " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                  c, c->lineage, "cannot record a cache entry", e);
}

int cat_cache_touch(cat_db *db, const char *lineage, ut_err *e)
{
    return write1(db, "UPDATE mlg_cache SET hits = hits + 1, last_used = " CAT_NOW " WHERE lineage = ?1", NULL,
                  lineage, "cannot update a cache entry", e);
}

int cat_cache_delete(cat_db *db, const char *lineage, ut_err *e)
{
    return write1(db, "DELETE FROM mlg_cache WHERE lineage = ?1", NULL, lineage, "cannot remove a cache entry", e);
}

int cat_cache_clear(cat_db *db, ut_err *e)
{
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    int rc = cat_exec(db, "DELETE FROM mlg_cache", e);
    return cat_w_end(db, &w, rc, e);
}

int cat_cache_list(cat_db *db, int show_times, ut_result **out, ut_err *e)
{
    *out = NULL;
    sqlite3_stmt *st;
    /* largest first, then by lineage: a stable order for a listing */
    const char *sql = show_times
                          ? "SELECT kind, substr(lineage, 1, 12) AS lineage, what, bytes, compute_seconds, hits,"
                            "       last_used FROM mlg_cache ORDER BY bytes DESC, lineage"
                          : "SELECT kind, substr(lineage, 1, 12) AS lineage, what, bytes, hits"
                            "  FROM mlg_cache ORDER BY bytes DESC, lineage";
    if (cat_prepare(db, sql, &st, e)) return -1;
    int rc = cat_collect(db, st, out, e);
    sqlite3_finalize(st);
    return rc;
}

int cat_meta_real(cat_db *db, const char *key, double *v)
{
    sqlite3_stmt *st;
    ut_err e;
    ut_err_clear(&e);
    if (cat_prepare(db, "SELECT CAST(value AS REAL) FROM mlg_meta WHERE key = ?1", &st, &e)) return 0;
    cat_bind_text(st, 1, key);
    int found = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL;
    if (found) *v = sqlite3_column_double(st, 0);
    sqlite3_finalize(st);
    return found;
}

int cat_meta_set_real(cat_db *db, const char *key, double v, ut_err *e)
{
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    sqlite3_stmt *st;
    int rc = cat_prepare(db, "INSERT OR REPLACE INTO mlg_meta(key, value) VALUES (?1, ?2)", &st, e);
    if (rc == 0) {
        char buf[40];
        snprintf(buf, sizeof buf, "%.17g", v);
        cat_bind_text(st, 1, key);
        cat_bind_text(st, 2, buf);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cat_sqlerr(db, e, MLG_CATALOG, "cannot record a setting");
        sqlite3_finalize(st);
    }
    return cat_w_end(db, &w, rc, e);
}
