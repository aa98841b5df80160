/* reuse.c — which finished runs of earlier experiments a new EXPLORE may
 * take instead of fitting them again.  A run's score is a function of its
 * lineage: the data (dataset version and content hash), the task's
 * definition (target, kind, metrics, protocol, seed, folds), the canonical
 * configuration (family, parameters, pipeline: the interned config id)
 * and, under halving, how many training rows it saw.  Runs that failed
 * are never offered: a failure may come from the machine (memory, a
 * limit), so it is fitted again. */
#include <stdlib.h>
#include <string.h>

#include "cat_internal.h"

/* the task's lineage, then every run recorded under it; per (config,
 * fold, rows) the earliest origin (min() picks the row's other columns).
 * A copy whose origin was dropped (DROP TASK) stands for it: no new
 * copy points at a run that no longer exists.  Row ids of runs are
 * never taken again while a copy points at them: the copy's id is
 * larger, and SQLite gives new rows max(id) + 1. */
const char cat_reusable_sql[] =
    "SELECT r.config_id, r.fold, r.train_rows,"
    "       min(CASE WHEN r.reused_from IN (SELECT id FROM mlg_runs) THEN r.reused_from"
    "                ELSE r.id END) AS origin,"
    "       r.score, r.fit_seconds, r.predict_seconds, r.scores_json AS scores,"
    "       r.warning"
    "  FROM mlg_tasks me"
    "  JOIN mlg_datasets md ON md.id = me.dataset_id"
    "  JOIN mlg_tasks t ON t.dataset_id = me.dataset_id AND t.target = me.target"
    "   AND t.kind = me.kind AND t.metric = me.metric AND t.protocol_json = me.protocol_json"
    "   AND t.seed = me.seed AND t.nrounds = me.nrounds AND t.folds_hash IS me.folds_hash"
    "  JOIN mlg_datasets d ON d.id = t.dataset_id AND d.hash IS md.hash"
    "  JOIN mlg_experiments e ON e.task_id = t.id"
    "  JOIN mlg_runs r ON r.experiment_id = e.id"
    " WHERE me.id = ?1 AND e.id <> ?2 AND r.status = 'ok' AND r.score IS NOT NULL"
    "   AND r.config_id IN (SELECT value FROM json_each(?3))"
    " GROUP BY r.config_id, r.fold, r.train_rows"
    " ORDER BY r.config_id, r.fold";

int cat_reusable_runs(cat_db *db, long long task_id, long long exclude_exp, const long long *cfg, int n,
                      ut_result **out, ut_err *e)
{
    *out = NULL;
    char *ids = cat_ids_json(cfg, n, e);
    if (!ids) return -1;
    sqlite3_stmt *st;
    int rc = cat_prepare(db, cat_reusable_sql, &st, e);
    if (rc) {
        free(ids);
        return -1;
    }
    sqlite3_bind_int64(st, 1, task_id);
    sqlite3_bind_int64(st, 2, exclude_exp);
    cat_bind_text(st, 3, ids);
    rc = cat_collect(db, st, out, e);
    sqlite3_finalize(st);
    free(ids);
    return rc;
}
