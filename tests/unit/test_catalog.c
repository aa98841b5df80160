/* test_catalog.c — unit tests of the experiment repository (catalog/).
 * Builds a catalog in a fresh temp directory, exercises every write and
 * listing, the read-only SELECT guard, and the refusal of foreign files.
 * Prints each failure; exits non-zero when any check failed.
 * Deliberately does not include the SQLite header: fixture files (foreign and
 * newer-version catalogs) are made by editing bytes of real catalogs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>


#include "../../catalog/catalog.h"
#include "../../include/mileage.h"
#include "check.h"



static char dir[64];

static char *path_in(const char *name)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

/* Runs a SELECT that must succeed; NULL (and a failure) otherwise. */
static ut_result *sel(cat_db *db, const char *sql)
{
    ut_err e;
    ut_err_clear(&e);
    ut_result *r = NULL;
    int rc = cat_select(db, sql, &r, &e);
    CHECK(rc == 0 && r, "%s -> %s", sql, e.msg);
    return rc == 0 ? r : NULL;
}

static const ut_value *cellv(const ut_result *r, int row, int col)
{
    return &r->cells[(size_t)row * (size_t)r->ncols + (size_t)col];
}

static long long sel_int(cat_db *db, const char *sql)
{
    ut_result *r = sel(db, sql);
    long long v = -999;
    if (r && r->nrows == 1 && cellv(r, 0, 0)->type == UT_INT) v = cellv(r, 0, 0)->i;
    else CHECK(0, "%s: expected one integer", sql);
    ut_result_free(r);
    return v;
}

static int col_index(const ut_result *r, const char *name)
{
    for (int i = 0; i < r->ncols; i++)
        if (strcmp(r->names[i], name) == 0) return i;
    return -1;
}

static void check_names(const ut_result *r, const char *what, const char *const *names, int n)
{
    CHECK(r->ncols == n, "%s: %d columns, expected %d", what, r->ncols, n);
    for (int i = 0; i < n && i < r->ncols; i++)
        CHECK(strcmp(r->names[i], names[i]) == 0, "%s: column %d is %s, expected %s", what, i,
              r->names[i], names[i]);
}

static void expect_select_err(cat_db *db, const char *sql, int code, const char *msg)
{
    ut_err e;
    ut_err_clear(&e);
    ut_result *r = NULL;
    int rc = cat_select(db, sql, &r, &e);
    CHECK(rc == -1 && r == NULL, "%s: expected an error", sql);
    CHECK(e.code == code, "%s: code %d, expected %d (%s)", sql, e.code, code, e.msg);
    CHECK(strcmp(e.msg, msg) == 0, "%s: message '%s', expected '%s'", sql, e.msg, msg);
    ut_result_free(r);
}

static void expect_open_err(const char *path, const char *msg)
{
    ut_err e;
    ut_err_clear(&e);
    cat_db *db = (cat_db *)1;
    int rc = cat_open(path, &db, &e);
    CHECK(rc == -1 && db == NULL, "open %s should fail", path);
    CHECK(e.code == MLG_CATALOG, "open %s: code %d (%s)", path, e.code, e.msg);
    CHECK(strcmp(e.msg, msg) == 0, "open: message '%s', expected '%s'", e.msg, msg);
    if (rc == 0) cat_close(db);
}

static cat_db *open_ok(const char *path)
{
    ut_err e;
    ut_err_clear(&e);
    cat_db *db = NULL;
    int rc = cat_open(path, &db, &e);
    CHECK(rc == 0 && db, "open %s: %s", path, e.msg);
    return db;
}

/* Reads or rewrites whole files: the fixtures are byte edits of catalogs. */
static unsigned char *slurp(const char *path, long *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)*n + 1);
    if (b && fread(b, 1, (size_t)*n, f) != (size_t)*n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    return b;
}

static int spit(const char *path, const void *b, long n)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int ok = fwrite(b, 1, (size_t)n, f) == (size_t)n;
    return fclose(f) == 0 && ok ? 0 : -1;
}

/* ------------------------------------------------------------------ */

static long long make_dataset(cat_db *db, const char *name, int nrows)
{
    cat_dataset d = {0};
    d.name = (char *)name;
    d.path = "data/credit-g.csv";
    d.format = "csv";
    d.hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    d.nrows = nrows;
    d.ncols = 2;
    cat_column cols[2] = {
        {.name = "age", .type = "numeric", .missing = 1, .distinct = 40,
         .min = 19, .max = 75, .mean = 35.5, .std = 11.25},
        {.name = "class", .type = "categorical", .missing = 0, .distinct = 2,
         .min = NAN, .max = NAN, .mean = NAN, .std = NAN, .nlevels = 2},
    };
    ut_err e;
    ut_err_clear(&e);
    long long id = -1;
    int rc = cat_dataset_create(db, &d, cols, 2, &id, &e);
    CHECK(rc == 0 && id > 0, "create dataset %s: %s", name, e.msg);
    return id;
}

static long long make_task(cat_db *db, const char *name, const char *dataset, const char *kind,
                           const char *metric, int nrows, int k)
{
    cat_task t = {0};
    t.name = (char *)name;
    t.dataset = (char *)dataset;
    t.target = "class";
    t.kind = (char *)kind;
    t.metric = (char *)metric;
    t.protocol_json = "{\"type\":\"cv\",\"k\":5}";
    t.seed = 7;
    t.nrounds = k;
    t.folds_hash = "feedface";
    int *fold = malloc((size_t)nrows * sizeof *fold);
    for (int i = 0; i < nrows; i++) fold[i] = i % k;
    ut_err e;
    ut_err_clear(&e);
    long long id = -1;
    int rc = cat_task_create(db, &t, fold, nrows, &id, &e);
    CHECK(rc == 0 && id > 0, "create task %s: %s", name, e.msg);
    free(fold);
    return id;
}

static long long intern(cat_db *db, const char *family, const char *params)
{
    ut_err e;
    ut_err_clear(&e);
    long long id = -1;
    CHECK(cat_config_intern(db, family, params, &id, &e) == 0 && id > 0, "intern: %s", e.msg);
    return id;
}

