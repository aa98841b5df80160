/* share_tree.c — a shared tree group (sharing rule 4): configurations
 * differing in max_depth and min_samples_leaf.  Each leaf size needs one
 * tree grown to the group's deepest cap D; the sizes still to grow are
 * grown at once (cart_grow_leaves: every node shared until their splits
 * differ), and every configuration reads its cap off its size's tree.
 * With the intermediate cache (share.h, cache_model.c), per leaf size:
 *   reuse    the cache holds the tree of its lineage grown to a cap >= D
 *            (or one that stopped before its cap): loaded, nothing grown;
 *   extend   it holds one grown to d < D: loaded, the training rows routed
 *            to its leaves, only the leaves at depth d grown on to D
 *            (cart_grow_from: bit for bit the tree grown to D at once);
 *   grow     else grown from the root, with the group's other sizes.
 * A tree grown or extended is offered to the cache (materialized when the
 * cost rule says so), replacing the shallower one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share.h"
#include "cache.h"
#include "cart.h"
#include "families.h"
#include "../include/mileage.h"
#include "../util/util.h"

/* params.def's tree parameters: max_depth, then min_samples_leaf */
#define P_DEPTH 0
#define P_LEAF 1

int rt_leaf_sizes(const rt_pval *const *params, int ncfg, int at, int *msl, int *of)
{
    int nv = 0;
    for (int k = 0; k < ncfg; k++) {
        int v = (int)params[k][at].num, j = 0;
        while (j < nv && msl[j] < v) j++;
        if (j < nv && msl[j] == v) continue;
        memmove(msl + j + 1, msl + j, (size_t)(nv - j) * sizeof *msl);
        msl[j] = v;
        nv++;
    }
    for (int k = 0; k < ncfg; k++) {
        int j = 0;
        while (msl[j] != (int)params[k][at].num) j++;
        of[k] = j;
    }
    return nv;
}

/* The parameters of the group's trees: the first configuration's with the
 * deepest cap (0 = unlimited beats all). */
static int group_params(const rt_pval *const *params, int ncfg, rt_pval *big)
{
    const rt_param_spec *specs;
    int np = rt_family_params(RT_FAM_TREE, &specs);
    memcpy(big, params[0], (size_t)np * sizeof *big);
    for (int k = 0; k < ncfg; k++) {
        double d = params[k][P_DEPTH].num, b = big[P_DEPTH].num;
        big[P_DEPTH].num = (d == 0 || b == 0) ? 0 : (d > b ? d : b);
    }
    return (int)big[P_DEPTH].num;
}

/* Grows the trees of leaf sizes msl[idx[0..n)] (ascending) into m[idx[i]]:
 * one growth per CART_MAX_LEAF_SIZES sizes, or rt_fit for a size alone
 * (what a group of one size always did). */
static int grow_sizes(const rt_pval *big, const int *msl, const int *idx, int n, const rt_trainset *ts,
                      rt_model **m, ut_err *e)
{
    rt_pval one[16];
    const rt_param_spec *specs;
    int np = rt_family_params(RT_FAM_TREE, &specs);
    memcpy(one, big, (size_t)np * sizeof *one);
    if (n == 1) {
        one[P_LEAF].num = msl[idx[0]];
        return rt_fit(RT_FAM_TREE, one, ts, &m[idx[0]], e);
    }
    for (int i0 = 0; i0 < n; i0 += CART_MAX_LEAF_SIZES) {
        int k = n - i0 < CART_MAX_LEAF_SIZES ? n - i0 : CART_MAX_LEAF_SIZES, sz[CART_MAX_LEAF_SIZES];
        rt_model *got[CART_MAX_LEAF_SIZES];
        for (int i = 0; i < k; i++) sz[i] = msl[idx[i0 + i]];
        if (rt_tree_fit_leaves(one, sz, k, ts, got, e)) return -1;
        for (int i = 0; i < k; i++) m[idx[i0 + i]] = got[i];
    }
    return 0;
}

/* Every configuration's predictions off its size's tree at its cap (a
 * size whose growth failed, m NULL: that error, me, for its configurations). */
static int predict_caps(const rt_pval *const *params, int ncfg, const int *of, rt_model **m, const ut_err *failed,
                        const double *Xt, int nt, rt_group_out *out, ut_err *e)
{
    for (int k = 0; k < ncfg; k++) {
        ut_err me;
        ut_err_clear(&me);
        if (!m[of[k]]) {
            if (rt_keep_error(&out[k], failed, e)) return -1;
            continue;
        }
        if (rt_tree_predict_capped(m[of[k]], Xt, nt, (int)params[k][P_DEPTH].num, out[k].pred, out[k].proba, &me) &&
            rt_keep_error(&out[k], &me, e))
            return -1;
    }
    return 0;
}

static void free_models(rt_model **m, int n)
{
    for (int j = 0; j < n; j++) rt_model_free(m[j]);
}

/* The group's buffers: sizes and per-configuration index (ncfg each) and a
 * model per size, one allocation. */
typedef struct {
    int *msl, *of, *idx;
    rt_model **m;
    double *compute_s;   /* per size: seconds growing it took, -1 when loaded */
} tree_bufs;

static int bufs_new(tree_bufs *b, int ncfg)
{
    size_t n = (size_t)ncfg;
    b->m = calloc(n, sizeof *b->m);
    b->compute_s = calloc(n, sizeof *b->compute_s);
    b->msl = malloc(3 * n * sizeof *b->msl);
    b->of = b->msl ? b->msl + n : NULL;
    b->idx = b->msl ? b->msl + 2 * n : NULL;
    for (int j = 0; b->compute_s && j < ncfg; j++) b->compute_s[j] = -1;   /* not grown here */
    return b->m && b->compute_s && b->msl ? 0 : -1;
}

