/* test_lineage.c — lineage hashes change when, and only when, an input, a
 * parameter or the data changes: the data's content hash, reading options,
 * the task's folds / seed / protocol, the round, the rows and their order,
 * the target, every step parameter; and not with how parameters are
 * written (1e3 vs 1000, bin() vs bin(k = 5), default vs explicit column
 * selection, column-name case).  The one deliberate exception: the pca
 * family key (rt_lineage_design_family) leaves out the k of a pipeline's
 * last pca — and nothing else. */
#include "../../runtime/lineage.h"
#include "../../runtime/cache.h"
#include "../../runtime/families.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

#define SAME(a, b) CHECK(!strcmp((a), (b)))
#define DIFF(a, b) CHECK(strcmp((a), (b)) != 0)

static cat_dataset ds(const char *hash, const char *opts)
{
    cat_dataset d;
    memset(&d, 0, sizeof d);
    d.name = "d", d.path = "/x/d.csv", d.format = "csv", d.hash = (char *)hash, d.options_json = (char *)opts;
    d.nrows = 6, d.ncols = 3;
    return d;
}

static cat_task tk(const char *proto, long long seed, const char *folds)
{
    cat_task t;
    memset(&t, 0, sizeof t);
    t.name = "t", t.target = "y", t.kind = "classification", t.protocol_json = (char *)proto;
    t.seed = seed, t.folds_hash = (char *)folds;
    return t;
}

static const int train[] = {0, 1, 2, 3}, test[] = {4, 5};

static void fold_of(const cat_dataset *d, const cat_task *t, int round, const int *tr, rt_lineage_hex out)
{
    rt_lineage_hex data;
    CHECK(rt_lineage_data(d, data) == 0);
    CHECK(rt_lineage_fold(data, t, round, tr, 4, test, 2, out) == 0);
}

static void test_data_and_fold(void)
{
    cat_dataset a = ds("aaaa", "{}"), b = ds("aaab", "{}"), c = ds("aaaa", "{\"na\":\"?\"}"), a2 = ds("aaaa", "{}");
    a2.name = "renamed";   /* the name is not the content */
    a2.path = "/elsewhere/d.csv";
    rt_lineage_hex la, lb, lc, la2;
    rt_lineage_data(&a, la), rt_lineage_data(&b, lb), rt_lineage_data(&c, lc), rt_lineage_data(&a2, la2);
    DIFF(la, lb);   /* changed file contents */
    DIFF(la, lc);   /* other reading options */
    SAME(la, la2);  /* same bytes under another name or path */

    cat_task t = tk("{\"type\":\"cv\",\"k\":3}", 7, "ff"), t_seed = tk("{\"type\":\"cv\",\"k\":3}", 8, "ff"),
             t_k = tk("{\"type\":\"cv\",\"k\":4}", 7, "ff"), t_folds = tk("{\"type\":\"cv\",\"k\":3}", 7, "fe");
    rt_lineage_hex f0, f, g;
    fold_of(&a, &t, 0, train, f0);
    fold_of(&a, &t, 0, train, f);
    SAME(f0, f);
    fold_of(&b, &t, 0, train, g); DIFF(f0, g);        /* data */
    fold_of(&a, &t_seed, 0, train, g); DIFF(f0, g);   /* seed */
    fold_of(&a, &t_k, 0, train, g); DIFF(f0, g);      /* k */
    fold_of(&a, &t_folds, 0, train, g); DIFF(f0, g);  /* stored folds */
    fold_of(&a, &t, 1, train, g); DIFF(f0, g);        /* round */
    static const int shuffled[] = {1, 0, 2, 3}, other[] = {0, 1, 2, 5};
    fold_of(&a, &t, 0, shuffled, g); DIFF(f0, g);     /* row order */
    fold_of(&a, &t, 0, other, g); DIFF(f0, g);        /* rows */
}

static rt_tf_step step(rt_tf_kind k)
{
    rt_tf_step s;
    memset(&s, 0, sizeof s);
    s.kind = k;
    return s;
}

static void design_of(const char *fold, const char *target, const rt_tf_step *st, int n, rt_lineage_hex out)
{
    CHECK(rt_lineage_steps(fold, target, "classification", st, n, 1, out) == 0);
}

