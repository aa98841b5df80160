/* fam_linreg.c — scikit-learn's LinearRegression(fit_intercept): ordinary
 * least squares.  With an intercept, X and y are centered on the training
 * rows and intercept = ȳ − x̄ᵀw.  The centered system is solved by SVD
 * (LAPACK dgelsd with rcond = machine epsilon), exactly what sklearn does
 * through scipy.linalg.lstsq: the minimum-norm solution when X is rank
 * deficient, and accuracy of order cond(X)·eps rather than the cond(X)²·eps
 * of the normal equations ridge(alpha = 0) would give. */
#include "families.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../include/mileage.h"
#include "linalg.h"

int rt_linreg_fit(const rt_pval *params, const rt_trainset *ts,
                  rt_model *m, ut_err *e)
{
    int intercept = params[0].num != 0.0;
    int n = ts->n, p = ts->p;
    int rows = n > p ? n : p;
    int rc = -1;
    double *A = NULL, *B = NULL, *xm = NULL, ym = 0;

    m->nout = 1;
    m->coef = calloc((size_t)(p > 0 ? p : 1), sizeof *m->coef);
    m->intercept = calloc(1, sizeof *m->intercept);
    A = malloc((size_t)n * (p > 0 ? p : 1) * sizeof *A);
    B = calloc((size_t)(rows > 0 ? rows : 1), sizeof *B);
    xm = calloc((size_t)(p > 0 ? p : 1), sizeof *xm);
    if (!m->coef || !m->intercept || !A || !B || !xm) {
        ut_errf(e, MLG_NOMEM, "out of memory fitting linreg");
        goto done;
    }
    if (p > 0)
        memcpy(A, ts->X, (size_t)n * p * sizeof *A);
    memcpy(B, ts->y, (size_t)n * sizeof *B);
    if (intercept) {
        for (int i = 0; i < n; i++) {
            const double *xi = A + (size_t)i * p;
            for (int j = 0; j < p; j++)
                xm[j] += xi[j];
            ym += B[i];
        }
        for (int j = 0; j < p; j++)
            xm[j] /= n;
        ym /= n;
        /* A constant column's mean carries rounding (0.1·3/3 ≠ 0.1): its
         * centered values would be ±1e-17 noise, which the SVD may count as
         * a direction and answer with a huge weight.  Snap the mean to the
         * value so the column centers to exact zeros (weight 0). */
        for (int j = 0; j < p; j++) {
            int constant = 1;
            for (int i = 1; i < n && constant; i++)
                constant = A[(size_t)i * p + j] == A[j];
            if (constant)
                xm[j] = A[j];
        }
        for (int i = 0; i < n; i++) {
            double *xi = A + (size_t)i * p;
            for (int j = 0; j < p; j++)
                xi[j] -= xm[j];
            B[i] -= ym;
        }
    }
    if (p > 0) {
        int info = la_lstsq(n, p, 1, A, B, DBL_EPSILON, NULL);
        if (info != 0) {
            ut_errf(e, info > 0 ? MLG_NUMERIC : MLG_NOMEM,
                    info > 0 ? "linreg: the SVD did not converge"
                             : "linreg: least-squares solver failed (out of memory?)");
            goto done;
        }
    }
    double b = ym;
    for (int j = 0; j < p; j++) {
        m->coef[j] = B[j];
        b -= xm[j] * B[j];
        if (!isfinite(B[j])) {
            ut_errf(e, MLG_NUMERIC, "linreg: non-finite coefficients");
            goto done;
        }
    }
    if (!isfinite(b)) {
        ut_errf(e, MLG_NUMERIC, "linreg: non-finite intercept");
        goto done;
    }
    m->intercept[0] = b;
    rc = 0;
done:
    free(A);
    free(B);
    free(xm);
    return rc;
}

int rt_linreg_predict(const rt_model *m, const double *X, int n, double *pred,
                      double *proba, ut_err *e)
{
    (void)proba;    /* regression only: model.c passes NULL */
    (void)e;
    rt_linear_scores(m, X, n, pred);
    return 0;
}
