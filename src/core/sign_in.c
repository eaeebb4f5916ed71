/* sign_in.c: see sign_in.h. The steps after create: each loads the user
 * fresh (a ban or lock set meanwhile applies at once), checks what the step
 * needs, and writes the sign-in whole. Completion creates the session,
 * points the client at it, marks the sign-in complete and records the
 * user's sign-in in one transaction. Every lockout hook lives here. Creating
 * a sign-in is sign_in_create.c's; what it shows is sign_in_view.c's;
 * tickets are sign_in_ticket.c's. */
#include "core/sign_in.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/client.h"
#include "core/code.h"
#include "core/event.h"
#include "core/lockout.h"
#include "core/mail.h"
#include "core/mfa.h"
#include "core/password.h"
#include "core/session.h"
#include "core/user.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/log.h"
#include "util/str.h"

/* ---- lockout (issue 6) ----
 * Every check of a real account's emailed code, TOTP or backup code is
 * bracketed by gh_user_attempt_check / gh_user_attempt_record
 * (core/lockout.h): the attempt is reserved atomically before the check, so
 * parallel guesses cannot outrun the limit. Passwords go through
 * gh_user_verify_password, which brackets itself. check_not_locked() is the
 * early, uncounted refusal (banned, admin lock, a running lockout). */

static int
check_not_locked(const struct gh_user *u, struct gh_err *err)
{
    int64_t now = gh_now_ms(), left_min;

    if (u->banned || u->locked) {
        GH_FAIL(err, GH_E_USER_LOCKED, "Account locked");
        gh_strlcpy(err->long_msg, "Your account is locked. For more information, please"
            " contact support.", sizeof(err->long_msg));
        gh_err_note(err, "user_id=%s %s", u->id, u->banned ? "banned" : "locked");
        return -1;
    }
    if (u->lockout_until == GH_TIME_NULL || u->lockout_until <= now)
        return 0;
    left_min = (u->lockout_until - now + 59999) / 60000;
    GH_FAIL(err, GH_E_USER_LOCKED, "Account locked");
    snprintf(err->long_msg, sizeof(err->long_msg), "Your account is locked. You will be able"
        " to try again in %lld minute%s. For more information, please contact support.",
        (long long)left_min, left_min == 1 ? "" : "s");
    gh_err_note(err, "user_id=%s lockout", u->id);
    return -1;
}

int
gh_sign_in_user_usable(const struct gh_user *u, struct gh_err *err)
{
    return check_not_locked(u, err);
}

/* The outcome of a code check whose attempt was reserved: a wrong code
 * counts, a right one resets the count, anything else (expired, used up,
 * store trouble) gives the reservation back. */
static void
record_code_attempt(struct gh_app *app, struct gh_attempt *a, int rc, enum gh_err_code code)
{
    gh_user_attempt_record(app, a, rc == 0 ? GH_ATTEMPT_OK
            : code == GH_E_CODE_INCORRECT ? GH_ATTEMPT_FAILED
                                           : GH_ATTEMPT_NOT_RUN);
}

/* ---- helpers ---- */

static int
save(struct gh_app *app, const char *instance_id, struct gh_sign_in *si, struct gh_err *err)
{
    si->updated_at = gh_now_ms();
    return gh_store_sign_in_update(app->store, instance_id, si, err);
}

static void
set_status(struct gh_sign_in *si, const char *status)
{
    gh_strlcpy(si->status, status, sizeof(si->status));
}

static int
not_ready(const struct gh_sign_in *si, const char *want, struct gh_err *err)
{
    if (strcmp(si->status, want) == 0)
        return 0;
    GH_FAIL(err, GH_E_SIGN_IN_NOT_READY, NULL);
    gh_err_note(err, "sign_in_id=%s status=%s want=%s", si->id, si->status, want);
    return -1;
}

/* si's user, fresh; *u NULL for a decoy (or an account deleted since). */
static int
load_user(struct gh_app *app, const char *instance_id, const struct gh_sign_in *si,
    struct gh_user **u, struct gh_err *err)
{
    struct gh_err ge = { 0 };

    *u = NULL;
    if (si->user_id[0] == '\0')
        return 0;
    if (gh_store_user_get(app->store, instance_id, si->user_id, u, &ge) == -1) {
        *u = NULL;
        if (ge.code == GH_E_NOT_FOUND)
            return 0;
        *err = ge;
        return -1;
    }
    return 0;
}

