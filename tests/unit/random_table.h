/* random_table.h — the random tables of the sharing tests (on vs off must
 * give the same scores on odd data, not only on the shipped datasets).
 * Each table is drawn with one kind of oddity: values rounded to integers
 * (many equal distances and split points), an all-zero column, a
 * duplicated column, missing values, repeated rows.  Include check.h and
 * fixture.h first (and mileage.h for the sweep's helpers: a catalog, the
 * comparison of sharing on and off). */
#ifndef TEST_RANDOM_TABLE_H
#define TEST_RANDOM_TABLE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { RTAB_ROUNDED, RTAB_ZERO, RTAB_DUPLICATE, RTAB_MISSING, RTAB_REPEATED, RTAB_NKINDS };

/* A table of n rows at path: p numeric features of the kind, a categorical
 * column c when cat, the columns g (an integer 0..3, for FOLDS(g)) and ts
 * (increasing with the row, for TIME SPLIT ON ts) when extra, and y (a
 * class "k0".."k{K-1}" by quantile of a linear score, or that score when
 * reg).  Draws from *rng; 0, or -1 when the file cannot be written. */
static inline int rtab_write(unsigned long long *rng, const char *path, int n, int p, int K, int kind, int cat,
                             int reg, int extra)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    double *X = malloc((size_t)n * p * sizeof *X), *z = malloc((size_t)n * sizeof *z), w[16];
    if (!X || !z) {
        free(X);
        free(z);
        fclose(f);
        return -1;
    }
    for (int j = 0; j < p; j++) w[j] = fixture_gauss(rng);
    for (int i = 0; i < n; i++) {
        /* repeated rows: a third of the rows drawn, the rest copies */
        const double *src =
            kind == RTAB_REPEATED && i >= n / 3 ? X + (size_t)(int)(fixture_uniform(rng) * (n / 3)) * p : NULL;
        z[i] = fixture_gauss(rng);
        for (int j = 0; j < p; j++) {
            double v = src ? src[j] : fixture_gauss(rng);
            /* rounded: with one column only, a few values and symmetric
             * classes make two classes' decisions tie in exact arithmetic */
            if (kind == RTAB_ROUNDED && p > 1) v = round(v);
            /* beside another column: a table whose only feature is constant
             * leaves classes of equal count tied in exact arithmetic */
            if (kind == RTAB_ZERO && j == 0 && p > 1) v = 0;
            if (kind == RTAB_DUPLICATE && j == 1) v = X[(size_t)i * p];
            X[(size_t)i * p + j] = v;
            z[i] += w[j] * v;
        }
    }
    for (int j = 0; j < p; j++) fprintf(f, "x%d,", j);
    fprintf(f, "%s%sy\n", cat ? "c," : "", extra ? "g,ts," : "");
    /* class cut points: the K-quantiles of z */
    double cuts[8];
    for (int c = 1; c < K; c++) {   /* bisection on the rank */
        double lo = -20, hi = 20;
        for (int it = 0; it < 60; it++) {
            double mid = (lo + hi) / 2;
            int below = 0;
            for (int i = 0; i < n; i++) below += z[i] < mid;
            if (below < n * c / K) lo = mid;
            else hi = mid;
        }
        cuts[c - 1] = hi;
    }
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < p; j++) {
            double v = X[(size_t)i * p + j];
            /* missing: a tenth of x0, beside other columns — a row whose
             * every feature is imputed sits at the training mean, where a
             * model of balanced classes on centered features decides by an
             * exact tie (decision 0 in exact arithmetic, ±2e-17 by
             * rounding), which no two solvers need to break alike */
            if (kind == RTAB_MISSING && p > 1 && j == 0 && fixture_uniform(rng) < 0.1) fprintf(f, ",");
            else fprintf(f, "%.6g,", v);
        }
        if (cat) fprintf(f, "%c,", "abc"[(int)(fixture_uniform(rng) * 3)]);
        if (extra) {
            int g = (int)(fixture_uniform(rng) * 4);
            fprintf(f, "%d,%.6g,", g, i + 0.5 * fixture_uniform(rng));
        }
        if (reg) fprintf(f, "%.6g\n", z[i]);
        else {
            int c = 0;
            while (c < K - 1 && z[i] >= cuts[c]) c++;
            fprintf(f, "k%d\n", c);
        }
    }
    free(X);
    free(z);
    return fclose(f);
}


#ifdef MILEAGE_H
#include <string.h>
#include <unistd.h>

