/* cache_model.c — fitted trees in the intermediate cache (kind 'model',
 * cache.h).  A shared tree group grows one tree to its deepest cap and
 * reads every shallower configuration off it (share.c), so what is worth
 * keeping is that tree, keyed by everything it depends on except the cap:
 *
 *   lineage "tree model" = the design's lineage (data, fold rows in order,
 *   target, task kind, every step), the family, the training rows used,
 *   the seed, and every tree parameter except max_depth (min_samples_leaf,
 *   criterion as written, pos_weight, neg_weight), plus the format below.
 *
 * One entry per lineage: the deepest tree grown so far.  dims = {cap it
 * was grown with (0 = unlimited), depth it reached, p} (the class count
 * is the lineage's, checked again by the model's value array).  A tree grown with cap d
 * serves every cap <= d, and every cap at all when it stopped before d
 * (no node reached the cap: each leaf is pure, too small or unsplittable,
 * so it is the unlimited tree).  The payload is the tree's node arrays as
 * bits (encode below; a model file's JSON, cart_io.c, costs ~17 printf /
 * strtod rounds per number: longer than growing the tree), validated on
 * load as a model file's tree is.
 *
 * Tree groups run on the fit window's threads (exec_explore.c), so the
 * catalog and the files are touched under one mutex here. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cache_internal.h"
#include "cart.h"
#include "families.h"
#include "../include/mileage.h"
#include "../util/hash.h"

#define TREE_FORMAT 1


int rt_lineage_tree(const char *design, const rt_pval *params, int nrows, unsigned long long seed,
                    rt_lineage_hex out)
{
    const rt_param_spec *specs;
    int np = rt_family_params(RT_FAM_TREE, &specs);
    ut_lineage l;
    ut_lineage_init(&l, "tree model");
    ut_lineage_int(&l, "format", TREE_FORMAT);
    ut_lineage_str(&l, "design", design);
    ut_lineage_str(&l, "family", "tree");
    ut_lineage_int(&l, "rows", nrows);
    ut_lineage_int(&l, "seed", (long long)seed);
    for (int i = 0; i < np; i++) {
        if (!strcmp(specs[i].name, "max_depth")) continue;   /* the tree serves every cap up to its own */
        if (specs[i].kind == RT_PARAM_STR) ut_lineage_name(&l, specs[i].name, params[i].str);
        else ut_lineage_num(&l, specs[i].name, params[i].num);
    }
    return ut_lineage_hex(&l, out);
}

int rt_tree_serves(int grown_cap, int depth, int cap)
{
    return grown_cap == 0 || depth < grown_cap || (cap > 0 && cap <= grown_cap);
}

int rt_cache_tree_stored(rt_ctx *c, const char *lineage, int *grown_cap, int *depth)
{
    int64_t dims[3];
    double secs;
    if (!rt_cache_peek(c, lineage, RT_CACHE_KIND_MODEL, dims, &secs) || !rt_cache_worth_loading(c, lineage)) return 0;
    *grown_cap = (int)dims[0];
    *depth = (int)dims[1];
    return 1;
}

/* The payload: nnodes, nout (int32), then per node feature, left, right,
 * depth, n_samples (int32 arrays), threshold, weight, impurity (double
 * arrays), then the nnodes x nout values — the bits, native order. */
void *rt_cache_tree_encode(const cart_tree *t, size_t *len)
{
    size_t nn = (size_t)t->nnodes, ints = 2 + 5 * nn, dbls = 3 * nn + nn * (size_t)t->nout;
    *len = ints * 4 + dbls * 8;
    unsigned char *buf = malloc(*len + 1);
    if (!buf) return NULL;
    int32_t *iv = (int32_t *)buf;
    iv[0] = t->nnodes;
    iv[1] = t->nout;
    for (size_t i = 0; i < nn; i++) {
        const cart_node *d = &t->node[i];
        iv[2 + i] = d->feature;
        iv[2 + nn + i] = d->left;
        iv[2 + 2 * nn + i] = d->right;
        iv[2 + 3 * nn + i] = d->depth;
        iv[2 + 4 * nn + i] = d->n_samples;
    }
    unsigned char *dp = buf + ints * 4;
    for (size_t i = 0; i < nn; i++) {
        memcpy(dp + 8 * i, &t->node[i].threshold, 8);
        memcpy(dp + 8 * (nn + i), &t->node[i].weight, 8);
        memcpy(dp + 8 * (2 * nn + i), &t->node[i].impurity, 8);
    }
    memcpy(dp + 8 * 3 * nn, t->value, nn * (size_t)t->nout * 8);
    return buf;
}

/* The tree of a payload, checked so that cart_apply can neither leave it
 * nor loop (as a model file's tree, cart_io.c): preorder children after
 * their parent, both or none, depths adding up, features below p, counts
 * and weights that are numbers.  NULL with *why set. */
