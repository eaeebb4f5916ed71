/* mfa_enrol.c: authenticator-app enrolment and backup codes through the
 * Frontend API (mfa.h, issue 4; spec FAPI §3.5). An enrolment is stored
 * unverified (totp_enrolments) and only becomes the user's second factor
 * (users.totp_secret, which sign-in checks) once the user proves the app
 * holds the secret with one right code. Every change to the user row is in
 * one transaction with its user.updated event.
 * XXX: a TOTP code is not remembered once accepted, so the code that
 * confirmed an enrolment also passes a sign-in in the same 30-second step. */
#include "core/mfa.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/app.h"
#include "core/event.h"
#include "core/id.h"
#include "core/ident.h"
#include "core/settings.h"
#include "core/user.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/str.h"

#define URI_MAX 2048

void
gh_mfa_codes_free(char **codes, size_t n)
{
    for (size_t i = 0; codes != NULL && i < n; i++)
        gh_secret_free(codes[i]);
    free(codes);
}

/* n random codes of GH_MFA_NEW_CODE_LEN characters from [a-z0-9]. */
static int
new_codes(char ***out, size_t n, struct gh_err *err)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    char            **v = calloc(n, sizeof(*v));

    *out = NULL;
    if (v == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    for (size_t i = 0; i < n; i++) {
        size_t k = 0;

        if ((v[i] = malloc(GH_MFA_NEW_CODE_LEN + 1)) == NULL) {
            gh_mfa_codes_free(v, n);
            return GH_FAIL(err, GH_E_NOMEM, NULL);
        }
        while (k < GH_MFA_NEW_CODE_LEN) {
            unsigned char r;

            gh_rand_bytes(&r, 1);
            if (r < 252) /* 252 = 7 * 36: rejection keeps the choice uniform */
                v[i][k++] = alphabet[r % 36];
        }
        v[i][k] = '\0';
    }
    *out = v;
    return 0;
}

/* The base32 secret inside a sealed, base64-encoded box (gh_secret_free). */
static int
open_secret(struct gh_app *app, const char *sealed_b64, char **out, struct gh_err *err)
{
    unsigned char *box = NULL;
    size_t         blen = 0;
    int            rc;

    *out = NULL;
    if (gh_b64_decode(sealed_b64, strlen(sealed_b64), &box, &blen) == -1)
        return GH_FAIL(err, GH_E_INTERNAL, NULL);
    rc = gh_master_open(app->master, box, blen, out, err);
    free(box);
    return rc;
}

/* What the authenticator app shows: the primary email, else the username or id. */
static const char *
account_name(const struct gh_user *u)
{
    const struct gh_ident *i = u->primary_email_id != NULL
        ? gh_user_ident_find(u, u->primary_email_id) : NULL;

    if (i != NULL)
        return i->value;
    return u->username != NULL ? u->username : u->id;
}

/* otpauth://totp/<issuer>:<account>?secret=…&issuer=…&algorithm=SHA1&digits=6&period=30
 * (the Key Uri Format every authenticator app reads). */
static char *
totp_uri(const struct gh_app *app, const struct gh_user *u, const char *secret)
{
    const char   *issuer = app->instance != NULL && app->instance->name != NULL &&
                            app->instance->name[0] != '\0' ? app->instance->name : "Gatehouse";
    struct gh_buf b;
    char         *s;

    gh_buf_init(&b, URI_MAX);
    gh_buf_add(&b, "otpauth://totp/");
    gh_buf_add_pct(&b, issuer);
    gh_buf_add(&b, ":");
    gh_buf_add_pct(&b, account_name(u));
    gh_buf_add(&b, "?secret=");
    gh_buf_add(&b, secret);
    gh_buf_add(&b, "&issuer=");
    gh_buf_add_pct(&b, issuer);
    gh_buf_add(&b, "&algorithm=SHA1&digits=6&period=30");
    s = gh_buf_failed(&b) ? NULL : gh_buf_take(&b);
    if (b.data != NULL)
        gh_memzero(b.data, b.len);
    gh_buf_clear(&b);
    return s;
}

/* Seals a base32 secret into the stored form (base64 of the box). */
static int
seal_secret(struct gh_app *app, const char *secret, char **out, struct gh_err *err)
{
    unsigned char *box = NULL;
    size_t         blen = 0;

    *out = NULL;
    if (gh_master_seal(app->master, secret, strlen(secret), &box, &blen, err) == -1)
        return -1;
    *out = gh_b64_encode(box, blen);
    free(box);
    return *out != NULL ? 0 : GH_FAIL(err, GH_E_NOMEM, NULL);
}

