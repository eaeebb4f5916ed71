/* role.c: see role.h. Roles and permissions of an instance, seeded lazily
 * (once per process per instance; a clash with a concurrent seeder on
 * another server is taken as "already there"). The token claim encoder is
 * role_claims.c. */
#include "core/role.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/event.h"
#include "core/id.h"
#include "store/store.h"
#include "util/str.h"

static const struct {
    const char *key;
    const char *name;
    const char *desc;
    int         member; /* granted to org:member too */
} sys_perms[] = {
    { "org:sys_domains:manage", "Manage domains", "Permission to manage organization domains.", 0 },
    { "org:sys_domains:read", "Read domains", "Permission to read organization domains.", 0 },
    { "org:sys_memberships:manage", "Manage members", "Permission to manage organization members.", 0 },
    { "org:sys_memberships:read", "Read members", "Permission to read organization members.", 1 },
    { "org:sys_profile:delete", "Delete organization", "Permission to delete the organization.", 0 },
    { "org:sys_profile:manage", "Manage organization", "Permission to manage the organization.", 0 },
};
#define NSYS (sizeof(sys_perms) / sizeof(sys_perms[0]))

static pthread_mutex_t seed_lock = PTHREAD_MUTEX_INITIALIZER;
static char            seeded[4][GH_ID_MAX]; /* instances seeded by this process */

static int
seed_perms(struct gh_app *app, const char *instance_id, struct gh_permission *got,
    struct gh_err *err)
{
    for (size_t i = 0; i < NSYS; i++) {
        struct gh_permission *p = NULL;
        struct gh_permission  np = { 0 };

        if (gh_store_permission_find(app->store, instance_id, "key", sys_perms[i].key, &p,
                err) == -1)
            return -1;
        if (p == NULL) {
            gh_id_new("perm", np.id);
            gh_strlcpy(np.key, sys_perms[i].key, sizeof(np.key));
            np.name = (char *)sys_perms[i].name;
            np.description = (char *)sys_perms[i].desc;
            gh_strlcpy(np.type, "system", sizeof(np.type));
            np.created_at = np.updated_at = gh_now_ms();
            if (gh_store_permission_insert(app->store, instance_id, &np, err) == -1)
                return -1;
            gh_strlcpy(got[i].id, np.id, sizeof(got[i].id));
        } else {
            gh_strlcpy(got[i].id, p->id, sizeof(got[i].id));
            gh_permission_free(p);
        }
    }
    return 0;
}

static int
seed_role(struct gh_app *app, const char *instance_id, const char *key, const char *name,
    const char *desc, int creator, struct gh_permission *perms, size_t nperms,
    struct gh_err *err)
{
    struct gh_role *r = NULL, nr = { 0 };

    if (gh_store_role_find(app->store, instance_id, "key", key, &r, err) == -1)
        return -1;
    if (r != NULL) {
        gh_role_free(r);
        return 0;
    }
    gh_id_new("role", nr.id);
    gh_strlcpy(nr.key, key, sizeof(nr.key));
    nr.name = (char *)name;
    nr.description = (char *)desc;
    nr.is_creator_eligible = creator;
    nr.created_at = nr.updated_at = gh_now_ms();
    nr.perms = perms;
    nr.nperms = nperms;
    return gh_store_role_insert(app->store, instance_id, &nr, err);
}

static int
seed_once(struct gh_app *app, const char *instance_id, struct gh_err *err)
{
    struct gh_permission all[NSYS], member[NSYS];
    size_t               nm = 0;

    memset(all, 0, sizeof(all));
    memset(member, 0, sizeof(member));
    if (seed_perms(app, instance_id, all, err) == -1)
        return -1;
    for (size_t i = 0; i < NSYS; i++)
        if (sys_perms[i].member)
            member[nm++] = all[i];
    if (seed_role(app, instance_id, GH_ROLE_ADMIN, "Admin",
            "Role with elevated permissions in the organization.", 1, all, NSYS, err) == -1 ||
        seed_role(app, instance_id, GH_ROLE_MEMBER, "Member",
            "Role with non-privileged permissions in the organization.", 0, member, nm, err) == -1)
        return -1;
    return 0;
}

