/* fam_tree.c — scikit-learn's DecisionTreeClassifier / DecisionTreeRegressor
 * (splitter='best', min_samples_split=2, no max_features): one CART tree
 * (cart.c).  Classification leaves hold the class distribution of their
 * training rows, regression leaves the mean.  Every node keeps its own
 * prediction, so the tree also answers for any smaller max_depth
 * (rt_tree_predict_capped), which is how normal prediction runs too. */
#include "families.h"

#include <stdlib.h>
#include <string.h>

#include "../include/mileage.h"
#include "cart.h"

static void tree_free(void *impl)
{
    cart_tree_free(impl);
    free(impl);
}

/* The criterion of params and the rows' class weights (*w NULL when every
 * row weighs 1; else the caller's to free). */
static int tree_setup(const rt_pval *params, const rt_trainset *ts, cart_criterion *crit, double **w, ut_err *e)
{
    int max_depth = (int)params[0].num, msl = (int)params[1].num;
    *w = NULL;
    if (cart_parse_criterion(params[2].str, ts->nclasses > 0, "tree", crit, e))
        return -1;
    if (max_depth < 0 || msl < 1)
        return ut_errf(e, MLG_MISUSE, "tree: max_depth must be >= 0 and min_samples_leaf"
                       " >= 1 (got %d, %d)", max_depth, msl);
    /* class weights: each row weighs its class's weight in the impurity
     * and the leaf distributions (sklearn's class_weight) */
    double cw2[2];
    int weighted = rt_class_weights(RT_FAM_TREE, params, ts->nclasses, cw2, e);
    if (weighted < 0)
        return -1;
    if (weighted && !(*w = malloc((size_t)ts->n * sizeof **w + 1)))
        return ut_errf(e, MLG_NOMEM, "out of memory fitting tree");
    for (int i = 0; weighted && i < ts->n; i++) (*w)[i] = cw2[ts->yc[i]];
    return 0;
}

static void tree_set(rt_model *m, cart_tree *t)
{
    m->impl = t;
    m->impl_free = tree_free;
}

/* Grows the tree of params on ts into m, from scratch or (from non-NULL)
 * continuing `from`, grown with the same parameters to cap from_cap. */
static int tree_fit(const rt_pval *params, const rt_trainset *ts, const cart_tree *from, int from_cap, rt_model *m,
                    ut_err *e)
{
    cart_criterion crit;
    double *w;
    if (tree_setup(params, ts, &crit, &w, e))
        return -1;
    cart_tree *t = calloc(1, sizeof *t);
    cart_builder *b = t ? cart_builder_new(ts->X, ts->n, ts->p, 0, e) : NULL;
    cart_params cp = { crit, (int)params[0].num, (int)params[1].num, 0, ts->seed, CART_AUTO };
    int rc = !t ? ut_errf(e, MLG_NOMEM, "out of memory fitting tree")
             : !b ? -1
             : from ? cart_grow_from(b, ts->yc, ts->nclasses, ts->y, w, &cp, from, from_cap, t, e)
                    : cart_grow(b, ts->yc, ts->nclasses, ts->y, w, &cp, t, e);
    cart_builder_free(b);
    free(w);
    if (rc) {
        free(t);
        return -1;
    }
    tree_set(m, t);
    return 0;
}

static rt_model *tree_model(const rt_trainset *ts)
{
    rt_model *m = calloc(1, sizeof *m);
    if (m) {
        m->family = RT_FAM_TREE;
        m->p = ts->p;
        m->nclasses = ts->nclasses;
    }
    return m;
}

