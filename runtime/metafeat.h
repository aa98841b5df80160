/* metafeat.h — meta-features: numbers that describe a dataset and a task so
 * that the catalog can tell which earlier tasks resemble a new one.
 *   dataset level (CREATE DATASET, every new data version): computed over
 *     all columns, because the target is not known yet;
 *   task level (CREATE TASK): what needs the target — class count and
 *     entropy, majority share, and three cheap landmarkers (1-NN, decision
 *     stump, naive Bayes) scored on a fixed-seed sample with a holdout.
 * The order of the values is the catalog's (catalog.h CAT_META_*).
 * Memory: nothing is kept; the table is only read. */
#ifndef RT_METAFEAT_H
#define RT_METAFEAT_H

#include "table.h"

/* Moments of the non-missing (non-NAN) values: population skewness
 * m3 / m2^1.5 and excess kurtosis m4 / m2^2 - 3 (scipy.stats.skew /
 * kurtosis with bias=True).  NAN with fewer than 2 values or no spread. */
double rt_skewness(const double *x, int n);
double rt_kurtosis(const double *x, int n);
/* Shannon entropy in bits of counts[0..k) (zeros skipped); 0 when empty. */
double rt_entropy(const long *counts, int k);

/* Dataset level, catalog.h order: rows, cols, dim_ratio (cols / rows),
 * cat_share, missing_share, skew_min/mean/max, kurt_min/mean/max (NAN
 * when no numeric column has spread). */
#define RT_META_DS 11
void rt_meta_dataset(const rt_table *t, double out[RT_META_DS]);

/* Task level, catalog.h order: classes, class_entropy, majority,
 * lm_1nn, lm_stump, lm_nb.  Classification: yc[i] in [0, nclasses) or -1
 * (missing); landmarkers are holdout accuracies.  Regression (yc NULL):
 * classes / entropy / majority / lm_nb are NAN, lm_1nn and lm_stump are
 * holdout R^2.  The sample: at most RT_META_SAMPLE rows with a target,
 * drawn with a fixed seed, the first two thirds train, the rest test. */
#define RT_META_TASK 6
#define RT_META_SAMPLE 600
int rt_meta_task(const rt_table *t, int target, const int *yc, int nclasses, double out[RT_META_TASK], ut_err *e);

#endif
