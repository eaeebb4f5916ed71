/* worker.c: see worker.h. Each thread loops: claim a batch of due deliveries
 * (leased for GH_WORKER_LEASE_MS), send each one, record the attempt, and
 * sleep on a condition variable (woken by new outbox rows, or after the poll
 * interval) when there was nothing to do. */
#include "jobs/worker.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "jobs/webhook.h"
#include "store/store.h"
#include "util/log.h"
#include "util/str.h"

struct gh_worker {
    struct gh_worker_conf conf;
    pthread_mutex_t       mu;
    pthread_cond_t        cv;
    int                   stop;
    unsigned              wakes;  /* bumped by gh_worker_wake; guarded by mu */
    size_t                nthreads;
    pthread_t             threads[GH_WORKER_THREADS_MAX];
    char                  who[64]; /* lease owner prefix: host pid */
};

/* Opens the endpoint's signing secrets: the current one, then the previous
 * one while its overlap lasts. -1 when one cannot be opened. */
static int
open_secrets(const struct gh_worker *w, const struct gh_webhook_job *j, int64_t now,
    char *secrets[2], size_t *n, struct gh_err *err)
{
    *n = 0;
    secrets[0] = secrets[1] = NULL;
    if (gh_master_open(w->conf.master, j->ep.secret_sealed, j->ep.secret_sealed_len,
            &secrets[0], err) == -1)
        return -1;
    *n = 1;
    if (j->ep.prev_sealed != NULL && j->ep.prev_expires_at != GH_TIME_NULL &&
        j->ep.prev_expires_at > now) {
        if (gh_master_open(w->conf.master, j->ep.prev_sealed, j->ep.prev_sealed_len,
                &secrets[1], err) == -1)
            return -1;
        *n = 2;
    }
    return 0;
}

/* What to record after the attempt. */
static void
judge(const struct gh_worker *w, const struct gh_webhook_job *j,
    const struct gh_delivery_result *res, int64_t now, struct gh_webhook_outcome *o)
{
    int64_t next = gh_webhook_next_attempt_ms(j->attempts + 1, now, w->conf.time_scale);

    o->success = res->success;
    o->http_status = (int)res->status;
    o->error = res->success ? NULL : res->error;
    o->duration_ms = res->duration_ms;
    o->at = now;
    o->disable_reason = NULL;
    if (res->success) {
        o->status = "succeeded";
        o->next_attempt_at = now;
        return;
    }
    if (res->retry_after_s > 0 && next != -1 && next < now + res->retry_after_s * 1000)
        next = now + (res->retry_after_s > 3600 ? 3600 : res->retry_after_s) * 1000;
    o->status = next == -1 ? "exhausted" : "pending";
    o->next_attempt_at = next == -1 ? now : next;
    if (res->gone)
        o->disable_reason = "gone";
    else if (gh_webhook_endpoint_should_disable(
                 j->ep.first_failure_at != GH_TIME_NULL ? j->ep.first_failure_at : now, now,
                 w->conf.time_scale))
        o->disable_reason = "failing";
}

/* One attempt of one claimed delivery, recorded. Lowers *soonest to the
 * retry time it scheduled, if any. */
static void
deliver_one(struct gh_worker *w, int64_t seq, int64_t *soonest)
{
    struct gh_webhook_job     j;
    struct gh_delivery_result res;
    struct gh_webhook_outcome o = { .job = &j };
    struct gh_err             err = { 0 }, derr = { 0 };
    char                     *secrets[2] = { NULL, NULL };
    size_t                    ns = 0;

    if (gh_store_webhook_job_load(w->conf.store, seq, &j, &err) == -1) {
        gh_log_warn("webhook delivery %lld: cannot load: %s", (long long)seq, err.desc);
        return;
    }
    memset(&res, 0, sizeof(res));
    if (open_secrets(w, &j, gh_now_ms(), secrets, &ns, &err) == -1) {
        snprintf(res.error, sizeof(res.error), "cannot open the endpoint secret");
    } else {
        struct gh_delivery_req req = {
            .url = j.ep.url, .msg_id = j.message_id, .timestamp = 0,
            .secrets = (const char *const *)secrets, .nsecrets = ns, .body = j.payload,
            .body_len = j.payload_len, .policy = &w->conf.policy,
        };
        gh_webhook_deliver(&req, &res, &derr);
    }
    judge(w, &j, &res, gh_now_ms(), &o);
    if (strcmp(o.status, "pending") == 0 && o.next_attempt_at < *soonest)
        *soonest = o.next_attempt_at;
    if (gh_store_webhook_attempt_record(w->conf.store, &o, &err) == -1)
        gh_log_warn("webhook delivery %lld: cannot record the attempt: %s", (long long)seq,
            err.desc);
    gh_log_info("webhook attempt msg_id=%s endpoint_id=%s attempt=%d status=%ld result=%s%s%s",
        j.message_id, j.ep.id, j.attempts + 1, res.status, o.status,
        o.disable_reason != NULL ? " disabled=" : "",
        o.disable_reason != NULL ? o.disable_reason : "");
    gh_secret_free(secrets[0]);
    gh_secret_free(secrets[1]);
    gh_webhook_job_clear(&j);
}

