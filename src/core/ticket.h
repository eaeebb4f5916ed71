/* ticket.h: single-use, expiring tickets behind invitation and sign-in-token
 * URLs (spec §B3, §B5, §C5, §C6, §C9). A ticket is 32 random bytes shown
 * once as base64url (the __clerk_ticket query parameter); the database keeps
 * only its SHA-256, so a leaked table or log cannot be replayed. Redeeming is
 * the Frontend API's business (a later issue): it calls gh_ticket_redeem.
 * No HTTP, SQL or jansson here; the raw value never reaches a log. */
#ifndef GH_CORE_TICKET_H
#define GH_CORE_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include "store/records.h"
#include "util/err.h"

struct gh_app;

enum gh_ticket_kind {
    GH_TICKET_INVITATION = 1, /* target inv_…: app-level invitation */
    GH_TICKET_ORG_INVITATION, /* target orginv_… */
    GH_TICKET_SIGN_IN,        /* target sit_…: sign-in token */
};

#define GH_TICKET_BYTES   32
#define GH_TICKET_RAW_MAX 64  /* base64url of 32 bytes is 43 characters */
#define GH_TICKET_URL_MAX 4096

/* "invitation", "org_invitation", "sign_in"; NULL for an unknown kind. */
const char *gh_ticket_kind_name(enum gh_ticket_kind kind);

/* Issues a ticket for target_id that expires at expires_at (ms) and stores
 * its hash (joins the caller's transaction). *raw_out: the raw ticket,
 * malloc'd, to be shown once and released with gh_secret_free. */
int gh_ticket_issue(struct gh_app *app, const char *instance_id, enum gh_ticket_kind kind,
    const char *target_id, int64_t expires_at, char **raw_out, struct gh_err *err);

/* Consumes the ticket: in one transaction marks it used (a conditional
 * UPDATE, so exactly one of two racing calls wins) and moves its target from
 * "pending" to "accepted". target[GH_ID_MAX] gets the target id. Errors,
 * all 4xx: unknown or malformed → GH_E_TICKET_INVALID; revoked (its
 * invitation or sign-in token was revoked) → GH_E_TICKET_REVOKED; past
 * expiry → GH_E_TICKET_EXPIRED; already used → GH_E_TICKET_USED. */
int gh_ticket_redeem(struct gh_app *app, const char *instance_id, enum gh_ticket_kind kind,
    const char *raw, char target[GH_ID_MAX], struct gh_err *err);

/* As gh_ticket_redeem, same errors, but consumes nothing: lets the Frontend
 * API show the invited email before the sign-up completes. */
int gh_ticket_check(struct gh_app *app, const char *instance_id, enum gh_ticket_kind kind,
    const char *raw, char target[GH_ID_MAX], struct gh_err *err);

/* The stored form of a raw ticket: its SHA-256 in hex (hex[65]). A value
 * that cannot be a ticket → GH_E_TICKET_INVALID. */
int gh_ticket_digest(const char *raw, char hex[65], struct gh_err *err);

/* As gh_ticket_redeem, for a ticket known by its digest (a sign-up keeps the
 * digest of the ticket it was given, never the ticket), and only inside the
 * caller's transaction (GH_E_INTERNAL otherwise): a sign-up consumes the
 * invitation in the transaction that creates the user, so an abandoned or
 * failed sign-up leaves the invitation pending. Same errors. */
int gh_ticket_redeem_hash(struct gh_app *app, const char *instance_id, enum gh_ticket_kind kind,
    const char *hash, char target[GH_ID_MAX], struct gh_err *err);

/* Revokes every unused ticket of target_id (joins the caller's transaction). */
int gh_ticket_revoke_target(struct gh_app *app, const char *instance_id, const char *target_id,
    struct gh_err *err);

/* base + ('?' or '&') + "__clerk_ticket=" + raw. *out malloc'd (it holds the
 * secret: release with gh_secret_free). Too long → GH_E_PARAM_INVALID. */
int gh_ticket_url(const char *base, const char *raw, char **out, struct gh_err *err);

/* 1 when url is an absolute http(s) URL with a host and no userinfo, of
 * printable ASCII without spaces or backslashes, and at most
 * GH_TICKET_URL_MAX / 2 bytes (redirect_url rule). */
int gh_ticket_redirect_valid(const char *url);

#endif
