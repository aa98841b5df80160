/* explore.c — compiles EXPLORE: binds the task, expands every family's
 * space into configurations (cartesian product, duplicates removed),
 * resolves PREPROCESS into transform steps (adding the implicit ones the
 * data needs) and writes the canonical JSON of the request. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "space.h"
#include "../include/mileage.h"

#define MAX_CONFIGS 100000

/* ---- names with suggestions ---- */

int cmp_lookup_task(cat_db *cat, const ast *name, cat_task *t, ut_err *e)
{
    int rc = cat_task_get(cat, name->str, t, e);
    if (rc < 0) return -1;
    if (rc == 1) return 0;
    char **names = NULL;
    int n = 0;
    if (cat_names(cat, "task", &names, &n, e)) return -1;
    cmp_unknown(e, name, "task", (const char *const *)names, n);
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
    return -1;
}

/* ---- configurations ---- */

typedef struct {
    const rt_param_spec *spec;
    cmp_values vals;
    int given;             /* written by the user */
} pspace;

/* Choices that exist but do not fit the task's kind: caught here, with a
 * caret, rather than as a failed run per fold. */
static int kind_conflict(const rt_param_spec *sp, const char *v, rt_kind kind, ut_err *e, const cmp_value *at)
{
    int cls = kind == RT_CLASSIFICATION;
    if (sp->family == RT_FAM_BASELINE && cls && (!strcmp(v, "mean") || !strcmp(v, "median")))
        return ut_errf_at(e, MLG_ERROR, at->off, at->len,
                          "baseline(strategy = %s) is for regression; a classification task takes most_frequent", v);
    if ((sp->family == RT_FAM_TREE || sp->family == RT_FAM_FOREST) && !strcmp(sp->name, "criterion")) {
        if (!cls && (!strcmp(v, "gini") || !strcmp(v, "entropy")))
            return ut_errf_at(e, MLG_ERROR, at->off, at->len,
                              "criterion %s is for classification; a regression task takes mse", v);
        if (cls && !strcmp(v, "mse"))
            return ut_errf_at(e, MLG_ERROR, at->off, at->len,
                              "criterion mse is for regression; a classification task takes gini or entropy");
    }
    return 0;
}

static int check_value(const rt_param_spec *sp, const cmp_value *v, rt_kind kind, ut_err *e)
{
    if (sp->kind == RT_PARAM_STR) {
        if (!v->str)
            return ut_errf_at(e, MLG_ERROR, v->off, v->len, "parameter '%s' takes one of %s",
                              sp->name, sp->choices);
        /* choices are "a|b|c" */
        const char *c = sp->choices;
        size_t l = strlen(v->str);
        while (c && *c) {
            const char *bar = strchr(c, '|');
            size_t cl = bar ? (size_t)(bar - c) : strlen(c);
            if (cl == l && !strncmp(c, v->str, l)) return kind_conflict(sp, v->str, kind, e, v);
            c = bar ? bar + 1 : NULL;
        }
        return ut_errf_at(e, MLG_ERROR, v->off, v->len, "'%s' is not a value of '%s'; expected one of %s",
                          v->str, sp->name, sp->choices);
    }
    if (v->str)
        return ut_errf_at(e, MLG_ERROR, v->off, v->len, "parameter '%s' takes a number, not '%s'",
                          sp->name, v->str);
    if (rt_param_is_class_weight(sp) && kind == RT_REGRESSION && v->num != sp->def_num)
        return ut_errf_at(e, MLG_ERROR, v->off, v->len, "%s weighs the rows of a class: it is for binary "
                          "classification, not regression", sp->name);
    if (!isfinite(v->num) || v->num < sp->min || v->num > sp->max)
        return ut_errf_at(e, MLG_ERROR, v->off, v->len, "%s = %g is out of range [%g, %g]",
                          sp->name, v->num, sp->min, sp->max);
    if (sp->kind == RT_PARAM_INT && v->num != floor(v->num))
        return ut_errf_at(e, MLG_ERROR, v->off, v->len, "%s must be an integer, not %g",
                          sp->name, v->num);
    return 0;
}

