/* table.c — what the CSV and ARFF readers share: reading a file whole,
 * hashing it with the options, typing/encoding/profiling split cells, and the
 * table helpers (free, find, target kind and classes). */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "table.h"
#include "../include/mileage.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const default_na[] = { "NA", "N/A", "?", "nan", "NaN", "null", "NULL" };
#define NDEFAULT_NA ((int)(sizeof default_na / sizeof default_na[0]))

void rt_read_opts_default(rt_read_opts *o)
{
    o->header = 1;
    o->delimiter = ',';
    o->na = NULL;
    o->nna = 0;
    o->col_mode = NULL;
    o->col_mode_arg = NULL;
}

int rt_tbl_is_na(const char *s, const rt_read_opts *o)
{
    if (!s[0]) return 1;
    const char *const *na = default_na;
    int nna = NDEFAULT_NA;
    if (o && o->na) { na = o->na; nna = o->nna; }
    for (int i = 0; i < nna; i++)
        if (na[i] && na[i][0] == s[0] && strcmp(s, na[i]) == 0) return 1;
    return 0;
}

int rt_tbl_field_err(ut_err *e, const char *path, int line, int field,
                     const char *name, const char *fmt, ...)
{
    char msg[UT_ERRLEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (name)
        return ut_errf(e, MLG_DATA, "%s:%d: field %d ('%s'): %s", path, line, field + 1, name, msg);
    return ut_errf(e, MLG_DATA, "%s:%d: field %d: %s", path, line, field + 1, msg);
}

/* ---- reading and hashing ---- */

int rt_tbl_read_all(const char *path, char **buf, size_t *len, ut_err *e)
{
    *buf = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f) return ut_errf(e, MLG_DATA, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return ut_errf(e, MLG_DATA, "%s: is a directory", path);
    }
    /* Size from fstat when regular, but keep reading: pipes and growing files. */
    size_t cap = (st.st_size > 0 ? (size_t)st.st_size : 0) + 4096, n = 0;
    char *b = ut_malloc_big(cap + 1);
    if (!b) { fclose(f); return ut_errf(e, MLG_NOMEM, "%s: out of memory", path); }
    for (;;) {
        if (n == cap) {
            char *nb = realloc(b, cap * 2 + 1);
            if (!nb) { free(b); fclose(f); return ut_errf(e, MLG_NOMEM, "%s: out of memory", path); }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) break;
    }
    if (ferror(f)) {
        int err = errno;
        free(b);
        fclose(f);
        return ut_errf(e, MLG_DATA, "%s: cannot read: %s", path, strerror(err ? err : EIO));
    }
    fclose(f);
    b[n] = '\0';
    /* Text readers only: a NUL byte means binary data, and would also cut
     * the C strings the readers split the buffer into. */
    const char *z = memchr(b, '\0', n);
    if (z) {
        int line = 1;
        for (const char *p = b; p < z; p++) line += *p == '\n';
        free(b);
        return ut_errf(e, MLG_DATA, "%s:%d: binary data (NUL byte)", path, line);
    }
    *buf = b;
    *len = n;
    return 0;
}

void rt_tbl_hash(const char *buf, size_t len, const rt_read_opts *o, char out[65])
{
    ut_sha256 c;
    ut_sha256_init(&c);
    ut_sha256_update(&c, buf, len);
    /* Options change what the bytes mean, so they are part of the identity.
     * Length-prefixed strings keep the encoding unambiguous. */
    ut_buf b;
    ut_buf_init(&b);
    rt_read_opts d;
    rt_read_opts_default(&d);
    if (!o) o = &d;
    ut_buf_printf(&b, "\nmileage-read-opts header=%d delimiter=%d na=", o->header ? 1 : 0,
                  (int)(unsigned char)o->delimiter);
    const char *const *na = o->na ? o->na : default_na;
    int nna = o->na ? o->nna : NDEFAULT_NA;
    for (int i = 0; i < nna; i++)
        if (na[i]) ut_buf_printf(&b, "%zu:%s;", strlen(na[i]), na[i]);
    if (b.s) ut_sha256_update(&c, b.s, b.len);
    ut_buf_free(&b);
    ut_sha256_hex(&c, out);
}

/* ---- typing and encoding ---- */

/* Strict numeric parse: the whole string (spaces allowed around) must be a
 * decimal number; hex floats are refused so "0x1F" stays a string. */
