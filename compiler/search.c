/* search.c — SEARCH and BUDGET: which strategy explores the space, its
 * arguments, the configurations it starts from, and SEARCH auto's choice.
 * The runtime (runtime/search.c) drives the strategy from there; sampling
 * lives here because turning a point into a configuration is the
 * compiler's job (canonical JSON, display text). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "../runtime/protocol.h"
#include "../include/mileage.h"

static const char *const strategy_names[] = {"grid", "random", "halving", "hyperband", "bayes", "auto"};

/* Fits below this many rows say little about a configuration: the
 * smallest rung of halving / hyperband never goes under it. */
#define MIN_RUNG_ROWS 20
#define MAX_SAMPLED 100000
#define BAYES_MAX 500   /* the GP's n x n algebra stays small */

/* ---- SEARCH name(args) ---- */

typedef struct {
    const ast *n, *eta, *max_budget, *seed;
} search_args;

/* seed = s: an integer a double holds exactly */
#define MAX_SEED 9007199254740991.0

static int arg_slot(int kind, const char *name, const ast *at, const ast *v, search_args *a, ut_err *e)
{
    static const char *const allowed[][4] = {
        [CMP_SEARCH_RANDOM] = {"n", "seed"}, [CMP_SEARCH_HALVING] = {"eta", "n", "seed"},
        [CMP_SEARCH_HYPERBAND] = {"max_budget", "eta", "seed"}, [CMP_SEARCH_BAYES] = {"n", "seed"}};
    int k = -1, nallowed = 0;
    for (int i = 0; i < 4 && allowed[kind][i]; i++, nallowed++)
        if (!ut_strcasecmp(allowed[kind][i], name)) k = i;
    if (k < 0) {
        cmp_unknown(e, at, "argument", allowed[kind], nallowed);
        char tail[UT_ERRLEN];
        const char *dm = strstr(e->msg, "; did you mean");
        snprintf(tail, sizeof tail, "%s", dm ? dm : "");
        return ut_errf_at(e, MLG_NAME, at->off, at->len, "unknown argument '%s' of %s%s", name,
                          strategy_names[kind], tail);
    }
    const char *w = allowed[kind][k];
    const ast **slot = !strcmp(w, "n") ? &a->n : !strcmp(w, "eta") ? &a->eta : !strcmp(w, "seed") ? &a->seed
                                                                                                 : &a->max_budget;
    if (*slot) return ut_errf_at(e, MLG_ERROR, at->off, at->len, "argument '%s' given twice", allowed[kind][k]);
    *slot = v;
    return 0;
}

