/* parts.c — the board of published parts (parts.h).  One process-wide
 * list under one mutex; a part is claimed by taking the next index. */
#include "parts.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

typedef struct work {
    rt_part_fn fn;
    void *arg;
    int nparts, next;   /* parts 0..next-1 are claimed */
    int running;        /* claimed and not finished */
    int failed;
    struct work *link;
} work;

static pthread_mutex_t board_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t board_cv = PTHREAD_COND_INITIALIZER;   /* published, or a part finished */
static work *board;

/* Claims a part of w (board_mu held): its index, or -1. */
static int claim(work *w)
{
    if (w->next >= w->nparts) return -1;
    w->running++;
    return w->next++;
}

/* Runs part i of w outside the lock, then accounts for it. */
static void run_part(work *w, int i)
{
    int rc = w->fn(w->arg, i);
    pthread_mutex_lock(&board_mu);
    if (rc) w->failed = 1;
    w->running--;
    pthread_cond_broadcast(&board_cv);
    pthread_mutex_unlock(&board_mu);
}

int rt_parts_run(rt_part_fn fn, void *arg, int nparts)
{
    work w = {fn, arg, nparts, 0, 0, 0, NULL};
    pthread_mutex_lock(&board_mu);
    w.link = board;
    board = &w;
    pthread_cond_broadcast(&board_cv);
    for (;;) {
        int i = claim(&w);
        if (i < 0) break;
        pthread_mutex_unlock(&board_mu);
        run_part(&w, i);
        pthread_mutex_lock(&board_mu);
    }
    /* every part claimed: unpublish, then wait for the helpers' parts */
    for (work **pp = &board; *pp; pp = &(*pp)->link)
        if (*pp == &w) {
            *pp = w.link;
            break;
        }
    while (w.running > 0) pthread_cond_wait(&board_cv, &board_mu);
    pthread_mutex_unlock(&board_mu);
    return w.failed ? -1 : 0;
}

int rt_parts_help(int ms)
{
    pthread_mutex_lock(&board_mu);
    work *w = NULL;
    int i = -1;
    for (work *v = board; v && i < 0; v = v->link)
        if ((i = claim(v)) >= 0) w = v;
    if (i < 0 && ms > 0) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)ms * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        int rc = 0;
        while (i < 0 && rc != ETIMEDOUT) {
            rc = pthread_cond_timedwait(&board_cv, &board_mu, &until);
            for (work *v = board; v && i < 0; v = v->link)
                if ((i = claim(v)) >= 0) w = v;
        }
    }
    pthread_mutex_unlock(&board_mu);
    if (i < 0) return 0;
    run_part(w, i);
    return 1;
}
