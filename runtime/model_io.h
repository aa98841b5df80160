/* model_io.h — reading and writing fitted pipelines (transforms + model).
 *
 * One visitor, rt_mio, serves both directions: a family's or a transform
 * record's io function names each field once (rt_mio_int(io, "nout", ...))
 * and the same code writes JSON or reads it back, so the two cannot drift
 * apart.  Reading never trusts the input: every field must be present with
 * the declared type, integers inside their range, numbers finite (unless
 * the field says it may hold infinities), arrays exactly as long as the
 * shape the earlier fields declare.  The document format is
 * docs/model_format.md.
 *
 * Memory: rt_pmodel and everything it points to is owned by the model
 * (rt_pmodel_free).  Arrays a reader allocates are handed to the caller's
 * pointer even on error, so the caller's usual free path releases them. */
#ifndef RT_MODEL_IO_H
#define RT_MODEL_IO_H

#include "../util/json.h"
#include "model.h"
#include "table.h"
#include "transform.h"

#define RT_MODEL_FORMAT_VERSION 1

typedef struct rt_mio rt_mio;
struct rt_mio {
    int writing;
    ut_err *e;
    /* writer */
    ut_buf *out;
    int first[64], depth;
    char closer[64];      /* '}' or ']' per open level */
    /* reader */
    const ut_json *stack[64];
    int top;
    char path[256];       /* "model.trees[3]" for messages */
};

void rt_mio_writer(rt_mio *io, ut_buf *out, ut_err *e);
void rt_mio_reader(rt_mio *io, const ut_json *root, ut_err *e);

/* Scalars.  Reader: the key must be present and valid. */
int rt_mio_int(rt_mio *io, const char *key, int *v, long long lo, long long hi);
int rt_mio_num(rt_mio *io, const char *key, double *v);
int rt_mio_str(rt_mio *io, const char *key, char **v);   /* reader: malloc'd */
/* Arrays of exactly n values.  Reader: *v malloc'd (n may be 0).  flags:
 * RT_MIO_INF lets entries be "inf" / "-inf" strings (written that way). */
enum { RT_MIO_INF = 1 };
int rt_mio_dvec(rt_mio *io, const char *key, double **v, size_t n, int flags);
int rt_mio_ivec(rt_mio *io, const char *key, int **v, size_t n, long long lo, long long hi);
/* Array of strings; reader: *n set from the file, at most maxn. */
int rt_mio_svec(rt_mio *io, const char *key, char ***v, int *n, int maxn);
/* Reader: 1 when the key is present (writer: returns `present`). */
int rt_mio_has(rt_mio *io, const char *key, int present);
/* Nested object / array of objects.  rt_mio_list: writer writes *n items,
 * reader sets *n (at most maxn).  rt_mio_item enters item i. */
int rt_mio_enter(rt_mio *io, const char *key);
int rt_mio_list(rt_mio *io, const char *key, int *n, int maxn);
int rt_mio_item(rt_mio *io, int i);
void rt_mio_leave(rt_mio *io);
/* A reader's error at the current position: "model file: PATH: msg". */
int rt_mio_fail(rt_mio *io, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- fitted models ---- */
/* The fields of m (common ones and the family's own), validated on read
 * against p features and nclasses (m->family, p, nclasses set by caller). */
int rt_model_io(rt_mio *io, rt_model *m);
/* Families with state of their own (fam_*.c); the others keep everything
 * in the common fields. */
int rt_nb_io(rt_mio *io, rt_model *m);
int rt_knn_io(rt_mio *io, rt_model *m);
int rt_tree_io(rt_mio *io, rt_model *m);
int rt_forest_io(rt_mio *io, rt_model *m);
int rt_gbt_io(rt_mio *io, rt_model *m);

/* ---- a fitted pipeline ---- */
typedef struct {
    /* the input it expects: the training table's feature columns */
    char  **feat;            /* names, training order */
    int    *feat_cat;        /* 1 categorical, 0 numeric */
    int     nfeat;
    char   *target;
    rt_kind kind;
    char  **classes;         /* classification: class labels, code order */
    int     nclasses;
    /* preprocessing */
    rt_tf_step *steps;       /* columns owned (step_cols) */
    int     nsteps;
    char   *pipeline_text;
    rt_tf_rec *rec;          /* what the steps learnt */
    char  **design;          /* design column names */
    int     p;
    /* the model */
    rt_family family;
    rt_pval *params;         /* params.def order; str owned */
    int     nparams;
    rt_model *model;
    unsigned long long seed;
    int     ntrain;          /* rows it was fitted on */
    char   *lineage_json;    /* {"dataset":...,"task":...} verbatim (object text) */
} rt_pmodel;

void rt_pmodel_free(rt_pmodel *pm);   /* NULL-safe */

/* Fits steps + family on the rows of t whose target is present (all of
 * them), like EXPLORE fits one round.  Borrowed arguments are copied. */
int rt_pmodel_train(const rt_table *t, int target_col, rt_kind kind, const rt_tf_step *steps,
                    int nsteps, const char *pipeline_text, rt_family fam, const rt_pval *params,
                    unsigned long long seed, const char *lineage_json, rt_pmodel **out, ut_err *e);

/* Predicts the rows of t, whose columns must be feat[] in order and type
 * (rt_pmodel_align makes such a table).  pred[n]: class code or value;
 * proba[n x nclasses] (classification, may be NULL).  *unseen: categorical
 * values the encoders never saw in training. */
int rt_pmodel_predict(const rt_pmodel *pm, const rt_table *t, double *pred, double *proba,
                      long *unseen, ut_err *e);

/* PREDICT's input: rt_read_opts.col_mode for CSV (arg = the model), so
 * the file is typed as the training data was; then the model's columns in
 * its order, moved out of `in` (which keeps the others).  A missing column
 * or one of the wrong type is an error naming it (file names the file);
 * *extra lists the columns left out ("'a', 'b'", malloc'd) or is NULL. */
int rt_pmodel_col_mode(void *arg, const char *name);
int rt_pmodel_align(const rt_pmodel *pm, rt_table *in, const char *file, rt_table **out, char **extra, ut_err *e);

/* The document: JSON text (malloc'd) with format version, checksum of the
 * content, lineage, schema, pipeline and model. */
char *rt_pmodel_to_json(const rt_pmodel *pm, ut_err *e);
/* Parses and validates a document (what names it in messages). */
int rt_pmodel_from_json(const char *text, size_t n, const char *what, rt_pmodel **out, ut_err *e);
/* The content checksum of a document written by rt_pmodel_to_json (read
 * back from the text; 64 hex digits + NUL into out). */
int rt_pmodel_checksum(const char *text, size_t n, char out[65], ut_err *e);

/* ---- transform records (tf_record.c) ---- */
int  rt_tf_rec_io(rt_mio *io, rt_tf_rec **rec);
int  rt_tf_steps_io(rt_mio *io, rt_tf_step **steps, int *nsteps);
void rt_tf_steps_free(rt_tf_step *steps, int nsteps);

#endif
