/* nb_folds.c — sharing rule 2 for gaussian nb (nb_folds.h): class
 * statistics per fold block, training statistics by subtraction. */
#include "nb_folds.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"
#include "ridge_folds.h"
#include "../include/mileage.h"

struct rt_nb_folds {
    int p, K, nfolds;
    double *shift;   /* p: full-data mean the sums are taken around */
    /* per fold f and in total (index nfolds), F = nfolds + 1 blocks: */
    double *n;       /* F x K: rows of each class */
    double *s1;      /* F x K x p: sums of shifted values */
    double *s2;      /* F x K x p: sums of squared shifted values */
    double *lo, *hi; /* F x p: raw minimum and maximum */
    double *clo, *chi; /* F x K x p: the same per class (a feature constant
                          within a class has variance 0 exactly, as the
                          direct fit computes it) */
};

void rt_nb_folds_free(rt_nb_folds *nf)
{
    if (!nf) return;
    free(nf->shift);
    free(nf);
}

int rt_nb_folds_p(const rt_nb_folds *nf) { return nf->p; }

int rt_nb_folds_ntrain(const rt_nb_folds *nf, int k)
{
    if (k < 0 || k >= nf->nfolds) return -1;
    double n = 0;
    for (int c = 0; c < nf->K; c++) n += nf->n[(size_t)nf->nfolds * nf->K + c] - nf->n[(size_t)k * nf->K + c];
    return (int)n;
}

