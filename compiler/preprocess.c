/* preprocess.c — PREPROCESS → pipelines.  Each transform's arguments are
 * checked against a small table (name, position, kind, range); arguments
 * written with IN expand into alternatives, and the cartesian product of
 * every step's alternatives gives the pipelines.  Then each pipeline gets
 * the implicit steps the data needs (a FOLDS column dropped first; impute
 * and onehot last), so EXPLAIN can show them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "space.h"
#include "../include/mileage.h"
#include "../runtime/protocol.h"

#define MAX_PIPES 1000

typedef enum { TP_INT, TP_NUM, TP_CHOICE } tp_kind;
typedef struct {
    rt_tf_kind  tf;
    const char *name;
    int         pos;       /* positional index */
    tp_kind     kind;
    double      lo, hi;
    const char *choices;   /* TP_CHOICE: "a|b" in enum order */
} tf_param;

static const tf_param tf_params[] = {
    {RT_TF_IMPUTE, "strategy", 0, TP_CHOICE, 0, 0, "mean|median|most_frequent|constant"},
    {RT_TF_IMPUTE, "value", 1, TP_NUM, -1e300, 1e300, NULL},
    {RT_TF_ONEHOT, "max_levels", 0, TP_INT, 1, 1e6, NULL},
    {RT_TF_BIN, "k", 0, TP_INT, 2, 1000, NULL},
    {RT_TF_BIN, "strategy", 1, TP_CHOICE, 0, 0, "uniform|quantile"},
    {RT_TF_POLY, "degree", 0, TP_INT, 2, 2, NULL},
    {RT_TF_PCA, "k", 0, TP_INT, 1, 1e6, NULL},
    {RT_TF_SELECT_K, "k", 0, TP_INT, 1, 1e6, NULL},
};
#define NPARAMS ((int)(sizeof tf_params / sizeof tf_params[0]))

static int choice_index(const char *choices, const char *w)
{
    int i = 0;
    size_t l = strlen(w);
    for (const char *c = choices; c && *c; i++) {
        const char *bar = strchr(c, '|');
        size_t cl = bar ? (size_t)(bar - c) : strlen(c);
        if (cl == l && !strncmp(c, w, l)) return i;
        c = bar ? bar + 1 : NULL;
    }
    return -1;
}

static void set_param(rt_tf_step *st, const tf_param *tp, double v)
{
    switch (tp->tf) {
    case RT_TF_IMPUTE:
        if (tp->pos == 0) st->strategy = (rt_impute_strategy)(int)v;
        else st->constant = v;
        break;
    case RT_TF_ONEHOT: st->max_levels = (int)v; break;
    case RT_TF_BIN:
        if (tp->pos == 0) st->k = (int)v;
        else st->bin_strategy = (rt_bin_strategy)(int)v;
        break;
    case RT_TF_POLY: st->degree = (int)v; break;
    default: st->k = (int)v; break;
    }
}

/* The value of one argument as a number (choices become their index). */
static int arg_value(const tf_param *tp, const cmp_value *v, double *out, ut_err *e)
{
    if (tp->kind == TP_CHOICE) {
        int i = v->str ? choice_index(tp->choices, v->str) : -1;
        if (i < 0 && v->str) {
            /* "unknown impute strategy 'medians'; did you mean 'median'?" */
            char buf[128], *cands[16];
            int nc = 0;
            snprintf(buf, sizeof buf, "%s", tp->choices);
            for (char *c = strtok(buf, "|"); c && nc < 16; c = strtok(NULL, "|")) cands[nc++] = c;
            const char *sg = ut_suggest(v->str, (const char *const *)cands, nc);
            if (sg)
                return ut_errf_at(e, MLG_NAME, v->off, v->len, "unknown %s %s '%s'; did you mean '%s'?",
                                  rt_tf_names[tp->tf], tp->name, v->str, sg);
        }
        if (i < 0)
            return ut_errf_at(e, MLG_ERROR, v->off, v->len, "%s of %s takes one of %s", tp->name,
                              rt_tf_names[tp->tf], tp->choices);
        *out = i;
        return 0;
    }
    if (v->str)
        return ut_errf_at(e, MLG_ERROR, v->off, v->len, "%s of %s takes a number, not '%s'", tp->name,
                          rt_tf_names[tp->tf], v->str);
    if (!(v->num >= tp->lo && v->num <= tp->hi))
        return ut_errf_at(e, MLG_ERROR, v->off, v->len, "%s = %g is out of range for %s: expected %g to %g",
                          tp->name, v->num, rt_tf_names[tp->tf], tp->lo, tp->hi);
    if (tp->kind == TP_INT && v->num != floor(v->num))
        return ut_errf_at(e, MLG_ERROR, v->off, v->len, "%s of %s must be an integer, not %g", tp->name,
                          rt_tf_names[tp->tf], v->num);
    *out = v->num;
    return 0;
}

