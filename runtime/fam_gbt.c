/* fam_gbt.c — scikit-learn 1.2's GradientBoostingRegressor (loss
 * squared_error) and GradientBoostingClassifier (log_loss), criterion
 * friedman_mse, max_features=None.
 *   regression: raw = mean(y) + lr·Σ trees fitted to y − raw;
 *   binary:     raw = log-odds of the prior, one tree per round fitted to
 *               y − σ(raw), leaves replaced by the Newton step Σr / Σp(1−p);
 *   multiclass: raw_k = log prior_k, K trees per round fitted to
 *               1[y=k] − softmax_k(raw) (all from the raw of the round's
 *               start), leaves (K−1)/K · Σr / Σp(1−p).
 * Priors are clipped to [ε, 1−ε] with ε = float32 epsilon like sklearn.
 * friedman_mse and mse rank splits identically (n_l·n_r/n·(ȳ_l−ȳ_r)² is
 * the mse decrease), so the trees are mse trees (cart.c).  subsample < 1
 * draws ⌊subsample·n⌋ rows without replacement per round from
 * cart_seed(seed, round); the leaves are fitted on those rows, every row's
 * raw score is updated.  Classes missing from the training rows are left
 * out (probability 0), as sklearn would never have seen them; one class
 * present gives a constant model.  Only leaves hold Newton steps (internal
 * nodes keep the mean residual): depth caps do not carry over to boosting,
 * whose every round depends on the earlier rounds' depth; rounds do
 * (rt_gbt_predict_rounds), and a fitted model continues with more rounds
 * (rt_gbt_fit_from, ensemble.h). */
#include "families.h"
#include "stop.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../include/mileage.h"
#include "cart.h"
#include "ensemble.h"

typedef rt_gbt_impl gbt_impl;

void rt_gbt_impl_free(void *impl)
{
    gbt_impl *g = impl;
    if (g->trees)
        for (int t = 0; t < g->rounds * g->K; t++)
            cart_tree_free(&g->trees[t]);
    free(g->trees);
    free(g->cls);
    free(g->init);
    free(g->loss);
    free(g);
}
#define gbt_free rt_gbt_impl_free

