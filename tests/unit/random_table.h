/* random_table.h — the random tables of the sharing tests (on vs off must
 * give the same scores on odd data, not only on the shipped datasets).
 * Each table is drawn with one kind of oddity: values rounded to integers
 * (many equal distances and split points), an all-zero column, a
 * duplicated column, missing values, repeated rows.  Include check.h and
 * fixture.h first. */
#ifndef TEST_RANDOM_TABLE_H
#define TEST_RANDOM_TABLE_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { RTAB_ROUNDED, RTAB_ZERO, RTAB_DUPLICATE, RTAB_MISSING, RTAB_REPEATED, RTAB_NKINDS };

/* A table of n rows at path: p numeric features of the kind, a categorical
 * column c when cat, the columns g (an integer 0..3, for FOLDS(g)) and ts
 * (increasing with the row, for TIME SPLIT ON ts) when extra, and y (a
 * class "k0".."k{K-1}" by quantile of a linear score, or that score when
 * reg).  Draws from *rng; 0, or -1 when the file cannot be written. */
static inline int rtab_write(unsigned long long *rng, const char *path, int n, int p, int K, int kind, int cat,
                             int reg, int extra)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    double *X = malloc((size_t)n * p * sizeof *X), *z = malloc((size_t)n * sizeof *z), w[16];
    if (!X || !z) {
        free(X);
        free(z);
        fclose(f);
        return -1;
    }
    for (int j = 0; j < p; j++) w[j] = fixture_gauss(rng);
    for (int i = 0; i < n; i++) {
        /* repeated rows: a third of the rows drawn, the rest copies */
        const double *src =
            kind == RTAB_REPEATED && i >= n / 3 ? X + (size_t)(int)(fixture_uniform(rng) * (n / 3)) * p : NULL;
        z[i] = fixture_gauss(rng);
        for (int j = 0; j < p; j++) {
            double v = src ? src[j] : fixture_gauss(rng);
            /* rounded: with one column only, a few values and symmetric
             * classes make two classes' decisions tie in exact arithmetic */
            if (kind == RTAB_ROUNDED && p > 1) v = round(v);
            /* beside another column: a table whose only feature is constant
             * leaves classes of equal count tied in exact arithmetic */
            if (kind == RTAB_ZERO && j == 0 && p > 1) v = 0;
            if (kind == RTAB_DUPLICATE && j == 1) v = X[(size_t)i * p];
            X[(size_t)i * p + j] = v;
            z[i] += w[j] * v;
        }
    }
    for (int j = 0; j < p; j++) fprintf(f, "x%d,", j);
    fprintf(f, "%s%sy\n", cat ? "c," : "", extra ? "g,ts," : "");
    /* class cut points: the K-quantiles of z */
    double cuts[8];
    for (int c = 1; c < K; c++) {   /* bisection on the rank */
        double lo = -20, hi = 20;
        for (int it = 0; it < 60; it++) {
            double mid = (lo + hi) / 2;
            int below = 0;
            for (int i = 0; i < n; i++) below += z[i] < mid;
            if (below < n * c / K) lo = mid;
            else hi = mid;
        }
        cuts[c - 1] = hi;
    }
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < p; j++) {
            double v = X[(size_t)i * p + j];
            /* missing: a tenth of x0, beside other columns — a row whose
             * every feature is imputed sits at the training mean, where a
             * model of balanced classes on centered features decides by an
             * exact tie (decision 0 in exact arithmetic, ±2e-17 by
             * rounding), which no two solvers need to break alike */
            if (kind == RTAB_MISSING && p > 1 && j == 0 && fixture_uniform(rng) < 0.1) fprintf(f, ",");
            else fprintf(f, "%.6g,", v);
        }
        if (cat) fprintf(f, "%c,", "abc"[(int)(fixture_uniform(rng) * 3)]);
        if (extra) {
            int g = (int)(fixture_uniform(rng) * 4);
            fprintf(f, "%d,%.6g,", g, i + 0.5 * fixture_uniform(rng));
        }
        if (reg) fprintf(f, "%.6g\n", z[i]);
        else {
            int c = 0;
            while (c < K - 1 && z[i] >= cuts[c]) c++;
            fprintf(f, "k%d\n", c);
        }
    }
    free(X);
    free(z);
    return fclose(f);
}


#endif
