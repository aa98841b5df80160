/* progressive.c — the statistics cache of progressive reuse (see
 * progressive.h). */
#include "progressive.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "families.h"
#include "../include/mileage.h"

typedef struct {
    int pipe, round;
    rt_family family;
    long long n;               /* rows covered */
    rt_ridge_stats ridge;
    rt_nb_stats nb;
    pthread_mutex_t lock;
} prog_entry;

struct rt_prog {
    prog_entry **e;
    int n, cap;
    long long reused, added;
    pthread_mutex_t lock;
};

rt_prog *rt_prog_new(void)
{
    rt_prog *pc = calloc(1, sizeof *pc);
    if (pc) pthread_mutex_init(&pc->lock, NULL);
    return pc;
}

void rt_prog_free(rt_prog *pc)
{
    if (!pc) return;
    for (int i = 0; i < pc->n; i++) {
        rt_ridge_stats_clear(&pc->e[i]->ridge);
        rt_nb_stats_clear(&pc->e[i]->nb);
        pthread_mutex_destroy(&pc->e[i]->lock);
        free(pc->e[i]);
    }
    free(pc->e);
    pthread_mutex_destroy(&pc->lock);
    free(pc);
}

int rt_prog_supports(rt_family f) { return f == RT_FAM_RIDGE || f == RT_FAM_NB; }

void rt_prog_counts(const rt_prog *pc, long long *reused, long long *added)
{
    *reused = pc ? pc->reused : 0;
    *added = pc ? pc->added : 0;
}

static prog_entry *entry(rt_prog *pc, int pipe, int round, rt_family f)
{
    prog_entry *found = NULL;
    pthread_mutex_lock(&pc->lock);
    for (int i = 0; i < pc->n && !found; i++)
        if (pc->e[i]->pipe == pipe && pc->e[i]->round == round && pc->e[i]->family == f) found = pc->e[i];
    if (!found && (pc->n < pc->cap || (pc->e = realloc(pc->e, (size_t)(pc->cap = pc->cap * 2 + 8) * sizeof *pc->e)))) {
        found = calloc(1, sizeof *found);
        if (found) {
            found->pipe = pipe, found->round = round, found->family = f;
            pthread_mutex_init(&found->lock, NULL);
            pc->e[pc->n++] = found;
        }
    }
    pthread_mutex_unlock(&pc->lock);
    return found;
}

int rt_prog_fit_predict(rt_prog *pc, int pipe, int round, rt_family f, const rt_pval *const *params, int ncfg,
                        const rt_trainset *ts, const double *Xt, int nt, rt_group_out *out, ut_err *e)
{
    double t0 = ut_now();
    prog_entry *en = entry(pc, pipe, round, f);
    if (!en) return ut_errf(e, MLG_NOMEM, "out of memory");
    pthread_mutex_lock(&en->lock);
    int rc = 0;
    if (en->n > ts->n) {
        /* a shorter prefix than before (hyperband's next bracket): start over */
        rt_ridge_stats_clear(&en->ridge);
        rt_nb_stats_clear(&en->nb);
        en->n = 0;
    }
    long long had = en->n;
    if (f == RT_FAM_RIDGE) rc = rt_ridge_stats_add(&en->ridge, ts, (int)en->n, ts->n, e);
    else rc = rt_nb_stats_add(&en->nb, ts, (int)en->n, ts->n, e);
    if (!rc) en->n = ts->n;
    pthread_mutex_lock(&pc->lock);
    pc->reused += had, pc->added += ts->n - had;
    pthread_mutex_unlock(&pc->lock);
    rt_model **models = calloc((size_t)ncfg, sizeof *models);
    char **err = calloc((size_t)ncfg, sizeof *err);
    double *alphas = malloc((size_t)ncfg * sizeof *alphas);
    if (!rc && (!models || !err || !alphas)) rc = ut_errf(e, MLG_NOMEM, "out of memory");
    for (int c = 0; !rc && c < ncfg; c++) {
        if (!(models[c] = calloc(1, sizeof **models))) {
            rc = ut_errf(e, MLG_NOMEM, "out of memory");
            break;
        }
        models[c]->family = f;
        models[c]->p = ts->p;
        models[c]->nclasses = ts->nclasses;
        alphas[c] = params[c][0].num;
    }
    if (!rc && f == RT_FAM_RIDGE) {
        /* one group has one fit_intercept (plan.c groups equal params) */
        rc = rt_ridge_fit_stats(&en->ridge, alphas, ncfg, params[0][1].num != 0.0, models, err, e);
    } else if (!rc) {
        int declined = 0;
        for (int c = 0; c < ncfg; c++) {
            ut_err me;
            ut_err_clear(&me);
            int fr = rt_nb_fit_stats(&en->nb, params[c], models[c], &me);
            if (fr == 1) {   /* ill-conditioned here: the direct fit on the rung's rows */
                declined = 1;
                rt_model_free(models[c]);
                models[c] = NULL;
                fr = rt_fit(RT_FAM_NB, params[c], ts, &models[c], &me);
            }
            if (fr) {
                if (me.code == MLG_NOMEM) {
                    *e = me;
                    rc = -1;
                    break;
                }
                err[c] = ut_strdup(me.msg);
            }
        }
        if (declined) {   /* the rows were read again: not reused */
            pthread_mutex_lock(&pc->lock);
            pc->reused -= had, pc->added += had;
            pthread_mutex_unlock(&pc->lock);
        }
    }
    pthread_mutex_unlock(&en->lock);
    for (int c = 0; !rc && c < ncfg; c++) {
        ut_err me;
        ut_err_clear(&me);
        if (err[c]) {
            out[c].error = err[c];
            err[c] = NULL;
        } else if (rt_predict(models[c], Xt, nt, ts->p, out[c].pred, out[c].proba, &me)) {
            rc = rt_keep_error(&out[c], &me, e);
        }
    }
    double t = ut_now() - t0;
    for (int c = 0; c < ncfg; c++) out[c].fit_seconds = t / ncfg;
    for (int c = 0; models && c < ncfg; c++) rt_model_free(models[c]);
    for (int c = 0; err && c < ncfg; c++) free(err[c]);
    free(models), free(err), free(alphas);
    return rc;
}
