/* fam_linear_cd.c — the elastic-net coordinate descent behind lasso and
 * elasticnet, a transcription of scikit-learn 1.2.1's
 * sklearn/linear_model/_cd_fast.pyx enet_coordinate_descent (dense,
 * cyclic order, positive=False) so the iterates, the stopping point and the
 * iteration count follow sklearn's:
 *   - the objective is scaled by n: l1 = alpha·l1_ratio·n, l2 =
 *     alpha·(1 − l1_ratio)·n, minimizing ½||R||² + l1·||w||₁ + ½·l2·||w||²;
 *   - one sweep updates each coordinate against the running residual R;
 *   - when the largest update of a sweep is below tol relative to the largest
 *     weight (or on the last sweep) the duality gap is computed, and the fit
 *     stops once gap < tol·||y_c||².
 * Columns are stored contiguously (sklearn gets the same from Fortran-ordered
 * X).  sklearn adds w_j·x_j back into R, takes x_jᵀR, then subtracts the new
 * w_j·x_j: three passes over the column.  Here x_jᵀ(R + w_j x_j) is formed as
 * x_jᵀR + w_j·||x_j||² and R moves once by (w_j − w_j_new)·x_j — two passes,
 * ~25% faster, the same iterates up to rounding (the tests see sklearn's
 * coefficients to 1e-8 and its iteration counts exactly). */
#include "fam_linear_cd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../include/mileage.h"
#include "linalg.h"
#include "stop.h"

