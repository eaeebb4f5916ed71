/* render_sign_up.c: the SignUp resource (spec FAPI §4.5). Which fields are
 * required, missing and unverified follows the instance settings and what the
 * sign-up holds so far (core/sign_up.h decides; this file only shows it). */
#include <string.h>

#include "api/frontend/render.h"
#include "api/params.h"
#include "core/app.h"
#include "core/settings.h"
#include "core/sign_up.h"
#include "util/str.h"

static json_t *
names(unsigned mask)
{
    static const struct { unsigned bit; const char *name; } f[] = {
        { GH_SU_EMAIL, "email_address" }, { GH_SU_PASSWORD, "password" },
        { GH_SU_USERNAME, "username" },   { GH_SU_FIRST_NAME, "first_name" },
        { GH_SU_LAST_NAME, "last_name" }, { GH_SU_LEGAL, "legal_accepted" },
    };
    json_t *a = json_array();

    for (size_t i = 0; a != NULL && i < sizeof(f) / sizeof(f[0]); i++)
        if ((mask & f[i].bit) != 0 && json_array_append_new(a, json_string(f[i].name)) == -1) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* SignUpVerification: a Verification plus next_action and supported_strategies. */
static json_t *
email_verification(const struct gh_sign_up *su)
{
    json_t     *v;
    const char *next = "needs_prepare";

    if (su->email_address == NULL)
        return json_null();
    if (su->ev.strategy[0] == '\0')
        return json_pack("{s:s,s:s,s:s,s:n,s:s,s:i,s:n,s:n,s:n,s:[s]}", "object", "verification",
            "id", "", "status", "unverified", "strategy", "next_action", next, "attempts", 0,
            "expire_at", "verified_at_client", "error", "supported_strategies", "email_code");
    v = gh_fapi_render_verif(&su->ev);
    if (!json_is_object(v))
        return v;
    if (strcmp(su->ev.status, "verified") == 0)
        next = "";
    else if (strcmp(su->ev.status, "unverified") == 0)
        next = "needs_attempt";
    json_object_set_new(v, "next_action", json_string(next));
    json_object_set_new(v, "supported_strategies", json_pack("[s]", "email_code"));
    return v;
}

json_t *
gh_fapi_render_sign_up(struct gh_fapi *f, const struct gh_sign_up *su, struct gh_err *err)
{
    struct gh_settings st;
    struct gh_su_fields fl;
    json_t            *o;

    gh_settings_load(f->req->app, &st, err);
    gh_sign_up_fields(&st, su, &fl);
    o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:{s:o,s:n,s:n,s:n},s:o,s:o,s:o,s:o,s:o,s:n,"
                  "s:b,s:o,s:o,s:o,s:o,s:o,s:o,s:n}",
        "object", "sign_up_attempt",
        "id", su->id,
        "status", gh_sign_up_status(su, gh_now_ms()),
        "required_fields", names(fl.required),
        "optional_fields", names(fl.optional),
        "missing_fields", names(fl.missing),
        "unverified_fields", names(fl.unverified),
        "verifications",
            "email_address", email_verification(su),
            "phone_number", "web3_wallet", "external_account",
        "username", gh_api_str(su->username),
        "email_address", gh_api_str(su->email_address),
        "phone_number", gh_api_str(su->phone_number),
        "first_name", gh_api_str(su->first_name),
        "last_name", gh_api_str(su->last_name),
        "web3_wallet",
        "has_password", su->password_hash != NULL,
        "unsafe_metadata", gh_api_obj_text(su->unsafe_metadata),
        "legal_accepted_at", gh_api_time(su->legal_accepted_at),
        "created_session_id", gh_api_str(su->created_session_id[0] != '\0'
                                             ? su->created_session_id : NULL),
        "created_user_id", gh_api_str(su->created_user_id[0] != '\0' ? su->created_user_id
                                                                      : NULL),
        "abandon_at", gh_api_time(su->abandon_at),
        "public_metadata", json_object(),
        "locale");
    if (o == NULL)
        GH_FAIL(err, GH_E_NOMEM, NULL);
    return o;
}
