/* test_cv_score.c — one configuration's CV score checked against an
 * independently computed value.  The reference numbers come from
 * scikit-learn 1.2.1 (tests/reference/credit_cv.py) run on the folds this
 * task stores: Pipeline(ColumnTransformer(SimpleImputer(median) | SimpleImputer
 * (most_frequent)+OneHotEncoder), StandardScaler, model), fold by fold. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mileage.h"
#include "check.h"
#include "fixture.h"


static int exec(mlg_db *db, const char *q)
{
    int rc = mlg_exec(db, q, NULL, NULL);
    if (rc) printf("error in [%s]: %s\n", q, mlg_errmsg(db));
    return rc;
}

/* Per-fold scores of the configurations of one family, ordered by fold. */
static int fold_scores(mlg_db *db, const char *family, double *out, int max)
{
    char q[256];
    snprintf(q, sizeof q, "SELECT score FROM runs WHERE family = '%s' ORDER BY fold", family);
    mlg_stmt *s = NULL;
    int n = 0;
    if (mlg_prepare(db, q, -1, &s, NULL)) return -1;
    while (mlg_step(s) == MLG_ROW && n < max) out[n++] = mlg_column_double(s, 0);
    mlg_finalize(s);
    return n;
}

int main(void)
{
    char path[] = "/tmp/mlg_cv_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 1;
    close(fd);
    mlg_db *db = NULL;
    CHECK(mlg_open(path, &db) == MLG_OK, "open: %s", mlg_errmsg(db));
    char q[1024];
    snprintf(q, sizeof q,
             "CREATE DATASET credit FROM '%s/data/credit-g.csv';"
             "CREATE TASK risk ON credit PREDICT class METRIC accuracy EVALUATE BY CV(5) SEED 7;"
             "EXPLORE risk USING logreg(C = 0.1), ridge(alpha = 10)"
             "  PREPROCESS impute(median), onehot, standardize;",
             MLG_SOURCE_DIR);
    CHECK(exec(db, q) == MLG_OK, "setup");

    /* sklearn: LogisticRegression(C=0.1) — 0.710 0.750 0.750 0.815 0.755, mean 0.756 */
    const double lr_ref[5] = {0.710, 0.750, 0.750, 0.815, 0.755};
    /* sklearn: RidgeClassifier(alpha=10) — 0.705 0.745 0.745 0.800 0.755, mean 0.750 */
    const double rc_ref[5] = {0.705, 0.745, 0.745, 0.800, 0.755};
    double got[8];
    CHECK(fold_scores(db, "logreg", got, 8) == 5, "logreg: 5 folds");
    for (int k = 0; k < 5; k++) CHECK(fabs(got[k] - lr_ref[k]) < 1e-12, "logreg fold %d: %g vs %g", k, got[k], lr_ref[k]);
    CHECK(fold_scores(db, "ridge", got, 8) == 5, "ridge: 5 folds");
    for (int k = 0; k < 5; k++) CHECK(fabs(got[k] - rc_ref[k]) < 1e-12, "ridge fold %d: %g vs %g", k, got[k], rc_ref[k]);

    mlg_stmt *s = NULL;
    CHECK(mlg_prepare(db, "SELECT mean_score FROM results WHERE family = 'logreg'", -1, &s, NULL) == MLG_OK, "prepare");
    CHECK(mlg_step(s) == MLG_ROW && fabs(mlg_column_double(s, 0) - 0.756) < 1e-12, "logreg mean %g", mlg_column_double(s, 0));
    mlg_finalize(s);
    /* every (config, fold) run is counted */
    CHECK(mlg_prepare(db, "SELECT count(*) FROM runs", -1, &s, NULL) == MLG_OK, "prepare");
    CHECK(mlg_step(s) == MLG_ROW && mlg_column_int(s, 0) == 10, "runs %lld", mlg_column_int(s, 0));
    mlg_finalize(s);

    mlg_close(db);
    fixture_drop_db(path);
    if (failures) printf("%d failure(s)\n", failures);
    else printf("ok\n");
    return failures != 0;
}
