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
#include "protocol.h"
#include "share.h"
#include "linalg.h"
#include "../include/mileage.h"

typedef struct {
    int       done;        /* TRANSFORM / FIT already executed */
    int       skipped;     /* FIT not needed: its runs were recorded before */
    double   *xtr, *xte;   /* TRANSFORM output: the round's training and test
                              rows of the design, row-major, p columns */
    int       p;
    int       has_design;
    rt_group_out *outs;    /* FIT output: one per configuration of its group */
    int       nouts;
    int       remaining;   /* users that have not run yet */
    char     *error;       /* TRANSFORM failure, reported by its groups' runs */
} node_state;

typedef struct {
    double *score;         /* nconfigs x nrounds, NAN when failed */
    double *all;           /* nconfigs x nrounds x RT_MET__COUNT: every metric */
    double *fit_s, *pred_s;
    int    *failed;        /* per config: failed runs */
    char  **first_error;   /* per config */
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
    double *x = malloc((size_t)n * (size_t)d->p * sizeof *x + 1);
    if (!x) return NULL;
    for (int i = 0; i < n; i++) memcpy(x + (size_t)i * d->p, d->x + (size_t)idx[i] * d->p, (size_t)d->p * sizeof *x);
    return x;
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
    int *train, *test; /* scratch */
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
        double v = rt_metric_score((rt_metric)m, ntest, yt, ytd, pred, proba, dc->nclasses);
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

/* FIT of one group: its configurations on the round's training rows,
 * predicting the round's test rows (share.c decides what is shared). */
static int run_group(const data_ctx *dc, const cmp_explore *x, const opt_group *g, const node_state *tf,
                     const int *train, int ntrain, int ntest, node_state *ns, ut_err *e)
{
    /* the transform's rows are shared read-only by every group of it */
    const double *X = tf->xtr, *Xt = tf->xte;
    int *yc = NULL, rc = -1, k = dc->kind == RT_CLASSIFICATION ? dc->nclasses : 0;
    double *y = NULL;
    const rt_pval **params = malloc((size_t)g->n * sizeof *params);
    ns->outs = calloc((size_t)g->n, sizeof *ns->outs);
    ns->nouts = g->n;
    if (!X || !Xt || !params || !ns->outs) goto oom;
    for (int i = 0; i < g->n; i++) {
        params[i] = x->configs[g->configs[i]].params;
        ns->outs[i].pred = malloc((size_t)ntest * sizeof(double) + 1);
        ns->outs[i].proba = k ? malloc((size_t)ntest * (size_t)k * sizeof(double) + 1) : NULL;
        if (!ns->outs[i].pred || (k && !ns->outs[i].proba)) goto oom;
    }
    if (k) {
        if (!(yc = malloc((size_t)ntrain * sizeof *yc + 1))) goto oom;
        for (int i = 0; i < ntrain; i++) yc[i] = dc->yc[train[i]];
    } else {
        if (!(y = malloc((size_t)ntrain * sizeof *y + 1))) goto oom;
        for (int i = 0; i < ntrain; i++) y[i] = dc->y[train[i]];
    }
    rt_trainset ts = {X, ntrain, tf->p, y, yc, k, dc->seed};
    rc = rt_fit_predict_group(x->configs[g->configs[0]].family, params, g->n, &ts, Xt, ntest, ns->outs, e);
    goto done;
oom:
    ut_errf(e, MLG_NOMEM, "out of memory");
done:
    free(yc);
    free(y);
    free(params);
    return rc;
}

static void free_outs(node_state *ns)
{
    for (int i = 0; i < ns->nouts; i++) {
        free(ns->outs[i].pred);
        free(ns->outs[i].proba);
        free(ns->outs[i].error);
    }
    free(ns->outs);
    ns->outs = NULL;
    ns->nouts = 0;
}

static int insert_run(rt_ctx *c, long long exp_id, long long config_id, int round, double score,
                      const char *sj, double fit_s, double pred_s, const char *err, ut_err *e)
{
    cat_run r = {exp_id, config_id, round, err ? NAN : score, sj ? sj : "{}", fit_s, pred_s,
                 err ? "failed" : "ok", err};
    return cat_run_insert(c->cat, &r, e);
}

static void free_state(node_state *ns, int n)
{
    for (int i = 0; i < n; i++) {
        free(ns[i].xtr);
        free(ns[i].xte);
        free_outs(&ns[i]);
        free(ns[i].error);
    }
    free(ns);
}

/* ---- the ranked result ---- */

static int cmp_rank_metric;
static const double *cmp_rank_mean;
static int rank_cmp(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
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
    for (int i = 0; i < nc; i++) {
        order[i] = i;
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
    qsort(order, (size_t)nc, sizeof *order, rank_cmp);
    int shown = x->top && x->top < nc ? x->top : nc;
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
    int users;         /* pipelines of this round still to continue from it */
} prefix_entry;

typedef struct {
    int on;            /* sharing on */
    prefix_entry *e;
    int n;
    unsigned char *pipe_done;  /* per pipeline: transformed in this round */
} prefix_cache;

static void cache_clear(prefix_cache *pc, int npipes)
{
    for (int i = 0; i < pc->n; i++) rt_tf_state_free(pc->e[i].st);
    pc->n = 0;
    if (pc->pipe_done) memset(pc->pipe_done, 0, (size_t)npipes);
}

/* Pipelines a and b agree on their first len steps. */
static int same_prefix(const cmp_explore *x, int a, int b, int len)
{
    const cmp_pipeline *pa = &x->pipes[a], *pb = &x->pipes[b];
    if (pa->nsteps < len || pb->nsteps < len) return 0;
    for (int j = 0; j < len; j++)
        if (strcmp(pa->steps[j].text, pb->steps[j].text) || pa->steps[j].implicit != pb->steps[j].implicit) return 0;
    return 1;
}

static int run_transform(const data_ctx *dc, const cmp_explore *x, const opt_plan *p, const opt_node *nd,
                         int ntrain, int ntest, node_state *ns, prefix_cache *pc, ut_err *e)
{
    const cmp_pipeline *pl = &x->pipes[nd->pipe];
    rt_tf_step steps[64];
    int nsteps = pl->nsteps < 64 ? pl->nsteps : 64, rc = 0;
    for (int k = 0; k < nsteps; k++) steps[k] = pl->steps[k].step;
    ut_err te;
    ut_err_clear(&te);
    ns->done = 1;
    rt_tf_state *cur = NULL;
    int from = 0;
    if (pc->on) pc->pipe_done[nd->pipe] = 1;
    if (pc->on) {
        /* the longest kept prefix of this pipeline */
        int best = -1;
        for (int i = 0; i < pc->n; i++)
            if (pc->e[i].len <= nsteps && (best < 0 || pc->e[i].len > pc->e[best].len) &&
                same_prefix(x, pc->e[i].pipe, nd->pipe, pc->e[i].len))
                best = i;
        if (best >= 0) {
            from = pc->e[best].len;
            cur = pc->e[best].st;
            pc->e[best].users--;
        }
    }
    rt_tf_state *owned = NULL;  /* a state of ours not (yet) in the cache */
    if (!cur) {
        if (rt_tf_begin(dc->t, dc->target, &owned, &te)) goto fail;
        cur = owned;
    }
    for (int j = from; j < nsteps; j++) {
        /* keep the state after step j when a later pipeline of this round
         * starts with the same j + 1 steps */
        int later = 0;
        for (int q = 0; pc->on && q < x->npipes; q++)
            later += q != nd->pipe && !pc->pipe_done[q] && same_prefix(x, q, nd->pipe, j + 1);
        rt_tf_state *next = NULL;
        if (rt_tf_apply(cur, &steps[j], 1, dc->train, ntrain, &next, &te)) {
            rt_tf_state_free(owned);
            goto fail;
        }
        rt_tf_state_free(owned);
        owned = next;
        cur = next;
        if (later) {
            prefix_entry *ne = realloc(pc->e, (size_t)(pc->n + 1) * sizeof *ne);
            if (!ne) {
                rt_tf_state_free(owned);
                return ut_errf(e, MLG_NOMEM, "out of memory");
            }
            pc->e = ne;
            pc->e[pc->n++] = (prefix_entry){owned, nd->pipe, j + 1, later};
            owned = NULL;  /* the cache owns it now */
        }
    }
    rt_design d;
    memset(&d, 0, sizeof d);
    rc = rt_tf_finish(cur, dc->train, ntrain, &d, &te);
    rt_tf_state_free(owned);
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
    /* split into the round's training and test rows once, and let the
     * full design go: the fits read these, nobody copies them again */
    ns->xtr = gather(&d, dc->train, ntrain);
    ns->xte = gather(&d, dc->test, ntest);
    ns->p = d.p;
    rt_design_free(&d);
    if (!ns->xtr || !ns->xte) return ut_errf(e, MLG_NOMEM, "out of memory");
    ns->has_design = 1;
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

typedef struct {
    int node;
    ut_err err;
    int rc;
    double seconds;
} fit_job;

/* Work shared by the threads of one window: they take jobs in order. */
typedef struct {
    const data_ctx *dc;
    const cmp_explore *x;
    const opt_plan *p;
    node_state *ns;
    int ntrain, ntest;
    fit_job *jobs;
    int njobs, next;
    pthread_mutex_t lock;
} fit_queue;

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
        j->rc = run_group(q->dc, q->x, g, in, q->dc->train, q->ntrain, q->ntest, me, &j->err);
    }
    j->seconds = ut_now() - t0;
}

static void *fit_worker(void *arg)
{
    fit_queue *q = arg;
    for (;;) {
        pthread_mutex_lock(&q->lock);
        int k = q->next < q->njobs ? q->next++ : -1;
        pthread_mutex_unlock(&q->lock);
        if (k < 0) return NULL;
        run_job(q, &q->jobs[k]);
    }
}

#define MAX_WINDOW 256

/* Runs FIT node `first` and the following FIT nodes of its round — a few
 * per thread, so long and short fits balance — on c->threads threads
 * taking jobs from one queue (sharing rule 7).  Their TRANSFORM inputs are
 * computed first, on this thread; the window bounds how many designs are
 * alive when sharing is off.  BLAS gets one thread while several fits run,
 * so the two never oversubscribe the cores. */
static int run_fit_window(rt_ctx *c, const data_ctx *dc, const cmp_explore *x, const opt_plan *p, node_state *ns,
                          int first, int ntrain, int ntest, prefix_cache *pc, double *actual, ut_err *e)
{
    int nthreads = c->threads < 1 ? 1 : c->threads;
    int want = nthreads == 1 ? 1 : nthreads * 4;
    if (want > MAX_WINDOW) want = MAX_WINDOW;
    fit_job jobs[MAX_WINDOW];
    int nw = 0, round = p->nodes[first].round;
    for (int i = first; i < p->n && nw < want && p->nodes[i].round == round; i++)
        if (p->nodes[i].op == OPT_FIT && !ns[i].done) jobs[nw++] = (fit_job){i, {{0}, -1, 0, 0}, 0, 0};
    for (int k = 0; k < nw; k++) {
        int t = p->nodes[jobs[k].node].input;
        double t0 = ut_now();
        if (!ns[t].done && run_transform(dc, x, p, &p->nodes[t], ntrain, ntest, &ns[t], pc, e)) return -1;
        if (actual) actual[t] += ut_now() - t0;
    }
    fit_queue q = {dc, x, p, ns, ntrain, ntest, jobs, nw, 0, PTHREAD_MUTEX_INITIALIZER};
    int nth = nthreads < nw ? nthreads : nw;
    pthread_t th[MAX_WINDOW];
    int started[MAX_WINDOW] = {0};
    if (nth > 1) la_set_threads(1);
    for (int k = 1; k < nth; k++) started[k] = pthread_create(&th[k], NULL, fit_worker, &q) == 0;
    fit_worker(&q);   /* this thread works too; it finishes what is left */
    for (int k = 1; k < nth; k++)
        if (started[k]) pthread_join(th[k], NULL);
    if (nth > 1) la_set_threads(nthreads);
    int rc = 0;
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
            free(in->xtr);
            free(in->xte);
            in->xtr = in->xte = NULL;
            in->has_design = 0;
        }
    }
    return rc;
}



