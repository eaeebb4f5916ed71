/* cors.c: CORS for the Frontend API (spec FAPI §5.2). clerk-js calls from
 * the app's origin with credentials, so an allowed Origin is echoed (never
 * "*") with Allow-Credentials and Vary: Origin; the headers clerk-js reads
 * are exposed. Which origins are allowed is core's rule (core/origin.h).
 * Static bundles set their own "Access-Control-Allow-Origin: *". */
#include <string.h>

#include "core/origin.h"
#include "http/server.h"

#define EXPOSE  "Clerk-Db-Jwt, X-Country, Retry-After, Authorization"
#define METHODS "GET, POST, PUT, PATCH, DELETE"

static const char *
origin_of(struct gh_http_req *r)
{
    return gh_req_header(&r->req, "Origin");
}

void
gh_http_cors_headers(struct gh_http_req *r)
{
    const char *o = origin_of(r);

    gh_resp_header(&r->resp, "Vary", "Origin");
    if (o == NULL || !gh_origin_allowed(r->req.app, o))
        return;
    gh_resp_header(&r->resp, "Access-Control-Allow-Origin", o);
    gh_resp_header(&r->resp, "Access-Control-Allow-Credentials", "true");
    gh_resp_header(&r->resp, "Access-Control-Expose-Headers", EXPOSE);
}

int
gh_http_cors_origin_ok(struct gh_http_req *r)
{
    const char *o = origin_of(r);
    const char *m = r->req.method;

    if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || o == NULL)
        return 1;
    return gh_origin_allowed(r->req.app, o);
}

int
gh_http_cors_preflight(struct gh_http_req *r, struct gh_err *err)
{
    const char *o = origin_of(r);
    const char *h = gh_req_header(&r->req, "Access-Control-Request-Headers");

    if (o == NULL || !gh_origin_allowed(r->req.app, o))
        return GH_FAIL(err, GH_E_ORIGIN_INVALID, NULL);
    gh_resp_header(&r->resp, "Access-Control-Allow-Methods", METHODS);
    /* Echo what was asked (content-type, authorization, x-mobile, …): the
     * origin is already trusted, and the names are only header names. */
    gh_resp_header(&r->resp, "Access-Control-Allow-Headers",
        h != NULL && strlen(h) < 512 ? h : "content-type, authorization");
    gh_resp_header(&r->resp, "Access-Control-Max-Age", "600");
    gh_resp_body(&r->resp, 204, "text/plain", "", 0);
    return 0;
}
