/* test_metrics.c — every metric on small hand-made vectors, against the
 * numbers scikit-learn 1.2.1 (Debian python3-sklearn) prints for the same
 * inputs; the producing call is quoted next to each constant. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../runtime/metrics.h"

static int failures;

static void check_close(const char *what, double got, double want)
{
    if (!(fabs(got - want) <= 1e-12 * fmax(1.0, fabs(want)))) {
        failures++;
        printf("FAIL %s: got %.17g want %.17g\n", what, got, want);
    }
}

static void check_nan(const char *what, double got)
{
    if (!isnan(got)) {
        failures++;
        printf("FAIL %s: got %.17g want NaN\n", what, got);
    }
}

static void test_lookup(void)
{
    if (rt_metric_lookup("ACCURACY") != RT_MET_ACCURACY || rt_metric_lookup("F1") != RT_MET_F1
        || rt_metric_lookup("LogLoss") != RT_MET_LOGLOSS || rt_metric_lookup("auc") != RT_MET_AUC || rt_metric_lookup("roc") != -1
        || rt_metric_lookup(NULL) != -1) {
        failures++;
        printf("FAIL rt_metric_lookup\n");
    }
    if (!rt_metrics[RT_MET_R2].higher_is_better || rt_metrics[RT_MET_RMSE].higher_is_better
        || !rt_metrics[RT_MET_LOGLOSS].classification) {
        failures++;
        printf("FAIL rt_metrics table flags\n");
    }
}

static void test_multiclass(void)
{
    /* yt = [0,1,2,2,1,0,3,3,1,2]; yp = [0,2,2,2,1,0,1,3,0,4]; 5 classes, class 4
     * only predicted (excluded from balanced accuracy, F1 = 0 in the macro). */
    int yt[10] = { 0, 1, 2, 2, 1, 0, 3, 3, 1, 2 };
    double yp[10] = { 0, 2, 2, 2, 1, 0, 1, 3, 0, 4 };
    /* accuracy_score(yt, yp) */
    check_close("mc accuracy", rt_metric_score(RT_MET_ACCURACY, 10, yt, NULL, yp, NULL, 5),
                0.59999999999999998);
    /* balanced_accuracy_score(yt, yp) */
    check_close("mc balanced_accuracy",
                rt_metric_score(RT_MET_BALANCED_ACCURACY, 10, yt, NULL, yp, NULL, 5), 0.625);
    /* f1_score(yt, yp, average='macro', zero_division=0) */
    check_close("mc f1 macro", rt_metric_score(RT_MET_F1_MACRO, 10, yt, NULL, yp, NULL, 5),
                0.5066666666666666);
    check_close("mc f1 = macro", rt_metric_score(RT_MET_F1, 10, yt, NULL, yp, NULL, 5),
                0.5066666666666666);
    /* precision_score / recall_score(yt, yp, average='macro', zero_division=0) */
    check_close("mc precision", rt_metric_score(RT_MET_PRECISION, 10, yt, NULL, yp, NULL, 5),
                0.5666666666666667);
    check_close("mc recall", rt_metric_score(RT_MET_RECALL, 10, yt, NULL, yp, NULL, 5), 0.5);
    /* roc_auc_score(y, P, multi_class='ovr', average='macro') */
    int y3[6] = { 0, 1, 2, 2, 0, 1 };
    double P3[18] = { .7, .2, .1, .2, .5, .3, .1, .3, .6, .3, .3, .4, .5, .4, .1, .2, .2, .6 };
    check_close("mc auc ovr", rt_metric_score(RT_MET_AUC, 6, y3, NULL, NULL, P3, 3), 0.7916666666666666);
}

