/* fuzz_table.h — what fuzz_csv.c and fuzz_arff.c share: the input bytes
 * become a file, which one reader reads with several option sets; every
 * table read is checked against the invariants table.h promises, then freed.
 * Included once per target (it defines LLVMFuzzerTestOneInput). */
#ifndef FUZZ_TABLE_H
#define FUZZ_TABLE_H

#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mileage.h"
#include "runtime/table.h"

typedef int (*fz_reader)(const char *path, const rt_read_opts *o, rt_table **out, ut_err *e);

#define FZ_CHECK(cond, ...)                                                  \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s: invariant failed: %s: ", fz_name, #cond);   \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
            abort();                                                         \
        }                                                                    \
    } while (0)

static const char *fz_name = "fuzz_table";
static char fz_path[4096];

static void fz_cleanup(void)
{
    if (fz_path[0]) unlink(fz_path);
}

static void fz_setup(const char *name, const char *suffix)
{
    fz_name = name;
    const char *tmp = getenv("TMPDIR");
    snprintf(fz_path, sizeof fz_path, "%s/mlg_%s_XXXXXX%s", tmp && *tmp ? tmp : "/tmp", name, suffix);
    int fd = mkstemps(fz_path, (int)strlen(suffix));
    FZ_CHECK(fd >= 0, "cannot create %s", fz_path);
    close(fd);
    atexit(fz_cleanup);
}

static void fz_check_column(const rt_table *t, int j, const char *format)
{
    const rt_column *c = &t->cols[j];
    int n = t->nrows;
    FZ_CHECK(c->name != NULL, "column %d has no name", j);
    /* rt_table_find is a linear scan: on a very wide table check a sample
     * of columns, or the check alone is quadratic (a 7,000-column header
     * timed out under ASan) */
    if (t->ncols <= 256 || j % (t->ncols / 128) == 0)
        FZ_CHECK(rt_table_find(t, c->name) >= 0 && strcmp(t->cols[rt_table_find(t, c->name)].name, c->name) == 0,
                 "column %d ('%s') not found by its own name", j, c->name);
    long missing = 0;
    if (c->type == RT_NUMERIC) {
        FZ_CHECK(c->num != NULL && c->cat == NULL && c->nlevels == 0, "numeric column %d layout", j);
        double lo = INFINITY, hi = -INFINITY;
        int integral = 1;
        for (int r = 0; r < n; r++) {
            double v = c->num[r];
            if (isnan(v)) { missing++; continue; }
            FZ_CHECK(isfinite(v), "column %d row %d: %g", j, r, v);
            if (v < lo) lo = v;
            if (v > hi) hi = v;
            if (v != floor(v)) integral = 0;
        }
        long m = n - missing;
        FZ_CHECK(c->missing == missing, "column %d: missing %ld, counted %ld", j, c->missing, missing);
        FZ_CHECK(c->integral == integral, "column %d: integral %d, counted %d", j, c->integral, integral);
        if (m > 0) {
            FZ_CHECK(c->min == lo && c->max == hi, "column %d: min/max %g/%g, counted %g/%g", j, c->min, c->max, lo, hi);
            FZ_CHECK(c->min <= c->max, "column %d: min %g > max %g", j, c->min, c->max);
            /* the mean of equal values may round off the value by an ulp or so */
            double tol = 2e-9 * fmax(fabs(lo), fabs(hi)) + 1e-300;   /* no overflow */
            FZ_CHECK(!isnan(c->mean) && c->mean >= lo - tol && c->mean <= hi + tol,
                     "column %d: mean %g outside [%g, %g]", j, c->mean, lo, hi);
            FZ_CHECK(c->distinct >= 1 && c->distinct <= m, "column %d: distinct %ld of %ld", j, c->distinct, m);
            FZ_CHECK(m < 2 ? isnan(c->std) : (c->std >= 0 || isnan(c->std) || isinf(c->std)),
                     "column %d: std %g with %ld values", j, c->std, m);
        } else {
            FZ_CHECK(isnan(c->min) && isnan(c->max) && isnan(c->mean) && c->distinct == 0,
                     "column %d: all missing but min %g max %g distinct %ld", j, c->min, c->max, c->distinct);
        }
    } else {
        FZ_CHECK(c->type == RT_CATEGORICAL, "column %d: type %d", j, (int)c->type);
        FZ_CHECK(c->cat != NULL && c->num == NULL && c->nlevels >= 0, "categorical column %d layout", j);
        FZ_CHECK(c->nlevels == 0 || c->levels != NULL, "column %d: no levels array", j);
        for (int k = 0; k < c->nlevels; k++) {
            FZ_CHECK(c->levels[k] != NULL, "column %d level %d is NULL", j, k);
            FZ_CHECK(k == 0 || strcmp(c->levels[k - 1], c->levels[k]) < 0,
                     "column %d: levels %d, %d not strictly sorted", j, k - 1, k);
        }
        unsigned char *seen = calloc((size_t)c->nlevels + 1, 1);
        FZ_CHECK(seen != NULL, "out of memory");
        long distinct = 0;
        for (int r = 0; r < n; r++) {
            int k = c->cat[r];
            FZ_CHECK(k >= -1 && k < c->nlevels, "column %d row %d: code %d of %d levels", j, r, k, c->nlevels);
            if (k < 0) { missing++; continue; }
            if (!seen[k]) { seen[k] = 1; distinct++; }
        }
        free(seen);
        FZ_CHECK(c->missing == missing, "column %d: missing %ld, counted %ld", j, c->missing, missing);
        FZ_CHECK(c->distinct == distinct, "column %d: distinct %ld, counted %ld", j, c->distinct, distinct);
        /* CSV levels come from the data; ARFF nominal levels are declared */
        if (!strcmp(format, "csv"))
            FZ_CHECK(c->nlevels == distinct, "column %d: %d levels, %ld used", j, c->nlevels, distinct);
    }

    /* the target helpers, as CREATE TASK uses them on any column */
    rt_kind kind = rt_target_kind(c);
    FZ_CHECK(kind == RT_CLASSIFICATION || kind == RT_REGRESSION, "column %d kind %d", j, (int)kind);
    if (kind == RT_CLASSIFICATION) {
        int *codes = malloc(sizeof(int) * (size_t)(n ? n : 1)), nclasses = -1;
        char **names = NULL;
        ut_err e;
        ut_err_clear(&e);
        FZ_CHECK(codes != NULL, "out of memory");
        if (rt_target_classes(c, n, codes, &nclasses, &names, &e) == 0) {
            FZ_CHECK(nclasses >= 0, "column %d: %d classes", j, nclasses);
            for (int r = 0; r < n; r++) {
                FZ_CHECK(codes[r] >= -1 && codes[r] < nclasses, "column %d row %d: class %d of %d", j, r,
                         codes[r], nclasses);
                int is_missing = c->type == RT_NUMERIC ? isnan(c->num[r]) : c->cat[r] < 0;
                FZ_CHECK((codes[r] < 0) == is_missing, "column %d row %d: class %d, missing %d", j, r,
                         codes[r], is_missing);
            }
            for (int k = 0; k < nclasses; k++) {
                FZ_CHECK(names && names[k], "column %d: class %d has no name", j, k);
                free(names[k]);
            }
            free(names);
        } else {
            FZ_CHECK(e.msg[0] && names == NULL, "column %d: rt_target_classes failed silently", j);
        }
        free(codes);
    }
}

