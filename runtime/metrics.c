/* metrics.c — scores with scikit-learn's definitions (sklearn.metrics), so
 * numbers reported by mileage and by the Python bench are comparable. */
#include "metrics.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "../util/sort.h"
#include "../util/util.h"

const rt_metric_info rt_metrics[RT_MET__COUNT] = {
#define X(e, name, cls, hib, desc) { name, cls, hib, desc },
#include "metrics.def"
#undef X
};

int rt_metric_lookup(const char *name)
{
    if (!name)
        return -1;
    for (int i = 0; i < RT_MET__COUNT; i++)
        if (ut_strcasecmp(name, rt_metrics[i].name) == 0)
            return i;
    return -1;
}

/* Predicted class codes arrive as doubles; anything that is not a valid code
 * counts as "some other class" (wrong for every true class). */
static int code_of(double v, int k)
{
    if (!(v >= 0) || v >= k || v != floor(v))
        return -1;
    return (int)v;
}

/* Per-class counts: tp, true support and predicted support. */
typedef struct { long tp, ntrue, npred; } cls_count;

static cls_count *count_classes(int n, const int *yt, const double *yp, int k)
{
    cls_count *c = calloc((size_t)k, sizeof *c);
    if (!c)
        return NULL;
    for (int i = 0; i < n; i++) {
        int t = yt[i], q = code_of(yp[i], k);
        if (t >= 0 && t < k)
            c[t].ntrue++;
        if (q >= 0)
            c[q].npred++;
        if (t == q && t >= 0 && t < k)
            c[t].tp++;
    }
    return c;
}

static double accuracy(int n, const int *yt, const double *yp, int k)
{
    long ok = 0;
    for (int i = 0; i < n; i++)
        ok += yt[i] >= 0 && yt[i] == code_of(yp[i], k);
    return (double)ok / n;
}

/* sklearn.balanced_accuracy_score: mean recall over the classes that occur
 * in ytrue (classes only predicted are ignored). */
static double balanced_accuracy(int n, const int *yt, const double *yp, int k)
{
    cls_count *c = count_classes(n, yt, yp, k);
    if (!c)
        return NAN;
    double sum = 0;
    int m = 0;
    for (int j = 0; j < k; j++)
        if (c[j].ntrue > 0) {
            sum += (double)c[j].tp / c[j].ntrue;
            m++;
        }
    free(c);
    return m ? sum / m : NAN;
}

/* Precision tp/npred, recall tp/ntrue, F1 = 2tp / (2tp + fp + fn); 0 when
 * the denominator is 0 (zero_division=0).  Binary (k == 2) and not macro:
 * the positive class is code 1, like pos_label=1.  Otherwise the macro mean
 * over the classes that occur in ytrue or in the predictions (sklearn's
 * unique_labels). */
typedef enum { PRF_P, PRF_R, PRF_F } prf_kind;

static double prf(int n, const int *yt, const double *yp, int k, prf_kind what, int macro)
{
    cls_count *c = count_classes(n, yt, yp, k);
    if (!c)
        return NAN;
    double sum = 0;
    int m = 0;
    int binary = k == 2 && !macro;
    for (int j = 0; j < k; j++) {
        if (binary && j != 1)
            continue;
        if (!binary && c[j].ntrue == 0 && c[j].npred == 0)
            continue;
        long den = what == PRF_P ? c[j].npred : what == PRF_R ? c[j].ntrue
                                                               : c[j].ntrue + c[j].npred;
        double num = what == PRF_F ? 2.0 * c[j].tp : (double)c[j].tp;
        sum += den ? num / den : 0.0;
        m++;
    }
    free(c);
    return m ? sum / m : 0.0;
}

/* ROC AUC of scores against 0/1 labels: the Mann-Whitney statistic with
 * average ranks for ties (equal to the trapezoidal area sklearn computes).
 * s: the rows' scores as keys in ascending order (ut_radix_sort: an
 * EXPLORE scores every configuration of every round by AUC, one sort per
 * class, and qsort's call per comparison made that most of EVALUATE);
 * pos[i]: row i is positive.  Equal scores rank as a tie (-0 and +0 too,
 * adjacent keys).  NAN when one of the two groups is empty. */
static double auc_binary(int n, const ut_keyidx *s, const unsigned char *pos)
{
    double rank_sum = 0;
    long npos = 0;
    for (int i = 0; i < n;) {
        int j = i + 1;   /* always advances, whatever the scores are */
        double si = ut_dunkey(s[i].k);
        while (j < n && ut_dunkey(s[j].k) == si) j++;
        double avg = (i + 1 + j) / 2.0;   /* ranks i+1..j share their mean */
        for (int t = i; t < j; t++)
            if (pos[s[t].i]) rank_sum += avg, npos++;
        i = j;
    }
    long nneg = n - npos;
    if (!npos || !nneg)
        return NAN;
    return (rank_sum - (double)npos * (npos + 1) / 2.0) / ((double)npos * nneg);
}

