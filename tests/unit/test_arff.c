/* test_arff.c — the ARFF reader: the iris_small.arff fixture, attribute
 * types, quoting and escapes, sparse rows, and every data error with its
 * exact message. */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif
#include "../../runtime/table.h"
#include "../../include/mileage.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"

#ifndef MLG_SOURCE_DIR
#define MLG_SOURCE_DIR "."
#endif

#define CHECK_NEAR(a, b, tol) do { checks++; double a_ = (a), b_ = (b); \
    if (!(fabs(a_ - b_) <= (tol))) { failures++; \
    fprintf(stderr, "%s:%d: %s = %.17g, expected %.17g\n", __FILE__, __LINE__, #a, a_, b_); } } while (0)
#define CHECK_STR(a, b) do { checks++; const char *a_ = (a), *b_ = (b); \
    if (!a_ || strcmp(a_, b_) != 0) { failures++; \
    fprintf(stderr, "%s:%d: %s = \"%s\", expected \"%s\"\n", __FILE__, __LINE__, #a, a_ ? a_ : "(null)", b_); } } while (0)

static char tmpdir[512];
static char paths[128][600];
static int nfiles;

static const char *write_file(const char *name, const char *data, size_t len)
{
    if (nfiles == 128) { fprintf(stderr, "too many temp files\n"); exit(2); }
    char *p = paths[nfiles++];
    snprintf(p, 600, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "wb");
    if (!f) { perror(p); exit(2); }
    fwrite(data, 1, len, f);
    fclose(f);
    return p;
}
#define WRITE(name, s) write_file(name, s, sizeof(s) - 1)

static rt_table *read_ok(const char *path)
{
    rt_table *t = NULL;
    ut_err e;
    memset(&e, 0, sizeof e);
    if (rt_read_arff(path, NULL, &t, &e) != 0) {
        fprintf(stderr, "unexpected error: %s\n", e.msg);
        failures++;
        return NULL;
    }
    return t;
}

static void expect_err(int line, const char *path, const char *suffix)
{
    rt_table *t = (rt_table *)1;
    ut_err e;
    memset(&e, 0, sizeof e);
    char want[1200];
    snprintf(want, sizeof want, "%s%s", path, suffix);
    int rc = rt_read_arff(path, NULL, &t, &e);
    checks++;
    if (rc != -1 || t != NULL || e.code != MLG_DATA || strcmp(e.msg, want) != 0) {
        failures++;
        fprintf(stderr, "%s:%d: rc=%d code=%d msg=\"%s\", expected \"%s\"\n",
                __FILE__, line, rc, e.code, e.msg, want);
        if (rc == 0) rt_table_free(t);
    }
}
#define EXPECT_ERR(path, suffix) expect_err(__LINE__, path, suffix)

static void test_fixture(void)
{
    const char *path = MLG_SOURCE_DIR "/tests/data/iris_small.arff";
    rt_table *t = read_ok(path);
    if (!t) return;
    CHECK(t->nrows == 8 && t->ncols == 5);
    CHECK_STR(t->format, "arff");
    CHECK(strlen(t->hash) == 64);
    CHECK_STR(t->cols[1].name, "sepal width");
    rt_column *sw = &t->cols[1];
    CHECK(sw->type == RT_NUMERIC);
    CHECK(isnan(sw->num[2]) && sw->num[4] == 3.2);
    CHECK(sw->missing == 1 && sw->distinct == 5);
    CHECK_NEAR(sw->mean, 21.9 / 7, 1e-12);
    CHECK_NEAR(sw->min, 2.7, 0);
    CHECK_NEAR(sw->max, 3.5, 0);
    rt_column *c = &t->cols[4];
    CHECK(c->type == RT_CATEGORICAL && c->nlevels == 3);
    CHECK_STR(c->levels[0], "Iris virginica");    /* ' ' sorts before '-' */
    CHECK_STR(c->levels[1], "Iris-setosa");
    CHECK_STR(c->levels[2], "Iris-versicolor");
    CHECK(c->cat[0] == 1 && c->cat[3] == 2 && c->cat[4] == 2 && c->cat[5] == 0 && c->cat[6] == 0);
    CHECK(c->cat[7] == -1 && c->missing == 1 && c->distinct == 3);
    CHECK(rt_target_kind(c) == RT_CLASSIFICATION);
    CHECK(rt_table_find(t, "CLASS") == 4);

    /* rt_read_file goes to the ARFF reader by extension, same result. */
    rt_table *t2 = NULL;
    ut_err e;
    CHECK(rt_read_file(path, NULL, &t2, &e) == 0);
    if (t2) { CHECK(strcmp(t2->hash, t->hash) == 0 && t2->nrows == 8); rt_table_free(t2); }
    rt_table_free(t);
}

static void test_types(void)
{
    const char *p = WRITE("types.arff",
        "@relation 'weird name'\n"
        "@attribute n integer\n"
        "@attribute s string\n"
        "@attribute d date \"yyyy-MM-dd\"\n"
        "@attribute k{b,a,c}\n"                /* brace right after the name */
        "@attribute \"q n\" {'x y', 'it\\'s'}\n"
        "@data\n"
        "1,hello,2020-01-01,a,'x y'\n"
        "2 , 'with, comma' , '2021-02-03',b,'it\\'s'\n"
        "3,?,?,a,?\n");
    rt_table *t = read_ok(p);
    if (!t) return;
    CHECK(t->nrows == 3 && t->ncols == 5);
    CHECK(t->cols[0].type == RT_NUMERIC && t->cols[0].num[1] == 2);
    rt_column *s = &t->cols[1];
    CHECK(s->type == RT_CATEGORICAL && s->nlevels == 2);
    CHECK_STR(s->levels[0], "hello");
    CHECK_STR(s->levels[1], "with, comma");
    CHECK(s->cat[2] == -1);
    CHECK(t->cols[2].type == RT_CATEGORICAL && t->cols[2].nlevels == 2);
    rt_column *k = &t->cols[3];
    CHECK(k->nlevels == 3 && k->distinct == 2);   /* declared but unused 'c' kept */
    CHECK_STR(k->levels[0], "a");
    CHECK_STR(k->levels[2], "c");
    CHECK(k->cat[0] == 0 && k->cat[1] == 1);
    CHECK_STR(t->cols[4].name, "q n");
    CHECK_STR(t->cols[4].levels[0], "it's");
    CHECK(t->cols[4].cat[0] == 1 && t->cols[4].cat[1] == 0 && t->cols[4].cat[2] == -1);
    rt_table_free(t);
}

static void test_sparse(void)
{
    const char *p = WRITE("sparse.arff",
        "@relation sp\n"
        "@attribute a numeric\n"
        "@attribute b numeric\n"
        "@attribute c {no,yes}\n"
        "@data\n"
        "{0 1.5, 2 yes}\n"
        "{1 7}\n"
        "{}\n"
        "4,5,no\n");
    rt_table *t = read_ok(p);
    if (!t) return;
    CHECK(t->nrows == 4);
    CHECK(t->cols[0].num[0] == 1.5 && t->cols[1].num[0] == 0 && t->cols[2].cat[0] == 1);
    CHECK(t->cols[0].num[1] == 0 && t->cols[1].num[1] == 7 && t->cols[2].cat[1] == 0);
    CHECK(t->cols[0].num[2] == 0 && t->cols[2].cat[2] == 0);   /* omitted nominal: first value */
    CHECK(t->cols[0].num[3] == 4);
    rt_table_free(t);
    p = WRITE("sparse_bad.arff", "@attribute a numeric\n@data\n{3 1}\n");
    EXPECT_ERR(p, ":3: sparse index 3 out of range (1 attributes)");
}

static void test_errors(void)
{
    const char *hdr = "@relation r\n@attribute x numeric\n@attribute s string\n@attribute class {a,b}\n@data\n";
    char buf[512];
    const char *p;
#define BODY(name, rows) (snprintf(buf, sizeof buf, "%s%s", hdr, rows), \
                          write_file(name, buf, strlen(buf)))
    p = BODY("nominal.arff", "1,x,a\n2,y,c\n");
    EXPECT_ERR(p, ":7: field 3 ('class'): value 'c' is not among the nominal values");
    p = BODY("nonnum.arff", "1,x,a\n% c\nabc,y,b\n");
    EXPECT_ERR(p, ":8: field 1 ('x'): non-numeric value 'abc'");
    p = BODY("inf.arff", "1,x,a\ninf,y,b\n");
    EXPECT_ERR(p, ":7: field 1 ('x'): infinite value 'inf'");
    p = BODY("few.arff", "1,x,a\n2,y\n");
    EXPECT_ERR(p, ":7: field 3 ('class'): expected 3 values, found 2");
    p = BODY("many.arff", "1,x,a,4\n");
    EXPECT_ERR(p, ":6: field 4: expected 3 values, found 4");
    p = BODY("unterm.arff", "1,'x,a\n");
    EXPECT_ERR(p, ":6: field 2 ('s'): unterminated quoted value");
    p = BODY("nodata.arff", "");
    EXPECT_ERR(p, ": no data rows");
    p = WRITE("missingdata.arff", "@relation r\n@attribute x numeric\n1\n");
    EXPECT_ERR(p, ":3: expected @relation, @attribute or @data, found '1'");
    p = WRITE("nodatasec.arff", "@relation r\n@attribute x numeric\n% only a comment\n");
    EXPECT_ERR(p, ": missing @data");
    p = WRITE("empty.arff", "% nothing\n\n");
    EXPECT_ERR(p, ": empty file");
    p = WRITE("dup.arff", "@attribute x numeric\n@attribute y numeric\n@attribute x real\n@data\n1,2,3\n");
    EXPECT_ERR(p, ":3: field 3 ('x'): duplicate attribute name");
    p = WRITE("reltype.arff", "@attribute r relational\n@data\n");
    EXPECT_ERR(p, ":1: unsupported attribute type 'relational' for 'r'");
    p = WRITE("notype.arff", "@attribute r\n@data\n");
    EXPECT_ERR(p, ":1: attribute 'r' has no type");
    p = WRITE("nobrace.arff", "@attribute r {a,b\n@data\n");
    EXPECT_ERR(p, ":1: nominal values without a closing '}'");
    p = WRITE("nul.arff", "@attribute r numeric\n@data\n1\0\n");
    EXPECT_ERR(p, ":3: binary data (NUL byte)");
    char missing[600];
    snprintf(missing, sizeof missing, "%s/nope.arff", tmpdir);
    EXPECT_ERR(missing, ": cannot open: No such file or directory");
#undef BODY
}

int main(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/mlg_arff_XXXXXX", base && *base ? base : "/tmp");
    if (!mkdtemp(tmpdir)) { perror("mkdtemp"); return 2; }
    test_fixture();
    test_types();
    test_sparse();
    test_errors();
    for (int i = 0; i < nfiles; i++) unlink(paths[i]);
    if (rmdir(tmpdir) != 0) perror(tmpdir);
    printf("test_arff: %d checks, %d failed\n", checks, failures);
    return failures != 0;
}
