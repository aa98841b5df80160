/* share.c — group fits: one piece of work serving many configurations
 * (see share.h).  Each group path reproduces what separate fits compute:
 * the same Gram and Cholesky (ridge), neighbour lists whose k-prefix is
 * the k-list (knn), trees whose depth-capped prediction equals a tree
 * grown with that cap, forests and boosting whose first t trees / r rounds
 * equal a model fitted with t / r. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "share.h"
#include "families.h"
#include "knn.h"
#include "ridge_folds.h"
#include "cart.h"
#include "../include/mileage.h"
#include "../util/util.h"

int rt_share_mask(rt_family f, unsigned *mask)
{
    switch (f) {
    case RT_FAM_RIDGE: *mask = 1u << 0; return 1;                  /* alpha */
    case RT_FAM_KNN: *mask = 1u << 0 | 1u << 1; return 1;          /* k, weights */
    case RT_FAM_TREE: *mask = 1u << 0 | 1u << 1; return 1;         /* max_depth, min_samples_leaf */
    case RT_FAM_FOREST: *mask = 1u << 0 | 1u << 1 | 1u << 3; return 1;   /* trees, max_depth, min_samples_leaf */
    case RT_FAM_GBT: *mask = 1u << 0; return 1;                    /* rounds */
    case RT_FAM_LOGREG: *mask = 1u << 0; return 1;                 /* C */
    case RT_FAM_LINSVM: *mask = 1u << 0; return 1;                 /* C */
    /* every parameter: the data all their sweeps run on is the same */
    case RT_FAM_LASSO: *mask = 1u << 0 | 1u << 1 | 1u << 2; return 1;                /* alpha, max_iter, tol */
    case RT_FAM_ELASTICNET: *mask = 1u << 0 | 1u << 1 | 1u << 2 | 1u << 3; return 1; /* and l1_ratio */
    case RT_FAM_NB: *mask = 1u << 0 | 1u << 2; return 1;           /* var_smoothing, alpha (one type) */
    default: *mask = 0; return 0;
    }
}

int rt_keep_error(rt_group_out *o, const ut_err *me, ut_err *e)
{
    if (me->code == MLG_NOMEM) {
        *e = *me;
        return -1;
    }
    if (me->code == MLG_INTERRUPT)
        o->stopped = 1;
    else
        o->error = ut_strdup(me->msg[0] ? me->msg : "failed");
    return 0;
}

void rt_note_convergence(rt_group_out *o, const rt_model *m)
{
    if (!m || !m->hit_max_iter || o->warning) return;
    char buf[200];
    snprintf(buf, sizeof buf,
             "%s: did not converge in %d iteration%s (max_iter); the last iterate is used "
             "(raise max_iter or tol, or standardize the features)",
             rt_families[m->family].name, m->n_iter, m->n_iter == 1 ? "" : "s");
    o->warning = ut_strdup(buf);
}

/* A fitted model the caller asked to keep (keep[c], the caller's), else
 * freed. */
static void keep_or_free(rt_model **keep, int c, rt_model *m)
{
    if (keep) keep[c] = m;
    else rt_model_free(m);
}

/* One fit and one predict per configuration. */
static int each_alone(rt_family f, const rt_pval *const *params, int ncfg, const rt_trainset *ts,
                      const double *Xt, int nt, rt_group_out *out, rt_model **keep, ut_err *e)
{
    for (int c = 0; c < ncfg; c++) {
        rt_model *m = NULL;
        ut_err me;
        ut_err_clear(&me);
        double t0 = ut_now();
        int rc = rt_fit(f, params[c], ts, &m, &me);
        if (!rc) rt_note_convergence(&out[c], m);
        if (!rc) rc = rt_predict(m, Xt, nt, ts->p, out[c].pred, out[c].proba, &me);
        out[c].fit_seconds = ut_now() - t0;
        if (rc) rt_model_free(m);
        else keep_or_free(keep, c, m);
        if (rc && rt_keep_error(&out[c], &me, e)) return -1;
    }
    return 0;
}

static void spread_time(rt_group_out *out, int ncfg, double t)
{
    for (int c = 0; c < ncfg; c++) out[c].fit_seconds = t / ncfg;
}

/* Ridge's shared fits differ only in where the alphas' solutions come
 * from (a Gram matrix of the rows, or per-fold Gram blocks): `fit` fills
 * models (calloc'd here with family/p/nclasses) and per-alpha reasons in
 * err; then every configuration predicts Xt. */
typedef int (*ridge_fitter)(const void *arg, const double *alphas, int ncfg, rt_model **models, char **err,
                            ut_err *e);

