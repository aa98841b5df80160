/* ridge_folds.h — sharing rule 2: ridge and linreg from per-fold Gram blocks.
 *
 * When the design is the table's numeric columns as they are (no missing
 * values, no categorical columns: impute and onehot leave it unchanged),
 * optionally standardized on each round's training rows, every round's
 * training statistics follow from one pass over the data: per fold, the
 * row count, column sums, Gram block and cross products with the targets
 * (rows shifted by the full-data mean, so the subtractions below cancel
 * little).  Round k's training Gram is the total minus fold k's block,
 * centred on the training mean, and scaled by the training standard
 * deviations when the pipeline standardizes — what StandardScaler fitted
 * on those rows would give.  One eigendecomposition per round then serves
 * every alpha: W(alpha) = V (L + alpha)^-1 V' B, and linreg is alpha 0
 * where the Gram is well enough conditioned (rt_ridge_folds_linreg).
 *
 * The coefficients agree with fitting the round's design directly (same
 * centred normal equations, other rounding): within 1e-9 in the scores
 * (tests/golden/sharing_equivalence_families.mql, unit/test_ridge_folds.c).
 * The statistics are one block of doubles (rt_ridge_folds_data), which the
 * intermediate cache stores as kind 'gram' (cache_gram.c) and hands back
 * to rt_ridge_folds_adopt.
 * Memory: rt_ridge_folds_free frees what rt_ridge_folds_new and
 * rt_ridge_folds_adopt return (an adopted block with it). */
#ifndef RT_RIDGE_FOLDS_H
#define RT_RIDGE_FOLDS_H

#include <stddef.h>

#include "model.h"
#include "table.h"

typedef struct rt_ridge_folds rt_ridge_folds;

/* Statistics of table t's columns except `target` over the rows with
 * fold[i] in [0, nfolds) (others are left out), with class codes yc
 * (classification, nclasses > 0) or values y (regression, nclasses = 0).
 * *out stays NULL, returning 0, when the table is not eligible (a
 * categorical feature or a missing value). */
int  rt_ridge_folds_new(const rt_table *t, int target, const int *fold, int nfolds, const int *yc,
                        const double *y, int nclasses, rt_ridge_folds **out, ut_err *e);
/* The feature count p when t is eligible (every column but the target
 * numeric without a missing value, valid targets on the rows in folds,
 * nfolds >= 2), else 0: rt_ridge_folds_new makes statistics exactly then. */
int  rt_ridge_folds_eligible(const rt_table *t, int target, const int *fold, int nfolds, const int *yc,
                             const double *y, int nclasses);
/* Doubles in the block of p features, nfolds folds and nclasses classes
 * (0: regression). */
size_t rt_ridge_folds_doubles(int p, int nfolds, int nclasses);
/* The block (*ndoubles doubles; rf's, read-only). */
const double *rt_ridge_folds_data(const rt_ridge_folds *rf, size_t *ndoubles);
/* Statistics from a block stored earlier, for eligible table t with p
 * features (rt_ridge_folds_eligible), the task's fold[] and nfolds, and
 * nclasses: 0 taken (*out, the caller's, owns mem), 1 unusable (*why says
 * why, static text; mem stays the caller's), -1 out of memory (mem stays
 * the caller's).  Checked: the shape against nfolds, p and nclasses, the
 * rows per fold against fold[], every number finite, totals and ranges
 * exactly as rt_ridge_folds_new forms them, symmetric Gram blocks, class
 * targets sums of +-1 codes. */
int  rt_ridge_folds_adopt(const rt_table *t, int target, const int *fold, int nfolds, int p, int nclasses,
                          double *mem, size_t ndoubles, rt_ridge_folds **out, const char **why);
/* Ridge models (intercept fitted) for every alpha on the rows of every fold
 * but k, features standardized on those rows when `standardize`.
 * models[i]: calloc'd with family/p/nclasses set, as rt_ridge_fit_many
 * takes them; err[i] receives a configuration's own failure (malloc'd). */
int  rt_ridge_folds_fit(const rt_ridge_folds *rf, int k, int standardize, const double *alphas, int nalpha,
                        rt_model *const *models, char **err, ut_err *e);
/* linreg (intercept fitted) on round k's training rows, standardized when
 * `standardize`, into m (calloc'd with family/p set, nclasses 0): alpha 0
 * of the same eigendecomposition.  Normal equations round to cond(X)²·ε
 * where linreg's SVD rounds to cond(X)·ε, so this declines (*declined = 1,
 * m left empty, returns 0) when the round's training Gram has a condition
 * number over RT_LINREG_FOLDS_COND2 (cond(X) over 316: the two then could
 * differ by more than 1e-9), or a column the design's fit would reject;
 * the caller fits the design then.  Regression statistics only. */
#define RT_LINREG_FOLDS_COND2 1e5
int  rt_ridge_folds_linreg(const rt_ridge_folds *rf, int k, int standardize, rt_model *m, int *declined, ut_err *e);
int  rt_ridge_folds_p(const rt_ridge_folds *rf);
int  rt_ridge_folds_nfolds(const rt_ridge_folds *rf);
int  rt_ridge_folds_nclasses(const rt_ridge_folds *rf);
/* Training rows of round k (every fold but k). */
int  rt_ridge_folds_ntrain(const rt_ridge_folds *rf, int k);
void rt_ridge_folds_free(rt_ridge_folds *rf);   /* NULL-safe */

#endif
