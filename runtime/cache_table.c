/* cache_table.c — loaded data in the intermediate cache: a parsed table
 * (typed columns, level strings, profiles) stored under the lineage of its
 * dataset row, so the next process skips parsing the file.  The file is
 * still read and hashed before a stored table is used: the content hash is
 * what says the data did not change.
 *
 * Payload (native byte order): the format name, then per column its name,
 * type, nlevels, integral, missing, distinct, min, max, mean, std, and its
 * values (numeric: nrows doubles; categorical: the level strings, then
 * nrows int32 codes).  Strings are a u32 length and the bytes.  Reading
 * checks every length and code against the payload's end and the table's
 * shape: a file that passed its checksum is still never trusted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_internal.h"
#include "../include/mileage.h"

/* ---- writing: pieces gathered in one buffer ---- */

static void put(ut_buf *b, const void *p, size_t n) { ut_buf_putn(b, p, n); }

static void put_str(ut_buf *b, const char *s)
{
    uint32_t n = s ? (uint32_t)strlen(s) : 0;
    put(b, &n, 4);
    if (n) put(b, s, n);
}

static void put_i64(ut_buf *b, int64_t v) { put(b, &v, 8); }

/* The table's payload (malloc'd via the buffer) and its size. */
static char *encode(const rt_table *t, size_t *n)
{
    ut_buf b;
    ut_buf_init(&b);
    put_str(&b, t->format);
    for (int j = 0; j < t->ncols; j++) {
        const rt_column *c = &t->cols[j];
        put_str(&b, c->name);
        int32_t hdr[4] = {(int32_t)c->type, c->nlevels, c->integral, 0};
        put(&b, hdr, sizeof hdr);
        put_i64(&b, c->missing);
        put_i64(&b, c->distinct);
        double m[4] = {c->min, c->max, c->mean, c->std};
        put(&b, m, sizeof m);
        if (c->type == RT_NUMERIC) {
            put(&b, c->num, (size_t)t->nrows * sizeof *c->num);
        } else {
            for (int k = 0; k < c->nlevels; k++) put_str(&b, c->levels[k]);
            for (int i = 0; i < t->nrows; i++) {
                int32_t v = c->cat[i];
                put(&b, &v, 4);
            }
        }
    }
    if (b.oom) {
        ut_buf_free(&b);
        return NULL;
    }
    *n = b.len;
    return ut_buf_take(&b);
}

/* ---- reading, bounds checked ---- */

typedef struct {
    const char *p, *end;
    int bad, oom;
} cursor;

static void get(cursor *r, void *out, size_t n)
{
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = 1;
        memset(out, 0, n);
        return;
    }
    memcpy(out, r->p, n);
    r->p += n;
}

static char *get_str(cursor *r)
{
    uint32_t n = 0;
    get(r, &n, 4);
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = 1;
        return NULL;
    }
    char *s = malloc((size_t)n + 1);
    if (!s) {
        r->oom = 1;
        return NULL;
    }
    memcpy(s, r->p, n);
    s[n] = 0;
    r->p += n;
    if (memchr(s, 0, n)) r->bad = 1;   /* names are C strings */
    return s;
}

typedef struct {
    int nrows, ncols;
    const char *hash;
    rt_table *t;
} table_use;

