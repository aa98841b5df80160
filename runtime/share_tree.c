/* share_tree.c — a shared tree group with the intermediate cache (share.h,
 * cache_model.c): the group needs one tree grown to its deepest cap D.
 *   reuse    the cache holds the tree of this lineage grown to a cap >= D
 *            (or one that stopped before its cap): loaded, nothing grown;
 *   extend   it holds one grown to d < D: loaded, the training rows routed
 *            to its leaves, only the leaves at depth d grown on to D
 *            (cart_grow_from: bit for bit the tree grown to D at once);
 *   grow     else grown from the root.
 * A tree grown or extended is offered to the cache (materialized when the
 * cost rule says so), replacing the shallower one.  Every configuration
 * then reads its cap off the tree, as in share.c's prefix_group. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share.h"
#include "cache.h"
#include "cart.h"
#include "families.h"
#include "../include/mileage.h"
#include "../util/util.h"

int rt_tree_group_cached(rt_ctx *c, const char *design, const char *what, const rt_pval *const *params, int ncfg,
                         const rt_trainset *ts, const double *Xt, int nt, rt_group_out *out, int *decision,
                         ut_err *e)
{
    double t0 = ut_now(), cpu0;
    const rt_param_spec *specs;
    int np = rt_family_params(RT_FAM_TREE, &specs);
    rt_pval big[16];
    memcpy(big, params[0], (size_t)np * sizeof *big);
    for (int k = 0; k < ncfg; k++) {   /* max_depth is params.def's first tree parameter */
        double d = params[k][0].num, b = big[0].num;
        big[0].num = (d == 0 || b == 0) ? 0 : (d > b ? d : b);
    }
    int D = (int)big[0].num;
    rt_lineage_hex lin;
    if (rt_lineage_tree(design, big, ts->n, ts->seed, lin)) return ut_errf(e, MLG_NOMEM, "out of memory");
    rt_model *stored = NULL, *m = NULL;
    int cap = 0;
    double stored_s = 0;
    int lr = rt_cache_load_tree(c, lin, ts->p, ts->nclasses, &stored, &cap, &stored_s, e);
    if (lr < 0) return -1;
    ut_err me;
    ut_err_clear(&me);
    int rc = 0;
    double compute_s = 0;
    /* what growing costs, this thread's CPU from here on: not the cache's
     * own reading (the catalog, the file), which is not what a reuse saves */
    cpu0 = ut_thread_cpu();
    if (lr == 1 && rt_tree_serves(cap, rt_tree_get(stored)->depth, D)) {
        m = stored;
        stored = NULL;
        *decision = RT_TREE_REUSED;
    } else {
        if (lr == 1) {
            rc = rt_tree_fit_from(big, ts, stored, cap, &m, &me);
            if (!rc) {
                *decision = RT_TREE_EXTENDED;
                compute_s = stored_s;   /* growing it from the root would cost both */
            } else if (me.code == MLG_NOMEM) {
                rt_model_free(stored);
                *e = me;
                return -1;
            }
        }
        if (!m) {
            ut_err_clear(&me);
            *decision = RT_TREE_GROWN;
            rc = rt_fit(RT_FAM_TREE, big, ts, &m, &me);
        }
        compute_s += ut_thread_cpu() - cpu0;
    }
    rt_model_free(stored);
    if (rc) {
        if (me.code == MLG_NOMEM) {
            *e = me;
            return -1;
        }
        for (int k = 0; k < ncfg; k++) rt_keep_error(&out[k], &me, e);
        for (int k = 0; k < ncfg; k++) out[k].fit_seconds = (ut_now() - t0) / ncfg;
        return 0;
    }
    if (*decision != RT_TREE_REUSED) {
        char name[600];
        if (D) snprintf(name, sizeof name, "tree to max_depth %d, %s", D, what);
        else snprintf(name, sizeof name, "tree (no max_depth), %s", what);
        rt_cache_offer_tree(c, lin, name, m, D, compute_s);
    }
    for (int k = 0; k < ncfg; k++) {
        ut_err_clear(&me);
        if (rt_tree_predict_capped(m, Xt, nt, (int)params[k][0].num, out[k].pred, out[k].proba, &me) &&
            rt_keep_error(&out[k], &me, e)) {
            rt_model_free(m);
            return -1;
        }
    }
    rt_model_free(m);
    for (int k = 0; k < ncfg; k++) out[k].fit_seconds = (ut_now() - t0) / ncfg;
    return 0;
}
