/* test_token_attacks.c (issue 6, catalogue JWT-01/02/05/06/07/09/10/12):
 * the server's session-token verifier (gh_token_verify: every published key
 * of the keyring, then the claim checks) against forged tokens, run on a
 * real bootstrapped application. Hostile tokens are built by hand with
 * OpenSSL, with the instance's real private key where the attack needs a
 * valid signature (so a refusal proves the check, not a bad signature). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/app.h"
#include "core/id.h"
#include "core/jwt_template.h"
#include "core/keys.h"
#include "core/session.h"
#include "core/ticket.h"
#include "core/token.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/str.h"

struct fixture {
    char                dir[64];
    char                db_url[128];
    struct gh_conf      conf;
    struct gh_app      *app;
    struct gh_bootstrap boot;
    EVP_PKEY           *key;      /* the instance's signing key */
    EVP_PKEY           *attacker; /* some other RSA key */
    char                kid[GH_ID_MAX];
    char                sid[GH_ID_MAX];
    char                uid[GH_ID_MAX];
};

static EVP_PKEY *
read_key(const char *pem)
{
    BIO      *bio = BIO_new_mem_buf(pem, -1);
    EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);

    BIO_free(bio);
    assert_non_null(k);
    return k;
}

/* The active signing key's private half, unsealed as the keyring does. */
static void
load_keys(struct fixture *f)
{
    struct gh_signing_key *keys = NULL;
    struct gh_err          err = {0};
    size_t                 n = 0;
    char                  *pem = NULL, *apriv = NULL, *apub = NULL;

    assert_int_equal(
        gh_store_signing_key_list(f->app->store, f->app->instance->id, &keys, &n, &err), 0);
    assert_true(n >= 1);
    assert_int_equal(gh_master_open(f->app->master, keys[0].private_sealed,
                                    keys[0].private_sealed_len, &pem, &err),
                     0);
    gh_strlcpy(f->kid, keys[0].kid, sizeof(f->kid));
    f->key = read_key(pem);
    gh_secret_free(pem);
    for (size_t i = 0; i < n; i++) {
        free(keys[i].private_sealed);
        free(keys[i].public_pem);
    }
    free(keys);
    assert_int_equal(gh_rsa_generate(&apriv, &apub, &err), 0);
    f->attacker = read_key(apriv);
    gh_secret_free(apriv);
    free(apub);
}

static int
setup(void **state)
{
    struct fixture    *f = calloc(1, sizeof(*f));
    struct gh_session *s = NULL;
    struct gh_user    *u = gh_user_new();
    struct gh_err      err = {0};

    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-jwtatk-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db_url, sizeof(f->db_url), "sqlite://%s/gh.db", f->dir);
    f->conf.database_url = f->db_url;
    f->conf.frontend_url = "http://127.0.0.1:7900";
    f->conf.backend_url = "http://127.0.0.1:7901";
    f->conf.instance_name = "Test";
    f->conf.hash_concurrency = 1;
    f->conf.token_ttl_s = 60;
    if (gh_app_open(&f->conf, &f->app, &f->boot, &err) == -1)
        fail_msg("gh_app_open: %s (%s)", err.desc, err.note);
    gh_id_new("user", u->id);
    u->created_at = u->updated_at = gh_now_ms();
    assert_int_equal(gh_store_user_insert(f->app->store, f->app->instance->id, u, &err), 0);
    gh_strlcpy(f->uid, u->id, sizeof(f->uid));
    gh_user_free(u);
    assert_int_equal(gh_session_create(f->app, f->app->instance->id, f->uid, NULL, &s, &err), 0);
    gh_strlcpy(f->sid, s->id, sizeof(f->sid));
    gh_session_free(s);
    load_keys(f);
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
    EVP_PKEY_free(f->key);
    EVP_PKEY_free(f->attacker);
    gh_app_close(f->app);
    nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

/* b64url(header).b64url(payload).sig: RS256 with pk, or HS256 with hkey
 * (when pk is NULL and hkey non-NULL), or an empty signature. */
