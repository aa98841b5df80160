/* ast.h — the syntax tree built by the parser.  One generic node shape:
 * the kind says which fields mean what (see ast_kinds.def).  Every node
 * carries the byte range [off, off+len) of its source text, relative to the
 * start of the text given to gr_parse, so any later stage can point a caret
 * at it.  Memory: gr_parse returns a tree owned by the caller; ast_free
 * frees a node, its children and its `next` siblings. */
#ifndef GR_AST_H
#define GR_AST_H

#include "../util/util.h"

typedef enum {
#define X(e, name) AST_##e,
#include "ast_kinds.def"
#undef X
    AST__COUNT
} ast_kind;

extern const char *const ast_kind_names[AST__COUNT];

enum { SHOW_DATASETS, SHOW_TASKS, SHOW_EXPERIMENTS, SHOW_MODELS, SHOW_CACHE };

typedef struct ast ast;
struct ast {
    ast_kind kind;
    int      off, len;   /* byte range in the source                        */
    char    *str;        /* identifier / string / name                      */
    double   num;        /* NUMBER                                          */
    int      ival;       /* small flags (see ast_kinds.def)                 */
    ast     *a, *b, *c;  /* children, by role                               */
    ast     *next;       /* next element when the node is in a list         */
};

ast *ast_new(ast_kind k, int off, int len);
void ast_free(ast *n);             /* NULL-safe; frees the whole list too */
ast *ast_append(ast *list, ast *item);  /* returns the list head         */
int  ast_count(const ast *list);

/* Parses exactly one statement (an optional trailing ';' included) from
 * text[0..n).  base is added to every offset (so offsets refer to a larger
 * buffer).  On a syntax error returns -1 with e->offset/e->length set. */
int gr_parse(const char *text, int n, int base, ast **out, ut_err *e);

/* Finds the end of the first statement in text[0..n): the byte after its
 * ';' (quotes, quoted identifiers and comments respected), or n.  Sets
 * *complete to 1 when a ';' ended it, and *blank to 1 when it held only
 * whitespace/comments. */
int gr_split(const char *text, int n, int *complete, int *blank);

/* Canonical text of the keyword list, for suggestions. */
extern const char *const gr_keywords[];
extern const int gr_nkeywords;

#endif
