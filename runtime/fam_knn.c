/* fam_knn.c — scikit-learn's KNeighborsClassifier / KNeighborsRegressor
 * (n_neighbors = k, weights = uniform | distance, metric = euclidean |
 * manhattan, algorithm = 'brute').  Fit stores the training rows; predict
 * is rt_knn_neighbors (sorted neighbour lists for a block of queries) then
 * rt_knn_aggregate (votes / means), see knn.h for why the two are apart.
 *
 * Deviation: k larger than the training set uses every training row
 * (scikit-learn raises "Expected n_neighbors <= n_samples_fit"); a CV fold
 * smaller than the grid's largest k should still give a score. */
#include "families.h"
#include "knn.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../include/mileage.h"
#include "linalg.h"
#include "parts.h"
#include "scratch.h"

/* The distances are computed a tile at a time: KNN_QT queries against
 * KNN_TT training rows (one GEMM, 2 MB of results), each query's K best
 * kept in a heap across the training tiles.  A block of queries against
 * the whole training set made every GEMM stream all of X from memory for a
 * handful of queries (8 queries x 160 000 rows: memory bound, 2.9x slower
 * than tiles at 2048 x 160 000 x 50).  OpenBLAS rounds a product by the
 * shape of the call (edge kernels), so the tiles start at query 0 and
 * training row 0 of every call and callers that split the queries split
 * them at multiples of KNN_QT: the same rows then get the same bits. */
#define KNN_QT 256
#define KNN_TT 1024

typedef struct {
    rt_knn_train tr;          /* points at the owned arrays below */
    double *X, *sqnorm, *y;
    int *yc;
    int k;
    rt_knn_metric metric;
    rt_knn_weighting weights;
} knn_model;

static void knn_free(void *p)
{
    knn_model *km = p;
    if (!km)
        return;
    free(km->X);
    free(km->sqnorm);
    free(km->y);
    free(km->yc);
    free(km);
}

void rt_knn_sqnorms(const double *X, int n, int p, double *out)
{
    for (int i = 0; i < n; i++)
        out[i] = la_dot(p, X + (size_t)i * p, X + (size_t)i * p);
}

/* ---- k smallest of one distance row by (distance, index) ---- */

static inline double fmax0(double s)
{
    return s > 0 ? s : 0.0;
}

/* Max-heap on the key (d, i): the root is the worst of the kept K. */
static void sift_down(double *hd, int *hi, int size, int pos)
{
    double d = hd[pos];
    int i = hi[pos];
    for (;;) {
        int c = 2 * pos + 1;
        if (c >= size)
            break;
        if (c + 1 < size && (hd[c + 1] > hd[c] || (hd[c + 1] == hd[c] && hi[c + 1] > hi[c])))
            c++;
        if (!(hd[c] > d || (hd[c] == d && hi[c] > i)))
            break;
        hd[pos] = hd[c];
        hi[pos] = hi[c];
        pos = c;
    }
    hd[pos] = d;
    hi[pos] = i;
}

/* One query's selection, fed its distances in training-index order a tile
 * at a time: the first K fill the heap, then a candidate enters only when
 * strictly closer than the root, so on equal distance the kept (lower)
 * index wins.  The kept set depends on the order of the values only, never
 * on where the tiles end or on K: the K-list's first k entries are the
 * k-list, which is what lets one search serve every k (sharing rule 4).
 * Euclidean tiles hold −2 q·x only: the squared distance (qn + g) + xn[j],
 * clamped at 0 (cancellation can leave tiny negatives for near-duplicates:
 * scikit-learn's order and clamp), is formed here, in the one pass over the
 * tile (xn NULL: d holds the distances).
 *
 * The order is that of the distances the lists report — square roots —
 * then the index: two squared distances can round to one root, and ordered
 * by the squares a k-search and the first k of a K-search could then keep
 * different neighbours (a random table with rounded values found it:
 * sharing on and off disagreed).  A root is taken only for a candidate
 * whose square is within rounding of the root's or below (those that may
 * enter); the rest are rejected on the square. */
