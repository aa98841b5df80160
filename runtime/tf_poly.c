/* tf_poly.c — poly: PolynomialFeatures(degree=d, include_bias=False) on the
 * selected numeric columns.  Output in sklearn's order — the originals, then
 * every degree-2 product x_i x_j (i <= j) in lexicographic order, then
 * degree 3, ... — named "a", "a^2", "a*b", "a^2*b".  The block takes the
 * place of the first selected column.  Missing values propagate into every
 * product (sklearn refuses NaN); the safety net later fills them. */
#include "tf_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POLY_MAX_DEGREE 10
#define POLY_MAX_COLS   100000

static char *term_name(tf_set *s, const int *col, const int *idx, int d)
{
    ut_buf b;
    ut_buf_init(&b);
    for (int i = 0; i < d;) {
        int j = i;
        while (j < d && idx[j] == idx[i]) j++;
        if (i) ut_buf_putc(&b, '*');
        ut_buf_puts(&b, s->c[col[idx[i]]].name);
        if (j - i > 1) ut_buf_printf(&b, "^%d", j - i);
        i = j;
    }
    return ut_buf_take(&b);
}

int tf_poly(tf_set *s, const rt_tf_step *st, const char *sel, ut_err *e)
{
    int deg = st->degree ? st->degree : 2;
    if (deg < 1 || deg > POLY_MAX_DEGREE)
        return ut_errf(e, MLG_ERROR, "poly: degree must be between 1 and %d (got %d)",
                       POLY_MAX_DEGREE, st->degree);
    int p = 0;
    for (int j = 0; j < s->ncols; j++) p += sel[j] != 0;
    /* C(p + d - 1, d) terms of degree d */
    double total = 0, terms = 1;
    for (int d = 1; d <= deg; d++) {
        terms = terms * (p + d - 1) / d;
        total += terms;
    }
    if (total > POLY_MAX_COLS)
        return ut_errf(e, MLG_ERROR, "poly: degree %d on %d columns makes %.0f columns (limit %d)",
                       deg, p, total, POLY_MAX_COLS);
    int nout = (int)(total + 0.5);
    int *col = malloc(sizeof(int) * (size_t)p);
    tf_col *block = calloc((size_t)nout, sizeof(tf_col));
    if (!col || !block) { free(col); free(block); return tf_oom(e); }
    p = 0;
    for (int j = 0; j < s->ncols; j++) if (sel[j]) col[p++] = j;
    int rc = 0, o = p;
    /* products first (they read the originals), originals moved last */
    for (int d = 2; d <= deg && rc == 0; d++) {
        int idx[POLY_MAX_DEGREE] = {0};
        for (;;) {
            tf_col *w = &block[o++];
            w->name = term_name(s, col, idx, d);
            w->x = malloc(sizeof(double) * (size_t)(s->n ? s->n : 1));
            if (!w->name || !w->x) { rc = tf_oom(e); break; }
            const double *a = s->c[col[idx[0]]].x, *b = s->c[col[idx[1]]].x;
            for (int r = 0; r < s->n; r++) w->x[r] = a[r] * b[r];
            for (int t = 2; t < d; t++) {
                const double *c = s->c[col[idx[t]]].x;
                for (int r = 0; r < s->n; r++) w->x[r] *= c[r];
            }
            /* next non-decreasing index tuple, lexicographic */
            int t = d - 1;
            while (t >= 0 && idx[t] == p - 1) t--;
            if (t < 0) break;
            idx[t]++;
            for (int u = t + 1; u < d; u++) idx[u] = idx[t];
        }
    }
    if (rc == 0) {
        for (int i = 0; i < p; i++) {
            block[i] = s->c[col[i]];
            memset(&s->c[col[i]], 0, sizeof(tf_col));
        }
        rc = tf_replace_block(s, sel, block, nout, e);
    }
    if (rc) for (int i = 0; i < nout; i++) tf_col_free(&block[i]);
    free(block);
    free(col);
    return rc;
}
