/* test_nb_knn.c — nb (Gaussian / categorical) and knn (classification and
 * regression) against scikit-learn 1.2.1 (Debian python3-sklearn, numpy
 * 1.24, run once offline; the exact calls are quoted above each block).
 *
 * Long outputs are compared through checksums: cs[c] = Σ_i v[i,c]·(1 + i%5)
 * (a permutation or a single wrong row changes it), plus the predicted
 * classes digit by digit.  Tolerances: probabilities 1e-9 absolute on the
 * checksum, log-probabilities and regression values 1e-9 relative.
 *
 * Ties between equidistant neighbours: scikit-learn's brute search keeps the
 * lower training index in the neighbour SET (checked below on duplicate
 * rows with kneighbors); it does not order equal distances inside the list
 * (kneighbors gave [2, 0, 1] for a tie of rows 0 and 2).  We sort by
 * (distance, index), so lists are compared as sets where sklearn is quoted. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/mileage.h"
#include "../../runtime/families.h"
#include "../../runtime/knn.h"
#include "../../runtime/parts.h"

#include <pthread.h>
#include <time.h>
#include "check.h"

#ifndef MLG_SOURCE_DIR
#define MLG_SOURCE_DIR "."
#endif



static void check_close(const char *what, int i, double got, double want, double rel, double abs_)
{
    double tol = abs_ + rel * fabs(want);
    if (!(fabs(got - want) <= tol)) {
        failures++;
        printf("FAIL %s[%d]: got %.17g want %.17g (tol %g)\n", what, i, got, want, tol);
    }
}

/* ---- a tiny loader for the all-numeric CSVs in data/ (header skipped) ---- */
typedef struct { double *X; double *y; int *yc; int n, p; } data_t;

static int load(const char *name, data_t *d)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/data/%s", MLG_SOURCE_DIR, name);
    memset(d, 0, sizeof *d);
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("FAIL cannot open %s\n", path);
        failures++;
        return -1;
    }
    char line[16384];
    int cols = 1, cap = 0;
    double *v = NULL;
    if (!fgets(line, sizeof line, f)) {
        fclose(f);
        return -1;
    }
    for (char *c = line; *c; c++)
        cols += *c == ',';
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '\n' || line[0] == 0)
            continue;
        if (d->n == cap) {
            cap = cap ? 2 * cap : 256;
            double *nv = realloc(v, (size_t)cap * cols * sizeof *nv);
            if (!nv)
                break;
            v = nv;
        }
        char *s = line;
        for (int j = 0; j < cols; j++) {
            v[(size_t)d->n * cols + j] = strtod(s, &s);
            if (*s == ',')
                s++;
        }
        d->n++;
    }
    fclose(f);
    d->p = cols - 1;
    d->X = malloc((size_t)d->n * d->p * sizeof *d->X);
    d->y = malloc((size_t)d->n * sizeof *d->y);
    d->yc = malloc((size_t)d->n * sizeof *d->yc);
    for (int i = 0; i < d->n; i++) {
        memcpy(d->X + (size_t)i * d->p, v + (size_t)i * cols, (size_t)d->p * sizeof *d->X);
        d->y[i] = v[(size_t)i * cols + d->p];
        d->yc[i] = (int)d->y[i];
    }
    free(v);
    return 0;
}

static void data_free(data_t *d)
{
    free(d->X);
    free(d->y);
    free(d->yc);
    memset(d, 0, sizeof *d);
}

/* Column-wise (x − mean) / std (population), summed row by row exactly as
 * the reference script does, so both sides see identical inputs. */
static void standardize(data_t *d)
{
    int n = d->n, p = d->p;
    double *m = calloc((size_t)p, sizeof *m), *v = calloc((size_t)p, sizeof *v);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < p; j++)
            m[j] += d->X[(size_t)i * p + j];
    for (int j = 0; j < p; j++)
        m[j] /= n;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < p; j++) {
            double t = d->X[(size_t)i * p + j] - m[j];
            v[j] += t * t;
        }
    for (int j = 0; j < p; j++)
        v[j] = sqrt(v[j] / n);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < p; j++)
            d->X[(size_t)i * p + j] = (d->X[(size_t)i * p + j] - m[j]) / v[j];
    free(m);
    free(v);
}

/* Rows i with keep(i) into a fresh data_t. */
typedef int (*rowsel)(int i, const data_t *d);
static int sel_train(int i, const data_t *d) { (void)d; return i % 3 != 0; }
static int sel_test(int i, const data_t *d) { (void)d; return i % 3 == 0; }
static int sel_train_no1(int i, const data_t *d) { return i % 3 != 0 && d->yc[i] != 1; }

static void subset(const data_t *d, rowsel keep, data_t *o)
{
    memset(o, 0, sizeof *o);
    o->p = d->p;
    o->X = malloc((size_t)d->n * d->p * sizeof *o->X);
    o->y = malloc((size_t)d->n * sizeof *o->y);
    o->yc = malloc((size_t)d->n * sizeof *o->yc);
    for (int i = 0; i < d->n; i++)
        if (keep(i, d)) {
            memcpy(o->X + (size_t)o->n * d->p, d->X + (size_t)i * d->p, (size_t)d->p * sizeof *o->X);
            o->y[o->n] = d->y[i];
            o->yc[o->n] = d->yc[i];
            o->n++;
        }
}

static rt_model *fit(rt_family f, const rt_pval *pv, const double *X, int n, int p,
                     const double *y, const int *yc, int K, ut_err *e)
{
    rt_model *m = NULL;
    rt_trainset ts = { X, n, p, K ? NULL : y, K ? yc : NULL, K, 0 };
    if (rt_fit(f, pv, &ts, &m, e) != 0)
        return NULL;
    return m;
}

/* Σ_i v[i·K + c]·(1 + i%5) */
static double checksum(const double *v, int n, int K, int c)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += v[(size_t)i * K + c] * (1 + i % 5);
    return s;
}

static void check_pred_string(const char *what, const double *pred, int n, const char *want)
{
    int bad = (int)strlen(want) != n;
    for (int i = 0; i < n && !bad; i++)
        if (pred[i] != want[i] - '0') {
            printf("FAIL %s: row %d predicted %g, sklearn %c\n", what, i, pred[i], want[i]);
            bad = 1;
        }
    if (bad)
        failures++;
}

/* knn classification: train rows i%3 != 0, test rows i%3 == 0.
 * KNeighborsClassifier(n_neighbors=k, weights=w, metric=m, algorithm='brute')
 * .fit(Xtr, ytr); pred string = predict(Xte); cs[c] = sum_i predict_proba(Xte)[i,c]*(1+i%5) */
