/* sign_in_create.c: starting a sign-in (see sign_in.h): refusing a second
 * one where the client is already signed in, finding the account an
 * identifier names (or none: a decoy under enumeration protection), tickets,
 * and reading a client's sign-in back. The first attempt of a create call
 * (a password sent along) is sign_in.c's gh_sign_in_attempt_first. */
#include "core/sign_in.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/client.h"
#include "core/id.h"
#include "core/ident.h"
#include "core/session.h"
#include "core/user.h"
#include "store/store.h"
#include "util/str.h"

static void
set_status(struct gh_sign_in *si, const char *status)
{
    gh_strlcpy(si->status, status, sizeof(si->status));
}

/* Normalises raw into *norm (malloc'd) and finds the account it names: a
 * verified email address, or a username when usernames are on. *u NULL when
 * nobody matches (an unusable identifier matches nobody). */
static int
find_user(struct gh_app *app, const char *instance_id, const struct gh_settings *st,
    const char *raw, char **norm, struct gh_user **u, struct gh_err *err)
{
    struct gh_err        ne = { 0 };
    struct gh_user_filter f;
    struct gh_user     **v = NULL;
    size_t               n = 0;

    *u = NULL;
    if (strchr(raw, '@') != NULL) {
        if (gh_ident_norm_email(raw, "identifier", norm, &ne) == -1)
            goto as_typed;
        if (gh_store_user_find_by_ident(app->store, instance_id, GH_IDENT_EMAIL, *norm, u,
                err) == -1)
            return -1;
        for (size_t i = 0; *u != NULL && i < (*u)->nidents; i++)
            if ((*u)->idents[i].type == GH_IDENT_EMAIL && (*u)->idents[i].verified &&
                strcmp((*u)->idents[i].value, *norm) == 0)
                return 0;
        gh_user_free(*u); /* an unverified address signs nobody in */
        *u = NULL;
        return 0;
    }
    if (!st->username_enabled || gh_ident_norm_username(raw, norm, &ne) == -1)
        goto as_typed;
    gh_user_filter_init(&f);
    f.usernames = (const char *const *)norm;
    f.n_usernames = 1;
    f.limit = 1;
    if (gh_store_user_list(app->store, instance_id, &f, &v, &n, err) == -1)
        return -1;
    if (n > 0) {
        *u = v[0];
        v[0] = NULL;
    }
    gh_users_free(v, n);
    return 0;
as_typed:
    /* Kept (trimmed, lower-cased) so a decoy answers for it like for any. */
    while (*raw == ' ' || *raw == '\t' || *raw == '\r' || *raw == '\n')
        raw++;
    if ((*norm = gh_strdup(raw)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    for (size_t k = strlen(*norm); k > 0 && strchr(" \t\r\n", (*norm)[k - 1]) != NULL; k--)
        (*norm)[k - 1] = '\0';
    for (char *p = *norm; *p != '\0'; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return 0;
}

/* An active session of user_id on the client: identifier_already_signed_in. */
static int
check_not_signed_in(struct gh_session *const *v, size_t n, const char *user_id,
    struct gh_err *err)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(v[i]->user_id, user_id) != 0)
            continue;
        GH_FAIL_PARAM(err, GH_E_ALREADY_SIGNED_IN, "identifier", "You're already signed in.");
        gh_strlcpy(err->session_id, v[i]->id, sizeof(err->session_id));
        return -1;
    }
    return 0;
}

static struct gh_sign_in *
new_sign_in(const struct gh_client *c, const char *status, const char *identifier,
    const struct gh_user *u)
{
    struct gh_sign_in *si = gh_sign_in_new();
    int64_t            now = gh_now_ms();

    if (si == NULL)
        return NULL;
    gh_id_new("sia", si->id);
    gh_strlcpy(si->client_id, c->id, sizeof(si->client_id));
    set_status(si, status);
    if (identifier != NULL && (si->identifier = gh_strdup(identifier)) == NULL) {
        gh_sign_in_free(si);
        return NULL;
    }
    if (u != NULL)
        gh_strlcpy(si->user_id, u->id, sizeof(si->user_id));
    si->abandon_at = now + GH_SIGN_IN_ABANDON_MS;
    si->created_at = si->updated_at = now;
    return si;
}

/* Stores si as the client's current sign-in. */
static int
store_new(struct gh_app *app, const char *instance_id, struct gh_client *c,
    const struct gh_sign_in *si, struct gh_err *err)
{
    if (gh_store_sign_in_insert(app->store, instance_id, si, err) == -1)
        return -1;
    gh_strlcpy(c->sign_in_id, si->id, sizeof(c->sign_in_id));
    return gh_client_save(app, instance_id, c, err);
}

/* The user's address to show as the identifier of a ticket sign-in. */
static const char *
primary_email(const struct gh_user *u)
{
    const struct gh_ident *id = u->primary_email_id != NULL
                                    ? gh_user_ident_find(u, u->primary_email_id) : NULL;

    if (id != NULL)
        return id->value;
    return u->username;
}

static int
create_from_ticket(struct gh_app *app, const char *instance_id, const struct gh_settings *st,
    struct gh_client *c, struct gh_session *const *sv, size_t ns, const char *ticket,
    struct gh_sign_in **out, struct gh_err *err)
{
    struct gh_sign_in_ticket t;
    struct gh_user          *u = NULL;
    struct gh_sign_in       *si = NULL;
    int                      rc = -1;

