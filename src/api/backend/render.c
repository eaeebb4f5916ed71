/* render.c: see render.h. Times are integer milliseconds or null; metadata
 * text becomes an object ({} when empty or unreadable). Fields Gatehouse does
 * not implement yet (web3 wallets, external accounts, passkeys, MFA) render
 * as their empty forms so SDK code that reads them keeps working. */
#include "api/backend/render.h"

#include <string.h>

#include "api/params.h"
#include "core/app.h"
#include "core/lockout.h"
#include "core/user.h"
#include "util/buf.h"
#include "util/conf.h"
#include "util/str.h"

json_t *
gh_render_verification(const struct gh_ident *i)
{
    const char *strategy = i->strategy != NULL ? i->strategy : "admin";
    const char *object = "verification_admin";

    if (!i->verified)
        return json_null();
    if (strcmp(strategy, "email_code") == 0 || strcmp(strategy, "phone_code") == 0 ||
        strcmp(strategy, "reset_password_email_code") == 0 ||
        strcmp(strategy, "reset_password_phone_code") == 0)
        object = "verification_otp";
    else if (strncmp(strategy, "oauth_", 6) == 0)
        object = "verification_from_oauth";
    else if (strcmp(strategy, "email_link") == 0)
        object = "verification_email_link";
    else if (strcmp(strategy, "ticket") == 0)
        object = "verification_ticket";
    return json_pack("{s:s,s:s,s:s,s:n,s:n}", "object", object, "status", "verified",
        "strategy", strategy, "attempts", "expire_at");
}

json_t *
gh_render_email_address(const struct gh_ident *i)
{
    return json_pack("{s:s,s:s,s:s,s:b,s:o,s:[],s:b,s:I,s:I}",
        "object", "email_address",
        "id", i->id,
        "email_address", i->value != NULL ? i->value : "",
        "reserved", i->reserved != 0,
        "verification", gh_render_verification(i),
        "linked_to", /* the SDK maps over it: must be an array */
        "matches_sso_connection", 0,
        "created_at", (json_int_t)i->created_at,
        "updated_at", (json_int_t)i->updated_at);
}

json_t *
gh_render_phone_number(const struct gh_ident *i)
{
    return json_pack("{s:s,s:s,s:s,s:b,s:b,s:b,s:o,s:[],s:n,s:I,s:I}",
        "object", "phone_number",
        "id", i->id,
        "phone_number", i->value != NULL ? i->value : "",
        "reserved_for_second_factor", 0,
        "default_second_factor", 0,
        "reserved", i->reserved != 0,
        "verification", gh_render_verification(i),
        "linked_to",
        "backup_codes",
        "created_at", (json_int_t)i->created_at,
        "updated_at", (json_int_t)i->updated_at);
}

/* "<frontend_url>/images/default-avatar.svg" (Clerk always sends a URL). */
static json_t *
avatar_url(const struct gh_app *app)
{
    const char   *base = NULL;
    struct gh_buf b;
    json_t       *v;
    size_t        n;

    if (app != NULL && app->conf != NULL && app->conf->frontend_url != NULL)
        base = app->conf->frontend_url;
    else if (app != NULL && app->instance != NULL && app->instance->frontend_url != NULL)
        base = app->instance->frontend_url;
    if (base == NULL)
        base = "";
    n = strlen(base);
    if (n > 0 && base[n - 1] == '/')
        n--;
    gh_buf_init(&b, 2048);
    gh_buf_addn(&b, base, n);
    gh_buf_add(&b, "/images/default-avatar.svg");
    v = gh_buf_failed(&b) ? json_string("/images/default-avatar.svg") : json_string(gh_buf_str(&b));
    gh_buf_clear(&b);
    return v;
}

