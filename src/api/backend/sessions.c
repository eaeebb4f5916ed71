/* sessions.c: the Backend API's /v1/sessions handlers (spec §B4, shape §C7):
 * list, create, get, revoke, and minting a session token. Rules live in
 * core/session.c and core/token.c; this file reads the query or body and
 * renders. JWT template tokens (POST …/tokens/:template) are in jwt_templates.c. */
#include "api/backend/backend.h"

#include <stdlib.h>
#include <string.h>

#include "api/backend/render.h"
#include "api/params.h"
#include "core/app.h"
#include "core/id.h"
#include "core/org.h" /* active organization check (issue 3) */
#include "core/session.h"
#include "core/token.h"
#include "crypto/crypto.h"
#include "util/buf.h"

#define TOKEN_LIFETIME_MIN 30         /* expires_in_seconds bounds (s) */
#define TOKEN_LIFETIME_MAX 315360000  /* ten years */

/* The instance the call works in: the secret key's (set by auth) or, on
 * public routes, the default instance. */
static const char *
instance_of(const struct gh_req *req)
{
    return req->instance_id[0] != '\0' ? req->instance_id : req->app->instance->id;
}

static const char *
path_id(const struct gh_req *req)
{
    return req->nparams > 0 ? req->params[0] : "";
}

/* A "session" object (§C7). Never a "deleted" key: the SDK would decode the
 * object as DeletedObject. */
static json_t *
render_session(const struct gh_session *s)
{
    json_t *actor = s->actor != NULL ? json_loads(s->actor, 0, NULL) : NULL;

    if (actor != NULL && !json_is_object(actor)) {
        json_decref(actor);
        actor = NULL;
    }
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:n,s:n}",
        "object", "session",
        "id", s->id,
        "user_id", s->user_id,
        "client_id", s->client_id,
        "status", s->status,
        "actor", actor != NULL ? actor : json_null(),
        "last_active_organization_id", gh_api_str(s->active_org_id),
        "last_active_at", gh_api_time(s->last_active_at),
        "expire_at", gh_api_time(s->expire_at),
        "abandon_at", gh_api_time(s->abandon_at),
        "created_at", gh_api_time(s->created_at),
        "updated_at", gh_api_time(s->updated_at),
        "latest_activity",
        "tasks");
}

/* webhooks (issue 5): session.* events render the same object. */
json_t *
gh_render_session(const struct gh_session *s)
{
    return render_session(s);
}

static int
reply_session(struct gh_resp *resp, const struct gh_session *s, struct gh_err *err)
{
    json_t *o = render_session(s);

    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

/* user_id, client_id, status (one of Clerk's statuses), limit, offset. */
static int
read_filter(const struct gh_req *req, struct gh_session_filter *f, struct gh_err *err)
{
    memset(f, 0, sizeof(*f));
    f->user_id = gh_req_query(req, "user_id");
    f->client_id = gh_req_query(req, "client_id");
    f->status = gh_req_query(req, "status");
    if (f->status != NULL && !gh_session_status_valid(f->status))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "status",
            "must be one of active, revoked, ended, expired, removed, abandoned, replaced, "
            "pending");
    return gh_api_paging(req, &f->limit, &f->offset, err);
}

int
gh_api_sessions_list(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_session_filter f;
    struct gh_session      **v = NULL;
    size_t                   n = 0;
    int64_t                  total = 0;
    json_t                  *arr = NULL;
    int                      rc = -1;

    if (read_filter(req, &f, err) == -1 ||
        gh_session_list(req->app, instance_of(req), &f, &v, &n, err) == -1)
        goto done;
    if (gh_api_paginated(req) && gh_session_count(req->app, instance_of(req), &f, &total, err) == -1)
        goto done;
    if ((arr = json_array()) == NULL)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        if (json_array_append_new(arr, render_session(v[i])) == -1)
            goto nomem;
    if (gh_api_paginated(req)) {
        json_t *list = gh_api_list(arr, total);

        arr = NULL; /* stolen, also on failure */
        if (list == NULL)
            goto nomem;
        gh_resp_json(resp, 200, list);
    } else {
        gh_resp_json(resp, 200, arr);
        arr = NULL;
    }
    rc = 0;
    goto done;
nomem:
    GH_FAIL(err, GH_E_NOMEM, NULL);
done:
    json_decref(arr);
    gh_sessions_free(v, n);
    return rc;
}