cart_tree *rt_cache_tree_decode(const unsigned char *buf, size_t n, int p, int nout, const char **why)
{
    *why = "its model is not a valid tree";
    if (n < 8) return NULL;
    int32_t hdr[2];
    memcpy(hdr, buf, 8);
    size_t nn = (size_t)(hdr[0] > 0 ? hdr[0] : 0);
    if (hdr[0] < 1 || hdr[0] > (1 << 26) || hdr[1] != nout || n != (2 + 5 * nn) * 4 + (3 * nn + nn * (size_t)nout) * 8)
        return NULL;
    cart_tree *t = calloc(1, sizeof *t);
    if (t) {
        t->node = malloc(nn * sizeof *t->node);
        t->value = malloc(nn * (size_t)nout * sizeof *t->value);
    }
    if (!t || !t->node || !t->value) {
        if (t) cart_tree_free(t);
        free(t);
        *why = RT_CACHE_NOMEM;
        return NULL;
    }
    t->nnodes = t->cap = (int)nn;
    t->nout = nout;
    const unsigned char *dp = buf + (2 + 5 * nn) * 4;
    int ok = 1;
    for (size_t i = 0; i < nn && ok; i++) {
        cart_node *d = &t->node[i];
        int32_t v[5];
        for (int k = 0; k < 5; k++) memcpy(&v[k], buf + 4 * (2 + k * nn + i), 4);
        d->feature = v[0], d->left = v[1], d->right = v[2], d->depth = v[3], d->n_samples = v[4];
        memcpy(&d->threshold, dp + 8 * i, 8);
        memcpy(&d->weight, dp + 8 * (nn + i), 8);
        memcpy(&d->impurity, dp + 8 * (2 * nn + i), 8);
        int leaf = d->feature < 0;
        ok = d->feature >= -1 && d->feature < p && d->n_samples >= 1 && (i ? d->depth >= 1 : d->depth == 0) &&
             (leaf ? d->left == -1 && d->right == -1
                   : d->left > (int)i && d->right > (int)i && (size_t)d->left < nn && (size_t)d->right < nn) &&
             isfinite(d->threshold) && isfinite(d->weight) && isfinite(d->impurity);
        if (d->depth > t->depth) t->depth = d->depth;
    }
    for (size_t i = 0; i < nn && ok; i++) {
        const cart_node *d = &t->node[i];
        if (d->feature >= 0)
            ok = t->node[d->left].depth == d->depth + 1 && t->node[d->right].depth == d->depth + 1;
    }
    memcpy(t->value, dp + 8 * 3 * nn, nn * (size_t)nout * 8);
    for (size_t i = 0; i < nn * (size_t)nout && ok; i++) ok = isfinite(t->value[i]);
    if (!ok) {
        cart_tree_free(t);
        free(t);
        return NULL;
    }
    return t;
}

static void tree_impl_free(void *impl)
{
    cart_tree_free(impl);
    free(impl);
}

typedef struct {
    int p, nclasses;
    rt_model *m;
    int cap;
} tree_use;

static const char *use_tree(void *arg, const int64_t dims[3], void *payload, size_t n)
{
    tree_use *u = arg;
    if (dims[0] < 0 || dims[0] > 1000 || dims[1] < 0 || dims[2] != u->p)
        return "its shape does not match the design";
    const char *why = NULL;
    cart_tree *t = rt_cache_tree_decode(payload, n, u->p, u->nclasses > 0 ? u->nclasses : 1, &why);
    if (!t) return why;
    if ((dims[0] > 0 && t->depth > dims[0]) || t->depth != dims[1]) {
        cart_tree_free(t);
        free(t);
        return "its tree's depth does not match its header";
    }
    rt_model *m = calloc(1, sizeof *m);
    if (!m) {
        cart_tree_free(t);
        free(t);
        return RT_CACHE_NOMEM;
    }
    m->family = RT_FAM_TREE;
    m->p = u->p;
    m->nclasses = u->nclasses;
    m->impl = t;
    m->impl_free = tree_impl_free;
    free(payload);   /* used: the tree is ours now */
    u->m = m;
    u->cap = (int)dims[0];
    return NULL;
}

int rt_cache_fetch_model(rt_ctx *c, const char *lineage, rt_cache_use_fn use, void *arg, double *compute_s,
                         ut_err *e)
{
    pthread_mutex_lock(&rt_cache_mu);
    int64_t dims[3];
    double secs = 0;
    /* the seconds fitting it took; a header that cannot be read is still
     * fetched, so that the damage is reported and the entry removed */
    rt_cache_peek(c, lineage, RT_CACHE_KIND_MODEL, dims, &secs);
    int rc = rt_cache_fetch(c, lineage, RT_CACHE_KIND_MODEL, use, arg, e);
    pthread_mutex_unlock(&rt_cache_mu);
    if (rc == 1) *compute_s = secs;
    return rc;
}

void rt_cache_offer_model(rt_ctx *c, const char *lineage, const char *what, const int64_t dims[3], const void *buf,
                          size_t len, double compute_s)
{
    const void *piece[1] = {buf};
    pthread_mutex_lock(&rt_cache_mu);
    /* never replace a model that took longer to fit (a deeper tree, a
     * forest of more trees, more rounds) */
    int64_t od[3];
    double old_s = 0;
    if (!rt_cache_peek(c, lineage, RT_CACHE_KIND_MODEL, od, &old_s) || old_s < compute_s)
        rt_cache_offer(c, lineage, what, RT_CACHE_KIND_MODEL, dims, piece, &len, 1, compute_s);
    pthread_mutex_unlock(&rt_cache_mu);
}

int rt_cache_load_tree(rt_ctx *c, const char *lineage, int p, int nclasses, rt_model **m, int *grown_cap,
                       double *compute_s, ut_err *e)
{
    tree_use u = {p, nclasses, NULL, 0};
    *m = NULL;
    int rc = rt_cache_fetch_model(c, lineage, use_tree, &u, compute_s, e);
    if (rc == 1) {
        *m = u.m;
        *grown_cap = u.cap;
    }
    return rc;
}

void rt_cache_offer_tree(rt_ctx *c, const char *lineage, const char *what, const rt_model *m, int grown_cap,
                         double compute_s)
{
    const cart_tree *t = rt_tree_get(m);
    size_t len = 0;
    void *buf = t ? rt_cache_tree_encode(t, &len) : NULL;
    if (!buf) return;
    int64_t dims[3] = {grown_cap, t->depth, m->p};
    rt_cache_offer_model(c, lineage, what, dims, buf, len, compute_s);
    free(buf);
}