static void test_binary(void)
{
    int bt[8] = { 0, 1, 1, 0, 1, 1, 0, 0 };
    double bp[8] = { 0, 1, 0, 0, 1, 1, 1, 0 };
    /* accuracy_score, balanced_accuracy_score, f1_score(zero_division=0): 0.75 each */
    check_close("bin accuracy", rt_metric_score(RT_MET_ACCURACY, 8, bt, NULL, bp, NULL, 2), 0.75);
    check_close("bin balanced", rt_metric_score(RT_MET_BALANCED_ACCURACY, 8, bt, NULL, bp, NULL, 2), 0.75);
    check_close("bin f1", rt_metric_score(RT_MET_F1, 8, bt, NULL, bp, NULL, 2), 0.75);
    /* precision_score, recall_score, f1_score(average='macro'): 0.75 each */
    check_close("bin precision", rt_metric_score(RT_MET_PRECISION, 8, bt, NULL, bp, NULL, 2), 0.75);
    check_close("bin recall", rt_metric_score(RT_MET_RECALL, 8, bt, NULL, bp, NULL, 2), 0.75);
    check_close("bin f1_macro", rt_metric_score(RT_MET_F1_MACRO, 8, bt, NULL, bp, NULL, 2), 0.75);
    /* roc_auc_score(bt, s) with tied scores: 0.9375 */
    double s2[16] = { .9, .1, .2, .8, .6, .4, .6, .4, .1, .9, .3, .7, .6, .4, .8, .2 };
    check_close("bin auc ties", rt_metric_score(RT_MET_AUC, 8, bt, NULL, NULL, s2, 2), 0.9375);
    /* a NaN probability gives no AUC (it used to hang the tie loop) */
    s2[3] = NAN;
    check_nan("auc with a NaN score", rt_metric_score(RT_MET_AUC, 8, bt, NULL, NULL, s2, 2));
    /* f1_score([0,0,0],[0,0,0], zero_division=0) == 0: no positives anywhere */
    int z[3] = { 0, 0, 0 };
    double zp[3] = { 0, 0, 0 };
    check_close("bin f1 no positives", rt_metric_score(RT_MET_F1, 3, z, NULL, zp, NULL, 2), 0.0);

    /* log_loss(bt, P) (sklearn 1.2.1, eps='auto' = float64 eps): rows with
     * exact 0/1 exercise the clipping */
    double P[16] = { 0.9, 0.1, 0.2, 0.8, 0.6, 0.4, 1.0, 0.0,
                     0.3, 0.7, 0.0, 1.0, 0.45, 0.55, 0.7, 0.3 };
    check_close("bin logloss", rt_metric_score(RT_MET_LOGLOSS, 8, bt, NULL, bp, P, 2),
                0.3445815478676785);
    check_nan("logloss without proba", rt_metric_score(RT_MET_LOGLOSS, 8, bt, NULL, bp, NULL, 2));
}

/* AUC against the pairwise Mann-Whitney count (a tie counts a half) over
 * random tables with many ties and -0/+0 among the scores: numerators are
 * whole or half numbers either way, so the two must be equal to the bit.
 * Checks the sort behind the ranks at every size up to 700 and across the
 * powers of two where its merging runs change. */
static void test_auc_pairs(void)
{
    static const int ns[] = {2, 3, 5, 8, 31, 32, 33, 64, 100, 255, 256, 257, 511, 700};
    unsigned long long st = 88172645463325252ULL;
    int bad = 0, tried = 0;
    for (size_t a = 0; a < sizeof ns / sizeof *ns; a++)
        for (int rep = 0; rep < 6; rep++) {
            int n = ns[a];
            int *y = malloc((size_t)n * sizeof *y);
            double *pr = malloc(2 * (size_t)n * sizeof *pr);
            if (!y || !pr) {
                free(y);
                free(pr);
                return;
            }
            for (int i = 0; i < n; i++) {
                st ^= st << 13, st ^= st >> 7, st ^= st << 17;
                y[i] = (int)(st >> 11) % 3 == 0;
                int lv = rep < 3 ? 5 : 1000;   /* few levels: ties everywhere */
                double sc = (double)((st >> 20) % (unsigned)lv) / lv - 0.5;
                if (sc == 0 && (st & 1)) sc = -0.0;
                pr[2 * i + 1] = sc;
                pr[2 * i] = 1 - sc;
            }
            double num = 0;
            long npos = 0;
            for (int i = 0; i < n; i++) {
                npos += y[i];
                for (int j = 0; y[i] && j < n; j++)
                    if (!y[j])
                        num += pr[2 * i + 1] > pr[2 * j + 1] ? 1 : pr[2 * i + 1] == pr[2 * j + 1] ? 0.5 : 0;
            }
            double want = npos && npos < n ? num / ((double)npos * (n - npos)) : NAN;
            double got = rt_metric_score(RT_MET_AUC, n, y, NULL, NULL, pr, 2);
            bad += !(got == want || (isnan(got) && isnan(want)));
            tried++;
            free(y);
            free(pr);
        }
    if (bad)
        failures++, printf("FAIL auc: %d of %d random tables differ from the pairwise count\n", bad, tried);
}

