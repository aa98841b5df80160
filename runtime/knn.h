/* knn.h — private to runtime/ (fam_knn.c) and, later, the optimizer: the two
 * steps of k-nearest-neighbour prediction, kept apart so that one neighbour
 * computation can serve every k and weighting of a grid (DESIGN.md §4,
 * rule 4: "kNN computes distances and sorts once for every k").
 *
 *   1. rt_knn_neighbors: for each query row, the K nearest training rows,
 *      sorted by (distance, training index).  The order is a total order, so
 *      the first k entries of a K-list are exactly the k-list for any k <= K:
 *      a shared plan can compute K = max k once and slice.
 *   2. rt_knn_aggregate: turns the first k entries of each list into
 *      predictions (vote / mean, uniform or 1/d weights).
 *
 * rt_knn_predict (fam_knn.c) is just 1 then 2 over blocks of queries.
 * Memory: nothing here keeps pointers past a call; the caller owns all
 * arrays. */
#ifndef RT_KNN_H
#define RT_KNN_H

#include "../util/util.h"

typedef enum { RT_KNN_EUCLIDEAN = 0, RT_KNN_MANHATTAN = 1 } rt_knn_metric;
typedef enum { RT_KNN_UNIFORM = 0, RT_KNN_DISTANCE = 1 } rt_knn_weighting;

/* A training set as the neighbour search sees it.  Borrowed pointers: a
 * fitted model points them at its own copies, a shared plan may point them
 * at a fold's rows directly. */
typedef struct {
    const double *X;       /* n x p training rows, row-major                  */
    const double *sqnorm;  /* n squared row norms for euclidean; NULL: computed
                            * per call (pass them when calling repeatedly)    */
    int n, p;
    const int    *yc;      /* classification: class codes in [0, nclasses)   */
    int nclasses;          /* 0 for regression                                */
    const double *y;       /* regression targets                              */
} rt_knn_train;

/* Squared row norms of X (n x p) into out[n], computed the way
 * rt_knn_neighbors expects them (BLAS dot, like scikit-learn). */
void rt_knn_sqnorms(const double *X, int n, int p, double *out);

/* For each of the nq query rows Q (nq x p): the K nearest training rows,
 * 1 <= K <= tr->n, as idx[q*K + t] (training row index) and dist[q*K + t]
 * (euclidean or manhattan distance), t = 0..K-1 in increasing (distance,
 * index) order: equal distances go to the lower training index, as
 * scikit-learn's brute-force search does.  Euclidean distances use
 * ||q||² + ||x||² − 2 q·x from one GEMM per block of queries (negative
 * rounding clamped to 0 before selection, so exact duplicates tie and
 * the lower index wins); manhattan is summed directly.  Work memory is
 * bounded (tiles of 256 queries x 1024 training rows, 2 MB each),
 * independent of nq and n; the query tiles may run on idle fit workers
 * (parts.h) with the same results.  Returns 0, or -1 with e set (out of
 * memory, bad K). */
int rt_knn_neighbors(const rt_knn_train *tr, rt_knn_metric metric,
                     const double *Q, int nq, int K, int *idx, double *dist,
                     ut_err *e);

/* Predictions from neighbour lists of row stride K, using entries 0..k-1
 * (1 <= k <= K): pred[nq]; proba[nq x nclasses] when non-NULL and the task
 * is classification.  Uniform: majority vote (ties -> lowest class code) or
 * mean.  Distance: weights 1/d; when some neighbours are at distance 0, only
 * those count (weight 1 each), as scikit-learn's _get_weights does; if every
 * weight is 0 (all distances overflowed to inf) the uniform rule is used.
 * Returns 0, or -1 with e set (out of memory). */
int rt_knn_aggregate(const rt_knn_train *tr, const int *idx, const double *dist,
                     int nq, int K, int k, rt_knn_weighting w, double *pred,
                     double *proba, ut_err *e);

#endif
