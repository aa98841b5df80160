/* plan.c — logical → physical plan for EXPLORE, and the cost model.
 * Sharing rule 1 (common subplans): configurations with the same data,
 * fold and preprocessing share one TRANSFORM per fold.  With sharing off
 * every (configuration, fold) gets its own, which is the naive plan the
 * equivalence tests and benchmarks compare against. */
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "../runtime/share.h"
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

/* Two configurations can share a group fit when family and pipeline are
 * the same and every parameter outside the family's share mask is equal. */
static int same_group(const cmp_explore *x, int a, int b)
{
    const cmp_config *ca = &x->configs[a], *cb = &x->configs[b];
    unsigned mask;
    if (ca->family != cb->family || ca->pipe != cb->pipe || !rt_share_mask(ca->family, &mask)) return 0;
    for (int i = 0; i < ca->nparams; i++) {
        if (mask & (1u << i)) continue;
        if (ca->params[i].num != cb->params[i].num) return 0;
        if ((ca->params[i].str == NULL) != (cb->params[i].str == NULL)) return 0;
        if (ca->params[i].str && strcmp(ca->params[i].str, cb->params[i].str)) return 0;
    }
    return 1;
}

static int make_groups(const cmp_explore *x, int sharing, opt_plan *p)
{
    int n = x->nconfigs;
    p->groups = calloc((size_t)n + 1, sizeof *p->groups);
    p->group_of = malloc((size_t)n * sizeof *p->group_of + 1);
    p->member_of = malloc((size_t)n * sizeof *p->member_of + 1);
    if (!p->groups || !p->group_of || !p->member_of) return -1;
    for (int c = 0; c < n; c++) {
        int g = -1;
        for (int k = 0; sharing && k < p->ngroups && g < 0; k++)
            if (same_group(x, p->groups[k].configs[0], c)) g = k;
        if (g < 0) {
            g = p->ngroups++;
            if (!(p->groups[g].configs = malloc((size_t)n * sizeof(int)))) return -1;
        }
        p->group_of[c] = g;
        p->member_of[c] = p->groups[g].n;
        p->groups[g].configs[p->groups[g].n++] = c;
    }
    for (int g = 0; g < p->ngroups; g++) p->groups[g].shared = p->groups[g].n > 1;
    return 0;
}

/* A shared group costs about its largest member plus a little per member;
 * otherwise the sum. */
static double group_cost(const cmp_explore *x, const opt_group *g, const opt_stats *st)
{
    double sum = 0, big = 0;
    for (int i = 0; i < g->n; i++) {
        double c = opt_fit_cost(&x->configs[g->configs[i]], st);
        sum += c;
        big = c > big ? c : big;
    }
    return g->shared ? big + 0.02 * sum : sum;
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
    int load = push(p, &cap, (opt_node){OPT_LOAD, -1, -1, -1, 0, rows * 20 / FLOPS_SCALAR, -1, -1});
    int split = push(p, &cap, (opt_node){OPT_SPLIT, -1, -1, load, 0, rows / FLOPS_SCALAR, -1, -1});
    bad |= load < 0 || split < 0;
    int *shared = calloc((size_t)x->npipes + 1, sizeof *shared);
    bad |= !shared || make_groups(x, sharing, p);
    for (int r = 0; r < st->nrounds && !bad; r++) {
        /* one TRANSFORM per pipeline per round, placed before its first
         * group; sharing off: one per configuration */
        for (int q = 0; q < x->npipes; q++) shared[q] = -1;
        for (int g = 0; g < p->ngroups && !bad; g++) {
            const opt_group *gr = &p->groups[g];
            int c0 = gr->configs[0], q = x->configs[c0].pipe, tf = shared[q];
            double tcost = opt_transform_cost(&x->pipes[q], st);
            if (!sharing || tf < 0) {
                tf = push(p, &cap, (opt_node){OPT_TRANSFORM, r, sharing ? -1 : c0, split, 0, tcost, q, -1});
                bad |= tf < 0;
                if (sharing) shared[q] = tf;
            }
            double gc = group_cost(x, gr, st);
            int fit = bad ? -1 : push(p, &cap, (opt_node){OPT_FIT, r, gr->n == 1 ? c0 : -1, tf, 0, gc, q, g});
            bad |= fit < 0;
            for (int i = 0; i < gr->n && !bad; i++) {
                int c = gr->configs[i];
                double ec = opt_fit_cost(&x->configs[c], st) * 0.05;
                bad |= push(p, &cap, (opt_node){OPT_EVALUATE, r, c, fit, 0, ec, q, g}) < 0;
            }
        }
    }
    free(shared);
    if (!bad) bad = push(p, &cap, (opt_node){OPT_RECORD, -1, -1, -1, 0, 1e-4 * x->nconfigs * st->nrounds, -1, -1}) < 0;
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
    for (int g = 0; p->groups && g < p->ngroups; g++) free(p->groups[g].configs);
    free(p->groups);
    free(p->group_of);
    free(p->member_of);
    free(p->nodes);
    free(p);
}
