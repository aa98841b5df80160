/* suggest.c — meta-learning from the catalog: configurations that did well
 * on the most similar other tasks (SUGGEST CONFIGS, WARM START, autopilot)
 * ordered as a greedy portfolio over those tasks, transforms that helped
 * there (SUGGEST PREPROCESS), and the default portfolio used when the
 * catalog has nothing to learn from.  Similarity is runtime/similar.c's
 * distance over the stored meta-features; this file turns neighbours into
 * configurations and maps them into an EXPLORE's space. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile.h"
#include "../runtime/similar.h"
#include "../util/json.h"
#include "../include/mileage.h"

/* ---- the default portfolio ----
 * Configurations that are rarely bad on small tabular data: a regularized
 * linear model, bagged and boosted trees, k-NN on standardized features,
 * a depth-capped tree, naive Bayes / lasso.  Used when no similar task has
 * results; the first ones are the most robust. */
typedef struct { const char *family, *params, *preprocess; } portfolio_item;
static const portfolio_item portfolio_cls[] = {
    {"logreg", "{\"C\":1}", "standardize"},
    {"forest", "{\"trees\":100}", "(none)"},
    {"gbt", "{\"learning_rate\":0.1,\"max_depth\":3,\"rounds\":100}", "(none)"},
    {"knn", "{\"k\":5}", "standardize"},
    {"tree", "{\"max_depth\":6}", "(none)"},
    {"nb", "{}", "(none)"},
    {"linsvm", "{\"C\":1}", "standardize"},
};
static const portfolio_item portfolio_reg[] = {
    {"ridge", "{\"alpha\":1}", "standardize"},
    {"forest", "{\"trees\":100}", "(none)"},
    {"gbt", "{\"learning_rate\":0.1,\"max_depth\":3,\"rounds\":100}", "(none)"},
    {"knn", "{\"k\":5}", "standardize"},
    {"lasso", "{\"alpha\":0.01}", "standardize"},
    {"tree", "{\"max_depth\":6}", "(none)"},
};

static int step_names(const char *text, char *out, size_t cap);

static void suggestion_clear(cmp_suggestion *s)
{
    free(s->params_json), free(s->params_text), free(s->preprocess);
    free(s->task), free(s->dataset), free(s->metric), free(s->why);
}

void cmp_suggestions_free(cmp_suggestion *s, int n)
{
    if (!s) return;
    for (int i = 0; i < n; i++) suggestion_clear(&s[i]);
    free(s);
}

/* "C=0.1, penalty=l1" from a params object: the values that differ from
 * the family's defaults ("defaults" when none); "preprocess" left out. */
static char *params_text(rt_family fam, const ut_json *j)
{
    const rt_param_spec *specs;
    int np = rt_family_params(fam, &specs);
    ut_buf b;
    ut_buf_init(&b);
    for (int i = 0; i < np; i++) {
        const ut_json *v = ut_json_get(j, specs[i].name);
        if (!v) continue;
        if (v->type == UT_J_STR) {
            if (specs[i].def_str && !strcmp(v->str, specs[i].def_str)) continue;
            ut_buf_printf(&b, "%s%s=%s", b.len ? ", " : "", specs[i].name, v->str);
        } else if (v->type == UT_J_NUM) {
            if (v->num == specs[i].def_num) continue;
            ut_buf_printf(&b, "%s%s=%g", b.len ? ", " : "", specs[i].name, v->num);
        }
    }
    if (!b.len) ut_buf_puts(&b, "defaults");
    return ut_buf_take(&b);
}

static int add_suggestion(cmp_suggestion **out, int *n, int *cap, cmp_suggestion *s)
{
    if (*n == *cap) {
        int nc = *cap ? 2 * *cap : 16;
        cmp_suggestion *ns = realloc(*out, (size_t)nc * sizeof *ns);
        if (!ns) return -1;
        *out = ns, *cap = nc;
    }
    (*out)[(*n)++] = *s;
    return 0;
}

static int portfolio(int regression, int limit, cmp_suggestion **out, int *n, ut_err *e)
{
    const portfolio_item *p = regression ? portfolio_reg : portfolio_cls;
    int np = regression ? (int)(sizeof portfolio_reg / sizeof *p) : (int)(sizeof portfolio_cls / sizeof *p), cap = 0;
    for (int i = 0; i < np && (!limit || *n < limit); i++) {
        cmp_suggestion s = {0};
        ut_json *j = NULL;
        ut_err pe;
        s.family = (rt_family)rt_family_lookup(p[i].family);
        s.score = s.distance = NAN;
        if (ut_json_parse(p[i].params, strlen(p[i].params), "portfolio", &j, &pe)) return ut_errf(e, MLG_ERROR, "%s", pe.msg);
        s.params_json = ut_strdup(p[i].params);
        s.params_text = params_text(s.family, j);
        s.preprocess = ut_strdup(p[i].preprocess);
        ut_buf w;
        ut_buf_init(&w);
        ut_buf_printf(&w, "default portfolio #%d", i + 1);
        s.why = ut_buf_take(&w);
        ut_json_free(j);
        if (!s.params_json || !s.params_text || !s.preprocess || !s.why || add_suggestion(out, n, &cap, &s)) {
            suggestion_clear(&s);
            return ut_errf(e, MLG_NOMEM, "out of memory");
        }
    }
    return 0;
}

