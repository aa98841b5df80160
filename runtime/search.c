/* search.c — the strategy engine (see search.h). */
#include "search.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gp.h"
#include "../include/mileage.h"

#define NCAND 1500     /* random candidates per bayes step */
#define NLOCAL 300     /* perturbations of the best points per step */
#define MAX_FINITE_CAND 20000

typedef struct {
    int off;           /* first coordinate */
    int ncat;          /* categorical: one coordinate per value; 0: numeric */
} dim_code;

typedef struct {
    int cfg;
    double score;
} obs;

struct rt_search {
    cmp_explore *x;
    int kind, chunk;
    /* encoding */
    int d, fam_off, pipe_off;
    dim_code *code[64];
    /* batches */
    int *cur, ncur, capcur;
    int next_chunk;
    int bracket, rung_in_bracket, smax;
    int phase;          /* 0: first batch not asked yet */
    int done;
    obs *obs;
    int nobs, capobs;
    ut_rng rng;
    int *batch;
    int capbatch;
};

int rt_search_dims(const rt_search *s) { return s->d; }

static int build_codes(rt_search *s)
{
    cmp_explore *x = s->x;
    int d = 0;
    s->fam_off = x->nspace > 1 ? d : -1;
    if (x->nspace > 1) d += x->nspace;
    s->pipe_off = x->npipes > 1 ? d : -1;
    if (x->npipes > 1) d += x->npipes;
    for (int f = 0; f < x->nspace && f < 64; f++) {
        const cmp_famspace *fs = &x->space[f];
        s->code[f] = calloc((size_t)fs->ndims + 1, sizeof *s->code[f]);
        if (!s->code[f]) return -1;
        for (int j = 0; j < fs->ndims; j++) {
            const cmp_dim *dm = &fs->dims[j];
            dim_code *c = &s->code[f][j];
            c->off = -1;
            if (!dm->continuous && dm->vals.n <= 1) continue;  /* fixed: no coordinate */
            c->off = d;
            if (dm->spec->kind == RT_PARAM_STR) {
                c->ncat = dm->vals.n;
                d += dm->vals.n;
            } else {
                d += 1;
            }
        }
    }
    s->d = d;
    return 0;
}

static double scaled(const cmp_dim *dm, double v)
{
    double lo = dm->lo, hi = dm->hi;
    if (dm->log && lo > 0 && v > 0) lo = log10(lo), hi = log10(hi), v = log10(v);
    return hi > lo ? (v - lo) / (hi - lo) : 0.5;
}

static void encode_point(const rt_search *s, const cmp_point *pt, double *v)
{
    const cmp_explore *x = s->x;
    memset(v, 0, (size_t)s->d * sizeof *v);
    if (s->fam_off >= 0) v[s->fam_off + pt->fam] = 1;
    if (s->pipe_off >= 0) v[s->pipe_off + pt->pipe] = 1;
    const cmp_famspace *fs = &x->space[pt->fam];
    for (int j = 0; j < fs->ndims; j++) {
        const dim_code *c = &s->code[pt->fam][j];
        if (c->off < 0) continue;
        const cmp_dim *dm = &fs->dims[j];
        if (c->ncat) {
            for (int k = 0; k < dm->vals.n; k++)
                if (dm->vals.v[k].str && pt->v[j].str && !strcmp(dm->vals.v[k].str, pt->v[j].str)) v[c->off + k] = 1;
        } else {
            v[c->off] = scaled(dm, pt->v[j].num);
        }
    }
}

void rt_search_encode(const rt_search *s, const cmp_config *c, double *v)
{
    cmp_point pt;
    cmp_config_point(s->x, c, &pt);
    encode_point(s, &pt, v);
}

int rt_search_new(cmp_explore *x, int chunk, rt_search **out, ut_err *e)
{
    rt_search *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s) return ut_errf(e, MLG_NOMEM, "out of memory");
    s->x = x;
    s->kind = x->strategy.kind;
    s->chunk = chunk;
    ut_rng_seed(&s->rng, cmp_search_seed(x) ^ 0xba7e5ULL);
    if (build_codes(s)) {
        rt_search_free(s);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    if (s->kind == CMP_SEARCH_HALVING) s->smax = x->strategy.rungs - 1;
    if (s->kind == CMP_SEARCH_HYPERBAND) s->smax = x->strategy.nbrackets ? x->strategy.bracket_s[0] : 0;
    *out = s;
    return 0;
}

void rt_search_free(rt_search *s)
{
    if (!s) return;
    for (int f = 0; f < 64; f++) free(s->code[f]);
    free(s->cur);
    free(s->obs);
    free(s->batch);
    free(s);
}

