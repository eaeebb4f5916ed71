/* sign_in.h: the Frontend API's sign-in state machine (issue 4, spec FAPI
 * §3.3–§3.5, §4.4): an identifier (email address or username), then a
 * first factor (password, emailed code, or a reset-password code followed by
 * a new password), then — when the user has MFA — a second factor (TOTP or a
 * backup code), and finally a session on the browser's client. Tickets
 * (sign-in tokens, invitations of existing users) skip the first factor.
 *
 *     needs_identifier → needs_first_factor → [needs_new_password] →
 *         [needs_second_factor] → complete (created_session_id)
 *
 * Enumeration protection (settings, default on): an identifier nobody owns
 * gets a sign-in that looks like a known one — the same status, a password
 * and an emailed-code factor with a decoy email_address_id derived from the
 * identifier under a master-key MAC (stable across requests, restarts and
 * servers), the same errors for wrong passwords and codes, and a dummy
 * argon2id verify so the answer takes as long. It can never complete.
 *
 * Every failed password, code, TOTP or backup code counts toward the user's
 * lockout. Each step reads and writes the sign-in whole; attempt counters of
 * emailed codes are reserved atomically in the store before a code is
 * compared. No HTTP, SQL or jansson here. */
#ifndef GH_CORE_SIGN_IN_H
#define GH_CORE_SIGN_IN_H

#include <stddef.h>
#include <stdint.h>

#include "core/ident.h"
#include "core/settings.h"
#include "store/records.h"
#include "util/err.h"

struct gh_app;

#define GH_SIGN_IN_ABANDON_MS (24LL * 3600 * 1000) /* abandon_at = created + 1 day */
#define GH_SIGN_IN_FACTORS_MAX 24                  /* first factors listed (emails × 2 + password) */

/* POST /v1/client/sign_ins. Borrowed for the call; NULL = not given. */
struct gh_sign_in_params {
    const char *identifier;
    const char *strategy;     /* password | ticket | email_code | reset_password_email_code */
    const char *password;
    size_t      password_len;
    const char *ticket;
};

/* Starts a sign-in on client c (which must exist) and makes it the client's
 * current one. With an identifier the result is needs_first_factor; with a
 * password (strategy "password", or a password alone) the first factor is
 * attempted at once; strategy email_code / reset_password_email_code sends
 * the code at once; a ticket signs in directly. Errors: the client has a
 * session in single-session mode → GH_E_SESSION_EXISTS; the identifier's
 * user is signed in on this client → GH_E_ALREADY_SIGNED_IN (err->session_id
 * set); unknown identifier with enumeration protection off →
 * GH_E_IDENTIFIER_NOT_FOUND (param identifier); ticket problems →
 * GH_E_TICKET_* (param ticket) or GH_E_INVITATION_ACCOUNT_NOT_EXISTS; and
 * the attempt's errors. *out is the sign-in after the call (caller frees)
 * whenever one was stored, also on a failed first attempt; c->sign_in_id is
 * saved. */
int gh_sign_in_create(struct gh_app *app, const char *instance_id, struct gh_client *c,
    const struct gh_sign_in_params *p, struct gh_sign_in **out, struct gh_err *err);

/* The client's sign-in `id` (*out caller-owned). Another client's, malformed
 * or unknown → GH_E_NOT_FOUND. */
int gh_sign_in_get(struct gh_app *app, const char *instance_id, const struct gh_client *c,
    const char *id, struct gh_sign_in **out, struct gh_err *err);

/* Sends an emailed code (strategy email_code or reset_password_email_code)
 * to email_address_id, one of the sign-in's factors (NULL = the first one
 * offered). Not needs_first_factor → GH_E_SIGN_IN_NOT_READY; a strategy the
 * account does not offer → GH_E_STRATEGY_INVALID; an id it does not offer →
 * GH_E_PARAM_VALUE_INVALID (email_address_id); a resend within 30 s →
 * GH_E_RESEND_TOO_SOON. si is updated and stored. */
int gh_sign_in_prepare_first(struct gh_app *app, const char *instance_id, struct gh_sign_in *si,
    const char *strategy, const char *email_address_id, struct gh_err *err);

/* Checks the first factor: a password (pw, pw_len) or a code. Success moves
 * si on (needs_new_password after a reset code; otherwise needs_second_factor
 * or complete, with the session on c). Wrong password →
 * GH_E_FORM_PASSWORD_INCORRECT (param password); wrong code →
 * GH_E_CODE_INCORRECT (param code), or GH_E_VERIFICATION_FAILED once the
 * code's attempts are used up, GH_E_VERIFICATION_EXPIRED, _MISSING; banned
 * or locked user → GH_E_USER_LOCKED before anything is checked. */
int gh_sign_in_attempt_first(struct gh_app *app, const char *instance_id, struct gh_client *c,
    struct gh_sign_in *si, const char *strategy, const char *pw, size_t pw_len,
    const char *code, struct gh_err *err);

/* needs_new_password → sets the password (policy of new passwords; errors
 * name "password"), ends every other session of the user when
 * sign_out_others, then needs_second_factor or complete. */
