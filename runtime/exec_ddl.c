/* exec_ddl.c — CREATE/DROP DATASET and TASK, SHOW, DESCRIBE, SELECT, and
 * loading a stored dataset again (with its content hash checked). */
#include <limits.h>
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "cache.h"
#include "optimes.h"
#include "metafeat.h"
#include "protocol.h"
#include "../include/mileage.h"

void rt_ctx_clear_cache(rt_ctx *c)
{
    rt_table_free(c->cached);
    free(c->cached_path);
    c->cached = NULL;
    c->cached_path = NULL;
    c->cache_pending[0] = '\0';
}

static int names_error(rt_ctx *c, const ast *at, const char *kind, ut_err *e)
{
    char **names = NULL;
    int n = 0;
    if (cat_names(c->cat, kind, &names, &n, e)) return -1;
    const char *s = ut_suggest(at->str, (const char *const *)names, n);
    if (s) ut_errf_at(e, MLG_NAME, at->off, at->len, "unknown %s '%s'; did you mean '%s'?", kind, at->str, s);
    else ut_errf_at(e, MLG_NAME, at->off, at->len, "unknown %s '%s'", kind, at->str);
    for (int i = 0; i < n; i++) free(names[i]);
    free(names);
    return -1;
}

/* Catalog errors about a name ("already exists") point at the name. */
static int at_node(ut_err *e, const ast *n)
{
    if (e->offset < 0) {
        e->offset = n->off;
        e->length = n->len;
    }
    return -1;
}

/* ---- reading options back from their canonical JSON ---- */

/* Reads the JSON string starting at p (the opening quote) into out. */
static const char *json_string(const char *p, char *out, size_t cap)
{
    size_t n = 0;
    for (p++; *p && *p != '"'; p++) {
        char ch = *p;
        if (ch == '\\' && p[1]) {
            p++;
            ch = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p == 'r' ? '\r' : *p;
        }
        if (n + 1 < cap) out[n++] = ch;
    }
    out[n] = 0;
    return *p ? p + 1 : p;
}

typedef struct { rt_read_opts o; char delim[8]; char na_store[16][64]; const char *na[16]; } stored_opts;

static void opts_from_json(const char *j, stored_opts *so)
{
    rt_read_opts_default(&so->o);
    if (!j) return;
    const char *p = strstr(j, "\"delimiter\":");
    if (p) {
        json_string(p + 12, so->delim, sizeof so->delim);
        if (so->delim[0]) so->o.delimiter = so->delim[0];
    }
    if (strstr(j, "\"header\":false")) so->o.header = 0;
    p = strstr(j, "\"na\":[");
    if (p) {
        int n = 0;
        for (p += 6; *p == '"' && n < 16;) {
            p = json_string(p, so->na_store[n], sizeof so->na_store[n]);
            so->na[n] = so->na_store[n];
            n++;
            if (*p == ',') p++;
        }
        so->o.na = so->na;
        so->o.nna = n;
    }
}

int rt_table_in_memory(const rt_ctx *c, const cat_dataset *d)
{
    return c->cached && c->cached_path && !strcmp(c->cached_path, d->path) && !strcmp(c->cached->hash, d->hash);
}

