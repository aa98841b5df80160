/* optimes.c — measured seconds of the plan's operators other than FIT
 * (LOAD, SPLIT, TRANSFORM, EVALUATE), per dataset content, for the cost
 * model (issue 4: every operator is estimated from its measured past runs
 * once it has some).  FIT's history is the runs' own fit_seconds
 * (history.c).  One row per (dataset hash, operator, detail) holding the
 * latest measurement: a plan repeated on the same data costs what it cost
 * last time, and a changed machine or build shows after one run. */
#include "cat_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int cat_op_time_put(cat_db *db, const char *dataset_hash, const char *op, const char *detail, long long rows,
                    double seconds, ut_err *e)
{
    if (!dataset_hash || !op || !(seconds >= 0) || !isfinite(seconds)) return 0;   /* nothing to learn */
    cat_w w;
    if (cat_w_begin(db, &w, e)) return -1;
    sqlite3_stmt *st;
    int rc = cat_prepare(db,
                         "INSERT INTO mlg_op_times(dataset_hash, op, detail, rows, seconds, runs, updated_at)"
                         " VALUES (?1, ?2, ?3, ?4, ?5, 1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"
                         " ON CONFLICT(dataset_hash, op, detail) DO UPDATE SET rows = excluded.rows,"
                         " seconds = excluded.seconds, runs = runs + 1, updated_at = excluded.updated_at",
                         &st, e);
    if (rc == 0) {
        cat_bind_text(st, 1, dataset_hash);
        cat_bind_text(st, 2, op);
        cat_bind_text(st, 3, detail ? detail : "");
        sqlite3_bind_int64(st, 4, rows);
        sqlite3_bind_double(st, 5, seconds);
        if (sqlite3_step(st) != SQLITE_DONE) rc = cat_sqlerr(db, e, MLG_CATALOG, "cannot store an operator's time");
        sqlite3_finalize(st);
    }
    return cat_w_end(db, &w, rc, e);
}

int cat_op_time_get(cat_db *db, const char *dataset_hash, const char *op, const char *detail, long long *rows,
                    double *seconds, ut_err *e)
{
    *seconds = NAN;
    *rows = 0;
    if (!dataset_hash || !op) return 0;
    sqlite3_stmt *st;
    if (cat_prepare(db, "SELECT rows, seconds FROM mlg_op_times WHERE dataset_hash = ?1 AND op = ?2 AND detail = ?3",
                    &st, e))
        return -1;
    cat_bind_text(st, 1, dataset_hash);
    cat_bind_text(st, 2, op);
    cat_bind_text(st, 3, detail ? detail : "");
    int rc = sqlite3_step(st), found = 0;
    if (rc == SQLITE_ROW) {
        *rows = sqlite3_column_int64(st, 0);
        *seconds = sqlite3_column_double(st, 1);
        found = 1;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return cat_sqlerr(db, e, MLG_CATALOG, "operator times");
    return found;
}
