/* test_linalg.c — the BLAS/LAPACK wrappers against naive loops and closed
 * forms; in particular the row-major layouts (gemm transposes, the eigen-
 * vectors-as-columns result of la_syev). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../runtime/linalg.h"
#include "check.h"



static void check_close(const char *what, double got, double want, double tol)
{
    CHECK(fabs(got - want) <= tol * fmax(1.0, fabs(want)), "%s: got %.17g want %.17g",
          what, got, want);
}

/* Deterministic fill so failures reproduce. */
static void fill(double *a, int n, double seed)
{
    for (int i = 0; i < n; i++)
        a[i] = sin(seed * (i + 1) + 0.3 * i * i);
}

static void test_gram(void)
{
    enum { N = 7, P = 4 };
    double A[N * P], C[P * P], want[P * P];
    fill(A, N * P, 1.7);
    for (int i = 0; i < P * P; i++)
        C[i] = 1.0;                      /* symmetric start, scaled by beta */
    for (int i = 0; i < P; i++)
        for (int j = 0; j < P; j++) {
            double s = 0;
            for (int r = 0; r < N; r++)
                s += A[r * P + i] * A[r * P + j];
            want[i * P + j] = 2.0 * s + 0.5;
        }
    la_gram(N, P, A, 2.0, 0.5, C);
    for (int i = 0; i < P * P; i++)
        check_close("la_gram", C[i], want[i], 1e-13);
}

static void test_gemv_gemm(void)
{
    enum { M = 3, N = 5, K = 4 };
    double A[M * N], x[N], xt[M], y[M], yt[N];
    fill(A, M * N, 0.9);
    fill(x, N, 2.1);
    fill(xt, M, 3.3);
    for (int i = 0; i < M; i++)
        y[i] = 1.0;
    for (int j = 0; j < N; j++)
        yt[j] = -1.0;
    la_gemv(0, M, N, 2.0, A, x, 3.0, y);
    la_gemv(1, M, N, 1.0, A, xt, 0.0, yt);
    for (int i = 0; i < M; i++) {
        double s = 0;
        for (int j = 0; j < N; j++)
            s += A[i * N + j] * x[j];
        check_close("la_gemv N", y[i], 2.0 * s + 3.0, 1e-13);
    }
    for (int j = 0; j < N; j++) {
        double s = 0;
        for (int i = 0; i < M; i++)
            s += A[i * N + j] * xt[i];
        check_close("la_gemv T", yt[j], s, 1e-13);
    }

    /* All four transpose combinations: op(A) is M x K, op(B) is K x N. */
    for (int ta = 0; ta < 2; ta++)
        for (int tb = 0; tb < 2; tb++) {
            double a[M * K], b[K * N], c[M * N];
            fill(a, M * K, 1.1 + ta);
            fill(b, K * N, 0.7 + tb);
            for (int i = 0; i < M * N; i++)
                c[i] = 0.25;
            la_gemm(ta, tb, M, N, K, 1.5, a, b, 2.0, c);
            for (int i = 0; i < M; i++)
                for (int j = 0; j < N; j++) {
                    double s = 0;
                    for (int l = 0; l < K; l++) {
                        double av = ta ? a[l * M + i] : a[i * K + l];
                        double bv = tb ? b[j * K + l] : b[l * N + j];
                        s += av * bv;
                    }
                    char what[48];
                    snprintf(what, sizeof what, "la_gemm(%d,%d)", ta, tb);
                    check_close(what, c[i * N + j], 1.5 * s + 0.5, 1e-13);
                }
        }

    double u[3] = { 1, 2, 3 }, v[3] = { 4, -5, 6 };
    check_close("la_dot", la_dot(3, u, v), 12.0, 0);
    la_axpy(3, 2.0, u, v);
    CHECK(v[0] == 6 && v[1] == -1 && v[2] == 12, "la_axpy: %g %g %g", v[0], v[1], v[2]);
}