static char *
forge(EVP_PKEY *pk, const void *hkey, size_t hlen, const char *header, const char *payload)
{
    char         *h = gh_b64url_encode(header, strlen(header));
    char         *p = gh_b64url_encode(payload, strlen(payload));
    size_t        inlen = strlen(h) + 1 + strlen(p), toklen;
    char         *in = malloc(inlen + 1), *s = NULL, *tok;
    unsigned char sig[512];
    size_t        siglen = sizeof(sig);

    snprintf(in, inlen + 1, "%s.%s", h, p);
    if (pk != NULL) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();

        assert_int_equal(EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, pk), 1);
        assert_int_equal(EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)in, inlen), 1);
        EVP_MD_CTX_free(ctx);
        s = gh_b64url_encode(sig, siglen);
    } else if (hkey != NULL) {
        gh_hmac_sha256(hkey, hlen, in, inlen, sig);
        s = gh_b64url_encode(sig, 32);
    }
    toklen = inlen + 2 + (s != NULL ? strlen(s) : 0);
    tok = malloc(toklen);
    snprintf(tok, toklen, "%s.%s", in, s != NULL ? s : "");
    free(h);
    free(p);
    free(in);
    free(s);
    return tok;
}

/* A v2 session token's claims for the fixture's session, exp/nbf/iat
 * relative to now (seconds); extra is spliced in before the closing brace. */
static void
claims(const struct fixture *f, int64_t exp_rel, int64_t nbf_rel, int64_t iat_rel,
       const char *extra, char *out, size_t outsz)
{
    int64_t now = gh_now_ms() / 1000;

    snprintf(out, outsz,
             "{\"sub\":\"%s\",\"sid\":\"%s\",\"v\":2,\"iss\":\"http://127.0.0.1:7900\","
             "\"exp\":%lld,\"nbf\":%lld,\"iat\":%lld%s}",
             f->uid, f->sid, (long long)(now + exp_rel), (long long)(now + nbf_rel),
             (long long)(now + iat_rel), extra != NULL ? extra : "");
}

static void
header(const struct fixture *f, char *out, size_t outsz)
{
    snprintf(out, outsz, "{\"alg\":\"RS256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", f->kid);
}

static void
expect_ok(struct fixture *f, const char *tok)
{
    struct gh_err err = {0};
    char         *c = NULL;

    if (gh_token_verify(f->app, tok, &c, &err) == -1)
        fail_msg("control token refused: %s", err.desc);
    free(c);
}

static void
expect_refused(struct fixture *f, const char *tok, const char *what)
{
    struct gh_err err = {0};
    char         *c = NULL;

    if (gh_token_verify(f->app, tok, &c, &err) != -1)
        fail_msg("accepted: %s", what);
    assert_int_equal(err.code, GH_E_AUTH_INVALID);
    assert_null(c);
}

/* The forging helper itself makes tokens our verifier accepts, so every
 * refusal below is about the one thing each case changes. */
static void
test_control_forged_token_with_real_key_verifies(void **state)
{
    struct fixture *f = *state;
    char            h[256], c[512], *tok;

    header(f, h, sizeof(h));
    claims(f, 60, -10, 0, NULL, c, sizeof(c));
    tok = forge(f->key, NULL, 0, h, c);
    expect_ok(f, tok);
    free(tok);
}

/* JWT-01: alg none in any spelling, with and without a (real) signature. */
static void
test_alg_none_refused(void **state)
{
    struct fixture    *f = *state;
    static const char *algs[] = {"none", "None", "NONE", "nOnE", ""};
    char               h[256], c[512], *tok, *real, *mixed;

    claims(f, 60, -10, 0, NULL, c, sizeof(c));
    header(f, h, sizeof(h));
    real = forge(f->key, NULL, 0, h, c);
    for (size_t i = 0; i < sizeof(algs) / sizeof(algs[0]); i++) {
        snprintf(h, sizeof(h), "{\"alg\":\"%s\",\"kid\":\"%s\"}", algs[i], f->kid);
        tok = forge(NULL, NULL, 0, h, c); /* "h.p." */
        expect_refused(f, tok, "alg none, empty signature");
        mixed = malloc(strlen(tok) + strlen(real) + 1);
        snprintf(mixed, strlen(tok) + strlen(real) + 1, "%s%s", tok, strrchr(real, '.') + 1);
        expect_refused(f, mixed, "alg none with a borrowed RS256 signature");
        free(mixed);
        free(tok);
    }
    free(real);
}

