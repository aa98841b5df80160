/* ridge_folds.c — sharing rule 2 (ridge_folds.h): per-fold Gram blocks,
 * training statistics by subtraction, one eigendecomposition per round. */
#include "ridge_folds.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"
#include "linalg.h"
#include "../include/mileage.h"

#define RF_BLOCK 2048   /* rows gathered per Gram update */
#define RT_RIDGE_FOLDS_NOMEM ((const char *)1)

struct rt_ridge_folds {
    int p, nout, nfolds, nclasses;
    int *cols;          /* p: table columns of the features, in design order */
    /* one block (mem, rt_ridge_folds_doubles of them) holding, in order: */
    double *mem;
    double *shift;      /* p: full-data mean the blocks are taken around */
    /* per fold f and in total (index nfolds): */
    double *n;          /* rows */
    double *s;          /* p: sums of shifted values */
    double *S;          /* p x p: Gram of shifted values */
    double *T;          /* p x nout: shifted values times targets */
    double *u;          /* nout: target sums */
    double *lo, *hi;    /* p: raw minimum and maximum */
};

static int nout_of(int nclasses) { return nclasses > 2 ? nclasses : 1; }

size_t rt_ridge_folds_doubles(int p, int nfolds, int nclasses)
{
    size_t P = (size_t)p, F = (size_t)nfolds + 1, K = (size_t)nout_of(nclasses);
    return P + F * (1 + P + P * P + P * K + K + 2 * P);
}

void rt_ridge_folds_free(rt_ridge_folds *rf)
{
    if (!rf) return;
    free(rf->cols);
    free(rf->mem);
    free(rf);
}

/* The views into block mem, in the order rt_ridge_folds_doubles counts
 * (rf's p, nfolds and nout set). */
static void lay(rt_ridge_folds *rf, double *mem)
{
    size_t P = (size_t)rf->p, F = (size_t)rf->nfolds + 1, K = (size_t)rf->nout;
    rf->mem = mem;
    rf->shift = mem;
    rf->n = rf->shift + P;
    rf->s = rf->n + F;
    rf->S = rf->s + F * P;
    rf->T = rf->S + F * P * P;
    rf->u = rf->T + F * P * K;
    rf->lo = rf->u + F * K;
    rf->hi = rf->lo + F * P;
}

/* A struct over block mem (taken on success), the views laid out in the
 * order rt_ridge_folds_doubles counts; NULL when memory ran out. */
static rt_ridge_folds *wrap(const rt_table *t, int target, int p, int nfolds, int nclasses, double *mem)
{
    rt_ridge_folds *rf = calloc(1, sizeof *rf);
    int *cols = malloc((size_t)p * sizeof *cols + 1);
    if (!rf || !cols) {
        free(rf);
        free(cols);
        return NULL;
    }
    rf->p = p;
    rf->nout = nout_of(nclasses);
    rf->nfolds = nfolds;
    rf->nclasses = nclasses;
    rf->cols = cols;
    for (int j = 0, q = 0; j < t->ncols; j++)
        if (j != target) cols[q++] = j;
    lay(rf, mem);
    return rf;
}

int rt_ridge_folds_p(const rt_ridge_folds *rf) { return rf->p; }

int rt_ridge_folds_ntrain(const rt_ridge_folds *rf, int k)
{
    return k >= 0 && k < rf->nfolds ? (int)(rf->n[rf->nfolds] - rf->n[k]) : -1;
}

/* Target row i as ridge codes it: the value, or +-1 indicators. */
static void target_row(const rt_ridge_folds *rf, const int *yc, const double *y, int i, double *out)
{
    int K = rf->nclasses;
    for (int k = 0; k < rf->nout; k++)
        out[k] = K == 0 ? y[i] : rf->nout == 1 ? (yc[i] == K - 1 ? 1.0 : -1.0) : (yc[i] == k ? 1.0 : -1.0);
}

int rt_ridge_folds_eligible(const rt_table *t, int target, const int *fold, int nfolds, const int *yc,
                            const double *y, int nclasses)
{
    int p = 0;
    for (int j = 0; j < t->ncols; j++) {
        if (j == target) continue;
        if (t->cols[j].type != RT_NUMERIC || t->cols[j].missing) return 0;
        p++;
    }
    for (int i = 0; i < t->nrows; i++)
        if (fold[i] >= nfolds || (fold[i] >= 0 && (nclasses ? yc[i] < 0 : !isfinite(y[i])))) return 0;
    return nfolds >= 2 ? p : 0;
}

