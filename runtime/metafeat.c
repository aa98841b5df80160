/* metafeat.c — dataset and task meta-features (metafeat.h).  The
 * landmarkers are deliberately tiny self-contained learners, not the model
 * families: they must cost milliseconds at CREATE TASK and never fail on
 * odd data (constant columns, missing values, many levels). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "metafeat.h"
#include "../include/mileage.h"

double rt_skewness(const double *x, int n)
{
    double s = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(x[i])) s += x[i], k++;
    if (k < 2) return NAN;
    double m = s / k, m2 = 0, m3 = 0;
    for (int i = 0; i < n; i++) {
        if (isnan(x[i])) continue;
        double d = x[i] - m;
        m2 += d * d, m3 += d * d * d;
    }
    m2 /= k, m3 /= k;
    /* relative to the scale: round-off spread counts as none */
    if (!(m2 > 1e-24 * (m * m + 1e-300))) return NAN;
    return m3 / pow(m2, 1.5);
}

double rt_kurtosis(const double *x, int n)
{
    double s = 0;
    int k = 0;
    for (int i = 0; i < n; i++)
        if (!isnan(x[i])) s += x[i], k++;
    if (k < 2) return NAN;
    double m = s / k, m2 = 0, m4 = 0;
    for (int i = 0; i < n; i++) {
        if (isnan(x[i])) continue;
        double d = x[i] - m;
        m2 += d * d, m4 += d * d * d * d;
    }
    m2 /= k, m4 /= k;
    if (!(m2 > 1e-24 * (m * m + 1e-300))) return NAN;
    return m4 / (m2 * m2) - 3;
}

double rt_entropy(const long *counts, int k)
{
    double tot = 0, h = 0;
    for (int i = 0; i < k; i++) tot += counts[i] > 0 ? counts[i] : 0;
    if (tot <= 0) return 0;
    for (int i = 0; i < k; i++)
        if (counts[i] > 0) {
            double p = counts[i] / tot;
            h -= p * log2(p);
        }
    return h;
}

void rt_meta_dataset(const rt_table *t, double out[RT_META_DS])
{
    int ncat = 0, nsk = 0, nku = 0;
    long missing = 0;
    double sk[3] = {INFINITY, 0, -INFINITY}, ku[3] = {INFINITY, 0, -INFINITY};
    for (int j = 0; j < t->ncols; j++) {
        const rt_column *c = &t->cols[j];
        missing += c->missing;
        if (c->type == RT_CATEGORICAL) {
            ncat++;
            continue;
        }
        double s = rt_skewness(c->num, t->nrows), k = rt_kurtosis(c->num, t->nrows);
        if (!isnan(s)) sk[0] = fmin(sk[0], s), sk[1] += s, sk[2] = fmax(sk[2], s), nsk++;
        if (!isnan(k)) ku[0] = fmin(ku[0], k), ku[1] += k, ku[2] = fmax(ku[2], k), nku++;
    }
    out[0] = t->nrows;
    out[1] = t->ncols;
    out[2] = t->nrows > 0 ? (double)t->ncols / t->nrows : NAN;
    out[3] = t->ncols > 0 ? (double)ncat / t->ncols : NAN;
    out[4] = t->nrows > 0 && t->ncols > 0 ? (double)missing / ((double)t->nrows * t->ncols) : NAN;
    out[5] = nsk ? sk[0] : NAN, out[6] = nsk ? sk[1] / nsk : NAN, out[7] = nsk ? sk[2] : NAN;
    out[8] = nku ? ku[0] : NAN, out[9] = nku ? ku[1] / nku : NAN, out[10] = nku ? ku[2] : NAN;
}

/* ---- landmarkers ---- */

/* The sample as the learners see it: numeric features standardized with
 * the training part's mean and std (missing → 0, the mean), categorical
 * features as level codes (missing is a level of its own). */
typedef struct {
    int n, ntr, pn, pc;
    double *x;     /* n x pn */
    int *c;        /* n x pc */
    int *yc;       /* classification: class of each sample row */
    double *y;     /* regression */
    int k;         /* classes */
    int *nlev;     /* pc: levels + 1 (the missing level) */
} sample;

static void sample_free(sample *s)
{
    free(s->x), free(s->c), free(s->yc), free(s->y), free(s->nlev);
}

