/* parser.y — the grammar of one mileage statement.  Actions only build AST
 * nodes (ast.h); names are resolved later by the compiler.  Keywords are not
 * reserved where a name is expected, so a column called "step" or "seed"
 * needs no quotes. */
%define api.pure full
%define api.prefix {gr_yy}
%define parse.error custom
%locations
%expect 0
%param {void *scanner}
%parse-param {gr_pstate *ps}

%code requires {
#include "gr_internal.h"
}

%code {
#include <stdlib.h>
#include <string.h>
#include "lexer.h"

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                         \
    do {                                                                    \
        if (N) {                                                            \
            (Cur).off = YYRHSLOC(Rhs, 1).off;                               \
            (Cur).len = YYRHSLOC(Rhs, N).off + YYRHSLOC(Rhs, N).len - (Cur).off; \
        } else {                                                            \
            (Cur).off = YYRHSLOC(Rhs, 0).off + YYRHSLOC(Rhs, 0).len;        \
            (Cur).len = 0;                                                  \
        }                                                                   \
    } while (0)

static ast *mk(ast_kind k, GR_YYLTYPE l) { return ast_new(k, l.off, l.len); }
static ast *mk_str(ast_kind k, GR_YYLTYPE l, char *s)
{
    ast *n = mk(k, l);
    if (n) n->str = s; else free(s);
    return n;
}
static void gr_yyerror(GR_YYLTYPE *l, void *scanner, gr_pstate *ps, const char *msg)
{
    (void)scanner;
    ut_errf_at(ps->err, MLG_NOMEM, l->off, l->len, "%s", msg);
}
#define OOM(x) do { if (!(x)) { ps->err->code = -2; YYNOMEM; } } while (0)
}

%union {
    double num;
    char  *str;
    ast   *node;
}

%token <num> NUMBER "number"
%token <str> IDENT  "identifier"
%token <str> QIDENT "quoted identifier"
%token <str> STRING "string"
%token <str> SQL    "SELECT"
%token DOTDOT ".."
%token LEXERROR "invalid token"
%token AS "AS" BY "BY" CASCADE "CASCADE" CLASSIFICATION "CLASSIFICATION"
%token CREATE "CREATE" CV "CV" DATASET "DATASET" DATASETS "DATASETS"
%token DESCRIBE "DESCRIBE" DROP "DROP" EVALUATE "EVALUATE"
%token EXPERIMENTS "EXPERIMENTS" EXPLAIN "EXPLAIN" EXPLORE "EXPLORE"
%token FROM "FROM" HOLDOUT "HOLDOUT" IN "IN" LINSPACE "LINSPACE"
%token LOGSPACE "LOGSPACE" METRIC "METRIC" ON "ON" PREDICT "PREDICT"
%token PREPROCESS "PREPROCESS" REGRESSION "REGRESSION" SEARCH "SEARCH"
%token SEED "SEED" SET "SET" SHOW "SHOW" STEP "STEP" TASK "TASK"
%token TASKS "TASKS" TOP "TOP" USING "USING" WITH "WITH"
%token REPEATED "REPEATED" FOLDS "FOLDS" TIME "TIME" SPLIT "SPLIT" ANALYZE "ANALYZE"
%token RESUME "RESUME" EXPERIMENT "EXPERIMENT" BUDGET "BUDGET"
%token TRAIN "TRAIN" BEST "BEST" MODEL "MODEL" MODELS "MODELS" INTO "INTO" EXPORT "EXPORT"
%token IMPORT "IMPORT" REPRODUCE "REPRODUCE" RUN "RUN" TO "TO"
%token INTENT "INTENT" BASELINE "BASELINE"
%token FRESH "FRESH"
%token CACHE "CACHE" CLEAR "CLEAR"
%token SUGGEST "SUGGEST" CONFIGS "CONFIGS" FOR "FOR" LIMIT "LIMIT" WARM "WARM" START "START"
%token SIMILAR "SIMILAR"

%type <node> stmt plain_stmt create_dataset opt_with options option drop show
%type <node> describe create_task task_clauses task_clause explore families
%type <node> family params param spec values value explore_clauses
%type <node> explore_clause transforms transform targs targ set select name number
%type <node> names opt_on resume model_stmt string scale intents intent baseline suggest opt_limit
%type <str>  word

%destructor { free($$); } <str>
%destructor { ast_free($$); } <node>