/* One neighbour's ranked configurations. */
typedef struct {
    int row;
    double dist;
    cat_scored *sc;
    int nsc;
    int higher;
} neighbour;

static int metric_higher(const char *metric_list)
{
    char name[64];
    size_t l = strcspn(metric_list ? metric_list : "", ",");
    snprintf(name, sizeof name, "%.*s", (int)(l < 63 ? l : 63), metric_list ? metric_list : "");
    int m = rt_metric_lookup(name);
    return m < 0 ? 1 : rt_metrics[m].higher_is_better;
}

/* Greedy portfolio (as auto-sklearn 2.0 builds its portfolio): every
 * candidate's score on every neighbour, normalized to [0, 1] between that
 * task's worst and best configuration (0 where it never ran); then, one at
 * a time, the candidate that raises the weighted coverage — the sum over
 * neighbours of w_k times the best normalized score picked so far on k,
 * w_k = 1 / (1 + distance) — the most; ties, and every pick once each
 * neighbour is covered, by the weighted mean normalized score, then by the
 * round-robin order — except that every family gets its first pick before
 * any family its second: similar tasks often agree on one family, and five
 * variants of it would teach a surrogate nothing about the others (on
 * glass, five logreg seeds left bayes to find gbt in grid order).  Keeps
 * at most limit (0: all). */