static void add_run(cat_db *db, long long exp, long long cfg, int fold, double score)
{
    cat_run r = {.experiment_id = exp, .config_id = cfg, .fold = fold, .score = score,
                 .scores_json = "{}", .fit_seconds = 0.5, .predict_seconds = 0.25,
                 .status = isnan(score) ? "failed" : "ok",
                 .error = isnan(score) ? "did not converge" : NULL};
    ut_err e;
    ut_err_clear(&e);
    CHECK(cat_run_insert(db, &r, &e) == 0, "run insert: %s", e.msg);
}


/* cat_reusable_runs: runs of the same lineage only — another experiment on
 * a task defined alike on the same dataset row, ok runs, the asked
 * configs; a different seed, metric, target, protocol, folds or dataset
 * gives nothing, and a copy points at its origin. */
static long long exp_on(cat_db *db, long long task)
{
    ut_err e;
    ut_err_clear(&e);
    long long id = -1;
    CHECK(cat_experiment_begin(db, task, "EXPLORE t;", NULL, NULL, NULL, 2, &id, &e) == 0, "%s", e.msg);
    return id;
}

static int reusable(cat_db *db, long long task, long long exclude, long long cfg)
{
    ut_err e;
    ut_err_clear(&e);
    ut_result *r = NULL;
    long long ids[1] = {cfg};
    if (cat_reusable_runs(db, task, exclude, ids, 1, &r, &e)) {
        CHECK(0, "cat_reusable_runs: %s", e.msg);
        return -1;
    }
    int n = r->nrows;
    ut_result_free(r);
    return n;
}

/* cat_fit_history against the query it replaced (over the runs view, every
 * run of the dataset): the mean fit seconds of each config's latest
 * experiment that ran it ok, when that experiment is on the dataset. */
static double old_history(cat_db *db, const char *dataset, long long cfg)
{
    char q[512];
    snprintf(q, sizeof q,
             "SELECT avg(fit_seconds) FROM runs r WHERE status = 'ok' AND experiment = "
             "(SELECT max(experiment) FROM runs r2 WHERE r2.config_id = r.config_id AND r2.status = 'ok') "
             "AND dataset = '%s' AND config_id = %lld GROUP BY config_id", dataset, cfg);
    ut_result *r = sel(db, q);
    double v = r && r->nrows == 1 && r->cells[0].type == UT_FLOAT ? r->cells[0].d : NAN;
    ut_result_free(r);
    return v;
}

static void test_fit_history(cat_db *db, long long a, long long b, long long failed, long long other_task)
{
    ut_err e;
    ut_err_clear(&e);
    /* b's latest run is on another dataset: no history on d1 any more */
    long long eo = exp_on(db, other_task);
    cat_run r = {.experiment_id = eo, .config_id = b, .fold = 0, .score = 0.5, .scores_json = "{}",
                 .fit_seconds = 2.0, .status = "ok"};
    CHECK(cat_run_insert(db, &r, &e) == 0, "%s", e.msg);
    long long ids[5] = {a, b, failed, -1, a};
    double h[5];
    const char *ds[2] = {"d1", "d2"};
    for (int k = 0; k < 2; k++) {
        CHECK(cat_fit_history(db, ds[k], -1, ids, 5, h, &e) == 0, "fit history: %s", e.msg);
        for (int i = 0; i < 5; i++) {
            double want = ids[i] < 0 ? NAN : old_history(db, ds[k], ids[i]);
            CHECK((isnan(want) && isnan(h[i])) || h[i] == want, "fit history %s config %lld: %g, the old query %g",
                  ds[k], ids[i], h[i], want);
        }
    }
    CHECK(isnan(h[0]) && h[1] == 2.0 && isnan(h[2]) && isnan(h[3]), "d2: only b's latest experiment");
    /* the same sharing setting only: with b's latest experiment run with
     * sharing off, a sharing-on plan takes b's earlier one (on d1), a
     * sharing-off plan that one */
    CHECK(cat_experiment_set_repro(db, eo, "{\"sharing\":0}", &e) == 0, "%s", e.msg);
    CHECK(cat_fit_history(db, "d2", 0, ids, 5, h, &e) == 0 && h[1] == 2.0, "d2, sharing off: b's latest");
    CHECK(cat_fit_history(db, "d2", 1, ids, 5, h, &e) == 0 && isnan(h[1]), "d2, sharing on: not the off run");
    CHECK(cat_fit_history(db, "d1", 1, ids, 5, h, &e) == 0 && !isnan(h[1]), "d1, sharing on: b's run before");
    CHECK(cat_fit_history(db, "d1", -1, ids, 5, h, &e) == 0 && !isnan(h[0]) && isnan(h[1]) && isnan(h[2]),
          "d1: a has history; b's latest experiment is on d2; failed runs give none");
}

/* The lookups every EXPLORE makes reach mlg_runs through an index keyed by
 * the asked configurations, never through every run of the task:
 * a catalog with hundreds of experiments on a task stays fast.  Checked on
 * the plan, which does not depend on timing. */
static void test_lookup_plans(cat_db *db)
{
    const int which[3] = {CAT_PLAN_REUSABLE, CAT_PLAN_FIT_HISTORY, CAT_PLAN_RESULTS_OF};
    const char *name[3] = {"reusable runs", "fit history", "results of one experiment"};
    for (int k = 0; k < 3; k++) {
        ut_err e;
        ut_err_clear(&e);
        ut_result *r = NULL;
        CHECK(cat_lookup_plan(db, which[k], &r, &e) == 0 && r, "%s plan: %s", name[k], e.msg);
        if (!r) continue;
        int det = col_index(r, "detail"), runs_by_index = 0, scans = 0;
        for (int i = 0; det >= 0 && i < r->nrows; i++) {
            const ut_value *v = cellv(r, i, det);
            if (v->type != UT_TEXT) continue;
            /* mlg_runs is aliased r / r2 / top in these statements */
            if (!strncmp(v->s, "SCAN r ", 7) || !strcmp(v->s, "SCAN r") || !strncmp(v->s, "SCAN r2", 7) ||
                !strncmp(v->s, "SCAN top", 8) || !strncmp(v->s, "SCAN mlg_runs", 13))
                scans++;
            if (strstr(v->s, "INDEX mlg_runs_")) {
                runs_by_index++;
                /* by experiment alone would read every run of every
                 * experiment on the task (what the fit history did);
                 * one experiment's runs are what results of it needs */
                if (!strstr(v->s, "config_id=") && which[k] != CAT_PLAN_RESULTS_OF) scans++;
            }
        }
        CHECK(det >= 0 && scans == 0 && runs_by_index > 0,
              "%s: mlg_runs searched by index with the config id, never scanned (%d scans, %d index searches)",
              name[k], scans, runs_by_index);
        ut_result_free(r);
    }
}

