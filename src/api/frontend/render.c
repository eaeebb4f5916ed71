/* render.c: see render.h. Client, session and user; sign-ins and sign-ups
 * are rendered by render_sign_in.c and render_sign_up.c. */
#include "api/frontend/render.h"

#include <stdlib.h>
#include <string.h>

#include "api/backend/render.h"
#include "api/backend/render_org.h"
#include "api/params.h"
#include "core/app.h"
#include "core/client.h"
#include "core/invitation.h"
#include "core/org.h"
#include "core/role.h"
#include "core/session.h"
#include "core/token.h"
#include "core/user.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/str.h"

#define MEMBERSHIPS_MAX 100 /* organizations shown in the browser's user object */

json_t *
gh_fapi_render_verif(const struct gh_verif *v)
{
    if (v->strategy[0] == '\0')
        return json_null();
    return json_pack("{s:s,s:s,s:s,s:s,s:i,s:o,s:n,s:n}",
        "object", "verification",
        "id", "",
        "status", v->status[0] != '\0' ? v->status : "unverified",
        "strategy", v->strategy,
        "attempts", v->attempts,
        "expire_at", gh_api_time(v->expire_at),
        "verified_at_client",
        "error");
}

json_t *
gh_fapi_render_org(struct gh_fapi *f, const struct gh_org *o)
{
    struct gh_invitation_filter flt;
    struct gh_invitation      **v = NULL;
    const char                 *pending[1] = { "pending" };
    size_t                      nv = 0;
    int64_t                     n = 0;
    struct gh_err               e = { 0 };
    json_t                     *j = gh_render_org(o);

    if (j == NULL)
        return NULL;
    json_object_del(j, "private_metadata"); /* server-only */
    gh_invitation_filter_init(&flt);
    flt.org_id = o->id;
    flt.statuses = pending;
    flt.n_statuses = 1;
    flt.limit = 1;
    if (gh_invitation_list(f->req->app, f->instance_id, &flt, &v, &nv, &n, &e) == 0)
        gh_invitations_free(v, nv);
    json_object_set_new(j, "pending_invitations_count", json_integer((json_int_t)n));
    if (json_object_get(j, "members_count") == NULL)
        json_object_set_new(j, "members_count", json_integer(0));
    return j;
}

json_t *
gh_fapi_render_membership(struct gh_fapi *f, const struct gh_org_membership *m,
    const struct gh_org *o, struct gh_err *err)
{
    struct gh_org  *owned = NULL;
    struct gh_role *r = NULL;
    struct gh_user *u = NULL;
    struct gh_err   e = { 0 };
    json_t         *j = NULL, *jo;

    if (o == NULL) {
        if (gh_org_get(f->req->app, f->instance_id, m->org_id, 1, &owned, err) == -1)
            return NULL;
        o = owned;
    }
    (void)gh_role_find_by_key(f->req->app, f->instance_id, m->role, &r, &e);
    (void)gh_user_get(f->req->app, f->instance_id, m->user_id, &u, &e); /* gone: minimal data */
    if ((j = gh_render_org_membership(f->req->app, m, o, u, r)) == NULL ||
        (jo = gh_fapi_render_org(f, o)) == NULL ||
        json_object_set_new(j, "organization", jo) == -1) {
        json_decref(j);
        j = NULL;
        GH_FAIL(err, GH_E_NOMEM, NULL);
    } else {
        json_object_del(j, "private_metadata");
    }
    gh_user_free(u);
    gh_role_free(r);
    gh_org_free(owned);
    return j;
}

/* The user's memberships with their organizations and roles. */
static json_t *
memberships_of(struct gh_fapi *f, const struct gh_user *u, struct gh_err *err)
{
    struct gh_org_member_filter f_;
    struct gh_org_membership  **v = NULL;
    const char                 *uid[1] = { u->id };
    size_t                      n = 0;
    json_t                     *a = json_array();

    if (a == NULL)
        return NULL;
    gh_org_member_filter_init(&f_);
    f_.user_ids = uid;
    f_.n_user_ids = 1;
    f_.limit = MEMBERSHIPS_MAX;
    if (gh_org_member_list(f->req->app, f->instance_id, &f_, &v, &n, err) == -1) {
        json_decref(a);
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        struct gh_err e = { 0 };
        json_t       *j = gh_fapi_render_membership(f, v[i], NULL, &e); /* org gone: skip */

        if (j != NULL && json_array_append_new(a, j) == -1)
            break;
    }
    gh_org_memberships_free(v, n);
    return a;
}

