/* fam_logreg.c — scikit-learn's LogisticRegression(penalty='l2', C,
 * fit_intercept=True, solver='lbfgs'): minimize
 *     0.5·||W||²  +  C · Σ_i logloss_i          (intercepts unpenalized)
 * binary with one sigmoid weight vector, multiclass with a multinomial
 * softmax over one weight vector per class.  Solved with L-BFGS (m = 10) and
 * a strong-Wolfe line search to a tight gradient tolerance, so that the
 * optimum (not just "an" iterate) is returned and matches sklearn run to
 * convergence.  The whole batch is evaluated with two GEMMs per call. */
#include "families.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../include/mileage.h"
#include "linalg.h"

#define LBFGS_M     10
#define LS_MAXEVAL  40
#define LS_C1       1e-4
#define LS_C2       0.9

/* The problem: parameters are x = [W (nout x p, row-major) | b (nout)]. */
typedef struct {
    const double *X;
    int n, p, nout;
    const int *lab;     /* per row: fitted-class index (binary: 0/1)        */
    double C;
    double *Z;          /* n x nout scores, then residuals                  */
} lr_prob;

/* log(1 + exp(z)) without overflow or loss of precision for large |z|. */
static double softplus(double z)
{
    return z > 0 ? z + log1p(exp(-z)) : log1p(exp(z));
}

/* f(x) and its gradient g; returns f (NaN/Inf propagate to the caller). */
static double lr_eval(const lr_prob *P, const double *x, double *g)
{
    int n = P->n, p = P->p, K = P->nout;
    const double *W = x, *b = x + (size_t)K * p;
    double *Z = P->Z, loss = 0;

    la_gemm(0, 1, n, K, p, 1.0, P->X, W, 0.0, Z);
    for (int i = 0; i < n; i++) {
        double *z = Z + (size_t)i * K;
        for (int k = 0; k < K; k++)
            z[k] += b[k];
        if (K == 1) {
            double y = P->lab[i];
            loss += softplus(z[0]) - y * z[0];
            z[0] = P->C * (rt_sigmoid(z[0]) - y);
            continue;
        }
        /* log-sum-exp shifted by the row maximum. */
        double mx = z[0], s = 0;
        for (int k = 1; k < K; k++)
            if (z[k] > mx)
                mx = z[k];
        for (int k = 0; k < K; k++)
            s += exp(z[k] - mx);
        double lse = mx + log(s);
        loss += lse - z[P->lab[i]];
        for (int k = 0; k < K; k++)
            z[k] = P->C * (exp(z[k] - lse) - (k == P->lab[i]));
    }
    /* Z now holds residuals R: grad W = W + Rᵀ X, grad b = column sums. */
    memcpy(g, W, (size_t)K * p * sizeof *g);
    la_gemm(1, 0, K, p, n, 1.0, Z, P->X, 1.0, g);
    double *gb = g + (size_t)K * p;
    for (int k = 0; k < K; k++)
        gb[k] = 0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < K; k++)
            gb[k] += Z[(size_t)i * K + k];
    double wn = la_dot(K * p, W, W);
    return 0.5 * wn + P->C * loss;
}

static double max_abs(int d, const double *v)
{
    double m = 0;
    for (int i = 0; i < d; i++) {
        if (isnan(v[i]))
            return NAN;
        if (fabs(v[i]) > m)
            m = fabs(v[i]);
    }
    return m;
}

/* Line search state: the trial point is written to xt/gt. */
typedef struct {
    const lr_prob *P;
    int d;
    const double *x, *dir;
    double *xt, *gt;
    double f0, dphi0, slack;
    int nevals;
} lr_ls;

static double ls_eval(lr_ls *L, double a, double *dphi)
{
    for (int i = 0; i < L->d; i++)
        L->xt[i] = L->x[i] + a * L->dir[i];
    double f = lr_eval(L->P, L->xt, L->gt);
    *dphi = la_dot(L->d, L->gt, L->dir);
    L->nevals++;
    return f;
}

