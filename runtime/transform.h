/* transform.h — preprocessing chains fitted on the training rows of a fold and
 * applied to every row, producing the dense design matrix the models use.
 * Memory: rt_design_free frees a design; the table is only read. */
#ifndef RT_TRANSFORM_H
#define RT_TRANSFORM_H

#include "table.h"

typedef enum {
#define X(e, name, desc) RT_TF_##e,
#include "transforms.def"
#undef X
    RT_TF__COUNT
} rt_tf_kind;

extern const char *const rt_tf_names[RT_TF__COUNT];

typedef enum { RT_IMPUTE_MEAN = 0, RT_IMPUTE_MEDIAN, RT_IMPUTE_MOST_FREQUENT,
               RT_IMPUTE_CONSTANT } rt_impute_strategy;

typedef struct {
    rt_tf_kind kind;
    rt_impute_strategy strategy;  /* IMPUTE: numeric strategy; categorical
                                     columns always take the most frequent
                                     level (CONSTANT: a level "missing")    */
    double constant;              /* IMPUTE CONSTANT, numeric fill value      */
    int    max_levels;            /* ONEHOT: 0 = no limit; else the most frequent
                                     max_levels levels, the rest share one column */
} rt_tf_step;

/* A dense design matrix, row-major: x[i * p + j]. */
typedef struct {
    int     n, p;
    double *x;
    char  **names;                /* p feature names ("age", "purpose=car") */
} rt_design;

/* Fits the chain on rows train[0..ntrain) of t (every column except
 * target_col is a feature), applies it to all t->nrows rows.  After the
 * chain, categorical columns that remain are one-hot encoded and numeric
 * NaNs mean-imputed, so the design is always complete and finite.  */
int  rt_pipeline_run(const rt_table *t, int target_col, const rt_tf_step *steps,
                     int nsteps, const int *train, int ntrain, rt_design *out, ut_err *e);
void rt_design_free(rt_design *d);

#endif
