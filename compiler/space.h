/* space.h — compiler-internal: expanded value lists of a search space. */
#ifndef CMP_SPACE_H
#define CMP_SPACE_H

#include "../grammar/ast.h"

typedef struct {
    double      num;
    const char *str;   /* borrowed from the AST; NULL for numbers */
    int         off, len;
} cmp_value;

typedef struct { cmp_value *v; int n, cap; } cmp_values;

/* Expands a spec node (or a single value node) into values; out->v is
 * malloc'd, caller frees. */
int cmp_expand(const ast *spec, cmp_values *out, ut_err *e);

#endif
