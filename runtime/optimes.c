/* optimes.c — the measured seconds of the plan's operators other than FIT
 * (LOAD, SPLIT, TRANSFORM, STATS, EVALUATE): recorded after EXPLORE runs them,
 * looked up for the cost model before the next plan on the same data
 * (catalog mlg_op_times, keyed by the data's content hash).  FIT's history
 * is the runs' own fit_seconds (exec_explore.c's fit_history).
 *
 * What is recorded is what EXPLAIN ANALYZE shows: per node, the seconds
 * the executor measured; a TRANSFORM's by the way its design came
 * (computed, or loaded from the intermediate cache), and LOAD by the way
 * the table came (parsed, from the cache, or already in memory). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "optimes.h"
#include "cache.h"
#include "lineage.h"

static const char *const load_way[] = {"memory", "cache", "parse"};
static const char *const stats_kind[OPT_STATS__COUNT] = {"gram", "nb"};

/* "<way>:<pipeline>" ("" for no preprocessing), way 1..4 as ran[]. */
static void tf_detail(const cmp_explore *x, int q, int way, char *buf, size_t n)
{
    static const char *const name[] = {"", "compute", "cache", "store", "test"};
    const cmp_pipeline *pl = &x->pipes[q];
    snprintf(buf, n, "%s:%s", name[way], pl->nsteps ? pl->text : "");
}

/* How rt_load_dataset will bring the table: the same tests in its order. */
static int load_will(rt_ctx *c, const cat_dataset *d)
{
    if (rt_table_in_memory(c, d)) return RT_LOAD_MEMORY;
    rt_lineage_hex lin;
    if (rt_cache_active(c) && !rt_lineage_data(d, lin) && rt_cache_worth_loading(c, lin)) return RT_LOAD_CACHE;
    return RT_LOAD_PARSE;
}

double rt_parse_seconds(const cat_dataset *d)
{
    struct stat sb;
    double bytes = stat(d->path, &sb) == 0 ? (double)sb.st_size : (double)d->nrows * (d->ncols > 0 ? d->ncols : 1) * 8;
    return bytes * 3e-8;
}

static double lookup(rt_ctx *c, const char *hash, const char *op, const char *detail)
{
    long long rows = 0;
    double s = NAN;
    ut_err qe;
    ut_err_clear(&qe);
    if (cat_op_time_get(c->cat, hash, op, detail, &rows, &s, &qe) != 1) return NAN;
    return s;
}

void rt_op_times_lookup(rt_ctx *c, const cmp_explore *x, double *space, opt_op_times *ot)
{
    const char *hash = x->dataset.hash;
    int way = load_will(c, &x->dataset);
    memset(ot, 0, sizeof *ot);
    ot->known = 1;
    ot->load = lookup(c, hash, "load", load_way[way]);
    /* in memory it is free; from the cache, reading the table and hashing
     * the file (a seventh of a parse) */
    double cells = (double)x->dataset.nrows * (double)(x->dataset.ncols > 0 ? x->dataset.ncols : 1);
    double parse = rt_parse_seconds(&x->dataset);
    ot->load_formula = way == RT_LOAD_MEMORY ? 0
                       : way == RT_LOAD_CACHE ? rt_cache_load_seconds(c, (long long)(cells * 8)) + parse * 0.15
                                              : parse;
    ot->split = lookup(c, hash, "split", "");
    double *tf = space, *tfc = space + x->npipes, *tfs = space + 2 * x->npipes, *tft = space + 3 * x->npipes;
    double *ev = space + 4 * x->npipes;
    char detail[1100];
    for (int q = 0; q < x->npipes; q++) {
        tf_detail(x, q, 1, detail, sizeof detail);
        tf[q] = lookup(c, hash, "transform", detail);
        tf_detail(x, q, 2, detail, sizeof detail);
        tfc[q] = lookup(c, hash, "transform", detail);
        tf_detail(x, q, 3, detail, sizeof detail);
        tfs[q] = lookup(c, hash, "transform", detail);
        tf_detail(x, q, 4, detail, sizeof detail);
        tft[q] = lookup(c, hash, "transform", detail);
    }
    for (int f = 0; f < RT_FAM__COUNT; f++) ev[f] = NAN;
    for (int i = 0; i < x->nconfigs; i++) {
        rt_family f = x->configs[i].family;
        if (isnan(ev[f])) ev[f] = lookup(c, hash, "evaluate", rt_families[f].name);
    }
    for (int k = 0; k < OPT_STATS__COUNT; k++) ot->stats[k] = lookup(c, hash, "stats", stats_kind[k]);
    ot->tf = tf;
    ot->tf_cache = tfc;
    ot->tf_store = tfs;
    ot->tf_test = tft;
    ot->evaluate = ev;
}

