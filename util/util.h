/* util.h — small shared helpers used by every stage: error buffers, growable
 * strings, result tables, name suggestions.  No stage-specific knowledge here.
 * Memory: every *_new/strdup'd result is owned by the caller and freed with the
 * matching *_free. Functions never abort; allocation failure is reported. */
#ifndef MLG_UTIL_H
#define MLG_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Every internal function that can fail takes a ut_err and returns 0 / -1. */
#define UT_ERRLEN 1024
typedef struct {
    char msg[UT_ERRLEN];
    int  offset;      /* byte offset into the statement text, -1 when none   */
    int  length;      /* length of the offending token (for the underline)   */
    int  code;        /* MLG_* error code                                     */
} ut_err;

void ut_err_clear(ut_err *e);
/* Formats msg; keeps offset/length. Returns -1 so callers can `return ut_errf(...)`. */
int  ut_errf(ut_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Same, with the source location of the offending text. */
int  ut_errf_at(ut_err *e, int code, int offset, int length, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Growable NUL-terminated string. */
typedef struct { char *s; size_t len, cap; int oom; } ut_buf;
void ut_buf_init(ut_buf *b);
void ut_buf_free(ut_buf *b);
void ut_buf_putc(ut_buf *b, char c);
void ut_buf_puts(ut_buf *b, const char *s);
void ut_buf_putn(ut_buf *b, const char *s, size_t n);
void ut_buf_printf(ut_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* JSON string literal with escapes. */
void ut_buf_json_str(ut_buf *b, const char *s);
/* Shortest round-trip decimal for a double ("%.17g" trimmed); JSON-safe. */
void ut_buf_json_num(ut_buf *b, double v);
/* Takes ownership of the string (buffer reset); NULL if it ran out of memory. */
char *ut_buf_take(ut_buf *b);

char *ut_strdup(const char *s);                 /* NULL-safe */
char *ut_strndup(const char *s, size_t n);
int   ut_strcasecmp(const char *a, const char *b);

/* Levenshtein distance, case-insensitive. */
int ut_edit_distance(const char *a, const char *b);
/* Best candidate within a small edit distance of `word`, or NULL. */
const char *ut_suggest(const char *word, const char *const *cands, int n);

/* ---- result tables: what every statement returns ---- */
typedef enum { UT_NULL = 0, UT_INT = 1, UT_FLOAT = 2, UT_TEXT = 3 } ut_vtype;
typedef struct { ut_vtype type; long long i; double d; char *s; } ut_value;
typedef struct {
    int ncols;
    char **names;
    int nrows, cap;
    ut_value *cells;        /* nrows * ncols, row-major */
} ut_result;

ut_result *ut_result_new(int ncols, const char *const *names);  /* NULL on OOM */
/* Appends a row of NULLs; returns its index or -1 on OOM. */
int  ut_result_add_row(ut_result *r);
void ut_result_set_int(ut_result *r, int row, int col, long long v);
void ut_result_set_float(ut_result *r, int row, int col, double v);
void ut_result_set_text(ut_result *r, int row, int col, const char *s); /* copies */
void ut_result_free(ut_result *r);                                         /* NULL-safe */

/* malloc for an array the caller is about to write whole (a design, a
 * column): from 1 MB its pages are mapped up front, in one call, in huge
 * pages from 4 MB (ut_advise_huge); free() releases it as any malloc'd
 * block.  NULL on OOM. */
void *ut_malloc_big(size_t bytes);
/* Maps the whole pages inside [p, p + bytes) now, for writing (Linux
 * MADV_POPULATE_WRITE; elsewhere nothing).  Contents are unchanged. */
void ut_prefault(void *p, size_t bytes);
/* Asks for transparent huge pages over the 2 MB-aligned part of a block of
 * at least 4 MB (Linux MADV_HUGEPAGE, honoured where THP is "madvise" or
 * "always"; elsewhere nothing).  Call before the pages are touched.  On a
 * VM where every new 4 KB page exits to the hypervisor, an 80 MB design
 * was written at ~0.7 GB/s in 4 KB pages and ~3.4 GB/s in 2 MB ones. */
void ut_advise_huge(void *p, size_t bytes);
/* Gives the whole pages inside [p, p + bytes) of a heap block back to the
 * system (Linux MADV_DONTNEED): they read as zeros afterwards, so the
 * caller must not read them again before freeing the block. */
void ut_release_pages(const void *p, size_t bytes);

/* Monotonic seconds. */
double ut_now(void);
/* CPU seconds of the calling thread: what a computation costs, whatever
 * else the machine runs meanwhile (ut_now when the clock is missing). */
double ut_thread_cpu(void);

/* SHA-256 */
typedef struct { uint32_t h[8]; uint64_t len; unsigned char buf[64]; size_t nbuf; } ut_sha256;
void ut_sha256_init(ut_sha256 *c);
void ut_sha256_update(ut_sha256 *c, const void *data, size_t n);
void ut_sha256_hex(ut_sha256 *c, char out[65]);   /* finalizes */

/* Deterministic RNG (splitmix64 seeded xoshiro256**), identical on every platform. */
typedef struct { uint64_t s[4]; } ut_rng;
void     ut_rng_seed(ut_rng *r, uint64_t seed);
uint64_t ut_rng_next(ut_rng *r);
double   ut_rng_uniform(ut_rng *r);                /* [0,1) */
uint64_t ut_rng_below(ut_rng *r, uint64_t n);      /* [0,n), unbiased */
void     ut_rng_shuffle_int(ut_rng *r, int *a, int n);

#endif
