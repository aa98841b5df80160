/* fam_linear_cd.h — private to fam_lasso.c, fam_elasticnet.c and model.c:
 * the coordinate-descent elastic-net fit both families share, and the data
 * every alpha of one training set starts from. */
#ifndef RT_FAM_LINEAR_CD_H
#define RT_FAM_LINEAR_CD_H

#include "families.h"

/* A training set centered (the intercept is unpenalized), in the form the
 * sweeps read: with `gram`, the centered columns' Gram matrix and their
 * products with the centered target (scikit-learn's precompute=True: a
 * sweep costs p² instead of n·p); otherwise the centered columns
 * themselves.  Built once, it serves any number of alphas and l1 ratios:
 * that is rule 3's batch for lasso and elasticnet (share.c).  Memory: the
 * arrays are malloc'd, rt_enet_data_free frees them. */
typedef struct {
    int n, p, gram;
    double ym, yy;      /* target mean, ||y − ȳ||² */
    double *xm;         /* p column means (a constant column: its value)     */
    double *nrm;        /* p squared norms of the centered columns           */
    double *Xt;         /* without gram: p x n, column j at Xt + j·n         */
    double *yc;         /* without gram: n centered targets                  */
    double *G, *Xy;     /* with gram: p x p and p                            */
} rt_enet_data;

int  rt_enet_data_new(const rt_trainset *ts, int gram, const char *name, rt_enet_data *d, ut_err *e);
void rt_enet_data_free(rt_enet_data *d);

/* scikit-learn's ElasticNet(alpha, l1_ratio, max_iter, tol) with an
 * intercept: minimizes
 *     ||y − Xw − b||² / (2n) + alpha·l1_ratio·||w||₁
 *                           + 0.5·alpha·(1 − l1_ratio)·||w||²
 * by cyclic coordinate descent (sklearn's cd_fast.enet_coordinate_descent,
 * or its _gram variant, random=False) from w = 0.  Fills m->nout (1),
 * coef, intercept, n_iter, objective (the primal objective above),
 * grad_max (the final duality gap divided by n, the quantity compared with
 * tol·||y − ȳ||²/n) and hit_max_iter.  `name` prefixes error messages. */
int rt_enet_fit_data(const rt_enet_data *d, double alpha, double l1_ratio,
                     int max_iter, double tol, const char *name, rt_model *m,
                     ut_err *e);

/* A family's fit on data built once (the parameters as params.def lists
 * them): one configuration alone (rt_enet_fit, which builds the data in
 * the form rt_enet_gram_pays picks) and model.c's batch call the same one,
 * so both compute the same bits. */
typedef int (*rt_enet_family_fit)(const rt_pval *params, const rt_enet_data *d, rt_model *m, ut_err *e);
int rt_lasso_fit_data(const rt_pval *params, const rt_enet_data *d, rt_model *m, ut_err *e);
int rt_elasticnet_fit_data(const rt_pval *params, const rt_enet_data *d, rt_model *m, ut_err *e);
int rt_enet_fit(const rt_trainset *ts, rt_enet_family_fit fit, const rt_pval *params, const char *name,
                rt_model *m, ut_err *e);

#endif
