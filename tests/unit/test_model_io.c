/* test_model_io.c — trained pipelines: for every family and every
 * transform, a model fitted by rt_pmodel_train predicts its training rows
 * exactly (bit for bit) as the direct fit (rt_pipeline_run + rt_fit +
 * rt_predict) does; its JSON document reads back to a model that predicts
 * the same bits and writes the same text; damaged documents are refused
 * with the reason. */
#include "../../runtime/model_io.h"
#include "../../util/json.h"
#include "../../include/mileage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"

#ifndef MLG_SOURCE_DIR
#define MLG_SOURCE_DIR "."
#endif

#define CHECK_CONTAINS(s, sub) do { checks++; const char *s_ = (s); \
    if (!s_ || !strstr(s_, sub)) { failures++; \
    fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, s_ ? s_ : "(null)", sub); } } while (0)

static rt_table *load(const char *name, const rt_pmodel *typed)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/data/%s", MLG_SOURCE_DIR, name);
    rt_read_opts o;
    rt_read_opts_default(&o);
    if (typed) {
        o.col_mode = rt_pmodel_col_mode;
        o.col_mode_arg = (void *)typed;
    }
    rt_table *t = NULL;
    ut_err e;
    ut_err_clear(&e);
    if (rt_read_file(path, &o, &t, &e)) {
        fprintf(stderr, "cannot read %s: %s\n", path, e.msg);
        exit(2);
    }
    return t;
}

/* Predictions of pm on the file, through the PREDICT path. */
static int predict_file(const rt_pmodel *pm, const char *name, double **pred, double **proba, long *unseen)
{
    rt_table *raw = load(name, pm), *t = NULL;
    char *extra = NULL;
    ut_err e;
    ut_err_clear(&e);
    int rc = rt_pmodel_align(pm, raw, name, &t, &extra, &e);
    if (!rc) {
        *pred = malloc(sizeof(double) * (size_t)t->nrows);
        *proba = calloc((size_t)t->nrows * (size_t)(pm->nclasses ? pm->nclasses : 1), sizeof(double));
        rc = rt_pmodel_predict(pm, t, *pred, pm->nclasses ? *proba : NULL, unseen, &e);
    }
    if (rc) fprintf(stderr, "predict: %s\n", e.msg);
    free(extra);
    rt_table_free(t);
    rt_table_free(raw);
    return rc;
}

static int nfail_cases;

/* One family + pipeline on one dataset: train, compare with the direct
 * fit, round-trip the document. */
static void one(const char *file, const char *target, rt_family fam, const rt_pval *params, const rt_tf_step *steps,
                int nsteps, const char *label)
{
    rt_table *t = load(file, NULL);
    int tc = rt_table_find(t, target);
    rt_kind kind = rt_target_kind(&t->cols[tc]);
    ut_err e;
    ut_err_clear(&e);
    rt_pmodel *pm = NULL;
    if (rt_pmodel_train(t, tc, kind, steps, nsteps, label, fam, params, 7, "{\"test\":true}", &pm, &e)) {
        fprintf(stderr, "%s: train failed: %s\n", label, e.msg);
        failures++;
        rt_table_free(t);
        return;
    }
    /* direct fit on the same rows (every row has a target here) */
    int n = t->nrows, *train = malloc(sizeof(int) * (size_t)n), *yc = NULL, K = 0;
    for (int i = 0; i < n; i++) train[i] = i;
    rt_design d;
    CHECK(rt_pipeline_run(t, tc, steps, nsteps, train, n, &d, &e) == 0);
    if (kind == RT_CLASSIFICATION) {
        yc = malloc(sizeof(int) * (size_t)n);
        rt_target_classes(&t->cols[tc], n, yc, &K, NULL, &e);
    }
    rt_trainset ts = {d.x, n, d.p, kind == RT_REGRESSION ? t->cols[tc].num : NULL, yc, K, 7};
    rt_model *m = NULL;
    CHECK(rt_fit(fam, params, &ts, &m, &e) == 0);
    double *p0 = malloc(sizeof(double) * (size_t)n), *q0 = calloc((size_t)n * (size_t)(K ? K : 1), sizeof(double));
    CHECK(m && rt_predict(m, d.x, n, d.p, p0, K ? q0 : NULL, &e) == 0);

    double *p1 = NULL, *q1 = NULL, *p2 = NULL, *q2 = NULL;
    long unseen = -1;
    CHECK(predict_file(pm, file, &p1, &q1, &unseen) == 0);
    CHECK(unseen == 0);
    int same = p1 && !memcmp(p0, p1, sizeof(double) * (size_t)n) &&
               !memcmp(q0, q1, sizeof(double) * (size_t)n * (size_t)(K ? K : 1));
    if (!same) fprintf(stderr, "%s: PREDICT differs from the direct fit\n", label);
    CHECK(same);

    /* the document round trip */
    char *doc = rt_pmodel_to_json(pm, &e);
    CHECK(doc != NULL);
    rt_pmodel *back = NULL;
    if (doc && rt_pmodel_from_json(doc, strlen(doc), "doc", &back, &e)) {
        fprintf(stderr, "%s: read back: %s\n", label, e.msg);
        failures++;
    }
    if (back) {
        CHECK(predict_file(back, file, &p2, &q2, &unseen) == 0);
        same = p2 && !memcmp(p0, p2, sizeof(double) * (size_t)n) &&
               !memcmp(q0, q2, sizeof(double) * (size_t)n * (size_t)(K ? K : 1));
        if (!same) fprintf(stderr, "%s: the model read back predicts differently\n", label);
        CHECK(same);
        char *doc2 = rt_pmodel_to_json(back, &e);
        CHECK(doc2 && !strcmp(doc, doc2));
        free(doc2);
    }
    if (!same) nfail_cases++;
    free(doc);
    rt_pmodel_free(back);
    rt_pmodel_free(pm);
    rt_model_free(m);
    rt_design_free(&d);
    free(train);
    free(yc);
    free(p0);
    free(q0);
    free(p1);
    free(q1);
    free(p2);
    free(q2);
    rt_table_free(t);
}