int cmp_search_clause(cmp_explore *x, const ast *c, ut_err *e)
{
    const ast *s = c->a;
    int kind = -1;
    for (int i = 0; i < 6; i++)
        if (!ut_strcasecmp(s->str, strategy_names[i])) kind = i;
    if (kind < 0) return cmp_unknown(e, s, "search strategy", strategy_names, 6);
    cmp_search *st = &x->strategy;
    st->kind = kind;
    st->eta = 3;
    if (c->b && (kind == CMP_SEARCH_GRID || kind == CMP_SEARCH_AUTO))
        return ut_errf_at(e, MLG_ERROR, c->b->off, c->b->len, "SEARCH %s takes no arguments", strategy_names[kind]);
    /* positional arguments in the documented order */
    static const char *const order[][3] = {
        [CMP_SEARCH_RANDOM] = {"n", "seed"}, [CMP_SEARCH_HALVING] = {"eta", "n", "seed"},
        [CMP_SEARCH_HYPERBAND] = {"max_budget", "eta", "seed"}, [CMP_SEARCH_BAYES] = {"n", "seed"}};
    search_args a = {0};
    int pos = 0;
    for (const ast *v = c->b; v; v = v->next) {
        if (v->kind == AST_OPTION) {
            if (arg_slot(kind, v->a->str, v->a, v->b, &a, e)) return -1;
            continue;
        }
        if (v->kind == AST_PARAM || pos >= 3 || !order[kind][pos])
            return ut_errf_at(e, MLG_ERROR, v->off, v->len, "too many arguments for SEARCH %s", strategy_names[kind]);
        if (arg_slot(kind, order[kind][pos++], v, v, &a, e)) return -1;
    }
    if (a.n) {
        double d;
        if (cmp_number(a.n, &d, e)) return -1;
        if (d != floor(d) || d < 1 || d > MAX_SAMPLED)
            return ut_errf_at(e, MLG_ERROR, a.n->off, a.n->len,
                              "the number of configurations must be an integer from 1 to %d, not %g", MAX_SAMPLED, d);
        st->n = (int)d;
        if (kind == CMP_SEARCH_BAYES && st->n > BAYES_MAX)
            return ut_errf_at(e, MLG_ERROR, a.n->off, a.n->len, "bayes evaluates at most %d configurations, not %d",
                              BAYES_MAX, st->n);
    }
    if (a.eta) {
        if (cmp_number(a.eta, &st->eta, e)) return -1;
        if (!(st->eta >= 2 && st->eta <= 100))
            return ut_errf_at(e, MLG_ERROR, a.eta->off, a.eta->len,
                              "eta must be from 2 to 100 (each rung keeps the best 1/eta), not %g", st->eta);
    }
    if (a.seed) {
        double d;
        if (cmp_number(a.seed, &d, e)) return -1;
        if (d != floor(d) || d < 0 || d > MAX_SEED)
            return ut_errf_at(e, MLG_ERROR, a.seed->off, a.seed->len,
                              "seed must be an integer from 0 to 2^53 - 1, not %g", d);
        st->has_seed = 1;
        st->seed = (unsigned long long)d;
    }
    if (a.max_budget) {
        const char *w = cmp_word(a.max_budget);
        if (w && !ut_strcasecmp(w, "all")) {
            st->max_budget = 0;
        } else {
            double d;
            if (cmp_number(a.max_budget, &d, e)) return -1;
            if (d != floor(d) || d < MIN_RUNG_ROWS || d > 1e12)
                return ut_errf_at(e, MLG_ERROR, a.max_budget->off, a.max_budget->len,
                                  "max_budget is the most training rows of one fit: an integer of at least %d "
                                  "(or all), not %g", MIN_RUNG_ROWS, d);
            st->max_budget = (long long)d;
        }
    }
    return 0;
}

uint64_t cmp_search_seed(const cmp_explore *x)
{
    return x->strategy.has_seed ? (uint64_t)x->strategy.seed : (uint64_t)x->task.seed;
}

/* ---- BUDGET n SECONDS | n RUNS ---- */

int cmp_budget_clause(cmp_explore *x, const ast *c, ut_err *e)
{
    static const char *const units[] = {"seconds", "runs"};
    const char *u = c->b->str;
    int unit = !ut_strcasecmp(u, "seconds") || !ut_strcasecmp(u, "second") ? CMP_BUDGET_SECONDS
             : !ut_strcasecmp(u, "runs") || !ut_strcasecmp(u, "run")      ? CMP_BUDGET_RUNS
                                                                            : 0;
    if (!unit) {
        cmp_unknown(e, c->b, "budget unit", units, 2);
        if (!strstr(e->msg, "did you mean"))
            ut_errf_at(e, MLG_NAME, c->b->off, c->b->len, "unknown budget unit '%s'; expected SECONDS or RUNS", u);
        return -1;
    }
    double v;
    if (cmp_number(c->a, &v, e)) return -1;
    if (!(v > 0) || !isfinite(v) || v > 1e9)
        return ut_errf_at(e, MLG_ERROR, c->a->off, c->a->len, "a budget must be positive, not %g", v);
    if (unit == CMP_BUDGET_RUNS && v != floor(v))
        return ut_errf_at(e, MLG_ERROR, c->a->off, c->a->len, "a budget of runs must be an integer, not %g", v);
    x->strategy.budget_unit = unit;
    x->strategy.budget = v;
    return 0;
}

/* ---- sampling ---- */

