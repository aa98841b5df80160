/* test_tree_extend.c — the ways a tree is shared, each bit for bit the
 * tree grown alone.  Continuing a tree grown to a smaller cap
 * (cart_grow_from, rt_tree_fit_from) must give the tree grown
 * to the larger cap at once: same nodes in the same order, same thresholds,
 * impurities, weights and node values, so the same predictions and
 * probabilities at every cap.  Data with ties (integer and binary columns,
 * a duplicated column), a constant column, class weights, min_samples_leaf,
 * trees that stop before their cap, and both ways of reading sorted values
 * (the sorted copy, and X through the order).  The comparison must also
 * see a wrong extension: a tree resumed as if grown one level deeper than
 * it was differs.  Trees of several min_samples_leaf grown at once
 * (cart_grow_leaves) must each equal the tree of its size grown alone, on
 * the same data, caps, criteria, class weights and reading paths. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../include/mileage.h"
#include "../../runtime/cart.h"
#include "../../runtime/ensemble.h"
#include "../../runtime/families.h"
#include "check.h"



typedef struct { double *X, *y; int *yc; int n, p, K; } data_t;

/* kind 0: 3 classes, 1: 2 classes, 2: regression; small: few rows (early
 * stops everywhere). */
static void make(data_t *d, int kind, int n, unsigned long long seed)
{
    int p = 8;
    ut_rng g;
    ut_rng_seed(&g, seed);
    d->n = n;
    d->p = p;
    d->K = kind == 0 ? 3 : kind == 1 ? 2 : 0;
    d->X = malloc((size_t)n * p * sizeof *d->X);
    d->y = malloc((size_t)n * sizeof *d->y);
    d->yc = malloc((size_t)n * sizeof *d->yc);
    for (int i = 0; i < n; i++) {
        double *x = d->X + (size_t)i * p;
        x[0] = ut_rng_uniform(&g) * 4 - 2;
        x[1] = (double)ut_rng_below(&g, 5);          /* ties */
        x[2] = (double)ut_rng_below(&g, 2);          /* binary: constant in many nodes */
        x[3] = x[0];                                 /* exact duplicate: feature ties */
        x[4] = 7.0;                                  /* constant everywhere */
        x[5] = ut_rng_uniform(&g);
        x[6] = (double)ut_rng_below(&g, 3) - 1.0;
        x[7] = round(ut_rng_uniform(&g) * 20) / 4;   /* coarse grid */
        double s = sin(2 * x[0]) + 0.5 * x[1] * x[2] - x[6] * x[5] + 0.3 * x[7] + 0.4 * (ut_rng_uniform(&g) - 0.5);
        d->y[i] = s;
        if (kind == 0) d->yc[i] = s < -0.2 ? 0 : s < 1.1 ? 1 : 2;
        else d->yc[i] = s > 0.8;
    }
}

static void data_free(data_t *d)
{
    free(d->X);
    free(d->y);
    free(d->yc);
}

/* Everything of the two trees, bit for bit. */
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

/* Predictions (the node each row ends in, and its value) at every cap. */
static int same_predictions(const cart_tree *a, const cart_tree *b, const data_t *d)
{
    for (int cap = 0; cap <= a->depth + 1; cap++)
        for (int i = 0; i < d->n; i++) {
            const double *x = d->X + (size_t)i * d->p;
            int la = cart_apply(a, x, cap), lb = cart_apply(b, x, cap);
            if (memcmp(a->value + (size_t)la * a->nout, b->value + (size_t)lb * b->nout, (size_t)a->nout * sizeof(double)))
                return 0;
        }
    return 1;
}

static int grow(const data_t *d, const double *w, cart_params cp, int cap, cart_tree *t)
{
    ut_err e;
    ut_err_clear(&e);
    cp.max_depth = cap;
    cart_builder *b = cart_builder_new(d->X, d->n, d->p, 0, &e);
    int rc = !b || cart_grow(b, d->K ? d->yc : NULL, d->K, d->K ? NULL : d->y, w, &cp, t, &e);
    if (rc) printf("grow: %s\n", e.msg);
    cart_builder_free(b);
    return rc;
}

static int extend(const data_t *d, const double *w, cart_params cp, const cart_tree *from, int from_cap, int cap,
                  cart_tree *t, ut_err *e)
{
    ut_err_clear(e);
    cp.max_depth = cap;
    cart_builder *b = cart_builder_new(d->X, d->n, d->p, 0, e);
    int rc = !b || cart_grow_from(b, d->K ? d->yc : NULL, d->K, d->K ? NULL : d->y, w, &cp, from, from_cap, t, e);
    cart_builder_free(b);
    return rc;
}

