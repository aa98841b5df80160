/* cache_gram.c — ridge's per-fold Gram blocks in the intermediate cache
 * (kind 'gram', cache.h).  Sharing rule 2 (ridge_folds.h) makes one pass
 * over the numeric table per EXPLORE: per fold, rows, sums, Gram block and
 * target cross products, shifted by the full-data mean.  Every round and
 * every alpha of every ridge group planned by the rule reads them, so they
 * are worth keeping across queries, keyed by what they depend on:
 *
 *   lineage "gram entry" = rt_lineage_gram_blocks (the data, target, task
 *   kind, protocol, seed, stored folds and fold count — no pipeline: a
 *   standardizing pipeline derives each round from the same blocks) plus
 *   the payload's format.
 *
 * dims = {folds, features p, classes (0: regression)}; the payload is
 * rt_ridge_folds_data's block of doubles, native order, which
 * rt_ridge_folds_adopt takes over in place once it has checked it (shape,
 * rows per fold against the task's folds, finite numbers, totals and
 * ranges, symmetric blocks, class targets; ridge_folds.h).  A loaded block
 * is bit for bit the one computed, so every coefficient is too.
 *
 * The blocks are made before a batch's fits start, on the executor's
 * thread; the cache's mutex is held all the same, as for every kind. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cache_internal.h"
#include "protocol.h"
#include "ridge_folds.h"
#include "../include/mileage.h"
#include "../util/hash.h"

#define GRAM_FORMAT 1   /* the block's layout (ridge_folds.c); bumped with it */

int rt_lineage_gram_entry(const rt_lineage_hex data, const cat_task *t, int nfolds, rt_lineage_hex out)
{
    rt_lineage_hex blocks;
    if (rt_lineage_gram_blocks(data, t, nfolds, blocks)) return -1;
    ut_lineage l;
    ut_lineage_init(&l, "gram entry");
    ut_lineage_int(&l, "format", GRAM_FORMAT);
    ut_lineage_str(&l, "blocks", blocks);
    return ut_lineage_hex(&l, out);
}

int rt_cache_gram_stored(rt_ctx *c, const char *lineage, int nfolds, int p, int nclasses)
{
    int64_t dims[3];
    double secs;
    return rt_cache_peek(c, lineage, RT_CACHE_KIND_GRAM, dims, &secs) && dims[0] == nfolds && dims[1] == p &&
           dims[2] == nclasses && rt_cache_worth_loading(c, lineage);
}

typedef struct {
    const rt_table *t;
    int target, nfolds, p, nclasses;
    const int *fold;
    rt_ridge_folds *rf;
} gram_use;

static const char *use_gram(void *arg, const int64_t dims[3], void *payload, size_t n)
{
    gram_use *u = arg;
    if (dims[0] != u->nfolds || dims[1] != u->p || dims[2] != u->nclasses)
        return "its shape does not match the task (folds, columns, classes)";
    size_t nd = rt_ridge_folds_doubles(u->p, u->nfolds, u->nclasses);
    if (n / sizeof(double) != nd || n % sizeof(double)) return "its size does not match its shape";
    const char *why = NULL;
    int rc = rt_ridge_folds_adopt(u->t, u->target, u->fold, u->nfolds, u->p, u->nclasses, payload, nd, &u->rf, &why);
    return rc < 0 ? RT_CACHE_NOMEM : rc ? why : NULL;   /* taken: the payload is the statistics' block now */
}

int rt_cache_load_gram(rt_ctx *c, const char *lineage, const rt_table *t, int target, const int *fold, int nfolds,
                       const int *yc, const double *y, int nclasses, rt_ridge_folds **out, ut_err *e)
{
    *out = NULL;
    int p = rt_ridge_folds_eligible(t, target, fold, nfolds, yc, y, nclasses);
    if (!p) return 0;   /* no statistics for this table: nothing to load either */
    gram_use u = {t, target, nfolds, p, nclasses, fold, NULL};
    pthread_mutex_lock(&rt_cache_mu);
    int rc = rt_cache_fetch(c, lineage, RT_CACHE_KIND_GRAM, use_gram, &u, e);
    pthread_mutex_unlock(&rt_cache_mu);
    if (rc == 1) *out = u.rf;
    return rc;
}

