/* test_models.c — baseline, ridge and logreg against closed forms and
 * against scikit-learn 1.2.1 (Debian python3-sklearn, numpy 1.24, run once
 * offline; the exact call is quoted above each constant block).
 *
 * Logistic references come from LogisticRegression(solver='newton-cg',
 * tol=1e-12): it is the same objective as the default lbfgs solver, but
 * sklearn's lbfgs stops on scipy's ftol = 64·eps about 1e-4 away from the
 * optimum, while newton-cg lands within 1e-9 of it (checked with an exact
 * Newton iteration in numpy).  Our solver is run to tol 1e-8 and must agree
 * with the optimum, not with an early-stopped iterate. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/mileage.h"
#include "../../runtime/families.h"
#include "../../runtime/linalg.h"
#include "check.h"

#ifndef MLG_SOURCE_DIR
#define MLG_SOURCE_DIR "."
#endif



static void check_vec(const char *what, const double *got, const double *want, int n,
                      double tol)
{
    for (int i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= tol)) {
            failures++;
            printf("FAIL %s[%d]: got %.17g want %.17g (tol %g)\n", what, i, got[i],
                   want[i], tol);
        }
}

/* ---- a tiny loader for the all-numeric CSVs in data/ (header skipped) ---- */
typedef struct { double *v; int rows, cols; } csv_t;

static int load_csv(const char *name, csv_t *out)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/data/%s", MLG_SOURCE_DIR, name);
    FILE *f = fopen(path, "r");
    memset(out, 0, sizeof *out);
    if (!f) {
        printf("FAIL cannot open %s\n", path);
        failures++;
        return -1;
    }
    char line[8192];
    int cap = 0;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    for (char *c = line; *c; c++)
        out->cols += *c == ',';
    out->cols++;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '\n' || line[0] == 0)
            continue;
        if (out->rows == cap) {
            cap = cap ? 2 * cap : 256;
            double *nv = realloc(out->v, (size_t)cap * out->cols * sizeof *nv);
            if (!nv) {
                fclose(f);
                return -1;
            }
            out->v = nv;
        }
        char *s = line;
        for (int j = 0; j < out->cols; j++) {
            out->v[(size_t)out->rows * out->cols + j] = strtod(s, &s);
            if (*s == ',')
                s++;
        }
        out->rows++;
    }
    fclose(f);
    return 0;
}

/* Split into features (all but the last column) and integer labels. */
static void split_xy(const csv_t *c, double **X, int **y)
{
    int p = c->cols - 1;
    *X = malloc((size_t)c->rows * p * sizeof **X);
    *y = malloc((size_t)c->rows * sizeof **y);
    for (int i = 0; i < c->rows; i++) {
        memcpy(*X + (size_t)i * p, c->v + (size_t)i * c->cols, (size_t)p * sizeof **X);
        (*y)[i] = (int)c->v[(size_t)i * c->cols + p];
    }
}

/* ---- schema ---- */
static void test_schema(void)
{
    const rt_param_spec *ps;
    CHECK(rt_family_lookup("RIDGE") == RT_FAM_RIDGE, "lookup RIDGE");
    CHECK(rt_family_lookup("LogReg") == RT_FAM_LOGREG, "lookup LogReg");
    CHECK(rt_family_lookup("kmeans") == -1 && rt_family_lookup(NULL) == -1, "lookup unknown");
    CHECK(rt_family_params(RT_FAM_LOGREG, &ps) == 7 && strcmp(ps[0].name, "C") == 0
          && strcmp(ps[2].name, "tol") == 0 && ps[2].def_num == 1e-8, "logreg params");
    CHECK(rt_family_params(RT_FAM_RIDGE, &ps) == 2 && strcmp(ps[0].name, "alpha") == 0, "ridge params");
    CHECK(rt_family_params(RT_FAM_BASELINE, &ps) == 1 && ps[0].kind == RT_PARAM_STR, "baseline params");
    CHECK(!rt_families[RT_FAM_LOGREG].regression && rt_families[RT_FAM_RIDGE].regression,
          "family flags");
}

