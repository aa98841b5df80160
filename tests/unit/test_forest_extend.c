/* test_forest_extend.c — a forest extended with more trees
 * (rt_forest_fit_from) and a boosted model continued with more rounds
 * (rt_gbt_fit_from) must be bit for bit the model fitted at once: every
 * tree's nodes, thresholds, impurities, weights and values, gbt's initial
 * scores and training losses, and so every prediction and probability at
 * every tree / round count (and forest cap).  Classification (3 classes,
 * 2 classes with class weights), regression, max_features draws, gbt row
 * subsampling, a forest with no cap, and extending twice.  The comparison
 * must see an off-by-one: the extended forest's tree t against the at-once
 * tree t + 1, and a continued gbt against the one fitted with one round
 * more, both differ. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/mileage.h"
#include "../../runtime/cart.h"
#include "../../runtime/ensemble.h"
#include "check.h"

static int ncases;


typedef struct { double *X, *y; int *yc; int n, p, K; } data_t;

static void make(data_t *d, int K, int n, unsigned long long seed)
{
    int p = 7;
    ut_rng g;
    ut_rng_seed(&g, seed);
    d->n = n, d->p = p, d->K = K;
    d->X = malloc((size_t)n * p * sizeof *d->X);
    d->y = malloc((size_t)n * sizeof *d->y);
    d->yc = malloc((size_t)n * sizeof *d->yc);
    for (int i = 0; i < n; i++) {
        double *x = d->X + (size_t)i * p;
        x[0] = ut_rng_uniform(&g) * 4 - 2;
        x[1] = (double)ut_rng_below(&g, 5);          /* ties */
        x[2] = (double)ut_rng_below(&g, 2);
        x[3] = x[0];                                 /* duplicate column */
        x[4] = 3.0;                                  /* constant */
        x[5] = ut_rng_uniform(&g);
        x[6] = round(ut_rng_uniform(&g) * 20) / 4;
        double s = sin(2 * x[0]) + 0.5 * x[1] * x[2] - x[5] + 0.3 * x[6] + 0.5 * (ut_rng_uniform(&g) - 0.5);
        d->y[i] = s;
        d->yc[i] = K == 3 ? (s < 0.3 ? 0 : s < 1.4 ? 1 : 2) : s > 1.0;
    }
}

static void data_free(data_t *d)
{
    free(d->X);
    free(d->y);
    free(d->yc);
}

static int same_tree(const cart_tree *a, const cart_tree *b)
{
    if (a->nnodes != b->nnodes || a->nout != b->nout || a->depth != b->depth) return 0;
    for (int i = 0; i < a->nnodes; i++) {
        const cart_node *x = &a->node[i], *y = &b->node[i];
        if (x->feature != y->feature || x->left != y->left || x->right != y->right || x->depth != y->depth ||
            x->n_samples != y->n_samples || memcmp(&x->threshold, &y->threshold, sizeof x->threshold) ||
            memcmp(&x->weight, &y->weight, sizeof x->weight) || memcmp(&x->impurity, &y->impurity, sizeof x->impurity))
            return 0;
    }
    return memcmp(a->value, b->value, (size_t)a->nnodes * a->nout * sizeof *a->value) == 0;
}

/* pred and proba of a and b on the data, bit for bit; forest: first t
 * trees at cap (t = count), gbt: first `count` rounds. */
static int same_predictions(const rt_model *a, const rt_model *b, const data_t *d, rt_family f, int count, int cap)
{
    int n = d->n, C = d->K;
    double *pa = malloc(n * sizeof *pa), *pb = malloc(n * sizeof *pb);
    double *qa = C ? malloc((size_t)n * C * sizeof *qa) : NULL, *qb = C ? malloc((size_t)n * C * sizeof *qb) : NULL;
    ut_err e;
    ut_err_clear(&e);
    int ok;
    if (f == RT_FAM_FOREST)
        ok = !rt_forest_predict_capped(a, d->X, n, count, cap, pa, qa, &e) &&
             !rt_forest_predict_capped(b, d->X, n, count, cap, pb, qb, &e);
    else
        ok = !rt_gbt_predict_rounds(a, d->X, n, count, pa, qa, &e) && !rt_gbt_predict_rounds(b, d->X, n, count, pb, qb, &e);
    ok = ok && !memcmp(pa, pb, n * sizeof *pa) && (!C || !memcmp(qa, qb, (size_t)n * C * sizeof *qa));
    free(pa), free(pb), free(qa), free(qb);
    return ok;
}

