/* test_transform_state.c — the preprocessing chain in pieces (rt_tf_begin /
 * rt_tf_apply / rt_tf_finish), which the optimizer uses to run a common
 * prefix once per fold:
 *   - every way of cutting a chain into prefix / middle / suffix, and one
 *     step at a time, gives a design bit-identical (memcmp, names too) to
 *     rt_pipeline_run of the whole chain, on iris, wine and credit-g with
 *     holes punched in (impute, onehot, standardize, minmax, bin, log1p,
 *     poly, pca, select_k, drop, keep, with every kind of selector);
 *   - an input state is never changed: the same suffix twice from it gives
 *     the same design, its own design is the same before and after, and the
 *     table's bytes are untouched;
 *   - pca(k = K) then keep(pc1..pck) (or drop(pc{k+1}..pcK) when other
 *     columns remain) is bit-identical to pca(k = k), on data wide enough
 *     for the BLAS to pick different kernels by shape (30 and 64 columns);
 *   - states tied to a fold refuse another fold's rows; states of
 *     fold-independent steps serve every fold;
 *   - copy-on-write: on 200 000 x 50 numbers a state holds only the columns
 *     its steps changed, and rt_tf_state_bytes splits shared blocks;
 *   - errors leave the input usable and *out NULL; nothing leaks (ASan);
 *   - rt_tf_scaled_rows (a round's test rows straight from the table, for
 *     sharing rule 2's chains) is bit-identical to the chain's
 *     rt_tf_finish_take_rows on wine, boston, satellite and diabetes, raw and
 *     standardized, and declines (1, nothing made) every other table or
 *     chain. */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "../../runtime/transform.h"
#include "../../include/mileage.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "under_valgrind.h"
#include "check.h"

#ifndef MLG_SOURCE_DIR
#define MLG_SOURCE_DIR "."
#endif

#define N_(a) ((int)(sizeof(a) / sizeof((a)[0])))

static rt_table *load_data(const char *name)
{
    char path[600];
    snprintf(path, sizeof path, "%s/data/%s.csv", MLG_SOURCE_DIR, name);
    rt_table *t = NULL;
    ut_err e;
    if (rt_read_csv(path, NULL, &t, &e)) { fprintf(stderr, "%s\n", e.msg); exit(2); }
    return t;
}

static uint32_t lcg(uint32_t *s) { *s = *s * 1664525u + 1013904223u; return *s >> 8; }

/* About 1 cell in 12 of every feature column becomes missing. */
static void punch_holes(rt_table *t, int target, uint32_t seed)
{
    for (int j = 0; j < t->ncols; j++) {
        if (j == target) continue;
        rt_column *c = &t->cols[j];
        for (int i = 0; i < t->nrows; i++) {
            if (lcg(&seed) % 12) continue;
            if (c->type == RT_NUMERIC) c->num[i] = NAN;
            else c->cat[i] = -1;
        }
    }
}

/* FNV-1a over every byte a transform could write by mistake. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

static uint64_t table_hash(const rt_table *t)
{
    uint64_t h = 1469598103934665603ull;
    for (int j = 0; j < t->ncols; j++) {
        const rt_column *c = &t->cols[j];
        h = fnv(h, c->name, strlen(c->name));
        if (c->num) h = fnv(h, c->num, sizeof(double) * (size_t)t->nrows);
        if (c->cat) h = fnv(h, c->cat, sizeof(int) * (size_t)t->nrows);
        h = fnv(h, &c->nlevels, sizeof c->nlevels);
        for (int k = 0; k < c->nlevels; k++) h = fnv(h, c->levels[k], strlen(c->levels[k]) + 1);
    }
    return h;
}

/* Bit-identical designs: shape, every byte of x, every name. */
static int same_design(const rt_design *a, const rt_design *b)
{
    if (a->n != b->n || a->p != b->p) return 0;
    if (memcmp(a->x, b->x, sizeof(double) * (size_t)a->n * (size_t)a->p) != 0) return 0;
    for (int j = 0; j < a->p; j++)
        if (strcmp(a->names[j], b->names[j]) != 0) return 0;
    return 1;
}

static int failed(int rc, const ut_err *e, const char *what, int line)
{
    checks++;
    if (rc == 0) return 0;
    failures++;
    fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, line, what, e->msg);
    return 1;
}
#define FAILED(rc, e, what) failed(rc, e, what, __LINE__)

/* ---- splitting chains ---------------------------------------------------- */

/* Every cut [0,a) [a,b) [b,n), the suffix applied twice from the middle
 * state, then one step at a time with the states freed oldest first. */
