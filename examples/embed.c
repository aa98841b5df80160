/* embed.c — mileage embedded in a C program through mileage.h only.
 * Usage: embed_example DATA.csv CATALOG.db
 * Loads iris, defines a task, explores a small grid with the
 * prepare/step/finalize loop (the tail pointer walks the script), then
 * reads the repository back with SELECT.  Exits non-zero on any failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mileage.h"

static int run(mlg_db *db, const char *script, int *rows_out)
{
    const char *p = script;
    int rows = 0;
    while (*p) {
        mlg_stmt *s = NULL;
        const char *tail = NULL;
        if (mlg_prepare(db, p, -1, &s, &tail) != MLG_OK) {
            fprintf(stderr, "prepare failed at offset %d: %s\n", mlg_error_offset(db), mlg_errmsg(db));
            return 1;
        }
        if (!s) break;  /* only blanks/comments were left */
        int rc;
        while ((rc = mlg_step(s)) == MLG_ROW) {
            rows++;
            for (int i = 0; i < mlg_column_count(s); i++) {
                const char *t = mlg_column_text(s, i);
                printf("%s%s=%s", i ? " " : "", mlg_column_name(s, i), t ? t : "NULL");
            }
            printf("\n");
        }
        if (rc != MLG_DONE) {
            fprintf(stderr, "step failed: %s\n", mlg_errmsg(db));
            mlg_finalize(s);
            return 1;
        }
        if (mlg_stmt_message(s)) printf("-- %s\n", mlg_stmt_message(s));
        mlg_finalize(s);
        p = tail;
    }
    if (rows_out) *rows_out = rows;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s DATA.csv CATALOG.db\n", argv[0]);
        return 2;
    }
    remove(argv[2]);
    mlg_db *db = NULL;
    if (mlg_open(argv[2], &db) != MLG_OK) {
        fprintf(stderr, "open: %s\n", mlg_errmsg(db));
        mlg_close(db);
        return 1;
    }
    char script[4096];
    snprintf(script, sizeof script,
             "CREATE DATASET iris FROM '%s';\n"
             "CREATE TASK species ON iris PREDICT target EVALUATE BY CV(3) SEED 1;\n"
             "SET show_times = off;\n"
             "EXPLORE species USING logreg(C IN {0.1, 1}), ridge(alpha IN logspace(-2, 2, 3))\n"
             "  PREPROCESS standardize;\n",
             argv[1]);
    int rows = 0, rc = run(db, script, &rows);
    if (!rc && rows != 5) {
        fprintf(stderr, "expected 5 ranked configurations, got %d\n", rows);
        rc = 1;
    }
    /* the repository holds every (config, fold) run: 5 configs x 3 folds */
    if (!rc) rc = run(db, "SELECT count(*) AS n FROM runs WHERE status = 'ok';", &rows);
    mlg_stmt *s = NULL;
    if (!rc && mlg_prepare(db, "SELECT count(*) FROM runs", -1, &s, NULL) == MLG_OK &&
        mlg_step(s) == MLG_ROW && mlg_column_int(s, 0) != 15) {
        fprintf(stderr, "expected 15 runs, found %lld\n", mlg_column_int(s, 0));
        rc = 1;
    }
    mlg_finalize(s);
    /* errors come back as codes with a message and an offset, never abort */
    if (!rc && mlg_prepare(db, "EXPLORE species USING logrg(C = 1);", -1, &s, NULL) != MLG_NAME) {
        fprintf(stderr, "expected MLG_NAME for a misspelt family\n");
        rc = 1;
    } else if (!rc && (mlg_error_offset(db) != 22 || !strstr(mlg_errmsg(db), "did you mean 'logreg'"))) {
        fprintf(stderr, "unexpected error report: %d %s\n", mlg_error_offset(db), mlg_errmsg(db));
        rc = 1;
    }
    if (!rc && mlg_prepare(db, "SELECT 1; DELETE FROM runs", -1, &s, NULL) == MLG_OK) {
        /* the first statement runs; the DELETE is not SQL mileage accepts */
        mlg_finalize(s);
    }
    if (!rc && mlg_exec(db, "SELECT * FROM runs; DELETE FROM runs;", NULL, NULL) == MLG_OK) {
        fprintf(stderr, "a DELETE was accepted\n");
        rc = 1;
    }
    mlg_close(db);
    if (!rc) printf("embed example: ok\n");
    return rc;
}
