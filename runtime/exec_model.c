/* exec_model.c — TRAIN, PREDICT USING, DROP / EXPORT / IMPORT MODEL and
 * SHOW MODELS.  A model is stored as its document (model_io.h) with size
 * and SHA-256 beside it; every load checks both, then the document's own
 * version and checksum, then every field, before the model is used. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"
#include "exec_model.h"
#include "linalg.h"
#include "model_io.h"
#include "protocol.h"
#include "../include/mileage.h"

#define MODEL_FILE_MAX ((size_t)1 << 31)   /* 2 GB: larger files are refused before reading */

static int oom(ut_err *e) { return ut_errf(e, MLG_NOMEM, "out of memory"); }

static void sha_hex(const char *s, size_t n, char out[65])
{
    ut_sha256 h;
    ut_sha256_init(&h);
    ut_sha256_update(&h, s, n);
    ut_sha256_hex(&h, out);
}

/* ---- provenance ---- */

char *rt_provenance_json(rt_ctx *c, const cat_dataset *d, long long seed)
{
    int version = 1;
    ut_err ig;
    ut_err_clear(&ig);
    cat_dataset_version(c->cat, d->id, &version, &ig);
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_puts(&b, "{\"mileage_version\":");
    ut_buf_json_str(&b, MLG_VERSION);
    ut_buf_puts(&b, ",\"blas\":");
    ut_buf_json_str(&b, la_version());
    ut_buf_puts(&b, ",\"dataset\":");
    ut_buf_json_str(&b, d->name);
    ut_buf_printf(&b, ",\"dataset_version\":%d,\"dataset_hash\":", version);
    ut_buf_json_str(&b, d->hash);
    ut_buf_printf(&b, ",\"seed\":%lld,\"sharing\":%d}", seed, c->sharing ? 1 : 0);
    return ut_buf_take(&b);
}

int rt_record_provenance(rt_ctx *c, long long exp_id, const cmp_explore *x, ut_err *e)
{
    char *j = rt_provenance_json(c, &x->dataset, x->task.seed);
    if (!j) return oom(e);
    int rc = cat_experiment_set_repro(c->cat, exp_id, j, e);
    free(j);
    return rc;
}

/* ---- experiments compiled again from the catalog ---- */

/* The configuration a run records (its family's name and canonical JSON
 * with "preprocess"), rebuilt in x's space: a family of USING, one of the
 * statement's pipelines by its exact text, every parameter from the JSON
 * (class weights left out at 1).  The rebuilt configuration must print
 * back to the same JSON, or it is not taken.  1 added (or already there),
 * 0 not expressible in x, -1 out of memory. */
static int config_from_run(cmp_explore *x, const char *family, const char *params)
{
    if (rt_config_index(x, family, params) >= 0) return 1;
    int f = -1;
    for (int k = 0; k < x->nspace && f < 0; k++)
        if (!strcmp(rt_families[x->space[k].family].name, family)) f = k;
    ut_json *j = NULL;
    ut_err pe;
    ut_err_clear(&pe);
    if (f < 0 || ut_json_parse(params, strlen(params), "configuration", &j, &pe)) return 0;
    int rc = 0;
    const ut_json *pre = ut_json_get(j, "preprocess");
    cmp_point pt;
    memset(&pt, 0, sizeof pt);
    pt.fam = f;
    pt.pipe = -1;
    for (int q = 0; q < x->npipes && pt.pipe < 0 && pre && pre->type == UT_J_STR; q++)
        if (!strcmp(x->pipes[q].text, pre->str)) pt.pipe = q;
    const cmp_famspace *fs = &x->space[f];
    int ok = pt.pipe >= 0 && fs->ndims <= 32;
    for (int d = 0; ok && d < fs->ndims; d++) {
        const cmp_dim *dm = &fs->dims[d];
        const ut_json *v = ut_json_get(j, dm->spec->name);
        if (!v) {
            ok = rt_param_is_class_weight(dm->spec);
            pt.v[d].num = dm->spec->def_num;
        } else if (dm->spec->kind == RT_PARAM_STR) {
            ok = v->type == UT_J_STR;
            /* the space's own value when it lists it (its num too) */
            pt.v[d].str = ok ? v->str : NULL;
            for (int k = 0; ok && k < dm->vals.n; k++)
                if (dm->vals.v[k].str && !strcmp(dm->vals.v[k].str, v->str)) pt.v[d] = (rt_pval){dm->vals.v[k].num, dm->vals.v[k].str};
        } else {
            ok = v->type == UT_J_NUM;
            pt.v[d].num = ok ? v->num : 0;
        }
    }
    cmp_config cf;
    if (ok) {
        if (cmp_point_config(x, &pt, &cf)) {
            rc = -1;
        } else {
            int idx, before = x->nconfigs;
            if (cmp_add_unique(x, &cf, &idx)) {
                rc = -1;
            } else {
                char *pj = cmp_config_json(x, idx);
                if (!pj) rc = -1;
                else if (!strcmp(pj, params)) rc = 1;
                else if (x->nconfigs > before) cmp_config_clear(&x->configs[--x->nconfigs]);   /* not the same after all */
                free(pj);
            }
        }
    }
    ut_json_free(j);
    return rc;
}

