/* test_class_weight.c — class weights (pos_weight / neg_weight) and the
 * cost metric of WITH INTENT cost.
 *
 * A row of weight w counts as w copies of itself: for integer w, fitting
 * with the weight must equal fitting on the data with those rows repeated
 * w times, wherever the family's fit is a deterministic function of the
 * weighted rows (logreg: same objective, same optimum; linsvm: the same
 * strictly convex primal, so the same optimum to the solver's tolerance;
 * tree: the same weighted impurities and leaf distributions).  forest
 * draws bootstrap samples over row indices, so repeated rows change the
 * draws: it is only checked to move towards the heavier class. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/mileage.h"
#include "../../runtime/families.h"
#include "../../runtime/metrics.h"
#include "check.h"


/* ---- the cost metric ---- */

static void test_cost_metric(void)
{
    int yt[5] = {0, 0, 1, 1, 1};
    double yp[5] = {0, 1, 0, 1, 0};   /* one false positive, two false negatives */
    CHECK(fabs(rt_metric_cost(5, yt, yp, 5, 1) - 11.0 / 5) < 1e-15, "cost(5, 1) = %g, want 2.2",
          rt_metric_cost(5, yt, yp, 5, 1));
    CHECK(fabs(rt_metric_cost(5, yt, yp, 1, 1) - 3.0 / 5) < 1e-15, "unit costs = 1 - accuracy");
    CHECK(fabs(rt_metric_cost(5, yt, yp, 1, 10) - 12.0 / 5) < 1e-15, "cost(1, 10)");
    double perfect[5] = {0, 0, 1, 1, 1};
    CHECK(rt_metric_cost(5, yt, perfect, 5, 1) == 0, "no error, no cost");
    double odd[5] = {2, NAN, 1, 1, 1};   /* not a class code: wrong for either truth */
    CHECK(fabs(rt_metric_cost(5, yt, odd, 5, 3) - 6.0 / 5) < 1e-15, "invalid codes count as errors: %g",
          rt_metric_cost(5, yt, odd, 5, 3));
    CHECK(isnan(rt_metric_cost(0, yt, yp, 1, 1)), "no rows: NAN");
    /* through the generic entry the costs are unknown */
    CHECK(isnan(rt_metric_score(RT_MET_COST, 5, yt, NULL, yp, NULL, 2)), "rt_metric_score(cost) is NAN");
    CHECK(rt_metric_lookup("cost") == RT_MET_COST && !rt_metrics[RT_MET_COST].higher_is_better,
          "cost: lower is better");
}

/* ---- weights = repeated rows ---- */

typedef struct {
    double *X;
    int *yc, n, p;
} data;

/* Two overlapping gaussian classes, 40% positive. */
static data make(int n, int p, unsigned long long seed)
{
    data d = {malloc(sizeof(double) * (size_t)n * p), malloc(sizeof(int) * (size_t)n), n, p};
    ut_rng r;
    ut_rng_seed(&r, seed);
    for (int i = 0; i < n; i++) {
        d.yc[i] = ut_rng_uniform(&r) < 0.4;
        for (int j = 0; j < p; j++) {
            /* Box-Muller */
            double u = ut_rng_uniform(&r), v = ut_rng_uniform(&r);
            double g = sqrt(-2 * log(u > 1e-300 ? u : 1e-300)) * cos(2 * M_PI * v);
            d.X[(size_t)i * p + j] = g + (d.yc[i] ? 0.8 : 0.0) * (j == 0 ? 1 : 0.5);
        }
    }
    return d;
}

/* Rows of class c repeated w times (class 1: wpos, class 0: wneg). */
static data repeat(const data *d, int wneg, int wpos)
{
    int n = 0;
    for (int i = 0; i < d->n; i++) n += d->yc[i] ? wpos : wneg;
    data o = {malloc(sizeof(double) * (size_t)n * d->p), malloc(sizeof(int) * (size_t)n), n, d->p};
    int k = 0;
    for (int i = 0; i < d->n; i++)
        for (int t = 0; t < (d->yc[i] ? wpos : wneg); t++, k++) {
            memcpy(o.X + (size_t)k * d->p, d->X + (size_t)i * d->p, sizeof(double) * (size_t)d->p);
            o.yc[k] = d->yc[i];
        }
    return o;
}