static int greedy_order(const neighbour *nb, int nnb, cmp_suggestion **out, int *nout, int limit, ut_err *e)
{
    int n = *nout;
    double *r = calloc((size_t)n * nnb + 1, sizeof *r), *cov = calloc((size_t)nnb + 1, sizeof *cov);
    double *w = calloc((size_t)nnb + 1, sizeof *w), *mean = calloc((size_t)n + 1, sizeof *mean);
    unsigned char *used = calloc((size_t)n + 1, 1);
    cmp_suggestion *o = malloc((size_t)n * sizeof *o + 1);
    if (!r || !cov || !w || !mean || !used || !o) {
        free(r), free(cov), free(w), free(mean), free(used), free(o);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    double wsum = 0;
    for (int k = 0; k < nnb; k++) w[k] = 1 / (1 + (isfinite(nb[k].dist) ? nb[k].dist : 1e9)), wsum += w[k];
    for (int k = 0; k < nnb; k++) {
        const neighbour *g = &nb[k];
        if (!g->nsc) continue;
        double best = g->sc[0].score, worst = g->sc[g->nsc - 1].score;
        for (int q = 0; q < g->nsc; q++) {
            int fam = rt_family_lookup(g->sc[q].family);
            for (int c = 0; c < n; c++)
                if ((int)(*out)[c].family == fam && !strcmp((*out)[c].params_json, g->sc[q].params_json)) {
                    r[(size_t)c * nnb + k] = best != worst ? (g->sc[q].score - worst) / (best - worst) : 1;
                    break;
                }
        }
    }
    for (int c = 0; c < n; c++) {
        for (int k = 0; k < nnb; k++) mean[c] += w[k] * r[(size_t)c * nnb + k];
        mean[c] /= wsum > 0 ? wsum : 1;
    }
    int m = 0, keep = limit && limit < n ? limit : n;
    unsigned char famdone[RT_FAM__COUNT] = {0};
    while (m < keep) {
        int bi = -1;
        double bg = -1;
        /* every family's first pick before any family's second */
        int fresh = 0;
        for (int c = 0; c < n && !fresh; c++) fresh = !used[c] && !famdone[(*out)[c].family];
        for (int c = 0; c < n; c++) {
            if (used[c] || (fresh && famdone[(*out)[c].family])) continue;
            double gain = 0;
            for (int k = 0; k < nnb; k++) {
                double v = r[(size_t)c * nnb + k];
                if (v > cov[k]) gain += w[k] * (v - cov[k]);
            }
            if (bi < 0 || gain > bg + 1e-12 || (fabs(gain - bg) <= 1e-12 && mean[c] > mean[bi] + 1e-12))
                bi = c, bg = gain;
        }
        used[bi] = 1;
        famdone[(*out)[bi].family] = 1;
        for (int k = 0; k < nnb; k++) cov[k] = fmax(cov[k], r[(size_t)bi * nnb + k]);
        cmp_suggestion *s = &(*out)[bi];
        ut_buf b;
        ut_buf_init(&b);
        ut_buf_printf(&b, "%s; mean normalized score %.2f over the %d nearest task%s", s->why, mean[bi], nnb,
                      nnb == 1 ? "" : "s");
        char *why = ut_buf_take(&b);
        if (why) free(s->why), s->why = why;
        o[m++] = *s;
    }
    for (int c = 0; c < n; c++)
        if (!used[c]) suggestion_clear(&(*out)[c]);
    free(*out);
    *out = o;
    *nout = m;
    free(r), free(cov), free(w), free(mean), free(used);
    return 0;
}

static int suggest(cat_db *cat, const cat_task *t, int nsimilar, int limit, int dedupe, const unsigned char *fam_ok,
                   cmp_suggestion **out, int *nout, char **note, ut_err *e)
{
    *out = NULL;
    *nout = 0;
    *note = NULL;
    int regression = t->kind && !strcmp(t->kind, "regression");
    cat_meta_row *rows = NULL;
    int nrows = 0, rc = -1, target = -1, norder = 0;
    double *V = NULL, *Z = NULL, *dist = NULL;
    int *order = NULL;
    unsigned char *elig = NULL;
    neighbour *nb = NULL;
    int nnb = 0;
    ut_buf why;
    ut_buf_init(&why);
    if (cat_meta_rows(cat, &rows, &nrows, e)) return -1;
    V = malloc((size_t)(nrows + 1) * CAT_META_N * sizeof *V);
    Z = malloc((size_t)(nrows + 1) * CAT_META_N * sizeof *Z);
    dist = malloc((size_t)(nrows + 1) * sizeof *dist);
    order = malloc((size_t)(nrows + 1) * sizeof *order);
    elig = calloc((size_t)nrows + 1, 1);
    nb = calloc((size_t)nrows + 1, sizeof *nb);
    if (!V || !Z || !dist || !order || !elig || !nb) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto done;
    }
    /* z-scores across every task of the same kind that has meta-features */
    for (int i = 0; i < nrows; i++) {
        int same = rows[i].kind && !strcmp(rows[i].kind, t->kind ? t->kind : "");
        for (int j = 0; j < CAT_META_N; j++) V[(size_t)i * CAT_META_N + j] = same && rows[i].has_meta ? rows[i].v[j] : NAN;
        rt_meta_scale(V + (size_t)i * CAT_META_N, CAT_META_N);
        if (rows[i].task_id == t->id) target = i;
        /* another dataset, with results to learn from */
        elig[i] = same && rows[i].has_meta && rows[i].nresults > 0 && rows[i].dataset_id != t->dataset_id;
    }
    int ncand = 0;
    for (int i = 0; i < nrows; i++) ncand += elig[i] && i != target;
    if (target < 0 || !rows[target].has_meta || !ncand) {
        const char *reason =
            target >= 0 && !rows[target].has_meta
                ? "the task has no meta-features (it was created before this catalog kept them; create it again)"
                : regression ? "no other regression task on another dataset has results in the catalog"
                             : "no other classification task on another dataset has results in the catalog";
        ut_buf_printf(&why, "%s; the default portfolio follows", reason);
        *note = ut_buf_take(&why);
        if (!*note) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto done;
        }
        rc = portfolio(regression, limit, out, nout, e);
        goto done;
    }
    rt_meta_zscore(V, nrows, CAT_META_N, Z);
    rt_meta_rank(Z, nrows, CAT_META_N, target, elig, order, dist, &norder);
    if (nsimilar > 0 && norder > nsimilar) norder = nsimilar;
    for (int k = 0; k < norder; k++) {
        neighbour *g = &nb[nnb++];
        g->row = order[k];
        g->dist = dist[k];
        g->higher = metric_higher(rows[order[k]].metric);
        if (cat_task_scores(cat, rows[order[k]].task_id, g->higher, &g->sc, &g->nsc, e)) goto done;
    }
    /* round-robin: the best configuration of the nearest task, the best of
     * the next, ... then every task's second best, and so on (all of them
     * when deduplicating: the order is settled below) */
    int cap = 0, depth = 0, more = 1, lim = dedupe ? 0 : limit;
    while (more && (!lim || *nout < lim)) {
        more = 0;
        for (int k = 0; k < nnb && (!lim || *nout < lim); k++) {
            neighbour *g = &nb[k];
            if (depth >= g->nsc) continue;
            more = 1;
            cat_scored *c = &g->sc[depth];
            int fam = rt_family_lookup(c->family);
            if (fam < 0 || !(regression ? rt_families[fam].regression : rt_families[fam].classification)) continue;
            if (fam_ok && !fam_ok[fam]) continue;
            int dup = 0;
            for (int i = 0; dedupe && i < *nout && !dup; i++)
                dup = (int)(*out)[i].family == fam && !strcmp((*out)[i].params_json, c->params_json);
            if (dup) continue;
            ut_json *j = NULL;
            ut_err pe;
            if (ut_json_parse(c->params_json, strlen(c->params_json), "configuration", &j, &pe)) continue;
            const ut_json *pp = ut_json_get(j, "preprocess");
            const cat_meta_row *src = &rows[g->row];
            cmp_suggestion s = {0};
            s.family = (rt_family)fam;
            s.params_json = ut_strdup(c->params_json);
            s.params_text = params_text(s.family, j);
            s.preprocess = ut_strdup(pp && pp->type == UT_J_STR ? pp->str : "");
            s.task = ut_strdup(src->task);
            s.dataset = ut_strdup(src->dataset);
            size_t ml = strcspn(src->metric ? src->metric : "", ",");
            s.metric = ut_strndup(src->metric ? src->metric : "", ml);
            s.score = c->score;
            s.distance = g->dist;
            s.rank_there = depth + 1;
            s.n_there = g->nsc;
            int idx[3], nk = 0;
            rt_meta_closest_features(Z + (size_t)target * CAT_META_N, Z + (size_t)g->row * CAT_META_N, CAT_META_N, 3,
                                     idx, &nk);
            ut_buf w;
            ut_buf_init(&w);
            if (k == 0) ut_buf_printf(&w, "#%d of %d on %s, the most similar task (closest in ", depth + 1, g->nsc,
                                      src->task);
            else ut_buf_printf(&w, "#%d of %d on %s, the %d%s most similar task (closest in ", depth + 1, g->nsc,
                               src->task, k + 1, k == 1 ? "nd" : k == 2 ? "rd" : "th");
            for (int q = 0; q < nk; q++) ut_buf_printf(&w, "%s%s", q ? ", " : "", cat_meta_names[idx[q]]);
            ut_buf_puts(&w, ")");
            s.why = ut_buf_take(&w);
            ut_json_free(j);
            if (!s.params_json || !s.params_text || !s.preprocess || !s.task || !s.dataset || !s.metric || !s.why ||
                add_suggestion(out, nout, &cap, &s)) {
                suggestion_clear(&s);
                ut_errf(e, MLG_NOMEM, "out of memory");
                goto done;
            }
        }
        depth++;
    }
    if (dedupe && *nout > 1 && greedy_order(nb, nnb, out, nout, limit, e)) goto done;
    ut_buf_printf(&why, "learnt from the %d most similar of %d task%s with results on other datasets", nnb, ncand,
                  ncand == 1 ? "" : "s");
    *note = ut_buf_take(&why);
    rc = *note ? 0 : ut_errf(e, MLG_NOMEM, "out of memory");