/* ---- baseline ---- */
static void test_baseline(void)
{
    ut_err e;
    rt_model *m = NULL;
    double X[6] = { 0, 0, 0, 0, 0, 0 }, pred[2], proba[6];
    int yc[6] = { 2, 1, 2, 1, 0, 0 };   /* three-way tie: lowest code wins */
    rt_trainset ts = { X, 6, 1, NULL, yc, 3, 0 };
    rt_pval pv[1] = { { 0, "auto" } };
    CHECK(rt_fit(RT_FAM_BASELINE, pv, &ts, &m, &e) == 0, "baseline fit: %s", e.msg);
    if (m) {
        CHECK(rt_predict(m, X, 2, 1, pred, proba, &e) == 0, "baseline predict");
        CHECK(pred[0] == 0 && pred[1] == 0, "most_frequent tie -> %g", pred[0]);
        for (int k = 0; k < 3; k++)
            CHECK(fabs(proba[k] - 1.0 / 3) < 1e-15 && proba[3 + k] == proba[k], "prior");
        rt_model_free(m);
        m = NULL;
    }
    pv[0].str = "mean";
    CHECK(rt_fit(RT_FAM_BASELINE, pv, &ts, &m, &e) == -1 && !m, "mean on classes must fail");
    pv[0].str = "bogus";
    CHECK(rt_fit(RT_FAM_BASELINE, pv, &ts, &m, &e) == -1 && !m, "unknown strategy must fail");

    double y[6] = { 5, 1, 4, 1, 10, 3 };
    rt_trainset tr = { X, 6, 1, y, NULL, 0, 0 };
    const char *strat[3] = { "auto", "median", "most_frequent" };
    double want[3] = { 4.0, 3.5, 1.0 };   /* mean, numpy.median, mode */
    for (int s = 0; s < 3; s++) {
        pv[0].str = strat[s];
        m = NULL;
        CHECK(rt_fit(RT_FAM_BASELINE, pv, &tr, &m, &e) == 0, "baseline %s", strat[s]);
        if (!m)
            continue;
        rt_predict(m, X, 2, 1, pred, NULL, &e);
        CHECK(pred[0] == want[s] && pred[1] == want[s], "baseline %s: %g", strat[s], pred[0]);
        rt_model_free(m);
    }
}

/* ---- ridge regression ---- */
static const double RX[18] = { 1, 2, 0.5, 2, 0, 1.5, 3, 1, -1, 4, 3, 2, 5, -1, 0, 6, 2, 1 };
static const double RY[6] = { 1.0, 2.5, 2.0, 5.5, 3.0, 6.0 };

static rt_model *fit_ridge(const double *X, int n, int p, const double *y, const int *yc,
                           int k, double alpha)
{
    ut_err e;
    rt_model *m = NULL;
    rt_pval pv[2] = { { alpha, NULL }, { 1, NULL } };
    rt_trainset ts = { X, n, p, y, yc, k, 0 };
    if (rt_fit(RT_FAM_RIDGE, pv, &ts, &m, &e) != 0)
        CHECK(0, "ridge fit failed: %s", e.msg);
    return m;
}

static void test_ridge_regression(void)
{
    /* Ridge(alpha=1.0).fit(X, y): coef_, intercept_ */
    static const double c1[3] = { 0.80428010513677517, 0.38000129798487847, 0.62163740792419786 };
    static const double b1 = -0.33940682091053631;
    /* Ridge(alpha=0.0).fit(X, y) (full rank: ordinary least squares) */
    static const double c0[3] = { 0.84759604324821725, 0.38658845180584323, 0.7207269381182424 };
    static const double b0 = -0.56475730388773915;
    ut_err e;
    double pred[6];

    rt_model *m = fit_ridge(RX, 6, 3, RY, NULL, 0, 1.0);
    if (m) {
        check_vec("ridge a=1 coef", m->coef, c1, 3, 1e-12);
        check_vec("ridge a=1 intercept", m->intercept, &b1, 1, 1e-12);
        CHECK(rt_predict(m, RX, 6, 3, pred, NULL, &e) == 0, "ridge predict");
        for (int i = 0; i < 6; i++) {
            double want = b1 + la_dot(3, RX + 3 * i, c1);
            check_vec("ridge a=1 pred", pred + i, &want, 1, 1e-12);
        }
        CHECK(rt_predict(m, RX, 3, 2, pred, NULL, &e) == -1, "wrong p must fail");
        rt_model_free(m);
    }
    m = fit_ridge(RX, 6, 3, RY, NULL, 0, 0.0);
    if (m) {
        check_vec("ridge a=0 coef", m->coef, c0, 3, 1e-10);
        check_vec("ridge a=0 intercept", m->intercept, &b0, 1, 1e-10);
        rt_model_free(m);
    }
}

