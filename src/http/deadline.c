/* deadline.c: see deadline.h. The connection list is guarded by one mutex
 * that the reaper holds while it calls shutdown(), and libmicrohttpd
 * reports a connection closed before it closes its socket, so the reaper
 * never touches a descriptor that was closed or reused. Phase changes on
 * the request path are two atomic stores, no lock. */
#include "http/deadline.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "util/log.h"
#include "util/str.h"

#define REAP_EVERY_MS 250

struct gh_http_conn {
    int                  fd;
    _Atomic int          phase;    /* enum gh_http_phase */
    _Atomic uint64_t     since_ns; /* monotonic, when the phase began */
    int                  cut;      /* shutdown already sent (reaper only) */
    struct gh_http_conn *prev, *next;
};

struct gh_http_deadlines {
    uint64_t             limit_ns[4]; /* per phase; 0 = none */
    pthread_mutex_t      mu;          /* guards the list and stop */
    pthread_cond_t       cv;          /* CLOCK_MONOTONIC; wakes the reaper to stop */
    struct gh_http_conn *head;
    int                  stop;
    pthread_t            thread;
    _Atomic uint64_t     cut;
};

static void
reap(struct gh_http_deadlines *d, uint64_t now)
{
    for (struct gh_http_conn *c = d->head; c != NULL; c = c->next) {
        int      ph = atomic_load(&c->phase);
        uint64_t lim = d->limit_ns[ph & 3];

        if (c->cut || lim == 0 || now - atomic_load(&c->since_ns) <= lim)
            continue;
        /* Ends the stream both ways; libmicrohttpd's next read sees it and
         * closes the connection (the descriptor stays theirs). */
        shutdown(c->fd, SHUT_RDWR);
        c->cut = 1;
        atomic_fetch_add(&d->cut, 1);
        gh_log_debug("slow client cut fd=%d phase=%d", c->fd, ph);
    }
}

static void *
reaper_main(void *arg)
{
    struct gh_http_deadlines *d = arg;
    struct timespec           ts;

    pthread_mutex_lock(&d->mu);
    while (!d->stop) {
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += REAP_EVERY_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&d->cv, &d->mu, &ts);
        if (!d->stop)
            reap(d, gh_mono_ns());
    }
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

int
gh_http_deadlines_start(unsigned header_s, unsigned body_s, unsigned idle_s,
                        struct gh_http_deadlines **out, struct gh_err *err)
{
    struct gh_http_deadlines *d = calloc(1, sizeof(*d));
    pthread_condattr_t        ca;

    *out = NULL;
    if (d == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    d->limit_ns[GH_HTTP_PHASE_HEADERS] = (uint64_t)header_s * 1000000000ULL;
    d->limit_ns[GH_HTTP_PHASE_NEXT] = (uint64_t)(header_s + idle_s) * 1000000000ULL;
    d->limit_ns[GH_HTTP_PHASE_BODY] = (uint64_t)body_s * 1000000000ULL;
    pthread_mutex_init(&d->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&d->cv, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&d->thread, NULL, reaper_main, d) != 0) {
        pthread_cond_destroy(&d->cv);
        pthread_mutex_destroy(&d->mu);
        free(d);
        return GH_FAIL(err, GH_E_INTERNAL, "cannot start the slow-client reaper");
    }
    *out = d;
    return 0;
}

void
gh_http_deadlines_stop(struct gh_http_deadlines *d)
{
    struct gh_http_conn *c, *next;

    if (d == NULL)
        return;
    pthread_mutex_lock(&d->mu);
    d->stop = 1;
    pthread_cond_signal(&d->cv);
    pthread_mutex_unlock(&d->mu);
    pthread_join(d->thread, NULL);
    for (c = d->head; c != NULL; c = next) { /* daemons are gone: nobody else holds these */
        next = c->next;
        free(c);
    }
    pthread_cond_destroy(&d->cv);
    pthread_mutex_destroy(&d->mu);
    free(d);
}

struct gh_http_conn *
gh_http_deadline_open(struct gh_http_deadlines *d, int fd)
{
    struct gh_http_conn *c;

    if (d == NULL || (c = calloc(1, sizeof(*c))) == NULL)
        return NULL;
    c->fd = fd;
    atomic_store(&c->phase, GH_HTTP_PHASE_HEADERS);
    atomic_store(&c->since_ns, gh_mono_ns());
    pthread_mutex_lock(&d->mu);
    c->next = d->head;
    if (d->head != NULL)
        d->head->prev = c;
    d->head = c;
    pthread_mutex_unlock(&d->mu);
    return c;
}

void
gh_http_deadline_close(struct gh_http_deadlines *d, struct gh_http_conn *c)
{
    if (d == NULL || c == NULL)
        return;
    pthread_mutex_lock(&d->mu);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        d->head = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&d->mu);
    free(c);
}

void
gh_http_deadline_phase(struct gh_http_conn *c, enum gh_http_phase phase)
{
    if (c == NULL)
        return;
    atomic_store(&c->since_ns, gh_mono_ns());
    atomic_store(&c->phase, (int)phase);
}

uint64_t
gh_http_deadlines_cut(const struct gh_http_deadlines *d)
{
    return d != NULL ? atomic_load(&((struct gh_http_deadlines *)d)->cut) : 0;
}
