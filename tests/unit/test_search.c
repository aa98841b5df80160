/* test_search.c — the Gaussian process and expected improvement against
 * closed forms, the progressive statistics against a recomputation, and
 * the strategies: random reproducible with the seed, halving keeping the
 * best 1/eta, bayes finding the optimum of a 1-D function in few
 * evaluations. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mileage.h"
#include "../../runtime/gp.h"
#include "../../runtime/search.h"
#include "../../runtime/families.h"
#include "../../runtime/progressive.h"
#include "../../compiler/compile.h"
#include "../../grammar/ast.h"
#include "check.h"


static void close_to(const char *what, double got, double want, double tol)
{
    CHECK(fabs(got - want) <= tol * fmax(1.0, fabs(want)), "%s: got %.17g want %.17g", what, got, want);
}

/* Two points, RBF kernel, length scale 1, noise s:  K = [[a, k], [k, a]]
 * with a = 1 + s, k = e^{-1/2}.  At x* = 0.5, k* = (c, c), c = e^{-1/8}:
 *   mean = k*ᵀK⁻¹y = c (a − k) / (a² − k²) = c / (a + k)      (y = (0, 1))
 *   var  = 1 − k*ᵀK⁻¹k* = 1 − 2c² / (a + k). */
static void test_gp_two_points(void)
{
    double X[2] = {0, 1}, y[2] = {0, 1}, s = 0.01, x = 0.5, mean, var;
    rt_gp g;
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_gp_fit(&g, RT_GP_RBF, X, y, 2, 1, 1.0, s, 0, &e) == 0, "fit: %s", e.msg);
    rt_gp_predict(&g, &x, &mean, &var);
    double a = 1 + s, k = exp(-0.5), c = exp(-0.125);
    close_to("mean", mean, c / (a + k), 1e-12);
    close_to("var", var, 1 - 2 * c * c / (a + k), 1e-12);
    /* at a training point with tiny noise the mean interpolates */
    rt_gp_clear(&g);
    CHECK(rt_gp_fit(&g, RT_GP_RBF, X, y, 2, 1, 1.0, 1e-10, 0, &e) == 0, "fit");
    x = 1;
    rt_gp_predict(&g, &x, &mean, &var);
    close_to("interpolates", mean, 1, 1e-8);
    CHECK(var < 1e-8, "variance at a training point %g", var);
    rt_gp_clear(&g);
}

/* One point, Matérn 5/2: mean = k y0 / (1 + s), var = 1 − k² / (1 + s),
 * log p(y) = −y0² / (2 (1 + s)) − ½ log(1 + s) − ½ log 2π. */
static void test_gp_matern_one_point(void)
{
    double X[2] = {0.2, 0.4}, y[1] = {2.0}, s = 0.1, x[2] = {0.5, 0.1}, mean, var;
    rt_gp g;
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_gp_fit(&g, RT_GP_MATERN52, X, y, 1, 2, 0.7, s, 0, &e) == 0, "fit");
    rt_gp_predict(&g, x, &mean, &var);
    double d = sqrt(0.3 * 0.3 + 0.3 * 0.3), r = sqrt(5.0) * d / 0.7;
    double k = (1 + r + r * r / 3) * exp(-r);
    close_to("kernel", rt_gp_kernel(RT_GP_MATERN52, 0.7, X, x, 2), k, 1e-14);
    close_to("mean", mean, k * 2.0 / (1 + s), 1e-12);
    close_to("var", var, 1 - k * k / (1 + s), 1e-12);
    close_to("lml", g.lml, -4.0 / (2 * (1 + s)) - 0.5 * log(1 + s) - 0.5 * log(2 * M_PI), 1e-12);
    rt_gp_clear(&g);
    /* standardized targets come back in the original units */
    double X3[3] = {0, 0.5, 1}, y3[3] = {10, 20, 30}, m2, v2;
    CHECK(rt_gp_fit_auto(&g, RT_GP_MATERN52, X3, y3, 3, 1, &e) == 0, "auto");
    rt_gp_predict(&g, &X3[1], &m2, &v2);
    close_to("auto mean at a point", m2, 20, 0.05);
    rt_gp_clear(&g);
}

