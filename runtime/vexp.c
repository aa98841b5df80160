/* vexp.c — exp over an array (see vexp.h).  The softmax of multinomial
 * logreg spends a quarter of an L-BFGS fit in exp; glibc's vector exp does
 * four at a time (and the log of each row's sum).  Runtime dispatch, so the binary still runs on CPUs
 * without AVX2 (the results then differ by rounding from those with it). */
#include "vexp.h"

#include <math.h>
#include <string.h>

#if defined(MLG_HAVE_MVEC) && defined(__x86_64__) && defined(__GNUC__)
#pragma GCC push_options
#pragma GCC target("avx2,fma")
#include <immintrin.h>

/* glibc's AVX2 variants (the vector-function ABI names) */
__m256d _ZGVdN4v_exp(__m256d x);
__m256d _ZGVdN4v_log(__m256d x);

static void apply_avx2(__m256d (*fn)(__m256d), double pad, double *v, int n)
{
    int i = 0;
    for (; i + 4 <= n; i += 4)
        _mm256_storeu_pd(v + i, fn(_mm256_loadu_pd(v + i)));
    if (i < n) {
        double t[4] = {pad, pad, pad, pad};
        memcpy(t, v + i, (size_t)(n - i) * sizeof *t);
        _mm256_storeu_pd(t, fn(_mm256_loadu_pd(t)));
        memcpy(v + i, t, (size_t)(n - i) * sizeof *t);
    }
}
#pragma GCC pop_options

static int have_avx2(void)
{
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}
#define HAVE_VEC 1
#else
#define HAVE_VEC 0
static int have_avx2(void) { return 0; }
#endif

const char *rt_vmath_name(void)
{
    return have_avx2() ? "libmvec AVX2" : "libm";
}

void rt_vexp(double *v, int n)
{
#if HAVE_VEC
    if (have_avx2()) {
        apply_avx2(_ZGVdN4v_exp, 0.0, v, n);
        return;
    }
#endif
    for (int i = 0; i < n; i++)
        v[i] = exp(v[i]);
}

void rt_vlog(double *v, int n)
{
#if HAVE_VEC
    if (have_avx2()) {
        apply_avx2(_ZGVdN4v_log, 1.0, v, n);
        return;
    }
#endif
    for (int i = 0; i < n; i++)
        v[i] = log(v[i]);
}
