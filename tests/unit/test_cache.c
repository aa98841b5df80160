/* test_cache.c — the intermediate cache's store (runtime/cache.c) on a
 * real catalog file: what is stored reads back bit for bit; the budget is
 * never exceeded (the directory's bytes and the rows' bytes checked after
 * every offer), eviction goes by value per byte; and a file that is
 * flipped, truncated, deleted, swapped or of the wrong shape is detected,
 * noted as a warning, its row and file removed, never used; a pca family
 * entry (cache_pca.c) serves pca(k) for every k it covers, bit for bit
 * the design computed with that k, on real data. */
#include "../../runtime/cache.h"
#include "../../runtime/cache_internal.h"
#include "../../runtime/cart.h"
#include "../../runtime/families.h"
#include "../../runtime/transform.h"
#include "../../include/mileage.h"
#include "cache_ctx.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"


static char dbpath[512], dir[600];

static long long dir_bytes(int *nfiles)
{
    long long total = 0;
    *nfiles = 0;
    DIR *d = opendir(dir);
    for (struct dirent *de; d && (de = readdir(d));) {
        if (de->d_name[0] == '.') continue;
        char p[1200];
        struct stat sb;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (!stat(p, &sb)) total += sb.st_size, (*nfiles)++;
    }
    if (d) closedir(d);
    return total;
}

static long long row_bytes(rt_ctx *c, int *n)
{
    cat_cache_entry *all;
    ut_err e;
    ut_err_clear(&e);
    CHECK(cat_cache_all(c->cat, &all, n, &e) == 0);
    long long t = 0;
    for (int i = 0; i < *n; i++) t += all[i].bytes;
    cat_cache_all_free(all, *n);
    return t;
}

static void lineage_of(int i, rt_lineage_hex out) { snprintf(out, 33, "%032x", 0xabc000 + i); }

/* a design of ntrain + ntest rows x p columns whose values depend on i */
static double *design(int i, int n, int p)
{
    double *x = malloc((size_t)n * p * sizeof *x);
    for (int k = 0; k < n * p; k++) x[k] = i * 1000.0 + k * 0.1 + 1.0 / (k + 3);
    return x;
}

static void offer(rt_ctx *c, int i, int ntrain, int ntest, int p, double secs)
{
    rt_lineage_hex lin;
    lineage_of(i, lin);
    double *x = design(i, ntrain + ntest, p);
    char what[64];
    snprintf(what, sizeof what, "test design %d", i);
    rt_cache_offer_design(c, lin, what, x, ntrain, x + (size_t)ntrain * p, ntest, p, secs);
    free(x);
}

static int load(rt_ctx *c, int i, int ntrain, int ntest, int p, int *same)
{
    rt_lineage_hex lin;
    lineage_of(i, lin);
    double *x = NULL;
    int pp = 0;
    ut_err e;
    ut_err_clear(&e);
    int rc = rt_cache_load_design(c, lin, ntrain, ntest, &x, &pp, &e);
    if (rc == 1) {
        double *want = design(i, ntrain + ntest, p);
        *same = pp == p && !memcmp(x, want, (size_t)(ntrain + ntest) * p * sizeof *x);
        free(want);
    }
    free(x);
    return rc;
}

static int has_row(rt_ctx *c, int i)
{
    rt_lineage_hex lin;
    lineage_of(i, lin);
    cat_cache_entry en;
    ut_err e;
    ut_err_clear(&e);
    int f = cat_cache_get(c->cat, lin, &en, &e);
    if (f == 1) cat_cache_entry_clear(&en);
    return f == 1;
}

static char *file_of(int i)
{
    static char p[1200];
    rt_lineage_hex lin;
    lineage_of(i, lin);
    snprintf(p, sizeof p, "%s/%s.mlc", dir, lin);
    return p;
}

static void check_budget(rt_ctx *c, const char *when)
{
    int nf, nr;
    long long db = dir_bytes(&nf), rb = row_bytes(c, &nr);
    if (db > c->cache_budget || rb > c->cache_budget || db != rb || nf != nr)
        fprintf(stderr, "%s: directory %lld bytes in %d files, rows %lld bytes in %d, budget %lld\n", when, db, nf,
                rb, nr, c->cache_budget);
    CHECK(db <= c->cache_budget);
    CHECK(rb <= c->cache_budget);
    CHECK(db == rb && nf == nr);
}

