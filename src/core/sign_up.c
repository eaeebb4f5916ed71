/* sign_up.c: see sign_up.h. Every step has two halves: the request's values
 * are checked and normalised first, outside any transaction (identifier
 * look-ups, restriction lists, the argon2id hash), then the sign-up's row is
 * locked, re-read, changed, possibly completed and written in one
 * transaction. Email goes out after the commit. Completion (user, session,
 * invitation) is sign_up_complete.c's. */
#include "core/sign_up.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/allowlist.h"
#include "core/app.h"
#include "core/client.h"
#include "core/code.h"
#include "core/event.h"
#include "core/id.h"
#include "core/ident.h"
#include "core/mail.h"
#include "core/password.h"
#include "core/user.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

void
gh_sign_up_fields(const struct gh_settings *st, const struct gh_sign_up *su,
    struct gh_su_fields *out)
{
    unsigned given = 0;

    memset(out, 0, sizeof(*out));
    out->required = GH_SU_EMAIL;
    if (st->password_enabled)
        out->required |= GH_SU_PASSWORD;
    if (st->username_enabled)
        out->optional |= GH_SU_USERNAME;
    if (st->names_enabled)
        out->optional |= GH_SU_FIRST_NAME | GH_SU_LAST_NAME;
    if (su->email_address != NULL)
        given |= GH_SU_EMAIL;
    if (su->password_hash != NULL)
        given |= GH_SU_PASSWORD;
    if (su->username != NULL)
        given |= GH_SU_USERNAME;
    if (su->first_name != NULL)
        given |= GH_SU_FIRST_NAME;
    if (su->last_name != NULL)
        given |= GH_SU_LAST_NAME;
    out->missing = out->required & ~given;
    if (su->email_address != NULL && strcmp(su->ev.status, "verified") != 0)
        out->unverified |= GH_SU_EMAIL;
}

const char *
gh_sign_up_status(const struct gh_sign_up *su, int64_t now)
{
    if (strcmp(su->status, "missing_requirements") == 0 && su->abandon_at != GH_TIME_NULL &&
        now >= su->abandon_at)
        return "abandoned";
    return su->status;
}

void
gh_sign_up_params_init(struct gh_sign_up_params *p)
{
    memset(p, 0, sizeof(*p));
    p->legal_accepted = -1;
}

/* ---- the request's values, checked and normalised ---- */

struct su_input {
    char *email;                 /* normalised; NULL = not given */
    char *username;
    char *first_name;
    char *last_name;
    char *unsafe_md;             /* canonical JSON object text */
    char *password_hash;         /* argon2id PHC */
    int   legal;                 /* -1 not given, 0, 1 */
    char  inv_id[GH_ID_MAX];     /* the ticket's invitation; "" = no ticket */
    char  ticket_hash[65];
};

static void
input_clear(struct su_input *in)
{
    free(in->email);
    free(in->username);
    free(in->first_name);
    free(in->last_name);
    free(in->unsafe_md);
    if (in->password_hash != NULL)
        gh_memzero(in->password_hash, strlen(in->password_hash));
    free(in->password_hash);
    memset(in, 0, sizeof(*in));
}

/* Names: bounded, valid UTF-8. *out malloc'd (NULL when s is). */
static int
take_text(const char *s, const char *param, char **out, struct gh_err *err)
{
    size_t n = s != NULL ? strlen(s) : 0;

    if (s == NULL)
        return 0;
    if (n > GH_USER_NAME_MAX)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, param, "is too long");
    if (!gh_utf8_valid(s, n))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, param, "must be valid UTF-8");
    if ((*out = gh_strdup(s)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    return 0;
}

/* Blocklist always (when enabled); allowlist unless invited (an invitation
 * is the operator's own choice of who may sign up, as Clerk treats it). */
static int
email_allowed(struct gh_app *app, const char *instance_id, const struct gh_settings *st,
    const char *email, int invited, struct gh_err *err)
{
    enum gh_access_verdict v;
    struct gh_err          le = { 0 };

    if (gh_identifier_check(app, instance_id, email, st->allowlist_only && !invited,
            st->blocklist_enabled, &v, &le) == -1) {
        if (le.code == GH_E_PARAM_INVALID) /* not an identifier the lists can hold */
            return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "email_address",
                "must be a valid email address.");
        *err = le;
        return -1;
    }
    if (v == GH_ACCESS_OK)
        return 0;
    gh_log_info("sign-up refused: email %s", v == GH_ACCESS_BLOCKED ? "blocklisted"
                                                                   : "not on the allowlist");
    return GH_FAIL_PARAM(err, GH_E_NOT_ALLOWED_ACCESS, "email_address",
        "You do not have permission to sign up with this email address.");
}