static void drop(data *d) { free(d->X); free(d->yc); }

static rt_model *fit(rt_family f, const rt_pval *pv, const data *d, int k)
{
    ut_err e;
    rt_model *m = NULL;
    rt_trainset ts = {d->X, d->n, d->p, NULL, d->yc, k, 7};
    if (rt_fit(f, pv, &ts, &m, &e)) {
        CHECK(0, "%s fit: %s", rt_families[f].name, e.msg);
        return NULL;
    }
    return m;
}

static double max_coef_diff(const rt_model *a, const rt_model *b)
{
    double d = 0;
    for (int j = 0; j < a->p; j++) d = fmax(d, fabs(a->coef[j] - b->coef[j]));
    return fmax(d, fabs(a->intercept[0] - b->intercept[0]));
}

static void test_logreg(void)
{
    data d = make(80, 3, 1);
    const int ws[][2] = {{1, 3}, {2, 1}, {2, 5}};
    for (int c = 0; c < 3; c++) {
        data r = repeat(&d, ws[c][0], ws[c][1]);
        for (int pen = 0; pen < 2; pen++) {
            const char *penalty = pen ? "l1" : "l2";
            rt_pval w[7] = {{0.5, NULL}, {10000, NULL}, {1e-12, NULL}, {0, penalty}, {0, "none"},
                            {ws[c][1], NULL}, {ws[c][0], NULL}};
            rt_pval u[7] = {{0.5, NULL}, {10000, NULL}, {1e-12, NULL}, {0, penalty}, {0, "none"},
                            {1, NULL}, {1, NULL}};
            rt_model *mw = fit(RT_FAM_LOGREG, w, &d, 2), *mr = fit(RT_FAM_LOGREG, u, &r, 2);
            if (mw && mr) {
                double diff = max_coef_diff(mw, mr);
                CHECK(diff < 1e-6, "logreg %s weights (neg %d, pos %d) vs repeated rows: coef differ by %g",
                      penalty, ws[c][0], ws[c][1], diff);
            }
            rt_model *mu = fit(RT_FAM_LOGREG, u, &d, 2);
            if (mw && mu) CHECK(max_coef_diff(mw, mu) > 1e-3, "logreg: weights must change the fit");
            rt_model_free(mw), rt_model_free(mr), rt_model_free(mu);
        }
        drop(&r);
    }
    drop(&d);
}

static void test_linsvm(void)
{
    data d = make(60, 2, 2);
    data r = repeat(&d, 1, 3);
    /* squared hinge: strictly convex primal, one optimum */
    rt_pval w[7] = {{0.3, NULL}, {0, "squared_hinge"}, {0, "none"}, {100000, NULL}, {1e-10, NULL},
                    {3, NULL}, {1, NULL}};
    rt_pval u[7] = {{0.3, NULL}, {0, "squared_hinge"}, {0, "none"}, {100000, NULL}, {1e-10, NULL},
                    {1, NULL}, {1, NULL}};
    rt_model *mw = fit(RT_FAM_LINSVM, w, &d, 2), *mr = fit(RT_FAM_LINSVM, u, &r, 2);
    if (mw && mr) {
        double diff = max_coef_diff(mw, mr);
        CHECK(diff < 1e-5, "linsvm weights vs repeated rows: coef differ by %g", diff);
    }
    rt_model_free(mw), rt_model_free(mr);
    drop(&r);
    drop(&d);
}