static rt_model *fit(rt_family f, const rt_pval *pv, const data_t *d)
{
    rt_trainset ts = {d->X, d->n, d->p, d->K ? NULL : d->y, d->K ? d->yc : NULL, d->K, 17};
    rt_model *m = NULL;
    ut_err e;
    ut_err_clear(&e);
    if (rt_fit(f, pv, &ts, &m, &e)) printf("fit: %s\n", e.msg);
    return m;
}

static rt_model *fit_from(rt_family f, const rt_pval *pv, const data_t *d, const rt_model *from)
{
    rt_trainset ts = {d->X, d->n, d->p, d->K ? NULL : d->y, d->K ? d->yc : NULL, d->K, 17};
    rt_model *m = NULL;
    ut_err e;
    ut_err_clear(&e);
    int rc = f == RT_FAM_FOREST ? rt_forest_fit_from(pv, &ts, from, &m, &e) : rt_gbt_fit_from(pv, &ts, from, &m, &e);
    if (rc) printf("fit_from: %s\n", e.msg);
    return m;
}

static int same_forest(const rt_model *a, const rt_model *b, int shift)
{
    const rt_forest_impl *x = a->impl, *y = b->impl;
    if (x->ntrees != y->ntrees) return 0;
    for (int t = 0; t + shift < x->ntrees; t++)
        if (!same_tree(&x->trees[t], &y->trees[t + shift])) return 0;
    return 1;
}

static int same_gbt(const rt_model *a, const rt_model *b)
{
    const rt_gbt_impl *x = a->impl, *y = b->impl;
    if (x->K != y->K || x->rounds != y->rounds || x->nfit != y->nfit || memcmp(&x->lr, &y->lr, sizeof x->lr)) return 0;
    if (x->K && (memcmp(x->init, y->init, (size_t)x->K * sizeof *x->init) ||
                 memcmp(x->loss, y->loss, (size_t)x->rounds * sizeof *x->loss)))
        return 0;
    for (int t = 0; t < x->rounds * x->K; t++)
        if (!same_tree(&x->trees[t], &y->trees[t])) return 0;
    return 1;
}

/* forest params.def order: trees, max_depth, max_features, min_samples_leaf, criterion, pos_weight, neg_weight */
static void forest_case(const char *name, const data_t *d, int cap, double mf, double pos_w)
{
    rt_pval pv[7] = {{12, 0}, {cap, 0}, {mf, 0}, {2, 0}, {0, "auto"}, {pos_w, 0}, {1, 0}};
    rt_model *full = fit(RT_FAM_FOREST, pv, d);
    pv[0].num = 5;
    rt_model *small = fit(RT_FAM_FOREST, pv, d);
    pv[0].num = 9;
    rt_model *mid = small ? fit_from(RT_FAM_FOREST, pv, d, small) : NULL;
    pv[0].num = 12;
    rt_model *ext = mid ? fit_from(RT_FAM_FOREST, pv, d, mid) : NULL;   /* extended twice: 5 -> 9 -> 12 */
    CHECK(full && ext, "%s: fits failed", name);
    if (full && ext) {
        CHECK(rt_forest_ntrees(ext) == 12, "%s: %d trees", name, rt_forest_ntrees(ext));
        CHECK(same_forest(full, ext, 0), "%s: extended forest differs from the forest grown at once", name);
        /* off by one tree: the comparison must see it */
        CHECK(!same_forest(ext, full, 1), "%s: the tree comparison cannot tell tree t from tree t + 1", name);
        for (int t = 1; t <= 12; t += 3)
            for (int c = 0; c <= 3; c++)
                CHECK(same_predictions(full, ext, d, RT_FAM_FOREST, t, c), "%s: predictions differ (%d trees, cap %d)",
                      name, t, c);
        ncases++;
    }
    rt_model_free(full);
    rt_model_free(small);
    rt_model_free(mid);
    rt_model_free(ext);
}

