/* meta.c — meta-features of datasets and tasks, and what the meta-learner
 * reads back: every task's vector, and a task's configurations ranked by
 * their best score. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cat_internal.h"

const char *const cat_meta_names[CAT_META_N] = {
    "rows", "cols", "dim_ratio", "cat_share", "missing_share", "skew_min", "skew_mean", "skew_max",
    "kurt_min", "kurt_mean", "kurt_max", "classes", "class_entropy", "majority", "lm_1nn", "lm_stump", "lm_nb"};

static int put(cat_db *db, const char *sql, long long id, const double *v, int n, ut_err *e)
{
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    sqlite3_stmt *st;
    int rc = cat_prepare(db, sql, &st, e);
    if (!rc) {
        sqlite3_bind_int64(st, 1, id);
        for (int i = 0; i < n; i++) cat_bind_real(st, i + 2, v[i]);
        if (sqlite3_step(st) != SQLITE_DONE) rc = cat_sqlerr(db, e, MLG_CATALOG, "cannot store meta-features");
        sqlite3_finalize(st);
    }
    return cat_w_end(db, &w, rc, e);
}

int cat_meta_dataset_put(cat_db *db, long long dataset_id, const double *v, ut_err *e)
{
    return put(db,
               "INSERT OR REPLACE INTO mlg_dataset_meta(dataset_id, rows, cols, dim_ratio, cat_share,"
               " missing_share, skew_min, skew_mean, skew_max, kurt_min, kurt_mean, kurt_max)"
               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
               dataset_id, v, CAT_META_NDS, e);
}

int cat_meta_task_put(cat_db *db, long long task_id, const double *v, ut_err *e)
{
    return put(db,
               "INSERT OR REPLACE INTO mlg_task_meta(task_id, classes, class_entropy, majority, lm_1nn,"
               " lm_stump, lm_nb) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
               task_id, v, CAT_META_NTASK, e);
}

void cat_meta_rows_free(cat_meta_row *rows, int n)
{
    if (!rows) return;
    for (int i = 0; i < n; i++) free(rows[i].task), free(rows[i].dataset), free(rows[i].kind), free(rows[i].metric);
    free(rows);
}

int cat_meta_rows(cat_db *db, cat_meta_row **rows, int *n, ut_err *e)
{
    *rows = NULL;
    *n = 0;
    sqlite3_stmt *st;
    if (cat_prepare(db,
                    "SELECT t.id, d.id, t.name, d.name, t.kind, t.metric,"
                    " (SELECT count(DISTINCT r.config_id) FROM mlg_runs r JOIN mlg_experiments e"
                    "   ON e.id = r.experiment_id WHERE e.task_id = t.id AND r.score IS NOT NULL),"
                    " m.dataset_id IS NOT NULL AND tm.task_id IS NOT NULL,"
                    " m.rows, m.cols, m.dim_ratio, m.cat_share, m.missing_share, m.skew_min, m.skew_mean,"
                    " m.skew_max, m.kurt_min, m.kurt_mean, m.kurt_max, tm.classes, tm.class_entropy,"
                    " tm.majority, tm.lm_1nn, tm.lm_stump, tm.lm_nb"
                    " FROM mlg_tasks t JOIN mlg_datasets d ON d.id = t.dataset_id"
                    " LEFT JOIN mlg_dataset_meta m ON m.dataset_id = d.id"
                    " LEFT JOIN mlg_task_meta tm ON tm.task_id = t.id ORDER BY t.id",
                    &st, e))
        return -1;
    int cap = 0, rc = 0, oom = 0;
    cat_meta_row *r = NULL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            cat_meta_row *nr = realloc(r, (size_t)cap * sizeof *nr);
            if (!nr) {
                oom = 1;
                break;
            }
            r = nr;
        }
        cat_meta_row *m = &r[(*n)++];
        memset(m, 0, sizeof *m);
        m->task_id = sqlite3_column_int64(st, 0);
        m->dataset_id = sqlite3_column_int64(st, 1);
        m->task = cat_col_text(st, 2, &oom);
        m->dataset = cat_col_text(st, 3, &oom);
        m->kind = cat_col_text(st, 4, &oom);
        m->metric = cat_col_text(st, 5, &oom);
        m->nresults = sqlite3_column_int(st, 6);
        m->has_meta = sqlite3_column_int(st, 7);
        for (int i = 0; i < CAT_META_N; i++)
            m->v[i] = sqlite3_column_type(st, 8 + i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, 8 + i);
    }
    int bad = oom ? ut_errf(e, MLG_NOMEM, "out of memory")
                  : rc != SQLITE_DONE ? cat_sqlerr(db, e, MLG_CATALOG, "cannot read meta-features") : 0;
    sqlite3_finalize(st);
    if (bad) {
        cat_meta_rows_free(r, *n);
        *n = 0;
        return -1;
    }
    *rows = r;
    return 0;
}

void cat_scored_free(cat_scored *s, int n)
{
    if (!s) return;
    for (int i = 0; i < n; i++) free(s[i].family), free(s[i].params_json);
    free(s);
}

int cat_task_scores(cat_db *db, long long task_id, int higher_better, cat_scored **out, int *n, ut_err *e)
{
    *out = NULL;
    *n = 0;
    /* a score on a halving sample is not comparable with one on all rows:
     * only each experiment's highest rung; and only configurations every
     * round of the task scored */
    const char *sql_hi =
        "WITH top AS (SELECT experiment_id, max(rung) AS rung FROM mlg_runs GROUP BY experiment_id),"
        " g AS (SELECT r.experiment_id, r.config_id, avg(r.score) AS m, count(r.score) AS n"
        "   FROM mlg_runs r JOIN top USING (experiment_id) JOIN mlg_experiments e ON e.id = r.experiment_id"
        "   WHERE e.task_id = ?1 AND r.rung = top.rung GROUP BY r.experiment_id, r.config_id)"
        " SELECT c.family, c.params_json, max(g.m) AS s FROM g JOIN mlg_configs c ON c.id = g.config_id"
        " WHERE g.n >= (SELECT nrounds FROM mlg_tasks WHERE id = ?1)"
        " GROUP BY g.config_id ORDER BY s DESC, c.id";
    const char *sql_lo =
        "WITH top AS (SELECT experiment_id, max(rung) AS rung FROM mlg_runs GROUP BY experiment_id),"
        " g AS (SELECT r.experiment_id, r.config_id, avg(r.score) AS m, count(r.score) AS n"
        "   FROM mlg_runs r JOIN top USING (experiment_id) JOIN mlg_experiments e ON e.id = r.experiment_id"
        "   WHERE e.task_id = ?1 AND r.rung = top.rung GROUP BY r.experiment_id, r.config_id)"
        " SELECT c.family, c.params_json, min(g.m) AS s FROM g JOIN mlg_configs c ON c.id = g.config_id"
        " WHERE g.n >= (SELECT nrounds FROM mlg_tasks WHERE id = ?1)"
        " GROUP BY g.config_id ORDER BY s ASC, c.id";
    sqlite3_stmt *st;
    if (cat_prepare(db, higher_better ? sql_hi : sql_lo, &st, e)) return -1;
    sqlite3_bind_int64(st, 1, task_id);
    int cap = 0, rc, oom = 0;
    cat_scored *s = NULL;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 32;
            cat_scored *ns = realloc(s, (size_t)cap * sizeof *ns);
            if (!ns) {
                oom = 1;
                break;
            }
            s = ns;
        }
        cat_scored *c = &s[(*n)++];
        c->family = cat_col_text(st, 0, &oom);
        c->params_json = cat_col_text(st, 1, &oom);
        c->score = sqlite3_column_double(st, 2);
    }
    int bad = oom ? ut_errf(e, MLG_NOMEM, "out of memory")
                  : rc != SQLITE_DONE ? cat_sqlerr(db, e, MLG_CATALOG, "cannot read results") : 0;
    sqlite3_finalize(st);
    if (bad) {
        cat_scored_free(s, *n);
        *n = 0;
        return -1;
    }
    *out = s;
    return 0;
}
