/* test_linear.c — linreg, lasso, elasticnet, logreg (l1 and class_weight)
 * and linsvm against scikit-learn 1.2.1 (Debian python3-sklearn, numpy
 * 1.24, scipy 1.10; run once offline, the exact call is quoted above each
 * constant block).  "standardized" means (x − mean) / population std over
 * the whole file, as StandardScaler().fit_transform does.
 *
 * How close and why:
 *   - linreg: same SVD least squares as sklearn (scipy lstsq / dgelsd):
 *     1e-10 relative.
 *   - lasso / elasticnet: the same cyclic coordinate descent and stopping
 *     rule as sklearn's cd_fast, so even at the default tol = 1e-4 the
 *     iterate (not just the optimum) and n_iter_ agree: 1e-8 relative,
 *     iteration counts exactly.
 *   - logreg l1 references are saga at tol = 1e-12 (its KKT violation,
 *     checked in numpy, is below 1e-9); l2 + class_weight references are
 *     newton-cg at tol = 1e-12.  Our fits run to tol = 1e-10: 1e-6.
 *   - linsvm: sklearn visits the dual variables in its own random order, so
 *     only the optimum is comparable: references are LinearSVC at
 *     tol = 1e-10 (two random_states agree to 2e-10); ours also run at
 *     tol = 1e-10: 1e-7. */
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



/* |got − want| <= tol · max(1, |want|) */
static void check_vec(const char *what, const double *got, const double *want, int n,
                      double tol)
{
    for (int i = 0; i < n; i++)
        if (!(fabs(got[i] - want[i]) <= tol * fmax(1.0, fabs(want[i])))) {
            failures++;
            printf("FAIL %s[%d]: got %.17g want %.17g (tol %g)\n", what, i, got[i],
                   want[i], tol);
        }
}

/* ---- a tiny loader for the all-numeric CSVs in data/ (header skipped,
 * quoted numbers such as "0" accepted) ---- */
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
            if (*s == '"')
                s++;
            out->v[(size_t)out->rows * out->cols + j] = strtod(s, &s);
            if (*s == '"')
                s++;
            if (*s == ',')
                s++;
        }
        out->rows++;
    }
    fclose(f);
    return 0;
}

/* Features (all but the last column), targets as doubles and as codes. */
typedef struct { double *X, *y; int *yc; int n, p; } data_t;

static int load_data(const char *name, int standardize, data_t *d)
{
    csv_t c;
    memset(d, 0, sizeof *d);
    if (load_csv(name, &c) != 0) {
        free(c.v);
        return -1;
    }
    int n = c.rows, p = c.cols - 1;
    d->n = n;
    d->p = p;
    d->X = malloc((size_t)n * p * sizeof *d->X);
    d->y = malloc((size_t)n * sizeof *d->y);
    d->yc = malloc((size_t)n * sizeof *d->yc);
    for (int i = 0; i < n; i++) {
        memcpy(d->X + (size_t)i * p, c.v + (size_t)i * c.cols, (size_t)p * sizeof *d->X);
        d->y[i] = c.v[(size_t)i * c.cols + p];
        d->yc[i] = (int)d->y[i];
    }
    free(c.v);
    for (int j = 0; standardize && j < p; j++) {
        double mu = 0, var = 0;
        for (int i = 0; i < n; i++)
            mu += d->X[(size_t)i * p + j];
        mu /= n;
        for (int i = 0; i < n; i++)
            var += (d->X[(size_t)i * p + j] - mu) * (d->X[(size_t)i * p + j] - mu);
        double sd = sqrt(var / n);
        for (int i = 0; i < n; i++)
            d->X[(size_t)i * p + j] = (d->X[(size_t)i * p + j] - mu) / sd;
    }
    return 0;
}

static void free_data(data_t *d)
{
    free(d->X);
    free(d->y);
    free(d->yc);
}

/* Rows [a0, a1) ∪ [b0, b1) ∪ [c0, c1) of d, class codes shifted by -shift. */
static void subset(const data_t *d, const int *ranges, int nr, int shift, data_t *s)
{
    int n = 0, p = d->p;
    for (int r = 0; r < nr; r++)
        n += ranges[2 * r + 1] - ranges[2 * r];
    s->n = n;
    s->p = p;
    s->X = malloc((size_t)n * p * sizeof *s->X);
    s->y = malloc((size_t)n * sizeof *s->y);
    s->yc = malloc((size_t)n * sizeof *s->yc);
    int k = 0;
    for (int r = 0; r < nr; r++)
        for (int i = ranges[2 * r]; i < ranges[2 * r + 1]; i++, k++) {
            memcpy(s->X + (size_t)k * p, d->X + (size_t)i * p, (size_t)p * sizeof *s->X);
            s->y[k] = d->y[i];
            s->yc[k] = d->yc[i] - shift;
        }
}

static rt_model *fit(rt_family f, const rt_pval *pv, const double *X, int n, int p,
                     const double *y, const int *yc, int k, unsigned long long seed)
{
    ut_err e;
    rt_model *m = NULL;
    rt_trainset ts = { X, n, p, y, yc, k, seed };
    if (rt_fit(f, pv, &ts, &m, &e) != 0) {
        CHECK(0, "%s fit failed: %s", rt_families[f].name, e.msg);
        return NULL;
    }
    return m;
}

/* Rows `rows` of X copied out (for predict on a few rows). */
static void pick(const double *X, int p, const int *rows, int nr, double *out)
{
    for (int r = 0; r < nr; r++)
        memcpy(out + (size_t)r * p, X + (size_t)rows[r] * p, (size_t)p * sizeof *out);
}

/* ---- scikit-learn reference numbers ---- */
static const double RX[18] = { 1, 2, 0.5, 2, 0, 1.5, 3, 1, -1, 4, 3, 2, 5, -1, 0, 6, 2, 1 };
static const double RY[6] = { 1.0, 2.5, 2.0, 5.5, 3.0, 6.0 };
static const double WX[15] = { 1, 0, 2, -1, 0.5, 0, 1, 1, 3, -2, 2, 2, 0, 1, 1 };
static const double WY[3] = { 1, -2, 3 };

/* LinearRegression().fit(RX, RY): coef_, intercept_ */
static const double LR_C[4] = {
    0.8475960432482176, 0.38658845180584345, 0.7207269381182426, -0.5647573038877405 };
/* LinearRegression(fit_intercept=False).fit(RX, RY).coef_ */
static const double LR_C0[3] = {
    0.7359115275462862, 0.32810036488130123, 0.7005270507680528 };
/* LinearRegression().fit(WX, WY) (3 rows, 5 columns: minimum norm): coef_, intercept_ */
static const double LR_WIDE[6] = {
    0.5803757828810022, 0.4185803757828809, -0.4185803757828811, -0.3235908141962421,
    0.7849686847599164, 0.5407098121085594 };
/* LinearRegression(fit_intercept=False).fit(WX, WY).coef_ */
static const double LR_WIDE0[5] = {
    0.7283090563647886, 0.5158328055731484, -0.18777707409753297, -0.2609246358454713,
    0.7726409119696023 };
/* LinearRegression().fit(X, y) on data/boston_housing.csv: coef_, intercept_ */
static const double LR_BOSTON[14] = {
    -0.10801135783679412, 0.04642045836688062, 0.020558626367072556, 2.6867338193449286,
    -17.76661122830035, 3.809865206809236, 0.0006922246403418836, -1.475566845600246,
    0.3060494789851621, -0.012334593916573669, -0.9527472317072923, 0.009311683273793493,
    -0.5247583778554906, 36.45948838509002 };
/* .predict(X[[0, 100, 505]]) */
static const double LR_BOSTON_PRED[3] = {
    30.00384337701678, 24.580220188923754, 22.344212292903542 };
/* Lasso(alpha=0.01).fit(X, y) on data/diabetes_progression.csv: coef_ (10), intercept_, predict(X[[0, 1, 100, 441]]) (4), n_iter_ */
static const double LA_0[16] = {
    -1.3046616136113716, -228.81912876050717, 525.566129943044, 316.1688337016962,
    -307.016211492852, 89.32464741066708, -105.07836938535209, 119.59761630140527,
    571.3303556245309, 65.0083831153571, 152.13348416289602, 204.7720758901877,
    70.27968605272716, 167.44802256373282, 49.85930723798808, 231.0 };
/* Lasso(alpha=0.1).fit(X, y) on data/diabetes_progression.csv: coef_ (10), intercept_, predict(X[[0, 1, 100, 441]]) (4), n_iter_ */
static const double LA_1[16] = {
    -0.0, -155.35997569700984, 517.1867954440924, 275.0772353690527, -52.53936509011946,
    -0.0, -210.15799139657113, 0.0, 483.91264753277136, 33.67396468056036,
    152.13348416289602, 202.6686592452554, 73.839529270459, 170.28640920467072,
    56.035715008432604, 21.0 };
/* Lasso(alpha=1.0).fit(X, y) on data/diabetes_progression.csv: coef_ (10), intercept_, predict(X[[0, 1, 100, 441]]) (4), n_iter_ */
static const double LA_2[16] = {
    0.0, -0.0, 367.7038597638381, 6.29885755895271, 0.0, 0.0, -0.0, 0.0,
    307.60541809950024, 0.0, 152.133484162896, 181.08083908020532, 112.0212857047589,
    169.8803993089595, 123.46858961842375, 8.0 };
/* Lasso(alpha=10.0).fit(X, y) on data/diabetes_progression.csv: coef_ (10), intercept_, predict(X[[0, 1, 100, 441]]) (4), n_iter_ */
static const double LA_3[16] = {
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.0, 0.0, 0.0, 0.0, 152.13348416289594,
    152.13348416289594, 152.13348416289594, 152.13348416289594, 152.13348416289594, 1.0 };
/* Lasso(alpha=0.1, tol=1e-10, max_iter=100000): coef_ (10), intercept_, predict(X[[0, 1, 100, 441]]) (4), n_iter_ */
static const double LA_TIGHT[16] = {
    -0.0, -155.34311060496523, 517.2162412491326, 275.0872229360857, -52.55203580051236,
    -0.0, -210.1395090313645, 0.0, 483.9171745409404, 33.66219212982584,
    152.13348416289602, 202.67160517062587, 73.8392562344458, 170.28591858234998,
    56.03409486113145, 37.0 };
/* Lasso(alpha=0.1, max_iter=3) (stops on the cap): coef_ (10), intercept_, predict(X[[0, 1, 100, 441]]) (4), n_iter_ */
static const double LA_CAP[16] = {
    -0.0, -183.3004755210056, 522.8419441209325, 310.5174014374824, -1.3882135158321365,
    -29.81986990650292, -252.16997029125054, 25.494996392802523, 437.91274658056295,
    14.698575482753528, 152.13348416289602, 202.32932674087004, 74.76177121103736,
    169.55581616274583, 49.26568899309399, 3.0 };
/* ElasticNet(alpha=0.001, l1_ratio=0.5): coef_ (10), intercept_, predict(X[[0, 1, 100, 441]]) (4), n_iter_ */
static const double EN_0[16] = {
    8.706329466967198, -178.07446455409766, 450.88433506470494, 281.06843132740386,
    -44.04970532422175, -77.94389787520629, -188.9574806388756, 119.79439875137156,
    393.7023591307272, 98.94430170000888, 152.13348416289602, 196.0497554580494,
    76.50671418354139, 164.09651454107126, 59.08628037044828, 21.0 };