static void select_feed(const double *d, double qn, const double *xn, int j0, int len, int K, int *filled,
                        double *hd, int *hi)
{
    int j = 0;
#define SQ(j) (xn ? fmax0(qn + d[j] + xn[j]) : d[j])
#define KEY(s) (xn ? sqrt(s) : (s))
    for (; j < len && *filled < K; j++) {
        hd[*filled] = KEY(SQ(j));
        hi[*filled] = j0 + j;
        if (++*filled == K)
            for (int pos = K / 2 - 1; pos >= 0; pos--)
                sift_down(hd, hi, K, pos);
    }
    double root = K > 0 ? hd[0] : 0;
    /* above cut, a square's root is >= the heap's root: it cannot enter */
    double cut = xn ? root * root * (1 + 4 * DBL_EPSILON) : root;
    for (; j < len; j++) {
        double s = SQ(j);
        if (s > cut)
            continue;
        double key = KEY(s);
        if (key < root) {
            hd[0] = key;
            hi[0] = j0 + j;
            sift_down(hd, hi, K, 0);
            root = hd[0];
            cut = xn ? root * root * (1 + 4 * DBL_EPSILON) : root;
        }
    }
#undef KEY
#undef SQ
}

/* The heap in ascending (d, i) order (heapsort). */
static void select_finish(int K, double *hd, int *hi)
{
    for (int end = K - 1; end > 0; end--) {
        double td = hd[0];
        int ti = hi[0];
        hd[0] = hd[end];
        hi[0] = hi[end];
        hd[end] = td;
        hi[end] = ti;
        sift_down(hd, hi, end, 0);
    }
}

/* Queries Qb (b rows) against training rows j0..j0+t-1 into D (b x t):
 * euclidean −2 q·x (select_feed adds the norms), manhattan distances. */
static void tile_distances(const rt_knn_train *tr, rt_knn_metric metric, const double *Qb, int b, int j0, int t,
                           double *D)
{
    int p = tr->p;
    const double *Xt = tr->X + (size_t)j0 * p;
    if (metric == RT_KNN_EUCLIDEAN) {
        la_gemm(0, 1, b, t, p, -2.0, Qb, Xt, 0.0, D);
        return;
    }
    for (int r = 0; r < b; r++) {
        const double *qr = Qb + (size_t)r * p;
        double *Dr = D + (size_t)r * t;
        for (int j = 0; j < t; j++) {
            const double *xj = Xt + (size_t)j * p;
            double s = 0;
            for (int f = 0; f < p; f++)
                s += fabs(qr[f] - xj[f]);
            Dr[j] = s;
        }
    }
}

/* One tile of queries against every training tile (a part, parts.h). */
typedef struct {
    const rt_knn_train *tr;
    rt_knn_metric metric;
    const double *Q, *xn;
    int nq, K;
    int *idx;
    double *dist;
} knn_search;

static int search_tile(void *arg, int part)
{
    const knn_search *s = arg;
    const rt_knn_train *tr = s->tr;
    int n = tr->n, p = tr->p, K = s->K, q0 = part * KNN_QT;
    int b = s->nq - q0 < KNN_QT ? s->nq - q0 : KNN_QT, tt = n < KNN_TT ? n : KNN_TT;
    double *D = rt_scratch(RT_SCRATCH_KNN_TILE, (size_t)b * tt), qn[KNN_QT];
    int filled[KNN_QT] = {0};
    if (!D) return -1;
    const double *Qb = s->Q + (size_t)q0 * p;
    int eu = s->metric == RT_KNN_EUCLIDEAN;
    if (eu) rt_knn_sqnorms(Qb, b, p, qn);
    for (int j0 = 0; j0 < n; j0 += tt) {
        int t = n - j0 < tt ? n - j0 : tt;
        tile_distances(tr, s->metric, Qb, b, j0, t, D);
        for (int r = 0; r < b; r++)
            select_feed(D + (size_t)r * t, eu ? qn[r] : 0, eu ? s->xn + j0 : NULL, j0, t, K, &filled[r],
                        s->dist + (size_t)(q0 + r) * K, s->idx + (size_t)(q0 + r) * K);
    }
    for (int r = 0; r < b; r++) {
        double *hd = s->dist + (size_t)(q0 + r) * K;
        int *hi = s->idx + (size_t)(q0 + r) * K;
        select_finish(K, hd, hi);   /* euclidean: already roots (select_feed) */
    }
    return 0;
}

