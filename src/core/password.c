/* password.c: see password.h. The gate is a mutex + condition variable
 * rather than a POSIX semaphore so the wait can be bounded on the monotonic
 * clock (sem_timedwait takes wall-clock time, which jumps). A request that
 * holds a slot hands its hash to one of the low-priority hasher threads and
 * waits for it (see "hasher threads" below). */
#include "core/password.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/app.h"
#include "crypto/crypto.h"
#include "util/conf.h"
#include "util/log.h"

int
gh_hash_gate_init(struct gh_hash_gate *g, unsigned limit, struct gh_err *err)
{
    pthread_condattr_t ca;

    g->limit = limit > 0 ? limit : 1;
    g->in_use = 0;
    g->max_seen = 0;
    if (pthread_mutex_init(&g->mu, NULL) != 0)
        return GH_FAIL(err, GH_E_INTERNAL, NULL);
    if (pthread_condattr_init(&ca) != 0)
        goto fail_mu;
    if (pthread_condattr_setclock(&ca, CLOCK_MONOTONIC) != 0 ||
        pthread_cond_init(&g->cv, &ca) != 0)
        goto fail_ca;
    pthread_condattr_destroy(&ca);
    return 0;
fail_ca:
    pthread_condattr_destroy(&ca);
fail_mu:
    pthread_mutex_destroy(&g->mu);
    return GH_FAIL(err, GH_E_INTERNAL, NULL);
}

void
gh_hash_gate_clear(struct gh_hash_gate *g)
{
    pthread_cond_destroy(&g->cv);
    pthread_mutex_destroy(&g->mu);
}

int
gh_hash_gate_enter(struct gh_hash_gate *g, unsigned timeout_ms, struct gh_err *err)
{
    struct timespec dl;
    int             rc = 0;

    clock_gettime(CLOCK_MONOTONIC, &dl);
    dl.tv_sec += timeout_ms / 1000;
    dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&g->mu);
    while (g->in_use >= g->limit && rc != ETIMEDOUT)
        rc = pthread_cond_timedwait(&g->cv, &g->mu, &dl);
    if (g->in_use < g->limit) { /* a slot may free up exactly at the deadline */
        g->in_use++;
        if (g->in_use > g->max_seen)
            g->max_seen = g->in_use;
        rc = 0;
    }
    pthread_mutex_unlock(&g->mu);
    if (rc != 0)
        return GH_FAIL(err, GH_E_UNAVAILABLE, "Too many sign-ins in progress; try again");
    return 0;
}

void
gh_hash_gate_leave(struct gh_hash_gate *g)
{
    pthread_mutex_lock(&g->mu);
    if (g->in_use > 0)
        g->in_use--;
    pthread_cond_signal(&g->cv);
    pthread_mutex_unlock(&g->mu);
}

unsigned
gh_hash_gate_max_seen(struct gh_hash_gate *g)
{
    unsigned v;

    pthread_mutex_lock(&g->mu);
    v = g->max_seen;
    pthread_mutex_unlock(&g->mu);
    return v;
}

/* ---- hasher threads ---- */

/* Hashes run on `limit` threads of their own at nice GH_PASSWORD_NICE, not on
 * the request threads. A request thread (nice 0) woken for a token refresh
 * then preempts a hashing thread at once instead of waiting for its time
 * slice: with hashes at equal priority, a sign-in storm on 2 cores raised the
 * refresh p99 18× (issue 7, bench/run). When nothing else wants the CPU the
 * hashers get all of it, so sign-in throughput is unchanged. Lowering a
 * thread's priority needs no privilege. If the threads cannot start, hashes
 * run on the caller's thread as before. */

struct hash_job {
    int            (*run)(struct hash_job *j);
    const char      *pw;
    size_t           len;
    const char      *phc;
    char           **phc_out;
    int             *ok;
    int             *needs_rehash;
    struct gh_err   *err;   /* the caller's */
    int              rc;
    int              done;  /* under pool.mu */
    struct hash_job *next;
};

static struct {
    pthread_mutex_t  mu;
    pthread_cond_t   work; /* a job was queued */
    pthread_cond_t   done; /* a job finished */
    struct hash_job *head, *tail;
    unsigned         threads;
} pool = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
    NULL, NULL, 0 };

static void *
hasher_main(void *arg)
{
    (void)arg;
    /* this thread only (Linux: PRIO_PROCESS with 0 is the calling thread) */
    if (setpriority(PRIO_PROCESS, 0, GH_PASSWORD_NICE) == -1)
        gh_log_debug("hasher thread keeps its priority errno=%d", errno);
    pthread_mutex_lock(&pool.mu);
    for (;;) {
        struct hash_job *j;

        while (pool.head == NULL)
            pthread_cond_wait(&pool.work, &pool.mu);
        j = pool.head;
        pool.head = j->next;
        if (pool.head == NULL)
            pool.tail = NULL;
        pthread_mutex_unlock(&pool.mu);
        j->rc = j->run(j);
        pthread_mutex_lock(&pool.mu);
        j->done = 1;
        pthread_cond_broadcast(&pool.done);
    }
    return NULL; /* not reached: hashers live as long as the process */
}