/* EI = (mu − best) Φ(z) + sd φ(z), z = (mu − best) / sd; mu = 1, sd = 2,
 * best = 0.5: z = 0.25, Φ = 0.598706325682924, φ = 0.386668116802849. */
static void test_ei(void)
{
    close_to("ei", rt_expected_improvement(1, 2, 0.5, 0), 0.5 * 0.598706325682924 + 2 * 0.386668116802849, 1e-12);
    close_to("ei below best", rt_expected_improvement(0, 1, 1, 0),
             -1 * 0.158655253931457 + 0.241970724519143, 1e-12);
    close_to("ei no sd", rt_expected_improvement(2, 0, 1, 0), 1, 0);
    close_to("ei no sd below", rt_expected_improvement(0, 0, 1, 0), 0, 0);
}

/* Updated with new rows == computed on all rows at once (1e-12). */
static void test_progressive_stats(void)
{
    enum { N = 200, P = 5, K = 3 };
    static double X[N * P];
    static int yc[N];
    static double y[N];
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < P; j++) X[i * P + j] = 100 * j + sin(1.3 * i + 0.7 * j) * (j + 1);
        yc[i] = (i * 7) % K;
        y[i] = cos(0.1 * i) + X[i * P];
    }
    ut_err e;
    ut_err_clear(&e);
    for (int cls = 0; cls < 2; cls++) {
        rt_trainset ts = {X, N, P, cls ? NULL : y, cls ? yc : NULL, cls ? K : 0, 1};
        rt_ridge_stats up, all;
        memset(&up, 0, sizeof up);
        memset(&all, 0, sizeof all);
        CHECK(rt_ridge_stats_add(&up, &ts, 0, 23, &e) == 0 && rt_ridge_stats_add(&up, &ts, 23, 70, &e) == 0 &&
                  rt_ridge_stats_add(&up, &ts, 70, N, &e) == 0, "ridge add");
        CHECK(rt_ridge_stats_add(&all, &ts, 0, N, &e) == 0, "ridge all");
        double worst = 0;
        for (int i = 0; i < P * P; i++) worst = fmax(worst, fabs(up.G[i] - all.G[i]) / fmax(1, fabs(all.G[i])));
        for (int i = 0; i < P * up.nout; i++) worst = fmax(worst, fabs(up.B[i] - all.B[i]) / fmax(1, fabs(all.B[i])));
        for (int j = 0; j < P; j++) worst = fmax(worst, fabs(up.xm[j] - all.xm[j]) / fmax(1, fabs(all.xm[j])));
        CHECK(worst <= 1e-12, "ridge updated vs recomputed: %g", worst);
        /* and the coefficients equal a direct fit's */
        rt_model *m1 = calloc(1, sizeof *m1), *m2 = NULL;
        m1->family = RT_FAM_RIDGE, m1->p = P, m1->nclasses = ts.nclasses;
        char *err = NULL;
        double alpha = 0.5;
        CHECK(rt_ridge_fit_stats(&up, &alpha, 1, 1, &m1, &err, &e) == 0 && !err, "fit stats");
        rt_pval pv[2] = {{0.5, NULL}, {1, NULL}};
        CHECK(rt_fit(RT_FAM_RIDGE, pv, &ts, &m2, &e) == 0, "direct fit");
        double cw = 0;
        for (int i = 0; i < P * m1->nout; i++) cw = fmax(cw, fabs(m1->coef[i] - m2->coef[i]) / fmax(1, fabs(m2->coef[i])));
        CHECK(cw <= 1e-9, "coefficients from updated statistics differ by %g", cw);
        rt_model_free(m1);
        rt_model_free(m2);
        rt_ridge_stats_clear(&up);
        rt_ridge_stats_clear(&all);
    }
    rt_trainset ts = {X, N, P, NULL, yc, K, 1};
    rt_nb_stats up, all;
    memset(&up, 0, sizeof up);
    memset(&all, 0, sizeof all);
    CHECK(rt_nb_stats_add(&up, &ts, 0, 40, &e) == 0 && rt_nb_stats_add(&up, &ts, 40, 41, &e) == 0 &&
              rt_nb_stats_add(&up, &ts, 41, N, &e) == 0 && rt_nb_stats_add(&all, &ts, 0, N, &e) == 0, "nb add");
    double worst = 0;
    for (int i = 0; i < K * P; i++) {
        worst = fmax(worst, fabs(up.mean[i] - all.mean[i]) / fmax(1, fabs(all.mean[i])));
        worst = fmax(worst, fabs(up.m2[i] - all.m2[i]) / fmax(1, fabs(all.m2[i])));
        worst = fmax(worst, fabs(up.ones[i] - all.ones[i]) / fmax(1, fabs(all.ones[i])));
    }
    for (int j = 0; j < P; j++) worst = fmax(worst, fabs(up.gm2[j] - all.gm2[j]) / fmax(1, fabs(all.gm2[j])));
    for (int c = 0; c < K; c++) worst = fmax(worst, fabs(up.cnt[c] - all.cnt[c]));
    CHECK(worst <= 1e-12, "nb updated vs recomputed: %g", worst);
    /* predictions from the statistics equal a direct fit's */
    rt_pval pv[3] = {{1e-9, NULL}, {0, "gaussian"}, {1, NULL}};
    rt_model *m1 = calloc(1, sizeof *m1), *m2 = NULL;
    m1->family = RT_FAM_NB, m1->p = P, m1->nclasses = K;
    CHECK(rt_nb_fit_stats(&up, pv, m1, &e) == 0, "nb fit stats: %s", e.msg);
    CHECK(rt_fit(RT_FAM_NB, pv, &ts, &m2, &e) == 0, "nb direct");
    double pa[N * K], pb[N * K], ya[N], yb[N];
    CHECK(rt_predict(m1, X, N, P, ya, pa, &e) == 0 && rt_predict(m2, X, N, P, yb, pb, &e) == 0, "predict");
    double dp = 0;
    int same = 1;
    for (int i = 0; i < N; i++) same &= ya[i] == yb[i];
    for (int i = 0; i < N * K; i++) dp = fmax(dp, fabs(pa[i] - pb[i]));
    CHECK(same && dp <= 1e-9, "nb predictions differ (labels same %d, proba %g)", same, dp);
    rt_model_free(m1);
    rt_model_free(m2);
    /* a feature constant within a class, spread over the others, and a tiny
     * var_smoothing: its variance is ~eps, so a term (x - theta)^2 / var
     * multiplies the merged statistics' rounding by ~1e9; such statistics
     * are declined (the caller fits the rows directly), a larger smoothing
     * takes them */
    double X2[N * P];
    memcpy(X2, X, sizeof X2);
    for (int i = 0; i < N; i++) X2[(size_t)i * P] = yc[i] == 0 ? 0.25 : X[(size_t)i * P] * 3;
    rt_trainset ts2 = {X2, N, P, NULL, yc, K, 1};
    rt_nb_stats_clear(&up);
    CHECK(rt_nb_stats_add(&up, &ts2, 0, 40, &e) == 0 && rt_nb_stats_add(&up, &ts2, 40, N, &e) == 0, "nb add 2");
    m1 = calloc(1, sizeof *m1);
    m1->family = RT_FAM_NB, m1->p = P, m1->nclasses = K;
    CHECK(rt_nb_fit_stats(&up, pv, m1, &e) == 1, "ill-conditioned nb statistics were not declined");
    rt_model_free(m1);
    pv[0].num = 1e-2;
    m1 = calloc(1, sizeof *m1);
    m1->family = RT_FAM_NB, m1->p = P, m1->nclasses = K;
    CHECK(rt_nb_fit_stats(&up, pv, m1, &e) == 0, "var_smoothing 1e-2: the statistics should serve (%s)", e.msg);
    rt_model_free(m1);
    rt_nb_stats_clear(&up);
    rt_nb_stats_clear(&all);
}

