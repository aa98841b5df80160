/* output.c — result tables as aligned text, CSV (RFC 4180) or JSON. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Display width of UTF-8 text: count code points, not bytes. */
static int width(const char *s)
{
    int w = 0;
    for (; s && *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80) w++;
    return w;
}

static void pad(FILE *f, int n)
{
    for (int i = 0; i < n; i++) fputc(' ', f);
}

static void rule(FILE *f, const int *w, int n)
{
    for (int i = 0; i < n; i++) {
        fputc('+', f);
        for (int k = 0; k < w[i] + 2; k++) fputc('-', f);
    }
    fputs("+\n", f);
}

typedef struct {
    int ncols, nrows, cap;
    char **cells;   /* nrows x ncols, NULL = SQL NULL */
    int *numeric;   /* per column: every value a number → right-align */
} grid;

static void grid_free(grid *g)
{
    for (long i = 0; i < (long)g->nrows * g->ncols; i++) free(g->cells[i]);
    free(g->cells);
    free(g->numeric);
}

/* Reads every row first: the table layout needs the column widths. */
static int collect(mlg_stmt *s, int rc, grid *g)
{
    g->ncols = mlg_column_count(s);
    g->numeric = calloc((size_t)g->ncols + 1, sizeof *g->numeric);
    for (int i = 0; i < g->ncols; i++) g->numeric[i] = 1;
    while (rc == MLG_ROW) {
        if (g->nrows == g->cap) {
            g->cap = g->cap ? g->cap * 2 : 32;
            g->cells = realloc(g->cells, (size_t)g->cap * (size_t)g->ncols * sizeof *g->cells);
            if (!g->cells) return MLG_NOMEM;
        }
        for (int i = 0; i < g->ncols; i++) {
            const char *t = mlg_column_text(s, i);
            int ty = mlg_column_type(s, i);
            if (ty == MLG_TEXT) g->numeric[i] = 0;
            g->cells[(size_t)g->nrows * g->ncols + i] = t ? strdup(t) : NULL;
        }
        g->nrows++;
        rc = mlg_step(s);
    }
    return rc;
}

static void print_table(mlg_stmt *s, grid *g, FILE *f)
{
    int *w = calloc((size_t)g->ncols + 1, sizeof *w);
    for (int i = 0; i < g->ncols; i++) w[i] = width(mlg_column_name(s, i));
    for (int r = 0; r < g->nrows; r++)
        for (int i = 0; i < g->ncols; i++) {
            const char *c = g->cells[(size_t)r * g->ncols + i];
            int cw = c ? width(c) : 4;
            if (cw > w[i]) w[i] = cw;
        }
    rule(f, w, g->ncols);
    for (int i = 0; i < g->ncols; i++) {
        const char *n = mlg_column_name(s, i);
        fprintf(f, "| %s", n);
        pad(f, w[i] - width(n) + 1);
    }
    fputs("|\n", f);
    rule(f, w, g->ncols);
    for (int r = 0; r < g->nrows; r++) {
        for (int i = 0; i < g->ncols; i++) {
            const char *c = g->cells[(size_t)r * g->ncols + i];
            if (!c) c = "NULL";
            fputs("| ", f);
            if (g->numeric[i]) pad(f, w[i] - width(c));
            fputs(c, f);
            if (!g->numeric[i]) pad(f, w[i] - width(c));
            fputc(' ', f);
        }
        fputs("|\n", f);
    }
    rule(f, w, g->ncols);
    fprintf(f, "(%d row%s)\n", g->nrows, g->nrows == 1 ? "" : "s");
    free(w);
}

static void csv_field(FILE *f, const char *c)
{
    if (!c) return;
    if (!strpbrk(c, ",\"\r\n")) {
        fputs(c, f);
        return;
    }
    fputc('"', f);
    for (; *c; c++) {
        if (*c == '"') fputc('"', f);
        fputc(*c, f);
    }
    fputc('"', f);
}

static void json_str(FILE *f, const char *c)
{
    fputc('"', f);
    for (; *c; c++) {
        unsigned char ch = (unsigned char)*c;
        if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
        else if (ch == '\n') fputs("\\n", f);
        else if (ch == '\t') fputs("\\t", f);
        else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
        else fputc(ch, f);
    }
    fputc('"', f);
}

int cli_print_result(cli_state *st, mlg_stmt *s, int rc, FILE *f)
{
    grid g = {0};
    rc = collect(s, rc, &g);
    if (g.ncols > 0 && (rc == MLG_DONE)) {
        if (st->mode == OUT_TABLE) {
            print_table(s, &g, f);
        } else if (st->mode == OUT_CSV) {
            for (int i = 0; i < g.ncols; i++) {
                if (i) fputc(',', f);
                csv_field(f, mlg_column_name(s, i));
            }
            fputc('\n', f);
            for (int r = 0; r < g.nrows; r++) {
                for (int i = 0; i < g.ncols; i++) {
                    if (i) fputc(',', f);
                    csv_field(f, g.cells[(size_t)r * g.ncols + i]);
                }
                fputc('\n', f);
            }
        } else {
            fputs("[", f);
            for (int r = 0; r < g.nrows; r++) {
                fputs(r ? ",\n {" : "{", f);
                for (int i = 0; i < g.ncols; i++) {
                    const char *c = g.cells[(size_t)r * g.ncols + i];
                    if (i) fputs(", ", f);
                    json_str(f, mlg_column_name(s, i));
                    fputs(": ", f);
                    if (!c) fputs("null", f);
                    else if (g.numeric[i]) fputs(c, f);
                    else json_str(f, c);
                }
                fputs("}", f);
            }
            fputs("]\n", f);
        }
    }
    grid_free(&g);
    if (rc == MLG_DONE && mlg_stmt_message(s)) fprintf(f, "%s\n", mlg_stmt_message(s));
    return rc;
}
