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
 * so it is the unlimited tree).  The payload is the model file's JSON of
 * the tree (model_io.c, cart_io.c: numbers written to read back the same
 * bits), validated on load like any model file.
 *
 * Tree groups run on the fit window's threads (exec_explore.c), so the
 * catalog and the files are touched under one mutex here. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cache_internal.h"
#include "cart.h"
#include "families.h"
#include "model_io.h"
#include "../include/mileage.h"
#include "../util/hash.h"
#include "../util/json.h"

#define TREE_FORMAT 1

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

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

typedef struct {
    int p, nclasses;
    rt_model *m;
    int cap;
    int oom;
} tree_use;

static const char *use_tree(void *arg, const int64_t dims[3], void *payload, size_t n)
{
    tree_use *u = arg;
    if (dims[0] < 0 || dims[0] > 1000 || dims[1] < 0 || dims[2] != u->p)
        return "its shape does not match the design";
    ut_json *root = NULL;
    ut_err pe;
    ut_err_clear(&pe);
    if (ut_json_parse(payload, n, "cached model", &root, &pe))
        return pe.code == MLG_NOMEM ? RT_CACHE_NOMEM : "its model does not parse";
    rt_model *m = calloc(1, sizeof *m);
    if (!m) {
        ut_json_free(root);
        return RT_CACHE_NOMEM;
    }
    m->family = RT_FAM_TREE;
    m->p = u->p;
    m->nclasses = u->nclasses;
    rt_mio io;
    rt_mio_reader(&io, root, &pe);
    int rc = rt_model_io(&io, m);
    ut_json_free(root);
    const cart_tree *t = rc ? NULL : rt_tree_get(m);
    if (rc || !t || (dims[0] > 0 && t->depth > dims[0]) || t->depth != dims[1]) {
        rt_model_free(m);
        return pe.code == MLG_NOMEM ? RT_CACHE_NOMEM : "its model is not a valid tree";
    }
    free(payload);   /* used: the tree is ours now */
    u->m = m;
    u->cap = (int)dims[0];
    return NULL;
}

int rt_cache_load_tree(rt_ctx *c, const char *lineage, int p, int nclasses, rt_model **m, int *grown_cap,
                       double *compute_s, ut_err *e)
{
    tree_use u = {p, nclasses, NULL, 0, 0};
    *m = NULL;
    pthread_mutex_lock(&lock);
    int64_t dims[3];
    double secs = 0;
    /* the seconds growing it took; a header that cannot be read is still
     * fetched, so that the damage is reported and the entry removed */
    rt_cache_peek(c, lineage, RT_CACHE_KIND_MODEL, dims, &secs);
    int rc = rt_cache_fetch(c, lineage, RT_CACHE_KIND_MODEL, use_tree, &u, e);
    pthread_mutex_unlock(&lock);
    if (rc == 1) {
        *m = u.m;
        *grown_cap = u.cap;
        *compute_s = secs;
    }
    return rc;
}

void rt_cache_offer_tree(rt_ctx *c, const char *lineage, const char *what, const rt_model *m, int grown_cap,
                         double compute_s)
{
    ut_buf b;
    ut_buf_init(&b);
    ut_err e;
    ut_err_clear(&e);
    rt_mio io;
    rt_mio_writer(&io, &b, &e);
    ut_buf_putc(&b, '{');
    int rc = rt_model_io(&io, (rt_model *)m);   /* the writer only reads */
    ut_buf_putc(&b, '}');
    if (rc || b.oom) {
        ut_buf_free(&b);
        return;
    }
    const void *piece[1] = {b.s};
    size_t len[1] = {b.len};
    int64_t dims[3] = {grown_cap, rt_tree_get(m)->depth, m->p};
    pthread_mutex_lock(&lock);
    /* never replace a tree that took longer to grow (a deeper one) */
    int64_t od[3];
    double old_s = 0;
    if (!rt_cache_peek(c, lineage, RT_CACHE_KIND_MODEL, od, &old_s) || old_s < compute_s)
        rt_cache_offer(c, lineage, what, RT_CACHE_KIND_MODEL, dims, piece, len, 1, compute_s);
    pthread_mutex_unlock(&lock);
    ut_buf_free(&b);
}
