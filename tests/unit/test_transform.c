/* test_transform.c — impute / onehot / standardize against hand-computed
 * numbers: statistics fitted on training rows only, column order and names,
 * unknown and infrequent levels, the safety net, errors, and a real dataset. */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "../../runtime/transform.h"
#include "../../include/mileage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef MLG_SOURCE_DIR
#define MLG_SOURCE_DIR "."
#endif

static int failures, checks;
#define CHECK(cond) do { checks++; if (!(cond)) { failures++; \
    fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)
#define CHECK_NEAR(a, b, tol) do { checks++; double a_ = (a), b_ = (b); \
    if (!(fabs(a_ - b_) <= (tol))) { failures++; \
    fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g\n", __FILE__, __LINE__, #a, a_, b_); } } while (0)
#define CHECK_STR(a, b) do { checks++; const char *a_ = (a), *b_ = (b); \
    if (!a_ || strcmp(a_, b_) != 0) { failures++; \
    fprintf(stderr, "%s:%d: %s = \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, a_ ? a_ : "(null)", b_); } } while (0)

#define X(d, i, j) ((d)->x[(size_t)(i) * (d)->p + (j)])

/* age: 1 2 . 4 5 6; color: red blue red green . blue; size: 10 . 30 40 50 60 */
static const char data[] =
    "age,color,size,k,y\n"
    "1,red,10,3,0\n"
    "2,blue,,3,1\n"
    ",red,30,3,0\n"
    "4,green,40,3,1\n"
    "5,,50,3,0\n"
    "6,blue,60,3,1\n";

static rt_table *load(void)
{
    const char *base = getenv("TMPDIR");
    char path[600];
    snprintf(path, sizeof path, "%s/mlg_tf_XXXXXX", base && *base ? base : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) { perror("mkstemp"); exit(2); }
    if (write(fd, data, sizeof data - 1) != (ssize_t)(sizeof data - 1)) { perror("write"); exit(2); }
    close(fd);
    rt_table *t = NULL;
    ut_err e;
    if (rt_read_csv(path, NULL, &t, &e)) { fprintf(stderr, "%s\n", e.msg); exit(2); }
    unlink(path);
    return t;
}

static int run(const rt_table *t, const rt_tf_step *steps, int nsteps, const int *train,
               int ntrain, rt_design *d)
{
    ut_err e;
    memset(&e, 0, sizeof e);
    if (rt_pipeline_run(t, 4, steps, nsteps, train, ntrain, d, &e)) {
        fprintf(stderr, "pipeline failed: %s\n", e.msg);
        failures++;
        return -1;
    }
    return 0;
}

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
    check_names(d, w_, (int)(sizeof w_ / sizeof w_[0]), __LINE__); } while (0)

static const int train4[] = { 0, 1, 2, 3 };

static void test_names(void)
{
    CHECK_STR(rt_tf_names[RT_TF_IMPUTE], "impute");
    CHECK_STR(rt_tf_names[RT_TF_ONEHOT], "onehot");
    CHECK_STR(rt_tf_names[RT_TF_STANDARDIZE], "standardize");
}

/* impute(median): numeric medians and the most frequent level, from the
 * training rows only; the safety net then one-hot encodes color. */
static void test_impute_median(const rt_table *t)
{
    rt_tf_step st = { RT_TF_IMPUTE, RT_IMPUTE_MEDIAN, 0, 0 };
    rt_design d;
    if (run(t, &st, 1, train4, 4, &d)) return;
    CHECK(d.n == 6);
    CHECK_NAMES(&d, "age", "color=blue", "color=green", "color=red", "size", "k");
    CHECK(X(&d, 2, 0) == 2);                  /* median(1,2,4) */
    CHECK(X(&d, 1, 4) == 30);                 /* median(10,30,40); 50, 60 unused */
    CHECK(X(&d, 4, 3) == 1 && X(&d, 4, 1) == 0 && X(&d, 4, 2) == 0);   /* red, 2 of 4 */
    CHECK(X(&d, 3, 2) == 1 && X(&d, 5, 1) == 1 && X(&d, 0, 3) == 1);
    CHECK(X(&d, 5, 0) == 6 && X(&d, 5, 4) == 60 && X(&d, 0, 5) == 3);
    rt_design_free(&d);

    rt_tf_step mf = { RT_TF_IMPUTE, RT_IMPUTE_MOST_FREQUENT, 0, 0 };
    if (run(t, &mf, 1, train4, 4, &d)) return;
    CHECK(X(&d, 2, 0) == 1);                  /* all tie: smallest */
    CHECK(X(&d, 1, 4) == 10);
    rt_design_free(&d);

    rt_tf_step mean = { RT_TF_IMPUTE, RT_IMPUTE_MEAN, 0, 0 };
    if (run(t, &mean, 1, train4, 4, &d)) return;
    CHECK_NEAR(X(&d, 2, 0), 7.0 / 3, 1e-15);
    CHECK_NEAR(X(&d, 1, 4), 80.0 / 3, 1e-13);
    rt_design_free(&d);
}

/* impute(constant): numeric constant, categorical level "missing", which
 * gets a column only when it occurs in the training rows. */
static void test_impute_constant(const rt_table *t)
{
    rt_tf_step st[2] = { { RT_TF_IMPUTE, RT_IMPUTE_CONSTANT, 7, 0 }, { RT_TF_ONEHOT, 0, 0, 0 } };
    rt_design d;
    if (run(t, st, 2, train4, 4, &d)) return;
    CHECK_NAMES(&d, "age", "color=blue", "color=green", "color=red", "size", "k");
    CHECK(X(&d, 2, 0) == 7 && X(&d, 1, 4) == 7);
    CHECK(X(&d, 4, 1) == 0 && X(&d, 4, 2) == 0 && X(&d, 4, 3) == 0);   /* unseen "missing" */
    rt_design_free(&d);
    static const int train5[] = { 0, 1, 2, 3, 4 };
    if (run(t, st, 2, train5, 5, &d)) return;
    CHECK_NAMES(&d, "age", "color=blue", "color=green", "color=missing", "color=red", "size", "k");
    CHECK(X(&d, 4, 3) == 1 && X(&d, 0, 3) == 0 && X(&d, 0, 4) == 1);
    rt_design_free(&d);
}

/* onehot: categories from the training rows; unknown and missing → zeros. */
static void test_onehot_unknown(const rt_table *t)
{
    static const int train3[] = { 0, 1, 2 };
    rt_tf_step st = { RT_TF_ONEHOT, 0, 0, 0 };
    rt_design d;
    if (run(t, &st, 1, train3, 3, &d)) return;
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
    rt_tf_step st[2] = { { RT_TF_ONEHOT, 0, 0, 1 }, { RT_TF_STANDARDIZE, 0, 0, 0 } };
    rt_design d;
    if (run(t, st, 2, train4, 4, &d)) return;
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
    rt_tf_step st = { RT_TF_STANDARDIZE, 0, 0, 0 };
    CHECK(rt_pipeline_run(t, 4, &st, 1, train4, 0, &d, &e) == -1 && d.x == NULL);
    CHECK_STR(e.msg, "no training rows");
    static const int bad[] = { 0, 6 };
    CHECK(rt_pipeline_run(t, 4, &st, 1, bad, 2, &d, &e) == -1);
    CHECK_STR(e.msg, "training row 6 out of range");
    rt_tf_step odd = { (rt_tf_kind)99, 0, 0, 0 };
    CHECK(rt_pipeline_run(t, 4, &odd, 1, train4, 4, &d, &e) == -1 && d.names == NULL);
    CHECK_STR(e.msg, "unknown transformation 99");
    rt_design_free(&d);
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
    rt_table *t = NULL;
    ut_err e;
    if (rt_read_csv(MLG_SOURCE_DIR "/data/credit-g.csv", NULL, &t, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        failures++;
        return;
    }
    int target = rt_table_find(t, "class"), expect_p = 0;
    for (int j = 0; j < t->ncols; j++)
        if (j != target) expect_p += t->cols[j].type == RT_NUMERIC ? 1 : t->cols[j].nlevels;
    int *train = malloc(sizeof(int) * (size_t)t->nrows);
    for (int i = 0; i < t->nrows; i++) train[i] = i;
    rt_tf_step st[3] = { { RT_TF_IMPUTE, RT_IMPUTE_MEDIAN, 0, 0 }, { RT_TF_ONEHOT, 0, 0, 0 },
                         { RT_TF_STANDARDIZE, 0, 0, 0 } };
    rt_design d;
    if (rt_pipeline_run(t, target, st, 3, train, t->nrows, &d, &e) == 0) {
        CHECK(d.n == 1000 && d.p == expect_p);
        CHECK_STR(d.names[0], "checking_status=0<=X<200");
        int dur = -1;
        for (int j = 0; j < d.p; j++) if (strcmp(d.names[j], "duration") == 0) dur = j;
        CHECK(dur > 0);
        for (int j = 0; j < d.p; j++) {
            double s = 0, ss = 0;
            for (int i = 0; i < d.n; i++) s += X(&d, i, j);
            for (int i = 0; i < d.n; i++) ss += (X(&d, i, j) - s / d.n) * (X(&d, i, j) - s / d.n);
            CHECK_NEAR(s / d.n, 0, 1e-12);
            CHECK_NEAR(sqrt(ss / d.n), 1, 1e-9);
        }
        rt_design_free(&d);
    } else {
        fprintf(stderr, "%s\n", e.msg);
        failures++;
    }
    free(train);
    rt_table_free(t);
}

int main(void)
{
    rt_table *t = load();
    test_names();
    test_impute_median(t);
    test_impute_constant(t);
    test_onehot_unknown(t);
    test_maxlevels_standardize(t);
    test_errors(t);
    rt_table_free(t);
    test_credit();
    printf("test_transform: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