int rt_load_dataset(rt_ctx *c, const cat_dataset *d, const rt_table **out, ut_err *e)
{
    *out = NULL;
    if (rt_table_in_memory(c, d)) {
        *out = c->cached;
        c->load_way = RT_LOAD_MEMORY;
        return 0;
    }
    if (c->data_dir) {
        size_t dl = strlen(c->data_dir);
        if (strncmp(d->path, c->data_dir, dl) || d->path[dl] != '/')
            return ut_errf(e, MLG_DENIED, "dataset '%s' is stored at %s, outside the data directory", d->name,
                           d->path);
    }
    stored_opts so;
    opts_from_json(d->options_json, &so);
    rt_table *t = NULL;
    /* the parsed table from the intermediate cache, once the file is seen
     * to hash as the catalog says (else: parsed, and offered to it) */
    rt_lineage_hex lin;
    int keyed = rt_cache_active(c) && !rt_lineage_data(d, lin);
    if (keyed && rt_cache_worth_loading(c, lin)) {
        char *buf = NULL, hash[65];
        size_t len = 0;
        if (rt_tbl_read_all(d->path, &buf, &len, e)) return -1;
        rt_tbl_hash(buf, len, &so.o, hash);
        free(buf);
        if (strcmp(hash, d->hash))
            return ut_errf(e, MLG_DATA, "%s: the file changed since CREATE DATASET %s (content hash differs); "
                           "re-create the dataset to use the new data", d->path, d->name);
        if (rt_cache_load_table(c, lin, d, &t, e) < 0) return -1;
    }
    double parse_s = -1;
    c->load_way = t ? RT_LOAD_CACHE : RT_LOAD_PARSE;
    if (!t) {
        double t0 = ut_thread_cpu();
        if (rt_read_file(d->path, &so.o, &t, e)) return -1;
        parse_s = ut_thread_cpu() - t0;
    }
    if (strcmp(t->hash, d->hash)) {
        rt_table_free(t);
        return ut_errf(e, MLG_DATA, "%s: the file changed since CREATE DATASET %s (content hash differs); "
                       "re-create the dataset to use the new data", d->path, d->name);
    }
    rt_ctx_clear_cache(c);
    c->cached = t;
    c->cached_path = ut_strdup(d->path);
    /* offered to the intermediate cache when the statement is done: the
     * statement's own work (an experiment's row) comes first */
    if (keyed && parse_s >= 0) {
        memcpy(c->cache_pending, lin, sizeof c->cache_pending);
        c->cache_pending_s = parse_s;
    }
    *out = t;
    return 0;
}

/* ---- file confinement ---- */

int rt_resolve_data_path(const rt_ctx *c, const char *path, char **out, ut_err *e)
{
    *out = NULL;
    if (!c->data_dir) {
        *out = ut_strdup(path);
        return *out ? 0 : ut_errf(e, MLG_NOMEM, "out of memory");
    }
    if (path[0] == '/')
        return ut_errf(e, MLG_DENIED, "%s: absolute paths are not allowed; name a file inside the data directory",
                       path);
    for (const char *p = path; *p;) {
        const char *slash = strchr(p, '/');
        size_t l = slash ? (size_t)(slash - p) : strlen(p);
        if (l == 2 && p[0] == '.' && p[1] == '.')
            return ut_errf(e, MLG_DENIED, "%s: '..' is not allowed; name a file inside the data directory", path);
        p = slash ? slash + 1 : p + l;
    }
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_printf(&b, "%s/%s", c->data_dir, path);
    char *joined = ut_buf_take(&b);
    if (!joined) return ut_errf(e, MLG_NOMEM, "out of memory");
    char *real = realpath(joined, NULL);
    if (!real) {
        /* missing: let the reader say so, with the name as written */
        *out = joined;
        return 0;
    }
    size_t dl = strlen(c->data_dir);
    if (strncmp(real, c->data_dir, dl) || (real[dl] != '/' && real[dl] != 0)) {
        free(real);
        free(joined);
        return ut_errf(e, MLG_DENIED, "%s: leaves the data directory (through a symbolic link)", path);
    }
    free(joined);
    *out = real;
    return 0;
}

/* ---- CREATE DATASET ---- */

