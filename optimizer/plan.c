/* plan.c — logical → physical plan for EXPLORE, and the cost model.
 * Sharing rule 1 (common subplans): configurations with the same data,
 * fold and preprocessing share one TRANSFORM per fold.  With sharing off
 * every (configuration, fold) gets its own, which is the naive plan the
 * equivalence tests and benchmarks compare against. */
#include <math.h>
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
    return cells * (2.0 + 2.0 * pl->nsteps) / FLOPS_SCALAR;
}

double opt_transform_test_cost(const opt_stats *st)
{
    double cells = (double)st->nrows * (double)(st->nfeatures > 0 ? st->nfeatures : 1);
    /* rule 2's chains come straight from the table (rt_tf_scaled_rows):
     * the training values read for the statistics, then a k-th of the
     * rows written (k-fold CV, rule 2's protocol) */
    return cells * (1.0 + 2.0 / (st->nrounds > 1 ? st->nrounds : 1)) / FLOPS_SCALAR;
}

double opt_gram_blocks_cost(const opt_stats *st, int nfolds)
{
    double n = st->nrows, p = st->nfeatures > 0 ? st->nfeatures : 1, k = st->nclasses > 2 ? st->nclasses : 1;
    /* the mean, ranges and shifted copy of every value, and each fold's
     * scan over the rows */
    return (n * p * p + 2 * n * p * k) / FLOPS_BLAS + (6 * n * p + nfolds * n) / FLOPS_SCALAR;
}

double opt_nb_blocks_cost(const opt_stats *st, int nfolds)
{
    double n = st->nrows, p = st->nfeatures > 0 ? st->nfeatures : 1;
    /* the data's mean, then per row and feature a shifted value, its
     * square, the class's minimum and maximum; each fold's scan */
    return (8 * n * p + nfolds * n) / FLOPS_SCALAR;
}

int opt_stats_kind(const opt_plan *p, const opt_node *s)
{
    return p->groups[s->group].gram_folds ? OPT_STATS_GRAM : OPT_STATS_NB;
}

int opt_fits_from(const opt_plan *p, const opt_node *f, int kind)
{
    if (f->op != OPT_FIT) return 0;
    const opt_group *g = &p->groups[f->group];
    return kind == OPT_STATS_GRAM ? g->gram_folds != 0 : g->nb_folds != 0;
}

static double model_cost(const cmp_config *c, const opt_stats *st);

double opt_pipe_width(const cmp_pipeline *pl, double w)
{
    for (int i = 0; i < pl->nsteps; i++) {
        const rt_tf_step *s = &pl->steps[i].step;
        switch (s->kind) {
        case RT_TF_PCA: if (s->k > 0 && s->k < w) w = s->k; break;
        case RT_TF_SELECT_K: if ((s->k ? s->k : 10) < w) w = s->k ? s->k : 10; break;
        case RT_TF_POLY: {
            /* all monomials of degree 1..d: C(w + d, d) - 1 */
            double m = 1;
            for (int d = 1; d <= (s->degree ? s->degree : 2); d++) m = m * (w + d) / d;
            w = m - 1;
            break;
        }
        case RT_TF_BIN: w *= s->k ? s->k : 5; break;
        case RT_TF_KEEP: if (s->ncolumns < w) w = s->ncolumns; break;
        case RT_TF_DROP: w = w > s->ncolumns ? w - s->ncolumns : 1; break;
        default: break;
        }
    }
    return w > 1 ? w : 1;
}

/* The statistics as configuration c sees them: nfeatures the width of its
 * pipeline's design. */
static opt_stats cfg_stats(const cmp_explore *x, const cmp_config *c, const opt_stats *st)
{
    opt_stats cs = *st;
    cs.nfeatures = (int)ceil(opt_pipe_width(&x->pipes[c->pipe], st->nfeatures > 0 ? st->nfeatures : 1));
    return cs;
}

double opt_fit_cost(const cmp_explore *x, int i, const opt_stats *st)
{
    if (st->hist && st->hist[i] == st->hist[i]) return st->hist[i];  /* not NAN */
    opt_stats cs = cfg_stats(x, &x->configs[i], st);
    return model_cost(&x->configs[i], &cs);
}

