/* test_truncation.c — every statement kind of the language, cut after each
 * of its tokens, must either be a valid statement or fail with a clear
 * error: a non-empty message, a byte offset inside the text (so the CLI
 * can print FILE:LINE:COL and a caret), and no crash or hang.
 *
 * The representatives below cover every statement kind and every clause
 * kind in grammar/ast_kinds.def (checked by parsing them: adding a kind
 * without a representative here fails the test).  Each truncation is run
 * through mlg_prepare (lexer, parser, compiler bound to a real catalog)
 * (and the ones that only read are stepped: SELECT errors come from
 * SQLite at that point), and the error is formatted by the CLI's own cli_print_error, whose
 * output must have the "FILE:L:C: error: MSG", source line and caret
 * shape.  MLG_TRUNC_VERBOSE=1 prints every rendered error. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mileage.h"
#include "grammar/ast.h"
#include "cli/cli.h"

#define DATA MLG_SOURCE_DIR "/data/"
#define GDATA MLG_SOURCE_DIR "/tests/golden/data/"

/* One valid statement (or several of one kind, to reach every clause) per
 * kind.  Multi-line ones check that line numbers follow the text. */
static const char *const reps[] = {
    "CREATE DATASET iris2 FROM '" DATA "iris.csv';",
    "CREATE DATASET semi FROM '" GDATA "semicolon.csv' WITH (delimiter = ';', header = true, na = 'NA|?');",
    "DROP DATASET iris;",
    "DROP DATASET iris CASCADE;",
    "DROP TASK flowers;",
    "SHOW DATASETS;",
    "SHOW TASKS;",
    "SHOW EXPERIMENTS;",
    "SHOW CACHE;",
    "CLEAR CACHE;",
    "SET cache_budget = '64MB';",
    "DESCRIBE iris;",
    "CREATE TASK t1 ON iris PREDICT target AS CLASSIFICATION METRIC accuracy, f1_macro\n"
    "  EVALUATE BY CV(3) SEED 7;",
    "CREATE TASK t2 ON iris PREDICT \"sepal length (cm)\" AS REGRESSION EVALUATE BY REPEATED CV(3, 2);",
    "CREATE TASK t3 ON sites PREDICT label EVALUATE BY FOLDS(site);",
    "CREATE TASK t4 ON sites PREDICT label EVALUATE BY TIME SPLIT ON day (3);",
    "CREATE TASK t5 ON iris PREDICT target EVALUATE BY HOLDOUT(0.25) SEED 3;",
    "EXPLORE flowers\n"
    "  USING logreg(C IN logspace(-2, 1, 4)), ridge(alpha IN {1, 100}), baseline,\n"
    "        knn(k IN 1..9 STEP 2, weights IN {uniform, distance}), tree(),\n"
    "        linsvm(C IN linspace(0.1, 1, 3))\n"
    "  PREPROCESS impute(median) ON all, standardize ON (\"sepal length (cm)\", \"petal width (cm)\"),\n"
    "             pca(k IN {1, 2})\n"
    "  SEARCH grid\n"
    "  TOP 3;",
    "EXPLORE risk USING ridge(alpha = 10) PREPROCESS impute(constant, value = -1) ON numeric, onehot(max_levels = 2) ON categorical;",
    "EXPLAIN EXPLORE flowers USING logreg(C = 1) PREPROCESS standardize;",
    "EXPLAIN ANALYZE EXPLORE flowers USING baseline;",
    "EXPLORE flowers USING baseline, knn(k IN {1, 3}) FRESH TOP 1;",
    "SET max_rows = 1000;",
    "SET sharing = off;",
    "SELECT family, count(*) AS n FROM runs WHERE status = 'ok'\n"
    "  GROUP BY family ORDER BY n DESC LIMIT 5;",
    "SELECT json_extract(params, '$.C') FROM configs;",
    "RESUME EXPERIMENT 1;",
    "EXPLORE flowers USING logreg(C IN [1e-3, 1e3] LOG), tree(max_depth IN [2, 8] INT)\n"
    "  SEARCH random(4) BUDGET 10 RUNS;",
    "EXPLORE flowers USING ridge(alpha IN [0.1, 10]) SEARCH halving(eta = 3) BUDGET 5 SECONDS;",
    "TRAIN logreg(C = 0.5) AS m1 ON flowers PREPROCESS standardize;",
    "TRAIN BEST FROM EXPERIMENT 1 AS m2;",
    "PREDICT USING m1 FROM '" DATA "iris.csv' INTO 'out.csv';",
    "DROP MODEL m1;",
    "EXPORT MODEL m1 TO 'm1.json';",
    "IMPORT MODEL m3 FROM 'm1.json';",
    "REPRODUCE RUN 1;",
    "REPRODUCE EXPERIMENT 1;",
    "BASELINE flowers;",
    "EXPLORE risk USING logreg(C IN {0.1, 1}), tree(max_depth = 8), knn\n"
    "  WITH INTENT interpretable, cost(fn = 5, fp = 1), robust_to_missing BUDGET 2 RUNS;",
    "SUGGEST CONFIGS FOR flowers LIMIT 3;",
    "SUGGEST PREPROCESS FOR flowers;",
    "EXPLORE flowers USING knn(k IN [1, 9] INT) SEARCH random(3) WARM START FROM SIMILAR 2 TOP 2;",
};
#define NREPS ((int)(sizeof reps / sizeof reps[0]))

