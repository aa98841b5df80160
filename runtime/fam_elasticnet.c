/* fam_elasticnet.c — scikit-learn's ElasticNet(alpha, l1_ratio, max_iter,
 * tol), minimizing
 *     ||y − Xw − b||² / (2n) + alpha·l1_ratio·||w||₁
 *                           + 0.5·alpha·(1 − l1_ratio)·||w||²
 * by coordinate descent with sklearn's duality-gap stopping rule; see
 * fam_linear_cd.c.  Regression only. */
#include "fam_linear_cd.h"

int rt_elasticnet_fit_data(const rt_pval *params, const rt_enet_data *d, rt_model *m, ut_err *e)
{
    return rt_enet_fit_data(d, params[0].num, params[1].num, (int)params[2].num, params[3].num, "elasticnet",
                            m, e);
}

int rt_elasticnet_fit(const rt_pval *params, const rt_trainset *ts, rt_model *m,
                      ut_err *e)
{
    return rt_enet_fit(ts, rt_elasticnet_fit_data, params, "elasticnet", m, e);
}

int rt_elasticnet_predict(const rt_model *m, const double *X, int n, double *pred,
                          double *proba, ut_err *e)
{
    (void)proba;    /* regression only: model.c passes NULL */
    (void)e;
    rt_linear_scores(m, X, n, pred);
    return 0;
}
