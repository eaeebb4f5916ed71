/* fapi.c: see fapi.h. */
#include "api/frontend/fapi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/frontend/render.h"
#include "core/app.h"
#include "core/client.h"
#include "core/origin.h"
#include "core/session.h"
#include "core/session_activity.h"
#include "core/token.h"
#include "core/user.h"
#include "crypto/crypto.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/str.h"

#define COOKIE_MAX_AGE "31536000" /* one year, as Clerk's */

/* The client token the request presents, by precedence: a dev-browser token
 * (?__clerk_db_jwt=), a native client's Authorization header, the cookie. */
static const char *
presented_token(struct gh_fapi *f)
{
    const char *t = gh_req_query(f->req, "__clerk_db_jwt");

    if (t != NULL && t[0] != '\0') {
        f->dev_browser = 1;
        return t;
    }
    if (f->native) {
        t = gh_req_header(f->req, "Authorization");
        if (t != NULL && strncasecmp(t, "Bearer ", 7) == 0)
            t += 7;
        return t;
    }
    return gh_req_cookie(f->req, GH_FAPI_COOKIE);
}

int
gh_fapi_begin(struct gh_req *req, struct gh_resp *resp, struct gh_fapi *f, struct gh_err *err)
{
    const char *native = gh_req_query(req, "_is_native");

    memset(f, 0, sizeof(*f));
    f->req = req;
    f->resp = resp;
    f->instance_id = req->app->instance->id;
    f->native = native != NULL && (strcmp(native, "1") == 0 || strcmp(native, "true") == 0);
    if (strcmp(req->method, "GET") != 0 && gh_req_json(req, &f->body, err) == -1)
        return -1;
    return gh_client_find(req->app, f->instance_id, presented_token(f), &f->client, err);
}

void
gh_fapi_end(struct gh_fapi *f)
{
    free(f->client);
    f->client = NULL;
}

static int
https_frontend(const struct gh_app *app)
{
    const char *u = app->conf != NULL ? app->conf->frontend_url : NULL;

    return u != NULL && strncmp(u, "https://", 8) == 0;
}

/* __client=<token>: HttpOnly so scripts never see it; Lax because the app
 * and Gatehouse are one site on localhost and behind a shared parent domain
 * in production; Secure whenever the frontend URL is https (catalogue SES-01). */
static void
set_client_cookie(struct gh_fapi *f, const char *token)
{
    struct gh_buf b;

    gh_buf_init(&b, 512);
    gh_buf_addf(&b, "%s=%s; Path=/; Max-Age=" COOKIE_MAX_AGE "; HttpOnly; SameSite=Lax%s",
        GH_FAPI_COOKIE, token, https_frontend(f->req->app) ? "; Secure" : "");
    if (!gh_buf_failed(&b))
        gh_resp_header(f->resp, "Set-Cookie", gh_buf_str(&b));
    if (b.data != NULL)
        gh_memzero(b.data, b.len);
    gh_buf_clear(&b);
}

int
gh_fapi_client_ensure(struct gh_fapi *f, struct gh_err *err)
{
    char *token = NULL;

    if (f->client != NULL)
        return 0;
    if (gh_client_create(f->req->app, f->instance_id, &f->client, &token, err) == -1)
        return -1;
    if (f->native)
        gh_resp_header(f->resp, "Authorization", token);
    else if (f->dev_browser)
        gh_resp_header(f->resp, "Clerk-Db-Jwt", token);
    else
        set_client_cookie(f, token);
    gh_secret_free(token);
    return 0;
}

int
gh_fapi_client_save(struct gh_fapi *f, struct gh_err *err)
{
    if (f->client == NULL)
        return 0;
    return gh_client_save(f->req->app, f->instance_id, f->client, err);
}

int
gh_fapi_session(struct gh_fapi *f, struct gh_session **out, struct gh_err *err)
{
    const char *sid = gh_req_query(f->req, "_clerk_session_id");

    *out = NULL;
    if (f->client == NULL)
        return GH_FAIL(err, GH_E_SIGNED_OUT, NULL);
    if (sid == NULL || sid[0] == '\0')
        sid = f->client->last_active_session_id;
    if (sid[0] == '\0')
        return GH_FAIL(err, GH_E_SIGNED_OUT, NULL);
    if (gh_client_session(f->req->app, f->instance_id, f->client, sid, out, err) == -1) {
        if (err->code == GH_E_NOT_FOUND) { /* not this browser's: signed out, not a probe */
            gh_err_clear(err);
            GH_FAIL(err, GH_E_SIGNED_OUT, NULL);
        }
        return -1;
    }
    gh_fapi_session_seen(f, *out);
    return 0;
}