static int
password_incorrect(struct gh_err *err)
{
    return GH_FAIL_PARAM(err, GH_E_FORM_PASSWORD_INCORRECT, "password",
        "Password is incorrect. Try again, or use another method.");
}

static int
strategy_invalid(struct gh_err *err)
{
    return GH_FAIL_PARAM(err, GH_E_STRATEGY_INVALID, "strategy",
        "The verification strategy is not valid for this account.");
}

/* ---- completion ---- */

/* The first factor (or a ticket) passed: on to the second factor when the
 * account has one, else complete — session, sign-in, client and the user's
 * last_sign_in_at in one transaction. */
int
gh_sign_in_finish(struct gh_app *app, const char *instance_id, const struct gh_settings *st,
    struct gh_client *c, struct gh_sign_in *si, const struct gh_user *u, struct gh_err *err)
{
    struct gh_session *s = NULL;
    struct gh_client   c2 = *c;
    struct gh_sign_in  si2;
    int                ok;

    if (strcmp(si->sf.status, "verified") != 0 && gh_sign_in_needs_mfa(st, u)) {
        set_status(si, "needs_second_factor");
        return save(app, instance_id, si, err);
    }
    if (gh_store_begin(app->store, err) == -1)
        return -1;
    ok = gh_session_create_on_client(app, instance_id, u->id, c->id, NULL, &s, err) == 0;
    if (ok) {
        si2 = *si; /* shallow: the strings stay si's */
        set_status(&si2, "complete");
        gh_strlcpy(si2.created_session_id, s->id, sizeof(si2.created_session_id));
        gh_strlcpy(c2.last_active_session_id, s->id, sizeof(c2.last_active_session_id));
        ok = save(app, instance_id, &si2, err) == 0 &&
            gh_client_save(app, instance_id, &c2, err) == 0 &&
            gh_store_user_signed_in(app->store, instance_id, u->id, gh_now_ms(), err) == 0;
    }
    if (!ok || gh_store_commit(app->store, err) == -1) {
        gh_store_rollback(app->store);
        gh_session_free(s);
        return -1;
    }
    gh_event_wake(app); /* session.created went out in the transaction */
    *si = si2;
    *c = c2;
    gh_log_info("sign-in complete sign_in_id=%s user_id=%s session_id=%s", si->id, u->id,
        s->id);
    gh_session_free(s);
    return 0;
}

/* ---- first factor ---- */

static const struct gh_sign_in_factor *
find_factor(const struct gh_sign_in_view *v, const char *strategy, const char *ident_id)
{
    for (size_t i = 0; i < v->nfirst; i++)
        if (strcmp(v->first[i].strategy, strategy) == 0 &&
            (ident_id == NULL || strcmp(v->first[i].email_address_id, ident_id) == 0))
            return &v->first[i];
    return NULL;
}

int
gh_sign_in_prepare_first(struct gh_app *app, const char *instance_id, struct gh_sign_in *si,
    const char *strategy, const char *email_address_id, struct gh_err *err)
{
    struct gh_settings             st;
    struct gh_sign_in_view         view;
    const struct gh_sign_in_factor *f;
    const struct gh_ident          *id = NULL;
    struct gh_user                 *u = NULL;
    char                            code[GH_CODE_LEN + 1] = "";
    int                             rc = -1;

    gh_settings_load(app, &st, err);
    if (not_ready(si, "needs_first_factor", err) == -1)
        return -1;
    if (strategy == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "strategy", NULL);
    if (strcmp(strategy, "email_code") != 0 && strcmp(strategy, "reset_password_email_code") != 0)
        return strategy_invalid(err);
    if (load_user(app, instance_id, si, &u, err) == -1)
        return -1;
    gh_sign_in_view(app, &st, si, u, &view);
    if (find_factor(&view, strategy, NULL) == NULL) {
        strategy_invalid(err);
        goto done;
    }
    if ((f = find_factor(&view, strategy, email_address_id)) == NULL) {
        GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "email_address_id", "is invalid");
        goto done;
    }
    if (u != NULL && (id = gh_user_ident_find(u, f->email_address_id)) == NULL) {
        GH_FAIL(err, GH_E_INTERNAL, NULL);
        goto done;
    }
    /* A decoy gets a code nobody is sent (and that never verifies). */
    if (gh_code_prepare(app, si->id, strategy, f->email_address_id, id != NULL ? id->value : NULL,
            &si->ff, code, err) == -1)
        goto done;
    if (id != NULL && gh_mail_send_code(app, instance_id, id->value, code,
                          strcmp(strategy, "email_code") == 0 ? GH_MAIL_SIGN_IN
                                                              : GH_MAIL_RESET_PASSWORD,
                          err) == -1)
        goto done;
    rc = save(app, instance_id, si, err);
