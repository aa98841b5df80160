/* protocol.c — fold assignment for every protocol and the rows of a round. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "protocol.h"
#include "folds.h"
#include "../include/mileage.h"

static const char *const type_names[] = {"cv", "holdout", "repeated_cv", "folds", "time"};

static const char *json_field(const char *j, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(j, pat);
    return p ? p + strlen(pat) : NULL;
}

int rt_protocol_parse(const char *json, rt_protocol *p, ut_err *e)
{
    memset(p, 0, sizeof *p);
    const char *t = json ? json_field(json, "type") : NULL;
    int found = -1;
    for (int i = 0; t && i < 5; i++) {
        char q[32];
        snprintf(q, sizeof q, "\"%s\"", type_names[i]);
        if (!strncmp(t, q, strlen(q))) found = i;
    }
    if (found < 0) return ut_errf(e, MLG_CATALOG, "unknown evaluation protocol %s", json ? json : "(none)");
    p->type = (rt_proto_type)found;
    const char *v;
    if ((v = json_field(json, "k"))) p->k = atoi(v);
    if ((v = json_field(json, "repeats"))) p->reps = atoi(v);
    if ((v = json_field(json, "test"))) p->test = strtod(v, NULL);
    if ((v = json_field(json, "column")) && *v == '"') {
        size_t n = 0;
        for (v++; *v && *v != '"' && n + 1 < sizeof p->column; v++) {
            if (*v == '\\' && v[1]) v++;
            p->column[n++] = *v;
        }
        p->column[n] = 0;
    }
    if (p->reps < 1) p->reps = 1;
    return 0;
}

char *rt_protocol_json(const rt_protocol *p)
{
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_printf(&b, "{\"type\":\"%s\"", type_names[p->type]);
    if (p->type == RT_PROTO_HOLDOUT) {
        ut_buf_puts(&b, ",\"test\":");
        ut_buf_json_num(&b, p->test);
    } else if (p->type != RT_PROTO_FOLDS) {
        ut_buf_printf(&b, ",\"k\":%d", p->k);
    }
    if (p->type == RT_PROTO_REPEATED) ut_buf_printf(&b, ",\"repeats\":%d", p->reps);
    if (p->type == RT_PROTO_FOLDS || p->type == RT_PROTO_TIME) {
        ut_buf_puts(&b, ",\"column\":");
        ut_buf_json_str(&b, p->column);
    }
    ut_buf_putc(&b, '}');
    return ut_buf_take(&b);
}

void rt_protocol_describe(const rt_protocol *p, char *buf, size_t cap)
{
    switch (p->type) {
    case RT_PROTO_CV: snprintf(buf, cap, "%d-fold CV", p->k); break;
    case RT_PROTO_HOLDOUT: snprintf(buf, cap, "holdout %g", p->test); break;
    case RT_PROTO_REPEATED: snprintf(buf, cap, "%d x %d-fold CV", p->reps, p->k); break;
    case RT_PROTO_FOLDS: snprintf(buf, cap, "folds from column '%s'", p->column); break;
    case RT_PROTO_TIME: snprintf(buf, cap, "%d time splits on '%s'", p->k, p->column); break;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* FOLDS(column): each distinct value (in sorted order) is one fold. */
static int folds_from_column(const rt_column *c, int n, const unsigned char *ymiss, int *fold,
                             int *nrounds, ut_err *e)
{
    if (c->type == RT_CATEGORICAL) {
        for (int i = 0; i < n; i++) fold[i] = ymiss[i] ? -1 : c->cat[i];
        *nrounds = c->nlevels;
    } else {
        /* distinct values, sorted: the fold number is the rank */
        double *v = malloc((size_t)n * sizeof *v + 1);
        if (!v) return ut_errf(e, MLG_NOMEM, "out of memory");
        int m = 0;
        for (int i = 0; i < n; i++)
            if (!isnan(c->num[i])) v[m++] = c->num[i];
        qsort(v, (size_t)m, sizeof *v, cmp_double);
        int d = 0;
        for (int i = 0; i < m; i++)
            if (!d || v[i] != v[d - 1]) v[d++] = v[i];
        for (int i = 0; i < n; i++) {
            fold[i] = -1;
            if (ymiss[i] || isnan(c->num[i])) continue;
            int lo = 0, hi = d - 1;
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                if (v[mid] < c->num[i]) lo = mid + 1;
                else hi = mid;
            }
            fold[i] = lo;
        }
        free(v);
        *nrounds = d;
    }
    int used = 0;
    for (int r = 0; r < *nrounds && used < 2; r++)
        for (int i = 0; i < n; i++)
            if (fold[i] == r) {
                used++;
                break;
            }
    if (used < 2)
        return ut_errf(e, MLG_DATA, "FOLDS(%s): the column needs at least 2 distinct values on rows with a target",
                       c->name);
    return 0;
}

