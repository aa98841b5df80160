/* linalg_fixed.c — the two products of a linear model's gradient, each
 * element summed in one fixed order (linalg.h says which).  OpenBLAS
 * chooses its kernel and blocking by the shape of the call (its small-
 * matrix kernels, for one), so the same scores computed in a wider call
 * could round otherwise, and logreg's L-BFGS batch (many C side by side)
 * would then follow other iterates than each C fitted alone.  Here an
 * element's value depends on its own row and column only: any batch
 * width, any tiling, the same bits.
 *
 * AVX-512 or AVX2 + FMA where the CPU has them (runtime dispatch, as
 * vexp.c): every element a chain of fused multiply-adds, vector lanes,
 * masked lanes and scalar edges alike, so both widths give the same bits
 * and only the speed differs (AVX-512: twice the lanes per instruction;
 * OpenBLAS 0.3.21 runs its Haswell kernels on CPUs it does not know, such
 * as AMD's Zen 5).  Elsewhere plain multiply-add in the same order (the
 * results then differ by rounding from the FMA machines', as OpenBLAS's
 * do). */
#include "linalg.h"

#include <math.h>
#include <pthread.h>
#include <stddef.h>

#define ROWBLK 256        /* rows of X per pass of la_rtx, at most ... */
#define BLKDBL 65536      /* ... and about 512 KB of them: a block stays in L2 */
#define FX_MAX_THREADS 64

static void xwt_plain(int n, int m, int p, const double *X, const double *WT, double *Z, int ldz)
{
    for (int i = 0; i < n; i++) {
        const double *x = X + (size_t)i * p;
        double *z = Z + (size_t)i * ldz;
        for (int c = 0; c < m; c++)
            z[c] = 0;
        for (int t = 0; t < p; t++) {
            const double *w = WT + (size_t)t * m;
            for (int c = 0; c < m; c++)
                z[c] += x[t] * w[c];
        }
    }
}

