/* email_addresses.c: /v1/email_addresses handlers (spec §B5): an admin
 * adding, verifying, promoting and removing a user's email addresses. The
 * rules (normalisation, uniqueness, keeping primary_email_id valid) are in
 * core/ident.c; this file reads the body and renders the result. */
#include "api/backend/backend.h"

#include "api/backend/render.h"
#include "api/params.h"
#include "core/ident.h"

static const char *
path_id(const struct gh_req *req)
{
    return req->nparams > 0 ? req->params[0] : "";
}

static int
reply_email(struct gh_resp *resp, const struct gh_ident *i, struct gh_err *err)
{
    json_t *o = gh_render_email_address(i);

    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

/* verified and primary: absent → -1 (keep / default), else 0 or 1. */
static int
read_flags(json_t *body, int *verified, int *primary, struct gh_err *err)
{
    int present, v;

    *verified = *primary = -1;
    if (gh_api_body_bool(body, "verified", &present, &v, err) == -1)
        return -1;
    if (present)
        *verified = v;
    if (gh_api_body_bool(body, "primary", &present, &v, err) == -1)
        return -1;
    if (present)
        *primary = v;
    return 0;
}

int
gh_api_email_addresses_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_ident *i = NULL;
    const char      *user_id, *email;
    json_t          *body;
    int              verified, primary, rc = -1;

    if (gh_req_json(req, &body, err) == -1 ||
        gh_api_body_str(body, "user_id", &user_id, err) == -1 ||
        gh_api_body_str(body, "email_address", &email, err) == -1 ||
        read_flags(body, &verified, &primary, err) == -1)
        goto done;
    if (user_id == NULL) {
        GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "user_id", NULL);
        goto done;
    }
    if (email == NULL) {
        GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "email_address", NULL);
        goto done;
    }
    /* Clerk's default here is unverified unless told otherwise (unlike POST
     * /users, where admin-created addresses are verified). */
    if (gh_ident_add(req->app, req->instance_id, user_id, GH_IDENT_EMAIL, email, verified == 1,
            primary == 1, &i, err) == -1)
        goto done;
    rc = reply_email(resp, i, err);
done:
    gh_ident_free(i);
    return rc;
}

int
gh_api_email_addresses_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_ident *i = NULL;
    int              rc = -1;

    if (gh_ident_load(req->app, req->instance_id, path_id(req), GH_IDENT_EMAIL, &i, err) == 0)
        rc = reply_email(resp, i, err);
    gh_ident_free(i);
    return rc;
}

int
gh_api_email_addresses_update(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_ident *i = NULL;
    json_t          *body;
    int              verified, primary, rc = -1;

    if (gh_req_json(req, &body, err) == -1 || read_flags(body, &verified, &primary, err) == -1)
        goto done;
    if (gh_ident_modify(req->app, req->instance_id, path_id(req), GH_IDENT_EMAIL, verified,
            primary, &i, err) == -1)
        goto done;
    rc = reply_email(resp, i, err);
done:
    gh_ident_free(i);
    return rc;
}

int
gh_api_email_addresses_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    json_t *o;

    if (gh_ident_remove(req->app, req->instance_id, path_id(req), GH_IDENT_EMAIL, err) == -1)
        return -1;
    if ((o = gh_api_deleted("email_address", path_id(req))) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}
