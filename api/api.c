/* api.c — the public C API (include/mileage.h): handles, prepare/step/
 * finalize, columns, errors, completion, interrupt.  A statement is parsed
 * and compiled at prepare time and executed at its first step; its rows
 * then come from the materialized result. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "../include/mileage.h"
#include "../grammar/ast.h"
#include "../compiler/compile.h"
#include "../optimizer/plan.h"
#include "../runtime/exec.h"
#include "../runtime/exec_model.h"
#include "../runtime/cache.h"
#include "../runtime/linalg.h"
#include "../runtime/reuse.h"
#include "../catalog/catalog.h"

struct mlg_db {
    cat_db *cat;
    ut_err  err;
    rt_ctx  ctx;
    volatile sig_atomic_t interrupted;
    long long ceiling[4];   /* limits set by the host: SET cannot go above */
    mlg_progress_fn progress;
    void   *progress_arg;
    int     progress_on;
};

struct mlg_stmt {
    mlg_db   *db;
    char     *text;      /* this statement's source, as written */
    int       base;      /* offset of text in the caller's buffer */
    ast      *tree;
    cmp_stmt *cs;
    ut_result *result;
    char     *message;
    int       executed, row;
    char      numbuf[64];
};

static int fail(mlg_db *db, const ut_err *e)
{
    if (&db->err != e) db->err = *e;
    if (!db->err.code) db->err.code = MLG_ERROR;
    return db->err.code;
}

static void progress_tramp(void *arg, int done, int planned, double best, double elapsed)
{
    mlg_db *db = arg;
    if (db->progress && db->progress_on) db->progress(db->progress_arg, done, planned, best, elapsed);
}

