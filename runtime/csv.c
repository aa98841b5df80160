/* csv.c — RFC 4180 CSV reader.  The file is read whole and split in one pass,
 * unescaping quoted fields in place (an unescaped field is never longer than
 * its source), so a cell is just a pointer into the buffer; table.c then
 * types and profiles the columns. */
#include "table.h"
#include "../include/mileage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *path;
    const rt_read_opts *o;
    char *p, *end;
    int line;                 /* physical line of p, 1-based */
    char delim;
    char **names;             /* once the first record is read */
    int ncols;
    char **rec;               /* fields of the current record */
    int nrec, rcap;
    uint32_t *cells;          /* nrows * ncols offsets from the row's base */
    char **rowbase;           /* nrows: where each row's first field starts */
    size_t ncells, ccap;
    int *lines;
    int nrows, lcap;
} csv_ctx;

enum { FIELD_MORE = 0, FIELD_LAST = 1 };

/* Space for trimming; the delimiter itself never counts as space. */
static int is_space(const csv_ctx *c, char ch)
{
    return (ch == ' ' || ch == '\t') && ch != c->delim;
}

static const char *field_name(const csv_ctx *c, int idx)
{
    return c->names && idx < c->ncols ? c->names[idx] : NULL;
}

/* Consumes the record terminator at c->p (delimiter, CR, LF, CRLF or end). */
static int take_terminator(csv_ctx *c, char t)
{
    if (c->p >= c->end) return FIELD_LAST;
    if (t == c->delim) { c->p++; return FIELD_MORE; }
    if (t == '\r' && c->p + 1 < c->end && c->p[1] == '\n') c->p++;
    c->p++;
    c->line++;
    return FIELD_LAST;
}

/* One field: *out points at its NUL-terminated text inside the buffer.
 * Returns FIELD_MORE, FIELD_LAST or -1 (unterminated quote). */
static int parse_field(csv_ctx *c, int idx, char **out, int *quoted, ut_err *e)
{
    char *p = c->p, *end = c->end;
    while (p < end && is_space(c, *p)) p++;
    *quoted = 0;
    if (p < end && *p == '"') {
        int open_line = c->line;
        char *start = p, *w = p;
        p++;
        for (;;) {
            if (p >= end)
                return rt_tbl_field_err(e, c->path, open_line, idx,
                                        field_name(c, idx), "unterminated quoted field");
            char ch = *p;
            if (ch == '"') {
                if (p + 1 < end && p[1] == '"') { *w++ = '"'; p += 2; continue; }
                p++;
                break;
            }
            if (ch == '\n' || (ch == '\r' && !(p + 1 < end && p[1] == '\n'))) c->line++;
            *w++ = ch;
            p++;
        }
        /* Lenient like Python's csv: text after the closing quote is kept. */
        while (p < end && is_space(c, *p)) p++;
        while (p < end && *p != c->delim && *p != '\n' && *p != '\r') *w++ = *p++;
        char t = p < end ? *p : '\0';
        *w = '\0';
        c->p = p;
        *out = start;
        *quoted = 1;
        return take_terminator(c, t);
    }
    char *start = p;
    while (p < end && *p != c->delim && *p != '\n' && *p != '\r') p++;
    char *z = p;
    while (z > start && is_space(c, z[-1])) z--;
    char t = p < end ? *p : '\0';
    *z = '\0';   /* the buffer has a spare byte past end */
    c->p = p;
    *out = start;
    return take_terminator(c, t);
}

static int push_rec(csv_ctx *c, char *s, ut_err *e)
{
    if (c->nrec == c->rcap) {
        int nc = c->rcap ? c->rcap * 2 : 64;
        char **n = realloc(c->rec, sizeof(char *) * (size_t)nc);
        if (!n) return ut_errf(e, MLG_NOMEM, "%s: out of memory", c->path);
        c->rec = n;
        c->rcap = nc;
    }
    c->rec[c->nrec++] = s;
    return 0;
}

/* Reads the next non-blank record into c->rec.  Returns 1 when one was
 * read, 0 at end of file, -1 on error; *line = where it starts. */
static int next_record(csv_ctx *c, int *line, ut_err *e)
{
    for (;;) {
        if (c->p >= c->end) return 0;
        *line = c->line;
        c->nrec = 0;
        int r, idx = 0, quoted, anyq = 0;
        do {
            char *s = NULL;
            r = parse_field(c, idx, &s, &quoted, e);
            if (r < 0) return -1;
            anyq |= quoted;
            if (push_rec(c, s, e)) return -1;
            idx++;
        } while (r == FIELD_MORE);
        if (c->nrec == 1 && !anyq && c->rec[0][0] == '\0') continue;   /* blank line */
        return 1;
    }
}

