/* arff.c — ARFF reader (Weka/OpenML): @relation, @attribute with numeric,
 * real, integer, string, date and {nominal} types, @data in dense or sparse
 * ({index value, ...}) rows, % comments, '...' / "..." quoting with backslash
 * escapes, '?' for missing.  Like csv.c it splits the buffer in place and
 * hands the cells to table.c. */
#include "table.h"
#include "../include/mileage.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *path;
    int ncols, acap;
    char **names;            /* pointers into the buffer */
    rt_colspec *spec;        /* spec[j].values: malloc'd array into the buffer */
    char **cells;
    size_t ncells, ccap;
    int *lines;
    int nrows, lcap;
} arff_ctx;

static void skip_space(char **pp)
{
    while (**pp == ' ' || **pp == '\t') (*pp)++;
}

/* One value of a NUL-terminated line, unescaped and NUL-terminated in place.
 * Stops (unquoted) at NUL or any char of stops.  Returns the stop char
 * (0 at end of line) and leaves *pp past it; -1 for an unterminated quote,
 * -2 for text after a closing quote. */
static int token(char **pp, const char *stops, char **out, int *quoted)
{
    char *p = *pp;
    skip_space(&p);
    *quoted = 0;
    char *start = p, *w = p;
    if (*p == '\'' || *p == '"') {
        char q = *p++;
        *quoted = 1;
        for (;;) {
            if (!*p) return -1;
            if (*p == q) { p++; break; }
            if (*p == '\\' && p[1]) {
                p++;
                switch (*p) {
                case 'n': *w++ = '\n'; break;
                case 't': *w++ = '\t'; break;
                case 'r': *w++ = '\r'; break;
                default:  *w++ = *p; break;
                }
                p++;
                continue;
            }
            *w++ = *p++;
        }
        if (*p && !strchr(stops, *p)) {
            skip_space(&p);
            if (*p && !strchr(stops, *p)) return -2;
        }
    } else {
        while (*p && !strchr(stops, *p)) p++;
        w = p;
        while (w > start && (w[-1] == ' ' || w[-1] == '\t')) w--;
    }
    int stop = (unsigned char)*p;
    *w = '\0';
    *pp = stop ? p + 1 : p;
    *out = start;
    return stop;
}

/* "@attribute" etc.: case-insensitive keyword followed by space or end. */
static int starts_kw(const char *s, const char *kw)
{
    size_t n = strlen(kw);
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)s[i]) != kw[i]) return 0;
    return s[n] == '\0' || s[n] == ' ' || s[n] == '\t' || s[n] == '{';
}

static int oom(arff_ctx *c, ut_err *e)
{
    return ut_errf(e, MLG_NOMEM, "%s: out of memory", c->path);
}

/* {a, b, 'c d'} → spec values (pointers into the line).  p points at the
 * brace position; only p+1 onwards is read. */
static int parse_nominal(arff_ctx *c, char *p, int line, rt_colspec *sp, ut_err *e)
{
    char *close = NULL;
    int inq = 0;
    for (char *q = p + 1; *q; q++) {
        if (inq && *q == '\\' && q[1]) { q++; continue; }
        if (*q == '\'' || *q == '"') inq = inq == *q ? 0 : (inq ? inq : *q);
        else if (!inq && *q == '}') { close = q; break; }
    }
    if (!close) return ut_errf(e, MLG_DATA, "%s:%d: nominal values without a closing '}'", c->path, line);
    *close = '\0';
    p++;
    int cap = 8;
    sp->mode = RT_SPEC_NOMINAL;
    sp->values = malloc(sizeof(char *) * (size_t)cap);
    if (!sp->values) return oom(c, e);
    for (;;) {
        char *v;
        int quoted;
        skip_space(&p);
        if (!*p && sp->nvalues == 0) break;   /* {} */
        int stop = token(&p, ",", &v, &quoted);
        if (stop < 0) return ut_errf(e, MLG_DATA, "%s:%d: bad quoting in nominal values", c->path, line);
        if (sp->nvalues == cap) {
            char **n = realloc(sp->values, sizeof(char *) * (size_t)(cap *= 2));
            if (!n) return oom(c, e);
            sp->values = n;
        }
        sp->values[sp->nvalues++] = v;
        if (!stop) break;
    }
    for (int i = 0; i < sp->nvalues; i++)
        for (int k = 0; k < i; k++)
            if (strcmp(sp->values[i], sp->values[k]) == 0)
                return ut_errf(e, MLG_DATA, "%s:%d: nominal value '%.60s' declared twice",
                               c->path, line, sp->values[i]);
    return 0;
}

