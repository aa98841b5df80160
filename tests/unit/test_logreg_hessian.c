/* test_logreg_hessian.c — Newton's Hessian for logreg (fam_logreg.c's
 * nt_hessian, one Gram per class pair and row block) against the Kronecker
 * formula written out entry by entry:
 *   H[(k,a),(l,c)] = Σ_i C s_i (δ_kl p_ik − p_ik p_il) x̃_ia x̃_ic
 * over x̃ = [x, 1], plus the penalty's identity on the weights and, with
 * several classes, the intercept-sum term (1 on every intercept pair).
 * A wrong Hessian would go unnoticed elsewhere: used as a preconditioner it
 * only slows Newton down, and the fits still end at the optimum. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "runtime/model.h"
#include "check.h"



static double urand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((*s >> 8) & 0xffffff) / (double)0x1000000;
}

/* The formula above, O(n·d²). */
static void reference(const double *X, int n, int p, int K, const double *prob, const double *sw, double C,
                      double *H)
{
    int q = p + 1, d = K * q;
    for (int u = 0; u < d * d; u++)
        H[u] = 0;
    for (int i = 0; i < n; i++) {
        const double *pi = prob + (size_t)i * K;
        double w = C * (sw ? sw[i] : 1.0);
        for (int k = 0; k < K; k++)
            for (int l = 0; l < K; l++) {
                double a_kl = K == 1 ? pi[0] * (1 - pi[0]) : (k == l ? pi[k] : 0) - pi[k] * pi[l];
                for (int a = 0; a < q; a++)
                    for (int c = 0; c < q; c++) {
                        double xa = a < p ? X[(size_t)i * p + a] : 1, xc = c < p ? X[(size_t)i * p + c] : 1;
                        int ia = a < p ? k * p + a : K * p + k, ic = c < p ? l * p + c : K * p + l;
                        H[(size_t)ia * d + ic] += w * a_kl * xa * xc;
                    }
            }
    }
    for (int j = 0; j < K * p; j++)
        H[(size_t)j * d + j] += 1;
    if (K > 1)
        for (int k = 0; k < K; k++)
            for (int l = 0; l < K; l++)
                H[(size_t)(K * p + k) * d + K * p + l] += 1;
}

/* n rows (over 1024: two of nt_hessian's row blocks), p features, K outputs. */
static void check(int n, int p, int K, int weighted, unsigned seed)
{
    int d = K * (p + 1);
    double *X = malloc((size_t)(n * p > 0 ? n * p : 1) * sizeof *X), *prob = malloc((size_t)n * K * sizeof *prob);
    double *sw = weighted ? malloc((size_t)n * sizeof *sw) : NULL;
    double *H = malloc((size_t)d * d * sizeof *H), *R = malloc((size_t)d * d * sizeof *R);
    if (!X || !prob || (weighted && !sw) || !H || !R) {
        CHECK(0, "out of memory");
        goto out;
    }
    for (int u = 0; u < n * p; u++)
        X[u] = 2 * urand(&seed) - 1;
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int k = 0; k < K; k++)
            s += prob[(size_t)i * K + k] = 0.05 + urand(&seed);
        if (K > 1)
            for (int k = 0; k < K; k++)
                prob[(size_t)i * K + k] /= s;
        else
            prob[i] = 0.02 + 0.96 * urand(&seed);
        if (sw)
            sw[i] = 0.5 + urand(&seed);
    }
    double C = 0.7;
    CHECK(rt_logreg_hessian(X, n, p, K, prob, sw, C, H) == 0, "rt_logreg_hessian");
    reference(X, n, p, K, prob, sw, C, R);
    double worst = 0;
    int asym = 0;
    for (int u = 0; u < d; u++)
        for (int v = 0; v < d; v++) {
            double want = R[(size_t)u * d + v], got = H[(size_t)u * d + v];
            double err = fabs(got - want) / fmax(1.0, fabs(want));
            worst = err > worst ? err : worst;
            asym += H[(size_t)u * d + v] != H[(size_t)v * d + u];
        }
    CHECK(worst <= 1e-12, "n=%d p=%d K=%d%s: worst relative error %g", n, p, K, weighted ? " weighted" : "", worst);
    CHECK(asym == 0, "n=%d p=%d K=%d: %d entries differ from their mirror", n, p, K, asym);
out:
    free(X);
    free(prob);
    free(sw);
    free(H);
    free(R);
}

int main(void)
{
    check(50, 3, 1, 0, 1);          /* binary */
    check(1100, 4, 1, 1, 2);        /* binary, two row blocks, row weights */
    check(60, 3, 4, 0, 3);          /* multinomial */
    check(1300, 5, 6, 1, 4);        /* multinomial, two row blocks, row weights */
    check(40, 0, 3, 0, 5);          /* intercepts only */
    if (failures)
        printf("%d failure(s)\n", failures);
    else
        printf("ok\n");
    return failures ? 1 : 0;
}
