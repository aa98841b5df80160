/* cart.c — CART growth shared by tree, forest and gbt: scikit-learn's
 * BestSplitter semantics (every candidate threshold of every drawn feature,
 * midpoint thresholds, best proxy impurity improvement, min_samples_leaf in
 * rows, a node stops when pure, too small or at max depth, depth-first
 * preorder node ids), on columns sorted once (stable LSD radix sort) and
 * then stably partitioned at every split, so a level costs O(n·p) instead of
 * sklearn's O(n log n·p).  When only a few of many features are drawn per
 * split (forests on wide data) a subtree instead sorts just the drawn
 * columns of each node; both give every node its rows in the same
 * (value, row) order, so the trees do not depend on the strategy.
 *
 * Regression node impurity is the variance by two passes, so a constant
 * target stops exactly (sklearn's one-pass formula can leave ~1e-13 and keep
 * splitting into equal-valued leaves; predictions are the same).
 *
 * Ties: like sklearn, every node visits its features in a random order
 * (seeded by the fit's seed and the node's path, so a fixed seed gives the
 * same tree) and a later candidate replaces the best only if strictly
 * better: an exact tie between features goes to the one visited first, and
 * between thresholds to the smallest.  Visiting in index order instead
 * favoured the first columns systematically (wine: 0.90 vs sklearn's
 * 0.90-0.92 over random_state 0..9).
 * Differences from sklearn: X stays double (sklearn rounds it to float32, so
 * its thresholds are midpoints of float32 values), and any two distinct
 * doubles may be split between (sklearn ignores gaps below 1e-7). */
#include "cart.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../include/mileage.h"
#include "../util/sort.h"

typedef struct {
    int s, e, depth, parent, is_left;
    int presorted;  /* its segments of ord/val are valid (else sort per node) */
    uint64_t h;     /* path hash: seeds the node's feature draws */
    int prev;       /* resuming: the node of the earlier tree it is, or -1 */
} pend;

struct cart_builder {
    const double *X;
    int n, p, reuse, gready;
    int *gord;              /* reuse: p x n, rows of each column in order     */
    double *gval;           /* reuse: p x n, the sorted values (lazy)          */
    int *ord;               /* p x m work columns for the m active rows (lazy) */
    double *val;            /* p x m their values; NULL without reuse: read
                               from X through ord into vg instead, which saves
                               a copy of the training data as doubles */
    double *vg;             /* n: one column segment's values, gathered */
    double *Xc;             /* p x n column-major copy for per-node sorts (lazy) */
    int *samp;              /* m: every node's rows, a contiguous segment      */
    unsigned char *goleft;  /* n */
    int *tmpi;              /* n: right halves while partitioning              */
    double *tmpd;
    ut_keyidx *ka, *kb;        /* n: radix sort buffers                           */
    int *so;                /* n: one column of one node, sorted on the spot   */
    double *sv;
    int *feats;             /* p: a node's feature order when drawing          */
    unsigned char *cconst;  /* p: features known constant in the current node  */
    pend *stk;              /* nodes waiting to be grown, with their constant  */
    unsigned char *stkc;    /* feature flags (p bytes per slot)                */
    int stk_cap;
};

size_t cart_val_copy_max = (size_t)4 << 20;

static uint64_t mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}


/* Rows rows[0..m) (ascending) of column f, sorted by value, ties by row:
 * every way of getting a node's column in order (presorted and partitioned,
 * or sorted on the spot) yields this same order, so trees do not depend on
 * the strategy. */
static void sort_column(cart_builder *b, int f, const int *rows, int m, int *ord, double *val)
{
    for (int j = 0; j < m; j++) {
        b->ka[j].k = ut_dkey(b->X[(size_t)rows[j] * b->p + f]);
        b->ka[j].i = rows[j];
    }
    ut_keyidx *s = ut_radix_sort(b->ka, b->kb, m);
    for (int j = 0; j < m; j++) {
        ord[j] = s[j].i;
        val[j] = ut_dunkey(s[j].k);
    }
}

void cart_builder_free(cart_builder *b)
{
    if (!b)
        return;
    free(b->gord);
    free(b->gval);
    free(b->ord);
    free(b->val);
    free(b->vg);
    free(b->Xc);
    free(b->samp);
    free(b->goleft);
    free(b->tmpi);
    free(b->tmpd);
    free(b->ka);
    free(b->kb);
    free(b->so);
    free(b->sv);
    free(b->feats);
    free(b->cconst);
    free(b->stk);
    free(b->stkc);
    free(b);
}

cart_builder *cart_builder_new(const double *X, int n, int p, int reuse, ut_err *e)
{
    cart_builder *b = calloc(1, sizeof *b);
    if (!b) {
        ut_errf(e, MLG_NOMEM, "out of memory growing a tree");
        return NULL;
    }
    size_t n1 = (size_t)n + 1, p1 = (size_t)p + 1;
    b->X = X;
    b->n = n;
    b->p = p;
    b->reuse = reuse;
    b->samp = malloc(n1 * sizeof *b->samp);
    b->goleft = malloc(n1);
    b->tmpi = malloc(n1 * sizeof *b->tmpi);
    b->tmpd = malloc(n1 * sizeof *b->tmpd);
    b->ka = malloc(n1 * sizeof *b->ka);
    b->kb = malloc(n1 * sizeof *b->kb);
    b->so = malloc(n1 * sizeof *b->so);
    b->sv = malloc(n1 * sizeof *b->sv);
    b->feats = malloc(p1 * sizeof *b->feats);
    b->cconst = malloc(p1);
    b->stk_cap = 64;
    b->stk = malloc((size_t)b->stk_cap * sizeof *b->stk);
    b->stkc = malloc((size_t)b->stk_cap * p1);
    if (!b->samp || !b->goleft || !b->tmpi || !b->tmpd || !b->ka || !b->kb || !b->so
        || !b->sv || !b->feats || !b->cconst || !b->stk || !b->stkc) {
        cart_builder_free(b);
        ut_errf(e, MLG_NOMEM, "out of memory growing a tree (%d x %d)", n, p);
        return NULL;
    }
    return b;
}

/* The buffers of the presorted strategy, allocated on first use (a forest
 * that only sorts per node never needs them). */
