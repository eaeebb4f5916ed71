/* org_invitations.c: invitations through the Frontend API (spec FAPI §3.7):
 * an organization's admins list, send and revoke them; a signed-in user lists
 * the invitations sent to their addresses, accepts one, lists their
 * memberships and leaves an organization. Suggestions need verified domains,
 * which are off: always empty. */
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
#include "core/session.h"
#include "core/user.h"

#define STATUS_MAX 8
#define BULK_MAX   GH_INVITATION_BULK_MAX

/* An invitation as the browser sees it: no private metadata, no url. */
static json_t *
render_inv(struct gh_me *c, const struct gh_invitation *inv, int with_org)
{
    json_t *j = gh_render_org_invitation(c->f.req->app, c->f.instance_id, inv, NULL, with_org);

    if (j != NULL) {
        json_object_del(j, "private_metadata");
        json_object_del(j, "url");
    }
    return j;
}

static int
reply_invs(struct gh_me *c, struct gh_invitation **v, size_t n, int64_t total, int with_org,
    struct gh_err *err)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr != NULL && i < n; i++)
        if (json_array_append_new(arr, render_inv(c, v[i], with_org)) == -1) {
            json_decref(arr);
            arr = NULL;
        }
    if (arr == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    return gh_fapi_reply(&c->f, gh_api_list(arr, total), err);
}

static const char *
path(const struct gh_req *req, size_t i)
{
    return req->nparams > i ? req->params[i] : "";
}

/* GET /v1/organizations/:org/invitations (status=…): org:sys_memberships:read. */
int
gh_fapi_org_invitations_list(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me               c;
    struct gh_org               *o = NULL;
    struct gh_invitation_filter  flt;
    struct gh_invitation       **v = NULL;
    const char                  *st[STATUS_MAX];
    size_t                       n = 0;
    int64_t                      total = 0;
    int                          rc = -1;

    if (gh_me_begin(req, resp, &c, err) == -1 ||
        gh_org_access_check(req->app, c.f.instance_id, path(req, 0), c.u->id,
            GH_PERM_MEMBERSHIPS_READ, &o, err) == -1)
        goto done;
    gh_invitation_filter_init(&flt);
    flt.org_id = o->id;
    flt.statuses = st;
    flt.n_statuses = gh_req_query_all(req, "status", st, STATUS_MAX);
    if (flt.n_statuses > STATUS_MAX)
        flt.n_statuses = STATUS_MAX;
    if (gh_api_paging(req, &flt.limit, &flt.offset, err) == -1 ||
        gh_invitation_list(req->app, c.f.instance_id, &flt, &v, &n, &total, err) == -1)
        goto done;
    rc = reply_invs(&c, v, n, total, 0, err);
done:
    gh_invitations_free(v, n);
    gh_org_free(o);
    gh_me_end(&c);
    return rc;
}

/* POST …/invitations (email_address, role) and …/invitations/bulk
 * (email_address repeated, role): org:sys_memberships:manage; the caller is
 * the inviter. The ticket URL is emailed, never shown to the inviter. */
static int
invite(struct gh_req *req, struct gh_resp *resp, int bulk, struct gh_err *err)
{
    struct gh_me               c;
    struct gh_org               *o = NULL;
    struct gh_invitation_params *ps = NULL;
    struct gh_invitation       **v = NULL;
    char                       **urls = NULL;
    const char                  *role, *emails[BULK_MAX];
    size_t                       n = 0;
    json_t                      *ev;
    int                          rc = -1;

    if (gh_me_begin(req, resp, &c, err) == -1 ||
        gh_org_access_check(req->app, c.f.instance_id, path(req, 0), c.u->id,
            GH_PERM_MEMBERSHIPS_MANAGE, &o, err) == -1 ||
        gh_fapi_need(&c.f, "role", &role, err) == -1)
        goto done;
    ev = json_object_get(c.f.body, "email_address");
    if (json_is_array(ev)) {
        for (size_t i = 0; i < json_array_size(ev) && n < BULK_MAX; i++)
            if (json_is_string(json_array_get(ev, i)))
                emails[n++] = json_string_value(json_array_get(ev, i));
    } else if (gh_fapi_str(&c.f, "email_address") != NULL) {
        emails[n++] = gh_fapi_str(&c.f, "email_address");
    }
    if (n == 0) {
        GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "email_address", NULL);
        goto done;
    }
    if (!bulk)
        n = 1;
    if ((ps = calloc(n, sizeof(*ps))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        gh_invitation_params_init(&ps[i]);
        ps[i].email_address = emails[i];
        ps[i].role = role;
        ps[i].inviter_user_id = c.u->id;
    }
    if (gh_invitation_create(req->app, c.f.instance_id, o->id, ps, n, &v, &urls, err) == -1)
        goto done;
    if (bulk) {
        json_t *arr = json_array();

        for (size_t i = 0; arr != NULL && i < n; i++)
            json_array_append_new(arr, render_inv(&c, v[i], 0));
        rc = gh_fapi_reply(&c.f, arr, err);
    } else {
        rc = gh_fapi_reply(&c.f, render_inv(&c, v[0], 0), err);
    }
done:
    if (v != NULL) {
        gh_invitation_urls_free(urls, n);
        gh_invitations_free(v, n);
    }
    free(ps);
    gh_org_free(o);
    gh_me_end(&c);
    return rc;
}

