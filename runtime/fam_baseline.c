/* fam_baseline.c — constant predictions (scikit-learn's DummyClassifier /
 * DummyRegressor): the floor every other model must beat. */
#include "families.h"

#include <stdlib.h>

#include "../include/mileage.h"

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int parse_strategy(const char *s)
{
    static const char *const names[] = { "auto", "most_frequent", "mean", "median" };
    if (!s)
        return RT_BASE_AUTO;
    for (int i = 0; i < 4; i++)
        if (ut_strcasecmp(s, names[i]) == 0)
            return i;
    return -1;
}

/* Regression "most_frequent": the modal value, lowest on ties, so the
 * result does not depend on row order. `v` is sorted. */
static double sorted_mode(const double *v, int n)
{
    double best = v[0];
    int bestc = 0;
    for (int i = 0; i < n;) {
        int j = i;
        while (j < n && v[j] == v[i])
            j++;
        if (j - i > bestc) {
            bestc = j - i;
            best = v[i];
        }
        i = j;
    }
    return best;
}

int rt_baseline_fit(const rt_pval *params, const rt_trainset *ts,
                    rt_model *m, ut_err *e)
{
    int s = parse_strategy(params[0].str);
    if (s < 0)
        return ut_errf(e, MLG_NAME, "baseline: unknown strategy '%s'"
                       " (auto|most_frequent|mean|median)", params[0].str);
    int n = ts->n;
    if (ts->nclasses > 0) {
        if (s == RT_BASE_MEAN || s == RT_BASE_MEDIAN)
            return ut_errf(e, MLG_MISUSE, "baseline: strategy '%s' needs a numeric"
                           " target; use most_frequent for classification",
                           params[0].str);
        m->strategy = RT_BASE_MOST_FREQUENT;
        m->prior = calloc((size_t)ts->nclasses, sizeof *m->prior);
        if (!m->prior)
            return ut_errf(e, MLG_NOMEM, "out of memory");
        for (int i = 0; i < n; i++)
            m->prior[ts->yc[i]] += 1.0;
        int best = 0;
        for (int k = 1; k < ts->nclasses; k++)
            if (m->prior[k] > m->prior[best])   /* strict: ties keep the lowest code */
                best = k;
        for (int k = 0; k < ts->nclasses; k++)
            m->prior[k] /= n;
        m->constant = best;
        return 0;
    }
    m->strategy = s == RT_BASE_AUTO ? RT_BASE_MEAN : s;
    if (m->strategy == RT_BASE_MEAN) {
        /* Two-pass mean: the correction term removes most rounding error. */
        double sum = 0, corr = 0;
        for (int i = 0; i < n; i++)
            sum += ts->y[i];
        double mu = sum / n;
        for (int i = 0; i < n; i++)
            corr += ts->y[i] - mu;
        m->constant = mu + corr / n;
        return 0;
    }
    double *v = malloc((size_t)n * sizeof *v);
    if (!v)
        return ut_errf(e, MLG_NOMEM, "out of memory");
    for (int i = 0; i < n; i++)
        v[i] = ts->y[i];
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    if (m->strategy == RT_BASE_MEDIAN)   /* numpy.median: mean of the middle pair */
        m->constant = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    else
        m->constant = sorted_mode(v, n);
    free(v);
    return 0;
}

int rt_baseline_predict(const rt_model *m, const double *X, int n, double *pred,
                        double *proba, ut_err *e)
{
    (void)X;
    (void)e;
    for (int i = 0; i < n; i++)
        pred[i] = m->constant;
    if (proba)
        for (int i = 0; i < n; i++)
            for (int k = 0; k < m->nclasses; k++)
                proba[(size_t)i * m->nclasses + k] = m->prior[k];
    return 0;
}