int rt_exec_create_dataset(rt_ctx *c, const cmp_stmt *s, char **msg, ut_err *e)
{
    const ast *st = s->src;
    const char *name = st->a->str, *path = st->b->str;
    cat_dataset existing;
    int found = cat_dataset_get(c->cat, name, &existing, e);
    if (found < 0) return -1;
    /* the same name again: refused for the same content, a new version
     * for changed content (the old one stays, as NAME@vN) */
    char prior_hash[65] = "", *prior_path = NULL;
    if (found) {
        snprintf(prior_hash, sizeof prior_hash, "%s", existing.hash ? existing.hash : "");
        prior_path = existing.path;
        existing.path = NULL;
        cat_dataset_clear(&existing);
    }
    rt_read_opts o;
    rt_read_opts_default(&o);
    o.header = s->readopts.header;
    o.delimiter = s->readopts.delimiter;
    o.na = (const char *const *)s->readopts.na;
    o.nna = s->readopts.nna;
    rt_table *t = NULL;
    char *file = NULL;
    if (rt_resolve_data_path(c, path, &file, e)) {
        e->offset = st->b->off;
        e->length = st->b->len;
        free(prior_path);
        return -1;
    }
    int rrc = rt_read_file(file, &o, &t, e);
    free(file);
    if (rrc) {
        free(prior_path);
        return -1;
    }
    if (c->max_rows > 0 && t->nrows > c->max_rows) {
        int rows = t->nrows;
        rt_table_free(t);
        free(prior_path);
        return ut_errf_at(e, MLG_DENIED, st->b->off, st->b->len, "%s has %d data rows, more than max_rows = %lld",
                          path, rows, c->max_rows);
    }
    if (c->max_memory > 0 && (long long)t->nrows * t->ncols * 8 > c->max_memory) {
        long long need = (long long)t->nrows * t->ncols * 8;
        rt_table_free(t);
        free(prior_path);
        return ut_errf_at(e, MLG_DENIED, st->b->off, st->b->len, "%s needs about %lld bytes, more than max_memory = %lld",
                          path, need, c->max_memory);
    }

    char *abs = NULL;
    if (rt_resolve_data_path(c, path, &abs, e)) {
        rt_table_free(t);
        free(prior_path);
        return -1;
    }
    char *r = realpath(abs, NULL);
    if (r) {
        free(abs);
        abs = r;
    }
    /* a new version only when the same file changed */
    int same_file = prior_path && !strcmp(prior_path, abs);
    free(prior_path);
    if (found && (!same_file || !strcmp(prior_hash, t->hash))) {
        free(abs);
        rt_table_free(t);
        return ut_errf_at(e, MLG_NAME, st->a->off, st->a->len, "dataset '%s' already exists%s", name,
                          same_file ? " with this content" : "");
    }
    cat_dataset d = {0};
    d.name = (char *)name;
    d.path = abs;
    d.format = t->format;
    d.hash = t->hash;
    d.options_json = s->readopts.options_json;
    d.nrows = t->nrows;
    d.ncols = t->ncols;
    cat_column *cols = calloc((size_t)t->ncols, sizeof *cols);
    int rc = -1, ncat = 0, version = 1;
    char *kept = NULL;
    if (!cols) {
        ut_errf(e, MLG_NOMEM, "out of memory");
    } else {
        for (int i = 0; i < t->ncols; i++) {
            const rt_column *tc = &t->cols[i];
            cols[i] = (cat_column){tc->name, tc->type == RT_NUMERIC ? "numeric" : "categorical",
                                   tc->missing, tc->distinct, tc->min, tc->max, tc->mean, tc->std,
                                   tc->nlevels};
            ncat += tc->type == RT_CATEGORICAL;
        }
        long long id;
        double meta[RT_META_DS];
        rt_meta_dataset(t, meta);
        /* one transaction: (the old version renamed,) the new one created
         * with its meta-features */
        rc = cat_begin(c->cat, e);
        if (!rc && found) rc = cat_dataset_retire(c->cat, name, &kept, &version, e);
        if (!rc) rc = cat_dataset_create(c->cat, &d, cols, t->ncols, &id, e);
        if (!rc && found) rc = cat_dataset_set_version(c->cat, id, version, e);
        if (!rc) rc = cat_meta_dataset_put(c->cat, id, meta, e);
        if (!rc) rc = cat_commit(c->cat, e);
        if (rc) cat_rollback(c->cat);
        if (rc) at_node(e, st->a);
    }
    if (!rc) {
        ut_buf b;
        ut_buf_init(&b);
        ut_buf_printf(&b, "created dataset %s: %d rows, %d columns (%d numeric, %d categorical)", name,
                      t->nrows, t->ncols, t->ncols - ncat, ncat);
        if (kept)
            ut_buf_printf(&b, "; the content changed: this is version %d, the previous version and its tasks, "
                              "experiments and runs are kept as %s", version, kept);
        *msg = ut_buf_take(&b);
        /* keep it loaded: CREATE TASK and EXPLORE usually follow */
        rt_ctx_clear_cache(c);
        c->cached = t;
        c->cached_path = ut_strdup(d.path);
        t = NULL;
    }
    free(cols);
    free(abs);
    free(kept);
    rt_table_free(t);
    return rc;
}

