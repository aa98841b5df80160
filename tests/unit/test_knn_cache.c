/* test_knn_cache.c — knn's neighbour lists in the intermediate cache
 * (runtime/cache_neighbors.c, share_knn.c) on a real catalog file:
 *   - lists stored read back bit for bit (distances and indices);
 *   - stored K-lists serve K' < K: their first K' entries of every row are
 *     the K'-lists the search gives, and predictions read with stride K
 *     equal those read from the K'-lists;
 *   - K' > K is a miss (not a damaged entry: no warning, nothing removed);
 *     longer lists replace shorter ones, shorter ones never replace longer;
 *   - a payload whose checksums hold but whose lists are not neighbour
 *     lists (index out of range, order broken), or of another shape, is
 *     noted, removed, never used;
 *   - the cached knn group (rt_knn_group_cached) predicts bit for bit as
 *     the uncached shared group (rt_fit_predict_group) whether it searches
 *     or loads, for classification and regression, both metrics and both
 *     weightings;
 *   - the lists' lineage changes with the design, metric, and row counts. */
#include "../../runtime/cache.h"
#include "../../runtime/cache_internal.h"
#include "../../runtime/knn.h"
#include "../../include/mileage.h"
#include "cache_ctx.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"


#define DESIGN "0123456789abcdef0123456789abcdef"

typedef struct { double *X, *Xt, *y; int *yc; int n, nt, p; } data_t;

/* Integer-ish coordinates, so exact distance ties are common and the
 * (distance, index) order is exercised. */
static void make(data_t *d, int n, int nt, int p, unsigned long long seed)
{
    ut_rng g;
    ut_rng_seed(&g, seed);
    d->n = n, d->nt = nt, d->p = p;
    d->X = malloc((size_t)n * p * sizeof *d->X);
    d->Xt = malloc((size_t)nt * p * sizeof *d->Xt);
    d->y = malloc((size_t)n * sizeof *d->y);
    d->yc = malloc((size_t)n * sizeof *d->yc);
    for (int i = 0; i < n * p; i++) d->X[i] = (double)ut_rng_below(&g, 6) + (i % 3 ? 0 : 0.25 * ut_rng_below(&g, 3));
    for (int i = 0; i < nt * p; i++) d->Xt[i] = (double)ut_rng_below(&g, 6);
    for (int i = 0; i < n; i++) {
        d->y[i] = d->X[i * p] - 0.5 * d->X[i * p + 1] + 0.1 * ut_rng_uniform(&g);
        d->yc[i] = (d->X[i * p] > 2) + (d->X[i * p + 1] > 3);
    }
}

static void data_free(data_t *d)
{
    free(d->X);
    free(d->Xt);
    free(d->y);
    free(d->yc);
}

/* rt_knn_neighbors' lists of length K into one block (dist then idx). */
static rt_knn_lists search_n(const data_t *d, int n, rt_knn_metric m, int K)
{
    rt_knn_lists l;
    size_t cells = (size_t)d->nt * K;
    l.buf = malloc(cells * 12 + 1);
    l.dist = l.buf;
    l.idx = (int *)((unsigned char *)l.buf + cells * 8);
    l.K = K;
    rt_knn_train tr = {d->X, NULL, n, d->p, d->yc, 3, NULL};
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_knn_neighbors(&tr, m, d->Xt, d->nt, K, l.idx, l.dist, &e) == 0);
    return l;
}

static rt_knn_lists search(const data_t *d, rt_knn_metric m, int K) { return search_n(d, d->n, m, K); }

#define count_rows(c) cache_ctx_rows(c)