static int ncases, nstopped;

/* Extended from every small cap to several larger ones (and twice in a
 * row) against grown at once. */
static void check_case(const char *name, const data_t *d, const double *w, cart_params cp)
{
    static const int small[] = {1, 2, 3, 5};
    for (int si = 0; si < 4; si++) {
        int dcap = small[si];
        cart_tree from;
        if (grow(d, w, cp, dcap, &from)) {
            CHECK(0, "%s: grow to %d failed", name, dcap);
            continue;
        }
        nstopped += from.depth < dcap;
        int big[] = {dcap + 1, dcap + 3, 0};
        for (int bi = 0; bi < 3; bi++) {
            cart_tree direct, ext, ext2;
            ut_err e;
            if (grow(d, w, cp, big[bi], &direct)) {
                CHECK(0, "%s: grow failed", name);
                continue;
            }
            int rc = extend(d, w, cp, &from, dcap, big[bi], &ext, &e);
            CHECK(rc == 0, "%s: extend %d -> %d failed: %s", name, dcap, big[bi], e.msg);
            if (!rc) {
                CHECK(same_tree(&direct, &ext) && same_predictions(&direct, &ext, d),
                      "%s: extended %d -> %d differs from grown to %d (%d vs %d nodes)", name, dcap, big[bi],
                      big[bi], ext.nnodes, direct.nnodes);
                ncases++;
                /* an extended tree extends again */
                if (big[bi] > 0) {
                    rc = extend(d, w, cp, &ext, big[bi], 0, &ext2, &e);
                    cart_tree full;
                    if (!rc && !grow(d, w, cp, 0, &full)) {
                        CHECK(same_tree(&full, &ext2), "%s: %d -> %d -> unlimited differs", name, dcap, big[bi]);
                        cart_tree_free(&full);
                    }
                    CHECK(rc == 0, "%s: second extension failed: %s", name, e.msg);
                    cart_tree_free(&ext2);
                }
                cart_tree_free(&ext);
            }
            cart_tree_free(&direct);
        }
        cart_tree_free(&from);
    }
}

static void test_cases(void)
{
    for (int kind = 0; kind < 3; kind++)
        for (int size = 0; size < 2; size++) {
            data_t d;
            make(&d, kind, size ? 700 : 45, 17 + (unsigned long long)kind);
            for (int msl = 1; msl <= 4; msl += 3)
                for (int crit = 0; crit < (d.K ? 2 : 1); crit++) {
                    cart_params cp = {d.K ? (cart_criterion)crit : CART_MSE, 0, msl, 0, 5 + (uint64_t)crit,
                                      CART_AUTO};
                    char name[96];
                    snprintf(name, sizeof name, "kind %d, n %d, msl %d, crit %d", kind, d.n, msl, crit);
                    check_case(name, &d, NULL, cp);
                    if (kind == 1) {   /* class weights: pos_weight 3 */
                        double *w = malloc((size_t)d.n * sizeof *w);
                        for (int i = 0; i < d.n; i++) w[i] = d.yc[i] ? 3.0 : 1.0;
                        strcat(name, ", weighted");
                        check_case(name, &d, w, cp);
                        free(w);
                    }
                }
            data_free(&d);
        }
    CHECK(ncases >= 100, "only %d extensions compared", ncases);
    CHECK(nstopped > 0, "no tree stopped before its cap: early stops untested");
}

/* The low-memory path: values read from X through the order. */
static void test_no_value_copy(void)
{
    size_t saved = cart_val_copy_max;
    cart_val_copy_max = 0;
    data_t d;
    make(&d, 0, 700, 99);
    cart_params cp = {CART_GINI, 0, 1, 0, 3, CART_AUTO};
    check_case("no value copy", &d, NULL, cp);
    cart_val_copy_max = saved;
    data_free(&d);
}

/* The comparison sees a wrong extension: a tree grown to 3 resumed as if
 * grown to 4 keeps its depth-3 leaves as final (off by one) and so
 * differs; one resumed as if grown to 2 is refused; a tree of other rows
 * is refused (its counts do not match). */