/* Sufficient decrease, with a slack at the rounding level of f: close to the
 * optimum the true decrease is below what f can resolve, and a plain Armijo
 * test would then reject every step (Hager–Zhang's approximate Wolfe idea). */
static int ls_armijo(const lr_ls *L, double a, double f)
{
    return f <= L->f0 + LS_C1 * a * L->dphi0 + L->slack;
}

/* Strong Wolfe line search (Nocedal & Wright, alg. 3.5/3.6).  Returns 1 with
 * the accepted point in xt/gt and *fa set, 0 if no acceptable step was found,
 * -1 if f became NaN. */
static int line_search(lr_ls *L, double a, double *fa)
{
    double a_prev = 0, f_prev = L->f0, d_prev = L->dphi0;
    double lo, hi, flo, dlo, dhi;
    double f, dphi;

    for (;;) {
        f = ls_eval(L, a, &dphi);
        if (isnan(f) || isnan(dphi))
            return -1;
        if (isinf(f) || !ls_armijo(L, a, f) || (a_prev > 0 && f >= f_prev)) {
            lo = a_prev; flo = f_prev; dlo = d_prev; hi = a; dhi = dphi;
            break;
        }
        if (fabs(dphi) <= -LS_C2 * L->dphi0) {
            *fa = f;
            return 1;
        }
        if (dphi >= 0) {
            lo = a; flo = f; dlo = dphi; hi = a_prev; dhi = d_prev;
            break;
        }
        if (L->nevals >= LS_MAXEVAL)
            return 0;
        a_prev = a; f_prev = f; d_prev = dphi;
        a *= 2.0;   /* still descending steeply: expand */
    }

    /* zoom: lo always satisfies Armijo and has the lowest f seen so far. */
    while (L->nevals < LS_MAXEVAL) {
        double w = hi - lo, t;
        /* The slope is monotone along a line for this convex f: where it
         * changes sign between lo and hi, the secant root is a good guess;
         * otherwise bisect.  Keep away from the ends of the interval. */
        if (isfinite(dhi) && dlo * dhi < 0)
            t = lo - dlo * w / (dhi - dlo);
        else
            t = lo + 0.5 * w;
        double lo_end = lo + 0.1 * w, hi_end = hi - 0.1 * w;
        if ((t - lo_end) * (t - hi_end) > 0)
            t = lo + 0.5 * w;
        if (fabs(w) < 1e-16 * fmax(1.0, fabs(lo)))
            return 0;
        f = ls_eval(L, t, &dphi);
        if (isnan(f) || isnan(dphi))
            return -1;
        if (isinf(f) || !ls_armijo(L, t, f) || f >= flo) {
            hi = t; dhi = dphi;
            continue;
        }
        if (fabs(dphi) <= -LS_C2 * L->dphi0) {
            *fa = f;
            return 1;
        }
        if (dphi * (hi - lo) >= 0) {
            hi = lo; dhi = dlo;
        }
        lo = t; flo = f; dlo = dphi;
    }
    return 0;
}

