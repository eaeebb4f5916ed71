/* test_token.c: the application core against a real SQLite store in a temp
 * dir: bootstrap (instance, signing key, secret key, publishable key),
 * secret-key checks, sessions, and session tokens (claims, reuse cache,
 * revocation, lifetimes, verification). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/app.h"
#include "core/id.h"
#include "core/keys.h"
#include "core/session.h"
#include "core/token.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/str.h"

struct fixture {
    char               dir[64];
    char               db_url[128];
    struct gh_conf     conf;
    struct gh_app     *app;
    struct gh_bootstrap boot;
    char               secret[128]; /* copy of the printed secret */
    char               user_id[GH_ID_MAX];
};

static void
conf_init(struct fixture *f)
{
    memset(&f->conf, 0, sizeof(f->conf));
    f->conf.database_url = f->db_url;
    f->conf.frontend_url = "http://127.0.0.1:7900";
    f->conf.backend_url = "http://127.0.0.1:7901/";
    f->conf.instance_name = "Test";
    f->conf.hash_concurrency = 1;
    f->conf.token_ttl_s = 60;
    f->conf.token_reuse_min_s = 30;
}

static void
insert_user(struct fixture *f, int banned)
{
    struct gh_user *u = gh_user_new();
    struct gh_err   err = { 0 };

    assert_non_null(u);
    gh_id_new("user", u->id);
    u->banned = banned;
    u->created_at = u->updated_at = gh_now_ms();
    assert_int_equal(gh_store_user_insert(f->app->store, f->app->instance->id, u, &err), 0);
    memcpy(f->user_id, u->id, sizeof(f->user_id));
    gh_user_free(u);
}

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct gh_err   err = { 0 };

    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-token-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db_url, sizeof(f->db_url), "sqlite://%s/gh.db", f->dir);
    conf_init(f);
    if (gh_app_open(&f->conf, &f->app, &f->boot, &err) == -1)
        fail_msg("gh_app_open: %s (%s)", err.desc, err.note);
    gh_strlcpy(f->secret, f->boot.secret_key, sizeof(f->secret));
    insert_user(f, 0);
    *state = f;
    return 0;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    gh_time_set_offset_ms(0);
    gh_app_close(f->app);
    nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static void
reopen(struct fixture *f)
{
    struct gh_err err = { 0 };

    gh_app_close(f->app);
    f->app = NULL;
    if (gh_app_open(&f->conf, &f->app, &f->boot, &err) == -1)
        fail_msg("gh_app_open: %s (%s)", err.desc, err.note);
}

static json_t *
b64url_json(const char *s, size_t n)
{
    unsigned char *raw = NULL;
    size_t         rlen = 0;
    json_t        *j;

    assert_int_equal(gh_b64url_decode(s, n, &raw, &rlen), 0);
    j = json_loadb((const char *)raw, rlen, JSON_REJECT_DUPLICATES, NULL);
    free(raw);
    assert_non_null(j);
    return j;
}

/* Header and payload of a compact JWS, unverified. */
static void
decode_jwt(const char *jwt, json_t **hdr, json_t **payload)
{
    const char *d1 = strchr(jwt, '.'), *d2 = d1 != NULL ? strchr(d1 + 1, '.') : NULL;

    assert_non_null(d2);
    *hdr = b64url_json(jwt, (size_t)(d1 - jwt));
    *payload = b64url_json(d1 + 1, (size_t)(d2 - d1 - 1));
}

static char *
mint(struct fixture *f, const char *sid, const char *origin, int64_t expires_in)
{
    struct gh_err err = { 0 };
    char         *jwt = NULL;

    if (gh_token_mint(f->app, f->app->instance->id, sid, origin, expires_in, &jwt, &err) == -1)
        fail_msg("mint: %s (%s)", err.desc, err.note);
    return jwt;
}

static struct gh_session *
new_session(struct fixture *f)
{
    struct gh_session *s = NULL;
    struct gh_err      err = { 0 };

    if (gh_session_create(f->app, f->app->instance->id, f->user_id, NULL, &s, &err) == -1)
        fail_msg("session create: %s (%s)", err.desc, err.note);
    return s;
}

static json_int_t
jint(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);

    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

