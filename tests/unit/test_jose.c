/* test_jose.c: RSA key generation, RS256 compact JWS sign/verify (including
 * the classic attacks: alg none, HS256 key confusion, other algs, foreign kid,
 * malformed compact forms), HS256 signing and the public JWK. Uses OpenSSL
 * directly only to build hostile tokens and to check the JWK modulus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto/crypto.h"

#define assert_prefix(s, lit) assert_memory_equal((s), (lit), sizeof(lit) - 1)

#define PAYLOAD "{\"sub\":\"user_2abc\",\"sid\":\"sess_1\",\"exp\":1700000060}"

struct fixture {
    char               *priv_pem;
    char               *pub_pem;
    struct gh_signer   *signer;   /* kid "k1" */
    struct gh_verifier *verifier; /* kid "k1" */
    EVP_PKEY           *pkey;     /* the same private key, for hand-built tokens */
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct gh_err   err = { 0 };
    BIO            *bio;

    if (f == NULL || gh_crypto_init(&err) == -1 ||
        gh_rsa_generate(&f->priv_pem, &f->pub_pem, &err) == -1 ||
        gh_signer_new("k1", f->priv_pem, &f->signer, &err) == -1 ||
        gh_verifier_new("k1", f->pub_pem, &f->verifier, &err) == -1)
        return -1;
    bio = BIO_new_mem_buf(f->priv_pem, -1);
    f->pkey = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
    BIO_free(bio);
    *state = f;
    return f->pkey != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    gh_signer_free(f->signer);
    gh_verifier_free(f->verifier);
    gh_secret_free(f->priv_pem);
    free(f->pub_pem);
    EVP_PKEY_free(f->pkey);
    free(f);
    return 0;
}

/* b64url(header) "." b64url(payload) "." b64url(sig), the signature made with
 * OpenSSL directly using md (NULL: no signature part content, for alg none). */
static char *
hand_token(EVP_PKEY *pk, const EVP_MD *md, const char *header, const char *payload)
{
    char          *h = gh_b64url_encode(header, strlen(header));
    char          *p = gh_b64url_encode(payload, strlen(payload));
    size_t         inlen = strlen(h) + 1 + strlen(p);
    char          *in = malloc(inlen + 1), *s = NULL, *tok;
    unsigned char  sig[512];
    size_t         siglen = sizeof(sig);

    snprintf(in, inlen + 1, "%s.%s", h, p);
    if (md != NULL) {
        EVP_MD_CTX *ctx = EVP_MD_CTX_new();
        assert_int_equal(EVP_DigestSignInit(ctx, NULL, md, NULL, pk), 1);
        assert_int_equal(EVP_DigestSign(ctx, sig, &siglen, (unsigned char *)in, inlen), 1);
        EVP_MD_CTX_free(ctx);
        s = gh_b64url_encode(sig, siglen);
    }
    tok = malloc(inlen + 2 + (s != NULL ? strlen(s) : 0));
    snprintf(tok, inlen + 2 + (s != NULL ? strlen(s) : 0), "%s.%s", in, s != NULL ? s : "");
    free(h);
    free(p);
    free(in);
    free(s);
    return tok;
}

/* Verifies tok and expects an AUTH_INVALID refusal whose log note names the
 * check that should have caught it (so a test cannot pass for the wrong reason). */
static void
expect_refused(const struct gh_verifier *v, const char *tok, size_t len, const char *why)
{
    char         *payload = (char *)1;
    struct gh_err err = { 0 };

    assert_int_equal(gh_jws_verify(v, tok, len, &payload, &err), -1);
    assert_null(payload);
    assert_int_equal(err.code, GH_E_AUTH_INVALID);
    assert_string_equal(err.desc, "invalid token"); /* no hint of which check failed */
    if (strstr(err.note, why) == NULL)
        fail_msg("note \"%s\" lacks \"%s\"", err.note, why);
}

