/* records_orgs.c: constructors and destructors for the organization records
 * of records.h (issue 3): organizations, memberships, roles, permissions. */
#include "store/records.h"

#include <stdlib.h>
#include <string.h>

struct gh_org *
gh_org_new(void)
{
    struct gh_org *o = calloc(1, sizeof(*o));

    if (o == NULL)
        return NULL;
    o->members_count = -1;
    o->created_at = GH_TIME_NULL;
    o->updated_at = GH_TIME_NULL;
    o->public_metadata = strdup("{}");
    o->private_metadata = strdup("{}");
    if (o->public_metadata == NULL || o->private_metadata == NULL) {
        gh_org_free(o);
        return NULL;
    }
    return o;
}

void
gh_org_free(struct gh_org *o)
{
    if (o == NULL)
        return;
    free(o->name);
    free(o->slug);
    free(o->image_url);
    free(o->public_metadata);
    free(o->private_metadata);
    free(o);
}

void
gh_orgs_free(struct gh_org **v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        gh_org_free(v[i]);
    free(v);
}

struct gh_org_membership *
gh_org_membership_new(void)
{
    struct gh_org_membership *m = calloc(1, sizeof(*m));

    if (m == NULL)
        return NULL;
    m->created_at = GH_TIME_NULL;
    m->updated_at = GH_TIME_NULL;
    m->public_metadata = strdup("{}");
    m->private_metadata = strdup("{}");
    if (m->public_metadata == NULL || m->private_metadata == NULL) {
        gh_org_membership_free(m);
        return NULL;
    }
    return m;
}

void
gh_org_membership_free(struct gh_org_membership *m)
{
    if (m == NULL)
        return;
    free(m->public_metadata);
    free(m->private_metadata);
    free(m);
}

void
gh_org_memberships_free(struct gh_org_membership **v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        gh_org_membership_free(v[i]);
    free(v);
}

void
gh_permission_clear(struct gh_permission *p)
{
    if (p == NULL)
        return;
    free(p->name);
    free(p->description);
    p->name = NULL;
    p->description = NULL;
}

struct gh_permission *
gh_permission_new(void)
{
    struct gh_permission *p = calloc(1, sizeof(*p));

    if (p == NULL)
        return NULL;
    p->created_at = GH_TIME_NULL;
    p->updated_at = GH_TIME_NULL;
    return p;
}

void
gh_permission_free(struct gh_permission *p)
{
    gh_permission_clear(p);
    free(p);
}

void
gh_permissions_free(struct gh_permission **v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        gh_permission_free(v[i]);
    free(v);
}

struct gh_role *
gh_role_new(void)
{
    struct gh_role *r = calloc(1, sizeof(*r));

    if (r == NULL)
        return NULL;
    r->created_at = GH_TIME_NULL;
    r->updated_at = GH_TIME_NULL;
    return r;
}

void
gh_role_free(struct gh_role *r)
{
    if (r == NULL)
        return;
    free(r->name);
    free(r->description);
    for (size_t i = 0; i < r->nperms; i++)
        gh_permission_clear(&r->perms[i]);
    free(r->perms);
    free(r);
}

void
gh_roles_free(struct gh_role **v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        gh_role_free(v[i]);
    free(v);
}
