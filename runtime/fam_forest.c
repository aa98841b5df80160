/* fam_forest.c — scikit-learn's RandomForestClassifier / Regressor
 * (bootstrap=True, splitter 'best'): tree t is grown on n rows drawn with
 * replacement, as row weights = draw counts like sklearn, drawing
 * max_features candidate features at every split.  Prediction averages the
 * trees' class distributions (argmax of the mean) or values.
 *
 * Tree t's randomness comes from cart_seed(seed, t) alone, and each node's
 * feature draws from the node's path in its tree, so the first t trees of a
 * forest are the forest fitted with t trees, and a forest cut at depth d is
 * the forest fitted with max_depth = d (rt_forest_predict_capped).  The
 * same makes a stored forest extensible: rt_forest_fit_from copies its
 * trees and grows only the missing ones (ensemble.h, share_forest.c). */
#include "families.h"
#include "stop.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../include/mileage.h"
#include "cart.h"
#include "ensemble.h"

typedef rt_forest_impl forest_impl;

void rt_forest_impl_free(void *impl)
{
    forest_impl *f = impl;
    for (int t = 0; t < f->ntrees; t++)
        cart_tree_free(&f->trees[t]);
    free(f->trees);
    free(f);
}
#define forest_free rt_forest_impl_free

int rt_cart_tree_copy(const cart_tree *a, cart_tree *b)
{
    memset(b, 0, sizeof *b);
    b->node = malloc((size_t)a->nnodes * sizeof *b->node + 1);
    b->value = malloc((size_t)a->nnodes * (size_t)a->nout * sizeof *b->value + 1);
    if (!b->node || !b->value) {
        cart_tree_free(b);
        memset(b, 0, sizeof *b);
        return -1;
    }
    memcpy(b->node, a->node, (size_t)a->nnodes * sizeof *b->node);
    memcpy(b->value, a->value, (size_t)a->nnodes * (size_t)a->nout * sizeof *b->value);
    b->nnodes = b->cap = a->nnodes;
    b->nout = a->nout;
    b->depth = a->depth;
    return 0;
}

/* sklearn 1.2 defaults: sqrt(p) for classification, all p for regression. */
static int forest_mtry(double mf, int p, int classification)
{
    int k;
    if (mf <= 0)
        k = classification ? (int)sqrt((double)p) : p;
    else if (mf <= 1)
        k = (int)(mf * p);
    else
        k = mf >= p ? p : (int)mf;
    return k < 1 ? 1 : k > p ? p : k;
}

/* The forests of params for the nv leaf sizes msl (NULL: params' own, nv
 * = 1) into m[0..nv): tree t of every size grown at once from tree t's
 * bootstrap (cart_grow_leaves; one size: cart_grow).  With one size, its
 * first from->ntrees trees are copied from `from` (NULL: none). */
