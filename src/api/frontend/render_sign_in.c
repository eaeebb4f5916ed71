/* render_sign_in.c: the SignIn resource (spec FAPI §4.4). The factors a
 * sign-in offers follow its user: a password when they have one, an emailed
 * code (and reset code) per email address, TOTP and backup codes as second
 * factors. Before an identifier matched anyone the lists are empty (and with
 * enumeration protection the sign-in core keeps a sign-in for an unknown
 * identifier looking like one for a known one). */
#include <string.h>

#include "api/backend/render.h"
#include "api/frontend/render.h"
#include "api/params.h"
#include "core/app.h"
#include "core/settings.h"
#include "core/user.h"

/* "a***@example.com": enough to recognise, not to harvest. */
static json_t *
safe_identifier(const char *email)
{
    const char *at = email != NULL ? strchr(email, '@') : NULL;
    char        buf[320];

    if (at == NULL)
        return json_string(email != NULL ? email : "");
    snprintf(buf, sizeof(buf), "%c***%s", email[0], at);
    return json_string(buf);
}

static int
add_email_factors(json_t *a, const struct gh_user *u, const char *strategy)
{
    for (size_t i = 0; i < u->nidents; i++) {
        const struct gh_ident *id = &u->idents[i];
        int primary = u->primary_email_id != NULL && strcmp(u->primary_email_id, id->id) == 0;

        if (id->type != GH_IDENT_EMAIL)
            continue;
        if (json_array_append_new(a, json_pack("{s:s,s:s,s:o,s:b}", "strategy", strategy,
                "email_address_id", id->id, "safe_identifier", safe_identifier(id->value),
                "primary", primary)) == -1)
            return -1;
    }
    return 0;
}

static json_t *
first_factors(const struct gh_settings *st, const struct gh_user *u)
{
    json_t *a = json_array();

    if (a == NULL || u == NULL)
        return a;
    if (st->password_enabled && u->password_hash != NULL &&
        json_array_append_new(a, json_pack("{s:s}", "strategy", "password")) == -1)
        goto fail;
    if (st->email_code_first_factor && add_email_factors(a, u, "email_code") == -1)
        goto fail;
    if (u->password_hash != NULL && add_email_factors(a, u, "reset_password_email_code") == -1)
        goto fail;
    return a;
fail:
    json_decref(a);
    return NULL;
}

static json_t *
second_factors(const struct gh_settings *st, const struct gh_user *u)
{
    json_t *a;

    if (u == NULL || (u->totp_secret == NULL && u->backup_codes == NULL))
        return json_null();
    if ((a = json_array()) == NULL)
        return NULL;
    if (st->totp_enabled && u->totp_secret != NULL)
        json_array_append_new(a, json_pack("{s:s}", "strategy", "totp"));
    if (st->backup_codes_enabled && u->backup_codes != NULL)
        json_array_append_new(a, json_pack("{s:s}", "strategy", "backup_code"));
    return a;
}

static json_t *
user_data(struct gh_fapi *f, const struct gh_user *u)
{
    json_t *pud;

    if (u == NULL)
        return json_null();
    pud = gh_fapi_render_public_user_data(f, u);
    return pud != NULL ? pud : json_null();
}

json_t *
gh_fapi_render_sign_in(struct gh_fapi *f, const struct gh_sign_in *si, struct gh_err *err)
{
    struct gh_settings st;
    struct gh_user    *u = NULL;
    struct gh_err      ue = { 0 };
    json_t            *o;

    gh_settings_load(f->req->app, &st, err);
    if (si->user_id[0] != '\0')
        (void)gh_user_get(f->req->app, f->instance_id, si->user_id, &u, &ue);
    o = json_pack("{s:s,s:s,s:s,s:[s,s],s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:n,s:I}",
        "object", "sign_in_attempt",
        "id", si->id,
        "status", si->status,
        "supported_identifiers", "email_address", "username",
        "identifier", gh_api_str(si->identifier),
        "supported_first_factors", first_factors(&st, u),
        "supported_second_factors", second_factors(&st, u),
        "first_factor_verification", gh_fapi_render_verif(&si->ff),
        "second_factor_verification", gh_fapi_render_verif(&si->sf),
        "user_data", user_data(f, u),
        "created_session_id", gh_api_str(si->created_session_id[0] != '\0'
                                             ? si->created_session_id : NULL),
        "abandon_at", gh_api_time(si->abandon_at),
        "protect_check",
        "created_at", (json_int_t)si->created_at);
    gh_user_free(u);
    if (o == NULL)
        GH_FAIL(err, GH_E_NOMEM, NULL);
    return o;
}