/* ---- bootstrap ---- */

static void
test_bootstrap_creates_instance_and_keys(void **state)
{
    struct fixture *f = *state;
    char           *text = NULL, kid[GH_ID_MAX];
    size_t          len = 0;
    FILE           *out = open_memstream(&text, &len);

    assert_int_equal(f->boot.created, 1);
    assert_true(gh_id_valid("ins", f->app->instance->id));
    assert_string_equal(f->app->instance->name, "Test");
    assert_int_equal(strlen(f->secret), 48);
    assert_memory_equal(f->secret, "sk_test_", 8);
    gh_strlcpy(kid, gh_keyring_active_kid(f->app->keys), sizeof(kid));
    assert_true(gh_id_valid("ins", kid));
    assert_string_not_equal(kid, f->app->instance->id);
    assert_non_null(strstr(gh_app_jwt_public_pem(f->app), "-----BEGIN PUBLIC KEY-----"));

    gh_app_print_env(f->app, &f->boot, out);
    fclose(out);
    assert_non_null(strstr(text, "CLERK_PUBLISHABLE_KEY=pk_test_"));
    assert_non_null(strstr(text, f->secret));
    assert_non_null(strstr(text, "CLERK_API_URL=http://127.0.0.1:7901\n"));
    assert_non_null(strstr(text, "CLERK_JWKS_URL=http://127.0.0.1:7901/v1/jwks\n"));
    assert_non_null(strstr(text, "gatehouse keys jwt-public-key"));
    assert_int_equal(f->boot.secret_key[0], 0); /* wiped after printing */
    free(text);

    reopen(f);
    assert_int_equal(f->boot.created, 0);
    assert_string_equal(gh_keyring_active_kid(f->app->keys), kid);
    text = NULL;
    out = open_memstream(&text, &len);
    gh_app_print_env(f->app, &f->boot, out);
    fclose(out);
    assert_null(strstr(text, "CLERK_SECRET_KEY=sk_"));
    assert_non_null(strstr(text, "# CLERK_SECRET_KEY was printed"));
    free(text);
}

static void
test_check_secret(void **state)
{
    struct fixture *f = *state;
    struct gh_err   err = { 0 };
    char            id[GH_ID_MAX] = "", bad[sizeof(f->secret)], *made = NULL;

    assert_int_equal(gh_app_check_secret(f->app, f->secret, id, &err), 0);
    assert_string_equal(id, f->app->instance->id);
    /* again, from the cache */
    assert_int_equal(gh_app_check_secret(f->app, f->secret, id, &err), 0);

    gh_strlcpy(bad, f->secret, sizeof(bad));
    bad[20] = bad[20] == 'A' ? 'B' : 'A';
    assert_int_equal(gh_app_check_secret(f->app, bad, id, &err), -1);
    assert_int_equal(err.code, GH_E_KEY_INVALID);
    gh_err_clear(&err);
    memcpy(bad, "pk_test_", 8);
    gh_strlcpy(bad + 8, f->secret + 8, sizeof(bad) - 8);
    assert_int_equal(gh_app_check_secret(f->app, bad, id, &err), -1);
    assert_int_equal(err.code, GH_E_KEY_INVALID);
    gh_err_clear(&err);
    assert_int_equal(gh_app_check_secret(f->app, "", id, &err), -1);
    gh_err_clear(&err);

    assert_int_equal(gh_app_create_secret(f->app, &made, &err), 0);
    assert_int_equal(gh_app_check_secret(f->app, made, id, &err), 0);
    gh_secret_free(made);
}

static void
assert_pk_host(const char *pk, const char *want)
{
    const char    *b64 = pk + 8;
    char           padded[256];
    unsigned char *raw = NULL;
    size_t         n = strlen(b64), rlen = 0;

    assert_memory_equal(pk, "pk_test_", 8);
    assert_null(strchr(b64, '_')); /* the SDK splits on '_' into exactly 3 parts */
    assert_null(strchr(b64, '='));
    snprintf(padded, sizeof(padded), "%s%.*s", b64, (int)((4 - n % 4) % 4), "==");
    assert_int_equal(gh_b64_decode(padded, strlen(padded), &raw, &rlen), 0);
    assert_int_equal(rlen, strlen(want) + 1);
    assert_memory_equal(raw, want, strlen(want));
    assert_int_equal(raw[rlen - 1], '$');
    free(raw);
}

