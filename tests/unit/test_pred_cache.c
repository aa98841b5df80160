/* test_pred_cache.c — FIT groups' predictions and the linear families' /
 * naive Bayes' models in the intermediate cache (runtime/cache_pred.c) on
 * a real catalog file:
 *   - for logreg (a shared C path / batch and alone), ridge (shared), nb,
 *     linsvm, lasso, elasticnet and linreg: predictions loaded from the cache, and predictions
 *     made from loaded models when the predictions entry is gone, are bit
 *     for bit those of fitting (predictions, probabilities, warnings);
 *   - a missing file, a damaged payload (checksum), a payload whose
 *     checksum holds but whose probabilities / class codes are out of
 *     range, a payload of another shape and a model whose JSON fails its
 *     checks are noted, removed, never used: the group is fitted again;
 *   - a group of another composition (a C added) misses, and so do its
 *     logreg models (keyed by the group); FRESH reads nothing;
 *   - a group with a failed configuration is never stored. */
#include "../../runtime/cache_pred.h"
#include "../../runtime/cache_internal.h"
#include "../../runtime/families.h"
#include "../../include/mileage.h"
#include "cache_ctx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"


#define DESIGN "0123456789abcdef0123456789abcdef"

typedef struct { double *X, *Xt, *y; int *yc; int n, nt, p; } data_t;

static void make(data_t *d, int n, int nt, int p, unsigned long long seed)
{
    ut_rng g;
    ut_rng_seed(&g, seed);
    d->n = n, d->nt = nt, d->p = p;
    d->X = malloc((size_t)n * p * sizeof *d->X);
    d->Xt = malloc((size_t)nt * p * sizeof *d->Xt);
    d->y = malloc((size_t)n * sizeof *d->y);
    d->yc = malloc((size_t)n * sizeof *d->yc);
    for (int i = 0; i < n * p; i++) d->X[i] = ut_rng_uniform(&g) * 4 - 2;
    for (int i = 0; i < nt * p; i++) d->Xt[i] = ut_rng_uniform(&g) * 4 - 2;
    for (int i = 0; i < n; i++) {
        const double *r = d->X + (size_t)i * p;
        d->y[i] = r[0] - 0.5 * r[1] + 0.3 * ut_rng_uniform(&g);
        double s = r[0] + 0.7 * r[2] + 0.8 * (ut_rng_uniform(&g) - 0.5);
        d->yc[i] = s < -0.6 ? 0 : s < 0.6 ? 1 : 2;
    }
}

static void data_free(data_t *d)
{
    free(d->X);
    free(d->Xt);
    free(d->y);
    free(d->yc);
}

#define count_rows(c) cache_ctx_rows(c)

static rt_group_out *outs(int ncfg, int nt, int C)
{
    rt_group_out *o = calloc((size_t)ncfg, sizeof *o);
    for (int i = 0; i < ncfg; i++) {
        o[i].pred = malloc((size_t)nt * sizeof(double));
        o[i].proba = C ? calloc((size_t)nt * C, sizeof(double)) : NULL;
        for (int r = 0; r < nt; r++) o[i].pred[r] = -7;   /* never a prediction */
    }
    return o;
}

static int same_outs(const rt_group_out *a, const rt_group_out *b, int ncfg, int nt, int C)
{
    for (int i = 0; i < ncfg; i++) {
        if (a[i].error || b[i].error || a[i].stopped || b[i].stopped) return 0;
        if (memcmp(a[i].pred, b[i].pred, (size_t)nt * sizeof(double))) return 0;
        if (C && memcmp(a[i].proba, b[i].proba, (size_t)nt * C * sizeof(double))) return 0;
        if (!a[i].warning != !b[i].warning || (a[i].warning && strcmp(a[i].warning, b[i].warning))) return 0;
    }
    return 1;
}

static void outs_free(rt_group_out *o, int ncfg)
{
    for (int i = 0; i < ncfg; i++) {
        free(o[i].pred);
        free(o[i].proba);
        free(o[i].error);
        free(o[i].warning);
    }
    free(o);
}

