/* cache.c — intermediates stored beside the catalog (cache.h).
 *
 * File format (native byte order; one file per entry, <lineage>.mlc):
 *   0  magic "MLGCACHE"          8 bytes
 *   8  format version (1)        u32
 *  12  kind (1 design, 2 data, 3 model, 4 neighbors, 6 gram)  u32
 *  16  lineage                   32 hex digits
 *  48  payload bytes             u64
 *  56  XXH64 of the payload      u64
 *  64  dims[3] (design: training rows, test rows, columns; model:
 *      cache_model.c; neighbors: cache_neighbors.c; gram: folds,
 *      columns, classes)   i64 each
 *  88  XXH64 of bytes 0..88      u64
 *  96  payload (design: the training rows then the test rows, row-major
 *      doubles; data: cache_table.c; model: cache_model.c; neighbors:
 *      cache_neighbors.c; gram: cache_gram.c)
 * A file is written under a temporary name and renamed into place, and
 * its row is recorded after that; the budget is checked before the write
 * starts, so the directory never holds more than the budget. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "cache_internal.h"
#include "../include/mileage.h"
#include "../util/hash.h"

#define MAGIC "MLGCACHE"
#define FORMAT_VERSION 1u
#define HEADER 96
#define OPEN_SECONDS 2e-4        /* per file: open, header, the catalog's hit count */
/* per stored file: create, write the header, rename, insert its catalog row
 * (a write transaction).  It also keeps intermediates that take about a
 * millisecond to compute out of the cache, where the decision would hang
 * on timer noise. */
#define STORE_SECONDS 1e-3
#define DEFAULT_BPS 1e9          /* read + checksum, until measured */
#define DEFAULT_WBPS 5e8         /* write + checksum, until measured */
/* Bandwidths are measured on transfers of at least this many bytes:
 * smaller ones time mostly the per-file overhead and the scheduler. */
#define MEASURE_BYTES (4LL << 20)
#define BPS_KEY "cache_read_bytes_per_second"
#define WBPS_KEY "cache_write_bytes_per_second"

typedef struct {
    char     magic[8];
    uint32_t version, kind;
    char     lineage[32];
    uint64_t payload, sum;
    int64_t  dims[3];
    uint64_t hsum;
} file_header;
_Static_assert(sizeof(file_header) == HEADER, "the header is 96 bytes");

static const char *kind_name(unsigned k)
{
    return k == RT_CACHE_KIND_DESIGN      ? "design"
           : k == RT_CACHE_KIND_DATA      ? "data"
           : k == RT_CACHE_KIND_MODEL     ? "model"
           : k == RT_CACHE_KIND_NEIGHBORS ? "neighbors"
           : k == RT_CACHE_KIND_PREDICTIONS ? "predictions"
           : k == RT_CACHE_KIND_GRAM      ? "gram"
                                          : "?";
}

int rt_cache_active(const rt_ctx *c)
{
    return c->cat && c->cache_budget > 0 && c->sharing && c->reuse && cat_file_path(c->cat);
}

/* A read-only catalog still serves stored intermediates; it records
 * nothing (no new entries, hits, evictions or measured bandwidth). */
static int writable(const rt_ctx *c) { return !cat_is_readonly(c->cat); }

/* A bandwidth measured earlier (mlg_meta[key]) or the default, kept in *slot. */
static double bandwidth(rt_ctx *c, double *slot, const char *key, double dflt)
{
    if (*slot <= 0) {
        double v = 0;
        *slot = cat_meta_real(c->cat, key, &v) && v > 0 && isfinite(v) ? v : dflt;
    }
    return *slot;
}

static double read_bps(rt_ctx *c) { return bandwidth(c, &c->cache_read_bps, BPS_KEY, DEFAULT_BPS); }

double rt_cache_load_seconds(const rt_ctx *c, long long bytes)
{
    return OPEN_SECONDS + (double)bytes / read_bps((rt_ctx *)c);
}

static double write_bps(rt_ctx *c) { return bandwidth(c, &c->cache_write_bps, WBPS_KEY, DEFAULT_WBPS); }

double rt_cache_store_seconds(const rt_ctx *c, long long bytes)
{
    return STORE_SECONDS + (double)bytes / write_bps((rt_ctx *)c);
}

int rt_cache_worth_storing(const rt_ctx *c, long long bytes, double compute_s)
{
    /* one expected reuse must pay for writing it now and reading it then */
    return bytes <= c->cache_budget && compute_s - rt_cache_load_seconds(c, bytes) > rt_cache_store_seconds(c, bytes);
}