done:
    if (rc) {
        cmp_suggestions_free(*out, *nout);
        *out = NULL;
        *nout = 0;
        free(*note);
        *note = NULL;
    }
    ut_buf_free(&why);
    for (int k = 0; k < nnb; k++) cat_scored_free(nb[k].sc, nb[k].nsc);
    free(nb), free(V), free(Z), free(dist), free(order), free(elig);
    cat_meta_rows_free(rows, nrows);
    return rc;
}

int cmp_suggest(cat_db *cat, const cat_task *t, int nsimilar, int limit, const unsigned char *families,
                cmp_suggestion **out, int *nout, char **note, ut_err *e)
{
    return suggest(cat, t, nsimilar, limit, 1, families, out, nout, note, e);
}

/* ---- SUGGEST PREPROCESS ---- */

/* Per transform (by name): on how many (similar task, family) pairs the
 * best configuration with it beat the best without it, and by how much. */
typedef struct {
    char name[64];
    int helped, hurt;
    double gain_sum;
    double best_gain;
    char example[300];
} tf_stat;

/* 1 when the pipeline text has a step named `name` (impute / onehot are
 * the data's needs, not choices, and are not counted). */
static int has_step(const char *pipe, const char *name)
{
    char names[512], key[70];
    step_names(pipe, names, sizeof names);
    snprintf(key, sizeof key, "%s;", name);
    for (const char *p = names; (p = strstr(p, key)); p++)
        if (p == names || p[-1] == ';') return 1;
    return 0;
}