static void test_budget(rt_ctx *c)
{
    /* each entry: 96 + (40 + 10) x 8 x 8 = 3296 bytes; room for three */
    long long one = 96 + 50 * 8 * 8;
    c->cache_budget = 3 * one + 100;
    for (int i = 0; i < 40; i++) {
        offer(c, i, 40, 10, 8, 0.5 + (i % 7) * 0.1);
        char when[32];
        snprintf(when, sizeof when, "offer %d", i);
        check_budget(c, when);
    }
    int n;
    row_bytes(c, &n);
    CHECK(n == 3);
    /* value per byte decides: a costly entry is not pushed out by cheaper
     * newcomers, and a cheap newcomer evicts nothing */
    offer(c, 100, 40, 10, 8, 50.0);
    CHECK(has_row(c, 100));
    for (int i = 200; i < 210; i++) offer(c, i, 40, 10, 8, 0.01);
    CHECK(has_row(c, 100));
    check_budget(c, "after cheap offers");
    /* bigger than the whole budget: never stored */
    offer(c, 300, 400, 100, 8, 100.0);
    CHECK(!has_row(c, 300));
    check_budget(c, "after a too large offer");
    /* cheaper to recompute than to load: not stored */
    offer(c, 301, 40, 10, 8, 1e-9);
    CHECK(!has_row(c, 301));
    /* a lower budget evicts at once */
    c->cache_budget = one + 10;
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_cache_sync(c, &e) == 0);
    check_budget(c, "after lowering the budget");
    CHECK(has_row(c, 100));   /* the most valuable stays */
    free(rt_cache_take_notes(c));
}

static void corrupt_byte(const char *path, long off)
{
    FILE *f = fopen(path, "r+b");
    CHECK(f != NULL);
    if (!f) return;
    fseek(f, off, SEEK_SET);
    int ch = fgetc(f);
    fseek(f, off, SEEK_SET);
    fputc(ch ^ 0x40, f);
    fclose(f);
}

static void expect_unusable(rt_ctx *c, int i, int ntrain, const char *reason)
{
    int same = 0;
    CHECK(load(c, i, ntrain, 10, 8, &same) == 0);
    char *notes = rt_cache_take_notes(c);
    if (!notes || !strstr(notes, reason) || !strstr(notes, "warning: ") || !strstr(notes, "recomputed"))
        fprintf(stderr, "entry %d: notes \"%s\", expected \"%s\"\n", i, notes ? notes : "(none)", reason);
    CHECK(notes && strstr(notes, reason) && strstr(notes, "recomputed"));
    free(notes);
    CHECK(!has_row(c, i));
    CHECK(access(file_of(i), F_OK) != 0);
}

static void test_validation(rt_ctx *c)
{
    ut_err e;
    ut_err_clear(&e);
    CHECK(cat_cache_clear(c->cat, &e) == 0);
    c->cache_budget = 1 << 20;
    CHECK(rt_cache_sync(c, &e) == 0);
    for (int i = 0; i < 8; i++) offer(c, i, 40, 10, 8, 1.0);
    int same = 0;
    CHECK(load(c, 0, 40, 10, 8, &same) == 1 && same);   /* bit for bit */
    CHECK(load(c, 0, 40, 10, 8, &same) == 1 && same);
    CHECK(rt_cache_take_notes(c) == NULL);

    corrupt_byte(file_of(1), 96 + 1000);   /* a payload byte */
    expect_unusable(c, 1, 40, "checksum");
    corrupt_byte(file_of(2), 70);          /* a header byte (dims) */
    expect_unusable(c, 2, 40, "header is damaged");
    CHECK(truncate(file_of(3), 2000) == 0);
    expect_unusable(c, 3, 40, "truncated");
    CHECK(unlink(file_of(4)) == 0);
    expect_unusable(c, 4, 40, "missing");
    /* another entry's file under this entry's name */
    char a[1200];
    snprintf(a, sizeof a, "%s", file_of(6));
    CHECK(rename(file_of(5), a) == 0);
    expect_unusable(c, 6, 40, "lineage does not match");
    /* a file of another fold size */
    expect_unusable(c, 7, 41, "shape does not match");
    /* nothing else was touched */
    CHECK(load(c, 0, 40, 10, 8, &same) == 1 && same);
    /* sync: leftovers of an interrupted write and files without a row go;
     * other files stay */
    char p[1200];
    snprintf(p, sizeof p, "%s/%032x.tmp", dir, 7);
    FILE *f = fopen(p, "wb");
    fputs("partial", f);
    fclose(f);
    snprintf(p, sizeof p, "%s/README", dir);
    f = fopen(p, "wb");
    fputs("not ours", f);
    fclose(f);
    CHECK(rt_cache_sync(c, &e) == 0);
    snprintf(p, sizeof p, "%s/%032x.tmp", dir, 7);
    CHECK(access(p, F_OK) != 0);
    CHECK(access(file_of(5), F_OK) != 0);   /* renamed away above: its row went at the load */
    snprintf(p, sizeof p, "%s/README", dir);
    CHECK(access(p, F_OK) == 0);
    unlink(p);
}

