/* token.c: see token.h. Three parts: the reuse cache (16 shards, each a
 * mutex over a chained hash table keyed by session id, so concurrent
 * refreshes of different sessions rarely meet on a lock), the claim set and
 * minting, and verification of our own session tokens. The signature itself
 * is crypto's (gh_jws_sign); core sees no JOSE library. The small claim
 * reader below only ever reads payloads whose signature has already been
 * checked against our own keys, i.e. JSON we wrote. */
#include "core/token.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/keys.h"
#include "core/role.h" /* organization claims (issue 3) */
#include "core/session.h"
#include "crypto/crypto.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/str.h"

#define TC_SHARDS      16
#define TC_BUCKETS     256  /* per shard */
#define CLAIMS_MAX     8192 /* bytes of payload JSON */
#define JWT_MAX        16384
#define URL_ORIGIN_MAX 512

/* ---- the reuse cache ---- */

struct tc_entry {
    struct tc_entry *next;
    size_t           size;   /* bytes allocated for this entry and its strings */
    char             sid[GH_ID_MAX];
    const char      *azp;    /* inside this allocation */
    const char      *org;    /* active org id at minting, "" for none (inside) */
    const char      *jwt;    /* inside; wiped on free */
    int64_t          exp_ms; /* token exp, ms */
};

struct tc_shard {
    pthread_mutex_t  mu;
    struct tc_entry *buckets[TC_BUCKETS];
    size_t           n;
};

struct gh_token_cache {
    size_t          max_per_shard;
    struct tc_shard shards[TC_SHARDS];
};

/* Every token of one session lands in one bucket of one shard, so dropping a
 * session touches one chain. */
static struct tc_shard *
shard_for(struct gh_token_cache *c, const char *sid, struct tc_entry ***bucket)
{
    uint64_t         h = gh_str_hash(sid);
    struct tc_shard *sh = &c->shards[h % TC_SHARDS];

    *bucket = &sh->buckets[(h / TC_SHARDS) % TC_BUCKETS];
    return sh;
}

static void
entry_free(struct tc_entry *e)
{
    if (e == NULL)
        return;
    gh_memzero(e, e->size);
    free(e);
}

static struct tc_entry *
entry_new(const char *sid, const char *azp, const char *org, const char *jwt, int64_t exp_ms)
{
    size_t           la = strlen(azp) + 1, lo = strlen(org) + 1, lj = strlen(jwt) + 1;
    size_t           size = sizeof(struct tc_entry) + la + lo + lj;
    struct tc_entry *e = calloc(1, size);
    char            *p;

    if (e == NULL)
        return NULL;
    p = (char *)(e + 1);
    e->size = size;
    gh_strlcpy(e->sid, sid, sizeof(e->sid));
    e->azp = memcpy(p, azp, la);
    e->org = memcpy(p + la, org, lo);
    e->jwt = memcpy(p + la + lo, jwt, lj);
    e->exp_ms = exp_ms;
    return e;
}

int
gh_token_cache_new(size_t max_entries, struct gh_token_cache **out, struct gh_err *err)
{
    struct gh_token_cache *c = calloc(1, sizeof(*c));

    *out = NULL;
    if (c == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    c->max_per_shard = (max_entries + TC_SHARDS - 1) / TC_SHARDS;
    if (c->max_per_shard == 0)
        c->max_per_shard = 1;
    for (size_t i = 0; i < TC_SHARDS; i++)
        pthread_mutex_init(&c->shards[i].mu, NULL);
    *out = c;
    return 0;
}

void
gh_token_cache_free(struct gh_token_cache *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < TC_SHARDS; i++) {
        for (size_t b = 0; b < TC_BUCKETS; b++) {
            struct tc_entry *e = c->shards[i].buckets[b], *next;

            for (; e != NULL; e = next) {
                next = e->next;
                entry_free(e);
            }
        }
        pthread_mutex_destroy(&c->shards[i].mu);
    }
    free(c);
}

/* Unlinks and frees entries of a chain that match sid (NULL = any) or can no
 * longer be handed out (exp < min_exp_ms). Caller holds the shard lock. */
static void
chain_prune(struct tc_shard *sh, struct tc_entry **link, const char *sid, int64_t min_exp_ms)
{
    while (*link != NULL) {
        struct tc_entry *e = *link;

        if ((sid != NULL && strcmp(e->sid, sid) == 0) || e->exp_ms < min_exp_ms) {
            *link = e->next;
            entry_free(e);
            sh->n--;
        } else {
            link = &e->next;
        }
    }
}