/* Clerk reports a taken address at sign-up whatever enumeration protection
 * says (the user is told to sign in instead); so do we. */
static int
email_free(struct gh_app *app, const char *instance_id, const char *email, struct gh_err *err)
{
    struct gh_user *owner = NULL;
    struct gh_err   se = { 0 };

    if (gh_store_user_find_by_ident(app->store, instance_id, GH_IDENT_EMAIL, email, &owner,
            &se) == -1)
        return gh_ident_store_fail(&se, err);
    if (owner == NULL)
        return 0;
    gh_user_free(owner);
    return gh_ident_taken(err, "email_address");
}

static int
username_free(struct gh_app *app, const char *instance_id, const char *username,
    struct gh_err *err)
{
    struct gh_user_filter f;
    struct gh_user      **v = NULL;
    size_t                n = 0;
    struct gh_err         se = { 0 };
    const char           *vals[1] = { username };

    gh_user_filter_init(&f);
    f.usernames = vals;
    f.n_usernames = 1;
    f.limit = 1;
    if (gh_store_user_list(app->store, instance_id, &f, &v, &n, &se) == -1)
        return gh_ident_store_fail(&se, err);
    gh_users_free(v, n);
    return n == 0 ? 0 : gh_ident_taken(err, "username");
}

/* The user rules (gh_user_check_password) plus the instance's advertised
 * bounds, so the server refuses what the environment told clerk-js to refuse. */
static int
check_password(const struct gh_settings *st, const char *pw, size_t len, struct gh_err *err)
{
    size_t min = st->min_password_length > 0 ? (size_t)st->min_password_length : 0;

    if (gh_user_check_password(pw, len, 0, err) == -1)
        return -1;
    if (len < min) {
        GH_FAIL_PARAM(err, GH_E_PASSWORD_TOO_SHORT, "password", NULL);
        snprintf(err->desc, sizeof(err->desc), "Passwords must be %zu characters or more.", min);
        gh_strlcpy(err->long_msg, err->desc, sizeof(err->long_msg));
        return -1;
    }
    if (len > GH_SIGN_UP_PASSWORD_MAX)
        return GH_FAIL_PARAM(err, GH_E_PASSWORD_TOO_LONG, "password",
            "Passwords must be 72 characters or less.");
    return 0;
}

/* Invitation-only and waitlist modes admit only sign-ups with a ticket. */
static int
mode_allows(const struct gh_settings *st, int invited, struct gh_err *err)
{
    if (invited || strcmp(st->sign_up_mode, "public") == 0)
        return 0;
    if (strcmp(st->sign_up_mode, "waitlist") == 0)
        return GH_FAIL(err, GH_E_SIGN_UP_RESTRICTED, NULL);
    return GH_FAIL(err, GH_E_SIGN_UP_MODE_RESTRICTED, NULL);
}

/* The email the request sets: the ticket's invitation's, or the one given
 * (which must then match an invitation the sign-up already holds). */
