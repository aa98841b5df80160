/* pmodel.c — a trained pipeline (rt_pmodel): fitting it on all rows of a
 * task, predicting other rows with what it learnt, and its document
 * (docs/model_format.md): written whole, read back only after the format
 * version, the checksum of the content and every field have been checked. */
#include "model_io.h"
#include "families.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../include/mileage.h"

static void free_strs(char **s, int n)
{
    for (int i = 0; s && i < n; i++) free(s[i]);
    free(s);
}

void rt_pmodel_free(rt_pmodel *pm)
{
    if (!pm) return;
    free_strs(pm->feat, pm->nfeat);
    free(pm->feat_cat);
    free(pm->target);
    free_strs(pm->classes, pm->nclasses);
    rt_tf_steps_free(pm->steps, pm->nsteps);
    free(pm->pipeline_text);
    rt_tf_rec_free(pm->rec);
    free_strs(pm->design, pm->p);
    for (int i = 0; pm->params && i < pm->nparams; i++) free((char *)pm->params[i].str);
    free(pm->params);
    rt_model_free(pm->model);
    free(pm->lineage_json);
    free(pm);
}

static int oom(ut_err *e) { return ut_errf(e, MLG_NOMEM, "out of memory"); }

static int copy_steps(const rt_tf_step *steps, int n, rt_pmodel *pm, ut_err *e)
{
    pm->steps = calloc((size_t)(n ? n : 1), sizeof *pm->steps);
    if (!pm->steps) return oom(e);
    pm->nsteps = n;
    for (int i = 0; i < n; i++) {
        pm->steps[i] = steps[i];
        pm->steps[i].columns = NULL;
        pm->steps[i].ncolumns = 0;
        if (steps[i].ncolumns > 0) {
            if (!(pm->steps[i].columns = calloc((size_t)steps[i].ncolumns, sizeof(char *)))) return oom(e);
            for (int k = 0; k < steps[i].ncolumns; k++) {
                if (!(pm->steps[i].columns[k] = ut_strdup(steps[i].columns[k]))) return oom(e);
                pm->steps[i].ncolumns = k + 1;
            }
        }
    }
    return 0;
}

static int copy_params(rt_family fam, const rt_pval *params, rt_pmodel *pm, ut_err *e)
{
    const rt_param_spec *specs;
    int np = rt_family_params(fam, &specs);
    pm->family = fam;
    pm->params = calloc((size_t)(np ? np : 1), sizeof *pm->params);
    if (!pm->params) return oom(e);
    pm->nparams = np;
    for (int i = 0; i < np; i++) {
        pm->params[i].num = params[i].num;
        if (params[i].str && !(pm->params[i].str = ut_strdup(params[i].str))) return oom(e);
    }
    return 0;
}