/* ---- strategies, on an EXPLORE compiled against a real catalog ---- */

static mlg_db *db;
static cat_db *cat;
static ast *trees[16];   /* kept until the end: sampled values borrow strings from them */
static int ntrees;

static cmp_explore *compile(const char *q)
{
    ast *tree = NULL;
    cmp_stmt *cs = NULL;
    ut_err e;
    ut_err_clear(&e);
    if (gr_parse(q, (int)strlen(q), 0, &tree, &e) || cmp_compile(tree, cat, &cs, &e)) {
        printf("compile failed: %s\n", e.msg);
        failures++;
        ast_free(tree);
        return NULL;
    }
    cmp_explore *x = cs->explore;
    cs->explore = NULL;   /* keep it; the tree must outlive it (borrowed strings) */
    cmp_stmt_free(cs);
    if (ntrees < 16) trees[ntrees++] = tree;
    return x;
}

static void test_random_reproducible(void)
{
    const char *q = "EXPLORE t1 USING logreg(C IN [1e-3, 1e3] LOG), knn(k IN [1, 40] INT) SEARCH random(12)";
    cmp_explore *a = compile(q), *b = compile(q);
    if (!a || !b) return;
    CHECK(a->nconfigs == 12 && b->nconfigs == 12, "12 configurations: %d %d", a->nconfigs, b->nconfigs);
    int same = 1, inrange = 1;
    for (int i = 0; i < a->nconfigs && i < b->nconfigs; i++) {
        same &= !strcmp(a->configs[i].params_json, b->configs[i].params_json);
        if (a->configs[i].family == RT_FAM_KNN) {
            double k = a->configs[i].params[0].num;
            inrange &= k >= 1 && k <= 40 && k == floor(k);
        } else {
            inrange &= a->configs[i].params[0].num >= 1e-3 && a->configs[i].params[0].num <= 1e3;
        }
    }
    CHECK(same, "the same seed gives the same configurations");
    CHECK(inrange, "samples inside their intervals, INT rounded");
    /* another task seed, other samples */
    cmp_explore *c = compile("EXPLORE t2 USING logreg(C IN [1e-3, 1e3] LOG), knn(k IN [1, 40] INT) SEARCH random(12)");
    int differ = 0;
    for (int i = 0; c && i < c->nconfigs && i < a->nconfigs; i++) differ |= strcmp(a->configs[i].params_json, c->configs[i].params_json) != 0;
    CHECK(differ, "another seed, other configurations");
    cmp_explore_free(a), cmp_explore_free(b), cmp_explore_free(c);
}