static void test_detects_wrong(void)
{
    data_t d, o;
    make(&d, 0, 700, 5);
    make(&o, 0, 700, 6);
    cart_params cp = {CART_GINI, 0, 1, 0, 3, CART_AUTO};
    cart_tree from, direct, ext;
    ut_err e;
    if (grow(&d, NULL, cp, 3, &from) || grow(&d, NULL, cp, 8, &direct)) {
        CHECK(0, "grow failed");
        return;
    }
    CHECK(from.depth == 3, "the tree to 3 should reach depth 3 (got %d)", from.depth);
    int rc = extend(&d, NULL, cp, &from, 4, 8, &ext, &e);
    CHECK(rc == 0 && !same_tree(&direct, &ext), "an off-by-one extension was not detected");
    if (!rc) cart_tree_free(&ext);
    rc = extend(&d, NULL, cp, &from, 2, 8, &ext, &e);
    CHECK(rc != 0 && strstr(e.msg, "cannot resume"), "a cap below the tree's depth was accepted");
    rc = extend(&o, NULL, cp, &from, 3, 8, &ext, &e);
    CHECK(rc != 0 && strstr(e.msg, "not grown on these rows"), "a tree of other rows was accepted: %s", e.msg);
    cp.max_features = 3;
    rc = extend(&d, NULL, cp, &from, 3, 8, &ext, &e);
    CHECK(rc != 0, "drawn features (max_features < p) were accepted");
    cart_tree_free(&from);
    cart_tree_free(&direct);
    data_free(&d);
    data_free(&o);
}

/* Through the family: rt_tree_fit_from with class weights and
 * min_samples_leaf equals rt_fit at the larger cap, predictions and
 * probabilities bit for bit. */
static void test_family(void)
{
    data_t d;
    make(&d, 1, 700, 41);
    rt_pval pv[5] = {{4, NULL}, {2, NULL}, {0, "entropy"}, {2.5, NULL}, {1, NULL}};
    rt_trainset ts = {d.X, d.n, d.p, NULL, d.yc, 2, 9};
    rt_model *small = NULL, *direct = NULL, *ext = NULL;
    ut_err e;
    ut_err_clear(&e);
    int rc = rt_fit(RT_FAM_TREE, pv, &ts, &small, &e);
    pv[0].num = 9;
    rc = rc || rt_fit(RT_FAM_TREE, pv, &ts, &direct, &e) || rt_tree_fit_from(pv, &ts, small, 4, &ext, &e);
    CHECK(rc == 0, "family fit failed: %s", e.msg);
    if (!rc) {
        double *p1 = malloc((size_t)d.n * sizeof *p1), *p2 = malloc((size_t)d.n * sizeof *p2);
        double *q1 = malloc((size_t)d.n * 2 * sizeof *q1), *q2 = malloc((size_t)d.n * 2 * sizeof *q2);
        for (int cap = 0; cap <= 10; cap++) {
            rt_tree_predict_capped(direct, d.X, d.n, cap, p1, q1, &e);
            rt_tree_predict_capped(ext, d.X, d.n, cap, p2, q2, &e);
            CHECK(!memcmp(p1, p2, (size_t)d.n * sizeof *p1) && !memcmp(q1, q2, (size_t)d.n * 2 * sizeof *q1),
                  "family: predictions at cap %d differ", cap);
        }
        CHECK(same_tree(rt_tree_get(direct), rt_tree_get(ext)), "family: trees differ");
        free(p1);
        free(p2);
        free(q1);
        free(q2);
    }
    rt_model_free(small);
    rt_model_free(direct);
    rt_model_free(ext);
    data_free(&d);
}

/* ================= several leaf sizes grown at once ================= */

static int nleaf_trees, nforked;

/* cart_grow_leaves' trees against each size grown alone, bit for bit;
 * counts the sizes whose tree differs from the smallest size's though
 * their roots split alike (the growth forked below the root). */
static void check_leaves(const char *name, const data_t *d, const double *w, cart_params cp, const int *msl, int nv)
{
    cart_tree t[CART_MAX_LEAF_SIZES];
    ut_err e;
    ut_err_clear(&e);
    cart_builder *b = cart_builder_new(d->X, d->n, d->p, 0, &e);
    int rc = !b || cart_grow_leaves(b, d->K ? d->yc : NULL, d->K, d->K ? NULL : d->y, w, &cp, msl, nv, t, &e);
    cart_builder_free(b);
    CHECK(rc == 0, "%s: cart_grow_leaves failed: %s", name, e.msg);
    if (rc) return;
    for (int j = 0; j < nv; j++) {
        cart_tree alone;
        cart_params cj = cp;
        cj.min_samples_leaf = msl[j];
        if (grow(d, w, cj, cp.max_depth, &alone)) {
            CHECK(0, "%s: grow failed", name);
            continue;
        }
        CHECK(same_tree(&alone, &t[j]) && same_predictions(&alone, &t[j], d),
              "%s: leaf size %d grown with the others differs from grown alone (%d vs %d nodes)", name, msl[j],
              t[j].nnodes, alone.nnodes);
        nleaf_trees++;
        if (j && t[0].node[0].feature >= 0 && t[j].node[0].feature == t[0].node[0].feature &&
            t[j].node[0].threshold == t[0].node[0].threshold && !same_tree(&t[0], &t[j]))
            nforked++;
        cart_tree_free(&alone);
    }
    for (int j = 0; j < nv; j++) cart_tree_free(&t[j]);
}