static void check_chain(const char *what, const rt_table *t, int y, const rt_tf_step *steps, int n,
                        const int *tr, int ntr)
{
    uint64_t h0 = table_hash(t);
    ut_err e;
    rt_design ref;
    if (FAILED(rt_pipeline_run(t, y, steps, n, tr, ntr, &ref, &e), &e, what)) return;
    rt_tf_state *s0;
    if (FAILED(rt_tf_begin(t, y, &s0, &e), &e, what)) { rt_design_free(&ref); return; }
    int cuts = 0, bad = 0;
    for (int a = 0; a <= n; a++) {
        rt_tf_state *P;
        if (FAILED(rt_tf_apply(s0, steps, a, tr, ntr, &P, &e), &e, what)) continue;
        for (int b = a; b <= n; b++) {
            rt_tf_state *M, *S1 = NULL, *S2 = NULL;
            rt_design dm1, dm2, d1, d2;
            if (FAILED(rt_tf_apply(P, steps + a, b - a, tr, ntr, &M, &e), &e, what)) continue;
            int rc = rt_tf_finish(M, tr, ntr, &dm1, &e);
            if (rc == 0) rc = rt_tf_apply(M, steps + b, n - b, tr, ntr, &S1, &e);
            if (rc == 0) rc = rt_tf_apply(M, steps + b, n - b, tr, ntr, &S2, &e);
            if (rc == 0) rc = rt_tf_finish(S1, tr, ntr, &d1, &e);
            if (rc == 0) rc = rt_tf_finish(S2, tr, ntr, &d2, &e);
            if (rc == 0) rc = rt_tf_finish(M, tr, ntr, &dm2, &e);
            if (!FAILED(rc, &e, what)) {
                cuts++;
                if (!same_design(&d1, &ref) || !same_design(&d2, &ref) || !same_design(&dm1, &dm2)) {
                    bad++;
                    fprintf(stderr, "%s: cut [0,%d) [%d,%d) [%d,%d): %s\n", what, a, a, b, b, n,
                            !same_design(&dm1, &dm2) ? "the middle state changed"
                            : "design differs from rt_pipeline_run");
                }
                rt_design_free(&dm1); rt_design_free(&dm2);
                rt_design_free(&d1); rt_design_free(&d2);
            }
            rt_tf_state_free(S1);
            rt_tf_state_free(S2);
            rt_tf_state_free(M);
        }
        rt_tf_state_free(P);
    }
    CHECK(bad == 0, "%s: %d of %d cuts differ", what, bad, cuts);
    CHECK(cuts == (n + 1) * (n + 2) / 2, "%s: %d cuts ran", what, cuts);

    /* one step at a time; the older states go first, the newer live on */
    rt_tf_state **chain = calloc((size_t)n + 1, sizeof *chain);
    chain[0] = s0;
    int ok = 1;
    for (int i = 0; i < n && ok; i++)
        ok = !FAILED(rt_tf_apply(chain[i], steps + i, 1, tr, ntr, &chain[i + 1], &e), &e, what);
    if (ok) {
        for (int i = 0; i < n; i++) { rt_tf_state_free(chain[i]); chain[i] = NULL; }
        rt_design d;
        if (!FAILED(rt_tf_finish(chain[n], tr, ntr, &d, &e), &e, what)) {
            CHECK(same_design(&d, &ref), "%s: step by step", what);
            rt_design_free(&d);
        }
    }
    for (int i = 0; i <= n; i++) rt_tf_state_free(chain[i]);
    free(chain);
    rt_design_free(&ref);
    CHECK(table_hash(t) == h0, "%s: the table changed", what);
}

static int *fold_rows(int n, int fold, int k, int *ntr)
{
    int *tr = malloc(sizeof(int) * (size_t)n), m = 0;
    for (int i = 0; i < n; i++)
        if (i % k != fold) tr[m++] = i;
    *ntr = m;
    return tr;
}

#define STEP(...) ((rt_tf_step){ __VA_ARGS__ })
#define NAMES(...) .selector = RT_SEL_NAMED, .columns = (char *[]){ __VA_ARGS__ }, \
    .ncolumns = N_(((char *[]){ __VA_ARGS__ }))
#define COLS(...) .columns = (char *[]){ __VA_ARGS__ }, .ncolumns = N_(((char *[]){ __VA_ARGS__ }))
#define CHAIN(what, t, y, tr, ntr, ...) do { const rt_tf_step c_[] = { __VA_ARGS__ }; \
    check_chain(what, t, y, c_, N_(c_), tr, ntr); } while (0)

