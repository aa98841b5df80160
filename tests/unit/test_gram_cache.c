/* test_gram_cache.c — ridge's per-fold Gram blocks in the intermediate
 * cache (runtime/cache_gram.c, ridge_folds.c) on a real catalog file:
 *   - the stored block reads back bit for bit, and every round's ridge
 *     from it (coefficients, intercepts, test-row predictions and class
 *     probabilities; raw and standardized; several alphas) is bit for bit
 *     the ridge from the block computed from the table — multiclass
 *     (wine), binary (breast_cancer) and regression (diabetes_progression);
 *   - rt_ridge_folds_cached loads a stored entry, and computes (and
 *     offers) when there is none;
 *   - a payload byte flipped (checksum), a deleted file, another shape
 *     (other p, other fold count, other classes) and payloads whose
 *     checksums hold but whose numbers cannot be the statistics (rows per
 *     fold, totals, ranges, asymmetric or negative Gram diagonal, NaN,
 *     class sums) are each reported, the entry removed, and the
 *     statistics computed again — equal to the fresh ones;
 *   - the entry's lineage changes with the fold count and differs from
 *     the blocks' own lineage (the payload's format is in it). */
#include "../../runtime/cache.h"
#include "../../runtime/cache_internal.h"
#include "../../runtime/folds.h"
#include "../../runtime/model.h"
#include "../../runtime/families.h"
#include "../../runtime/transform.h"
#include "../../include/mileage.h"
#include "cache_ctx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "fixture.h"


#define DATA "0123456789abcdef0123456789abcdef"
#define F 5

static char dbpath[600];

typedef struct {
    rt_table *t;
    int target, n, K;
    int *yc, *fold;
    const double *y;
} task_t;

static int load(task_t *d, const char *file, int classify)
{
    char path[512];
    snprintf(path, sizeof path, "%s/data/%s", MLG_SOURCE_DIR, file);
    ut_err e;
    ut_err_clear(&e);
    memset(d, 0, sizeof *d);
    if (rt_read_csv(path, NULL, &d->t, &e)) {
        fprintf(stderr, "%s: %s\n", file, e.msg);
        return -1;
    }
    d->target = rt_table_find(d->t, "target");
    d->n = d->t->nrows;
    d->yc = malloc(sizeof(int) * (size_t)d->n);
    d->fold = malloc(sizeof(int) * (size_t)d->n);
    if (classify) rt_target_classes(&d->t->cols[d->target], d->n, d->yc, &d->K, NULL, &e);
    d->y = classify ? NULL : d->t->cols[d->target].num;
    return rt_folds_cv(d->n, F, classify ? d->yc : NULL, d->K, NULL, 7, d->fold, &e);
}

static void task_free(task_t *d)
{
    rt_table_free(d->t);
    free(d->yc);
    free(d->fold);
}

static rt_ridge_folds *compute(const task_t *d)
{
    rt_ridge_folds *rf = NULL;
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_ridge_folds_new(d->t, d->target, d->fold, F, d->yc, d->y, d->K, &rf, &e) == 0 && rf);
    return rf;
}

static int load_gram(rt_ctx *c, const char *lin, const task_t *d, rt_ridge_folds **rf)
{
    ut_err e;
    ut_err_clear(&e);
    return rt_cache_load_gram(c, lin, d->t, d->target, d->fold, F, d->yc, d->y, d->K, rf, &e);
}

static int same_block(const rt_ridge_folds *a, const rt_ridge_folds *b)
{
    size_t na, nb;
    const double *x = rt_ridge_folds_data(a, &na), *y = rt_ridge_folds_data(b, &nb);
    return na == nb && !memcmp(x, y, na * sizeof *x);
}

