/* exec_explore.c — runs the physical plan of EXPLORE.
 * Node outputs (each transform's training/test rows, each group's
 * predictions) live in an execution-state array beside the read-only plan
 * and are freed as soon as their last user has run.  Every run is written
 * as it finishes, in its own transaction, so a crash, kill or Ctrl-C loses
 * no finished run and the experiment row says how it ended. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "parts.h"
#include "exec_model.h"
#include "protocol.h"
#include "share.h"
#include "stop.h"
#include "linalg.h"
#include "ridge_folds.h"
#include "nb_folds.h"
#include "optimes.h"
#include "progressive.h"
#include "cache.h"
#include "cache_forest.h"
#include "search.h"
#include "cache_pred.h"
#include "reuse.h"
#include "../include/mileage.h"

typedef struct {
    int       done;        /* TRANSFORM / FIT already executed */
    int       skipped;     /* FIT not needed: its runs were recorded before */
    double   *xtr, *xte;   /* TRANSFORM output: the round's training and test
                              rows of the design, row-major, p columns */
    int       p;
    int       has_design;
    int       xte_inside;  /* xte points into xtr's block (not its own) */
    int       test_only;   /* TRANSFORM: the test rows alone (xtr NULL): its
                              fits fit from STATS (opt_node.test_only) */
    rt_group_out *outs;    /* FIT output: one per configuration of its group */
    struct scored_out *scored; /* FIT: outs' scores, made by the fit's worker
                              (NULL: EVALUATE makes them) */
    int       nouts;
    int       remaining;   /* users that have not run yet */
    char     *error;       /* TRANSFORM failure, reported by its groups' runs */
    double    chain_s;     /* TRANSFORM: CPU seconds of the design from the
                              table, with the kept prefix it continued */
    rt_lineage_hex lin;    /* TRANSFORM with the cache active: the design's
                              lineage ("" otherwise); keys its fitted trees */
    int       pca_at, pca_n; /* TRANSFORM computed: where columns pc1..pc<pca_n>
                              are in a row (pca_n = 0: none, or ambiguous) */
    int       blas;        /* FIT: the BLAS threads it ran with (its runs
                              record it; REPRODUCE replays it) */
    unsigned char ran;     /* TRANSFORM: 1 computed, 2 loaded from the
                              cache, 3 computed and offered to it, 4 the
                              test rows alone computed;
                              STATS: 1 computed, 2 loaded;
                              EVALUATE: 1 (optimes.h records them) */
} node_state;

typedef struct {
    double *score;         /* nconfigs x nrounds, NAN when failed */
    double *all;           /* nconfigs x nrounds x RT_MET__COUNT: every metric */
    double *fit_s, *pred_s;
    int    *failed;        /* per config: failed runs */
    char  **first_error;   /* per config */
    int    *rung;          /* per config: the rung of its latest scores (-1: none yet) */
    long long *rows;       /* per config: training rows of its latest fit in round 0 */
    int     show_rows;     /* halving / hyperband: a rows column in the result */
} tally;

static double score_better(rt_metric m, double a, double b)
{
    if (isnan(b)) return !isnan(a);
    if (isnan(a)) return 0;
    return rt_metrics[m].higher_is_better ? a > b : a < b;
}

/* Gathers the rows idx[0..n) of a row-major design. */
static double *gather(const rt_design *d, const int *idx, int n)
{
    double *x = ut_malloc_big((size_t)n * (size_t)d->p * sizeof *x + 1);
    if (!x) return NULL;
    for (int i = 0; i < n; i++) memcpy(x + (size_t)i * d->p, d->x + (size_t)idx[i] * d->p, (size_t)d->p * sizeof *x);
    return x;
}

/* Reorders the rows of d in place to train[0..ntrain) then test[0..ntest)
 * when those are every row once (CV, holdout): the round's two matrices
 * then live in the design's own block, one copy of the data fewer than
 * gathering them.  Returns 0 when done, -1 when the rows do not partition
 * d or memory is short (the caller gathers instead). */
static int split_in_place(rt_design *d, const int *train, int ntrain, const int *test, int ntest)
{
    int n = d->n, p = d->p;
    if (ntrain + ntest != n || n <= 0) return -1;
    int *src = malloc((size_t)n * sizeof *src);          /* new row i = old row src[i] */
    unsigned char *seen = calloc((size_t)n, 1);
    double *tmp = malloc((size_t)(p > 0 ? p : 1) * sizeof *tmp);
    int rc = -1;
    if (!src || !seen || !tmp) goto out;
    for (int i = 0; i < n; i++) {
        int r = i < ntrain ? train[i] : test[i - ntrain];
        if (r < 0 || r >= n || seen[r]) goto out;
        seen[r] = 1;
        src[i] = r;
    }
    memset(seen, 0, (size_t)n);
    /* follow each cycle of the permutation once, one row in hand */
    for (int i = 0; i < n; i++) {
        if (seen[i] || src[i] == i) continue;
        memcpy(tmp, d->x + (size_t)i * p, (size_t)p * sizeof *tmp);
        int j = i;
        while (src[j] != i) {
            memcpy(d->x + (size_t)j * p, d->x + (size_t)src[j] * p, (size_t)p * sizeof *tmp);
            seen[j] = 1;
            j = src[j];
        }
        memcpy(d->x + (size_t)j * p, tmp, (size_t)p * sizeof *tmp);
        seen[j] = 1;
    }
    rc = 0;
out:
    free(src);
    free(seen);
    free(tmp);
    return rc;
}

static void drop_design(node_state *ns)
{
    free(ns->xtr);
    if (!ns->xte_inside) free(ns->xte);
    ns->xtr = ns->xte = NULL;
    ns->xte_inside = 0;
}

typedef struct {
    const rt_table *t;
    int target, n, nclasses;
    const int *fold;
    rt_protocol proto;
    int *yc;           /* classification */
    double *y;         /* regression */
    rt_kind kind;
    unsigned long long seed;  /* the task's: randomized families repeat exactly */
    int cost;          /* WITH INTENT cost: the cost metric is computed too */
    double cost_fn, cost_fp;
    int *train, *test; /* scratch */
    rt_ridge_folds *rfolds;  /* rule 2's per-fold Gram blocks, or NULL */
    int rfolds_tried;
    rt_nb_folds *nbfolds;    /* rule 2's per-fold class statistics (gaussian nb), or NULL */
    int nbfolds_tried;
    rt_ctx *cache;     /* the intermediate cache when active (fitted trees, knn lists), or NULL */
    const opt_stats *st;      /* the cost model's statistics (cache_pred.h's decisions), or NULL */
    int pred_cache;           /* groups' predictions and models cached: not under halving / hyperband */
} data_ctx;

/* All metrics of the task's kind, as JSON; the ranking metric in *score. */
static char *scores_json(const data_ctx *dc, const int *test, int ntest, const double *pred,
                         const double *proba, rt_metric rank, double *score, double *all)
{
    int *yt = NULL;
    double *ytd = NULL;
    if (dc->kind == RT_CLASSIFICATION) {
        yt = malloc((size_t)ntest * sizeof *yt + 1);
        if (!yt) return NULL;
        for (int i = 0; i < ntest; i++) yt[i] = dc->yc[test[i]];
    } else {
        ytd = malloc((size_t)ntest * sizeof *ytd + 1);
        if (!ytd) return NULL;
        for (int i = 0; i < ntest; i++) ytd[i] = dc->y[test[i]];
    }
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_putc(&b, '{');
    int first = 1;
    for (int m = 0; m < RT_MET__COUNT; m++) {
        if (rt_metrics[m].classification != (dc->kind == RT_CLASSIFICATION)) continue;
        double v = m == RT_MET_COST ? (dc->cost ? rt_metric_cost(ntest, yt, pred, dc->cost_fn, dc->cost_fp) : NAN)
                                    : rt_metric_score((rt_metric)m, ntest, yt, ytd, pred, proba, dc->nclasses);
        if (m == (int)rank) *score = v;
        all[m] = v;
        if (isnan(v)) continue;
        if (!first) ut_buf_putc(&b, ',');
        first = 0;
        ut_buf_json_str(&b, rt_metrics[m].name);
        ut_buf_putc(&b, ':');
        ut_buf_json_num(&b, v);
    }
    ut_buf_putc(&b, '}');
    free(yt);
    free(ytd);
    return ut_buf_take(&b);
}

/* The design of pipeline q on the round's training rows train[0..ntrain)
 * (the fit's: dc->train is the walk's current round), for a fit whose
 * TRANSFORM made the test rows alone and whose statistics declined
 * (ridge_folds.h, nb_folds.h): the chain run again from the table, which
 * gives the rows a whole TRANSFORM would have made, bit for bit
 * (transform.h). */
static double *train_design(const data_ctx *dc, const cmp_explore *x, int q, const int *train, int ntrain, int p,
                            ut_err *e)
{
    rt_tf_step steps[CMP_MAX_STEPS];
    int nsteps = cmp_pipeline_steps(&x->pipes[q], steps);
    rt_design d;
    int rc = rt_tf_scaled_rows(dc->t, dc->target, steps, nsteps, train, ntrain, train, ntrain, &d, e);
    double *X = NULL;
    if (rc == 1) {   /* not that chain: the whole design, its training rows taken */
        if (rt_pipeline_run(dc->t, dc->target, steps, nsteps, train, ntrain, &d, e)) return NULL;
        if (d.p == p && !(X = gather(&d, train, ntrain))) ut_errf(e, MLG_NOMEM, "out of memory");
    } else if (rc == 0 && d.p == p) {
        X = d.x;
        d.x = NULL;
    }
    if (rc >= 0 && d.p != p)
        ut_errf(e, MLG_ERROR, "internal error: the training rows' design has %d columns, its test rows %d", d.p, p);
    rt_design_free(&d);
    return X;
}

/* Which path run_group fits a group by, for its predictions' lineage: 0
 * the rows, 1 / 2 ridge by rule 2's per-fold Gram blocks (raw /
 * standardized), 3 / 4 gaussian nb by rule 2's per-fold class statistics
 * — the dispatch's own test, as the paths round differently. */
static int group_path(const data_ctx *dc, const opt_group *g, const node_state *tf, const rt_prog *prog, int round,
                      int ntrain)
{
    if (g->nb_folds)
        return dc->nbfolds && !prog && rt_nb_folds_p(dc->nbfolds) == tf->p &&
                       rt_nb_folds_ntrain(dc->nbfolds, round) == ntrain
                   ? 2 + g->nb_folds
                   : 0;
    return g->gram_folds && dc->rfolds && !prog && rt_ridge_folds_p(dc->rfolds) == tf->p &&
                   rt_ridge_folds_ntrain(dc->rfolds, round) == ntrain
               ? g->gram_folds
               : 0;
}

/* FIT of one group: its configurations on the round's training rows,
 * predicting the round's test rows (share.c decides what is shared).
 * With the cache, the group's predictions (or its models) are read from
 * it first, and offered after a fit (cache_pred.h). */
