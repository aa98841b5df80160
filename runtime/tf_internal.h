/* tf_internal.h — private to transform.c and tf_*.c: the working column set
 * a chain rewrites, column selection, and one entry point per transform.
 * Not for other callers; the public door is transform.h.
 *
 * The chain keeps its columns separately (column-major), so steps that
 * replace columns (onehot, bin, poly, pca, select_k, drop, keep) rebuild the
 * list of pointers without copying data.  Every statistic is computed on the
 * training rows s->train[0..ntrain) and applied to all s->n rows.
 *
 * Copy-on-write: a column's arrays may be shared with the table (a chain
 * starts from the table's own arrays) or with the saved states of
 * rt_tf_apply.  Reading is always fine; a transform that changes a column in
 * place calls tf_col_own first, which copies the arrays only when someone
 * else can see them.  New columns are built with plain malloc'd arrays. */
#ifndef RT_TF_INTERNAL_H
#define RT_TF_INTERNAL_H

#include "transform.h"
#include "../include/mileage.h"

typedef struct tf_share tf_share;

typedef struct {
    char   *name;     /* always the column's own */
    int     is_cat;
    double *x;        /* numeric: n values, NAN = missing */
    int    *code;     /* categorical: n codes, -1 = missing */
    char  **levels;   /* categorical: nlevels names (code order) */
    int     nlevels;
    tf_share *sh;     /* NULL: x/code/levels are the column's own; else they
                         belong to sh (shared, read-only until tf_col_own) */
} tf_col;

/* What a step learnt, kept for replay on other rows (TRAIN / PREDICT). */
enum { TF_REC_IMPUTE_NUM = 1, TF_REC_IMPUTE_CAT, TF_REC_ONEHOT, TF_REC_STANDARDIZE,
       TF_REC_MINMAX, TF_REC_BIN, TF_REC_PCA, TF_REC_SELECT_K };
typedef struct {
    int     op;      /* TF_REC_* */
    char   *col;     /* the column it was fitted on (NULL: several) */
    double *d;
    int     nd;
    char  **s;
    int     ns;
} tf_entry;
struct rt_tf_rec {
    tf_entry *e;
    int n, cap;
};
/* Recording or replaying: the chain carries one of these (NULL: neither). */
typedef struct {
    rt_tf_rec       *w;      /* recording into */
    const rt_tf_rec *r;      /* replaying from */
    int  pos;
    long unseen;             /* replay: categorical values unseen in training */
} tf_recorder;

typedef struct {
    tf_col *c;
    int     ncols, cap, n;
    const int *train;
    int     ntrain;
    const rt_table *t;   /* source table: select_k reads its target */
    int     target_col;  /* -1: none */
    tf_recorder *rec;    /* NULL unless recording / replaying */
} tf_set;

static inline int tf_replaying(const tf_set *s) { return s->rec && s->rec->r; }
static inline int tf_recording(const tf_set *s) { return s->rec && s->rec->w; }
/* Records an entry (a no-op unless recording); copies everything. */
int tf_rec_put(tf_set *s, int op, const char *col, const double *d, int nd, char *const *strs, int ns,
               ut_err *e);
/* Replay: the next entry, which must be op on column col (col NULL: any). */
const tf_entry *tf_rec_next(tf_set *s, int op, const char *col, ut_err *e);

int     tf_oom(ut_err *e);
/* Makes w's arrays its own (copied if shared) so they can be written. */
int     tf_col_own(tf_col *w, int n, ut_err *e);
void    tf_col_free(tf_col *w);
void    tf_set_free(tf_set *s);
/* Appends a zeroed column; NULL on OOM. */
tf_col *tf_set_add(tf_set *s);
/* Appends a numeric column named `name` with n uninitialised values. */
tf_col *tf_set_add_numeric(tf_set *s, const char *name, ut_err *e);
/* An empty set with s's rows and context. */
tf_set  tf_set_like(const tf_set *s);
int     tf_cmp_double(const void *a, const void *b);
/* Ascending sort of n doubles, none NaN. */
void    tf_sort_doubles(double *v, int n);