static int cmp_param_name(const void *a, const void *b)
{
    const rt_param_spec *x = *(const rt_param_spec *const *)a, *y = *(const rt_param_spec *const *)b;
    return strcmp(x->name, y->name);
}

/* Canonical JSON (keys sorted) and display text of one configuration. */
static int describe_config(cmp_config *c, const rt_param_spec *specs, const pspace *ps, int np)
{
    const rt_param_spec *sorted[32];
    int idx[32];
    for (int i = 0; i < np; i++) sorted[i] = &specs[i];
    qsort(sorted, (size_t)np, sizeof sorted[0], cmp_param_name);
    for (int i = 0; i < np; i++) idx[i] = (int)(sorted[i] - specs);
    ut_buf j, t;
    ut_buf_init(&j);
    ut_buf_init(&t);
    ut_buf_putc(&j, '{');
    for (int k = 0, first = 1; k < np; k++) {
        int i = idx[k];
        /* class weights at 1 are left out: configurations stored before
         * they existed keep their JSON and ids */
        if (rt_param_is_class_weight(&specs[i]) && c->params[i].num == specs[i].def_num) continue;
        if (!first) ut_buf_putc(&j, ',');
        first = 0;
        ut_buf_json_str(&j, specs[i].name);
        ut_buf_putc(&j, ':');
        if (specs[i].kind == RT_PARAM_STR) ut_buf_json_str(&j, c->params[i].str);
        else ut_buf_json_num(&j, c->params[i].num);
    }
    ut_buf_putc(&j, '}');
    for (int i = 0; i < np; i++) {
        if (!ps[i].given) continue;
        if (t.len) ut_buf_puts(&t, ", ");
        if (specs[i].kind == RT_PARAM_STR) ut_buf_printf(&t, "%s=%s", specs[i].name, c->params[i].str);
        else ut_buf_printf(&t, "%s=%.6g", specs[i].name, c->params[i].num);
    }
    c->params_json = ut_buf_take(&j);
    c->params_text = ut_buf_take(&t);
    return c->params_json && c->params_text ? 0 : -1;
}

void cmp_config_clear(cmp_config *c)
{
    for (int i = 0; c->params && i < c->nparams; i++) free((char *)c->params[i].str);
    free(c->params);
    free(c->params_json);
    free(c->params_text);
}

static int add_config(cmp_explore *x, int *cap, cmp_config *c, ut_err *e)
{
    for (int i = 0; i < x->nconfigs; i++)
        if (x->configs[i].family == c->family && !strcmp(x->configs[i].params_json, c->params_json)) {
            cmp_config_clear(c);  /* the same configuration twice runs once */
            return 0;
        }
    if (x->nconfigs == *cap) {
        int ncap = *cap ? *cap * 2 : 16;
        cmp_config *nc = realloc(x->configs, (size_t)ncap * sizeof *nc);
        if (!nc) {
            cmp_config_clear(c);
            return ut_errf(e, MLG_NOMEM, "out of memory");
        }
        x->configs = nc;
        *cap = ncap;
    }
    x->configs[x->nconfigs++] = *c;
    return 0;
}

/* [lo, hi] LOG INT: a continuous domain for the sampling strategies. */
static int interval_dim(cmp_dim *d, const ast *s, ut_err *e)
{
    const rt_param_spec *sp = d->spec;
    if (cmp_number(s->a, &d->lo, e) || cmp_number(s->b, &d->hi, e)) return -1;
    if (sp->kind == RT_PARAM_STR)
        return ut_errf_at(e, MLG_ERROR, s->off, s->len, "parameter '%s' takes one of %s, not an interval",
                          sp->name, sp->choices);
    for (const ast *w = s->c; w; w = w->next) {
        static const char *const scales[] = {"log", "int"};
        if (!ut_strcasecmp(w->str, "log")) d->log = 1;
        else if (!ut_strcasecmp(w->str, "int")) d->integer = 1;
        else return cmp_unknown(e, w, "interval scale", scales, 2);
    }
    d->integer |= sp->kind == RT_PARAM_INT;
    if (!(d->lo < d->hi))
        return ut_errf_at(e, MLG_ERROR, s->off, s->len, "empty interval: the lower end %g must be below the upper %g",
                          d->lo, d->hi);
    const ast *ends[2] = {s->a, s->b};
    for (int i = 0; i < 2; i++) {
        double v = i ? d->hi : d->lo;
        if (!isfinite(v) || v < sp->min || v > sp->max)
            return ut_errf_at(e, MLG_ERROR, ends[i]->off, ends[i]->len, "%s = %g is out of range [%g, %g]",
                              sp->name, v, sp->min, sp->max);
    }
    if (d->log && d->lo <= 0)
        return ut_errf_at(e, MLG_ERROR, s->a->off, s->a->len, "a LOG interval needs a positive lower end, not %g",
                          d->lo);
    if (d->integer && ceil(d->lo) > floor(d->hi))
        return ut_errf_at(e, MLG_ERROR, s->off, s->len, "the interval holds no integer");
    d->continuous = 1;
    return 0;
}