int rt_knn_neighbors(const rt_knn_train *tr, rt_knn_metric metric,
                     const double *Q, int nq, int K, int *idx, double *dist,
                     ut_err *e)
{
    int n = tr->n, p = tr->p;
    if (K < 1 || K > n)
        return ut_errf(e, MLG_MISUSE, "knn: %d neighbours asked of %d training rows", K, n);
    if (nq <= 0)
        return 0;
    double *own = NULL;
    const double *xn = tr->sqnorm;
    if (metric == RT_KNN_EUCLIDEAN && !xn) {
        if (!(own = malloc((size_t)n * sizeof *own)))
            return ut_errf(e, MLG_NOMEM, "out of memory computing knn distances");
        rt_knn_sqnorms(tr->X, n, p, own);
        xn = own;
    }
    /* the query tiles are independent: idle fit workers take some */
    knn_search s = {tr, metric, Q, xn, nq, K, idx, dist};
    int rc = rt_parts_run(search_tile, &s, (nq + KNN_QT - 1) / KNN_QT);
    free(own);
    return rc ? ut_errf(e, MLG_NOMEM, "out of memory computing knn distances") : 0;
}

/* Weights of one neighbour list following scikit-learn's _get_weights:
 * 1/d, except that a list with a zero distance (1/d = inf) keeps only those
 * neighbours, at weight 1.  Returns the total weight. */
static double list_weights(const double *d, int k, double *w)
{
    int inf = 0;
    for (int t = 0; t < k; t++) {
        w[t] = 1.0 / d[t];
        inf |= isinf(w[t]);
    }
    double s = 0;
    for (int t = 0; t < k; t++) {
        if (inf)
            w[t] = isinf(w[t]) ? 1.0 : 0.0;
        s += w[t];
    }
    return s;
}

int rt_knn_aggregate(const rt_knn_train *tr, const int *idx, const double *dist,
                     int nq, int K, int k, rt_knn_weighting wmode, double *pred,
                     double *proba, ut_err *e)
{
    int C = tr->nclasses;
    if (k < 1 || k > K)
        return ut_errf(e, MLG_MISUSE, "knn: k = %d outside the %d-neighbour lists", k, K);
    double *w = malloc((size_t)k * sizeof *w);
    double *votes = malloc((size_t)(C > 0 ? C : 1) * sizeof *votes);
    if (!w || !votes) {
        free(w);
        free(votes);
        return ut_errf(e, MLG_NOMEM, "out of memory in knn prediction");
    }
    for (int q = 0; q < nq; q++) {
        const int *ix = idx + (size_t)q * K;
        double total = 0;
        int uniform = wmode == RT_KNN_UNIFORM;
        if (!uniform) {
            total = list_weights(dist + (size_t)q * K, k, w);
            uniform = !(total > 0);   /* every distance inf: no information */
        }
        if (uniform) {
            for (int t = 0; t < k; t++)
                w[t] = 1.0;
            total = k;
        }
        if (C == 0) {
            double s = 0;
            for (int t = 0; t < k; t++)
                s += tr->y[ix[t]] * w[t];
            pred[q] = s / total;
            continue;
        }
        for (int c = 0; c < C; c++)
            votes[c] = 0;
        for (int t = 0; t < k; t++)
            votes[tr->yc[ix[t]]] += w[t];
        int best = 0;
        for (int c = 1; c < C; c++)
            if (votes[c] > votes[best])   /* first maximum: lowest code on ties */
                best = c;
        pred[q] = best;
        if (proba) {
            double s = 0;
            for (int c = 0; c < C; c++)
                s += votes[c];
            for (int c = 0; c < C; c++)
                proba[(size_t)q * C + c] = votes[c] / s;
        }
    }
    free(w);
    free(votes);
    return 0;
}

int rt_knn_fit(const rt_pval *params, const rt_trainset *ts, rt_model *m, ut_err *e)
{
    int n = ts->n, p = ts->p;
    double kd = params[0].num;
    const char *ws = params[1].str ? params[1].str : "uniform";
    const char *ms = params[2].str ? params[2].str : "euclidean";
    if (!(kd >= 1) || kd > 1e9 || kd != floor(kd))
        return ut_errf(e, MLG_MISUSE, "knn: k must be a whole number >= 1 (got %g)", kd);
    rt_knn_weighting wmode;
    rt_knn_metric metric;
    if (ut_strcasecmp(ws, "uniform") == 0)
        wmode = RT_KNN_UNIFORM;
    else if (ut_strcasecmp(ws, "distance") == 0)
        wmode = RT_KNN_DISTANCE;
    else
        return ut_errf(e, MLG_MISUSE, "knn: unknown weights '%s' (uniform|distance)", ws);
    if (ut_strcasecmp(ms, "euclidean") == 0)
        metric = RT_KNN_EUCLIDEAN;
    else if (ut_strcasecmp(ms, "manhattan") == 0)
        metric = RT_KNN_MANHATTAN;
    else
        return ut_errf(e, MLG_MISUSE, "knn: unknown metric '%s' (euclidean|manhattan)", ms);

    knn_model *km = calloc(1, sizeof *km);
    if (!km)
        return ut_errf(e, MLG_NOMEM, "out of memory fitting knn");
    m->impl = km;
    m->impl_free = knn_free;
    km->k = (int)kd;
    km->metric = metric;
    km->weights = wmode;
    km->X = malloc((size_t)n * (p > 0 ? p : 1) * sizeof *km->X);
    km->sqnorm = malloc((size_t)n * sizeof *km->sqnorm);
    if (ts->nclasses > 0)
        km->yc = malloc((size_t)n * sizeof *km->yc);
    else
        km->y = malloc((size_t)n * sizeof *km->y);
    if (!km->X || !km->sqnorm || (!km->yc && !km->y))
        return ut_errf(e, MLG_NOMEM, "out of memory fitting knn");
    memcpy(km->X, ts->X, (size_t)n * p * sizeof *km->X);
    rt_knn_sqnorms(km->X, n, p, km->sqnorm);
    if (km->yc)
        memcpy(km->yc, ts->yc, (size_t)n * sizeof *km->yc);
    else
        memcpy(km->y, ts->y, (size_t)n * sizeof *km->y);
    km->tr = (rt_knn_train){ km->X, km->sqnorm, n, p, km->yc, ts->nclasses, km->y };
    return 0;
}

