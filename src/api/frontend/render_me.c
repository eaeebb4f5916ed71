/* render_me.c: the /v1/me shapes (spec FAPI §3.8, §4.8, §4.10): email
 * addresses with their Verification as the browser sees it (unverified
 * addresses show their emailed-code state, which the Backend API's shape
 * leaves out), sessions with their latest activity, TOTP and backup codes. */
#include "api/frontend/render.h"

#include <string.h>

#include "api/params.h"
#include "core/account.h"
#include "core/code.h"
#include "core/session_activity.h"
#include "util/str.h"

json_t *
gh_fapi_render_email_verif(const struct gh_ident *i, const struct gh_verif *stored)
{
    struct gh_verif v;
    int64_t         now = gh_now_ms();

    if (i->verified) {
        gh_verif_reset(&v);
        gh_strlcpy(v.strategy, i->strategy != NULL ? i->strategy : "admin", sizeof(v.strategy));
        gh_strlcpy(v.status, "verified", sizeof(v.status));
        return gh_fapi_render_verif(&v);
    }
    if (stored == NULL || stored->strategy[0] == '\0')
        return json_null(); /* nothing prepared yet: the UI shows "Unverified" */
    v = *stored;
    /* Failed and expired follow from the counters (account_email.c stores neither). */
    if (strcmp(v.status, "verified") != 0) {
        if (v.attempts >= GH_CODE_MAX_ATTEMPTS)
            gh_strlcpy(v.status, "failed", sizeof(v.status));
        else if (v.expire_at != GH_TIME_NULL && now >= v.expire_at)
            gh_strlcpy(v.status, "expired", sizeof(v.status));
        else
            gh_strlcpy(v.status, "unverified", sizeof(v.status));
    }
    return gh_fapi_render_verif(&v);
}

json_t *
gh_fapi_render_email_address(struct gh_fapi *f, const struct gh_ident *i, struct gh_err *err)
{
    struct gh_verif v;
    int             found = 0;
    json_t         *o;

    if (!i->verified &&
        gh_account_email_verif(f->req->app, f->instance_id, i->id, &v, &found, err) == -1)
        return NULL;
    o = json_pack("{s:s,s:s,s:s,s:o,s:[],s:b,s:b,s:I,s:I}",
        "object", "email_address",
        "id", i->id,
        "email_address", i->value != NULL ? i->value : "",
        "verification", gh_fapi_render_email_verif(i, found ? &v : NULL),
        "linked_to",
        "matches_sso_connection", 0,
        "reserved", i->reserved != 0,
        "created_at", (json_int_t)i->created_at,
        "updated_at", (json_int_t)i->updated_at);
    if (o == NULL)
        GH_FAIL(err, GH_E_NOMEM, NULL);
    return o;
}

int
gh_fapi_user_emails(struct gh_fapi *f, const struct gh_user *u, json_t *user, struct gh_err *err)
{
    json_t *a = json_array();

    if (a == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    for (size_t k = 0; k < u->nidents; k++) {
        json_t *e;

        if (u->idents[k].type != GH_IDENT_EMAIL)
            continue;
        if ((e = gh_fapi_render_email_address(f, &u->idents[k], err)) == NULL ||
            json_array_append_new(a, e) == -1) {
            json_decref(a);
            return err->code != GH_E_OK ? -1 : GH_FAIL(err, GH_E_NOMEM, NULL);
        }
    }
    if (json_object_set_new(user, "email_addresses", a) == -1)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    return 0;
}

/* "" → null: the UI joins city and country and falls back on falsy values. */
static json_t *
str_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

json_t *
gh_fapi_render_session_activity(const struct gh_session *s)
{
    struct gh_ua_info ua;
    const char       *tail = strchr(s->id, '_');
    char              act_id[GH_ID_MAX + 8];

    gh_user_agent_parse(s->user_agent, &ua);
    /* One activity per session (the latest); its id derives from the session's. */
    gh_strlcpy(act_id, "sess_act", sizeof(act_id));
    gh_strlcpy(act_id + 8, tail != NULL ? tail : s->id, sizeof(act_id) - 8);
    return json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:n,s:{s:s,s:s,s:o,s:o,s:o,s:o,s:n,s:n,s:b},"
                     "s:n,s:n,s:o,s:o}",
        "object", "session",
        "id", s->id,
        "status", s->status,
        "expire_at", gh_api_time(s->expire_at),
        "abandon_at", gh_api_time(s->abandon_at),
        "last_active_at", gh_api_time(s->last_active_at),
        "last_active_organization_id", gh_api_str(s->active_org_id),
        "actor",
        "latest_activity",
            "object", "session_activity",
            "id", act_id,
            "browser_name", str_or_null(ua.browser_name),
            "browser_version", str_or_null(ua.browser_version),
            "device_type", str_or_null(ua.device_type),
            "ip_address", str_or_null(s->ip_address),
            "city",
            "country",
            "is_mobile", ua.is_mobile,
        "user",
        "tasks",
        "created_at", gh_api_time(s->created_at),
        "updated_at", gh_api_time(s->updated_at));
}

static json_t *
codes_array(char *const *codes, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; a != NULL && i < n; i++) {
        if (json_array_append_new(a, json_string(codes[i])) == -1) {
            json_decref(a);
            return NULL;
        }
    }
    return a;
}

json_t *
gh_fapi_render_totp(const struct gh_totp *t, const char *secret, const char *uri,
    char *const *codes, size_t n)
{
    json_t *o = json_pack("{s:s,s:s,s:b,s:I,s:I}",
        "object", "totp",
        "id", t->id,
        "verified", t->verified != 0,
        "created_at", (json_int_t)t->created_at,
        "updated_at", (json_int_t)t->updated_at);

    /* The secret and URI only at creation; backup codes only when issued. */
    if (o != NULL && secret != NULL &&
        (json_object_set_new(o, "secret", json_string(secret)) == -1 ||
            json_object_set_new(o, "uri", json_string(uri != NULL ? uri : "")) == -1)) {
        json_decref(o);
        return NULL;
    }
    if (o != NULL && n > 0 && json_object_set_new(o, "backup_codes", codes_array(codes, n)) == -1) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *
gh_fapi_render_backup_codes(const char *user_id, char *const *codes, size_t n)
{
    int64_t now = gh_now_ms();
    char    id[GH_ID_MAX + 8];
    const char *tail = strchr(user_id, '_');

    gh_strlcpy(id, "bcode", sizeof(id));
    gh_strlcpy(id + 5, tail != NULL ? tail : user_id, sizeof(id) - 5);
    return json_pack("{s:s,s:s,s:o,s:I,s:I}",
        "object", "backup_code",
        "id", id,
        "codes", codes_array(codes, n),
        "created_at", (json_int_t)now,
        "updated_at", (json_int_t)now);
}