static int default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* glibc raises its mmap threshold each time a large block is freed (up to
 * 32 MB), after which data-sized arrays — designs, transformed columns —
 * come from the heap and stay resident after free: the peak memory of an
 * EXPLORE grew by about one copy of the data that way.  A fixed threshold
 * (glibc's initial value, 128 KB) keeps every large array its own mapping,
 * returned to the system when freed.  Process-wide, once. */
static void fix_malloc_thresholds(void)
{
#ifdef __GLIBC__
    static int done;
    if (done) return;
    done = 1;
    if (!getenv("MALLOC_MMAP_THRESHOLD_")) mallopt(M_MMAP_THRESHOLD, 128 * 1024);
#endif
}

int mlg_open(const char *path, mlg_db **out)
{
    if (!out) return MLG_MISUSE;
    fix_malloc_thresholds();
    *out = NULL;
    mlg_db *db = calloc(1, sizeof *db);
    if (!db) return MLG_NOMEM;
    ut_err_clear(&db->err);
    if (!path || !*path) path = getenv("MILEAGE_DB");
    if (!path || !*path) path = "mileage.db";
    db->ctx.interrupted = &db->interrupted;
    db->ctx.threads = default_threads();
    db->ctx.sharing = 1;
    db->ctx.reuse = 1;
    db->ctx.show_times = 1;
    db->ctx.cache_budget = RT_CACHE_DEFAULT_BUDGET;
    db->ctx.progress = progress_tramp;
    db->ctx.progress_arg = db;
    db->progress_on = 1;
    la_set_threads(db->ctx.threads);
    *out = db;
    if (cat_open(path, &db->cat, &db->err)) return fail(db, &db->err);
    db->ctx.cat = db->cat;
    return MLG_OK;
}

int mlg_open_v2(const char *path, mlg_db **out, int flags, const char *data_dir)
{
    (void)flags;
    int rc = mlg_open(path, out);
    if (rc != MLG_OK || !data_dir) return rc;
    mlg_db *db = *out;
    char *real = realpath(data_dir, NULL);
    struct stat sb;
    if (!real || stat(real, &sb) || !S_ISDIR(sb.st_mode)) {
        free(real);
        ut_errf(&db->err, MLG_MISUSE, "%s: not a directory; the data directory must exist", data_dir);
        return MLG_MISUSE;
    }
    db->ctx.data_dir = real;
    return MLG_OK;
}

static long long *limit_slot(mlg_db *db, int id)
{
    switch (id) {
    case MLG_LIMIT_ROWS: return &db->ctx.max_rows;
    case MLG_LIMIT_CONFIGS: return &db->ctx.max_configs;
    case MLG_LIMIT_SECONDS: return &db->ctx.max_seconds;
    case MLG_LIMIT_MEMORY: return &db->ctx.max_memory;
    default: return NULL;
    }
}

long long mlg_limit(mlg_db *db, int id, long long value)
{
    long long *slot = db ? limit_slot(db, id) : NULL;
    if (!slot || value < 0) return -1;
    long long old = *slot;
    *slot = value;
    db->ceiling[id] = value;
    return old;
}

int mlg_close(mlg_db *db)
{
    if (!db) return MLG_OK;
    free(db->ctx.data_dir);
    rt_ctx_clear_cache(&db->ctx);
    ut_buf_free(&db->ctx.cache_notes);
    cat_close(db->cat);
    free(db);
    return MLG_OK;
}

const char *mlg_errmsg(mlg_db *db)
{
    if (!db) return "out of memory or no handle";
    return db->err.code ? db->err.msg : "not an error";
}
int mlg_errcode(mlg_db *db) { return db ? db->err.code : MLG_MISUSE; }
int mlg_error_offset(mlg_db *db) { return db && db->err.code ? db->err.offset : -1; }
int mlg_error_length(mlg_db *db) { return db && db->err.code ? db->err.length : 0; }
const char *mlg_libversion(void) { return MLG_VERSION; }

void mlg_interrupt(mlg_db *db)
{
    if (db) db->interrupted = 1;
}

void mlg_progress(mlg_db *db, mlg_progress_fn fn, void *arg)
{
    if (!db) return;
    db->progress = fn;
    db->progress_arg = arg;
}

int mlg_complete(const char *text)
{
    if (!text) return 0;
    int n = (int)strlen(text), pos = 0, any = 0;
    while (pos < n) {
        int complete, blank;
        int len = gr_split(text + pos, n - pos, &complete, &blank);
        if (!complete) return blank && any;  /* trailing comments/blanks are fine */
        any = 1;
        pos += len;
    }
    return any;
}

int mlg_prepare(mlg_db *db, const char *text, int n, mlg_stmt **out, const char **tail)
{
    if (out) *out = NULL;
    if (tail) *tail = text;
    if (!db || !text || !out) return MLG_MISUSE;
    ut_err_clear(&db->err);
    if (n < 0) n = (int)strlen(text);
    int complete, blank;
    int len = gr_split(text, n, &complete, &blank);
    if (tail) *tail = text + len;
    if (blank) return MLG_OK;
    mlg_stmt *s = calloc(1, sizeof *s);
    if (!s) return ut_errf(&db->err, MLG_NOMEM, "out of memory"), MLG_NOMEM;
    s->db = db;
    /* offsets stay relative to the caller's text so carets line up */
    if (gr_parse(text, len, 0, &s->tree, &db->err)) {
        mlg_finalize(s);
        return fail(db, &db->err);
    }
    /* keep the statement's own text, from its first token */
    int start = s->tree->off;
    int end = len;
    while (end > start && (text[end - 1] == ';' || text[end - 1] == ' ' || text[end - 1] == '\n' ||
                           text[end - 1] == '\t' || text[end - 1] == '\r'))
        end--;
    s->text = ut_strndup(text + start, (size_t)(end - start));
    if (!s->text) {
        mlg_finalize(s);
        return ut_errf(&db->err, MLG_NOMEM, "out of memory"), MLG_NOMEM;
    }
    if (cmp_compile(s->tree, db->cat, &s->cs, &db->err)) {
        mlg_finalize(s);
        return fail(db, &db->err);
    }
    *out = s;
    return MLG_OK;
}

static int apply_set(mlg_db *db, const cmp_set *set, char **msg)
{
    int v = (int)set->num;
    if (set->setting == CMP_SET_CACHE_BUDGET) {
        /* a smaller budget evicts at once: the cache never holds more */
        db->ctx.cache_budget = (long long)set->num;
        if (rt_cache_sync(&db->ctx, &db->err)) return -1;
        ut_buf b;
        ut_buf_init(&b);
        ut_buf_printf(&b, "cache_budget = %lld bytes%s", db->ctx.cache_budget,
                      db->ctx.cache_budget ? "" : " (the cache is off)");
        *msg = ut_buf_take(&b);
        return 0;
    }
    if (set->setting >= CMP_SET_MAX_ROWS && set->setting <= CMP_SET_MAX_MEMORY) {
        int id = set->setting - CMP_SET_MAX_ROWS;
        long long want = (long long)set->num, ceil = db->ceiling[id];
        if (ceil > 0 && (want == 0 || want > ceil))
            return ut_errf(&db->err, MLG_DENIED, "%s cannot be raised above %lld, the limit set by the application",
                           cmp_settings[set->setting].name, ceil);
        *limit_slot(db, id) = want;
        ut_buf b;
        ut_buf_init(&b);
        ut_buf_printf(&b, "%s = %lld", cmp_settings[set->setting].name, want);
        *msg = ut_buf_take(&b);
        return 0;
    }
    switch (set->setting) {
    case CMP_SET_THREADS:
        db->ctx.threads = v;
        la_set_threads(v);
        break;
    case CMP_SET_SHARING: db->ctx.sharing = v; break;
    case CMP_SET_SHOW_TIMES: db->ctx.show_times = v; break;
    case CMP_SET_PROGRESS: db->progress_on = v; break;
    case CMP_SET_REUSE: db->ctx.reuse = v; break;
    }
    ut_buf b;
    ut_buf_init(&b);
    if (!strcmp(cmp_settings[set->setting].kind, "bool"))
        ut_buf_printf(&b, "%s = %s", cmp_settings[set->setting].name, v ? "on" : "off");
    else
        ut_buf_printf(&b, "%s = %d", cmp_settings[set->setting].name, v);
    *msg = ut_buf_take(&b);
    return 0;
}

static int explain_simple(const cmp_stmt *cs, ut_result **out, ut_err *e)
{
    static const char *const col[] = {"plan"};
    ut_result *r = ut_result_new(1, col);
    int row = r ? ut_result_add_row(r) : -1;
    if (row < 0) {
        ut_result_free(r);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    char line[160];
    snprintf(line, sizeof line, "%s: runs directly against the catalog (no plan)", ast_kind_names[cs->kind]);
    ut_result_set_text(r, row, 0, line);
    *out = r;
    return 0;
}

/* EXPLAIN EXPLORE's last line: what the repository already has (reuse.h). */
static int explain_reuse(const cmp_explore *x, const rt_reuse_plan *rp, ut_result *r, ut_err *e)
{
    char *line = NULL;
    if (rt_reuse_explain(x, rp, &line, e)) return -1;
    if (!line) return 0;
    int row = ut_result_add_row(r);
    if (row >= 0) ut_result_set_text(r, row, 0, line);
    free(line);
    return row < 0 ? ut_errf(e, MLG_NOMEM, "out of memory") : 0;
}

/* max_configs and max_memory, checked before anything runs.  The working
 * set estimate: the dataset, one design per pipeline alive in a round (or
 * one per queued fit with sharing off), and the design copies of the fits
 * running at once. */
static int explore_limits(const rt_ctx *c, const cmp_stmt *cs, const opt_stats *st, const opt_plan *p, ut_err *e)
{
    const ast *at = cs->src;
    if (c->max_configs > 0 && cs->explore->nconfigs > c->max_configs)
        return ut_errf_at(e, MLG_DENIED, at->off, at->len > 7 ? 7 : at->len,
                          "EXPLORE has %d configurations, more than max_configs = %lld", cs->explore->nconfigs,
                          c->max_configs);
    if (c->max_memory > 0) {
        double design = (double)st->nrows * (st->nfeatures > 0 ? st->nfeatures : 1) * 8;
        int alive = p->sharing ? cs->explore->npipes : 4 * (c->threads > 0 ? c->threads : 1);
        double need = design * (1 + alive + 2 * (c->threads > 0 ? c->threads : 1));
        if (need > (double)c->max_memory)
            return ut_errf_at(e, MLG_DENIED, at->off, at->len > 7 ? 7 : at->len,
                              "EXPLORE needs about %.0f bytes, more than max_memory = %lld", need, c->max_memory);
    }
    return 0;
}

/* RESUME EXPERIMENT n: compile its stored statement again and run only
 * the runs it does not have. */
static int resume_experiment(mlg_stmt *s)
{
    mlg_db *db = s->db;
    ut_err *e = &db->err;
    const ast *num = s->cs->src->a;
    long long id;
    if (cmp_int(num, 1, 9007199254740992LL, &id, e)) return -1;
    char q[128];
    snprintf(q, sizeof q, "SELECT statement, status FROM experiments WHERE id = %lld", id);
    ut_result *r = NULL;
    if (cat_select(db->cat, q, &r, e)) return -1;
    int rc = -1;
    ast *tree = NULL;
    cmp_stmt *cs = NULL;
    opt_plan *plan = NULL;
    double *hist = NULL;
    if (r->nrows == 0) {
        ut_errf_at(e, MLG_NAME, num->off, num->len, "no experiment with id %lld", id);
        goto done;
    }
    const char *text = r->cells[0].s, *status = r->cells[1].s;
    if (status && !strcmp(status, "finished")) {
        ut_buf b;
        ut_buf_init(&b);
        ut_buf_printf(&b, "experiment %lld is finished; nothing to resume", id);
        s->message = ut_buf_take(&b);
        rc = 0;
        goto done;
    }
    if (status && !strcmp(status, "running")) {
        ut_errf_at(e, MLG_ERROR, num->off, num->len, "experiment %lld is still running in another process", id);
        goto done;
    }
    ut_err pe;
    ut_err_clear(&pe);
    if (!text || gr_parse(text, (int)strlen(text), 0, &tree, &pe) || cmp_compile(tree, db->cat, &cs, &pe) ||
        (cs->kind != AST_EXPLORE && cs->kind != AST_BASELINE)) {
        ut_errf_at(e, pe.code == MLG_NOMEM ? MLG_NOMEM : MLG_ERROR, num->off, num->len,
                   "experiment %lld cannot be resumed: its statement no longer compiles: %s", id,
                   pe.msg[0] ? pe.msg : "not an EXPLORE");
        goto done;
    }
    opt_stats st;
    if (rt_plan_stats(&db->ctx, cs->explore, &st, &hist, e) ||
        opt_physical(cs->explore, &st, db->ctx.sharing, &plan, e))
        goto done;
    rc = rt_exec_explore_resume(&db->ctx, cs, plan, text, id, &s->result, &s->message, NULL, e);
done:
    opt_plan_free(plan);
    free(hist);
    cmp_stmt_free(cs);
    ast_free(tree);
    ut_result_free(r);
    return rc;
}

/* BASELINE on a task whose current baseline has the same portfolio,
 * pipelines and metric on the same data: nothing is run again; the stored
 * reference rows are returned.  1 when so, 0 when it must run, -1 error. */
static int baseline_current(mlg_db *db, const cmp_stmt *cs, ut_result **out, char **msg)
{
    const cmp_explore *x = cs->explore;
    long long id = 0;
    if (cat_baseline_current(db->cat, x->task.id, x->spec_json, x->dataset.hash, &id, &db->err)) return -1;
    if (!id) return 0;
    char q[400];
    snprintf(q, sizeof q,
             "SELECT config_id AS config, family, params, mean_score AS %s, std_score AS %s_std FROM results"
             " WHERE experiment = %lld ORDER BY mean_score %s, config_id",
             rt_metrics[x->metric].name, rt_metrics[x->metric].name, id,
             rt_metrics[x->metric].higher_is_better ? "DESC" : "ASC");
    if (cat_select(db->cat, q, out, &db->err)) return -1;
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_printf(&b, "baseline of task '%s' is current: experiment %lld (same portfolio, same data); nothing run",
                  x->task.name, id);
    *msg = ut_buf_take(&b);
    return 1;
}

static int execute(mlg_stmt *s)
{
    mlg_db *db = s->db;
    rt_ctx *c = &db->ctx;
    cmp_stmt *cs = s->cs;
    ut_err *e = &db->err;
    ut_err_clear(e);
    db->interrupted = 0;
    int rc = 0;
    if (cs->kind == AST_BASELINE && !cs->explain) {
        int done = baseline_current(db, cs, &s->result, &s->message);
        if (done < 0) return fail(db, e);
        if (done) return MLG_OK;
    }
    if (cs->kind == AST_EXPLORE || cs->kind == AST_BASELINE) {
        opt_stats st;
        opt_plan *plan = NULL;
        double *hist = NULL, *actual = NULL;
        /* the runs the repository has are not fitted: the plan says so */
        rt_reuse_plan rp;
        if (rt_reuse_served(c, cs->explore, &rp, e)) return fail(db, e);
        if (rt_plan_stats(c, cs->explore, &st, &hist, e) ||
            (st.served = rp.served, opt_physical(cs->explore, &st, c->sharing, &plan, e))) {
            free(hist);
            rt_reuse_plan_free(&rp);
            return fail(db, e);
        }
        static const char *const col[] = {"plan"};
        plan->hide_costs = !c->show_times;
        if (explore_limits(c, cs, &st, plan, e)) {
            free(hist);
            rt_reuse_plan_free(&rp);
            opt_plan_free(plan);
            return fail(db, e);
        }
        if (cs->explain && rt_cache_plan(c, cs->explore, plan, &st, e)) {
            rc = -1;
        } else if (cs->explain == 1) {
            s->result = ut_result_new(1, col);
            if (!s->result || opt_explain(cs->explore, plan, NULL, s->result))
                rc = ut_errf(e, MLG_NOMEM, "out of memory");
            else
                rc = explain_reuse(cs->explore, &rp, s->result, e);
        } else if (cs->explain == 2 && !(actual = calloc((size_t)plan->n + 1, sizeof *actual))) {
            rc = ut_errf(e, MLG_NOMEM, "out of memory");
        } else {
            /* EXPLAIN ANALYZE runs the experiment (its runs are recorded)
             * and returns the plan with the measured seconds */
            rc = rt_exec_explore(c, cs, plan, s->text, &s->result, &s->message, actual, e);
            if (!rc && actual) {
                ut_result_free(s->result);
                s->result = ut_result_new(1, col);
                if (!s->result || opt_explain(cs->explore, plan, actual, s->result))
                    rc = ut_errf(e, MLG_NOMEM, "out of memory");
            }
        }
        free(actual);
        free(hist);
        rt_reuse_plan_free(&rp);
        opt_plan_free(plan);
        return rc ? fail(db, e) : MLG_OK;
    }
    if (cs->explain) return explain_simple(cs, &s->result, e) ? fail(db, e) : MLG_OK;
    switch (cs->kind) {
    case AST_CREATE_DATASET: rc = rt_exec_create_dataset(c, cs, &s->message, e); break;
    case AST_CREATE_TASK: rc = rt_exec_create_task(c, cs, &s->message, e); break;
    case AST_DROP_DATASET:
    case AST_DROP_TASK: rc = rt_exec_drop(c, cs, &s->message, e); break;
    case AST_SHOW:
        rc = cs->src->ival == SHOW_CACHE ? rt_cache_show(c, &s->result, &s->message, e)
                                         : rt_exec_show(c, cs, &s->result, e);
        break;
    case AST_CLEAR_CACHE: rc = rt_cache_clear_all(c, &s->message, e); break;
    case AST_DESCRIBE: rc = rt_exec_describe(c, cs, &s->result, e); break;
    case AST_SELECT: rc = rt_exec_select(c, cs, &s->result, e); break;
    case AST_SET: rc = apply_set(db, &cs->set, &s->message); break;
    case AST_RESUME: rc = resume_experiment(s); break;
    case AST_TRAIN: rc = rt_exec_train(c, cs, s->text, &s->message, e); break;
    case AST_PREDICT_MODEL: rc = rt_exec_predict_model(c, cs, &s->message, e); break;
    case AST_DROP_MODEL: rc = rt_exec_drop_model(c, cs, &s->message, e); break;
    case AST_EXPORT_MODEL: rc = rt_exec_export_model(c, cs, &s->message, e); break;
    case AST_IMPORT_MODEL: rc = rt_exec_import_model(c, cs, s->text, &s->message, e); break;
    case AST_REPRODUCE: rc = rt_exec_reproduce(c, cs, &s->result, &s->message, e); break;
    case AST_SUGGEST: rc = rt_exec_suggest(c, cs, &s->result, &s->message, e); break;
    default: rc = ut_errf(e, MLG_ERROR, "statement not supported");
    }
    return rc ? fail(db, e) : MLG_OK;
}

int mlg_step(mlg_stmt *s)
{
    if (!s) return MLG_MISUSE;
    if (!s->executed) {
        s->executed = 1;
        s->row = -1;
        int rc = execute(s);
        rt_cache_offer_pending(&s->db->ctx);
        /* the cache's warnings (an unusable file, recomputed) follow the
         * statement's own message */
        char *notes = rt_cache_take_notes(&s->db->ctx);
        if (notes && !rc) {
            ut_buf b;
            ut_buf_init(&b);
            if (s->message) ut_buf_printf(&b, "%s\n", s->message);
            ut_buf_puts(&b, notes);
            free(s->message);
            s->message = ut_buf_take(&b);
        }
        free(notes);
        if (rc) return rc;
    }
    if (s->result && s->row + 1 < s->result->nrows) {
        s->row++;
        return MLG_ROW;
    }
    s->row = s->result ? s->result->nrows : 0;
    return MLG_DONE;
}

int mlg_reset(mlg_stmt *s)
{
    if (!s) return MLG_MISUSE;
    ut_result_free(s->result);
    free(s->message);
    s->result = NULL;
    s->message = NULL;
    s->executed = 0;
    return MLG_OK;
}

int mlg_finalize(mlg_stmt *s)
{
    if (!s) return MLG_OK;
    cmp_stmt_free(s->cs);
    ast_free(s->tree);
    ut_result_free(s->result);
    free(s->message);
    free(s->text);
    free(s);
    return MLG_OK;
}

const char *mlg_sql(mlg_stmt *s) { return s ? s->text : NULL; }
const char *mlg_stmt_message(mlg_stmt *s) { return s ? s->message : NULL; }

int mlg_column_count(mlg_stmt *s)
{
    /* columns are known once the statement has run (after the first step) */
    if (!s) return 0;
    return s->result ? s->result->ncols : 0;
}

const char *mlg_column_name(mlg_stmt *s, int i)
{
    if (!s || !s->result || i < 0 || i >= s->result->ncols) return NULL;
    return s->result->names[i];
}

static const ut_value *cell(mlg_stmt *s, int i)
{
    if (!s || !s->result || i < 0 || i >= s->result->ncols || s->row < 0 || s->row >= s->result->nrows)
        return NULL;
    return &s->result->cells[(size_t)s->row * (size_t)s->result->ncols + (size_t)i];
}

int mlg_column_type(mlg_stmt *s, int i)
{
    const ut_value *v = cell(s, i);
    return v ? (int)v->type : MLG_NULL;
}

double mlg_column_double(mlg_stmt *s, int i)
{
    const ut_value *v = cell(s, i);
    if (!v) return 0;
    if (v->type == UT_TEXT) return strtod(v->s, NULL);
    return v->type == UT_NULL ? 0 : v->d;
}

long long mlg_column_int(mlg_stmt *s, int i)
{
    const ut_value *v = cell(s, i);
    if (!v) return 0;
    if (v->type == UT_TEXT) return strtoll(v->s, NULL, 10);
    return v->type == UT_INT ? v->i : (long long)v->d;
}

/* Floats print with 6 significant digits: enough to compare scores, and
 * stable across BLAS builds in the last bits. */
const char *mlg_column_text(mlg_stmt *s, int i)
{
    const ut_value *v = cell(s, i);
    if (!v || v->type == UT_NULL) return NULL;
    if (v->type == UT_TEXT) return v->s;
    if (v->type == UT_INT) snprintf(s->numbuf, sizeof s->numbuf, "%lld", v->i);
    else snprintf(s->numbuf, sizeof s->numbuf, "%.6g", v->d);
    return s->numbuf;
}

int mlg_exec(mlg_db *db, const char *text, mlg_row_fn fn, void *arg)
{
    if (!db || !text) return MLG_MISUSE;
    const char *p = text;
    while (*p) {
        mlg_stmt *s;
        const char *tail;
        int rc = mlg_prepare(db, p, -1, &s, &tail);
        int shift = (int)(p - text);
        if (rc) {
            if (db->err.offset >= 0) db->err.offset += shift;
            return rc;
        }
        if (s) {
            while ((rc = mlg_step(s)) == MLG_ROW) {
                if (!fn) continue;
                int n = mlg_column_count(s);
                const char *vals[256], *names[256];
                char *copies[256];
                if (n > 256) n = 256;
                for (int i = 0; i < n; i++) {
                    const char *t = mlg_column_text(s, i);
                    copies[i] = t ? ut_strdup(t) : NULL;  /* numbers share one buffer */
                    vals[i] = copies[i];
                    names[i] = mlg_column_name(s, i);
                }
                int stop = fn(arg, n, vals, names);
                for (int i = 0; i < n; i++) free(copies[i]);
                if (stop) {
                    mlg_finalize(s);
                    return ut_errf(&db->err, MLG_INTERRUPT, "stopped by the row callback"), MLG_INTERRUPT;
                }
            }
            mlg_finalize(s);
            if (rc != MLG_DONE) {
                /* offsets relative to the whole text, as the caller gave it */
                if (db->err.offset >= 0) db->err.offset += shift;
                return rc;
            }
        }
        p = tail;
    }
    return MLG_OK;
}
