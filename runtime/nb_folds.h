/* nb_folds.h — sharing rule 2 for gaussian nb: class statistics per fold
 * block, every round's training statistics by subtraction.
 *
 * The design must be the table's numeric columns as they are (no missing
 * values, no categorical columns), optionally standardized on each round's
 * training rows — ridge_folds.h's condition.  One pass over the data keeps,
 * per fold and class, the row count and the sums and squared sums of every
 * feature (shifted by the full-data mean, so the subtractions cancel
 * little), and per fold each feature's minimum and maximum.  Round k's
 * class means and variances are the totals minus fold k's block; with
 * standardize they are mapped through the scaling StandardScaler fitted on
 * those rows would make; the features that vary in training are those
 * whose minimum and maximum over the other folds differ (exactly what the
 * direct fit tests).  Every var_smoothing then takes them as they are.
 *
 * The same model as fitting the round's design, other rounding: scores
 * agree within 1e-9 (golden sharing_equivalence_families,
 * unit/test_nb_folds).  Where the subtraction could lose more than that —
 * a class mean a thousand of its standard deviations from the data's, or
 * a feature standardize would call constant that still varies — the fit
 * declines (returns 1) and the caller fits the round's design.
 * Memory: rt_nb_folds_free frees what rt_nb_folds_new returns. */
#ifndef RT_NB_FOLDS_H
#define RT_NB_FOLDS_H

#include "model.h"
#include "share.h"
#include "table.h"

typedef struct rt_nb_folds rt_nb_folds;

/* The statistics of table t's columns except `target` over the rows with
 * fold[i] in [0, nfolds), classes yc (nclasses of them).  *out stays NULL,
 * returning 0, when the table is not eligible (rt_ridge_folds_eligible's
 * test: a categorical feature or a missing value). */
int  rt_nb_folds_new(const rt_table *t, int target, const int *fold, int nfolds, const int *yc, int nclasses,
                     rt_nb_folds **out, ut_err *e);
int  rt_nb_folds_p(const rt_nb_folds *nf);
int  rt_nb_folds_ntrain(const rt_nb_folds *nf, int k);   /* -1: no such round */
void rt_nb_folds_free(rt_nb_folds *nf);                  /* NULL-safe */

/* Round k (its training rows: every fold but k) for ncfg gaussian nb
 * configurations, predicting the nt test rows Xt (p columns, the round's
 * design) into out.  standardize: the pipeline standardizes.  0 done, 1
 * declined (nothing written: fit the design instead), -1 out of memory (e
 * set). */
int  rt_fit_predict_nb_folds(const rt_nb_folds *nf, int k, int standardize, const rt_pval *const *params, int ncfg,
                             int p, const double *Xt, int nt, rt_group_out *out, ut_err *e);

#endif
