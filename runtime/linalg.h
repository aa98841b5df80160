/* linalg.h — the only door to BLAS/LAPACK.  Only linalg*.c include cblas.h
 * and lapacke.h; everything else calls these.  Row-major matrices. */
#ifndef RT_LINALG_H
#define RT_LINALG_H

/* C = alpha * A^T A + beta * C, A n x p, C p x p (full symmetric stored). */
void la_gram(int n, int p, const double *A, double alpha, double beta, double *C);
/* y = alpha * op(A) x + beta y; A m x n; trans = 0/1. */
void la_gemv(int trans, int m, int n, double alpha, const double *A,
             const double *x, double beta, double *y);
/* C = alpha * op(A) op(B) + beta C (row-major, dims of the result m x n, inner k). */
void la_gemm(int transA, int transB, int m, int n, int k, double alpha,
             const double *A, const double *B, double beta, double *C);
/* The two products of a linear model's gradient, each element summed in
 * one fixed order that depends on nothing but its own row and column — not
 * on n, m, the tiling or the CPU's threads — so problems side by side in
 * one call get the bits each gets alone (linalg_fixed.c):
 *   la_xwt:  Z[i][c] = Σ_t X[i][t]·WT[t][c], t = 0, 1, …, from 0
 *            (X n x p, WT p x m, Z n x m with leading dimension ldz);
 *   la_rtx:  G[c][t] += Σ_i R[i][c]·X[i][t], i = 0, 1, …, onto G's value
 *            (R n x m with leading dimension ldr, X n x p, G m x p).
 * The name says which kernel runs (recorded with experiments). */
void la_xwt(int n, int m, int p, const double *X, const double *WT, double *Z, int ldz);
void la_rtx(int n, int m, int p, const double *R, int ldr, const double *X, double *G);
const char *la_fixed_name(void);
/* The widest kernel la_xwt / la_rtx may take (2 AVX-512, 1 AVX2, 0 plain;
 * the CPU's best by default); returns the previous cap.  la_fixed_level:
 * the one they take now.  For tests, which compare the widths: AVX-512
 * and AVX2 give the same bits. */
int la_fixed_cap(int level);
int la_fixed_level(void);
double la_dot(int n, const double *x, const double *y);
void   la_axpy(int n, double a, const double *x, double *y);
/* Solve A X = B for SPD A (p x p), B p x nrhs; A and B overwritten (B by X,
 * A by its Cholesky factor).  0 ok, >0 not positive definite (then A and B
 * hold garbage: keep copies), <0 bad argument. */
int la_posv(int p, int nrhs, double *A, double *B);
/* Symmetric eigendecomposition A = V diag(w) V^T (only the upper triangle of
 * A is read).  On return w holds the eigenvalues in ascending order and A
 * holds V with the eigenvectors as COLUMNS: A[i*p + j] is component i of the
 * unit eigenvector belonging to w[j].  0 ok, >0 did not converge. */
int la_syev(int p, double *A, double *w);
/* Cholesky A = L Lᵀ of an SPD n x n matrix, in place: A becomes L (lower
 * triangle, zeros above).  0 ok, >0 not positive definite. */
int la_potrf(int n, double *A);
/* x ← L⁻¹ x (trans = 0) or L⁻ᵀ x (trans = 1), L lower triangular n x n. */
void la_trsv_lower(int n, int trans, const double *L, double *x);
/* Threads OpenBLAS may use (n < 1 is taken as 1; process-wide).  Going
 * to one stops OpenBLAS's server threads, which it starts again at its
 * next threaded call (linalg.c says why). */
void la_set_threads(int n);
int  la_get_threads(void);   /* what la_set_threads last set (process-wide) */
/* OpenBLAS build string and the exp/log kernel (static storage, do not
 * free): recorded with every experiment for REPRODUCE. */
const char *la_version(void);

/* Minimum-norm least squares min ||A x - b|| by divide-and-conquer SVD
 * (dgelsd, what scipy.linalg.lstsq uses).  A is m x n and is destroyed; B is
 * max(m,n) x nrhs: the first m rows hold b on entry, the first n rows hold x
 * on return.  Singular values below rcond * the largest count as zero
 * (rcond < 0: machine precision).  *rank (may be NULL) gets the effective
 * rank.  0 ok, > 0 the SVD did not converge, < 0 bad argument or no memory. */
int la_lstsq(int m, int n, int nrhs, double *A, double *B, double rcond, int *rank);

#endif
