/* reproduce.c — REPRODUCE RUN n / REPRODUCE EXPERIMENT n.  From the
 * catalog alone: the experiment's statement (compiled again), the task's
 * stored folds, the dataset row (its file must still have the recorded
 * content hash, or REPRODUCE refuses), each run's configuration and round.
 * Every run is fitted again the way EXPLORE fits it (the transform chain on
 * the round's training rows, then the family's group fit) and each stored
 * score is compared with the new one, exactly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec_model.h"
#include "protocol.h"
#include "share.h"
#include "../optimizer/plan.h"
#include "linalg.h"
#include "../include/mileage.h"

typedef struct {
    long long run_id;
    int cfg, fold;
    int ok;              /* stored status ok */
    char *scores;        /* stored scores JSON */
    char *error;         /* stored error */
} stored_run;

static int oom(ut_err *e) { return ut_errf(e, MLG_NOMEM, "out of memory"); }

/* Scores of the new predictions: every metric of the kind. */
static void new_scores(const cmp_explore *x, rt_kind kind, int ntest, const int *yt, const double *ytd,
                       const double *pred, const double *proba, int K, double *all)
{
    for (int m = 0; m < RT_MET__COUNT; m++) {
        all[m] = NAN;
        if (rt_metrics[m].classification != (kind == RT_CLASSIFICATION)) continue;
        all[m] = m == RT_MET_COST ? (x->cost ? rt_metric_cost(ntest, yt, pred, x->cost_fn, x->cost_fp) : NAN)
                                  : rt_metric_score((rt_metric)m, ntest, yt, ytd, pred, proba, K);
    }
}

/* Compares stored scores with new ones; appends differences to b.
 * Returns 1 identical. */
static int compare(const char *stored, const double *all, rt_kind kind, ut_buf *b)
{
    ut_json *j = NULL;
    ut_err ig;
    ut_err_clear(&ig);
    if (!stored || ut_json_parse(stored, strlen(stored), "scores", &j, &ig)) {
        ut_buf_puts(b, "the stored scores cannot be read");
        return 0;
    }
    int same = 1;
    for (int m = 0; m < RT_MET__COUNT; m++) {
        if (rt_metrics[m].classification != (kind == RT_CLASSIFICATION)) continue;
        const ut_json *v = ut_json_get(j, rt_metrics[m].name);
        double old = v && v->type == UT_J_NUM ? v->num : NAN, now = all[m];
        /* NaN scores are not stored: absent on both sides is the same */
        if ((isnan(old) && isnan(now)) || old == now) continue;
        same = 0;
        if (b->len) ut_buf_puts(b, "; ");
        ut_buf_printf(b, "%s: %.17g -> %.17g", rt_metrics[m].name, old, now);
    }
    ut_json_free(j);
    return same;
}

static double score_of(const char *stored, rt_metric m)
{
    ut_json *j = NULL;
    ut_err ig;
    ut_err_clear(&ig);
    if (!stored || ut_json_parse(stored, strlen(stored), "scores", &j, &ig)) return NAN;
    const ut_json *v = ut_json_get(j, rt_metrics[m].name);
    double r = v && v->type == UT_J_NUM ? v->num : NAN;
    ut_json_free(j);
    return r;
}

/* 1 when experiment exp_id ran with sharing on (older records: the default, on). */
static int recorded_sharing(rt_ctx *c, long long exp_id)
{
    char q[160];
    ut_result *r = NULL;
    ut_err ig;
    ut_err_clear(&ig);
    snprintf(q, sizeof q, "SELECT sharing FROM provenance WHERE experiment = %lld LIMIT 1", exp_id);
    int on = 1;
    if (cat_select(c->cat, q, &r, &ig) == 0 && r->nrows == 1 && r->cells[0].type == UT_INT) on = r->cells[0].i != 0;
    ut_result_free(r);
    return on;
}

/* Group g of the plan fitted as the experiment fitted it; *o gets member
 * m's output (its arrays become the caller's), the others are freed. */