/* Canonical text of a step: "pca(k = 5) ON numeric". */
static char *step_text(const rt_tf_step *st)
{
    static const char *const impute[] = {"mean", "median", "most_frequent", "constant"};
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_puts(&b, rt_tf_names[st->kind]);
    switch (st->kind) {
    case RT_TF_IMPUTE:
        ut_buf_printf(&b, "(%s", impute[st->strategy]);
        /* the shortest text that reads back as the same double: the step's
         * text is part of the configuration's identity (reuse, interning) */
        if (st->strategy == RT_IMPUTE_CONSTANT) {
            ut_buf_puts(&b, ", ");
            ut_buf_json_num(&b, st->constant);
        }
        ut_buf_putc(&b, ')');
        break;
    case RT_TF_ONEHOT:
        if (st->max_levels > 0) ut_buf_printf(&b, "(max_levels = %d)", st->max_levels);
        break;
    case RT_TF_BIN:
        ut_buf_printf(&b, "(k = %d, %s)", st->k, st->bin_strategy == RT_BIN_QUANTILE ? "quantile" : "uniform");
        break;
    case RT_TF_POLY: ut_buf_printf(&b, "(%d)", st->degree); break;
    case RT_TF_PCA:
    case RT_TF_SELECT_K: ut_buf_printf(&b, "(k = %d)", st->k); break;
    case RT_TF_DROP:
    case RT_TF_KEEP:
        ut_buf_putc(&b, '(');
        for (int i = 0; i < st->ncolumns; i++) {
            if (i) ut_buf_puts(&b, ", ");
            ut_buf_json_str(&b, st->columns[i]);
        }
        ut_buf_putc(&b, ')');
        break;
    default: break;
    }
    if (st->kind != RT_TF_DROP && st->kind != RT_TF_KEEP) {
        static const char *const sel[] = {"", "all", "numeric", "categorical"};
        if (st->selector > RT_SEL_DEFAULT && st->selector < RT_SEL_NAMED) ut_buf_printf(&b, " ON %s", sel[st->selector]);
        if (st->selector == RT_SEL_NAMED) {
            ut_buf_puts(&b, " ON (");
            for (int i = 0; i < st->ncolumns; i++) {
                if (i) ut_buf_puts(&b, ", ");
                ut_buf_json_str(&b, st->columns[i]);
            }
            ut_buf_putc(&b, ')');
        }
    }
    return ut_buf_take(&b);
}

/* ---- one PREPROCESS item → its alternatives ---- */

typedef struct {
    rt_tf_step *alt;       /* alternatives of this step */
    int         nalt;
    char      **cols;      /* owned column-name array shared by the alternatives */
} step_alts;

static int names_of(const ast *list, char ***out, int *n, ut_err *e)
{
    int cnt = ast_count(list);
    char **v = calloc((size_t)cnt + 1, sizeof *v);
    if (!v) return ut_errf(e, MLG_NOMEM, "out of memory");
    int i = 0;
    for (const ast *a = list; a; a = a->next) {
        const char *w = cmp_word(a);
        if (!w) {
            free(v);
            return ut_errf_at(e, MLG_ERROR, a->off, a->len, "expected a column name");
        }
        v[i++] = (char *)w;  /* borrowed from the AST */
    }
    *out = v;
    *n = cnt;
    return 0;
}