static void test_ridge_rank_deficient(void)
{
    /* Column 2 duplicates column 0 (rank 2).  LinearRegression().fit(Xd, y),
     * which is lstsq's minimum-norm solution: the weight splits evenly. */
    static const double cd[3] = { 0.43727992957746481, 0.60959507042253547, 0.43727992957746459 };
    static const double bd = -0.43882042253521059;
    /* LinearRegression().fit(Xd, y).predict(Xd) */
    static const double pd[6] = { 1.6549295774647899, 1.3102992957746482, 2.794454225352113,
                                  4.8882042253521139, 3.324383802816901, 6.0277288732394361 };
    double Xd[18], pred[6];
    ut_err e;
    for (int i = 0; i < 6; i++) {
        Xd[3 * i] = RX[3 * i];
        Xd[3 * i + 1] = RX[3 * i + 1];
        Xd[3 * i + 2] = RX[3 * i];
    }
    rt_model *m = fit_ridge(Xd, 6, 3, RY, NULL, 0, 0.0);
    if (m) {
        check_vec("ridge rank-deficient coef", m->coef, cd, 3, 1e-9);
        check_vec("ridge rank-deficient intercept", m->intercept, &bd, 1, 1e-9);
        rt_predict(m, Xd, 6, 3, pred, NULL, &e);
        check_vec("ridge rank-deficient pred", pred, pd, 6, 1e-9);
        rt_model_free(m);
    }
    /* Nearly collinear (perturbation 1e-9): the solution must stay finite
     * and fit as well as the exactly collinear least squares. */
    for (int i = 0; i < 6; i++)
        Xd[3 * i + 2] += 1e-9 * ((i * 7) % 5 - 2);
    m = fit_ridge(Xd, 6, 3, RY, NULL, 0, 0.0);
    if (m) {
        for (int j = 0; j < 3; j++)
            CHECK(isfinite(m->coef[j]) && fabs(m->coef[j]) < 10, "ill-conditioned coef %g",
                  m->coef[j]);
        rt_predict(m, Xd, 6, 3, pred, NULL, &e);
        check_vec("ridge ill-conditioned pred", pred, pd, 6, 1e-6);
        rt_model_free(m);
    }
}

