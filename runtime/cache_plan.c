/* cache_plan.c — the cache decisions EXPLAIN shows (cache.h): for every
 * TRANSFORM node, the lineage of the design it would make, and whether it
 * is in the cache and worth loading (reuse), would be stored after it is
 * computed (materialize), or is computed and not kept (recompute: always
 * for a TRANSFORM of the test rows alone, opt_node.test_only); and
 * for every FIT node of a tree group, what becomes of its grown tree
 * (reuse, extend from a stored shallower one, materialize, recompute);
 * forest and gbt FIT nodes likewise (cache_plan_forest.c), and for a knn
 * group, its neighbour lists (reuse, materialize, recompute:
 * rt_cache_knn_decision); for ridge groups planned by sharing rule 2, the
 * per-fold Gram blocks, one entry per query (rt_cache_gram_decision); and
 * before those, for every FIT node, its group's predictions or models
 * (rt_cache_pred_decision, cache_pred.c).  The
 * executor decides again with what it measures (cache.c); for an entry
 * not stored yet the plan has only the cost model's estimate of the
 * transform's seconds and the design's size.  A pipeline ending in
 * pca(k > 0) is decided by its pca family's entry (cache_pca.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "optimes.h"
#include "cache_forest.h"
#include "cache_pred.h"
#include "protocol.h"
#include "families.h"
#include "../include/mileage.h"

/* Bytes of a stored tree grown to cap D (0: none) on n rows: its nodes
 * (at most 2^(D+1) - 1, at most 2n / min_samples_leaf) as model JSON,
 * roughly 90 bytes each plus 20 per output. */
static double est_tree_bytes(int D, int n, int msl, int nout)
{
    double nodes = 2.0 * n / (msl > 0 ? msl : 1);
    if (D > 0 && D < 40 && ldexp(1.0, D + 1) - 1 < nodes) nodes = ldexp(1.0, D + 1) - 1;
    return nodes * (90.0 + 20.0 * nout) + 96;
}

/* The decision for a tree group's FIT node: its grown tree reused from
 * the cache, extended from a shallower stored one, or grown and stored
 * (materialize) or not (recompute) — as share_tree.c will decide, with
 * the plan's cost estimate for a tree not stored yet. */
static int tree_decision(rt_ctx *c, const cmp_explore *x, opt_plan *p, int i, const char *design, int ntrain,
                         int ntest, const opt_stats *st)
{
    const opt_group *g = &p->groups[p->nodes[i].group];
    const rt_pval *p0 = x->configs[g->configs[0]].params;
    rt_pval big[16];
    const rt_param_spec *specs;
    int np = rt_family_params(RT_FAM_TREE, &specs);
    memcpy(big, p0, (size_t)np * sizeof *big);
    for (int k = 0; k < g->n; k++) {
        double d = x->configs[g->configs[k]].params[0].num, b = big[0].num;
        big[0].num = (d == 0 || b == 0) ? 0 : (d > b ? d : b);
    }
    /* one tree per leaf size (share_tree.c): reused when every size's is
     * stored and serves, extended when every size's is stored */
    int sizes[64], all = opt_leaf_sizes(x, g, sizes, 64), nsizes = all < 64 ? all : 64;
    int D = (int)big[0].num, nstored = 0, nserve = 0, from = 0;
    double load_s = 0;
    for (int j = 0; j < nsizes; j++) {
        int v = sizes[j];
        big[1].num = v;
        int cap = 0, depth = 0;
        rt_lineage_hex lin;
        if (rt_lineage_tree(design, big, ntrain, (unsigned long long)x->task.seed, lin)) return -1;
        if (!rt_cache_tree_stored(c, lin, &cap, &depth)) continue;
        nstored++;
        if (rt_tree_serves(cap, depth, D)) {
            nserve++;
            load_s += rt_cache_load_seconds(c, (long long)est_tree_bytes(cap, ntrain, v, st->nclasses > 0 ? st->nclasses : 1));
        } else if (!from || cap < from) {
            from = cap;
        }
    }
    int smallest = (int)p0[1].num;   /* the most nodes: the bytes to store */
    for (int j = 0; j < nsizes; j++) smallest = sizes[j] < smallest ? sizes[j] : smallest;
    big[1].num = smallest;
    if (nstored == nsizes && g->n > 0 && all < 64) {
        if (nserve == nsizes) {
            p->cache[i] = OPT_CACHE_REUSE;
            /* the FIT reads the trees, then every configuration scores the
             * test rows down its tree to its depth (~5 ns a level) */
            int levels = D > 0 && D < 30 ? D : 30;
            p->nodes[i].est_cost = load_s + 5e-9 * g->n * (double)ntest * levels;
        } else {
            p->cache[i] = OPT_CACHE_EXTEND;
            p->cache_from[i] = from;
        }
        return 0;
    }
    /* the cost model's analytical seconds for growing the deepest tree, not
     * the measured history the FIT node's estimate may carry: the decision
     * shown must not hang on timer noise (the executor decides again with
     * what growing took) */
    int deepest = g->configs[0];
    for (int k = 0; k < g->n; k++) {
        double d = x->configs[g->configs[k]].params[0].num, b = x->configs[deepest].params[0].num;
        if (b != 0 && (d == 0 || d > b)) deepest = g->configs[k];
    }
    opt_stats an = *st;
    an.hist = NULL;
    double bytes = est_tree_bytes(D, ntrain, (int)big[1].num, st->nclasses > 0 ? st->nclasses : 1);
    p->cache[i] = rt_cache_worth_storing(c, (long long)bytes, opt_fit_cost(x, deepest, &an)) ? OPT_CACHE_MATERIALIZE
                                                                                           : OPT_CACHE_RECOMPUTE;
    return 0;
}

