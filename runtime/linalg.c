/* linalg.c — thin row-major wrappers over OpenBLAS (cblas) and LAPACKE.
 * The only translation unit that sees cblas.h / lapacke.h, so the rest of
 * the runtime can be read (and later re-targeted) without BLAS knowledge. */
#include "linalg.h"
#include "vexp.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <cblas.h>
#include <lapacke.h>

/* All three are declared by OpenBLAS's cblas.h; repeated here so a cblas.h from
 * another vendor still compiles (the link is against OpenBLAS anyway). */
extern void  openblas_set_num_threads(int num_threads);
extern int   openblas_get_num_threads(void);
extern char *openblas_get_config(void);

void la_gram(int n, int p, const double *A, double alpha, double beta, double *C)
{
    if (p <= 0)
        return;
    /* dsyrk touches one triangle only; mirror it so callers get the full
     * symmetric matrix they can hand to any other routine. */
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, p, n, alpha, A, p,
                beta, C, p);
    for (int i = 0; i < p; i++)
        for (int j = 0; j < i; j++)
            C[(size_t)i * p + j] = C[(size_t)j * p + i];
}

void la_gemv(int trans, int m, int n, double alpha, const double *A,
             const double *x, double beta, double *y)
{
    if (m <= 0 || n <= 0) {
        /* Empty A: BLAS would reject lda = 0; y = beta y is the answer. */
        int len = trans ? n : m;
        for (int i = 0; i < len; i++)
            y[i] = beta == 0.0 ? 0.0 : beta * y[i];
        return;
    }
    cblas_dgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, m, n, alpha,
                A, n, x, 1, beta, y, 1);
}

void la_gemm(int transA, int transB, int m, int n, int k, double alpha,
             const double *A, const double *B, double beta, double *C)
{
    if (m <= 0 || n <= 0)
        return;
    if (k <= 0) {
        for (size_t i = 0; i < (size_t)m * n; i++)
            C[i] = beta == 0.0 ? 0.0 : beta * C[i];
        return;
    }
    int lda = transA ? m : k;
    int ldb = transB ? k : n;
    cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, A, lda,
                B, ldb, beta, C, n);
}

double la_dot(int n, const double *x, const double *y)
{
    return n > 0 ? cblas_ddot(n, x, 1, y, 1) : 0.0;
}

void la_axpy(int n, double a, const double *x, double *y)
{
    if (n > 0)
        cblas_daxpy(n, a, x, 1, y, 1);
}

int la_posv(int p, int nrhs, double *A, double *B)
{
    if (p <= 0)
        return 0;
    lapack_int info = LAPACKE_dposv(LAPACK_ROW_MAJOR, 'U', p, nrhs, A, p, B,
                                    nrhs > 0 ? nrhs : 1);
    return (int)info;
}

int la_syev(int p, double *A, double *w)
{
    if (p <= 0)
        return 0;
    lapack_int info = LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', p, A, p, w);
    return (int)info;
}

/* OpenBLAS's pthreads server keeps its threads spinning on sched_yield
 * for about 2^28 cycles after it starts them and after every threaded
 * call (OPENBLAS_THREAD_TIMEOUT, read once when the library loads).  Beside
 * a window's fit workers that spin took a core's slices: credit-g's
 * whole grid ran 0.18 s with it, 0.14 s without.  So when BLAS goes down
 * to one thread its server is stopped; OpenBLAS starts it again at its
 * next threaded call.  Weak: a BLAS without that server (another vendor)
 * simply has no such function.  Called, like every change of the thread
 * count, only while no other thread of ours is inside BLAS. */
extern int blas_thread_shutdown_(void) __attribute__((weak));

void la_set_threads(int n)
{
    int was = openblas_get_num_threads();
    openblas_set_num_threads(n > 0 ? n : 1);
    if (n <= 1 && was > 1 && blas_thread_shutdown_) blas_thread_shutdown_();
}

int la_get_threads(void)
{
    return openblas_get_num_threads();
}

static char version[512];
static pthread_once_t version_once = PTHREAD_ONCE_INIT;

static void make_version(void)
{
    const char *s = openblas_get_config();
    /* the exp/log kernel and linalg_fixed.c's too: fits that use them
     * round by them (vexp.h, linalg.h) */
    snprintf(version, sizeof version, "%s; exp/log: %s; gradient products: %s", s ? s : "OpenBLAS (unknown)",
             rt_vmath_name(), la_fixed_name());
}

const char *la_version(void)
{
    pthread_once(&version_once, make_version);
    return version;
}

int la_lstsq(int m, int n, int nrhs, double *A, double *B, double rcond, int *rank)
{
    lapack_int r = 0;
    int mn = m < n ? m : n;
    if (rank)
        *rank = 0;
    if (mn <= 0 || nrhs <= 0) {
        /* No equations or no unknowns: x = 0 is the minimum-norm answer. */
        for (size_t i = 0; i < (size_t)(n > 0 ? n : 0) * (nrhs > 0 ? nrhs : 0); i++)
            B[i] = 0.0;
        return 0;
    }
    double *s = malloc((size_t)mn * sizeof *s);
    if (!s)
        return -1;
    lapack_int info = LAPACKE_dgelsd(LAPACK_ROW_MAJOR, m, n, nrhs, A, n, B, nrhs,
                                     s, rcond, &r);
    free(s);
    if (rank)
        *rank = (int)r;
    return (int)info;
}

int la_potrf(int n, double *A)
{
    if (n <= 0)
        return 0;
    /* A row-major lower triangle is the column-major upper one: factoring
     * that in place is the same L without LAPACKE's row-major wrapper,
     * which copies A transposed into a fresh block twice per call (a
     * Newton step's 400 KB Hessian: new pages faulted in every time). */
    lapack_int info = LAPACKE_dpotrf_work(LAPACK_COL_MAJOR, 'U', n, A, n);
    /* LAPACK leaves the strict upper triangle as it was: clear it so A is L */
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            A[(size_t)i * n + j] = 0.0;
    return (int)info;
}

void la_trsv_lower(int n, int trans, const double *L, double *x)
{
    if (n <= 0)
        return;
    cblas_dtrsv(CblasRowMajor, CblasLower, trans ? CblasTrans : CblasNoTrans, CblasNonUnit, n, L, n, x, 1);
}