static void test_reuse(void)
{
    cat_db *db = open_ok(path_in("reuse.db"));
    if (!db) return;
    ut_err e;
    ut_err_clear(&e);
    make_dataset(db, "d1", 20);
    make_dataset(db, "d2", 20);   /* the same content hash, another dataset row */
    long long t1 = make_task(db, "t1", "d1", "classification", "accuracy", 20, 2);
    long long same = make_task(db, "same", "d1", "classification", "accuracy", 20, 2);
    long long metric = make_task(db, "metric", "d1", "classification", "f1", 20, 2);
    long long other_ds = make_task(db, "other_ds", "d2", "classification", "accuracy", 20, 2);
    cat_task t = {.name = "seed", .dataset = "d1", .target = "class", .kind = "classification",
                  .metric = "accuracy", .protocol_json = "{\"type\":\"cv\",\"k\":5}", .seed = 8,
                  .nrounds = 2, .folds_hash = "feedface"};
    int fold[20];
    for (int i = 0; i < 20; i++) fold[i] = i % 2;
    long long seed = -1, proto = -1, folds = -1;
    CHECK(cat_task_create(db, &t, fold, 20, &seed, &e) == 0, "%s", e.msg);
    t.name = "proto", t.seed = 7, t.protocol_json = "{\"type\":\"holdout\",\"test\":0.5}";
    CHECK(cat_task_create(db, &t, fold, 20, &proto, &e) == 0, "%s", e.msg);
    t.name = "folds", t.protocol_json = "{\"type\":\"cv\",\"k\":5}", t.folds_hash = "beef";
    CHECK(cat_task_create(db, &t, fold, 20, &folds, &e) == 0, "%s", e.msg);
    long long a = intern(db, "ridge", "{\"alpha\":1,\"preprocess\":\"(none)\"}");
    long long b = intern(db, "ridge", "{\"alpha\":2,\"preprocess\":\"(none)\"}");
    long long failed = intern(db, "ridge", "{\"alpha\":3,\"preprocess\":\"(none)\"}");
    long long e1 = exp_on(db, t1);
    add_run(db, e1, a, 0, 0.75);
    add_run(db, e1, a, 1, 0.5);
    add_run(db, e1, failed, 0, NAN);
    long long e2 = exp_on(db, t1);
    CHECK(reusable(db, t1, e2, a) == 2, "both folds of a");
    CHECK(reusable(db, t1, e1, a) == 0, "not the experiment's own runs");
    CHECK(reusable(db, t1, e2, b) == 0, "another parameter value: another config");
    CHECK(reusable(db, t1, e2, failed) == 0, "failed runs are fitted again");
    CHECK(reusable(db, same, -1, a) == 2, "a task defined alike reuses");
    CHECK(reusable(db, seed, -1, a) == 0, "another seed");
    CHECK(reusable(db, metric, -1, a) == 0, "another metric");
    CHECK(reusable(db, proto, -1, a) == 0, "another protocol");
    CHECK(reusable(db, folds, -1, a) == 0, "other folds");
    CHECK(reusable(db, other_ds, -1, a) == 0, "another dataset row (version), even with the same content");
    /* a copy points at the origin, and the earliest origin is offered */
    cat_run c = {.experiment_id = e2, .config_id = a, .fold = 0, .score = 0.75, .scores_json = "{}",
                 .status = "ok", .reused_from = sel_int(db, "SELECT min(run_id) FROM runs WHERE config_id = 1")};
    CHECK(cat_run_insert(db, &c, &e) == 0, "%s", e.msg);
    CHECK(sel_int(db, "SELECT count(*) FROM runs WHERE reused_from IS NOT NULL") == 1, "copy recorded");
    ut_result *r = NULL;
    long long ids[2] = {a, b};
    CHECK(cat_reusable_runs(db, t1, -1, ids, 2, &r, &e) == 0 && r->nrows == 2, "one per (config, fold)");
    CHECK(r && r->cells[3].i == sel_int(db, "SELECT min(run_id) FROM runs"), "the origin, not the copy");
    ut_result_free(r);
    /* the search batch a run was fitted in and its position there (REPRODUCE
     * rebuilds the group from them); 0 stores NULL */
    cat_run bt = {.experiment_id = e2, .config_id = b, .fold = 1, .score = 0.5, .scores_json = "{}",
                  .status = "ok", .batch = 3, .batch_pos = 2};
    CHECK(cat_run_insert(db, &bt, &e) == 0, "%s", e.msg);
    CHECK(sel_int(db, "SELECT batch * 10 + batch_pos FROM runs WHERE config_id = 2 AND fold = 1") == 32,
          "batch and batch_pos stored");
    CHECK(sel_int(db, "SELECT count(*) FROM runs WHERE batch IS NULL AND batch_pos IS NULL") == 4,
          "runs without a batch store NULL");
    long long id = 0;
    CHECK(cat_config_find(db, "ridge", "{\"alpha\":2,\"preprocess\":\"(none)\"}", &id, &e) == 1 && id == b,
          "find an interned config");
    CHECK(cat_config_find(db, "ridge", "{\"alpha\":9,\"preprocess\":\"(none)\"}", &id, &e) == 0,
          "an unknown config is not interned by find");
    test_fit_history(db, a, b, failed, other_ds);
    test_lookup_plans(db);
    cat_close(db);
}

