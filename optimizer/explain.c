/* explain.c — plans as text: EXPLAIN rows and the copies stored with each
 * experiment.  Per-fold work is printed once with its multiplicity, so a
 * plan of 5 folds x 100 configs stays readable. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"
#include "../runtime/protocol.h"


static void protocol_text(ut_buf *b, const cmp_explore *x)
{
    rt_protocol p;
    ut_err e;
    char d[300] = "unknown protocol";
    if (!rt_protocol_parse(x->task.protocol_json, &p, &e)) rt_protocol_describe(&p, d, sizeof d);
    ut_buf_printf(b, "%s (%d round%s), seed %lld", d, x->task.nrounds, x->task.nrounds == 1 ? "" : "s", x->task.seed);
}

/* "logreg x7, ridge x10" */
static void family_counts(ut_buf *b, const cmp_explore *x)
{
    int count[RT_FAM__COUNT] = {0};
    for (int i = 0; i < x->nconfigs; i++) count[x->configs[i].family]++;
    int first = 1;
    for (int f = 0; f < RT_FAM__COUNT; f++) {
        if (!count[f]) continue;
        ut_buf_printf(b, "%s%s x%d", first ? "" : ", ", rt_families[f].name, count[f]);
        first = 0;
    }
}

static void line(ut_buf *b, int indent, const char *fmt, const char *s)
{
    for (int i = 0; i < indent; i++) ut_buf_puts(b, "  ");
    ut_buf_printf(b, fmt, s);
    ut_buf_putc(b, '\n');
}

char *opt_logical_text(const cmp_explore *x)
{
    ut_buf b, t;
    ut_buf_init(&b);
    ut_buf_init(&t);
    ut_buf_printf(&t, "RECORD experiment on task '%s', rank by %s", x->task.name, rt_metrics[x->metric].name);
    if (x->top) ut_buf_printf(&t, ", top %d", x->top);
    line(&b, 0, "%s", t.s);
    if (x->baseline) line(&b, 1, "%s", "BASELINE: the baseline family and the default portfolio, kept as the task's reference rows");
    if (x->intents_text) {
        line(&b, 1, "INTENT %s", x->intents_text);
        for (int i = 0; i < x->nnotes; i++) line(&b, 2, "%s", x->notes[i]);
    }
    t.len = 0;
    ut_buf_printf(&t, "EVALUATE %s on the test rows of each round", rt_metrics[x->metric].name);
    line(&b, 1, "%s", t.s);
    t.len = 0;
    ut_buf_printf(&t, "FIT %d configuration%s (", x->nconfigs, x->nconfigs == 1 ? "" : "s");
    family_counts(&t, x);
    ut_buf_printf(&t, "), search %s", x->search);
    const cmp_search *st = &x->strategy;
    if (st->budget_unit)
        ut_buf_printf(&t, ", budget %g %s", st->budget, st->budget_unit == CMP_BUDGET_SECONDS ? "seconds" : "runs");
    line(&b, 2, "%s", t.s);
    if (x->autopilot) line(&b, 3, "%s", x->autopilot);
    if (st->why) {
        t.len = 0;
        ut_buf_printf(&t, "SEARCH auto: %s", st->why);
        line(&b, 3, "%s", t.s);
    }
    if (x->warm) {
        line(&b, 3, "%s", x->warm);
        for (int i = 0; i < x->nwarm_notes; i++) {
            t.len = 0;
            ut_buf_printf(&t, "seed %d: %s", i + 1, x->warm_notes[i]);
            line(&b, 4, "%s", t.s);
        }
    }
    if (st->kind == CMP_SEARCH_HALVING) {
        /* successive halving's schedule: configurations and rows per rung */
        t.len = 0;
        ut_buf_puts(&t, "rungs:");
        double n = x->nconfigs;
        for (int i = 0; i < st->rungs; i++) {
            int k = st->rungs - 1 - i;
            ut_buf_printf(&t, "%s %.0f on %s", i ? "," : "", n, k ? "" : "all training rows");
            if (k) ut_buf_printf(&t, "1/%g of the training rows", pow(st->eta, k));
            n = floor(n / st->eta) < 1 ? 1 : floor(n / st->eta);
        }
        ut_buf_puts(&t, " (each rung keeps the best 1/eta)");
        line(&b, 3, "%s", t.s);
    } else if (st->kind == CMP_SEARCH_HYPERBAND) {
        t.len = 0;
        ut_buf_printf(&t, "brackets: %d (", st->nbrackets);
        for (int i = 0; i < st->nbrackets; i++)
            ut_buf_printf(&t, "%s%d configurations over %d rung%s", i ? ", " : "",
                          st->bracket_start[i + 1] - st->bracket_start[i], st->bracket_s[i] + 1,
                          st->bracket_s[i] ? "s" : "");
        ut_buf_puts(&t, ")");
        line(&b, 3, "%s", t.s);
    } else if (st->kind == CMP_SEARCH_BAYES && x->nconfigs < st->n) {
        t.len = 0;
        ut_buf_printf(&t, "then %d more, one at a time: a Gaussian process (Matern 5/2) of the scores, "
                      "the next configuration maximizes expected improvement", st->n - x->nconfigs);
        line(&b, 3, "%s", t.s);
    }
    for (int q = 0; q < x->npipes; q++) {
        t.len = 0;
        if (x->npipes > 1) ut_buf_printf(&t, "TRANSFORM pipeline %d: %s", q + 1, x->pipes[q].text);
        else ut_buf_printf(&t, "TRANSFORM %s", x->pipes[q].text);
        line(&b, 3, "%s", t.s);
    }
    t.len = 0;
    ut_buf_printf(&t, "SPLIT task '%s': ", x->task.name);
    protocol_text(&t, x);
    line(&b, 4, "%s", t.s);
    t.len = 0;
    ut_buf_printf(&t, "LOAD dataset '%s' (%d rows, %d columns), predict '%s'", x->dataset.name,
                  x->dataset.nrows, x->dataset.ncols, x->task.target);
    line(&b, 5, "%s", t.s);
    ut_buf_free(&t);
    return ut_buf_take(&b);
}