/* RESUME: the runs an unfinished experiment already has.  Their scores
 * come back from the catalog so the ranked result covers every run. */
static int load_done(rt_ctx *c, const cmp_explore *x, long long exp_id, const long long *cfg_ids, int nr,
                     unsigned char *have, tally *tl, int *done, ut_err *e)
{
    ut_buf q;
    ut_buf_init(&q);
    ut_buf_puts(&q, "SELECT config_id, fold, score, fit_seconds, predict_seconds, status");
    for (int m = 0; m < RT_MET__COUNT; m++) ut_buf_printf(&q, ", json_extract(scores, '$.%s')", rt_metrics[m].name);
    ut_buf_printf(&q, " FROM runs WHERE experiment = %lld", exp_id);
    ut_result *r = NULL;
    int rc = q.oom ? ut_errf(e, MLG_NOMEM, "out of memory") : cat_select(c->cat, q.s, &r, e);
    ut_buf_free(&q);
    if (rc) return -1;
    for (int row = 0; row < r->nrows; row++) {
        const ut_value *v = &r->cells[(size_t)row * (size_t)r->ncols];
        int cfg = -1;
        for (int i = 0; i < x->nconfigs; i++)
            if (cfg_ids[i] == v[0].i) cfg = i;
        int fold = (int)v[1].i;
        if (cfg < 0 || fold < 0 || fold >= nr) continue;
        int slot = cfg * nr + fold;
        if (have[slot]) continue;
        have[slot] = 1;
        (*done)++;
        int ok = v[5].type == UT_TEXT && !strcmp(v[5].s, "ok");
        tl->score[slot] = ok && v[2].type != UT_NULL ? v[2].d : NAN;
        tl->fit_s[slot] = v[3].type != UT_NULL ? v[3].d : 0;
        tl->pred_s[slot] = v[4].type != UT_NULL ? v[4].d : 0;
        for (int m = 0; m < RT_MET__COUNT; m++)
            tl->all[(size_t)slot * RT_MET__COUNT + m] = v[6 + m].type == UT_NULL ? NAN : v[6 + m].d;
    }
    ut_result_free(r);
    return 0;
}