/* 6 significant digits: sampled values print (and store) as written, so
 * a configuration read back from the catalog is the one that ran. */
static double tidy(double v)
{
    char b[32];
    snprintf(b, sizeof b, "%.6g", v);
    return strtod(b, NULL);
}

void cmp_space_sample(const cmp_explore *x, ut_rng *r, cmp_point *pt)
{
    memset(pt, 0, sizeof *pt);
    pt->fam = (int)ut_rng_below(r, (uint64_t)x->nspace);
    pt->pipe = x->npipes > 1 ? (int)ut_rng_below(r, (uint64_t)x->npipes) : 0;
    const cmp_famspace *fs = &x->space[pt->fam];
    for (int i = 0; i < fs->ndims && i < 32; i++) {
        const cmp_dim *d = &fs->dims[i];
        if (!d->continuous) {
            const cmp_value *v = &d->vals.v[d->vals.n > 1 ? ut_rng_below(r, (uint64_t)d->vals.n) : 0];
            pt->v[i].num = v->num;
            pt->v[i].str = v->str ? v->str : d->spec->def_str;
            continue;
        }
        double u = ut_rng_uniform(r), v;
        if (d->log) v = pow(10.0, log10(d->lo) + u * (log10(d->hi) - log10(d->lo)));
        else v = d->lo + u * (d->hi - d->lo);
        if (d->integer) {
            /* every integer of [lo, hi] equally likely (log: by its share
             * of the log interval) */
            double lo = ceil(d->lo), hi = floor(d->hi);
            if (d->log) v = floor(pow(10.0, log10(lo) + u * (log10(hi + 1) - log10(lo))));
            else v = floor(lo + u * (hi - lo + 1));
            v = fmin(fmax(v, lo), hi);
        } else {
            v = fmin(fmax(tidy(v), d->lo), d->hi);
        }
        pt->v[i].num = v;
    }
}

int cmp_add_unique(cmp_explore *x, cmp_config *c, int *index)
{
    for (int i = 0; i < x->nconfigs; i++)
        if (x->configs[i].family == c->family && x->configs[i].pipe == c->pipe &&
            !strcmp(x->configs[i].params_json, c->params_json)) {
            cmp_config_clear(c);
            *index = i;
            return 0;
        }
    cmp_config *nc = realloc(x->configs, (size_t)(x->nconfigs + 1) * sizeof *nc);
    if (!nc) {
        cmp_config_clear(c);
        return -1;
    }
    x->configs = nc;
    x->configs[x->nconfigs] = *c;
    *index = x->nconfigs++;
    return 0;
}

/* n distinct sampled configurations (fewer when the space runs out);
 * their indices go to members when it is not NULL. */
static int sample_configs(cmp_explore *x, ut_rng *r, int n, int **members, int *nmembers, ut_err *e)
{
    int got = 0, first = *nmembers;
    for (long tries = 0; got < n && tries < 50L * n + 100; tries++) {
        cmp_point pt;
        cmp_space_sample(x, r, &pt);
        cmp_config c;
        int idx, before = x->nconfigs;
        if (cmp_point_config(x, &pt, &c) || cmp_add_unique(x, &c, &idx)) return ut_errf(e, MLG_NOMEM, "out of memory");
        int fresh = x->nconfigs > before;
        if (members) {
            /* a bracket holds distinct configurations; another bracket may
             * hold the same one */
            int dup = 0;
            for (int k = first; k < *nmembers; k++) dup |= (*members)[k] == idx;
            if (dup) continue;
            int *m = realloc(*members, (size_t)(*nmembers + 1) * sizeof *m);
            if (!m) return ut_errf(e, MLG_NOMEM, "out of memory");
            *members = m;
            m[(*nmembers)++] = idx;
            got++;
        } else if (fresh) {
            got++;
        }
    }
    return 0;
}