static double logaddexp0(double z)
{
    return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

/* softmax of one row (and its log-sum-exp) */
static double softmax(const double *z, int K, double *q)
{
    double mx = z[0], s = 0;
    for (int k = 1; k < K; k++)
        if (z[k] > mx)
            mx = z[k];
    for (int k = 0; k < K; k++)
        s += (q[k] = exp(z[k] - mx));
    for (int k = 0; k < K; k++)
        q[k] /= s;
    return mx + log(s);
}

/* sklearn's train_score_ on the rows with w != 0 (all when w is NULL). */
static double gbt_loss(const gbt_impl *g, const rt_trainset *ts, const int *lab,
                       const double *raw, const double *w, double *q)
{
    int n = ts->n, K = g->K, cnt = 0;
    double s = 0;
    for (int i = 0; i < n; i++) {
        if (w && w[i] == 0)
            continue;
        cnt++;
        const double *z = raw + (size_t)i * K;
        if (!lab) {
            double d = ts->y[i] - z[0];
            s += d * d;
        } else if (K == 1) {
            s += -2.0 * (lab[i] * z[0] - logaddexp0(z[0]));
        } else {
            s += softmax(z, K, q) - z[lab[i]];
        }
    }
    return s / cnt;
}

/* The model of params; with `from` (NULL: none) its rounds are taken over
 * and the training rows' raw scores rebuilt from its trees (see
 * ensemble.h) before the remaining rounds are boosted. */
static int gbt_grow(const rt_pval *params, const rt_trainset *ts, const gbt_impl *from, rt_model *m, ut_err *e)
{
    int rounds = (int)params[0].num, maxd = (int)params[2].num, msl = (int)params[3].num;
    double lr = params[1].num, sub = params[4].num;
    int n = ts->n, p = ts->p, C = ts->nclasses, rc = -1;
    int *lab = NULL, *leaf = NULL, *perm = NULL;
    double *raw = NULL, *res = NULL, *prob = NULL, *w = NULL, *num = NULL, *den = NULL;
    cart_builder *b = NULL;

    if (rounds < 1 || !(lr > 0) || maxd < 1 || msl < 1 || !(sub > 0 && sub <= 1))
        return ut_errf(e, MLG_MISUSE, "gbt: need rounds >= 1, learning_rate > 0,"
                       " max_depth >= 1, min_samples_leaf >= 1, 0 < subsample <= 1");
    gbt_impl *g = calloc(1, sizeof *g);
    if (!g)
        return ut_errf(e, MLG_NOMEM, "out of memory fitting gbt");
    m->impl = g;
    m->impl_free = gbt_free;
    g->lr = lr;
    g->K = 1;
    if (C > 0) {
        int *idx = malloc((size_t)C * sizeof *idx);
        double *cnt = calloc((size_t)C, sizeof *cnt);
        g->cls = malloc((size_t)C * sizeof *g->cls);
        lab = malloc((size_t)n * sizeof *lab);
        if (!idx || !cnt || !g->cls || !lab) {
            free(idx);
            free(cnt);
            goto oom;
        }
        for (int i = 0; i < n; i++)
            cnt[ts->yc[i]]++;
        for (int c = 0; c < C; c++) {
            idx[c] = -1;
            if (cnt[c] > 0) {
                cnt[g->nfit] = cnt[c];
                idx[c] = g->nfit;
                g->cls[g->nfit++] = c;
            }
        }
        for (int i = 0; i < n; i++)
            lab[i] = idx[ts->yc[i]];
        g->K = g->nfit == 1 ? 0 : g->nfit == 2 ? 1 : g->nfit;
        if (!(g->init = malloc((size_t)(g->K + 1) * sizeof *g->init))) {
            free(idx);
            free(cnt);
            goto oom;
        }
        const double eps = FLT_EPSILON;
        for (int k = 0; k < g->K; k++) {
            double q = cnt[g->K == 1 ? 1 : k] / n;
            q = q < eps ? eps : q > 1 - eps ? 1 - eps : q;
            g->init[k] = g->K == 1 ? log(q / (1 - q)) : log(q);
        }
        free(idx);
        free(cnt);
        if (from && (from->K != g->K || from->nfit != g->nfit ||
                     memcmp(from->cls, g->cls, (size_t)g->nfit * sizeof *g->cls)))
            goto other;
        if (g->K == 0) {
            g->rounds = rounds;
            rc = 0;
            goto done;
        }
    } else {
        if (!(g->init = malloc(sizeof *g->init)))
            goto oom;
        double s = 0;
        for (int i = 0; i < n; i++)
            s += ts->y[i];
        g->init[0] = s / n;
        if (from && from->K != 1)
            goto other;
    }
    if (from && (memcmp(from->init, g->init, (size_t)g->K * sizeof *g->init) ||
                 memcmp(&from->lr, &g->lr, sizeof g->lr)))
        goto other;

    int K = g->K;
    g->trees = calloc((size_t)rounds * K, sizeof *g->trees);
    g->loss = calloc((size_t)rounds, sizeof *g->loss);
    raw = malloc((size_t)n * K * sizeof *raw);
    prob = malloc((size_t)n * K * sizeof *prob);
    res = malloc((size_t)n * sizeof *res);
    leaf = malloc((size_t)n * sizeof *leaf);
    if (!g->trees || !g->loss || !raw || !prob || !res || !leaf)
        goto oom;
    int n_inbag = (int)(sub * n);
    if (n_inbag < 1)
        n_inbag = 1;
    if (n_inbag < n && (!(w = malloc((size_t)n * sizeof *w))
                        || !(perm = malloc((size_t)n * sizeof *perm))))
        goto oom;
    for (int i = 0; i < n; i++)
        memcpy(raw + (size_t)i * K, g->init, (size_t)K * sizeof *raw);
    if (!(b = cart_builder_new(ts->X, n, p, 1, e)))
        goto done;
    cart_params cp = { CART_MSE, maxd, msl, 0, 0, CART_AUTO };
    int ncap = 0, r0 = 0;
    if (from) {
        /* its rounds, and the raw scores after them: the same additions in
         * the same order as the fit made them */
        r0 = from->rounds < rounds ? from->rounds : rounds;
        for (int r = 0; r < r0; r++) {
            for (int k = 0; k < K; k++) {
                cart_tree *tr = &g->trees[(size_t)r * K + k];
                if (rt_cart_tree_copy(&from->trees[(size_t)r * K + k], tr))
                    goto oom;
                g->rounds = r + 1;
                for (int i = 0; i < n; i++)
                    raw[(size_t)i * K + k] += lr * tr->value[cart_apply(tr, ts->X + (size_t)i * p, 0)];
            }
            g->loss[r] = from->loss[r];
        }
    }
    for (int r = r0; r < rounds; r++) {
        if (rt_stop_requested()) {
            rt_stop_error(e, "gbt");
            goto done;
        }
        if (w) {
            ut_rng rng;
            ut_rng_seed(&rng, cart_seed(ts->seed, (uint64_t)r));
            for (int i = 0; i < n; i++) {
                perm[i] = i;
                w[i] = 0;
            }
            for (int j = 0; j < n_inbag; j++) {
                int k = j + (int)ut_rng_below(&rng, (uint64_t)(n - j)), t = perm[j];
                perm[j] = perm[k];
                perm[k] = t;
                w[perm[j]] = 1;
            }
        }
        if (K > 1)
            for (int i = 0; i < n; i++)
                softmax(raw + (size_t)i * K, K, prob + (size_t)i * K);
        for (int k = 0; k < K; k++) {
            for (int i = 0; i < n; i++) {
                const double *z = raw + (size_t)i * K;
                res[i] = !lab ? ts->y[i] - z[0]
                       : K == 1 ? lab[i] - rt_sigmoid(z[0])
                       : (lab[i] == k) - prob[(size_t)i * K + k];
            }
            cart_tree *tr = &g->trees[(size_t)r * K + k];
            if (cart_grow(b, NULL, 0, res, w, &cp, tr, e))
                goto done;
            g->rounds = r + 1;
            for (int i = 0; i < n; i++)
                leaf[i] = cart_apply(tr, ts->X + (size_t)i * p, 0);
            if (lab) {
                if (tr->nnodes > ncap) {
                    free(num);
                    free(den);
                    ncap = tr->nnodes;
                    num = malloc((size_t)ncap * sizeof *num);
                    den = malloc((size_t)ncap * sizeof *den);
                    if (!num || !den)
                        goto oom;
                }
                memset(num, 0, (size_t)tr->nnodes * sizeof *num);
                memset(den, 0, (size_t)tr->nnodes * sizeof *den);
                for (int i = 0; i < n; i++) {
                    if (w && w[i] == 0)
                        continue;
                    double yk = K == 1 ? lab[i] : (lab[i] == k);
                    num[leaf[i]] += res[i];
                    den[leaf[i]] += (yk - res[i]) * (1 - yk + res[i]);
                }
                double scale = K == 1 ? 1.0 : (K - 1.0) / K;
                for (int j = 0; j < tr->nnodes; j++)
                    if (tr->node[j].feature < 0)
                        tr->value[j] = fabs(den[j]) < 1e-150 ? 0.0 : scale * num[j] / den[j];
            }
            for (int i = 0; i < n; i++)
                raw[(size_t)i * K + k] += lr * tr->value[leaf[i]];
        }
        /* prob's first row is free scratch now that the round's trees are fitted */
        g->loss[r] = gbt_loss(g, ts, lab, raw, w, prob);
    }
    rc = 0;
    goto done;
other:
    ut_errf(e, MLG_DATA, "gbt: the model to continue was not fitted on these rows");
    goto done;
oom:
    ut_errf(e, MLG_NOMEM, "out of memory fitting gbt");
done:
    cart_builder_free(b);
    free(lab);
    free(leaf);
    free(perm);
    free(raw);
    free(res);
    free(prob);
    free(w);
    free(num);
    free(den);
    return rc;
}

int rt_gbt_fit(const rt_pval *params, const rt_trainset *ts, rt_model *m, ut_err *e)
{
    return gbt_grow(params, ts, NULL, m, e);
}

int rt_gbt_fit_from(const rt_pval *params, const rt_trainset *ts, const rt_model *from, rt_model **out, ut_err *e)
{
    if (!from || from->family != RT_FAM_GBT || !from->impl || from->p != ts->p || from->nclasses != ts->nclasses)
        return ut_errf(e, MLG_MISUSE, "rt_gbt_fit_from: not a gbt model of this shape");
    rt_model *m = calloc(1, sizeof *m);
    if (!m)
        return ut_errf(e, MLG_NOMEM, "out of memory fitting gbt");
    m->family = RT_FAM_GBT;
    m->p = ts->p;
    m->nclasses = ts->nclasses;
    if (gbt_grow(params, ts, from->impl, m, e)) {
        rt_model_free(m);
        return -1;
    }
    *out = m;
    return 0;
}

int rt_gbt_rounds(const rt_model *m)
{
    return m && m->family == RT_FAM_GBT && m->impl ? ((const gbt_impl *)m->impl)->rounds : 0;
}

const double *rt_gbt_train_loss(const rt_model *m, int *rounds)
{
    if (!m || m->family != RT_FAM_GBT || !m->impl)
        return NULL;
    const gbt_impl *g = m->impl;
    if (rounds)
        *rounds = g->K ? g->rounds : 0;
    return g->loss;
}

int rt_gbt_predict_rounds(const rt_model *m, const double *X, int n, int r,
                          double *pred, double *proba, ut_err *e)
{
    if (!m || m->family != RT_FAM_GBT || !m->impl)
        return ut_errf(e, MLG_MISUSE, "rt_gbt_predict_rounds: not a fitted gbt model");
    const gbt_impl *g = m->impl;
    int K = g->K, C = m->nclasses, p = m->p;
    if (C > 0 && proba)
        memset(proba, 0, (size_t)n * C * sizeof *proba);
    if (K == 0) {
        for (int i = 0; i < n; i++) {
            pred[i] = g->cls[0];
            if (proba)
                proba[(size_t)i * C + g->cls[0]] = 1.0;
        }
        return 0;
    }
    r = r < 0 ? 0 : r > g->rounds ? g->rounds : r;
    double *raw = malloc((size_t)n * K * sizeof *raw), q[2];
    double *qk = K > 2 ? malloc((size_t)K * sizeof *qk) : q;
    if (!raw || !qk) {
        free(raw);
        if (qk != q)
            free(qk);
        return ut_errf(e, MLG_NOMEM, "out of memory predicting with gbt");
    }
    for (int i = 0; i < n; i++)
        memcpy(raw + (size_t)i * K, g->init, (size_t)K * sizeof *raw);
    for (int t = 0; t < r; t++)
        for (int k = 0; k < K; k++) {
            const cart_tree *tr = &g->trees[(size_t)t * K + k];
            for (int i = 0; i < n; i++)
                raw[(size_t)i * K + k] += g->lr * tr->value[cart_apply(tr, X + (size_t)i * p, 0)];
        }
    for (int i = 0; i < n; i++) {
        const double *z = raw + (size_t)i * K;
        if (C == 0) {
            pred[i] = z[0];
            continue;
        }
        if (K == 1) {
            q[1] = rt_sigmoid(z[0]);
            q[0] = 1.0 - q[1];
        } else {
            softmax(z, K, qk);
        }
        const double *pr = K == 1 ? q : qk;
        int kb = 0;
        for (int k = 1; k < g->nfit; k++)
            if (pr[k] > pr[kb])
                kb = k;
        pred[i] = g->cls[kb];
        if (proba)
            for (int k = 0; k < g->nfit; k++)
                proba[(size_t)i * C + g->cls[k]] = pr[k];
    }
    free(raw);
    if (qk != q)
        free(qk);
    return 0;
}

int rt_gbt_predict(const rt_model *m, const double *X, int n, double *pred, double *proba,
                   ut_err *e)
{
    const gbt_impl *g = m->impl;
    return rt_gbt_predict_rounds(m, X, n, g ? g->rounds : 0, pred, proba, e);
}

/* ---- model files ---- */
#include "model_io.h"
int cart_tree_io(rt_mio *io, cart_tree *t, int p, int nout);

int rt_gbt_io(rt_mio *io, rt_model *m)
{
    gbt_impl *g = m->impl;
    int C = m->nclasses;
    if (!io->writing) {
        if (!(g = calloc(1, sizeof *g))) return ut_errf(io->e, MLG_NOMEM, "out of memory");
        m->impl = g;
        m->impl_free = gbt_free;
    }
    /* K trees per round: 1 (regression, binary), the classes fitted, or 0
     * (one class: a constant model) */
    if (rt_mio_int(io, "trees_per_round", &g->K, 0, C > 2 ? C : 1)) return -1;
    if (rt_mio_int(io, "rounds", &g->rounds, 0, 100000)) return -1;
    if (rt_mio_num(io, "learning_rate", &g->lr)) return -1;
    if (C > 0) {
        if (rt_mio_int(io, "nfit", &g->nfit, 1, C)) return -1;
        if (rt_mio_ivec(io, "classes_fitted", &g->cls, (size_t)g->nfit, 0, C - 1)) return -1;
    }
    if (!io->writing) {
        int ok = C == 0 ? g->K == 1
                        : g->K == 0 ? g->nfit >= 1 : g->K == 1 ? g->nfit == 2 : g->K == g->nfit;
        if (!ok) return rt_mio_fail(io, "trees_per_round = %d does not fit %d fitted classes", g->K, g->nfit);
    }
    if (g->K == 0) return 0;
    if (rt_mio_dvec(io, "init", &g->init, (size_t)g->K, 0)) return -1;
    if (rt_mio_dvec(io, "train_loss", &g->loss, (size_t)g->rounds, 0)) return -1;
    int n = g->rounds * g->K;
    if (rt_mio_list(io, "trees", &n, 100000 * 64)) return -1;
    if (!io->writing) {
        if (n != g->rounds * g->K) return rt_mio_fail(io, "has %d trees, rounds x trees_per_round = %d", n, g->rounds * g->K);
        if (!(g->trees = calloc((size_t)(n ? n : 1), sizeof *g->trees))) return ut_errf(io->e, MLG_NOMEM, "out of memory");
    }
    for (int t = 0; t < n; t++) {
        if (rt_mio_item(io, t)) return -1;
        if (cart_tree_io(io, &g->trees[t], m->p, 1)) return -1;
        rt_mio_leave(io);
    }
    rt_mio_leave(io);
    return 0;
}