/* The active organization must be one the user is a member of (issue 3). */
static int
check_active_org(struct gh_req *req, const char *user_id, const char *org_id,
    struct gh_err *err)
{
    struct gh_org_membership *m = NULL;

    if (gh_org_member_find(req->app, instance_of(req), org_id, user_id, &m, err) == -1)
        return -1;
    if (m == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "active_organization_id",
            "is not an organization the user is a member of");
    gh_org_membership_free(m);
    return 0;
}

int
gh_api_sessions_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_session *s = NULL;
    json_t            *body;
    const char        *user_id, *org_id;
    int                rc = -1;

    if (gh_req_json(req, &body, err) == -1 || gh_api_body_str(body, "user_id", &user_id, err) == -1 ||
        gh_api_body_str(body, "active_organization_id", &org_id, err) == -1)
        return -1;
    if (user_id == NULL || *user_id == '\0')
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "user_id", NULL);
    if (org_id != NULL && *org_id == '\0')
        org_id = NULL;
    if (org_id != NULL && !gh_id_valid("org", org_id))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "active_organization_id", NULL);
    if (org_id != NULL && check_active_org(req, user_id, org_id, err) == -1) /* issue 3 */
        return -1;
    if (gh_session_create(req->app, instance_of(req), user_id, org_id, &s, err) == 0)
        rc = reply_session(resp, s, err);
    gh_session_free(s);
    return rc;
}

int
gh_api_sessions_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_session *s = NULL;
    int                rc = -1;

    if (gh_session_get(req->app, instance_of(req), path_id(req), &s, err) == 0)
        rc = reply_session(resp, s, err);
    gh_session_free(s);
    return rc;
}

int
gh_api_sessions_revoke(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_session *s = NULL;
    int                rc = -1;

    if (gh_session_revoke(req->app, instance_of(req), path_id(req), &s, err) == 0)
        rc = reply_session(resp, s, err);
    gh_session_free(s);
    return rc;
}

/* {expires_in_seconds?}: absent → the configured lifetime and the reuse cache. */
static int
read_lifetime(struct gh_req *req, int64_t *out, struct gh_err *err)
{
    json_t *body;
    int     present = 0;

    *out = 0;
    if (gh_req_json(req, &body, err) == -1 ||
        gh_api_body_int(body, "expires_in_seconds", &present, out, err) == -1)
        return -1;
    if (present && (*out < TOKEN_LIFETIME_MIN || *out > TOKEN_LIFETIME_MAX))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "expires_in_seconds",
            "must be between 30 and 315360000");
    if (!present)
        *out = 0;
    return 0;
}

#define JWT_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_."

int
gh_api_sessions_token(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    char   *jwt = NULL;
    json_t *o;
    int64_t lifetime;

    if (read_lifetime(req, &lifetime, err) == -1)
        return -1;
    if (gh_token_mint(req->app, instance_of(req), path_id(req), gh_req_header(req, "Origin"),
            lifetime, &jwt, err) == -1)
        return -1;
    /* The hot path of every refresh: a compact JWT is base64url and dots,
     * nothing JSON must escape, so the body is put together directly
     * (jansson's per-character string dump was ~14 % of a reused mint's
     * CPU; issue 7). Anything else goes through jansson. */
    if (jwt[strspn(jwt, JWT_CHARS)] == '\0') {
        struct gh_buf b;
        char         *body;

        gh_buf_init(&b, strlen(jwt) + 64);
        gh_buf_add(&b, "{\"object\":\"token\",\"jwt\":\"");
        gh_buf_add(&b, jwt);
        gh_buf_add(&b, "\"}");
        gh_secret_free(jwt);
        if ((body = gh_buf_take(&b)) == NULL)
            return GH_FAIL(err, GH_E_NOMEM, NULL);
        gh_resp_json_text(resp, 200, body);
        gh_memzero(body, strlen(body));
        free(body);
        return 0;
    }
    o = json_pack("{s:s,s:s}", "object", "token", "jwt", jwt);
    gh_secret_free(jwt);
    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}