int cmp_suggest_preprocess(cat_db *cat, const cat_task *t, int nsimilar, int limit, ut_result **res, char **note,
                           ut_err *e)
{
    static const char *const cols[] = {"rank", "transform", "helped", "hurt", "mean_gain", "example", "why"};
    cmp_suggestion *sg = NULL;
    int nsg = 0, rc = -1, ns = 0;
    tf_stat *st = NULL;
    *res = NULL;
    if (suggest(cat, t, nsimilar, 0, 0, NULL, &sg, &nsg, note, e)) return -1;
    ut_result *r = ut_result_new(7, cols);
    st = calloc((size_t)nsg * 8 + 1, sizeof *st);
    if (!r || !st) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto done;
    }
    if (!nsg || !sg[0].task) {
        /* nothing to compare: the documented default */
        int row = ut_result_add_row(r);
        if (row < 0) goto oom;
        ut_result_set_int(r, row, 0, 1);
        ut_result_set_text(r, row, 1, "standardize");
        ut_result_set_text(r, row, 6, "default: logreg, linsvm, knn, ridge and lasso depend on the features' scales; "
                                      "trees and naive Bayes are unaffected");
        rc = 0;
        goto done;
    }
    /* every transform name seen */
    for (int i = 0; i < nsg; i++) {
        char names[512];
        step_names(sg[i].preprocess, names, sizeof names);
        for (char *p = names, *q; *p; p = q + 1) {
            q = strchr(p, ';');
            *q = 0;
            int k = 0;
            while (k < ns && strcmp(st[k].name, p)) k++;
            if (k == ns && ns < nsg * 8) snprintf(st[ns++].name, sizeof st[0].name, "%.63s", p);
        }
    }
    /* each (task, family): best with vs best without */
    for (int k = 0; k < ns; k++)
        for (int i = 0; i < nsg; i++) {
            int first = 1;
            for (int j = 0; j < i && first; j++)
                first = !(sg[j].family == sg[i].family && !strcmp(sg[j].task, sg[i].task));
            if (!first) continue;
            int higher = metric_higher(sg[i].metric);
            double with = NAN, without = NAN;
            for (int j = i; j < nsg; j++) {
                if (sg[j].family != sg[i].family || strcmp(sg[j].task, sg[i].task)) continue;
                double *slot = has_step(sg[j].preprocess, st[k].name) ? &with : &without;
                if (isnan(*slot) || (higher ? sg[j].score > *slot : sg[j].score < *slot)) *slot = sg[j].score;
            }
            if (isnan(with) || isnan(without)) continue;
            double gain = higher ? with - without : without - with;
            if (gain > 0) st[k].helped++;
            else if (gain < 0) st[k].hurt++;
            st[k].gain_sum += gain;
            if (st[k].helped + st[k].hurt == 1 || gain > st[k].best_gain) {
                st[k].best_gain = gain;
                snprintf(st[k].example, sizeof st[k].example, "%s on %s: %s %.4g with, %.4g without",
                         rt_families[sg[i].family].name, sg[i].task, sg[i].metric, with, without);
            }
        }
    /* helped minus hurt, then mean gain */
    for (int a = 0; a < ns; a++)
        for (int b = a + 1; b < ns; b++) {
            int na = st[a].helped + st[a].hurt, nb2 = st[b].helped + st[b].hurt;
            double ka = st[a].helped - st[a].hurt, kb = st[b].helped - st[b].hurt;
            double ga = na ? st[a].gain_sum / na : -INFINITY, gb = nb2 ? st[b].gain_sum / nb2 : -INFINITY;
            if (kb > ka || (kb == ka && gb > ga)) {
                tf_stat tmp = st[a];
                st[a] = st[b];
                st[b] = tmp;
            }
        }
    int rank = 0;
    for (int k = 0; k < ns && (!limit || rank < limit); k++) {
        int n = st[k].helped + st[k].hurt;
        if (!n) continue;
        int row = ut_result_add_row(r);
        if (row < 0) goto oom;
        ut_result_set_int(r, row, 0, ++rank);
        ut_result_set_text(r, row, 1, st[k].name);
        ut_result_set_int(r, row, 2, st[k].helped);
        ut_result_set_int(r, row, 3, st[k].hurt);
        ut_result_set_float(r, row, 4, st[k].gain_sum / n);
        ut_result_set_text(r, row, 5, st[k].example);
        char why[200];
        snprintf(why, sizeof why, "%s the best score of the same family on %d of %d similar (task, family) pairs",
                 st[k].helped >= st[k].hurt ? "raised" : "lowered", st[k].helped >= st[k].hurt ? st[k].helped : st[k].hurt,
                 n);
        ut_result_set_text(r, row, 6, why);
    }
    if (!rank) {
        char *n2 = NULL;
        ut_buf b;
        ut_buf_init(&b);
        ut_buf_printf(&b, "%s; no transform was tried both with and without on the same family there", *note);
        n2 = ut_buf_take(&b);
        if (!n2) goto oom;
        free(*note);
        *note = n2;
    }
    rc = 0;
    goto done;
oom:
    ut_errf(e, MLG_NOMEM, "out of memory");
done:
    if (rc) {
        ut_result_free(r);
        free(*note);
        *note = NULL;
    } else {
        *res = r;
    }
    free(st);
    cmp_suggestions_free(sg, nsg);
    return rc;
}

