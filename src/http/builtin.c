/* builtin.c: the handlers the HTTP layer serves itself: /healthz on both
 * listeners and the default avatar image. /metrics lives in metrics.c. No
 * domain logic here beyond asking the store whether it answers. */
#include "core/app.h"
#include "http/server.h"
#include "store/store.h"

/* A neutral head-and-shoulders silhouette; served when a user has no image. */
static const char default_avatar_svg[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 64 64\" width=\"64\" height=\"64\">"
    "<rect width=\"64\" height=\"64\" fill=\"#d6d9de\"/>"
    "<circle cx=\"32\" cy=\"25\" r=\"12\" fill=\"#9aa1ab\"/>"
    "<path d=\"M10 60c2-13 11-20 22-20s20 7 22 20z\" fill=\"#9aa1ab\"/>"
    "</svg>";

int
gh_http_healthz_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_err perr = { 0 };

    if (req->app == NULL || gh_store_ping(req->app->store, &perr) == -1) {
        /* A load balancer reads any failure as "take me out": always 503. */
        GH_FAIL(err, GH_E_UNAVAILABLE, NULL);
        gh_err_note(err, "store ping failed: %s %s", gh_err_name(perr.code), perr.note);
        return -1;
    }
    gh_resp_json_text(resp, 200, "{\"status\":\"ok\"}");
    return 0;
}

int
gh_http_default_avatar_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    gh_resp_body(resp, 200, "image/svg+xml", default_avatar_svg, sizeof(default_avatar_svg) - 1);
    gh_resp_header(resp, "Cache-Control", "public, max-age=31536000, immutable");
    return 0;
}
