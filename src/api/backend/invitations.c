/* invitations.c: the Backend API's app-level /v1/invitations handlers (spec
 * §B3, shape §C6): create, bulk create, list, revoke, delete; and the body
 * reading shared with org_invitations.c. A ticket URL exists only in the
 * create reply (the database keeps the ticket's hash), so later reads carry
 * url: null. Rules live in core/invitation.c. */
#include "api/backend/invitations.h"

#include <stdlib.h>
#include <string.h>

#include "api/backend/backend.h"
#include "api/params.h"
#include "core/app.h"
#include "crypto/crypto.h"

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

void
gh_api_inv_items_free(struct gh_api_inv_item *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        free(v[i].pub);
        free(v[i].priv);
    }
    free(v);
}

/* A metadata object as compact text (NULL when absent). */
static int
obj_text(json_t *o, const char *key, char **text, struct gh_err *err)
{
    json_t *v;

    *text = NULL;
    if (gh_api_body_obj(o, key, &v, err) == -1)
        return -1;
    if (v != NULL && (*text = json_dumps(v, JSON_COMPACT)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    return 0;
}

/* The fields only app-level invitations have. */
static int
read_app_fields(json_t *o, struct gh_invitation_params *p, struct gh_err *err)
{
    const char *slug;
    int         present = 0;

    if (gh_api_body_bool(o, "ignore_existing", &present, &p->ignore_existing, err) == -1 ||
        gh_api_body_str(o, "template_slug", &slug, err) == -1)
        return -1;
    if (slug != NULL && strcmp(slug, "invitation") != 0 &&
        strcmp(slug, "waitlist_invitation") != 0)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "template_slug",
            "must be invitation or waitlist_invitation");
    return 0;
}

static int
read_item(json_t *o, int is_org, struct gh_api_inv_item *it, struct gh_err *err)
{
    struct gh_invitation_params *p = &it->p;
    int                          present = 0, notify = 1;

    if (!json_is_object(o))
        return GH_FAIL(err, GH_E_BODY_INVALID, "Each invitation must be a JSON object");
    gh_invitation_params_init(p);
    /* Clerk's `notify` (default true): false = no email, the app sends the url. */
    if (gh_api_body_bool(o, "notify", &present, &notify, err) == -1)
        return -1;
    p->notify = present ? notify : 1;
    present = 0;
    if (gh_api_body_str(o, "email_address", &p->email_address, err) == -1 ||
        gh_api_body_str(o, "redirect_url", &p->redirect_url, err) == -1 ||
        gh_api_body_int(o, "expires_in_days", &present, &p->expires_in_days, err) == -1 ||
        obj_text(o, "public_metadata", &it->pub, err) == -1)
        return -1;
    if (present && p->expires_in_days == 0)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "expires_in_days",
            "must be between 1 and 365");
    p->public_metadata = it->pub;
    if (!is_org)
        return read_app_fields(o, p, err);
    if (gh_api_body_str(o, "role", &p->role, err) == -1 ||
        gh_api_body_str(o, "inviter_user_id", &p->inviter_user_id, err) == -1 ||
        obj_text(o, "private_metadata", &it->priv, err) == -1)
        return -1;
    p->private_metadata = it->priv;
    return 0;
}

int
gh_api_inv_items(json_t *body, int is_org, int bulk, struct gh_api_inv_item **out, size_t *n,
    struct gh_err *err)
{
    size_t                  cnt = bulk ? json_array_size(body) : 1, i = 0;
    struct gh_api_inv_item *v;

    *out = NULL;
    *n = 0;
    if (bulk && !json_is_array(body))
        return GH_FAIL(err, GH_E_BODY_INVALID, "Request body must be a JSON array");
    if (!bulk && !json_is_object(body))
        return GH_FAIL(err, GH_E_BODY_INVALID, "Request body must be a JSON object");
    if (cnt == 0 || cnt > GH_INVITATION_BULK_MAX)
        return GH_FAIL(err, GH_E_BAD_REQUEST, "Send between 1 and 100 invitations");
    if ((v = calloc(cnt, sizeof(*v))) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    for (; i < cnt; i++) {
        if (read_item(bulk ? json_array_get(body, i) : body, is_org, &v[i], err) == -1) {
            if (bulk)
                gh_err_note(err, "item %zu", i);
            gh_api_inv_items_free(v, i + 1);
            return -1;
        }
    }
    *out = v;
    *n = cnt;
    return 0;
}

int
gh_api_reply_list(struct gh_resp *resp, json_t *arr, int paginated, int64_t total,
    struct gh_err *err)
{
    json_t *body = arr;