int
gh_role_seed(struct gh_app *app, const char *instance_id, struct gh_err *err)
{
    int rc = 0, done = 0;

    pthread_mutex_lock(&seed_lock);
    for (size_t i = 0; i < 4 && !done; i++)
        done = strcmp(seeded[i], instance_id) == 0;
    if (!done) {
        struct gh_err se = { 0 };

        rc = seed_once(app, instance_id, &se);
        if (rc == -1 && se.code == GH_E_IDENTIFIER_EXISTS) { /* a concurrent seeder won */
            gh_err_clear(&se);
            rc = seed_once(app, instance_id, &se);
        }
        if (rc == -1)
            *err = se;
        for (size_t i = 0; rc == 0 && i < 4; i++)
            if (seeded[i][0] == '\0') {
                gh_strlcpy(seeded[i], instance_id, sizeof(seeded[i]));
                break;
            }
    }
    pthread_mutex_unlock(&seed_lock);
    return rc;
}

/* [a-z0-9_-]+ for n bytes. */
static int
seg_valid(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
                s[i] == '-'))
            return 0;
    return 1;
}

int
gh_permission_key_valid(const char *key)
{
    const char *f, *c;

    if (key == NULL || strlen(key) >= GH_ROLE_KEY_MAX || strncmp(key, "org:", 4) != 0)
        return 0;
    f = key + 4;
    if ((c = strchr(f, ':')) == NULL)
        return 0;
    return seg_valid(f, (size_t)(c - f)) && seg_valid(c + 1, strlen(c + 1));
}

int
gh_role_key_valid(const char *key)
{
    if (key == NULL || strlen(key) >= GH_ROLE_KEY_MAX || strncmp(key, "org:", 4) != 0)
        return 0;
    return seg_valid(key + 4, strlen(key + 4));
}

/* ---- roles ---- */

int
gh_role_find_by_key(struct gh_app *app, const char *instance_id, const char *key,
    struct gh_role **out, struct gh_err *err)
{
    *out = NULL;
    if (gh_role_seed(app, instance_id, err) == -1)
        return -1;
    return gh_store_role_find(app->store, instance_id, "key", key, out, err);
}

int
gh_role_get_by_key(struct gh_app *app, const char *instance_id, const char *key,
    struct gh_role **out, struct gh_err *err)
{
    if (gh_role_find_by_key(app, instance_id, key, out, err) == -1)
        return -1;
    return *out != NULL ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "Role not found");
}

int
gh_role_get(struct gh_app *app, const char *instance_id, const char *role_id,
    struct gh_role **out, struct gh_err *err)
{
    *out = NULL;
    if (gh_role_seed(app, instance_id, err) == -1)
        return -1;
    if (!gh_id_valid("role", role_id))
        return GH_FAIL(err, GH_E_NOT_FOUND, "Role not found");
    if (gh_store_role_find(app->store, instance_id, "id", role_id, out, err) == -1)
        return -1;
    return *out != NULL ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "Role not found");
}

static int
check_text(const char *s, const char *param, int required, struct gh_err *err)
{
    size_t n = s != NULL ? strlen(s) : 0;

    if (required && n == 0)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, param, NULL);
    if (n > GH_ROLE_NAME_MAX * 4)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, param, "is too long");
    if (s != NULL && !gh_utf8_valid(s, n))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, param, "must be valid UTF-8");
    return 0;
}

/* A permission by id or key (NULL *out when unknown). */
static int
perm_lookup(struct gh_app *app, const char *instance_id, const char *ref,
    struct gh_permission **out, struct gh_err *err)
{
    return gh_store_permission_find(app->store, instance_id,
        strncmp(ref, "org:", 4) == 0 ? "key" : "id", ref, out, err);
}

int
gh_role_create(struct gh_app *app, const char *instance_id, const char *name, const char *key,
    const char *description, const char *const *perm_ids, size_t nperm_ids,
    struct gh_role **out, struct gh_err *err)
{
    struct gh_role r = { 0 };
    int            rc = -1;

