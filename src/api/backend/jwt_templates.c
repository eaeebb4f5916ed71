/* jwt_templates.c: the Backend API's /v1/jwt_templates handlers (spec §B4,
 * shape §C9) and POST /v1/sessions/:id/tokens/:template_name (the call behind
 * `getToken({template})`). Rules live in core/jwt_template.c and the
 * shortcode language in core/template.c; this file reads bodies and renders.
 * A template's signing key is accepted here and never rendered. */
#include "api/backend/backend.h"

#include <stdlib.h>
#include <string.h>

#include "api/params.h"
#include "core/app.h"
#include "core/jwt_template.h"
#include "crypto/crypto.h"

#define TOKEN_LIFETIME_MIN 30        /* expires_in_seconds bounds (s), as for session tokens */
#define TOKEN_LIFETIME_MAX 315360000

static const char *
instance_of(const struct gh_req *req)
{
    return req->instance_id[0] != '\0' ? req->instance_id : req->app->instance->id;
}

static const char *
path_param(const struct gh_req *req, size_t i)
{
    return req->nparams > i ? req->params[i] : "";
}

/* A "jwt_template" object (§C9). claims is stored as text we validated. */
static json_t *
render_template(const struct gh_jwt_template *t)
{
    json_t *claims = gh_api_obj_text(t->claims);

    if (claims == NULL)
        return NULL;
    return json_pack("{s:s,s:s,s:s,s:o,s:I,s:I,s:b,s:s,s:I,s:I}",
        "object", "jwt_template",
        "id", t->id,
        "name", t->name,
        "claims", claims,
        "lifetime", (json_int_t)t->lifetime,
        "allowed_clock_skew", (json_int_t)t->allowed_clock_skew,
        "custom_signing_key", t->custom_signing_key != 0,
        "signing_algorithm", t->signing_algorithm,
        "created_at", (json_int_t)t->created_at,
        "updated_at", (json_int_t)t->updated_at);
}

static int
reply_template(struct gh_resp *resp, const struct gh_jwt_template *t, struct gh_err *err)
{
    json_t *o = render_template(t);

    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

/* claims: an object (sent verbatim by the SDK), or a string of JSON text. */
static int
read_claims(json_t *body, char **out, struct gh_err *err)
{
    json_t *v = json_object_get(body, "claims");

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (json_is_string(v))
        *out = strdup(json_string_value(v));
    else if (json_is_object(v))
        *out = json_dumps(v, JSON_COMPACT);
    else
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "claims", "must be a JSON object");
    return *out != NULL ? 0 : GH_FAIL(err, GH_E_NOMEM, NULL);
}

/* The body of create and update; *claims malloc'd (caller frees). */
static int
read_params(struct gh_req *req, struct gh_jwt_template_params *p, char **claims,
    struct gh_err *err)
{
    json_t *body;

    memset(p, 0, sizeof(*p));
    *claims = NULL;
    if (gh_req_json(req, &body, err) == -1 || gh_api_body_str(body, "name", &p->name, err) == -1 ||
        gh_api_body_int(body, "lifetime", &p->has_lifetime, &p->lifetime, err) == -1 ||
        gh_api_body_int(body, "allowed_clock_skew", &p->has_skew, &p->allowed_clock_skew,
            err) == -1 ||
        gh_api_body_bool(body, "custom_signing_key", &p->has_custom, &p->custom_signing_key,
            err) == -1 ||
        gh_api_body_str(body, "signing_algorithm", &p->signing_algorithm, err) == -1 ||
        gh_api_body_str(body, "signing_key", &p->signing_key, err) == -1 ||
        read_claims(body, claims, err) == -1)
        return -1;
    p->claims = *claims;
    return 0;
}

int
gh_api_jwt_templates_list(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_jwt_template **v = NULL;
    size_t                   n = 0;
    int64_t                  limit, offset, total = 0;
    json_t                  *arr = NULL, *list;
    int                      rc = -1;

    if (gh_api_paging(req, &limit, &offset, err) == -1 ||
        gh_jwt_template_list(req->app, instance_of(req), limit, offset, &v, &n, err) == -1)
        goto done;
    if (gh_api_paginated(req) &&
        gh_jwt_template_count(req->app, instance_of(req), &total, err) == -1)
        goto done;
    if ((arr = json_array()) == NULL)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        if (json_array_append_new(arr, render_template(v[i])) == -1)
            goto nomem;
    if (gh_api_paginated(req)) {
        list = gh_api_list(arr, total);
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
    gh_jwt_templates_free(v, n);
    return rc;
}

int
gh_api_jwt_templates_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_jwt_template_params p;
    struct gh_jwt_template       *t = NULL;
    char                         *claims = NULL;
    int                           rc = -1;

    if (read_params(req, &p, &claims, err) == 0 &&
        gh_jwt_template_create(req->app, instance_of(req), &p, &t, err) == 0)
        rc = reply_template(resp, t, err);
    gh_jwt_template_free(t);
    free(claims);
    return rc;
}

int
gh_api_jwt_templates_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_jwt_template *t = NULL;
    int                     rc = -1;

    if (gh_jwt_template_get(req->app, instance_of(req), path_param(req, 0), &t, err) == 0)
        rc = reply_template(resp, t, err);
    gh_jwt_template_free(t);
    return rc;
}

int
gh_api_jwt_templates_update(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_jwt_template_params p;
    struct gh_jwt_template       *t = NULL;
    char                         *claims = NULL;
    int                           rc = -1;

    if (read_params(req, &p, &claims, err) == 0 &&
        gh_jwt_template_update(req->app, instance_of(req), path_param(req, 0), &p, &t, err) == 0)
        rc = reply_template(resp, t, err);
    gh_jwt_template_free(t);
    free(claims);
    return rc;
}

int
gh_api_jwt_templates_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    const char *id = path_param(req, 0);
    json_t     *o;

    if (gh_jwt_template_delete(req->app, instance_of(req), id, err) == -1)
        return -1;
    if ((o = gh_api_deleted("jwt_template", id)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

/* {expires_in_seconds?}: absent → the template's lifetime. */
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

int
gh_api_sessions_token_template(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    char   *jwt = NULL;
    json_t *o;
    int64_t lifetime;

    if (read_lifetime(req, &lifetime, err) == -1 ||
        gh_jwt_template_mint(req->app, instance_of(req), path_param(req, 0), path_param(req, 1),
            gh_req_header(req, "Origin"), lifetime, &jwt, err) == -1)
        return -1;
    o = json_pack("{s:s,s:s}", "object", "token", "jwt", jwt);
    gh_secret_free(jwt);
    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}
