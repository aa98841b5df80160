/* pmml.c — EXPORT MODEL name TO 'file.pmml': PMML 4.4 for the linear
 * families (RegressionModel) and the decision tree (TreeModel), with the
 * preprocessing PMML states directly: impute (if isMissing), standardize
 * and minmax (arithmetic), onehot of categorical columns (NormDiscrete;
 * a level unseen in training gives 0 everywhere, as in mileage).  Every
 * fitted value comes from the model's record, so a PMML consumer computes
 * what PREDICT computes.  Other families and transforms are refused with
 * the reason (the JSON format carries everything). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cart.h"
#include "exec_model.h"
#include "families.h"
#include "tf_internal.h"
#include "../include/mileage.h"

static void xml_str(ut_buf *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': ut_buf_puts(b, "&amp;"); break;
        case '<': ut_buf_puts(b, "&lt;"); break;
        case '>': ut_buf_puts(b, "&gt;"); break;
        case '"': ut_buf_puts(b, "&quot;"); break;
        default: ut_buf_putc(b, *s);
        }
    }
}

static void num(ut_buf *b, double v) { ut_buf_printf(b, "%.17g", v); }

/* current field name of each working column, as the steps rename them */
typedef struct {
    char **name;   /* working column name */
    char **field;  /* the PMML field that holds it now */
    int   *cat;
    int    n, cap;
    int    serial;
} colmap;

static int cm_find(const colmap *m, const char *name)
{
    for (int i = 0; i < m->n; i++)
        if (!strcmp(m->name[i], name)) return i;
    return -1;
}

static int cm_add(colmap *m, const char *name, const char *field, int cat)
{
    if (m->n == m->cap) {
        int nc = m->cap ? m->cap * 2 : 32;
        char **a = realloc(m->name, sizeof *a * (size_t)nc), **f = NULL;
        int *c = NULL;
        if (a) m->name = a;
        if (a && (f = realloc(m->field, sizeof *f * (size_t)nc))) m->field = f;
        if (f && (c = realloc(m->cat, sizeof *c * (size_t)nc))) m->cat = c;
        if (!c) return -1;
        m->cap = nc;
    }
    m->name[m->n] = ut_strdup(name);
    m->field[m->n] = ut_strdup(field);
    m->cat[m->n] = cat;
    return m->name[m->n] && m->field[m->n++] ? 0 : -1;
}

static void cm_free(colmap *m)
{
    for (int i = 0; i < m->n; i++) free(m->name[i]), free(m->field[i]);
    free(m->name);
    free(m->field);
    free(m->cat);
}

/* A new derived field for column i: <DerivedField name="col#k" ...> opened;
 * the caller writes the expression and closes it. */
static char *derive(colmap *m, int i, ut_buf *b, int cat)
{
    char nm[700];
    snprintf(nm, sizeof nm, "%s#%d", m->name[i], ++m->serial);
    ut_buf_puts(b, "    <DerivedField name=\"");
    xml_str(b, nm);
    ut_buf_printf(b, "\" optype=\"%s\" dataType=\"%s\">\n", cat ? "categorical" : "continuous", cat ? "string" : "double");
    return ut_strdup(nm);
}

static void fref(ut_buf *b, const char *f)
{
    ut_buf_puts(b, "<FieldRef field=\"");
    xml_str(b, f);
    ut_buf_puts(b, "\"/>");
}