%%

script
    : stmt opt_semi           { ps->result = $1; }
    ;

opt_semi
    : %empty
    | ';'
    ;

stmt
    : plain_stmt
    | EXPLAIN plain_stmt      { OOM($$ = mk(AST_EXPLAIN, @$)); $$->a = $2; }
    | EXPLAIN ANALYZE plain_stmt
                              { OOM($$ = mk(AST_EXPLAIN, @$)); $$->a = $3; $$->ival = 1; }
    ;

plain_stmt
    : create_dataset | drop | show | describe | create_task | explore | set | select | resume
    | model_stmt | baseline | suggest
    | CLEAR CACHE             { OOM($$ = mk(AST_CLEAR_CACHE, @$)); }
    ;

/* BASELINE task: the baseline family and a default portfolio (compiler/baseline.c) */
baseline
    : BASELINE name           { OOM($$ = mk(AST_BASELINE, @$)); $$->a = $2; }
    ;


/* meta-learning from the catalog (runtime/suggest.c) */
suggest
    : SUGGEST CONFIGS FOR name opt_limit
                              { OOM($$ = mk(AST_SUGGEST, @$)); $$->a = $4; $$->b = $5; }
    | SUGGEST PREPROCESS FOR name opt_limit
                              { OOM($$ = mk(AST_SUGGEST, @$)); $$->ival = 1; $$->a = $4; $$->b = $5; }
    ;

opt_limit
    : %empty                  { $$ = NULL; }
    | LIMIT value             { $$ = $2; }
    ;

/* trained models and reproducibility (compiler/model_stmt.c) */
model_stmt
    : TRAIN BEST FROM EXPERIMENT number AS name
                              { OOM($$ = mk(AST_TRAIN, @$)); $$->ival = 1; $$->a = $5; $$->b = $7; }
    | TRAIN family AS name ON name explore_clauses
                              { OOM($$ = mk(AST_TRAIN, @$)); $$->a = $2; $$->b = $4; $$->c = $6; $6->next = $7; }
    | PREDICT USING name FROM string INTO string
                              { OOM($$ = mk(AST_PREDICT_MODEL, @$)); $$->a = $3; $$->b = $5; $$->c = $7; }
    | DROP MODEL name         { OOM($$ = mk(AST_DROP_MODEL, @$)); $$->a = $3; }
    | EXPORT MODEL name TO string
                              { OOM($$ = mk(AST_EXPORT_MODEL, @$)); $$->a = $3; $$->b = $5; }
    | IMPORT MODEL name FROM string
                              { OOM($$ = mk(AST_IMPORT_MODEL, @$)); $$->a = $3; $$->b = $5; }
    | REPRODUCE RUN number    { OOM($$ = mk(AST_REPRODUCE, @$)); $$->a = $3; }
    | REPRODUCE EXPERIMENT number
                              { OOM($$ = mk(AST_REPRODUCE, @$)); $$->ival = 1; $$->a = $3; }
    ;

string
    : STRING                  { OOM($$ = mk_str(AST_STRING, @1, $1)); }
    ;

resume
    : RESUME EXPERIMENT number
                              { OOM($$ = mk(AST_RESUME, @$)); $$->a = $3; }
    ;

create_dataset
    : CREATE DATASET name FROM STRING opt_with
        { OOM($$ = mk(AST_CREATE_DATASET, @$)); $$->a = $3;
          $$->b = mk_str(AST_STRING, @5, $5); $$->c = $6; OOM($$->b); }
    ;

opt_with
    : %empty                  { $$ = NULL; }
    | WITH '(' options ')'    { $$ = $3; }
    ;

options
    : option                  { $$ = $1; }
    | options ',' option      { $$ = ast_append($1, $3); }
    ;

option
    : name '=' value          { OOM($$ = mk(AST_OPTION, @$)); $$->a = $1; $$->b = $3; }
    ;

drop
    : DROP DATASET name       { OOM($$ = mk(AST_DROP_DATASET, @$)); $$->a = $3; }
    | DROP DATASET name CASCADE
                              { OOM($$ = mk(AST_DROP_DATASET, @$)); $$->a = $3; $$->ival = 1; }
    | DROP TASK name          { OOM($$ = mk(AST_DROP_TASK, @$)); $$->a = $3; }
    ;