/* Claims and sends one batch; returns how many were claimed (-1 on error). */
static int
run_batch(struct gh_worker *w, const char *who, int64_t *soonest)
{
    int64_t      *seqs = NULL;
    size_t        n = 0;
    struct gh_err err = { 0 };

    if (gh_store_webhook_claim(w->conf.store, who, gh_now_ms(), GH_WORKER_LEASE_MS,
            GH_WORKER_BATCH, &seqs, &n, &err) == -1) {
        gh_log_warn("webhook worker: claim failed: %s", err.desc);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        deliver_one(w, seqs[i], soonest);
    free(seqs);
    return (int)n;
}

/* Sleeps until woken, stopped, poll_ms passed, or `soonest` (a retry this
 * thread scheduled) is due. */
static void
idle(struct gh_worker *w, unsigned *seen, int64_t soonest)
{
    struct timespec ts;
    int64_t         ms = w->conf.poll_ms > 0 ? w->conf.poll_ms : GH_WORKER_POLL_MS;
    int64_t         until = soonest - gh_now_ms();

    if (until < ms)
        ms = until > 1 ? until : 1;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&w->mu);
    while (!w->stop && w->wakes == *seen)
        if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) != 0)
            break;
    *seen = w->wakes;
    pthread_mutex_unlock(&w->mu);
}

static void *
thread_main(void *arg)
{
    struct gh_worker *w = arg;
    char              who[96];
    unsigned          seen = 0;
    int64_t           soonest = INT64_MAX;
    int               stop, got;

    snprintf(who, sizeof(who), "%s/%lu", w->who, (unsigned long)pthread_self());
    for (;;) {
        pthread_mutex_lock(&w->mu);
        stop = w->stop;
        seen = w->wakes;
        pthread_mutex_unlock(&w->mu);
        if (stop)
            break;
        if ((got = run_batch(w, who, &soonest)) <= 0) {
            idle(w, &seen, soonest);
            if (soonest <= gh_now_ms())
                soonest = INT64_MAX;
        }
    }
    gh_store_thread_done(w->conf.store);
    return NULL;
}

void
gh_worker_wake(void *arg)
{
    struct gh_worker *w = arg;

    if (w == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    w->wakes++;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

int
gh_worker_start(const struct gh_worker_conf *conf, struct gh_worker **out, struct gh_err *err)
{
    struct gh_worker *w;
    char              host[48] = "host";

    *out = NULL;
    if (conf->nthreads < 1 || conf->nthreads > GH_WORKER_THREADS_MAX)
        return GH_FAIL(err, GH_E_INTERNAL, "bad webhook worker count");
    if (gh_webhook_global_init(err) == -1)
        return -1;
    if ((w = calloc(1, sizeof(*w))) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    w->conf = *conf;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    gethostname(host, sizeof(host) - 1);
    snprintf(w->who, sizeof(w->who), "%s/%ld", host, (long)getpid());
    for (; w->nthreads < (size_t)conf->nthreads; w->nthreads++)
        if (pthread_create(&w->threads[w->nthreads], NULL, thread_main, w) != 0) {
            gh_worker_stop(w);
            return GH_FAIL(err, GH_E_INTERNAL, "cannot start webhook workers");
        }
    gh_log_info("webhook workers started threads=%d time_scale=%g", conf->nthreads,
        conf->time_scale);
    *out = w;
    return 0;
}

void
gh_worker_stop(struct gh_worker *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    for (size_t i = 0; i < w->nthreads; i++)
        pthread_join(w->threads[i], NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}
