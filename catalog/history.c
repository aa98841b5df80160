/* history.c — measured fit seconds of configurations (the cost model
 * prefers them to its formulas), and the query plans of the lookups that
 * run once per EXPLORE, for tests that check they stay index-driven.
 *
 * Both lookups start from the requested configuration ids (json_each) and
 * reach mlg_runs through its config / experiment indexes: their cost grows
 * with the runs of the asked configurations, never with every run the
 * catalog holds (a task with hundreds of experiments). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cat_internal.h"

/* Per asked configuration, the latest experiment that ran it ok with the
 * same sharing setting ?3 (-1: any) — a shared fit's time is split among
 * its members, a naive plan's is each member's own, so the two do not
 * compare — on any dataset (a later dataset's times replace an earlier
 * one's); its mean fit seconds there when that experiment's dataset is ?2
 * (by name, as the runs view shows it).  MATERIALIZED (SQLite 3.35+): the
 * latest experiment is looked up once per config, not once per join that
 * uses it. */
static const char fit_history_sql[] =
    "WITH want(cfg) AS (SELECT DISTINCT value FROM json_each(?1)),"
    " latest(cfg, exp) AS MATERIALIZED (SELECT w.cfg, (SELECT max(r2.experiment_id) FROM mlg_runs r2"
    "                                       JOIN mlg_experiments e2 ON e2.id = r2.experiment_id"
    "                                     WHERE r2.config_id = w.cfg AND r2.status = 'ok'"
    "                                       AND (?3 < 0 OR coalesce(json_extract(e2.repro_json, '$.sharing'),"
    "                                                               ?3) = ?3))"
    "                      FROM want w)"
    " SELECT l.cfg, avg(r.fit_seconds)"
    "   FROM latest l"
    "   JOIN mlg_experiments e ON e.id = l.exp"
    "   JOIN mlg_tasks t ON t.id = e.task_id"
    "   JOIN mlg_datasets d ON d.id = t.dataset_id"
    "   JOIN mlg_runs r ON r.experiment_id = l.exp AND r.config_id = l.cfg"
    "  WHERE d.name = ?2 AND r.status = 'ok'"
    "  GROUP BY l.cfg";

/* "[1,2,3]" of the ids (the caller frees); NULL when out of memory (e
 * filled).  The lookups take their configurations as one JSON array
 * (json_each), so one statement serves any number of them. */
char *cat_ids_json(const long long *cfg, int n, ut_err *e)
{
    ut_buf ids;
    ut_buf_init(&ids);
    ut_buf_putc(&ids, '[');
    for (int i = 0; i < n; i++) ut_buf_printf(&ids, i ? ",%lld" : "%lld", cfg[i]);
    ut_buf_putc(&ids, ']');
    if (ids.oom) {
        ut_buf_free(&ids);
        ut_errf(e, MLG_NOMEM, "out of memory");
        return NULL;
    }
    return ids.s;
}

int cat_fit_history(cat_db *db, const char *dataset, int sharing, const long long *cfg, int n, double *secs,
                    ut_err *e)
{
    for (int i = 0; i < n; i++) secs[i] = NAN;
    if (n <= 0) return 0;
    char *ids = cat_ids_json(cfg, n, e);
    if (!ids) return -1;
    sqlite3_stmt *st;
    if (cat_prepare(db, fit_history_sql, &st, e)) {
        free(ids);
        return -1;
    }
    cat_bind_text(st, 1, ids);
    cat_bind_text(st, 2, dataset);
    sqlite3_bind_int(st, 3, sharing);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 1) == SQLITE_NULL) continue;
        long long id = sqlite3_column_int64(st, 0);
        double s = sqlite3_column_double(st, 1);
        for (int i = 0; i < n; i++)
            if (cfg[i] == id) secs[i] = s;
    }
    sqlite3_finalize(st);
    free(ids);
    if (rc != SQLITE_DONE) return cat_sqlerr(db, e, MLG_CATALOG, "fit history");
    return 0;
}

int cat_lookup_plan(cat_db *db, int which, ut_result **out, ut_err *e)
{
    *out = NULL;
    const char *sql = which == CAT_PLAN_REUSABLE      ? cat_reusable_sql
                      : which == CAT_PLAN_FIT_HISTORY ? fit_history_sql
                      : which == CAT_PLAN_RESULTS_OF  ? "SELECT * FROM results WHERE experiment = ?1"
                                                      : NULL;
    if (!sql) return ut_errf(e, MLG_MISUSE, "no such lookup: %d", which);
    ut_buf q;
    ut_buf_init(&q);
    ut_buf_puts(&q, "EXPLAIN QUERY PLAN ");
    ut_buf_puts(&q, sql);
    if (q.oom) {
        ut_buf_free(&q);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    sqlite3_stmt *st;
    int rc = cat_prepare(db, q.s, &st, e);
    ut_buf_free(&q);
    if (rc) return -1;
    rc = cat_collect(db, st, out, e);
    sqlite3_finalize(st);
    return rc;
}