static int compile_item(const ast *t, step_alts *sa, ut_err *e)
{
    const ast *name = t->b;
    int k = -1;
    for (int i = 0; i < RT_TF__COUNT; i++)
        if (!ut_strcasecmp(rt_tf_names[i], name->str)) k = i;
    if (k < 0) return cmp_unknown(e, name, "transform", rt_tf_names, RT_TF__COUNT);
    rt_tf_step base = {.kind = (rt_tf_kind)k, .strategy = RT_IMPUTE_MEAN};
    if (k == RT_TF_BIN) base.k = 5, base.bin_strategy = RT_BIN_QUANTILE;
    if (k == RT_TF_POLY) base.degree = 2;
    if (k == RT_TF_PCA || k == RT_TF_SELECT_K) base.k = 10;
    if (k == RT_TF_DROP || k == RT_TF_KEEP) {
        if (!t->a) return ut_errf_at(e, MLG_ERROR, t->off, t->len, "%s needs column names: %s(col, ...)",
                                     rt_tf_names[k], rt_tf_names[k]);
        if (t->c) return ut_errf_at(e, MLG_ERROR, t->c->off, t->c->len, "%s takes its columns as arguments, not ON",
                                    rt_tf_names[k]);
        if (names_of(t->a, &sa->cols, &base.ncolumns, e)) return -1;
        base.columns = sa->cols;
        base.selector = RT_SEL_NAMED;
    } else if (t->c) {
        const ast *sel = t->c;
        if (sel->ival) {
            if (names_of(sel->a, &sa->cols, &base.ncolumns, e)) return -1;
            base.columns = sa->cols;
            base.selector = RT_SEL_NAMED;
        } else {
            static const char *const sn[] = {"all", "numeric", "categorical"};
            int si = -1;
            for (int i = 0; i < 3; i++)
                if (!ut_strcasecmp(sel->a->str, sn[i])) si = i;
            if (si < 0)
                return ut_errf_at(e, MLG_ERROR, sel->a->off, sel->a->len,
                                  "ON takes numeric, categorical, all or a list of columns: ON (a, b)");
            base.selector = (rt_selector)(RT_SEL_ALL + si);
        }
    }
    /* arguments: positional or name = value or name IN spec */
    cmp_values vals[8];
    const tf_param *which[8];
    int nv = 0, npos = 0, rc = 0;
    memset(vals, 0, sizeof vals);
    for (const ast *a = (k == RT_TF_DROP || k == RT_TF_KEEP) ? NULL : t->a; a && !rc; a = a->next) {
        const ast *key = a->kind == AST_OPTION ? a->a : a->kind == AST_PARAM ? a->b : NULL;
        const ast *val = a->kind == AST_OPTION ? a->b : a->kind == AST_PARAM ? a->a : a;
        const tf_param *tp = NULL;
        for (int i = 0; i < NPARAMS; i++) {
            if (tf_params[i].tf != (rt_tf_kind)k) continue;
            if (key ? !ut_strcasecmp(key->str, tf_params[i].name) : tf_params[i].pos == npos) tp = &tf_params[i];
        }
        if (!tp) {
            const ast *at = key ? key : val;
            int any = 0;
            for (int i = 0; i < NPARAMS; i++) any |= tf_params[i].tf == (rt_tf_kind)k;
            if (!any) rc = ut_errf_at(e, MLG_ERROR, at->off, at->len, "%s takes no arguments", rt_tf_names[k]);
            else if (key) rc = ut_errf_at(e, MLG_NAME, at->off, at->len, "%s has no argument '%s'", rt_tf_names[k], key->str);
            else rc = ut_errf_at(e, MLG_ERROR, at->off, at->len, "too many arguments for %s", rt_tf_names[k]);
            break;
        }
        for (int i = 0; i < nv; i++)
            if (which[i] == tp) {
                rc = ut_errf_at(e, MLG_ERROR, a->off, a->len, "argument '%s' of %s given twice", tp->name, rt_tf_names[k]);
                break;
            }
        if (rc || nv == 8) break;
        npos++;  /* a positional argument takes the place it is written in */
        which[nv] = tp;
        rc = cmp_expand(val, &vals[nv], e);
        nv++;
    }
    /* alternatives: cartesian product of the argument value lists */
    long total = 1;
    for (int i = 0; i < nv && !rc; i++) total *= vals[i].n ? vals[i].n : 1;
    if (!rc && total > MAX_PIPES) rc = ut_errf_at(e, MLG_ERROR, t->off, t->len, "too many alternatives for %s", rt_tf_names[k]);
    if (!rc) {
        sa->alt = calloc((size_t)total, sizeof *sa->alt);
        if (!sa->alt) rc = ut_errf(e, MLG_NOMEM, "out of memory");
    }
    int pos[8] = {0};
    for (long c = 0; !rc && c < total; c++) {
        rt_tf_step st = base;
        for (int i = 0; i < nv && !rc; i++) {
            double v = 0;
            rc = arg_value(which[i], &vals[i].v[pos[i]], &v, e);
            if (!rc) set_param(&st, which[i], v);
        }
        if (!rc && st.kind == RT_TF_IMPUTE && st.strategy != RT_IMPUTE_CONSTANT && st.constant != 0)
            rc = ut_errf_at(e, MLG_ERROR, t->off, t->len, "a fill value needs impute(constant, value)");
        sa->alt[sa->nalt++] = st;
        for (int i = nv - 1; i >= 0; i--) {
            if (++pos[i] < vals[i].n) break;
            pos[i] = 0;
        }
    }
    for (int i = 0; i < nv; i++) free(vals[i].v);
    return rc;
}