/* Every configuration experiment id's runs record that the statement does
 * not compile to now, added to x in run order: bayes' proposals (its GP
 * chose them from the scores), and seeds WARM START would now choose
 * differently.  Reproducing and ranking need each run's own configuration;
 * the catalog holds it, so the search need not be run again. */
static int add_run_configs(rt_ctx *c, cmp_explore *x, long long id, ut_err *e)
{
    char q[200];
    snprintf(q, sizeof q, "SELECT family, params FROM runs WHERE experiment = %lld GROUP BY family, params "
             "ORDER BY min(run_id)", id);
    ut_result *r = NULL;
    if (cat_select(c->cat, q, &r, e)) return -1;
    int rc = 0;
    for (int i = 0; i < r->nrows && !rc; i++) {
        const ut_value *v = &r->cells[(size_t)i * 2];
        if (v[0].type == UT_TEXT && v[1].type == UT_TEXT && config_from_run(x, v[0].s, v[1].s) < 0) rc = oom(e);
    }
    ut_result_free(r);
    return rc;
}

int rt_experiment_compile(rt_ctx *c, long long id, const ast *at, rt_recompiled *rx, ut_err *e)
{
    memset(rx, 0, sizeof *rx);
    char q[160];
    snprintf(q, sizeof q, "SELECT statement, status FROM experiments WHERE id = %lld", id);
    ut_result *r = NULL;
    if (cat_select(c->cat, q, &r, e)) return -1;
    int rc = -1;
    if (r->nrows == 0) {
        ut_errf_at(e, MLG_NAME, at->off, at->len, "no experiment with id %lld", id);
        goto out;
    }
    const char *text = r->cells[0].s, *status = r->cells[1].s;
    if (status && !strcmp(status, "running")) {
        ut_errf_at(e, MLG_ERROR, at->off, at->len, "experiment %lld is still running", id);
        goto out;
    }
    ut_err pe;
    ut_err_clear(&pe);
    if (!text || gr_parse(text, (int)strlen(text), 0, &rx->tree, &pe) || cmp_compile(rx->tree, c->cat, &rx->cs, &pe) ||
        (rx->cs->kind != AST_EXPLORE && rx->cs->kind != AST_BASELINE)) {
        ut_errf_at(e, pe.code == MLG_NOMEM ? MLG_NOMEM : MLG_ERROR, at->off, at->len,
                   "experiment %lld: its statement no longer compiles: %s", id, pe.msg[0] ? pe.msg : "not an EXPLORE");
        goto out;
    }
    rx->x = rx->cs->explore;
    if (add_run_configs(c, rx->cs->explore, id, e)) goto out;
    rc = 0;
out:
    ut_result_free(r);
    if (rc) rt_recompiled_free(rx);
    return rc;
}

