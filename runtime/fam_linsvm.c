/* fam_linsvm.c — scikit-learn's LinearSVC(C, loss, class_weight, max_iter,
 * tol) with its defaults penalty='l2', fit_intercept=True,
 * intercept_scaling=1, multi_class='ovr', on
 *     min_w  0.5·||[w; b]||²  +  Σ_i C_i · ξ(y_i (wᵀx_i + b))
 * with ξ(m) = max(0, 1 − m)² (squared_hinge) or max(0, 1 − m) (hinge).
 * Like liblinear, the intercept is the weight of a constant feature of value
 * 1 (intercept_scaling) and IS regularized, so coefficients match sklearn's.
 *
 * Solvers: squared_hinge on up to 2047 columns by the finite Newton method
 * (svm_newton below), which ends at the optimum to rounding — the C path
 * (share.c) starts each C there from the previous C's weights and gets the
 * cold fit's answer; hinge, wider tables, and a Hessian that overflows
 * (features near 1e200) by liblinear's dual coordinate descent (Hsieh et
 * al. 2008, solve_l2r_l1l2_svc with its shrinking and stopping rule),
 * which stops at tol.
 *
 * Classes: only the k classes present in the training rows are fitted (like
 * sklearn's LabelEncoder; m->cls maps them back).  k = 2: one model whose
 * positive class is the higher code, C_i = C·weight(class of i).  k > 2:
 * one-vs-rest, one model per class; liblinear (and so sklearn) then applies
 * the class weight to the positive class only — the "rest" rows keep the
 * plain C — and that quirk is reproduced.  balanced weights are
 * n / (k · count(class)).  k = 1 predicts that class.
 *
 * Determinism: liblinear visits the dual variables in a random order each
 * sweep; here the order comes from a generator seeded with ts->seed, so a
 * fit is reproducible (sklearn's LinearSVC is only reproducible with a fixed
 * random_state, and its generator differs).  At convergence every order
 * reaches the same optimum to within tol; tests compare at a tight tol
 * (the Newton method's optimum meets sklearn's at tol = 1e-10 likewise).
 *
 * predict: argmax of the decision values (binary: decision > 0 → the higher
 * class).  proba: LinearSVC has none; we return what sklearn's
 * _predict_proba_lr would (as fam_ridge.c does): binary [1 − σ(d), σ(d)],
 * multiclass σ(d_k) normalized to sum 1 — monotone in the decisions, which
 * is all the ranking metrics (auc, logloss) need. */
#include "families.h"
#include "stop.h"
#include "linalg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../include/mileage.h"

/* One binary dual problem: y[i] = ±1, ub[i] = upper bound of alpha_i (C_i
 * for hinge, +∞ for squared hinge), dg[i] = diagonal term (0 for hinge,
 * 1/(2C_i) for squared hinge).  w receives p + 1 weights (bias last). */
typedef struct {
    const double *X;
    int n, p;
    const signed char *y;
    const double *ub, *dg;
    const double *xx;   /* ||x_i||² + 1 (the bias feature) */
    double tol;
    int max_iter;
    /* scratch, n each */
    double *alpha, *QD;
    int *index;
    ut_rng *rng;
} svm_prob;

static double dot_row(int p, const double *w, const double *xi)
{
    double s = w[p];          /* bias feature = 1 */
    for (int j = 0; j < p; j++)
        s += w[j] * xi[j];
    return s;
}

/* Returns the sweeps used, or -1 when the statement must stop
 * (rt_stop_requested); *gap gets the final projected-gradient spread. */