/* " (est 0.12 s, actual 0.10 s)" */
/* What the intermediate cache does with a node, by OPT_CACHE_*. */
static const char *const cache_word[] = {[OPT_CACHE_NONE] = "", [OPT_CACHE_REUSE] = "reuse",
                                         [OPT_CACHE_RECOMPUTE] = "recompute",
                                         [OPT_CACHE_MATERIALIZE] = "materialize", [OPT_CACHE_EXTEND] = "extend"};

/* Across queries, for the FIT nodes of family f that have a cache
 * decision (tree, forest and gbt groups: their fitted model; knn groups:
 * their neighbour lists): how many rounds reuse a stored model / lists,
 * extend one (a tree from the depth it was grown to, a forest from its
 * trees, gbt from its rounds), or fit and store it (rule 2's Gram blocks
 * have their decision on the STATS line). */
static void fit_cache_text(ut_buf *t, const cmp_explore *x, const opt_plan *p, rt_family f)
{
    if (!p->cache) return;
    int k[5] = {0}, from = -1, mixed = 0;
    for (int i = 0; i < p->n; i++) {
        const opt_node *n = &p->nodes[i];
        if (n->op != OPT_FIT || n->served || p->cache[i] < 1 || p->cache[i] > 4 ||
            x->configs[p->groups[n->group].configs[0]].family != f)
            continue;
        k[p->cache[i]]++;
        if (p->cache[i] == OPT_CACHE_EXTEND) {
            int d = p->cache_from ? p->cache_from[i] : 0;
            if (from >= 0 && d != from) mixed = 1;
            from = d;
        }
    }
    static const int order[] = {OPT_CACHE_REUSE, OPT_CACHE_EXTEND, OPT_CACHE_MATERIALIZE, OPT_CACHE_RECOMPUTE};
    /* the model kept: a tree, a forest (extended by trees) or a gbt model (by rounds); knn: its neighbour lists */
    const char *noun = f == RT_FAM_FOREST ? "forest" : f == RT_FAM_GBT ? "gbt" : f == RT_FAM_KNN ? "neighbours" : "tree";
    int first = 1;
    for (int j = 0; j < 4; j++) {
        int d = order[j];
        if (!k[d]) continue;
        ut_buf_printf(t, "%s%s", first ? "  [cache: " : ", ", cache_word[d]);
        if (d != OPT_CACHE_RECOMPUTE) ut_buf_printf(t, " %s", noun);
        if (d == OPT_CACHE_EXTEND && f == RT_FAM_TREE)
            ut_buf_printf(t, mixed ? " from a shallower depth" : " from depth %d", from);
        else if (d == OPT_CACHE_EXTEND && mixed)
            ut_buf_printf(t, " from fewer %s", f == RT_FAM_FOREST ? "trees" : "rounds");
        else if (d == OPT_CACHE_EXTEND)
            ut_buf_printf(t, " from %d %s", from, f == RT_FAM_FOREST ? "trees" : "rounds");
        ut_buf_printf(t, " x%d", k[d]);
        first = 0;
    }
    if (!first) ut_buf_putc(t, ']');
}