int rt_exec_explore(rt_ctx *c, const cmp_stmt *s, const opt_plan *p, const char *statement,
                    ut_result **out, char **msg, double *actual, ut_err *e)
{
    return rt_exec_explore_resume(c, s, p, statement, -1, out, msg, actual, e);
}

int rt_exec_explore_resume(rt_ctx *c, const cmp_stmt *s, const opt_plan *p, const char *statement,
                           long long resume_id, ut_result **out, char **msg, double *actual, ut_err *e)
{
    const cmp_explore *x = s->explore;
    *out = NULL;
    *msg = NULL;
    data_ctx dc = {0};
    int *fold = NULL, nfold = 0, rc = -1;
    long long exp_id = -1, *cfg_ids = NULL;
    node_state *ns = NULL;
    tally tl = {0};
    char *lt = NULL, *pt = NULL;
    int nr = p->nrounds, ncfg = x->nconfigs, in_tx = 0;
    unsigned char *have = NULL;  /* per (config, round): run already recorded */
    prefix_cache pcache = {p->sharing, NULL, 0, calloc((size_t)x->npipes + 1, 1)};
    int done = 0, failed = 0, planned = nr * ncfg;
    double best = NAN, t0 = ut_now();

    double tl0 = ut_now();
    if (rt_load_dataset(c, &x->dataset, &dc.t, e)) goto out;
    if (actual) actual[0] = ut_now() - tl0;
    dc.n = dc.t->nrows;
    dc.target = rt_table_find(dc.t, x->task.target);
    if (dc.target < 0) {
        ut_errf(e, MLG_DATA, "dataset '%s' has no column '%s' any more", x->dataset.name, x->task.target);
        goto out;
    }
    if (rt_protocol_parse(x->task.protocol_json, &dc.proto, e)) goto out;
    tl0 = ut_now();
    if (cat_task_folds(c->cat, x->task.id, &fold, &nfold, e)) goto out;
    if (actual && p->n > 1) actual[1] = ut_now() - tl0;
    if (nfold != dc.n * (dc.proto.type == RT_PROTO_REPEATED ? dc.proto.reps : 1)) {
        ut_errf(e, MLG_CATALOG, "task '%s' has %d fold entries but the dataset has %d rows", x->task.name, nfold,
                dc.n);
        goto out;
    }
    dc.fold = fold;
    dc.seed = (unsigned long long)x->task.seed;
    dc.kind = strcmp(x->task.kind, "regression") ? RT_CLASSIFICATION : RT_REGRESSION;
    const rt_column *tc = &dc.t->cols[dc.target];
    dc.train = malloc((size_t)dc.n * sizeof *dc.train + 1);
    dc.test = malloc((size_t)dc.n * sizeof *dc.test + 1);
    if (dc.kind == RT_CLASSIFICATION) {
        dc.yc = malloc((size_t)dc.n * sizeof *dc.yc + 1);
        if (!dc.yc || rt_target_classes(tc, dc.n, dc.yc, &dc.nclasses, NULL, e)) {
            if (!dc.yc) ut_errf(e, MLG_NOMEM, "out of memory");
            goto out;
        }
    } else {
        dc.y = tc->num;  /* borrowed from the table */
    }
    ns = calloc((size_t)p->n, sizeof *ns);
    cfg_ids = calloc((size_t)ncfg + 1, sizeof *cfg_ids);
    tl.score = malloc((size_t)planned * sizeof *tl.score + 1);
    tl.all = malloc((size_t)planned * RT_MET__COUNT * sizeof *tl.all + 1);
    tl.fit_s = calloc((size_t)planned + 1, sizeof *tl.fit_s);
    tl.pred_s = calloc((size_t)planned + 1, sizeof *tl.pred_s);
    if (!dc.train || !dc.test || !ns || !cfg_ids || !tl.score || !tl.all || !tl.fit_s || !tl.pred_s ||
        !pcache.pipe_done) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < planned; i++) tl.score[i] = NAN;
    for (size_t i = 0; i < (size_t)planned * RT_MET__COUNT; i++) tl.all[i] = NAN;
    for (int i = 0; i < p->n; i++) ns[i].remaining = p->nodes[i].users;

    /* the experiment and its configurations, committed before any run */
    lt = opt_logical_text(x);
    pt = opt_physical_text(x, p, NULL);
    if (cat_begin(c->cat, e)) goto out;
    in_tx = 1;
    if (resume_id >= 0) {
        if (cat_experiment_resume(c->cat, resume_id, e)) goto out;
        exp_id = resume_id;
    } else if (cat_experiment_begin(c->cat, x->task.id, statement, x->spec_json, lt, pt, planned, &exp_id, e)) {
        goto out;
    }
    for (int i = 0; i < ncfg; i++) {
        /* a configuration is its model and its preprocessing */
        char *pj = cmp_config_json(x, i);
        int irc = pj ? cat_config_intern(c->cat, rt_families[x->configs[i].family].name, pj, &cfg_ids[i], e)
                     : ut_errf(e, MLG_NOMEM, "out of memory");
        free(pj);
        if (irc) goto out;
    }
    if (cat_commit(c->cat, e)) goto out;
    in_tx = 0;
    have = calloc((size_t)planned + 1, 1);
    if (!have) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    int resumed = 0;
    if (resume_id >= 0 && load_done(c, x, exp_id, cfg_ids, nr, have, &tl, &resumed, e)) goto out;
    done = resumed;

    int cur_round = -2, ntrain = 0, ntest = 0;
    for (int i = 0; i < p->n; i++) {
        const opt_node *nd = &p->nodes[i];
        /* stop only before new work: fits already done still get recorded */
        int new_work = nd->op != OPT_EVALUATE;
        if (new_work && *c->interrupted) {
            cat_experiment_finish(c->cat, exp_id, "interrupted", "interrupted by the user", e);
            ut_errf(e, MLG_INTERRUPT, "interrupted: experiment %lld kept %d of %d runs", exp_id, done, planned);
            goto out;
        }
        if (new_work && c->max_seconds > 0 && ut_now() - t0 > (double)c->max_seconds) {
            char why[128];
            snprintf(why, sizeof why, "stopped by max_seconds = %lld", c->max_seconds);
            cat_experiment_finish(c->cat, exp_id, "interrupted", why, e);
            ut_errf(e, MLG_DENIED, "%s: experiment %lld kept %d of %d runs (RESUME EXPERIMENT %lld finishes it)",
                    why, exp_id, done, planned, exp_id);
            goto out;
        }
        if (nd->round >= 0 && nd->round != cur_round) {
            /* a new round: its rows */
            cur_round = nd->round;
            cache_clear(&pcache, x->npipes);  /* prefixes are fitted on one round's rows */
            rt_protocol_rows(&dc.proto, dc.fold, dc.n, cur_round, dc.train, &ntrain, dc.test, &ntest);
        }
        switch (nd->op) {
        case OPT_TRANSFORM: {
            if (resume_id >= 0) {
                /* nothing to compute when every run it feeds exists */
                int needed = 0;
                for (int j = i + 1; j < p->n && !needed; j++) {
                    const opt_node *u = &p->nodes[j];
                    if (u->op != OPT_FIT || u->input != i) continue;
                    const opt_group *g = &p->groups[u->group];
                    for (int k = 0; k < g->n; k++) needed |= !have[g->configs[k] * nr + u->round];
                }
                if (!needed) {
                    ns[i].done = 1;
                    break;
                }
            }
            double t0 = ut_now();
            if (!ns[i].done && run_transform(&dc, x, p, nd, ntrain, ntest, &ns[i], &pcache, e)) goto out;
            if (actual) actual[i] += ut_now() - t0;
            break;
        }
        case OPT_FIT: {
            /* a resumed experiment skips groups whose runs all exist */
            const opt_group *g = &p->groups[nd->group];
            int missing = 0;
            for (int k = 0; k < g->n; k++) missing += !have[g->configs[k] * nr + nd->round];
            if (!missing && !ns[i].done) {
                ns[i].done = ns[i].skipped = 1;
                node_state *in = &ns[nd->input];
                if (--in->remaining == 0 && in->has_design) {
                    free(in->xtr);
                    free(in->xte);
                    in->xtr = in->xte = NULL;
                    in->has_design = 0;
                }
                break;
            }
            /* this FIT and the next ones of the round run together, one
             * per thread; later iterations find them done */
            if (!ns[i].done && run_fit_window(c, &dc, x, p, ns, i, ntrain, ntest, &pcache, actual, e)) goto out;
            break;
        }
        case OPT_EVALUATE: {
            node_state *fit = &ns[nd->input];
            int slot = nd->config * nr + nd->round;
            if (have[slot]) {
                /* recorded before the experiment was interrupted */
                if (--fit->remaining == 0) free_outs(fit);
                break;
            }
            rt_group_out *o = &fit->outs[p->member_of[nd->config]];
            double score = NAN, pt0 = ut_now();
            char *sj = NULL;
            const char *err = o->error;
            if (!err) {
                sj = scores_json(&dc, dc.test, ntest, o->pred, o->proba, x->metric, &score,
                                 tl.all + (size_t)slot * RT_MET__COUNT);
                if (!sj) {
                    ut_errf(e, MLG_NOMEM, "out of memory");
                    goto out;
                }
                if (!isfinite(score)) err = "the score is not a finite number";
            }
            double pred_s = ut_now() - pt0;
            tl.score[slot] = err ? NAN : score;
            tl.fit_s[slot] = o->fit_seconds;
            tl.pred_s[slot] = pred_s;
            int irc = insert_run(c, exp_id, cfg_ids[nd->config], nd->round, score, sj, o->fit_seconds,
                                 pred_s, err, e);
            free(sj);
            if (irc) goto out;
            if (err) failed++;
            done++;
            if (!err && score_better(x->metric, score, best)) best = score;
            if (c->progress) c->progress(c->progress_arg, done, planned, best, ut_now() - t0);
            if (--fit->remaining == 0) free_outs(fit);
            if (actual) actual[i] = ut_now() - pt0;
            break;
        }
        default: break;
        }
    }
    tl0 = ut_now();
    if (cat_experiment_finish(c->cat, exp_id, "finished", NULL, e)) goto out;
    if (build_result(c, x, &tl, nr, cfg_ids, out, e)) goto out;
    if (actual) actual[p->n - 1] = ut_now() - tl0;
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_printf(&b, "experiment %lld: %d configuration%s x %d round%s = %d run%s", exp_id, ncfg,
                  ncfg == 1 ? "" : "s", nr, nr == 1 ? "" : "s", planned, planned == 1 ? "" : "s");
    if (resume_id >= 0) ut_buf_printf(&b, " (%d recorded before, %d run now)", resumed, planned - resumed);
    if (failed) ut_buf_printf(&b, ", %d failed", failed);
    *msg = ut_buf_take(&b);
    rc = 0;