static void test_store_load(rt_ctx *c)
{
    data_t d;
    make(&d, 250, 70, 4, 7);
    rt_lineage_hex lin;
    CHECK(rt_lineage_knn_lists(DESIGN, "euclidean", d.n, d.nt, lin) == 0);
    rt_knn_lists l12 = search(&d, RT_KNN_EUCLIDEAN, 12), back;
    ut_err e;
    ut_err_clear(&e);
    rt_cache_offer_neighbors(c, lin, "knn neighbours K=12 euclidean, test", &l12, d.nt, d.n, 10.0);
    int K = 0;
    CHECK(rt_cache_neighbors_stored(c, lin, &K) == 1 && K == 12);
    /* bit for bit */
    CHECK(rt_cache_load_neighbors(c, lin, d.nt, d.n, 12, &back, &e) == 1 && back.K == 12);
    CHECK(back.buf && !memcmp(back.dist, l12.dist, (size_t)d.nt * 12 * sizeof(double)) &&
          !memcmp(back.idx, l12.idx, (size_t)d.nt * 12 * sizeof(int)));
    free(back.buf);
    /* K' = 5 < 12: the first 5 of every stored row are the 5-lists */
    rt_knn_lists l5 = search(&d, RT_KNN_EUCLIDEAN, 5);
    CHECK(rt_cache_load_neighbors(c, lin, d.nt, d.n, 5, &back, &e) == 1 && back.K == 12);
    int same = 1;
    for (int q = 0; q < d.nt && back.buf; q++)
        same &= !memcmp(back.dist + (size_t)q * 12, l5.dist + (size_t)q * 5, 5 * sizeof(double)) &&
                !memcmp(back.idx + (size_t)q * 12, l5.idx + (size_t)q * 5, 5 * sizeof(int));
    CHECK(same);
    /* ... and predictions read with stride 12 are those of the 5-lists */
    rt_knn_train tr = {d.X, NULL, d.n, d.p, d.yc, 3, NULL};
    double *pa = malloc((size_t)d.nt * sizeof *pa), *pb = malloc((size_t)d.nt * sizeof *pb);
    double *qa = malloc((size_t)d.nt * 3 * sizeof *qa), *qb = malloc((size_t)d.nt * 3 * sizeof *qb);
    for (int w = 0; w < 2 && back.buf; w++) {
        CHECK(rt_knn_aggregate(&tr, back.idx, back.dist, d.nt, 12, 5, (rt_knn_weighting)w, pa, qa, &e) == 0);
        CHECK(rt_knn_aggregate(&tr, l5.idx, l5.dist, d.nt, 5, 5, (rt_knn_weighting)w, pb, qb, &e) == 0);
        CHECK(!memcmp(pa, pb, (size_t)d.nt * sizeof *pa) && !memcmp(qa, qb, (size_t)d.nt * 3 * sizeof *qa));
    }
    free(back.buf);
    /* K' = 20 > 12: a miss, not damage */
    char *notes = rt_cache_take_notes(c);
    free(notes);
    CHECK(rt_cache_load_neighbors(c, lin, d.nt, d.n, 20, &back, &e) == 0 && !back.buf);
    notes = rt_cache_take_notes(c);
    CHECK(notes == NULL);
    free(notes);
    CHECK(rt_cache_neighbors_stored(c, lin, &K) == 1 && K == 12);
    /* longer lists replace them; shorter ones then do not */
    rt_knn_lists l20 = search(&d, RT_KNN_EUCLIDEAN, 20);
    rt_cache_offer_neighbors(c, lin, "knn neighbours K=20 euclidean, test", &l20, d.nt, d.n, 10.0);
    CHECK(rt_cache_neighbors_stored(c, lin, &K) == 1 && K == 20);
    rt_cache_offer_neighbors(c, lin, "knn neighbours K=5 euclidean, test", &l5, d.nt, d.n, 50.0);
    CHECK(rt_cache_neighbors_stored(c, lin, &K) == 1 && K == 20);
    CHECK(rt_cache_load_neighbors(c, lin, d.nt, d.n, 20, &back, &e) == 1 && back.K == 20 &&
          !memcmp(back.idx, l20.idx, (size_t)d.nt * 20 * sizeof(int)));
    free(back.buf);
    /* another shape asked (other test rows): unusable, noted, removed */
    CHECK(rt_cache_load_neighbors(c, lin, d.nt - 1, d.n, 5, &back, &e) == 0 && !back.buf);
    notes = rt_cache_take_notes(c);
    CHECK(notes && strstr(notes, "shape does not match"));
    free(notes);
    CHECK(rt_cache_neighbors_stored(c, lin, &K) == 0);
    /* lists that cannot be neighbour lists, checksums right */
    size_t cells = (size_t)d.nt * 12;
    for (int bad = 0; bad < 3; bad++) {
        rt_knn_lists w = l12;
        w.buf = malloc(cells * 12);
        memcpy(w.buf, l12.buf, cells * 12);
        w.dist = w.buf;
        w.idx = (int *)((unsigned char *)w.buf + cells * 8);
        if (bad == 0) w.idx[3 * 12 + 4] = d.n;   /* not a training row */
        if (bad == 1) {   /* a later entry nearer than an earlier one */
            double u = w.dist[5 * 12 + 1];
            w.dist[5 * 12 + 1] = w.dist[5 * 12 + 2] + 1.0;
            w.dist[5 * 12 + 2] = u;
        }
        if (bad == 2) w.dist[7 * 12] = NAN;
        const void *piece[2] = {w.dist, w.idx};
        size_t len[2] = {cells * 8, cells * 4};
        int64_t dims[3] = {d.nt, 12, d.n};
        rt_cache_offer(c, lin, "bad lists", RT_CACHE_KIND_NEIGHBORS, dims, piece, len, 2, 10.0);
        int before = count_rows(c);
        CHECK(before == 1);
        CHECK(rt_cache_load_neighbors(c, lin, d.nt, d.n, 12, &back, &e) == 0 && !back.buf);
        notes = rt_cache_take_notes(c);
        CHECK(notes && strstr(notes, "not neighbour lists"));
        free(notes);
        CHECK(count_rows(c) == before - 1);
        free(w.buf);
    }
    free(l5.buf);
    free(l12.buf);
    free(l20.buf);
    free(pa);
    free(pb);
    free(qa);
    free(qb);
    data_free(&d);
}

