/* parts.h — a fit split into independent parts, run by its own thread and
 * by fit workers that have nothing else to do (sharing rule 5).
 *
 * A fit window gives every worker one job at a time; when one job is much
 * longer than the rest (knn's neighbour search on a large table) the
 * workers that finish early would idle while BLAS runs with one thread.
 * Such a job publishes its parts here, and rt_parts_help lets an idle
 * worker take parts of it.  Threads never exceed the window's workers, so
 * the cores are not oversubscribed.  Which thread runs a part must not
 * change its result: parts write disjoint outputs, computed the same way
 * wherever they run. */
#ifndef RT_PARTS_H
#define RT_PARTS_H

/* One part: 0 done, -1 failed (out of memory); arg is the caller's. */
typedef int (*rt_part_fn)(void *arg, int part);

/* Runs fn(arg, 0..nparts-1), each part once, on this thread and on any
 * worker calling rt_parts_help meanwhile; returns when every part is done:
 * 0, or -1 when some part failed (the others still ran). */
int rt_parts_run(rt_part_fn fn, void *arg, int nparts);

/* For a worker with no job of its own: runs parts of published work, or
 * waits up to `ms` milliseconds for some to be published.  Returns 1 when
 * it ran a part, 0 otherwise. */
int rt_parts_help(int ms);

#endif