done:
    gh_memzero(code, sizeof(code));
    gh_user_free(u);
    return rc;
}

static int
first_password(struct gh_app *app, const char *instance_id, const struct gh_settings *st,
    struct gh_client *c, struct gh_sign_in *si, const struct gh_user *u, const char *pw,
    size_t pw_len, struct gh_err *err)
{
    struct gh_err ve = { 0 };

    if (!st->password_enabled)
        return strategy_invalid(err);
    if (pw == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "password", NULL);
    if (u == NULL) { /* a decoy: take as long as a real check, then say the same */
        gh_password_dummy_verify_bounded(app, pw, pw_len);
        return password_incorrect(err);
    }
    if (check_not_locked(u, err) == -1)
        return -1;
    if (u->password_hash == NULL)
        return strategy_invalid(err);
    /* Verifies (bounded) and rehashes an imported or weaker hash on success. */
    if (gh_user_verify_password(app, instance_id, u->id, pw, pw_len, &ve) == -1) {
        if (ve.code != GH_E_PASSWORD_INCORRECT) {
            *err = ve;
            return -1;
        }
        return password_incorrect(err); /* counted by gh_user_verify_password */
    }
    gh_verif_reset(&si->ff);
    gh_strlcpy(si->ff.strategy, "password", sizeof(si->ff.strategy));
    gh_strlcpy(si->ff.status, "verified", sizeof(si->ff.status));
    return gh_sign_in_finish(app, instance_id, st, c, si, u, err);
}

/* A code was sent for strategy and can still be tried. */
static int
code_open(const struct gh_verif *v, const char *strategy, int64_t now)
{
    return strcmp(v->strategy, strategy) == 0 && v->code_hash[0] != '\0' &&
        strcmp(v->status, "unverified") == 0 &&
        (v->expire_at == GH_TIME_NULL || now < v->expire_at);
}

/* Checks code against the first-factor verification. The attempt is
 * counted in the store before the comparison (one conditional UPDATE), so
 * parallel guesses cannot test more than GH_CODE_MAX_ATTEMPTS codes. */
static int
check_code(struct gh_app *app, const char *instance_id, struct gh_sign_in *si,
    const char *strategy, const char *code, int decoy, struct gh_err *err)
{
    int64_t now = gh_now_ms();
    int     counted = 1, rc;

    if (code_open(&si->ff, strategy, now) &&
        gh_store_verif_bump(app->store, instance_id, "sign_ins.ff", si->id, GH_CODE_MAX_ATTEMPTS,
            &counted, err) == -1)
        return -1;
    if (!counted)
        si->ff.attempts = GH_CODE_MAX_ATTEMPTS; /* used up by others meanwhile */
    rc = gh_code_check(&si->ff, si->id, strategy, code, now, err);
    if (rc == 0 && decoy) { /* 1 in 10^6 guesses the decoy's unsent code: still wrong */
        gh_strlcpy(si->ff.status, "unverified", sizeof(si->ff.status));
        return GH_FAIL_PARAM(err, GH_E_CODE_INCORRECT, "code", NULL);
    }
    if (rc == 0 || err->code == GH_E_VERIFICATION_FAILED)
        si->ff.attempts = counted ? si->ff.attempts + 1 : GH_CODE_MAX_ATTEMPTS;
    return rc;
}