static int transforms(const rt_pmodel *pm, colmap *m, ut_buf *b, ut_err *e)
{
    for (int i = 0; i < pm->nsteps; i++) {
        rt_tf_kind k = pm->steps[i].kind;
        if (k != RT_TF_IMPUTE && k != RT_TF_ONEHOT && k != RT_TF_STANDARDIZE && k != RT_TF_MINMAX)
            return ut_errf(e, MLG_ERROR,
                           "PMML export covers impute, onehot, standardize and minmax; this pipeline has %s "
                           "(EXPORT to a .json file keeps everything)", rt_tf_names[k]);
    }
    ut_buf_puts(b, "  <TransformationDictionary>\n");
    const rt_tf_rec *rec = pm->rec;
    for (int r = 0; r < rec->n; r++) {
        const tf_entry *en = &rec->e[r];
        int i = en->col ? cm_find(m, en->col) : -1;
        if (i < 0) return ut_errf(e, MLG_DATA, "model: a fitted step names an unknown column");
        char *nf = NULL;
        switch (en->op) {
        case TF_REC_IMPUTE_NUM:
        case TF_REC_IMPUTE_CAT:
            if (en->op == TF_REC_IMPUTE_CAT && en->ns == 0) continue;
            nf = derive(m, i, b, m->cat[i]);
            ut_buf_puts(b, "      <Apply function=\"if\"><Apply function=\"isMissing\">");
            fref(b, m->field[i]);
            ut_buf_puts(b, "</Apply><Constant>");
            if (en->op == TF_REC_IMPUTE_NUM) num(b, en->d[0]);
            else xml_str(b, en->s[0]);
            ut_buf_puts(b, "</Constant>");
            fref(b, m->field[i]);
            ut_buf_puts(b, "</Apply>\n    </DerivedField>\n");
            break;
        case TF_REC_STANDARDIZE:
        case TF_REC_MINMAX:
            nf = derive(m, i, b, 0);
            if (en->op == TF_REC_STANDARDIZE && en->d[0] == 0) {
                ut_buf_puts(b, "      <Constant>0</Constant>\n    </DerivedField>\n");
                break;
            }
            if (en->op == TF_REC_STANDARDIZE) {
                ut_buf_puts(b, "      <Apply function=\"/\"><Apply function=\"-\">");
                fref(b, m->field[i]);
                ut_buf_puts(b, "<Constant>");
                num(b, en->d[1]);
                ut_buf_puts(b, "</Constant></Apply><Constant>");
                num(b, en->d[2]);
            } else {
                ut_buf_puts(b, "      <Apply function=\"+\"><Apply function=\"*\">");
                fref(b, m->field[i]);
                ut_buf_puts(b, "<Constant>");
                num(b, en->d[0]);
                ut_buf_puts(b, "</Constant></Apply><Constant>");
                num(b, en->d[1]);
            }
            ut_buf_puts(b, "</Constant></Apply>\n    </DerivedField>\n");
            break;
        case TF_REC_ONEHOT: {
            if (!m->cat[i])
                return ut_errf(e, MLG_ERROR, "PMML export: onehot of the numeric column '%s' is not supported", en->col);
            char *src = ut_strdup(m->field[i]), *col = ut_strdup(m->name[i]);
            if (!src || !col) {
                free(src);
                free(col);
                return ut_errf(e, MLG_NOMEM, "out of memory");
            }
            /* the source column leaves; its indicators take its place */
            free(m->name[i]);
            m->name[i] = ut_strdup("");
            int other = 0;
            for (int k = 0; k < en->ns; k++) {
                if (en->d[k] != 1) {
                    other = 1;
                    continue;
                }
                char nm[700];
                snprintf(nm, sizeof nm, "%s=%s", col, en->s[k]);
                ut_buf_puts(b, "    <DerivedField name=\"");
                xml_str(b, nm);
                ut_buf_puts(b, "\" optype=\"continuous\" dataType=\"double\">\n      <NormDiscrete field=\"");
                xml_str(b, src);
                ut_buf_puts(b, "\" value=\"");
                xml_str(b, en->s[k]);
                ut_buf_puts(b, "\" mapMissingTo=\"0\"/>\n    </DerivedField>\n");
                cm_add(m, nm, nm, 0);
            }
            if (other) {
                char nm[700];
                snprintf(nm, sizeof nm, "%s=__other__", col);
                ut_buf_puts(b, "    <DerivedField name=\"");
                xml_str(b, nm);
                ut_buf_puts(b, "\" optype=\"continuous\" dataType=\"double\">\n      <Apply function=\"if\" "
                               "mapMissingTo=\"0\"><Apply function=\"isIn\">");
                fref(b, src);
                for (int k = 0; k < en->ns; k++)
                    if (en->d[k] == 2) {
                        ut_buf_puts(b, "<Constant>");
                        xml_str(b, en->s[k]);
                        ut_buf_puts(b, "</Constant>");
                    }
                ut_buf_puts(b, "</Apply><Constant>1</Constant><Constant>0</Constant></Apply>\n    </DerivedField>\n");
                cm_add(m, nm, nm, 0);
            }
            free(src);
            free(col);
            continue;
        }
        default:
            return ut_errf(e, MLG_ERROR, "PMML export: a fitted step it cannot express");
        }
        if (!nf) return ut_errf(e, MLG_NOMEM, "out of memory");
        free(m->field[i]);
        m->field[i] = nf;
    }
    ut_buf_puts(b, "  </TransformationDictionary>\n");
    return 0;
}

