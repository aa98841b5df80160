/* fam_ridge.c — scikit-learn's Ridge / RidgeClassifier (dense, no sample
 * weights).  With an intercept, X and the targets are centered on the
 * training rows, so the intercept is unpenalized:
 *     (XcᵀXc + alpha I) W = XcᵀYc,   intercept = ȳ − x̄ᵀW.
 * The classifier regresses on ±1 targets (binary: one column whose +1 is the
 * last class, like sklearn's LabelBinarizer) and takes the argmax. */
#include "families.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../include/mileage.h"
#include "linalg.h"

/* Minimum-norm solution through the eigenvectors of the Gram matrix G:
 * W = V diag(1/(λ+alpha)) Vᵀ B, dropping directions whose λ+alpha is at the
 * rounding level of the largest one.  Used when Cholesky is unsafe (alpha=0)
 * or fails; it is the pseudo-inverse when X is rank deficient.  The cutoff is
 * relative to the Gram's spectrum (p·eps·λmax): below it an eigenvalue is
 * indistinguishable from rounding error of the Gram itself. */
static int solve_eigen(int p, int nrhs, const double *G, double alpha,
                       const double *B, double *W, ut_err *e)
{
    int rc = -1;
    double *V = malloc((size_t)p * p * sizeof *V);
    double *lam = malloc((size_t)p * sizeof *lam);
    double *T = malloc((size_t)p * nrhs * sizeof *T);
    if (!V || !lam || !T) {
        ut_errf(e, MLG_NOMEM, "out of memory");
        goto done;
    }
    memcpy(V, G, (size_t)p * p * sizeof *V);
    /* an infinite feature (a value overflowed upstream) or products past
     * DBL_MAX make the Gram non-finite; LAPACK would only say that it did
     * not converge */
    for (long i = 0; i < (long)p * p; i++) {
        if (!isfinite(G[i])) {
            ut_errf(e, MLG_NUMERIC, "ridge: the Gram matrix X'X is not finite (a feature value is infinite or"
                                    " too large; scale the data first)");
            goto done;
        }
    }
    if (la_syev(p, V, lam) != 0) {
        ut_errf(e, MLG_NUMERIC, "ridge: eigendecomposition did not converge");
        goto done;
    }
    double top = lam[p - 1] + alpha;
    double cutoff = top > 0 ? top * p * DBL_EPSILON : 0.0;
    /* T = Vᵀ B, scaled row by row, then W = V T. */
    la_gemm(1, 0, p, nrhs, p, 1.0, V, B, 0.0, T);
    for (int j = 0; j < p; j++) {
        double d = lam[j] + alpha;
        double inv = d > cutoff ? 1.0 / d : 0.0;
        for (int k = 0; k < nrhs; k++)
            T[(size_t)j * nrhs + k] *= inv;
    }
    la_gemm(0, 0, p, nrhs, p, 1.0, V, T, 0.0, W);
    rc = 0;
done:
    free(V);
    free(lam);
    free(T);
    return rc;
}

/* What every alpha of one training set shares: the centered Gram matrix
 * G = XcᵀXc, B = XcᵀYc and the means.  Computing them once and solving per
 * alpha gives exactly the coefficients separate fits would (the same G,
 * the same Cholesky), so a grid over alpha costs one O(n p²) pass. */
typedef struct {
    int p, nout;
    double *G, *B, *xm, *ym;
} ridge_prep;

static void prep_free(ridge_prep *r)
{
    free(r->G); free(r->B); free(r->xm); free(r->ym);
}

/* Rows per centred block: G and B are accumulated block by block, so the
 * centred copy is one block, not the whole training matrix. */
#define PREP_BLOCK 4096

