/* sort.c — sortable keys and the radix sort (sort.h). */
#include "sort.h"

#include <string.h>

ut_keyidx *ut_radix_sort(ut_keyidx *a, ut_keyidx *b, int n)
{
    if (n < 48) {
        for (int i = 1; i < n; i++) {
            ut_keyidx x = a[i];
            int j = i - 1;
            while (j >= 0 && a[j].k > x.k) {
                a[j + 1] = a[j];
                j--;
            }
            a[j + 1] = x;
        }
        return a;
    }
    static const int NB = 8;
    size_t cnt[8][256];
    memset(cnt, 0, sizeof cnt);
    for (int i = 0; i < n; i++)
        for (int d = 0; d < NB; d++)
            cnt[d][(a[i].k >> (8 * d)) & 0xFF]++;
    for (int d = 0; d < NB; d++) {
        size_t *c = cnt[d];
        if (c[(a[0].k >> (8 * d)) & 0xFF] == (size_t)n)
            continue;
        size_t sum = 0;
        for (int v = 0; v < 256; v++) {
            size_t t = c[v];
            c[v] = sum;
            sum += t;
        }
        for (int i = 0; i < n; i++)
            b[c[(a[i].k >> (8 * d)) & 0xFF]++] = a[i];
        ut_keyidx *t = a;
        a = b;
        b = t;
    }
    return a;
}

uint64_t *ut_radix_sort_keys(uint64_t *a, uint64_t *b, int n)
{
    for (int shift = 0; shift < 64; shift += 8) {
        size_t cnt[256] = {0};
        for (int i = 0; i < n; i++)
            cnt[(a[i] >> shift) & 255]++;
        if (n == 0 || cnt[(a[0] >> shift) & 255] == (size_t)n)
            continue;
        size_t pos = 0;
        for (int d = 0; d < 256; d++) {
            size_t c = cnt[d];
            cnt[d] = pos;
            pos += c;
        }
        for (int i = 0; i < n; i++)
            b[cnt[(a[i] >> shift) & 255]++] = a[i];
        uint64_t *t = a;
        a = b;
        b = t;
    }
    return a;
}
