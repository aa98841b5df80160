/* share_forest.c — a shared forest or gbt group, with or without the
 * intermediate cache (cache_forest.h).  The group needs one model per
 * leaf size (forest: its configurations' min_samples_leaf values; gbt:
 * one): the most trees / rounds of its configurations (forest: at the
 * deepest cap).  The forests still to grow are grown together, tree t of
 * every size in one growth (rt_forest_fit_leaves).  With the cache, per
 * leaf size:
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
#include "cart.h"
#include "ensemble.h"
#include "share.h"
#include "../include/mileage.h"
#include "../util/util.h"

#define F_LEAF 3   /* params.def: a forest's min_samples_leaf */

/* One leaf size's model and how it was obtained. */
typedef struct {
    rt_model *m;
    int cap;            /* the cap its trees were grown to (forest) */
    int how;            /* RT_TREE_REUSED / _EXTENDED / _GROWN, 0 to grow */
    double compute_s;   /* what fitting it from nothing costs */
    rt_lineage_hex lin;
} ens_one;

/* The group's model parameters: the first configuration's with the most
 * trees / rounds (forest: and the deepest cap, 0 = unlimited). */
static void group_params(rt_family f, const rt_pval *const *params, int ncfg, rt_pval *big)
{
    const rt_param_spec *specs;
    int np = rt_family_params(f, &specs);
    memcpy(big, params[0], (size_t)np * sizeof *big);
    for (int k = 0; k < ncfg; k++) {
        if (params[k][0].num > big[0].num) big[0].num = params[k][0].num;
        if (f == RT_FAM_FOREST) {
            double d = params[k][1].num, b = big[1].num;
            big[1].num = (d == 0 || b == 0) ? 0 : (d > b ? d : b);
        }
    }
}

/* The group's sizes (msl, of: ncfg long) and a state per size. */
typedef struct {
    int nv, *msl, *of, *idx;
    ens_one *one;
} ens_group;

static int group_new(rt_family f, const rt_pval *const *params, int ncfg, ens_group *g)
{
    size_t n = (size_t)ncfg;
    g->msl = malloc(3 * n * sizeof *g->msl);
    g->one = calloc(n, sizeof *g->one);
    if (!g->msl || !g->one) return -1;
    g->of = g->msl + n;
    g->idx = g->msl + 2 * n;
    if (f == RT_FAM_FOREST) {
        g->nv = rt_leaf_sizes(params, ncfg, F_LEAF, g->msl, g->of);
    } else {
        g->nv = 1;
        memset(g->of, 0, n * sizeof *g->of);
    }
    return 0;
}

static void group_free(ens_group *g)
{
    for (int j = 0; g->one && j < g->nv; j++) rt_model_free(g->one[j].m);
    free(g->one);
    free(g->msl);
}

/* Fits the models of sizes idx[0..n) from nothing: rt_fit for one (what a
 * group of one size always did), else the forests together, up to
 * CART_MAX_LEAF_SIZES at a time.  One failure fails them all (*me). */
static int grow_sizes(rt_family f, const rt_pval *big, ens_group *g, int n, const rt_trainset *ts, ut_err *me)
{
    rt_pval one[16];
    const rt_param_spec *specs;
    int np = rt_family_params(f, &specs);
    memcpy(one, big, (size_t)np * sizeof *one);
    if (n == 1) {
        if (f == RT_FAM_FOREST) one[F_LEAF].num = g->msl[g->idx[0]];
        return rt_fit(f, one, ts, &g->one[g->idx[0]].m, me);
    }
    for (int i0 = 0; i0 < n; i0 += CART_MAX_LEAF_SIZES) {
        int k = n - i0 < CART_MAX_LEAF_SIZES ? n - i0 : CART_MAX_LEAF_SIZES, sz[CART_MAX_LEAF_SIZES];
        rt_model *got[CART_MAX_LEAF_SIZES];
        for (int i = 0; i < k; i++) sz[i] = g->msl[g->idx[i0 + i]];
        if (rt_forest_fit_leaves(one, sz, k, ts, got, me)) return -1;
        for (int i = 0; i < k; i++) g->one[g->idx[i0 + i]].m = got[i];
    }
    return 0;
}

/* Every configuration's predictions off its size's model: its trees /
 * rounds (forest: at its cap); a size whose fit failed gives *failed. */