    *out = NULL;
    if (gh_role_seed(app, instance_id, err) == -1 || check_text(name, "name", 1, err) == -1 ||
        check_text(description, "description", 0, err) == -1)
        return -1;
    if (key == NULL || key[0] == '\0')
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "key", NULL);
    if (!gh_role_key_valid(key))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "key",
            "must look like org:<name> with lowercase letters, digits, '_' or '-'");
    if (nperm_ids > 0 && (r.perms = calloc(nperm_ids, sizeof(*r.perms))) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    for (size_t i = 0; i < nperm_ids; i++) {
        struct gh_permission *p = NULL;

        if (perm_lookup(app, instance_id, perm_ids[i], &p, err) == -1)
            goto done;
        if (p == NULL) {
            GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "permissions",
                "contains an unknown permission");
            goto done;
        }
        gh_strlcpy(r.perms[r.nperms++].id, p->id, sizeof(r.perms[0].id));
        gh_permission_free(p);
    }
    gh_id_new("role", r.id);
    gh_strlcpy(r.key, key, sizeof(r.key));
    r.name = (char *)name;
    r.description = (char *)(description != NULL ? description : "");
    r.created_at = r.updated_at = gh_now_ms();
    if (gh_store_begin(app->store, err) == -1 || /* webhooks (issue 5): role.created */
        gh_event_tx_end(app,
            gh_store_role_insert(app->store, instance_id, &r, err) == 0 &&
                gh_event_emit_role(app, instance_id, "role.created", r.id, err) == 0,
            err) == -1)
        goto done;
    rc = gh_role_get(app, instance_id, r.id, out, err);
done:
    free(r.perms);
    return rc;
}

static int
is_default_role(const char *key)
{
    return strcmp(key, GH_ROLE_ADMIN) == 0 || strcmp(key, GH_ROLE_MEMBER) == 0;
}

int
gh_role_update(struct gh_app *app, const char *instance_id, const char *role_id,
    const char *name, const char *key, const char *description, struct gh_role **out,
    struct gh_err *err)
{
    struct gh_role *r = NULL;
    char            old_key[GH_ROLE_KEY_MAX];
    char           *keep_name, *keep_desc;
    int             rc = -1;

    *out = NULL;
    if (gh_role_get(app, instance_id, role_id, &r, err) == -1)
        return -1;
    if ((name != NULL && check_text(name, "name", 1, err) == -1) ||
        check_text(description, "description", 0, err) == -1)
        goto done;
    if (key != NULL && !gh_role_key_valid(key)) {
        GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "key",
            "must look like org:<name> with lowercase letters, digits, '_' or '-'");
        goto done;
    }
    if (key != NULL && strcmp(key, r->key) != 0 && is_default_role(r->key)) {
        GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "key", "of a default role cannot change");
        goto done;
    }
    gh_strlcpy(old_key, r->key, sizeof(old_key));
    if (key != NULL)
        gh_strlcpy(r->key, key, sizeof(r->key));
    keep_name = r->name;
    keep_desc = r->description;
    r->name = (char *)(name != NULL ? name : keep_name);
    r->description = (char *)(description != NULL ? description : keep_desc);
    r->updated_at = gh_now_ms();
    rc = gh_store_begin(app->store, err) == -1 || /* webhooks (issue 5): role.updated */
        gh_event_tx_end(app,
            gh_store_role_update(app->store, instance_id, r, old_key, err) == 0 &&
                gh_event_emit_role(app, instance_id, "role.updated", r->id, err) == 0,
            err) == -1 ? -1 : 0;
    r->name = keep_name;
    r->description = keep_desc;
    if (rc == 0)
        rc = gh_role_get(app, instance_id, r->id, out, err);
done:
    gh_role_free(r);
    return rc;
}

int
gh_role_delete(struct gh_app *app, const char *instance_id, const char *role_id,
    struct gh_role **out, struct gh_err *err)
{
    struct gh_role *r = NULL;
    int64_t         n = 0;

