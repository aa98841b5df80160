/* values.c — literal values and value specs: numbers, words, and the
 * expansion of {a, b}, lo..hi STEP s, logspace(), linspace() into lists. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "space.h"
#include "../include/mileage.h"

int cmp_number(const ast *v, double *out, ut_err *e)
{
    if (v->kind != AST_NUMBER)
        return ut_errf_at(e, MLG_ERROR, v->off, v->len, "expected a number, found %s '%s'",
                          ast_kind_names[v->kind], v->str ? v->str : "");
    *out = v->num;
    return 0;
}

int cmp_int(const ast *v, long long lo, long long hi, long long *out, ut_err *e)
{
    double d = 0;
    if (cmp_number(v, &d, e)) return -1;
    if (d != floor(d))
        return ut_errf_at(e, MLG_ERROR, v->off, v->len, "expected an integer, found %g", d);
    if (d < (double)lo || d > (double)hi)
        return ut_errf_at(e, MLG_ERROR, v->off, v->len,
                          "%g is out of range: expected %lld to %lld", d, lo, hi);
    *out = (long long)d;
    return 0;
}

const char *cmp_word(const ast *v)
{
    return (v->kind == AST_IDENT || v->kind == AST_STRING) ? v->str : NULL;
}

static int push(cmp_values *vs, double num, const char *str, int off, int len)
{
    if (vs->n == vs->cap) {
        int cap = vs->cap ? vs->cap * 2 : 8;
        cmp_value *v = realloc(vs->v, (size_t)cap * sizeof *v);
        if (!v) return -1;
        vs->v = v;
        vs->cap = cap;
    }
    vs->v[vs->n++] = (cmp_value){num, str, off, len};
    return 0;
}

#define MAX_VALUES 100000

/* Reads three numbers lo, hi, count of logspace/linspace. */
static int spread(const ast *s, cmp_values *out, int logscale, ut_err *e)
{
    double lo = 0, hi = 0;
    long long n = 0;
    if (cmp_number(s->a, &lo, e) || cmp_number(s->b, &hi, e) ||
        cmp_int(s->c, 1, MAX_VALUES, &n, e))
        return -1;
    for (long long i = 0; i < n; i++) {
        double t = n == 1 ? lo : lo + (hi - lo) * (double)i / (double)(n - 1);
        if (i == n - 1) t = hi;  /* land exactly on the end point */
        double v = logscale ? pow(10.0, t) : t;
        if (push(out, v, NULL, s->off, s->len)) return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    return 0;
}

int cmp_expand(const ast *s, cmp_values *out, ut_err *e)
{
    memset(out, 0, sizeof *out);
    int rc = 0;
    switch (s->kind) {
    case AST_SPEC_SET:
        for (const ast *v = s->a; v && !rc; v = v->next)
            if (push(out, v->num, cmp_word(v), v->off, v->len)) rc = ut_errf(e, MLG_NOMEM, "out of memory");
        break;
    case AST_SPEC_RANGE: {
        double lo = 0, hi = 0, step = 1;
        if (cmp_number(s->a, &lo, e) || cmp_number(s->b, &hi, e) ||
            (s->c && cmp_number(s->c, &step, e))) {
            rc = -1;
            break;
        }
        if (step <= 0) {
            rc = ut_errf_at(e, MLG_ERROR, s->c->off, s->c->len, "STEP must be positive");
            break;
        }
        if (hi < lo) {
            rc = ut_errf_at(e, MLG_ERROR, s->off, s->len, "empty range: %g..%g", lo, hi);
            break;
        }
        if ((hi - lo) / step >= MAX_VALUES) {
            rc = ut_errf_at(e, MLG_ERROR, s->off, s->len, "range has more than %d values", MAX_VALUES);
            break;
        }
        /* i*step from lo, not repeated addition, so 0.1 steps do not drift */
        for (long i = 0;; i++) {
            double v = lo + (double)i * step;
            if (v > hi + 1e-9 * fabs(step)) break;
            /* 0.1 + 2 * 0.1 is 0.30000000000000004: round to 12 significant
             * digits so the value (and its config) equals the one written */
            char buf[32];
            snprintf(buf, sizeof buf, "%.12g", v);
            v = strtod(buf, NULL);
            if (push(out, v, NULL, s->off, s->len)) {
                rc = ut_errf(e, MLG_NOMEM, "out of memory");
                break;
            }
        }
        break;
    }
    case AST_SPEC_LOGSPACE: rc = spread(s, out, 1, e); break;
    case AST_SPEC_LINSPACE: rc = spread(s, out, 0, e); break;
    case AST_SPEC_INTERVAL:
        /* model parameters read intervals themselves (explore.c) */
        rc = ut_errf_at(e, MLG_ERROR, s->off, s->len,
                        "a continuous interval is for model parameters; use a finite spec such as {a, b} or lo..hi here");
        break;
    default: /* a single value: param = v */
        if (push(out, s->num, cmp_word(s), s->off, s->len)) rc = ut_errf(e, MLG_NOMEM, "out of memory");
    }
    if (rc) {
        free(out->v);
        memset(out, 0, sizeof *out);
    }
    return rc;
}