/* Binds one USING family: its parameters' domains, checked, defaults
 * filled.  Finite domains are expanded later, when the strategy needs them. */
static int compile_family(cmp_famspace *fs, const ast *f, rt_kind kind, ut_err *e)
{
    const ast *fname = f->b;
    int fam = rt_family_lookup(fname->str);
    fs->node = f;
    if (fam < 0) {
        const char *names[RT_FAM__COUNT];
        for (int i = 0; i < RT_FAM__COUNT; i++) names[i] = rt_families[i].name;
        return cmp_unknown(e, fname, "model family", names, RT_FAM__COUNT);
    }
    if (kind == RT_CLASSIFICATION ? !rt_families[fam].classification : !rt_families[fam].regression)
        return ut_errf_at(e, MLG_ERROR, fname->off, fname->len,
                          "model family '%s' does not support %s tasks", rt_families[fam].name,
                          kind == RT_CLASSIFICATION ? "classification" : "regression");
    const rt_param_spec *specs;
    int np = rt_family_params((rt_family)fam, &specs);
    fs->family = (rt_family)fam;
    fs->dims = calloc((size_t)(np ? np : 1), sizeof *fs->dims);
    if (!fs->dims) return ut_errf(e, MLG_NOMEM, "out of memory");
    fs->ndims = np;
    cmp_dim *ps = fs->dims;
    int rc = 0;
    for (const ast *p = f->a; p && !rc; p = p->next) {
        const ast *pn = p->b;
        int k = -1;
        for (int i = 0; i < np; i++)
            if (!ut_strcasecmp(specs[i].name, pn->str)) k = i;
        if (k < 0) {
            const char *names[32];
            for (int i = 0; i < np; i++) names[i] = specs[i].name;
            if (np == 0) {
                rc = ut_errf_at(e, MLG_NAME, pn->off, pn->len, "model family '%s' has no parameters",
                                rt_families[fam].name);
            } else {
                rc = cmp_unknown(e, pn, "parameter of", names, np);
                /* reword: "unknown parameter 'x' of logreg" reads better */
                char tail[UT_ERRLEN];
                const char *dm = strstr(e->msg, "; did you mean");
                snprintf(tail, sizeof tail, "%s", dm ? dm : "");
                ut_errf_at(e, MLG_NAME, pn->off, pn->len, "unknown parameter '%s' of %s%s",
                           pn->str, rt_families[fam].name, tail);
            }
            break;
        }
        if (ps[k].given) {
            rc = ut_errf_at(e, MLG_ERROR, pn->off, pn->len, "parameter '%s' given twice", specs[k].name);
            break;
        }
        ps[k].given = 1;
        ps[k].spec = &specs[k];
        ps[k].node = p->a;
        if (p->a->kind == AST_SPEC_INTERVAL) {
            rc = interval_dim(&ps[k], p->a, e);
            continue;
        }
        rc = cmp_expand(p->a, &ps[k].vals, e);
        for (int i = 0; !rc && i < ps[k].vals.n; i++) rc = check_value(&specs[k], &ps[k].vals.v[i], kind, e);
        ps[k].log = p->a->kind == AST_SPEC_LOGSPACE;
    }
    fs->size = 1;
    for (int i = 0; !rc && i < np; i++) {
        ps[i].spec = &specs[i];
        if (!ps[i].given) {
            cmp_value d = {specs[i].def_num, specs[i].def_str, f->off, f->len};
            ps[i].vals.v = malloc(sizeof d);
            ps[i].node = f;
            if (!ps[i].vals.v) rc = ut_errf(e, MLG_NOMEM, "out of memory");
            else ps[i].vals.v[0] = d, ps[i].vals.n = 1;
        }
        if (ps[i].continuous) {
            fs->size = -1;
            continue;
        }
        ps[i].lo = ps[i].hi = ps[i].vals.n ? ps[i].vals.v[0].num : 0;
        for (int j = 0; j < ps[i].vals.n; j++) {
            ps[i].lo = fmin(ps[i].lo, ps[i].vals.v[j].num);
            ps[i].hi = fmax(ps[i].hi, ps[i].vals.v[j].num);
        }
        if (ps[i].log && ps[i].lo <= 0) ps[i].log = 0;
        if (fs->size > 0) {
            fs->size *= ps[i].vals.n ? ps[i].vals.n : 1;
            if (fs->size > (long long)MAX_CONFIGS * 1000) fs->size = (long long)MAX_CONFIGS * 1000;
        }
    }
    return rc;
}