/* JWT-02: HS256 keyed with what a confused verifier might use as the secret. */
static void
test_hs256_with_public_key_refused(void **state)
{
    struct fixture *f = *state;
    const char     *pem = gh_app_jwt_public_pem(f->app);
    const char     *jwks = gh_app_jwks_json(f->app);
    char            h[256], c[512], *tok, nl[4096];

    claims(f, 60, -10, 0, NULL, c, sizeof(c));
    snprintf(h, sizeof(h), "{\"alg\":\"HS256\",\"kid\":\"%s\",\"typ\":\"JWT\"}", f->kid);
    tok = forge(NULL, pem, strlen(pem), h, c);
    expect_refused(f, tok, "HS256 keyed with the SPKI PEM");
    free(tok);
    snprintf(nl, sizeof(nl), "%s\n", pem);
    tok = forge(NULL, nl, strlen(nl), h, c);
    expect_refused(f, tok, "HS256 keyed with the PEM plus a newline");
    free(tok);
    tok = forge(NULL, jwks, strlen(jwks), h, c);
    expect_refused(f, tok, "HS256 keyed with the JWKS text");
    free(tok);
}

/* JWT-05/06: a kid we never issued, hostile kid strings, and header keys
 * (jwk, jku, x5u, x5c) offering the attacker's own key. */
