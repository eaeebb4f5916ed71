/* ratelimit.h (issue 6): fixed-window rate limits by class and key, with
 * Clerk's figures as defaults (conf.c): per client IP 5 sign-in and 5
 * sign-up creations and 3 code/password attempts per 10 s (the Frontend API
 * calls these), and 1000 Backend API requests per 10 s per instance (the
 * backend listener calls this one on every authenticated request). A window
 * opens at a key's first hit and lasts the class's window_s; hit n + 1
 * within it is refused with the seconds until it ends.
 *
 * Where counts live: with a shared store (PostgreSQL, several servers on
 * one database) in the rate_limits table, so every server sees the same
 * count; to keep that off the hot path a server takes max(1, n / 50) hits
 * at a time from the table and serves them locally (the per-IP classes,
 * n ≤ 50, therefore count every hit in the table, exactly; the Backend API
 * class costs one round trip per 20 requests). Without one (SQLite, a single
 * server) counts live in this process only: a bounded set-associative table,
 * no database work at all. No HTTP, SQL or library types here. */
#ifndef GH_CORE_RATELIMIT_H
#define GH_CORE_RATELIMIT_H

#include "util/conf.h"
#include "util/err.h"

struct gh_app;
struct gh_store;
struct gh_ratelimit;

enum gh_rl_class {
    GH_RL_SIGN_IN = 0, /* key: client IP; POST /v1/client/sign_ins */
    GH_RL_SIGN_UP,     /* key: client IP; POST /v1/client/sign_ups */
    GH_RL_ATTEMPT,     /* key: client IP; attempt_first/second_factor, verifications */
    GH_RL_BACKEND,     /* key: "" (the instance); every Backend API request */
    GH_RL__COUNT
};

/* "sign_in", "sign_up", "attempt", "backend". */
const char *gh_ratelimit_class_name(enum gh_rl_class cls);

/* Limits from conf (rl_sign_in, rl_sign_up, rl_attempt, rl_backend; read
 * once). shared non-NULL: count in that store (borrowed; must outlive the
 * limiter); NULL: in this process. *out: free with gh_ratelimit_free. */
int gh_ratelimit_new(const struct gh_conf *conf, struct gh_store *shared, struct gh_ratelimit **out,
                     struct gh_err *err);
void gh_ratelimit_free(struct gh_ratelimit *rl); /* NULL ok */

/* Counts one hit of `key` in `cls` for the instance. 0: allowed. Over the
 * limit: -1 with GH_E_TOO_MANY_REQUESTS, and *retry_after_s (may be NULL)
 * and err->retry_after_s = whole seconds until the window ends (≥ 1). A key
 * that is an IPv6 address counts for its /64 (one host owns the whole
 * prefix). A class whose limit is 0, or an app without a limiter (unit
 * tests), limits nothing. Shared-store failures are returned as they are
 * (GH_E_UNAVAILABLE → 503): the request fails closed. */
int gh_ratelimit_hit(struct gh_app *app, const char *instance_id, enum gh_rl_class cls,
                     const char *key, unsigned *retry_after_s, struct gh_err *err);
/* The same on a limiter directly (tests, and callers without an app). */
int gh_ratelimit_hit_rl(struct gh_ratelimit *rl, const char *instance_id, enum gh_rl_class cls,
                        const char *key, unsigned *retry_after_s, struct gh_err *err);

#endif