static int need_presort(cart_builder *b)
{
    size_t np = (size_t)b->n * b->p + 1;
    if (!b->ord)
        b->ord = malloc(np * sizeof *b->ord);
    /* the sorted values beside the order: faster scans (about 2x for deep
     * trees on 200 000 rows), one more copy of the data; large single
     * trees read the values from X instead */
    int keep_val = b->reuse || np - 1 < cart_val_copy_max;
    if (keep_val && !b->val)
        b->val = malloc(np * sizeof *b->val);
    if (!keep_val && !b->vg)
        b->vg = malloc(((size_t)b->n + 1) * sizeof *b->vg);
    if (!b->ord || (keep_val ? !b->val : !b->vg))
        return -1;
    if (b->reuse && !b->gready) {
        if (!b->gord)
            b->gord = malloc(np * sizeof *b->gord);
        if (!b->gval)
            b->gval = malloc(np * sizeof *b->gval);
        if (!b->gord || !b->gval)
            return -1;
        for (int i = 0; i < b->n; i++)
            b->samp[i] = i;
        for (int f = 0; f < b->p; f++)
            sort_column(b, f, b->samp, b->n, b->gord + (size_t)f * b->n,
                        b->gval + (size_t)f * b->n);
        b->gready = 1;
    }
    return 0;
}

static int need_columns(cart_builder *b)
{
    if (b->Xc)
        return 0;
    int n = b->n, p = b->p;
    if (!(b->Xc = malloc(((size_t)n * p + 1) * sizeof *b->Xc)))
        return -1;
    for (int i = 0; i < n; i++)
        for (int f = 0; f < p; f++)
            b->Xc[(size_t)f * n + i] = b->X[(size_t)i * p + f];
    return 0;
}

/* Presorting pays p partitions per node; sorting on the spot pays one sort
 * per drawn feature.  Only forests with few drawn features relative to p
 * (and small nodes) prefer sorting.  The weights are measured costs per row
 * relative to one partition (radix sort ~8, insertion sort ~n/16). */
static int prefer_presort(int p_active, int mtry, int nn, int strategy)
{
    if (strategy == CART_PRESORT)
        return 1;
    if (strategy == CART_NODE_SORT)
        return 0;
    if (mtry <= 0 || mtry >= p_active)
        return 1;
    double sortc = nn < 48 ? 2.0 + nn / 8.0 : 8.0;
    return p_active <= mtry * sortc;
}

void cart_tree_free(cart_tree *t)
{
    if (!t)
        return;
    free(t->node);
    free(t->value);
    t->node = NULL;
    t->value = NULL;
    t->nnodes = t->cap = 0;
}

int cart_apply(const cart_tree *t, const double *x, int max_depth)
{
    const cart_node *nd = t->node;
    int i = 0;
    if (max_depth <= 0)
        max_depth = INT32_MAX;
    while (nd[i].feature >= 0 && nd[i].depth < max_depth)
        i = x[nd[i].feature] <= nd[i].threshold ? nd[i].left : nd[i].right;
    return i;
}

/* ---- growing ---- */

typedef struct {
    cart_builder *b;
    const int *yc;
    const double *y, *w;
    int K, m;
    cart_criterion crit;
    int msl;
    double *ctot, *cl;   /* class weights: node total, left of the cursor */
    double W, S;         /* node weight and weighted target sum           */
    /* best split so far */
    double best;
    int bf, bpos;
    double bthr;
    /* several leaf sizes at once (cart_grow_leaves): when nact > 1, the
     * node's variants still splitting, by ascending leaf size amsl, each
     * with its own best split (the single fields above are then unused) */
    int nact, mtry, strategy;   /* mtry, strategy: cart_grow_leaves' splits */
    const int *amsl;
    double *abest, *athr;
    int *abf, *abpos;
} grow_ctx;

static double xlogx(double x)
{
    return x > 0 ? x * log(x) : 0.0;
}

/* The threshold between two consecutive distinct values. */
static double midpoint(double a, double b)
{
    double t = a / 2.0 + b / 2.0;
    return t >= b || isinf(t) ? a : t;
}

static void keep(grow_ctx *c, double q, int f, int pos, double a, double b)
{
    c->best = q;
    c->bf = f;
    c->bpos = pos;
    c->bthr = midpoint(a, b);
}

/* Candidate k (the last left row, q its proxy) for every variant whose
 * leaf size allows it: those are a prefix of the ascending sizes. */
static void keep_leaves(grow_ctx *c, double q, int f, int k, int len, int s, const double *v)
{
    for (int j = 0; j < c->nact; j++) {
        int mj = c->amsl[j];
        if (k < mj - 1 || k > len - mj - 1)
            break;
        if (q > c->abest[j]) {
            c->abest[j] = q;
            c->abf[j] = f;
            c->abpos[j] = s + k + 1;
            c->athr[j] = midpoint(v[k], v[k + 1]);
        }
    }
}

/* Scans one non-constant column of the node (rows o[0..len) in value order
 * v) and keeps the best split, position counted from s.  The proxies are
 * sklearn's up to node constants: gini Σc²/w per side, entropy −Σ w·H per
 * side, mse Σ sum²/w per side. */