static rt_pval *defaults(rt_family f)
{
    const rt_param_spec *sp;
    int np = rt_family_params(f, &sp);
    rt_pval *p = calloc((size_t)np + 1, sizeof *p);
    for (int i = 0; i < np; i++) p[i].num = sp[i].def_num, p[i].str = sp[i].def_str;
    return p;
}

static void set_num(rt_family f, rt_pval *p, const char *name, double v)
{
    const rt_param_spec *sp;
    int np = rt_family_params(f, &sp);
    for (int i = 0; i < np; i++)
        if (!strcmp(sp[i].name, name)) p[i].num = v;
}

static void test_all_families(void)
{
    rt_tf_step basic[3] = {
        {.kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEDIAN},
        {.kind = RT_TF_ONEHOT, .max_levels = 3},
        {.kind = RT_TF_STANDARDIZE},
    };
    for (int f = 0; f < RT_FAM__COUNT; f++) {
        rt_pval *p = defaults((rt_family)f);
        set_num((rt_family)f, p, "trees", 5);
        set_num((rt_family)f, p, "rounds", 5);
        set_num((rt_family)f, p, "max_iter", 200);
        if (rt_families[f].classification) one("credit-g.csv", "class", (rt_family)f, p, basic, 3, rt_families[f].name);
        if (rt_families[f].regression) one("cpu.csv", "class", (rt_family)f, p, basic + 2, 1, rt_families[f].name);
        free(p);
    }
    /* multiclass */
    rt_family mc[] = {RT_FAM_LOGREG, RT_FAM_RIDGE, RT_FAM_LINSVM, RT_FAM_NB, RT_FAM_GBT, RT_FAM_TREE};
    for (size_t i = 0; i < sizeof mc / sizeof mc[0]; i++) {
        rt_pval *p = defaults(mc[i]);
        set_num(mc[i], p, "rounds", 5);
        one("iris.csv", "target", mc[i], p, basic + 2, 1, "multiclass");
        free(p);
    }
}

static void test_all_transforms(void)
{
    rt_pval *lr = defaults(RT_FAM_LOGREG), *rg = defaults(RT_FAM_RIDGE);
    char *cols[] = {"duration", "age"};
    rt_tf_step a[] = {
        {.kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MOST_FREQUENT},
        {.kind = RT_TF_ONEHOT},
        {.kind = RT_TF_LOG1P, .selector = RT_SEL_NAMED, .columns = cols, .ncolumns = 2},
        {.kind = RT_TF_BIN, .k = 4, .bin_strategy = RT_BIN_QUANTILE, .selector = RT_SEL_NAMED, .columns = cols,
         .ncolumns = 1},
        {.kind = RT_TF_MINMAX},
        {.kind = RT_TF_SELECT_K, .k = 15},
        {.kind = RT_TF_PCA, .k = 6},
    };
    one("credit-g.csv", "class", RT_FAM_LOGREG, lr, a, 7, "impute+onehot+log1p+bin+minmax+select_k+pca");
    rt_tf_step b[] = {
        {.kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_CONSTANT, .constant = 1},
        {.kind = RT_TF_POLY, .degree = 2},
        {.kind = RT_TF_STANDARDIZE},
        {.kind = RT_TF_DROP, .selector = RT_SEL_NAMED, .columns = (char *[]){"MYCT"}, .ncolumns = 1},
        {.kind = RT_TF_BIN, .k = 3},
    };
    one("cpu.csv", "class", RT_FAM_RIDGE, rg, b, 5, "impute+poly+standardize+drop+bin");
    rt_tf_step c[] = {
        {.kind = RT_TF_KEEP, .selector = RT_SEL_NAMED, .columns = (char *[]){"purpose", "age", "duration"},
         .ncolumns = 3},
        {.kind = RT_TF_ONEHOT, .selector = RT_SEL_ALL, .max_levels = 4},
    };
    one("credit-g.csv", "class", RT_FAM_LOGREG, lr, c, 2, "keep+onehot(all)");
    free(lr);
    free(rg);
}