static int sample_build(const rt_table *t, int target, const int *yc, int k, sample *s)
{
    memset(s, 0, sizeof *s);
    const rt_column *tc = &t->cols[target];
    int *rows = malloc((size_t)t->nrows * sizeof *rows + 1), m = 0;
    if (!rows) return -1;
    for (int i = 0; i < t->nrows; i++)
        if (yc ? yc[i] >= 0 : !isnan(tc->num[i])) rows[m++] = i;
    ut_rng r;
    ut_rng_seed(&r, 0x3e7afea7ULL);   /* fixed: the same data gives the same numbers */
    ut_rng_shuffle_int(&r, rows, m);
    s->n = m < RT_META_SAMPLE ? m : RT_META_SAMPLE;
    s->ntr = (2 * s->n + 2) / 3;
    s->k = k;
    for (int j = 0; j < t->ncols; j++)
        if (j != target) *(t->cols[j].type == RT_NUMERIC ? &s->pn : &s->pc) += 1;
    s->x = malloc((size_t)s->n * s->pn * sizeof *s->x + 1);
    s->c = malloc((size_t)s->n * s->pc * sizeof *s->c + 1);
    s->nlev = malloc((size_t)s->pc * sizeof *s->nlev + 1);
    s->yc = yc ? malloc((size_t)s->n * sizeof *s->yc + 1) : NULL;
    s->y = yc ? NULL : malloc((size_t)s->n * sizeof *s->y + 1);
    if (!s->x || !s->c || !s->nlev || (yc && !s->yc) || (!yc && !s->y)) {
        free(rows);
        return -1;
    }
    for (int i = 0; i < s->n; i++) {
        if (yc) s->yc[i] = yc[rows[i]];
        else s->y[i] = tc->num[rows[i]];
    }
    int a = 0, b = 0;
    for (int j = 0; j < t->ncols; j++) {
        if (j == target) continue;
        const rt_column *c = &t->cols[j];
        if (c->type == RT_CATEGORICAL) {
            s->nlev[b] = c->nlevels + 1;
            for (int i = 0; i < s->n; i++) {
                int v = c->cat[rows[i]];
                s->c[(size_t)i * s->pc + b] = v < 0 ? c->nlevels : v;
            }
            b++;
            continue;
        }
        double sum = 0, sq = 0;
        int cnt = 0;
        for (int i = 0; i < s->ntr; i++) {
            double v = c->num[rows[i]];
            if (!isnan(v)) sum += v, cnt++;
        }
        double mean = cnt ? sum / cnt : 0;
        for (int i = 0; i < s->ntr; i++) {
            double v = c->num[rows[i]];
            if (!isnan(v)) sq += (v - mean) * (v - mean);
        }
        double sd = cnt > 1 ? sqrt(sq / cnt) : 0;
        if (!(sd > 0)) sd = 1;
        for (int i = 0; i < s->n; i++) {
            double v = c->num[rows[i]];
            s->x[(size_t)i * s->pn + a] = isnan(v) ? 0 : (v - mean) / sd;
        }
        a++;
    }
    free(rows);
    return 0;
}

/* Holdout score of predictions for the test rows: accuracy, or R^2. */
static double holdout_score(const sample *s, const double *pred)
{
    int nt = s->n - s->ntr;
    if (nt <= 0) return NAN;
    if (s->yc) {
        int ok = 0;
        for (int i = 0; i < nt; i++) ok += (int)pred[i] == s->yc[s->ntr + i];
        return (double)ok / nt;
    }
    double m = 0, ss = 0, se = 0;
    for (int i = 0; i < nt; i++) m += s->y[s->ntr + i];
    m /= nt;
    for (int i = 0; i < nt; i++) {
        double d = s->y[s->ntr + i] - m, r = s->y[s->ntr + i] - pred[i];
        ss += d * d, se += r * r;
    }
    return ss > 0 ? 1 - se / ss : NAN;
}

/* 1-NN: squared euclidean on the numeric features plus 1 per differing
 * categorical feature; ties go to the earlier training row. */
static double lm_1nn(const sample *s, double *pred)
{
    for (int i = s->ntr; i < s->n; i++) {
        double best = INFINITY;
        int bj = 0;
        const double *xi = s->x + (size_t)i * s->pn;
        const int *ci = s->c + (size_t)i * s->pc;
        for (int j = 0; j < s->ntr; j++) {
            const double *xj = s->x + (size_t)j * s->pn;
            const int *cj = s->c + (size_t)j * s->pc;
            double d = 0;
            for (int q = 0; q < s->pn && d < best; q++) d += (xi[q] - xj[q]) * (xi[q] - xj[q]);
            for (int q = 0; q < s->pc && d < best; q++) d += ci[q] != cj[q];
            if (d < best) best = d, bj = j;
        }
        pred[i - s->ntr] = s->yc ? s->yc[bj] : s->y[bj];
    }
    return holdout_score(s, pred);
}

