/* event_org.c: see event.h. The organization, organizationMembership, role
 * and permission events: each loader reads the stored record inside the
 * caller's open transaction (so data is what the change wrote) and hands it
 * to gh_event_emit; rendering stays in the api layer. Also the
 * organizationInvitation.* events and email.created (whose record the
 * mailer hands over). */
#include "core/event.h"

#include <stddef.h>
#include <string.h>

#include "core/app.h"
#include "core/invitation.h"
#include "store/store.h"
#include "util/str.h"

int
gh_event_tx_end(struct gh_app *app, int ok, struct gh_err *err)
{
    if (ok && gh_store_commit(app->store, err) == 0) {
        gh_event_wake(app);
        return 0;
    }
    gh_store_rollback(app->store);
    return -1;
}

int
gh_event_emit_org(struct gh_app *app, const char *instance_id, const char *type,
    const char *org_id, struct gh_err *err)
{
    struct gh_org *o = NULL;
    int            rc;

    if (app->event_render == NULL)
        return 0;
    if (gh_store_org_get(app->store, instance_id, org_id, 0, &o, err) == -1)
        return -1;
    rc = gh_event_emit(app, instance_id, type, GH_EVENT_ORGANIZATION, o, err);
    gh_org_free(o);
    return rc;
}

int
gh_event_emit_membership(struct gh_app *app, const char *instance_id, const char *type,
    const struct gh_org_membership *m, struct gh_err *err)
{
    struct gh_event_membership em = { .membership = m };
    struct gh_org             *o = NULL;
    struct gh_user            *u = NULL;
    struct gh_role            *r = NULL;
    struct gh_err              ue = { 0 };
    int                        rc = -1;

    if (app->event_render == NULL)
        return 0;
    if (gh_store_org_get(app->store, instance_id, m->org_id, 0, &o, err) == -1 ||
        gh_store_role_find(app->store, instance_id, "key", m->role, &r, err) == -1)
        goto done;
    if (gh_store_user_get(app->store, instance_id, m->user_id, &u, &ue) == -1 &&
        ue.code != GH_E_NOT_FOUND) { /* a gone user renders minimal public_user_data */
        *err = ue;
        goto done;
    }
    em.org = o;
    em.user = u;
    em.role = r;
    rc = gh_event_emit(app, instance_id, type, GH_EVENT_MEMBERSHIP, &em, err);
done:
    gh_role_free(r);
    gh_user_free(u);
    gh_org_free(o);
    return rc;
}

int
gh_event_emit_role(struct gh_app *app, const char *instance_id, const char *type,
    const char *role_id, struct gh_err *err)
{
    struct gh_role *r = NULL;
    int             rc;

    if (app->event_render == NULL)
        return 0;
    if (gh_store_role_find(app->store, instance_id, "id", role_id, &r, err) == -1)
        return -1;
    if (r == NULL)
        return GH_FAIL(err, GH_E_NOT_FOUND, "Role not found");
    rc = gh_event_emit(app, instance_id, type, GH_EVENT_ROLE, r, err);
    gh_role_free(r);
    return rc;
}

int
gh_event_emit_permission(struct gh_app *app, const char *instance_id, const char *type,
    const char *perm_id, struct gh_err *err)
{
    struct gh_permission *p = NULL;
    int                   rc;

    if (app->event_render == NULL)
        return 0;
    if (gh_store_permission_find(app->store, instance_id, "id", perm_id, &p, err) == -1)
        return -1;
    if (p == NULL)
        return GH_FAIL(err, GH_E_NOT_FOUND, "Permission not found");
    rc = gh_event_emit(app, instance_id, type, GH_EVENT_PERMISSION, p, err);
    gh_permission_free(p);
    return rc;
}

int
gh_event_emit_deleted(struct gh_app *app, const char *instance_id, const char *type,
    const char *object, const char *id, const char *slug, struct gh_err *err)
{
    struct gh_event_deleted d = { .object = object, .id = id, .slug = slug };

    return gh_event_emit(app, instance_id, type, GH_EVENT_DELETED, &d, err);
}

int
gh_event_emit_org_invitation(struct gh_app *app, const char *instance_id, const char *type,
    const char *invitation_id, const char *user_id, struct gh_err *err)
{
    struct gh_event_org_invitation ei = { .user_id = user_id };
    struct gh_invitation          *inv = NULL;
    struct gh_role                *r = NULL;
    struct gh_user                *u = NULL;
    struct gh_err                  ue = { 0 };
    int                            rc = -1;

    if (app->event_render == NULL)
        return 0;
    if (gh_store_invitation_get(app->store, instance_id, invitation_id, &inv, err) == -1 ||
        gh_store_role_find(app->store, instance_id, "key", inv->role, &r, err) == -1)
        goto done;
    if (inv->inviter_id[0] != '\0' &&
        gh_store_user_get(app->store, instance_id, inv->inviter_id, &u, &ue) == -1 &&
        ue.code != GH_E_NOT_FOUND) { /* a gone inviter renders public_inviter_data null */
        *err = ue;
        goto done;
    }
    gh_invitation_settle(inv, gh_now_ms());
    ei.invitation = inv;
    ei.role = r;
    ei.inviter = u;
    ei.with_user_id = strcmp(type, "organizationInvitation.accepted") == 0;
    rc = gh_event_emit(app, instance_id, type, GH_EVENT_ORG_INVITATION, &ei, err);
done:
    gh_user_free(u);
    gh_role_free(r);
    gh_invitation_free(inv);
    return rc;
}

int
gh_event_emit_email(struct gh_app *app, const char *instance_id,
    const struct gh_event_email *email, struct gh_err *err)
{
    return gh_event_emit(app, instance_id, "email.created", GH_EVENT_EMAIL, email, err);
}
