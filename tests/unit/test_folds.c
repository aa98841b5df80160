/* test_folds.c — fold assignment: sizes, stratification, exclusion of rows
 * without a target, determinism, and argument errors. */
#include "../../runtime/folds.h"
#include "../../include/mileage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

#define CHECK_STR(a, b) do { checks++; const char *a_ = (a), *b_ = (b); \
    if (strcmp(a_, b_) != 0) { failures++; \
    fprintf(stderr, "%s:%d: %s = \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, a_, b_); } } while (0)

/* counts[f * nclasses + c] for f in [0,k) */
static void tally(int n, const int *fold, const int *y, int k, int nc, int *counts, int *sizes)
{
    memset(counts, 0, sizeof(int) * (size_t)(k * nc));
    memset(sizes, 0, sizeof(int) * (size_t)k);
    for (int i = 0; i < n; i++) {
        if (fold[i] < 0) continue;
        sizes[fold[i]]++;
        if (y) counts[fold[i] * nc + y[i]]++;
    }
}

static void test_stratified_even(void)
{
    enum { N = 103, K = 5 };
    int y[N], fold[N], fold2[N], counts[K * 3], sizes[K];
    for (int i = 0; i < N; i++) y[i] = i < 50 ? 0 : i < 80 ? 1 : i < 100 ? 2 : -1;
    y[7] = -1;   /* a missing target in the middle */
    y[100] = 0;
    ut_err e;
    CHECK(rt_folds_cv(N, K, y, 3, NULL, 42, fold, &e) == 0);
    tally(N, fold, y, K, 3, counts, sizes);
    for (int f = 0; f < K; f++) {
        CHECK(sizes[f] == 20);
        CHECK(counts[f * 3 + 0] == 10);
        CHECK(counts[f * 3 + 1] == 6);
        CHECK(counts[f * 3 + 2] == 4);
    }
    CHECK(fold[7] == -1 && fold[101] == -1 && fold[102] == -1 && fold[100] >= 0);
    /* shuffled within a class: not simply dealt in row order */
    int in_order = 1;
    for (int i = 0; i < 5; i++) if (fold[i] != i % K) in_order = 0;
    CHECK(!in_order);
    /* deterministic per seed, different across seeds */
    CHECK(rt_folds_cv(N, K, y, 3, NULL, 42, fold2, &e) == 0);
    CHECK(memcmp(fold, fold2, sizeof fold) == 0);
    CHECK(rt_folds_cv(N, K, y, 3, NULL, 43, fold2, &e) == 0);
    CHECK(memcmp(fold, fold2, sizeof fold) != 0);
}

static void test_stratified_uneven(void)
{
    enum { N = 23, K = 5 };
    int y[N], fold[N], counts[K * 2], sizes[K];
    for (int i = 0; i < N; i++) y[i] = i % 7 < 4 ? 0 : 1;   /* 13 / 10 */
    ut_err e;
    CHECK(rt_folds_cv(N, K, y, 2, NULL, 7, fold, &e) == 0);
    tally(N, fold, y, K, 2, counts, sizes);
    int mn = N, mx = 0, tot = 0;
    for (int f = 0; f < K; f++) {
        mn = sizes[f] < mn ? sizes[f] : mn;
        mx = sizes[f] > mx ? sizes[f] : mx;
        tot += sizes[f];
    }
    CHECK(tot == N && mx - mn <= 1);
    for (int c = 0; c < 2; c++) {
        int cmn = N, cmx = 0;
        for (int f = 0; f < K; f++) {
            int v = counts[f * 2 + c];
            cmn = v < cmn ? v : cmn;
            cmx = v > cmx ? v : cmx;
        }
        CHECK(cmx - cmn <= 1);
    }
    /* a class smaller than k still works: its rows land in distinct folds */
    int y2[10] = { 0, 0, 0, 0, 0, 0, 0, 0, 1, 1 }, f2[10];
    CHECK(rt_folds_cv(10, 5, y2, 2, NULL, 1, f2, &e) == 0);
    CHECK(f2[8] != f2[9]);
}

static void test_plain(void)
{
    enum { N = 17, K = 4 };
    int fold[N], fold2[N], counts[K], sizes[K];
    unsigned char miss[N] = { 0 };
    miss[3] = miss[16] = 1;
    ut_err e;
    CHECK(rt_folds_cv(N, K, NULL, 0, miss, 5, fold, &e) == 0);
    tally(N, fold, NULL, K, 1, counts, sizes);
    CHECK(sizes[0] == 4 && sizes[1] == 4 && sizes[2] == 4 && sizes[3] == 3);
    CHECK(fold[3] == -1 && fold[16] == -1);
    CHECK(rt_folds_cv(N, K, NULL, 0, NULL, 5, fold2, &e) == 0);   /* no mask: all take part */
    for (int i = 0; i < N; i++) CHECK(fold2[i] >= 0 && fold2[i] < K);
    CHECK(rt_folds_cv(N, K, NULL, 0, miss, 5, fold2, &e) == 0);
    CHECK(memcmp(fold, fold2, sizeof fold) == 0);
}

static void test_holdout(void)
{
    enum { N = 100 };
    int y[N], fold[N], fold2[N];
    for (int i = 0; i < N; i++) y[i] = i < 60 ? 0 : 1;
    ut_err e;
    CHECK(rt_folds_holdout(N, 0.3, y, 2, NULL, 9, fold, &e) == 0);
    int test[2] = { 0, 0 }, train = 0;
    for (int i = 0; i < N; i++) {
        CHECK(fold[i] == 0 || fold[i] == 1);
        if (fold[i] == 0) test[y[i]]++; else train++;
    }
    CHECK(test[0] == 18 && test[1] == 12 && train == 70);
    CHECK(rt_folds_holdout(N, 0.3, y, 2, NULL, 9, fold2, &e) == 0);
    CHECK(memcmp(fold, fold2, sizeof fold) == 0);

    /* uneven shares: 3 classes of 7, 2, 1 rows, 50% → 5 test rows; the
     * remainders go to the largest fractional parts */
    int y3[10] = { 0, 0, 0, 0, 0, 0, 0, 1, 1, 2 }, f3[10], t3[3] = { 0, 0, 0 }, nt = 0;
    CHECK(rt_folds_holdout(10, 0.5, y3, 3, NULL, 2, f3, &e) == 0);
    for (int i = 0; i < 10; i++) if (f3[i] == 0) { t3[y3[i]]++; nt++; }
    CHECK(nt == 5 && t3[0] == 4 && t3[1] == 1 && t3[2] == 0);

    /* plain: ceil(0.25 * 10) = 3 test rows; a masked row takes no part */
    int f4[11], n0 = 0, n1 = 0;
    unsigned char miss[11] = { 0 };
    miss[10] = 1;
    CHECK(rt_folds_holdout(11, 0.25, NULL, 0, miss, 3, f4, &e) == 0);
    for (int i = 0; i < 10; i++) { n0 += f4[i] == 0; n1 += f4[i] == 1; }
    CHECK(n0 == 3 && n1 == 7 && f4[10] == -1);
}

static void test_errors(void)
{
    int y[4] = { 0, 1, 0, 1 }, fold[4];
    ut_err e;
    memset(&e, 0, sizeof e);
    CHECK(rt_folds_cv(4, 1, y, 2, NULL, 1, fold, &e) == -1 && e.code == MLG_ERROR);
    CHECK_STR(e.msg, "CV needs at least 2 folds, got 1");
    CHECK(rt_folds_cv(4, 5, y, 2, NULL, 1, fold, &e) == -1 && e.code == MLG_DATA);
    CHECK_STR(e.msg, "CV(5) needs at least 5 rows with a target, found 4");
    int ym[4] = { 0, -1, -1, 1 };
    CHECK(rt_folds_cv(4, 3, ym, 2, NULL, 1, fold, &e) == -1 && e.code == MLG_DATA);
    CHECK(fold[0] == -1 && fold[3] == -1);
    int bad[4] = { 0, 1, 2, 0 };
    CHECK(rt_folds_cv(4, 2, bad, 2, NULL, 1, fold, &e) == -1 && e.code == MLG_ERROR);
    CHECK_STR(e.msg, "class code 2 out of range (2 classes)");
    CHECK(rt_folds_holdout(4, 0.0, y, 2, NULL, 1, fold, &e) == -1 && e.code == MLG_ERROR);
    CHECK_STR(e.msg, "holdout fraction must be between 0 and 1 (exclusive), got 0");
    CHECK(rt_folds_holdout(4, 1.0, y, 2, NULL, 1, fold, &e) == -1);
    CHECK(rt_folds_holdout(4, -0.5, NULL, 0, NULL, 1, fold, &e) == -1);
    CHECK(rt_folds_holdout(4, NAN, NULL, 0, NULL, 1, fold, &e) == -1);
    int one[4] = { 0, -1, -1, -1 };
    CHECK(rt_folds_holdout(4, 0.5, one, 1, NULL, 1, fold, &e) == -1 && e.code == MLG_DATA);
    CHECK_STR(e.msg, "holdout(0.5) needs more rows with a target, found 1");
    /* 0.99 of 4 rows leaves no training row */
    CHECK(rt_folds_holdout(4, 0.99, NULL, 0, NULL, 1, fold, &e) == -1 && e.code == MLG_DATA);
}

int main(void)
{
    test_stratified_even();
    test_stratified_uneven();
    test_plain();
    test_holdout();
    test_errors();
    printf("test_folds: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
