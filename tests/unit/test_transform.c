/* test_transform.c — the preprocessing chain against scikit-learn 1.2.1
 * (/usr/bin/python3, numpy 1.24.2): impute, onehot, standardize, minmax,
 * bin, log1p, poly, pca, select_k, drop, keep; column selectors and their
 * errors; output names; statistics fitted on training rows only; chains.
 * Reference numbers were computed once with the sklearn calls quoted next
 * to them and are embedded as constants.  Tolerances: 1e-12 (relative) for
 * closed-form scalers, 1e-9 for PCA projections (eigen vs SVD). */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "../../runtime/transform.h"
#include "../../runtime/tf_internal.h"
#include "../../include/mileage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"

#ifndef MLG_SOURCE_DIR
#define MLG_SOURCE_DIR "."
#endif

#define CHECK_NEAR(a, b, tol) do { checks++; double a_ = (a), b_ = (b); \
    if (!(fabs(a_ - b_) <= (tol))) { failures++; \
    fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g\n", __FILE__, __LINE__, #a, a_, b_); } } while (0)
/* relative tolerance, absolute near 0 */
#define CHECK_REL(a, b, tol) CHECK_NEAR(a, b, (tol) * (fabs(b) > 1 ? fabs(b) : 1))
#define CHECK_STR(a, b) do { checks++; const char *a_ = (a), *b_ = (b); \
    if (!a_ || strcmp(a_, b_) != 0) { failures++; \
    fprintf(stderr, "%s:%d: %s = \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, a_ ? a_ : "(null)", b_); } } while (0)

#define X(d, i, j) ((d)->x[(size_t)(i) * (d)->p + (j)])
#define N_(a) ((int)(sizeof(a) / sizeof((a)[0])))

static rt_table *load_text(const char *text)
{
    const char *base = getenv("TMPDIR");
    char path[600];
    snprintf(path, sizeof path, "%s/mlg_tf_XXXXXX", base && *base ? base : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) { perror("mkstemp"); exit(2); }
    size_t len = strlen(text);
    if (write(fd, text, len) != (ssize_t)len) { perror("write"); exit(2); }
    close(fd);
    rt_table *t = NULL;
    ut_err e;
    if (rt_read_csv(path, NULL, &t, &e)) { fprintf(stderr, "%s\n", e.msg); exit(2); }
    unlink(path);
    return t;
}

static rt_table *load_data(const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/data/%s.csv", MLG_SOURCE_DIR, name);
    rt_table *t = NULL;
    ut_err e;
    if (rt_read_csv(path, NULL, &t, &e)) { fprintf(stderr, "%s\n", e.msg); exit(2); }
    return t;
}

static int run_t(const rt_table *t, int target, const rt_tf_step *steps, int nsteps,
                 const int *train, int ntrain, rt_design *d, int line)
{
    ut_err e;
    memset(&e, 0, sizeof e);
    checks++;
    if (rt_pipeline_run(t, target, steps, nsteps, train, ntrain, d, &e)) {
        fprintf(stderr, "%s:%d: pipeline failed: %s\n", __FILE__, line, e.msg);
        failures++;
        return -1;
    }
    return 0;
}
#define RUN(t, target, steps, nsteps, train, ntrain, d) \
    run_t(t, target, steps, nsteps, train, ntrain, d, __LINE__)

/* Runs a chain that must fail with exactly `msg`. */
static void expect_err(const rt_table *t, int target, const rt_tf_step *steps, int nsteps,
                       const int *train, int ntrain, const char *msg, int line)
{
    rt_design d;
    ut_err e;
    memset(&e, 0, sizeof e);
    checks++;
    int rc = rt_pipeline_run(t, target, steps, nsteps, train, ntrain, &d, &e);
    if (rc != -1 || strcmp(e.msg, msg) != 0 || d.x || d.names) {
        failures++;
        fprintf(stderr, "%s:%d: rc %d, error \"%s\", expected \"%s\"\n", __FILE__, line, rc, e.msg, msg);
        if (rc == 0) rt_design_free(&d);
    }
}
#define EXPECT_ERR(t, target, steps, nsteps, train, ntrain, msg) \
    expect_err(t, target, steps, nsteps, train, ntrain, msg, __LINE__)

static void check_names(const rt_design *d, const char *const *want, int n, int line)
{
    checks++;
    int ok = d->p == n;
    for (int j = 0; ok && j < n; j++) ok = strcmp(d->names[j], want[j]) == 0;
    if (!ok) {
        failures++;
        fprintf(stderr, "%s:%d: names:", __FILE__, line);
        for (int j = 0; j < d->p; j++) fprintf(stderr, " %s", d->names[j]);
        fputc('\n', stderr);
    }
}
#define CHECK_NAMES(d, ...) do { static const char *const w_[] = { __VA_ARGS__ }; \
    check_names(d, w_, N_(w_), __LINE__); } while (0)

static int col(const rt_design *d, const char *name)
{
    for (int j = 0; j < d->p; j++)
        if (strcmp(d->names[j], name) == 0) return j;
    fprintf(stderr, "no column '%s' in the design\n", name);
    return -1;
}

/* The bin a one-hot bin block "name=bin0".. marks in row r (-1: none). */
static int bin_in_row(const rt_design *d, const char *name, int r)
{
    char nm[256];
    int hit = -1;
    for (int b = 0;; b++) {
        snprintf(nm, sizeof nm, "%s=bin%d", name, b);
        int j = -1;
        for (int k = 0; k < d->p; k++) if (strcmp(d->names[k], nm) == 0) j = k;
        if (j < 0) return hit;
        if (X(d, r, j) == 1) hit = hit < 0 ? b : -2;
        else if (X(d, r, j) != 0) return -3;
    }
}

static int *range_rows(int n, int mod, int *ntrain)
{
    int *tr = malloc(sizeof(int) * (size_t)n), m = 0;
    for (int i = 0; i < n; i++)
        if (mod == 0 || i % mod != 0) tr[m++] = i;
    *ntrain = m;
    return tr;
}

/* ======================================================================
 * Part 1: impute / onehot / standardize on a small mixed table (hand values)
 * age: 1 2 . 4 5 6; color: red blue red green . blue; size: 10 . 30 40 50 60
 * ====================================================================== */
static const char data1[] =
    "age,color,size,k,y\n"
    "1,red,10,3,0\n"
    "2,blue,,3,1\n"
    ",red,30,3,0\n"
    "4,green,40,3,1\n"
    "5,,50,3,0\n"
    "6,blue,60,3,1\n";

static const int train4[] = { 0, 1, 2, 3 };

static void test_names(void)
{
    static const char *const want[] = { "impute", "onehot", "standardize", "minmax", "bin", "log1p",
                                        "poly", "pca", "select_k", "drop", "keep" };
    CHECK(RT_TF__COUNT == N_(want));
    for (int i = 0; i < N_(want) && i < RT_TF__COUNT; i++) CHECK_STR(rt_tf_names[i], want[i]);
}

/* impute(median): numeric medians and the most frequent level, from the
 * training rows only; the safety net then one-hot encodes color. */
static void test_impute_median(const rt_table *t)
{
    rt_tf_step st = { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEDIAN };
    rt_design d;
    if (RUN(t, 4, &st, 1, train4, 4, &d)) return;
    CHECK(d.n == 6);
    CHECK_NAMES(&d, "age", "color=blue", "color=green", "color=red", "size", "k");
    CHECK(X(&d, 2, 0) == 2);                  /* median(1,2,4) */
    CHECK(X(&d, 1, 4) == 30);                 /* median(10,30,40); 50, 60 unused */
    CHECK(X(&d, 4, 3) == 1 && X(&d, 4, 1) == 0 && X(&d, 4, 2) == 0);   /* red, 2 of 4 */
    CHECK(X(&d, 3, 2) == 1 && X(&d, 5, 1) == 1 && X(&d, 0, 3) == 1);
    CHECK(X(&d, 5, 0) == 6 && X(&d, 5, 4) == 60 && X(&d, 0, 5) == 3);
    rt_design_free(&d);

    rt_tf_step mf = { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MOST_FREQUENT };
    if (RUN(t, 4, &mf, 1, train4, 4, &d)) return;
    CHECK(X(&d, 2, 0) == 1);                  /* all tie: smallest */
    CHECK(X(&d, 1, 4) == 10);
    rt_design_free(&d);

    rt_tf_step mean = { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEAN };
    if (RUN(t, 4, &mean, 1, train4, 4, &d)) return;
    CHECK_NEAR(X(&d, 2, 0), 7.0 / 3, 1e-15);
    CHECK_NEAR(X(&d, 1, 4), 80.0 / 3, 1e-13);
    rt_design_free(&d);

    /* impute ON numeric leaves the categorical gap: onehot gives zeros */
    rt_tf_step num = { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEDIAN, .selector = RT_SEL_NUMERIC };
    if (RUN(t, 4, &num, 1, train4, 4, &d)) return;
    CHECK(X(&d, 2, 0) == 2);
    CHECK(X(&d, 4, 1) == 0 && X(&d, 4, 2) == 0 && X(&d, 4, 3) == 0);
    rt_design_free(&d);
    /* impute ON categorical leaves the numeric gap to the safety net (mean) */
    rt_tf_step cat = { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEDIAN, .selector = RT_SEL_CATEGORICAL };
    if (RUN(t, 4, &cat, 1, train4, 4, &d)) return;
    CHECK_NEAR(X(&d, 2, 0), 7.0 / 3, 1e-15);
    CHECK(X(&d, 4, 3) == 1);
    rt_design_free(&d);
}

/* impute(constant): numeric constant, categorical level "missing", which
 * gets a column only when it occurs in the training rows. */
static void test_impute_constant(const rt_table *t)
{
    rt_tf_step st[2] = { { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_CONSTANT, .constant = 7 },
                         { .kind = RT_TF_ONEHOT } };
    rt_design d;
    if (RUN(t, 4, st, 2, train4, 4, &d)) return;
    CHECK_NAMES(&d, "age", "color=blue", "color=green", "color=red", "size", "k");
    CHECK(X(&d, 2, 0) == 7 && X(&d, 1, 4) == 7);
    CHECK(X(&d, 4, 1) == 0 && X(&d, 4, 2) == 0 && X(&d, 4, 3) == 0);   /* unseen "missing" */
    rt_design_free(&d);
    static const int train5[] = { 0, 1, 2, 3, 4 };
    if (RUN(t, 4, st, 2, train5, 5, &d)) return;
    CHECK_NAMES(&d, "age", "color=blue", "color=green", "color=missing", "color=red", "size", "k");
    CHECK(X(&d, 4, 3) == 1 && X(&d, 0, 3) == 0 && X(&d, 0, 4) == 1);
    rt_design_free(&d);
}

/* onehot: categories from the training rows; unknown and missing → zeros. */
static void test_onehot_unknown(const rt_table *t)
{
    static const int train3[] = { 0, 1, 2 };
    rt_tf_step st = { .kind = RT_TF_ONEHOT };
    rt_design d;
    if (RUN(t, 4, &st, 1, train3, 3, &d)) return;
    CHECK_NAMES(&d, "age", "color=blue", "color=red", "size", "k");
    CHECK(X(&d, 3, 1) == 0 && X(&d, 3, 2) == 0);   /* green: not seen in training */
    CHECK(X(&d, 4, 1) == 0 && X(&d, 4, 2) == 0);   /* missing */
    CHECK(X(&d, 5, 1) == 1 && X(&d, 5, 2) == 0);
    /* safety net: NaNs get the training mean */
    CHECK_NEAR(X(&d, 2, 0), 1.5, 0);               /* mean(1,2) */
    CHECK_NEAR(X(&d, 1, 3), 20, 0);                /* mean(10,30) */
    rt_design_free(&d);
}

/* onehot(max_levels 1) then standardize, population std on training rows. */
static void test_maxlevels_standardize(const rt_table *t)
{
    rt_tf_step st[2] = { { .kind = RT_TF_ONEHOT, .max_levels = 1 }, { .kind = RT_TF_STANDARDIZE } };
    rt_design d;
    if (RUN(t, 4, st, 2, train4, 4, &d)) return;
    CHECK_NAMES(&d, "age", "color=red", "color=__other__", "size", "k");
    double am = 7.0 / 3, as = sqrt(14.0) / 3;             /* age over 1, 2, 4 */
    CHECK_NEAR(X(&d, 0, 0), (1 - am) / as, 1e-12);
    CHECK_NEAR(X(&d, 0, 0), -4 / sqrt(14.0), 1e-12);
    CHECK_NEAR(X(&d, 5, 0), (6 - am) / as, 1e-12);
    CHECK_NEAR(X(&d, 2, 0), 0, 1e-15);                    /* NaN → training mean 0 */
    /* red: 1 0 1 0 on training → mean .5, std .5 */
    CHECK_NEAR(X(&d, 0, 1), 1, 1e-15);
    CHECK_NEAR(X(&d, 1, 1), -1, 1e-15);
    CHECK_NEAR(X(&d, 4, 1), -1, 1e-15);                    /* missing: zeros → -1 */
    /* other (blue, green): 0 1 0 1 */
    CHECK_NEAR(X(&d, 3, 2), 1, 1e-15);
    CHECK_NEAR(X(&d, 5, 2), 1, 1e-15);
    CHECK_NEAR(X(&d, 4, 2), -1, 1e-15);
    double sm = 80.0 / 3, ss = sqrt(((10 - sm) * (10 - sm) + (30 - sm) * (30 - sm) +
                                     (40 - sm) * (40 - sm)) / 3);
    CHECK_NEAR(X(&d, 5, 3), (60 - sm) / ss, 1e-12);
    CHECK_NEAR(X(&d, 5, 3), 2.6726124191242437, 1e-12);
    CHECK_NEAR(X(&d, 1, 3), 0, 1e-15);
    /* constant column: scale 1, so all zeros */
    for (int i = 0; i < 6; i++) CHECK(X(&d, i, 4) == 0);
    rt_design_free(&d);
}

static void test_errors(const rt_table *t)
{
    rt_design d;
    ut_err e;
    memset(&e, 0, sizeof e);
    rt_tf_step st = { .kind = RT_TF_STANDARDIZE };
    CHECK(rt_pipeline_run(t, 4, &st, 1, train4, 0, &d, &e) == -1 && d.x == NULL);
    CHECK_STR(e.msg, "no training rows");
    static const int bad[] = { 0, 6 };
    CHECK(rt_pipeline_run(t, 4, &st, 1, bad, 2, &d, &e) == -1);
    CHECK_STR(e.msg, "training row 6 out of range");
    rt_tf_step odd = { .kind = (rt_tf_kind)99 };
    EXPECT_ERR(t, 4, &odd, 1, train4, 4, "unknown transformation 99");
    rt_tf_step imp = { .kind = RT_TF_IMPUTE, .strategy = (rt_impute_strategy)9 };
    EXPECT_ERR(t, 4, &imp, 1, train4, 4, "impute: bad strategy 9");
    rt_design_free(NULL);
    /* no steps at all, no target: every column is a feature */
    ut_err e2;
    CHECK(rt_pipeline_run(t, -1, NULL, 0, train4, 4, &d, &e2) == 0);
    CHECK(d.p == 7);
    rt_design_free(&d);
}

/* credit-g, the DESIGN.md chain on all rows: one column per level, and the
 * standardized columns have mean 0 and population std 1. */
static void test_credit(void)
{
    rt_table *t = load_data("credit-g");
    int target = rt_table_find(t, "class"), expect_p = 0;
    for (int j = 0; j < t->ncols; j++)
        if (j != target) expect_p += t->cols[j].type == RT_NUMERIC ? 1 : t->cols[j].nlevels;
    int ntrain, *train = range_rows(t->nrows, 0, &ntrain);
    rt_tf_step st[3] = { { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEDIAN },
                         { .kind = RT_TF_ONEHOT }, { .kind = RT_TF_STANDARDIZE } };
    rt_design d;
    if (RUN(t, target, st, 3, train, ntrain, &d) == 0) {
        CHECK(d.n == 1000 && d.p == expect_p);
        CHECK_STR(d.names[0], "checking_status=0<=X<200");
        CHECK(col(&d, "duration") > 0);
        for (int j = 0; j < d.p; j++) {
            double s = 0, ss = 0;
            for (int i = 0; i < d.n; i++) s += X(&d, i, j);
            for (int i = 0; i < d.n; i++) ss += (X(&d, i, j) - s / d.n) * (X(&d, i, j) - s / d.n);
            CHECK_NEAR(s / d.n, 0, 1e-12);
            CHECK_NEAR(sqrt(ss / d.n), 1, 1e-9);
        }
        rt_design_free(&d);
    }
    /* standardize ON (age, duration): only those two change */
    char *names[] = { "AGE", "duration" };
    rt_tf_step two = { .kind = RT_TF_STANDARDIZE, .selector = RT_SEL_NAMED, .columns = names, .ncolumns = 2 };
    if (RUN(t, target, &two, 1, train, ntrain, &d) == 0) {
        int a = col(&d, "age"), du = col(&d, "duration"), cr = col(&d, "credit_amount");
        CHECK(a >= 0 && du >= 0 && cr >= 0);
        if (a >= 0 && du >= 0 && cr >= 0) {
            double s = 0;
            for (int i = 0; i < d.n; i++) s += X(&d, i, a) + X(&d, i, du);
            CHECK_NEAR(s, 0, 1e-9);
            CHECK(X(&d, 0, cr) == t->cols[rt_table_find(t, "credit_amount")].num[0]);
        }
        rt_design_free(&d);
    }
    free(train);
    rt_table_free(t);
}

/* ======================================================================
 * Part 2: the tiny table: rows 0..7 train, 8..9 test (outside the range)
 * ====================================================================== */
static const char tiny_csv[] =
    "a,b,c,cat,q,y\n"
    "1.5,10,-3,red,1,0\n"
    "2.0,12,0.5,blue,1,1\n"
    "3.5,,2,red,2,0\n"
    "4.0,20,-1,green,2,1\n"
    "5.5,18,4,,2,0\n"
    "6.0,25,8,blue,3,1\n"
    "7.5,30,-6,red,3,0\n"
    "8.0,22,1,green,3,1\n"
    "100,-50,50,purple,9,0\n"
    "-20,5,,red,0,1\n";
/* the same training rows, other test rows (fit-on-train-only checks) */
static const char tiny2_csv[] =
    "a,b,c,cat,q,y\n"
    "1.5,10,-3,red,1,0\n"
    "2.0,12,0.5,blue,1,1\n"
    "3.5,,2,red,2,0\n"
    "4.0,20,-1,green,2,1\n"
    "5.5,18,4,,2,0\n"
    "6.0,25,8,blue,3,1\n"
    "7.5,30,-6,red,3,0\n"
    "8.0,22,1,green,3,1\n"
    "1e6,,-1e6,yellow,-4,1\n"
    ",-3e5,7e5,blue,1000,1\n";
#define TINY_Y 5
static const int tr8[] = { 0, 1, 2, 3, 4, 5, 6, 7 };

static char *ACQ[] = { "a", "c", "q" };
#define NAMED_ACQ .selector = RT_SEL_NAMED, .columns = ACQ, .ncolumns = 3

/* MinMaxScaler().fit(A[:8]).transform(A)[[0,2,8,9]], columns a b c q */
static const double ref_minmax[4][4] = {
    {0.0, 0.0, 0.21428571428571427, 0.0},
    {0.30769230769230776, NAN, 0.5714285714285714, 0.5},
    {15.153846153846155, -3.0, 3.9999999999999996, 4.0},
    {-3.307692307692308, -0.25, NAN, -0.5} };
/* StandardScaler().fit(A[:8]).transform(A)[[0,8,9]] */
static const double ref_std[3][4] = {
    {-1.4444444444444444, -1.4726163905839245, -0.9237940463430353, -1.4411533842457842},
    {42.333333333333336, -10.703943018124942, 12.353788179061947, 8.807048459279793},
    {-11.0, -2.241893609545676, NAN, -2.7221786146864813} };

static void test_scalers(const rt_table *t)
{
    static const int rows_mm[] = { 0, 2, 8, 9 }, rows_sd[] = { 0, 8, 9 };
    static const char *const names[] = { "a", "b", "c", "q" };
    rt_design d;
    rt_tf_step mm = { .kind = RT_TF_MINMAX };
    if (RUN(t, TINY_Y, &mm, 1, tr8, 8, &d) == 0) {
        CHECK_NAMES(&d, "a", "b", "c", "cat=blue", "cat=green", "cat=red", "q");
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++) {
                double want = ref_minmax[i][j];
                /* NaN stays NaN, then the safety net puts the training mean */
                if (isnan(want)) want = j == 1 ? (137.0 / 7 - 10) / 20 : (5.5 / 8 + 6) / 14;
                CHECK_REL(X(&d, rows_mm[i], col(&d, names[j])), want, 1e-15);
            }
        rt_design_free(&d);
    }
    rt_tf_step sd = { .kind = RT_TF_STANDARDIZE };
    if (RUN(t, TINY_Y, &sd, 1, tr8, 8, &d) == 0) {
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++)
                CHECK_REL(X(&d, rows_sd[i], col(&d, names[j])), isnan(ref_std[i][j]) ? 0 : ref_std[i][j], 1e-13);
        rt_design_free(&d);
    }
    /* log1p ON (c): sign(x) log(1 + |x|), others untouched, NaN kept for the net */
    char *c_only[] = { "c" };
    rt_tf_step lg = { .kind = RT_TF_LOG1P, .selector = RT_SEL_NAMED, .columns = c_only, .ncolumns = 1 };
    if (RUN(t, TINY_Y, &lg, 1, tr8, 8, &d) == 0) {
        int c = col(&d, "c");
        CHECK_NEAR(X(&d, 0, c), -log(4.0), 1e-15);
        CHECK_NEAR(X(&d, 1, c), log1p(0.5), 1e-15);
        CHECK_NEAR(X(&d, 8, c), log(51.0), 1e-14);
        double m = 0;
        static const double cv[] = { -3, 0.5, 2, -1, 4, 8, -6, 1 };
        for (int i = 0; i < 8; i++) m += copysign(log1p(fabs(cv[i])), cv[i]);
        CHECK_NEAR(X(&d, 9, c), m / 8, 1e-14);
        CHECK(X(&d, 0, col(&d, "a")) == 1.5);
        rt_design_free(&d);
    }
    /* near-constant column: 0.1 seven times has a rounding variance > 0;
     * sklearn's _is_constant_feature keeps scale 1, so it becomes 0 */
    rt_table *z = load_text("z,w,y\n0.1,1,0\n0.1,2,1\n0.1,3,0\n0.1,4,1\n0.1,5,0\n0.1,6,1\n0.1,7,0\n0.1,8,1\n");
    static const int tr7[] = { 0, 1, 2, 3, 4, 5, 6 };
    rt_tf_step st2[2] = { { .kind = RT_TF_STANDARDIZE }, { .kind = RT_TF_MINMAX } };
    for (int s = 0; s < 2; s++) {
        if (RUN(z, 2, &st2[s], 1, tr7, 7, &d)) continue;
        for (int i = 0; i < 8; i++) CHECK(fabs(X(&d, i, 0)) < 1e-15);
        rt_design_free(&d);
    }
    rt_table_free(z);
}

