/* cache_pred.c — a FIT group's predictions (kind 'predictions') and the
 * linear families' and naive Bayes' per-configuration models (kind
 * 'model') in the intermediate cache; see cache_pred.h.
 *
 * Predictions: dims = {configurations, test rows, classes (0:
 * regression)}; the payload, native order: fit seconds (double) and
 * warning length (int64) per configuration, then every configuration's
 * nt predictions, then its nt x k probabilities (the bits), then the
 * warnings' text.  On load every length must match the group, every
 * probability be finite in [0, 1] and every class prediction a class code;
 * the same is checked before storing, so a group whose outputs would not
 * pass (a diverged fit's NaN) is never stored.
 *
 * Models: the model_io visitor's JSON (rt_model_io), dims = {family, p,
 * classes}.  Not bits: a linear model is nout x p coefficients (a few
 * kilobytes, parsed in microseconds, unlike a tree's nodes), the writer
 * prints the shortest text that reads back to the same double, and the
 * reader already checks every field (lengths against nout x p, finite
 * numbers, the classes fitted) — one validated format, not a second.
 *
 * Groups run on the fit window's threads: the store is touched under
 * rt_cache_mu (rt_cache_fetch_model / rt_cache_offer_model lock it
 * themselves). */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_pred.h"
#include "cache_internal.h"
#include "families.h"
#include "model_io.h"
#include "../include/mileage.h"
#include "../util/json.h"
#include "../util/util.h"

#define MAX_WARNING 4096

int rt_pred_model_family(rt_family f)
{
    return f == RT_FAM_LOGREG || f == RT_FAM_LINSVM || f == RT_FAM_LASSO || f == RT_FAM_ELASTICNET ||
           f == RT_FAM_LINREG || f == RT_FAM_RIDGE || f == RT_FAM_NB;
}

/* Node visits / votes per second of a prediction walk (no BLAS). */
#define PREDICT_OPS 1e9

/* What predictions save over the family's own entry for trees, forests,
 * gbt and knn: the cache keeps their grown model / neighbour lists
 * (cache_model.c, cache_forest.c, cache_neighbors.c), from which every
 * configuration is predicted again by walking the trees (depth + classes
 * per tree and row) or voting over k neighbours — the fit is not what a
 * stored prediction spares, this is. */
static double predict_step_seconds(const cmp_explore *x, const opt_group *g, const opt_stats *st, int ntest)
{
    rt_family f = x->configs[g->configs[0]].family;
    double k = st->nclasses > 0 ? st->nclasses : 1, ops = 0;
    for (int i = 0; i < g->n; i++) {
        const rt_pval *pv = x->configs[g->configs[i]].params;
        double depth = f == RT_FAM_FOREST ? pv[1].num : pv[0].num;
        if (f == RT_FAM_GBT) depth = pv[2].num;
        if (!(depth > 0) || depth > 30) depth = 30;   /* unlimited: as deep as rows allow, bounded */
        switch (f) {
        case RT_FAM_KNN: ops += (double)ntest * (pv[0].num + k); break;
        case RT_FAM_TREE: ops += (double)ntest * (depth + k); break;
        case RT_FAM_FOREST: ops += (double)ntest * pv[0].num * (depth + k); break;
        default: ops += (double)ntest * pv[0].num * (k > 2 ? k : 1) * (depth + 1); break;   /* gbt */
        }
    }
    return ops / PREDICT_OPS;
}

/* A stored model's size: its coefficients and intercepts as text, about
 * 24 bytes a number, on the statistics' feature count (naive Bayes keeps
 * means and variances). */
static long long model_bytes_est(rt_family f, const opt_stats *st, int k)
{
    double nf = st->nfeatures > 0 ? st->nfeatures : 1, nout = k > 2 ? k : 1;
    return 96 + 200 + (long long)((nout * nf + nout) * 24 * (f == RT_FAM_NB ? 2 : 1));
}

static int own_cache(rt_family f)
{
    return f == RT_FAM_TREE || f == RT_FAM_FOREST || f == RT_FAM_GBT || f == RT_FAM_KNN;
}

/* The statistics the analytical costs use: no measured history (so
 * EXPLAIN and the executor agree on any machine); opt_fit_cost reads the
 * design's width from the configuration's pipeline. */