typedef struct { const char *data; int k; const char *w, *m; const char *pred; double cs[3]; } knn_ref;
static const knn_ref KNN_CLS[] = {
    { "iris.csv", 1, "uniform", "euclidean", "00000000000000000111111121111111112222222222222222", { 48, 47, 55 } },
    { "iris.csv", 1, "uniform", "manhattan", "00000000000000000111111121111111112222222222222222", { 48, 47, 55 } },
    { "iris.csv", 1, "distance", "euclidean", "00000000000000000111111121111111112222222222222222", { 48, 47, 55 } },
    { "iris.csv", 1, "distance", "manhattan", "00000000000000000111111121111111112222222222222222", { 48, 47, 55 } },
    { "iris.csv", 5, "uniform", "euclidean", "00000000000000000111111121111111112222222222221222", { 48, 50.799999999999997, 51.200000000000003 } },
    { "iris.csv", 5, "uniform", "manhattan", "00000000000000000111111121111111112222222222221222", { 48, 50.599999999999994, 51.400000000000006 } },
    { "iris.csv", 5, "distance", "euclidean", "00000000000000000111111121111111112222222222222222", { 48, 50.430884396210473, 51.569115603789527 } },
    { "iris.csv", 5, "distance", "manhattan", "00000000000000000111111121111111112222222222222222", { 48, 49.90970275403393, 52.09029724596607 } },
    { "iris.csv", 15, "uniform", "euclidean", "00000000000000000111111121111111112222222222222222", { 48, 50.933333333333344, 51.06666666666667 } },
    { "iris.csv", 15, "uniform", "manhattan", "00000000000000000111111111111111112222222222221222", { 48, 52.20000000000001, 49.799999999999997 } },
    { "iris.csv", 15, "distance", "euclidean", "00000000000000000111111121111111112222222222222222", { 48, 51.07501022007915, 50.92498977992085 } },
    { "iris.csv", 15, "distance", "manhattan", "00000000000000000111111111111111112222222222222222", { 48, 51.754391384224128, 50.245608615775872 } },
    { "wine.csv", 1, "uniform", "euclidean", "000000000000000000001111111111112111111110112222222222222222", { 62, 65, 53 } },
    { "wine.csv", 1, "uniform", "manhattan", "000000000000000000001111111111111111111111112222222222222222", { 60, 70, 50 } },
    { "wine.csv", 1, "distance", "euclidean", "000000000000000000001111111111112111111110112222222222222222", { 62, 65, 53 } },
    { "wine.csv", 1, "distance", "manhattan", "000000000000000000001111111111111111111111112222222222222222", { 60, 70, 50 } },
    { "wine.csv", 5, "uniform", "euclidean", "000000000000000000001111110111112111111111112222222222222222", { 66.399999999999991, 61.599999999999994, 52 } },
    { "wine.csv", 5, "uniform", "manhattan", "000000000000000000001111111111111111111111112222222222222222", { 62.800000000000004, 66.400000000000006, 50.799999999999997 } },
    { "wine.csv", 5, "distance", "euclidean", "000000000000000000001111110111112111111111112222222222222222", { 65.864154953402689, 62.178046298303116, 51.957798748294195 } },
    { "wine.csv", 5, "distance", "manhattan", "000000000000000000001111111111111111111111112222222222222222", { 62.688582630992705, 66.532914714195186, 50.778502654812101 } },
    { "wine.csv", 15, "uniform", "euclidean", "000000000000000000001111111111111111111111112222222222222222", { 67.266666666666666, 62.199999999999996, 50.533333333333331 } },
    { "wine.csv", 15, "uniform", "manhattan", "000000000000000000001101111111111111111111112222222222222222", { 65.200000000000003, 64.400000000000006, 50.399999999999999 } },
    { "wine.csv", 15, "distance", "euclidean", "000000000000000000001111111111111111111111112222222222222222", { 67.082675922396547, 62.173942938873658, 50.743381138729802 } },
    { "wine.csv", 15, "distance", "manhattan", "000000000000000000001101111111111111111111112222222222222222", { 65.074422185156379, 64.49504763182324, 50.430530183020366 } },
};
/* Zero distances: the same models predicting their own training rows (iris raw). */
static const knn_ref KNN_SELF[] = {
    { "iris.csv", 5, "distance", "euclidean", "0000000000000000000000000000000001111111111111111111111111111111112222222222222222222222222222222222", { 96, 100, 104 } },
    { "iris.csv", 5, "distance", "manhattan", "0000000000000000000000000000000001111111111111111111111111111111112222222222222222222222222222222222", { 96, 100, 104 } },
};
/* Missing class: iris rows i%3 != 0 and class != 1; KNeighborsClassifier(5, weights='distance').
 * predict on rows i%3 == 0 (sklearn's classes_ = [0, 2]; column 1 is ours, all 0) */
static const knn_ref KNN_MISSING = { "iris.csv", 5, "distance", "euclidean", "00000000000000000220222222222222222222222222222222", { 51.533755584916996, 0, 98.466244415082997 } };
/* knn regression, diabetes_progression, train i%3 != 0, test i%3 == 0:
 * KNeighborsRegressor(n_neighbors=5, weights=w, metric=m, algorithm='brute'); cs = sum_i pred[i]*(1+i%5) */
typedef struct { const char *w, *m; double cs, first[3]; } knnreg_ref;
static const knnreg_ref KNN_REG[] = {
    { "uniform", "euclidean", 65013.799999999988, { 165.40000000000001, 180.80000000000001, 80.599999999999994 } },
    { "uniform", "manhattan", 65204.800000000003, { 173, 206.19999999999999, 85.200000000000003 } },
    { "distance", "euclidean", 64856.711952914025, { 166.38602363250899, 182.08141331249917, 82.020954118460182 } },
    { "distance", "manhattan", 65083.18901959432, { 171.95696706652498, 202.24871153561094, 85.039227960796438 } },
};
/* dup k=1: kneighbors([[1,1],[0,0]]) -> [[1], [0]]  predict -> [0, 1] proba -> [[1.0, 0.0], [0.0, 1.0]] */
/* dup k=2: kneighbors([[1,1],[0,0]]) -> [[1, 3], [0, 2]]  predict -> [0, 0] proba -> [[0.5, 0.5], [0.5, 0.5]] */
/* dup k=3: kneighbors([[1,1],[0,0]]) -> [[1, 3, 0], [2, 0, 1]]  predict -> [1, 0] proba -> [[0.3333333333333333, 0.6666666666666666], [0.6666666666666666, 0.3333333333333333]] */
/* dup k=4: kneighbors([[1,1],[0,0]]) -> [[3, 1, 0, 2], [2, 0, 3, 1]]  predict -> [0, 0] proba -> [[0.5, 0.5], [0.5, 0.5]] */
/* k>n: KNeighborsClassifier(4, uniform).fit([[0],[1],[3],[7]], [0,1,1,0]).predict_proba([[2],[6]]) = [['0.5', '0.5'], ['0.5', '0.5']] */
/* k>n: KNeighborsClassifier(4, distance).fit([[0],[1],[3],[7]], [0,1,1,0]).predict_proba([[2],[6]]) = [['0.25925925925925924', '0.7407407407407407'], ['0.68627450980392157', '0.31372549019607837']] */

/* Fit on the train subset, predict the query rows, compare pred + proba. */
static void run_knn_cls(const knn_ref *r, const data_t *tr, const data_t *q, int K)
{
    ut_err e;
    rt_pval pv[3] = { { r->k, NULL }, { 0, r->w }, { 0, r->m } };
    char what[128];
    snprintf(what, sizeof what, "knn %s k=%d %s %s", r->data, r->k, r->w, r->m);
    rt_model *m = fit(RT_FAM_KNN, pv, tr->X, tr->n, tr->p, NULL, tr->yc, K, &e);
    CHECK(m, "%s: fit: %s", what, e.msg);
    if (!m)
        return;
    double *pred = malloc((size_t)q->n * sizeof *pred);
    double *proba = malloc((size_t)q->n * K * sizeof *proba);
    CHECK(rt_predict(m, q->X, q->n, q->p, pred, proba, &e) == 0, "%s: predict: %s", what, e.msg);
    check_pred_string(what, pred, q->n, r->pred);
    for (int c = 0; c < K; c++)
        check_close(what, c, checksum(proba, q->n, K, c), r->cs[c], 0, 1e-9);
    for (int i = 0; i < q->n; i++) {
        double s = 0;
        for (int c = 0; c < K; c++)
            s += proba[(size_t)i * K + c];
        check_close("knn proba row sum", i, s, 1.0, 0, 1e-12);
    }
    free(pred);
    free(proba);
    rt_model_free(m);
}