static int push_row(csv_ctx *c, int line, ut_err *e)
{
    if (c->ncells + (size_t)c->ncols > c->ccap) {
        size_t nc = c->ccap ? c->ccap * 2 : 1024;
        while (nc < c->ncells + (size_t)c->ncols) nc *= 2;
        uint32_t *n = realloc(c->cells, sizeof *n * nc);
        if (!n) return ut_errf(e, MLG_NOMEM, "%s: out of memory", c->path);
        c->cells = n;
        c->ccap = nc;
    }
    if (c->nrows == c->lcap) {
        int nc = c->lcap ? c->lcap * 2 : 1024;
        int *n = realloc(c->lines, sizeof(int) * (size_t)nc);
        if (!n) return ut_errf(e, MLG_NOMEM, "%s: out of memory", c->path);
        c->lines = n;
        char **b = realloc(c->rowbase, sizeof(char *) * (size_t)nc);
        if (!b) return ut_errf(e, MLG_NOMEM, "%s: out of memory", c->path);
        c->rowbase = b;
        c->lcap = nc;
    }
    /* fields lie in the buffer in order, so the first is the lowest */
    char *base = c->ncols > 0 ? c->rec[0] : c->p;
    for (int j = 0; j < c->ncols; j++) {
        char *s = c->rec[j];
        if (rt_tbl_is_na(s, c->o)) {
            c->cells[c->ncells++] = RT_CELL_NA;
            continue;
        }
        if (s < base || (uint64_t)(s - base) >= RT_CELL_NA)
            return ut_errf(e, MLG_DATA, "%s:%d: record longer than 4 GiB", c->path, line);
        c->cells[c->ncells++] = (uint32_t)(s - base);
    }
    c->rowbase[c->nrows] = base;
    c->lines[c->nrows++] = line;
    return 0;
}

/* Column names from the header record, or col1..colN. */
static int set_names(csv_ctx *c, int header, int line, ut_err *e)
{
    c->ncols = c->nrec;
    c->names = calloc((size_t)c->ncols, sizeof(char *));
    if (!c->names) return ut_errf(e, MLG_NOMEM, "%s: out of memory", c->path);
    for (int j = 0; j < c->ncols; j++) {
        char tmp[32];
        const char *s = header ? c->rec[j] : "";
        if (!s[0]) { snprintf(tmp, sizeof tmp, "col%d", j + 1); s = tmp; }
        c->names[j] = ut_strdup(s);
        if (!c->names[j]) return ut_errf(e, MLG_NOMEM, "%s: out of memory", c->path);
    }
    int j = rt_first_duplicate(c->names, c->ncols);
    if (j == -2) return ut_errf(e, MLG_NOMEM, "%s: out of memory", c->path);
    if (j >= 0) return rt_tbl_field_err(e, c->path, line, j, c->names[j], "duplicate column name");
    return 0;
}

static int split(csv_ctx *c, int header, ut_err *e)
{
    int line, r;
    while ((r = next_record(c, &line, e)) == 1) {
        if (!c->names) {
            if (set_names(c, header, line, e)) return -1;
            if (header) continue;
        }
        if (c->nrec != c->ncols) {
            int idx = c->nrec < c->ncols ? c->nrec : c->ncols;
            return rt_tbl_field_err(e, c->path, line, idx, field_name(c, idx),
                                    "expected %d fields, found %d", c->ncols, c->nrec);
        }
        if (push_row(c, line, e)) return -1;
    }
    if (r < 0) return -1;
    if (!c->names) return ut_errf(e, MLG_DATA, "%s: empty file", c->path);
    if (c->nrows == 0) return ut_errf(e, MLG_DATA, "%s: no data rows", c->path);
    return 0;
}

int rt_read_csv(const char *path, const rt_read_opts *opts, rt_table **out, ut_err *e)
{
    *out = NULL;
    rt_read_opts def;
    rt_read_opts_default(&def);
    const rt_read_opts *o = opts ? opts : &def;
    char delim = o->delimiter ? o->delimiter : ',';
    if (delim == '"' || delim == '\n' || delim == '\r')
        return ut_errf(e, MLG_ERROR, "%s: invalid delimiter", path);

    char *buf;
    size_t len;
    if (rt_tbl_read_all(path, &buf, &len, e)) return -1;
    char hash[65];
    rt_tbl_hash(buf, len, o, hash);   /* before splitting rewrites the buffer */

    csv_ctx c;
    memset(&c, 0, sizeof c);
    c.path = path;
    c.o = o;
    c.p = buf;
    c.end = buf + len;
    c.line = 1;
    c.delim = delim;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) c.p += 3;

    int rc = split(&c, o->header, e);
    if (rc == 0) {
        rt_colspec *spec = NULL;
        if (o->col_mode && !(spec = calloc((size_t)(c.ncols ? c.ncols : 1), sizeof *spec)))
            rc = ut_errf(e, MLG_NOMEM, "%s: out of memory", path);
        for (int j = 0; spec && j < c.ncols; j++) spec[j].mode = (rt_spec_mode)o->col_mode(o->col_mode_arg, c.names[j]);
        rt_rawtable raw = { .path = path, .format = "csv", .nrows = c.nrows, .ncols = c.ncols, .names = c.names,
                             .spec = spec, .rowbase = c.rowbase, .off = c.cells, .lines = c.lines };
        if (rc == 0) rc = rt_tbl_build(&raw, hash, out, e);
        free(spec);
    }
    for (int j = 0; c.names && j < c.ncols; j++) free(c.names[j]);
    free(c.names);
    free(c.rec);
    free(c.cells);
    free(c.rowbase);
    free(c.lines);
    free(buf);
    return rc;
}
