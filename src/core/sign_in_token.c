/* sign_in_token.c: see sign_in_token.h. The row and its ticket are written
 * in one transaction, so a token never exists without its ticket. */
#include "core/sign_in_token.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/id.h"
#include "core/ticket.h"
#include "core/user.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/conf.h"
#include "util/str.h"

/* "<frontend_url>/sign-in"; malloc'd. */
static char *
sign_in_base(const struct gh_app *app)
{
    const char   *base = app->conf != NULL ? app->conf->frontend_url : NULL;
    struct gh_buf b;
    size_t        n;

    if (base == NULL && app->instance != NULL)
        base = app->instance->frontend_url;
    if (base == NULL)
        base = "";
    n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    gh_buf_init(&b, GH_TICKET_URL_MAX / 2);
    gh_buf_addn(&b, base, n);
    gh_buf_add(&b, "/sign-in");
    return gh_buf_take(&b);
}

/* Row + ticket in one transaction; *raw the ticket. */
static int
store_token(struct gh_app *app, const char *instance_id, const struct gh_sign_in_token *t,
    char **raw, struct gh_err *err)
{
    if (gh_store_begin(app->store, err) == -1)
        return -1;
    if (gh_store_sign_in_token_insert(app->store, instance_id, t, err) == -1 ||
        gh_ticket_issue(app, instance_id, GH_TICKET_SIGN_IN, t->id, t->expires_at, raw, err) ==
            -1 ||
        gh_store_commit(app->store, err) == -1) {
        gh_store_rollback(app->store);
        gh_secret_free(*raw);
        *raw = NULL;
        return -1;
    }
    return 0;
}

int
gh_sign_in_token_create(struct gh_app *app, const char *instance_id, const char *user_id,
    int64_t expires_in_seconds, struct gh_sign_in_token *out, char **token, char **url,
    struct gh_err *err)
{
    struct gh_sign_in_token t = { 0 };
    struct gh_user         *u = NULL;
    char                   *raw = NULL, *base = NULL;
    int64_t                 now = gh_now_ms();
    int64_t ttl = expires_in_seconds != 0 ? expires_in_seconds : GH_SIGN_IN_TOKEN_TTL_DEFAULT;
    int     rc = -1;

    *token = NULL;
    *url = NULL;
    if (user_id == NULL || *user_id == '\0')
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "user_id", NULL);
    if (ttl < 1 || ttl > GH_SIGN_IN_TOKEN_TTL_MAX)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "expires_in_seconds",
            "must be between 1 and 315360000");
    if (gh_user_get(app, instance_id, user_id, &u, err) == -1) {
        if (err->code == GH_E_NOT_FOUND)
            gh_strlcpy(err->param, "user_id", sizeof(err->param));
        return -1;
    }
    gh_id_new("sit", t.id);
    gh_strlcpy(t.user_id, u->id, sizeof(t.user_id));
    gh_strlcpy(t.status, "pending", sizeof(t.status));
    t.expires_at = now + ttl * 1000;
    t.created_at = t.updated_at = now;
    if ((base = sign_in_base(app)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    if (store_token(app, instance_id, &t, &raw, err) == -1 ||
        gh_ticket_url(base, raw, url, err) == -1)
        goto done;
    *out = t;
    *token = raw;
    raw = NULL;
    rc = 0;
done:
    gh_secret_free(raw);
    free(base);
    gh_user_free(u);
    return rc;
}

int
gh_sign_in_token_revoke(struct gh_app *app, const char *instance_id, const char *id,
    struct gh_sign_in_token *out, struct gh_err *err)
{
    int changed = 0, ok = 0;

    if (!gh_id_valid("sit", id))
        return GH_FAIL(err, GH_E_NOT_FOUND, "Sign-in token not found");
    if (gh_store_sign_in_token_get(app->store, instance_id, id, out, err) == -1)
        return -1;
    if (strcmp(out->status, "pending") != 0)
        return GH_FAIL(err, GH_E_SIGN_IN_TOKEN_NOT_PENDING, NULL);
    if (gh_store_begin(app->store, err) == -1)
        return -1;
    if (gh_store_sign_in_token_set_status(app->store, instance_id, id, "pending", "revoked",
            gh_now_ms(), &changed, err) == 0) {
        if (!changed)
            GH_FAIL(err, GH_E_SIGN_IN_TOKEN_NOT_PENDING, NULL);
        else if (gh_ticket_revoke_target(app, instance_id, id, err) == 0 &&
                 gh_store_commit(app->store, err) == 0)
            ok = 1;
    }
    if (!ok) {
        gh_store_rollback(app->store);
        return -1;
    }
    return gh_store_sign_in_token_get(app->store, instance_id, id, out, err);
}