static int
input_email(struct gh_app *app, const char *instance_id, const struct gh_sign_up *cur,
    const struct gh_sign_up_params *p, struct su_input *in, struct gh_err *err)
{
    char *given = NULL;
    int   rc = -1;

    if (p->email_address != NULL &&
        gh_ident_norm_email(p->email_address, "email_address", &given, err) == -1)
        return -1;
    if (p->ticket != NULL) {
        if (gh_sign_up_ticket_check(app, instance_id, p->ticket, in->inv_id, in->ticket_hash,
                &in->email, err) == -1)
            goto done;
    } else if (given != NULL) {
        in->email = given;
        given = NULL;
    }
    /* An invited sign-up keeps the invited address: the invitation vouches
     * for that address only. */
    if (in->email != NULL && given != NULL && strcmp(in->email, given) != 0)
        GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "email_address",
            "must be the address the invitation was sent to.");
    else if (in->inv_id[0] == '\0' && in->email != NULL && cur != NULL &&
             cur->invitation_id[0] != '\0' && cur->email_address != NULL &&
             strcmp(cur->email_address, in->email) != 0)
        GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "email_address",
            "must be the address the invitation was sent to.");
    else
        rc = 0;
done:
    free(given);
    return rc;
}

/* Checks and normalises p against st (cur: the sign-up being updated, NULL
 * at create). The password is hashed last, once everything else passed. */
static int
input_prepare(struct gh_app *app, const char *instance_id, const struct gh_settings *st,
    const struct gh_sign_up *cur, const struct gh_sign_up_params *p, struct su_input *in,
    struct gh_err *err)
{
    int invited;

    memset(in, 0, sizeof(*in));
    in->legal = p->legal_accepted;
    /* The mode first: a closed instance says so before judging any field
     * (the ticket itself is checked just below). */
    invited = p->ticket != NULL || (cur != NULL && cur->invitation_id[0] != '\0');
    if (mode_allows(st, invited, err) == -1)
        return -1;
    if (p->password != NULL && check_password(st, p->password, p->password_len, err) == -1)
        return -1;
    if (input_email(app, instance_id, cur, p, in, err) == -1)
        return -1;
    if (in->email != NULL && (email_allowed(app, instance_id, st, in->email, invited, err) == -1 ||
                                 email_free(app, instance_id, in->email, err) == -1))
        return -1;
    if (st->username_enabled && p->username != NULL &&
        (gh_ident_norm_username(p->username, &in->username, err) == -1 ||
            username_free(app, instance_id, in->username, err) == -1))
        return -1;
    if (take_text(p->first_name, "first_name", &in->first_name, err) == -1 ||
        take_text(p->last_name, "last_name", &in->last_name, err) == -1)
        return -1;
    if (p->unsafe_metadata != NULL &&
        gh_json_object_canon(p->unsafe_metadata, GH_JSON_METADATA_MAX, "unsafe_metadata",
            &in->unsafe_md, err) == -1)
        return -1;
    if (p->password != NULL &&
        gh_password_hash_bounded(app, p->password, p->password_len, &in->password_hash, err) == -1)
        return -1;
    return 0;
}

static void
replace(char **slot, char **v)
{
    if (*v == NULL)
        return;
    free(*slot);
    *slot = *v;
    *v = NULL;
}

/* Moves in's values into su (the fresh, locked copy). A new address starts
 * unverified; a ticket's address is verified by the ticket, whose digest the
 * verification keeps until completion redeems it. */