static opt_stats analytic_stats(const opt_stats *st)
{
    opt_stats an = *st;
    an.hist = NULL;
    return an;
}

/* Shared groups with one piece of work for all (one Gram, one search, the
 * largest tree / forest / boosting) cost about their largest member; a
 * logreg path or batch, and separate fits, the sum of their members. */
double rt_pred_group_seconds(const cmp_explore *x, const opt_group *g, const opt_stats *st, int ntest)
{
    opt_stats an = analytic_stats(st);
    rt_family f = x->configs[g->configs[0]].family;
    if (own_cache(f)) return predict_step_seconds(x, g, st, ntest);
    int one = g->shared && g->n > 1 && f != RT_FAM_LOGREG;
    double s = 0;
    for (int i = 0; i < g->n; i++) {
        double v = opt_fit_cost(x, g->configs[i], &an);
        if (one) s = v > s ? v : s;
        else s += v;
    }
    return s;
}

/* ---- predictions as bits ---- */

static size_t pred_bytes(int ncfg, int nt, int k, size_t wtotal)
{
    return (size_t)ncfg * 16 + (size_t)ncfg * (size_t)nt * (1 + (size_t)k) * 8 + wtotal;
}

/* What a stored group's outputs must be: probabilities in [0, 1], class
 * predictions class codes.  NULL when they are, else why not. */
static const char *outputs_invalid(const double *pred, const double *proba, int nt, int k)
{
    for (int r = 0; k && r < nt; r++)
        if (!(pred[r] >= 0 && pred[r] < k && pred[r] == floor(pred[r])))
            return "its predictions are not class codes";
    for (size_t i = 0; proba && i < (size_t)nt * (size_t)k; i++)
        if (!(proba[i] >= 0 && proba[i] <= 1)) return "its probabilities are not in [0, 1]";
    return NULL;
}

typedef struct {
    int ncfg, nt, k;
    rt_group_out *out;
} pred_use;

static const char *use_pred(void *arg, const int64_t dims[3], void *payload, size_t n)
{
    pred_use *u = arg;
    if (dims[0] != u->ncfg || dims[1] != u->nt || dims[2] != u->k || n < pred_bytes(u->ncfg, u->nt, u->k, 0))
        return "its shape does not match the group";
    const unsigned char *b = payload;
    size_t ncfg = (size_t)u->ncfg, cells = (size_t)u->nt, pc = cells * (size_t)u->k, wtotal = 0;
    const unsigned char *secs = b, *wl = b + ncfg * 8, *pred = b + ncfg * 16, *proba = pred + ncfg * cells * 8;
    const unsigned char *wtext = proba + ncfg * pc * 8;
    for (size_t c = 0; c < ncfg; c++) {
        int64_t l;
        double s;
        memcpy(&l, wl + c * 8, 8);
        memcpy(&s, secs + c * 8, 8);
        if (l < 0 || l > MAX_WARNING || !(s >= 0) || !isfinite(s)) return "its header fields are out of range";
        wtotal += (size_t)l;
    }
    if (n != pred_bytes(u->ncfg, u->nt, u->k, wtotal)) return "its shape does not match the group";
    /* checked whole before anything is written: a damaged entry leaves the
     * outputs as they were, for the fit */
    for (size_t c = 0; c < ncfg; c++) {
        const double *pv = (const double *)(pred + c * cells * 8);
        const double *qv = u->k ? (const double *)(proba + c * pc * 8) : NULL;
        const char *why = outputs_invalid(pv, qv, u->nt, u->k);
        if (why) return why;
    }
    char **w = calloc(ncfg + 1, sizeof *w);
    if (!w) return RT_CACHE_NOMEM;
    size_t at = 0;
    for (size_t c = 0; c < ncfg; c++) {
        int64_t l;
        memcpy(&l, wl + c * 8, 8);
        if (l > 0 && !(w[c] = ut_strndup((const char *)wtext + at, (size_t)l))) {
            for (size_t j = 0; j < c; j++) free(w[j]);
            free(w);
            return RT_CACHE_NOMEM;
        }
        at += (size_t)l;
    }
    for (size_t c = 0; c < ncfg; c++) {
        rt_group_out *o = &u->out[c];
        memcpy(o->pred, pred + c * cells * 8, cells * 8);
        if (u->k && o->proba) memcpy(o->proba, proba + c * pc * 8, pc * 8);
        memcpy(&o->fit_seconds, secs + c * 8, 8);
        free(o->warning);
        o->warning = w[c];
    }
    free(w);
    free(payload);   /* used: copied into the outputs */
    return NULL;
}

