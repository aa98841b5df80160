/* metrics.h — scores of predictions against the truth. */
#ifndef RT_METRICS_H
#define RT_METRICS_H

typedef enum {
#define X(e, name, cls, hib, desc) RT_MET_##e,
#include "metrics.def"
#undef X
    RT_MET__COUNT
} rt_metric;

typedef struct { const char *name; int classification; int higher_is_better; const char *desc; } rt_metric_info;
extern const rt_metric_info rt_metrics[RT_MET__COUNT];

int rt_metric_lookup(const char *name);  /* case-insensitive; -1 if unknown */

/* Classification: ytrue/ypred class codes, proba n x k (needed by logloss,
 * may be NULL otherwise). Regression: ytrue/ypred values (yc NULL).
 * Returns NAN when the metric cannot be computed (e.g. logloss w/o proba). */
double rt_metric_score(rt_metric m, int n, const int *ytrue_c, const double *ytrue,
                       const double *ypred, const double *proba, int nclasses);

/* Expected cost per row of binary predictions: (fn * false negatives + fp *
 * false positives) / n, the positive class being code 1 (the last class,
 * as for f1).  A predicted code other than 0 or 1 counts as the wrong
 * class.  NAN when n <= 0.  RT_MET_COST through rt_metric_score is NAN: the
 * costs come from the intent, not from the task. */
double rt_metric_cost(int n, const int *ytrue_c, const double *ypred, double fn, double fp);

#endif
