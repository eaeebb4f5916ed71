/* organizations.c: the Frontend API's organization routes (spec FAPI §3.7,
 * §4.9) behind <OrganizationSwitcher/>, <CreateOrganization/> and
 * <OrganizationProfile/>: create, read, edit and delete an organization;
 * its roles, members and invitations. The signed-in user acts as a member:
 * their role's system permissions decide (core/org_access.h). Lists answer
 * {data,total_count} inside the envelope. Private metadata never leaves. */
#include <stdlib.h>
#include <string.h>

#include "api/backend/render_org.h"
#include "api/frontend/fapi.h"
#include "api/frontend/frontend.h"
#include "api/frontend/me.h"
#include "api/frontend/render.h"
#include "api/params.h"
#include "core/app.h"
#include "core/invitation.h"
#include "core/org.h"
#include "core/org_access.h"
#include "core/role.h"
#include "core/session.h"
#include "core/settings.h"
#include "core/user.h"
#include "util/str.h"

#define LIST_ROLES_MAX 8 /* repeated role= values read */

static const char *
org_param(const struct gh_req *req)
{
    return req->nparams > 0 ? req->params[0] : "";
}

/* Membership check with perm (NULL: any member); *o optional. */
static int
org_access(struct gh_me *c, const char *perm, struct gh_org **o, struct gh_err *err)
{
    return gh_org_access_check(c->f.req->app, c->f.instance_id, org_param(c->f.req), c->u->id,
        perm, o, err);
}

static int
reply_org(struct gh_me *c, const struct gh_org *o, struct gh_err *err)
{
    json_t *j = gh_fapi_render_org(&c->f, o);

    return j != NULL ? gh_fapi_reply(&c->f, j, err) : GH_FAIL(err, GH_E_NOMEM, NULL);
}

/* POST /v1/organizations (name, slug): the creator becomes org:admin. */
int
gh_fapi_org_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me      c;
    struct gh_settings   st;
    struct gh_org_params p;
    struct gh_org       *o = NULL;
    char                 id[GH_ID_MAX];
    int                  rc = -1;

    if (gh_me_begin(req, resp, &c, err) == -1 || gh_settings_load(req->app, &st, err) == -1)
        goto done;
    if (!st.orgs_enabled || !st.create_organization || !c.u->create_organization_enabled) {
        GH_FAIL(err, GH_E_NOT_ALLOWED_ACCESS, "You may not create organizations.");
        goto done;
    }
    gh_org_params_init(&p);
    p.created_by = c.u->id;
    if (gh_fapi_need(&c.f, "name", &p.name, err) == -1)
        goto done;
    p.slug = gh_fapi_str(&c.f, "slug");
    if (st.max_allowed_memberships > 0)
        p.max_allowed_memberships = st.max_allowed_memberships;
    if (gh_org_create(req->app, c.f.instance_id, &p, &o, err) == -1)
        goto done;
    gh_strlcpy(id, o->id, sizeof(id));
    gh_org_free(o);
    o = NULL;
    /* Re-read with members_count for the answer. */
    if (gh_org_get(req->app, c.f.instance_id, id, 1, &o, err) == -1)
        goto done;
    rc = reply_org(&c, o, err);
done:
    gh_org_free(o);
    gh_me_end(&c);
    return rc;
}

int
gh_fapi_org_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me c;
    struct gh_org  *o = NULL;
    int             rc = -1;

    if (gh_me_begin(req, resp, &c, err) == 0 && org_access(&c, NULL, &o, err) == 0)
        rc = reply_org(&c, o, err);
    gh_org_free(o);
    gh_me_end(&c);
    return rc;
}

