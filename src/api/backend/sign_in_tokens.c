/* sign_in_tokens.c: the Backend API's /v1/sign_in_tokens handlers (spec §B5,
 * shape §C9): create (the only reply that carries the token and its url)
 * and revoke. Rules live in core/sign_in_token.c. */
#include <string.h>

#include "api/backend/backend.h"
#include "api/params.h"
#include "core/app.h"
#include "core/sign_in_token.h"
#include "crypto/crypto.h"

static const char *
instance_of(const struct gh_req *req)
{
    return req->instance_id[0] != '\0' ? req->instance_id : req->app->instance->id;
}

/* A "sign_in_token" object; token and url NULL after creation. */
static json_t *
render(const struct gh_sign_in_token *t, const char *token, const char *url)
{
    return json_pack("{s:s,s:s,s:s,s:o,s:s,s:o,s:o,s:o}",
        "object", "sign_in_token",
        "id", t->id,
        "user_id", t->user_id,
        "token", gh_api_str(token),
        "status", t->status,
        "url", gh_api_str(url),
        "created_at", gh_api_time(t->created_at),
        "updated_at", gh_api_time(t->updated_at));
}

int
gh_api_sign_in_tokens_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_sign_in_token t;
    json_t                 *body, *o;
    const char             *user_id;
    char                   *token = NULL, *url = NULL;
    int64_t                 ttl = 0;
    int                     present = 0;

    if (gh_req_json(req, &body, err) == -1 || gh_api_body_str(body, "user_id", &user_id, err) == -1 ||
        gh_api_body_int(body, "expires_in_seconds", &present, &ttl, err) == -1)
        return -1;
    if (present && ttl == 0)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "expires_in_seconds",
            "must be between 1 and 315360000");
    if (gh_sign_in_token_create(req->app, instance_of(req), user_id, ttl, &t, &token, &url,
            err) == -1)
        return -1;
    o = render(&t, token, url);
    gh_secret_free(token);
    gh_secret_free(url);
    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

int
gh_api_sign_in_tokens_revoke(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_sign_in_token t;
    json_t                 *o;

    if (gh_sign_in_token_revoke(req->app, instance_of(req), req->nparams > 0 ? req->params[0] : "",
            &t, err) == -1)
        return -1;
    if ((o = render(&t, NULL, NULL)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}