static void test_tree(void)
{
    data d = make(120, 3, 3);
    data r = repeat(&d, 2, 3);
    for (int depth = 2; depth <= 6; depth += 4) {
        rt_pval w[5] = {{depth, NULL}, {1, NULL}, {0, "gini"}, {3, NULL}, {2, NULL}};
        rt_pval u[5] = {{depth, NULL}, {1, NULL}, {0, "gini"}, {1, NULL}, {1, NULL}};
        rt_model *mw = fit(RT_FAM_TREE, w, &d, 2), *mr = fit(RT_FAM_TREE, u, &r, 2), *mu = fit(RT_FAM_TREE, u, &d, 2);
        if (mw && mr && mu) {
            double pw[120], pr[120], qw[240], qr[240], pu[120];
            ut_err e;
            rt_predict(mw, d.X, d.n, d.p, pw, qw, &e);
            rt_predict(mr, d.X, d.n, d.p, pr, qr, &e);
            rt_predict(mu, d.X, d.n, d.p, pu, NULL, &e);
            int same = 1, pos_w = 0, pos_u = 0;
            for (int i = 0; i < d.n; i++) {
                same &= pw[i] == pr[i] && fabs(qw[2 * i + 1] - qr[2 * i + 1]) < 1e-12;
                pos_w += pw[i] == 1, pos_u += pu[i] == 1;
            }
            CHECK(same, "tree depth %d: weights (neg 2, pos 3) vs repeated rows predict differently", depth);
            CHECK(pos_w >= pos_u, "tree depth %d: a heavier positive class predicts it less (%d < %d)", depth,
                  pos_w, pos_u);
        }
        rt_model_free(mw), rt_model_free(mr), rt_model_free(mu);
    }
    drop(&r);
    drop(&d);
}

static void test_forest(void)
{
    data d = make(150, 3, 4);
    rt_pval w[7] = {{30, NULL}, {3, NULL}, {0, NULL}, {1, NULL}, {0, "gini"}, {5, NULL}, {1, NULL}};
    rt_pval u[7] = {{30, NULL}, {3, NULL}, {0, NULL}, {1, NULL}, {0, "gini"}, {1, NULL}, {1, NULL}};
    rt_model *mw = fit(RT_FAM_FOREST, w, &d, 2), *mu = fit(RT_FAM_FOREST, u, &d, 2);
    if (mw && mu) {
        double pw[150], pu[150];
        ut_err e;
        rt_predict(mw, d.X, d.n, d.p, pw, NULL, &e);
        rt_predict(mu, d.X, d.n, d.p, pu, NULL, &e);
        int a = 0, b = 0;
        for (int i = 0; i < d.n; i++) a += pw[i] == 1, b += pu[i] == 1;
        CHECK(a > b, "forest: pos_weight 5 should predict the positive class more (%d vs %d)", a, b);
    }
    rt_model_free(mw), rt_model_free(mu);
    drop(&d);
}

static void test_errors(void)
{
    data d = make(30, 2, 5);
    for (int i = 0; i < d.n; i++) d.yc[i] = i % 3;   /* three classes */
    rt_pval w[5] = {{0, NULL}, {1, NULL}, {0, "gini"}, {2, NULL}, {1, NULL}};
    rt_trainset ts = {d.X, d.n, d.p, NULL, d.yc, 3, 0};
    rt_model *m = NULL;
    ut_err e;
    CHECK(rt_fit(RT_FAM_TREE, w, &ts, &m, &e) == -1 && !m && strstr(e.msg, "binary"),
          "weights on 3 classes must fail: %s", e.msg);
    rt_pval ones[5] = {{0, NULL}, {1, NULL}, {0, "gini"}, {1, NULL}, {1, NULL}};
    CHECK(rt_fit(RT_FAM_TREE, ones, &ts, &m, &e) == 0, "weights of 1 on 3 classes are no weights");
    rt_model_free(m);
    m = NULL;
    for (int i = 0; i < d.n; i++) d.yc[i] = i % 2;
    ts.nclasses = 2;
    rt_pval zero[7] = {{1, NULL}, {100, NULL}, {1e-8, NULL}, {0, "l2"}, {0, "none"}, {0, NULL}, {1, NULL}};
    CHECK(rt_fit(RT_FAM_LOGREG, zero, &ts, &m, &e) == -1 && !m && strstr(e.msg, "pos_weight"),
          "pos_weight 0 must fail: %s", e.msg);
    drop(&d);
}

int main(void)
{
    test_cost_metric();
    test_logreg();
    test_linsvm();
    test_tree();
    test_forest();
    test_errors();
    printf("test_class_weight: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
