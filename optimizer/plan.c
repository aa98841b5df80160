/* plan.c — logical → physical plan for EXPLORE, and the cost model.
 * Sharing rule 1 (common subplans): configurations with the same data,
 * fold and preprocessing share one TRANSFORM per fold.  With sharing off
 * every (configuration, fold) gets its own, which is the naive plan the
 * equivalence tests and benchmarks compare against. */
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "../include/mileage.h"

const char *const opt_op_names[OPT__COUNT] = {
#define X(e, name, desc) name,
#include "ops.def"
#undef X
};

/* Rough machine rates; refined by measured times in later work. */
#define FLOPS_BLAS   2.0e9   /* dense level-3 work, one core */
#define FLOPS_SCALAR 4.0e8   /* scalar loops */

double opt_transform_cost(const cmp_pipeline *pl, const opt_stats *st)
{
    double cells = (double)st->nrows * (double)(st->nfeatures > 0 ? st->nfeatures : 1);
    return cells * (10.0 + 10.0 * pl->nsteps) / FLOPS_SCALAR;
}

double opt_fit_cost(const cmp_config *c, const opt_stats *st)
{
    double n = st->nrows, p = st->nfeatures > 0 ? st->nfeatures : 1;
    double k = st->nclasses > 2 ? st->nclasses : 1;
    switch (c->family) {
    case RT_FAM_BASELINE: return n * 4 / FLOPS_SCALAR;
    case RT_FAM_RIDGE: return (n * p * p + p * p * p / 3 + 2 * n * p * k) / FLOPS_BLAS;
    case RT_FAM_LOGREG: {
        /* L-BFGS: ~2 passes of n x p x k per iteration; iterations grow with C */
        double C = c->nparams ? c->params[0].num : 1;
        double iters = C >= 1 ? 100 : C >= 0.01 ? 40 : 15;
        return iters * 4 * n * p * k / FLOPS_BLAS;
    }
    default: return n * p / FLOPS_SCALAR;
    }
}

static int push(opt_plan *p, int *cap, opt_node nd)
{
    if (p->n == *cap) {
        int c = *cap ? *cap * 2 : 64;
        opt_node *n = realloc(p->nodes, (size_t)c * sizeof *n);
        if (!n) return -1;
        p->nodes = n;
        *cap = c;
    }
    if (nd.input >= 0) p->nodes[nd.input].users++;
    p->nodes[p->n] = nd;
    return p->n++;
}

int opt_physical(const cmp_explore *x, const opt_stats *st, int sharing, opt_plan **out, ut_err *e)
{
    *out = NULL;
    opt_plan *p = calloc(1, sizeof *p);
    if (!p) return ut_errf(e, MLG_NOMEM, "out of memory");
    p->nrounds = st->nrounds;
    p->nconfigs = x->nconfigs;
    p->sharing = sharing;
    int cap = 0, bad = 0;
    double rows = st->nrows > 0 ? st->nrows : 1;
    int load = push(p, &cap, (opt_node){OPT_LOAD, -1, -1, -1, 0, rows * 20 / FLOPS_SCALAR, -1});
    int split = push(p, &cap, (opt_node){OPT_SPLIT, -1, -1, load, 0, rows / FLOPS_SCALAR, -1});
    bad |= load < 0 || split < 0;
    int *shared = calloc((size_t)x->npipes + 1, sizeof *shared);
    bad |= !shared;
    for (int r = 0; r < st->nrounds && !bad; r++) {
        /* one TRANSFORM per pipeline per round, placed before its first user */
        for (int q = 0; q < x->npipes; q++) shared[q] = -1;
        for (int c = 0; c < x->nconfigs && !bad; c++) {
            int q = x->configs[c].pipe, tf = shared[q];
            double tcost = opt_transform_cost(&x->pipes[q], st);
            if (!sharing || tf < 0) {
                tf = push(p, &cap, (opt_node){OPT_TRANSFORM, r, sharing ? -1 : c, split, 0, tcost, q});
                bad |= tf < 0;
                if (sharing) shared[q] = tf;
            }
            double fc = opt_fit_cost(&x->configs[c], st);
            int fit = push(p, &cap, (opt_node){OPT_FIT, r, c, tf, 0, fc, q});
            int ev = fit < 0 ? -1 : push(p, &cap, (opt_node){OPT_EVALUATE, r, c, fit, 0, fc * 0.05, q});
            bad |= fit < 0 || ev < 0;
        }
    }
    free(shared);
    if (!bad) bad = push(p, &cap, (opt_node){OPT_RECORD, -1, -1, -1, 0, 1e-4 * x->nconfigs * st->nrounds, -1}) < 0;
    if (bad) {
        opt_plan_free(p);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    for (int i = 0; i < p->n; i++) p->est_total += p->nodes[i].est_cost;
    *out = p;
    return 0;
}

void opt_plan_free(opt_plan *p)
{
    if (!p) return;
    free(p->nodes);
    free(p);
}
