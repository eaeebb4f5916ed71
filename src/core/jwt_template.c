/* jwt_template.c: see jwt_template.h. Two halves: the template rules (CRUD)
 * and minting. A custom signing key enters once, is checked (an RSA key must
 * parse), sealed with the master key and never leaves again: the API renders
 * no key, logs name none. Parsed RSA signers of custom keys are cached per
 * template id + updated_at, so a key change (which bumps updated_at) is
 * picked up at once. */
#include "core/jwt_template.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/id.h"
#include "core/keys.h"
#include "core/org.h"
#include "core/session.h"
#include "core/template.h"
#include "core/token.h"
#include "core/user.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/str.h"

#define ISS_MAX    512
#define JTI_LEN    20
#define SIGNER_MAX 32 /* cached custom RS256 signers */

/* ---- rules ---- */

static int
check_range(int64_t v, int64_t min, int64_t max, const char *param, struct gh_err *err)
{
    char msg[96];

    if (v >= min && v <= max)
        return 0;
    snprintf(msg, sizeof(msg), "must be between %lld and %lld", (long long)min, (long long)max);
    return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, param, msg);
}

/* Checks a custom key for alg and seals it into t. */
static int
seal_key(struct gh_app *app, struct gh_jwt_template *t, const char *key, struct gh_err *err)
{
    struct gh_signer *s = NULL;
    size_t            len = strlen(key);

    if (len == 0 || len > GH_JWT_TEMPLATE_KEY_MAX)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "signing_key", "must be a non-empty key");
    if (strcmp(t->signing_algorithm, "RS256") == 0) {
        struct gh_err pe = { 0 };

        if (gh_signer_new(t->id, key, &s, &pe) == -1)
            return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "signing_key",
                "must be an RSA private key in PEM format for RS256");
        gh_signer_free(s);
    }
    free(t->signing_key_sealed);
    t->signing_key_sealed = NULL;
    t->signing_key_sealed_len = 0;
    return gh_master_seal(app->master, key, len, &t->signing_key_sealed,
        &t->signing_key_sealed_len, err);
}

/* The signing settings after p: custom keys need an algorithm we support
 * and a key; a changed algorithm needs a new key (an HS256 secret is no RSA
 * key). Turning custom keys off drops the stored key. */
static int
apply_signing(struct gh_app *app, struct gh_jwt_template *t,
    const struct gh_jwt_template_params *p, struct gh_err *err)
{
    const char *alg = p->signing_algorithm != NULL ? p->signing_algorithm : t->signing_algorithm;
    int         changed = strcmp(alg, t->signing_algorithm) != 0;

    if (p->has_custom)
        t->custom_signing_key = p->custom_signing_key;
    if (!t->custom_signing_key) {
        free(t->signing_key_sealed);
        t->signing_key_sealed = NULL;
        t->signing_key_sealed_len = 0;
        gh_strlcpy(t->signing_algorithm, "RS256", sizeof(t->signing_algorithm));
        return 0;
    }
    if (strcmp(alg, "RS256") != 0 && strcmp(alg, "HS256") != 0)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "signing_algorithm",
            "must be RS256 or HS256");
    gh_strlcpy(t->signing_algorithm, alg, sizeof(t->signing_algorithm));
    if (p->signing_key != NULL)
        return seal_key(app, t, p->signing_key, err);
    if (t->signing_key_sealed == NULL || changed)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "signing_key",
            "is required with custom_signing_key");
    return 0;
}

/* Applies p onto t (a fresh record with defaults, or the stored one). */
static int
apply(struct gh_app *app, struct gh_jwt_template *t, const struct gh_jwt_template_params *p,
    struct gh_err *err)
{
    char *canon = NULL;

    if (p->name != NULL) {
        if (*p->name == '\0' || strlen(p->name) > GH_JWT_TEMPLATE_NAME_MAX)
            return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "name",
                "must be between 1 and 256 characters");
        free(t->name);
        if ((t->name = gh_strdup(p->name)) == NULL)
            return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    if (p->claims != NULL) {
        if (gh_tpl_validate(p->claims, &canon, err) == -1)
            return -1;
        free(t->claims);
        t->claims = canon;
    }
    if (p->has_lifetime) {
        if (check_range(p->lifetime, GH_JWT_TEMPLATE_LIFETIME_MIN, GH_JWT_TEMPLATE_LIFETIME_MAX,
                "lifetime", err) == -1)
            return -1;
        t->lifetime = p->lifetime;
    }
    if (p->has_skew) {
        if (check_range(p->allowed_clock_skew, 0, GH_JWT_TEMPLATE_SKEW_MAX,
                "allowed_clock_skew", err) == -1)
            return -1;
        t->allowed_clock_skew = p->allowed_clock_skew;
    }
    return apply_signing(app, t, p, err);
}