/* Every finite configuration of one family (cartesian product). */
static int expand_family(cmp_explore *x, int *cap, const cmp_famspace *fs, ut_err *e)
{
    if (fs->size + x->nconfigs > MAX_CONFIGS)
        return ut_errf_at(e, MLG_ERROR, fs->node->off, fs->node->len,
                          "the space of '%s' has more than %d configurations",
                          rt_families[fs->family].name, MAX_CONFIGS);
    int np = fs->ndims, rc = 0, pos[32] = {0};
    cmp_point pt;
    memset(&pt, 0, sizeof pt);
    pt.fam = (int)(fs - x->space);
    for (long long c = 0; !rc && c < fs->size; c++) {
        for (int i = 0; i < np; i++) {
            pt.v[i].num = fs->dims[i].vals.v[pos[i]].num;
            pt.v[i].str = fs->dims[i].vals.v[pos[i]].str ? fs->dims[i].vals.v[pos[i]].str : fs->dims[i].spec->def_str;
        }
        cmp_config cf;
        if (cmp_point_config(x, &pt, &cf)) return ut_errf(e, MLG_NOMEM, "out of memory");
        rc = add_config(x, cap, &cf, e);
        for (int i = np - 1; i >= 0; i--) {
            if (++pos[i] < fs->dims[i].vals.n) break;
            pos[i] = 0;
        }
    }
    return rc;
}

int cmp_point_config(const cmp_explore *x, const cmp_point *pt, cmp_config *out)
{
    const cmp_famspace *fs = &x->space[pt->fam];
    int np = fs->ndims;
    memset(out, 0, sizeof *out);
    out->family = fs->family;
    out->pipe = pt->pipe;
    out->nparams = np;
    out->params = calloc((size_t)(np ? np : 1), sizeof *out->params);
    if (!out->params) return -1;
    pspace ps[32];
    for (int i = 0; i < np; i++) {
        out->params[i].num = pt->v[i].num;
        if (pt->v[i].str && !(out->params[i].str = ut_strdup(pt->v[i].str))) {
            cmp_config_clear(out);
            return -1;
        }
        ps[i].spec = fs->dims[i].spec;
        ps[i].given = fs->dims[i].given;
    }
    const rt_param_spec *specs;
    rt_family_params(fs->family, &specs);
    if (describe_config(out, specs, ps, np)) {
        cmp_config_clear(out);
        return -1;
    }
    return 0;
}

void cmp_config_point(const cmp_explore *x, const cmp_config *c, cmp_point *pt)
{
    memset(pt, 0, sizeof *pt);
    for (int f = 0; f < x->nspace; f++)
        if (x->space[f].family == c->family) {
            pt->fam = f;
            break;
        }
    pt->pipe = c->pipe;
    for (int i = 0; i < c->nparams && i < 32; i++) pt->v[i] = c->params[i];
}

