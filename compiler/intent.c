/* intent.c — WITH INTENT: what the user wants from a model, mapped onto
 * the space of USING and onto the ranking metric before the space is
 * expanded.  Each intent removes families, caps parameters or changes the
 * metric; every change is written down (x->notes) so EXPLAIN shows it and
 * the experiment's logical plan keeps it.
 *
 *   interpretable      linear models and trees of depth <= 4 (and the
 *                      baseline); knn, nb, forest, gbt removed
 *   cost(fn, fp)       binary classification: rank by expected cost per
 *                      row; pos_weight = fn, neg_weight = fp on the
 *                      families that take class weights
 *   robust_to_missing  impute(median) ON all first in every pipeline (so
 *                      PREDICT copes with missing values the training data
 *                      did not have); tree families evaluated first
 *   fast_predict       knn removed; forest <= 50 trees of depth <= 10,
 *                      gbt <= 100 rounds of depth <= 4
 *   small_model        knn removed; tree depth <= 6; forest <= 20 trees of
 *                      depth <= 6; gbt <= 50 rounds of depth <= 3 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "../include/mileage.h"

enum { I_INTERPRETABLE, I_COST, I_ROBUST, I_FAST, I_SMALL, I__COUNT };
static const char *const intent_names[I__COUNT] = {"interpretable", "cost", "robust_to_missing", "fast_predict",
                                                   "small_model"};

static int note(cmp_explore *x, ut_err *e, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int note(cmp_explore *x, ut_err *e, const char *fmt, ...)
{
    char **n = realloc(x->notes, (size_t)(x->nnotes + 1) * sizeof *n);
    if (!n) return ut_errf(e, MLG_NOMEM, "out of memory");
    x->notes = n;
    va_list ap;
    va_start(ap, fmt);
    ut_buf b;
    ut_buf_init(&b);
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    ut_buf_puts(&b, line);
    if (!(x->notes[x->nnotes] = ut_buf_take(&b))) return ut_errf(e, MLG_NOMEM, "out of memory");
    x->nnotes++;
    return 0;
}

static int dim_index(const cmp_famspace *fs, const char *name)
{
    for (int i = 0; i < fs->ndims; i++)
        if (!strcmp(fs->dims[i].spec->name, name)) return i;
    return -1;
}

/* Recomputes a family's finite size after its domains changed. */
static void resize(cmp_famspace *fs)
{
    fs->size = 1;
    for (int i = 0; i < fs->ndims; i++) {
        if (fs->dims[i].continuous) {
            fs->size = -1;
            return;
        }
        fs->size *= fs->dims[i].vals.n ? fs->dims[i].vals.n : 1;
    }
}

/* Caps parameter `name` of fs at `cap` (zero_unlimited: 0 means no limit,
 * so it becomes the cap too).  Finite values above the cap become the cap
 * (duplicates merged); an interval is cut at the cap.  Returns 1 when
 * something changed. */
static int cap_dim(cmp_famspace *fs, const char *name, double cap, int zero_unlimited)
{
    int k = dim_index(fs, name);
    if (k < 0) return 0;
    cmp_dim *d = &fs->dims[k];
    int changed = 0;
    if (d->continuous) {
        if (zero_unlimited && d->lo < 1) d->lo = 1, changed = 1;
        if (d->hi > cap) d->hi = cap, changed = 1;
        if (d->lo >= cap) {   /* nothing left but the cap: a single value */
            d->lo = d->hi = cap;
            d->continuous = 0;
            cmp_value *v = malloc(sizeof *v);
            if (v) {
                free(d->vals.v);
                *v = (cmp_value){cap, NULL, fs->node->off, fs->node->len};
                d->vals.v = v;
                d->vals.n = 1;
            }
        }
    } else {
        int n = 0;
        for (int i = 0; i < d->vals.n; i++) {
            double v = d->vals.v[i].num;
            if (v > cap || (zero_unlimited && v == 0)) v = cap, changed = 1;
            int dup = 0;
            for (int j = 0; j < n; j++) dup |= d->vals.v[j].num == v;
            if (dup) continue;
            d->vals.v[n] = d->vals.v[i];
            d->vals.v[n++].num = v;
        }
        d->vals.n = n;
        d->lo = d->hi = n ? d->vals.v[0].num : 0;
        for (int i = 0; i < n; i++) d->lo = fmin(d->lo, d->vals.v[i].num), d->hi = fmax(d->hi, d->vals.v[i].num);
    }
    if (changed) d->given = 1;   /* the capped value shows in the configuration's text */
    resize(fs);
    return changed;
}

