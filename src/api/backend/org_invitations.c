/* org_invitations.c: the Backend API's organization invitation handlers
 * (spec §B2, shape §C5): create, bulk create, list by status (and the legacy
 * /pending alias), get, revoke, and GET /v1/users/:id/organization_invitations.
 * Rules live in core/invitation.c; this file parses and renders, looking up
 * role names, the inviter and the organization for each object.
 * XXX: those lookups run per item (≤ 500 per page); cache if lists grow. */
#include <stdlib.h>
#include <string.h>

#include "api/backend/backend.h"
#include "api/backend/invitations.h"
#include "api/backend/render.h"
#include "api/backend/render_org.h"
#include "api/params.h"
#include "core/app.h"
#include "core/org.h"
#include "core/role.h"
#include "core/user.h"

#define STATUS_MAX 8 /* repeated status values read */

static const char *
instance_of(const struct gh_req *req)
{
    return req->instance_id[0] != '\0' ? req->instance_id : req->app->instance->id;
}

static const char *
param(const struct gh_req *req, size_t i)
{
    return req->nparams > i ? req->params[i] : "";
}

/* Copies key from src into dst when present (a borrowed-to-owned move). */
static int
copy_field(json_t *dst, json_t *src, const char *key)
{
    json_t *v = json_object_get(src, key);

    return json_object_set(dst, key, v != NULL ? v : json_null());
}

/* {id,name,slug,image_url,has_image} of the organization, or null when gone. */
static json_t *
org_data(struct gh_app *app, const char *instance_id, const char *org_id)
{
    struct gh_org *org = NULL;
    struct gh_err  se = { 0 };
    json_t        *full, *o = NULL;

    if (gh_org_get(app, instance_id, org_id, 0, &org, &se) == -1)
        return json_null();
    if ((full = gh_render_org(org)) != NULL && (o = json_object()) != NULL &&
        (copy_field(o, full, "id") == -1 || copy_field(o, full, "name") == -1 ||
            copy_field(o, full, "slug") == -1 || copy_field(o, full, "image_url") == -1 ||
            copy_field(o, full, "has_image") == -1)) {
        json_decref(o);
        o = NULL;
    }
    json_decref(full);
    gh_org_free(org);
    return o;
}

/* An "organization_invitation" (§C5); url only right after creation;
 * public_organization_data with with_org (per-user listings). */
json_t *
gh_render_org_invitation(struct gh_app *app, const char *instance_id,
    const struct gh_invitation *inv, const char *url, int with_org)
{
    struct gh_role *r = NULL;
    struct gh_user *u = NULL;
    struct gh_err   se = { 0 };
    json_t         *o;

    if (gh_role_find_by_key(app, instance_id, inv->role, &r, &se) == -1)
        r = NULL;
    if (inv->inviter_id[0] != '\0' && gh_user_get(app, instance_id, inv->inviter_id, &u, &se) == -1)
        u = NULL;
    o = gh_render_org_invitation_of(app, inv, url, r, u);
    gh_user_free(u);
    gh_role_free(r);
    if (o != NULL && with_org &&
        json_object_set_new(o, "public_organization_data",
            org_data(app, instance_id, inv->org_id)) == -1) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

/* Renders v[0..n) (urls may be NULL) into a new array; NULL on OOM. */
static json_t *
render_all(struct gh_req *req, struct gh_invitation **v, size_t n, char **urls, int with_org)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr != NULL && i < n; i++)
        if (json_array_append_new(arr, gh_render_org_invitation(req->app, instance_of(req), v[i],
                                           urls != NULL ? urls[i] : NULL, with_org)) == -1) {
            json_decref(arr);
            arr = NULL;
        }
    return arr;
}

