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
#include "progressive.h"
#include "ridge_folds.h"
#include "nb_folds.h"
#include "search.h"
#include "../optimizer/plan.h"
#include "linalg.h"
#include "../include/mileage.h"

typedef struct {
    long long run_id;
    int cfg, fold;
    long long config_id; /* the catalog's configuration id (rankings show it) */
    int ok;              /* stored status ok */
    char *scores;        /* stored scores JSON */
    char *error;         /* stored error */
    int blas;            /* BLAS threads its fit ran with; 0: not recorded */
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

/* One search batch of the experiment as its runs record it: the
 * configurations fitted together (in batch order) and, per round, the
 * training rows its fits saw (halving / hyperband: a prefix; 0: all). */
typedef struct {
    int id;              /* runs.batch; 0: runs that predate it (the whole statement) */
    int *cfg, n;         /* indices into x->configs, by batch_pos */
    long long *rows;     /* per round */
    opt_plan *plan;      /* built when first needed */
    int planned;
} batch_rec;

static void batches_free(batch_rec *b, int n)
{
    for (int i = 0; b && i < n; i++) {
        free(b[i].cfg);
        free(b[i].rows);
        opt_plan_free(b[i].plan);
    }
    free(b);
}

static batch_rec *batch_find(batch_rec *b, int n, int id)
{
    for (int i = 0; i < n; i++)
        if (b[i].id == id) return &b[i];
    return NULL;
}

/* The batches of experiment exp_id, ascending, from every run it records
 * (fitted and reused copies: a reused member was still in the group fit).
 * Runs without a batch (older catalogs) form batch 0: every configuration
 * of the statement, as one plan. */
static int load_batches(rt_ctx *c, const cmp_explore *x, long long exp_id, int nr, batch_rec **out, int *nout,
                        ut_err *e)
{
    char q[320];
    snprintf(q, sizeof q,
             "SELECT coalesce(batch, 0), coalesce(batch_pos, 0), family, params, fold, train_rows FROM runs "
             "WHERE experiment = %lld ORDER BY 1, 2", exp_id);
    ut_result *r = NULL;
    if (cat_select(c->cat, q, &r, e)) return -1;
    batch_rec *b = NULL;
    int n = 0, rc = -1;
    for (int i = 0; i < r->nrows; i++) {
        const ut_value *v = &r->cells[(size_t)i * 6];
        int id = (int)v[0].i;
        batch_rec *br = batch_find(b, n, id);
        if (!br) {
            batch_rec *nb = realloc(b, (size_t)(n + 1) * sizeof *nb);
            if (!nb) goto nomem;
            b = nb;
            br = &b[n++];
            memset(br, 0, sizeof *br);
            br->id = id;
            br->cfg = malloc(sizeof(int) * (size_t)(id ? x->nconfigs + 1 : x->nconfigs + 1));
            br->rows = calloc((size_t)nr + 1, sizeof *br->rows);
            if (!br->cfg || !br->rows) goto nomem;
            if (id == 0) {
                for (int k = 0; k < x->nconfigs; k++) br->cfg[k] = k;
                br->n = x->nconfigs;
            }
        }
        int fold = (int)v[4].i;
        if (fold >= 0 && fold < nr && v[5].type == UT_INT) br->rows[fold] = v[5].i;
        if (id == 0) continue;
        int cfg = v[2].type == UT_TEXT && v[3].type == UT_TEXT ? rt_config_index(x, v[2].s, v[3].s) : -1;
        int seen = cfg < 0;
        for (int k = 0; k < br->n && !seen; k++) seen = br->cfg[k] == cfg;
        if (!seen && br->n < x->nconfigs) br->cfg[br->n++] = cfg;   /* ordered by batch_pos */
    }
    *out = b;
    *nout = n;
    b = NULL;
    n = 0;
    rc = 0;
    goto done;
nomem:
    oom(e);
done:
    batches_free(b, n);
    ut_result_free(r);
    return rc;
}

/* The plan the experiment ran batch br through (exec_explore.c: the
 * batch's configurations through the optimizer, sharing as recorded). */
static const opt_plan *batch_plan(const cmp_explore *x, batch_rec *br, opt_stats *ost, int share)
{
    if (br->planned) return br->plan;
    br->planned = 1;
    cmp_explore sx = *x;
    sx.configs = malloc(sizeof *sx.configs * (size_t)(br->n + 1));
    if (!sx.configs) return NULL;
    for (int k = 0; k < br->n; k++) sx.configs[k] = x->configs[br->cfg[k]];
    sx.nconfigs = br->n;
    ut_err pe;
    ut_err_clear(&pe);
    if (opt_physical(&sx, ost, share, &br->plan, &pe)) br->plan = NULL;
    free(sx.configs);
    return br->plan;
}

/* A reproduced run's outcome, kept until the rows are written in run order. */
typedef struct {
    int done;
    char *err;
    double all[RT_MET__COUNT];
} run_out;

/* Reproduces the runs sql selects (columns: the run id to show, family,
 * params, fold, status, stored scores, stored error, batch of the fitted
 * run, the run's configuration id) as experiment exp_id fitted them — the same batches,
 * group fits in the same order, the same training rows — appending one row
 * per run to res. */
static int reproduce_set(rt_ctx *c, long long exp_id, const ast *at, const char *sql, ut_result *res, int *total,
                         int *psame, int *pdiff, int *punknown, ut_err *e)
{
    rt_recompiled rx;
    if (rt_experiment_compile(c, exp_id, at, &rx, e)) return -1;
    const cmp_explore *x = rx.x;
    int rc = -1, nruns = 0, nsame = 0, ndiff = 0, nunknown = 0, nb = 0;
    stored_run *runs = NULL;
    run_out *ro = NULL;
    int *rbatch = NULL;
    batch_rec *bs = NULL;
    rt_prog *prog = NULL;
    rt_ridge_folds *rf = NULL;   /* rule 2's blocks, made when a group used them */
    rt_nb_folds *nbf = NULL;     /* and nb's class statistics per fold */
    int rf_tried = 0, nbf_tried = 0;
    double *hist = NULL;
    int *fold = NULL, nfold = 0, *yc = NULL, *train = NULL, *test = NULL, K = 0;
    double *y = NULL;
    ut_result *r = NULL;
    int nr = x->task.nrounds > 0 ? x->task.nrounds : 1;

    /* the runs to reproduce */
    if (cat_select(c->cat, sql, &r, e)) goto out;
    if (r->nrows == 0) {
        rc = 0;   /* e.g. every run of the experiment was reused */
        goto out;
    }
    runs = calloc((size_t)r->nrows + 1, sizeof *runs);
    ro = calloc((size_t)r->nrows + 1, sizeof *ro);
    rbatch = calloc((size_t)r->nrows + 1, sizeof *rbatch);
    if (!runs || !ro || !rbatch) {
        oom(e);
        goto out;
    }
    for (int i = 0; i < r->nrows; i++) {
        const ut_value *v = &r->cells[(size_t)i * 10];
        stored_run *sr = &runs[nruns];
        rbatch[nruns++] = v[7].type == UT_INT ? (int)v[7].i : 0;
        sr->run_id = v[0].i;
        sr->config_id = v[8].type == UT_INT ? v[8].i : 0;
        sr->cfg = v[1].type == UT_TEXT && v[2].type == UT_TEXT ? rt_config_index(x, v[1].s, v[2].s) : -1;
        sr->fold = (int)v[3].i;
        sr->ok = v[4].type == UT_TEXT && !strcmp(v[4].s, "ok");
        sr->scores = v[5].type == UT_TEXT ? ut_strdup(v[5].s) : NULL;
        sr->error = v[6].type == UT_TEXT ? ut_strdup(v[6].s) : NULL;
        sr->blas = v[9].type == UT_INT ? (int)v[9].i : 0;
    }
    if (load_batches(c, x, exp_id, nr, &bs, &nb, e)) goto out;

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
    /* as exec_explore.c ran it: sharing as recorded (none under a time
     * budget: one configuration per fit); halving / hyperband fit on a
     * prefix of each round's shuffled rows and, sharing, update kept
     * statistics rung by rung (progressive.h) */
    int subsample = x->strategy.kind == CMP_SEARCH_HALVING || x->strategy.kind == CMP_SEARCH_HYPERBAND;
    int share = recorded_sharing(c, exp_id) && x->strategy.budget_unit != CMP_BUDGET_SECONDS;
    opt_stats ost;
    {
        ut_err pe;
        ut_err_clear(&pe);
        if (rt_plan_stats(c, x, &ost, &hist, &pe)) memset(&ost, 0, sizeof ost);
        ost.hist = NULL;   /* per configuration of x: batch plans index differently */
    }
    if (share && subsample && !(prog = rt_prog_new())) {
        oom(e);
        goto out;
    }
    for (int round = 0; round < x->task.nrounds; round++) {
        int ntrain = 0, ntest = 0;
        rt_protocol_rows(&proto, fold, n, round, train, &ntrain, test, &ntest);
        if (subsample) {
            /* exec_explore.c's shuffle: every rung's rows are a prefix */
            ut_rng g;
            ut_rng_seed(&g, (unsigned long long)x->task.seed * 0x9e3779b97f4a7c15ULL + (uint64_t)round + 1);
            ut_rng_shuffle_int(&g, train, ntrain);
        }
        for (int pipe = 0; pipe < x->npipes; pipe++) {
            int any = 0;
            for (int k = 0; k < nruns && !any; k++)
                any = runs[k].fold == round && runs[k].cfg >= 0 && x->configs[runs[k].cfg].pipe == pipe;
            if (!any) continue;
            rt_tf_step steps[CMP_MAX_STEPS];
            int ns = cmp_pipeline_steps(&x->pipes[pipe], steps);
            rt_design d;
            ut_err te;
            ut_err_clear(&te);
            /* one BLAS thread, as EXPLORE computes every design (exec_explore.c) */
            if (c->threads > 1) la_set_threads(1);
            int tf_ok = rt_pipeline_run(t, target, steps, ns, train, ntrain, &d, &te) == 0;
            if (c->threads > 1) la_set_threads(c->threads);
            if (!tf_ok) {
                for (int k = 0; k < nruns; k++) {
                    if (runs[k].fold != round || runs[k].cfg < 0 || x->configs[runs[k].cfg].pipe != pipe) continue;
                    ro[k].done = 1;
                    ro[k].err = ut_strdup(te.msg);
                    for (int m = 0; m < RT_MET__COUNT; m++) ro[k].all[m] = NAN;
                }
                continue;
            }
            double *X = malloc(sizeof(double) * (size_t)ntrain * (size_t)(d.p ? d.p : 1) + 1);
            double *Xt = malloc(sizeof(double) * (size_t)ntest * (size_t)(d.p ? d.p : 1) + 1);
            double *ytr = NULL, *ytd = NULL;
            int *yctr = NULL, *yte = NULL;
            if (kind == RT_CLASSIFICATION) {
                yctr = malloc(sizeof(int) * (size_t)(ntrain + 1));
                yte = malloc(sizeof(int) * (size_t)(ntest + 1));
            } else {
                ytr = malloc(sizeof(double) * (size_t)(ntrain + 1));
                ytd = malloc(sizeof(double) * (size_t)(ntest + 1));
            }
            if (!X || !Xt || (kind == RT_CLASSIFICATION ? !yctr || !yte : !ytr || !ytd)) {
                free(X), free(Xt), free(ytr), free(ytd), free(yctr), free(yte), rt_design_free(&d);
                oom(e);
                goto out;
            }
            for (int i = 0; i < ntrain; i++)
                memcpy(X + (size_t)i * d.p, d.x + (size_t)train[i] * d.p, sizeof(double) * (size_t)d.p);
            for (int i = 0; i < ntest; i++)
                memcpy(Xt + (size_t)i * d.p, d.x + (size_t)test[i] * d.p, sizeof(double) * (size_t)d.p);
            for (int i = 0; yctr && i < ntrain; i++) yctr[i] = yc[train[i]];
            for (int i = 0; yte && i < ntest; i++) yte[i] = yc[test[i]];
            for (int i = 0; ytr && i < ntrain; i++) ytr[i] = y[train[i]];
            for (int i = 0; ytd && i < ntest; i++) ytd[i] = y[test[i]];
            /* batch by batch in the search's order, group by group as the
             * batch's plan fitted them */
            for (int bi = 0; bi < nb; bi++) {
                batch_rec *br = &bs[bi];
                const opt_plan *bp = batch_plan(x, br, &ost, share);
                if (!bp) continue;
                long long nfit = br->rows[round] > 0 && br->rows[round] <= ntrain ? br->rows[round] : ntrain;
                for (int gi = 0; gi < bp->ngroups; gi++) {
                    const opt_group *gr = &bp->groups[gi];
                    if (gr->n <= 0 || x->configs[br->cfg[gr->configs[0]]].pipe != pipe) continue;
                    rt_family fam = x->configs[br->cfg[gr->configs[0]]].family;
                    int progressive = prog && rt_prog_supports(fam);
                    int need = 0, blas = 0;
                    for (int k = 0; k < nruns; k++) {
                        if (runs[k].fold != round || rbatch[k] != br->id || ro[k].done) continue;
                        int in = 0;
                        for (int m = 0; m < gr->n && !in; m++) in = br->cfg[gr->configs[m]] == runs[k].cfg;
                        need |= in;
                        if (in && runs[k].blas > 0) blas = runs[k].blas;
                    }
                    /* progressive statistics: every rung updates them, wanted or not */
                    if (!need && !progressive) continue;
                    const rt_pval **pv = calloc((size_t)gr->n, sizeof *pv);
                    rt_group_out *outs = calloc((size_t)gr->n, sizeof *outs);
                    int ok = pv && outs;
                    for (int m = 0; ok && m < gr->n; m++) {
                        pv[m] = x->configs[br->cfg[gr->configs[m]]].params;
                        outs[m].pred = malloc(sizeof(double) * (size_t)(ntest + 1));
                        outs[m].proba = K ? malloc(sizeof(double) * (size_t)(ntest + 1) * (size_t)K) : NULL;
                        ok = outs[m].pred && (!K || outs[m].proba);
                    }
                    if (!ok) {
                        for (int m = 0; outs && m < gr->n; m++) free(outs[m].pred), free(outs[m].proba);
                        free(outs), free(pv);
                        free(X), free(Xt), free(ytr), free(ytd), free(yctr), free(yte), rt_design_free(&d);
                        oom(e);
                        goto out;
                    }
                    rt_trainset ts = {X, (int)nfit, d.p, ytr, yctr, K, (unsigned long long)x->task.seed};
                    ut_err fe;
                    ut_err_clear(&fe);
                    /* rule 2 as EXPLORE ran it (exec_explore.c's group_path):
                     * the per-fold Gram blocks round otherwise than the
                     * round's own design */
                    int brc = 0;
                    if (gr->gram_folds && !prog && !rf_tried && proto.type == RT_PROTO_CV) {
                        rf_tried = 1;
                        if (c->threads > 1) la_set_threads(1);   /* as EXPLORE makes them */
                        brc = rt_ridge_folds_new(t, target, fold, proto.k, yc, y, K, &rf, e);
                        if (c->threads > 1) la_set_threads(c->threads);
                    }
                    if (!brc && gr->nb_folds && !prog && !nbf_tried && proto.type == RT_PROTO_CV && K > 0) {
                        nbf_tried = 1;
                        brc = rt_nb_folds_new(t, target, fold, proto.k, yc, K, &nbf, e);
                    }
                    if (brc) {
                        for (int m = 0; m < gr->n; m++) free(outs[m].pred), free(outs[m].proba);
                        free(outs), free(pv);
                        free(X), free(Xt), free(ytr), free(ytd), free(yctr), free(yte), rt_design_free(&d);
                        goto out;
                    }
                    int folds_path = gr->gram_folds && !prog && rf && rt_ridge_folds_p(rf) == d.p &&
                                     rt_ridge_folds_ntrain(rf, round) == nfit;
                    int nb_path = gr->nb_folds && !prog && nbf && rt_nb_folds_p(nbf) == d.p &&
                                  rt_nb_folds_ntrain(nbf, round) == nfit;
                    /* the BLAS threads the runs' fit had: some of its sums
                     * are ordered by them (catalog schema v11) */
                    if (blas > 0 && blas != c->threads) la_set_threads(blas);
                    int frc = nb_path ? rt_fit_predict_nb_folds(nbf, round, gr->nb_folds == 2, pv, gr->n, d.p, Xt, ntest,
                                                                outs, &fe)
                                      : 1;   /* 1: not taken, or declined as EXPLORE saw it decline */
                    if (frc == 1 && folds_path)
                        frc = rt_fit_predict_gram_folds(rf, fam, round, gr->gram_folds == 2, pv, gr->n, d.p, K, Xt,
                                                        ntest, outs, &fe);
                    if (frc == 1)
                        frc = progressive
                                  ? rt_prog_fit_predict(prog, pipe, round, fam, pv, gr->n, &ts, Xt, ntest, outs, &fe)
                                  : rt_fit_predict_group(fam, pv, gr->n, gr->shared, &ts, Xt, ntest, outs, &fe);
                    if (blas > 0 && blas != c->threads) la_set_threads(c->threads);
                    for (int m = 0; m < gr->n; m++) {
                        rt_group_out *o = &outs[m];
                        for (int k = 0; k < nruns; k++) {
                            run_out *q = &ro[k];
                            if (runs[k].fold != round || rbatch[k] != br->id || q->done ||
                                runs[k].cfg != br->cfg[gr->configs[m]])
                                continue;
                            q->done = 1;
                            for (int mm = 0; mm < RT_MET__COUNT; mm++) q->all[mm] = NAN;
                            const char *err = frc ? fe.msg : o->error;
                            if (!err) {
                                new_scores(x, kind, ntest, yte, ytd, o->pred, o->proba, K, q->all);
                                if (!isfinite(q->all[x->metric])) err = "the score is not a finite number";
                            }
                            q->err = err ? ut_strdup(err) : NULL;
                        }
                        free(o->pred);
                        free(o->proba);
                        free(o->error);
                        free(o->warning);
                    }
                    free(outs);
                    free(pv);
                }
            }
            free(X), free(Xt), free(ytr), free(ytd), free(yctr), free(yte);
            rt_design_free(&d);
        }
    }
    /* one row per run, round by round, pipeline by pipeline, in run order */
    for (int round = 0; round < x->task.nrounds; round++) {
        for (int pipe = 0; pipe < x->npipes; pipe++) {
            for (int k = 0; k < nruns; k++) {
                stored_run *sr = &runs[k];
                if (sr->fold != round || sr->cfg < 0 || x->configs[sr->cfg].pipe != pipe) continue;
                const cmp_config *cf = &x->configs[sr->cfg];
                run_out *q = &ro[k];
                const char *err = q->done ? q->err : "its search batch is not among the experiment's runs";
                if (!q->done)
                    for (int m = 0; m < RT_MET__COUNT; m++) q->all[m] = NAN;
                ut_buf diff;
                ut_buf_init(&diff);
                int same;
                if (!sr->ok || err) {
                    same = !sr->ok && err && sr->error && !strcmp(sr->error, err);
                    if (!same)
                        ut_buf_printf(&diff, "stored: %s; now: %s", sr->ok ? "ok" : sr->error ? sr->error : "failed",
                                      err ? err : "ok");
                } else {
                    same = compare(sr->scores, q->all, kind, &diff);
                }
                same ? nsame++ : ndiff++;
                int row = ut_result_add_row(res);
                if (row >= 0) {
                    ut_result_set_int(res, row, 0, sr->run_id);
                    ut_result_set_int(res, row, 1, sr->config_id);
                    ut_result_set_text(res, row, 2, rt_families[cf->family].name);
                    ut_result_set_int(res, row, 3, sr->fold);
                    ut_result_set_text(res, row, 4, same ? "identical" : "different");
                    ut_result_set_text(res, row, 5, rt_metrics[x->metric].name);
                    ut_result_set_float(res, row, 6, sr->ok ? score_of(sr->scores, x->metric) : NAN);
                    ut_result_set_float(res, row, 7, err ? NAN : q->all[x->metric]);
                    if (diff.len) ut_result_set_text(res, row, 8, diff.s);
                }
                ut_buf_free(&diff);
            }
        }
    }
    for (int k = 0; k < nruns; k++) {
        if (runs[k].cfg >= 0) continue;
        /* a configuration the statement no longer yields */
        nunknown++;
        int row = ut_result_add_row(res);
        if (row < 0) continue;
        ut_result_set_int(res, row, 0, runs[k].run_id);
        ut_result_set_int(res, row, 1, runs[k].config_id);
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
    rt_prog_free(prog);
    rt_ridge_folds_free(rf);
    rt_nb_folds_free(nbf);
    batches_free(bs, nb);
    free(hist);
    for (int k = 0; runs && k < nruns; k++) free(runs[k].scores), free(runs[k].error);
    for (int k = 0; ro && k < nruns; k++) free(ro[k].err);
    free(ro);
    free(rbatch);
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
        "SELECT run_id, family, params, fold, status, scores, error, batch, config_id,"
        " (SELECT p.blas_threads FROM provenance p WHERE p.run_id = r.run_id) FROM runs r WHERE %s = %lld AND "
        "(reused_from IS NULL OR NOT EXISTS (SELECT 1 FROM runs o WHERE o.run_id = r.reused_from)) ORDER BY run_id";
    /* reused runs, per origin experiment: shown with their own id, compared
     * with their own stored scores (the origin's, copied) */
    static const char *const reused =
        "SELECT r.run_id, o.family, o.params, o.fold, r.status, r.scores, r.error, o.batch, r.config_id,"
        " (SELECT p.blas_threads FROM provenance p WHERE p.run_id = o.run_id) FROM runs r "
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