/* Marks in sel[0..ncols) the columns step st works on (see rt_selector).
 * need_num: the transform only takes numeric columns; then a categorical
 * column that is named, or caught by ALL or CATEGORICAL, is an error
 * naming it.  Returns how many are selected, or -1. */
int tf_select(const tf_set *s, const rt_tf_step *st, int need_num, char *sel, ut_err *e);

/* Removes the selected columns; the nblock columns of block (moved, block
 * itself stays the caller's) take the place of the first selected one. */
int tf_replace_block(tf_set *s, const char *sel, tf_col *block, int nblock, ut_err *e);

/* Replaces each selected column, in place, by the columns fn appends to
 * `out` (fn may read src and must not free it). */
typedef int (*tf_expand_fn)(tf_set *out, const tf_col *src, const tf_set *s,
                            const rt_tf_step *st, ut_err *e);
int tf_expand_each(tf_set *s, const char *sel, tf_expand_fn fn, const rt_tf_step *st, ut_err *e);

/* The transforms.  sel/nsel come from tf_select (nsel > 0). */
int tf_impute(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e);
int tf_onehot(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e);
int tf_standardize(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e);
/* StandardScaler's statistics of column x over s's training rows: m the
 * values seen (0: none), mean, and scale (1 for a constant column). */
void tf_standardize_fit(const tf_set *s, const double *x, int *m, double *mean, double *scale);
int tf_minmax(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e);
int tf_log1p(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e);
int tf_bin(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e);
int tf_poly(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e);
int tf_pca(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e);
int tf_select_k(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e);
int tf_drop(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e);
int tf_keep(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e);

/* ---- PCA, split so that one decomposition serves every k ----------------
 * Fit once on the training matrix, then project with the first k
 * components for any k <= ncomp: the projections with k are exactly (bit
 * for bit) the first k columns of those with a larger k, and a fit with
 * kmax gives bit for bit the first kmax components of a fit with a larger
 * kmax.  BLAS results depend on the shape of the call, so every product is
 * made in pieces whose shape does not depend on k: TF_PCA_ROWS rows by
 * TF_PCA_COMP components (comp is zero-padded to a multiple of it). */
#define TF_PCA_ROWS 256
#define TF_PCA_COMP 8
typedef struct {
    int     p;          /* input columns */
    int     ncomp;      /* components kept: min(kmax, p, ntrain) */
    double *mean;       /* p training means */
    double *comp;       /* ncomp x p, row j = component j (sklearn's components_),
                           then zero rows up to a multiple of TF_PCA_COMP */
    double *var;        /* ncomp explained variances (eigenvalue / (ntrain - 1)), descending */
} tf_pca_model;

/* X: ntrain x p row-major, overwritten (centred).  NaN counts as the mean.
 * kmax: the largest k that will be projected (0: all); fixing the signs
 * costs O(ntrain p kmax), so a plan sharing one fit passes its largest k. */
int  tf_pca_fit(double *X, int ntrain, int p, int kmax, tf_pca_model *m, ut_err *e);
/* Z (n x k) = (X - mean) * comp[0..k)^T; X (n x p) is overwritten (centred,
 * NaN → 0).  k <= m->ncomp. */
void tf_pca_project(const tf_pca_model *m, double *X, int n, int k, double *Z);
void tf_pca_free(tf_pca_model *m);

/* ---- univariate F-scores (select_k) ---------------------------------------
 * scores[j] for the nx columns x[j] (n values each, NaN = missing) over the
 * rows rows[0..nrows): f_classif with class codes y (cls[r] in [0,ncls) or
 * -1 = missing), f_regression with values yr (NaN = missing).  A column
 * that is constant over its usable rows scores NaN. */
int tf_f_classif(double *const *x, int nx, const int *cls, int ncls, const int *rows, int nrows,
                 double *scores, ut_err *e);
int tf_f_regression(double *const *x, int nx, const double *yr, const int *rows, int nrows,
                    double *scores, ut_err *e);

#endif
