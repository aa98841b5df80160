/* cache_plan_forest.c — EXPLAIN's cache decision for the FIT node of a
 * forest or gbt group (cache_forest.h), as share_forest.c will decide:
 * reuse a stored model with enough trees / rounds, extend a smaller one
 * (cache_from = its trees / rounds), or fit and store it (materialize) or
 * not (recompute) by the cost rule, with the cost model's estimate for a
 * model not stored yet. */
#include <math.h>
#include <string.h>

#include "cache_forest.h"
#include "families.h"

/* Bytes of a stored tree of at most `nodes` nodes with nout values each
 * (rt_cache_tree_encode: five int32 and three doubles a node, its values,
 * and the length before it). */
static double tree_bytes(double nodes, int nout)
{
    return nodes * (20.0 + 24.0 + 8.0 * nout) + 16;
}

static double max_nodes(int D, double rows, int msl)
{
    double nodes = 2.0 * rows / (msl > 0 ? msl : 1);
    if (D > 0 && D < 40 && ldexp(1.0, D + 1) - 1 < nodes) nodes = ldexp(1.0, D + 1) - 1;
    return nodes;
}

int rt_cache_plan_ensemble(rt_ctx *c, const cmp_explore *x, opt_plan *p, int i, const char *design, int ntrain,
                           int nclasses, double fit_s)
{
    const opt_group *g = &p->groups[p->nodes[i].group];
    rt_family f = x->configs[g->configs[0]].family;
    int forest = f == RT_FAM_FOREST;
    const rt_param_spec *specs;
    int np = rt_family_params(f, &specs);
    rt_pval big[16];
    memcpy(big, x->configs[g->configs[0]].params, (size_t)np * sizeof *big);
    for (int k = 0; k < g->n; k++) {
        const rt_pval *q = x->configs[g->configs[k]].params;
        if (q[0].num > big[0].num) big[0].num = q[0].num;
        if (forest) {
            double d = q[1].num, b = big[1].num;
            big[1].num = (d == 0 || b == 0) ? 0 : (d > b ? d : b);
        }
    }
    /* one model per leaf size (share_forest.c): reused when every size's
     * is stored with enough trees, extended when every size's is stored */
    int sizes[64] = {(int)big[3].num}, all = opt_leaf_sizes(x, g, sizes, 64), nsizes = all < 64 ? all : 64;
    int T = (int)big[0].num, D = forest ? (int)big[1].num : 0, nstored = 0, nenough = 0, from = 0;
    for (int j = 0; j < nsizes; j++) {   /* gbt: one model, sizes[0] its own */
        if (forest) big[3].num = sizes[j];
        int count = 0, cap = 0, depth = 0;
        rt_lineage_hex lin;
        if (rt_lineage_ensemble(f, design, big, ntrain, (unsigned long long)x->task.seed, lin)) return -1;
        if (rt_cache_ensemble_stored(c, lin, &count, &cap, &depth) && (!forest || rt_tree_serves(cap, depth, D))) {
            nstored++;
            if (count >= T) nenough++;
            else if (!from || count < from) from = count;
        }
    }
    if (nstored == nsizes && all < 64) {
        if (nenough == nsizes) {
            p->cache[i] = OPT_CACHE_REUSE;
        } else {
            p->cache[i] = OPT_CACHE_EXTEND;
            p->cache_from[i] = from;
        }
        return 0;
    }
    int smallest = (int)big[3].num;   /* the most nodes: the bytes to store */
    for (int j = 0; j < nsizes; j++) smallest = sizes[j] < smallest ? sizes[j] : smallest;
    big[3].num = smallest;
    /* forest: bootstrap rows (~63% distinct); gbt: rounds x K trees of its max_depth */
    int nout = nclasses > 0 ? nclasses : 1;
    double bytes = forest ? T * tree_bytes(max_nodes(D, 0.632 * ntrain, (int)big[3].num), nout)
                          : T * (nclasses > 2 ? nclasses : 1) *
                                tree_bytes(max_nodes((int)big[2].num, ntrain, (int)big[3].num), 1);
    p->cache[i] = rt_cache_worth_storing(c, (long long)(bytes + 96), fit_s) ? OPT_CACHE_MATERIALIZE
                                                                          : OPT_CACHE_RECOMPUTE;
    return 0;
}
