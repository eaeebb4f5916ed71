/* sign_in_token.h: sign-in tokens (spec §B5, §C9): a single-use ticket that
 * signs a user in without a password (consumed by the Frontend API, a later
 * issue, through gh_ticket_redeem with GH_TICKET_SIGN_IN). The raw token is
 * shown once, at creation; only its hash is stored. No HTTP, SQL or jansson. */
#ifndef GH_CORE_SIGN_IN_TOKEN_H
#define GH_CORE_SIGN_IN_TOKEN_H

#include <stdint.h>

#include "store/records.h"
#include "util/err.h"

struct gh_app;

#define GH_SIGN_IN_TOKEN_TTL_DEFAULT 2592000   /* s: 30 days */
#define GH_SIGN_IN_TOKEN_TTL_MAX     315360000 /* s: 10 years */

/* expires_in_seconds: 0 = default, else 1..GH_SIGN_IN_TOKEN_TTL_MAX
 * (→ GH_E_PARAM_INVALID "expires_in_seconds"). Unknown user → GH_E_NOT_FOUND
 * naming "user_id". On success *out is filled, and *token and *url (both
 * hold the secret: release with gh_secret_free) are malloc'd. */
int gh_sign_in_token_create(struct gh_app *app, const char *instance_id, const char *user_id,
    int64_t expires_in_seconds, struct gh_sign_in_token *out, char **token, char **url,
    struct gh_err *err);

/* pending → revoked, with its ticket. Unknown → GH_E_NOT_FOUND; not pending →
 * GH_E_SIGN_IN_TOKEN_NOT_PENDING. *out: the token after. */
int gh_sign_in_token_revoke(struct gh_app *app, const char *instance_id, const char *id,
    struct gh_sign_in_token *out, struct gh_err *err);

#endif