/* ---- implicit steps ---- */

/* What the data still needs after the written steps: categorical columns
 * to encode, and the numeric columns that have missing values (by name,
 * so impute ON (a, b) and drop/keep are followed exactly). */
#define MAX_MISSING 256
typedef struct {
    int has_cat;
    int num_missing;                 /* more than MAX_MISSING: "some", by count */
    char missing[MAX_MISSING][64];   /* names of numeric columns with missing values */
    int nmissing;
} data_state;

static int named(const rt_tf_step *st, const char *name)
{
    for (int i = 0; i < st->ncolumns; i++)
        if (!ut_strcasecmp(st->columns[i], name)) return 1;
    return 0;
}

/* Removes from ds the missing columns a step takes care of. */
static void step_covers(data_state *ds, const rt_tf_step *st)
{
    int all = st->selector == RT_SEL_DEFAULT || st->selector == RT_SEL_ALL || st->selector == RT_SEL_NUMERIC;
    if (st->kind == RT_TF_IMPUTE && all) {
        ds->nmissing = ds->num_missing = 0;
        return;
    }
    if (ds->num_missing > ds->nmissing) return;  /* names not all known: stay safe */
    for (int i = 0; i < ds->nmissing;) {
        int gone = (st->kind == RT_TF_IMPUTE && st->selector == RT_SEL_NAMED && named(st, ds->missing[i])) ||
                   (st->kind == RT_TF_DROP && named(st, ds->missing[i])) ||
                   (st->kind == RT_TF_KEEP && !named(st, ds->missing[i]));
        if (gone) memcpy(ds->missing[i], ds->missing[--ds->nmissing], sizeof ds->missing[i]);
        else i++;
    }
    ds->num_missing = ds->nmissing;
}

static int data_state_of(const cmp_explore *x, cat_db *cat, const char *skip_col, data_state *ds, ut_err *e)
{
    ut_result *cols = NULL;
    memset(ds, 0, sizeof *ds);
    if (cat_describe_dataset(cat, x->dataset.name, &cols, e)) return -1;
    int ci = -1, ti = -1, mi = -1;
    for (int j = 0; j < cols->ncols; j++) {
        if (!strcmp(cols->names[j], "column")) ci = j;
        if (!strcmp(cols->names[j], "type")) ti = j;
        if (!strcmp(cols->names[j], "missing")) mi = j;
    }
    for (int r = 0; ci >= 0 && ti >= 0 && mi >= 0 && r < cols->nrows; r++) {
        const ut_value *v = &cols->cells[(size_t)r * (size_t)cols->ncols];
        if (v[ci].type != UT_TEXT) continue;
        if (!ut_strcasecmp(v[ci].s, x->task.target) || (skip_col && !ut_strcasecmp(v[ci].s, skip_col))) continue;
        int is_cat = v[ti].type == UT_TEXT && !strcmp(v[ti].s, "categorical");
        int miss = v[mi].type == UT_INT && v[mi].i > 0;
        if (is_cat) {
            ds->has_cat = 1;
        } else if (miss) {
            if (ds->nmissing < MAX_MISSING && strlen(v[ci].s) < sizeof ds->missing[0])
                strcpy(ds->missing[ds->nmissing++], v[ci].s);
            ds->num_missing++;
        }
    }
    ut_result_free(cols);
    return 0;
}

static int push_step(cmp_pipeline *p, const rt_tf_step *st, int implicit, ut_err *e)
{
    if (p->nsteps == CMP_MAX_STEPS) return ut_errf(e, MLG_ERROR, "at most %d preprocessing steps", CMP_MAX_STEPS);
    cmp_transform *s = realloc(p->steps, (size_t)(p->nsteps + 1) * sizeof *s);
    if (!s) return ut_errf(e, MLG_NOMEM, "out of memory");
    p->steps = s;
    char *text = step_text(st);
    if (!text) return ut_errf(e, MLG_NOMEM, "out of memory");
    s[p->nsteps++] = (cmp_transform){*st, implicit, text};
    return 0;
}