/* The cost model's analytical seconds (no measured history: the decision
 * shown must not hang on timer noise) for a forest / gbt group's largest
 * model: its configuration with the most trees / rounds. */
static double ensemble_fit_seconds(const cmp_explore *x, const opt_group *g, const opt_stats *st)
{
    int big = g->configs[0];
    for (int k = 0; k < g->n; k++)
        if (x->configs[g->configs[k]].params[0].num > x->configs[big].params[0].num) big = g->configs[k];
    opt_stats an = *st;
    an.hist = NULL;
    return opt_fit_cost(x, big, &an);
}

/* TRANSFORM node i will read its design from the cache: its estimate is
 * that read's measured time on this data when known (optimes.h), else
 * read_s (the cache's bandwidth estimate; < 0: none, keep the compute
 * estimate). */
static void reuse_cost(opt_plan *p, int i, const opt_stats *st, double read_s)
{
    const opt_op_times *ot = &st->ops;
    double m = ot->known ? ot->tf_cache[p->nodes[i].pipe] : NAN;
    if (m == m) p->nodes[i].est_cost = m;
    else if (read_s >= 0) p->nodes[i].est_cost = read_s;
}

/* TRANSFORM node i will compute its design and store it: measured so
 * before, else its compute estimate and the write of bytes. */
static void store_cost(const rt_ctx *c, opt_plan *p, int i, const opt_stats *st, long long bytes)
{
    const opt_op_times *ot = &st->ops;
    double m = ot->known ? ot->tf_store[p->nodes[i].pipe] : NAN;
    p->nodes[i].est_cost = m == m ? m : p->nodes[i].est_cost + rt_cache_store_seconds(c, bytes);
}

