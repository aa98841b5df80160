/* cache_pca.c — pca families in the cache (cache.h).
 *
 * A design whose pipeline ends in pca(k > 0) is stored under the family's
 * lineage (rt_lineage_design_family: k left out), one entry per family:
 * the widest design computed.  pca(K) cut to its first k components is bit
 * for bit pca(k) (tf_pca.c), so the entry serves every k it covers: the
 * loaded design keeps columns pc1..pck and loses pc(k+1)..pcK, compacted
 * in place (rows are row-major).
 *
 * Payload (kind design): the training rows then the test rows, row-major,
 * p columns, then a record of three i64: the pc columns it holds (ncomp),
 * the k they were asked as (kreq; more than ncomp when pca clamped k to
 * the columns or training rows: then every larger k gives the same
 * ncomp), and the index of pc1 in a row (pca puts its block where its
 * first selected column was; columns it did not select stay around it). */
#include <stdlib.h>
#include <string.h>

#include "cache.h"
#include "cache_internal.h"
#include "../include/mileage.h"

typedef struct {
    int64_t ncomp, kreq, at;
} pca_tail;

int rt_pca_serves(int ncomp, int kreq, int k)
{
    return k > 0 && (k <= ncomp || ncomp < kreq);
}

int rt_pca_family_widest(const cmp_explore *x, int q)
{
    const cmp_pipeline *a = &x->pipes[q];
    int n = a->nsteps;
    if (n < 1 || a->steps[n - 1].step.kind != RT_TF_PCA || a->steps[n - 1].step.k <= 0) return 0;
    int w = a->steps[n - 1].step.k;
    for (int r = 0; r < x->npipes; r++) {
        const cmp_pipeline *b = &x->pipes[r];
        if (r == q || b->nsteps != n || !opt_same_prefix(a, b, n - 1) ||
            !opt_same_pca_but_k(&a->steps[n - 1].step, &b->steps[n - 1].step))
            continue;
        if (b->steps[n - 1].step.k > w) w = b->steps[n - 1].step.k;
    }
    return w;
}

int rt_cache_pca_stored(rt_ctx *c, const char *family, int *ncomp, int *kreq, int *pays)
{
    pca_tail t;
    if (!rt_cache_peek_tail(c, family, RT_CACHE_KIND_DESIGN, &t, sizeof t) || t.ncomp < 1 || t.ncomp > 1 << 30 ||
        t.kreq < t.ncomp || t.kreq > 1 << 30)
        return 0;
    *ncomp = (int)t.ncomp;
    *kreq = (int)t.kreq;
    *pays = rt_cache_worth_loading(c, family);
    return 1;
}

typedef struct {
    int ntrain, ntest, k, p, ncomp;
    double *x;
    rt_pca_memo *memo;   /* keep the whole payload here, cut a copy */
} pca_use;

/* Rows of P columns, pc1..pc<ncomp> at column `at`, to rows keeping
 * pc1..pc<keep>: dst may be src (row r moves to r * p, never past its
 * source, so forward memmoves never overwrite a row still to be read). */
static void cut_rows(const double *src, double *dst, int64_t rows, int64_t P, int64_t at, int64_t ncomp,
                     int64_t keep)
{
    int64_t p = P - (ncomp - keep), tail = P - at - ncomp;
    for (int64_t r = 0; r < rows; r++) {
        const double *a = src + r * P;
        double *b = dst + r * p;
        memmove(b, a, (size_t)(at + keep) * sizeof *b);
        memmove(b + at + keep, a + at + ncomp, (size_t)tail * sizeof *b);
    }
}

/* A malloc'd copy of src cut to pc1..pc<keep> (NULL: out of memory). */
static double *cut_copy(const double *src, int64_t rows, int64_t P, int64_t at, int64_t ncomp, int64_t keep)
{
    double *y = malloc((size_t)rows * (size_t)(P - (ncomp - keep)) * sizeof *y + 1);
    if (y) cut_rows(src, y, rows, P, at, ncomp, keep);
    return y;
}