/* ElasticNet(alpha=0.01, l1_ratio=0.7): coef_ (10), intercept_, predict(X[[0, 1, 100, 441]]) (4), n_iter_ */
static const double EN_1[16] = {
    30.96775931198102, -62.71500230612576, 271.60923461715146, 180.95529364525675,
    11.358050541933197, -14.989279905075888, -139.0107268359944, 111.95463076374563,
    234.73040358948316, 107.67295598273192, 152.133484162896, 179.38488388062464,
    95.58840342077156, 160.20252419507895, 90.24675911701264, 9.0 };
/* ElasticNet(alpha=0.1, l1_ratio=0.9): coef_ (10), intercept_, predict(X[[0, 1, 100, 441]]) (4), n_iter_ */
static const double EN_2[16] = {
    23.62232379610014, -2.959354777275223, 133.3980193763501, 92.59527741646217,
    21.03454859985896, 8.266501206705708, -75.96663300994473, 73.50380448101741,
    120.61279990307769, 67.92858884620212, 152.13348416289597, 166.22920551440131,
    119.52000547231202, 156.4337196756377, 119.49405531886231, 6.0 };
/* ElasticNet(alpha=1.0, l1_ratio=0.5): coef_ (10), intercept_, predict(X[[0, 1, 100, 441]]) (4), n_iter_ */
static const double EN_3[16] = {
    0.35901792690998235, 0.0, 3.259767356242273, 2.2043404238815723, 0.5286456161435492,
    0.2509351511625504, -1.8613632166635872, 2.1144540710713726, 3.1058346819105087,
    1.7698510164887784, 152.13348416289594, 152.47026911465903, 151.3002772373686,
    152.24098344170497, 151.3361527026172, 3.0 };
/* ElasticNet(alpha=0.01, l1_ratio=0.0): coef_ (10), intercept_, predict(X[[0, 1, 100, 441]]) (4), n_iter_ */
static const double EN_4[16] = {
    29.5706792157261, -11.975430251323932, 138.36648978909028, 98.14330686105164,
    25.780871369044213, 13.123598410965908, -82.04918443547024, 77.74644667751912,
    124.99258430230712, 72.97232299552181, 152.13348416289597, 166.29879432012473,
    117.99181249036724, 157.35795267337502, 118.11622510824265, 1000.0 };
/* LogisticRegression(penalty='l1', solver='saga', C=0.1, tol=1e-12, max_iter=1000000).fit(X, y) on standardized breast_cancer, rows {0, 1, 19, 100, 568}: coef_, intercept_, predict_proba(X[rows]) (column 1) */
static const double L1_BC01[36] = {
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.5194787779036265, 0.0, 0.0, -0.319860462172044,
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -2.249405751855583, -0.735434655935331,
    0.0, 0.0, -0.18170378152942362, 0.0, -0.025547255407119884, -1.0953454239034004,
    -0.1628512661079916, 0.0, 0.6936478131330953, 0.00036436548895416986,
    0.009751373580333645, 0.8614967209685865, 0.3202916779972424, 0.9981183280621093 };
/* LogisticRegression(penalty='l1', solver='saga', C=1.0, tol=1e-12, max_iter=1000000).fit(X, y) on standardized breast_cancer, rows {0, 1, 19, 100, 568}: coef_, intercept_, predict_proba(X[rows]) (column 1) */
static const double L1_BC1[36] = {
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.060699431088591306, -1.132448821864637, 0.0,
    0.13722969246657377, -2.699733086221322, 0.39121274130861067, 0.0, 0.0,
    -0.3208062100888614, 0.8668511000973043, 0.0, 0.0, 0.0, 0.23587918240533418,
    -1.7490402975038184, -1.7812031783976676, -0.11873560054962329, -2.598987223045089,
    -0.5351470192726361, 0.0, -1.1290841641474094, -1.2685003751696498,
    -0.5512705035781866, 0.0, 0.008454742757036452, 2.5404486289278613e-10,
    1.2066289615909675e-05, 0.9430068763133819, 0.01732205296821181, 0.9999201308962209 };
/* LogisticRegression(penalty='l1', solver='saga', C=0.5, tol=1e-12, max_iter=1000000).fit(X, y) on standardized iris, rows {0, 60, 70, 120, 133}: coef_, intercept_, predict_proba(X[rows]) (all columns) */
static const double L1_IRIS[30] = {
    0.0, 0.6901358810737177, -4.0290548666619195, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    -0.253341976354386, 2.3841425901614404, 4.061536123194126, -0.10462028292198396,
    2.0887256335285778, -1.9841053506064639, 0.9803483985337093, 0.019651550830250025,
    5.063604074495648e-08, 0.03591896765806497, 0.9567506531672957, 0.007330379174639273,
    0.004933610762116241, 0.383353792329918, 0.6117125969079658, 2.067386216432277e-05,
    0.012616583585341687, 0.9873627425524941, 0.0021275560156358824, 0.6203802607797074,
    0.3774921832046567 };
/* LogisticRegression(penalty='l2', solver='newton-cg', C=1.0, class_weight='balanced', tol=1e-12, max_iter=1000000).fit(X, y) on standardized iris rows 0-49, 50-59, 100-129 (50/10/30), rows {0, 5, 89} of the subset: coef_, intercept_, predict_proba(X[rows]) (all columns) */
static const double BAL_L2_SUB[24] = {
    -0.8586240788024838, 1.1483070615796405, -1.6804858793578028, -1.5986319421944992,
    0.5215049134606833, -0.2390561490784966, -0.2986073649641105, -0.7878972889083912,
    0.3371191653418022, -0.9092509125011422, 1.979093244321913, 2.3865292311028905,
    -0.03575111990683465, 1.8259255121437716, -1.7901743922369318, 0.9761912089328589,
    0.023808514022331285, 2.770448097587706e-07, 0.9827121903992717, 0.017287464417485167,
    3.4518324320654754e-07, 0.0006677491664063003, 0.38034437543084315, 0.6189878754027505 };
/* LogisticRegression(penalty='l1', solver='saga', C=1.0, class_weight='balanced', tol=1e-12, max_iter=1000000).fit(X, y) on the same subset: coef_, intercept_, predict_proba(X[rows]) (all columns) */
static const double BAL_L1_SUB[24] = {
    0.0, 0.6730362569439838, -4.23732068807856, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
    -1.0465036670258219, 2.201662520900042, 5.887579150291806, 0.28731801300788884,
    2.5225218920253836, -2.809839905033405, 0.9841653375545995, 0.01583466184882575,
    5.965748144709945e-10, 0.982481092106773, 0.01751890616633727, 1.7268897660006266e-09,
    0.0002759207727084623, 0.38541072056837705, 0.6143133586589146 };
/* LogisticRegression(penalty='l2', solver='newton-cg', C=1.0, class_weight='balanced', tol=1e-12, max_iter=1000000).fit(X, y) on standardized iris rows 50-114, y - 1 (50/15), rows {0, 20, 60} of the subset: coef_, intercept_, predict_proba(X[rows]) (column 1) */
static const double BAL_L2_BIN[8] = {
    -0.06067739620144377, -0.5301310959892613, 2.0102977357163945, 2.906965290093829,
    -3.4379449744508066, 0.13553213600925793, 0.46825008293416936, 0.7184522425725037 };
/* LogisticRegression(penalty='l1', solver='saga', C=1.0, class_weight='balanced', tol=1e-12, max_iter=1000000).fit(X, y) on the same subset: coef_, intercept_, predict_proba(X[rows]) (column 1) */
static const double BAL_L1_BIN[8] = {
    0.0, -0.6705013794738435, 0.7356177554368829, 6.727981618552993, -5.079886900403348,
    0.04192310342968372, 0.611873753677471, 0.9130823540811147 };
/* LinearSVC(C=1.0, tol=1e-10, max_iter=1000000, random_state=0).fit(X, y) on standardized iris: coef_, intercept_, decision_function(X[[0, 20, 60]]), training accuracy count */
static const double SV_IRIS[25] = {
    -0.15805411851936707, 0.4051412009010552, -0.7091897995551584, -0.6983903688435873,
    -0.02428853014135389, -0.4585879394424374, 0.7172142770168338, -0.6951398576848409,
    -0.2860937858349305, -0.30689905307911647, 1.7507028055252232, 1.6321603712960748,
    -0.7604232254655666, -0.3645047223642608, -2.0803284086681764, 1.6639423980117765,
    -0.8567434459717788, -6.62873498268796, 1.392301390618421, -0.6377131115332054,
    -6.363567609162209, -1.2977636252232911, 0.8537161263182729, -1.725989087939137, 142.0 };
/* LinearSVC(C=1.0, loss='hinge', tol=1e-10, max_iter=1000000, random_state=0).fit(X, y) on standardized iris: coef_, intercept_, decision_function(X[[0, 20, 60]]), training accuracy count */
static const double SV_IRIS_H[25] = {
    -0.16048245658196858, 0.5361758133144379, -0.8030741509608695, -0.8713129089240466,
    0.18622813323076073, -1.0804456063340242, 0.7896021578485444, -1.1104432889077485,
    -0.47043196307079477, -0.3983446296425915, 2.049367808562854, 2.240481356505763,
    -0.8097879320310544, -0.7675920618865236, -2.478843453032586, 2.1035859571383355,
    -1.6338224778940171, -8.154894671508213, 1.7848900611601162, -1.182775929424138,
    -7.884758364254888, -1.6044384077266653, 1.8474363747254179, -1.9169764559986326,
    139.0 };
/* LinearSVC(C=0.1, tol=1e-10, max_iter=1000000, random_state=0).fit(X, y) on standardized breast_cancer: coef_, intercept_, decision_function(X[[0, 20, 60]]), training accuracy count */
static const double SV_BC[35] = {
    -0.08935037499686435, -0.11113176320485912, -0.08741274910795717, -0.12614294852674104,
    -0.05680400230186498, 0.24131954090415997, -0.29469472194853286, -0.34530630373399523,
    0.025240070132357358, 0.10912298190588317, -0.4240263133255011, 0.08459122711841405,
    -0.21190121763448602, -0.35172574775611204, -0.10689256686980514, 0.20533787065037323,
    0.06942210593931297, -0.10382388441391743, 0.08033969610499353, 0.20887919078317846,
    -0.30695959811161744, -0.4248188863749453, -0.24527175339033408, -0.3244011060829314,
    -0.18077960238909804, 0.041890156167545295, -0.27410323814409027, -0.2541745850406208,
    -0.3013520613004049, -0.1784241166148838, 0.03485190786765888, -6.419939005372418,
    2.122849353363378, 3.0113273544629666, 562.0 };
