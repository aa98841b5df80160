/* model_stmt.c — compiles TRAIN <config> AS name ON task [PREPROCESS ...]:
 * the configuration is written like one USING item of EXPLORE and goes
 * through the same compiler (names, ranges, kinds, implicit steps), which
 * must leave exactly one configuration on one pipeline.  The other model
 * statements (TRAIN BEST, PREDICT, EXPORT, IMPORT, DROP MODEL, REPRODUCE)
 * name catalog objects only and are checked when they run. */
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "../include/mileage.h"

int cmp_compile_train(const ast *st, cat_db *cat, cmp_explore **out, ut_err *e)
{
    *out = NULL;
    if (st->ival) return 0;   /* TRAIN BEST FROM EXPERIMENT n: bound at run time */
    const ast *task = st->c;
    for (const ast *c = task->next; c; c = c->next)
        if (c->kind != AST_CL_PREPROCESS)
            return ut_errf_at(e, MLG_ERROR, c->off, c->len, "TRAIN takes PREPROCESS only, not %s",
                              ast_kind_names[c->kind]);
    /* the same request as EXPLORE task USING config PREPROCESS ... */
    ast x = *st;
    x.kind = AST_EXPLORE;
    x.a = (ast *)task;
    x.b = st->a;
    x.c = task->next;
    x.next = NULL;
    cmp_explore *ex = NULL;
    if (cmp_compile_explore(&x, cat, &ex, e)) return -1;
    if (ex->nconfigs != 1) {
        int n = ex->nconfigs;
        cmp_explore_free(ex);
        return ut_errf_at(e, MLG_ERROR, st->a->off, st->a->len,
                          "TRAIN fits one configuration; this gives %d (use EXPLORE, then TRAIN BEST FROM EXPERIMENT)",
                          n);
    }
    *out = ex;
    return 0;
}
