/* table.h — an in-memory dataset: typed columns, per-column profile, and the
 * content hash that identifies the data.  Produced by the CSV and ARFF
 * readers; read-only afterwards.  Memory: rt_table_free frees everything. */
#ifndef RT_TABLE_H
#define RT_TABLE_H

#include <stdint.h>

#include "../util/util.h"

#define RT_CELL_NA UINT32_MAX

typedef enum { RT_NUMERIC = 0, RT_CATEGORICAL = 1 } rt_ctype;

typedef struct {
    char    *name;
    rt_ctype type;
    double  *num;        /* RT_NUMERIC: nrows values, NAN = missing            */
    int     *cat;        /* RT_CATEGORICAL: nrows level codes, -1 = missing    */
    char   **levels;     /* RT_CATEGORICAL: level strings, sorted by strcmp     */
    int      nlevels;
    /* profile, filled by the reader */
    long     missing;    /* number of missing cells                            */
    long     distinct;   /* distinct non-missing values                        */
    double   min, max, mean, std;  /* numeric only (std: sample, ddof=1); NAN otherwise */
    int      integral;   /* numeric: every non-missing value is an integer
                            (added for rt_target_kind, which has no nrows) */
} rt_column;

typedef struct {
    int        nrows, ncols;
    rt_column *cols;
    char       hash[65]; /* SHA-256 (hex) of the file bytes and reader options */
    char      *format;   /* "csv" or "arff" */
} rt_table;

typedef struct {
    int         header;      /* CSV: 1 = first record names the columns (default) */
    char        delimiter;   /* CSV: default ','                                  */
    const char *const *na;   /* extra strings read as missing; NULL = defaults    */
    int         nna;
    /* CSV: the type a column must have, by header name (PREDICT reads a file
     * as the model's training data was typed); returns an rt_spec_mode.
     * NULL: every column inferred. */
    int (*col_mode)(void *arg, const char *name);
    void *col_mode_arg;
} rt_read_opts;

void rt_read_opts_default(rt_read_opts *o);

/* Readers.  On a data error, e->msg reads "FILE:LINE: field N ('name'): what"
 * (or "FILE: what" for whole-file problems), e->code = MLG_DATA, return -1. */
int rt_read_csv(const char *path, const rt_read_opts *o, rt_table **out, ut_err *e);
int rt_read_arff(const char *path, const rt_read_opts *o, rt_table **out, ut_err *e);
/* Chooses the reader by extension (.arff → ARFF, else CSV). */
int rt_read_file(const char *path, const rt_read_opts *o, rt_table **out, ut_err *e);

void rt_table_free(rt_table *t);     /* NULL-safe */
int  rt_table_find(const rt_table *t, const char *name);   /* exact spelling first, then
                                       case-insensitive; -1 if none */

/* Target kind: classification for categorical columns and for numeric
 * columns whose values are all integers with at most 20 distinct values;
 * regression otherwise. */
typedef enum { RT_CLASSIFICATION = 0, RT_REGRESSION = 1 } rt_kind;
rt_kind rt_target_kind(const rt_column *c);

/* Class codes of a target column: out[i] in [0,nclasses) or -1 when missing.
 * Classes are the categorical levels, or the sorted distinct numeric values;
 * class_names (optional) receives nclasses strdup'd labels. */
int rt_target_classes(const rt_column *c, int nrows, int *out, int *nclasses,
                      char ***class_names, ut_err *e);

/* ---- Reader internals ------------------------------------------------------
 * Shared by csv.c and arff.c, implemented in table.c; not for other callers.
 * A reader splits the file into NUL-terminated cell strings (NULL = missing),
 * then rt_tbl_build types, encodes and profiles the columns. */
typedef enum { RT_SPEC_INFER = 0,   /* numeric if every value parses, else categorical */
               RT_SPEC_NUMERIC,     /* must parse: error otherwise                      */
               RT_SPEC_NOMINAL,     /* values must be among `values` (the levels)       */
               RT_SPEC_STRING       /* categorical, levels from the data                */
} rt_spec_mode;
typedef struct { rt_spec_mode mode; char **values; int nvalues; } rt_colspec;

typedef struct {
    const char *path, *format;   /* for messages / t->format                         */
    int nrows, ncols;
    char *const *names;          /* ncols names, copied                              */
    const rt_colspec *spec;      /* ncols specs, or NULL: infer every column         */
    char *const *cells;          /* nrows*ncols row-major; only read (or NULL:)      */
    /* the compact form (CSV): cell (r, j) is rowbase[r] + off[r*ncols + j],
     * RT_CELL_NA = missing; 4 bytes a cell instead of a pointer's 8, which
     * is most of the reader's memory beside the file itself */
    char *const *rowbase;
    const uint32_t *off;
    const int *lines;            /* nrows: physical line (1-based) where a row starts */
} rt_rawtable;

/* Builds *out (caller frees with rt_table_free); hash is copied. */
int  rt_tbl_build(const rt_rawtable *raw, const char *hash, rt_table **out, ut_err *e);
/* Whole file into *buf (malloc'd, NUL-terminated, caller frees); "PATH: ..."
 * errors, and "PATH:LINE: binary data (NUL byte)" when it holds a NUL. */
int  rt_tbl_read_all(const char *path, char **buf, size_t *len, ut_err *e);
/* SHA-256 hex of the bytes followed by a canonical form of the options. */
void rt_tbl_hash(const char *buf, size_t len, const rt_read_opts *o, char out[65]);
/* 1 when s (already trimmed) is one of the missing-value strings of o. */
int  rt_tbl_is_na(const char *s, const rt_read_opts *o);
/* The first j (column order) whose name equals an earlier one's, or -1;
 * -2 when out of memory.  O(n log n): a header may have tens of thousands
 * of columns. */
int  rt_first_duplicate(char *const *names, int n);

/* "PATH:LINE: field N ('name'): msg" with code MLG_DATA; field is 0-based,
 * name may be NULL (then the "('name')" part is left out).  Returns -1. */
int  rt_tbl_field_err(ut_err *e, const char *path, int line, int field,
                      const char *name, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif
