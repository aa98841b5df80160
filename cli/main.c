/* main.c — `mileage [options] [FILE.mql ...]`: batch files, -c text, or
 * the REPL when nothing is given. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static mlg_db *batch_db;

static void on_sigint(int sig)
{
    (void)sig;
    if (batch_db) mlg_interrupt(batch_db);
}

static void progress(void *arg, int done, int planned, double best, double elapsed)
{
    (void)arg;
    double eta = done > 0 ? elapsed * (planned - done) / done : 0;
    fprintf(stderr, "\r\033[Kruns %d/%d  best %.4g  elapsed %.1fs  remaining ~%.1fs", done, planned, best,
            elapsed, eta);
}

static void usage(FILE *f)
{
    fputs("usage: mileage [--db PATH] [-c TEXT] [--mode table|csv|json] [FILE.mql ...]\n"
          "  with no FILE and no -c, opens an interactive shell\n"
          "  --db PATH       the experiment catalog (default $MILEAGE_DB, else ./mileage.db)\n"
          "  -c TEXT         run the statements in TEXT\n"
          "  --mode MODE     result format: table (default), csv or json\n"
          "  --no-times      leave fit/predict seconds out of EXPLORE results\n"
          "  --data-dir DIR  data files only inside DIR (relative paths, no .., no links out)\n"
          "  --help, --version\n"
          "In batch use the first error stops the run with exit status 1.\n", f);
}

int main(int argc, char **argv)
{
    const char *db_path = NULL, *cmd = NULL, *data_dir = NULL;
    cli_state st = {0};
    int no_times = 0, nfiles = 0;
    const char *files[64];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--version")) {
            printf("mileage %s\n", mlg_libversion());
            return 0;
        } else if (!strcmp(a, "--db") && i + 1 < argc) {
            db_path = argv[++i];
        } else if (!strcmp(a, "--data-dir") && i + 1 < argc) {
            data_dir = argv[++i];
        } else if (!strcmp(a, "-c") && i + 1 < argc) {
            cmd = argv[++i];
        } else if (!strcmp(a, "--mode") && i + 1 < argc) {
            const char *m = argv[++i];
            if (!strcmp(m, "csv")) st.mode = OUT_CSV;
            else if (!strcmp(m, "json")) st.mode = OUT_JSON;
            else if (!strcmp(m, "table")) st.mode = OUT_TABLE;
            else {
                fprintf(stderr, "mileage: unknown mode '%s'\n", m);
                return 2;
            }
        } else if (!strcmp(a, "--no-times")) {
            no_times = 1;
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "mileage: unknown option '%s'\n", a);
            usage(stderr);
            return 2;
        } else if (nfiles < 64) {
            files[nfiles++] = a;
        }
    }
    mlg_db *db = NULL;
    if (mlg_open_v2(db_path, &db, 0, data_dir) != MLG_OK) {
        fprintf(stderr, "mileage: error: %s\n", mlg_errmsg(db));
        mlg_close(db);
        return 1;
    }
    st.db = db;
    st.tty_progress = isatty(2);
    mlg_progress(db, st.tty_progress ? progress : NULL, NULL);
    if (no_times) mlg_exec(db, "SET show_times = off;", NULL, NULL);
    int rc = 0;
    if (cmd || nfiles) {
        batch_db = db;
        signal(SIGINT, on_sigint);
        if (cmd) rc = cli_run_text(&st, "<command>", cmd);
        for (int i = 0; i < nfiles && !rc; i++) rc = cli_run_file(&st, files[i]);
    } else {
        rc = cli_repl(&st);
    }
    mlg_close(db);
    return rc;
}