static int
input_apply(struct gh_sign_up *su, struct su_input *in, int64_t now, struct gh_err *err)
{
    if (in->inv_id[0] == '\0' && in->email != NULL && su->invitation_id[0] != '\0' &&
        su->email_address != NULL && strcmp(su->email_address, in->email) != 0)
        return GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "email_address",
            "must be the address the invitation was sent to.");
    if (in->email != NULL &&
        (su->email_address == NULL || strcmp(su->email_address, in->email) != 0 ||
            in->inv_id[0] != '\0')) {
        replace(&su->email_address, &in->email);
        gh_verif_reset(&su->ev);
    }
    if (in->inv_id[0] != '\0') {
        gh_strlcpy(su->invitation_id, in->inv_id, sizeof(su->invitation_id));
        gh_strlcpy(su->ev.strategy, "ticket", sizeof(su->ev.strategy));
        gh_strlcpy(su->ev.status, "verified", sizeof(su->ev.status));
        gh_strlcpy(su->ev.code_hash, in->ticket_hash, sizeof(su->ev.code_hash));
        gh_strlcpy(su->ev.target_id, in->inv_id, sizeof(su->ev.target_id));
    }
    replace(&su->username, &in->username);
    replace(&su->first_name, &in->first_name);
    replace(&su->last_name, &in->last_name);
    replace(&su->unsafe_metadata, &in->unsafe_md);
    if (in->password_hash != NULL) {
        if (su->password_hash != NULL)
            gh_memzero(su->password_hash, strlen(su->password_hash));
        replace(&su->password_hash, &in->password_hash);
    }
    if (in->legal == 1 && su->legal_accepted_at == GH_TIME_NULL)
        su->legal_accepted_at = now;
    else if (in->legal == 0)
        su->legal_accepted_at = GH_TIME_NULL;
    su->updated_at = now;
    return 0;
}

/* ---- transactions ---- */

int
gh_sign_up_client_signed_in(struct gh_app *app, const char *instance_id,
    const struct gh_client *c, int *signed_in, struct gh_err *err)
{
    struct gh_session **v = NULL;
    size_t              n = 0;

    *signed_in = 0;
    if (gh_client_sessions(app, instance_id, c->id, &v, &n, err) == -1)
        return -1;
    gh_sessions_free(v, n);
    *signed_in = n > 0;
    return 0;
}

/* The sign-up must be the client's and still in progress. */
static int
owned_and_open(const struct gh_client *c, const struct gh_sign_up *su, int64_t now,
    struct gh_err *err)
{
    if (strcmp(su->client_id, c->id) != 0)
        return GH_FAIL(err, GH_E_NOT_FOUND, "Sign up not found");
    if (strcmp(gh_sign_up_status(su, now), "missing_requirements") != 0)
        return GH_FAIL(err, GH_E_SIGN_UP_NOT_READY, NULL);
    return 0;
}

/* Opens the transaction and reads the client's sign-up under its lock. */
static int
begin_locked(struct gh_app *app, const char *instance_id, const struct gh_client *c,
    const char *id, struct gh_sign_up **su, struct gh_err *err)
{
    *su = NULL;
    if (!gh_id_valid("sua", id))
        return GH_FAIL(err, GH_E_NOT_FOUND, "Sign up not found");
    if (gh_store_begin(app->store, err) == -1)
        return -1;
    if (gh_store_sign_up_get_locked(app->store, instance_id, id, su, err) == 0 &&
        strcmp((*su)->client_id, c->id) == 0)
        return 0;
    if (err->code == GH_E_OK || err->code == GH_E_NOT_FOUND) {
        gh_err_clear(err);
        GH_FAIL(err, GH_E_NOT_FOUND, "Sign up not found");
    }
    gh_store_rollback(app->store);
    gh_sign_up_free(*su);
    *su = NULL;
    return -1;
}

/* Completes su when nothing is missing or unverified (inside the tx). */
static int
maybe_complete(struct gh_app *app, const char *instance_id, const struct gh_settings *st,
    struct gh_client *c, struct gh_sign_up *su, int *completed, struct gh_err *err)
{
    struct gh_su_fields fl;

    *completed = 0;
    gh_sign_up_fields(st, su, &fl);
    if (fl.missing != 0 || fl.unverified != 0)
        return 0;
    if (gh_sign_up_complete(app, instance_id, st, c, su, err) == -1)
        return -1;
    *completed = 1;
    return 0;
}

/* Writes su and the client's pointers, then commits (wakes the webhook
 * worker when completion emitted events). ok = 0: rolls back. */
