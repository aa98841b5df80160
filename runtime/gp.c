/* gp.c — Gaussian-process regression for SEARCH bayes (Rasmussen &
 * Williams, algorithm 2.1): L = chol(K + σ²I), α = Lᵀ\(L\y),
 * mean = k*ᵀα, var = k(x,x) − |L\k*|², log p(y) = −½yᵀα − Σ log L_ii − n/2 log 2π. */
#include "gp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "linalg.h"
#include "../include/mileage.h"

double rt_gp_kernel(int kernel, double ls, const double *a, const double *b, int d)
{
    double r2 = 0;
    for (int j = 0; j < d; j++) r2 += (a[j] - b[j]) * (a[j] - b[j]);
    if (kernel == RT_GP_RBF) return exp(-0.5 * r2 / (ls * ls));
    double r = sqrt(5.0 * r2) / ls;
    return (1 + r + r * r / 3) * exp(-r);
}

void rt_gp_clear(rt_gp *g)
{
    free(g->X);
    free(g->L);
    free(g->alpha);
    memset(g, 0, sizeof *g);
}

int rt_gp_fit(rt_gp *g, int kernel, const double *X, const double *y, int n, int d, double ls, double noise,
              int standardize, ut_err *e)
{
    memset(g, 0, sizeof *g);
    g->n = n, g->d = d, g->kernel = kernel, g->ls = ls, g->noise = noise;
    g->ymean = 0, g->ystd = 1;
    if (standardize && n > 0) {
        double m = 0, v = 0;
        for (int i = 0; i < n; i++) m += y[i];
        m /= n;
        for (int i = 0; i < n; i++) v += (y[i] - m) * (y[i] - m);
        v = n > 1 ? sqrt(v / n) : 0;
        g->ymean = m;
        g->ystd = v > 1e-12 ? v : 1;
    }
    g->X = malloc((size_t)n * d * sizeof *g->X + 1);
    g->L = malloc((size_t)n * n * sizeof *g->L + 1);
    g->alpha = malloc((size_t)n * sizeof *g->alpha + 1);
    if (!g->X || !g->L || !g->alpha) {
        rt_gp_clear(g);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    memcpy(g->X, X, (size_t)n * d * sizeof *X);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j <= i; j++) {
            double k = rt_gp_kernel(kernel, ls, X + (size_t)i * d, X + (size_t)j * d, d);
            g->L[(size_t)i * n + j] = g->L[(size_t)j * n + i] = k;
        }
        g->L[(size_t)i * n + i] += noise;
        g->alpha[i] = (y[i] - g->ymean) / g->ystd;
    }
    if (la_potrf(n, g->L)) {
        rt_gp_clear(g);
        return ut_errf(e, MLG_NUMERIC, "GP kernel matrix is not positive definite");
    }
    double quad = 0, logdet = 0;
    la_trsv_lower(n, 0, g->L, g->alpha);          /* L \ y */
    for (int i = 0; i < n; i++) quad += g->alpha[i] * g->alpha[i], logdet += log(g->L[(size_t)i * n + i]);
    la_trsv_lower(n, 1, g->L, g->alpha);          /* Lᵀ \ (L \ y) */
    g->lml = -0.5 * quad - logdet - 0.5 * n * log(2 * M_PI);
    return 0;
}

int rt_gp_fit_auto(rt_gp *g, int kernel, const double *X, const double *y, int n, int d, ut_err *e)
{
    static const double ls[] = {0.05, 0.1, 0.2, 0.4, 0.8, 1.6};
    static const double noise[] = {1e-6, 1e-4, 1e-2, 1e-1};
    rt_gp best;
    memset(&best, 0, sizeof best);
    int have = 0;
    for (size_t i = 0; i < sizeof ls / sizeof *ls; i++)
        for (size_t j = 0; j < sizeof noise / sizeof *noise; j++) {
            rt_gp t;
            ut_err te;
            ut_err_clear(&te);
            if (rt_gp_fit(&t, kernel, X, y, n, d, ls[i], noise[j], 1, &te)) {
                if (te.code == MLG_NOMEM) {
                    rt_gp_clear(&best);
                    *e = te;
                    return -1;
                }
                continue;
            }
            if (!have || t.lml > best.lml) {
                rt_gp_clear(&best);
                best = t;
                have = 1;
            } else {
                rt_gp_clear(&t);
            }
        }
    if (!have) return ut_errf(e, MLG_NUMERIC, "GP: no hyperparameters give a positive definite kernel matrix");
    *g = best;
    return 0;
}

void rt_gp_predict(const rt_gp *g, const double *x, double *mean, double *var)
{
    int n = g->n;
    double ks[512], *k = n <= 512 ? ks : malloc((size_t)n * sizeof *k);
    if (!k) {
        *mean = g->ymean, *var = g->ystd * g->ystd;
        return;
    }
    double m = 0;
    for (int i = 0; i < n; i++) {
        k[i] = rt_gp_kernel(g->kernel, g->ls, g->X + (size_t)i * g->d, x, g->d);
        m += k[i] * g->alpha[i];
    }
    la_trsv_lower(n, 0, g->L, k);
    double v = 1.0;
    for (int i = 0; i < n; i++) v -= k[i] * k[i];
    if (v < 0) v = 0;
    *mean = g->ymean + g->ystd * m;
    *var = v * g->ystd * g->ystd;
    if (k != ks) free(k);
}

double rt_expected_improvement(double mu, double sd, double best, double xi)
{
    double d = mu - best - xi;
    if (!(sd > 0)) return d > 0 ? d : 0;
    double z = d / sd;
    double Phi = 0.5 * erfc(-z / sqrt(2.0)), phi = exp(-0.5 * z * z) / sqrt(2 * M_PI);
    return d * Phi + sd * phi;
}