int rt_cache_load_predictions(rt_ctx *c, const char *lineage, int ncfg, int nt, int k, rt_group_out *out, ut_err *e)
{
    pred_use u = {ncfg, nt, k, out};
    pthread_mutex_lock(&rt_cache_mu);
    int rc = rt_cache_fetch(c, lineage, RT_CACHE_KIND_PREDICTIONS, use_pred, &u, e);
    pthread_mutex_unlock(&rt_cache_mu);
    return rc;
}

void rt_cache_offer_predictions(rt_ctx *c, const char *lineage, const char *what, int ncfg, int nt, int k,
                                const rt_group_out *out, double compute_s)
{
    if (ncfg < 1) return;
    size_t np = 2 + 2 * (size_t)ncfg + (size_t)ncfg;
    const void **piece = calloc(np, sizeof *piece);
    size_t *len = calloc(np, sizeof *len);
    double *secs = malloc((size_t)ncfg * 8);
    int64_t *wl = malloc((size_t)ncfg * 8);
    if (!piece || !len || !secs || !wl) goto done;
    for (int i = 0; i < ncfg; i++) {
        const rt_group_out *o = &out[i];
        /* a failed or stopped configuration has no outputs to keep: the
         * whole group is fitted again next time */
        if (o->error || o->stopped || !o->pred || (k && !o->proba) || outputs_invalid(o->pred, o->proba, nt, k))
            goto done;
        size_t l = o->warning ? strlen(o->warning) : 0;
        if (l > MAX_WARNING) goto done;
        secs[i] = isfinite(o->fit_seconds) && o->fit_seconds >= 0 ? o->fit_seconds : 0;
        wl[i] = (int64_t)l;
    }
    int n = 0;
    piece[n] = secs, len[n++] = (size_t)ncfg * 8;
    piece[n] = wl, len[n++] = (size_t)ncfg * 8;
    for (int i = 0; i < ncfg; i++) piece[n] = out[i].pred, len[n++] = (size_t)nt * 8;
    for (int i = 0; k && i < ncfg; i++) piece[n] = out[i].proba, len[n++] = (size_t)nt * (size_t)k * 8;
    for (int i = 0; i < ncfg; i++)
        if (wl[i]) piece[n] = out[i].warning, len[n++] = (size_t)wl[i];
    int64_t dims[3] = {ncfg, nt, k};
    pthread_mutex_lock(&rt_cache_mu);
    rt_cache_offer(c, lineage, what, RT_CACHE_KIND_PREDICTIONS, dims, piece, len, n, compute_s);
    pthread_mutex_unlock(&rt_cache_mu);
done:
    free(piece);
    free(len);
    free(secs);
    free(wl);
}

/* ---- a configuration's model as model_io JSON ---- */

typedef struct {
    rt_family f;
    int p, k;
    rt_model *m;
} model_use;

static const char *use_model(void *arg, const int64_t dims[3], void *payload, size_t n)
{
    model_use *u = arg;
    if (dims[0] != (int64_t)u->f || dims[1] != u->p || dims[2] != u->k) return "its shape does not match the fold";
    ut_json *root = NULL;
    ut_err je;
    ut_err_clear(&je);
    if (ut_json_parse(payload, n, "cache", &root, &je)) return je.code == MLG_NOMEM ? RT_CACHE_NOMEM
                                                                                   : "its model is not valid JSON";
    rt_model *m = calloc(1, sizeof *m);
    if (!m) {
        ut_json_free(root);
        return RT_CACHE_NOMEM;
    }
    m->family = u->f;
    m->p = u->p;
    m->nclasses = u->k;
    rt_mio io;
    rt_mio_reader(&io, root, &je);
    int rc = rt_model_io(&io, m);
    ut_json_free(root);
    if (rc) {
        rt_model_free(m);
        return je.code == MLG_NOMEM ? RT_CACHE_NOMEM : "its model is not a valid model (fields checked)";
    }
    u->m = m;
    free(payload);   /* used: parsed into the model */
    return NULL;
}

