/* families.h — private to model.c and fam_*.c: the fitted-model record and
 * each family's fit/predict.  Nothing outside runtime/ (and the unit tests,
 * which read coefficients) should include this.
 *
 * Memory: an rt_model and its arrays are owned by whoever called rt_fit and
 * are released by rt_model_free (model.c); family code allocates them with
 * calloc/malloc only. */
#ifndef RT_FAMILIES_H
#define RT_FAMILIES_H

#include "model.h"

/* Baseline strategies, in the order of the "choices" string of params.def. */
typedef enum { RT_BASE_AUTO = 0, RT_BASE_MOST_FREQUENT, RT_BASE_MEAN,
               RT_BASE_MEDIAN } rt_base_strategy;

struct rt_model {
    rt_family family;
    int p;            /* number of features seen by fit                      */
    int nclasses;     /* 0 for regression                                    */
    /* Linear families: decision(x) = coef · x + intercept, one row per
     * output.  nout = 1 for regression and binary classification (score of
     * the positive = higher class), otherwise one row per class: nclasses
     * for ridge, nfit (classes present in training) for logreg. */
    int nout;
    double *coef;       /* nout x p, row-major (NULL for baseline)           */
    double *intercept;  /* nout                                               */
    /* Baseline. */
    int     strategy;   /* rt_base_strategy actually used (never AUTO)       */
    double  constant;   /* regression prediction, or the class code           */
    double *prior;      /* nclasses training frequencies (classification)    */
    /* logreg: the classes the solver saw (training folds may miss some);
     * cls[j] is the class code of fitted class j.  nfit = 2 is the binary
     * model (nout = 1, cls[1] positive); nfit = 1 predicts cls[0] always. */
    int     nfit;
    int    *cls;
    /* Diagnostics of iterative fits (logreg): iterations used, final
     * objective, final max |gradient|, 1 if max_iter stopped the solver. */
    int     n_iter;
    double  objective, grad_max;
    int     hit_max_iter;
    /* Families with their own state (trees, neighbours, ...) keep it here;
     * rt_model_free calls impl_free(impl) when set. */
    void   *impl;
    void  (*impl_free)(void *impl);
};

/* Every family: fit fills a calloc'd model (family, p, nclasses set) or
 * returns -1 with e set (model.c frees the partial model); predict writes
 * pred[n] and, when proba is non-NULL and the task is classification,
 * proba[n x nclasses]. */
#define X(e, fn, name, cls, reg, desc)                                              \
    int rt_##fn##_fit(const rt_pval *params, const rt_trainset *ts, rt_model *m, ut_err *e_); \
    int rt_##fn##_predict(const rt_model *m, const double *X, int n, double *pred,  \
                          double *proba, ut_err *e_);
#include "families.def"
#undef X

/* Each fit fills a calloc'd model whose family field is already set;
 * on failure it returns -1 with e set and model.c frees the partial model. */

/* Linear families share prediction: scores = X coefᵀ + intercept (n x nout)
 * into `scores` (caller-provided, n*nout doubles). */
void rt_linear_scores(const rt_model *m, const double *X, int n, double *scores);

/* ridge over several alphas sharing one Gram matrix (exactly the models
 * separate fits give).  models[i]: calloc'd with family/p/nclasses set;
 * err[i] gets a malloc'd reason when alpha i fails alone. */
int rt_ridge_fit_many(const double *alphas, int nalpha, int intercept, const rt_trainset *ts,
                      rt_model *const *models, char **err, ut_err *e);

/* Progressive reuse: ridge's sufficient statistics over a growing prefix
 * of the training rows (means, centered Gram G = XcᵀXc and B = XcᵀYc),
 * updated with only the new rows.  Start from a zeroed struct. */
typedef struct {
    int p, nout;
    long long n;
    double *xm, *ym, *G, *B;
} rt_ridge_stats;
/* Adds rows [from, to) of ts. */
int  rt_ridge_stats_add(rt_ridge_stats *s, const rt_trainset *ts, int from, int to, ut_err *e);
void rt_ridge_stats_clear(rt_ridge_stats *s);
/* rt_ridge_fit_many from statistics instead of rows. */
int  rt_ridge_fit_stats(const rt_ridge_stats *s, const double *alphas, int nalpha, int intercept,
                        rt_model *const *models, char **err, ut_err *e);

/* Gaussian / categorical naive Bayes statistics over a growing prefix:
 * per class counts, means and centered sums of squares (Chan's update),
 * counts of ones; over all rows the means, sums of squares, min and max
 * of each feature (for epsilon and constant columns). */
