/* sessions.c: the Frontend API's session routes (spec FAPI §3.6): touch
 * (make a session current, set its active organization), mint its token (or
 * a JWT-template token), end or remove it, read it. Every route acts only on
 * an active session of the requesting client; anything else is 401
 * signed_out, so clerk-js reloads the client and signs out locally. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/frontend/fapi.h"
#include "api/frontend/frontend.h"
#include "api/frontend/render.h"
#include "core/app.h"
#include "core/client.h"
#include "core/jwt_template.h"
#include "core/org.h"
#include "core/session.h"
#include "core/token.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/str.h"

/* The client's active session named by the path. */
static int
path_session(struct gh_fapi *f, struct gh_session **out, struct gh_err *err)
{
    const char *sid = f->req->nparams > 0 ? f->req->params[0] : "";

    if (gh_client_session(f->req->app, f->instance_id, f->client, sid, out, err) == -1) {
        if (err->code == GH_E_NOT_FOUND) {
            gh_err_clear(err);
            GH_FAIL(err, GH_E_SIGNED_OUT, NULL);
        }
        return -1;
    }
    return 0;
}

/* Sets s's active organization from form field `key` when it was sent:
 * "" means personal; an organization must have the session's user as a
 * member (else 403 not_allowed_access... as Clerk answers). */
static int
apply_org(struct gh_fapi *f, struct gh_session *s, const char *key, struct gh_err *err)
{
    struct gh_org_membership *m = NULL;
    int                       present;
    const char               *org = gh_fapi_str_raw(f, key, &present);
    const char               *cur = s->active_org_id != NULL ? s->active_org_id : "";

    if (!present || org == NULL || strcmp(org, cur) == 0)
        return 0;
    if (org[0] != '\0') {
        if (gh_org_member_find(f->req->app, f->instance_id, org, s->user_id, &m, err) == -1)
            return -1;
        if (m == NULL)
            return GH_FAIL_PARAM(err, GH_E_NOT_ALLOWED_ACCESS, key,
                "You are not a member of this organization.");
        gh_org_membership_free(m);
    }
    if (gh_store_session_set_org(f->req->app->store, f->instance_id, s->id, org, gh_now_ms(),
            err) == -1)
        return -1;
    if (f->req->app->tokens != NULL) /* cached tokens carry the old "o" claim */
        gh_token_cache_drop(f->req->app->tokens, s->id);
    free(s->active_org_id);
    s->active_org_id = org[0] != '\0' ? gh_strdup(org) : NULL;
    return 0;
}

static int
reply_session(struct gh_fapi *f, const struct gh_session *s, struct gh_err *err)
{
    json_t *j = gh_fapi_render_session(f, s, NULL, err);

    return j != NULL ? gh_fapi_reply(f, j, err) : -1;
}

/* POST /v1/client/sessions/:id/touch (active_organization_id, intent). */
int
gh_fapi_session_touch(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_fapi     f;
    struct gh_session *s = NULL;
    int                rc = -1;

    if (gh_fapi_begin(req, resp, &f, err) == -1 || path_session(&f, &s, err) == -1 ||
        apply_org(&f, s, "active_organization_id", err) == -1)
        goto done;
    gh_fapi_session_seen(&f, s);
    gh_strlcpy(f.client->last_active_session_id, s->id, sizeof(f.client->last_active_session_id));
    if (gh_store_session_touch(req->app->store, f.instance_id, s->id, gh_now_ms(), err) == -1 ||
        gh_fapi_client_save(&f, err) == -1)
        goto done;
    rc = reply_session(&f, s, err);
done:
    gh_session_free(s);
    gh_fapi_end(&f);
    return rc;
}

/* POST /v1/client/sessions/:id/tokens (organization_id): the bare token. */
int
gh_fapi_session_token(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_fapi     f;
    struct gh_session *s = NULL;
    char              *jwt = NULL;
    int                rc = -1;

    if (gh_fapi_begin(req, resp, &f, err) == -1 || path_session(&f, &s, err) == -1 ||
        apply_org(&f, s, "organization_id", err) == -1)
        goto done;
    gh_fapi_session_seen(&f, s); /* writes only when the browser changed */
    if (gh_token_mint(req->app, f.instance_id, s->id, gh_fapi_origin(&f), 0, &jwt, err) == -1)
        goto done;
    rc = gh_fapi_reply_bare(&f, json_pack("{s:s,s:s}", "object", "token", "jwt", jwt), err);
done:
    gh_secret_free(jwt);
    gh_session_free(s);
    gh_fapi_end(&f);
    return rc;
}

/* POST /v1/client/sessions/:id/tokens/:template */
int
gh_fapi_session_token_template(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_fapi     f;
    struct gh_session *s = NULL;
    char              *jwt = NULL;
    int                rc = -1;

    if (gh_fapi_begin(req, resp, &f, err) == -1 || path_session(&f, &s, err) == -1)
        goto done;
    if (gh_jwt_template_mint(req->app, f.instance_id, s->id, req->params[1], gh_fapi_origin(&f),
            0, &jwt, err) == -1)
        goto done;
    rc = gh_fapi_reply_bare(&f, json_pack("{s:s,s:s}", "object", "token", "jwt", jwt), err);
done:
    gh_secret_free(jwt);
    gh_session_free(s);
    gh_fapi_end(&f);
    return rc;
}

/* end / remove: the session leaves the client's signed-in list. */
static int
finish(struct gh_req *req, struct gh_resp *resp, const char *to, struct gh_err *err)
{
    struct gh_fapi     f;
    struct gh_session *s = NULL;
    int                rc = -1;

    if (gh_fapi_begin(req, resp, &f, err) == -1 || path_session(&f, &s, err) == -1 ||
        gh_session_finish(req->app, f.instance_id, s->id, to, err) == -1)
        goto done;
    snprintf(s->status, sizeof(s->status), "%s", to);
    if (strcmp(f.client->last_active_session_id, s->id) == 0) {
        f.client->last_active_session_id[0] = '\0';
        if (gh_fapi_client_save(&f, err) == -1)
            goto done;
    }
    rc = reply_session(&f, s, err);
done:
    gh_session_free(s);
    gh_fapi_end(&f);
    return rc;
}

int
gh_fapi_session_end(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return finish(req, resp, "ended", err);
}

int
gh_fapi_session_remove(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return finish(req, resp, "removed", err);
}

/* GET /v1/client/sessions/:id */
int
gh_fapi_session_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_fapi     f;
    struct gh_session *s = NULL;
    int                rc = -1;

    if (gh_fapi_begin(req, resp, &f, err) == -1 || path_session(&f, &s, err) == -1)
        goto done;
    rc = reply_session(&f, s, err);
done:
    gh_session_free(s);
    gh_fapi_end(&f);
    return rc;
}