static int prep_init(ridge_prep *r, int intercept, const rt_trainset *ts, ut_err *e)
{
    int n = ts->n, p = ts->p, K = ts->nclasses;
    int nout = K > 2 ? K : 1, rc = -1;
    int blk = n < PREP_BLOCK ? (n > 0 ? n : 1) : PREP_BLOCK;
    memset(r, 0, sizeof *r);
    r->p = p;
    r->nout = nout;
    double *Xc = malloc((size_t)blk * (p > 0 ? p : 1) * sizeof *Xc);
    double *Yc = malloc((size_t)n * nout * sizeof *Yc + 1);
    r->xm = calloc((size_t)(p > 0 ? p : 1), sizeof *r->xm);
    r->ym = calloc((size_t)nout, sizeof *r->ym);
    r->G = malloc((size_t)(p > 0 ? p * p : 1) * sizeof *r->G);
    r->B = malloc((size_t)(p > 0 ? p : 1) * nout * sizeof *r->B);
    if (!Xc || !Yc || !r->xm || !r->ym || !r->G || !r->B) {
        ut_errf(e, MLG_NOMEM, "out of memory fitting ridge");
        goto done;
    }
    /* Targets: the regression column, or ±1 indicator columns. */
    for (int i = 0; i < n; i++)
        for (int k = 0; k < nout; k++) {
            double t;
            if (K == 0)
                t = ts->y[i];
            else if (nout == 1)
                t = ts->yc[i] == K - 1 ? 1.0 : -1.0;
            else
                t = ts->yc[i] == k ? 1.0 : -1.0;
            Yc[(size_t)i * nout + k] = t;
        }
    if (intercept) {
        double *xm = r->xm, *ym = r->ym;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < p; j++)
                xm[j] += ts->X[(size_t)i * p + j];
            for (int k = 0; k < nout; k++)
                ym[k] += Yc[(size_t)i * nout + k];
        }
        for (int j = 0; j < p; j++)
            xm[j] /= n;
        for (int k = 0; k < nout; k++)
            ym[k] /= n;
        for (int i = 0; i < n; i++)
            for (int k = 0; k < nout; k++)
                Yc[(size_t)i * nout + k] -= ym[k];
    }
    if (p > 0) {
        memset(r->G, 0, (size_t)p * p * sizeof *r->G);
        memset(r->B, 0, (size_t)p * nout * sizeof *r->B);
        for (int i0 = 0; i0 < n; i0 += blk) {
            int m = n - i0 < blk ? n - i0 : blk;
            for (int i = 0; i < m; i++)
                for (int j = 0; j < p; j++)
                    Xc[(size_t)i * p + j] = ts->X[(size_t)(i0 + i) * p + j] - r->xm[j];
            la_gram(m, p, Xc, 1.0, 1.0, r->G);
            la_gemm(1, 0, p, nout, m, 1.0, Xc, Yc + (size_t)i0 * nout, 1.0, r->B);
        }
    }
    rc = 0;
done:
    free(Xc);
    free(Yc);
    if (rc) prep_free(r);
    return rc;
}

static int prep_solve(const ridge_prep *r, double alpha, rt_model *m, ut_err *e)
{
    int p = r->p, nout = r->nout, rc = -1;
    if (!(alpha >= 0) || !isfinite(alpha))
        return ut_errf(e, MLG_MISUSE, "ridge: alpha must be >= 0 (got %g)", alpha);
    m->nout = nout;
    m->coef = calloc((size_t)nout * (p > 0 ? p : 1), sizeof *m->coef);
    m->intercept = calloc((size_t)nout, sizeof *m->intercept);
    double *A = malloc((size_t)(p > 0 ? p * p : 1) * sizeof *A);
    double *W = calloc((size_t)(p > 0 ? p : 1) * nout, sizeof *W);
    if (!m->coef || !m->intercept || !A || !W) {
        ut_errf(e, MLG_NOMEM, "out of memory fitting ridge");
        goto done;
    }
    if (p > 0) {
        int solved = 0;
        /* alpha = 0 goes straight to the eigen path: Cholesky of a
         * rank-deficient Gram can "succeed" on rounding noise and return
         * huge, meaningless coefficients. */
        if (alpha > 0) {
            memcpy(A, r->G, (size_t)p * p * sizeof *A);
            for (int j = 0; j < p; j++)
                A[(size_t)j * p + j] += alpha;
            memcpy(W, r->B, (size_t)p * nout * sizeof *W);
            solved = la_posv(p, nout, A, W) == 0;
        }
        if (!solved && solve_eigen(p, nout, r->G, alpha, r->B, W, e) != 0)
            goto done;
    }
    for (int k = 0; k < nout; k++) {
        double b = r->ym[k];
        for (int j = 0; j < p; j++) {
            double w = W[(size_t)j * nout + k];
            m->coef[(size_t)k * p + j] = w;
            b -= r->xm[j] * w;
        }
        m->intercept[k] = b;
    }
    for (int i = 0; i < nout * p; i++)
        if (!isfinite(m->coef[i])) {
            ut_errf(e, MLG_NUMERIC, "ridge: non-finite coefficients");
            goto done;
        }
    rc = 0;
done:
    free(A);
    free(W);
    return rc;
}