static json_t *
idents_of(const struct gh_user *u, enum gh_ident_type type)
{
    json_t *a = json_array();

    for (size_t k = 0; a != NULL && k < u->nidents; k++) {
        if (u->idents[k].type != type)
            continue;
        if (json_array_append_new(a, type == GH_IDENT_EMAIL
                                         ? gh_render_email_address(&u->idents[k])
                                         : gh_render_phone_number(&u->idents[k])) == -1) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

static int
add_identity(json_t *o, const struct gh_app *app, const struct gh_user *u)
{
    struct gh_lockout_view lv; /* issue 6: admin lock or running lockout */

    gh_user_lockout_view(app, u, gh_now_ms(), &lv);

    return json_object_set_new(o, "id", json_string(u->id)) |
        json_object_set_new(o, "object", json_string("user")) |
        json_object_set_new(o, "external_id", gh_api_str(u->external_id)) |
        json_object_set_new(o, "username", gh_api_str(u->username)) |
        json_object_set_new(o, "first_name", gh_api_str(u->first_name)) |
        json_object_set_new(o, "last_name", gh_api_str(u->last_name)) |
        json_object_set_new(o, "image_url", avatar_url(app)) |
        json_object_set_new(o, "has_image", json_false()) |
        json_object_set_new(o, "primary_email_address_id", gh_api_str(u->primary_email_id)) |
        json_object_set_new(o, "primary_phone_number_id", gh_api_str(u->primary_phone_id)) |
        json_object_set_new(o, "primary_web3_wallet_id", json_null()) |
        json_object_set_new(o, "password_enabled", json_boolean(u->password_hash != NULL)) |
        json_object_set_new(o, "two_factor_enabled",
            json_boolean(u->totp_secret != NULL || u->backup_codes != NULL)) |
        json_object_set_new(o, "totp_enabled", json_boolean(u->totp_secret != NULL)) |
        json_object_set_new(o, "backup_code_enabled", json_boolean(u->backup_codes != NULL)) |
        json_object_set_new(o, "email_addresses", idents_of(u, GH_IDENT_EMAIL)) |
        json_object_set_new(o, "phone_numbers", idents_of(u, GH_IDENT_PHONE)) |
        json_object_set_new(o, "web3_wallets", json_array()) |
        json_object_set_new(o, "external_accounts", json_array()) |
        json_object_set_new(o, "saml_accounts", json_array()) |
        json_object_set_new(o, "enterprise_accounts", json_array()) |
        json_object_set_new(o, "passkeys", json_array()) |
        json_object_set_new(o, "banned", json_boolean(u->banned)) |
        json_object_set_new(o, "locked", json_boolean(lv.locked)) |
        json_object_set_new(o, "lockout_expires_in_seconds",
            lv.expires_in_s >= 0 ? json_integer((json_int_t)lv.expires_in_s) : json_null()) |
        json_object_set_new(o, "verification_attempts_remaining",
            lv.attempts_remaining >= 0 ? json_integer(lv.attempts_remaining) : json_null());
}

static int
add_rest(json_t *o, const struct gh_app *app, const struct gh_user *u)
{
    return json_object_set_new(o, "public_metadata", gh_api_obj_text(u->public_metadata)) |
        json_object_set_new(o, "private_metadata", gh_api_obj_text(u->private_metadata)) |
        json_object_set_new(o, "unsafe_metadata", gh_api_obj_text(u->unsafe_metadata)) |
        json_object_set_new(o, "last_sign_in_at", gh_api_time(u->last_sign_in_at)) |
        json_object_set_new(o, "last_active_at", gh_api_time(u->last_active_at)) |
        json_object_set_new(o, "legal_accepted_at", gh_api_time(u->legal_accepted_at)) |
        json_object_set_new(o, "password_last_updated_at",
            gh_api_time(u->password_hash != NULL ? u->password_updated_at : GH_TIME_NULL)) |
        json_object_set_new(o, "created_at", json_integer((json_int_t)u->created_at)) |
        json_object_set_new(o, "updated_at", json_integer((json_int_t)u->updated_at)) |
        json_object_set_new(o, "delete_self_enabled", json_boolean(u->delete_self_enabled)) |
        json_object_set_new(o, "create_organization_enabled",
            json_boolean(u->create_organization_enabled)) |
        json_object_set_new(o, "create_organizations_limit", json_null()) |
        json_object_set_new(o, "locale", json_null()) |
        json_object_set_new(o, "timezone", json_null()) |
        json_object_set_new(o, "mfa_enabled_at", json_null()) |
        json_object_set_new(o, "mfa_disabled_at", json_null()) |
        json_object_set_new(o, "profile_image_url", avatar_url(app)) |
        json_object_set_new(o, "bypass_client_trust", json_false());
}

json_t *
gh_render_user(const struct gh_app *app, const struct gh_user *u)
{
    json_t *o = json_object();

    if (o == NULL)
        return NULL;
    /* json_object_set_new returns -1 (and drops the value) on OOM or a NULL
     * value; OR-ing the results keeps the check to one place. */
    if (add_identity(o, app, u) != 0 || add_rest(o, app, u) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}