static mlg_db *db;
static const char *current;   /* the text being prepared, for the alarm */

static void on_alarm(int sig)
{
    (void)sig;
    static const char m[] = "test_truncation: HANG (more than 20 s) preparing:\n";
    ssize_t w = write(2, m, sizeof m - 1);
    if (current) w = write(2, current, strlen(current));
    (void)w;
    _exit(2);
}

/* Where the tokens of a statement end: words, numbers, strings, quoted
 * names, '..' and single punctuation characters; comments are not used in
 * the representatives. */
static int token_ends(const char *s, int *ends, int max)
{
    int n = 0, i = 0, len = (int)strlen(s);
    while (i < len && n < max) {
        char c = s[i];
        if (c == ' ' || c == '\n' || c == '\t') { i++; continue; }
        int j = i + 1;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_') {
            while (j < len && (s[j] == '_' || (s[j] >= '0' && s[j] <= '9') ||
                               (s[j] >= 'A' && s[j] <= 'Z') || (s[j] >= 'a' && s[j] <= 'z'))) j++;
        } else if (c >= '0' && c <= '9') {
            while (j < len && s[j] >= '0' && s[j] <= '9') j++;
            if (j + 1 < len && s[j] == '.' && s[j + 1] >= '0' && s[j + 1] <= '9') {
                j++;
                while (j < len && s[j] >= '0' && s[j] <= '9') j++;
            }
            if (j < len && (s[j] == 'e' || s[j] == 'E')) {
                j++;
                if (j < len && (s[j] == '-' || s[j] == '+')) j++;
                while (j < len && s[j] >= '0' && s[j] <= '9') j++;
            }
        } else if (c == '\'' || c == '"') {
            while (j < len && !(s[j] == c && s[j + 1] != c)) j += (s[j] == c) ? 2 : 1;
            if (j < len) j++;
        } else if (c == '.' && s[j] == '.') {
            j++;
        }
        ends[n++] = j;
        i = j;
    }
    return n;
}

/* Statements that only read, so stepping them is harmless. */
static int reads_only(const char *s)
{
    return strncmp(s, "SELECT", 6) == 0 || strncmp(s, "SHOW", 4) == 0 ||
           strncmp(s, "DESCRIBE", 8) == 0 ||
           (strncmp(s, "EXPLAIN", 7) == 0 && !strstr(s, "ANALYZE"));
}

static int failures;
#define FAIL(...)                                                            \
    do {                                                                     \
        fprintf(stderr, "FAIL: " __VA_ARGS__);                               \
        fputc('\n', stderr);                                                 \
        failures++;                                                          \
    } while (0)

/* The CLI's rendering of the current error must read
 *   truncated.mql:L:C: error: MSG
 *       L | source line
 *         |     ^~~
 * with L >= 2 (the text starts with a comment line). */
static void check_rendering(const char *text, const char *shown)
{
    char *buf = NULL;
    size_t sz = 0;
    FILE *f = open_memstream(&buf, &sz);
    cli_print_error(db, "truncated.mql", text, 0, f);
    fclose(f);
    if (getenv("MLG_TRUNC_VERBOSE")) fputs(buf, stdout);
    int line = 0, col = 0, pos = 0;
    if (sscanf(buf, "truncated.mql:%d:%d: error: %n", &line, &col, &pos) != 2 || pos == 0) {
        FAIL("no FILE:LINE:COL in the error for [%s]:\n%s", shown, buf);
    } else if (line < 2 || col < 1) {
        FAIL("line %d col %d for [%s]:\n%s", line, col, shown, buf);
    } else {
        char *nl1 = strchr(buf, '\n');
        char *nl2 = nl1 ? strchr(nl1 + 1, '\n') : NULL;
        char *caret = nl2 ? strchr(nl2, '^') : NULL;
        if (nl1 == buf + pos) FAIL("empty message for [%s]", shown);
        char want[32];
        snprintf(want, sizeof want, "%5d | ", line);
        if (!nl1 || strncmp(nl1 + 1, want, strlen(want)) != 0)
            FAIL("no source line for [%s]:\n%s", shown, buf);
        if (!caret) {
            FAIL("no caret for [%s]:\n%s", shown, buf);
        } else {
            /* the caret stands under column col */
            const char *bar = strstr(nl2, "| ");
            int c = bar ? (int)(caret - (bar + 2)) + 1 : -1;
            if (c != col) FAIL("caret at column %d, not %d, for [%s]:\n%s", c, col, shown, buf);
        }
    }
    free(buf);
}

