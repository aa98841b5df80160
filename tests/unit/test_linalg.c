/* test_linalg.c — the BLAS/LAPACK wrappers against naive loops and closed
 * forms; in particular the row-major layouts (gemm transposes, the eigen-
 * vectors-as-columns result of la_syev). */
#include <math.h>
#include <stdio.h>
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

int main(void)
{
    la_set_threads(1);
    const char *ver = la_version();
    CHECK(ver && *ver, "la_version is empty");
    test_gram();
    test_gemv_gemm();
    test_posv();
    test_syev();
    if (failures) {
        printf("test_linalg: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_linalg: ok (%s)\n", ver);
    return 0;
}
