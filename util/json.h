/* json.h — a small, strict JSON reader for documents mileage reads back
 * (model files).  The input is untrusted: depth, size and every token are
 * checked, numbers must be finite, and every value remembers the byte
 * range it came from so a checksum can cover exactly the bytes written.
 * Memory: ut_json_parse returns a tree owned by the caller (ut_json_free
 * frees it whole); strings are NUL-terminated copies. */
#ifndef MLG_JSON_H
#define MLG_JSON_H

#include <stddef.h>

#include "util.h"

typedef enum { UT_J_NULL, UT_J_BOOL, UT_J_NUM, UT_J_STR, UT_J_ARR, UT_J_OBJ } ut_jtype;

typedef struct ut_json ut_json;
struct ut_json {
    ut_jtype type;
    double   num;          /* NUM; BOOL: 0/1 */
    char    *str;          /* STR */
    char   **keys;         /* OBJ: n keys */
    ut_json **items;       /* ARR / OBJ: n values */
    int      n;
    size_t   off, len;     /* byte range of the value in the input */
};

/* Parses text[0..n) (one value, surrounded only by whitespace).  Errors:
 * MLG_DATA with "what: byte N: problem". */
int  ut_json_parse(const char *text, size_t n, const char *what, ut_json **out, ut_err *e);
void ut_json_free(ut_json *j);   /* NULL-safe */

/* Member of an object (exact key), NULL when absent or j is not an object. */
const ut_json *ut_json_get(const ut_json *j, const char *key);

#endif
