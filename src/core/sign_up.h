/* sign_up.h: the Frontend API's sign-up state machine (issue 4, spec FAPI
 * §3.2, §4.5): create and update a sign-up with the fields a visitor gives,
 * verify its email address with an emailed code (or take it verified from an
 * invitation ticket), and — once nothing required is missing or unverified —
 * create the user and a session on the client in one transaction.
 *
 * Statuses: missing_requirements → complete (terminal); a sign-up past its
 * abandon_at reads "abandoned" and refuses every step. Instance settings
 * (core/settings.h) say which fields are required; the blocklist, the
 * allowlist (allowlist_only) and invitation-only mode ("restricted") are
 * enforced whenever an email address is given.
 *
 * Decisions where Clerk's wire contract is silent:
 *   - create/update never send a code: prepare_verification does. Custom flows
 *     (signUp.create, then prepareEmailAddressVerification) would otherwise
 *     hit the resend cooldown; the UI prepares by itself when the returned
 *     verification has no strategy yet.
 *   - a prepare within GH_CODE_RESEND_MS of the last send of the same code is
 *     answered with the unchanged sign-up and sends nothing (no 429): the UI
 *     prepares again when the verify screen remounts, and its resend button
 *     has its own 30 s countdown.
 *   - every attempt is counted (gh_store_verif_bump) before the code is
 *     compared, so parallel guesses can never compare more than
 *     GH_CODE_MAX_ATTEMPTS codes; the attempt after the last one fails with
 *     verification_failed until a new code is prepared.
 *   - taken identifiers are reported (form_identifier_exists), as Clerk does
 *     at sign-up even with enumeration protection on.
 *   - a completed sign-up stays on the client (clerk-js reads
 *     created_session_id from it); the next create replaces it.
 * Mutations lock the sign-up's row for their read-modify-write (store.h:
 * gh_store_sign_up_get_locked), so concurrent requests serialise. No HTTP,
 * SQL or jansson here; records are caller-owned. */
#ifndef GH_CORE_SIGN_UP_H
#define GH_CORE_SIGN_UP_H

#include <stddef.h>
#include <stdint.h>

#include "core/settings.h"
#include "store/records.h"
#include "util/err.h"

struct gh_app;

/* Field bits for required/optional/missing/unverified. */
#define GH_SU_EMAIL      0x01u
#define GH_SU_PASSWORD   0x02u
#define GH_SU_USERNAME   0x04u
#define GH_SU_FIRST_NAME 0x08u
#define GH_SU_LAST_NAME  0x10u
#define GH_SU_LEGAL      0x20u

#define GH_SIGN_UP_ABANDON_MS  (24LL * 3600 * 1000) /* abandon_at = created + 24 h */
#define GH_SIGN_UP_PASSWORD_MAX 72                  /* bytes; the environment's max_length */

struct gh_su_fields {
    unsigned required;
    unsigned optional;
    unsigned missing;    /* required and not given */
    unsigned unverified; /* given but not verified (the email address) */
};

/* What st requires of su, and what su still lacks. */
void gh_sign_up_fields(const struct gh_settings *st, const struct gh_sign_up *su,
    struct gh_su_fields *out);

/* su's status as a reader sees it at now: "abandoned" once abandon_at has
 * passed and the sign-up is not complete. Borrowed string. */
const char *gh_sign_up_status(const struct gh_sign_up *su, int64_t now);

/* What a create or update gives. Strings are borrowed for the call; NULL
 * means "not given" (clerk-js sends null as ""; the api layer maps both). */
struct gh_sign_up_params {
    const char *email_address;   /* raw; trimmed and lower-cased here */
    const char *password;        /* password_len bytes */
    size_t      password_len;
    const char *username;        /* ignored unless the instance enables usernames */
    const char *first_name;
    const char *last_name;
    const char *unsafe_metadata; /* JSON object text */
    int         legal_accepted;  /* -1 not given, 0, 1 */
    const char *ticket;          /* raw invitation ticket (strategy=ticket) */
};
void gh_sign_up_params_init(struct gh_sign_up_params *p);

