/* exec_suggest.c — SUGGEST CONFIGS / PREPROCESS FOR task [LIMIT n]: the
 * meta-learner's answers (compiler/suggest.c) as result tables, with a
 * message saying what they were learnt from (or that the catalog had
 * nothing to learn from and the default portfolio follows). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "exec.h"
#include "../include/mileage.h"

#define DEFAULT_LIMIT 10

static int configs_table(const cmp_suggestion *sg, int n, ut_result **out, ut_err *e)
{
    static const char *const cols[] = {"rank", "family", "params", "preprocess", "from_task", "dataset",
                                       "metric", "score", "distance", "why"};
    ut_result *r = ut_result_new(10, cols);
    if (!r) return ut_errf(e, MLG_NOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        int row = ut_result_add_row(r);
        if (row < 0) {
            ut_result_free(r);
            return ut_errf(e, MLG_NOMEM, "out of memory");
        }
        ut_result_set_int(r, row, 0, i + 1);
        ut_result_set_text(r, row, 1, rt_families[sg[i].family].name);
        ut_result_set_text(r, row, 2, sg[i].params_text);
        ut_result_set_text(r, row, 3, sg[i].preprocess);
        if (sg[i].task) {
            ut_result_set_text(r, row, 4, sg[i].task);
            ut_result_set_text(r, row, 5, sg[i].dataset);
            ut_result_set_text(r, row, 6, sg[i].metric);
            ut_result_set_float(r, row, 7, sg[i].score);
            ut_result_set_float(r, row, 8, sg[i].distance);
        }
        ut_result_set_text(r, row, 9, sg[i].why);
    }
    *out = r;
    return 0;
}

int rt_exec_suggest(rt_ctx *c, const cmp_stmt *s, ut_result **out, char **msg, ut_err *e)
{
    const ast *st = s->src;
    cat_task t;
    if (cmp_lookup_task(c->cat, st->a, &t, e)) return -1;
    int limit = s->limit ? s->limit : DEFAULT_LIMIT, rc;
    char *note = NULL;
    if (st->ival) {
        rc = cmp_suggest_preprocess(c->cat, &t, 5, limit, out, &note, e);
    } else {
        cmp_suggestion *sg = NULL;
        int n = 0;
        rc = cmp_suggest(c->cat, &t, 0, limit, NULL, &sg, &n, &note, e);
        if (!rc) rc = configs_table(sg, n, out, e);
        cmp_suggestions_free(sg, n);
    }
    if (!rc) {
        ut_buf b;
        ut_buf_init(&b);
        ut_buf_printf(&b, "%s for %s: %s", st->ival ? "transforms" : "configurations", t.name, note ? note : "");
        *msg = ut_buf_take(&b);
        if (!*msg) {
            ut_result_free(*out);
            *out = NULL;
            rc = ut_errf(e, MLG_NOMEM, "out of memory");
        }
    }
    free(note);
    cat_task_clear(&t);
    return rc;
}