/* ------------------------------------------------------------------ */

static void test_datasets_tasks(cat_db *db)
{
    ut_err e;
    long long ds = make_dataset(db, "Credit", 10);

    /* Duplicate, compared case-insensitively; nothing is left behind. */
    cat_dataset d = {.name = "credit", .nrows = 1, .ncols = 0};
    ut_err_clear(&e);
    CHECK(cat_dataset_create(db, &d, NULL, 0, NULL, &e) == -1, "duplicate dataset accepted");
    CHECK(e.code == MLG_NAME, "duplicate code %d", e.code);
    CHECK(strcmp(e.msg, "dataset 'credit' already exists") == 0, "msg: %s", e.msg);
    CHECK(sel_int(db, "SELECT count(*) FROM datasets") == 1, "one dataset");

    cat_dataset got;
    ut_err_clear(&e);
    CHECK(cat_dataset_get(db, "CREDIT", &got, &e) == 1, "get: %s", e.msg);
    CHECK(got.id == ds && strcmp(got.name, "Credit") == 0 && got.nrows == 10 && got.ncols == 2 &&
              strcmp(got.options_json, "{}") == 0 && strcmp(got.format, "csv") == 0,
          "dataset fields");
    cat_dataset_clear(&got);
    CHECK(cat_dataset_get(db, "nope", &got, &e) == 0 && got.name == NULL, "get missing");

    long long tid = make_task(db, "risk", "credit", "classification", "accuracy", 10, 5);
    cat_task t;
    ut_err_clear(&e);
    CHECK(cat_task_get(db, "RISK", &t, &e) == 1, "task get: %s", e.msg);
    CHECK(t.id == tid && t.dataset_id == ds && strcmp(t.dataset, "Credit") == 0 &&
              strcmp(t.metric, "accuracy") == 0 && t.seed == 7 && t.nrounds == 5,
          "task fields");
    cat_task_clear(&t);
    CHECK(cat_task_get(db, "nope", &t, &e) == 0, "task get missing");

    int *fold = NULL, n = 0;
    ut_err_clear(&e);
    CHECK(cat_task_folds(db, tid, &fold, &n, &e) == 0 && n == 10, "folds: %s n=%d", e.msg, n);
    for (int i = 0; i < n; i++) CHECK(fold[i] == i % 5, "fold[%d]=%d", i, fold[i]);
    free(fold);
    CHECK(sel_int(db, "SELECT count(*) FROM folds WHERE task = 'risk' AND fold = 3") == 2,
          "folds view");

    /* Task errors: unknown dataset, duplicate name. */
    cat_task bad = {.name = "t2", .dataset = "zzz", .target = "y", .kind = "regression",
                    .metric = "rmse", .protocol_json = "{}", .nrounds = 1};
    ut_err_clear(&e);
    CHECK(cat_task_create(db, &bad, NULL, 0, NULL, &e) == -1 && e.code == MLG_NAME &&
              strcmp(e.msg, "no dataset named 'zzz'") == 0,
          "unknown dataset: %s", e.msg);
    bad.name = "Risk";
    bad.dataset = "credit";
    ut_err_clear(&e);
    CHECK(cat_task_create(db, &bad, NULL, 0, NULL, &e) == -1 &&
              strcmp(e.msg, "task 'Risk' already exists") == 0,
          "duplicate task: %s", e.msg);

    /* 200 000 folds: one reused INSERT in one transaction (~0.12 s); the
     * time is printed, never asserted (a loaded machine is not a bug). */
    make_dataset(db, "big", 200000);
    double t0 = ut_now();
    long long big = make_task(db, "bigtask", "big", "regression", "rmse", 200000, 10);
    double dt = ut_now() - t0;
    printf("200000 folds stored in %.3f s\n", dt);
    CHECK(sel_int(db, "SELECT count(*) FROM folds WHERE task = 'bigtask'") == 200000, "big folds");
    ut_err_clear(&e);
    CHECK(cat_task_folds(db, big, &fold, &n, &e) == 0 && n == 200000 && fold[199999] == 9,
          "big folds read back");
    free(fold);
}

