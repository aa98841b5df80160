/* scratch.c — per-thread work buffers (scratch.h). */
#include "scratch.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct {
    double *d[RT_SCRATCH__COUNT];
    size_t cap[RT_SCRATCH__COUNT];
} scratch_set;

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int key_ok;

static void set_free(void *p)
{
    scratch_set *s = p;
    for (int i = 0; s && i < RT_SCRATCH__COUNT; i++)
        free(s->d[i]);
    free(s);
}

static void key_init(void) { key_ok = pthread_key_create(&key, set_free) == 0; }

double *rt_scratch(rt_scratch_slot slot, size_t n)
{
    if ((unsigned)slot >= RT_SCRATCH__COUNT) return NULL;
    pthread_once(&once, key_init);
    if (!key_ok) return NULL;
    scratch_set *s = pthread_getspecific(key);
    if (!s) {
        if (!(s = calloc(1, sizeof *s))) return NULL;
        if (pthread_setspecific(key, s)) {
            free(s);
            return NULL;
        }
    }
    if (s->cap[slot] < n || !s->d[slot]) {
        /* grown, never shrunk: a thread's buffer is as large as its
         * largest call; the contents need not survive */
        double *d = malloc((n ? n : 1) * sizeof *d);
        if (!d) return NULL;
        free(s->d[slot]);
        s->d[slot] = d;
        s->cap[slot] = n;
    }
    return s->d[slot];
}