void rt_recompiled_free(rt_recompiled *rx)
{
    cmp_stmt_free(rx->cs);
    ast_free(rx->tree);
    memset(rx, 0, sizeof *rx);
}

int rt_config_index(const cmp_explore *x, const char *family, const char *params)
{
    for (int i = 0; i < x->nconfigs; i++) {
        if (strcmp(rt_families[x->configs[i].family].name, family)) continue;
        char *pj = cmp_config_json(x, i);
        int same = pj && !strcmp(pj, params);
        free(pj);
        if (same) return i;
    }
    return -1;
}

/* The configuration EXPLORE ranked first: best mean over every round of
 * the ranking metric, rounds all ok; ties go to the order written. */
static int best_config(rt_ctx *c, const cmp_explore *x, long long id, const ast *at, int *best, long long *best_id,
                       ut_err *e)
{
    char q[200];
    snprintf(q, sizeof q, "SELECT family, params, fold, score, status, config_id FROM runs WHERE experiment = %lld", id);
    ut_result *r = NULL;
    if (cat_select(c->cat, q, &r, e)) return -1;
    int nr = x->task.nrounds > 0 ? x->task.nrounds : 1, nc = x->nconfigs;
    double *sum = calloc((size_t)nc + 1, sizeof *sum);
    int *cnt = calloc((size_t)nc + 1, sizeof *cnt), *bad = calloc((size_t)nc + 1, sizeof *bad);
    long long *cid = calloc((size_t)nc + 1, sizeof *cid);
    if (!sum || !cnt || !bad || !cid) {
        free(sum), free(cnt), free(bad), free(cid), ut_result_free(r);
        return oom(e);
    }
    for (int row = 0; row < r->nrows; row++) {
        const ut_value *v = &r->cells[(size_t)row * 6];
        if (v[0].type != UT_TEXT || v[1].type != UT_TEXT) continue;
        int i = rt_config_index(x, v[0].s, v[1].s);
        if (i < 0) continue;
        if (v[5].type == UT_INT) cid[i] = v[5].i;
        if (v[4].type != UT_TEXT || strcmp(v[4].s, "ok") || v[3].type == UT_NULL) bad[i] = 1;
        else sum[i] += v[3].d, cnt[i]++;
    }
    ut_result_free(r);
    int hib = rt_metrics[x->metric].higher_is_better, b = -1;
    double bm = 0;
    for (int i = 0; i < nc; i++) {
        if (bad[i] || cnt[i] != nr) continue;
        double m = sum[i] / nr;
        if (isnan(m)) continue;
        if (b < 0 || (hib ? m > bm : m < bm)) b = i, bm = m;
    }
    if (b >= 0) *best_id = cid[b];
    free(sum), free(cnt), free(bad), free(cid);
    if (b < 0)
        return ut_errf_at(e, MLG_ERROR, at->off, at->len,
                          "experiment %lld has no configuration with every run finished and ok", id);
    *best = b;
    return 0;
}

/* PREDICT never hides a filled-in value: missing cells go through the
 * model's preprocessing (its impute step; without one, numeric columns get
 * the training means and categorical ones all-zero indicators), and the
 * message says how many and where. */
static void note_missing(ut_buf *b, const rt_table *t)
{
    long total = 0;
    int ncols = 0;
    for (int j = 0; j < t->ncols; j++) {
        const rt_column *c = &t->cols[j];
        long m = 0;
        for (int i = 0; i < t->nrows; i++) m += c->type == RT_NUMERIC ? isnan(c->num[i]) : c->cat[i] < 0;
        total += m;
        ncols += m > 0;
    }
    if (!total) return;
    ut_buf_printf(b, "; %ld missing value%s filled by the model's preprocessing (in ", total, total == 1 ? "" : "s");
    int shown = 0;
    for (int j = 0; j < t->ncols && shown < 3; j++) {
        const rt_column *c = &t->cols[j];
        int any = 0;
        for (int i = 0; i < t->nrows && !any; i++) any = c->type == RT_NUMERIC ? isnan(c->num[i]) : c->cat[i] < 0;
        if (any) ut_buf_printf(b, "%s'%s'", shown++ ? ", " : "", c->name);
    }
    if (ncols > shown) ut_buf_printf(b, " and %d more column%s", ncols - shown, ncols - shown == 1 ? "" : "s");
    ut_buf_puts(b, ")");
}