    if (arr == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    if (paginated && (body = gh_api_list(arr, total)) == NULL) /* steals arr */
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, body);
    return 0;
}

/* Replies with o (NULL: out of memory); steals o. */
static int
reply_obj(struct gh_resp *resp, json_t *o, struct gh_err *err)
{
    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

/* An "invitation" object (§C6); url only right after creation. */
static json_t *
render_invitation(const struct gh_invitation *inv, const char *url)
{
    return json_pack("{s:s,s:s,s:s,s:o,s:b,s:s,s:o,s:o,s:o,s:o}",
        "object", "invitation",
        "id", inv->id,
        "email_address", inv->email_address != NULL ? inv->email_address : "",
        "public_metadata", gh_api_obj_text(inv->public_metadata),
        "revoked", strcmp(inv->status, "revoked") == 0,
        "status", inv->status,
        "url", gh_api_str(url),
        "expires_at", gh_api_time(inv->expires_at),
        "created_at", gh_api_time(inv->created_at),
        "updated_at", gh_api_time(inv->updated_at));
}

/* POST /v1/invitations and /v1/invitations/bulk. */
static int
create(struct gh_req *req, struct gh_resp *resp, int bulk, struct gh_err *err)
{
    struct gh_api_inv_item *items = NULL;
    struct gh_invitation  **v = NULL;
    struct gh_invitation_params *ps = NULL;
    char                  **urls = NULL;
    json_t                 *body, *arr;
    size_t                  n = 0;
    int                     rc = -1;

    if ((bulk ? gh_req_json_any(req, &body, err) : gh_req_json(req, &body, err)) == -1 ||
        gh_api_inv_items(body, 0, bulk, &items, &n, err) == -1)
        return -1;
    if ((ps = calloc(n, sizeof(*ps))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    for (size_t i = 0; i < n; i++)
        ps[i] = items[i].p;
    if (gh_invitation_create(req->app, instance_of(req), NULL, ps, n, &v, &urls, err) == -1)
        goto done;
    if (!bulk) {
        rc = reply_obj(resp, render_invitation(v[0], urls[0]), err);
        goto done;
    }
    arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++)
        if (json_array_append_new(arr, render_invitation(v[i], urls[i])) == -1) {
            json_decref(arr);
            arr = NULL;
        }
    rc = gh_api_reply_list(resp, arr, 0, 0, err); /* bulk answers a bare array (§A6) */
done:
    gh_invitation_urls_free(urls, v != NULL ? n : 0);
    gh_invitations_free(v, v != NULL ? n : 0);
    free(ps);
    gh_api_inv_items_free(items, n);
    return rc;
}

int
gh_api_invitations_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return create(req, resp, 0, err);
}

int
gh_api_invitations_bulk(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return create(req, resp, 1, err);
}

int
gh_api_invitations_list(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    static const char *const orders[] = { "created_at", "email_address", "expires_at", NULL };
    struct gh_invitation_filter f;
    struct gh_invitation      **v = NULL;
    const char                 *status = gh_req_query(req, "status");
    size_t                      n = 0;
    int64_t                     total = 0;
    json_t                     *arr = NULL;
    int                         rc = -1;

    gh_invitation_filter_init(&f);
    f.query = gh_req_query(req, "query");
    f.statuses = &status;
    f.n_statuses = status != NULL && *status != '\0';
    if (gh_api_order_by(req, orders, "created_at", 1, &f.order_field, &f.order_desc, err) == -1 ||
        gh_api_paging(req, &f.limit, &f.offset, err) == -1 ||
        gh_invitation_list(req->app, instance_of(req), &f, &v, &n,
            gh_api_paginated(req) ? &total : NULL, err) == -1)
        goto done;
    arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++)
        if (json_array_append_new(arr, render_invitation(v[i], NULL)) == -1) {
            json_decref(arr);
            arr = NULL;
        }
    rc = gh_api_reply_list(resp, arr, gh_api_paginated(req), total, err);
done:
    gh_invitations_free(v, n);
    return rc;
}

int
gh_api_invitations_revoke(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_invitation *inv = NULL;
    int                   rc;

    if (gh_invitation_revoke(req->app, instance_of(req), NULL, path_id(req), &inv, err) == -1)
        return -1;
    rc = reply_obj(resp, render_invitation(inv, NULL), err);
    gh_invitation_free(inv);
    return rc;
}

int
gh_api_invitations_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    json_t *o;

    if (gh_invitation_delete(req->app, instance_of(req), path_id(req), err) == -1)
        return -1;
    if ((o = gh_api_deleted("invitation", path_id(req))) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}