/* Every round's models and predictions from a and from b: bit for bit. */
static int same_fits(const task_t *d, const rt_ridge_folds *a, const rt_ridge_folds *b)
{
    const double alphas[3] = {1e-2, 1, 100};
    int p = rt_ridge_folds_p(a), same = 1, nt = 0, K = d->K;
    int *train = malloc(sizeof(int) * (size_t)d->n), *test = malloc(sizeof(int) * (size_t)d->n);
    double *Xt = malloc(sizeof(double) * (size_t)d->n * (size_t)p);
    ut_err e;
    ut_err_clear(&e);
    for (int standardize = 0; standardize <= 1; standardize++)
        for (int k = 0; k < F; k++) {
            int ntr;
            fixture_round_rows(d->fold, d->n, k, train, &ntr, test, &nt);
            rt_model *m[2][3];
            char *err[2][3] = {{0}};
            for (int w = 0; w < 2; w++) {
                for (int i = 0; i < 3; i++) {
                    m[w][i] = calloc(1, sizeof(rt_model));
                    m[w][i]->family = RT_FAM_RIDGE;
                    m[w][i]->p = p;
                    m[w][i]->nclasses = K;
                }
                CHECK(rt_ridge_folds_fit(w ? b : a, k, standardize, alphas, 3, m[w], err[w], &e) == 0);
            }
            for (int i = 0; i < 3; i++) {
                int nout = m[0][i]->nout;
                same &= !err[0][i] && !err[1][i] && nout == m[1][i]->nout && nout > 0 &&
                        !memcmp(m[0][i]->coef, m[1][i]->coef, sizeof(double) * (size_t)nout * p) &&
                        !memcmp(m[0][i]->intercept, m[1][i]->intercept, sizeof(double) * (size_t)nout);
                for (int w = 0; w < 2; w++) {
                    rt_model_free(m[w][i]);
                    free(err[w][i]);
                }
            }
            /* predictions on the round's test rows, as EXPLORE makes them */
            rt_tf_step st = {.kind = RT_TF_STANDARDIZE};
            rt_design des;
            CHECK(rt_pipeline_run(d->t, d->target, &st, standardize, train, ntr, &des, &e) == 0 && des.p == p);
            for (int i = 0; i < nt; i++)
                memcpy(Xt + (size_t)i * p, des.x + (size_t)test[i] * p, sizeof(double) * (size_t)p);
            rt_design_free(&des);
            rt_pval pv[3][2];
            const rt_pval *params[3];
            rt_group_out out[2][3];
            memset(out, 0, sizeof out);
            for (int i = 0; i < 3; i++) {
                pv[i][0] = (rt_pval){alphas[i], NULL};
                pv[i][1] = (rt_pval){1, NULL};
                params[i] = pv[i];
                for (int w = 0; w < 2; w++) {
                    out[w][i].pred = malloc(sizeof(double) * (size_t)nt);
                    out[w][i].proba = K ? malloc(sizeof(double) * (size_t)nt * K) : NULL;
                }
            }
            for (int w = 0; w < 2; w++)
                CHECK(rt_fit_predict_gram_folds(w ? b : a, RT_FAM_RIDGE, k, standardize, params, 3, p, K, Xt, nt,
                                                out[w], &e) == 0);
            for (int i = 0; i < 3; i++) {
                same &= !out[0][i].error && !out[1][i].error &&
                        !memcmp(out[0][i].pred, out[1][i].pred, sizeof(double) * (size_t)nt) &&
                        (!K || !memcmp(out[0][i].proba, out[1][i].proba, sizeof(double) * (size_t)nt * K));
                for (int w = 0; w < 2; w++) {
                    free(out[w][i].pred);
                    free(out[w][i].proba);
                    free(out[w][i].error);
                    free(out[w][i].warning);
                }
            }
        }
    free(train);
    free(test);
    free(Xt);
    return same;
}

#define rows(c) cache_ctx_rows(c)

