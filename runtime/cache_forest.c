/* cache_forest.c — forests and boosted trees in the intermediate cache
 * (cache_forest.h; kind 'model').  One entry per lineage: the largest model
 * fitted so far.  dims = {trees or rounds, cap the trees were grown with
 * (0 = none; gbt: its max_depth), deepest tree (forest; gbt 0)}.  The
 * payload, native order:
 *   int32 family, p, nout (forest) / K (gbt), count, nfit (gbt), 0
 *   gbt: double learning_rate, init[K], loss[rounds]; int32 cls[nfit]
 *   per tree (forest: trees; gbt: rounds x K): u64 bytes, the tree as
 *   cache_model.c encodes a single tree (rt_cache_tree_encode)
 * Everything is checked on load (shape against the design, every tree as
 * a stored tree is, gbt's class bookkeeping as a model file's), so a
 * damaged entry is reported and removed, never used.  Loads and offers
 * run on the fit window's threads: under rt_cache_mu. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cache_forest.h"
#include "cache_internal.h"
#include "ensemble.h"
#include "../include/mileage.h"
#include "../util/hash.h"

#define ENSEMBLE_FORMAT 1

int rt_lineage_ensemble(rt_family f, const char *design, const rt_pval *params, int nrows, unsigned long long seed,
                        rt_lineage_hex out)
{
    const rt_param_spec *specs;
    int np = rt_family_params(f, &specs);
    ut_lineage l;
    ut_lineage_init(&l, f == RT_FAM_FOREST ? "forest model" : "gbt model");
    ut_lineage_int(&l, "format", ENSEMBLE_FORMAT);
    ut_lineage_str(&l, "design", design);
    ut_lineage_str(&l, "family", rt_families[f].name);
    ut_lineage_int(&l, "rows", nrows);
    ut_lineage_int(&l, "seed", (long long)seed);
    for (int i = 0; i < np; i++) {
        /* a stored model serves every smaller count (and, forest, every cap its trees serve) */
        if (!strcmp(specs[i].name, "trees") || !strcmp(specs[i].name, "rounds")) continue;
        if (f == RT_FAM_FOREST && !strcmp(specs[i].name, "max_depth")) continue;
        if (specs[i].kind == RT_PARAM_STR) ut_lineage_name(&l, specs[i].name, params[i].str);
        else ut_lineage_num(&l, specs[i].name, params[i].num);
    }
    return ut_lineage_hex(&l, out);
}

int rt_cache_ensemble_stored(rt_ctx *c, const char *lineage, int *count, int *grown_cap, int *depth)
{
    int64_t dims[3];
    double secs;
    if (!rt_cache_peek(c, lineage, RT_CACHE_KIND_MODEL, dims, &secs) || !rt_cache_worth_loading(c, lineage)) return 0;
    *count = (int)dims[0];
    *grown_cap = (int)dims[1];
    *depth = (int)dims[2];
    return 1;
}

/* ---- writing ---- */

typedef struct {
    unsigned char *b;
    size_t n, cap;
    int oom;
} wbuf;

