/* fuzz_model.c — libFuzzer target: the input is a tiny data set and a
 * choice of experiment, run end to end (reader, profile, task and folds,
 * transforms, model fits and predictions, metrics, catalog writes).
 *
 * Input: 4 choice bytes, then the CSV text.
 *   byte 0  model family and its small grid
 *   byte 1  PREPROCESS chain
 *   byte 2  evaluation protocol
 *   byte 3  task kind (AS CLASSIFICATION / AS REGRESSION / inferred) and
 *           the target column (first or last)
 * The CSV is written to a temporary file and loaded with CREATE DATASET;
 * the task predicts one of its columns; EXPLORE runs under tight limits
 * (max_rows, max_configs, max_seconds, max_memory) so no input runs long.
 *
 * Invariants (a failure aborts, so libFuzzer records the input): every
 * error has a code and a message; after an EXPLORE that succeeded, the
 * experiment is 'finished' with every planned run recorded, and every run
 * is either ok with a finite score or failed with a reason; after one that
 * failed, no experiment is left 'running'.  Numerical trouble in a model
 * (singular matrices, non-convergence, overflow) must show up as a failed
 * run, never as a crash, a NaN score marked ok, or a stopped experiment.
 *
 * Built with -fsanitize=fuzzer for fuzzing, or linked with driver.c to
 * replay files in ctest.  MLG_FUZZ_VERBOSE=1 prints every statement and
 * its outcome. */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mileage.h"

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "fuzz_model: invariant failed: %s: ", #cond);    \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
            abort();                                                         \
        }                                                                    \
    } while (0)

static const char *const families[] = {
    "baseline",
    "logreg(C IN {0.01, 100})",
    "logreg(C = 1e6, penalty = l1, max_iter = 100)",  /* unbounded: 3.7 s for 11 rows (docs/fuzzing.md) */
    "ridge(alpha IN {0, 1e-12})",
    "linreg",
    "lasso(alpha IN {1e-6, 10}, max_iter = 5)",
    "elasticnet(alpha = 0.1, l1_ratio = 0.5)",
    "knn(k IN {1, 50}, weights = distance)",
    "knn(k = 3, metric = manhattan)",
    "tree(max_depth IN {1, 0})",
    "forest(trees = 3, max_depth = 3)",
    "gbt(rounds = 3, max_depth = 2, learning_rate = 10)",
    "nb",
    "nb(var_smoothing = 0)",
    "linsvm(C IN {1e-6, 1e6}, loss = hinge)",
    "baseline, ridge(alpha = 1), knn(k = 2)",
};
static const char *const preprocess[] = {
    "",
    " PREPROCESS standardize",
    " PREPROCESS impute(median), onehot, standardize",
    " PREPROCESS impute(most_frequent) ON all, minmax",
    " PREPROCESS standardize, pca(k = 2)",
    " PREPROCESS poly(degree = 2)",
    " PREPROCESS select_k(k = 1)",
    " PREPROCESS bin(k = 3, strategy = quantile)",
    " PREPROCESS onehot(max_levels = 2), standardize ON all",
    " PREPROCESS impute(constant, value = 1e300) ON numeric, standardize",
};
static const char *const protocols[] = {
    "EVALUATE BY CV(2)", "EVALUATE BY CV(3)", "EVALUATE BY HOLDOUT(0.3)",
    "EVALUATE BY REPEATED CV(2, 2)", "",
};
static const char *const kinds[] = {"", " AS CLASSIFICATION", " AS REGRESSION"};

#define N(a) (sizeof a / sizeof a[0])

static mlg_db *db;
static char db_path[4096], csv_path[4096];