int cmp_config_copy(const cmp_config *src, cmp_config *d)
{
    *d = *src;
    d->params = calloc((size_t)(d->nparams ? d->nparams : 1), sizeof *d->params);
    d->params_json = ut_strdup(src->params_json);
    d->params_text = ut_strdup(src->params_text);
    int bad = !d->params || !d->params_json || !d->params_text;
    for (int k = 0; !bad && k < d->nparams; k++) {
        d->params[k].num = src->params[k].num;
        if (src->params[k].str && !(d->params[k].str = ut_strdup(src->params[k].str))) bad = 1;
    }
    if (bad) {
        cmp_config_clear(d);
        memset(d, 0, sizeof *d);
        return -1;
    }
    return 0;
}

/* ---- the statement ---- */

char *cmp_config_json(const cmp_explore *x, int i)
{
    const char *pj = x->configs[i].params_json;
    size_t l = strlen(pj);
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_putn(&b, pj, l - 1);
    if (l > 2) ut_buf_putc(&b, ',');
    ut_buf_puts(&b, "\"preprocess\":");
    ut_buf_json_str(&b, x->pipes[x->configs[i].pipe].text);
    ut_buf_putc(&b, '}');
    return ut_buf_take(&b);
}

/* Every model configuration runs on every pipeline: configs were built for
 * pipeline 0; copy them for the others. */
static int cross_pipelines(cmp_explore *x, ut_err *e)
{
    if (x->npipes <= 1) return 0;
    long total = (long)x->nconfigs * x->npipes;
    if (total > MAX_CONFIGS) return ut_errf(e, MLG_ERROR, "%ld configurations x pipelines is more than %d", total, MAX_CONFIGS);
    cmp_config *c = realloc(x->configs, (size_t)total * sizeof *c);
    if (!c) return ut_errf(e, MLG_NOMEM, "out of memory");
    x->configs = c;
    int n = x->nconfigs;
    for (int p = 1; p < x->npipes; p++)
        for (int i = 0; i < n; i++) {
            cmp_config *d = &c[x->nconfigs];
            *d = c[i];
            d->pipe = p;
            d->params = calloc((size_t)(d->nparams ? d->nparams : 1), sizeof *d->params);
            d->params_json = ut_strdup(c[i].params_json);
            d->params_text = ut_strdup(c[i].params_text);
            int bad = !d->params || !d->params_json || !d->params_text;
            for (int k = 0; !bad && k < d->nparams; k++) {
                d->params[k] = c[i].params[k];
                if (c[i].params[k].str && !(d->params[k].str = ut_strdup(c[i].params[k].str))) bad = 1;
            }
            x->nconfigs++;
            if (bad) return ut_errf(e, MLG_NOMEM, "out of memory");
        }
    return 0;
}

static int spec_json(cmp_explore *x)
{
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_puts(&b, "{\"task\":");
    ut_buf_json_str(&b, x->task.name);
    ut_buf_puts(&b, ",\"configs\":[");
    for (int i = 0; i < x->nconfigs; i++) {
        ut_buf_puts(&b, i ? ",{\"family\":" : "{\"family\":");
        ut_buf_json_str(&b, rt_families[x->configs[i].family].name);
        ut_buf_puts(&b, ",\"params\":");
        ut_buf_puts(&b, x->configs[i].params_json);
        ut_buf_printf(&b, ",\"pipeline\":%d", x->configs[i].pipe);
        ut_buf_putc(&b, '}');
    }
    ut_buf_puts(&b, "],\"pipelines\":[");
    for (int i = 0; i < x->npipes; i++) {
        if (i) ut_buf_putc(&b, ',');
        ut_buf_json_str(&b, x->pipes[i].text);
    }
    ut_buf_puts(&b, "],\"search\":");
    ut_buf_json_str(&b, x->search);
    if (x->strategy.budget_unit)
        ut_buf_printf(&b, ",\"budget\":{\"%s\":%.17g}",
                      x->strategy.budget_unit == CMP_BUDGET_SECONDS ? "seconds" : "runs", x->strategy.budget);
    ut_buf_printf(&b, ",\"top\":%d,\"metric\":", x->top);
    ut_buf_json_str(&b, rt_metrics[x->metric].name);
    if (x->intents_json) {
        ut_buf_puts(&b, ",\"intents\":");
        ut_buf_puts(&b, x->intents_json);
    }
    ut_buf_putc(&b, '}');
    x->spec_json = ut_buf_take(&b);
    return x->spec_json ? 0 : -1;
}

