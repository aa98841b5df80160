/* util.c — errors, strings, result tables, suggestions, time. */
#include "util.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

void ut_err_clear(ut_err *e)
{
    if (!e) return;
    e->msg[0] = 0;
    e->offset = -1;
    e->length = 0;
    e->code = 0;
}

static void verr(ut_err *e, int code, const char *fmt, va_list ap)
{
    if (!e) return;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    e->code = code;
}

int ut_errf(ut_err *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(e, code, fmt, ap);
    va_end(ap);
    return -1;
}

int ut_errf_at(ut_err *e, int code, int offset, int length, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verr(e, code, fmt, ap);
    va_end(ap);
    if (e) {
        e->offset = offset;
        e->length = length;
    }
    return -1;
}

/* ---- ut_buf ---- */

void ut_buf_init(ut_buf *b) { memset(b, 0, sizeof *b); }

void ut_buf_free(ut_buf *b)
{
    free(b->s);
    ut_buf_init(b);
}

static int reserve(ut_buf *b, size_t extra)
{
    if (b->oom) return -1;
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = 1;
        return -1;
    }
    b->s = s;
    b->cap = cap;
    return 0;
}

void ut_buf_putn(ut_buf *b, const char *s, size_t n)
{
    if (reserve(b, n)) return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = 0;
}

void ut_buf_putc(ut_buf *b, char c) { ut_buf_putn(b, &c, 1); }
void ut_buf_puts(ut_buf *b, const char *s) { ut_buf_putn(b, s, strlen(s)); }

void ut_buf_printf(ut_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void ut_buf_json_str(ut_buf *b, const char *s)
{
    ut_buf_putc(b, '"');
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        switch (*p) {
        case '"': ut_buf_puts(b, "\\\""); break;
        case '\\': ut_buf_puts(b, "\\\\"); break;
        case '\n': ut_buf_puts(b, "\\n"); break;
        case '\r': ut_buf_puts(b, "\\r"); break;
        case '\t': ut_buf_puts(b, "\\t"); break;
        default:
            if (*p < 0x20) ut_buf_printf(b, "\\u%04x", *p);
            else ut_buf_putc(b, (char)*p);
        }
    }
    ut_buf_putc(b, '"');
}

/* Shortest %.Ng that reads back to the same double, so canonical JSON is
 * both exact and readable (0.001, not 0.0010000000000000000208). */
void ut_buf_json_num(ut_buf *b, double v)
{
    if (!isfinite(v)) {
        ut_buf_puts(b, "null");
        return;
    }
    char tmp[40];
    if (v == floor(v) && fabs(v) < 1e15) {  /* integers read as integers: 1000, not 1e+03 */
        snprintf(tmp, sizeof tmp, "%.0f", v);
        ut_buf_puts(b, tmp);
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*g", prec, v);
        if (strtod(tmp, NULL) == v) break;
    }
    ut_buf_puts(b, tmp);
}

char *ut_buf_take(ut_buf *b)
{
    if (b->oom) {
        ut_buf_free(b);
        return NULL;
    }
    if (!b->s) {
        char *s = malloc(1);
        if (s) s[0] = 0;
        return s;
    }
    char *s = b->s;
    ut_buf_init(b);
    return s;
}

char *ut_strdup(const char *s)
{
    return s ? ut_strndup(s, strlen(s)) : NULL;
}

char *ut_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, s, n);
    d[n] = 0;
    return d;
}

int ut_strcasecmp(const char *a, const char *b)
{
    for (;; a++, b++) {
        int ca = tolower((unsigned char)*a), cb = tolower((unsigned char)*b);
        if (ca != cb || !ca) return ca - cb;
    }
}

/* ---- suggestions ---- */

static int prefix_casecmp(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int ca = tolower((unsigned char)a[i]), cb = tolower((unsigned char)b[i]);
        if (ca != cb || !ca) return ca - cb;
    }
    return 0;
}

/* Optimal string alignment distance, case-insensitive: insertions,
 * deletions, substitutions and swaps of adjacent letters cost 1 each, so
 * 'gird' is one edit from 'grid'. */
int ut_edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64) return 1000;
    int d[65][65];
    for (size_t i = 0; i <= la; i++) d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++) d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++) {
        int ca = tolower((unsigned char)a[i - 1]);
        for (size_t j = 1; j <= lb; j++) {
            int cb = tolower((unsigned char)b[j - 1]);
            int best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best) best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best) best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    }
    return d[la][lb];
}