static void test_posv(void)
{
    /* A = [[4,2,0],[2,5,1],[0,1,3]] is SPD; X chosen, B = A X. */
    double A[9] = { 4, 2, 0, 2, 5, 1, 0, 1, 3 };
    double Xw[6] = { 1, -1, 2, 0.5, -3, 4 };   /* 3 x 2 */
    double B[6];
    for (int i = 0; i < 3; i++)
        for (int k = 0; k < 2; k++) {
            double s = 0;
            for (int j = 0; j < 3; j++)
                s += A[i * 3 + j] * Xw[j * 2 + k];
            B[i * 2 + k] = s;
        }
    CHECK(la_posv(3, 2, A, B) == 0, "la_posv on an SPD matrix failed");
    for (int i = 0; i < 6; i++)
        check_close("la_posv", B[i], Xw[i], 1e-13);

    double S[4] = { 1, 2, 2, 1 }, b[2] = { 1, 1 };  /* eigenvalues 3 and -1 */
    CHECK(la_posv(2, 1, S, b) > 0, "la_posv accepted an indefinite matrix");
}

static void test_syev(void)
{
    /* diag(3,1,2): eigenvalues ascending 1,2,3; the eigenvector of 1 is e_1,
     * so if eigenvectors are columns, A[1*3+0] = ±1 (as rows it would be
     * A[0*3+1]). */
    double D[9] = { 3, 0, 0, 0, 1, 0, 0, 0, 2 }, w[3];
    CHECK(la_syev(3, D, w) == 0, "la_syev failed");
    check_close("syev w0", w[0], 1, 1e-14);
    check_close("syev w1", w[1], 2, 1e-14);
    check_close("syev w2", w[2], 3, 1e-14);
    check_close("syev column layout e_1", fabs(D[1 * 3 + 0]), 1.0, 1e-14);
    check_close("syev column layout e_2", fabs(D[2 * 3 + 1]), 1.0, 1e-14);
    check_close("syev column layout e_0", fabs(D[0 * 3 + 2]), 1.0, 1e-14);

    /* A random symmetric 5x5: A V[:,j] = w[j] V[:,j] and VᵀV = I. */
    enum { P = 5 };
    double A[P * P], V[P * P], ev[P];
    fill(A, P * P, 0.37);
    for (int i = 0; i < P; i++)
        for (int j = 0; j < i; j++)
            A[i * P + j] = A[j * P + i];
    memcpy(V, A, sizeof A);
    CHECK(la_syev(P, V, ev) == 0, "la_syev failed");
    for (int j = 0; j < P; j++) {
        if (j > 0)
            CHECK(ev[j] >= ev[j - 1], "eigenvalues not ascending");
        for (int i = 0; i < P; i++) {
            double s = 0;
            for (int l = 0; l < P; l++)
                s += A[i * P + l] * V[l * P + j];
            check_close("A v = w v", s, ev[j] * V[i * P + j], 1e-12);
        }
        for (int k = 0; k < P; k++) {
            double s = 0;
            for (int i = 0; i < P; i++)
                s += V[i * P + j] * V[i * P + k];
            check_close("VᵀV = I", s, j == k, 1e-12);
        }
    }
}

/* la_xwt / la_rtx: the values of the naive loops (within rounding), and
 * the same bits for a block of columns whatever else the call holds:
 * columns c0 .. c0+k-1 of a call of m columns against a call of those k
 * alone, over shapes off every tile size (rows not a multiple of 4, more
 * than a 256-row block, 1000 columns of X (blocks of 65 rows), columns and
 * inner dimensions off 4 and 8) — what logreg's batch relies on to take
 * each C's iterates alone. */