static void bufs_free(tree_bufs *b, int nv)
{
    if (b->m) free_models(b->m, nv);
    free(b->m);
    free(b->compute_s);
    free(b->msl);
}

int rt_tree_group(const rt_pval *const *params, int ncfg, const rt_trainset *ts, const double *Xt, int nt,
                  rt_group_out *out, ut_err *e)
{
    double t0 = ut_now();
    tree_bufs b;
    int nv = 0, rc = -1;
    if (bufs_new(&b, ncfg)) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    rt_pval big[16];
    group_params(params, ncfg, big);
    nv = rt_leaf_sizes(params, ncfg, P_LEAF, b.msl, b.of);
    for (int j = 0; j < nv; j++) b.idx[j] = j;
    ut_err me;
    ut_err_clear(&me);
    if (grow_sizes(big, b.msl, b.idx, nv, ts, b.m, &me)) {
        if (me.code == MLG_NOMEM) {
            *e = me;
            goto out;
        }
        free_models(b.m, nv);
        memset(b.m, 0, (size_t)nv * sizeof *b.m);
    }
    rc = predict_caps(params, ncfg, b.of, b.m, &me, Xt, nt, out, e);
    for (int k = 0; k < ncfg; k++) out[k].fit_seconds = (ut_now() - t0) / ncfg;
out:
    bufs_free(&b, nv);
    return rc;
}

/* Leaf size j's tree from the cache: reused (*how RT_TREE_REUSED) or
 * extended (RT_TREE_EXTENDED, b->compute_s[j] what growing it took), else
 * left to grow (0).  -1: out of memory. */
static int from_cache(rt_ctx *c, const char *lineage, int D, const rt_pval *one, const rt_trainset *ts,
                      tree_bufs *b, int j, int *how, ut_err *e)
{
    rt_model *stored = NULL;
    int cap = 0;
    double stored_s = 0;
    *how = 0;
    int lr = rt_cache_load_tree(c, lineage, ts->p, ts->nclasses, &stored, &cap, &stored_s, e);
    if (lr <= 0) return lr;
    if (rt_tree_serves(cap, rt_tree_get(stored)->depth, D)) {
        b->m[j] = stored;
        *how = RT_TREE_REUSED;
        return 0;
    }
    ut_err me;
    ut_err_clear(&me);
    double cpu0 = ut_thread_cpu();
    int rc = rt_tree_fit_from(one, ts, stored, cap, &b->m[j], &me);
    rt_model_free(stored);
    if (!rc) {
        *how = RT_TREE_EXTENDED;
        /* growing it from the root would cost both */
        b->compute_s[j] = stored_s + ut_thread_cpu() - cpu0;
    } else if (me.code == MLG_NOMEM) {
        *e = me;
        return -1;
    }
    return 0;
}

int rt_tree_group_cached(rt_ctx *c, const char *design, const char *what, const rt_pval *const *params, int ncfg,
                         const rt_trainset *ts, const double *Xt, int nt, rt_group_out *out, int *decision,
                         ut_err *e)
{
    double t0 = ut_now();
    tree_bufs b;
    int nv = 0, rc = -1, ngrow = 0, nreused = 0;
    rt_lineage_hex *lin = NULL;
    if (bufs_new(&b, ncfg) || !(lin = malloc((size_t)ncfg * sizeof *lin))) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    rt_pval big[16], one[16];
    int D = group_params(params, ncfg, big);
    nv = rt_leaf_sizes(params, ncfg, P_LEAF, b.msl, b.of);
    memcpy(one, big, sizeof big);
    for (int j = 0; j < nv; j++) {
        one[P_LEAF].num = b.msl[j];
        if (rt_lineage_tree(design, one, ts->n, ts->seed, lin[j])) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto out;
        }
        int how;
        if (from_cache(c, lin[j], D, one, ts, &b, j, &how, e)) goto out;
        nreused += how == RT_TREE_REUSED;
        if (!how) b.idx[ngrow++] = j;
    }
    /* what growing costs, this thread's CPU from here on (split among the
     * sizes grown together): not the cache's own reading (the catalog, the
     * file), which is not what a reuse saves */
    ut_err me;
    ut_err_clear(&me);
    double cpu0 = ut_thread_cpu();
    if (ngrow && grow_sizes(big, b.msl, b.idx, ngrow, ts, b.m, &me)) {
        if (me.code == MLG_NOMEM) {
            *e = me;
            goto out;
        }
        for (int i = 0; i < ngrow; i++) {
            rt_model_free(b.m[b.idx[i]]);
            b.m[b.idx[i]] = NULL;
        }
    }
    for (int i = 0; i < ngrow; i++) b.compute_s[b.idx[i]] = (ut_thread_cpu() - cpu0) / ngrow;
    *decision = nreused == nv ? RT_TREE_REUSED : ngrow ? RT_TREE_GROWN : RT_TREE_EXTENDED;
    for (int j = 0; j < nv; j++) {
        if (!b.m[j] || b.compute_s[j] < 0) continue;   /* failed, or reused */
        char name[600];
        if (D) snprintf(name, sizeof name, "tree to max_depth %d, %s", D, what);
        else snprintf(name, sizeof name, "tree (no max_depth), %s", what);
        if (nv > 1) snprintf(name + strlen(name), sizeof name - strlen(name), ", min_samples_leaf %d", b.msl[j]);
        rt_cache_offer_tree(c, lin[j], name, b.m[j], D, b.compute_s[j]);
    }
    rc = predict_caps(params, ncfg, b.of, b.m, &me, Xt, nt, out, e);
    for (int k = 0; k < ncfg; k++) out[k].fit_seconds = (ut_now() - t0) / ncfg;
out:
    free(lin);
    bufs_free(&b, nv);
    return rc;
}
