/* cache_neighbors.c — knn's neighbour lists in the intermediate cache (kind
 * 'neighbors', cache.h).  A shared knn group searches once, with the
 * largest k of its grid, and reads every k and weighting off the sorted
 * lists (share.c, knn.h); the search (one distance GEMM per block of test
 * rows and a selection over every training row) is what costs, so the
 * lists are what is worth keeping, keyed by everything they depend on:
 *
 *   lineage "knn lists" = rt_lineage_neighbors (the design's lineage —
 *   data, fold rows in order, target, task kind, every step — and the
 *   metric), the training rows used and the test rows, plus the format.
 *
 * Not K: lists sorted by (distance, training index) are a total order, so
 * the first K' entries of a K-list are the K'-list; one entry per lineage,
 * the longest lists computed so far, serve every K' <= K.  Longer ones
 * replace it.  dims = {test rows, K, training rows}.  The payload: the
 * nt x K distances (doubles) then the nt x K training indices (int32), the
 * bits, native order — doubles first, so both arrays are used in place in
 * the loaded block.  On load every index is checked to be a training row
 * and every row of a list to increase strictly in (distance, index), with
 * distances >= 0 and not NaN: a list a damaged file could give that
 * still passes would be one the search could have given.
 *
 * Knn groups run on the fit window's threads (exec_explore.c), so the
 * catalog and the files are touched under rt_cache_mu here. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cache_internal.h"
#include "families.h"
#include "../include/mileage.h"
#include "../util/hash.h"

#define LISTS_FORMAT 1

_Static_assert(sizeof(int) == sizeof(int32_t), "indices are stored as int32");

int rt_lineage_knn_lists(const char *design, const char *metric, int ntrain, int ntest, rt_lineage_hex out)
{
    rt_lineage_hex nb;
    if (rt_lineage_neighbors(design, metric, nb)) return -1;
    ut_lineage l;
    ut_lineage_init(&l, "knn lists");
    ut_lineage_int(&l, "format", LISTS_FORMAT);
    ut_lineage_str(&l, "neighbours", nb);
    ut_lineage_int(&l, "train rows", ntrain);
    ut_lineage_int(&l, "test rows", ntest);
    return ut_lineage_hex(&l, out);
}

int rt_cache_neighbors_stored(rt_ctx *c, const char *lineage, int *K)
{
    int64_t dims[3];
    double secs;
    if (!rt_cache_peek(c, lineage, RT_CACHE_KIND_NEIGHBORS, dims, &secs) || !rt_cache_worth_loading(c, lineage))
        return 0;
    *K = (int)dims[1];
    return 1;
}

typedef struct {
    int nt, ntrain;
    rt_knn_lists *out;
} lists_use;

static const char *use_lists(void *arg, const int64_t dims[3], void *payload, size_t n)
{
    lists_use *u = arg;
    if (dims[0] != u->nt || dims[2] != u->ntrain || dims[1] < 1 || dims[1] > u->ntrain)
        return "its shape does not match the fold";
    size_t K = (size_t)dims[1], cells = (size_t)u->nt * K;
    if ((double)cells * 12 != (double)n) return "its shape does not match the fold";
    const double *dist = payload;
    const int32_t *idx = (const int32_t *)((const unsigned char *)payload + cells * 8);
    for (size_t q = 0; q < (size_t)u->nt; q++) {
        const double *d = dist + q * K;
        const int32_t *ix = idx + q * K;
        for (size_t t = 0; t < K; t++) {
            if (ix[t] < 0 || ix[t] >= u->ntrain || isnan(d[t]) || d[t] < 0)
                return "its lists are not neighbour lists (index or distance out of range)";
            if (t && !(d[t - 1] < d[t] || (d[t - 1] == d[t] && ix[t - 1] < ix[t])))
                return "its lists are not neighbour lists (not in (distance, index) order)";
        }
    }
    u->out->buf = payload;   /* used: the block is the caller's now */
    u->out->dist = payload;
    u->out->idx = (int *)((unsigned char *)payload + cells * 8);
    u->out->K = (int)K;
    return NULL;
}