/* L-BFGS from x = 0 (as sklearn starts).  x receives the solution. */
static int lbfgs(const lr_prob *P, double *x, int max_iter, double tol,
                 rt_model *m, ut_err *e)
{
    int d = P->nout * (P->p + 1);
    int rc = -1;
    double *buf = malloc((size_t)d * (5 + 2 * LBFGS_M) * sizeof *buf);
    double rho[LBFGS_M], alph[LBFGS_M];
    if (!buf)
        return ut_errf(e, MLG_NOMEM, "out of memory fitting logreg");
    double *g = buf, *dir = g + d, *xt = dir + d, *gt = xt + d, *tmp = gt + d;
    double *S = tmp + d, *Y = S + (size_t)LBFGS_M * d;
    int nmem = 0, head = 0, iter = 0;

    memset(x, 0, (size_t)d * sizeof *x);
    double f = lr_eval(P, x, g);
    for (;; iter++) {
        double gmax = max_abs(d, g);
        if (!isfinite(f) || isnan(gmax)) {
            ut_errf(e, MLG_NUMERIC, "logreg: objective became non-finite"
                    " (iteration %d); try a smaller C or standardize", iter);
            goto done;
        }
        m->objective = f;
        m->grad_max = gmax;
        if (gmax <= tol * fmax(1.0, fabs(f)))
            break;
        if (iter >= max_iter) {
            m->hit_max_iter = 1;
            break;
        }

        /* Two-loop recursion: dir = −H g. */
        for (int i = 0; i < d; i++)
            dir[i] = -g[i];
        for (int j = 0; j < nmem; j++) {
            int s = (head - 1 - j + LBFGS_M) % LBFGS_M;
            alph[s] = rho[s] * la_dot(d, S + (size_t)s * d, dir);
            la_axpy(d, -alph[s], Y + (size_t)s * d, dir);
        }
        double a0 = 1.0;
        if (nmem > 0) {
            int s = (head - 1 + LBFGS_M) % LBFGS_M;
            const double *yv = Y + (size_t)s * d;
            double gamma = 1.0 / (rho[s] * la_dot(d, yv, yv));
            for (int i = 0; i < d; i++)
                dir[i] *= gamma;
        } else {
            /* No curvature yet: a first step of unit length. */
            double gn = sqrt(la_dot(d, g, g));
            a0 = gn > 1.0 ? 1.0 / gn : 1.0;
        }
        for (int j = nmem - 1; j >= 0; j--) {
            int s = (head - 1 - j + LBFGS_M) % LBFGS_M;
            double beta = rho[s] * la_dot(d, Y + (size_t)s * d, dir);
            la_axpy(d, alph[s] - beta, S + (size_t)s * d, dir);
        }
        double dphi0 = la_dot(d, g, dir);
        if (!(dphi0 < 0)) {            /* not a descent direction: restart */
            if (nmem == 0)             /* −g itself is flat: nothing to do */
                break;
            nmem = 0;
            iter--;
            continue;
        }

        lr_ls L = { P, d, x, dir, xt, gt, f, dphi0,
                    1e-12 * fabs(f), 0 };
        double ft = f;
        int ok = line_search(&L, a0, &ft);
        if (ok < 0) {
            ut_errf(e, MLG_NUMERIC, "logreg: objective became NaN in the line"
                    " search (iteration %d)", iter);
            goto done;
        }
        if (ok == 0) {
            /* No progress along an L-BFGS direction: retry once with fresh
             * memory (steepest descent); failing that, f cannot be reduced
             * at machine precision and x is as good as it gets. */
            if (nmem == 0)
                break;
            nmem = 0;
            iter--;
            continue;
        }
        /* Store the pair (s, y) when it carries positive curvature. */
        double *sv = S + (size_t)head * d, *yv = Y + (size_t)head * d;
        for (int i = 0; i < d; i++) {
            sv[i] = xt[i] - x[i];
            yv[i] = gt[i] - g[i];
        }
        double sy = la_dot(d, sv, yv);
        if (sy > 1e-16 * la_dot(d, yv, yv)) {
            rho[head] = 1.0 / sy;
            head = (head + 1) % LBFGS_M;
            if (nmem < LBFGS_M)
                nmem++;
        }
        memcpy(x, xt, (size_t)d * sizeof *x);
        memcpy(g, gt, (size_t)d * sizeof *g);
        f = ft;
    }
    m->n_iter = iter;
    rc = 0;
done:
    free(buf);
    return rc;
}

