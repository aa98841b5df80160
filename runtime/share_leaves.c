/* share_leaves.c — what tree, forest and gbt groups share (share.h): the
 * group's model parameters, one model per min_samples_leaf (tree, forest;
 * gbt has one), the sizes to fit grown together (rt_tree_fit_leaves,
 * rt_forest_fit_leaves: cart_grow_leaves), and every configuration's
 * predictions off its size's model.  share_tree.c and share_forest.c add
 * the cache around it. */
#include <stdlib.h>
#include <string.h>

#include "share.h"
#include "cache.h"
#include "cart.h"
#include "ensemble.h"
#include "families.h"
#include "../include/mileage.h"
#include "../util/util.h"

/* params.def: a tree's min_samples_leaf, a forest's; gbt's groups keep one */
static int leaf_param(rt_family f)
{
    return f == RT_FAM_TREE ? 1 : f == RT_FAM_FOREST ? 3 : -1;
}

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

void rt_leaf_group_params(rt_family f, const rt_pval *const *params, int ncfg, rt_pval *big)
{
    const rt_param_spec *specs;
    int np = rt_family_params(f, &specs);
    /* params.def: a tree's max_depth first; a forest's trees then max_depth; gbt's rounds */
    int count = f == RT_FAM_TREE ? -1 : 0, depth = f == RT_FAM_TREE ? 0 : f == RT_FAM_FOREST ? 1 : -1;
    memcpy(big, params[0], (size_t)np * sizeof *big);
    for (int k = 0; k < ncfg; k++) {
        if (count >= 0 && params[k][count].num > big[count].num) big[count].num = params[k][count].num;
        if (depth >= 0) {
            double d = params[k][depth].num, b = big[depth].num;
            big[depth].num = (d == 0 || b == 0) ? 0 : (d > b ? d : b);   /* 0 = unlimited */
        }
    }
}

int rt_leaf_group_new(rt_family f, const rt_pval *const *params, int ncfg, rt_leaf_group *g)
{
    size_t n = (size_t)ncfg;
    memset(g, 0, sizeof *g);
    g->msl = malloc(3 * n * sizeof *g->msl);
    g->one = calloc(n, sizeof *g->one);
    if (!g->msl || !g->one) return -1;
    g->of = g->msl + n;
    g->idx = g->msl + 2 * n;
    int at = leaf_param(f);
    if (at >= 0) {
        g->nv = rt_leaf_sizes(params, ncfg, at, g->msl, g->of);
    } else {
        g->nv = 1;
        memset(g->of, 0, n * sizeof *g->of);
    }
    for (int j = 0; j < g->nv; j++) g->one[j].compute_s = -1;   /* not fitted here */
    return 0;
}

void rt_leaf_group_free(rt_leaf_group *g)
{
    for (int j = 0; g->one && j < g->nv; j++) rt_model_free(g->one[j].m);
    free(g->one);
    free(g->msl);
}

void rt_leaf_group_params_of(rt_family f, const rt_leaf_group *g, int j, rt_pval *one)
{
    int at = leaf_param(f);
    if (at >= 0) one[at].num = g->msl[j];
}

/* The models of sizes idx[0..n) from nothing: rt_fit for one (what a
 * group of one size always did), else together, CART_MAX_LEAF_SIZES at a
 * time.  One failure fails them all (*me). */
static int fit_sizes(rt_family f, const rt_pval *big, rt_leaf_group *g, int n, const rt_trainset *ts, ut_err *me)
{
    rt_pval one[16];
    const rt_param_spec *specs;
    int np = rt_family_params(f, &specs);
    memcpy(one, big, (size_t)np * sizeof *one);
    if (n == 1) {
        rt_leaf_group_params_of(f, g, g->idx[0], one);
        return rt_fit(f, one, ts, &g->one[g->idx[0]].m, me);
    }
    for (int i0 = 0; i0 < n; i0 += CART_MAX_LEAF_SIZES) {
        int k = n - i0 < CART_MAX_LEAF_SIZES ? n - i0 : CART_MAX_LEAF_SIZES, sz[CART_MAX_LEAF_SIZES];
        rt_model *got[CART_MAX_LEAF_SIZES];
        for (int i = 0; i < k; i++) sz[i] = g->msl[g->idx[i0 + i]];
        if ((f == RT_FAM_TREE ? rt_tree_fit_leaves : rt_forest_fit_leaves)(one, sz, k, ts, got, me)) return -1;
        for (int i = 0; i < k; i++) g->one[g->idx[i0 + i]].m = got[i];
    }
    return 0;
}