/* ---- ridge classifier on iris ---- */
static void test_ridge_classifier(void)
{
    /* RidgeClassifier(alpha=1.0).fit(X, y) on data/iris.csv */
    static const double cw[12] = {
        0.1272686268533241, 0.47083648636124803, -0.4453661654462579, -0.12120317405244911,
        -0.027607436590956172, -0.87798790155024531, 0.37199635260015262, -0.83287570567729918,
        -0.099661190262364197, 0.40715141518899739, 0.073369812846106497, 0.95407887972974081 };
    static const double cb[3] = { -0.69746137072077108, 2.1132211020903715, -2.4157597313696186 };
    /* .decision_function(X)[[0, 70, 133]] */
    static const double dec[9] = {
        0.95178306206029917, -0.74631472744460936, -1.2054683346156878,
        -0.79582302336661126, -0.57281783649546103, 0.36864085986206874,
        -1.0304990645879237, 0.12879596697149021, -0.098296902383566032 };
    static const int rows[3] = { 0, 70, 133 };
    /* .score(X, y) == 0.85333333333333339 (128 of 150) */
    /* Binary: RidgeClassifier(alpha=1.0).fit(X[50:], y[50:] - 1) */
    static const double bw[4] = { -0.38255791580296239, -0.49143106832109873,
                                  0.80224342268735582, 1.1818611424670247 };
    static const double bb = -2.1096378095025567;
    /* .score(X[50:], y[50:] - 1) == 0.97 */
    csv_t c;
    double *X = NULL, *pred = NULL, *proba = NULL;
    int *y = NULL;
    ut_err e;
    if (load_csv("iris.csv", &c) != 0)
        return;
    split_xy(&c, &X, &y);
    int n = c.rows, p = c.cols - 1;
    pred = malloc((size_t)n * sizeof *pred);
    proba = malloc((size_t)n * 3 * sizeof *proba);

    rt_model *m = fit_ridge(X, n, p, NULL, y, 3, 1.0);
    if (m) {
        CHECK(m->nout == 3, "iris ridge nout %d", m->nout);
        check_vec("iris ridge coef", m->coef, cw, 12, 1e-10);
        check_vec("iris ridge intercept", m->intercept, cb, 3, 1e-10);
        for (int r = 0; r < 3; r++) {
            double s[3];
            rt_linear_scores(m, X + (size_t)rows[r] * p, 1, s);
            check_vec("iris ridge decision", s, dec + 3 * r, 3, 1e-10);
        }
        CHECK(rt_predict(m, X, n, p, pred, proba, &e) == 0, "iris ridge predict");
        int ok = 0;
        for (int i = 0; i < n; i++) {
            ok += (int)pred[i] == y[i];
            double s = proba[3 * i] + proba[3 * i + 1] + proba[3 * i + 2];
            CHECK(fabs(s - 1) < 1e-12, "ridge proba row %d sums to %g", i, s);
            int best = 0;
            for (int k = 1; k < 3; k++)
                if (proba[3 * i + k] > proba[3 * i + best])
                    best = k;
            CHECK(best == (int)pred[i], "ridge proba argmax != pred at row %d", i);
        }
        CHECK(ok == 128, "iris ridge training accuracy %d/150, sklearn 128/150", ok);
        rt_model_free(m);
    }

    int nb = n - 50;
    int *yb = malloc((size_t)nb * sizeof *yb);
    for (int i = 0; i < nb; i++)
        yb[i] = y[50 + i] - 1;
    m = fit_ridge(X + 50 * p, nb, p, NULL, yb, 2, 1.0);
    if (m) {
        CHECK(m->nout == 1, "binary ridge must have one output column");
        check_vec("binary ridge coef", m->coef, bw, 4, 1e-10);
        check_vec("binary ridge intercept", m->intercept, &bb, 1, 1e-10);
        rt_predict(m, X + 50 * p, nb, p, pred, proba, &e);
        int ok = 0;
        for (int i = 0; i < nb; i++)
            ok += (int)pred[i] == yb[i];
        CHECK(ok == 97, "binary ridge accuracy %d/100, sklearn 97/100", ok);
        rt_model_free(m);
    }
    free(yb);
    free(X); free(y); free(pred); free(proba); free(c.v);
}

/* ---- logistic regression ---- */
static rt_model *fit_logreg(const double *X, int n, int p, const int *yc, int k, double C,
                            int max_iter)
{
    ut_err e;
    rt_model *m = NULL;
    rt_pval pv[7] = { { C, NULL }, { max_iter, NULL }, { 1e-8, NULL }, { 0, "l2" },
                      { 0, "none" }, { 1, NULL }, { 1, NULL } };
    rt_trainset ts = { X, n, p, NULL, yc, k, 0 };
    if (rt_fit(RT_FAM_LOGREG, pv, &ts, &m, &e) != 0)
        CHECK(0, "logreg fit failed: %s", e.msg);
    return m;
}

