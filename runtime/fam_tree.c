/* fam_tree.c — tree.  Placeholder until the family lands: fitting reports
 * that it is not available, so an EXPLORE using it fails per run with a
 * clear reason instead of crashing. */
#include "families.h"
#include "../include/mileage.h"

int rt_tree_fit(const rt_pval *params, const rt_trainset *ts, rt_model *m, ut_err *e)
{
    (void)params, (void)ts, (void)m;
    return ut_errf(e, MLG_ERROR, "model family 'tree' is not implemented yet");
}

int rt_tree_predict(const rt_model *m, const double *X, int n, double *pred, double *proba, ut_err *e)
{
    (void)m, (void)X, (void)n, (void)pred, (void)proba;
    return ut_errf(e, MLG_ERROR, "model family 'tree' is not implemented yet");
}