/* ---- WARM START: suggestions mapped into an EXPLORE's space ---- */

/* The value of dimension d nearest to v: finite lists by |log| distance
 * when every value is positive (else absolute), strings by name (else
 * the first); intervals clamped, INT rounded. */
static void project_dim(const cmp_dim *d, const ut_json *v, rt_pval *out)
{
    const rt_param_spec *sp = d->spec;
    if (sp->kind == RT_PARAM_STR) {
        const char *want = v && v->type == UT_J_STR ? v->str : sp->def_str;
        out->str = d->vals.n ? (d->vals.v[0].str ? d->vals.v[0].str : sp->def_str) : sp->def_str;
        for (int k = 0; k < d->vals.n; k++)
            if (d->vals.v[k].str && want && !ut_strcasecmp(d->vals.v[k].str, want)) out->str = d->vals.v[k].str;
        return;
    }
    double x = v && v->type == UT_J_NUM ? v->num : sp->def_num;
    if (d->continuous) {
        x = fmin(fmax(x, d->lo), d->hi);
        if (d->integer) x = fmin(fmax(round(x), ceil(d->lo)), floor(d->hi));
        out->num = x;
        return;
    }
    int pos = x > 0;
    for (int k = 0; k < d->vals.n; k++) pos &= d->vals.v[k].num > 0;
    double best = INFINITY;
    out->num = d->vals.n ? d->vals.v[0].num : x;
    for (int k = 0; k < d->vals.n; k++) {
        double dd = pos ? fabs(log(d->vals.v[k].num) - log(x)) : fabs(d->vals.v[k].num - x);
        if (dd < best) best = dd, out->num = d->vals.v[k].num;
    }
}

/* The pipeline of x a suggestion's preprocessing maps to: the same text;
 * else the same steps by name (impute / onehot, which the compiler adds as
 * the data needs, ignored); else the first. */
static int step_names(const char *text, char *out, size_t cap)
{
    out[0] = 0;
    size_t o = 0;
    for (const char *p = text; p && *p;) {
        const char *end = strstr(p, " -> ");
        size_t l = end ? (size_t)(end - p) : strlen(p);
        size_t nl = strcspn(p, "( ");
        if (nl > l) nl = l;
        /* "(none)" and the data's own needs are no choice */
        if (nl && !((nl == 6 && !strncmp(p, "impute", 6)) || (nl == 6 && !strncmp(p, "onehot", 6))) && o + nl + 2 < cap) {
            memcpy(out + o, p, nl);
            o += nl;
            out[o++] = ';';
            out[o] = 0;
        }
        p = end ? end + 4 : NULL;
    }
    return 0;
}

static int map_pipe(const cmp_explore *x, const char *pre)
{
    for (int q = 0; q < x->npipes; q++)
        if (!strcmp(x->pipes[q].text, pre)) return q;
    char a[512], b[512];
    step_names(pre, a, sizeof a);
    for (int q = 0; q < x->npipes; q++) {
        step_names(x->pipes[q].text, b, sizeof b);
        if (!strcmp(a, b)) return q;
    }
    return 0;
}

