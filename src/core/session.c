/* session.c: see session.h. Sessions are rows; their effective status is
 * computed on read (an active session past expire_at reads as "expired" and
 * is marked so lazily), so no sweeper is needed for correctness. It does not
 * mint tokens (token.c) or handle client cookies (the Frontend API). */
#include "core/session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/event.h"
#include "core/id.h"
#include "core/token.h"
#include "util/log.h"
#include "util/str.h"

static const char *const statuses[] = {
    "active", "revoked", "ended", "expired", "removed", "abandoned", "replaced", "pending", NULL,
};

int
gh_session_status_valid(const char *status)
{
    for (size_t i = 0; status != NULL && statuses[i] != NULL; i++)
        if (strcmp(status, statuses[i]) == 0)
            return 1;
    return 0;
}

int
gh_session_effective_status(struct gh_session *s, int64_t now)
{
    if (strcmp(s->status, "active") != 0 || s->expire_at == GH_TIME_NULL || s->expire_at > now)
        return 0;
    snprintf(s->status, sizeof(s->status), "expired");
    return 1;
}

/* Computes the effective status and, when it changed, writes it back. The
 * write is best effort: a failure leaves the row for the next reader. */
static void
settle_status(struct gh_app *app, const char *instance_id, struct gh_session *s)
{
    struct gh_err se = { 0 };
    int64_t       now = gh_now_ms();
    int           changed = 0;

    if (!gh_session_effective_status(s, now))
        return;
    if (gh_store_session_set_status(app->store, instance_id, s->id, "active", "expired", now,
            &changed, &se) == -1)
        gh_log_debug("lazy expiry of session %s failed: %s", s->id, se.desc);
}

/* The user must exist and be allowed to sign in. */
static int
check_user(struct gh_app *app, const char *instance_id, const char *user_id, struct gh_err *err)
{
    struct gh_user *u = NULL;
    struct gh_err   se = { 0 };
    int             rc = -1;

    if (!gh_id_valid("user", user_id))
        return GH_FAIL_PARAM(err, GH_E_NOT_FOUND, "user_id", "User not found");
    if (gh_store_user_get(app->store, instance_id, user_id, &u, &se) == -1) {
        if (se.code == GH_E_NOT_FOUND)
            return GH_FAIL_PARAM(err, GH_E_NOT_FOUND, "user_id", "User not found");
        *err = se;
        return -1;
    }
    if (u->banned)
        GH_FAIL_PARAM(err, GH_E_USER_LOCKED, "user_id", "User is banned.");
    else if (u->locked || (u->lockout_until != GH_TIME_NULL && u->lockout_until > gh_now_ms()))
        GH_FAIL_PARAM(err, GH_E_USER_LOCKED, "user_id", "Account is locked.");
    else
        rc = 0;
    gh_user_free(u);
    return rc;
}

/* A session row for user_id on client_id, active from now. */
static struct gh_session *
new_session(const char *user_id, const char *client_id, const char *active_org_id, int64_t now)
{
    struct gh_session *s = gh_session_new();

    if (s == NULL)
        return NULL;
    gh_id_new("sess", s->id);
    gh_strlcpy(s->user_id, user_id, sizeof(s->user_id));
    gh_strlcpy(s->client_id, client_id, sizeof(s->client_id));
    snprintf(s->status, sizeof(s->status), "active");
    if (active_org_id != NULL && (s->active_org_id = strdup(active_org_id)) == NULL) {
        gh_session_free(s);
        return NULL;
    }
    s->last_active_at = now;
    s->expire_at = now + GH_SESSION_LIFETIME_MS;
    s->abandon_at = now + GH_SESSION_ABANDON_MS;
    s->created_at = now;
    s->updated_at = now;
    return s;
}