static int run_group(const data_ctx *dc, const cmp_explore *x, const opt_group *g, const node_state *tf,
                     const int *train, int ntrain, int ntest, node_state *ns, rt_prog *prog, int round, ut_err *e)
{
    /* the transform's rows are shared read-only by every group of it */
    const double *X = tf->xtr, *Xt = tf->xte;
    double *own = NULL;   /* the training rows made for a declined fit (test_only) */
    int *yc = NULL, rc = -1, k = dc->kind == RT_CLASSIFICATION ? dc->nclasses : 0;
    double *y = NULL;
    const rt_pval **params = malloc((size_t)g->n * sizeof *params);
    rt_pred_group pg;
    memset(&pg, 0, sizeof pg);
    ns->outs = calloc((size_t)g->n, sizeof *ns->outs);
    ns->nouts = g->n;
    if ((!X && !tf->test_only) || !Xt || !params || !ns->outs) goto oom;
    for (int i = 0; i < g->n; i++) {
        params[i] = x->configs[g->configs[i]].params;
        ns->outs[i].pred = malloc((size_t)ntest * sizeof(double) + 1);
        ns->outs[i].proba = k ? malloc((size_t)ntest * (size_t)k * sizeof(double) + 1) : NULL;
        if (!ns->outs[i].pred || (k && !ns->outs[i].proba)) goto oom;
    }
    /* progressive rungs fit from merged statistics, not from these rows
     * alone: never cached */
    if (dc->cache && dc->pred_cache && !prog && tf->lin[0]) {
        char where[512];
        const cmp_pipeline *ppl = &x->pipes[x->configs[g->configs[0]].pipe];
        snprintf(where, sizeof where, "%s, round %d, dataset %s", ppl->nsteps ? ppl->text : "no preprocessing",
                 round + 1, x->dataset.name);
        int how = 0;
        if (rt_pred_group_init(&pg, dc->cache, x, g, dc->st, tf->lin, where, group_path(dc, g, tf, prog, round, ntrain),
                               ntrain, ntest, tf->p, k, dc->seed, e))
            goto done;
        int lr = rt_pred_group_load(&pg, Xt, ns->outs, &how, e);
        if (lr) {
            rc = lr == 1 ? 0 : -1;
            goto done;
        }
    }
    if (k) {
        if (!(yc = malloc((size_t)ntrain * sizeof *yc + 1))) goto oom;
        for (int i = 0; i < ntrain; i++) yc[i] = dc->yc[train[i]];
    } else {
        if (!(y = malloc((size_t)ntrain * sizeof *y + 1))) goto oom;
        for (int i = 0; i < ntrain; i++) y[i] = dc->y[train[i]];
    }
    rt_trainset ts = {X, ntrain, tf->p, y, yc, k, dc->seed};
    rt_family fam = x->configs[g->configs[0]].family;
    int path = group_path(dc, g, tf, prog, round, ntrain);
    /* nb's fold statistics decline where subtracting would lose digits
     * (nb_folds.h), linreg's Gram where it is ill-conditioned
     * (ridge_folds.h): the design's fit then, deterministic like the
     * decline */
    int frc = path >= 3   ? rt_fit_predict_nb_folds(dc->nbfolds, round, path == 4, params, g->n, tf->p, Xt, ntest,
                                                    ns->outs, e)
              : path >= 1 ? rt_fit_predict_gram_folds(dc->rfolds, fam, round, path == 2, params, g->n, tf->p, k, Xt,
                                                      ntest, ns->outs, e)
                          : 1;
    if (frc == 1 && !X) {
        if (!(own = train_design(dc, x, x->configs[g->configs[0]].pipe, train, ntrain, tf->p, e))) goto done;
        ts.X = own;
    }
    if (frc != 1)
        rc = frc;
    else if (prog && rt_prog_supports(fam))
        rc = rt_prog_fit_predict(prog, x->configs[g->configs[0]].pipe, round, fam, params, g->n, &ts, Xt, ntest,
                                 ns->outs, e);
    else if ((fam == RT_FAM_TREE || fam == RT_FAM_KNN) && dc->cache && tf->lin[0]) {
        /* across queries: the grown tree reused, extended or stored; knn's
         * neighbour lists loaded or stored */
        char what[512];
        int decision = 0;
        const cmp_pipeline *pl = &x->pipes[x->configs[g->configs[0]].pipe];
        snprintf(what, sizeof what, "%s, round %d, dataset %s", pl->nsteps ? pl->text : "no preprocessing", round + 1,
                 x->dataset.name);
        rc = fam == RT_FAM_TREE
                 ? rt_tree_group_cached(dc->cache, tf->lin, what, params, g->n, &ts, Xt, ntest, ns->outs, &decision, e)
                 : rt_knn_group_cached(dc->cache, tf->lin, what, params, g->n, &ts, Xt, ntest, ns->outs, &decision, e);
    } else if ((fam == RT_FAM_FOREST || fam == RT_FAM_GBT) && dc->cache && tf->lin[0]) {
        /* the fitted forest / boosted model across queries (cache_forest.h) */
        char what[512];
        int decision = 0;
        const cmp_pipeline *pl = &x->pipes[x->configs[g->configs[0]].pipe];
        snprintf(what, sizeof what, "%s, round %d, dataset %s", pl->nsteps ? pl->text : "no preprocessing", round + 1,
                 x->dataset.name);
        rc = rt_ensemble_group_cached(dc->cache, fam, tf->lin, what, params, g->n, &ts, Xt, ntest, ns->outs,
                                      &decision, e);
    } else
        rc = rt_fit_predict_group_keep(fam, params, g->n, g->shared, &ts, Xt, ntest, ns->outs, pg.models, e);
    if (!rc) rt_pred_group_offer(&pg, ns->outs);
    goto done;
oom:
    ut_errf(e, MLG_NOMEM, "out of memory");
done:
    rt_pred_group_free(&pg);
    free(own);
    free(yc);
    free(y);
    free(params);
    return rc;
}

/* A configuration's scores on its round's test rows: the JSON its run
 * records, the ranking metric's value, every metric, and the seconds they
 * took (the run's predict_seconds). */
typedef struct scored_out {
    char  *json;          /* NULL: not scored (failed, stopped, out of memory) */
    double score, seconds;
    double all[RT_MET__COUNT];
} scored_out;

static void free_outs(node_state *ns)
{
    for (int i = 0; i < ns->nouts; i++) {
        free(ns->outs[i].pred);
        free(ns->outs[i].proba);
        free(ns->outs[i].error);
        free(ns->outs[i].warning);
        if (ns->scored) free(ns->scored[i].json);
    }
    free(ns->outs);
    free(ns->scored);
    ns->outs = NULL;
    ns->scored = NULL;
    ns->nouts = 0;
}

static int insert_run(rt_ctx *c, long long exp_id, long long config_id, int round, double score,
                      const char *sj, double fit_s, double pred_s, const char *err, const char *warning, int rung,
                      long long rows, int seq, int batch, int batch_pos, int blas, ut_err *e)
{
    cat_run r = {exp_id, config_id, round, err ? NAN : score, sj ? sj : "{}", fit_s, pred_s,
                 err ? "failed" : "ok", err, rung, rows, 0, err ? NULL : warning, seq, batch, batch_pos, blas};
    return cat_run_insert(c->cat, &r, e);
}

static void free_state(node_state *ns, int n)
{
    for (int i = 0; i < n; i++) {
        drop_design(&ns[i]);
        free_outs(&ns[i]);
        free(ns[i].error);
    }
    free(ns);
}

/* ---- the ranked result ---- */

static int cmp_rank_metric;
static const double *cmp_rank_mean;
static const int *cmp_rank_rung;
static int rank_cmp(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    /* a score on more rows outranks one on a sample */
    if (cmp_rank_rung[i] != cmp_rank_rung[j]) return cmp_rank_rung[j] - cmp_rank_rung[i];
    double x = cmp_rank_mean[i], y = cmp_rank_mean[j];
    if (score_better((rt_metric)cmp_rank_metric, x, y)) return -1;
    if (score_better((rt_metric)cmp_rank_metric, y, x)) return 1;
    return i - j;   /* ties: the order written */
}

/* Mean over rounds of metric m for config i (NAN when a round failed). */
static double mean_of(const tally *tl, int i, int nrounds, int m)
{
    double s = 0;
    for (int k = 0; k < nrounds; k++) s += tl->all[((size_t)i * nrounds + k) * RT_MET__COUNT + m];
    return s / nrounds;
}

/* Sample standard deviation over rounds (NAN for one round). */
static double std_of(const tally *tl, int i, int nrounds, int m)
{
    if (nrounds < 2) return NAN;
    double mu = mean_of(tl, i, nrounds, m), v = 0;
    for (int k = 0; k < nrounds; k++) {
        double d = tl->all[((size_t)i * nrounds + k) * RT_MET__COUNT + m] - mu;
        v += d * d;
    }
    return sqrt(v / (nrounds - 1));
}

static int build_result(rt_ctx *c, const cmp_explore *x, const tally *tl, int nrounds,
                        const long long *cfg_ids, ut_result **out, ut_err *e)
{
    int nc = x->nconfigs, rc = -1;
    double *mean = calloc((size_t)nc + 1, sizeof *mean), *sd = calloc((size_t)nc + 1, sizeof *sd);
    int *order = calloc((size_t)nc + 1, sizeof *order);
    /* rank, config, family, params, ranking metric, its std, the other
     * requested metrics, then times */
    char names[2 * CMP_MAX_METRICS + 8][72];
    const char *cols[2 * CMP_MAX_METRICS + 8];
    int ncols = 0;
    const char *fixed[] = {"rank", "config", "family", "params"};
    for (int i = 0; i < 4; i++) cols[ncols++] = fixed[i];
    int rcol = tl->show_rows ? ncols : -1;
    if (rcol >= 0) cols[ncols++] = "rows";
    int pcol = x->npipes > 1 ? ncols : -1;
    if (pcol >= 0) cols[ncols++] = "preprocess";
    int m0 = ncols;
    snprintf(names[ncols], sizeof names[0], "%s", rt_metrics[x->metric].name);
    cols[ncols] = names[ncols], ncols++;
    snprintf(names[ncols], sizeof names[0], "%s_std", rt_metrics[x->metric].name);
    cols[ncols] = names[ncols], ncols++;
    for (int m = 1; m < x->nmetrics; m++) {
        snprintf(names[ncols], sizeof names[0], "%s", rt_metrics[x->metrics[m]].name);
        cols[ncols] = names[ncols], ncols++;
        snprintf(names[ncols], sizeof names[0], "%s_std", rt_metrics[x->metrics[m]].name);
        cols[ncols] = names[ncols], ncols++;
    }
    int tcol = ncols;
    if (c->show_times) cols[ncols++] = "fit_seconds", cols[ncols++] = "predict_seconds";
    ut_result *r = ut_result_new(ncols, cols);
    if (!mean || !sd || !order || !r) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    int nshow = 0;
    for (int i = 0; i < nc; i++) {
        if (tl->rung[i] < 0) continue;   /* never evaluated (budget ended first) */
        order[nshow++] = i;
        const double *s = tl->score + (size_t)i * nrounds;
        double m = 0;
        int ok = 1;
        for (int k = 0; k < nrounds; k++) ok &= !isnan(s[k]), m += s[k];
        mean[i] = ok ? m / nrounds : NAN;
        double v = 0;
        for (int k = 0; ok && k < nrounds; k++) v += (s[k] - mean[i]) * (s[k] - mean[i]);
        sd[i] = ok && nrounds > 1 ? sqrt(v / (nrounds - 1)) : NAN;
    }
    cmp_rank_metric = x->metric;
    cmp_rank_mean = mean;
    cmp_rank_rung = tl->rung;
    qsort(order, (size_t)nshow, sizeof *order, rank_cmp);
    int shown = x->top && x->top < nshow ? x->top : nshow;
    for (int k = 0; k < shown; k++) {
        int i = order[k], row = ut_result_add_row(r);
        if (row < 0) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto out;
        }
        ut_result_set_int(r, row, 0, k + 1);
        ut_result_set_int(r, row, 1, cfg_ids[i]);
        ut_result_set_text(r, row, 2, rt_families[x->configs[i].family].name);
        ut_result_set_text(r, row, 3, x->configs[i].params_text);
        if (rcol >= 0) ut_result_set_int(r, row, rcol, tl->rows[i]);
        if (pcol >= 0) ut_result_set_text(r, row, pcol, x->pipes[x->configs[i].pipe].text);
        ut_result_set_float(r, row, m0, mean[i]);
        ut_result_set_float(r, row, m0 + 1, sd[i]);
        for (int m = 1; m < x->nmetrics; m++) {
            ut_result_set_float(r, row, m0 + 2 * m, mean_of(tl, i, nrounds, x->metrics[m]));
            ut_result_set_float(r, row, m0 + 2 * m + 1, std_of(tl, i, nrounds, x->metrics[m]));
        }
        if (c->show_times) {
            double f = 0, p = 0;
            for (int j = 0; j < nrounds; j++) f += tl->fit_s[(size_t)i * nrounds + j], p += tl->pred_s[(size_t)i * nrounds + j];
            ut_result_set_float(r, row, tcol, f);
            ut_result_set_float(r, row, tcol + 1, p);
        }
    }
    *out = r;
    r = NULL;
    rc = 0;
out:
    ut_result_free(r);
    free(mean);
    free(sd);
    free(order);
    return rc;
}

/* ---- the executor ----
 * Every run is its own short write transaction (WAL, synchronous=NORMAL:
 * no fsync per commit), so a crash or kill -9 loses no finished run; the
 * experiment row carries the running process's pid, and the next open
 * marks it interrupted when that process is gone (cat_mark_orphans). */

/* Pipelines that begin with the same steps share that prefix within a
 * round (sharing rule 1 across pipelines): the preprocessing state after
 * the shared steps is kept while pipelines still need it, and each
 * pipeline continues from the longest kept prefix.  Continuing from a
 * state is bit-identical to running the whole chain (transform.h). */
typedef struct {
    rt_tf_state *st;   /* kept state after steps 0..len-1 of some pipeline */
    int pipe, len;
    int wide;          /* 1: after steps 0..len-1 and then the plan's shared
                          pca (plan->pca_k components), before its drop */
    int users;         /* pipelines of this round still to continue from it */
    double secs;       /* CPU seconds computing it from the table took, with
                          the prefix it continued: what a design made from
                          it costs when the prefix is not at hand (cache.h) */
} prefix_entry;

typedef struct {
    int on;            /* sharing on */
    prefix_entry *e;
    int n;
    unsigned char *pipe_done;  /* per pipeline: transformed in this round */
    /* across queries (cache.h): the context when the cache is active, the
     * lineage of the data and of the current round's split */
    rt_ctx *cache;
    rt_lineage_hex data, fold;
    rt_pca_memo pca_memo;  /* the round's pca family entry, for its members */
} prefix_cache;

static void cache_clear(prefix_cache *pc, int npipes)
{
    for (int i = 0; i < pc->n; i++) rt_tf_state_free(pc->e[i].st);
    pc->n = 0;
    rt_pca_memo_free(&pc->pca_memo);
    if (pc->pipe_done) memset(pc->pipe_done, 0, (size_t)npipes);
}

/* Pipelines a and b agree on their first len steps. */
static int same_prefix(const cmp_explore *x, int a, int b, int len)
{
    return opt_same_prefix(&x->pipes[a], &x->pipes[b], len);
}