/* ---- CREATE TASK ---- */

/* A column of the table by name, or a caret error with the nearest name. */
static int find_column(const rt_table *t, const ast *name, const char *dsname, ut_err *e)
{
    int i = rt_table_find(t, name->str);
    if (i >= 0) return i;
    const char **names = malloc((size_t)t->ncols * sizeof *names + 1);
    if (!names) return ut_errf(e, MLG_NOMEM, "out of memory");
    for (int k = 0; k < t->ncols; k++) names[k] = t->cols[k].name;
    const char *sg = ut_suggest(name->str, names, t->ncols);
    if (sg) ut_errf_at(e, MLG_NAME, name->off, name->len, "dataset '%s' has no column '%s'; did you mean '%s'?",
                       dsname, name->str, sg);
    else ut_errf_at(e, MLG_NAME, name->off, name->len, "dataset '%s' has no column '%s'", dsname, name->str);
    free(names);
    return -1;
}

static void folds_hash(const int *fold, int n, char out[65])
{
    ut_sha256 h;
    ut_sha256_init(&h);
    for (int i = 0; i < n; i++) {
        unsigned char b[4] = {(unsigned char)fold[i], (unsigned char)(fold[i] >> 8),
                              (unsigned char)(fold[i] >> 16), (unsigned char)(fold[i] >> 24)};
        ut_sha256_update(&h, b, 4);
    }
    ut_sha256_hex(&h, out);
}

static int rare_class_error(const rt_column *col, const int *yc, int n, int nclasses, int k, const ast *at,
                            ut_err *e)
{
    int *count = calloc((size_t)nclasses + 1, sizeof *count), rare = -1;
    char **names = NULL;
    ut_err ne;
    if (!count) return ut_errf(e, MLG_NOMEM, "out of memory");
    for (int i = 0; i < n; i++)
        if (yc[i] >= 0) count[yc[i]]++;
    for (int c = 0; c < nclasses; c++)
        if (count[c] < k && (rare < 0 || count[c] < count[rare])) rare = c;
    int rc = 0;
    if (rare >= 0) {
        int dummy;
        int *tmp = malloc((size_t)n * sizeof *tmp + 1);
        if (tmp && !rt_target_classes(col, n, tmp, &dummy, &names, &ne) && names)
            ut_errf(e, MLG_DATA, "CV(%d): class '%s' of '%s' has only %d row%s; stratified CV needs at least %d "
                    "per class (use fewer folds)", k, names[rare], col->name, count[rare], count[rare] == 1 ? "" : "s", k);
        else
            ut_errf(e, MLG_DATA, "CV(%d): a class of '%s' has only %d rows; stratified CV needs at least %d per class",
                    k, col->name, count[rare], k);
        if (at) e->offset = at->off, e->length = at->len;
        for (int c = 0; names && c < nclasses; c++) free(names[c]);
        free(names);
        free(tmp);
        rc = -1;
    }
    free(count);
    return rc;
}

