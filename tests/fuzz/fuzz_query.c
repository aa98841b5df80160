/* fuzz_query.c — libFuzzer target: the input is query text.
 *
 * Every statement of the input is prepared (lexer, parser, compiler with
 * name binding against a real catalog, error positions), and the ones that
 * only read (SHOW, DESCRIBE, SELECT, plain EXPLAIN) are also stepped.  The
 * catalog is built once per process and never written afterwards, so every
 * input sees the same state and no input can start a long experiment.
 *
 * Built with -fsanitize=fuzzer for fuzzing, or linked with driver.c to
 * replay files in ctest. */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sqlite3.h>

#include "mileage.h"

#ifndef MLG_SOURCE_DIR
#error "MLG_SOURCE_DIR must name the source tree (for data/*.csv)"
#endif

/* A failed invariant is a finding: abort so libFuzzer (or the driver)
 * records the input. */
#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "fuzz_query: invariant failed: %s: ", #cond);    \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
            abort();                                                         \
        }                                                                    \
    } while (0)

static mlg_db *db;
static char db_path[4096];

/* User SQL reaches SQLite through SELECT; a recursive CTE or a large cross
 * join would run (and collect rows) without end.  The library's own limits
 * stop them (max_seconds through SQLite's progress handler, max_rows and
 * max_memory on the result; set below as the host's ceilings), and every
 * connection the catalog opens gets a value-length cap. */
#define MAX_CONNS 8
static sqlite3 *conns[MAX_CONNS];
static int nconns;

static int on_connection(sqlite3 *h, char **err, const void *api)
{
    (void)err;
    (void)api;
    if (nconns < MAX_CONNS) conns[nconns++] = h;
    return SQLITE_OK;
}

static void cleanup(void)
{
    /* the intermediate cache beside the temporary catalog goes with it */
    if (db) mlg_exec(db, "CLEAR CACHE;", NULL, NULL);
    mlg_close(db);
    db = NULL;
    if (db_path[0]) {
        char p[sizeof db_path + 8];
        unlink(db_path);
        snprintf(p, sizeof p, "%s-wal", db_path);
        unlink(p);
        snprintf(p, sizeof p, "%s-shm", db_path);
        unlink(p);
    }
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(db_path, sizeof db_path, "%s/mlg_fuzz_query_XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int fd = mkstemp(db_path);
    CHECK(fd >= 0, "cannot create a temporary catalog %s", db_path);
    close(fd);
    sqlite3_auto_extension((void (*)(void))on_connection);
    atexit(cleanup);
    int rc = mlg_open(db_path, &db);
    CHECK(rc == MLG_OK, "mlg_open: %s", db ? mlg_errmsg(db) : "no handle");
    /* The names most golden queries use, so fuzzed variants of them bind
     * and reach the deeper compiler checks; one finished experiment so
     * SHOW EXPERIMENTS and the runs view have rows. */
    static const char script[] =
        "CREATE DATASET iris FROM '" MLG_SOURCE_DIR "/data/iris.csv';"
        "CREATE TASK flowers ON iris PREDICT target EVALUATE BY CV(3) SEED 1;"
        "CREATE DATASET credit FROM '" MLG_SOURCE_DIR "/data/credit-g.csv';"
        "CREATE TASK risk ON credit PREDICT class METRIC accuracy EVALUATE BY CV(5) SEED 7;"
        "CREATE DATASET housing FROM '" MLG_SOURCE_DIR "/data/boston_housing.csv';"
        "CREATE TASK price ON housing PREDICT medv EVALUATE BY CV(3) SEED 1;"
        "EXPLORE flowers USING baseline, logreg(C IN {0.1, 1}) PREPROCESS standardize;";
    rc = mlg_exec(db, script, NULL, NULL);
    CHECK(rc == MLG_OK, "setup script: %s", mlg_errmsg(db));
    for (int i = 0; i < nconns; i++) sqlite3_limit(conns[i], SQLITE_LIMIT_LENGTH, 100000);
    mlg_limit(db, MLG_LIMIT_SECONDS, 1);
    mlg_limit(db, MLG_LIMIT_ROWS, 100000);
    mlg_limit(db, MLG_LIMIT_MEMORY, 64 << 20);
}

static int skip_blank(const char *s, int i, int n)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) i++;
    return i;
}

