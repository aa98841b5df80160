/* tf_select.c — column selection: select_k (SelectKBest with f_classif or
 * f_regression), drop and keep. */
#include "tf_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- F-scores ----
 * Two-pass (centred) sums rather than sklearn's raw moments: same value up
 * to rounding, without the cancellation.  A column constant over its usable
 * rows scores NaN explicitly — in sklearn it comes out as NaN, ±inf or
 * noise depending on rounding (f_regression: 0). */

int tf_f_classif(double *const *x, int nx, const int *cls, int ncls, const int *rows, int nrows,
                 double *scores, ut_err *e)
{
    long *cnt = malloc(sizeof(long) * (size_t)(ncls ? ncls : 1));
    double *mean = malloc(sizeof(double) * (size_t)(ncls ? ncls : 1));
    if (!cnt || !mean) { free(cnt); free(mean); return tf_oom(e); }
    for (int j = 0; j < nx; j++) {
        const double *v = x[j];
        memset(cnt, 0, sizeof(long) * (size_t)ncls);
        memset(mean, 0, sizeof(double) * (size_t)ncls);
        long n = 0;
        double tot = 0, lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < nrows; i++) {
            int r = rows[i], c = cls[r];
            double a = v[r];
            if (c < 0 || isnan(a)) continue;
            cnt[c]++;
            mean[c] += a;
            tot += a;
            n++;
            if (a < lo) lo = a;
            if (a > hi) hi = a;
        }
        int k = 0;
        for (int c = 0; c < ncls; c++)
            if (cnt[c]) { mean[c] /= cnt[c]; k++; }
        /* one class (dfbn = 0) or one row per class (dfwn = 0): sklearn
         * divides 0 by 0 too */
        if (n == 0 || lo == hi || k < 2 || n - k < 1) { scores[j] = NAN; continue; }
        double grand = tot / n, ssb = 0, ssw = 0;
        for (int c = 0; c < ncls; c++)
            if (cnt[c]) ssb += cnt[c] * (mean[c] - grand) * (mean[c] - grand);
        for (int i = 0; i < nrows; i++) {
            int r = rows[i], c = cls[r];
            double a = v[r];
            if (c < 0 || isnan(a)) continue;
            ssw += (a - mean[c]) * (a - mean[c]);
        }
        scores[j] = (ssb / (k - 1)) / (ssw / (double)(n - k));   /* ssw = 0: +inf */
    }
    free(cnt);
    free(mean);
    return 0;
}

int tf_f_regression(double *const *x, int nx, const double *yr, const int *rows, int nrows,
                    double *scores, ut_err *e)
{
    (void)e;
    for (int j = 0; j < nx; j++) {
        const double *v = x[j];
        long n = 0;
        double sx = 0, sy = 0, lo = INFINITY, hi = -INFINITY;
        for (int i = 0; i < nrows; i++) {
            int r = rows[i];
            if (isnan(v[r]) || isnan(yr[r])) continue;
            sx += v[r];
            sy += yr[r];
            n++;
            if (v[r] < lo) lo = v[r];
            if (v[r] > hi) hi = v[r];
        }
        if (n == 0 || lo == hi) { scores[j] = NAN; continue; }
        double mx = sx / n, my = sy / n, sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < nrows; i++) {
            int r = rows[i];
            if (isnan(v[r]) || isnan(yr[r])) continue;
            double dx = v[r] - mx, dy = yr[r] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        if (syy == 0) { scores[j] = NAN; continue; }   /* constant target */
        double rho = sxy / sqrt(sxx * syy), r2 = rho * rho;
        /* perfect correlation: +inf (sklearn: the largest double) */
        scores[j] = r2 >= 1 ? INFINITY : r2 / (1 - r2) * (double)(n - 2);
    }
    return 0;
}

/* ---- select_k ---- */

typedef struct { double s; int i; } scored;