int rt_ridge_folds_new(const rt_table *t, int target, const int *fold, int nfolds, const int *yc,
                       const double *y, int nclasses, rt_ridge_folds **out, ut_err *e)
{
    *out = NULL;
    int p = rt_ridge_folds_eligible(t, target, fold, nfolds, yc, y, nclasses);
    if (p == 0) return 0;
    int nout = nout_of(nclasses), F = nfolds + 1;
    /* zeroed: the sums below start from 0 */
    double *mem = calloc(rt_ridge_folds_doubles(p, nfolds, nclasses), sizeof *mem);
    rt_ridge_folds *rf = mem ? wrap(t, target, p, nfolds, nclasses, mem) : NULL;
    double *buf = malloc((size_t)RF_BLOCK * p * sizeof *buf);
    double *yb = malloc((size_t)RF_BLOCK * nout * sizeof *yb);
    if (!rf || !buf || !yb) {
        if (!rf) free(mem);
        free(buf);
        free(yb);
        rt_ridge_folds_free(rf);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    long m = 0;
    for (int i = 0; i < t->nrows; i++) {
        if (fold[i] < 0) continue;
        m++;
        for (int q = 0; q < p; q++) rf->shift[q] += t->cols[rf->cols[q]].num[i];
    }
    for (int q = 0; q < p; q++) rf->shift[q] /= (double)(m ? m : 1);
    for (size_t q = 0; q < (size_t)F * p; q++) rf->lo[q] = INFINITY, rf->hi[q] = -INFINITY;
    /* one fold at a time, its rows in blocks */
    for (int f = 0; f < nfolds; f++) {
        double *s = rf->s + (size_t)f * p, *S = rf->S + (size_t)f * p * p, *T = rf->T + (size_t)f * p * nout;
        double *u = rf->u + (size_t)f * nout, *lo = rf->lo + (size_t)f * p, *hi = rf->hi + (size_t)f * p;
        int nb = 0;
        for (int i = 0; i <= t->nrows; i++) {
            if (i < t->nrows && fold[i] == f) {
                for (int q = 0; q < p; q++) {
                    double v = t->cols[rf->cols[q]].num[i];
                    lo[q] = v < lo[q] ? v : lo[q];
                    hi[q] = v > hi[q] ? v : hi[q];
                    buf[(size_t)nb * p + q] = v - rf->shift[q];
                    s[q] += v - rf->shift[q];
                }
                target_row(rf, yc, y, i, yb + (size_t)nb * nout);
                for (int k = 0; k < nout; k++) u[k] += yb[(size_t)nb * nout + k];
                nb++;
                rf->n[f] += 1;
            }
            if (nb == RF_BLOCK || (i == t->nrows && nb > 0)) {
                la_gram(nb, p, buf, 1.0, 1.0, S);
                la_gemm(1, 0, p, nout, nb, 1.0, buf, yb, 1.0, T);
                nb = 0;
            }
        }
    }
    free(buf);
    free(yb);
    /* the totals */
    size_t tot = (size_t)nfolds;
    for (int f = 0; f < nfolds; f++) {
        rf->n[tot] += rf->n[f];
        for (int q = 0; q < p; q++) {
            rf->s[tot * p + q] += rf->s[(size_t)f * p + q];
            rf->lo[tot * p + q] = fmin(rf->lo[tot * p + q], rf->lo[(size_t)f * p + q]);
            rf->hi[tot * p + q] = fmax(rf->hi[tot * p + q], rf->hi[(size_t)f * p + q]);
        }
        for (size_t q = 0; q < (size_t)p * p; q++) rf->S[tot * p * p + q] += rf->S[(size_t)f * p * p + q];
        for (size_t q = 0; q < (size_t)p * nout; q++) rf->T[tot * p * nout + q] += rf->T[(size_t)f * p * nout + q];
        for (int k = 0; k < nout; k++) rf->u[tot * nout + k] += rf->u[(size_t)f * nout + k];
    }
    /* values too large for their squares (overflow) leave the design path
     * to decide: standardizing first may keep that one finite */
    int finite = 1;
    for (size_t q = 0; q < (size_t)(nfolds + 1) * p * p; q++) finite &= isfinite(rf->S[q]);
    for (size_t q = 0; q < (size_t)(nfolds + 1) * p * nout; q++) finite &= isfinite(rf->T[q]);
    if (!finite) {
        rt_ridge_folds_free(rf);
        return 0;
    }
    *out = rf;
    return 0;
}

int rt_ridge_folds_nfolds(const rt_ridge_folds *rf) { return rf->nfolds; }
int rt_ridge_folds_nclasses(const rt_ridge_folds *rf) { return rf->nclasses; }

const double *rt_ridge_folds_data(const rt_ridge_folds *rf, size_t *ndoubles)
{
    *ndoubles = rt_ridge_folds_doubles(rf->p, rf->nfolds, rf->nclasses);
    return rf->mem;
}

/* Why block v (views laid out in v) cannot be the statistics of fold[]'s
 * rows, or NULL.  Everything the payload's size allows is checked: the
 * rows per fold against the folds, every number finite, the column ranges
 * and totals exactly as rt_ridge_folds_new forms them (same operations in
 * the same order: the same bits), each Gram block symmetric with a
 * diagonal >= 0, classification targets sums of +-1 codes.  Only what
 * needs the table's values again (the Gram and cross products themselves)
 * is not recomputed: that is what loading saves. */
static const char *check(const rt_ridge_folds *v, const rt_table *t, const int *fold)
{
    size_t P = (size_t)v->p, F = (size_t)v->nfolds, K = (size_t)v->nout, PP = P * P, PK = P * K;
    long *cnt = calloc(F + 1, sizeof *cnt);
    if (!cnt) return RT_RIDGE_FOLDS_NOMEM;
    long total = 0;
    for (int i = 0; i < t->nrows; i++)
        if (fold[i] >= 0 && fold[i] < (int)F) cnt[fold[i]]++, total++;
    int ok = v->n[F] == (double)total;
    for (size_t f = 0; f < F; f++) ok &= v->n[f] == (double)cnt[f];
    free(cnt);
    if (!ok) return "its rows per fold are not the task's";
    const struct {
        const double *x;
        size_t len;
    } sums[] = {{v->n, 1}, {v->s, P}, {v->S, PP}, {v->T, PK}, {v->u, K}};
    for (size_t q = 0; q < P; q++)
        if (!isfinite(v->shift[q])) return "its statistics are not finite numbers";
    for (size_t a = 1; a < sizeof sums / sizeof *sums; a++)
        for (size_t q = 0; q < (F + 1) * sums[a].len; q++)
            if (!isfinite(sums[a].x[q])) return "its statistics are not finite numbers";
    for (size_t a = 0; a < sizeof sums / sizeof *sums; a++)
        for (size_t q = 0; q < sums[a].len; q++) {
            double tot = 0;
            for (size_t f = 0; f < F; f++) tot += sums[a].x[f * sums[a].len + q];
            if (!(sums[a].x[F * sums[a].len + q] == tot)) return "its totals are not the sums of its fold blocks";
        }
    for (size_t q = 0; q < P; q++) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t f = 0; f < F; f++) {
            double l = v->lo[f * P + q], h = v->hi[f * P + q];
            if (v->n[f] > 0 ? !(isfinite(l) && isfinite(h) && l <= h) : !(l == INFINITY && h == -INFINITY))
                return "its column ranges are not those of its rows";
            lo = fmin(lo, l);
            hi = fmax(hi, h);
        }
        if (!(v->lo[F * P + q] == lo && v->hi[F * P + q] == hi)) return "its column ranges are not those of its rows";
    }
    for (size_t f = 0; f <= F; f++) {
        const double *S = v->S + f * PP;
        for (size_t i = 0; i < P; i++) {
            if (!(S[i * P + i] >= 0)) return "its Gram blocks are not Gram matrices";
            for (size_t j = 0; j < i; j++)
                if (!(S[i * P + j] == S[j * P + i])) return "its Gram blocks are not Gram matrices";
        }
    }
    for (size_t f = 0; v->nclasses && f <= F; f++)
        for (size_t k = 0; k < K; k++) {
            double u = v->u[f * K + k];
            if (!(u == floor(u) && fabs(u) <= v->n[f] && fmod(u + v->n[f], 2.0) == 0))
                return "its target sums are not sums of +-1 codes";
        }
    return NULL;
}

