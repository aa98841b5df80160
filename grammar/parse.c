/* parse.c — the grammar's front door: AST nodes, keyword lookup, statement
 * splitting (shared by mlg_prepare and mlg_complete) and gr_parse, which
 * drives the reentrant flex scanner and bison parser over one statement. */
#include <stdlib.h>
#include <string.h>

#include "gr_internal.h"
#include "parser.h"
#include "lexer.h"

const char *const ast_kind_names[AST__COUNT] = {
#define X(e, name) name,
#include "ast_kinds.def"
#undef X
};

const char *const gr_keywords[] = {
#define K(t) #t,
#include "keywords.def"
#undef K
};
const int gr_nkeywords = (int)(sizeof gr_keywords / sizeof gr_keywords[0]);

static const int keyword_tokens[] = {
#define K(t) t,
#include "keywords.def"
#undef K
};

ast *ast_new(ast_kind k, int off, int len)
{
    ast *n = calloc(1, sizeof *n);
    if (!n) return NULL;
    n->kind = k;
    n->off = off;
    n->len = len;
    return n;
}

void ast_free(ast *n)
{
    while (n) {
        ast *next = n->next;
        free(n->str);
        ast_free(n->a);
        ast_free(n->b);
        ast_free(n->c);
        free(n);
        n = next;
    }
}

ast *ast_append(ast *list, ast *item)
{
    if (!list) return item;
    ast *t = list;
    while (t->next) t = t->next;
    t->next = item;
    return list;
}

int ast_count(const ast *l)
{
    int n = 0;
    for (; l; l = l->next) n++;
    return n;
}

int gr_keyword(const char *word)
{
    if (!ut_strcasecmp(word, "select")) return SQL;
    for (int i = 0; i < gr_nkeywords; i++)
        if (!ut_strcasecmp(word, gr_keywords[i])) return keyword_tokens[i];
    return 0;
}

char *gr_unquote(const char *tok, int len)
{
    char q = tok[0];
    char *out = malloc((size_t)len);
    if (!out) return NULL;
    int j = 0;
    for (int i = 1; i < len - 1; i++) {
        out[j++] = tok[i];
        if (tok[i] == q && tok[i + 1] == q) i++;
    }
    out[j] = 0;
    return out;
}

/* SELECT runs to the end of the statement (gr_parse is given exactly one),
 * minus its ';' and trailing blanks. */
char *gr_sql_rest(struct gr_lexstate *st, gr_loc *loc)
{
    int start = loc->off - st->base;
    int end = st->n;
    while (end > start && (st->text[end - 1] == ';' || st->text[end - 1] == ' ' ||
                           st->text[end - 1] == '\n' || st->text[end - 1] == '\t' ||
                           st->text[end - 1] == '\r'))
        end--;
    loc->len = end - start;
    return ut_strndup(st->text + start, (size_t)(end - start));
}

int gr_parse(const char *text, int n, int base, ast **out, ut_err *e)
{
    *out = NULL;
    struct gr_lexstate st;
    memset(&st, 0, sizeof st);
    st.text = text;
    st.n = n;
    st.base = base;
    gr_pstate ps = {text, base, NULL, e};
    void *scanner = NULL;
    e->code = 0;
    if (gr_yylex_init_extra(&st, &scanner))
        return ut_errf(e, MLG_NOMEM, "out of memory");
    if (setjmp(st.jb)) {
        /* flex ran out of memory; the half-built tree is lost, not freed */
        gr_yylex_destroy(scanner);
        return ut_errf(e, MLG_NOMEM, "out of memory in the scanner");
    }
    YY_BUFFER_STATE buf = gr_yy_scan_bytes(text, n, scanner);
    int rc = gr_yyparse(scanner, &ps);
    gr_yy_delete_buffer(buf, scanner);
    gr_yylex_destroy(scanner);
    if (rc == 0 && ps.result) {
        *out = ps.result;
        return 0;
    }
    ast_free(ps.result);
    if (rc == 2 || e->code == -2) return ut_errf(e, MLG_NOMEM, "out of memory while parsing");
    if (!e->code) ut_errf_at(e, MLG_SYNTAX, base, 0, "syntax error");
    return -1;
}

/* Skips a quoted run starting at text[i] (the quote); returns the index
 * after the closing quote, or -1 when unterminated. */
static int skip_quoted(const char *t, int n, int i)
{
    char q = t[i++];
    while (i < n) {
        if (t[i] == q) {
            if (i + 1 < n && t[i + 1] == q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i++;
    }
    return -1;
}

int gr_split(const char *t, int n, int *complete, int *blank)
{
    int i = 0, seen = 0;
    *complete = 0;
    while (i < n) {
        char c = t[i];
        if (c == '\'' || c == '"') {
            int j = skip_quoted(t, n, i);
            seen = 1;
            if (j < 0) {  /* unterminated: the statement needs more input */
                i = n;
                break;
            }
            i = j;
        } else if (c == '-' && i + 1 < n && t[i + 1] == '-') {
            while (i < n && t[i] != '\n') i++;
        } else if (c == '/' && i + 1 < n && t[i + 1] == '*') {
            const char *end = NULL;
            for (int j = i + 2; j + 1 < n; j++)
                if (t[j] == '*' && t[j + 1] == '/') {
                    end = t + j;
                    break;
                }
            if (!end) {
                seen = 1;  /* an open comment needs more input */
                i = n;
                break;
            }
            i = (int)(end - t) + 2;
        } else if (c == ';') {
            *complete = 1;
            i++;
            break;
        } else {
            if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'))
                seen = 1;
            i++;
        }
    }
    *blank = !seen;
    return i;
}