static int predict_all(rt_family f, const rt_pval *const *params, int ncfg, const ens_group *g, const ut_err *failed,
                       const double *Xt, int nt, rt_group_out *out, ut_err *e)
{
    for (int k = 0; k < ncfg; k++) {
        rt_model *m = g->one[g->of[k]].m;
        ut_err me;
        ut_err_clear(&me);
        if (!m) {
            if (rt_keep_error(&out[k], failed, e)) return -1;
            continue;
        }
        int count = (int)params[k][0].num;
        int r = f == RT_FAM_FOREST
                    ? rt_forest_predict_capped(m, Xt, nt, count, (int)params[k][1].num, out[k].pred, out[k].proba, &me)
                    : rt_gbt_predict_rounds(m, Xt, nt, count, out[k].pred, out[k].proba, &me);
        if (r && rt_keep_error(&out[k], &me, e)) return -1;
    }
    return 0;
}

/* Grows the sizes idx[0..n) (the models stay in g); a failure other than
 * memory is kept in *me for those configurations, their models NULL.
 * -1: out of memory (*e). */
static int grow_or_keep(rt_family f, const rt_pval *big, ens_group *g, int n, const rt_trainset *ts, ut_err *me,
                        ut_err *e)
{
    ut_err_clear(me);
    if (!n || !grow_sizes(f, big, g, n, ts, me)) return 0;
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

int rt_ensemble_group(rt_family f, const rt_pval *const *params, int ncfg, const rt_trainset *ts, const double *Xt,
                      int nt, rt_group_out *out, ut_err *e)
{
    double t0 = ut_now();
    ens_group g = {0};
    int rc = -1;
    rt_pval big[16];
    if (group_new(f, params, ncfg, &g)) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    group_params(f, params, ncfg, big);
    for (int j = 0; j < g.nv; j++) g.idx[j] = j;
    ut_err me;
    if (grow_or_keep(f, big, &g, g.nv, ts, &me, e)) goto out;
    rc = predict_all(f, params, ncfg, &g, &me, Xt, nt, out, e);
    for (int k = 0; k < ncfg; k++) out[k].fit_seconds = (ut_now() - t0) / ncfg;
out:
    group_free(&g);
    return rc;
}

/* Size j's model (parameters one) from the cache: reused or extended (o->how
 * says which), else left to grow (o->how 0).  -1: out of memory. */
static int from_cache(rt_ctx *c, rt_family f, const rt_pval *one, const rt_trainset *ts, int T, int D, ens_one *o,
                      ut_err *e)
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
    int forest = f == RT_FAM_FOREST, rc = -1, ngrow = 0, nreused = 0;
    ens_group g = {0};
    rt_pval big[16], one[16];
    if (group_new(f, params, ncfg, &g)) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    group_params(f, params, ncfg, big);
    int T = (int)big[0].num, D = forest ? (int)big[1].num : 0;
    memcpy(one, big, sizeof big);
    for (int j = 0; j < g.nv; j++) {
        if (forest) one[F_LEAF].num = g.msl[j];
        if (rt_lineage_ensemble(f, design, one, ts->n, ts->seed, g.one[j].lin)) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto out;
        }
        if (from_cache(c, f, one, ts, T, D, &g.one[j], e)) goto out;
        nreused += g.one[j].how == RT_TREE_REUSED;
        if (!g.one[j].how) g.idx[ngrow++] = j;
    }
    /* what fitting costs, this thread's CPU (split among the sizes grown
     * together): not the cache's own reading */
    double cpu0 = ut_thread_cpu();
    ut_err me;
    if (grow_or_keep(f, big, &g, ngrow, ts, &me, e)) goto out;
    for (int i = 0; i < ngrow; i++) {
        g.one[g.idx[i]].how = RT_TREE_GROWN;
        g.one[g.idx[i]].compute_s = (ut_thread_cpu() - cpu0) / ngrow;
    }
    *decision = nreused == g.nv ? RT_TREE_REUSED : ngrow ? RT_TREE_GROWN : RT_TREE_EXTENDED;
    for (int j = 0; j < g.nv; j++) {
        const ens_one *o = &g.one[j];
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
    rc = predict_all(f, params, ncfg, &g, &me, Xt, nt, out, e);
    for (int k = 0; k < ncfg; k++) out[k].fit_seconds = (ut_now() - t0) / ncfg;
out:
    group_free(&g);
    return rc;
}
