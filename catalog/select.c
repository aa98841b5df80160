/* select.c — the user's read-only SQL over the catalog views.
 *
 * Two independent locks keep it read-only: an authorizer that admits only
 * reading actions (consulted while SQLite compiles the statement, and again
 * if it recompiles it after a schema change, so it stays installed until
 * the statement is finalized), and sqlite3_stmt_readonly on the result.
 * cat_select_limited also bounds its rows, result bytes and time, and
 * lets mlg_interrupt stop it. */
#include <stdio.h>
#include <string.h>

#include "cat_internal.h"

/* Functions that reach outside the database or change it.  Most are not
 * registered on our connection; they are listed so that a future build
 * with extensions loaded does not quietly admit them. */
static const char *const denied_functions[] = {
    "load_extension", "fts3_tokenizer", "readfile", "writefile", "edit",
    "zipfile", "sqlar_compress", "sqlar_uncompress", "shell_add_schema",
};

/* Introspection pragmas a table-valued function may run while the SELECT
 * steps (SELECT name FROM pragma_table_info('runs')): pure reads whatever
 * their argument.  PRAGMA statements themselves are always refused. */
static const char *const step_pragmas[] = {
    "table_info", "table_xinfo", "index_list", "index_info", "index_xinfo",
    "foreign_key_list", "collation_list", "function_list", "module_list", "pragma_list",
};

typedef struct {
    const cat_limits *lim;  /* NULL: none */
    double start;           /* ut_now() when the statement started */
    int stopped;            /* the progress handler stopped it: 1 time, 2 interrupt */
    int stepping;       /* 1 once the user's statement is compiled */
    char what[128];     /* first refused action, "" when none */
    char fallback[64];  /* a schema-table write seen first (see authorize) */
} auth_ctx;

static const char *action_name(int action, const char *a1)
{
    switch (action) {
    case SQLITE_INSERT: return "INSERT";
    case SQLITE_UPDATE: return "UPDATE";
    case SQLITE_DELETE: return "DELETE";
    case SQLITE_CREATE_INDEX: case SQLITE_CREATE_TEMP_INDEX: return "CREATE INDEX";
    case SQLITE_CREATE_TABLE: case SQLITE_CREATE_TEMP_TABLE:
        /* ANALYZE first creates its statistics table. */
        if (a1 && sqlite3_strnicmp(a1, "sqlite_stat", 11) == 0) return "ANALYZE";
        return "CREATE TABLE";
    case SQLITE_CREATE_TRIGGER: case SQLITE_CREATE_TEMP_TRIGGER: return "CREATE TRIGGER";
    case SQLITE_CREATE_VIEW: case SQLITE_CREATE_TEMP_VIEW: return "CREATE VIEW";
    case SQLITE_CREATE_VTABLE: return "CREATE VIRTUAL TABLE";
    case SQLITE_DROP_INDEX: case SQLITE_DROP_TEMP_INDEX: return "DROP INDEX";
    case SQLITE_DROP_TABLE: case SQLITE_DROP_TEMP_TABLE: return "DROP TABLE";
    case SQLITE_DROP_TRIGGER: case SQLITE_DROP_TEMP_TRIGGER: return "DROP TRIGGER";
    case SQLITE_DROP_VIEW: case SQLITE_DROP_TEMP_VIEW: return "DROP VIEW";
    case SQLITE_DROP_VTABLE: return "DROP VIRTUAL TABLE";
    case SQLITE_ATTACH: return "ATTACH";
    case SQLITE_DETACH: return "DETACH";
    case SQLITE_ALTER_TABLE: return "ALTER TABLE";
    case SQLITE_REINDEX: return "REINDEX";
    case SQLITE_ANALYZE: return "ANALYZE";
    case SQLITE_SAVEPOINT: return "SAVEPOINT";
    case SQLITE_TRANSACTION: return a1 ? a1 : "a transaction";   /* BEGIN/COMMIT/ROLLBACK */
    default: return "this statement";
    }
}