/* Across queries, every FIT node's outputs (runtime/cache_pred.h): rounds
 * whose predictions are read from the cache ("reuse predictions"),
 * predicted from stored models ("reuse models"), or fitted with the
 * predictions stored ("materialize predictions") or not ("recompute
 * predictions", said only beside another decision), and the rounds that
 * store models ("materialize models").  Joined to the family's own
 * bracket when fit_cache_text wrote one (from = its start). */
static void pred_cache_text(ut_buf *t, size_t from, const cmp_explore *x, const opt_plan *p, rt_family f)
{
    if (!p->pcache) return;
    int k[5] = {0}, models = 0;
    for (int i = 0; i < p->n; i++) {
        const opt_node *n = &p->nodes[i];
        if (n->op != OPT_FIT || n->served || p->pcache[i] < 1 || p->pcache[i] > 4 ||
            x->configs[p->groups[n->group].configs[0]].family != f)
            continue;
        k[p->pcache[i]]++;
        models += p->pmodels && p->pmodels[i] > 0;
    }
    if (!k[OPT_PCACHE_REUSE] && !k[OPT_PCACHE_MODELS] && !k[OPT_PCACHE_MATERIALIZE] && !models) return;
    static const int order[] = {OPT_PCACHE_REUSE, OPT_PCACHE_MODELS, OPT_PCACHE_MATERIALIZE};
    static const char *const word[] = {"", "reuse predictions", "reuse models", "materialize predictions",
                                       "recompute predictions"};
    int joined = t->len > from && t->s[t->len - 1] == ']';
    if (joined) t->len--;
    int first = !joined;
    for (int j = 0; j < 3; j++) {
        if (!k[order[j]]) continue;
        ut_buf_printf(t, "%s%s x%d", first ? "  [cache: " : ", ", word[order[j]], k[order[j]]);
        first = 0;
    }
    if (models) {
        ut_buf_printf(t, "%smaterialize models x%d", first ? "  [cache: " : ", ", models);
        first = 0;
    }
    if (k[OPT_PCACHE_RECOMPUTE]) ut_buf_printf(t, ", %s x%d", word[OPT_PCACHE_RECOMPUTE], k[OPT_PCACHE_RECOMPUTE]);
    ut_buf_putc(t, ']');
}

/* Reuse across queries: how many of a line's nodes (of pipeline pipe,
 * or whose group is of family fam; -1: any) are not run, and why. */
static void served_text(ut_buf *t, const cmp_explore *x, const opt_plan *p, opt_op op, int pipe, int fam, const char *why)
{
    if (!p->nserved) return;
    int n = 0, k = 0;
    for (int i = 0; i < p->n; i++) {
        const opt_node *nd = &p->nodes[i];
        if (nd->op != op || (pipe >= 0 && nd->pipe != pipe)) continue;
        if (fam >= 0 && (int)x->configs[p->groups[nd->group].configs[0]].family != fam) continue;
        n++;
        k += nd->served;
    }
    if (k == n && n) ut_buf_printf(t, "  [not run: %s]", why);
    else if (k) ut_buf_printf(t, "  [%d of %d not run: %s]", k, n, why);
}

