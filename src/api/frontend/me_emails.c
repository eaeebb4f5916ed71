/* me_emails.c: the signed-in user's email addresses (spec FAPI §3.8, §4.8;
 * issue 4): add one (unverified), read it, send it a code, verify it with
 * the code, remove it. Making one primary is PATCH /v1/me. Every answer
 * carries the client, whose user shows the address's new state. */
#include <string.h>

#include "api/frontend/fapi.h"
#include "api/frontend/frontend.h"
#include "api/frontend/me.h"
#include "api/frontend/render.h"
#include "core/account.h"
#include "core/ident.h"

static const char *
path_id(const struct gh_req *req)
{
    return req->nparams > 0 ? req->params[0] : "";
}

/* Reloads the address (after a change) and answers it with the client. */
static int
reply_email(struct gh_me *m, const char *ident_id, struct gh_err *err)
{
    struct gh_ident *i = NULL;
    json_t          *j = NULL;

    if (gh_account_email_get(m->f.req->app, m->f.instance_id, m->u->id, ident_id, &i, err) == 0)
        j = gh_fapi_render_email_address(&m->f, i, err);
    gh_ident_free(i);
    return j != NULL ? gh_fapi_reply(&m->f, j, err) : -1;
}

/* POST /v1/me/email_addresses (email_address). */
int
gh_fapi_me_email_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me     m;
    struct gh_ident *i = NULL;
    const char      *email;
    int              rc = -1;

    if (gh_me_begin(req, resp, &m, err) == -1 ||
        gh_fapi_need(&m.f, "email_address", &email, err) == -1 ||
        gh_account_email_add(req->app, m.f.instance_id, m.u->id, email, &i, err) == -1)
        goto done;
    rc = reply_email(&m, i->id, err);
done:
    gh_ident_free(i);
    gh_me_end(&m);
    return rc;
}

/* GET /v1/me/email_addresses/:id */
int
gh_fapi_me_email_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me m;
    int          rc = -1;

    if (gh_me_begin(req, resp, &m, err) == 0)
        rc = reply_email(&m, path_id(req), err);
    gh_me_end(&m);
    return rc;
}

/* POST /v1/me/email_addresses/:id/prepare_verification (strategy=email_code). */
int
gh_fapi_me_email_prepare(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me    m;
    struct gh_verif v;
    const char     *strategy;
    int             rc = -1;

    if (gh_me_begin(req, resp, &m, err) == -1 ||
        gh_fapi_need(&m.f, "strategy", &strategy, err) == -1 ||
        gh_account_email_prepare(req->app, m.f.instance_id, m.u->id, path_id(req), strategy, &v,
            err) == -1)
        goto done;
    rc = reply_email(&m, path_id(req), err);
done:
    gh_me_end(&m);
    return rc;
}

/* POST /v1/me/email_addresses/:id/attempt_verification (code). */
int
gh_fapi_me_email_attempt(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me    m;
    struct gh_verif v;
    const char     *code;
    int             rc = -1;

    if (gh_me_begin(req, resp, &m, err) == -1 || gh_fapi_need(&m.f, "code", &code, err) == -1 ||
        gh_account_email_attempt(req->app, m.f.instance_id, m.u->id, path_id(req), code, &v,
            err) == -1)
        goto done;
    rc = reply_email(&m, path_id(req), err);
done:
    gh_me_end(&m);
    return rc;
}

/* DELETE /v1/me/email_addresses/:id */
int
gh_fapi_me_email_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me m;
    int          rc = -1;

    if (gh_me_begin(req, resp, &m, err) == -1 ||
        gh_account_email_remove(req->app, m.f.instance_id, m.u->id, path_id(req), err) == -1)
        goto done;
    rc = gh_me_reply_deleted(&m, "email_address", path_id(req), err);
done:
    gh_me_end(&m);
    return rc;
}