int rt_exec_create_task(rt_ctx *c, const cmp_stmt *s, char **msg, ut_err *e)
{
    const ast *st = s->src, *dsn = st->b, *tgt = st->b->next;
    const cmp_taskdef *td = &s->taskdef;
    cat_task existing;
    int found = cat_task_get(c->cat, st->a->str, &existing, e);
    if (found < 0) return -1;
    if (found) {
        cat_task_clear(&existing);
        return ut_errf_at(e, MLG_NAME, st->a->off, st->a->len, "task '%s' already exists", st->a->str);
    }
    cat_dataset d;
    found = cat_dataset_get(c->cat, dsn->str, &d, e);
    if (found < 0) return -1;
    if (!found) return names_error(c, dsn, "dataset", e);
    const rt_table *t;
    int *fold = NULL, *yc = NULL, rc = -1;
    unsigned char *ymiss = NULL;
    if (rt_load_dataset(c, &d, &t, e)) goto out;
    int ti = find_column(t, tgt, d.name, e);
    if (ti < 0) goto out;
    const rt_column *col = &t->cols[ti];
    rt_kind kind = td->kind >= 0 ? (rt_kind)td->kind : rt_target_kind(col);
    if (kind == RT_REGRESSION && col->type == RT_CATEGORICAL) {
        ut_errf_at(e, MLG_ERROR, tgt->off, tgt->len, "column '%s' is categorical; it cannot be a regression target",
                   col->name);
        goto out;
    }
    int metrics[CMP_MAX_METRICS], nmetrics = td->nmetrics;
    for (int i = 0; i < nmetrics; i++) metrics[i] = td->metrics[i];
    if (!nmetrics) metrics[nmetrics++] = kind == RT_CLASSIFICATION ? RT_MET_ACCURACY : RT_MET_RMSE;
    if (rt_metrics[metrics[0]].classification != (kind == RT_CLASSIFICATION)) {
        const ast *mn = td->metric_nodes[0];
        ut_errf_at(e, MLG_ERROR, mn->off, mn->len, "metric '%s' is for %s, but predicting '%s' is %s",
                   rt_metrics[metrics[0]].name, rt_metrics[metrics[0]].classification ? "classification" : "regression",
                   col->name, kind == RT_CLASSIFICATION ? "classification" : "regression");
        goto out;
    }
    rt_protocol proto = {0};
    int pcol = -1;
    proto.type = (rt_proto_type)td->protocol;  /* CMP_PROTO_* and RT_PROTO_* share their order */
    proto.k = td->k;
    proto.reps = td->repeats > 0 ? td->repeats : 1;
    proto.test = td->holdout;
    if (td->column) {
        if ((pcol = find_column(t, td->column, d.name, e)) < 0) goto out;
        if (pcol == ti) {
            ut_errf_at(e, MLG_ERROR, td->column->off, td->column->len, "the target '%s' cannot also define the folds",
                       col->name);
            goto out;
        }
        snprintf(proto.column, sizeof proto.column, "%s", t->cols[pcol].name);
    }
    int n = t->nrows, nclasses = 0, usable = 0, nentries = 0, nrounds = 0;
    ymiss = calloc((size_t)n + 1, 1);
    if (!ymiss) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    if (kind == RT_CLASSIFICATION) {
        yc = malloc((size_t)n * sizeof *yc);
        if (!yc) {
            ut_errf(e, MLG_NOMEM, "out of memory");
            goto out;
        }
        if (rt_target_classes(col, n, yc, &nclasses, NULL, e)) goto out;
        if (nclasses < 2) {
            ut_errf_at(e, MLG_DATA, tgt->off, tgt->len, "column '%s' has %d class; classification needs at least 2",
                       col->name, nclasses);
            goto out;
        }
        for (int i = 0; i < n; i++) usable += yc[i] >= 0;
    } else {
        for (int i = 0; i < n; i++) {
            ymiss[i] = isnan(col->num[i]);
            usable += !ymiss[i];
        }
    }
    if (kind == RT_CLASSIFICATION) {
        for (int i = 0; i < n; i++) ymiss[i] = yc[i] < 0;
        /* stratified CV puts every class in every fold: the rarest class
         * needs k rows (scikit-learn only warns, then scores folds that
         * miss a class) */
        if ((proto.type == RT_PROTO_CV || proto.type == RT_PROTO_REPEATED) &&
            rare_class_error(col, yc, n, nclasses, proto.k, td->protocol_node, e))
            goto out;
    }
    if (rt_protocol_folds(&proto, t, pcol, yc, nclasses, ymiss, (unsigned long long)td->seed, &fold, &nentries,
                          &nrounds, e)) {
        if (e->offset < 0) at_node(e, td->protocol_node ? td->protocol_node : st);
        goto out;
    }
    char fh[65];
    folds_hash(fold, nentries, fh);
    char *pj = rt_protocol_json(&proto);
    ut_buf mb;
    ut_buf_init(&mb);
    for (int i = 0; i < nmetrics; i++) ut_buf_printf(&mb, "%s%s", i ? "," : "", rt_metrics[metrics[i]].name);
    if (!pj || mb.oom) {
        free(pj);
        ut_buf_free(&mb);
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto out;
    }
    cat_task ct = {0};
    ct.name = st->a->str;
    ct.dataset = d.name;
    ct.dataset_id = d.id;
    ct.target = col->name;
    ct.kind = kind == RT_CLASSIFICATION ? "classification" : "regression";
    ct.metric = mb.s;
    ct.protocol_json = pj;
    ct.seed = td->seed;
    ct.nrounds = nrounds;
    ct.nreps = proto.type == RT_PROTO_REPEATED ? proto.reps : 1;
    ct.folds_hash = fh;
    long long id;
    /* the meta-features that need the target, stored with the task */
    double meta[RT_META_TASK];
    int crc = rt_meta_task(t, ti, kind == RT_CLASSIFICATION ? yc : NULL, nclasses, meta, e);
    if (!crc) crc = cat_begin(c->cat, e);
    if (!crc) {
        crc = cat_task_create(c->cat, &ct, fold, nentries, &id, e);
        if (!crc) crc = cat_meta_task_put(c->cat, id, meta, e);
        if (!crc) crc = cat_commit(c->cat, e);
        if (crc) cat_rollback(c->cat);
    }
    free(pj);
    if (crc) {
        ut_buf_free(&mb);
        at_node(e, st->a);
        goto out;
    }
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_printf(&b, "created task %s: %s of '%s'", ct.name, ct.kind, ct.target);
    if (kind == RT_CLASSIFICATION) ut_buf_printf(&b, " (%d classes)", nclasses);
    char pdesc[300];
    rt_protocol_describe(&proto, pdesc, sizeof pdesc);
    ut_buf_printf(&b, ", metric%s ", nmetrics > 1 ? "s" : "");
    for (int i = 0; i < nmetrics; i++) ut_buf_printf(&b, "%s%s", i ? ", " : "", rt_metrics[metrics[i]].name);
    ut_buf_printf(&b, ", %s", pdesc);
    if (proto.type != RT_PROTO_CV && proto.type != RT_PROTO_HOLDOUT)
        ut_buf_printf(&b, " (%d round%s)", nrounds, nrounds == 1 ? "" : "s");
    ut_buf_printf(&b, " on %d rows, seed %lld", usable, td->seed);
    ut_buf_free(&mb);
    *msg = ut_buf_take(&b);
    rc = 0;
out:
    free(fold);
    free(yc);
    free(ymiss);
    cat_dataset_clear(&d);
    return rc;
}