void rt_cache_offer_gram(rt_ctx *c, const char *lineage, const char *what, const rt_ridge_folds *rf,
                         double compute_s)
{
    size_t nd;
    const void *piece[1] = {rt_ridge_folds_data(rf, &nd)};
    size_t len[1] = {nd * sizeof(double)};
    int64_t dims[3] = {rt_ridge_folds_nfolds(rf), rt_ridge_folds_p(rf), rt_ridge_folds_nclasses(rf)};
    pthread_mutex_lock(&rt_cache_mu);
    rt_cache_offer(c, lineage, what, RT_CACHE_KIND_GRAM, dims, piece, len, 1, compute_s);
    pthread_mutex_unlock(&rt_cache_mu);
}

int rt_ridge_folds_cached(rt_ctx *c, const char *lineage, const char *dataset, const rt_table *t, int target,
                          const int *fold, int nfolds, const int *yc, const double *y, int nclasses,
                          double value_s, rt_ridge_folds **out, int *decision, ut_err *e)
{
    *decision = RT_GRAM_COMPUTED;
    int lr = rt_cache_load_gram(c, lineage, t, target, fold, nfolds, yc, y, nclasses, out, e);
    if (lr < 0) return -1;
    if (lr == 1) {
        *decision = RT_GRAM_LOADED;
        return 0;
    }
    /* what the pass costs: the caller's estimate (the cost model's, which
     * EXPLAIN decided by: the entry is then stored exactly when EXPLAIN
     * said so, on any machine), else this thread's CPU, all of it when the
     * caller keeps BLAS to one thread */
    double cpu0 = ut_thread_cpu();
    int rc = rt_ridge_folds_new(t, target, fold, nfolds, yc, y, nclasses, out, e);
    double compute_s = value_s >= 0 ? value_s : ut_thread_cpu() - cpu0;
    if (rc || !*out) return rc;   /* not eligible after all: nothing to keep */
    char what[512];
    snprintf(what, sizeof what, "gram blocks, %d folds, %d columns, dataset %s", nfolds, rt_ridge_folds_p(*out),
             dataset);
    rt_cache_offer_gram(c, lineage, what, *out, compute_s);
    return 0;
}

int rt_cache_gram_decision(rt_ctx *c, const cmp_explore *x, opt_plan *p, const char *data, const opt_stats *st)
{
    rt_protocol proto;
    ut_err pe;
    ut_err_clear(&pe);
    int node = -1;   /* the plan's STATS node of the Gram blocks */
    for (int i = 0; i < p->n; i++)
        if (p->nodes[i].op == OPT_STATS && opt_stats_kind(p, &p->nodes[i]) == OPT_STATS_GRAM) node = i;
    /* as exec_explore.c: the blocks are made for plain k-fold CV only */
    if (node < 0 || rt_protocol_parse(x->task.protocol_json, &proto, &pe) || proto.type != RT_PROTO_CV) return 0;
    rt_lineage_hex lin;
    if (rt_lineage_gram_entry(data, &x->task, proto.k, lin)) return -1;
    int p_ = st->nfeatures, K = st->nclasses;
    long long bytes = (long long)(rt_ridge_folds_doubles(p_, proto.k, K) * sizeof(double)) + 96;
    int d;
    if (rt_cache_gram_stored(c, lin, proto.k, p_, K)) {
        d = OPT_CACHE_REUSE;
    } else {
        /* the cost model's analytical seconds, not measured ones: the
         * decision shown must not hang on timer noise (the executor decides
         * again with what the pass took) */
        d = rt_cache_worth_storing(c, bytes, opt_gram_blocks_cost(st, proto.k)) ? OPT_CACHE_MATERIALIZE
                                                                                : OPT_CACHE_RECOMPUTE;
    }
    p->cache[node] = (unsigned char)d;
    /* read from the cache, the pass costs its reading */
    if (d == OPT_CACHE_REUSE && !p->nodes[node].served)
        p->nodes[node].est_cost = rt_cache_load_seconds(c, bytes);
    return 0;
}
