/* models.c — trained models (TRAIN / IMPORT MODEL), their listing, what
 * reproducing an experiment needs, and dataset versions.  A model's blob
 * is its document; its size and SHA-256 are stored beside it so a damaged
 * blob is caught before it is parsed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cat_internal.h"

static int insert_model(cat_db *db, const cat_model *m, ut_err *e)
{
    sqlite3_stmt *st;
    if (cat_prepare(db, "SELECT 1 FROM mlg_models WHERE name = ?1", &st, e)) return -1;
    cat_bind_text(st, 1, m->name);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW) return ut_errf(e, MLG_NAME, "model '%s' already exists", m->name);
    if (rc != SQLITE_DONE) return cat_sqlerr(db, e, MLG_CATALOG, "catalog");
    if (cat_prepare(db,
                    "INSERT INTO mlg_models(name, family, kind, target, source, task, dataset, dataset_version,"
                    " dataset_hash, experiment_id, config_json, seed, train_rows, mileage_version, format_version,"
                    " checksum, bytes, blob)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
                    &st, e))
        return -1;
    cat_bind_text(st, 1, m->name);
    cat_bind_text(st, 2, m->family);
    cat_bind_text(st, 3, m->kind);
    cat_bind_text(st, 4, m->target);
    cat_bind_text(st, 5, m->source);
    cat_bind_text(st, 6, m->task);
    cat_bind_text(st, 7, m->dataset);
    if (m->dataset_version > 0) sqlite3_bind_int(st, 8, m->dataset_version);
    cat_bind_text(st, 9, m->dataset_hash);
    if (m->experiment_id > 0) sqlite3_bind_int64(st, 10, m->experiment_id);
    cat_bind_text(st, 11, m->config_json);
    sqlite3_bind_int64(st, 12, m->seed);
    sqlite3_bind_int(st, 13, m->train_rows);
    cat_bind_text(st, 14, m->mileage_version);
    sqlite3_bind_int(st, 15, m->format_version);
    cat_bind_text(st, 16, m->checksum);
    sqlite3_bind_int64(st, 17, (sqlite3_int64)m->bytes);
    sqlite3_bind_blob64(st, 18, m->blob, (sqlite3_uint64)m->bytes, SQLITE_STATIC);
    rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cat_sqlerr(db, e, MLG_CATALOG, "cannot store model");
    sqlite3_finalize(st);
    return rc;
}

int cat_model_insert(cat_db *db, const cat_model *m, ut_err *e)
{
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    return cat_w_end(db, &w, insert_model(db, m, e), e);
}

void cat_model_clear(cat_model *m)
{
    free(m->name);
    free(m->family);
    free(m->kind);
    free(m->target);
    free(m->source);
    free(m->task);
    free(m->dataset);
    free(m->dataset_hash);
    free(m->config_json);
    free(m->mileage_version);
    free(m->checksum);
    free(m->blob);
    memset(m, 0, sizeof *m);
}

int cat_model_get(cat_db *db, const char *name, cat_model *out, ut_err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    if (cat_prepare(db,
                    "SELECT id, name, family, kind, target, source, task, dataset, dataset_version, dataset_hash,"
                    " experiment_id, config_json, seed, train_rows, mileage_version, format_version, checksum, bytes,"
                    " blob FROM mlg_models WHERE name = ?1",
                    &st, e))
        return -1;
    cat_bind_text(st, 1, name);
    int rc = sqlite3_step(st), found = 0, oom = 0;
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        out->name = cat_col_text(st, 1, &oom);
        out->family = cat_col_text(st, 2, &oom);
        out->kind = cat_col_text(st, 3, &oom);
        out->target = cat_col_text(st, 4, &oom);
        out->source = cat_col_text(st, 5, &oom);
        out->task = cat_col_text(st, 6, &oom);
        out->dataset = cat_col_text(st, 7, &oom);
        out->dataset_version = sqlite3_column_int(st, 8);
        out->dataset_hash = cat_col_text(st, 9, &oom);
        out->experiment_id = sqlite3_column_int64(st, 10);
        out->config_json = cat_col_text(st, 11, &oom);
        out->seed = sqlite3_column_int64(st, 12);
        out->train_rows = sqlite3_column_int(st, 13);
        out->mileage_version = cat_col_text(st, 14, &oom);
        out->format_version = sqlite3_column_int(st, 15);
        out->checksum = cat_col_text(st, 16, &oom);
        out->bytes = (size_t)sqlite3_column_int64(st, 17);
        /* the blob as stored: the caller checks blob_len against bytes, so
         * a short blob cannot pass for the model */
        const void *b = sqlite3_column_blob(st, 18);
        int n = sqlite3_column_bytes(st, 18);
        out->blob = malloc((size_t)n + 1);
        if (!out->blob) oom = 1;
        else {
            if (n) memcpy(out->blob, b, (size_t)n);
            out->blob[n] = 0;
        }
        out->blob_len = (size_t)n;
        found = 1;
    } else if (rc != SQLITE_DONE) {
        found = cat_sqlerr(db, e, MLG_CATALOG, "catalog");
    }
    sqlite3_finalize(st);
    if (oom) {
        cat_model_clear(out);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    return found;
}

