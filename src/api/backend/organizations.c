/* organizations.c: /v1/organizations handlers (spec §B2): create, get by id
 * or slug, list, update, metadata, delete. Values are validated in
 * core/org.c; this file checks JSON types and shapes. Memberships are in
 * memberships.c, roles and permissions in roles.c. */
#include "api/backend/backend.h"

#include <stdlib.h>
#include <string.h>

#include "api/backend/render_org.h"
#include "api/params.h"
#include "core/org.h"
#include "util/str.h"

#define ORG_FILTER_MAX 100

static const char *
path_id(const struct gh_req *req)
{
    return req->nparams > 0 ? req->params[0] : "";
}

static int
reply_org(struct gh_resp *resp, const struct gh_org *o, struct gh_err *err)
{
    json_t *j = gh_render_org(o);

    if (j == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, j);
    return 0;
}

/* A metadata object serialised for core (*text malloc'd); absent/null → NULL. */
static int
read_md(json_t *body, const char *key, char **text, struct gh_err *err)
{
    json_t *v;

    *text = NULL;
    if (gh_api_body_obj(body, key, &v, err) == -1)
        return -1;
    if (v != NULL && (*text = json_dumps(v, JSON_COMPACT)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    return 0;
}

/* max_allowed_memberships: integer ≥ 0 or null (= unlimited). */
static int
read_max(json_t *body, int *present, int64_t *out, struct gh_err *err)
{
    json_t *v = json_object_get(body, "max_allowed_memberships");

    *present = v != NULL;
    *out = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "max_allowed_memberships",
            "must be an integer of 0 or more");
    *out = (int64_t)json_integer_value(v);
    return 0;
}

int
gh_api_orgs_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_org_params p;
    struct gh_org       *o = NULL;
    char                *md[2] = { NULL, NULL };
    json_t              *body;
    int                  present, rc = -1;
    int64_t              max;

    gh_org_params_init(&p);
    if (gh_req_json(req, &body, err) == -1 || gh_api_body_str(body, "name", &p.name, err) == -1 ||
        gh_api_body_str(body, "slug", &p.slug, err) == -1 ||
        gh_api_body_str(body, "created_by", &p.created_by, err) == -1 ||
        read_max(body, &present, &max, err) == -1 ||
        read_md(body, "public_metadata", &md[0], err) == -1 ||
        read_md(body, "private_metadata", &md[1], err) == -1)
        goto done;
    if (present)
        p.max_allowed_memberships = max;
    p.public_metadata = md[0];
    p.private_metadata = md[1];
    if (gh_org_create(req->app, req->instance_id, &p, &o, err) == 0)
        rc = reply_org(resp, o, err);
done:
    gh_org_free(o);
    free(md[0]);
    free(md[1]);
    return rc;
}

int
gh_api_orgs_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_org *o = NULL;
    int            with_count, rc = -1;

    if (gh_api_query_bool(req, "include_members_count", 0, &with_count, err) == -1)
        return -1;
    if (gh_org_get(req->app, req->instance_id, path_id(req), with_count, &o, err) == 0)
        rc = reply_org(resp, o, err);
    gh_org_free(o);
    return rc;
}

static const char *const org_orders[] = { "name", "created_at", "members_count", NULL };

int
gh_api_orgs_list(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_org_filter f;
    const char          *ids[ORG_FILTER_MAX], *uids[ORG_FILTER_MAX];
    struct gh_org      **v = NULL;
    size_t               n = 0;
    int64_t              total = 0;
    json_t              *data = NULL;
    int                  rc = -1;

    gh_org_filter_init(&f);
    if (gh_api_paging(req, &f.limit, &f.offset, err) == -1 ||
        gh_api_order_by(req, org_orders, "created_at", 1, &f.order_field, &f.order_desc, err) == -1 ||
        gh_api_query_bool(req, "include_members_count", 0, &f.with_count, err) == -1)
        return -1;
    f.n_org_ids = gh_req_query_all(req, "organization_id", ids, ORG_FILTER_MAX);
    f.n_user_ids = gh_req_query_all(req, "user_id", uids, ORG_FILTER_MAX);
    if (f.n_org_ids > ORG_FILTER_MAX || f.n_user_ids > ORG_FILTER_MAX)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "organization_id", "lists too many values");
    f.org_ids = ids;
    f.user_ids = uids;
    f.query = gh_req_query(req, "query");
    if (f.query != NULL && f.query[0] == '\0')
        f.query = NULL;
    if (gh_org_count(req->app, req->instance_id, &f, &total, err) == -1 ||
        gh_org_list(req->app, req->instance_id, &f, &v, &n, err) == -1)
        goto done;
    if ((data = json_array()) == NULL)
        goto oom;
    for (size_t i = 0; i < n; i++)
        if (json_array_append_new(data, gh_render_org(v[i])) == -1)
            goto oom;
    gh_resp_json(resp, 200, gh_api_list(data, total));
    data = NULL;
    rc = 0;
    goto done;