/* A document, damaged in several ways, is refused with the reason. */
static void expect_refused(const char *doc, const char *needle)
{
    rt_pmodel *pm = NULL;
    ut_err e;
    ut_err_clear(&e);
    int rc = rt_pmodel_from_json(doc, strlen(doc), "m.json", &pm, &e);
    CHECK(rc == -1 && pm == NULL);
    CHECK_CONTAINS(e.msg, needle);
    rt_pmodel_free(pm);
}

/* Replaces the first `from` by `to` and recomputes the checksum, so only
 * the field checks can catch it. */
static char *edit(const char *doc, const char *from, const char *to, int fix_checksum)
{
    const char *at = strstr(doc, from);
    if (!at) return NULL;
    size_t n = strlen(doc) + strlen(to) + 1;
    char *s = malloc(n);
    snprintf(s, n, "%.*s%s%s", (int)(at - doc), doc, to, at + strlen(from));
    if (fix_checksum) {
        char *c = strstr(s, "\"content\":") + 10;
        size_t len = strlen(c);
        while (len && (c[len - 1] == '\n' || c[len - 1] == '}')) len--;
        /* content is the object: from c to the matching brace, i.e. all but
         * the envelope's final "}\n" */
        len = strlen(c) - 2;
        ut_sha256 h;
        char hex[65];
        ut_sha256_init(&h);
        ut_sha256_update(&h, c, len);
        ut_sha256_hex(&h, hex);
        memcpy(strstr(s, "sha256:") + 7, hex, 64);
    }
    return s;
}

static void test_damaged(void)
{
    rt_table *t = load("iris.csv", NULL);
    int tc = rt_table_find(t, "target");
    rt_pval *p = defaults(RT_FAM_TREE);
    rt_tf_step st = {.kind = RT_TF_STANDARDIZE};
    rt_pmodel *pm = NULL;
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_pmodel_train(t, tc, RT_CLASSIFICATION, &st, 1, "standardize", RT_FAM_TREE, p, 1, "{}", &pm, &e) == 0);
    char *doc = pm ? rt_pmodel_to_json(pm, &e) : NULL;
    CHECK(doc != NULL);
    if (doc) {
        char *s;
        /* truncated */
        s = strdup(doc);
        s[strlen(s) / 2] = 0;
        expect_refused(s, "m.json: byte");
        free(s);
        /* a changed digit without a new checksum */
        s = edit(doc, "\"n_features\":4", "\"n_features\":5", 0);
        expect_refused(s, "checksum mismatch");
        free(s);
        /* shapes that do not agree, checksum made to match */
        s = edit(doc, "\"n_features\":4", "\"n_features\":5", 1);
        expect_refused(s, "the model takes 5 features, the pipeline makes 4");
        free(s);
        s = edit(doc, "\"left\":[1", "\"left\":[0", 1);
        expect_refused(s, "children must both be -1");
        free(s);
        s = edit(doc, "\"threshold\":[", "\"threshold\":[\"x\",", 1);
        expect_refused(s, "threshold");
        free(s);
        s = edit(doc, "\"format_version\":1", "\"format_version\":9", 0);
        expect_refused(s, "format version 9 is newer than this mileage reads (1)");
        free(s);
        s = edit(doc, "\"family\":\"tree\"", "\"family\":\"tree2\"", 1);
        expect_refused(s, "unknown model family");
        free(s);
        s = edit(doc, "\"max_depth\":0", "\"max_depth\":-3", 1);
        expect_refused(s, "out of its range");
        free(s);
        s = edit(doc, "\"values\":[", "\"values\":[1e999,", 1);
        expect_refused(s, "number out of range");
        free(s);
        s = edit(doc, "\"op\":\"standardize\"", "\"op\":\"minmax\"", 1);
        CHECK(s != NULL);
        /* reads (shapes are plausible) but cannot replay the wrong step */
        rt_pmodel *bad = NULL;
        if (s && rt_pmodel_from_json(s, strlen(s), "m.json", &bad, &e) == 0) {
            double *pr = NULL, *q = NULL;
            long u;
            ut_err_clear(&e);
            CHECK(predict_file(bad, "iris.csv", &pr, &q, &u) != 0);
            free(pr);
            free(q);
        }
        rt_pmodel_free(bad);
        free(s);
    }
    free(doc);
    rt_pmodel_free(pm);
    free(p);
    rt_table_free(t);
}

int main(void)
{
    test_all_families();
    test_all_transforms();
    test_damaged();
    if (failures) fprintf(stderr, "%d of %d checks failed (%d cases)\n", failures, checks, nfail_cases);
    else printf("test_model_io: %d checks passed\n", checks);
    return failures ? 1 : 0;
}