int rt_cache_load_neighbors(rt_ctx *c, const char *lineage, int nt, int ntrain, int Kneed, rt_knn_lists *out,
                            ut_err *e)
{
    memset(out, 0, sizeof *out);
    lists_use u = {nt, ntrain, out};
    pthread_mutex_lock(&rt_cache_mu);
    int64_t dims[3];
    double secs = 0;
    int rc = 0;
    /* shorter lists than needed are left for the longer ones to replace; a
     * header that cannot be read is still fetched, so that the damage is
     * reported and the entry removed */
    if (!rt_cache_peek(c, lineage, RT_CACHE_KIND_NEIGHBORS, dims, &secs) || dims[1] >= Kneed)
        rc = rt_cache_fetch(c, lineage, RT_CACHE_KIND_NEIGHBORS, use_lists, &u, e);
    pthread_mutex_unlock(&rt_cache_mu);
    if (rc == 1 && out->K < Kneed) {   /* stored meanwhile, shorter: not of use */
        free(out->buf);
        memset(out, 0, sizeof *out);
        rc = 0;
    }
    return rc;
}

void rt_cache_offer_neighbors(rt_ctx *c, const char *lineage, const char *what, const rt_knn_lists *l, int nt,
                              int ntrain, double compute_s)
{
    size_t cells = (size_t)nt * (size_t)l->K;
    const void *piece[2] = {l->dist, l->idx};
    size_t len[2] = {cells * sizeof(double), cells * sizeof(int32_t)};
    int64_t dims[3] = {nt, l->K, ntrain};
    pthread_mutex_lock(&rt_cache_mu);
    int64_t od[3];
    double old_s = 0;
    /* never replace lists at least as long: they serve every k these do */
    if (!rt_cache_peek(c, lineage, RT_CACHE_KIND_NEIGHBORS, od, &old_s) || od[1] < l->K)
        rt_cache_offer(c, lineage, what, RT_CACHE_KIND_NEIGHBORS, dims, piece, len, 2, compute_s);
    pthread_mutex_unlock(&rt_cache_mu);
}

/* As rt_knn_group_cached will decide: the lists of the group's largest k
 * stored long enough (reuse), else searched and stored (materialize) or
 * not (recompute), by the cost model's analytical seconds for the search
 * (not measured history: the decision shown must not hang on timer noise;
 * the executor decides again with what the search took). */
int rt_cache_knn_decision(rt_ctx *c, const cmp_explore *x, opt_plan *p, int i, const char *design, int ntrain,
                          int ntest, const opt_stats *st)
{
    const opt_group *g = &p->groups[p->nodes[i].group];
    int widest = g->configs[0];
    for (int k = 0; k < g->n; k++)
        if (x->configs[g->configs[k]].params[0].num > x->configs[widest].params[0].num) widest = g->configs[k];
    const rt_pval *pv = x->configs[widest].params;
    int K = (int)pv[0].num, stored = 0;
    if (K > ntrain) K = ntrain;
    if (K < 1) return 0;
    rt_lineage_hex lin;
    if (rt_lineage_knn_lists(design, pv[2].str, ntrain, ntest, lin)) return -1;
    if (rt_cache_neighbors_stored(c, lin, &stored) && stored >= K) {
        p->cache[i] = OPT_CACHE_REUSE;
        /* the FIT reads the lists, then every configuration votes over its
         * k of them for every test row (~5 ns a neighbour: satellite's 13
         * configurations, k up to 25, took 2 ms a round) */
        p->nodes[i].est_cost = rt_cache_load_seconds(c, (long long)((double)ntest * stored * 12.0 + 96)) +
                               5e-9 * g->n * (double)ntest * K;
        return 0;
    }
    opt_stats an = *st;
    an.hist = NULL;
    double bytes = (double)ntest * K * 12.0 + 96;
    p->cache[i] = rt_cache_worth_storing(c, (long long)bytes, opt_fit_cost(x, widest, &an)) ? OPT_CACHE_MATERIALIZE
                                                                                          : OPT_CACHE_RECOMPUTE;
    return 0;
}
