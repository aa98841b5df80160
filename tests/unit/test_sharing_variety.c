/* test_sharing_variety.c — sharing on and off give the same runs and
 * scores where test_sharing_random does not look: every evaluation
 * protocol (CV, REPEATED CV, HOLDOUT, FOLDS(column), TIME SPLIT), the
 * search strategies that choose what to fit next from the scores (random,
 * halving's and hyperband's rungs of row prefixes, bayes' proposals) with
 * a discrete or a probability metric ranking, the other transforms (poly, select_k
 * and pca search ranges, bin, log1p) and the families' other settings
 * (hinge, l1 and balanced classes, manhattan distances, entropy, leaf
 * sizes, feature and row subsampling).  Each random table of
 * random_table.h gets a random protocol, strategy, pipeline and a random
 * half of the families; the experiment runs with sharing on and off, each
 * on its own random number of threads (1 to 4: the plans' batches and their
 * order follow the threads, the scores must not), and both must record the same runs — configuration, round, rung and batch — with
 * the same status and scores within 1e-9 (relative, at least absolute).
 * A sweep of 1800 tables found logreg's batch rounding apart from the
 * fits alone (OpenBLAS's kernel depends on the call's width; now
 * linalg_fixed.c).  MLG_SHARE_TABLES=n and MLG_SHARE_SEED=s run another sweep;
 * MLG_SHARE_ONLY=t of a sweep runs its table t alone and keeps its file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mileage.h"
#include "under_valgrind.h"
#include "check.h"
#include "fixture.h"
#include "random_table.h"

static unsigned long long rng = 77;

static double uniform(void) { return fixture_uniform(&rng); }
#define PICK(a) (a)[(int)(uniform() * (sizeof(a) / sizeof *(a)))]

static const char *const PIPES[] = {
    "impute(median), onehot, poly, standardize",
    "impute(median), onehot, select_k(k IN {1, 2}), standardize",
    "impute(median), onehot, bin(k = 3), standardize",
    "impute(mean), onehot, log1p, minmax",
    "impute(median), onehot, standardize, pca(k IN {1, 3})",
};
static const char *const PROTOCOLS[] = {
    "CV(3)", "REPEATED CV(2, 2)", "HOLDOUT(0.3)", "FOLDS(g)", "TIME SPLIT ON ts (2)",
};
static const char *const SEARCHES[] = {
    "", "SEARCH random(8, seed = 3)", "SEARCH halving(eta = 2, seed = 5)", "SEARCH hyperband(eta = 2, seed = 7)",
    "SEARCH bayes(8, seed = 9)",
};
/* the first metric ranks: a discrete one, or a probability one whose last
 * digits may differ between the plans (within 1e-9) */
static const char *const CLASS_METRICS[] = {"accuracy, logloss", "logloss, accuracy"};
static const char *const REG_METRICS[] = {"rmse, mae", "mae, rmse"};
static const char *const CLASSIFIERS[] = {
    "logreg(C IN logspace(-2, 2, 3), class_weight = 'balanced')",
    "logreg(C IN {0.1, 10}, penalty = 'l1', class_weight = 'balanced')",
    "linsvm(C IN {0.1, 10}, loss = 'hinge')",
    "linsvm(C IN {0.1, 1, 10}, class_weight = 'balanced')",
    "ridge(alpha IN {0.1, 10}, fit_intercept = 0)",
    "nb(var_smoothing IN {1e-9, 1e-2})",
    "knn(k IN 1..7 STEP 3, metric = 'manhattan', weights IN {uniform, distance})",
    "tree(max_depth IN {2, 0}, criterion = 'entropy', min_samples_leaf IN {1, 3, 8})",
    "forest(trees IN {2, 5}, max_features = 0.5, min_samples_leaf IN {1, 2, 6})",
    "gbt(rounds IN {2, 5}, learning_rate = 0.3, subsample = 0.7)",
};
static const char *const REGRESSORS[] = {
    "linreg(fit_intercept = 0)",
    "ridge(alpha IN logspace(-2, 2, 3))",
    "lasso(alpha IN {0.01, 0.1})",
    "elasticnet(alpha IN {0.01, 0.1}, l1_ratio IN {0.2, 0.8})",
    "knn(k IN {1, 4}, metric = 'manhattan', weights = 'distance')",
    "tree(max_depth IN {2, 0}, min_samples_leaf IN {2, 5})",
    "forest(trees IN {2, 5}, max_features = 0.5, min_samples_leaf IN {1, 3})",
    "gbt(rounds IN {2, 5}, subsample = 0.7, max_depth = 2)",
};