static int svm_solve(const svm_prob *S, double *w, int *hit, double *gap)
{
    int n = S->n, p = S->p, iter = 0, active = n;
    double PGmax_old = INFINITY, PGmin_old = -INFINITY;
    double *alpha = S->alpha, *QD = S->QD;
    int *index = S->index;

    memset(w, 0, (size_t)(p + 1) * sizeof *w);
    for (int i = 0; i < n; i++) {
        alpha[i] = 0;
        QD[i] = S->dg[i] + S->xx[i];
        index[i] = i;
    }
    *gap = INFINITY;
    *hit = 0;
    while (iter < S->max_iter) {
        if (rt_stop_requested())
            return -1;
        double PGmax_new = -INFINITY, PGmin_new = INFINITY;
        for (int i = 0; i < active; i++) {
            int j = i + (int)ut_rng_below(S->rng, (uint64_t)(active - i));
            int t = index[i];
            index[i] = index[j];
            index[j] = t;
        }
        for (int s = 0; s < active; s++) {
            int i = index[s];
            const double *xi = S->X + (size_t)i * p;
            double yi = S->y[i];
            double G = yi * dot_row(p, w, xi) - 1 + alpha[i] * S->dg[i];
            double C = S->ub[i], PG = 0;
            if (alpha[i] == 0) {
                if (G > PGmax_old) {     /* shrink: likely to stay at 0 */
                    active--;
                    int t = index[s];
                    index[s] = index[active];
                    index[active] = t;
                    s--;
                    continue;
                } else if (G < 0)
                    PG = G;
            } else if (alpha[i] == C) {
                if (G < PGmin_old) {     /* shrink: likely to stay at C */
                    active--;
                    int t = index[s];
                    index[s] = index[active];
                    index[active] = t;
                    s--;
                    continue;
                } else if (G > 0)
                    PG = G;
            } else
                PG = G;
            if (PG > PGmax_new)
                PGmax_new = PG;
            if (PG < PGmin_new)
                PGmin_new = PG;
            if (fabs(PG) > 1.0e-12) {
                double old = alpha[i];
                double a = old - G / QD[i];
                alpha[i] = a < 0 ? 0 : a > C ? C : a;
                double d = (alpha[i] - old) * yi;
                for (int j = 0; j < p; j++)
                    w[j] += d * xi[j];
                w[p] += d;
            }
        }
        iter++;
        *gap = PGmax_new - PGmin_new;
        if (PGmax_new - PGmin_new <= S->tol) {
            if (active == n)
                return iter;
            /* Converged on the shrunk set: verify on all variables. */
            active = n;
            PGmax_old = INFINITY;
            PGmin_old = -INFINITY;
            continue;
        }
        PGmax_old = PGmax_new;
        PGmin_old = PGmin_new;
        if (PGmax_old <= 0)
            PGmax_old = INFINITY;
        if (PGmin_old >= 0)
            PGmin_old = -INFINITY;
    }
    *hit = 1;
    return iter;
}

/* ---- squared hinge: the finite Newton method ------------------------------
 *
 * The primal f(w) = ½||w||² + Σ_i C_i max(0, 1 − y_i w·x̃_i)² (x̃_i = [x_i, 1])
 * is a strictly convex piecewise quadratic: on the rows with margin below 1
 * (the active set A) it is the quadratic with Hessian I + 2 Σ_A C_i x̃_i x̃_iᵀ.
 * Newton's step on that quadratic, with an exact line search along it,
 * reaches the unique optimum in finitely many steps (Mangasarian's finite
 * Newton method; Keerthi and DeCoste 2005): once the active set stops
 * changing, one full step lands on the optimum.  So the fit ends at the
 * optimum to rounding from any start — which makes the C path safe (each C
 * started from the previous C's weights gives the cold fit's answer within
 * rounding), and it needs a handful of steps of one Gram over the active
 * rows each, where dual coordinate descent sweeps hundreds of times.  Used
 * where the (p+1)² Hessian stays small (rt_linsvm_newton). */
#define SVM_NEWTON_MAX_D  2048
#define SVM_BLOCK         1024   /* active rows gathered per Gram block */
#define SVM_ROUND         1e-13  /* a step this small relative to w is rounding */

int rt_linsvm_newton(const rt_pval *params, int p)
{
    const char *loss = params[1].str ? params[1].str : "squared_hinge";
    return ut_strcasecmp(loss, "hinge") != 0 && p + 1 <= SVM_NEWTON_MAX_D;
}

typedef struct {
    double *o, *z, *g, *d, *H, *blk;   /* n, n, p+1, p+1, (p+1)², SVM_BLOCK x (p+1) */
} svm_nws;

/* φ'(t) and φ''(t) of φ(t) = f(w + t·d), with o = X̃w and z = X̃d */
static void svm_line(const svm_prob *S, const double *w, const double *d, const double *o, const double *z,
                     double t, double *d1, double *d2)
{
    int p = S->p;
    double wd = 0, dd = 0, s1 = 0, s2 = 0;
    for (int j = 0; j <= p; j++) {
        wd += w[j] * d[j];
        dd += d[j] * d[j];
    }
    for (int i = 0; i < S->n; i++) {
        double Ci = 0.5 / S->dg[i], yi = S->y[i];
        double r = 1 - yi * (o[i] + t * z[i]);
        if (r > 0) {
            s1 += Ci * r * yi * z[i];
            s2 += Ci * z[i] * z[i];
        }
    }
    *d1 = wd + t * dd - 2 * s1;
    *d2 = dd + 2 * s2;
}

