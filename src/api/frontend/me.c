/* me.c: the signed-in user's profile routes (spec FAPI §3.8, issue 4): read
 * and edit the user, merge unsafe metadata, change or remove the password,
 * delete the account; profile images are refused (no uploads). Rules are
 * core/account.c's; this file reads the form and renders. Shared plumbing
 * for every /v1/me file is here too (me.h). */
#include <stdlib.h>
#include <string.h>

#include "api/frontend/fapi.h"
#include "api/frontend/frontend.h"
#include "api/frontend/me.h"
#include "api/frontend/render.h"
#include "core/account.h"
#include "core/user.h"
#include "store/records.h"

/* ---- shared (me.h) ---- */

int
gh_me_begin(struct gh_req *req, struct gh_resp *resp, struct gh_me *m, struct gh_err *err)
{
    memset(m, 0, sizeof(*m));
    if (gh_fapi_begin(req, resp, &m->f, err) == -1)
        return -1;
    return gh_fapi_session_user(&m->f, &m->s, &m->u, err);
}

void
gh_me_end(struct gh_me *m)
{
    gh_user_free(m->u);
    gh_session_free(m->s);
    m->u = NULL;
    m->s = NULL;
    gh_fapi_end(&m->f);
}

int
gh_me_reply_user(struct gh_me *m, const struct gh_user *u, struct gh_err *err)
{
    json_t *j = gh_fapi_render_user(&m->f, u, err);

    return j != NULL ? gh_fapi_reply(&m->f, j, err) : -1;
}

int
gh_me_reply_deleted(struct gh_me *m, const char *object, const char *id, struct gh_err *err)
{
    json_t *j = json_pack("{s:s,s:s,s:b}", "object", object, "id", id, "deleted", 1);

    if (j == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    return gh_fapi_reply(&m->f, j, err);
}

/* ---- profile ---- */

/* GET /v1/me: the user, with the client (reload() applies it). */
int
gh_fapi_me_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me m;
    int          rc = -1;

    if (gh_me_begin(req, resp, &m, err) == 0)
        rc = gh_me_reply_user(&m, m.u, err);
    gh_me_end(&m);
    return rc;
}

/* A name-like field: sent → flag it; "" (clerk-js's null) clears it. */
static void
patch_str(const struct gh_fapi *f, const char *key, unsigned flag, const char **slot,
    struct gh_user_patch *p)
{
    int         present;
    const char *v = gh_fapi_str_raw(f, key, &present);

    if (!present)
        return;
    p->fields |= flag;
    *slot = v != NULL && v[0] != '\0' ? v : NULL;
}

/* PATCH /v1/me: first_name, last_name, username, primary_email_address_id,
 * unsafe_metadata (replaces); anything else is ignored, as the spec asks. */
int
gh_fapi_me_update(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me         m;
    struct gh_user_patch p;
    struct gh_user      *after = NULL;
    json_t              *md = NULL;
    char                *md_text = NULL;
    const char          *primary;
    int                  rc = -1;

    memset(&p, 0, sizeof(p));
    if (gh_me_begin(req, resp, &m, err) == -1)
        goto done;
    patch_str(&m.f, "first_name", GH_USER_F_FIRST_NAME, &p.first_name, &p);
    patch_str(&m.f, "last_name", GH_USER_F_LAST_NAME, &p.last_name, &p);
    patch_str(&m.f, "username", GH_USER_F_USERNAME, &p.username, &p);
    if ((primary = gh_fapi_str(&m.f, "primary_email_address_id")) != NULL) {
        p.fields |= GH_USER_F_PRIMARY_EMAIL;
        p.primary_email_address_id = primary;
    }
    if (gh_fapi_obj(&m.f, "unsafe_metadata", &md, err) == -1)
        goto done;
    if (md != NULL) {
        if ((md_text = json_dumps(md, JSON_COMPACT)) == NULL) {
            GH_FAIL(err, GH_E_NOMEM, NULL);
            goto done;
        }
        p.fields |= GH_USER_F_UNSAFE_MD;
        p.unsafe_metadata = md_text;
    }
    if (gh_account_update(req->app, m.f.instance_id, m.u->id, &p, &after, err) == -1)
        goto done;
    rc = gh_me_reply_user(&m, after, err);
done:
    free(md_text);
    json_decref(md);
    gh_user_free(after);
    gh_me_end(&m);
    return rc;
}

