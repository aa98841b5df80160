/* test_metafeat.c — the meta-feature kernels against hand-computed values
 * (skewness, kurtosis, entropy, dataset shares), the landmarkers on data
 * one split separates, and the similarity ranking (scaling, z-scores,
 * distances with unknown features, eligibility, order). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../runtime/metafeat.h"
#include "../../runtime/similar.h"
#include "../../catalog/catalog.h"
#include "check.h"


static void close_to(const char *what, double got, double want, double tol)
{
    CHECK(fabs(got - want) <= tol * fmax(1.0, fabs(want)), "%s: got %.17g want %.17g", what, got, want);
}

/* x = (1, 2, 3, 10): mean 4, deviations (-3, -2, -1, 6);
 * m2 = 50/4 = 12.5, m3 = 180/4 = 45, m4 = 1394/4 = 348.5;
 * skew = 45 / 12.5^1.5 = 1.0182337649086284,
 * kurt = 348.5 / 156.25 - 3 = -0.7696 (scipy.stats bias=True agrees). */
static void test_moments(void)
{
    double x[] = {1, 2, 3, 10};
    close_to("skew", rt_skewness(x, 4), 45 / pow(12.5, 1.5), 1e-14);
    close_to("skew scipy", rt_skewness(x, 4), 1.0182337649086284, 1e-14);
    close_to("kurt", rt_kurtosis(x, 4), 348.5 / 156.25 - 3, 1e-14);
    double xm[] = {1, NAN, 2, 3, NAN, 10};
    close_to("skew ignores missing", rt_skewness(xm, 6), 1.0182337649086284, 1e-14);
    close_to("kurt ignores missing", rt_kurtosis(xm, 6), -0.7696, 1e-13);
    /* scipy.stats.skew / kurtosis of (0, 0, 1, 5, -2, 7.5) */
    double y[] = {0, 0, 1, 5, -2, 7.5};
    close_to("skew 2", rt_skewness(y, 6), 0.6114442860656504, 1e-13);
    close_to("kurt 2", rt_kurtosis(y, 6), -1.0713700071714896, 1e-13);
    /* symmetric: skew 0 */
    double s[] = {-2, -1, 0, 1, 2};
    close_to("symmetric", rt_skewness(s, 5), 0, 1e-15);
    /* no spread, or a single value: unknown */
    double c[] = {3, 3, 3};
    CHECK(isnan(rt_skewness(c, 3)) && isnan(rt_kurtosis(c, 3)), "constant column");
    CHECK(isnan(rt_skewness(x, 1)), "one value");
}

static void test_entropy(void)
{
    long a[] = {1, 1}, b[] = {2, 1, 1}, c[] = {4, 0}, d[] = {5, 5, 5, 5}, z[] = {0, 0};
    close_to("two equal", rt_entropy(a, 2), 1, 1e-15);
    close_to("2,1,1", rt_entropy(b, 3), 1.5, 1e-15);   /* ½·1 + 2·¼·2 */
    close_to("one class", rt_entropy(c, 2), 0, 1e-15);
    close_to("four equal", rt_entropy(d, 4), 2, 1e-15);
    close_to("empty", rt_entropy(z, 2), 0, 1e-15);
    long p[] = {3, 1};   /* -(¾ log2 ¾ + ¼ log2 ¼) */
    close_to("3:1", rt_entropy(p, 2), -(0.75 * log2(0.75) + 0.25 * log2(0.25)), 1e-15);
}

static rt_table *read_csv(const char *text)
{
    char path[] = "/tmp/mlg_meta_XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return NULL;
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    rt_read_opts o;
    rt_read_opts_default(&o);
    rt_table *t = NULL;
    ut_err e;
    ut_err_clear(&e);
    if (rt_read_csv(path, &o, &t, &e)) printf("read: %s\n", e.msg);
    unlink(path);
    return t;
}

/* 4 rows x 3 columns, one categorical, two missing cells. */
static void test_dataset_meta(void)
{
    rt_table *t = read_csv("a,b,c\n1,x,1\n2,y,\n3,x,3\n10,,4\n");
    CHECK(t != NULL, "table");
    if (!t) return;
    double m[RT_META_DS];
    rt_meta_dataset(t, m);
    close_to("rows", m[0], 4, 0);
    close_to("cols", m[1], 3, 0);
    close_to("dim_ratio", m[2], 0.75, 1e-15);
    close_to("cat_share", m[3], 1.0 / 3, 1e-15);
    close_to("missing_share", m[4], 2.0 / 12, 1e-15);
    /* column a: 1.0182 (see above); c = (1, 3, 4): mean 8/3, deviations
     * (-5/3, 1/3, 4/3): m2 = 42/27, m3 = (-125 + 1 + 64)/81 = -60/81 */
    double skc = (-60.0 / 81) / pow(42.0 / 27, 1.5);
    close_to("skew_min", m[5], skc, 1e-13);
    close_to("skew_mean", m[6], (skc + 1.0182337649086284) / 2, 1e-13);
    close_to("skew_max", m[7], 1.0182337649086284, 1e-13);
    rt_table_free(t);
}