static void test_fixed_products(void)
{
    static const int ns[] = {1, 3, 4, 7, 64, 257, 600}, ps[] = {1, 3, 4, 8, 13, 65, 1000},
                     ms[] = {1, 2, 3, 5, 10, 37};
    int shapes = 0, same = 0;
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (size_t b = 0; b < sizeof ps / sizeof *ps; b++)
            for (size_t c = 0; c < sizeof ms / sizeof *ms; c++) {
                int n = ns[a], p = ps[b], m = ms[c];
                int k = m > 3 ? 3 : 1, c0 = m - k;   /* the last k columns */
                double *X = malloc(sizeof(double) * n * p), *WT = malloc(sizeof(double) * p * m);
                double *Z = malloc(sizeof(double) * n * m), *Zk = malloc(sizeof(double) * n * k);
                double *WTk = malloc(sizeof(double) * p * k), *R = malloc(sizeof(double) * n * m);
                double *G = malloc(sizeof(double) * m * p), *Gk = malloc(sizeof(double) * k * p);
                double *Rk = malloc(sizeof(double) * n * k);
                if (!X || !WT || !Z || !Zk || !WTk || !R || !G || !Gk || !Rk) {
                    CHECK(0, "out of memory");
                    return;
                }
                fill(X, n * p, 0.37 + a);
                fill(WT, p * m, 1.3 + b);
                fill(R, n * m, 2.1 + c);
                fill(G, m * p, 0.9);
                for (int t = 0; t < p; t++)
                    memcpy(WTk + (size_t)t * k, WT + (size_t)t * m + c0, sizeof(double) * k);
                for (int i = 0; i < n; i++)
                    memcpy(Rk + (size_t)i * k, R + (size_t)i * m + c0, sizeof(double) * k);
                memcpy(Gk, G + (size_t)c0 * p, sizeof(double) * k * p);
                double err = 0;
                la_xwt(n, m, p, X, WT, Z, m);
                la_xwt(n, k, p, X, WTk, Zk, k);
                for (int i = 0; i < n; i++)
                    for (int cc = 0; cc < m; cc++) {
                        double s = 0, mag = 0;
                        for (int t = 0; t < p; t++) {
                            s += X[(size_t)i * p + t] * WT[(size_t)t * m + cc];
                            mag += fabs(X[(size_t)i * p + t] * WT[(size_t)t * m + cc]);
                        }
                        err = fmax(err, fabs(Z[(size_t)i * m + cc] - s) / fmax(mag, 1e-300));
                    }
                int bits = 1;
                for (int i = 0; i < n; i++)
                    bits &= !memcmp(Z + (size_t)i * m + c0, Zk + (size_t)i * k, sizeof(double) * k);
                double *G0 = malloc(sizeof(double) * m * p);
                if (!G0) {
                    CHECK(0, "out of memory");
                    return;
                }
                memcpy(G0, G, sizeof(double) * m * p);
                la_rtx(n, m, p, R, m, X, G);
                la_rtx(n, k, p, Rk, k, X, Gk);
                for (int i = 0; i < m * p; i++) {
                    int cc = i / p, t = i % p;
                    double s = G0[i], mag = fabs(G0[i]);
                    for (int r = 0; r < n; r++) {
                        s += R[(size_t)r * m + cc] * X[(size_t)r * p + t];
                        mag += fabs(R[(size_t)r * m + cc] * X[(size_t)r * p + t]);
                    }
                    err = fmax(err, fabs(G[i] - s) / fmax(mag, 1e-300));
                }
                bits &= !memcmp(G + (size_t)c0 * p, Gk, sizeof(double) * k * p);
                CHECK(err <= 1e-13 * (n + p), "n=%d p=%d m=%d: %g from the naive sums", n, p, m, err);
                CHECK(bits, "n=%d p=%d m=%d: columns %d..%d differ from a call of them alone", n, p, m, c0,
                      m - 1);
                shapes++;
                same += bits;
                free(X); free(WT); free(Z); free(Zk); free(WTk); free(R); free(G); free(Gk); free(Rk); free(G0);
            }
    printf("  fixed-order products: %d of %d shapes give a block of columns the bits it gets alone (%s)\n", same,
           shapes, la_fixed_name());
}

/* Every width of kernel (AVX-512, AVX2 + FMA) gives each element exactly
 * its chain of fused multiply-adds in the order linalg.h states — the
 * reference here is that chain by fma() — and writes nothing past the m
 * columns of a row (leading dimensions past m, masked lanes): shapes on
 * and off every vector and tile edge (8 and 16 columns, 4 and 8 rows, 8
 * and 32 entries). */
