/* fam_nb.c — naive Bayes, two kinds:
 *
 * gaussian: scikit-learn's GaussianNB(var_smoothing).  Per class the mean
 *   and population variance of each feature on its training rows, plus
 *   epsilon = var_smoothing · (largest feature variance over all training
 *   rows) added to every variance; priors are the class frequencies.
 *   jll_c(x) = log prior_c − ½ Σ_j log(2π σ²_cj) − ½ Σ_j (x_j − μ_cj)² / σ²_cj.
 *   Means and variances are summed row by row and then divided, the way
 *   numpy's axis-0 reductions do, so they follow sklearn's rounding.
 *
 * categorical: scikit-learn's CategoricalNB(alpha) on 0/1 columns, each
 *   column a feature with the two categories {0, 1}:
 *       P(x_j = v | c) = (N_cjv + alpha) / (N_c + 2 alpha).
 *   This is exactly BernoulliNB(alpha, binarize=None) on 0/1 data (same
 *   smoothed counts, same log-likelihood), and equals CategoricalNB(alpha)
 *   whenever each column has both values in the training rows.  When a
 *   column is all 0 in training, CategoricalNB infers one category (the
 *   column then adds nothing, and a 1 at predict time raises IndexError);
 *   we keep two categories — CategoricalNB(alpha, min_categories=2) — which
 *   is what one-hot columns of a fold that lacks a level need.
 *
 * Both: classes absent from the training rows get probability 0 and are
 * never predicted (scikit-learn would not know them).  Probabilities come
 * from jll by log-sum-exp; the prediction is the first maximum of jll.
 *
 * Deviations from scikit-learn, all in degenerate cases:
 *  - gaussian: a feature constant over all training rows is left out of
 *    jll.  Its term is the same for every class in exact arithmetic;
 *    scikit-learn keeps it, and with variance ~epsilon its (x − μ)²/σ² can
 *    reach 1e9 and bury the other features' differences under rounding.
 *  - gaussian: a variance still 0 after smoothing (var_smoothing = 0) is
 *    raised to DBL_MIN instead of dividing by zero (scikit-learn gives NaN);
 *    if that makes every class impossible (jll = −inf) for a row, the row
 *    gets the priors.
 *  - categorical: alpha below 1e-10 is raised to 1e-10, as scikit-learn
 *    1.2 does by default (force_alpha=False), so log(0) cannot occur. */
#include "families.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../include/mileage.h"

enum { NB_GAUSSIAN = 0, NB_CATEGORICAL = 1 };

typedef struct {
    int type, K, p;
    double *logprior;   /* K; -inf for classes absent in training           */
    /* gaussian */
    double *theta;      /* K x p means                                        */
    double *var;        /* K x p smoothed variances                           */
    double *lognorm;    /* K: −½ Σ_j log(2π σ²_cj) over the used features     */
    unsigned char *use; /* p: feature varies in training                      */
    /* categorical */
    double *lp0, *lp1;  /* K x p: log P(x_j = 0 | c), log P(x_j = 1 | c)      */
} nb_model;

static void nb_free(void *p)
{
    nb_model *nm = p;
    if (!nm)
        return;
    free(nm->logprior);
    free(nm->theta);
    free(nm->var);
    free(nm->lognorm);
    free(nm->use);
    free(nm->lp0);
    free(nm->lp1);
    free(nm);
}

static const char ONEHOT_MSG[] =
    "nb(type = categorical) needs 0/1 (one-hot) input; feature %d has value %g";

/* First non-0/1 value of X (n x p), reported with its 1-based feature. */
static int check_binary(const double *X, int n, int p, ut_err *e)
{
    for (size_t i = 0; i < (size_t)n * p; i++)
        if (X[i] != 0.0 && X[i] != 1.0)
            return ut_errf(e, MLG_DATA, ONEHOT_MSG, (int)(i % (size_t)p) + 1, X[i]);
    return 0;
}

/* The class statistics every var_smoothing shares: per class the means
 * (theta) and population variances (var, not yet smoothed), the used
 * features and *vmax, the largest feature variance over all training rows
 * (epsilon's scale). */
/* nm's gaussian arrays (theta, var, lognorm, use), zeroed; 0, or -1 when
 * memory ran out (nb_free frees what was made). */