/* A side's prediction and its training loss (errors, or squared error). */
typedef struct { long *cnt; double sum, sq; int n; } side;

static double side_loss(const sample *s, const side *d, double *pred)
{
    if (s->yc) {
        long best = -1;
        int arg = 0;
        for (int c = 0; c < s->k; c++)
            if (d->cnt[c] > best) best = d->cnt[c], arg = c;
        *pred = arg;
        return d->n - (best < 0 ? 0 : best);
    }
    *pred = d->n ? d->sum / d->n : 0;
    return d->n ? d->sq - d->sum * d->sum / d->n : 0;
}

static void side_add(const sample *s, side *d, int row, int sign)
{
    if (s->yc) d->cnt[s->yc[row]] += sign;
    else d->sum += sign * s->y[row], d->sq += sign * s->y[row] * s->y[row];
    d->n += sign;
}

static int by_value_col;
static const sample *by_value_s;
static int by_value(const void *a, const void *b)
{
    double x = by_value_s->x[(size_t)*(const int *)a * by_value_s->pn + by_value_col];
    double y = by_value_s->x[(size_t)*(const int *)b * by_value_s->pn + by_value_col];
    return x < y ? -1 : x > y ? 1 : *(const int *)a - *(const int *)b;
}

/* Decision stump: the one split (numeric threshold, or one level against
 * the rest) with the least training loss; each side predicts its majority
 * class / mean. */
static double lm_stump(const sample *s, double *pred)
{
    int k = s->yc ? s->k : 1;
    long *buf = calloc((size_t)3 * k, sizeof *buf);
    int *ord = malloc((size_t)s->ntr * sizeof *ord + 1);
    if (!buf || !ord) {
        free(buf), free(ord);
        return NAN;
    }
    side all = {buf, 0, 0, 0}, L = {buf + k, 0, 0, 0}, R = {buf + 2 * k, 0, 0, 0};
    for (int i = 0; i < s->ntr; i++) side_add(s, &all, i, 1);
    double p0, p1, best = side_loss(s, &all, &p0);
    int bcol = -1, bcat = 0, blev = 0;
    double bthr = 0, bl = p0, br = p0;
    for (int q = 0; q < s->pn; q++) {
        for (int i = 0; i < s->ntr; i++) ord[i] = i;
        by_value_col = q, by_value_s = s;
        qsort(ord, (size_t)s->ntr, sizeof *ord, by_value);
        memset(L.cnt, 0, (size_t)k * sizeof *L.cnt), L.sum = L.sq = 0, L.n = 0;
        memcpy(R.cnt, all.cnt, (size_t)k * sizeof *R.cnt), R.sum = all.sum, R.sq = all.sq, R.n = all.n;
        for (int i = 0; i + 1 < s->ntr; i++) {
            side_add(s, &L, ord[i], 1);
            side_add(s, &R, ord[i], -1);
            double a = s->x[(size_t)ord[i] * s->pn + q], b = s->x[(size_t)ord[i + 1] * s->pn + q];
            if (a == b) continue;
            double loss = side_loss(s, &L, &p0) + side_loss(s, &R, &p1);
            if (loss < best - 1e-12) best = loss, bcol = q, bcat = 0, bthr = (a + b) / 2, bl = p0, br = p1;
        }
    }
    for (int q = 0; q < s->pc; q++)
        for (int lev = 0; lev < s->nlev[q]; lev++) {
            memset(L.cnt, 0, (size_t)k * sizeof *L.cnt), L.sum = L.sq = 0, L.n = 0;
            memcpy(R.cnt, all.cnt, (size_t)k * sizeof *R.cnt), R.sum = all.sum, R.sq = all.sq, R.n = all.n;
            for (int i = 0; i < s->ntr; i++)
                if (s->c[(size_t)i * s->pc + q] == lev) side_add(s, &L, i, 1), side_add(s, &R, i, -1);
            if (!L.n || !R.n) continue;
            double loss = side_loss(s, &L, &p0) + side_loss(s, &R, &p1);
            if (loss < best - 1e-12) best = loss, bcol = q, bcat = 1, blev = lev, bl = p0, br = p1;
        }
    for (int i = s->ntr; i < s->n; i++) {
        int left = bcol < 0 ? 1 : bcat ? s->c[(size_t)i * s->pc + bcol] == blev : s->x[(size_t)i * s->pn + bcol] <= bthr;
        pred[i - s->ntr] = left ? bl : br;
    }
    free(buf), free(ord);
    return holdout_score(s, pred);
}

