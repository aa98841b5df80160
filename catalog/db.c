/* db.c — opening and closing the catalog, recognising what file it is,
 * connection settings (WAL, busy timeout, foreign keys), and the caller's
 * transactions (cat_begin/cat_commit/cat_rollback). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cat_internal.h"

/* What is already in the file, read before anything is written to it. */
typedef struct {
    int ntables;        /* rows of sqlite_master of type 'table' */
    int has_meta;       /* mlg_meta exists */
    int version;        /* PRAGMA user_version */
    char app[32];       /* mlg_meta application value ("" when absent) */
} probe;

/* Turns the first read of the file into a message about the file rather
 * than SQLite's terse one ("file is not a database"). */
static int read_err(cat_db *db, ut_err *e)
{
    int rc = sqlite3_errcode(db->h) & 0xff;
    const char *m = sqlite3_errmsg(db->h);
    if (rc == SQLITE_NOTADB)
        return ut_errf(e, MLG_CATALOG, "%s: not a mileage catalog (file is not a database)", db->path);
    if (rc == SQLITE_CORRUPT)
        return ut_errf(e, MLG_CATALOG, "%s: catalog is damaged (%s)", db->path, m);
    if (rc == SQLITE_NOMEM)
        return ut_errf(e, MLG_NOMEM, "out of memory");
    /* WAL needs to create PATH-shm beside the file even to read. */
    if (rc == SQLITE_READONLY)
        return ut_errf(e, MLG_CATALOG, "%s: catalog is read-only (file or its directory is not writable)",
                       db->path);
    return ut_errf(e, MLG_CATALOG, "%s: cannot read catalog (%s)", db->path, m);
}

static int read_probe(cat_db *db, probe *p, ut_err *e)
{
    memset(p, 0, sizeof *p);
    sqlite3_stmt *st = NULL;
    const char *sql =
        "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table'),"
        "       (SELECT count(*) FROM sqlite_master"
        "         WHERE type = 'table' AND name = 'mlg_meta'),"
        "       (SELECT user_version FROM pragma_user_version)";
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        read_err(db, e);
        sqlite3_finalize(st);
        return -1;
    }
    p->ntables = sqlite3_column_int(st, 0);
    p->has_meta = sqlite3_column_int(st, 1) > 0;
    p->version = sqlite3_column_int(st, 2);
    sqlite3_finalize(st);
    if (!p->has_meta) return 0;

    if (sqlite3_prepare_v2(db->h, "SELECT value FROM mlg_meta WHERE key = 'application'",
                           -1, &st, NULL) != SQLITE_OK) {
        read_err(db, e);
        return -1;
    }
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_text(st, 0)) {
        snprintf(p->app, sizeof p->app, "%s", (const char *)sqlite3_column_text(st, 0));
    } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        read_err(db, e);
        sqlite3_finalize(st);
        return -1;
    }
    sqlite3_finalize(st);
    return 0;
}

/* Refuses files that are not ours or are from a newer mileage. */
static int check_probe(cat_db *db, const probe *p, ut_err *e)
{
    if ((p->ntables > 0 && !p->has_meta) || (p->ntables == 0 && p->version != 0) ||
        (p->has_meta && strcmp(p->app, "mileage") != 0))
        return ut_errf(e, MLG_CATALOG,
                       "%s: not a mileage catalog (a SQLite database of another application)",
                       db->path);
    if (p->version > CAT_SCHEMA_VERSION)
        return ut_errf(e, MLG_CATALOG,
                       "%s: catalog schema version %d is newer than this mileage supports (%d)",
                       db->path, p->version, CAT_SCHEMA_VERSION);
    return 0;
}

/* SQLite's reason for a failed write, in the words cat_sqlerr uses. */
static const char *write_why(cat_db *db)
{
    switch (sqlite3_errcode(db->h) & 0xff) {
    case SQLITE_FULL: return "the disk is full";
    case SQLITE_READONLY: return "it is read-only";
    default: return sqlite3_errmsg(db->h);
    }
}