static int path_fit(const cmp_explore *x, const opt_plan *plan, int g, int m, const rt_trainset *ts,
                    const double *Xt, int nt, int K, rt_group_out *o, ut_err *e)
{
    const opt_group *gr = &plan->groups[g];
    const rt_pval **pv = calloc((size_t)gr->n, sizeof *pv);
    rt_group_out *outs = calloc((size_t)gr->n, sizeof *outs);
    int rc = -1;
    if (!pv || !outs) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < gr->n; i++) {
        pv[i] = x->configs[gr->configs[i]].params;
        outs[i].pred = malloc(sizeof(double) * (size_t)(nt + 1));
        outs[i].proba = K ? malloc(sizeof(double) * (size_t)(nt + 1) * (size_t)K) : NULL;
        if (!outs[i].pred || (K && !outs[i].proba)) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto done;
        }
    }
    rc = rt_fit_predict_group(x->configs[gr->configs[0]].family, pv, gr->n, 1, ts, Xt, nt, outs, e);
    if (rc == 0) {
        free(o->pred);
        free(o->proba);
        *o = outs[m];
        memset(&outs[m], 0, sizeof outs[m]);
    }
done:
    for (int i = 0; outs && i < gr->n; i++) {
        free(outs[i].pred);
        free(outs[i].proba);
        free(outs[i].error);
    }
    free(outs);
    free(pv);
    return rc;
}

/* Reproduces the runs sql selects (columns: the run id to show, family,
 * params, fold, status, stored scores, stored error) as experiment exp_id
 * fitted them, appending one row per run to res. */
