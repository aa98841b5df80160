/* lineage.c — lineage hashes (lineage.h).  Each record names its kind and
 * its inputs' lineages first, so a change anywhere upstream changes every
 * lineage below it. */
#include <string.h>

#include "lineage.h"
#include "../include/mileage.h"
#include "../util/hash.h"

int rt_lineage_data(const cat_dataset *d, rt_lineage_hex out)
{
    ut_lineage l;
    ut_lineage_init(&l, "data");
    ut_lineage_str(&l, "mileage", MLG_VERSION);
    ut_lineage_str(&l, "hash", d->hash);
    ut_lineage_str(&l, "format", d->format);
    ut_lineage_str(&l, "options", d->options_json);
    ut_lineage_int(&l, "rows", d->nrows);
    ut_lineage_int(&l, "cols", d->ncols);
    return ut_lineage_hex(&l, out);
}

static void rows(ut_lineage *l, const char *name, const int *r, int n)
{
    /* the rows themselves, hashed apart: a split of 10^6 rows stays one
     * 8-byte field of the record */
    ut_lineage_int(l, name, n);
    ut_lineage_int(l, "xxh64", (long long)ut_xxh64(r, (size_t)n * sizeof *r, 0));
}

int rt_lineage_fold(const rt_lineage_hex data, const cat_task *t, int round, const int *train, int ntrain,
                    const int *test, int ntest, rt_lineage_hex out)
{
    ut_lineage l;
    ut_lineage_init(&l, "fold");
    ut_lineage_str(&l, "data", data);
    ut_lineage_str(&l, "protocol", t->protocol_json);
    ut_lineage_int(&l, "seed", t->seed);
    ut_lineage_str(&l, "folds", t->folds_hash);
    ut_lineage_int(&l, "round", round);
    rows(&l, "train", train, ntrain);
    rows(&l, "test", test, ntest);
    return ut_lineage_hex(&l, out);
}

/* The step's meaning: only the fields its kind reads, defaults filled in,
 * so bin() and bin(k = 5) are one lineage and stray fields never count. */
static void step_k(ut_lineage *l, const rt_tf_step *s, int with_k)
{
    ut_lineage_int(l, "step", s->kind);
    rt_selector sel = s->selector;
    if (sel == RT_SEL_DEFAULT)   /* the transform's own default, spelled out */
        sel = s->kind == RT_TF_IMPUTE                             ? RT_SEL_ALL
              : s->kind == RT_TF_ONEHOT                           ? RT_SEL_CATEGORICAL
              : s->kind == RT_TF_DROP || s->kind == RT_TF_KEEP ? RT_SEL_NAMED
                                                                  : RT_SEL_NUMERIC;
    ut_lineage_int(l, "selector", sel);
    switch (s->kind) {
    case RT_TF_IMPUTE:
        ut_lineage_int(l, "strategy", s->strategy);
        if (s->strategy == RT_IMPUTE_CONSTANT) ut_lineage_num(l, "constant", s->constant);
        break;
    case RT_TF_ONEHOT: ut_lineage_int(l, "max_levels", s->max_levels); break;
    case RT_TF_BIN:
        ut_lineage_int(l, "k", s->k ? s->k : 5);
        ut_lineage_int(l, "bin_strategy", s->bin_strategy);
        break;
    case RT_TF_POLY: ut_lineage_int(l, "degree", s->degree ? s->degree : 2); break;
    case RT_TF_PCA:
        if (with_k) ut_lineage_int(l, "k", s->k);
        break;
    case RT_TF_SELECT_K: ut_lineage_int(l, "k", s->k ? s->k : 10); break;
    default: break;
    }
    ut_lineage_int(l, "ncolumns", s->ncolumns);
    /* names match case-insensitively: one lineage for Age and age */
    for (int i = 0; i < s->ncolumns; i++) ut_lineage_name(l, "column", s->columns[i]);
}

static void step(ut_lineage *l, const rt_tf_step *s) { step_k(l, s, 1); }

int rt_lineage_steps(const rt_lineage_hex fold, const char *target, const char *kind, const rt_tf_step *steps,
                     int nsteps, int design, rt_lineage_hex out)
{
    ut_lineage l;
    ut_lineage_init(&l, design ? "design" : "fitted transform");
    ut_lineage_str(&l, "fold", fold);
    ut_lineage_str(&l, "target", target);
    ut_lineage_str(&l, "task kind", kind);
    ut_lineage_int(&l, "nsteps", nsteps);
    for (int i = 0; i < nsteps; i++) step(&l, &steps[i]);
    return ut_lineage_hex(&l, out);
}

