/* gp.h — the Gaussian-process surrogate of SEARCH bayes, and expected
 * improvement.  Inputs are points of [0,1]^d (search.c encodes
 * configurations); the kernel is Matérn 5/2 or RBF with one length scale,
 * unit signal variance and Gaussian noise.  The algebra goes through
 * linalg.h (Cholesky).
 * Memory: rt_gp owns its arrays (rt_gp_clear frees them). */
#ifndef RT_GP_H
#define RT_GP_H

#include "../util/util.h"

enum { RT_GP_MATERN52, RT_GP_RBF };

typedef struct {
    int n, d, kernel;
    double ls, noise;     /* length scale, noise variance (standardized units) */
    double ymean, ystd;   /* targets are standardized with these */
    double *X;            /* n x d training inputs (copy) */
    double *L;            /* n x n Cholesky factor of K + noise I */
    double *alpha;        /* (K + noise I)⁻¹ y_std */
    double lml;           /* log marginal likelihood of the standardized y */
} rt_gp;

double rt_gp_kernel(int kernel, double ls, const double *a, const double *b, int d);
/* Fits with fixed hyperparameters.  standardize = 0 keeps y as given
 * (ymean 0, ystd 1).  0 ok; -1 with e set (not positive definite, OOM). */
int  rt_gp_fit(rt_gp *g, int kernel, const double *X, const double *y, int n, int d, double ls, double noise,
               int standardize, ut_err *e);
/* Fits with the length scale and noise of a small grid that maximize the
 * log marginal likelihood. */
int  rt_gp_fit_auto(rt_gp *g, int kernel, const double *X, const double *y, int n, int d, ut_err *e);
/* Posterior mean and variance of the (unstandardized) function at x. */
void rt_gp_predict(const rt_gp *g, const double *x, double *mean, double *var);
void rt_gp_clear(rt_gp *g);
/* Expected improvement over best for maximization:
 * (mu - best - xi) Phi(z) + sd phi(z), z = (mu - best - xi) / sd. */
double rt_expected_improvement(double mu, double sd, double best, double xi);

#endif
