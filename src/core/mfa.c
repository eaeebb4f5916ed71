/* mfa.c: see mfa.h. The TOTP secret is sealed with the master key (so it can
 * be checked later) and stored as base64; backup codes are one-way: SHA-256 of
 * "<user id>:<code>", so equal codes of two users do not share a hash.
 * XXX: backup codes are short; an unkeyed hash lets whoever holds a database
 * dump guess them offline. A keyed hash (HMAC under a key derived from the
 * master key) would close that and needs only this file to change. */
#include "core/mfa.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/app.h"
#include "core/id.h"
#include "core/ident.h"
#include "core/lockout.h"
#include "core/user.h"
#include "crypto/crypto.h"
#include "util/buf.h"
#include "util/str.h"

int
gh_mfa_set_totp(struct gh_app *app, struct gh_user *u, const char *secret_b32,
    struct gh_err *err)
{
    unsigned char *box = NULL;
    size_t         blen = 0;
    char          *b64;

    if (secret_b32 == NULL) {
        free(u->totp_secret);
        u->totp_secret = NULL;
        return 0;
    }
    if (!gh_totp_secret_valid(secret_b32))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "totp_secret",
            "must be a base32 secret of at least 16 characters");
    if (gh_master_seal(app->master, secret_b32, strlen(secret_b32), &box, &blen, err) == -1)
        return -1;
    b64 = gh_b64_encode(box, blen);
    free(box);
    if (b64 == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    free(u->totp_secret);
    u->totp_secret = b64;
    return 0;
}

static void
code_hash(const char *user_id, const char *code, char out[65])
{
    struct gh_buf b;

    gh_buf_init(&b, GH_ID_MAX + GH_MFA_CODE_MAX + 2);
    gh_buf_add(&b, user_id);
    gh_buf_add(&b, ":");
    gh_buf_add(&b, code);
    gh_sha256_hex(gh_buf_str(&b), strlen(gh_buf_str(&b)), out);
    gh_buf_clear(&b);
}

static int
code_ok(const char *c)
{
    size_t n = strlen(c);

    if (n == 0 || n > GH_MFA_CODE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)c[i] <= ' ' || c[i] == ',' || (unsigned char)c[i] >= 0x7f)
            return 0;
    return 1;
}

int
gh_mfa_set_backup_codes(struct gh_user *u, const char *const *codes, size_t n,
    struct gh_err *err)
{
    struct gh_buf b;
    char          h[65];