int rt_leaf_group_fit(rt_family f, const rt_pval *big, rt_leaf_group *g, int n, const rt_trainset *ts, ut_err *me,
                      ut_err *e)
{
    ut_err_clear(me);
    if (!n || !fit_sizes(f, big, g, n, ts, me)) return 0;
    if (me->code == MLG_NOMEM) {
        *e = *me;
        return -1;
    }
    for (int i = 0; i < n; i++) {
        rt_model_free(g->one[g->idx[i]].m);
        g->one[g->idx[i]].m = NULL;
    }
    return 0;
}

int rt_leaf_group_fit_rest(rt_family f, const rt_pval *big, rt_leaf_group *g, const rt_trainset *ts, int *decision,
                           ut_err *me, ut_err *e)
{
    int n = 0, reused = 0;
    for (int j = 0; j < g->nv; j++) {
        reused += g->one[j].how == RT_TREE_REUSED;
        if (!g->one[j].how) g->idx[n++] = j;
    }
    /* what fitting costs, this thread's CPU from here on (split among the
     * sizes grown together): not the cache's own reading (the catalog, the
     * file), which is not what a reuse saves */
    double cpu0 = ut_thread_cpu();
    if (rt_leaf_group_fit(f, big, g, n, ts, me, e)) return -1;
    for (int i = 0; i < n; i++) {
        g->one[g->idx[i]].how = RT_TREE_GROWN;
        g->one[g->idx[i]].compute_s = (ut_thread_cpu() - cpu0) / n;
    }
    *decision = reused == g->nv ? RT_TREE_REUSED : n ? RT_TREE_GROWN : RT_TREE_EXTENDED;
    return 0;
}

int rt_leaf_group_predict(rt_family f, const rt_pval *const *params, int ncfg, const rt_leaf_group *g,
                          const ut_err *failed, const double *Xt, int nt, rt_group_out *out, ut_err *e)
{
    for (int k = 0; k < ncfg; k++) {
        rt_model *m = g->one[g->of[k]].m;
        ut_err me;
        ut_err_clear(&me);
        if (!m) {
            if (rt_keep_error(&out[k], failed, e)) return -1;
            continue;
        }
        const rt_pval *q = params[k];
        int r = f == RT_FAM_TREE ? rt_tree_predict_capped(m, Xt, nt, (int)q[0].num, out[k].pred, out[k].proba, &me)
                : f == RT_FAM_FOREST
                    ? rt_forest_predict_capped(m, Xt, nt, (int)q[0].num, (int)q[1].num, out[k].pred, out[k].proba, &me)
                    : rt_gbt_predict_rounds(m, Xt, nt, (int)q[0].num, out[k].pred, out[k].proba, &me);
        if (r && rt_keep_error(&out[k], &me, e)) return -1;
    }
    return 0;
}

int rt_leaf_group_run(rt_family f, const rt_pval *const *params, int ncfg, const rt_trainset *ts, const double *Xt,
                      int nt, rt_group_out *out, ut_err *e)
{
    double t0 = ut_now();
    rt_leaf_group g;
    int rc = -1;
    rt_pval big[16];
    if (rt_leaf_group_new(f, params, ncfg, &g)) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    rt_leaf_group_params(f, params, ncfg, big);
    for (int j = 0; j < g.nv; j++) g.idx[j] = j;
    ut_err me;
    if (rt_leaf_group_fit(f, big, &g, g.nv, ts, &me, e)) goto out;
    rc = rt_leaf_group_predict(f, params, ncfg, &g, &me, Xt, nt, out, e);
    for (int k = 0; k < ncfg; k++) out[k].fit_seconds = (ut_now() - t0) / ncfg;
out:
    rt_leaf_group_free(&g);
    return rc;
}