static void test_chains(void)
{
    int ntr;
    rt_table *iris = load_data("iris");
    punch_holes(iris, 4, 11);
    int *tr = fold_rows(iris->nrows, 1, 4, &ntr);
    CHAIN("iris A", iris, 4, tr, ntr,
          STEP(.kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEDIAN),
          STEP(.kind = RT_TF_STANDARDIZE),
          STEP(.kind = RT_TF_POLY, .degree = 2),
          STEP(.kind = RT_TF_PCA, .k = 5),
          STEP(.kind = RT_TF_SELECT_K, .k = 3));
    CHAIN("iris B", iris, 4, tr, ntr,
          STEP(.kind = RT_TF_MINMAX),
          STEP(.kind = RT_TF_BIN, .k = 4, .bin_strategy = RT_BIN_QUANTILE),
          STEP(.kind = RT_TF_DROP, COLS("sepal length (cm)=bin0", "sepal width (cm)=bin1")),
          STEP(.kind = RT_TF_SELECT_K, .k = 6),
          STEP(.kind = RT_TF_LOG1P, .selector = RT_SEL_ALL));
    CHAIN("iris C", iris, 4, tr, ntr,
          STEP(.kind = RT_TF_LOG1P, NAMES("petal length (cm)")),
          STEP(.kind = RT_TF_BIN, .k = 3, NAMES("sepal width (cm)")),
          STEP(.kind = RT_TF_POLY, .degree = 2, NAMES("petal length (cm)", "sepal length (cm)")),
          STEP(.kind = RT_TF_KEEP, COLS("petal length (cm)^2", "sepal width (cm)=bin1",
                                        "petal width (cm)", "sepal length (cm)")),
          STEP(.kind = RT_TF_STANDARDIZE, .selector = RT_SEL_NUMERIC));
    free(tr);
    rt_table_free(iris);

    rt_table *wine = load_data("wine");
    punch_holes(wine, 13, 22);
    tr = fold_rows(wine->nrows, 0, 3, &ntr);
    CHAIN("wine A", wine, 13, tr, ntr,
          STEP(.kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEAN),
          STEP(.kind = RT_TF_LOG1P, NAMES("magnesium", "proline")),
          STEP(.kind = RT_TF_STANDARDIZE),
          STEP(.kind = RT_TF_PCA, .k = 5),
          STEP(.kind = RT_TF_MINMAX));
    CHAIN("wine B", wine, 13, tr, ntr,
          STEP(.kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MOST_FREQUENT),
          STEP(.kind = RT_TF_ONEHOT, NAMES("ash")),
          STEP(.kind = RT_TF_SELECT_K, .k = 6),
          STEP(.kind = RT_TF_BIN, .k = 5, .bin_strategy = RT_BIN_UNIFORM),
          STEP(.kind = RT_TF_SELECT_K, .k = 10));
    CHAIN("wine C", wine, 13, tr, ntr,
          STEP(.kind = RT_TF_STANDARDIZE, NAMES("alcohol", "proline")),
          STEP(.kind = RT_TF_POLY, .degree = 3, NAMES("alcohol", "proline", "hue")),
          STEP(.kind = RT_TF_DROP, COLS("alcohol^2", "hue^3")),
          STEP(.kind = RT_TF_PCA, .k = 0),
          STEP(.kind = RT_TF_KEEP, COLS("pc1", "pc3", "pc5")));
    free(tr);
    rt_table_free(wine);

    rt_table *cg = load_data("credit-g");
    punch_holes(cg, 20, 33);
    tr = fold_rows(cg->nrows, 2, 5, &ntr);
    CHAIN("credit-g A", cg, 20, tr, ntr,
          STEP(.kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEDIAN),
          STEP(.kind = RT_TF_ONEHOT),
          STEP(.kind = RT_TF_STANDARDIZE),
          STEP(.kind = RT_TF_PCA, .k = 5),
          STEP(.kind = RT_TF_SELECT_K, .k = 3));
    CHAIN("credit-g B", cg, 20, tr, ntr,
          STEP(.kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_CONSTANT, .constant = -1),
          STEP(.kind = RT_TF_ONEHOT, .max_levels = 3),
          STEP(.kind = RT_TF_MINMAX),
          STEP(.kind = RT_TF_BIN, .k = 4, .bin_strategy = RT_BIN_QUANTILE,
               NAMES("duration", "credit_amount", "age")),
          STEP(.kind = RT_TF_DROP, COLS("duration=bin0", "age=bin3", "purpose=__other__")),
          STEP(.kind = RT_TF_SELECT_K, .k = 12));
    CHAIN("credit-g C", cg, 20, tr, ntr,
          STEP(.kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MOST_FREQUENT, .selector = RT_SEL_ALL),
          STEP(.kind = RT_TF_ONEHOT, NAMES("purpose", "checking_status")),
          STEP(.kind = RT_TF_LOG1P, NAMES("credit_amount")),
          STEP(.kind = RT_TF_KEEP, COLS("duration", "credit_amount", "age", "purpose=new car",
                                        "checking_status=<0", "housing")),
          STEP(.kind = RT_TF_STANDARDIZE),
          STEP(.kind = RT_TF_POLY, .degree = 2));
    /* no impute: the safety net in rt_tf_finish fills and encodes */
    CHAIN("credit-g D", cg, 20, tr, ntr,
          STEP(.kind = RT_TF_STANDARDIZE),
          STEP(.kind = RT_TF_LOG1P, .selector = RT_SEL_NUMERIC),
          STEP(.kind = RT_TF_SELECT_K, .k = 4),
          STEP(.kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_CONSTANT, .selector = RT_SEL_CATEGORICAL));
    free(tr);
    rt_table_free(cg);
}

/* ---- pca(k = K) + keep / drop == pca(k = k) ------------------------------- */

/* From the state after `pre`: for each K and each k < K (capped by the
 * columns pca gets), [pca(K), keep(pc1..pck)] — or, with use_drop,
 * [pca(K), drop(pc{k+1}..pcK)] — against [pca(k)]. */