/* y = (x > 0): one split separates it; 1-NN and naive Bayes get it too. */
static void test_landmarkers(void)
{
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_puts(&b, "x,noise,y\n");
    for (int i = 0; i < 90; i++) {
        double x = (i % 2 ? 1 : -1) * (1 + (i * 37 % 11) / 10.0);
        ut_buf_printf(&b, "%g,%d,%s\n", x, i * 7 % 5, x > 0 ? "pos" : "neg");
    }
    rt_table *t = read_csv(b.s);
    ut_buf_free(&b);
    CHECK(t != NULL, "table");
    if (!t) return;
    int yc[90], k = 0;
    ut_err e;
    ut_err_clear(&e);
    CHECK(rt_target_classes(&t->cols[2], t->nrows, yc, &k, NULL, &e) == 0 && k == 2, "classes");
    double m[RT_META_TASK];
    CHECK(rt_meta_task(t, 2, yc, k, m, &e) == 0, "task meta: %s", e.msg);
    close_to("classes", m[0], 2, 0);
    close_to("entropy", m[1], 1, 1e-15);   /* 45 / 45 */
    close_to("majority", m[2], 0.5, 1e-15);
    close_to("1-NN", m[3], 1, 0);
    close_to("stump", m[4], 1, 0);
    close_to("nb", m[5], 1, 0);
    /* the same data as regression of x on noise: R^2 is computed, nb is not */
    double r[RT_META_TASK];
    CHECK(rt_meta_task(t, 0, NULL, 0, r, &e) == 0, "regression meta");
    CHECK(isnan(r[0]) && isnan(r[1]) && isnan(r[5]) && !isnan(r[3]) && !isnan(r[4]), "regression: %g %g %g %g",
          r[0], r[3], r[4], r[5]);
    /* deterministic: the same numbers again */
    double m2[RT_META_TASK];
    rt_meta_task(t, 2, yc, k, m2, &e);
    CHECK(!memcmp(m, m2, sizeof m), "deterministic");
    rt_table_free(t);
}

static void test_similarity(void)
{
    /* scaling: rows/cols/dim_ratio/classes on log10, skew/kurt signed log1p */
    double v[CAT_META_N];
    for (int i = 0; i < CAT_META_N; i++) v[i] = NAN;
    v[0] = 1000, v[1] = 10, v[2] = 0.01, v[5] = -(M_E - 1), v[8] = M_E - 1, v[CAT_META_NDS] = 100, v[3] = 0.5;
    rt_meta_scale(v, CAT_META_N);
    close_to("log rows", v[0], 3, 1e-15);
    close_to("log cols", v[1], 1, 1e-15);
    close_to("log dim", v[2], -2, 1e-15);
    close_to("skew", v[5], -1, 1e-15);
    close_to("kurt", v[8], 1, 1e-15);
    close_to("classes", v[CAT_META_NDS], 2, 1e-15);
    close_to("share untouched", v[3], 0.5, 0);

    /* 4 tasks x 3 features: f0 = (0, 2, 4, 6), f1 flat, f2 = (1, NAN, 1, 3) */
    double V[] = {0, 5, 1, 2, 5, NAN, 4, 5, 1, 6, 5, 3};
    double z[12];
    rt_meta_zscore(V, 4, 3, z);
    double sd0 = sqrt(5.0);   /* mean 3, deviations ±1, ±3: var (1+1+9+9)/4 = 5 */
    close_to("z00", z[0], -3 / sd0, 1e-14);
    close_to("z30", z[9], 3 / sd0, 1e-14);
    CHECK(isnan(z[1]) && isnan(z[4]), "flat feature left out");
    CHECK(isnan(z[5]), "unknown stays unknown");
    double sd2 = sqrt(((1 - 5.0 / 3) * (1 - 5.0 / 3) * 2 + (3 - 5.0 / 3) * (3 - 5.0 / 3)) / 3);
    close_to("z22", z[8], (1 - 5.0 / 3) / sd2, 1e-14);
    /* distance 0 -> 1: only f0 is known in both: |(-3 - -1)/sd0| */
    close_to("d01", rt_meta_distance(z, z + 3, 3), 2 / sd0, 1e-14);
    /* 0 -> 2: f0 differs by 4/sd0, f2 equal: sqrt((16/5 + 0) / 2) */
    close_to("d02", rt_meta_distance(z, z + 6, 3), sqrt((16 / 5.0) / 2), 1e-14);
    double none1[2] = {NAN, 1}, none2[2] = {1, NAN};
    CHECK(isinf(rt_meta_distance(none1, none2, 2)), "nothing in common");
    /* ranking from task 0: 1 (0.894), 2 (1.265), 3 ... ; task 2 not eligible */
    int order[4], n = 0;
    double dist[4];
    rt_meta_rank(z, 4, 3, 0, NULL, order, dist, &n);
    CHECK(n == 3 && order[0] == 1 && order[1] == 2 && order[2] == 3, "order %d: %d %d %d", n, order[0], order[1],
          order[2]);
    CHECK(dist[0] <= dist[1] && dist[1] <= dist[2], "sorted");
    unsigned char elig[4] = {1, 1, 0, 1};
    rt_meta_rank(z, 4, 3, 0, elig, order, dist, &n);
    CHECK(n == 2 && order[0] == 1 && order[1] == 3, "eligible only");
    /* ranking from task 3: 2 is nearest (f0 2 apart, f2 2 apart in raw) */
    rt_meta_rank(z, 4, 3, 3, NULL, order, dist, &n);
    CHECK(n == 3 && order[0] == 2 && order[1] == 1 && order[2] == 0, "from 3: %d %d %d", order[0], order[1], order[2]);
    /* closest features: f2 agrees exactly between tasks 0 and 2 */
    int idx[2], nk;
    rt_meta_closest_features(z, z + 6, 3, 2, idx, &nk);
    CHECK(nk == 2 && idx[0] == 2 && idx[1] == 0, "closest: %d %d", idx[0], idx[1]);
}

int main(void)
{
    test_moments();
    test_entropy();
    test_dataset_meta();
    test_landmarkers();
    test_similarity();
    if (failures) printf("test_metafeat: %d failure(s)\n", failures);
    else printf("test_metafeat: ok\n");
    return failures != 0;
}