static int set_batch(rt_search *s, rt_batch *b, const int *cfg, int n)
{
    if (n > s->capbatch) {
        int *nb = realloc(s->batch, (size_t)n * sizeof *nb);
        if (!nb) return -1;
        s->batch = nb;
        s->capbatch = n;
    }
    memcpy(s->batch, cfg, (size_t)n * sizeof *cfg);
    b->cfg = s->batch;
    b->n = n;
    return 0;
}

static int set_cur(rt_search *s, const int *cfg, int n)
{
    if (n > s->capcur) {
        int *nc = realloc(s->cur, (size_t)n * sizeof *nc);
        if (!nc) return -1;
        s->cur = nc;
        s->capcur = n;
    }
    memcpy(s->cur, cfg, (size_t)n * sizeof *cfg);
    s->ncur = n;
    return 0;
}

/* ---- bayes ---- */

static int is_evaluated(const rt_search *s, const double *v, const double *X, int n)
{
    for (int i = 0; i < n; i++) {
        double d = 0;
        for (int j = 0; j < s->d; j++) d += fabs(X[(size_t)i * s->d + j] - v[j]);
        if (d < 1e-9) return 1;
    }
    return 0;
}

/* Every point of a finite space (small enough), for exhaustive EI. */
static int finite_points(const rt_search *s, cmp_point **out, int *n)
{
    const cmp_explore *x = s->x;
    if (!x->finite || x->space_size > MAX_FINITE_CAND) return 0;
    cmp_point *p = malloc((size_t)x->space_size * sizeof *p + 1);
    if (!p) return -1;
    int k = 0;
    for (int f = 0; f < x->nspace; f++)
        for (int q = 0; q < x->npipes; q++) {
            const cmp_famspace *fs = &x->space[f];
            int pos[32] = {0};
            for (long long c = 0; c < fs->size && k < x->space_size; c++) {
                cmp_point *pt = &p[k++];
                memset(pt, 0, sizeof *pt);
                pt->fam = f, pt->pipe = q;
                for (int i = 0; i < fs->ndims; i++) {
                    const cmp_value *v = &fs->dims[i].vals.v[pos[i]];
                    pt->v[i].num = v->num;
                    pt->v[i].str = v->str ? v->str : fs->dims[i].spec->def_str;
                }
                for (int i = fs->ndims - 1; i >= 0; i--) {
                    if (++pos[i] < fs->dims[i].vals.n) break;
                    pos[i] = 0;
                }
            }
        }
    *out = p;
    *n = k;
    return 1;
}

/* A small move of a point: numeric coordinates by a Gaussian step in the
 * scaled space, choices re-drawn now and then. */
static void perturb(rt_search *s, cmp_point *pt)
{
    const cmp_famspace *fs = &s->x->space[pt->fam];
    for (int j = 0; j < fs->ndims; j++) {
        const cmp_dim *dm = &fs->dims[j];
        if (s->code[pt->fam][j].off < 0) continue;
        if (!dm->continuous) {
            if (ut_rng_uniform(&s->rng) < 0.3) {
                const cmp_value *v = &dm->vals.v[ut_rng_below(&s->rng, (uint64_t)dm->vals.n)];
                pt->v[j].num = v->num;
                pt->v[j].str = v->str ? v->str : dm->spec->def_str;
            }
            continue;
        }
        double u1 = ut_rng_uniform(&s->rng) + 1e-300, u2 = ut_rng_uniform(&s->rng);
        double z = sqrt(-2 * log(u1)) * cos(2 * M_PI * u2) * 0.1;
        int lg = dm->log && dm->lo > 0;
        double lo = lg ? log10(dm->lo) : dm->lo, hi = lg ? log10(dm->hi) : dm->hi;
        double t = (lg ? log10(pt->v[j].num) : pt->v[j].num) + z * (hi - lo);
        t = fmin(fmax(t, lo), hi);
        double v = lg ? pow(10.0, t) : t;
        if (dm->integer) v = fmin(fmax(round(v), ceil(dm->lo)), floor(dm->hi));
        else {
            char b[32];
            snprintf(b, sizeof b, "%.6g", v);
            v = fmin(fmax(strtod(b, NULL), dm->lo), dm->hi);
        }
        pt->v[j].num = v;
    }
}

/* The next configuration of bayes: the candidate of largest expected
 * improvement.  -1 error, else its index in x->configs. */