out:
    if (rc) {
        ut_err keep = *e;
        if (in_tx) {
            cat_rollback(c->cat);
            if (resume_id < 0) exp_id = -1;   /* its row went with the transaction */
        }
        if (exp_id >= 0 && keep.code == MLG_CATALOG) {
            /* the catalog refused a write (a full disk, an I/O error):
             * every run recorded so far stays, and the experiment can be
             * finished later.  Marking it may fail for the same reason; it
             * then stays 'running' until the next process that opens the
             * catalog after this one ends marks it interrupted. */
            ut_err fe;
            ut_err_clear(&fe);
            cat_experiment_finish(c->cat, exp_id, "interrupted", keep.msg, &fe);
            char more[160];
            snprintf(more, sizeof more, "; experiment %lld kept %d of %d runs (RESUME EXPERIMENT %lld finishes it)",
                     exp_id, done, planned, exp_id);
            size_t l = strlen(keep.msg);
            if (l + strlen(more) < sizeof keep.msg) memcpy(keep.msg + l, more, strlen(more) + 1);
        } else if (exp_id >= 0 && keep.code != MLG_INTERRUPT && keep.code != MLG_DENIED) {
            ut_err fe;
            ut_err_clear(&fe);
            cat_experiment_finish(c->cat, exp_id, "failed", keep.msg, &fe);
        }
        *e = keep;
    }
    free(have);
    cache_clear(&pcache, 0);
    free(pcache.e);
    free(pcache.pipe_done);
    if (ns) free_state(ns, p->n);
    free(cfg_ids);
    free(tl.score);
    free(tl.all);
    free(tl.fit_s);
    free(tl.pred_s);
    free(fold);
    free(dc.yc);
    free(dc.train);
    free(dc.test);
    free(lt);
    free(pt);
    return rc;
}

