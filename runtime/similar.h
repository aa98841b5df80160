/* similar.h — which tasks resemble which: distances in a normalized
 * meta-feature space (catalog.h CAT_META_* order).
 *   1. scale: counts and ratios that span orders of magnitude (rows, cols,
 *      dim_ratio, classes) on log10; skewness and kurtosis, which can be
 *      in the hundreds, as sign(v) log(1 + |v|);
 *   2. z-score each feature across the tasks given (every task with
 *      meta-features in the catalog); a feature with no spread is left out;
 *   3. distance = root mean square of the z differences over the features
 *      both tasks know (NAN in either: skipped); none in common: INFINITY.
 * Memory: callers own every array. */
#ifndef RT_SIMILAR_H
#define RT_SIMILAR_H

/* v (nfeat values) scaled in place as in step 1. */
void rt_meta_scale(double *v, int nfeat);

/* V: n rows of nfeat scaled values.  z (n x nfeat) gets the z-scores
 * (NAN where V is NAN or the feature has no spread). */
void rt_meta_zscore(const double *V, int n, int nfeat, double *z);

/* Distance between two z-scored rows (step 3). */
double rt_meta_distance(const double *za, const double *zb, int nfeat);

/* The rows of z other than `target` with eligible[i] set (NULL: all),
 * nearest first (ties: lower index first): order[0..*norder), dist[i]
 * the distance of row order[i]. */
void rt_meta_rank(const double *z, int n, int nfeat, int target, const unsigned char *eligible, int *order,
                  double *dist, int *norder);

/* The k features on which rows a and b agree most (smallest |z
 * difference|), for explanations: idx[0..*nk). */
void rt_meta_closest_features(const double *za, const double *zb, int nfeat, int k, int *idx, int *nk);

#endif