int rt_pmodel_train(const rt_table *t, int target_col, rt_kind kind, const rt_tf_step *steps, int nsteps,
                    const char *pipeline_text, rt_family fam, const rt_pval *params, unsigned long long seed,
                    const char *lineage_json, rt_pmodel **out, ut_err *e)
{
    *out = NULL;
    rt_pmodel *pm = calloc(1, sizeof *pm);
    if (!pm) return oom(e);
    int n = t->nrows, rc = -1, *train = NULL, *yc = NULL, *ycl = NULL, ntrain = 0;
    double *y = NULL, *X = NULL;
    rt_design d;
    memset(&d, 0, sizeof d);
    const rt_column *tc = &t->cols[target_col];
    pm->kind = kind;
    pm->seed = seed;
    if (!(pm->target = ut_strdup(tc->name)) || !(pm->pipeline_text = ut_strdup(pipeline_text ? pipeline_text : "")) ||
        !(pm->lineage_json = ut_strdup(lineage_json ? lineage_json : "{}")))
        goto nomem;
    pm->feat = calloc((size_t)t->ncols, sizeof(char *));
    pm->feat_cat = calloc((size_t)t->ncols, sizeof(int));
    if (!pm->feat || !pm->feat_cat) goto nomem;
    for (int j = 0; j < t->ncols; j++) {
        if (j == target_col) continue;
        if (!(pm->feat[pm->nfeat] = ut_strdup(t->cols[j].name))) goto nomem;
        pm->feat_cat[pm->nfeat++] = t->cols[j].type == RT_CATEGORICAL;
    }
    if (copy_steps(steps, nsteps, pm, e) || copy_params(fam, params, pm, e)) goto out;
    /* the rows with a target: all of them are training rows */
    train = malloc(sizeof(int) * (size_t)(n ? n : 1));
    if (!train) goto nomem;
    if (kind == RT_CLASSIFICATION) {
        if (!(yc = malloc(sizeof(int) * (size_t)(n ? n : 1)))) goto nomem;
        if (rt_target_classes(tc, n, yc, &pm->nclasses, &pm->classes, e)) goto out;
        for (int i = 0; i < n; i++)
            if (yc[i] >= 0) train[ntrain++] = i;
    } else {
        for (int i = 0; i < n; i++)
            if (!isnan(tc->num[i])) train[ntrain++] = i;
    }
    if (ntrain == 0) {
        ut_errf(e, MLG_DATA, "no row has a value of '%s' to learn from", tc->name);
        goto out;
    }
    pm->ntrain = ntrain;
    if (rt_tf_fit_record(t, target_col, pm->steps, pm->nsteps, train, ntrain, &d, &pm->rec, e)) goto out;
    pm->p = d.p;
    pm->design = d.names;
    d.names = NULL;
    X = malloc(sizeof(double) * (size_t)ntrain * (size_t)(d.p ? d.p : 1));
    if (!X) goto nomem;
    for (int i = 0; i < ntrain; i++) memcpy(X + (size_t)i * d.p, d.x + (size_t)train[i] * d.p, sizeof(double) * (size_t)d.p);
    if (kind == RT_CLASSIFICATION) {
        if (!(ycl = malloc(sizeof(int) * (size_t)ntrain))) goto nomem;
        for (int i = 0; i < ntrain; i++) ycl[i] = yc[train[i]];
    } else {
        if (!(y = malloc(sizeof(double) * (size_t)ntrain))) goto nomem;
        for (int i = 0; i < ntrain; i++) y[i] = tc->num[train[i]];
    }
    rt_trainset ts = {X, ntrain, d.p, y, ycl, kind == RT_CLASSIFICATION ? pm->nclasses : 0, seed};
    if (rt_fit(fam, pm->params, &ts, &pm->model, e)) goto out;
    *out = pm;
    pm = NULL;
    rc = 0;
    goto out;
nomem:
    oom(e);
out:
    rt_design_free(&d);
    free(train);
    free(yc);
    free(ycl);
    free(y);
    free(X);
    rt_pmodel_free(pm);
    return rc;
}

int rt_pmodel_predict(const rt_pmodel *pm, const rt_table *t, double *pred, double *proba, long *unseen, ut_err *e)
{
    if (t->ncols != pm->nfeat) return ut_errf(e, MLG_ERROR, "the data has %d columns, the model %d", t->ncols, pm->nfeat);
    rt_design d;
    if (rt_tf_replay(pm->rec, t, pm->steps, pm->nsteps, &d, unseen, e)) return -1;
    int rc = 0;
    if (d.p != pm->p) {
        rc = ut_errf(e, MLG_DATA, "model: the preprocessing made %d columns, the model was fitted on %d", d.p, pm->p);
    } else {
        for (int j = 0; j < d.p && !rc; j++)
            if (strcmp(d.names[j], pm->design[j]))
                rc = ut_errf(e, MLG_DATA, "model: design column %d is '%s', the model was fitted on '%s'", j + 1,
                             d.names[j], pm->design[j]);
    }
    if (!rc) rc = rt_predict(pm->model, d.x, d.n, d.p, pred, pm->kind == RT_CLASSIFICATION ? proba : NULL, e);
    rt_design_free(&d);
    return rc;
}

/* ---- the document ---- */

static const char *kind_name(rt_kind k) { return k == RT_CLASSIFICATION ? "classification" : "regression"; }