static void scan_feature(grow_ctx *c, int f, const int *o, const double *v, int len, int s)
{
    const double *w = c->w;
    int msl = c->nact > 1 ? c->amsl[0] : c->msl, multi = c->nact > 1;
    double W = c->W;
    /* the last left row k must leave msl rows on both sides */
    int kmin = msl - 1, kmax = len - msl - 1;
    if (kmin > kmax)
        return;
    if (c->K > 0) {
        int K = c->K;
        const int *yc = c->yc;
        double *cl = c->cl, *ct = c->ctot;
        memset(cl, 0, (size_t)K * sizeof *cl);
        double wl = 0, sl2 = 0, sr2 = 0;
        for (int k = 0; k < K; k++)
            sr2 += ct[k] * ct[k];
        for (int k = 0; k <= kmax; k++) {
            int r = o[k], y = yc[r];
            double wt = w ? w[r] : 1.0;
            /* (c+w)² − c² on the left, (c'−w)² − c'² on the right */
            sl2 += wt * (2 * cl[y] + wt);
            sr2 += wt * (wt - 2 * (ct[y] - cl[y]));
            cl[y] += wt;
            wl += wt;
            if (k < kmin || !(v[k + 1] > v[k]))
                continue;
            double wr = W - wl, q;
            if (c->crit == CART_GINI) {
                q = sl2 / wl + sr2 / wr;
            } else {
                double hl = xlogx(wl), hr = xlogx(wr);
                for (int j = 0; j < K; j++) {
                    hl -= xlogx(cl[j]);
                    hr -= xlogx(ct[j] - cl[j]);
                }
                q = -(hl + hr);
            }
            if (multi)
                keep_leaves(c, q, f, k, len, s, v);
            else if (q > c->best)
                keep(c, q, f, s + k + 1, v[k], v[k + 1]);
        }
    } else {
        const double *y = c->y;
        double wl = 0, sl = 0, S = c->S;
        for (int k = 0; k <= kmax; k++) {
            int r = o[k];
            double wt = w ? w[r] : 1.0;
            sl += wt * y[r];
            wl += wt;
            if (k < kmin || !(v[k + 1] > v[k]))
                continue;
            double sr = S - sl, q = sl * sl / wl + sr * sr / (W - wl);
            if (multi)
                keep_leaves(c, q, f, k, len, s, v);
            else if (q > c->best)
                keep(c, q, f, s + k + 1, v[k], v[k + 1]);
        }
    }
}

/* Examines feature f of node [s, e): returns 1 if it is constant there,
 * else scans it. */
static int try_feature(grow_ctx *c, int f, int s, int e, int presorted)
{
    cart_builder *b = c->b;
    if (presorted) {
        const int *o = b->ord + (size_t)f * c->m + s;
        const double *v;
        if (b->val) {
            v = b->val + (size_t)f * c->m + s;
        } else {
            /* the same bits the sorted copy would hold */
            for (int k = 0; k < e - s; k++)
                b->vg[k] = b->X[(size_t)o[k] * b->p + f];
            v = b->vg;
        }
        if (!(v[e - s - 1] > v[0]))
            return 1;
        scan_feature(c, f, o, v, e - s, s);
        return 0;
    }
    const double *col = b->Xc + (size_t)f * b->n;
    const int *samp = b->samp;
    double lo = col[samp[s]], hi = lo;
    for (int k = s; k < e; k++) {
        double x = col[samp[k]];
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
        b->ka[k - s].k = ut_dkey(x);
        b->ka[k - s].i = samp[k];
    }
    if (!(hi > lo))
        return 1;
    ut_keyidx *so = ut_radix_sort(b->ka, b->kb, e - s);
    for (int j = 0; j < e - s; j++) {
        b->so[j] = so[j].i;
        b->sv[j] = ut_dunkey(so[j].k);
    }
    scan_feature(c, f, b->so, b->sv, e - s, s);
    return 0;
}

/* sklearn's feature drawing: up to max_features visited (known constants
 * count as visited), more while every visited one was constant. */
static void find_split(grow_ctx *c, int s, int e, int mtry, uint64_t h, int presorted)
{
    cart_builder *b = c->b;
    int p = b->p;
    unsigned char *cc = b->cconst;
    c->best = -INFINITY;
    c->bf = -1;
    for (int j = 0; j < c->nact; j++) {
        c->abest[j] = -INFINITY;
        c->abf[j] = -1;
    }
    if (mtry <= 0 || mtry >= p)
        mtry = p;  /* every feature, in the node's random order */
    int *feats = b->feats, nk = 0, j = 0;
    for (int f = 0; f < p; f++)
        if (cc[f])
            feats[nk++] = f;
    j = nk;
    for (int f = 0; f < p; f++)
        if (!cc[f])
            feats[j++] = f;
    ut_rng rng;
    ut_rng_seed(&rng, h);
    int f_i = p, n_drawn = 0, n_found = 0, n_total = nk, visited = 0, t;
    while (f_i > n_total && (visited < mtry || visited <= n_found + n_drawn)) {
        visited++;
        int fj = n_drawn + (int)ut_rng_below(&rng, (uint64_t)(f_i - n_found - n_drawn));
        if (fj < nk) {
            t = feats[n_drawn], feats[n_drawn] = feats[fj], feats[fj] = t;
            n_drawn++;
            continue;
        }
        fj += n_found;
        int f = feats[fj];
        if (try_feature(c, f, s, e, presorted)) {
            t = feats[n_total], feats[n_total] = feats[fj], feats[fj] = t;
            n_found++;
            n_total++;
            cc[f] = 1;
            continue;
        }
        f_i--;
        t = feats[f_i], feats[f_i] = feats[fj], feats[fj] = t;
    }
}

/* Stable partition of [s, e) of an int list (and optionally its values) by
 * goleft; the right part goes through the scratch buffers. */
static void partition(cart_builder *b, int *o, double *v, int s, int e)
{
    const unsigned char *gl = b->goleft;
    int *ti = b->tmpi;
    double *td = b->tmpd;
    int wl = s, wr = 0;
    if (v) {
        for (int k = s; k < e; k++) {
            int r = o[k];
            double x = v[k];
            int g = gl[r];
            o[wl] = r;
            v[wl] = x;
            ti[wr] = r;
            td[wr] = x;
            wl += g;
            wr += 1 - g;
        }
        memcpy(v + wl, td, (size_t)wr * sizeof *v);
    } else {
        for (int k = s; k < e; k++) {
            int r = o[k], g = gl[r];
            o[wl] = r;
            ti[wr] = r;
            wl += g;
            wr += 1 - g;
        }
    }
    memcpy(o + wl, ti, (size_t)wr * sizeof *o);
}

static int add_node(cart_tree *t)
{
    if (t->nnodes == t->cap) {
        int cap = t->cap ? 2 * t->cap : 64;
        cart_node *nn = realloc(t->node, (size_t)cap * sizeof *nn);
        if (!nn)
            return -1;
        t->node = nn;
        double *nv = realloc(t->value, (size_t)cap * t->nout * sizeof *nv);
        if (!nv)
            return -1;
        t->value = nv;
        t->cap = cap;
    }
    return t->nnodes++;
}

