/* repl.c — the interactive shell: readline editing, persistent history,
 * multi-line statements (mlg_complete decides when one is finished),
 * dot-commands, and Ctrl-C that stops the statement, not the shell. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "cli.h"

static mlg_db *volatile running_db;

static void on_sigint(int sig)
{
    (void)sig;
    if (running_db) mlg_interrupt(running_db);
}

static const char *help_text =
    ".help               this text\n"
    ".quit               leave (also Ctrl-D)\n"
    ".read FILE          run the statements of FILE\n"
    ".mode table|csv|json  how results print\n"
    ".timer on|off       print each statement's time\n"
    "Statements end with ';'.  Try: SHOW DATASETS;  CREATE DATASET d FROM 'file.csv';\n"
    "Ctrl-C stops a running statement; finished runs stay in the catalog.\n";

static int dot_command(cli_state *st, char *line)
{
    char *cmd = strtok(line, " \t\r\n");
    char *arg = strtok(NULL, " \t\r\n");
    if (!strcmp(cmd, ".quit") || !strcmp(cmd, ".exit")) return -1;
    if (!strcmp(cmd, ".help")) {
        fputs(help_text, stdout);
    } else if (!strcmp(cmd, ".read") && arg) {
        running_db = st->db;
        cli_run_file(st, arg);
        running_db = NULL;
    } else if (!strcmp(cmd, ".mode") && arg) {
        if (!strcmp(arg, "table")) st->mode = OUT_TABLE;
        else if (!strcmp(arg, "csv")) st->mode = OUT_CSV;
        else if (!strcmp(arg, "json")) st->mode = OUT_JSON;
        else fprintf(stderr, "error: unknown mode '%s': table, csv or json\n", arg);
    } else if (!strcmp(cmd, ".timer") && arg) {
        st->timer = !strcmp(arg, "on");
    } else {
        fprintf(stderr, "error: unknown or incomplete command '%s'; try .help\n", cmd);
    }
    return 0;
}

int cli_repl(cli_state *st)
{
    char hist[4096] = "";
    const char *home = getenv("HOME");
    if (home) {
        snprintf(hist, sizeof hist, "%s/.mileage_history", home);
        read_history(hist);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    int interactive = isatty(0);
    if (interactive) printf("mileage %s — .help for help, .quit to leave\n", mlg_libversion());
    char *buf = NULL;
    size_t len = 0;
    for (;;) {
        char *line = readline(buf ? "   ...> " : "mileage> ");
        if (!line) break;
        if (!buf && line[0] == '.') {
            if (*line) add_history(line);
            int q = dot_command(st, line);
            free(line);
            if (q < 0) break;
            continue;
        }
        size_t l = strlen(line);
        char *nb = realloc(buf, len + l + 2);
        if (!nb) {
            free(line);
            break;
        }
        buf = nb;
        memcpy(buf + len, line, l);
        len += l;
        buf[len++] = '\n';
        buf[len] = 0;
        free(line);
        if (!mlg_complete(buf)) continue;
        /* history keeps the whole statement as one entry */
        char *h = strdup(buf);
        if (h) {
            h[strlen(h) - 1] = 0;
            add_history(h);
            free(h);
        }
        struct sigaction old;
        sigaction(SIGINT, &sa, &old);
        running_db = st->db;
        cli_run_text(st, "<stdin>", buf);   /* errors are reported; the shell goes on */
        running_db = NULL;
        sigaction(SIGINT, &old, NULL);
        free(buf);
        buf = NULL;
        len = 0;
    }
    free(buf);
    if (hist[0]) write_history(hist);
    if (interactive) putchar('\n');
    return 0;
}