static void fz_check_table(const rt_table *t, const char *format)
{
    FZ_CHECK(t != NULL, "success without a table");
    FZ_CHECK(t->nrows > 0 && t->ncols > 0 && t->cols != NULL, "%d rows, %d cols", t->nrows, t->ncols);
    FZ_CHECK(t->format && !strcmp(t->format, format), "format '%s'", t->format ? t->format : "(null)");
    FZ_CHECK(strlen(t->hash) == 64 && strspn(t->hash, "0123456789abcdef") == 64, "hash '%s'", t->hash);
    for (int j = 0; j < t->ncols; j++) fz_check_column(t, j, format);
}

/* Reads the file with o; on success checks and returns the table (caller
 * frees), on failure checks the error and returns NULL. */
static rt_table *fz_read(fz_reader read, const rt_read_opts *o, const char *format)
{
    rt_table *t = NULL;
    ut_err e;
    ut_err_clear(&e);
    int rc = read(fz_path, o, &t, &e);
    if (rc == 0) {
        fz_check_table(t, format);
        return t;
    }
    FZ_CHECK(rc == -1, "reader returned %d", rc);
    FZ_CHECK(t == NULL, "table set on error");
    FZ_CHECK(e.msg[0] != '\0', "error without a message");
    FZ_CHECK(e.code == MLG_DATA || e.code == MLG_NOMEM, "error code %d: %s", e.code, e.msg);
    FZ_CHECK(strncmp(e.msg, fz_path, strlen(fz_path)) == 0, "message does not name the file: %s", e.msg);
    return NULL;
}

static int fz_run(const char *name, const char *suffix, fz_reader read, const char *format,
                  const uint8_t *data, size_t size)
{
    if (!fz_path[0]) fz_setup(name, suffix);
    FILE *f = fopen(fz_path, "wb");
    FZ_CHECK(f != NULL, "cannot write %s", fz_path);
    FZ_CHECK(size == 0 || fwrite(data, 1, size, f) == size, "short write to %s", fz_path);
    FZ_CHECK(fclose(f) == 0, "cannot write %s", fz_path);

    rt_read_opts o;
    rt_read_opts_default(&o);
    rt_table *base = fz_read(read, &o, format);

    /* the same bytes read the same way again give the same identity */
    if (base) {
        rt_table *again = fz_read(read, &o, format);
        FZ_CHECK(again && !strcmp(again->hash, base->hash) && again->nrows == base->nrows &&
                 again->ncols == base->ncols, "a second read differs");
        rt_table_free(again);
    }

    rt_read_opts v = o;
    v.header = 0;
    rt_table *t = fz_read(read, &v, format);
    if (t && base) FZ_CHECK(strcmp(t->hash, base->hash) != 0, "header=0 gives the same hash");
    rt_table_free(t);

    v = o;
    v.delimiter = ';';
    t = fz_read(read, &v, format);
    if (t && base) FZ_CHECK(strcmp(t->hash, base->hash) != 0, "delimiter ';' gives the same hash");
    rt_table_free(t);

    static const char *const na[] = {"-", "x", "", "0"};
    v = o;
    v.na = na;
    v.nna = 4;
    t = fz_read(read, &v, format);
    rt_table_free(t);

    rt_table_free(base);
    return 0;
}

#endif
