/* org.c: see org.h. Every change is load → validate → write → reload, as
 * user.c does. The creator's admin membership is written in the same
 * transaction as the organization. XXX: the max_allowed_memberships check
 * counts then inserts without a lock, so two concurrent adds to an org with
 * one free seat can both succeed. */
#include "core/org.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/event.h"
#include "core/id.h"
#include "core/role.h"
#include "util/json.h"
#include "util/str.h"

void
gh_org_params_init(struct gh_org_params *p)
{
    memset(p, 0, sizeof(*p));
    p->max_allowed_memberships = -1;
    p->created_at = GH_TIME_NULL;
}

int
gh_org_slug_valid(const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;

    if (n == 0 || n > GH_ORG_SLUG_MAX || s[0] == '-')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

int
gh_org_slug_from_name(const char *name, char **out, struct gh_err *err)
{
    size_t n = strlen(name), k = 0;
    char  *s;
    int    dash = 0;

    *out = NULL;
    if ((s = malloc(n + 1)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    for (size_t i = 0; i < n && k < GH_ORG_SLUG_MAX; i++) {
        unsigned char c = (unsigned char)name[i];

        if (c < 0x80 && isalnum(c)) {
            if (dash && k > 0 && k + 1 < GH_ORG_SLUG_MAX)
                s[k++] = '-';
            s[k++] = (char)tolower(c);
            dash = 0;
        } else {
            dash = 1;
        }
    }
    s[k] = '\0';
    if (k == 0) {
        free(s);
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "slug",
            "cannot be derived from the name; give one");
    }
    *out = s;
    return 0;
}

static int
set_str(char **dst, const char *src, struct gh_err *err)
{
    char *v = NULL;

    if (src != NULL && (v = strdup(src)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    free(*dst);
    *dst = v;
    return 0;
}

static int
check_name(const char *name, struct gh_err *err)
{
    size_t n = name != NULL ? strlen(name) : 0;

    if (n == 0)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "name", NULL);
    if (n > GH_ORG_NAME_MAX)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "name", "is too long");
    if (!gh_utf8_valid(name, n))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "name", "must be valid UTF-8");
    return 0;
}

static int
check_slug(const char *slug, struct gh_err *err)
{
    if (!gh_org_slug_valid(slug))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "slug",
            "must contain only lowercase letters, digits and '-', and not start with '-'");
    return 0;
}

/* Replace (merge = 0) or deep-merge a metadata slot with given (NULL: keep). */
static int
apply_md(char **slot, const char *given, int merge, const char *param, struct gh_err *err)
{
    char *v = NULL;
    int   rc;

    if (given == NULL)
        return 0;
    rc = merge ? gh_json_merge(*slot, given, GH_JSON_METADATA_MAX, param, &v, err)
               : gh_json_object_canon(given, GH_JSON_METADATA_MAX, param, &v, err);
    if (rc == -1)
        return -1;
    free(*slot);
    *slot = v;
    return 0;
}

static int
build_org(const struct gh_org_params *p, struct gh_org *o, struct gh_err *err)
{
    int64_t now = gh_now_ms();

    if (check_name(p->name, err) == -1 || set_str(&o->name, p->name, err) == -1)
        return -1;
    if (p->slug != NULL) {
        if (check_slug(p->slug, err) == -1 || set_str(&o->slug, p->slug, err) == -1)
            return -1;
    } else if (gh_org_slug_from_name(p->name, &o->slug, err) == -1) {
        return -1;
    }
    if (p->max_allowed_memberships < -1)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "max_allowed_memberships",
            "must be 0 or more");
    o->max_allowed_memberships = p->max_allowed_memberships > 0 ? p->max_allowed_memberships : 0;
    o->admin_delete_enabled = 1;
    if (apply_md(&o->public_metadata, p->public_metadata, 0, "public_metadata", err) == -1 ||
        apply_md(&o->private_metadata, p->private_metadata, 0, "private_metadata", err) == -1)
        return -1;
    gh_id_new("org", o->id);
    o->created_at = p->created_at != GH_TIME_NULL ? p->created_at : now;
    o->updated_at = now;
    return 0;
}

int
gh_org_create(struct gh_app *app, const char *instance_id, const struct gh_org_params *p,
    struct gh_org **out, struct gh_err *err)
{
    struct gh_org  *o = NULL;
    struct gh_user *u = NULL;
    int             rc = -1;

