/* memberships.c: organization membership handlers (spec §B2): create, list
 * (per org, per user, instance-wide), update role, metadata, delete. Every
 * membership is rendered with its organization, the member's public data
 * and the role's name and permissions; lists load each organization and
 * role once. */
#include "api/backend/backend.h"

#include <stdlib.h>
#include <string.h>

#include "api/backend/render_org.h"
#include "api/params.h"
#include "core/org.h"
#include "core/role.h"
#include "core/user.h"

#define MEM_FILTER_MAX 100
#define MEM_CACHE      16 /* organizations / roles remembered while rendering a list */

struct render_ctx {
    struct gh_org  *orgs[MEM_CACHE];
    size_t          norgs;
    struct gh_role *roles[MEM_CACHE];
    size_t          nroles;
};

static void
ctx_clear(struct render_ctx *c)
{
    for (size_t i = 0; i < c->norgs; i++)
        gh_org_free(c->orgs[i]);
    for (size_t i = 0; i < c->nroles; i++)
        gh_role_free(c->roles[i]);
}

/* The org (borrowed from the ctx, or owned through *tmp when the cache is full). */
static struct gh_org *
ctx_org(struct gh_req *req, struct render_ctx *c, const char *id, struct gh_org **tmp,
    struct gh_err *err)
{
    struct gh_org *o = NULL;

    for (size_t i = 0; i < c->norgs; i++)
        if (strcmp(c->orgs[i]->id, id) == 0)
            return c->orgs[i];
    if (gh_org_get(req->app, req->instance_id, id, 0, &o, err) == -1)
        return NULL;
    if (c->norgs < MEM_CACHE)
        return c->orgs[c->norgs++] = o;
    return *tmp = o;
}

static struct gh_role *
ctx_role(struct gh_req *req, struct render_ctx *c, const char *key, struct gh_role **tmp,
    struct gh_err *err)
{
    struct gh_role *r = NULL;

    for (size_t i = 0; i < c->nroles; i++)
        if (strcmp(c->roles[i]->key, key) == 0)
            return c->roles[i];
    if (gh_role_find_by_key(req->app, req->instance_id, key, &r, err) == -1 || r == NULL)
        return NULL;
    if (c->nroles < MEM_CACHE)
        return c->roles[c->nroles++] = r;
    return *tmp = r;
}

static json_t *
render_one(struct gh_req *req, struct render_ctx *c, const struct gh_org_membership *m,
    struct gh_err *err)
{
    struct gh_org  *otmp = NULL, *o;
    struct gh_role *rtmp = NULL, *r;
    struct gh_user *u = NULL;
    struct gh_err   ue = { 0 };
    json_t         *j = NULL;

    if ((o = ctx_org(req, c, m->org_id, &otmp, err)) == NULL)
        return NULL;
    r = ctx_role(req, c, m->role, &rtmp, err);
    if (err->code != GH_E_OK)
        goto done;
    (void)gh_user_get(req->app, req->instance_id, m->user_id, &u, &ue); /* gone: minimal data */
    if ((j = gh_render_org_membership(req->app, m, o, u, r)) == NULL)
        GH_FAIL(err, GH_E_NOMEM, NULL);
done:
    gh_user_free(u);
    gh_org_free(otmp);
    gh_role_free(rtmp);
    return j;
}

static int
reply_member(struct gh_req *req, struct gh_resp *resp, const struct gh_org_membership *m,
    struct gh_err *err)
{
    struct render_ctx c = { 0 };
    json_t           *j = render_one(req, &c, m, err);

    ctx_clear(&c);
    if (j == NULL)
        return -1;
    gh_resp_json(resp, 200, j);
    return 0;
}

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

static const char *
param(const struct gh_req *req, size_t i)
{
    return req->nparams > i ? req->params[i] : "";
}

int
gh_api_org_members_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_org_membership *m = NULL;
    const char               *user_id, *role;
    char                     *md[2] = { NULL, NULL };
    json_t                   *body;
    int                       rc = -1;

    if (gh_req_json(req, &body, err) == -1 || gh_api_body_str(body, "user_id", &user_id, err) == -1 ||
        gh_api_body_str(body, "role", &role, err) == -1 ||
        read_md(body, "public_metadata", &md[0], err) == -1 ||
        read_md(body, "private_metadata", &md[1], err) == -1)
        goto done;
    if (gh_org_member_add(req->app, req->instance_id, param(req, 0), user_id, role, md[0], md[1],
            &m, err) == 0)
        rc = reply_member(req, resp, m, err);
done:
    gh_org_membership_free(m);
    free(md[0]);
    free(md[1]);
    return rc;
}