static void
test_rsa_generate_pem_forms(void **state)
{
    struct fixture *f = *state;

    /* Clerk's SDK splits the PEM body at this fixed SPKI prefix for RSA-2048. */
    assert_prefix(f->pub_pem,
        "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA");
    assert_prefix(f->priv_pem, "-----BEGIN PRIVATE KEY-----\n");
    assert_int_equal(EVP_PKEY_get_bits(f->pkey), 2048);
    BIGNUM *e = NULL;
    assert_true(EVP_PKEY_get_bn_param(f->pkey, OSSL_PKEY_PARAM_RSA_E, &e));
    assert_true(BN_is_word(e, 65537));
    BN_free(e);
}

static void
test_sign_verify_round_trip(void **state)
{
    struct fixture *f = *state;
    char           *jws, *payload;
    struct gh_err   err = { 0 };
    unsigned char  *hdr;
    size_t          hlen;

    assert_string_equal(gh_signer_kid(f->signer), "k1");
    assert_int_equal(gh_jws_sign(f->signer, PAYLOAD, &jws, &err), 0);
    assert_int_equal(gh_b64url_decode(jws, strchr(jws, '.') - jws, &hdr, &hlen), 0);
    assert_int_equal(hlen, strlen("{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}"));
    assert_memory_equal(hdr, "{\"alg\":\"RS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}", hlen);
    free(hdr);
    assert_int_equal(gh_jws_verify(f->verifier, jws, strlen(jws), &payload, &err), 0);
    assert_string_equal(payload, PAYLOAD);
    free(payload);
    free(jws);
}

static void
test_verify_accepts_header_without_kid_or_typ(void **state)
{
    struct fixture *f = *state;
    char           *tok = hand_token(f->pkey, EVP_sha256(), "{\"alg\":\"RS256\"}", PAYLOAD);
    char           *payload;
    struct gh_err   err = { 0 };

    assert_int_equal(gh_jws_verify(f->verifier, tok, strlen(tok), &payload, &err), 0);
    assert_string_equal(payload, PAYLOAD);
    free(payload);
    free(tok);
}

static void
test_verify_rejects_tampering(void **state)
{
    struct fixture *f = *state;
    char           *jws, *tampered;
    struct gh_err   err = { 0 };
    size_t          len;

    assert_int_equal(gh_jws_sign(f->signer, PAYLOAD, &jws, &err), 0);
    len = strlen(jws);
    /* a payload character in the middle (keeps the base64url canonical) */
    tampered = strdup(jws);
    char *p = strchr(tampered, '.') + 10;
    *p = *p == 'A' ? 'B' : 'A';
    expect_refused(f->verifier, tampered, len, "signature mismatch");
    free(tampered);
    /* a signature character in the middle */
    tampered = strdup(jws);
    p = strrchr(tampered, '.') + 100;
    *p = *p == 'A' ? 'B' : 'A';
    expect_refused(f->verifier, tampered, len, "signature mismatch");
    free(tampered);
    /* a payload from another token with this one's signature */
    char *other;
    assert_int_equal(gh_jws_sign(f->signer, "{\"sub\":\"user_evil\"}", &other, &err), 0);
    size_t osig = (size_t)(strrchr(other, '.') - other);
    tampered = calloc(1, len + strlen(other));
    memcpy(tampered, other, osig);
    memcpy(tampered + osig, strrchr(jws, '.'), strlen(strrchr(jws, '.')));
    expect_refused(f->verifier, tampered, strlen(tampered), "signature mismatch");
    free(tampered);
    free(other);
    free(jws);
}

static void
test_verify_rejects_alg_none(void **state)
{
    struct fixture *f = *state;
    char           *tok = hand_token(NULL, NULL, "{\"alg\":\"none\",\"typ\":\"JWT\"}", PAYLOAD);
    char           *jws, *forged;
    struct gh_err   err = { 0 };

    expect_refused(f->verifier, tok, strlen(tok), "three"); /* "h.p." */
    /* alg none with a valid RS256 signature borrowed from a real token */
    assert_int_equal(gh_jws_sign(f->signer, PAYLOAD, &jws, &err), 0);
    forged = malloc(strlen(tok) + strlen(jws));
    snprintf(forged, strlen(tok) + strlen(jws), "%s%s", tok, strrchr(jws, '.') + 1);
    expect_refused(f->verifier, forged, strlen(forged), "alg is not RS256");
    free(forged);
    free(jws);
    free(tok);
}

