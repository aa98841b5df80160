/* tf_record.c — what a preprocessing chain learnt, kept for PREDICT: the
 * entries the transforms record while fitting (tf_rec_put), handed back in
 * the same order while replaying (tf_rec_next), and their reading and
 * writing in model files, with the steps themselves. */
#include "tf_internal.h"
#include "model_io.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const op_names[] = {
    "", "impute_numeric", "impute_categorical", "onehot", "standardize", "minmax", "bin", "pca", "select_k",
};
#define NOPS ((int)(sizeof op_names / sizeof op_names[0]))

static void entry_clear(tf_entry *en)
{
    free(en->col);
    free(en->d);
    for (int i = 0; en->s && i < en->ns; i++) free(en->s[i]);
    free(en->s);
    memset(en, 0, sizeof *en);
}

void rt_tf_rec_free(rt_tf_rec *rec)
{
    if (!rec) return;
    for (int i = 0; i < rec->n; i++) entry_clear(&rec->e[i]);
    free(rec->e);
    free(rec);
}

static tf_entry *rec_add(rt_tf_rec *rec)
{
    if (rec->n == rec->cap) {
        int nc = rec->cap ? rec->cap * 2 : 16;
        tf_entry *ne = realloc(rec->e, sizeof *ne * (size_t)nc);
        if (!ne) return NULL;
        rec->e = ne;
        rec->cap = nc;
    }
    tf_entry *en = &rec->e[rec->n++];
    memset(en, 0, sizeof *en);
    return en;
}

int tf_rec_put(tf_set *s, int op, const char *col, const double *d, int nd, char *const *strs, int ns,
               ut_err *e)
{
    if (!tf_recording(s)) return 0;
    tf_entry *en = rec_add(s->rec->w);
    if (!en) return tf_oom(e);
    en->op = op;
    if (col && !(en->col = ut_strdup(col))) return tf_oom(e);
    if (!(en->d = malloc(sizeof(double) * (size_t)(nd ? nd : 1)))) return tf_oom(e);
    if (nd) memcpy(en->d, d, sizeof(double) * (size_t)nd);
    en->nd = nd;
    if (!(en->s = calloc((size_t)(ns ? ns : 1), sizeof(char *)))) return tf_oom(e);
    for (int i = 0; i < ns; i++) {
        if (!(en->s[i] = ut_strdup(strs[i]))) return tf_oom(e);
        en->ns = i + 1;
    }
    return 0;
}

const tf_entry *tf_rec_next(tf_set *s, int op, const char *col, ut_err *e)
{
    tf_recorder *r = s->rec;
    if (r->pos >= r->r->n) {
        ut_errf(e, MLG_DATA, "model: the pipeline needs a fitted %s%s%s%s beyond the %d the model holds",
                op_names[op], col ? " of '" : "", col ? col : "", col ? "'" : "", r->r->n);
        return NULL;
    }
    const tf_entry *en = &r->r->e[r->pos];
    if (en->op != op || (col && (!en->col || strcmp(en->col, col)))) {
        ut_errf(e, MLG_DATA, "model: fitted step %d is %s of '%s', but the pipeline needs %s of '%s'", r->pos + 1,
                en->op > 0 && en->op < NOPS ? op_names[en->op] : "?", en->col ? en->col : "(columns)", op_names[op],
                col ? col : "(columns)");
        return NULL;
    }
    /* shapes every replay relies on */
    int ok = 1;
    switch (op) {
    case TF_REC_IMPUTE_NUM: ok = en->nd == 1; break;
    case TF_REC_IMPUTE_CAT: ok = en->ns <= 1; break;
    case TF_REC_ONEHOT:
        ok = en->nd == en->ns;
        for (int i = 0; ok && i < en->nd; i++) ok = en->d[i] == 1 || en->d[i] == 2;
        break;
    case TF_REC_STANDARDIZE: ok = en->nd == 3 && en->d[2] != 0; break;
    case TF_REC_MINMAX: ok = en->nd == 2; break;
    default: break;
    }
    if (!ok) {
        ut_errf(e, MLG_DATA, "model: fitted step %d (%s) has the wrong shape", r->pos + 1, op_names[op]);
        return NULL;
    }
    r->pos++;
    return en;
}

/* ---- model files ---- */

