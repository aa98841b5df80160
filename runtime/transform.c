/* transform.c — the preprocessing chain (impute, onehot, standardize) with
 * scikit-learn semantics: each step is fitted on the training rows only and
 * applied to every row.  The chain works on a list of working columns that
 * starts as a copy of the feature columns; onehot replaces a categorical
 * column in place by its indicator columns, which keeps table order. */
#include "transform.h"
#include "../include/mileage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const rt_tf_names[RT_TF__COUNT] = {
#define X(e, name, desc) name,
#include "transforms.def"
#undef X
};

typedef struct {
    char   *name;
    int     is_cat;
    double *x;        /* numeric: n values, NAN = missing */
    int    *code;     /* categorical: n codes, -1 = missing */
    char  **levels;   /* categorical: sorted by strcmp */
    int     nlevels;
} wcol;

typedef struct {
    wcol *c;
    int   ncols, cap, n;
    const int *train;
    int   ntrain;
} wset;

static void wcol_free(wcol *w)
{
    free(w->name);
    free(w->x);
    free(w->code);
    for (int k = 0; w->levels && k < w->nlevels; k++) free(w->levels[k]);
    free(w->levels);
    memset(w, 0, sizeof *w);
}

static void wset_free(wset *s)
{
    for (int j = 0; j < s->ncols; j++) wcol_free(&s->c[j]);
    free(s->c);
    s->c = NULL;
    s->ncols = s->cap = 0;
}

/* Appends a zeroed column; NULL on OOM. */
static wcol *wset_add(wset *s)
{
    if (s->ncols == s->cap) {
        int nc = s->cap ? s->cap * 2 : 16;
        wcol *n = realloc(s->c, sizeof(wcol) * (size_t)nc);
        if (!n) return NULL;
        s->c = n;
        s->cap = nc;
    }
    wcol *w = &s->c[s->ncols++];
    memset(w, 0, sizeof *w);
    return w;
}

static int oom(ut_err *e) { return ut_errf(e, MLG_NOMEM, "out of memory"); }

