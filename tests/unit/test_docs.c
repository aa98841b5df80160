/* test_docs.c — docs/models.md must list every family, parameter, default
 * and range exactly as params.def declares them (and every transform and
 * metric).  On a mismatch it prints the tables to paste. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/model.h"
#include "runtime/metrics.h"
#include "runtime/transform.h"

static void fmt_num(ut_buf *b, double v)
{
    if (v >= 1e12) ut_buf_puts(b, "inf");
    else ut_buf_printf(b, "%g", v);
}

int main(void)
{
    ut_buf b;
    ut_buf_init(&b);
    ut_buf_puts(&b, "| family | task | parameter | default | range / choices | meaning |\n");
    ut_buf_puts(&b, "|---|---|---|---|---|---|\n");
    for (int f = 0; f < RT_FAM__COUNT; f++) {
        const rt_param_spec *ps;
        int np = rt_family_params((rt_family)f, &ps);
        const char *task = rt_families[f].classification && rt_families[f].regression ? "both"
                           : rt_families[f].classification ? "classification" : "regression";
        for (int i = 0; i < np; i++) {
            ut_buf_printf(&b, "| %s | %s | `%s` | ", rt_families[f].name, task, ps[i].name);
            if (ps[i].kind == RT_PARAM_STR) {
                ut_buf_printf(&b, "%s | ", ps[i].def_str);
                for (const char *c = ps[i].choices; *c; c++) ut_buf_puts(&b, *c == '|' ? ", " : (char[]){*c, 0});
            } else {
                fmt_num(&b, ps[i].def_num);
                ut_buf_puts(&b, " | ");
                ut_buf_puts(&b, ps[i].kind == RT_PARAM_INT ? "integer " : "");
                fmt_num(&b, ps[i].min);
                ut_buf_puts(&b, " .. ");
                fmt_num(&b, ps[i].max);
            }
            ut_buf_printf(&b, " | %s |\n", ps[i].doc);
        }
    }
    ut_buf_puts(&b, "\n| transform | what it does |\n|---|---|\n");
    for (int t = 0; t < RT_TF__COUNT; t++) {
        static const char *const desc[] = {
#define X(e, name, d) d,
#include "runtime/transforms.def"
#undef X
        };
        ut_buf_printf(&b, "| `%s` | %s |\n", rt_tf_names[t], desc[t]);
    }
    ut_buf_puts(&b, "\n| metric | task | better | meaning |\n|---|---|---|---|\n");
    for (int m = 0; m < RT_MET__COUNT; m++)
        ut_buf_printf(&b, "| `%s` | %s | %s | %s |\n", rt_metrics[m].name,
                      rt_metrics[m].classification ? "classification" : "regression",
                      rt_metrics[m].higher_is_better ? "higher" : "lower", rt_metrics[m].desc);

    FILE *f = fopen(MLG_SOURCE_DIR "/docs/models.md", "rb");
    char *doc = NULL;
    long n = 0;
    if (f) {
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        fseek(f, 0, SEEK_SET);
        doc = calloc((size_t)n + 1, 1);
        if (doc && fread(doc, 1, (size_t)n, f) != (size_t)n) n = 0;
        fclose(f);
    }
    int ok = doc && b.s && strstr(doc, b.s);
    if (!ok) {
        printf("FAIL: docs/models.md does not contain the generated tables; they should read:\n\n%s", b.s);
    } else {
        printf("ok\n");
    }
    free(doc);
    ut_buf_free(&b);
    return !ok;
}