/* KBinsDiscretizer(n_bins=k, strategy, encode='onehot-dense').fit(A[:8][:, [a, c, q]])
 * .transform(A[:9][:, [a, c, q]]) — rows below list the ones of each row,
 * a's bins then c's then q's.  Quantile edges (4 bins): a [1.5 3.125 4.75 6.375 8],
 * c [-6 -1.5 .75 2.5 8], q [1 1.75 2 3 (3 removed)] → q has 3 bins. */
static const char *const ref_bins_u3[9] = {   /* uniform, 3 bins each */
    "100100100", "100010100", "100010010", "010010010", "010001010",
    "001001001", "001100001", "001010001", "001001001" };
static const char *const ref_bins_q4[9] = {   /* quantile: 4 + 4 + 3 */
    "10001000100", "10000100100", "01000010001", "01000100001", "00100001001",
    "00100001001", "00011000001", "00010010001", "00010001001" };
static const char *const ref_bins_q3[9] = {
    "100100100", "100010100", "100001010", "010100010", "010001010",
    "001001001", "001100001", "001010001", "001001001" };

static void check_bins(const rt_design *d, const char *const *ref, const int *nb, int line)
{
    static const char *const src[] = { "a", "c", "q" };
    for (int r = 0; r < 9; r++) {
        int o = 0;
        for (int s = 0; s < 3; s++) {
            int b = bin_in_row(d, src[s], r), want = -1;
            for (int k = 0; k < nb[s]; k++) if (ref[r][o + k] == '1') want = k;
            o += nb[s];
            checks++;
            if (b != want) {
                failures++;
                fprintf(stderr, "%s:%d: row %d %s: bin %d, expected %d\n", __FILE__, line, r, src[s], b, want);
            }
        }
    }
}