static int set_pragmas(cat_db *db, ut_err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db->h, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        ut_errf(e, MLG_CATALOG, "%s: cannot enable the WAL journal (%s)", db->path, write_why(db));
        sqlite3_finalize(st);
        return -1;
    }
    const char *mode = (const char *)sqlite3_column_text(st, 0);
    /* An in-memory catalog (tests) cannot use WAL and reports "memory". */
    int ok = mode && (strcmp(mode, "wal") == 0 || strcmp(mode, "memory") == 0);
    if (!ok)
        ut_errf(e, MLG_CATALOG, "%s: cannot enable the WAL journal (journal mode is %s)",
                db->path, mode ? mode : "unknown");
    sqlite3_finalize(st);
    if (!ok) return -1;
    if (sqlite3_exec(db->h, "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON",
                     NULL, NULL, NULL) != SQLITE_OK)
        return ut_errf(e, MLG_CATALOG, "%s: %s", db->path, sqlite3_errmsg(db->h));
    return 0;
}

/* Creates or upgrades the schema under a write lock.  The probe is read
 * again inside the transaction: another process may have created the
 * schema between our first look and taking the lock. */
static int ensure_schema(cat_db *db, ut_err *e)
{
    if (sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return ut_errf(e, MLG_CATALOG, "%s: cannot lock the catalog (%s)", db->path, write_why(db));
    probe p;
    int rc = read_probe(db, &p, e);
    if (rc == 0) rc = check_probe(db, &p, e);
    if (rc == 0 && p.version < CAT_SCHEMA_VERSION) {
        ut_err me;
        ut_err_clear(&me);
        rc = cat_migrate(db, p.version, &me);
        if (rc)
            ut_errf(e, me.code == MLG_NOMEM ? MLG_NOMEM : MLG_CATALOG,
                    "%s: cannot %s the catalog schema to version %d (%s)", db->path,
                    p.version == 0 ? "create" : "migrate", CAT_SCHEMA_VERSION, me.msg);
    }
    if (rc == 0 && sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = ut_errf(e, MLG_CATALOG, "%s: cannot write the catalog (%s)", db->path, write_why(db));
    if (rc && !sqlite3_get_autocommit(db->h))
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

/* Why the file could not be opened, in words the user can act on.  SQLite
 * retries read-only after a failed create, so its errno may say "no such
 * file" when the real cause is an unwritable directory: ask the OS. */
static const char *open_reason(cat_db *db, int rc, char *buf, size_t n)
{
    const char *slash = strrchr(db->path, '/');
    if (slash) snprintf(buf, n, "%.*s", (int)(slash - db->path) + (slash == db->path), db->path);
    else snprintf(buf, n, ".");
    if (access(buf, W_OK | X_OK) != 0) {
        int err = errno;
        snprintf(buf, n, "directory: %s", strerror(err));
        return buf;
    }
    int sys = db->h ? sqlite3_system_errno(db->h) : 0;
    if (sys) return strerror(sys);
    return db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc);
}

/* Opens db->h on db->path and applies the connection settings.  With
 * immutable, opens read-only as an unchanging file (no locks, no WAL
 * index): the only way SQLite reads a WAL database on read-only media
 * whose -wal and -shm files do not exist and cannot be created. */
static int open_handle(cat_db *db, const char *vfs, int immutable, ut_err *e)
{
    int rc;
    if (immutable) {
        /* a URI: percent-escape what would end the path part */
        ut_buf u;
        ut_buf_init(&u);
        ut_buf_printf(&u, "file:");
        for (const char *p = db->path; *p; p++) {
            if (*p == '?' || *p == '#' || *p == '%') ut_buf_printf(&u, "%%%02X", (unsigned char)*p);
            else ut_buf_printf(&u, "%c", *p);
        }
        ut_buf_printf(&u, "?immutable=1");
        char *uri = ut_buf_take(&u);
        if (!uri) return ut_errf(e, MLG_NOMEM, "out of memory");
        rc = sqlite3_open_v2(uri, &db->h, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, vfs);
        free(uri);
    } else {
        rc = sqlite3_open_v2(db->path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs);
    }
    if (rc != SQLITE_OK) {
        char why[512];
        return ut_errf(e, rc == SQLITE_NOMEM ? MLG_NOMEM : MLG_CATALOG, "%s: cannot open catalog (%s)",
                       db->path, open_reason(db, rc, why, sizeof why));
    }
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_busy_timeout(db->h, 10000);
    /* Defensive mode: no writable_schema, no shadow-table writes, even
     * through a clever SELECT. */
    sqlite3_db_config(db->h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
    sqlite3_db_config(db->h, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
    /* SQLite falls back to read-only when the file is not writable (a
     * read-only mount, a shared catalog we may only read).  Such a catalog
     * still answers SELECT, SHOW and DESCRIBE; every write is refused by
     * the write guard with a message that says why. */
    db->readonly = sqlite3_db_readonly(db->h, "main") == 1;
    return 0;
}

int cat_open(const char *path, cat_db **out, ut_err *e)
{
    *out = NULL;
    if (!path || !*path) return ut_errf(e, MLG_MISUSE, "catalog path is empty");
    cat_db *db = calloc(1, sizeof *db);
    if (!db || !(db->path = ut_strdup(path))) {
        free(db);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    const char *vfs = cat_fault_vfs(e);
    probe p;
    int rc = (vfs && !*vfs) ? -1 : open_handle(db, vfs, 0, e);
    if (rc == 0 && read_probe(db, &p, e)) {
        /* read-only media without the WAL's side files: read it as an
         * unchanging file */
        rc = -1;
        if (db->readonly && (sqlite3_errcode(db->h) & 0xff) == SQLITE_CANTOPEN) {
            sqlite3_close_v2(db->h);
            db->h = NULL;
            ut_err_clear(e);
            rc = open_handle(db, vfs, 1, e);
            if (rc == 0) rc = read_probe(db, &p, e);
        }
    }
    if (rc == 0) rc = check_probe(db, &p, e);
    if (rc == 0 && db->readonly) {
        /* nothing to set up, nothing to migrate, no orphans to mark */
        if (p.version < CAT_SCHEMA_VERSION) {
            if (p.version == 0)
                rc = ut_errf(e, MLG_CATALOG, "%s: catalog is read-only and empty (no mileage schema to read)",
                             path);
            else
                rc = ut_errf(e, MLG_CATALOG,
                             "%s: catalog is read-only and its schema version %d needs an upgrade to %d",
                             path, p.version, CAT_SCHEMA_VERSION);
        } else if (sqlite3_exec(db->h, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK) {
            rc = ut_errf(e, MLG_CATALOG, "%s: %s", path, sqlite3_errmsg(db->h));
        }
    } else if (rc == 0) {
        if (set_pragmas(db, e) || (p.version < CAT_SCHEMA_VERSION && ensure_schema(db, e)) ||
            cat_mark_orphans(db, e))
            rc = -1;
    }
    if (rc) {
        cat_close(db);
        return -1;
    }
    *out = db;
    return 0;
}

void cat_close(cat_db *db)
{
    if (!db) return;
    sqlite3_close_v2(db->h);    /* NULL-safe; rolls back an open transaction */
    free(db->path);
    free(db);
}

int cat_begin(cat_db *db, ut_err *e)
{
    if (!sqlite3_get_autocommit(db->h))
        return ut_errf(e, MLG_MISUSE, "a catalog transaction is already open");
    if (db->readonly) return cat_readonly_err(db, e);
    if (sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return cat_sqlerr(db, e, MLG_CATALOG, db->path);
    return 0;
}

int cat_commit(cat_db *db, ut_err *e)
{
    if (sqlite3_get_autocommit(db->h))
        return ut_errf(e, MLG_MISUSE, "no catalog transaction is open");
    if (sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        cat_sqlerr(db, e, MLG_CATALOG, db->path);
        cat_rollback(db);   /* all-or-nothing: a failed commit keeps nothing */
        return -1;
    }
    return 0;
}

void cat_rollback(cat_db *db)
{
    if (db && !sqlite3_get_autocommit(db->h))
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

const char *cat_sqlite_version(void)
{
    return sqlite3_libversion();
}
