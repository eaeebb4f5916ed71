/* mfa.h: second-factor material on users (issue 3): a TOTP secret and backup
 * codes given through the Backend API (imports from another system), their
 * removal, and checking a code. Enrolment through the Frontend API belongs to
 * the MFA issue. The secret is kept sealed with the master key; backup codes
 * only as salted SHA-256, so a database dump reveals neither. */
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

#endif
