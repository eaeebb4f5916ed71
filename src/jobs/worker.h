/* worker.h: the webhook delivery workers: threads in the server process that
 * claim due deliveries from the outbox (store.h), sign them with the
 * endpoint's secret(s) and POST them (webhook.h), then record the attempt and
 * schedule the next one. They use the store and the master key only (never
 * core or api). At-least-once: a delivery is leased while in flight, and a
 * crashed worker's lease expires so another one sends it again. */
#ifndef GH_JOBS_WORKER_H
#define GH_JOBS_WORKER_H

#include <stdint.h>

#include "jobs/ssrf.h"
#include "util/err.h"

struct gh_store;
struct gh_master_key;
struct gh_worker;

#define GH_WORKER_THREADS_MAX 32
#define GH_WORKER_LEASE_MS    60000 /* > the 15 s attempt timeout, with room */
#define GH_WORKER_POLL_MS     1000  /* also sees other instances' rows */
#define GH_WORKER_BATCH       8

struct gh_worker_conf {
    struct gh_store            *store;      /* borrowed; outlives the worker */
    const struct gh_master_key *master;     /* borrowed: unseals endpoint secrets */
    int                         nthreads;   /* 1..GH_WORKER_THREADS_MAX */
    double                      time_scale; /* multiplies retry delays (tests: 0.001) */
    int64_t                     poll_ms;    /* 0 → GH_WORKER_POLL_MS */
    struct gh_ssrf_policy       policy;     /* copied; policy.allow borrowed */
};

/* Starts the threads. *out freed by gh_worker_stop. */
int gh_worker_start(const struct gh_worker_conf *conf, struct gh_worker **out,
    struct gh_err *err);
/* Wakes idle threads at once (new outbox rows). arg is the struct gh_worker *;
 * safe from any thread; NULL is a no-op. Matches gh_event_wake_fn. */
void gh_worker_wake(void *arg);
/* Asks the threads to stop, waits for in-flight attempts (≤ the attempt
 * timeout) and frees. NULL is a no-op. */
void gh_worker_stop(struct gh_worker *w);

#endif
