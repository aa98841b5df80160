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

/* Which columns a step applies to.  DEFAULT means the transform's own
 * default: impute → all, onehot → categorical, drop/keep → named, every
 * other transform → numeric.  Named columns are matched against the
 * columns present at that point of the chain (original names, or derived
 * names such as "purpose=car"), case-insensitively; an unknown name is an
 * error naming it.  A transform that takes numbers (all but impute, onehot,
 * drop, keep) fails on a categorical column that is named or caught by ALL
 * or CATEGORICAL; onehot of a numeric column treats each value as a level.
 * A step whose selection is empty does nothing.  onehot and bin expand each
 * column where it stands; poly and pca put their block of output columns
 * where the first selected column was. */
typedef enum { RT_SEL_DEFAULT = 0, RT_SEL_ALL, RT_SEL_NUMERIC, RT_SEL_CATEGORICAL,
               RT_SEL_NAMED } rt_selector;

typedef enum { RT_BIN_UNIFORM = 0, RT_BIN_QUANTILE = 1 } rt_bin_strategy;

typedef struct {
    rt_tf_kind kind;
    rt_impute_strategy strategy;  /* IMPUTE: numeric strategy; categorical
                                     columns always take the most frequent
                                     level (CONSTANT: a level "missing")    */
    double constant;              /* IMPUTE CONSTANT, numeric fill value      */
    int    max_levels;            /* ONEHOT: 0 = no limit; else the most frequent
                                     max_levels levels, the rest share one column */
    int    k;                     /* BIN: bins; PCA: components; SELECT_K: columns kept.
                                     0 = scikit-learn's default: 5 bins, every
                                     component, 10 columns.  PCA clamps k to the
                                     number of columns (and of training rows) */
    rt_bin_strategy bin_strategy; /* BIN */
    int    degree;                /* POLY: 0 = 2 (sklearn's default); 1..10 */
    rt_selector selector;
    char **columns;               /* RT_SEL_NAMED, DROP, KEEP: borrowed names */
    int    ncolumns;
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
 * NaNs mean-imputed, so the design is always complete and finite.
 * select_k reads the target (target_col) of the training rows: F-test of
 * ANOVA for a classification target, of correlation for regression
 * (scikit-learn's f_classif / f_regression); the task kind is
 * rt_target_kind of that column. */
int  rt_pipeline_run(const rt_table *t, int target_col, const rt_tf_step *steps,
                     int nsteps, const int *train, int ntrain, rt_design *out, ut_err *e);
void rt_design_free(rt_design *d);

/* ---- the chain in pieces, so pipelines can share a prefix ----------------
 * rt_pipeline_run(t, y, steps, n, train, ...) is exactly
 *     rt_tf_begin(t, y, &s0); rt_tf_apply(s0, steps, n, train, &s1);
 *     rt_tf_finish(s1, train, out);
 * and applying steps[0..k) then steps[k..n) from the saved state gives the
 * same design, bit for bit, as applying steps[0..n) at once.
 *
 * Memory: a state references the table (which must outlive it) and holds
 * its columns copy-on-write: columns no step has changed are the table's
 * own arrays, and a state made by rt_tf_apply shares with its input every
 * column the steps left alone (reference counts).  Each state is owned by
 * its caller and freed with rt_tf_state_free, in any order: freeing a state
 * never invalidates another.  States are immutable once made, so one state
 * may feed several rt_tf_apply / rt_tf_finish calls, also from several
 * threads (the counts are atomic).
 *
 * Folds: steps that learn from data (impute, onehot, standardize, minmax,
 * bin, pca, select_k) fix the training rows of the state they produce;
 * later rt_tf_apply / rt_tf_finish calls on it must pass the same rows, in
 * the same order, or fail — a state from one fold cannot leak into
 * another.  States made only of begin, log1p, poly, drop and keep carry no
 * rows and can serve every fold. */
typedef struct rt_tf_state rt_tf_state;   /* the working set of columns after some steps, for all rows of the table */

/* The feature columns of t (all but target_col) in table order, no step
 * applied; no data is copied.  *out: the caller's. */
int  rt_tf_begin(const rt_table *t, int target_col, rt_tf_state **out, ut_err *e);
/* Fits steps on the training rows train[0..ntrain) and applies them to all
 * rows of `in`, giving a new state *out (the caller's; NULL on error).
 * `in` is not changed and stays the caller's. */
int  rt_tf_apply(const rt_tf_state *in, const rt_tf_step *steps, int nsteps, const int *train,
                 int ntrain, rt_tf_state **out, ut_err *e);
/* The safety net (remaining categorical columns → onehot, numeric NaN →
 * training mean) and the dense design, as rt_pipeline_run produces it.  `s`
 * is not changed; *out is the caller's (rt_design_free), zeroed on error. */
int  rt_tf_finish(const rt_tf_state *s, const int *train, int ntrain, rt_design *out, ut_err *e);
/* rt_tf_finish for a state the caller gives up (freed here, also on
 * error): columns no other state holds give their memory back while the
 * design is filled, so the peak is about one copy of the data, not two.
 * The same design, bit for bit. */
int  rt_tf_finish_take(rt_tf_state *s, const int *train, int ntrain, rt_design *out, ut_err *e);
/* rt_tf_finish_take's design for rows[0..nrows) only, in that order: row i
 * of *out is the full design's row rows[i], bit for bit (the safety net
 * still fits on the training rows).  For a round whose fits need its test
 * rows alone (sharing rule 2's statistics serve the training side). */
int  rt_tf_finish_take_rows(rt_tf_state *s, const int *train, int ntrain, const int *rows, int nrows,
                            rt_design *out, ut_err *e);
/* The same design of rows[0..nrows) straight from the table, no working
 * columns made, for the chains sharing rule 2 allows: t's features all
 * numeric without a missing value (in the profile, and among the training
 * rows and the rows made), steps impute (a no-op then), onehot of
 * categorical columns (none) and at most one standardize of every numeric
 * column — bit for bit what begin / apply / rt_tf_finish_take_rows give
 * (the same statistics, the same expression per value).  1: the table or
 * the chain is not of that form (nothing made, *out zeroed), 0 done, -1
 * error (e set). */
int  rt_tf_scaled_rows(const rt_table *t, int target_col, const rt_tf_step *steps, int nsteps, const int *train,
                       int ntrain, const int *rows, int nrows, rt_design *out, ut_err *e);
void rt_tf_state_free(rt_tf_state *s);   /* NULL-safe */
/* 1 when the state has a column spelled exactly `name`. */
int  rt_tf_state_has_column(const rt_tf_state *s, const char *name);
/* Bytes of heap the state holds (column data, names, its own structures;
 * not the table).  A block shared by m states counts 1/m in each, so the
 * sum over the live states is what they hold together, whatever shares
 * what. */
size_t rt_tf_state_bytes(const rt_tf_state *s);
/* Bytes that rt_tf_state_free(s) would release now: what s shares with no
 * other live state. */
size_t rt_tf_state_bytes_unique(const rt_tf_state *s);

/* ---- fitted pipelines kept for later (TRAIN / PREDICT) -----------------
 * rt_tf_fit_record runs steps on the training rows exactly as
 * rt_pipeline_run does (same design, bit for bit) and records what every
 * step learnt (fill values, kept levels, means and scales, bin edges, PCA
 * components, selected columns) in *rec.  rt_tf_replay applies the same
 * steps to the rows of another table with the learnt values instead of
 * fitting: t must hold the training table's feature columns, same names,
 * order and types, and no target (rt_pmodel_align builds it).  Categorical
 * values no encoder saw in training get the encoder's rule (onehot: all
 * zeros, as scikit-learn's handle_unknown='ignore'; impute: the training
 * fill) and are counted in *unseen.
 * Memory: *rec is the caller's (rt_tf_rec_free); replay only reads it. */
typedef struct rt_tf_rec rt_tf_rec;
int  rt_tf_fit_record(const rt_table *t, int target_col, const rt_tf_step *steps, int nsteps,
                      const int *train, int ntrain, rt_design *out, rt_tf_rec **rec, ut_err *e);
int  rt_tf_replay(const rt_tf_rec *rec, const rt_table *t, const rt_tf_step *steps, int nsteps,
                  rt_design *out, long *unseen, ut_err *e);
void rt_tf_rec_free(rt_tf_rec *rec);   /* NULL-safe */

#endif