static int authorize(void *arg, int action, const char *a1, const char *a2,
                     const char *dbname, const char *inner)
{
    (void)dbname;
    (void)inner;
    auth_ctx *c = arg;
    switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_RECURSIVE:
        return SQLITE_OK;
    case SQLITE_FUNCTION:
        for (size_t i = 0; i < sizeof denied_functions / sizeof *denied_functions; i++) {
            if (a2 && sqlite3_stricmp(a2, denied_functions[i]) == 0) {
                if (!c->what[0]) snprintf(c->what, sizeof c->what, "function %s", denied_functions[i]);
                return SQLITE_DENY;
            }
        }
        return SQLITE_OK;
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
        /* DDL (CREATE, DROP, ANALYZE) first asks to write sqlite_master or
         * sqlite_stat1 and only then for its own action; let that pass so
         * the message names the statement the user wrote.  The DDL action
         * itself is refused next, and sqlite3_stmt_readonly backs it up. */
        if (a1 && sqlite3_strnicmp(a1, "sqlite_", 7) == 0) {
            if (!c->fallback[0]) snprintf(c->fallback, sizeof c->fallback, "%s", action_name(action, a1));
            return SQLITE_OK;
        }
        if (!c->what[0]) snprintf(c->what, sizeof c->what, "%s", action_name(action, a1));
        return SQLITE_DENY;
    case SQLITE_PRAGMA:
        if (c->stepping && a1)
            for (size_t i = 0; i < sizeof step_pragmas / sizeof *step_pragmas; i++)
                if (sqlite3_stricmp(a1, step_pragmas[i]) == 0) return SQLITE_OK;
        if (!c->what[0]) snprintf(c->what, sizeof c->what, "PRAGMA%s%s", a1 ? " " : "", a1 ? a1 : "");
        return SQLITE_DENY;
    default:
        if (!c->what[0]) snprintf(c->what, sizeof c->what, "%s", action_name(action, a1));
        return SQLITE_DENY;
    }
}

/* Called by SQLite every 1000 VM instructions: a runaway SELECT (a
 * recursive CTE without end, a huge cross join counted in one row) stops
 * here even when it returns no row. */
static int on_progress(void *arg)
{
    auth_ctx *c = arg;
    if (c->lim->interrupted && *c->lim->interrupted) {
        c->stopped = 2;
        return 1;
    }
    if (c->lim->max_seconds > 0 && ut_now() - c->start > (double)c->lim->max_seconds) {
        c->stopped = 1;
        return 1;
    }
    return 0;
}

static int stopped(auth_ctx *c, ut_err *e)
{
    e->offset = -1;
    e->length = 0;
    if (c->stopped == 2) return ut_errf(e, MLG_INTERRUPT, "interrupted");
    return ut_errf(e, MLG_DENIED, "SELECT stopped: it ran longer than max_seconds = %lld",
                   c->lim->max_seconds);
}

static int denied(ut_err *e, const char *what)
{
    e->offset = -1;
    e->length = 0;
    return ut_errf(e, MLG_DENIED, "SELECT is read-only: %s is not allowed", what);
}

/* Is anything but blanks, comments and empty statements left after the
 * first statement?  Asks SQLite's own tokenizer by compiling the rest. */
static int rest_is_empty(cat_db *db, const char *tail)
{
    while (*tail) {
        sqlite3_stmt *st = NULL;
        const char *next = NULL;
        int rc = sqlite3_prepare_v2(db->h, tail, -1, &st, &next);
        sqlite3_finalize(st);
        if (rc != SQLITE_OK || st) return 0;
        if (!next || next == tail) break;
        tail = next;
    }
    return 1;
}

/* Byte offset of the first non-blank character at or after p. */
static int skip_blank(const char *sql, const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == ';') p++;
    return (int)(p - sql);
}

/* Byte offset and length of the last token of sql (blanks and ';' at the
 * end skipped; a word, or else one character). */
static int last_token(const char *sql, int *len)
{
    int end = (int)strlen(sql);
    while (end > 0 && (sql[end - 1] == ' ' || sql[end - 1] == '\t' || sql[end - 1] == '\n' ||
                       sql[end - 1] == '\r' || sql[end - 1] == ';'))
        end--;
    int start = end;
    while (start > 0) {
        unsigned char c = (unsigned char)sql[start - 1];
        if (!(c == '_' || c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
              (c >= 'a' && c <= 'z')))
            break;
        start--;
    }
    if (start == end && end > 0) start = end - 1;
    *len = end - start;
    return start;
}