int
gh_session_create(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *active_org_id, struct gh_session **out, struct gh_err *err)
{
    struct gh_client   c = { 0 };
    struct gh_session *s = NULL;
    int64_t            now = gh_now_ms();
    int                rc = -1, in_tx = 0;

    *out = NULL;
    if (check_user(app, instance_id, user_id, err) == -1)
        goto done;
    gh_id_new("client", c.id);
    c.created_at = c.updated_at = now; /* token_hash "": no cookie for a Backend API client */
    if ((s = new_session(user_id, c.id, active_org_id, now)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    if (gh_store_begin(app->store, err) == -1)
        goto done;
    in_tx = 1;
    if (gh_store_client_insert(app->store, instance_id, &c, err) == -1 ||
        gh_store_session_insert(app->store, instance_id, s, err) == -1 ||
        gh_event_emit_session(app, instance_id, "session.created", s->id, err) == -1 ||
        gh_store_commit(app->store, err) == -1) /* webhooks (issue 5): event above */
        goto done;
    in_tx = 0;
    gh_event_wake(app);
    gh_log_info("session created session_id=%s user_id=%s client_id=%s", s->id, user_id, c.id);
    *out = s;
    s = NULL;
    rc = 0;
done:
    if (in_tx)
        gh_store_rollback(app->store);
    gh_session_free(s);
    return rc;
}

int
gh_session_get(struct gh_app *app, const char *instance_id, const char *session_id,
    struct gh_session **out, struct gh_err *err)
{
    struct gh_err se = { 0 };

    *out = NULL;
    if (!gh_id_valid("sess", session_id))
        return GH_FAIL(err, GH_E_NOT_FOUND, "Session not found");
    if (gh_store_session_get(app->store, instance_id, session_id, out, &se) == -1) {
        *out = NULL;
        if (se.code == GH_E_NOT_FOUND)
            return GH_FAIL(err, GH_E_NOT_FOUND, "Session not found");
        *err = se;
        return -1;
    }
    settle_status(app, instance_id, *out);
    return 0;
}

int
gh_session_list(struct gh_app *app, const char *instance_id, const struct gh_session_filter *f,
    struct gh_session ***out, size_t *n, struct gh_err *err)
{
    struct gh_session **v = NULL;
    size_t              cnt = 0, kept = 0;

    *out = NULL;
    *n = 0;
    if (gh_store_session_list(app->store, instance_id, f, &v, &cnt, err) == -1)
        return -1;
    for (size_t i = 0; i < cnt; i++) {
        settle_status(app, instance_id, v[i]);
        if (f->status != NULL && strcmp(v[i]->status, f->status) != 0) {
            gh_session_free(v[i]); /* read as active, found expired */
            continue;
        }
        v[kept++] = v[i];
    }
    *out = v;
    *n = kept;
    return 0;
}

int
gh_session_count(struct gh_app *app, const char *instance_id, const struct gh_session_filter *f,
    int64_t *out, struct gh_err *err)
{
    return gh_store_session_count(app->store, instance_id, f, out, err);
}

int
gh_session_revoke(struct gh_app *app, const char *instance_id, const char *session_id,
    struct gh_session **out, struct gh_err *err)
{
    struct gh_session *s = NULL;
    int                changed = 0;

    *out = NULL;
    if (gh_session_get(app, instance_id, session_id, &s, err) == -1)
        return -1;
    if (strcmp(s->status, "active") == 0) {
        /* webhooks (issue 5): the change and session.revoked in one transaction */
        if (gh_store_begin(app->store, err) == -1 ||
            gh_store_session_set_status(app->store, instance_id, s->id, "active", "revoked",
                gh_now_ms(), &changed, err) == -1 ||
            (changed && gh_event_emit_session(app, instance_id, "session.revoked", s->id,
                            err) == -1) ||
            gh_store_commit(app->store, err) == -1) {
            gh_store_rollback(app->store);
            gh_session_free(s);
            return -1;
        }
        if (changed)
            gh_event_wake(app);
        gh_session_free(s);
        /* Re-read: the row now says revoked (or whatever a racing writer set). */
        if (gh_session_get(app, instance_id, session_id, &s, err) == -1)
            return -1;
        if (changed)
            gh_log_info("session revoked session_id=%s user_id=%s", s->id, s->user_id);
    }
    if (app->tokens != NULL)
        gh_token_cache_drop(app->tokens, session_id);
    *out = s;
    return 0;
}

/* ---- Frontend API (issue 4) ---- */

int
gh_session_create_on_client(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *client_id, const char *active_org_id, struct gh_session **out,
    struct gh_err *err)
{
    struct gh_session *s = NULL;
    int                owned = !gh_store_in_tx(app->store), ok;

    *out = NULL;
    if (check_user(app, instance_id, user_id, err) == -1)
        return -1;
    if ((s = new_session(user_id, client_id, active_org_id, gh_now_ms())) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    /* Joins the caller's transaction (sign-up creates the user in the same one). */
    if (owned && gh_store_begin(app->store, err) == -1) {
        gh_session_free(s);
        return -1;
    }
    ok = gh_store_session_insert(app->store, instance_id, s, err) == 0 &&
        gh_event_emit_session(app, instance_id, "session.created", s->id, err) == 0;
    if (owned && gh_event_tx_end(app, ok, err) == -1)
        ok = 0;
    if (!ok) {
        gh_session_free(s);
        return -1;
    }
    gh_log_info("session created session_id=%s user_id=%s client_id=%s", s->id, user_id,
        client_id);
    *out = s;
    return 0;
}

int
gh_session_finish(struct gh_app *app, const char *instance_id, const char *session_id,
    const char *to, struct gh_err *err)
{
    char type[32];
    int  changed = 0, owned = !gh_store_in_tx(app->store), ok;

    snprintf(type, sizeof(type), "session.%s", to); /* session.ended / session.removed */
    if (owned && gh_store_begin(app->store, err) == -1)
        return -1;
    ok = gh_store_session_set_status(app->store, instance_id, session_id, "active", to,
             gh_now_ms(), &changed, err) == 0 &&
        (!changed || gh_event_emit_session(app, instance_id, type, session_id, err) == 0);
    if (owned && gh_event_tx_end(app, ok, err) == -1)
        ok = 0;
    if (!ok)
        return -1;
    if (changed)
        gh_log_info("session %s session_id=%s", to, session_id);
    if (app->tokens != NULL)
        gh_token_cache_drop(app->tokens, session_id);
    return 0;
}