/* Exact powers of ten: every one up to 1e22 is a double. */
static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                       1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* A plain decimal ([+-]digits[.digits][(e|E)[+-]digits], then only blanks)
 * whose digits make an integer m <= 2^53 and whose power of ten e is
 * within ±22: m and 10^|e| are both exact doubles, so one multiplication
 * or division rounds the exact value once, correctly — strtod's result,
 * bit for bit (Clinger's fast path).  Returns 0 for anything else: strtod
 * decides.  Most numbers in data files take this path, several times
 * faster than strtod. */
static int parse_plain(const char *s, double *v)
{
    int neg = *s == '-';
    if (*s == '-' || *s == '+') s++;
    uint64_t m = 0;
    int nd = 0, e10 = 0, any = 0;
    for (; *s >= '0' && *s <= '9'; s++, any = 1) {
        if (m == 0 && *s == '0') continue;   /* leading zeros */
        if (++nd > 19) return 0;
        m = m * 10 + (uint64_t)(*s - '0');
    }
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++, any = 1) {
            e10--;
            if (m == 0 && *s == '0') continue;
            if (++nd > 19) return 0;
            m = m * 10 + (uint64_t)(*s - '0');
        }
    }
    if (!any) return 0;
    if (*s == 'e' || *s == 'E') {
        s++;
        int eneg = *s == '-', ex = 0, edig = 0;
        if (*s == '-' || *s == '+') s++;
        for (; *s >= '0' && *s <= '9'; s++, edig++)
            if (ex < 10000) ex = ex * 10 + (*s - '0');
        if (!edig) return 0;
        e10 += eneg ? -ex : ex;
    }
    while (*s == ' ' || *s == '\t') s++;
    if (*s) return 0;
    if (m > ((uint64_t)1 << 53) || e10 < -22 || e10 > 22) return m == 0 ? (*v = neg ? -0.0 : 0.0, 1) : 0;
    double x = (double)m;
    x = e10 >= 0 ? x * pow10_exact[e10] : x / pow10_exact[-e10];
    *v = neg ? -x : x;
    return 1;
}

static int parse_num(const char *s, double *v)
{
    while (*s == ' ' || *s == '\t') s++;
    if (!*s) return 0;
    if (parse_plain(s, v)) return 1;
    const char *d = s + (*s == '+' || *s == '-');
    if (d[0] == '0' && (d[1] == 'x' || d[1] == 'X')) return 0;
    char *end;
    *v = strtod(s, &end);
    if (end == s) return 0;
    while (*end == ' ' || *end == '\t') end++;
    return *end == '\0';
}

typedef struct { const char *s; int row; } strrow;

