/* role.h: organization roles and permissions (spec §B5 organizationRoles /
 * organizationPermissions, §D4). Every instance has the system permissions
 * org:sys_profile:manage|delete, org:sys_memberships:read|manage,
 * org:sys_domains:read|manage and the roles org:admin (all of them) and
 * org:member (org:sys_memberships:read), seeded lazily on first use. Custom
 * permissions are "org:<feature>:<action>"; custom roles "org:<key>".
 * Also the session token's organization claims (`o`, `fea`). No HTTP, SQL
 * or jansson here; records are records.h's, caller-owned. */
#ifndef GH_CORE_ROLE_H
#define GH_CORE_ROLE_H

#include <stddef.h>
#include <stdint.h>

#include "store/records.h"
#include "util/err.h"

struct gh_app;

#define GH_ROLE_ADMIN  "org:admin"
#define GH_ROLE_MEMBER "org:member"
#define GH_ROLE_NAME_MAX 256

/* Makes sure the system permissions and default roles exist (idempotent;
 * every function below calls it, so callers normally need not). */
int gh_role_seed(struct gh_app *app, const char *instance_id, struct gh_err *err);

/* 1 when key is "org:<feature>:<action>", feature and action non-empty
 * [a-z0-9_-] (lower-case letters, digits, '_' and '-'), within GH_ROLE_KEY_MAX. */
int gh_permission_key_valid(const char *key);
/* 1 when key is "org:<name>", name non-empty [a-z0-9_-], within GH_ROLE_KEY_MAX. */
int gh_role_key_valid(const char *key);

/* ---- roles ---- */
/* The role with that key ("org:admin"), with its permissions. Unknown →
 * GH_E_NOT_FOUND; *out caller frees. */
int gh_role_get_by_key(struct gh_app *app, const char *instance_id, const char *key,
    struct gh_role **out, struct gh_err *err);
/* As above, but a missing role is *out NULL (return 0). Use it to validate a
 * role given in a request: unknown → answer GH_E_PARAM_VALUE_INVALID "role". */
int gh_role_find_by_key(struct gh_app *app, const char *instance_id, const char *key,
    struct gh_role **out, struct gh_err *err);
/* By id ("role_…"). Unknown → GH_E_NOT_FOUND. */
int gh_role_get(struct gh_app *app, const char *instance_id, const char *role_id,
    struct gh_role **out, struct gh_err *err);

/* Creates a role. key must be gh_role_key_valid (→ GH_E_PARAM_INVALID "key"),
 * unused (→ GH_E_IDENTIFIER_EXISTS "key"); name required; perm_ids: ids or
 * keys of existing permissions (unknown → GH_E_PARAM_VALUE_INVALID
 * "permissions"). description NULL = "". */
int gh_role_create(struct gh_app *app, const char *instance_id, const char *name,
    const char *key, const char *description, const char *const *perm_ids, size_t nperm_ids,
    struct gh_role **out, struct gh_err *err);

/* PATCH: NULL members unchanged. Changing the key renames it in memberships. */
int gh_role_update(struct gh_app *app, const char *instance_id, const char *role_id,
    const char *name, const char *key, const char *description, struct gh_role **out,
    struct gh_err *err);

/* Deletes a custom role. The default roles, and a role members still hold,
 * → GH_E_PARAM_VALUE_INVALID. *out: the role as it was. */
int gh_role_delete(struct gh_app *app, const char *instance_id, const char *role_id,
    struct gh_role **out, struct gh_err *err);

/* Every role, by key; *n total. */
int gh_role_list(struct gh_app *app, const char *instance_id, const char *query, int64_t limit,
    int64_t offset, struct gh_role ***out, size_t *n, int64_t *total, struct gh_err *err);

/* Grants / revokes a permission (by id) on a role (by id). Granting twice or
 * revoking an ungranted one is not an error. *out: the role after. */
int gh_role_permission_add(struct gh_app *app, const char *instance_id, const char *role_id,
    const char *perm_id, struct gh_role **out, struct gh_err *err);
int gh_role_permission_remove(struct gh_app *app, const char *instance_id, const char *role_id,
    const char *perm_id, struct gh_role **out, struct gh_err *err);

/* ---- permissions ---- */
/* key must be gh_permission_key_valid (→ GH_E_PARAM_INVALID "key"), not a
 * "org:sys_" key (reserved → GH_E_PARAM_INVALID "key"), unused
 * (→ GH_E_IDENTIFIER_EXISTS "key"); name required. type is "user". */
int gh_permission_create(struct gh_app *app, const char *instance_id, const char *name,
    const char *key, const char *description, struct gh_permission **out, struct gh_err *err);
int gh_permission_get(struct gh_app *app, const char *instance_id, const char *perm_id,
    struct gh_permission **out, struct gh_err *err);
/* NULL members unchanged; system permissions cannot change (GH_E_PARAM_VALUE_INVALID). */
int gh_permission_update(struct gh_app *app, const char *instance_id, const char *perm_id,
    const char *name, const char *key, const char *description, struct gh_permission **out,
    struct gh_err *err);
/* Deletes a user permission (and its grants); system ones refused. */
int gh_permission_delete(struct gh_app *app, const char *instance_id, const char *perm_id,
    struct gh_permission **out, struct gh_err *err);
int gh_permission_list(struct gh_app *app, const char *instance_id, const char *query,
    int64_t limit, int64_t offset, struct gh_permission ***out, size_t *n, int64_t *total,
    struct gh_err *err);

/* ---- session token claims (spec §D4) ---- */
/* From the permission keys granted by a role (any order, duplicates and
 * "org:sys_*" keys ignored): *fea = "o:f1,o:f2" (features sorted),
 * *per = "a1,a2" (actions sorted), *fpm = "n1,n2" with
 * n_i = Σ_j granted(f_i, a_j) << j in decimal (arbitrary size). All three
 * malloc'd; all NULL (return 0) when no custom permission remains. */
int gh_role_claims_encode(const char *const *perm_keys, size_t n, char **fea, char **per,
    char **fpm, struct gh_err *err);

/* The organization claims for a session whose active organization is org_id:
 * *o = JSON object text {"fpm","id","per","rol","slg"} and *fea = JSON
 * string text, both malloc'd; both NULL (return 0) when the user is no
 * longer a member or the org is gone. */
int gh_role_org_claims(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *user_id, char **o, char **fea, struct gh_err *err);

#endif