static void check_pca_prefix(const char *what, const rt_table *t, int y, const rt_tf_step *pre,
                             int npre, rt_tf_step pca, const int *Ks, int nK, int use_drop,
                             const int *tr, int ntr)
{
    ut_err e;
    rt_tf_state *s0, *P;
    if (FAILED(rt_tf_begin(t, y, &s0, &e), &e, what)) return;
    if (FAILED(rt_tf_apply(s0, pre, npre, tr, ntr, &P, &e), &e, what)) { rt_tf_state_free(s0); return; }
    int pairs = 0, bad = 0;
    for (int ki = 0; ki < nK; ki++) {
        /* the number of components pca(K) really gives */
        rt_tf_step big = pca;
        big.k = Ks[ki];
        rt_tf_state *B;
        rt_design db;
        if (FAILED(rt_tf_apply(P, &big, 1, tr, ntr, &B, &e), &e, what)) continue;
        if (FAILED(rt_tf_finish(B, tr, ntr, &db, &e), &e, what)) { rt_tf_state_free(B); continue; }
        rt_tf_state_free(B);
        int K = 0;
        for (int j = 0; j < db.p; j++) {
            char tail;
            int c;
            if (sscanf(db.names[j], "pc%d%c", &c, &tail) == 1 && c > K) K = c;
        }
        rt_design_free(&db);
        char **names = malloc(sizeof(char *) * (size_t)K);
        for (int c = 0; c < K; c++) {
            names[c] = malloc(16);
            snprintf(names[c], 16, "pc%d", c + 1);
        }
        /* every k natively; under valgrind (which checks memory, the
         * same for every k) about five of them, the last included: every k
         * of credit-g's 61 components took a minute and a half there */
        int stride = RUNNING_ON_VALGRIND && K > 8 ? K / 4 : 1;
        for (int k = 1; k < K; k = k + stride < K || k == K - 1 ? k + stride : K - 1) {
            rt_tf_step two[2] = { big, { .kind = use_drop ? RT_TF_DROP : RT_TF_KEEP } };
            two[1].columns = use_drop ? names + k : names;
            two[1].ncolumns = use_drop ? K - k : k;
            rt_tf_step small = pca;
            small.k = k;
            rt_tf_state *A = NULL, *C = NULL;
            rt_design da, dc;
            int rc = rt_tf_apply(P, two, 2, tr, ntr, &A, &e);
            if (rc == 0) rc = rt_tf_apply(P, &small, 1, tr, ntr, &C, &e);
            if (rc == 0) rc = rt_tf_finish(A, tr, ntr, &da, &e);
            if (rc == 0 && (rc = rt_tf_finish(C, tr, ntr, &dc, &e)) != 0) rt_design_free(&da);
            if (!FAILED(rc, &e, what)) {
                pairs++;
                if (!same_design(&da, &dc)) {
                    bad++;
                    fprintf(stderr, "%s: pca(k=%d) + %s differs from pca(k=%d)\n", what, Ks[ki],
                            use_drop ? "drop" : "keep", k);
                }
                rt_design_free(&da);
                rt_design_free(&dc);
            }
            rt_tf_state_free(A);
            rt_tf_state_free(C);
        }
        for (int c = 0; c < K; c++) free(names[c]);
        free(names);
    }
    CHECK(bad == 0 && pairs > 0, "%s: %d of %d (K, k) pairs differ", what, bad, pairs);
    rt_tf_state_free(P);
    rt_tf_state_free(s0);
}

static void test_pca_prefix(void)
{
    int ntr;
    const rt_tf_step pca = { .kind = RT_TF_PCA };
    const rt_tf_step std = { .kind = RT_TF_STANDARDIZE };

    rt_table *iris = load_data("iris");
    int *tr = fold_rows(iris->nrows, 0, 5, &ntr);
    check_pca_prefix("iris pca", iris, 4, NULL, 0, pca, (int[]){ 0, 4, 3 }, 3, 0, tr, ntr);
    free(tr);
    rt_table_free(iris);

    rt_table *wine = load_data("wine");
    tr = fold_rows(wine->nrows, 1, 3, &ntr);
    check_pca_prefix("wine pca", wine, 13, &std, 1, pca, (int[]){ 0, 9, 5 }, 3, 0, tr, ntr);
    free(tr);
    rt_table_free(wine);

    /* 30 and 64 columns: one GEMM over every component used to differ in
     * the last bits from one over fewer (OpenBLAS) */
    rt_table *bc = load_data("breast_cancer");
    tr = fold_rows(bc->nrows, 2, 5, &ntr);
    check_pca_prefix("breast_cancer pca", bc, 30, &std, 1, pca, (int[]){ 0, 17, 9 }, 3, 0, tr, ntr);
    free(tr);
    rt_table_free(bc);

    /* not under valgrind: OpenBLAS's kernels there make this one case take
     * minutes, and what it checks (GEMM bits) is not memory */
    if (!RUNNING_ON_VALGRIND) {
        rt_table *dg = load_data("digits");
        tr = fold_rows(dg->nrows, 3, 5, &ntr);
        check_pca_prefix("digits pca", dg, 64, NULL, 0, pca, (int[]){ 0, 33, 16 }, 3, 0, tr, ntr);
        free(tr);
        rt_table_free(dg);
    }

    /* credit-g: pca over all 61 encoded columns (keep), and over the
     * numeric ones only while the indicators stay (drop: keep would also
     * remove the indicators) */
    rt_table *cg = load_data("credit-g");
    punch_holes(cg, 20, 44);
    tr = fold_rows(cg->nrows, 4, 5, &ntr);
    rt_tf_step pre[] = { { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEDIAN },
                         { .kind = RT_TF_ONEHOT }, { .kind = RT_TF_STANDARDIZE } };
    check_pca_prefix("credit-g pca all", cg, 20, pre, 3, pca, (int[]){ 0, 40, 12 }, 3, 0, tr, ntr);
    rt_tf_step named = { .kind = RT_TF_PCA, NAMES("duration", "credit_amount", "installment_commitment",
                                                   "residence_since", "age", "existing_credits",
                                                   "num_dependents") };
    check_pca_prefix("credit-g pca named", cg, 20, pre, 3, named, (int[]){ 0, 5 }, 2, 1, tr, ntr);
    free(tr);
    rt_table_free(cg);
}