static int
write_commit(struct gh_app *app, const char *instance_id, struct gh_client *c,
    struct gh_sign_up *su, int ok, int events, struct gh_err *err)
{
    if (ok) {
        gh_strlcpy(c->sign_up_id, su->id, sizeof(c->sign_up_id));
        c->updated_at = gh_now_ms();
        ok = gh_store_sign_up_update(app->store, instance_id, su, err) == 0 &&
            gh_store_client_update(app->store, instance_id, c, err) == 0 &&
            gh_store_commit(app->store, err) == 0;
    }
    if (!ok) {
        gh_store_rollback(app->store);
        return -1;
    }
    if (events)
        gh_event_wake(app);
    return 0;
}

static int
log_complete(const struct gh_sign_up *su)
{
    gh_log_info("sign-up complete sign_up_id=%s user_id=%s session_id=%s", su->id,
        su->created_user_id, su->created_session_id);
    return 0;
}

int
gh_sign_up_create(struct gh_app *app, const char *instance_id, struct gh_client *c,
    const struct gh_sign_up_params *p, struct gh_sign_up **out, struct gh_err *err)
{
    struct gh_settings st;
    struct su_input    in = { 0 };
    struct gh_sign_up *su = NULL;
    int64_t            now = gh_now_ms();
    int                signed_in = 0, done = 0, rc = -1;

    *out = NULL;
    if (gh_settings_load(app, &st, err) == -1 ||
        gh_sign_up_client_signed_in(app, instance_id, c, &signed_in, err) == -1)
        goto out;
    if (signed_in && st.single_session_mode) {
        GH_FAIL(err, GH_E_SESSION_EXISTS, NULL);
        goto out;
    }
    if (input_prepare(app, instance_id, &st, NULL, p, &in, err) == -1)
        goto out;
    if ((su = gh_sign_up_new()) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto out;
    }
    gh_id_new("sua", su->id);
    gh_strlcpy(su->client_id, c->id, sizeof(su->client_id));
    gh_strlcpy(su->status, "missing_requirements", sizeof(su->status));
    su->created_at = now;
    su->abandon_at = now + GH_SIGN_UP_ABANDON_MS;
    if (input_apply(su, &in, now, err) == -1 || gh_store_begin(app->store, err) == -1)
        goto out;
    /* Written as missing_requirements first: completion's rows refer to it. */
    if (gh_store_sign_up_insert(app->store, instance_id, su, err) == -1 ||
        maybe_complete(app, instance_id, &st, c, su, &done, err) == -1) {
        gh_store_rollback(app->store);
        goto out;
    }
    if (write_commit(app, instance_id, c, su, 1, done, err) == -1)
        goto out;
    if (done)
        log_complete(su);
    *out = su;
    su = NULL;
    rc = 0;
out:
    input_clear(&in);
    gh_sign_up_free(su);
    return rc;
}

int
gh_sign_up_get(struct gh_app *app, const char *instance_id, const struct gh_client *c,
    const char *id, struct gh_sign_up **out, struct gh_err *err)
{
    struct gh_err se = { 0 };

    *out = NULL;
    if (!gh_id_valid("sua", id) ||
        gh_store_sign_up_get(app->store, instance_id, id, out, &se) == -1) {
        if (se.code != GH_E_OK && se.code != GH_E_NOT_FOUND) {
            *err = se;
            return -1;
        }
        return GH_FAIL(err, GH_E_NOT_FOUND, "Sign up not found");
    }
    if (strcmp((*out)->client_id, c->id) != 0) { /* another browser's: not found */
        gh_sign_up_free(*out);
        *out = NULL;
        return GH_FAIL(err, GH_E_NOT_FOUND, "Sign up not found");
    }
    return 0;
}

int
gh_sign_up_update(struct gh_app *app, const char *instance_id, struct gh_client *c,
    const char *id, const struct gh_sign_up_params *p, struct gh_sign_up **out,
    struct gh_err *err)
{
    struct gh_settings st;
    struct su_input    in = { 0 };
    struct gh_sign_up *cur = NULL, *su = NULL;
    int                done = 0, ok, rc = -1;

