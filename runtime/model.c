/* model.c — the family table, the parameter schema expanded from
 * params.def, and fit/predict dispatch.  Checks that are the same for every
 * family (shapes, finite data, class codes) live here so the fam_*.c files
 * can assume clean input. */
#include "families.h"
#include "fam_linear_cd.h"
#include "linalg.h"

#include <math.h>
#include <string.h>
#include <stdlib.h>

#include "../include/mileage.h"

const rt_family_info rt_families[RT_FAM__COUNT] = {
#define X(e, fn, name, cls, reg, desc) { name, cls, reg, desc },
#include "families.def"
#undef X
};

/* params.def must list each family's parameters contiguously (in the order
 * rt_pval arrays use); rt_family_params relies on it. */
const rt_param_spec rt_param_specs[] = {
#define P(fam, name, kind, dnum, dstr, lo, hi, choices, doc) \
    { RT_FAM_##fam, name, kind, dnum, dstr, lo, hi, choices, doc },
#include "params.def"
#undef P
};
const int rt_nparam_specs = (int)(sizeof rt_param_specs / sizeof rt_param_specs[0]);

int rt_family_lookup(const char *name)
{
    if (!name)
        return -1;
    for (int f = 0; f < RT_FAM__COUNT; f++)
        if (ut_strcasecmp(name, rt_families[f].name) == 0)
            return f;
    return -1;
}

int rt_family_params(rt_family f, const rt_param_spec **specs)
{
    int first = -1, count = 0;
    for (int i = 0; i < rt_nparam_specs; i++) {
        if (rt_param_specs[i].family != f)
            continue;
        if (first < 0)
            first = i;
        count++;
    }
    if (specs)
        *specs = first >= 0 ? &rt_param_specs[first] : NULL;
    return count;
}

int rt_param_is_class_weight(const rt_param_spec *s)
{
    return s && (!strcmp(s->name, "pos_weight") || !strcmp(s->name, "neg_weight"));
}

int rt_class_weights(rt_family f, const rt_pval *params, int nclasses, double w[2], ut_err *e)
{
    const rt_param_spec *specs;
    int np = rt_family_params(f, &specs), set = 0;
    w[0] = w[1] = 1.0;
    for (int i = 0; params && i < np; i++) {
        if (!rt_param_is_class_weight(&specs[i])) continue;
        int pos = !strcmp(specs[i].name, "pos_weight");
        w[pos] = params[i].num;
        if (!(w[pos] > 0) || !isfinite(w[pos]))
            return ut_errf(e, MLG_MISUSE, "%s: %s must be > 0 (got %g)", rt_families[f].name, specs[i].name, w[pos]);
        set |= w[pos] != 1.0;
    }
    if (set && nclasses != 2)
        return ut_errf(e, MLG_MISUSE, "%s: pos_weight / neg_weight need a binary task, this one has %d classes",
                       rt_families[f].name, nclasses);
    return set;
}

void rt_model_free(rt_model *m)
{
    if (!m)
        return;
    free(m->coef);
    free(m->intercept);
    free(m->prior);
    free(m->cls);
    if (m->impl && m->impl_free)
        m->impl_free(m->impl);
    free(m);
}

static int check_features(const double *X, int n, int p, const char *what, ut_err *e)
{
    if (n < 0 || p < 0 || (n > 0 && p > 0 && !X))
        return ut_errf(e, MLG_MISUSE, "%s: bad feature matrix (%d x %d)", what, n, p);
    for (long i = 0; i < (long)n * p; i++) {
        if (isnan(X[i]))
            return ut_errf(e, MLG_DATA,
                           "%s: non-finite feature value at row %ld, column %ld"
                           " (impute missing values first)",
                           what, i / p + 1, i % p + 1);
        /* readers never produce an infinity: a transform overflowed */
        if (isinf(X[i]))
            return ut_errf(e, MLG_NUMERIC,
                           "%s: infinite feature value at row %ld, column %ld"
                           " (a value overflowed in preprocessing; scale the data first)",
                           what, i / p + 1, i % p + 1);
    }
    return 0;
}

int rt_check_trainset(rt_family f, const rt_trainset *ts, ut_err *e)
{
    const char *fam = rt_families[f].name;
    if (!ts || ts->n <= 0)
        return ut_errf(e, MLG_DATA, "%s: no training rows", fam);
    if (check_features(ts->X, ts->n, ts->p, fam, e))
        return -1;
    if (ts->nclasses > 0) {
        if (!rt_families[f].classification)
            return ut_errf(e, MLG_MISUSE, "%s does not do classification", fam);
        if (!ts->yc)
            return ut_errf(e, MLG_MISUSE, "%s: classification without class codes", fam);
        for (int i = 0; i < ts->n; i++)
            if (ts->yc[i] < 0 || ts->yc[i] >= ts->nclasses)
                return ut_errf(e, MLG_DATA, "%s: class code %d at row %d is outside"
                               " [0,%d)", fam, ts->yc[i], i + 1, ts->nclasses);
    } else {
        if (!rt_families[f].regression)
            return ut_errf(e, MLG_MISUSE, "%s does not do regression", fam);
        if (!ts->y)
            return ut_errf(e, MLG_MISUSE, "%s: regression without targets", fam);
        for (int i = 0; i < ts->n; i++)
            if (!isfinite(ts->y[i]))
                return ut_errf(e, MLG_DATA, "%s: non-finite target at row %d", fam, i + 1);
    }
    return 0;
}

int rt_fit(rt_family f, const rt_pval *params, const rt_trainset *ts,
           rt_model **out, ut_err *e)
{
    return rt_fit_from(f, params, ts, NULL, out, e);
}

int rt_fit_from(rt_family f, const rt_pval *params, const rt_trainset *ts, const rt_model *from,
                rt_model **out, ut_err *e)
{
    return rt_fit_path(f, params, ts, from, NULL, out, e);
}

int rt_fit_path(rt_family f, const rt_pval *params, const rt_trainset *ts, const rt_model *from,
                struct rt_logreg_carry *carry, rt_model **out, ut_err *e)
{
    int rc = -1;
    rt_model *m = NULL;
    if (!out)
        return ut_errf(e, MLG_MISUSE, "rt_fit: NULL output");
    *out = NULL;
    if ((int)f < 0 || f >= RT_FAM__COUNT || !params)
        return ut_errf(e, MLG_MISUSE, "rt_fit: bad family or parameters");
    if (rt_check_trainset(f, ts, e))
        return -1;
    m = calloc(1, sizeof *m);
    if (!m)
        return ut_errf(e, MLG_NOMEM, "out of memory fitting %s", rt_families[f].name);
    m->family = f;
    m->p = ts->p;
    m->nclasses = ts->nclasses;
    if (f == RT_FAM_LOGREG)
        rc = rt_logreg_fit_carry(params, ts, from, carry, m, e);
    else if (f == RT_FAM_LINSVM)
        rc = rt_linsvm_fit_from(params, ts, from, m, e);
    else switch (f) {
#define X(e_, fn, name, cls, reg, desc) case RT_FAM_##e_: rc = rt_##fn##_fit(params, ts, m, e); break;
#include "families.def"
#undef X
    default: rc = ut_errf(e, MLG_MISUSE, "rt_fit: unknown family %d", (int)f); break;
    }
    if (rc != 0) {
        rt_model_free(m);
        return -1;
    }
    *out = m;
    return 0;
}

/* lasso / elasticnet: the centered data (or its Gram) built once, then
 * every configuration's coordinate descent on it into out[c] — the same
 * arithmetic as each fit alone (rt_enet_fit builds the same data). */
static int enet_batch(rt_family f, const rt_pval *const *params, int ncfg, const rt_trainset *ts, rt_model **out,
                      ut_err *errs, ut_err *e)
{
    rt_enet_family_fit fit = f == RT_FAM_LASSO ? rt_lasso_fit_data : rt_elasticnet_fit_data;
    rt_enet_data d;
    if (rt_enet_data_new(ts, rt_enet_gram_pays(ts->n, ts->p), rt_families[f].name, &d, e))
        return -1;
    int rc = 0;
    for (int c = 0; c < ncfg && !rc; c++) {
        if (fit(params[c], &d, out[c], &errs[c]) && errs[c].code == MLG_NOMEM) {
            *e = errs[c];
            rc = -1;
        }
    }
    rt_enet_data_free(&d);
    return rc;
}

int rt_fit_batch(rt_family f, const rt_pval *const *params, int ncfg, const rt_trainset *ts, rt_model **out,
                 ut_err *errs, ut_err *e)
{
    for (int c = 0; c < ncfg; c++) {
        out[c] = NULL;
        ut_err_clear(&errs[c]);
    }
    if (f != RT_FAM_LOGREG && f != RT_FAM_LASSO && f != RT_FAM_ELASTICNET && f != RT_FAM_NB)
        return ut_errf(e, MLG_MISUSE, "rt_fit_batch: no batch solver for %s", rt_families[f].name);
    if (rt_check_trainset(f, ts, &errs[0])) {
        for (int c = 1; c < ncfg; c++) errs[c] = errs[0];
        return 0;
    }
    for (int c = 0; c < ncfg; c++) {
        if (!(out[c] = calloc(1, sizeof *out[c]))) {
            for (int k = 0; k < c; k++) rt_model_free(out[k]), out[k] = NULL;
            return ut_errf(e, MLG_NOMEM, "out of memory fitting %s", rt_families[f].name);
        }
        out[c]->family = f;
        out[c]->p = ts->p;
        out[c]->nclasses = ts->nclasses;
    }
    int rc = f == RT_FAM_LOGREG ? rt_logreg_fit_batch(params, ncfg, ts, out, errs, e)
             : f == RT_FAM_NB   ? rt_nb_fit_batch(params, ncfg, ts, out, errs, e)
                                : enet_batch(f, params, ncfg, ts, out, errs, e);
    for (int c = 0; c < ncfg; c++)
        if (rc || errs[c].code) {
            rt_model_free(out[c]);
            out[c] = NULL;
        }
    return rc;
}

int rt_predict(const rt_model *m, const double *X, int n, int p,
               double *pred, double *proba, ut_err *e)
{
    if (!m || (n > 0 && !pred))
        return ut_errf(e, MLG_MISUSE, "rt_predict: NULL model or output");
    if (p != m->p)
        return ut_errf(e, MLG_DATA, "%s model was fitted on %d features, got %d",
                       rt_families[m->family].name, m->p, p);
    if (check_features(X, n, p, rt_families[m->family].name, e))
        return -1;
    if (n == 0)
        return 0;
    /* Regression has no class scores: proba is ignored, as documented. */
    if (m->nclasses == 0)
        proba = NULL;
    switch (m->family) {
#define X(e_, fn, name, cls, reg, desc) case RT_FAM_##e_: return rt_##fn##_predict(m, X, n, pred, proba, e);
#include "families.def"
#undef X
    default: return ut_errf(e, MLG_MISUSE, "rt_predict: unknown family");
    }
}

void rt_linear_scores(const rt_model *m, const double *X, int n, double *scores)
{
    /* scores = X coefᵀ (n x nout), then the intercept row is added. */
    la_gemm(0, 1, n, m->nout, m->p, 1.0, X, m->coef, 0.0, scores);
    for (int i = 0; i < n; i++)
        for (int k = 0; k < m->nout; k++)
            scores[(size_t)i * m->nout + k] += m->intercept[k];
}

int rt_linear_classify(const rt_model *m, const double *X, int n, double *pred, double *proba,
                       int softmax, ut_err *e)
{
    int K = m->nclasses, nout = m->nout;
    if (proba)
        memset(proba, 0, (size_t)n * K * sizeof *proba);
    if (nout == 0) {
        for (int i = 0; i < n; i++) {
            pred[i] = m->constant;
            if (proba)
                proba[(size_t)i * K + m->cls[0]] = 1.0;
        }
        return 0;
    }
    double *s = malloc((size_t)n * nout * sizeof *s);
    if (!s)
        return ut_errf(e, MLG_NOMEM, "out of memory predicting with %s", rt_families[m->family].name);
    rt_linear_scores(m, X, n, s);
    for (int i = 0; i < n; i++) {
        const double *z = s + (size_t)i * nout;
        double *pr = proba ? proba + (size_t)i * K : NULL;
        if (nout == 1) {
            pred[i] = m->cls[rt_decide(z, 1)];
            if (pr) {
                double q = rt_sigmoid(z[0]);
                pr[m->cls[0]] = 1.0 - q;
                pr[m->cls[1]] = q;
            }
            continue;
        }
        int best = 0;   /* the softmax's shift: the largest score */
        for (int k = 1; k < nout; k++)
            if (z[k] > z[best])
                best = k;
        pred[i] = m->cls[rt_decide(z, nout)];
        if (!pr)
            continue;
        double sum = 0;
        if (softmax) {
            for (int k = 0; k < nout; k++)
                sum += exp(z[k] - z[best]);
            for (int k = 0; k < nout; k++)
                pr[m->cls[k]] = exp(z[k] - z[best]) / sum;
        } else {
            for (int k = 0; k < nout; k++)
                sum += pr[m->cls[k]] = rt_sigmoid(z[k]);
            for (int k = 0; k < nout; k++)
                pr[m->cls[k]] /= sum;
        }
    }
    free(s);
    return 0;
}

int rt_decide(const double *z, int n)
{
    if (n == 1) return z[0] > RT_TIE_BAND * fmax(1.0, fabs(z[0]));
    double top = z[0];
    for (int k = 1; k < n; k++) top = z[k] > top ? z[k] : top;
    double floor = top - RT_TIE_BAND * fmax(1.0, fabs(top));
    int k = 0;
    while (k < n - 1 && !(z[k] >= floor)) k++;
    return k;
}

double rt_sigmoid(double z)
{
    if (z >= 0)
        return 1.0 / (1.0 + exp(-z));
    double ez = exp(z);
    return ez / (1.0 + ez);
}