double cmp_train_rows_estimate(const cmp_explore *x)
{
    rt_protocol p;
    ut_err e;
    double n = x->dataset.nrows;
    if (rt_protocol_parse(x->task.protocol_json, &p, &e)) return n * 0.75;
    switch (p.type) {
    case RT_PROTO_CV:
    case RT_PROTO_REPEATED: return n * (p.k - 1) / (p.k > 0 ? p.k : 1);
    case RT_PROTO_HOLDOUT: return n * (1 - p.test);
    case RT_PROTO_TIME: return n * 0.5;   /* splits grow from 1/(k+1) to k/(k+1) */
    default: return x->task.nrounds > 1 ? n * (x->task.nrounds - 1) / x->task.nrounds : n * 0.75;
    }
}

/* The first continuous interval, for grid's error. */
static const cmp_dim *first_interval(const cmp_explore *x)
{
    for (int f = 0; f < x->nspace; f++)
        for (int d = 0; d < x->space[f].ndims; d++)
            if (x->space[f].dims[d].continuous) return &x->space[f].dims[d];
    return NULL;
}

/* Dimensions a model of the space would see: searched parameters, plus
 * the family and pipeline choices. */
static int searched_dims(const cmp_explore *x)
{
    int n = (x->nspace > 1) + (x->npipes > 1);
    for (int f = 0; f < x->nspace; f++)
        for (int d = 0; d < x->space[f].ndims; d++)
            n += x->space[f].dims[d].continuous || x->space[f].dims[d].vals.n > 1;
    return n;
}

/* SEARCH auto: a strategy from the space's size, the budget and the rows. */
static int choose(cmp_explore *x, ut_err *e)
{
    cmp_search *st = &x->strategy;
    int rounds = x->task.nrounds > 0 ? x->task.nrounds : 1;
    long long afford = st->budget_unit == CMP_BUDGET_RUNS ? (long long)st->budget / rounds : -1;
    long long fits = afford >= 0 ? afford : st->budget_unit == CMP_BUDGET_SECONDS ? 100 : 500;
    double rows = cmp_train_rows_estimate(x);
    int dims = searched_dims(x);
    char why[300], space[80];
    if (x->finite) snprintf(space, sizeof space, "%lld configurations", x->space_size);
    else snprintf(space, sizeof space, "a continuous space");
    st->automatic = 1;
    if (x->finite && x->space_size <= fits) {
        st->kind = CMP_SEARCH_GRID;
        snprintf(why, sizeof why, "%s fit in %s%lld: grid evaluates them all", space,
                 afford >= 0 ? "the budget of " : "the grid limit of ", fits);
    } else if (rows >= 1000) {
        st->kind = CMP_SEARCH_HYPERBAND;
        st->eta = 3;
        snprintf(why, sizeof why, "%s on about %.0f training rows: hyperband drops weak configurations after fits on "
                 "small row samples", space, rows);
    } else if (dims <= 10) {
        st->kind = CMP_SEARCH_BAYES;
        st->n = (int)(afford > 0 ? (afford < BAYES_MAX ? afford : BAYES_MAX) : 30);
        snprintf(why, sizeof why, "%s in %d dimension%s on %.0f training rows: bayes spends each fit where the "
                 "surrogate expects improvement", space, dims, dims == 1 ? "" : "s", rows);
    } else {
        st->kind = CMP_SEARCH_RANDOM;
        st->n = (int)(afford > 0 ? afford : 60);
        snprintf(why, sizeof why, "%s in %d dimensions: random sampling covers many dimensions best", space, dims);
    }
    st->why = ut_strdup(why);
    return st->why ? 0 : ut_errf(e, MLG_NOMEM, "out of memory");
}

/* floor(log_eta(v)) without rounding surprises at exact powers. */
static int log_floor(double v, double eta)
{
    int s = 0;
    for (double p = eta; p <= v * (1 + 1e-12); p *= eta) s++;
    return s;
}