void
gh_token_cache_drop(struct gh_token_cache *c, const char *session_id)
{
    struct tc_entry **bucket;
    struct tc_shard  *sh = shard_for(c, session_id, &bucket);

    pthread_mutex_lock(&sh->mu);
    chain_prune(sh, bucket, session_id, INT64_MIN);
    pthread_mutex_unlock(&sh->mu);
}

size_t
gh_token_cache_size(struct gh_token_cache *c)
{
    size_t n = 0;

    for (size_t i = 0; i < TC_SHARDS; i++) {
        pthread_mutex_lock(&c->shards[i].mu);
        n += c->shards[i].n;
        pthread_mutex_unlock(&c->shards[i].mu);
    }
    return n;
}

/* A copy of the cached token for (sid, azp, org) when it expires no earlier
 * than min_exp_ms; NULL otherwise. A stale match is dropped on the way. */
static char *
cache_get(struct gh_token_cache *c, const char *sid, const char *azp, const char *org,
    int64_t min_exp_ms)
{
    struct tc_entry **bucket, *e;
    struct tc_shard  *sh = shard_for(c, sid, &bucket);
    char             *jwt = NULL;

    pthread_mutex_lock(&sh->mu);
    chain_prune(sh, bucket, NULL, min_exp_ms);
    for (e = *bucket; e != NULL; e = e->next) {
        if (strcmp(e->sid, sid) == 0 && strcmp(e->azp, azp) == 0 && strcmp(e->org, org) == 0) {
            jwt = gh_strdup(e->jwt);
            break;
        }
    }
    pthread_mutex_unlock(&sh->mu);
    return jwt;
}

/* Stores a token, replacing one for the same key. A full shard first sheds
 * tokens too old to hand out; if still full, it sheds this bucket's chain, or
 * as a last resort refuses to cache (the token is still returned). */
static void
cache_put(struct gh_token_cache *c, const char *sid, const char *azp, const char *org,
    const char *jwt, int64_t exp_ms, int64_t min_exp_ms)
{
    struct tc_entry **bucket, *e = entry_new(sid, azp, org, jwt, exp_ms);
    struct tc_shard  *sh = shard_for(c, sid, &bucket);

    if (e == NULL)
        return;
    pthread_mutex_lock(&sh->mu);
    chain_prune(sh, bucket, NULL, min_exp_ms);
    for (struct tc_entry **link = bucket; *link != NULL; link = &(*link)->next) {
        struct tc_entry *old = *link;

        if (strcmp(old->sid, sid) == 0 && strcmp(old->azp, azp) == 0 &&
            strcmp(old->org, org) == 0) {
            *link = old->next; /* a racing mint stored one first: keep the newest */
            entry_free(old);
            sh->n--;
            break;
        }
    }
    for (size_t b = 0; sh->n >= c->max_per_shard && b < TC_BUCKETS; b++)
        chain_prune(sh, &sh->buckets[b], NULL, min_exp_ms);
    if (sh->n >= c->max_per_shard)
        chain_prune(sh, bucket, NULL, INT64_MAX);
    if (sh->n < c->max_per_shard) {
        e->next = *bucket;
        *bucket = e;
        sh->n++;
        e = NULL;
    }
    pthread_mutex_unlock(&sh->mu);
    entry_free(e);
}

/* ---- claims and minting ---- */

int
gh_token_origin_of(const char *url, char *out, size_t size)
{
    const char *sep = url != NULL ? strstr(url, "://") : NULL;
    size_t      hostlen;

    if (sep == NULL || sep == url)
        return -1;
    hostlen = strcspn(sep + 3, "/?#");
    if (hostlen == 0 || (size_t)(sep - url) + 3 + hostlen >= size)
        return -1;
    snprintf(out, size, "%.*s", (int)((size_t)(sep - url) + 3 + hostlen), url);
    return 0;
}

/* 1 when the request's Origin can serve as azp: an http(s) origin of
 * printable ASCII within the length cap ("null" and junk fall back). */
static int
origin_usable(const char *o)
{
    size_t n;

    if (o == NULL || (strncmp(o, "http://", 7) != 0 && strncmp(o, "https://", 8) != 0))
        return 0;
    n = strlen(o);
    if (n > GH_TOKEN_ORIGIN_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)o[i] <= ' ' || (unsigned char)o[i] >= 0x7f || o[i] == '"')
            return 0;
    return 1;
}