int rt_cache_load_config_model(rt_ctx *c, const char *lineage, rt_family f, int p, int k, rt_model **m,
                               double *compute_s, ut_err *e)
{
    model_use u = {f, p, k, NULL};
    *m = NULL;
    int rc = rt_cache_fetch_model(c, lineage, use_model, &u, compute_s, e);
    if (rc == 1) *m = u.m;
    return rc;
}

void rt_cache_offer_config_model(rt_ctx *c, const char *lineage, const char *what, const rt_model *m,
                                 double compute_s)
{
    ut_buf b;
    ut_buf_init(&b);
    ut_err e;
    ut_err_clear(&e);
    rt_mio io;
    rt_mio_writer(&io, &b, &e);
    ut_buf_putc(&b, '{');
    /* the writer only reads the model; a field it cannot write (a number
     * that is not finite) leaves the model out of the cache */
    int rc = rt_model_io(&io, (rt_model *)m);
    ut_buf_putc(&b, '}');
    if (!rc && !b.oom) {
        int64_t dims[3] = {m->family, m->p, m->nclasses};
        rt_cache_offer_model(c, lineage, what, dims, b.s, b.len, compute_s);
    }
    ut_buf_free(&b);
}

/* ---- a group ---- */

void rt_pred_group_free(rt_pred_group *pg)
{
    for (int i = 0; pg->models && i < pg->ncfg; i++) rt_model_free(pg->models[i]);
    for (int i = 0; pg->mwhat && i < pg->ncfg; i++) free(pg->mwhat[i]);
    free(pg->models);
    free(pg->mwhat);
    free(pg->mlin);
    free(pg->est_cfg);
    memset(pg, 0, sizeof *pg);
}

