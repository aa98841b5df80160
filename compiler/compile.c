/* compile.c — the compiler's entry: checks the simple statements (options,
 * clauses, settings) and hands EXPLORE to explore.c. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "../include/mileage.h"

const cmp_setting_info cmp_settings[] = {
    {"threads", "int", 1, 1024, "worker threads for independent plan fragments (default: cores)"},
    {"sharing", "bool", 0, 1, "on: the optimizer shares work between configurations; off: naive plan"},
    {"show_times", "bool", 0, 1, "on: EXPLORE results include fit/predict seconds"},
    {"progress", "bool", 0, 1, "on: report progress of long statements (CLI: on a terminal)"},
    {"reuse", "bool", 0, 1, "on: EXPLORE takes runs of configurations already evaluated on the same task lineage from the repository; off: runs everything"},
    {"max_rows", "int", 0, 9e15, "CREATE DATASET refuses files with more data rows; SELECT stops beyond this many result rows (0 = no limit)"},
    {"max_configs", "int", 0, 9e15, "EXPLORE refuses more configurations x pipelines (0 = no limit)"},
    {"max_seconds", "int", 0, 9e15, "EXPLORE stops after this many seconds, keeping finished runs; so does a SELECT (0 = no limit)"},
    {"max_memory", "int", 0, 9e15, "bytes a dataset, an EXPLORE's estimated working set or a SELECT's result may take (0 = no limit)"},
    {"cache_budget", "size", 0, 9e15, "bytes the intermediate cache beside the catalog may hold, e.g. '512MB' (0 = no cache)"},
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

int cmp_unknown(ut_err *e, const ast *at, const char *what, const char *const *names, int n)
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
            return cmp_unknown(e, k, "option", names, 3);
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
    memset(t, 0, sizeof *t);
    t->kind = -1;
    t->protocol = CMP_PROTO_CV;
    t->k = 5;
    t->holdout = 0.25;
    const ast *seen[AST__COUNT] = {0};
    for (const ast *c = clauses; c; c = c->next) {
        int is_proto = c->kind == AST_CL_CV || c->kind == AST_CL_HOLDOUT || c->kind == AST_CL_REPEATED ||
                       c->kind == AST_CL_FOLDS || c->kind == AST_CL_TIME;
        int slot = is_proto ? AST_CL_CV : c->kind;
        if (seen[slot]) {
            const char *what = is_proto ? "EVALUATE BY" : ast_kind_names[slot];
            return ut_errf_at(e, MLG_ERROR, c->off, c->len, "%s given twice", what);
        }
        seen[slot] = c;
        if (is_proto) t->protocol_node = c;
        switch (c->kind) {
        case AST_CL_KIND: t->kind = c->ival; break;
        case AST_CL_METRIC:
            for (const ast *m = c->a; m; m = m->next) {
                int k = rt_metric_lookup(m->str);
                if (k < 0) {
                    const char *names[RT_MET__COUNT];
                    for (int i = 0; i < RT_MET__COUNT; i++) names[i] = rt_metrics[i].name;
                    return cmp_unknown(e, m, "metric", names, RT_MET__COUNT);
                }
                for (int i = 0; i < t->nmetrics; i++)
                    if (t->metrics[i] == k)
                        return ut_errf_at(e, MLG_ERROR, m->off, m->len, "metric '%s' listed twice", m->str);
                if (t->nmetrics == CMP_MAX_METRICS)
                    return ut_errf_at(e, MLG_ERROR, m->off, m->len, "at most %d metrics", CMP_MAX_METRICS);
                if (t->nmetrics && rt_metrics[k].classification != rt_metrics[t->metrics[0]].classification)
                    return ut_errf_at(e, MLG_ERROR, m->off, m->len, "metric '%s' is for %s, but '%s' is for %s",
                                      rt_metrics[k].name, rt_metrics[k].classification ? "classification" : "regression",
                                      rt_metrics[t->metrics[0]].name,
                                      rt_metrics[t->metrics[0]].classification ? "classification" : "regression");
                if (k == RT_MET_COST)
                    return ut_errf_at(e, MLG_ERROR, m->off, m->len,
                                      "the cost metric needs the costs of errors: EXPLORE ... WITH INTENT "
                                      "cost(fn = a, fp = b) ranks by it");
                t->metric_nodes[t->nmetrics] = m;
                t->metrics[t->nmetrics++] = k;
            }
            break;
        case AST_CL_CV:
        case AST_CL_REPEATED: {
            long long k, r = 1;
            if (cmp_int(c->a, 2, 1000, &k, e)) return -1;
            if (c->kind == AST_CL_REPEATED && cmp_int(c->b, 1, 1000, &r, e)) return -1;
            t->protocol = c->kind == AST_CL_CV ? CMP_PROTO_CV : CMP_PROTO_REPEATED;
            t->k = (int)k;
            t->repeats = (int)r;
            break;
        }
        case AST_CL_HOLDOUT: {
            double f;
            if (cmp_number(c->a, &f, e)) return -1;
            if (!(f > 0 && f < 1))
                return ut_errf_at(e, MLG_ERROR, c->a->off, c->a->len,
                                  "HOLDOUT takes the test fraction, between 0 and 1 (exclusive)");
            t->protocol = CMP_PROTO_HOLDOUT;
            t->holdout = f;
            break;
        }
        case AST_CL_FOLDS:
            t->protocol = CMP_PROTO_FOLDS;
            t->column = c->a;
            break;
        case AST_CL_TIME: {
            long long k;
            if (cmp_int(c->b, 1, 1000, &k, e)) return -1;
            t->protocol = CMP_PROTO_TIME;
            t->column = c->a;
            t->k = (int)k;
            break;
        }
        case AST_CL_SEED: {
            long long sd;
            if (cmp_int(c->a, 0, 9007199254740992LL, &sd, e)) return -1;
            t->seed = sd;
            break;
        }
        default: break;
        }
    }
    if (t->kind >= 0 && t->nmetrics &&
        rt_metrics[t->metrics[0]].classification != (t->kind == RT_CLASSIFICATION))
        return ut_errf_at(e, MLG_ERROR, t->metric_nodes[0]->off, t->metric_nodes[0]->len,
                          "metric '%s' is for %s, but the task is %s", rt_metrics[t->metrics[0]].name,
                          rt_metrics[t->metrics[0]].classification ? "classification" : "regression",
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
        return cmp_unknown(e, st->a, "setting", names, cmp_nsettings);
    }
    s->setting = k;
    if (!strcmp(cmp_settings[k].kind, "bool")) {
        int b;
        if (bool_value(st->b, &b, e)) return -1;
        s->num = b;
    } else if (!strcmp(cmp_settings[k].kind, "size")) {
        long long v;
        if (cmp_size(st->b, cmp_settings[k].name, &v, e)) return -1;
        s->num = (double)v;
    } else {
        long long v;
        if (cmp_int(st->b, (long long)cmp_settings[k].min, (long long)cmp_settings[k].max, &v, e)) return -1;
        s->num = (double)v;
    }
    return 0;
}

int cmp_size(const ast *v, const char *setting, long long *out, ut_err *e)
{
    static const struct { const char *unit; double mult; } units[] = {
        {"", 1}, {"b", 1}, {"kb", 1024.0}, {"kib", 1024.0}, {"mb", 1048576.0}, {"mib", 1048576.0},
        {"gb", 1073741824.0}, {"gib", 1073741824.0}, {"tb", 1099511627776.0}, {"tib", 1099511627776.0},
    };
    double num = NAN, mult = 0;
    if (v->kind == AST_NUMBER) {
        num = v->num, mult = 1;
    } else if (v->kind == AST_STRING && v->str) {
        const char *p = v->str;
        while (*p == ' ') p++;
        char *end = NULL;
        /* digits and a point only: no signs, exponents, hex or inf */
        size_t nd = strspn(p, "0123456789."), dots = 0;
        for (size_t i = 0; i < nd; i++) dots += p[i] == '.';
        if (nd > dots && dots <= 1) num = strtod(p, &end);
        if (end && end == p + nd) {
            while (*end == ' ') end++;
            char u[8];
            size_t n = strlen(end);
            while (n && end[n - 1] == ' ') n--;
            if (n < sizeof u) {
                for (size_t i = 0; i < n; i++) u[i] = (char)(end[i] >= 'A' && end[i] <= 'Z' ? end[i] + 32 : end[i]);
                u[n] = 0;
                for (size_t i = 0; i < sizeof units / sizeof *units; i++)
                    if (!strcmp(u, units[i].unit)) mult = units[i].mult;
            }
        }
    }
    double bytes = num * mult;
    if (mult == 0 || !(bytes >= 0) || bytes > 9e15 || (mult == 1 && bytes != floor(bytes))) {
        char found[64];
        if (v->kind == AST_NUMBER) snprintf(found, sizeof found, "%g", v->num);
        else snprintf(found, sizeof found, "'%.40s%s'", v->str ? v->str : "", v->str && strlen(v->str) > 40 ? "..." : "");
        return ut_errf_at(e, MLG_ERROR, v->off, v->len,
                          "%s must be a size: a whole number of bytes or a number with KB, MB, GB or TB "
                          "(e.g. '512MB'; 0 turns the cache off), not %s",
                          setting, found);
    }
    *out = (long long)floor(bytes);
    return 0;
}

int cmp_compile(const ast *root, cat_db *cat, cmp_stmt **out, ut_err *e)
{
    *out = NULL;
    cmp_stmt *s = calloc(1, sizeof *s);
    if (!s) return ut_errf(e, MLG_NOMEM, "out of memory");
    const ast *st = root;
    if (st->kind == AST_EXPLAIN) {
        s->explain = st->ival ? 2 : 1;
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
    case AST_TRAIN: rc = cmp_compile_train(st, cat, &s->explore, e); break;
    case AST_BASELINE: rc = cmp_compile_baseline(st, cat, &s->explore, e); break;
    case AST_SUGGEST: {
        /* the task is looked up when it runs (its caret comes from there);
         * LIMIT is checked here */
        long long lim = 0;
        if (st->b) {
            double d;
            if (cmp_number(st->b, &d, e)) {
                rc = -1;
            } else if (d != floor(d) || d < 1 || d > 1000) {
                rc = ut_errf_at(e, MLG_ERROR, st->b->off, st->b->len,
                                "LIMIT must be an integer from 1 to 1000, not %g", d);
            } else {
                lim = (long long)d;
            }
        }
        s->limit = (int)lim;
        break;
    }
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