static long long test_experiments(cat_db *db, int *nruns)
{
    ut_err e;
    cat_task t;
    ut_err_clear(&e);
    CHECK(cat_task_get(db, "risk", &t, &e) == 1, "task");
    long long exp = -1;
    CHECK(cat_experiment_begin(db, t.id, "EXPLORE risk USING logreg;", "{\"task\":\"risk\"}",
                               "LOAD -> FIT", "LOAD -> FIT(shared)", 12, &exp, &e) == 0 && exp > 0,
          "experiment begin: %s", e.msg);
    cat_task_clear(&t);

    long long c1 = intern(db, "logreg", "{\"C\":1}");
    long long c1b = intern(db, "logreg", "{\"C\":1}");
    long long c2 = intern(db, "logreg", "{\"C\":10}");
    long long c3 = intern(db, "knn", "{\"k\":3}");
    CHECK(c1 == c1b, "interning twice gives %lld and %lld", c1, c1b);
    CHECK(c1 != c2 && c2 != c3, "distinct configs share ids");
    CHECK(sel_int(db, "SELECT count(*) FROM configs") == 3, "three configs");
    CHECK(sel_int(db, "SELECT length(hash) FROM configs WHERE id = 1") == 64, "sha-256 hex");

    /* c1: five folds; c2: five folds, one failed; c3: one fold. */
    const double s1[5] = {0.70, 0.72, 0.74, 0.76, 0.78};
    const double s2[5] = {0.80, 0.82, NAN, 0.84, 0.86};
    for (int f = 0; f < 5; f++) add_run(db, exp, c1, f, s1[f]);
    for (int f = 0; f < 5; f++) add_run(db, exp, c2, f, s2[f]);
    add_run(db, exp, c3, 0, 0.65);
    *nruns = 11;

    CHECK(sel_int(db, "SELECT count(*) FROM runs") == 11, "count(*) FROM runs");
    CHECK(sel_int(db, "SELECT count(*) FROM runs WHERE status = 'failed' AND score IS NULL") == 1,
          "failed run stored with NULL score");

    /* A failing write (unknown experiment) is rolled back completely. */
    cat_run bad = {.experiment_id = 999, .config_id = c1, .status = "ok"};
    ut_err_clear(&e);
    CHECK(cat_run_insert(db, &bad, &e) == -1 && e.code == MLG_CATALOG, "FK violation accepted");
    CHECK(sel_int(db, "SELECT count(*) FROM runs") == 11, "failed insert left a row");

    ut_result *r = sel(db, "SELECT config_id, mean_score, std_score, folds, fit_seconds, family"
                           " FROM results ORDER BY config_id");
    if (r) {
        static const char *const names[] = {"config_id", "mean_score", "std_score", "folds",
                                            "fit_seconds", "family"};
        check_names(r, "results", names, 6);
        CHECK(r->nrows == 3, "results rows %d", r->nrows);
        if (r->nrows == 3) {
            double sd1 = sqrt((0.04 * 0.04 * 2 + 0.02 * 0.02 * 2) / 4.0);
            double sd2 = sqrt((0.03 * 0.03 * 2 + 0.01 * 0.01 * 2) / 3.0);
            CHECK(cellv(r, 0, 1)->type == UT_FLOAT && fabs(cellv(r, 0, 1)->d - 0.74) < 1e-12,
                  "mean c1 %g", cellv(r, 0, 1)->d);
            CHECK(fabs(cellv(r, 0, 2)->d - sd1) < 1e-12, "std c1 %g vs %g", cellv(r, 0, 2)->d, sd1);
            CHECK(cellv(r, 0, 3)->type == UT_INT && cellv(r, 0, 3)->i == 5, "folds c1");
            CHECK(fabs(cellv(r, 0, 4)->d - 2.5) < 1e-12, "fit seconds total");
            CHECK(fabs(cellv(r, 1, 1)->d - 0.83) < 1e-12, "mean c2 skips failed fold");
            CHECK(fabs(cellv(r, 1, 2)->d - sd2) < 1e-12, "std c2 %g vs %g", cellv(r, 1, 2)->d, sd2);
            CHECK(cellv(r, 1, 3)->i == 4, "folds c2 counts scored folds");
            CHECK(cellv(r, 2, 2)->type == UT_NULL, "std of one fold is NULL");
            CHECK(cellv(r, 2, 5)->type == UT_TEXT && strcmp(cellv(r, 2, 5)->s, "knn") == 0,
                  "family text");
        }
        ut_result_free(r);
    }

    /* The runs view has the documented columns and JSON params. */
    r = sel(db, "SELECT * FROM runs ORDER BY run_id LIMIT 1");
    if (r) {
        static const char *const names[] = {"run_id", "experiment", "task", "dataset", "config_id",
                                            "family", "params", "fold", "metric", "score",
                                            "fit_seconds", "predict_seconds", "status", "error"};
        CHECK(r->ncols >= 14, "runs view has %d columns", r->ncols);
        for (int i = 0; i < 14 && i < r->ncols; i++)
            CHECK(strcmp(r->names[i], names[i]) == 0, "runs column %d: %s", i, r->names[i]);
        ut_result_free(r);
    }
    CHECK(sel_int(db, "SELECT json_extract(params, '$.C') FROM runs WHERE config_id = 2 LIMIT 1") == 10,
          "params are queryable JSON");

    ut_err_clear(&e);
    CHECK(cat_experiment_finish(db, exp, "finished", NULL, &e) == 0, "finish: %s", e.msg);
    CHECK(cat_experiment_finish(db, 999, "finished", NULL, &e) == -1 && e.code == MLG_NAME,
          "finish unknown experiment");
    CHECK(cat_experiment_finish(db, exp, "bogus", NULL, &e) == -1, "bad status accepted");
    r = sel(db, "SELECT status, finished_runs, planned_runs, finished_at IS NOT NULL FROM experiments");
    if (r && r->nrows == 1) {
        CHECK(strcmp(cellv(r, 0, 0)->s, "finished") == 0, "status");
        CHECK(cellv(r, 0, 1)->i == 11 && cellv(r, 0, 2)->i == 12, "finished/planned");
        CHECK(cellv(r, 0, 3)->i == 1, "finished_at set");
    }
    ut_result_free(r);

    /* A regression task: lower rmse is better in SHOW EXPERIMENTS. */
    cat_task bt;
    CHECK(cat_task_get(db, "bigtask", &bt, &e) == 1, "bigtask");
    long long exp2 = -1;
    CHECK(cat_experiment_begin(db, bt.id, "EXPLORE bigtask;", NULL, NULL, NULL, 2, &exp2, &e) == 0,
          "exp2");
    cat_task_clear(&bt);
    add_run(db, exp2, c1, 0, 3.0);
    add_run(db, exp2, c2, 0, 2.0);
    *nruns += 2;
    return exp;
}

