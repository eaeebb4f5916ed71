/* me_sessions.c: the signed-in user's devices (spec FAPI §3.8; issue 4):
 * every active session of the user on any client, with the browser it was
 * last used from, and revoking one of them (session.revoked; its browser's
 * next token request is refused). */
#include <string.h>

#include "api/frontend/fapi.h"
#include "api/frontend/frontend.h"
#include "api/frontend/me.h"
#include "api/frontend/render.h"
#include "core/account.h"

/* GET /v1/me/sessions/active: a bare array (clerk-js maps payload itself). */
int
gh_fapi_me_sessions_active(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me        m;
    struct gh_session **v = NULL;
    size_t              n = 0;
    json_t             *a = NULL;
    int                 rc = -1;

    if (gh_me_begin(req, resp, &m, err) == -1 ||
        gh_account_sessions(req->app, m.f.instance_id, m.u->id, &v, &n, err) == -1)
        goto done;
    if ((a = json_array()) == NULL)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        /* The calling session was just noted; the list's copy predates it. */
        struct gh_session *s = strcmp(v[i]->id, m.s->id) == 0 ? m.s : v[i];

        if (json_array_append_new(a, gh_fapi_render_session_activity(s)) == -1)
            goto nomem;
    }
    rc = gh_fapi_reply_bare(&m.f, a, err);
    a = NULL;
    goto done;
nomem:
    GH_FAIL(err, GH_E_NOMEM, NULL);
done:
    json_decref(a);
    gh_sessions_free(v, n);
    gh_me_end(&m);
    return rc;
}

/* POST /v1/me/sessions/:id/revoke: SessionWithActivities + client. */
int
gh_fapi_me_session_revoke(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me       m;
    struct gh_session *s = NULL;
    json_t            *j;
    int                rc = -1;

    if (gh_me_begin(req, resp, &m, err) == -1 ||
        gh_account_revoke_session(req->app, m.f.instance_id, m.u->id,
            req->nparams > 0 ? req->params[0] : "", &s, err) == -1)
        goto done;
    if ((j = gh_fapi_render_session_activity(s)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    rc = gh_fapi_reply(&m.f, j, err);
done:
    gh_session_free(s);
    gh_me_end(&m);
    return rc;
}
