/* jwks.c: GET /v1/jwks (Backend API, behind the secret key) and the public
 * /.well-known/jwks.json on the frontend listener: the instance's public keys
 * as a JWKS document (spec §C9), built once when the keyring loads. The SDK
 * reads the body raw ({"keys":[…]} has no "object"), so it is sent as is. */
#include "api/backend/backend.h"

#include "core/app.h"

int
gh_api_jwks_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    const char *jwks = gh_app_jwks_json(req->app);

    /* One keyring per process today: the default instance's. A Backend API
     * call (req->instance_id set) and the public route get the same keys. */
    if (jwks == NULL)
        return GH_FAIL(err, GH_E_INTERNAL, "no signing keys loaded");
    gh_resp_json_text(resp, 200, jwks);
    return 0;
}