/* LinearSVC(C=0.1, loss='hinge', tol=1e-10, max_iter=1000000, random_state=0).fit(X, y) on standardized breast_cancer: coef_, intercept_, decision_function(X[[0, 20, 60]]), training accuracy count */
static const double SV_BC_H[35] = {
    -0.19696793670766022, -0.29888327432246214, -0.19551754064014548, -0.22613478337640375,
    -0.022526879727771558, 0.17244520297617075, -0.37280697277897035, -0.36752281335373055,
    -0.05041458624469273, 0.2414153595109135, -0.37949202810726196, 0.13166068408038473,
    -0.363473044155048, -0.32862230626693106, -0.16682167728514397, 0.2767160275245411,
    0.04955397891311376, -0.09399140168243385, 0.09333488238282857, 0.22897779895427994,
    -0.3413438107056816, -0.4648020345768006, -0.3479522218122854, -0.3449527307316587,
    -0.3206283945985131, 0.005651506833969547, -0.34102813287633027, -0.3185698115108927,
    -0.4196699654498233, -0.151160945864709, 0.1713150729258641, -7.836339006957605,
    2.763455848449708, 4.0402099928903015, 561.0 };
/* LinearSVC(C=1.0, class_weight='balanced', tol=1e-10, max_iter=1000000, random_state=0).fit(X, y) on the 50/10/30 iris subset: coef_, intercept_, decision_function(X[[0, 20, 60]]), training accuracy count */
static const double SV_SUB_BAL[25] = {
    -0.05194813076677734, 0.31697931182228944, -0.6529396911147501, -0.5423073512496993,
    0.21041523433026568, -0.3889836472907904, 0.3960437342962117, -0.491307286180887,
    -0.16218219028758146, -0.40689656081146097, 1.2847474609436758, 1.6400427617874542,
    -0.5152834837327113, -0.3982256379063344, -1.6538183347923994, 1.4429707233720088,
    -0.8686196585506472, -5.80161077784188, 1.2397855417658348, -0.6350598628507582,
    -5.547833097462947, -2.1274801126593434, -0.8355749783964054, 2.474202010205066, 89.0 };
/* LinearSVC(C=1.0, class_weight='balanced', tol=1e-10, max_iter=1000000, random_state=0).fit(X, y) on the 50/15 binary iris subset: coef_, intercept_, decision_function(X[[0, 20, 60]]), training accuracy count */
static const double SV_BIN_BAL[9] = {
    -0.34018303941296374, -0.2525398872620968, 1.2243899930729156, 1.7938948518060045,
    -1.9084594217730775, -1.3387747371256942, 0.128765429454627, 0.5624920284701083, 63.0 };
/* LinearSVC(C=1.0, class_weight='balanced', loss='hinge', tol=1e-10, max_iter=1000000, random_state=0).fit(X, y) on the 50/15 binary iris subset: coef_, intercept_, decision_function(X[[0, 20, 60]]), training accuracy count */
static const double SV_BIN_BAL_H[9] = {
    -0.4572532266109063, -0.25976285434421464, 1.567408995236823, 2.0712427434075,
    -2.189297469293268, -1.529145241415197, 0.25995947577720724, 0.7400799730974361, 63.0 };
/* LinearSVC(C=1.0, tol=1e-10, max_iter=1000000, random_state=0).fit(X, y) on raw iris: coef_, intercept_, decision_function(X[[0, 20, 60]]), training accuracy count */
static const double SV_IRIS_RAW[25] = {
    0.18424468597052485, 0.4512225233798643, -0.8079372265728468, -0.45072813407945234,
    0.05524624778117094, -0.9008946045050897, 0.409233845869917, -0.9606271037962039,
    -0.8505912013660066, -0.9865548798916103, 1.3810373307374861, 1.8651201785330995,
    0.10955235132155593, 1.6873716412797921, -1.7107926612075401, 1.4072213375828815,
    -0.8032016473454071, -7.195273569055709, 1.1749913230641986, -0.5737681587995715,
    -6.937484242255104, -1.3452875991505076, 0.6335050279239731, -1.2381075917064923,
    145.0 };

/* LinearRegression().fit(X, y) on data/diabetes_progression.csv: coef_, intercept_ */
static const double LR_DIAB[11] = {
    -10.009866299810684, -239.81564367242237, 519.84592005446, 324.38464550232356,
    -792.1756385522286, 476.7390210052569, 101.04326793803338, 177.06323767134643,
    751.2736995571034, 67.62669218370515, 152.13348416289597 };

/* ---- linreg ---- */
static rt_model *fit_linreg(const double *X, int n, int p, const double *y, int icpt)
{
    rt_pval pv[1] = { { icpt, NULL } };
    return fit(RT_FAM_LINREG, pv, X, n, p, y, NULL, 0, 0);
}

static void test_linreg_small(void)
{
    ut_err e;
    double pred[6];
    rt_model *m = fit_linreg(RX, 6, 3, RY, 1);
    if (m) {
        check_vec("linreg coef", m->coef, LR_C, 3, 1e-10);
        check_vec("linreg intercept", m->intercept, LR_C + 3, 1, 1e-10);
        CHECK(rt_predict(m, RX, 6, 3, pred, NULL, &e) == 0, "linreg predict");
        for (int i = 0; i < 6; i++) {
            double want = LR_C[3] + la_dot(3, RX + 3 * i, LR_C);
            check_vec("linreg pred", pred + i, &want, 1, 1e-10);
        }
        rt_model_free(m);
    }
    m = fit_linreg(RX, 6, 3, RY, 0);
    if (m) {
        check_vec("linreg no-intercept coef", m->coef, LR_C0, 3, 1e-10);
        CHECK(m->intercept[0] == 0, "no-intercept intercept %g", m->intercept[0]);
        rt_model_free(m);
    }
    /* More columns than rows: the minimum-norm interpolant. */
    m = fit_linreg(WX, 3, 5, WY, 1);
    if (m) {
        check_vec("linreg wide coef", m->coef, LR_WIDE, 5, 1e-10);
        check_vec("linreg wide intercept", m->intercept, LR_WIDE + 5, 1, 1e-10);
        rt_predict(m, WX, 3, 5, pred, NULL, &e);
        check_vec("linreg wide interpolates", pred, WY, 3, 1e-10);
        rt_model_free(m);
    }
    m = fit_linreg(WX, 3, 5, WY, 0);
    if (m) {
        check_vec("linreg wide no-intercept coef", m->coef, LR_WIDE0, 5, 1e-10);
        rt_model_free(m);
    }
    /* Duplicate column (rank 2): LinearRegression().fit(Xd, y) splits the
     * weight evenly (the constants of test_models.c). */
    static const double cd[4] = { 0.43727992957746481, 0.60959507042253547,
                                  0.43727992957746459, -0.43882042253521059 };
    double Xd[18];
    for (int i = 0; i < 6; i++) {
        Xd[3 * i] = Xd[3 * i + 2] = RX[3 * i];
        Xd[3 * i + 1] = RX[3 * i + 1];
    }
    m = fit_linreg(Xd, 6, 3, RY, 1);
    if (m) {
        check_vec("linreg rank-deficient coef", m->coef, cd, 3, 1e-10);
        check_vec("linreg rank-deficient intercept", m->intercept, cd + 3, 1, 1e-10);
        rt_model_free(m);
    }
    /* One row: nothing to regress on, the intercept is the target. */
    m = fit_linreg(RX, 1, 3, RY, 1);
    if (m) {
        CHECK(m->coef[0] == 0 && m->coef[1] == 0 && m->coef[2] == 0 &&
              m->intercept[0] == RY[0], "one-row linreg");
        rt_model_free(m);
    }
    /* No features: the mean. */
    m = fit_linreg(NULL, 6, 0, RY, 1);
    if (m) {
        CHECK(fabs(m->intercept[0] - 10.0 / 3) < 1e-15, "no-feature linreg %g",
              m->intercept[0]);
        rt_predict(m, NULL, 2, 0, pred, NULL, &e);
        CHECK(pred[0] == m->intercept[0] && pred[1] == m->intercept[0], "no-feature pred");
        rt_model_free(m);
    }
}

static void test_linreg_real(void)
{
    data_t d;
    ut_err e;
    if (load_data("boston_housing.csv", 0, &d) == 0) {
        rt_model *m = fit_linreg(d.X, d.n, d.p, d.y, 1);
        if (m) {
            check_vec("boston linreg coef", m->coef, LR_BOSTON, 13, 1e-9);
            check_vec("boston linreg intercept", m->intercept, LR_BOSTON + 13, 1, 1e-9);
            double Xr[3 * 13], pred[3];
            int rows[3] = { 0, 100, 505 };
            pick(d.X, d.p, rows, 3, Xr);
            CHECK(rt_predict(m, Xr, 3, 13, pred, NULL, &e) == 0, "boston predict");
            check_vec("boston linreg pred", pred, LR_BOSTON_PRED, 3, 1e-10);
            rt_model_free(m);
        }
    }
    free_data(&d);
    /* A constant column (0.1, whose mean is not exactly 0.1) gets weight 0
     * and leaves the others alone.  sklearn returns 12.18 for it here: the
     * SVD fits the ±1e-17 rounding noise of the centered column. */
    if (load_data("diabetes_progression.csv", 0, &d) == 0) {
        int p1 = d.p + 1;
        double *Xc = malloc((size_t)d.n * p1 * sizeof *Xc);
        for (int i = 0; i < d.n; i++) {
            memcpy(Xc + (size_t)i * p1, d.X + (size_t)i * d.p, (size_t)d.p * sizeof *Xc);
            Xc[(size_t)i * p1 + d.p] = 0.1;
        }
        rt_model *m = fit_linreg(Xc, d.n, p1, d.y, 1);
        if (m) {
            check_vec("diabetes+const linreg coef", m->coef, LR_DIAB, 10, 1e-9);
            check_vec("diabetes+const linreg intercept", m->intercept, LR_DIAB + 10, 1, 1e-9);
            CHECK(m->coef[10] == 0, "constant column weight %g", m->coef[10]);
            rt_model_free(m);
        }
        free(Xc);
    }
    free_data(&d);
}

/* ---- lasso / elasticnet ---- */
static rt_model *fit_enet(const data_t *d, const double *X, int p, double alpha,
                          double l1_ratio, int max_iter, double tol)
{
    if (l1_ratio == 1.0) {
        rt_pval pv[3] = { { alpha, NULL }, { max_iter, NULL }, { tol, NULL } };
        return fit(RT_FAM_LASSO, pv, X, d->n, p, d->y, NULL, 0, 0);
    }
    rt_pval pv[4] = { { alpha, NULL }, { l1_ratio, NULL }, { max_iter, NULL }, { tol, NULL } };
    return fit(RT_FAM_ELASTICNET, pv, X, d->n, p, d->y, NULL, 0, 0);
}

