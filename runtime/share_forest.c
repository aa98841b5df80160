/* share_forest.c — a shared forest or gbt group with the intermediate
 * cache (cache_forest.h).  The group needs one model per leaf size
 * (forest: its configurations' min_samples_leaf values; gbt: one): the
 * most trees / rounds of its configurations (forest: at the deepest cap;
 * share_leaves.c).  The forests still to grow are grown together, tree t
 * of every size in one growth (rt_forest_fit_leaves).  Per leaf size:
 *   reuse    the cache holds the model of its lineage with at least as
 *            many trees / rounds (forest: trees serving the cap): loaded,
 *            nothing fitted;
 *   extend   it holds fewer: loaded, and only the missing trees grown /
 *            rounds boosted (rt_forest_fit_from, rt_gbt_fit_from: bit for
 *            bit the model fitted at once);
 *   grow     else fitted from nothing (a forest whose trees do not serve
 *            the cap too), with the other sizes to grow.
 * A model fitted or extended is offered to the cache, replacing the
 * smaller one.  Every configuration then reads its trees / rounds (and
 * cap) off its size's model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_forest.h"
#include "ensemble.h"
#include "share.h"
#include "../include/mileage.h"
#include "../util/util.h"

/* Size j's model (parameters one) from the cache: reused or extended (o->how
 * says which), else left to grow (o->how 0).  -1: out of memory. */
static int from_cache(rt_ctx *c, rt_family f, const rt_pval *one, const rt_trainset *ts, int T, int D,
                      rt_leaf_model *o, ut_err *e)
{
    int forest = f == RT_FAM_FOREST;
    rt_model *stored = NULL;
    int scap = 0;
    double stored_s = 0, cpu0 = ut_thread_cpu();
    o->cap = D;
    int lr = rt_cache_load_ensemble(c, f, o->lin, ts->p, ts->nclasses, &stored, &scap, &stored_s, e);
    if (lr <= 0) return lr;
    int serves = !forest || rt_tree_serves(scap, rt_forest_depth(stored), D);
    int have = forest ? rt_forest_ntrees(stored) : rt_gbt_rounds(stored);
    if (serves && have >= T) {
        o->m = stored;
        o->cap = scap;
        o->how = RT_TREE_REUSED;
        return 0;
    }
    if (serves) {
        rt_pval ext[16];
        memcpy(ext, one, sizeof ext);
        int cap = D;
        if (forest) {
            /* the new trees are grown with the stored trees' cap when it
             * covers D; else the stored trees stopped before theirs (each
             * is the unlimited tree) and D is every tree's cap */
            cap = scap == 0 || (D > 0 && D <= scap) ? scap : D;
            ext[1].num = cap;
        }
        ut_err me;
        ut_err_clear(&me);
        int rc = forest ? rt_forest_fit_from(ext, ts, stored, &o->m, &me) : rt_gbt_fit_from(ext, ts, stored, &o->m, &me);
        if (!rc) {
            o->cap = cap;
            o->how = RT_TREE_EXTENDED;
            /* fitting it from nothing would cost both */
            o->compute_s = stored_s + ut_thread_cpu() - cpu0;
        } else if (me.code == MLG_NOMEM) {
            rt_model_free(stored);
            *e = me;
            return -1;
        }
    }
    rt_model_free(stored);
    return 0;
}

int rt_ensemble_group_cached(rt_ctx *c, rt_family f, const char *design, const char *what,
                             const rt_pval *const *params, int ncfg, const rt_trainset *ts, const double *Xt, int nt,
                             rt_group_out *out, int *decision, ut_err *e)
{
    double t0 = ut_now();
    int forest = f == RT_FAM_FOREST, rc = -1;
    rt_leaf_group g;
    rt_pval big[16], one[16];
    if (rt_leaf_group_new(f, params, ncfg, &g)) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    rt_leaf_group_params(f, params, ncfg, big);
    int T = (int)big[0].num, D = forest ? (int)big[1].num : 0;
    memcpy(one, big, sizeof big);
    for (int j = 0; j < g.nv; j++) {
        rt_leaf_group_params_of(f, &g, j, one);
        if (rt_lineage_ensemble(f, design, one, ts->n, ts->seed, g.one[j].lin)) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto out;
        }
        if (from_cache(c, f, one, ts, T, D, &g.one[j], e)) goto out;
    }
    ut_err me;
    if (rt_leaf_group_fit_rest(f, big, &g, ts, decision, &me, e)) goto out;
    for (int j = 0; j < g.nv; j++) {
        const rt_leaf_model *o = &g.one[j];
        if (!o->m || o->how == RT_TREE_REUSED) continue;
        char name[600];
        if (!forest)
            snprintf(name, sizeof name, "gbt of %d rounds to max_depth %d, %s", rt_gbt_rounds(o->m), (int)big[2].num,
                     what);
        else if (o->cap)
            snprintf(name, sizeof name, "forest of %d trees to max_depth %d, %s", rt_forest_ntrees(o->m), o->cap, what);
        else snprintf(name, sizeof name, "forest of %d trees (no max_depth), %s", rt_forest_ntrees(o->m), what);
        if (g.nv > 1) snprintf(name + strlen(name), sizeof name - strlen(name), ", min_samples_leaf %d", g.msl[j]);
        rt_cache_offer_ensemble(c, o->lin, name, o->m, forest ? o->cap : (int)big[2].num, o->compute_s);
    }
    rc = rt_leaf_group_predict(f, params, ncfg, &g, &me, Xt, nt, out, e);
    for (int k = 0; k < ncfg; k++) out[k].fit_seconds = (ut_now() - t0) / ncfg;
out:
    rt_leaf_group_free(&g);
    return rc;
}