static void test_steps(void)
{
    const char *fold = "0123456789abcdef0123456789abcdef", *fold2 = "0123456789abcdef0123456789abcdee";
    rt_tf_step std = step(RT_TF_STANDARDIZE), pca = step(RT_TF_PCA);
    pca.k = 5;
    rt_tf_step a[2] = {std, pca};
    rt_lineage_hex h0, h;
    design_of(fold, "y", a, 2, h0);
    design_of(fold, "y", a, 2, h); SAME(h0, h);
    design_of(fold2, "y", a, 2, h); DIFF(h0, h);    /* the input */
    design_of(fold, "z", a, 2, h); DIFF(h0, h);     /* the target */
    design_of(fold, "y", a, 1, h); DIFF(h0, h);     /* a step fewer */
    rt_tf_step b[2] = {pca, std};
    design_of(fold, "y", b, 2, h); DIFF(h0, h);     /* order of steps */
    rt_tf_step c[2] = {std, pca};
    c[1].k = 6;
    design_of(fold, "y", c, 2, h); DIFF(h0, h);     /* a parameter */
    CHECK(rt_lineage_steps(fold, "y", "classification", a, 2, 0, h) == 0);
    DIFF(h0, h);                                    /* fitted transform vs design */
    CHECK(rt_lineage_steps(fold, "y", "regression", a, 2, 1, h) == 0);
    DIFF(h0, h);                                    /* the task kind (select_k reads it) */

    /* spelling: defaults written out, fields the kind does not read */
    rt_tf_step bin = step(RT_TF_BIN), bin5 = step(RT_TF_BIN), bin6 = step(RT_TF_BIN);
    bin5.k = 5, bin6.k = 6;
    rt_lineage_hex hb, hb5, hb6;
    design_of(fold, "y", &bin, 1, hb), design_of(fold, "y", &bin5, 1, hb5), design_of(fold, "y", &bin6, 1, hb6);
    SAME(hb, hb5); DIFF(hb, hb6);
    rt_tf_step poly = step(RT_TF_POLY), poly2 = step(RT_TF_POLY);
    poly2.degree = 2;
    design_of(fold, "y", &poly, 1, h0), design_of(fold, "y", &poly2, 1, h); SAME(h0, h);
    rt_tf_step sk = step(RT_TF_SELECT_K), sk10 = step(RT_TF_SELECT_K);
    sk10.k = 10;
    design_of(fold, "y", &sk, 1, h0), design_of(fold, "y", &sk10, 1, h); SAME(h0, h);
    rt_tf_step s1 = step(RT_TF_STANDARDIZE), s2 = step(RT_TF_STANDARDIZE), s3 = step(RT_TF_STANDARDIZE);
    s2.selector = RT_SEL_NUMERIC;   /* standardize ON numeric is the default */
    s3.selector = RT_SEL_ALL;
    s1.k = 99;                      /* standardize has no k */
    design_of(fold, "y", &s1, 1, h0), design_of(fold, "y", &s2, 1, h); SAME(h0, h);
    design_of(fold, "y", &s3, 1, h); DIFF(h0, h);
    /* impute: the constant counts only for the constant strategy; 1e3 = 1000 */
    rt_tf_step i1 = step(RT_TF_IMPUTE), i2 = step(RT_TF_IMPUTE), i3 = step(RT_TF_IMPUTE), i4 = step(RT_TF_IMPUTE);
    i2.constant = 3;
    i3.strategy = i4.strategy = RT_IMPUTE_CONSTANT;
    i3.constant = 1e3, i4.constant = 1000.0;
    design_of(fold, "y", &i1, 1, h0), design_of(fold, "y", &i2, 1, h); SAME(h0, h);
    design_of(fold, "y", &i3, 1, h0), design_of(fold, "y", &i4, 1, h); SAME(h0, h);
    i4.constant = 1000.5;
    design_of(fold, "y", &i4, 1, h); DIFF(h0, h);
    /* named columns compare case-insensitively; other names differ */
    char *n1[] = {"Age", "income"}, *n2[] = {"age", "INCOME"}, *n3[] = {"age", "incomes"};
    rt_tf_step d1 = step(RT_TF_DROP), d2 = step(RT_TF_DROP), d3 = step(RT_TF_DROP);
    d1.columns = n1, d2.columns = n2, d3.columns = n3;
    d1.ncolumns = d2.ncolumns = d3.ncolumns = 2;
    design_of(fold, "y", &d1, 1, h0), design_of(fold, "y", &d2, 1, h); SAME(h0, h);
    design_of(fold, "y", &d3, 1, h); DIFF(h0, h);
}