static int parse_attribute(arff_ctx *c, char *p, int line, ut_err *e)
{
    if (c->ncols == c->acap) {
        int na = c->acap ? c->acap * 2 : 16;
        char **nn = realloc(c->names, sizeof(char *) * (size_t)na);
        if (!nn) return oom(c, e);
        c->names = nn;
        rt_colspec *ns = realloc(c->spec, sizeof(rt_colspec) * (size_t)na);
        if (!ns) return oom(c, e);
        c->spec = ns;
        c->acap = na;
    }
    int j = c->ncols;
    rt_colspec *sp = &c->spec[j];
    memset(sp, 0, sizeof *sp);
    c->names[j] = NULL;
    c->ncols++;
    char *name;
    int quoted, stop = token(&p, " \t{", &name, &quoted);
    if (stop < 0 || !name[0])
        return ut_errf(e, MLG_DATA, "%s:%d: bad @attribute name", c->path, line);
    c->names[j] = name;
    int brace = stop == '{';   /* "name{a,b}": the brace became name's NUL */
    for (int i = 0; i < j; i++)
        if (strcmp(c->names[i], name) == 0)
            return rt_tbl_field_err(e, c->path, line, j, name, "duplicate attribute name");
    if (brace) return parse_nominal(c, p - 1, line, sp, e);
    skip_space(&p);
    char *end = p + strlen(p);
    while (end > p && (end[-1] == ' ' || end[-1] == '\t')) *--end = '\0';
    if (*p == '{') return parse_nominal(c, p, line, sp, e);
    if (starts_kw(p, "numeric") || starts_kw(p, "real") || starts_kw(p, "integer"))
        sp->mode = RT_SPEC_NUMERIC;
    else if (starts_kw(p, "string") || starts_kw(p, "date"))
        sp->mode = RT_SPEC_STRING;   /* dates are kept as strings */
    else if (!*p)
        return ut_errf(e, MLG_DATA, "%s:%d: attribute '%s' has no type", c->path, line, name);
    else
        return ut_errf(e, MLG_DATA, "%s:%d: unsupported attribute type '%.40s' for '%s'",
                       c->path, line, p, name);
    return 0;
}

static int push_row(arff_ctx *c, int line, ut_err *e)
{
    if (c->ncells + (size_t)c->ncols > c->ccap) {
        size_t nc = c->ccap ? c->ccap * 2 : 1024;
        while (nc < c->ncells + (size_t)c->ncols) nc *= 2;
        char **n = realloc(c->cells, sizeof(char *) * nc);
        if (!n) return oom(c, e);
        c->cells = n;
        c->ccap = nc;
    }
    if (c->nrows == c->lcap) {
        int nc = c->lcap ? c->lcap * 2 : 1024;
        int *n = realloc(c->lines, sizeof(int) * (size_t)nc);
        if (!n) return oom(c, e);
        c->lines = n;
        c->lcap = nc;
    }
    c->lines[c->nrows++] = line;
    c->ncells += (size_t)c->ncols;
    return 0;
}

static char *missing_or(char *v, int quoted)
{
    return !quoted && (v[0] == '\0' || strcmp(v, "?") == 0) ? NULL : v;
}

static int dense_row(arff_ctx *c, char *p, int line, char **row, ut_err *e)
{
    int n = 0;
    for (;;) {
        char *v;
        int quoted, stop = token(&p, ",", &v, &quoted);
        const char *nm = n < c->ncols ? c->names[n] : NULL;
        if (stop == -1) return rt_tbl_field_err(e, c->path, line, n, nm, "unterminated quoted value");
        if (stop == -2) return rt_tbl_field_err(e, c->path, line, n, nm, "text after a quoted value");
        if (n < c->ncols) row[n] = missing_or(v, quoted);
        n++;
        if (!stop) break;
    }
    if (n != c->ncols) {
        int idx = n < c->ncols ? n : c->ncols;
        return rt_tbl_field_err(e, c->path, line, idx, idx < c->ncols ? c->names[idx] : NULL,
                                "expected %d values, found %d", c->ncols, n);
    }
    return 0;
}

/* {index value, ...}: omitted values are 0, i.e. the first declared value
 * of a nominal attribute and missing for a string attribute. */