static void test_bin(const rt_table *t)
{
    rt_design d;
    rt_tf_step u3 = { .kind = RT_TF_BIN, .k = 3, .bin_strategy = RT_BIN_UNIFORM, NAMED_ACQ };
    if (RUN(t, TINY_Y, &u3, 1, tr8, 8, &d) == 0) {
        CHECK_NAMES(&d, "a=bin0", "a=bin1", "a=bin2", "b", "c=bin0", "c=bin1", "c=bin2",
                    "cat=blue", "cat=green", "cat=red", "q=bin0", "q=bin1", "q=bin2");
        check_bins(&d, ref_bins_u3, (const int[]){ 3, 3, 3 }, __LINE__);
        /* beyond the training range: end bins; missing: no bin */
        CHECK(bin_in_row(&d, "a", 9) == 0 && bin_in_row(&d, "q", 9) == 0);
        CHECK(bin_in_row(&d, "c", 9) == -1);
        rt_design_free(&d);
    }
    rt_tf_step q4 = { .kind = RT_TF_BIN, .k = 4, .bin_strategy = RT_BIN_QUANTILE, NAMED_ACQ };
    if (RUN(t, TINY_Y, &q4, 1, tr8, 8, &d) == 0) {
        CHECK(col(&d, "q=bin2") >= 0);
        CHECK(d.p == 4 + 1 + 4 + 3 + 3);                 /* q: duplicate edge removed */
        check_bins(&d, ref_bins_q4, (const int[]){ 4, 4, 3 }, __LINE__);
        rt_design_free(&d);
    }
    rt_tf_step q3 = { .kind = RT_TF_BIN, .k = 3, .bin_strategy = RT_BIN_QUANTILE, NAMED_ACQ };
    if (RUN(t, TINY_Y, &q3, 1, tr8, 8, &d) == 0) {
        check_bins(&d, ref_bins_q3, (const int[]){ 3, 3, 3 }, __LINE__);
        rt_design_free(&d);
    }
    /* default k = 5 (sklearn's n_bins); more quantile bins than distinct
     * values collapse: KBinsDiscretizer(5, strategy='quantile') on q's
     * training values gives edges [1 1.4 2 2.2 3], 4 bins */
    rt_tf_step q0 = { .kind = RT_TF_BIN, .bin_strategy = RT_BIN_QUANTILE };
    if (RUN(t, TINY_Y, &q0, 1, tr8, 8, &d) == 0) {
        CHECK(col(&d, "a=bin4") >= 0 && col(&d, "q=bin3") >= 0);
        for (int j = 0; j < d.p; j++) CHECK(strcmp(d.names[j], "q=bin4") != 0);
        CHECK(bin_in_row(&d, "q", 0) == 0 && bin_in_row(&d, "q", 2) == 2 && bin_in_row(&d, "q", 5) == 3);
        rt_design_free(&d);
    }
    rt_table *k = load_text("k,v,y\n3,1,0\n3,2,1\n3,3,0\n3,,1\n");
    static const int tr3[] = { 0, 1, 2 };
    rt_tf_step b50 = { .kind = RT_TF_BIN, .k = 50, .bin_strategy = RT_BIN_QUANTILE };
    if (RUN(k, 2, &b50, 1, tr3, 3, &d) == 0) {
        /* k: constant → [-inf, inf]; v: 51 percentiles of {1,2,3}, steps of .04 → 50 bins */
        CHECK_STR(d.names[0], "k=bin0");
        CHECK(d.p == 1 + 50);
        for (int i = 0; i < 4; i++) CHECK(X(&d, i, 0) == 1);
        CHECK(bin_in_row(&d, "v", 0) == 0 && bin_in_row(&d, "v", 2) == 49 && bin_in_row(&d, "v", 3) == -1);
        rt_design_free(&d);
    }
    rt_table_free(k);
    rt_tf_step bad = { .kind = RT_TF_BIN, .k = 1 };
    EXPECT_ERR(t, TINY_Y, &bad, 1, tr8, 8, "bin: k must be at least 2 (got 1)");
}