/* Mean measured fit seconds of each configuration's latest runs on this
 * dataset (NAN when none): the cost model prefers them to its formulas. */
static double *fit_history(rt_ctx *c, const cmp_explore *x, ut_err *e)
{
    double *h = malloc((size_t)x->nconfigs * sizeof *h + 1);
    if (!h) return NULL;
    for (int i = 0; i < x->nconfigs; i++) h[i] = NAN;
    ut_buf q;
    ut_buf_init(&q);
    /* the latest experiment that ran each configuration: earlier ones may
     * have run it with sharing off, whose times are not comparable */
    ut_buf_puts(&q, "SELECT family, params, avg(fit_seconds) FROM runs r WHERE status = 'ok' AND experiment = "
                    "(SELECT max(experiment) FROM runs r2 WHERE r2.config_id = r.config_id AND r2.status = 'ok') "
                    "AND dataset = ");
    /* a SQL string literal: quotes doubled */
    ut_buf_putc(&q, '\'');
    for (const char *p = x->dataset.name; *p; p++) {
        if (*p == '\'') ut_buf_putc(&q, '\'');
        ut_buf_putc(&q, *p);
    }
    ut_buf_puts(&q, "' GROUP BY config_id");
    ut_result *r = NULL;
    ut_err qe;
    ut_err_clear(&qe);
    if (q.oom || cat_select(c->cat, q.s, &r, &qe)) {
        ut_buf_free(&q);
        (void)e;
        return h;  /* no history is not an error: the formulas remain */
    }
    ut_buf_free(&q);
    for (int i = 0; i < x->nconfigs; i++) {
        char *pj = cmp_config_json(x, i);
        const char *fam = rt_families[x->configs[i].family].name;
        for (int row = 0; pj && row < r->nrows; row++) {
            const ut_value *v = &r->cells[(size_t)row * 3];
            if (v[0].type == UT_TEXT && v[1].type == UT_TEXT && v[2].type == UT_FLOAT && !strcmp(v[0].s, fam) &&
                !strcmp(v[1].s, pj))
                h[i] = v[2].d;
        }
        free(pj);
    }
    ut_result_free(r);
    return h;
}