static int cache_put(prefix_cache *pc, rt_tf_state *st, int pipe, int len, int users, int wide, double secs)
{
    prefix_entry *ne = realloc(pc->e, (size_t)(pc->n + 1) * sizeof *ne);
    if (!ne) return -1;
    pc->e = ne;
    pc->e[pc->n++] = (prefix_entry){.st = st, .pipe = pipe, .len = len, .wide = wide, .users = users, .secs = secs};
    return 0;
}

/* Pipeline q's pca step j under sharing rule 4: the components of the
 * plan's largest k, computed by the first of the sibling pipelines and kept
 * for the others, then drop(pc{k+1}..) — bit for bit pca(k) (tf_pca.c).
 * 0 ok, -1 a transform error in *te, -2 out of memory. */
static int shared_pca(const cmp_explore *x, const opt_plan *p, int q, int j, const rt_tf_state *cur, const int *train,
                      int ntrain, prefix_cache *pc, rt_tf_state **next, double *chain, ut_err *te)
{
    double c0 = ut_thread_cpu();
    const rt_tf_step *mine = &x->pipes[q].steps[j].step;
    rt_tf_state *wide = NULL, *made = NULL;
    for (int i = 0; i < pc->n && !wide; i++)
        if (pc->e[i].wide && pc->e[i].len == j && same_prefix(x, pc->e[i].pipe, q, j) &&
            opt_same_pca_but_k(&x->pipes[pc->e[i].pipe].steps[j].step, mine)) {
            wide = pc->e[i].st;
            pc->e[i].users--;
            *chain = pc->e[i].secs;   /* its chain, not ours: computed for a sibling */
        }
    if (!wide) {
        rt_tf_step big = *mine;
        big.k = p->pca_k[q];
        if (rt_tf_apply(cur, &big, 1, train, ntrain, &made, te)) return -1;
        int pending = 0;
        for (int r = 0; r < x->npipes; r++)
            pending += r != q && !pc->pipe_done[r] && p->pca_step[r] == j && same_prefix(x, r, q, j) &&
                       opt_same_pca_but_k(&x->pipes[r].steps[j].step, mine);
        wide = made;
        if (pending) {
            if (cache_put(pc, made, q, j, pending, 1, *chain + ut_thread_cpu() - c0)) {
                rt_tf_state_free(made);
                return -2;
            }
            made = NULL;
        }
    }
    /* drop what pca(k) would not have made (k = 0: it keeps them all) */
    char **names = NULL;
    int nn = 0, rc = 0;
    for (int c = mine->k + 1; mine->k > 0; c++) {
        char nm[32];
        snprintf(nm, sizeof nm, "pc%d", c);
        if (!rt_tf_state_has_column(wide, nm)) break;
        char **nw = realloc(names, (size_t)(nn + 1) * sizeof *names);
        if (!nw || !(nw[nn] = ut_strdup(nm))) {
            names = nw ? nw : names;
            rc = -2;
            break;
        }
        names = nw;
        nn++;
    }
    if (!rc) {
        rt_tf_step dr;
        memset(&dr, 0, sizeof dr);
        dr.kind = RT_TF_DROP;
        dr.columns = names;
        dr.ncolumns = nn;
        rc = rt_tf_apply(wide, &dr, 1, train, ntrain, next, te) ? -1 : 0;
    }
    for (int i = 0; i < nn; i++) free(names[i]);
    free(names);
    rt_tf_state_free(made);
    *chain += ut_thread_cpu() - c0;
    return rc;
}

static int compute_transform(const data_ctx *dc, const cmp_explore *x, const opt_plan *p, const opt_node *nd,
                             int ntrain, int ntest, node_state *ns, prefix_cache *pc, ut_err *e);

/* TRANSFORM: the design from the cache when it holds it and loading beats
 * computing, else computed (and offered to the cache). */
/* load_only: take the design from the cache or leave it (ns->done stays
 * 0), for a caller that makes the stored designs ready first. */
static int run_transform_mode(const data_ctx *dc, const cmp_explore *x, const opt_plan *p, const opt_node *nd,
                              int ntrain, int ntest, node_state *ns, prefix_cache *pc, int load_only, ut_err *e)
{
    rt_lineage_hex lin, fam;
    if (!pc->cache) return load_only ? 0 : compute_transform(dc, x, p, nd, ntrain, ntest, ns, pc, e);
    const cmp_pipeline *pl = &x->pipes[nd->pipe];
    /* the design keeps its own lineage (its fitted trees are keyed by it);
     * a pipeline ending in pca(k > 0) is stored under its family's */
    int isfam = rt_lineage_design_family(pc->fold, x->task.target, x->task.kind, pl, fam);
    if (isfam < 0 || rt_lineage_design(pc->fold, x->task.target, x->task.kind, pl, lin))
        return ut_errf(e, MLG_NOMEM, "out of memory");
    memcpy(ns->lin, lin, sizeof ns->lin);
    int k = isfam ? pl->steps[pl->nsteps - 1].step.k : 0;
    double *blk = NULL;
    int pp = 0, nc = 0;
    int lr = isfam ? rt_cache_load_pca(pc->cache, fam, k, ntrain, ntest, &blk, &pp, &nc, &pc->pca_memo, e)
                   : rt_cache_load_design(pc->cache, lin, ntrain, ntest, &blk, &pp, e);
    if (lr < 0) return -1;
    if (lr == 1) {
        /* prefixes kept for this pipeline are freed with the round */
        ns->done = 1;
        ns->ran = 2;
        ns->xtr = blk;
        ns->xte = blk + (size_t)ntrain * (size_t)pp;
        ns->xte_inside = 1;
        ns->p = pp;
        ns->has_design = 1;
        if (pc->on) pc->pipe_done[nd->pipe] = 1;
        return 0;
    }
    if (load_only) return 0;
    /* the recompute cost the cache weighs: this thread's CPU time, so a
     * busy machine preempting it does not make a cheap design look dear
     * (BLAS threads it starts are not counted: the cost is understated,
     * never overstated) */
    double t0 = ut_thread_cpu();
    if (compute_transform(dc, x, p, nd, ntrain, ntest, ns, pc, e)) return -1;
    if (ns->test_only) return 0;   /* nothing whole to offer */
    /* a narrower member of a family in this query is not offered: the
     * widest is, and serves it */
    if (ns->has_design && isfam && (k < rt_pca_family_widest(x, nd->pipe) || ns->pca_n < 1)) return 0;
    if (ns->has_design) {
        char what[512];
        double own = ut_thread_cpu() - t0;
        /* a design continued from a prefix kept for a sibling pipeline
         * costs the whole chain when it is not at hand (the sibling's
         * design loaded from the cache instead): that is what it saves */
        double secs = ns->chain_s > own ? ns->chain_s : own;
        if (isfam) {
            /* "standardize -> pca family with 40 components (every k <= 40)" */
            const char *last = pl->steps[pl->nsteps - 1].text, *at = NULL;
            for (const char *s = strstr(pl->text, last); s; s = strstr(s + 1, last)) at = s;
            int pre = at ? (int)(at - pl->text) : 0;
            int wide = ns->pca_n < k ? ns->pca_n : k;
            snprintf(what, sizeof what, "%.*spca family with %d components (every k <= %d), round %d, dataset %s",
                     pre, pl->text, wide, wide, nd->round + 1, x->dataset.name);
            rt_cache_offer_pca(pc->cache, fam, what, ns->xtr, ntrain, ns->xte, ntest, ns->p, ns->pca_at,
                               ns->pca_n < k ? ns->pca_n : k, k, secs);
            ns->ran = 3;
            return 0;
        }
        snprintf(what, sizeof what, "%s, round %d, dataset %s", pl->nsteps ? pl->text : "no preprocessing",
                 nd->round + 1, x->dataset.name);
        rt_cache_offer_design(pc->cache, lin, what, ns->xtr, ntrain, ns->xte, ntest, ns->p, secs);
        ns->ran = 3;   /* its time includes the offer (a write when stored) */
    }
    return 0;
}

static int run_transform(const data_ctx *dc, const cmp_explore *x, const opt_plan *p, const opt_node *nd,
                         int ntrain, int ntest, node_state *ns, prefix_cache *pc, ut_err *e)
{
    return run_transform_mode(dc, x, p, nd, ntrain, ntest, ns, pc, 0, e);
}

/* A TRANSFORM's output when it made the test rows alone (d, taken):
 * secs, its CPU seconds from the table. */
static void keep_test_rows(node_state *ns, rt_design *d, double secs)
{
    ns->xtr = NULL;
    ns->xte = d->x;
    d->x = NULL;
    ns->xte_inside = 0;
    ns->p = d->p;
    rt_design_free(d);
    ns->has_design = ns->test_only = 1;
    ns->ran = 4;
    ns->chain_s = secs;
}

/* Another pipeline of the statement begins with pipeline q's first step
 * (the prefix cache may keep or want its states). */
static int prefix_shared(const cmp_explore *x, int q)
{
    for (int r = 0; x->pipes[q].nsteps && r < x->npipes; r++)
        if (r != q && same_prefix(x, r, q, 1)) return 1;
    return 0;
}

/* A TRANSFORM the plan marks test_only makes the test rows alone when the
 * statistics its FITs need are there for this round's training rows (a
 * table found ineligible at run time has none: the whole design then). */
static int test_rows_only(const data_ctx *dc, const opt_plan *p, const opt_node *nd, int ntrain)
{
    if (!nd->test_only) return 0;
    int i = (int)(nd - p->nodes);
    for (int j = i + 1; j < p->n; j++) {
        const opt_node *f = &p->nodes[j];
        if (f->op != OPT_FIT || f->input != i) continue;
        const opt_group *g = &p->groups[f->group];
        if (g->gram_folds && !(dc->rfolds && rt_ridge_folds_ntrain(dc->rfolds, nd->round) == ntrain)) return 0;
        if (g->nb_folds && !(dc->nbfolds && rt_nb_folds_ntrain(dc->nbfolds, nd->round) == ntrain)) return 0;
    }
    return 1;
}

static int compute_transform(const data_ctx *dc, const cmp_explore *x, const opt_plan *p, const opt_node *nd,
                             int ntrain, int ntest, node_state *ns, prefix_cache *pc, ut_err *e)
{
    const cmp_pipeline *pl = &x->pipes[nd->pipe];
    rt_tf_step steps[CMP_MAX_STEPS];
    int nsteps = cmp_pipeline_steps(pl, steps), rc = 0;
    ut_err te;
    ut_err_clear(&te);
    ns->done = 1;
    rt_tf_state *cur = NULL;
    int from = 0;
    double chain = 0;   /* CPU seconds from the table to cur */
    if (pc->on) pc->pipe_done[nd->pipe] = 1;
    if (test_rows_only(dc, p, nd, ntrain) && !prefix_shared(x, nd->pipe)) {
        /* straight from the table when the chain allows (transform.h) */
        double c0 = ut_thread_cpu();
        rt_design d;
        int src = rt_tf_scaled_rows(dc->t, dc->target, steps, nsteps, dc->train, ntrain, dc->test, ntest, &d, e);
        if (src < 0) return -1;
        if (src == 0) {
            keep_test_rows(ns, &d, ut_thread_cpu() - c0);
            return 0;
        }
    }
    if (pc->on) {
        /* the longest kept prefix of this pipeline */
        int best = -1;
        for (int i = 0; i < pc->n; i++)
            if (!pc->e[i].wide && pc->e[i].len <= nsteps && (best < 0 || pc->e[i].len > pc->e[best].len) &&
                same_prefix(x, pc->e[i].pipe, nd->pipe, pc->e[i].len))
                best = i;
        if (best >= 0) {
            from = pc->e[best].len;
            cur = pc->e[best].st;
            chain = pc->e[best].secs;
            pc->e[best].users--;
        }
    }
    rt_tf_state *owned = NULL;  /* a state of ours not (yet) in the cache */
    double c0 = ut_thread_cpu();
    if (!cur) {
        if (rt_tf_begin(dc->t, dc->target, &owned, &te)) goto fail;
        cur = owned;
    }
    int j0 = pc->on && p->pca_step ? p->pca_step[nd->pipe] : -1;
    for (int j = from; j < nsteps; j++) {
        /* keep the state after step j when a later pipeline of this round
         * starts with the same j + 1 steps */
        int later = 0;
        for (int q = 0; pc->on && q < x->npipes; q++)
            later += q != nd->pipe && !pc->pipe_done[q] && same_prefix(x, q, nd->pipe, j + 1);
        rt_tf_state *next = NULL;
        chain += ut_thread_cpu() - c0;   /* shared_pca counts its own (or a sibling's) */
        int arc = j == j0 ? shared_pca(x, p, nd->pipe, j, cur, dc->train, ntrain, pc, &next, &chain, &te)
                          : rt_tf_apply(cur, &steps[j], 1, dc->train, ntrain, &next, &te);
        if (j == j0) c0 = ut_thread_cpu();   /* else the step is counted from c0 */
        if (arc == -2) {
            rt_tf_state_free(owned);
            return ut_errf(e, MLG_NOMEM, "out of memory");
        }
        if (arc) {
            rt_tf_state_free(owned);
            goto fail;
        }
        rt_tf_state_free(owned);
        owned = next;
        cur = next;
        if (later && cache_put(pc, owned, nd->pipe, j + 1, later, 0, chain + ut_thread_cpu() - c0)) {
            rt_tf_state_free(owned);
            return ut_errf(e, MLG_NOMEM, "out of memory");
        }
        if (later) owned = NULL;  /* the cache owns it now */
    }
    rt_design d;
    memset(&d, 0, sizeof d);
    /* a state of ours alone gives its columns' memory back while the
     * design is filled; a kept prefix stays whole for later pipelines */
    int tonly = owned && owned == cur && test_rows_only(dc, p, nd, ntrain);
    if (tonly) {
        rc = rt_tf_finish_take_rows(owned, dc->train, ntrain, dc->test, ntest, &d, &te);
    } else if (owned && owned == cur) {
        rc = rt_tf_finish_take(owned, dc->train, ntrain, &d, &te);
    } else {
        rc = rt_tf_finish(cur, dc->train, ntrain, &d, &te);
        rt_tf_state_free(owned);
    }
    owned = NULL;
    /* where pca's columns are, for the cache's pca family entry: pc1 once,
     * pc2.. right after it */
    ns->pca_at = 0;
    ns->pca_n = 0;
    for (int c = 0, seen = 0; !rc && d.names && c < d.p; c++)
        if (d.names[c] && !strcmp(d.names[c], "pc1")) {
            int m = 1;
            char nm[32];
            for (; c + m < d.p; m++) {
                snprintf(nm, sizeof nm, "pc%d", m + 1);
                if (!d.names[c + m] || strcmp(d.names[c + m], nm)) break;
            }
            ns->pca_at = c;
            ns->pca_n = seen++ ? 0 : m;   /* two "pc1": which is pca's is not known */
            if (seen > 1) break;
        }
    /* drop prefixes no later pipeline needs */
    for (int i = 0; i < pc->n;)
        if (pc->e[i].users <= 0) {
            rt_tf_state_free(pc->e[i].st);
            pc->e[i] = pc->e[--pc->n];
        } else {
            i++;
        }
    (void)p;
    if (rc) goto fail;
    if (tonly) {
        keep_test_rows(ns, &d, chain + ut_thread_cpu() - c0);
        return 0;
    }
    /* split into the round's training and test rows once, and let the
     * full design go: the fits read these, nobody copies them again */
    if (split_in_place(&d, dc->train, ntrain, dc->test, ntest) == 0) {
        ns->xtr = d.x;
        ns->xte = d.x + (size_t)ntrain * d.p;
        ns->xte_inside = 1;
        d.x = NULL;
    } else {
        ns->xtr = gather(&d, dc->train, ntrain);
        ns->xte = gather(&d, dc->test, ntest);
    }
    ns->p = d.p;
    rt_design_free(&d);
    if (!ns->xtr || !ns->xte) return ut_errf(e, MLG_NOMEM, "out of memory");
    ns->has_design = 1;
    ns->ran = 1;
    ns->chain_s = chain + ut_thread_cpu() - c0;
    return 0;
fail:
    /* a pipeline that cannot run fails its configurations' runs with the
     * reason, not the whole experiment */
    if (te.code == MLG_NOMEM) {
        *e = te;
        return -1;
    }
    ns->error = ut_strdup(te.msg);
    return 0;
}