int rt_logreg_fit(const rt_pval *params, const rt_trainset *ts,
                  rt_model *m, ut_err *e)
{
    double C = params[0].num, tol = params[2].num;
    int max_iter = (int)params[1].num;
    int n = ts->n, p = ts->p, K = ts->nclasses;
    int rc = -1, *lab = NULL, *map = NULL;
    double *Z = NULL, *x = NULL;

    if (!(C > 0) || !isfinite(C))
        return ut_errf(e, MLG_MISUSE, "logreg: C must be > 0 (got %g)", C);
    if (!(tol >= 0))
        return ut_errf(e, MLG_MISUSE, "logreg: tol must be >= 0 (got %g)", tol);
    if (max_iter < 0)
        max_iter = 0;

    /* Fit only the classes present in these rows (like sklearn's
     * LabelEncoder): an absent class would drive its unpenalized intercept
     * to −∞ and the solver would never converge. */
    map = malloc((size_t)K * sizeof *map);
    lab = malloc((size_t)n * sizeof *lab);
    m->cls = malloc((size_t)K * sizeof *m->cls);
    if (!map || !lab || !m->cls) {
        ut_errf(e, MLG_NOMEM, "out of memory fitting logreg");
        goto done;
    }
    for (int k = 0; k < K; k++)
        map[k] = -1;
    for (int i = 0; i < n; i++)
        map[ts->yc[i]] = 1;
    m->nfit = 0;
    for (int k = 0; k < K; k++)
        if (map[k] > 0) {
            map[k] = m->nfit;
            m->cls[m->nfit++] = k;
        }
    for (int i = 0; i < n; i++)
        lab[i] = map[ts->yc[i]];
    if (m->nfit < 2) {          /* one class: nothing to learn */
        m->nout = 0;
        m->constant = m->cls[0];
        rc = 0;
        goto done;
    }

    int nout = m->nfit == 2 ? 1 : m->nfit;
    int d = nout * (p + 1);
    m->nout = nout;
    Z = malloc((size_t)n * nout * sizeof *Z);
    x = malloc((size_t)d * sizeof *x);
    m->coef = malloc((size_t)(nout * p > 0 ? nout * p : 1) * sizeof *m->coef);
    m->intercept = malloc((size_t)nout * sizeof *m->intercept);
    if (!Z || !x || !m->coef || !m->intercept) {
        ut_errf(e, MLG_NOMEM, "out of memory fitting logreg");
        goto done;
    }
    lr_prob P = { ts->X, n, p, nout, lab, C, Z };
    if (lbfgs(&P, x, max_iter, tol, m, e) != 0)
        goto done;
    memcpy(m->coef, x, (size_t)nout * p * sizeof *x);
    memcpy(m->intercept, x + (size_t)nout * p, (size_t)nout * sizeof *x);
    if (nout > 1) {
        /* Softmax is unchanged by a common shift of the intercepts; report
         * the zero-mean representative (what sklearn's iterates keep). */
        double mb = 0;
        for (int k = 0; k < nout; k++)
            mb += m->intercept[k];
        mb /= nout;
        for (int k = 0; k < nout; k++)
            m->intercept[k] -= mb;
    }
    rc = 0;
done:
    free(map);
    free(lab);
    free(Z);
    free(x);
    return rc;
}

int rt_logreg_predict(const rt_model *m, const double *X, int n, double *pred,
                      double *proba, ut_err *e)
{
    int K = m->nclasses, nout = m->nout;
    if (proba)
        memset(proba, 0, (size_t)n * K * sizeof *proba);
    if (nout == 0) {
        for (int i = 0; i < n; i++) {
            pred[i] = m->constant;
            if (proba)
                proba[(size_t)i * K + m->cls[0]] = 1.0;
        }
        return 0;
    }
    double *s = malloc((size_t)n * nout * sizeof *s);
    if (!s)
        return ut_errf(e, MLG_NOMEM, "out of memory predicting with logreg");
    rt_linear_scores(m, X, n, s);
    for (int i = 0; i < n; i++) {
        const double *z = s + (size_t)i * nout;
        double *pr = proba ? proba + (size_t)i * K : NULL;
        if (nout == 1) {
            pred[i] = m->cls[z[0] > 0];
            if (pr) {
                double q = rt_sigmoid(z[0]);
                pr[m->cls[0]] = 1.0 - q;
                pr[m->cls[1]] = q;
            }
            continue;
        }
        int best = 0;
        for (int k = 1; k < nout; k++)
            if (z[k] > z[best])
                best = k;
        pred[i] = m->cls[best];
        if (pr) {
            double sum = 0;
            for (int k = 0; k < nout; k++)
                sum += exp(z[k] - z[best]);
            for (int k = 0; k < nout; k++)
                pr[m->cls[k]] = exp(z[k] - z[best]) / sum;
        }
    }
    free(s);
    return 0;
}