/* Sets parameter `name` to one value (class weights). */
static int set_dim(cmp_famspace *fs, const char *name, double v, ut_err *e)
{
    int k = dim_index(fs, name);
    if (k < 0) return 0;
    cmp_dim *d = &fs->dims[k];
    if (d->given) {
        const ast *at = d->node;
        return ut_errf_at(e, MLG_ERROR, at->off, at->len,
                          "%s of %s is set by WITH INTENT cost; leave it out of USING",
                          name, rt_families[fs->family].name);
    }
    d->vals.v[0].num = v;
    d->vals.n = 1;
    d->lo = d->hi = v;
    d->given = 1;
    resize(fs);
    return 0;
}

static void remove_family(cmp_explore *x, int f)
{
    for (int d = 0; d < x->space[f].ndims; d++) free(x->space[f].dims[d].vals.v);
    free(x->space[f].dims);
    memmove(&x->space[f], &x->space[f + 1], (size_t)(x->nspace - f - 1) * sizeof *x->space);
    x->nspace--;
}

/* Removes the families for which keep() is 0; the names go into `gone`. */
static void filter(cmp_explore *x, int (*keep)(rt_family), ut_buf *gone)
{
    for (int f = 0; f < x->nspace;) {
        if (keep(x->space[f].family)) {
            f++;
            continue;
        }
        ut_buf_printf(gone, "%s%s", gone->len ? ", " : "", rt_families[x->space[f].family].name);
        remove_family(x, f);
    }
}

static int keep_interpretable(rt_family f)
{
    return f == RT_FAM_BASELINE || f == RT_FAM_LINREG || f == RT_FAM_RIDGE || f == RT_FAM_LASSO ||
           f == RT_FAM_ELASTICNET || f == RT_FAM_LOGREG || f == RT_FAM_LINSVM || f == RT_FAM_TREE;
}
static int keep_not_knn(rt_family f) { return f != RT_FAM_KNN; }

/* Classes of the task's target, from the catalog's column profile. */
static int target_classes(const cmp_explore *x, cat_db *cat, int *k, ut_err *e)
{
    ut_result *cols = NULL;
    *k = 0;
    if (cat_describe_dataset(cat, x->dataset.name, &cols, e)) return -1;
    int ci = -1, di = -1;
    for (int j = 0; j < cols->ncols; j++) {
        if (!strcmp(cols->names[j], "column")) ci = j;
        if (!strcmp(cols->names[j], "distinct")) di = j;
    }
    for (int r = 0; ci >= 0 && di >= 0 && r < cols->nrows; r++) {
        const ut_value *v = &cols->cells[(size_t)r * (size_t)cols->ncols];
        if (v[ci].type == UT_TEXT && !ut_strcasecmp(v[ci].s, x->task.target) && v[di].type == UT_INT)
            *k = (int)v[di].i;
    }
    ut_result_free(cols);
    return 0;
}

/* cost(fn = a, fp = b): both given, finite, > 0. */
static int cost_args(const ast *in, double *fn, double *fp, ut_err *e)
{
    static const char *const names[] = {"fn", "fp"};
    const ast *seen[2] = {0};
    for (const ast *a = in->a; a; a = a->next) {
        if (a->kind != AST_OPTION)
            return ut_errf_at(e, MLG_ERROR, a->off, a->len, "cost takes fn = a, fp = b (the cost of a false "
                                                            "negative and of a false positive)");
        int k = !ut_strcasecmp(a->a->str, "fn") ? 0 : !ut_strcasecmp(a->a->str, "fp") ? 1 : -1;
        if (k < 0) {
            cmp_unknown(e, a->a, "argument", names, 2);
            char tail[UT_ERRLEN];
            const char *dm = strstr(e->msg, "; did you mean");
            snprintf(tail, sizeof tail, "%s", dm ? dm : "");
            return ut_errf_at(e, MLG_NAME, a->a->off, a->a->len, "unknown argument '%s' of cost%s", a->a->str, tail);
        }
        if (seen[k]) return ut_errf_at(e, MLG_ERROR, a->off, a->len, "argument '%s' given twice", names[k]);
        seen[k] = a;
        double v;
        if (cmp_number(a->b, &v, e)) return -1;
        if (!isfinite(v) || !(v > 0))
            return ut_errf_at(e, MLG_ERROR, a->b->off, a->b->len, "the cost %s must be a positive number, not %g",
                              names[k], v);
        if (v > 1e6) return ut_errf_at(e, MLG_ERROR, a->b->off, a->b->len, "the cost %s = %g is above 1e6", names[k], v);
        *(k ? fp : fn) = v;
    }
    for (int k = 0; k < 2; k++)
        if (!seen[k])
            return ut_errf_at(e, MLG_ERROR, in->off, in->len, "cost needs %s = ... (cost(fn = a, fp = b): the cost "
                                                              "of a false negative and of a false positive)",
                              names[k]);
    return 0;
}