static const char *use_pca(void *arg, const int64_t dims[3], void *payload, size_t n)
{
    pca_use *u = arg;
    pca_tail t;
    if (dims[0] != u->ntrain || dims[1] != u->ntest || dims[2] < 1 || dims[2] > 1 << 30 ||
        (double)(dims[0] + dims[1]) * (double)dims[2] * 8 + sizeof t != (double)n)
        return "its shape does not match the fold";
    memcpy(&t, (char *)payload + n - sizeof t, sizeof t);
    int64_t P = dims[2];
    if (t.ncomp < 1 || t.ncomp > P || t.kreq < t.ncomp || t.at < 0 || t.at > P - t.ncomp)
        return "its pca family record is not valid";
    if (!rt_pca_serves((int)t.ncomp, (int)(t.kreq > 1 << 30 ? 1 << 30 : t.kreq), u->k))
        return "it holds fewer pca components than asked";   /* a writer raced the check */
    int64_t keep = u->k < t.ncomp ? u->k : t.ncomp, cut = t.ncomp - keep, rows = dims[0] + dims[1];
    double *x = payload;
    if (u->memo) {
        /* the whole entry stays for the siblings; this member gets a copy */
        double *y = cut_copy(x, rows, P, t.at, t.ncomp, keep);
        if (!y) return RT_CACHE_NOMEM;
        rt_pca_memo_free(u->memo);
        *u->memo = (rt_pca_memo){{0}, x, (int)dims[0], (int)dims[1], (int)P, (int)t.ncomp,
                                 (int)(t.kreq > 1 << 30 ? 1 << 30 : t.kreq), (int)t.at};
        x = y;
    } else if (cut > 0)
        cut_rows(x, x, rows, P, t.at, t.ncomp, keep);
    u->x = x;
    u->p = (int)(P - cut);
    u->ncomp = (int)t.ncomp;
    return NULL;
}

void rt_pca_memo_free(rt_pca_memo *m)
{
    if (!m) return;
    free(m->x);
    memset(m, 0, sizeof *m);
}

/* pca(k) from the memo of its family: 1 (a malloc'd copy cut to k), 0 the
 * memo holds another family or cannot serve k, -1 out of memory. */
static int from_memo(const rt_pca_memo *m, const char *family, int k, int ntrain, int ntest, double **x, int *p,
                     int *ncomp)
{
    if (!m || !m->x || strcmp(m->family, family) != 0 || m->ntrain != ntrain || m->ntest != ntest ||
        !rt_pca_serves(m->ncomp, m->kreq, k))
        return 0;
    int64_t keep = k < m->ncomp ? k : m->ncomp;
    double *y = cut_copy(m->x, (int64_t)ntrain + ntest, m->p, m->at, m->ncomp, keep);
    if (!y) return -1;
    *x = y;
    *p = (int)(m->p - (m->ncomp - keep));
    *ncomp = m->ncomp;
    return 1;
}

int rt_cache_load_pca(rt_ctx *c, const char *family, int k, int ntrain, int ntest, double **x, int *p, int *ncomp,
                      rt_pca_memo *memo, ut_err *e)
{
    *x = NULL;
    int mr = from_memo(memo, family, k, ntrain, ntest, x, p, ncomp);
    if (mr) return mr < 0 ? ut_errf(e, MLG_NOMEM, "out of memory") : 1;
    pca_use u = {ntrain, ntest, k, 0, 0, NULL, memo};
    pca_tail t;
    int rc = 0;
    pthread_mutex_lock(&rt_cache_mu);
    /* a narrower entry of the family is a miss, not a damaged one; an
     * entry whose record cannot be read (file missing, damaged, ...) is
     * fetched anyway, so the load reports and removes it as any other */
    int narrower = rt_cache_peek_tail(c, family, RT_CACHE_KIND_DESIGN, &t, sizeof t) && t.ncomp >= 1 &&
                   t.kreq >= t.ncomp && t.kreq <= 1 << 30 && !rt_pca_serves((int)t.ncomp, (int)t.kreq, k);
    if (!narrower) rc = rt_cache_fetch(c, family, RT_CACHE_KIND_DESIGN, use_pca, &u, e);
    pthread_mutex_unlock(&rt_cache_mu);
    if (rc == 1) {
        if (memo) memcpy(memo->family, family, sizeof memo->family);
        *x = u.x;
        *p = u.p;
        *ncomp = u.ncomp;
    }
    return rc;
}

void rt_cache_offer_pca(rt_ctx *c, const char *family, const char *what, const double *xtr, int ntrain,
                        const double *xte, int ntest, int p, int at, int ncomp, int kreq, double compute_s)
{
    if (ncomp < 1 || at < 0 || at > p - ncomp || kreq < ncomp) return;
    pca_tail t = {ncomp, kreq, at}, old;
    const void *piece[3] = {xtr, xte, &t};
    size_t len[3] = {(size_t)ntrain * (size_t)p * sizeof(double), (size_t)ntest * (size_t)p * sizeof(double),
                     sizeof t};
    int64_t dims[3] = {ntrain, ntest, p};
    pthread_mutex_lock(&rt_cache_mu);
    /* one entry per family, the widest: a stored wider one stays (an
     * equal one is replaced, as a design stored but not worth loading is) */
    int keep_old = rt_cache_peek_tail(c, family, RT_CACHE_KIND_DESIGN, &old, sizeof old) && old.ncomp > ncomp &&
                   old.kreq >= old.ncomp;
    if (!keep_old) rt_cache_offer(c, family, what, RT_CACHE_KIND_DESIGN, dims, piece, len, 3, compute_s);
    pthread_mutex_unlock(&rt_cache_mu);
}