static int propose(rt_search *s, ut_err *e)
{
    cmp_explore *x = s->x;
    int n = 0, d = s->d, best_i = -1, rc = -1;
    double *X = malloc((size_t)(s->nobs + 1) * (d + 1) * sizeof *X);
    double *y = malloc((size_t)(s->nobs + 1) * sizeof *y);
    double *v = malloc((size_t)(d + 1) * sizeof *v);
    cmp_point *cand = NULL;
    int ncand = 0;
    rt_gp g;
    memset(&g, 0, sizeof g);
    if (!X || !y || !v) goto oom;
    double worst = INFINITY, best = -INFINITY;
    for (int i = 0; i < s->nobs; i++)
        if (isfinite(s->obs[i].score)) worst = fmin(worst, s->obs[i].score), best = fmax(best, s->obs[i].score);
    for (int i = 0; i < s->nobs; i++) {
        rt_search_encode(s, &x->configs[s->obs[i].cfg], X + (size_t)n * d);
        /* a failed configuration counts as the worst seen: the model
         * learns to stay away from it */
        y[n++] = isfinite(s->obs[i].score) ? s->obs[i].score : (isfinite(worst) ? worst : 0);
    }
    int fin = finite_points(s, &cand, &ncand);
    if (fin < 0) goto oom;
    if (!fin) {
        /* random candidates, plus moves around the best three seen */
        cand = malloc((size_t)(NCAND + NLOCAL) * sizeof *cand);
        if (!cand) goto oom;
        for (int i = 0; i < NCAND; i++) cmp_space_sample(x, &s->rng, &cand[ncand++]);
        int top[3] = {-1, -1, -1};
        for (int i = 0; i < s->nobs; i++)
            for (int k = 0; k < 3; k++) {
                if (!isfinite(s->obs[i].score)) break;
                if (top[k] < 0 || s->obs[i].score > s->obs[top[k]].score) {
                    for (int m = 2; m > k; m--) top[m] = top[m - 1];
                    top[k] = i;
                    break;
                }
            }
        for (int i = 0; i < NLOCAL; i++) {
            int t = top[i % 3];
            if (t < 0) continue;
            cmp_config_point(x, &x->configs[s->obs[t].cfg], &cand[ncand]);
            perturb(s, &cand[ncand++]);
        }
    }
    if (n >= 2 && d > 0 && rt_gp_fit_auto(&g, RT_GP_MATERN52, X, y, n, d, e)) goto done;
    double best_ei = -1;
    for (int i = 0; i < ncand; i++) {
        encode_point(s, &cand[i], v);
        if (is_evaluated(s, v, X, n)) continue;
        double ei;
        if (n >= 2 && d > 0) {
            double mu, var;
            rt_gp_predict(&g, v, &mu, &var);
            ei = rt_expected_improvement(mu, sqrt(var), best, 0.01 * g.ystd);
        } else {
            ei = 0;  /* nothing to model yet: the first new candidate */
        }
        if (ei > best_ei) best_ei = ei, best_i = i;
    }
    if (best_i < 0) {
        rc = -2;   /* every candidate evaluated: the space is exhausted */
        goto done;
    }
    cmp_config c;
    int idx;
    if (cmp_point_config(x, &cand[best_i], &c) || cmp_add_unique(x, &c, &idx)) goto oom;
    rc = idx;
    goto done;
oom:
    ut_errf(e, MLG_NOMEM, "out of memory");
done:
    rt_gp_clear(&g);
    free(X), free(y), free(v), free(cand);
    return rc;
}

/* ---- ask / tell ---- */