static void cost_text(ut_buf *t, int hide, double est, const double *actual_sum)
{
    if (hide) return;
    ut_buf_printf(t, "  (est %.3g s", est);
    if (actual_sum) ut_buf_printf(t, ", actual %.3g s", *actual_sum);
    ut_buf_putc(t, ')');
}

/* Sharing rule 2's STATS nodes: the statistics, how many configurations
 * fit from them (every round), what the cache does with them. */
static void stats_lines(ut_buf *b, ut_buf *t, const opt_plan *p, const double *actual)
{
    static const char *const what[] = {"per-fold Gram blocks", "per-fold class statistics"};
    for (int i = 0; i < p->n; i++) {
        const opt_node *s = &p->nodes[i];
        if (s->op != OPT_STATS) continue;
        int kind = opt_stats_kind(p, s), users = 0;
        for (int g = 0; g < p->ngroups; g++)
            if (kind == OPT_STATS_GRAM ? p->groups[g].gram_folds : p->groups[g].nb_folds) users += p->groups[g].n;
        t->len = 0;
        ut_buf_printf(t, "STATS %s (once)  [shared by %d configuration%s in every round]", what[kind], users,
                      users == 1 ? "" : "s");
        if (p->cache && p->cache[i] > 0 && p->cache[i] < 4) ut_buf_printf(t, "  [cache: %s]", cache_word[p->cache[i]]);
        if (s->served) ut_buf_puts(t, "  [not run: its runs are in the repository]");
        cost_text(t, p->hide_costs, s->est_cost, actual ? &actual[i] : NULL);
        line(b, 1, "%s", t->s);
    }
}