/* Appends one measurement; out of memory drops it (it only costs the next
 * estimate its accuracy). */
static void add(rt_op_times *t, const char *op, const char *detail, long long rows, double s)
{
    if (!(s >= 0) || !isfinite(s)) return;
    if (t->n == t->cap) {
        int nc = t->cap ? 2 * t->cap : 16;
        rt_op_time *v = realloc(t->v, (size_t)nc * sizeof *v);
        if (!v) return;
        t->v = v;
        t->cap = nc;
    }
    rt_op_time *o = &t->v[t->n];
    snprintf(o->op, sizeof o->op, "%s", op);
    if (!(o->detail = ut_strdup(detail))) return;
    o->rows = rows;
    o->seconds = s;
    t->n++;
}

void rt_op_times_add_load(rt_op_times *t, const cmp_explore *x, int way, double load_s, double split_s)
{
    if (way < 0 || way > RT_LOAD_PARSE) return;
    add(t, "load", load_way[way], x->dataset.nrows, load_s);
    add(t, "split", "", x->dataset.nrows, split_s);
}

void rt_op_times_add_plan(rt_op_times *t, const cmp_explore *x, const opt_plan *p, const double *actual,
                          const unsigned char *ran)
{
    char detail[1100];
    /* TRANSFORM: the mean node of each pipeline, per way (1 computed, 2
     * from the cache, 3 computed and stored, 4 the test rows alone) */
    for (int q = 0; q < x->npipes; q++)
        for (int way = 1; way <= 4; way++) {
            double sum = 0;
            int n = 0;
            for (int i = 0; i < p->n; i++)
                if (p->nodes[i].op == OPT_TRANSFORM && p->nodes[i].pipe == q && ran[i] == way)
                    sum += actual[i], n++;
            if (!n) continue;
            tf_detail(x, q, way, detail, sizeof detail);
            add(t, "transform", detail, x->dataset.nrows, sum / n);
        }
    /* STATS computed (read from the cache, it costs the reading) */
    for (int i = 0; i < p->n; i++)
        if (p->nodes[i].op == OPT_STATS && ran[i] == 1)
            add(t, "stats", stats_kind[opt_stats_kind(p, &p->nodes[i])], x->dataset.nrows, actual[i]);
    /* EVALUATE: the mean node of each family */
    for (int f = 0; f < RT_FAM__COUNT; f++) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < p->n; i++)
            if (p->nodes[i].op == OPT_EVALUATE && ran[i] && x->configs[p->nodes[i].config].family == (rt_family)f)
                sum += actual[i], n++;
        if (n) add(t, "evaluate", rt_families[f].name, x->dataset.nrows, sum / n);
    }
}

void rt_op_times_flush(rt_ctx *c, const cmp_explore *x, rt_op_times *t)
{
    ut_err qe;
    ut_err_clear(&qe);
    /* one transaction, after the statement's own rows: on a full disk the
     * runs were kept and only these are lost */
    if (t->n && !cat_is_readonly(c->cat) && cat_begin(c->cat, &qe) == 0) {
        int rc = 0;
        for (int i = 0; i < t->n && !rc; i++)
            rc = cat_op_time_put(c->cat, x->dataset.hash, t->v[i].op, t->v[i].detail, t->v[i].rows,
                                 t->v[i].seconds, &qe);
        if (rc || cat_commit(c->cat, &qe)) cat_rollback(c->cat);
    }
    for (int i = 0; i < t->n; i++) free(t->v[i].detail);
    free(t->v);
    memset(t, 0, sizeof *t);
}