int rt_ridge_folds_adopt(const rt_table *t, int target, const int *fold, int nfolds, int p, int nclasses, double *mem,
                         size_t ndoubles, rt_ridge_folds **out, const char **why)
{
    *out = NULL;
    *why = NULL;
    if (target < 0 || target >= t->ncols || p != t->ncols - 1 || nfolds < 2 || nclasses < 0 ||
        ndoubles != rt_ridge_folds_doubles(p, nfolds, nclasses)) {
        *why = "its shape does not match the task (folds, columns, classes)";
        return 1;
    }
    rt_ridge_folds v;
    memset(&v, 0, sizeof v);
    v.p = p;
    v.nfolds = nfolds;
    v.nclasses = nclasses;
    v.nout = nout_of(nclasses);
    lay(&v, mem);
    *why = check(&v, t, fold);
    if (*why == RT_RIDGE_FOLDS_NOMEM) {
        *why = NULL;
        return -1;
    }
    if (*why) return 1;
    if (!(*out = wrap(t, target, p, nfolds, nclasses, mem))) return -1;
    return 0;
}

/* Round k's models for every alpha, as rt_ridge_folds_fit says.  With
 * max_cond2 > 0 (linreg: alpha 0 alone), *declined is set and nothing is
 * fitted when the training Gram's condition number (over the columns not
 * flat on the training rows) passes max_cond2. */
