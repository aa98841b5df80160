/* faultvfs.c — a test-only SQLite VFS that wraps the default one and
 * injects the write faults a catalog meets in the field, so the tests can
 * check what mileage does about them without a real full disk or a
 * read-only mount (and whether they run as root, which ignores chmod):
 *
 *   full:N     the first N bytes written (all catalog files of the process
 *              together, like one disk) go through; every later write fails
 *              with SQLITE_FULL and writes nothing, as on a full disk.
 *   readonly   the database file opens read-only, as a file without write
 *              permission (its directory writable: the WAL's -wal and -shm
 *              can be created); writes are refused with SQLITE_READONLY.
 *   readonly-media  the same for the database and its -wal, as on a
 *              read-only mount: nothing can be created beside the file.
 *
 * cat_open uses it only when MLG_TEST_CATALOG_FAULT names one of these, so
 * it is inert in normal use.  It is registered under the name "mlg_fault",
 * never as the default VFS. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cat_internal.h"

typedef struct {
    sqlite3_file base;      /* our methods */
    sqlite3_file *real;     /* the wrapped file, allocated right after us */
    int readonly;           /* opened read-only by the fault */
} fault_file;

static struct {
    sqlite3_vfs vfs;
    sqlite3_vfs *real;
    int readonly;           /* 1: the database file; 2: the WAL too */
    long long budget;       /* bytes left before "disk full"; < 0: no limit */
    pthread_mutex_t mu;
} F = {.mu = PTHREAD_MUTEX_INITIALIZER};

#define REAL(f) (((fault_file *)(f))->real)

static int f_close(sqlite3_file *f)
{
    int rc = REAL(f)->pMethods ? REAL(f)->pMethods->xClose(REAL(f)) : SQLITE_OK;
    return rc;
}
static int f_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), buf, n, off);
}
/* The fault itself: a write either fits in what is left of the disk or
 * fails whole (SQLite never depends on a partial write). */
static int f_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    if (((fault_file *)f)->readonly) return SQLITE_READONLY;
    pthread_mutex_lock(&F.mu);
    int full = F.budget >= 0 && n > F.budget;
    if (!full && F.budget >= 0) F.budget -= n;
    pthread_mutex_unlock(&F.mu);
    if (full) return SQLITE_FULL;
    return REAL(f)->pMethods->xWrite(REAL(f), buf, n, off);
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    if (((fault_file *)f)->readonly) return SQLITE_READONLY;
    return REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int f_sync(sqlite3_file *f, int flags) { return REAL(f)->pMethods->xSync(REAL(f), flags); }
static int f_size(sqlite3_file *f, sqlite3_int64 *size) { return REAL(f)->pMethods->xFileSize(REAL(f), size); }
static int f_lock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xLock(REAL(f), l); }
static int f_unlock(sqlite3_file *f, int l) { return REAL(f)->pMethods->xUnlock(REAL(f), l); }
static int f_check(sqlite3_file *f, int *out) { return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out); }
static int f_fcntl(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int f_sector(sqlite3_file *f) { return REAL(f)->pMethods->xSectorSize(REAL(f)); }
static int f_devchar(sqlite3_file *f) { return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f)); }
static int f_shmmap(sqlite3_file *f, int pg, int sz, int extend, void volatile **p)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, p);
}
static int f_shmlock(sqlite3_file *f, int off, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}
static void f_shmbarrier(sqlite3_file *f) { REAL(f)->pMethods->xShmBarrier(REAL(f)); }
static int f_shmunmap(sqlite3_file *f, int del) { return REAL(f)->pMethods->xShmUnmap(REAL(f), del); }
/* No memory-mapped I/O: every page goes through f_read/f_write. */
static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
    (void)f;
    (void)off;
    (void)n;
    *pp = NULL;
    return SQLITE_OK;
}
static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    (void)f;
    (void)off;
    (void)p;
    return SQLITE_OK;
}

static const sqlite3_io_methods f_methods = {
    3, f_close, f_read, f_write, f_truncate, f_sync, f_size, f_lock, f_unlock, f_check,
    f_fcntl, f_sector, f_devchar, f_shmmap, f_shmlock, f_shmbarrier, f_shmunmap, f_fetch, f_unfetch,
};