int rt_ridge_fit(const rt_pval *params, const rt_trainset *ts,
                 rt_model *m, ut_err *e)
{
    ridge_prep r;
    if (prep_init(&r, params[1].num != 0.0, ts, e))
        return -1;
    int rc = prep_solve(&r, params[0].num, m, e);
    prep_free(&r);
    return rc;
}

/* One solve per alpha from r's statistics; a failing alpha gets its reason
 * in err[i], out of memory ends all (-1).  Frees r. */
static int solve_alphas(ridge_prep *r, const double *alphas, int nalpha, rt_model *const *models, char **err,
                        ut_err *e)
{
    int rc = 0;
    for (int i = 0; i < nalpha && !rc; i++) {
        ut_err me;
        ut_err_clear(&me);
        if (prep_solve(r, alphas[i], models[i], &me)) {
            if (me.code == MLG_NOMEM) {
                *e = me;
                rc = -1;
            } else {
                err[i] = ut_strdup(me.msg);
            }
        }
    }
    prep_free(r);
    return rc;
}

int rt_ridge_fit_many(const double *alphas, int nalpha, int intercept, const rt_trainset *ts,
                      rt_model *const *models, char **err, ut_err *e)
{
    ridge_prep r;
    if (prep_init(&r, intercept, ts, e))
        return -1;
    return solve_alphas(&r, alphas, nalpha, models, err, e);
}

int rt_ridge_predict(const rt_model *m, const double *X, int n, double *pred,
                     double *proba, ut_err *e)
{
    int K = m->nclasses, nout = m->nout;
    double *s = malloc((size_t)n * nout * sizeof *s);
    if (!s)
        return ut_errf(e, MLG_NOMEM, "out of memory predicting with ridge");
    rt_linear_scores(m, X, n, s);
    for (int i = 0; i < n; i++) {
        const double *si = s + (size_t)i * nout;
        if (K == 0) {
            pred[i] = si[0];
            continue;
        }
        if (K == 1) {                 /* one class seen: nothing to decide */
            pred[i] = 0;
            if (proba)
                proba[i] = 1.0;
            continue;
        }
        /* Scores are not probabilities.  proba follows sklearn's
         * LinearClassifierMixin._predict_proba_lr: binary [1−σ(d), σ(d)];
         * multiclass σ(d_k) renormalized to sum 1.  Monotone in each
         * decision value, which is what ranking metrics need. */
        if (nout == 1) {
            pred[i] = rt_decide(si, 1) ? K - 1 : 0;
            if (proba) {
                double q = rt_sigmoid(si[0]);
                proba[(size_t)i * 2] = 1.0 - q;
                proba[(size_t)i * 2 + 1] = q;
            }
            continue;
        }
        pred[i] = rt_decide(si, K);
        if (proba) {
            double sum = 0;
            for (int k = 0; k < K; k++)
                sum += proba[(size_t)i * K + k] = rt_sigmoid(si[k]);
            for (int k = 0; k < K; k++)
                proba[(size_t)i * K + k] /= sum;
        }
    }
    free(s);
    return 0;
}

/* ---- progressive reuse (DESIGN.md §4 item 5) ----
 * Statistics kept as means and centered cross products, merged by Chan,
 * Golub & LeVeque's pairwise update: with δ = x̄_b − x̄_a and n = n_a + n_b,
 *     x̄ = x̄_a + δ n_b / n,   M = M_a + M_b + δ δᵀ n_a n_b / n.
 * A new batch is centered on its own mean (like prep_init), so updating
 * never subtracts large uncentered sums. */
void rt_ridge_stats_clear(rt_ridge_stats *s)
{
    free(s->xm); free(s->ym); free(s->G); free(s->B);
    memset(s, 0, sizeof *s);
}