static void
test_verify_rejects_hs256_signed_with_public_pem(void **state)
{
    struct fixture *f = *state;
    char           *tok;
    struct gh_err   err = { 0 };

    /* Key confusion: an attacker HMACs with the public key a naive verifier
     * would also use as the HMAC secret. */
    assert_int_equal(gh_jws_sign_hs256(f->pub_pem, strlen(f->pub_pem), PAYLOAD, &tok, &err), 0);
    expect_refused(f->verifier, tok, strlen(tok), "alg is not RS256");
    free(tok);
}

static void
test_verify_rejects_other_algs_and_headers(void **state)
{
    struct fixture *f = *state;
    static const struct {
        const char *header, *why;
    } cases[] = {
        { "{\"alg\":\"RS384\",\"kid\":\"k1\",\"typ\":\"JWT\"}", "alg is not RS256" },
        { "{\"alg\":\"rs256\",\"kid\":\"k1\"}", "alg is not RS256" },
        { "{\"kid\":\"k1\",\"typ\":\"JWT\"}", "alg is not RS256" },
        { "{\"alg\":[\"RS256\"]}", "alg is not RS256" },
        { "{\"alg\":\"RS256\",\"typ\":\"at+jwt\"}", "typ is not JWT" },
        { "{\"alg\":\"RS256\",\"kid\":7}", "kid does not match" },
        { "{\"alg\":\"RS256\",\"crit\":[\"exp\"],\"exp\":1}", "crit" },
        { "{\"alg\":\"RS256\",\"alg\":\"RS256\"}", "not a JSON object" }, /* duplicate */
        { "[\"alg\",\"RS256\"]", "not a JSON object" },
        { "{\"alg\":\"RS256\"", "not a JSON object" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        /* RS384 really signed with SHA-384; the rest with SHA-256 */
        char *tok = hand_token(f->pkey, i == 0 ? EVP_sha384() : EVP_sha256(), cases[i].header,
            PAYLOAD);
        expect_refused(f->verifier, tok, strlen(tok), cases[i].why);
        free(tok);
    }
}

static void
test_verify_rejects_wrong_kid(void **state)
{
    struct fixture     *f = *state;
    struct gh_verifier *v2;
    char               *jws;
    struct gh_err       err = { 0 };

    assert_int_equal(gh_verifier_new("k2", f->pub_pem, &v2, &err), 0);
    assert_int_equal(gh_jws_sign(f->signer, PAYLOAD, &jws, &err), 0);
    expect_refused(v2, jws, strlen(jws), "kid does not match");
    free(jws);
    gh_verifier_free(v2);
}

static void
test_verify_rejects_other_key(void **state)
{
    struct fixture   *f = *state;
    char             *priv, *pub, *jws;
    struct gh_signer *s2;
    struct gh_err     err = { 0 };

    assert_int_equal(gh_rsa_generate(&priv, &pub, &err), 0);
    assert_int_equal(gh_signer_new("k1", priv, &s2, &err), 0);
    assert_int_equal(gh_jws_sign(s2, PAYLOAD, &jws, &err), 0);
    expect_refused(f->verifier, jws, strlen(jws), "signature mismatch");
    free(jws);
    gh_signer_free(s2);
    gh_secret_free(priv);
    free(pub);
}

static void
test_verify_rejects_malformed_compact(void **state)
{
    struct fixture *f = *state;
    char           *jws, *buf;
    struct gh_err   err = { 0 };
    size_t          len;

    assert_int_equal(gh_jws_sign(f->signer, PAYLOAD, &jws, &err), 0);
    len = strlen(jws);
    buf = malloc(len + 64);
    /* two parts */
    expect_refused(f->verifier, jws, (size_t)(strrchr(jws, '.') - jws), "three");
    /* four parts */
    snprintf(buf, len + 64, "%s.e30", jws);
    expect_refused(f->verifier, buf, strlen(buf), "three");
    /* empty parts */
    expect_refused(f->verifier, "..", 2, "three");
    expect_refused(f->verifier, "", 0, "three");
    snprintf(buf, len + 64, ".%s", strchr(jws, '.') + 1);
    expect_refused(f->verifier, buf, strlen(buf), "three");
    /* bad base64url in the payload, padding in the signature, a NUL inside */
    snprintf(buf, len + 64, "%s", jws);
    strchr(buf, '.')[5] = '*';
    expect_refused(f->verifier, buf, len, "bad payload encoding");
    snprintf(buf, len + 64, "%s=", jws);
    expect_refused(f->verifier, buf, len + 1, "three");
    snprintf(buf, len + 64, "%s", jws);
    strchr(buf, '.')[5] = '\0';
    expect_refused(f->verifier, buf, len, "three"); /* NUL refused while splitting */
    snprintf(buf, len + 64, "%s", jws);
    buf[3] = '*';
    expect_refused(f->verifier, buf, len, "header is not base64url");
    /* the right token, but a length that cuts the signature short */
    expect_refused(f->verifier, jws, len - 4, "bad signature");
    free(buf);
    free(jws);
}

static void
test_verify_rejects_oversized(void **state)
{
    struct fixture *f = *state;
    char           *big = malloc(13000), *jws, *payload;
    struct gh_err   err = { 0 };

    memset(big, 'a', 12999);
    big[0] = '"';
    big[12998] = '"';
    big[12999] = '\0';
    assert_int_equal(gh_jws_sign(f->signer, big, &jws, &err), 0);
    assert_true(strlen(jws) > 16384);
    expect_refused(f->verifier, jws, strlen(jws), "too large");
    free(jws);
    /* just under the limit still verifies */
    big[11000] = '"';
    big[11001] = '\0';
    assert_int_equal(gh_jws_sign(f->signer, big, &jws, &err), 0);
    assert_true(strlen(jws) <= 16384);
    assert_int_equal(gh_jws_verify(f->verifier, jws, strlen(jws), &payload, &err), 0);
    free(payload);
    free(jws);
    free(big);
}

static void
test_hs256_known_answer(void **state)
{
    char         *tok;
    struct gh_err err = { 0 };

    /* RFC 7515 §A.1 style: HMAC-SHA-256 over b64url(header) "." b64url(payload),
     * checked against OpenSSL's HMAC of the same input. */
    assert_int_equal(gh_jws_sign_hs256("secret-key-of-32-bytes-or-more!!", 32, "{\"a\":1}", &tok,
        &err), 0);
    assert_prefix(tok, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhIjoxfQ.");
    unsigned char mac[32];
    char         *want;
    gh_hmac_sha256("secret-key-of-32-bytes-or-more!!", 32,
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhIjoxfQ", 47, mac);
    want = gh_b64url_encode(mac, 32);
    assert_string_equal(tok + 48, want);
    free(want);
    free(tok);
    assert_int_equal(gh_jws_sign_hs256("", 0, "{}", &tok, &err), -1);
    assert_null(tok);
}

static void
test_jwk_from_pem(void **state)
{
    struct fixture *f = *state;
    char           *jwk;
    struct gh_err   err = { 0 };
    json_t         *doc;
    unsigned char  *n;
    size_t          nlen;
    BIGNUM         *bn_jwk, *bn_key = NULL;

    assert_int_equal(gh_jwk_from_pem("k1", f->pub_pem, &jwk, &err), 0);
    assert_prefix(jwk,
        "{\"use\":\"sig\",\"kty\":\"RSA\",\"kid\":\"k1\",\"alg\":\"RS256\",\"n\":\"");
    assert_non_null(strstr(jwk, "\",\"e\":\"AQAB\"}"));
    doc = json_loads(jwk, 0, NULL);
    assert_non_null(doc);
    const char *ns = json_string_value(json_object_get(doc, "n"));
    assert_null(strchr(ns, '='));
    assert_int_equal(gh_b64url_decode(ns, strlen(ns), &n, &nlen), 0);
    assert_int_equal(nlen, 256);
    assert_true(n[0] != 0); /* no leading zero byte */
    bn_jwk = BN_bin2bn(n, (int)nlen, NULL);
    assert_true(EVP_PKEY_get_bn_param(f->pkey, OSSL_PKEY_PARAM_RSA_N, &bn_key));
    assert_int_equal(BN_cmp(bn_jwk, bn_key), 0);
    BN_free(bn_jwk);
    BN_free(bn_key);
    free(n);
    json_decref(doc);
    free(jwk);
}

static void
test_bad_keys_refused(void **state)
{
    struct fixture     *f = *state;
    struct gh_signer   *s;
    struct gh_verifier *v;
    char               *jwk;
    struct gh_err       err = { 0 };

    assert_int_equal(gh_signer_new("k1", "not a pem", &s, &err), -1);
    assert_null(s);
    gh_err_clear(&err);
    assert_int_equal(gh_signer_new("k1", f->pub_pem, &s, &err), -1);
    gh_err_clear(&err);
    assert_int_equal(gh_signer_new("", f->priv_pem, &s, &err), -1);
    gh_err_clear(&err);
    assert_int_equal(gh_verifier_new("k1", f->priv_pem, &v, &err), -1);
    assert_null(v);
    gh_err_clear(&err);
    assert_int_equal(gh_jwk_from_pem("k1", "junk", &jwk, &err), -1);
    assert_null(jwk);
    /* a 1024-bit key is too weak to sign session tokens */
    EVP_PKEY *small = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    BIO      *bio = BIO_new(BIO_s_mem());
    char     *data;
    assert_true(PEM_write_bio_PrivateKey(bio, small, NULL, NULL, 0, NULL, NULL));
    long len = BIO_get_mem_data(bio, &data);
    char *pem = strndup(data, (size_t)len);
    gh_err_clear(&err);
    assert_int_equal(gh_signer_new("k1", pem, &s, &err), -1);
    free(pem);
    BIO_free(bio);
    EVP_PKEY_free(small);
}

struct worker {
    struct fixture *f;
    int             failures;
};

static void *
sign_many(void *arg)
{
    struct worker *w = arg;
    char           payload[64];

    for (int i = 0; i < 40; i++) {
        char         *jws = NULL, *out = NULL;
        struct gh_err err = { 0 };

        snprintf(payload, sizeof(payload), "{\"n\":%d}", i);
        if (gh_jws_sign(w->f->signer, payload, &jws, &err) == -1 ||
            gh_jws_verify(w->f->verifier, jws, strlen(jws), &out, &err) == -1 ||
            strcmp(out, payload) != 0)
            w->failures++;
        free(jws);
        free(out);
    }
    return NULL;
}

static void
test_concurrent_sign_and_verify(void **state)
{
    struct worker w[4];
    pthread_t     t[4];

    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){ *state, 0 };
        assert_int_equal(pthread_create(&t[i], NULL, sign_many, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(w[i].failures, 0);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa_generate_pem_forms),
        cmocka_unit_test(test_sign_verify_round_trip),
        cmocka_unit_test(test_verify_accepts_header_without_kid_or_typ),
        cmocka_unit_test(test_verify_rejects_tampering),
        cmocka_unit_test(test_verify_rejects_alg_none),
        cmocka_unit_test(test_verify_rejects_hs256_signed_with_public_pem),
        cmocka_unit_test(test_verify_rejects_other_algs_and_headers),
        cmocka_unit_test(test_verify_rejects_wrong_kid),
        cmocka_unit_test(test_verify_rejects_other_key),
        cmocka_unit_test(test_verify_rejects_malformed_compact),
        cmocka_unit_test(test_verify_rejects_oversized),
        cmocka_unit_test(test_hs256_known_answer),
        cmocka_unit_test(test_jwk_from_pem),
        cmocka_unit_test(test_bad_keys_refused),
        cmocka_unit_test(test_concurrent_sign_and_verify),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