static void mining_schema(const rt_pmodel *pm, ut_buf *b)
{
    ut_buf_puts(b, "    <MiningSchema>\n      <MiningField name=\"");
    xml_str(b, pm->target);
    ut_buf_puts(b, "\" usageType=\"target\"/>\n");
    for (int j = 0; j < pm->nfeat; j++) {
        ut_buf_puts(b, "      <MiningField name=\"");
        xml_str(b, pm->feat[j]);
        ut_buf_puts(b, "\"/>\n");
    }
    ut_buf_puts(b, "    </MiningSchema>\n");
}

static void tree_node(ut_buf *b, const rt_pmodel *pm, const cart_tree *t, const colmap *m, int i, int depth,
                      const char *pred_op, double thr, int feat)
{
    const int K = pm->kind == RT_CLASSIFICATION ? pm->nclasses : 0;
    const cart_node *nd = &t->node[i];
    const double *v = t->value + (size_t)i * (size_t)t->nout;
    double pr;
    cart_emit(v, K, &pr, NULL);
    ut_buf_printf(b, "%*s<Node score=\"", 4 + 2 * depth, "");
    if (K) xml_str(b, pm->classes[(int)pr]);
    else num(b, pr);
    ut_buf_printf(b, "\" recordCount=\"%d\">", nd->n_samples);
    if (!pred_op) {
        ut_buf_puts(b, "<True/>");
    } else {
        ut_buf_puts(b, "<SimplePredicate field=\"");
        xml_str(b, m->field[cm_find(m, pm->design[feat])]);
        ut_buf_printf(b, "\" operator=\"%s\" value=\"", pred_op);
        num(b, thr);
        ut_buf_puts(b, "\"/>");
    }
    ut_buf_putc(b, '\n');
    if (K) {
        double tot = 0;
        for (int k = 0; k < K; k++) tot += v[k];
        for (int k = 0; k < K; k++) {
            ut_buf_printf(b, "%*s<ScoreDistribution value=\"", 6 + 2 * depth, "");
            xml_str(b, pm->classes[k]);
            ut_buf_puts(b, "\" recordCount=\"");
            num(b, v[k]);
            ut_buf_puts(b, "\" probability=\"");
            num(b, tot > 0 ? v[k] / tot : 0);
            ut_buf_puts(b, "\"/>\n");
        }
    }
    if (nd->feature >= 0) {
        tree_node(b, pm, t, m, nd->left, depth + 1, "lessOrEqual", nd->threshold, nd->feature);
        tree_node(b, pm, t, m, nd->right, depth + 1, "greaterThan", nd->threshold, nd->feature);
    }
    ut_buf_printf(b, "%*s</Node>\n", 4 + 2 * depth, "");
}