static int ridge_alphas_keep(ridge_fitter fit, const void *arg, const rt_pval *const *params, int ncfg, int p,
                             int nclasses, const double *Xt, int nt, rt_group_out *out, rt_model **keep, ut_err *e)
{
    double t0 = ut_now();
    double *alphas = malloc((size_t)ncfg * sizeof *alphas);
    rt_model **models = calloc((size_t)ncfg, sizeof *models);
    char **err = calloc((size_t)ncfg, sizeof *err);
    int rc = -1;
    if (!alphas || !models || !err) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto done;
    }
    for (int c = 0; c < ncfg; c++) {
        alphas[c] = params[c][0].num;
        if (!(models[c] = calloc(1, sizeof **models))) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto done;
        }
        models[c]->family = RT_FAM_RIDGE;
        models[c]->p = p;
        models[c]->nclasses = nclasses;
    }
    if (fit(arg, alphas, ncfg, models, err, e)) goto done;
    for (int c = 0; c < ncfg; c++) {
        ut_err me;
        ut_err_clear(&me);
        if (err[c]) {
            out[c].error = err[c];
            err[c] = NULL;
        } else if (rt_predict(models[c], Xt, nt, p, out[c].pred, out[c].proba, &me) && rt_keep_error(&out[c], &me, e)) {
            goto done;
        }
    }
    spread_time(out, ncfg, ut_now() - t0);
    for (int c = 0; keep && c < ncfg; c++)
        if (!out[c].error && !out[c].stopped) {
            keep[c] = models[c];
            models[c] = NULL;
        }
    rc = 0;
done:
    for (int c = 0; models && c < ncfg; c++) rt_model_free(models[c]);
    for (int c = 0; err && c < ncfg; c++) free(err[c]);
    free(models);
    free(err);
    free(alphas);
    return rc;
}

static int ridge_alphas(ridge_fitter fit, const void *arg, const rt_pval *const *params, int ncfg, int p,
                        int nclasses, const double *Xt, int nt, rt_group_out *out, ut_err *e)
{
    return ridge_alphas_keep(fit, arg, params, ncfg, p, nclasses, Xt, nt, out, NULL, e);
}

typedef struct { const rt_trainset *ts; int intercept; } rows_arg;

static int fit_from_rows(const void *arg, const double *alphas, int ncfg, rt_model **models, char **err, ut_err *e)
{
    const rows_arg *a = arg;
    return rt_ridge_fit_many(alphas, ncfg, a->intercept, a->ts, models, err, e);
}

static int ridge_group(const rt_pval *const *params, int ncfg, const rt_trainset *ts, const double *Xt, int nt,
                       rt_group_out *out, rt_model **keep, ut_err *e)
{
    rows_arg a = {ts, params[0][1].num != 0.0};
    return ridge_alphas_keep(fit_from_rows, &a, params, ncfg, ts->p, ts->nclasses, Xt, nt, out, keep, e);
}

static int knn_group(const rt_pval *const *params, int ncfg, const rt_trainset *ts, const double *Xt, int nt,
                     rt_group_out *out, ut_err *e)
{
    double t0 = ut_now();
    int K = 1, rc = -1;
    for (int c = 0; c < ncfg; c++)
        if ((int)params[c][0].num > K) K = (int)params[c][0].num;
    if (K > ts->n) K = ts->n;  /* k beyond the training rows uses them all */
    rt_knn_metric metric = !strcmp(params[0][2].str, "manhattan") ? RT_KNN_MANHATTAN : RT_KNN_EUCLIDEAN;
    double *sq = malloc((size_t)ts->n * sizeof *sq + 1);
    int *idx = malloc((size_t)nt * (size_t)K * sizeof *idx + 1);
    double *dist = malloc((size_t)nt * (size_t)K * sizeof *dist + 1);
    if (!sq || !idx || !dist) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto done;
    }
    rt_knn_sqnorms(ts->X, ts->n, ts->p, sq);
    rt_knn_train tr = {ts->X, sq, ts->n, ts->p, ts->yc, ts->nclasses, ts->y};
    if (ts->n < 1) {
        for (int c = 0; c < ncfg; c++) out[c].error = ut_strdup("knn: no training rows");
        rc = 0;
        goto done;
    }
    if (rt_knn_neighbors(&tr, metric, Xt, nt, K, idx, dist, e)) goto done;
    for (int c = 0; c < ncfg; c++) {
        int k = (int)params[c][0].num;
        if (k > K) k = K;
        rt_knn_weighting w = !strcmp(params[c][1].str, "distance") ? RT_KNN_DISTANCE : RT_KNN_UNIFORM;
        ut_err me;
        ut_err_clear(&me);
        if (rt_knn_aggregate(&tr, idx, dist, nt, K, k, w, out[c].pred, out[c].proba, &me) && rt_keep_error(&out[c], &me, e))
            goto done;
    }
    spread_time(out, ncfg, ut_now() - t0);
    rc = 0;
