/* compile.c — the compiler's entry: checks the simple statements (options,
 * clauses, settings) and hands EXPLORE to explore.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "../include/mileage.h"

const cmp_setting_info cmp_settings[] = {
    {"threads", "int", 1, 1024, "worker threads for independent plan fragments (default: cores)"},
    {"sharing", "bool", 0, 1, "on: the optimizer shares work between configurations; off: naive plan"},
    {"show_times", "bool", 0, 1, "on: EXPLORE results include fit/predict seconds"},
    {"progress", "bool", 0, 1, "on: report progress of long statements (CLI: on a terminal)"},
};
const int cmp_nsettings = (int)(sizeof cmp_settings / sizeof cmp_settings[0]);

static int bool_value(const ast *v, int *out, ut_err *e)
{
    const char *w = cmp_word(v);
    if (v->kind == AST_NUMBER && (v->num == 0 || v->num == 1)) {
        *out = (int)v->num;
        return 0;
    }
    if (w && (!ut_strcasecmp(w, "on") || !ut_strcasecmp(w, "true") || !ut_strcasecmp(w, "yes"))) {
        *out = 1;
        return 0;
    }
    if (w && (!ut_strcasecmp(w, "off") || !ut_strcasecmp(w, "false") || !ut_strcasecmp(w, "no"))) {
        *out = 0;
        return 0;
    }
    return ut_errf_at(e, MLG_ERROR, v->off, v->len, "expected on or off");
}

static int unknown_in(ut_err *e, const ast *at, const char *what, const char *const *names, int n)
{
    const char *s = ut_suggest(at->str, names, n);
    if (s) return ut_errf_at(e, MLG_NAME, at->off, at->len, "unknown %s '%s'; did you mean '%s'?", what, at->str, s);
    return ut_errf_at(e, MLG_NAME, at->off, at->len, "unknown %s '%s'", what, at->str);
}

static int compile_readopts(const ast *opts, cmp_readopts *o, ut_err *e)
{
    static const char *const names[] = {"header", "delimiter", "na"};
    o->header = 1;
    o->delimiter = ',';
    int seen[3] = {0};
    ut_buf j;
    ut_buf_init(&j);
    for (const ast *op = opts; op; op = op->next) {
        const ast *k = op->a, *v = op->b;
        int which = -1;
        for (int i = 0; i < 3; i++)
            if (!ut_strcasecmp(k->str, names[i])) which = i;
        if (which < 0) {
            ut_buf_free(&j);
            return unknown_in(e, k, "option", names, 3);
        }
        if (seen[which]++) {
            ut_buf_free(&j);
            return ut_errf_at(e, MLG_ERROR, k->off, k->len, "option '%s' given twice", names[which]);
        }
        const char *w = cmp_word(v);
        if (which == 0) {
            if (bool_value(v, &o->header, e)) goto fail;
        } else if (which == 1) {
            if (w && !ut_strcasecmp(w, "tab")) o->delimiter = '\t';
            else if (v->kind == AST_STRING && strlen(w) == 1 && w[0] != '"' && w[0] != '\n' && w[0] != '\r')
                o->delimiter = w[0];
            else {
                ut_errf_at(e, MLG_ERROR, v->off, v->len, "delimiter must be one character in quotes, or tab");
                goto fail;
            }
        } else {
            if (v->kind != AST_STRING) {
                ut_errf_at(e, MLG_ERROR, v->off, v->len, "na takes a string such as '?' or 'NA|?' (several separated by |)");
                goto fail;
            }
            /* 'NA|?' lists several markers */
            const char *p = w;
            while (1) {
                const char *bar = strchr(p, '|');
                size_t l = bar ? (size_t)(bar - p) : strlen(p);
                char **na = realloc(o->na, (size_t)(o->nna + 1) * sizeof *na);
                if (!na) goto oom;
                o->na = na;
                if (!(o->na[o->nna] = ut_strndup(p, l))) goto oom;
                o->nna++;
                if (!bar) break;
                p = bar + 1;
            }
        }
    }
    ut_buf_printf(&j, "{\"delimiter\":");
    char d[2] = {o->delimiter, 0};
    ut_buf_json_str(&j, d);
    ut_buf_printf(&j, ",\"header\":%s", o->header ? "true" : "false");
    if (o->na) {
        ut_buf_puts(&j, ",\"na\":[");
        for (int i = 0; i < o->nna; i++) {
            if (i) ut_buf_putc(&j, ',');
            ut_buf_json_str(&j, o->na[i]);
        }
        ut_buf_putc(&j, ']');
    }
    ut_buf_putc(&j, '}');
    if (!(o->options_json = ut_buf_take(&j))) return ut_errf(e, MLG_NOMEM, "out of memory");
    return 0;
oom:
    ut_errf(e, MLG_NOMEM, "out of memory");
fail:
    ut_buf_free(&j);
    return -1;
}