/* PolynomialFeatures(2, include_bias=False).fit(A[:8][:, [a, c, q]]):
 * names a c q a^2 "a c" "a q" c^2 "c q" q^2; rows 0 and 8 */
static const double ref_poly[2][9] = {
    {1.5, -3.0, 1.0, 2.25, -4.5, 1.5, 9.0, -3.0, 1.0},
    {100.0, 50.0, 9.0, 10000.0, 5000.0, 900.0, 2500.0, 450.0, 81.0} };

static void test_poly(const rt_table *t)
{
    rt_design d;
    rt_tf_step p2 = { .kind = RT_TF_POLY, .degree = 2, NAMED_ACQ };
    if (RUN(t, TINY_Y, &p2, 1, tr8, 8, &d) == 0) {
        CHECK_NAMES(&d, "a", "c", "q", "a^2", "a*c", "a*q", "c^2", "c*q", "q^2",
                    "b", "cat=blue", "cat=green", "cat=red");
        for (int j = 0; j < 9; j++) {
            CHECK(X(&d, 0, j) == ref_poly[0][j]);
            CHECK(X(&d, 8, j) == ref_poly[1][j]);
        }
        rt_design_free(&d);
    }
    /* PolynomialFeatures(3).get_feature_names_out(["a", "q"]):
     * a q a^2 "a q" q^2 a^3 "a^2 q" "a q^2" q^3 */
    char *aq[] = { "q", "A" };
    rt_tf_step p3 = { .kind = RT_TF_POLY, .degree = 3, .selector = RT_SEL_NAMED, .columns = aq, .ncolumns = 2 };
    if (RUN(t, TINY_Y, &p3, 1, tr8, 8, &d) == 0) {
        CHECK_NAMES(&d, "a", "q", "a^2", "a*q", "q^2", "a^3", "a^2*q", "a*q^2", "q^3",
                    "b", "c", "cat=blue", "cat=green", "cat=red");
        CHECK(X(&d, 0, 6) == 1.5 * 1.5 * 1 && X(&d, 8, 7) == 100.0 * 81 && X(&d, 8, 8) == 729);
        rt_design_free(&d);
    }
    /* default degree: 2, on every numeric column; b's NaN propagates, the
     * net then fills each product with its training mean */
    rt_tf_step pd = { .kind = RT_TF_POLY };
    if (RUN(t, TINY_Y, &pd, 1, tr8, 8, &d) == 0) {
        CHECK(d.p == 4 + 10 + 3);
        CHECK_STR(d.names[4], "a^2");
        CHECK_STR(d.names[13], "q^2");
        CHECK_STR(d.names[14], "cat=blue");
        rt_design_free(&d);
    }
    rt_tf_step bad = { .kind = RT_TF_POLY, .degree = 11 };
    EXPECT_ERR(t, TINY_Y, &bad, 1, tr8, 8, "poly: degree must be between 1 and 10 (got 11)");
}

