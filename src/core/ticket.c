/* ticket.c: see ticket.h. Raw tickets live only in memory long enough to be
 * hashed and shown once; errors and logs name the ticket's row id, never its
 * value. */
#include "core/ticket.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/id.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/str.h"

const char *
gh_ticket_kind_name(enum gh_ticket_kind kind)
{
    switch (kind) {
    case GH_TICKET_INVITATION:
        return "invitation";
    case GH_TICKET_ORG_INVITATION:
        return "org_invitation";
    case GH_TICKET_SIGN_IN:
        return "sign_in";
    }
    return NULL;
}

/* SHA-256 hex of a well-formed raw ticket; -1 (TICKET_INVALID) for anything
 * that cannot be one, before touching the database. */
static int
ticket_hash(const char *raw, char hex[65], struct gh_err *err)
{
    size_t n = raw != NULL ? strlen(raw) : 0;

    if (n != 43)
        return GH_FAIL(err, GH_E_TICKET_INVALID, NULL);
    for (size_t i = 0; i < n; i++) {
        char c = raw[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_'))
            return GH_FAIL(err, GH_E_TICKET_INVALID, NULL);
    }
    gh_sha256_hex(raw, n, hex);
    return 0;
}

int
gh_ticket_issue(struct gh_app *app, const char *instance_id, enum gh_ticket_kind kind,
    const char *target_id, int64_t expires_at, char **raw_out, struct gh_err *err)
{
    unsigned char    bytes[GH_TICKET_BYTES];
    struct gh_ticket t = { 0 };
    char            *raw;

    *raw_out = NULL;
    if (gh_ticket_kind_name(kind) == NULL)
        return GH_FAIL(err, GH_E_INTERNAL, "unknown ticket kind");
    gh_rand_bytes(bytes, sizeof(bytes));
    raw = gh_b64url_encode(bytes, sizeof(bytes));
    gh_memzero(bytes, sizeof(bytes));
    if (raw == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_id_new("tkt", t.id);
    gh_strlcpy(t.kind, gh_ticket_kind_name(kind), sizeof(t.kind));
    gh_strlcpy(t.target_id, target_id, sizeof(t.target_id));
    gh_sha256_hex(raw, strlen(raw), t.token_hash);
    t.expires_at = expires_at;
    t.used_at = GH_TIME_NULL;
    t.revoked_at = GH_TIME_NULL;
    t.created_at = gh_now_ms();
    if (gh_store_ticket_insert(app->store, instance_id, &t, err) == -1) {
        gh_secret_free(raw);
        return -1;
    }
    *raw_out = raw;
    return 0;
}

/* Why a ticket cannot be used (or 0 and its target when it can). */
static int
ticket_state(struct gh_app *app, const char *instance_id, const char *kind, const char *hash,
    int64_t now, char target[GH_ID_MAX], struct gh_err *err)
{
    struct gh_ticket t;
    int              found = 0;

    if (gh_store_ticket_find(app->store, instance_id, kind, hash, &t, &found, err) == -1)
        return -1;
    if (!found)
        return GH_FAIL(err, GH_E_TICKET_INVALID, NULL);
    if (t.revoked_at != GH_TIME_NULL)
        GH_FAIL(err, GH_E_TICKET_REVOKED, NULL);
    else if (t.used_at != GH_TIME_NULL)
        GH_FAIL(err, GH_E_TICKET_USED, NULL);
    else if (t.expires_at <= now)
        GH_FAIL(err, GH_E_TICKET_EXPIRED, NULL);
    else {
        gh_strlcpy(target, t.target_id, GH_ID_MAX);
        return 0;
    }
    gh_err_note(err, "ticket %s", t.id);
    return -1;
}

int
gh_ticket_check(struct gh_app *app, const char *instance_id, enum gh_ticket_kind kind,
    const char *raw, char target[GH_ID_MAX], struct gh_err *err)
{
    char hash[65];

    target[0] = '\0';
    if (gh_ticket_kind_name(kind) == NULL || ticket_hash(raw, hash, err) == -1)
        return GH_FAIL(err, GH_E_TICKET_INVALID, NULL);
    return ticket_state(app, instance_id, gh_ticket_kind_name(kind), hash, gh_now_ms(), target,
        err);
}

/* The target of a ticket known to exist. */
static int
ticket_target(struct gh_app *app, const char *instance_id, const char *kind, const char *hash,
    char target[GH_ID_MAX], struct gh_err *err)
{
    struct gh_ticket t;
    int              found = 0;

    if (gh_store_ticket_find(app->store, instance_id, kind, hash, &t, &found, err) == -1)
        return -1;
    if (!found)
        return GH_FAIL(err, GH_E_TICKET_INVALID, NULL);
    gh_strlcpy(target, t.target_id, GH_ID_MAX);
    return 0;
}

/* pending → accepted on the ticket's target. */
static int
accept_target(struct gh_app *app, const char *instance_id, enum gh_ticket_kind kind,
    const char *target, int64_t now, struct gh_err *err)
{
    int changed = 0, rc;

    if (kind == GH_TICKET_SIGN_IN)
        rc = gh_store_sign_in_token_set_status(app->store, instance_id, target, "pending",
            "accepted", now, &changed, err);
    else
        rc = gh_store_invitation_set_status(app->store, instance_id, target, "pending",
            "accepted", now, &changed, err);
    if (rc == -1)
        return -1;
    /* The target left "pending" without revoking the ticket: refuse. */
    return changed ? 0 : GH_FAIL(err, GH_E_TICKET_REVOKED, NULL);
}

int
gh_ticket_redeem(struct gh_app *app, const char *instance_id, enum gh_ticket_kind kind,
    const char *raw, char target[GH_ID_MAX], struct gh_err *err)
{
    const char *kn = gh_ticket_kind_name(kind);
    char        hash[65];
    int64_t     now = gh_now_ms();
    int         changed = 0, ok = 0;

    target[0] = '\0';
    if (kn == NULL || ticket_hash(raw, hash, err) == -1)
        return GH_FAIL(err, GH_E_TICKET_INVALID, NULL);
    if (gh_store_begin(app->store, err) == -1)
        return -1;
    if (gh_store_ticket_use(app->store, instance_id, kn, hash, now, &changed, err) == -1)
        goto done;
    /* Not consumed: find out why (the state cannot go back to usable). */
    if (!changed) {
        if (ticket_state(app, instance_id, kn, hash, now, target, err) == 0)
            GH_FAIL(err, GH_E_TICKET_USED, NULL); /* lost a race that just ended */
        goto done;
    }
    if (ticket_target(app, instance_id, kn, hash, target, err) == -1 ||
        accept_target(app, instance_id, kind, target, now, err) == -1)
        goto done;
    ok = 1;
done:
    if (ok && gh_store_commit(app->store, err) == 0)
        return 0;
    gh_store_rollback(app->store);
    target[0] = '\0';
    return -1;
}

int
gh_ticket_digest(const char *raw, char hex[65], struct gh_err *err)
{
    hex[0] = '\0';
    return ticket_hash(raw, hex, err);
}

int
gh_ticket_redeem_hash(struct gh_app *app, const char *instance_id, enum gh_ticket_kind kind,
    const char *hash, char target[GH_ID_MAX], struct gh_err *err)
{
    const char *kn = gh_ticket_kind_name(kind);
    int64_t     now = gh_now_ms();
    int         changed = 0;

    target[0] = '\0';
    if (!gh_store_in_tx(app->store))
        return GH_FAIL(err, GH_E_INTERNAL, "ticket redeem outside a transaction");
    if (kn == NULL || hash == NULL || strlen(hash) != 64 ||
        strspn(hash, "0123456789abcdef") != 64)
        return GH_FAIL(err, GH_E_TICKET_INVALID, NULL);
    if (gh_store_ticket_use(app->store, instance_id, kn, hash, now, &changed, err) == -1)
        return -1;
    if (!changed) { /* why: revoked, used, expired or unknown */
        if (ticket_state(app, instance_id, kn, hash, now, target, err) == 0)
            GH_FAIL(err, GH_E_TICKET_USED, NULL);
        target[0] = '\0';
        return -1;
    }
    if (ticket_target(app, instance_id, kn, hash, target, err) == -1 ||
        accept_target(app, instance_id, kind, target, now, err) == -1) {
        target[0] = '\0';
        return -1;
    }
    return 0;
}

int
gh_ticket_revoke_target(struct gh_app *app, const char *instance_id, const char *target_id,
    struct gh_err *err)
{
    return gh_store_ticket_revoke_target(app->store, instance_id, target_id, gh_now_ms(), err);
}

int
gh_ticket_url(const char *base, const char *raw, char **out, struct gh_err *err)
{
    struct gh_buf b;

    *out = NULL;
    gh_buf_init(&b, GH_TICKET_URL_MAX);
    gh_buf_add(&b, base);
    gh_buf_add(&b, strchr(base, '?') != NULL ? "&" : "?");
    gh_buf_add(&b, "__clerk_ticket=");
    gh_buf_add(&b, raw); /* base64url: nothing to escape */
    if (gh_buf_failed(&b)) {
        gh_buf_clear(&b);
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "redirect_url", "is too long");
    }
    *out = gh_buf_take(&b);
    return 0;
}

int
gh_ticket_redirect_valid(const char *url)
{
    size_t      n = url != NULL ? strlen(url) : 0;
    const char *host;

    if (n == 0 || n > GH_TICKET_URL_MAX / 2)
        return 0;
    if (strncmp(url, "https://", 8) == 0)
        host = url + 8;
    else if (strncmp(url, "http://", 7) == 0)
        host = url + 7;
    else
        return 0;
    if (*host == '\0' || *host == '/' || *host == '?' || *host == '#')
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f || url[i] == '\\')
            return 0; /* no spaces, controls, backslashes some parsers treat as '/', nor raw
                         non-ASCII (issue 6, fuzzing: "app\u3002test" is "app.test" to a
                         browser; IDNs travel as punycode, the rest percent-encoded) */
    if (memchr(host, '@', strcspn(host, "/?#")) != NULL)
        return 0; /* issue 6 (catalogue BI-14): no userinfo, "https://app.test@evil.test/" */
    return 1;
}