static void test_leaf_sizes(void)
{
    static const int sets[][8] = {{5, 1, 2, 3, 5, 8}, {2, 1, 20}, {3, 2, 3, 4}, {7, 1, 4, 7, 10, 13, 16, 19}, {1, 3}};
    static const int caps[] = {0, 3, 7};
    for (int kind = 0; kind < 3; kind++)
        for (int size = 0; size < 3; size++) {
            data_t d;
            make(&d, kind, size == 0 ? 45 : size == 1 ? 700 : 3000, 31 + (unsigned long long)kind);
            for (int si = 0; si < 5; si++)
                for (int ci = 0; ci < 3; ci++)
                    for (int crit = 0; crit < (d.K ? 2 : 1); crit++) {
                        cart_params cp = {d.K ? (cart_criterion)crit : CART_MSE, caps[ci], 1, 0, 7 + (uint64_t)si,
                                          CART_AUTO};
                        char name[128];
                        snprintf(name, sizeof name, "leaves: kind %d, n %d, set %d, cap %d, crit %d", kind, d.n, si,
                                 caps[ci], crit);
                        check_leaves(name, &d, NULL, cp, sets[si] + 1, sets[si][0]);
                        if (kind == 1 && ci == 0) {   /* class weights: pos_weight 3 */
                            double *w = malloc((size_t)d.n * sizeof *w);
                            for (int i = 0; i < d.n; i++) w[i] = d.yc[i] ? 3.0 : 1.0;
                            strcat(name, ", weighted");
                            check_leaves(name, &d, w, cp, sets[si] + 1, sets[si][0]);
                            free(w);
                        }
                    }
            data_free(&d);
        }
    /* the other ways of reading a node's sorted columns: sorting per node,
     * and values read from X through the order */
    data_t d;
    make(&d, 0, 700, 77);
    cart_params cp = {CART_GINI, 0, 1, 0, 3, CART_NODE_SORT};
    check_leaves("leaves: sorted per node", &d, NULL, cp, sets[0] + 1, sets[0][0]);
    size_t saved = cart_val_copy_max;
    cart_val_copy_max = 0;
    cp.strategy = CART_AUTO;
    check_leaves("leaves: no value copy", &d, NULL, cp, sets[3] + 1, sets[3][0]);
    cart_val_copy_max = saved;
    /* refused: sizes not ascending */
    cart_tree t[CART_MAX_LEAF_SIZES];
    ut_err e;
    cart_builder *b = cart_builder_new(d.X, d.n, d.p, 0, &e);
    int bad[2] = {3, 2};
    CHECK(b && cart_grow_leaves(b, d.yc, d.K, NULL, NULL, &cp, bad, 2, t, &e) != 0 && strstr(e.msg, "ascending"),
          "descending leaf sizes were accepted");
    cart_builder_free(b);
    data_free(&d);
    /* a forest's trees: bootstrap weights, 3 of 8 features drawn per
     * split, a builder kept for many trees (columns sorted once) or not,
     * presorted or sorted per node — against each size grown alone by
     * cart_grow with the same builder kind */
    for (int kind = 0; kind < 3; kind++) {
        make(&d, kind, 900, 55 + (unsigned long long)kind);
        double *w = calloc((size_t)d.n, sizeof *w);
        ut_rng g;
        ut_rng_seed(&g, 9 + (unsigned long long)kind);
        for (int i = 0; i < d.n; i++) w[ut_rng_below(&g, (uint64_t)d.n)] += 1;
        for (int reuse = 0; reuse < 2; reuse++)
            for (int st = 0; st < 3; st += 2) {
                cart_params fp = {d.K ? CART_GINI : CART_MSE, 0, 1, 3, 21 + (uint64_t)reuse, (cart_strategy)st};
                const int *sz = sets[0] + 1;
                int nv = sets[0][0];
                b = cart_builder_new(d.X, d.n, d.p, reuse, &e);
                int rc = !b || cart_grow_leaves(b, d.K ? d.yc : NULL, d.K, d.K ? NULL : d.y, w, &fp, sz, nv, t, &e);
                CHECK(rc == 0, "drawn features: cart_grow_leaves failed: %s", e.msg);
                for (int j = 0; !rc && j < nv; j++) {
                    cart_tree alone;
                    cart_params fj = fp;
                    fj.min_samples_leaf = sz[j];
                    if (cart_grow(b, d.K ? d.yc : NULL, d.K, d.K ? NULL : d.y, w, &fj, &alone, &e)) {
                        CHECK(0, "drawn features: cart_grow failed: %s", e.msg);
                        continue;
                    }
                    CHECK(same_tree(&alone, &t[j]), "drawn features (kind %d, reuse %d, strategy %d): leaf size %d "
                          "differs from grown alone (%d vs %d nodes)", kind, reuse, st, sz[j], t[j].nnodes, alone.nnodes);
                    nleaf_trees++;
                    cart_tree_free(&alone);
                }
                for (int j = 0; !rc && j < nv; j++) cart_tree_free(&t[j]);
                cart_builder_free(b);
            }
        free(w);
        data_free(&d);
    }
    CHECK(nleaf_trees >= 560, "only %d trees of several leaf sizes compared", nleaf_trees);
    CHECK(nforked >= 50, "only %d growths forked below the root: forks untested", nforked);
}

