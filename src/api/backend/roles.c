/* roles.c: /v1/organization_roles and /v1/organization_permissions (spec
 * §B5): list {data,total_count}, create, get, update, delete (DeletedObject),
 * and granting / revoking a permission on a role. Rules are core/role.c's. */
#include "api/backend/backend.h"

#include <stdlib.h>
#include <string.h>

#include "api/backend/render_org.h"
#include "api/params.h"
#include "core/role.h"

#define ROLE_PERMS_MAX 100 /* permissions given when creating a role */

static const char *
param(const struct gh_req *req, size_t i)
{
    return req->nparams > i ? req->params[i] : "";
}

static int
reply(struct gh_resp *resp, json_t *j, struct gh_err *err)
{
    if (j == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, j);
    return 0;
}

static const char *
query_of(const struct gh_req *req)
{
    const char *q = gh_req_query(req, "query");

    return q != NULL && q[0] != '\0' ? q : NULL;
}

/* ---- roles ---- */

int
gh_api_roles_list(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_role **v = NULL;
    size_t           n = 0;
    int64_t          limit, offset, total = 0;
    json_t          *data;
    int              rc = -1;

    if (gh_api_paging(req, &limit, &offset, err) == -1 ||
        gh_role_list(req->app, req->instance_id, query_of(req), limit, offset, &v, &n, &total,
            err) == -1)
        return -1;
    data = json_array();
    for (size_t i = 0; data != NULL && i < n; i++)
        if (json_array_append_new(data, gh_render_role(v[i])) == -1) {
            json_decref(data);
            data = NULL;
        }
    if (data != NULL)
        rc = reply(resp, gh_api_list(data, total), err);
    else
        GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_roles_free(v, n);
    return rc;
}

int
gh_api_roles_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_role *r = NULL;
    const char     *name, *key, *desc, *perms[ROLE_PERMS_MAX];
    size_t          np = 0;
    json_t         *body;
    int             rc = -1;

    if (gh_req_json(req, &body, err) == -1 || gh_api_body_str(body, "name", &name, err) == -1 ||
        gh_api_body_str(body, "key", &key, err) == -1 ||
        gh_api_body_str(body, "description", &desc, err) == -1 ||
        gh_api_body_strs(body, "permissions", perms, ROLE_PERMS_MAX, &np, err) == -1)
        return -1;
    if (np > ROLE_PERMS_MAX)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "permissions", "lists too many values");
    if (gh_role_create(req->app, req->instance_id, name, key, desc, perms, np, &r, err) == 0)
        rc = reply(resp, gh_render_role(r), err);
    gh_role_free(r);
    return rc;
}

int
gh_api_roles_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_role *r = NULL;
    int             rc = -1;

    if (gh_role_get(req->app, req->instance_id, param(req, 0), &r, err) == 0)
        rc = reply(resp, gh_render_role(r), err);
    gh_role_free(r);
    return rc;
}

int
gh_api_roles_update(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_role *r = NULL;
    const char     *name, *key, *desc;
    json_t         *body;
    int             rc = -1;

    if (gh_req_json(req, &body, err) == -1 || gh_api_body_str(body, "name", &name, err) == -1 ||
        gh_api_body_str(body, "key", &key, err) == -1 ||
        gh_api_body_str(body, "description", &desc, err) == -1)
        return -1;
    if (gh_role_update(req->app, req->instance_id, param(req, 0), name, key, desc, &r, err) == 0)
        rc = reply(resp, gh_render_role(r), err);
    gh_role_free(r);
    return rc;
}

int
gh_api_roles_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_role *r = NULL;
    int             rc = -1;

    if (gh_role_delete(req->app, req->instance_id, param(req, 0), &r, err) == 0)
        rc = reply(resp, gh_api_deleted("role", r->id), err);
    gh_role_free(r);
    return rc;
}

int
gh_api_roles_perm_add(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_role *r = NULL;
    int             rc = -1;

    if (gh_role_permission_add(req->app, req->instance_id, param(req, 0), param(req, 1), &r,
            err) == 0)
        rc = reply(resp, gh_render_role(r), err);
    gh_role_free(r);
    return rc;
}

int
gh_api_roles_perm_remove(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_role *r = NULL;
    int             rc = -1;

    if (gh_role_permission_remove(req->app, req->instance_id, param(req, 0), param(req, 1), &r,
            err) == 0)
        rc = reply(resp, gh_render_role(r), err);
    gh_role_free(r);
    return rc;
}

/* ---- permissions ---- */

int
gh_api_perms_list(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_permission **v = NULL;
    size_t                 n = 0;
    int64_t                limit, offset, total = 0;
    json_t                *data;
    int                    rc = -1;

    if (gh_api_paging(req, &limit, &offset, err) == -1 ||
        gh_permission_list(req->app, req->instance_id, query_of(req), limit, offset, &v, &n,
            &total, err) == -1)
        return -1;
    data = json_array();
    for (size_t i = 0; data != NULL && i < n; i++)
        if (json_array_append_new(data, gh_render_permission(v[i])) == -1) {
            json_decref(data);
            data = NULL;
        }
    if (data != NULL)
        rc = reply(resp, gh_api_list(data, total), err);
    else
        GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_permissions_free(v, n);
    return rc;
}

int
gh_api_perms_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_permission *p = NULL;
    const char           *name, *key, *desc;
    json_t               *body;
    int                   rc = -1;

    if (gh_req_json(req, &body, err) == -1 || gh_api_body_str(body, "name", &name, err) == -1 ||
        gh_api_body_str(body, "key", &key, err) == -1 ||
        gh_api_body_str(body, "description", &desc, err) == -1)
        return -1;
    if (gh_permission_create(req->app, req->instance_id, name, key, desc, &p, err) == 0)
        rc = reply(resp, gh_render_permission(p), err);
    gh_permission_free(p);
    return rc;
}

int
gh_api_perms_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_permission *p = NULL;
    int                   rc = -1;

    if (gh_permission_get(req->app, req->instance_id, param(req, 0), &p, err) == 0)
        rc = reply(resp, gh_render_permission(p), err);
    gh_permission_free(p);
    return rc;
}

int
gh_api_perms_update(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_permission *p = NULL;
    const char           *name, *key, *desc;
    json_t               *body;
    int                   rc = -1;

    if (gh_req_json(req, &body, err) == -1 || gh_api_body_str(body, "name", &name, err) == -1 ||
        gh_api_body_str(body, "key", &key, err) == -1 ||
        gh_api_body_str(body, "description", &desc, err) == -1)
        return -1;
    if (gh_permission_update(req->app, req->instance_id, param(req, 0), name, key, desc, &p,
            err) == 0)
        rc = reply(resp, gh_render_permission(p), err);
    gh_permission_free(p);
    return rc;
}

int
gh_api_perms_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_permission *p = NULL;
    int                   rc = -1;

    if (gh_permission_delete(req->app, req->instance_id, param(req, 0), &p, err) == 0)
        rc = reply(resp, gh_api_deleted("permission", p->id), err);
    gh_permission_free(p);
    return rc;
}