show
    : SHOW DATASETS           { OOM($$ = mk(AST_SHOW, @$)); $$->ival = SHOW_DATASETS; }
    | SHOW TASKS              { OOM($$ = mk(AST_SHOW, @$)); $$->ival = SHOW_TASKS; }
    | SHOW EXPERIMENTS        { OOM($$ = mk(AST_SHOW, @$)); $$->ival = SHOW_EXPERIMENTS; }
    | SHOW MODELS             { OOM($$ = mk(AST_SHOW, @$)); $$->ival = SHOW_MODELS; }
    | SHOW CACHE              { OOM($$ = mk(AST_SHOW, @$)); $$->ival = SHOW_CACHE; }
    ;

describe
    : DESCRIBE name           { OOM($$ = mk(AST_DESCRIBE, @$)); $$->a = $2; }
    ;

create_task
    : CREATE TASK name ON name PREDICT name task_clauses
        { OOM($$ = mk(AST_CREATE_TASK, @$)); $$->a = $3; $$->b = $5;
          $5->next = $7; $$->c = $8; }
    ;

task_clauses
    : %empty                  { $$ = NULL; }
    | task_clauses task_clause { $$ = ast_append($1, $2); }
    ;

task_clause
    : AS CLASSIFICATION       { OOM($$ = mk(AST_CL_KIND, @$)); $$->ival = 0; }
    | AS REGRESSION           { OOM($$ = mk(AST_CL_KIND, @$)); $$->ival = 1; }
    | METRIC names            { OOM($$ = mk(AST_CL_METRIC, @$)); $$->a = $2; }
    | EVALUATE BY CV '(' value ')'
                              { OOM($$ = mk(AST_CL_CV, @$)); $$->a = $5; }
    | EVALUATE BY REPEATED CV '(' value ',' value ')'
                              { OOM($$ = mk(AST_CL_REPEATED, @$)); $$->a = $6; $$->b = $8; }
    | EVALUATE BY FOLDS '(' name ')'
                              { OOM($$ = mk(AST_CL_FOLDS, @$)); $$->a = $5; }
    | EVALUATE BY TIME SPLIT ON name '(' value ')'
                              { OOM($$ = mk(AST_CL_TIME, @$)); $$->a = $6; $$->b = $8; }
    | EVALUATE BY HOLDOUT '(' value ')'
                              { OOM($$ = mk(AST_CL_HOLDOUT, @$)); $$->a = $5; }
    | SEED value              { OOM($$ = mk(AST_CL_SEED, @$)); $$->a = $2; }
    ;

explore
    : EXPLORE name USING families explore_clauses
        { OOM($$ = mk(AST_EXPLORE, @$)); $$->a = $2; $$->b = $4; $$->c = $5; }
    | EXPLORE name explore_clauses
        { OOM($$ = mk(AST_EXPLORE, @$)); $$->a = $2; $$->c = $3; }
    ;

families
    : family                  { $$ = $1; }
    | families ',' family     { $$ = ast_append($1, $3); }
    ;

family
    : name                    { OOM($$ = mk(AST_FAMILY, @$)); $$->b = $1; }
    | name '(' ')'            { OOM($$ = mk(AST_FAMILY, @$)); $$->b = $1; }
    | name '(' params ')'     { OOM($$ = mk(AST_FAMILY, @$)); $$->b = $1; $$->a = $3; }
    ;

params
    : param                   { $$ = $1; }
    | params ',' param        { $$ = ast_append($1, $3); }
    ;

param
    : name IN spec            { OOM($$ = mk(AST_PARAM, @$)); $$->b = $1; $$->a = $3; }
    | name '=' value          { OOM($$ = mk(AST_PARAM, @$)); $$->b = $1; $$->a = $3; }
    ;

spec
    : '{' values '}'          { OOM($$ = mk(AST_SPEC_SET, @$)); $$->a = $2; }
    | value DOTDOT value      { OOM($$ = mk(AST_SPEC_RANGE, @$)); $$->a = $1; $$->b = $3; }
    | value DOTDOT value STEP value
                              { OOM($$ = mk(AST_SPEC_RANGE, @$)); $$->a = $1; $$->b = $3; $$->c = $5; }
    | LOGSPACE '(' value ',' value ',' value ')'
                              { OOM($$ = mk(AST_SPEC_LOGSPACE, @$)); $$->a = $3; $$->b = $5; $$->c = $7; }
    | LINSPACE '(' value ',' value ',' value ')'
                              { OOM($$ = mk(AST_SPEC_LINSPACE, @$)); $$->a = $3; $$->b = $5; $$->c = $7; }
    | '[' value ',' value ']' scale
                              { OOM($$ = mk(AST_SPEC_INTERVAL, @$)); $$->a = $2; $$->b = $4; $$->c = $6; }
    ;

