/* org_member.c: the membership half of org.h: add (role checked, quota
 * enforced), get/find, change role, metadata, remove, list. */
#include "core/org.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/event.h"
#include "core/id.h"
#include "core/role.h"
#include "util/json.h"
#include "util/str.h"

/* webhooks (issue 5): writes m (insert, update or delete, by type) with its
 * organizationMembership.* event in one transaction, joining the caller's
 * when one is open (org create), else owning it and waking the worker. */
static int
member_write(struct gh_app *app, const char *instance_id, const char *type,
    const struct gh_org_membership *m, struct gh_err *err)
{
    int owned = !gh_store_in_tx(app->store), ok;

    if (owned && gh_store_begin(app->store, err) == -1)
        return -1;
    if (strcmp(type, "organizationMembership.created") == 0)
        ok = gh_store_org_member_insert(app->store, instance_id, m, err) == 0;
    else if (strcmp(type, "organizationMembership.updated") == 0)
        ok = gh_store_org_member_update(app->store, instance_id, m, err) == 0;
    else
        ok = gh_store_org_member_delete(app->store, instance_id, m->org_id, m->user_id, err) == 0;
    ok = ok && gh_event_emit_membership(app, instance_id, type, m, err) == 0;
    if (!owned)
        return ok ? 0 : -1;
    return gh_event_tx_end(app, ok, err);
}

/* Unknown role → 422 naming "role". */
static int
check_role(struct gh_app *app, const char *instance_id, const char *role_key,
    struct gh_err *err)
{
    struct gh_role *r = NULL;

    if (role_key == NULL || role_key[0] == '\0')
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "role", NULL);
    if (gh_role_find_by_key(app, instance_id, role_key, &r, err) == -1)
        return -1;
    if (r == NULL) {
        GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "role", "is not an existing role");
        gh_err_note(err, "unknown role %.100s", role_key);
        return -1;
    }
    gh_role_free(r);
    return 0;
}

static int
check_quota(struct gh_app *app, const char *instance_id, const struct gh_org *o,
    struct gh_err *err)
{
    struct gh_org_member_filter f;
    int64_t                     n = 0;

    if (o->max_allowed_memberships <= 0)
        return 0;
    gh_org_member_filter_init(&f);
    f.org_id = o->id;
    if (gh_store_org_member_count(app->store, instance_id, &f, &n, err) == -1)
        return -1;
    if (n >= o->max_allowed_memberships)
        return GH_FAIL(err, GH_E_MEMBERSHIP_QUOTA, NULL);
    return 0;
}

static int
set_md(char **slot, const char *given, const char *param, struct gh_err *err)
{
    char *v = NULL;

    if (given == NULL)
        return 0;
    if (gh_json_object_canon(given, GH_JSON_METADATA_MAX, param, &v, err) == -1)
        return -1;
    free(*slot);
    *slot = v;
    return 0;
}

int
gh_org_member_add(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *user_id, const char *role_key, const char *public_md, const char *private_md,
    struct gh_org_membership **out, struct gh_err *err)
{
    struct gh_org            *o = NULL;
    struct gh_user           *u = NULL;
    struct gh_org_membership *m = NULL, *old = NULL;
    int                       rc = -1;

    if (out != NULL)
        *out = NULL;
    if (gh_org_get(app, instance_id, org_id, 0, &o, err) == -1)
        goto done;
    if (user_id == NULL || user_id[0] == '\0') {
        GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "user_id", NULL);
        goto done;
    }
    if (!gh_id_valid("user", user_id) ||
        gh_store_user_get(app->store, instance_id, user_id, &u, err) == -1) {
        gh_err_clear(err);
        GH_FAIL_PARAM(err, GH_E_NOT_FOUND, "user_id", "User not found");
        goto done;
    }
    if (check_role(app, instance_id, role_key, err) == -1 ||
        gh_store_org_member_find(app->store, instance_id, o->id, u->id, &old, err) == -1)
        goto done;
    if (old != NULL) {
        GH_FAIL_PARAM(err, GH_E_ALREADY_MEMBER, "user_id", NULL);
        goto done;
    }
    if (check_quota(app, instance_id, o, err) == -1)
        goto done;
    if ((m = gh_org_membership_new()) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    gh_id_new("orgmem", m->id);
    gh_strlcpy(m->org_id, o->id, sizeof(m->org_id));
    gh_strlcpy(m->user_id, u->id, sizeof(m->user_id));
    gh_strlcpy(m->role, role_key, sizeof(m->role));
    m->created_at = m->updated_at = gh_now_ms();
    if (set_md(&m->public_metadata, public_md, "public_metadata", err) == -1 ||
        set_md(&m->private_metadata, private_md, "private_metadata", err) == -1 ||
        member_write(app, instance_id, "organizationMembership.created", m, err) == -1)
        goto done;
    if (out != NULL) {
        *out = m;
        m = NULL;
    }
    rc = 0;
done:
    gh_org_membership_free(old);
    gh_org_membership_free(m);
    gh_user_free(u);
    gh_org_free(o);
    return rc;
}

