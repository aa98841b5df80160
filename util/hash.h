/* hash.h — fast non-cryptographic hashing for the intermediate cache.
 * XXH64 (the xxHash 64-bit algorithm, written from its specification) for
 * payload checksums, and a lineage hasher: a canonical byte record fed
 * field by field, reduced to 128 bits (XXH64 under two seeds) and written
 * as 32 hex digits.  Nothing here allocates except ut_lineage's buffer. */
#ifndef UT_HASH_H
#define UT_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

uint64_t ut_xxh64(const void *data, size_t n, uint64_t seed);

/* Streaming XXH64: same result as ut_xxh64 over the concatenated pieces. */
typedef struct {
    uint64_t v[4], total;
    unsigned char buf[32];
    size_t nbuf;
    uint64_t seed;
} ut_xxh64_state;
void     ut_xxh64_init(ut_xxh64_state *s, uint64_t seed);
void     ut_xxh64_update(ut_xxh64_state *s, const void *data, size_t n);
uint64_t ut_xxh64_digest(const ut_xxh64_state *s);

/* A lineage record: typed fields, each written with a tag and its length,
 * so ("ab","c") and ("a","bc") differ and numbers hash by value (1e3 and
 * 1000 are the same double), never by their spelling. */
typedef struct {
    ut_buf b;
} ut_lineage;
void ut_lineage_init(ut_lineage *l, const char *kind);
void ut_lineage_str(ut_lineage *l, const char *name, const char *v);   /* NULL allowed */
/* A name compared case-insensitively (ASCII letters folded). */
void ut_lineage_name(ut_lineage *l, const char *name, const char *v);
void ut_lineage_int(ut_lineage *l, const char *name, long long v);
void ut_lineage_num(ut_lineage *l, const char *name, double v);        /* -0 == 0; NaNs equal */
/* Finishes: 32 lowercase hex digits + NUL in out; frees the record.
 * Returns -1 when memory ran out while building it (out then empty). */
int  ut_lineage_hex(ut_lineage *l, char out[33]);

#endif