static void
pool_start(unsigned n)
{
    pthread_attr_t at;

    if (pthread_attr_init(&at) != 0)
        return;
    pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
    for (unsigned i = 0; i < n; i++) {
        pthread_t t;

        if (pthread_create(&t, &at, hasher_main, NULL) != 0)
            break;
        pool.threads++;
    }
    pthread_attr_destroy(&at);
}

/* Runs j on a hasher thread and waits for it (the caller holds a gate slot,
 * so there are never more jobs than hashers). */
static int
pool_run(struct hash_job *j)
{
    if (pool.threads == 0)
        return j->run(j);
    j->done = 0;
    j->next = NULL;
    pthread_mutex_lock(&pool.mu);
    if (pool.tail != NULL)
        pool.tail->next = j;
    else
        pool.head = j;
    pool.tail = j;
    pthread_cond_signal(&pool.work);
    while (!j->done)
        pthread_cond_wait(&pool.done, &pool.mu);
    pthread_mutex_unlock(&pool.mu);
    return j->rc;
}

static int
run_hash(struct hash_job *j)
{
    return gh_password_hash(j->pw, j->len, j->phc_out, j->err);
}

static int
run_verify(struct hash_job *j)
{
    return gh_password_verify(j->phc, j->pw, j->len, j->ok, j->needs_rehash, j->err);
}

static int
run_dummy(struct hash_job *j)
{
    gh_password_dummy_verify(j->pw, j->len);
    return 0;
}

/* ---- the process-wide gate ---- */

static struct gh_hash_gate gate;
static atomic_int          gate_ready;
static pthread_mutex_t     gate_init_mu = PTHREAD_MUTEX_INITIALIZER;

static unsigned
default_limit(const struct gh_app *app)
{
    long cores;

    if (app != NULL && app->conf != NULL && app->conf->hash_concurrency > 0)
        return app->conf->hash_concurrency;
    cores = sysconf(_SC_NPROCESSORS_ONLN);
    return cores > 0 ? (unsigned)cores : 1;
}

struct gh_hash_gate *
gh_password_gate(const struct gh_app *app)
{
    struct gh_err err = { 0 };

    if (atomic_load_explicit(&gate_ready, memory_order_acquire))
        return &gate;
    pthread_mutex_lock(&gate_init_mu);
    if (!atomic_load_explicit(&gate_ready, memory_order_relaxed)) {
        if (gh_hash_gate_init(&gate, default_limit(app), &err) == -1) {
            gh_log_error("password gate init failed; aborting");
            abort();
        }
        pool_start(gate.limit);
        gh_log_debug("password hashing concurrency=%u hasher_threads=%u nice=%d", gate.limit,
            pool.threads, GH_PASSWORD_NICE);
        atomic_store_explicit(&gate_ready, 1, memory_order_release);
    }
    pthread_mutex_unlock(&gate_init_mu);
    return &gate;
}

int
gh_password_hash_bounded(const struct gh_app *app, const char *pw, size_t len,
    char **phc_out, struct gh_err *err)
{
    struct gh_hash_gate *g = gh_password_gate(app);
    struct hash_job      j = { .run = run_hash, .pw = pw, .len = len, .phc_out = phc_out,
             .err = err };
    int                  rc;

    *phc_out = NULL;
    if (gh_hash_gate_enter(g, GH_PASSWORD_WAIT_MS, err) == -1)
        return -1;
    rc = pool_run(&j);
    gh_hash_gate_leave(g);
    return rc;
}

int
gh_password_verify_bounded(const struct gh_app *app, const char *phc, const char *pw,
    size_t len, int *ok, int *needs_rehash, struct gh_err *err)
{
    struct gh_hash_gate *g = gh_password_gate(app);
    struct hash_job      j = { .run = run_verify, .pw = pw, .len = len, .phc = phc, .ok = ok,
             .needs_rehash = needs_rehash, .err = err };
    int                  rc;

    *ok = 0;
    if (needs_rehash != NULL)
        *needs_rehash = 0;
    if (gh_hash_gate_enter(g, GH_PASSWORD_WAIT_MS, err) == -1)
        return -1;
    rc = pool_run(&j);
    gh_hash_gate_leave(g);
    return rc;
}

void
gh_password_dummy_verify_bounded(const struct gh_app *app, const char *pw, size_t len)
{
    struct gh_hash_gate *g = gh_password_gate(app);
    struct gh_err        err = { 0 };
    struct hash_job      j = { .run = run_dummy, .pw = pw, .len = len, .err = &err };

    if (gh_hash_gate_enter(g, GH_PASSWORD_WAIT_MS, &err) == -1)
        return;
    pool_run(&j);
    gh_hash_gate_leave(g);
}

/* ---- password imports (issue 3) ---- */

int
gh_password_import(const char *hasher, const char *digest, char **phc_out,
    struct gh_err *err)
{
    *phc_out = NULL;
    if (hasher == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "password_hasher",
            "is required with password_digest");
    if (digest == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "password_digest",
            "is required with password_hasher");
    switch (gh_digest_check(hasher, digest)) {
    case GH_DIGEST_OK:
        break;
    case GH_DIGEST_UNKNOWN:
        return GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "password_hasher",
            "is not a supported password hasher");
    case GH_DIGEST_MALFORMED:
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "password_digest",
            "is not a valid digest for the given password_hasher");
    default:
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    if ((*phc_out = gh_digest_wrap(hasher, digest)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    return 0;
}