/* ---- DROP, SHOW, DESCRIBE, SELECT ---- */

int rt_exec_drop(rt_ctx *c, const cmp_stmt *s, char **msg, ut_err *e)
{
    const ast *st = s->src;
    int is_ds = st->kind == AST_DROP_DATASET;
    const char *kind = is_ds ? "dataset" : "task";
    int found;
    if (is_ds) {
        cat_dataset d;
        found = cat_dataset_get(c->cat, st->a->str, &d, e);
        if (found > 0) cat_dataset_clear(&d);
    } else {
        cat_task t;
        found = cat_task_get(c->cat, st->a->str, &t, e);
        if (found > 0) cat_task_clear(&t);
    }
    if (found < 0) return -1;
    if (!found) return names_error(c, st->a, kind, e);
    int rc = is_ds ? cat_dataset_drop(c->cat, st->a->str, st->ival, e) : cat_task_drop(c->cat, st->a->str, e);
    if (rc) return at_node(e, st->a);
    if (is_ds) rt_ctx_clear_cache(c);
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_printf(&b, "dropped %s %s", kind, st->a->str);
    *msg = ut_buf_take(&b);
    return 0;
}

int rt_exec_show(rt_ctx *c, const cmp_stmt *s, ut_result **out, ut_err *e)
{
    switch (s->src->ival) {
    case SHOW_DATASETS: return cat_list_datasets(c->cat, out, e);
    case SHOW_TASKS: return cat_list_tasks(c->cat, out, e);
    case SHOW_MODELS: return cat_list_models(c->cat, out, e);
    default: return cat_list_experiments(c->cat, out, e);
    }
}

