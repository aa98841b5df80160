/* share_forest.c — a shared forest or gbt group with the intermediate
 * cache (cache_forest.h).  The group needs one model: the most trees /
 * rounds of its configurations (forest: at the deepest cap).
 *   reuse    the cache holds the model of this lineage with at least as
 *            many trees / rounds (forest: trees serving the cap): loaded,
 *            nothing fitted;
 *   extend   it holds fewer: loaded, and only the missing trees grown /
 *            rounds boosted (rt_forest_fit_from, rt_gbt_fit_from: bit for
 *            bit the model fitted at once);
 *   grow     else fitted from nothing (a forest whose trees do not serve
 *            the cap too).
 * A model fitted or extended is offered to the cache, replacing the
 * smaller one.  Every configuration then reads its trees / rounds (and
 * cap) off the model, as share.c's prefix_group does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_forest.h"
#include "ensemble.h"
#include "../include/mileage.h"
#include "../util/util.h"

int rt_ensemble_group_cached(rt_ctx *c, rt_family f, const char *design, const char *what,
                             const rt_pval *const *params, int ncfg, const rt_trainset *ts, const double *Xt, int nt,
                             rt_group_out *out, int *decision, ut_err *e)
{
    double t0 = ut_now();
    int forest = f == RT_FAM_FOREST;
    const rt_param_spec *specs;
    int np = rt_family_params(f, &specs);
    rt_pval big[16];
    memcpy(big, params[0], (size_t)np * sizeof *big);
    /* trees / rounds are params.def's first parameter, a forest's max_depth its second */
    for (int k = 0; k < ncfg; k++) {
        if (params[k][0].num > big[0].num) big[0].num = params[k][0].num;
        if (forest) {
            double d = params[k][1].num, b = big[1].num;
            big[1].num = (d == 0 || b == 0) ? 0 : (d > b ? d : b);
        }
    }
    int T = (int)big[0].num, D = forest ? (int)big[1].num : 0, cap = D;
    rt_lineage_hex lin;
    if (rt_lineage_ensemble(f, design, big, ts->n, ts->seed, lin)) return ut_errf(e, MLG_NOMEM, "out of memory");
    rt_model *stored = NULL, *m = NULL;
    int scap = 0;
    double stored_s = 0;
    int lr = rt_cache_load_ensemble(c, f, lin, ts->p, ts->nclasses, &stored, &scap, &stored_s, e);
    if (lr < 0) return -1;
    ut_err me;
    ut_err_clear(&me);
    int rc = 0;
    double compute_s = 0, cpu0 = ut_thread_cpu();
    int serves = lr == 1 && (!forest || rt_tree_serves(scap, rt_forest_depth(stored), D));
    int have = lr == 1 ? (forest ? rt_forest_ntrees(stored) : rt_gbt_rounds(stored)) : 0;
    if (serves && have >= T) {
        m = stored;
        stored = NULL;
        cap = scap;
        *decision = RT_TREE_REUSED;
    } else {
        if (serves) {
            rt_pval ext[16];
            memcpy(ext, big, sizeof ext);
            if (forest) {
                /* the new trees are grown with the stored trees' cap when it
                 * covers D; else the stored trees stopped before theirs (each
                 * is the unlimited tree) and D is every tree's cap */
                cap = scap == 0 || (D > 0 && D <= scap) ? scap : D;
                ext[1].num = cap;
            }
            rc = forest ? rt_forest_fit_from(ext, ts, stored, &m, &me) : rt_gbt_fit_from(ext, ts, stored, &m, &me);
            if (!rc) {
                *decision = RT_TREE_EXTENDED;
                compute_s = stored_s;   /* fitting it from nothing would cost both */
            } else if (me.code == MLG_NOMEM) {
                rt_model_free(stored);
                *e = me;
                return -1;
            }
        }
        if (!m) {
            ut_err_clear(&me);
            cap = D;
            *decision = RT_TREE_GROWN;
            rc = rt_fit(f, big, ts, &m, &me);
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
        if (!forest)
            snprintf(name, sizeof name, "gbt of %d rounds to max_depth %d, %s", rt_gbt_rounds(m), (int)big[2].num,
                     what);
        else if (cap) snprintf(name, sizeof name, "forest of %d trees to max_depth %d, %s", rt_forest_ntrees(m), cap, what);
        else snprintf(name, sizeof name, "forest of %d trees (no max_depth), %s", rt_forest_ntrees(m), what);
        rt_cache_offer_ensemble(c, lin, name, m, forest ? cap : (int)big[2].num, compute_s);
    }
    for (int k = 0; k < ncfg; k++) {
        ut_err_clear(&me);
        int count = (int)params[k][0].num;
        int r = forest ? rt_forest_predict_capped(m, Xt, nt, count, (int)params[k][1].num, out[k].pred, out[k].proba, &me)
                       : rt_gbt_predict_rounds(m, Xt, nt, count, out[k].pred, out[k].proba, &me);
        if (r && rt_keep_error(&out[k], &me, e)) {
            rt_model_free(m);
            return -1;
        }
    }
    rt_model_free(m);
    for (int k = 0; k < ncfg; k++) out[k].fit_seconds = (ut_now() - t0) / ncfg;
    return 0;
}