void
gh_fapi_session_seen(struct gh_fapi *f, struct gh_session *s)
{
    struct gh_err e = { 0 };

    if (gh_session_note_activity(f->req->app, f->instance_id, s,
            gh_req_header(f->req, "User-Agent"), f->req->peer_ip, &e) == -1)
        gh_log_warn("session activity not recorded session_id=%s code=%s", s->id,
            gh_err_name(e.code));
}

int
gh_fapi_session_user(struct gh_fapi *f, struct gh_session **s_out, struct gh_user **u_out,
    struct gh_err *err)
{
    *u_out = NULL;
    if (gh_fapi_session(f, s_out, err) == -1)
        return -1;
    if (gh_user_get(f->req->app, f->instance_id, (*s_out)->user_id, u_out, err) == -1) {
        gh_session_free(*s_out);
        *s_out = NULL;
        return -1;
    }
    return 0;
}

/* Production instances set __client_uat themselves (development ones leave
 * it to clerk-js): 0 when signed out, else the client's updated_at in s. */
static void
set_client_uat(struct gh_fapi *f, int signed_in)
{
    char v[160];

    if (gh_app_is_development(f->req->app))
        return;
    snprintf(v, sizeof(v), "__client_uat=%lld; Path=/; Max-Age=" COOKIE_MAX_AGE
        "; SameSite=Lax%s", signed_in && f->client != NULL
        ? (long long)(f->client->updated_at / 1000) : 0LL,
        https_frontend(f->req->app) ? "; Secure" : "");
    gh_resp_header(f->resp, "Set-Cookie", v);
}

int
gh_fapi_reply(struct gh_fapi *f, json_t *response, struct gh_err *err)
{
    json_t *client = NULL, *env;
    int     signed_in = 0;

    if (f->client != NULL) {
        if ((client = gh_fapi_render_client(f, err)) == NULL) {
            json_decref(response);
            return -1;
        }
        signed_in = json_array_size(json_object_get(client, "sessions")) > 0;
    }
    env = json_pack("{s:o,s:o}", "response", response != NULL ? response : json_null(),
        "client", client != NULL ? client : json_null());
    if (env == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    set_client_uat(f, signed_in);
    gh_resp_json(f->resp, 200, env);
    return 0;
}

int
gh_fapi_reply_bare(struct gh_fapi *f, json_t *body, struct gh_err *err)
{
    if (body == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(f->resp, 200, body);
    return 0;
}

/* ---- form fields ---- */

const char *
gh_fapi_str_raw(const struct gh_fapi *f, const char *key, int *present)
{
    json_t *v = f->body != NULL ? json_object_get(f->body, key) : NULL;

    *present = v != NULL;
    if (json_is_array(v)) /* a repeated key: the first value */
        v = json_array_get(v, 0);
    if (!json_is_string(v) || memchr(json_string_value(v), '\0', json_string_length(v)) != NULL)
        return NULL;
    return json_string_value(v);
}

const char *
gh_fapi_str(const struct gh_fapi *f, const char *key)
{
    int         present;
    const char *s = gh_fapi_str_raw(f, key, &present);

    return s != NULL && s[0] != '\0' ? s : NULL;
}

int
gh_fapi_bool(const struct gh_fapi *f, const char *key, int dflt, int *out, struct gh_err *err)
{
    json_t *v = f->body != NULL ? json_object_get(f->body, key) : NULL;

    *out = dflt;
    if (v == NULL || json_is_null(v))
        return 0;
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return 0;
    }
    if (json_is_string(v) && strcmp(json_string_value(v), "") == 0)
        return 0;
    if (json_is_string(v) && strcmp(json_string_value(v), "true") == 0)
        *out = 1;
    else if (json_is_string(v) && strcmp(json_string_value(v), "false") == 0)
        *out = 0;
    else
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, key, "must be true or false");
    return 0;
}

int
gh_fapi_obj(const struct gh_fapi *f, const char *key, json_t **out, struct gh_err *err)
{
    json_t      *v = f->body != NULL ? json_object_get(f->body, key) : NULL;
    json_error_t je;

    *out = NULL;
    if (v == NULL || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
        return 0;
    if (json_is_object(v)) {
        *out = json_incref(v);
        return 0;
    }
    if (json_is_string(v))
        *out = json_loads(json_string_value(v), JSON_REJECT_DUPLICATES, &je);
    if (*out == NULL || !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, key, "must be a JSON object");
    }
    return 0;
}

int
gh_fapi_need(const struct gh_fapi *f, const char *key, const char **out, struct gh_err *err)
{
    if ((*out = gh_fapi_str(f, key)) == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, key, NULL);
    return 0;
}

const char *
gh_fapi_origin(const struct gh_fapi *f)
{
    const char *o = gh_req_header(f->req, "Origin");

    return o != NULL && gh_token_origin_usable(o) ? o : NULL;
}