    *out = NULL;
    if (gh_role_get(app, instance_id, role_id, &r, err) == -1)
        return -1;
    if (is_default_role(r->key)) {
        gh_role_free(r);
        return GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "role_id",
            "is a default role and cannot be deleted");
    }
    if (gh_store_role_members(app->store, instance_id, r->key, &n, err) == -1 ||
        (n > 0 && GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "role_id",
                      "is still assigned to members") == -1) ||
        gh_store_begin(app->store, err) == -1 || /* webhooks (issue 5): role.deleted */
        gh_event_tx_end(app,
            gh_store_role_delete(app->store, instance_id, r->id, err) == 0 &&
                gh_event_emit_deleted(app, instance_id, "role.deleted", "role", r->id, NULL,
                    err) == 0,
            err) == -1) {
        gh_role_free(r);
        return -1;
    }
    *out = r;
    return 0;
}

int
gh_role_list(struct gh_app *app, const char *instance_id, const char *query, int64_t limit,
    int64_t offset, struct gh_role ***out, size_t *n, int64_t *total, struct gh_err *err)
{
    *out = NULL;
    *n = 0;
    if (gh_role_seed(app, instance_id, err) == -1)
        return -1;
    return gh_store_role_list(app->store, instance_id, query, limit, offset, out, n, total, err);
}

static int
role_grant(struct gh_app *app, const char *instance_id, const char *role_id,
    const char *perm_id, int grant, struct gh_role **out, struct gh_err *err)
{
    struct gh_role       *r = NULL;
    struct gh_permission *p = NULL;
    int                   rc = -1;

    *out = NULL;
    if (gh_role_get(app, instance_id, role_id, &r, err) == -1 ||
        gh_permission_get(app, instance_id, perm_id, &p, err) == -1)
        goto done;
    if (gh_store_begin(app->store, err) == -1 || /* webhooks (issue 5): role.updated */
        gh_event_tx_end(app,
            gh_store_role_grant(app->store, instance_id, r->id, p->id, grant, gh_now_ms(),
                err) == 0 &&
                gh_event_emit_role(app, instance_id, "role.updated", r->id, err) == 0,
            err) == -1)
        goto done;
    rc = gh_role_get(app, instance_id, r->id, out, err);
done:
    gh_permission_free(p);
    gh_role_free(r);
    return rc;
}

int
gh_role_permission_add(struct gh_app *app, const char *instance_id, const char *role_id,
    const char *perm_id, struct gh_role **out, struct gh_err *err)
{
    return role_grant(app, instance_id, role_id, perm_id, 1, out, err);
}

int
gh_role_permission_remove(struct gh_app *app, const char *instance_id, const char *role_id,
    const char *perm_id, struct gh_role **out, struct gh_err *err)
{
    return role_grant(app, instance_id, role_id, perm_id, 0, out, err);
}

/* ---- permissions ---- */

static int
check_perm_key(const char *key, struct gh_err *err)
{
    if (key == NULL || key[0] == '\0')
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "key", NULL);
    if (!gh_permission_key_valid(key))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "key",
            "must look like org:<feature>:<action> with lowercase letters, digits, '_' or '-'");
    if (strncmp(key, "org:sys_", 8) == 0)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "key",
            "uses the reserved org:sys_ prefix");
    return 0;
}

int
gh_permission_create(struct gh_app *app, const char *instance_id, const char *name,
    const char *key, const char *description, struct gh_permission **out, struct gh_err *err)
{
    struct gh_permission p = { 0 };

    *out = NULL;
    if (gh_role_seed(app, instance_id, err) == -1 || check_text(name, "name", 1, err) == -1 ||
        check_text(description, "description", 0, err) == -1 || check_perm_key(key, err) == -1)
        return -1;
    gh_id_new("perm", p.id);
    gh_strlcpy(p.key, key, sizeof(p.key));
    p.name = (char *)name;
    p.description = (char *)(description != NULL ? description : "");
    gh_strlcpy(p.type, "user", sizeof(p.type));
    p.created_at = p.updated_at = gh_now_ms();
    if (gh_store_begin(app->store, err) == -1 || /* webhooks (issue 5): permission.created */
        gh_event_tx_end(app,
            gh_store_permission_insert(app->store, instance_id, &p, err) == 0 &&
                gh_event_emit_permission(app, instance_id, "permission.created", p.id, err) == 0,
            err) == -1)
        return -1;
    return gh_permission_get(app, instance_id, p.id, out, err);
}