int rt_knn_predict(const rt_model *m, const double *X, int n, double *pred,
                   double *proba, ut_err *e)
{
    const knn_model *km = m->impl;
    const rt_knn_train *tr = &km->tr;
    int K = km->k < tr->n ? km->k : tr->n;
    int C = tr->nclasses, rc = -1;
    /* Neighbour lists in blocks of about 1M entries (at least a tile of
     * queries), so memory stays bounded even when K is the whole training
     * set. */
    long want = (1L << 20) / K / KNN_QT * KNN_QT;   /* tile-aligned: see KNN_QT */
    int nb = want < KNN_QT ? KNN_QT : want > n ? n : (int)want;
    int *idx = malloc((size_t)nb * K * sizeof *idx);
    double *dist = malloc((size_t)nb * K * sizeof *dist);
    if (!idx || !dist) {
        ut_errf(e, MLG_NOMEM, "out of memory predicting with knn");
        goto done;
    }
    for (int q0 = 0; q0 < n; q0 += nb) {
        int b = n - q0 < nb ? n - q0 : nb;
        if (rt_knn_neighbors(tr, km->metric, X + (size_t)q0 * tr->p, b, K, idx, dist, e)
            || rt_knn_aggregate(tr, idx, dist, b, K, K, km->weights, pred + q0,
                                proba && C > 0 ? proba + (size_t)q0 * C : NULL, e))
            goto done;
    }
    rc = 0;
done:
    free(idx);
    free(dist);
    return rc;
}

/* ---- model files ---- */
#include "model_io.h"

int rt_knn_io(rt_mio *io, rt_model *m)
{
    knn_model *km = m->impl;
    if (!io->writing) {
        if (!(km = calloc(1, sizeof *km))) return ut_errf(io->e, MLG_NOMEM, "out of memory");
        m->impl = km;
        m->impl_free = knn_free;
    }
    int n = km->tr.n, metric = km->metric, weights = km->weights;
    if (rt_mio_int(io, "k", &km->k, 1, 1000000000) || rt_mio_int(io, "manhattan", &metric, 0, 1) ||
        rt_mio_int(io, "distance_weights", &weights, 0, 1) || rt_mio_int(io, "train_rows", &n, 1, 1 << 30))
        return -1;
    size_t np = (size_t)n * (size_t)m->p;
    /* the training rows are the model */
    if (rt_mio_dvec(io, "X", &km->X, np, 0)) return -1;
    if (m->nclasses > 0 ? rt_mio_ivec(io, "y", &km->yc, (size_t)n, 0, m->nclasses - 1)
                        : rt_mio_dvec(io, "y", &km->y, (size_t)n, 0))
        return -1;
    if (io->writing) return 0;
    km->metric = (rt_knn_metric)metric;
    km->weights = (rt_knn_weighting)weights;
    /* the norms are recomputed exactly as fit computes them */
    if (!(km->sqnorm = malloc(sizeof(double) * (size_t)n))) return ut_errf(io->e, MLG_NOMEM, "out of memory");
    rt_knn_sqnorms(km->X, n, m->p, km->sqnorm);
    km->tr = (rt_knn_train){ km->X, km->sqnorm, n, m->p, km->yc, m->nclasses, km->y };
    return 0;
}