static int
first_code(struct gh_app *app, const char *instance_id, const struct gh_settings *st,
    struct gh_client *c, struct gh_sign_in *si, const struct gh_user *u, const char *strategy,
    const char *code, struct gh_err *err)
{
    struct gh_err     ce = { 0 };
    struct gh_attempt a = { 0 };
    int               rc;

    if (code == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "code", NULL);
    if (u != NULL && (check_not_locked(u, err) == -1 ||
                         gh_user_attempt_check(app, instance_id, u->id, &a, err) == -1))
        return -1;
    rc = check_code(app, instance_id, si, strategy, code, u == NULL, &ce);
    record_code_attempt(app, &a, rc, ce.code);
    if (rc == -1) {
        /* A used-up or expired code says so from now on (GET shows it). */
        if (ce.code == GH_E_VERIFICATION_FAILED || ce.code == GH_E_VERIFICATION_EXPIRED)
            (void)save(app, instance_id, si, &(struct gh_err){ 0 });
        *err = ce;
        return -1;
    }
    if (strcmp(strategy, "reset_password_email_code") == 0) {
        set_status(si, "needs_new_password");
        return save(app, instance_id, si, err);
    }
    return gh_sign_in_finish(app, instance_id, st, c, si, u, err);
}

int
gh_sign_in_attempt_first(struct gh_app *app, const char *instance_id, struct gh_client *c,
    struct gh_sign_in *si, const char *strategy, const char *pw, size_t pw_len,
    const char *code, struct gh_err *err)
{
    struct gh_settings st;
    struct gh_user    *u = NULL;
    int                rc;

    gh_settings_load(app, &st, err);
    if (not_ready(si, "needs_first_factor", err) == -1)
        return -1;
    if (strategy == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "strategy", NULL);
    if (load_user(app, instance_id, si, &u, err) == -1)
        return -1;
    if (strcmp(strategy, "password") == 0)
        rc = first_password(app, instance_id, &st, c, si, u, pw, pw_len, err);
    else if ((strcmp(strategy, "email_code") == 0 && st.email_code_first_factor) ||
             (strcmp(strategy, "reset_password_email_code") == 0 && st.password_enabled))
        rc = first_code(app, instance_id, &st, c, si, u, strategy, code, err);
    else
        rc = strategy_invalid(err);
    gh_user_free(u);
    return rc;
}

/* ---- new password ---- */

/* Ends every active session of the user (all browsers): the password that
 * opened them may be the one that leaked. */
static int
sign_out_everywhere(struct gh_app *app, const char *instance_id, const char *user_id,
    struct gh_err *err)
{
    struct gh_session_filter f = { 0 };
    struct gh_session      **v = NULL, *s = NULL;
    size_t                   n = 0;
    int                      rc = 0;

    f.user_id = user_id;
    f.status = "active";
    f.limit = 500;
    if (gh_session_list(app, instance_id, &f, &v, &n, err) == -1)
        return -1;
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = gh_session_revoke(app, instance_id, v[i]->id, &s, err);
        gh_session_free(s);
        s = NULL;
    }
    gh_sessions_free(v, n);
    return rc;
}

int
gh_sign_in_reset_password(struct gh_app *app, const char *instance_id, struct gh_client *c,
    struct gh_sign_in *si, const char *pw, size_t pw_len, int sign_out_others,
    struct gh_err *err)
{
    struct gh_settings   st;
    struct gh_user_patch patch;
    struct gh_user      *u = NULL, *nu = NULL;
    int                  rc = -1;

    gh_settings_load(app, &st, err);
    if (not_ready(si, "needs_new_password", err) == -1)
        return -1;
    if (strcmp(si->ff.strategy, "reset_password_email_code") != 0 ||
        strcmp(si->ff.status, "verified") != 0)
        return GH_FAIL(err, GH_E_SIGN_IN_NOT_READY, NULL);
    if (pw == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "password", NULL);
    if (pw_len < (size_t)st.min_password_length) {
        char msg[80];

        snprintf(msg, sizeof(msg), "Passwords must be %d characters or more.",
            st.min_password_length);
        return GH_FAIL_PARAM(err, GH_E_PASSWORD_TOO_SHORT, "password", msg);
    }
    if (load_user(app, instance_id, si, &u, err) == -1)
        return -1;
    if (u == NULL) { /* deleted meanwhile */
        GH_FAIL(err, GH_E_SIGN_IN_NOT_READY, NULL);
        goto done;
    }
    if (check_not_locked(u, err) == -1)
        goto done;
    memset(&patch, 0, sizeof(patch));
    patch.fields = GH_USER_F_PASSWORD;
    patch.password = pw;
    patch.password_len = pw_len;
    if (gh_user_update(app, instance_id, u->id, &patch, &nu, err) == -1)
        goto done;
    gh_log_info("password reset user_id=%s sign_in_id=%s", u->id, si->id);
    if (sign_out_others && sign_out_everywhere(app, instance_id, u->id, err) == -1)
        goto done;
    rc = gh_sign_in_finish(app, instance_id, &st, c, si, nu, err);
done:
    gh_user_free(u);
    gh_user_free(nu);
    return rc;
}