static void test_fit(void)
{
    const char *d = "0123456789abcdef0123456789abcdef";
    rt_lineage_hex a, b;
    rt_lineage_fit(d, "ridge", "{\"alpha\":1}", 1, a);
    rt_lineage_fit(d, "ridge", "{\"alpha\":1}", 1, b); SAME(a, b);
    rt_lineage_fit(d, "ridge", "{\"alpha\":2}", 1, b); DIFF(a, b);
    rt_lineage_fit(d, "lasso", "{\"alpha\":1}", 1, b); DIFF(a, b);
    rt_lineage_fit(d, "ridge", "{\"alpha\":1}", 2, b); DIFF(a, b);
    rt_lineage_fit("0123456789abcdef0123456789abcdee", "ridge", "{\"alpha\":1}", 1, b); DIFF(a, b);
}

/* A stored tree's lineage: every parameter but max_depth (a tree grown to
 * a cap serves the smaller ones), the design, the rows, the seed. */
static void test_tree(void)
{
    const char *d = "0123456789abcdef0123456789abcdef";
    rt_pval p[5] = {{8, NULL}, {1, NULL}, {0, "auto"}, {1, NULL}, {1, NULL}}, q[5];
    rt_lineage_hex a, b;
    rt_lineage_tree(d, p, 100, 1, a);
    memcpy(q, p, sizeof q);
    q[0].num = 12;
    rt_lineage_tree(d, q, 100, 1, b); SAME(a, b);
    q[0].num = 0;
    rt_lineage_tree(d, q, 100, 1, b); SAME(a, b);
    memcpy(q, p, sizeof q);
    q[2].str = "AUTO";
    rt_lineage_tree(d, q, 100, 1, b); SAME(a, b);
    q[2].str = "gini";
    rt_lineage_tree(d, q, 100, 1, b); DIFF(a, b);
    memcpy(q, p, sizeof q);
    q[1].num = 5;
    rt_lineage_tree(d, q, 100, 1, b); DIFF(a, b);
    memcpy(q, p, sizeof q);
    q[3].num = 2;
    rt_lineage_tree(d, q, 100, 1, b); DIFF(a, b);
    memcpy(q, p, sizeof q);
    q[4].num = 0.5;
    rt_lineage_tree(d, q, 100, 1, b); DIFF(a, b);
    rt_lineage_tree(d, p, 99, 1, b); DIFF(a, b);
    rt_lineage_tree(d, p, 100, 2, b); DIFF(a, b);
    rt_lineage_tree("0123456789abcdef0123456789abcdee", p, 100, 1, b); DIFF(a, b);
}

/* Gram blocks: the data, target, folds; neighbour lists: design, metric. */
static void test_gram_neighbors(void)
{
    const char *d = "0123456789abcdef0123456789abcdef", *d2 = "0123456789abcdef0123456789abcdee";
    cat_task t = tk("{\"type\":\"cv\",\"k\":5}", 1, "ff"), u;
    rt_lineage_hex a, b;
    rt_lineage_gram_blocks(d, &t, 5, a);
    rt_lineage_gram_blocks(d, &t, 5, b); SAME(a, b);
    rt_lineage_gram_blocks(d2, &t, 5, b); DIFF(a, b);
    rt_lineage_gram_blocks(d, &t, 4, b); DIFF(a, b);
    u = t, u.folds_hash = "fe";
    rt_lineage_gram_blocks(d, &u, 5, b); DIFF(a, b);
    u = t, u.target = "z";
    rt_lineage_gram_blocks(d, &u, 5, b); DIFF(a, b);
    u = t, u.seed = 2;
    rt_lineage_gram_blocks(d, &u, 5, b); DIFF(a, b);
    rt_lineage_neighbors(d, "euclidean", a);
    rt_lineage_neighbors(d, "Euclidean", b); SAME(a, b);
    rt_lineage_neighbors(d, NULL, b); SAME(a, b);
    rt_lineage_neighbors(d, "manhattan", b); DIFF(a, b);
    rt_lineage_neighbors(d2, "euclidean", b); DIFF(a, b);
    /* another kind of intermediate of the same input: another lineage */
    rt_lineage_gram_blocks(d, &t, 5, b); DIFF(a, b);
}