/* Naive Bayes: Gaussian numeric features (variance + 1e-9 of the largest,
 * as GaussianNB), Laplace-smoothed categorical ones. */
static double lm_nb(const sample *s, double *pred)
{
    int k = s->k, pn = s->pn, pc = s->pc, maxlev = 1;
    for (int q = 0; q < pc; q++) maxlev = s->nlev[q] > maxlev ? s->nlev[q] : maxlev;
    double *mu = calloc((size_t)k * pn + 1, sizeof *mu), *var = calloc((size_t)k * pn + 1, sizeof *var);
    double *cnt = calloc((size_t)k, sizeof *cnt);
    double *lc = calloc((size_t)k * pc * maxlev + 1, sizeof *lc);
    double score = NAN;
    if (!mu || !var || !cnt || !lc) goto out;
    for (int i = 0; i < s->ntr; i++) {
        int y = s->yc[i];
        cnt[y]++;
        for (int q = 0; q < pn; q++) mu[(size_t)y * pn + q] += s->x[(size_t)i * pn + q];
        for (int q = 0; q < pc; q++) lc[((size_t)y * pc + q) * maxlev + s->c[(size_t)i * pc + q]]++;
    }
    for (int y = 0; y < k; y++)
        for (int q = 0; q < pn; q++) mu[(size_t)y * pn + q] /= cnt[y] > 0 ? cnt[y] : 1;
    double maxv = 0;
    for (int i = 0; i < s->ntr; i++) {
        int y = s->yc[i];
        for (int q = 0; q < pn; q++) {
            double d = s->x[(size_t)i * pn + q] - mu[(size_t)y * pn + q];
            var[(size_t)y * pn + q] += d * d;
        }
    }
    for (int y = 0; y < k; y++)
        for (int q = 0; q < pn; q++) {
            var[(size_t)y * pn + q] /= cnt[y] > 0 ? cnt[y] : 1;
            maxv = fmax(maxv, var[(size_t)y * pn + q]);
        }
    double eps = 1e-9 * (maxv > 0 ? maxv : 1);
    for (int i = s->ntr; i < s->n; i++) {
        double best = -INFINITY;
        int arg = 0;
        for (int y = 0; y < k; y++) {
            if (cnt[y] <= 0) continue;
            double lp = log(cnt[y] / s->ntr);
            for (int q = 0; q < pn; q++) {
                double v = var[(size_t)y * pn + q] + eps, d = s->x[(size_t)i * pn + q] - mu[(size_t)y * pn + q];
                lp -= 0.5 * (log(2 * M_PI * v) + d * d / v);
            }
            for (int q = 0; q < pc; q++)
                lp += log((lc[((size_t)y * pc + q) * maxlev + s->c[(size_t)i * pc + q]] + 1) / (cnt[y] + s->nlev[q]));
            if (lp > best) best = lp, arg = y;
        }
        pred[i - s->ntr] = arg;
    }
    score = holdout_score(s, pred);
out:
    free(mu), free(var), free(cnt), free(lc);
    return score;
}

int rt_meta_task(const rt_table *t, int target, const int *yc, int nclasses, double out[RT_META_TASK], ut_err *e)
{
    for (int i = 0; i < RT_META_TASK; i++) out[i] = NAN;
    if (yc) {
        long *cnt = calloc((size_t)nclasses + 1, sizeof *cnt);
        if (!cnt) return ut_errf(e, MLG_NOMEM, "out of memory");
        long tot = 0, mx = 0;
        for (int i = 0; i < t->nrows; i++)
            if (yc[i] >= 0) cnt[yc[i]]++, tot++;
        for (int c = 0; c < nclasses; c++) mx = cnt[c] > mx ? cnt[c] : mx;
        out[0] = nclasses;
        out[1] = rt_entropy(cnt, nclasses);
        out[2] = tot ? (double)mx / tot : NAN;
        free(cnt);
    }
    sample s;
    double *pred = NULL;
    if (sample_build(t, target, yc, nclasses, &s) || !(pred = calloc((size_t)s.n + 1, sizeof *pred))) {
        sample_free(&s);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    if (s.n - s.ntr >= 1 && s.ntr >= 1) {
        out[3] = lm_1nn(&s, pred);
        out[4] = lm_stump(&s, pred);
        if (yc) out[5] = lm_nb(&s, pred);
    }
    free(pred);
    sample_free(&s);
    return 0;
}