/* WITH INTENT robust_to_missing: impute(median) ON all before the written
 * steps (after the FOLDS column's drop), unless the pipeline imputes every
 * column itself.  The step runs even when the training data has no missing
 * value: it records its fills, so PREDICT fills new rows' gaps. */
static int robust_impute(cmp_pipeline *p, int after, ut_err *e)
{
    for (int i = 0; i < p->nsteps; i++)
        if (p->steps[i].step.kind == RT_TF_IMPUTE && p->steps[i].step.selector == RT_SEL_ALL) return 0;
    rt_tf_step st = {.kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEDIAN, .selector = RT_SEL_ALL};
    if (push_step(p, &st, 1, e)) return -1;
    cmp_transform t = p->steps[p->nsteps - 1];
    memmove(&p->steps[after + 1], &p->steps[after], (size_t)(p->nsteps - 1 - after) * sizeof t);
    p->steps[after] = t;
    return 0;
}

static int finish_pipeline(cmp_pipeline *p, const data_state *ds0, ut_err *e)
{
    data_state ds = *ds0;
    for (int i = 0; i < p->nsteps; i++) {
        const rt_tf_step *st = &p->steps[i].step;
        step_covers(&ds, st);
        if (st->kind == RT_TF_ONEHOT && (st->selector == RT_SEL_DEFAULT || st->selector == RT_SEL_ALL ||
                                         st->selector == RT_SEL_CATEGORICAL))
            ds.has_cat = 0;
    }
    if (ds.num_missing) {
        rt_tf_step st = {.kind = RT_TF_IMPUTE, .strategy = RT_IMPUTE_MEAN};
        if (push_step(p, &st, 1, e)) return -1;
    }
    if (ds.has_cat) {
        rt_tf_step st = {.kind = RT_TF_ONEHOT};
        if (push_step(p, &st, 1, e)) return -1;
    }
    ut_buf b;
    ut_buf_init(&b);
    if (!p->nsteps) ut_buf_puts(&b, "(none)");
    for (int i = 0; i < p->nsteps; i++) {
        if (i) ut_buf_puts(&b, " -> ");
        ut_buf_puts(&b, p->steps[i].text);
        if (p->steps[i].implicit) ut_buf_puts(&b, " [implicit]");
    }
    if (!(p->text = ut_buf_take(&b))) return ut_errf(e, MLG_NOMEM, "out of memory");
    return 0;
}

void cmp_pipes_free(cmp_explore *x)
{
    for (int p = 0; p < x->npipes; p++) {
        for (int i = 0; i < x->pipes[p].nsteps; i++) free(x->pipes[p].steps[i].text);
        free(x->pipes[p].steps);
        free(x->pipes[p].text);
    }
    free(x->pipes);
    x->pipes = NULL;
    x->npipes = 0;
    free(x->owned_names);
    for (int i = 0; i < x->nowned; i++) free(x->owned[i]);
    free(x->owned);
    x->owned = NULL;
    x->owned_names = NULL;
    x->nowned = 0;
}

/* Column names written in PREPROCESS must exist — checked here, with a
 * caret and a suggestion, for every step before the first one that makes
 * new names (onehot, bin, poly, pca); later ones are checked when the
 * chain runs. */
