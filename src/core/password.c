/* password.c: see password.h. The gate is a mutex + condition variable
 * rather than a POSIX semaphore so the wait can be bounded on the monotonic
 * clock (sem_timedwait takes wall-clock time, which jumps). */
#include "core/password.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
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
        gh_log_debug("password hashing concurrency=%u", gate.limit);
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
    int                  rc;

    *phc_out = NULL;
    if (gh_hash_gate_enter(g, GH_PASSWORD_WAIT_MS, err) == -1)
        return -1;
    rc = gh_password_hash(pw, len, phc_out, err);
    gh_hash_gate_leave(g);
    return rc;
}

int
gh_password_verify_bounded(const struct gh_app *app, const char *phc, const char *pw,
    size_t len, int *ok, int *needs_rehash, struct gh_err *err)
{
    struct gh_hash_gate *g = gh_password_gate(app);
    int                  rc;

    *ok = 0;
    if (needs_rehash != NULL)
        *needs_rehash = 0;
    if (gh_hash_gate_enter(g, GH_PASSWORD_WAIT_MS, err) == -1)
        return -1;
    rc = gh_password_verify(phc, pw, len, ok, needs_rehash, err);
    gh_hash_gate_leave(g);
    return rc;
}

void
gh_password_dummy_verify_bounded(const struct gh_app *app, const char *pw, size_t len)
{
    struct gh_hash_gate *g = gh_password_gate(app);
    struct gh_err        err = { 0 };

    if (gh_hash_gate_enter(g, GH_PASSWORD_WAIT_MS, &err) == -1)
        return;
    gh_password_dummy_verify(pw, len);
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
