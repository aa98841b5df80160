/* transform.c — the preprocessing chain: the working column set, column
 * selection, dispatch to the transforms (tf_*.c) and the design matrix.
 * Every step is fitted on the training rows only and applied to every row
 * (scikit-learn's fit on train / transform on all).  The chain starts from a
 * copy of the feature columns in table order; steps that replace columns
 * put their output where the first replaced column was, so the order stays
 * readable and deterministic. */
#include "tf_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const rt_tf_names[RT_TF__COUNT] = {
#define X(e, name, desc) name,
#include "transforms.def"
#undef X
};

/* need_num: the transform only takes numeric columns. */
static const struct {
    int (*fn)(tf_set *, const rt_tf_step *, const char *, ut_err *);
    int need_num;
    rt_selector dflt;
} ops[RT_TF__COUNT] = {
    [RT_TF_IMPUTE]      = { tf_impute,      0, RT_SEL_ALL },
    [RT_TF_ONEHOT]      = { tf_onehot,      0, RT_SEL_CATEGORICAL },
    [RT_TF_STANDARDIZE] = { tf_standardize, 1, RT_SEL_NUMERIC },
    [RT_TF_MINMAX]      = { tf_minmax,      1, RT_SEL_NUMERIC },
    [RT_TF_BIN]         = { tf_bin,         1, RT_SEL_NUMERIC },
    [RT_TF_LOG1P]       = { tf_log1p,       1, RT_SEL_NUMERIC },
    [RT_TF_POLY]        = { tf_poly,        1, RT_SEL_NUMERIC },
    [RT_TF_PCA]         = { tf_pca,         1, RT_SEL_NUMERIC },
    [RT_TF_SELECT_K]    = { tf_select_k,    1, RT_SEL_NUMERIC },
    [RT_TF_DROP]        = { tf_drop,        0, RT_SEL_NAMED },
    [RT_TF_KEEP]        = { tf_keep,        0, RT_SEL_NAMED },
};

/* ---- the working set ---- */

int tf_oom(ut_err *e) { return ut_errf(e, MLG_NOMEM, "out of memory"); }

int tf_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Order-preserving map of a double (not NaN) to an unsigned key. */
static uint64_t dkey(double x)
{
    uint64_t k;
    memcpy(&k, &x, sizeof k);
    return k >> 63 ? ~k : k | (1ull << 63);
}

static double dval(uint64_t k)
{
    k = k >> 63 ? k & ~(1ull << 63) : ~k;
    double x;
    memcpy(&x, &k, sizeof x);
    return x;
}

/* LSD radix sort, 8 bits a pass, passes where every key shares the byte
 * skipped: several times faster than qsort's callback per comparison on
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
    uint64_t *b = a + n;
    for (int i = 0; i < n; i++) a[i] = dkey(v[i]);
    for (int shift = 0; shift < 64; shift += 8) {
        size_t cnt[256] = {0};
        for (int i = 0; i < n; i++) cnt[(a[i] >> shift) & 255]++;
        if (cnt[(a[0] >> shift) & 255] == (size_t)n) continue;
        size_t pos = 0;
        for (int d = 0; d < 256; d++) { size_t c = cnt[d]; cnt[d] = pos; pos += c; }
        for (int i = 0; i < n; i++) b[cnt[(a[i] >> shift) & 255]++] = a[i];
        uint64_t *t = a; a = b; b = t;
    }
    for (int i = 0; i < n; i++) v[i] = dval(a[i]);
    free(a < b ? a : b);
}

void tf_col_free(tf_col *w)
{
    free(w->name);
    free(w->x);
    free(w->code);
    for (int k = 0; w->levels && k < w->nlevels; k++) free(w->levels[k]);
    free(w->levels);
    memset(w, 0, sizeof *w);
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
    w->x = malloc(sizeof(double) * (size_t)(s->n ? s->n : 1));
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

static int run_step(tf_set *s, const rt_tf_step *st, ut_err *e)
{
    if ((int)st->kind < 0 || st->kind >= RT_TF__COUNT)
        return ut_errf(e, MLG_ERROR, "unknown transformation %d", (int)st->kind);
    if (!ops[st->kind].fn)
        return ut_errf(e, MLG_ERROR, "%s: not implemented", rt_tf_names[st->kind]);
    char *sel = malloc((size_t)(s->ncols ? s->ncols : 1));
    if (!sel) return tf_oom(e);
    int rc = tf_select(s, st, ops[st->kind].need_num, sel, e);
    /* nothing to work on: a no-op, so one chain fits datasets of any shape */
    if (rc > 0) rc = ops[st->kind].fn(s, st, sel, e);
    free(sel);
    return rc < 0 ? -1 : 0;
}