/* Rows a fit trains on: all but one fold's share under CV. */
static int train_rows(const opt_stats *st)
{
    return st->nrounds > 1 ? (int)(st->nrows * (1.0 - 1.0 / st->nrounds)) : (int)(st->nrows * 0.8);
}

/* l2 logreg configurations differing in C are fitted together (share.c):
 * along a warm-started C path where Newton solves them, else side by side
 * by L-BFGS with shared GEMMs.  l1 ones go along the C path where their
 * proximal Newton closes to rounding (rt_logreg_l1_path), else alone. */
static int logreg_l2(const cmp_config *c)
{
    const char *pen = c->nparams > 3 && c->params[3].str ? c->params[3].str : "l2";
    return !strcmp(pen, "l2");
}

static int logreg_dims_path(const opt_stats *st, int (*pred)(int, int, int))
{
    return pred(train_rows(st), st->nfeatures > 0 ? st->nfeatures : 1, st->nclasses > 2 ? st->nclasses : 1);
}

/* The Newton path: the same test the runtime makes, on estimated dimensions. */
static int logreg_path(const cmp_config *c, const opt_stats *st)
{
    return logreg_dims_path(st, logreg_l2(c) ? rt_logreg_newton : rt_logreg_l1_path);
}

/* Whether configuration c can share a fit at all: every one but l1 logreg
 * too wide for its path. */
static int logreg_shares(const cmp_config *c, const opt_stats *st)
{
    return c->family != RT_FAM_LOGREG || logreg_l2(c) || logreg_path(c, st);
}

/* linsvm: the finite Newton method solves it (squared hinge, small p) */
static int linsvm_newton(const cmp_config *c, double p)
{
    return rt_linsvm_newton(c->params, (int)p);
}

/* lasso / elasticnet: centering the training rows (and their Gram, where
 * the sweeps run on it), once per group; then ~100 coordinate-descent
 * sweeps per configuration, over the columns (2np) or the Gram (at most
 * 2p²). */
static int enet_gram(const opt_stats *st, double p)
{
    return rt_enet_gram_pays(train_rows(st), (int)p);
}

static double enet_data_cost(const opt_stats *st, double p)
{
    double n = train_rows(st);
    return 2 * n * p / FLOPS_SCALAR + (enet_gram(st, p) ? n * p * p / 2 / FLOPS_BLAS : 0);
}

static double enet_sweeps_cost(const opt_stats *st, double p)
{
    return 100 * 2 * (enet_gram(st, p) ? p * p : train_rows(st) * p) / FLOPS_SCALAR;
}

/* Analytical flop counts per family, at rough machine rates. */
static double model_cost(const cmp_config *c, const opt_stats *st)
{
    double n = st->nrows, p = st->nfeatures > 0 ? st->nfeatures : 1;
    double k = st->nclasses > 2 ? st->nclasses : 1;
    switch (c->family) {
    case RT_FAM_BASELINE: return n * 4 / FLOPS_SCALAR;
    case RT_FAM_RIDGE: return (n * p * p + p * p * p / 3 + 2 * n * p * k) / FLOPS_BLAS;
    case RT_FAM_LOGREG: {
        double C = c->nparams ? c->params[0].num : 1;
        return logreg_l2(c) ? rt_logreg_cost(train_rows(st), (int)p, (int)k, C, 0)
                            : rt_logreg_l1_cost(train_rows(st), (int)p, (int)k, C);
    }
    case RT_FAM_LINREG: return (n * p * p + p * p * p) / FLOPS_BLAS;
    case RT_FAM_LASSO:
    case RT_FAM_ELASTICNET: return enet_data_cost(st, p) + enet_sweeps_cost(st, p);
    case RT_FAM_LINSVM:
        /* squared hinge: ~6 finite-Newton steps of one Gram over the rows
         * (and a pass for the line search) per one-vs-rest problem; hinge:
         * ~50 sweeps of dual coordinate descent */
        if (linsvm_newton(c, p))
            return 6 * k * (n * (p + 1) * (p + 1) / 2 / FLOPS_BLAS + 4 * n * p / FLOPS_SCALAR);
        return 50 * 2 * n * p * k / FLOPS_SCALAR;
    case RT_FAM_NB: return 2 * n * p * k / FLOPS_BLAS;
    case RT_FAM_KNN: {
        /* distances of a fifth of the rows to the rest, then selection:
         * the tiled GEMM runs near the core's peak (fam_knn.c; about 20x
         * FLOPS_BLAS measured at 2048 x 160 000 x 50) and most distances
         * are rejected by one comparison (3.3 ns a pair in all, p = 50) */
        double nt = n / 5, ntr = n - nt;
        return (2 * nt * ntr * p) / (20 * FLOPS_BLAS) + nt * ntr / (2.5 * FLOPS_SCALAR);
    }
    case RT_FAM_TREE: {
        double d = c->params[0].num > 0 ? c->params[0].num : log2(n > 2 ? n : 2);
        return (n * p * log2(n > 2 ? n : 2) + 4 * n * p * d) / FLOPS_SCALAR;
    }
    case RT_FAM_FOREST: {
        double t = c->params[0].num, d = c->params[1].num > 0 ? c->params[1].num : log2(n > 2 ? n : 2);
        double m = st->nclasses ? sqrt(p) : p;
        return t * 4 * n * m * d / FLOPS_SCALAR + n * p * log2(n > 2 ? n : 2) / FLOPS_SCALAR;
    }
    case RT_FAM_GBT: {
        double r = c->params[0].num, d = c->params[2].num;
        return r * k * 4 * n * p * d / FLOPS_SCALAR + n * p * log2(n > 2 ? n : 2) / FLOPS_SCALAR;
    }
    default: return n * p / FLOPS_SCALAR;
    }
}