/* Fields shared by both directions, inside "content". */
static int content_io(rt_mio *io, rt_pmodel *pm)
{
    /* schema */
    if (rt_mio_enter(io, "schema")) return -1;
    char *kind = io->writing ? (char *)kind_name(pm->kind) : NULL;
    if (rt_mio_str(io, "target", &pm->target) || rt_mio_str(io, "kind", &kind)) return -1;
    if (!io->writing) {
        int ok = !strcmp(kind, "classification") || !strcmp(kind, "regression");
        pm->kind = !strcmp(kind, "regression") ? RT_REGRESSION : RT_CLASSIFICATION;
        free(kind);
        if (!ok) return rt_mio_fail(io, "kind must be classification or regression");
    }
    if (rt_mio_svec(io, "classes", &pm->classes, &pm->nclasses, 1 << 20)) return -1;
    if (!io->writing && (pm->kind == RT_CLASSIFICATION ? pm->nclasses < 2 : pm->nclasses != 0))
        return rt_mio_fail(io, "a %s model needs %s classes", kind_name(pm->kind),
                           pm->kind == RT_CLASSIFICATION ? "at least 2" : "no");
    if (rt_mio_svec(io, "features", &pm->feat, &pm->nfeat, 1 << 20)) return -1;
    if (rt_mio_ivec(io, "categorical", &pm->feat_cat, (size_t)pm->nfeat, 0, 1)) return -1;
    for (int i = 0; !io->writing && i < pm->nfeat; i++)
        for (int j = 0; j < i; j++)
            if (!ut_strcasecmp(pm->feat[i], pm->feat[j])) return rt_mio_fail(io, "feature '%s' listed twice", pm->feat[i]);
    rt_mio_leave(io);

    /* preprocessing */
    if (rt_mio_enter(io, "pipeline")) return -1;
    if (rt_mio_str(io, "text", &pm->pipeline_text)) return -1;
    if (rt_tf_steps_io(io, &pm->steps, &pm->nsteps)) return -1;
    if (rt_tf_rec_io(io, &pm->rec)) return -1;
    if (rt_mio_svec(io, "design", &pm->design, &pm->p, 1 << 24)) return -1;
    rt_mio_leave(io);

    /* the model */
    if (rt_mio_enter(io, "model")) return -1;
    char *fam = io->writing ? (char *)rt_families[pm->family].name : NULL;
    if (rt_mio_str(io, "family", &fam)) return -1;
    if (!io->writing) {
        int f = rt_family_lookup(fam);
        free(fam);
        if (f < 0) return rt_mio_fail(io, "unknown model family");
        pm->family = (rt_family)f;
        if (pm->kind == RT_CLASSIFICATION ? !rt_families[f].classification : !rt_families[f].regression)
            return rt_mio_fail(io, "family %s does not do %s", rt_families[f].name, kind_name(pm->kind));
    }
    const rt_param_spec *specs;
    int np = rt_family_params(pm->family, &specs);
    if (!io->writing) {
        if (!(pm->params = calloc((size_t)(np ? np : 1), sizeof *pm->params))) return oom(io->e);
        pm->nparams = np;
    }
    if (rt_mio_enter(io, "params")) return -1;
    for (int i = 0; i < np; i++) {
        if (specs[i].kind == RT_PARAM_STR) {
            char *v = (char *)pm->params[i].str;
            if (rt_mio_str(io, specs[i].name, &v)) return -1;
            pm->params[i].str = v;
            if (io->writing) continue;
            /* one of the choices "a|b|c" */
            size_t l = strlen(v);
            const char *c = specs[i].choices;
            int ok = 0;
            while (c && *c && !ok) {
                const char *bar = strchr(c, '|');
                size_t cl = bar ? (size_t)(bar - c) : strlen(c);
                ok = cl == l && !strncmp(c, v, l);
                c = bar ? bar + 1 : NULL;
            }
            if (!ok) return rt_mio_fail(io, "parameter %s = '%s' is not one of %s", specs[i].name, v, specs[i].choices);
        } else {
            /* class weights: written only when set; absent reads as 1 */
            if (rt_param_is_class_weight(&specs[i]) &&
                !rt_mio_has(io, specs[i].name, pm->params[i].num != specs[i].def_num)) {
                pm->params[i].num = specs[i].def_num;
                continue;
            }
            if (rt_mio_num(io, specs[i].name, &pm->params[i].num)) return -1;
            double v = pm->params[i].num;
            if (!io->writing && (v < specs[i].min || v > specs[i].max || (specs[i].kind == RT_PARAM_INT && v != floor(v))))
                return rt_mio_fail(io, "parameter %s = %.17g is out of its range", specs[i].name, v);
        }
    }
    rt_mio_leave(io);
    double seed = (double)pm->seed;
    if (rt_mio_num(io, "seed", &seed) || rt_mio_int(io, "rows", &pm->ntrain, 0, 1 << 30)) return -1;
    if (!io->writing) {
        if (seed < 0 || seed > 9007199254740992.0 || seed != floor(seed)) return rt_mio_fail(io, "bad seed");
        pm->seed = (unsigned long long)seed;
    }
    int p = pm->model ? pm->model->p : pm->p, K = pm->kind == RT_CLASSIFICATION ? pm->nclasses : 0;
    if (rt_mio_int(io, "n_features", &p, 0, 1 << 24)) return -1;
    if (!io->writing) {
        if (p != pm->p) return rt_mio_fail(io, "the model takes %d features, the pipeline makes %d", p, pm->p);
        if (!(pm->model = calloc(1, sizeof *pm->model))) return oom(io->e);
        pm->model->family = pm->family;
        pm->model->p = p;
        pm->model->nclasses = K;
    }
    if (rt_model_io(io, pm->model)) return -1;
    rt_mio_leave(io);
    return 0;
}