/* gbt params.def order: rounds, learning_rate, max_depth, min_samples_leaf, subsample */
static void gbt_case(const char *name, const data_t *d, double sub)
{
    rt_pval pv[5] = {{15, 0}, {0.2, 0}, {3, 0}, {2, 0}, {sub, 0}};
    rt_model *full = fit(RT_FAM_GBT, pv, d);
    pv[0].num = 16;
    rt_model *more = fit(RT_FAM_GBT, pv, d);
    pv[0].num = 4;
    rt_model *small = fit(RT_FAM_GBT, pv, d);
    pv[0].num = 10;
    rt_model *mid = small ? fit_from(RT_FAM_GBT, pv, d, small) : NULL;
    pv[0].num = 15;
    rt_model *ext = mid ? fit_from(RT_FAM_GBT, pv, d, mid) : NULL;
    CHECK(full && more && ext, "%s: fits failed", name);
    if (full && more && ext) {
        CHECK(rt_gbt_rounds(ext) == 15, "%s: %d rounds", name, rt_gbt_rounds(ext));
        CHECK(same_gbt(full, ext), "%s: continued gbt differs from the model boosted at once", name);
        CHECK(!same_gbt(more, ext), "%s: the comparison cannot tell 15 rounds from 16", name);
        for (int r = 0; r <= 15; r += 3)
            CHECK(same_predictions(full, ext, d, RT_FAM_GBT, r, 0), "%s: predictions differ after %d rounds", name, r);
        /* one round more or less is visible in the predictions */
        CHECK(!same_predictions(more, ext, d, RT_FAM_GBT, 16, 0), "%s: 15 and 16 rounds predict the same", name);
        ncases++;
    }
    /* a model of other rows is refused, not continued */
    if (small) {
        data_t o;
        make(&o, d->K, d->n, 999);
        rt_trainset ts = {o.X, o.n, o.p, o.K ? NULL : o.y, o.K ? o.yc : NULL, o.K, 17};
        rt_model *m = NULL;
        ut_err e;
        ut_err_clear(&e);
        int rc = rt_gbt_fit_from(pv, &ts, small, &m, &e);
        CHECK(rc == -1 && !m && e.code == MLG_DATA, "%s: continuing a model of other rows: rc %d code %d", name, rc,
              e.code);
        data_free(&o);
    }
    rt_model_free(full);
    rt_model_free(more);
    rt_model_free(small);
    rt_model_free(mid);
    rt_model_free(ext);
}

int main(void)
{
    data_t c3, c2, rg;
    make(&c3, 3, 300, 1);
    make(&c2, 2, 260, 2);
    make(&rg, 0, 280, 3);
    forest_case("3 classes, cap 6, sqrt(p) features", &c3, 6, 0, 1);
    forest_case("3 classes, no cap, 3 features", &c3, 0, 3, 1);
    forest_case("2 classes, class weights", &c2, 4, 0, 2.5);
    forest_case("regression, cap 5", &rg, 5, 0, 1);
    forest_case("regression, half the features", &rg, 0, 0.5, 1);
    gbt_case("gbt 3 classes", &c3, 1.0);
    gbt_case("gbt 3 classes, subsample", &c3, 0.7);
    gbt_case("gbt 2 classes, subsample", &c2, 0.6);
    gbt_case("gbt regression", &rg, 1.0);
    gbt_case("gbt regression, subsample", &rg, 0.5);
    data_free(&c3);
    data_free(&c2);
    data_free(&rg);
    CHECK(ncases == 10, "%d cases ran", ncases);
    if (failures) {
        printf("%d failure(s)\n", failures);
        return 1;
    }
    printf("forest / gbt extension: %d cases bit for bit\n", ncases);
    return 0;
}