static void test_knn_classification(void)
{
    data_t d[2], tr, te;
    if (load("iris.csv", &d[0]) || load("wine.csv", &d[1]))
        return;
    standardize(&d[1]);
    for (size_t i = 0; i < sizeof KNN_CLS / sizeof KNN_CLS[0]; i++) {
        const data_t *src = &d[strcmp(KNN_CLS[i].data, "iris.csv") == 0 ? 0 : 1];
        subset(src, sel_train, &tr);
        subset(src, sel_test, &te);
        run_knn_cls(&KNN_CLS[i], &tr, &te, 3);
        data_free(&tr);
        data_free(&te);
    }
    /* Zero distances (own training rows, iris has duplicate rows). */
    subset(&d[0], sel_train, &tr);
    for (size_t i = 0; i < 2; i++)
        run_knn_cls(&KNN_SELF[i], &tr, &tr, 3);
    data_free(&tr);
    /* A training fold without class 1: its probability column is 0. */
    subset(&d[0], sel_train_no1, &tr);
    subset(&d[0], sel_test, &te);
    run_knn_cls(&KNN_MISSING, &tr, &te, 3);
    data_free(&tr);
    data_free(&te);
    data_free(&d[0]);
    data_free(&d[1]);
}

static void test_knn_regression(void)
{
    data_t d, tr, te;
    ut_err e;
    if (load("diabetes_progression.csv", &d))
        return;
    subset(&d, sel_train, &tr);
    subset(&d, sel_test, &te);
    double *pred = malloc((size_t)te.n * sizeof *pred);
    for (size_t i = 0; i < sizeof KNN_REG / sizeof KNN_REG[0]; i++) {
        const knnreg_ref *r = &KNN_REG[i];
        rt_pval pv[3] = { { 5, NULL }, { 0, r->w }, { 0, r->m } };
        rt_model *m = fit(RT_FAM_KNN, pv, tr.X, tr.n, tr.p, tr.y, NULL, 0, &e);
        CHECK(m, "knn regression fit: %s", e.msg);
        if (!m)
            continue;
        CHECK(rt_predict(m, te.X, te.n, te.p, pred, NULL, &e) == 0, "knn reg predict: %s", e.msg);
        check_close("knn reg checksum", (int)i, checksum(pred, te.n, 1, 0), r->cs, 1e-9, 0);
        for (int j = 0; j < 3; j++)
            check_close("knn reg first", j, pred[j], r->first[j], 1e-9, 0);
        rt_model_free(m);
    }
    free(pred);
    data_free(&tr);
    data_free(&te);
    data_free(&d);
}

/* Duplicate training rows.  KNeighborsClassifier(k, algorithm='brute')
 * .fit(XD, YD).kneighbors([[1,1],[0,0]]) gave (as sets):
 *   k=1 [[1],[0]]  k=2 [[1,3],[0,2]]  k=3 [[1,3,0],[2,0,1]]  k=4 [[3,1,0,2],[2,0,3,1]]
 * predict: k=1 [0,1], k=2 [0,0], k=3 [1,0], k=4 [0,0];
 * predict_proba k=3: [[1/3, 2/3], [2/3, 1/3]]. */
static void test_knn_duplicates(void)
{
    static const double XD[10] = { 0, 0, 1, 1, 0, 0, 1, 1, 2, 2 };
    static const int YD[5] = { 1, 0, 0, 1, 0 };
    static const double Q[4] = { 1, 1, 0, 0 };
    static const int want_idx[2][4] = { { 1, 3, 0, 2 }, { 0, 2, 1, 3 } };
    static const double want_pred[4][2] = { { 0, 1 }, { 0, 0 }, { 1, 0 }, { 0, 0 } };
    static const double want_p3[4] = { 1.0 / 3, 2.0 / 3, 2.0 / 3, 1.0 / 3 };
    ut_err e;
    rt_knn_train tr = { XD, NULL, 5, 2, YD, 2, NULL };
    int idx[8];
    double dist[8];
    for (int metric = 0; metric < 2; metric++) {
        CHECK(rt_knn_neighbors(&tr, metric, Q, 2, 4, idx, dist, &e) == 0, "neighbors: %s", e.msg);
        for (int q = 0; q < 2; q++)
            for (int t = 0; t < 4; t++)
                CHECK(idx[q * 4 + t] == want_idx[q][t], "dup metric %d q%d slot %d: idx %d want %d",
                      metric, q, t, idx[q * 4 + t], want_idx[q][t]);
        double d2 = metric == 0 ? sqrt(2.0) : 2.0;
        CHECK(dist[0] == 0 && dist[1] == 0 && dist[2] == d2 && dist[3] == d2,
              "dup distances %g %g %g %g", dist[0], dist[1], dist[2], dist[3]);
    }
    for (int k = 1; k <= 4; k++) {
        rt_pval pv[3] = { { k, NULL }, { 0, "uniform" }, { 0, "euclidean" } };
        rt_model *m = fit(RT_FAM_KNN, pv, XD, 5, 2, NULL, YD, 2, &e);
        CHECK(m, "dup fit: %s", e.msg);
        if (!m)
            continue;
        double pred[2], proba[4];
        rt_predict(m, Q, 2, 2, pred, proba, &e);
        CHECK(pred[0] == want_pred[k - 1][0] && pred[1] == want_pred[k - 1][1],
              "dup k=%d pred %g %g", k, pred[0], pred[1]);
        if (k == 3)
            for (int j = 0; j < 4; j++)
                check_close("dup k=3 proba", j, proba[j], want_p3[j], 0, 1e-15);
        rt_model_free(m);
    }
}

/* Squared distances that differ but round to one square root: row 0 at
 * (1, 2^-26) has d² = 1 + 2^-52 (exact), row 1 at (1, 0) has d² = 1, from
 * the query at the origin; sqrt(1 + 2^-52) rounds to 1.  The lists report
 * distances, and the tie rule (equal distance, lower index first) is on
 * those: row 0, then row 1.  The cache's list check refused lists broken
 * this way (session 6).  And the search itself orders so: a 1-list is the
 * first entry of the 2-list (ordered by d², the 1-list was row 1 while the
 * 2-list began with row 0, and sharing one search for every k changed
 * knn's predictions on tables of rounded values). */
static void test_knn_root_ties(void)
{
    const double t = ldexp(1.0, -26);
    const double X[4] = { 1, t, 1, 0 };
    static const int Y[2] = { 0, 1 };
    static const double Q[2] = { 0, 0 };
    CHECK(sqrt(1 + t * t) == 1.0 && 1 + t * t > 1.0, "the premise: one root for two squares");
    rt_knn_train tr = { X, NULL, 2, 2, Y, 2, NULL };
    int idx[2] = { -1, -1 };
    double dist[2] = { -1, -1 };
    ut_err e;
    CHECK(rt_knn_neighbors(&tr, RT_KNN_EUCLIDEAN, Q, 1, 2, idx, dist, &e) == 0, "neighbors: %s", e.msg);
    CHECK(dist[0] == 1.0 && dist[1] == 1.0, "root ties: distances %.17g %.17g", dist[0], dist[1]);
    CHECK(idx[0] == 0 && idx[1] == 1, "root ties: rows %d %d, want 0 1 (equal distance, lower index first)",
          idx[0], idx[1]);
    int one = -1;
    double d1 = -1;
    CHECK(rt_knn_neighbors(&tr, RT_KNN_EUCLIDEAN, Q, 1, 1, &one, &d1, &e) == 0, "neighbors: %s", e.msg);
    CHECK(one == 0 && d1 == 1.0, "root ties: the 1-list is row %d (%.17g), want row 0, the 2-list's first", one, d1);
}