static void
test_unknown_and_injected_kid_refused(void **state)
{
    struct fixture    *f = *state;
    static const char *kids[] = {
        "ins_unknown", "../../../../dev/null", "/etc/passwd", "' OR '1'='1", "*", "\\u0000", ""};
    char h[9000], c[512], big[8193], *tok;

    claims(f, 60, -10, 0, NULL, c, sizeof(c));
    for (size_t i = 0; i < sizeof(kids) / sizeof(kids[0]); i++) {
        snprintf(h, sizeof(h), "{\"alg\":\"RS256\",\"kid\":\"%s\"}", kids[i]);
        tok = forge(f->key, NULL, 0, h, c); /* even with OUR key: the kid must be ours */
        expect_refused(f, tok, kids[i]);
        free(tok);
    }
    memset(big, 'k', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    snprintf(h, sizeof(h), "{\"alg\":\"RS256\",\"kid\":\"%s\"}", big);
    tok = forge(f->key, NULL, 0, h, c);
    expect_refused(f, tok, "8 KiB kid");
    free(tok);
    snprintf(h, sizeof(h), "{\"alg\":\"RS256\",\"kid\":[\"%s\"]}", f->kid);
    tok = forge(f->key, NULL, 0, h, c);
    expect_refused(f, tok, "kid as an array");
    free(tok);
    /* the attacker signs with a key of their own and points at it */
    snprintf(
        h, sizeof(h),
        "{\"alg\":\"RS256\",\"kid\":\"%s\",\"jku\":\"http://127.0.0.1:9/jwks\","
        "\"x5u\":\"http://127.0.0.1:9/c\",\"jwk\":{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}}",
        f->kid);
    tok = forge(f->attacker, NULL, 0, h, c);
    expect_refused(f, tok, "attacker key offered in jwk/jku/x5u");
    free(tok);
}

/* JWT-07: time claims with the 5 s leeway; JWT-10 duplicate members. */
static void
test_time_claims_and_duplicates(void **state)
{
    struct fixture *f = *state;
    char            h[256], c[768], *tok;

    header(f, h, sizeof(h));
    claims(f, -6, -70, -70, NULL, c, sizeof(c));
    tok = forge(f->key, NULL, 0, h, c);
    expect_refused(f, tok, "exp 6 s ago");
    free(tok);
    claims(f, -3, -70, -70, NULL, c, sizeof(c));
    tok = forge(f->key, NULL, 0, h, c);
    expect_ok(f, tok); /* within the leeway */
    free(tok);
    claims(f, 60, 7, 0, NULL, c, sizeof(c));
    tok = forge(f->key, NULL, 0, h, c);
    expect_refused(f, tok, "nbf 7 s ahead");
    free(tok);
    claims(f, 120, -10, 60, NULL, c, sizeof(c));
    tok = forge(f->key, NULL, 0, h, c);
    expect_refused(f, tok, "iat 60 s ahead");
    free(tok);
    snprintf(c, sizeof(c), "{\"sub\":\"%s\",\"sid\":\"%s\",\"v\":2}", f->uid, f->sid);
    tok = forge(f->key, NULL, 0, h, c);
    expect_refused(f, tok, "no exp");
    free(tok);
    snprintf(c, sizeof(c), "{\"sub\":\"%s\",\"sid\":\"%s\",\"v\":2,\"exp\":\"9999999999\"}", f->uid,
             f->sid);
    tok = forge(f->key, NULL, 0, h, c);
    expect_refused(f, tok, "exp as a string");
    free(tok);
    snprintf(c, sizeof(c), "{\"sub\":\"%s\",\"sid\":\"%s\",\"v\":2,\"exp\":1e308}", f->uid, f->sid);
    tok = forge(f->key, NULL, 0, h, c);
    expect_refused(f, tok, "exp 1e308");
    free(tok);
    claims(f, 60, -10, 0, ",\"sub\":\"user_other\"", c, sizeof(c));
    tok = forge(f->key, NULL, 0, h, c);
    expect_refused(f, tok, "duplicate sub");
    free(tok);
    snprintf(h, sizeof(h), "{\"alg\":\"RS256\",\"alg\":\"none\",\"kid\":\"%s\"}", f->kid);
    claims(f, 60, -10, 0, NULL, c, sizeof(c));
    tok = forge(f->key, NULL, 0, h, c);
    expect_refused(f, tok, "duplicate alg");
    free(tok);
}

/* JWT-09: other things Gatehouse hands out, presented as session tokens. */
static void
test_other_kinds_refused_as_session_tokens(void **state)
{
    struct fixture         *f = *state;
    struct gh_err           err = {0};
    char                   *ticket = NULL, *tpl = NULL, h[256], c[512], *tok;
    struct gh_jwt_template *jt = NULL;

    /* an invitation ticket and a sign-in token are opaque random strings */
    assert_int_equal(gh_ticket_issue(f->app, f->app->instance->id, GH_TICKET_INVITATION, "inv_x",
                                     gh_now_ms() + 60000, &ticket, &err),
                     0);
    expect_refused(f, ticket, "invitation ticket");
    gh_secret_free(ticket);
    assert_int_equal(gh_ticket_issue(f->app, f->app->instance->id, GH_TICKET_SIGN_IN, "sit_x",
                                     gh_now_ms() + 60000, &ticket, &err),
                     0);
    expect_refused(f, ticket, "sign-in token ticket");
    gh_secret_free(ticket);
    /* a JWT template token: same key, same sid, but not a v2 session token */
    assert_int_equal(
        gh_jwt_template_create(f->app, f->app->instance->id,
                               &(struct gh_jwt_template_params){.name = "t", .claims = "{\"a\":1}"},
                               &jt, &err),
        0);
    gh_jwt_template_free(jt);
    assert_int_equal(
        gh_jwt_template_mint(f->app, f->app->instance->id, f->sid, "t", NULL, 0, &tpl, &err), 0);
    expect_refused(f, tpl, "JWT template token");
    gh_secret_free(tpl);
    /* same key, a session token without sid (or with v 1) */
    header(f, h, sizeof(h));
    snprintf(c, sizeof(c), "{\"sub\":\"%s\",\"v\":2,\"exp\":%lld}", f->uid,
             (long long)(gh_now_ms() / 1000 + 60));
    tok = forge(f->key, NULL, 0, h, c);
    expect_refused(f, tok, "no sid");
    free(tok);
    snprintf(c, sizeof(c), "{\"sub\":\"%s\",\"sid\":\"%s\",\"v\":1,\"exp\":%lld}", f->uid, f->sid,
             (long long)(gh_now_ms() / 1000 + 60));
    tok = forge(f->key, NULL, 0, h, c);
    expect_refused(f, tok, "v 1");
    free(tok);
}

/* JWT-12: oversized and segment-bomb tokens are refused outright. */
static void
test_oversized_tokens_refused(void **state)
{
    struct fixture *f = *state;
    size_t          n = 100 * 1024;
    char           *big = malloc(n + 1), *segs = malloc(20001);

    memset(big, 'a', n);
    big[n] = '\0';
    expect_refused(f, big, "100 KiB token");
    for (size_t i = 0; i < 20000; i += 2) {
        segs[i] = 'a';
        segs[i + 1] = '.';
    }
    segs[19999] = 'a';
    segs[20000] = '\0';
    expect_refused(f, segs, "10,000 segments");
    expect_refused(f, "", "empty");
    expect_refused(f, "a.b.c", "garbage");
    free(big);
    free(segs);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_control_forged_token_with_real_key_verifies, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_alg_none_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hs256_with_public_key_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_and_injected_kid_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_time_claims_and_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_kinds_refused_as_session_tokens, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_oversized_tokens_refused, setup, teardown),
    };

    return cmocka_run_group_tests_name("token_attacks", tests, NULL, NULL);
}