static void clear(rt_ctx *c)
{
    char *msg = NULL;
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_cache_clear_all(c, &msg, &e) == 0);
    free(msg);
    free(rt_cache_take_notes(c));
}

static void file_of(rt_ctx *c, const char *lin, char *buf, size_t n)
{
    snprintf(buf, n, "%s.cache/%.32s.mlc", cat_file_path(c->cat), lin);
}

/* A one-pipeline query of configurations cfg[0..n) of family f (params
 * from the family's defaults with the first parameter set to v[i]). */
typedef struct {
    cmp_explore x;
    cmp_config cfg[8];
    rt_pval pv[8][16];
    cmp_pipeline pipe;
    opt_group g;
    int idx[8];
    opt_stats st;
} query;

/* logreg's max_iter when > 0: a cap the solver hits, so the runs carry a
 * "did not converge" warning the cache must give back */
static int logreg_iter_cap;

static void make_query(query *q, rt_family f, const double *v, int n, int shared, int nclasses, int nrows, int p)
{
    memset(q, 0, sizeof *q);
    const rt_param_spec *specs;
    int np = rt_family_params(f, &specs);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < np; j++) q->pv[i][j] = (rt_pval){specs[j].def_num, specs[j].def_str};
        if (v) q->pv[i][0].num = v[i];
        if (f == RT_FAM_LOGREG && logreg_iter_cap) q->pv[i][1].num = logreg_iter_cap;
        q->cfg[i] = (cmp_config){f, 0, q->pv[i], np, NULL, NULL};
        q->idx[i] = i;
    }
    q->pipe.text = (char *)"";
    q->x.configs = q->cfg;
    q->x.nconfigs = n;
    q->x.pipes = &q->pipe;
    q->x.npipes = 1;
    q->g = (opt_group){.configs = q->idx, .n = n, .shared = shared};
    /* the cost model told the data is large: worth storing */
    q->st = (opt_stats){.nrows = nrows, .nfeatures = p, .nclasses = nclasses, .nrounds = 3, .threads = 1};
}

static const rt_pval *const *params_of(query *q, const rt_pval **buf)
{
    for (int i = 0; i < q->g.n; i++) buf[i] = q->cfg[i].params;
    return buf;
}

/* Fits the group through the cache as run_group does: load, else fit
 * (keeping the models) and offer.  *how says which. */
static void through_cache(rt_ctx *c, query *q, const rt_trainset *ts, const data_t *d, rt_group_out *o, int *how)
{
    rt_pred_group pg;
    ut_err e;
    ut_err_clear(&e);
    int k = ts->nclasses;
    CHECK(rt_pred_group_init(&pg, c, &q->x, &q->g, &q->st, DESIGN, "test", 0, ts->n, d->nt, d->p, k, ts->seed, &e) == 0);
    CHECK(pg.c == c);
    int lr = rt_pred_group_load(&pg, d->Xt, o, how, &e);
    CHECK(lr >= 0);
    if (lr == 0) {
        const rt_pval *buf[8];
        CHECK(rt_fit_predict_group_keep(q->cfg[0].family, params_of(q, buf), q->g.n, q->g.shared, ts, d->Xt, d->nt, o,
                                        pg.models, &e) == 0);
        rt_pred_group_offer(&pg, o);
    }
    rt_pred_group_free(&pg);
}

/* Stores outputs o as the group's predictions, as the executor does for
 * a group whose models are not kept (where stored predictions spare the
 * fit): the cost given is a fit's. */
static void seed_predictions(rt_ctx *c, query *q, const data_t *d, int k, const rt_group_out *o)
{
    rt_pred_group pg;
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_pred_group_init(&pg, c, &q->x, &q->g, &q->st, DESIGN, "test", 0, d->n, d->nt, d->p, k, 1, &e) == 0);
    rt_cache_offer_predictions(c, pg.lin, pg.what, q->g.n, d->nt, k, o, 100.0);
    rt_pred_group_free(&pg);
}