static int same_table(const rt_table *a, const rt_table *b)
{
    if (a->nrows != b->nrows || a->ncols != b->ncols || strcmp(a->format, b->format) || strcmp(a->hash, b->hash))
        return 0;
    for (int j = 0; j < a->ncols; j++) {
        const rt_column *x = &a->cols[j], *y = &b->cols[j];
        if (strcmp(x->name, y->name) || x->type != y->type || x->nlevels != y->nlevels || x->missing != y->missing ||
            x->distinct != y->distinct || x->integral != y->integral ||
            memcmp(&x->min, &y->min, sizeof x->min) || memcmp(&x->std, &y->std, sizeof x->std))
            return 0;
        if (x->type == RT_NUMERIC && memcmp(x->num, y->num, (size_t)a->nrows * sizeof *x->num)) return 0;
        if (x->type == RT_CATEGORICAL) {
            if (memcmp(x->cat, y->cat, (size_t)a->nrows * sizeof *x->cat)) return 0;
            for (int k = 0; k < x->nlevels; k++)
                if (strcmp(x->levels[k], y->levels[k])) return 0;
        }
    }
    return 1;
}

/* The parsed data: credit-g (numeric and categorical columns) stored and
 * read back field for field; a payload that passes its checksum but does
 * not decode (a level code out of range) is refused like a damaged file. */
static void test_table(rt_ctx *c)
{
    ut_err e;
    ut_err_clear(&e);
    c->cache_budget = 64 << 20;
    rt_read_opts o;
    rt_read_opts_default(&o);
    rt_table *t = NULL;
    CHECK(rt_read_file(MLG_SOURCE_DIR "/data/credit-g.csv", &o, &t, &e) == 0);
    if (!t) return;
    cat_dataset d;
    memset(&d, 0, sizeof d);
    d.name = "credit", d.format = "csv", d.hash = t->hash, d.options_json = "{}";
    d.nrows = t->nrows, d.ncols = t->ncols;
    rt_lineage_hex lin;
    CHECK(rt_lineage_data(&d, lin) == 0);
    rt_cache_offer_table(c, lin, "credit", t, 10.0);
    CHECK(rt_cache_worth_loading(c, lin));
    rt_table *back = NULL;
    CHECK(rt_cache_load_table(c, lin, &d, &back, &e) == 1);
    CHECK(back && same_table(t, back));
    rt_table_free(back);
    /* the same dataset row with another shape: refused */
    d.nrows--;
    CHECK(rt_cache_load_table(c, lin, &d, &back, &e) == 0 && !back);
    char *notes = rt_cache_take_notes(c);
    CHECK(notes && strstr(notes, "shape does not match the dataset"));
    free(notes);
    d.nrows++;
    /* a well-formed file whose payload is not a table */
    static const char junk[] = "\003\0\0\0csv\001\0\0\0a\001\0\0\0\001\0\0\0";
    const void *piece[1] = {junk};
    size_t len[1] = {sizeof junk};
    int64_t dims[3] = {d.nrows, d.ncols, 0};
    rt_cache_offer(c, lin, "junk", RT_CACHE_KIND_DATA, dims, piece, len, 1, 10.0);
    CHECK(rt_cache_load_table(c, lin, &d, &back, &e) == 0 && !back);
    notes = rt_cache_take_notes(c);
    CHECK(notes && strstr(notes, "do not decode as a table"));
    free(notes);
    /* a design's file is not data: another kind under the same lineage */
    double x[4] = {1, 2, 3, 4};
    rt_cache_offer_design(c, lin, "design", x, 1, x + 2, 1, 2, 10.0);
    CHECK(rt_cache_load_table(c, lin, &d, &back, &e) == 0 && !back);
    notes = rt_cache_take_notes(c);
    CHECK(notes && strstr(notes, "lineage does not match"));
    free(notes);
    rt_table_free(t);
}