char *rt_pmml_export(const rt_pmodel *pm, const char *name, ut_err *e)
{
    rt_family f = pm->family;
    int linear = f == RT_FAM_LINREG || f == RT_FAM_RIDGE || f == RT_FAM_LASSO || f == RT_FAM_ELASTICNET ||
                 f == RT_FAM_LOGREG || f == RT_FAM_LINSVM;
    if (!linear && f != RT_FAM_TREE) {
        ut_errf(e, MLG_ERROR, "PMML export covers linear models and trees; '%s' is a %s model (EXPORT to a .json "
                "file keeps every family)", name, rt_families[f].name);
        return NULL;
    }
    const rt_model *md = pm->model;
    const int K = pm->kind == RT_CLASSIFICATION ? pm->nclasses : 0;
    if (linear && md->nout == 0) {
        ut_errf(e, MLG_ERROR, "PMML export: '%s' saw one class only; there is no linear model to write", name);
        return NULL;
    }
    ut_buf b;
    ut_buf_init(&b);
    colmap m = {0};
    int rc = 0;
    ut_buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<PMML xmlns=\"http://www.dmg.org/PMML-4_4\" version=\"4.4\">\n"
                    "  <Header description=\"");
    xml_str(&b, name);
    ut_buf_printf(&b, "\"><Application name=\"mileage\" version=\"%s\"/></Header>\n  <DataDictionary>\n", MLG_VERSION);
    for (int j = 0; j < pm->nfeat; j++) {
        ut_buf_puts(&b, "    <DataField name=\"");
        xml_str(&b, pm->feat[j]);
        ut_buf_printf(&b, "\" optype=\"%s\" dataType=\"%s\"/>\n", pm->feat_cat[j] ? "categorical" : "continuous",
                      pm->feat_cat[j] ? "string" : "double");
        if (cm_add(&m, pm->feat[j], pm->feat[j], pm->feat_cat[j])) rc = ut_errf(e, MLG_NOMEM, "out of memory");
    }
    ut_buf_puts(&b, "    <DataField name=\"");
    xml_str(&b, pm->target);
    if (K) {
        ut_buf_puts(&b, "\" optype=\"categorical\" dataType=\"string\">\n");
        for (int k = 0; k < K; k++) {
            ut_buf_puts(&b, "      <Value value=\"");
            xml_str(&b, pm->classes[k]);
            ut_buf_puts(&b, "\"/>\n");
        }
        ut_buf_puts(&b, "    </DataField>\n");
    } else {
        ut_buf_puts(&b, "\" optype=\"continuous\" dataType=\"double\"/>\n");
    }
    ut_buf_puts(&b, "  </DataDictionary>\n");
    if (!rc) rc = transforms(pm, &m, &b, e);
    for (int j = 0; !rc && j < pm->p; j++)
        if (cm_find(&m, pm->design[j]) < 0)
            rc = ut_errf(e, MLG_ERROR, "PMML export: design column '%s' cannot be expressed", pm->design[j]);
    if (!rc && linear) {
        const char *norm = !K ? "none" : f == RT_FAM_LOGREG ? (md->nout == 1 ? "logit" : "softmax") : "none";
        ut_buf_printf(&b, "  <RegressionModel functionName=\"%s\" normalizationMethod=\"%s\">\n",
                      K ? "classification" : "regression", norm);
        mining_schema(pm, &b);
        /* one table per output; the binary model scores its positive class
         * against a zero table for the other */
        int nt = md->nout;
        for (int o = 0; o < nt; o++) {
            ut_buf_puts(&b, "    <RegressionTable intercept=\"");
            num(&b, md->intercept[o]);
            ut_buf_putc(&b, '"');
            if (K) {
                int cls = md->cls ? md->cls[nt == 1 ? 1 : o] : (nt == 1 ? K - 1 : o);
                ut_buf_puts(&b, " targetCategory=\"");
                xml_str(&b, pm->classes[cls]);
                ut_buf_putc(&b, '"');
            }
            ut_buf_puts(&b, ">\n");
            for (int j = 0; j < md->p; j++) {
                ut_buf_puts(&b, "      <NumericPredictor name=\"");
                xml_str(&b, m.field[cm_find(&m, pm->design[j])]);
                ut_buf_puts(&b, "\" coefficient=\"");
                num(&b, md->coef[(size_t)o * md->p + j]);
                ut_buf_puts(&b, "\"/>\n");
            }
            ut_buf_puts(&b, "    </RegressionTable>\n");
        }
        if (K && nt == 1) {
            int cls = md->cls ? md->cls[0] : 0;
            ut_buf_puts(&b, "    <RegressionTable intercept=\"0\" targetCategory=\"");
            xml_str(&b, pm->classes[cls]);
            ut_buf_puts(&b, "\"/>\n");
        }
        ut_buf_puts(&b, "  </RegressionModel>\n");
    } else if (!rc) {
        const cart_tree *t = rt_tree_get(md);
        ut_buf_printf(&b, "  <TreeModel functionName=\"%s\" splitCharacteristic=\"binarySplit\" "
                          "noTrueChildStrategy=\"returnLastPrediction\">\n",
                      K ? "classification" : "regression");
        mining_schema(pm, &b);
        tree_node(&b, pm, t, &m, 0, 0, NULL, 0, 0);
        ut_buf_puts(&b, "  </TreeModel>\n");
    }
    ut_buf_puts(&b, "</PMML>\n");
    cm_free(&m);
    if (rc) {
        ut_buf_free(&b);
        return NULL;
    }
    char *s = ut_buf_take(&b);
    if (!s) ut_errf(e, MLG_NOMEM, "out of memory");
    return s;
}