/* ref: coef (10), intercept, 4 predictions, n_iter (see the constants). */
static void check_enet(const char *what, const data_t *d, rt_model *m, const double *ref,
                       double tol, int exact_iter)
{
    ut_err e;
    static const int rows[4] = { 0, 1, 100, 441 };
    double Xr[40], pred[4];
    char buf[128];
    if (!m)
        return;
    snprintf(buf, sizeof buf, "%s coef", what);
    check_vec(buf, m->coef, ref, 10, tol);
    snprintf(buf, sizeof buf, "%s intercept", what);
    check_vec(buf, m->intercept, ref + 10, 1, tol);
    for (int j = 0; j < 10; j++)
        CHECK((ref[j] == 0) == (m->coef[j] == 0), "%s: coef %d is %g, sklearn %g "
              "(zeros must be exact)", what, j, m->coef[j], ref[j]);
    pick(d->X, d->p, rows, 4, Xr);
    CHECK(rt_predict(m, Xr, 4, 10, pred, NULL, &e) == 0, "%s predict", what);
    snprintf(buf, sizeof buf, "%s pred", what);
    check_vec(buf, pred, ref + 11, 4, tol);
    if (exact_iter)
        CHECK(m->n_iter == (int)ref[15], "%s: %d sweeps, sklearn %d", what, m->n_iter,
              (int)ref[15]);
}

static void test_lasso(void)
{
    data_t d;
    if (load_data("diabetes_progression.csv", 0, &d) != 0) {
        free_data(&d);
        return;
    }
    static const double alphas[4] = { 0.01, 0.1, 1.0, 10.0 };
    const double *refs[4] = { LA_0, LA_1, LA_2, LA_3 };
    for (int a = 0; a < 4; a++) {
        char what[64];
        snprintf(what, sizeof what, "lasso alpha=%g", alphas[a]);
        rt_model *m = fit_enet(&d, d.X, 10, alphas[a], 1.0, 1000, 1e-4);
        check_enet(what, &d, m, refs[a], 1e-8, 1);
        if (m)
            CHECK(!m->hit_max_iter, "%s hit max_iter", what);
        rt_model_free(m);
    }
    rt_model *m = fit_enet(&d, d.X, 10, 0.1, 1.0, 100000, 1e-10);
    check_enet("lasso tight", &d, m, LA_TIGHT, 1e-8, 1);
    rt_model_free(m);
    m = fit_enet(&d, d.X, 10, 0.1, 1.0, 3, 1e-4);
    check_enet("lasso max_iter=3", &d, m, LA_CAP, 1e-8, 1);
    if (m)
        CHECK(m->hit_max_iter, "max_iter=3 not reported");
    rt_model_free(m);

    /* alpha beyond max|Xᵀy|/n: all weights exactly 0, the mean predicted,
     * one sweep. */
    m = fit_enet(&d, d.X, 10, 1e6, 1.0, 1000, 1e-4);
    if (m) {
        for (int j = 0; j < 10; j++)
            CHECK(m->coef[j] == 0, "huge alpha coef %d = %g", j, m->coef[j]);
        check_vec("huge alpha intercept", m->intercept, LA_3 + 10, 1, 1e-12);
        CHECK(m->n_iter == 1 && !m->hit_max_iter, "huge alpha sweeps %d", m->n_iter);
        rt_model_free(m);
    }

    /* A constant column: weight exactly 0, the rest as without it
     * (Lasso(alpha=0.1) on [X, 0.1] gives LA_1's coefficients and 0). */
    int p1 = 11;
    double *Xc = malloc((size_t)d.n * p1 * sizeof *Xc);
    for (int i = 0; i < d.n; i++) {
        memcpy(Xc + (size_t)i * p1, d.X + (size_t)i * 10, 10 * sizeof *Xc);
        Xc[(size_t)i * p1 + 10] = 0.1;
    }
    m = fit_enet(&d, Xc, p1, 0.1, 1.0, 1000, 1e-4);
    if (m) {
        check_vec("lasso+const coef", m->coef, LA_1, 10, 1e-8);
        check_vec("lasso+const intercept", m->intercept, LA_1 + 10, 1, 1e-8);
        CHECK(m->coef[10] == 0 && m->n_iter == (int)LA_1[15], "lasso constant column %g",
              m->coef[10]);
        rt_model_free(m);
    }
    free(Xc);

    /* Every row twice: the objective (scaled by 1/n) is unchanged, so the
     * optimum is LA_TIGHT's (sklearn: Lasso(alpha=0.1, tol=1e-10) on the
     * doubled data gives the same coefficients to 1e-12). */
    data_t d2;
    int rr[4] = { 0, d.n, 0, d.n };
    subset(&d, rr, 2, 0, &d2);
    m = fit_enet(&d2, d2.X, 10, 0.1, 1.0, 100000, 1e-10);
    if (m) {
        check_vec("lasso duplicated rows", m->coef, LA_TIGHT, 10, 1e-7);
        rt_model_free(m);
    }
    free_data(&d2);

    /* Determinism: bit-identical refits. */
    rt_model *a = fit_enet(&d, d.X, 10, 0.05, 1.0, 1000, 1e-4);
    rt_model *b = fit_enet(&d, d.X, 10, 0.05, 1.0, 1000, 1e-4);
    if (a && b)
        CHECK(memcmp(a->coef, b->coef, 10 * sizeof *a->coef) == 0 &&
              a->intercept[0] == b->intercept[0], "lasso refit differs");
    rt_model_free(a);
    rt_model_free(b);

    /* Errors: negative alpha; classification targets. */
    ut_err e;
    rt_pval pv[3] = { { -1, NULL }, { 1000, NULL }, { 1e-4, NULL } };
    rt_trainset ts = { d.X, d.n, 10, d.y, NULL, 0, 0 };
    m = NULL;
    CHECK(rt_fit(RT_FAM_LASSO, pv, &ts, &m, &e) == -1 && !m && e.code == MLG_MISUSE,
          "negative alpha must fail");
    pv[0].num = 1;
    int yc[4] = { 0, 1, 0, 1 };
    rt_trainset tc = { d.X, 4, 10, NULL, yc, 2, 0 };
    CHECK(rt_fit(RT_FAM_LASSO, pv, &tc, &m, &e) == -1 && !m, "lasso classification must fail");
    free_data(&d);
}

static void test_elasticnet(void)
{
    data_t d;
    if (load_data("diabetes_progression.csv", 0, &d) != 0) {
        free_data(&d);
        return;
    }
    static const double ar[5][2] = { { 0.001, 0.5 }, { 0.01, 0.7 }, { 0.1, 0.9 },
                                     { 1.0, 0.5 }, { 0.01, 0.0 } };
    const double *refs[5] = { EN_0, EN_1, EN_2, EN_3, EN_4 };
    for (int a = 0; a < 5; a++) {
        char what[64];
        snprintf(what, sizeof what, "elasticnet alpha=%g l1_ratio=%g", ar[a][0], ar[a][1]);
        rt_model *m = fit_enet(&d, d.X, 10, ar[a][0], ar[a][1], 1000, 1e-4);
        check_enet(what, &d, m, refs[a], 1e-8, 1);
        /* l1_ratio = 0: the duality gap never falls below tol (sklearn's
         * rule), so both sweep to max_iter. */
        if (m)
            CHECK(m->hit_max_iter == (ar[a][1] == 0.0), "%s hit_max_iter %d", what,
                  m->hit_max_iter);
        rt_model_free(m);
    }
    /* l1_ratio = 1 is the lasso, bit for bit. */
    rt_model *a = fit_enet(&d, d.X, 10, 0.1, 0.999999999999, 1000, 1e-4);
    rt_pval pv[4] = { { 0.1, NULL }, { 1.0, NULL }, { 1000, NULL }, { 1e-4, NULL } };
    rt_model *b = fit(RT_FAM_ELASTICNET, pv, d.X, d.n, 10, d.y, NULL, 0, 0);
    if (a && b) {
        check_vec("elasticnet l1_ratio=1", b->coef, LA_1, 10, 1e-8);
        check_vec("elasticnet l1_ratio~1", a->coef, LA_1, 10, 1e-6);
    }
    rt_model_free(a);
    rt_model_free(b);
    ut_err e;
    rt_model *m = NULL;
    pv[1].num = 1.5;
    rt_trainset ts = { d.X, d.n, 10, d.y, NULL, 0, 0 };
    CHECK(rt_fit(RT_FAM_ELASTICNET, pv, &ts, &m, &e) == -1 && !m, "l1_ratio 1.5 must fail");
    free_data(&d);
}

/* ---- logreg l2: Newton and L-BFGS reach one optimum; a warm start (the
 * C path of share.c) changes nothing beyond rounding ---- */
static double max_rel_diff(const rt_model *a, const rt_model *b)
{
    double m = 0;
    for (int j = 0; j < a->nout * a->p + a->nout; j++) {
        double x = j < a->nout * a->p ? a->coef[j] : a->intercept[j - a->nout * a->p];
        double y = j < a->nout * a->p ? b->coef[j] : b->intercept[j - a->nout * a->p];
        double d = fabs(x - y) / fmax(1.0, fabs(x));
        m = d > m ? d : m;
    }
    return m;
}

static void test_logreg_solvers(void)
{
    const char *files[2] = { "breast_cancer.csv", "iris.csv" };
    const int ks[2] = { 2, 3 };
    for (int f = 0; f < 2; f++) {
        data_t d;
        if (load_data(files[f], 1, &d) != 0)
            continue;
        rt_trainset ts = { d.X, d.n, d.p, NULL, d.yc, ks[f], 0 };
        rt_model *prev = NULL, *cprev = NULL;
        rt_logreg_carry *carry = rt_logreg_carry_new();
        for (double C = 0.01; C <= 1000; C *= 10) {
            rt_pval pv[7] = { { C, NULL }, { 1000, NULL }, { 1e-10, NULL }, { 0, "l2" }, { 0, "none" }, { 1, NULL }, { 1, NULL } };
            rt_model *cold = NULL, *warm = NULL, *lb = NULL;
            ut_err e;
            rt_logreg_solver_override = 2;
            CHECK(rt_fit(RT_FAM_LOGREG, pv, &ts, &cold, &e) == 0, "%s newton C=%g: %s", files[f], C, e.msg);
            CHECK(rt_fit_from(RT_FAM_LOGREG, pv, &ts, prev, &warm, &e) == 0, "%s warm C=%g", files[f], C);
            /* the path as share.c walks it: the previous C's Hessian starts
             * each solve (rescaled), and it ends where the cold fit does */
            rt_model *path = NULL;
            CHECK(rt_fit_path(RT_FAM_LOGREG, pv, &ts, cprev, carry, &path, &e) == 0, "%s path C=%g", files[f], C);
            if (cold && path) {
                double dp = max_rel_diff(cold, path);
                CHECK(dp < 1e-9, "%s C=%g: Newton path (carried Hessian) vs cold differ by %g", files[f], C, dp);
            }
            rt_model_free(cprev);
            cprev = path;
            rt_logreg_solver_override = 1;
            CHECK(rt_fit(RT_FAM_LOGREG, pv, &ts, &lb, &e) == 0, "%s lbfgs C=%g", files[f], C);
            rt_logreg_solver_override = 0;
            if (cold && warm && lb) {
                CHECK(!cold->hit_max_iter && !warm->hit_max_iter, "%s C=%g: Newton hit max_iter", files[f], C);
                double dw = max_rel_diff(cold, warm), dl = max_rel_diff(cold, lb);
                CHECK(dw < 1e-9, "%s C=%g: Newton warm vs cold differ by %g", files[f], C, dw);
                CHECK(dl < 1e-5, "%s C=%g: Newton vs L-BFGS differ by %g", files[f], C, dl);
                printf("  %s C=%g: Newton %d iterations cold, %d warm; |warm-cold| %.1e, |lbfgs-newton| %.1e\n",
                       files[f], C, cold->n_iter, warm->n_iter, dw, dl);
            }
            rt_model_free(prev);
            rt_model_free(lb);
            rt_model_free(cold);
            prev = warm;
        }
        rt_model_free(prev);
        rt_model_free(cprev);
        rt_logreg_carry_free(carry);
        free_data(&d);
    }
}