static int cmp_strrow(const void *a, const void *b)
{
    const strrow *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static inline const char *cell(const rt_rawtable *raw, int r, int j)
{
    size_t i = (size_t)r * raw->ncols + (size_t)j;
    if (!raw->off) return raw->cells[i];
    return raw->off[i] == RT_CELL_NA ? NULL : raw->rowbase[r] + raw->off[i];
}
#define CELL(raw, r, j) cell((raw), (r), (j))

/* Columns that may be numeric, parsed together in one pass over the rows
 * (the cells of a row lie side by side; a pass per column would read the
 * whole text once per column).  A column stops being parsed at its first
 * value that is not a number. */
typedef struct {
    double *num;   /* NULL: not a candidate, or given up */
    int bad_row;   /* first row not a number, or -1 */
    int inf_row;   /* first infinite value, or -1 */
} num_cand;

static rt_spec_mode col_mode(const rt_rawtable *raw, int j)
{
    return raw->spec ? raw->spec[j].mode : RT_SPEC_INFER;
}

static int parse_candidates(const rt_rawtable *raw, num_cand *cand, ut_err *e)
{
    int n = raw->nrows, live = 0;
    for (int j = 0; j < raw->ncols; j++) {
        cand[j].bad_row = cand[j].inf_row = -1;
        rt_spec_mode m = col_mode(raw, j);
        if (m != RT_SPEC_INFER && m != RT_SPEC_NUMERIC) continue;
        if (!(cand[j].num = ut_malloc_big(sizeof(double) * (size_t)(n ? n : 1))))
            return ut_errf(e, MLG_NOMEM, "%s: out of memory", raw->path);
        live++;
    }
    for (int r = 0; r < n && live; r++)
        for (int j = 0; j < raw->ncols; j++) {
            num_cand *k = &cand[j];
            if (!k->num || k->bad_row >= 0) continue;
            const char *s = CELL(raw, r, j);
            double v;
            if (!s) {
                k->num[r] = NAN;
            } else if (!parse_num(s, &v)) {
                k->bad_row = r;
                free(k->num);   /* categorical, or an error: either way not these */
                k->num = NULL;
                live--;
            } else {
                if (isinf(v) && k->inf_row < 0) k->inf_row = r;
                k->num[r] = v;   /* a literal "nan" that is not an NA string is still missing */
            }
        }
    return 0;
}

/* Column j from its parse: 1 numeric (c->num takes the array), 0 not a
 * number somewhere (strict: the error instead), -1 error. */
static int take_numeric(const rt_rawtable *raw, int j, num_cand *k, int strict, rt_column *c, ut_err *e)
{
    if (k->bad_row >= 0) {
        if (!strict) return 0;
        return rt_tbl_field_err(e, raw->path, raw->lines[k->bad_row], j, raw->names[j], "non-numeric value '%.60s'",
                                CELL(raw, k->bad_row, j));
    }
    if (k->inf_row >= 0) {
        const char *s = CELL(raw, k->inf_row, j);
        while (*s == ' ' || *s == '\t') s++;
        return rt_tbl_field_err(e, raw->path, raw->lines[k->inf_row], j, raw->names[j], "infinite value '%.60s'", s);
    }
    c->type = RT_NUMERIC;
    c->num = k->num;
    k->num = NULL;
    return 1;
}

/* Sorted unique copies of vals into c->levels. */
static int set_levels(rt_column *c, char *const *vals, int n, const char *path, ut_err *e)
{
    char **lv = malloc(sizeof(char *) * (size_t)(n ? n : 1));
    if (!lv) return ut_errf(e, MLG_NOMEM, "%s: out of memory", path);
    int m = 0;
    for (int i = 0; i < n; i++) lv[m++] = (char *)vals[i];
    qsort(lv, (size_t)m, sizeof *lv, cmp_str);
    int u = 0;
    for (int i = 0; i < m; i++)
        if (u == 0 || strcmp(lv[u - 1], lv[i]) != 0) lv[u++] = lv[i];
    c->levels = lv;
    c->nlevels = 0;
    for (int i = 0; i < u; i++) {
        char *d = ut_strdup(lv[i]);
        if (!d) return ut_errf(e, MLG_NOMEM, "%s: out of memory", path);
        lv[i] = d;
        c->nlevels++;
    }
    return 0;
}

/* Categorical column from the data: sort (string,row) pairs once, the runs
 * give the levels in strcmp order and every row's code. */
static int build_categorical(const rt_rawtable *raw, int j, rt_column *c, ut_err *e)
{
    int n = raw->nrows;
    c->type = RT_CATEGORICAL;
    c->cat = malloc(sizeof(int) * (size_t)(n ? n : 1));
    strrow *sr = malloc(sizeof(strrow) * (size_t)(n ? n : 1));
    if (!c->cat || !sr) { free(sr); return ut_errf(e, MLG_NOMEM, "%s: out of memory", raw->path); }
    int m = 0;
    for (int r = 0; r < n; r++) {
        c->cat[r] = -1;
        if (CELL(raw, r, j)) { sr[m].s = CELL(raw, r, j); sr[m].row = r; m++; }
    }
    qsort(sr, (size_t)m, sizeof *sr, cmp_strrow);
    int nl = 0;
    for (int i = 0; i < m; i++)
        if (i == 0 || strcmp(sr[i - 1].s, sr[i].s) != 0) nl++;
    c->levels = calloc((size_t)(nl ? nl : 1), sizeof(char *));
    if (!c->levels) { free(sr); return ut_errf(e, MLG_NOMEM, "%s: out of memory", raw->path); }
    int code = -1;
    for (int i = 0; i < m; i++) {
        if (i == 0 || strcmp(sr[i - 1].s, sr[i].s) != 0) {
            code++;
            c->levels[code] = ut_strdup(sr[i].s);
            if (!c->levels[code]) { free(sr); return ut_errf(e, MLG_NOMEM, "%s: out of memory", raw->path); }
            c->nlevels = code + 1;
        }
        c->cat[sr[i].row] = code;
    }
    free(sr);
    return 0;
}

/* ARFF nominal: the declared values are the levels, whether used or not. */
static int build_nominal(const rt_rawtable *raw, int j, const rt_colspec *sp, rt_column *c, ut_err *e)
{
    int n = raw->nrows;
    c->type = RT_CATEGORICAL;
    if (set_levels(c, sp->values, sp->nvalues, raw->path, e)) return -1;
    c->cat = malloc(sizeof(int) * (size_t)(n ? n : 1));
    if (!c->cat) return ut_errf(e, MLG_NOMEM, "%s: out of memory", raw->path);
    for (int r = 0; r < n; r++) {
        const char *s = CELL(raw, r, j);
        c->cat[r] = -1;
        if (!s) continue;
        char **hit = bsearch(&s, c->levels, (size_t)c->nlevels, sizeof(char *), cmp_str);
        if (!hit)
            return rt_tbl_field_err(e, raw->path, raw->lines[r], j, raw->names[j],
                                    "value '%.60s' is not among the nominal values", s);
        c->cat[r] = (int)(hit - c->levels);
    }
    return 0;
}

/* Distinct values by open addressing on the bit patterns: linear time, where
 * sorting every column dominated the load of large files. */
/* count_distinct's hash table, made once for the table's longest column
 * and cleared per column (a table per column faulted in fresh pages each
 * time: most of a wide file's profiling). */
typedef struct {
    uint64_t *slot;
    unsigned char *used;
    size_t cap;
} distinct_ws;

static size_t distinct_cap(int m)
{
    size_t cap = 16;
    while (cap < (size_t)m * 2) cap <<= 1;
    return cap;
}

static long count_distinct(const double *v, int m, distinct_ws *ws)
{
    size_t cap = distinct_cap(m);
    if (!ws->slot || cap > ws->cap) {   /* no memory: sort a copy in place */
        double *s = (double *)v;
        qsort(s, (size_t)m, sizeof(double), cmp_double);
        long d = m > 0;
        for (int i = 1; i < m; i++) d += s[i] != s[i - 1];
        return d;
    }
    uint64_t *slot = ws->slot;
    unsigned char *used = ws->used;
    memset(used, 0, cap);
    long d = 0;
    for (int i = 0; i < m; i++) {
        double x = v[i] == 0 ? 0.0 : v[i];   /* -0.0 == 0.0 */
        uint64_t k;
        memcpy(&k, &x, sizeof k);
        k ^= k >> 33;   /* mix high bits (where doubles differ) into low ones */
        k *= 0xff51afd7ed558ccdull;
        k ^= k >> 33;
        size_t h = (size_t)k & (cap - 1);
        while (used[h] && slot[h] != k) h = (h + 1) & (cap - 1);
        if (!used[h]) { used[h] = 1; slot[h] = k; d++; }   /* k: mixed, still 1:1 */
    }
    return d;
}

static void profile_numeric(rt_column *c, int n, double *scratch, distinct_ws *ws)
{
    int m = 0;
    double sum = 0;
    c->min = c->max = c->mean = c->std = NAN;
    c->integral = 1;
    for (int r = 0; r < n; r++) {
        double v = c->num[r];
        if (isnan(v)) continue;
        if (m == 0 || v < c->min) c->min = v;
        if (m == 0 || v > c->max) c->max = v;
        if (v != floor(v)) c->integral = 0;
        sum += v;
        scratch[m++] = v;
    }
    c->missing = n - m;
    if (m == 0) { c->distinct = 0; return; }
    c->mean = sum / m;
    if (!isfinite(c->mean)) {   /* the sum overflowed: values near DBL_MAX */
        c->mean = 0;
        for (int i = 0; i < m; i++) c->mean += scratch[i] / m;
    }
    if (m >= 2) {
        double ss = 0;   /* two passes: stable for large offsets */
        for (int i = 0; i < m; i++) ss += (scratch[i] - c->mean) * (scratch[i] - c->mean);
        c->std = sqrt(ss / (m - 1));
    }
    c->distinct = count_distinct(scratch, m, ws);
}

static void profile_categorical(rt_column *c, int n, unsigned char *seen)
{
    c->min = c->max = c->mean = c->std = NAN;
    memset(seen, 0, (size_t)(c->nlevels ? c->nlevels : 1));
    c->missing = 0;
    c->distinct = 0;
    for (int r = 0; r < n; r++) {
        int k = c->cat[r];
        if (k < 0) { c->missing++; continue; }
        if (!seen[k]) { seen[k] = 1; c->distinct++; }
    }
}

static int build_column(const rt_rawtable *raw, int j, num_cand *k, rt_column *c, ut_err *e)
{
    rt_spec_mode mode = col_mode(raw, j);
    c->name = ut_strdup(raw->names[j]);
    if (!c->name) return ut_errf(e, MLG_NOMEM, "%s: out of memory", raw->path);
    switch (mode) {
    case RT_SPEC_INFER: {
        int r = take_numeric(raw, j, k, 0, c, e);
        if (r < 0) return -1;
        if (r == 0) return build_categorical(raw, j, c, e);
        return 0;
    }
    case RT_SPEC_NUMERIC: return take_numeric(raw, j, k, 1, c, e) < 0 ? -1 : 0;
    case RT_SPEC_NOMINAL: return build_nominal(raw, j, &raw->spec[j], c, e);
    case RT_SPEC_STRING:  return build_categorical(raw, j, c, e);
    }
    return ut_errf(e, MLG_ERROR, "%s: bad column spec", raw->path);
}

int rt_tbl_build(const rt_rawtable *raw, const char *hash, rt_table **out, ut_err *e)
{
    *out = NULL;
    rt_table *t = calloc(1, sizeof *t);
    if (!t) return ut_errf(e, MLG_NOMEM, "%s: out of memory", raw->path);
    t->nrows = raw->nrows;
    t->format = ut_strdup(raw->format);
    t->cols = calloc((size_t)(raw->ncols ? raw->ncols : 1), sizeof(rt_column));
    if (!t->format || !t->cols) {
        rt_table_free(t);
        return ut_errf(e, MLG_NOMEM, "%s: out of memory", raw->path);
    }
    snprintf(t->hash, sizeof t->hash, "%s", hash ? hash : "");
    int maxl = 1, rc = 0;
    num_cand *cand = calloc((size_t)(raw->ncols ? raw->ncols : 1), sizeof *cand);
    if (!cand) rc = ut_errf(e, MLG_NOMEM, "%s: out of memory", raw->path);
    if (!rc) rc = parse_candidates(raw, cand, e);
    /* column by column, as before the shared pass: the first column in
     * order with an error reports it */
    for (int j = 0; j < raw->ncols && !rc; j++) {
        t->ncols = j + 1;   /* so rt_table_free sees the partly built column */
        rc = build_column(raw, j, &cand[j], &t->cols[j], e);
        if (t->cols[j].nlevels > maxl) maxl = t->cols[j].nlevels;
    }
    for (int j = 0; cand && j < raw->ncols; j++) free(cand[j].num);
    free(cand);
    if (rc) {
        rt_table_free(t);
        return -1;
    }
    size_t sz = (size_t)(raw->nrows ? raw->nrows : 1) * sizeof(double);
    if ((size_t)maxl > sz) sz = (size_t)maxl;
    void *scratch = malloc(sz);
    if (!scratch) { rt_table_free(t); return ut_errf(e, MLG_NOMEM, "%s: out of memory", raw->path); }
    distinct_ws ws = {NULL, NULL, distinct_cap(raw->nrows)};
    ws.slot = ut_malloc_big(sizeof(uint64_t) * ws.cap);
    ws.used = ut_malloc_big(ws.cap);
    if (!ws.slot || !ws.used) {   /* count_distinct sorts instead */
        free(ws.slot);
        ws.slot = NULL;
    }
    for (int j = 0; j < raw->ncols; j++) {
        if (t->cols[j].type == RT_NUMERIC) profile_numeric(&t->cols[j], raw->nrows, scratch, &ws);
        else profile_categorical(&t->cols[j], raw->nrows, scratch);
    }
    free(ws.slot);
    free(ws.used);
    free(scratch);
    *out = t;
    return 0;
}

/* ---- public helpers ---- */

int rt_read_file(const char *path, const rt_read_opts *o, rt_table **out, ut_err *e)
{
    size_t n = strlen(path);
    if (n >= 5 && ut_strcasecmp(path + n - 5, ".arff") == 0) return rt_read_arff(path, o, out, e);
    return rt_read_csv(path, o, out, e);
}

void rt_table_free(rt_table *t)
{
    if (!t) return;
    for (int j = 0; j < t->ncols && t->cols; j++) {
        rt_column *c = &t->cols[j];
        free(c->name);
        free(c->num);
        free(c->cat);
        if (c->levels)
            for (int k = 0; k < c->nlevels; k++) free(c->levels[k]);
        free(c->levels);
    }
    free(t->cols);
    free(t->format);
    free(t);
}

typedef struct { const char *name; int index; } named_ix;

static int by_name_then_index(const void *a, const void *b)
{
    const named_ix *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

int rt_first_duplicate(char *const *names, int n)
{
    if (n < 2) return -1;
    named_ix *v = malloc((size_t)n * sizeof *v);
    if (!v) return -2;
    for (int i = 0; i < n; i++) v[i] = (named_ix){names[i], i};
    qsort(v, (size_t)n, sizeof *v, by_name_then_index);
    /* in each run of equal names the second index is the first repeat */
    int first = -1;
    for (int k = 1; k < n; k++)
        if (strcmp(v[k].name, v[k - 1].name) == 0 && (k < 2 || strcmp(v[k - 1].name, v[k - 2].name) != 0) &&
            (first < 0 || v[k].index < first))
            first = v[k].index;
    free(v);
    return first;
}

int rt_table_find(const rt_table *t, const char *name)
{
    if (!t || !name) return -1;
    /* Exact spelling first: real files have names differing only in case. */
    for (int j = 0; j < t->ncols; j++)
        if (strcmp(t->cols[j].name, name) == 0) return j;
    for (int j = 0; j < t->ncols; j++)
        if (ut_strcasecmp(t->cols[j].name, name) == 0) return j;
    return -1;
}

/* Distinct non-missing values of a numeric column, sorted; NULL on OOM. */
static double *sorted_distinct(const rt_column *c, int nrows, int *nd)
{
    double *v = malloc(sizeof(double) * (size_t)(nrows ? nrows : 1));
    if (!v) return NULL;
    int m = 0;
    for (int r = 0; r < nrows; r++)
        if (!isnan(c->num[r])) v[m++] = c->num[r];
    qsort(v, (size_t)m, sizeof(double), cmp_double);
    int u = 0;
    for (int i = 0; i < m; i++)
        if (u == 0 || v[u - 1] != v[i]) v[u++] = v[i];
    *nd = u;
    return v;
}

rt_kind rt_target_kind(const rt_column *c)
{
    if (c->type == RT_CATEGORICAL) return RT_CLASSIFICATION;
    if (c->integral && c->distinct >= 1 && c->distinct <= 20) return RT_CLASSIFICATION;
    return RT_REGRESSION;
}

int rt_target_classes(const rt_column *c, int nrows, int *out, int *nclasses,
                      char ***class_names, ut_err *e)
{
    if (class_names) *class_names = NULL;
    *nclasses = 0;
    if (c->type == RT_CATEGORICAL) {
        for (int r = 0; r < nrows; r++) out[r] = c->cat[r];
        *nclasses = c->nlevels;
        if (class_names) {
            char **nm = calloc((size_t)(c->nlevels ? c->nlevels : 1), sizeof(char *));
            if (!nm) return ut_errf(e, MLG_NOMEM, "out of memory");
            for (int k = 0; k < c->nlevels; k++) {
                nm[k] = ut_strdup(c->levels[k]);
                if (!nm[k]) {
                    for (int i = 0; i < k; i++) free(nm[i]);
                    free(nm);
                    return ut_errf(e, MLG_NOMEM, "out of memory");
                }
            }
            *class_names = nm;
        }
        return 0;
    }
    int nd;
    double *v = sorted_distinct(c, nrows, &nd);
    if (!v) return ut_errf(e, MLG_NOMEM, "out of memory");
    for (int r = 0; r < nrows; r++) {
        double x = c->num[r];
        if (isnan(x)) { out[r] = -1; continue; }
        double *hit = bsearch(&x, v, (size_t)nd, sizeof(double), cmp_double);
        out[r] = hit ? (int)(hit - v) : -1;
    }
    if (class_names) {
        char **nm = calloc((size_t)(nd ? nd : 1), sizeof(char *));
        if (!nm) { free(v); return ut_errf(e, MLG_NOMEM, "out of memory"); }
        for (int k = 0; k < nd; k++) {
            char tmp[64];
            snprintf(tmp, sizeof tmp, "%g", v[k]);
            nm[k] = ut_strdup(tmp);
            if (!nm[k]) {
                for (int i = 0; i < k; i++) free(nm[i]);
                free(nm);
                free(v);
                return ut_errf(e, MLG_NOMEM, "out of memory");
            }
        }
        *class_names = nm;
    }
    *nclasses = nd;
    free(v);
    return 0;
}