/* k > n uses every training row.  sklearn (which rejects k > n) with k = 4:
 * KNeighborsClassifier(4, w).fit([[0],[1],[3],[7]], [0,1,1,0]).predict_proba([[2],[6]])
 *   uniform [[.5,.5],[.5,.5]]; distance below.  Regression: mean of all. */
static void test_knn_k_gt_n(void)
{
    static const double X[4] = { 0, 1, 3, 7 }, Q[2] = { 2, 6 }, Y[4] = { 1, 2, 4, 9 };
    static const int YC[4] = { 0, 1, 1, 0 };
    static const double want_d[4] = { 0.25925925925925924, 0.7407407407407407,
                                      0.68627450980392157, 0.31372549019607837 };
    ut_err e;
    double pred[2], proba[4];
    rt_pval pv[3] = { { 10, NULL }, { 0, "uniform" }, { 0, "manhattan" } };
    rt_model *m = fit(RT_FAM_KNN, pv, X, 4, 1, NULL, YC, 2, &e);
    CHECK(m, "k>n fit: %s", e.msg);
    if (m) {
        CHECK(rt_predict(m, Q, 2, 1, pred, proba, &e) == 0, "k>n predict: %s", e.msg);
        CHECK(pred[0] == 0 && pred[1] == 0 && proba[0] == 0.5 && proba[3] == 0.5,
              "k>n uniform: tie must go to class 0 (%g %g)", pred[0], pred[1]);
        rt_model_free(m);
    }
    pv[1].str = "distance";
    m = fit(RT_FAM_KNN, pv, X, 4, 1, NULL, YC, 2, &e);
    if (m) {
        rt_predict(m, Q, 2, 1, pred, proba, &e);
        for (int j = 0; j < 4; j++)
            check_close("k>n distance proba", j, proba[j], want_d[j], 0, 1e-15);
        CHECK(pred[0] == 1 && pred[1] == 0, "k>n distance pred %g %g", pred[0], pred[1]);
        rt_model_free(m);
    }
    pv[1].str = "uniform";
    m = fit(RT_FAM_KNN, pv, X, 4, 1, Y, NULL, 0, &e);
    if (m) {
        rt_predict(m, Q, 2, 1, pred, NULL, &e);
        CHECK(pred[0] == 4 && pred[1] == 4, "k>n regression mean %g %g", pred[0], pred[1]);
        rt_model_free(m);
    }
}

/* Edge cases: one class, a single training row, bad parameters, zero
 * distances with distance weights in regression. */
static void test_knn_edges(void)
{
    static const double X[6] = { 0, 0, 1, 0, 0, 1 }, Q[4] = { 0, 0, 5, 5 };
    static const int Y1[3] = { 2, 2, 2 };
    static const double YR[3] = { 10, 20, 30 };
    ut_err e;
    double pred[2], proba[6];
    rt_pval pv[3] = { { 2, NULL }, { 0, "distance" }, { 0, "euclidean" } };
    rt_model *m = fit(RT_FAM_KNN, pv, X, 3, 2, NULL, Y1, 3, &e);
    CHECK(m, "one-class fit: %s", e.msg);
    if (m) {
        rt_predict(m, Q, 2, 2, pred, proba, &e);
        CHECK(pred[0] == 2 && pred[1] == 2 && proba[2] == 1 && proba[0] == 0 && proba[5] == 1,
              "one class: %g %g", pred[0], pred[1]);
        rt_model_free(m);
    }
    m = fit(RT_FAM_KNN, pv, X, 3, 2, YR, NULL, 0, &e);
    if (m) {
        /* Query 0 sits on row 0: only that neighbour counts. */
        rt_predict(m, Q, 2, 2, pred, NULL, &e);
        CHECK(pred[0] == 10, "zero distance regression %g", pred[0]);
        double d1 = sqrt(25.0 + 16.0), d2 = sqrt(16.0 + 25.0);  /* rows 1 and 2 tie */
        double want = (20 / d1 + 30 / d2) / (1 / d1 + 1 / d2);
        check_close("distance regression", 1, pred[1], want, 1e-14, 0);
        rt_model_free(m);
    }
    m = fit(RT_FAM_KNN, pv, X, 1, 2, YR, NULL, 0, &e);
    if (m) {
        rt_predict(m, Q, 2, 2, pred, NULL, &e);
        CHECK(pred[0] == 10 && pred[1] == 10, "single row %g %g", pred[0], pred[1]);
        rt_model_free(m);
    }
    pv[1].str = "cosine";
    CHECK(!fit(RT_FAM_KNN, pv, X, 3, 2, YR, NULL, 0, &e) && strstr(e.msg, "weights"),
          "bad weights: %s", e.msg);
    pv[1].str = "uniform";
    pv[2].str = "chebyshev";
    CHECK(!fit(RT_FAM_KNN, pv, X, 3, 2, YR, NULL, 0, &e) && strstr(e.msg, "metric"),
          "bad metric: %s", e.msg);
    pv[2].str = "euclidean";
    pv[0].num = 0;
    CHECK(!fit(RT_FAM_KNN, pv, X, 3, 2, YR, NULL, 0, &e), "k = 0 must fail");
}

/* What the optimizer will rely on: the k-prefix of a K-list is the k-list,
 * and aggregate on the prefix gives the k-model's predictions.  Also the
 * blocked path (several query blocks) against a direct computation. */