char *opt_physical_text(const cmp_explore *x, const opt_plan *p, const double *actual)
{
    ut_buf b, t;
    ut_buf_init(&b);
    ut_buf_init(&t);
    int runs = p->nrounds * p->nconfigs;
    ut_buf_printf(&t, "sharing %s: %d round%s x %d configuration%s = %d run%s", p->sharing ? "on" : "off",
                  p->nrounds, p->nrounds == 1 ? "" : "s", p->nconfigs, p->nconfigs == 1 ? "" : "s", runs,
                  runs == 1 ? "" : "s");
    if (p->nserved) ut_buf_printf(&t, ", %d from the repository", p->nserved);
    line(&b, 0, "%s", t.s);
    /* sums of estimated and measured seconds per line of the text */
    double est_ls = 0, act_ls = 0, est_ev = 0, act_ev = 0, est_rec = 0, act_rec = 0;
    double *est_tf = calloc((size_t)x->npipes + 1, sizeof *est_tf), *act_tf = calloc((size_t)x->npipes + 1, sizeof *act_tf);
    double est_fit[RT_FAM__COUNT] = {0}, act_fit[RT_FAM__COUNT] = {0};
    int ntf = 0;
    for (int i = 0; est_tf && act_tf && i < p->n; i++) {
        const opt_node *n = &p->nodes[i];
        double a = actual ? actual[i] : 0;
        switch (n->op) {
        case OPT_TRANSFORM: est_tf[n->pipe] += n->est_cost, act_tf[n->pipe] += a, ntf++; break;
        case OPT_FIT: {
            rt_family f = x->configs[p->groups[n->group].configs[0]].family;
            est_fit[f] += n->est_cost, act_fit[f] += a;
            break;
        }
        case OPT_EVALUATE: est_ev += n->est_cost, act_ev += a; break;
        case OPT_RECORD: est_rec += n->est_cost, act_rec += a; break;
        case OPT_STATS: break;   /* a line each, below */
        default: est_ls += n->est_cost, act_ls += a; break;
        }
    }
    t.len = 0;
    ut_buf_puts(&t, "LOAD + SPLIT (once)");
    for (int i = 0; p->cache && i < p->n; i++)   /* the parsed data, across queries */
        if (p->nodes[i].op == OPT_LOAD && p->cache[i] > 0 && p->cache[i] < 4)
            ut_buf_printf(&t, "  [cache: %s the parsed data]", cache_word[p->cache[i]]);
    cost_text(&t, p->hide_costs, est_ls, actual ? &act_ls : NULL);
    line(&b, 1, "%s", t.s);
    stats_lines(&b, &t, p, actual);
    for (int q = 0; est_tf && act_tf && q < x->npipes; q++) {
        int users = 0;
        for (int c = 0; c < x->nconfigs; c++) users += x->configs[c].pipe == q;
        t.len = 0;
        ut_buf_printf(&t, "per round: TRANSFORM %s", x->pipes[q].text);
        if (p->sharing) ut_buf_printf(&t, "  [shared by %d configuration%s]", users, users == 1 ? "" : "s");
        else ut_buf_printf(&t, "  [one per configuration, x%d]", users);
        /* its fits take the training side from STATS (plan.c's plan_test_only) */
        int tfn = 0, tonly = 0;
        for (int i = 0; i < p->n; i++)
            if (p->nodes[i].op == OPT_TRANSFORM && p->nodes[i].pipe == q)
                tfn++, tonly += p->nodes[i].test_only;
        if (tfn && tonly == tfn) ut_buf_puts(&t, "  [the test rows only: its fits take the training rows from STATS]");
        /* a prefix computed for an earlier pipeline is continued, not redone */
        int best = 0, from = -1;
        for (int r = 0; p->sharing && r < q; r++) {
            int l = 0;
            while (l < x->pipes[q].nsteps && l < x->pipes[r].nsteps &&
                   !strcmp(x->pipes[q].steps[l].text, x->pipes[r].steps[l].text) &&
                   x->pipes[q].steps[l].implicit == x->pipes[r].steps[l].implicit)
                l++;
            if (l > best) best = l, from = r;
        }
        if (from >= 0) ut_buf_printf(&t, "  [continues pipeline %d after %d shared step%s]", from + 1, best, best == 1 ? "" : "s");
        if (p->pca_step && p->pca_step[q] >= 0) {
            int kk = p->pca_k[q];
            if (kk) ut_buf_printf(&t, "  [pca: the components of k = %d, computed once per round]", kk);
            else ut_buf_printf(&t, "  [pca: every component, computed once per round]");
        }
        if (p->cache) {
            /* across queries: the design of each round from the cache
             * (reuse), stored once computed (materialize), or neither */
            /* a pca(k) design served by a wider one of its family
             * (cache_from: its components): "reuse (first 10 of 40
             * components)", or stored as the first k of the widest of
             * the query: "materialize (as the first 10 of 40 components)" */
            int k[4] = {0}, from[4] = {0}, mixed[4] = {0};
            for (int i = 0; i < p->n; i++)
                if (p->nodes[i].op == OPT_TRANSFORM && !p->nodes[i].served && p->nodes[i].pipe == q && p->cache[i] < 4) {
                    int d = p->cache[i], f = p->cache_from ? p->cache_from[i] : 0;
                    if (k[d] && f != from[d]) mixed[d] = 1;
                    from[d] = f;
                    k[d]++;
                }
            static const int order[] = {OPT_CACHE_REUSE, OPT_CACHE_MATERIALIZE, OPT_CACHE_RECOMPUTE};
            const cmp_pipeline *pl = &x->pipes[q];
            int first = 1, pk = pl->nsteps ? pl->steps[pl->nsteps - 1].step.k : 0;
            for (int j = 0; j < 3; j++) {
                int d = order[j];
                if (!k[d]) continue;
                ut_buf_printf(&t, "%s%s", first ? "  [cache: " : ", ", cache_word[d]);
                if (mixed[d]) ut_buf_printf(&t, " (first %d of a wider pca design)", pk);
                else if (from[d] > 0)
                    ut_buf_printf(&t, d == OPT_CACHE_REUSE ? " (first %d of %d components)"
                                                           : " (as the first %d of %d components)", pk, from[d]);
                ut_buf_printf(&t, " x%d", k[d]);
                first = 0;
            }
            if (!first) ut_buf_putc(&t, ']');
        }
        served_text(&t, x, p, OPT_TRANSFORM, q, -1, "every run it feeds is in the repository");
        cost_text(&t, p->hide_costs, est_tf[q], actual ? &act_tf[q] : NULL);
        line(&b, 1, "%s", t.s);
    }
    /* per family: how many configurations, in how many fits */
    static const char *const how[RT_FAM__COUNT] = {
        [RT_FAM_RIDGE] = "one Gram matrix, one solve per alpha",
        [RT_FAM_KNN] = "one neighbour search with the largest k",
        [RT_FAM_TREE] = "one tree grown to the deepest cap",
        [RT_FAM_FOREST] = "one forest with the most trees, deepest cap",
        [RT_FAM_GBT] = "one model with the most rounds",
        [RT_FAM_LOGREG] = "Newton along the C path, warm-started",
        [RT_FAM_LINSVM] = "Newton along the C path, warm-started",
        [RT_FAM_LASSO] = "one centered copy of the columns, every configuration's coordinate descent on it",
        [RT_FAM_ELASTICNET] = "one centered copy of the columns, every configuration's coordinate descent on it",
        [RT_FAM_NB] = "one pass of class statistics, each smoothing applied to it",
    };
    for (int f = 0; f < RT_FAM__COUNT; f++) {
        int ncfg = 0, nfits = 0, shared = 0, alone = 0, batch = 0, gram = 0, other = 0, leaves = 0;
        for (int g = 0; g < p->ngroups; g++) {
            const opt_group *gr = &p->groups[g];
            if (x->configs[gr->configs[0]].family != (rt_family)f) continue;
            ncfg += gr->n;
            nfits++;
            shared += gr->shared;
            alone += gr->shared ? 0 : gr->n;
            batch |= gr->batch;
            other |= gr->shared && !gr->batch;
            gram |= gr->gram;
            if ((f == RT_FAM_TREE || f == RT_FAM_FOREST) && gr->shared && opt_leaf_sizes(x, gr, NULL, 0) > 1) leaves = 1;
        }
        if (!ncfg) continue;
        t.len = 0;
        ut_buf_printf(&t, "per round: FIT %s x%d", rt_families[f].name, ncfg);
        int gf = 0, nf = 0;
        for (int g = 0; g < p->ngroups; g++) {
            int mine = x->configs[p->groups[g].configs[0]].family == (rt_family)f;
            gf |= mine && p->groups[g].gram_folds;
            nf |= mine && p->groups[g].nb_folds;
        }
        /* its TRANSFORM makes the test rows alone: a declined round's
         * training rows are made for the fit (exec_explore.c) */
        int tonly = 0;
        for (int i = 0; i < p->n; i++)
            if (p->nodes[i].op == OPT_FIT && x->configs[p->groups[p->nodes[i].group].configs[0]].family == (rt_family)f &&
                p->nodes[i].input >= 0 && p->nodes[i].input < p->n)
                tonly |= p->nodes[p->nodes[i].input].test_only;
        if (gf && f == RT_FAM_LINREG)
            ut_buf_printf(&t, "  [Gram = total - fold block, solved by its eigendecomposition; the design's SVD%s in a"
                              " round where it is ill-conditioned]", tonly ? " (its training rows made then)" : "");
        else if (gf)
            ut_buf_printf(&t, "  [%d shared fit%s: Gram = total - fold block, one eigendecomposition for every alpha]",
                          nfits, nfits == 1 ? "" : "s");
        else if (nf)
            ut_buf_printf(&t, "  [%d shared fit%s: class statistics = total - fold block, each smoothing applied]",
                          nfits, nfits == 1 ? "" : "s");
        else if (shared)   /* and the configurations fitted alone beside them (linsvm hinge) */
            /* logreg: l2 side by side and an l1 path may both be there */
            ut_buf_printf(&t, "  [%d shared fit%s: %s%s%s%s]", shared, shared == 1 ? "" : "s",
                          batch  ? "L-BFGS side by side, one pair of GEMMs per evaluation round"
                          : gram   ? "one centered Gram matrix, every configuration's coordinate descent on it"
                          : leaves && f == RT_FAM_TREE
                              ? "one growth to the deepest cap for every min_samples_leaf, nodes shared until their "
                                "splits differ"
                          : leaves ? "the most trees at the deepest cap, each tree grown once for every "
                                     "min_samples_leaf, nodes shared until their splits differ"
                                   : how[f],
                          batch && other ? "; " : "", batch && other ? how[f] : "",
                          alone ? "; the others one fit each" : "");
        else if (ncfg > 1) ut_buf_printf(&t, "  [one fit each]");
        size_t before = t.len;
        fit_cache_text(&t, x, p, (rt_family)f);
        pred_cache_text(&t, before, x, p, (rt_family)f);
        served_text(&t, x, p, OPT_FIT, -1, f, "its runs are in the repository");
        cost_text(&t, p->hide_costs, est_fit[f], actual ? &act_fit[f] : NULL);
        line(&b, 1, "%s", t.s);
    }
    t.len = 0;
    ut_buf_printf(&t, "per round: EVALUATE x%d", p->nconfigs);
    served_text(&t, x, p, OPT_EVALUATE, -1, -1, "runs in the repository");
    cost_text(&t, p->hide_costs, est_ev, actual ? &act_ev : NULL);
    line(&b, 1, "%s", t.s);
    t.len = 0;
    ut_buf_puts(&t, "RECORD runs, rank configurations");
    cost_text(&t, p->hide_costs, est_rec, actual ? &act_rec : NULL);
    line(&b, 1, "%s", t.s);
    t.len = 0;
    ut_buf_printf(&t, "TRANSFORM nodes: %d, FIT nodes: %d", ntf, p->ngroups * p->nrounds);
    if (!p->hide_costs) {
        ut_buf_printf(&t, "; estimated total %.3g s", p->est_total);
        if (p->threads > 1) ut_buf_printf(&t, " of work on %d threads", p->threads);
    }
    line(&b, 1, "%s", t.s);
    if (p->nhist && !p->hide_costs) {
        t.len = 0;
        ut_buf_printf(&t, "fit costs of %d configuration%s from their measured past runs", p->nhist,
                      p->nhist == 1 ? "" : "s");
        line(&b, 1, "%s", t.s);
    }
    if (p->nmeasured && !p->hide_costs) {
        t.len = 0;
        ut_buf_printf(&t,
                      "%d other node%s (load, split, transform, stats, evaluate) costed from their measured times on "
                      "this data", p->nmeasured, p->nmeasured == 1 ? "" : "s");
        line(&b, 1, "%s", t.s);
    }
    free(est_tf);
    free(act_tf);
    ut_buf_free(&t);
    return ut_buf_take(&b);
}

static int add_lines(ut_result *r, const char *text, const char *prefix)
{
    const char *p = text;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        char *s = malloc(l + strlen(prefix) + 1);
        int row = s ? ut_result_add_row(r) : -1;
        if (row < 0) {
            free(s);
            return -1;
        }
        strcpy(s, prefix);
        strncat(s, p, l);
        ut_result_set_text(r, row, 0, s);
        free(s);
        p = nl ? nl + 1 : NULL;
    }
    return 0;
}

int opt_explain(const cmp_explore *x, const opt_plan *p, const double *actual, ut_result *r)
{
    char *lt = opt_logical_text(x), *pt = opt_physical_text(x, p, actual);
    int rc = -1;
    if (lt && pt) {
        int row = ut_result_add_row(r);
        if (row >= 0) {
            ut_result_set_text(r, row, 0, "Logical plan:");
            if (!add_lines(r, lt, "  ") && (row = ut_result_add_row(r)) >= 0) {
                ut_result_set_text(r, row, 0, actual ? "Physical plan (measured):" : "Physical plan:");
                rc = add_lines(r, pt, "  ");
            }
        }
    }
    free(lt);
    free(pt);
    return rc;
}