/* Fitted trees (kind 'model'): stored and read back bit for bit; a
 * shallower, cheaper tree does not replace a deeper one; a payload whose
 * checksums hold but whose tree is not well formed, or of another width,
 * is noted, removed, never used. */
static void test_tree_model(rt_ctx *c)
{
    int n = 300, p = 4;
    double *X = malloc((size_t)n * p * sizeof *X);
    int *yc = malloc((size_t)n * sizeof *yc);
    for (int i = 0; i < n; i++) {
        for (int f = 0; f < p; f++) X[i * p + f] = (double)((i * (f + 3) * 7919) % 101) / 7.0;
        yc[i] = (X[i * p] + X[i * p + 1] > 14) + (X[i * p + 2] > 10);
    }
    rt_trainset ts = {X, n, p, NULL, yc, 3, 1};
    rt_pval pv[5] = {{6, NULL}, {1, NULL}, {0, "auto"}, {1, NULL}, {1, NULL}};
    rt_model *m = NULL, *back = NULL;
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_fit(RT_FAM_TREE, pv, &ts, &m, &e) == 0);
    rt_lineage_hex lin;
    rt_lineage_tree("0123456789abcdef0123456789abcdef", pv, n, 1, lin);
    rt_cache_offer_tree(c, lin, "tree to max_depth 6", m, 6, 10.0);
    int cap = -1;
    double secs = 0;
    CHECK(rt_cache_load_tree(c, lin, p, 3, &back, &cap, &secs, &e) == 1 && back && cap == 6 && secs == 10.0);
    const cart_tree *a = rt_tree_get(m), *b = back ? rt_tree_get(back) : NULL;
    CHECK(b && a->nnodes == b->nnodes && a->depth == b->depth &&
          !memcmp(a->value, b->value, (size_t)a->nnodes * a->nout * sizeof *a->value));
    for (int i = 0; b && i < a->nnodes; i++)
        CHECK(a->node[i].feature == b->node[i].feature && a->node[i].left == b->node[i].left &&
              !memcmp(&a->node[i].threshold, &b->node[i].threshold, sizeof(double)) &&
              !memcmp(&a->node[i].impurity, &b->node[i].impurity, sizeof(double)));
    rt_model_free(back);
    back = NULL;
    /* a cheaper (shallower) tree offered under the lineage leaves it */
    rt_cache_offer_tree(c, lin, "tree to max_depth 3", m, 3, 1.0);
    CHECK(rt_cache_load_tree(c, lin, p, 3, &back, &cap, &secs, &e) == 1 && cap == 6);
    rt_model_free(back);
    back = NULL;
    /* another width: not used */
    CHECK(rt_cache_load_tree(c, lin, p + 1, 3, &back, &cap, &secs, &e) == 0 && !back);
    char *notes = rt_cache_take_notes(c);
    CHECK(notes && strstr(notes, "shape does not match"));
    free(notes);
    /* checksums right, tree wrong: node 1 says its child is node 0 */
    int32_t bad[2 + 5 * 3];
    double dv[3 * 3 + 3 * 3];
    memset(dv, 0, sizeof dv);
    int32_t hdr[17] = {3, 3, /* feature */ 0, -1, -1, /* left */ 1, -1, -1, /* right */ 0, -1, -1,
                       /* depth */ 0, 1, 1, /* n */ 2, 1, 1};
    memcpy(bad, hdr, sizeof bad);
    unsigned char buf[sizeof bad + sizeof dv];
    memcpy(buf, bad, sizeof bad);
    memcpy(buf + sizeof bad, dv, sizeof dv);
    const void *piece[1] = {buf};
    size_t len[1] = {sizeof buf};
    int64_t dims[3] = {1, 1, p};
    rt_cache_offer(c, lin, "bad tree", RT_CACHE_KIND_MODEL, dims, piece, len, 1, 10.0);
    CHECK(rt_cache_load_tree(c, lin, p, 3, &back, &cap, &secs, &e) == 0 && !back);
    notes = rt_cache_take_notes(c);
    CHECK(notes && strstr(notes, "not a valid tree"));
    free(notes);
    cat_cache_entry en;
    CHECK(cat_cache_get(c->cat, lin, &en, &e) == 0);   /* its row (and file) removed */
    rt_model_free(m);
    free(X);
    free(yc);
}