static void rtx_plain(int n, int m, int p, const double *R, int ldr, const double *X, double *G)
{
    for (int i = 0; i < n; i++) {
        const double *x = X + (size_t)i * p, *r = R + (size_t)i * ldr;
        for (int c = 0; c < m; c++) {
            double *g = G + (size_t)c * p;
            for (int t = 0; t < p; t++)
                g[t] += r[c] * x[t];
        }
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/* per function, not a pragma: clang (the fuzzing build) takes only this */
#define FX_AVX2 __attribute__((target("avx2,fma")))

/* The R row pointers of a block of nr ≤ R rows of X and Z; unused rows
 * read row 0 and are never stored. */
static inline void fx_row_ptrs(int R, int nr, int p, const double *x0, double *z0, int ldz, const double **x,
                               double **z)
{
    for (int r = 0; r < R; r++) {
        x[r] = x0 + (size_t)(r < nr ? r : 0) * p;
        z[r] = z0 + (size_t)r * ldz;
    }
}

/* Rows i0 .. i0+nr-1 (nr ≤ 4) of Z = X·Wᵀ, from WT = Wᵀ (p × m). */
FX_AVX2 static void xwt_rows(int nr, int m, int p, const double *x0, const double *WT, double *z0, int ldz)
{
    const double *x[4];
    double *z[4];
    fx_row_ptrs(4, nr, p, x0, z0, ldz, x, z);
    int c = 0;
    for (; c + 8 <= m; c += 8) {
        __m256d a[4][2];
        for (int r = 0; r < 4; r++)
            a[r][0] = a[r][1] = _mm256_setzero_pd();
        for (int t = 0; t < p; t++) {
            const double *w = WT + (size_t)t * m + c;
            __m256d w0 = _mm256_loadu_pd(w), w1 = _mm256_loadu_pd(w + 4);
            for (int r = 0; r < 4; r++) {
                __m256d b = _mm256_broadcast_sd(x[r] + t);
                a[r][0] = _mm256_fmadd_pd(b, w0, a[r][0]);
                a[r][1] = _mm256_fmadd_pd(b, w1, a[r][1]);
            }
        }
        for (int r = 0; r < nr; r++) {
            _mm256_storeu_pd(z[r] + c, a[r][0]);
            _mm256_storeu_pd(z[r] + c + 4, a[r][1]);
        }
    }
    for (; c + 4 <= m; c += 4) {
        __m256d a[4];
        for (int r = 0; r < 4; r++)
            a[r] = _mm256_setzero_pd();
        for (int t = 0; t < p; t++) {
            __m256d w0 = _mm256_loadu_pd(WT + (size_t)t * m + c);
            for (int r = 0; r < 4; r++)
                a[r] = _mm256_fmadd_pd(_mm256_broadcast_sd(x[r] + t), w0, a[r]);
        }
        for (int r = 0; r < nr; r++)
            _mm256_storeu_pd(z[r] + c, a[r]);
    }
    for (; c < m; c++) {
        double a[4] = {0, 0, 0, 0};
        for (int t = 0; t < p; t++) {
            double w = WT[(size_t)t * m + c];
            for (int r = 0; r < 4; r++)
                a[r] = fma(x[r][t], w, a[r]);
        }
        for (int r = 0; r < nr; r++)
            z[r][c] = a[r];
    }
}

FX_AVX2 static void xwt_range(int i0, int i1, int m, int p, const double *X, const double *WT, double *Z, int ldz)
{
    for (int i = i0; i < i1; i += 4)
        xwt_rows(i1 - i < 4 ? i1 - i : 4, m, p, X + (size_t)i * p, WT, Z + (size_t)i * ldz, ldz);
}

/* Columns c0 .. c0+3, entries t0 .. t1-1 (at most 8), of G += Rᵀ X over
 * rows [i0, i1). */
FX_AVX2 static void rtx_tile(int i0, int i1, int c0, int t0, int t1, int p, const double *R, int ldr, const double *X,
                             double *G)
{
    double *g[4];
    for (int k = 0; k < 4; k++)
        g[k] = G + (size_t)(c0 + k) * p;
    int t = t0;
    if (t1 - t == 8) {
        __m256d a[4][2];
        for (int k = 0; k < 4; k++) {
            a[k][0] = _mm256_loadu_pd(g[k] + t);
            a[k][1] = _mm256_loadu_pd(g[k] + t + 4);
        }
        for (int i = i0; i < i1; i++) {
            const double *x = X + (size_t)i * p + t, *r = R + (size_t)i * ldr + c0;
            __m256d x0 = _mm256_loadu_pd(x), x1 = _mm256_loadu_pd(x + 4);
            for (int k = 0; k < 4; k++) {
                __m256d b = _mm256_broadcast_sd(r + k);
                a[k][0] = _mm256_fmadd_pd(b, x0, a[k][0]);
                a[k][1] = _mm256_fmadd_pd(b, x1, a[k][1]);
            }
        }
        for (int k = 0; k < 4; k++) {
            _mm256_storeu_pd(g[k] + t, a[k][0]);
            _mm256_storeu_pd(g[k] + t + 4, a[k][1]);
        }
        return;
    }
    if (t1 - t >= 4) {
        __m256d a[4];
        for (int k = 0; k < 4; k++)
            a[k] = _mm256_loadu_pd(g[k] + t);
        for (int i = i0; i < i1; i++) {
            __m256d x0 = _mm256_loadu_pd(X + (size_t)i * p + t);
            const double *r = R + (size_t)i * ldr + c0;
            for (int k = 0; k < 4; k++)
                a[k] = _mm256_fmadd_pd(_mm256_broadcast_sd(r + k), x0, a[k]);
        }
        for (int k = 0; k < 4; k++)
            _mm256_storeu_pd(g[k] + t, a[k]);
        t += 4;
    }
    for (; t < t1; t++) {
        double a[4];
        for (int k = 0; k < 4; k++)
            a[k] = g[k][t];
        for (int i = i0; i < i1; i++) {
            double x = X[(size_t)i * p + t];
            const double *r = R + (size_t)i * ldr + c0;
            for (int k = 0; k < 4; k++)
                a[k] = fma(r[k], x, a[k]);
        }
        for (int k = 0; k < 4; k++)
            g[k][t] = a[k];
    }
}

/* Column c, entries t0 .. t1-1, of G += Rᵀ X over rows [i0, i1): for the
 * last column group of fewer than 4, 32 entries at a time so that eight
 * chains run side by side, as a full tile's do. */
FX_AVX2 static void rtx_col(int i0, int i1, int c, int t0, int t1, int p, const double *R, int ldr, const double *X,
                            double *G)
{
    double *g = G + (size_t)c * p;
    int t = t0;
    for (; t + 32 <= t1; t += 32) {
        __m256d a[8];
        for (int v = 0; v < 8; v++)
            a[v] = _mm256_loadu_pd(g + t + 4 * v);
        for (int i = i0; i < i1; i++) {
            const double *x = X + (size_t)i * p + t;
            __m256d b = _mm256_broadcast_sd(R + (size_t)i * ldr + c);
            for (int v = 0; v < 8; v++)
                a[v] = _mm256_fmadd_pd(b, _mm256_loadu_pd(x + 4 * v), a[v]);
        }
        for (int v = 0; v < 8; v++)
            _mm256_storeu_pd(g + t + 4 * v, a[v]);
    }
    for (; t + 4 <= t1; t += 4) {
        __m256d a = _mm256_loadu_pd(g + t);
        for (int i = i0; i < i1; i++)
            a = _mm256_fmadd_pd(_mm256_broadcast_sd(R + (size_t)i * ldr + c), _mm256_loadu_pd(X + (size_t)i * p + t), a);
        _mm256_storeu_pd(g + t, a);
    }
    for (; t < t1; t++) {
        double a = g[t];
        for (int i = i0; i < i1; i++)
            a = fma(R[(size_t)i * ldr + c], X[(size_t)i * p + t], a);
        g[t] = a;
    }
}

/* Tiles u0 .. u1-1 of G (4 columns by 8 entries each, row-major over the
 * tiles), a block of rows at a time so that it stays in cache; a last
 * group of fewer than 4 columns column by column, over its tiles' entries
 * at once. */
FX_AVX2 static void rtx_tiles(int n, int m, int p, const double *R, int ldr, const double *X, double *G, int u0, int u1)
{
    int tg = (p + 7) / 8, blk = p > 0 ? BLKDBL / p : ROWBLK;
    blk = blk < 16 ? 16 : blk > ROWBLK ? ROWBLK : blk;
    for (int i0 = 0; i0 < n; i0 += blk) {
        int i1 = n - i0 < blk ? n : i0 + blk;
        for (int u = u0; u < u1;) {
            int c = u / tg * 4, t0 = u % tg * 8, nc = m - c < 4 ? m - c : 4;
            if (nc == 4) {
                rtx_tile(i0, i1, c, t0, p - t0 < 8 ? p : t0 + 8, p, R, ldr, X, G);
                u++;
                continue;
            }
            int v = u;   /* this group's tiles in the range: entries t0 .. t1-1 */
            while (v < u1 && v / tg * 4 == c)
                v++;
            int t1 = (v - 1) % tg * 8 + 8;
            for (int k = 0; k < nc; k++)
                rtx_col(i0, i1, c + k, t0, t1 < p ? t1 : p, p, R, ldr, X, G);
            u = v;
        }
    }
}

/* ---- AVX-512: the same chains, eight lanes to a vector ----
 * A vector's lanes past the matrix's edge are masked: zeros in, never
 * stored, so every stored element is its chain and nothing else.  The
 * accumulators are named variables (macros over rows and columns), not
 * arrays: GCC kept arrays of them on the stack, a store per FMA. */
#define FX_AVX512 __attribute__((target("avx512f,fma")))
#define FX_EACH8(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)
#define FX_EACH4(X) X(0) X(1) X(2) X(3)

FX_AVX512 static inline __mmask8 fx_lanes(int k)
{
    return k <= 0 ? (__mmask8)0 : k >= 8 ? (__mmask8)0xFF : (__mmask8)((1u << k) - 1);
}

/* Rows x[0..8) (the first nr stored) of Z = X·Wᵀ, columns c .. c+15 of
 * WT: the second vector's lanes in m2 (16 chains side by side). */
FX_AVX512 static void xwt512_16(int nr, int m, int p, const double *const *x, const double *WT, int c, __mmask8 m2,
                                double *const *z)
{
#define XD(r) __m512d a##r##0 = _mm512_setzero_pd(), a##r##1 = _mm512_setzero_pd();
    FX_EACH8(XD)
#undef XD
    for (int t = 0; t < p; t++) {
        const double *w = WT + (size_t)t * m + c;
        __m512d w0 = _mm512_loadu_pd(w), w1 = _mm512_maskz_loadu_pd(m2, w + 8);
#define XS(r)                                               \
        {                                                   \
            __m512d b = _mm512_set1_pd(x[r][t]);            \
            a##r##0 = _mm512_fmadd_pd(b, w0, a##r##0);      \
            a##r##1 = _mm512_fmadd_pd(b, w1, a##r##1);      \
        }
        FX_EACH8(XS)
#undef XS
    }
#define XW(r)                                               \
    if (r < nr) {                                           \
        _mm512_storeu_pd(z[r] + c, a##r##0);                \
        _mm512_mask_storeu_pd(z[r] + c + 8, m2, a##r##1);   \
    }
    FX_EACH8(XW)
#undef XW
}

/* The same for columns c .. c+7, lanes in m1 (8 chains). */
FX_AVX512 static void xwt512_8(int nr, int m, int p, const double *const *x, const double *WT, int c, __mmask8 m1,
                               double *const *z)
{
#define XD(r) __m512d a##r = _mm512_setzero_pd();
    FX_EACH8(XD)
#undef XD
    for (int t = 0; t < p; t++) {
        __m512d w0 = _mm512_maskz_loadu_pd(m1, WT + (size_t)t * m + c);
#define XS(r) a##r = _mm512_fmadd_pd(_mm512_set1_pd(x[r][t]), w0, a##r);
        FX_EACH8(XS)
#undef XS
    }
#define XW(r) if (r < nr) _mm512_mask_storeu_pd(z[r] + c, m1, a##r);
    FX_EACH8(XW)
#undef XW
}

/* Rows i0 .. i0+nr-1 (nr ≤ 8) of Z = X·Wᵀ, 16 columns at a time. */
FX_AVX512 static void xwt512_rows(int nr, int m, int p, const double *x0, const double *WT, double *z0, int ldz)
{
    const double *x[8];
    double *z[8];
    fx_row_ptrs(8, nr, p, x0, z0, ldz, x, z);
    for (int c = 0; c < m; c += 16) {
        int left = m - c;
        if (left > 8)
            xwt512_16(nr, m, p, x, WT, c, fx_lanes(left - 8), z);
        else
            xwt512_8(nr, m, p, x, WT, c, fx_lanes(left), z);
    }
}

FX_AVX512 static void xwt512_range(int i0, int i1, int m, int p, const double *X, const double *WT, double *Z,
                                   int ldz)
{
    for (int i = i0; i < i1; i += 8)
        xwt512_rows(i1 - i < 8 ? i1 - i : 8, m, p, X + (size_t)i * p, WT, Z + (size_t)i * ldz, ldz);
}

/* Columns c0 .. c0+3 of G += Rᵀ X over rows [i0, i1), 32 entries from t0,
 * vector v's lanes in mk[v] (16 chains side by side); columns past nc
 * read column c0 and are never stored. */
FX_AVX512 static void rtx512_32(int nc, int i0, int i1, int c0, int t0, const __mmask8 *mk, int p, const double *R,
                                int ldr, const double *X, double *G)
{
    int o1 = nc > 1, o2 = nc > 2 ? 2 : 0, o3 = nc > 3 ? 3 : 0;
    double *g0 = G + (size_t)c0 * p + t0, *g1 = g0 + (size_t)o1 * p, *g2 = g0 + (size_t)o2 * p,
           *g3 = g0 + (size_t)o3 * p;
#define RD(k) __m512d a##k##0 = _mm512_maskz_loadu_pd(mk[0], g##k), a##k##1 = _mm512_maskz_loadu_pd(mk[1], g##k + 8), \
                      a##k##2 = _mm512_maskz_loadu_pd(mk[2], g##k + 16), a##k##3 = _mm512_maskz_loadu_pd(mk[3], g##k + 24);
    FX_EACH4(RD)
#undef RD
    for (int i = i0; i < i1; i++) {
        const double *x = X + (size_t)i * p + t0, *r = R + (size_t)i * ldr + c0;
        __m512d x0 = _mm512_maskz_loadu_pd(mk[0], x), x1 = _mm512_maskz_loadu_pd(mk[1], x + 8),
                x2 = _mm512_maskz_loadu_pd(mk[2], x + 16), x3 = _mm512_maskz_loadu_pd(mk[3], x + 24);
        __m512d b0 = _mm512_set1_pd(r[0]), b1 = _mm512_set1_pd(r[o1]), b2 = _mm512_set1_pd(r[o2]),
                b3 = _mm512_set1_pd(r[o3]);
#define RS(k)                                       \
        a##k##0 = _mm512_fmadd_pd(b##k, x0, a##k##0); \
        a##k##1 = _mm512_fmadd_pd(b##k, x1, a##k##1); \
        a##k##2 = _mm512_fmadd_pd(b##k, x2, a##k##2); \
        a##k##3 = _mm512_fmadd_pd(b##k, x3, a##k##3);
        FX_EACH4(RS)
#undef RS
    }
#define RW(k)                                               \
    if (k < nc) {                                           \
        _mm512_mask_storeu_pd(g##k, mk[0], a##k##0);        \
        _mm512_mask_storeu_pd(g##k + 8, mk[1], a##k##1);    \
        _mm512_mask_storeu_pd(g##k + 16, mk[2], a##k##2);   \
        _mm512_mask_storeu_pd(g##k + 24, mk[3], a##k##3);   \
    }
    FX_EACH4(RW)
#undef RW
}

/* The same for 8 entries from t0 (lanes in m1): 4 chains, for the
 * vectors of a tile's edge. */
FX_AVX512 static void rtx512_8(int nc, int i0, int i1, int c0, int t0, __mmask8 m1, int p, const double *R, int ldr,
                               const double *X, double *G)
{
    int o1 = nc > 1, o2 = nc > 2 ? 2 : 0, o3 = nc > 3 ? 3 : 0;
    double *g0 = G + (size_t)c0 * p + t0, *g1 = g0 + (size_t)o1 * p, *g2 = g0 + (size_t)o2 * p,
           *g3 = g0 + (size_t)o3 * p;
#define RD(k) __m512d a##k = _mm512_maskz_loadu_pd(m1, g##k);
    FX_EACH4(RD)
#undef RD
    for (int i = i0; i < i1; i++) {
        const double *r = R + (size_t)i * ldr + c0;
        __m512d x0 = _mm512_maskz_loadu_pd(m1, X + (size_t)i * p + t0);
        a0 = _mm512_fmadd_pd(_mm512_set1_pd(r[0]), x0, a0);
        a1 = _mm512_fmadd_pd(_mm512_set1_pd(r[o1]), x0, a1);
        a2 = _mm512_fmadd_pd(_mm512_set1_pd(r[o2]), x0, a2);
        a3 = _mm512_fmadd_pd(_mm512_set1_pd(r[o3]), x0, a3);
    }
#define RW(k) if (k < nc) _mm512_mask_storeu_pd(g##k, m1, a##k);
    FX_EACH4(RW)
#undef RW
}

/* One tile: columns c0 .. c0+nc-1 (nc ≤ 4), entries t0 .. t1-1 (at most
 * 32): whole when it has 4 vectors' worth, else vector by vector. */
FX_AVX512 static void rtx512_tile(int nc, int i0, int i1, int c0, int t0, int t1, int p, const double *R, int ldr,
                                  const double *X, double *G)
{
    int w = t1 - t0;
    if (w > 24) {
        __mmask8 mk[4] = {0xFF, 0xFF, 0xFF, fx_lanes(w - 24)};
        rtx512_32(nc, i0, i1, c0, t0, mk, p, R, ldr, X, G);
        return;
    }
    for (int t = t0; t < t1; t += 8)
        rtx512_8(nc, i0, i1, c0, t, fx_lanes(t1 - t), p, R, ldr, X, G);
}

/* Tiles u0 .. u1-1 of G (4 columns by 32 entries each, row-major over the
 * tiles), a block of rows at a time so that it stays in cache. */
FX_AVX512 static void rtx512_tiles(int n, int m, int p, const double *R, int ldr, const double *X, double *G, int u0,
                                   int u1)
{
    int tg = (p + 31) / 32, blk = p > 0 ? BLKDBL / p : ROWBLK;
    blk = blk < 16 ? 16 : blk > ROWBLK ? ROWBLK : blk;
    for (int i0 = 0; i0 < n; i0 += blk) {
        int i1 = n - i0 < blk ? n : i0 + blk;
        for (int u = u0; u < u1; u++) {
            int c = u / tg * 4, t0 = u % tg * 32;
            rtx512_tile(m - c < 4 ? m - c : 4, i0, i1, c, t0, p - t0 < 32 ? p : t0 + 32, p, R, ldr, X, G);
        }
    }
}

/* The widest kernel the CPU has: 2 AVX-512, 1 AVX2 + FMA, 0 plain. */
static int fx_cpu_level(void)
{
    if (__builtin_cpu_supports("avx512f"))
        return 2;
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* A call split over threads: rows of Z (la_xwt) or tiles of G (la_rtx),
 * part k of nparts each; a part's elements are computed as they would be
 * in one thread. */
typedef struct {
    int rtx, wide, n, m, p, ldz, ldr, k, nparts;
    const double *X, *WT, *R;
    double *Z, *G;
} fx_part;

/* la_xwt's row blocks: 4 rows (AVX2) or 8 (AVX-512). */
static int xwt_block(int wide)
{
    return wide ? 8 : 4;
}

/* la_rtx's tiles: 4 columns by 8 entries (AVX2) or by 32 (AVX-512). */
static int rtx_units(int m, int p, int wide)
{
    int tw = wide ? 32 : 8;
    return (m + 3) / 4 * ((p + tw - 1) / tw);
}

static void *fx_run(void *arg)
{
    const fx_part *a = arg;
    if (a->rtx) {
        int units = rtx_units(a->m, a->p, a->wide);
        int u0 = (int)((long)units * a->k / a->nparts), u1 = (int)((long)units * (a->k + 1) / a->nparts);
        if (a->wide)
            rtx512_tiles(a->n, a->m, a->p, a->R, a->ldr, a->X, a->G, u0, u1);
        else
            rtx_tiles(a->n, a->m, a->p, a->R, a->ldr, a->X, a->G, u0, u1);
    } else {
        int rb = xwt_block(a->wide);   /* rows in blocks, as the range takes them */
        int blocks = (a->n + rb - 1) / rb;
        int i0 = (int)((long)blocks * a->k / a->nparts) * rb, i1 = (int)((long)blocks * (a->k + 1) / a->nparts) * rb;
        if (i1 > a->n)
            i1 = a->n;
        if (a->wide)
            xwt512_range(i0, i1, a->m, a->p, a->X, a->WT, a->Z, a->ldz);
        else
            xwt_range(i0, i1, a->m, a->p, a->X, a->WT, a->Z, a->ldz);
    }
    return NULL;
}

/* Runs the call on up to la_get_threads() threads where it is large enough
 * to pay for them (the fit's BLAS threads: a fit alone has every core, fits
 * side by side one each); a thread that cannot start leaves its part to
 * this one. */
#define FX_PAR_FMAS 4e6   /* ~1 ms: a thread's start costs tens of µs */
static void fx_split(fx_part base, int units)
{
    double fmas = (double)base.n * base.m * base.p;
    int T = la_get_threads();
    if (T > FX_MAX_THREADS) T = FX_MAX_THREADS;
    if (T > fmas / FX_PAR_FMAS) T = (int)(fmas / FX_PAR_FMAS);
    if (T > units) T = units;
    if (T < 1) T = 1;
    fx_part part[FX_MAX_THREADS];
    pthread_t th[FX_MAX_THREADS];
    int started[FX_MAX_THREADS] = {0};
    for (int k = 0; k < T; k++) {
        part[k] = base;
        part[k].k = k;
        part[k].nparts = T;
        if (k > 0) started[k] = pthread_create(&th[k], NULL, fx_run, &part[k]) == 0;
    }
    fx_run(&part[0]);
    for (int k = 1; k < T; k++) {
        if (started[k]) pthread_join(th[k], NULL);
        else fx_run(&part[k]);
    }
}

static void xwt_simd(int wide, int n, int m, int p, const double *X, const double *WT, double *Z, int ldz)
{
    int rb = xwt_block(wide);
    fx_split((fx_part){0, wide, n, m, p, ldz, 0, 0, 1, X, WT, NULL, Z, NULL}, (n + rb - 1) / rb);
}

static void rtx_simd(int wide, int n, int m, int p, const double *R, int ldr, const double *X, double *G)
{
    fx_split((fx_part){1, wide, n, m, p, 0, ldr, 0, 1, X, NULL, R, NULL, G}, rtx_units(m, p, wide));
}
#else
static int fx_cpu_level(void) { return 0; }
#define xwt_simd(wide, n, m, p, X, WT, Z, ldz) xwt_plain(n, m, p, X, WT, Z, ldz)
#define rtx_simd(wide, n, m, p, R, ldr, X, G) rtx_plain(n, m, p, R, ldr, X, G)
#endif

static int fx_cap = 2;   /* la_fixed_cap's: the widest kernel allowed */

static int fx_level(void)
{
    int l = fx_cpu_level();
    return l < fx_cap ? l : fx_cap;
}

int la_fixed_cap(int level)
{
    int was = fx_cap;
    fx_cap = level;
    return was;
}

void la_xwt(int n, int m, int p, const double *X, const double *WT, double *Z, int ldz)
{
    int l = fx_level();
    if (l > 0)
        xwt_simd(l == 2, n, m, p, X, WT, Z, ldz);
    else
        xwt_plain(n, m, p, X, WT, Z, ldz);
}

void la_rtx(int n, int m, int p, const double *R, int ldr, const double *X, double *G)
{
    int l = fx_level();
    if (l > 0)
        rtx_simd(l == 2, n, m, p, R, ldr, X, G);
    else
        rtx_plain(n, m, p, R, ldr, X, G);
}

int la_fixed_level(void)
{
    return fx_level();
}

/* The arithmetic, not the width: AVX-512 and AVX2 round alike. */
const char *la_fixed_name(void)
{
    return fx_level() > 0 ? "fixed-order FMA" : "fixed-order plain";
}
