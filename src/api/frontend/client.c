/* client.c: the Frontend API's client routes (spec FAPI §3.1, §3.6): read
 * the browser's client, sign out (end every session, keep the client), delete
 * the client, and the dev-browser handshake that hands a token to browsers
 * that cannot keep the cookie. */
#include <stdlib.h>
#include <string.h>

#include "api/frontend/fapi.h"
#include "api/frontend/frontend.h"
#include "api/frontend/render.h"
#include "core/app.h"
#include "core/client.h"
#include "crypto/crypto.h"

/* GET /v1/client: {"response": client or null, "client": null}. */
int
gh_fapi_client_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_fapi f;
    json_t        *c = NULL, *env;
    int            rc = -1;

    if (gh_fapi_begin(req, resp, &f, err) == -1)
        goto done;
    if (f.client != NULL && (c = gh_fapi_render_client(&f, err)) == NULL)
        goto done;
    if ((env = json_pack("{s:o,s:n}", "response", c != NULL ? c : json_null(), "client")) ==
        NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    gh_resp_json(resp, 200, env);
    rc = 0;
done:
    gh_fapi_end(&f);
    return rc;
}

/* DELETE /v1/client/sessions: sign-out of every session; the client stays. */
int
gh_fapi_client_sessions_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_fapi f;
    json_t        *c;
    int            rc = -1;

    if (gh_fapi_begin(req, resp, &f, err) == -1)
        goto done;
    if (f.client == NULL) { /* nothing to sign out of */
        rc = gh_fapi_reply(&f, NULL, err);
        goto done;
    }
    if (gh_client_sign_out(req->app, f.instance_id, f.client, err) == -1 ||
        (c = gh_fapi_render_client(&f, err)) == NULL)
        goto done;
    rc = gh_fapi_reply(&f, c, err);
done:
    gh_fapi_end(&f);
    return rc;
}

/* DELETE /v1/client: sign-out, then the client itself is deleted and the
 * cookie cleared. */
int
gh_fapi_client_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_fapi f;
    json_t        *del;
    int            rc = -1;

    if (gh_fapi_begin(req, resp, &f, err) == -1)
        goto done;
    if (f.client == NULL) {
        rc = gh_fapi_reply(&f, NULL, err);
        goto done;
    }
    if (gh_client_destroy(req->app, f.instance_id, f.client, err) == -1)
        goto done;
    del = json_pack("{s:s,s:s,s:b}", "object", "client", "id", f.client->id, "deleted", 1);
    gh_fapi_end(&f); /* the client is gone: the envelope carries null */
    gh_resp_header(resp, "Set-Cookie", GH_FAPI_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
    rc = gh_fapi_reply(&f, del, err);
done:
    gh_fapi_end(&f);
    return rc;
}

/* POST /v1/dev_browser (spec FAPI §5.3): a new client whose token travels in
 * ?__clerk_db_jwt= instead of a cookie. Sent without credentials. */
int
gh_fapi_dev_browser_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_client *c = NULL;
    char             *token = NULL;
    json_t           *o;

    if (gh_client_create(req->app, req->app->instance->id, &c, &token, err) == -1)
        return -1;
    o = json_pack("{s:s}", "id", token);
    gh_secret_free(token);
    free(c);
    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}