/* ---- logreg l1 along the C path (share.c): each proximal Newton solve
 * started from the previous C's model ends where a cold one does — the
 * closing phase takes exact steps on the settled support to rounding, and
 * l1_canonical picks one point of the flat optimum that an even number of
 * classes leaves (glass: 6 classes; without it cold and warm weights
 * differed by 5e-2 at C = 10).  Predictions are the same; so are the
 * weights, to 1e-9. ---- */
/* l1 logreg at C on ts, cold into *cold and along the path from prev into
 * *path (failed checks name what). */
static void l1_cold_and_path(const rt_trainset *ts, double C, const rt_model *prev, rt_model **cold, rt_model **path,
                             const char *what)
{
    rt_pval pv[7] = { { C, NULL }, { 1000, NULL }, { 1e-8, NULL }, { 0, "l1" }, { 0, "none" }, { 1, NULL }, { 1, NULL } };
    ut_err e;
    *cold = *path = NULL;
    CHECK(rt_fit(RT_FAM_LOGREG, pv, ts, cold, &e) == 0, "%s l1 cold C=%g: %s", what, C, e.msg);
    CHECK(rt_fit_from(RT_FAM_LOGREG, pv, ts, prev, path, &e) == 0, "%s l1 path C=%g: %s", what, C, e.msg);
}

/* Models a and b predict the same class for every row of X (n x p). */
static int same_predictions(const rt_model *a, const rt_model *b, const double *X, int n, int p)
{
    double *pa = malloc((size_t)n * sizeof *pa), *pb = malloc((size_t)n * sizeof *pb);
    ut_err e;
    int same = pa && pb && rt_predict(a, X, n, p, pa, NULL, &e) == 0 && rt_predict(b, X, n, p, pb, NULL, &e) == 0;
    for (int i = 0; same && i < n; i++)
        same = pa[i] == pb[i];
    free(pa);
    free(pb);
    return same;
}

static void test_logreg_l1_path(void)
{
    const char *files[4] = { "iris.csv", "wine.csv", "breast_cancer.csv", "glass.csv" };
    for (int f = 0; f < 4; f++) {
        data_t all, d;
        if (load_data(files[f], 1, &all) != 0)
            continue;
        /* rows i % 5 != 0, as a CV round trains; class codes 0..k-1 */
        int n = 0, k = 0, map[64];
        for (int i = 0; i < 64; i++) map[i] = -1;
        for (int i = 0; i < all.n; i++)
            if (map[all.yc[i]] < 0) map[all.yc[i]] = 0;
        for (int i = 0; i < 64; i++)
            if (map[i] == 0) map[i] = k++ + 1;
        d.p = all.p;
        d.X = malloc((size_t)all.n * all.p * sizeof *d.X);
        d.yc = malloc((size_t)all.n * sizeof *d.yc);
        for (int i = 0; i < all.n; i++)
            if (i % 5) {
                memcpy(d.X + (size_t)n * d.p, all.X + (size_t)i * d.p, (size_t)d.p * sizeof *d.X);
                d.yc[n++] = map[all.yc[i]] - 1;
            }
        d.n = n;
        CHECK(rt_logreg_l1_path(n, d.p, k == 2 ? 1 : k), "%s: l1 path expected at %d x %d", files[f], n, d.p);
        rt_trainset ts = { d.X, d.n, d.p, NULL, d.yc, k, 0 };
        rt_model *prev = NULL;
        double worst = 0;
        for (double C = 0.01; C <= 100; C *= 10) {
            rt_model *cold, *path;
            l1_cold_and_path(&ts, C, prev, &cold, &path, files[f]);
            if (cold && path) {
                double dw = max_rel_diff(cold, path);
                worst = dw > worst ? dw : worst;
                CHECK(dw < 1e-9, "%s C=%g: l1 path vs cold weights differ by %g", files[f], C, dw);
                CHECK(same_predictions(cold, path, d.X, n, d.p), "%s C=%g: l1 path and cold predict differently",
                      files[f], C);
            }
            rt_model_free(cold);
            rt_model_free(prev);
            prev = path;
        }
        printf("  %s: l1 path vs cold, worst weight difference %.1e\n", files[f], worst);
        rt_model_free(prev);
        free(d.X);
        free(d.yc);
        free_data(&all);
    }
    /* beyond the explicit model's limits the fits stay alone (no closing) */
    CHECK(!rt_logreg_l1_path(100000, 50, 1), "l1 path at 100000 x 50 binary (5.1M gathered values)");
    CHECK(!rt_logreg_l1_path(100, 200, 10), "l1 path at 2010 parameters");
    CHECK(rt_logreg_l1_path(1437, 64, 10), "no l1 path at digits' size");
}

/* Classes l1 zeroes score by their intercept alone; two of equal weight
 * tie exactly at the optimum, and must tie in the model (l1_tied_intercepts),
 * or cold and warm fits break the tie by rounding.  The random trial that
 * found it: 204 rows, 3 features (one all zero), 5 classes of 34, 45, 35,
 * 45, 45 rows unrelated to the features, C = 0.1 — one weight survives, and
 * classes 3 and 4 scored every row alike, up to 1e-16. */
static void test_logreg_l1_ties(void)
{
    enum { N = 204, P = 3, K = 5 };
    static double X[N * P];
    static int y[N];
    unsigned long long r = 12345;
    int counts[K] = { 34, 45, 35, 45, 45 }, next = 0;
    for (int k = 0; k < K; k++)
        for (int c = 0; c < counts[k]; c++)
            y[next++] = k;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < P; j++) {
            r = r * 6364136223846793005ULL + 1442695040888963407ULL;
            X[i * P + j] = j == P - 1 ? 0 : (double)(r >> 11) / 9007199254740992.0 - 0.5 + 0.3 * (y[i] == 1) * (j == 0);
        }
    rt_trainset ts = { X, N, P, NULL, y, K, 0 };
    rt_model *prev = NULL;
    int tied = 0;
    for (double C = 0.001; C <= 1.0; C *= 10) {
        rt_model *cold, *path;
        l1_cold_and_path(&ts, C, prev, &cold, &path, "ties");
        for (int m = 0; cold && path && m < 2; m++) {
            const rt_model *md = m ? path : cold;
            int z[K], nz = 0;
            for (int k = 0; k < K; k++) {
                z[k] = 1;
                for (int j = 0; j < P; j++) z[k] &= md->coef[k * P + j] == 0;
            }
            /* the zeroed classes of 45 rows share one intercept, bit for bit */
            for (int k = 0; k < K; k++)
                for (int l = k + 1; l < K; l++)
                    if (z[k] && z[l] && counts[k] == counts[l]) {
                        nz++;
                        CHECK(md->intercept[k] == md->intercept[l], "ties C=%g (%s): classes %d and %d: %.17g vs %.17g",
                              C, m ? "path" : "cold", k, l, md->intercept[k], md->intercept[l]);
                    }
            tied += nz > 0 && m == 0 && md->coef[1 * P + 0] != 0;
        }
        CHECK(cold && path && same_predictions(cold, path, X, N, P),
              "ties C=%g: the path and the cold fit predict differently", C);
        rt_model_free(cold);
        rt_model_free(prev);
        prev = path;
    }
    rt_model_free(prev);
    /* the case the test is for: a surviving weight beside tied zeroed classes */
    CHECK(tied > 0, "ties: no C kept class 1's weight with the others zeroed");
}

/* ---- logreg l2 by L-BFGS, many C side by side (rt_fit_batch): every
 * configuration gets the model it gets alone, bit for bit — the batch's
 * products round each element as a lone fit's do (linalg_fixed.c), so
 * every L-BFGS takes the same iterates; OpenBLAS's GEMM, whose kernel
 * depends on the call's width, gave probabilities up to 2e-8 apart (on
 * breast_cancer at C = 100 balanced).  Per-configuration outcomes (max_iter
 * reached, one class, a bad parameter) stay per configuration ---- */
static double max_proba_diff(const rt_model *a, const rt_model *b, const double *X, int n, int p, int k)
{
    double *pa = malloc((size_t)n * k * sizeof *pa), *pb = malloc((size_t)n * k * sizeof *pb);
    double *ya = malloc((size_t)n * sizeof *ya), *yb = malloc((size_t)n * sizeof *yb);
    double m = INFINITY;
    ut_err e;
    if (pa && pb && ya && yb && rt_predict(a, X, n, p, ya, pa, &e) == 0 && rt_predict(b, X, n, p, yb, pb, &e) == 0) {
        m = 0;
        for (int i = 0; i < n * k; i++)
            m = fmax(m, fabs(pa[i] - pb[i]));
    }
    free(pa);
    free(pb);
    free(ya);
    free(yb);
    return m;
}