static void test_listings(cat_db *db)
{
    ut_err e;
    ut_result *r = NULL;

    ut_err_clear(&e);
    CHECK(cat_list_datasets(db, &r, &e) == 0, "list datasets: %s", e.msg);
    if (r) {
        static const char *const names[] = {"name", "rows", "cols", "format", "hash", "path"};
        check_names(r, "SHOW DATASETS", names, 6);
        CHECK(r->nrows == 2, "two datasets");
        /* ORDER BY name, NOCASE: big before Credit. */
        CHECK(strcmp(cellv(r, 1, 0)->s, "Credit") == 0, "order");
        CHECK(cellv(r, 1, 1)->type == UT_INT && cellv(r, 1, 1)->i == 10, "rows int");
        CHECK(strcmp(cellv(r, 1, 4)->s, "0123456789ab") == 0, "hash prefix %s", cellv(r, 1, 4)->s);
    }
    ut_result_free(r);

    CHECK(cat_list_tasks(db, &r, &e) == 0, "list tasks: %s", e.msg);
    if (r) {
        static const char *const names[] = {"name", "dataset", "target", "kind", "metric",
                                            "protocol", "seed"};
        check_names(r, "SHOW TASKS", names, 7);
        int row = r->nrows == 2 ? 1 : 0;   /* bigtask, risk */
        CHECK(strcmp(cellv(r, row, 0)->s, "risk") == 0, "task order");
        CHECK(strcmp(cellv(r, row, 5)->s, "CV(5)") == 0, "protocol %s", cellv(r, row, 5)->s);
        CHECK(cellv(r, row, 6)->type == UT_INT && cellv(r, row, 6)->i == 7, "seed");
    }
    ut_result_free(r);

    CHECK(cat_list_experiments(db, &r, &e) == 0, "list experiments: %s", e.msg);
    if (r) {
        static const char *const names[] = {"id", "task", "status", "runs", "best", "started_at"};
        check_names(r, "SHOW EXPERIMENTS", names, 6);
        CHECK(r->nrows == 2, "two experiments");
        if (r->nrows == 2) {
            CHECK(strcmp(cellv(r, 0, 3)->s, "11/12") == 0, "runs %s", cellv(r, 0, 3)->s);
            CHECK(cellv(r, 0, 4)->type == UT_FLOAT && fabs(cellv(r, 0, 4)->d - 0.83) < 1e-12,
                  "best accuracy is the max");
            CHECK(fabs(cellv(r, 1, 4)->d - 2.0) < 1e-12, "best rmse is the min: %g",
                  cellv(r, 1, 4)->d);
            CHECK(strcmp(cellv(r, 1, 2)->s, "running") == 0, "running");
            CHECK(cellv(r, 0, 5)->type == UT_TEXT && strlen(cellv(r, 0, 5)->s) == 24 &&
                      cellv(r, 0, 5)->s[23] == 'Z',
                  "ISO-8601 timestamp %s", cellv(r, 0, 5)->s);
        }
    }
    ut_result_free(r);

    CHECK(cat_describe_dataset(db, "credit", &r, &e) == 0, "describe: %s", e.msg);
    if (r) {
        static const char *const names[] = {"column", "type", "missing", "distinct", "min",
                                            "max", "mean", "std"};
        check_names(r, "DESCRIBE", names, 8);
        CHECK(r->nrows == 2, "two columns");
        if (r->nrows == 2) {
            CHECK(strcmp(cellv(r, 0, 0)->s, "age") == 0, "column order");
            CHECK(cellv(r, 0, 2)->type == UT_INT && cellv(r, 0, 2)->i == 1, "missing");
            CHECK(cellv(r, 0, 3)->i == 40, "distinct");
            CHECK(cellv(r, 0, 6)->type == UT_FLOAT && cellv(r, 0, 6)->d == 35.5, "mean");
            CHECK(cellv(r, 0, 4)->type == UT_FLOAT && cellv(r, 0, 4)->d == 19, "min float");
            for (int c = 4; c < 8; c++)
                CHECK(cellv(r, 1, c)->type == UT_NULL, "categorical moment %d is NULL", c);
        }
    }
    ut_result_free(r);
    ut_err_clear(&e);
    CHECK(cat_describe_dataset(db, "nope", &r, &e) == -1 && r == NULL && e.code == MLG_NAME &&
              strcmp(e.msg, "no dataset named 'nope'") == 0,
          "describe unknown: %s", e.msg);

    char **names = NULL;
    int n = 0;
    CHECK(cat_names(db, "task", &names, &n, &e) == 0 && n == 2, "names");
    if (n == 2) CHECK(strcmp(names[0], "bigtask") == 0 && strcmp(names[1], "risk") == 0, "names");
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
    CHECK(cat_names(db, "bogus", &names, &n, &e) == -1, "bad kind");
}

static void test_select_guard(cat_db *db, int nruns)
{
#define DENY(sql, what) expect_select_err(db, sql, MLG_DENIED, "SELECT is read-only: " what " is not allowed")
    DENY("INSERT INTO mlg_configs(family, params_json, hash) VALUES ('a', '{}', 'x')", "INSERT");
    DENY("DELETE FROM mlg_runs", "DELETE");
    DENY("UPDATE mlg_runs SET score = 0", "UPDATE");
    DENY("DROP TABLE mlg_runs", "DROP TABLE");
    DENY("DROP VIEW runs", "DROP VIEW");
    DENY("CREATE TABLE t(x)", "CREATE TABLE");
    DENY("CREATE TEMP VIEW v AS SELECT 1", "CREATE VIEW");
    DENY("ATTACH DATABASE '/tmp/x.db' AS x", "ATTACH");
    DENY("DETACH DATABASE main", "DETACH");
    DENY("PRAGMA user_version = 5", "PRAGMA user_version");
    DENY("PRAGMA writable_schema = 1", "PRAGMA writable_schema");
    DENY("SELECT load_extension('/tmp/evil')", "function load_extension");
    DENY("BEGIN", "BEGIN");
    DENY("SAVEPOINT s", "SAVEPOINT");
    DENY("ALTER TABLE mlg_runs ADD COLUMN x", "ALTER TABLE");
    DENY("WITH x AS (SELECT 1) DELETE FROM mlg_runs", "DELETE");
    DENY("REINDEX", "REINDEX");
    {
        /* Schema tables: SQLite itself refuses before asking the authorizer. */
        static const char *const sys[] = {"DELETE FROM sqlite_master",
                                          "UPDATE sqlite_master SET sql = ''"};
        for (int i = 0; i < 2; i++) {
            ut_err e;
            ut_err_clear(&e);
            ut_result *r = NULL;
            CHECK(cat_select(db, sys[i], &r, &e) == -1 && r == NULL, "%s accepted", sys[i]);
        }
    }
    /* Table-valued pragmas: introspection yes, anything else no. */
    DENY("SELECT * FROM pragma_user_version", "PRAGMA user_version");
    DENY("SELECT * FROM pragma_journal_mode", "PRAGMA journal_mode");
    DENY("ANALYZE", "ANALYZE");
#undef DENY
    {
        /* VACUUM has no authorizer action; sqlite3_stmt_readonly stops it. */
        ut_err e;
        ut_err_clear(&e);
        ut_result *r = NULL;
        CHECK(cat_select(db, "VACUUM", &r, &e) == -1 && e.code == MLG_DENIED, "VACUUM: %s", e.msg);
        ut_result_free(r);
    }
    expect_select_err(db, "SELECT 1; SELECT 2", MLG_ERROR, "only one statement is allowed");
    expect_select_err(db, "SELECT 1; DELETE FROM mlg_runs", MLG_ERROR, "only one statement is allowed");
    expect_select_err(db, "   ", MLG_ERROR, "empty SELECT statement");
    CHECK(sel_int(db, "SELECT count(*) FROM runs") == nruns, "refusals changed nothing");

    /* Trailing blanks, semicolons and comments are not a second statement. */
    CHECK(sel_int(db, "SELECT 42; ; -- done\n /* really */ ") == 42, "tail comment");
    CHECK(sel_int(db, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10)"
                      " SELECT sum(x) FROM c") == 55,
          "recursive CTE allowed");

    CHECK(sel_int(db, "SELECT count(*) FROM pragma_table_info('results')") == 11,
          "pragma_table_info lists view columns");

    /* SQL errors carry SQLite's message and the byte offset. */
    ut_err e;
    ut_err_clear(&e);
    ut_result *r = NULL;
    CHECK(cat_select(db, "SELECT nosuch FROM runs", &r, &e) == -1, "bad column accepted");
    CHECK(e.code == MLG_ERROR && strcmp(e.msg, "no such column: nosuch") == 0, "msg %s", e.msg);
    CHECK(e.offset == 7, "offset %d", e.offset);
    ut_err_clear(&e);
    CHECK(cat_select(db, "SELECT 1; SELECT 2", &r, &e) == -1 && e.offset == 10, "tail offset %d",
          e.offset);

    /* Typed cells: integer, float, text, NULL from one row. */
    r = sel(db, "SELECT 1 AS i, 2.5 AS f, 'x' AS t, NULL AS n");
    if (r) {
        CHECK(cellv(r, 0, 0)->type == UT_INT && cellv(r, 0, 1)->type == UT_FLOAT &&
                  cellv(r, 0, 2)->type == UT_TEXT && cellv(r, 0, 3)->type == UT_NULL,
              "cell types");
        CHECK(col_index(r, "f") == 1, "column names");
    }
    ut_result_free(r);

    /* The authorizer is gone afterwards: writes through the API still work. */
    CHECK(intern(db, "tree", "{\"max_depth\":3}") > 0, "write after select");
}

