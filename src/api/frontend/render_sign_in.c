/* render_sign_in.c: the SignIn resource (spec FAPI §4.4). Which factors a
 * sign-in offers, and what of the user it may show, is core's
 * (gh_sign_in_view: the user's factors, or a decoy for an identifier nobody
 * owns under enumeration protection); this file only turns that into JSON. */
#include <string.h>

#include "api/backend/render.h"
#include "api/frontend/render.h"
#include "api/params.h"
#include "core/app.h"
#include "core/settings.h"
#include "core/sign_in.h"
#include "core/user.h"
#include "store/store.h"
#include "util/buf.h"

static json_t *
factor_json(const struct gh_sign_in_factor *f)
{
    if (f->email_address_id[0] == '\0')
        return json_pack("{s:s}", "strategy", f->strategy);
    return json_pack("{s:s,s:s,s:s,s:b}", "strategy", f->strategy,
        "email_address_id", f->email_address_id, "safe_identifier", f->safe_identifier,
        "primary", f->primary);
}

static json_t *
factors_json(const struct gh_sign_in_factor *v, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; a != NULL && i < n; i++)
        if (json_array_append_new(a, factor_json(&v[i])) == -1) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* "<frontend_url>/images/default-avatar.svg": the same for everyone, so a
 * known account and a decoy look alike. */
static json_t *
avatar(const struct gh_app *app)
{
    const char   *base = app->conf != NULL ? app->conf->frontend_url : NULL;
    struct gh_buf b;
    json_t       *v;
    size_t        n;

    if (base == NULL && app->instance != NULL)
        base = app->instance->frontend_url;
    n = base != NULL ? strlen(base) : 0;
    while (n > 0 && base[n - 1] == '/')
        n--;
    gh_buf_init(&b, 1024);
    gh_buf_addn(&b, base != NULL ? base : "", n);
    gh_buf_add(&b, "/images/default-avatar.svg");
    v = json_string(gh_buf_failed(&b) ? "/images/default-avatar.svg" : gh_buf_str(&b));
    gh_buf_clear(&b);
    return v;
}

json_t *
gh_fapi_render_sign_in(struct gh_fapi *f, const struct gh_sign_in *si, struct gh_err *err)
{
    struct gh_settings     st;
    struct gh_sign_in_view v;
    struct gh_user        *u = NULL;
    struct gh_err          ue = { 0 };
    json_t                *o;

    gh_settings_load(f->req->app, &st, err);
    if (si->user_id[0] != '\0')
        (void)gh_store_user_get(f->req->app->store, f->instance_id, si->user_id, &u, &ue);
    gh_sign_in_view(f->req->app, &st, si, u, &v);
    o = json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:{s:o,s:o,s:o,s:b},s:o,s:o,s:n,s:I}",
        "object", "sign_in_attempt",
        "id", si->id,
        "status", si->status,
        "supported_identifiers", v.identifier_username ? json_pack("[s,s]", "email_address",
                                                             "username")
                                                       : json_pack("[s]", "email_address"),
        "identifier", gh_api_str(si->identifier),
        "supported_first_factors", factors_json(v.first, v.nfirst),
        "supported_second_factors", v.second_listed ? factors_json(v.second, v.nsecond)
                                                    : json_null(),
        "first_factor_verification", gh_fapi_render_verif(&si->ff),
        "second_factor_verification", gh_fapi_render_verif(&si->sf),
        "user_data",
            "first_name", gh_api_str(v.first_name),
            "last_name", gh_api_str(v.last_name),
            "image_url", avatar(f->req->app),
            "has_image", 0,
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