static int lineage_io(rt_mio *io, const ut_json *content, const char *text, rt_pmodel *pm)
{
    if (io->writing) {
        if (!io->first[io->depth]) ut_buf_putc(io->out, ',');
        io->first[io->depth] = 0;
        ut_buf_puts(io->out, "\"lineage\":");
        ut_buf_puts(io->out, pm->lineage_json);
        return 0;
    }
    const ut_json *l = ut_json_get(content, "lineage");
    if (!l || l->type != UT_J_OBJ) return rt_mio_fail(io, "'lineage' is missing or not an object");
    pm->lineage_json = ut_strndup(text + l->off, l->len);
    return pm->lineage_json ? 0 : oom(io->e);
}

char *rt_pmodel_to_json(const rt_pmodel *cpm, ut_err *e)
{
    rt_pmodel *pm = (rt_pmodel *)cpm;   /* the writer only reads */
    ut_buf c;
    ut_buf_init(&c);
    rt_mio io;
    rt_mio_writer(&io, &c, e);
    ut_buf_putc(&c, '{');
    io.first[0] = 1;
    rt_mio_str(&io, "mileage_version", &(char *){MLG_VERSION});
    int rc = lineage_io(&io, NULL, NULL, pm);
    if (!rc) rc = content_io(&io, pm);
    ut_buf_putc(&c, '}');
    if (rc || c.oom) {
        if (!rc) oom(e);
        ut_buf_free(&c);
        return NULL;
    }
    ut_sha256 h;
    char hex[65];
    ut_sha256_init(&h);
    ut_sha256_update(&h, c.s, c.len);
    ut_sha256_hex(&h, hex);
    ut_buf d;
    ut_buf_init(&d);
    ut_buf_printf(&d, "{\"format\":\"mileage-model\",\"format_version\":%d,\"checksum\":\"sha256:%s\",\n\"content\":",
                  RT_MODEL_FORMAT_VERSION, hex);
    ut_buf_putn(&d, c.s, c.len);
    ut_buf_puts(&d, "}\n");
    ut_buf_free(&c);
    char *s = ut_buf_take(&d);
    if (!s) oom(e);
    return s;
}

/* The envelope: format, version, checksum over the exact content bytes. */
static int envelope(const char *text, const ut_json *root, const char *what, const ut_json **content, char hex[65],
                    ut_err *e)
{
    const ut_json *f = ut_json_get(root, "format"), *v = ut_json_get(root, "format_version"),
                  *cs = ut_json_get(root, "checksum");
    *content = ut_json_get(root, "content");
    if (!f || f->type != UT_J_STR || strcmp(f->str, "mileage-model"))
        return ut_errf(e, MLG_DATA, "%s: not a mileage model file (no \"format\": \"mileage-model\")", what);
    if (!v || v->type != UT_J_NUM || v->num != floor(v->num) || v->num < 1)
        return ut_errf(e, MLG_DATA, "%s: format_version is missing or not a positive integer", what);
    if (v->num > RT_MODEL_FORMAT_VERSION)
        return ut_errf(e, MLG_DATA, "%s: format version %.0f is newer than this mileage reads (%d)", what, v->num,
                       RT_MODEL_FORMAT_VERSION);
    if (!cs || cs->type != UT_J_STR || strncmp(cs->str, "sha256:", 7) || strlen(cs->str) != 71)
        return ut_errf(e, MLG_DATA, "%s: checksum is missing or not \"sha256:<64 hex digits>\"", what);
    if (!*content || (*content)->type != UT_J_OBJ) return ut_errf(e, MLG_DATA, "%s: content is missing", what);
    ut_sha256 h;
    ut_sha256_init(&h);
    ut_sha256_update(&h, text + (*content)->off, (*content)->len);
    ut_sha256_hex(&h, hex);
    if (strcmp(hex, cs->str + 7))
        return ut_errf(e, MLG_DATA, "%s: checksum mismatch: the content was changed or damaged after it was written", what);
    return 0;
}

