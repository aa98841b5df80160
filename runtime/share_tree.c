/* share_tree.c — a shared tree group (sharing rule 4) with the
 * intermediate cache (cache_model.c): configurations differing in
 * max_depth and min_samples_leaf, one tree per leaf size grown to the
 * group's deepest cap D (share_leaves.c).  Per leaf size:
 *   reuse    the cache holds the tree of its lineage grown to a cap >= D
 *            (or one that stopped before its cap): loaded, nothing grown;
 *   extend   it holds one grown to d < D: loaded, the training rows routed
 *            to its leaves, only the leaves at depth d grown on to D
 *            (cart_grow_from: bit for bit the tree grown to D at once);
 *   grow     else grown from the root, with the group's other sizes
 *            (cart_grow_leaves: every node shared until their splits
 *            differ).
 * A tree grown or extended is offered to the cache (materialized when the
 * cost rule says so), replacing the shallower one.  Every configuration
 * then reads its cap off its size's tree. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share.h"
#include "cache.h"
#include "cart.h"
#include "families.h"
#include "../include/mileage.h"
#include "../util/util.h"

/* Size o's tree (parameters one) from the cache: reused or extended
 * (o->how says which), else left to grow (o->how 0).  -1: out of memory. */
static int from_cache(rt_ctx *c, int D, const rt_pval *one, const rt_trainset *ts, rt_leaf_model *o, ut_err *e)
{
    rt_model *stored = NULL;
    int cap = 0;
    double stored_s = 0;
    int lr = rt_cache_load_tree(c, o->lin, ts->p, ts->nclasses, &stored, &cap, &stored_s, e);
    if (lr <= 0) return lr;
    if (rt_tree_serves(cap, rt_tree_get(stored)->depth, D)) {
        o->m = stored;
        o->how = RT_TREE_REUSED;
        return 0;
    }
    ut_err me;
    ut_err_clear(&me);
    double cpu0 = ut_thread_cpu();
    int rc = rt_tree_fit_from(one, ts, stored, cap, &o->m, &me);
    rt_model_free(stored);
    if (!rc) {
        o->how = RT_TREE_EXTENDED;
        /* growing it from the root would cost both */
        o->compute_s = stored_s + ut_thread_cpu() - cpu0;
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
    rt_leaf_group g;
    int rc = -1;
    if (rt_leaf_group_new(RT_FAM_TREE, params, ncfg, &g)) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    rt_pval big[16], one[16];
    rt_leaf_group_params(RT_FAM_TREE, params, ncfg, big);
    int D = (int)big[0].num;   /* params.def: max_depth first */
    memcpy(one, big, sizeof big);
    for (int j = 0; j < g.nv; j++) {
        rt_leaf_group_params_of(RT_FAM_TREE, &g, j, one);
        if (rt_lineage_tree(design, one, ts->n, ts->seed, g.one[j].lin)) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto out;
        }
        if (from_cache(c, D, one, ts, &g.one[j], e)) goto out;
    }
    ut_err me;
    if (rt_leaf_group_fit_rest(RT_FAM_TREE, big, &g, ts, decision, &me, e)) goto out;
    for (int j = 0; j < g.nv; j++) {
        const rt_leaf_model *o = &g.one[j];
        if (!o->m || o->how == RT_TREE_REUSED) continue;
        char name[600];
        if (D) snprintf(name, sizeof name, "tree to max_depth %d, %s", D, what);
        else snprintf(name, sizeof name, "tree (no max_depth), %s", what);
        if (g.nv > 1) snprintf(name + strlen(name), sizeof name - strlen(name), ", min_samples_leaf %d", g.msl[j]);
        rt_cache_offer_tree(c, o->lin, name, o->m, D, o->compute_s);
    }
    rc = rt_leaf_group_predict(RT_FAM_TREE, params, ncfg, &g, &me, Xt, nt, out, e);
    for (int k = 0; k < ncfg; k++) out[k].fit_seconds = (ut_now() - t0) / ncfg;
out:
    rt_leaf_group_free(&g);
    return rc;
}
