/* cache_internal.h — the store under cache.h, for the files that keep one
 * kind of intermediate each (cache.c: designs, cache_table.c: loaded
 * data, cache_model.c: fitted trees, cache_forest.c: forests and boosted
 * trees, cache_neighbors.c: knn's neighbour lists, cache_gram.c: ridge's
 * per-fold Gram blocks, cache_pred.c: FIT groups' predictions and linear /
 * nb models).  Not for other callers. */
#ifndef RT_CACHE_INTERNAL_H
#define RT_CACHE_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "cache.h"
#include "cart.h"

/* Held around every cache operation that may run beside another thread's
 * (cache.c: designs; cache_model.c: trees; cache_neighbors.c: lists). */
extern pthread_mutex_t rt_cache_mu;

enum {
    RT_CACHE_KIND_DESIGN = 1, RT_CACHE_KIND_DATA = 2, RT_CACHE_KIND_MODEL = 3, RT_CACHE_KIND_NEIGHBORS = 4,
    RT_CACHE_KIND_PREDICTIONS = 5, /* a FIT group's test-row predictions (cache_pred.c) */
    RT_CACHE_KIND_GRAM = 6         /* rule 2's per-fold Gram blocks (cache_gram.c) */
};

/* Returned by a use function when memory ran out. */
#define RT_CACHE_NOMEM ((const char *)1)

/* Takes a checked payload (header, size, checksum and lineage verified):
 * NULL when used (the payload, malloc'd, is then the callee's), else why it
 * is unusable (the caller frees it), or RT_CACHE_NOMEM. */
typedef const char *(*rt_cache_use_fn)(void *arg, const int64_t dims[3], void *payload, size_t n);

/* The stored entry of `lineage`, when loading it pays: 1 used, 0 not
 * (absent, cheaper to compute, unusable: noted and removed), -1 out of
 * memory. */
int  rt_cache_fetch(rt_ctx *c, const char *lineage, unsigned kind, rt_cache_use_fn use, void *arg, ut_err *e);
/* Stores the concatenated pieces as the entry of `lineage` when the cost
 * rule says so (rt_cache_worth_storing), evicting to stay in the budget. */
void rt_cache_offer(rt_ctx *c, const char *lineage, const char *what, unsigned kind, const int64_t dims[3],
                    const void *const *piece, const size_t *len, int npieces, double compute_s);

/* The header of the stored entry of `lineage` (kind checked, header
 * checksum verified, payload not read): 1 with dims and the row's
 * compute seconds, 0 absent or unreadable (left for a load to report). */
int  rt_cache_peek(rt_ctx *c, const char *lineage, unsigned kind, int64_t dims[3], double *compute_s);

/* The last n bytes of the payload of the stored entry of `lineage`
 * (header checked, payload checksum not: a load verifies it), for a
 * decision that needs a record kept at the payload's end (cache_pca.c):
 * 1 read, 0 absent or unreadable. */
int  rt_cache_peek_tail(rt_ctx *c, const char *lineage, unsigned kind, void *tail, size_t n);

/* A fitted tree as bits (cache_model.c): the payload of a stored tree, and
 * each tree of a stored forest or boosted model (cache_forest.c).  Encode:
 * malloc'd, *len bytes, NULL out of memory.  Decode: a calloc'd tree
 * checked so that cart_apply can neither leave it nor loop, or NULL with
 * *why set (RT_CACHE_NOMEM when memory ran out). */
/* A stored fitted model (kind 'model', cache_model.c) for trees and for
 * forests / boosted models: fetch through `use` under the cache's mutex,
 * *compute_s the seconds fitting it took (set when 1 is returned; returns
 * as rt_cache_fetch).  Offer: buf (len bytes, the caller's) under
 * `lineage` unless the stored model took longer to fit. */
int  rt_cache_fetch_model(rt_ctx *c, const char *lineage, rt_cache_use_fn use, void *arg, double *compute_s,
                          ut_err *e);
void rt_cache_offer_model(rt_ctx *c, const char *lineage, const char *what, const int64_t dims[3], const void *buf,
                          size_t len, double compute_s);
void *rt_cache_tree_encode(const cart_tree *t, size_t *len);
cart_tree *rt_cache_tree_decode(const unsigned char *buf, size_t n, int p, int nout, const char **why);

#endif
