/* tf_scale.c — column-wise rescaling: standardize (StandardScaler), minmax
 * (MinMaxScaler) and log1p.  Missing values are ignored when fitting and
 * stay missing, as in scikit-learn. */
#include "tf_internal.h"

#include <float.h>
#include <math.h>

/* Mean and population variance (ddof=0) of the non-missing training values,
 * two passes for accuracy; *m = their number. */
static void train_moments(const tf_set *s, const double *x, int *m, double *mean, double *var)
{
    int cnt = 0;
    double sum = 0, ss = 0;
    for (int i = 0; i < s->ntrain; i++) {
        double v = x[s->train[i]];
        if (!isnan(v)) { sum += v; cnt++; }
    }
    double mu = cnt ? sum / cnt : 0.0;
    for (int i = 0; i < s->ntrain; i++) {
        double v = x[s->train[i]];
        if (!isnan(v)) ss += (v - mu) * (v - mu);
    }
    *m = cnt;
    *mean = mu;
    *var = cnt ? ss / cnt : 0.0;
}

void tf_standardize_fit(const tf_set *s, const double *x, int *m, double *mean, double *scale)
{
    double var;
    train_moments(s, x, m, mean, &var);
    /* sklearn's _is_constant_feature: a variance within rounding of 0
     * means constant, scale 1, so the column becomes ~0 and not the
     * noise of dividing rounding errors by each other */
    double eps = DBL_EPSILON, nm = *m * *mean * eps;
    int constant = var <= *m * eps * var + nm * nm;
    *scale = constant ? 1.0 : sqrt(var);
}

/* A column with no training value carries nothing learnt: its non-missing
 * values (test rows only) become 0, like a constant column's. */
int tf_standardize(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e)
{
    (void)st;
    for (int j = 0; j < s->ncols; j++) {
        if (!sel[j]) continue;
        if (tf_col_own(&s->c[j], s->n, e)) return -1;
        double *x = s->c[j].x, mean, scale;
        int m;
        if (tf_replaying(s)) {
            const tf_entry *en = tf_rec_next(s, TF_REC_STANDARDIZE, s->c[j].name, e);
            if (!en) return -1;
            m = en->d[0] != 0, mean = en->d[1], scale = en->d[2];
        } else {
            tf_standardize_fit(s, x, &m, &mean, &scale);
            double rec[3] = {m != 0, mean, scale};
            if (tf_rec_put(s, TF_REC_STANDARDIZE, s->c[j].name, rec, 3, NULL, 0, e)) return -1;
        }
        for (int r = 0; r < s->n; r++)
            if (!isnan(x[r])) x[r] = m ? (x[r] - mean) / scale : 0.0;
    }
    return 0;
}

/* MinMaxScaler(feature_range=(0, 1)), clip=False: test values outside the
 * training range fall outside [0, 1].  Same arithmetic as sklearn
 * (x * scale + min_) so results agree to the last bit. */
int tf_minmax(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e)
{
    (void)st;
    for (int j = 0; j < s->ncols; j++) {
        if (!sel[j]) continue;
        if (tf_col_own(&s->c[j], s->n, e)) return -1;
        double *x = s->c[j].x, lo = INFINITY, hi = -INFINITY;
        if (tf_replaying(s)) {
            const tf_entry *en = tf_rec_next(s, TF_REC_MINMAX, s->c[j].name, e);
            if (!en) return -1;
            for (int r = 0; r < s->n; r++)
                if (!isnan(x[r])) x[r] = x[r] * en->d[0] + en->d[1];
            continue;
        }
        for (int i = 0; i < s->ntrain; i++) {
            double v = x[s->train[i]];
            if (v < lo) lo = v;     /* NaN compares false: skipped */
            if (v > hi) hi = v;
        }
        double scale = 0.0, shift = 0.0;
        if (lo <= hi) {
            double range = hi - lo;
            /* _handle_zeros_in_scale: a (near-)zero range counts as 1, so
             * a constant column becomes 0 */
            if (range < 10 * DBL_EPSILON) range = 1.0;
            scale = 1.0 / range;
            shift = 0.0 - lo * scale;
        }
        double rec[2] = {scale, shift};
        if (tf_rec_put(s, TF_REC_MINMAX, s->c[j].name, rec, 2, NULL, 0, e)) return -1;
        for (int r = 0; r < s->n; r++)
            if (!isnan(x[r])) x[r] = x[r] * scale + shift;
    }
    return 0;
}

/* sign(x) * log(1 + |x|): defined for every x, odd, and log1p(x) for
 * x >= 0.  sklearn has no exact twin: FunctionTransformer(np.log1p) is this
 * for x >= 0 only (NaN below -1); nothing is fitted. */
int tf_log1p(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e)
{
    (void)st;
    for (int j = 0; j < s->ncols; j++) {
        if (!sel[j]) continue;
        if (tf_col_own(&s->c[j], s->n, e)) return -1;
        double *x = s->c[j].x;
        for (int r = 0; r < s->n; r++) x[r] = copysign(log1p(fabs(x[r])), x[r]);
    }
    return 0;
}