static int push(cart_builder *b, int *sp, pend pe, const unsigned char *cc)
{
    size_t p1 = (size_t)b->p + 1;
    if (*sp == b->stk_cap) {
        int cap = 2 * b->stk_cap;
        pend *ns = realloc(b->stk, (size_t)cap * sizeof *ns);
        if (!ns)
            return -1;
        b->stk = ns;
        unsigned char *nc = realloc(b->stkc, (size_t)cap * p1);
        if (!nc)
            return -1;
        b->stkc = nc;
        b->stk_cap = cap;
    }
    b->stk[*sp] = pe;
    memcpy(b->stkc + (size_t)*sp * p1, cc, p1);
    (*sp)++;
    return 0;
}

/* Node statistics: weight, class totals or target sum, own prediction and
 * impurity (variance by two passes so a constant target is exactly 0). */
static void node_stats(grow_ctx *c, int s, int e, double *value, double *impurity)
{
    const int *samp = c->b->samp;
    const double *w = c->w;
    double W = 0;
    if (c->K > 0) {
        int K = c->K;
        memset(c->ctot, 0, (size_t)K * sizeof *c->ctot);
        for (int k = s; k < e; k++) {
            int r = samp[k];
            double wt = w ? w[r] : 1.0;
            c->ctot[c->yc[r]] += wt;
            W += wt;
        }
        double imp = c->crit == CART_GINI ? 1.0 : 0.0;
        for (int j = 0; j < K; j++) {
            double q = c->ctot[j] / W;
            value[j] = q;
            if (c->crit == CART_GINI)
                imp -= q * q;
            else if (q > 0)
                imp -= q * log2(q);
        }
        *impurity = imp;
    } else {
        double S = 0, v = 0;
        for (int k = s; k < e; k++) {
            int r = samp[k];
            double wt = w ? w[r] : 1.0;
            S += wt * c->y[r];
            W += wt;
        }
        double mean = S / W;
        for (int k = s; k < e; k++) {
            int r = samp[k];
            double d = c->y[r] - mean;
            v += (w ? w[r] : 1.0) * d * d;
        }
        c->S = S;
        value[0] = mean;
        *impurity = v / W;
    }
    c->W = W;
}

static int count_active(const unsigned char *cc, int p)
{
    int a = 0;
    for (int f = 0; f < p; f++)
        a += !cc[f];
    return a;
}

/* The growth's data in c, and its class-weight buffers (freed by the
 * caller, also on failure: -1). */
static int ctx_init(grow_ctx *c, cart_builder *b, const int *yc, int nclasses, const double *y, const double *w, int m,
                    cart_criterion crit)
{
    c->b = b;
    c->yc = yc;
    c->y = y;
    c->w = w;
    c->K = nclasses;
    c->m = m;
    c->crit = crit;
    if (nclasses > 0) {
        c->ctot = malloc((size_t)nclasses * sizeof *c->ctot);
        c->cl = malloc((size_t)nclasses * sizeof *c->cl);
        if (!c->ctot || !c->cl)
            return -1;
    }
    return 0;
}

/* Splits node [s, en) by feature bf: presorted, the rows of bf's segment
 * before pos go left, else those with x <= thr; the rows and (while the
 * children stay presorted, the cheaper way) every column not known
 * constant are partitioned.  Returns whether the children are presorted,
 * or -1 (out of memory). */
static int split_node(grow_ctx *c, int s, int en, int presorted, int bf, int pos, double thr, int mtry, int strategy)
{
    cart_builder *b = c->b;
    int m = c->m, p = b->p;
    if (presorted) {
        const int *ob = b->ord + (size_t)bf * m;
        for (int k = s; k < pos; k++)
            b->goleft[ob[k]] = 1;
        for (int k = pos; k < en; k++)
            b->goleft[ob[k]] = 0;
    } else {
        const double *col = b->Xc + (size_t)bf * b->n;
        for (int k = s; k < en; k++)
            b->goleft[b->samp[k]] = col[b->samp[k]] <= thr;
    }
    partition(b, b->samp, NULL, s, en);
    int kids = presorted && prefer_presort(count_active(b->cconst, p), mtry, en - s, strategy);
    if (kids) {
        for (int f = 0; f < p; f++)
            if (f != bf && !b->cconst[f])
                partition(b, b->ord + (size_t)f * m, b->val ? b->val + (size_t)f * m : NULL, s, en);
    } else if (need_columns(b)) {
        return -1;
    }
    return kids;
}

/* The root's columns in value order over the m active rows of samp:
 * sorted now, or (a builder kept for many trees) taken from the columns
 * sorted once, keeping the rows of positive weight. */
static void root_layout(cart_builder *b, const double *w, int m)
{
    int n = b->n;
    for (int f = 0; f < b->p; f++) {
        int *o = b->ord + (size_t)f * m;
        double *v = b->val ? b->val + (size_t)f * m : b->vg;
        if (!b->reuse) {
            sort_column(b, f, b->samp, m, o, v);
            continue;
        }
        const int *go = b->gord + (size_t)f * n;
        const double *gv = b->gval + (size_t)f * n;
        if (m == n) {
            memcpy(o, go, (size_t)n * sizeof *o);
            memcpy(v, gv, (size_t)n * sizeof *v);
            continue;
        }
        for (int j = 0, k = 0; j < n; j++)
            if (w[go[j]] > 0) {
                o[k] = go[j];
                v[k++] = gv[j];
            }
    }
}

/* A growth's root: the rows of positive weight in b->samp (*m of them),
 * the features drawn per node (*mtry; 0: all), and the columns' layout
 * (*presorted: per-feature value orders; `presort` 1 takes them, -1
 * chooses by cost) with its buffers.  0; -1 no row to grow on (e set);
 * -2 out of memory. */
