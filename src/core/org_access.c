/* org_access.c: see org_access.h. */
#include "core/org_access.h"

#include <string.h>

#include "core/app.h"
#include "core/event.h"
#include "core/invitation.h"
#include "core/org.h"
#include "core/role.h"
#include "core/ticket.h"
#include "core/user.h"
#include "store/store.h"
#include "util/log.h"
#include "util/str.h"

static int
role_grants(const struct gh_role *r, const char *perm)
{
    for (size_t i = 0; r != NULL && i < r->nperms; i++)
        if (strcmp(r->perms[i].key, perm) == 0)
            return 1;
    return 0;
}

int
gh_org_access_check(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *user_id, const char *perm, struct gh_org **org_out, struct gh_err *err)
{
    struct gh_org            *o = NULL;
    struct gh_org_membership *m = NULL;
    struct gh_role           *r = NULL;
    int                       rc = -1;

    if (org_out != NULL)
        *org_out = NULL;
    if (gh_org_get(app, instance_id, org_id, 1, &o, err) == -1)
        return -1;
    if (gh_org_member_find(app, instance_id, o->id, user_id, &m, err) == -1)
        goto done;
    if (m == NULL) {
        GH_FAIL(err, GH_E_NOT_FOUND, "Organization not found");
        goto done;
    }
    if (perm != NULL) {
        if (gh_role_find_by_key(app, instance_id, m->role, &r, err) == -1)
            goto done;
        if (!role_grants(r, perm)) {
            GH_FAIL(err, GH_E_NOT_ALLOWED_ACCESS, NULL);
            gh_err_note(err, "user_id=%s lacks %s in org_id=%s", user_id, perm, o->id);
            goto done;
        }
    }
    if (org_out != NULL) {
        *org_out = o;
        o = NULL;
    }
    rc = 0;
done:
    gh_role_free(r);
    gh_org_membership_free(m);
    gh_org_free(o);
    return rc;
}

/* 1 when email is one of u's verified addresses. */
static int
has_verified_email(const struct gh_user *u, const char *email)
{
    for (size_t i = 0; email != NULL && i < u->nidents; i++)
        if (u->idents[i].type == GH_IDENT_EMAIL && u->idents[i].verified &&
            u->idents[i].value != NULL && strcmp(u->idents[i].value, email) == 0)
            return 1;
    return 0;
}

int
gh_org_invitation_accept(struct gh_app *app, const char *instance_id, const char *inv_id,
    const char *user_id, struct gh_invitation **out, struct gh_err *err)
{
    struct gh_invitation     *inv = NULL;
    struct gh_user           *u = NULL;
    struct gh_org_membership *m = NULL;
    int                       changed = 0, ok, rc = -1;

    *out = NULL;
    if (gh_store_invitation_get(app->store, instance_id, inv_id, &inv, err) == -1 ||
        gh_user_get(app, instance_id, user_id, &u, err) == -1)
        goto done;
    gh_invitation_settle(inv, gh_now_ms());
    if (inv->org_id[0] == '\0' || !has_verified_email(u, inv->email_address)) {
        GH_FAIL(err, GH_E_NOT_FOUND, "Invitation not found");
        goto done;
    }
    if (strcmp(inv->status, "pending") != 0) {
        GH_FAIL(err, GH_E_ORG_INVITATION_NOT_PENDING, "This invitation is no longer pending.");
        goto done;
    }
    if (gh_store_begin(app->store, err) == -1)
        goto done;
    ok = gh_store_invitation_set_status(app->store, instance_id, inv->id, "pending", "accepted",
             gh_now_ms(), &changed, err) == 0 &&
        (changed || GH_FAIL(err, GH_E_ORG_INVITATION_NOT_PENDING, NULL) == 0) &&
        gh_ticket_revoke_target(app, instance_id, inv->id, err) == 0 &&
        gh_org_member_add(app, instance_id, inv->org_id, user_id, inv->role, NULL, NULL, &m,
            err) == 0 &&
        gh_event_emit_org_invitation(app, instance_id, "organizationInvitation.accepted", inv->id,
            user_id, err) == 0; /* webhooks (issue 5): after organizationMembership.created */
    if (gh_event_tx_end(app, ok, err) == -1)
        goto done;
    gh_log_info("organization invitation accepted invitation_id=%s user_id=%s", inv->id, user_id);
    gh_invitation_free(inv);
    inv = NULL;
    rc = gh_store_invitation_get(app->store, instance_id, inv_id, out, err);
done:
    gh_org_membership_free(m);
    gh_invitation_free(inv);
    gh_user_free(u);
    return rc;
}