int rt_enet_fit(const rt_trainset *ts, double alpha, double l1_ratio,
                int max_iter, double tol, const char *name, rt_model *m,
                ut_err *e)
{
    int n = ts->n, p = ts->p;
    int rc = -1;
    double *Xt = NULL, *xm = NULL, *yc = NULL, *R = NULL, *nrm = NULL,
           *XtA = NULL, *w = NULL;

    if (!(alpha >= 0) || !isfinite(alpha))
        return ut_errf(e, MLG_MISUSE, "%s: alpha must be >= 0 (got %g)", name, alpha);
    if (!(l1_ratio >= 0 && l1_ratio <= 1))
        return ut_errf(e, MLG_MISUSE, "%s: l1_ratio must be in [0, 1] (got %g)", name,
                       l1_ratio);
    if (!(tol >= 0) || !isfinite(tol))
        return ut_errf(e, MLG_MISUSE, "%s: tol must be >= 0 (got %g)", name, tol);
    if (max_iter < 1)
        max_iter = 1;

    size_t pp = (size_t)(p > 0 ? p : 1);
    m->nout = 1;
    m->coef = calloc(pp, sizeof *m->coef);
    m->intercept = calloc(1, sizeof *m->intercept);
    Xt = malloc((size_t)n * pp * sizeof *Xt);
    xm = calloc(pp, sizeof *xm);
    yc = malloc((size_t)n * sizeof *yc);
    R = malloc((size_t)n * sizeof *R);
    nrm = malloc(pp * sizeof *nrm);
    XtA = malloc(pp * sizeof *XtA);
    if (!m->coef || !m->intercept || !Xt || !xm || !yc || !R || !nrm || !XtA) {
        ut_errf(e, MLG_NOMEM, "out of memory fitting %s", name);
        goto done;
    }
    w = m->coef;

    /* Center (the intercept is unpenalized, as sklearn's _pre_fit does) and
     * transpose so that column j is Xt[j*n .. j*n+n). */
    double ym = 0;
    for (int i = 0; i < n; i++) {
        const double *xi = ts->X + (size_t)i * p;
        for (int j = 0; j < p; j++)
            xm[j] += xi[j];
        ym += ts->y[i];
    }
    ym /= n;
    for (int j = 0; j < p; j++) {
        xm[j] /= n;
        double *col = Xt + (size_t)j * n;
        double first = ts->X[j];
        int constant = 1;
        for (int i = 0; i < n; i++) {
            double v = ts->X[(size_t)i * p + j];
            constant &= v == first;
            col[i] = v - xm[j];
        }
        /* A constant column's mean carries rounding (0.1·3/3 ≠ 0.1), which
         * would leave ±1e-17 noise instead of a zero column: with little or
         * no penalty CD would then chase that noise.  Zero it exactly, so it
         * is skipped like sklearn skips all-zero columns. */
        if (constant) {
            memset(col, 0, (size_t)n * sizeof *col);
            xm[j] = first;
        }
        nrm[j] = la_dot(n, col, col);
    }
    for (int i = 0; i < n; i++)
        R[i] = yc[i] = ts->y[i] - ym;

    double l1 = alpha * l1_ratio * n, l2 = alpha * (1.0 - l1_ratio) * n;
    double yy = la_dot(n, yc, yc);
    double gap_tol = tol * yy, gap = 0;
    int iter = 0, converged = 0;

    if (yy == 0 || p == 0) {
        /* Constant target (or nothing to fit): w = 0 is optimal, the gap is
         * 0.  sklearn would sweep to max_iter here because it tests
         * gap < 0; the answer is the same. */
        converged = 1;
        iter = 1;
    }
    for (; !converged && iter < max_iter; iter++) {
        if (rt_stop_requested()) {
            rt_stop_error(e, name);
            goto done;
        }
        double w_max = 0, dw_max = 0;
        for (int j = 0; j < p; j++) {
            if (nrm[j] == 0.0)
                continue;
            const double *col = Xt + (size_t)j * n;
            double wj = w[j];
            double t = la_dot(n, col, R) + wj * nrm[j];
            double mag = fabs(t) - l1;
            w[j] = mag > 0 ? copysign(mag, t) / (nrm[j] + l2) : 0.0;
            if (w[j] != wj)
                la_axpy(n, wj - w[j], col, R);
            double d = fabs(w[j] - wj);
            if (d > dw_max)
                dw_max = d;
            if (fabs(w[j]) > w_max)
                w_max = fabs(w[j]);
        }
        if (!(w_max == 0.0 || dw_max / w_max < tol || iter == max_iter - 1))
            continue;
        /* Duality gap (sklearn's formula, in the n-scaled objective). */
        memcpy(XtA, w, (size_t)p * sizeof *XtA);
        la_gemv(0, p, n, 1.0, Xt, R, -l2, XtA);
        double dual_norm = 0;
        for (int j = 0; j < p; j++)
            if (fabs(XtA[j]) > dual_norm)
                dual_norm = fabs(XtA[j]);
        double r2 = la_dot(n, R, R), w2 = la_dot(p, w, w), cst;
        if (dual_norm > l1) {
            cst = l1 / dual_norm;
            gap = 0.5 * (r2 + r2 * cst * cst);
        } else {
            cst = 1.0;
            gap = r2;
        }
        double w1 = 0;
        for (int j = 0; j < p; j++)
            w1 += fabs(w[j]);
        gap += l1 * w1 - cst * la_dot(n, R, yc) + 0.5 * l2 * (1 + cst * cst) * w2;
        if (isnan(gap)) {
            ut_errf(e, MLG_NUMERIC, "%s: coordinate descent diverged (iteration %d)",
                    name, iter + 1);
            goto done;
        }
        if (gap < gap_tol) {
            converged = 1;
            iter++;
            break;
        }
    }
    m->n_iter = iter;
    m->hit_max_iter = !converged;
    m->grad_max = gap / n;

    double b = ym, w1 = 0;
    for (int j = 0; j < p; j++) {
        if (!isfinite(w[j])) {
            ut_errf(e, MLG_NUMERIC, "%s: non-finite coefficients", name);
            goto done;
        }
        b -= xm[j] * w[j];
        w1 += fabs(w[j]);
    }
    m->intercept[0] = b;
    /* R is y_c − X_c w throughout (rebuilt only by rounding drift). */
    m->objective = 0.5 * la_dot(n, R, R) / n + alpha * l1_ratio * w1
                 + 0.5 * alpha * (1.0 - l1_ratio) * la_dot(p, w, w);
    rc = 0;
done:
    free(Xt);
    free(xm);
    free(yc);
    free(R);
    free(nrm);
    free(XtA);
    return rc;
}