/* The entry's file, for damaging it. */
static void file_of(rt_ctx *c, const char *lin, char *path, size_t n)
{
    cat_cache_entry en;
    ut_err e;
    ut_err_clear(&e);
    path[0] = 0;
    if (cat_cache_get(c->cat, lin, &en, &e) == 1) {
        snprintf(path, n, "%s.cache/%s", dbpath, en.file);
        cat_cache_entry_clear(&en);
    }
}

/* A load that must fail with a note containing `why`, remove the entry,
 * and leave rt_ridge_folds_cached to compute statistics equal to ref. */
static void expect_unusable(rt_ctx *c, const char *lin, const task_t *d, const rt_ridge_folds *ref, const char *why)
{
    free(rt_cache_take_notes(c));
    rt_ridge_folds *rf = (rt_ridge_folds *)1;
    CHECK(load_gram(c, lin, d, &rf) == 0 && rf == NULL);
    char *notes = rt_cache_take_notes(c);
    CHECK(notes && strstr(notes, why) && strstr(notes, "removed and recomputed"));
    if (!notes || !strstr(notes, why)) fprintf(stderr, "  expected '%s', noted: %s\n", why, notes ? notes : "nothing");
    free(notes);
    CHECK(rows(c) == 0);
    int decision = 0;
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_ridge_folds_cached(c, lin, "test", d->t, d->target, d->fold, F, d->yc, d->y, d->K, 1e-6, &rf, &decision,
                                &e) == 0 && rf);
    CHECK(decision == RT_GRAM_COMPUTED);
    CHECK(rf && same_block(rf, ref));
    rt_ridge_folds_free(rf);
}

/* Offers block x (of ref's shape, or dims given) under lin as if computed
 * in 10 s: stored whatever the numbers. */
static void offer_raw(rt_ctx *c, const char *lin, const double *x, size_t nd, int64_t nf, int64_t p, int64_t K)
{
    const void *piece[1] = {x};
    size_t len[1] = {nd * sizeof(double)};
    int64_t dims[3] = {nf, p, K};
    rt_cache_offer(c, lin, "gram blocks, test", RT_CACHE_KIND_GRAM, dims, piece, len, 1, 10.0);
    CHECK(rows(c) == 1);
}