static void note(rt_ctx *c, const char *fmt, const char *a, const char *b)
{
    if (c->cache_notes.len) ut_buf_putc(&c->cache_notes, '\n');
    ut_buf_puts(&c->cache_notes, "warning: ");
    ut_buf_printf(&c->cache_notes, fmt, a, b);
}

char *rt_cache_take_notes(rt_ctx *c)
{
    if (!c->cache_notes.len) {
        ut_buf_free(&c->cache_notes);
        return NULL;
    }
    return ut_buf_take(&c->cache_notes);
}

/* <catalog>.cache[/name] into buf; -1 when there is no such place. */
static int path_of(const rt_ctx *c, const char *name, char *buf, size_t n)
{
    const char *cp = c->cat ? cat_file_path(c->cat) : NULL;
    if (!cp) return -1;
    int w = name ? snprintf(buf, n, "%s.cache/%s", cp, name) : snprintf(buf, n, "%s.cache", cp);
    return w < 0 || (size_t)w >= n ? -1 : 0;
}

/* Names this module writes: 32 hex digits + ".mlc", or + ".tmp". */
static int our_file(const char *name, int *tmp)
{
    size_t n = strlen(name);
    if (n != 36) return 0;
    for (int i = 0; i < 32; i++)
        if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f'))) return 0;
    *tmp = !strcmp(name + 32, ".tmp");
    return *tmp || !strcmp(name + 32, ".mlc");
}

static int remove_entry(rt_ctx *c, const cat_cache_entry *en, ut_err *e)
{
    if (!writable(c)) return 0;
    char path[4096];
    if (en->file && strchr(en->file, '/') == NULL && !path_of(c, en->file, path, sizeof path)) unlink(path);
    return cat_cache_delete(c->cat, en->lineage, e);
}

static double entry_value(const rt_ctx *c, const cat_cache_entry *en)
{
    double saved = en->compute_seconds - rt_cache_load_seconds(c, en->bytes);
    if (!(saved > 0)) saved = 0;
    return saved * (double)(1 + en->hits) / (double)(en->bytes > 0 ? en->bytes : 1);
}

typedef struct {
    double value;
    int i;
} ranked;

static int by_value(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->value != y->value) return x->value < y->value ? -1 : 1;
    return x->i - y->i;   /* cat_cache_all lists least recently used first */
}

/* Evicts entries, least valuable first, until `need` more bytes fit in the
 * budget; with value_new >= 0 only entries worth less per byte than the
 * newcomer go.  1 room made, 0 not possible, -1 error. */
