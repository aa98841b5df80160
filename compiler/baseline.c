/* baseline.c — BASELINE task: the reference rows every task should have.
 * The statement is the EXPLORE of a fixed default portfolio under the
 * task's own protocol and metrics:
 *   classification: baseline (most frequent class), logreg, tree(max_depth = 5), nb, knn(k = 5)
 *   regression:     baseline(strategy IN {mean, median}), ridge, tree(max_depth = 5), knn(k = 5)
 * with PREPROCESS standardize (plus the implicit impute / onehot the data
 * needs).  It is compiled from generated text through the ordinary
 * EXPLORE compiler, so it is checked, planned, shared and recorded exactly
 * like one; the experiment is marked as a baseline in the catalog.  The
 * generated tree is owned by the result (its configurations borrow
 * strings from it). */
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "../include/mileage.h"

#define PORTFOLIO_CLS "baseline, logreg, tree(max_depth = 5), nb, knn(k = 5)"
#define PORTFOLIO_REG "baseline(strategy IN {mean, median}), ridge, tree(max_depth = 5), knn(k = 5)"

int cmp_compile_baseline(const ast *st, cat_db *cat, cmp_explore **out, ut_err *e)
{
    *out = NULL;
    cat_task t;
    if (cmp_lookup_task(cat, st->a, &t, e)) return -1;
    int regression = t.kind && !strcmp(t.kind, "regression");
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_puts(&b, "EXPLORE \"");
    for (const char *p = t.name; *p; p++) {
        if (*p == '"') ut_buf_putc(&b, '"');
        ut_buf_putc(&b, *p);
    }
    ut_buf_printf(&b, "\" USING %s PREPROCESS standardize", regression ? PORTFOLIO_REG : PORTFOLIO_CLS);
    cat_task_clear(&t);
    if (b.oom) {
        ut_buf_free(&b);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    ast *tree = NULL;
    cmp_explore *x = NULL;
    ut_err pe;
    ut_err_clear(&pe);
    int rc = gr_parse(b.s, (int)b.len, 0, &tree, &pe);
    if (!rc) rc = cmp_compile_explore(tree, cat, &x, &pe);
    ut_buf_free(&b);
    if (rc) {
        ast_free(tree);
        /* the task's own state (a dropped dataset, say): said at the name */
        return ut_errf_at(e, pe.code ? pe.code : MLG_ERROR, st->a->off, st->a->len, "BASELINE %s: %s",
                          st->a->str, pe.msg);
    }
    x->baseline = 1;
    x->owned_ast = tree;
    *out = x;
    return 0;
}