static void test_roundtrip(rt_ctx *c, const char *file, int classify)
{
    task_t d;
    if (load(&d, file, classify)) {
        CHECK(0);
        return;
    }
    char *msg = NULL;
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_cache_clear_all(c, &msg, &e) == 0);
    free(msg);
    cat_task tk = {.target = "target", .kind = classify ? "classification" : "regression",
                   .protocol_json = "{\"type\":\"cv\",\"k\":5}", .seed = 7, .folds_hash = "ab"};
    rt_lineage_hex lin;
    CHECK(rt_lineage_gram_entry(DATA, &tk, F, lin) == 0);
    rt_ridge_folds *ref = compute(&d), *rf = NULL;
    int p = ref ? rt_ridge_folds_p(ref) : 0;
    /* nothing stored: computed, and offered — valued at a microsecond,
     * far below what storing costs, so it is not kept (valued at the
     * measured pass instead, a slow machine or valgrind would keep it) */
    int decision = 0;
    CHECK(rt_ridge_folds_cached(c, lin, "test", d.t, d.target, d.fold, F, d.yc, d.y, d.K, 1e-6, &rf, &decision,
                                &e) == 0);
    CHECK(decision == RT_GRAM_COMPUTED && rf && same_block(rf, ref));
    rt_ridge_folds_free(rf);
    rf = NULL;
    CHECK(rows(c) == 0);
    /* valued at the caller's estimate, not the pass's microseconds: the
     * executor keeps exactly what EXPLAIN's cost model said it would */
    CHECK(rt_ridge_folds_cached(c, lin, "test", d.t, d.target, d.fold, F, d.yc, d.y, d.K, 10.0, &rf, &decision,
                                &e) == 0);
    CHECK(decision == RT_GRAM_COMPUTED && rf && same_block(rf, ref));
    CHECK(rows(c) == 1);
    rt_ridge_folds_free(rf);
    rf = NULL;
    CHECK(rt_cache_clear_all(c, &msg, &e) == 0);
    free(msg);
    msg = NULL;
    CHECK(rows(c) == 0);
    /* stored (as if it had taken 10 s): loaded bit for bit, and every fit
     * and prediction from it is that of the computed statistics */
    rt_cache_offer_gram(c, lin, "gram blocks, test", ref, 10.0);
    CHECK(rows(c) == 1);
    CHECK(rt_cache_gram_stored(c, lin, F, p, d.K) == 1);
    CHECK(rt_cache_gram_stored(c, lin, F + 1, p, d.K) == 0);
    CHECK(load_gram(c, lin, &d, &rf) == 1 && rf);
    CHECK(rf && same_block(rf, ref));
    CHECK(rf && same_fits(&d, ref, rf));
    rt_ridge_folds_free(rf);
    rf = NULL;
    CHECK(rt_ridge_folds_cached(c, lin, "test", d.t, d.target, d.fold, F, d.yc, d.y, d.K, -1, &rf, &decision, &e) == 0);
    CHECK(decision == RT_GRAM_LOADED && rf && same_block(rf, ref));
    rt_ridge_folds_free(rf);
    free(rt_cache_take_notes(c));

    /* a payload byte flipped: the checksum */
    char path[1200];
    file_of(c, lin, path, sizeof path);
    FILE *f = fopen(path, "r+b");
    CHECK(f != NULL);
    if (f) {
        fseek(f, 96 + 8 * 40, SEEK_SET);
        int ch = fgetc(f);
        fseek(f, 96 + 8 * 40, SEEK_SET);
        fputc(ch ^ 1, f);
        fclose(f);
    }
    expect_unusable(c, lin, &d, ref, "payload is damaged (checksum)");
    /* the file deleted */
    rt_cache_offer_gram(c, lin, "gram blocks, test", ref, 10.0);
    file_of(c, lin, path, sizeof path);
    CHECK(unlink(path) == 0);
    expect_unusable(c, lin, &d, ref, "its file is missing");

    /* another shape under the same lineage: other p, other fold count,
     * other classes (sizes consistent with the header's dims) */
    size_t nd;
    const double *blk = rt_ridge_folds_data(ref, &nd);
    double *x = calloc(rt_ridge_folds_doubles(p + 1, F + 1, d.K + 3) + nd, sizeof *x);
    memcpy(x, blk, nd * sizeof *x);
    offer_raw(c, lin, x, rt_ridge_folds_doubles(p - 1, F, d.K), F, p - 1, d.K);
    expect_unusable(c, lin, &d, ref, "shape does not match");
    offer_raw(c, lin, x, rt_ridge_folds_doubles(p, F - 1, d.K), F - 1, p, d.K);
    expect_unusable(c, lin, &d, ref, "shape does not match");
    offer_raw(c, lin, x, rt_ridge_folds_doubles(p, F, d.K ? 0 : 3), F, p, d.K ? 0 : 3);
    expect_unusable(c, lin, &d, ref, "shape does not match");
    /* the header's dims right, the payload one double short */
    offer_raw(c, lin, x, nd - 1, F, p, d.K);
    expect_unusable(c, lin, &d, ref, "size does not match");

    /* checksums right, numbers impossible; the layout (ridge_folds.c):
     * shift[p], n[F+1], s[(F+1)p], S[(F+1)p p], T[(F+1)p nout], u[(F+1)nout],
     * lo[(F+1)p], hi[(F+1)p] */
    size_t P = (size_t)p, FF = F + 1, nout = d.K > 2 ? (size_t)d.K : 1;
    size_t o_n = P, o_s = o_n + FF, o_S = o_s + FF * P, o_T = o_S + FF * P * P, o_u = o_T + FF * P * nout;
    size_t o_lo = o_u + FF * nout, o_hi = o_lo + FF * P;
    struct {
        size_t at;
        double v;
        const char *why;
    } bad[] = {
        {o_n + 1, -1, "rows per fold"},                    /* fold 1 one row more (and a row less below) */
        {o_n + F, +1, "rows per fold"},                    /* the total one row more */
        {o_s + 2, NAN, "not finite"},
        {o_T + 3, INFINITY, "not finite"},
        {o_S + 1, 0.5, "totals"},                          /* fold 0's block without the total's change */
        {o_lo + 2, 1e300, "column ranges"},               /* fold 0: lo above hi */
        {o_hi + F * P + 1, 1e300, "column ranges"},       /* total range not the folds' */
    };
    for (size_t b = 0; b < sizeof bad / sizeof *bad; b++) {
        memcpy(x, blk, nd * sizeof *x);
        if (b == 0) {   /* counts moved between folds: totals still agree */
            x[o_n + 1] += 1;
            x[o_n + 2] -= 1;
        } else if (isnan(bad[b].v) || isinf(bad[b].v) || bad[b].v == 1e300) {
            x[bad[b].at] = bad[b].v;
        } else {
            x[bad[b].at] += bad[b].v;
        }
        offer_raw(c, lin, x, nd, F, p, d.K);
        expect_unusable(c, lin, &d, ref, bad[b].why);
    }
    /* an asymmetric block, totals kept consistent */
    memcpy(x, blk, nd * sizeof *x);
    x[o_S + 1] += 0.25;   /* fold 0, (0, 1) but not (1, 0) */
    x[o_S + F * P * P + 1] = 0;
    for (int f2 = 0; f2 < F; f2++) x[o_S + F * P * P + 1] += x[o_S + (size_t)f2 * P * P + 1];
    offer_raw(c, lin, x, nd, F, p, d.K);
    expect_unusable(c, lin, &d, ref, "not Gram matrices");
    if (d.K) {   /* a class target sum that +-1 codes cannot give (odd against the rows) */
        memcpy(x, blk, nd * sizeof *x);
        x[o_u] += 1;
        x[o_u + F * nout] = 0;
        for (int f2 = 0; f2 < F; f2++) x[o_u + F * nout] += x[o_u + (size_t)f2 * nout];
        offer_raw(c, lin, x, nd, F, p, d.K);
        expect_unusable(c, lin, &d, ref, "+-1 codes");
    }
    free(x);
    rt_ridge_folds_free(ref);
    task_free(&d);
}

