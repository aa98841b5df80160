/* tf_pca.c — pca: PCA(n_components=k) on the selected numeric columns; the
 * columns "pc1".."pck" take the place of the first selected one and the
 * others go.
 *
 * Components are the eigenvectors of the training covariance (one Gram
 * product, one symmetric eigendecomposition: O(n p^2 + p^3), like
 * sklearn's full SVD) in decreasing order of eigenvalue.  The Gram matrix
 * squares the condition number, so components of eigenvalues far below the
 * largest are less accurate than from an SVD of the data (about
 * eps * lambda_max / gap); the leading ones agree with sklearn to ~1e-12.
 *
 * Signs follow sklearn's svd_flip with u_based_decision=True (the full
 * solver): in each component the training row with the largest |score|
 * (first one on ties) gets a positive score.  sklearn's randomized solver
 * (n > 500 and k < 0.8 min(n, p)) uses the same rule unless n < p.
 *
 * pca(k = K) followed by keep(pc1..pck) (or drop(pc{k+1}..pcK)) gives
 * bit for bit the design of pca(k = k): the decomposition is of the whole
 * covariance whatever k, and every score is computed in pieces of a fixed
 * shape (see tf_internal.h), so neither a component's sign nor its
 * projection depends on how many others are computed beside it.
 *
 * Departures from sklearn: k larger than the number of columns (or of
 * training rows) is clamped instead of refused; k = 0 keeps every
 * component (n_components=None); missing values count as the training mean
 * (sklearn refuses NaN). */
#include "tf_internal.h"
#include "linalg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tf_pca_free(tf_pca_model *m)
{
    free(m->mean);
    free(m->comp);
    free(m->var);
    memset(m, 0, sizeof *m);
}

static void center(double *X, int n, int p, const double *mean)
{
    for (int i = 0; i < n; i++) {
        double *row = X + (size_t)i * p;
        for (int j = 0; j < p; j++) row[j] = isnan(row[j]) ? 0.0 : row[j] - mean[j];
    }
}

/* Z[i * ldz + j] = X[i, :] . comp[j, :] for i < n, j < k: one GEMM per
 * TF_PCA_ROWS rows and TF_PCA_COMP components (comp zero-padded), so the
 * shape of every BLAS call, hence every bit of a score, is the same for
 * any k.  One call for all of X and all k would let the BLAS pick kernels
 * and thread splits by shape, and scores would change in the last bits
 * with k (seen with OpenBLAS on 30 and more columns). */
static void scores(const double *X, int n, int p, const double *comp, int k, double *Z, int ldz)
{
    double buf[TF_PCA_ROWS * TF_PCA_COMP];
    for (int r0 = 0; r0 < n; r0 += TF_PCA_ROWS) {
        int nr = n - r0 < TF_PCA_ROWS ? n - r0 : TF_PCA_ROWS;
        for (int c0 = 0; c0 < k; c0 += TF_PCA_COMP) {
            int nc = k - c0 < TF_PCA_COMP ? k - c0 : TF_PCA_COMP;
            la_gemm(0, 1, nr, TF_PCA_COMP, p, 1.0, X + (size_t)r0 * p, comp + (size_t)c0 * p, 0.0, buf);
            for (int i = 0; i < nr; i++)
                memcpy(Z + (size_t)(r0 + i) * ldz + c0, buf + (size_t)i * TF_PCA_COMP, sizeof(double) * (size_t)nc);
        }
    }
}