/* One family: fitted (its models stored: with them, predictions spare
 * only predicting, so they are not), then predicted from its models, then
 * read back as predictions, then (predictions file deleted) from its
 * models again — every time the bits of the fit. */
static void family_case(rt_ctx *c, const char *name, rt_family f, const double *v, int n, int shared, int regression)
{
    clear(c);
    data_t d;
    make(&d, 300, 90, 5, 3);
    int k = regression ? 0 : 3;
    rt_trainset ts = {d.X, d.n, d.p, regression ? d.y : NULL, regression ? NULL : d.yc, k, 1};
    query q;
    make_query(&q, f, v, n, shared, k, 10000000, d.p);
    ut_err e;
    ut_err_clear(&e);
    const rt_pval *buf[8];
    rt_group_out *ref = outs(n, d.nt, k), *a = outs(n, d.nt, k), *b = outs(n, d.nt, k), *m = outs(n, d.nt, k);
    CHECK(rt_fit_predict_group(f, params_of(&q, buf), n, shared, &ts, d.Xt, d.nt, ref, &e) == 0);
    if (logreg_iter_cap) CHECK(ref[0].warning && strstr(ref[0].warning, "did not converge"));
    int how = -1;
    through_cache(c, &q, &ts, &d, a, &how);
    CHECK(how == RT_PRED_FITTED);
    CHECK(same_outs(ref, a, n, d.nt, k));
    CHECK(count_rows(c) == n);   /* every model, no predictions */
    through_cache(c, &q, &ts, &d, b, &how);
    CHECK(how == RT_PRED_FROM_MODELS);
    CHECK(same_outs(ref, b, n, d.nt, k));
    seed_predictions(c, &q, &d, k, a);
    CHECK(count_rows(c) == 1 + n);   /* the predictions and every model */
    through_cache(c, &q, &ts, &d, b, &how);
    CHECK(how == RT_PRED_LOADED);
    CHECK(same_outs(ref, b, n, d.nt, k));
    /* the predictions' file gone: noted, removed, and the models serve */
    rt_pred_group pg;
    CHECK(rt_pred_group_init(&pg, c, &q.x, &q.g, &q.st, DESIGN, "test", 0, d.n, d.nt, d.p, k, 1, &e) == 0);
    char path[700];
    file_of(c, pg.lin, path, sizeof path);
    CHECK(unlink(path) == 0);
    rt_pred_group_free(&pg);
    through_cache(c, &q, &ts, &d, m, &how);
    CHECK(how == RT_PRED_FROM_MODELS);
    CHECK(same_outs(ref, m, n, d.nt, k));
    char *notes = rt_cache_take_notes(c);
    CHECK(notes && strstr(notes, "its file is missing"));
    free(notes);
    CHECK(count_rows(c) == n);
    if (failures) fprintf(stderr, "  (family case %s)\n", name);
    outs_free(ref, n);
    outs_free(a, n);
    outs_free(b, n);
    outs_free(m, n);
    data_free(&d);
}