json_t *
gh_fapi_render_user(struct gh_fapi *f, const struct gh_user *u, struct gh_err *err)
{
    json_t *o = gh_render_user(f->req->app, u), *m;

    if (o == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        return NULL;
    }
    json_object_del(o, "private_metadata"); /* server-only, never to a browser */
    if (gh_fapi_user_emails(f, u, o, err) == -1) { /* with their code state (render_me.c) */
        json_decref(o);
        return NULL;
    }
    if ((m = memberships_of(f, u, err)) == NULL ||
        json_object_set_new(o, "organization_memberships", m) == -1) {
        json_decref(o);
        if (err->code == GH_E_OK)
            GH_FAIL(err, GH_E_NOMEM, NULL);
        return NULL;
    }
    json_object_set_new(o, "profile_image_id", json_string(""));
    return o;
}

/* The primary email (or username) a session's account is shown by. */
static const char *
identifier_of(const struct gh_user *u)
{
    for (size_t i = 0; i < u->nidents; i++)
        if (u->primary_email_id != NULL && strcmp(u->idents[i].id, u->primary_email_id) == 0)
            return u->idents[i].value;
    for (size_t i = 0; i < u->nidents; i++)
        if (u->idents[i].type == GH_IDENT_EMAIL)
            return u->idents[i].value;
    return u->username != NULL ? u->username : "";
}

json_t *
gh_fapi_render_public_user_data(struct gh_fapi *f, const struct gh_user *u)
{
    json_t *full = gh_render_user(f->req->app, u);
    json_t *img = full != NULL ? json_incref(json_object_get(full, "image_url")) : NULL;

    json_decref(full);
    return json_pack("{s:o,s:o,s:o,s:b,s:s,s:s,s:o}",
        "first_name", gh_api_str(u->first_name),
        "last_name", gh_api_str(u->last_name),
        "image_url", img != NULL ? img : json_string(""),
        "has_image", 0,
        "identifier", identifier_of(u),
        "user_id", u->id,
        "username", gh_api_str(u->username));
}

/* {object:"token", jwt} for the session, or null when it cannot be minted
 * (clerk-js then asks /tokens itself). */
static json_t *
last_token(struct gh_fapi *f, const struct gh_session *s)
{
    struct gh_err e = { 0 };
    char         *jwt = NULL;
    json_t       *t;

    if (gh_token_mint(f->req->app, f->instance_id, s->id, gh_fapi_origin(f), 0, &jwt, &e) == -1)
        return json_null();
    t = json_pack("{s:s,s:s}", "object", "token", "jwt", jwt);
    gh_secret_free(jwt);
    return t != NULL ? t : json_null();
}

json_t *
gh_fapi_render_session(struct gh_fapi *f, const struct gh_session *s, const struct gh_user *u,
    struct gh_err *err)
{
    struct gh_user *owned = NULL;
    json_t         *user = NULL, *pud = NULL, *o = NULL;

    if (u == NULL) {
        if (gh_user_get(f->req->app, f->instance_id, s->user_id, &owned, err) == -1)
            return NULL;
        u = owned;
    }
    if ((user = gh_fapi_render_user(f, u, err)) == NULL)
        goto done;
    pud = gh_fapi_render_public_user_data(f, u);
    o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:n,s:n,s:[ii],s:o,s:o,s:o,s:o}",
        "object", "session",
        "id", s->id,
        "status", s->status,
        "expire_at", gh_api_time(s->expire_at),
        "abandon_at", gh_api_time(s->abandon_at),
        "last_active_at", gh_api_time(s->last_active_at),
        "last_active_organization_id", gh_api_str(s->active_org_id),
        "last_active_token", strcmp(s->status, "active") == 0 ? last_token(f, s) : json_null(),
        "actor",
        "tasks",
        "factor_verification_age", 0, -1,
        "user", user,
        "public_user_data", pud != NULL ? pud : json_null(),
        "created_at", gh_api_time(s->created_at),
        "updated_at", gh_api_time(s->updated_at));
    user = pud = NULL; /* stolen by json_pack, also on failure */
    if (o == NULL)
        GH_FAIL(err, GH_E_NOMEM, NULL);