/* words after a continuous interval: LOG, INT (checked by the compiler) */
scale
    : %empty                  { $$ = NULL; }
    | scale name              { $$ = ast_append($1, $2); }
    ;

values
    : value                   { $$ = $1; }
    | values ',' value        { $$ = ast_append($1, $3); }
    ;

explore_clauses
    : %empty                  { $$ = NULL; }
    | explore_clauses explore_clause { $$ = ast_append($1, $2); }
    ;

explore_clause
    : PREPROCESS transforms   { OOM($$ = mk(AST_CL_PREPROCESS, @$)); $$->a = $2; }
    | SEARCH name             { OOM($$ = mk(AST_CL_SEARCH, @$)); $$->a = $2; }
    | SEARCH name '(' ')'     { OOM($$ = mk(AST_CL_SEARCH, @$)); $$->a = $2; }
    | SEARCH name '(' targs ')'
                              { OOM($$ = mk(AST_CL_SEARCH, @$)); $$->a = $2; $$->b = $4; }
    | BUDGET value name       { OOM($$ = mk(AST_CL_BUDGET, @$)); $$->a = $2; $$->b = $3; }
    | TOP value               { OOM($$ = mk(AST_CL_TOP, @$)); $$->a = $2; }
    | FRESH                   { OOM($$ = mk(AST_CL_FRESH, @$)); }
    | WARM START              { OOM($$ = mk(AST_CL_WARM, @$)); }
    | WARM START FROM SIMILAR value
                              { OOM($$ = mk(AST_CL_WARM, @$)); $$->a = $5; }
    | WITH INTENT intents     { OOM($$ = mk(AST_CL_INTENT, @$)); $$->a = $3; }
    ;

/* WITH INTENT interpretable, cost(fn = 5, fp = 1) (compiler/intent.c) */
intents
    : intent                  { $$ = $1; }
    | intents ',' intent      { $$ = ast_append($1, $3); }
    ;

intent
    : name                    { OOM($$ = mk(AST_INTENT, @$)); $$->b = $1; }
    | name '(' ')'            { OOM($$ = mk(AST_INTENT, @$)); $$->b = $1; }
    | name '(' targs ')'      { OOM($$ = mk(AST_INTENT, @$)); $$->b = $1; $$->a = $3; }
    ;

transforms
    : transform               { $$ = $1; }
    | transforms ',' transform { $$ = ast_append($1, $3); }
    ;

transform
    : name opt_on             { OOM($$ = mk(AST_TRANSFORM, @$)); $$->b = $1; $$->c = $2; }
    | name '(' ')' opt_on     { OOM($$ = mk(AST_TRANSFORM, @$)); $$->b = $1; $$->c = $4; }
    | name '(' targs ')' opt_on
                              { OOM($$ = mk(AST_TRANSFORM, @$)); $$->b = $1; $$->a = $3; $$->c = $5; }
    ;

/* which columns a transform works on: ON numeric | categorical | all | (a, b) */
opt_on
    : %empty                  { $$ = NULL; }
    | ON name                 { OOM($$ = mk(AST_SELECTOR, @$)); $$->a = $2; }
    | ON '(' names ')'        { OOM($$ = mk(AST_SELECTOR, @$)); $$->a = $3; $$->ival = 1; }
    ;

names
    : name                    { $$ = $1; }
    | names ',' name          { $$ = ast_append($1, $3); }
    ;

targs
    : targ                    { $$ = $1; }
    | targs ',' targ          { $$ = ast_append($1, $3); }
    ;

targ
    : number                  { $$ = $1; }
    | STRING                  { OOM($$ = mk_str(AST_STRING, @1, $1)); }
    | name                    { $$ = $1; }
    | name '=' value          { OOM($$ = mk(AST_OPTION, @$)); $$->a = $1; $$->b = $3; }
    | name IN spec            { OOM($$ = mk(AST_PARAM, @$)); $$->b = $1; $$->a = $3; }
    ;

