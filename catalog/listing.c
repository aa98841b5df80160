/* listing.c — the tables behind SHOW DATASETS / TASKS / EXPERIMENTS and
 * DESCRIBE, and the name lists used for "did you mean".  Column names are
 * part of the language's output (README.md lists them); the SQL aliases
 * below are those names, and cat_collect types each cell from SQLite. */
#include <stdlib.h>
#include <string.h>

#include "cat_internal.h"

static int list(cat_db *db, const char *sql, long long bind, ut_result **out, ut_err *e)
{
    *out = NULL;
    sqlite3_stmt *st;
    if (cat_prepare(db, sql, &st, e)) return -1;
    if (bind >= 0) sqlite3_bind_int64(st, 1, bind);
    int rc = cat_collect(db, st, out, e);
    sqlite3_finalize(st);
    return rc;
}

int cat_list_datasets(cat_db *db, ut_result **out, ut_err *e)
{
    return list(db,
                "SELECT name, nrows AS rows, ncols AS cols, format,"
                "       substr(hash, 1, 12) AS hash, path"
                "  FROM mlg_datasets ORDER BY name",
                -1, out, e);
}

/* Protocol shown as the language writes it: CV(5), HOLDOUT(0.25), REPEATED CV(5, 3),
 * FOLDS("col"), TIME SPLIT ON "col" (4). */
int cat_list_tasks(cat_db *db, ut_result **out, ut_err *e)
{
    return list(db,
                "SELECT t.name, d.name AS dataset, t.target, t.kind, t.metric,"
                "       CASE json_valid(t.protocol_json) WHEN 1 THEN"
                "         CASE json_extract(t.protocol_json, '$.type')"
                "           WHEN 'cv' THEN 'CV(' || json_extract(t.protocol_json, '$.k') || ')'"
                "           WHEN 'holdout' THEN"
                "             'HOLDOUT(' || json_extract(t.protocol_json, '$.test') || ')'"
                "           WHEN 'repeated_cv' THEN 'REPEATED CV(' || json_extract(t.protocol_json, '$.k')"
                "             || ', ' || json_extract(t.protocol_json, '$.repeats') || ')'"
                "           WHEN 'folds' THEN 'FOLDS(' || json_quote(json_extract(t.protocol_json, '$.column')) || ')'"
                "           WHEN 'time' THEN 'TIME SPLIT ON ' || json_quote(json_extract(t.protocol_json, '$.column'))"
                "             || ' (' || json_extract(t.protocol_json, '$.k') || ')'"
                "           ELSE t.protocol_json END"
                "       ELSE t.protocol_json END AS protocol,"
                "       t.seed"
                "  FROM mlg_tasks t JOIN mlg_datasets d ON d.id = t.dataset_id"
                " ORDER BY t.name",
                -1, out, e);
}

/* best = best mean score over the experiment's configs; the direction
 * depends on the task's metric. */
int cat_list_experiments(cat_db *db, ut_result **out, ut_err *e)
{
    return list(db,
                "SELECT e.id, t.name AS task, e.status,"
                "       (SELECT count(*) FROM mlg_runs r WHERE r.experiment_id = e.id)"
                "         || '/' || e.planned_runs AS runs,"
                "       (SELECT CASE WHEN lower(coalesce(e.metric, t.metric)) IN (" CAT_LOWER_IS_BETTER ")"
                "                    THEN min(m) ELSE max(m) END"
                "          FROM (SELECT avg(r.score) AS m FROM mlg_runs r"
                "                 WHERE r.experiment_id = e.id GROUP BY r.config_id)) AS best,"
                "       e.started_at"
                "  FROM mlg_experiments e JOIN mlg_tasks t ON t.id = e.task_id"
                " ORDER BY e.id",
                -1, out, e);
}

int cat_describe_dataset(cat_db *db, const char *name, ut_result **out, ut_err *e)
{
    *out = NULL;
    long long id;
    int found = cat_dataset_id(db, name, &id, e);
    if (found < 0) return -1;
    if (!found) return ut_errf(e, MLG_NAME, "no dataset named '%s'", name);
    /* Moments mean nothing for categorical columns: NULL, whatever is stored. */
    return list(db,
                "SELECT name AS \"column\", type, missing, n_distinct AS \"distinct\","
                "       CASE WHEN type = 'numeric' THEN min END AS min,"
                "       CASE WHEN type = 'numeric' THEN max END AS max,"
                "       CASE WHEN type = 'numeric' THEN mean END AS mean,"
                "       CASE WHEN type = 'numeric' THEN std END AS std"
                "  FROM mlg_columns WHERE dataset_id = ?1 ORDER BY position",
                id, out, e);
}

int cat_names(cat_db *db, const char *kind, char ***names, int *n, ut_err *e)
{
    *names = NULL;
    *n = 0;
    const char *sql;
    if (kind && strcmp(kind, "dataset") == 0) sql = "SELECT name FROM mlg_datasets ORDER BY name";
    else if (kind && strcmp(kind, "task") == 0) sql = "SELECT name FROM mlg_tasks ORDER BY name";
    else if (kind && strcmp(kind, "model") == 0) sql = "SELECT name FROM mlg_models ORDER BY name";
    else return ut_errf(e, MLG_MISUSE, "cat_names: unknown kind '%s'", kind ? kind : "(null)");

    sqlite3_stmt *st;
    if (cat_prepare(db, sql, &st, e)) return -1;
    char **v = NULL;
    int count = 0, cap = 0, rc, err = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (count == cap) {
            int nc = cap ? cap * 2 : 16;
            char **nv = realloc(v, (size_t)nc * sizeof *nv);
            if (!nv) {
                err = ut_errf(e, MLG_NOMEM, "out of memory");
                break;
            }
            v = nv;
            cap = nc;
        }
        int oom = 0;
        v[count] = cat_col_text(st, 0, &oom);
        if (oom) {
            err = ut_errf(e, MLG_NOMEM, "out of memory");
            break;
        }
        count++;
    }
    if (!err && rc != SQLITE_DONE) err = cat_sqlerr(db, e, MLG_CATALOG, "catalog");
    sqlite3_finalize(st);
    if (err) {
        for (int i = 0; i < count; i++) free(v[i]);
        free(v);
        return -1;
    }
    *names = v;
    *n = count;
    return 0;
}
