/* fixture.h — what several unit tests share: a shipped dataset read (a
 * failed CHECK when it cannot be), a CV round's training and test rows from
 * the stored fold of each row, and a catalog file removed with its WAL
 * sides.  Static inline functions; include check.h first, and
 * runtime/table.h first for the dataset reader (tests of the public API
 * alone do without it). */
#ifndef TEST_FIXTURE_H
#define TEST_FIXTURE_H

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

#endif