    *out = NULL;
    if ((o = gh_org_new()) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    if (build_org(p, o, err) == -1 || gh_role_seed(app, instance_id, err) == -1)
        goto done;
    if (p->created_by != NULL && p->created_by[0] != '\0') {
        if (!gh_id_valid("user", p->created_by) ||
            gh_store_user_get(app->store, instance_id, p->created_by, &u, err) == -1) {
            gh_err_clear(err);
            GH_FAIL_PARAM(err, GH_E_NOT_FOUND, "created_by", "User not found");
            goto done;
        }
        gh_strlcpy(o->created_by, p->created_by, sizeof(o->created_by));
    }
    if (gh_store_begin(app->store, err) == -1)
        goto done;
    /* webhooks (issue 5): organization.created, then the creator's
     * organizationMembership.created (member_add joins this transaction). */
    if (gh_event_tx_end(app,
            gh_store_org_insert(app->store, instance_id, o, err) == 0 &&
                gh_event_emit_org(app, instance_id, "organization.created", o->id, err) == 0 &&
                (u == NULL || gh_org_member_add(app, instance_id, o->id, u->id, GH_ROLE_ADMIN,
                                  NULL, NULL, NULL, err) == 0),
            err) == -1)
        goto done;
    rc = gh_org_get(app, instance_id, o->id, 0, out, err);
done:
    gh_user_free(u);
    gh_org_free(o);
    return rc;
}

int
gh_org_get(struct gh_app *app, const char *instance_id, const char *id_or_slug, int with_count,
    struct gh_org **out, struct gh_err *err)
{
    *out = NULL;
    if (id_or_slug == NULL || id_or_slug[0] == '\0' ||
        (!gh_id_valid("org", id_or_slug) && !gh_org_slug_valid(id_or_slug)))
        return GH_FAIL(err, GH_E_NOT_FOUND, "Organization not found");
    return gh_store_org_get(app->store, instance_id, id_or_slug, with_count, out, err);
}

static int
save_and_reload(struct gh_app *app, const char *instance_id, struct gh_org *o,
    struct gh_org **out, struct gh_err *err)
{
    o->updated_at = gh_now_ms();
    if (gh_store_begin(app->store, err) == -1) /* webhooks (issue 5): organization.updated */
        return -1;
    if (gh_event_tx_end(app,
            gh_store_org_update(app->store, instance_id, o, err) == 0 &&
                gh_event_emit_org(app, instance_id, "organization.updated", o->id, err) == 0,
            err) == -1)
        return -1;
    return gh_org_get(app, instance_id, o->id, 0, out, err);
}

int
gh_org_update(struct gh_app *app, const char *instance_id, const char *org_id,
    const struct gh_org_patch *p, struct gh_org **out, struct gh_err *err)
{
    struct gh_org *o = NULL;
    int            rc = -1;

    *out = NULL;
    if (gh_org_get(app, instance_id, org_id, 0, &o, err) == -1)
        goto done;
    if ((p->fields & GH_ORG_F_NAME) &&
        (check_name(p->name, err) == -1 || set_str(&o->name, p->name, err) == -1))
        goto done;
    if ((p->fields & GH_ORG_F_SLUG) &&
        (check_slug(p->slug, err) == -1 || set_str(&o->slug, p->slug, err) == -1))
        goto done;
    if (p->fields & GH_ORG_F_ADMIN_DELETE)
        o->admin_delete_enabled = p->admin_delete_enabled != 0;
    if (p->fields & GH_ORG_F_MAX_MEMBERS) {
        if (p->max_allowed_memberships < 0) {
            GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "max_allowed_memberships", "must be 0 or more");
            goto done;
        }
        o->max_allowed_memberships = p->max_allowed_memberships;
    }
    if (((p->fields & GH_ORG_F_PUBLIC_MD) &&
            apply_md(&o->public_metadata, p->public_metadata, 0, "public_metadata", err) == -1) ||
        ((p->fields & GH_ORG_F_PRIVATE_MD) &&
            apply_md(&o->private_metadata, p->private_metadata, 0, "private_metadata", err) == -1))
        goto done;
    rc = save_and_reload(app, instance_id, o, out, err);
done:
    gh_org_free(o);
    return rc;
}

int
gh_org_metadata(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *public_md, const char *private_md, int merge, struct gh_org **out,
    struct gh_err *err)
{
    struct gh_org *o = NULL;
    int            rc = -1;

    *out = NULL;
    if (gh_org_get(app, instance_id, org_id, 0, &o, err) == -1)
        goto done;
    if (apply_md(&o->public_metadata, public_md, merge, "public_metadata", err) == -1 ||
        apply_md(&o->private_metadata, private_md, merge, "private_metadata", err) == -1)
        goto done;
    rc = save_and_reload(app, instance_id, o, out, err);
done:
    gh_org_free(o);
    return rc;
}

int
gh_org_delete(struct gh_app *app, const char *instance_id, const char *org_id,
    struct gh_org **out, struct gh_err *err)
{
    struct gh_org *o = NULL;

    *out = NULL;
    if (gh_org_get(app, instance_id, org_id, 0, &o, err) == -1)
        return -1;
    if (gh_store_begin(app->store, err) == -1 || /* webhooks (issue 5): organization.deleted */
        gh_event_tx_end(app,
            gh_store_org_delete(app->store, instance_id, o->id, err) == 0 &&
                gh_event_emit_deleted(app, instance_id, "organization.deleted", "organization",
                    o->id, o->slug != NULL ? o->slug : "", err) == 0,
            err) == -1) {
        gh_org_free(o);
        return -1;
    }
    *out = o;
    return 0;
}

int
gh_org_list(struct gh_app *app, const char *instance_id, const struct gh_org_filter *f,
    struct gh_org ***out, size_t *n, struct gh_err *err)
{
    return gh_store_org_list(app->store, instance_id, f, out, n, err);
}

int
gh_org_count(struct gh_app *app, const char *instance_id, const struct gh_org_filter *f,
    int64_t *out, struct gh_err *err)
{
    return gh_store_org_count(app->store, instance_id, f, out, err);
}