static void test_knn_prefix_and_blocks(void)
{
    data_t d, tr, te;
    ut_err e;
    if (load("wine.csv", &d))
        return;
    standardize(&d);
    subset(&d, sel_train, &tr);
    subset(&d, sel_test, &te);
    rt_knn_train kt = { tr.X, NULL, tr.n, tr.p, tr.yc, 3, NULL };
    int n = te.n, K = 15;
    int *i15 = malloc((size_t)n * K * sizeof *i15), *i5 = malloc((size_t)n * 5 * sizeof *i5);
    double *d15 = malloc((size_t)n * K * sizeof *d15), *d5 = malloc((size_t)n * 5 * sizeof *d5);
    double *pa = malloc((size_t)n * sizeof *pa), *pb = malloc((size_t)n * sizeof *pb);
    double *qa = malloc((size_t)n * 3 * sizeof *qa), *qb = malloc((size_t)n * 3 * sizeof *qb);
    for (int metric = 0; metric < 2; metric++) {
        rt_knn_neighbors(&kt, metric, te.X, n, K, i15, d15, &e);
        rt_knn_neighbors(&kt, metric, te.X, n, 5, i5, d5, &e);
        int same = 1;
        for (int q = 0; q < n; q++)
            for (int t = 0; t < 5; t++)
                same &= i15[q * K + t] == i5[q * 5 + t] && d15[q * K + t] == d5[q * 5 + t];
        CHECK(same, "metric %d: 5-prefix of the 15-lists differs from the 5-lists", metric);
        for (int w = 0; w < 2; w++) {
            rt_pval pv[3] = { { 5, NULL }, { 0, w ? "distance" : "uniform" },
                              { 0, metric ? "manhattan" : "euclidean" } };
            rt_model *m = fit(RT_FAM_KNN, pv, tr.X, tr.n, tr.p, NULL, tr.yc, 3, &e);
            if (!m)
                continue;
            rt_predict(m, te.X, n, te.p, pa, qa, &e);
            rt_knn_aggregate(&kt, i15, d15, n, K, 5, w, pb, qb, &e);
            CHECK(memcmp(pa, pb, (size_t)n * sizeof *pa) == 0
                  && memcmp(qa, qb, (size_t)n * 3 * sizeof *qa) == 0,
                  "aggregate on the 15-lists (k=5) differs from the k=5 model");
            rt_model_free(m);
        }
    }
    free(i15); free(i5); free(d15); free(d5); free(pa); free(pb); free(qa); free(qb);
    data_free(&tr);
    data_free(&te);
    data_free(&d);

    /* 3000 x 4 random training rows, 700 queries: several query blocks. */
    int nt = 3000, nq = 700, p = 4, k = 7;
    double *X = malloc((size_t)nt * p * sizeof *X), *Q = malloc((size_t)nq * p * sizeof *Q);
    unsigned long long s = 12345;
    for (int i = 0; i < nt * p + nq * p; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(s >> 11) / 9007199254740992.0;
        if (i < nt * p)
            X[i] = u;
        else
            Q[i - nt * p] = u;
    }
    int *idx = malloc((size_t)nq * k * sizeof *idx);
    double *dist = malloc((size_t)nq * k * sizeof *dist), *full = malloc((size_t)nt * sizeof *full);
    rt_knn_train kr = { X, NULL, nt, p, NULL, 0, NULL };
    for (int metric = 0; metric < 2; metric++) {
        CHECK(rt_knn_neighbors(&kr, metric, Q, nq, k, idx, dist, &e) == 0, "blocks: %s", e.msg);
        int bad = 0;
        for (int q = 0; q < nq && !bad; q++) {
            for (int j = 0; j < nt; j++) {
                double a = 0;
                for (int f = 0; f < p; f++) {
                    double t = Q[q * p + f] - X[j * p + f];
                    a += metric ? fabs(t) : t * t;
                }
                full[j] = metric ? a : sqrt(a);
            }
            /* The k-th smallest direct distance bounds the list; every
             * listed distance matches its direct value. */
            for (int t = 0; t < k; t++) {
                int j = idx[q * k + t];
                if (fabs(dist[q * k + t] - full[j]) > 1e-12 || (t && dist[q * k + t] < dist[q * k + t - 1]))
                    bad = 1;
            }
            int closer = 0;
            for (int j = 0; j < nt; j++)
                closer += full[j] < full[idx[q * k + k - 1]] - 1e-12;
            if (closer > k - 1)
                bad = 1;
        }
        CHECK(!bad, "blocked neighbours (metric %d) disagree with direct distances", metric);
    }
    free(X); free(Q); free(idx); free(dist); free(full);
}
/* ---- tiles and parts (fam_knn.c, parts.c) ---- */

static volatile int helper_stop;
static int helper_parts;

static void *helper(void *arg)
{
    (void)arg;
    while (!helper_stop)
        helper_parts += rt_parts_help(1);
    return NULL;
}

static int part_seen[40];

static int slow_part(void *arg, int part)
{
    (void)arg;
    struct timespec ts = { 0, 2000000 };
    nanosleep(&ts, NULL);
    __atomic_add_fetch(&part_seen[part], 1, __ATOMIC_SEQ_CST);
    return part == 33 ? -1 : 0;
}

/* Equal rows in different training tiles (1024 rows each) keep the lower
 * index first; the search gives the same bits whether an idle worker takes
 * some query tiles or not; every part of a run runs exactly once, a
 * failing part fails the run. */
static void test_knn_tiles_and_parts(void)
{
    int nt = 2600, nq = 700, p = 3, K = 4;
    double *X = malloc((size_t)nt * p * sizeof *X), *Q = malloc((size_t)nq * p * sizeof *Q);
    unsigned long long s = 777;
    for (int i = 0; i < nt * p + nq * p; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = (double)(s >> 11) / 9007199254740992.0;
        if (i < nt * p) X[i] = u;
        else Q[i - nt * p] = u;
    }
    /* rows 10, 1030 and 2100 equal (three training tiles); query 5 is that row */
    for (int f = 0; f < p; f++) {
        X[1030 * p + f] = X[10 * p + f];
        X[2100 * p + f] = X[10 * p + f];
        Q[5 * p + f] = X[10 * p + f];
    }
    rt_knn_train kr = { X, NULL, nt, p, NULL, 0, NULL };
    int *ia = malloc((size_t)nq * K * sizeof *ia), *ib = malloc((size_t)nq * K * sizeof *ib);
    double *da = malloc((size_t)nq * K * sizeof *da), *db = malloc((size_t)nq * K * sizeof *db);
    ut_err e;
    for (int metric = 0; metric < 2; metric++) {
        CHECK(rt_knn_neighbors(&kr, metric, Q, nq, K, ia, da, &e) == 0, "tiles: %s", e.msg);
        /* (euclidean: ||q||² − 2q·x + ||x||² leaves ~1e-16 for equal rows,
         * as in scikit-learn; equal rows get equal bits in every tile) */
        CHECK(ia[5 * K] == 10 && ia[5 * K + 1] == 1030 && ia[5 * K + 2] == 2100 && da[5 * K] < 1e-7 &&
              da[5 * K + 1] == da[5 * K] && da[5 * K + 2] == da[5 * K] && da[5 * K + 3] > 1e-3,
              "metric %d: equal rows across tiles: %d %d %d (%g %g)", metric, ia[5 * K], ia[5 * K + 1],
              ia[5 * K + 2], da[5 * K], da[5 * K + 3]);
        int i2[2 * 700];
        double d2[2 * 700];
        CHECK(rt_knn_neighbors(&kr, metric, Q, nq, 2, i2, d2, &e) == 0 && i2[10] == 10 && i2[11] == 1030,
              "metric %d: of three equal rows the two lowest indices are kept: %d %d", metric, i2[10], i2[11]);
        pthread_t th;
        helper_stop = 0;
        helper_parts = 0;
        int started = pthread_create(&th, NULL, helper, NULL) == 0;
        for (int rep = 0; rep < 5; rep++) {
            CHECK(rt_knn_neighbors(&kr, metric, Q, nq, K, ib, db, &e) == 0, "helped: %s", e.msg);
            CHECK(memcmp(ia, ib, (size_t)nq * K * sizeof *ia) == 0 && memcmp(da, db, (size_t)nq * K * sizeof *da) == 0,
                  "metric %d: lists differ when a worker helps", metric);
        }
        helper_stop = 1;
        if (started) pthread_join(th, NULL);
    }
    pthread_t th;
    helper_stop = 0;
    helper_parts = 0;
    int started = pthread_create(&th, NULL, helper, NULL) == 0;
    int rc = rt_parts_run(slow_part, NULL, 40);
    helper_stop = 1;
    if (started) pthread_join(th, NULL);
    int once = 1;
    for (int i = 0; i < 40; i++) once &= part_seen[i] == 1;
    CHECK(once, "every part must run exactly once");
    CHECK(rc == -1, "a failing part must fail the run (%d)", rc);
    CHECK(helper_parts > 0, "an idle helper took no part of 40 slow ones");
    free(X); free(Q); free(ia); free(ib); free(da); free(db);
}
/* GaussianNB(var_smoothing=vs).fit(X[i%3 != 0], y[i%3 != 0]); on ALL rows:
 * pred = predict(X) as digits; lcs[c] = sum_i predict_log_proba(X)[i,c]*(1+i%5);
 * pcs[c] = same with predict_proba; row0 = predict_log_proba(X)[row r] */