static int gaussian_arrays(nb_model *nm)
{
    size_t kp = (size_t)nm->K * (size_t)(nm->p > 0 ? nm->p : 1);
    nm->theta = calloc(kp, sizeof *nm->theta);
    nm->var = calloc(kp, sizeof *nm->var);
    nm->lognorm = calloc((size_t)nm->K, sizeof *nm->lognorm);
    nm->use = calloc((size_t)(nm->p > 0 ? nm->p : 1), 1);
    return nm->theta && nm->var && nm->lognorm && nm->use ? 0 : -1;
}

/* theta, var and use into nm's gaussian arrays (made here). */
static int gaussian_copy_in(nb_model *nm, const double *theta, const double *var, const unsigned char *use)
{
    if (gaussian_arrays(nm)) return -1;
    size_t kp = (size_t)nm->K * (size_t)(nm->p > 0 ? nm->p : 1);
    memcpy(nm->theta, theta, kp * sizeof *nm->theta);
    memcpy(nm->var, var, kp * sizeof *nm->var);
    memcpy(nm->use, use, (size_t)(nm->p > 0 ? nm->p : 1));
    return 0;
}

static int gaussian_stats(nb_model *nm, const rt_trainset *ts, const int *cnt, double *vmax_out, ut_err *e)
{
    int n = ts->n, p = ts->p, K = nm->K;
    double *mu = calloc((size_t)(p > 0 ? p : 1), sizeof *mu);
    double *v = calloc((size_t)(p > 0 ? p : 1), sizeof *v);
    if (gaussian_arrays(nm) || !mu || !v) {
        free(mu);
        free(v);
        return ut_errf(e, MLG_NOMEM, "out of memory fitting nb");
    }
    /* Global variances (np.var(X, axis=0)) for epsilon and constant columns. */
    for (int i = 0; i < n; i++)
        for (int j = 0; j < p; j++)
            mu[j] += ts->X[(size_t)i * p + j];
    for (int j = 0; j < p; j++)
        mu[j] /= n;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < p; j++) {
            double d = ts->X[(size_t)i * p + j] - mu[j];
            v[j] += d * d;
        }
    double vmax = 0;
    for (int j = 0; j < p; j++) {
        v[j] /= n;
        if (v[j] > vmax)
            vmax = v[j];
    }
    *vmax_out = vmax;
    /* Columns constant over the training rows are left out (file comment). */
    for (int j = 0; j < p; j++) {
        const double *c0 = ts->X + j;
        for (int i = 1; i < n && !nm->use[j]; i++)
            nm->use[j] = c0[(size_t)i * p] != c0[0];
    }
    /* Per-class sums, in row order like numpy's axis-0 reduction. */
    for (int i = 0; i < n; i++) {
        double *t = nm->theta + (size_t)ts->yc[i] * p;
        for (int j = 0; j < p; j++)
            t[j] += ts->X[(size_t)i * p + j];
    }
    for (int c = 0; c < K; c++)
        for (int j = 0; j < p; j++)
            if (cnt[c] > 0)
                nm->theta[(size_t)c * p + j] /= cnt[c];
    for (int i = 0; i < n; i++) {
        const double *t = nm->theta + (size_t)ts->yc[i] * p;
        double *s = nm->var + (size_t)ts->yc[i] * p;
        for (int j = 0; j < p; j++) {
            double d = ts->X[(size_t)i * p + j] - t[j];
            s[j] += d * d;
        }
    }
    for (int c = 0; c < K; c++)
        for (int j = 0; j < p && cnt[c] > 0; j++)
            nm->var[(size_t)c * p + j] /= cnt[c];
    free(mu);
    free(v);
    return 0;
}

/* var_smoothing's part: the variances smoothed by eps, and the
 * normalizers. */
static void gaussian_finish(nb_model *nm, const int *cnt, double eps)
{
    int p = nm->p;
    for (int c = 0; c < nm->K; c++) {
        if (cnt[c] == 0)
            continue;
        double ln = 0;
        for (int j = 0; j < p; j++) {
            double *s = nm->var + (size_t)c * p + j;
            *s = *s + eps;
            if (!(*s > 0))
                *s = DBL_MIN;
            if (nm->use[j])
                ln += log(2.0 * M_PI * *s);
        }
        nm->lognorm[c] = -0.5 * ln;
    }
}