static int root_rows(cart_builder *b, const double *w, const cart_params *cp, int presort, int *m, int *mtry,
                     int *presorted, ut_err *e)
{
    int n = b->n, p = b->p, k = 0;
    for (int i = 0; i < n; i++)
        if (!w || w[i] > 0)
            k++;
    if (k == 0)
        return ut_errf(e, MLG_DATA, "cart: no training rows with positive weight");
    *mtry = cp->max_features > 0 && cp->max_features < p ? cp->max_features : 0;
    *presorted = presort >= 0 ? presort : prefer_presort(p, *mtry, k, cp->strategy);
    if (*presorted ? need_presort(b) : need_columns(b))
        return -2;
    *m = 0;
    for (int i = 0; i < n; i++)
        if (!w || w[i] > 0)
            b->samp[(*m)++] = i;
    return 0;
}

static int resume_layout(cart_builder *b, const cart_tree *from, int m, ut_err *e);
static void resume_consts(cart_builder *b, const cart_tree *from, int q, int s, int m);

/* Grows t; with `from` (resuming, cart_grow_from) the nodes of `from`
 * above depth from_cap are taken as they are and only its leaves at
 * from_cap grow on. */
static int grow(cart_builder *b, const int *yc, int nclasses, const double *y, const double *w,
                const cart_params *cp, const cart_tree *from, int from_cap, cart_tree *t, ut_err *e)
{
    int p = b->p, m = 0, sp = 0, rc = -1;
    size_t p1 = (size_t)p + 1;
    grow_ctx c;

    memset(t, 0, sizeof *t);
    memset(&c, 0, sizeof c);
    if (nclasses > 0 ? (!yc || cp->crit == CART_MSE) : (!y || cp->crit != CART_MSE))
        return ut_errf(e, MLG_MISUSE, "cart: criterion does not match the target kind");
    /* resuming lays the columns out presorted (the tree is the same either way) */
    int mtry, root_presorted, rr = root_rows(b, w, cp, from ? 1 : -1, &m, &mtry, &root_presorted, e);
    if (rr == -2)
        goto oom;
    if (rr)
        return -1;
    if (from) {
        int lr = resume_layout(b, from, m, e);
        if (lr == -2)
            goto oom;
        if (lr)
            return -1;
    }
    if (root_presorted && !from)
        root_layout(b, w, m);

    c.msl = cp->min_samples_leaf > 0 ? cp->min_samples_leaf : 1;
    if (ctx_init(&c, b, yc, nclasses, y, w, m, cp->crit))
        goto oom;
    t->nout = nclasses > 0 ? nclasses : 1;
    int maxd = cp->max_depth > 0 ? cp->max_depth : INT32_MAX;

    memset(b->cconst, 0, p1);
    if (push(b, &sp, (pend){ 0, m, 0, -1, 0, root_presorted,
                             mix64(cp->seed ^ 0x243F6A8885A308D3ULL), from ? 0 : -1 }, b->cconst))
        goto oom;
    while (sp > 0) {
        sp--;
        pend pe = b->stk[sp];
        memcpy(b->cconst, b->stkc + (size_t)sp * p1, p1);
        int id = add_node(t);
        if (id < 0)
            goto oom;
        cart_node *nd = &t->node[id];
        double *val = t->value + (size_t)id * t->nout;
        int s = pe.s, en = pe.e, nn = en - s;
        nd->feature = nd->left = nd->right = -1;
        nd->threshold = 0;
        nd->depth = pe.depth;
        nd->n_samples = nn;
        if (pe.depth > t->depth)
            t->depth = pe.depth;
        if (pe.parent >= 0) {
            if (pe.is_left)
                t->node[pe.parent].left = id;
            else
                t->node[pe.parent].right = id;
        }
        const cart_node *old = pe.prev >= 0 ? &from->node[pe.prev] : NULL;
        if (old && (old->feature >= 0 || old->depth < from_cap)) {
            /* a node above the earlier cap: grown then exactly as now
             * (growth is node-local), so it is copied; its rows are laid
             * out already (resume_layout) */
            nd->impurity = old->impurity;
            nd->weight = old->weight;
            memcpy(val, from->value + (size_t)pe.prev * t->nout, (size_t)t->nout * sizeof *val);
            if (old->feature < 0)
                continue;   /* it stopped before the cap: pure or too small */
            nd->feature = old->feature;
            nd->threshold = old->threshold;
            int pos = s + from->node[old->left].n_samples;
            /* the flags find_split would have left: every feature not known
             * constant is visited when all are drawn (resuming requires
             * that), so the children know exactly those constant here */
            resume_consts(b, from, pe.prev, s, m);
            if (push(b, &sp, (pend){ pos, en, pe.depth + 1, id, 0, 1, mix64(pe.h ^ 0x5555), old->right },
                     b->cconst)
                || push(b, &sp, (pend){ s, pos, pe.depth + 1, id, 1, 1, mix64(pe.h ^ 0xAAAA), old->left },
                        b->cconst))
                goto oom;
            continue;
        }
        node_stats(&c, s, en, val, &nd->impurity);
        nd->weight = c.W;
        if (pe.depth >= maxd || nn < 2 || nn < 2 * c.msl || nd->impurity <= DBL_EPSILON)
            continue;
        find_split(&c, s, en, mtry, pe.h, pe.presorted);
        if (c.bf < 0)
            continue;
        int bf = c.bf, pos = c.bpos;
        nd->feature = bf;
        nd->threshold = c.bthr;
        int kids_presorted = split_node(&c, s, en, pe.presorted, bf, pos, c.bthr, mtry, cp->strategy);
        if (kids_presorted < 0)
            goto oom;
        /* right pushed first so the left subtree is grown (and numbered) first */
        if (push(b, &sp, (pend){ pos, en, pe.depth + 1, id, 0, kids_presorted,
                                 mix64(pe.h ^ 0x5555), -1 }, b->cconst)
            || push(b, &sp, (pend){ s, pos, pe.depth + 1, id, 1, kids_presorted,
                                    mix64(pe.h ^ 0xAAAA), -1 }, b->cconst))
            goto oom;
    }
    rc = 0;
    goto done;
oom:
    ut_errf(e, MLG_NOMEM, "out of memory growing a tree");
done:
    free(c.ctot);
    free(c.cl);
    if (rc != 0)
        cart_tree_free(t);
    return rc;
}

int cart_grow(cart_builder *b, const int *yc, int nclasses, const double *y,
              const double *w, const cart_params *cp, cart_tree *t, ut_err *e)
{
    return grow(b, yc, nclasses, y, w, cp, NULL, 0, t, e);
}