void cmp_explore_free(cmp_explore *x)
{
    if (!x) return;
    cat_task_clear(&x->task);
    cat_dataset_clear(&x->dataset);
    cmp_pipes_free(x);
    for (int i = 0; i < x->nconfigs; i++) cmp_config_clear(&x->configs[i]);
    free(x->configs);
    free(x->spec_json);
    free(x->search);
    free(x->strategy.why);
    free(x->strategy.members);
    for (int f = 0; f < x->nspace; f++) {
        for (int d = 0; d < x->space[f].ndims; d++) free(x->space[f].dims[d].vals.v);
        free(x->space[f].dims);
    }
    free(x->space);
    free(x->intents_text);
    free(x->intents_json);
    for (int i = 0; i < x->nnotes; i++) free(x->notes[i]);
    free(x->notes);
    ast_free(x->owned_ast);
    free(x->autopilot);
    free(x->warm);
    for (int i = 0; i < x->nwarm_notes; i++) free(x->warm_notes[i]);
    free(x->warm_notes);
    ast_free(x->own_ast);
    free(x);
}

static int explore_clauses(cmp_explore *x, const ast *clauses, const ast **preprocess, const ast **search,
                           const ast **warm, const ast **intent, ut_err *e)
{
    const ast *seen[AST__COUNT] = {0};
    for (const ast *c = clauses; c; c = c->next) {
        if (seen[c->kind])
            return ut_errf_at(e, MLG_ERROR, c->off, c->len, "%s given twice", ast_kind_names[c->kind]);
        seen[c->kind] = c;
        if (c->kind == AST_CL_PREPROCESS) {
            *preprocess = c->a;
        } else if (c->kind == AST_CL_SEARCH) {
            *search = c;
            if (cmp_search_clause(x, c, e)) return -1;
        } else if (c->kind == AST_CL_BUDGET) {
            if (cmp_budget_clause(x, c, e)) return -1;
        } else if (c->kind == AST_CL_INTENT) {
            *intent = c;
        } else if (c->kind == AST_CL_TOP) {
            long long top;
            if (cmp_int(c->a, 1, 1000000, &top, e)) return -1;
            x->top = (int)top;
        } else if (c->kind == AST_CL_FRESH) {
            x->fresh = 1;
        } else if (c->kind == AST_CL_WARM) {
            *warm = c;
        }
    }
    return 0;
}

/* WARM START [FROM SIMILAR n]: checked against the strategy, then the
 * seeds are put in front. */
static int warm_clause(cmp_explore *x, const ast *warm, const ast *search, cat_db *cat, ut_err *e)
{
    long long n = 3;
    if (warm->a) {
        double d;
        if (cmp_number(warm->a, &d, e)) return -1;
        if (d != floor(d) || d < 1 || d > 1000)
            return ut_errf_at(e, MLG_ERROR, warm->a->off, warm->a->len,
                              "WARM START FROM SIMILAR takes the number of similar tasks to learn from: an integer "
                              "from 1 to 1000, not %g", d);
        n = (long long)d;
    }
    if (x->strategy.kind == CMP_SEARCH_GRID && !x->strategy.automatic)
        return ut_errf_at(e, MLG_ERROR, warm->off, warm->len,
                          "WARM START orders the first evaluations of random, halving, hyperband or bayes; %s "
                          "evaluates every configuration anyway (add SEARCH bayes(n) or another strategy)",
                          search ? "SEARCH grid" : "the default SEARCH grid");
    return cmp_warm_start(x, cat, (int)n, e);
}