/* outputs of ncfg configurations for nt rows */
static rt_group_out *outs(int ncfg, int nt, int C)
{
    rt_group_out *o = calloc((size_t)ncfg, sizeof *o);
    for (int i = 0; i < ncfg; i++) {
        o[i].pred = malloc((size_t)nt * sizeof(double));
        o[i].proba = C ? calloc((size_t)nt * C, sizeof(double)) : NULL;
    }
    return o;
}

static int same_outs(const rt_group_out *a, const rt_group_out *b, int ncfg, int nt, int C)
{
    for (int i = 0; i < ncfg; i++) {
        if (a[i].error || b[i].error) return 0;
        if (memcmp(a[i].pred, b[i].pred, (size_t)nt * sizeof(double))) return 0;
        if (C && memcmp(a[i].proba, b[i].proba, (size_t)nt * C * sizeof(double))) return 0;
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

/* One grid through the cached group: the decision expected, and the same
 * outputs as the plain shared group. */
static void run_grid(rt_ctx *c, const rt_trainset *ts, const data_t *d, const int *ks, int ncfg, const char *metric,
                     int want_decision)
{
    rt_pval pv[8][3];
    const rt_pval *params[8];
    for (int i = 0; i < ncfg; i++) {
        pv[i][0] = (rt_pval){ks[i], NULL};
        pv[i][1] = (rt_pval){0, i % 2 ? "distance" : "uniform"};
        pv[i][2] = (rt_pval){0, metric};
        params[i] = pv[i];
    }
    int C = ts->nclasses;
    rt_group_out *a = outs(ncfg, d->nt, C), *b = outs(ncfg, d->nt, C);
    ut_err e;
    ut_err_clear(&e);
    int decision = 0;
    CHECK(rt_knn_group_cached(c, DESIGN, "test grid", params, ncfg, ts, d->Xt, d->nt, a, &decision, &e) == 0);
    CHECK(decision == want_decision);
    if (decision != want_decision) fprintf(stderr, "  decision %d, expected %d\n", decision, want_decision);
    CHECK(rt_fit_predict_group(RT_FAM_KNN, params, ncfg, 1, ts, d->Xt, d->nt, b, &e) == 0);
    CHECK(same_outs(a, b, ncfg, d->nt, C));
    outs_free(a, ncfg);
    outs_free(b, ncfg);
}

static void test_group(rt_ctx *c)
{
    data_t d;
    /* large enough that the search (~10 ms) is worth storing */
    make(&d, 5000, 600, 5, 11);
    int g1[] = {1, 3, 5, 7, 9}, g2[] = {3, 5}, g3[] = {2, 4, 9}, g4[] = {11, 15};
    for (int kind = 0; kind < 2; kind++) {
        rt_trainset ts = {d.X, d.n, d.p, kind ? d.y : NULL, kind ? NULL : d.yc, kind ? 0 : 3, 1};
        for (int m = 0; m < 2; m++) {
            const char *metric = m ? "manhattan" : "euclidean";
            char *msg = NULL;
            ut_err e;
            ut_err_clear(&e);
            CHECK(rt_cache_clear_all(c, &msg, &e) == 0);
            free(msg);
            run_grid(c, &ts, &d, g1, 5, metric, RT_KNN_SEARCHED);   /* stored, K = 9 */
            run_grid(c, &ts, &d, g2, 2, metric, RT_KNN_LOADED);
            run_grid(c, &ts, &d, g3, 3, metric, RT_KNN_LOADED);     /* K' = K */
            run_grid(c, &ts, &d, g4, 2, metric, RT_KNN_SEARCHED);   /* K' > K: searched, replaces */
            run_grid(c, &ts, &d, g1, 5, metric, RT_KNN_LOADED);     /* from the K = 15 lists */
            rt_lineage_hex lin;
            int K = 0;
            rt_lineage_knn_lists(DESIGN, metric, d.n, d.nt, lin);
            CHECK(rt_cache_neighbors_stored(c, lin, &K) == 1 && K == 15);
        }
        /* k beyond the training rows: every row, loaded as searched */
        rt_trainset few = ts;
        few.n = 6;
        int big[] = {4, 8};
        run_grid(c, &few, &d, big, 2, "euclidean", RT_KNN_SEARCHED);   /* too cheap to store */
        rt_lineage_hex lin;
        rt_lineage_knn_lists(DESIGN, "euclidean", few.n, d.nt, lin);
        rt_knn_lists l6 = search_n(&d, few.n, RT_KNN_EUCLIDEAN, 6);
        rt_cache_offer_neighbors(c, lin, "knn neighbours K=6 euclidean, test", &l6, d.nt, few.n, 10.0);
        free(l6.buf);
        run_grid(c, &few, &d, big, 2, "euclidean", RT_KNN_LOADED);
    }
    data_free(&d);
}

static void test_lineage(void)
{
    rt_lineage_hex a, b;
    rt_lineage_knn_lists(DESIGN, "euclidean", 100, 20, a);
    rt_lineage_knn_lists(DESIGN, "Euclidean", 100, 20, b);
    CHECK(!strcmp(a, b));
    rt_lineage_knn_lists(DESIGN, "manhattan", 100, 20, b);
    CHECK(strcmp(a, b));
    rt_lineage_knn_lists(DESIGN, "euclidean", 99, 20, b);
    CHECK(strcmp(a, b));
    rt_lineage_knn_lists(DESIGN, "euclidean", 100, 21, b);
    CHECK(strcmp(a, b));
    rt_lineage_knn_lists("1123456789abcdef0123456789abcdef", "euclidean", 100, 20, b);
    CHECK(strcmp(a, b));
}

int main(void)
{
    char tmpl[] = "/tmp/mlg_test_knn_cache_XXXXXX";
    char dbpath[600];
    rt_ctx c;
    if (cache_ctx_open(tmpl, dbpath, sizeof dbpath, &c)) return 1;
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_cache_active(&c));
    test_lineage();
    test_store_load(&c);
    test_group(&c);
    char *msg = NULL;
    CHECK(rt_cache_clear_all(&c, &msg, &e) == 0);
    free(msg);
    cache_ctx_close(&c, tmpl);
    printf("%d checks, %d failures\n", checks, failures);
    return failures != 0;
}