int tf_pca_fit(double *X, int ntrain, int p, int kmax, tf_pca_model *m, ut_err *e)
{
    memset(m, 0, sizeof *m);
    int nc = p < ntrain ? p : ntrain;
    if (kmax > 0 && kmax < nc) nc = kmax;
    int npad = (nc + TF_PCA_COMP - 1) / TF_PCA_COMP * TF_PCA_COMP;
    m->p = p;
    m->ncomp = nc;
    m->mean = calloc((size_t)p, sizeof(double));
    m->comp = calloc((size_t)npad * (size_t)p + 1, sizeof(double));
    m->var = malloc(sizeof(double) * (size_t)nc + 1);
    double *C = malloc(sizeof(double) * (size_t)p * (size_t)p);
    double *w = malloc(sizeof(double) * (size_t)p);
    double *T = malloc(sizeof(double) * (size_t)ntrain * (size_t)nc + 1);
    int *cnt = calloc((size_t)p, sizeof(int));
    int rc = 0;
    if (!m->mean || !m->comp || !m->var || !C || !w || !T || !cnt) { rc = tf_oom(e); goto out; }

    for (int i = 0; i < ntrain; i++) {
        const double *row = X + (size_t)i * p;
        for (int j = 0; j < p; j++)
            if (!isnan(row[j])) { m->mean[j] += row[j]; cnt[j]++; }
    }
    for (int j = 0; j < p; j++) m->mean[j] = cnt[j] ? m->mean[j] / cnt[j] : 0.0;
    center(X, ntrain, p, m->mean);
    la_gram(ntrain, p, X, 1.0, 0.0, C);
    if (la_syev(p, C, w) != 0) { rc = ut_errf(e, MLG_ERROR, "pca: eigendecomposition did not converge"); goto out; }
    /* syev: ascending, eigenvectors as columns */
    for (int j = 0; j < nc; j++) {
        int src = p - 1 - j;
        for (int i = 0; i < p; i++) m->comp[(size_t)j * p + i] = C[(size_t)i * p + src];
        m->var[j] = ntrain > 1 && w[src] > 0 ? w[src] / (ntrain - 1) : 0.0;
    }
    /* svd_flip(u_based_decision=True): U = X V / s, so the sign of the
     * largest |U[:, j]| is that of the largest |training score| */
    scores(X, ntrain, p, m->comp, nc, T, nc);
    for (int j = 0; j < nc; j++) {
        int best = 0;
        double bv = -1;
        for (int i = 0; i < ntrain; i++) {
            double a = fabs(T[(size_t)i * nc + j]);
            if (a > bv) { bv = a; best = i; }
        }
        if (T[(size_t)best * nc + j] < 0)
            for (int i = 0; i < p; i++) m->comp[(size_t)j * p + i] = -m->comp[(size_t)j * p + i];
    }
out:
    free(C);
    free(w);
    free(T);
    free(cnt);
    if (rc) tf_pca_free(m);
    return rc;
}

void tf_pca_project(const tf_pca_model *m, double *X, int n, int k, double *Z)
{
    center(X, n, m->p, m->mean);
    scores(X, n, m->p, m->comp, k, Z, k);
}

/* Rows rows[0..nr) (all rows when rows is NULL) of the selected columns,
 * row-major nr x p. */
static double *gather(const tf_set *s, const int *col, int p, const int *rows, int nr)
{
    double *X = malloc(sizeof(double) * (size_t)nr * (size_t)p + 1);
    if (!X) return NULL;
    for (int j = 0; j < p; j++) {
        const double *x = s->c[col[j]].x;
        for (int i = 0; i < nr; i++) X[(size_t)i * p + j] = x[rows ? rows[i] : i];
    }
    return X;
}

/* Recorded as d = [k, mean (p), components (k x p)], s = the input columns. */
static int pca_record(tf_set *s, const int *col, int p, const tf_pca_model *m, ut_err *e)
{
    if (!tf_recording(s)) return 0;
    size_t nd = 1 + (size_t)p + (size_t)m->ncomp * (size_t)p;
    double *d = malloc(sizeof(double) * nd);
    char **names = malloc(sizeof(char *) * (size_t)(p ? p : 1));
    int rc = 0;
    if (!d || !names) rc = tf_oom(e);
    if (rc == 0) {
        d[0] = m->ncomp;
        memcpy(d + 1, m->mean, sizeof(double) * (size_t)p);
        memcpy(d + 1 + p, m->comp, sizeof(double) * (size_t)m->ncomp * (size_t)p);
        for (int j = 0; j < p; j++) names[j] = s->c[col[j]].name;
        rc = tf_rec_put(s, TF_REC_PCA, NULL, d, (int)nd, names, p, e);
    }
    free(d);
    free(names);
    return rc;
}