static int run_steps(tf_set *s, const rt_tf_step *steps, int nsteps, ut_err *e)
{
    for (int i = 0; i < nsteps; i++)
        if (run_step(s, &steps[i], e)) return -1;
    /* Safety net: models need a complete numeric matrix. */
    rt_tf_step onehot = { .kind = RT_TF_ONEHOT, .selector = RT_SEL_CATEGORICAL };
    rt_tf_step mean = { .kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEAN, .selector = RT_SEL_NUMERIC };
    if (run_step(s, &onehot, e)) return -1;
    return run_step(s, &mean, e);
}

static int copy_column(const rt_column *src, int n, tf_col *w, ut_err *e)
{
    w->name = ut_strdup(src->name);
    if (!w->name) return tf_oom(e);
    if (src->type == RT_NUMERIC) {
        w->x = malloc(sizeof(double) * (size_t)(n ? n : 1));
        if (!w->x) return tf_oom(e);
        memcpy(w->x, src->num, sizeof(double) * (size_t)n);
        return 0;
    }
    w->is_cat = 1;
    w->code = malloc(sizeof(int) * (size_t)(n ? n : 1));
    w->levels = calloc((size_t)(src->nlevels ? src->nlevels : 1), sizeof(char *));
    if (!w->code || !w->levels) return tf_oom(e);
    memcpy(w->code, src->cat, sizeof(int) * (size_t)n);
    for (int k = 0; k < src->nlevels; k++) {
        if (!(w->levels[k] = ut_strdup(src->levels[k]))) return tf_oom(e);
        w->nlevels = k + 1;
    }
    return 0;
}

static int to_design(tf_set *s, rt_design *out, ut_err *e)
{
    int n = s->n, p = s->ncols;
    out->x = malloc(sizeof(double) * (size_t)n * (size_t)p + 1);
    out->names = calloc((size_t)(p ? p : 1), sizeof(char *));
    if (!out->x || !out->names) return tf_oom(e);
    /* blocks of rows keep both the column reads and the row writes in cache */
    for (int r0 = 0; r0 < n; r0 += 256) {
        int r1 = r0 + 256 < n ? r0 + 256 : n;
        for (int j = 0; j < p; j++) {
            const double *x = s->c[j].x;
            for (int r = r0; r < r1; r++) out->x[(size_t)r * p + j] = x[r];
        }
    }
    for (int j = 0; j < p; j++) {
        out->names[j] = s->c[j].name;
        s->c[j].name = NULL;
    }
    out->n = n;
    out->p = p;
    return 0;
}

int rt_pipeline_run(const rt_table *t, int target_col, const rt_tf_step *steps,
                    int nsteps, const int *train, int ntrain, rt_design *out, ut_err *e)
{
    memset(out, 0, sizeof *out);
    if (ntrain < 1) return ut_errf(e, MLG_ERROR, "no training rows");
    for (int i = 0; i < ntrain; i++)
        if (train[i] < 0 || train[i] >= t->nrows)
            return ut_errf(e, MLG_ERROR, "training row %d out of range", train[i]);
    if (target_col >= t->ncols) target_col = -1;
    tf_set s = { .n = t->nrows, .train = train, .ntrain = ntrain, .t = t,
                 .target_col = target_col };
    int rc = 0;
    for (int j = 0; j < t->ncols && rc == 0; j++) {
        if (j == target_col) continue;
        tf_col *w = tf_set_add(&s);
        rc = w ? copy_column(&t->cols[j], t->nrows, w, e) : tf_oom(e);
    }
    if (rc == 0) rc = run_steps(&s, steps, nsteps, e);
    if (rc == 0) rc = to_design(&s, out, e);
    tf_set_free(&s);
    if (rc) rt_design_free(out);
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
