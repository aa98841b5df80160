/* similar.c — meta-feature distances (similar.h). */
#include <math.h>
#include <stdlib.h>

#include "similar.h"
#include "../catalog/catalog.h"

void rt_meta_scale(double *v, int nfeat)
{
    for (int i = 0; i < nfeat; i++) {
        if (isnan(v[i])) continue;
        /* rows, cols, dim_ratio, classes: orders of magnitude matter */
        if (i == 0 || i == 1 || i == 2 || i == CAT_META_NDS) {
            v[i] = v[i] > 0 ? log10(v[i]) : NAN;
        } else if (i >= 5 && i <= 10) {   /* skewness and kurtosis summaries */
            v[i] = v[i] < 0 ? -log1p(-v[i]) : log1p(v[i]);
        }
    }
}

void rt_meta_zscore(const double *V, int n, int nfeat, double *z)
{
    for (int j = 0; j < nfeat; j++) {
        double s = 0, ss = 0;
        int k = 0;
        for (int i = 0; i < n; i++)
            if (!isnan(V[(size_t)i * nfeat + j])) s += V[(size_t)i * nfeat + j], k++;
        double m = k ? s / k : 0;
        for (int i = 0; i < n; i++)
            if (!isnan(V[(size_t)i * nfeat + j])) ss += (V[(size_t)i * nfeat + j] - m) * (V[(size_t)i * nfeat + j] - m);
        double sd = k > 1 ? sqrt(ss / k) : 0;
        /* no spread (or one value): the feature cannot tell tasks apart */
        int flat = !(sd > 1e-12 * (fabs(m) + 1));
        for (int i = 0; i < n; i++) {
            double v = V[(size_t)i * nfeat + j];
            z[(size_t)i * nfeat + j] = isnan(v) || flat ? NAN : (v - m) / sd;
        }
    }
}

double rt_meta_distance(const double *za, const double *zb, int nfeat)
{
    double s = 0;
    int k = 0;
    for (int j = 0; j < nfeat; j++)
        if (!isnan(za[j]) && !isnan(zb[j])) s += (za[j] - zb[j]) * (za[j] - zb[j]), k++;
    return k ? sqrt(s / k) : INFINITY;
}

void rt_meta_rank(const double *z, int n, int nfeat, int target, const unsigned char *eligible, int *order,
                  double *dist, int *norder)
{
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (i == target || (eligible && !eligible[i])) continue;
        double d = rt_meta_distance(z + (size_t)target * nfeat, z + (size_t)i * nfeat, nfeat);
        /* insertion: stable, nearest first */
        int p = m;
        while (p > 0 && dist[p - 1] > d) {
            dist[p] = dist[p - 1];
            order[p] = order[p - 1];
            p--;
        }
        dist[p] = d;
        order[p] = i;
        m++;
    }
    *norder = m;
}

void rt_meta_closest_features(const double *za, const double *zb, int nfeat, int k, int *idx, int *nk)
{
    int m = 0;
    double best[64];
    for (int j = 0; j < nfeat && j < 64; j++) {
        if (isnan(za[j]) || isnan(zb[j])) continue;
        double d = fabs(za[j] - zb[j]);
        int p = m < k ? m : k;
        if (p == k && d >= best[k - 1]) continue;
        if (p == k) p = k - 1;
        while (p > 0 && best[p - 1] > d) {
            best[p] = best[p - 1];
            idx[p] = idx[p - 1];
            p--;
        }
        best[p] = d;
        idx[p] = j;
        if (m < k) m++;
    }
    *nk = m;
}