static const rt_column *sort_col;
static int by_time(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    double x = sort_col->type == RT_NUMERIC ? sort_col->num[i] : sort_col->cat[i];
    double y = sort_col->type == RT_NUMERIC ? sort_col->num[j] : sort_col->cat[j];
    if (x != y) return (x > y) - (x < y);
    return i - j;  /* stable: equal times keep file order */
}

/* TIME SPLIT: scikit-learn's TimeSeriesSplit(n_splits = k) over the rows
 * ordered by the column: test blocks of n / (k + 1) rows at the end, the
 * first block takes the remainder. */
static int folds_by_time(const rt_column *c, int n, int k, const unsigned char *ymiss, int *fold, ut_err *e)
{
    int *order = malloc((size_t)n * sizeof *order + 1), m = 0;
    if (!order) return ut_errf(e, MLG_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        fold[i] = -1;
        int miss = ymiss[i] || (c->type == RT_NUMERIC ? isnan(c->num[i]) : c->cat[i] < 0);
        if (!miss) order[m++] = i;
    }
    int test = m / (k + 1);
    if (test < 1) {
        free(order);
        return ut_errf(e, MLG_DATA, "TIME SPLIT ON %s (%d): %d rows are too few for %d splits", c->name, k, m, k);
    }
    sort_col = c;
    qsort(order, (size_t)m, sizeof *order, by_time);
    int first = m - k * test;
    for (int j = 0; j < m; j++) fold[order[j]] = j < first ? 0 : 1 + (j - first) / test;
    free(order);
    return 0;
}

int rt_protocol_folds(const rt_protocol *p, const rt_table *t, int col, const int *yc, int nclasses,
                      const unsigned char *ymiss, unsigned long long seed, int **fold_out, int *nentries,
                      int *nrounds, ut_err *e)
{
    int n = t->nrows, reps = p->type == RT_PROTO_REPEATED ? p->reps : 1, rc = 0;
    *fold_out = NULL;
    int *fold = malloc((size_t)n * (size_t)reps * sizeof *fold + 1);
    if (!fold) return ut_errf(e, MLG_NOMEM, "out of memory");
    switch (p->type) {
    case RT_PROTO_CV:
    case RT_PROTO_REPEATED:
        /* repetition 0 uses the seed itself, so REPEATED CV(k, 1) = CV(k) */
        for (int r = 0; r < reps && !rc; r++)
            rc = rt_folds_cv(n, p->k, yc, nclasses, ymiss, seed + (unsigned long long)r * 1000003ULL,
                             fold + (size_t)r * n, e);
        *nrounds = p->k * reps;
        break;
    case RT_PROTO_HOLDOUT:
        rc = rt_folds_holdout(n, p->test, yc, nclasses, ymiss, seed, fold, e);
        *nrounds = 1;
        break;
    case RT_PROTO_FOLDS: rc = folds_from_column(&t->cols[col], n, ymiss, fold, nrounds, e); break;
    case RT_PROTO_TIME:
        rc = folds_by_time(&t->cols[col], n, p->k, ymiss, fold, e);
        *nrounds = p->k;
        break;
    }
    if (rc) {
        free(fold);
        return -1;
    }
    *fold_out = fold;
    *nentries = n * reps;
    return 0;
}

void rt_protocol_rows(const rt_protocol *p, const int *fold, int n, int round, int *train, int *ntrain,
                      int *test, int *ntest)
{
    *ntrain = *ntest = 0;
    int f = round;
    if (p->type == RT_PROTO_REPEATED) {
        fold += (size_t)(round / p->k) * n;
        f = round % p->k;
    }
    for (int i = 0; i < n; i++) {
        int fi = fold[i];
        if (fi < 0) continue;
        if (p->type == RT_PROTO_TIME) {
            if (fi == round + 1) test[(*ntest)++] = i;
            else if (fi <= round) train[(*ntrain)++] = i;
        } else if (fi == f) {
            test[(*ntest)++] = i;
        } else {
            train[(*ntrain)++] = i;
        }
    }
}
