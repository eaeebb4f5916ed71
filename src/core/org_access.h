/* org_access.h: what a signed-in member may do in an organization through
 * the Frontend API (issue 4): the system permissions of their role decide
 * (org:sys_profile:manage to edit, org:sys_profile:delete to delete,
 * org:sys_memberships:read|manage for members and invitations), and a user
 * accepts invitations sent to one of their verified email addresses. The
 * Backend API is trusted and skips these checks. */
#ifndef GH_CORE_ORG_ACCESS_H
#define GH_CORE_ORG_ACCESS_H

#include "store/records.h"
#include "util/err.h"

struct gh_app;

#define GH_PERM_PROFILE_MANAGE     "org:sys_profile:manage"
#define GH_PERM_PROFILE_DELETE     "org:sys_profile:delete"
#define GH_PERM_MEMBERSHIPS_READ   "org:sys_memberships:read"
#define GH_PERM_MEMBERSHIPS_MANAGE "org:sys_memberships:manage"

/* Checks that user_id is a member of org_id (id or slug) whose role grants
 * perm (NULL: membership is enough). Not a member, or no such organization →
 * GH_E_NOT_FOUND (an outsider learns nothing); member without the permission →
 * GH_E_NOT_ALLOWED_ACCESS. *org_out (optional): the organization, caller frees. */
int gh_org_access_check(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *user_id, const char *perm, struct gh_org **org_out, struct gh_err *err);

/* Accepts the pending organization invitation inv_id for user_id: the
 * invitation's email must be one of the user's verified addresses (else
 * GH_E_NOT_FOUND); it becomes a membership with the invited role, and the
 * invitation "accepted" with its ticket spent, in one transaction (with
 * organizationMembership.created and organizationInvitation.accepted).
 * Not pending → GH_E_ORG_INVITATION_NOT_PENDING. *out: the invitation after. */
int gh_org_invitation_accept(struct gh_app *app, const char *instance_id, const char *inv_id,
    const char *user_id, struct gh_invitation **out, struct gh_err *err);

#endif