static const char *const mem_orders[] = { "created_at", "first_name", "last_name", "username",
    "email_address", "phone_number", NULL };

/* Lists with f (org_id / user scope set by the caller) and the query filters. */
static int
list_members(struct gh_req *req, struct gh_resp *resp, struct gh_org_member_filter *f,
    struct gh_err *err)
{
    const char                *uids[MEM_FILTER_MAX], *roles[MEM_FILTER_MAX];
    struct gh_org_membership **v = NULL;
    struct render_ctx          c = { 0 };
    size_t                     n = 0;
    int64_t                    total = 0;
    json_t                    *data = NULL;
    int                        rc = -1;

    if (gh_api_paging(req, &f->limit, &f->offset, err) == -1 ||
        gh_api_order_by(req, mem_orders, "created_at", 1, &f->order_field, &f->order_desc,
            err) == -1)
        return -1;
    if (f->n_user_ids == 0) {
        f->n_user_ids = gh_req_query_all(req, "user_id", uids, MEM_FILTER_MAX);
        f->user_ids = uids;
    }
    f->n_roles = gh_req_query_all(req, "role", roles, MEM_FILTER_MAX);
    f->roles = roles;
    if (f->n_user_ids > MEM_FILTER_MAX || f->n_roles > MEM_FILTER_MAX)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "user_id", "lists too many values");
    f->query = gh_req_query(req, "query");
    if (f->query != NULL && f->query[0] == '\0')
        f->query = NULL;
    if (gh_org_member_count(req->app, req->instance_id, f, &total, err) == -1 ||
        gh_org_member_list(req->app, req->instance_id, f, &v, &n, err) == -1)
        goto done;
    if ((data = json_array()) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *j = render_one(req, &c, v[i], err);

        if (j == NULL || json_array_append_new(data, j) == -1)
            goto done;
    }
    gh_resp_json(resp, 200, gh_api_list(data, total));
    data = NULL;
    rc = 0;
done:
    if (rc == -1 && err->code == GH_E_OK)
        GH_FAIL(err, GH_E_NOMEM, NULL);
    json_decref(data);
    ctx_clear(&c);
    gh_org_memberships_free(v, n);
    return rc;
}

int
gh_api_org_members_list(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_org_member_filter f;
    struct gh_org              *o = NULL;
    int                         rc;

    if (gh_org_get(req->app, req->instance_id, param(req, 0), 0, &o, err) == -1)
        return -1;
    gh_org_member_filter_init(&f);
    f.org_id = o->id;
    rc = list_members(req, resp, &f, err);
    gh_org_free(o);
    return rc;
}

int
gh_api_user_org_memberships(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_org_member_filter f;
    const char                 *uid[1] = { param(req, 0) };
    struct gh_user             *u = NULL;

    if (gh_user_get(req->app, req->instance_id, uid[0], &u, err) == -1)
        return -1;
    gh_user_free(u);
    gh_org_member_filter_init(&f);
    f.user_ids = uid;
    f.n_user_ids = 1;
    return list_members(req, resp, &f, err);
}

int
gh_api_org_memberships_all(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_org_member_filter f;

    gh_org_member_filter_init(&f);
    return list_members(req, resp, &f, err);
}

int
gh_api_org_members_update(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_org_membership *m = NULL;
    const char               *role;
    json_t                   *body;
    int                       rc = -1;

    if (gh_req_json(req, &body, err) == -1 || gh_api_body_str(body, "role", &role, err) == -1)
        return -1;
    if (gh_org_member_set_role(req->app, req->instance_id, param(req, 0), param(req, 1), role, &m,
            err) == 0)
        rc = reply_member(req, resp, m, err);
    gh_org_membership_free(m);
    return rc;
}

int
gh_api_org_members_metadata(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_org_membership *m = NULL;
    char                     *md[2] = { NULL, NULL };
    json_t                   *body;
    int                       rc = -1;

    if (gh_req_json(req, &body, err) == -1 || read_md(body, "public_metadata", &md[0], err) == -1 ||
        read_md(body, "private_metadata", &md[1], err) == -1)
        goto done;
    if (gh_org_member_metadata(req->app, req->instance_id, param(req, 0), param(req, 1), md[0],
            md[1], &m, err) == 0)
        rc = reply_member(req, resp, m, err);
done:
    gh_org_membership_free(m);
    free(md[0]);
    free(md[1]);
    return rc;
}

int
gh_api_org_members_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_org_membership *m = NULL;
    int                       rc = -1;

    if (gh_org_member_remove(req->app, req->instance_id, param(req, 0), param(req, 1), &m,
            err) == 0)
        rc = reply_member(req, resp, m, err);
    gh_org_membership_free(m);
    return rc;
}