static void
test_publishable_key_round_trip(void **state)
{
    struct fixture *f = *state;
    struct gh_err   err = { 0 };
    char            id[GH_ID_MAX];

    assert_pk_host(f->app->instance->publishable_key, "127.0.0.1:7900");
    gh_strlcpy(id, f->app->instance->id, sizeof(id));
    f->conf.frontend_url = "https://auth.example.com/some/path";
    reopen(f);
    assert_string_equal(f->app->instance->id, id);
    assert_pk_host(f->app->instance->publishable_key, "auth.example.com");
    reopen(f); /* stored, not just computed */
    assert_pk_host(f->app->instance->publishable_key, "auth.example.com");

    /* an admin verb (no boot) with other flags leaves the stored key alone */
    gh_app_close(f->app);
    f->app = NULL;
    f->conf.frontend_url = "http://127.0.0.1:7900";
    assert_int_equal(gh_app_open(&f->conf, &f->app, NULL, &err), 0);
    assert_pk_host(f->app->instance->publishable_key, "auth.example.com");
}

static void
test_wrong_master_key_fails_clearly(void **state)
{
    struct fixture *f = *state;
    struct gh_app  *app = NULL;
    struct gh_err   err = { 0 };

    f->conf.master_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    assert_int_equal(gh_app_open(&f->conf, &app, NULL, &err), -1);
    assert_null(app);
    assert_non_null(strstr(err.desc, "GATEHOUSE_MASTER_KEY"));
    f->conf.master_key = NULL;
}

/* ---- sessions ---- */

