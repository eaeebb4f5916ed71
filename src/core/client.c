/* client.c: see client.h. */
#include "core/client.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/id.h"
#include "core/session.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/log.h"
#include "util/str.h"

int
gh_client_find(struct gh_app *app, const char *instance_id, const char *token,
    struct gh_client **out, struct gh_err *err)
{
    char hash[65];

    *out = NULL;
    if (token == NULL || token[0] == '\0' || strlen(token) > GH_CLIENT_TOKEN_MAX)
        return 0;
    gh_sha256_hex(token, strlen(token), hash);
    return gh_store_client_find_by_token(app->store, instance_id, hash, out, err);
}

int
gh_client_create(struct gh_app *app, const char *instance_id, struct gh_client **out,
    char **token_out, struct gh_err *err)
{
    unsigned char     raw[GH_CLIENT_TOKEN_BYTES];
    struct gh_client *c = calloc(1, sizeof(*c));
    char             *tok = NULL;

    *out = NULL;
    *token_out = NULL;
    gh_rand_bytes(raw, sizeof(raw));
    tok = gh_b64url_encode(raw, sizeof(raw));
    gh_memzero(raw, sizeof(raw));
    if (c == NULL || tok == NULL) {
        free(c);
        gh_secret_free(tok);
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    gh_id_new("client", c->id);
    gh_sha256_hex(tok, strlen(tok), c->token_hash);
    c->created_at = c->updated_at = gh_now_ms();
    if (gh_store_client_insert(app->store, instance_id, c, err) == -1) {
        free(c);
        gh_secret_free(tok);
        return -1;
    }
    gh_log_info("client created client_id=%s", c->id);
    *out = c;
    *token_out = tok;
    return 0;
}

int
gh_client_save(struct gh_app *app, const char *instance_id, struct gh_client *c,
    struct gh_err *err)
{
    c->updated_at = gh_now_ms();
    return gh_store_client_update(app->store, instance_id, c, err);
}

int
gh_client_sessions(struct gh_app *app, const char *instance_id, const char *client_id,
    struct gh_session ***out, size_t *n, struct gh_err *err)
{
    struct gh_session_filter f = { 0 };

    f.client_id = client_id;
    f.status = "active";
    f.limit = 100; /* more signed-in accounts than this on one browser is not a real case */
    return gh_session_list(app, instance_id, &f, out, n, err);
}

int
gh_client_session(struct gh_app *app, const char *instance_id, const struct gh_client *c,
    const char *session_id, struct gh_session **out, struct gh_err *err)
{
    struct gh_session *s = NULL;

    *out = NULL;
    if (c == NULL)
        return GH_FAIL(err, GH_E_SIGNED_OUT, NULL);
    if (gh_session_get(app, instance_id, session_id, &s, err) == -1)
        return -1;
    if (strcmp(s->client_id, c->id) != 0) { /* another browser's session: not found */
        gh_session_free(s);
        return GH_FAIL(err, GH_E_NOT_FOUND, "Session not found");
    }
    if (strcmp(s->status, "active") != 0) {
        gh_session_free(s);
        return GH_FAIL(err, GH_E_SIGNED_OUT, NULL);
    }
    *out = s;
    return 0;
}

void
gh_client_pick_session(struct gh_client *c, struct gh_session *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i]->id, c->last_active_session_id) == 0)
            return;
    if (n > 0)
        gh_strlcpy(c->last_active_session_id, v[0]->id, sizeof(c->last_active_session_id));
    else
        c->last_active_session_id[0] = '\0';
}

int
gh_client_sign_out(struct gh_app *app, const char *instance_id, struct gh_client *c,
    struct gh_err *err)
{
    struct gh_session **v = NULL;
    size_t              n = 0;
    int                 rc = -1;

    if (gh_client_sessions(app, instance_id, c->id, &v, &n, err) == -1)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (gh_session_finish(app, instance_id, v[i]->id, "ended", err) == -1)
            goto done;
    c->last_active_session_id[0] = '\0';
    rc = gh_client_save(app, instance_id, c, err);
done:
    gh_sessions_free(v, n);
    return rc;
}

int
gh_client_destroy(struct gh_app *app, const char *instance_id, struct gh_client *c,
    struct gh_err *err)
{
    if (gh_client_sign_out(app, instance_id, c, err) == -1)
        return -1;
    return gh_store_client_delete(app->store, instance_id, c->id, err);
}
