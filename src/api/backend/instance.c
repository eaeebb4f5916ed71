/* instance.c: the Backend API's /v1/instance handlers (spec §B5; SDK
 * clerk.instance.get, update, updateRestrictions, getOrganizationSettings,
 * updateOrganizationSettings). Clerk's parameter names are translated to
 * Gatehouse's setting keys (core/settings.h) here; core checks and stores
 * them. Clerk's null means "leave unchanged". PATCH /v1/instance also takes
 * Gatehouse's own keys (application_name, sign_in_url, allowed_redirect_urls,
 * …), where null resets a key to its default. Clerk settings without a
 * Gatehouse meaning (hibp, clerk_js_version, …) are type-checked and
 * ignored. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/backend/backend.h"
#include "api/params.h"
#include "core/app.h"
#include "core/origin.h"
#include "core/role.h"
#include "core/settings.h"

enum want { W_BOOL, W_INT, W_STR, W_ARRAY };

/* A Clerk body key: its Gatehouse key (NULL: accepted, ignored). */
struct clerk_key {
    const char *clerk;
    const char *ours;
    enum want   type;
};

static const struct clerk_key instance_keys[] = {
    { "test_mode",                    "test_mode",        W_BOOL },
    { "support_email",                "support_email",    W_STR },
    { "allowed_origins",              "allowed_origins",  W_ARRAY },
    { "preferred_sign_in_strategy_when_password_required", "preferred_sign_in_strategy", W_STR },
    { "hibp",                         NULL,               W_BOOL },
    { "enhanced_email_deliverability", NULL,              W_BOOL },
    { "clerk_js_version",             NULL,               W_STR },
    { "development_origin",           NULL,               W_STR },
    { "url_based_session_syncing",    NULL,               W_BOOL },
    { NULL, NULL, 0 },
};

static const struct clerk_key restriction_keys[] = {
    { "allowlist",                       "allowlist_only",                  W_BOOL },
    { "blocklist",                       "blocklist_enabled",               W_BOOL },
    { "block_email_subaddresses",        "block_email_subaddresses",        W_BOOL },
    { "block_disposable_email_domains",  "block_disposable_email_domains",  W_BOOL },
    { "ignore_dots_for_gmail_addresses", "ignore_dots_for_gmail_addresses", W_BOOL },
    { NULL, NULL, 0 },
};

static const struct clerk_key org_keys[] = {
    { "enabled",                  "orgs_enabled",            W_BOOL },
    { "max_allowed_memberships",  "max_allowed_memberships", W_INT },
    { "admin_delete_enabled",     "admin_delete",            W_BOOL },
    { "domains_enabled",          "domains_enabled",         W_BOOL },
    { "domains_enrollment_modes", NULL,                      W_ARRAY },
    { "creator_role_id",          NULL,                      W_STR },
    { "domains_default_role_id",  NULL,                      W_STR },
    { NULL, NULL, 0 },
};

static const struct clerk_key *
lookup(const struct clerk_key *map, const char *name)
{
    for (; map->clerk != NULL; map++)
        if (strcmp(map->clerk, name) == 0)
            return map;
    return NULL;
}

static int
type_ok(enum want t, json_t *v)
{
    switch (t) {
    case W_BOOL: return json_is_boolean(v);
    case W_INT: return json_is_integer(v);
    case W_STR: return json_is_string(v);
    case W_ARRAY: return json_is_array(v);
    }
    return 0;
}

/* The body translated into a settings patch (*out owned). own_keys: names
 * outside the map go through as Gatehouse keys; else they are unknown. */
static int
translate(json_t *body, const struct clerk_key *map, int own_keys, json_t **out,
    struct gh_err *err)
{
    json_t     *patch = json_object(), *v;
    const char *name;

    *out = NULL;
    if (patch == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    json_object_foreach(body, name, v) {
        const struct clerk_key *k = lookup(map, name);

        if (k == NULL && own_keys) {
            json_object_set(patch, name, v); /* core checks it (null: reset) */
            continue;
        }
        if (k == NULL) {
            json_decref(patch);
            return GH_FAIL_PARAM(err, GH_E_PARAM_UNKNOWN, name, "is not a known parameter");
        }
        if (json_is_null(v))
            continue; /* Clerk: null leaves the value as it is */
        if (!type_ok(k->type, v)) {
            json_decref(patch);
            return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, name, "has the wrong type");
        }
        if (k->ours == NULL)
            continue;
        /* "" clears the strategy override (Clerk's documented meaning). */
        if (strcmp(k->ours, "preferred_sign_in_strategy") == 0 && json_string_length(v) == 0)
            json_object_set_new(patch, k->ours, json_null());
        else
            json_object_set(patch, k->ours, v);
    }
    *out = patch;
    return 0;
}