int gh_sign_in_reset_password(struct gh_app *app, const char *instance_id, struct gh_client *c,
    struct gh_sign_in *si, const char *pw, size_t pw_len, int sign_out_others,
    struct gh_err *err);

/* needs_second_factor: totp and backup_code need no preparation; this only
 * records the chosen strategy. Others → GH_E_STRATEGY_INVALID. */
int gh_sign_in_prepare_second(struct gh_app *app, const char *instance_id, struct gh_sign_in *si,
    const char *strategy, struct gh_err *err);
/* needs_second_factor → complete when code is the user's TOTP code
 * (strategy totp) or one of their unused backup codes (backup_code, then
 * consumed). Wrong → GH_E_CODE_INCORRECT (param code). */
int gh_sign_in_attempt_second(struct gh_app *app, const char *instance_id, struct gh_client *c,
    struct gh_sign_in *si, const char *strategy, const char *code, struct gh_err *err);

/* ---- shared by the sign_in*.c files ---- */

/* The first factor (or a ticket) passed si: needs_second_factor when u has
 * MFA and it is not verified yet, else complete (session on c, client,
 * sign-in and u's last_sign_in_at in one transaction). */
int gh_sign_in_finish(struct gh_app *app, const char *instance_id, const struct gh_settings *st,
    struct gh_client *c, struct gh_sign_in *si, const struct gh_user *u, struct gh_err *err);
/* 0 when u may verify a factor now; banned, locked or locked out →
 * GH_E_USER_LOCKED (the lockout rule's check: sign_in.c). */
int gh_sign_in_user_usable(const struct gh_user *u, struct gh_err *err);

/* ---- tickets (sign_in_ticket.c, used by gh_sign_in_create) ---- */

struct gh_sign_in_ticket {
    int  kind;                    /* enum gh_ticket_kind */
    char target[GH_ID_MAX];       /* sit_… / inv_… / orginv_… */
    char org_id[GH_ID_MAX];       /* organization invitations: where to join; else "" */
    char role[GH_ROLE_KEY_MAX];   /* … with this role */
};
/* What raw is (consuming nothing) and the user it signs in (*u, caller
 * frees). Unknown → GH_E_TICKET_INVALID; used, expired, revoked →
 * GH_E_TICKET_USED/_EXPIRED/_REVOKED (all param ticket); an invitation whose
 * address has no account → GH_E_INVITATION_ACCOUNT_NOT_EXISTS. */
int gh_sign_in_ticket_resolve(struct gh_app *app, const char *instance_id, const char *raw,
    struct gh_sign_in_ticket *t, struct gh_user **u, struct gh_err *err);
/* Consumes raw (exactly one of racing redeemers wins) and, for an
 * organization invitation, adds user_id to the organization and emits
 * organizationInvitation.accepted, all in one transaction. */
int gh_sign_in_ticket_redeem(struct gh_app *app, const char *instance_id, const char *raw,
    const struct gh_sign_in_ticket *t, const char *user_id, struct gh_err *err);

/* ---- what a sign-in shows (render) ---- */

struct gh_sign_in_factor {
    char strategy[32];                   /* password, email_code, reset_password_email_code,
                                            totp, backup_code */
    char email_address_id[GH_ID_MAX];    /* idn_…; "" for password/totp/backup_code */
    char safe_identifier[GH_EMAIL_MAX + 1]; /* the address, masked unless it was typed */
    int  primary;                        /* the user's primary address */
};

struct gh_sign_in_view {
    struct gh_sign_in_factor first[GH_SIGN_IN_FACTORS_MAX];
    size_t                   nfirst;
    struct gh_sign_in_factor second[2];
    size_t                   nsecond;
    int                      second_listed; /* 0: supported_second_factors is null */
    const char              *first_name;    /* borrowed from the user; NULL = withheld */
    const char              *last_name;
    int                      identifier_username; /* supported_identifiers includes username */
};

/* The factors si offers and the user data it may show. u is si's user (NULL
 * when none matched: then a decoy for si->identifier, or nothing before an
 * identifier). Before the first factor is verified, names are withheld
 * under enumeration protection and second factors are never listed. */
void gh_sign_in_view(struct gh_app *app, const struct gh_settings *st,
    const struct gh_sign_in *si, const struct gh_user *u, struct gh_sign_in_view *out);

/* Pure parts, exposed for the unit tests. */
/* Fills the decoy factors of an unknown identifier from mac (32 bytes,
 * the master-key MAC of the identifier): password (if enabled), then
 * email_code and reset_password_email_code (as the settings say) for a decoy
 * idn_ id; an email identifier is shown as typed, a username as a masked
 * made-up address. */
void gh_sign_in_decoy(const unsigned char mac[32], const struct gh_settings *st,
    const char *identifier, struct gh_sign_in_view *out);
/* "a***@example.com" into out[GH_EMAIL_MAX + 1]; not an email → as is. */
void gh_sign_in_mask_email(const char *email, char *out);
/* 1 when u must pass a second factor: TOTP or backup codes set up and
 * enabled in st. */
int gh_sign_in_needs_mfa(const struct gh_settings *st, const struct gh_user *u);
/* 1 when status is one of the sign-in statuses. */
int gh_sign_in_status_valid(const char *status);

#endif