static int
create(struct gh_req *req, struct gh_resp *resp, int bulk, struct gh_err *err)
{
    struct gh_api_inv_item      *items = NULL;
    struct gh_invitation_params *ps = NULL;
    struct gh_invitation       **v = NULL;
    char                       **urls = NULL;
    json_t                      *body, *arr;
    size_t                       n = 0;
    int                          rc = -1;

    if ((bulk ? gh_req_json_any(req, &body, err) : gh_req_json(req, &body, err)) == -1 ||
        gh_api_inv_items(body, 1, bulk, &items, &n, err) == -1)
        return -1;
    if ((ps = calloc(n, sizeof(*ps))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        ps[i] = items[i].p;
    if (gh_invitation_create(req->app, instance_of(req), param(req, 0), ps, n, &v, &urls, err) ==
        -1)
        goto done;
    arr = render_all(req, v, n, urls, 0);
    if (!bulk) {
        json_t *one = arr != NULL ? json_incref(json_array_get(arr, 0)) : NULL;

        json_decref(arr);
        arr = one;
    }
    /* bulk: {data,total_count} (the SDK types it as paginated, §A6) */
    rc = gh_api_reply_list(resp, arr, bulk, (int64_t)n, err);
done:
    gh_invitation_urls_free(urls, v != NULL ? n : 0);
    gh_invitations_free(v, v != NULL ? n : 0);
    free(ps);
    gh_api_inv_items_free(items, n);
    return rc;
}

int
gh_api_org_invitations_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return create(req, resp, 0, err);
}

int
gh_api_org_invitations_bulk(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return create(req, resp, 1, err);
}

/* status (repeated) and paging; pending_only for the legacy alias. */
static int
list(struct gh_req *req, struct gh_resp *resp, int pending_only, struct gh_err *err)
{
    struct gh_invitation_filter f;
    struct gh_invitation      **v = NULL;
    const char                 *st[STATUS_MAX], *pend = "pending";
    size_t                      n = 0, ns;
    int64_t                     total = 0;
    int                         rc = -1;

    gh_invitation_filter_init(&f);
    ns = gh_req_query_all(req, "status", st, STATUS_MAX);
    f.org_id = param(req, 0);
    f.statuses = pending_only ? &pend : st;
    f.n_statuses = pending_only ? 1 : (ns < STATUS_MAX ? ns : STATUS_MAX);
    f.emails = NULL;
    if (gh_api_paging(req, &f.limit, &f.offset, err) == 0 &&
        gh_invitation_list(req->app, instance_of(req), &f, &v, &n, &total, err) == 0)
        rc = gh_api_reply_list(resp, render_all(req, v, n, NULL, 0), 1, total, err);
    gh_invitations_free(v, n);
    return rc;
}

int
gh_api_org_invitations_list(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return list(req, resp, 0, err);
}

int
gh_api_org_invitations_pending(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return list(req, resp, 1, err);
}

int
gh_api_org_invitations_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_invitation *inv = NULL;
    json_t               *o;

    if (gh_invitation_get(req->app, instance_of(req), param(req, 0), param(req, 1), &inv, err) ==
        -1)
        return -1;
    o = gh_render_org_invitation(req->app, instance_of(req), inv, NULL, 0);
    gh_invitation_free(inv);
    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

int
gh_api_org_invitations_revoke(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_invitation *inv = NULL;
    json_t               *body, *o;
    const char           *requester;

    /* requesting_user_id is accepted (Clerk records who revoked); not stored. */
    if (gh_req_json(req, &body, err) == -1 ||
        gh_api_body_str(body, "requesting_user_id", &requester, err) == -1)
        return -1;
    if (gh_invitation_revoke(req->app, instance_of(req), param(req, 0), param(req, 1), &inv,
            err) == -1)
        return -1;
    o = gh_render_org_invitation(req->app, instance_of(req), inv, NULL, 0);
    gh_invitation_free(inv);
    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

int
gh_api_users_org_invitations(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_invitation **v = NULL;
    const char            *st[STATUS_MAX];
    size_t                 n = 0, ns = gh_req_query_all(req, "status", st, STATUS_MAX);
    int64_t                limit, offset, total = 0;
    int                    rc = -1;

    if (gh_api_paging(req, &limit, &offset, err) == 0 &&
        gh_invitation_list_for_user(req->app, instance_of(req), param(req, 0), st,
            ns < STATUS_MAX ? ns : STATUS_MAX, limit, offset, &v, &n, &total, err) == 0)
        rc = gh_api_reply_list(resp, render_all(req, v, n, NULL, 1), 1, total, err);
    gh_invitations_free(v, n);
    return rc;
}