/* ---- several leaf sizes in one growth ----
 * A node's rows, draws and candidate proxies do not depend on
 * min_samples_leaf; only which candidates count does (both sides at least
 * the leaf size), and for ascending sizes those are nested.  So one scan
 * finds every size's best split, and the sizes that take the same split
 * share the node's children.  Where they part, each other group gets a
 * fork entry: the node's rows saved, and when popped (after the first
 * group's subtree has reused the buffers) laid out again by sorting each
 * column afresh — the same (value, row) order growing gives, since a
 * node's rows are ascending — and split its own way.  Every size's tree
 * receives its nodes in its own preorder, with the same path hashes, so
 * each equals cart_grow's tree for that size bit for bit. */
typedef struct {
    pend pe;        /* pe.parent >= 0: not the root (ids in the parent slots) */
    uint64_t vars;  /* bit j: the tree of leaf size j shares this node */
    int fork;       /* split (bf, pos, thr) of node [s, e) made when popped */
    int bf, pos;
    double thr;
    int *rows;      /* fork: the node's rows, ascending (owned) */
} mpend;

typedef struct {
    mpend *e;
    unsigned char *cc;  /* p + 1 constant flags per slot */
    int *par;           /* nv per slot: the parent's (fork: the node's) id per tree */
    int n, cap, nv;
    size_t p1;
} mstack;

static int mpush(mstack *st, mpend me, const unsigned char *cc, const int *par)
{
    if (st->n == st->cap) {
        int cap = st->cap ? 2 * st->cap : 64;
        mpend *ne = realloc(st->e, (size_t)cap * sizeof *ne);
        if (ne) st->e = ne;
        unsigned char *nc = ne ? realloc(st->cc, (size_t)cap * st->p1) : NULL;
        if (nc) st->cc = nc;
        int *np = nc ? realloc(st->par, (size_t)cap * st->nv * sizeof *np) : NULL;
        if (!np) {
            free(me.rows);
            return -1;
        }
        st->par = np;
        st->cap = cap;
    }
    st->e[st->n] = me;
    memcpy(st->cc + (size_t)st->n * st->p1, cc, st->p1);
    memcpy(st->par + (size_t)st->n * st->nv, par, (size_t)st->nv * sizeof *par);
    st->n++;
    return 0;
}

/* Splits node [s, en) by feature bf (split_node) and pushes its two
 * children for the trees in vars; par holds the node's id in each tree. */
static int split_push(grow_ctx *c, mstack *st, const mpend *me, int bf, int pos, double thr, uint64_t vars,
                      const int *par)
{
    int s = me->pe.s, en = me->pe.e;
    int kids = split_node(c, s, en, me->pe.presorted, bf, pos, thr, c->mtry, c->strategy);
    if (kids < 0)
        return -1;
    mpend r = { { pos, en, me->pe.depth + 1, 0, 0, kids, mix64(me->pe.h ^ 0x5555), -1 }, vars, 0, 0, 0, 0, NULL };
    mpend l = { { s, pos, me->pe.depth + 1, 0, 1, kids, mix64(me->pe.h ^ 0xAAAA), -1 }, vars, 0, 0, 0, 0, NULL };
    return mpush(st, r, c->b->cconst, par) || mpush(st, l, c->b->cconst, par) ? -1 : 0;
}

/* A fork entry popped: the node's rows back in samp and every column not
 * known constant sorted over them again. */
static void relayout(grow_ctx *c, const mpend *me)
{
    cart_builder *b = c->b;
    int s = me->pe.s, nn = me->pe.e - s, m = c->m;
    memcpy(b->samp + s, me->rows, (size_t)nn * sizeof *b->samp);
    if (!me->pe.presorted)
        return;
    for (int f = 0; f < b->p; f++)
        if (!b->cconst[f])
            sort_column(b, f, b->samp + s, nn, b->ord + (size_t)f * m + s,
                        b->val ? b->val + (size_t)f * m + s : b->tmpd);
}