/* Caps of one intent: which parameter of which family, at what value. */
typedef struct { rt_family fam; const char *param; double cap; int zero_unlimited; } cap_rule;

static int apply_caps(cmp_explore *x, const char *intent, const cap_rule *rules, int n, ut_err *e)
{
    for (int r = 0; r < n; r++)
        for (int f = 0; f < x->nspace; f++)
            if (x->space[f].family == rules[r].fam &&
                cap_dim(&x->space[f], rules[r].param, rules[r].cap, rules[r].zero_unlimited) &&
                note(x, e, "%s: %s %s capped at %g", intent, rt_families[rules[r].fam].name, rules[r].param,
                     rules[r].cap))
                return -1;
    return 0;
}

static int is_tree_family(rt_family f) { return f == RT_FAM_TREE || f == RT_FAM_FOREST || f == RT_FAM_GBT; }

int cmp_apply_intents(cmp_explore *x, const ast *clause, cat_db *cat, ut_err *e)
{
    const ast *seen[I__COUNT] = {0};
    rt_kind kind = x->task.kind && !strcmp(x->task.kind, "regression") ? RT_REGRESSION : RT_CLASSIFICATION;
    ut_buf text, json;
    ut_buf_init(&text);
    ut_buf_init(&json);
    ut_buf_putc(&json, '[');
    int rc = 0;
    for (const ast *in = clause->a; in && !rc; in = in->next) {
        const ast *name = in->b;
        int k = -1;
        for (int i = 0; i < I__COUNT; i++)
            if (!ut_strcasecmp(name->str, intent_names[i])) k = i;
        if (k < 0) {
            rc = cmp_unknown(e, name, "intent", intent_names, I__COUNT);
            break;
        }
        if (seen[k]) {
            rc = ut_errf_at(e, MLG_ERROR, in->off, in->len, "intent '%s' given twice", intent_names[k]);
            break;
        }
        seen[k] = in;
        if (k != I_COST && in->a) {
            rc = ut_errf_at(e, MLG_ERROR, in->a->off, in->a->len, "intent '%s' takes no arguments", intent_names[k]);
            break;
        }
        if (text.len) ut_buf_puts(&text, ", ");
        if (json.len > 1) ut_buf_putc(&json, ',');
        ut_buf_puts(&json, "{\"intent\":");
        ut_buf_json_str(&json, intent_names[k]);
        ut_buf_puts(&text, intent_names[k]);
        if (k == I_COST) {
            double fn = 0, fp = 0;
            int nclasses = 0;
            if (cost_args(in, &fn, &fp, e)) {
                rc = -1;
                break;
            }
            if (kind != RT_CLASSIFICATION) {
                rc = ut_errf_at(e, MLG_ERROR, in->off, in->len,
                                "intent cost needs a binary classification task; '%s' is a regression task",
                                x->task.name);
                break;
            }
            if (target_classes(x, cat, &nclasses, e)) {
                rc = -1;
                break;
            }
            if (nclasses != 2) {
                rc = ut_errf_at(e, MLG_ERROR, in->off, in->len,
                                "intent cost needs a binary classification task; the target '%s' of '%s' has %d "
                                "classes",
                                x->task.target, x->task.name, nclasses);
                break;
            }
            x->cost = 1;
            x->cost_fn = fn;
            x->cost_fp = fp;
            ut_buf_printf(&text, "(fn = %g, fp = %g)", fn, fp);
            ut_buf_puts(&json, ",\"fn\":");
            ut_buf_json_num(&json, fn);
            ut_buf_puts(&json, ",\"fp\":");
            ut_buf_json_num(&json, fp);
        }
        ut_buf_putc(&json, '}');
    }
    ut_buf_putc(&json, ']');
    if (rc || !(x->intents_text = ut_buf_take(&text)) || !(x->intents_json = ut_buf_take(&json))) {
        ut_buf_free(&text);
        ut_buf_free(&json);
        return rc ? -1 : ut_errf(e, MLG_NOMEM, "out of memory");
    }

    /* families first: a cap on a family that goes anyway is no news */
    ut_buf gone, why;
    ut_buf_init(&gone);
    ut_buf_init(&why);
    if (seen[I_INTERPRETABLE]) {
        filter(x, keep_interpretable, &gone);
        if (gone.len && note(x, e, "interpretable: removed %s (linear models and trees only)", gone.s)) rc = -1;
        ut_buf_puts(&why, "interpretable keeps linear models, the baseline and trees");
    }
    for (int k = I_FAST; k <= I_SMALL && !rc; k++) {
        if (!seen[k]) continue;
        size_t before = gone.len;
        filter(x, keep_not_knn, &gone);
        if (gone.len > before && note(x, e, "%s: removed knn (it keeps every training row)", intent_names[k])) rc = -1;
        ut_buf_printf(&why, "%s%s excludes knn", why.len ? "; " : "", intent_names[k]);
    }
    if (!rc && x->nspace == 0) {
        rc = ut_errf_at(e, MLG_ERROR, clause->off, clause->len,
                        "WITH INTENT %s removes every family of USING (%s): %s", x->intents_text, gone.s,
                        why.s ? why.s : "");
    }
    ut_buf_free(&gone);
    ut_buf_free(&why);
    if (rc) return -1;

    if (seen[I_INTERPRETABLE]) {
        static const cap_rule r[] = {{RT_FAM_TREE, "max_depth", 4, 1}};
        if (apply_caps(x, "interpretable", r, 1, e)) return -1;
    }
    if (seen[I_FAST]) {
        static const cap_rule r[] = {{RT_FAM_FOREST, "trees", 50, 0}, {RT_FAM_FOREST, "max_depth", 10, 1},
                                     {RT_FAM_GBT, "rounds", 100, 0}, {RT_FAM_GBT, "max_depth", 4, 0}};
        if (apply_caps(x, "fast_predict", r, 4, e)) return -1;
    }
    if (seen[I_SMALL]) {
        static const cap_rule r[] = {{RT_FAM_TREE, "max_depth", 6, 1}, {RT_FAM_FOREST, "trees", 20, 0},
                                     {RT_FAM_FOREST, "max_depth", 6, 1}, {RT_FAM_GBT, "rounds", 50, 0},
                                     {RT_FAM_GBT, "max_depth", 3, 0}};
        if (apply_caps(x, "small_model", r, 5, e)) return -1;
    }
    if (seen[I_COST]) {
        /* rank by the expected cost; the task's metrics are still reported */
        rt_metric keep[CMP_MAX_METRICS];
        int n = 0;
        keep[n++] = RT_MET_COST;
        for (int i = 0; i < x->nmetrics && n < CMP_MAX_METRICS; i++)
            if (x->metrics[i] != RT_MET_COST) keep[n++] = x->metrics[i];
        memcpy(x->metrics, keep, sizeof keep);
        x->nmetrics = n;
        x->metric = RT_MET_COST;
        if (note(x, e, "cost: rank by expected cost per row = (%g * false negatives + %g * false positives) / rows, "
                       "lower is better; positive class = the last class",
                 x->cost_fn, x->cost_fp))
            return -1;
        ut_buf with, without;
        ut_buf_init(&with);
        ut_buf_init(&without);
        for (int f = 0; f < x->nspace; f++) {
            cmp_famspace *fs = &x->space[f];
            if (dim_index(fs, "pos_weight") >= 0) {
                if (set_dim(fs, "pos_weight", x->cost_fn, e) || set_dim(fs, "neg_weight", x->cost_fp, e)) {
                    ut_buf_free(&with);
                    ut_buf_free(&without);
                    return -1;
                }
                ut_buf_printf(&with, "%s%s", with.len ? ", " : "", rt_families[fs->family].name);
            } else if (fs->family != RT_FAM_BASELINE) {
                ut_buf_printf(&without, "%s%s", without.len ? ", " : "", rt_families[fs->family].name);
            }
        }
        int nrc = 0;
        if (with.len)
            nrc = note(x, e, "cost: class weights pos_weight = %g, neg_weight = %g on %s", x->cost_fn, x->cost_fp,
                       with.s);
        if (!nrc && without.len)
            nrc = note(x, e, "cost: %s take no class weights (ranked by cost only)", without.s);
        ut_buf_free(&with);
        ut_buf_free(&without);
        if (nrc) return -1;
    }
    if (seen[I_ROBUST]) {
        x->robust_missing = 1;
        /* families that split on values (trees) first: under a budget that
         * ends early they are the ones evaluated */
        cmp_famspace *sp = x->space;
        int moved = 0;
        for (int f = 0, put = 0; f < x->nspace; f++)
            if (is_tree_family(sp[f].family)) {
                cmp_famspace t = sp[f];
                memmove(&sp[put + 1], &sp[put], (size_t)(f - put) * sizeof *sp);
                sp[put] = t;
                moved |= f != put;
                put++;
            }
        if (note(x, e, "robust_to_missing: impute(median) ON all first in every pipeline (missing values at "
                       "PREDICT time are filled too)") ||
            (moved && note(x, e, "robust_to_missing: tree families evaluated first")))
            return -1;
    }
    return 0;
}
