/* fixture.h — what several unit tests share: a shipped dataset read (a
 * failed CHECK when it cannot be), a CV round's training and test rows from
 * the stored fold of each row, a catalog file removed with its WAL sides,
 * random draws from a 64-bit LCG, and statements run through the public
 * API.  Static inline functions; include check.h first, runtime/table.h
 * first for the dataset reader and mileage.h first for the runner (tests
 * of the public API alone do without table.h). */
#ifndef TEST_FIXTURE_H
#define TEST_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <unistd.h>

#ifdef RT_TABLE_H
/* data/<file> of the source tree, or NULL (a failed check). */
static inline rt_table *fixture_read_data(const char *file)
{
    char path[512];
    snprintf(path, sizeof path, "%s/data/%s", MLG_SOURCE_DIR, file);
    rt_table *t = NULL;
    ut_err e;
    ut_err_clear(&e);
    if (rt_read_csv(path, NULL, &t, &e)) CHECK(0, "%s: %s", file, e.msg);
    return t;
}
#endif

/* Round k of n rows with fold[i] each: its test rows (fold k) and its
 * training rows (the others), in row order. */
static inline void fixture_round_rows(const int *fold, int n, int k, int *train, int *ntrain, int *test,
                                      int *ntest)
{
    *ntrain = *ntest = 0;
    for (int i = 0; i < n; i++)
        if (fold[i] == k) test[(*ntest)++] = i;
        else train[(*ntrain)++] = i;
}

/* The catalog at path and its -wal / -shm files, gone. */
static inline void fixture_drop_db(const char *path)
{
    char side[512];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

/* A uniform draw in [0, 1) from the LCG state *r, and a standard normal
 * one (Box–Muller). */
static inline double fixture_uniform(unsigned long long *r)
{
    *r = *r * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*r >> 11) / 9007199254740992.0;
}

static inline double fixture_gauss(unsigned long long *r)
{
    double a = fixture_uniform(r) + 1e-300, b = fixture_uniform(r);
    return sqrt(-2 * log(a)) * cos(6.283185307179586 * b);
}

#ifdef MILEAGE_H
/* Every statement of q, stepped to its end; the first error code, or
 * MLG_OK. */
static inline int fixture_run(mlg_db *db, const char *q)
{
    const char *tail = q;
    int rc = MLG_OK;
    while (rc == MLG_OK && tail && *tail) {
        mlg_stmt *s = NULL;
        rc = mlg_prepare(db, tail, -1, &s, &tail);
        if (rc != MLG_OK || !s) break;
        int st;
        while ((st = mlg_step(s)) == MLG_ROW) {}
        if (st != MLG_DONE) rc = st;
        mlg_finalize(s);
    }
    return rc;
}
#endif

#endif
