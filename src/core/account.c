/* account.c: see account.h. Profile, password, deletion and sessions;
 * email addresses are account_email.c. */
#include "core/account.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/ident.h"
#include "core/session.h"
#include "core/settings.h"
#include "core/sign_in.h"
#include "core/token.h"
#include "store/store.h"
#include "util/log.h"
#include "util/str.h"

#define SESSIONS_MAX 100 /* a user's active sessions listed (Clerk lists at most this many) */

int
gh_account_update(struct gh_app *app, const char *instance_id, const char *user_id,
    const struct gh_user_patch *p, struct gh_user **out, struct gh_err *err)
{
    struct gh_user        *u = NULL;
    const struct gh_ident *i;
    int                    rc = -1;

    *out = NULL;
    if ((p->fields & ~(unsigned)GH_ACCOUNT_FIELDS) != 0)
        return GH_FAIL(err, GH_E_INTERNAL, NULL);
    if (p->fields & GH_USER_F_PRIMARY_EMAIL) {
        if (gh_user_get(app, instance_id, user_id, &u, err) == -1)
            goto done;
        i = p->primary_email_address_id != NULL
            ? gh_user_ident_find(u, p->primary_email_address_id) : NULL;
        /* Clerk: only an address the user proved they own becomes primary
         * (it is where codes and resets go). */
        if (i == NULL || i->type != GH_IDENT_EMAIL || !i->verified) {
            GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "primary_email_address_id",
                "must be one of your verified email addresses.");
            goto done;
        }
    }
    rc = gh_user_update(app, instance_id, user_id, p, out, err);
done:
    gh_user_free(u);
    return rc;
}

/* The policy for a new password, with errors naming new_password (the
 * form field @clerk/ui attaches them to): core's bounds and the instance's
 * minimum length. Runs before any hashing. */
static int
check_new_password(struct gh_app *app, const char *pw, size_t len, struct gh_err *err)
{
    struct gh_settings s;
    char               msg[96];

    if (gh_user_check_password(pw, len, 0, err) == -1) {
        gh_strlcpy(err->param, "new_password", sizeof(err->param));
        return -1;
    }
    if (gh_settings_load(app, &s, err) == -1)
        return -1;
    if (s.min_password_length > 0 && len < (size_t)s.min_password_length) {
        snprintf(msg, sizeof(msg), "Passwords must be %d characters or more.",
            s.min_password_length);
        return GH_FAIL_PARAM(err, GH_E_PASSWORD_TOO_SHORT, "new_password", msg);
    }
    return 0;
}

/* The one place /v1/me checks a password the user types: refused while the
 * user is banned or locked; gh_user_verify_password is a lockout attempt
 * (core/lockout.h: reserved before the hash, a wrong one counted, a right
 * one clears the count), as at sign-in. */
static int
check_current_password(struct gh_app *app, const char *instance_id, const struct gh_user *u,
    const char *cur, size_t cur_len, struct gh_err *err)
{
    if (cur == NULL || cur_len == 0)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "current_password", NULL);
    if (gh_sign_in_user_usable(u, err) == -1)
        return -1;
    if (gh_user_verify_password(app, instance_id, u->id, cur, cur_len, err) == -1) {
        if (err->code == GH_E_PASSWORD_INCORRECT) {
            gh_err_clear(err);
            GH_FAIL_PARAM(err, GH_E_FORM_PASSWORD_INCORRECT, "current_password",
                "Password is incorrect. Try again, or use another method.");
        }
        return -1;
    }
    return 0;
}

/* Revokes every active session of the user except keep (NULL: all). */
static int
revoke_others(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *keep, struct gh_err *err)
{
    struct gh_session **v = NULL;
    size_t              n = 0;
    int                 rc = 0;

    if (gh_account_sessions(app, instance_id, user_id, &v, &n, err) == -1)
        return -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct gh_session *s = NULL;

        if (keep != NULL && strcmp(v[i]->id, keep) == 0)
            continue;
        rc = gh_session_revoke(app, instance_id, v[i]->id, &s, err);
        gh_session_free(s);
    }
    gh_sessions_free(v, n);
    return rc;
}