int rt_search_next(rt_search *s, rt_batch *b, ut_err *e)
{
    cmp_explore *x = s->x;
    cmp_search *st = &x->strategy;
    memset(b, 0, sizeof *b);
    b->frac = 1;
    if (s->done) return 0;
    switch (s->kind) {
    case CMP_SEARCH_GRID:
    case CMP_SEARCH_RANDOM: {
        int from = s->next_chunk, n = x->nconfigs - from;
        if (s->chunk > 0 && n > s->chunk) n = s->chunk;
        if (n <= 0) return s->done = 1, 0;
        int *idx = malloc((size_t)n * sizeof *idx);
        if (!idx) return ut_errf(e, MLG_NOMEM, "out of memory");
        for (int i = 0; i < n; i++) idx[i] = from + i;
        int rc = set_batch(s, b, idx, n);
        free(idx);
        if (rc) return ut_errf(e, MLG_NOMEM, "out of memory");
        s->next_chunk += n;
        return 1;
    }
    case CMP_SEARCH_HALVING:
    case CMP_SEARCH_HYPERBAND: {
        int nb = s->kind == CMP_SEARCH_HALVING ? 1 : st->nbrackets;
        if (s->phase == 0 || s->ncur == 0) {
            /* a bracket starts */
            if (s->phase && s->ncur == 0) s->bracket++, s->rung_in_bracket = 0;
            if (s->bracket >= nb) return s->done = 1, 0;
            int rc;
            if (s->kind == CMP_SEARCH_HALVING) {
                int *all = malloc((size_t)x->nconfigs * sizeof *all + 1);
                if (!all) return ut_errf(e, MLG_NOMEM, "out of memory");
                for (int i = 0; i < x->nconfigs; i++) all[i] = i;
                rc = set_cur(s, all, x->nconfigs);
                free(all);
            } else {
                int a = st->bracket_start[s->bracket], z = st->bracket_start[s->bracket + 1];
                rc = set_cur(s, st->members + a, z - a);
                /* seeds join the first bracket */
                for (int k = 0; !rc && s->bracket == 0 && k < st->nseeds; k++) {
                    int dup = 0;
                    for (int m = 0; m < s->ncur; m++) dup |= s->cur[m] == k;
                    if (dup) continue;
                    int *nc = realloc(s->cur, (size_t)(s->ncur + 1) * sizeof *nc);
                    if (!nc) rc = -1;
                    else s->cur = nc, s->cur[s->ncur++] = k, s->capcur = s->ncur;
                }
            }
            if (rc) return ut_errf(e, MLG_NOMEM, "out of memory");
            s->phase = 1;
        }
        int sb = s->kind == CMP_SEARCH_HALVING ? s->smax : st->bracket_s[s->bracket];
        int level = s->smax - sb + s->rung_in_bracket;
        if (set_batch(s, b, s->cur, s->ncur)) return ut_errf(e, MLG_NOMEM, "out of memory");
        b->rung = level;
        b->frac = pow(st->eta, level - s->smax);
        b->rows_cap = s->kind == CMP_SEARCH_HYPERBAND ? st->max_budget : 0;
        b->subsample = 1;
        return 1;
    }
    case CMP_SEARCH_BAYES: {
        if (s->phase == 0) {
            s->phase = 1;
            int *idx = malloc((size_t)x->nconfigs * sizeof *idx + 1);
            if (!idx) return ut_errf(e, MLG_NOMEM, "out of memory");
            for (int i = 0; i < x->nconfigs; i++) idx[i] = i;
            int rc = set_batch(s, b, idx, x->nconfigs);
            free(idx);
            if (rc) return ut_errf(e, MLG_NOMEM, "out of memory");
            return 1;
        }
        if (s->nobs >= st->n) return s->done = 1, 0;
        int idx = propose(s, e);
        if (idx == -2) return s->done = 1, 0;
        if (idx < 0) return -1;
        if (set_batch(s, b, &idx, 1)) return ut_errf(e, MLG_NOMEM, "out of memory");
        return 1;
    }
    default: return s->done = 1, 0;
    }
}

static const double *sort_scores;
static int by_score(const void *a, const void *b)
{
    double x = sort_scores[*(const int *)a], y = sort_scores[*(const int *)b];
    int xn = !isfinite(x), yn = !isfinite(y);
    if (xn != yn) return xn - yn;             /* failures last */
    if (!xn && x != y) return x > y ? -1 : 1; /* best first */
    return *(const int *)a - *(const int *)b; /* ties: the order written */
}

void rt_search_tell(rt_search *s, const rt_batch *b, const double *score)
{
    for (int i = 0; i < b->n; i++) {
        if (s->nobs == s->capobs) {
            int cap = s->capobs ? 2 * s->capobs : 32;
            obs *no = realloc(s->obs, (size_t)cap * sizeof *no);
            if (!no) break;
            s->obs = no, s->capobs = cap;
        }
        s->obs[s->nobs++] = (obs){b->cfg[i], score[i]};
    }
    if (s->kind != CMP_SEARCH_HALVING && s->kind != CMP_SEARCH_HYPERBAND) return;
    /* successive halving: the best 1/eta go on to eta times the rows */
    int sb = s->kind == CMP_SEARCH_HALVING ? s->smax : s->x->strategy.bracket_s[s->bracket];
    if (s->rung_in_bracket >= sb) {
        s->ncur = 0;   /* the bracket's last rung */
        return;
    }
    int n = b->n, *pos = malloc((size_t)n * sizeof *pos + 1);
    double *sc = malloc((size_t)n * sizeof *sc + 1);
    if (!pos || !sc) {
        free(pos), free(sc);
        s->ncur = 0;
        return;
    }
    for (int i = 0; i < n; i++) pos[i] = i, sc[i] = score[i];
    sort_scores = sc;
    qsort(pos, (size_t)n, sizeof *pos, by_score);
    int keep = (int)floor(n / s->x->strategy.eta);
    if (keep < 1) keep = 1;
    for (int i = 0; i < keep; i++) s->cur[i] = b->cfg[pos[i]];
    s->ncur = keep;
    s->rung_in_bracket++;
    free(pos), free(sc);
}