static void test_logreg_batch(void)
{
    const char *files[3] = { "breast_cancer.csv", "iris.csv", "wine.csv" };
    const int ks[3] = { 2, 3, 3 };
    for (int f = 0; f < 3; f++) {
        data_t d;
        if (load_data(files[f], 1, &d) != 0)
            continue;
        rt_trainset ts = { d.X, d.n, d.p, NULL, d.yc, ks[f], 0 };
        enum { NC = 6 };
        rt_pval pv[NC][7];
        const rt_pval *pp[NC];
        for (int c = 0; c < NC; c++) {
            /* C from 1e-3 to 1e2; the last one balanced; the fifth capped at
             * 5 iterations, so it stops early while the others go on */
            rt_pval v[7] = { { pow(10, c - 3), NULL }, { c == 4 ? 5 : 1000, NULL }, { 1e-10, NULL }, { 0, "l2" },
                             { 0, c == 5 ? "balanced" : "none" }, { 1, NULL }, { 1, NULL } };
            memcpy(pv[c], v, sizeof v);
            pp[c] = pv[c];
        }
        rt_model *alone[NC] = {0}, *batch[NC] = {0};
        ut_err errs[NC], e;
        rt_logreg_solver_override = 1;
        for (int c = 0; c < NC; c++)
            CHECK(rt_fit(RT_FAM_LOGREG, pp[c], &ts, &alone[c], &e) == 0, "%s alone %d: %s", files[f], c, e.msg);
        ut_err_clear(&e);
        CHECK(rt_fit_batch(RT_FAM_LOGREG, pp, NC, &ts, batch, errs, &e) == 0, "%s batch: %s", files[f], e.msg);
        /* the batch in its own block rather than the thread's scratch */
        rt_model *own[NC] = {0};
        size_t scratch_max = rt_lbfgs_scratch_max;
        rt_lbfgs_scratch_max = 0;
        CHECK(rt_fit_batch(RT_FAM_LOGREG, pp, NC, &ts, own, errs, &e) == 0, "%s own block: %s", files[f], e.msg);
        rt_lbfgs_scratch_max = scratch_max;
        for (int c = 0; c < NC; c++) {
            CHECK(own[c] && batch[c] && max_rel_diff(own[c], batch[c]) == 0 && own[c]->n_iter == batch[c]->n_iter,
                  "%s C=%g: the batch in its own block differs from the scratch's", files[f], pv[c][0].num);
            rt_model_free(own[c]);
        }
        rt_logreg_solver_override = 0;
        int same_bits = 0;
        for (int c = 0; c < NC; c++) {
            CHECK(batch[c] != NULL, "%s batch %d failed: %s", files[f], c, errs[c].msg);
            if (!alone[c] || !batch[c])
                continue;
            double dd = max_rel_diff(alone[c], batch[c]);
            double dp = max_proba_diff(alone[c], batch[c], d.X, d.n, d.p, ks[f]);
            CHECK(batch[c]->hit_max_iter == alone[c]->hit_max_iter, "%s %d: max_iter flag", files[f], c);
            CHECK(dd == 0 && dp == 0 && batch[c]->n_iter == alone[c]->n_iter &&
                      batch[c]->objective == alone[c]->objective,
                  "%s C=%g: batch and alone differ (coefficients %g, probabilities %g, %d vs %d iterations)",
                  files[f], pv[c][0].num, dd, dp, batch[c]->n_iter, alone[c]->n_iter);
            same_bits += dd == 0 && batch[c]->n_iter == alone[c]->n_iter;
        }
        CHECK(batch[4] && batch[4]->hit_max_iter && batch[4]->n_iter == 5, "%s: the capped one stopped at 5",
              files[f]);
        printf("  %s: %d of %d batch fits bit-identical to the fit alone\n", files[f], same_bits, NC);
        for (int c = 0; c < NC; c++) {
            rt_model_free(alone[c]);
            rt_model_free(batch[c]);
        }
        /* one class in the rows: every configuration is the constant model */
        int *one = calloc((size_t)d.n, sizeof *one);
        rt_trainset t1 = { d.X, d.n, d.p, NULL, one, ks[f], 0 };
        CHECK(one && rt_fit_batch(RT_FAM_LOGREG, pp, 2, &t1, batch, errs, &e) == 0, "one class");
        CHECK(one && batch[0] && batch[0]->nout == 0 && batch[1] && batch[1]->nout == 0, "one class: constant");
        rt_model_free(batch[0]);
        rt_model_free(batch[1]);
        free(one);
        free_data(&d);
    }
    /* a bad parameter fails its configuration only */
    data_t d;
    if (load_data("iris.csv", 1, &d) == 0) {
        rt_trainset ts = { d.X, d.n, d.p, NULL, d.yc, 3, 0 };
        rt_pval good[7] = { { 1, NULL }, { 1000, NULL }, { 1e-10, NULL }, { 0, "l2" }, { 0, "none" }, { 1, NULL },
                            { 1, NULL } };
        rt_pval bad[7];
        memcpy(bad, good, sizeof good);
        bad[0].num = -1;
        const rt_pval *pp[2] = { good, bad };
        rt_model *m[2];
        ut_err errs[2], e;
        CHECK(rt_fit_batch(RT_FAM_LOGREG, pp, 2, &ts, m, errs, &e) == 0, "batch with a bad C");
        CHECK(m[0] != NULL && m[1] == NULL && strstr(errs[1].msg, "C must be > 0"), "bad C: %s", errs[1].msg);
        rt_model_free(m[0]);
        free_data(&d);
    }
}

/* ---- logreg: l1 and class_weight ---- */
static rt_model *fit_logreg(const double *X, int n, int p, const int *yc, int k, double C,
                            const char *pen, const char *cw, int max_iter)
{
    rt_pval pv[7] = { { C, NULL }, { max_iter, NULL }, { 1e-10, NULL }, { 0, pen },
                      { 0, cw }, { 1, NULL }, { 1, NULL } };
    return fit(RT_FAM_LOGREG, pv, X, n, p, NULL, yc, k, 0);
}

/* ref: coef (nout·p), intercept (nout), probabilities of `rows` (binary:
 * of class 1; multiclass: all columns). */
static void check_logreg(const char *what, rt_model *m, const double *X, int p, int K,
                         const int *rows, int nr, const double *ref, double tol,
                         int exact_zeros)
{
    ut_err e;
    char buf[128];
    if (!m)
        return;
    int nout = K == 2 ? 1 : K;
    CHECK(m->nout == nout, "%s nout %d", what, m->nout);
    CHECK(!m->hit_max_iter, "%s hit max_iter (|pg| %g)", what, m->grad_max);
    snprintf(buf, sizeof buf, "%s coef", what);
    check_vec(buf, m->coef, ref, nout * p, tol);
    snprintf(buf, sizeof buf, "%s intercept", what);
    check_vec(buf, m->intercept, ref + nout * p, nout, tol);
    for (int j = 0; exact_zeros && j < nout * p; j++)
        CHECK((ref[j] == 0) == (m->coef[j] == 0), "%s: coef %d is %g, sklearn %g "
              "(zeros must be exact)", what, j, m->coef[j], ref[j]);
    double *Xr = malloc((size_t)nr * p * sizeof *Xr);
    double *pred = malloc((size_t)nr * sizeof *pred);
    double *pr = malloc((size_t)nr * K * sizeof *pr);
    double *got = malloc((size_t)nr * K * sizeof *got);
    pick(X, p, rows, nr, Xr);
    CHECK(rt_predict(m, Xr, nr, p, pred, pr, &e) == 0, "%s predict", what);
    for (int r = 0; r < nr; r++) {
        if (K == 2)
            got[r] = pr[2 * r + 1];
        else
            memcpy(got + (size_t)r * K, pr + (size_t)r * K, (size_t)K * sizeof *got);
    }
    snprintf(buf, sizeof buf, "%s proba", what);
    check_vec(buf, got, ref + nout * p + nout, K == 2 ? nr : nr * K, tol);
    free(Xr); free(pred); free(pr); free(got);
    printf("  %s: %d iterations, f = %.12g, max|pg| = %.2g\n", what, m->n_iter, m->objective,
           m->grad_max);
}

static void test_logreg_l1(void)
{
    data_t bc, ir;
    static const int rb[5] = { 0, 1, 19, 100, 568 }, ri[5] = { 0, 60, 70, 120, 133 };
    if (load_data("breast_cancer.csv", 1, &bc) == 0) {
        rt_model *m = fit_logreg(bc.X, bc.n, bc.p, bc.yc, 2, 0.1, "l1", "none", 1000);
        check_logreg("bc l1 C=0.1", m, bc.X, bc.p, 2, rb, 5, L1_BC01, 1e-6, 1);
        rt_model_free(m);
        m = fit_logreg(bc.X, bc.n, bc.p, bc.yc, 2, 1.0, "L1", "none", 1000);
        check_logreg("bc l1 C=1", m, bc.X, bc.p, 2, rb, 5, L1_BC1, 1e-6, 1);
        rt_model_free(m);
        /* A cap is reported, not an error. */
        m = fit_logreg(bc.X, bc.n, bc.p, bc.yc, 2, 1.0, "l1", "none", 5);
        if (m)
            CHECK(m->hit_max_iter && m->n_iter == 5, "l1 max_iter=5: %d", m->n_iter);
        rt_model_free(m);
        /* C so small that no feature is worth its penalty: W = 0 exactly and
         * the intercept is the log-odds of the classes (357 : 212). */
        m = fit_logreg(bc.X, bc.n, bc.p, bc.yc, 2, 1e-4, "l1", "none", 1000);
        if (m) {
            int nz = 0;
            for (int j = 0; j < bc.p; j++)
                nz += m->coef[j] != 0;
            double want = log(357.0 / 212.0);
            CHECK(nz == 0, "tiny C: %d non-zero weights", nz);
            check_vec("tiny C intercept", m->intercept, &want, 1, 1e-8);
            rt_model_free(m);
        }
    }
    free_data(&bc);
    if (load_data("iris.csv", 1, &ir) == 0) {
        rt_model *m = fit_logreg(ir.X, ir.n, ir.p, ir.yc, 3, 0.5, "l1", "none", 1000);
        check_logreg("iris multinomial l1 C=0.5", m, ir.X, ir.p, 3, ri, 5, L1_IRIS, 1e-6, 1);
        rt_model_free(m);
        /* One class present: constant model. */
        int one[10];
        for (int i = 0; i < 10; i++)
            one[i] = 2;
        m = fit_logreg(ir.X, 10, ir.p, one, 3, 1.0, "l1", "balanced", 1000);
        if (m) {
            double pred[2], pr[6];
            ut_err e;
            rt_predict(m, ir.X, 2, ir.p, pred, pr, &e);
            CHECK(pred[0] == 2 && pr[2] == 1 && pr[0] == 0 && pr[1] == 0, "one-class l1 logreg");
            rt_model_free(m);
        }
        /* Bad strings. */
        rt_pval pv[7] = { { 1, NULL }, { 100, NULL }, { 1e-8, NULL }, { 0, "l3" }, { 0, "none" }, { 1, NULL }, { 1, NULL } };
        rt_trainset ts = { ir.X, ir.n, ir.p, NULL, ir.yc, 3, 0 };
        ut_err e;
        m = NULL;
        CHECK(rt_fit(RT_FAM_LOGREG, pv, &ts, &m, &e) == -1 && !m, "penalty l3 must fail");
        pv[3].str = "l1";
        pv[4].str = "auto";
        CHECK(rt_fit(RT_FAM_LOGREG, pv, &ts, &m, &e) == -1 && !m, "class_weight auto must fail");
    }
    free_data(&ir);
}

static void test_logreg_balanced(void)
{
    data_t ir, sub, bin;
    if (load_data("iris.csv", 1, &ir) != 0) {
        free_data(&ir);
        return;
    }
    static const int r3[6] = { 0, 50, 50, 60, 100, 130 }, r2[2] = { 50, 115 };
    static const int rs[3] = { 0, 5, 89 }, rbn[3] = { 0, 20, 60 };
    subset(&ir, r3, 3, 0, &sub);
    subset(&ir, r2, 1, 1, &bin);
    rt_model *m = fit_logreg(sub.X, sub.n, 4, sub.yc, 3, 1.0, "l2", "balanced", 1000);
    check_logreg("iris 50/10/30 l2 balanced", m, sub.X, 4, 3, rs, 3, BAL_L2_SUB, 1e-6, 0);
    rt_model_free(m);
    m = fit_logreg(sub.X, sub.n, 4, sub.yc, 3, 1.0, "l1", "balanced", 1000);
    check_logreg("iris 50/10/30 l1 balanced", m, sub.X, 4, 3, rs, 3, BAL_L1_SUB, 1e-6, 1);
    rt_model_free(m);
    m = fit_logreg(bin.X, bin.n, 4, bin.yc, 2, 1.0, "l2", "balanced", 1000);
    check_logreg("iris 50/15 l2 balanced", m, bin.X, 4, 2, rbn, 3, BAL_L2_BIN, 1e-6, 0);
    rt_model_free(m);
    m = fit_logreg(bin.X, bin.n, 4, bin.yc, 2, 1.0, "l1", "balanced", 1000);
    check_logreg("iris 50/15 l1 balanced", m, bin.X, 4, 2, rbn, 3, BAL_L1_BIN, 1e-6, 1);
    rt_model_free(m);
    /* The weights count the classes present: 4 classes declared, 3 seen,
     * gives the same fit. */
    m = fit_logreg(sub.X, sub.n, 4, sub.yc, 4, 1.0, "l2", "balanced", 1000);
    if (m) {
        check_vec("balanced with an absent class", m->coef, BAL_L2_SUB, 12, 1e-6);
        rt_model_free(m);
    }
    free_data(&ir);
    free_data(&sub);
    free_data(&bin);
}