    if (ticket == NULL) {
        GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "ticket", NULL);
        goto done;
    }
    if (gh_sign_in_ticket_resolve(app, instance_id, ticket, &t, &u, err) == -1 ||
        gh_sign_in_user_usable(u, err) == -1 || check_not_signed_in(sv, ns, u->id, err) == -1)
        goto done;
    if ((si = new_sign_in(c, "needs_first_factor", primary_email(u), u)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    /* The ticket stands for the first factor. */
    gh_strlcpy(si->ff.strategy, "ticket", sizeof(si->ff.strategy));
    gh_strlcpy(si->ff.status, "verified", sizeof(si->ff.status));
    if (gh_sign_in_ticket_redeem(app, instance_id, ticket, &t, u->id, err) == -1 ||
        store_new(app, instance_id, c, si, err) == -1)
        goto done;
    *out = si;
    si = NULL;
    rc = gh_sign_in_finish(app, instance_id, st, c, *out, u, err);
done:
    gh_sign_in_free(si);
    gh_user_free(u);
    return rc;
}

static int
strategy_known(const char *s)
{
    return s == NULL || strcmp(s, "password") == 0 || strcmp(s, "ticket") == 0 ||
        strcmp(s, "email_code") == 0 || strcmp(s, "reset_password_email_code") == 0;
}

/* The identifier steps of create; *out set once the sign-in is stored. */
static int
create_with_identifier(struct gh_app *app, const char *instance_id,
    const struct gh_settings *st, struct gh_client *c, struct gh_session *const *sv, size_t ns,
    const struct gh_sign_in_params *p, struct gh_sign_in **out, struct gh_err *err)
{
    struct gh_user    *u = NULL;
    struct gh_sign_in *si = NULL;
    char              *norm = NULL;
    int                rc = -1;

    if (strlen(p->identifier) > GH_EMAIL_MAX) {
        GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "identifier", "is too long");
        goto done;
    }
    if (find_user(app, instance_id, st, p->identifier, &norm, &u, err) == -1)
        goto done;
    if (u != NULL && check_not_signed_in(sv, ns, u->id, err) == -1)
        goto done;
    if (u == NULL && !st->enumeration_protection) {
        GH_FAIL_PARAM(err, GH_E_IDENTIFIER_NOT_FOUND, "identifier",
            "Couldn't find your account.");
        goto done;
    }
    if ((si = new_sign_in(c, "needs_first_factor", norm, u)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    if (store_new(app, instance_id, c, si, err) == -1)
        goto done;
    *out = si;
    si = NULL;
    if (p->password != NULL || (p->strategy != NULL && strcmp(p->strategy, "password") == 0))
        rc = gh_sign_in_attempt_first(app, instance_id, c, *out, "password", p->password,
            p->password_len, NULL, err);
    else if (p->strategy != NULL)
        rc = gh_sign_in_prepare_first(app, instance_id, *out, p->strategy, NULL, err);
    else
        rc = 0;
done:
    gh_sign_in_free(si);
    gh_user_free(u);
    free(norm);
    return rc;
}

int
gh_sign_in_create(struct gh_app *app, const char *instance_id, struct gh_client *c,
    const struct gh_sign_in_params *p, struct gh_sign_in **out, struct gh_err *err)
{
    struct gh_settings  st;
    struct gh_session **sv = NULL;
    size_t              ns = 0;
    int                 rc = -1;

    *out = NULL;
    gh_settings_load(app, &st, err);
    if (!strategy_known(p->strategy))
        return GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "strategy", "is invalid");
    if (gh_client_sessions(app, instance_id, c->id, &sv, &ns, err) == -1)
        return -1;
    if (st.single_session_mode && ns > 0) {
        GH_FAIL(err, GH_E_SESSION_EXISTS, "You're already signed in.");
        goto done;
    }
    if (p->strategy != NULL && strcmp(p->strategy, "ticket") == 0) {
        rc = create_from_ticket(app, instance_id, &st, c, sv, ns, p->ticket, out, err);
    } else if (p->identifier != NULL) {
        rc = create_with_identifier(app, instance_id, &st, c, sv, ns, p, out, err);
    } else if (p->strategy != NULL || p->password != NULL) {
        GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "identifier", NULL);
    } else if ((*out = new_sign_in(c, "needs_identifier", NULL, NULL)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
    } else {
        rc = store_new(app, instance_id, c, *out, err);
    }
done:
    gh_sessions_free(sv, ns);
    return rc;
}

int
gh_sign_in_get(struct gh_app *app, const char *instance_id, const struct gh_client *c,
    const char *id, struct gh_sign_in **out, struct gh_err *err)
{
    struct gh_err ge = { 0 };

    *out = NULL;
    if (c == NULL || !gh_id_valid("sia", id))
        return GH_FAIL(err, GH_E_NOT_FOUND, "Sign in not found");
    if (gh_store_sign_in_get(app->store, instance_id, id, out, &ge) == -1) {
        *out = NULL;
        if (ge.code == GH_E_NOT_FOUND)
            return GH_FAIL(err, GH_E_NOT_FOUND, "Sign in not found");
        *err = ge;
        return -1;
    }
    if (strcmp((*out)->client_id, c->id) != 0) { /* another browser's */
        gh_sign_in_free(*out);
        *out = NULL;
        return GH_FAIL(err, GH_E_NOT_FOUND, "Sign in not found");
    }
    /* Past abandon_at an unfinished sign-in takes no more steps. */
    if (strcmp((*out)->status, "complete") != 0 && (*out)->abandon_at != GH_TIME_NULL &&
        gh_now_ms() >= (*out)->abandon_at)
        set_status(*out, "abandoned");
    return 0;
}

