/* runs.c — what EXPLORE writes: an experiment row when it starts, the
 * interned configurations it tries, one run per (config, fold), and the
 * experiment's final status. */
#include <errno.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>
#include <math.h>
#include <string.h>

#include "cat_internal.h"

static int experiment_insert(cat_db *db, long long task_id, const char *statement,
                             const char *spec_json, const char *logical_plan,
                             const char *physical_plan, int planned_runs,
                             long long *id, ut_err *e)
{
    sqlite3_stmt *st;
    if (cat_prepare(db, "SELECT 1 FROM mlg_tasks WHERE id = ?1", &st, e)) return -1;
    sqlite3_bind_int64(st, 1, task_id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE) return ut_errf(e, MLG_NAME, "no task with id %lld", task_id);
    if (rc != SQLITE_ROW) return cat_sqlerr(db, e, MLG_CATALOG, "catalog");

    if (cat_prepare(db,
                    "INSERT INTO mlg_experiments(task_id, statement, spec_json, logical_plan,"
                    " physical_plan, planned_runs, status, pid)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running', ?7)",
                    &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, task_id);
    cat_bind_text(st, 2, statement ? statement : "");
    cat_bind_text(st, 3, spec_json);
    cat_bind_text(st, 4, logical_plan);
    cat_bind_text(st, 5, physical_plan);
    sqlite3_bind_int(st, 6, planned_runs);
    sqlite3_bind_int64(st, 7, (long long)getpid());
    rc = 0;
    if (sqlite3_step(st) != SQLITE_DONE) rc = cat_sqlerr(db, e, MLG_CATALOG, "cannot store experiment");
    sqlite3_finalize(st);
    if (rc == 0 && id) *id = sqlite3_last_insert_rowid(db->h);
    return rc;
}

int cat_experiment_begin(cat_db *db, long long task_id, const char *statement,
                         const char *spec_json, const char *logical_plan,
                         const char *physical_plan, int planned_runs,
                         long long *id, ut_err *e)
{
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    return cat_w_end(db, &w,
                     experiment_insert(db, task_id, statement, spec_json, logical_plan,
                                       physical_plan, planned_runs, id, e),
                     e);
}

/* Runs st, an UPDATE of experiment id, and finalizes it: a failed step is
 * a catalog error (`what`), an id that matched no row a name error. */
static int step_experiment(cat_db *db, sqlite3_stmt *st, long long id, const char *what, ut_err *e)
{
    int rc = 0;
    if (sqlite3_step(st) != SQLITE_DONE) rc = cat_sqlerr(db, e, MLG_CATALOG, what);
    else if (sqlite3_changes(db->h) == 0) rc = ut_errf(e, MLG_NAME, "no experiment with id %lld", id);
    sqlite3_finalize(st);
    return rc;
}

static int experiment_update(cat_db *db, long long id, const char *status, const char *error,
                             ut_err *e)
{
    sqlite3_stmt *st;
    if (cat_prepare(db,
                    "UPDATE mlg_experiments SET status = ?2, error = ?3, pid = NULL, finished_at = " CAT_NOW
                    " WHERE id = ?1",
                    &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, id);
    cat_bind_text(st, 2, status);
    cat_bind_text(st, 3, error);
    return step_experiment(db, st, id, "cannot finish experiment", e);
}

int cat_experiment_finish(cat_db *db, long long id, const char *status, const char *error,
                          ut_err *e)
{
    if (!status || (strcmp(status, "finished") && strcmp(status, "failed") &&
                    strcmp(status, "interrupted")))
        return ut_errf(e, MLG_MISUSE, "experiment status must be finished, failed or interrupted");
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    return cat_w_end(db, &w, experiment_update(db, id, status, error, e), e);
}

int cat_experiment_resume(cat_db *db, long long id, ut_err *e)
{
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    sqlite3_stmt *st;
    int rc = cat_prepare(db, "UPDATE mlg_experiments SET status = 'running', error = NULL, finished_at = NULL,"
                             " pid = ?2 WHERE id = ?1", &st, e);
    if (!rc) {
        sqlite3_bind_int64(st, 1, id);
        sqlite3_bind_int64(st, 2, (long long)getpid());
        rc = step_experiment(db, st, id, "cannot resume experiment", e);
    }
    return cat_w_end(db, &w, rc, e);
}

/* Experiments left 'running' by a process that no longer exists (killed,
 * crashed, power cut) are marked interrupted, so RESUME can finish them. */
int cat_mark_orphans(cat_db *db, ut_err *e)
{
    sqlite3_stmt *st;
    if (cat_prepare(db, "SELECT id, pid FROM mlg_experiments WHERE status = 'running'", &st, e)) return -1;
    long long ids[256];
    int n = 0;
    while (sqlite3_step(st) == SQLITE_ROW && n < 256) {
        long long pid = sqlite3_column_type(st, 1) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 1);
        if (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH)) ids[n++] = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    for (int i = 0; i < n; i++)
        if (cat_experiment_finish(db, ids[i], "interrupted",
                                  "the process running it stopped before the end (killed or crashed)", e))
            return -1;
    return 0;
}

/* The "\0" separator keeps ("ab","c") and ("a","bc") apart. */
static void config_hash(const char *family, const char *params, char hex[65])
{
    ut_sha256 c;
    ut_sha256_init(&c);
    ut_sha256_update(&c, family, strlen(family));
    ut_sha256_update(&c, "", 1);
    ut_sha256_update(&c, params, strlen(params));
    ut_sha256_hex(&c, hex);
}

/* 1 found (*id set), 0 not, -1 error. */
static int config_lookup(cat_db *db, const char *hash, long long *id, ut_err *e)
{
    sqlite3_stmt *st;
    if (cat_prepare(db, "SELECT id FROM mlg_configs WHERE hash = ?1", &st, e)) return -1;
    cat_bind_text(st, 1, hash);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW) return 1;
    if (rc == SQLITE_DONE) return 0;
    return cat_sqlerr(db, e, MLG_CATALOG, "catalog");
}