int cmp_warm_start(cmp_explore *x, cat_db *cat, int nsimilar, ut_err *e)
{
    int want = nsimilar > 5 ? nsimilar : 5;
    /* bayes(n) evaluates n configurations in all, seeds included */
    if (x->strategy.kind == CMP_SEARCH_BAYES && x->strategy.n > 0 && want > x->strategy.n) want = x->strategy.n;
    cmp_suggestion *sg = NULL;
    int nsg = 0, dropped = 0, nseeds = 0, rc = -1;
    char *note = NULL;
    /* more than needed: some may fall outside USING or collapse onto one
     * point of the space */
    unsigned char fam_ok[RT_FAM__COUNT] = {0};
    for (int k = 0; k < x->nspace; k++) fam_ok[x->space[k].family] = 1;
    if (cmp_suggest(cat, &x->task, nsimilar, 4 * want, fam_ok, &sg, &nsg, &note, e)) return -1;
    cmp_config *seeds = calloc((size_t)nsg + 1, sizeof *seeds);
    char **notes = calloc((size_t)nsg + 1, sizeof *notes);
    if (!seeds || !notes) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto done;
    }
    for (int i = 0; i < nsg && nseeds < want; i++) {
        int f = -1;
        for (int k = 0; k < x->nspace && f < 0; k++)
            if (x->space[k].family == sg[i].family) f = k;
        if (f < 0) {
            dropped++;   /* not a family of USING */
            continue;
        }
        ut_json *j = NULL;
        ut_err pe;
        if (ut_json_parse(sg[i].params_json, strlen(sg[i].params_json), "configuration", &j, &pe)) continue;
        cmp_point pt;
        memset(&pt, 0, sizeof pt);
        pt.fam = f;
        pt.pipe = map_pipe(x, sg[i].preprocess);
        const cmp_famspace *fs = &x->space[f];
        for (int d = 0; d < fs->ndims && d < 32; d++) project_dim(&fs->dims[d], ut_json_get(j, fs->dims[d].spec->name), &pt.v[d]);
        cmp_config c;
        int bad = cmp_point_config(x, &pt, &c);
        ut_json_free(j);
        if (bad) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto done;
        }
        int dup = 0;
        for (int k = 0; k < nseeds && !dup; k++)
            dup = seeds[k].family == c.family && seeds[k].pipe == c.pipe && !strcmp(seeds[k].params_json, c.params_json);
        if (dup) {
            cmp_config_clear(&c);
            continue;
        }
        ut_buf b;
        ut_buf_init(&b);
        ut_buf_printf(&b, "%s(%s)", rt_families[c.family].name, c.params_text);
        if (x->npipes > 1) ut_buf_printf(&b, " on pipeline %d", c.pipe + 1);
        if (sg[i].task)
            ut_buf_printf(&b, " <- %s(%s)%s%s: %s %.4g on %s (dataset %s), distance %.3g", rt_families[sg[i].family].name,
                          sg[i].params_text, sg[i].preprocess[0] ? " after " : "", sg[i].preprocess, sg[i].metric,
                          sg[i].score, sg[i].task, sg[i].dataset, sg[i].distance);
        else
            ut_buf_printf(&b, " <- %s", sg[i].why);
        notes[nseeds] = ut_buf_take(&b);
        seeds[nseeds++] = c;
        if (!notes[nseeds - 1]) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto done;
        }
    }
    if (cmp_explore_add_seeds(x, seeds, nseeds, e)) goto done;
    /* bayes: good seeds replace the random initial design (a finite space
     * bayes enumerates whole is left as it is) */
    cmp_search *st = &x->strategy;
    if (st->kind == CMP_SEARCH_BAYES && st->nseeds >= 2 && !(x->finite && x->space_size <= st->n)) {
        for (int i = st->nseeds; i < x->nconfigs; i++) cmp_config_clear(&x->configs[i]);
        x->nconfigs = st->nseeds;
    }
    ut_buf w;
    ut_buf_init(&w);
    ut_buf_printf(&w, "WARM START: %d configuration%s evaluated first", st->nseeds, st->nseeds == 1 ? "" : "s");
    if (sg && nsg && sg[0].task) ut_buf_printf(&w, ", %s", note);
    else ut_buf_puts(&w, ", from the default portfolio (no similar task has results)");
    if (dropped) ut_buf_printf(&w, "; %d suggestion%s outside USING dropped", dropped, dropped == 1 ? "" : "s");
    ut_buf_puts(&w, "; parameters projected onto the space (nearest value, clamped to intervals)");
    if (st->kind == CMP_SEARCH_BAYES) ut_buf_puts(&w, "; they seed the surrogate");
    x->warm = ut_buf_take(&w);
    x->warm_notes = notes;
    x->nwarm_notes = nseeds;
    notes = NULL;
    rc = x->warm ? 0 : ut_errf(e, MLG_NOMEM, "out of memory");
done:
    for (int k = 0; k < nseeds; k++) cmp_config_clear(&seeds[k]);
    free(seeds);
    if (notes)
        for (int k = 0; k < nseeds; k++) free(notes[k]);
    free(notes);
    free(note);
    cmp_suggestions_free(sg, nsg);
    return rc;
}

/* ---- autopilot: EXPLORE task [BUDGET ...] without USING ---- */

/* Each family's default space: the ranges that matter, wide enough for
 * small and mid-sized tabular data. */
static const char *default_space(rt_family f)
{
    switch (f) {
    case RT_FAM_LOGREG: return "logreg(C IN [0.001, 1000] LOG)";
    case RT_FAM_LINSVM: return "linsvm(C IN [0.001, 1000] LOG)";
    case RT_FAM_RIDGE: return "ridge(alpha IN [0.001, 1000] LOG)";
    case RT_FAM_LASSO: return "lasso(alpha IN [0.0001, 10] LOG)";
    case RT_FAM_ELASTICNET: return "elasticnet(alpha IN [0.0001, 10] LOG, l1_ratio IN [0.05, 0.95])";
    case RT_FAM_KNN: return "knn(k IN [1, 50] INT, weights IN {uniform, distance})";
    case RT_FAM_TREE: return "tree(max_depth IN [1, 20] INT, min_samples_leaf IN [1, 20] INT)";
    case RT_FAM_FOREST: return "forest(trees = 100, max_features IN {0, 0.3, 0.6, 1}, min_samples_leaf IN [1, 10] INT)";
    case RT_FAM_GBT: return "gbt(rounds IN [50, 300] INT, learning_rate IN [0.01, 0.5] LOG, max_depth IN [1, 6] INT)";
    case RT_FAM_NB: return "nb(var_smoothing IN [1e-12, 0.001] LOG)";
    default: return NULL;
    }
}