static int run_select(cat_db *db, auth_ctx *ctx, const char *sql, ut_result **out, ut_err *e)
{
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v2(db->h, sql, -1, &st, &tail);
    if (rc != SQLITE_OK) {
        /* A refused function fails as SQLITE_ERROR, not SQLITE_AUTH: any
         * failure after a refusal is that refusal. */
        if (ctx->stopped) return stopped(ctx, e);
        if (ctx->what[0]) return denied(e, ctx->what);
        if (ctx->fallback[0]) return denied(e, ctx->fallback);  /* "sqlite_master may not be modified" */
        if ((rc & 0xff) == SQLITE_NOMEM) return ut_errf(e, MLG_NOMEM, "out of memory");
        e->offset = sqlite3_error_offset(db->h);
        e->length = 0;
        if (e->offset < 0 && strcmp(sqlite3_errmsg(db->h), "incomplete input") == 0) {
            /* SQLite gives no position: point at the last token, as the
             * parser does for the other statements cut short */
            e->offset = last_token(sql, &e->length);
            return ut_errf(e, MLG_ERROR, "incomplete input: the SELECT ends too early");
        }
        return ut_errf(e, MLG_ERROR, "%s", sqlite3_errmsg(db->h));
    }
    if (!st) return ut_errf(e, MLG_ERROR, "empty SELECT statement");

    rc = -1;
    if (!rest_is_empty(db, tail)) {
        e->offset = skip_blank(sql, tail);
        e->length = 0;
        ut_errf(e, MLG_ERROR, "only one statement is allowed");
    } else if (!sqlite3_stmt_readonly(st)) {
        denied(e, ctx->what[0] ? ctx->what
                  : ctx->fallback[0] ? ctx->fallback : "a statement that writes");
    } else {
        ctx->stepping = 1;
        const cat_limits *l = ctx->lim;
        if (cat_collect_limited(db, st, l ? l->max_rows : 0, l ? l->max_memory : 0, out, e) == 0) {
            rc = 0;
        } else if (ctx->stopped) {
            stopped(ctx, e);
        } else if (ctx->what[0]) {      /* e.g. a table-valued pragma refused */
            denied(e, ctx->what);
        } else {
            e->offset = -1;
            if (e->code == MLG_CATALOG) e->code = MLG_ERROR;
        }
    }
    sqlite3_finalize(st);
    return rc;
}

int cat_select_limited(cat_db *db, const char *sql, const cat_limits *lim, ut_result **out, ut_err *e)
{
    *out = NULL;
    if (!sql) return ut_errf(e, MLG_MISUSE, "no SQL text");
    auth_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.lim = lim;
    ctx.start = ut_now();
    sqlite3_set_authorizer(db->h, authorize, &ctx);
    if (lim && (lim->max_seconds > 0 || lim->interrupted))
        sqlite3_progress_handler(db->h, 1000, on_progress, &ctx);
    /* one value may not outgrow max_memory either (SQLite builds it before
     * the row is seen) */
    int old_len = sqlite3_limit(db->h, SQLITE_LIMIT_LENGTH, -1);
    if (lim && lim->max_memory > 0 && lim->max_memory < old_len)
        sqlite3_limit(db->h, SQLITE_LIMIT_LENGTH, (int)lim->max_memory);
    int rc = run_select(db, &ctx, sql, out, e);
    if (rc && lim && lim->max_memory > 0 && (sqlite3_errcode(db->h) & 0xff) == SQLITE_TOOBIG) {
        e->offset = -1;
        e->length = 0;
        ut_errf(e, MLG_DENIED, "SELECT result is larger than max_memory = %lld bytes", lim->max_memory);
    }
    sqlite3_limit(db->h, SQLITE_LIMIT_LENGTH, old_len);
    if (lim && (lim->max_seconds > 0 || lim->interrupted)) sqlite3_progress_handler(db->h, 0, NULL, NULL);
    sqlite3_set_authorizer(db->h, NULL, NULL);
    return rc;
}

int cat_select(cat_db *db, const char *sql, ut_result **out, ut_err *e)
{
    return cat_select_limited(db, sql, NULL, out, e);
}