/* Entries that cannot be used: each noted, removed, and the group fitted. */
static void damage_cases(rt_ctx *c)
{
    data_t d;
    make(&d, 300, 90, 5, 5);
    int k = 3;
    rt_trainset ts = {d.X, d.n, d.p, NULL, d.yc, k, 1};
    double Cs[] = {0.1, 1, 10};
    query q;
    make_query(&q, RT_FAM_LOGREG, Cs, 2, 1, k, 10000000, d.p);
    ut_err e;
    ut_err_clear(&e);
    rt_pred_group pg;
    CHECK(rt_pred_group_init(&pg, c, &q.x, &q.g, &q.st, DESIGN, "test", 0, d.n, d.nt, d.p, k, 1, &e) == 0);
    char path[700];
    file_of(c, pg.lin, path, sizeof path);
    int how;

    /* a byte of the payload flipped: the checksum fails */
    clear(c);
    rt_group_out *a = outs(2, d.nt, k), *b = outs(2, d.nt, k);
    through_cache(c, &q, &ts, &d, a, &how);
    seed_predictions(c, &q, &d, k, a);
    FILE *fp = fopen(path, "r+b");
    CHECK(fp != NULL);
    if (fp) {
        fseek(fp, 96 + 40, SEEK_SET);
        int ch = fgetc(fp);
        fseek(fp, 96 + 40, SEEK_SET);
        fputc(ch ^ 0x10, fp);
        fclose(fp);
    }
    CHECK(rt_cache_load_predictions(c, pg.lin, 2, d.nt, k, b, &e) == 0);
    char *notes = rt_cache_take_notes(c);
    CHECK(notes && strstr(notes, "damaged"));
    free(notes);
    CHECK(access(path, F_OK) != 0);

    /* another shape asked (the test rows differ): noted and removed */
    clear(c);
    through_cache(c, &q, &ts, &d, a, &how);
    seed_predictions(c, &q, &d, k, a);
    CHECK(rt_cache_load_predictions(c, pg.lin, 2, d.nt - 1, k, b, &e) == 0);
    notes = rt_cache_take_notes(c);
    CHECK(notes && strstr(notes, "shape"));
    free(notes);
    CHECK(access(path, F_OK) != 0);

    /* checksums that hold over values no group gives */
    for (int bad = 0; bad < 2; bad++) {
        clear(c);
        rt_group_out *o = outs(2, d.nt, k);
        for (int i = 0; i < 2; i++)
            for (int r = 0; r < d.nt; r++) {
                o[i].pred[r] = r % 3;
                for (int j = 0; j < k; j++) o[i].proba[(size_t)r * k + j] = 1.0 / 3;
            }
        if (bad) o[1].proba[7] = 1.5;
        else o[0].pred[5] = 3;   /* not a class code */
        double secs[2] = {0, 0};
        int64_t wl[2] = {0, 0};
        const void *piece[6] = {secs, wl, o[0].pred, o[1].pred, o[0].proba, o[1].proba};
        size_t len[6] = {16, 16, (size_t)d.nt * 8, (size_t)d.nt * 8, (size_t)d.nt * k * 8, (size_t)d.nt * k * 8};
        int64_t dims[3] = {2, d.nt, k};
        rt_cache_offer(c, pg.lin, "forged", RT_CACHE_KIND_PREDICTIONS, dims, piece, len, 6, 100.0);
        CHECK(count_rows(c) == 1);
        /* and the offer refuses such outputs itself */
        rt_cache_offer_predictions(c, "00000000000000000000000000000001", "refused", 2, d.nt, k, o, 100.0);
        CHECK(count_rows(c) == 1);
        CHECK(rt_cache_load_predictions(c, pg.lin, 2, d.nt, k, b, &e) == 0);
        notes = rt_cache_take_notes(c);
        CHECK(notes && strstr(notes, bad ? "[0, 1]" : "class codes"));
        free(notes);
        CHECK(count_rows(c) == 0);
        /* the outputs were left as they were */
        CHECK(b[0].pred[0] == -7);
        outs_free(o, 2);
    }

    /* a model whose JSON fails model_io's checks */
    clear(c);
    const char *doc = "{\"nout\":1,\"nfit\":2}";
    int64_t md[3] = {RT_FAM_LOGREG, d.p, k};
    rt_cache_offer_model(c, pg.mlin[0], "forged model", md, doc, strlen(doc), 100.0);
    CHECK(count_rows(c) == 1);
    rt_model *mm = NULL;
    double s = 0;
    CHECK(rt_cache_load_config_model(c, pg.mlin[0], RT_FAM_LOGREG, d.p, k, &mm, &s, &e) == 0);
    CHECK(mm == NULL);
    notes = rt_cache_take_notes(c);
    CHECK(notes && strstr(notes, "not a valid model"));
    free(notes);
    CHECK(count_rows(c) == 0);

    /* another composition misses (the group's and its logreg models'
     * lineages differ); FRESH reads nothing */
    clear(c);
    through_cache(c, &q, &ts, &d, a, &how);
    seed_predictions(c, &q, &d, k, a);
    CHECK(count_rows(c) == 3);
    query q3;
    make_query(&q3, RT_FAM_LOGREG, Cs, 3, 1, k, 10000000, d.p);
    rt_group_out *t = outs(3, d.nt, k);
    rt_pred_group p3;
    CHECK(rt_pred_group_init(&p3, c, &q3.x, &q3.g, &q3.st, DESIGN, "test", 0, d.n, d.nt, d.p, k, 1, &e) == 0);
    CHECK(strcmp(p3.lin, pg.lin) != 0);
    CHECK(strcmp(p3.mlin[0], pg.mlin[0]) != 0);
    CHECK(rt_pred_group_load(&p3, d.Xt, t, &how, &e) == 0);
    CHECK(how == RT_PRED_FITTED && t[0].pred[0] == -7);
    rt_pred_group_free(&p3);
    q.x.fresh = 1;
    rt_pred_group pf;
    CHECK(rt_pred_group_init(&pf, c, &q.x, &q.g, &q.st, DESIGN, "test", 0, d.n, d.nt, d.p, k, 1, &e) == 0);
    CHECK(rt_pred_group_load(&pf, d.Xt, b, &how, &e) == 0);
    rt_pred_group_free(&pf);
    q.x.fresh = 0;
    notes = rt_cache_take_notes(c);
    CHECK(notes == NULL);   /* misses, not damage */
    free(notes);
    CHECK(count_rows(c) == 3);

    /* a failed configuration: nothing of the group's predictions stored */
    clear(c);
    a[1].error = strdup("failed");
    rt_cache_offer_predictions(c, pg.lin, "with a failure", 2, d.nt, k, a, 100.0);
    CHECK(count_rows(c) == 0);

    rt_pred_group_free(&pg);
    outs_free(a, 2);
    outs_free(b, 2);
    outs_free(t, 3);
    data_free(&d);
}