static void test_lineage(void)
{
    cat_task t = {.target = "target", .kind = "classification", .protocol_json = "{\"type\":\"cv\",\"k\":5}",
                  .seed = 7, .folds_hash = "ab"};
    rt_lineage_hex a, b, blocks;
    rt_lineage_gram_entry(DATA, &t, 5, a);
    rt_lineage_gram_entry(DATA, &t, 5, b);
    CHECK(!strcmp(a, b));
    rt_lineage_gram_entry(DATA, &t, 4, b);
    CHECK(strcmp(a, b));
    rt_lineage_gram_blocks(DATA, &t, 5, blocks);
    CHECK(strcmp(a, blocks));
}

int main(void)
{
    char tmpl[] = "/tmp/mlg_test_gram_cache_XXXXXX";
    rt_ctx c;
    if (cache_ctx_open(tmpl, dbpath, sizeof dbpath, &c)) return 1;
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_cache_active(&c));
    test_lineage();
    test_roundtrip(&c, "wine.csv", 1);
    test_roundtrip(&c, "breast_cancer.csv", 1);
    test_roundtrip(&c, "diabetes_progression.csv", 0);
    char *msg = NULL;
    CHECK(rt_cache_clear_all(&c, &msg, &e) == 0);
    free(msg);
    cache_ctx_close(&c, tmpl);
    printf("%d checks, %d failures\n", checks, failures);
    return failures != 0;
}