/* alpha's shared part: per class the count of ones of each feature, in
 * lp1 (gaussian_stats' counterpart). */
static int categorical_stats(nb_model *nm, const rt_trainset *ts, ut_err *e)
{
    int n = ts->n, p = ts->p, K = nm->K;
    if (check_binary(ts->X, n, p, e))
        return -1;
    size_t kp = (size_t)K * (p > 0 ? p : 1);
    nm->lp0 = calloc(kp, sizeof *nm->lp0);
    nm->lp1 = calloc(kp, sizeof *nm->lp1);
    if (!nm->lp0 || !nm->lp1)
        return ut_errf(e, MLG_NOMEM, "out of memory fitting nb");
    for (int i = 0; i < n; i++) {
        double *c1 = nm->lp1 + (size_t)ts->yc[i] * p;
        for (int j = 0; j < p; j++)
            c1[j] += ts->X[(size_t)i * p + j];
    }
    return 0;
}

static void categorical_finish(nb_model *nm, const int *cnt, double alpha)
{
    int p = nm->p;
    if (alpha < 1e-10)
        alpha = 1e-10;
    for (int c = 0; c < nm->K; c++)
        for (int j = 0; j < p && cnt[c] > 0; j++) {
            size_t o = (size_t)c * p + j;
            double s0 = (cnt[c] - nm->lp1[o]) + alpha, s1 = nm->lp1[o] + alpha;
            double lz = log(s0 + s1);   /* CategoricalNB's smoothed class count */
            nm->lp0[o] = log(s0) - lz;
            nm->lp1[o] = log(s1) - lz;
        }
}

/* Validates one configuration's parameters: its kind, or -1 (e set). */
static int nb_kind(const rt_pval *params, const rt_trainset *ts, ut_err *e)
{
    double var_smoothing = params[0].num, alpha = params[2].num;
    const char *type = params[1].str ? params[1].str : "gaussian";
    if (ts->nclasses <= 0)
        return ut_errf(e, MLG_MISUSE, "nb does not do regression");
    if (!(var_smoothing >= 0) || !isfinite(var_smoothing))
        return ut_errf(e, MLG_MISUSE, "nb: var_smoothing must be >= 0 (got %g)", var_smoothing);
    if (!(alpha >= 0) || !isfinite(alpha))
        return ut_errf(e, MLG_MISUSE, "nb: alpha must be >= 0 (got %g)", alpha);
    if (ut_strcasecmp(type, "gaussian") == 0)
        return NB_GAUSSIAN;
    if (ut_strcasecmp(type, "categorical") == 0)
        return NB_CATEGORICAL;
    return ut_errf(e, MLG_MISUSE, "nb: unknown type '%s' (gaussian|categorical)", type);
}

/* The model's shell from the class counts cnt[K] of ts->n rows: kind,
 * priors. */
static nb_model *nb_shell_counts(int kind, const rt_trainset *ts, const int *cnt, ut_err *e)
{
    int K = ts->nclasses;
    nb_model *nm = calloc(1, sizeof *nm);
    if (!nm || !(nm->logprior = malloc((size_t)K * sizeof *nm->logprior))) {
        free(nm);
        ut_errf(e, MLG_NOMEM, "out of memory fitting nb");
        return NULL;
    }
    nm->type = kind;
    nm->K = K;
    nm->p = ts->p;
    /* Each estimator's own rounding: GaussianNB logs class_prior_ =
     * count / n, CategoricalNB subtracts log(n) from log(count). */
    for (int c = 0; c < K; c++)
        nm->logprior[c] = cnt[c] == 0 ? -INFINITY
                          : kind == NB_GAUSSIAN ? log((double)cnt[c] / ts->n)
                          : log(cnt[c]) - log(ts->n);
    return nm;
}

/* The shell for ts's rows; cnt[K] gets their class counts. */
static nb_model *nb_shell(int kind, const rt_trainset *ts, int *cnt, ut_err *e)
{
    for (int c = 0; c < ts->nclasses; c++) cnt[c] = 0;
    for (int i = 0; i < ts->n; i++)
        cnt[ts->yc[i]]++;
    return nb_shell_counts(kind, ts, cnt, e);
}