int
gh_account_change_password(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *cur, size_t cur_len, const char *pw, size_t pw_len, int sign_out_others,
    const char *keep_session_id, struct gh_user **out, struct gh_err *err)
{
    struct gh_user      *u = NULL;
    struct gh_user_patch p;
    int                  rc = -1;

    *out = NULL;
    if (check_new_password(app, pw, pw_len, err) == -1 ||
        gh_user_get(app, instance_id, user_id, &u, err) == -1)
        goto done;
    /* A user without a password sets one without a current one (Clerk's
     * "Set password"); otherwise the current one proves it is them. */
    if (u->password_hash != NULL &&
        check_current_password(app, instance_id, u, cur, cur_len, err) == -1)
        goto done;
    memset(&p, 0, sizeof(p));
    p.fields = GH_USER_F_PASSWORD;
    p.password = pw;
    p.password_len = pw_len;
    if (gh_user_update(app, instance_id, user_id, &p, out, err) == -1)
        goto done;
    if (sign_out_others && revoke_others(app, instance_id, user_id, keep_session_id, err) == -1) {
        gh_user_free(*out);
        *out = NULL;
        goto done;
    }
    gh_log_info("password changed user_id=%s others_signed_out=%d", user_id, sign_out_others);
    rc = 0;
done:
    gh_user_free(u);
    return rc;
}

int
gh_account_remove_password(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *cur, size_t cur_len, struct gh_user **out, struct gh_err *err)
{
    struct gh_settings   s;
    struct gh_user      *u = NULL;
    struct gh_user_patch p;
    int                  rc = -1;

    *out = NULL;
    if (gh_settings_load(app, &s, err) == -1)
        return -1;
    if (s.password_enabled)
        return GH_FAIL(err, GH_E_NOT_ALLOWED_ACCESS,
            "Passwords are required by this application and cannot be removed.");
    if (gh_user_get(app, instance_id, user_id, &u, err) == -1)
        goto done;
    if (u->password_hash == NULL) {
        GH_FAIL(err, GH_E_PASSWORD_NOT_SET, "You have no password to remove.");
        goto done;
    }
    if (check_current_password(app, instance_id, u, cur, cur_len, err) == -1)
        goto done;
    memset(&p, 0, sizeof(p));
    p.fields = GH_USER_F_PASSWORD_CLEAR;
    rc = gh_user_update(app, instance_id, user_id, &p, out, err);
done:
    gh_user_free(u);
    return rc;
}

int
gh_account_delete(struct gh_app *app, const char *instance_id, const char *user_id,
    struct gh_err *err)
{
    struct gh_settings  s;
    struct gh_user     *u = NULL;
    struct gh_session **v = NULL;
    size_t              n = 0;
    int                 rc = -1;

    if (gh_settings_load(app, &s, err) == -1 || gh_user_get(app, instance_id, user_id, &u, err) == -1)
        goto done;
    if (!s.delete_self || !u->delete_self_enabled) {
        GH_FAIL(err, GH_E_NOT_ALLOWED_ACCESS, "Deleting your own account is not allowed.");
        goto done;
    }
    /* Listed before the delete takes the rows: their cached tokens go too. */
    if (gh_account_sessions(app, instance_id, user_id, &v, &n, err) == -1 ||
        gh_user_delete(app, instance_id, user_id, err) == -1)
        goto done;
    for (size_t i = 0; i < n && app->tokens != NULL; i++)
        gh_token_cache_drop(app->tokens, v[i]->id);
    gh_log_info("user deleted themself user_id=%s sessions=%zu", user_id, n);
    rc = 0;
done:
    gh_sessions_free(v, n);
    gh_user_free(u);
    return rc;
}

int
gh_account_sessions(struct gh_app *app, const char *instance_id, const char *user_id,
    struct gh_session ***out, size_t *n, struct gh_err *err)
{
    struct gh_session_filter f = { 0 };

    f.user_id = user_id;
    f.status = "active";
    f.limit = SESSIONS_MAX;
    return gh_session_list(app, instance_id, &f, out, n, err);
}

int
gh_account_revoke_session(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *session_id, struct gh_session **out, struct gh_err *err)
{
    struct gh_session *s = NULL;

    *out = NULL;
    if (gh_session_get(app, instance_id, session_id, &s, err) == -1)
        return -1;
    /* Another user's session answers like a missing one: no probing. */
    if (strcmp(s->user_id, user_id) != 0) {
        gh_session_free(s);
        return GH_FAIL(err, GH_E_NOT_FOUND, "Session not found");
    }
    gh_session_free(s);
    return gh_session_revoke(app, instance_id, session_id, out, err);
}
