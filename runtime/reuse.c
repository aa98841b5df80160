/* reuse.c — the runtime side of reuse across queries: loads what the
 * catalog offers (cat_reusable_runs) into a pool the executor looks runs
 * up in, and counts it for EXPLAIN.  exec_explore.c records each reused
 * run in the new experiment with reused_from = its origin and feeds its
 * scores to the ranking and the strategy exactly as a fresh run's. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reuse.h"
#include "model.h"
#include "../util/json.h"
#include "../include/mileage.h"

const char *rt_reuse_off(const rt_ctx *c, const cmp_explore *x)
{
    if (x->fresh) return "FRESH";
    if (!c->reuse) return "SET reuse = off";
    /* an expected cost depends on the experiment's fn / fp, which no run's
     * lineage records: never taken from another experiment */
    if (x->cost) return "WITH INTENT cost";
    return NULL;
}

static void metrics_of(const char *json, double *all)
{
    for (int m = 0; m < RT_MET__COUNT; m++) all[m] = NAN;
    ut_json *j = NULL;
    ut_err ig;
    ut_err_clear(&ig);
    if (!json || ut_json_parse(json, strlen(json), "scores", &j, &ig)) return;
    for (int m = 0; m < RT_MET__COUNT; m++) {
        const ut_json *v = ut_json_get(j, rt_metrics[m].name);
        if (v && v->type == UT_J_NUM) all[m] = v->num;
    }
    ut_json_free(j);
}

int rt_reuse_load(rt_ctx *c, const cmp_explore *x, long long exclude_exp, const long long *cfg, int n,
                  rt_reuse_pool *p, ut_err *e)
{
    memset(p, 0, sizeof *p);
    if (n <= 0) return 0;
    ut_result *r = NULL;
    if (cat_reusable_runs(c->cat, x->task.id, exclude_exp, cfg, n, &r, e)) return -1;
    p->v = calloc((size_t)r->nrows + 1, sizeof *p->v);
    if (!p->v) {
        ut_result_free(r);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    for (int i = 0; i < r->nrows; i++) {
        const ut_value *v = &r->cells[(size_t)i * (size_t)r->ncols];
        rt_reuse_run *u = &p->v[p->n];
        if (v[4].type == UT_NULL) continue;   /* no score: never offered, but be safe */
        u->config_id = v[0].i;
        u->fold = (int)v[1].i;
        u->rows = v[2].type == UT_NULL ? 0 : v[2].i;
        u->origin = v[3].i;
        u->score = v[4].type == UT_INT ? (double)v[4].i : v[4].d;
        u->fit_s = v[5].type == UT_FLOAT ? v[5].d : v[5].type == UT_INT ? (double)v[5].i : 0;
        u->pred_s = v[6].type == UT_FLOAT ? v[6].d : v[6].type == UT_INT ? (double)v[6].i : 0;
        u->scores_json = v[7].type == UT_TEXT ? ut_strdup(v[7].s) : ut_strdup("{}");
        if (!u->scores_json) {
            ut_result_free(r);
            rt_reuse_free(p);
            return ut_errf(e, MLG_NOMEM, "out of memory");
        }
        metrics_of(u->scores_json, u->all);
        /* the score this experiment ranks by, whatever the origin ranked by */
        if (!isfinite(u->all[x->metric])) {
            free(u->scores_json);
            continue;
        }
        u->score = u->all[x->metric];
        u->warning = v[8].type == UT_TEXT ? ut_strdup(v[8].s) : NULL;
        p->n++;
    }
    ut_result_free(r);
    return 0;
}

const rt_reuse_run *rt_reuse_find(const rt_reuse_pool *p, long long config_id, int fold, long long rows)
{
    for (int i = 0; i < p->n; i++)
        if (p->v[i].config_id == config_id && p->v[i].fold == fold && p->v[i].rows == rows) return &p->v[i];
    return NULL;
}

void rt_reuse_free(rt_reuse_pool *p)
{
    for (int i = 0; p->v && i < p->n; i++) {
        free(p->v[i].scores_json);
        free(p->v[i].warning);
    }
    free(p->v);
    p->v = NULL;
    p->n = 0;
}

int rt_reuse_served(rt_ctx *c, const cmp_explore *x, rt_reuse_plan *rp, ut_err *e)
{
    memset(rp, 0, sizeof *rp);
    rp->off = rt_reuse_off(c, x);
    if (rp->off) return 0;
    int subsampled = x->strategy.kind == CMP_SEARCH_HALVING || x->strategy.kind == CMP_SEARCH_HYPERBAND;
    int nr = x->task.nrounds;
    long long *ids = calloc((size_t)x->nconfigs + 1, sizeof *ids);
    int *at = calloc((size_t)x->nconfigs + 1, sizeof *at), known = 0, rc = -1;
    rt_reuse_pool pool = {0};
    if (!subsampled) rp->served = calloc((size_t)x->nconfigs * (size_t)(nr > 0 ? nr : 1) + 1, 1);
    if (!ids || !at || (!subsampled && !rp->served)) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < x->nconfigs; i++) {
        char *pj = cmp_config_json(x, i);
        long long id = 0;
        int f = pj ? cat_config_find(c->cat, rt_families[x->configs[i].family].name, pj, &id, e)
                   : ut_errf(e, MLG_NOMEM, "out of memory");
        free(pj);
        if (f < 0) goto out;
        if (f) at[known] = i, ids[known++] = id;
    }
    if (rt_reuse_load(c, x, -1, ids, known, &pool, e)) goto out;
    rp->any = pool.n > 0;
    for (int k = 0; k < known && rp->served; k++) {
        int all = 1;
        for (int j = 0; j < nr; j++) {
            int s = rt_reuse_find(&pool, ids[k], j, 0) != NULL;
            rp->served[(size_t)at[k] * nr + j] = (unsigned char)s;
            rp->nserved += s;
            all &= s;
        }
        rp->full += all;
    }
    rc = 0;
out:
    rt_reuse_free(&pool);
    free(ids);
    free(at);
    if (rc) rt_reuse_plan_free(rp);
    return rc;
}

void rt_reuse_plan_free(rt_reuse_plan *rp)
{
    free(rp->served);
    rp->served = NULL;
}

int rt_reuse_explain(const cmp_explore *x, const rt_reuse_plan *rp, char **line, ut_err *e)
{
    *line = NULL;
    ut_buf b;
    ut_buf_init(&b);
    int nr = x->task.nrounds;
    if (rp->off) {
        ut_buf_printf(&b, "Reuse: off (%s): every configuration is run", rp->off);
    } else if (!rp->served) {
        if (rp->any)
            ut_buf_printf(&b, "Reuse: the repository has runs of %s's configurations on this task; each rung "
                              "takes those on its number of rows",
                          x->search ? x->search : "the search");
    } else if (rp->full) {
        int starting = x->strategy.kind == CMP_SEARCH_BAYES;
        ut_buf_printf(&b, "Reuse: %d of %d %sconfiguration%s already evaluated on this task (%d runs), taken "
                          "from the repository, not run again",
                      rp->full, x->nconfigs, starting ? "starting " : "", x->nconfigs == 1 ? "" : "s", rp->full * nr);
    }
    if (b.oom) {
        ut_buf_free(&b);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    *line = b.len ? ut_buf_take(&b) : (ut_buf_free(&b), NULL);
    return 0;
}