static void test_transactions(cat_db *db)
{
    ut_err e;
    ut_err_clear(&e);
    CHECK(cat_begin(db, &e) == 0, "begin: %s", e.msg);
    CHECK(cat_begin(db, &e) == -1 && e.code == MLG_MISUSE, "nested begin");
    make_dataset(db, "tx1", 3);
    cat_rollback(db);
    CHECK(sel_int(db, "SELECT count(*) FROM datasets WHERE name = 'tx1'") == 0, "rolled back");

    CHECK(cat_begin(db, &e) == 0, "begin");
    make_dataset(db, "tx2", 3);
    cat_dataset dup = {.name = "TX2", .nrows = 1};
    ut_err_clear(&e);
    /* The failing write undoes only itself, not the caller's transaction. */
    CHECK(cat_dataset_create(db, &dup, NULL, 0, NULL, &e) == -1, "dup in txn");
    CHECK(cat_commit(db, &e) == 0, "commit: %s", e.msg);
    CHECK(sel_int(db, "SELECT count(*) FROM datasets WHERE name = 'tx2'") == 1, "committed");
    CHECK(cat_dataset_drop(db, "tx2", 0, &e) == 0, "drop tx2: %s", e.msg);
    cat_rollback(db);   /* no-op without a transaction */

    /* WAL: a second connection keeps reading while the first writes, and
     * sees the write only once it is committed. */
    cat_db *other = open_ok(path_in("main.db"));
    if (other) {
        CHECK(cat_begin(db, &e) == 0, "begin");
        make_dataset(db, "tx3", 3);
        CHECK(sel_int(other, "SELECT count(*) FROM datasets WHERE name = 'tx3'") == 0,
              "uncommitted write visible to another connection");
        CHECK(cat_commit(db, &e) == 0, "commit: %s", e.msg);
        CHECK(sel_int(other, "SELECT count(*) FROM datasets WHERE name = 'tx3'") == 1,
              "committed write invisible to another connection");
        CHECK(cat_dataset_drop(other, "tx3", 0, &e) == 0, "drop from other: %s", e.msg);
        cat_close(other);
    }
}

static void test_drop(cat_db *db)
{
    ut_err e;
    ut_err_clear(&e);
    CHECK(cat_dataset_drop(db, "credit", 0, &e) == -1 && e.code == MLG_NAME, "drop refused");
    CHECK(strcmp(e.msg, "dataset 'credit' is used by task 'risk'; drop the task first or use "
                        "DROP DATASET credit CASCADE") == 0,
          "msg: %s", e.msg);
    CHECK(sel_int(db, "SELECT count(*) FROM tasks WHERE dataset = 'Credit'") == 1, "task kept");

    ut_err_clear(&e);
    CHECK(cat_dataset_drop(db, "nope", 1, &e) == -1 && e.code == MLG_NAME &&
              strcmp(e.msg, "no dataset named 'nope'") == 0,
          "drop unknown: %s", e.msg);
    ut_err_clear(&e);
    CHECK(cat_task_drop(db, "nope", &e) == -1 && e.code == MLG_NAME &&
              strcmp(e.msg, "no task named 'nope'") == 0,
          "drop unknown task: %s", e.msg);

    long long configs = sel_int(db, "SELECT count(*) FROM configs");
    ut_err_clear(&e);
    CHECK(cat_dataset_drop(db, "credit", 1, &e) == 0, "cascade: %s", e.msg);
    CHECK(sel_int(db, "SELECT count(*) FROM datasets WHERE name = 'credit'") == 0, "dataset gone");
    CHECK(sel_int(db, "SELECT count(*) FROM mlg_columns c WHERE NOT EXISTS"
                      " (SELECT 1 FROM mlg_datasets d WHERE d.id = c.dataset_id)") == 0,
          "columns gone");
    CHECK(sel_int(db, "SELECT count(*) FROM tasks WHERE name = 'risk'") == 0, "task gone");
    CHECK(sel_int(db, "SELECT count(*) FROM mlg_folds f WHERE NOT EXISTS"
                      " (SELECT 1 FROM mlg_tasks t WHERE t.id = f.task_id)") == 0,
          "folds gone");
    CHECK(sel_int(db, "SELECT count(*) FROM mlg_experiments") == 1, "its experiment gone");
    CHECK(sel_int(db, "SELECT count(*) FROM runs") == 2, "its runs gone");
    CHECK(sel_int(db, "SELECT count(*) FROM configs") == configs, "configs are shared, kept");

    ut_err_clear(&e);
    CHECK(cat_task_drop(db, "BIGTASK", &e) == 0, "task drop: %s", e.msg);
    CHECK(sel_int(db, "SELECT count(*) FROM mlg_folds") == 0, "big folds gone");
    CHECK(sel_int(db, "SELECT count(*) FROM mlg_runs") == 0, "runs gone with task");
    CHECK(cat_dataset_drop(db, "big", 0, &e) == 0, "drop unused: %s", e.msg);
}