static void test_halving_keeps_top(void)
{
    cmp_explore *x = compile("EXPLORE t1 USING ridge(alpha IN 1..27) SEARCH halving(eta = 3)");
    if (!x) return;
    rt_search *s;
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_search_new(x, 0, &s, &e) == 0, "new");
    rt_batch b;
    int sizes[8], nb = 0, last = -1;
    double prev_frac = 0;
    while (rt_search_next(s, &b, &e) == 1 && nb < 8) {
        sizes[nb++] = b.n;
        CHECK(b.frac > prev_frac && b.subsample, "each rung on more rows");
        prev_frac = b.frac;
        double sc[64];
        /* score = -|alpha - 20|: the best are the alphas nearest 20 */
        for (int i = 0; i < b.n; i++) sc[i] = -fabs(x->configs[b.cfg[i]].params[0].num - 20);
        if (nb > 1) {
            /* every survivor was among the best 1/eta of the rung before */
            for (int i = 0; i < b.n; i++) {
                double a = x->configs[b.cfg[i]].params[0].num;
                CHECK(fabs(a - 20) <= (nb == 2 ? 4 : 1), "rung %d keeps alpha %g", nb, a);
            }
        }
        last = b.n == 1 ? b.cfg[0] : -1;
        rt_search_tell(s, &b, sc);
    }
    /* 100 training rows: the first rung has 100/3 = 34 rows; one more
     * division would go under 20 rows, so two rungs */
    CHECK(nb == 2 && sizes[0] == 27 && sizes[1] == 9, "27 -> 9: %d rungs, %d %d", nb, sizes[0],
          nb > 1 ? sizes[1] : 0);
    CHECK(prev_frac == 1, "the last rung uses all rows");
    (void)last;
    rt_search_free(s);
    cmp_explore_free(x);
}