int rt_ridge_stats_add(rt_ridge_stats *s, const rt_trainset *ts, int from, int to, ut_err *e)
{
    int p = ts->p, K = ts->nclasses, nout = K > 2 ? K : 1, nb = to - from;
    if (nb <= 0) return 0;
    if (!s->G) {
        memset(s, 0, sizeof *s);
        s->p = p, s->nout = nout;
        s->xm = calloc((size_t)p + 1, sizeof *s->xm);
        s->ym = calloc((size_t)nout, sizeof *s->ym);
        s->G = calloc((size_t)p * p + 1, sizeof *s->G);
        s->B = calloc((size_t)p * nout + 1, sizeof *s->B);
        if (!s->xm || !s->ym || !s->G || !s->B) {
            rt_ridge_stats_clear(s);
            return ut_errf(e, MLG_NOMEM, "out of memory");
        }
    }
    /* the batch alone, centered: prep_init on rows [from, to) */
    rt_trainset b = *ts;
    b.X = ts->X + (size_t)from * p;
    b.y = ts->y ? ts->y + from : NULL;
    b.yc = ts->yc ? ts->yc + from : NULL;
    b.n = nb;
    ridge_prep r;
    if (prep_init(&r, 1, &b, e)) return -1;
    double na = (double)s->n, n = na + nb, f = na * nb / n;
    double *dx = malloc((size_t)p * sizeof *dx + 1), *dy = malloc((size_t)nout * sizeof *dy);
    if (!dx || !dy) {
        free(dx), free(dy), prep_free(&r);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    for (int j = 0; j < p; j++) dx[j] = r.xm[j] - s->xm[j];
    for (int k = 0; k < nout; k++) dy[k] = r.ym[k] - s->ym[k];
    for (int i = 0; i < p; i++) {
        for (int j = 0; j < p; j++) s->G[(size_t)i * p + j] += r.G[(size_t)i * p + j] + dx[i] * dx[j] * f;
        for (int k = 0; k < nout; k++) s->B[(size_t)i * nout + k] += r.B[(size_t)i * nout + k] + dx[i] * dy[k] * f;
    }
    for (int j = 0; j < p; j++) s->xm[j] += dx[j] * nb / n;
    for (int k = 0; k < nout; k++) s->ym[k] += dy[k] * nb / n;
    s->n += nb;
    free(dx), free(dy);
    prep_free(&r);
    return 0;
}

int rt_ridge_fit_stats(const rt_ridge_stats *s, const double *alphas, int nalpha, int intercept,
                       rt_model *const *models, char **err, ut_err *e)
{
    int p = s->p, nout = s->nout;
    ridge_prep r = {p, nout, NULL, NULL, NULL, NULL};
    r.G = malloc((size_t)p * p * sizeof *r.G + 1);
    r.B = malloc((size_t)p * nout * sizeof *r.B + 1);
    r.xm = calloc((size_t)p + 1, sizeof *r.xm);
    r.ym = calloc((size_t)nout, sizeof *r.ym);
    if (!r.G || !r.B || !r.xm || !r.ym) {
        prep_free(&r);
        return ut_errf(e, MLG_NOMEM, "out of memory");
    }
    memcpy(r.G, s->G, (size_t)p * p * sizeof *r.G);
    memcpy(r.B, s->B, (size_t)p * nout * sizeof *r.B);
    if (intercept) {
        memcpy(r.xm, s->xm, (size_t)p * sizeof *r.xm);
        memcpy(r.ym, s->ym, (size_t)nout * sizeof *r.ym);
    } else {
        /* uncentered: XᵀX = M + n x̄x̄ᵀ, XᵀY = C + n x̄ȳᵀ */
        double n = (double)s->n;
        for (int i = 0; i < p; i++) {
            for (int j = 0; j < p; j++) r.G[(size_t)i * p + j] += n * s->xm[i] * s->xm[j];
            for (int k = 0; k < nout; k++) r.B[(size_t)i * nout + k] += n * s->xm[i] * s->ym[k];
        }
    }
    return solve_alphas(&r, alphas, nalpha, models, err, e);
}
