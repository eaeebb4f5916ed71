/* invitation.h: app-level invitations (spec §B3, §C6) and organization
 * invitations (§B2, §C5): create (one or in bulk, all or nothing), get, list
 * by status, revoke, delete. Each invitation carries a single-use ticket
 * (ticket.h) whose URL is known only when it is created: the database keeps
 * the ticket's hash, so later reads have no url. Status is stored as
 * pending|accepted|revoked; "expired" is a pending one past expires_at,
 * computed on read. Accepting (through the ticket) is the Frontend API's.
 * No HTTP, SQL or jansson here; records are caller-owned. */
#ifndef GH_CORE_INVITATION_H
#define GH_CORE_INVITATION_H

#include <stddef.h>
#include <stdint.h>

#include "store/records.h"
#include "store/store.h"
#include "util/err.h"

struct gh_app;

#define GH_INVITATION_DAYS_DEFAULT 30
#define GH_INVITATION_DAYS_MAX     365
#define GH_INVITATION_BULK_MAX     100 /* items per bulk request */

/* One invitation to create. Strings borrowed for the call; NULL = not given. */
struct gh_invitation_params {
    const char *email_address;    /* required; normalised */
    const char *role;             /* organization invitations: required, an existing role key */
    const char *inviter_user_id;  /* organization invitations: a member of the organization */
    const char *public_metadata;  /* JSON object text or NULL ({}) */
    const char *private_metadata; /* organization invitations only */
    const char *redirect_url;     /* absolute http(s) URL, or NULL: <frontend>/sign-up */
    int64_t     expires_in_days;  /* 0 = GH_INVITATION_DAYS_DEFAULT; else 1..365 */
    int         ignore_existing;  /* app-level: invite even if the email has a user or a
                                     pending invitation */
    int         notify;           /* 1 (default): email the invitation with its URL, in the
                                     creating transaction (issue 4); 0: the caller sends it */
};
void gh_invitation_params_init(struct gh_invitation_params *p); /* zero, notify = 1 */

/* Creates n invitations (n ≥ 1, ≤ GH_INVITATION_BULK_MAX) in one transaction:
 * every item is checked first, and one bad item creates none (its error's
 * note names the index). org_id NULL: app-level; else the organization's id
 * or slug. Errors: email missing/invalid → GH_E_PARAM_MISSING/INVALID
 * "email_address"; app-level email owned by a user → GH_E_IDENTIFIER_EXISTS;
 * a pending invitation for the email (in the same org) →
 * GH_E_DUPLICATE_RECORD (app-level: unless ignore_existing); the email's user
 * already a member → GH_E_ALREADY_MEMBER; unknown role →
 * GH_E_PARAM_VALUE_INVALID "role"; unknown org → GH_E_NOT_FOUND; bad
 * redirect_url / expires_in_days / metadata → GH_E_PARAM_INVALID naming it.
 * Each item with notify set gets an email with its URL (core/mail.h), queued
 * in the same transaction: when the mail cannot be queued (production
 * without SMTP → GH_E_UNAVAILABLE) nothing is created.
 * On success *out is an owned array of n invitations (gh_invitations_free)
 * and *urls an owned array of n ticket URLs (free with gh_invitation_urls_free:
 * they hold the tickets). */
int gh_invitation_create(struct gh_app *app, const char *instance_id, const char *org_id,
    const struct gh_invitation_params *p, size_t n, struct gh_invitation ***out, char ***urls,
    struct gh_err *err);
void gh_invitation_urls_free(char **urls, size_t n); /* wipes each */

/* The invitation id of the organization org_id (NULL: an app-level one).
 * Absent, or of another organization → GH_E_NOT_FOUND. status is effective. */
int gh_invitation_get(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *id, struct gh_invitation **out, struct gh_err *err);

/* Revokes a pending invitation and its ticket. Not pending (accepted, revoked,
 * expired) → GH_E_INVITATION_NOT_PENDING (app) / GH_E_ORG_INVITATION_NOT_PENDING.
 * *out: the invitation after (caller frees). */
int gh_invitation_revoke(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *id, struct gh_invitation **out, struct gh_err *err);

/* Deletes an app-level invitation and its ticket. */
int gh_invitation_delete(struct gh_app *app, const char *instance_id, const char *id,
    struct gh_err *err);

/* 1 for pending, accepted, revoked, expired. */
int gh_invitation_status_valid(const char *status);
/* Rewrites inv->status to "expired" when pending past expires_at at now. */
void gh_invitation_settle(struct gh_invitation *inv, int64_t now);

/* Lists with the store's filter (f->now is set here; statuses checked →
 * GH_E_PARAM_INVALID "status"). org_id in f is resolved from a slug. Statuses
 * of the results are effective. *total when total != NULL. */
int gh_invitation_list(struct gh_app *app, const char *instance_id,
    struct gh_invitation_filter *f, struct gh_invitation ***out, size_t *n, int64_t *total,
    struct gh_err *err);

/* Organization invitations addressed to any of user_id's email addresses.
 * Unknown user → GH_E_NOT_FOUND. */
int gh_invitation_list_for_user(struct gh_app *app, const char *instance_id,
    const char *user_id, const char *const *statuses, size_t n_statuses, int64_t limit,
    int64_t offset, struct gh_invitation ***out, size_t *n, int64_t *total, struct gh_err *err);

#endif