static void test_bayes_1d(void)
{
    /* maximize f(C) = -(log10 C - 1.3)^2 over [1e-3, 1e3]: optimum C = 10^1.3 */
    cmp_explore *x = compile("EXPLORE t1 USING logreg(C IN [1e-3, 1e3] LOG) SEARCH bayes(14)");
    if (!x) return;
    rt_search *s;
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_search_new(x, 0, &s, &e) == 0, "new");
    rt_batch b;
    int evals = 0;
    double best = -INFINITY, bestc = 0;
    int first_good = -1;
    while (rt_search_next(s, &b, &e) == 1) {
        double sc[64];
        for (int i = 0; i < b.n; i++) {
            double c = x->configs[b.cfg[i]].params[0].num, f = -pow(log10(c) - 1.3, 2);
            sc[i] = f;
            evals++;
            if (f > best) best = f, bestc = c;
            if (f > -0.01 && first_good < 0) first_good = evals;
        }
        rt_search_tell(s, &b, sc);
    }
    CHECK(evals == 14, "bayes(14) evaluates 14: %d (%s)", evals, e.msg);
    CHECK(best > -0.01, "found log10 C within 0.1 of 1.3: C = %g", bestc);
    CHECK(first_good > 0 && first_good <= 12, "within 0.1 after %d evaluations", first_good);
    rt_search_free(s);
    cmp_explore_free(x);
}

int main(void)
{
    test_gp_two_points();
    test_gp_matern_one_point();
    test_ei();
    test_progressive_stats();
    char path[] = "/tmp/mlg_search_XXXXXX";
    if (!mkdtemp(path)) return 1;
    char dbp[300], q[600];
    snprintf(dbp, sizeof dbp, "%s/c.db", path);
    CHECK(mlg_open(dbp, &db) == MLG_OK, "open");
    snprintf(q, sizeof q,
             "CREATE DATASET iris FROM '%s/data/iris.csv';"
             "CREATE TASK t1 ON iris PREDICT target EVALUATE BY CV(3) SEED 1;"
             "CREATE TASK t2 ON iris PREDICT target EVALUATE BY CV(3) SEED 2;",
             MLG_SOURCE_DIR);
    CHECK(mlg_exec(db, q, NULL, NULL) == MLG_OK, "setup: %s", mlg_errmsg(db));
    ut_err e;
    ut_err_clear(&e);
    CHECK(cat_open(dbp, &cat, &e) == 0, "cat open: %s", e.msg);
    test_random_reproducible();
    test_halving_keeps_top();
    test_bayes_1d();
    cat_close(cat);
    mlg_close(db);
    for (int i = 0; i < ntrees; i++) ast_free(trees[i]);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", path);
    if (system(cmd)) {}
    if (failures) printf("test_search: %d failure(s)\n", failures);
    else printf("test_search: ok\n");
    return failures ? 1 : 0;
}
