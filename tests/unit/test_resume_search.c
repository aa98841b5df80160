/* test_resume_search.c — RESUME of an interrupted search strategy.
 * For random, halving, hyperband and bayes (also random and bayes with seed = s): the same EXPLORE runs once
 * uninterrupted (catalog A) and once interrupted after k runs, at several
 * k, then resumed (catalog B).  The strategies replay their batches from
 * the recorded runs, so B must end with exactly A's runs: the same
 * configurations, folds, rungs, rows and scores (bit for bit), each once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mileage.h"
#include "under_valgrind.h"
#include "check.h"
#include "fixture.h"


typedef struct { char *text; size_t len, cap; } sbuf;

static int collect(void *arg, int ncols, const char *const *values, const char *const *names)
{
    (void)names;
    sbuf *b = arg;
    for (int i = 0; i < ncols; i++) {
        const char *v = values[i] ? values[i] : "NULL";
        size_t l = strlen(v) + 1;
        if (b->len + l + 1 > b->cap) {
            b->cap = (b->len + l + 1) * 2;
            b->text = realloc(b->text, b->cap);
        }
        memcpy(b->text + b->len, v, l - 1);
        b->len += l;
        b->text[b->len - 1] = i + 1 < ncols ? '|' : '\n';
        b->text[b->len] = 0;
    }
    return 0;
}

/* every run of the last experiment, in a canonical order, as text */
static char *runs_of_last(mlg_db *db)
{
    sbuf b = {calloc(1, 1), 0, 1};
    const char *q = "SELECT c.family, c.params, r.fold, r.rung, r.train_rows, r.status, printf('%.17g', r.score) "
                    "FROM runs r JOIN configs c ON c.id = r.config_id "
                    "WHERE r.experiment = (SELECT max(id) FROM experiments) "
                    "ORDER BY c.family, c.params, r.rung, r.fold;";
    if (mlg_exec(db, q, collect, &b) != MLG_OK) {
        printf("runs: %s\n", mlg_errmsg(db));
        free(b.text);
        return NULL;
    }
    return b.text;
}

static int stop_at;
static void on_progress(void *arg, int done, int planned, double best, double elapsed)
{
    (void)planned, (void)best, (void)elapsed;
    if (done == stop_at) mlg_interrupt(arg);
}

static mlg_db *fresh(const char *path)
{
    fixture_drop_db(path);
    mlg_db *db = NULL;
    if (mlg_open(path, &db) != MLG_OK) return NULL;
    char setup[512];
    snprintf(setup, sizeof setup,
             "CREATE DATASET wine FROM '%s/data/wine.csv';"
             "CREATE TASK t ON wine PREDICT target AS CLASSIFICATION EVALUATE BY CV(3) SEED 7;", MLG_SOURCE_DIR);
    if (mlg_exec(db, setup, NULL, NULL) != MLG_OK) {
        printf("setup: %s\n", mlg_errmsg(db));
        mlg_close(db);
        return NULL;
    }
    return db;
}

static const char *explores[] = {
    "EXPLORE t USING logreg(C IN [1e-3, 1e3] LOG), knn(k IN [1, 25] INT) PREPROCESS standardize SEARCH random(8);",
    "EXPLORE t USING logreg(C IN [1e-3, 1e3] LOG), tree(max_depth IN [1, 12] INT) PREPROCESS standardize "
    "SEARCH halving(eta = 3, n = 9);",
    "EXPLORE t USING ridge(alpha IN [1e-3, 1e3] LOG), knn(k IN [1, 25] INT) PREPROCESS standardize "
    "SEARCH hyperband(eta = 3);",
    "EXPLORE t USING logreg(C IN [1e-3, 1e3] LOG), tree(max_depth IN [1, 12] INT) PREPROCESS standardize "
    "SEARCH bayes(8);",
    /* a sampling seed of its own: RESUME compiles the stored statement,
     * seed included, and draws the same configurations again */
    "EXPLORE t USING logreg(C IN [1e-3, 1e3] LOG), knn(k IN [1, 25] INT) PREPROCESS standardize "
    "SEARCH random(8, seed = 11);",
    "EXPLORE t USING logreg(C IN [1e-3, 1e3] LOG), tree(max_depth IN [1, 12] INT) PREPROCESS standardize "
    "SEARCH bayes(8, seed = 12);",
};

int main(void)
{
    /* per process: several checkouts may run this test at once */
    char pa[64], pb[64];
    snprintf(pa, sizeof pa, "/tmp/mlg_resume_search_a.%ld.db", (long)getpid());
    snprintf(pb, sizeof pb, "/tmp/mlg_resume_search_b.%ld.db", (long)getpid());
    for (size_t q = 0; q < sizeof explores / sizeof explores[0]; q++) {
        mlg_db *a = fresh(pa);
        if (!a) return 1;
        CHECK(mlg_exec(a, explores[q], NULL, NULL) == MLG_OK, "reference %zu: %s", q, mlg_errmsg(a));
        char *ref = runs_of_last(a);
        int total = 0;
        for (const char *s = ref; s && *s; s++) total += *s == '\n';
        mlg_close(a);
        CHECK(total > 4, "explore %zu ran %d runs", q, total);
        printf("explore %zu: %d runs\n", q, total);
        /* interrupted early, in the middle and near the end */
        int points[3] = {1, total / 2, total - 1};
        /* under valgrind (memory, not the replay logic, is what it checks
         * there) one stop point per search */
        int npoints = RUNNING_ON_VALGRIND ? 1 : 3;
        if (RUNNING_ON_VALGRIND) points[0] = total / 2;
        for (int k = 0; k < npoints; k++) {
            mlg_db *b = fresh(pb);
            if (!b) return 1;
            stop_at = points[k];
            mlg_progress(b, on_progress, b);
            int rc = mlg_exec(b, explores[q], NULL, NULL);
            mlg_progress(b, NULL, NULL);
            CHECK(rc == MLG_INTERRUPT, "explore %zu stop at %d: rc %d %s", q, stop_at, rc, mlg_errmsg(b));
            CHECK(mlg_exec(b, "RESUME EXPERIMENT 1;", NULL, NULL) == MLG_OK, "resume %zu at %d: %s", q, stop_at,
                  mlg_errmsg(b));
            char *got = runs_of_last(b);
            CHECK(ref && got && strcmp(ref, got) == 0, "explore %zu stopped at %d of %d: runs differ after RESUME\n"
                  "--- uninterrupted\n%s--- resumed\n%s", q, stop_at, total, ref, got);
            free(got);
            mlg_close(b);
        }
        free(ref);
    }
    unlink(pa);
    unlink(pb);
    if (failures) printf("%d failure(s)\n", failures);
    else printf("ok\n");
    return failures != 0;
}