static int setup(const char *path)
{
    unlink(path);
    if (mlg_open(path, &db) != MLG_OK) return -1;
    static const char script[] =
        "CREATE DATASET iris FROM '" DATA "iris.csv';"
        "CREATE TASK flowers ON iris PREDICT target EVALUATE BY CV(3) SEED 1;"
        "CREATE DATASET credit FROM '" DATA "credit-g.csv';"
        "CREATE TASK risk ON credit PREDICT class EVALUATE BY CV(3) SEED 7;"
        "CREATE DATASET sites FROM '" GDATA "groups.csv';"
        "EXPLORE flowers USING baseline;";
    if (mlg_exec(db, script, NULL, NULL) != MLG_OK) {
        fprintf(stderr, "setup: %s\n", mlg_errmsg(db));
        return -1;
    }
    return 0;
}

/* Marks the AST kinds of n and everything under it. */
static void mark(const ast *n, int *seen)
{
    for (; n; n = n->next) {
        seen[n->kind] = 1;
        mark(n->a, seen);
        mark(n->b, seen);
        mark(n->c, seen);
    }
}

static void check_coverage(void)
{
    int seen[AST__COUNT] = {0};
    for (int r = 0; r < NREPS; r++) {
        ast *t = NULL;
        ut_err e;
        ut_err_clear(&e);
        if (gr_parse(reps[r], (int)strlen(reps[r]), 0, &t, &e) != 0) {
            FAIL("representative does not parse: %s (%s)", reps[r], e.msg);
            continue;
        }
        mark(t, seen);
        ast_free(t);
    }
    for (int k = 0; k < AST__COUNT; k++)
        if (!seen[k]) FAIL("no representative has a %s: add one to reps[]", ast_kind_names[k]);
}

int main(void)
{
    signal(SIGALRM, on_alarm);
    const char *path = "test_truncation.db";
    if (setup(path) != 0) return 1;
    check_coverage();

    static const char head[] = "-- truncated statement\n";
    int total = 0, valid = 0, errors = 0;
    for (int r = 0; r < NREPS; r++) {
        int ends[512];
        int nt = token_ends(reps[r], ends, 512);
        /* the whole representative must be valid, else it tests nothing */
        for (int t = 0; t <= nt; t++) {
            int cut = t < nt ? ends[t] : 0;   /* t == nt: the empty prefix is not interesting */
            if (t == nt) break;
            char *text = NULL;
            if (asprintf(&text, "%s%.*s", head, cut, reps[r]) < 0) return 1;
            current = text;
            alarm(20);
            mlg_stmt *st = NULL;
            const char *tail = NULL;
            int rc = mlg_prepare(db, text, -1, &st, &tail);
            alarm(0);
            total++;
            const char *shown = text + sizeof head - 1;
            if (rc == MLG_OK && st && reads_only(shown)) {
                /* SELECT reaches SQLite only when stepped: its errors
                 * (an incomplete WHERE, ...) need a location too */
                alarm(20);
                while ((rc = mlg_step(st)) == MLG_ROW) {}
                alarm(0);
                if (rc == MLG_DONE) rc = MLG_OK;
                mlg_finalize(st);
                st = NULL;
                if (rc == MLG_OK) valid++;
            } else if (rc == MLG_OK) {
                if (!st) FAIL("no statement and no error for [%s]", shown);
                valid++;
                mlg_finalize(st);
                st = NULL;
            }
            if (rc != MLG_OK) {
                errors++;
                const char *msg = mlg_errmsg(db);
                int off = mlg_error_offset(db);
                if (st) FAIL("a statement returned with error %d for [%s]", rc, shown);
                if (!msg || !msg[0]) FAIL("empty message (code %d) for [%s]", rc, shown);
                if (off < 0 || off > (int)strlen(text))
                    FAIL("no location (offset %d, code %d: %s) for [%s]", off, rc, msg, shown);
                else
                    check_rendering(text, shown);
                if (t == nt - 1) FAIL("the whole representative fails: %s: %s", shown, msg);
            }
            free(text);
        }
    }
    current = NULL;
    mlg_close(db);
    unlink(path);
    char p[64];
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
    printf("test_truncation: %d statements, %d truncations: %d valid, %d errors, %d failures\n",
           NREPS, total, valid, errors, failures);
    return failures ? 1 : 0;
}