/* Close means: at most a third of the word's letters wrong (at least 1, at
 * most 3); a shared prefix of 3+ letters also counts, so 'stand' finds
 * 'standardize'. Ties go to the first candidate, keeping output stable. */
const char *ut_suggest(const char *word, const char *const *cands, int n)
{
    const char *best = NULL;
    int bestd = 1 << 30;
    size_t lw = strlen(word);
    int limit = (int)(lw / 3);
    if (limit < 1) limit = 1;
    if (limit > 3) limit = 3;
    for (int i = 0; i < n; i++) {
        if (!cands[i]) continue;
        int d = ut_edit_distance(word, cands[i]);
        if (d <= limit && d < bestd) {
            best = cands[i];
            bestd = d;
        }
    }
    if (best || lw < 3) return best;
    for (int i = 0; i < n; i++)
        if (cands[i] && strlen(cands[i]) > lw && prefix_casecmp(word, cands[i], lw) == 0)
            return cands[i];
    return NULL;
}

/* ---- result tables ---- */

ut_result *ut_result_new(int ncols, const char *const *names)
{
    ut_result *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->ncols = ncols;
    r->names = calloc((size_t)(ncols ? ncols : 1), sizeof *r->names);
    if (!r->names) {
        free(r);
        return NULL;
    }
    for (int i = 0; i < ncols; i++) {
        r->names[i] = ut_strdup(names[i]);
        if (!r->names[i]) {
            ut_result_free(r);
            return NULL;
        }
    }
    return r;
}

int ut_result_add_row(ut_result *r)
{
    if (r->nrows == r->cap) {
        int cap = r->cap ? r->cap * 2 : 16;
        ut_value *c = realloc(r->cells, (size_t)cap * (size_t)(r->ncols ? r->ncols : 1) * sizeof *c);
        if (!c) return -1;
        r->cells = c;
        r->cap = cap;
    }
    memset(r->cells + (size_t)r->nrows * (size_t)r->ncols, 0, (size_t)r->ncols * sizeof *r->cells);
    return r->nrows++;
}

static ut_value *cell(ut_result *r, int row, int col)
{
    ut_value *v = &r->cells[(size_t)row * (size_t)r->ncols + (size_t)col];
    if (v->type == UT_TEXT) free(v->s);
    memset(v, 0, sizeof *v);
    return v;
}

void ut_result_set_int(ut_result *r, int row, int col, long long v)
{
    ut_value *c = cell(r, row, col);
    c->type = UT_INT;
    c->i = v;
    c->d = (double)v;
}

void ut_result_set_float(ut_result *r, int row, int col, double v)
{
    ut_value *c = cell(r, row, col);
    if (isnan(v)) return;  /* NaN is "no value": shown as NULL */
    c->type = UT_FLOAT;
    c->d = v;
    /* out of long long's range the conversion is undefined: clamp, as
     * sqlite3_column_int64 does (found by fuzz_model: a value of 1e300) */
    if (v >= 9223372036854775807.0) c->i = LLONG_MAX;
    else if (v <= -9223372036854775808.0) c->i = LLONG_MIN;
    else c->i = (long long)v;
}

void ut_result_set_text(ut_result *r, int row, int col, const char *s)
{
    ut_value *c = cell(r, row, col);
    if (!s) return;
    c->s = ut_strdup(s);
    if (c->s) c->type = UT_TEXT;
}

void ut_result_free(ut_result *r)
{
    if (!r) return;
    for (long i = 0; i < (long)r->nrows * r->ncols; i++)
        if (r->cells[i].type == UT_TEXT) free(r->cells[i].s);
    free(r->cells);
    for (int i = 0; i < r->ncols; i++) free(r->names[i]);
    free(r->names);
    free(r);
}

/* madvise over the whole pages inside [p, p + bytes): a neighbour's bytes
 * in a partly covered page are never touched. */
static void advise_pages(const void *p, size_t bytes, int advice)
{
#if defined(__linux__)
    static long page;
    if (!p) return;
    if (!page) page = sysconf(_SC_PAGESIZE);
    if (page <= 0) return;
    uintptr_t a = ((uintptr_t)p + (uintptr_t)page - 1) / (uintptr_t)page * (uintptr_t)page;
    uintptr_t b = ((uintptr_t)p + bytes) / (uintptr_t)page * (uintptr_t)page;
    if (b > a) (void)madvise((void *)a, b - a, advice);
#else
    (void)p, (void)bytes, (void)advice;
#endif
}

