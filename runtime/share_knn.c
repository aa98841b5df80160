/* share_knn.c — a shared knn group with the intermediate cache (cache.h,
 * cache_neighbors.c): the group needs every test row's K nearest training
 * rows, K its largest k (at most the training rows).
 *   reuse    the cache holds this design's lists (same metric, same rows)
 *            of length >= K: loaded, no distance computed; every k reads
 *            the first k entries of each list, the stride staying the
 *            stored length;
 *   search   else rt_knn_neighbors with K, and the lists offered to the
 *            cache (materialized when the cost rule says so), replacing
 *            shorter stored ones.
 * Then every configuration aggregates its k and weighting, as share.c's
 * knn_group does: the same lists (knn.h: a K-list's k-prefix is the
 * k-list), so the same predictions bit for bit. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share.h"
#include "cache.h"
#include "knn.h"
#include "families.h"
#include "../include/mileage.h"
#include "../util/util.h"

int rt_knn_group_cached(rt_ctx *c, const char *design, const char *what, const rt_pval *const *params, int ncfg,
                        const rt_trainset *ts, const double *Xt, int nt, rt_group_out *out, int *decision,
                        ut_err *e)
{
    double t0 = ut_now();
    *decision = RT_KNN_SEARCHED;
    if (ts->n < 1) {
        for (int k = 0; k < ncfg; k++) {
            out[k].error = ut_strdup("knn: no training rows");
            out[k].fit_seconds = 0;
        }
        return 0;
    }
    int K = 1;
    for (int k = 0; k < ncfg; k++)
        if ((int)params[k][0].num > K) K = (int)params[k][0].num;
    if (K > ts->n) K = ts->n;   /* k beyond the training rows uses them all */
    const char *ms = params[0][2].str ? params[0][2].str : "euclidean";
    rt_knn_metric metric = !ut_strcasecmp(ms, "manhattan") ? RT_KNN_MANHATTAN : RT_KNN_EUCLIDEAN;
    rt_lineage_hex lin;
    if (rt_lineage_knn_lists(design, metric == RT_KNN_MANHATTAN ? "manhattan" : "euclidean", ts->n, nt, lin))
        return ut_errf(e, MLG_NOMEM, "out of memory");
    rt_knn_lists l;
    int lr = rt_cache_load_neighbors(c, lin, nt, ts->n, K, &l, e);
    if (lr < 0) return -1;
    double *sq = NULL;
    int rc = -1;
    rt_knn_train tr = {ts->X, NULL, ts->n, ts->p, ts->yc, ts->nclasses, ts->y};
    if (lr == 1) {
        *decision = RT_KNN_LOADED;
    } else {
        size_t cells = (size_t)nt * (size_t)K;
        l.buf = malloc(cells * (sizeof(double) + sizeof(int)) + 1);
        sq = malloc((size_t)ts->n * sizeof *sq + 1);
        if (!l.buf || !sq) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto done;
        }
        l.dist = l.buf;
        l.idx = (int *)((unsigned char *)l.buf + cells * sizeof(double));
        l.K = K;
        /* what the search costs, this thread's CPU: not the cache's own
         * reading, which is not what a reuse saves */
        double cpu0 = ut_thread_cpu();
        rt_knn_sqnorms(ts->X, ts->n, ts->p, sq);
        tr.sqnorm = sq;
        if (rt_knn_neighbors(&tr, metric, Xt, nt, K, l.idx, l.dist, e)) goto done;
        double compute_s = ut_thread_cpu() - cpu0;
        if (nt > 0) {
            char name[600];
            snprintf(name, sizeof name, "knn neighbours K=%d %s, %s", K,
                     metric == RT_KNN_MANHATTAN ? "manhattan" : "euclidean", what);
            rt_cache_offer_neighbors(c, lin, name, &l, nt, ts->n, compute_s);
        }
    }
    for (int k = 0; k < ncfg; k++) {
        int kk = (int)params[k][0].num;
        if (kk > K) kk = K;
        const char *ws = params[k][1].str ? params[k][1].str : "uniform";
        rt_knn_weighting w = !ut_strcasecmp(ws, "distance") ? RT_KNN_DISTANCE : RT_KNN_UNIFORM;
        ut_err me;
        ut_err_clear(&me);
        if (rt_knn_aggregate(&tr, l.idx, l.dist, nt, l.K, kk, w, out[k].pred, out[k].proba, &me) &&
            rt_keep_error(&out[k], &me, e))
            goto done;
    }
    for (int k = 0; k < ncfg; k++) out[k].fit_seconds = (ut_now() - t0) / ncfg;
    rc = 0;
done:
    free(sq);
    free(l.buf);
    return rc;
}