/* PCA(n_components=2).fit(A[:8][:, [a, c, q]]).transform(A[:9][:, [a, c, q]]) */
static const double ref_pca_tiny[9][2] = {
    {-3.9834669400145635, -3.091518196876007}, {-0.4587337040968657, -2.934073160713564},
    {1.2015210554665576, -1.340886794250621}, {-1.7458264553336305, -0.5964106332899508},
    {3.3519972359658667, 0.3726431192574147}, {7.421980461204652, 0.7929708463826789},
    {-6.398585722517365, 3.4779617329556336}, {0.6111140693253487, 3.3193130865344154},
    {57.002100716062735, 87.87335936763768} };

static void test_pca_tiny(const rt_table *t)
{
    rt_design d;
    rt_tf_step p2 = { .kind = RT_TF_PCA, .k = 2, NAMED_ACQ };
    if (RUN(t, TINY_Y, &p2, 1, tr8, 8, &d) == 0) {
        CHECK_NAMES(&d, "pc1", "pc2", "b", "cat=blue", "cat=green", "cat=red");
        /* signs included: the svd_flip rule is reproduced */
        for (int i = 0; i < 9; i++)
            for (int j = 0; j < 2; j++) CHECK_REL(X(&d, i, j), ref_pca_tiny[i][j], 1e-11);
        rt_design_free(&d);
    }
    /* k beyond the columns: clamped to 3 */
    rt_tf_step p9 = { .kind = RT_TF_PCA, .k = 9, NAMED_ACQ };
    if (RUN(t, TINY_Y, &p9, 1, tr8, 8, &d) == 0) {
        CHECK_NAMES(&d, "pc1", "pc2", "pc3", "b", "cat=blue", "cat=green", "cat=red");
        CHECK_REL(X(&d, 8, 1), ref_pca_tiny[8][1], 1e-11);
        rt_design_free(&d);
    }
    /* k beyond the training rows: 2 rows → 2 components, the 2nd ~0 variance */
    static const int tr2[] = { 0, 5 };
    if (RUN(t, TINY_Y, &p9, 1, tr2, 2, &d) == 0) {
        CHECK(d.p == 2 + 1 + 2);                  /* b, cat=blue, cat=red */
        CHECK_NEAR(X(&d, 0, 0), -X(&d, 5, 0), 1e-12);
        CHECK(X(&d, 0, 0) != 0);
        rt_design_free(&d);
    }
    rt_tf_step bad = { .kind = RT_TF_PCA, .k = -1 };
    EXPECT_ERR(t, TINY_Y, &bad, 1, tr8, 8, "pca: k must be positive (got -1)");
}

/* Selectors, names and their errors. */
static void test_selectors(const rt_table *t)
{
    rt_design d;
    char *cat[] = { "cat" }, *nope[] = { "nope" }, *tgt[] = { "Y" }, *dup[] = { "A", "cat", "a" };
    rt_tf_step st = { .kind = RT_TF_STANDARDIZE, .selector = RT_SEL_NAMED, .columns = cat, .ncolumns = 1 };
    EXPECT_ERR(t, TINY_Y, &st, 1, tr8, 8, "standardize: column 'cat' is categorical; onehot it first");
    rt_tf_step all = { .kind = RT_TF_MINMAX, .selector = RT_SEL_ALL };
    EXPECT_ERR(t, TINY_Y, &all, 1, tr8, 8, "minmax: column 'cat' is categorical; onehot it first");
    rt_tf_step pc = { .kind = RT_TF_PCA, .selector = RT_SEL_CATEGORICAL };
    EXPECT_ERR(t, TINY_Y, &pc, 1, tr8, 8, "pca: column 'cat' is categorical; onehot it first");
    rt_tf_step dn = { .kind = RT_TF_DROP, .columns = nope, .ncolumns = 1 };
    EXPECT_ERR(t, TINY_Y, &dn, 1, tr8, 8, "drop: no column named 'nope'");
    rt_tf_step kt = { .kind = RT_TF_KEEP, .columns = tgt, .ncolumns = 1 };
    EXPECT_ERR(t, TINY_Y, &kt, 1, tr8, 8, "keep: column 'Y' is the target, not a feature");
    rt_tf_step bn = { .kind = RT_TF_BIN, .selector = RT_SEL_NAMED, .columns = nope, .ncolumns = 1 };
    EXPECT_ERR(t, TINY_Y, &bn, 1, tr8, 8, "bin: no column named 'nope'");
    rt_tf_step sk = { .kind = RT_TF_SELECT_K, .k = 1 };
    EXPECT_ERR(t, -1, &sk, 1, tr8, 8, "select_k: needs a target column");
    rt_tf_step badsel = { .kind = RT_TF_LOG1P, .selector = (rt_selector)42 };
    EXPECT_ERR(t, TINY_Y, &badsel, 1, tr8, 8, "log1p: bad column selector 42");

    /* drop: case-insensitive, duplicates harmless */
    rt_tf_step dr = { .kind = RT_TF_DROP, .columns = dup, .ncolumns = 3 };
    if (RUN(t, TINY_Y, &dr, 1, tr8, 8, &d) == 0) {
        CHECK_NAMES(&d, "b", "c", "q");
        rt_design_free(&d);
    }
    /* keep: chain order, not the order named */
    char *qa[] = { "q", "A" };
    rt_tf_step kp = { .kind = RT_TF_KEEP, .columns = qa, .ncolumns = 2 };
    if (RUN(t, TINY_Y, &kp, 1, tr8, 8, &d) == 0) {
        CHECK_NAMES(&d, "a", "q");
        rt_design_free(&d);
    }
    /* derived names: drop(cat=red) after onehot; drop ON categorical */
    char *red[] = { "CAT=red" };
    rt_tf_step ch[2] = { { .kind = RT_TF_ONEHOT }, { .kind = RT_TF_DROP, .columns = red, .ncolumns = 1 } };
    if (RUN(t, TINY_Y, ch, 2, tr8, 8, &d) == 0) {
        CHECK_NAMES(&d, "a", "b", "c", "cat=blue", "cat=green", "q");
        rt_design_free(&d);
    }
    rt_tf_step dc = { .kind = RT_TF_DROP, .selector = RT_SEL_CATEGORICAL };
    if (RUN(t, TINY_Y, &dc, 1, tr8, 8, &d) == 0) {
        CHECK_NAMES(&d, "a", "b", "c", "q");
        rt_design_free(&d);
    }
    /* onehot of a named numeric column: one column per training value,
     * numeric order; 9 and 0 (test only) → zeros */
    char *q[] = { "q" };
    rt_tf_step oq = { .kind = RT_TF_ONEHOT, .selector = RT_SEL_NAMED, .columns = q, .ncolumns = 1 };
    if (RUN(t, TINY_Y, &oq, 1, tr8, 8, &d) == 0) {
        CHECK_NAMES(&d, "a", "b", "c", "cat=blue", "cat=green", "cat=red", "q=1", "q=2", "q=3");
        CHECK(X(&d, 2, 7) == 1 && X(&d, 2, 6) == 0 && X(&d, 8, 6) + X(&d, 8, 7) + X(&d, 8, 8) == 0);
        rt_design_free(&d);
    }
    /* empty selections are no-ops: NAMED with no names, keep of nothing,
     * numeric transforms on no numeric column */
    rt_tf_step noop[3] = { { .kind = RT_TF_STANDARDIZE, .selector = RT_SEL_NAMED },
                           { .kind = RT_TF_KEEP }, { .kind = RT_TF_DROP } };
    if (RUN(t, TINY_Y, noop, 3, tr8, 8, &d) == 0) {
        CHECK(d.p == 7 && X(&d, 0, 0) == 1.5);
        rt_design_free(&d);
    }
    rt_table *c = load_text("u,v,y\nx,p,0\ny,q,1\nx,q,0\n");
    static const int tr3[] = { 0, 1, 2 };
    rt_tf_step cs[3] = { { .kind = RT_TF_PCA }, { .kind = RT_TF_BIN }, { .kind = RT_TF_SELECT_K, .k = 1 } };
    if (RUN(c, 2, cs, 3, tr3, 3, &d) == 0) {
        CHECK_NAMES(&d, "u=x", "u=y", "v=p", "v=q");
        rt_design_free(&d);
    }
    rt_table_free(c);
}

