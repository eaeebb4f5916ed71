/* me_mfa.c: authenticator-app enrolment and backup codes for the signed-in
 * user (spec FAPI §3.5, §4.10; issue 4). Rules are core/mfa_enrol.c's. The
 * secret, its URI and backup codes appear only in the one answer that hands
 * them out (the copies held here are wiped once rendered); nothing logs them. */
#include "api/frontend/fapi.h"
#include "api/frontend/frontend.h"
#include "api/frontend/me.h"
#include "api/frontend/render.h"
#include "core/mfa.h"
#include "crypto/crypto.h"

static int
reply(struct gh_me *m, json_t *j, struct gh_err *err)
{
    if (j == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    return gh_fapi_reply(&m->f, j, err);
}

/* POST /v1/me/totp: TOTP {secret, uri, verified:false}. */
int
gh_fapi_me_totp_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me    m;
    struct gh_totp *t = NULL;
    char           *secret = NULL, *uri = NULL;
    int             rc = -1;

    if (gh_me_begin(req, resp, &m, err) == -1 ||
        gh_mfa_totp_enrol(req->app, m.f.instance_id, m.u->id, &t, &secret, &uri, err) == -1)
        goto done;
    rc = reply(&m, gh_fapi_render_totp(t, secret, uri, NULL, 0), err);
done:
    gh_secret_free(secret);
    gh_secret_free(uri);
    gh_totp_free(t);
    gh_me_end(&m);
    return rc;
}

/* POST /v1/me/totp/attempt_verification (code): TOTP {verified:true, backup_codes}. */
int
gh_fapi_me_totp_attempt(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me    m;
    struct gh_totp *t = NULL;
    char          **codes = NULL;
    size_t          n = 0;
    const char     *code;
    int             rc = -1;

    if (gh_me_begin(req, resp, &m, err) == -1 || gh_fapi_need(&m.f, "code", &code, err) == -1 ||
        gh_mfa_totp_confirm(req->app, m.f.instance_id, m.u->id, code, &t, &codes, &n, err) == -1)
        goto done;
    rc = reply(&m, gh_fapi_render_totp(t, NULL, NULL, codes, n), err);
done:
    gh_mfa_codes_free(codes, n);
    gh_totp_free(t);
    gh_me_end(&m);
    return rc;
}

/* DELETE /v1/me/totp: DeletedObject. */
int
gh_fapi_me_totp_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me m;
    char         id[GH_ID_MAX];
    int          rc = -1;

    if (gh_me_begin(req, resp, &m, err) == -1 ||
        gh_mfa_totp_remove(req->app, m.f.instance_id, m.u->id, id, err) == -1)
        goto done;
    rc = gh_me_reply_deleted(&m, "totp", id, err);
done:
    gh_me_end(&m);
    return rc;
}

/* POST /v1/me/backup_codes: BackupCode {codes} (the old codes stop working). */
int
gh_fapi_me_backup_codes(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me m;
    char       **codes = NULL;
    size_t       n = 0;
    int          rc = -1;

    if (gh_me_begin(req, resp, &m, err) == -1 ||
        gh_mfa_backup_codes_renew(req->app, m.f.instance_id, m.u->id, &codes, &n, err) == -1)
        goto done;
    rc = reply(&m, gh_fapi_render_backup_codes(m.u->id, codes, n), err);
done:
    gh_mfa_codes_free(codes, n);
    gh_me_end(&m);
    return rc;
}
