/* folds.c — deterministic fold assignment: stratified or plain shuffled
 * k-fold, and (stratified) holdout.  Only ut_rng is used for randomness, so
 * a seed gives the same folds on every platform. */
#include "folds.h"
#include "../include/mileage.h"

#include <math.h>
#include <stdlib.h>

/* Rows that take part: a class code >= 0, or (no classes) not marked missing.
 * Fills rows[] grouped by class in row order; cstart[c]..cstart[c+1] are the
 * rows of class c (one group when y_class is NULL).  Returns the count. */
static int collect(int n, const int *y_class, int nclasses, const unsigned char *y_missing,
                   int *rows, int *cstart, ut_err *e)
{
    int ng = y_class ? nclasses : 1;
    for (int g = 0; g <= ng; g++) cstart[g] = 0;
    for (int i = 0; i < n; i++) {
        if (y_class) {
            if (y_class[i] >= nclasses)
                return ut_errf(e, MLG_ERROR, "class code %d out of range (%d classes)", y_class[i], nclasses);
            if (y_class[i] >= 0) cstart[y_class[i] + 1]++;
        } else if (!(y_missing && y_missing[i])) {
            cstart[1]++;
        }
    }
    for (int g = 0; g < ng; g++) cstart[g + 1] += cstart[g];
    int *pos = malloc(sizeof(int) * (size_t)(ng > 0 ? ng : 1));
    if (!pos) return ut_errf(e, MLG_NOMEM, "out of memory");
    for (int g = 0; g < ng; g++) pos[g] = cstart[g];
    for (int i = 0; i < n; i++) {
        if (y_class) { if (y_class[i] >= 0) rows[pos[y_class[i]]++] = i; }
        else if (!(y_missing && y_missing[i])) rows[pos[0]++] = i;
    }
    free(pos);
    return cstart[ng];
}

/* Shared set-up: validates, fills fold[] with -1, collects and shuffles each
 * group with one generator.  Returns the number of participating rows. */
static int prepare(int n, const int *y_class, int nclasses, const unsigned char *y_missing,
                   uint64_t seed, int *fold, int **rows, int **cstart, ut_err *e)
{
    *rows = NULL;
    *cstart = NULL;
    if (n < 0 || (y_class && nclasses < 0)) return ut_errf(e, MLG_ERROR, "bad fold arguments");
    int ng = y_class ? nclasses : 1;
    *rows = malloc(sizeof(int) * (size_t)(n ? n : 1));
    *cstart = malloc(sizeof(int) * (size_t)(ng + 1));
    if (!*rows || !*cstart) return ut_errf(e, MLG_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) fold[i] = -1;
    int m = collect(n, y_class, nclasses, y_missing, *rows, *cstart, e);
    if (m < 0) return -1;
    ut_rng rng;
    ut_rng_seed(&rng, seed);
    for (int g = 0; g < ng; g++)
        ut_rng_shuffle_int(&rng, *rows + (*cstart)[g], (*cstart)[g + 1] - (*cstart)[g]);
    return m;
}

int rt_folds_cv(int n, int k, const int *y_class, int nclasses,
                const unsigned char *y_missing, uint64_t seed, int *fold, ut_err *e)
{
    if (k < 2) return ut_errf(e, MLG_ERROR, "CV needs at least 2 folds, got %d", k);
    int *rows, *cstart;
    int m = prepare(n, y_class, nclasses, y_missing, seed, fold, &rows, &cstart, e);
    if (m >= 0 && k > m) {
        ut_errf(e, MLG_DATA, "CV(%d) needs at least %d rows with a target, found %d", k, k, m);
        m = -1;
    }
    if (m >= 0) {
        /* Dealing round-robin over the class-grouped order, without restarting
         * per class, stratifies and keeps fold sizes within one of each other. */
        for (int i = 0; i < m; i++) fold[rows[i]] = i % k;
    } else {
        for (int i = 0; i < n; i++) fold[i] = -1;
    }
    free(rows);
    free(cstart);
    return m >= 0 ? 0 : -1;
}

/* Per-class test counts summing to ntest: floors of the proportional share,
 * the remainder to the largest fractional parts (lowest class first on ties). */
static void allocate(const int *cstart, int ng, int m, int ntest, int *quota)
{
    int given = 0;
    for (int g = 0; g < ng; g++) {
        int cnt = cstart[g + 1] - cstart[g];
        quota[g] = (int)floor((double)ntest * cnt / m);
        given += quota[g];
    }
    while (given < ntest) {
        int best = -1;
        double bestfrac = -1;
        for (int g = 0; g < ng; g++) {
            int cnt = cstart[g + 1] - cstart[g];
            if (quota[g] >= cnt) continue;
            double frac = (double)ntest * cnt / m - quota[g];
            if (frac > bestfrac) { bestfrac = frac; best = g; }
        }
        if (best < 0) break;
        quota[best]++;
        given++;
    }
}

int rt_folds_holdout(int n, double test_frac, const int *y_class, int nclasses,
                     const unsigned char *y_missing, uint64_t seed, int *fold, ut_err *e)
{
    if (!(test_frac > 0 && test_frac < 1))
        return ut_errf(e, MLG_ERROR, "holdout fraction must be between 0 and 1 (exclusive), got %g", test_frac);
    int *rows, *cstart, *quota = NULL;
    int m = prepare(n, y_class, nclasses, y_missing, seed, fold, &rows, &cstart, e);
    int ng = y_class ? nclasses : 1;
    int ntest = m > 0 ? (int)ceil(test_frac * m) : 0;
    if (m >= 0 && (m < 2 || ntest >= m)) {
        ut_errf(e, MLG_DATA, "holdout(%g) needs more rows with a target, found %d", test_frac, m);
        m = -1;
    }
    if (m >= 0 && !(quota = malloc(sizeof(int) * (size_t)(ng ? ng : 1)))) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        m = -1;
    }
    if (m >= 0) {
        allocate(cstart, ng, m, ntest, quota);
        for (int g = 0; g < ng; g++)
            for (int i = cstart[g]; i < cstart[g + 1]; i++)
                fold[rows[i]] = i - cstart[g] < quota[g] ? 0 : 1;
    } else {
        for (int i = 0; i < n; i++) fold[i] = -1;
    }
    free(quota);
    free(rows);
    free(cstart);
    return m >= 0 ? 0 : -1;
}