/* All-missing numeric training column: impute(mean|median) fills 0
 * (sklearn drops the column); impute(constant) its constant. */
static void test_all_missing(void)
{
    rt_table *t = load_text("m,v,y\n,1,0\n,2,1\n,3,0\n5,4,1\n");
    static const int tr3[] = { 0, 1, 2 };
    rt_design d;
    rt_tf_step st[3] = { { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEAN },
                         { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEDIAN },
                         { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_CONSTANT, .constant = -2 } };
    for (int s = 0; s < 3; s++) {
        if (RUN(t, 2, &st[s], 1, tr3, 3, &d)) continue;
        CHECK(X(&d, 0, 0) == (s == 2 ? -2 : 0) && X(&d, 3, 0) == 5);
        rt_design_free(&d);
    }
    /* standardize / minmax with no training value: test values become 0 */
    rt_tf_step sc[2] = { { .kind = RT_TF_STANDARDIZE }, { .kind = RT_TF_MINMAX } };
    for (int s = 0; s < 2; s++) {
        if (RUN(t, 2, &sc[s], 1, tr3, 3, &d)) continue;
        CHECK(X(&d, 3, 0) == 0 && X(&d, 0, 0) == 0);
        rt_design_free(&d);
    }
    rt_table_free(t);
}

/* Every transform: the training rows' output must not depend on the test
 * rows (tiny vs tiny2 differ only in rows 8 and 9, target included). */
static void test_fit_on_train_only(const rt_table *t1, const rt_table *t2)
{
    char *acq[] = { "a", "c", "q" };
    rt_tf_step steps[][2] = {
        { { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEDIAN }, { .kind = RT_TF_ONEHOT } },
        { { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MOST_FREQUENT }, { .kind = RT_TF_STANDARDIZE } },
        { { .kind = RT_TF_MINMAX }, { .kind = RT_TF_LOG1P } },
        { { .kind = RT_TF_BIN, .k = 4, .bin_strategy = RT_BIN_QUANTILE }, { .kind = RT_TF_ONEHOT, .max_levels = 1 } },
        { { .kind = RT_TF_BIN, .k = 3 }, { .kind = RT_TF_DROP, .selector = RT_SEL_CATEGORICAL } },
        { { .kind = RT_TF_POLY }, { .kind = RT_TF_STANDARDIZE } },
        { { .kind = RT_TF_PCA, .k = 2, .selector = RT_SEL_NAMED, .columns = acq, .ncolumns = 3 },
          { .kind = RT_TF_KEEP, .selector = RT_SEL_NUMERIC } },
        { { .kind = RT_TF_IMPUTE }, { .kind = RT_TF_SELECT_K, .k = 2 } },
        { { .kind = RT_TF_ONEHOT, .selector = RT_SEL_ALL }, { .kind = RT_TF_PCA, .k = 3 } },
    };
    for (int s = 0; s < N_(steps); s++) {
        rt_design d1, d2;
        if (RUN(t1, TINY_Y, steps[s], 2, tr8, 8, &d1)) continue;
        if (RUN(t2, TINY_Y, steps[s], 2, tr8, 8, &d2)) { rt_design_free(&d1); continue; }
        int same = d1.p == d2.p;
        for (int j = 0; same && j < d1.p; j++) same = strcmp(d1.names[j], d2.names[j]) == 0;
        for (int i = 0; same && i < 8; i++)
            for (int j = 0; same && j < d1.p; j++) same = X(&d1, i, j) == X(&d2, i, j);
        checks++;
        if (!same) {
            failures++;
            fprintf(stderr, "%s:%d: chain %d: training rows depend on test rows\n", __FILE__, __LINE__, s);
        }
        rt_design_free(&d1);
        rt_design_free(&d2);
    }
}

/* impute(median) → onehot → bin(3, uniform) → pca(3) against
 *   SimpleImputer('median') on a b c q, SimpleImputer('most_frequent') +
 *   OneHotEncoder(handle_unknown='ignore') on cat, the matrix
 *   [a b c cat=blue cat=green cat=red q] → KBinsDiscretizer(3, 'uniform',
 *   'onehot-dense') (21 columns) → PCA(3), all fitted on rows 0..7. */
static const double ref_chain[10][3] = {
    {-1.1336150499575424, -1.3839426501370855, 0.12954596477125144},
    {-0.8592284654652919, -0.162461358090967, 1.8832511540732113},
    {0.5899388636945843, -1.1180403933881968, -0.09089892555336765},
    {1.8045900464981144, 0.20425342493577583, 0.4191061904462813},
    {0.7099380568091194, -0.7852075481482828, -0.9932033314777442},
    {-1.0464552653412111, 1.6406541620537276, -0.16383764627751451},
    {-1.0127299794644253, 0.3385936757702873, -1.3864521624688926},
    {0.9475617932266528, 1.2661506870047414, 0.20248875648677475},
    {-0.6226853350205565, 0.8558568291119417, -0.14535724884321488},
    {-0.627718721864917, -1.2343875202926808, 0.6754889657541308} };

static void test_chain(const rt_table *t)
{
    rt_tf_step st[4] = { { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEDIAN }, { .kind = RT_TF_ONEHOT },
                         { .kind = RT_TF_BIN, .k = 3, .bin_strategy = RT_BIN_UNIFORM },
                         { .kind = RT_TF_PCA, .k = 3 } };
    rt_design d;
    if (RUN(t, TINY_Y, st, 4, tr8, 8, &d)) return;
    CHECK_NAMES(&d, "pc1", "pc2", "pc3");
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 3; j++) CHECK_REL(X(&d, i, j), ref_chain[i][j], 1e-10);
    rt_design_free(&d);
}

/* ======================================================================
 * Part 3: real data (data/iris.csv, wine.csv, diabetes_progression.csv)
 * ====================================================================== */

/* iris, training rows i % 5 != 0:
 * PCA(n_components=4).fit(X[tr]).transform(X)[[0, 1, 50, 77, 100, 149]] */
static const int iris_rows[6] = { 0, 1, 50, 77, 100, 149 };
static const double ref_iris_pca[6][4] = {
    {-2.6447117614585713, 0.3411558116290287, -0.03934406156083108, 0.011143519935981911},
    {-2.6709597601006934, -0.1577936991383973, -0.22308996157531763, 0.09237080907021052},
    {1.3229837447061736, 0.7326285627162924, -0.40441450089794184, 0.04055490954059649},
    {1.5977723932746237, 0.31569022388175544, -0.16230888893129053, 0.08570458154466583},
    {2.569897704634264, 0.04773153272969395, 0.7678275842437263, -0.003831222017590767},
    {1.4324576713019304, -0.22948762888838398, 0.36870634219812476, -0.14554198784957353} };
static const double ref_iris_colsum[4] = { 6.2063248529708375, 5.965732010356204,
                                           -0.24874215026776764, 1.1547513770007696 };
static const double ref_iris_var[4] = { 4.150544035777843, 0.23214578919373288,
                                        0.07497422876053345, 0.022779923858927024 };
