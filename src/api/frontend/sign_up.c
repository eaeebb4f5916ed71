/* sign_up.c: the Frontend API's sign-up routes (spec FAPI §3.2): create,
 * update, read, prepare and attempt the email verification. Handlers read
 * the form (clerk-js sends null as "", so "" means "not given"; unknown
 * fields such as locale, timezone or captcha fields are ignored), call
 * core/sign_up.h, and answer {response: SignUp, client: Client}. The rules,
 * and every decision about them, are core's. */
#include <stdlib.h>
#include <string.h>

#include "api/frontend/fapi.h"
#include "api/frontend/frontend.h"
#include "api/frontend/render.h"
#include "core/ratelimit.h"
#include "core/sign_up.h"

/* Issue 6: Clerk's per-IP limits (core/ratelimit.h): sign-up creations and
 * code attempts. Code sends have no limit of their own here: the resend
 * cooldown and the attempt limit per code are enforced in core. */
static int
rate_limit(struct gh_fapi *f, const char *what, struct gh_err *err)
{
    enum gh_rl_class cls;

    if (strcmp(what, "sign_up.create") == 0)
        cls = GH_RL_SIGN_UP;
    else if (strcmp(what, "sign_up.attempt") == 0)
        cls = GH_RL_ATTEMPT;
    else
        return 0;
    return gh_ratelimit_hit(f->req->app, f->instance_id, cls,
        f->req->client_ip != NULL ? f->req->client_ip : "?", NULL, err);
}

/* The form's sign-up fields. *md_text (malloc'd JSON text, caller frees)
 * backs p->unsafe_metadata. strategy: absent, or "ticket" with `ticket`. */
static int
read_params(struct gh_fapi *f, struct gh_sign_up_params *p, char **md_text, struct gh_err *err)
{
    const char *strategy = gh_fapi_str(f, "strategy");
    json_t     *md = NULL;
    int         legal = 0;

    *md_text = NULL;
    gh_sign_up_params_init(p);
    if (strategy != NULL && strcmp(strategy, "ticket") != 0)
        return GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "strategy",
            "is not a sign-up strategy of this instance.");
    p->ticket = gh_fapi_str(f, "ticket");
    if (strategy != NULL && p->ticket == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "ticket", NULL);
    p->email_address = gh_fapi_str(f, "email_address");
    p->password = gh_fapi_str(f, "password");
    p->password_len = p->password != NULL ? strlen(p->password) : 0;
    p->username = gh_fapi_str(f, "username");
    p->first_name = gh_fapi_str(f, "first_name");
    p->last_name = gh_fapi_str(f, "last_name");
    if (json_object_get(f->body, "legal_accepted") != NULL) {
        if (gh_fapi_bool(f, "legal_accepted", 0, &legal, err) == -1)
            return -1;
        p->legal_accepted = legal;
    }
    if (gh_fapi_obj(f, "unsafe_metadata", &md, err) == -1)
        return -1;
    if (md != NULL) {
        *md_text = json_dumps(md, JSON_COMPACT);
        json_decref(md);
        if (*md_text == NULL)
            return GH_FAIL(err, GH_E_NOMEM, NULL);
        p->unsafe_metadata = *md_text;
    }
    return 0;
}

/* Answers su in the envelope (the client carries the new session, if any). */
static int
reply_sign_up(struct gh_fapi *f, const struct gh_sign_up *su, struct gh_err *err)
{
    json_t *j = gh_fapi_render_sign_up(f, su, err);

    return j != NULL ? gh_fapi_reply(f, j, err) : -1;
}

static const char *
path_id(const struct gh_fapi *f)
{
    return f->req->nparams > 0 ? f->req->params[0] : "";
}

/* POST /v1/client/sign_ups */
int
gh_fapi_sign_up_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_fapi           f;
    struct gh_sign_up_params p;
    struct gh_sign_up       *su = NULL;
    char                    *md = NULL;
    int                      rc = -1;

    if (gh_fapi_begin(req, resp, &f, err) == -1 || rate_limit(&f, "sign_up.create", err) == -1 ||
        read_params(&f, &p, &md, err) == -1 || gh_fapi_client_ensure(&f, err) == -1 ||
        gh_sign_up_create(req->app, f.instance_id, f.client, &p, &su, err) == -1)
        goto done;
    rc = reply_sign_up(&f, su, err);
done:
    free(md);
    gh_sign_up_free(su);
    gh_fapi_end(&f);
    return rc;
}

/* PATCH /v1/client/sign_ups/:id */
int
gh_fapi_sign_up_update(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_fapi           f;
    struct gh_sign_up_params p;
    struct gh_sign_up       *su = NULL;
    char                    *md = NULL;
    int                      rc = -1;

    if (gh_fapi_begin(req, resp, &f, err) == -1 || read_params(&f, &p, &md, err) == -1)
        goto done;
    if (f.client == NULL) {
        GH_FAIL(err, GH_E_NOT_FOUND, "Sign up not found");
        goto done;
    }
    if (gh_sign_up_update(req->app, f.instance_id, f.client, path_id(&f), &p, &su, err) == -1)
        goto done;
    rc = reply_sign_up(&f, su, err);
done:
    free(md);
    gh_sign_up_free(su);
    gh_fapi_end(&f);
    return rc;
}

/* GET /v1/client/sign_ups/:id */
int
gh_fapi_sign_up_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_fapi     f;
    struct gh_sign_up *su = NULL;
    int                rc = -1;

    if (gh_fapi_begin(req, resp, &f, err) == -1)
        goto done;
    if (f.client == NULL) {
        GH_FAIL(err, GH_E_NOT_FOUND, "Sign up not found");
        goto done;
    }
    if (gh_sign_up_get(req->app, f.instance_id, f.client, path_id(&f), &su, err) == -1)
        goto done;
    rc = reply_sign_up(&f, su, err);
done:
    gh_sign_up_free(su);
    gh_fapi_end(&f);
    return rc;
}

/* prepare_verification (strategy) and attempt_verification (strategy, code). */
static int
verification(struct gh_req *req, struct gh_resp *resp, int attempt, struct gh_err *err)
{
    struct gh_fapi     f;
    struct gh_sign_up *su = NULL;
    const char        *strategy;
    int                rc = -1;

    if (gh_fapi_begin(req, resp, &f, err) == -1 ||
        rate_limit(&f, attempt ? "sign_up.attempt" : "sign_up.prepare", err) == -1)
        goto done;
    if (f.client == NULL) {
        GH_FAIL(err, GH_E_NOT_FOUND, "Sign up not found");
        goto done;
    }
    strategy = gh_fapi_str(&f, "strategy");
    if ((attempt ? gh_sign_up_attempt(req->app, f.instance_id, f.client, path_id(&f), strategy,
                       gh_fapi_str(&f, "code"), &su, err)
                 : gh_sign_up_prepare(req->app, f.instance_id, f.client, path_id(&f), strategy,
                       &su, err)) == -1)
        goto done;
    rc = reply_sign_up(&f, su, err);
done:
    gh_sign_up_free(su);
    gh_fapi_end(&f);
    return rc;
}

int
gh_fapi_sign_up_prepare(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return verification(req, resp, 0, err);
}

int
gh_fapi_sign_up_attempt(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return verification(req, resp, 1, err);
}
