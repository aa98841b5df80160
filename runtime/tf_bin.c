/* tf_bin.c — bin: scikit-learn 1.2's KBinsDiscretizer(n_bins=k, strategy,
 * encode='onehot-dense') column by column, each numeric column replaced in
 * place by one 0/1 column per bin, "age=bin0" .. "age=bin{k-1}".
 *
 * Names carry the bin number, not its edges: edges differ from fold to
 * fold, and a later step (drop(age=bin0)) must find the same name in every
 * fold.  Edges come from the training rows; test values beyond them fall in
 * the end bins.  Departures from sklearn, which refuses NaN: missing values
 * are ignored when fitting and give a row of zeros (like an unknown level
 * in onehot); a column with no training value is treated as constant. */
#include "tf_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* numpy.linspace(a, b, num)[i] for num >= 2, same arithmetic. */
static double linspace_at(double a, double b, int num, int i)
{
    if (i == num - 1) return b;
    double step = (b - a) / (num - 1);
    if (step == 0) return (double)i / (num - 1) * (b - a) + a;
    return (double)i * step + a;
}

/* numpy.percentile(v, q) of sorted v[0..m), method 'linear' (numpy >= 1.22
 * arithmetic, including its two-sided lerp). */
static double percentile(const double *v, int m, double q)
{
    double quant = q / 100.0;
    double vi = (m - 1) * quant;
    if (vi >= m - 1) return v[m - 1];
    if (vi < 0) return v[0];
    double prev = floor(vi), t = vi - prev;
    double a = v[(int)prev], b = v[(int)prev + 1], d = b - a;
    return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/* Inner edges of the bins of column x (nb - 1 values into inner[]); returns
 * nb, the number of bins, 1 for a constant column. */
static int fit_edges(const tf_set *s, const double *x, int k, rt_bin_strategy strat,
                     double *scratch, double *edges, double *inner)
{
    int m = 0;
    for (int i = 0; i < s->ntrain; i++) {
        double v = x[s->train[i]];
        if (!isnan(v)) scratch[m++] = v;
    }
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < m; i++) {
        if (scratch[i] < lo) lo = scratch[i];
        if (scratch[i] > hi) hi = scratch[i];
    }
    if (m == 0 || lo == hi) return 1;
    if (strat == RT_BIN_UNIFORM) {
        for (int b = 1; b < k; b++) inner[b - 1] = linspace_at(lo, hi, k + 1, b);
        return k;
    }
    tf_sort_doubles(scratch, m);
    for (int b = 0; b <= k; b++) edges[b] = percentile(scratch, m, linspace_at(0, 100, k + 1, b));
    /* sklearn drops an edge within 1e-8 of the one before it in the
     * original list (np.ediff1d(edges, to_begin=inf) > 1e-8) */
    int ne = 0;
    for (int b = 0; b <= k; b++)
        if (b == 0 || edges[b] - edges[b - 1] > 1e-8) edges[ne++] = edges[b];
    for (int b = 1; b < ne - 1; b++) inner[b - 1] = edges[b];
    return ne - 1;
}

/* np.searchsorted(inner, x, side='right'): inner edges <= x. */
static int bin_of(const double *inner, int ninner, double x)
{
    int lo = 0, hi = ninner;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (inner[mid] <= x) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static int expand_bins(tf_set *out, const tf_col *src, const tf_set *s, const rt_tf_step *st,
                       ut_err *e)
{
    int k = st->k ? st->k : 5;
    double *scratch = malloc(sizeof(double) * ((size_t)s->ntrain + 2 * (size_t)k + 2));
    int *bin = malloc(sizeof(int) * (size_t)(s->n ? s->n : 1));
    if (!scratch || !bin) { free(scratch); free(bin); return tf_oom(e); }
    double *edges = scratch + s->ntrain, *inner = edges + k + 1;
    int nb;
    if (tf_replaying(s)) {
        const tf_entry *en = tf_rec_next((tf_set *)s, TF_REC_BIN, src->name, e);
        if (!en || en->nd > k - 1) {
            if (en) ut_errf(e, MLG_DATA, "model: bin on '%s' has %d edges, more than k - 1 = %d", src->name, en->nd, k - 1);
            free(scratch);
            free(bin);
            return -1;
        }
        nb = en->nd + 1;
        if (en->nd) memcpy(inner, en->d, sizeof(double) * (size_t)en->nd);
    } else {
        nb = fit_edges(s, src->x, k, st->bin_strategy, scratch, edges, inner);
        if (tf_rec_put((tf_set *)s, TF_REC_BIN, src->name, inner, nb - 1, NULL, 0, e)) {
            free(scratch);
            free(bin);
            return -1;
        }
    }
    for (int r = 0; r < s->n; r++)
        bin[r] = isnan(src->x[r]) ? -1 : bin_of(inner, nb - 1, src->x[r]);
    int rc = 0;
    size_t len = strlen(src->name) + 16;
    char *name = malloc(len);
    if (!name) rc = tf_oom(e);
    for (int b = 0; b < nb && rc == 0; b++) {
        snprintf(name, len, "%s=bin%d", src->name, b);
        tf_col *w = tf_set_add_numeric(out, name, e);
        if (!w) { rc = -1; break; }
        for (int r = 0; r < s->n; r++) w->x[r] = bin[r] == b;
    }
    free(name);
    free(scratch);
    free(bin);
    return rc;
}

int tf_bin(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e)
{
    if (st->k == 1 || st->k < 0)
        return ut_errf(e, MLG_ERROR, "bin: k must be at least 2 (got %d)", st->k);
    if (st->bin_strategy != RT_BIN_UNIFORM && st->bin_strategy != RT_BIN_QUANTILE)
        return ut_errf(e, MLG_ERROR, "bin: bad strategy %d", (int)st->bin_strategy);
    return tf_expand_each(s, sel, expand_bins, st, e);
}