int
gh_jwt_template_create(struct gh_app *app, const char *instance_id,
    const struct gh_jwt_template_params *p, struct gh_jwt_template **out, struct gh_err *err)
{
    struct gh_jwt_template *t = NULL;
    int                     rc = -1;

    *out = NULL;
    if (p->name == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "name", NULL);
    if (p->claims == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "claims", NULL);
    if ((t = gh_jwt_template_new()) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_id_new("jtmp", t->id);
    t->lifetime = GH_JWT_TEMPLATE_LIFETIME;
    t->allowed_clock_skew = GH_JWT_TEMPLATE_SKEW;
    gh_strlcpy(t->signing_algorithm, "RS256", sizeof(t->signing_algorithm));
    if (apply(app, t, p, err) == -1)
        goto done;
    t->created_at = t->updated_at = gh_now_ms();
    if (gh_store_jwt_template_insert(app->store, instance_id, t, err) == -1)
        goto done;
    *out = t;
    t = NULL;
    rc = 0;
done:
    gh_jwt_template_free(t);
    return rc;
}

int
gh_jwt_template_update(struct gh_app *app, const char *instance_id, const char *id,
    const struct gh_jwt_template_params *p, struct gh_jwt_template **out, struct gh_err *err)
{
    struct gh_jwt_template *t = NULL;
    int64_t                 now = gh_now_ms();
    int                     rc = -1;

    *out = NULL;
    if (gh_store_jwt_template_get(app->store, instance_id, id, &t, err) == -1 ||
        apply(app, t, p, err) == -1)
        goto done;
    /* updated_at keys the signer cache: it must move on every update. */
    t->updated_at = now > t->updated_at ? now : t->updated_at + 1;
    if (gh_store_jwt_template_update(app->store, instance_id, t, err) == -1)
        goto done;
    *out = t;
    t = NULL;
    rc = 0;
done:
    gh_jwt_template_free(t);
    return rc;
}

int
gh_jwt_template_get(struct gh_app *app, const char *instance_id, const char *id,
    struct gh_jwt_template **out, struct gh_err *err)
{
    return gh_store_jwt_template_get(app->store, instance_id, id, out, err);
}

int
gh_jwt_template_delete(struct gh_app *app, const char *instance_id, const char *id,
    struct gh_err *err)
{
    return gh_store_jwt_template_delete(app->store, instance_id, id, err);
}

int
gh_jwt_template_list(struct gh_app *app, const char *instance_id, int64_t limit,
    int64_t offset, struct gh_jwt_template ***out, size_t *n, struct gh_err *err)
{
    return gh_store_jwt_template_list(app->store, instance_id, limit, offset, out, n, err);
}

int
gh_jwt_template_count(struct gh_app *app, const char *instance_id, int64_t *out,
    struct gh_err *err)
{
    return gh_store_jwt_template_count(app->store, instance_id, out, err);
}

/* ---- the context shortcodes read ---- */

/* What tpl_org_context keeps alive for the context's borrowed strings. */
struct tpl_org_hold {
    struct gh_org            *org;
    struct gh_org_membership *member;
};

static void
tpl_org_hold_free(struct tpl_org_hold *h)
{
    if (h == NULL)
        return;
    gh_org_free(h->org);
    gh_org_membership_free(h->member);
    free(h);
}

/* The organization fields of ctx (id, name, slug, role "org:<key>", image_url,
 * public_metadata text) from the session's active organization and the
 * user's membership; the strings live in *hold (tpl_org_hold_free). */
static int
tpl_org_context(struct gh_app *app, const char *instance_id, const struct gh_session *s,
    struct gh_tpl_ctx *ctx, struct tpl_org_hold **hold, struct gh_err *err)
{
    struct tpl_org_hold *h;

    *hold = NULL;
    ctx->org_id = NULL;
    if (s->active_org_id == NULL)
        return 0;
    if ((h = calloc(1, sizeof(*h))) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    *hold = h;
    /* A user who left the organization gets no org claims, as in the session token. */
    if (gh_org_member_find(app, instance_id, s->active_org_id, s->user_id, &h->member, err) == -1)
        return -1;
    if (h->member == NULL)
        return 0;
    if (gh_org_get(app, instance_id, s->active_org_id, 0, &h->org, err) == -1)
        return -1;
    ctx->org_id = h->org->id;
    ctx->org_name = h->org->name;
    ctx->org_slug = h->org->slug;
    ctx->org_role = h->member->role;
    ctx->org_image_url = h->org->image_url;
    ctx->org_public_metadata = h->org->public_metadata;
    return 0;
}

/* "<frontend_url>/images/default-avatar.svg", as the user object renders it. */
static char *
avatar_url(const struct gh_app *app)
{
    const char   *base = app->conf != NULL ? app->conf->frontend_url : NULL;
    struct gh_buf b;
    char         *s;
    size_t        n;

    if (base == NULL && app->instance != NULL)
        base = app->instance->frontend_url;
    if (base == NULL)
        base = "";
    n = strlen(base);
    if (n > 0 && base[n - 1] == '/')
        n--;
    gh_buf_init(&b, 2048);
    gh_buf_addn(&b, base, n);
    gh_buf_add(&b, "/images/default-avatar.svg");
    s = gh_buf_failed(&b) ? NULL : gh_buf_take(&b);
    gh_buf_clear(&b);
    return s;
}

/* The user and session fields of ctx; strings borrowed from u and s. */
static void
user_context(const struct gh_user *u, const struct gh_session *s, const char *image_url,
    struct gh_tpl_ctx *ctx)
{
    const struct gh_ident *email = u->primary_email_id != NULL
        ? gh_user_ident_find(u, u->primary_email_id)
        : NULL;
    const struct gh_ident *phone = u->primary_phone_id != NULL
        ? gh_user_ident_find(u, u->primary_phone_id)
        : NULL;

    ctx->user_id = u->id;
    ctx->external_id = u->external_id;
    ctx->first_name = u->first_name;
    ctx->last_name = u->last_name;
    ctx->username = u->username;
    ctx->primary_email = email != NULL ? email->value : NULL;
    ctx->primary_phone = phone != NULL ? phone->value : NULL;
    ctx->email_verified = email != NULL && email->verified;
    ctx->phone_verified = phone != NULL && phone->verified;
    ctx->image_url = image_url;
    ctx->has_image = 0;
    ctx->user_created_at = u->created_at;
    ctx->user_updated_at = u->updated_at;
    ctx->user_public_metadata = u->public_metadata;
    ctx->user_private_metadata = u->private_metadata;
    ctx->user_unsafe_metadata = u->unsafe_metadata;
    ctx->session_id = s->id;
    ctx->session_actor = s->actor;
}

/* ---- signing ---- */

struct signer_slot {
    char              id[GH_ID_MAX];
    int64_t           updated_at;
    struct gh_signer *signer;
};

/* XXX: one lock over the table, held while signing, so an entry cannot be
 * evicted under a signature in progress; custom-key RS256 templates are rare
 * enough that serialising their signatures is acceptable for now. Entries
 * live for the process (the table is static). */
static pthread_mutex_t    signers_mu = PTHREAD_MUTEX_INITIALIZER;
static struct signer_slot signers[SIGNER_MAX];

static int
open_key(struct gh_app *app, const struct gh_jwt_template *t, char **key, struct gh_err *err)
{
    if (t->signing_key_sealed == NULL ||
        gh_master_open(app->master, t->signing_key_sealed, t->signing_key_sealed_len, key,
            err) == -1) {
        GH_FAIL(err, GH_E_INTERNAL, "the template's signing key cannot be opened");
        gh_err_note(err, "template %s", t->id);
        return -1;
    }
    return 0;
}

/* The cached signer of t (caller holds signers_mu), parsing it on a miss. */
static struct gh_signer *
signer_for(struct gh_app *app, const struct gh_jwt_template *t, struct gh_err *err)
{
    struct signer_slot *slot = &signers[0];
    char               *pem = NULL;
    struct gh_signer   *s = NULL;

    for (size_t i = 0; i < SIGNER_MAX; i++) {
        if (strcmp(signers[i].id, t->id) == 0) {
            if (signers[i].updated_at == t->updated_at)
                return signers[i].signer;
            slot = &signers[i];
            break;
        }
        if (signers[i].signer == NULL || signers[i].updated_at < slot->updated_at)
            slot = &signers[i]; /* an empty slot, else the stalest */
    }
    if (open_key(app, t, &pem, err) == -1)
        return NULL;
    if (gh_signer_new(t->id, pem, &s, err) == 0) {
        gh_signer_free(slot->signer);
        gh_strlcpy(slot->id, t->id, sizeof(slot->id));
        slot->updated_at = t->updated_at;
        slot->signer = s;
    }
    gh_secret_free(pem);
    return s;
}

static int
sign(struct gh_app *app, const struct gh_jwt_template *t, const char *claims, char **jwt,
    struct gh_err *err)
{
    const struct gh_signer *s;
    char                   *key = NULL;
    int                     rc = -1;

    if (!t->custom_signing_key)
        return gh_jws_sign(gh_keyring_signer(app->keys), claims, jwt, err);
    if (strcmp(t->signing_algorithm, "HS256") == 0) {
        if (open_key(app, t, &key, err) == 0)
            rc = gh_jws_sign_hs256(key, strlen(key), claims, jwt, err);
        gh_secret_free(key);
        return rc;
    }
    pthread_mutex_lock(&signers_mu);
    if ((s = signer_for(app, t, err)) != NULL)
        rc = gh_jws_sign(s, claims, jwt, err);
    pthread_mutex_unlock(&signers_mu);
    return rc;
}

/* ---- minting ---- */

/* The standard claims: iss from the frontend URL, azp the request's origin
 * when usable. iss and jti are caller storage. */
static int
std_claims(struct gh_app *app, const struct gh_session *s, const struct gh_jwt_template *t,
    const char *origin, int64_t expires_in_s, char iss[ISS_MAX], char jti[JTI_LEN + 1],
    struct gh_tpl_std *std, struct gh_err *err)
{
    int64_t iat = gh_now_ms() / 1000;

    if (gh_token_origin_of(app->conf->frontend_url, iss, ISS_MAX) == -1)
        return GH_FAIL(err, GH_E_INTERNAL, "frontend URL has no usable origin");
    gh_rand_base62(jti, JTI_LEN);
    std->sub = s->user_id;
    std->sid = s->id;
    std->iss = iss;
    std->azp = gh_token_origin_usable(origin) ? origin : iss;
    std->jti = jti;
    std->iat = iat;
    std->exp = iat + (expires_in_s > 0 ? expires_in_s : t->lifetime);
    std->nbf = iat - t->allowed_clock_skew;
    return 0;
}

/* The active session and the template by name. */
static int
load_inputs(struct gh_app *app, const char *instance_id, const char *session_id,
    const char *name, struct gh_session **s, struct gh_jwt_template **t, struct gh_user **u,
    struct gh_err *err)
{
    if (gh_session_get(app, instance_id, session_id, s, err) == -1)
        return -1;
    if (strcmp((*s)->status, "active") != 0) {
        GH_FAIL(err, GH_E_SESSION_NOT_ACTIVE, NULL);
        gh_err_note(err, "session %s is %s", (*s)->id, (*s)->status);
        return -1;
    }
    if (gh_store_jwt_template_find_by_name(app->store, instance_id, name, t, err) == -1)
        return -1;
    if (*t == NULL)
        return GH_FAIL(err, GH_E_NOT_FOUND, "JWT template not found");
    return gh_user_get(app, instance_id, (*s)->user_id, u, err);
}

int
gh_jwt_template_mint(struct gh_app *app, const char *instance_id, const char *session_id,
    const char *name, const char *origin, int64_t expires_in_s, char **jwt, struct gh_err *err)
{
    struct gh_session      *s = NULL;
    struct gh_jwt_template *t = NULL;
    struct gh_user         *u = NULL;
    struct gh_tpl_ctx       ctx = { 0 };
    struct gh_tpl_std       std;
    char                    iss[ISS_MAX], jti[JTI_LEN + 1], *claims = NULL, *avatar = NULL;
    struct tpl_org_hold    *org_hold = NULL;
    int                     rc = -1;

    *jwt = NULL;
    if (load_inputs(app, instance_id, session_id, name, &s, &t, &u, err) == -1 ||
        std_claims(app, s, t, origin, expires_in_s, iss, jti, &std, err) == -1)
        goto done;
    avatar = avatar_url(app);
    user_context(u, s, avatar, &ctx);
    if (tpl_org_context(app, instance_id, s, &ctx, &org_hold, err) == -1 ||
        gh_tpl_claims(t->claims, &ctx, &std, &claims, err) == -1 ||
        sign(app, t, claims, jwt, err) == -1)
        goto done;
    rc = 0;
done:
    tpl_org_hold_free(org_hold);
    free(claims);
    free(avatar);
    gh_user_free(u);
    gh_jwt_template_free(t);
    gh_session_free(s);
    return rc;
}