typedef struct { const char *data; double vs; int row; const char *pred; double lcs[3], pcs[3], lrow[3]; } gnb_ref;
static const gnb_ref GNB[] = {
    { "iris.csv", 1.0000000000000001e-09, 70, "000000000000000000000000000000000000000000000000001111111111111111111121111112111111111111111111111122222212222222222221222222222222212222222222222222", { -82071.146801953932, -7759.6931869921664, -9235.0612036311413 }, { 149.99999999997667, 155.94502959852406, 144.05497040149928 }, { -258.35606698418951, -1.6959859553541272, -0.20262830739480009 } },
    { "wine.csv", 1.0000000000000001e-09, 60, "0000000000000000000000000100000000000000000100000000000000011111111111111111111111121111111111111111111111111111111111111111111111222222222222222222222222222222222222222222222222", { -11656.221953372562, -6238.7421488356804, -20010.57885364263 }, { 171.6627285069122, 213.38926352184239, 145.94800797124554 }, { -39.160461970006587, -6.4000584114154435e-05, -9.6566503479732475 } },
    { "breast_cancer.csv", 1.0000000000000001e-09, 13, "00000000000001000001110000000000000001011100101011111011001111010011110101101001110010101011110011111111101101110111100010011110001001011101101111011111111100111001011001110111101100011101110110010000100011101101000111001110111110011011001011110111110100010000000100111111010110110100111111011111111101011111111111111011101011110001111010101110111111100011111111111001000100111110111111111011001111110111111101111111101110111111110100101111101101011010111111110011101101111111111011111110101001111100101011111011011100111011111111111010111111111111111111111111110000001", { -28704.874186064768, -76153.882484189671, 0 }, { 597.40785148874716, 1107.5921485112531, 0 }, { -1.4996848342963971, -0.25257299821172152, 0 } },
    { "wine.csv", 0.001, 60, "0000200000000000000002000000000000000002000200000000000000012121121121011001111112111111111111101121211111111221211111112111111111212212211222110012221112221022122221222211222002", { -1579.8025052714931, -1451.9337328695801, -2191.462926460546 }, { 178.59583960408693, 213.55104634723099, 138.85311404868204 }, { -2.6298052634335249, -1.0154105243024887, -0.56977302267281971 } },
    { "iris.csv", 0.5, 70, "000000000000000000000000000000000000000000000000001121111111111111111111111112111111111111111111111122222212222221222221212122112222222222122222222222", { -1643.7018232372518, -709.48831971430661, -1201.636185811682 }, { 152.27605177811313, 155.442664546169, 142.2812836757179 }, { -4.9157409329752531, -0.63103785842589222, -0.77515933087550781 } },
};
/* GaussianNB().fit(iris rows i%3 != 0 and class != 1) on all rows: classes_ = [0, 2] */
static const gnb_ref GNB_MISSING = { "iris.csv", 1e-9, 0, "000000000000000000000000000000000000000000000000002222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222222", { 0, 0, 0 }, { 150, 0, 300 }, { 0, 0, 0 } };
/* GaussianNB().fit(iris + constant column 0.1, rows i%3 != 0); queries have 0.35 in that column on rows i%7 == 0: pcs */
static const double GNB_CONST_PCS[3] = { 149.99999999997667, 155.94502960223656, 144.0549703943129 };
static const char GNB_CONST_PRED[] = "000000000000000000000000000000000000000000000000001111111111111111111121111112111111111111111111111122222212222222222221222222222222212222222222222222";
/* Categorical NB on a 0/1 matrix (every column has both values): */
static const double CB_X[14*6] = { 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 0 };
static const int CB_Y[14] = { 0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 0, 1, 2, 2 };
static const double CB_Q[5*6] = { 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 1, 1, 1, 1 };
/* CategoricalNB(alpha=1).fit(CB_X, CB_Y).predict_log_proba(CB_Q); max |diff| to BernoulliNB(alpha, binarize=None): 8.88e-16; predict = [1, 1, 2, 2, 2] */
static const double CB_L1_0[5*3] = { -2.7287997486634872, -0.3530627874424761, -1.4602884231999793, -2.2029750441283911, -0.40260222781094246, -1.5098278635684457, -1.5290606723590781, -1.0504436960239483, -0.83591349179913355, -1.6410811203596629, -2.1432933970362584, -0.37256979489615505, -0.80112710208302307, -2.6250952187419383, -0.7365885809454511 };
/* CategoricalNB(alpha=0.5).fit(CB_X, CB_Y).predict_log_proba(CB_Q); max |diff| to BernoulliNB(alpha, binarize=None): 2.22e-15; predict = [1, 1, 2, 2, 2] */
static const double CB_L0_5[5*3] = { -3.168895361533707, -0.26704161468856746, -1.6486530279040768, -2.5355254056144494, -0.30661613201173665, -1.6882275452272459, -1.6469800894283138, -1.0275087282597006, -0.79968222904110853, -1.8151654317523205, -2.3794641675921238, -0.29492309812268935, -0.7896569407242664, -2.963393588998172, -0.70449913238395911 };
/* Column 2 set to 0 in CB_X: CategoricalNB(alpha=1, min_categories=2).predict_log_proba(CB_Q); max |diff| to BernoulliNB: 8.88e-16 */
static const double CB_LZ[5*3] = { -1.9824719878570538, -0.48220376398994302, -1.4071078429534922, -1.5088717458827183, -0.58396766691916913, -1.5088717458827183, -0.9829895550522556, -1.3798413160710252, -0.9829895550522556, -1.1085429542955718, -2.4862239683260676, -0.53317880939200935, -1.1572704283450248, -2.0649478131297858, -0.58190628344146322 };

/* ---- naive Bayes ---- */

/* Defined in fam_nb.c for tests only: predict_log_proba. */
int rt_nb_log_proba(const rt_model *m, const double *X, int n, double *logp, ut_err *e);

static rt_model *fit_nb(const char *type, double vs, double alpha, const double *X, int n,
                        int p, const int *yc, int K, ut_err *e)
{
    rt_pval pv[3] = { { vs, NULL }, { 0, type }, { alpha, NULL } };
    return fit(RT_FAM_NB, pv, X, n, p, NULL, yc, K, e);
}

/* Fit on the selected rows, predict every row of d. */
static void run_gnb(const gnb_ref *r, const data_t *d, int K, rowsel keep, int logs)
{
    data_t tr;
    ut_err e;
    char what[128];
    snprintf(what, sizeof what, "gaussian nb %s vs=%g", r->data, r->vs);
    subset(d, keep, &tr);
    rt_model *m = fit_nb("gaussian", r->vs, 1, tr.X, tr.n, tr.p, tr.yc, K, &e);
    CHECK(m, "%s: fit: %s", what, e.msg);
    double *pred = malloc((size_t)d->n * sizeof *pred);
    double *proba = malloc((size_t)d->n * K * sizeof *proba);
    if (m && rt_predict(m, d->X, d->n, d->p, pred, proba, &e) == 0) {
        check_pred_string(what, pred, d->n, r->pred);
        for (int c = 0; c < K; c++)
            check_close(what, c, checksum(proba, d->n, K, c), r->pcs[c], 0, 1e-9);
        if (logs && rt_nb_log_proba(m, d->X, d->n, proba, &e) == 0) {
            for (int c = 0; c < K; c++)
                check_close("log proba checksum", c, checksum(proba, d->n, K, c), r->lcs[c], 1e-9, 0);
            for (int c = 0; c < K; c++)
                check_close("log proba row", c, proba[(size_t)r->row * K + c], r->lrow[c], 1e-9, 1e-12);
        }
    } else {
        CHECK(0, "%s: predict: %s", what, e.msg);
    }
    free(pred);
    free(proba);
    rt_model_free(m);
    data_free(&tr);
}

