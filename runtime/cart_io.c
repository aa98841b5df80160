/* cart_io.c — CART trees in model files (tree, forest, gbt), as parallel
 * node arrays.  A tree read back is checked so that cart_apply cannot
 * leave it or loop: children come after their parent (preorder), a node
 * has both children or none, split features exist, depths add up. */
#include "cart.h"
#include "model_io.h"

#include <stdlib.h>
#include <string.h>

#include "../include/mileage.h"

int cart_tree_io(rt_mio *io, cart_tree *t, int p, int nout);
int cart_tree_io(rt_mio *io, cart_tree *t, int p, int nout)
{
    int n = t->nnodes, rc = 0;
    if (rt_mio_int(io, "nodes", &n, 1, 1 << 26)) return -1;
    int *feature = NULL, *left = NULL, *right = NULL, *depth = NULL, *ns = NULL;
    double *thr = NULL, *w = NULL, *imp = NULL;
    if (io->writing) {
        feature = malloc(sizeof(int) * (size_t)n);
        left = malloc(sizeof(int) * (size_t)n);
        right = malloc(sizeof(int) * (size_t)n);
        depth = malloc(sizeof(int) * (size_t)n);
        ns = malloc(sizeof(int) * (size_t)n);
        thr = malloc(sizeof(double) * (size_t)n);
        w = malloc(sizeof(double) * (size_t)n);
        imp = malloc(sizeof(double) * (size_t)n);
        if (!feature || !left || !right || !depth || !ns || !thr || !w || !imp) {
            rc = ut_errf(io->e, MLG_NOMEM, "out of memory");
            goto out;
        }
        for (int i = 0; i < n; i++) {
            const cart_node *nd = &t->node[i];
            feature[i] = nd->feature, left[i] = nd->left, right[i] = nd->right, depth[i] = nd->depth;
            ns[i] = nd->n_samples, thr[i] = nd->feature >= 0 ? nd->threshold : 0, w[i] = nd->weight;
            imp[i] = nd->impurity;
        }
    }
    if (rt_mio_ivec(io, "feature", &feature, (size_t)n, -1, p - 1) ||
        rt_mio_ivec(io, "left", &left, (size_t)n, -1, n - 1) || rt_mio_ivec(io, "right", &right, (size_t)n, -1, n - 1) ||
        rt_mio_ivec(io, "depth", &depth, (size_t)n, 0, n - 1) ||
        rt_mio_ivec(io, "n_samples", &ns, (size_t)n, 0, 1 << 30) ||
        rt_mio_dvec(io, "threshold", &thr, (size_t)n, 0) || rt_mio_dvec(io, "weight", &w, (size_t)n, 0) ||
        rt_mio_dvec(io, "impurity", &imp, (size_t)n, 0) ||
        rt_mio_dvec(io, "value", &t->value, (size_t)n * (size_t)nout, 0)) {
        rc = -1;
        goto out;
    }
    if (!io->writing) {
        t->nnodes = t->cap = n;
        t->nout = nout;
        t->depth = 0;
        if (!(t->node = calloc((size_t)n, sizeof *t->node))) {
            rc = ut_errf(io->e, MLG_NOMEM, "out of memory");
            goto out;
        }
        for (int i = 0; i < n && !rc; i++) {
            int leaf = feature[i] < 0;
            if (leaf ? left[i] != -1 || right[i] != -1 : left[i] <= i || right[i] <= i)
                rc = rt_mio_fail(io, "node %d: children must both be -1 (leaf) or come after the node", i);
            else if (i == 0 ? depth[i] != 0
                            : 0)
                rc = rt_mio_fail(io, "the root must have depth 0");
            else if (!leaf && (depth[left[i]] != depth[i] + 1 || depth[right[i]] != depth[i] + 1))
                rc = rt_mio_fail(io, "node %d: its children's depths are not its own + 1", i);
            t->node[i] = (cart_node){feature[i], left[i], right[i], depth[i], thr[i], ns[i], w[i], imp[i]};
            if (depth[i] > t->depth) t->depth = depth[i];
        }
    }
out:
    free(feature);
    free(left);
    free(right);
    free(depth);
    free(ns);
    free(thr);
    free(w);
    free(imp);
    return rc;
}