/* PATCH /v1/organizations/:org (name, slug): org:sys_profile:manage. */
int
gh_fapi_org_update(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me     c;
    struct gh_org_patch p = { 0 };
    struct gh_org      *o = NULL, *after = NULL;
    int                 rc = -1;

    if (gh_me_begin(req, resp, &c, err) == -1 || org_access(&c, GH_PERM_PROFILE_MANAGE, &o, err) == -1)
        goto done;
    if ((p.name = gh_fapi_str(&c.f, "name")) != NULL)
        p.fields |= GH_ORG_F_NAME;
    if ((p.slug = gh_fapi_str(&c.f, "slug")) != NULL)
        p.fields |= GH_ORG_F_SLUG;
    if (gh_org_update(req->app, c.f.instance_id, o->id, &p, &after, err) == -1)
        goto done;
    gh_org_free(after);
    after = NULL;
    if (gh_org_get(req->app, c.f.instance_id, o->id, 1, &after, err) == -1)
        goto done;
    rc = reply_org(&c, after, err);
done:
    gh_org_free(after);
    gh_org_free(o);
    gh_me_end(&c);
    return rc;
}

/* DELETE /v1/organizations/:org: org:sys_profile:delete and admin_delete_enabled. */
int
gh_fapi_org_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me c;
    struct gh_org  *o = NULL, *gone = NULL;
    int             rc = -1;

    if (gh_me_begin(req, resp, &c, err) == -1 || org_access(&c, GH_PERM_PROFILE_DELETE, &o, err) == -1)
        goto done;
    if (!o->admin_delete_enabled) {
        GH_FAIL(err, GH_E_NOT_ALLOWED_ACCESS, "Deleting this organization is disabled.");
        goto done;
    }
    if (gh_org_delete(req->app, c.f.instance_id, o->id, &gone, err) == -1)
        goto done;
    rc = gh_fapi_reply(&c.f, gh_api_deleted("organization", o->id), err);
done:
    gh_org_free(gone);
    gh_org_free(o);
    gh_me_end(&c);
    return rc;
}

/* GET /v1/organizations/:org/roles: any member (the invite form lists them). */
int
gh_fapi_org_roles(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me  c;
    struct gh_role **v = NULL;
    size_t           n = 0;
    int64_t          limit, offset, total = 0;
    json_t          *arr = NULL;
    int              rc = -1;

    if (gh_me_begin(req, resp, &c, err) == -1 || org_access(&c, NULL, NULL, err) == -1 ||
        gh_api_paging(req, &limit, &offset, err) == -1 ||
        gh_role_list(req->app, c.f.instance_id, NULL, limit, offset, &v, &n, &total, err) == -1)
        goto done;
    if ((arr = json_array()) == NULL)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        if (json_array_append_new(arr, gh_render_role(v[i])) == -1)
            goto nomem;
    rc = gh_fapi_reply(&c.f, gh_api_list(arr, total), err);
    arr = NULL;
    goto done;
nomem:
    GH_FAIL(err, GH_E_NOMEM, NULL);
done:
    json_decref(arr);
    for (size_t i = 0; i < n; i++)
        gh_role_free(v[i]);
    free(v);
    gh_me_end(&c);
    return rc;
}

/* Renders memberships v[0..n) as {data,total_count} and replies. */
static int
reply_members(struct gh_me *c, struct gh_org_membership **v, size_t n, int64_t total,
    struct gh_err *err)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr != NULL && i < n; i++) {
        json_t *j = gh_fapi_render_membership(&c->f, v[i], NULL, err);

        if (j == NULL || json_array_append_new(arr, j) == -1) {
            json_decref(arr);
            return err->code != GH_E_OK ? -1 : GH_FAIL(err, GH_E_NOMEM, NULL);
        }
    }
    if (arr == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    return gh_fapi_reply(&c->f, gh_api_list(arr, total), err);
}