int cmp_strategy_configs(cmp_explore *x, const ast *search, ut_err *e)
{
    cmp_search *st = &x->strategy;
    if (st->eta == 0) st->eta = 3;
    x->finite = 1;
    x->space_size = 0;
    for (int f = 0; f < x->nspace; f++) {
        if (x->space[f].size < 0) x->finite = 0;
        else x->space_size += x->space[f].size;
    }
    if (!x->finite) x->space_size = -1;
    else x->space_size *= x->npipes;
    if (st->kind == CMP_SEARCH_AUTO && choose(x, e)) return -1;
    ut_rng r;
    ut_rng_seed(&r, cmp_search_seed(x) ^ 0x5ea4c4ULL);
    int rounds = x->task.nrounds > 0 ? x->task.nrounds : 1;
    long long afford = st->budget_unit == CMP_BUDGET_RUNS ? (long long)st->budget / rounds : -1;
    int small = x->finite && x->space_size <= MAX_SAMPLED;
    char text[200];
    int rc = 0, nm = 0;
    switch (st->kind) {
    case CMP_SEARCH_GRID: {
        const cmp_dim *d = first_interval(x);
        if (d)
            return ut_errf_at(e, MLG_ERROR, d->node->off, d->node->len,
                              "SEARCH grid cannot enumerate the continuous interval of '%s'; use SEARCH random(n), "
                              "halving, hyperband, bayes(n) or auto, or a finite spec such as logspace(a, b, n)",
                              d->spec->name);
        rc = cmp_expand_grid(x, e);
        snprintf(text, sizeof text, "grid");
        break;
    }
    case CMP_SEARCH_RANDOM:
        if (!st->n) st->n = afford > 0 ? (int)(afford < MAX_SAMPLED ? afford : MAX_SAMPLED)
                          : st->budget_unit == CMP_BUDGET_SECONDS ? 1000 : 20;
        if (small && x->space_size <= st->n) rc = cmp_expand_grid(x, e);
        else rc = sample_configs(x, &r, st->n, NULL, &nm, e);
        snprintf(text, sizeof text, "random(n = %d)", st->n);
        break;
    case CMP_SEARCH_HALVING: {
        int n = st->n ? st->n : (int)lround(pow(st->eta, 3));
        if (small && (!st->n || x->space_size <= st->n)) rc = cmp_expand_grid(x, e);
        else rc = sample_configs(x, &r, n, NULL, &nm, e);
        /* rungs: the last on all training rows, each before it on 1/eta of
         * the next, as many as the configurations allow (one left at the
         * end) and the rows allow (MIN_RUNG_ROWS at the start) */
        int s = log_floor(x->nconfigs, st->eta), sr = log_floor(cmp_train_rows_estimate(x) / MIN_RUNG_ROWS, st->eta);
        st->rungs = (s < sr ? s : sr) + 1;
        if (st->rungs > 16) st->rungs = 16;
        snprintf(text, sizeof text, "halving(eta = %g%s", st->eta, st->n ? "" : ")");
        if (st->n) snprintf(text + strlen(text), sizeof text - strlen(text), ", n = %d)", st->n);
        break;
    }
    case CMP_SEARCH_HYPERBAND: {
        /* Li et al.: s_max = floor(log_eta(R / r_min)); bracket s starts
         * n_s = ceil((s_max + 1) / (s + 1) * eta^s) configurations on
         * R * eta^-s rows */
        double R = cmp_train_rows_estimate(x);
        if (st->max_budget && st->max_budget < R) R = (double)st->max_budget;
        int smax = log_floor(R / MIN_RUNG_ROWS, st->eta);
        if (smax > 15) smax = 15;
        for (int s = smax; s >= 0 && !rc; s--) {
            int b = st->nbrackets++;
            st->bracket_s[b] = s;
            st->bracket_start[b] = nm;
            double ns = ceil((smax + 1.0) / (s + 1.0) * pow(st->eta, s));
            if (small && x->space_size <= ns) {
                /* the whole finite space starts this bracket */
                if (!x->nconfigs || x->nconfigs < x->space_size) rc = cmp_expand_grid(x, e);
                int *m = realloc(st->members, (size_t)(nm + x->nconfigs) * sizeof *m);
                if (!m) return ut_errf(e, MLG_NOMEM, "out of memory");
                st->members = m;
                for (int i = 0; i < x->nconfigs; i++) m[nm++] = i;
            } else {
                rc = sample_configs(x, &r, (int)ns, &st->members, &nm, e);
            }
        }
        st->bracket_start[st->nbrackets] = nm;
        if (st->max_budget) snprintf(text, sizeof text, "hyperband(max_budget = %lld, eta = %g)", st->max_budget, st->eta);
        else snprintf(text, sizeof text, "hyperband(max_budget = all, eta = %g)", st->eta);
        break;
    }
    case CMP_SEARCH_BAYES: {
        if (!st->n) st->n = afford > 0 ? (int)(afford < BAYES_MAX ? afford : BAYES_MAX) : 30;
        if (small && x->space_size <= st->n) {
            rc = cmp_expand_grid(x, e);   /* the model could not do better than all */
        } else {
            /* the initial design: random points the surrogate starts from */
            int init = st->n < 5 ? st->n : 5;
            rc = sample_configs(x, &r, init, NULL, &nm, e);
        }
        snprintf(text, sizeof text, "bayes(n = %d)", st->n);
        break;
    }
    default: return ut_errf(e, MLG_ERROR, "unknown search strategy");
    }
    (void)search;
    if (rc) return -1;
    size_t tl = strlen(text);
    if (st->has_seed && tl && text[tl - 1] == ')')
        snprintf(text + tl - 1, sizeof text - tl + 1, ", seed = %llu)", st->seed);
    if (!x->nconfigs) return ut_errf(e, MLG_ERROR, "the space has no configuration");
    if (st->automatic) {
        char t2[260];
        snprintf(t2, sizeof t2, "auto: %s", text);
        x->search = ut_strdup(t2);
    } else {
        x->search = ut_strdup(text);
    }
    return x->search ? 0 : ut_errf(e, MLG_NOMEM, "out of memory");
}