static void test_logreg_binary(void)
{
    /* X = StandardScaler().fit_transform(breast_cancer features);
     * LogisticRegression(C=1.0, solver='newton-cg', tol=1e-12).fit(X, y) */
    static const double w[30] = {
        -0.36309253243369449, -0.38767544277382876, -0.35106211909503543, -0.43560980289288531,
        -0.16183110282963989, 0.56265403347310194, -0.8599171198467892, -0.96228022339302599,
        0.076209031771010918, 0.32222623714122478, -1.2909422897752159, 0.26892190131735877,
        -0.6599745965487579, -1.0125577315968199, -0.27721295875018526, 0.73632401295093863,
        0.11053932074831811, -0.33340761903714738, 0.29579302593973361, 0.68091967294850764,
        -1.0292622619475726, -1.3146076342279431, -0.8233473826829808, -1.0107068310344203,
        -0.67068196295186522, 0.044564251965487599, -0.8733339164738777, -0.91200312195259514,
        -0.88783732444169983, -0.47981890815408623 };
    static const double b = 0.21450271800137857;
    /* .predict_proba(X)[[0, 1, 19, 100, 568], 1] */
    static const double pr[5] = { 1.2077509598869646e-09, 3.2004393422337792e-05,
                                  0.92612803854256076, 0.037604701385991271,
                                  0.99998025056545614 };
    static const int rows[5] = { 0, 1, 19, 100, 568 };
    csv_t c;
    double *X = NULL;
    int *y = NULL;
    ut_err e;
    if (load_csv("breast_cancer.csv", &c) != 0)
        return;
    split_xy(&c, &X, &y);
    int n = c.rows, p = c.cols - 1;
    for (int j = 0; j < p; j++) {       /* StandardScaler: population std */
        double mu = 0, var = 0;
        for (int i = 0; i < n; i++)
            mu += X[(size_t)i * p + j];
        mu /= n;
        for (int i = 0; i < n; i++)
            var += (X[(size_t)i * p + j] - mu) * (X[(size_t)i * p + j] - mu);
        double sd = sqrt(var / n);
        for (int i = 0; i < n; i++)
            X[(size_t)i * p + j] = (X[(size_t)i * p + j] - mu) / sd;
    }
    rt_model *m = fit_logreg(X, n, p, y, 2, 1.0, 1000);
    if (m) {
        CHECK(!m->hit_max_iter, "breast_cancer logreg hit max_iter (grad %g)", m->grad_max);
        check_vec("breast_cancer logreg coef", m->coef, w, 30, 1e-6);
        check_vec("breast_cancer logreg intercept", m->intercept, &b, 1, 1e-6);
        double pred[5], proba[10], got[5];
        double Xr[5 * 30];
        for (int r = 0; r < 5; r++)
            memcpy(Xr + 30 * r, X + (size_t)rows[r] * p, 30 * sizeof *Xr);
        CHECK(rt_predict(m, Xr, 5, p, pred, proba, &e) == 0, "logreg predict");
        for (int r = 0; r < 5; r++) {
            got[r] = proba[2 * r + 1];
            CHECK(fabs(proba[2 * r] + proba[2 * r + 1] - 1) < 1e-15, "binary proba sum");
            CHECK(pred[r] == (got[r] > 0.5), "pred/proba disagree at row %d", rows[r]);
        }
        check_vec("breast_cancer logreg proba", got, pr, 5, 1e-7);
        printf("  breast_cancer logreg: %d iterations, f = %.12g, max|g| = %.2g\n", m->n_iter,
               m->objective, m->grad_max);
        rt_model_free(m);
    }
    free(X); free(y); free(c.v);
}

static void test_logreg_multinomial(void)
{
    /* LogisticRegression(C=1.0, solver='newton-cg', tol=1e-12).fit(X, y) on
     * data/iris.csv (raw features): coef_ (3 x 4), intercept_ */
    static const double w[12] = {
        -0.42350988344249146, 0.96735059953458347, -2.5171523706812331, -1.0793366491602969,
        0.53446149499422779, -0.32158786541813539, -0.20639207128588891, -0.94429846224929426,
        -0.1109516115517428, -0.64576273411644869, 2.7235444419671162, 2.0236351114095883 };
    static const double b[3] = { 9.8495677687353353, 2.237205724855035, -12.086773493590433 };
    /* .predict_proba(X)[[0, 60, 70, 120, 133]] */
    static const double pr[15] = {
        0.98158349485405605, 0.018416490647276126, 1.4498667998671513e-08,
        0.055767014844163944, 0.93776531077440961, 0.0064676743814265419,
        0.0023098315232653057, 0.44008098324562556, 0.55760918523110914,
        5.6081426592483183e-06, 0.023841391883902944, 0.97615299997343785,
        0.00052900398349958787, 0.475565883564187, 0.52390511245231342 };
    static const int rows[5] = { 0, 60, 70, 120, 133 };
    csv_t c;
    double *X = NULL;
    int *y = NULL;
    ut_err e;
    if (load_csv("iris.csv", &c) != 0)
        return;
    split_xy(&c, &X, &y);
    int n = c.rows, p = c.cols - 1;
    rt_model *m = fit_logreg(X, n, p, y, 3, 1.0, 1000);
    if (m) {
        CHECK(!m->hit_max_iter, "iris logreg hit max_iter (grad %g)", m->grad_max);
        check_vec("iris logreg coef", m->coef, w, 12, 1e-6);
        check_vec("iris logreg intercept", m->intercept, b, 3, 1e-6);
        double Xr[20], pred[5], proba[15];
        for (int r = 0; r < 5; r++)
            memcpy(Xr + 4 * r, X + (size_t)rows[r] * p, 4 * sizeof *Xr);
        CHECK(rt_predict(m, Xr, 5, p, pred, proba, &e) == 0, "logreg predict");
        check_vec("iris logreg proba", proba, pr, 15, 1e-7);
        printf("  iris logreg: %d iterations, f = %.12g, max|g| = %.2g\n", m->n_iter,
               m->objective, m->grad_max);
        rt_model_free(m);
    }
    free(X); free(y); free(c.v);
}