done:
    free(sq);
    free(idx);
    free(dist);
    return rc;
}

static int by_c(const void *a, const void *b)
{
    double x = (*(const rt_pval *const *)a)[0].num, y = (*(const rt_pval *const *)b)[0].num;
    return (x > y) - (x < y);
}

/* Fits by rt_fit_batch: logreg by L-BFGS, the configurations solved side
 * by side, every evaluation round one pair of GEMMs for all
 * (rt_logreg_fit_batch; L-BFGS stops at a tolerance that depends on its
 * start, so it is not warm-started along the path); lasso and elasticnet,
 * every coordinate descent on one Gram matrix.  Each configuration's
 * arithmetic is its fit's alone. */
static int batch_group(rt_family f, const rt_pval *const *params, int ncfg, const rt_trainset *ts, const double *Xt,
                       int nt, rt_group_out *out, rt_model **keep, ut_err *e)
{
    double t0 = ut_now();
    rt_model **models = calloc((size_t)ncfg, sizeof *models);
    ut_err *errs = calloc((size_t)ncfg, sizeof *errs);
    int rc = -1;
    if (!models || !errs) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto done;
    }
    if (rt_fit_batch(f, params, ncfg, ts, models, errs, e)) goto done;
    for (int c = 0; c < ncfg; c++) {
        if (models[c]) {
            rt_note_convergence(&out[c], models[c]);
            if (!rt_predict(models[c], Xt, nt, ts->p, out[c].pred, out[c].proba, &errs[c])) continue;
        }
        if (rt_keep_error(&out[c], &errs[c], e)) goto done;
    }
    spread_time(out, ncfg, ut_now() - t0);
    for (int c = 0; keep && c < ncfg; c++)
        if (!out[c].error && !out[c].stopped) {
            keep[c] = models[c];
            models[c] = NULL;
        }
    rc = 0;
done:
    for (int c = 0; models && c < ncfg; c++) rt_model_free(models[c]);
    free(models);
    free(errs);
    return rc;
}

/* Along the C path (rule 3): configurations in ascending C, each Newton
 * solve started from the previous solution (logreg also its first step
 * from the previous Hessian: carry).  Both families' Newton methods end at
 * the optimum to rounding from any start, so the path changes no score
 * beyond that. */
static int c_path(rt_family f, const rt_pval *const *params, int ncfg, const rt_trainset *ts, const double *Xt,
                  int nt, rt_group_out *out, rt_model **keep, rt_logreg_carry *carry, ut_err *e)
{
    const rt_pval **order = malloc((size_t)ncfg * sizeof *order);
    if (!order)
        return ut_errf(e, MLG_NOMEM, "out of memory");
    memcpy(order, params, (size_t)ncfg * sizeof *order);
    qsort(order, (size_t)ncfg, sizeof *order, by_c);
    rt_model *prev = NULL;
    int rc = 0;
    for (int j = 0; j < ncfg && rc == 0; j++) {
        int c = 0;
        while (params[c] != order[j]) c++;
        rt_model *m = NULL;
        ut_err me;
        ut_err_clear(&me);
        double t0 = ut_now();
        int frc = rt_fit_path(f, params[c], ts, prev, carry, &m, &me);
        if (!frc) rt_note_convergence(&out[c], m);
        if (!frc) frc = rt_predict(m, Xt, nt, ts->p, out[c].pred, out[c].proba, &me);
        out[c].fit_seconds = ut_now() - t0;
        if (frc) {
            rt_model_free(m);
            m = NULL;
            if (rt_keep_error(&out[c], &me, e)) rc = -1;
        }
        if (m) {
            /* a kept model stays the caller's; the path only reads it */
            if (!keep) rt_model_free(prev);
            else keep[c] = m;
            prev = m;
        }
    }
    if (!keep) rt_model_free(prev);
    free(order);
    return rc;
}

/* logreg: the C path where Newton solves it (l2 of modest dimensions; l1
 * where its proximal Newton closes to rounding); other l2 configurations go
 * to batch_group, other l1 ones are fitted alone. */
static int logreg_group(const rt_pval *const *params, int ncfg, const rt_trainset *ts, const double *Xt, int nt,
                        rt_group_out *out, rt_model **keep, ut_err *e)
{
    int nout = ts->nclasses == 2 ? 1 : ts->nclasses;
    if (ut_strcasecmp(params[0][3].str ? params[0][3].str : "l2", "l2") != 0)
        return rt_logreg_l1_path(ts->n, ts->p, nout) ? c_path(RT_FAM_LOGREG, params, ncfg, ts, Xt, nt, out, keep, NULL, e)
                                                     : each_alone(RT_FAM_LOGREG, params, ncfg, ts, Xt, nt, out, keep, e);
    if (!rt_logreg_newton(ts->n, ts->p, nout))
        return batch_group(RT_FAM_LOGREG, params, ncfg, ts, Xt, nt, out, keep, e);
    rt_logreg_carry *carry = rt_logreg_carry_new();
    if (!carry)
        return ut_errf(e, MLG_NOMEM, "out of memory");
    int rc = c_path(RT_FAM_LOGREG, params, ncfg, ts, Xt, nt, out, keep, carry, e);
    rt_logreg_carry_free(carry);
    return rc;
}

