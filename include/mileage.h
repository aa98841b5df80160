/* mileage.h — the one public header of libmileage.
 *
 * Shaped like sqlite3.h: open a catalog, prepare one statement at a time
 * (the tail pointer lets a script loop with no extra code), step through
 * its rows, finalize. Error codes are returned; the message is owned by the
 * handle and stays valid until the next call on it.
 *
 * Memory: strings returned by mlg_column_* and mlg_errmsg belong to the
 * library and are valid until the next mlg_step/mlg_finalize on the
 * statement (columns) or the next call on the handle (errmsg). */
#ifndef MILEAGE_H
#define MILEAGE_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(MLG_BUILDING) && defined(__GNUC__)
#define MLG_API __attribute__((visibility("default")))
#else
#define MLG_API
#endif

#define MLG_VERSION "0.1.0"

/* Result codes. */
#define MLG_OK         0
#define MLG_ERROR      1   /* generic failure                         */
#define MLG_SYNTAX     2   /* the text does not parse                 */
#define MLG_NAME       3   /* unknown or duplicate name               */
#define MLG_DATA       4   /* bad data file                           */
#define MLG_CATALOG    5   /* the catalog could not be read/written   */
#define MLG_NOMEM      6
#define MLG_INTERRUPT  7   /* stopped by mlg_interrupt                */
#define MLG_MISUSE     8   /* API used wrongly (NULL handle, ...)     */
#define MLG_NUMERIC    9   /* a numerical failure                     */
#define MLG_DENIED    10   /* refused: a write through SELECT, ...    */
#define MLG_ROW      100   /* mlg_step has a row ready                */
#define MLG_DONE     101   /* mlg_step has finished                   */

/* Column types. */
#define MLG_NULL     0
#define MLG_INTEGER  1
#define MLG_FLOAT    2
#define MLG_TEXT     3

typedef struct mlg_db mlg_db;
typedef struct mlg_stmt mlg_stmt;

/* Opens (creating if needed) the catalog at path; NULL or "" means
 * $MILEAGE_DB or else "mileage.db". On failure *db is still set when memory
 * allowed, so mlg_errmsg(*db) explains; close it with mlg_close. */
MLG_API int mlg_open(const char *catalog_path, mlg_db **db);
MLG_API int mlg_close(mlg_db *db);                      /* NULL-safe */

/* mlg_open with confinement for untrusted query text: when data_dir is not
 * NULL, CREATE DATASET may only name files inside that directory (relative
 * paths, no "..", no symbolic link leading out), and stored datasets
 * outside it are refused.  flags: 0 (reserved). */
MLG_API int mlg_open_v2(const char *catalog_path, mlg_db **db, int flags, const char *data_dir);

/* Resource limits (like sqlite3_limit): the value the host sets is a
 * ceiling; query text may lower a limit with SET but never raise it above
 * the ceiling.  0 = no limit.  Returns the previous value, or -1 for an
 * unknown id.  Reaching a limit stops the statement with MLG_DENIED. */
#define MLG_LIMIT_ROWS     0   /* data rows of a dataset; rows of a SELECT's result (max_rows) */
#define MLG_LIMIT_CONFIGS  1   /* configurations of one EXPLORE (max_configs)           */
#define MLG_LIMIT_SECONDS  2   /* seconds of one EXPLORE (finished runs stay) or SELECT (max_seconds) */
#define MLG_LIMIT_MEMORY   3   /* bytes of a dataset / estimated EXPLORE working set / SELECT result */
MLG_API long long mlg_limit(mlg_db *db, int id, long long value);

/* Compiles the first statement of text (n < 0: NUL-terminated). *tail is
 * set past it. An all-whitespace/comment text gives MLG_OK and *stmt = NULL. */
MLG_API int mlg_prepare(mlg_db *db, const char *text, int n,
                        mlg_stmt **stmt, const char **tail);
MLG_API int mlg_step(mlg_stmt *stmt);                   /* MLG_ROW, MLG_DONE or error */
MLG_API int mlg_reset(mlg_stmt *stmt);                  /* run again from the start   */
MLG_API int mlg_finalize(mlg_stmt *stmt);               /* NULL-safe */

MLG_API int         mlg_column_count(mlg_stmt *stmt);
MLG_API const char *mlg_column_name(mlg_stmt *stmt, int i);
MLG_API int         mlg_column_type(mlg_stmt *stmt, int i);
MLG_API double      mlg_column_double(mlg_stmt *stmt, int i);
MLG_API long long   mlg_column_int(mlg_stmt *stmt, int i);
MLG_API const char *mlg_column_text(mlg_stmt *stmt, int i); /* any type, formatted */
/* A one-line summary of what the statement did ("created dataset x: ..."),
 * or NULL; valid after mlg_step returned MLG_DONE. */
MLG_API const char *mlg_stmt_message(mlg_stmt *stmt);
/* The statement's source text, as written. */
MLG_API const char *mlg_sql(mlg_stmt *stmt);

/* Runs every statement of text; fn (may be NULL) is called per row with
 * column values as text. A non-zero return from fn stops with MLG_INTERRUPT. */
typedef int (*mlg_row_fn)(void *arg, int ncols, const char *const *values,
                          const char *const *names);
MLG_API int mlg_exec(mlg_db *db, const char *text, mlg_row_fn fn, void *arg);

/* Last error on the handle: message, byte offset into the text given to
 * mlg_prepare (-1 when none), and length of the offending token. */
MLG_API const char *mlg_errmsg(mlg_db *db);
MLG_API int         mlg_errcode(mlg_db *db);
MLG_API int         mlg_error_offset(mlg_db *db);
MLG_API int         mlg_error_length(mlg_db *db);

/* 1 when text ends a complete statement (or several), 0 when more input
 * is needed: used by the REPL to decide whether to prompt again. */
MLG_API int mlg_complete(const char *text);

/* Asks the running statement to stop at the next safe point. Async-signal
 * safe: it only sets a flag. */
MLG_API void mlg_interrupt(mlg_db *db);

/* Progress of long statements: called between runs. */
typedef void (*mlg_progress_fn)(void *arg, int done, int planned,
                                double best, double elapsed);
MLG_API void mlg_progress(mlg_db *db, mlg_progress_fn fn, void *arg);

MLG_API const char *mlg_libversion(void);

#ifdef __cplusplus
}
#endif
#endif