/* A round's rows as its fits see them: training rows (the first nfit are
 * fitted on), test rows. */
typedef struct {
    const int *train, *test;
    int ntrain, ntest, nfit;
} round_rows;

typedef struct {
    int node;
    ut_err err;
    int rc;
    double seconds;
    const round_rows *rows;
} fit_job;

/* Work shared by the threads of one window: they take jobs in order, each
 * once its design is ready. */
typedef struct {
    const data_ctx *dc;
    const cmp_explore *x;
    const opt_plan *p;
    node_state *ns;
    rt_prog *prog;         /* progressive reuse (halving), or NULL */
    fit_job *jobs;
    int njobs, next;       /* next: jobs taken so far */
    pthread_mutex_t lock;
    const rt_stop *stop;   /* the statement's, installed on every worker */
    /* ready[k] once job k's design exists (at once, unless the executor
     * makes the designs while the workers fit); a worker takes the first
     * ready job not taken; abort when a design failed */
    int *ready, *taken, abort;
    int running;           /* jobs taken and not finished */
    pthread_cond_t cond;
} fit_queue;

/* The group's outputs scored here, on the fit's worker, so that the
 * windows' threads share the scoring as they share the fits (EVALUATE
 * then only records).  Out of memory leaves the rest to EVALUATE. */
static void score_outs(const data_ctx *dc, const cmp_explore *x, const round_rows *rows, node_state *me)
{
    if (!me->outs || !rows->test) return;
    scored_out *sc = calloc((size_t)me->nouts, sizeof *sc);
    if (!sc) return;
    for (int k = 0; k < me->nouts; k++) {
        const rt_group_out *o = &me->outs[k];
        if (o->error || o->stopped || !o->pred) continue;
        double t0 = ut_now();
        sc[k].score = NAN;
        sc[k].json = scores_json(dc, rows->test, rows->ntest, o->pred, o->proba, x->metric, &sc[k].score, sc[k].all);
        sc[k].seconds = ut_now() - t0;
    }
    me->scored = sc;
}

static void run_job(fit_queue *q, fit_job *j)
{
    double t0 = ut_now();
    const opt_node *nd = &q->p->nodes[j->node];
    node_state *in = &q->ns[nd->input], *me = &q->ns[j->node];
    const opt_group *g = &q->p->groups[nd->group];
    ut_err_clear(&j->err);
    j->rc = 0;
    if (in->error) {
        /* the pipeline failed in this fold: every member fails */
        me->outs = calloc((size_t)g->n, sizeof *me->outs);
        if (!me->outs) {
            j->rc = ut_errf(&j->err, MLG_NOMEM, "out of memory");
            return;
        }
        me->nouts = g->n;
        for (int k = 0; k < g->n; k++) me->outs[k].error = ut_strdup(in->error);
    } else {
        /* fixed for the whole fit: run_jobs sets it before the window */
        me->blas = la_get_threads();
        j->rc = run_group(q->dc, q->x, g, in, j->rows->train, j->rows->nfit, j->rows->ntest, me, q->prog, nd->round,
                          &j->err);
    }
    j->seconds = ut_now() - t0;
    if (j->rc == 0) score_outs(q->dc, q->x, j->rows, me);
}

static void *fit_worker(void *arg)
{
    fit_queue *q = arg;
    rt_stop_install(q->stop);
    for (;;) {
        pthread_mutex_lock(&q->lock);
        int k = -1;
        while (!q->abort && q->next < q->njobs) {
            for (int j = 0; j < q->njobs && k < 0; j++)
                if (!q->taken[j] && q->ready[j]) k = j;
            if (k >= 0) break;
            pthread_cond_wait(&q->cond, &q->lock);
        }
        if (k >= 0) {
            q->taken[k] = 1;
            q->next++;
            q->running++;
        }
        int busy = q->running > 0 && !q->abort;
        pthread_mutex_unlock(&q->lock);
        if (k < 0) {
            /* every job taken, or a design failed (the window is given
             * up): lend a hand to the jobs still running (parts.h) */
            if (!busy) return NULL;
            rt_parts_help(2);
            continue;
        }
        /* a stop (Ctrl-C, max_seconds) leaves the jobs not started without
         * output: their runs are not recorded, RESUME fits them */
        if (!rt_stop_requested()) run_job(q, &q->jobs[k]);
        pthread_mutex_lock(&q->lock);
        q->running--;
        pthread_mutex_unlock(&q->lock);
    }
}

#define MAX_WINDOW 256
#define SPAN_BYTES (64.0 * 1024 * 1024)  /* designs of all rounds alive at once: at most */
#define SPAN_ONE_CHUNK_SECONDS 5.0        /* estimated wall seconds of a plan run as one chunk */

/* Longest first (by the plan's estimate), so that the long fits start
 * early and the short ones fill in around them (LPT scheduling); ties in
 * plan order.  Insertion sort: a window holds at most MAX_WINDOW jobs. */
static void longest_first(const opt_plan *p, fit_job *jobs, int nw)
{
    for (int k = 1; k < nw; k++) {
        fit_job j = jobs[k];
        double cj = p->nodes[j.node].est_cost;
        int m = k;
        while (m > 0 && p->nodes[jobs[m - 1].node].est_cost < cj) {
            jobs[m] = jobs[m - 1];
            m--;
        }
        jobs[m] = j;
    }
}

/* The designs a window's jobs need, when this thread computes them while
 * the workers fit (run_fit_window): the round's rows and the prefixes. */
typedef struct {
    const round_rows *rows;
    prefix_cache *pc;
} design_src;

/* Runs jobs[0..nw) on c->threads threads taking jobs from one queue,
 * longest first (sharing rule 7).  Their TRANSFORM inputs exist, or (src
 * set) this thread makes them while the workers fit.  BLAS gets one thread
 * while several fits run, so the two never oversubscribe the cores. */
static int run_jobs(rt_ctx *c, const data_ctx *dc, const cmp_explore *x, const opt_plan *p, node_state *ns,
                    fit_job *jobs, int nw, rt_prog *prog, int blas1, const design_src *src, double *actual,
                    ut_err *e)
{
    int nthreads = c->threads < 1 ? 1 : c->threads;
    longest_first(p, jobs, nw);
    int ready[MAX_WINDOW] = {0}, taken[MAX_WINDOW] = {0};
    for (int k = 0; !src && k < nw; k++) ready[k] = 1;
    fit_queue q = {dc, x, p, ns, prog, jobs, nw, 0, PTHREAD_MUTEX_INITIALIZER, rt_stop_current(),
                   ready, taken, 0, 0, PTHREAD_COND_INITIALIZER};
    int nth = nthreads < nw ? nthreads : nw;
    pthread_t th[MAX_WINDOW];
    int started[MAX_WINDOW] = {0};
    /* designs are always computed with one BLAS thread (here, in the
     * walk's TRANSFORM case and in REPRODUCE), so
     * their bits never depend on how many jobs share a window */
    int tf1 = src && nthreads > 1;
    blas1 = (blas1 || nth > 1) && nthreads > 1;
    if (blas1 || tf1) la_set_threads(1);
    for (int k = 1; k < nth; k++) started[k] = pthread_create(&th[k], NULL, fit_worker, &q) == 0;
    int rc = 0;
    /* this thread makes the designs — first the stored ones (a load), then
     * the rest, each in the order the jobs are taken — so fits start while
     * later designs are still computed (the cache's operations are locked:
     * tree groups use it too) */
    for (int pass = 0; src && pass < 2 && !rc; pass++)
        for (int k = 0; k < nw; k++) {
            int t = p->nodes[jobs[k].node].input;
            if (ready[k]) continue;
            double t0 = ut_now();
            if (!ns[t].done && run_transform_mode(dc, x, p, &p->nodes[t], src->rows->ntrain, src->rows->ntest,
                                                  &ns[t], src->pc, pass == 0, e))
                rc = -1;
            if (actual) actual[t] += ut_now() - t0;
            pthread_mutex_lock(&q.lock);
            if (rc) q.abort = 1;
            else if (ns[t].done) ready[k] = 1;
            pthread_cond_broadcast(&q.cond);
            pthread_mutex_unlock(&q.lock);
            if (rc) break;
        }
    if (tf1 && !blas1) la_set_threads(nthreads);   /* a lone fit, no worker: every BLAS thread */
    fit_worker(&q);   /* this thread works too; it finishes what is left */
    for (int k = 1; k < nth; k++)
        if (started[k]) pthread_join(th[k], NULL);
    if (blas1) la_set_threads(nthreads);
    pthread_cond_destroy(&q.cond);
    if (rc) return -1;   /* a design's error ends the batch (free_state frees what the jobs made) */
    for (int k = 0; k < nw; k++) {
        int i = jobs[k].node;
        node_state *in = &ns[p->nodes[i].input];
        ns[i].done = 1;
        if (actual) actual[i] = jobs[k].seconds;
        if (jobs[k].rc && !rc) {
            *e = jobs[k].err;
            rc = -1;
        }
        /* the design is needed by FIT only: free it after the last group */
        if (--in->remaining == 0 && in->has_design) {
            drop_design(in);
            in->has_design = 0;
        }
    }
    return rc;
}

/* Runs FIT node `first` and the following FIT nodes of its round — a few
 * per thread, so long and short fits balance.  Their TRANSFORM inputs are
 * made on this thread while the fits run (run_jobs); the window bounds how
 * many designs are alive when sharing is off. */
static int run_fit_window(rt_ctx *c, const data_ctx *dc, const cmp_explore *x, const opt_plan *p, node_state *ns,
                          int first, const round_rows *rows, rt_prog *prog, int timed, prefix_cache *pc,
                          double *actual, ut_err *e)
{
    int nthreads = c->threads < 1 ? 1 : c->threads;
    /* under a time budget one fit per thread, so a stop waits for one fit */
    int want = nthreads == 1 || timed ? nthreads : nthreads * 4;
    if (want > MAX_WINDOW) want = MAX_WINDOW;
    fit_job jobs[MAX_WINDOW];
    int nw = 0, round = p->nodes[first].round;
    for (int i = first; i < p->n && nw < want && p->nodes[i].round == round; i++)
        if (p->nodes[i].op == OPT_FIT && !ns[i].done) jobs[nw++] = (fit_job){i, {{0}, -1, 0, 0}, 0, 0, rows};
    design_src src = {rows, pc};
    return run_jobs(c, dc, x, p, ns, jobs, nw, prog, 0, &src, actual, e);
}

/* Fits across rounds (see run_batch): every FIT node not done whose
 * TRANSFORM has run, MAX_WINDOW at a time, each with its round's rows. */
static int run_fit_span(rt_ctx *c, const data_ctx *dc, const cmp_explore *x, const opt_plan *p, node_state *ns,
                        round_rows *const *rr, double *actual, ut_err *e)
{
    fit_job jobs[MAX_WINDOW];
    for (;;) {
        int nw = 0;
        for (int i = 0; i < p->n && nw < MAX_WINDOW; i++) {
            const opt_node *nd = &p->nodes[i];
            if (nd->op == OPT_FIT && !ns[i].done && ns[nd->input].done && rr[nd->round])
                jobs[nw++] = (fit_job){i, {{0}, -1, 0, 0}, 0, 0, rr[nd->round]};
        }
        if (nw == 0) return 0;
        /* one BLAS thread even for a lone job: small designs gain little
         * from more, and a fit's bits then never depend on how many jobs
         * shared its window (BLAS reductions split by thread count) */
        if (run_jobs(c, dc, x, p, ns, jobs, nw, NULL, 1, NULL, actual, e)) return -1;
    }
}

/* Designs alive now, in bytes. */
static double alive_bytes(const opt_plan *p, const node_state *ns, round_rows *const *rr)
{
    double b = 0;
    for (int i = 0; i < p->n; i++)
        if (p->nodes[i].op == OPT_TRANSFORM && ns[i].has_design && rr[p->nodes[i].round])
            b += (double)ns[i].p * ((ns[i].test_only ? 0 : rr[p->nodes[i].round]->ntrain) + rr[p->nodes[i].round]->ntest) *
                 sizeof(double);
    return b;
}

static void free_round_rows(round_rows **rr, int nr, const opt_plan *p, const node_state *ns)
{
    for (int j = 0; j < nr; j++) {
        if (!rr[j]) continue;
        int pending = 0;   /* ns NULL: free them all */
        for (int i = 0; ns && i < p->n && !pending; i++)
            pending = p->nodes[i].op == OPT_FIT && p->nodes[i].round == j && !ns[i].done;
        if (pending) continue;
        free((void *)rr[j]->train);
        free(rr[j]);
        rr[j] = NULL;
    }
}

/* RESUME: the runs an unfinished experiment already has, keyed by
 * (config id, fold, rung).  A strategy replays its batches; runs found
 * here are not run again and their scores feed the strategy as before. */
typedef struct {
    long long config_id;
    int fold, rung, ok;
    int reused;            /* taken from another experiment just now (reuse.c) */
    long long rows;
    double score, fit_s, pred_s;
    double all[RT_MET__COUNT];
} prior_run;