static int grow_leaves(cart_builder *b, const int *yc, int nclasses, const double *y, const double *w,
                       const cart_params *cp, const int *msl, int nv, cart_tree *t, ut_err *e)
{
    int p = b->p, m = 0, rc = -1;
    size_t p1 = (size_t)p + 1;
    grow_ctx c;
    mstack st = { NULL, NULL, NULL, 0, 0, nv, p1 };
    int *par = malloc(2 * (size_t)nv * sizeof *par), *ids, amsl[64], av[64], abf[64], abpos[64];
    double abest[64], athr[64];

    memset(&c, 0, sizeof c);
    for (int j = 0; j < nv; j++)
        memset(&t[j], 0, sizeof t[j]);
    if (!par)
        goto oom;
    ids = par + nv;   /* each tree's id of the node being grown */
    int mtry, presorted, rr = root_rows(b, w, cp, -1, &m, &mtry, &presorted, e);
    if (rr == -2)
        goto oom;
    if (rr) {
        free(par);
        return -1;
    }
    if (presorted)
        root_layout(b, w, m);
    c.mtry = mtry;
    c.strategy = cp->strategy;
    c.amsl = amsl;
    c.abest = abest;
    c.athr = athr;
    c.abf = abf;
    c.abpos = abpos;
    if (ctx_init(&c, b, yc, nclasses, y, w, m, cp->crit))
        goto oom;
    int nout = nclasses > 0 ? nclasses : 1, maxd = cp->max_depth > 0 ? cp->max_depth : INT32_MAX;
    for (int j = 0; j < nv; j++)
        t[j].nout = nout;
    double *val = malloc((size_t)nout * sizeof *val);
    if (!val)
        goto oom;
    memset(b->cconst, 0, p1);
    uint64_t all = nv == 64 ? ~0ULL : (1ULL << nv) - 1;
    mpend root = { { 0, m, 0, -1, 0, presorted, mix64(cp->seed ^ 0x243F6A8885A308D3ULL), -1 }, all, 0, 0, 0, 0, NULL };
    if (mpush(&st, root, b->cconst, par)) {
        free(val);
        goto oom;
    }
    int ok = 1;
    while (ok && st.n > 0) {
        st.n--;
        mpend me = st.e[st.n];
        memcpy(b->cconst, st.cc + (size_t)st.n * p1, p1);
        memcpy(par, st.par + (size_t)st.n * nv, (size_t)nv * sizeof *par);
        if (me.fork) {
            relayout(&c, &me);
            free(me.rows);
            me.rows = NULL;
            ok = split_push(&c, &st, &me, me.bf, me.pos, me.thr, me.vars, par) == 0;
            continue;
        }
        int s = me.pe.s, en = me.pe.e, nn = en - s;
        double imp;
        node_stats(&c, s, en, val, &imp);
        int na = 0;
        for (int j = 0; j < nv; j++) {
            if (!(me.vars >> j & 1))
                continue;
            int id = add_node(&t[j]);
            if (id < 0) {
                ok = 0;
                break;
            }
            ids[j] = id;
            cart_node *nd = &t[j].node[id];
            nd->feature = nd->left = nd->right = -1;
            nd->threshold = 0;
            nd->depth = me.pe.depth;
            nd->n_samples = nn;
            nd->weight = c.W;
            nd->impurity = imp;
            memcpy(t[j].value + (size_t)id * nout, val, (size_t)nout * sizeof *val);
            if (me.pe.depth > t[j].depth)
                t[j].depth = me.pe.depth;
            if (me.pe.parent >= 0) {
                if (me.pe.is_left)
                    t[j].node[par[j]].left = id;
                else
                    t[j].node[par[j]].right = id;
            }
            if (me.pe.depth < maxd && nn >= 2 && nn >= 2 * msl[j] && imp > DBL_EPSILON) {
                amsl[na] = msl[j];
                av[na++] = j;
            }
        }
        if (!ok || na == 0)
            continue;
        c.nact = na > 1 ? na : 0;
        c.msl = amsl[0];
        find_split(&c, s, en, mtry, me.pe.h, me.pe.presorted);
        if (na == 1) {
            abf[0] = c.bf;
            abpos[0] = c.bpos;
            athr[0] = c.bthr;
        }
        /* the sizes by split taken; the first group's children grow now,
         * every other group's after them (a fork entry below them) */
        uint64_t done = 0, first = 0;
        int fbf = -1, fpos = 0;
        double fthr = 0;
        for (int a = 0; a < na && ok; a++) {
            if (abf[a] < 0 || (done >> a & 1))
                continue;
            uint64_t vars = 0;
            for (int q = a; q < na; q++)
                if (!(done >> q & 1) && abf[q] == abf[a] && abpos[q] == abpos[a]) {
                    done |= 1ULL << q;
                    vars |= 1ULL << av[q];
                    cart_node *nd = &t[av[q]].node[ids[av[q]]];
                    nd->feature = abf[a];
                    nd->threshold = athr[a];
                }
            if (!first) {
                first = vars;
                fbf = abf[a];
                fpos = abpos[a];
                fthr = athr[a];
                continue;
            }
            mpend fk = { me.pe, vars, 1, abf[a], abpos[a], athr[a], malloc((size_t)nn * sizeof(int) + 1) };
            if (!fk.rows) {
                ok = 0;
                break;
            }
            memcpy(fk.rows, b->samp + s, (size_t)nn * sizeof(int));
            ok = mpush(&st, fk, b->cconst, ids) == 0;
        }
        if (ok && first)
            ok = split_push(&c, &st, &me, fbf, fpos, fthr, first, ids) == 0;
    }
    free(val);
    if (ok) {
        rc = 0;
        goto done;
    }
oom:
    ut_errf(e, MLG_NOMEM, "out of memory growing a tree");
done:
    for (int i = 0; i < st.n; i++)
        free(st.e[i].rows);
    free(st.e);
    free(st.cc);
    free(st.par);
    free(par);
    free(c.ctot);
    free(c.cl);
    if (rc != 0)
        for (int j = 0; j < nv; j++)
            cart_tree_free(&t[j]);
    return rc;
}

int cart_grow_leaves(cart_builder *b, const int *yc, int nclasses, const double *y, const double *w,
                     const cart_params *cp, const int *msl, int nv, cart_tree *t, ut_err *e)
{
    if (nv < 1 || nv > CART_MAX_LEAF_SIZES)
        return ut_errf(e, MLG_MISUSE, "cart: 1 to %d leaf sizes", CART_MAX_LEAF_SIZES);
    if (nclasses > 0 ? (!yc || cp->crit == CART_MSE) : (!y || cp->crit != CART_MSE))
        return ut_errf(e, MLG_MISUSE, "cart: criterion does not match the target kind");
    for (int j = 0; j < nv; j++)
        if (msl[j] < 1 || (j && msl[j] <= msl[j - 1]))
            return ut_errf(e, MLG_MISUSE, "cart: leaf sizes must be ascending and >= 1");
    return grow_leaves(b, yc, nclasses, y, w, cp, msl, nv, t, e);
}

/* ---- resuming ----
 * The rows of every leaf of `from` in one contiguous segment of samp, the
 * leaves in preorder (left to right, where growing would have put them),
 * each segment's rows ascending (as stable partitions from the ascending
 * root leave them); every column sorted once over all rows and spread
 * stably over the same segments: each node then sees its rows in the
 * (value, row) order growing gives it.  Returns 0, -1 (the tree does not
 * fit the data: counts differ; *e set), -2 out of memory. */
