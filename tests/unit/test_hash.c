/* test_hash.c — XXH64 against the published reference vectors (xxHash's
 * sanity check and its documentation), streaming = one shot, and the
 * lineage record's canonical rules. */
#include "../../util/hash.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"


static void test_vectors(void)
{
    static const struct { const char *s; uint64_t seed, h; } v[] = {
        {"", 0, 0xEF46DB3751D8E999ULL},
        {"", 1, 0xD5AFBA1336A3BE4BULL},
        {"", 2654435761ULL, 0xAC75FDA2929B17EFULL},
        {"a", 0, 0xD24EC4F1A98C6E5BULL},
        {"as", 0, 0x1C330FB2D66BE179ULL},
        {"asd", 0, 0x631C37CE72A97393ULL},
        {"abc", 0, 0x44BC2CF5AD770999ULL},
        {"asdf", 0, 0x415872F599CEA71EULL},
        {"Call me Ishmael.", 0, 0x6D04390FC9D61A90ULL},
        {"Nobody inspects the spammish repetition", 0, 0xFBCEA83C8A378BF1ULL},
        {"Some years ago--never mind how long precisely-", 0, 0x8F26F2B986AFDC52ULL},
    };
    for (size_t i = 0; i < sizeof v / sizeof *v; i++) {
        uint64_t h = ut_xxh64(v[i].s, strlen(v[i].s), v[i].seed);
        if (h != v[i].h) fprintf(stderr, "xxh64(\"%s\", %llu) = %016llx\n", v[i].s, (unsigned long long)v[i].seed,
                                 (unsigned long long)h);
        CHECK(h == v[i].h);
    }
    /* xxHash's sanity buffer (bench.c): byte i is the top byte of a 32-bit
     * generator squared at every step, starting from PRIME32_1 */
    unsigned char buf[14];
    uint32_t g = 2654435761U;
    for (int i = 0; i < 14; i++) {
        buf[i] = (unsigned char)(g >> 24);
        g *= g;
    }
    CHECK(ut_xxh64(buf, 1, 0) == 0x4FCE394CC88952D8ULL);
    CHECK(ut_xxh64(buf, 1, 2654435761ULL) == 0x739840CB819FA723ULL);
    CHECK(ut_xxh64(buf, 14, 0) == 0xCFFA8DB881BC3A3DULL);
    CHECK(ut_xxh64(buf, 14, 2654435761ULL) == 0x5B9611585EFCC9CBULL);
    unsigned char zero = 0;
    CHECK(ut_xxh64(&zero, 1, 0) == 0xE934A84ADB052768ULL);
}

static void test_streaming(void)
{
    unsigned char big[1000];
    for (int i = 0; i < 1000; i++) big[i] = (unsigned char)(i * 37 + 11);
    for (size_t n = 0; n <= 1000; n += 37) {
        uint64_t one = ut_xxh64(big, n, 7);
        for (size_t piece = 1; piece <= 65; piece += 8) {
            ut_xxh64_state s;
            ut_xxh64_init(&s, 7);
            for (size_t o = 0; o < n; o += piece) ut_xxh64_update(&s, big + o, n - o < piece ? n - o : piece);
            CHECK(ut_xxh64_digest(&s) == one);
        }
    }
}

static void hex_of(const char *kind, const char *a, double x, long long k, char out[33])
{
    ut_lineage l;
    ut_lineage_init(&l, kind);
    ut_lineage_str(&l, "a", a);
    ut_lineage_num(&l, "x", x);
    ut_lineage_int(&l, "k", k);
    CHECK(ut_lineage_hex(&l, out) == 0);
}

static void test_lineage(void)
{
    char h0[33], h1[33];
    hex_of("design", "standardize", 1000, 3, h0);
    CHECK(strlen(h0) == 32);
    hex_of("design", "standardize", 1e3, 3, h1);
    CHECK(!strcmp(h0, h1));                 /* the same value however written */
    hex_of("design", "standardize", 1000.0000001, 3, h1);
    CHECK(strcmp(h0, h1));
    hex_of("design", "standardize", 1000, 4, h1);
    CHECK(strcmp(h0, h1));
    hex_of("design", "minmax", 1000, 3, h1);
    CHECK(strcmp(h0, h1));
    hex_of("model", "standardize", 1000, 3, h1);
    CHECK(strcmp(h0, h1));
    hex_of("design", "standardize", -0.0, 3, h0);
    hex_of("design", "standardize", 0.0, 3, h1);
    CHECK(!strcmp(h0, h1));
    /* field boundaries are part of the record */
    ut_lineage l;
    ut_lineage_init(&l, "k");
    ut_lineage_str(&l, "a", "ab");
    ut_lineage_str(&l, "b", "c");
    ut_lineage_hex(&l, h0);
    ut_lineage_init(&l, "k");
    ut_lineage_str(&l, "a", "a");
    ut_lineage_str(&l, "b", "bc");
    ut_lineage_hex(&l, h1);
    CHECK(strcmp(h0, h1));
}

int main(void)
{
    test_vectors();
    test_streaming();
    test_lineage();
    printf("%d checks, %d failures\n", checks, failures);
    return failures != 0;
}
