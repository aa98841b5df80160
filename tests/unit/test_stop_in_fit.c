/* test_stop_in_fit.c — max_seconds and mlg_interrupt stop a statement
 * inside one long fit (runtime/stop.h), for every family with an iterative
 * solver or a loop over trees/rounds.  Each fit below alone would run for
 * many minutes (tol = 0 and a million iterations; 100,000 boosting rounds;
 * 10,000 trees), so without the in-fit check this test does not finish
 * (ctest's timeout fails it).  Checked: the statement fails with the
 * max_seconds / interrupt error, the experiment is marked interrupted, no
 * run of a stopped fit is recorded, and the handle works afterwards. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mileage.h"
#include "../../runtime/families.h"
#include "../../runtime/stop.h"
#include "under_valgrind.h"
#include "check.h"
#include "fixture.h"


static long long count(mlg_db *db, const char *q)
{
    mlg_stmt *s = NULL;
    long long n = -1;
    if (mlg_prepare(db, q, -1, &s, NULL) == MLG_OK && mlg_step(s) == MLG_ROW) n = mlg_column_int(s, 0);
    mlg_finalize(s);
    return n;
}

static const struct { const char *task, *using; } cases[] = {
    {"t", "linsvm(C = 1e6, loss = hinge, tol = 0, max_iter = 1000000)"},  /* dual CD (squared hinge: Newton, below) */
    /* CD over the columns: on a table wider than its rows (with n >= p the
     * sweeps run on the Gram matrix and a million of them take p² each:
     * gram_cd_stops checks that path) */
    {"w", "lasso(alpha = 1e-9, tol = 0, max_iter = 1000000)"},
    {"w", "elasticnet(alpha = 1e-9, tol = 0, max_iter = 1000000)"},
    {"t", "gbt(rounds = 100000)"},
    {"t", "forest(trees = 10000)"},
};

static double uniform(unsigned long long *r) { return fixture_uniform(r); }

/* logreg's solvers — l2 by Newton and L-BFGS, l1 by proximal Newton, whose
 * ill-conditioned models go to an exact active-set solve — end by
 * themselves once f stops decreasing (tol = 0 does not keep them going for
 * minutes, as it does the solvers above: on two cores those statements
 * finished inside the second), so their in-fit checks are tested directly:
 * with the time already up, the first iteration stops.  solver: 2 Newton,
 * 1 L-BFGS, 3 l1. */
static void logreg_solvers_stop(int solver)
{
    enum { N = 300, P = 4, K = 3 };
    static double X[N * P];
    static int y[N];
    unsigned long long r = 7;
    for (int i = 0; i < N * P; i++) X[i] = uniform(&r) - 0.5;
    for (int i = 0; i < N; i++) y[i] = i % K;
    rt_trainset ts = {X, N, P, NULL, y, K, 0};
    rt_pval pv[7] = {{1e6, NULL}, {1000000, NULL}, {0, NULL}, {0, solver == 3 ? "l1" : "l2"}, {0, "none"}, {1, NULL}, {1, NULL}};
    rt_logreg_solver_override = solver == 3 ? 0 : solver;
    rt_model *m = NULL;
    ut_err e;
    ut_err_clear(&e);
    rt_stop st = {NULL, ut_now() - 1.0};
    rt_stop_install(&st);
    int rc = rt_fit(RT_FAM_LOGREG, pv, &ts, &m, &e);
    rt_stop_install(NULL);
    CHECK(rc != 0 && e.code == MLG_INTERRUPT && strstr(e.msg, "stopped during the fit"), "solver %d: rc %d: %s",
          solver, rc, e.msg);
    /* and without the stop it runs (to its end, or to 1000 iterations) */
    pv[1].num = 1000;
    ut_err_clear(&e);
    rc = rt_fit(RT_FAM_LOGREG, pv, &ts, &m, &e);
    CHECK(rc == 0, "solver %d without a stop: %s", solver, e.msg);
    rt_model_free(m);
    rt_logreg_solver_override = 0;
}

/* lasso and elasticnet on the Gram matrix (n >= p): with the time already
 * up, the first sweep stops. */
static void gram_cd_stops(rt_family f)
{
    enum { N = 200, P = 5 };
    static double X[N * P], y[N];
    unsigned long long r = 11;
    for (int i = 0; i < N * P; i++) X[i] = uniform(&r) - 0.5;
    for (int i = 0; i < N; i++) y[i] = X[i * P] - 2 * X[i * P + 3];
    rt_trainset ts = {X, N, P, y, NULL, 0, 0};
    rt_pval lasso[3] = {{1e-9, NULL}, {1000000, NULL}, {0, NULL}};
    rt_pval enet[4] = {{1e-9, NULL}, {0.5, NULL}, {1000000, NULL}, {0, NULL}};
    rt_model *m = NULL;
    ut_err e;
    ut_err_clear(&e);
    rt_stop st = {NULL, ut_now() - 1.0};
    rt_stop_install(&st);
    int rc = rt_fit(f, f == RT_FAM_LASSO ? lasso : enet, &ts, &m, &e);
    rt_stop_install(NULL);
    CHECK(rc != 0 && e.code == MLG_INTERRUPT && strstr(e.msg, "stopped during the fit"), "%s: rc %d: %s",
          rt_families[f].name, rc, e.msg);
}

/* linsvm's squared hinge by the finite Newton method: with the time
 * already up, the first step stops. */