int cmp_expand_grid(cmp_explore *x, ut_err *e)
{
    int cap = x->nconfigs, rc = 0;
    for (int f = 0; !rc && f < x->nspace; f++) rc = expand_family(x, &cap, &x->space[f], e);
    if (!rc) rc = cross_pipelines(x, e);
    return rc;
}

int cmp_compile_explore(const ast *st, cat_db *cat, cmp_explore **out, ut_err *e)
{
    *out = NULL;
    cmp_explore *x = calloc(1, sizeof *x);
    if (!x) return ut_errf(e, MLG_NOMEM, "out of memory");
    int rc = 0;
    x->strategy.kind = CMP_SEARCH_GRID;
    if (!rc) rc = cmp_lookup_task(cat, st->a, &x->task, e);
    if (!rc) {
        int found = cat_dataset_get(cat, x->task.dataset, &x->dataset, e);
        if (found == 0)
            rc = ut_errf_at(e, MLG_NAME, st->a->off, st->a->len, "the dataset '%s' of task '%s' no longer exists",
                            x->task.dataset, x->task.name);
        else if (found < 0) rc = -1;
    }
    /* the task stores its metrics as "accuracy,f1,auc": the first ranks */
    for (const char *p = x->task.metric; !rc && p && *p;) {
        const char *comma = strchr(p, ',');
        size_t l = comma ? (size_t)(comma - p) : strlen(p);
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(l < 63 ? l : 63), p);
        int m = rt_metric_lookup(name);
        if (m < 0) rc = ut_errf(e, MLG_CATALOG, "task '%s' has unknown metric '%s'", x->task.name, name);
        else if (x->nmetrics < CMP_MAX_METRICS) x->metrics[x->nmetrics++] = (rt_metric)m;
        p = comma ? comma + 1 : NULL;
    }
    if (!rc && !x->nmetrics) rc = ut_errf(e, MLG_CATALOG, "task '%s' has no metric", x->task.name);
    if (!rc) x->metric = x->metrics[0];
    rt_kind kind = x->task.kind && !strcmp(x->task.kind, "regression") ? RT_REGRESSION : RT_CLASSIFICATION;
    const ast *pre = NULL, *search = NULL, *warm = NULL, *intent = NULL, *fams = st->b;
    if (!rc) rc = explore_clauses(x, st->c, &pre, &search, &warm, &intent, e);
    if (!rc && !fams && search && x->strategy.kind == CMP_SEARCH_GRID)
        rc = ut_errf_at(e, MLG_ERROR, search->off, search->len,
                        "EXPLORE without USING searches continuous ranges, which SEARCH grid cannot enumerate; use "
                        "another strategy, or USING with finite values");
    if (!rc && !fams) {
        /* autopilot: the space, strategy and warm start come from history;
         * the user's clauses win over the generated ones */
        rc = cmp_autopilot(x, cat, pre != NULL, search != NULL, warm != NULL, &x->own_ast, e);
        if (!rc) {
            fams = x->own_ast->b;
            rc = explore_clauses(x, x->own_ast->c, pre ? &(const ast *){0} : &pre, search ? &(const ast *){0} : &search,
                                 warm ? &(const ast *){0} : &warm, intent ? &(const ast *){0} : &intent, e);
        }
    }
    int nf = ast_count(fams);
    if (!rc && !(x->space = calloc((size_t)nf + 1, sizeof *x->space))) rc = ut_errf(e, MLG_NOMEM, "out of memory");
    for (const ast *f = fams; !rc && f; f = f->next) rc = compile_family(&x->space[x->nspace++], f, kind, e);
    if (!rc && intent) rc = cmp_apply_intents(x, intent, cat, e);
    if (!rc) rc = cmp_compile_preprocess(x, pre, cat, e);
    if (!rc) rc = cmp_strategy_configs(x, search, e);
    if (!rc && warm) rc = warm_clause(x, warm, search, cat, e);
    if (!rc && spec_json(x)) rc = ut_errf(e, MLG_NOMEM, "out of memory");
    if (rc) {
        cmp_explore_free(x);
        return -1;
    }
    *out = x;
    return 0;
}
