/* environment.c: GET /v1/environment (and the development "touch", POST
 * with ?_method=PATCH): the instance's settings as clerk-js reads them (spec
 * FAPI §4.1). Every attribute entry is sent (a present "attributes" object
 * replaces clerk-js's defaults wholesale); captcha, telemetry-adjacent and
 * commerce features are off so the SDK makes no third-party request. */
#include <string.h>

#include "api/frontend/fapi.h"
#include "api/frontend/frontend.h"
#include "core/app.h"
#include "core/origin.h"
#include "core/settings.h"
#include "util/buf.h"

/* One user_settings.attributes entry. */
static json_t *
attr(int enabled, int required, const char *first_factor, const char *second_factor,
    const char *verification)
{
    return json_pack("{s:b,s:b,s:b,s:o,s:b,s:o,s:o,s:b}",
        "enabled", enabled,
        "required", required,
        "used_for_first_factor", first_factor != NULL,
        "first_factors", first_factor != NULL ? json_pack("[s]", first_factor) : json_array(),
        "used_for_second_factor", second_factor != NULL,
        "second_factors", second_factor != NULL ? json_pack("[s]", second_factor) : json_array(),
        "verifications", verification != NULL ? json_pack("[s]", verification) : json_array(),
        "verify_at_sign_up", verification != NULL);
}

static json_t *
attributes(const struct gh_settings *s)
{
    return json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}",
        "email_address", attr(1, 1, s->email_code_first_factor ? "email_code" : NULL, NULL,
                             "email_code"),
        "phone_number", attr(0, 0, NULL, NULL, NULL),
        "username", attr(s->username_enabled, 0, NULL, NULL, NULL),
        "web3_wallet", attr(0, 0, NULL, NULL, NULL),
        "first_name", attr(s->names_enabled, 0, NULL, NULL, NULL),
        "last_name", attr(s->names_enabled, 0, NULL, NULL, NULL),
        "password", attr(s->password_enabled, s->password_enabled, NULL, NULL, NULL),
        "authenticator_app", attr(s->totp_enabled, 0, NULL, s->totp_enabled ? "totp" : NULL,
                                 NULL),
        "backup_code", attr(s->backup_codes_enabled, 0, NULL,
                           s->backup_codes_enabled ? "backup_code" : NULL, NULL),
        "passkey", attr(0, 0, NULL, NULL, NULL));
}

static json_t *
user_settings(const struct gh_settings *s)
{
    return json_pack("{s:o,s:{s:b,s:b},s:{},s:{s:b,s:b},s:{s:{s:b,s:b}},"
                     "s:{s:b,s:b,s:b,s:s,s:b,s:{s:b}},"
                     "s:{s:s,s:b,s:i,s:i,s:b,s:b,s:b,s:b,s:b,s:i},"
                     "s:{s:b,s:b},s:{s:i,s:i},s:{s:{s:b}}}",
        "attributes", attributes(s),
        "actions", "delete_self", s->delete_self, "create_organization", s->create_organization,
        "social",
        "enterprise_sso", "enabled", 0, "self_serve_sso", 0,
        "sign_in", "second_factor", "required", 0, "enabled", s->totp_enabled,
        "sign_up", "allowlist_only", s->allowlist_only, "progressive", 1, "captcha_enabled", 0,
            "mode", s->sign_up_mode, "legal_consent_enabled", 0, "mfa", "required", 0,
        "password_settings", "allowed_special_characters", "", "disable_hibp", 1,
            "min_length", s->min_password_length, "max_length", 72,
            "require_special_char", 0, "require_numbers", 0, "require_uppercase", 0,
            "require_lowercase", 0, "show_zxcvbn", 0, "min_zxcvbn_strength", 0,
        "passkey_settings", "allow_autofill", 0, "show_sign_in_button", 0,
        "username_settings", "min_length", 4, "max_length", 64,
        "attack_protection", "enumeration_protection", "enabled", s->enumeration_protection);
}