static int describe_task(const cat_task *t, ut_result **out, ut_err *e)
{
    static const char *const cols[] = {"property", "value"};
    ut_result *r = ut_result_new(2, cols);
    if (!r) return ut_errf(e, MLG_NOMEM, "out of memory");
    char seed[32], rounds[16];
    snprintf(seed, sizeof seed, "%lld", t->seed);
    snprintf(rounds, sizeof rounds, "%d", t->nrounds);
    const char *kv[][2] = {{"task", t->name}, {"dataset", t->dataset}, {"target", t->target},
                           {"kind", t->kind}, {"metric", t->metric}, {"protocol", t->protocol_json},
                           {"rounds", rounds}, {"seed", seed}, {"folds_hash", t->folds_hash}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
        int row = ut_result_add_row(r);
        if (row < 0) {
            ut_result_free(r);
            return ut_errf(e, MLG_NOMEM, "out of memory");
        }
        ut_result_set_text(r, row, 0, kv[i][0]);
        ut_result_set_text(r, row, 1, kv[i][1]);
    }
    *out = r;
    return 0;
}

int rt_exec_describe(rt_ctx *c, const cmp_stmt *s, ut_result **out, ut_err *e)
{
    const ast *n = s->src->a;
    cat_dataset d;
    int found = cat_dataset_get(c->cat, n->str, &d, e);
    if (found < 0) return -1;
    if (found) {
        cat_dataset_clear(&d);
        return cat_describe_dataset(c->cat, n->str, out, e);
    }
    cat_task t;
    found = cat_task_get(c->cat, n->str, &t, e);
    if (found < 0) return -1;
    if (found) {
        int rc = describe_task(&t, out, e);
        cat_task_clear(&t);
        return rc;
    }
    /* suggest among datasets and tasks alike */
    char **dn = NULL, **tn = NULL;
    int nd = 0, nt = 0;
    if (cat_names(c->cat, "dataset", &dn, &nd, e)) return -1;
    if (cat_names(c->cat, "task", &tn, &nt, e)) {
        for (int i = 0; i < nd; i++) free(dn[i]);
        free(dn);
        return -1;
    }
    const char **all = malloc((size_t)(nd + nt + 1) * sizeof *all);
    const char *sg = NULL;
    if (all) {
        for (int i = 0; i < nd; i++) all[i] = dn[i];
        for (int i = 0; i < nt; i++) all[nd + i] = tn[i];
        sg = ut_suggest(n->str, all, nd + nt);
    }
    if (sg) ut_errf_at(e, MLG_NAME, n->off, n->len, "no dataset or task named '%s'; did you mean '%s'?", n->str, sg);
    else ut_errf_at(e, MLG_NAME, n->off, n->len, "no dataset or task named '%s'", n->str);
    free(all);
    for (int i = 0; i < nd; i++) free(dn[i]);
    for (int i = 0; i < nt; i++) free(tn[i]);
    free(dn);
    free(tn);
    return -1;
}

int rt_exec_select(rt_ctx *c, const cmp_stmt *s, ut_result **out, ut_err *e)
{
    const ast *st = s->src;
    cat_limits lim = {c->max_rows, c->max_seconds, c->max_memory, (volatile const int *)c->interrupted};
    if (cat_select_limited(c->cat, st->str, &lim, out, e)) {
        /* SQLite's offset is into the SQL text; make it one into the query */
        if (e->offset >= 0) {
            e->offset += st->off;
            if (e->length <= 0) e->length = 1;
        } else {
            e->offset = st->off;
            e->length = 6;
        }
        return -1;
    }
    return 0;
}