static int check_names(const cmp_explore *x, const ast *items, cat_db *cat, ut_err *e)
{
    ut_result *cols = NULL;
    if (cat_describe_dataset(cat, x->dataset.name, &cols, e)) return -1;
    const char **names = malloc((size_t)cols->nrows * sizeof *names + 1);
    int n = 0, rc = 0;
    if (!names) {
        ut_result_free(cols);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    for (int r = 0; r < cols->nrows; r++) {
        const ut_value *v = &cols->cells[(size_t)r * (size_t)cols->ncols];
        if (v[0].type == UT_TEXT) names[n++] = v[0].s;   /* DESCRIBE's first column: the name */
    }
    for (const ast *t = items; t && !rc; t = t->next) {
        const char *tn = t->b->str;
        int is_list = !ut_strcasecmp(tn, "drop") || !ut_strcasecmp(tn, "keep");
        const ast *list = is_list ? t->a : (t->c && t->c->ival ? t->c->a : NULL);
        for (const ast *c = list; c && !rc; c = c->next) {
            const char *w = cmp_word(c);
            if (!w) continue;
            if (!ut_strcasecmp(w, x->task.target)) {
                rc = ut_errf_at(e, MLG_ERROR, c->off, c->len, "'%s' is the target of task '%s', not a feature", w,
                                x->task.name);
                break;
            }
            int found = 0;
            for (int i = 0; i < n && !found; i++) found = !ut_strcasecmp(names[i], w);
            if (found) continue;
            const char *sg = ut_suggest(w, names, n);
            if (sg) rc = ut_errf_at(e, MLG_NAME, c->off, c->len, "dataset '%s' has no column '%s'; did you mean '%s'?",
                                    x->dataset.name, w, sg);
            else rc = ut_errf_at(e, MLG_NAME, c->off, c->len, "dataset '%s' has no column '%s'", x->dataset.name, w);
        }
        if (!ut_strcasecmp(tn, "onehot") || !ut_strcasecmp(tn, "bin") || !ut_strcasecmp(tn, "poly") ||
            !ut_strcasecmp(tn, "pca"))
            break;
    }
    free(names);
    ut_result_free(cols);
    return rc;
}

int cmp_compile_preprocess(cmp_explore *x, const ast *items, cat_db *cat, ut_err *e)
{
    if (check_names(x, items, cat, e)) return -1;
    int nitems = ast_count(items), rc = 0;
    step_alts *sa = calloc((size_t)nitems + 1, sizeof *sa);
    if (!sa) return ut_errf(e, MLG_NOMEM, "out of memory");
    int i = 0;
    for (const ast *t = items; t && !rc; t = t->next) rc = compile_item(t, &sa[i++], e);

    /* FOLDS(column): the fold number must not be a feature */
    rt_protocol proto;
    ut_err pe;
    ut_err_clear(&pe);
    const char *folds_col = NULL;
    if (!rc && !rt_protocol_parse(x->task.protocol_json, &proto, &pe) && proto.type == RT_PROTO_FOLDS) {
        char *c = ut_strdup(proto.column);
        char **owned = realloc(x->owned, (size_t)(x->nowned + 1) * sizeof *owned);
        if (!c || !owned) {
            free(c);
            if (owned) x->owned = owned;
            rc = ut_errf(e, MLG_NOMEM, "out of memory");
        } else {
            x->owned = owned;
            x->owned[x->nowned++] = c;
            folds_col = c;
        }
    }
    data_state ds;
    if (!rc) rc = data_state_of(x, cat, folds_col, &ds, e);

    long total = 1;
    for (int k = 0; k < nitems && !rc; k++) {
        total *= sa[k].nalt;
        if (total > MAX_PIPES) rc = ut_errf(e, MLG_ERROR, "PREPROCESS expands into more than %d pipelines", MAX_PIPES);
    }
    if (!rc) {
        x->pipes = calloc((size_t)total, sizeof *x->pipes);
        if (!x->pipes) rc = ut_errf(e, MLG_NOMEM, "out of memory");
    }
    int pos[CMP_MAX_STEPS] = {0};
    for (long p = 0; !rc && p < total; p++) {
        cmp_pipeline *pl = &x->pipes[x->npipes++];
        if (folds_col) {
            x->owned_names = x->owned_names ? x->owned_names : malloc(sizeof *x->owned_names);
            if (!x->owned_names) {
                rc = ut_errf(e, MLG_NOMEM, "out of memory");
                break;
            }
            x->owned_names[0] = (char *)folds_col;
            rt_tf_step drop = {.kind = RT_TF_DROP, .selector = RT_SEL_NAMED, .columns = x->owned_names, .ncolumns = 1};
            rc = push_step(pl, &drop, 1, e);
        }
        for (int k = 0; k < nitems && !rc && k < CMP_MAX_STEPS; k++) rc = push_step(pl, &sa[k].alt[pos[k]], 0, e);
        if (!rc && x->robust_missing) rc = robust_impute(pl, folds_col != NULL, e);
        if (!rc) rc = finish_pipeline(pl, &ds, e);
        for (int k = nitems - 1; k >= 0; k--) {
            if (++pos[k] < sa[k].nalt) break;
            pos[k] = 0;
        }
    }
    for (int k = 0; k < nitems; k++) {
        free(sa[k].alt);
        /* column-name arrays are kept: the steps point at them */
        if (sa[k].cols) {
            char **owned = realloc(x->owned, (size_t)(x->nowned + 1) * sizeof *owned);
            if (owned) {
                x->owned = owned;
                x->owned[x->nowned++] = (char *)sa[k].cols;
            } else {
                free(sa[k].cols);
                if (!rc) rc = ut_errf(e, MLG_NOMEM, "out of memory");
            }
        }
    }
    free(sa);
    return rc;
}
