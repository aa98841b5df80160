/* transform.c — the preprocessing chain: the working column set, column
 * selection, dispatch to the transforms (tf_*.c) and the design matrix.
 * Every step is fitted on the training rows only and applied to every row
 * (scikit-learn's fit on train / transform on all).  The chain starts from
 * the feature columns in table order (the table's arrays, copied only when
 * a step changes them); steps that replace columns put their output where
 * the first replaced column was, so the order stays readable and
 * deterministic.
 *
 * A saved state (rt_tf_state) is a column list whose arrays all live in
 * reference-counted tf_share blocks.  rt_tf_apply copies the list (names,
 * and one count more per block), runs the steps on it with the in-place
 * transforms copying on write, and wraps the columns it made into new
 * blocks.  Nothing a step computes depends on how the columns are stored,
 * so splitting a chain anywhere gives the same bits. */
#include "tf_internal.h"

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__) || defined(__APPLE__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "../util/sort.h"

const char *const rt_tf_names[RT_TF__COUNT] = {
#define X(e, name, desc) name,
#include "transforms.def"
#undef X
};

/* need_num: the transform only takes numeric columns.  fits: its result
 * depends on the training rows (then a state it made is tied to them). */
static const struct {
    int (*fn)(tf_set *, const rt_tf_step *, const char *, ut_err *);
    int need_num, fits;
    rt_selector dflt;
} ops[RT_TF__COUNT] = {
    [RT_TF_IMPUTE]      = { tf_impute,      0, 1, RT_SEL_ALL },
    [RT_TF_ONEHOT]      = { tf_onehot,      0, 1, RT_SEL_CATEGORICAL },
    [RT_TF_STANDARDIZE] = { tf_standardize, 1, 1, RT_SEL_NUMERIC },
    [RT_TF_MINMAX]      = { tf_minmax,      1, 1, RT_SEL_NUMERIC },
    [RT_TF_BIN]         = { tf_bin,         1, 1, RT_SEL_NUMERIC },
    [RT_TF_LOG1P]       = { tf_log1p,       1, 0, RT_SEL_NUMERIC },
    [RT_TF_POLY]        = { tf_poly,        1, 0, RT_SEL_NUMERIC },
    [RT_TF_PCA]         = { tf_pca,         1, 1, RT_SEL_NUMERIC },
    [RT_TF_SELECT_K]    = { tf_select_k,    1, 1, RT_SEL_NUMERIC },
    [RT_TF_DROP]        = { tf_drop,        0, 0, RT_SEL_NAMED },
    [RT_TF_KEEP]        = { tf_keep,        0, 0, RT_SEL_NAMED },
};

/* Column arrays shared between states (and borrowed from the table). */
struct tf_share {
    atomic_long refs;
    int     borrowed;   /* the arrays are the table's: never written or freed */
    int     n;
    size_t  bytes;      /* heap bytes of the arrays and this block */
    double *x;
    int    *code;
    char  **levels;
    int     nlevels;
};

/* The training rows a state's steps were fitted on, shared by the states
 * derived from it. */
typedef struct {
    atomic_long refs;
    int  n;
    int *rows;
} tf_rows;

struct rt_tf_state {
    const rt_table *t;
    int      target_col;
    int      n;
    tf_col  *c;          /* every column has its arrays in a tf_share */
    int      ncols;
    tf_rows *fit;        /* NULL: no step learnt from data yet */
};

/* ---- the working set ---- */

int tf_oom(ut_err *e) { return ut_errf(e, MLG_NOMEM, "out of memory"); }

int tf_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Order-preserving map of a double (not NaN) to an unsigned key. */
/* LSD radix sort (util/sort.h), 8 bits a pass, passes where every key
 * shares the byte skipped: several times faster than qsort's callback per comparison on
 * the column sizes quantiles and medians see. */
void tf_sort_doubles(double *v, int n)
{
    if (n < 2) return;
    uint64_t *a = malloc(sizeof(uint64_t) * 2 * (size_t)n);
    if (n < 256 || !a) {
        free(a);
        qsort(v, (size_t)n, sizeof(double), tf_cmp_double);
        return;
    }
    for (int i = 0; i < n; i++) a[i] = ut_dkey(v[i]);
    const uint64_t *s = ut_radix_sort_keys(a, a + n, n);
    for (int i = 0; i < n; i++) v[i] = ut_dunkey(s[i]);
    free(a);
}

static void free_levels(char **levels, int nlevels)
{
    for (int k = 0; levels && k < nlevels; k++) free(levels[k]);
    free(levels);
}

static void share_release(tf_share *h)
{
    if (!h || atomic_fetch_sub(&h->refs, 1) != 1) return;
    if (!h->borrowed) {
        free(h->x);
        free(h->code);
        free_levels(h->levels, h->nlevels);
    }
    free(h);
}

void tf_col_free(tf_col *w)
{
    free(w->name);
    if (w->sh) {
        share_release(w->sh);
    } else {
        free(w->x);
        free(w->code);
        free_levels(w->levels, w->nlevels);
    }
    memset(w, 0, sizeof *w);
}

int tf_col_own(tf_col *w, int n, ut_err *e)
{
    tf_share *h = w->sh;
    if (!h) return 0;
    /* the last holder of a block it allocated takes the arrays as they are */
    if (!h->borrowed && atomic_load(&h->refs) == 1) {
        free(h);
        w->sh = NULL;
        return 0;
    }
    size_t m = (size_t)(n ? n : 1);
    double *x = NULL;
    int *code = NULL;
    char **levels = NULL;
    if (w->x && !(x = ut_malloc_big(sizeof(double) * m))) goto oom;
    if (w->code && !(code = malloc(sizeof(int) * m))) goto oom;
    if (w->levels && !(levels = calloc((size_t)(w->nlevels ? w->nlevels : 1), sizeof(char *)))) goto oom;
    for (int k = 0; levels && k < w->nlevels; k++)
        if (!(levels[k] = ut_strdup(w->levels[k]))) goto oom;
    if (x) memcpy(x, w->x, sizeof(double) * (size_t)n);
    if (code) memcpy(code, w->code, sizeof(int) * (size_t)n);
    share_release(h);
    w->sh = NULL;
    w->x = x;
    w->code = code;
    w->levels = levels;
    return 0;
oom:
    free(x);
    free(code);
    free_levels(levels, w->nlevels);
    return tf_oom(e);
}

void tf_set_free(tf_set *s)
{
    for (int j = 0; j < s->ncols; j++) tf_col_free(&s->c[j]);
    free(s->c);
    s->c = NULL;
    s->ncols = s->cap = 0;
}

tf_set tf_set_like(const tf_set *s)
{
    tf_set o = *s;
    o.c = NULL;
    o.ncols = o.cap = 0;
    return o;
}

tf_col *tf_set_add(tf_set *s)
{
    if (s->ncols == s->cap) {
        int nc = s->cap ? s->cap * 2 : 16;
        tf_col *n = realloc(s->c, sizeof(tf_col) * (size_t)nc);
        if (!n) return NULL;
        s->c = n;
        s->cap = nc;
    }
    tf_col *w = &s->c[s->ncols++];
    memset(w, 0, sizeof *w);
    return w;
}

tf_col *tf_set_add_numeric(tf_set *s, const char *name, ut_err *e)
{
    tf_col *w = tf_set_add(s);
    if (!w) { tf_oom(e); return NULL; }
    w->name = ut_strdup(name);
    w->x = ut_malloc_big(sizeof(double) * (size_t)(s->n ? s->n : 1));
    if (!w->name || !w->x) { tf_oom(e); return NULL; }
    return w;
}

int tf_replace_block(tf_set *s, const char *sel, tf_col *block, int nblock, ut_err *e)
{
    int first = -1, kept = 0;
    for (int j = 0; j < s->ncols; j++) {
        if (!sel[j]) kept++;
        else if (first < 0) first = j;
    }
    int nc = kept + nblock;
    tf_col *c = malloc(sizeof(tf_col) * (size_t)(nc ? nc : 1));
    if (!c) return tf_oom(e);
    int o = 0;
    for (int j = 0; j < s->ncols; j++) {
        if (j == first) {
            if (nblock) memcpy(c + o, block, sizeof(tf_col) * (size_t)nblock);
            o += nblock;
        }
        if (!sel[j]) c[o++] = s->c[j];
        else tf_col_free(&s->c[j]);
    }
    if (first < 0 && nblock) {
        memcpy(c + o, block, sizeof(tf_col) * (size_t)nblock);
        o += nblock;
    }
    free(s->c);
    s->c = c;
    s->ncols = s->cap = o;
    return 0;
}

int tf_expand_each(tf_set *s, const char *sel, tf_expand_fn fn, const rt_tf_step *st, ut_err *e)
{
    tf_set out = tf_set_like(s);
    for (int j = 0; j < s->ncols; j++) {
        tf_col *w = &s->c[j];
        if (sel[j]) {
            if (fn(&out, w, s, st, e)) { tf_set_free(&out); return -1; }
            tf_col_free(w);
        } else {
            tf_col *d = tf_set_add(&out);
            if (!d) { tf_set_free(&out); return tf_oom(e); }
            *d = *w;   /* ownership moves */
            memset(w, 0, sizeof *w);
        }
    }
    tf_set_free(s);
    *s = out;
    return 0;
}

/* ---- selection ---- */

/* Exact spelling first, then case-insensitive (as rt_table_find). */
static int find_col(const tf_set *s, const char *name)
{
    for (int j = 0; j < s->ncols; j++)
        if (strcmp(s->c[j].name, name) == 0) return j;
    for (int j = 0; j < s->ncols; j++)
        if (ut_strcasecmp(s->c[j].name, name) == 0) return j;
    return -1;
}

static int categorical_err(const rt_tf_step *st, const tf_col *w, ut_err *e)
{
    return ut_errf(e, MLG_ERROR, "%s: column '%s' is categorical; onehot it first",
                   rt_tf_names[st->kind], w->name);
}

int tf_select(const tf_set *s, const rt_tf_step *st, int need_num, char *sel, ut_err *e)
{
    const char *tn = rt_tf_names[st->kind];
    rt_selector m = st->selector == RT_SEL_DEFAULT ? ops[st->kind].dflt : st->selector;
    int nsel = 0;
    if (s->ncols) memset(sel, 0, (size_t)s->ncols);
    switch (m) {
    case RT_SEL_ALL:
    case RT_SEL_NUMERIC:
    case RT_SEL_CATEGORICAL:
        for (int j = 0; j < s->ncols; j++) {
            const tf_col *w = &s->c[j];
            int take = m == RT_SEL_ALL || (m == RT_SEL_NUMERIC) == !w->is_cat;
            if (!take) continue;
            if (need_num && w->is_cat) return categorical_err(st, w, e);
            sel[j] = 1;
            nsel++;
        }
        return nsel;
    case RT_SEL_NAMED:
        if (st->ncolumns > 0 && !st->columns)
            return ut_errf(e, MLG_ERROR, "%s: column list missing", tn);
        for (int i = 0; i < st->ncolumns; i++) {
            const char *name = st->columns[i] ? st->columns[i] : "";
            int j = find_col(s, name);
            if (j < 0) {
                const rt_column *tc = s->t && s->target_col >= 0 ? &s->t->cols[s->target_col] : NULL;
                if (tc && ut_strcasecmp(tc->name, name) == 0)
                    return ut_errf(e, MLG_ERROR, "%s: column '%s' is the target, not a feature", tn, name);
                return ut_errf(e, MLG_ERROR, "%s: no column named '%s'", tn, name);
            }
            if (need_num && s->c[j].is_cat) return categorical_err(st, &s->c[j], e);
            if (!sel[j]) nsel++;
            sel[j] = 1;
        }
        return nsel;
    default:
        return ut_errf(e, MLG_ERROR, "%s: bad column selector %d", tn, (int)m);
    }
}

/* ---- the pipeline ---- */

/* *fitted |= the step learnt from the training rows. */
static int run_step(tf_set *s, const rt_tf_step *st, int *fitted, ut_err *e)
{
    if ((int)st->kind < 0 || st->kind >= RT_TF__COUNT)
        return ut_errf(e, MLG_ERROR, "unknown transformation %d", (int)st->kind);
    if (!ops[st->kind].fn)
        return ut_errf(e, MLG_ERROR, "%s: not implemented", rt_tf_names[st->kind]);
    char *sel = malloc((size_t)(s->ncols ? s->ncols : 1));
    if (!sel) return tf_oom(e);
    int rc = tf_select(s, st, ops[st->kind].need_num, sel, e);
    /* nothing to work on: a no-op, so one chain fits datasets of any shape */
    if (rc > 0) {
        *fitted |= ops[st->kind].fits;
        rc = ops[st->kind].fn(s, st, sel, e);
    }
    free(sel);
    return rc < 0 ? -1 : 0;
}

/* Gives the whole pages inside bytes [from, to) of a heap array back to
 * the system.  The caller frees the array afterwards without reading those
 * bytes again (the pages read as zeros until then); glibc keeps its
 * bookkeeping outside the array, and whole pages only are touched. */
static void give_back(const void *base, size_t from, size_t to)
{
    if (to > from) ut_release_pages((const char *)base + from, to - from);
}

/* 1: the set is the only holder of column w's numeric array, so the array
 * dies with the set and its pages may be given back as they are read. */
static int col_dies_with_set(const tf_col *w)
{
    if (!w->x) return 0;
    if (!w->sh) return 1;
    return !w->sh->borrowed && atomic_load(&w->sh->refs) == 1;
}

/* The row-major design from the set's numeric columns: its rows are
 * rows[0..nout) of the set's, or every row in order (rows NULL).  release
 * (every row only): columns that die with the set give their pages back
 * as the rows are copied, so the columns and the design are not both
 * whole in memory at once. */
static int to_design(tf_set *s, const int *rows, int nout, rt_design *out, int release, ut_err *e)
{
    int n = rows ? nout : s->n, p = s->ncols;
    if (rows) release = 0;
    /* releasing, the design's pages come as the columns' go (mapping
     * them all first would hold both whole at once) */
    size_t bytes = sizeof(double) * (size_t)n * (size_t)p + 1;
    out->x = release ? malloc(bytes) : ut_malloc_big(bytes);
    if (release) ut_advise_huge(out->x, bytes);   /* its pages come below */
    out->names = calloc((size_t)(p ? p : 1), sizeof(char *));
    unsigned char *dies = calloc((size_t)(p ? p : 1), 1);
    if (!out->x || !out->names || !dies) {
        free(dies);
        return tf_oom(e);
    }
    /* Only arrays malloc gave their own mapping (at or above the mmap
     * threshold mlg_open fixes, 128 KB) are released: those pages leave the
     * process with the free that follows anyway.  A smaller column lives in
     * the heap, where released pages fault in again (zeroed by the kernel)
     * each time malloc hands the space out: on digits' 1797-row columns,
     * the naive plan's 225 designs spent 1.5 s of system time on that. */
    if ((size_t)n * sizeof(double) < 128 * 1024) release = 0;
    for (int j = 0; release && j < p; j++) dies[j] = (unsigned char)col_dies_with_set(&s->c[j]);
    /* blocks of rows keep both the column reads and the row writes in cache */
    for (int r0 = 0; r0 < n; r0 += 256) {
        int r1 = r0 + 256 < n ? r0 + 256 : n;
        /* the next 4096 rows' pages in one call, as the columns' go */
        if (release && r0 % 4096 == 0)
            ut_prefault(out->x + (size_t)r0 * p, sizeof(double) * (size_t)(n - r0 < 4096 ? n - r0 : 4096) * p);
        for (int j = 0; j < p; j++) {
            const double *x = s->c[j].x;
            if (rows)
                for (int r = r0; r < r1; r++) out->x[(size_t)r * p + j] = x[rows[r]];
            else
                for (int r = r0; r < r1; r++) out->x[(size_t)r * p + j] = x[r];
        }
        if (release && (r1 % 4096 == 0 || r1 == n))   /* 32 KB of each column at a time */
            for (int j = 0; j < p; j++)
                if (dies[j]) give_back(s->c[j].x, sizeof(double) * (size_t)(r1 > 4096 ? r1 - 4096 : 0),
                                       sizeof(double) * (size_t)r1);
    }
    free(dies);
    for (int j = 0; j < p; j++) {
        out->names[j] = s->c[j].name;
        s->c[j].name = NULL;
    }
    out->n = n;
    out->p = p;
    return 0;
}

/* ---- states ---- */

static size_t levels_bytes(char *const *levels, int nlevels)
{
    size_t b = levels ? sizeof(char *) * (size_t)nlevels : 0;
    for (int k = 0; levels && k < nlevels; k++) b += strlen(levels[k]) + 1;
    return b;
}

/* Moves the arrays of every column that has its own into a new block, so
 * the set can become a state whose columns later states share. */
static int seal(tf_set *s, ut_err *e)
{
    for (int j = 0; j < s->ncols; j++) {
        tf_col *w = &s->c[j];
        if (w->sh) continue;
        tf_share *h = malloc(sizeof *h);
        if (!h) return tf_oom(e);
        atomic_init(&h->refs, 1);
        h->borrowed = 0;
        h->n = s->n;
        h->x = w->x;
        h->code = w->code;
        h->levels = w->levels;
        h->nlevels = w->nlevels;
        h->bytes = sizeof *h + (w->x ? sizeof(double) * (size_t)s->n : 0)
                 + (w->code ? sizeof(int) * (size_t)s->n : 0) + levels_bytes(w->levels, w->nlevels);
        w->sh = h;
    }
    return 0;
}

/* A working set over the state's columns (names copied, blocks shared). */
static int state_to_set(const rt_tf_state *st, const int *train, int ntrain, tf_set *s, ut_err *e)
{
    memset(s, 0, sizeof *s);
    s->n = st->n;
    s->train = train;
    s->ntrain = ntrain;
    s->t = st->t;
    s->target_col = st->target_col;
    s->c = malloc(sizeof(tf_col) * (size_t)(st->ncols ? st->ncols : 1));
    if (!s->c) return tf_oom(e);
    s->cap = st->ncols;
    for (int j = 0; j < st->ncols; j++) {
        tf_col w = st->c[j];
        if (!(w.name = ut_strdup(w.name))) { tf_set_free(s); return tf_oom(e); }
        atomic_fetch_add(&w.sh->refs, 1);
        s->c[s->ncols++] = w;
    }
    return 0;
}

static void rows_release(tf_rows *r)
{
    if (!r || atomic_fetch_sub(&r->refs, 1) != 1) return;
    free(r->rows);
    free(r);
}

static int check_rows(const rt_tf_state *st, const int *train, int ntrain, ut_err *e)
{
    if (ntrain < 1 || !train) return ut_errf(e, MLG_ERROR, "no training rows");
    for (int i = 0; i < ntrain; i++)
        if (train[i] < 0 || train[i] >= st->n)
            return ut_errf(e, MLG_ERROR, "training row %d out of range", train[i]);
    const tf_rows *f = st->fit;
    if (f && (f->n != ntrain || (f->rows != train &&
                                 memcmp(f->rows, train, sizeof(int) * (size_t)ntrain) != 0)))
        return ut_errf(e, MLG_ERROR,
                       "training rows differ from those the preprocessing state was fitted on");
    return 0;
}

int rt_tf_begin(const rt_table *t, int target_col, rt_tf_state **out, ut_err *e)
{
    *out = NULL;
    if (!t) return ut_errf(e, MLG_ERROR, "no table");
    if (target_col >= t->ncols) target_col = -1;
    rt_tf_state *st = calloc(1, sizeof *st);
    if (!st) return tf_oom(e);
    st->t = t;
    st->target_col = target_col;
    st->n = t->nrows;
    st->c = calloc((size_t)(t->ncols ? t->ncols : 1), sizeof(tf_col));
    if (!st->c) { free(st); return tf_oom(e); }
    for (int j = 0; j < t->ncols; j++) {
        if (j == target_col) continue;
        const rt_column *src = &t->cols[j];
        tf_col *w = &st->c[st->ncols];
        tf_share *h = calloc(1, sizeof *h);
        if (!h || !(w->name = ut_strdup(src->name))) {
            free(h);
            rt_tf_state_free(st);
            return tf_oom(e);
        }
        atomic_init(&h->refs, 1);
        h->borrowed = 1;
        h->n = t->nrows;
        h->bytes = sizeof *h;   /* the arrays are the table's */
        if (src->type == RT_NUMERIC) {
            h->x = src->num;
        } else {
            w->is_cat = 1;
            h->code = src->cat;
            h->levels = src->levels;
            h->nlevels = src->nlevels;
        }
        w->x = h->x;
        w->code = h->code;
        w->levels = h->levels;
        w->nlevels = h->nlevels;
        w->sh = h;
        st->ncols++;
    }
    *out = st;
    return 0;
}

int rt_tf_apply(const rt_tf_state *in, const rt_tf_step *steps, int nsteps, const int *train,
                int ntrain, rt_tf_state **out, ut_err *e)
{
    *out = NULL;
    if (!in) return ut_errf(e, MLG_ERROR, "no preprocessing state");
    if (nsteps > 0 && !steps) return ut_errf(e, MLG_ERROR, "steps missing");
    if (check_rows(in, train, ntrain, e)) return -1;
    tf_set s;
    if (state_to_set(in, train, ntrain, &s, e)) return -1;
    int fitted = 0, rc = 0;
    for (int i = 0; i < nsteps && rc == 0; i++) rc = run_step(&s, &steps[i], &fitted, e);
    if (rc == 0) rc = seal(&s, e);
    rt_tf_state *st = NULL;
    tf_rows *fit = NULL;
    if (rc == 0 && !(st = calloc(1, sizeof *st))) rc = tf_oom(e);
    if (rc == 0 && !in->fit && fitted) {
        /* the first step that learnt from data ties this state to the fold */
        fit = malloc(sizeof *fit);
        int *rows = malloc(sizeof(int) * (size_t)ntrain);
        if (!fit || !rows) {
            free(fit);
            free(rows);
            fit = NULL;
            rc = tf_oom(e);
        } else {
            memcpy(rows, train, sizeof(int) * (size_t)ntrain);
            atomic_init(&fit->refs, 1);
            fit->n = ntrain;
            fit->rows = rows;
        }
    } else if (rc == 0 && in->fit) {
        fit = in->fit;
        atomic_fetch_add(&fit->refs, 1);
    }
    if (rc) {
        free(st);
        tf_set_free(&s);
        return -1;
    }
    st->t = in->t;
    st->target_col = in->target_col;
    st->n = in->n;
    st->c = s.c;
    st->ncols = s.ncols;
    st->fit = fit;
    *out = st;
    return 0;
}

int rt_tf_finish(const rt_tf_state *st, const int *train, int ntrain, rt_design *out, ut_err *e)
{
    memset(out, 0, sizeof *out);
    if (!st) return ut_errf(e, MLG_ERROR, "no preprocessing state");
    if (check_rows(st, train, ntrain, e)) return -1;
    tf_set s;
    if (state_to_set(st, train, ntrain, &s, e)) return -1;
    /* Safety net: models need a complete numeric matrix. */
    rt_tf_step onehot = { .kind = RT_TF_ONEHOT, .selector = RT_SEL_CATEGORICAL };
    rt_tf_step mean = { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEAN, .selector = RT_SEL_NUMERIC };
    int fitted = 0;
    int rc = run_step(&s, &onehot, &fitted, e);
    if (rc == 0) rc = run_step(&s, &mean, &fitted, e);
    if (rc == 0) rc = to_design(&s, NULL, 0, out, 0, e);
    tf_set_free(&s);
    if (rc) rt_design_free(out);
    return rc;
}

int rt_tf_finish_take(rt_tf_state *st, const int *train, int ntrain, rt_design *out, ut_err *e)
{
    return rt_tf_finish_take_rows(st, train, ntrain, NULL, 0, out, e);
}

int rt_tf_finish_take_rows(rt_tf_state *st, const int *train, int ntrain, const int *rows, int nrows,
                           rt_design *out, ut_err *e)
{
    memset(out, 0, sizeof *out);
    if (!st) return ut_errf(e, MLG_ERROR, "no preprocessing state");
    for (int i = 0; rows && i < nrows; i++)
        if (rows[i] < 0 || rows[i] >= st->n) {
            rt_tf_state_free(st);
            return ut_errf(e, MLG_ERROR, "row %d out of range", rows[i]);
        }
    tf_set s;
    if (check_rows(st, train, ntrain, e) || state_to_set(st, train, ntrain, &s, e)) {
        rt_tf_state_free(st);
        return -1;
    }
    /* the set is now the only holder of what the state alone held */
    rt_tf_state_free(st);
    rt_tf_step onehot = { .kind = RT_TF_ONEHOT, .selector = RT_SEL_CATEGORICAL };
    rt_tf_step mean = { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEAN, .selector = RT_SEL_NUMERIC };
    int fitted = 0;
    int rc = run_step(&s, &onehot, &fitted, e);
    if (rc == 0) rc = run_step(&s, &mean, &fitted, e);
    if (rc == 0) rc = to_design(&s, rows, nrows, out, 1, e);
    tf_set_free(&s);
    if (rc) rt_design_free(out);
    return rc;
}

int rt_tf_scaled_rows(const rt_table *t, int target_col, const rt_tf_step *steps, int nsteps, const int *train,
                      int ntrain, const int *rows, int nrows, rt_design *out, ut_err *e)
{
    memset(out, 0, sizeof *out);
    if (!t || ntrain < 1 || !train || nrows < 0 || (nrows && !rows)) return 1;
    int standardize = 0;
    for (int k = 0; k < nsteps; k++) {
        const rt_tf_step *s = &steps[k];
        /* named columns, and what the chain would refuse, go the chain's
         * way, which reports them */
        if ((int)s->kind < 0 || s->kind >= RT_TF__COUNT || s->ncolumns || s->selector == RT_SEL_NAMED ||
            s->max_levels < 0)
            return 1;
        rt_selector sel = s->selector == RT_SEL_DEFAULT ? ops[s->kind].dflt : s->selector;
        if (s->kind == RT_TF_IMPUTE) continue;
        if (s->kind == RT_TF_ONEHOT && sel == RT_SEL_CATEGORICAL) continue;
        if (s->kind != RT_TF_STANDARDIZE || (sel != RT_SEL_NUMERIC && sel != RT_SEL_ALL) || standardize)
            return 1;
        standardize = 1;
    }
    int p = 0;
    for (int j = 0; j < t->ncols; j++) {
        if (j == target_col) continue;
        if (t->cols[j].type != RT_NUMERIC || t->cols[j].missing) return 1;
        p++;
    }
    for (int i = 0; i < ntrain; i++)
        if (train[i] < 0 || train[i] >= t->nrows) return ut_errf(e, MLG_ERROR, "training row %d out of range", train[i]);
    for (int i = 0; i < nrows; i++)
        if (rows[i] < 0 || rows[i] >= t->nrows) return ut_errf(e, MLG_ERROR, "row %d out of range", rows[i]);
    /* per column what tf_standardize learns; the identity without it */
    double *mean = calloc((size_t)(p ? p : 1), sizeof *mean), *scale = calloc((size_t)(p ? p : 1), sizeof *scale);
    const double **src = calloc((size_t)(p ? p : 1), sizeof *src);
    out->x = ut_malloc_big(sizeof(double) * (size_t)nrows * (size_t)p + 1);
    out->names = calloc((size_t)(p ? p : 1), sizeof(char *));
    int rc = !mean || !scale || !src || !out->x || !out->names ? tf_oom(e) : 0;
    tf_set s;
    memset(&s, 0, sizeof s);
    s.n = t->nrows;
    s.train = train;
    s.ntrain = ntrain;
    /* The values themselves, not the profile alone: a missing value would
     * take impute's fill.  One among the training rows changes the
     * statistics (fewer values seen than rows); one among the rows written
     * changes that row; elsewhere it changes nothing here. */
    int missing = 0;
    for (int j = 0, c = 0; rc == 0 && j < t->ncols; j++) {
        if (j == target_col) continue;
        src[c] = t->cols[j].num;
        if (!(out->names[c] = ut_strdup(t->cols[j].name))) rc = tf_oom(e);
        int m = ntrain;
        if (standardize) tf_standardize_fit(&s, src[c], &m, &mean[c], &scale[c]);
        missing |= m != ntrain;
        c++;
    }
    out->n = nrows;
    out->p = p;
    /* blocks of rows, as to_design: the column reads and row writes in cache */
    for (int r0 = 0; rc == 0 && !missing && r0 < nrows; r0 += 256) {
        int r1 = r0 + 256 < nrows ? r0 + 256 : nrows;
        for (int c = 0; c < p; c++) {
            const double *x = src[c];
            double *o = out->x + c;
            if (!standardize)
                for (int r = r0; r < r1; r++) {
                    double v = x[rows[r]];
                    missing |= v != v;
                    o[(size_t)r * p] = v;
                }
            else
                for (int r = r0; r < r1; r++) {
                    double v = x[rows[r]];
                    missing |= v != v;
                    o[(size_t)r * p] = (v - mean[c]) / scale[c];
                }
        }
    }
    if (rc == 0 && missing) {   /* the chain's way */
        rt_design_free(out);
        rc = 1;
    }
    free(mean);
    free(scale);
    free(src);
    if (rc < 0) rt_design_free(out);
    return rc;
}

void rt_tf_state_free(rt_tf_state *st)
{
    if (!st) return;
    for (int j = 0; j < st->ncols; j++) tf_col_free(&st->c[j]);
    free(st->c);
    rows_release(st->fit);
    free(st);
}

static size_t state_bytes(const rt_tf_state *st, int unique)
{
    if (!st) return 0;
    size_t b = sizeof *st + sizeof(tf_col) * (size_t)st->ncols;
    for (int j = 0; j < st->ncols; j++) {
        const tf_share *h = st->c[j].sh;
        long refs = atomic_load(&h->refs);
        b += strlen(st->c[j].name) + 1;
        b += unique ? (refs == 1 ? h->bytes : 0) : h->bytes / (size_t)(refs > 0 ? refs : 1);
    }
    if (st->fit) {
        size_t fb = sizeof *st->fit + sizeof(int) * (size_t)st->fit->n;
        long refs = atomic_load(&st->fit->refs);
        b += unique ? (refs == 1 ? fb : 0) : fb / (size_t)(refs > 0 ? refs : 1);
    }
    return b;
}

int rt_tf_state_has_column(const rt_tf_state *s, const char *name)
{
    for (int j = 0; j < s->ncols; j++)
        if (strcmp(s->c[j].name, name) == 0) return 1;
    return 0;
}

size_t rt_tf_state_bytes(const rt_tf_state *st) { return state_bytes(st, 0); }
size_t rt_tf_state_bytes_unique(const rt_tf_state *st) { return state_bytes(st, 1); }

int rt_pipeline_run(const rt_table *t, int target_col, const rt_tf_step *steps,
                    int nsteps, const int *train, int ntrain, rt_design *out, ut_err *e)
{
    memset(out, 0, sizeof *out);
    rt_tf_state *s0 = NULL, *s1 = NULL;
    int rc = rt_tf_begin(t, target_col, &s0, e);
    if (rc == 0) rc = rt_tf_apply(s0, steps, nsteps, train, ntrain, &s1, e);
    if (rc == 0) rc = rt_tf_finish(s1, train, ntrain, out, e);
    rt_tf_state_free(s1);
    rt_tf_state_free(s0);
    return rc;
}

void rt_design_free(rt_design *d)
{
    if (!d) return;
    for (int j = 0; d->names && j < d->p; j++) free(d->names[j]);
    free(d->names);
    free(d->x);
    memset(d, 0, sizeof *d);
}

/* ---- recorded chains (TRAIN / PREDICT) ----
 * One working set runs the steps and the safety net in a row: the same
 * computations rt_pipeline_run makes through its states, so the same bits. */
static int run_recorded(tf_set *s, const rt_tf_step *steps, int nsteps, rt_design *out, ut_err *e)
{
    rt_tf_step onehot = { .kind = RT_TF_ONEHOT, .selector = RT_SEL_CATEGORICAL };
    rt_tf_step mean = { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEAN, .selector = RT_SEL_NUMERIC };
    int fitted = 0, rc = 0;
    for (int i = 0; i < nsteps && rc == 0; i++) rc = run_step(s, &steps[i], &fitted, e);
    if (rc == 0) rc = run_step(s, &onehot, &fitted, e);
    if (rc == 0) rc = run_step(s, &mean, &fitted, e);
    if (rc == 0) rc = to_design(s, NULL, 0, out, 0, e);
    return rc;
}

int rt_tf_fit_record(const rt_table *t, int target_col, const rt_tf_step *steps, int nsteps,
                     const int *train, int ntrain, rt_design *out, rt_tf_rec **rec, ut_err *e)
{
    memset(out, 0, sizeof *out);
    *rec = NULL;
    rt_tf_state *s0 = NULL;
    if (rt_tf_begin(t, target_col, &s0, e)) return -1;
    tf_set s;
    int rc = check_rows(s0, train, ntrain, e);
    if (rc == 0) rc = state_to_set(s0, train, ntrain, &s, e);
    if (rc) {
        rt_tf_state_free(s0);
        return -1;
    }
    tf_recorder r = {0};
    if (!(r.w = calloc(1, sizeof *r.w))) rc = tf_oom(e);
    s.rec = &r;
    if (rc == 0) rc = run_recorded(&s, steps, nsteps, out, e);
    tf_set_free(&s);
    rt_tf_state_free(s0);
    if (rc) {
        rt_design_free(out);
        rt_tf_rec_free(r.w);
        return -1;
    }
    *rec = r.w;
    return 0;
}

int rt_tf_replay(const rt_tf_rec *rec, const rt_table *t, const rt_tf_step *steps, int nsteps,
                 rt_design *out, long *unseen, ut_err *e)
{
    memset(out, 0, sizeof *out);
    if (unseen) *unseen = 0;
    if (!rec) return ut_errf(e, MLG_ERROR, "no fitted preprocessing");
    rt_tf_state *s0 = NULL;
    if (rt_tf_begin(t, -1, &s0, e)) return -1;
    tf_set s;
    if (state_to_set(s0, NULL, 0, &s, e)) {
        rt_tf_state_free(s0);
        return -1;
    }
    tf_recorder r = {0};
    r.r = rec;
    s.rec = &r;
    int rc = run_recorded(&s, steps, nsteps, out, e);
    if (rc == 0 && r.pos != rec->n)
        rc = ut_errf(e, MLG_DATA, "model: the pipeline used %d of its %d fitted steps; the file does not match "
                     "its pipeline", r.pos, rec->n);
    tf_set_free(&s);
    rt_tf_state_free(s0);
    if (rc) {
        rt_design_free(out);
        return -1;
    }
    if (unseen) *unseen = r.unseen;
    return 0;
}
