/* lockout.c: see lockout.h. The counting itself is one statement in the
 * store (store_abuse.c); this file decides the limit and duration, words
 * the refusal as Clerk does, and logs lockouts (user ids only, never the
 * credential). */
#include "core/lockout.h"

#include <stdio.h>
#include <string.h>

#include "core/app.h"
#include "store/store.h"
#include "util/log.h"
#include "util/str.h"

#define DEFAULT_ATTEMPTS 10 /* conf.c's default, for apps without a conf (tests) */
#define DEFAULT_SECONDS 3600

static int
limit_of(const struct gh_app *app)
{
    if (app == NULL || app->conf == NULL)
        return DEFAULT_ATTEMPTS;
    return app->conf->lockout_attempts > 0 ? (int)app->conf->lockout_attempts : INT32_MAX;
}

static int64_t
duration_ms(const struct gh_app *app)
{
    unsigned s = app != NULL && app->conf != NULL ? app->conf->lockout_seconds : 0;

    return (int64_t)(s > 0 ? s : DEFAULT_SECONDS) * 1000;
}

static int
store_fail(struct gh_err *se, struct gh_err *err)
{
    if (se->code == GH_E_NOT_FOUND)
        return GH_FAIL(err, GH_E_NOT_FOUND, "User not found");
    if (err != NULL && err->code == GH_E_OK)
        *err = *se;
    return -1;
}

/* The refusal for a user the reservation found locked: how long is left
 * comes from one read (only on this path). */
static int
locked_fail(struct gh_app *app, const char *instance_id, const char *user_id, struct gh_err *err)
{
    struct gh_lockout_view v;
    struct gh_user        *u = NULL;
    struct gh_err          se = {0};

    if (gh_store_user_get(app->store, instance_id, user_id, &u, &se) == -1)
        return store_fail(&se, err);
    gh_user_lockout_view(app, u, gh_now_ms(), &v);
    gh_user_free(u);
    if (v.expires_in_s <= 0) {
        GH_FAIL(err, GH_E_USER_LOCKED, "Account locked");
        if (err != NULL)
            snprintf(err->long_msg, sizeof(err->long_msg),
                     "Your account is locked. For more information, please contact support.");
        return -1;
    }
    GH_FAIL(err, GH_E_USER_LOCKED, "Account locked");
    if (err != NULL) {
        err->lockout_s = v.expires_in_s;
        snprintf(err->long_msg, sizeof(err->long_msg),
                 "Your account is locked. You will be able to try again in %lld minutes. For more "
                 "information, please contact support.",
                 (long long)((v.expires_in_s + 59) / 60));
    }
    return -1;
}

int
gh_user_attempt_check(struct gh_app *app, const char *instance_id, const char *user_id,
                      struct gh_attempt *a, struct gh_err *err)
{
    struct gh_err se = {0};
    int64_t       now = gh_now_ms();
    int           reserved = 0, n = 0;

    memset(a, 0, sizeof(*a));
    a->limit = limit_of(app);
    if (gh_strlcpy(a->instance_id, instance_id, sizeof(a->instance_id)) == -1 ||
        gh_strlcpy(a->user_id, user_id, sizeof(a->user_id)) == -1)
        return GH_FAIL(err, GH_E_NOT_FOUND, "User not found");
    if (gh_store_user_attempt_reserve(app->store, instance_id, user_id, a->limit, now,
                                      now + duration_ms(app), &reserved, &n, &se) == -1)
        return store_fail(&se, err);
    if (!reserved)
        return locked_fail(app, instance_id, user_id, err);
    a->number = n;
    a->reserved = 1;
    return 0;
}

void
gh_user_attempt_record(struct gh_app *app, struct gh_attempt *a, enum gh_attempt_result result)
{
    struct gh_err se = {0};
    int           rc = 0;

    if (!a->reserved)
        return;
    a->reserved = 0;
    switch (result) {
    case GH_ATTEMPT_OK:
        /* the reservation counted this attempt too: always back to zero */
        rc = gh_store_user_attempt_reset(app->store, a->instance_id, a->user_id, &se);
        break;
    case GH_ATTEMPT_FAILED:
        if (a->number >= a->limit)
            gh_log_warn("user locked out user_id=%s after %d failed verifications for %lld s",
                        a->user_id, a->number, (long long)(duration_ms(app) / 1000));
        break;
    case GH_ATTEMPT_NOT_RUN:
        rc = gh_store_user_attempt_refund(app->store, a->instance_id, a->user_id, a->limit, &se);
        break;
    }
    if (rc == -1)
        gh_log_warn("lockout counter update failed user_id=%s code=%s", a->user_id,
                    gh_err_name(se.code));
}

void
gh_user_lockout_view(const struct gh_app *app, const struct gh_user *u, int64_t now_ms,
                     struct gh_lockout_view *out)
{
    int limit = limit_of(app);
    int running = u->lockout_until != GH_TIME_NULL && u->lockout_until > now_ms;

    out->locked = u->locked || running;
    out->expires_in_s = running ? (u->lockout_until - now_ms + 999) / 1000 : -1;
    if (limit == INT32_MAX)
        out->attempts_remaining = -1;
    else if (u->lockout_until != GH_TIME_NULL && !running)
        out->attempts_remaining = limit; /* the lockout ran out: the next attempt starts over */
    else
        out->attempts_remaining = u->failed_attempts < limit ? limit - u->failed_attempts : 0;
}
