/* session.h: session rules shared by the Backend API and (later) the Frontend
 * API: creating a session for a user, reading one with its effective status,
 * listing and revoking. Records are store records (records.h) that the caller
 * frees with gh_session_free / gh_sessions_free. Token minting is token.h's. */
#ifndef GH_CORE_SESSION_H
#define GH_CORE_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "store/records.h"
#include "store/store.h"
#include "util/err.h"

struct gh_app;

#define GH_SESSION_LIFETIME_MS (7LL * 24 * 3600 * 1000)  /* expire_at = created + 7 days */
#define GH_SESSION_ABANDON_MS  (30LL * 24 * 3600 * 1000) /* abandon_at = created + 30 days */

/* Creates a client ("client_…", no cookie token: Backend API clients have
 * none) and an active session on it for user_id, with active_org_id (NULL for
 * none) as its active organization. Unknown user → GH_E_NOT_FOUND naming
 * user_id; banned or locked user → GH_E_USER_LOCKED (403 user_locked).
 * *out: the stored session (caller frees). */
int gh_session_create(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *active_org_id, struct gh_session **out, struct gh_err *err);

/* Reads a session; status reads "expired" once expire_at has passed (and the
 * row is updated lazily). Unknown or malformed id → GH_E_NOT_FOUND "Session
 * not found". *out NULL on failure. */
int gh_session_get(struct gh_app *app, const char *instance_id, const char *session_id,
    struct gh_session **out, struct gh_err *err);

/* Lists sessions (newest first) with effective statuses. A filter on status
 * leaves out sessions whose effective status differs (an "active" row past
 * its expiry). *out: array of *n sessions (free with gh_sessions_free). */
int gh_session_list(struct gh_app *app, const char *instance_id,
    const struct gh_session_filter *f, struct gh_session ***out, size_t *n, struct gh_err *err);
/* XXX: counts stored statuses, so an expired session not yet read counts as
 * active until something reads it. */
int gh_session_count(struct gh_app *app, const char *instance_id,
    const struct gh_session_filter *f, int64_t *out, struct gh_err *err);

/* Revokes an active session (status "revoked") and drops its cached tokens.
 * A session that is not active is returned unchanged, with its status.
 * *out: the session after the change (caller frees). */
int gh_session_revoke(struct gh_app *app, const char *instance_id, const char *session_id,
    struct gh_session **out, struct gh_err *err);

/* ---- Frontend API (issue 4) ---- */

/* Creates an active session for user_id on an existing (browser) client,
 * with session.created in the same transaction (joining the caller's when
 * one is open). Banned/locked → GH_E_USER_LOCKED. *out: caller frees. */
int gh_session_create_on_client(struct gh_app *app, const char *instance_id,
    const char *user_id, const char *client_id, const char *active_org_id,
    struct gh_session **out, struct gh_err *err);
/* Moves an active session to `to` ("ended": sign-out; "removed": removed
 * from the client) with its session.<to> event; a session that is not
 * active is left alone (return 0). Drops its cached tokens. */
int gh_session_finish(struct gh_app *app, const char *instance_id, const char *session_id,
    const char *to, struct gh_err *err);

/* Sets s->status to "expired" when it is "active" and expire_at <= now.
 * Returns 1 when it changed the status. */
int gh_session_effective_status(struct gh_session *s, int64_t now);

/* 1 when status is one of Clerk's session statuses. */
int gh_session_status_valid(const char *status);

#endif