static void test_gaussian_nb(void)
{
    data_t d;
    for (size_t i = 0; i < sizeof GNB / sizeof GNB[0]; i++) {
        if (load(GNB[i].data, &d))
            return;
        int K = strcmp(GNB[i].data, "breast_cancer.csv") == 0 ? 2 : 3;
        run_gnb(&GNB[i], &d, K, sel_train, 1);
        data_free(&d);
    }
    if (load("iris.csv", &d))
        return;
    /* Training fold without class 1: never predicted, probability 0. */
    run_gnb(&GNB_MISSING, &d, 3, sel_train_no1, 0);

    /* A constant column (0.1; queries 0.35 on rows i%7 == 0) is left out:
     * our probabilities equal those without it exactly.  sklearn keeps it
     * and its (0.25)²/epsilon ≈ 2e7 term adds rounding noise (GNB_CONST_PCS
     * differs from GNB[0].pcs by 4e-9), hence 1e-7 against it. */
    ut_err e;
    data_t tr, dc;
    dc.n = d.n;
    dc.p = d.p + 1;
    dc.X = malloc((size_t)dc.n * dc.p * sizeof *dc.X);
    dc.y = malloc((size_t)dc.n * sizeof *dc.y);
    dc.yc = malloc((size_t)dc.n * sizeof *dc.yc);
    for (int i = 0; i < d.n; i++) {
        memcpy(dc.X + (size_t)i * dc.p, d.X + (size_t)i * d.p, (size_t)d.p * sizeof *dc.X);
        dc.X[(size_t)i * dc.p + d.p] = 0.1;
        dc.y[i] = d.y[i];
        dc.yc[i] = d.yc[i];
    }
    subset(&dc, sel_train, &tr);
    for (int i = 0; i < d.n; i += 7)
        dc.X[(size_t)i * dc.p + d.p] = 0.35;
    rt_model *m = fit_nb("gaussian", 1e-9, 1, tr.X, tr.n, tr.p, tr.yc, 3, &e);
    CHECK(m, "constant column fit: %s", e.msg);
    double *pred = malloc((size_t)d.n * sizeof *pred);
    double *proba = malloc((size_t)d.n * 3 * sizeof *proba);
    if (m) {
        rt_predict(m, dc.X, dc.n, dc.p, pred, proba, &e);
        check_pred_string("constant column", pred, d.n, GNB_CONST_PRED);
        for (int c = 0; c < 3; c++) {
            check_close("constant column vs sklearn", c, checksum(proba, d.n, 3, c), GNB_CONST_PCS[c], 0, 1e-7);
            check_close("constant column vs without", c, checksum(proba, d.n, 3, c), GNB[0].pcs[c], 0, 1e-9);
        }
        rt_model_free(m);
    }
    data_free(&tr);

    /* One class in training: probability 1 for it. */
    int *one = calloc((size_t)d.n, sizeof *one);
    for (int i = 0; i < d.n; i++)
        one[i] = 1;
    m = fit_nb("gaussian", 1e-9, 1, d.X, 20, d.p, one, 3, &e);
    CHECK(m, "one-class fit: %s", e.msg);
    if (m) {
        rt_predict(m, d.X, d.n, d.p, pred, proba, &e);
        int ok = 1;
        for (int i = 0; i < d.n; i++)
            ok &= pred[i] == 1 && proba[i * 3 + 1] == 1 && proba[i * 3] == 0 && proba[i * 3 + 2] == 0;
        CHECK(ok, "one class: every row must get class 1 with probability 1");
        rt_model_free(m);
    }

    /* var_smoothing = 0 with a feature constant inside a class (but not
     * overall): sklearn divides by zero; we must stay finite. */
    static const double XZ[8] = { 0, 1, 0, 2, 1, 5, 3, 7 };
    static const int YZ[4] = { 0, 0, 1, 1 };
    static const double QZ[6] = { 0, 1.5, 2, 6, 0.5, 100 };
    double pz[3], prz[6];
    m = fit_nb("gaussian", 0, 1, XZ, 4, 2, YZ, 2, &e);
    CHECK(m, "var_smoothing 0 fit: %s", e.msg);
    if (m) {
        CHECK(rt_predict(m, QZ, 3, 2, pz, prz, &e) == 0, "var_smoothing 0 predict");
        int ok = 1;
        for (int i = 0; i < 6; i++)
            ok &= isfinite(prz[i]) && prz[i] >= 0 && prz[i] <= 1;
        CHECK(ok && pz[0] == 0 && pz[1] == 1, "var_smoothing 0: pred %g %g proba %g %g",
              pz[0], pz[1], prz[0], prz[1]);
        rt_model_free(m);
    }
    free(one);
    free(pred);
    free(proba);
    data_free(&dc);
    data_free(&d);
}

static void check_cat(const char *what, rt_model *m, const double *want, const double *wpred)
{
    ut_err e;
    double lp[15], pr[15], pred[5];
    CHECK(rt_nb_log_proba(m, CB_Q, 5, lp, &e) == 0, "%s: log proba: %s", what, e.msg);
    for (int i = 0; i < 15; i++)
        check_close(what, i, lp[i], want[i], 1e-12, 1e-13);
    CHECK(rt_predict(m, CB_Q, 5, 6, pred, pr, &e) == 0, "%s: predict", what);
    for (int i = 0; i < 15; i++)
        check_close(what, 100 + i, pr[i], exp(want[i]), 1e-12, 1e-13);
    if (wpred)
        for (int i = 0; i < 5; i++)
            CHECK(pred[i] == wpred[i], "%s: row %d predicted %g want %g", what, i, pred[i], wpred[i]);
}