int
gh_mfa_totp_enrol(struct gh_app *app, const char *instance_id, const char *user_id,
    struct gh_totp **out, char **secret, char **uri, struct gh_err *err)
{
    struct gh_settings s;
    struct gh_user    *u = NULL;
    struct gh_totp    *t = NULL;
    struct gh_err      se = { 0 };
    char               b32[GH_TOTP_NEW_LEN + 1] = "";
    int                rc = -1;

    *out = NULL;
    *secret = *uri = NULL;
    if (gh_settings_load(app, &s, err) == -1 || gh_user_get(app, instance_id, user_id, &u, err) == -1)
        goto done;
    if (!s.totp_enabled) {
        GH_FAIL(err, GH_E_NOT_ALLOWED_ACCESS, "Authenticator apps are not enabled.");
        goto done;
    }
    if (u->totp_secret != NULL) {
        GH_FAIL(err, GH_E_BAD_REQUEST,
            "An authenticator app is already set up. Remove it before adding another.");
        goto done;
    }
    if ((t = calloc(1, sizeof(*t))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    gh_id_new("totp", t->id);
    gh_strlcpy(t->user_id, u->id, sizeof(t->user_id));
    t->created_at = t->updated_at = gh_now_ms();
    if (gh_totp_secret_new(b32, err) == -1 || seal_secret(app, b32, &t->secret_sealed, err) == -1)
        goto done;
    if (gh_store_totp_put(app->store, instance_id, t, &se) == -1) {
        gh_ident_store_fail(&se, err);
        goto done;
    }
    if ((*secret = gh_strdup(b32)) == NULL || (*uri = totp_uri(app, u, b32)) == NULL) {
        gh_secret_free(*secret);
        *secret = NULL;
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    *out = t;
    t = NULL;
    rc = 0;
done:
    gh_memzero(b32, sizeof(b32));
    gh_totp_free(t);
    gh_user_free(u);
    return rc;
}

/* *ok = 1 when code is right for the enrolment's secret now. */
static int
check_code(struct gh_app *app, const struct gh_totp *t, const char *code, int *ok,
    struct gh_err *err)
{
    char *secret = NULL;
    int   rc;

    *ok = 0;
    if (open_secret(app, t->secret_sealed, &secret, err) == -1)
        return -1;
    rc = gh_totp_check(secret, code != NULL ? code : "", (int64_t)time(NULL), ok, err);
    gh_secret_free(secret);
    return rc;
}

/* In one transaction: the user row (as changed by the caller), the
 * enrolment confirmed when confirm_id is given, and user.updated. */
static int
save_user(struct gh_app *app, const char *instance_id, struct gh_user *u,
    const char *confirm_id, int remove_enrolment, struct gh_err *err)
{
    struct gh_err se = { 0 };
    int           ok, changed = 1;

    u->updated_at = gh_now_ms();
    if (gh_store_begin(app->store, &se) == -1)
        return gh_ident_store_fail(&se, err);
    ok = gh_store_user_update(app->store, instance_id, u, &se) == 0 &&
        (confirm_id == NULL || gh_store_totp_confirm(app->store, instance_id, u->id, confirm_id,
                                   u->updated_at, &changed, &se) == 0) &&
        (!remove_enrolment || gh_store_totp_delete(app->store, instance_id, u->id, &se) == 0);
    if (ok && !changed) { /* a racing request confirmed it first: its codes stand */
        GH_FAIL(&se, GH_E_VERIFICATION_MISSING, "This authenticator app was already verified.");
        ok = 0;
    }
    ok = ok && gh_event_emit_user(app, instance_id, "user.updated", u->id, &se) == 0;
    if (gh_event_tx_end(app, ok, &se) == -1)
        return gh_ident_store_fail(&se, err);
    return 0;
}

int
gh_mfa_totp_confirm(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *code, struct gh_totp **out, char ***codes, size_t *n, struct gh_err *err)
{
    struct gh_settings s;
    struct gh_user    *u = NULL;
    struct gh_totp    *t = NULL;
    struct gh_err      se = { 0 };
    int                ok = 0, rc = -1;

    *out = NULL;
    *codes = NULL;
    *n = 0;
    if (gh_settings_load(app, &s, err) == -1 || gh_user_get(app, instance_id, user_id, &u, err) == -1)
        goto done;
    if (gh_store_totp_get(app->store, instance_id, user_id, &t, &se) == -1) {
        gh_ident_store_fail(&se, err);
        goto done;
    }
    if (t == NULL || t->verified || u->totp_secret != NULL) {
        GH_FAIL(err, GH_E_VERIFICATION_MISSING, "Start adding an authenticator app first.");
        goto done;
    }
    if (check_code(app, t, code, &ok, err) == -1)
        goto done;
    if (!ok) {
        GH_FAIL_PARAM(err, GH_E_CODE_INCORRECT, "code", NULL);
        goto done;
    }
    if ((u->totp_secret = gh_strdup(t->secret_sealed)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    if (s.backup_codes_enabled && u->backup_codes == NULL) {
        if (new_codes(codes, GH_MFA_NEW_CODES, err) == -1)
            goto done;
        *n = GH_MFA_NEW_CODES;
        if (gh_mfa_set_backup_codes(u, (const char *const *)*codes, *n, err) == -1)
            goto done;
    }
    if (save_user(app, instance_id, u, t->id, 0, err) == -1)
        goto done;
    t->verified = 1;
    t->updated_at = u->updated_at;
    gh_log_info("totp enabled user_id=%s backup_codes=%zu", u->id, *n);
    *out = t;
    t = NULL;
    rc = 0;
done:
    if (rc == -1) {
        gh_mfa_codes_free(*codes, *n);
        *codes = NULL;
        *n = 0;
    }
    gh_totp_free(t);
    gh_user_free(u);
    return rc;
}

int
gh_mfa_totp_remove(struct gh_app *app, const char *instance_id, const char *user_id,
    char *id_out, struct gh_err *err)
{
    struct gh_user *u = NULL;
    struct gh_totp *t = NULL;
    struct gh_err   se = { 0 };
    int             rc = -1;

    id_out[0] = '\0';
    if (gh_user_get(app, instance_id, user_id, &u, err) == -1)
        goto done;
    if (gh_store_totp_get(app->store, instance_id, user_id, &t, &se) == -1) {
        gh_ident_store_fail(&se, err);
        goto done;
    }
    if (u->totp_secret == NULL && t == NULL) {
        GH_FAIL(err, GH_E_NOT_FOUND, "No authenticator app is set up.");
        goto done;
    }
    if (t != NULL)
        gh_strlcpy(id_out, t->id, GH_ID_MAX);
    else /* imported through the Backend API: it never had an enrolment row */
        gh_id_new("totp", id_out);
    free(u->totp_secret);
    free(u->backup_codes);
    u->totp_secret = u->backup_codes = NULL;
    if (save_user(app, instance_id, u, NULL, 1, err) == -1)
        goto done;
    gh_log_info("totp removed user_id=%s", u->id);
    rc = 0;
done:
    gh_totp_free(t);
    gh_user_free(u);
    return rc;
}

int
gh_mfa_backup_codes_renew(struct gh_app *app, const char *instance_id, const char *user_id,
    char ***codes, size_t *n, struct gh_err *err)
{
    struct gh_settings s;
    struct gh_user    *u = NULL;
    int                rc = -1;

    *codes = NULL;
    *n = 0;
    if (gh_settings_load(app, &s, err) == -1 || gh_user_get(app, instance_id, user_id, &u, err) == -1)
        goto done;
    if (!s.backup_codes_enabled) {
        GH_FAIL(err, GH_E_NOT_ALLOWED_ACCESS, "Backup codes are not enabled.");
        goto done;
    }
    if (u->totp_secret == NULL) {
        GH_FAIL(err, GH_E_BAD_REQUEST, "Set up an authenticator app before backup codes.");
        goto done;
    }
    if (new_codes(codes, GH_MFA_NEW_CODES, err) == -1)
        goto done;
    *n = GH_MFA_NEW_CODES;
    if (gh_mfa_set_backup_codes(u, (const char *const *)*codes, *n, err) == -1 ||
        save_user(app, instance_id, u, NULL, 0, err) == -1)
        goto done;
    gh_log_info("backup codes renewed user_id=%s", u->id);
    rc = 0;
done:
    if (rc == -1) {
        gh_mfa_codes_free(*codes, *n);
        *codes = NULL;
        *n = 0;
    }
    gh_user_free(u);
    return rc;
}