int rt_nb_folds_new(const rt_table *t, int target, const int *fold, int nfolds, const int *yc, int nclasses,
                    rt_nb_folds **out, ut_err *e)
{
    *out = NULL;
    int p = nclasses > 0 ? rt_ridge_folds_eligible(t, target, fold, nfolds, yc, NULL, nclasses) : 0;
    if (p == 0) return 0;
    size_t P = (size_t)p, F = (size_t)nfolds + 1, K = (size_t)nclasses;
    rt_nb_folds *nf = calloc(1, sizeof *nf);
    /* one zeroed block: the sums start from 0 */
    double *mem = calloc(P + F * K + 4 * F * K * P + 2 * F * P, sizeof *mem);
    int *cols = malloc(P * sizeof *cols);
    if (!nf || !mem || !cols) {
        free(nf);
        free(mem);
        free(cols);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    double *b = mem + P + F * K;
    *nf = (rt_nb_folds){p,         nclasses,          nfolds, mem, mem + P, b, b + F * K * P, b + 2 * F * K * P,
                        b + 2 * F * K * P + F * P, b + 2 * F * K * P + 2 * F * P, b + 3 * F * K * P + 2 * F * P};
    for (int j = 0, q = 0; j < t->ncols; j++)
        if (j != target) cols[q++] = j;
    long m = 0;
    for (int i = 0; i < t->nrows; i++) m += fold[i] >= 0;
    for (int q = 0; q < p; q++) {
        const double *x = t->cols[cols[q]].num;
        double s = 0;
        for (int i = 0; i < t->nrows; i++)
            if (fold[i] >= 0) s += x[i];
        nf->shift[q] = s / (double)(m ? m : 1);
    }
    for (size_t q = 0; q < F * P; q++) nf->lo[q] = INFINITY, nf->hi[q] = -INFINITY;
    for (size_t q = 0; q < F * K * P; q++) nf->clo[q] = INFINITY, nf->chi[q] = -INFINITY;
    for (int i = 0; i < t->nrows; i++)
        if (fold[i] >= 0) nf->n[(size_t)fold[i] * K + (size_t)yc[i]] += 1;
    /* column by column: each is one array of the table */
    for (int q = 0; q < p; q++) {
        const double *x = t->cols[cols[q]].num;
        double g = nf->shift[q];
        for (int i = 0; i < t->nrows; i++) {
            int f = fold[i];
            if (f < 0) continue;
            double v = x[i], d = v - g;
            size_t o = ((size_t)f * K + (size_t)yc[i]) * P + (size_t)q;
            nf->s1[o] += d;
            nf->s2[o] += d * d;
            double *lo = nf->lo + (size_t)f * P + q, *hi = nf->hi + (size_t)f * P + q;
            if (v < *lo) *lo = v;
            if (v > *hi) *hi = v;
            if (v < nf->clo[o]) nf->clo[o] = v;
            if (v > nf->chi[o]) nf->chi[o] = v;
        }
    }
    free(cols);
    /* the totals, block nfolds */
    size_t T = (size_t)nfolds;
    int finite = 1;
    for (size_t f = 0; f < T; f++) {
        for (size_t c = 0; c < K; c++) {
            nf->n[T * K + c] += nf->n[f * K + c];
            for (size_t q = 0; q < P; q++) {
                nf->s1[(T * K + c) * P + q] += nf->s1[(f * K + c) * P + q];
                nf->s2[(T * K + c) * P + q] += nf->s2[(f * K + c) * P + q];
            }
        }
        for (size_t q = 0; q < P; q++) {
            nf->lo[T * P + q] = fmin(nf->lo[T * P + q], nf->lo[f * P + q]);
            nf->hi[T * P + q] = fmax(nf->hi[T * P + q], nf->hi[f * P + q]);
        }
    }
    for (size_t q = 0; q < F * K * P; q++) finite &= isfinite(nf->s2[q]);
    if (!finite) {   /* squares overflow: the design's own fit decides */
        rt_nb_folds_free(nf);
        return 0;
    }
    *out = nf;
    return 0;
}

/* Round k's statistics in the design's units: class counts cnt, means
 * theta and population variances var (K x p), the features that vary
 * (use), the largest feature variance (*vmax).  1 when subtracting would
 * lose accuracy (see nb_folds.h), else 0. */
static int round_stats(const rt_nb_folds *nf, int k, int standardize, int *cnt, int *ntot, double *theta, double *var,
                       unsigned char *use, double *vmax)
{
    int p = nf->p, K = nf->K;
    size_t T = (size_t)nf->nfolds, P = (size_t)p;
    double n = 0;
    for (int c = 0; c < K; c++) {
        cnt[c] = (int)(nf->n[T * K + c] - nf->n[(size_t)k * K + c]);
        n += cnt[c];
    }
    *ntot = (int)n;
    *vmax = 0;
    for (int q = 0; q < p; q++) {
        double lo = INFINITY, hi = -INFINITY, a1 = 0, a2 = 0;
        for (int f = 0; f < nf->nfolds; f++) {
            if (f == k) continue;
            lo = fmin(lo, nf->lo[(size_t)f * P + q]);
            hi = fmax(hi, nf->hi[(size_t)f * P + q]);
        }
        use[q] = lo != hi;
        /* every class's training sums, then the column's */
        for (int c = 0; c < K; c++) {
            size_t ot = (T * K + c) * P + q, ok = ((size_t)k * K + c) * P + q;
            double s1 = nf->s1[ot] - nf->s1[ok], s2 = nf->s2[ot] - nf->s2[ok];
            a1 += s1;
            a2 += s2;
            size_t o = (size_t)c * P + q;
            if (cnt[c] == 0) {
                theta[o] = var[o] = 0;
                continue;
            }
            double clo = INFINITY, chi = -INFINITY;
            for (int f = 0; f < nf->nfolds; f++) {
                if (f == k) continue;
                clo = fmin(clo, nf->clo[((size_t)f * K + c) * P + q]);
                chi = fmax(chi, nf->chi[((size_t)f * K + c) * P + q]);
            }
            if (clo == chi) {   /* constant within the class: exactly */
                theta[o] = clo;
                var[o] = 0;
                continue;
            }
            double m = s1 / cnt[c], v = s2 / cnt[c] - m * m;
            if (v < 0) v = 0;
            /* a class mean far out in its own deviations: the difference
             * of squares above has lost the digits that matter */
            if (use[q] && m * m > 1e6 * v) return 1;
            theta[o] = nf->shift[q] + m;
            var[o] = v;
        }
        double m = a1 / n, v = a2 / n - m * m, mean = nf->shift[q] + m;
        if (v < 0) v = 0;
        double scale = 1;
        if (standardize && use[q]) {
            /* StandardScaler keeps scale 1 for a variance at rounding level
             * of the mean; where that is a close call here, decline */
            if (!(v > 1e-10 * mean * mean)) return 1;
            scale = sqrt(v);
        }
        if (standardize) {
            for (int c = 0; c < K; c++) {
                size_t o = (size_t)c * P + q;
                if (cnt[c] == 0) continue;
                theta[o] = (theta[o] - mean) / scale;
                var[o] = var[o] / (scale * scale);
            }
            v = use[q] ? v / (scale * scale) : 0;
        }
        if (v > *vmax) *vmax = v;
    }
    return 0;
}

int rt_fit_predict_nb_folds(const rt_nb_folds *nf, int k, int standardize, const rt_pval *const *params, int ncfg,
                            int p, const double *Xt, int nt, rt_group_out *out, ut_err *e)
{
    if (p != nf->p || k < 0 || k >= nf->nfolds) return 1;
    for (int c = 0; c < ncfg; c++) {
        /* var_smoothing below 1e-12 leaves variances as small as the
         * direct fit's rounding of a constant class's values: both are
         * noise there, and they differ */
        const char *type = params[c][1].str ? params[c][1].str : "gaussian";
        if (ut_strcasecmp(type, "gaussian") || !(params[c][0].num >= 1e-12) || !isfinite(params[c][0].num)) return 1;
    }
    double t0 = ut_now();
    int K = nf->K, n = 0, rc = -1;
    size_t kp = (size_t)K * (size_t)(p > 0 ? p : 1);
    int *cnt = malloc((size_t)K * sizeof *cnt);
    double *theta = malloc(kp * sizeof *theta), *var = malloc(kp * sizeof *var), vmax = 0;
    unsigned char *use = malloc((size_t)(p > 0 ? p : 1));
    if (!cnt || !theta || !var || !use) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto done;
    }
    if (round_stats(nf, k, standardize, cnt, &n, theta, var, use, &vmax)) {
        rc = 1;
        goto done;
    }
    rc = 0;
    for (int c = 0; c < ncfg && !rc; c++) {
        rt_model *m = calloc(1, sizeof *m);
        ut_err me;
        ut_err_clear(&me);
        if (!m) {
            rc = ut_errf(e, MLG_NOMEM, "out of memory");
            break;
        }
        m->family = RT_FAM_NB;
        m->p = p;
        m->nclasses = K;
        int frc = rt_nb_gaussian_from_stats(m, K, p, cnt, n, theta, var, use, params[c][0].num * vmax, &me);
        if (!frc) frc = rt_predict(m, Xt, nt, p, out[c].pred, out[c].proba, &me);
        rt_model_free(m);
        if (frc && rt_keep_error(&out[c], &me, e)) rc = -1;
    }
    for (int c = 0; c < ncfg; c++) out[c].fit_seconds = (ut_now() - t0) / ncfg;
done:
    free(cnt);
    free(theta);
    free(var);
    free(use);
    return rc;
}