static int load_prior(rt_ctx *c, long long exp_id, prior_run **out, int *n, ut_err *e)
{
    ut_buf q;
    ut_buf_init(&q);
    ut_buf_puts(&q, "SELECT config_id, fold, score, fit_seconds, predict_seconds, status, rung, train_rows");
    for (int m = 0; m < RT_MET__COUNT; m++) ut_buf_printf(&q, ", json_extract(scores, '$.%s')", rt_metrics[m].name);
    ut_buf_printf(&q, " FROM runs WHERE experiment = %lld", exp_id);
    ut_result *r = NULL;
    int rc = q.oom ? ut_errf(e, MLG_NOMEM, "out of memory") : cat_select(c->cat, q.s, &r, e);
    ut_buf_free(&q);
    if (rc) return -1;
    *out = calloc((size_t)r->nrows + 1, sizeof **out);
    if (!*out) {
        ut_result_free(r);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    for (int row = 0; row < r->nrows; row++) {
        const ut_value *v = &r->cells[(size_t)row * (size_t)r->ncols];
        prior_run *pr = &(*out)[(*n)++];
        pr->config_id = v[0].i;
        pr->fold = (int)v[1].i;
        pr->ok = v[5].type == UT_TEXT && !strcmp(v[5].s, "ok");
        pr->score = pr->ok && v[2].type != UT_NULL ? v[2].d : NAN;
        pr->fit_s = v[3].type != UT_NULL ? v[3].d : 0;
        pr->pred_s = v[4].type != UT_NULL ? v[4].d : 0;
        pr->rung = (int)v[6].i;
        pr->rows = v[7].type == UT_NULL ? 0 : v[7].i;
        for (int m = 0; m < RT_MET__COUNT; m++) pr->all[m] = v[8 + m].type == UT_NULL ? NAN : v[8 + m].d;
    }
    ut_result_free(r);
    return 0;
}

/* Everything one EXPLORE execution carries between batches. */
typedef struct {
    rt_ctx *c;
    cmp_explore *x;         /* the working copy: strategies may add configurations */
    data_ctx dc;
    long long exp_id;
    long long *cfg_ids;     /* per configuration, 0 until interned */
    int cap;                /* configurations the arrays below hold */
    tally tl;
    int nr;
    int done, failed, planned, resumed, runs_now;
    int unconverged;        /* ok runs whose solver hit max_iter (run warning) */
    int reuse_on;           /* runs of the same lineage are taken from the repository */
    int reused;             /* runs taken so */
    double best, t0;
    prefix_cache pcache;
    prior_run *prior;
    int nprior;
    rt_prog *prog;
    int stopped;            /* the time budget ended the search */
    int known_plan;         /* grid / random without budget: planned runs are exact */
    int batch;              /* the search's current batch (1-based) */
    double *actual;
    rt_op_times optimes;    /* operators' measured times, written at the end */
} explore_run;

/* The budget allows no new work any more. */
static int out_of_time(const explore_run *r)
{
    const cmp_search *st = &r->x->strategy;
    return st->budget_unit == CMP_BUDGET_SECONDS && ut_now() - r->t0 >= st->budget;
}

/* mlg_interrupt or max_seconds: marks the experiment interrupted, sets e
 * and returns 1; 0 when the statement may go on. */
static int must_stop(explore_run *r, ut_err *e)
{
    rt_ctx *c = r->c;
    if (*c->interrupted) {
        cat_experiment_finish(c->cat, r->exp_id, "interrupted", "interrupted by the user", e);
        if (r->known_plan)
            ut_errf(e, MLG_INTERRUPT, "interrupted: experiment %lld kept %d of %d runs", r->exp_id, r->done, r->planned);
        else   /* a strategy's runs are not known in advance */
            ut_errf(e, MLG_INTERRUPT, "interrupted: experiment %lld kept %d runs", r->exp_id, r->done);
        return 1;
    }
    if (c->max_seconds > 0 && ut_now() - r->t0 > (double)c->max_seconds) {
        char why[128];
        snprintf(why, sizeof why, "stopped by max_seconds = %lld", c->max_seconds);
        cat_experiment_finish(c->cat, r->exp_id, "interrupted", why, e);
        char kept[64];
        if (r->known_plan) snprintf(kept, sizeof kept, "%d of %d", r->done, r->planned);
        else snprintf(kept, sizeof kept, "%d", r->done);
        ut_errf(e, MLG_DENIED, "%s: experiment %lld kept %s runs (RESUME EXPERIMENT %lld finishes it)", why,
                r->exp_id, kept, r->exp_id);
        return 1;
    }
    return 0;
}

/* Training rows a batch's fits see in a round of ntrain rows (a prefix of
 * the shuffled rows when it subsamples). */
static int fit_rows(const rt_batch *bt, int ntrain)
{
    if (!bt->subsample) return ntrain;
    double cap = bt->rows_cap > 0 && bt->rows_cap < ntrain ? (double)bt->rows_cap : ntrain;
    int nfit = (int)ceil(cap * bt->frac - 1e-9);
    if (nfit < 2) nfit = ntrain < 2 ? ntrain : 2;
    if (nfit > ntrain) nfit = ntrain;
    return nfit;
}

/* STATS node i (sharing rule 2): the per-fold statistics, once per
 * experiment, when a group of the plan that still has runs to fit uses
 * them; ns[i].ran says 1 computed, 2 read from the intermediate cache.
 * The table may still turn out ineligible: the statistics stay NULL then
 * and the groups fit each round's design. */
static int run_stats(explore_run *r, const opt_plan *p, int i, node_state *ns, ut_err *e)
{
    rt_ctx *c = r->c;
    data_ctx *dc = &r->dc;
    const cmp_explore *x = r->x;
    int kind = opt_stats_kind(p, &p->nodes[i]), want = 0;
    for (int j = 0; j < p->n; j++) want |= !ns[j].skipped && opt_fits_from(p, &p->nodes[j], kind);
    if (!want || dc->proto.type != RT_PROTO_CV) return 0;
    if (kind == OPT_STATS_NB) {
        /* one pass, not cached (cheaper to make than to read) */
        if (dc->nbfolds_tried || dc->kind != RT_CLASSIFICATION) return 0;
        dc->nbfolds_tried = 1;
        int nrc = rt_nb_folds_new(dc->t, dc->target, dc->fold, dc->proto.k, dc->yc, dc->nclasses, &dc->nbfolds, e);
        ns[i].ran = dc->nbfolds != NULL;   /* an ineligible table made nothing: no time to learn */
        return nrc;
    }
    if (dc->rfolds_tried) return 0;
    dc->rfolds_tried = 1;
    int K = dc->kind == RT_CLASSIFICATION ? dc->nclasses : 0, decision = 0;
    rt_lineage_hex lin;
    if (dc->cache && rt_lineage_gram_entry(r->pcache.data, &x->task, dc->proto.k, lin))
        return ut_errf(e, MLG_NOMEM, "out of memory");
    /* one BLAS thread, as for designs: the blocks' bits (stored or not)
     * never depend on the session's thread count */
    if (c->threads > 1) la_set_threads(1);
    double value_s = dc->st ? opt_gram_blocks_cost(dc->st, dc->proto.k) : -1;
    int frc = dc->cache ? rt_ridge_folds_cached(dc->cache, lin, x->dataset.name, dc->t, dc->target, dc->fold,
                                                dc->proto.k, dc->yc, dc->y, K, value_s, &dc->rfolds, &decision, e)
                        : rt_ridge_folds_new(dc->t, dc->target, dc->fold, dc->proto.k, dc->yc, dc->y, K, &dc->rfolds,
                                             e);
    if (c->threads > 1) la_set_threads(c->threads);
    ns[i].ran = !dc->rfolds ? 0 : decision == RT_GRAM_LOADED ? 2 : 1;
    return frc;
}

/* Runs one batch's plan: sx holds the batch's configurations (plan
 * indices), map[k] their index in r->x. */
static int run_batch(explore_run *r, const cmp_explore *sx, const opt_plan *p, const int *map, const rt_batch *bt,
                     double *actual_out, ut_err *e)
{
    rt_ctx *c = r->c;
    /* measured always: EXPLAIN ANALYZE shows them, and the cost model
     * learns the operators' times from them (optimes.h) */
    double *actual = actual_out ? actual_out : calloc((size_t)p->n + 1, sizeof *actual);
    data_ctx *dc = &r->dc;
    int nr = r->nr, rc = -1;
    const cmp_explore *x = r->x;
    node_state *ns = calloc((size_t)p->n, sizeof *ns);
    unsigned char *have = calloc((size_t)sx->nconfigs * nr + 1, 1);
    int *order = NULL;          /* the walk's order of the plan's nodes */
    round_rows **rr = NULL;     /* per round, its rows while its fits are pending (span) */
    if (!ns || !have || !actual) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < p->n; i++) ns[i].remaining = p->nodes[i].users;
    /* this batch's rung replaces each configuration's earlier scores */
    for (int k = 0; k < sx->nconfigs; k++) {
        int g = map[k];
        r->tl.rung[g] = bt->rung;
        for (int j = 0; j < nr; j++) {
            size_t slot = (size_t)g * nr + j;
            r->tl.score[slot] = NAN;
            for (int m = 0; m < RT_MET__COUNT; m++) r->tl.all[slot * RT_MET__COUNT + m] = NAN;
            r->tl.fit_s[slot] = r->tl.pred_s[slot] = 0;
        }
        for (int q = 0; q < r->nprior; q++) {
            const prior_run *pr = &r->prior[q];
            if (pr->config_id != r->cfg_ids[g] || pr->rung != bt->rung || pr->fold < 0 || pr->fold >= nr ||
                have[k * nr + pr->fold])
                continue;
            size_t slot = (size_t)g * nr + pr->fold;
            have[k * nr + pr->fold] = 1;
            r->tl.score[slot] = pr->score;
            r->tl.fit_s[slot] = pr->fit_s;
            r->tl.pred_s[slot] = pr->pred_s;
            memcpy(r->tl.all + slot * RT_MET__COUNT, pr->all, sizeof pr->all);
            if (pr->fold == 0 || !r->tl.rows[g]) r->tl.rows[g] = pr->rows;
            if (pr->reused) r->reused++;
            else r->resumed++;
            r->done++;
        }
    }
    /* groups whose runs all exist (RESUME, reuse) are skipped up front, so
     * that a window of fits started for another group does not take them */
    for (int i = 0; i < p->n; i++) {
        const opt_node *nd = &p->nodes[i];
        if (nd->op != OPT_FIT) continue;
        const opt_group *g = &p->groups[nd->group];
        int missing = 0;
        for (int k = 0; k < g->n; k++) missing += !have[g->configs[k] * nr + nd->round];
        if (missing) continue;
        ns[i].done = ns[i].skipped = 1;
        ns[nd->input].remaining--;
    }
    int timed = x->strategy.budget_unit == CMP_BUDGET_SECONDS;
    /* Small data: every round's transforms first, then the fits of all
     * rounds from one queue, then the evaluations — the rounds' fits run
     * side by side instead of each round waiting for its longest fit.
     * Not under a time budget (one fit per thread there), not with
     * progressive rows (halving reshuffles per round), and only while the
     * rounds' designs together stay small: past SPAN_BYTES the pending
     * fits run before the next round's transforms. */
    int span = !timed && !bt->subsample && c->threads > 1 &&
               (double)dc->n * dc->t->ncols * sizeof(double) * nr <= SPAN_BYTES;
    order = malloc((size_t)p->n * sizeof *order);
    rr = calloc((size_t)nr + 1, sizeof *rr);
    if (!order || !rr) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    /* rounds in chunks: their transforms, their fits, their evaluations.
     * A plan of a few seconds is one chunk (the best packing of its fits);
     * a longer one goes one round per thread at a time, so that runs are
     * recorded and progress reported as it goes.  (A stop is honoured
     * either way: fits check it, and jobs not started are skipped.) */
    int no = 0, chunk = p->est_total / (c->threads > 0 ? c->threads : 1) < SPAN_ONE_CHUNK_SECONDS ? nr : c->threads;
    for (int i = 0; i < p->n; i++)
        if (!span || p->nodes[i].round < 0) {
            if (p->nodes[i].op != OPT_RECORD || !span) order[no++] = i;
        }
    for (int r0 = 0; span && r0 < nr; r0 += chunk)
        for (int phase = 0; phase < 3; phase++)
            for (int i = 0; i < p->n; i++) {
                const opt_node *nd = &p->nodes[i];
                int ph = nd->op == OPT_FIT ? 1 : nd->op == OPT_EVALUATE ? 2 : 0;
                if (nd->round >= r0 && nd->round < r0 + chunk && ph == phase) order[no++] = i;
            }
    for (int i = 0; span && i < p->n; i++)
        if (p->nodes[i].round < 0 && p->nodes[i].op == OPT_RECORD) order[no++] = i;
    if (no != p->n) {   /* a node in none of the phases: a plan this walk does not know */
        ut_errf(e, MLG_ERROR, "internal error: plan walk covers %d of %d nodes", no, p->n);
        goto out;
    }
    int cur_round = -2, ntrain = 0, ntest = 0, nfit = 0, fit_stopped = 0;
    for (int oi = 0; oi < p->n; oi++) {
        int i = order[oi];
        const opt_node *nd = &p->nodes[i];
        /* stop only before new work: fits already done still get recorded */
        int new_work = nd->op != OPT_EVALUATE && !ns[i].done;
        if (new_work && must_stop(r, e)) goto out;
        if (new_work && nd->op != OPT_RECORD && !r->stopped && out_of_time(r)) r->stopped = 1;
        if (new_work && r->stopped) continue;
        if (nd->round >= 0 && nd->round != cur_round) {
            if (span && nd->op == OPT_TRANSFORM && alive_bytes(p, ns, rr) > SPAN_BYTES) {
                if (run_fit_span(c, dc, sx, p, ns, rr, actual, e)) goto out;
                free_round_rows(rr, nr, p, ns);
            }
            /* a new round: its rows */
            cur_round = nd->round;
            cache_clear(&r->pcache, x->npipes);  /* prefixes are fitted on one round's rows */
            rt_protocol_rows(&dc->proto, dc->fold, dc->n, cur_round, dc->train, &ntrain, dc->test, &ntest);
            nfit = fit_rows(bt, ntrain);
            if (bt->subsample) {
                /* the same shuffle at every rung: a rung's rows are a
                 * prefix, and the next rung's prefix contains them */
                ut_rng g;
                ut_rng_seed(&g, dc->seed * 0x9e3779b97f4a7c15ULL + (uint64_t)cur_round + 1);
                ut_rng_shuffle_int(&g, dc->train, ntrain);
            }
            /* the split's lineage: its rows in the order the transforms see
             * them (cache_plan.c repeats the shuffle for EXPLAIN) */
            if (r->pcache.cache &&
                rt_lineage_fold(r->pcache.data, &x->task, cur_round, dc->train, ntrain, dc->test, ntest, r->pcache.fold)) {
                ut_errf(e, MLG_NOMEM, "out of memory");
                goto out;
            }
            if (span && nd->op == OPT_TRANSFORM && !rr[cur_round]) {
                round_rows *w = malloc(sizeof *w);
                int *tr = malloc(((size_t)ntrain + ntest) * sizeof *tr + 1);
                if (!w || !tr) {
                    free(w);
                    free(tr);
                    ut_errf(e, MLG_NOMEM, "out of memory");
                    goto out;
                }
                memcpy(tr, dc->train, (size_t)ntrain * sizeof *tr);
                memcpy(tr + ntrain, dc->test, (size_t)ntest * sizeof *tr);
                *w = (round_rows){tr, tr + ntrain, ntrain, ntest, nfit};
                rr[cur_round] = w;
            }
        }
        switch (nd->op) {
        case OPT_STATS: {
            double t0 = ut_now();
            if (run_stats(r, p, i, ns, e)) goto out;
            ns[i].done = 1;
            if (actual) actual[i] = ut_now() - t0;
            break;
        }
        case OPT_TRANSFORM: {
            int needed = 0;
            for (int j = i + 1; j < p->n && !needed; j++) {
                const opt_node *u = &p->nodes[j];
                if (u->op != OPT_FIT || u->input != i) continue;
                const opt_group *g = &p->groups[u->group];
                for (int k = 0; k < g->n; k++) needed |= !have[g->configs[k] * nr + u->round];
            }
            if (!needed) {
                ns[i].done = 1;   /* every run it feeds exists */
                break;
            }
            double t0 = ut_now();
            if (c->threads > 1) la_set_threads(1);   /* as in every window: see run_jobs */
            int trc = !ns[i].done && run_transform(dc, sx, p, nd, ntrain, ntest, &ns[i], &r->pcache, e);
            if (c->threads > 1) la_set_threads(c->threads);
            if (trc) goto out;
            if (actual) actual[i] += ut_now() - t0;
            break;
        }
        case OPT_FIT: {
            /* groups whose runs all exist are skipped */
            const opt_group *g = &p->groups[nd->group];
            int missing = 0;
            for (int k = 0; k < g->n; k++) missing += !have[g->configs[k] * nr + nd->round];
            if (!missing && !ns[i].done) {
                ns[i].done = ns[i].skipped = 1;
                node_state *in = &ns[nd->input];
                if (--in->remaining == 0 && in->has_design) {
                    drop_design(in);
                    in->has_design = 0;
                }
                break;
            }
            /* this FIT and the next ones of the round run together, one
             * per thread; later iterations find them done */
            round_rows cur = {dc->train, dc->test, ntrain, ntest, nfit};
            if (!ns[i].done && (span ? run_fit_span(c, dc, sx, p, ns, rr, actual, e)
                                     : run_fit_window(c, dc, sx, p, ns, i, &cur, bt->subsample ? r->prog : NULL,
                                                      timed, &r->pcache, actual, e)))
                goto out;
            if (span) free_round_rows(rr, nr, p, ns);
            break;
        }
        case OPT_EVALUATE: {
            node_state *fit = &ns[nd->input];
            int slot = map[nd->config] * nr + nd->round;
            if (have[nd->config * nr + nd->round] || !fit->done || fit->skipped || !fit->outs) {
                /* recorded before, or its fit never ran (budget) */
                if (--fit->remaining == 0) free_outs(fit);
                break;
            }
            rt_group_out *o = &fit->outs[p->member_of[nd->config]];
            if (o->stopped) {
                /* stopped inside its fit (stop.h): no run; the fits that
                 * finished are still recorded, then the statement ends */
                fit_stopped = 1;
                if (--fit->remaining == 0) free_outs(fit);
                break;
            }
            double score = NAN, pt0 = ut_now(), pred_s = 0;
            char *sj = NULL;
            const char *err = o->error;
            scored_out *so = fit->scored ? &fit->scored[p->member_of[nd->config]] : NULL;
            double scored_s = 0;   /* the worker's scoring, part of this node's work */
            if (!err && so && so->json) {
                /* scored by the fit's worker */
                scored_s = so->seconds;
                sj = so->json;
                so->json = NULL;
                score = so->score;
                pred_s = so->seconds;
                memcpy(r->tl.all + (size_t)slot * RT_MET__COUNT, so->all, sizeof so->all);
            } else if (!err) {
                sj = scores_json(dc, dc->test, ntest, o->pred, o->proba, x->metric, &score,
                                 r->tl.all + (size_t)slot * RT_MET__COUNT);
                if (!sj) {
                    ut_errf(e, MLG_NOMEM, "out of memory");
                    goto out;
                }
                pred_s = ut_now() - pt0;
            }
            if (!err && !isfinite(score)) err = "the score is not a finite number";
            r->tl.score[slot] = err ? NAN : score;
            r->tl.fit_s[slot] = o->fit_seconds;
            r->tl.pred_s[slot] = pred_s;
            if (nd->round == 0 || r->tl.rows[map[nd->config]] == 0) r->tl.rows[map[nd->config]] = nfit;
            int irc = insert_run(c, r->exp_id, r->cfg_ids[map[nd->config]], nd->round, score, sj, o->fit_seconds,
                                 pred_s, err, o->warning, bt->rung, bt->subsample ? nfit : 0,
                                 map[nd->config] + 1, r->batch, nd->config + 1, fit->blas, e);
            free(sj);
            if (irc) goto out;
            if (err) r->failed++;
            else if (o->warning) r->unconverged++;
            r->done++;
            r->runs_now++;
            if (!err && score_better(x->metric, score, r->best)) r->best = score;
            if (c->progress) c->progress(c->progress_arg, r->done, r->planned, r->best, ut_now() - r->t0);
            if (--fit->remaining == 0) free_outs(fit);
            if (actual) actual[i] = ut_now() - pt0 + scored_s;
            ns[i].ran = 1;
            break;
        }
        default: break;
        }
    }
    /* a stopped fit was the last new work: stop now, not at the next batch */
    if (fit_stopped && !must_stop(r, e)) {
        /* cannot happen (a fit stops only on must_stop's conditions); never
         * let the experiment finish with runs missing */
        cat_experiment_finish(c->cat, r->exp_id, "interrupted", "a fit was stopped", e);
        ut_errf(e, MLG_INTERRUPT, "interrupted: experiment %lld kept %d runs", r->exp_id, r->done);
    }
    if (fit_stopped) goto out;
    rc = 0;
    /* halving's rungs fit on fewer rows than the plan says: not recorded */
    if (!bt->subsample) {
        unsigned char *ran = malloc((size_t)p->n + 1);
        for (int i = 0; ran && i < p->n; i++) ran[i] = ns[i].ran;
        if (ran) rt_op_times_add_plan(&r->optimes, sx, p, actual, ran);
        free(ran);
    }
out:
    if (actual != actual_out) free(actual);
    if (rr) free_round_rows(rr, nr, p, NULL);
    free(rr);
    free(order);
    if (ns) free_state(ns, p->n);
    free(have);
    return rc;
}

/* Reuse across queries: every (configuration, round) of the batch that
 * this experiment does not have yet and an earlier experiment of the same
 * lineage finished is recorded here as a copy pointing at its origin, and
 * joins the prior runs run_batch takes instead of fitting (as RESUME's
 * do).  The plan is not cut: a group fit some of whose members are still
 * missing runs whole, so the new members get the bits a FRESH run gives
 * them (logreg's C path depends on its group). */