/* ---- second factor ---- */

static int
second_offered(const struct gh_settings *st, const struct gh_user *u, const char *strategy)
{
    if (strcmp(strategy, "totp") == 0)
        return st->totp_enabled && u->totp_secret != NULL;
    if (strcmp(strategy, "backup_code") == 0)
        return st->backup_codes_enabled && u->backup_codes != NULL;
    return 0;
}

int
gh_sign_in_prepare_second(struct gh_app *app, const char *instance_id, struct gh_sign_in *si,
    const char *strategy, struct gh_err *err)
{
    struct gh_settings st;
    struct gh_user    *u = NULL;
    int                rc = -1;

    gh_settings_load(app, &st, err);
    if (not_ready(si, "needs_second_factor", err) == -1)
        return -1;
    if (strategy == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "strategy", NULL);
    if (load_user(app, instance_id, si, &u, err) == -1)
        return -1;
    if (u == NULL || !second_offered(&st, u, strategy)) {
        strategy_invalid(err);
        goto done;
    }
    gh_verif_reset(&si->sf);
    gh_strlcpy(si->sf.strategy, strategy, sizeof(si->sf.strategy));
    gh_strlcpy(si->sf.status, "unverified", sizeof(si->sf.status));
    rc = save(app, instance_id, si, err);
done:
    gh_user_free(u);
    return rc;
}

/* *ok = 1 when code passes strategy's check (a backup code is consumed). */
static int
second_check(struct gh_app *app, const char *instance_id, const struct gh_user *u,
    const char *strategy, const char *code, int *ok, struct gh_err *err)
{
    if (strcmp(strategy, "totp") == 0)
        return gh_mfa_totp_ok(app, u, code, ok, err);
    return gh_mfa_backup_code_use(app, instance_id, u->id, code, ok, err);
}

int
gh_sign_in_attempt_second(struct gh_app *app, const char *instance_id, struct gh_client *c,
    struct gh_sign_in *si, const char *strategy, const char *code, struct gh_err *err)
{
    struct gh_settings st;
    struct gh_user    *u = NULL;
    int                ok = 0, rc = -1;
    struct gh_attempt  a = { 0 };

    gh_settings_load(app, &st, err);
    if (not_ready(si, "needs_second_factor", err) == -1)
        return -1;
    if (strategy == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "strategy", NULL);
    if (code == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "code", NULL);
    if (load_user(app, instance_id, si, &u, err) == -1)
        return -1;
    if (u == NULL || !second_offered(&st, u, strategy)) {
        strategy_invalid(err);
        goto done;
    }
    if (check_not_locked(u, err) == -1 ||
        gh_user_attempt_check(app, instance_id, u->id, &a, err) == -1)
        goto done;
    if (second_check(app, instance_id, u, strategy, code, &ok, err) == -1) {
        gh_user_attempt_record(app, &a, GH_ATTEMPT_NOT_RUN);
        goto done;
    }
    gh_user_attempt_record(app, &a, ok ? GH_ATTEMPT_OK : GH_ATTEMPT_FAILED);
    if (!ok) {
        GH_FAIL_PARAM(err, GH_E_CODE_INCORRECT, "code", "Incorrect code");
        goto done;
    }
    /* XXX: a TOTP code stays valid for its 90 s window; replaying it needs
     * the first factor too, so no used-code list is kept yet. */
    gh_strlcpy(si->sf.strategy, strategy, sizeof(si->sf.strategy));
    gh_strlcpy(si->sf.status, "verified", sizeof(si->sf.status));
    rc = gh_sign_in_finish(app, instance_id, &st, c, si, u, err);
done:
    gh_user_free(u);
    return rc;
}
