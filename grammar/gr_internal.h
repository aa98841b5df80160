/* gr_internal.h — shared by the lexer, the parser and parse.c only. */
#ifndef GR_INTERNAL_H
#define GR_INTERNAL_H

#include <setjmp.h>
#include "ast.h"
#include "../include/mileage.h"

/* Token locations: byte offset and length in the caller's text. */
typedef struct { int off, len; } gr_loc;
#define GR_YYLTYPE gr_loc
#define GR_YYLTYPE_IS_DECLARED 1
/* the names flex's bison bridge uses */
#ifndef YYLTYPE
#define YYLTYPE gr_loc
#endif
#ifndef YYSTYPE
#define YYSTYPE GR_YYSTYPE
#endif

struct gr_lexstate {
    const char *text;      /* the statement being scanned                 */
    int         n;
    int         base;      /* offset of text in the caller's buffer        */
    int         pos;       /* bytes consumed so far                        */
    int         comment_off;
    const char *lex_error; /* set with a LEXERROR token                    */
    const char *fatal;     /* flex could not allocate                      */
    jmp_buf     jb;
};

/* What the parser hands back. */
typedef struct {
    const char *text;
    int         base;
    ast        *result;
    ut_err     *err;
} gr_pstate;

int   gr_keyword(const char *word);          /* token or 0 */
char *gr_unquote(const char *tok, int len);   /* '..' / ".." with doubled quotes */
char *gr_sql_rest(struct gr_lexstate *st, gr_loc *loc);
void  gr_lex_fatal(void *scanner, const char *msg);

#endif