static int config_intern(cat_db *db, const char *family, const char *params, const char *hash,
                         long long *id, ut_err *e)
{
    int found = config_lookup(db, hash, id, e);
    if (found) return found < 0 ? -1 : 0;
    sqlite3_stmt *st;
    int rc;
    if (cat_prepare(db, "INSERT INTO mlg_configs(family, params_json, hash) VALUES (?1, ?2, ?3)",
                    &st, e))
        return -1;
    cat_bind_text(st, 1, family);
    cat_bind_text(st, 2, params);
    cat_bind_text(st, 3, hash);
    rc = 0;
    if (sqlite3_step(st) != SQLITE_DONE) rc = cat_sqlerr(db, e, MLG_CATALOG, "cannot store config");
    else *id = sqlite3_last_insert_rowid(db->h);
    sqlite3_finalize(st);
    return rc;
}

int cat_config_intern(cat_db *db, const char *family, const char *params_json,
                      long long *id, ut_err *e)
{
    if (!family || !params_json || !id)
        return ut_errf(e, MLG_MISUSE, "config family and params are required");
    char hash[65];
    config_hash(family, params_json, hash);
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    return cat_w_end(db, &w, config_intern(db, family, params_json, hash, id, e), e);
}

int cat_config_find(cat_db *db, const char *family, const char *params_json, long long *id, ut_err *e)
{
    if (!family || !params_json || !id)
        return ut_errf(e, MLG_MISUSE, "config family and params are required");
    char hash[65];
    config_hash(family, params_json, hash);
    return config_lookup(db, hash, id, e);
}