int rt_tree_fit_leaves(const rt_pval *params, const int *msl, int nv, const rt_trainset *ts, rt_model **out,
                       ut_err *e)
{
    cart_criterion crit;
    double *w;
    for (int j = 0; j < nv; j++) out[j] = NULL;
    if (rt_check_trainset(RT_FAM_TREE, ts, e) || tree_setup(params, ts, &crit, &w, e))
        return -1;
    cart_tree *t = calloc((size_t)nv, sizeof *t);
    cart_builder *b = t ? cart_builder_new(ts->X, ts->n, ts->p, 0, e) : NULL;
    cart_params cp = { crit, (int)params[0].num, 1, 0, ts->seed, CART_AUTO };
    int rc = !t ? ut_errf(e, MLG_NOMEM, "out of memory fitting tree")
             : !b ? -1
                  : cart_grow_leaves(b, ts->yc, ts->nclasses, ts->y, w, &cp, msl, nv, t, e);
    cart_builder_free(b);
    free(w);
    for (int j = 0; !rc && j < nv; j++) {
        cart_tree *one = (out[j] = tree_model(ts)) ? malloc(sizeof *one) : NULL;
        if (!one) {
            rc = ut_errf(e, MLG_NOMEM, "out of memory fitting tree");
            break;
        }
        *one = t[j];
        memset(&t[j], 0, sizeof t[j]);
        tree_set(out[j], one);
    }
    for (int j = 0; t && j < nv; j++) cart_tree_free(&t[j]);
    free(t);
    if (rc)
        for (int j = 0; j < nv; j++) {
            rt_model_free(out[j]);
            out[j] = NULL;
        }
    return rc ? -1 : 0;
}

int rt_tree_fit(const rt_pval *params, const rt_trainset *ts, rt_model *m, ut_err *e)
{
    return tree_fit(params, ts, NULL, 0, m, e);
}

int rt_tree_fit_from(const rt_pval *params, const rt_trainset *ts, const rt_model *from, int from_cap, rt_model **out,
                     ut_err *e)
{
    const cart_tree *ft = rt_tree_get(from);
    if (!ft || from->p != ts->p || from->nclasses != ts->nclasses)
        return ut_errf(e, MLG_MISUSE, "rt_tree_fit_from: not a tree of this shape");
    rt_model *m = tree_model(ts);
    if (!m)
        return ut_errf(e, MLG_NOMEM, "out of memory fitting tree");
    if (tree_fit(params, ts, ft, from_cap, m, e)) {
        rt_model_free(m);
        return -1;
    }
    *out = m;
    return 0;
}

const cart_tree *rt_tree_get(const rt_model *m)
{
    return m && m->family == RT_FAM_TREE ? m->impl : NULL;
}

int rt_tree_predict_capped(const rt_model *m, const double *X, int n, int max_depth,
                           double *pred, double *proba, ut_err *e)
{
    const cart_tree *t = rt_tree_get(m);
    if (!t)
        return ut_errf(e, MLG_MISUSE, "rt_tree_predict_capped: not a fitted tree");
    int K = m->nclasses, p = m->p;
    for (int i = 0; i < n; i++) {
        int leaf = cart_apply(t, X + (size_t)i * p, max_depth);
        cart_emit(t->value + (size_t)leaf * t->nout, K, &pred[i],
                  proba ? proba + (size_t)i * K : NULL);
    }
    return 0;
}

int rt_tree_predict(const rt_model *m, const double *X, int n, double *pred, double *proba,
                    ut_err *e)
{
    return rt_tree_predict_capped(m, X, n, 0, pred, proba, e);
}

/* ---- model files ---- */
#include "model_io.h"
int cart_tree_io(rt_mio *io, cart_tree *t, int p, int nout);

int rt_tree_io(rt_mio *io, rt_model *m)
{
    cart_tree *t = m->impl;
    if (!io->writing) {
        if (!(t = calloc(1, sizeof *t))) return ut_errf(io->e, MLG_NOMEM, "out of memory");
        m->impl = t;
        m->impl_free = tree_free;
    }
    if (rt_mio_enter(io, "tree")) return -1;
    int rc = cart_tree_io(io, t, m->p, m->nclasses > 0 ? m->nclasses : 1);
    rt_mio_leave(io);
    return rc;
}