int rt_plan_stats(rt_ctx *c, const cmp_explore *x, opt_stats *st, double **hist, ut_err *e)
{
    memset(st, 0, sizeof *st);
    *hist = fit_history(c, x, e);
    st->hist = *hist;
    st->nrows = x->dataset.nrows;
    st->nrounds = x->task.nrounds;
    st->threads = c->threads;
    ut_result *cols = NULL;
    if (cat_describe_dataset(c->cat, x->dataset.name, &cols, e)) return -1;
    int ci = -1, ti = -1, di = -1;
    for (int j = 0; j < cols->ncols; j++) {
        if (!strcmp(cols->names[j], "column")) ci = j;
        if (!strcmp(cols->names[j], "type")) ti = j;
        if (!strcmp(cols->names[j], "distinct")) di = j;
    }
    for (int r = 0; ci >= 0 && ti >= 0 && di >= 0 && r < cols->nrows; r++) {
        const ut_value *v = &cols->cells[(size_t)r * (size_t)cols->ncols];
        int is_target = v[ci].type == UT_TEXT && !ut_strcasecmp(v[ci].s, x->task.target);
        int is_cat = v[ti].type == UT_TEXT && !strcmp(v[ti].s, "categorical");
        if (is_target) st->nclasses = is_cat || strcmp(x->task.kind, "regression") ? (int)v[di].i : 0;
        else st->nfeatures += is_cat ? (int)v[di].i : 1;
    }
    ut_result_free(cols);
    return 0;
}