int
gh_org_member_find(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *user_id, struct gh_org_membership **out, struct gh_err *err)
{
    *out = NULL;
    if (org_id == NULL || user_id == NULL)
        return 0;
    return gh_store_org_member_find(app->store, instance_id, org_id, user_id, out, err);
}

int
gh_org_member_get(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *user_id, struct gh_org_membership **out, struct gh_err *err)
{
    struct gh_org *o = NULL;
    int            rc;

    *out = NULL;
    /* Accept the org's slug too, as the org paths do. */
    if (gh_org_get(app, instance_id, org_id, 0, &o, err) == -1)
        return -1;
    rc = gh_org_member_find(app, instance_id, o->id, user_id, out, err);
    gh_org_free(o);
    if (rc == 0 && *out == NULL)
        rc = GH_FAIL(err, GH_E_NOT_FOUND, "Membership not found");
    return rc;
}

/* Loads, applies role and/or metadata, writes, and hands back the result. */
static int
member_change(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *user_id, const char *role_key, const char *public_md, const char *private_md,
    struct gh_org_membership **out, struct gh_err *err)
{
    struct gh_org_membership *m = NULL;
    char                     *v = NULL;
    int                       rc = -1;

    *out = NULL;
    if (gh_org_member_get(app, instance_id, org_id, user_id, &m, err) == -1)
        goto done;
    if (role_key != NULL) {
        if (check_role(app, instance_id, role_key, err) == -1)
            goto done;
        gh_strlcpy(m->role, role_key, sizeof(m->role));
    }
    if (public_md != NULL) {
        if (gh_json_merge(m->public_metadata, public_md, GH_JSON_METADATA_MAX, "public_metadata",
                &v, err) == -1)
            goto done;
        free(m->public_metadata);
        m->public_metadata = v;
    }
    if (private_md != NULL) {
        if (gh_json_merge(m->private_metadata, private_md, GH_JSON_METADATA_MAX,
                "private_metadata", &v, err) == -1)
            goto done;
        free(m->private_metadata);
        m->private_metadata = v;
    }
    m->updated_at = gh_now_ms();
    if (member_write(app, instance_id, "organizationMembership.updated", m, err) == -1)
        goto done;
    *out = m;
    m = NULL;
    rc = 0;
done:
    gh_org_membership_free(m);
    return rc;
}

int
gh_org_member_set_role(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *user_id, const char *role_key, struct gh_org_membership **out,
    struct gh_err *err)
{
    if (role_key == NULL || role_key[0] == '\0')
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "role", NULL);
    return member_change(app, instance_id, org_id, user_id, role_key, NULL, NULL, out, err);
}

int
gh_org_member_metadata(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *user_id, const char *public_md, const char *private_md,
    struct gh_org_membership **out, struct gh_err *err)
{
    return member_change(app, instance_id, org_id, user_id, NULL, public_md, private_md, out,
        err);
}

int
gh_org_member_remove(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *user_id, struct gh_org_membership **out, struct gh_err *err)
{
    struct gh_org_membership *m = NULL;

    *out = NULL;
    if (gh_org_member_get(app, instance_id, org_id, user_id, &m, err) == -1)
        return -1;
    if (member_write(app, instance_id, "organizationMembership.deleted", m, err) == -1) {
        gh_org_membership_free(m);
        return -1;
    }
    *out = m;
    return 0;
}

int
gh_org_member_list(struct gh_app *app, const char *instance_id,
    const struct gh_org_member_filter *f, struct gh_org_membership ***out, size_t *n,
    struct gh_err *err)
{
    return gh_store_org_member_list(app->store, instance_id, f, out, n, err);
}

int
gh_org_member_count(struct gh_app *app, const char *instance_id,
    const struct gh_org_member_filter *f, int64_t *out, struct gh_err *err)
{
    return gh_store_org_member_count(app->store, instance_id, f, out, err);
}