/* A pipeline of the given steps (texts only for the compiler's use). */
static cmp_pipeline pipe_of(rt_tf_step *st, int n, cmp_transform *tf)
{
    for (int i = 0; i < n; i++) tf[i] = (cmp_transform){st[i], 0, "step"};
    cmp_pipeline pl;
    memset(&pl, 0, sizeof pl);
    pl.steps = tf;
    pl.nsteps = n;
    pl.text = "steps";
    return pl;
}

static void test_pca_family(void)
{
    const char *fold = "0123456789abcdef0123456789abcdef", *fold2 = "0123456789abcdef0123456789abcdee";
    rt_tf_step st[2] = {step(RT_TF_STANDARDIZE), step(RT_TF_PCA)};
    cmp_transform tf[2];
    st[1].k = 10;
    cmp_pipeline pl = pipe_of(st, 2, tf);
    rt_lineage_hex f0, f, d0, d;
    CHECK(rt_lineage_design_family(fold, "y", "classification", &pl, f0) == 1);
    CHECK(rt_lineage_design(fold, "y", "classification", &pl, d0) == 0);
    DIFF(f0, d0);                                    /* another record than the design's */
    tf[1].step.k = 40;                               /* k: the family's, not the design's */
    CHECK(rt_lineage_design_family(fold, "y", "classification", &pl, f) == 1); SAME(f0, f);
    CHECK(rt_lineage_design(fold, "y", "classification", &pl, d) == 0); DIFF(d0, d);
    CHECK(rt_lineage_design_family(fold2, "y", "classification", &pl, f) == 1); DIFF(f0, f);   /* the fold */
    CHECK(rt_lineage_design_family(fold, "z", "classification", &pl, f) == 1); DIFF(f0, f);    /* the target */
    tf[1].step.selector = RT_SEL_ALL;                /* the pca's other parameters */
    CHECK(rt_lineage_design_family(fold, "y", "classification", &pl, f) == 1); DIFF(f0, f);
    tf[1].step.selector = RT_SEL_DEFAULT;
    tf[0].step = step(RT_TF_MINMAX);                 /* the steps before it */
    CHECK(rt_lineage_design_family(fold, "y", "classification", &pl, f) == 1); DIFF(f0, f);
    /* not a family: pca(k = 0) (every component), pca not last, no pca */
    tf[0].step = step(RT_TF_STANDARDIZE);
    tf[1].step.k = 0;
    CHECK(rt_lineage_design_family(fold, "y", "classification", &pl, f) == 0);
    rt_tf_step st2[2] = {st[1], step(RT_TF_STANDARDIZE)};
    st2[0].k = 10;
    cmp_transform tf2[2];
    cmp_pipeline p2 = pipe_of(st2, 2, tf2);
    CHECK(rt_lineage_design_family(fold, "y", "classification", &p2, f) == 0);
    p2.nsteps = 0;
    CHECK(rt_lineage_design_family(fold, "y", "classification", &p2, f) == 0);
    /* an earlier pca's k still counts */
    rt_tf_step st3[2] = {step(RT_TF_PCA), step(RT_TF_PCA)};
    st3[0].k = 30;
    st3[1].k = 5;
    cmp_transform tf3[2];
    cmp_pipeline p3 = pipe_of(st3, 2, tf3);
    CHECK(rt_lineage_design_family(fold, "y", "classification", &p3, f0) == 1);
    tf3[0].step.k = 20;
    CHECK(rt_lineage_design_family(fold, "y", "classification", &p3, f) == 1); DIFF(f0, f);
}

/* A FIT group's predictions: every configuration's parameters in order,
 * the design, the rows, the seed, sharing and path; a configuration's
 * model: its own parameters, and its group only when given. */
