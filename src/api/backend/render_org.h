/* render_org.h: the Backend API JSON shapes of organizations (spec §C3),
 * memberships (§C4), roles and permissions (SDK Role/Permission.fromJSON),
 * built field by field. A membership always carries its full organization
 * and public_user_data (the SDK requires both). Organization invitations
 * (§C5) too, for the Backend API and the organizationInvitation.* events. */
#ifndef GH_API_BACKEND_RENDER_ORG_H
#define GH_API_BACKEND_RENDER_ORG_H

#include <jansson.h>

#include "store/records.h"

struct gh_app;

/* A new "organization"; members_count only when o->members_count >= 0. NULL on OOM. */
json_t *gh_render_org(const struct gh_org *o);
/* A new "permission" object. */
json_t *gh_render_permission(const struct gh_permission *p);
/* A new "role" object with its permissions. */
json_t *gh_render_role(const struct gh_role *r);
/* A new "organization_membership". u (the member) and r (the role) may be
 * NULL when gone: public_user_data then has only user_id, role_name is the
 * key and permissions []. */
json_t *gh_render_org_membership(const struct gh_app *app, const struct gh_org_membership *m,
    const struct gh_org *o, const struct gh_user *u, const struct gh_role *r);
/* gh_render_org_invitation's shape from records already loaded (webhook
 * events load them inside their transaction): url NULL renders null (the
 * ticket URL exists only in the create answer); r (its role: role_name) and
 * inviter (public_inviter_data) may be NULL. No public_organization_data. */
json_t *gh_render_org_invitation_of(const struct gh_app *app, const struct gh_invitation *inv,
    const char *url, const struct gh_role *r, const struct gh_user *inviter);

/* A new "organization_invitation" (§C5; org_invitations.c); url only right
 * after creation; public_organization_data with with_org. Frontend API too. */
struct gh_invitation;
json_t *gh_render_org_invitation(struct gh_app *app, const char *instance_id,
    const struct gh_invitation *inv, const char *url, int with_org);

#endif