void ut_advise_huge(void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    /* the 2 MB-aligned part of a block this large in huge pages, where the
     * system grants them on request: one fault per 2 MB instead of 512 */
    const size_t huge = (size_t)2 << 20;
    if (!p || bytes < 2 * huge) return;
    uintptr_t a = ((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1);
    uintptr_t b = ((uintptr_t)p + bytes) & ~(uintptr_t)(huge - 1);
    if (b > a) (void)madvise((void *)a, b - a, MADV_HUGEPAGE);
#else
    (void)p, (void)bytes;
#endif
}

void ut_prefault(void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
    advise_pages(p, bytes, MADV_POPULATE_WRITE);   /* never changes contents, only maps */
#else
    (void)p, (void)bytes;
#endif
}

void ut_release_pages(const void *p, size_t bytes)
{
#if defined(__linux__) && defined(MADV_DONTNEED)
    advise_pages(p, bytes, MADV_DONTNEED);
#else
    (void)p, (void)bytes;
#endif
}

void *ut_malloc_big(size_t bytes)
{
    void *p = malloc(bytes ? bytes : 1);
    /* glibc maps a block this large on its own (mlg_open sets the mmap
     * threshold to 128 KB), so these pages are fresh: map them in one call
     * instead of one fault each.  On a paravirtualized VM a fault is an
     * exit to the hypervisor, and 80 MB designs spent much of their time
     * there.  Kernels before 5.14 refuse the advice: the faults come as
     * before. */
    if (bytes >= ((size_t)1 << 20)) {
        ut_advise_huge(p, bytes);
        ut_prefault(p, bytes);
    }
    return p;
}

double ut_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double ut_thread_cpu(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) return ut_now();
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- SHA-256 (FIPS 180-4) ---- */

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha_block(ut_sha256 *c, const unsigned char *p)
{
    uint32_t w[64], a, b, cc, d, e, f, g, h;
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    a = c->h[0]; b = c->h[1]; cc = c->h[2]; d = c->h[3];
    e = c->h[4]; f = c->h[5]; g = c->h[6]; h = c->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
        uint32_t t2 = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & cc) ^ (b & cc));
        h = g; g = f; f = e; e = d + t1;
        d = cc; cc = b; b = a; a = t1 + t2;
    }
    c->h[0] += a; c->h[1] += b; c->h[2] += cc; c->h[3] += d;
    c->h[4] += e; c->h[5] += f; c->h[6] += g; c->h[7] += h;
}

void ut_sha256_init(ut_sha256 *c)
{
    static const uint32_t h0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(c->h, h0, sizeof h0);
    c->len = 0;
    c->nbuf = 0;
}

void ut_sha256_update(ut_sha256 *c, const void *data, size_t n)
{
    const unsigned char *p = data;
    c->len += n;
    while (n) {
        if (c->nbuf == 0 && n >= 64) {
            sha_block(c, p);
            p += 64;
            n -= 64;
            continue;
        }
        size_t take = 64 - c->nbuf < n ? 64 - c->nbuf : n;
        memcpy(c->buf + c->nbuf, p, take);
        c->nbuf += take;
        p += take;
        n -= take;
        if (c->nbuf == 64) {
            sha_block(c, c->buf);
            c->nbuf = 0;
        }
    }
}

void ut_sha256_hex(ut_sha256 *c, char out[65])
{
    uint64_t bits = c->len * 8;
    unsigned char pad = 0x80, zero = 0, lenb[8];
    ut_sha256_update(c, &pad, 1);
    while (c->nbuf != 56) ut_sha256_update(c, &zero, 1);
    for (int i = 0; i < 8; i++) lenb[i] = (unsigned char)(bits >> (56 - 8 * i));
    ut_sha256_update(c, lenb, 8);
    for (int i = 0; i < 8; i++) snprintf(out + 8 * i, 9, "%08x", c->h[i]);
}

/* ---- RNG: xoshiro256** seeded by splitmix64 ---- */

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void ut_rng_seed(ut_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++) r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t ut_rng_next(ut_rng *r)
{
    uint64_t *s = r->s;
    uint64_t res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return res;
}

double ut_rng_uniform(ut_rng *r) { return (double)(ut_rng_next(r) >> 11) * 0x1.0p-53; }

uint64_t ut_rng_below(ut_rng *r, uint64_t n)
{
    if (n == 0) return 0;
    uint64_t lim = -n % n;  /* reject the short top slice: no modulo bias */
    for (;;) {
        uint64_t x = ut_rng_next(r);
        if (x >= lim) return x % n;
    }
}

void ut_rng_shuffle_int(ut_rng *r, int *a, int n)
{
    for (int i = n - 1; i > 0; i--) {
        int j = (int)ut_rng_below(r, (uint64_t)i + 1);
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}
