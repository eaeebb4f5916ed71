/* password.h: argon2id hashing with bounded concurrency. Each hash costs
 * ~19 MiB and tens of milliseconds of CPU; without a bound, a storm of
 * sign-ins would take every worker thread's CPU and starve token refreshes.
 * A counting semaphore (the "gate") lets at most N hashes run at once
 * (conf->hash_concurrency, default the number of cores) and makes the rest
 * wait, for GH_PASSWORD_WAIT_MS at most; the hashes run on as many threads
 * of lower priority (GH_PASSWORD_NICE), so the request threads that serve
 * token refreshes preempt them. The hashing itself is crypto's
 * (crypto.h); password policy is user.c's. */
#ifndef GH_CORE_PASSWORD_H
#define GH_CORE_PASSWORD_H

#include <pthread.h>
#include <stddef.h>

#include "util/err.h"

struct gh_app;

#define GH_PASSWORD_WAIT_MS 10000 /* longest wait for a hashing slot */
#define GH_PASSWORD_NICE    10    /* hasher threads' nice value (issue 7: refresh latency) */

/* A counting semaphore with a timed wait. Caller storage; init/clear. */
struct gh_hash_gate {
    pthread_mutex_t mu;
    pthread_cond_t  cv;       /* CLOCK_MONOTONIC */
    unsigned        limit;    /* slots; ≥ 1 */
    unsigned        in_use;
    unsigned        max_seen; /* highest in_use ever observed (tests, metrics) */
};
int  gh_hash_gate_init(struct gh_hash_gate *g, unsigned limit, struct gh_err *err);
void gh_hash_gate_clear(struct gh_hash_gate *g);
/* Takes a slot, waiting up to timeout_ms. Timeout → GH_E_UNAVAILABLE (the
 * client may retry); the slot is not held then. */
int  gh_hash_gate_enter(struct gh_hash_gate *g, unsigned timeout_ms, struct gh_err *err);
void gh_hash_gate_leave(struct gh_hash_gate *g);
unsigned gh_hash_gate_max_seen(struct gh_hash_gate *g);

/* gh_password_hash / gh_password_verify / gh_password_dummy_verify through
 * the process-wide gate, sized on first use from app->conf->hash_concurrency
 * (0 or no conf → online cores). Same contracts as crypto.h, plus
 * GH_E_UNAVAILABLE when no slot frees up in time. app may be NULL. */
int gh_password_hash_bounded(const struct gh_app *app, const char *pw, size_t len,
    char **phc_out, struct gh_err *err);
int gh_password_verify_bounded(const struct gh_app *app, const char *phc, const char *pw,
    size_t len, int *ok, int *needs_rehash, struct gh_err *err);
/* Burns a verify's time for an unknown identifier. It queues like a real
 * verify so that, under load, an unknown identifier is not answered faster
 * (that difference would reveal which accounts exist). */
void gh_password_dummy_verify_bounded(const struct gh_app *app, const char *pw, size_t len);
/* Password imports (issue 3): checks an imported digest against the format
 * Clerk documents for `hasher` and makes its stored form (*phc_out malloc'd,
 * verified by gh_password_verify_bounded and rehashed to argon2id on the
 * first success). Unknown or missing hasher → GH_E_PARAM_VALUE_INVALID /
 * GH_E_PARAM_MISSING naming password_hasher; malformed or missing digest →
 * GH_E_PARAM_INVALID / GH_E_PARAM_MISSING naming password_digest. */
int gh_password_import(const char *hasher, const char *digest, char **phc_out,
    struct gh_err *err);

/* The process-wide gate (created on first use). */
struct gh_hash_gate *gh_password_gate(const struct gh_app *app);

#endif
