/* test_select_limits.c — a runaway user SELECT stops: max_seconds (set by
 * the host with mlg_limit, or by SET) stops a recursive CTE that returns
 * no row; max_rows stops one that returns rows without end; mlg_interrupt
 * from another thread stops one with no limit set; limits never touch a
 * SELECT that stays within them. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mileage.h"
#include "check.h"

#define RUNAWAY_COUNT "SELECT count(*) FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c)"
#define RUNAWAY_ROWS "SELECT x FROM (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c)"


static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Runs one statement to its end; returns the final code. */
static int run(mlg_db *db, const char *sql, int *rows)
{
    mlg_stmt *s = NULL;
    int rc = mlg_prepare(db, sql, -1, &s, NULL);
    if (rc != MLG_OK) return rc;
    *rows = 0;
    while ((rc = mlg_step(s)) == MLG_ROW) (*rows)++;
    mlg_finalize(s);
    return rc;
}

static void *interrupter(void *arg)
{
    usleep(300000);
    mlg_interrupt(arg);
    return NULL;
}

int main(void)
{
    const char *path = "test_select_limits.db";
    unlink(path);
    mlg_db *db = NULL;
    if (mlg_open(path, &db) != MLG_OK) return 1;
    int rows = 0;

    /* the host's ceiling stops a CTE that never returns a row */
    mlg_limit(db, MLG_LIMIT_SECONDS, 1);
    double t0 = now();
    int rc = run(db, RUNAWAY_COUNT, &rows);
    double took = now() - t0;
    CHECK(rc == MLG_DENIED, "rc %d: %s", rc, mlg_errmsg(db));
    CHECK(strcmp(mlg_errmsg(db), "SELECT stopped: it ran longer than max_seconds = 1") == 0, "%s", mlg_errmsg(db));
    CHECK(took >= 0.9 && took < 5, "stopped after %.2f s", took);
    CHECK(mlg_error_offset(db) == 0, "offset %d", mlg_error_offset(db));
    mlg_limit(db, MLG_LIMIT_SECONDS, 0);

    /* max_rows: the result's rows */
    mlg_limit(db, MLG_LIMIT_ROWS, 500);
    rc = run(db, RUNAWAY_ROWS, &rows);
    CHECK(rc == MLG_DENIED, "rc %d: %s", rc, mlg_errmsg(db));
    CHECK(strstr(mlg_errmsg(db), "more than max_rows = 500 rows") != NULL, "%s", mlg_errmsg(db));
    rc = run(db, RUNAWAY_ROWS " LIMIT 500", &rows);
    CHECK(rc == MLG_DONE && rows == 500, "rc %d rows %d: %s", rc, rows, mlg_errmsg(db));
    /* SET lowers it; it cannot raise it above the host's ceiling */
    rc = run(db, "SET max_rows = 10", &rows);
    CHECK(rc == MLG_DONE, "SET: %s", mlg_errmsg(db));
    rc = run(db, RUNAWAY_ROWS " LIMIT 11", &rows);
    CHECK(rc == MLG_DENIED, "rc %d", rc);
    rc = run(db, "SET max_rows = 100000", &rows);
    CHECK(rc != MLG_DONE, "SET above the ceiling accepted");
    mlg_limit(db, MLG_LIMIT_ROWS, 0);
    rc = run(db, "SET max_rows = 0", &rows);

    /* no limit at all: mlg_interrupt from another thread stops it */
    pthread_t th;
    pthread_create(&th, NULL, interrupter, db);
    t0 = now();
    rc = run(db, RUNAWAY_COUNT, &rows);
    took = now() - t0;
    pthread_join(th, NULL);
    CHECK(rc == MLG_INTERRUPT, "rc %d: %s", rc, mlg_errmsg(db));
    CHECK(took < 5, "interrupt took %.2f s", took);

    /* and the handle works normally afterwards */
    rc = run(db, "SELECT count(*) FROM runs", &rows);
    CHECK(rc == MLG_DONE && rows == 1, "rc %d: %s", rc, mlg_errmsg(db));

    mlg_close(db);
    unlink(path);
    char p[64];
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    printf("test_select_limits: %d failures\n", failures);
    return failures ? 1 : 0;
}
