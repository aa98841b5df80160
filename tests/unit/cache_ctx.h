/* cache_ctx.h — what the cache's unit tests share: an executor context on
 * a new catalog file in a new temporary directory with the cache active,
 * and its removal.  Static inline functions, for the test files. */
#ifndef TEST_CACHE_CTX_H
#define TEST_CACHE_CTX_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../runtime/cache.h"

/* tmpl: a mkdtemp template ("/tmp/mlg_test_x_XXXXXX"), made a directory;
 * dbpath (n bytes): the catalog file in it; *c: sharing and reuse on, the
 * default budget.  0, or -1 with the reason on stderr. */
static inline int cache_ctx_open(char *tmpl, char *dbpath, size_t n, rt_ctx *c)
{
    if (!mkdtemp(tmpl)) return -1;
    snprintf(dbpath, n, "%s/c.db", tmpl);
    memset(c, 0, sizeof *c);
    c->sharing = 1;
    c->cache_budget = RT_CACHE_DEFAULT_BUDGET;
    c->reuse = 1;
    ut_err e;
    ut_err_clear(&e);
    if (cat_open(dbpath, &c->cat, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        return -1;
    }
    return 0;
}

/* The entries the catalog records, -1 when it cannot be read. */
static inline int cache_ctx_rows(rt_ctx *c)
{
    cat_cache_entry *all;
    int n = 0;
    ut_err e;
    ut_err_clear(&e);
    if (cat_cache_all(c->cat, &all, &n, &e)) return -1;
    cat_cache_all_free(all, n);
    return n;
}

/* Closes the catalog and removes the directory with everything in it. */
static inline void cache_ctx_close(rt_ctx *c, const char *tmpl)
{
    cat_close(c->cat);
    ut_buf_free(&c->cache_notes);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
    if (system(cmd)) {}
}

#endif