static int f_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags, int *out_flags)
{
    (void)vfs;
    fault_file *ff = (fault_file *)f;
    ff->real = (sqlite3_file *)(ff + 1);
    ff->base.pMethods = NULL;
    ff->readonly = 0;
    /* a read-only file system: what exists opens read-only, nothing new
     * can be created (SQLite's own fallback after EROFS) */
    int ro = SQLITE_OPEN_MAIN_DB | (F.readonly == 2 ? SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL : 0);
    if (F.readonly && (flags & ro)) {
        flags &= ~(SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        flags |= SQLITE_OPEN_READONLY;
        ff->readonly = 1;
    }
    int rc = F.real->xOpen(F.real, name, ff->real, flags, out_flags);
    if (rc == SQLITE_OK) ff->base.pMethods = &f_methods;
    return rc;
}

static int f_delete(sqlite3_vfs *v, const char *name, int sync)
{
    (void)v;
    if (F.readonly == 2) return SQLITE_IOERR_DELETE;
    return F.real->xDelete(F.real, name, sync);
}
static int f_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
    (void)v;
    return F.real->xAccess(F.real, name, flags, out);
}
static int f_fullpath(sqlite3_vfs *v, const char *name, int n, char *out)
{
    (void)v;
    return F.real->xFullPathname(F.real, name, n, out);
}
static void *f_dlopen(sqlite3_vfs *v, const char *p) { (void)v; return F.real->xDlOpen(F.real, p); }
static void f_dlerror(sqlite3_vfs *v, int n, char *m) { (void)v; F.real->xDlError(F.real, n, m); }
static void (*f_dlsym(sqlite3_vfs *v, void *h, const char *s))(void)
{
    (void)v;
    return F.real->xDlSym(F.real, h, s);
}
static void f_dlclose(sqlite3_vfs *v, void *h) { (void)v; F.real->xDlClose(F.real, h); }
static int f_random(sqlite3_vfs *v, int n, char *out) { (void)v; return F.real->xRandomness(F.real, n, out); }
static int f_sleep(sqlite3_vfs *v, int us) { (void)v; return F.real->xSleep(F.real, us); }
static int f_time(sqlite3_vfs *v, double *t) { (void)v; return F.real->xCurrentTime(F.real, t); }
static int f_lasterr(sqlite3_vfs *v, int n, char *m)
{
    (void)v;
    return F.real->xGetLastError ? F.real->xGetLastError(F.real, n, m) : 0;
}
static int f_time64(sqlite3_vfs *v, sqlite3_int64 *t)
{
    (void)v;
    return F.real->xCurrentTimeInt64(F.real, t);
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int reg_rc = SQLITE_ERROR;

static void reg(void)
{
    F.real = sqlite3_vfs_find(NULL);
    if (!F.real || F.real->iVersion < 2) return;
    sqlite3_vfs v = {
        2, (int)(sizeof(fault_file) + (size_t)F.real->szOsFile), F.real->mxPathname, NULL, "mlg_fault", NULL,
        f_open, f_delete, f_access, f_fullpath, f_dlopen, f_dlerror, f_dlsym, f_dlclose,
        f_random, f_sleep, f_time, f_lasterr, f_time64, NULL, NULL, NULL,
    };
    F.vfs = v;
    reg_rc = sqlite3_vfs_register(&F.vfs, 0);
}

const char *cat_fault_vfs(ut_err *e)
{
    const char *spec = getenv("MLG_TEST_CATALOG_FAULT");
    if (!spec || !*spec) return NULL;
    int readonly = 0;
    long long budget = -1;
    char *end = NULL;
    if (strcmp(spec, "readonly") == 0) {
        readonly = 1;
    } else if (strcmp(spec, "readonly-media") == 0) {
        readonly = 2;
    } else if (strncmp(spec, "full:", 5) == 0 && (budget = strtoll(spec + 5, &end, 10)) >= 0 && end &&
               end != spec + 5 && !*end) {
    } else {
        ut_errf(e, MLG_MISUSE, "MLG_TEST_CATALOG_FAULT must be 'full:BYTES', 'readonly' or 'readonly-media', not '%s'", spec);
        return "";
    }
    pthread_once(&once, reg);
    if (reg_rc != SQLITE_OK) {
        ut_errf(e, MLG_CATALOG, "cannot install the fault-injection VFS");
        return "";
    }
    /* the budget is set once per process: a second cat_open (the REPL's
     * reconnect, a test opening two handles) shares the same "disk" */
    static int configured;
    pthread_mutex_lock(&F.mu);
    if (!configured) {
        F.readonly = readonly;
        F.budget = budget;
        configured = 1;
    }
    pthread_mutex_unlock(&F.mu);
    return "mlg_fault";
}