int rt_cache_plan(rt_ctx *c, const cmp_explore *x, opt_plan *p, const opt_stats *st, ut_err *e)
{
    free(p->cache);
    free(p->cache_from);
    free(p->pcache);
    free(p->pmodels);
    p->cache = NULL;
    p->cache_from = NULL;
    p->pcache = NULL;
    p->pmodels = NULL;
    if (!rt_cache_active(c)) return 0;
    int *fold = NULL, nfold = 0, n = x->dataset.nrows, rc = -1;
    int *train = malloc((size_t)n * sizeof *train + 1), *test = malloc((size_t)n * sizeof *test + 1);
    rt_protocol proto;
    rt_lineage_hex data, fl, lin;
    p->cache = calloc((size_t)p->n + 1, 1);
    p->cache_from = calloc((size_t)p->n + 1, sizeof *p->cache_from);
    free(p->pcache);
    free(p->pmodels);
    p->pcache = calloc((size_t)p->n + 1, 1);
    p->pmodels = calloc((size_t)p->n + 1, sizeof *p->pmodels);
    /* per TRANSFORM node: its design's lineage and training rows, for the
     * FIT nodes that read it */
    rt_lineage_hex *dlin = calloc((size_t)p->n + 1, sizeof *dlin);
    int *drows = calloc((size_t)p->n + 1, sizeof *drows), *dtest = calloc((size_t)p->n + 1, sizeof *dtest);
    if (!train || !test || !p->cache || !p->cache_from || !p->pcache || !p->pmodels || !dlin || !drows || !dtest) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    if (rt_protocol_parse(x->task.protocol_json, &proto, e) || cat_task_folds(c->cat, x->task.id, &fold, &nfold, e))
        goto out;
    if (rt_lineage_data(&x->dataset, data)) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    /* rule 2's per-fold Gram blocks: one entry, the plan's STATS node */
    if (rt_cache_gram_decision(c, x, p, data, st)) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    /* halving and hyperband shuffle each round's training rows (the same
     * shuffle at every rung, exec_explore.c) */
    int shuffled = x->strategy.kind == CMP_SEARCH_HALVING || x->strategy.kind == CMP_SEARCH_HYPERBAND;
    /* the parsed data: from the cache (when not in this session's memory
     * already), or stored after parsing */
    for (int i = 0; i < p->n; i++) {
        const opt_node *nd = &p->nodes[i];
        if (nd->op != OPT_LOAD) continue;
        if (rt_table_in_memory(c, &x->dataset)) continue;
        /* the formula, not the measured time the estimate may carry: the
         * decision shown must not hang on timer noise */
        p->cache[i] = rt_cache_worth_loading(c, data) ? OPT_CACHE_REUSE
                      : rt_cache_worth_storing(c, (long long)((double)n * x->dataset.ncols * 8.0 + 96),
                                               rt_parse_seconds(&x->dataset))
                          ? OPT_CACHE_MATERIALIZE
                          : OPT_CACHE_RECOMPUTE;
    }
    int round = -1, ntrain = 0, ntest = 0;
    for (int i = 0; i < p->n; i++) {
        const opt_node *nd = &p->nodes[i];
        /* the group's predictions (or models) first: when they come from
         * the cache, nothing of the family's own is loaded (cache_pred.h) */
        if (nd->op == OPT_FIT && !shuffled && nd->input >= 0 && dlin[nd->input][0]) {
            int from = rt_cache_pred_decision(c, x, p, i, dlin[nd->input], drows[nd->input], dtest[nd->input], st);
            if (from < 0) {
                ut_errf(e, MLG_NOMEM, "out of memory");
                goto out;
            }
            if (from) continue;
        }
        if (nd->op == OPT_FIT && !shuffled && nd->input >= 0 && dlin[nd->input][0] &&
            x->configs[p->groups[nd->group].configs[0]].family == RT_FAM_TREE) {
            if (tree_decision(c, x, p, i, dlin[nd->input], drows[nd->input], dtest[nd->input], st)) {
                ut_errf(e, MLG_NOMEM, "out of memory");
                goto out;
            }
            continue;
        }
        if (nd->op == OPT_FIT && !shuffled && nd->input >= 0 && dlin[nd->input][0] &&
            x->configs[p->groups[nd->group].configs[0]].family == RT_FAM_KNN) {
            if (rt_cache_knn_decision(c, x, p, i, dlin[nd->input], drows[nd->input], dtest[nd->input], st)) {
                ut_errf(e, MLG_NOMEM, "out of memory");
                goto out;
            }
            continue;
        }
        if (nd->op == OPT_FIT && !shuffled && nd->input >= 0 && dlin[nd->input][0] &&
            (x->configs[p->groups[nd->group].configs[0]].family == RT_FAM_FOREST ||
             x->configs[p->groups[nd->group].configs[0]].family == RT_FAM_GBT)) {
            if (rt_cache_plan_ensemble(c, x, p, i, dlin[nd->input], drows[nd->input], st->nclasses,
                                       ensemble_fit_seconds(x, &p->groups[nd->group], st))) {
                ut_errf(e, MLG_NOMEM, "out of memory");
                goto out;
            }
            continue;
        }
        if (nd->op != OPT_TRANSFORM) continue;
        if (nd->round != round) {
            round = nd->round;
            rt_protocol_rows(&proto, fold, n, round, train, &ntrain, test, &ntest);
            if (shuffled) {
                ut_rng g;
                ut_rng_seed(&g, (unsigned long long)x->task.seed * 0x9e3779b97f4a7c15ULL + (uint64_t)round + 1);
                ut_rng_shuffle_int(&g, train, ntrain);
            }
            if (rt_lineage_fold(data, &x->task, round, train, ntrain, test, ntest, fl)) {
                ut_errf(e, MLG_NOMEM, "out of memory");
                goto out;
            }
        }
        if (rt_lineage_design(fl, x->task.target, x->task.kind, &x->pipes[nd->pipe], lin)) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto out;
        }
        memcpy(dlin[i], lin, sizeof lin);
        drows[i] = ntrain;
        dtest[i] = ntest;
        /* a pca family (cache_pca.c): reuse when its entry covers k (cache_from:
         * the components stored, when more than k), else the widest of the
         * query is stored and serves the narrower (cache_from: its k) */
        const cmp_pipeline *pl = &x->pipes[nd->pipe];
        /* the formula, not the measured time the estimate may carry: the
         * decision shown must not hang on timer noise (the executor decides
         * again with what computing took) */
        double tf_formula = opt_transform_cost(pl, st);
        rt_lineage_hex fam;
        int isfam = rt_lineage_design_family(fl, x->task.target, x->task.kind, pl, fam);
        if (isfam < 0) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto out;
        }
        if (isfam) {
            int k = pl->steps[pl->nsteps - 1].step.k, nc = 0, kreq = 0, pays = 0;
            int W = rt_pca_family_widest(x, nd->pipe);
            if (rt_cache_pca_stored(c, fam, &nc, &kreq, &pays) && rt_pca_serves(nc, kreq, k)) {
                p->cache[i] = pays ? OPT_CACHE_REUSE : OPT_CACHE_RECOMPUTE;
                p->cache_from[i] = pays && k < nc ? nc : 0;
                if (pays) reuse_cost(p, i, st, -1);
                continue;
            }
            double w = opt_pipe_width(pl, st->nfeatures > 0 ? st->nfeatures : 1);
            if (W > k) w = w - k + W;   /* the widest's design: W pc columns instead of k */
            p->cache[i] = rt_cache_worth_storing(c, (long long)((double)n * w * 8.0 + 120), tf_formula)
                              ? OPT_CACHE_MATERIALIZE
                              : OPT_CACHE_RECOMPUTE;
            if (p->cache[i] == OPT_CACHE_MATERIALIZE) store_cost(c, p, i, st, (long long)((double)n * w * 8.0 + 120));
            p->cache_from[i] = W > k && p->cache[i] == OPT_CACHE_MATERIALIZE ? W : 0;
            continue;
        }
        double est_bytes = (double)n * opt_pipe_width(&x->pipes[nd->pipe], st->nfeatures > 0 ? st->nfeatures : 1) * 8.0 + 96;
        cat_cache_entry en;
        int found = cat_cache_get(c->cat, lin, &en, e);
        if (found < 0) goto out;
        if (found) {
            int pays = rt_cache_load_seconds(c, en.bytes) < en.compute_seconds;
            p->cache[i] = pays ? OPT_CACHE_REUSE : OPT_CACHE_RECOMPUTE;
            if (pays) reuse_cost(p, i, st, rt_cache_load_seconds(c, en.bytes));
            cat_cache_entry_clear(&en);
        } else if (nd->test_only) {
            /* the design of the test rows alone: nothing whole to store */
            p->cache[i] = OPT_CACHE_RECOMPUTE;
        } else {
            p->cache[i] = rt_cache_worth_storing(c, (long long)est_bytes, tf_formula) ? OPT_CACHE_MATERIALIZE
                                                                                        : OPT_CACHE_RECOMPUTE;
            if (p->cache[i] == OPT_CACHE_MATERIALIZE) store_cost(c, p, i, st, (long long)est_bytes);
        }
    }
    /* the TRANSFORMs served from the cache cost what reading them does */
    p->est_total = 0;
    for (int i = 0; i < p->n; i++) p->est_total += p->nodes[i].est_cost;
    rc = 0;
out:
    if (rc) {
        free(p->cache);
        free(p->cache_from);
        free(p->pcache);
        free(p->pmodels);
        p->cache = NULL;
        p->cache_from = NULL;
        p->pcache = NULL;
        p->pmodels = NULL;
    }
    free(dlin);
    free(drows);
    free(dtest);
    free(fold);
    free(train);
    free(test);
    return rc;
}