typedef struct {
    int K, p;
    long long n;
    double *cnt;             /* K */
    double *mean, *m2, *ones; /* K x p */
    double *gmean, *gm2, *mn, *mx;  /* p */
    int bad_feature;         /* first non-0/1 value seen (1-based feature, 0 none) */
    double bad_value;
} rt_nb_stats;
int  rt_nb_stats_add(rt_nb_stats *s, const rt_trainset *ts, int from, int to, ut_err *e);
void rt_nb_stats_clear(rt_nb_stats *s);
/* A fitted nb model (params: params.def order) from statistics: 0, or 1
 * when a gaussian model from them could score more than ~1e-10 away from
 * the direct fit's (rt_fit on the same rows: fit that instead), or -1. */
int  rt_nb_fit_stats(const rt_nb_stats *s, const rt_pval *params, rt_model *m, ut_err *e);

/* Classifiers over per-class decision values (logreg, linsvm): m->cls maps
 * fitted outputs to class codes, nout = 0 is the one-class constant model,
 * nout = 1 the binary model (sigmoid probabilities).  Multiclass: argmax,
 * probabilities by softmax (softmax = 1) or normalized sigmoids (0). */
int rt_linear_classify(const rt_model *m, const double *X, int n, double *pred, double *proba,
                       int softmax, ut_err *e);

/* A C path of Newton fits (share.c): what one fit leaves the next (its
 * last Hessian), so the next C's first step needs none.  Owned by the
 * path's driver; NULL-safe free. */
typedef struct rt_logreg_carry rt_logreg_carry;
rt_logreg_carry *rt_logreg_carry_new(void);
void rt_logreg_carry_free(rt_logreg_carry *c);
/* logreg started from `from`'s coefficients (a neighbour on the C path;
 * NULL or a model of other shape: from zero); carry (NULL: none) is read
 * and updated.  rt_logreg_fit = both NULL. */
int rt_logreg_fit_carry(const rt_pval *params, const rt_trainset *ts, const rt_model *from,
                        rt_logreg_carry *carry, rt_model *m, ut_err *e);
/* l2 logreg for ncfg configurations differing only in C, solved side by
 * side by L-BFGS with shared GEMMs (sharing rule 3).  models[c]: calloc'd
 * by the caller with family, p and nclasses set; filled on success.  A
 * configuration's own failure goes to errs[c] (code set); returns -1 only
 * for out of memory (e). */
/* nb configurations that differ only in var_smoothing (gaussian) or alpha
 * (categorical): one pass of class statistics, each configuration's
 * smoothing applied to a copy; the same bits as rt_nb_fit. */
/* A gaussian nb model of K classes on p features from class statistics
 * (nb_folds.c): cnt[K] class counts of n rows, theta and var K x p (means,
 * population variances), use[p] the features that vary; eps is added to
 * every variance (var_smoothing times the largest feature variance). */
int rt_nb_gaussian_from_stats(rt_model *m, int K, int p, const int *cnt, int n, const double *theta,
                              const double *var, const unsigned char *use, double eps, ut_err *e);
int rt_nb_fit_batch(const rt_pval *const *params, int ncfg, const rt_trainset *ts, rt_model *const *models,
                    ut_err *errs, ut_err *e);
int rt_logreg_fit_batch(const rt_pval *const *params, int ncfg, const rt_trainset *ts, rt_model *const *models,
                        ut_err *errs, ut_err *e);
/* Tests only: 0 = choose the l2 solver by cost, 1 = L-BFGS, 2 = Newton. */
extern int rt_logreg_solver_override;
/* The most doubles an L-BFGS fit or batch takes from its thread's scratch
 * (more: its own block); tests set 0 to take that path. */
extern size_t rt_lbfgs_scratch_max;

/* Numerically safe logistic function 1 / (1 + exp(-z)). */
double rt_sigmoid(double z);

/* A linear classifier's decision from its n per-class scores z (n = 1:
 * one binary decision value, the answer 1 when it is positive): the first
 * class whose score is within RT_TIE_BAND x max(1, |best|) of the best.
 * Fits of one model by two plans (a warm-started path, a batch, sums by
 * fold blocks) agree to ~1e-12, not to the bit, so a tie in exact
 * arithmetic (one binary column, balanced classes) would otherwise be
 * broken by rounding, differently in each. */
#define RT_TIE_BAND 1e-9
int rt_decide(const double *z, int n);

#endif