/* A real design of digits (train rows: i % 3 != 0, test rows: the others)
 * as the executor stores it: training rows then test rows; *at the index
 * of pc1 (-1 when none). */
static double *real_design(const rt_table *t, const rt_tf_step *steps, int nsteps, int *p, int *ntr, int *nte,
                           int *at)
{
    int n = t->nrows, *train = malloc(sizeof(int) * (size_t)n), *test = malloc(sizeof(int) * (size_t)n);
    *ntr = *nte = 0;
    for (int i = 0; i < n; i++) {
        if (i % 3) train[(*ntr)++] = i;
        else test[(*nte)++] = i;
    }
    rt_design d;
    ut_err e;
    ut_err_clear(&e);
    double *x = NULL;
    if (rt_pipeline_run(t, rt_table_find(t, "target"), steps, nsteps, train, *ntr, &d, &e) == 0) {
        *p = d.p;
        *at = -1;
        for (int j = 0; j < d.p; j++)
            if (!strcmp(d.names[j], "pc1")) *at = j;
        x = malloc(sizeof(double) * (size_t)n * (size_t)d.p);
        for (int i = 0; i < *ntr; i++) memcpy(x + (size_t)i * d.p, d.x + (size_t)train[i] * d.p, sizeof(double) * d.p);
        for (int i = 0; i < *nte; i++)
            memcpy(x + (size_t)(*ntr + i) * d.p, d.x + (size_t)test[i] * d.p, sizeof(double) * d.p);
        rt_design_free(&d);
    } else {
        fprintf(stderr, "pipeline: %s\n", e.msg);
    }
    free(train);
    free(test);
    return x;
}

/* The family entry of pca(K) loaded for k: 1 when it is bit for bit the
 * design of pca(k) computed afresh (same width, same bits), 0 when it
 * differs, -1 when the cache did not serve it. */
static int family_serves_memo(rt_ctx *c, const char *fam, const rt_table *t, rt_tf_step *steps, int nsteps, int k,
                              rt_pca_memo *memo)
{
    int K = steps[nsteps - 1].k, p, ntr, nte, at, pp = 0, nc = 0;
    steps[nsteps - 1].k = k;
    double *want = real_design(t, steps, nsteps, &p, &ntr, &nte, &at);
    steps[nsteps - 1].k = K;
    double *x = NULL;
    ut_err e;
    ut_err_clear(&e);
    int rc = rt_cache_load_pca(c, fam, k, ntr, nte, &x, &pp, &nc, memo, &e);
    int same = rc != 1 ? -1 : want && pp == p && !memcmp(x, want, sizeof(double) * (size_t)(ntr + nte) * p);
    free(x);
    free(want);
    return same;
}

static int family_serves(rt_ctx *c, const char *fam, const rt_table *t, rt_tf_step *steps, int nsteps, int k)
{
    return family_serves_memo(c, fam, t, steps, nsteps, k, NULL);
}