set
    : SET name '=' value      { OOM($$ = mk(AST_SET, @$)); $$->a = $2; $$->b = $4; }
    ;

select
    : SQL                     { OOM($$ = mk_str(AST_SELECT, @1, $1)); }
    ;

value
    : number                  { $$ = $1; }
    | STRING                  { OOM($$ = mk_str(AST_STRING, @1, $1)); }
    | name                    { $$ = $1; }
    ;

number
    : NUMBER                  { OOM($$ = mk(AST_NUMBER, @$)); $$->num = $1; }
    | '-' NUMBER              { OOM($$ = mk(AST_NUMBER, @$)); $$->num = -$2; }
    | '+' NUMBER              { OOM($$ = mk(AST_NUMBER, @$)); $$->num = $2; }
    ;

name
    : word                    { OOM($$ = mk_str(AST_IDENT, @1, $1)); }
    | QIDENT                  { OOM($$ = mk_str(AST_IDENT, @1, $1)); $$->ival = 1; }
    ;

/* Keywords double as names where a name is expected. */
word
    : IDENT
    | AS { $$ = strdup("as"); } | BY { $$ = strdup("by"); }
    | CASCADE { $$ = strdup("cascade"); }
    | CLASSIFICATION { $$ = strdup("classification"); }
    | CREATE { $$ = strdup("create"); } | CV { $$ = strdup("cv"); }
    | DATASET { $$ = strdup("dataset"); } | DATASETS { $$ = strdup("datasets"); }
    | DESCRIBE { $$ = strdup("describe"); } | DROP { $$ = strdup("drop"); }
    | EVALUATE { $$ = strdup("evaluate"); }
    | EXPERIMENTS { $$ = strdup("experiments"); }
    | EXPLAIN { $$ = strdup("explain"); } | EXPLORE { $$ = strdup("explore"); }
    | FROM { $$ = strdup("from"); } | HOLDOUT { $$ = strdup("holdout"); }
    | IN { $$ = strdup("in"); } | METRIC { $$ = strdup("metric"); }
    | ON { $$ = strdup("on"); } | PREDICT { $$ = strdup("predict"); }
    | PREPROCESS { $$ = strdup("preprocess"); }
    | REGRESSION { $$ = strdup("regression"); } | SEARCH { $$ = strdup("search"); }
    | SEED { $$ = strdup("seed"); } | SET { $$ = strdup("set"); }
    | SHOW { $$ = strdup("show"); } | STEP { $$ = strdup("step"); }
    | TASK { $$ = strdup("task"); } | TASKS { $$ = strdup("tasks"); }
    | TOP { $$ = strdup("top"); } | USING { $$ = strdup("using"); }
    | WITH { $$ = strdup("with"); }
    | REPEATED { $$ = strdup("repeated"); } | FOLDS { $$ = strdup("folds"); }
    | TIME { $$ = strdup("time"); } | SPLIT { $$ = strdup("split"); }
    | ANALYZE { $$ = strdup("analyze"); }
    | RESUME { $$ = strdup("resume"); } | EXPERIMENT { $$ = strdup("experiment"); }
    | TRAIN { $$ = strdup("train"); } | BEST { $$ = strdup("best"); }
    | MODEL { $$ = strdup("model"); } | MODELS { $$ = strdup("models"); }
    | INTO { $$ = strdup("into"); } | EXPORT { $$ = strdup("export"); }
    | IMPORT { $$ = strdup("import"); } | REPRODUCE { $$ = strdup("reproduce"); }
    | RUN { $$ = strdup("run"); } | TO { $$ = strdup("to"); }
    | BUDGET { $$ = strdup("budget"); } | FRESH { $$ = strdup("fresh"); }
    | INTENT { $$ = strdup("intent"); } | BASELINE { $$ = strdup("baseline"); }
    | CACHE { $$ = strdup("cache"); } | CLEAR { $$ = strdup("clear"); }
    | SUGGEST { $$ = strdup("suggest"); } | CONFIGS { $$ = strdup("configs"); }
    | FOR { $$ = strdup("for"); } | LIMIT { $$ = strdup("limit"); }
    | WARM { $$ = strdup("warm"); } | START { $$ = strdup("start"); }
    | SIMILAR { $$ = strdup("similar"); }
    ;

%%

#include "syntax_error.inc"