static int sparse_row(arff_ctx *c, char *p, int line, char **row, ut_err *e)
{
    static char zero[] = "0";
    for (int j = 0; j < c->ncols; j++) {
        const rt_colspec *sp = &c->spec[j];
        row[j] = sp->mode == RT_SPEC_NUMERIC ? zero
               : sp->mode == RT_SPEC_NOMINAL && sp->nvalues > 0 ? sp->values[0] : NULL;
    }
    p++;   /* '{' */
    char *close = strrchr(p, '}');
    if (!close) return ut_errf(e, MLG_DATA, "%s:%d: sparse row without a closing '}'", c->path, line);
    *close = '\0';
    for (;;) {
        skip_space(&p);
        if (!*p) break;
        char *endp;
        long idx = strtol(p, &endp, 10);
        if (endp == p || (*endp != ' ' && *endp != '\t'))
            return ut_errf(e, MLG_DATA, "%s:%d: bad sparse entry '%.40s'", c->path, line, p);
        if (idx < 0 || idx >= c->ncols)
            return ut_errf(e, MLG_DATA, "%s:%d: sparse index %ld out of range (%d attributes)",
                           c->path, line, idx, c->ncols);
        p = endp;
        char *v;
        int quoted, stop = token(&p, ",", &v, &quoted);
        if (stop < 0)
            return rt_tbl_field_err(e, c->path, line, (int)idx, c->names[idx], "bad quoted value");
        row[idx] = missing_or(v, quoted);
        if (!stop) break;
    }
    return 0;
}

/* Next line as a C string (CR/LF stripped in place); NULL at the end. */
static char *next_line(char **pp, char *end, int *line)
{
    char *p = *pp;
    if (p >= end) return NULL;
    char *nl = memchr(p, '\n', (size_t)(end - p));
    char *stop = nl ? nl : end;
    *pp = nl ? nl + 1 : end;
    if (stop > p && stop[-1] == '\r') stop--;
    *stop = '\0';
    (*line)++;
    return p;
}

static int parse(arff_ctx *c, char *p, char *end, ut_err *e)
{
    int line = 0, in_data = 0, any = 0;
    char *s;
    while ((s = next_line(&p, end, &line))) {
        skip_space(&s);
        if (!*s || *s == '%') continue;
        any = 1;
        if (!in_data) {
            if (starts_kw(s, "@relation")) continue;
            if (starts_kw(s, "@attribute")) {
                if (parse_attribute(c, s + 10, line, e)) return -1;
                continue;
            }
            if (starts_kw(s, "@data")) {
                if (c->ncols == 0) return ut_errf(e, MLG_DATA, "%s:%d: @data before any @attribute", c->path, line);
                in_data = 1;
                continue;
            }
            return ut_errf(e, MLG_DATA, "%s:%d: expected @relation, @attribute or @data, found '%.40s'",
                           c->path, line, s);
        }
        if (push_row(c, line, e)) return -1;
        char **row = c->cells + c->ncells - c->ncols;
        if ((*s == '{' ? sparse_row(c, s, line, row, e) : dense_row(c, s, line, row, e))) return -1;
    }
    if (!any) return ut_errf(e, MLG_DATA, "%s: empty file", c->path);
    if (!in_data) return ut_errf(e, MLG_DATA, "%s: missing @data", c->path);
    if (c->nrows == 0) return ut_errf(e, MLG_DATA, "%s: no data rows", c->path);
    return 0;
}

int rt_read_arff(const char *path, const rt_read_opts *opts, rt_table **out, ut_err *e)
{
    *out = NULL;
    rt_read_opts def;
    rt_read_opts_default(&def);
    const rt_read_opts *o = opts ? opts : &def;
    char *buf;
    size_t len;
    if (rt_tbl_read_all(path, &buf, &len, e)) return -1;
    char hash[65];
    rt_tbl_hash(buf, len, o, hash);   /* before parsing rewrites the buffer */

    arff_ctx c;
    memset(&c, 0, sizeof c);
    c.path = path;
    char *p = buf;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) p += 3;
    int rc = parse(&c, p, buf + len, e);
    if (rc == 0) {
        rt_rawtable raw = { .path = path, .format = "arff", .nrows = c.nrows, .ncols = c.ncols, .names = c.names,
                             .spec = c.spec, .cells = c.cells, .lines = c.lines };
        rc = rt_tbl_build(&raw, hash, out, e);
    }
    for (int j = 0; j < c.ncols; j++) free(c.spec[j].values);
    free(c.spec);
    free(c.names);
    free(c.cells);
    free(c.lines);
    free(buf);
    return rc;
}