/* ---- TRAIN ---- */

static int model_exists(rt_ctx *c, const ast *name, ut_err *e)
{
    cat_model m;
    int found = cat_model_get(c->cat, name->str, &m, e);
    if (found < 0) return -1;
    cat_model_clear(&m);
    if (found)
        return ut_errf_at(e, MLG_NAME, name->off, name->len, "model '%s' already exists (DROP MODEL %s first)",
                          name->str, name->str);
    return 0;
}

int rt_exec_train(rt_ctx *c, const cmp_stmt *s, const char *statement, char **msg, ut_err *e)
{
    const ast *st = s->src, *name = st->b;
    *msg = NULL;
    if (model_exists(c, name, e)) return -1;
    rt_recompiled rx;
    memset(&rx, 0, sizeof rx);
    const cmp_explore *x = s->explore;
    int cfg = 0, rc = -1;
    long long exp_id = 0, cfg_id = 0;
    if (st->ival) {
        if (cmp_int(st->a, 1, 9007199254740992LL, &exp_id, e)) return -1;
        if (rt_experiment_compile(c, exp_id, st->a, &rx, e)) return -1;
        x = rx.x;
        if (best_config(c, x, exp_id, st->a, &cfg, &cfg_id, e)) goto out0;
    }
    const cmp_config *cf = &x->configs[cfg];
    const cmp_pipeline *pl = &x->pipes[cf->pipe];
    rt_tf_step *steps = calloc((size_t)pl->nsteps + 1, sizeof *steps);
    char *config = cmp_config_json(x, cfg), *prov = NULL, *lineage = NULL, *doc = NULL;
    rt_pmodel *pm = NULL;
    const rt_table *t;
    if (!steps || !config) {
        oom(e);
        goto out;
    }
    cmp_pipeline_steps(pl, steps);
    if (rt_load_dataset(c, &x->dataset, &t, e)) goto out;
    int target = rt_table_find(t, x->task.target);
    if (target < 0) {
        ut_errf(e, MLG_DATA, "dataset '%s' has no column '%s' any more", x->dataset.name, x->task.target);
        goto out;
    }
    rt_kind kind = strcmp(x->task.kind, "regression") ? RT_CLASSIFICATION : RT_REGRESSION;
    /* lineage: where the model comes from, enough to fit it again */
    if (!(prov = rt_provenance_json(c, &x->dataset, x->task.seed))) {
        oom(e);
        goto out;
    }
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_putn(&b, prov, strlen(prov) - 1);
    ut_buf_puts(&b, ",\"task\":");
    ut_buf_json_str(&b, x->task.name);
    ut_buf_puts(&b, ",\"family\":");
    ut_buf_json_str(&b, rt_families[cf->family].name);
    ut_buf_puts(&b, ",\"config\":");
    ut_buf_puts(&b, config);
    if (exp_id) ut_buf_printf(&b, ",\"experiment\":%lld", exp_id);
    ut_buf_puts(&b, ",\"statement\":");
    ut_buf_json_str(&b, statement ? statement : "");
    ut_buf_putc(&b, '}');
    if (!(lineage = ut_buf_take(&b))) {
        oom(e);
        goto out;
    }
    if (rt_pmodel_train(t, target, kind, steps, pl->nsteps, pl->text, cf->family, cf->params,
                        (unsigned long long)x->task.seed, lineage, &pm, e))
        goto out;
    if (!(doc = rt_pmodel_to_json(pm, e))) goto out;
    char hex[65];
    size_t n = strlen(doc);
    sha_hex(doc, n, hex);
    int version = 1;
    if (cat_dataset_version(c->cat, x->dataset.id, &version, e)) goto out;
    cat_model m = {0};
    m.name = name->str;
    m.family = (char *)rt_families[cf->family].name;
    m.kind = (char *)(kind == RT_CLASSIFICATION ? "classification" : "regression");
    m.target = x->task.target;
    m.source = (char *)(statement ? statement : "TRAIN");
    m.task = x->task.name;
    m.dataset = x->dataset.name;
    m.dataset_version = version;
    m.dataset_hash = x->dataset.hash;
    m.experiment_id = exp_id;
    m.config_json = config;
    m.seed = x->task.seed;
    m.train_rows = pm->ntrain;
    m.mileage_version = MLG_VERSION;
    m.format_version = RT_MODEL_FORMAT_VERSION;
    m.checksum = hex;
    m.blob = doc;
    m.bytes = n;
    if (cat_model_insert(c->cat, &m, e)) goto out;
    ut_buf_init(&b);
    ut_buf_printf(&b, "model %s: %s", name->str, rt_families[cf->family].name);
    if (cf->params_text && cf->params_text[0]) ut_buf_printf(&b, "(%s)", cf->params_text);
    if (pl->text && pl->text[0] && strcmp(pl->text, "(none)")) ut_buf_printf(&b, " after %s", pl->text);
    ut_buf_printf(&b, ", fitted on %d rows of %s", pm->ntrain, x->dataset.name);
    if (exp_id) ut_buf_printf(&b, " (the best of experiment %lld: config %lld)", exp_id, cfg_id);
    *msg = ut_buf_take(&b);
    rc = 0;
out:
    free(steps);
    free(config);
    free(prov);
    free(lineage);
    free(doc);
    rt_pmodel_free(pm);
out0:
    rt_recompiled_free(&rx);
    return rc;
}