/* Steps a and b are the same pca except perhaps for k. */
int opt_same_pca_but_k(const rt_tf_step *a, const rt_tf_step *b)
{
    if (a->kind != RT_TF_PCA || b->kind != RT_TF_PCA || a->selector != b->selector || a->ncolumns != b->ncolumns)
        return 0;
    for (int i = 0; i < a->ncolumns; i++)
        if (strcmp(a->columns[i], b->columns[i])) return 0;
    return 1;
}

int opt_same_prefix(const cmp_pipeline *a, const cmp_pipeline *b, int len)
{
    if (a->nsteps < len || b->nsteps < len) return 0;
    for (int j = 0; j < len; j++)
        if (strcmp(a->steps[j].text, b->steps[j].text) || a->steps[j].implicit != b->steps[j].implicit) return 0;
    return 1;
}

/* For every pipeline, the first pca step it shares with another pipeline
 * that has the same steps before it and the same pca but another k; the k
 * to compute is the largest of them (0, every component, beats all). */
static int plan_pca(const cmp_explore *x, opt_plan *p)
{
    p->pca_step = malloc(((size_t)x->npipes + 1) * sizeof *p->pca_step);
    p->pca_k = malloc(((size_t)x->npipes + 1) * sizeof *p->pca_k);
    if (!p->pca_step || !p->pca_k) return -1;
    for (int q = 0; q < x->npipes; q++) {
        const cmp_pipeline *a = &x->pipes[q];
        p->pca_step[q] = -1;
        for (int j = 0; j < a->nsteps && p->pca_step[q] < 0; j++) {
            if (a->steps[j].step.kind != RT_TF_PCA) continue;
            int K = a->steps[j].step.k, others = 0;
            for (int r = 0; r < x->npipes; r++) {
                const cmp_pipeline *b = &x->pipes[r];
                if (r == q || b->nsteps <= j || !opt_same_prefix(a, b, j) ||
                    !opt_same_pca_but_k(&a->steps[j].step, &b->steps[j].step) ||
                    b->steps[j].step.k == a->steps[j].step.k)
                    continue;
                others++;
                int k = b->steps[j].step.k;
                if (K != 0 && (k == 0 || k > K)) K = k;
            }
            if (others) {
                p->pca_step[q] = j;
                p->pca_k[q] = K;
            }
        }
    }
    return 0;
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

/* The pipeline's part of rule 2: 2 when it is impute / onehot steps (no-ops
 * on this table) ending in one standardize of every numeric column, 1
 * when it has no standardize, 0 otherwise. */
static int folds_pipeline(const cmp_explore *x, const cmp_config *c, const opt_stats *st)
{
    if (!st->gram_folds_ok) return 0;
    /* rungs fit on row subsets, which the fold blocks do not describe */
    if (x->strategy.kind == CMP_SEARCH_HALVING || x->strategy.kind == CMP_SEARCH_HYPERBAND) return 0;
    const cmp_pipeline *pl = &x->pipes[c->pipe];
    int standardize = 0;
    for (int k = 0; k < pl->nsteps; k++) {
        const rt_tf_step *s = &pl->steps[k].step;
        if (standardize) return 0;   /* standardize must be last */
        if (s->kind == RT_TF_STANDARDIZE) {
            if ((s->selector != RT_SEL_DEFAULT && s->selector != RT_SEL_NUMERIC && s->selector != RT_SEL_ALL) ||
                s->ncolumns)
                return 0;
            standardize = 1;
        } else if (s->kind != RT_TF_IMPUTE && s->kind != RT_TF_ONEHOT) {
            return 0;
        }
    }
    return standardize ? 2 : 1;
}

/* Rule 2 for a ridge or linreg configuration (opt_group.gram_folds). */
static int gram_folds(const cmp_explore *x, const cmp_config *c, const opt_stats *st)
{
    /* linreg: alpha 0 of the same eigendecomposition, raw columns too —
     * the runtime declines each round whose Gram is too ill-conditioned
     * to agree with linreg's SVD within 1e-9 (ridge_folds.h) */
    if (c->family == RT_FAM_LINREG) return c->params[0].num != 0.0 && !st->nclasses ? folds_pipeline(x, c, st) : 0;
    if (c->family != RT_FAM_RIDGE || c->params[1].num == 0.0) return 0;
    /* on raw columns the Gram's condition number is the data's scales
     * squared (1e12 and more on breast_cancer), and two roundings of the
     * same normal equations can differ by 1e-6 in the coefficients; after
     * standardizing they agree within 1e-9 (unit/test_ridge_folds) */
    return folds_pipeline(x, c, st) == 2 ? 2 : 0;
}

/* Gaussian nb's class statistics by rule 2 (runtime/nb_folds.h): the raw
 * columns too (means and variances, no system to solve).  Small
 * var_smoothing is left to the design (nb_folds.c says why). */
static int nb_folds(const cmp_explore *x, const cmp_config *c, const opt_stats *st)
{
    if (c->family != RT_FAM_NB || (c->params[1].str && ut_strcasecmp(c->params[1].str, "gaussian")) ||
        !(c->params[0].num >= 1e-12))
        return 0;
    return folds_pipeline(x, c, st);
}

/* L-BFGS batches hold at most LOGREG_BATCH configurations, so that one
 * round's batches can run on several threads (a batch of 7 was a fifth of
 * digits' plan on one thread).  The C values are dealt in turn in
 * ascending order — a larger C takes more iterations, dealing balances the
 * batches — and the split depends on the configurations alone, never on
 * the thread count, so neither do their bits. */
#define LOGREG_BATCH 4

static int by_c_index(const void *a, const void *b, const cmp_explore *x)
{
    double ca = x->configs[*(const int *)a].params[0].num, cb = x->configs[*(const int *)b].params[0].num;
    if (ca != cb) return ca < cb ? -1 : 1;
    return *(const int *)a - *(const int *)b;
}

static int split_batches(const cmp_explore *x, opt_plan *p)
{
    int ng = p->ngroups;
    for (int g = 0; g < ng; g++) {
        if (!p->groups[g].batch || p->groups[g].n <= LOGREG_BATCH) continue;
        int n = p->groups[g].n, k = (n + LOGREG_BATCH - 1) / LOGREG_BATCH;
        int *m = p->groups[g].configs;
        /* insertion sort by C (a group holds few configurations) */
        for (int i = 1; i < n; i++) {
            int v = m[i], j = i;
            while (j > 0 && by_c_index(&m[j - 1], &v, x) > 0) {
                m[j] = m[j - 1];
                j--;
            }
            m[j] = v;
        }
        int first = p->ngroups;
        for (int t = 1; t < k; t++) {
            opt_group *ng2 = &p->groups[p->ngroups++];
            *ng2 = p->groups[g];
            ng2->n = 0;
            if (!(ng2->configs = malloc((size_t)n * sizeof(int)))) return -1;
        }
        int kept = 0;
        for (int i = 0; i < n; i++) {
            int t = i % k, c = m[i];
            if (t == 0) {              /* stays: compacted in place (kept <= i) */
                p->group_of[c] = g;
                p->member_of[c] = kept;
                m[kept++] = c;
            } else {
                opt_group *to = &p->groups[first + t - 1];
                p->group_of[c] = first + t - 1;
                p->member_of[c] = to->n;
                to->configs[to->n++] = c;
            }
        }
        p->groups[g].n = kept;
    }
    return 0;
}

static int make_groups(const cmp_explore *x, const opt_stats *st, int sharing, opt_plan *p)
{
    int n = x->nconfigs;
    p->groups = calloc((size_t)n + 1, sizeof *p->groups);
    p->group_of = malloc((size_t)n * sizeof *p->group_of + 1);
    p->member_of = malloc((size_t)n * sizeof *p->member_of + 1);
    if (!p->groups || !p->group_of || !p->member_of) return -1;
    for (int c = 0; c < n; c++) {
        int g = -1;
        opt_stats cs = cfg_stats(x, &x->configs[c], st);
        for (int k = 0; sharing && k < p->ngroups && g < 0; k++)
            if (same_group(x, p->groups[k].configs[0], c) && logreg_shares(&x->configs[c], &cs) &&
                (x->configs[c].family != RT_FAM_LINSVM || linsvm_newton(&x->configs[c], cs.nfeatures)))
                g = k;
        if (g < 0) {
            g = p->ngroups++;
            if (!(p->groups[g].configs = malloc((size_t)n * sizeof(int)))) return -1;
        }
        p->group_of[c] = g;
        p->member_of[c] = p->groups[g].n;
        p->groups[g].configs[p->groups[g].n++] = c;
    }
    for (int g = 0; g < p->ngroups; g++) {
        const cmp_config *c0 = &x->configs[p->groups[g].configs[0]];
        opt_stats cs = cfg_stats(x, c0, st);
        p->groups[g].shared = p->groups[g].n > 1 && logreg_shares(c0, &cs) &&
                              (c0->family != RT_FAM_LINSVM || linsvm_newton(c0, cs.nfeatures));
        p->groups[g].batch = p->groups[g].shared && c0->family == RT_FAM_LOGREG && logreg_l2(c0) && !logreg_path(c0, &cs);
        p->groups[g].gram = (c0->family == RT_FAM_LASSO || c0->family == RT_FAM_ELASTICNET) && enet_gram(&cs, cs.nfeatures);
        p->groups[g].gram_folds = sharing ? gram_folds(x, c0, st) : 0;
        p->groups[g].nb_folds = sharing ? nb_folds(x, c0, st) : 0;
        for (int k = 1; k < p->groups[g].n && p->groups[g].nb_folds; k++)
            if (!nb_folds(x, &x->configs[p->groups[g].configs[k]], st)) p->groups[g].nb_folds = 0;
    }
    return split_batches(x, p);
}

/* A shared group costs about its largest member plus a little per member;
 * otherwise the sum.  Measured history is already per member: a shared
 * fit's time is recorded split equally among its members, so their sum is
 * the group's. */
/* A round's fit of a rule 2 group from the STATS node's statistics (the
 * pass itself is the STATS node's cost): ridge / linreg one symmetric
 * eigendecomposition and a p x p product per configuration, nb each
 * configuration's class means and variances; then the predictions. */
static double folds_fit_cost(const opt_group *g, const opt_stats *st)
{
    double p = st->nfeatures > 0 ? st->nfeatures : 1, k = st->nclasses > 2 ? st->nclasses : 1;
    double nt = st->nrounds > 1 ? (double)st->nrows / st->nrounds : st->nrows * 0.2;
    double kc = st->nclasses > 0 ? st->nclasses : 1;
    if (g->gram_folds) return (9 * p * p * p + g->n * (2 * p * p * k + 2 * nt * p * k)) / FLOPS_BLAS;
    return g->n * (10 * kc * p + nt * kc * p) / FLOPS_SCALAR;
}

int opt_leaf_sizes(const cmp_explore *x, const opt_group *g, int *sizes, int cap)
{
    rt_family f = x->configs[g->configs[0]].family;
    int at = f == RT_FAM_TREE ? 1 : f == RT_FAM_FOREST ? 3 : -1, n = 0;   /* params.def's min_samples_leaf */
    if (at < 0) return 1;
    for (int i = 0; i < g->n; i++) {
        double v = x->configs[g->configs[i]].params[at].num;
        int seen = 0;
        for (int j = 0; j < i && !seen; j++) seen = x->configs[g->configs[j]].params[at].num == v;
        if (!seen && sizes && n < cap) sizes[n] = (int)v;
        n += !seen;
    }
    return n;
}

static double group_cost(const cmp_explore *x, const opt_group *g, const opt_stats *st)
{
    double sum = 0, big = 0;
    int lr = g->shared && x->configs[g->configs[0]].family == RT_FAM_LOGREG;
    int l1 = lr && !logreg_l2(&x->configs[g->configs[0]]);
    int known = 1, path = lr && !g->batch && !l1;
    for (int i = 0; i < g->n; i++) {
        const cmp_config *cf = &x->configs[g->configs[i]];
        double c = opt_fit_cost(x, g->configs[i], st);
        if (path && i > 0 && !(st->hist && st->hist[g->configs[i]] == st->hist[g->configs[i]]))
            c = rt_logreg_cost(train_rows(st), cfg_stats(x, cf, st).nfeatures, st->nclasses > 2 ? st->nclasses : 1,
                               cf->params[0].num, 1);
        known &= st->hist && st->hist[g->configs[i]] == st->hist[g->configs[i]];
        sum += c;
        big = c > big ? c : big;
    }
    if ((g->gram_folds || g->nb_folds) && !known) return folds_fit_cost(g, st);
    /* L-BFGS side by side: the same iterations, wider GEMMs (about 0.8 of
     * the separate fits' time, measured on digits) */
    if (lr && !path) return known ? sum : 0.8 * sum;
    /* linsvm's C path: each fit after the first starts near its optimum
     * (about half the Newton steps of a cold one); logreg l1's about 0.6 of
     * a cold fit's time (satellite 0.57, digits 0.2, vehicle 1.0) */
    if (g->shared && !known && x->configs[g->configs[0]].family == RT_FAM_LINSVM) return big + 0.5 * (sum - big);
    if (l1 && !known) return big + 0.6 * (sum - big);
    /* lasso / elasticnet: the data once, every configuration's sweeps */
    rt_family f0 = x->configs[g->configs[0]].family;
    if (g->shared && !known && (f0 == RT_FAM_LASSO || f0 == RT_FAM_ELASTICNET)) {
        opt_stats cs = cfg_stats(x, &x->configs[g->configs[0]], st);
        return enet_data_cost(&cs, cs.nfeatures) + g->n * enet_sweeps_cost(&cs, cs.nfeatures);
    }
    /* tree, forest: one growth for every min_samples_leaf, each size after
     * the first a fraction of one (the sizes share their upper nodes;
     * satellite and digits, 4 and 10 sizes: trees 0.17 to 0.25, forests'
     * bootstrapped trees with drawn features 0.33) */
    if (g->shared && !known && (f0 == RT_FAM_TREE || f0 == RT_FAM_FOREST))
        return big * (1 + (f0 == RT_FAM_TREE ? 0.2 : 0.35) * (opt_leaf_sizes(x, g, NULL, 0) - 1)) + 0.02 * sum;
    return g->shared && !known && !path ? big + 0.02 * sum : sum;
}

/* Reuse across queries: the runs the repository serves are not fitted.
 * The executor skips a FIT whose group has every run of its round (a group
 * with some fits them all and records the others' as reused), the
 * EVALUATE of a served run, and a TRANSFORM every FIT of which is skipped;
 * the plan says so and costs them at nothing. */
/* Sharing rule 2's per-fold statistics: one STATS node per kind that a
 * group of the plan fits from, costed at its measured past pass on this
 * data, else by formula. */
static int push_stats(const opt_stats *st, opt_plan *p, int *cap, int split)
{
    for (int kind = 0; kind < OPT_STATS__COUNT; kind++) {
        int g0 = -1;
        for (int g = 0; g < p->ngroups && g0 < 0; g++)
            if (kind == OPT_STATS_GRAM ? p->groups[g].gram_folds : p->groups[g].nb_folds) g0 = g;
        if (g0 < 0) continue;
        double m = st->ops.known ? st->ops.stats[kind] : NAN;
        double c = m == m                  ? m
                   : kind == OPT_STATS_GRAM ? opt_gram_blocks_cost(st, st->nrounds)
                                            : opt_nb_blocks_cost(st, st->nrounds);
        p->nmeasured += m == m;
        if (push(p, cap, (opt_node){OPT_STATS, -1, -1, split, 0, c, -1, g0, 0, 0}) < 0) return -1;
    }
    return 0;
}

/* A FIT that fits from STATS and needs no training rows: ridge and
 * standardized linreg from the Gram blocks, gaussian nb from its class
 * statistics.  Raw linreg is left out: the runtime declines its
 * ill-conditioned rounds to the design's SVD (raw boston and cpu: every
 * round), which would then need the training rows after all. */
static int fits_without_rows(const cmp_explore *x, const opt_group *g)
{
    if (g->nb_folds) return 1;
    return g->gram_folds && !(g->gram_folds == 1 && x->configs[g->configs[0]].family == RT_FAM_LINREG);
}

/* TRANSFORM nodes every FIT of which fits without training rows make the
 * design of their test rows alone, costed so (measured before, else by
 * formula).  The executor builds the training rows later only where a
 * fit declines its statistics (exec_explore.c). */
static void plan_test_only(const cmp_explore *x, const opt_stats *st, opt_plan *p)
{
    const opt_op_times *ot = &st->ops;
    for (int i = 0; i < p->n; i++) {
        opt_node *nd = &p->nodes[i];
        if (nd->op != OPT_TRANSFORM) continue;
        int fits = 0, all = 1;
        for (int j = i + 1; j < p->n && all; j++)
            if (p->nodes[j].op == OPT_FIT && p->nodes[j].input == i)
                fits++, all = fits_without_rows(x, &p->groups[p->nodes[j].group]);
        if (!fits || !all) continue;
        int q = nd->pipe;
        int was = ot->known && ot->tf[q] == ot->tf[q];
        int mt = ot->known && ot->tf_test && ot->tf_test[q] == ot->tf_test[q];
        nd->test_only = 1;
        nd->est_cost = mt ? ot->tf_test[q] : opt_transform_test_cost(st);
        p->nmeasured += mt - was;
    }
}

static void mark_served(const cmp_explore *x, const opt_stats *st, opt_plan *p)
{
    int nr = st->nrounds;
    for (int c = 0; c < x->nconfigs; c++)
        for (int r = 0; r < nr; r++) p->nserved += st->served[(size_t)c * nr + r] != 0;
    for (int i = 0; i < p->n; i++) {
        opt_node *nd = &p->nodes[i];
        if (nd->op == OPT_FIT) {
            const opt_group *g = &p->groups[nd->group];
            int all = 1;
            for (int k = 0; k < g->n && all; k++) all = st->served[(size_t)g->configs[k] * nr + nd->round] != 0;
            nd->served = all;
        } else if (nd->op == OPT_EVALUATE) {
            nd->served = st->served[(size_t)nd->config * nr + nd->round] != 0;
        }
    }
    for (int i = 0; i < p->n; i++) {
        opt_node *nd = &p->nodes[i];
        if (nd->op != OPT_TRANSFORM && nd->op != OPT_STATS) continue;
        int needed = 0, kind = nd->op == OPT_STATS ? opt_stats_kind(p, nd) : -1;
        for (int j = i + 1; j < p->n && !needed; j++)
            needed = (nd->op == OPT_STATS ? opt_fits_from(p, &p->nodes[j], kind)
                                          : p->nodes[j].op == OPT_FIT && p->nodes[j].input == i) &&
                     !p->nodes[j].served;
        nd->served = !needed;
    }
    for (int i = 0; i < p->n; i++)
        if (p->nodes[i].served) p->nodes[i].est_cost = 0;
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
    /* measured on this data before, else: parsing ~80 scalar operations a
     * cell (a number's characters, type inference, the content hash) */
    const opt_op_times *ot = &st->ops;
    double cells = rows * (st->nfeatures > 0 ? st->nfeatures + 1 : 1);
    int ml = ot->known && ot->load == ot->load, ms = ot->known && ot->split == ot->split;
    double lc = ml ? ot->load : ot->known && ot->load_formula == ot->load_formula ? ot->load_formula
                                                                                   : cells * 80 / FLOPS_SCALAR;
    double sc = ms ? ot->split : rows * 2e-6;   /* folds from SQLite */
    p->nmeasured = ml + ms;
    int load = push(p, &cap, (opt_node){OPT_LOAD, -1, -1, -1, 0, lc, -1, -1, 0, 0});
    int split = push(p, &cap, (opt_node){OPT_SPLIT, -1, -1, load, 0, sc, -1, -1, 0, 0});
    bad |= load < 0 || split < 0;
    int *shared = calloc((size_t)x->npipes + 1, sizeof *shared);
    bad |= !shared || make_groups(x, st, sharing, p);
    if (!bad && sharing) bad = plan_pca(x, p);
    int nstats0 = p->n;
    if (!bad) bad = push_stats(st, p, &cap, split);
    for (int r = 0; r < st->nrounds && !bad; r++) {
        /* one TRANSFORM per pipeline per round, placed before its first
         * group; sharing off: one per configuration */
        for (int q = 0; q < x->npipes; q++) shared[q] = -1;
        for (int g = 0; g < p->ngroups && !bad; g++) {
            const opt_group *gr = &p->groups[g];
            int c0 = gr->configs[0], q = x->configs[c0].pipe, tf = shared[q];
            int mt = ot->known && ot->tf[q] == ot->tf[q];
            double tcost = mt ? ot->tf[q] : opt_transform_cost(&x->pipes[q], st);
            if (!sharing || tf < 0) {
                tf = push(p, &cap, (opt_node){OPT_TRANSFORM, r, sharing ? -1 : c0, split, 0, tcost, q, -1, 0, 0});
                bad |= tf < 0;
                p->nmeasured += mt;
                if (sharing) shared[q] = tf;
            }
            double gc = group_cost(x, gr, st);
            int fit = bad ? -1 : push(p, &cap, (opt_node){OPT_FIT, r, gr->n == 1 ? c0 : -1, tf, 0, gc, q, g, 0, 0});
            bad |= fit < 0;
            for (int i = 0; i < gr->n && !bad; i++) {
                int c = gr->configs[i];
                /* every metric of the kind on the test rows, and one
                 * catalog insert */
                const double *me = ot->known ? &ot->evaluate[x->configs[c].family] : NULL;
                double ec = me && *me == *me ? *me
                                             : 1.5e-4 + (double)st->nrows / (st->nrounds > 1 ? st->nrounds : 4) *
                                                            (st->nclasses > 0 ? st->nclasses : 1) * 40 / FLOPS_SCALAR;
                bad |= push(p, &cap, (opt_node){OPT_EVALUATE, r, c, fit, 0, ec, q, g, 0, 0}) < 0;
                p->nmeasured += me && *me == *me;
            }
        }
    }
    free(shared);
    for (int s = nstats0; !bad && s < p->n && p->nodes[s].op == OPT_STATS; s++) {
        int kind = opt_stats_kind(p, &p->nodes[s]);
        for (int i = s + 1; i < p->n; i++) p->nodes[s].users += opt_fits_from(p, &p->nodes[i], kind);
    }
    if (!bad && sharing) plan_test_only(x, st, p);
    if (!bad && st->served) mark_served(x, st, p);
    /* ranking the configurations: each run's insert is its EVALUATE's */
    if (!bad) bad = push(p, &cap, (opt_node){OPT_RECORD, -1, -1, -1, 0, 1e-6 * x->nconfigs * st->nrounds, -1, -1, 0, 0}) < 0;
    if (bad) {
        opt_plan_free(p);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    for (int i = 0; i < p->n; i++) p->est_total += p->nodes[i].est_cost;
    p->threads = st->threads;
    for (int c = 0; st->hist && c < x->nconfigs; c++) p->nhist += st->hist[c] == st->hist[c];
    *out = p;
    return 0;
}

void opt_plan_free(opt_plan *p)
{
    if (!p) return;
    for (int g = 0; p->groups && g < p->ngroups; g++) free(p->groups[g].configs);
    free(p->groups);
    free(p->cache);
    free(p->cache_from);
    free(p->pcache);
    free(p->pmodels);
    free(p->group_of);
    free(p->member_of);
    free(p->pca_step);
    free(p->pca_k);
    free(p->nodes);
    free(p);
}
