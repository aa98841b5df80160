/* fam_linear_cd.h — private to fam_lasso.c and fam_elasticnet.c: the
 * coordinate-descent elastic-net fit both families share. */
#ifndef RT_FAM_LINEAR_CD_H
#define RT_FAM_LINEAR_CD_H

#include "families.h"

/* scikit-learn's ElasticNet(alpha, l1_ratio, max_iter, tol) with an
 * intercept: minimizes
 *     ||y − Xw − b||² / (2n) + alpha·l1_ratio·||w||₁
 *                           + 0.5·alpha·(1 − l1_ratio)·||w||²
 * by cyclic coordinate descent (sklearn's cd_fast.enet_coordinate_descent,
 * random=False) from w = 0.  Fills m->nout (1), coef, intercept, n_iter,
 * objective (the primal objective above), grad_max (the final duality gap
 * divided by n, the quantity compared with tol·||y − ȳ||²/n) and
 * hit_max_iter.  `name` prefixes error messages. */
int rt_enet_fit(const rt_trainset *ts, double alpha, double l1_ratio,
                int max_iter, double tol, const char *name, rt_model *m,
                ut_err *e);

#endif