static void test_group_predictions(void)
{
    const char *d = "0123456789abcdef0123456789abcdef", *d2 = "0123456789abcdef0123456789abcdee";
    /* logreg: C, max_iter, tol, penalty, ... as params.def orders them */
    const rt_param_spec *specs;
    int np = rt_family_params(RT_FAM_LOGREG, &specs);
    rt_pval c1[16], c2[16], c3[16];
    for (int i = 0; i < np; i++) {
        c1[i].num = specs[i].def_num;
        c1[i].str = specs[i].def_str;
    }
    memcpy(c2, c1, sizeof c1);
    memcpy(c3, c1, sizeof c1);
    c1[0].num = 0.1, c2[0].num = 1, c3[0].num = 10;
    const rt_pval *g2[] = {c1, c2}, *g2r[] = {c2, c1}, *g3[] = {c1, c2, c3};
    rt_lineage_hex a, b;
    CHECK(rt_lineage_group_predictions(d, RT_FAM_LOGREG, g2, 2, 100, 50, 1, 1, 0, a) == 0);
    rt_lineage_group_predictions(d, RT_FAM_LOGREG, g2, 2, 100, 50, 1, 1, 0, b); SAME(a, b);
    rt_lineage_group_predictions(d, RT_FAM_LOGREG, g3, 3, 100, 50, 1, 1, 0, b); DIFF(a, b);   /* a member added */
    rt_lineage_group_predictions(d, RT_FAM_LOGREG, g2r, 2, 100, 50, 1, 1, 0, b); DIFF(a, b);  /* another order */
    rt_lineage_group_predictions(d2, RT_FAM_LOGREG, g2, 2, 100, 50, 1, 1, 0, b); DIFF(a, b);  /* the design */
    rt_lineage_group_predictions(d, RT_FAM_LOGREG, g2, 2, 99, 50, 1, 1, 0, b); DIFF(a, b);    /* training rows */
    rt_lineage_group_predictions(d, RT_FAM_LOGREG, g2, 2, 100, 49, 1, 1, 0, b); DIFF(a, b);   /* test rows */
    rt_lineage_group_predictions(d, RT_FAM_LOGREG, g2, 2, 100, 50, 2, 1, 0, b); DIFF(a, b);   /* seed */
    rt_lineage_group_predictions(d, RT_FAM_LOGREG, g2, 2, 100, 50, 1, 0, 0, b); DIFF(a, b);   /* not shared */
    rt_lineage_group_predictions(d, RT_FAM_LOGREG, g2, 2, 100, 50, 1, 1, 2, b); DIFF(a, b);   /* path */
    rt_pval c2b[16];
    memcpy(c2b, c2, sizeof c2);
    c2b[1].num += 1;   /* max_iter */
    const rt_pval *g2b[] = {c1, c2b};
    rt_lineage_group_predictions(d, RT_FAM_LOGREG, g2b, 2, 100, 50, 1, 1, 0, b); DIFF(a, b);  /* a parameter */
    c2b[1].num -= 1;
    c2b[3].str = "L2";   /* names compare case-insensitively, as the runtime does */
    rt_lineage_group_predictions(d, RT_FAM_LOGREG, g2b, 2, 100, 50, 1, 1, 0, b); SAME(a, b);
    c2b[0].num = -0.0 + 1;
    rt_lineage_group_predictions(d, RT_FAM_LOGREG, g2b, 2, 100, 50, 1, 1, 0, b); SAME(a, b);

    rt_lineage_hex m, n;
    CHECK(rt_lineage_config_model(d, RT_FAM_LOGREG, c1, 100, 1, NULL, m) == 0);
    rt_lineage_config_model(d, RT_FAM_LOGREG, c1, 100, 1, NULL, n); SAME(m, n);
    rt_lineage_config_model(d, RT_FAM_LOGREG, c2, 100, 1, NULL, n); DIFF(m, n);
    rt_lineage_config_model(d2, RT_FAM_LOGREG, c1, 100, 1, NULL, n); DIFF(m, n);
    rt_lineage_config_model(d, RT_FAM_LOGREG, c1, 101, 1, NULL, n); DIFF(m, n);
    rt_lineage_config_model(d, RT_FAM_LOGREG, c1, 100, 3, NULL, n); DIFF(m, n);
    rt_lineage_config_model(d, RT_FAM_LOGREG, c1, 100, 1, a, n); DIFF(m, n);       /* keyed by its group */
    rt_lineage_group_predictions(d, RT_FAM_LOGREG, g3, 3, 100, 50, 1, 1, 0, b);
    rt_lineage_config_model(d, RT_FAM_LOGREG, c1, 100, 1, a, m);
    rt_lineage_config_model(d, RT_FAM_LOGREG, c1, 100, 1, b, n); DIFF(m, n);       /* another group */
}

int main(void)
{
    test_data_and_fold();
    test_steps();
    test_fit();
    test_tree();
    test_gram_neighbors();
    test_pca_family();
    test_group_predictions();
    printf("%d checks, %d failures\n", checks, failures);
    return failures != 0;
}