done:
    gh_user_free(owned);
    return o;
}

static json_t *
sessions_of(struct gh_fapi *f, struct gh_err *err)
{
    struct gh_session **v = NULL;
    size_t              n = 0;
    json_t             *a = NULL;

    if (gh_client_sessions(f->req->app, f->instance_id, f->client->id, &v, &n, err) == -1)
        return NULL;
    gh_client_pick_session(f->client, v, n);
    if ((a = json_array()) == NULL)
        GH_FAIL(err, GH_E_NOMEM, NULL);
    for (size_t i = 0; a != NULL && i < n; i++) {
        json_t *s = gh_fapi_render_session(f, v[i], NULL, err);

        if (s == NULL || json_array_append_new(a, s) == -1) {
            json_decref(a);
            a = NULL;
        }
    }
    gh_sessions_free(v, n);
    return a;
}

/* The client's sign-in (or sign-up) in progress, rendered; null when none. */
static json_t *
attempt_of(struct gh_fapi *f, int sign_up, struct gh_err *err)
{
    const char    *id = sign_up ? f->client->sign_up_id : f->client->sign_in_id;
    struct gh_err  ge = { 0 };
    json_t        *j = NULL;

    if (id[0] == '\0')
        return json_null();
    if (sign_up) {
        struct gh_sign_up *su = NULL;

        if (gh_store_sign_up_get(f->req->app->store, f->instance_id, id, &su, &ge) == 0)
            j = gh_fapi_render_sign_up(f, su, err);
        gh_sign_up_free(su);
    } else {
        struct gh_sign_in *si = NULL;

        if (gh_store_sign_in_get(f->req->app->store, f->instance_id, id, &si, &ge) == 0)
            j = gh_fapi_render_sign_in(f, si, err);
        gh_sign_in_free(si);
    }
    if (ge.code != GH_E_OK && ge.code != GH_E_NOT_FOUND) {
        *err = ge;
        return NULL;
    }
    return j != NULL || err->code != GH_E_OK ? j : json_null();
}

json_t *
gh_fapi_render_client(struct gh_fapi *f, struct gh_err *err)
{
    json_t *sessions, *si = NULL, *su = NULL, *o;
    char    before[GH_ID_MAX];

    gh_strlcpy(before, f->client->last_active_session_id, sizeof(before));
    if ((sessions = sessions_of(f, err)) == NULL)
        return NULL;
    if ((si = attempt_of(f, 0, err)) == NULL || (su = attempt_of(f, 1, err)) == NULL) {
        json_decref(sessions);
        json_decref(si);
        return NULL;
    }
    /* The current session ended elsewhere (revoked, expired): remember the new pick. */
    if (strcmp(before, f->client->last_active_session_id) != 0)
        (void)gh_fapi_client_save(f, &(struct gh_err){ 0 });
    o = json_pack("{s:s,s:s,s:o,s:o,s:o,s:o,s:n,s:I,s:b,s:I,s:I}",
        "object", "client",
        "id", f->client->id,
        "sessions", sessions,
        "sign_in", si,
        "sign_up", su,
        "last_active_session_id", gh_api_str(f->client->last_active_session_id[0] != '\0'
                                                 ? f->client->last_active_session_id : NULL),
        "last_authentication_strategy",
        "cookie_expires_at", (json_int_t)(f->client->created_at + GH_CLIENT_LIFETIME_MS),
        "captcha_bypass", 0,
        "created_at", (json_int_t)f->client->created_at,
        "updated_at", (json_int_t)f->client->updated_at);
    if (o == NULL)
        GH_FAIL(err, GH_E_NOMEM, NULL);
    return o;
}
