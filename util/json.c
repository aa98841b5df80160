/* json.c — strict recursive-descent JSON reader (RFC 8259): no comments,
 * no trailing commas, no NaN/Infinity, depth capped so hostile input cannot
 * exhaust the stack, duplicate object keys refused (a reader that kept the
 * first and a writer that meant the second would disagree silently). */
#include "json.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../include/mileage.h"

#define JSON_MAX_DEPTH 64

typedef struct {
    const char *s;
    size_t n, pos;
    const char *what;
    ut_err *e;
} jp;

static int jerr(jp *p, const char *msg)
{
    return ut_errf(p->e, MLG_DATA, "%s: byte %zu: %s", p->what, p->pos, msg);
}

static void ws(jp *p)
{
    while (p->pos < p->n && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' ||
                             p->s[p->pos] == '\r'))
        p->pos++;
}

void ut_json_free(ut_json *j)
{
    if (!j) return;
    for (int i = 0; i < j->n; i++) {
        if (j->keys) free(j->keys[i]);
        if (j->items) ut_json_free(j->items[i]);
    }
    free(j->keys);
    free(j->items);
    free(j->str);
    free(j);
}

static int hex4(jp *p, unsigned *out)
{
    if (p->pos + 4 > p->n) return jerr(p, "truncated \\u escape");
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p->s[p->pos++];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return jerr(p, "bad \\u escape");
    }
    *out = v;
    return 0;
}

static int parse_string(jp *p, char **out)
{
    p->pos++;   /* the opening quote */
    ut_buf b;
    ut_buf_init(&b);
    for (;;) {
        if (p->pos >= p->n) { ut_buf_free(&b); return jerr(p, "unterminated string"); }
        unsigned char c = (unsigned char)p->s[p->pos++];
        if (c == '"') break;
        if (c < 0x20) { ut_buf_free(&b); return jerr(p, "control character in string"); }
        if (c != '\\') { ut_buf_putc(&b, (char)c); continue; }
        if (p->pos >= p->n) { ut_buf_free(&b); return jerr(p, "unterminated string"); }
        char x = p->s[p->pos++];
        switch (x) {
        case '"': ut_buf_putc(&b, '"'); break;
        case '\\': ut_buf_putc(&b, '\\'); break;
        case '/': ut_buf_putc(&b, '/'); break;
        case 'b': ut_buf_putc(&b, '\b'); break;
        case 'f': ut_buf_putc(&b, '\f'); break;
        case 'n': ut_buf_putc(&b, '\n'); break;
        case 'r': ut_buf_putc(&b, '\r'); break;
        case 't': ut_buf_putc(&b, '\t'); break;
        case 'u': {
            unsigned u;
            if (hex4(p, &u)) { ut_buf_free(&b); return -1; }
            if (u >= 0xD800 && u < 0xDC00) {
                unsigned lo;
                if (p->pos + 2 > p->n || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u') {
                    ut_buf_free(&b);
                    return jerr(p, "unpaired surrogate");
                }
                p->pos += 2;
                if (hex4(p, &lo)) { ut_buf_free(&b); return -1; }
                if (lo < 0xDC00 || lo > 0xDFFF) { ut_buf_free(&b); return jerr(p, "unpaired surrogate"); }
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            } else if (u >= 0xDC00 && u <= 0xDFFF) {
                ut_buf_free(&b);
                return jerr(p, "unpaired surrogate");
            }
            if (u == 0) { ut_buf_free(&b); return jerr(p, "NUL in string"); }
            if (u < 0x80) ut_buf_putc(&b, (char)u);
            else if (u < 0x800) {
                ut_buf_putc(&b, (char)(0xC0 | (u >> 6)));
                ut_buf_putc(&b, (char)(0x80 | (u & 0x3F)));
            } else if (u < 0x10000) {
                ut_buf_putc(&b, (char)(0xE0 | (u >> 12)));
                ut_buf_putc(&b, (char)(0x80 | ((u >> 6) & 0x3F)));
                ut_buf_putc(&b, (char)(0x80 | (u & 0x3F)));
            } else {
                ut_buf_putc(&b, (char)(0xF0 | (u >> 18)));
                ut_buf_putc(&b, (char)(0x80 | ((u >> 12) & 0x3F)));
                ut_buf_putc(&b, (char)(0x80 | ((u >> 6) & 0x3F)));
                ut_buf_putc(&b, (char)(0x80 | (u & 0x3F)));
            }
            break;
        }
        default: ut_buf_free(&b); return jerr(p, "bad escape in string");
        }
    }
    if (!b.s) ut_buf_puts(&b, "");
    *out = ut_buf_take(&b);
    return *out ? 0 : ut_errf(p->e, MLG_NOMEM, "out of memory");
}