static void test_categorical_nb(void)
{
    static const double want_pred[5] = { 1, 1, 2, 2, 2 };
    ut_err e;
    rt_model *m = fit_nb("categorical", 1e-9, 1.0, CB_X, 14, 6, CB_Y, 3, &e);
    CHECK(m, "categorical fit: %s", e.msg);
    if (m) {
        check_cat("categorical alpha=1", m, CB_L1_0, want_pred);
        rt_model_free(m);
    }
    m = fit_nb("categorical", 1e-9, 0.5, CB_X, 14, 6, CB_Y, 3, &e);
    if (m) {
        check_cat("categorical alpha=0.5", m, CB_L0_5, want_pred);
        rt_model_free(m);
    }
    /* A column that is all 0 in training (a one-hot level the fold lacks):
     * two categories kept, = CategoricalNB(min_categories=2) = BernoulliNB. */
    double XZ[14 * 6];
    memcpy(XZ, CB_X, sizeof XZ);
    for (int i = 0; i < 14; i++)
        XZ[i * 6 + 2] = 0;
    m = fit_nb("categorical", 1e-9, 1.0, XZ, 14, 6, CB_Y, 3, &e);
    if (m) {
        check_cat("categorical zero column", m, CB_LZ, NULL);
        rt_model_free(m);
    }
    /* alpha = 0 is raised to 1e-10 (sklearn 1.2): finite, no NaN. */
    m = fit_nb("categorical", 1e-9, 0.0, CB_X, 14, 6, CB_Y, 3, &e);
    if (m) {
        double pred[5], pr[15];
        rt_predict(m, CB_Q, 5, 6, pred, pr, &e);
        int ok = 1;
        for (int i = 0; i < 15; i++)
            ok &= isfinite(pr[i]);
        CHECK(ok, "categorical alpha=0: non-finite probabilities");
        rt_model_free(m);
    }
    /* A missing class: probability 0 for it. */
    static const int Y02[14] = { 0, 2, 2, 0, 2, 2, 0, 0, 2, 0, 0, 2, 2, 2 };
    m = fit_nb("categorical", 1e-9, 1.0, CB_X, 14, 6, Y02, 3, &e);
    if (m) {
        double pred[5], pr[15];
        rt_predict(m, CB_Q, 5, 6, pred, pr, &e);
        int ok = 1;
        for (int i = 0; i < 5; i++)
            ok &= pr[i * 3 + 1] == 0 && pred[i] != 1 && fabs(pr[i * 3] + pr[i * 3 + 2] - 1) < 1e-15;
        CHECK(ok, "categorical missing class");
        rt_model_free(m);
    }
    /* Non-0/1 input: a clear error naming the (1-based) feature. */
    double XB[14 * 6];
    memcpy(XB, CB_X, sizeof XB);
    XB[4 * 6 + 3] = 0.5;
    m = fit_nb("categorical", 1e-9, 1.0, XB, 14, 6, CB_Y, 3, &e);
    CHECK(!m && e.code == MLG_DATA && strcmp(e.msg, "nb(type = categorical) needs 0/1 (one-hot)"
          " input; feature 4 has value 0.5") == 0, "non-0/1 message: %s", e.msg);
    m = fit_nb("categorical", 1e-9, 1.0, CB_X, 14, 6, CB_Y, 3, &e);
    if (m) {
        double pred[2];
        CHECK(rt_predict(m, XB + 4 * 6, 1, 6, pred, NULL, &e) == -1
              && strstr(e.msg, "feature 4 has value 0.5"), "non-0/1 at predict: %s", e.msg);
        rt_model_free(m);
    }
    m = fit_nb("bernoulli", 1e-9, 1.0, CB_X, 14, 6, CB_Y, 3, &e);
    CHECK(!m && strstr(e.msg, "type"), "unknown type: %s", e.msg);
    double y[14] = { 0 };
    rt_pval pv[3] = { { 1e-9, NULL }, { 0, "gaussian" }, { 1, NULL } };
    CHECK(!fit(RT_FAM_NB, pv, CB_X, 14, 6, y, NULL, 0, &e), "nb regression must fail");
}

/* Sharing rule: configurations differing only in var_smoothing (alpha)
 * fitted as one group (rt_fit_batch: one pass of class statistics) predict
 * the bits each fit alone predicts; a configuration with a bad parameter
 * fails alone. */
static void test_nb_batch(void)
{
    data_t d;
    if (load("wine.csv", &d)) {
        CHECK(0, "load wine.csv");
        return;
    }
    standardize(&d);
    int K = 0;
    for (int i = 0; i < d.n; i++) K = d.yc[i] + 1 > K ? d.yc[i] + 1 : K;
    rt_trainset ts = { d.X, d.n, d.p, NULL, d.yc, K, 0 };
    rt_pval a[3] = { { 1e-9, NULL }, { 0, "gaussian" }, { 1, NULL } }, b[3] = { { 1e-3, NULL }, { 0, "gaussian" }, { 1, NULL } },
            c[3] = { { 0.5, NULL }, { 0, "gaussian" }, { 1, NULL } }, bad[3] = { { -1, NULL }, { 0, "gaussian" }, { 1, NULL } };
    const rt_pval *pv[4] = { a, bad, b, c };
    rt_model *models[4];
    ut_err errs[4], e;
    ut_err_clear(&e);
    CHECK(rt_fit_batch(RT_FAM_NB, pv, 4, &ts, models, errs, &e) == 0, "nb batch: %s", e.msg);
    CHECK(!models[1] && strstr(errs[1].msg, "var_smoothing must be >= 0"), "the bad configuration fails alone: %s",
          errs[1].msg);
    double *p1 = malloc(sizeof(double) * (size_t)d.n * (size_t)K), *p2 = malloc(sizeof(double) * (size_t)d.n * (size_t)K);
    double *y1 = malloc(sizeof(double) * (size_t)d.n), *y2 = malloc(sizeof(double) * (size_t)d.n);
    for (int k = 0; k < 4; k++) {
        if (k == 1) continue;
        rt_model *alone = NULL;
        CHECK(models[k] && rt_fit(RT_FAM_NB, pv[k], &ts, &alone, &e) == 0, "nb config %d", k);
        if (!models[k] || !alone) continue;
        rt_predict(models[k], d.X, d.n, d.p, y1, p1, &e);
        rt_predict(alone, d.X, d.n, d.p, y2, p2, &e);
        CHECK(!memcmp(p1, p2, sizeof(double) * (size_t)d.n * (size_t)K) && !memcmp(y1, y2, sizeof(double) * (size_t)d.n),
              "nb var_smoothing %g: the batch's probabilities are the fit's alone, bit for bit", pv[k][0].num);
        rt_model_free(alone);
    }
    for (int k = 0; k < 4; k++) rt_model_free(models[k]);
    /* categorical: alpha shared the same way */
    rt_trainset cs = { CB_X, 14, 6, NULL, CB_Y, 3, 0 };
    rt_pval ca[3] = { { 1e-9, NULL }, { 0, "categorical" }, { 1, NULL } }, cb[3] = { { 1e-9, NULL }, { 0, "categorical" }, { 0.5, NULL } };
    const rt_pval *cp[2] = { ca, cb };
    CHECK(rt_fit_batch(RT_FAM_NB, cp, 2, &cs, models, errs, &e) == 0, "categorical batch: %s", e.msg);
    for (int k = 0; k < 2; k++) {
        rt_model *alone = NULL;
        CHECK(models[k] && rt_fit(RT_FAM_NB, cp[k], &cs, &alone, &e) == 0, "categorical config %d", k);
        if (!models[k] || !alone) continue;
        rt_predict(models[k], CB_Q, 5, 6, y1, p1, &e);
        rt_predict(alone, CB_Q, 5, 6, y2, p2, &e);
        CHECK(!memcmp(p1, p2, sizeof(double) * 15), "categorical alpha %g: bit for bit", cp[k][2].num);
        rt_model_free(alone);
        rt_model_free(models[k]);
    }
    free(p1), free(p2), free(y1), free(y2);
    data_free(&d);
}

int main(void)
{
    test_nb_batch();
    test_knn_classification();
    test_knn_regression();
    test_knn_duplicates();
    test_knn_root_ties();
    test_knn_k_gt_n();
    test_knn_edges();
    test_knn_prefix_and_blocks();
    test_knn_tiles_and_parts();
    test_gaussian_nb();
    test_categorical_nb();
    if (failures)
        printf("%d failure(s)\n", failures);
    else
        printf("nb/knn: all tests passed\n");
    return failures != 0;
}