int main(void)
{
    char tmpl[] = "/tmp/mlg_test_pred_cache_XXXXXX";
    char dbpath[600];
    rt_ctx c;
    if (cache_ctx_open(tmpl, dbpath, sizeof dbpath, &c)) return 1;
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_cache_active(&c));
    double Cs[] = {0.1, 1, 10}, alphas[] = {0.1, 3}, lasso[] = {0.01, 0.1};
    family_case(&c, "logreg shared", RT_FAM_LOGREG, Cs, 3, 1, 0);
    family_case(&c, "logreg alone", RT_FAM_LOGREG, Cs, 2, 0, 0);
    logreg_iter_cap = 2;
    family_case(&c, "logreg not converged", RT_FAM_LOGREG, Cs, 3, 1, 0);
    logreg_iter_cap = 0;
    family_case(&c, "ridge shared", RT_FAM_RIDGE, alphas, 2, 1, 0);
    family_case(&c, "ridge regression", RT_FAM_RIDGE, alphas, 2, 1, 1);
    family_case(&c, "nb", RT_FAM_NB, NULL, 1, 0, 0);
    family_case(&c, "linsvm", RT_FAM_LINSVM, Cs, 2, 0, 0);
    family_case(&c, "lasso", RT_FAM_LASSO, lasso, 2, 0, 1);
    family_case(&c, "elasticnet", RT_FAM_ELASTICNET, lasso, 1, 0, 1);
    family_case(&c, "linreg", RT_FAM_LINREG, NULL, 1, 0, 1);
    damage_cases(&c);
    clear(&c);
    cache_ctx_close(&c, tmpl);
    printf("%d checks, %d failures\n", checks, failures);
    return failures != 0;
}