/* a random half (at least one) of the n families, joined by commas */
static void pick_families(char *out, size_t cap, const char *const *fam, int n)
{
    size_t len = 0;
    out[0] = 0;
    for (int i = 0; i < n; i++)
        if (uniform() < 0.5 || (i == n - 1 && len == 0))
            len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? ", " : "", fam[i]);
}

int main(void)
{
    char path[] = "/tmp/mlg_share_var_XXXXXX", csv[] = "/tmp/mlg_share_var_XXXXXX.csv";
    mlg_db *db = NULL;
    int tables = rtab_sweep_begin(RUNNING_ON_VALGRIND ? 2 : 30, &rng, path, csv, &db);
    if (tables < 0) return 1;
    const char *env = getenv("MLG_SHARE_ONLY");
    int only = env ? atoi(env) : -1;
    int compared = 0;
    for (int t = 0; t < tables; t++) {
        int n = 40 + (int)(uniform() * 240), p = 2 + (int)(uniform() * 6), K = 2 + (int)(uniform() * 3);
        int kind = t % RTAB_NKINDS, cat = uniform() < 0.3, reg = uniform() < 0.3;
        const char *pipe = PICK(PIPES), *proto = PICK(PROTOCOLS), *search = PICK(SEARCHES);
        const char *metrics = reg ? PICK(REG_METRICS) : PICK(CLASS_METRICS);
        int th_on = 1 + (int)(uniform() * 4), th_off = 1 + (int)(uniform() * 4);
        char using[2048], desc[512], q[8192];
        if (reg) pick_families(using, sizeof using, REGRESSORS, (int)(sizeof REGRESSORS / sizeof *REGRESSORS));
        else pick_families(using, sizeof using, CLASSIFIERS, (int)(sizeof CLASSIFIERS / sizeof *CLASSIFIERS));
        if (rtab_write(&rng, csv, n, p, K, kind, cat, reg, 1)) {
            CHECK(0, "table %d: cannot write %s", t, csv);
            break;
        }
        snprintf(desc, sizeof desc, "table %d (kind %d, %d x %d, %d classes, %s, %s, %s, threads %d / %d)", t, kind, n,
                 p, reg ? 0 : K, proto, search[0] ? search : "grid", pipe, th_on, th_off);
        snprintf(q, sizeof q,
                 "CREATE DATASET d%d FROM '%s'; CREATE TASK t%d ON d%d PREDICT y %s %s EVALUATE BY %s SEED %d;"
                 "SET threads = %d; SET sharing = on; EXPLORE t%d USING %s PREPROCESS %s %s;"
                 "SET threads = %d; SET sharing = off; EXPLORE t%d USING %s PREPROCESS %s %s;",
                 t, csv, t, t, reg ? "AS REGRESSION METRIC" : "METRIC", metrics, proto, t, th_on, t, using, pipe,
                 search, th_off, t, using, pipe, search);
        if (only >= 0 && t != only) continue;
        if (t == only) printf("%s\n%s\n", csv, q);
        int rc = fixture_run(db, q);
        CHECK(rc == MLG_OK, "%s: %s\n  USING %s", desc, mlg_errmsg(db), using);
        if (rc != MLG_OK) continue;
        compared += rtab_compare(db, reg ? "mae" : "logloss", desc);
    }
    return rtab_sweep_end("test_sharing_variety", db, path, csv, only >= 0, tables, compared);
}