/* ---- loading a stored model ---- */

int rt_model_load(rt_ctx *c, const ast *name, rt_pmodel **out, ut_err *e)
{
    *out = NULL;
    cat_model m;
    int found = cat_model_get(c->cat, name->str, &m, e);
    if (found < 0) return -1;
    if (!found) {
        char **names = NULL;
        int n = 0;
        if (cat_names(c->cat, "model", &names, &n, e)) return -1;
        cmp_unknown(e, name, "model", (const char *const *)names, n);
        for (int i = 0; i < n; i++) free(names[i]);
        free(names);
        return -1;
    }
    int rc = -1;
    char hex[65], what[300];
    snprintf(what, sizeof what, "model '%s'", m.name);
    if (m.blob_len != m.bytes) {
        ut_errf(e, MLG_CATALOG, "%s: the stored model has %zu bytes, %zu were recorded; the catalog is damaged", what,
                m.blob_len, m.bytes);
        goto out;
    }
    sha_hex(m.blob, m.blob_len, hex);
    if (!m.checksum || strcmp(hex, m.checksum)) {
        ut_errf(e, MLG_CATALOG, "%s: the stored model does not match its checksum; the catalog is damaged", what);
        goto out;
    }
    if (m.format_version < 1 || m.format_version > RT_MODEL_FORMAT_VERSION) {
        ut_errf(e, MLG_CATALOG, "%s: format version %d; this mileage reads version %d", what, m.format_version,
                RT_MODEL_FORMAT_VERSION);
        goto out;
    }
    rc = rt_pmodel_from_json(m.blob, m.blob_len, what, out, e);
out:
    cat_model_clear(&m);
    return rc;
}

/* ---- PREDICT ---- */

/* A file PREDICT or EXPORT writes: with a data directory, inside it (the
 * directory it goes in must resolve inside; the file itself may be new). */