/* Translates and stores; err->param names the Clerk key when core refused one. */
static int
apply(struct gh_req *req, const struct clerk_key *map, int own_keys, struct gh_err *err)
{
    json_t *body, *patch = NULL;
    char   *text = NULL;
    int     rc = -1;

    if (gh_req_json(req, &body, err) == -1)
        return -1;
    if (!json_is_object(body))
        return GH_FAIL(err, GH_E_BODY_INVALID, "Request body must be a JSON object");
    if (translate(body, map, own_keys, &patch, err) == -1)
        return -1;
    if (json_object_size(patch) == 0) {
        rc = 0;
    } else if ((text = json_dumps(patch, JSON_COMPACT)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
    } else if ((rc = gh_settings_update(req->app, text, err)) == -1) {
        for (const struct clerk_key *k = map; k->clerk != NULL; k++)
            if (k->ours != NULL && strcmp(err->param, k->ours) == 0) {
                snprintf(err->param, sizeof(err->param), "%s", k->clerk);
                break;
            }
    }
    free(text);
    json_decref(patch);
    return rc;
}

/* Every setting as core lists it (a JSON object; *out owned). */
static int
settings_obj(struct gh_req *req, json_t **out, struct gh_err *err)
{
    char *text = NULL;

    *out = NULL;
    if (gh_settings_json(req->app, 0, &text, err) == -1)
        return -1;
    *out = json_loads(text, 0, NULL);
    free(text);
    return *out != NULL ? 0 : GH_FAIL(err, GH_E_NOMEM, NULL);
}

static json_t *
field(json_t *s, const char *key)
{
    json_t *v = json_object_get(s, key);

    return v != NULL ? json_incref(v) : json_null();
}

int
gh_api_instance_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    json_t *s, *o;

    if (settings_obj(req, &s, err) == -1)
        return -1;
    o = json_pack("{s:s,s:s,s:s,s:o}", "object", "instance", "id", req->app->instance->id,
        "environment_type", gh_app_is_development(req->app) ? "development" : "production",
        "allowed_origins", field(s, "allowed_origins"));
    json_decref(s);
    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

int
gh_api_instance_update(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    if (apply(req, instance_keys, 1, err) == -1)
        return -1;
    gh_resp_body(resp, 204, "text/plain", "", 0); /* Clerk answers 204; the SDK returns undefined */
    return 0;
}

int
gh_api_instance_restrictions_update(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    json_t *s, *o;

    if (apply(req, restriction_keys, 0, err) == -1 || settings_obj(req, &s, err) == -1)
        return -1;
    o = json_pack("{s:s,s:o,s:o,s:o,s:o,s:o}", "object", "instance_restrictions",
        "allowlist", field(s, "allowlist_only"),
        "blocklist", field(s, "blocklist_enabled"),
        "block_email_subaddresses", field(s, "block_email_subaddresses"),
        "block_disposable_email_domains", field(s, "block_disposable_email_domains"),
        "ignore_dots_for_gmail_addresses", field(s, "ignore_dots_for_gmail_addresses"));
    json_decref(s);
    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

static int
reply_org_settings(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    json_t *s, *o;

    if (settings_obj(req, &s, err) == -1)
        return -1;
    o = json_pack("{s:s,s:o,s:o,s:n,s:n,s:s,s:o,s:o,s:b,s:[],s:s}",
        "object", "organization_settings",
        "enabled", field(s, "orgs_enabled"),
        "max_allowed_memberships", field(s, "max_allowed_memberships"),
        "max_allowed_roles", "max_allowed_permissions",
        "creator_role", GH_ROLE_ADMIN,
        "admin_delete_enabled", field(s, "admin_delete"),
        "domains_enabled", field(s, "domains_enabled"),
        "slug_disabled", 0,
        "domains_enrollment_modes",
        "domains_default_role", GH_ROLE_MEMBER);
    json_decref(s);
    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

int
gh_api_instance_org_settings_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return reply_org_settings(req, resp, err);
}

int
gh_api_instance_org_settings_update(struct gh_req *req, struct gh_resp *resp,
    struct gh_err *err)
{
    if (apply(req, org_keys, 0, err) == -1)
        return -1;
    return reply_org_settings(req, resp, err);
}