    if (n > GH_MFA_CODES_MAX)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "backup_codes", "lists too many codes");
    gh_buf_init(&b, GH_MFA_CODES_MAX * 65 + 1);
    for (size_t i = 0; i < n; i++) {
        if (!code_ok(codes[i])) {
            gh_buf_clear(&b);
            return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "backup_codes",
                "must be printable ASCII codes of 1 to 64 characters");
        }
        code_hash(u->id, codes[i], h);
        if (i > 0)
            gh_buf_add(&b, ",");
        gh_buf_add(&b, h);
    }
    if (gh_buf_failed(&b)) {
        gh_buf_clear(&b);
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    free(u->backup_codes);
    u->backup_codes = n > 0 ? gh_buf_take(&b) : NULL;
    gh_buf_clear(&b);
    if (n > 0 && u->backup_codes == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    return 0;
}

static int
save(struct gh_app *app, const char *instance_id, struct gh_user *u, struct gh_err *err)
{
    struct gh_err se = { 0 };

    u->updated_at = gh_now_ms();
    if (gh_store_user_update(app->store, instance_id, u, &se) == -1)
        return se.code == GH_E_NOT_FOUND ? GH_FAIL(err, GH_E_NOT_FOUND, "User not found")
                                         : gh_ident_store_fail(&se, err);
    return 0;
}

int
gh_user_mfa_disable(struct gh_app *app, const char *instance_id, const char *user_id,
    struct gh_err *err)
{
    struct gh_user *u = NULL;
    int             rc = -1;

    if (gh_user_get(app, instance_id, user_id, &u, err) == -1)
        goto done;
    free(u->totp_secret);
    free(u->backup_codes);
    u->totp_secret = u->backup_codes = NULL;
    rc = save(app, instance_id, u, err);
done:
    gh_user_free(u);
    return rc;
}

/* *ok = 1 and the secret checked when code is the current TOTP code. */
static int
check_totp(struct gh_app *app, const struct gh_user *u, const char *code, int *ok,
    struct gh_err *err)
{
    unsigned char *box = NULL;
    size_t         blen = 0;
    char          *secret = NULL;
    int            rc = -1;

    *ok = 0;
    if (u->totp_secret == NULL)
        return 0;
    if (gh_b64_decode(u->totp_secret, strlen(u->totp_secret), &box, &blen) == -1) {
        GH_FAIL(err, GH_E_INTERNAL, NULL);
        goto done;
    }
    if (gh_master_open(app->master, box, blen, &secret, err) == -1 ||
        gh_totp_check(secret, code, (int64_t)time(NULL), ok, err) == -1)
        goto done;
    rc = 0;
done:
    gh_secret_free(secret);
    free(box);
    return rc;
}

/* Removes the backup code matching `code` from u->backup_codes (*used = 1);
 * the list becomes NULL when its last code is used. */
static int
take_backup_code(struct gh_user *u, const char *code, int *used, struct gh_err *err)
{
    struct gh_buf b;
    char          h[65];

    *used = 0;
    if (u->backup_codes == NULL || !code_ok(code))
        return 0;
    code_hash(u->id, code, h);
    gh_buf_init(&b, strlen(u->backup_codes) + 1);
    for (const char *at = u->backup_codes; strlen(at) >= 64; at += at[64] == ',' ? 65 : 64) {
        if (!*used && gh_ct_equal(at, h, 64)) {
            *used = 1;
            continue;
        }
        if (gh_buf_len(&b) > 0)
            gh_buf_addc(&b, ',');
        gh_buf_addn(&b, at, 64);
    }
    if (gh_buf_failed(&b)) {
        gh_buf_clear(&b);
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    if (*used) {
        free(u->backup_codes);
        u->backup_codes = gh_buf_len(&b) > 0 ? gh_buf_take(&b) : NULL;
    }
    gh_buf_clear(&b);
    return 0;
}

int
gh_mfa_totp_ok(struct gh_app *app, const struct gh_user *u, const char *code, int *ok,
    struct gh_err *err)
{
    return check_totp(app, u, code, ok, err);
}

#define BACKUP_CAS_TRIES 8 /* concurrent uses of other codes of one user before giving up */

int
gh_mfa_backup_code_use(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *code, int *used, struct gh_err *err)
{
    struct gh_user *u = NULL;
    char           *before = NULL;
    int             changed = 0, rc = -1;

    *used = 0;
    for (int i = 0; i < BACKUP_CAS_TRIES; i++) {
        gh_user_free(u);
        free(before);
        u = NULL;
        before = NULL;
        if (gh_store_user_get(app->store, instance_id, user_id, &u, err) == -1)
            goto done;
        if (u->backup_codes == NULL) {
            rc = 0; /* none (left) */
            goto done;
        }
        if ((before = gh_strdup(u->backup_codes)) == NULL) {
            GH_FAIL(err, GH_E_NOMEM, NULL);
            goto done;
        }
        if (take_backup_code(u, code, used, err) == -1)
            goto done;
        if (!*used) {
            rc = 0;
            goto done;
        }
        if (gh_store_user_backup_codes_swap(app->store, instance_id, user_id, before,
                u->backup_codes, gh_now_ms(), &changed, err) == -1)
            goto done;
        if (changed) {
            rc = 0;
            goto done;
        }
        *used = 0; /* the list changed under us: read it again */
    }
    GH_FAIL(err, GH_E_UNAVAILABLE, NULL);
done:
    if (rc == -1)
        *used = 0;
    gh_user_free(u);
    free(before);
    return rc;
}

int
gh_user_verify_totp(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *code, const char **code_type, struct gh_err *err)
{
    struct gh_user        *u = NULL;
    struct gh_attempt      a = { 0 };
    enum gh_attempt_result result = GH_ATTEMPT_NOT_RUN;
    int                    ok = 0, rc = -1;

    *code_type = NULL;
    if (gh_user_get(app, instance_id, user_id, &u, err) == -1)
        goto done;
    if (u->totp_secret == NULL && u->backup_codes == NULL) {
        GH_FAIL(err, GH_E_BAD_REQUEST, "This user has no second factor set up.");
        goto done;
    }
    /* issue 6: TOTP and backup-code guesses feed the same lockout counter */
    if (gh_user_attempt_check(app, instance_id, user_id, &a, err) == -1 ||
        check_totp(app, u, code, &ok, err) == -1)
        goto done;
    if (ok) {
        *code_type = "totp";
        result = GH_ATTEMPT_OK;
        rc = 0;
        goto done;
    }
    if (take_backup_code(u, code, &ok, err) == -1)
        goto done;
    if (!ok) {
        result = GH_ATTEMPT_FAILED;
        GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "code", "is incorrect");
        goto done;
    }
    if (save(app, instance_id, u, err) == -1)
        goto done;
    *code_type = "backup_code";
    result = GH_ATTEMPT_OK;
    rc = 0;
done:
    gh_user_attempt_record(app, &a, result);
    gh_user_free(u);
    return rc;
}