int cmp_autopilot(cmp_explore *x, cat_db *cat, int have_pre, int have_search, int have_warm, ast **out, ut_err *e)
{
    *out = NULL;
    int regression = x->task.kind && !strcmp(x->task.kind, "regression");
    cmp_suggestion *sg = NULL;
    int nsg = 0, rc = -1;
    char *note = NULL;
    if (cmp_suggest(cat, &x->task, 3, 10, NULL, &sg, &nsg, &note, e)) return -1;
    int from_history = nsg && sg[0].task;
    /* families: those of the best configurations on the similar tasks, in
     * their order, topped up from the default portfolio to at least three */
    int fams[RT_FAM__COUNT], nf = 0;
    for (int i = 0; i < nsg; i++) {
        int dup = 0;
        for (int k = 0; k < nf; k++) dup |= fams[k] == (int)sg[i].family;
        if (!dup && default_space(sg[i].family)) fams[nf++] = sg[i].family;
    }
    int from_hist = nf;
    const portfolio_item *p = regression ? portfolio_reg : portfolio_cls;
    int np = regression ? (int)(sizeof portfolio_reg / sizeof *p) : (int)(sizeof portfolio_cls / sizeof *p);
    for (int i = 0; i < np && (nf < 3 || !from_history); i++) {
        int f = rt_family_lookup(p[i].family), dup = 0;
        for (int k = 0; k < nf; k++) dup |= fams[k] == f;
        if (!dup) fams[nf++] = f;
    }
    double rows = cmp_train_rows_estimate(x);
    int rounds = x->task.nrounds > 0 ? x->task.nrounds : 1;
    const cmp_search *st = &x->strategy;
    int n = st->budget_unit == CMP_BUDGET_RUNS ? (int)(st->budget / rounds) : st->budget_unit ? 100 : 30;
    if (n < 1) n = 1;
    if (n > 500) n = 500;
    ut_buf t, why;
    ut_buf_init(&t);
    ut_buf_init(&why);
    ut_buf_puts(&t, "EXPLORE t USING ");
    for (int k = 0; k < nf; k++) ut_buf_printf(&t, "%s%s", k ? ", " : "", default_space((rt_family)fams[k]));
    if (!have_pre) ut_buf_puts(&t, " PREPROCESS standardize");
    int hyper = rows >= 3000;
    if (!have_search) {
        if (hyper) ut_buf_puts(&t, " SEARCH hyperband");
        else ut_buf_printf(&t, " SEARCH bayes(%d)", n);
    }
    if (!have_warm) ut_buf_puts(&t, " WARM START");
    ut_buf_puts(&why, "autopilot: families ");
    for (int k = 0; k < nf; k++) ut_buf_printf(&why, "%s%s", k ? ", " : "", rt_families[fams[k]].name);
    if (from_history)
        ut_buf_printf(&why, " (%d from the best configurations, %s%s)", from_hist, note,
                      nf > from_hist ? ", the rest from the default portfolio" : "");
    else
        ut_buf_puts(&why, " (the default portfolio: no similar task has results)");
    ut_buf_puts(&why, "; each family's default ranges");
    if (!have_pre) ut_buf_puts(&why, "; PREPROCESS standardize (scale-sensitive families need it, trees ignore it)");
    if (!have_search) {
        if (hyper)
            ut_buf_printf(&why, "; SEARCH hyperband: about %.0f training rows, so weak configurations are dropped after "
                          "fits on row samples", rows);
        else
            ut_buf_printf(&why, "; SEARCH bayes(%d): %.0f training rows are cheap to fit, so each fit goes where the "
                          "surrogate expects improvement%s", n, rows,
                          st->budget_unit == CMP_BUDGET_RUNS ? " (the budget's runs / rounds)" : "");
    }
    if (!have_warm) ut_buf_printf(&why, "; WARM START from %s", from_history ? "the 3 most similar tasks" : "the default portfolio");
    ast *tree = NULL;
    if (t.oom || why.oom) {
        ut_errf(e, MLG_NOMEM, "out of memory");
    } else if (gr_parse(t.s, (int)t.len, 0, &tree, e)) {
        /* the text is ours: a failure here is a bug, reported as such */
        e->offset = -1;
        e->code = MLG_ERROR;
    } else {
        x->autopilot = ut_buf_take(&why);
        rc = x->autopilot ? 0 : ut_errf(e, MLG_NOMEM, "out of memory");
    }
    if (rc) ast_free(tree);
    else *out = tree;
    ut_buf_free(&t);
    ut_buf_free(&why);
    free(note);
    cmp_suggestions_free(sg, nsg);
    return rc;
}