static int reuse_batch(explore_run *r, const rt_batch *b, ut_err *e)
{
    int nr = r->nr, rc = -1, in_tx = 0;
    long long *rows = calloc((size_t)nr + 1, sizeof *rows), *ids = calloc((size_t)b->n + 1, sizeof *ids);
    rt_reuse_pool pool = {0};
    if (!rows || !ids) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    for (int j = 0; j < nr && b->subsample; j++) {
        int ntrain = 0, ntest = 0;
        rt_protocol_rows(&r->dc.proto, r->dc.fold, r->dc.n, j, r->dc.train, &ntrain, r->dc.test, &ntest);
        rows[j] = fit_rows(b, ntrain);
    }
    for (int k = 0; k < b->n; k++) ids[k] = r->cfg_ids[b->cfg[k]];
    if (rt_reuse_load(r->c, r->x, r->exp_id, ids, b->n, &pool, e)) goto out;
    for (int k = 0; k < b->n && pool.n; k++) {
        long long id = ids[k];
        for (int j = 0; j < nr; j++) {
            int have = 0;
            for (int q = 0; q < r->nprior && !have; q++)
                have = r->prior[q].config_id == id && r->prior[q].fold == j && r->prior[q].rung == b->rung;
            const rt_reuse_run *u = have ? NULL : rt_reuse_find(&pool, id, j, rows[j]);
            if (!u) continue;
            prior_run *np = realloc(r->prior, (size_t)(r->nprior + 1) * sizeof *np);
            if (!np) {
                ut_errf(e, MLG_NOMEM, "out of memory");
                goto out;
            }
            r->prior = np;
            if (!in_tx && cat_begin(r->c->cat, e)) goto out;
            in_tx = 1;
            cat_run cr = {r->exp_id, id, j, u->score, u->scores_json, u->fit_s, u->pred_s, "ok", NULL, b->rung,
                          rows[j], u->origin, u->warning, b->cfg[k] + 1, r->batch, k + 1, 0};
            if (cat_run_insert(r->c->cat, &cr, e)) goto out;
            prior_run *pr = &r->prior[r->nprior++];
            memset(pr, 0, sizeof *pr);
            pr->config_id = id;
            pr->fold = j;
            pr->rung = b->rung;
            pr->ok = 1;
            pr->reused = 1;
            pr->rows = rows[j];
            pr->score = u->score;
            pr->fit_s = u->fit_s;
            pr->pred_s = u->pred_s;
            memcpy(pr->all, u->all, sizeof pr->all);
        }
    }
    if (in_tx && cat_commit(r->c->cat, e)) goto out;
    in_tx = 0;
    rc = 0;
out:
    if (in_tx) {
        /* the copies went with the transaction: forget them */
        cat_rollback(r->c->cat);
        int keep = 0;
        for (int q = 0; q < r->nprior; q++)
            if (!r->prior[q].reused || r->prior[q].rung != b->rung) r->prior[keep++] = r->prior[q];
        r->nprior = keep;
    }
    rt_reuse_free(&pool);
    free(rows);
    free(ids);
    return rc;
}

/* Interns the batch's configurations the catalog does not know yet. */
static int intern_batch(explore_run *r, const rt_batch *b, ut_err *e)
{
    int rc = 0;
    for (int k = 0; k < b->n && !rc; k++) {
        int i = b->cfg[k];
        if (r->cfg_ids[i]) continue;
        char *pj = cmp_config_json(r->x, i);
        rc = pj ? cat_config_intern(r->c->cat, rt_families[r->x->configs[i].family].name, pj, &r->cfg_ids[i], e)
                : ut_errf(e, MLG_NOMEM, "out of memory");
        free(pj);
    }
    return rc;
}

/* The best mean score of experiment `exp` (or, exp = 0, of the task's
 * current baseline) by the metric's direction; NAN when none.  family and
 * params of the best configuration go into fam (may be NULL). */
static double best_of(rt_ctx *c, const cmp_explore *x, long long exp, char *fam, size_t famcap, long long *base_exp)
{
    ut_buf q;
    ut_buf_init(&q);
    int hib = rt_metrics[x->metric].higher_is_better;
    ut_result *r = NULL;
    ut_err qe;
    ut_err_clear(&qe);
    double best = NAN;
    if (exp <= 0) {
        /* the baselines view's experiment (the task's latest finished
         * BASELINE), found first: the view filters results of every
         * experiment, which grows with the catalog */
        ut_buf_puts(&q, "SELECT max(id) FROM experiments WHERE kind = 'baseline' AND status = 'finished' AND task = '");
        for (const char *p = x->task.name; *p; p++) {
            if (*p == '\'') ut_buf_putc(&q, '\'');
            ut_buf_putc(&q, *p);
        }
        ut_buf_putc(&q, '\'');
        exp = 0;
        if (!q.oom && !cat_select(c->cat, q.s, &r, &qe) && r->nrows == 1 && r->cells[0].type == UT_INT)
            exp = r->cells[0].i;
        ut_result_free(r);
        r = NULL;
        ut_buf_free(&q);
        ut_buf_init(&q);
        if (exp <= 0) return NAN;
    }
    ut_buf_printf(&q, "SELECT family, mean_score, experiment FROM results WHERE experiment = %lld", exp);
    ut_buf_printf(&q, " AND mean_score IS NOT NULL ORDER BY mean_score %s LIMIT 1", hib ? "DESC" : "ASC");
    if (!q.oom && !cat_select(c->cat, q.s, &r, &qe) && r->nrows == 1) {
        const ut_value *v = r->cells;
        if (v[1].type == UT_FLOAT || v[1].type == UT_INT) best = v[1].type == UT_FLOAT ? v[1].d : (double)v[1].i;
        if (fam && v[0].type == UT_TEXT) snprintf(fam, famcap, "%s", v[0].s);
        if (base_exp && v[2].type == UT_INT) *base_exp = v[2].i;
    }
    ut_result_free(r);
    ut_buf_free(&q);
    return best;
}

/* EXPLORE's summary against the task's baseline (BASELINE task), when one
 * exists: only on the same ranking metric, since the baseline ranks by
 * the task's.  Nothing is said when there is no baseline. */
static void baseline_note(rt_ctx *c, const cmp_explore *x, long long exp, ut_buf *b)
{
    char fam[64] = "";
    long long bexp = 0;
    double base = best_of(c, x, 0, fam, sizeof fam, &bexp);
    if (isnan(base)) return;
    if (x->cost) {
        ut_buf_printf(b, "; baseline (experiment %lld) ranks by %s, not cost: not compared", bexp,
                      rt_metrics[x->metrics[1 < x->nmetrics ? 1 : 0]].name);
        return;
    }
    double best = best_of(c, x, exp, NULL, 0, NULL);
    if (isnan(best)) return;
    const char *m = rt_metrics[x->metric].name;
    double gain = rt_metrics[x->metric].higher_is_better ? best - base : base - best;
    ut_buf_printf(b, "; best %s %.4g vs baseline %.4g (%s, experiment %lld): %s%.4g %s", m, best, base, fam, bexp,
                  gain >= 0 ? "+" : "-", fabs(gain), gain >= 0 ? "better" : "worse");
}

int rt_exec_explore(rt_ctx *c, const cmp_stmt *s, const opt_plan *p, const char *statement,
                    ut_result **out, char **msg, double *actual, ut_err *e)
{
    return rt_exec_explore_resume(c, s, p, statement, -1, out, msg, actual, e);
}

int rt_exec_explore_resume(rt_ctx *c, const cmp_stmt *s, const opt_plan *p, const char *statement,
                           long long resume_id, ut_result **out, char **msg, double *actual, ut_err *e)
{
    const cmp_explore *x0 = s->explore;
    *out = NULL;
    *msg = NULL;
    explore_run R;
    memset(&R, 0, sizeof R);
    R.c = c;
    R.best = NAN;
    R.t0 = ut_now();
    R.nr = p->nrounds;
    /* long fits check it each iteration (stop.h); the same condition as
     * must_stop's */
    rt_stop stop = {c->interrupted, c->max_seconds > 0 ? R.t0 + (double)c->max_seconds : 0};
    const rt_stop *outer_stop = rt_stop_current();
    rt_stop_install(&stop);
    R.exp_id = -1;
    R.reuse_on = rt_reuse_off(c, x0) == NULL;
    data_ctx *dc = &R.dc;
    int *fold = NULL, nfold = 0, rc = -1, in_tx = 0;
    char *lt = NULL, *pt = NULL;
    rt_search *se = NULL;
    cmp_explore wx = *x0;   /* working copy: its own configuration array */
    R.x = &wx;
    wx.configs = NULL;
    const cmp_search *st = &x0->strategy;
    int single = st->budget_unit == CMP_BUDGET_NONE &&
                 (st->kind == CMP_SEARCH_GRID || st->kind == CMP_SEARCH_RANDOM);
    R.cap = x0->nconfigs + (st->kind == CMP_SEARCH_BAYES ? st->n : 0) + 1;
    wx.configs = malloc((size_t)R.cap * sizeof *wx.configs);
    R.pcache = (prefix_cache){p->sharing, NULL, 0, calloc((size_t)x0->npipes + 1, 1), NULL, {0}, {0}, {{0}, NULL, 0, 0, 0, 0, 0, 0}};
    int nr = R.nr, cap = R.cap;
    R.planned = nr * x0->nconfigs;
    R.known_plan = single;
    int ninit = x0->nconfigs;
    opt_stats stats;
    double *hist = NULL;
    memset(&stats, 0, sizeof stats);

    double tl0 = ut_now();
    if (!wx.configs) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    memcpy(wx.configs, x0->configs, (size_t)ninit * sizeof *wx.configs);
    if (rt_load_dataset(c, &x0->dataset, &dc->t, e)) goto out;
    double load_s = ut_now() - tl0;
    if (actual) actual[0] = load_s;
    if (rt_cache_active(c) && p->sharing) {
        if (rt_lineage_data(&x0->dataset, R.pcache.data)) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto out;
        }
        R.pcache.cache = c;
        dc->cache = c;
    }
    dc->n = dc->t->nrows;
    dc->target = rt_table_find(dc->t, x0->task.target);
    if (dc->target < 0) {
        ut_errf(e, MLG_DATA, "dataset '%s' has no column '%s' any more", x0->dataset.name, x0->task.target);
        goto out;
    }
    if (rt_protocol_parse(x0->task.protocol_json, &dc->proto, e)) goto out;
    tl0 = ut_now();
    if (cat_task_folds(c->cat, x0->task.id, &fold, &nfold, e)) goto out;
    if (actual && p->n > 1) actual[1] = ut_now() - tl0;
    rt_op_times_add_load(&R.optimes, x0, c->load_way, load_s, ut_now() - tl0);
    if (nfold != dc->n * (dc->proto.type == RT_PROTO_REPEATED ? dc->proto.reps : 1)) {
        ut_errf(e, MLG_CATALOG, "task '%s' has %d fold entries but the dataset has %d rows", x0->task.name, nfold,
                dc->n);
        goto out;
    }
    dc->fold = fold;
    dc->seed = (unsigned long long)x0->task.seed;
    dc->cost = x0->cost;
    dc->cost_fn = x0->cost_fn;
    dc->cost_fp = x0->cost_fp;
    dc->kind = strcmp(x0->task.kind, "regression") ? RT_CLASSIFICATION : RT_REGRESSION;
    const rt_column *tc = &dc->t->cols[dc->target];
    dc->train = malloc((size_t)dc->n * sizeof *dc->train + 1);
    dc->test = malloc((size_t)dc->n * sizeof *dc->test + 1);
    if (dc->kind == RT_CLASSIFICATION) {
        dc->yc = malloc((size_t)dc->n * sizeof *dc->yc + 1);
        if (!dc->yc || rt_target_classes(tc, dc->n, dc->yc, &dc->nclasses, NULL, e)) {
            if (!dc->yc) ut_errf(e, MLG_NOMEM, "out of memory");
            goto out;
        }
    } else {
        dc->y = tc->num;  /* borrowed from the table */
    }
    R.cfg_ids = calloc((size_t)cap, sizeof *R.cfg_ids);
    R.tl.score = malloc((size_t)cap * nr * sizeof *R.tl.score);
    R.tl.all = malloc((size_t)cap * nr * RT_MET__COUNT * sizeof *R.tl.all);
    R.tl.fit_s = calloc((size_t)cap * nr, sizeof *R.tl.fit_s);
    R.tl.pred_s = calloc((size_t)cap * nr, sizeof *R.tl.pred_s);
    R.tl.rung = malloc((size_t)cap * sizeof *R.tl.rung);
    R.tl.rows = calloc((size_t)cap, sizeof *R.tl.rows);
    R.tl.show_rows = st->kind == CMP_SEARCH_HALVING || st->kind == CMP_SEARCH_HYPERBAND;
    if (p->sharing && R.tl.show_rows) R.prog = rt_prog_new();
    if (!dc->train || !dc->test || !R.cfg_ids || !R.tl.score || !R.tl.all || !R.tl.fit_s || !R.tl.pred_s ||
        !R.tl.rung || !R.tl.rows || !R.pcache.pipe_done || (p->sharing && R.tl.show_rows && !R.prog)) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < cap; i++) R.tl.rung[i] = -1;

    /* the experiment and its first configurations, committed before any run */
    lt = opt_logical_text(x0);
    pt = opt_physical_text(x0, p, NULL);
    if (cat_begin(c->cat, e)) goto out;
    in_tx = 1;
    if (resume_id >= 0) {
        if (cat_experiment_resume(c->cat, resume_id, e)) goto out;
        R.exp_id = resume_id;
    } else if (cat_experiment_begin(c->cat, x0->task.id, statement, x0->spec_json, lt, pt, R.planned, &R.exp_id,
                                    e) ||
               rt_record_provenance(c, R.exp_id, x0, e) ||   /* what REPRODUCE needs (exec_model.c) */
               cat_experiment_intents(c->cat, R.exp_id, x0->baseline, x0->intents_json,
                                      x0->cost ? rt_metrics[x0->metric].name : NULL, e)) {
        goto out;
    }
    for (int i = 0; i < ninit; i++) {
        /* a configuration is its model and its preprocessing */
        char *pj = cmp_config_json(&wx, i);
        int irc = pj ? cat_config_intern(c->cat, rt_families[wx.configs[i].family].name, pj, &R.cfg_ids[i], e)
                     : ut_errf(e, MLG_NOMEM, "out of memory");
        free(pj);
        if (irc) goto out;
    }
    if (cat_commit(c->cat, e)) goto out;
    in_tx = 0;
    if (resume_id >= 0 && load_prior(c, R.exp_id, &R.prior, &R.nprior, e)) goto out;
    /* the intermediate cache as the catalog says, within the budget, before
     * use (after the experiment row: that comes first); a cache that cannot
     * be tidied now (the catalog busy) is still read */
    if (R.pcache.cache && rt_cache_sync(c, e)) {
        if (e->code == MLG_NOMEM) goto out;
        ut_err_clear(e);
    }

    /* the strategy proposes batches; each runs through the optimizer's
     * plan for its configurations */
    if (rt_plan_stats(c, x0, &stats, &hist, e)) goto out;
    stats.hist = NULL;   /* per configuration of x0: sub-plans index differently */
    dc->st = &stats;
    dc->pred_cache = st->kind != CMP_SEARCH_HALVING && st->kind != CMP_SEARCH_HYPERBAND;
    /* under a time budget, batches of one configuration per thread: a
     * group fit serving many configurations could outlast the budget by
     * more than one fit */
    int chunk = st->budget_unit == CMP_BUDGET_SECONDS ? (c->threads > 1 ? c->threads : 1) : 0;
    if (rt_search_new(&wx, chunk, &se, e)) goto out;
    for (;;) {
        rt_batch b;
        int more = rt_search_next(se, &b, e);
        if (more < 0) goto out;
        if (!more || R.stopped) break;
        if (st->budget_unit == CMP_BUDGET_RUNS) {
            /* reused runs count as run: the search goes as far as without reuse */
            long long left = (long long)st->budget - R.runs_now - R.resumed - R.reused;
            int fit = (int)(left / nr);
            if (fit <= 0) {
                R.stopped = 1;
                break;
            }
            if (b.n > fit) b.n = fit;
        }
        if (out_of_time(&R)) {
            R.stopped = 1;
            break;
        }
        R.batch++;   /* recorded with its runs: REPRODUCE refits the same groups */
        if (intern_batch(&R, &b, e)) goto out;
        if (R.reuse_on && reuse_batch(&R, &b, e)) goto out;
        cmp_explore sx = wx;
        sx.configs = malloc((size_t)b.n * sizeof *sx.configs + 1);
        if (!sx.configs) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto out;
        }
        for (int k = 0; k < b.n; k++) sx.configs[k] = wx.configs[b.cfg[k]];
        sx.nconfigs = b.n;
        const opt_plan *bp = p;
        opt_plan *own = NULL;
        int whole = single && b.n == x0->nconfigs;
        if (!whole) {
            /* under a time budget each configuration is its own fit, so
             * the budget's slack is one fit, not one group of fits */
            int share = st->budget_unit == CMP_BUDGET_SECONDS ? 0 : p->sharing;
            if (opt_physical(&sx, &stats, share, &own, e)) {
                free(sx.configs);
                goto out;
            }
            bp = own;
        }
        int brc = run_batch(&R, &sx, bp, b.cfg, &b, whole ? actual : NULL, e);
        opt_plan_free(own);
        free(sx.configs);
        if (brc) goto out;
        /* the strategy learns each configuration's mean score (larger is
         * better; incomplete or failed: NAN) */
        double *sc = malloc((size_t)b.n * sizeof *sc + 1);
        if (!sc) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto out;
        }
        for (int k = 0; k < b.n; k++) {
            double m = 0;
            for (int j = 0; j < nr; j++) m += R.tl.score[(size_t)b.cfg[k] * nr + j];
            m /= nr;
            sc[k] = rt_metrics[x0->metric].higher_is_better ? m : -m;
        }
        rt_search_tell(se, &b, sc);
        free(sc);
        if (wx.nconfigs >= cap) break;   /* bayes: as many as it may add */
    }
    /* configurations the budget cut short (some rounds missing) are not ranked */
    for (int i = 0; i < wx.nconfigs; i++) {
        if (R.tl.rung[i] < 0) continue;
        int complete = 1;
        for (int j = 0; j < nr; j++) {
            size_t slot = (size_t)i * nr + j;
            int ran = !isnan(R.tl.score[slot]) || R.tl.fit_s[slot] > 0 || !isnan(R.tl.all[slot * RT_MET__COUNT]);
            complete &= ran;
        }
        if (!complete && R.stopped) R.tl.rung[i] = -1;
    }
    tl0 = ut_now();
    double used = st->budget_unit == CMP_BUDGET_RUNS ? (double)(R.runs_now + R.resumed + R.reused) : ut_now() - R.t0;
    if (cat_experiment_search(c->cat, R.exp_id, wx.search,
                              st->budget_unit == CMP_BUDGET_SECONDS ? "seconds"
                              : st->budget_unit == CMP_BUDGET_RUNS  ? "runs"
                                                                    : NULL,
                              st->budget, used, e))
        goto out;
    if (cat_experiment_finish(c->cat, R.exp_id, "finished", NULL, e)) goto out;
    if (build_result(c, &wx, &R.tl, nr, R.cfg_ids, out, e)) goto out;
    if (actual) actual[p->n - 1] = ut_now() - tl0;
    ut_buf b;
    ut_buf_init(&b);
    int evaluated = 0, total = R.runs_now + R.resumed + R.reused;
    for (int i = 0; i < wx.nconfigs; i++) evaluated += R.tl.rung[i] >= 0;
    if (single && !R.stopped)
        ut_buf_printf(&b, "experiment %lld: %d configuration%s x %d round%s = %d run%s", R.exp_id, ninit,
                      ninit == 1 ? "" : "s", nr, nr == 1 ? "" : "s", R.planned, R.planned == 1 ? "" : "s");
    else
        ut_buf_printf(&b, "experiment %lld: search %s, %d configuration%s evaluated, %d run%s", R.exp_id, wx.search,
                      evaluated, evaluated == 1 ? "" : "s", total, total == 1 ? "" : "s");
    if (R.reused) ut_buf_printf(&b, ", %d reused from the repository", R.reused);
    if (resume_id >= 0) ut_buf_printf(&b, " (%d recorded before, %d run now)", R.resumed, R.runs_now);
    if (R.failed) ut_buf_printf(&b, ", %d failed", R.failed);
    if (R.unconverged)
        ut_buf_printf(&b, ", %d did not converge (runs.warning)", R.unconverged);
    if (st->budget_unit == CMP_BUDGET_RUNS)
        ut_buf_printf(&b, "; budget %g runs, used %d (%.0f%%)", st->budget, total, 100.0 * total / st->budget);
    else if (st->budget_unit == CMP_BUDGET_SECONDS && c->show_times)
        ut_buf_printf(&b, "; budget %g seconds, used %.2f (%.0f%%)", st->budget, used, 100.0 * used / st->budget);
    else if (st->budget_unit == CMP_BUDGET_SECONDS)   /* SET show_times = off: no clock readings */
        ut_buf_printf(&b, "; budget %g seconds, %s", st->budget, R.stopped ? "used up" : "not used up");
    if (!x0->baseline) baseline_note(c, x0, R.exp_id, &b);
    if (R.prog) {
        long long reused, added;
        rt_prog_counts(R.prog, &reused, &added);
        if (reused) ut_buf_printf(&b, "; progressive reuse: statistics of %lld rows updated, not recomputed", reused);
    }
    *msg = ut_buf_take(&b);
    rc = 0;