static int run_insert(cat_db *db, const cat_run *r, ut_err *e)
{
    sqlite3_stmt *st;
    if (cat_prepare(db,
                    "INSERT INTO mlg_runs(experiment_id, config_id, fold, score, scores_json,"
                    " fit_seconds, predict_seconds, status, error, rung, train_rows, reused_from, warning, seq,"
                    " batch, batch_pos, blas_threads)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
                    &st, e))
        return -1;
    /* Default status follows the error so callers cannot record an "ok"
     * run that carries an error message by forgetting the field. */
    const char *status = r->status ? r->status : (r->error ? "failed" : "ok");
    sqlite3_bind_int64(st, 1, r->experiment_id);
    sqlite3_bind_int64(st, 2, r->config_id);
    sqlite3_bind_int(st, 3, r->fold);
    cat_bind_real(st, 4, r->score);
    cat_bind_text(st, 5, r->scores_json);
    cat_bind_real(st, 6, r->fit_seconds);
    cat_bind_real(st, 7, r->predict_seconds);
    cat_bind_text(st, 8, status);
    cat_bind_text(st, 9, r->error);
    sqlite3_bind_int(st, 10, r->rung);
    if (r->train_rows > 0) sqlite3_bind_int64(st, 11, r->train_rows);
    else sqlite3_bind_null(st, 11);
    if (r->reused_from > 0) sqlite3_bind_int64(st, 12, r->reused_from);
    else sqlite3_bind_null(st, 12);
    cat_bind_text(st, 13, r->warning);
    if (r->seq > 0) sqlite3_bind_int(st, 14, r->seq);
    else sqlite3_bind_null(st, 14);
    if (r->batch > 0) sqlite3_bind_int(st, 15, r->batch);
    else sqlite3_bind_null(st, 15);
    if (r->batch_pos > 0) sqlite3_bind_int(st, 16, r->batch_pos);
    else sqlite3_bind_null(st, 16);
    if (r->blas_threads > 0) sqlite3_bind_int(st, 17, r->blas_threads);
    else sqlite3_bind_null(st, 17);
    int rc = 0;
    if (sqlite3_step(st) != SQLITE_DONE) rc = cat_sqlerr(db, e, MLG_CATALOG, "cannot store run");
    sqlite3_finalize(st);
    return rc;
}

int cat_run_insert(cat_db *db, const cat_run *r, ut_err *e)
{
    if (!r) return ut_errf(e, MLG_MISUSE, "run missing");
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    return cat_w_end(db, &w, run_insert(db, r, e), e);
}

static int search_update(cat_db *db, long long id, const char *search, const char *unit, double limit,
                         double used, ut_err *e)
{
    sqlite3_stmt *st;
    if (cat_prepare(db,
                    "UPDATE mlg_experiments SET search = ?2, budget_unit = ?3, budget_limit = ?4,"
                    " budget_used = ?5 WHERE id = ?1",
                    &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, id);
    cat_bind_text(st, 2, search);
    cat_bind_text(st, 3, unit);
    cat_bind_real(st, 4, unit ? limit : NAN);
    cat_bind_real(st, 5, unit ? used : NAN);
    return step_experiment(db, st, id, "cannot store the budget", e);
}

int cat_experiment_search(cat_db *db, long long id, const char *search, const char *budget_unit,
                          double budget_limit, double budget_used, ut_err *e)
{
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    return cat_w_end(db, &w, search_update(db, id, search, budget_unit, budget_limit, budget_used, e), e);
}

static int intent_update(cat_db *db, long long id, int baseline, const char *intents_json, const char *metric,
                         ut_err *e)
{
    sqlite3_stmt *st;
    if (cat_prepare(db, "UPDATE mlg_experiments SET kind = ?2, intents_json = ?3, metric = ?4 WHERE id = ?1", &st,
                    e))
        return -1;
    sqlite3_bind_int64(st, 1, id);
    cat_bind_text(st, 2, baseline ? "baseline" : "explore");
    cat_bind_text(st, 3, intents_json);
    cat_bind_text(st, 4, metric);
    return step_experiment(db, st, id, "cannot store the intents", e);
}

int cat_experiment_intents(cat_db *db, long long id, int baseline, const char *intents_json, const char *metric,
                           ut_err *e)
{
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    return cat_w_end(db, &w, intent_update(db, id, baseline, intents_json, metric, e), e);
}

int cat_baseline_current(cat_db *db, long long task_id, const char *spec_json, const char *dataset_hash,
                         long long *id, ut_err *e)
{
    sqlite3_stmt *st;
    *id = 0;
    if (cat_prepare(db,
                    "SELECT max(id) FROM mlg_experiments WHERE task_id = ?1 AND kind = 'baseline'"
                    " AND status = 'finished' AND spec_json = ?2"
                    " AND json_extract(repro_json, '$.dataset_hash') IS ?3",
                    &st, e))
        return -1;
    sqlite3_bind_int64(st, 1, task_id);
    cat_bind_text(st, 2, spec_json);
    cat_bind_text(st, 3, dataset_hash);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_type(st, 0) != SQLITE_NULL) *id = sqlite3_column_int64(st, 0);
        rc = 0;
    } else {
        rc = cat_sqlerr(db, e, MLG_CATALOG, "cannot look for a baseline");
    }
    sqlite3_finalize(st);
    return rc;
}