int rt_pmodel_checksum(const char *text, size_t n, char out[65], ut_err *e)
{
    ut_json *root = NULL;
    const ut_json *content;
    if (ut_json_parse(text, n, "model", &root, e)) return -1;
    int rc = envelope(text, root, "model", &content, out, e);
    ut_json_free(root);
    return rc;
}

int rt_pmodel_from_json(const char *text, size_t n, const char *what, rt_pmodel **out, ut_err *e)
{
    *out = NULL;
    ut_json *root = NULL;
    const ut_json *content;
    char hex[65];
    if (ut_json_parse(text, n, what, &root, e)) return -1;
    if (envelope(text, root, what, &content, hex, e)) {
        ut_json_free(root);
        return -1;
    }
    rt_pmodel *pm = calloc(1, sizeof *pm);
    if (!pm) {
        ut_json_free(root);
        return oom(e);
    }
    rt_mio io;
    rt_mio_reader(&io, content, e);
    int rc = lineage_io(&io, content, text, pm);
    if (!rc) rc = content_io(&io, pm);
    ut_json_free(root);
    if (rc) {
        /* say which file */
        char msg[UT_ERRLEN];
        snprintf(msg, sizeof msg, "%s", e->msg);
        if (!strncmp(msg, "model file: ", 12)) ut_errf(e, e->code, "%s: %s", what, msg + 12);
        rt_pmodel_free(pm);
        return -1;
    }
    *out = pm;
    return 0;
}

/* ---- the data PREDICT reads ---- */

int rt_pmodel_col_mode(void *arg, const char *name)
{
    const rt_pmodel *pm = arg;
    for (int j = 0; j < pm->nfeat; j++)
        if (!strcmp(pm->feat[j], name)) return pm->feat_cat[j] ? RT_SPEC_STRING : RT_SPEC_NUMERIC;
    for (int j = 0; j < pm->nfeat; j++)
        if (!ut_strcasecmp(pm->feat[j], name)) return pm->feat_cat[j] ? RT_SPEC_STRING : RT_SPEC_NUMERIC;
    return RT_SPEC_INFER;
}

int rt_pmodel_align(const rt_pmodel *pm, rt_table *in, const char *file, rt_table **out, char **extra, ut_err *e)
{
    *out = NULL;
    *extra = NULL;
    int *src = malloc(sizeof(int) * (size_t)(pm->nfeat ? pm->nfeat : 1));
    char *used = calloc((size_t)(in->ncols ? in->ncols : 1), 1);
    rt_table *t = calloc(1, sizeof *t);
    if (!src || !used || !t || !(t->cols = calloc((size_t)(pm->nfeat ? pm->nfeat : 1), sizeof *t->cols)) ||
        !(t->format = ut_strdup(in->format))) {
        free(src);
        free(used);
        rt_table_free(t);
        return oom(e);
    }
    int rc = 0;
    for (int j = 0; j < pm->nfeat && !rc; j++) {
        int k = rt_table_find(in, pm->feat[j]);
        if (k < 0)
            rc = ut_errf(e, MLG_DATA, "%s: column '%s' is missing; the model needs it", file, pm->feat[j]);
        else if ((in->cols[k].type == RT_CATEGORICAL) != pm->feat_cat[j])
            rc = ut_errf(e, MLG_DATA, "%s: column '%s' is %s, but the model was trained on it as %s", file,
                         in->cols[k].name, in->cols[k].type == RT_CATEGORICAL ? "categorical" : "numeric",
                         pm->feat_cat[j] ? "categorical" : "numeric");
        else if (used[k])
            rc = ut_errf(e, MLG_DATA, "%s: column '%s' matches two of the model's columns", file, in->cols[k].name);
        else
            src[j] = k, used[k] = 1;
    }
    if (!rc) {
        /* move the columns over; the rest stay in `in` */
        t->nrows = in->nrows;
        memcpy(t->hash, in->hash, sizeof t->hash);
        for (int j = 0; j < pm->nfeat; j++) {
            t->cols[j] = in->cols[src[j]];
            memset(&in->cols[src[j]], 0, sizeof(rt_column));
            t->ncols = j + 1;
        }
        ut_buf b;
        ut_buf_init(&b);
        for (int k = 0; k < in->ncols; k++)
            if (!used[k]) ut_buf_printf(&b, "%s'%s'", b.len ? ", " : "", in->cols[k].name);
        if (b.len) *extra = ut_buf_take(&b);
        else ut_buf_free(&b);
        *out = t;
        t = NULL;
    }
    free(src);
    free(used);
    rt_table_free(t);
    return rc;
}
