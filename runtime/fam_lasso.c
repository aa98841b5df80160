/* fam_lasso.c — scikit-learn's Lasso(alpha, max_iter, tol): the elastic net
 * with l1_ratio = 1 (sklearn's Lasso is that subclass too), minimizing
 *     ||y − Xw − b||² / (2n) + alpha·||w||₁
 * by coordinate descent with sklearn's duality-gap stopping rule; see
 * fam_linear_cd.c.  Regression only. */
#include "fam_linear_cd.h"

int rt_lasso_fit_data(const rt_pval *params, const rt_enet_data *d, rt_model *m, ut_err *e)
{
    return rt_enet_fit_data(d, params[0].num, 1.0, (int)params[1].num, params[2].num, "lasso", m, e);
}

int rt_lasso_fit(const rt_pval *params, const rt_trainset *ts, rt_model *m, ut_err *e)
{
    return rt_enet_fit(ts, rt_lasso_fit_data, params, "lasso", m, e);
}

int rt_lasso_predict(const rt_model *m, const double *X, int n, double *pred,
                     double *proba, ut_err *e)
{
    (void)proba;    /* regression only: model.c passes NULL */
    (void)e;
    rt_linear_scores(m, X, n, pred);
    return 0;
}