static int round_fit(const rt_ridge_folds *rf, int k, int standardize, const double *alphas, int nalpha,
                     rt_model *const *models, char **err, double max_cond2, int *declined, ut_err *e)
{
    int p = rf->p, nout = rf->nout, F = rf->nfolds, rc = -1, nflat = 0;
    if (k < 0 || k >= F) return ut_errf(e, MLG_ERROR, "ridge: no fold %d", k);
    double *C = malloc((size_t)p * p * sizeof *C), *B = malloc((size_t)p * nout * sizeof *B);
    double *a = malloc((size_t)p * sizeof *a), *d = malloc((size_t)p * sizeof *d);
    double *lam = malloc((size_t)p * sizeof *lam), *VB = malloc((size_t)p * nout * sizeof *VB);
    double *Tm = malloc((size_t)p * nout * sizeof *Tm), *W = malloc((size_t)p * nout * sizeof *W);
    double *ym = malloc((size_t)nout * sizeof *ym), *xm = malloc((size_t)p * sizeof *xm);
    if (!C || !B || !a || !d || !lam || !VB || !Tm || !W || !ym || !xm) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto done;
    }
    const size_t fk = (size_t)k, ft = (size_t)F;
    double n = rf->n[ft] - rf->n[fk];
    if (n < 1) {
        for (int i = 0; i < nalpha; i++) err[i] = ut_strdup("ridge: no training rows");
        rc = 0;
        goto done;
    }
    /* training = total - fold k; centred on the training mean a (shifted) */
    for (int q = 0; q < p; q++) a[q] = (rf->s[ft * p + q] - rf->s[fk * p + q]) / n;
    for (int k2 = 0; k2 < nout; k2++) ym[k2] = (rf->u[ft * nout + k2] - rf->u[fk * nout + k2]) / n;
    for (int i = 0; i < p; i++)
        for (int j = 0; j < p; j++)
            C[(size_t)i * p + j] = rf->S[ft * p * p + (size_t)i * p + j] - rf->S[fk * p * p + (size_t)i * p + j]
                                   - n * a[i] * a[j];
    for (int i = 0; i < p; i++)
        for (int k2 = 0; k2 < nout; k2++)
            B[(size_t)i * nout + k2] = rf->T[ft * p * nout + (size_t)i * nout + k2]
                                       - rf->T[fk * p * nout + (size_t)i * nout + k2] - n * a[i] * ym[k2];
    /* columns constant on the training rows centre to exactly zero; the
     * others are scaled as StandardScaler (tf_scale.c) would scale them */
    for (int q = 0; q < p; q++) {
        double lo = INFINITY, hi = -INFINITY;
        for (int f = 0; f < F; f++)
            if (f != k) lo = fmin(lo, rf->lo[(size_t)f * p + q]), hi = fmax(hi, rf->hi[(size_t)f * p + q]);
        int flat = !(hi > lo);
        nflat += flat;
        if (flat) {
            for (int j = 0; j < p; j++) C[(size_t)q * p + j] = C[(size_t)j * p + q] = 0.0;
            for (int k2 = 0; k2 < nout; k2++) B[(size_t)q * nout + k2] = 0.0;
        }
        d[q] = 1.0;
        if (standardize && !flat) {
            double var = C[(size_t)q * p + q] / n, mean = a[q] + rf->shift[q];
            double eps = DBL_EPSILON, nm = n * mean * eps;
            int constant = var <= n * eps * var + nm * nm;
            d[q] = constant ? 1.0 : 1.0 / sqrt(var);
        }
        xm[q] = standardize ? 0.0 : a[q] + rf->shift[q];   /* the design's training mean */
    }
    for (int i = 0; i < p; i++) {
        for (int j = 0; j < p; j++) C[(size_t)i * p + j] *= d[i] * d[j];
        for (int k2 = 0; k2 < nout; k2++) B[(size_t)i * nout + k2] *= d[i];
    }
    for (size_t i = 0; i < (size_t)p * p; i++)
        if (!isfinite(C[i])) {
            for (int c = 0; c < nalpha; c++)
                err[c] = ut_strdup("ridge: the Gram matrix X'X is not finite (a feature value is infinite or"
                                   " too large; scale the data first)");
            rc = 0;
            goto done;
        }
    /* one eigendecomposition for every alpha */
    if (la_syev(p, C, lam) != 0) {
        for (int c = 0; c < nalpha; c++) err[c] = ut_strdup("ridge: eigendecomposition did not converge");
        rc = 0;
        goto done;
    }
    /* flat columns are exact zero rows and columns: the smallest
     * eigenvalues, 0, which the cutoff below leaves out */
    if (max_cond2 > 0 && !(nflat < p && lam[nflat] > 0 && lam[p - 1] <= max_cond2 * lam[nflat])) {
        *declined = 1;
        rc = 0;
        goto done;
    }
    la_gemm(1, 0, p, nout, p, 1.0, C, B, 0.0, VB);   /* V'B */
    for (int c = 0; c < nalpha; c++) {
        double alpha = alphas[c];
        rt_model *m = models[c];
        if (!(alpha >= 0) || !isfinite(alpha)) {
            char msg[96];
            snprintf(msg, sizeof msg, "ridge: alpha must be >= 0 (got %g)", alpha);
            err[c] = ut_strdup(msg);
            continue;
        }
        double top = lam[p - 1] + alpha, cutoff = top > 0 ? top * p * DBL_EPSILON : 0.0;
        for (int j = 0; j < p; j++) {
            double dd = lam[j] + alpha, inv = dd > cutoff ? 1.0 / dd : 0.0;
            for (int k2 = 0; k2 < nout; k2++) Tm[(size_t)j * nout + k2] = VB[(size_t)j * nout + k2] * inv;
        }
        la_gemm(0, 0, p, nout, p, 1.0, C, Tm, 0.0, W);
        m->nout = nout;
        m->coef = calloc((size_t)nout * p, sizeof *m->coef);
        m->intercept = calloc((size_t)nout, sizeof *m->intercept);
        if (!m->coef || !m->intercept) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto done;
        }
        int finite = 1;
        for (int k2 = 0; k2 < nout; k2++) {
            double b = ym[k2];
            for (int j = 0; j < p; j++) {
                double w = W[(size_t)j * nout + k2];
                m->coef[(size_t)k2 * p + j] = w;
                b -= xm[j] * w;
                finite &= isfinite(w);
            }
            m->intercept[k2] = b;
        }
        if (!finite) err[c] = ut_strdup("ridge: non-finite coefficients");
    }
    rc = 0;
done:
    free(C);
    free(B);
    free(a);
    free(d);
    free(lam);
    free(VB);
    free(Tm);
    free(W);
    free(ym);
    free(xm);
    return rc;
}

int rt_ridge_folds_fit(const rt_ridge_folds *rf, int k, int standardize, const double *alphas, int nalpha,
                       rt_model *const *models, char **err, ut_err *e)
{
    return round_fit(rf, k, standardize, alphas, nalpha, models, err, 0, NULL, e);
}

int rt_ridge_folds_linreg(const rt_ridge_folds *rf, int k, int standardize, rt_model *m, int *declined, ut_err *e)
{
    static const double zero = 0.0;
    *declined = 0;
    if (rf->nclasses > 0) return ut_errf(e, MLG_MISUSE, "linreg: a regression target is needed");
    char *why = NULL;
    if (round_fit(rf, k, standardize, &zero, 1, &m, &why, RT_LINREG_FOLDS_COND2, declined, e)) return -1;
    if (why) {   /* no rows, or not finite: the design's fit says what went wrong */
        free(why);
        free(m->coef), free(m->intercept);
        m->coef = m->intercept = NULL;
        *declined = 1;
    }
    return 0;
}