out:
    if (rc) {
        ut_err keep = *e;
        if (in_tx) {
            cat_rollback(c->cat);
            if (resume_id < 0) R.exp_id = -1;   /* its row went with the transaction */
        }
        if (R.exp_id >= 0 && keep.code == MLG_CATALOG) {
            /* the catalog refused a write (a full disk, an I/O error):
             * every run recorded so far stays, and the experiment can be
             * finished later.  Marking it may fail for the same reason; it
             * then stays 'running' until the next process that opens the
             * catalog after this one ends marks it interrupted. */
            ut_err fe;
            ut_err_clear(&fe);
            cat_experiment_finish(c->cat, R.exp_id, "interrupted", keep.msg, &fe);
            char more[160];
            snprintf(more, sizeof more, "; experiment %lld kept %d of %d runs (RESUME EXPERIMENT %lld finishes it)",
                     R.exp_id, R.done, R.planned, R.exp_id);
            size_t l = strlen(keep.msg);
            if (l + strlen(more) < sizeof keep.msg) memcpy(keep.msg + l, more, strlen(more) + 1);
        } else if (R.exp_id >= 0 && keep.code != MLG_INTERRUPT && keep.code != MLG_DENIED) {
            ut_err fe;
            ut_err_clear(&fe);
            cat_experiment_finish(c->cat, R.exp_id, "failed", keep.msg, &fe);
        }
        *e = keep;
    }
    rt_op_times_flush(c, x0, &R.optimes);
    rt_stop_install(outer_stop);
    rt_search_free(se);
    rt_prog_free(R.prog);
    free(hist);
    cache_clear(&R.pcache, 0);
    free(R.pcache.e);
    free(R.pcache.pipe_done);
    free(R.prior);
    free(R.cfg_ids);
    free(R.tl.score);
    free(R.tl.all);
    free(R.tl.fit_s);
    free(R.tl.pred_s);
    free(R.tl.rung);
    free(R.tl.rows);
    for (int i = ninit; wx.configs && i < wx.nconfigs; i++) cmp_config_clear(&wx.configs[i]);
    free(wx.configs);
    free(fold);
    free(dc->yc);
    rt_ridge_folds_free(dc->rfolds);
    rt_nb_folds_free(dc->nbfolds);
    free(dc->train);
    free(dc->test);
    free(lt);
    free(pt);
    return rc;
}

/* Mean measured fit seconds of each configuration's latest runs on this
 * dataset (NAN when none): the cost model prefers them to its formulas.
 * The catalog looks them up by config id (cat_fit_history), from the
 * configurations asked for: a task with hundreds of experiments costs no
 * more than one with a few. */
/* extra: doubles more at the end of the block (rt_plan_stats' operator
 * times) */
static double *fit_history(rt_ctx *c, const cmp_explore *x, size_t extra, ut_err *e)
{
    double *h = malloc(((size_t)x->nconfigs + extra) * sizeof *h + 1);
    long long *ids = malloc((size_t)x->nconfigs * sizeof *ids + 1);
    if (!h || !ids) {
        free(ids);
        return h;   /* NULL: the caller reports out of memory */
    }
    int n = 0;
    ut_err qe;
    ut_err_clear(&qe);
    for (int i = 0; i < x->nconfigs; i++) {
        h[i] = NAN;
        char *pj = cmp_config_json(x, i);
        long long id = -1;
        /* a configuration never interned has no history; -1 matches no row */
        if (!pj || cat_config_find(c->cat, rt_families[x->configs[i].family].name, pj, &id, &qe) != 1) id = -1;
        free(pj);
        ids[n++] = id;
    }
    /* no history is not an error: the formulas remain */
    if (cat_fit_history(c->cat, x->dataset.name, c->sharing ? 1 : 0, ids, n, h, &qe))
        for (int i = 0; i < x->nconfigs; i++) h[i] = NAN;
    (void)e;
    free(ids);
    return h;
}

int rt_plan_stats(rt_ctx *c, const cmp_explore *x, opt_stats *st, double **hist, ut_err *e)
{
    memset(st, 0, sizeof *st);
    size_t extra = RT_OP_TIMES_DOUBLES(x);
    *hist = fit_history(c, x, extra, e);
    st->hist = *hist;
    /* the other operators' measured times, in the block's tail */
    if (*hist) rt_op_times_lookup(c, x, *hist + x->nconfigs, &st->ops);
    st->nrows = x->dataset.nrows;
    st->nrounds = x->task.nrounds;
    st->threads = c->threads;
    ut_result *cols = NULL;
    if (cat_describe_dataset(c->cat, x->dataset.name, &cols, e)) return -1;
    int ci = -1, ti = -1, di = -1, mi = -1;
    for (int j = 0; j < cols->ncols; j++) {
        if (!strcmp(cols->names[j], "column")) ci = j;
        if (!strcmp(cols->names[j], "type")) ti = j;
        if (!strcmp(cols->names[j], "distinct")) di = j;
        if (!strcmp(cols->names[j], "missing")) mi = j;
    }
    /* rule 2 (ridge from Gram blocks per fold): plain k-fold CV over a
     * table that impute and onehot leave as it is */
    rt_protocol proto;
    ut_err pe;
    ut_err_clear(&pe);
    st->gram_folds_ok = mi >= 0 && x->task.protocol_json && !rt_protocol_parse(x->task.protocol_json, &proto, &pe) &&
                        proto.type == RT_PROTO_CV;
    for (int r = 0; ci >= 0 && ti >= 0 && di >= 0 && r < cols->nrows; r++) {
        const ut_value *v = &cols->cells[(size_t)r * (size_t)cols->ncols];
        int is_target = v[ci].type == UT_TEXT && !ut_strcasecmp(v[ci].s, x->task.target);
        int is_cat = v[ti].type == UT_TEXT && !strcmp(v[ti].s, "categorical");
        if (mi >= 0 && (v[mi].type != UT_INT || v[mi].i != 0)) st->gram_folds_ok = 0;
        if (!is_target && is_cat) st->gram_folds_ok = 0;
        if (is_target) st->nclasses = is_cat || strcmp(x->task.kind, "regression") ? (int)v[di].i : 0;
        else st->nfeatures += is_cat ? (int)v[di].i : 1;
    }
    ut_result_free(cols);
    return 0;
}