/* "<frontend URL><path>" for the hosted pages, unless the settings name one. */
static json_t *
url_or_hosted(const struct gh_app *app, const char *set, const char *path)
{
    struct gh_buf b;
    json_t       *v;
    const char   *base = app->conf != NULL ? app->conf->frontend_url : NULL;

    if (set[0] != '\0' || path == NULL || base == NULL)
        return json_string(set);
    gh_buf_init(&b, 1024);
    gh_buf_add(&b, base);
    if (gh_buf_len(&b) > 0 && gh_buf_str(&b)[gh_buf_len(&b) - 1] == '/')
        b.data[--b.len] = '\0';
    gh_buf_add(&b, path);
    v = json_string(gh_buf_failed(&b) ? "" : gh_buf_str(&b));
    gh_buf_clear(&b);
    return v;
}

static json_t *
display_config(const struct gh_app *app, const struct gh_settings *s)
{
    char name[GH_SETTINGS_NAME_MAX];

    gh_settings_app_name(app, name, sizeof(name));
    return json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:n,s:n,s:n,s:s,s:n,s:b,s:s,"
                     "s:s,s:o,s:o,s:o,s:o,s:o,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,"
                     "s:s,s:s,s:{}}",
        "object", "display_config",
        "id", "display_config_1",
        "instance_environment_type", gh_app_is_development(app) ? "development" : "production",
        "application_name", name,
        "branded", 0,
        "show_devmode_warning", 0,
        "captcha_public_key", "captcha_public_key_invisible", "captcha_widget_type",
        "captcha_provider", "turnstile",
        "captcha_oauth_bypass",
        "captcha_heartbeat", 0,
        "preferred_sign_in_strategy", s->preferred_sign_in_strategy,
        "home_url", s->home_url,
        "sign_in_url", url_or_hosted(app, s->sign_in_url, "/sign-in"),
        "sign_up_url", url_or_hosted(app, s->sign_up_url, "/sign-up"),
        "user_profile_url", url_or_hosted(app, "", "/user"),
        "organization_profile_url", url_or_hosted(app, "", "/organization"),
        "create_organization_url", url_or_hosted(app, "", "/create-organization"),
        "after_sign_in_url", s->after_sign_in_url,
        "after_sign_up_url", s->after_sign_up_url,
        "after_sign_out_one_url", s->after_sign_out_url,
        "after_sign_out_all_url", s->after_sign_out_url,
        "after_switch_session_url", "",
        "after_leave_organization_url", "",
        "after_create_organization_url", "",
        "after_join_waitlist_url", "",
        "logo_image_url", "",
        "favicon_image_url", "",
        "support_email", s->support_email,
        "terms_url", "",
        "privacy_policy_url", "",
        "waitlist_url", "",
        "theme");
}

static json_t *
org_settings(const struct gh_settings *s)
{
    return json_pack("{s:b,s:i,s:b,s:{s:b},s:{s:b,s:[],s:n},s:{s:b},s:{s:b}}",
        "enabled", s->orgs_enabled,
        "max_allowed_memberships", s->max_allowed_memberships,
        "force_organization_selection", 0,
        "actions", "admin_delete", s->admin_delete,
        "domains", "enabled", 0, "enrollment_modes", "default_role",
        "slug", "disabled", 0,
        "organization_creation_defaults", "enabled", 0);
}

int
gh_fapi_environment_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_settings s;
    json_t            *env;

    if (gh_settings_load(req->app, &s, err) == -1)
        return -1;
    env = json_pack("{s:s,s:s,s:b,s:b,s:b,s:{s:s,s:s,s:b,s:n,s:b,s:{},s:b},s:o,s:o,s:o,"
                    "s:{s:{s:n,s:{s:b,s:b},s:{s:b,s:b}}},s:{s:b,s:b},s:n}",
        "object", "environment",
        "id", "env_1",
        "maintenance_mode", 0,
        "client_debug_mode", 0,
        "partitioned_cookies", 0,
        "auth_config", "object", "auth_config", "id", "aac_1",
            "single_session_mode", s.single_session_mode, "claimed_at",
            "reverification", 0, "preferred_channels", "session_minter", 0,
        "display_config", display_config(req->app, &s),
        "user_settings", user_settings(&s),
        "organization_settings", org_settings(&s),
        "commerce_settings", "billing", "stripe_publishable_key",
            "organization", "enabled", 0, "has_paid_plans", 0,
            "user", "enabled", 0, "has_paid_plans", 0,
        "api_keys_settings", "user_api_keys_enabled", 0, "orgs_api_keys_enabled", 0,
        "protect_config");
    if (env == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_header(resp, "Cache-Control", "no-store");
    gh_resp_json(resp, 200, env);
    return 0;
}