/* Byte-level fixtures: a SQLite file keeps user_version big-endian at
 * offset 60 and reports WAL as 2 at offsets 18 and 19. */
static void test_files(void)
{
    long n = 0;
    const char *p = path_in("main.db");
    unsigned char *b = slurp(p, &n);
    CHECK(b && n >= 100 && b[18] == 2 && b[19] == 2, "journal_mode is not wal");

    /* Newer schema version. */
    const char *pv = path_in("newer.db");
    if (b) {
        unsigned char *c = malloc((size_t)n);
        memcpy(c, b, (size_t)n);
        c[60] = c[61] = c[62] = 0;
        c[63] = 99;   /* any version above CAT_SCHEMA_VERSION */
        CHECK(spit(pv, c, n) == 0, "write newer.db");
        free(c);
        char msg[512];
        snprintf(msg, sizeof msg,
                 "%s: catalog schema version 99 is newer than this mileage supports (%d)", pv, CAT_SCHEMA_VERSION);
        expect_open_err(pv, msg);
    }

    /* Another application's SQLite database: same file, mlg_meta renamed. */
    const char *pf = path_in("foreign.db");
    if (b) {
        int renamed = 0;
        for (long i = 0; i + 8 <= n; i++)
            if (memcmp(b + i, "mlg_meta", 8) == 0) {
                memcpy(b + i, "app_meta", 8);
                renamed++;
            }
        CHECK(renamed >= 2, "fixture: renamed %d", renamed);
        CHECK(spit(pf, b, n) == 0, "write foreign.db");
        char msg[512];
        snprintf(msg, sizeof msg,
                 "%s: not a mileage catalog (a SQLite database of another application)", pf);
        expect_open_err(pf, msg);
    }
    free(b);

    /* Not a database at all. */
    const char *pn = path_in("notes.txt");
    char text[600];
    memset(text, 'x', sizeof text);
    memcpy(text, "these are my notes, not a database\n", 35);
    CHECK(spit(pn, text, sizeof text) == 0, "write notes");
    char msg[512];
    snprintf(msg, sizeof msg, "%s: not a mileage catalog (file is not a database)", pn);
    expect_open_err(pn, msg);

    /* A directory that does not exist: the message names the path. */
    const char *pm = path_in("missing/dir/cat.db");
    ut_err e;
    ut_err_clear(&e);
    cat_db *db = NULL;
    CHECK(cat_open(pm, &db, &e) == -1 && db == NULL && e.code == MLG_CATALOG &&
              strstr(e.msg, pm) == e.msg,
          "missing dir: %s", e.msg);
    cat_close(db);

    /* Read-only file (root can write anyway, so only checked as a user). */
    if (geteuid() != 0) {
        const char *pr = path_in("ro.db");
        cat_db *w = open_ok(pr);
        cat_close(w);
        chmod(pr, 0444);
        ut_err_clear(&e);
        db = NULL;
        CHECK(cat_open(pr, &db, &e) == -1 && e.code == MLG_CATALOG && strstr(e.msg, pr) == e.msg,
              "read-only: %s", e.msg);
        cat_close(db);
        chmod(pr, 0644);
    }
}

static void cleanup(void)
{
    static const char *const files[] = {"main.db", "newer.db", "foreign.db", "notes.txt", "ro.db", "reuse.db"};
    static const char *const sfx[] = {"", "-wal", "-shm", "-journal"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++)
        for (size_t j = 0; j < sizeof sfx / sizeof *sfx; j++) {
            char p[300];
            snprintf(p, sizeof p, "%s/%s%s", dir, files[i], sfx[j]);
            unlink(p);
        }
    rmdir(dir);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/mlg_catalog_XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    ut_err e;
    ut_err_clear(&e);
    cat_db *none = NULL;
    CHECK(cat_open("", &none, &e) == -1 && none == NULL && e.code == MLG_MISUSE, "empty path");
    CHECK(cat_sqlite_version() && cat_sqlite_version()[0] == '3', "sqlite version");

    cat_db *db = open_ok(path_in("main.db"));
    if (!db) return 1;
    test_datasets_tasks(db);
    int nruns = 0;
    test_experiments(db, &nruns);
    test_listings(db);
    test_select_guard(db, nruns);
    test_transactions(db);
    cat_close(db);

    /* Reopening keeps everything and does not migrate again. */
    db = open_ok(path_in("main.db"));
    if (db) {
        CHECK(sel_int(db, "SELECT count(*) FROM runs") == nruns, "runs kept after reopen");
        CHECK(sel_int(db, "SELECT count(*) FROM datasets") == 2, "datasets kept after reopen");
        test_drop(db);
        cat_close(db);
    }
    test_files();
    test_reuse();
    cleanup();

    printf("test_catalog: %d checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