int rt_lineage_design(const rt_lineage_hex fold, const char *target, const char *kind, const cmp_pipeline *pl,
                      rt_lineage_hex out)
{
    rt_tf_step st[64];
    int n = pl->nsteps < 64 ? pl->nsteps : 64;
    for (int i = 0; i < n; i++) st[i] = pl->steps[i].step;
    return rt_lineage_steps(fold, target, kind, st, n, 1, out);
}

int rt_lineage_design_family(const rt_lineage_hex fold, const char *target, const char *kind,
                             const cmp_pipeline *pl, rt_lineage_hex out)
{
    int n = pl->nsteps;
    if (n < 1 || n > 64 || pl->steps[n - 1].step.kind != RT_TF_PCA || pl->steps[n - 1].step.k <= 0) return 0;
    ut_lineage l;
    ut_lineage_init(&l, "pca family design");
    ut_lineage_str(&l, "fold", fold);
    ut_lineage_str(&l, "target", target);
    ut_lineage_str(&l, "task kind", kind);
    ut_lineage_int(&l, "nsteps", n);
    for (int i = 0; i < n; i++) step_k(&l, &pl->steps[i].step, i < n - 1);
    return ut_lineage_hex(&l, out) ? -1 : 1;
}

int rt_lineage_fit(const rt_lineage_hex design, const char *family, const char *params_json,
                   unsigned long long seed, rt_lineage_hex out)
{
    ut_lineage l;
    ut_lineage_init(&l, "fit");
    ut_lineage_str(&l, "design", design);
    ut_lineage_str(&l, "family", family);
    ut_lineage_str(&l, "params", params_json);
    ut_lineage_int(&l, "seed", (long long)seed);
    return ut_lineage_hex(&l, out);
}

int rt_lineage_gram_blocks(const rt_lineage_hex data, const cat_task *t, int nfolds, rt_lineage_hex out)
{
    ut_lineage l;
    ut_lineage_init(&l, "gram blocks");
    ut_lineage_str(&l, "data", data);
    ut_lineage_str(&l, "target", t->target);
    ut_lineage_str(&l, "task kind", t->kind);
    ut_lineage_str(&l, "protocol", t->protocol_json);
    ut_lineage_int(&l, "seed", t->seed);
    ut_lineage_str(&l, "folds", t->folds_hash);
    ut_lineage_int(&l, "nfolds", nfolds);
    return ut_lineage_hex(&l, out);
}

int rt_lineage_neighbors(const rt_lineage_hex design, const char *metric, rt_lineage_hex out)
{
    ut_lineage l;
    ut_lineage_init(&l, "neighbour lists");
    ut_lineage_str(&l, "design", design);
    ut_lineage_name(&l, "metric", metric ? metric : "euclidean");
    return ut_lineage_hex(&l, out);
}

/* The family's parameters as typed values: names compared as the runtime
 * compares them (case-insensitively), numbers with -0 equal to 0. */
static void config_params(ut_lineage *l, rt_family f, const rt_pval *pv)
{
    const rt_param_spec *specs;
    int np = rt_family_params(f, &specs);
    ut_lineage_int(l, "nparams", np);
    for (int i = 0; i < np; i++) {
        if (specs[i].kind == RT_PARAM_STR) ut_lineage_name(l, specs[i].name, pv[i].str);
        else ut_lineage_num(l, specs[i].name, pv[i].num);
    }
}

int rt_lineage_group_predictions(const rt_lineage_hex design, rt_family f, const rt_pval *const *params, int ncfg,
                                 int ntrain, int ntest, unsigned long long seed, int shared, int path,
                                 rt_lineage_hex out)
{
    ut_lineage l;
    ut_lineage_init(&l, "group predictions");
    ut_lineage_str(&l, "design", design);
    ut_lineage_str(&l, "family", rt_families[f].name);
    ut_lineage_int(&l, "configurations", ncfg);
    for (int c = 0; c < ncfg; c++) config_params(&l, f, params[c]);
    ut_lineage_int(&l, "train rows", ntrain);
    ut_lineage_int(&l, "test rows", ntest);
    ut_lineage_int(&l, "seed", (long long)seed);
    ut_lineage_int(&l, "shared", shared != 0);
    ut_lineage_int(&l, "path", path);
    return ut_lineage_hex(&l, out);
}

int rt_lineage_config_model(const rt_lineage_hex design, rt_family f, const rt_pval *params, int ntrain,
                            unsigned long long seed, const char *group, rt_lineage_hex out)
{
    ut_lineage l;
    ut_lineage_init(&l, "configuration model");
    ut_lineage_str(&l, "design", design);
    ut_lineage_str(&l, "family", rt_families[f].name);
    config_params(&l, f, params);
    ut_lineage_int(&l, "train rows", ntrain);
    ut_lineage_int(&l, "seed", (long long)seed);
    ut_lineage_str(&l, "group", group);
    return ut_lineage_hex(&l, out);
}
