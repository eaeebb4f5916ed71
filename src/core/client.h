/* client.h: Frontend API clients (issue 4). A client is one browser or
 * device: it holds its sessions (multi-session: several users), at most one
 * sign-in and one sign-up in progress, and which session is current. The
 * browser proves it is the client with an opaque token (the __client cookie
 * or a dev-browser token); only the token's SHA-256 is stored. No HTTP here:
 * api/frontend reads and writes the cookie. */
#ifndef GH_CORE_CLIENT_H
#define GH_CORE_CLIENT_H

#include <stddef.h>

#include "store/records.h"
#include "util/err.h"

struct gh_app;

#define GH_CLIENT_TOKEN_BYTES 32                   /* random bytes in a client token */
#define GH_CLIENT_TOKEN_MAX   64                   /* longest token text accepted */
#define GH_CLIENT_LIFETIME_MS (365LL * 24 * 3600 * 1000) /* cookie_expires_at horizon */

/* The client whose token is `token`, or *out NULL (return 0) when the token
 * is unknown, malformed or NULL. Caller frees with free(). */
int gh_client_find(struct gh_app *app, const char *instance_id, const char *token,
    struct gh_client **out, struct gh_err *err);
/* A new client with a fresh token. *token_out: malloc'd token text for the
 * cookie (caller frees with gh_secret_free); *out: caller frees with free(). */
int gh_client_create(struct gh_app *app, const char *instance_id, struct gh_client **out,
    char **token_out, struct gh_err *err);
/* Writes c's pointers (current session, sign-in, sign-up) with updated_at = now. */
int gh_client_save(struct gh_app *app, const char *instance_id, struct gh_client *c,
    struct gh_err *err);
/* The client's active sessions, newest first (free with gh_sessions_free). */
int gh_client_sessions(struct gh_app *app, const char *instance_id, const char *client_id,
    struct gh_session ***out, size_t *n, struct gh_err *err);
/* The client's active session session_id; GH_E_NOT_FOUND when the session
 * is not the client's, and GH_E_SIGNED_OUT when it is no longer active. */
int gh_client_session(struct gh_app *app, const char *instance_id, const struct gh_client *c,
    const char *session_id, struct gh_session **out, struct gh_err *err);
/* Sign-out: ends every active session of the client (session.ended events)
 * and clears its current session. */
int gh_client_sign_out(struct gh_app *app, const char *instance_id, struct gh_client *c,
    struct gh_err *err);
/* Sign-out, then deletes the client and its sign-in and sign-up. */
int gh_client_destroy(struct gh_app *app, const char *instance_id, struct gh_client *c,
    struct gh_err *err);
/* Makes session_id the current one; when the client's current session is
 * no longer active, picks the newest active one ("" when none). */
void gh_client_pick_session(struct gh_client *c, struct gh_session *const *v, size_t n);

#endif
