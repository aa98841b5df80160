/* test_enet_gram.c — lasso and elasticnet by coordinate descent on the
 * centered Gram matrix (n >= p) against the same descent over the centered
 * columns: the same iterates up to rounding, so the same iteration counts
 * and coefficients within 1e-9; and rule 3's batch (rt_fit_batch: one Gram
 * for every configuration) bit for bit equal to each fit alone. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/mileage.h"
#include "../../runtime/families.h"
#include "../../runtime/fam_linear_cd.h"
#include "check.h"

enum { N = 3000, P = 12 };
static double X[N * P], y[N];

/* correlated columns (each mixes its neighbour), one constant column, a
 * sparse linear target with noise */
static void make_data(void)
{
    unsigned long long r = 3;
    for (int i = 0; i < N * P; i++) {
        r = r * 6364136223846793005ULL + 1442695040888963407ULL;
        X[i] = (double)(r >> 11) / 9007199254740992.0 - 0.5;
    }
    for (int i = 0; i < N; i++) {
        double *xi = X + (size_t)i * P;
        for (int j = 1; j < P; j++) xi[j] += 0.7 * xi[j - 1];
        xi[5] = 0.1;   /* constant: its mean rounds, its coefficient must be 0 */
        y[i] = 3 * xi[0] - 2 * xi[3] + 0.5 * xi[7] + 0.01 * (xi[11] - xi[10]) + 10;
    }
}

static double max_abs(const double *v, int n)
{
    double m = 0;
    for (int i = 0; i < n; i++) m = fmax(m, fabs(v[i]));
    return m;
}

static void gram_vs_columns(const rt_trainset *ts)
{
    static const double cases[][2] = {{1e-4, 1}, {1e-2, 1}, {0.3, 1}, {1e-3, 0.5}, {0.05, 0.2}, {0.01, 0.9}};
    rt_enet_data dg, dc;
    ut_err e;
    CHECK(rt_enet_data_new(ts, 1, "t", &dg, &e) == 0 && dg.gram && dg.G, "gram data");
    CHECK(rt_enet_data_new(ts, 0, "t", &dc, &e) == 0 && !dc.gram && dc.Xt, "column data");
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        rt_model mg = {0}, mc = {0};
        int rg = rt_enet_fit_data(&dg, cases[k][0], cases[k][1], 1000, 1e-4, "t", &mg, &e);
        int rc = rt_enet_fit_data(&dc, cases[k][0], cases[k][1], 1000, 1e-4, "t", &mc, &e);
        CHECK(rg == 0 && rc == 0, "alpha %g l1_ratio %g: %s", cases[k][0], cases[k][1], e.msg);
        if (rg || rc) continue;
        double scale = fmax(1.0, max_abs(mc.coef, P)), worst = 0;
        for (int j = 0; j < P; j++) worst = fmax(worst, fabs(mg.coef[j] - mc.coef[j]) / scale);
        CHECK(worst <= 1e-9, "alpha %g l1_ratio %g: coefficients %.2e apart", cases[k][0], cases[k][1], worst);
        CHECK(fabs(mg.intercept[0] - mc.intercept[0]) <= 1e-9 * fmax(1.0, fabs(mc.intercept[0])),
              "alpha %g: intercepts %.17g and %.17g", cases[k][0], mg.intercept[0], mc.intercept[0]);
        CHECK(mg.n_iter == mc.n_iter && mg.hit_max_iter == mc.hit_max_iter, "alpha %g: %d and %d sweeps",
              cases[k][0], mg.n_iter, mc.n_iter);
        CHECK(fabs(mg.objective - mc.objective) <= 1e-9 * mc.objective, "alpha %g: objectives %.17g and %.17g",
              cases[k][0], mg.objective, mc.objective);
        CHECK(mg.coef[5] == 0 && mc.coef[5] == 0, "the constant column's coefficient");
        printf("  alpha %-6g l1_ratio %-4g: %3d sweeps, coefficients %.1e apart\n", cases[k][0], cases[k][1],
               mg.n_iter, worst);
        free(mg.coef), free(mg.intercept), free(mc.coef), free(mc.intercept);
    }
    rt_enet_data_free(&dg);
    rt_enet_data_free(&dc);
}

static void batch_vs_alone(rt_family f, const rt_trainset *ts)
{
    enum { NC = 5 };
    rt_pval pv[NC][4];
    const rt_pval *params[NC];
    for (int c = 0; c < NC; c++) {
        double alpha = pow(10, -4 + c);
        if (f == RT_FAM_LASSO) {
            rt_pval v[3] = {{alpha, NULL}, {c == 4 ? 3 : 1000, NULL}, {1e-4, NULL}};   /* one capped at 3 sweeps */
            memcpy(pv[c], v, sizeof v);
        } else {
            rt_pval v[4] = {{alpha, NULL}, {0.2 + 0.15 * c, NULL}, {1000, NULL}, {c == 2 ? 1e-8 : 1e-4, NULL}};
            memcpy(pv[c], v, sizeof v);
        }
        params[c] = pv[c];
    }
    rt_model *batch[NC];
    ut_err errs[NC], e;
    ut_err_clear(&e);
    CHECK(rt_fit_batch(f, params, NC, ts, batch, errs, &e) == 0, "%s batch: %s", rt_families[f].name, e.msg);
    int same = 0;
    for (int c = 0; c < NC; c++) {
        rt_model *m = NULL;
        CHECK(rt_fit(f, params[c], ts, &m, &e) == 0 && batch[c], "%s alone: %s", rt_families[f].name, e.msg);
        if (m && batch[c])
            same += !memcmp(m->coef, batch[c]->coef, P * sizeof(double)) && m->intercept[0] == batch[c]->intercept[0] &&
                    m->n_iter == batch[c]->n_iter && m->hit_max_iter == batch[c]->hit_max_iter;
        rt_model_free(m);
        rt_model_free(batch[c]);
    }
    CHECK(same == NC, "%s: %d of %d batch fits bit for bit the fit alone", rt_families[f].name, same, NC);
    /* a bad parameter fails its configuration only */
    pv[1][0].num = -1;
    CHECK(rt_fit_batch(f, params, NC, ts, batch, errs, &e) == 0 && !batch[1] && errs[1].code == MLG_MISUSE &&
              strstr(errs[1].msg, "alpha must be >= 0") && batch[0] && batch[2],
          "%s: the bad alpha's error: %s", rt_families[f].name, errs[1].msg);
    for (int c = 0; c < NC; c++) rt_model_free(batch[c]);
}

int main(void)
{
    make_data();
    rt_trainset ts = {X, N, P, y, NULL, 0, 0};
    CHECK(rt_enet_gram_pays(N, P) && rt_enet_gram_pays(P, P) && !rt_enet_gram_pays(P - 1, P) &&
          !rt_enet_gram_pays(100000, 4096), "when the Gram pays");
    gram_vs_columns(&ts);
    batch_vs_alone(RT_FAM_LASSO, &ts);
    batch_vs_alone(RT_FAM_ELASTICNET, &ts);
    printf("test_enet_gram: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