static int make_room(rt_ctx *c, long long need, double value_new, ut_err *e)
{
    cat_cache_entry *all = NULL;
    int n = 0, rc = 0;
    if (cat_cache_all(c->cat, &all, &n, e)) return -1;
    long long total = 0;
    for (int i = 0; i < n; i++) total += all[i].bytes;
    ranked *order = malloc((size_t)n * sizeof *order + 1);
    if (!order) {
        cat_cache_all_free(all, n);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    for (int i = 0; i < n; i++) order[i] = (ranked){entry_value(c, &all[i]), i};
    qsort(order, (size_t)n, sizeof *order, by_value);
    /* first see whether enough can go, then remove: a newcomer that cannot
     * fit evicts nothing */
    long long freed = 0;
    int k = 0;
    while (total - freed + need > c->cache_budget && k < n && (value_new < 0 || order[k].value < value_new))
        freed += all[order[k++].i].bytes;
    if (total - freed + need <= c->cache_budget) {
        for (int i = 0; i < k && !rc; i++) rc = remove_entry(c, &all[order[i].i], e);
        rc = rc ? -1 : 1;
    }
    free(order);
    cat_cache_all_free(all, n);
    return rc;
}

static int sync_locked(rt_ctx *c, ut_err *e);

/* Writers of the cache (this and rt_cache_offer_design) hold the catalog's
 * write lock while they change files and rows, so two processes sharing a
 * catalog never see each other's half-made entry nor together exceed the
 * budget. */
int rt_cache_sync(rt_ctx *c, ut_err *e)
{
    if (!c->cat || !cat_file_path(c->cat) || !writable(c)) return 0;
    if (cat_begin(c->cat, e)) return -1;
    int rc = sync_locked(c, e);
    if (rc) {
        cat_rollback(c->cat);
        return -1;
    }
    return cat_commit(c->cat, e);
}

static int sync_locked(rt_ctx *c, ut_err *e)
{
    char dir[4096], path[4096];
    if (path_of(c, NULL, dir, sizeof dir)) return 0;
    cat_cache_entry *all = NULL;
    int n = 0;
    if (cat_cache_all(c->cat, &all, &n, e)) return -1;
    int rc = 0;
    /* rows whose file is gone or has another size: the row goes (a load
     * would find the same and recompute) */
    for (int i = 0; i < n && !rc; i++) {
        struct stat sb;
        if (path_of(c, all[i].file, path, sizeof path) || stat(path, &sb) || (long long)sb.st_size != all[i].bytes) {
            note(c, "cache entry %s is unusable: %s; removed (recomputed when needed)",
                 all[i].what ? all[i].what : all[i].lineage, "its file is missing or has the wrong size");
            rc = remove_entry(c, &all[i], e);
        }
    }
    /* files without a row: written by an interrupted statement */
    DIR *d = rc ? NULL : opendir(dir);
    for (struct dirent *de; d && (de = readdir(d));) {
        int tmp = 0, known = 0;
        if (!our_file(de->d_name, &tmp)) continue;
        for (int i = 0; i < n && !tmp && !known; i++) known = all[i].file && !strcmp(all[i].file, de->d_name);
        if (!known && !path_of(c, de->d_name, path, sizeof path)) unlink(path);
    }
    if (d) closedir(d);
    cat_cache_all_free(all, n);
    if (rc) return -1;
    return make_room(c, 0, -1, e) < 0 ? -1 : 0;
}

/* Reads and checks the file of entry `en` against lineage and kind;
 * returns the payload (malloc'd) or NULL with *why set (and *oom on
 * memory). */
static void *read_checked(rt_ctx *c, const cat_cache_entry *en, const char *lineage, unsigned kind, file_header *h,
                          const char **why, int *oom)
{
    char path[4096];
    *oom = 0;
    if (!en->file || strchr(en->file, '/') || path_of(c, en->file, path, sizeof path)) {
        *why = "its file name is not valid";
        return NULL;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        *why = errno == ENOENT ? "its file is missing" : "its file cannot be opened";
        return NULL;
    }
    void *buf = NULL;
    struct stat sb;
    if (fread(h, 1, HEADER, f) != HEADER) *why = "its file is truncated";
    else if (memcmp(h->magic, MAGIC, 8)) *why = "its file is not a mileage cache file";
    else if (h->version != FORMAT_VERSION) *why = "its file has another format version";
    else if (ut_xxh64(h, HEADER - 8, 0) != h->hsum) *why = "its file header is damaged (checksum)";
    else if (h->kind != kind || strncmp(h->lineage, lineage, 32) || strncmp(en->lineage, lineage, 32))
        *why = "its file holds another intermediate (lineage does not match)";
    else if (fstat(fileno(f), &sb) || (unsigned long long)sb.st_size != HEADER + h->payload ||
             (long long)sb.st_size != en->bytes)
        *why = (unsigned long long)sb.st_size < HEADER + h->payload ? "its file is truncated"
                                                                      : "its file has the wrong size";
    else if (!(buf = ut_malloc_big(h->payload + 1))) *oom = 1;
    else if (fread(buf, 1, h->payload, f) != h->payload) *why = "its file is truncated";
    else if (ut_xxh64(buf, h->payload, 0) != h->sum) *why = "its payload is damaged (checksum)";
    else *why = NULL;
    fclose(f);
    if (*why || *oom) {
        free(buf);
        return NULL;
    }
    return buf;
}

/* The stored file of `lineage` opened with its header read and checked
 * (kind, lineage, checksum; the payload is not verified: a load does
 * that), *en its catalog row (the caller clears it); NULL when absent or
 * unreadable, with nothing to clear. */
static FILE *open_checked(rt_ctx *c, const char *lineage, unsigned kind, file_header *h, cat_cache_entry *en)
{
    ut_err qe;
    ut_err_clear(&qe);
    if (cat_cache_get(c->cat, lineage, en, &qe) != 1) return NULL;
    char path[4096];
    int ok = en->file && !strchr(en->file, '/') && !path_of(c, en->file, path, sizeof path);
    FILE *f = ok ? fopen(path, "rb") : NULL;
    ok = f && fread(h, 1, HEADER, f) == HEADER && !memcmp(h->magic, MAGIC, 8) && h->version == FORMAT_VERSION &&
         ut_xxh64(h, HEADER - 8, 0) == h->hsum && h->kind == kind && !strncmp(h->lineage, lineage, 32);
    if (!ok) {
        if (f) fclose(f);
        cat_cache_entry_clear(en);
        return NULL;
    }
    return f;
}

int rt_cache_peek(rt_ctx *c, const char *lineage, unsigned kind, int64_t dims[3], double *compute_s)
{
    cat_cache_entry en;
    file_header h;
    FILE *f = open_checked(c, lineage, kind, &h, &en);
    if (!f) return 0;
    fclose(f);
    memcpy(dims, h.dims, sizeof h.dims);
    *compute_s = en.compute_seconds;
    cat_cache_entry_clear(&en);
    return 1;
}

int rt_cache_peek_tail(rt_ctx *c, const char *lineage, unsigned kind, void *tail, size_t n)
{
    cat_cache_entry en;
    file_header h;
    FILE *f = open_checked(c, lineage, kind, &h, &en);
    if (!f) return 0;
    int ok = h.payload >= n && !fseek(f, (long)(HEADER + h.payload - n), SEEK_SET) && fread(tail, 1, n, f) == n;
    fclose(f);
    cat_cache_entry_clear(&en);
    return ok;
}

int rt_cache_worth_loading(rt_ctx *c, const char *lineage)
{
    cat_cache_entry en;
    ut_err qe;
    ut_err_clear(&qe);
    if (cat_cache_get(c->cat, lineage, &en, &qe) != 1) return 0;
    int worth = rt_cache_load_seconds(c, en.bytes) < en.compute_seconds;
    cat_cache_entry_clear(&en);
    return worth;
}

int rt_cache_fetch(rt_ctx *c, const char *lineage, unsigned kind, rt_cache_use_fn use, void *arg, ut_err *e)
{
    cat_cache_entry en;
    ut_err qe;
    ut_err_clear(&qe);
    int found = cat_cache_get(c->cat, lineage, &en, &qe);
    if (found <= 0) return 0;   /* a cache that cannot be read is no cache */
    /* cheaper to compute again than to read: leave it */
    if (!(rt_cache_load_seconds(c, en.bytes) < en.compute_seconds)) {
        cat_cache_entry_clear(&en);
        return 0;
    }
    file_header h;
    const char *why = NULL;
    int oom = 0;
    double t0 = ut_now();
    void *buf = read_checked(c, &en, lineage, kind, &h, &why, &oom);
    double secs = ut_now() - t0;
    if (oom) {
        cat_cache_entry_clear(&en);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    if (!why) {
        why = use(arg, h.dims, buf, (size_t)h.payload);
        if (why == RT_CACHE_NOMEM) {
            free(buf);
            cat_cache_entry_clear(&en);
            return ut_errf(e, MLG_NOMEM, "out of memory");
        }
        if (why) free(buf);   /* else the payload is the caller's now */
    }
    if (why) {
        note(c, writable(c) ? "cache entry %s is unusable: %s; removed and recomputed"
                            : "cache entry %s is unusable: %s; recomputed (the catalog is read-only: not removed)",
             en.what ? en.what : lineage, why);
        ut_err_clear(&qe);
        remove_entry(c, &en, &qe);
        cat_cache_entry_clear(&en);
        return 0;
    }
    ut_err_clear(&qe);
    if (writable(c)) cat_cache_touch(c->cat, lineage, &qe);
    if (writable(c) && en.bytes >= MEASURE_BYTES && secs > 0) {
        /* the bandwidth the next decisions assume: a running mean */
        double bps = (double)en.bytes / secs;
        c->cache_read_bps = 0.5 * read_bps(c) + 0.5 * bps;
        cat_meta_set_real(c->cat, BPS_KEY, c->cache_read_bps, &qe);
    }
    cat_cache_entry_clear(&en);
    return 1;
}

typedef struct {
    int ntrain, ntest, p;
    double *x;
} design_use;

static const char *use_design(void *arg, const int64_t dims[3], void *payload, size_t n)
{
    design_use *u = arg;
    if (dims[0] != u->ntrain || dims[1] != u->ntest || dims[2] < 0 || dims[2] > 1 << 30 ||
        (double)(dims[0] + dims[1]) * (double)dims[2] * 8 != (double)n)
        return "its shape does not match the fold";
    u->x = payload;
    u->p = (int)dims[2];
    return NULL;
}

/* One lock for every cache operation of a statement: the executor loads
 * and offers designs on its thread while tree groups load and offer trees
 * on the fit threads, and all of them change files and catalog rows. */
pthread_mutex_t rt_cache_mu = PTHREAD_MUTEX_INITIALIZER;

int rt_cache_load_design(rt_ctx *c, const char *lineage, int ntrain, int ntest, double **x, int *p, ut_err *e)
{
    design_use u = {ntrain, ntest, 0, NULL};
    pthread_mutex_lock(&rt_cache_mu);
    int rc = rt_cache_fetch(c, lineage, RT_CACHE_KIND_DESIGN, use_design, &u, e);
    pthread_mutex_unlock(&rt_cache_mu);
    *x = rc == 1 ? u.x : NULL;
    *p = u.p;
    return rc;
}

/* Writes the file for entry `lineage` from pieces; 0 ok, -1 (noted) not. */
static int write_file(rt_ctx *c, const char *lineage, const char *what, unsigned kind, const int64_t dims[3],
                      const void *const *piece, const size_t *len, int npieces, char *name, size_t namecap)
{
    char dir[4096], tmp[4096], fin[4096], tname[64];
    snprintf(name, namecap, "%.32s.mlc", lineage);
    snprintf(tname, sizeof tname, "%.32s.tmp", lineage);
    if (path_of(c, NULL, dir, sizeof dir) || path_of(c, tname, tmp, sizeof tmp) || path_of(c, name, fin, sizeof fin))
        return -1;
    if (mkdir(dir, 0777) && errno != EEXIST) {
        note(c, "the cache directory %s cannot be made (%s); nothing stored", dir, strerror(errno));
        return -1;
    }
    file_header h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, MAGIC, 8);
    h.version = FORMAT_VERSION;
    h.kind = kind;
    memcpy(h.lineage, lineage, 32);
    ut_xxh64_state s;
    ut_xxh64_init(&s, 0);
    for (int i = 0; i < npieces; i++) {
        ut_xxh64_update(&s, piece[i], len[i]);
        h.payload += len[i];
    }
    h.sum = ut_xxh64_digest(&s);
    memcpy(h.dims, dims, sizeof h.dims);
    h.hsum = ut_xxh64(&h, HEADER - 8, 0);
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(&h, 1, HEADER, f) == HEADER;
    for (int i = 0; ok && i < npieces; i++) ok = fwrite(piece[i], 1, len[i], f) == len[i];
    if (f && fclose(f)) ok = 0;
    if (ok && rename(tmp, fin)) ok = 0;
    if (!ok) {
        note(c, "cache entry %s was not stored (%s)", what, strerror(errno ? errno : EIO));
        unlink(tmp);
        return -1;
    }
    return 0;
}

static void store_locked(rt_ctx *c, const char *lineage, const char *what, unsigned kind, const int64_t dims[3],
                         const void *const *piece, const size_t *len, int npieces, double compute_s, long long bytes)
{
    double load = rt_cache_load_seconds(c, bytes);
    ut_err e;
    ut_err_clear(&e);
    cat_cache_entry old;
    int had = cat_cache_get(c->cat, lineage, &old, &e);
    if (had < 0) return;
    if (had) {   /* stored before but not used (cheaper to compute then): replace */
        remove_entry(c, &old, &e);
        cat_cache_entry_clear(&old);
    }
    if (make_room(c, bytes, (compute_s - load) / (double)bytes, &e) != 1) return;
    char name[64];
    double t0 = ut_now();
    if (write_file(c, lineage, what, kind, dims, piece, len, npieces, name, sizeof name)) return;
    double secs = ut_now() - t0;
    if (bytes >= MEASURE_BYTES && secs > 0) {
        c->cache_write_bps = 0.5 * write_bps(c) + 0.5 * (double)bytes / secs;
        cat_meta_set_real(c->cat, WBPS_KEY, c->cache_write_bps, &e);
    }
    cat_cache_entry en;
    memset(&en, 0, sizeof en);
    snprintf(en.lineage, sizeof en.lineage, "%s", lineage);
    en.kind = (char *)kind_name(kind);
    en.what = (char *)what;
    en.file = name;
    en.bytes = bytes;
    en.compute_seconds = compute_s;
    if (cat_cache_put(c->cat, &en, &e)) {
        char path[4096];
        if (!path_of(c, name, path, sizeof path)) unlink(path);   /* no row, no file */
    }
}

void rt_cache_offer(rt_ctx *c, const char *lineage, const char *what, unsigned kind, const int64_t dims[3],
                    const void *const *piece, const size_t *len, int npieces, double compute_s)
{
    long long bytes = HEADER;
    for (int i = 0; i < npieces; i++) bytes += (long long)len[i];
    if (!writable(c) || !rt_cache_worth_storing(c, bytes, compute_s)) return;
    ut_err e;
    ut_err_clear(&e);
    if (cat_begin(c->cat, &e)) return;   /* busy elsewhere: not stored this time */
    store_locked(c, lineage, what, kind, dims, piece, len, npieces, compute_s, bytes);
    /* evictions and the new row together; a failed commit leaves rows
     * whose files are gone, which the next sync removes */
    if (cat_commit(c->cat, &e)) cat_rollback(c->cat);
}

void rt_cache_offer_design(rt_ctx *c, const char *lineage, const char *what, const double *xtr, int ntrain,
                           const double *xte, int ntest, int p, double compute_s)
{
    const void *piece[2] = {xtr, xte};
    size_t len[2] = {(size_t)ntrain * (size_t)p * sizeof(double), (size_t)ntest * (size_t)p * sizeof(double)};
    int64_t dims[3] = {ntrain, ntest, p};
    pthread_mutex_lock(&rt_cache_mu);
    rt_cache_offer(c, lineage, what, RT_CACHE_KIND_DESIGN, dims, piece, len, 2, compute_s);
    pthread_mutex_unlock(&rt_cache_mu);
}

int rt_cache_clear_all(rt_ctx *c, char **msg, ut_err *e)
{
    ut_buf b;
    ut_buf_init(&b);
    if (!c->cat || !cat_file_path(c->cat)) {
        ut_buf_puts(&b, "the cache is off (in-memory catalog): nothing to clear");
        *msg = ut_buf_take(&b);
        return 0;
    }
    cat_cache_entry *all = NULL;
    int n = 0;
    if (cat_cache_all(c->cat, &all, &n, e)) return -1;
    long long bytes = 0;
    for (int i = 0; i < n; i++) bytes += all[i].bytes;
    int rc = cat_cache_clear(c->cat, e);
    if (!rc) {
        char dir[4096], path[4096];
        DIR *d = path_of(c, NULL, dir, sizeof dir) ? NULL : opendir(dir);
        for (struct dirent *de; d && (de = readdir(d));) {
            int tmp;
            if (our_file(de->d_name, &tmp) && !path_of(c, de->d_name, path, sizeof path)) unlink(path);
        }
        if (d) {
            closedir(d);
            rmdir(dir);   /* only when nothing else is in it */
        }
        ut_buf_printf(&b, "cache cleared: %d entr%s, %lld bytes removed", n, n == 1 ? "y" : "ies", bytes);
        *msg = ut_buf_take(&b);
    }
    cat_cache_all_free(all, n);
    return rc;
}

int rt_cache_show(rt_ctx *c, ut_result **out, char **msg, ut_err *e)
{
    if (!c->cat || !cat_file_path(c->cat)) {
        static const char *const cols[] = {"kind", "lineage", "what", "bytes", "hits"};
        *out = ut_result_new(5, cols);
        if (!*out) return ut_errf(e, MLG_NOMEM, "out of memory");
        *msg = ut_strdup("the cache is off: the catalog is in memory");
        return 0;
    }
    if (cat_cache_list(c->cat, c->show_times, out, e)) return -1;
    cat_cache_entry *all = NULL;
    int n = 0;
    if (cat_cache_all(c->cat, &all, &n, e)) return -1;
    long long bytes = 0;
    for (int i = 0; i < n; i++) bytes += all[i].bytes;
    cat_cache_all_free(all, n);
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_printf(&b, "%d entr%s, %lld bytes of cache_budget %lld", n, n == 1 ? "y" : "ies", bytes, c->cache_budget);
    if (c->cache_budget > 0) ut_buf_printf(&b, " (%.1f%%)", 100.0 * (double)bytes / (double)c->cache_budget);
    if (!rt_cache_active(c))
        ut_buf_puts(&b, c->cache_budget <= 0 ? "; the cache is off (cache_budget = 0)"
                                             : "; the cache is off (sharing = off)");
    else if (!writable(c))
        ut_buf_puts(&b, "; read-only catalog: entries are used, none added");
    *msg = ut_buf_take(&b);
    return 0;
}