static const double ref_iris_comp[4][4] = {
    {0.3583633091483388, -0.09084932637509124, 0.8585901508183995, 0.3551691026413794},
    {0.6505390017352535, 0.7376834208407513, -0.15537452827345288, -0.09209198554591536},
    {-0.585982441016422, 0.6018847764355411, 0.08671918653781946, 0.5355735966249577},
    {0.3240359929050903, -0.2920689754304928, -0.4807925660486644, 0.7606148153469898} };
/* KBinsDiscretizer(5, strategy='quantile', encode='ordinal').fit(X[tr]).transform(X) */
static const char *const ref_iris_q5[4] = {
    "100011010010002211211101011110011101100110011010114341423041122324223223333444221122124321132122231232434404444342234442424344333444333433244424443432",
    "423344442344224444444443424443344433442440344243433330113021020223210031012212200011243020020012220131222202043120132400311133121214110243233313320242",
    "000101010111000100111101111101111010000100011010103232223122122312222232332233211123223222222122221243444424443443344443434344334444434444344334433343",
    "111111111011001111111111111111110111101111111111112332323122131222313132322223311123333222222122221244434433344444443443444343334344432443344444444443" };
/* f_classif(X, y)[0] on all rows and on X[tr] */
static const double ref_iris_f_all[4] = { 119.26450218449871, 49.16004008961098,
                                          1180.1611822529776, 960.0071468018025 };
static const double ref_iris_f_tr[4] = { 92.14740702453555, 42.965327135117185,
                                         876.4236424659408, 757.6556973945694 };

static void test_iris(void)
{
    rt_table *t = load_data("iris");
    int ntr, *tr = range_rows(t->nrows, 5, &ntr), y = t->ncols - 1;
    rt_design d;
    rt_tf_step pca = { .kind = RT_TF_PCA };   /* k = 0: every component */
    if (RUN(t, y, &pca, 1, tr, ntr, &d) == 0) {
        CHECK_NAMES(&d, "pc1", "pc2", "pc3", "pc4");
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 4; j++) CHECK_NEAR(X(&d, iris_rows[i], j), ref_iris_pca[i][j], 1e-10);
        for (int j = 0; j < 4; j++) {
            double s = 0;
            for (int i = 0; i < d.n; i++) s += X(&d, i, j);
            CHECK_NEAR(s, ref_iris_colsum[j], 1e-9);
        }
        rt_design_free(&d);
    }
    /* the split API: components, variances, and the prefix property */
    {
        int p = 4;
        double *A = malloc(sizeof(double) * (size_t)ntr * p), *B = malloc(sizeof(double) * 150 * p);
        double *Z4 = malloc(sizeof(double) * 150 * 4), *Z2 = malloc(sizeof(double) * 150 * 2);
        for (int i = 0; i < ntr; i++)
            for (int j = 0; j < p; j++) A[i * p + j] = t->cols[j].num[tr[i]];
        tf_pca_model m;
        ut_err e;
        if (tf_pca_fit(A, ntr, p, 0, &m, &e) == 0) {
            CHECK(m.ncomp == 4);
            for (int c = 0; c < 4; c++) {
                CHECK_REL(m.var[c], ref_iris_var[c], 1e-12);
                for (int j = 0; j < p; j++) CHECK_NEAR(m.comp[c * p + j], ref_iris_comp[c][j], 1e-11);
            }
            for (int i = 0; i < 150; i++)
                for (int j = 0; j < p; j++) B[i * p + j] = t->cols[j].num[i];
            tf_pca_project(&m, B, 150, 4, Z4);
            for (int i = 0; i < 150; i++)
                for (int j = 0; j < p; j++) B[i * p + j] = t->cols[j].num[i];
            tf_pca_project(&m, B, 150, 2, Z2);
            int same = 1;
            for (int i = 0; i < 150; i++) same &= Z2[i * 2] == Z4[i * 4] && Z2[i * 2 + 1] == Z4[i * 4 + 1];
            CHECK(same);
            /* a fit for k <= 2 only: the same two components */
            tf_pca_model m2;
            for (int i = 0; i < ntr; i++)
                for (int j = 0; j < p; j++) A[i * p + j] = t->cols[j].num[tr[i]];
            if (tf_pca_fit(A, ntr, p, 2, &m2, &e) == 0) {
                CHECK(m2.ncomp == 2);
                for (int c = 0; c < 2 * p; c++) CHECK_NEAR(m2.comp[c], m.comp[c], 1e-14);
                tf_pca_free(&m2);
            }
            tf_pca_free(&m);
        } else {
            CHECK(0);
        }
        free(A); free(B); free(Z4); free(Z2);
    }
    rt_tf_step q5 = { .kind = RT_TF_BIN, .k = 5, .bin_strategy = RT_BIN_QUANTILE };
    if (RUN(t, y, &q5, 1, tr, ntr, &d) == 0) {
        CHECK(d.p == 20);
        for (int j = 0; j < 4; j++) {
            int bad = 0;
            for (int i = 0; i < 150; i++) bad += bin_in_row(&d, t->cols[j].name, i) != ref_iris_q5[j][i] - '0';
            CHECK(bad == 0);
        }
        rt_design_free(&d);
    }
    /* F-scores: directly, and SelectKBest(f_classif, k=2) → the petals */
    {
        double *x[4], f[4];
        int cls[150], nall, *all = range_rows(150, 0, &nall);
        for (int j = 0; j < 4; j++) x[j] = t->cols[j].num;
        for (int i = 0; i < 150; i++) cls[i] = (int)t->cols[y].num[i];
        ut_err e;
        if (tf_f_classif(x, 4, cls, 3, all, nall, f, &e) == 0)
            for (int j = 0; j < 4; j++) CHECK_REL(f[j], ref_iris_f_all[j], 1e-12);
        if (tf_f_classif(x, 4, cls, 3, tr, ntr, f, &e) == 0)
            for (int j = 0; j < 4; j++) CHECK_REL(f[j], ref_iris_f_tr[j], 1e-12);
        free(all);
    }
    rt_tf_step sk = { .kind = RT_TF_SELECT_K, .k = 2 };
    if (RUN(t, y, &sk, 1, tr, ntr, &d) == 0) {
        CHECK_NAMES(&d, "petal length (cm)", "petal width (cm)");
        rt_design_free(&d);
    }
    /* k >= columns keeps all; k = 0 is sklearn's 10 */
    rt_tf_step sk0 = { .kind = RT_TF_SELECT_K };
    if (RUN(t, y, &sk0, 1, tr, ntr, &d) == 0) {
        CHECK(d.p == 4);
        rt_design_free(&d);
    }
    /* one class in the training rows: every score NaN; sklearn's stable
     * argsort then keeps the last k columns */
    static const int setosa[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 };
    if (RUN(t, y, &sk, 1, setosa, 10, &d) == 0) {
        CHECK_NAMES(&d, "petal length (cm)", "petal width (cm)");
        rt_design_free(&d);
    }
    /* onehot of nothing categorical is a no-op */
    rt_tf_step oh = { .kind = RT_TF_ONEHOT };
    if (RUN(t, y, &oh, 1, tr, ntr, &d) == 0) {
        CHECK(d.p == 4 && X(&d, 0, 0) == 5.1);
        rt_design_free(&d);
    }
    free(tr);
    rt_table_free(t);
}

/* wine, training rows i % 3 != 0; rows [0, 1, 2, 60, 100, 177]:
 * PCA(3).fit(X[tr]).transform(X), and with StandardScaler first, PCA(2). */
static const int wine_rows[6] = { 0, 1, 2, 60, 100, 177 };
static const double ref_wine_pca3[6][3] = {
    {317.5706845657997, 21.14523352397578, 3.850535835943916},
    {302.0837547567122, -5.823112626946913, 6.6162245240003035},
    {437.04307587348836, -6.808950100985753, -1.6081008598759265},
    {-67.858815508288, 2.2478265508809896, 4.330873511478955},
    {-37.94442764855158, -2.199985946121306, 2.4730399480280765},
    {-187.95733456060728, 0.22351407676284527, -5.012461670677755} };