    *out = NULL;
    if (gh_settings_load(app, &st, err) == -1 ||
        gh_sign_up_get(app, instance_id, c, id, &cur, err) == -1 ||
        owned_and_open(c, cur, gh_now_ms(), err) == -1 ||
        input_prepare(app, instance_id, &st, cur, p, &in, err) == -1 ||
        begin_locked(app, instance_id, c, id, &su, err) == -1)
        goto out;
    ok = owned_and_open(c, su, gh_now_ms(), err) == 0 &&
        input_apply(su, &in, gh_now_ms(), err) == 0 &&
        maybe_complete(app, instance_id, &st, c, su, &done, err) == 0;
    if (write_commit(app, instance_id, c, su, ok, done, err) == -1)
        goto out;
    if (done)
        log_complete(su);
    *out = su;
    su = NULL;
    rc = 0;
out:
    input_clear(&in);
    gh_sign_up_free(cur);
    gh_sign_up_free(su);
    return rc;
}

static int
check_strategy(const char *strategy, struct gh_err *err)
{
    if (strategy == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "strategy", NULL);
    if (strcmp(strategy, "email_code") != 0)
        return GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "strategy",
            "is not a verification strategy of this instance.");
    return 0;
}

/* A resend of the live code inside the cooldown: answered as is. */
static int
in_cooldown(const struct gh_verif *v, int64_t now)
{
    return strcmp(v->strategy, "email_code") == 0 && strcmp(v->status, "unverified") == 0 &&
        v->sent_at != GH_TIME_NULL && now - v->sent_at < GH_CODE_RESEND_MS;
}

/* The mail did not go out: forget the send so the next prepare sends (best
 * effort; the cooldown would otherwise swallow it). */
static void
forget_send(struct gh_app *app, const char *instance_id, const struct gh_client *c,
    const struct gh_sign_up *sent)
{
    struct gh_sign_up *su = NULL;
    struct gh_err      e = { 0 };

    if (begin_locked(app, instance_id, c, sent->id, &su, &e) == -1)
        return;
    if (strcmp(su->ev.code_hash, sent->ev.code_hash) == 0) {
        su->ev.sent_at = GH_TIME_NULL;
        if (gh_store_sign_up_update(app->store, instance_id, su, &e) == 0 &&
            gh_store_commit(app->store, &e) == 0) {
            gh_sign_up_free(su);
            return;
        }
    }
    gh_store_rollback(app->store);
    gh_sign_up_free(su);
}

/* Locked: refreshes su's code (or leaves it, in the cooldown). *send = 1
 * when code holds a new code to mail after the commit. */
static int
prepare_locked(struct gh_app *app, struct gh_sign_up *su, char *code, int *send,
    struct gh_err *err)
{
    int64_t now = gh_now_ms();

    *send = 0;
    if (su->email_address == NULL)
        return GH_FAIL_PARAM(err, GH_E_SIGN_UP_NOT_READY, "strategy",
            "There is no email address to verify.");
    if (strcmp(su->ev.status, "verified") == 0 || in_cooldown(&su->ev, now))
        return 0;
    if (gh_code_prepare(app, su->id, "email_code", NULL, su->email_address, &su->ev, code,
            err) == -1)
        return -1;
    su->updated_at = now;
    *send = 1;
    return 0;
}

int
gh_sign_up_prepare(struct gh_app *app, const char *instance_id, struct gh_client *c,
    const char *id, const char *strategy, struct gh_sign_up **out, struct gh_err *err)
{
    struct gh_sign_up *su = NULL;
    char               code[GH_CODE_LEN + 1] = "";
    int                send = 0, ok;

    *out = NULL;
    if (check_strategy(strategy, err) == -1 || begin_locked(app, instance_id, c, id, &su, err) == -1)
        return -1;
    ok = owned_and_open(c, su, gh_now_ms(), err) == 0 && prepare_locked(app, su, code, &send, err) == 0;
    if (write_commit(app, instance_id, c, su, ok, 0, err) == -1) {
        gh_sign_up_free(su);
        return -1;
    }
    if (send && gh_mail_send_code(app, instance_id, su->email_address, code, GH_MAIL_SIGN_UP,
                    err) == -1) {
        gh_memzero(code, sizeof(code));
        forget_send(app, instance_id, c, su);
        gh_sign_up_free(su);
        return -1;
    }
    gh_memzero(code, sizeof(code));
    if (send)
        gh_log_info("sign-up code sent sign_up_id=%s", su->id);
    *out = su;
    return 0;
}