static int output_path(rt_ctx *c, const ast *at, char **out, ut_err *e)
{
    *out = NULL;
    const char *path = at->str;
    if (!path[0]) return ut_errf_at(e, MLG_ERROR, at->off, at->len, "empty file name");
    if (!c->data_dir) return (*out = ut_strdup(path)) ? 0 : oom(e);
    if (rt_resolve_data_path(c, path, out, e)) {
        e->offset = at->off, e->length = at->len;
        return -1;
    }
    char *dir = ut_strdup(*out), *slash = dir ? strrchr(dir, '/') : NULL;
    if (!dir) return oom(e);
    if (slash) *slash = 0;
    char *real = realpath(slash ? dir : ".", NULL);
    size_t dl = strlen(c->data_dir);
    int inside = real && !strncmp(real, c->data_dir, dl) && (real[dl] == '/' || real[dl] == 0);
    free(real);
    free(dir);
    if (!inside) {
        free(*out);
        *out = NULL;
        return ut_errf_at(e, MLG_DENIED, at->off, at->len, "%s: the output must go inside the data directory", path);
    }
    return 0;
}

static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Written to a temporary file renamed into place: a failed PREDICT leaves
 * no half-written output. */
static int write_predictions(const char *path, const rt_pmodel *pm, int n, const double *pred, const double *proba,
                             ut_err *e)
{
    size_t l = strlen(path) + 16;
    char *tmp = malloc(l);
    if (!tmp) return oom(e);
    snprintf(tmp, l, "%s.tmp%d", path, (int)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        free(tmp);
        return ut_errf(e, MLG_ERROR, "%s: cannot write: %s", path, strerror(errno));
    }
    int K = pm->kind == RT_CLASSIFICATION ? pm->nclasses : 0;
    fputs("prediction", f);
    for (int k = 0; k < K; k++) {
        fputc(',', f);
        char col[600];
        snprintf(col, sizeof col, "proba_%s", pm->classes[k]);
        csv_field(f, col);
    }
    fputc('\n', f);
    for (int i = 0; i < n; i++) {
        if (K) csv_field(f, pm->classes[(int)pred[i]]);
        else fprintf(f, "%.17g", pred[i]);
        for (int k = 0; k < K; k++) fprintf(f, ",%.17g", proba[(size_t)i * K + k]);
        fputc('\n', f);
    }
    int bad = ferror(f);
    if (fclose(f) || bad || rename(tmp, path)) {
        ut_errf(e, MLG_ERROR, "%s: cannot write: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

int rt_exec_predict_model(rt_ctx *c, const cmp_stmt *s, char **msg, ut_err *e)
{
    const ast *st = s->src;
    *msg = NULL;
    rt_pmodel *pm = NULL;
    rt_table *raw = NULL, *t = NULL;
    char *in = NULL, *outp = NULL, *extra = NULL, *rin = NULL, *rout = NULL;
    double *pred = NULL, *proba = NULL;
    int rc = -1;
    if (rt_model_load(c, st->a, &pm, e)) return -1;
    if (rt_resolve_data_path(c, st->b->str, &in, e)) {
        e->offset = st->b->off, e->length = st->b->len;
        goto out;
    }
    if (output_path(c, st->c, &outp, e)) goto out;
    /* never write over the data being read */
    rin = realpath(in, NULL);
    rout = realpath(outp, NULL);
    if (rin && rout && !strcmp(rin, rout)) {
        ut_errf_at(e, MLG_ERROR, st->c->off, st->c->len, "the output would overwrite the input file");
        goto out;
    }
    rt_read_opts o;
    rt_read_opts_default(&o);
    o.col_mode = rt_pmodel_col_mode;
    o.col_mode_arg = pm;
    if (rt_read_file(in, &o, &raw, e)) {
        e->offset = st->b->off, e->length = st->b->len;
        goto out;
    }
    if (c->max_rows > 0 && raw->nrows > c->max_rows) {
        ut_errf_at(e, MLG_DENIED, st->b->off, st->b->len, "%s has %d data rows, more than max_rows = %lld",
                   st->b->str, raw->nrows, c->max_rows);
        goto out;
    }
    if (rt_pmodel_align(pm, raw, st->b->str, &t, &extra, e)) {
        e->offset = st->b->off, e->length = st->b->len;
        goto out;
    }
    int n = t->nrows, K = pm->kind == RT_CLASSIFICATION ? pm->nclasses : 0;
    pred = malloc(sizeof(double) * (size_t)(n ? n : 1));
    proba = K ? malloc(sizeof(double) * (size_t)n * (size_t)K + 1) : NULL;
    if (!pred || (K && !proba)) {
        oom(e);
        goto out;
    }
    long unseen = 0;
    if (rt_pmodel_predict(pm, t, pred, proba, &unseen, e)) goto out;
    if (write_predictions(outp, pm, n, pred, proba, e)) {
        e->offset = st->c->off, e->length = st->c->len;
        goto out;
    }
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_printf(&b, "%d prediction%s of model %s written to %s", n, n == 1 ? "" : "s", st->a->str, st->c->str);
    if (K) ut_buf_printf(&b, " (with the probability of each of %d classes)", K);
    if (extra) ut_buf_printf(&b, "; columns the model does not use were ignored: %s", extra);
    if (unseen)
        ut_buf_printf(&b, "; %ld categorical value%s unseen in training (encoded as all-zero indicators)", unseen,
                      unseen == 1 ? "" : "s");
    note_missing(&b, t);
    *msg = ut_buf_take(&b);
    rc = *msg ? 0 : oom(e);
out:
    rt_pmodel_free(pm);
    rt_table_free(raw);
    rt_table_free(t);
    free(in);
    free(outp);
    free(extra);
    free(rin);
    free(rout);
    free(pred);
    free(proba);
    return rc;
}

/* ---- DROP / EXPORT / IMPORT / SHOW ---- */

int rt_exec_drop_model(rt_ctx *c, const cmp_stmt *s, char **msg, ut_err *e)
{
    const ast *name = s->src->a;
    int rc = cat_model_drop(c->cat, name->str, e);
    if (rc < 0) return -1;
    if (rc == 0) {
        char **names = NULL;
        int n = 0;
        if (cat_names(c->cat, "model", &names, &n, e)) return -1;
        cmp_unknown(e, name, "model", (const char *const *)names, n);
        for (int i = 0; i < n; i++) free(names[i]);
        free(names);
        return -1;
    }
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_printf(&b, "model %s dropped", name->str);
    *msg = ut_buf_take(&b);
    return *msg ? 0 : oom(e);
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !ut_strcasecmp(s + a - b, suf);
}

int rt_exec_export_model(rt_ctx *c, const cmp_stmt *s, char **msg, ut_err *e)
{
    const ast *st = s->src;
    rt_pmodel *pm = NULL;
    char *path = NULL, *text = NULL;
    int rc = -1, pmml = ends_with(st->b->str, ".pmml");
    if (!pmml && !ends_with(st->b->str, ".json"))
        return ut_errf_at(e, MLG_ERROR, st->b->off, st->b->len, "EXPORT MODEL writes a .json or a .pmml file");
    if (rt_model_load(c, st->a, &pm, e)) return -1;
    if (output_path(c, st->b, &path, e)) goto out;
    if (pmml) {
        if (!(text = rt_pmml_export(pm, st->a->str, e))) {
            e->offset = st->a->off, e->length = st->a->len;
            goto out;
        }
    } else if (!(text = rt_pmodel_to_json(pm, e))) {
        goto out;
    }
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) == EOF || fclose(f)) {
        ut_errf_at(e, MLG_ERROR, st->b->off, st->b->len, "%s: cannot write: %s", st->b->str, strerror(errno));
        goto out;
    }
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_printf(&b, "model %s exported to %s (%s, %zu bytes)", st->a->str, st->b->str,
                  pmml ? "PMML 4.4" : "mileage model format 1", strlen(text));
    *msg = ut_buf_take(&b);
    rc = *msg ? 0 : oom(e);
out:
    rt_pmodel_free(pm);
    free(path);
    free(text);
    return rc;
}

static char *json_text(const ut_json *j, const char *key)
{
    const ut_json *v = ut_json_get(j, key);
    return v && v->type == UT_J_STR ? ut_strdup(v->str) : NULL;
}

int rt_exec_import_model(rt_ctx *c, const cmp_stmt *s, const char *statement, char **msg, ut_err *e)
{
    const ast *st = s->src;
    if (model_exists(c, st->a, e)) return -1;
    char *path = NULL, *buf = NULL, *config = NULL, *doc = NULL;
    rt_pmodel *pm = NULL;
    ut_json *lin = NULL;
    size_t len = 0;
    int rc = -1;
    if (rt_resolve_data_path(c, st->b->str, &path, e)) {
        e->offset = st->b->off, e->length = st->b->len;
        return -1;
    }
    FILE *f = fopen(path, "rb");
    if (!f) {
        ut_errf_at(e, MLG_ERROR, st->b->off, st->b->len, "%s: cannot open: %s", st->b->str, strerror(errno));
        goto out;
    }
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (sz < 0 || (size_t)sz > MODEL_FILE_MAX || (c->max_memory > 0 && sz > c->max_memory)) {
        fclose(f);
        ut_errf_at(e, MLG_DENIED, st->b->off, st->b->len, "%s: %ld bytes is more than a model file may have", st->b->str,
                   sz);
        goto out;
    }
    buf = malloc((size_t)sz + 1);
    if (!buf) {
        fclose(f);
        oom(e);
        goto out;
    }
    len = fread(buf, 1, (size_t)sz, f);
    fclose(f);
    buf[len] = 0;
    if (rt_pmodel_from_json(buf, len, st->b->str, &pm, e)) {
        e->offset = st->b->off, e->length = st->b->len;
        goto out;
    }
    /* stored as this mileage writes it (same content, canonical text) */
    if (!(doc = rt_pmodel_to_json(pm, e))) goto out;
    ut_err ig;
    ut_err_clear(&ig);
    ut_json_parse(pm->lineage_json, strlen(pm->lineage_json), "lineage", &lin, &ig);
    const ut_json *dv = ut_json_get(lin, "dataset_version"), *cj = ut_json_get(lin, "config");
    config = cj ? ut_strndup(pm->lineage_json + cj->off, cj->len) : ut_strdup("{}");
    char *task = json_text(lin, "task"), *dataset = json_text(lin, "dataset"), *hash = json_text(lin, "dataset_hash");
    char hex[65];
    size_t n = strlen(doc);
    sha_hex(doc, n, hex);
    cat_model m = {0};
    m.name = st->a->str;
    m.family = (char *)rt_families[pm->family].name;
    m.kind = (char *)(pm->kind == RT_CLASSIFICATION ? "classification" : "regression");
    m.target = pm->target;
    m.source = (char *)(statement ? statement : "IMPORT MODEL");
    m.task = task;
    m.dataset = dataset;
    m.dataset_version = dv && dv->type == UT_J_NUM && dv->num >= 1 && dv->num < 1e9 ? (int)dv->num : 0;
    m.dataset_hash = hash;
    m.config_json = config;
    m.seed = (long long)pm->seed;
    m.train_rows = pm->ntrain;
    m.mileage_version = MLG_VERSION;
    m.format_version = RT_MODEL_FORMAT_VERSION;
    m.checksum = hex;
    m.blob = doc;
    m.bytes = n;
    rc = config ? cat_model_insert(c->cat, &m, e) : oom(e);
    free(task);
    free(dataset);
    free(hash);
    if (rc) goto out;
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_printf(&b, "model %s imported from %s: %s predicting '%s' from %d column%s", st->a->str, st->b->str,
                  rt_families[pm->family].name, pm->target, pm->nfeat, pm->nfeat == 1 ? "" : "s");
    *msg = ut_buf_take(&b);
    rc = *msg ? 0 : oom(e);
out:
    free(path);
    free(buf);
    free(config);
    free(doc);
    ut_json_free(lin);
    rt_pmodel_free(pm);
    return rc;
}
