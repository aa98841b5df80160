/* scratch.h — per-thread work buffers kept between calls.
 *
 * A fit's large temporary (knn's distance tile, Newton's Hessian and row
 * blocks) is above malloc's mmap threshold (mlg_open fixes it at 128 KB),
 * so a fresh one per call comes as new zeroed pages, faulted in on first
 * touch — on a virtual machine ~8 us a page, which made the naive plan's
 * hundreds of small fits spend as much system time as arithmetic.  Each
 * thread keeps one buffer per slot instead, grown as needed.
 *
 * Memory: the buffers are the thread's: valid until its next call for the
 * same slot, freed when the thread ends (a key destructor); the process's
 * first thread keeps its own until exit.  A caller must not hold a slot
 * across a call that may use the same slot on the same thread. */
#ifndef RT_SCRATCH_H
#define RT_SCRATCH_H

#include <stddef.h>

typedef enum {
    RT_SCRATCH_KNN_TILE,   /* fam_knn.c: one tile of distances           */
    RT_SCRATCH_NEWTON,     /* fam_logreg.c: Newton's Hessian and blocks   */
    RT_SCRATCH_LBFGS,      /* fam_logreg.c: L-BFGS pairs and the batch's products,
                              up to rt_lbfgs_scratch_max */
    RT_SCRATCH__COUNT
} rt_scratch_slot;

/* Room for n doubles in this thread's buffer for `slot` (contents
 * undefined); NULL when out of memory. */
double *rt_scratch(rt_scratch_slot slot, size_t n);

#endif