int cmp_explore_add_seeds(cmp_explore *x, const cmp_config *seeds, int n, ut_err *e)
{
    int total = x->nconfigs + n, k = 0;
    cmp_config *nc = calloc((size_t)total + 1, sizeof *nc);
    int *where = malloc((size_t)x->nconfigs * sizeof *where + 1);   /* old index -> new */
    unsigned char *taken = calloc((size_t)x->nconfigs + 1, 1);
    if (!nc || !where || !taken) {
        free(nc), free(where), free(taken);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    for (int s = 0; s < n; s++) {
        int dup = -1;
        for (int i = 0; i < x->nconfigs && dup < 0; i++)
            if (!taken[i] && x->configs[i].family == seeds[s].family && x->configs[i].pipe == seeds[s].pipe &&
                !strcmp(x->configs[i].params_json, seeds[s].params_json))
                dup = i;
        for (int j = 0; j < k && dup < 0; j++)
            if (nc[j].family == seeds[s].family && nc[j].pipe == seeds[s].pipe &&
                !strcmp(nc[j].params_json, seeds[s].params_json))
                dup = -2;
        if (dup == -2) continue;
        if (dup >= 0) {
            taken[dup] = 1;
            where[dup] = k;
            nc[k++] = x->configs[dup];
        } else if (cmp_config_copy(&seeds[s], &nc[k])) {
            /* free the copies made so far; the originals stay in x */
            for (int j = 0; j < k; j++) {
                int orig = 0;
                for (int i = 0; i < x->nconfigs; i++) orig |= taken[i] && where[i] == j;
                if (!orig) cmp_config_clear(&nc[j]);
            }
            free(nc), free(where), free(taken);
            return ut_errf(e, MLG_NOMEM, "out of memory");
        } else {
            k++;
        }
    }
    x->strategy.nseeds = k;
    for (int i = 0; i < x->nconfigs; i++)
        if (!taken[i]) where[i] = k, nc[k++] = x->configs[i];
    for (int m = 0; m < x->strategy.bracket_start[x->strategy.nbrackets]; m++)
        x->strategy.members[m] = where[x->strategy.members[m]];
    free(x->configs);
    x->configs = nc;
    x->nconfigs = k;
    free(where);
    free(taken);
    return 0;
}