static void remove_catalog(void)
{
    char p[sizeof db_path + 8];
    unlink(db_path);
    snprintf(p, sizeof p, "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db_path);
    unlink(p);
}

static void cleanup(void)
{
    mlg_close(db);
    db = NULL;
    if (db_path[0]) remove_catalog();
    if (csv_path[0]) unlink(csv_path);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = "/tmp";
    snprintf(db_path, sizeof db_path, "%s/mlg_fuzz_model_XXXXXX", tmp);
    int fd = mkstemp(db_path);
    CHECK(fd >= 0, "cannot create a temporary catalog %s", db_path);
    close(fd);
    snprintf(csv_path, sizeof csv_path, "%s/mlg_fuzz_model_XXXXXX.csv", tmp);
    fd = mkstemps(csv_path, 4);
    CHECK(fd >= 0, "cannot create a temporary CSV %s", csv_path);
    close(fd);
    atexit(cleanup);
    int rc = mlg_open(db_path, &db);
    CHECK(rc == MLG_OK, "mlg_open: %s", db ? mlg_errmsg(db) : "no handle");
    /* the host's ceilings: a tiny data set, a few configurations, short */
    mlg_limit(db, MLG_LIMIT_ROWS, 300);
    mlg_limit(db, MLG_LIMIT_CONFIGS, 8);
    mlg_limit(db, MLG_LIMIT_SECONDS, 5);
    mlg_limit(db, MLG_LIMIT_MEMORY, 16 << 20);
}

static void check_error(int rc, const char *what)
{
    const char *msg = mlg_errmsg(db);
    CHECK(rc != MLG_OK && rc != MLG_ROW && rc != MLG_DONE, "%s: rc %d", what, rc);
    CHECK(mlg_errcode(db) != MLG_OK, "%s: errcode %d after rc %d", what, mlg_errcode(db), rc);
    CHECK(msg && msg[0], "%s: empty message for rc %d", what, rc);
}

/* Runs one statement to its end; returns MLG_DONE or the error code. */
static int run(const char *sql)
{
    mlg_stmt *st = NULL;
    int rc = mlg_prepare(db, sql, -1, &st, NULL);
    if (rc != MLG_OK) {
        check_error(rc, sql);
        if (getenv("MLG_FUZZ_VERBOSE")) fprintf(stderr, "%s\n  -> %s\n", sql, mlg_errmsg(db));
        return rc;
    }
    if (!st) return MLG_DONE;
    while ((rc = mlg_step(st)) == MLG_ROW) {
        for (int i = 0; i < mlg_column_count(st); i++) (void)mlg_column_text(st, i);
    }
    if (rc != MLG_DONE) check_error(rc, sql);
    if (getenv("MLG_FUZZ_VERBOSE"))
        fprintf(stderr, "%s\n  -> %s\n", sql, rc == MLG_DONE ? (mlg_stmt_message(st) ? mlg_stmt_message(st) : "done")
                                                        : mlg_errmsg(db));
    mlg_finalize(st);
    return rc;
}

/* One integer from a SELECT over the catalog. */
static long long count(const char *sql)
{
    mlg_stmt *st = NULL;
    int rc = mlg_prepare(db, sql, -1, &st, NULL);
    CHECK(rc == MLG_OK && st, "%s: %s", sql, mlg_errmsg(db));
    rc = mlg_step(st);
    CHECK(rc == MLG_ROW, "%s: rc %d: %s", sql, rc, mlg_errmsg(db));
    long long v = mlg_column_int(st, 0);
    mlg_finalize(st);
    return v;
}

/* The header's first or last column name, as a quoted identifier; NULL
 * when the file has no usable header line. */
static char *target_name(const uint8_t *csv, size_t n, int last)
{
    size_t end = 0;
    while (end < n && csv[end] != '\n' && csv[end] != '\r') end++;
    size_t a = 0, b = end;
    if (last) {
        for (size_t i = 0; i < end; i++)
            if (csv[i] == ',') a = i + 1;
    } else {
        for (b = 0; b < end && csv[b] != ','; b++) {}
    }
    if (b <= a || b - a > 64) return NULL;
    char *q = malloc(2 * (b - a) + 3), *p = q;
    if (!q) return NULL;
    *p++ = '"';
    for (size_t i = a; i < b; i++) {
        if (csv[i] == 0) {
            free(q);
            return NULL;
        }
        if (csv[i] == '"') *p++ = '"';
        *p++ = (char)csv[i];
    }
    *p++ = '"';
    *p = 0;
    return q;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db) setup();
    if (size < 4 || size > 8192) return 0;
    const uint8_t *csv = data + 4;
    size_t ncsv = size - 4;

    FILE *f = fopen(csv_path, "wb");
    CHECK(f != NULL, "cannot write %s", csv_path);
    if (ncsv) fwrite(csv, 1, ncsv, f);
    fclose(f);

    /* a fresh catalog state for every input: the data set, its task and
     * their experiments go; configurations are shared and stay */
    run("DROP DATASET d CASCADE;");
    char sql[8192];
    snprintf(sql, sizeof sql, "CREATE DATASET d FROM '%s';", csv_path);
    if (run(sql) != MLG_DONE) return 0;

    char *target = target_name(csv, ncsv, data[3] & 1);
    if (!target) return 0;
    snprintf(sql, sizeof sql, "CREATE TASK t ON d PREDICT %s%s %s SEED %d;", target,
             kinds[(data[3] >> 1) % N(kinds)], protocols[data[2] % N(protocols)], data[2] >> 4);
    free(target);
    if (run(sql) != MLG_DONE) return 0;

    long long before = count("SELECT count(*) FROM experiments");
    snprintf(sql, sizeof sql, "EXPLORE t USING %s%s;", families[data[0] % N(families)],
             preprocess[data[1] % N(preprocess)]);
    int rc = run(sql);
    long long after = count("SELECT count(*) FROM experiments");
    CHECK(count("SELECT count(*) FROM experiments WHERE status = 'running'") == 0,
          "an experiment left running after: %s", sql);
    if (rc == MLG_DONE) {
        CHECK(after == before + 1, "EXPLORE succeeded without an experiment: %s", sql);
        CHECK(count("SELECT count(*) FROM experiments WHERE id = (SELECT max(id) FROM experiments)"
                    " AND status = 'finished' AND finished_runs = planned_runs") == 1,
              "experiment not finished with every run: %s", sql);
        CHECK(count("SELECT count(*) FROM runs WHERE experiment = (SELECT max(id) FROM experiments)"
                    " AND NOT ((status = 'ok' AND score IS NOT NULL AND error IS NULL)"
                    "       OR (status = 'failed' AND score IS NULL AND length(error) > 0))") == 0,
              "a run that is neither ok with a score nor failed with a reason: %s", sql);
    }
    return 0;
}