/* GET /v1/organizations/:org/memberships (role=…): org:sys_memberships:read. */
int
gh_fapi_org_members_list(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me             c;
    struct gh_org              *o = NULL;
    struct gh_org_member_filter flt;
    struct gh_org_membership  **v = NULL;
    const char                 *roles[LIST_ROLES_MAX];
    size_t                      n = 0;
    int64_t                     total = 0;
    int                         rc = -1;

    if (gh_me_begin(req, resp, &c, err) == -1 ||
        org_access(&c, GH_PERM_MEMBERSHIPS_READ, &o, err) == -1)
        goto done;
    gh_org_member_filter_init(&flt);
    flt.org_id = o->id;
    flt.roles = roles;
    flt.n_roles = gh_req_query_all(req, "role", roles, LIST_ROLES_MAX);
    if (flt.n_roles > LIST_ROLES_MAX)
        flt.n_roles = LIST_ROLES_MAX;
    flt.query = gh_req_query(req, "query");
    if (gh_api_paging(req, &flt.limit, &flt.offset, err) == -1 ||
        gh_org_member_list(req->app, c.f.instance_id, &flt, &v, &n, err) == -1 ||
        gh_org_member_count(req->app, c.f.instance_id, &flt, &total, err) == -1)
        goto done;
    rc = reply_members(&c, v, n, total, err);
done:
    gh_org_memberships_free(v, n);
    gh_org_free(o);
    gh_me_end(&c);
    return rc;
}

static int
reply_member(struct gh_me *c, const struct gh_org_membership *m, struct gh_err *err)
{
    json_t *j = gh_fapi_render_membership(&c->f, m, NULL, err);

    return j != NULL ? gh_fapi_reply(&c->f, j, err) : -1;
}

/* POST /v1/organizations/:org/memberships (user_id, role): manage. */
int
gh_fapi_org_members_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me           c;
    struct gh_org            *o = NULL;
    struct gh_org_membership *m = NULL;
    const char               *uid, *role;
    int                       rc = -1;

    if (gh_me_begin(req, resp, &c, err) == -1 ||
        org_access(&c, GH_PERM_MEMBERSHIPS_MANAGE, &o, err) == -1 ||
        gh_fapi_need(&c.f, "user_id", &uid, err) == -1 ||
        gh_fapi_need(&c.f, "role", &role, err) == -1 ||
        gh_org_member_add(req->app, c.f.instance_id, o->id, uid, role, NULL, NULL, &m, err) == -1)
        goto done;
    rc = reply_member(&c, m, err);
done:
    gh_org_membership_free(m);
    gh_org_free(o);
    gh_me_end(&c);
    return rc;
}

/* PATCH /v1/organizations/:org/memberships/:user_id (role): manage. */
int
gh_fapi_org_members_update(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me           c;
    struct gh_org            *o = NULL;
    struct gh_org_membership *m = NULL;
    const char               *role;
    int                       rc = -1;

    if (gh_me_begin(req, resp, &c, err) == -1 ||
        org_access(&c, GH_PERM_MEMBERSHIPS_MANAGE, &o, err) == -1 ||
        gh_fapi_need(&c.f, "role", &role, err) == -1 ||
        gh_org_member_set_role(req->app, c.f.instance_id, o->id, req->params[1], role, &m,
            err) == -1)
        goto done;
    rc = reply_member(&c, m, err);
done:
    gh_org_membership_free(m);
    gh_org_free(o);
    gh_me_end(&c);
    return rc;
}

/* DELETE /v1/organizations/:org/memberships/:user_id: manage. */
int
gh_fapi_org_members_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me           c;
    struct gh_org            *o = NULL;
    struct gh_org_membership *m = NULL;
    int                       rc = -1;

    if (gh_me_begin(req, resp, &c, err) == -1 ||
        org_access(&c, GH_PERM_MEMBERSHIPS_MANAGE, &o, err) == -1 ||
        gh_org_member_remove(req->app, c.f.instance_id, o->id, req->params[1], &m, err) == -1)
        goto done;
    rc = reply_member(&c, m, err);
done:
    gh_org_membership_free(m);
    gh_org_free(o);
    gh_me_end(&c);
    return rc;
}

/* GET …/domains and …/membership_requests: domains are off, so always empty. */
int
gh_fapi_org_empty_list(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me c;
    int             rc = -1;

    if (gh_me_begin(req, resp, &c, err) == 0 && org_access(&c, NULL, NULL, err) == 0)
        rc = gh_fapi_reply(&c.f, gh_api_list(json_array(), 0), err);
    gh_me_end(&c);
    return rc;
}