int rt_tf_rec_io(rt_mio *io, rt_tf_rec **recp)
{
    rt_tf_rec *rec = *recp;
    if (!io->writing && !(rec = *recp = calloc(1, sizeof *rec))) return ut_errf(io->e, MLG_NOMEM, "out of memory");
    int n = rec->n;
    if (rt_mio_list(io, "fitted", &n, 1 << 20)) return -1;
    for (int i = 0; i < n; i++) {
        tf_entry *en = io->writing ? &rec->e[i] : rec_add(rec);
        if (!en) return ut_errf(io->e, MLG_NOMEM, "out of memory");
        if (rt_mio_item(io, i)) return -1;
        char *op = io->writing ? (char *)op_names[en->op] : NULL;
        if (rt_mio_str(io, "op", &op)) return -1;
        if (!io->writing) {
            for (int k = 1; k < NOPS; k++)
                if (!strcmp(op, op_names[k])) en->op = k;
            free(op);
            if (!en->op) return rt_mio_fail(io, "unknown fitted operation");
        }
        int has_col = rt_mio_has(io, "column", en->col != NULL);
        if (has_col && rt_mio_str(io, "column", &en->col)) return -1;
        int nd = en->nd;
        if (rt_mio_int(io, "n_values", &nd, 0, 1 << 28)) return -1;
        en->nd = nd;
        if (rt_mio_dvec(io, "values", &en->d, (size_t)nd, 0)) return -1;
        if (rt_mio_svec(io, "levels", &en->s, &en->ns, 1 << 24)) return -1;
        rt_mio_leave(io);
    }
    rt_mio_leave(io);
    return 0;
}

static const char *const sel_names[] = {"default", "all", "numeric", "categorical", "named"};
static const char *const impute_names[] = {"mean", "median", "most_frequent", "constant"};

static int pick(rt_mio *io, const char *key, int *v, const char *const *names, int n)
{
    char *s = io->writing ? (char *)names[*v] : NULL;
    if (rt_mio_str(io, key, &s)) return -1;
    if (io->writing) return 0;
    int k = -1;
    for (int i = 0; i < n; i++)
        if (!strcmp(s, names[i])) k = i;
    free(s);
    if (k < 0) return rt_mio_fail(io, "bad value of '%s'", key);
    *v = k;
    return 0;
}

void rt_tf_steps_free(rt_tf_step *steps, int nsteps)
{
    for (int i = 0; steps && i < nsteps; i++) {
        for (int k = 0; steps[i].columns && k < steps[i].ncolumns; k++) free(steps[i].columns[k]);
        free(steps[i].columns);
    }
    free(steps);
}

int rt_tf_steps_io(rt_mio *io, rt_tf_step **stepsp, int *nsteps)
{
    int n = *nsteps;
    if (rt_mio_list(io, "steps", &n, 4096)) return -1;
    if (!io->writing) {
        *stepsp = calloc((size_t)(n ? n : 1), sizeof **stepsp);
        if (!*stepsp) return ut_errf(io->e, MLG_NOMEM, "out of memory");
        *nsteps = n;
    }
    for (int i = 0; i < n; i++) {
        rt_tf_step *st = &(*stepsp)[i];
        if (rt_mio_item(io, i)) return -1;
        int kind = st->kind, sel = st->selector, strat = st->strategy, bs = st->bin_strategy;
        if (pick(io, "transform", &kind, rt_tf_names, RT_TF__COUNT)) return -1;
        if (pick(io, "columns_of", &sel, sel_names, 5)) return -1;
        if (pick(io, "strategy", &strat, impute_names, 4)) return -1;
        if (rt_mio_num(io, "constant", &st->constant)) return -1;
        if (rt_mio_int(io, "max_levels", &st->max_levels, 0, 1 << 30)) return -1;
        if (rt_mio_int(io, "k", &st->k, 0, 1 << 30)) return -1;
        if (rt_mio_int(io, "bin_quantile", &bs, 0, 1)) return -1;
        if (rt_mio_int(io, "degree", &st->degree, 0, 10)) return -1;
        st->kind = (rt_tf_kind)kind;
        st->selector = (rt_selector)sel;
        st->strategy = (rt_impute_strategy)strat;
        st->bin_strategy = (rt_bin_strategy)bs;
        if (rt_mio_svec(io, "columns", &st->columns, &st->ncolumns, 1 << 20)) return -1;
        rt_mio_leave(io);
    }
    rt_mio_leave(io);
    return 0;
}