/* One integer a query returns, or -1. */
static inline int rtab_query_int(mlg_db *db, const char *q)
{
    mlg_stmt *s = NULL;
    int n = -1;
    if (mlg_prepare(db, q, -1, &s, NULL) == MLG_OK && mlg_step(s) == MLG_ROW) n = (int)mlg_column_int(s, 0);
    mlg_finalize(s);
    return n;
}

/* A sweep's start: the number of tables (MLG_SHARE_TABLES, else def) and
 * *rng's seed (MLG_SHARE_SEED, else as it is); a new catalog at path and a
 * file name for the tables in csv (mkstemp templates ending XXXXXX and
 * XXXXXX.csv), opened in *db with reuse off.  The count, or -1. */
static inline int rtab_sweep_begin(int def, unsigned long long *rng, char *path, char *csv, mlg_db **db)
{
    const char *env = getenv("MLG_SHARE_TABLES");
    int tables = env ? atoi(env) : def;
    if ((env = getenv("MLG_SHARE_SEED"))) *rng = strtoull(env, NULL, 10);
    int fd = mkstemp(path);
    if (fd < 0) return -1;
    close(fd);
    unlink(path);
    if ((fd = mkstemps(csv, 4)) < 0) return -1;
    close(fd);
    if (mlg_open(path, db) != MLG_OK) return -1;
    CHECK(fixture_run(*db, "SET reuse = off;") == MLG_OK, "set: %s", mlg_errmsg(*db));
    return tables;
}

/* The last two experiments (sharing on, then off) against each other: the
 * same runs — configuration, round, rung and batch —, each with the same
 * status and its score and `second` metric within 1e-9 (relative, at least
 * absolute).  desc names the table in failures.  The runs compared. */
static inline int rtab_compare(mlg_db *db, const char *second, const char *desc)
{
    char q[2048];
    int off = rtab_query_int(db, "SELECT max(id) FROM experiments"), on = off - 1;
    snprintf(q, sizeof q, "SELECT count(*) FROM runs WHERE experiment = %d", on);
    int n_on = rtab_query_int(db, q);
    snprintf(q, sizeof q, "SELECT count(*) FROM runs WHERE experiment = %d", off);
    int n_off = rtab_query_int(db, q);
    CHECK(n_on > 0 && n_on == n_off, "%s: %d runs with sharing on, %d off", desc, n_on, n_off);
    snprintf(q, sizeof q,
             "SELECT a.family, a.params, a.fold, a.rung, a.status, b.status, a.scores, b.scores,"
             "       abs(a.score - b.score) <= 1e-9 * max(1, abs(b.score)) AND"
             "       abs(json_extract(a.scores, '$.%s') - json_extract(b.scores, '$.%s')) <="
             "         1e-9 * max(1, abs(json_extract(b.scores, '$.%s')))"
             "  FROM runs a JOIN runs b ON a.config_id = b.config_id AND a.fold = b.fold AND a.rung IS b.rung"
             "   AND a.batch IS b.batch"
             " WHERE a.experiment = %d AND b.experiment = %d",
             second, second, second, on, off);
    mlg_stmt *s = NULL;
    CHECK(mlg_prepare(db, q, -1, &s, NULL) == MLG_OK, "compare: %s", mlg_errmsg(db));
    int rows = 0;
    while (s && mlg_step(s) == MLG_ROW) {
        rows++;
        const char *sa = mlg_column_text(s, 4), *sb = mlg_column_text(s, 5);
        int same_status = sa && sb && !strcmp(sa, sb);
        int close = mlg_column_int(s, 8) == 1 || (same_status && strcmp(sa, "ok") != 0);
        CHECK(same_status && close, "%s: %s %s fold %d rung %d: %s %s vs %s %s", desc, mlg_column_text(s, 0),
              mlg_column_text(s, 1), (int)mlg_column_int(s, 2), (int)mlg_column_int(s, 3), sa ? sa : "?",
              mlg_column_text(s, 6), sb ? sb : "?", mlg_column_text(s, 7));
    }
    mlg_finalize(s);
    CHECK(rows == n_on, "%s: %d of %d runs matched between sharing on and off", desc, rows, n_on);
    return rows;
}

/* The sweep's end: the catalog closed and removed, the table file too
 * unless keep; the summary line.  The test's exit status. */
static inline int rtab_sweep_end(const char *name, mlg_db *db, const char *path, const char *csv, int keep, int tables,
                                 int compared)
{
    mlg_close(db);
    if (!keep) unlink(csv);
    fixture_drop_db(path);
    printf("  %d tables, %d runs compared between sharing on and off\n", tables, compared);
    if (failures) printf("%d failure(s) of %d checks\n", failures, checks);
    else printf("%s: ok (%d checks)\n", name, checks);
    return failures != 0;
}
#endif

#endif