/* Ascending score, then ascending index: numpy's stable argsort */
static int cmp_scored(const void *a, const void *b)
{
    const scored *x = a, *y = b;
    if (x->s != y->s) return x->s < y->s ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Scores of the selected columns (in column order) against the target. */
static int score_columns(const tf_set *s, double *const *x, int p, double *scores, ut_err *e)
{
    const rt_column *tc = &s->t->cols[s->target_col];
    int n = s->t->nrows;
    if (rt_target_kind(tc) == RT_REGRESSION)
        return tf_f_regression(x, p, tc->num, s->train, s->ntrain, scores, e);
    int *cls = malloc(sizeof(int) * (size_t)(n ? n : 1)), ncls = 0;
    if (!cls) return tf_oom(e);
    int rc = rt_target_classes(tc, n, cls, &ncls, NULL, e);
    if (rc == 0) rc = tf_f_classif(x, p, cls, ncls, s->train, s->ntrain, scores, e);
    free(cls);
    return rc;
}

/* SelectKBest(k): NaN scores become the lowest double, then the last k of a
 * stable ascending sort are kept — so among equal scores the later columns
 * win, as in sklearn.  Kept columns stay in their order.  k = 0 means
 * sklearn's default, 10. */
int tf_select_k(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e)
{
    if (st->k < 0) return ut_errf(e, MLG_ERROR, "select_k: k must be positive (got %d)", st->k);
    if (tf_replaying(s)) {
        int k = st->k ? st->k : 10, p = 0;
        for (int j = 0; j < s->ncols; j++) p += sel[j] != 0;
        if (k >= p) return 0;   /* as when fitted: nothing dropped, nothing recorded */
        const tf_entry *en = tf_rec_next(s, TF_REC_SELECT_K, NULL, e);
        if (!en) return -1;
        char *drop = calloc((size_t)(s->ncols ? s->ncols : 1), 1);
        if (!drop) return tf_oom(e);
        int found = 0;
        for (int i = 0; i < en->ns; i++)
            for (int j = 0; j < s->ncols; j++)
                if (sel[j] && !drop[j] && !strcmp(s->c[j].name, en->s[i])) drop[j] = 1, found++;
        int rc = found != en->ns || found != p - k
                     ? ut_errf(e, MLG_DATA, "model: select_k dropped columns that this data does not have")
                     : tf_replace_block(s, drop, NULL, 0, e);
        free(drop);
        return rc;
    }
    if (!s->t || s->target_col < 0 || s->target_col >= s->t->ncols)
        return ut_errf(e, MLG_ERROR, "select_k: needs a target column");
    int k = st->k ? st->k : 10, p = 0;
    for (int j = 0; j < s->ncols; j++) p += sel[j] != 0;
    if (k >= p) return 0;
    double **x = malloc(sizeof(double *) * (size_t)p);
    double *scores = malloc(sizeof(double) * (size_t)p);
    scored *ord = malloc(sizeof(scored) * (size_t)p);
    int *col = malloc(sizeof(int) * (size_t)p);
    char *drop = calloc((size_t)s->ncols, 1);
    int rc = 0;
    if (!x || !scores || !ord || !col || !drop) { rc = tf_oom(e); goto out; }
    p = 0;
    for (int j = 0; j < s->ncols; j++)
        if (sel[j]) { col[p] = j; x[p++] = s->c[j].x; }
    if ((rc = score_columns(s, x, p, scores, e))) goto out;
    for (int i = 0; i < p; i++) {
        ord[i].s = isnan(scores[i]) ? -DBL_MAX : scores[i];
        ord[i].i = i;
    }
    qsort(ord, (size_t)p, sizeof(scored), cmp_scored);
    for (int i = 0; i < p - k; i++) drop[col[ord[i].i]] = 1;
    if (tf_recording(s)) {
        char **names = malloc(sizeof(char *) * (size_t)(p - k));
        int nn = 0;
        if (!names) { rc = tf_oom(e); goto out; }
        for (int j = 0; j < s->ncols; j++)
            if (drop[j]) names[nn++] = s->c[j].name;
        rc = tf_rec_put(s, TF_REC_SELECT_K, NULL, NULL, 0, names, nn, e);
        free(names);
        if (rc) goto out;
    }
    rc = tf_replace_block(s, drop, NULL, 0, e);
out:
    free(x);
    free(scores);
    free(ord);
    free(col);
    free(drop);
    return rc;
}

/* ---- drop / keep ---- */

int tf_drop(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e)
{
    (void)st;
    return tf_replace_block(s, sel, NULL, 0, e);
}

/* Kept columns stay in chain order, not in the order they were named. */
int tf_keep(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e)
{
    (void)st;
    char *drop = malloc((size_t)(s->ncols ? s->ncols : 1));
    if (!drop) return tf_oom(e);
    for (int j = 0; j < s->ncols; j++) drop[j] = !sel[j];
    int rc = tf_replace_block(s, drop, NULL, 0, e);
    free(drop);
    return rc;
}