static const double ref_wine_pca3_colsum[3] = { -180.12919848386628, 8.142984479909972, 15.079888430507147 };
static const double ref_wine_std_pca2[6][2] = {
    {3.3479440041204818, -1.5191079830844239}, {2.1732165686647433, 0.39880134519431554},
    {2.5614438774628097, -1.073632407385643}, {-1.5947409181819114, 1.4047090571850003},
    {0.7860630059352529, 2.301067160152255}, {-3.1061721099665083, -2.831585647130333} };
/* KBinsDiscretizer(4, 'uniform', 'ordinal').fit(X[tr]).transform(X)[:, [0, 4, 12]] */
static const char *const ref_wine_u4[3] = {
    "3223233332332332323232212222232222222223223223333322222232211121112121122200201111120110011111010111111011111001001001110012011011111111112122221231222122122132121222212211322223",
    "2111211211110011211221111211111112111112201111111101112221101110110013100311012100001100000000132000101000000110100001001210000000211101010110101100012121110110011100101110011221",
    "2223133322333233323111221123223323221221122112222323232223301010010011100210001001100000110000021010100010000100100000001000000000100111100011001101100001110111010110111100111110" };
/* f_classif(X[tr], y[tr])[0]; SelectKBest(f_classif, k=5) keeps 0 6 10 11 12 */
static const double ref_wine_f[13] = {
    77.55037867491941, 27.839544056334855, 6.242528492538914, 22.565292502135907, 9.91552418117893,
    56.9940348093915, 145.05578013275465, 16.124024579058986, 22.71228821348779, 62.66311185023102,
    70.27298328498806, 121.86524910360217, 122.30865224129195 };

static void test_wine(void)
{
    rt_table *t = load_data("wine");
    int ntr, *tr = range_rows(t->nrows, 3, &ntr), y = t->ncols - 1;
    rt_design d;
    rt_tf_step p3 = { .kind = RT_TF_PCA, .k = 3 };
    if (RUN(t, y, &p3, 1, tr, ntr, &d) == 0) {
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 3; j++) CHECK_REL(X(&d, wine_rows[i], j), ref_wine_pca3[i][j], 1e-10);
        for (int j = 0; j < 3; j++) {
            double s = 0;
            for (int i = 0; i < d.n; i++) s += X(&d, i, j);
            CHECK_NEAR(s, ref_wine_pca3_colsum[j], 1e-8);
        }
        rt_design_free(&d);
    }
    rt_tf_step sp[2] = { { .kind = RT_TF_STANDARDIZE }, { .kind = RT_TF_PCA, .k = 2 } };
    if (RUN(t, y, sp, 2, tr, ntr, &d) == 0) {
        for (int i = 0; i < 6; i++)
            for (int j = 0; j < 2; j++) CHECK_REL(X(&d, wine_rows[i], j), ref_wine_std_pca2[i][j], 1e-10);
        rt_design_free(&d);
    }
    char *three[] = { "alcohol", "magnesium", "proline" };
    rt_tf_step u4 = { .kind = RT_TF_BIN, .k = 4, .selector = RT_SEL_NAMED, .columns = three, .ncolumns = 3 };
    if (RUN(t, y, &u4, 1, tr, ntr, &d) == 0) {
        CHECK(d.p == 13 - 3 + 12);
        CHECK_STR(d.names[4], "malic_acid");
        for (int s = 0; s < 3; s++) {
            int bad = 0;
            for (int i = 0; i < t->nrows; i++) bad += bin_in_row(&d, three[s], i) != ref_wine_u4[s][i] - '0';
            CHECK(bad == 0);
        }
        rt_design_free(&d);
    }
    {
        double *x[13], f[13];
        int *cls = malloc(sizeof(int) * (size_t)t->nrows);
        for (int j = 0; j < 13; j++) x[j] = t->cols[j].num;
        for (int i = 0; i < t->nrows; i++) cls[i] = (int)t->cols[y].num[i];
        ut_err e;
        if (tf_f_classif(x, 13, cls, 3, tr, ntr, f, &e) == 0)
            for (int j = 0; j < 13; j++) CHECK_REL(f[j], ref_wine_f[j], 1e-11);
        free(cls);
    }
    rt_tf_step sk = { .kind = RT_TF_SELECT_K, .k = 5 };
    if (RUN(t, y, &sk, 1, tr, ntr, &d) == 0) {
        CHECK_NAMES(&d, "alcohol", "flavanoids", "hue", "od280/od315_of_diluted_wines", "proline");
        rt_design_free(&d);
    }
    free(tr);
    rt_table_free(t);
}

/* diabetes progression (regression), training rows i % 4 != 0:
 * f_regression(X[tr], y[tr])[0]; SelectKBest(f_regression, k=3) keeps 2 3 8 */
static const double ref_diab_f[10] = {
    12.158826963770796, 0.24934072671923974, 164.5616004326445, 83.19936121186856, 15.26684341542741,
    6.844199940499445, 52.445446743892816, 56.556578352110606, 166.145636187543, 47.66825869964059 };

static void test_diabetes(void)
{
    rt_table *t = load_data("diabetes_progression");
    int ntr, *tr = range_rows(t->nrows, 4, &ntr), y = t->ncols - 1;
    CHECK(rt_target_kind(&t->cols[y]) == RT_REGRESSION);
    double *x[10], f[10];
    for (int j = 0; j < 10; j++) x[j] = t->cols[j].num;
    ut_err e;
    if (tf_f_regression(x, 10, t->cols[y].num, tr, ntr, f, &e) == 0)
        for (int j = 0; j < 10; j++) CHECK_REL(f[j], ref_diab_f[j], 1e-10);
    rt_design d;
    rt_tf_step sk = { .kind = RT_TF_SELECT_K, .k = 3 };
    if (RUN(t, y, &sk, 1, tr, ntr, &d) == 0) {
        CHECK_NAMES(&d, "bmi", "bp", "s5");
        rt_design_free(&d);
    }
    free(tr);
    rt_table_free(t);
}

/* The radix sort behind medians and quantiles, against qsort. */
static void test_sort(void)
{
    int n = 5000;
    double *a = malloc(sizeof(double) * (size_t)n), *b = malloc(sizeof(double) * (size_t)n);
    ut_rng r;
    ut_rng_seed(&r, 7);
    for (int i = 0; i < n; i++) {
        double u = ut_rng_uniform(&r);
        a[i] = i % 97 == 0 ? -0.0 : i % 89 == 0 ? INFINITY : i % 83 == 0 ? -INFINITY
             : i % 3 == 0 ? floor(u * 10) - 5 : (u - 0.5) * pow(10, (int)(u * 600) - 300);
        b[i] = a[i];
    }
    tf_sort_doubles(a, n);
    qsort(b, (size_t)n, sizeof(double), tf_cmp_double);
    int same = 1;
    for (int i = 0; i < n; i++) same &= a[i] == b[i];
    CHECK(same);
    double small[3] = { 2, -1, 0.5 };
    tf_sort_doubles(small, 3);
    CHECK(small[0] == -1 && small[1] == 0.5 && small[2] == 2);
    free(a);
    free(b);
}

int main(void)
{
    test_sort();
    rt_table *t = load_text(data1);
    test_names();
    test_impute_median(t);
    test_impute_constant(t);
    test_onehot_unknown(t);
    test_maxlevels_standardize(t);
    test_errors(t);
    rt_table_free(t);
    test_credit();

    rt_table *tiny = load_text(tiny_csv), *tiny2 = load_text(tiny2_csv);
    test_scalers(tiny);
    test_bin(tiny);
    test_poly(tiny);
    test_pca_tiny(tiny);
    test_selectors(tiny);
    test_fit_on_train_only(tiny, tiny2);
    test_chain(tiny);
    rt_table_free(tiny);
    rt_table_free(tiny2);
    test_all_missing();

    test_iris();
    test_wine();
    test_diabetes();
    printf("test_transform: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