/* ---- folds ------------------------------------------------------------------ */

static void test_folds(void)
{
    rt_table *wine = load_data("wine");
    int na, nb;
    int *ta = fold_rows(wine->nrows, 0, 3, &na), *tb = fold_rows(wine->nrows, 1, 3, &nb);
    ut_err e;
    rt_tf_state *s0 = NULL, *L = NULL, *F = NULL, *X = NULL;
    rt_design d, ref;
    memset(&d, 0, sizeof d);
    if (FAILED(rt_tf_begin(wine, 13, &s0, &e), &e, "begin")) goto out;

    /* log1p / poly / drop / keep learn nothing: one state serves both folds */
    rt_tf_step free_steps[] = {
        { .kind = RT_TF_LOG1P, NAMES("proline", "magnesium") },
        { .kind = RT_TF_POLY, NAMES("alcohol", "hue") },
        { .kind = RT_TF_DROP, COLS("ash") },
        { .kind = RT_TF_KEEP, .selector = RT_SEL_NAMED,
          COLS("alcohol", "hue", "alcohol*hue", "proline", "magnesium", "flavanoids") },
        { .kind = RT_TF_STANDARDIZE },
    };
    if (FAILED(rt_tf_apply(s0, free_steps, 4, ta, na, &L, &e), &e, "fold-free prefix")) goto out;
    for (int f = 0; f < 2; f++) {
        const int *tr = f ? tb : ta;
        int ntr = f ? nb : na;
        if (FAILED(rt_tf_apply(L, free_steps + 4, 1, tr, ntr, &X, &e), &e, "suffix")) goto out;
        if (FAILED(rt_tf_finish(X, tr, ntr, &d, &e), &e, "finish")) goto out;
        if (FAILED(rt_pipeline_run(wine, 13, free_steps, 5, tr, ntr, &ref, &e), &e, "run")) goto out;
        CHECK(same_design(&d, &ref), "fold %d from a fold-free prefix", f);
        rt_design_free(&d);
        rt_design_free(&ref);
        rt_tf_state_free(X);
        X = NULL;
    }

    /* standardize learns from fold a: fold b is refused, fold a's rows in
     * another array are fine */
    if (FAILED(rt_tf_apply(L, free_steps + 4, 1, ta, na, &F, &e), &e, "fitted")) goto out;
    X = (rt_tf_state *)1;
    CHECK(rt_tf_apply(F, free_steps, 0, tb, nb, &X, &e) == -1 && X == NULL);
    CHECK(strcmp(e.msg, "training rows differ from those the preprocessing state was fitted on") == 0);
    CHECK(rt_tf_finish(F, tb, nb, &d, &e) == -1 && d.x == NULL && d.names == NULL);
    CHECK(rt_tf_finish(F, ta, na - 1, &d, &e) == -1);
    int *copy = malloc(sizeof(int) * (size_t)na);
    memcpy(copy, ta, sizeof(int) * (size_t)na);
    CHECK(rt_tf_finish(F, copy, na, &d, &e) == 0);
    rt_design_free(&d);
    /* same rows, another order: statistics could differ in the last bits */
    int t0 = copy[0]; copy[0] = copy[1]; copy[1] = t0;
    CHECK(rt_tf_finish(F, copy, na, &d, &e) == -1);
    free(copy);
    /* a state derived from F inherits the rows */
    if (FAILED(rt_tf_apply(F, free_steps + 4, 1, ta, na, &X, &e), &e, "derived")) goto out;
    CHECK(rt_tf_finish(X, tb, nb, &d, &e) == -1);
out:
    rt_design_free(&d);
    rt_tf_state_free(X);
    rt_tf_state_free(F);
    rt_tf_state_free(L);
    rt_tf_state_free(s0);
    free(ta);
    free(tb);
    rt_table_free(wine);
}

