/* tf_encode.c — impute (SimpleImputer) and onehot (OneHotEncoder with
 * handle_unknown='ignore'), fitted on the training rows. */
#include "tf_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- impute ---- */

/* The fill value of a numeric column from its m training values (sorted in
 * place when needed).  No training value: the constant, else 0 — sklearn
 * drops such a column instead (keep_empty_features=False), which would make
 * the column set depend on the fold. */
static double numeric_fill(double *v, int m, const rt_tf_step *st)
{
    if (st->strategy == RT_IMPUTE_CONSTANT) return st->constant;
    if (m == 0) return 0.0;
    if (st->strategy == RT_IMPUTE_MEAN) {
        double s = 0;
        for (int i = 0; i < m; i++) s += v[i];
        return s / m;
    }
    tf_sort_doubles(v, m);
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

/* A column without missing values stays as it is, uncopied if shared. */
static int impute_numeric(tf_set *s, tf_col *w, const rt_tf_step *st, double *scratch, ut_err *e)
{
    int first = 0;
    while (first < s->n && !isnan(w->x[first])) first++;
    double fill;
    if (tf_replaying(s)) {
        const tf_entry *en = tf_rec_next(s, TF_REC_IMPUTE_NUM, w->name, e);
        if (!en) return -1;
        fill = en->d[0];
    } else {
        /* a recorded chain keeps the fill even when training had no gap:
         * the rows it predicts later may have one */
        if (first == s->n && !tf_recording(s)) return 0;
        int m = 0;
        for (int i = 0; i < s->ntrain; i++) {
            double v = w->x[s->train[i]];
            if (!isnan(v)) scratch[m++] = v;
        }
        fill = numeric_fill(scratch, m, st);
        if (tf_rec_put(s, TF_REC_IMPUTE_NUM, w->name, &fill, 1, NULL, 0, e)) return -1;
    }
    if (first == s->n) return 0;
    if (tf_col_own(w, s->n, e)) return -1;
    for (int r = first; r < s->n; r++)
        if (isnan(w->x[r])) w->x[r] = fill;
    return 0;
}

/* Code of level `name`, inserting it in sorted position when absent. */
static int find_or_add_level(tf_col *w, int n, const char *name, ut_err *e)
{
    int pos = 0;
    while (pos < w->nlevels && strcmp(w->levels[pos], name) < 0) pos++;
    if (pos < w->nlevels && strcmp(w->levels[pos], name) == 0) return pos;
    char **lv = realloc(w->levels, sizeof(char *) * (size_t)(w->nlevels + 1));
    if (!lv) return tf_oom(e);
    w->levels = lv;
    char *d = ut_strdup(name);
    if (!d) return tf_oom(e);
    memmove(lv + pos + 1, lv + pos, sizeof(char *) * (size_t)(w->nlevels - pos));
    lv[pos] = d;
    w->nlevels++;
    for (int r = 0; r < n; r++)
        if (w->code[r] >= pos) w->code[r]++;
    return pos;
}

/* Counts of each level over the training rows. */
static void train_counts(const tf_set *s, const tf_col *w, long *cnt)
{
    for (int k = 0; k < w->nlevels; k++) cnt[k] = 0;
    for (int i = 0; i < s->ntrain; i++) {
        int c = w->code[s->train[i]];
        if (c >= 0) cnt[c]++;
    }
}

static int impute_categorical(tf_set *s, tf_col *w, const rt_tf_step *st, ut_err *e)
{
    int fill = -1;
    if (tf_replaying(s)) {
        /* the training fill level, by name: codes differ between files */
        const tf_entry *en = tf_rec_next(s, TF_REC_IMPUTE_CAT, w->name, e);
        if (!en) return -1;
        if (en->ns == 0) return 0;
        if (tf_col_own(w, s->n, e)) return -1;
        if ((fill = find_or_add_level(w, s->n, en->s[0], e)) < 0) return -1;
    } else if (st->strategy == RT_IMPUTE_CONSTANT) {
        if (tf_col_own(w, s->n, e)) return -1;
        if ((fill = find_or_add_level(w, s->n, "missing", e)) < 0) return -1;
    } else {
        long *cnt = malloc(sizeof(long) * (size_t)(w->nlevels ? w->nlevels : 1));
        if (!cnt) return tf_oom(e);
        train_counts(s, w, cnt);
        long best = 0;
        for (int k = 0; k < w->nlevels; k++)
            if (cnt[k] > best) { best = cnt[k]; fill = k; }
        free(cnt);
    }
    if (!tf_replaying(s) &&
        tf_rec_put(s, TF_REC_IMPUTE_CAT, w->name, NULL, 0, fill >= 0 ? &w->levels[fill] : NULL, fill >= 0, e))
        return -1;
    if (fill < 0) return 0;   /* nothing seen in training: stays missing */
    int first = 0;
    while (first < s->n && w->code[first] >= 0) first++;
    if (first == s->n) return 0;
    if (tf_col_own(w, s->n, e)) return -1;
    for (int r = first; r < s->n; r++)
        if (w->code[r] < 0) w->code[r] = fill;
    return 0;
}

int tf_impute(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e)
{
    if (st->strategy < RT_IMPUTE_MEAN || st->strategy > RT_IMPUTE_CONSTANT)
        return ut_errf(e, MLG_ERROR, "impute: bad strategy %d", (int)st->strategy);
    double *scratch = malloc(sizeof(double) * (size_t)(s->ntrain ? s->ntrain : 1));
    if (!scratch) return tf_oom(e);
    int rc = 0;
    for (int j = 0; j < s->ncols && rc == 0; j++) {
        if (!sel[j]) continue;
        if (s->c[j].is_cat) rc = impute_categorical(s, &s->c[j], st, e);
        else rc = impute_numeric(s, &s->c[j], st, scratch, e);
    }
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

static int add_indicator(tf_set *out, const tf_col *src, const char *level, const char *keep,
                         int want, int k_only, ut_err *e)
{
    tf_col *w = tf_set_add(out);
    if (!w) return tf_oom(e);
    size_t len = strlen(src->name) + strlen(level) + 2;
    w->name = malloc(len);
    w->x = ut_malloc_big(sizeof(double) * (size_t)(out->n ? out->n : 1));
    if (!w->name || !w->x) return tf_oom(e);
    snprintf(w->name, len, "%s=%s", src->name, level);
    for (int r = 0; r < out->n; r++) {
        int c = src->code[r];
        w->x[r] = c < 0 ? 0.0 : k_only >= 0 ? (double)(c == k_only) : (double)(keep[c] == want);
    }
    return 0;
}

/* Replay: the recorded levels (by name) get their columns in the recorded
 * order; values never seen in training give zeros and are counted. */
static int replay_categorical(tf_set *out, const tf_col *src, const tf_set *s, ut_err *e)
{
    const tf_entry *en = tf_rec_next((tf_set *)s, TF_REC_ONEHOT, src->name, e);
    if (!en) return -1;
    int nl = src->nlevels, rc = 0, other = 0;
    char *keep = calloc((size_t)(nl ? nl : 1), 1);
    if (!keep) return tf_oom(e);
    for (int k = 0; k < nl; k++)
        for (int i = 0; i < en->ns; i++)
            if (!strcmp(src->levels[k], en->s[i])) keep[k] = (char)en->d[i];
    for (int r = 0; r < s->n; r++)
        if (src->code[r] >= 0 && !keep[src->code[r]]) s->rec->unseen++;
    for (int i = 0; i < en->ns && rc == 0; i++) {
        if (en->d[i] != 1) { other = 1; continue; }
        int code = -1;
        for (int k = 0; k < nl; k++)
            if (!strcmp(src->levels[k], en->s[i])) code = k;
        /* a level this file lacks still gets its (all-zero) column */
        rc = add_indicator(out, src, en->s[i], keep, 1, code >= 0 ? code : nl, e);
    }
    if (rc == 0 && other) rc = add_indicator(out, src, "__other__", keep, 2, -1, e);
    free(keep);
    return rc;
}

static int expand_categorical(tf_set *out, const tf_col *src, const tf_set *s, int max_levels,
                              ut_err *e)
{
    if (tf_replaying(s)) return replay_categorical(out, src, s, e);
    int nl = src->nlevels;
    long *cnt = malloc(sizeof(long) * (size_t)(nl ? nl : 1));
    char *keep = malloc((size_t)(nl ? nl : 1));
    int rc = 0;
    if (!cnt || !keep) rc = tf_oom(e);
    if (rc == 0) {
        train_counts(s, src, cnt);
        int other = choose_levels(cnt, nl, max_levels, keep);
        if (tf_recording(s)) {
            /* the levels seen in training, in code (sorted) order, each with
             * its fate: 1 own column, 2 __other__ */
            char **names = malloc(sizeof(char *) * (size_t)(nl ? nl : 1));
            double *fate = malloc(sizeof(double) * (size_t)(nl ? nl : 1));
            int ns = 0;
            if (!names || !fate) rc = tf_oom(e);
            for (int k = 0; rc == 0 && k < nl; k++)
                if (keep[k]) names[ns] = src->levels[k], fate[ns++] = keep[k];
            if (rc == 0) rc = tf_rec_put((tf_set *)s, TF_REC_ONEHOT, src->name, fate, ns, names, ns, e);
            free(names);
            free(fate);
        }
        for (int k = 0; k < nl && rc == 0; k++)
            if (keep[k] == 1) rc = add_indicator(out, src, src->levels[k], keep, 1, k, e);
        if (rc == 0 && other) rc = add_indicator(out, src, "__other__", keep, 2, -1, e);
    }
    free(cnt);
    free(keep);
    return rc;
}

/* A numeric column asked for by name (or ALL / NUMERIC) is encoded like
 * sklearn's OneHotEncoder does numbers: each distinct value is a category,
 * in numeric order, named by its shortest round-trip decimal ("k=3"). */
static int numeric_as_levels(const tf_col *src, int n, tf_col *cat, ut_err *e)
{
    memset(cat, 0, sizeof *cat);
    cat->name = src->name;   /* borrowed: the caller clears it before freeing */
    cat->is_cat = 1;
    double *v = malloc(sizeof(double) * (size_t)(n ? n : 1));
    cat->code = malloc(sizeof(int) * (size_t)(n ? n : 1));
    if (!v || !cat->code) { free(v); return tf_oom(e); }
    int m = 0;
    for (int r = 0; r < n; r++)
        if (!isnan(src->x[r])) v[m++] = src->x[r];
    tf_sort_doubles(v, m);
    int nd = 0;
    for (int i = 0; i < m; i++)
        if (nd == 0 || v[i] != v[nd - 1]) v[nd++] = v[i];
    for (int r = 0; r < n; r++) {
        double x = src->x[r];
        const double *hit = isnan(x) ? NULL : bsearch(&x, v, (size_t)nd, sizeof(double), tf_cmp_double);
        cat->code[r] = hit ? (int)(hit - v) : -1;
    }
    cat->levels = calloc((size_t)(nd ? nd : 1), sizeof(char *));
    if (!cat->levels) { free(v); return tf_oom(e); }
    for (int k = 0; k < nd; k++) {
        ut_buf b;
        ut_buf_init(&b);
        ut_buf_json_num(&b, v[k] == 0 ? 0.0 : v[k]);   /* -0 and 0 are one level */
        if (!(cat->levels[k] = ut_buf_take(&b))) { free(v); return tf_oom(e); }
        cat->nlevels = k + 1;
    }
    free(v);
    return 0;
}

static int expand_one(tf_set *out, const tf_col *src, const tf_set *s, const rt_tf_step *st,
                      ut_err *e)
{
    if (src->is_cat) return expand_categorical(out, src, s, st->max_levels, e);
    tf_col cat;
    int rc = numeric_as_levels(src, s->n, &cat, e);
    if (rc == 0) rc = expand_categorical(out, &cat, s, st->max_levels, e);
    cat.name = NULL;
    tf_col_free(&cat);
    return rc;
}

int tf_onehot(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e)
{
    if (st->max_levels < 0) return ut_errf(e, MLG_ERROR, "onehot: max_levels must be positive");
    return tf_expand_each(s, sel, expand_one, st, e);
}