static int forest_grow(const rt_pval *params, const rt_trainset *ts, const forest_impl *from, const int *msl,
                       int nv, rt_model *const *m, ut_err *e)
{
    int ntrees = (int)params[0].num, max_depth = (int)params[1].num;
    double mf = params[2].num;
    int own = (int)params[3].num, n = ts->n, rc = -1;
    if (!msl) msl = &own, nv = 1;
    cart_criterion crit;
    if (cart_parse_criterion(params[4].str, ts->nclasses > 0, "forest", &crit, e))
        return -1;
    if (ntrees < 1 || max_depth < 0 || msl[0] < 1 || !(mf >= 0))
        return ut_errf(e, MLG_MISUSE, "forest: need trees >= 1, max_depth >= 0,"
                       " max_features >= 0, min_samples_leaf >= 1");
    double cw2[2];
    int weighted = rt_class_weights(RT_FAM_FOREST, params, ts->nclasses, cw2, e);
    if (weighted < 0)
        return -1;
    double *w = malloc((size_t)n * sizeof *w);
    cart_tree *grown = calloc((size_t)nv, sizeof *grown);
    cart_builder *b = NULL;
    forest_impl *f = NULL;
    int made = 0;
    for (; w && grown && made < nv; made++) {
        if (!(f = calloc(1, sizeof *f)) || !(f->trees = calloc((size_t)ntrees, sizeof *f->trees))) {
            free(f);
            break;
        }
        m[made]->impl = f;
        m[made]->impl_free = forest_free;
    }
    if (made < nv) {
        ut_errf(e, MLG_NOMEM, "out of memory fitting forest");
        goto done;
    }
    if (!(b = cart_builder_new(ts->X, n, ts->p, 1, e)))
        goto done;
    cart_params cp = { crit, max_depth, msl[0], forest_mtry(mf, ts->p, ts->nclasses > 0), 0, CART_AUTO };
    for (int t = 0; t < ntrees; t++) {
        if (rt_stop_requested()) {
            rt_stop_error(e, "forest");
            goto done;
        }
        f = m[0]->impl;
        if (from && nv == 1 && t < from->ntrees) {   /* tree t depends on cart_seed(seed, t) alone */
            if (rt_cart_tree_copy(&from->trees[t], &f->trees[t])) {
                ut_errf(e, MLG_NOMEM, "out of memory fitting forest");
                goto done;
            }
            f->ntrees = t + 1;
            continue;
        }
        ut_rng rng;
        cp.seed = cart_seed(ts->seed, (uint64_t)t);
        ut_rng_seed(&rng, cp.seed);
        memset(w, 0, (size_t)n * sizeof *w);
        for (int j = 0; j < n; j++)
            w[ut_rng_below(&rng, (uint64_t)n)] += 1.0;
        if (weighted)   /* class weights times bootstrap counts, as sklearn */
            for (int j = 0; j < n; j++) w[j] *= cw2[ts->yc[j]];
        if (nv == 1 ? cart_grow(b, ts->yc, ts->nclasses, ts->y, w, &cp, &f->trees[t], e)
                    : cart_grow_leaves(b, ts->yc, ts->nclasses, ts->y, w, &cp, msl, nv, grown, e))
            goto done;
        for (int j = 0; j < nv; j++) {
            forest_impl *fj = m[j]->impl;
            if (nv > 1) fj->trees[t] = grown[j];
            fj->ntrees = t + 1;
        }
    }
    rc = 0;
done:
    cart_builder_free(b);
    free(grown);
    free(w);
    return rc;
}

int rt_forest_fit(const rt_pval *params, const rt_trainset *ts, rt_model *m, ut_err *e)
{
    return forest_grow(params, ts, NULL, NULL, 1, &m, e);
}

int rt_forest_fit_leaves(const rt_pval *params, const int *msl, int nv, const rt_trainset *ts, rt_model **out,
                         ut_err *e)
{
    int rc = rt_check_trainset(RT_FAM_FOREST, ts, e) ? -1 : 0;
    for (int j = 0; j < nv; j++) {
        out[j] = rc ? NULL : calloc(1, sizeof **out);
        if (!out[j]) {
            rc = rc ? rc : ut_errf(e, MLG_NOMEM, "out of memory fitting forest");
            continue;
        }
        out[j]->family = RT_FAM_FOREST;
        out[j]->p = ts->p;
        out[j]->nclasses = ts->nclasses;
    }
    if (!rc) rc = forest_grow(params, ts, NULL, msl, nv, out, e);
    if (rc)
        for (int j = 0; j < nv; j++) {
            rt_model_free(out[j]);
            out[j] = NULL;
        }
    return rc ? -1 : 0;
}

int rt_forest_fit_from(const rt_pval *params, const rt_trainset *ts, const rt_model *from, rt_model **out,
                       ut_err *e)
{
    int nout = ts->nclasses > 0 ? ts->nclasses : 1;
    const forest_impl *ff = rt_forest_ntrees(from) ? from->impl : NULL;
    if (!ff || from->p != ts->p || from->nclasses != ts->nclasses || ff->trees[0].nout != nout)
        return ut_errf(e, MLG_MISUSE, "rt_forest_fit_from: not a forest of this shape");
    rt_model *m = calloc(1, sizeof *m);
    if (!m)
        return ut_errf(e, MLG_NOMEM, "out of memory fitting forest");
    m->family = RT_FAM_FOREST;
    m->p = ts->p;
    m->nclasses = ts->nclasses;
    if (forest_grow(params, ts, ff, NULL, 1, &m, e)) {
        rt_model_free(m);
        return -1;
    }
    *out = m;
    return 0;
}