oom:
    GH_FAIL(err, GH_E_NOMEM, NULL);
done:
    json_decref(data);
    gh_orgs_free(v, n);
    return rc;
}

int
gh_api_orgs_update(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_org_patch p = { 0 };
    struct gh_org      *o = NULL;
    char               *md[2] = { NULL, NULL };
    json_t             *body;
    int                 present, v, rc = -1;

    if (gh_req_json(req, &body, err) == -1)
        return -1;
    if (json_object_get(body, "name") != NULL) {
        p.fields |= GH_ORG_F_NAME;
        if (gh_api_body_str(body, "name", &p.name, err) == -1)
            goto done;
    }
    if (json_object_get(body, "slug") != NULL) {
        p.fields |= GH_ORG_F_SLUG;
        if (gh_api_body_str(body, "slug", &p.slug, err) == -1)
            goto done;
    }
    if (gh_api_body_bool(body, "admin_delete_enabled", &present, &v, err) == -1)
        goto done;
    if (present) {
        p.fields |= GH_ORG_F_ADMIN_DELETE;
        p.admin_delete_enabled = v;
    }
    if (read_max(body, &present, &p.max_allowed_memberships, err) == -1)
        goto done;
    if (present)
        p.fields |= GH_ORG_F_MAX_MEMBERS;
    if (read_md(body, "public_metadata", &md[0], err) == -1 ||
        read_md(body, "private_metadata", &md[1], err) == -1)
        goto done;
    p.fields |= (md[0] != NULL ? GH_ORG_F_PUBLIC_MD : 0) | (md[1] != NULL ? GH_ORG_F_PRIVATE_MD : 0);
    p.public_metadata = md[0];
    p.private_metadata = md[1];
    if (gh_org_update(req->app, req->instance_id, path_id(req), &p, &o, err) == 0)
        rc = reply_org(resp, o, err);
done:
    gh_org_free(o);
    free(md[0]);
    free(md[1]);
    return rc;
}

static int
metadata(struct gh_req *req, struct gh_resp *resp, int merge, struct gh_err *err)
{
    struct gh_org *o = NULL;
    char          *md[2] = { NULL, NULL };
    json_t        *body;
    int            rc = -1;

    if (gh_req_json(req, &body, err) == -1 || read_md(body, "public_metadata", &md[0], err) == -1 ||
        read_md(body, "private_metadata", &md[1], err) == -1)
        goto done;
    if (gh_org_metadata(req->app, req->instance_id, path_id(req), md[0], md[1], merge, &o,
            err) == 0)
        rc = reply_org(resp, o, err);
done:
    gh_org_free(o);
    free(md[0]);
    free(md[1]);
    return rc;
}

int
gh_api_orgs_metadata_merge(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return metadata(req, resp, 1, err);
}

int
gh_api_orgs_metadata_replace(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return metadata(req, resp, 0, err);
}

int
gh_api_orgs_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_org *o = NULL;
    json_t        *j;

    if (gh_org_delete(req->app, req->instance_id, path_id(req), &o, err) == -1)
        return -1;
    j = gh_api_deleted("organization", o->id);
    if (j == NULL || json_object_set_new(j, "slug", json_string(o->slug)) == -1) {
        json_decref(j);
        gh_org_free(o);
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    gh_org_free(o);
    gh_resp_json(resp, 200, j);
    return 0;
}