static void put(wbuf *w, const void *p, size_t n)
{
    if (w->oom) return;
    if (w->n + n > w->cap) {
        size_t nc = (w->cap ? w->cap * 2 : 4096) + n;
        unsigned char *nb = realloc(w->b, nc);
        if (!nb) {
            w->oom = 1;
            return;
        }
        w->b = nb, w->cap = nc;
    }
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void put_tree(wbuf *w, const cart_tree *t)
{
    size_t len = 0;
    void *tb = rt_cache_tree_encode(t, &len);
    if (!tb) {
        w->oom = 1;
        return;
    }
    uint64_t l = len;
    put(w, &l, 8);
    put(w, tb, len);
    free(tb);
}

static void *encode(const rt_model *m, size_t *len, int64_t dims[3], int grown_cap)
{
    wbuf w = {0};
    int32_t h[6] = {(int32_t)m->family, m->p, 0, 0, 0, 0};
    if (m->family == RT_FAM_FOREST) {
        const rt_forest_impl *f = m->impl;
        h[2] = m->nclasses > 0 ? m->nclasses : 1;
        h[3] = f->ntrees;
        put(&w, h, sizeof h);
        for (int t = 0; t < f->ntrees; t++) put_tree(&w, &f->trees[t]);
        dims[0] = f->ntrees, dims[1] = grown_cap, dims[2] = rt_forest_depth(m);
    } else {
        const rt_gbt_impl *g = m->impl;
        h[2] = g->K, h[3] = g->rounds, h[4] = g->nfit;
        put(&w, h, sizeof h);
        put(&w, &g->lr, 8);
        if (g->K) {
            put(&w, g->init, (size_t)g->K * 8);
            put(&w, g->loss, (size_t)g->rounds * 8);
        }
        if (g->nfit) put(&w, g->cls, (size_t)g->nfit * 4);
        for (int t = 0; t < g->rounds * g->K; t++) put_tree(&w, &g->trees[t]);
        dims[0] = g->rounds, dims[1] = grown_cap, dims[2] = 0;
    }
    if (w.oom) {
        free(w.b);
        return NULL;
    }
    *len = w.n;
    return w.b;
}

/* ---- reading ---- */

typedef struct {
    const unsigned char *b;
    size_t n, at;
} rbuf;

static int get(rbuf *r, void *p, size_t n)
{
    if (n > r->n - r->at) return -1;
    memcpy(p, r->b + r->at, n);
    r->at += n;
    return 0;
}

/* The next tree into *t (zeroed): NULL, or why not. */
static const char *get_tree(rbuf *r, int p, int nout, cart_tree *t)
{
    uint64_t len;
    if (get(r, &len, 8) || len > r->n - r->at) return "its model is truncated";
    const char *why = NULL;
    cart_tree *d = rt_cache_tree_decode(r->b + r->at, (size_t)len, p, nout, &why);
    if (!d) return why;
    *t = *d;
    free(d);
    r->at += (size_t)len;
    return NULL;
}

static int finite_all(const double *v, int n)
{
    for (int i = 0; i < n; i++)
        if (!isfinite(v[i])) return 0;
    return 1;
}

typedef struct {
    rt_family f;
    int p, nclasses;
    rt_model *m;
    int cap;
} ens_use;

static const char *use_ensemble(void *arg, const int64_t dims[3], void *payload, size_t n)
{
    ens_use *u = arg;
    rbuf r = {payload, n, 0};
    int32_t h[6];
    if (get(&r, h, sizeof h) || h[0] != (int32_t)u->f || h[1] != u->p || h[3] < 1 || h[3] > 100000 ||
        dims[0] != h[3] || dims[1] < 0 || dims[1] > 1000)
        return "its shape does not match the design";
    rt_model *m = calloc(1, sizeof *m);
    if (!m) return RT_CACHE_NOMEM;
    m->family = u->f;
    m->p = u->p;
    m->nclasses = u->nclasses;
    const char *why = NULL;
    int C = u->nclasses;
    if (u->f == RT_FAM_FOREST) {
        rt_forest_impl *f = calloc(1, sizeof *f);
        if (f) {
            m->impl = f;
            m->impl_free = rt_forest_impl_free;
        }
        if (!f || !(f->trees = calloc((size_t)h[3], sizeof *f->trees))) why = RT_CACHE_NOMEM;
        if (!why && h[2] != (C > 0 ? C : 1)) why = "its shape does not match the design";
        int depth = 0;
        for (int t = 0; !why && t < h[3]; t++) {
            why = get_tree(&r, u->p, h[2], &f->trees[t]);
            if (!why) f->ntrees = t + 1;
            if (!why && dims[1] > 0 && f->trees[t].depth > dims[1]) why = "a tree is deeper than its cap";
            if (!why && f->trees[t].depth > depth) depth = f->trees[t].depth;
        }
        if (!why && depth != dims[2]) why = "its trees' depth does not match its header";
    } else {
        rt_gbt_impl *g = calloc(1, sizeof *g);
        if (g) {
            m->impl = g;
            m->impl_free = rt_gbt_impl_free;
        }
        if (!g) why = RT_CACHE_NOMEM;
        int K = h[2], nfit = h[4], R = h[3];
        int ok = C == 0 ? K == 1 && nfit == 0
                        : nfit >= 1 && nfit <= C && (K == 0 ? 1 : K == 1 ? nfit == 2 : K == nfit);
        if (!why && !ok) why = "its classes do not match the task";
        if (!why) {
            g->K = K, g->nfit = nfit;
            g->init = malloc((size_t)K * 8 + 8);
            g->loss = malloc((size_t)R * 8 + 8);
            g->cls = malloc((size_t)nfit * 4 + 4);
            g->trees = calloc((size_t)R * K + 1, sizeof *g->trees);
            if (!g->init || !g->loss || !g->cls || !g->trees) why = RT_CACHE_NOMEM;
        }
        if (!why && (get(&r, &g->lr, 8) || (K && (get(&r, g->init, (size_t)K * 8) ||
                                                  get(&r, g->loss, (size_t)R * 8))) ||
                     (nfit && get(&r, g->cls, (size_t)nfit * 4))))
            why = "its model is truncated";
        if (!why && (!(g->lr > 0) || !isfinite(g->lr) || !finite_all(g->init, K)))
            why = "its model is not a valid boosted model";
        for (int k = 0; !why && k < nfit; k++)
            if (g->cls[k] < 0 || g->cls[k] >= C || (k && g->cls[k] <= g->cls[k - 1]))
                why = "its classes do not match the task";
        /* rounds counts the trees read so far, so a failure frees only those */
        if (!why && K == 0) g->rounds = R;
        for (int t = 0; !why && t < R * K; t++) {
            why = get_tree(&r, u->p, 1, &g->trees[t]);
            if (!why && (t + 1) % K == 0) g->rounds = (t + 1) / K;
        }
        if (!why && K && g->rounds != R) why = "its model is truncated";
    }
    if (!why && r.at != r.n) why = "its model has trailing bytes";
    if (why) {
        if (m->impl && u->f == RT_FAM_GBT) {
            /* trees read beyond the last whole round are not counted by
             * rounds: freed here (the rest of the calloc'd array is zero) */
            rt_gbt_impl *g = m->impl;
            for (int t = g->rounds * g->K; g->trees && t < h[3] * h[2]; t++) cart_tree_free(&g->trees[t]);
        }
        rt_model_free(m);
        return why;
    }
    free(payload);
    u->m = m;
    u->cap = (int)dims[1];
    return NULL;
}

int rt_cache_load_ensemble(rt_ctx *c, rt_family f, const char *lineage, int p, int nclasses, rt_model **m,
                           int *grown_cap, double *compute_s, ut_err *e)
{
    ens_use u = {f, p, nclasses, NULL, 0};
    *m = NULL;
    int rc = rt_cache_fetch_model(c, lineage, use_ensemble, &u, compute_s, e);
    if (rc == 1) {
        *m = u.m;
        *grown_cap = u.cap;
    }
    return rc;
}

void rt_cache_offer_ensemble(rt_ctx *c, const char *lineage, const char *what, const rt_model *m, int grown_cap,
                             double compute_s)
{
    if (!m || !m->impl || (m->family != RT_FAM_FOREST && m->family != RT_FAM_GBT)) return;
    size_t len = 0;
    int64_t dims[3];
    void *buf = encode(m, &len, dims, grown_cap);
    if (!buf) return;
    rt_cache_offer_model(c, lineage, what, dims, buf, len, compute_s);
    free(buf);
}