static const char *use_table(void *arg, const int64_t dims[3], void *payload, size_t n)
{
    table_use *u = arg;
    if (dims[0] != u->nrows || dims[1] != u->ncols) return "its shape does not match the dataset";
    cursor r = {payload, (const char *)payload + n, 0, 0};
    rt_table *t = calloc(1, sizeof *t);
    if (!t) return RT_CACHE_NOMEM;
    t->nrows = u->nrows;
    t->cols = calloc((size_t)u->ncols + 1, sizeof *t->cols);
    if (!t->cols) {
        free(t);
        return RT_CACHE_NOMEM;
    }
    t->ncols = u->ncols;
    snprintf(t->hash, sizeof t->hash, "%s", u->hash);
    t->format = get_str(&r);
    for (int j = 0; j < t->ncols && !r.bad && !r.oom; j++) {
        rt_column *c = &t->cols[j];
        c->name = get_str(&r);
        int32_t hdr[4];
        get(&r, hdr, sizeof hdr);
        int64_t miss, dist;
        get(&r, &miss, 8);
        get(&r, &dist, 8);
        double m[4];
        get(&r, m, sizeof m);
        if (r.bad || (hdr[0] != RT_NUMERIC && hdr[0] != RT_CATEGORICAL) || hdr[1] < 0 || miss < 0 ||
            miss > t->nrows || dist < 0 || dist > t->nrows) {
            r.bad = 1;
            break;
        }
        c->type = (rt_ctype)hdr[0];
        c->integral = hdr[2];
        c->missing = (long)miss;
        c->distinct = (long)dist;
        c->min = m[0], c->max = m[1], c->mean = m[2], c->std = m[3];
        if (c->type == RT_NUMERIC) {
            if (hdr[1] != 0 || (size_t)(r.end - r.p) / sizeof(double) < (size_t)t->nrows) {
                r.bad = 1;
                break;
            }
            if (!(c->num = malloc((size_t)t->nrows * sizeof *c->num + 1))) {
                r.oom = 1;
                break;
            }
            get(&r, c->num, (size_t)t->nrows * sizeof *c->num);
        } else {
            /* each level takes at least its 4-byte length */
            if ((size_t)hdr[1] > (size_t)(r.end - r.p) / 4) {
                r.bad = 1;
                break;
            }
            if (!(c->levels = calloc((size_t)hdr[1] + 1, sizeof *c->levels))) {
                r.oom = 1;
                break;
            }
            c->nlevels = hdr[1];
            for (int k = 0; k < c->nlevels && !r.bad && !r.oom; k++) c->levels[k] = get_str(&r);
            if (r.bad || r.oom || (size_t)(r.end - r.p) / 4 < (size_t)t->nrows) {
                r.bad |= !r.oom;
                break;
            }
            if (!(c->cat = malloc((size_t)t->nrows * sizeof *c->cat + 1))) {
                r.oom = 1;
                break;
            }
            for (int i = 0; i < t->nrows; i++) {
                int32_t v;
                get(&r, &v, 4);
                if (v < -1 || v >= c->nlevels) r.bad = 1;
                c->cat[i] = v;
            }
        }
    }
    if (!r.bad && !r.oom && r.p != r.end) r.bad = 1;   /* bytes left over */
    if (r.bad || r.oom || !t->format) {
        rt_table_free(t);
        return r.oom ? RT_CACHE_NOMEM : "its contents do not decode as a table";
    }
    free(payload);   /* used: decoded into t */
    u->t = t;
    return NULL;
}

int rt_cache_load_table(rt_ctx *c, const char *lineage, const cat_dataset *d, rt_table **out, ut_err *e)
{
    table_use u = {d->nrows, d->ncols, d->hash, NULL};
    int rc = rt_cache_fetch(c, lineage, RT_CACHE_KIND_DATA, use_table, &u, e);
    *out = rc == 1 ? u.t : NULL;
    return rc;
}

void rt_cache_offer_pending(rt_ctx *c)
{
    if (!c->cache_pending[0] || !c->cached || !rt_cache_active(c)) return;
    const char *path = c->cached_path ? c->cached_path : "", *base = strrchr(path, '/');
    char what[300];
    snprintf(what, sizeof what, "data %.200s (%d rows, %d columns)", base ? base + 1 : path, c->cached->nrows,
             c->cached->ncols);
    rt_cache_offer_table(c, c->cache_pending, what, c->cached, c->cache_pending_s);
    c->cache_pending[0] = '\0';
}

void rt_cache_offer_table(rt_ctx *c, const char *lineage, const char *what, const rt_table *t, double compute_s)
{
    size_t n = 0;
    char *payload = encode(t, &n);
    if (!payload) return;
    const void *piece[1] = {payload};
    int64_t dims[3] = {t->nrows, t->ncols, 0};
    rt_cache_offer(c, lineage, what, RT_CACHE_KIND_DATA, dims, piece, &n, 1, compute_s);
    free(payload);
}