/* PATCH /v1/me/metadata: unsafe_metadata as a JSON merge patch (null deletes). */
int
gh_fapi_me_metadata(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me    m;
    struct gh_user *after = NULL;
    json_t         *md = NULL;
    char           *md_text = NULL;
    int             rc = -1;

    if (gh_me_begin(req, resp, &m, err) == -1 || gh_fapi_obj(&m.f, "unsafe_metadata", &md, err) == -1)
        goto done;
    if (md != NULL && (md_text = json_dumps(md, JSON_COMPACT)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    if (gh_user_metadata(req->app, m.f.instance_id, m.u->id, NULL, NULL, md_text, 1, &after,
            err) == -1)
        goto done;
    rc = gh_me_reply_user(&m, after, err);
done:
    free(md_text);
    json_decref(md);
    gh_user_free(after);
    gh_me_end(&m);
    return rc;
}

/* ---- password ---- */

static size_t
len_of(const char *s)
{
    return s != NULL ? strlen(s) : 0;
}

/* POST /v1/me/change_password: new_password, current_password,
 * sign_out_of_other_sessions ("true" revokes every other session). */
int
gh_fapi_me_change_password(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me    m;
    struct gh_user *after = NULL;
    const char     *pw, *cur;
    int             others = 0, rc = -1;

    if (gh_me_begin(req, resp, &m, err) == -1 || gh_fapi_need(&m.f, "new_password", &pw, err) == -1 ||
        gh_fapi_bool(&m.f, "sign_out_of_other_sessions", 0, &others, err) == -1)
        goto done;
    cur = gh_fapi_str(&m.f, "current_password");
    if (gh_account_change_password(req->app, m.f.instance_id, m.u->id, cur, len_of(cur), pw,
            strlen(pw), others, m.s->id, &after, err) == -1)
        goto done;
    rc = gh_me_reply_user(&m, after, err);
done:
    gh_user_free(after);
    gh_me_end(&m);
    return rc;
}

/* POST /v1/me/remove_password: current_password. */
int
gh_fapi_me_remove_password(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me    m;
    struct gh_user *after = NULL;
    const char     *cur;
    int             rc = -1;

    if (gh_me_begin(req, resp, &m, err) == -1)
        goto done;
    cur = gh_fapi_str(&m.f, "current_password");
    if (gh_account_remove_password(req->app, m.f.instance_id, m.u->id, cur, len_of(cur), &after,
            err) == -1)
        goto done;
    rc = gh_me_reply_user(&m, after, err);
done:
    gh_user_free(after);
    gh_me_end(&m);
    return rc;
}

/* ---- account ---- */

/* DELETE /v1/me: the deleted user, with the client (now without its sessions). */
int
gh_fapi_me_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_me m;
    char         id[GH_ID_MAX];
    int          rc = -1;

    if (gh_me_begin(req, resp, &m, err) == -1)
        goto done;
    memcpy(id, m.u->id, sizeof(id));
    if (gh_account_delete(req->app, m.f.instance_id, id, err) == -1)
        goto done;
    rc = gh_me_reply_deleted(&m, "user", id, err);
done:
    gh_me_end(&m);
    return rc;
}

/* POST / DELETE /v1/me/profile_image: Gatehouse stores no images (every
 * user shows the generated default avatar), so uploads are refused with a
 * Clerk error the UI shows on the card. The body (multipart) is not read. */
int
gh_fapi_me_profile_image(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    (void)req;
    (void)resp;
    return GH_FAIL(err, GH_E_FEATURE_NOT_ENABLED,
        "Profile images are not supported by this server.");
}
