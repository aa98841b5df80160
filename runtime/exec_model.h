/* exec_model.h — executors of the model statements (exec_model.c,
 * reproduce.c, pmml.c) and the pieces they share: an experiment's
 * statement compiled again from the catalog, and the provenance every
 * experiment records.  Memory: *msg, *out and malloc'd strings are the
 * caller's; rt_recompiled_free releases a recompiled experiment. */
#ifndef RT_EXEC_MODEL_H
#define RT_EXEC_MODEL_H

#include "exec.h"
#include "model_io.h"

typedef struct {
    ast *tree;
    cmp_stmt *cs;
    const cmp_explore *x;   /* cs->explore */
} rt_recompiled;

/* EXPERIMENT id's stored statement, parsed and compiled against the
 * current catalog, then every configuration its runs record that the
 * statement does not compile to now (bayes' proposals, WARM START seeds
 * chosen from results since changed) appended to x->configs, rebuilt from
 * the run's family and canonical JSON when the family is in USING and the
 * pipeline among the statement's; errors point at `at`. */
int  rt_experiment_compile(rt_ctx *c, long long id, const ast *at, rt_recompiled *rx, ut_err *e);
void rt_recompiled_free(rt_recompiled *rx);
/* Index of the configuration (family, canonical config JSON) in x, or -1. */
int  rt_config_index(const cmp_explore *x, const char *family, const char *params);

/* {"mileage_version","blas","dataset","dataset_version","dataset_hash","seed"} */
char *rt_provenance_json(rt_ctx *c, const cat_dataset *d, long long seed);
/* Stores it with a new experiment (EXPLORE calls this once). */
int  rt_record_provenance(rt_ctx *c, long long exp_id, const cmp_explore *x, ut_err *e);

/* A stored model, checked (size, checksum, version, every field). */
int  rt_model_load(rt_ctx *c, const ast *name, rt_pmodel **out, ut_err *e);

int  rt_exec_train(rt_ctx *c, const cmp_stmt *s, const char *statement, char **msg, ut_err *e);
int  rt_exec_predict_model(rt_ctx *c, const cmp_stmt *s, char **msg, ut_err *e);
int  rt_exec_drop_model(rt_ctx *c, const cmp_stmt *s, char **msg, ut_err *e);
int  rt_exec_export_model(rt_ctx *c, const cmp_stmt *s, char **msg, ut_err *e);
int  rt_exec_import_model(rt_ctx *c, const cmp_stmt *s, const char *statement, char **msg, ut_err *e);
/* REPRODUCE RUN n / EXPERIMENT n: one row per run, identical / different. */
int  rt_exec_reproduce(rt_ctx *c, const cmp_stmt *s, ut_result **out, char **msg, ut_err *e);

/* PMML 4.4 of a linear model or a tree (and the preprocessing PMML can
 * say: impute, onehot, standardize, minmax); NULL with e set otherwise. */
char *rt_pmml_export(const rt_pmodel *pm, const char *name, ut_err *e);

#endif