/* Organization claims (spec §D3/§D4): "fea" (org-scoped features, each with a
 * ':') and "o" {id, slg, rol (no "org:" prefix), per, fpm}, built by
 * role_claims.c from the member's current role on every mint (a few indexed
 * reads), so a changed role or grant shows in the next token. Both stay NULL
 * (claims omitted) without an active organization or membership. The claims
 * themselves are part of the cache key (`key`), so a cached token minted
 * under other grants or another organization is never handed out. */
struct org_claims {
    char *fea; /* JSON string value text, or NULL */
    char *o;   /* JSON object text, or NULL */
    char *key; /* cache key part: "" or org id + claims */
};

static int
org_claims_load(struct gh_app *app, const char *instance_id, const struct gh_session *s,
    struct org_claims *oc, struct gh_err *err)
{
    struct gh_buf b;

    oc->fea = oc->o = oc->key = NULL;
    if (s->active_org_id != NULL && s->active_org_id[0] != '\0' &&
        gh_role_org_claims(app, instance_id, s->active_org_id, s->user_id, &oc->o, &oc->fea,
            err) == -1)
        return -1;
    gh_buf_init(&b, CLAIMS_MAX);
    if (oc->o != NULL) {
        gh_buf_add(&b, oc->o);
        gh_buf_add(&b, oc->fea != NULL ? oc->fea : "");
    }
    oc->key = gh_buf_take(&b);
    gh_buf_clear(&b);
    return oc->key != NULL ? 0 : GH_FAIL(err, GH_E_NOMEM, NULL);
}

static void
org_claims_clear(struct org_claims *oc)
{
    free(oc->fea);
    free(oc->o);
    free(oc->key);
}

/* The v2 payload, keys in Clerk's (alphabetical) order. *out malloc'd. */
static int
build_claims(const struct gh_session *s, const struct org_claims *oc, const char *azp,
    const char *iss, int64_t iat, int64_t exp, char **out, struct gh_err *err)
{
    struct gh_buf b;
    long long     fva = 0;

    if (s->created_at != GH_TIME_NULL && iat * 1000 > s->created_at)
        fva = (long long)((iat * 1000 - s->created_at) / 60000);
    gh_buf_init(&b, CLAIMS_MAX);
    gh_buf_add(&b, "{\"azp\":");
    gh_buf_add_json_str(&b, azp);
    gh_buf_addf(&b, ",\"exp\":%lld", (long long)exp);
    if (oc->fea != NULL)
        gh_buf_addf(&b, ",\"fea\":%s", oc->fea);
    /* [minutes since the first factor (session start), second factor: none] */
    gh_buf_addf(&b, ",\"fva\":[%lld,-1],\"iat\":%lld,\"iss\":", fva, (long long)iat);
    gh_buf_add_json_str(&b, iss);
    gh_buf_addf(&b, ",\"nbf\":%lld", (long long)(iat - GH_TOKEN_NBF_BACKDATE_S));
    if (oc->o != NULL)
        gh_buf_addf(&b, ",\"o\":%s", oc->o);
    gh_buf_add(&b, ",\"sid\":");
    gh_buf_add_json_str(&b, s->id);
    gh_buf_add(&b, ",\"sts\":\"active\",\"sub\":");
    gh_buf_add_json_str(&b, s->user_id);
    gh_buf_add(&b, ",\"v\":2}");
    *out = gh_buf_take(&b);
    gh_buf_clear(&b);
    if (*out == NULL)
        return GH_FAIL(err, GH_E_INTERNAL, "token claims too large");
    return 0;
}

/* Signs a fresh token for s. */
static int
sign_token(struct gh_app *app, const struct gh_session *s, const struct org_claims *oc,
    const char *azp, const char *iss, int64_t iat, int64_t exp, char **jwt, struct gh_err *err)
{
    char *claims = NULL;
    int   rc;

    if (build_claims(s, oc, azp, iss, iat, exp, &claims, err) == -1)
        return -1;
    rc = gh_jws_sign(gh_keyring_signer(app->keys), claims, jwt, err);
    free(claims);
    if (rc == 0)
        gh_metric_inc(GH_METRIC_TOKEN_MINT_SIGNED);
    return rc;
}

