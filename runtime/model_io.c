/* model_io.c — the rt_mio visitor (JSON writer / validating reader) and the
 * fields every fitted model shares (families.h): coefficients, intercepts,
 * class maps, baseline constants.  Each family's own state is in its
 * fam_*.c (rt_<fam>_io); transform records in tf_record.c. */
#include "model_io.h"
#include "families.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/mileage.h"

void rt_mio_writer(rt_mio *io, ut_buf *out, ut_err *e)
{
    memset(io, 0, sizeof *io);
    io->writing = 1;
    io->out = out;
    io->e = e;
    io->first[0] = 1;
}

void rt_mio_reader(rt_mio *io, const ut_json *root, ut_err *e)
{
    memset(io, 0, sizeof *io);
    io->e = e;
    io->stack[0] = root;
}

int rt_mio_fail(rt_mio *io, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ut_errf(io->e, MLG_DATA, "model file: %s: %s", io->path[0] ? io->path : "(top)", msg);
}

/* path bookkeeping for messages: "model.trees[3].threshold" */
static size_t path_push(rt_mio *io, const char *key, int index)
{
    size_t l = strlen(io->path);
    if (key) snprintf(io->path + l, sizeof io->path - l, "%s%s", l ? "." : "", key);
    else snprintf(io->path + l, sizeof io->path - l, "[%d]", index);
    return l;
}

/* writer: the separator and key of the next member */
static void wkey(rt_mio *io, const char *key)
{
    if (!io->first[io->depth]) ut_buf_putc(io->out, ',');
    io->first[io->depth] = 0;
    if (key) {
        ut_buf_json_str(io->out, key);
        ut_buf_putc(io->out, ':');
    }
}

/* reader: the member `key` of the current object, or an error */
static const ut_json *rget(rt_mio *io, const char *key, ut_jtype type)
{
    const ut_json *v = ut_json_get(io->stack[io->top], key);
    size_t l = path_push(io, key, 0);
    static const char *const tn[] = {"null", "boolean", "number", "string", "array", "object"};
    if (!v) rt_mio_fail(io, "missing");
    else if (v->type != type) rt_mio_fail(io, "expected %s, found %s", tn[type], tn[v->type]);
    io->path[l] = 0;
    return v && v->type == type ? v : NULL;
}

static int wnum(rt_mio *io, double v, int flags, const char *key)
{
    if (isfinite(v)) {
        ut_buf_json_num(io->out, v);
        return 0;
    }
    if ((flags & RT_MIO_INF) && isinf(v)) {
        ut_buf_puts(io->out, v > 0 ? "\"inf\"" : "\"-inf\"");
        return 0;
    }
    return ut_errf(io->e, MLG_ERROR, "cannot store the model: '%s' holds a value that is not a finite number", key);
}

static int rnum(const ut_json *v, int flags, double *out)
{
    if (v->type == UT_J_NUM) {
        *out = v->num;
        return 0;
    }
    if ((flags & RT_MIO_INF) && v->type == UT_J_STR && (!strcmp(v->str, "inf") || !strcmp(v->str, "-inf"))) {
        *out = v->str[0] == '-' ? -INFINITY : INFINITY;
        return 0;
    }
    return -1;
}

int rt_mio_int(rt_mio *io, const char *key, int *v, long long lo, long long hi)
{
    if (io->writing) {
        wkey(io, key);
        ut_buf_printf(io->out, "%d", *v);
        return 0;
    }
    const ut_json *j = rget(io, key, UT_J_NUM);
    if (!j) return -1;
    size_t l = path_push(io, key, 0);
    int rc = 0;
    if (j->num != floor(j->num) || j->num < (double)lo || j->num > (double)hi)
        rc = rt_mio_fail(io, "%.17g is not an integer in [%lld, %lld]", j->num, lo, hi);
    io->path[l] = 0;
    if (!rc) *v = (int)j->num;
    return rc;
}

int rt_mio_num(rt_mio *io, const char *key, double *v)
{
    if (io->writing) {
        wkey(io, key);
        return wnum(io, *v, 0, key);
    }
    const ut_json *j = rget(io, key, UT_J_NUM);
    if (!j) return -1;
    *v = j->num;
    return 0;
}

int rt_mio_str(rt_mio *io, const char *key, char **v)
{
    if (io->writing) {
        wkey(io, key);
        ut_buf_json_str(io->out, *v ? *v : "");
        return 0;
    }
    const ut_json *j = rget(io, key, UT_J_STR);
    if (!j) return -1;
    if (!(*v = ut_strdup(j->str))) return ut_errf(io->e, MLG_NOMEM, "out of memory");
    return 0;
}

