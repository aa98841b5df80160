/* folds.h — assignment of rows to evaluation folds.
 * Round r of an evaluation tests the rows with fold == r and trains on the
 * rows with fold >= 0 && fold != r.  CV(k) has k rounds; HOLDOUT(f) has one
 * round: fold 0 = test rows, fold 1 = train rows.  Rows whose target is
 * missing get fold -1 and take no part.  Deterministic for a given seed. */
#ifndef RT_FOLDS_H
#define RT_FOLDS_H

#include <stdint.h>
#include "../util/util.h"

/* y_class: class codes (-1 = missing) for stratification, or NULL (plain
 * shuffled split; then y_missing, if non-NULL, marks rows to exclude). */
int rt_folds_cv(int n, int k, const int *y_class, int nclasses,
                const unsigned char *y_missing, uint64_t seed, int *fold, ut_err *e);
int rt_folds_holdout(int n, double test_frac, const int *y_class, int nclasses,
                     const unsigned char *y_missing, uint64_t seed, int *fold, ut_err *e);

#endif