int cat_model_drop(cat_db *db, const char *name, ut_err *e)
{
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    sqlite3_stmt *st;
    int rc = cat_prepare(db, "DELETE FROM mlg_models WHERE name = ?1", &st, e);
    if (rc == 0) {
        cat_bind_text(st, 1, name);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cat_sqlerr(db, e, MLG_CATALOG, "cannot drop model");
        sqlite3_finalize(st);
    }
    int changed = rc == 0 ? sqlite3_changes(db->h) : 0;
    if (cat_w_end(db, &w, rc, e)) return -1;
    return changed > 0;
}

int cat_list_models(cat_db *db, ut_result **out, ut_err *e)
{
    *out = NULL;
    sqlite3_stmt *st;
    if (cat_prepare(db,
                    "SELECT name, family, kind, target, task, dataset, dataset_version AS version,"
                    "       train_rows AS rows, experiment_id AS experiment, bytes"
                    "  FROM mlg_models ORDER BY name",
                    &st, e))
        return -1;
    int rc = cat_collect(db, st, out, e);
    sqlite3_finalize(st);
    return rc;
}

int cat_experiment_set_repro(cat_db *db, long long id, const char *repro_json, ut_err *e)
{
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    sqlite3_stmt *st;
    int rc = cat_prepare(db, "UPDATE mlg_experiments SET repro_json = ?2 WHERE id = ?1", &st, e);
    if (rc == 0) {
        sqlite3_bind_int64(st, 1, id);
        cat_bind_text(st, 2, repro_json);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cat_sqlerr(db, e, MLG_CATALOG, "cannot record provenance");
        sqlite3_finalize(st);
    }
    return cat_w_end(db, &w, rc, e);
}

/* ---- dataset versions ---- */

int cat_dataset_version(cat_db *db, long long dataset_id, int *version, ut_err *e)
{
    sqlite3_stmt *st;
    *version = 1;
    if (cat_prepare(db, "SELECT version FROM mlg_datasets WHERE id = ?1", &st, e)) return -1;
    sqlite3_bind_int64(st, 1, dataset_id);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *version = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : cat_sqlerr(db, e, MLG_CATALOG, "catalog");
}

static int retire(cat_db *db, const char *name, char **kept, int *next, ut_err *e)
{
    sqlite3_stmt *st;
    if (cat_prepare(db, "SELECT id, version, name FROM mlg_datasets WHERE name = ?1", &st, e)) return -1;
    cat_bind_text(st, 1, name);
    if (sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        return ut_errf(e, MLG_NAME, "unknown dataset '%s'", name);
    }
    long long id = sqlite3_column_int64(st, 0);
    int v = sqlite3_column_int(st, 1), oom = 0;
    char *stored = cat_col_text(st, 2, &oom);
    sqlite3_finalize(st);
    if (oom) return ut_errf(e, MLG_NOMEM, "out of memory");
    /* the highest version any row of this name ever had: NAME@vK rows */
    int maxv = v;
    char pat[600];
    snprintf(pat, sizeof pat, "%s@v", stored);
    if (cat_prepare(db, "SELECT max(version) FROM mlg_datasets WHERE substr(name, 1, length(?1)) = ?1 COLLATE NOCASE",
                    &st, e)) {
        free(stored);
        return -1;
    }
    cat_bind_text(st, 1, pat);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL && sqlite3_column_int(st, 0) > maxv)
        maxv = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_printf(&b, "%s@v%d", stored, v);
    free(stored);
    if (!(*kept = ut_buf_take(&b))) return ut_errf(e, MLG_NOMEM, "out of memory");
    long long other;
    int taken = cat_dataset_id(db, *kept, &other, e);
    if (taken < 0) return -1;
    if (taken) return ut_errf(e, MLG_NAME, "cannot keep the old version as '%s': that name is taken", *kept);
    if (cat_prepare(db, "UPDATE mlg_datasets SET name = ?2 WHERE id = ?1", &st, e)) return -1;
    sqlite3_bind_int64(st, 1, id);
    cat_bind_text(st, 2, *kept);
    int rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cat_sqlerr(db, e, MLG_CATALOG, "cannot keep the old version");
    sqlite3_finalize(st);
    *next = maxv + 1;
    return rc;
}

int cat_dataset_retire(cat_db *db, const char *name, char **kept, int *next, ut_err *e)
{
    *kept = NULL;
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    int rc = cat_w_end(db, &w, retire(db, name, kept, next, e), e);
    if (rc) {
        free(*kept);
        *kept = NULL;
    }
    return rc;
}

int cat_dataset_set_version(cat_db *db, long long id, int version, ut_err *e)
{
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    sqlite3_stmt *st;
    int rc = cat_prepare(db, "UPDATE mlg_datasets SET version = ?2 WHERE id = ?1", &st, e);
    if (rc == 0) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int(st, 2, version);
        rc = sqlite3_step(st) == SQLITE_DONE ? 0 : cat_sqlerr(db, e, MLG_CATALOG, "cannot set the version");
        sqlite3_finalize(st);
    }
    return cat_w_end(db, &w, rc, e);
}
