/* vexp.h — exp and log over an array, vectorized where the CPU allows. */
#ifndef MLG_RT_VEXP_H
#define MLG_RT_VEXP_H

/* v[i] = exp(v[i]) for i < n, in place.  On x86-64 with AVX2 and FMA it
 * uses glibc's libmvec (at most 4 ulp from exp; the same bits for the
 * same input on every call, so fits stay deterministic on one machine);
 * elsewhere libm's exp. */
void rt_vexp(double *v, int n);
/* Which kernel rt_vexp / rt_vlog use on this CPU ("libmvec AVX2" or
 * "libm"), for the provenance of runs. */
const char *rt_vmath_name(void);
/* v[i] = log(v[i]), the same way. */
void rt_vlog(double *v, int n);

#endif
