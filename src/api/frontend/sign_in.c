/* sign_in.c: the Frontend API's sign-in routes (spec FAPI §3.3–§3.5): create
 * a sign-in (identifier, optionally a password or a ticket in the same
 * call), read it, prepare and attempt the first factor (password, emailed
 * code, reset-password code), set a new password, prepare and attempt the
 * second factor (TOTP, backup code). The state machine is core/sign_in.c;
 * every answer is the sign-in in the {response, client} envelope, so
 * clerk-js sees the new session on the client as soon as one exists. */
#include <string.h>

#include "api/frontend/fapi.h"
#include "api/frontend/frontend.h"
#include "api/frontend/render.h"
#include "core/app.h"
#include "core/ratelimit.h"
#include "core/sign_in.h"

/* Issue 6: Clerk's per-IP limits (core/ratelimit.h), before any password
 * hash or code check runs. */
static int
rate_limit(struct gh_fapi *f, enum gh_rl_class cls, struct gh_err *err)
{
    return gh_ratelimit_hit(f->req->app, f->instance_id, cls,
        f->req->client_ip != NULL ? f->req->client_ip : "?", NULL, err);
}

static int
reply_sign_in(struct gh_fapi *f, const struct gh_sign_in *si, struct gh_err *err)
{
    json_t *j = gh_fapi_render_sign_in(f, si, err);

    return j != NULL ? gh_fapi_reply(f, j, err) : -1;
}

/* POST /v1/client/sign_ins (identifier, strategy, password, ticket; locale,
 * timezone and other fields clerk-js sends are ignored). */
int
gh_fapi_sign_in_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_fapi           f;
    struct gh_sign_in_params p = { 0 };
    struct gh_sign_in       *si = NULL;
    int                      rc = -1;

    if (gh_fapi_begin(req, resp, &f, err) == -1 || rate_limit(&f, GH_RL_SIGN_IN, err) == -1 ||
        gh_fapi_client_ensure(&f, err) == -1)
        goto done;
    p.identifier = gh_fapi_str(&f, "identifier");
    p.strategy = gh_fapi_str(&f, "strategy");
    p.password = gh_fapi_str(&f, "password");
    p.password_len = p.password != NULL ? strlen(p.password) : 0;
    p.ticket = gh_fapi_str(&f, "ticket");
    if (gh_sign_in_create(req->app, f.instance_id, f.client, &p, &si, err) == -1)
        goto done;
    rc = reply_sign_in(&f, si, err);
done:
    gh_sign_in_free(si);
    gh_fapi_end(&f);
    return rc;
}

/* The client's sign-in named by the path (404 for anyone else's). */
static int
path_sign_in(struct gh_fapi *f, struct gh_sign_in **out, struct gh_err *err)
{
    return gh_sign_in_get(f->req->app, f->instance_id, f->client,
        f->req->nparams > 0 ? f->req->params[0] : "", out, err);
}

/* GET /v1/client/sign_ins/:id */
int
gh_fapi_sign_in_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_fapi     f;
    struct gh_sign_in *si = NULL;
    int                rc = -1;

    if (gh_fapi_begin(req, resp, &f, err) == -1 || path_sign_in(&f, &si, err) == -1)
        goto done;
    rc = reply_sign_in(&f, si, err);
done:
    gh_sign_in_free(si);
    gh_fapi_end(&f);
    return rc;
}

enum step { PREPARE_FIRST, ATTEMPT_FIRST, RESET_PASSWORD, PREPARE_SECOND, ATTEMPT_SECOND };

static int
run_step(struct gh_fapi *f, struct gh_sign_in *si, enum step step, struct gh_err *err)
{
    struct gh_app *app = f->req->app;
    const char    *strategy = gh_fapi_str(f, "strategy");
    const char    *pw = gh_fapi_str(f, "password");
    const char    *code = gh_fapi_str(f, "code");
    int            others = 0;

    switch (step) {
    case PREPARE_FIRST:
        return gh_sign_in_prepare_first(app, f->instance_id, si, strategy,
            gh_fapi_str(f, "email_address_id"), err);
    case ATTEMPT_FIRST:
        return gh_sign_in_attempt_first(app, f->instance_id, f->client, si, strategy, pw,
            pw != NULL ? strlen(pw) : 0, code, err);
    case RESET_PASSWORD:
        if (gh_fapi_bool(f, "sign_out_of_other_sessions", 0, &others, err) == -1)
            return -1;
        return gh_sign_in_reset_password(app, f->instance_id, f->client, si, pw,
            pw != NULL ? strlen(pw) : 0, others, err);
    case PREPARE_SECOND:
        return gh_sign_in_prepare_second(app, f->instance_id, si, strategy, err);
    case ATTEMPT_SECOND:
        return gh_sign_in_attempt_second(app, f->instance_id, f->client, si, strategy, code,
            err);
    }
    return GH_FAIL(err, GH_E_INTERNAL, NULL);
}

static int
step(struct gh_req *req, struct gh_resp *resp, enum step which, struct gh_err *err)
{
    struct gh_fapi     f;
    struct gh_sign_in *si = NULL;
    int                rc = -1;

    if (gh_fapi_begin(req, resp, &f, err) == -1 ||
        ((which == ATTEMPT_FIRST || which == ATTEMPT_SECOND) &&
            rate_limit(&f, GH_RL_ATTEMPT, err) == -1) ||
        path_sign_in(&f, &si, err) == -1 || run_step(&f, si, which, err) == -1)
        goto done;
    rc = reply_sign_in(&f, si, err);
done:
    gh_sign_in_free(si);
    gh_fapi_end(&f);
    return rc;
}

/* POST …/sign_ins/:id/prepare_first_factor (strategy, email_address_id) */
int
gh_fapi_sign_in_prepare_first(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return step(req, resp, PREPARE_FIRST, err);
}

/* POST …/sign_ins/:id/attempt_first_factor (strategy, password | code) */
int
gh_fapi_sign_in_attempt_first(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return step(req, resp, ATTEMPT_FIRST, err);
}

/* POST …/sign_ins/:id/reset_password (password, sign_out_of_other_sessions) */
int
gh_fapi_sign_in_reset_password(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return step(req, resp, RESET_PASSWORD, err);
}

/* POST …/sign_ins/:id/prepare_second_factor (strategy) */
int
gh_fapi_sign_in_prepare_second(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return step(req, resp, PREPARE_SECOND, err);
}

/* POST …/sign_ins/:id/attempt_second_factor (strategy, code) */
int
gh_fapi_sign_in_attempt_second(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return step(req, resp, ATTEMPT_SECOND, err);
}