static void test_fixed_widths(void)
{
    static const int ns[] = {1, 3, 7, 8, 9, 17, 300}, ps[] = {1, 3, 8, 13, 31, 32, 33, 65},
                     ms[] = {1, 2, 3, 4, 5, 7, 9, 10, 15, 16, 17, 33, 70};
    int tried = 0, widths = 0;
    for (int level = 2; level >= 1; level--) {
        la_fixed_cap(level);
        const char *name = level == 2 ? "AVX-512" : "AVX2";
        if (la_fixed_level() != level)
            continue;   /* this CPU lacks the width */
        widths++;
        for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
            for (size_t b = 0; b < sizeof ps / sizeof *ps; b++)
                for (size_t c = 0; c < sizeof ms / sizeof *ms; c++) {
                    int n = ns[a], p = ps[b], m = ms[c], ld = m + 3;
                    double *X = malloc(sizeof(double) * n * p), *WT = malloc(sizeof(double) * p * m);
                    double *Z = malloc(sizeof(double) * n * ld), *G = malloc(sizeof(double) * m * p);
                    double *G0 = malloc(sizeof(double) * m * p);
                    if (!X || !WT || !Z || !G || !G0) {
                        CHECK(0, "out of memory");
                        return;
                    }
                    fill(X, n * p, 0.71 + a);
                    fill(WT, p * m, 1.1 + b);
                    fill(G0, m * p, 0.3 + c);
                    memcpy(G, G0, sizeof(double) * m * p);
                    for (int i = 0; i < n * ld; i++)
                        Z[i] = -7.25;
                    la_xwt(n, m, p, X, WT, Z, ld);
                    int bad = 0;
                    for (int i = 0; i < n; i++)
                        for (int k = 0; k < ld; k++) {
                            double want = -7.25;
                            if (k < m) {
                                want = 0;
                                for (int t = 0; t < p; t++)
                                    want = fma(X[(size_t)i * p + t], WT[(size_t)t * m + k], want);
                            }
                            bad += memcmp(&want, &Z[(size_t)i * ld + k], sizeof want) != 0;
                        }
                    /* la_rtx reads R with leading dimension ld: Z itself */
                    la_rtx(n, m, p, Z, ld, X, G);
                    for (int k = 0; k < m; k++)
                        for (int t = 0; t < p; t++) {
                            double want = G0[(size_t)k * p + t];
                            for (int i = 0; i < n; i++)
                                want = fma(Z[(size_t)i * ld + k], X[(size_t)i * p + t], want);
                            bad += memcmp(&want, &G[(size_t)k * p + t], sizeof want) != 0;
                        }
                    CHECK(!bad, "%s: n=%d p=%d m=%d: %d elements not their fma chain", name, n, p, m, bad);
                    tried++;
                    free(X); free(WT); free(Z); free(G); free(G0);
                }
    }
    la_fixed_cap(2);
    printf("  fixed-order products: %d shapes on %d widths, each element its fma chain\n", tried, widths);
}

/* A call large enough to be split over threads (BLAS threads 3: two parts
 * at this size) gives the bits it gives on one (REPRODUCE must not depend
 * on the threads a fit ran with). */
static void test_fixed_threads(void)
{
    enum { N = 5003, P = 67, M = 31 };
    double *X = malloc(sizeof(double) * N * P), *WT = malloc(sizeof(double) * P * M);
    double *Z1 = malloc(sizeof(double) * N * M), *Z2 = malloc(sizeof(double) * N * M);
    double *G1 = malloc(sizeof(double) * M * P), *G2 = malloc(sizeof(double) * M * P);
    if (!X || !WT || !Z1 || !Z2 || !G1 || !G2) {
        CHECK(0, "out of memory");
        return;
    }
    fill(X, N * P, 0.61);
    fill(WT, P * M, 1.9);
    double G0[M * P];   /* where both sums start */
    fill(G0, M * P, 0.2);
    for (int level = 2; level >= 0; level--) {   /* each width the CPU has, and the plain loops */
        la_fixed_cap(level);
        if (la_fixed_level() != level) continue;
        memcpy(G1, G0, sizeof G0);
        memcpy(G2, G0, sizeof G0);
        la_set_threads(1);
        la_xwt(N, M, P, X, WT, Z1, M);
        la_rtx(N, M, P, Z1, M, X, G1);
        la_set_threads(3);
        la_xwt(N, M, P, X, WT, Z2, M);
        la_rtx(N, M, P, Z2, M, X, G2);
        la_set_threads(1);
        CHECK(!memcmp(Z1, Z2, sizeof(double) * N * M), "la_xwt (level %d): split over threads, it differs from one",
              level);
        CHECK(!memcmp(G1, G2, sizeof(double) * M * P), "la_rtx (level %d): split over threads, it differs from one",
              level);
    }
    la_fixed_cap(2);
    free(X); free(WT); free(Z1); free(Z2); free(G1); free(G2);
}

int main(void)
{
    la_set_threads(1);
    const char *ver = la_version();
    CHECK(ver && *ver, "la_version is empty");
    test_gram();
    test_gemv_gemm();
    test_posv();
    test_syev();
    test_fixed_products();
    test_fixed_threads();
    test_fixed_widths();
    if (failures) {
        printf("test_linalg: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_linalg: ok (%s)\n", ver);
    return 0;
}