static void test_logreg_edges(void)
{
    ut_err e;
    /* Separable: the optimum is finite only through the penalty; C = 1e6 makes
     * the weights large.  No NaN, correct predictions, and a capped run still
     * returns a model. */
    double X[8] = { -2, 0.5, -1, -0.3, 1, 0.2, 2, -0.1 };
    int y[4] = { 0, 0, 1, 1 };
    double pred[4], proba[12];
    for (int cap = 0; cap < 2; cap++) {
        rt_model *m = fit_logreg(X, 4, 2, y, 2, 1e6, cap ? 3 : 1000);
        if (!m)
            continue;
        CHECK(isfinite(m->coef[0]) && isfinite(m->coef[1]) && isfinite(m->intercept[0]),
              "separable: non-finite weights");
        CHECK(rt_predict(m, X, 4, 2, pred, proba, &e) == 0, "separable predict");
        for (int i = 0; i < 4; i++)
            CHECK(pred[i] == y[i] && !isnan(proba[2 * i]), "separable row %d: %g", i, pred[i]);
        if (cap)
            CHECK(m->hit_max_iter && m->n_iter == 3, "max_iter=3 not reported (%d)", m->n_iter);
        rt_model_free(m);
    }

    /* Three classes declared, class 1 absent from these rows: a binary fit
     * of 0 vs 2, probability 0 for class 1. */
    int y3[4] = { 0, 0, 2, 2 };
    rt_model *m = fit_logreg(X, 4, 2, y3, 3, 1.0, 1000);
    if (m) {
        rt_predict(m, X, 4, 2, pred, proba, &e);
        for (int i = 0; i < 4; i++) {
            CHECK(pred[i] == y3[i], "absent class: row %d predicted %g", i, pred[i]);
            CHECK(proba[3 * i + 1] == 0 && fabs(proba[3 * i] + proba[3 * i + 2] - 1) < 1e-15,
                  "absent class proba row %d", i);
        }
        rt_model_free(m);
    }
    /* A single class: constant model. */
    int y1[4] = { 1, 1, 1, 1 };
    m = fit_logreg(X, 4, 2, y1, 2, 1.0, 1000);
    if (m) {
        rt_predict(m, X, 4, 2, pred, proba, &e);
        CHECK(pred[0] == 1 && proba[0] == 0 && proba[1] == 1, "single-class logreg");
        rt_model_free(m);
    }

    /* Errors: non-finite features, regression target, bad C. */
    double Xn[8] = { 0, 1, NAN, 2, 3, 4, 5, 6 };
    rt_pval pv[7] = { { 1.0, NULL }, { 100, NULL }, { 1e-8, NULL }, { 0, "l2" },
                      { 0, "none" }, { 1, NULL }, { 1, NULL } };
    rt_trainset ts = { Xn, 4, 2, NULL, y, 2, 0 };
    m = (rt_model *)&e;   /* must be reset to NULL on failure */
    CHECK(rt_fit(RT_FAM_LOGREG, pv, &ts, &m, &e) == -1 && !m && e.code == MLG_DATA,
          "NaN feature must fail with MLG_DATA");
    double yr[4] = { 1, 2, 3, 4 };
    rt_trainset tr = { X, 4, 2, yr, NULL, 0, 0 };
    CHECK(rt_fit(RT_FAM_LOGREG, pv, &tr, &m, &e) == -1 && !m, "logreg regression must fail");
    pv[0].num = 0;
    ts.X = X;
    CHECK(rt_fit(RT_FAM_LOGREG, pv, &ts, &m, &e) == -1 && !m, "C = 0 must fail");
}

int main(void)
{
    la_set_threads(1);
    test_schema();
    test_baseline();
    test_ridge_regression();
    test_ridge_rank_deficient();
    test_ridge_classifier();
    test_logreg_binary();
    test_logreg_multinomial();
    test_logreg_edges();
    if (failures) {
        printf("test_models: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_models: ok\n");
    return 0;
}