static void
test_session_create_get_list(void **state)
{
    struct fixture          *f = *state;
    struct gh_session       *s = new_session(f), *g = NULL, **v = NULL;
    struct gh_session_filter flt = { .user_id = f->user_id, .limit = 10 };
    struct gh_err            err = { 0 };
    size_t                   n = 0;
    int64_t                  total = 0;

    assert_true(gh_id_valid("sess", s->id));
    assert_true(gh_id_valid("client", s->client_id));
    assert_string_equal(s->status, "active");
    assert_int_equal(s->expire_at - s->created_at, GH_SESSION_LIFETIME_MS);
    assert_int_equal(s->abandon_at - s->created_at, GH_SESSION_ABANDON_MS);
    assert_int_equal(gh_session_get(f->app, f->app->instance->id, s->id, &g, &err), 0);
    assert_string_equal(g->user_id, f->user_id);
    gh_session_free(g);

    assert_int_equal(gh_session_list(f->app, f->app->instance->id, &flt, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(gh_session_count(f->app, f->app->instance->id, &flt, &total, &err), 0);
    assert_int_equal(total, 1);
    gh_sessions_free(v, n);

    assert_int_equal(gh_session_get(f->app, f->app->instance->id, "sess_nope", &g, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    assert_string_equal(err.desc, "Session not found");
    gh_session_free(s);
}

static void
test_session_create_refuses_unknown_or_banned_user(void **state)
{
    struct fixture    *f = *state;
    struct gh_session *s = NULL;
    struct gh_err      err = { 0 };

    assert_int_equal(gh_session_create(f->app, f->app->instance->id,
                         "user_doesnotexist000000000", NULL, &s, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    assert_string_equal(err.param, "user_id");
    assert_null(s);
    gh_err_clear(&err);
    insert_user(f, 1);
    assert_int_equal(gh_session_create(f->app, f->app->instance->id, f->user_id, NULL, &s, &err),
        -1);
    assert_int_equal(err.code, GH_E_USER_LOCKED);
}

static void
test_session_reads_expired_after_expire_at(void **state)
{
    struct fixture    *f = *state;
    struct gh_session *s = new_session(f), *g = NULL;
    struct gh_err      err = { 0 };
    char              *jwt = NULL;

    gh_time_set_offset_ms(GH_SESSION_LIFETIME_MS + 1000);
    assert_int_equal(gh_session_get(f->app, f->app->instance->id, s->id, &g, &err), 0);
    assert_string_equal(g->status, "expired");
    assert_int_equal(gh_token_mint(f->app, f->app->instance->id, s->id, NULL, 0, &jwt, &err), -1);
    assert_int_equal(err.code, GH_E_SESSION_NOT_ACTIVE);
    gh_session_free(g);
    gh_session_free(s);
}

/* ---- tokens ---- */

static void
test_token_has_v2_claims_and_verifies(void **state)
{
    struct fixture    *f = *state;
    struct gh_session *s = new_session(f);
    struct gh_err      err = { 0 };
    char              *jwt = mint(f, s->id, NULL, 0), *claims = NULL;
    json_t            *hdr, *p, *fva, *jwks, *k;
    size_t             i;
    int                kid_found = 0;

    assert_int_equal(gh_token_verify(f->app, jwt, &claims, &err), 0);
    decode_jwt(jwt, &hdr, &p);
    assert_string_equal(json_string_value(json_object_get(hdr, "alg")), "RS256");
    assert_string_equal(json_string_value(json_object_get(hdr, "typ")), "JWT");
    assert_string_equal(json_string_value(json_object_get(hdr, "kid")),
        gh_keyring_active_kid(f->app->keys));
    assert_int_equal(jint(p, "exp") - jint(p, "iat"), 60);
    assert_int_equal(jint(p, "nbf"), jint(p, "iat") - 10);
    assert_true(llabs(jint(p, "iat") - gh_now_ms() / 1000) <= 2);
    assert_int_equal(jint(p, "v"), 2);
    assert_string_equal(json_string_value(json_object_get(p, "sts")), "active");
    assert_string_equal(json_string_value(json_object_get(p, "sid")), s->id);
    assert_string_equal(json_string_value(json_object_get(p, "sub")), f->user_id);
    assert_string_equal(json_string_value(json_object_get(p, "iss")), "http://127.0.0.1:7900");
    assert_string_equal(json_string_value(json_object_get(p, "azp")), "http://127.0.0.1:7900");
    fva = json_object_get(p, "fva");
    assert_true(json_is_array(fva) && json_array_size(fva) == 2);
    assert_true(json_is_integer(json_array_get(fva, 0)) && json_is_integer(json_array_get(fva, 1)));
    assert_int_equal(json_integer_value(json_array_get(fva, 1)), -1);
    /* compact, alphabetical, as Clerk emits */
    assert_memory_equal(claims, "{\"azp\":", 7);
    assert_non_null(strstr(claims, ",\"v\":2}"));

    jwks = json_loads(gh_app_jwks_json(f->app), 0, NULL);
    assert_non_null(jwks);
    json_array_foreach(json_object_get(jwks, "keys"), i, k) {
        if (strcmp(json_string_value(json_object_get(k, "kid")),
                json_string_value(json_object_get(hdr, "kid"))) == 0)
            kid_found = 1;
    }
    assert_true(kid_found);
    json_decref(jwks);
    json_decref(hdr);
    json_decref(p);
    free(claims);
    gh_secret_free(jwt);
    gh_session_free(s);
}

static void
test_token_azp_from_origin(void **state)
{
    struct fixture    *f = *state;
    struct gh_session *s = new_session(f);
    char              *a = mint(f, s->id, "https://app.example.com", 0);
    char              *b = mint(f, s->id, "null", 0);
    json_t            *h, *p;

    decode_jwt(a, &h, &p);
    assert_string_equal(json_string_value(json_object_get(p, "azp")), "https://app.example.com");
    json_decref(h);
    json_decref(p);
    decode_jwt(b, &h, &p);
    assert_string_equal(json_string_value(json_object_get(p, "azp")), "http://127.0.0.1:7900");
    json_decref(h);
    json_decref(p);
    gh_secret_free(a);
    gh_secret_free(b);
    gh_session_free(s);
}

static void
test_token_reused_within_window(void **state)
{
    struct fixture    *f = *state;
    struct gh_session *s = new_session(f);
    uint64_t           signed0 = gh_metric_get(GH_METRIC_TOKEN_MINT_SIGNED);
    uint64_t           reused0 = gh_metric_get(GH_METRIC_TOKEN_MINT_REUSED);
    char              *a = mint(f, s->id, NULL, 0), *b, *c;

    gh_time_set_offset_ms(20000); /* 40 s left ≥ 30 */
    b = mint(f, s->id, NULL, 0);
    assert_string_equal(a, b);
    assert_int_equal(gh_metric_get(GH_METRIC_TOKEN_MINT_SIGNED) - signed0, 1);
    assert_int_equal(gh_metric_get(GH_METRIC_TOKEN_MINT_REUSED) - reused0, 1);
    gh_time_set_offset_ms(31000); /* 29 s left < 30 */
    c = mint(f, s->id, NULL, 0);
    assert_string_not_equal(a, c);
    assert_int_equal(gh_metric_get(GH_METRIC_TOKEN_MINT_SIGNED) - signed0, 2);
    assert_int_equal(gh_token_cache_size(f->app->tokens), 1);
    gh_secret_free(a);
    gh_secret_free(b);
    gh_secret_free(c);
    gh_session_free(s);
}

static void
test_revoke_stops_minting_at_once(void **state)
{
    struct fixture    *f = *state;
    struct gh_session *s = new_session(f), *r = NULL, *r2 = NULL;
    struct gh_err      err = { 0 };
    char              *a = mint(f, s->id, NULL, 0), *b = NULL;

    assert_int_equal(gh_session_revoke(f->app, f->app->instance->id, s->id, &r, &err), 0);
    assert_string_equal(r->status, "revoked");
    assert_int_equal(gh_token_cache_size(f->app->tokens), 0);
    assert_int_equal(gh_token_mint(f->app, f->app->instance->id, s->id, NULL, 0, &b, &err), -1);
    assert_int_equal(err.code, GH_E_SESSION_NOT_ACTIVE);
    assert_null(b);
    gh_err_clear(&err);
    /* revoking again: unchanged, still revoked */
    assert_int_equal(gh_session_revoke(f->app, f->app->instance->id, s->id, &r2, &err), 0);
    assert_string_equal(r2->status, "revoked");
    assert_int_equal(r2->updated_at, r->updated_at);
    gh_session_free(r);
    gh_session_free(r2);
    gh_secret_free(a);
    gh_session_free(s);
}

static void
test_expires_in_seconds_is_fresh_and_uncached(void **state)
{
    struct fixture    *f = *state;
    struct gh_session *s = new_session(f);
    char              *a = mint(f, s->id, NULL, 0), *b = mint(f, s->id, NULL, 300), *c;
    json_t            *h, *p;

    decode_jwt(b, &h, &p);
    assert_int_equal(jint(p, "exp") - jint(p, "iat"), 300);
    json_decref(h);
    json_decref(p);
    c = mint(f, s->id, NULL, 0); /* the cached 60 s token, not the 300 s one */
    assert_string_equal(a, c);
    assert_string_not_equal(a, b);
    gh_secret_free(a);
    gh_secret_free(b);
    gh_secret_free(c);
    gh_session_free(s);
}

static void
test_reuse_disabled_signs_every_time(void **state)
{
    struct fixture    *f = *state;
    struct gh_session *s;
    uint64_t           signed0, reused0;
    char              *a, *b;

    f->conf.token_reuse_min_s = 0;
    reopen(f);
    s = new_session(f);
    signed0 = gh_metric_get(GH_METRIC_TOKEN_MINT_SIGNED);
    reused0 = gh_metric_get(GH_METRIC_TOKEN_MINT_REUSED);
    a = mint(f, s->id, NULL, 0);
    b = mint(f, s->id, NULL, 0);
    assert_int_equal(gh_metric_get(GH_METRIC_TOKEN_MINT_SIGNED) - signed0, 2);
    assert_int_equal(gh_metric_get(GH_METRIC_TOKEN_MINT_REUSED) - reused0, 0);
    assert_int_equal(gh_token_cache_size(f->app->tokens), 0);
    gh_secret_free(a);
    gh_secret_free(b);
    gh_session_free(s);
}

static void
test_verify_refuses_bad_tokens(void **state)
{
    struct fixture    *f = *state;
    struct gh_session *s = new_session(f);
    struct gh_err      err = { 0 };
    char              *jwt = mint(f, s->id, NULL, 0), *claims = NULL, *other = NULL;
    size_t             n = strlen(jwt);
    char               keep = jwt[n - 2];

    /* tampered signature */
    jwt[n - 2] = keep == 'A' ? 'B' : 'A';
    assert_int_equal(gh_token_verify(f->app, jwt, &claims, &err), -1);
    assert_int_equal(err.code, GH_E_AUTH_INVALID);
    jwt[n - 2] = keep;
    gh_err_clear(&err);
    /* expired (60 s + 5 s skew) */
    gh_time_set_offset_ms(66000);
    assert_int_equal(gh_token_verify(f->app, jwt, &claims, &err), -1);
    gh_err_clear(&err);
    gh_time_set_offset_ms(0);
    assert_int_equal(gh_token_verify(f->app, jwt, &claims, &err), 0);
    free(claims);
    claims = NULL;
    /* same key, not a session token (a JWT template's shape) */
    assert_int_equal(gh_jws_sign(gh_keyring_signer(f->app->keys),
                         "{\"exp\":99999999999,\"nested\":{\"sid\":\"sess_x\",\"v\":2},"
                         "\"sub\":\"user_x\"}",
                         &other, &err),
        0);
    assert_int_equal(gh_token_verify(f->app, other, &claims, &err), -1);
    assert_int_equal(err.code, GH_E_AUTH_INVALID);
    assert_null(claims);
    gh_err_clear(&err);
    assert_int_equal(gh_token_verify(f->app, "a.b.c", &claims, &err), -1);
    free(other);
    gh_secret_free(jwt);
    gh_session_free(s);
}

struct mint_arg {
    struct fixture *f;
    const char     *sid[2];
    int             failures;
};

static void *
mint_loop(void *p)
{
    struct mint_arg *a = p;

    for (int i = 0; i < 50; i++) {
        struct gh_err err = { 0 };
        char         *jwt = NULL;

        if (gh_token_mint(a->f->app, a->f->app->instance->id, a->sid[i % 2], NULL, 0, &jwt,
                &err) == -1)
            a->failures++;
        gh_secret_free(jwt);
    }
    gh_store_thread_done(a->f->app->store);
    return NULL;
}

static void
test_concurrent_mints_share_the_cache(void **state)
{
    struct fixture    *f = *state;
    struct gh_session *s1 = new_session(f), *s2 = new_session(f);
    struct mint_arg    args[4];
    pthread_t          th[4];
    uint64_t           signed0 = gh_metric_get(GH_METRIC_TOKEN_MINT_SIGNED);

    for (int i = 0; i < 4; i++) {
        args[i] = (struct mint_arg){ .f = f, .sid = { s1->id, s2->id } };
        assert_int_equal(pthread_create(&th[i], NULL, mint_loop, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    /* 200 mints; racing first mints may each sign, but no more than that */
    assert_true(gh_metric_get(GH_METRIC_TOKEN_MINT_SIGNED) - signed0 <= 8);
    assert_int_equal(gh_token_cache_size(f->app->tokens), 2);
    gh_session_free(s1);
    gh_session_free(s2);
}

static void
test_origin_of(void **state)
{
    char o[64];

    assert_int_equal(gh_token_origin_of("http://127.0.0.1:7900/", o, sizeof(o)), 0);
    assert_string_equal(o, "http://127.0.0.1:7900");
    assert_int_equal(gh_token_origin_of("https://a.example/x?y", o, sizeof(o)), 0);
    assert_string_equal(o, "https://a.example");
    assert_int_equal(gh_token_origin_of("a.example", o, sizeof(o)), -1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_bootstrap_creates_instance_and_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_check_secret, setup, teardown),
        cmocka_unit_test_setup_teardown(test_publishable_key_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_master_key_fails_clearly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_create_get_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_create_refuses_unknown_or_banned_user, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_session_reads_expired_after_expire_at, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_token_has_v2_claims_and_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_azp_from_origin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_reused_within_window, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoke_stops_minting_at_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expires_in_seconds_is_fresh_and_uncached, setup,
            teardown),
        cmocka_unit_test_setup_teardown(test_reuse_disabled_signs_every_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_refuses_bad_tokens, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_mints_share_the_cache, setup, teardown),
        cmocka_unit_test(test_origin_of),
    };

    gh_log_set_level(GH_LOG_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