static void test_logloss_3(void)
{
    int y3[5] = { 0, 1, 2, 0, 1 };
    double P3[15] = { 0.7, 0.2, 0.1, 0.1, 0.6, 0.3, 0.2, 0.2, 0.6, 0.0, 0.5, 0.5,
                      0.25, 0.25, 0.5 };
    /* log_loss(y3, P3, labels=[0,1,2]) (eps='auto'); row 3 gives the truth p=0 */
    check_close("3-class logloss", rt_metric_score(RT_MET_LOGLOSS, 5, y3, NULL, NULL, P3, 3),
                7.76165478834155);
    /* Rows 1 and 2 scaled by 2 and 0.5 (not summing to 1): sklearn clips to
     * [eps, 1-eps] first and renormalizes after.
     * log_loss(y3, P3 * [[1],[2],[0.5],[1],[1]], labels=[0,1,2]) */
    double s[5] = { 1, 2, 0.5, 1, 1 };
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 3; k++)
            P3[i * 3 + k] *= s[i];
    check_close("3-class logloss unnormalized",
                rt_metric_score(RT_MET_LOGLOSS, 5, y3, NULL, NULL, P3, 3), 7.777046996568776);
}

static void test_regression(void)
{
    double rt[5] = { 3, -0.5, 2, 7, 4.2 }, rp[5] = { 2.5, 0.0, 2, 8, 3.9 };
    /* mean_squared_error(rt, rp) ** 0.5 */
    check_close("rmse", rt_metric_score(RT_MET_RMSE, 5, NULL, rt, rp, NULL, 0), 0.56391488719486738);
    /* mean_absolute_error(rt, rp) */
    check_close("mae", rt_metric_score(RT_MET_MAE, 5, NULL, rt, rp, NULL, 0), 0.46000000000000008);
    /* r2_score(rt, rp) */
    check_close("r2", rt_metric_score(RT_MET_R2, 5, NULL, rt, rp, NULL, 0), 0.9480256276150627);
    /* r2_score([2,2,2],[2,2,2]) == 1; r2_score([2,2,2],[1,2,3]) == 0 */
    double c[3] = { 2, 2, 2 }, c2[3] = { 1, 2, 3 };
    check_close("r2 constant perfect", rt_metric_score(RT_MET_R2, 3, NULL, c, c, NULL, 0), 1.0);
    check_close("r2 constant imperfect", rt_metric_score(RT_MET_R2, 3, NULL, c, c2, NULL, 0), 0.0);
    check_nan("regression metric without truth", rt_metric_score(RT_MET_MAE, 3, NULL, NULL, c, NULL, 0));
    check_nan("no rows", rt_metric_score(RT_MET_MAE, 0, NULL, c, c, NULL, 0));
}

int main(void)
{
    test_lookup();
    test_multiclass();
    test_binary();
    test_logloss_3();
    test_auc_pairs();
    test_regression();
    if (failures) {
        printf("test_metrics: %d failure(s)\n", failures);
        return 1;
    }
    printf("test_metrics: ok\n");
    return 0;
}
