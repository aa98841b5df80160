/* test_nb_folds.c — sharing rule 2 for gaussian nb against the direct fit:
 * for every CV round, nb from the per-fold class statistics
 * (runtime/nb_folds.c) and nb fitted on the round's design (rt_fit on the
 * standardized or raw training rows) give the same predicted classes and
 * probabilities within 1e-9, on wine (3 classes), breast_cancer (2, one
 * column made constant below) and digits (10 classes, many pixels constant
 * within a class or over a round's training rows), var_smoothing 1e-9 to
 * 1e-1.  The path declines (returns 1, nothing written) for var_smoothing
 * below 1e-12 and where a class mean lies a thousand of its deviations
 * from the data's; a table with a categorical column has no statistics. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/families.h"
#include "runtime/folds.h"
#include "runtime/model.h"
#include "runtime/nb_folds.h"
#include "runtime/table.h"
#include "runtime/transform.h"
#include "check.h"
#include "fixture.h"

static double worst;

/* Runs round k of nf for the configurations vs; fills pred/proba. */
static int folds_predict(const rt_nb_folds *nf, int k, int standardize, const double *vs, int nv, int p,
                         const double *Xt, int nt, int K, double *pred, double *proba)
{
    rt_pval pv[8][3];
    const rt_pval *pp[8];
    rt_group_out out[8];
    memset(out, 0, sizeof out);
    for (int c = 0; c < nv; c++) {
        pv[c][0] = (rt_pval){vs[c], NULL};
        pv[c][1] = (rt_pval){0, "gaussian"};
        pv[c][2] = (rt_pval){1, NULL};
        pp[c] = pv[c];
        out[c].pred = pred + (size_t)c * nt;
        out[c].proba = proba + (size_t)c * nt * K;
    }
    ut_err e;
    ut_err_clear(&e);
    int rc = rt_fit_predict_nb_folds(nf, k, standardize, pp, nv, p, Xt, nt, out, &e);
    for (int c = 0; c < nv; c++) {
        CHECK(!out[c].error, "config %d: %s", c, out[c].error ? out[c].error : "");
        free(out[c].error);
    }
    return rc;
}

static void one(const char *file, const char *target_name, int constant_col)
{
    rt_table *t = fixture_read_data(file);
    if (!t) return;
    ut_err e;
    ut_err_clear(&e);
    int target = rt_table_find(t, target_name), n = t->nrows, K = 0, F = 5;
    if (constant_col >= 0)
        for (int i = 0; i < n; i++) t->cols[constant_col].num[i] = 3.25;
    int *yc = malloc(sizeof(int) * (size_t)n), *fold = malloc(sizeof(int) * (size_t)n);
    rt_target_classes(&t->cols[target], n, yc, &K, NULL, &e);
    CHECK(rt_folds_cv(n, F, yc, K, NULL, 7, fold, &e) == 0, "folds: %s", e.msg);
    rt_nb_folds *nf = NULL;
    CHECK(rt_nb_folds_new(t, target, fold, F, yc, K, &nf, &e) == 0 && nf, "%s: no statistics", file);
    const double vs[4] = {1e-9, 1e-6, 1e-3, 1e-1};
    int *train = malloc(sizeof(int) * (size_t)n), *test = malloc(sizeof(int) * (size_t)n);
    for (int standardize = 0; nf && standardize <= 1; standardize++)
        for (int k = 0; k < F; k++) {
            int ntr, nte;
            fixture_round_rows(fold, n, k, train, &ntr, test, &nte);
            rt_tf_step st = {.kind = RT_TF_STANDARDIZE};
            rt_design d;
            CHECK(rt_pipeline_run(t, target, &st, standardize, train, ntr, &d, &e) == 0, "design: %s", e.msg);
            double *X = malloc(sizeof(double) * (size_t)ntr * (size_t)d.p);
            double *Xt = malloc(sizeof(double) * (size_t)nte * (size_t)d.p);
            int *ytr = malloc(sizeof(int) * (size_t)ntr);
            for (int i = 0; i < ntr; i++) {
                memcpy(X + (size_t)i * d.p, d.x + (size_t)train[i] * d.p, sizeof(double) * (size_t)d.p);
                ytr[i] = yc[train[i]];
            }
            for (int i = 0; i < nte; i++)
                memcpy(Xt + (size_t)i * d.p, d.x + (size_t)test[i] * d.p, sizeof(double) * (size_t)d.p);
            double *pf = malloc(sizeof(double) * 4 * (size_t)nte), *qf = malloc(sizeof(double) * 4 * (size_t)nte * K);
            double *pd = malloc(sizeof(double) * (size_t)nte), *qd = malloc(sizeof(double) * (size_t)nte * K);
            int rc = folds_predict(nf, k, standardize, vs, 4, d.p, Xt, nte, K, pf, qf);
            CHECK(rc == 0, "%s round %d%s: the fold path declined or failed (%d)", file, k,
                  standardize ? " standardized" : "", rc);
            rt_trainset ts = {X, ntr, d.p, NULL, ytr, K, 0};
            for (int a = 0; rc == 0 && a < 4; a++) {
                rt_pval pv[3] = {{vs[a], NULL}, {0, "gaussian"}, {1, NULL}};
                rt_model *m = NULL;
                CHECK(rt_fit(RT_FAM_NB, pv, &ts, &m, &e) == 0 && rt_predict(m, Xt, nte, d.p, pd, qd, &e) == 0,
                      "direct: %s", e.msg);
                int same = 1;
                for (int i = 0; i < nte; i++) same &= pd[i] == pf[(size_t)a * nte + i];
                for (size_t i = 0; i < (size_t)nte * K; i++) {
                    double g = fabs(qd[i] - qf[(size_t)a * nte * K + i]);
                    if (g > worst) worst = g;
                    same &= g <= 1e-9;
                }
                CHECK(same, "%s round %d%s var_smoothing %g: classes or probabilities differ beyond 1e-9", file, k,
                      standardize ? " standardized" : "", vs[a]);
                rt_model_free(m);
            }
            /* below 1e-12 it declines, writing nothing */
            double tiny = 1e-13;
            CHECK(folds_predict(nf, k, standardize, &tiny, 1, d.p, Xt, nte, K, pf, qf) == 1,
                  "%s: var_smoothing 1e-13 is declined", file);
            free(X), free(Xt), free(ytr), free(pf), free(qf), free(pd), free(qd);
            rt_design_free(&d);
        }
    rt_nb_folds_free(nf);
    free(train), free(test), free(yc), free(fold);
    rt_table_free(t);
}