/* ---- errors ------------------------------------------------------------------ */

static void test_errors(void)
{
    rt_table *iris = load_data("iris");
    int ntr;
    int *tr = fold_rows(iris->nrows, 0, 4, &ntr);
    ut_err e;
    rt_tf_state *s0 = NULL, *P = NULL, *X = NULL;
    rt_design d0, d1, d;
    rt_tf_state_free(NULL);
    CHECK(rt_tf_state_bytes(NULL) == 0);
    if (FAILED(rt_tf_begin(iris, 4, &s0, &e), &e, "begin")) goto out;
    rt_tf_step st = { .kind = RT_TF_STANDARDIZE };
    if (FAILED(rt_tf_apply(s0, &st, 1, tr, ntr, &P, &e), &e, "apply")) goto out;
    if (FAILED(rt_tf_finish(P, tr, ntr, &d0, &e), &e, "finish")) goto out;

    /* a failing suffix: -1, *out NULL, the input as it was */
    rt_tf_step bad[] = { { .kind = RT_TF_MINMAX }, { .kind = RT_TF_DROP, COLS("nope") } };
    X = (rt_tf_state *)1;   /* must come back NULL */
    CHECK(rt_tf_apply(P, bad, 2, tr, ntr, &X, &e) == -1 && X == NULL);
    CHECK(strcmp(e.msg, "drop: no column named 'nope'") == 0);
    rt_tf_step tgt = { .kind = RT_TF_KEEP, COLS("target") };
    CHECK(rt_tf_apply(P, &tgt, 1, tr, ntr, &X, &e) == -1 && X == NULL);
    CHECK(strcmp(e.msg, "keep: column 'target' is the target, not a feature") == 0);
    rt_tf_step pk = { .kind = RT_TF_PCA, .k = -1 };
    CHECK(rt_tf_apply(P, &pk, 1, tr, ntr, &X, &e) == -1 && X == NULL);
    if (!FAILED(rt_tf_finish(P, tr, ntr, &d1, &e), &e, "finish after errors")) {
        CHECK(same_design(&d0, &d1));
        rt_design_free(&d1);
    }
    CHECK(rt_tf_apply(NULL, &st, 1, tr, ntr, &X, &e) == -1 && X == NULL);
    CHECK(rt_tf_apply(s0, &st, 1, tr, 0, &X, &e) == -1 && strcmp(e.msg, "no training rows") == 0);
    int oob[] = { 3, 150 };
    CHECK(rt_tf_apply(s0, &st, 1, oob, 2, &X, &e) == -1 &&
          strcmp(e.msg, "training row 150 out of range") == 0);
    CHECK(rt_tf_finish(NULL, tr, ntr, &d, &e) == -1 && d.x == NULL);
    CHECK(rt_tf_finish(s0, oob, 2, &d, &e) == -1 && d.x == NULL);
    CHECK(rt_tf_begin(NULL, 0, &X, &e) == -1 && X == NULL);
    /* zero steps: a copy; a target out of range: every column a feature */
    if (!FAILED(rt_tf_apply(P, NULL, 0, tr, ntr, &X, &e), &e, "no steps")) {
        if (!FAILED(rt_tf_finish(X, tr, ntr, &d1, &e), &e, "finish")) {
            CHECK(same_design(&d0, &d1));
            rt_design_free(&d1);
        }
        rt_tf_state_free(X);
    }
    X = NULL;
    if (!FAILED(rt_tf_begin(iris, 99, &X, &e), &e, "begin without target")) {
        if (!FAILED(rt_tf_finish(X, tr, ntr, &d1, &e), &e, "finish")) {
            CHECK(d1.p == 5);
            rt_design_free(&d1);
        }
    }
    rt_design_free(&d0);
out:
    rt_tf_state_free(X);
    rt_tf_state_free(P);
    rt_tf_state_free(s0);
    free(tr);
    rt_table_free(iris);
}

/* ---- copy-on-write on a large table ---------------------------------------- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static rt_table *big_table(int n, int p)
{
    rt_table *t = calloc(1, sizeof *t);
    t->nrows = n;
    t->ncols = p + 1;
    t->cols = calloc((size_t)p + 1, sizeof(rt_column));
    uint32_t seed = 7;
    for (int j = 0; j <= p; j++) {
        rt_column *c = &t->cols[j];
        char name[16];
        snprintf(name, sizeof name, j == p ? "y" : "c%d", j);
        c->name = strdup(name);
        c->type = RT_NUMERIC;
        c->num = malloc(sizeof(double) * (size_t)n);
        for (int i = 0; i < n; i++) c->num[i] = (double)(lcg(&seed) % 100000) / 1000.0 - 20.0 + j;
    }
    for (int i = 0; i < n; i += 97) t->cols[7].num[i] = NAN;   /* only c7 has holes */
    return t;
}