int
gh_permission_get(struct gh_app *app, const char *instance_id, const char *perm_id,
    struct gh_permission **out, struct gh_err *err)
{
    *out = NULL;
    if (gh_role_seed(app, instance_id, err) == -1)
        return -1;
    if (!gh_id_valid("perm", perm_id))
        return GH_FAIL(err, GH_E_NOT_FOUND, "Permission not found");
    if (gh_store_permission_find(app->store, instance_id, "id", perm_id, out, err) == -1)
        return -1;
    return *out != NULL ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "Permission not found");
}

int
gh_permission_update(struct gh_app *app, const char *instance_id, const char *perm_id,
    const char *name, const char *key, const char *description, struct gh_permission **out,
    struct gh_err *err)
{
    struct gh_permission *p = NULL;
    char                 *keep_name, *keep_desc;
    int                   rc = -1;

    *out = NULL;
    if (gh_permission_get(app, instance_id, perm_id, &p, err) == -1)
        return -1;
    if (strcmp(p->type, "system") == 0) {
        GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "permission_id",
            "is a system permission and cannot change");
        goto done;
    }
    if ((name != NULL && check_text(name, "name", 1, err) == -1) ||
        check_text(description, "description", 0, err) == -1 ||
        (key != NULL && check_perm_key(key, err) == -1))
        goto done;
    if (key != NULL)
        gh_strlcpy(p->key, key, sizeof(p->key));
    keep_name = p->name;
    keep_desc = p->description;
    p->name = (char *)(name != NULL ? name : keep_name);
    p->description = (char *)(description != NULL ? description : keep_desc);
    p->updated_at = gh_now_ms();
    rc = gh_store_begin(app->store, err) == -1 || /* webhooks (issue 5): permission.updated */
        gh_event_tx_end(app,
            gh_store_permission_update(app->store, instance_id, p, err) == 0 &&
                gh_event_emit_permission(app, instance_id, "permission.updated", p->id,
                    err) == 0,
            err) == -1 ? -1 : 0;
    p->name = keep_name;
    p->description = keep_desc;
    if (rc == 0)
        rc = gh_permission_get(app, instance_id, p->id, out, err);
done:
    gh_permission_free(p);
    return rc;
}

int
gh_permission_delete(struct gh_app *app, const char *instance_id, const char *perm_id,
    struct gh_permission **out, struct gh_err *err)
{
    struct gh_permission *p = NULL;

    *out = NULL;
    if (gh_permission_get(app, instance_id, perm_id, &p, err) == -1)
        return -1;
    if (strcmp(p->type, "system") == 0) {
        gh_permission_free(p);
        return GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "permission_id",
            "is a system permission and cannot be deleted");
    }
    if (gh_store_begin(app->store, err) == -1 || /* webhooks (issue 5): permission.deleted */
        gh_event_tx_end(app,
            gh_store_permission_delete(app->store, instance_id, p->id, err) == 0 &&
                gh_event_emit_deleted(app, instance_id, "permission.deleted", "permission",
                    p->id, NULL, err) == 0,
            err) == -1) {
        gh_permission_free(p);
        return -1;
    }
    *out = p;
    return 0;
}

int
gh_permission_list(struct gh_app *app, const char *instance_id, const char *query,
    int64_t limit, int64_t offset, struct gh_permission ***out, size_t *n, int64_t *total,
    struct gh_err *err)
{
    *out = NULL;
    *n = 0;
    if (gh_role_seed(app, instance_id, err) == -1)
        return -1;
    return gh_store_permission_list(app->store, instance_id, query, limit, offset, out, n, total,
        err);
}