static int word_is(const char *s, int i, int n, const char *w)
{
    int k = (int)strlen(w);
    if (n - i < k || strncasecmp(s + i, w, (size_t)k) != 0) return 0;
    return i + k == n || !((s[i + k] >= 'A' && s[i + k] <= 'Z') || (s[i + k] >= 'a' && s[i + k] <= 'z') ||
                           (s[i + k] >= '0' && s[i + k] <= '9') || s[i + k] == '_');
}

/* Statements that only read: SHOW, DESCRIBE, SELECT and EXPLAIN without
 * ANALYZE (which runs the experiment).  "analyze" anywhere in an EXPLAIN
 * (it may follow a comment) is enough to leave it out. */
static int read_only(const char *sql)
{
    int n = (int)strlen(sql), i = skip_blank(sql, 0, n);
    if (word_is(sql, i, n, "SHOW") || word_is(sql, i, n, "DESCRIBE") || word_is(sql, i, n, "SELECT"))
        return 1;
    if (!word_is(sql, i, n, "EXPLAIN")) return 0;
    for (int j = i; j + 7 <= n; j++)
        if (strncasecmp(sql + j, "analyze", 7) == 0) return 0;
    return 1;
}

static void check_error(int rc, int len)
{
    const char *msg = mlg_errmsg(db);
    int off = mlg_error_offset(db), elen = mlg_error_length(db);
    CHECK(rc != MLG_OK && rc != MLG_ROW && rc != MLG_DONE, "rc %d", rc);
    CHECK(mlg_errcode(db) != MLG_OK, "errcode %d after rc %d", mlg_errcode(db), rc);
    CHECK(msg && msg[0], "empty message for rc %d", rc);
    CHECK(off == -1 || (off >= 0 && off <= len), "offset %d outside [0, %d]: %s", off, len, msg);
    CHECK(elen >= 0, "error length %d: %s", elen, msg);
}

static void step_all(mlg_stmt *st, int len)
{
    int rc, rows = 0;
    while ((rc = mlg_step(st)) == MLG_ROW) {
        int nc = mlg_column_count(st);
        CHECK(nc > 0, "a row with %d columns", nc);
        for (int i = 0; i < nc; i++) {
            const char *name = mlg_column_name(st, i), *text = mlg_column_text(st, i);
            int t = mlg_column_type(st, i);
            CHECK(name != NULL, "column %d has no name", i);
            CHECK(t >= MLG_NULL && t <= MLG_TEXT, "column type %d", t);
            CHECK(t == MLG_NULL || text != NULL, "column %d of type %d has no text", i, t);
            (void)mlg_column_double(st, i);
            (void)mlg_column_int(st, i);
        }
        (void)mlg_column_name(st, nc);   /* out of range: must not crash */
        (void)mlg_column_text(st, -1);
        rows++;
    }
    if (rc == MLG_DONE) {
        (void)mlg_stmt_message(st);
        /* a finished statement stays finished */
        CHECK(mlg_step(st) == MLG_DONE, "step after DONE");
    } else {
        /* offsets of run-time errors (SELECT) are still into the text
         * given to mlg_prepare */
        check_error(rc, len);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!db) setup();
    if (size > 1 << 20) return 0;
    /* exactly sized, not NUL-terminated: the library must honour n */
    char *text = malloc(size ? size : 1);
    if (!text) return 0;
    if (size) memcpy(text, data, size);

    const char *p = text;
    int left = (int)size;
    for (int guard = 0; left > 0 && guard < 10000; guard++) {
        mlg_stmt *st = NULL;
        const char *tail = NULL;
        int rc = mlg_prepare(db, p, left, &st, &tail);
        CHECK(tail >= p && tail <= p + left, "tail %td outside [0, %d]", tail - p, left);
        if (rc != MLG_OK) {
            CHECK(st == NULL, "statement set on error");
            check_error(rc, left);
        } else if (st) {
            const char *sql = mlg_sql(st);
            CHECK(sql != NULL, "no statement text");
            if (read_only(sql)) step_all(st, left);
            mlg_finalize(st);
        }
        if (tail == p) break;   /* no progress: nothing left to split off */
        left -= (int)(tail - p);
        p = tail;
    }

    /* the REPL's question, on a NUL-terminated copy */
    char *z = malloc(size + 1);
    if (z) {
        if (size) memcpy(z, data, size);
        z[size] = '\0';
        int c = mlg_complete(z);
        CHECK(c == 0 || c == 1, "mlg_complete returned %d", c);
        free(z);
    }
    free(text);
    return 0;
}