static void svm_newton_stops(void)
{
    enum { N = 200, P = 5 };
    static double X[N * P];
    static int y[N];
    unsigned long long r = 13;
    for (int i = 0; i < N * P; i++) X[i] = uniform(&r) - 0.5;
    for (int i = 0; i < N; i++) y[i] = X[i * P] + X[i * P + 1] > 0;
    rt_trainset ts = {X, N, P, NULL, y, 2, 0};
    rt_pval pv[7] = {{1e6, NULL}, {0, "squared_hinge"}, {0, "none"}, {1000000, NULL}, {0, NULL}, {1, NULL}, {1, NULL}};
    rt_model *m = NULL;
    ut_err e;
    ut_err_clear(&e);
    rt_stop st = {NULL, ut_now() - 1.0};
    rt_stop_install(&st);
    int rc = rt_fit(RT_FAM_LINSVM, pv, &ts, &m, &e);
    rt_stop_install(NULL);
    CHECK(rc != 0 && e.code == MLG_INTERRUPT && strstr(e.msg, "stopped during the fit"), "linsvm Newton: rc %d: %s",
          rc, e.msg);
}

/* 60 rows of 1500 random columns and a target (/tmp; the caller removes it) */
static int wide_csv(const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    for (int j = 0; j < 1500; j++) fprintf(f, "w%d,", j);
    fprintf(f, "y\n");
    unsigned long long r = 5;
    for (int i = 0; i < 60; i++) {
        for (int j = 0; j <= 1500; j++) {
            fprintf(f, j < 1500 ? "%.6f," : "%.6f\n", uniform(&r));
        }
    }
    return fclose(f);
}

static void *interrupt_later(void *db)
{
    usleep(500 * 1000);
    mlg_interrupt(db);
    return NULL;
}

int main(void)
{
    /* a test of time limits: under valgrind loading the data alone takes
     * most of a second per MB; ASan runs it in CI (77 = skipped) */
    if (RUNNING_ON_VALGRIND) return 77;
    logreg_solvers_stop(2);
    logreg_solvers_stop(1);
    logreg_solvers_stop(3);
    gram_cd_stops(RT_FAM_LASSO);
    gram_cd_stops(RT_FAM_ELASTICNET);
    svm_newton_stops();
    char wide[] = "/tmp/mlg_wide_XXXXXX.csv";
    int wfd = mkstemps(wide, 4);
    if (wfd < 0) return 1;
    close(wfd);
    CHECK(wide_csv(wide) == 0, "wide table");
    char path[] = "/tmp/mlg_stop_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 1;
    close(fd);
    unlink(path);
    mlg_db *db = NULL;
    if (mlg_open(path, &db) != MLG_OK) return 1;
    char setup[1024];
    snprintf(setup, sizeof setup,
             "CREATE DATASET sat FROM '%s/data/satellite.csv';"
             "CREATE DATASET dig FROM '%s/data/digits.csv';"
             "CREATE DATASET wide FROM '%s';"
             "CREATE TASK t ON sat PREDICT classes EVALUATE BY CV(2) SEED 1;"
             "CREATE TASK w ON wide PREDICT y AS REGRESSION EVALUATE BY CV(2) SEED 1;"
             "CREATE TASK d ON dig PREDICT target AS CLASSIFICATION EVALUATE BY CV(2) SEED 1;",
             MLG_SOURCE_DIR, MLG_SOURCE_DIR, wide);
    CHECK(fixture_run(db, setup) == MLG_OK, "setup: %s", mlg_errmsg(db));

    int ncases = (int)(sizeof cases / sizeof cases[0]);
    CHECK(fixture_run(db, "SET max_seconds = 1;") == MLG_OK, "set: %s", mlg_errmsg(db));
    for (int i = 0; i < ncases; i++) {
        char q[256];
        snprintf(q, sizeof q, "EXPLORE %s USING %s;", cases[i].task, cases[i].using);
        int rc = fixture_run(db, q);
        CHECK(rc == MLG_DENIED && strstr(mlg_errmsg(db), "stopped by max_seconds = 1"), "%s: rc %d: %s",
              cases[i].using, rc, mlg_errmsg(db));
    }
    CHECK(count(db, "SELECT count(*) FROM runs") == 0, "a stopped fit recorded a run");
    CHECK(count(db, "SELECT count(*) FROM experiments WHERE status = 'interrupted'") == ncases,
          "every experiment interrupted");

    /* mlg_interrupt from another thread, during one fit */
    CHECK(fixture_run(db, "SET max_seconds = 0;") == MLG_OK, "unset: %s", mlg_errmsg(db));
    pthread_t th;
    pthread_create(&th, NULL, interrupt_later, db);
    int rc = fixture_run(db, "EXPLORE t USING linsvm(C = 1e6, loss = hinge, tol = 0, max_iter = 1000000);");
    pthread_join(th, NULL);
    CHECK(rc == MLG_INTERRUPT && strstr(mlg_errmsg(db), "interrupted"), "interrupt: rc %d: %s", rc, mlg_errmsg(db));
    CHECK(count(db, "SELECT count(*) FROM experiments WHERE status = 'interrupted'") == ncases + 1,
          "interrupted experiment marked");

    /* the handle still works: a quick EXPLORE finishes */
    CHECK(fixture_run(db, "EXPLORE t USING nb;") == MLG_OK, "after: %s", mlg_errmsg(db));
    CHECK(count(db, "SELECT count(*) FROM runs WHERE status = 'ok'") == 2, "nb runs");
    mlg_close(db);
    unlink(path);
    unlink(wide);
    char side[64];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    if (failures) printf("%d failure(s)\n", failures);
    else printf("ok\n");
    return failures != 0;
}