/* X̃v for all rows into out, row by row: OpenBLAS's threaded dgemv sums
 * in another order than its single thread on some shapes (380 x 31), and a
 * fit's bits must not depend on how many BLAS threads it ran with
 * (REPRODUCE, windows of one fit or several) */
static void svm_scores(const svm_prob *S, const double *v, double *out)
{
    for (int i = 0; i < S->n; i++)
        out[i] = dot_row(S->p, v, S->X + (size_t)i * S->p);
}

/* From w (any start) to the optimum; *steps gets the Newton steps taken.
 * Returns 0, 1 when max_iter steps did not reach it, -1 stopped
 * (rt_stop_requested), -2 the Hessian failed to factor (not expected: it is
 * I plus a Gram). */
static int svm_newton(const svm_prob *S, const svm_nws *W, double *w, int max_iter, int *steps)
{
    int n = S->n, p = S->p, dm = p + 1;
    for (*steps = 0; *steps < max_iter; (*steps)++) {
        if (rt_stop_requested())
            return -1;
        svm_scores(S, w, W->o);
        /* gradient, and the Hessian block by block over the active rows */
        memcpy(W->g, w, (size_t)dm * sizeof *W->g);
        memset(W->H, 0, (size_t)dm * dm * sizeof *W->H);
        int nb = 0;
        for (int i = 0; i <= n; i++) {
            if (i < n) {
                double Ci = 0.5 / S->dg[i], yi = S->y[i], r = 1 - yi * W->o[i];
                if (r <= 0)
                    continue;
                const double *xi = S->X + (size_t)i * p;
                double a = 2 * Ci * r * yi, sc = sqrt(2 * Ci);
                double *bi = W->blk + (size_t)nb * dm;
                for (int j = 0; j < p; j++) {
                    W->g[j] -= a * xi[j];
                    bi[j] = sc * xi[j];
                }
                W->g[p] -= a;
                bi[p] = sc;
                nb++;
            }
            if (nb == SVM_BLOCK || (i == n && nb)) {
                la_gram(nb, dm, W->blk, 1.0, 1.0, W->H);
                nb = 0;
            }
        }
        for (int j = 0; j < dm; j++) {
            W->H[(size_t)j * dm + j] += 1.0;
            W->d[j] = -W->g[j];
        }
        if (la_posv(dm, 1, W->H, W->d) != 0)
            return -2;
        /* exact line search: φ' is increasing and piecewise linear; Newton
         * from t = 1 inside a bracket [lo, hi] with φ'(lo) < 0 ≤ φ'(hi) */
        svm_scores(S, W->d, W->z);
        double lo = 0, hi = 1, t = 1, d1, d2;
        svm_line(S, w, W->d, W->o, W->z, hi, &d1, &d2);
        for (int k = 0; d1 < 0 && k < 60; k++) {
            lo = hi;
            hi *= 2;
            svm_line(S, w, W->d, W->o, W->z, hi, &d1, &d2);
        }
        t = hi;
        for (int k = 0; k < 100 && d1 != 0; k++) {
            if (d1 < 0) lo = t;
            else hi = t;
            double nt = t - d1 / d2;
            if (!(nt > lo && nt < hi))
                nt = 0.5 * (lo + hi);
            if (nt == t || hi - lo <= 1e-16 * hi)
                break;
            t = nt;
            svm_line(S, w, W->d, W->o, W->z, t, &d1, &d2);
        }
        double step = 0, wmax = 0;
        for (int j = 0; j < dm; j++) {
            w[j] += t * W->d[j];
            step = fmax(step, fabs(t * W->d[j]));
            wmax = fmax(wmax, fabs(w[j]));
        }
        if (step <= SVM_ROUND * fmax(1.0, wmax)) {
            (*steps)++;
            return 0;
        }
    }
    return 1;
}

/* A squared-hinge subproblem whose weights are all zero (every feature
 * zero) is its bias alone: ½b² + Σ C_i (1 − y_i b)², every margin active,
 * solved by b = 2(S₊ − S₋) / (1 + 2(S₊ + S₋)), S± the C_i of each side.
 * Written exactly, so that one-vs-rest classes of equal weight tie bit for
 * bit, not by the rounding of where the Newton method started (cold, or
 * the C path's previous model). */
static void svm_featureless_bias(const svm_prob *S, double *w)
{
    for (int j = 0; j < S->p; j++)
        if (w[j] != 0)
            return;
    double sp = 0, sn = 0;
    for (int i = 0; i < S->n; i++) {
        if (S->y[i] > 0) sp += 0.5 / S->dg[i];
        else sn += 0.5 / S->dg[i];
    }
    w[S->p] = 2 * (sp - sn) / (1 + 2 * (sp + sn));
}

