/* cli.h — the mileage command-line program: output formatting, error
 * display, batch runner and REPL.  Uses only the public mileage.h. */
#ifndef CLI_H
#define CLI_H

#include <stdio.h>
#include "mileage.h"

typedef enum { OUT_TABLE, OUT_CSV, OUT_JSON } out_mode;

typedef struct {
    mlg_db  *db;
    out_mode mode;
    int      timer;
    int      tty_progress;   /* stderr is a terminal */
} cli_state;

/* Prints the statement's rows (already stepped once: first_rc is the first
 * mlg_step result) in the chosen mode, then its message.  Returns the
 * final step code (MLG_DONE or an error). */
int  cli_print_result(cli_state *st, mlg_stmt *s, int first_rc, FILE *out);
/* "SRC:L:C: error: msg" + the source line + a caret underline. */
void cli_print_error(mlg_db *db, const char *src_name, const char *text, int stmt_off, FILE *err);

/* Runs every statement of text; stops at the first error (returns 1). */
int  cli_run_text(cli_state *st, const char *src_name, const char *text);
int  cli_run_file(cli_state *st, const char *path);
int  cli_repl(cli_state *st);

#endif
