/* run.c — batch execution of query text and error display with a caret
 * under the offending token.  Errors are formatted here, once, at the edge. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* line/column (1-based; columns count characters) of byte offset off */
static void locate(const char *text, int off, int *line, int *col, const char **line_start)
{
    int l = 1, c = 1;
    const char *ls = text;
    for (int i = 0; i < off && text[i]; i++) {
        if (text[i] == '\n') {
            l++;
            c = 1;
            ls = text + i + 1;
        } else if (((unsigned char)text[i] & 0xC0) != 0x80) {
            c++;
        }
    }
    *line = l;
    *col = c;
    *line_start = ls;
}

/* Where the statement really starts: past blanks and comments. */
static int first_token(const char *text, int off)
{
    const char *p = text + off;
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n') p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            if (!e) break;
            p = e + 2;
        } else {
            break;
        }
    }
    return (int)(p - text);
}

void cli_print_error(mlg_db *db, const char *src, const char *text, int stmt_off, FILE *err)
{
    int off = mlg_error_offset(db), len = mlg_error_length(db);
    int line, col;
    fflush(stdout);  /* keep results and errors in order when both go to one file */
    const char *ls;
    if (off < 0) {
        /* no token to point at: name the statement's line */
        locate(text, first_token(text, stmt_off), &line, &col, &ls);
        fprintf(err, "%s:%d: error: %s\n", src, line, mlg_errmsg(db));
        return;
    }
    off += stmt_off;
    locate(text, off, &line, &col, &ls);
    fprintf(err, "%s:%d:%d: error: %s\n", src, line, col, mlg_errmsg(db));
    const char *le = strchr(ls, '\n');
    int ll = le ? (int)(le - ls) : (int)strlen(ls);
    if (ll > 0 && ls[ll - 1] == '\r') ll--;
    fprintf(err, "%5d | %.*s\n      | ", line, ll, ls);
    for (const char *p = ls; p < text + off; p++) {
        if (((unsigned char)*p & 0xC0) == 0x80) continue;
        fputc(*p == '\t' ? '\t' : ' ', err);
    }
    /* underline the token, but not past the end of its line */
    int room = (int)(ls + ll - (text + off));
    if (len > room) len = room;
    fputc('^', err);
    for (int i = 1; i < len; i++)
        if (((unsigned char)text[off + i] & 0xC0) != 0x80) fputc('~', err);
    fputc('\n', err);
}

int cli_run_text(cli_state *st, const char *src, const char *text)
{
    const char *p = text;
    while (*p) {
        mlg_stmt *s = NULL;
        const char *tail = NULL;
        double t0 = now();
        int rc = mlg_prepare(st->db, p, -1, &s, &tail);
        if (rc != MLG_OK) {
            cli_print_error(st->db, src, text, (int)(p - text), stderr);
            return 1;
        }
        if (!s) {
            p = tail;
            continue;
        }
        rc = mlg_step(s);
        if (rc == MLG_ROW || rc == MLG_DONE) rc = cli_print_result(st, s, rc, stdout);
        if (st->tty_progress) fputs("\r\033[K", stderr);
        fflush(stdout);
        if (rc != MLG_DONE) {
            cli_print_error(st->db, src, text, (int)(p - text), stderr);
            mlg_finalize(s);
            return 1;
        }
        if (st->timer) fprintf(stderr, "time: %.3f s\n", now() - t0);
        mlg_finalize(s);
        p = tail;
    }
    return 0;
}

int cli_run_file(cli_state *st, const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fprintf(stderr, "%s: error: is a directory\n", path);
        return 1;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "%s: error: cannot open: %s\n", path, strerror(errno));
        return 1;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            } else {
                buf = nb;
            }
        }
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "%s: error: out of memory\n", path);
        return 1;
    }
    buf[n] = 0;
    if (strlen(buf) != n) {
        fprintf(stderr, "%s: error: the file contains a NUL byte; is it a query file?\n", path);
        free(buf);
        return 1;
    }
    int rc = cli_run_text(st, path, buf);
    free(buf);
    return rc;
}
