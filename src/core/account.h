/* account.h: what a signed-in user may do to their own account through the
 * Frontend API's /v1/me routes (issue 4, spec FAPI §3.8): edit the profile,
 * change or remove the password, delete the account, add, verify and remove
 * email addresses, list and revoke their sessions. These are the self-service
 * rules on top of user.h, ident.h and session.h (which the Backend API uses
 * without them): the current password is asked for, only verified addresses
 * become primary, the primary address stays, deletion obeys the instance's
 * and the user's delete_self setting. No HTTP or JSON here. */
#ifndef GH_CORE_ACCOUNT_H
#define GH_CORE_ACCOUNT_H

#include <stddef.h>

#include "core/user.h"
#include "store/records.h"
#include "util/err.h"

struct gh_app;

/* The fields PATCH /v1/me may carry; others are a programming error. */
#define GH_ACCOUNT_FIELDS                                                             \
    (GH_USER_F_FIRST_NAME | GH_USER_F_LAST_NAME | GH_USER_F_USERNAME |                \
        GH_USER_F_PRIMARY_EMAIL | GH_USER_F_UNSAFE_MD)

/* Applies p (only GH_ACCOUNT_FIELDS) through gh_user_update. A new primary
 * email must be a verified address of the user (GH_E_PARAM_VALUE_INVALID
 * naming primary_email_address_id). *out: the user after the change. */
int gh_account_update(struct gh_app *app, const char *instance_id, const char *user_id,
    const struct gh_user_patch *p, struct gh_user **out, struct gh_err *err);

/* POST /v1/me/change_password. A user who has a password must give it as
 * cur (missing → GH_E_PARAM_MISSING, wrong → GH_E_FORM_PASSWORD_INCORRECT,
 * both naming current_password). The new password follows the policy
 * (errors name new_password). sign_out_others: every other active session of
 * the user (keep_session_id stays) is revoked, each with session.revoked.
 * *out: the user after the change. */
int gh_account_change_password(struct gh_app *app, const char *instance_id,
    const char *user_id, const char *cur, size_t cur_len, const char *pw, size_t pw_len,
    int sign_out_others, const char *keep_session_id, struct gh_user **out, struct gh_err *err);
/* POST /v1/me/remove_password: checks cur as above, then clears the
 * password. Refused (GH_E_NOT_ALLOWED_ACCESS) when the instance requires
 * passwords; a user without one → GH_E_PASSWORD_NOT_SET. */
int gh_account_remove_password(struct gh_app *app, const char *instance_id,
    const char *user_id, const char *cur, size_t cur_len, struct gh_user **out,
    struct gh_err *err);

/* DELETE /v1/me: deletes the user (sessions go with it, user.deleted in the
 * same transaction) when both the instance and the user allow self-deletion;
 * otherwise GH_E_NOT_ALLOWED_ACCESS. Cached tokens of its sessions are dropped. */
int gh_account_delete(struct gh_app *app, const char *instance_id, const char *user_id,
    struct gh_err *err);

/* The user's active sessions on every client, newest first (free with
 * gh_sessions_free). */
int gh_account_sessions(struct gh_app *app, const char *instance_id, const char *user_id,
    struct gh_session ***out, size_t *n, struct gh_err *err);
/* POST /v1/me/sessions/:id/revoke: the session must be the user's (else
 * GH_E_NOT_FOUND); revoked through gh_session_revoke (session.revoked).
 * *out: the session after the change. */
int gh_account_revoke_session(struct gh_app *app, const char *instance_id,
    const char *user_id, const char *session_id, struct gh_session **out, struct gh_err *err);

/* ---- email addresses (account_email.c) ---- */

#define GH_ACCOUNT_EMAILS_MAX 20 /* addresses per user added through /v1/me */

/* POST /v1/me/email_addresses: adds an unverified, non-primary address.
 * Taken by anyone → GH_E_IDENTIFIER_EXISTS naming email_address. *out:
 * caller frees with gh_ident_free. */
int gh_account_email_add(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *email, struct gh_ident **out, struct gh_err *err);
/* The user's email address ident_id (else GH_E_NOT_FOUND "Email address not
 * found"). *out: caller frees with gh_ident_free. */
int gh_account_email_get(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *ident_id, struct gh_ident **out, struct gh_err *err);
/* DELETE /v1/me/email_addresses/:id: the primary address cannot be removed
 * (GH_E_BAD_REQUEST); the verification goes with the address. */
int gh_account_email_remove(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *ident_id, struct gh_err *err);
/* …/prepare_verification with strategy email_code: emails a fresh 6-digit
 * code (core/code.h: TTL, resend cooldown, +clerk_test) for the address. An
 * already verified address is left alone (no email). Other strategies →
 * GH_E_PARAM_VALUE_INVALID naming strategy. *v: the verification after. */
int gh_account_email_prepare(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *ident_id, const char *strategy, struct gh_verif *v, struct gh_err *err);
/* …/attempt_verification: each attempt is counted before the code is
 * compared (one conditional UPDATE), so racing guesses cannot pass
 * GH_CODE_MAX_ATTEMPTS. Right → the address is verified (strategy
 * email_code, user.updated). Errors as gh_code_check. *v: after. */
int gh_account_email_attempt(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *ident_id, const char *code, struct gh_verif *v, struct gh_err *err);
/* The stored verification of an address (for rendering); *found = 0 when
 * none was prepared. */
int gh_account_email_verif(struct gh_app *app, const char *instance_id, const char *ident_id,
    struct gh_verif *v, int *found, struct gh_err *err);

#endif