/* linsvm: the C path where the finite Newton method solves it (squared
 * hinge); hinge (dual coordinate descent, which stops at a tolerance)
 * fitted alone. */
static int linsvm_group(const rt_pval *const *params, int ncfg, const rt_trainset *ts, const double *Xt, int nt,
                        rt_group_out *out, rt_model **keep, ut_err *e)
{
    if (!rt_linsvm_newton(params[0], ts->p))
        return each_alone(RT_FAM_LINSVM, params, ncfg, ts, Xt, nt, out, keep, e);
    return c_path(RT_FAM_LINSVM, params, ncfg, ts, Xt, nt, out, keep, NULL, e);
}

typedef struct { const struct rt_ridge_folds *rf; int k, standardize; } folds_arg;

static int fit_from_folds(const void *arg, const double *alphas, int ncfg, rt_model **models, char **err, ut_err *e)
{
    const folds_arg *a = arg;
    return rt_ridge_folds_fit(a->rf, a->k, a->standardize, alphas, ncfg, models, err, e);
}

/* linreg from the blocks: each configuration (they differ in nothing the
 * blocks see) fitted and predicting, or 1 when the round declines */
static int linreg_folds(const struct rt_ridge_folds *rf, int k, int standardize, int ncfg, int p, const double *Xt,
                        int nt, rt_group_out *out, ut_err *e)
{
    double t0 = ut_now();
    for (int c = 0; c < ncfg; c++) {
        rt_model *m = calloc(1, sizeof *m);
        if (!m) return ut_errf(e, MLG_NOMEM, "out of memory");
        m->family = RT_FAM_LINREG;
        m->p = p;
        int declined = 0;
        ut_err me;
        ut_err_clear(&me);
        int rc = rt_ridge_folds_linreg(rf, k, standardize, m, &declined, e);
        if (!rc && !declined && rt_predict(m, Xt, nt, p, out[c].pred, out[c].proba, &me))
            rc = rt_keep_error(&out[c], &me, e);
        rt_model_free(m);
        if (rc) return -1;
        if (declined) return 1;   /* the same for every configuration */
    }
    spread_time(out, ncfg, ut_now() - t0);
    return 0;
}

int rt_fit_predict_gram_folds(const struct rt_ridge_folds *rf, rt_family fam, int k, int standardize,
                              const rt_pval *const *params, int ncfg, int p, int nclasses, const double *Xt, int nt,
                              rt_group_out *out, ut_err *e)
{
    if (fam == RT_FAM_LINREG) return linreg_folds(rf, k, standardize, ncfg, p, Xt, nt, out, e);
    folds_arg a = {rf, k, standardize};
    return ridge_alphas(fit_from_folds, &a, params, ncfg, p, nclasses, Xt, nt, out, e);
}


int rt_fit_predict_group(rt_family f, const rt_pval *const *params, int ncfg, int share, const rt_trainset *ts,
                         const double *Xt, int nt, rt_group_out *out, ut_err *e)
{
    return rt_fit_predict_group_keep(f, params, ncfg, share, ts, Xt, nt, out, NULL, e);
}

int rt_fit_predict_group_keep(rt_family f, const rt_pval *const *params, int ncfg, int share, const rt_trainset *ts,
                              const double *Xt, int nt, rt_group_out *out, rt_model **keep, ut_err *e)
{
    if (ncfg > 1 && share) {
        switch (f) {
        case RT_FAM_RIDGE: return ridge_group(params, ncfg, ts, Xt, nt, out, keep, e);
        case RT_FAM_KNN: return knn_group(params, ncfg, ts, Xt, nt, out, e);
        case RT_FAM_TREE:
        case RT_FAM_FOREST:
        case RT_FAM_GBT: return rt_leaf_group_run(f, params, ncfg, ts, Xt, nt, out, e);
        case RT_FAM_LOGREG: return logreg_group(params, ncfg, ts, Xt, nt, out, keep, e);
        case RT_FAM_LINSVM: return linsvm_group(params, ncfg, ts, Xt, nt, out, keep, e);
        case RT_FAM_LASSO:
        case RT_FAM_ELASTICNET:
        case RT_FAM_NB: return batch_group(f, params, ncfg, ts, Xt, nt, out, keep, e);
        default: break;
        }
    }
    return each_alone(f, params, ncfg, ts, Xt, nt, out, keep, e);
}