static int pca_replay(tf_set *s, const int *col, int p, tf_pca_model *m, ut_err *e)
{
    const tf_entry *en = tf_rec_next(s, TF_REC_PCA, NULL, e);
    if (!en) return -1;
    int k = en->nd > 0 ? (int)en->d[0] : -1;
    if (en->ns != p || k < 1 || k > p || en->d[0] != k || (size_t)en->nd != 1 + (size_t)p + (size_t)k * (size_t)p)
        return ut_errf(e, MLG_DATA, "model: pca record does not fit %d input columns", p);
    for (int j = 0; j < p; j++)
        if (strcmp(en->s[j], s->c[col[j]].name))
            return ut_errf(e, MLG_DATA, "model: pca was fitted on column '%s', found '%s'", en->s[j],
                           s->c[col[j]].name);
    int npad = (k + TF_PCA_COMP - 1) / TF_PCA_COMP * TF_PCA_COMP;
    m->p = p;
    m->ncomp = k;
    m->mean = malloc(sizeof(double) * (size_t)p);
    m->comp = calloc((size_t)npad * (size_t)p + 1, sizeof(double));
    m->var = calloc((size_t)k, sizeof(double));
    if (!m->mean || !m->comp || !m->var) return tf_oom(e);
    memcpy(m->mean, en->d + 1, sizeof(double) * (size_t)p);
    memcpy(m->comp, en->d + 1 + p, sizeof(double) * (size_t)k * (size_t)p);
    return 0;
}

int tf_pca(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e)
{
    if (st->k < 0) return ut_errf(e, MLG_ERROR, "pca: k must be positive (got %d)", st->k);
    int p = 0;
    for (int j = 0; j < s->ncols; j++) p += sel[j] != 0;
    int *col = malloc(sizeof(int) * (size_t)p);
    if (!col) return tf_oom(e);
    p = 0;
    for (int j = 0; j < s->ncols; j++) if (sel[j]) col[p++] = j;

    tf_pca_model m;
    memset(&m, 0, sizeof m);
    double *X = NULL, *Z = NULL;
    tf_col *block = NULL;
    int k = 0, rc = 0;
    if (tf_replaying(s)) {
        if ((rc = pca_replay(s, col, p, &m, e))) goto out;
    } else {
        if (!(X = gather(s, col, p, s->train, s->ntrain))) { rc = tf_oom(e); goto out; }
        if ((rc = tf_pca_fit(X, s->ntrain, p, st->k, &m, e))) goto out;
        free(X);
        X = NULL;
        if ((rc = pca_record(s, col, p, &m, e))) goto out;
    }
    k = m.ncomp;
    X = gather(s, col, p, NULL, s->n);
    Z = malloc(sizeof(double) * (size_t)s->n * (size_t)k + 1);
    block = calloc((size_t)k + 1, sizeof(tf_col));
    if (!X || !Z || !block) { rc = tf_oom(e); goto out; }
    tf_pca_project(&m, X, s->n, k, Z);
    for (int c = 0; c < k && rc == 0; c++) {
        char name[32];
        snprintf(name, sizeof name, "pc%d", c + 1);
        block[c].name = ut_strdup(name);
        block[c].x = malloc(sizeof(double) * (size_t)(s->n ? s->n : 1));
        if (!block[c].name || !block[c].x) { rc = tf_oom(e); break; }
        for (int r = 0; r < s->n; r++) block[c].x[r] = Z[(size_t)r * k + c];
    }
    if (rc == 0) rc = tf_replace_block(s, sel, block, k, e);
    if (rc) for (int c = 0; c < k; c++) tf_col_free(&block[c]);
out:
    free(block);
    free(X);
    free(Z);
    free(col);
    tf_pca_free(&m);
    return rc;
}