static void test_memory(void)
{
    /* under valgrind (~40x slower) a tenth of the rows: the byte checks
     * are relative to the size */
    const int n = RUNNING_ON_VALGRIND ? 20000 : 200000, p = 50;
    const size_t col = sizeof(double) * (size_t)n, slack = 64 * 1024;
    rt_table *t = big_table(n, p);
    int ntr;
    int *tr = fold_rows(n, 0, 5, &ntr);
    uint64_t h0 = table_hash(t);
    ut_err e;
    rt_tf_state *s0 = NULL, *P = NULL, *S = NULL, *S2 = NULL;
    rt_design d, ref;
    rt_tf_step chain[] = {
        { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEDIAN },
        { .kind = RT_TF_STANDARDIZE, NAMES("c0", "c1", "c2", "c3", "c4") },
        { .kind = RT_TF_MINMAX, NAMES("c0", "c1", "c2", "c3", "c4") },
    };
    /* a state fitted on a fold keeps a copy of its rows (shared by the
     * states derived from it) */
    const size_t rows = sizeof(int) * (size_t)ntr;
    double t0 = now();
    if (FAILED(rt_tf_begin(t, p, &s0, &e), &e, "begin")) goto out;
    double t1 = now();
    /* the table's arrays, not copies */
    CHECK(rt_tf_state_bytes(s0) < slack, "begin holds %zu bytes", rt_tf_state_bytes(s0));
    /* impute changes c7 only: the other 49 columns stay the table's */
    if (FAILED(rt_tf_apply(s0, chain, 1, tr, ntr, &P, &e), &e, "impute")) goto out;
    double t2 = now();
    size_t b = rt_tf_state_bytes(P);
    CHECK(b >= col + rows && b < col + rows + slack, "impute state holds %zu bytes", b);
    b = rt_tf_state_bytes_unique(P);   /* the blocks lent by the table are s0's too */
    CHECK(b >= col + rows && b < col + rows + slack, "impute state alone holds %zu bytes", b);
    /* S shares c7 and the rows with P: they count half in each */
    if (FAILED(rt_tf_apply(P, chain + 1, 1, tr, ntr, &S, &e), &e, "standardize")) goto out;
    double t3 = now();
    b = rt_tf_state_bytes(P);
    CHECK(b >= (col + rows) / 2 && b < (col + rows) / 2 + slack, "P with S holds %zu bytes", b);
    b = rt_tf_state_bytes(S);
    CHECK(b >= 5 * col + (col + rows) / 2 && b < 5 * col + (col + rows) / 2 + slack,
              "S holds %zu bytes", b);
    b = rt_tf_state_bytes_unique(S);
    CHECK(b >= 5 * col && b < 5 * col + slack, "S alone holds %zu bytes", b);
    CHECK(rt_tf_state_bytes_unique(P) < slack);
    /* ... and a third each once S2 shares them too */
    if (FAILED(rt_tf_apply(P, chain + 2, 1, tr, ntr, &S2, &e), &e, "minmax")) goto out;
    b = rt_tf_state_bytes(P);
    CHECK(b >= (col + rows) / 3 && b < (col + rows) / 3 + slack, "P with S and S2 holds %zu bytes", b);
    size_t sum = rt_tf_state_bytes(s0) + rt_tf_state_bytes(P) + rt_tf_state_bytes(S) + rt_tf_state_bytes(S2);
    CHECK(sum >= 11 * col + rows && sum < 11 * col + rows + 4 * slack, "all states hold %zu bytes", sum);

    double t4 = now();
    if (FAILED(rt_tf_finish(S, tr, ntr, &d, &e), &e, "finish")) goto out;
    double t5 = now();
    if (FAILED(rt_pipeline_run(t, p, chain, 2, tr, ntr, &ref, &e), &e, "run")) { rt_design_free(&d); goto out; }
    double t6 = now();
    CHECK(same_design(&d, &ref));
    rt_design_free(&d);
    rt_design_free(&ref);
    rt_tf_state_free(S);
    S = NULL;
    rt_tf_state_free(S2);
    S2 = NULL;
    b = rt_tf_state_bytes(P);
    CHECK(b >= col + rows && b < col + rows + slack, "P alone again holds %zu bytes", b);
    CHECK(table_hash(t) == h0);
    printf("%d x 50: begin %.3f s, impute %.3f s, standardize(5) %.3f s, finish %.3f s, "
           "rt_pipeline_run %.3f s\n", n, t1 - t0, t2 - t1, t3 - t2, t5 - t4, t6 - t5);
out:
    rt_tf_state_free(S2);
    rt_tf_state_free(S);
    rt_tf_state_free(P);
    rt_tf_state_free(s0);
    free(tr);
    rt_table_free(t);
}

/* rt_tf_scaled_rows against the working columns: rows `rows` of chain
 * steps fitted on tr.  expect 1: it must decline. */
