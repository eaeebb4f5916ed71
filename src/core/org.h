/* org.h: organizations and memberships (spec §B2, §C3, §C4): create (the
 * creator becomes an org:admin member in the same transaction), get by id or
 * slug, list, update, metadata, delete; memberships add / get / list /
 * change role / metadata / remove, with max_allowed_memberships enforced.
 * Inputs are plain C (metadata as JSON object text); outputs are store
 * records (records.h) the caller frees. No HTTP, SQL or jansson here.
 * Roles and permissions are role.h's; invitations call the membership
 * functions below when a ticket is accepted. */
#ifndef GH_CORE_ORG_H
#define GH_CORE_ORG_H

#include <stddef.h>
#include <stdint.h>

#include "store/records.h"
#include "store/store.h"
#include "util/err.h"

struct gh_app;

#define GH_ORG_NAME_MAX 256 /* bytes */
#define GH_ORG_SLUG_MAX 128 /* bytes */

/* POST /v1/organizations. Strings borrowed for the call; NULL = not given. */
struct gh_org_params {
    const char *name;                    /* required, 1..GH_ORG_NAME_MAX bytes */
    const char *slug;                    /* NULL = derived from name */
    const char *created_by;              /* user id or NULL; must exist */
    int64_t     max_allowed_memberships; /* -1 = not given (0 = unlimited) */
    const char *public_metadata;         /* JSON object text or NULL ({}) */
    const char *private_metadata;
    int64_t     created_at;              /* ms; GH_TIME_NULL = now */
};
void gh_org_params_init(struct gh_org_params *p); /* zero, max -1, created_at NULL */

/* Slug rules. gh_org_slug_valid: 1 when s matches ^[a-z0-9][a-z0-9-]*$ and
 * is at most GH_ORG_SLUG_MAX bytes. gh_org_slug_from_name: lower-case ASCII,
 * every run of other bytes becomes one '-', leading/trailing '-' dropped,
 * truncated to GH_ORG_SLUG_MAX; *out malloc'd. A name with no ASCII
 * letter or digit gives an empty slug → GH_E_PARAM_INVALID naming "slug". */
int gh_org_slug_valid(const char *s);
int gh_org_slug_from_name(const char *name, char **out, struct gh_err *err);

/* Validates p (name missing → GH_E_PARAM_MISSING "name"; bad slug →
 * GH_E_PARAM_INVALID "slug"; slug taken → GH_E_IDENTIFIER_EXISTS "slug";
 * unknown created_by → GH_E_NOT_FOUND / param "created_by"), stores the
 * organization and, with created_by, an org:admin membership for that user
 * in one transaction. *out: the stored organization (caller frees). */
int gh_org_create(struct gh_app *app, const char *instance_id, const struct gh_org_params *p,
    struct gh_org **out, struct gh_err *err);

/* The organization whose id ("org_…") or slug is id_or_slug. with_count: also
 * fill members_count (else -1). Unknown → GH_E_NOT_FOUND. *out caller frees. */
int gh_org_get(struct gh_app *app, const char *instance_id, const char *id_or_slug,
    int with_count, struct gh_org **out, struct gh_err *err);

/* PATCH /v1/organizations/:id; `fields` says which members are given. */
enum {
    GH_ORG_F_NAME         = 1u << 0,
    GH_ORG_F_SLUG         = 1u << 1,
    GH_ORG_F_ADMIN_DELETE = 1u << 2,
    GH_ORG_F_MAX_MEMBERS  = 1u << 3,
    GH_ORG_F_PUBLIC_MD    = 1u << 4, /* replace whole */
    GH_ORG_F_PRIVATE_MD   = 1u << 5,
};
struct gh_org_patch {
    unsigned    fields;
    const char *name;
    const char *slug;
    int         admin_delete_enabled;
    int64_t     max_allowed_memberships;
    const char *public_metadata;
    const char *private_metadata;
};
/* Same checks as create for the given fields; updated_at = now. */
int gh_org_update(struct gh_app *app, const char *instance_id, const char *org_id,
    const struct gh_org_patch *p, struct gh_org **out, struct gh_err *err);

/* PATCH (merge = 1, deep merge, null deletes) / PUT (merge = 0, replace)
 * /v1/organizations/:id/metadata. NULL members are left alone. */
int gh_org_metadata(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *public_md, const char *private_md, int merge, struct gh_org **out,
    struct gh_err *err);

/* Deletes the organization and its memberships (and, through the store's
 * cascade, anything else hanging off it). *out: the organization as it was,
 * for the DeletedObject's slug (caller frees). */
int gh_org_delete(struct gh_app *app, const char *instance_id, const char *org_id,
    struct gh_org **out, struct gh_err *err);

int gh_org_list(struct gh_app *app, const char *instance_id, const struct gh_org_filter *f,
    struct gh_org ***out, size_t *n, struct gh_err *err);
int gh_org_count(struct gh_app *app, const char *instance_id, const struct gh_org_filter *f,
    int64_t *out, struct gh_err *err);

/* ---- memberships ---- */

/* Adds user_id to org_id with role_key (must be an existing role → else
 * GH_E_PARAM_VALUE_INVALID naming "role"). Unknown org or user →
 * GH_E_NOT_FOUND; already a member → GH_E_ALREADY_MEMBER; the org full
 * (max_allowed_memberships > 0 reached) → GH_E_MEMBERSHIP_QUOTA. Metadata
 * NULL = {}. Joins the caller's transaction when one is open.
 * *out: the stored membership (caller frees); out may be NULL. */
int gh_org_member_add(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *user_id, const char *role_key, const char *public_md, const char *private_md,
    struct gh_org_membership **out, struct gh_err *err);

/* The membership of user_id in org_id; GH_E_NOT_FOUND when none. */
int gh_org_member_get(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *user_id, struct gh_org_membership **out, struct gh_err *err);
/* As gh_org_member_get but *out NULL (return 0) when not a member. */
int gh_org_member_find(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *user_id, struct gh_org_membership **out, struct gh_err *err);

/* Changes the member's role (checked as in add); updated_at = now. */
int gh_org_member_set_role(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *user_id, const char *role_key, struct gh_org_membership **out,
    struct gh_err *err);
/* PATCH-merges the membership's metadata (NULL members left alone). */
int gh_org_member_metadata(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *user_id, const char *public_md, const char *private_md,
    struct gh_org_membership **out, struct gh_err *err);
/* Removes the membership; *out: the membership as it was (caller frees). */
int gh_org_member_remove(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *user_id, struct gh_org_membership **out, struct gh_err *err);

/* Lists memberships (filter in store.h: by org, user ids, roles, query…). */
int gh_org_member_list(struct gh_app *app, const char *instance_id,
    const struct gh_org_member_filter *f, struct gh_org_membership ***out, size_t *n,
    struct gh_err *err);
int gh_org_member_count(struct gh_app *app, const char *instance_id,
    const struct gh_org_member_filter *f, int64_t *out, struct gh_err *err);

#endif