static int reproduce_set(rt_ctx *c, long long exp_id, const ast *at, const char *sql, ut_result *res, int *total,
                         int *psame, int *pdiff, int *punknown, ut_err *e)
{
    rt_recompiled rx;
    if (rt_experiment_compile(c, exp_id, at, &rx, e)) return -1;
    const cmp_explore *x = rx.x;
    int rc = -1, nruns = 0, nsame = 0, ndiff = 0, nunknown = 0;
    stored_run *runs = NULL;
    opt_plan *plan = NULL;
    double *hist = NULL;
    int *fold = NULL, nfold = 0, *yc = NULL, *train = NULL, *test = NULL, K = 0;
    double *y = NULL;
    ut_result *r = NULL;

    /* the runs to reproduce */
    if (cat_select(c->cat, sql, &r, e)) goto out;
    if (r->nrows == 0) {
        rc = 0;   /* e.g. every run of the experiment was reused */
        goto out;
    }
    runs = calloc((size_t)r->nrows + 1, sizeof *runs);
    if (!runs) {
        oom(e);
        goto out;
    }
    for (int i = 0; i < r->nrows; i++) {
        const ut_value *v = &r->cells[(size_t)i * 7];
        stored_run *sr = &runs[nruns++];
        sr->run_id = v[0].i;
        sr->cfg = v[1].type == UT_TEXT && v[2].type == UT_TEXT ? rt_config_index(x, v[1].s, v[2].s) : -1;
        sr->fold = (int)v[3].i;
        sr->ok = v[4].type == UT_TEXT && !strcmp(v[4].s, "ok");
        sr->scores = v[5].type == UT_TEXT ? ut_strdup(v[5].s) : NULL;
        sr->error = v[6].type == UT_TEXT ? ut_strdup(v[6].s) : NULL;
    }

    /* the data, exactly as recorded */
    const rt_table *t;
    if (rt_load_dataset(c, &x->dataset, &t, e)) {
        char why[UT_ERRLEN];
        snprintf(why, sizeof why, "%s", e->msg);
        ut_errf_at(e, MLG_DATA, at->off, at->len, "cannot reproduce experiment %lld: %s", exp_id, why);
        goto out;
    }
    int target = rt_table_find(t, x->task.target), n = t->nrows;
    rt_protocol proto;
    if (target < 0 || rt_protocol_parse(x->task.protocol_json, &proto, e)) {
        if (target < 0) ut_errf(e, MLG_DATA, "dataset '%s' has no column '%s' any more", x->dataset.name, x->task.target);
        goto out;
    }
    if (cat_task_folds(c->cat, x->task.id, &fold, &nfold, e)) goto out;
    rt_kind kind = strcmp(x->task.kind, "regression") ? RT_CLASSIFICATION : RT_REGRESSION;
    train = malloc(sizeof(int) * (size_t)(n ? n : 1));
    test = malloc(sizeof(int) * (size_t)(n ? n : 1));
    if (!train || !test) {
        oom(e);
        goto out;
    }
    if (kind == RT_CLASSIFICATION) {
        if (!(yc = malloc(sizeof(int) * (size_t)(n ? n : 1)))) {
            oom(e);
            goto out;
        }
        if (rt_target_classes(&t->cols[target], n, yc, &K, NULL, e)) goto out;
    } else {
        y = t->cols[target].num;
    }
    /* the plan the experiment ran, where sharing made a run's bits depend
     * on its group (logreg's C path) */
    if (recorded_sharing(c, exp_id)) {
        opt_stats ost;
        ut_err pe;
        ut_err_clear(&pe);
        if (rt_plan_stats(c, x, &ost, &hist, &pe) || opt_physical(x, &ost, 1, &plan, &pe)) plan = NULL;
    }
    /* round by round, pipeline by pipeline: one design serves every run on it */
    for (int round = 0; round < x->task.nrounds; round++) {
        int ntrain = 0, ntest = 0;
        rt_protocol_rows(&proto, fold, n, round, train, &ntrain, test, &ntest);
        for (int pipe = 0; pipe < x->npipes; pipe++) {
            int any = 0;
            for (int k = 0; k < nruns && !any; k++)
                any = runs[k].fold == round && runs[k].cfg >= 0 && x->configs[runs[k].cfg].pipe == pipe;
            if (!any) continue;
            const cmp_pipeline *pl = &x->pipes[pipe];
            rt_tf_step steps[64];
            int ns = pl->nsteps < 64 ? pl->nsteps : 64;
            for (int k = 0; k < ns; k++) steps[k] = pl->steps[k].step;
            rt_design d;
            ut_err te;
            ut_err_clear(&te);
            int tf_ok = rt_pipeline_run(t, target, steps, ns, train, ntrain, &d, &te) == 0;
            double *X = NULL, *Xt = NULL, *ytr = NULL, *ytd = NULL;
            int *yctr = NULL, *yte = NULL;
            if (tf_ok) {
                X = malloc(sizeof(double) * (size_t)ntrain * (size_t)(d.p ? d.p : 1) + 1);
                Xt = malloc(sizeof(double) * (size_t)ntest * (size_t)(d.p ? d.p : 1) + 1);
                if (!X || !Xt) {
                    free(X), free(Xt), rt_design_free(&d);
                    oom(e);
                    goto out;
                }
                for (int i = 0; i < ntrain; i++)
                    memcpy(X + (size_t)i * d.p, d.x + (size_t)train[i] * d.p, sizeof(double) * (size_t)d.p);
                for (int i = 0; i < ntest; i++)
                    memcpy(Xt + (size_t)i * d.p, d.x + (size_t)test[i] * d.p, sizeof(double) * (size_t)d.p);
            }
            if (kind == RT_CLASSIFICATION) {
                yctr = malloc(sizeof(int) * (size_t)(ntrain + 1));
                yte = malloc(sizeof(int) * (size_t)(ntest + 1));
                for (int i = 0; yctr && i < ntrain; i++) yctr[i] = yc[train[i]];
                for (int i = 0; yte && i < ntest; i++) yte[i] = yc[test[i]];
            } else {
                ytr = malloc(sizeof(double) * (size_t)(ntrain + 1));
                ytd = malloc(sizeof(double) * (size_t)(ntest + 1));
                for (int i = 0; ytr && i < ntrain; i++) ytr[i] = y[train[i]];
                for (int i = 0; ytd && i < ntest; i++) ytd[i] = y[test[i]];
            }
            for (int k = 0; k < nruns; k++) {
                stored_run *sr = &runs[k];
                if (sr->fold != round || sr->cfg < 0 || x->configs[sr->cfg].pipe != pipe) continue;
                const cmp_config *cf = &x->configs[sr->cfg];
                rt_group_out o = {0};
                o.pred = malloc(sizeof(double) * (size_t)(ntest + 1));
                o.proba = K ? malloc(sizeof(double) * (size_t)(ntest + 1) * (size_t)K) : NULL;
                const char *err = tf_ok ? NULL : te.msg;
                double all[RT_MET__COUNT];
                for (int m = 0; m < RT_MET__COUNT; m++) all[m] = NAN;
                if (tf_ok) {
                    const rt_pval *pv = cf->params;
                    rt_trainset ts = {X, ntrain, d.p, ytr, yctr, K, (unsigned long long)x->task.seed};
                    ut_err fe;
                    ut_err_clear(&fe);
                    int g = plan ? plan->group_of[sr->cfg] : -1;
                    if (g >= 0 && plan->groups[g].shared && cf->family == RT_FAM_LOGREG) {
                        /* the C path ends at each optimum only to rounding:
                         * walk the same path to get the same bits */
                        if (path_fit(x, plan, g, plan->member_of[sr->cfg], &ts, Xt, ntest, K, &o, &fe)) err = fe.msg;
                        else if (o.error) err = o.error;
                        else new_scores(x, kind, ntest, yte, ytd, o.pred, o.proba, K, all);
                    } else if (rt_fit_predict_group(cf->family, &pv, 1, 0, &ts, Xt, ntest, &o, &fe)) err = fe.msg;
                    else if (o.error) err = o.error;
                    else new_scores(x, kind, ntest, yte, ytd, o.pred, o.proba, K, all);
                    if (!err && !isfinite(all[x->metric])) err = "the score is not a finite number";
                }
                ut_buf diff;
                ut_buf_init(&diff);
                int same;
                if (!sr->ok || err) {
                    same = !sr->ok && err && sr->error && !strcmp(sr->error, err);
                    if (!same)
                        ut_buf_printf(&diff, "stored: %s; now: %s", sr->ok ? "ok" : sr->error ? sr->error : "failed",
                                      err ? err : "ok");
                } else {
                    same = compare(sr->scores, all, kind, &diff);
                }
                same ? nsame++ : ndiff++;
                int row = ut_result_add_row(res);
                if (row >= 0) {
                    ut_result_set_int(res, row, 0, sr->run_id);
                    ut_result_set_int(res, row, 1, sr->cfg + 1);
                    ut_result_set_text(res, row, 2, rt_families[cf->family].name);
                    ut_result_set_int(res, row, 3, sr->fold);
                    ut_result_set_text(res, row, 4, same ? "identical" : "different");
                    ut_result_set_text(res, row, 5, rt_metrics[x->metric].name);
                    ut_result_set_float(res, row, 6, sr->ok ? score_of(sr->scores, x->metric) : NAN);
                    ut_result_set_float(res, row, 7, err ? NAN : all[x->metric]);
                    if (diff.len) ut_result_set_text(res, row, 8, diff.s);
                }
                ut_buf_free(&diff);
                free(o.pred);
                free(o.proba);
                free(o.error);
            }
            free(X), free(Xt), free(ytr), free(ytd), free(yctr), free(yte);
            if (tf_ok) rt_design_free(&d);
        }
    }
    for (int k = 0; k < nruns; k++) {
        if (runs[k].cfg >= 0) continue;
        /* a configuration the statement no longer yields */
        nunknown++;
        int row = ut_result_add_row(res);
        if (row < 0) continue;
        ut_result_set_int(res, row, 0, runs[k].run_id);
        ut_result_set_int(res, row, 3, runs[k].fold);
        ut_result_set_text(res, row, 4, "different");
        ut_result_set_text(res, row, 8, "its configuration is not among those the statement compiles to now");
    }
    rc = 0;
out:
    *total += nruns;
    *psame += nsame;
    *pdiff += ndiff;
    *punknown += nunknown;
    opt_plan_free(plan);
    free(hist);
    for (int k = 0; runs && k < nruns; k++) free(runs[k].scores), free(runs[k].error);
    free(runs);
    free(fold);
    free(yc);
    free(train);
    free(test);
    ut_result_free(r);
    rt_recompiled_free(&rx);
    return rc;
}

