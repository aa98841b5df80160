/* sort.h — doubles as sortable keys and a stable radix sort over them
 * (tree growth's column orders, AUC's ranks). */
#ifndef UT_SORT_H
#define UT_SORT_H

#include <stdint.h>
#include <string.h>

typedef struct { uint64_t k; int i; } ut_keyidx;

/* Order-preserving map of a double onto an unsigned key (negatives
 * reversed below the positives; -0 just below +0; NaN not ordered).
 * Inline: callers key every element of a column. */
static inline uint64_t ut_dkey(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return (u >> 63) ? ~u : (u | 0x8000000000000000ULL);
}

/* The double a key came from. */
static inline double ut_dunkey(uint64_t u)
{
    double v;
    u = (u >> 63) ? (u & 0x7FFFFFFFFFFFFFFFULL) : ~u;
    memcpy(&v, &u, sizeof v);
    return v;
}
/* Stable LSD radix sort of a[0..n) by key (8-bit digits, digits every key
 * shares skipped; insertion sort below 48 entries), through b (n entries);
 * returns a or b, whichever holds the result. */
ut_keyidx *ut_radix_sort(ut_keyidx *a, ut_keyidx *b, int n);
/* The same for keys alone (a column's values, its quantiles and median). */
uint64_t *ut_radix_sort_keys(uint64_t *a, uint64_t *b, int n);

#endif