int
gh_fapi_org_invitations_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return invite(req, resp, 0, err);
}

int
gh_fapi_org_invitations_bulk(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return invite(req, resp, 1, err);
}

/* POST …/invitations/:id/revoke: manage. */
int
gh_fapi_org_invitations_revoke(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me        c;
    struct gh_org        *o = NULL;
    struct gh_invitation *inv = NULL;
    int                   rc = -1;

    if (gh_me_begin(req, resp, &c, err) == -1 ||
        gh_org_access_check(req->app, c.f.instance_id, path(req, 0), c.u->id,
            GH_PERM_MEMBERSHIPS_MANAGE, &o, err) == -1 ||
        gh_invitation_revoke(req->app, c.f.instance_id, o->id, path(req, 1), &inv, err) == -1)
        goto done;
    rc = gh_fapi_reply(&c.f, render_inv(&c, inv, 0), err);
done:
    gh_invitation_free(inv);
    gh_org_free(o);
    gh_me_end(&c);
    return rc;
}

/* GET /v1/me/organization_memberships */
int
gh_fapi_me_org_memberships(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me              c;
    struct gh_org_member_filter flt;
    struct gh_org_membership  **v = NULL;
    const char                 *uid[1];
    size_t                      n = 0;
    int64_t                     total = 0;
    json_t                     *arr = NULL;
    int                         rc = -1;

    if (gh_me_begin(req, resp, &c, err) == -1)
        goto done;
    gh_org_member_filter_init(&flt);
    uid[0] = c.u->id;
    flt.user_ids = uid;
    flt.n_user_ids = 1;
    if (gh_api_paging(req, &flt.limit, &flt.offset, err) == -1 ||
        gh_org_member_list(req->app, c.f.instance_id, &flt, &v, &n, err) == -1 ||
        gh_org_member_count(req->app, c.f.instance_id, &flt, &total, err) == -1)
        goto done;
    if ((arr = json_array()) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *j = gh_fapi_render_membership(&c.f, v[i], NULL, err);

        if (j == NULL || json_array_append_new(arr, j) == -1)
            goto done;
    }
    rc = gh_fapi_reply(&c.f, gh_api_list(arr, total), err);
    arr = NULL;
done:
    json_decref(arr);
    gh_org_memberships_free(v, n);
    gh_me_end(&c);
    return rc;
}

/* GET /v1/me/organization_invitations (status=…): sent to the user's addresses. */
int
gh_fapi_me_org_invitations(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me         c;
    struct gh_invitation **v = NULL;
    const char            *st[STATUS_MAX];
    size_t                 n = 0, ns;
    int64_t                limit, offset, total = 0;
    int                    rc = -1;

    if (gh_me_begin(req, resp, &c, err) == -1 || gh_api_paging(req, &limit, &offset, err) == -1)
        goto done;
    ns = gh_req_query_all(req, "status", st, STATUS_MAX);
    if (ns > STATUS_MAX)
        ns = STATUS_MAX;
    if (gh_invitation_list_for_user(req->app, c.f.instance_id, c.u->id, st, ns, limit, offset,
            &v, &n, &total, err) == -1)
        goto done;
    rc = reply_invs(&c, v, n, total, 1, err);
done:
    gh_invitations_free(v, n);
    gh_me_end(&c);
    return rc;
}

/* GET /v1/me/organization_suggestions: none without verified domains. */
int
gh_fapi_me_org_suggestions(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me c;
    int            rc = -1;

    if (gh_me_begin(req, resp, &c, err) == 0)
        rc = gh_fapi_reply(&c.f, gh_api_list(json_array(), 0), err);
    gh_me_end(&c);
    return rc;
}

/* POST /v1/me/organization_invitations/:id/accept */
int
gh_fapi_me_org_invitation_accept(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me        c;
    struct gh_invitation *inv = NULL;
    int                   rc = -1;

    if (gh_me_begin(req, resp, &c, err) == -1 ||
        gh_org_invitation_accept(req->app, c.f.instance_id, path(req, 0), c.u->id, &inv,
            err) == -1)
        goto done;
    rc = gh_fapi_reply(&c.f, render_inv(&c, inv, 1), err);
done:
    gh_invitation_free(inv);
    gh_me_end(&c);
    return rc;
}

/* DELETE /v1/me/organization_memberships/:org: leave the organization. */
int
gh_fapi_me_org_leave(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me            c;
    struct gh_org            *o = NULL;
    struct gh_org_membership *m = NULL;
    int                       rc = -1;

    if (gh_me_begin(req, resp, &c, err) == -1 ||
        gh_org_access_check(req->app, c.f.instance_id, path(req, 0), c.u->id, NULL, &o,
            err) == -1 ||
        gh_org_member_remove(req->app, c.f.instance_id, o->id, c.u->id, &m, err) == -1)
        goto done;
    rc = gh_fapi_reply(&c.f, gh_api_deleted("organization_membership", m->id), err);
done:
    gh_org_membership_free(m);
    gh_org_free(o);
    gh_me_end(&c);
    return rc;
}