static int resume_layout(cart_builder *b, const cart_tree *from, int m, ut_err *e)
{
    int p = b->p, nn = from->nnodes, rc = 0;
    const cart_node *nd = from->node;
    int *leaf = malloc(((size_t)m + 1) * sizeof *leaf), *at = calloc((size_t)nn + 1, sizeof *at);
    int *start = malloc(((size_t)nn + 1) * sizeof *start), *sorted = malloc(((size_t)m + 1) * sizeof *sorted);
    int *asc = b->so;          /* the active rows, ascending */
    int *leaf_of = b->tmpi;    /* per row id; partition's scratch, free until growing */
    if (!leaf || !at || !start || !sorted) {
        rc = -2;
        goto out;
    }
    memcpy(asc, b->samp, (size_t)m * sizeof *asc);
    for (int j = 0; j < m; j++) {
        const double *x = b->X + (size_t)asc[j] * p;
        int q = 0;
        while (nd[q].feature >= 0)
            q = x[nd[q].feature] <= nd[q].threshold ? nd[q].left : nd[q].right;
        leaf[j] = q;
        leaf_of[asc[j]] = q;
        at[q]++;
    }
    /* the earlier tree was grown on these rows: its counts must agree */
    for (int q = 0; q < nn && !rc; q++)
        if (nd[q].feature < 0 ? at[q] != nd[q].n_samples
                              : nd[q].n_samples != nd[nd[q].left].n_samples + nd[nd[q].right].n_samples)
            rc = ut_errf(e, MLG_DATA, "cart: the tree to resume was not grown on these rows (node %d)", q);
    if (rc) {
        rc = -1;
        goto out;
    }
    for (int q = 0, sum = 0; q < nn; q++) {   /* segment starts, preorder */
        start[q] = sum;
        sum += at[q];
    }
    memcpy(at, start, (size_t)nn * sizeof *at);
    for (int j = 0; j < m; j++)
        b->samp[at[leaf[j]]++] = asc[j];
    for (int f = 0; f < p; f++) {
        int *o = b->ord + (size_t)f * m;
        double *v = b->val ? b->val + (size_t)f * m : NULL;
        sort_column(b, f, asc, m, sorted, b->tmpd);
        memcpy(at, start, (size_t)nn * sizeof *at);
        for (int j = 0; j < m; j++) {
            int r = sorted[j], k = at[leaf_of[r]]++;
            o[k] = r;
            if (v)
                v[k] = b->tmpd[j];
        }
    }
out:
    free(sorted);
    free(start);
    free(leaf);
    free(at);
    return rc;
}

/* The dkey range of feature f over node q of `from`, whose rows are the
 * segment from s: its leaves' segments are sorted, their ends are the
 * extremes. */
static void subtree_range(const cart_builder *b, const cart_tree *from, int q, int s, int f, int m, uint64_t *lo,
                          uint64_t *hi)
{
    const cart_node *nd = &from->node[q];
    if (nd->feature >= 0) {
        subtree_range(b, from, nd->left, s, f, m, lo, hi);
        subtree_range(b, from, nd->right, s + from->node[nd->left].n_samples, f, m, lo, hi);
        return;
    }
    int k = nd->n_samples;
    if (k <= 0)
        return;
    const int *o = b->ord + (size_t)f * m;
    double a, z;
    if (b->val) {
        a = b->val[(size_t)f * m + s];
        z = b->val[(size_t)f * m + s + k - 1];
    } else {
        a = b->X[(size_t)o[s] * b->p + f];
        z = b->X[(size_t)o[s + k - 1] * b->p + f];
    }
    uint64_t ka = ut_dkey(a), kz = ut_dkey(z);
    if (ka < *lo)
        *lo = ka;
    if (kz > *hi)
        *hi = kz;
}

/* find_split's constant flags after node q (rows from s), when every
 * feature is drawn: each one not known constant is visited, and marked
 * when its sorted segment has !(last > first). */
static void resume_consts(cart_builder *b, const cart_tree *from, int q, int s, int m)
{
    for (int f = 0; f < b->p; f++) {
        if (b->cconst[f])
            continue;
        uint64_t lo = UINT64_MAX, hi = 0;
        subtree_range(b, from, q, s, f, m, &lo, &hi);
        if (!(ut_dunkey(hi) > ut_dunkey(lo)))
            b->cconst[f] = 1;
    }
}

int cart_grow_from(cart_builder *b, const int *yc, int nclasses, const double *y, const double *w,
                   const cart_params *cp, const cart_tree *from, int from_cap, cart_tree *t, ut_err *e)
{
    int mtry = cp->max_features > 0 && cp->max_features < b->p ? cp->max_features : 0;
    if (!from || from->nnodes < 1 || mtry || from_cap <= 0 || (cp->max_depth > 0 && cp->max_depth < from_cap) ||
        from->nout != (nclasses > 0 ? nclasses : 1) || from->depth > from_cap)
        return ut_errf(e, MLG_MISUSE, "cart: cannot resume this tree (needs every feature drawn per split and a "
                                      "cap at least the earlier one)");
    for (int q = 0; q < from->nnodes; q++)
        if (from->node[q].feature >= b->p)
            return ut_errf(e, MLG_MISUSE, "cart: the tree to resume has another width");
    return grow(b, yc, nclasses, y, w, cp, from, from_cap, t, e);
}

int cart_parse_criterion(const char *s, int classification, const char *fam,
                         cart_criterion *out, ut_err *e)
{
    if (!s || ut_strcasecmp(s, "auto") == 0) {
        *out = classification ? CART_GINI : CART_MSE;
        return 0;
    }
    if (ut_strcasecmp(s, "gini") == 0 || ut_strcasecmp(s, "entropy") == 0) {
        if (!classification)
            return ut_errf(e, MLG_ERROR, "%s: criterion '%s' is for classification;"
                           " use mse (or auto) for a regression task", fam, s);
        *out = ut_strcasecmp(s, "gini") == 0 ? CART_GINI : CART_ENTROPY;
        return 0;
    }
    if (ut_strcasecmp(s, "mse") == 0) {
        if (classification)
            return ut_errf(e, MLG_ERROR, "%s: criterion 'mse' is for regression;"
                           " use gini or entropy (or auto) for a classification task", fam);
        *out = CART_MSE;
        return 0;
    }
    return ut_errf(e, MLG_ERROR, "%s: unknown criterion '%s' (auto, gini, entropy, mse)",
                   fam, s);
}

void cart_emit(const double *value, int nclasses, double *pred, double *proba)
{
    if (nclasses <= 0) {
        *pred = value[0];
        return;
    }
    int best = 0;
    for (int k = 1; k < nclasses; k++)
        if (value[k] > value[best])
            best = k;
    *pred = best;
    if (proba)
        memcpy(proba, value, (size_t)nclasses * sizeof *proba);
}

uint64_t cart_seed(uint64_t seed, uint64_t index)
{
    return mix64(mix64(seed) ^ (index * 0xD1B54A32D192ED03ULL + 0x632BE59BD9B4E019ULL));
}