static int copy_column(const rt_column *src, int n, wcol *w, ut_err *e)
{
    w->name = ut_strdup(src->name);
    if (!w->name) return oom(e);
    if (src->type == RT_NUMERIC) {
        w->x = malloc(sizeof(double) * (size_t)(n ? n : 1));
        if (!w->x) return oom(e);
        memcpy(w->x, src->num, sizeof(double) * (size_t)n);
        return 0;
    }
    w->is_cat = 1;
    w->code = malloc(sizeof(int) * (size_t)(n ? n : 1));
    w->levels = calloc((size_t)(src->nlevels ? src->nlevels : 1), sizeof(char *));
    if (!w->code || !w->levels) return oom(e);
    memcpy(w->code, src->cat, sizeof(int) * (size_t)n);
    for (int k = 0; k < src->nlevels; k++) {
        if (!(w->levels[k] = ut_strdup(src->levels[k]))) return oom(e);
        w->nlevels = k + 1;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- impute ---- */

/* The fill value of a numeric column from its training values (sorted in
 * place in v when needed).  No training value: 0, or the constant. */
static double numeric_fill(double *v, int m, const rt_tf_step *st)
{
    if (st->strategy == RT_IMPUTE_CONSTANT) return st->constant;
    if (m == 0) return 0.0;
    if (st->strategy == RT_IMPUTE_MEAN) {
        double s = 0;
        for (int i = 0; i < m; i++) s += v[i];
        return s / m;
    }
    qsort(v, (size_t)m, sizeof(double), cmp_double);
    if (st->strategy == RT_IMPUTE_MEDIAN)
        return m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
    /* most frequent; sorted order makes the smallest value win ties (sklearn) */
    double best = v[0];
    int bestn = 0;
    for (int i = 0; i < m;) {
        int j = i;
        while (j < m && v[j] == v[i]) j++;
        if (j - i > bestn) { bestn = j - i; best = v[i]; }
        i = j;
    }
    return best;
}

static int impute_numeric(wset *s, wcol *w, const rt_tf_step *st, double *scratch)
{
    int m = 0;
    for (int i = 0; i < s->ntrain; i++) {
        double v = w->x[s->train[i]];
        if (!isnan(v)) scratch[m++] = v;
    }
    double fill = numeric_fill(scratch, m, st);
    for (int r = 0; r < s->n; r++)
        if (isnan(w->x[r])) w->x[r] = fill;
    return 0;
}

/* Code of level `name`, inserting it in sorted position when absent. */
static int find_or_add_level(wcol *w, int n, const char *name, ut_err *e)
{
    int pos = 0;
    while (pos < w->nlevels && strcmp(w->levels[pos], name) < 0) pos++;
    if (pos < w->nlevels && strcmp(w->levels[pos], name) == 0) return pos;
    char **lv = realloc(w->levels, sizeof(char *) * (size_t)(w->nlevels + 1));
    if (!lv) return oom(e);
    w->levels = lv;
    char *d = ut_strdup(name);
    if (!d) return oom(e);
    memmove(lv + pos + 1, lv + pos, sizeof(char *) * (size_t)(w->nlevels - pos));
    lv[pos] = d;
    w->nlevels++;
    for (int r = 0; r < n; r++)
        if (w->code[r] >= pos) w->code[r]++;
    return pos;
}

/* Counts of each level over the training rows. */
static void train_counts(const wset *s, const wcol *w, long *cnt)
{
    for (int k = 0; k < w->nlevels; k++) cnt[k] = 0;
    for (int i = 0; i < s->ntrain; i++) {
        int c = w->code[s->train[i]];
        if (c >= 0) cnt[c]++;
    }
}

static int impute_categorical(wset *s, wcol *w, const rt_tf_step *st, ut_err *e)
{
    int fill = -1;
    if (st->strategy == RT_IMPUTE_CONSTANT) {
        if ((fill = find_or_add_level(w, s->n, "missing", e)) < 0) return -1;
    } else {
        long *cnt = malloc(sizeof(long) * (size_t)(w->nlevels ? w->nlevels : 1));
        if (!cnt) return oom(e);
        train_counts(s, w, cnt);
        long best = 0;
        for (int k = 0; k < w->nlevels; k++)
            if (cnt[k] > best) { best = cnt[k]; fill = k; }
        free(cnt);
    }
    if (fill < 0) return 0;   /* nothing seen in training: stays missing */
    for (int r = 0; r < s->n; r++)
        if (w->code[r] < 0) w->code[r] = fill;
    return 0;
}

static int step_impute(wset *s, const rt_tf_step *st, ut_err *e)
{
    double *scratch = malloc(sizeof(double) * (size_t)(s->ntrain ? s->ntrain : 1));
    if (!scratch) return oom(e);
    int rc = 0;
    for (int j = 0; j < s->ncols && rc == 0; j++)
        rc = s->c[j].is_cat ? impute_categorical(s, &s->c[j], st, e)
                            : impute_numeric(s, &s->c[j], st, scratch);
    free(scratch);
    return rc;
}

/* ---- onehot ---- */

/* Which levels get a column: those seen in training; with max_levels, only
 * the most frequent (ties: lower code), the other seen ones share __other__.
 * keep[k]: 1 own column, 2 other, 0 none (unseen: all zeros, as sklearn's
 * handle_unknown='ignore'). Returns whether an __other__ column is needed. */
static int choose_levels(const long *cnt, int nl, int max_levels, char *keep)
{
    int nseen = 0;
    for (int k = 0; k < nl; k++) { keep[k] = cnt[k] > 0; nseen += keep[k]; }
    if (max_levels <= 0 || nseen <= max_levels) return 0;
    for (int k = 0; k < nl; k++) if (keep[k]) keep[k] = 2;
    for (int t = 0; t < max_levels; t++) {
        int best = -1;
        for (int k = 0; k < nl; k++)
            if (keep[k] == 2 && (best < 0 || cnt[k] > cnt[best])) best = k;
        keep[best] = 1;
    }
    return 1;
}

static int add_indicator(wset *out, const wcol *src, const char *level, const char *keep,
                         int want, int k_only, ut_err *e)
{
    wcol *w = wset_add(out);
    if (!w) return oom(e);
    size_t len = strlen(src->name) + strlen(level) + 2;
    w->name = malloc(len);
    w->x = malloc(sizeof(double) * (size_t)(out->n ? out->n : 1));
    if (!w->name || !w->x) return oom(e);
    snprintf(w->name, len, "%s=%s", src->name, level);
    for (int r = 0; r < out->n; r++) {
        int c = src->code[r];
        w->x[r] = c < 0 ? 0.0 : k_only >= 0 ? (double)(c == k_only) : (double)(keep[c] == want);
    }
    return 0;
}

static int expand(wset *out, wcol *src, int max_levels, const wset *s, ut_err *e)
{
    int nl = src->nlevels;
    long *cnt = malloc(sizeof(long) * (size_t)(nl ? nl : 1));
    char *keep = malloc((size_t)(nl ? nl : 1));
    int rc = 0;
    if (!cnt || !keep) rc = oom(e);
    if (rc == 0) {
        train_counts(s, src, cnt);
        int other = choose_levels(cnt, nl, max_levels, keep);
        for (int k = 0; k < nl && rc == 0; k++)
            if (keep[k] == 1) rc = add_indicator(out, src, src->levels[k], keep, 1, k, e);
        if (rc == 0 && other) rc = add_indicator(out, src, "__other__", keep, 2, -1, e);
    }
    free(cnt);
    free(keep);
    return rc;
}

/* Rebuilds the column list with every categorical column expanded in place. */
static int step_onehot(wset *s, int max_levels, ut_err *e)
{
    wset out = { NULL, 0, 0, s->n, s->train, s->ntrain };
    for (int j = 0; j < s->ncols; j++) {
        wcol *w = &s->c[j];
        if (w->is_cat) {
            if (expand(&out, w, max_levels, s, e)) { wset_free(&out); return -1; }
            wcol_free(w);
        } else {
            wcol *d = wset_add(&out);
            if (!d) { wset_free(&out); return oom(e); }
            *d = *w;   /* ownership moves */
            memset(w, 0, sizeof *w);
        }
    }
    wset_free(s);
    *s = out;
    return 0;
}

/* ---- standardize ---- */

/* Population std (ddof=0) over the training rows, NaNs ignored; a constant
 * column keeps scale 1 so it becomes all zeros rather than NaN. */
static void standardize_col(const wset *s, wcol *w)
{
    int m = 0;
    double sum = 0, ss = 0;
    for (int i = 0; i < s->ntrain; i++) {
        double v = w->x[s->train[i]];
        if (!isnan(v)) { sum += v; m++; }
    }
    double mean = m ? sum / m : 0.0;
    for (int i = 0; i < s->ntrain; i++) {
        double v = w->x[s->train[i]];
        if (!isnan(v)) ss += (v - mean) * (v - mean);
    }
    double sd = m ? sqrt(ss / m) : 0.0;
    double scale = sd > 0 ? sd : 1.0;
    for (int r = 0; r < s->n; r++)
        if (!isnan(w->x[r])) w->x[r] = (w->x[r] - mean) / scale;
}

static void step_standardize(wset *s)
{
    for (int j = 0; j < s->ncols; j++)
        if (!s->c[j].is_cat) standardize_col(s, &s->c[j]);
}

/* ---- the pipeline ---- */

static int run_steps(wset *s, const rt_tf_step *steps, int nsteps, ut_err *e)
{
    for (int i = 0; i < nsteps; i++) {
        switch (steps[i].kind) {
        case RT_TF_IMPUTE:
            if (steps[i].strategy < RT_IMPUTE_MEAN || steps[i].strategy > RT_IMPUTE_CONSTANT)
                return ut_errf(e, MLG_ERROR, "impute: bad strategy %d", (int)steps[i].strategy);
            if (step_impute(s, &steps[i], e)) return -1;
            break;
        case RT_TF_ONEHOT:
            if (step_onehot(s, steps[i].max_levels, e)) return -1;
            break;
        case RT_TF_STANDARDIZE:
            step_standardize(s);
            break;
        default:
            return ut_errf(e, MLG_ERROR, "unknown transformation %d", (int)steps[i].kind);
        }
    }
    /* Safety net: models need a complete numeric matrix. */
    if (step_onehot(s, 0, e)) return -1;
    rt_tf_step mean = { RT_TF_IMPUTE, RT_IMPUTE_MEAN, 0.0, 0 };
    return step_impute(s, &mean, e);
}

static int to_design(wset *s, rt_design *out, ut_err *e)
{
    int n = s->n, p = s->ncols;
    out->x = malloc(sizeof(double) * (size_t)n * (size_t)p + 1);
    out->names = calloc((size_t)(p ? p : 1), sizeof(char *));
    if (!out->x || !out->names) return oom(e);
    for (int j = 0; j < p; j++) {
        const double *x = s->c[j].x;
        for (int r = 0; r < n; r++) out->x[(size_t)r * p + j] = x[r];
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
    wset s = { NULL, 0, 0, t->nrows, train, ntrain };
    int rc = 0;
    for (int j = 0; j < t->ncols && rc == 0; j++) {
        if (j == target_col) continue;
        wcol *w = wset_add(&s);
        rc = w ? copy_column(&t->cols[j], t->nrows, w, e) : oom(e);
    }
    if (rc == 0) rc = run_steps(&s, steps, nsteps, e);
    if (rc == 0) rc = to_design(&s, out, e);
    wset_free(&s);
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