/* reader: the array `key`, exactly n long */
static const ut_json *rarr(rt_mio *io, const char *key, size_t n)
{
    const ut_json *j = rget(io, key, UT_J_ARR);
    if (!j) return NULL;
    if ((size_t)j->n != n) {
        size_t l = path_push(io, key, 0);
        rt_mio_fail(io, "has %d values, but the shape declared before needs %zu", j->n, n);
        io->path[l] = 0;
        return NULL;
    }
    return j;
}

int rt_mio_dvec(rt_mio *io, const char *key, double **v, size_t n, int flags)
{
    if (io->writing) {
        wkey(io, key);
        ut_buf_putc(io->out, '[');
        for (size_t i = 0; i < n; i++) {
            if (i) ut_buf_putc(io->out, ',');
            if (wnum(io, (*v)[i], flags, key)) return -1;
        }
        ut_buf_putc(io->out, ']');
        return 0;
    }
    *v = NULL;
    const ut_json *j = rarr(io, key, n);
    if (!j) return -1;
    if (!(*v = malloc(sizeof(double) * (n ? n : 1)))) return ut_errf(io->e, MLG_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (rnum(j->items[i], flags, &(*v)[i])) {
            size_t l = path_push(io, key, 0);
            path_push(io, NULL, (int)i);
            rt_mio_fail(io, "not a number%s", flags & RT_MIO_INF ? " (or \"inf\" / \"-inf\")" : "");
            io->path[l] = 0;
            return -1;
        }
    return 0;
}

int rt_mio_ivec(rt_mio *io, const char *key, int **v, size_t n, long long lo, long long hi)
{
    if (io->writing) {
        wkey(io, key);
        ut_buf_putc(io->out, '[');
        for (size_t i = 0; i < n; i++) ut_buf_printf(io->out, i ? ",%d" : "%d", (*v)[i]);
        ut_buf_putc(io->out, ']');
        return 0;
    }
    *v = NULL;
    const ut_json *j = rarr(io, key, n);
    if (!j) return -1;
    if (!(*v = malloc(sizeof(int) * (n ? n : 1)))) return ut_errf(io->e, MLG_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const ut_json *x = j->items[i];
        if (x->type != UT_J_NUM || x->num != floor(x->num) || x->num < (double)lo || x->num > (double)hi) {
            size_t l = path_push(io, key, 0);
            path_push(io, NULL, (int)i);
            rt_mio_fail(io, "not an integer in [%lld, %lld]", lo, hi);
            io->path[l] = 0;
            return -1;
        }
        (*v)[i] = (int)x->num;
    }
    return 0;
}

int rt_mio_svec(rt_mio *io, const char *key, char ***v, int *n, int maxn)
{
    if (io->writing) {
        wkey(io, key);
        ut_buf_putc(io->out, '[');
        for (int i = 0; i < *n; i++) {
            if (i) ut_buf_putc(io->out, ',');
            ut_buf_json_str(io->out, (*v)[i]);
        }
        ut_buf_putc(io->out, ']');
        return 0;
    }
    *v = NULL;
    *n = 0;
    const ut_json *j = rget(io, key, UT_J_ARR);
    if (!j) return -1;
    if (j->n > maxn) return rt_mio_fail(io, "'%s' has %d entries, more than %d", key, j->n, maxn);
    if (!(*v = calloc((size_t)(j->n ? j->n : 1), sizeof(char *)))) return ut_errf(io->e, MLG_NOMEM, "out of memory");
    for (int i = 0; i < j->n; i++) {
        if (j->items[i]->type != UT_J_STR) return rt_mio_fail(io, "'%s'[%d] is not a string", key, i);
        if (!((*v)[i] = ut_strdup(j->items[i]->str))) return ut_errf(io->e, MLG_NOMEM, "out of memory");
        *n = i + 1;
    }
    return 0;
}

int rt_mio_has(rt_mio *io, const char *key, int present)
{
    if (io->writing) return present;
    return ut_json_get(io->stack[io->top], key) != NULL;
}

int rt_mio_enter(rt_mio *io, const char *key)
{
    if (io->writing) {
        wkey(io, key);
        ut_buf_putc(io->out, '{');
        io->first[++io->depth] = 1;
        io->closer[io->depth] = '}';
        return 0;
    }
    const ut_json *j = rget(io, key, UT_J_OBJ);
    if (!j) return -1;
    if (io->top + 1 >= 64) return rt_mio_fail(io, "nested too deeply");
    path_push(io, key, 0);
    io->stack[++io->top] = j;
    return 0;
}

int rt_mio_list(rt_mio *io, const char *key, int *n, int maxn)
{
    if (io->writing) {
        wkey(io, key);
        ut_buf_putc(io->out, '[');
        io->first[++io->depth] = 1;
        io->closer[io->depth] = ']';
        return 0;
    }
    const ut_json *j = rget(io, key, UT_J_ARR);
    if (!j) return -1;
    if (j->n > maxn) return rt_mio_fail(io, "'%s' has %d entries, more than %d", key, j->n, maxn);
    if (io->top + 1 >= 64) return rt_mio_fail(io, "nested too deeply");
    path_push(io, key, 0);
    io->stack[++io->top] = j;
    *n = j->n;
    return 0;
}

int rt_mio_item(rt_mio *io, int i)
{
    if (io->writing) {
        wkey(io, NULL);
        ut_buf_putc(io->out, '{');
        io->first[++io->depth] = 1;
        io->closer[io->depth] = '}';
        return 0;
    }
    const ut_json *arr = io->stack[io->top];
    path_push(io, NULL, i);
    if (i >= arr->n || arr->items[i]->type != UT_J_OBJ) return rt_mio_fail(io, "expected an object");
    io->stack[++io->top] = arr->items[i];
    return 0;
}

void rt_mio_leave(rt_mio *io)
{
    if (io->writing) {
        ut_buf_putc(io->out, io->closer[io->depth]);
        io->depth--;
        return;
    }
    io->top--;
    char *dot = strrchr(io->path, '.'), *br = strrchr(io->path, '[');
    char *cut = dot > br ? dot : br;
    if (cut) *cut = 0;
    else io->path[0] = 0;
}

/* ---- the fields every model shares ---- */

static int is_code(double v, int k) { return v == floor(v) && v >= 0 && v < k; }

int rt_model_io(rt_mio *io, rt_model *m)
{
    int K = m->nclasses, p = m->p;
    rt_family f = m->family;
    int linear = f == RT_FAM_LINREG || f == RT_FAM_RIDGE || f == RT_FAM_LASSO || f == RT_FAM_ELASTICNET ||
                 f == RT_FAM_LOGREG || f == RT_FAM_LINSVM;
    if (linear) {
        if (rt_mio_int(io, "nout", &m->nout, 0, K > 1 ? K : 1)) return -1;
        if (rt_mio_int(io, "nfit", &m->nfit, 0, K)) return -1;
        if (rt_mio_num(io, "constant", &m->constant)) return -1;
        if (m->nout > 0) {
            if (rt_mio_dvec(io, "coef", &m->coef, (size_t)m->nout * (size_t)p, 0)) return -1;
            if (rt_mio_dvec(io, "intercept", &m->intercept, (size_t)m->nout, 0)) return -1;
        }
        if (rt_mio_has(io, "classes_fitted", m->cls != NULL) &&
            rt_mio_ivec(io, "classes_fitted", &m->cls, (size_t)m->nfit, 0, K > 0 ? K - 1 : 0))
            return -1;
        if (rt_mio_int(io, "n_iter", &m->n_iter, 0, 1 << 30)) return -1;
        if (rt_mio_int(io, "hit_max_iter", &m->hit_max_iter, 0, 1)) return -1;
        if (io->writing) return 0;
        /* the invariants prediction relies on */
        int ok = 1;
        if (f == RT_FAM_LOGREG || f == RT_FAM_LINSVM) {
            ok = K >= 2 && m->cls && (m->nout == 0 ? m->nfit >= 1 && is_code(m->constant, K)
                                      : m->nout == 1 ? m->nfit == 2 : m->nfit == m->nout);
        } else if (f == RT_FAM_RIDGE) {
            ok = m->nout >= 1 && (K == 0 || K == 1 ? m->nout == 1 : m->nout == 1 || m->nout == K);
        } else {
            ok = m->nout == 1 && K == 0;
        }
        return ok ? 0 : rt_mio_fail(io, "the %s model's outputs (nout = %d, classes fitted = %d) do not fit %d classes",
                                    rt_families[f].name, m->nout, m->nfit, K);
    }
    switch (f) {
    case RT_FAM_BASELINE:
        if (rt_mio_int(io, "strategy", &m->strategy, RT_BASE_MOST_FREQUENT, RT_BASE_MEDIAN)) return -1;
        if (rt_mio_num(io, "constant", &m->constant)) return -1;
        if (K > 0) {
            if (rt_mio_dvec(io, "prior", &m->prior, (size_t)K, 0)) return -1;
            if (!io->writing && !is_code(m->constant, K))
                return rt_mio_fail(io, "baseline constant %.17g is not a class code below %d", m->constant, K);
        }
        return 0;
    case RT_FAM_NB: return rt_nb_io(io, m);
    case RT_FAM_KNN: return rt_knn_io(io, m);
    case RT_FAM_TREE: return rt_tree_io(io, m);
    case RT_FAM_FOREST: return rt_forest_io(io, m);
    case RT_FAM_GBT: return rt_gbt_io(io, m);
    default: return rt_mio_fail(io, "unknown model family");
    }
}
