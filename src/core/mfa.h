/* mfa.h: second-factor material on users (issue 3): a TOTP secret and backup
 * codes given through the Backend API (imports from another system), their
 * removal, and checking a code; and (issue 4, mfa_enrol.c) enrolment through
 * the Frontend API's /v1/me/totp and /v1/me/backup_codes. The secret is kept
 * sealed with the master key; backup codes only as salted SHA-256, so a
 * database dump reveals neither. */
#ifndef GH_CORE_MFA_H
#define GH_CORE_MFA_H

#include <stddef.h>

#include "store/records.h"
#include "util/err.h"

struct gh_app;

#define GH_MFA_TOTP_MAX     128 /* base32 characters */
#define GH_MFA_CODES_MAX    50  /* backup codes per user */
#define GH_MFA_CODE_MAX     64  /* bytes per backup code */

/* Sets u->totp_secret from a base32 secret (NULL clears); bad base32 →
 * GH_E_PARAM_INVALID naming totp_secret. Does not write the store. */
int gh_mfa_set_totp(struct gh_app *app, struct gh_user *u, const char *secret_b32,
    struct gh_err *err);
/* Sets u->backup_codes from codes[0..n) (n = 0 clears); bad codes →
 * GH_E_PARAM_INVALID naming backup_codes. u->id must be set. */
int gh_mfa_set_backup_codes(struct gh_user *u, const char *const *codes, size_t n,
    struct gh_err *err);

/* DELETE /v1/users/:id/mfa: clears both. GH_E_NOT_FOUND for an unknown user. */
int gh_user_mfa_disable(struct gh_app *app, const char *instance_id, const char *user_id,
    struct gh_err *err);

/* Frontend API second factor (issue 4), one kind of code each. totp_ok:
 * *ok = 1 when code is u's current TOTP code (±1 step); no secret → *ok 0.
 * backup_code_use: consumes code from user_id's unused backup codes (*used
 * = 1) with a compare-and-swap on the stored list, so two requests racing
 * with one code cannot both succeed; *used 0 when it is not one of them. */
int gh_mfa_totp_ok(struct gh_app *app, const struct gh_user *u, const char *code, int *ok,
    struct gh_err *err);
int gh_mfa_backup_code_use(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *code, int *used, struct gh_err *err);

/* POST /v1/users/:id/verify_totp: code is a TOTP code (window ±1 step of 30 s)
 * or an unused backup code, which is consumed. *code_type "totp" or
 * "backup_code" (static). No MFA set up → GH_E_BAD_REQUEST; wrong code →
 * GH_E_PARAM_INVALID naming code. */
int gh_user_verify_totp(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *code, const char **code_type, struct gh_err *err);

/* ---- Frontend API enrolment (issue 4, mfa_enrol.c) ---- */

#define GH_MFA_NEW_CODES    10 /* backup codes handed out at a time */
#define GH_MFA_NEW_CODE_LEN 8  /* [a-z0-9] each: ~41 bits */

/* POST /v1/me/totp: a fresh, unverified enrolment (replacing an unfinished
 * one) with a new 160-bit secret. The user keeps signing in as before until
 * it is confirmed. Refused when the instance has authenticator apps off
 * (GH_E_NOT_ALLOWED_ACCESS) or the user already has TOTP (GH_E_BAD_REQUEST).
 * *out: the stored enrolment (gh_totp_free); *secret (base32) and *uri (the
 * otpauth:// URI with issuer = instance name, account = primary email) are
 * malloc'd and hold the secret: free both with gh_secret_free. */
int gh_mfa_totp_enrol(struct gh_app *app, const char *instance_id, const char *user_id,
    struct gh_totp **out, char **secret, char **uri, struct gh_err *err);
/* POST /v1/me/totp/attempt_verification: a right code for the enrolment's
 * secret turns TOTP on for the user (users.totp_secret) and, when the
 * instance has backup codes on and the user has none, issues
 * GH_MFA_NEW_CODES of them; user.updated in the same transaction. No
 * enrolment → GH_E_VERIFICATION_MISSING; wrong code → GH_E_CODE_INCORRECT
 * naming code. *codes: owned array of *n codes (gh_mfa_codes_free), n = 0
 * when none were issued. *out: the enrolment after. */
int gh_mfa_totp_confirm(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *code, struct gh_totp **out, char ***codes, size_t *n, struct gh_err *err);
/* DELETE /v1/me/totp: TOTP off, and the backup codes with it (they back up
 * a second factor the user no longer has). No TOTP → GH_E_NOT_FOUND.
 * id_out: the enrolment's id (GH_ID_MAX bytes). */
int gh_mfa_totp_remove(struct gh_app *app, const char *instance_id, const char *user_id,
    char *id_out, struct gh_err *err);
/* POST /v1/me/backup_codes: GH_MFA_NEW_CODES new codes replace the old
 * ones. Needs TOTP on (GH_E_BAD_REQUEST) and backup codes on for the
 * instance (GH_E_NOT_ALLOWED_ACCESS). *codes as above. */
int gh_mfa_backup_codes_renew(struct gh_app *app, const char *instance_id, const char *user_id,
    char ***codes, size_t *n, struct gh_err *err);
/* Wipes and frees codes[0..n) and the array; NULL ok. */
void gh_mfa_codes_free(char **codes, size_t n);

#endif