/* A class whose mean lies 1e5 of its deviations from the data's mean in a
 * feature: the difference of squares cannot give its variance to 1e-9,
 * and the fold path declines. */
static void far_class(void)
{
    int n = 60;
    rt_table t = {0};
    rt_column cols[2];
    memset(cols, 0, sizeof cols);
    double x[60], yv[60];
    int yc[60], fold[60];
    for (int i = 0; i < n; i++) {
        yc[i] = i % 2;
        x[i] = yc[i] ? 1e5 + 1e-3 * (i % 7) : 1e-3 * (i % 5);
        yv[i] = yc[i];
        fold[i] = i % 3;
    }
    cols[0] = (rt_column){.name = "x", .type = RT_NUMERIC, .num = x};
    cols[1] = (rt_column){.name = "y", .type = RT_NUMERIC, .num = yv};
    t.nrows = n;
    t.ncols = 2;
    t.cols = cols;
    rt_nb_folds *nf = NULL;
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_nb_folds_new(&t, 1, fold, 3, yc, 2, &nf, &e) == 0 && nf, "far: statistics");
    double Xt[20], pf[20], qf[40], vs = 1e-9;
    for (int i = 0; i < 20; i++) Xt[i] = x[i];
    CHECK(nf && folds_predict(nf, 0, 0, &vs, 1, 1, Xt, 20, 2, pf, qf) == 1, "far class mean: declined");
    rt_nb_folds_free(nf);
}

int main(void)
{
    one("wine.csv", "target", -1);
    one("breast_cancer.csv", "target", 4);
    one("digits.csv", "target", -1);
    far_class();
    /* a categorical feature: not eligible */
    rt_table *t = fixture_read_data("credit-g.csv");
    ut_err e;
    ut_err_clear(&e);
    if (t) {
        int n = t->nrows, K = 0, target = rt_table_find(t, "class");
        int *yc = malloc(sizeof(int) * (size_t)n), *fold = malloc(sizeof(int) * (size_t)n);
        rt_target_classes(&t->cols[target], n, yc, &K, NULL, &e);
        for (int i = 0; i < n; i++) fold[i] = i % 3;
        rt_nb_folds *nf = NULL;
        CHECK(rt_nb_folds_new(t, target, fold, 3, yc, K, &nf, &e) == 0 && !nf, "credit-g: no statistics");
        rt_nb_folds_free(nf);
        free(yc), free(fold);
        rt_table_free(t);
    }
    printf("test_nb_folds: largest probability difference %.3g\n", worst);
    if (failures) printf("%d failure(s)\n", failures);
    return failures ? 1 : 0;
}