int
gh_token_mint(struct gh_app *app, const char *instance_id, const char *session_id,
    const char *origin, int64_t expires_in_s, char **jwt, struct gh_err *err)
{
    const struct gh_conf *conf = app->conf;
    struct gh_session    *s = NULL;
    struct org_claims     oc = { 0 };
    char                  iss[URL_ORIGIN_MAX];
    const char           *azp, *org;
    int64_t               now = gh_now_ms(), iat = now / 1000, min_exp;
    int                   cached, rc = -1;

    *jwt = NULL;
    if (gh_token_origin_of(conf->frontend_url, iss, sizeof(iss)) == -1)
        return GH_FAIL(err, GH_E_INTERNAL, "frontend URL has no usable origin");
    azp = origin_usable(origin) ? origin : iss;
    /* The one read per mint: revocation on any server is seen at once. */
    if (gh_session_get(app, instance_id, session_id, &s, err) == -1)
        goto done;
    if (strcmp(s->status, "active") != 0) {
        GH_FAIL(err, GH_E_SESSION_NOT_ACTIVE, NULL);
        gh_err_note(err, "session %s is %s", s->id, s->status);
        goto done;
    }
    if (org_claims_load(app, instance_id, s, &oc, err) == -1)
        goto done;
    org = oc.key;
    cached = expires_in_s <= 0 && conf->token_reuse_min_s > 0 && app->tokens != NULL;
    min_exp = now + (int64_t)conf->token_reuse_min_s * 1000;
    if (cached && (*jwt = cache_get(app->tokens, s->id, azp, org, min_exp)) != NULL) {
        gh_metric_inc(GH_METRIC_TOKEN_MINT_REUSED);
        rc = 0;
        goto done;
    }
    if (sign_token(app, s, &oc, azp, iss, iat,
            iat + (expires_in_s > 0 ? expires_in_s : (int64_t)conf->token_ttl_s), jwt, err) == -1)
        goto done;
    if (cached)
        cache_put(app->tokens, s->id, azp, org, *jwt, (iat + conf->token_ttl_s) * 1000, min_exp);
    rc = 0;
done:
    org_claims_clear(&oc);
    gh_session_free(s);
    return rc;
}

/* ---- reading our own claims ---- */

/* exp/nbf/iat against now with the SDK's leeway; a v2 session token only. */
static int
check_claims(const char *claims, int64_t now, struct gh_err *err)
{
    int64_t exp, nbf, iat, v, skew = GH_TOKEN_CLOCK_SKEW_S * 1000LL;
    char    sid[GH_ID_MAX], sub[GH_ID_MAX];
    int     has;

    if (gh_json_field_str(claims, "sid", sid, sizeof(sid)) != 1 ||
        gh_json_field_str(claims, "sub", sub, sizeof(sub)) != 1 ||
        gh_json_field_int(claims, "v", &v) != 1 || v != 2)
        return GH_FAIL(err, GH_E_AUTH_INVALID, "not a session token");
    if (gh_json_field_int(claims, "exp", &exp) != 1 || exp > INT64_MAX / 1000 ||
        exp * 1000 <= now - skew)
        return GH_FAIL(err, GH_E_AUTH_INVALID, "token expired");
    has = gh_json_field_int(claims, "nbf", &nbf);
    if (has == -1 || (has == 1 && (nbf > INT64_MAX / 1000 || nbf * 1000 > now + skew)))
        return GH_FAIL(err, GH_E_AUTH_INVALID, "token not active yet");
    has = gh_json_field_int(claims, "iat", &iat);
    if (has == -1 || (has == 1 && (iat > INT64_MAX / 1000 || iat * 1000 > now + skew)))
        return GH_FAIL(err, GH_E_AUTH_INVALID, "token issued in the future");
    return 0;
}

int
gh_token_verify(struct gh_app *app, const char *jwt, char **claims_json, struct gh_err *err)
{
    const struct gh_verifier *v;
    char                     *claims = NULL;
    size_t                    len = jwt != NULL ? strlen(jwt) : 0;

    *claims_json = NULL;
    if (len == 0 || len > JWT_MAX)
        return GH_FAIL(err, GH_E_AUTH_INVALID, "invalid token");
    /* Try each published key: the header's kid picks one inside gh_jws_verify
     * (a mismatch fails fast), so at most one signature check succeeds. */
    for (size_t i = 0; claims == NULL && (v = gh_keyring_verifier(app->keys, i)) != NULL; i++) {
        struct gh_err ve = { 0 };

        if (gh_jws_verify(v, jwt, len, &claims, &ve) == -1)
            claims = NULL;
    }
    if (claims == NULL)
        return GH_FAIL(err, GH_E_AUTH_INVALID, "invalid token");
    if (check_claims(claims, gh_now_ms(), err) == -1) {
        free(claims);
        return -1;
    }
    *claims_json = claims;
    return 0;
}

/* ---- JWT templates (issue 3) ---- */

int
gh_token_origin_usable(const char *origin)
{
    return origin_usable(origin);
}