/* Locked: one attempt. *commit says whether the changes so far must be kept
 * even though the attempt fails (a counted wrong code, a status that turned
 * expired or failed). */
static int
attempt_locked(struct gh_app *app, const char *instance_id, struct gh_sign_up *su,
    const char *code, int *commit, struct gh_err *err)
{
    char    before[sizeof(su->ev.status)];
    int64_t now = gh_now_ms();
    int     counted = 0;

    *commit = 0;
    gh_strlcpy(before, su->ev.status, sizeof(before));
    if (gh_code_usable(&su->ev, "email_code", now, err) == -1) {
        *commit = strcmp(before, su->ev.status) != 0;
        return -1;
    }
    if (strcmp(su->ev.status, "verified") == 0)
        return 0;
    /* The attempt is counted before the comparison: a guess that is not
     * counted is never compared. */
    if (gh_store_verif_bump(app->store, instance_id, "sign_ups.ev", su->id, GH_CODE_MAX_ATTEMPTS,
            &counted, err) == -1)
        return -1;
    *commit = 1;
    if (!counted) {
        gh_strlcpy(su->ev.status, "failed", sizeof(su->ev.status));
        return GH_FAIL_PARAM(err, GH_E_VERIFICATION_FAILED, "code",
            "Too many failed attempts. Please request a new code.");
    }
    su->ev.attempts++; /* the row's count, which the lock keeps exact */
    if (!gh_code_matches(&su->ev, su->id, code))
        return GH_FAIL_PARAM(err, GH_E_CODE_INCORRECT, "code", "Incorrect code");
    gh_strlcpy(su->ev.status, "verified", sizeof(su->ev.status));
    su->updated_at = now;
    return 0;
}

/* A repeated attempt on a sign-up that the first one completed. */
static int
already_complete(const struct gh_client *c, const struct gh_sign_up *su)
{
    return strcmp(su->client_id, c->id) == 0 && strcmp(su->status, "complete") == 0 &&
        strcmp(su->ev.status, "verified") == 0;
}

int
gh_sign_up_attempt(struct gh_app *app, const char *instance_id, struct gh_client *c,
    const char *id, const char *strategy, const char *code, struct gh_sign_up **out,
    struct gh_err *err)
{
    struct gh_settings st;
    struct gh_sign_up *su = NULL;
    int                commit = 0, done = 0, ok;

    *out = NULL;
    if (check_strategy(strategy, err) == -1)
        return -1;
    if (code == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "code", NULL);
    if (gh_settings_load(app, &st, err) == -1 || begin_locked(app, instance_id, c, id, &su, err) == -1)
        return -1;
    if (already_complete(c, su)) {
        gh_store_rollback(app->store);
        *out = su;
        return 0;
    }
    ok = owned_and_open(c, su, gh_now_ms(), err) == 0 &&
        attempt_locked(app, instance_id, su, code, &commit, err) == 0;
    /* A failed completion rolls everything back, the verification included:
     * its rows must not survive half-made. */
    if (ok) {
        commit = 0;
        ok = maybe_complete(app, instance_id, &st, c, su, &done, err) == 0;
    }
    if (!ok && commit) { /* keep the counted attempt / the new status, report the failure */
        struct gh_err ce = { 0 };

        if (write_commit(app, instance_id, c, su, 1, 0, &ce) == -1)
            gh_log_warn("sign-up attempt not recorded sign_up_id=%s: %s", su->id, ce.desc);
        gh_sign_up_free(su);
        return -1;
    }
    if (write_commit(app, instance_id, c, su, ok, done, err) == -1) {
        gh_sign_up_free(su);
        return -1;
    }
    if (done)
        log_complete(su);
    *out = su;
    return 0;
}