/* ---- linsvm ---- */
static rt_model *fit_svm(const double *X, int n, int p, const int *yc, int k, double C,
                         const char *loss, const char *cw, int max_iter, double tol,
                         unsigned long long seed)
{
    rt_pval pv[7] = { { C, NULL }, { 0, loss }, { 0, cw }, { max_iter, NULL }, { tol, NULL }, { 1, NULL }, { 1, NULL } };
    return fit(RT_FAM_LINSVM, pv, X, n, p, NULL, yc, k, seed);
}

/* ref: coef (nout·p), intercept (nout), decisions of rows {0, 20, 60}
 * (nout each), training accuracy count. */
static void check_svm(const char *what, rt_model *m, const data_t *d, int K,
                      const double *ref, double tol)
{
    ut_err e;
    char buf[128];
    static const int rows[3] = { 0, 20, 60 };
    if (!m)
        return;
    int nout = K == 2 ? 1 : K, p = d->p;
    CHECK(m->nout == nout, "%s nout %d", what, m->nout);
    CHECK(!m->hit_max_iter, "%s hit max_iter", what);
    snprintf(buf, sizeof buf, "%s coef", what);
    check_vec(buf, m->coef, ref, nout * p, tol);
    snprintf(buf, sizeof buf, "%s intercept", what);
    check_vec(buf, m->intercept, ref + nout * p, nout, tol);
    double Xr[3 * 64], dec[3 * 8];
    pick(d->X, p, rows, 3, Xr);
    rt_linear_scores(m, Xr, 3, dec);
    snprintf(buf, sizeof buf, "%s decision", what);
    check_vec(buf, dec, ref + nout * (p + 1), 3 * nout, tol);
    double *pred = malloc((size_t)d->n * sizeof *pred);
    double *pr = malloc((size_t)d->n * K * sizeof *pr);
    CHECK(rt_predict(m, d->X, d->n, p, pred, pr, &e) == 0, "%s predict", what);
    int ok = 0;
    for (int i = 0; i < d->n; i++) {
        ok += (int)pred[i] == d->yc[i];
        double s = 0;
        int best = 0;
        for (int k = 0; k < K; k++) {
            s += pr[(size_t)i * K + k];
            if (pr[(size_t)i * K + k] > pr[(size_t)i * K + best])
                best = k;
        }
        if (fabs(s - 1) > 1e-12 || best != (int)pred[i]) {
            CHECK(0, "%s: proba row %d sums to %g, argmax %d, pred %g", what, i, s, best,
                  pred[i]);
            break;
        }
    }
    int want = (int)ref[nout * (p + 1) + 3 * nout];
    CHECK(ok == want, "%s training accuracy %d/%d, sklearn %d", what, ok, d->n, want);
    free(pred);
    free(pr);
    printf("  %s: %d sweeps, primal %.12g\n", what, m->n_iter, m->objective);
}

/* logreg's softmax rows have an AVX-512 form (up to 16 classes) beside the
 * plain loops, taken with linalg_fixed.c's AVX-512 kernels; capping those
 * at AVX2 takes the plain loops.  Every value rounds alike, so L-BFGS and
 * Newton take the same iterates: the same model, bit for bit, at 3, 10
 * and 14 classes (one vector, two, two with a partial second). */
static void test_logreg_widths(void)
{
    data_t d;
    if (load_data("digits.csv", 0, &d) != 0)
        return;
    if (la_fixed_cap(2), la_fixed_level() < 2) {
        printf("  logreg widths: no AVX-512 on this CPU, nothing to compare\n");
        free_data(&d);
        return;
    }
    int *y = malloc((size_t)d.n * sizeof *y), same = 0, tried = 0;
    for (int variant = 0; y && variant < 3; variant++) {
        int K = variant == 0 ? 3 : variant == 1 ? 10 : 14;
        for (int i = 0; i < d.n; i++)
            y[i] = variant == 0 ? d.yc[i] % 3 : variant == 1 ? d.yc[i] : d.yc[i] + (d.yc[i] < 4 && i % 2 ? 10 : 0);
        for (int solver = 1; solver <= 2; solver++) {
            rt_model *m[2] = {0};
            for (int cap = 2; cap >= 1; cap--) {
                la_fixed_cap(cap);
                rt_logreg_solver_override = solver;
                m[2 - cap] = fit_logreg(d.X, d.n, d.p, y, K, 0.01, "l2", "none", 150);
                rt_logreg_solver_override = 0;
            }
            la_fixed_cap(2);
            tried++;
            if (!m[0] || !m[1]) {
                CHECK(0, "logreg widths: K=%d solver %d did not fit", K, solver);
            } else {
                int ok = max_rel_diff(m[0], m[1]) == 0 && m[0]->n_iter == m[1]->n_iter &&
                         m[0]->objective == m[1]->objective;
                CHECK(ok, "logreg widths: K=%d solver %d: AVX-512 rows and plain rows differ (%g, %d vs %d "
                      "iterations)", K, solver, max_rel_diff(m[0], m[1]), m[0]->n_iter, m[1]->n_iter);
                same += ok;
            }
            rt_model_free(m[0]);
            rt_model_free(m[1]);
        }
    }
    printf("  logreg widths: %d of %d fits bit-identical with AVX-512 rows and plain ones\n", same, tried);
    free(y);
    free_data(&d);
}

static void test_linsvm(void)
{
    data_t ir, irraw, bc, sub, bin;
    if (load_data("iris.csv", 1, &ir) != 0 || load_data("iris.csv", 0, &irraw) != 0 ||
        load_data("breast_cancer.csv", 1, &bc) != 0)
        goto out0;
    static const int r3[6] = { 0, 50, 50, 60, 100, 130 }, r2[2] = { 50, 115 };
    subset(&ir, r3, 3, 0, &sub);
    subset(&ir, r2, 1, 1, &bin);

    rt_model *m = fit_svm(ir.X, ir.n, 4, ir.yc, 3, 1.0, "squared_hinge", "none", 1000000, 1e-10, 7);
    check_svm("iris linsvm", m, &ir, 3, SV_IRIS, 1e-7);
    rt_model_free(m);
    m = fit_svm(ir.X, ir.n, 4, ir.yc, 3, 1.0, "hinge", "none", 1000000, 1e-10, 7);
    check_svm("iris linsvm hinge", m, &ir, 3, SV_IRIS_H, 1e-7);
    rt_model_free(m);
    m = fit_svm(irraw.X, irraw.n, 4, irraw.yc, 3, 1.0, "squared_hinge", "none", 1000000, 1e-10, 7);
    check_svm("raw iris linsvm", m, &irraw, 3, SV_IRIS_RAW, 1e-7);
    rt_model_free(m);
    m = fit_svm(bc.X, bc.n, 30, bc.yc, 2, 0.1, "squared_hinge", "none", 1000000, 1e-10, 7);
    check_svm("bc linsvm", m, &bc, 2, SV_BC, 1e-7);
    rt_model_free(m);
    m = fit_svm(bc.X, bc.n, 30, bc.yc, 2, 0.1, "hinge", "none", 1000000, 1e-10, 7);
    check_svm("bc linsvm hinge", m, &bc, 2, SV_BC_H, 1e-7);
    rt_model_free(m);
    m = fit_svm(sub.X, sub.n, 4, sub.yc, 3, 1.0, "squared_hinge", "balanced", 1000000, 1e-10, 7);
    check_svm("iris 50/10/30 linsvm balanced", m, &sub, 3, SV_SUB_BAL, 1e-7);
    rt_model_free(m);
    m = fit_svm(bin.X, bin.n, 4, bin.yc, 2, 1.0, "squared_hinge", "balanced", 1000000, 1e-10, 7);
    check_svm("iris 50/15 linsvm balanced", m, &bin, 2, SV_BIN_BAL, 1e-7);
    rt_model_free(m);
    m = fit_svm(bin.X, bin.n, 4, bin.yc, 2, 1.0, "hinge", "balanced", 1000000, 1e-10, 7);
    check_svm("iris 50/15 linsvm hinge balanced", m, &bin, 2, SV_BIN_BAL_H, 1e-7);
    rt_model_free(m);

    /* Defaults (tol 1e-4, max_iter 1000): near the optimum, and
     * deterministic for a seed; another seed lands within tol's reach. */
    rt_model *a = fit_svm(ir.X, ir.n, 4, ir.yc, 3, 1.0, "squared_hinge", "none", 1000, 1e-4, 1);
    rt_model *b = fit_svm(ir.X, ir.n, 4, ir.yc, 3, 1.0, "squared_hinge", "none", 1000, 1e-4, 1);
    rt_model *c = fit_svm(ir.X, ir.n, 4, ir.yc, 3, 1.0, "squared_hinge", "none", 1000, 1e-4, 2);
    if (a && b && c) {
        CHECK(memcmp(a->coef, b->coef, 12 * sizeof *a->coef) == 0 &&
              memcmp(a->intercept, b->intercept, 3 * sizeof *a->intercept) == 0,
              "linsvm refit with the same seed differs");
        check_vec("linsvm default tol", a->coef, SV_IRIS, 12, 1e-3);
        check_vec("linsvm other seed", c->coef, a->coef, 12, 1e-3);
    }
    rt_model_free(a);
    rt_model_free(b);
    rt_model_free(c);

    /* The cap is reported. */
    m = fit_svm(irraw.X, irraw.n, 4, irraw.yc, 3, 1.0, "squared_hinge", "none", 3, 1e-10, 7);
    if (m)
        CHECK(m->hit_max_iter && m->n_iter == 3, "linsvm cap: %d", m->n_iter);
    rt_model_free(m);

    /* Edge cases: one class; an absent class; duplicate rows; constant
     * column. */
    ut_err e;
    int one[10], two[10];
    double pred[10], pr[30];
    for (int i = 0; i < 10; i++) {
        one[i] = 1;
        two[i] = i < 5 ? 0 : 2;
    }
    m = fit_svm(ir.X + 50 * 4, 10, 4, one, 3, 1.0, "squared_hinge", "balanced", 1000, 1e-4, 0);
    if (m) {
        rt_predict(m, ir.X, 2, 4, pred, pr, &e);
        CHECK(pred[0] == 1 && pred[1] == 1 && pr[1] == 1 && pr[0] == 0 && pr[2] == 0,
              "one-class linsvm");
        rt_model_free(m);
    }
    double X2[40];
    memcpy(X2, ir.X, 20 * sizeof *X2);              /* setosa rows 0-4     */
    memcpy(X2 + 20, ir.X + 100 * 4, 20 * sizeof *X2); /* virginica 100-104 */
    m = fit_svm(X2, 10, 4, two, 3, 1.0, "squared_hinge", "none", 1000, 1e-4, 0);
    if (m) {
        CHECK(m->nout == 1 && m->nfit == 2, "absent class: nout %d", m->nout);
        rt_predict(m, X2, 10, 4, pred, pr, &e);
        for (int i = 0; i < 10; i++)
            CHECK(pred[i] == two[i] && pr[3 * i + 1] == 0 &&
                  fabs(pr[3 * i] + pr[3 * i + 2] - 1) < 1e-15, "absent class row %d", i);
        rt_model_free(m);
    }
    /* Duplicated rows = the same rows with twice the C (liblinear's
     * objective sums the losses). */
    data_t dd;
    int rr[4] = { 0, bin.n, 0, bin.n };
    subset(&bin, rr, 2, 0, &dd);
    a = fit_svm(dd.X, dd.n, 4, dd.yc, 2, 0.5, "squared_hinge", "none", 100000, 1e-10, 3);
    b = fit_svm(bin.X, bin.n, 4, bin.yc, 2, 1.0, "squared_hinge", "none", 100000, 1e-10, 3);
    if (a && b)
        check_vec("linsvm duplicated rows", a->coef, b->coef, 4, 1e-7);
    rt_model_free(a);
    rt_model_free(b);
    free_data(&dd);
    double *Xc = malloc((size_t)bin.n * 5 * sizeof *Xc);
    for (int i = 0; i < bin.n; i++) {
        memcpy(Xc + 5 * i, bin.X + 4 * i, 4 * sizeof *Xc);
        Xc[5 * i + 4] = 0;
    }
    m = fit_svm(Xc, bin.n, 5, bin.yc, 2, 1.0, "squared_hinge", "balanced", 1000000, 1e-10, 7);
    if (m) {
        check_vec("linsvm zero column", m->coef, SV_BIN_BAL, 4, 1e-7);
        CHECK(m->coef[4] == 0, "zero column weight %g", m->coef[4]);
        rt_model_free(m);
    }
    free(Xc);

    /* Errors. */
    rt_pval pv[7] = { { 1, NULL }, { 0, "hinge2" }, { 0, "none" }, { 100, NULL }, { 1e-4, NULL }, { 1, NULL }, { 1, NULL } };
    rt_trainset ts = { ir.X, ir.n, 4, NULL, ir.yc, 3, 0 };
    m = NULL;
    CHECK(rt_fit(RT_FAM_LINSVM, pv, &ts, &m, &e) == -1 && !m, "loss hinge2 must fail");
    pv[1].str = "hinge";
    pv[0].num = 0;
    CHECK(rt_fit(RT_FAM_LINSVM, pv, &ts, &m, &e) == -1 && !m, "C = 0 must fail");
    rt_trainset tr = { ir.X, ir.n, 4, ir.y, NULL, 0, 0 };
    pv[0].num = 1;
    CHECK(rt_fit(RT_FAM_LINSVM, pv, &tr, &m, &e) == -1 && !m, "linsvm regression must fail");
    free_data(&sub);
    free_data(&bin);
out0:
    free_data(&ir);
    free_data(&irraw);
    free_data(&bc);
}