int rt_exec_reproduce(rt_ctx *c, const cmp_stmt *s, ut_result **out, char **msg, ut_err *e)
{
    const ast *st = s->src;
    *out = NULL;
    *msg = NULL;
    long long id;
    if (cmp_int(st->a, 1, 9007199254740992LL, &id, e)) return -1;
    long long exp_id = id, origin_exp = 0;
    char q[768];
    ut_result *r = NULL;
    if (!st->ival) {
        /* a run reused from the repository is reproduced as its origin
         * was fitted (its experiment's plan: logreg's C path depends on
         * the group), when the origin still exists */
        snprintf(q, sizeof q,
                 "SELECT r.experiment, o.experiment FROM runs r LEFT JOIN runs o ON o.run_id = r.reused_from "
                 "WHERE r.run_id = %lld", id);
        if (cat_select(c->cat, q, &r, e)) return -1;
        if (r->nrows == 0) {
            ut_result_free(r);
            return ut_errf_at(e, MLG_NAME, st->a->off, st->a->len, "no run with id %lld", id);
        }
        exp_id = r->cells[0].i;
        if (r->cells[1].type == UT_INT) origin_exp = r->cells[1].i;
        ut_result_free(r);
        r = NULL;
    }
    int rc = -1, nruns = 0, nsame = 0, ndiff = 0, nunknown = 0;
    static const char *const cols[] = {"run", "config", "family", "fold", "result", "metric", "stored", "now",
                                       "differences"};
    ut_result *res = ut_result_new(9, cols);
    if (!res) return oom(e);
    /* the runs fitted by this experiment (and reused runs whose origin is gone) */
    static const char *const own =
        "SELECT run_id, family, params, fold, status, scores, error FROM runs r WHERE %s = %lld AND "
        "(reused_from IS NULL OR NOT EXISTS (SELECT 1 FROM runs o WHERE o.run_id = r.reused_from)) ORDER BY run_id";
    /* reused runs, per origin experiment: shown with their own id, compared
     * with their own stored scores (the origin's, copied) */
    static const char *const reused =
        "SELECT r.run_id, o.family, o.params, o.fold, r.status, r.scores, r.error FROM runs r "
        "JOIN runs o ON o.run_id = r.reused_from WHERE r.%s = %lld AND o.experiment = %lld ORDER BY r.run_id";
    const char *key = st->ival ? "experiment" : "run_id";
    snprintf(q, sizeof q, own, key, id);
    if (!origin_exp && reproduce_set(c, exp_id, st->a, q, res, &nruns, &nsame, &ndiff, &nunknown, e)) goto out;
    snprintf(q, sizeof q,
             "SELECT DISTINCT o.experiment FROM runs r JOIN runs o ON o.run_id = r.reused_from WHERE r.%s = %lld "
             "ORDER BY 1", key, id);
    if (cat_select(c->cat, q, &r, e)) goto out;
    for (int i = 0; i < r->nrows; i++) {
        snprintf(q, sizeof q, reused, key, id, r->cells[i].i);
        if (reproduce_set(c, r->cells[i].i, st->a, q, res, &nruns, &nsame, &ndiff, &nunknown, e)) goto out;
    }
    /* what else may explain a difference: versions then and now */
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_printf(&b, "%s %lld: %d run%s, %d identical, %d different", st->ival ? "experiment" : "run", id,
                  nruns, nruns == 1 ? "" : "s", nsame, ndiff + nunknown);
    ut_result *pr = NULL;
    ut_err ig;
    ut_err_clear(&ig);
    snprintf(q, sizeof q, "SELECT mileage_version, blas FROM provenance WHERE experiment = %lld LIMIT 1", exp_id);
    if (cat_select(c->cat, q, &pr, &ig) == 0 && pr->nrows == 1 && pr->cells[0].type == UT_TEXT) {
        const char *mv = pr->cells[0].s, *bl = pr->cells[1].type == UT_TEXT ? pr->cells[1].s : "";
        if (strcmp(mv, MLG_VERSION)) ut_buf_printf(&b, "; recorded with mileage %s, now %s", mv, MLG_VERSION);
        if (strcmp(bl, la_version())) ut_buf_printf(&b, "; recorded with %s, now %s", bl, la_version());
    } else {
        ut_buf_puts(&b, "; the experiment predates provenance records (no mileage/BLAS versions stored)");
    }
    ut_result_free(pr);
    *msg = ut_buf_take(&b);
    *out = res;
    res = NULL;
    rc = *msg ? 0 : oom(e);
out:
    ut_result_free(res);
    ut_result_free(r);
    return rc;
}
