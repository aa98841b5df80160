/* optimes.h — measured seconds of LOAD, SPLIT, TRANSFORM and EVALUATE on
 * the same data, for the cost model (catalog mlg_op_times; optimes.c). */
#ifndef MLG_RT_OPTIMES_H
#define MLG_RT_OPTIMES_H

#include "exec.h"
#include "../optimizer/plan.h"

/* How rt_load_dataset brought a table (rt_ctx.load_way). */
enum { RT_LOAD_MEMORY, RT_LOAD_CACHE, RT_LOAD_PARSE };

#define RT_OP_TIMES_DOUBLES(x) (4 * (size_t)(x)->npipes + RT_FAM__COUNT)

/* The formula for parsing d's file: ~30 ns a byte (numbers, type
 * inference, the content hash; 92 MB of synthetic table: 2.8 s measured). */
double rt_parse_seconds(const cat_dataset *d);

/* Fills ot from the catalog for statement x: ot's arrays point into space
 * (caller's, RT_OP_TIMES_DOUBLES(x) doubles; it must outlive ot).
 * LOAD's is for the way this statement will load the table (its formula
 * in load_formula).  Never fails: what cannot be read is NAN. */
void rt_op_times_lookup(rt_ctx *c, const cmp_explore *x, double *space, opt_op_times *ot);

/* Measurements gathered while a statement runs, written when it is done
 * (its runs come first).  Zero-initialized; rt_op_times_flush frees it. */
typedef struct {
    char op[16];
    char *detail;
    long long rows;
    double seconds;
} rt_op_time;
typedef struct {
    rt_op_time *v;
    int n, cap;
} rt_op_times;

/* LOAD and SPLIT's measured seconds (way: RT_LOAD_*). */
void rt_op_times_add_load(rt_op_times *t, const cmp_explore *x, int way, double load_s, double split_s);
/* After a plan ran: actual[i] is node i's measured seconds and ran[i] says
 * whether it ran (TRANSFORM: 1 computed, 2 loaded from the cache, 3
 * computed and offered to the cache, 4 computed for the test rows alone;
 * STATS: 1 computed; EVALUATE: 1).
 * Adds the mean TRANSFORM per pipeline and way, each computed STATS and
 * the mean EVALUATE per family. */
void rt_op_times_add_plan(rt_op_times *t, const cmp_explore *x, const opt_plan *p, const double *actual,
                          const unsigned char *ran);
/* Writes t in one transaction (a read-only catalog: nothing; a failed
 * write is dropped: it only costs the next estimate its accuracy), then
 * frees it. */
void rt_op_times_flush(rt_ctx *c, const cmp_explore *x, rt_op_times *t);

#endif