/* Binary: scores of class 1.  Multiclass: one-vs-rest, macro mean over the
 * classes that have both positives and negatives in ytrue (sklearn insists
 * every class be present; a CV fold may lack one, so it is skipped). */
static double auc(int n, const int *yt, const double *proba, int k)
{
    ut_keyidx *v = malloc(2 * (size_t)n * sizeof *v + 1);
    unsigned char *pos = malloc((size_t)n + 1);
    double sum = 0;
    int m = 0;
    for (int c = (k == 2 ? 1 : 0); v && pos && c < k; c++) {
        for (int i = 0; i < n; i++) {
            double sc = proba[(size_t)i * k + c];
            if (isnan(sc)) {   /* no ranking without every score */
                m = 0;
                goto out;
            }
            v[i].k = ut_dkey(sc);
            v[i].i = i;
            pos[i] = yt[i] == c;
        }
        double a = auc_binary(n, ut_radix_sort(v, v + n, n), pos);
        if (!isnan(a)) sum += a, m++;
    }
out:
    free(v);
    free(pos);
    return m ? sum / m : NAN;
}

/* sklearn.log_loss(labels=range(k)) with 1.2's eps='auto' (the float64
 * machine epsilon): clip, renormalize each row,
 * mean of −log p(true class). */
static double logloss(int n, const int *yt, const double *proba, int k)
{
    const double eps = DBL_EPSILON;
    double sum = 0;
    for (int i = 0; i < n; i++) {
        const double *pr = proba + (size_t)i * k;
        double rs = 0, pt = 0;
        if (yt[i] < 0 || yt[i] >= k)
            return NAN;
        for (int j = 0; j < k; j++) {
            double q = pr[j];
            if (isnan(q))
                return NAN;
            q = q < eps ? eps : q > 1 - eps ? 1 - eps : q;
            rs += q;
            if (j == yt[i])
                pt = q;
        }
        sum -= log(pt / rs);
    }
    return sum / n;
}

static double regression(rt_metric m, int n, const double *yt, const double *yp)
{
    double s = 0;
    switch (m) {
    case RT_MET_RMSE:
        for (int i = 0; i < n; i++)
            s += (yt[i] - yp[i]) * (yt[i] - yp[i]);
        return sqrt(s / n);
    case RT_MET_MAE:
        for (int i = 0; i < n; i++)
            s += fabs(yt[i] - yp[i]);
        return s / n;
    case RT_MET_R2: {
        double mu = 0, ss_res = 0, ss_tot = 0;
        for (int i = 0; i < n; i++)
            mu += yt[i];
        mu /= n;
        for (int i = 0; i < n; i++) {
            ss_res += (yt[i] - yp[i]) * (yt[i] - yp[i]);
            ss_tot += (yt[i] - mu) * (yt[i] - mu);
        }
        /* Constant truth: r2 is undefined; sklearn's convention. */
        if (ss_tot == 0)
            return ss_res == 0 ? 1.0 : 0.0;
        return 1.0 - ss_res / ss_tot;
    }
    default:
        return NAN;
    }
}

double rt_metric_cost(int n, const int *yt, const double *yp, double fn, double fp)
{
    if (n <= 0 || !yt || !yp) return NAN;
    double s = 0;
    for (int i = 0; i < n; i++) {
        int q = code_of(yp[i], 2);
        if (yt[i] == 1 && q != 1) s += fn;
        else if (yt[i] == 0 && q != 0) s += fp;
    }
    return s / n;
}

double rt_metric_score(rt_metric m, int n, const int *ytrue_c, const double *ytrue,
                       const double *ypred, const double *proba, int nclasses)
{
    if ((int)m < 0 || m >= RT_MET__COUNT || n <= 0)
        return NAN;
    if (!rt_metrics[m].classification)
        return ytrue && ypred ? regression(m, n, ytrue, ypred) : NAN;
    if (!ytrue_c || nclasses <= 0)
        return NAN;
    if (m == RT_MET_LOGLOSS)
        return proba ? logloss(n, ytrue_c, proba, nclasses) : NAN;
    if (m == RT_MET_AUC)
        return proba ? auc(n, ytrue_c, proba, nclasses) : NAN;
    if (!ypred)
        return NAN;
    switch (m) {
    case RT_MET_ACCURACY:          return accuracy(n, ytrue_c, ypred, nclasses);
    case RT_MET_BALANCED_ACCURACY: return balanced_accuracy(n, ytrue_c, ypred, nclasses);
    case RT_MET_F1:                return prf(n, ytrue_c, ypred, nclasses, PRF_F, 0);
    case RT_MET_F1_MACRO:          return prf(n, ytrue_c, ypred, nclasses, PRF_F, 1);
    case RT_MET_PRECISION:         return prf(n, ytrue_c, ypred, nclasses, PRF_P, 0);
    case RT_MET_RECALL:            return prf(n, ytrue_c, ypred, nclasses, PRF_R, 0);
    default:                       return NAN;
    }
}