/* No feature columns at all (everything dropped by preprocessing): each
 * family still fits its intercept-only model. */
static void test_no_features(void)
{
    ut_err e;
    double y[6] = { 1, 2, 3, 4, 5, 9 }, pred[2], pr[4];
    int yc[6] = { 0, 1, 1, 1, 0, 1 };
    data_t d = { NULL, y, NULL, 6, 0 };
    rt_model *m = fit_enet(&d, NULL, 0, 0.1, 1.0, 1000, 1e-4);
    if (m) {
        CHECK(m->intercept[0] == 4 && rt_predict(m, NULL, 2, 0, pred, NULL, &e) == 0 &&
              pred[1] == 4, "lasso without features");
        rt_model_free(m);
    }
    m = fit_enet(&d, NULL, 0, 0.1, 0.5, 1000, 1e-4);
    rt_model_free(m);
    m = fit_logreg(NULL, 6, 0, yc, 2, 1.0, "l1", "none", 1000);
    if (m) {
        double want = log(2.0);   /* 4 : 2 */
        check_vec("logreg l1 without features", m->intercept, &want, 1, 1e-8);
        rt_model_free(m);
    }
    m = fit_logreg(NULL, 6, 0, yc, 2, 1.0, "l2", "balanced", 1000);
    if (m) {
        CHECK(fabs(m->intercept[0]) < 1e-8, "balanced intercept-only logreg %g",
              m->intercept[0]);
        rt_model_free(m);
    }
    m = fit_svm(NULL, 6, 0, yc, 2, 1.0, "squared_hinge", "none", 1000, 1e-4, 0);
    if (m) {
        CHECK(rt_predict(m, NULL, 2, 0, pred, pr, &e) == 0 && pred[0] == 1,
              "linsvm without features: %g (b = %g)", pred[0], m->intercept[0]);
        rt_model_free(m);
    }
}

/* linsvm's squared hinge along the C path: each fit started from the
 * previous C's weights ends where the cold fit does (the finite Newton
 * method reaches the optimum to rounding), in fewer steps; raw iris too,
 * whose unscaled columns dual coordinate descent needed 9565 sweeps for */
static void test_linsvm_path(void)
{
    const char *files[2] = { "breast_cancer.csv", "iris.csv" };
    const int ks[2] = { 2, 3 };
    for (int f = 0; f < 4; f++) {
        data_t d;
        if (load_data(files[f % 2], f < 2, &d) != 0)
            continue;
        rt_trainset ts = { d.X, d.n, d.p, NULL, d.yc, ks[f % 2], 0 };
        rt_model *prev = NULL;
        int cold_steps = 0, warm_steps = 0;
        double worst = 0;
        for (double C = 0.001; C <= 1000; C *= 10) {
            rt_pval pv[7] = { { C, NULL }, { 0, "squared_hinge" }, { 0, "none" }, { 1000, NULL }, { 1e-4, NULL },
                              { 1, NULL }, { 1, NULL } };
            rt_model *cold = NULL, *warm = NULL;
            ut_err e;
            CHECK(rt_fit(RT_FAM_LINSVM, pv, &ts, &cold, &e) == 0, "%s linsvm C=%g: %s", files[f % 2], C, e.msg);
            CHECK(rt_fit_from(RT_FAM_LINSVM, pv, &ts, prev, &warm, &e) == 0, "%s warm C=%g", files[f % 2], C);
            if (cold && warm) {
                CHECK(!cold->hit_max_iter && !warm->hit_max_iter, "%s C=%g: max_iter", files[f % 2], C);
                double dw = max_rel_diff(cold, warm);
                CHECK(dw < 1e-10, "%s C=%g: linsvm warm vs cold differ by %g", files[f % 2], C, dw);
                worst = dw > worst ? dw : worst;
                cold_steps += cold->n_iter;
                warm_steps += warm->n_iter;
            }
            rt_model_free(cold);
            rt_model_free(prev);
            prev = warm;
        }
        CHECK(warm_steps < cold_steps, "%s: the path took %d Newton steps, cold fits %d", files[f % 2], warm_steps,
              cold_steps);
        printf("  %s%s linsvm C = 0.001 .. 1000: Newton steps %d cold, %d on the path; |warm-cold| <= %.1e\n",
               f < 2 ? "" : "raw ", files[f % 2], cold_steps, warm_steps, worst);
        rt_model_free(prev);
        free_data(&d);
    }
}

/* Decisions by a tie band: scores within RT_TIE_BAND (relative) of the
 * best go to the first class, so fits that agree to ~1e-12 but not to the
 * bit decide an exact tie alike.  Then one binary column whose classes 0
 * and 1 have the same rows (3 balanced classes): their coefficients tie in
 * exact arithmetic, and Newton's and L-BFGS's fits, rounded apart, must
 * predict every row alike. */
static void test_decide_ties(void)
{
    double z3[3] = {1.0, 1.0 + 1e-13, 0.5}, z3b[3] = {1.0, 1.0 + 1e-6, 0.5}, big[3] = {2e6, 2e6 + 1e-4, 0};
    CHECK(rt_decide(z3, 3) == 0, "a 1e-13 gap should tie (got class %d)", rt_decide(z3, 3));
    CHECK(rt_decide(z3b, 3) == 1, "a 1e-6 gap should not tie (got class %d)", rt_decide(z3b, 3));
    CHECK(rt_decide(big, 3) == 0, "the band is relative: 1e-4 at 2e6 ties");
    double b1 = 1e-12, b2 = 1e-6, b3 = -1e-12;
    CHECK(rt_decide(&b1, 1) == 0 && rt_decide(&b2, 1) == 1 && rt_decide(&b3, 1) == 0, "binary decisions");
    double nanz[3] = {NAN, 0.2, 0.1};
    CHECK(rt_decide(nanz, 3) >= 0 && rt_decide(nanz, 3) < 3, "NaN scores still give a class");
    enum { N = 60 };
    double X[N];
    int yc[N];
    for (int i = 0; i < N; i++) {
        yc[i] = i % 3;
        X[i] = yc[i] == 2 ? (i % 4 != 0) : (i / 3) % 2;   /* classes 0, 1: the same x values */
    }
    rt_trainset ts = {X, N, 1, NULL, yc, 3, 0};
    double pa[N], pb[N];
    int same = 1;
    for (double C = 0.1; C <= 100; C *= 10) {
        rt_pval pv[7] = {{C, NULL}, {1000, NULL}, {1e-10, NULL}, {0, "l2"}, {0, "none"}, {1, NULL}, {1, NULL}};
        rt_model *nt = NULL, *lb = NULL;
        ut_err e;
        rt_logreg_solver_override = 2;
        int rc = rt_fit(RT_FAM_LOGREG, pv, &ts, &nt, &e);
        rt_logreg_solver_override = 1;
        rc = rc || rt_fit(RT_FAM_LOGREG, pv, &ts, &lb, &e);
        rt_logreg_solver_override = 0;
        CHECK(rc == 0, "tie fits C=%g: %s", C, e.msg);
        if (!rc && rt_predict(nt, X, N, 1, pa, NULL, &e) == 0 && rt_predict(lb, X, N, 1, pb, NULL, &e) == 0)
            for (int i = 0; i < N; i++) same &= pa[i] == pb[i] && pa[i] != 1;   /* class 1 never wins the tie */
        rt_model_free(nt);
        rt_model_free(lb);
    }
    CHECK(same, "Newton and L-BFGS fits decide the tied classes differently");
}

int main(void)
{
    la_set_threads(1);
    test_decide_ties();
    test_linreg_small();
    test_linreg_real();
    test_lasso();
    test_elasticnet();
    test_logreg_l1();
    test_logreg_balanced();
    test_logreg_solvers();
    test_logreg_l1_path();
    test_logreg_l1_ties();
    test_logreg_batch();
    test_logreg_widths();
    test_linsvm();
    test_linsvm_path();
    test_no_features();
    if (failures) {
        printf("test_linear: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_linear: ok\n");
    return 0;
}