/* Forests of several leaf sizes grown together (rt_forest_fit_leaves):
 * each one's predictions and probabilities, whole and cut at depth 3 and
 * at its first 4 trees, bit for bit rt_fit's forest of that size. */
static int nforests;
static void test_forest_leaves(void)
{
    static const int sizes[] = {1, 3, 8, 20};
    for (int kind = 0; kind < 3; kind++) {
        data_t d;
        make(&d, kind, 500, 71 + (unsigned long long)kind);
        rt_trainset ts = {d.X, d.n, d.p, d.K ? NULL : d.y, d.K ? d.yc : NULL, d.K, 13};
        rt_pval pv[8] = {{7, NULL}, {0, NULL}, {0.5, NULL}, {1, NULL}, {0, "auto"}, {1, NULL}, {1, NULL}, {0, NULL}};
        rt_model *got[4];
        ut_err e;
        ut_err_clear(&e);
        int rc = rt_forest_fit_leaves(pv, sizes, 4, &ts, got, &e);
        CHECK(rc == 0, "forest leaves (kind %d): %s", kind, e.msg);
        int K = d.K ? d.K : 1;
        double *p1 = malloc((size_t)d.n * sizeof *p1), *p2 = malloc((size_t)d.n * sizeof *p2);
        double *q1 = malloc((size_t)d.n * K * sizeof *q1), *q2 = malloc((size_t)d.n * K * sizeof *q2);
        for (int j = 0; !rc && j < 4; j++) {
            rt_model *alone = NULL;
            pv[3].num = sizes[j];
            if (rt_fit(RT_FAM_FOREST, pv, &ts, &alone, &e)) {
                CHECK(0, "forest alone: %s", e.msg);
                continue;
            }
            int same = 1;
            for (int v = 0; v < 3; v++) {
                int t = v == 2 ? 4 : 7, cap = v == 1 ? 3 : 0;
                same &= rt_forest_predict_capped(alone, d.X, d.n, t, cap, p1, d.K ? q1 : NULL, &e) == 0 &&
                        rt_forest_predict_capped(got[j], d.X, d.n, t, cap, p2, d.K ? q2 : NULL, &e) == 0 &&
                        !memcmp(p1, p2, (size_t)d.n * sizeof *p1) &&
                        (!d.K || !memcmp(q1, q2, (size_t)d.n * K * sizeof *q1));
            }
            CHECK(same, "forest (kind %d) of leaf size %d grown with the others differs from grown alone", kind,
                  sizes[j]);
            nforests++;
            rt_model_free(alone);
        }
        for (int j = 0; !rc && j < 4; j++) rt_model_free(got[j]);
        free(p1), free(p2), free(q1), free(q2);
        data_free(&d);
    }
    CHECK(nforests == 12, "only %d forests compared", nforests);
}

int main(void)
{
    test_forest_leaves();
    test_cases();
    test_no_value_copy();
    test_detects_wrong();
    test_family();
    test_leaf_sizes();
    printf("%d extensions compared, %d trees stopped before their cap\n", ncases, nstopped);
    printf("%d trees grown with other leaf sizes compared, %d forked below the root\n", nleaf_trees, nforked);
    if (failures) {
        printf("%d failure(s)\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