/* A copy of the shared statistics of `from` for one more configuration. */
static nb_model *nb_copy(const nb_model *from)
{
    int K = from->K, p = from->p > 0 ? from->p : 1;
    size_t kp = (size_t)K * p;
    nb_model *nm = calloc(1, sizeof *nm);
    if (!nm) return NULL;
    *nm = (nb_model){from->type, K, from->p, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    int ok = (nm->logprior = malloc((size_t)K * sizeof(double))) != NULL;
    if (ok) memcpy(nm->logprior, from->logprior, (size_t)K * sizeof(double));
    if (from->type == NB_GAUSSIAN) {
        ok = ok && !gaussian_copy_in(nm, from->theta, from->var, from->use);
    } else {
        ok = ok && (nm->lp0 = calloc(kp, sizeof(double))) && (nm->lp1 = malloc(kp * sizeof(double)));
        if (ok) memcpy(nm->lp1, from->lp1, kp * sizeof(double));
    }
    if (!ok) {
        nb_free(nm);
        return NULL;
    }
    return nm;
}

/* The statistics for kind; then the first configuration's smoothing is
 * applied by the caller (nb_finish). */
static int nb_stats(nb_model *nm, const rt_trainset *ts, const int *cnt, double *vmax, ut_err *e)
{
    *vmax = 0;
    return nm->type == NB_GAUSSIAN ? gaussian_stats(nm, ts, cnt, vmax, e) : categorical_stats(nm, ts, e);
}

static void nb_finish(nb_model *nm, const int *cnt, const rt_pval *params, double vmax)
{
    if (nm->type == NB_GAUSSIAN)
        gaussian_finish(nm, cnt, params[0].num * vmax);
    else
        categorical_finish(nm, cnt, params[2].num);
}

int rt_nb_fit(const rt_pval *params, const rt_trainset *ts, rt_model *m, ut_err *e)
{
    int kind = nb_kind(params, ts, e);
    if (kind < 0)
        return -1;
    int *cnt = calloc((size_t)ts->nclasses, sizeof *cnt);
    nb_model *nm = cnt ? nb_shell(kind, ts, cnt, e) : NULL;
    if (!nm) {
        free(cnt);
        return cnt ? -1 : ut_errf(e, MLG_NOMEM, "out of memory fitting nb");
    }
    m->impl = nm;
    m->impl_free = nb_free;
    double vmax;
    int rc = nb_stats(nm, ts, cnt, &vmax, e);
    if (rc == 0)
        nb_finish(nm, cnt, params, vmax);
    free(cnt);
    return rc;
}

int rt_nb_fit_batch(const rt_pval *const *params, int ncfg, const rt_trainset *ts, rt_model *const *models,
                    ut_err *errs, ut_err *e)
{
    /* a configuration with bad parameters fails alone; the others share
     * one kind (the optimizer groups equal types only) */
    int kind = -1, nok = 0;
    for (int c = 0; c < ncfg; c++) {
        int k = nb_kind(params[c], ts, &errs[c]);
        if (k >= 0 && kind >= 0 && k != kind) k = ut_errf(&errs[c], MLG_MISUSE, "nb: one batch, one type");
        if (k >= 0) kind = k, nok++;
    }
    if (!nok)
        return 0;
    int *cnt = calloc((size_t)ts->nclasses, sizeof *cnt);
    nb_model *first = cnt ? nb_shell(kind, ts, cnt, e) : NULL;
    if (!first) {
        free(cnt);
        return cnt ? -1 : ut_errf(e, MLG_NOMEM, "out of memory fitting nb");
    }
    double vmax;
    ut_err se;
    ut_err_clear(&se);
    int rc = 0;
    if (nb_stats(first, ts, cnt, &vmax, &se)) {
        /* a data error (categorical input not 0/1) is every member's */
        if (se.code == MLG_NOMEM) {
            *e = se;
            rc = -1;
        }
        for (int c = 0; c < ncfg; c++)
            if (!errs[c].code) errs[c] = se;
        nb_free(first);
        free(cnt);
        return rc;
    }
    /* every configuration from the same statistics: the arithmetic of
     * rt_nb_fit, bit for bit */
    int last = ncfg - 1;
    while (errs[last].code) last--;   /* nok > 0: one is fine */
    for (int c = 0; c < ncfg && !rc; c++) {
        if (errs[c].code) continue;
        nb_model *nm = c == last ? first : nb_copy(first);
        if (!nm) {
            rc = ut_errf(e, MLG_NOMEM, "out of memory fitting nb");
            break;
        }
        if (nm == first) first = NULL;
        nb_finish(nm, cnt, params[c], vmax);
        models[c]->impl = nm;
        models[c]->impl_free = nb_free;
    }
    nb_free(first);
    free(cnt);
    return rc;
}

int rt_nb_gaussian_from_stats(rt_model *m, int K, int p, const int *cnt, int n, const double *theta,
                              const double *var, const unsigned char *use, double eps, ut_err *e)
{
    rt_trainset ts = {NULL, n, p, NULL, NULL, K, 0};
    nb_model *nm = nb_shell_counts(NB_GAUSSIAN, &ts, cnt, e);
    if (!nm)
        return -1;
    if (gaussian_copy_in(nm, theta, var, use)) {
        nb_free(nm);
        return ut_errf(e, MLG_NOMEM, "out of memory fitting nb");
    }
    gaussian_finish(nm, cnt, eps);
    m->impl = nm;
    m->impl_free = nb_free;
    return 0;
}

/* jll of one row into j[K] (−inf for absent classes). */
static void row_jll(const nb_model *nm, const double *x, double *j)
{
    int p = nm->p;
    for (int c = 0; c < nm->K; c++) {
        if (isinf(nm->logprior[c])) {
            j[c] = -INFINITY;
            continue;
        }
        double s = 0;
        if (nm->type == NB_GAUSSIAN) {
            const double *t = nm->theta + (size_t)c * p, *v = nm->var + (size_t)c * p;
            for (int f = 0; f < p; f++)
                if (nm->use[f]) {
                    double d = x[f] - t[f];
                    s += d * d / v[f];
                }
            j[c] = nm->logprior[c] + (nm->lognorm[c] - 0.5 * s);
        } else {
            const double *l0 = nm->lp0 + (size_t)c * p, *l1 = nm->lp1 + (size_t)c * p;
            for (int f = 0; f < p; f++)
                s += x[f] != 0.0 ? l1[f] : l0[f];
            j[c] = s + nm->logprior[c];
        }
    }
}

/* One row's log-probabilities in place of its jll (−inf for absent
 * classes); returns the predicted class, the first maximum of jll. */
static int row_log_proba(const nb_model *nm, double *j)
{
    int K = nm->K, best = -1;
    for (int c = 0; c < K; c++)
        if (!isinf(nm->logprior[c]) && (best < 0 || j[c] > j[best]))
            best = c;
    if (isinf(j[best])) {
        /* Every class impossible (zero variances): fall back on priors. */
        for (int c = 0; c < K; c++)
            j[c] = nm->logprior[c];
        best = -1;
        for (int c = 0; c < K; c++)
            if (!isinf(j[c]) && (best < 0 || j[c] > j[best]))
                best = c;
    }
    /* scipy's logsumexp: shift by the maximum. */
    double mx = j[best], s = 0;
    for (int c = 0; c < K; c++)
        s += exp(j[c] - mx);
    double lse = mx + log(s);
    for (int c = 0; c < K; c++)
        j[c] -= lse;
    return best;
}

/* predict_log_proba for the unit tests (probabilities of far-away classes
 * underflow to 0, their logs do not): logp[n x nclasses].  Deliberately not
 * in a header; the runtime itself only needs rt_nb_predict. */
int rt_nb_log_proba(const rt_model *m, const double *X, int n, double *logp, ut_err *e);
int rt_nb_log_proba(const rt_model *m, const double *X, int n, double *logp, ut_err *e)
{
    const nb_model *nm = m->impl;
    if (nm->type == NB_CATEGORICAL && check_binary(X, n, nm->p, e))
        return -1;
    for (int i = 0; i < n; i++) {
        double *j = logp + (size_t)i * nm->K;
        row_jll(nm, X + (size_t)i * nm->p, j);
        row_log_proba(nm, j);
    }
    return 0;
}

int rt_nb_predict(const rt_model *m, const double *X, int n, double *pred,
                  double *proba, ut_err *e)
{
    const nb_model *nm = m->impl;
    int K = nm->K, p = nm->p;
    if (nm->type == NB_CATEGORICAL && check_binary(X, n, p, e))
        return -1;
    double *j = malloc((size_t)K * sizeof *j);
    if (!j)
        return ut_errf(e, MLG_NOMEM, "out of memory predicting with nb");
    for (int i = 0; i < n; i++) {
        row_jll(nm, X + (size_t)i * p, j);
        pred[i] = row_log_proba(nm, j);
        if (proba)
            for (int c = 0; c < K; c++)
                proba[(size_t)i * K + c] = exp(j[c]);
    }
    free(j);
    return 0;
}

/* ---- model files ---- */
#include "model_io.h"

int rt_nb_io(rt_mio *io, rt_model *m)
{
    nb_model *nm = m->impl;
    if (!io->writing) {
        if (m->nclasses < 2) return rt_mio_fail(io, "nb needs at least 2 classes");
        if (!(nm = calloc(1, sizeof *nm))) return ut_errf(io->e, MLG_NOMEM, "out of memory");
        m->impl = nm;
        m->impl_free = nb_free;
        nm->K = m->nclasses;
        nm->p = m->p;
    }
    size_t K = (size_t)nm->K, kp = K * (size_t)nm->p;
    if (rt_mio_int(io, "categorical", &nm->type, 0, 1)) return -1;
    /* -inf: a class absent from training */
    if (rt_mio_dvec(io, "log_prior", &nm->logprior, K, RT_MIO_INF)) return -1;
    if (!io->writing) {
        int any = 0;
        for (size_t c = 0; c < K; c++) {
            if (nm->logprior[c] == INFINITY) return rt_mio_fail(io, "log_prior[%zu] is +inf", c);
            any |= !isinf(nm->logprior[c]);
        }
        if (!any) return rt_mio_fail(io, "every class has prior 0");
    }
    if (nm->type == NB_GAUSSIAN) {
        int *use = NULL;
        if (io->writing) {
            if (!(use = malloc(sizeof(int) * (size_t)(nm->p ? nm->p : 1)))) return ut_errf(io->e, MLG_NOMEM, "out of memory");
            for (int j = 0; j < nm->p; j++) use[j] = nm->use[j];
        }
        int rc = rt_mio_ivec(io, "use", &use, (size_t)nm->p, 0, 1);
        if (!rc && !io->writing) {
            if (!(nm->use = malloc((size_t)(nm->p ? nm->p : 1)))) rc = ut_errf(io->e, MLG_NOMEM, "out of memory");
            for (int j = 0; !rc && j < nm->p; j++) nm->use[j] = (unsigned char)use[j];
        }
        free(use);
        if (rc || rt_mio_dvec(io, "theta", &nm->theta, kp, 0) || rt_mio_dvec(io, "var", &nm->var, kp, 0) ||
            rt_mio_dvec(io, "log_norm", &nm->lognorm, K, RT_MIO_INF))
            return -1;
        for (size_t i = 0; !io->writing && i < kp; i++)
            if (!(nm->var[i] > 0) && nm->use[i % (size_t)nm->p] && !isinf(nm->logprior[i / (size_t)nm->p]))
                return rt_mio_fail(io, "var[%zu] must be positive", i);
        return 0;
    }
    return rt_mio_dvec(io, "log_p0", &nm->lp0, kp, RT_MIO_INF) || rt_mio_dvec(io, "log_p1", &nm->lp1, kp, RT_MIO_INF)
               ? -1 : 0;
}

/* ---- progressive reuse (DESIGN.md §4 item 5) ----
 * Per class and overall: count, mean and centered sum of squares, merged
 * by Chan et al.'s pairwise update (m2 = m2_a + m2_b + δ² n_a n_b / n);
 * min / max and counts of ones simply accumulate. */
void rt_nb_stats_clear(rt_nb_stats *s)
{
    free(s->cnt); free(s->mean); free(s->m2); free(s->ones);
    free(s->gmean); free(s->gm2); free(s->mn); free(s->mx);
    memset(s, 0, sizeof *s);
}

/* Merges a batch (count nb, mean mb, m2 qb) into (na, ma, qa). */
static void chan(double na, double *ma, double *qa, double nb, double mb, double qb)
{
    if (nb <= 0) return;
    double n = na + nb, d = mb - *ma;
    *ma += d * nb / n;
    *qa += qb + d * d * na * nb / n;
}

int rt_nb_stats_add(rt_nb_stats *s, const rt_trainset *ts, int from, int to, ut_err *e)
{
    int p = ts->p, K = ts->nclasses, nb = to - from;
    if (nb <= 0) return 0;
    size_t kp = (size_t)K * (p > 0 ? p : 1);
    if (!s->cnt) {
        memset(s, 0, sizeof *s);
        s->K = K, s->p = p;
        s->cnt = calloc((size_t)K, sizeof *s->cnt);
        s->mean = calloc(kp, sizeof *s->mean), s->m2 = calloc(kp, sizeof *s->m2), s->ones = calloc(kp, sizeof *s->ones);
        s->gmean = calloc((size_t)p + 1, sizeof *s->gmean), s->gm2 = calloc((size_t)p + 1, sizeof *s->gm2);
        s->mn = calloc((size_t)p + 1, sizeof *s->mn), s->mx = calloc((size_t)p + 1, sizeof *s->mx);
        if (!s->cnt || !s->mean || !s->m2 || !s->ones || !s->gmean || !s->gm2 || !s->mn || !s->mx) {
            rt_nb_stats_clear(s);
            return ut_errf(e, MLG_NOMEM, "out of memory");
        }
        for (int j = 0; j < p; j++) s->mn[j] = INFINITY, s->mx[j] = -INFINITY;
    }
    /* the batch's own means and sums of squares, then merged */
    double *bc = calloc((size_t)K, sizeof *bc), *bm = calloc(kp, sizeof *bm), *bq = calloc(kp, sizeof *bq);
    double *gm = calloc((size_t)p + 1, sizeof *gm), *gq = calloc((size_t)p + 1, sizeof *gq);
    if (!bc || !bm || !bq || !gm || !gq) {
        free(bc), free(bm), free(bq), free(gm), free(gq);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    for (int i = from; i < to; i++) {
        const double *x = ts->X + (size_t)i * p;
        int c = ts->yc[i];
        bc[c]++;
        for (int j = 0; j < p; j++) {
            bm[(size_t)c * p + j] += x[j], gm[j] += x[j];
            s->ones[(size_t)c * p + j] += x[j];
            if (x[j] < s->mn[j]) s->mn[j] = x[j];
            if (x[j] > s->mx[j]) s->mx[j] = x[j];
            if (!s->bad_feature && x[j] != 0.0 && x[j] != 1.0) s->bad_feature = j + 1, s->bad_value = x[j];
        }
    }
    for (int c = 0; c < K; c++)
        for (int j = 0; j < p && bc[c] > 0; j++) bm[(size_t)c * p + j] /= bc[c];
    for (int j = 0; j < p; j++) gm[j] /= nb;
    for (int i = from; i < to; i++) {
        const double *x = ts->X + (size_t)i * p;
        int c = ts->yc[i];
        for (int j = 0; j < p; j++) {
            double d = x[j] - bm[(size_t)c * p + j], g = x[j] - gm[j];
            bq[(size_t)c * p + j] += d * d, gq[j] += g * g;
        }
    }
    for (int c = 0; c < K; c++) {
        for (int j = 0; j < p; j++)
            chan(s->cnt[c], &s->mean[(size_t)c * p + j], &s->m2[(size_t)c * p + j], bc[c], bm[(size_t)c * p + j],
                 bq[(size_t)c * p + j]);
        s->cnt[c] += bc[c];
    }
    for (int j = 0; j < p; j++) chan((double)s->n, &s->gmean[j], &s->gm2[j], nb, gm[j], gq[j]);
    s->n += nb;
    free(bc), free(bm), free(bq), free(gm), free(gq);
    return 0;
}

int rt_nb_fit_stats(const rt_nb_stats *s, const rt_pval *params, rt_model *m, ut_err *e)
{
    double var_smoothing = params[0].num, alpha = params[2].num;
    const char *type = params[1].str ? params[1].str : "gaussian";
    int K = s->K, p = s->p, kind = ut_strcasecmp(type, "categorical") ? NB_GAUSSIAN : NB_CATEGORICAL;
    if (kind == NB_CATEGORICAL && s->bad_feature) return ut_errf(e, MLG_DATA, ONEHOT_MSG, s->bad_feature, s->bad_value);
    nb_model *nm = calloc(1, sizeof *nm);
    if (!nm) return ut_errf(e, MLG_NOMEM, "out of memory fitting nb");
    m->impl = nm;
    m->impl_free = nb_free;
    nm->type = kind, nm->K = K, nm->p = p;
    size_t kp = (size_t)K * (p > 0 ? p : 1);
    nm->logprior = malloc((size_t)K * sizeof *nm->logprior);
    if (!nm->logprior) return ut_errf(e, MLG_NOMEM, "out of memory fitting nb");
    double n = (double)s->n;
    for (int c = 0; c < K; c++)
        nm->logprior[c] = s->cnt[c] == 0 ? -INFINITY
                          : kind == NB_GAUSSIAN ? log(s->cnt[c] / n) : log(s->cnt[c]) - log(n);
    if (kind == NB_CATEGORICAL) {
        if (alpha < 1e-10) alpha = 1e-10;
        nm->lp0 = calloc(kp, sizeof *nm->lp0);
        nm->lp1 = calloc(kp, sizeof *nm->lp1);
        if (!nm->lp0 || !nm->lp1) return ut_errf(e, MLG_NOMEM, "out of memory fitting nb");
        for (int c = 0; c < K; c++)
            for (int j = 0; j < p && s->cnt[c] > 0; j++) {
                size_t o = (size_t)c * p + j;
                double s0 = (s->cnt[c] - s->ones[o]) + alpha, s1 = s->ones[o] + alpha, lz = log(s0 + s1);
                nm->lp0[o] = log(s0) - lz;
                nm->lp1[o] = log(s1) - lz;
            }
        return 0;
    }
    nm->theta = calloc(kp, sizeof *nm->theta);
    nm->var = calloc(kp, sizeof *nm->var);
    nm->lognorm = calloc((size_t)K, sizeof *nm->lognorm);
    nm->use = calloc((size_t)(p > 0 ? p : 1), 1);
    if (!nm->theta || !nm->var || !nm->lognorm || !nm->use) return ut_errf(e, MLG_NOMEM, "out of memory fitting nb");
    double vmax = 0;
    for (int j = 0; j < p; j++) {
        double v = s->gm2[j] / n;
        if (v > vmax) vmax = v;
        nm->use[j] = s->mn[j] != s->mx[j];
    }
    double eps = var_smoothing * vmax;
    /* Chan's merged means and squares round apart from the direct fit's
     * sums by a few ulps; a log-likelihood term (x - theta)^2 / var turns
     * that into ulps x range^2 / var.  Where that could pass ~1e-10 (a
     * class's variance far below its feature's spread, e.g. a column
     * constant within a class and a tiny var_smoothing), decline: the
     * direct fit then gives sharing off's scores exactly. */
    for (int c = 0; c < K; c++)
        for (int j = 0; j < p && s->cnt[c] > 0; j++) {
            double r = s->mx[j] - s->mn[j], v = s->m2[(size_t)c * p + j] / s->cnt[c] + eps;
            if (nm->use[j] && !(r * r <= 1e5 * v)) return 1;
        }
    for (int c = 0; c < K; c++) {
        if (s->cnt[c] == 0) continue;
        double ln = 0;
        for (int j = 0; j < p; j++) {
            size_t o = (size_t)c * p + j;
            nm->theta[o] = s->mean[o];
            double v = s->m2[o] / s->cnt[c] + eps;
            nm->var[o] = v > 0 ? v : DBL_MIN;
            if (nm->use[j]) ln += log(2.0 * M_PI * nm->var[o]);
        }
        nm->lognorm[c] = -0.5 * ln;
    }
    return 0;
}