static int parse_number(jp *p, double *out)
{
    size_t st = p->pos;
    if (p->pos < p->n && p->s[p->pos] == '-') p->pos++;
    if (p->pos >= p->n) return jerr(p, "bad number");
    if (p->s[p->pos] == '0') p->pos++;
    else if (p->s[p->pos] >= '1' && p->s[p->pos] <= '9')
        while (p->pos < p->n && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') p->pos++;
    else return jerr(p, "bad number");
    if (p->pos < p->n && p->s[p->pos] == '.') {
        p->pos++;
        size_t d = p->pos;
        while (p->pos < p->n && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') p->pos++;
        if (d == p->pos) return jerr(p, "bad number");
    }
    if (p->pos < p->n && (p->s[p->pos] == 'e' || p->s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->n && (p->s[p->pos] == '+' || p->s[p->pos] == '-')) p->pos++;
        size_t d = p->pos;
        while (p->pos < p->n && p->s[p->pos] >= '0' && p->s[p->pos] <= '9') p->pos++;
        if (d == p->pos) return jerr(p, "bad number");
    }
    char tmp[64];
    size_t l = p->pos - st;
    if (l >= sizeof tmp) return jerr(p, "number too long");
    memcpy(tmp, p->s + st, l);
    tmp[l] = 0;
    *out = strtod(tmp, NULL);
    if (!isfinite(*out)) {
        p->pos = st;
        return jerr(p, "number out of range");
    }
    return 0;
}

static int parse_value(jp *p, int depth, ut_json **out);

static int add_item(ut_json *j, int *cap, char *key, ut_json *v)
{
    if (j->n == *cap) {
        int nc = *cap ? *cap * 2 : 8;
        ut_json **ni = realloc(j->items, sizeof *ni * (size_t)nc);
        if (!ni) return -1;
        j->items = ni;
        if (j->type == UT_J_OBJ) {
            char **nk = realloc(j->keys, sizeof *nk * (size_t)nc);
            if (!nk) return -1;
            j->keys = nk;
        }
        *cap = nc;
    }
    if (j->type == UT_J_OBJ) j->keys[j->n] = key;
    j->items[j->n++] = v;
    return 0;
}

static int parse_container(jp *p, int depth, ut_json *j)
{
    char close = j->type == UT_J_ARR ? ']' : '}';
    int cap = 0;
    p->pos++;
    ws(p);
    if (p->pos < p->n && p->s[p->pos] == close) { p->pos++; return 0; }
    for (;;) {
        char *key = NULL;
        ws(p);
        if (j->type == UT_J_OBJ) {
            if (p->pos >= p->n || p->s[p->pos] != '"') return jerr(p, "expected a key string");
            if (parse_string(p, &key)) return -1;
            for (int i = 0; i < j->n; i++)
                if (!strcmp(j->keys[i], key)) {
                    free(key);
                    return jerr(p, "duplicate key");
                }
            ws(p);
            if (p->pos >= p->n || p->s[p->pos] != ':') { free(key); return jerr(p, "expected ':'"); }
            p->pos++;
        }
        ut_json *v = NULL;
        if (parse_value(p, depth + 1, &v)) { free(key); return -1; }
        if (add_item(j, &cap, key, v)) {
            free(key);
            ut_json_free(v);
            return ut_errf(p->e, MLG_NOMEM, "out of memory");
        }
        ws(p);
        if (p->pos >= p->n) return jerr(p, "unexpected end of input");
        if (p->s[p->pos] == ',') { p->pos++; continue; }
        if (p->s[p->pos] == close) { p->pos++; return 0; }
        return jerr(p, j->type == UT_J_ARR ? "expected ',' or ']'" : "expected ',' or '}'");
    }
}

static int parse_value(jp *p, int depth, ut_json **out)
{
    *out = NULL;
    if (depth > JSON_MAX_DEPTH) return jerr(p, "nested too deeply");
    ws(p);
    if (p->pos >= p->n) return jerr(p, "unexpected end of input");
    ut_json *j = calloc(1, sizeof *j);
    if (!j) return ut_errf(p->e, MLG_NOMEM, "out of memory");
    j->off = p->pos;
    char c = p->s[p->pos];
    int rc = 0;
    if (c == '{' || c == '[') {
        j->type = c == '{' ? UT_J_OBJ : UT_J_ARR;
        rc = parse_container(p, depth, j);
    } else if (c == '"') {
        j->type = UT_J_STR;
        rc = parse_string(p, &j->str);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        j->type = UT_J_NUM;
        rc = parse_number(p, &j->num);
    } else if (p->n - p->pos >= 4 && !memcmp(p->s + p->pos, "true", 4)) {
        j->type = UT_J_BOOL, j->num = 1, p->pos += 4;
    } else if (p->n - p->pos >= 5 && !memcmp(p->s + p->pos, "false", 5)) {
        j->type = UT_J_BOOL, p->pos += 5;
    } else if (p->n - p->pos >= 4 && !memcmp(p->s + p->pos, "null", 4)) {
        j->type = UT_J_NULL, p->pos += 4;
    } else {
        rc = jerr(p, "unexpected character");
    }
    j->len = p->pos - j->off;
    if (rc) {
        ut_json_free(j);
        return -1;
    }
    *out = j;
    return 0;
}

int ut_json_parse(const char *text, size_t n, const char *what, ut_json **out, ut_err *e)
{
    jp p = {text, n, 0, what, e};
    *out = NULL;
    ut_json *j;
    if (parse_value(&p, 0, &j)) return -1;
    ws(&p);
    if (p.pos != n) {
        ut_json_free(j);
        return jerr(&p, "extra text after the document");
    }
    *out = j;
    return 0;
}

const ut_json *ut_json_get(const ut_json *j, const char *key)
{
    if (!j || j->type != UT_J_OBJ) return NULL;
    for (int i = 0; i < j->n; i++)
        if (!strcmp(j->keys[i], key)) return j->items[i];
    return NULL;
}
