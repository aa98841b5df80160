/* protocol.h — evaluation protocols: how a task's rows are assigned to
 * folds when it is created, and which rows train and test in each round.
 *
 *   cv / holdout / folds(column):  round r tests fold == r, trains on the
 *                                  other rows with fold >= 0
 *   repeated cv(k, r):             r fold arrays (one per repetition);
 *                                  round i is fold i % k of repetition i / k
 *   time split on column (k):      rows ordered by the column, cut in k+1
 *                                  blocks; round r trains on blocks 0..r and
 *                                  tests block r+1 (scikit-learn's
 *                                  TimeSeriesSplit)
 * Rows whose target (or fold/time column) is missing have fold -1. */
#ifndef RT_PROTOCOL_H
#define RT_PROTOCOL_H

#include "table.h"

typedef enum { RT_PROTO_CV, RT_PROTO_HOLDOUT, RT_PROTO_REPEATED, RT_PROTO_FOLDS,
               RT_PROTO_TIME } rt_proto_type;

typedef struct {
    rt_proto_type type;
    int    k;            /* cv/repeated folds, time splits */
    int    reps;         /* repeated */
    double test;         /* holdout fraction */
    char   column[256];  /* folds / time */
} rt_protocol;

/* Parses the protocol JSON stored with a task. */
int  rt_protocol_parse(const char *json, rt_protocol *p, ut_err *e);
/* Canonical JSON (malloc'd) and a short description ("5-fold CV"). */
char *rt_protocol_json(const rt_protocol *p);
void  rt_protocol_describe(const rt_protocol *p, char *buf, size_t cap);

/* Assigns folds: *fold (malloc'd) gets reps x n entries; *nrounds the
 * evaluation rounds.  yc: class codes (-1 missing) for stratification or
 * NULL; ymiss marks rows without a target. col: the folds/time column
 * index in t (or -1). */
int  rt_protocol_folds(const rt_protocol *p, const rt_table *t, int col, const int *yc, int nclasses,
                       const unsigned char *ymiss, unsigned long long seed, int **fold, int *nentries,
                       int *nrounds, ut_err *e);

/* Train and test rows of one round; fold holds the task's stored entries. */
void rt_protocol_rows(const rt_protocol *p, const int *fold, int n, int round, int *train,
                      int *ntrain, int *test, int *ntest);

#endif
