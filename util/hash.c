/* hash.c — XXH64 and lineage records (hash.h).  XXH64 follows the xxHash
 * specification (doc/xxhash_spec.md): four accumulating lanes over 32-byte
 * stripes, then the tail in 8/4/1-byte steps and the avalanche.  Reads are
 * little-endian byte by byte, so the value is the same on every machine. */
#include <math.h>
#include <string.h>

#include "hash.h"

#define P1 0x9E3779B185EBCA87ULL
#define P2 0xC2B2AE3D27D4EB4FULL
#define P3 0x165667B19E3779F9ULL
#define P4 0x85EBCA77C2B2AE63ULL
#define P5 0x27D4EB2F165667C5ULL

static uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static uint64_t rd64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t round1(uint64_t acc, uint64_t lane) { return rotl(acc + lane * P2, 31) * P1; }

static uint64_t merge(uint64_t acc, uint64_t v) { return (acc ^ round1(0, v)) * P1 + P4; }

void ut_xxh64_init(ut_xxh64_state *s, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->seed = seed;
    s->v[0] = seed + P1 + P2;
    s->v[1] = seed + P2;
    s->v[2] = seed;
    s->v[3] = seed - P1;
}

void ut_xxh64_update(ut_xxh64_state *s, const void *data, size_t n)
{
    const unsigned char *p = data;
    s->total += n;
    if (s->nbuf) {
        size_t take = 32 - s->nbuf < n ? 32 - s->nbuf : n;
        memcpy(s->buf + s->nbuf, p, take);
        s->nbuf += take, p += take, n -= take;
        if (s->nbuf < 32) return;
        for (int i = 0; i < 4; i++) s->v[i] = round1(s->v[i], rd64(s->buf + 8 * i));
        s->nbuf = 0;
    }
    uint64_t v0 = s->v[0], v1 = s->v[1], v2 = s->v[2], v3 = s->v[3];
    for (; n >= 32; p += 32, n -= 32) {
        v0 = round1(v0, rd64(p));
        v1 = round1(v1, rd64(p + 8));
        v2 = round1(v2, rd64(p + 16));
        v3 = round1(v3, rd64(p + 24));
    }
    s->v[0] = v0, s->v[1] = v1, s->v[2] = v2, s->v[3] = v3;
    if (n) memcpy(s->buf, p, n);
    s->nbuf = n;
}

uint64_t ut_xxh64_digest(const ut_xxh64_state *s)
{
    uint64_t h;
    if (s->total >= 32) {
        h = rotl(s->v[0], 1) + rotl(s->v[1], 7) + rotl(s->v[2], 12) + rotl(s->v[3], 18);
        for (int i = 0; i < 4; i++) h = merge(h, s->v[i]);
    } else {
        h = s->seed + P5;
    }
    h += s->total;
    const unsigned char *p = s->buf;
    size_t n = s->nbuf;
    for (; n >= 8; p += 8, n -= 8) h = rotl(h ^ round1(0, rd64(p)), 27) * P1 + P4;
    if (n >= 4) {
        h = rotl(h ^ (uint64_t)rd32(p) * P1, 23) * P2 + P3;
        p += 4, n -= 4;
    }
    for (; n; p++, n--) h = rotl(h ^ (uint64_t)*p * P5, 11) * P1;
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

uint64_t ut_xxh64(const void *data, size_t n, uint64_t seed)
{
    ut_xxh64_state s;
    ut_xxh64_init(&s, seed);
    ut_xxh64_update(&s, data, n);
    return ut_xxh64_digest(&s);
}

/* ---- lineage records ----
 * Each field: tag byte, name, NUL, value bytes with their length first.
 * The record is canonical because values are typed (a number is its IEEE
 * bits after normalizing -0 and NaN), never the text a user wrote. */

static void put_len(ut_buf *b, size_t n)
{
    unsigned char w[8];
    for (int i = 0; i < 8; i++) w[i] = (unsigned char)(n >> (8 * i));
    ut_buf_putn(b, (const char *)w, 8);
}

static void field(ut_lineage *l, char tag, const char *name, const void *v, size_t n)
{
    ut_buf_putc(&l->b, tag);
    ut_buf_puts(&l->b, name);
    ut_buf_putc(&l->b, '\0');
    put_len(&l->b, n);
    ut_buf_putn(&l->b, v, n);
}

void ut_lineage_init(ut_lineage *l, const char *kind)
{
    ut_buf_init(&l->b);
    field(l, 'K', "kind", kind, strlen(kind));
}

void ut_lineage_str(ut_lineage *l, const char *name, const char *v)
{
    if (!v) field(l, 'N', name, "", 0);
    else field(l, 'S', name, v, strlen(v));
}

void ut_lineage_name(ut_lineage *l, const char *name, const char *v)
{
    size_t n = v ? strlen(v) : 0;
    ut_buf_putc(&l->b, 'C');
    ut_buf_puts(&l->b, name);
    ut_buf_putc(&l->b, '\0');
    put_len(&l->b, n);
    for (size_t i = 0; i < n; i++) ut_buf_putc(&l->b, (char)(v[i] >= 'A' && v[i] <= 'Z' ? v[i] + 32 : v[i]));
}

void ut_lineage_int(ut_lineage *l, const char *name, long long v)
{
    unsigned char w[8];
    for (int i = 0; i < 8; i++) w[i] = (unsigned char)((unsigned long long)v >> (8 * i));
    field(l, 'I', name, w, 8);
}

void ut_lineage_num(ut_lineage *l, const char *name, double v)
{
    if (v == 0) v = 0;          /* -0 and 0 are one value */
    if (isnan(v)) v = NAN;      /* one NaN */
    uint64_t u;
    memcpy(&u, &v, 8);
    unsigned char w[8];
    for (int i = 0; i < 8; i++) w[i] = (unsigned char)(u >> (8 * i));
    field(l, 'D', name, w, 8);
}

int ut_lineage_hex(ut_lineage *l, char out[33])
{
    int oom = l->b.oom;
    out[0] = '\0';
    if (!oom) {
        uint64_t a = ut_xxh64(l->b.s, l->b.len, 0), b = ut_xxh64(l->b.s, l->b.len, 0x6d696c6561676521ULL);
        static const char hx[] = "0123456789abcdef";
        for (int i = 0; i < 16; i++) {
            out[i] = hx[(a >> (60 - 4 * i)) & 15];
            out[16 + i] = hx[(b >> (60 - 4 * i)) & 15];
        }
        out[32] = '\0';
    }
    ut_buf_free(&l->b);
    return oom ? -1 : 0;
}