static int compile_taskdef(const ast *clauses, cmp_taskdef *t, ut_err *e)
{
    t->kind = -1;
    t->metric = -1;
    t->protocol = 0;
    t->k = 5;
    t->holdout = 0.25;
    t->seed = 0;
    const ast *proto = NULL, *seen[AST__COUNT] = {0};
    for (const ast *c = clauses; c; c = c->next) {
        int slot = c->kind == AST_CL_HOLDOUT ? AST_CL_CV : c->kind;
        if (seen[slot]) {
            const char *what = slot == AST_CL_CV ? "EVALUATE BY" : ast_kind_names[slot];
            return ut_errf_at(e, MLG_ERROR, c->off, c->len, "%s given twice", what);
        }
        seen[slot] = c;
        switch (c->kind) {
        case AST_CL_KIND: t->kind = c->ival; break;
        case AST_CL_METRIC: {
            int m = rt_metric_lookup(c->a->str);
            if (m < 0) {
                const char *names[RT_MET__COUNT];
                for (int i = 0; i < RT_MET__COUNT; i++) names[i] = rt_metrics[i].name;
                return unknown_in(e, c->a, "metric", names, RT_MET__COUNT);
            }
            t->metric = m;
            t->metric_node = c->a;
            break;
        }
        case AST_CL_CV: {
            long long k;
            if (cmp_int(c->a, 2, 1000, &k, e)) return -1;
            t->protocol = 0;
            t->k = (int)k;
            proto = c;
            break;
        }
        case AST_CL_HOLDOUT: {
            double f;
            if (cmp_number(c->a, &f, e)) return -1;
            if (!(f > 0 && f < 1))
                return ut_errf_at(e, MLG_ERROR, c->a->off, c->a->len,
                                  "HOLDOUT takes the test fraction, between 0 and 1 (exclusive)");
            t->protocol = 1;
            t->holdout = f;
            proto = c;
            break;
        }
        case AST_CL_SEED: {
            long long s;
            if (cmp_int(c->a, 0, 9007199254740992LL, &s, e)) return -1;
            t->seed = s;
            break;
        }
        default: break;
        }
    }
    (void)proto;
    if (t->kind >= 0 && t->metric >= 0 &&
        rt_metrics[t->metric].classification != (t->kind == RT_CLASSIFICATION))
        return ut_errf_at(e, MLG_ERROR, t->metric_node->off, t->metric_node->len,
                          "metric '%s' is for %s, but the task is %s", rt_metrics[t->metric].name,
                          rt_metrics[t->metric].classification ? "classification" : "regression",
                          t->kind == RT_CLASSIFICATION ? "classification" : "regression");
    return 0;
}

static int compile_set(const ast *st, cmp_set *s, ut_err *e)
{
    int k = -1;
    for (int i = 0; i < cmp_nsettings; i++)
        if (!ut_strcasecmp(cmp_settings[i].name, st->a->str)) k = i;
    if (k < 0) {
        const char *names[16];
        for (int i = 0; i < cmp_nsettings; i++) names[i] = cmp_settings[i].name;
        return unknown_in(e, st->a, "setting", names, cmp_nsettings);
    }
    s->setting = k;
    if (!strcmp(cmp_settings[k].kind, "bool")) {
        int b;
        if (bool_value(st->b, &b, e)) return -1;
        s->num = b;
    } else {
        long long v;
        if (cmp_int(st->b, (long long)cmp_settings[k].min, (long long)cmp_settings[k].max, &v, e)) return -1;
        s->num = (double)v;
    }
    return 0;
}

int cmp_compile(const ast *root, cat_db *cat, cmp_stmt **out, ut_err *e)
{
    *out = NULL;
    cmp_stmt *s = calloc(1, sizeof *s);
    if (!s) return ut_errf(e, MLG_NOMEM, "out of memory");
    const ast *st = root;
    if (st->kind == AST_EXPLAIN) {
        s->explain = 1;
        st = st->a;
    }
    s->kind = st->kind;
    s->src = st;
    int rc = 0;
    switch (st->kind) {
    case AST_EXPLORE: rc = cmp_compile_explore(st, cat, &s->explore, e); break;
    case AST_CREATE_DATASET: rc = compile_readopts(st->c, &s->readopts, e); break;
    case AST_CREATE_TASK: rc = compile_taskdef(st->c, &s->taskdef, e); break;
    case AST_SET: rc = compile_set(st, &s->set, e); break;
    default: break;
    }
    if (rc) {
        cmp_stmt_free(s);
        return -1;
    }
    *out = s;
    return 0;
}

void cmp_stmt_free(cmp_stmt *s)
{
    if (!s) return;
    cmp_explore_free(s->explore);
    for (int i = 0; i < s->readopts.nna; i++) free(s->readopts.na[i]);
    free(s->readopts.na);
    free(s->readopts.options_json);
    free(s->set.text);
    free(s);
}