/* POST /v1/client/sign_ups: a new sign-up on client c (c->sign_up_id points at
 * it; c is saved). It completes at once when nothing is missing (a ticket and
 * a password). Errors: the client has an active session and the instance is
 * single-session → GH_E_SESSION_EXISTS; invitation-only mode without a
 * ticket → GH_E_SIGN_UP_MODE_RESTRICTED; bad email → GH_E_PARAM_INVALID
 * "email_address"; blocked or not allowlisted → GH_E_NOT_ALLOWED_ACCESS
 * "email_address"; taken → GH_E_IDENTIFIER_EXISTS ("email_address",
 * "username"); password policy → GH_E_PASSWORD_TOO_SHORT/LONG "password";
 * ticket → GH_E_TICKET_INVALID/EXPIRED/REVOKED/USED; an email other than the
 * invitation's → GH_E_PARAM_VALUE_INVALID "email_address". *out: the stored
 * sign-up (caller frees). */
int gh_sign_up_create(struct gh_app *app, const char *instance_id, struct gh_client *c,
    const struct gh_sign_up_params *p, struct gh_sign_up **out, struct gh_err *err);

/* PATCH /v1/client/sign_ups/:id: the given fields replace the sign-up's (a
 * changed email address needs verifying again). Same errors as create, plus
 * GH_E_NOT_FOUND (not this client's), GH_E_SIGN_UP_NOT_READY (complete or
 * abandoned). */
int gh_sign_up_update(struct gh_app *app, const char *instance_id, struct gh_client *c,
    const char *id, const struct gh_sign_up_params *p, struct gh_sign_up **out,
    struct gh_err *err);

/* GET /v1/client/sign_ups/:id: the client's sign-up; GH_E_NOT_FOUND for any
 * other. */
int gh_sign_up_get(struct gh_app *app, const char *instance_id, const struct gh_client *c,
    const char *id, struct gh_sign_up **out, struct gh_err *err);

/* prepare_verification: strategy "email_code" (else GH_E_PARAM_VALUE_INVALID
 * "strategy") emails a fresh code to the sign-up's address (GH_MAIL_SIGN_UP;
 * "+clerk_test" addresses in development get 424242 and no email). No email
 * address yet → GH_E_SIGN_UP_NOT_READY; already verified → unchanged. Within
 * the resend cooldown → unchanged, nothing sent. */
int gh_sign_up_prepare(struct gh_app *app, const char *instance_id, struct gh_client *c,
    const char *id, const char *strategy, struct gh_sign_up **out, struct gh_err *err);

/* attempt_verification: checks code and, when right, marks the address
 * verified and completes the sign-up if nothing else is missing. Errors:
 * GH_E_CODE_INCORRECT "code" (the attempt is counted), GH_E_VERIFICATION_EXPIRED,
 * GH_E_VERIFICATION_FAILED (attempts used up), GH_E_VERIFICATION_MISSING
 * (nothing prepared), and completion's (create). */
int gh_sign_up_attempt(struct gh_app *app, const char *instance_id, struct gh_client *c,
    const char *id, const char *strategy, const char *code, struct gh_sign_up **out,
    struct gh_err *err);

/* ---- sign_up_complete.c ---- */

/* Inside the caller's transaction: creates su's user (its verified email
 * address, password hash, names, unsafe_metadata, legal_accepted_at; event
 * user.created), redeems its invitation ticket (an organization invitation
 * also adds the membership with the invitation's role), and creates an
 * active session on c (session.created). Sets su complete with
 * created_user_id / created_session_id and c's current session; the caller
 * writes both and commits. In single-session mode a client that already has
 * an active session → GH_E_SESSION_EXISTS. */
int gh_sign_up_complete(struct gh_app *app, const char *instance_id, const struct gh_settings *st,
    struct gh_client *c, struct gh_sign_up *su, struct gh_err *err);

/* The invitation behind a raw ticket, checked usable but not consumed:
 * inv_id gets its id, ticket_hash its digest, *email (malloc'd) its address. */
int gh_sign_up_ticket_check(struct gh_app *app, const char *instance_id, const char *raw,
    char inv_id[GH_ID_MAX], char ticket_hash[65], char **email, struct gh_err *err);

/* 1 when the client c has an active session (single-session check). */
int gh_sign_up_client_signed_in(struct gh_app *app, const char *instance_id,
    const struct gh_client *c, int *signed_in, struct gh_err *err);

#endif
