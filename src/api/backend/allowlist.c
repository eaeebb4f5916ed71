/* allowlist.c: the Backend API's /v1/allowlist_identifiers and
 * /v1/blocklist_identifiers handlers (spec §B5, shape §C9): list, create,
 * delete. The allowlist answers a bare array unless paginated=true; the
 * blocklist always {data,total_count} (§A6). `notify` is accepted; sending
 * the invitation mail is the mailer's (a later issue). Rules: core/allowlist.c. */
#include <string.h>

#include "api/backend/backend.h"
#include "api/backend/invitations.h"
#include "api/params.h"
#include "core/allowlist.h"
#include "core/app.h"

static const char *
instance_of(const struct gh_req *req)
{
    return req->instance_id[0] != '\0' ? req->instance_id : req->app->instance->id;
}

static json_t *
render(const char *instance_id, const struct gh_access_ident *a)
{
    int     allow = strcmp(a->list, "allow") == 0;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:o}",
        "object", allow ? "allowlist_identifier" : "blocklist_identifier",
        "id", a->id,
        "identifier", a->identifier != NULL ? a->identifier : "",
        "identifier_type", a->type,
        "instance_id", instance_id,
        "created_at", gh_api_time(a->created_at),
        "updated_at", gh_api_time(a->updated_at));

    if (o != NULL && allow && json_object_set_new(o, "invitation_id", json_null()) == -1) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

static int
list(struct gh_req *req, struct gh_resp *resp, enum gh_access_list which, int paginated,
    struct gh_err *err)
{
    struct gh_access_ident **v = NULL;
    size_t                   n = 0;
    int64_t                  limit, offset, total = 0;
    json_t                  *arr = NULL;
    int                      rc = -1;

    if (gh_api_paging(req, &limit, &offset, err) == -1 ||
        gh_access_ident_list(req->app, instance_of(req), which, limit, offset, &v, &n, &total,
            err) == -1)
        goto done;
    arr = json_array();
    for (size_t i = 0; arr != NULL && i < n; i++)
        if (json_array_append_new(arr, render(instance_of(req), v[i])) == -1) {
            json_decref(arr);
            arr = NULL;
        }
    rc = gh_api_reply_list(resp, arr, paginated, total, err);
done:
    gh_access_idents_free(v, n);
    return rc;
}

static int
create(struct gh_req *req, struct gh_resp *resp, enum gh_access_list which, struct gh_err *err)
{
    struct gh_access_ident *a = NULL;
    json_t                 *body, *o;
    const char             *identifier;
    int                     present = 0, notify = 0;

    if (gh_req_json(req, &body, err) == -1 ||
        gh_api_body_str(body, "identifier", &identifier, err) == -1 ||
        gh_api_body_bool(body, "notify", &present, &notify, err) == -1)
        return -1;
    if (identifier == NULL || *identifier == '\0')
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "identifier", NULL);
    if (gh_access_ident_add(req->app, instance_of(req), which, identifier, &a, err) == -1)
        return -1;
    o = render(instance_of(req), a);
    gh_access_ident_free(a);
    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

static int
delete(struct gh_req *req, struct gh_resp *resp, enum gh_access_list which, struct gh_err *err)
{
    struct gh_access_ident *a = NULL;
    json_t                 *o;

    if (gh_access_ident_remove(req->app, instance_of(req), which,
            req->nparams > 0 ? req->params[0] : "", &a, err) == -1)
        return -1;
    o = gh_api_deleted(which == GH_ALLOWLIST ? "allowlist_identifier" : "blocklist_identifier",
        a->id);
    gh_access_ident_free(a);
    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

int
gh_api_allowlist_list(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return list(req, resp, GH_ALLOWLIST, gh_api_paginated(req), err);
}

int
gh_api_allowlist_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return create(req, resp, GH_ALLOWLIST, err);
}

int
gh_api_allowlist_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return delete(req, resp, GH_ALLOWLIST, err);
}

int
gh_api_blocklist_list(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return list(req, resp, GH_BLOCKLIST, 1, err);
}

int
gh_api_blocklist_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return create(req, resp, GH_BLOCKLIST, err);
}

int
gh_api_blocklist_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return delete(req, resp, GH_BLOCKLIST, err);
}