int rt_forest_depth(const rt_model *m)
{
    int T = rt_forest_ntrees(m), d = 0;
    for (int t = 0; t < T; t++)
        if (((const forest_impl *)m->impl)->trees[t].depth > d)
            d = ((const forest_impl *)m->impl)->trees[t].depth;
    return d;
}

int rt_forest_ntrees(const rt_model *m)
{
    return m && m->family == RT_FAM_FOREST && m->impl ? ((forest_impl *)m->impl)->ntrees : 0;
}

int rt_forest_predict_capped(const rt_model *m, const double *X, int n, int t,
                             int max_depth, double *pred, double *proba, ut_err *e)
{
    int T = rt_forest_ntrees(m);
    if (T == 0)
        return ut_errf(e, MLG_MISUSE, "rt_forest_predict: not a fitted forest");
    const forest_impl *f = m->impl;
    int K = m->nclasses, p = m->p;
    t = t < 1 ? 1 : t > T ? T : t;
    if (K == 0) {
        memset(pred, 0, (size_t)n * sizeof *pred);
        for (int j = 0; j < t; j++)
            for (int i = 0; i < n; i++)
                pred[i] += f->trees[j].value[cart_apply(&f->trees[j], X + (size_t)i * p,
                                                        max_depth)];
        for (int i = 0; i < n; i++)
            pred[i] /= t;
        return 0;
    }
    double *acc = proba ? proba : malloc((size_t)n * K * sizeof *acc);
    if (!acc)
        return ut_errf(e, MLG_NOMEM, "out of memory predicting with forest");
    memset(acc, 0, (size_t)n * K * sizeof *acc);
    for (int j = 0; j < t; j++) {
        const cart_tree *tr = &f->trees[j];
        for (int i = 0; i < n; i++) {
            const double *v = tr->value + (size_t)cart_apply(tr, X + (size_t)i * p, max_depth) * K;
            double *a = acc + (size_t)i * K;
            for (int k = 0; k < K; k++)
                a[k] += v[k];
        }
    }
    for (int i = 0; i < n; i++) {
        double *a = acc + (size_t)i * K;
        for (int k = 0; k < K; k++)
            a[k] /= t;
        cart_emit(a, K, &pred[i], NULL);
    }
    if (acc != proba)
        free(acc);
    return 0;
}

int rt_forest_predict_first(const rt_model *m, const double *X, int n, int t,
                            double *pred, double *proba, ut_err *e)
{
    return rt_forest_predict_capped(m, X, n, t, 0, pred, proba, e);
}

int rt_forest_predict(const rt_model *m, const double *X, int n, double *pred,
                      double *proba, ut_err *e)
{
    return rt_forest_predict_capped(m, X, n, rt_forest_ntrees(m), 0, pred, proba, e);
}

/* ---- model files ---- */
#include "model_io.h"
int cart_tree_io(rt_mio *io, cart_tree *t, int p, int nout);

int rt_forest_io(rt_mio *io, rt_model *m)
{
    forest_impl *f = m->impl;
    int n = f ? f->ntrees : 0;
    if (rt_mio_list(io, "trees", &n, 100000)) return -1;
    if (!io->writing) {
        if (n < 1) return rt_mio_fail(io, "a forest needs at least one tree");
        if (!(f = calloc(1, sizeof *f)) || !(f->trees = calloc((size_t)n, sizeof *f->trees))) {
            free(f);
            return ut_errf(io->e, MLG_NOMEM, "out of memory");
        }
        m->impl = f;
        m->impl_free = forest_free;
    }
    for (int t = 0; t < n; t++) {
        if (rt_mio_item(io, t)) return -1;
        if (!io->writing) f->ntrees = t + 1;
        if (cart_tree_io(io, &f->trees[t], m->p, m->nclasses > 0 ? m->nclasses : 1)) return -1;
        rt_mio_leave(io);
    }
    rt_mio_leave(io);
    return 0;
}