static void test_pca_family(rt_ctx *c)
{
    char path[600];
    snprintf(path, sizeof path, "%s/data/digits.csv", MLG_SOURCE_DIR);
    rt_table *t = NULL;
    ut_err e;
    ut_err_clear(&e);
    if (rt_read_csv(path, NULL, &t, &e)) {
        fprintf(stderr, "%s\n", e.msg);
        failures++;
        return;
    }
    /* standardize, pca(k = 40): the pc columns are the whole design */
    rt_tf_step steps[2];
    memset(steps, 0, sizeof steps);
    steps[0].kind = RT_TF_STANDARDIZE;
    steps[1].kind = RT_TF_PCA;
    steps[1].k = 40;
    int p, ntr, nte, at;
    double *x = real_design(t, steps, 2, &p, &ntr, &nte, &at);
    CHECK(x && p == 40 && at == 0);
    rt_lineage_hex fam;
    lineage_of(900, fam);
    rt_cache_offer_pca(c, fam, "pca family test", x, ntr, x + (size_t)ntr * p, nte, p, at, 40, 40, 10.0);
    int nc = 0, kreq = 0, pays = 0;
    CHECK(rt_cache_pca_stored(c, fam, &nc, &kreq, &pays) == 1 && nc == 40 && kreq == 40 && pays);
    /* every k <= 40 is bit for bit pca(k) computed afresh: a prefix one
     * column short, long or shifted differs in width or in bits */
    CHECK(family_serves(c, fam, t, steps, 2, 10) == 1);
    CHECK(family_serves(c, fam, t, steps, 2, 11) == 1);
    CHECK(family_serves(c, fam, t, steps, 2, 1) == 1);
    CHECK(family_serves(c, fam, t, steps, 2, 40) == 1);
    /* a round's members from one read: the first load fills the memo, the
     * others are cut from it bit for bit — even with the file gone */
    {
        rt_pca_memo memo;
        memset(&memo, 0, sizeof memo);
        CHECK(family_serves_memo(c, fam, t, steps, 2, 10, &memo) == 1 && memo.x && memo.ncomp == 40);
        cat_cache_entry en;
        memset(&en, 0, sizeof en);
        char file[700];
        CHECK(cat_cache_get(c->cat, fam, &en, &e) == 1);
        snprintf(file, sizeof file, "%s.cache/%s", dbpath, en.file ? en.file : "?");
        cat_cache_entry_clear(&en);
        char keep[720];
        snprintf(keep, sizeof keep, "%s.keep", file);
        CHECK(rename(file, keep) == 0);
        CHECK(family_serves_memo(c, fam, t, steps, 2, 11, &memo) == 1);
        CHECK(family_serves_memo(c, fam, t, steps, 2, 1, &memo) == 1);
        CHECK(family_serves_memo(c, fam, t, steps, 2, 40, &memo) == 1);
        /* and the memo serves its own family only */
        rt_lineage_hex other;
        lineage_of(901, other);
        double *y = NULL;
        int yp = 0, yn = 0;
        CHECK(rt_cache_load_pca(c, other, 10, ntr, nte, &y, &yp, &yn, &memo, &e) == 0 && !y);
        CHECK(rename(keep, file) == 0);
        rt_pca_memo_free(&memo);
        CHECK(memo.x == NULL);
    }
    /* and is not pca(k + 1): the comparison can fail */
    {
        int p11, a, b, c11;
        steps[1].k = 11;
        double *w11 = real_design(t, steps, 2, &p11, &a, &b, &c11);
        steps[1].k = 40;
        double *x10 = NULL;
        int pp = 0, n2 = 0;
        CHECK(rt_cache_load_pca(c, fam, 10, ntr, nte, &x10, &pp, &n2, NULL, &e) == 1 && pp == 10 && n2 == 40);
        /* row 1 of pca(10) starts with pc1 of row 1, not pc11 of row 0 */
        CHECK(x10 && w11 && x10[10] == w11[11] && x10[10] != w11[10]);
        free(x10);
        free(w11);
    }
    /* k > K: a miss, the entry stays */
    double *none = NULL;
    int pp = 0;
    CHECK(rt_cache_load_pca(c, fam, 41, ntr, nte, &none, &pp, &nc, NULL, &e) == 0 && !none);
    CHECK(rt_cache_pca_stored(c, fam, &nc, &kreq, &pays) == 1 && nc == 40);
    /* a narrower design of the family is not stored over a wider one */
    steps[1].k = 10;
    double *x10 = real_design(t, steps, 2, &p, &ntr, &nte, &at);
    rt_cache_offer_pca(c, fam, "narrower", x10, ntr, x10 + (size_t)ntr * p, nte, p, at, 10, 10, 10.0);
    CHECK(rt_cache_pca_stored(c, fam, &nc, &kreq, &pays) == 1 && nc == 40);
    free(x10);
    free(x);

    /* pca on five named columns: its block sits where the first was, the
     * other columns before and after it; pca(5) serves pca(2) */
    char *cols[] = {"pixel_0_2", "pixel_0_3", "pixel_0_4", "pixel_0_5", "pixel_0_6"};
    steps[1].k = 5;
    steps[1].selector = RT_SEL_NAMED;
    steps[1].columns = cols;
    steps[1].ncolumns = 5;
    x = real_design(t, steps, 2, &p, &ntr, &nte, &at);
    CHECK(x && at > 0 && at + 5 < p);
    rt_lineage_hex fam2;
    lineage_of(901, fam2);
    rt_cache_offer_pca(c, fam2, "pca family test 2", x, ntr, x + (size_t)ntr * p, nte, p, at, 5, 5, 10.0);
    CHECK(family_serves(c, fam2, t, steps, 2, 2) == 1);
    CHECK(family_serves(c, fam2, t, steps, 2, 4) == 1);
    free(x);
    /* pca clamps k to the columns: pca(9) of 5 columns has 5 and serves
     * every k, pca(7) is the same design */
    steps[1].k = 9;
    x = real_design(t, steps, 2, &p, &ntr, &nte, &at);
    rt_lineage_hex fam3;
    lineage_of(902, fam3);
    rt_cache_offer_pca(c, fam3, "pca family test 3", x, ntr, x + (size_t)ntr * p, nte, p, at, 5, 9, 10.0);
    CHECK(family_serves(c, fam3, t, steps, 2, 7) == 1);
    CHECK(family_serves(c, fam3, t, steps, 2, 3) == 1);
    free(x);
    /* a damaged family entry is reported and removed like any other:
     * header, payload (its record included), missing file */
    steps[1].k = 9;
    x = real_design(t, steps, 2, &p, &ntr, &nte, &at);
    long trailer = 96 + 8L * (ntr + nte) * p + 8;   /* a byte of the family record */
    for (int i = 0; i < 3; i++) {
        if (i) rt_cache_offer_pca(c, fam3, "pca family test 3", x, ntr, x + (size_t)ntr * p, nte, p, at, 5, 9, 10.0);
        CHECK(has_row(c, 902));
        free(rt_cache_take_notes(c));
        if (i == 0) corrupt_byte(file_of(902), 20);   /* the header */
        if (i == 1) corrupt_byte(file_of(902), trailer);
        if (i == 2) unlink(file_of(902));
        CHECK(family_serves(c, fam3, t, steps, 2, 3) == -1);
        char *notes = rt_cache_take_notes(c);
        CHECK(notes && strstr(notes, "pca family test 3 is unusable") && strstr(notes, "recomputed"));
        if (!notes || !strstr(notes, "unusable")) fprintf(stderr, "damage %d: notes %s\n", i, notes ? notes : "(none)");
        free(notes);
        CHECK(!has_row(c, 902));
    }
    free(x);
    CHECK(rt_pca_serves(40, 40, 40) && !rt_pca_serves(40, 40, 41) && rt_pca_serves(5, 9, 100) && !rt_pca_serves(5, 5, 0));
    rt_table_free(t);
}

int main(void)
{
    char tmpl[] = "/tmp/mlg_test_cache_XXXXXX";
    rt_ctx c;
    if (cache_ctx_open(tmpl, dbpath, sizeof dbpath, &c)) return 1;
    snprintf(dir, sizeof dir, "%s.cache", dbpath);
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_cache_active(&c));
    test_budget(&c);
    test_validation(&c);
    test_table(&c);
    test_tree_model(&c);
    test_pca_family(&c);
    /* an in-memory catalog has no cache */
    rt_ctx m = c;
    cat_db *mem = NULL;
    CHECK(cat_open(":memory:", &mem, &e) == 0);
    m.cat = mem;
    CHECK(!rt_cache_active(&m));
    cat_close(mem);
    char *msg = NULL;
    CHECK(rt_cache_clear_all(&c, &msg, &e) == 0);
    free(msg);
    int nf;
    CHECK(dir_bytes(&nf) == 0 && nf == 0);
    cache_ctx_close(&c, tmpl);
    printf("%d checks, %d failures\n", checks, failures);
    return failures != 0;
}