static void check_scaled(const char *what, const rt_table *t, int y, const rt_tf_step *steps, int n, const int *tr,
                         int ntr, const int *rows, int nrows, int expect)
{
    ut_err e;
    ut_err_clear(&e);
    rt_design fast;
    int rc = rt_tf_scaled_rows(t, y, steps, n, tr, ntr, rows, nrows, &fast, &e);
    CHECK(rc == expect, "%s: rt_tf_scaled_rows returned %d, expected %d (%s)", what, rc, expect, e.msg);
    if (rc != 0) {
        CHECK(fast.x == NULL && fast.names == NULL, "%s: a declined call made something", what);
        return;
    }
    rt_tf_state *s0 = NULL, *s1 = NULL;
    rt_design ref;
    if (FAILED(rt_tf_begin(t, y, &s0, &e), &e, what)) { rt_design_free(&fast); return; }
    int arc = rt_tf_apply(s0, steps, n, tr, ntr, &s1, &e);
    rt_tf_state_free(s0);
    if (!FAILED(arc, &e, what) && !FAILED(rt_tf_finish_take_rows(s1, tr, ntr, rows, nrows, &ref, &e), &e, what)) {
        CHECK(same_design(&fast, &ref), "%s: differs from the chain's rows", what);
        rt_design_free(&ref);
    }
    rt_design_free(&fast);
}

static void test_scaled_rows(void)
{
    static const char *const names[] = {"wine", "boston_housing", "satellite", "diabetes_progression"};
    static const char *const targets[] = {"target", "medv", "classes", "target"};
    const rt_tf_step raw[1] = {STEP(.kind = RT_TF_IMPUTE)};
    const rt_tf_step std[] = {STEP(.kind = RT_TF_STANDARDIZE)};
    const rt_tf_step full[] = {STEP(.kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEDIAN), STEP(.kind = RT_TF_ONEHOT),
                               STEP(.kind = RT_TF_STANDARDIZE, .selector = RT_SEL_ALL)};
    for (int d = 0; d < N_(names); d++) {
        rt_table *t = load_data(names[d]);
        int y = -1;
        for (int j = 0; j < t->ncols; j++)
            if (!strcmp(t->cols[j].name, targets[d])) y = j;
        CHECK(y >= 0, "%s: no column %s", names[d], targets[d]);
        for (int fold = 0; fold < 3; fold++) {
            int ntr, nte = 0;
            int *tr = fold_rows(t->nrows, fold, 3, &ntr);
            int *te = malloc(sizeof(int) * (size_t)t->nrows);
            for (int i = 0; i < t->nrows; i++)
                if (i % 3 == fold) te[nte++] = i;
            char what[96];
            snprintf(what, sizeof what, "%s fold %d raw", names[d], fold);
            check_scaled(what, t, y, raw, 0, tr, ntr, te, nte, 0);
            check_scaled(what, t, y, raw, 1, tr, ntr, te, nte, 0);
            snprintf(what, sizeof what, "%s fold %d standardize", names[d], fold);
            check_scaled(what, t, y, std, 1, tr, ntr, te, nte, 0);
            check_scaled(what, t, y, std, 1, tr, ntr, tr, ntr, 0);   /* the training rows */
            snprintf(what, sizeof what, "%s fold %d impute, onehot, standardize(all)", names[d], fold);
            check_scaled(what, t, y, full, N_(full), tr, ntr, te, nte, 0);
            free(tr);
            free(te);
        }
        rt_table_free(t);
    }
    /* declined: other steps, a second standardize, named columns, onehot of
     * every column, a categorical feature, a missing value */
    rt_table *w = load_data("wine");
    int ntr;
    int *tr = fold_rows(w->nrows, 0, 3, &ntr);
    const rt_tf_step mm[] = {STEP(.kind = RT_TF_MINMAX)};
    const rt_tf_step two[] = {STEP(.kind = RT_TF_STANDARDIZE), STEP(.kind = RT_TF_STANDARDIZE)};
    const rt_tf_step named[] = {STEP(.kind = RT_TF_STANDARDIZE, NAMES("alcohol"))};
    const rt_tf_step oh[] = {STEP(.kind = RT_TF_ONEHOT, .selector = RT_SEL_ALL)};
    check_scaled("minmax", w, 0, mm, 1, tr, ntr, tr, ntr, 1);
    check_scaled("standardize twice", w, 0, two, 2, tr, ntr, tr, ntr, 1);
    check_scaled("standardize(alcohol)", w, 0, named, 1, tr, ntr, tr, ntr, 1);
    check_scaled("onehot(all)", w, 0, oh, 1, tr, ntr, tr, ntr, 1);
    punch_holes(w, 0, 5);
    check_scaled("wine with holes", w, 0, std, 1, tr, ntr, tr, ntr, 1);
    free(tr);
    rt_table_free(w);
    rt_table *cg = load_data("credit-g");
    tr = fold_rows(cg->nrows, 0, 3, &ntr);
    check_scaled("credit-g (categorical)", cg, cg->ncols - 1, std, 1, tr, ntr, tr, ntr, 1);
    free(tr);
    rt_table_free(cg);
}

int main(void)
{
    test_chains();
    test_scaled_rows();
    test_pca_prefix();
    test_folds();
    test_errors();
    test_memory();
    printf("test_transform_state: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