int rt_pred_group_init(rt_pred_group *pg, rt_ctx *c, const cmp_explore *x, const opt_group *g, const opt_stats *st,
                       const char *design, const char *where, int path, int ntrain, int ntest, int p, int k,
                       unsigned long long seed, ut_err *e)
{
    memset(pg, 0, sizeof *pg);
    if (!c || !st || !design || !design[0] || g->n < 1) return 0;
    rt_family f = x->configs[g->configs[0]].family;
    const rt_pval **params = malloc((size_t)g->n * sizeof *params);
    if (!params) return ut_errf(e, MLG_NOMEM, "out of memory");
    for (int i = 0; i < g->n; i++) params[i] = x->configs[g->configs[i]].params;
    int shared = g->shared && g->n > 1;
    int rc = rt_lineage_group_predictions(design, f, params, g->n, ntrain, ntest, seed, shared, path, pg->lin);
    pg->fam = f;
    pg->ncfg = g->n;
    pg->ntrain = ntrain;
    pg->nt = ntest;
    pg->k = k;
    pg->p = p;
    pg->read = !x->fresh;
    pg->est = rt_pred_group_seconds(x, g, st, ntest);
    snprintf(pg->what, sizeof pg->what, "predictions of %s x%d, %s", rt_families[f].name, g->n, where);
    if (!rc && rt_pred_model_family(f) && path == 0) {
        pg->mlin = calloc((size_t)g->n, sizeof *pg->mlin);
        pg->est_cfg = calloc((size_t)g->n, sizeof *pg->est_cfg);
        pg->models = calloc((size_t)g->n, sizeof *pg->models);
        pg->mwhat = calloc((size_t)g->n, sizeof *pg->mwhat);
        rc = pg->mlin && pg->est_cfg && pg->models && pg->mwhat ? 0 : -1;
        /* logreg's shared fits (L-BFGS batch, Newton C path) round by
         * their members: its models are keyed by the group too */
        const char *group = shared && f == RT_FAM_LOGREG ? pg->lin : NULL;
        opt_stats an = analytic_stats(st);
        for (int i = 0; !rc && i < g->n; i++) {
            const cmp_config *cf = &x->configs[g->configs[i]];
            rc = rt_lineage_config_model(design, f, cf->params, ntrain, seed, group, pg->mlin[i]);
            /* a group fitted as one shared fit recomputes every member at
             * once: each model spares its share of that fit, not all of it
             * (else a 7-alpha ridge group wrote 7 files worth one Gram) */
            pg->est_cfg[i] = g->shared && g->n > 1 && f != RT_FAM_LOGREG ? pg->est / g->n
                                                                         : opt_fit_cost(x, g->configs[i], &an);
            char buf[800];
            snprintf(buf, sizeof buf, "%s model %s, %s", rt_families[f].name,
                     cf->params_text && cf->params_text[0] ? cf->params_text : "defaults", where);
            if (!rc && !(pg->mwhat[i] = ut_strdup(buf))) rc = -1;
        }
        /* With every model of the group worth storing, stored predictions
         * spare only predicting from those models (one product with the
         * design, which is there either way), not the fit: valued so,
         * they are rarely written — on the 200 000-row table a ridge
         * group's were 8.6 MB a round, and pushed designs out of the
         * budget for that. */
        int all = !rc;
        for (int i = 0; all && i < g->n; i++)
            all = rt_cache_worth_storing(c, model_bytes_est(f, st, k), pg->est_cfg[i]);
        if (all) {
            double nf = ceil(opt_pipe_width(&x->pipes[x->configs[g->configs[0]].pipe],
                                            st->nfeatures > 0 ? st->nfeatures : 1));
            double nout = k > 2 ? k : 1;
            pg->est = (double)g->n * ntest * (nf + 1) * nout * (f == RT_FAM_NB ? 3 : 1) / PREDICT_OPS;
        }
    }
    pg->params = NULL;
    free(params);
    if (rc) {
        rt_pred_group_free(pg);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    pg->c = c;
    return 0;
}

int rt_pred_group_load(rt_pred_group *pg, const double *Xt, rt_group_out *out, int *how, ut_err *e)
{
    *how = RT_PRED_FITTED;
    if (!pg->c || !pg->read) return 0;
    int rc = rt_cache_load_predictions(pg->c, pg->lin, pg->ncfg, pg->nt, pg->k, out, e);
    if (rc) {
        if (rc == 1) *how = RT_PRED_LOADED;
        return rc;
    }
    if (!pg->mlin) return 0;
    /* every model or none: a group half loaded would be half fitted, and a
     * shared fit cannot fit only its missing members the same way */
    pthread_mutex_lock(&rt_cache_mu);
    int all = 1;
    for (int i = 0; i < pg->ncfg && all; i++) all = rt_cache_worth_loading(pg->c, pg->mlin[i]);
    pthread_mutex_unlock(&rt_cache_mu);
    if (!all) return 0;
    rt_model **m = calloc((size_t)pg->ncfg, sizeof *m);
    double *secs = calloc((size_t)pg->ncfg, sizeof *secs);
    rc = m && secs ? 1 : -1;
    if (rc < 0) ut_errf(e, MLG_NOMEM, "out of memory");
    for (int i = 0; rc == 1 && i < pg->ncfg; i++)
        rc = rt_cache_load_config_model(pg->c, pg->mlin[i], pg->fam, pg->p, pg->k, &m[i], &secs[i], e);
    /* predicted into scratch first: a model that fails to predict leaves
     * the outputs for the fit */
    double *pred = NULL, *proba = NULL;
    if (rc == 1) {
        pred = malloc((size_t)pg->ncfg * (size_t)pg->nt * 8 + 1);
        proba = pg->k ? malloc((size_t)pg->ncfg * (size_t)pg->nt * (size_t)pg->k * 8 + 1) : NULL;
        if (!pred || (pg->k && !proba)) rc = ut_errf(e, MLG_NOMEM, "out of memory");
    }
    for (int i = 0; rc == 1 && i < pg->ncfg; i++) {
        ut_err me;
        ut_err_clear(&me);
        double *pv = pred + (size_t)i * pg->nt, *qv = proba ? proba + (size_t)i * pg->nt * pg->k : NULL;
        if (rt_predict(m[i], Xt, pg->nt, pg->p, pv, qv, &me)) {
            if (me.code == MLG_NOMEM) {
                *e = me;
                rc = -1;
            } else {
                rc = 0;
            }
        }
    }
    if (rc == 1) {
        for (int i = 0; i < pg->ncfg; i++) {
            memcpy(out[i].pred, pred + (size_t)i * pg->nt, (size_t)pg->nt * 8);
            if (pg->k && out[i].proba)
                memcpy(out[i].proba, proba + (size_t)i * pg->nt * pg->k, (size_t)pg->nt * (size_t)pg->k * 8);
            out[i].fit_seconds = secs[i];
            rt_note_convergence(&out[i], m[i]);
        }
        *how = RT_PRED_FROM_MODELS;
    }
    for (int i = 0; m && i < pg->ncfg; i++) rt_model_free(m[i]);
    free(m);
    free(secs);
    free(pred);
    free(proba);
    return rc;
}

void rt_pred_group_offer(rt_pred_group *pg, const rt_group_out *out)
{
    if (!pg->c) return;
    /* stored already (FRESH fitted it again, or loading did not pay):
     * the same bits, not written again */
    int64_t dims[3];
    double secs;
    pthread_mutex_lock(&rt_cache_mu);
    int stored = rt_cache_peek(pg->c, pg->lin, RT_CACHE_KIND_PREDICTIONS, dims, &secs);
    pthread_mutex_unlock(&rt_cache_mu);
    if (!stored) rt_cache_offer_predictions(pg->c, pg->lin, pg->what, pg->ncfg, pg->nt, pg->k, out, pg->est);
    for (int i = 0; pg->models && i < pg->ncfg; i++)
        if (pg->models[i] && !out[i].error && !out[i].stopped)
            rt_cache_offer_config_model(pg->c, pg->mlin[i], pg->mwhat[i], pg->models[i], pg->est_cfg[i]);
}

/* ---- EXPLAIN ---- */

/* As the executor will decide (run_group): the predictions stored and
 * worth loading (reuse predictions), else, for a family with stored
 * models, every model of the group stored and worth loading (reuse
 * models), else fitted, its predictions stored when the cost rule says so
 * with the group's analytical seconds (materialize) or not (recompute),
 * and each model likewise (pmodels: how many).  FRESH reads nothing. */
int rt_cache_pred_decision(rt_ctx *c, const cmp_explore *x, opt_plan *p, int i, const char *design, int ntrain,
                           int ntest, const opt_stats *st)
{
    const opt_group *g = &p->groups[p->nodes[i].group];
    int k = st->nclasses > 0 ? st->nclasses : 0;
    rt_pred_group pg;
    ut_err e;
    ut_err_clear(&e);
    /* p is not known before the design exists: 0 only sizes the model */
    if (rt_pred_group_init(&pg, c, x, g, st, design, "", g->nb_folds ? 2 + g->nb_folds : g->gram_folds, ntrain,
                           ntest, 0, k,
                           (unsigned long long)x->task.seed, &e))
        return -1;
    if (!pg.c) return 0;
    int from_cache = 0;
    if (pg.read && rt_cache_worth_loading(c, pg.lin)) {
        p->pcache[i] = OPT_PCACHE_REUSE;
        from_cache = 1;
        /* the FIT is a read of its predictions */
        p->nodes[i].est_cost = rt_cache_load_seconds(c, 96 + (long long)pred_bytes(pg.ncfg, ntest, k, 0));
    } else {
        int all = pg.read && pg.mlin;
        for (int m = 0; all && m < pg.ncfg; m++) all = rt_cache_worth_loading(c, pg.mlin[m]);
        if (all) {
            p->pcache[i] = OPT_PCACHE_MODELS;
            from_cache = 1;
            /* reads of its models (their predictions on the test rows are
             * a small product) */
            p->nodes[i].est_cost = pg.ncfg * rt_cache_load_seconds(c, model_bytes_est(pg.fam, st, k));
        } else {
            long long bytes = 96 + (long long)pred_bytes(pg.ncfg, ntest, k, 0);
            int64_t dims[3];
            double secs;
            /* stored already and not read (FRESH): not written again */
            int stored = rt_cache_peek(c, pg.lin, RT_CACHE_KIND_PREDICTIONS, dims, &secs);
            p->pcache[i] = stored ? OPT_PCACHE_NONE
                           : rt_cache_worth_storing(c, bytes, pg.est) ? OPT_PCACHE_MATERIALIZE
                                                                     : OPT_PCACHE_RECOMPUTE;
            /* a model's size: its coefficients and intercepts as text,
             * about 24 bytes a number, on the statistics' feature count */
            long long mb = model_bytes_est(pg.fam, st, k);
            for (int m = 0; pg.mlin && m < pg.ncfg; m++)
                p->pmodels[i] += !rt_cache_peek(c, pg.mlin[m], RT_CACHE_KIND_MODEL, dims, &secs) &&
                                 rt_cache_worth_storing(c, mb, pg.est_cfg[m]);
        }
    }
    rt_pred_group_free(&pg);
    return from_cache;
}