int rt_linsvm_fit(const rt_pval *params, const rt_trainset *ts, rt_model *m, ut_err *e)
{
    return rt_linsvm_fit_from(params, ts, NULL, m, e);
}

/* from: a model of the same classes and columns whose weights start each
 * subproblem's Newton method (the C path), or NULL (start at 0). */
int rt_linsvm_fit_from(const rt_pval *params, const rt_trainset *ts, const rt_model *from, rt_model *m, ut_err *e)
{
    double C = params[0].num, tol = params[4].num;
    const char *loss = params[1].str ? params[1].str : "squared_hinge";
    const char *cw = params[2].str ? params[2].str : "none";
    int max_iter = (int)params[3].num;
    int n = ts->n, p = ts->p, K = ts->nclasses;
    int rc = -1, hinge = 0, balanced = 0;
    int *map = NULL, *lab = NULL, *count = NULL, *index = NULL;
    signed char *y = NULL;
    double *ub = NULL, *dg = NULL, *xx = NULL, *alpha = NULL, *QD = NULL,
           *w = NULL, *wc = NULL;
    svm_nws W = {0};

    if (!(C > 0) || !isfinite(C))
        return ut_errf(e, MLG_MISUSE, "linsvm: C must be > 0 (got %g)", C);
    if (!(tol >= 0) || !isfinite(tol))
        return ut_errf(e, MLG_MISUSE, "linsvm: tol must be >= 0 (got %g)", tol);
    if (ut_strcasecmp(loss, "hinge") == 0)
        hinge = 1;
    else if (ut_strcasecmp(loss, "squared_hinge") != 0)
        return ut_errf(e, MLG_MISUSE, "linsvm: loss must be squared_hinge or hinge"
                       " (got '%s')", loss);
    if (ut_strcasecmp(cw, "balanced") == 0)
        balanced = 1;
    else if (ut_strcasecmp(cw, "none") != 0)
        return ut_errf(e, MLG_MISUSE, "linsvm: class_weight must be none or balanced"
                       " (got '%s')", cw);
    if (max_iter < 1)
        max_iter = 1;

    map = malloc((size_t)K * sizeof *map);
    lab = malloc((size_t)n * sizeof *lab);
    count = calloc((size_t)K, sizeof *count);
    m->cls = malloc((size_t)K * sizeof *m->cls);
    if (!map || !lab || !count || !m->cls) {
        ut_errf(e, MLG_NOMEM, "out of memory fitting linsvm");
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
    for (int i = 0; i < n; i++) {
        lab[i] = map[ts->yc[i]];
        count[lab[i]]++;
    }
    if (m->nfit < 2) {          /* one class: nothing to separate */
        m->nout = 0;
        m->constant = m->cls[0];
        rc = 0;
        goto done;
    }

    int nfit = m->nfit, nout = nfit == 2 ? 1 : nfit;
    m->nout = nout;
    m->coef = malloc((size_t)nout * (p > 0 ? p : 1) * sizeof *m->coef);
    m->intercept = malloc((size_t)nout * sizeof *m->intercept);
    y = malloc((size_t)n * sizeof *y);
    ub = malloc((size_t)n * sizeof *ub);
    dg = malloc((size_t)n * sizeof *dg);
    xx = malloc((size_t)n * sizeof *xx);
    alpha = malloc((size_t)n * sizeof *alpha);
    QD = malloc((size_t)n * sizeof *QD);
    index = malloc((size_t)n * sizeof *index);
    w = malloc((size_t)(p + 1) * sizeof *w);
    wc = malloc((size_t)nfit * sizeof *wc);
    int newton = rt_linsvm_newton(params, p);
    if (newton) {
        size_t dm = (size_t)p + 1;
        W.o = malloc((size_t)n * sizeof *W.o);
        W.z = malloc((size_t)n * sizeof *W.z);
        W.g = malloc(dm * sizeof *W.g);
        W.d = malloc(dm * sizeof *W.d);
        W.H = malloc(dm * dm * sizeof *W.H);
        W.blk = malloc((size_t)SVM_BLOCK * dm * sizeof *W.blk);
    }
    if (!m->coef || !m->intercept || !y || !ub || !dg || !xx || !alpha || !QD ||
        !index || !w || !wc || (newton && (!W.o || !W.z || !W.g || !W.d || !W.H || !W.blk))) {
        ut_errf(e, MLG_NOMEM, "out of memory fitting linsvm");
        goto done;
    }
    /* a start only from a model of the same classes and columns */
    if (from && (from->family != RT_FAM_LINSVM || from->nout != nout || from->p != p || from->nfit != nfit ||
                 memcmp(from->cls, m->cls, (size_t)nfit * sizeof *m->cls)))
        from = NULL;
    double cw2[2];
    int weighted = rt_class_weights(RT_FAM_LINSVM, params, K, cw2, e);
    if (weighted < 0)
        goto done;
    /* per-class weights scale each class's C (liblinear's -wi), like
     * sklearn's class_weight dict; they multiply balanced ones */
    for (int k = 0; k < nfit; k++)
        wc[k] = (balanced ? (double)n / ((double)nfit * count[k]) : 1.0) *
                (weighted ? cw2[m->cls[k]] : 1.0);
    for (int i = 0; i < n; i++) {
        const double *xi = ts->X + (size_t)i * p;
        double s = 1.0;
        for (int j = 0; j < p; j++)
            s += xi[j] * xi[j];
        xx[i] = s;
    }

    ut_rng rng;
    ut_rng_seed(&rng, ts->seed);
    svm_prob S = { ts->X, n, p, y, ub, dg, xx, tol, max_iter, alpha, QD, index, &rng };
    m->n_iter = 0;
    m->hit_max_iter = 0;
    m->objective = 0;
    m->grad_max = 0;
    for (int k = 0; k < nout; k++) {
        int pos = nout == 1 ? 1 : k;
        for (int i = 0; i < n; i++) {
            int is_pos = lab[i] == pos;
            /* Binary: both classes weighted.  OvR: liblinear's Cn = C. */
            double Ci = C * (is_pos ? wc[pos] : nout == 1 ? wc[lab[i]] : 1.0);
            y[i] = is_pos ? 1 : -1;
            ub[i] = hinge ? Ci : INFINITY;
            dg[i] = hinge ? 0.0 : 0.5 / Ci;
        }
        int hit = 0, it;
        double gap = 0;
        if (newton) {
            if (from) {
                memcpy(w, from->coef + (size_t)k * p, (size_t)p * sizeof *w);
                w[p] = from->intercept[k];
            } else {
                memset(w, 0, (size_t)(p + 1) * sizeof *w);
            }
            int st = svm_newton(&S, &W, w, max_iter, &it);
            hit = st == 1;
            if (st == -1)
                it = -1;
            int finite = 1;
            for (int j = 0; j <= p; j++)
                finite &= isfinite(w[j]) != 0;
            if (st == -2 || (st >= 0 && !finite)) {
                /* the Hessian overflowed (features near 1e200): dual
                 * coordinate descent, which never squares a row, instead */
                it = svm_solve(&S, w, &hit, &gap);
            }
        } else {
            it = svm_solve(&S, w, &hit, &gap);
        }
        if (it < 0) {
            rt_stop_error(e, "linsvm");
            goto done;
        }
        if (newton && !hinge)
            svm_featureless_bias(&S, w);
        if (it > m->n_iter)
            m->n_iter = it;
        m->hit_max_iter |= hit;
        if (gap > m->grad_max)
            m->grad_max = gap;
        double obj = 0;
        for (int j = 0; j <= p; j++) {
            if (!isfinite(w[j])) {
                ut_errf(e, MLG_NUMERIC, "linsvm: non-finite weights");
                goto done;
            }
            obj += 0.5 * w[j] * w[j];
        }
        /* Primal objective, summed over the subproblems (diagnostic). */
        for (int i = 0; i < n; i++) {
            double xi = 1 - y[i] * dot_row(p, w, ts->X + (size_t)i * p);
            if (xi > 0)
                obj += (hinge ? ub[i] : 0.5 / dg[i]) * (hinge ? xi : xi * xi);
        }
        m->objective += obj;
        memcpy(m->coef + (size_t)k * p, w, (size_t)p * sizeof *w);
        m->intercept[k] = w[p];    /* × intercept_scaling = 1 */
    }
    rc = 0;
done:
    free(map); free(lab); free(count); free(index); free(y); free(ub); free(dg);
    free(xx); free(alpha); free(QD); free(w); free(wc);
    free(W.o); free(W.z); free(W.g); free(W.d); free(W.H); free(W.blk);
    return rc;
}

int rt_linsvm_predict(const rt_model *m, const double *X, int n, double *pred,
                      double *proba, ut_err *e)
{
    return rt_linear_classify(m, X, n, pred, proba, 0, e);
}
