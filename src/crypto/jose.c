/* jose.c: RSA signing keys, compact JWS (RS256 sign/verify, HS256 sign) and
 * the public JWK, on OpenSSL 3 and cjose. Signing is the token-minting hot
 * path and goes straight to EVP_DigestSign on a pre-parsed key with a
 * precomputed header; verification and JWK export go through cjose, after our
 * own strict checks of the compact form and the header (alg pinned to RS256).
 * The only cjose includer. Claims are not looked at here (core/token.c). */
#include "crypto/crypto.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjose/cjose.h>
#include <jansson.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sodium.h>

#include "util/buf.h"
#include "util/str.h"

#define JWS_MAX       16384 /* bytes; refuse larger compact tokens before parsing */
#define RSA_MIN_BITS  2048
#define RSA_MAX_BITS  8192
#define SIG_MAX       (RSA_MAX_BITS / 8)
#define KID_MAX       128
#define B64URL        sodium_base64_VARIANT_URLSAFE_NO_PADDING

struct gh_signer {
    EVP_PKEY *pkey;     /* RSA private key; shared read-only by signing threads */
    EVP_MD   *sha256;   /* fetched once: EVP_sha256() would re-fetch on every init */
    char     *kid;
    char     *hdr_b64;  /* base64url({"alg":"RS256","kid":..,"typ":"JWT"}) */
    size_t    hdr_len;  /* strlen(hdr_b64) */
    size_t    sig_len;  /* signature bytes = modulus bytes */
};

struct gh_verifier {
    cjose_jwk_t *jwk;   /* RSA public key; cjose verify does not modify it */
    char        *kid;
    size_t       sig_len;
};

/* Moves OpenSSL's (thread-local) error queue into the note and empties it, so
 * a stale error never surfaces in an unrelated later call. */
static void
note_ossl(struct gh_err *err, const char *what)
{
    unsigned long e = ERR_get_error();
    char          buf[160];

    ERR_error_string_n(e, buf, sizeof(buf));
    gh_err_note(err, "%s: %s", what, e != 0 ? buf : "no detail");
    ERR_clear_error();
}

static int
fail_ossl(struct gh_err *err, enum gh_err_code code, const char *desc, const char *what)
{
    GH_FAIL(err, code, desc);
    note_ossl(err, what);
    return -1;
}

/* PEM password callback: refuse, rather than let OpenSSL prompt on a tty. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1;
}

static int
check_rsa(EVP_PKEY *pk, struct gh_err *err)
{
    int bits;

    if (!EVP_PKEY_is_a(pk, "RSA"))
        return GH_FAIL(err, GH_E_INTERNAL, "signing key is not an RSA key");
    bits = EVP_PKEY_get_bits(pk);
    if (bits < RSA_MIN_BITS || bits > RSA_MAX_BITS) {
        GH_FAIL(err, GH_E_INTERNAL, "RSA key size not supported");
        gh_err_note(err, "bits=%d", bits);
        return -1;
    }
    return 0;
}

/* Parses a PEM key (private when priv, else SPKI public) and checks it is RSA
 * of a usable size. The BIO reads the caller's buffer in place: no copy of the
 * private PEM is made, and OpenSSL clears its own decode buffers. */
static int
read_pem(const char *pem, int priv, EVP_PKEY **out, struct gh_err *err)
{
    BIO      *bio = NULL;
    EVP_PKEY *pk = NULL;
    int       rc = -1;

    *out = NULL;
    if (pem == NULL || (bio = BIO_new_mem_buf(pem, -1)) == NULL) {
        GH_FAIL(err, GH_E_INTERNAL, "cannot read key");
        goto done;
    }
    pk = priv ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)
              : PEM_read_bio_PUBKEY(bio, NULL, no_passphrase, NULL);
    if (pk == NULL) {
        fail_ossl(err, GH_E_INTERNAL, "cannot parse PEM key", priv ? "private" : "public");
        goto done;
    }
    if (check_rsa(pk, err) == -1)
        goto done;
    *out = pk;
    pk = NULL;
    rc = 0;
done:
    EVP_PKEY_free(pk);
    BIO_free(bio);
    return rc;
}

/* Copies a memory BIO's content into a fresh NUL-terminated string. */
static char *
bio_take(BIO *bio)
{
    char *data = NULL;
    long  n = BIO_get_mem_data(bio, &data);
    char *s;

    if (n <= 0 || (s = malloc((size_t)n + 1)) == NULL)
        return NULL;
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    return s;
}

/* See crypto.h. The private PEM passes through a secure-memory BIO that is
 * cleared on free. Both out-params NULL on failure. */
int
gh_rsa_generate(char **priv_pem, char **pub_pem, struct gh_err *err)
{
    EVP_PKEY *pk = NULL;
    BIO      *bpriv = NULL, *bpub = NULL;
    char     *priv = NULL, *pub = NULL;
    int       rc = -1;

    *priv_pem = *pub_pem = NULL;
    /* OpenSSL's RSA keygen default exponent is 65537 (RSA_F4). */
    pk = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)RSA_MIN_BITS);
    if (pk == NULL) {
        fail_ossl(err, GH_E_INTERNAL, "key generation failed", "keygen");
        goto done;
    }
    bpriv = BIO_new(BIO_s_secmem());
    bpub = BIO_new(BIO_s_mem());
    /* PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY") unencrypted. */
    if (bpriv == NULL || bpub == NULL ||
        !PEM_write_bio_PrivateKey(bpriv, pk, NULL, NULL, 0, NULL, NULL) ||
        !PEM_write_bio_PUBKEY(bpub, pk)) {
        fail_ossl(err, GH_E_INTERNAL, "key encoding failed", "pem");
        goto done;
    }
    if ((priv = bio_take(bpriv)) == NULL || (pub = bio_take(bpub)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, "out of memory");
        goto done;
    }
    *priv_pem = priv;
    *pub_pem = pub;
    priv = pub = NULL;
    rc = 0;
done:
    gh_secret_free(priv);
    free(pub);
    BIO_free(bpriv);
    BIO_free(bpub);
    EVP_PKEY_free(pk);
    return rc;
}

static int
check_kid(const char *kid, struct gh_err *err)
{
    if (kid == NULL || kid[0] == '\0' || strlen(kid) > KID_MAX)
        return GH_FAIL(err, GH_E_INTERNAL, "invalid key id");
    return 0;
}

/* base64url of the fixed RS256 header; the kid goes through the JSON string
 * encoder so an odd kid cannot break out of its quotes. */
static char *
make_header(const char *kid)
{
    struct gh_buf b;
    char         *s;

    gh_buf_init(&b, 512);
    gh_buf_add(&b, "{\"alg\":\"RS256\",\"kid\":");
    gh_buf_add_json_str(&b, kid);
    gh_buf_add(&b, ",\"typ\":\"JWT\"}");
    s = gh_buf_failed(&b) ? NULL : gh_b64url_encode(gh_buf_str(&b), gh_buf_len(&b));
    gh_buf_clear(&b);
    return s;
}

/* See crypto.h. *out owns the parsed key; the caller may wipe priv_pem as
 * soon as this returns. */
int
gh_signer_new(const char *kid, const char *priv_pem, struct gh_signer **out,
    struct gh_err *err)
{
    struct gh_signer *s = NULL;
    int               rc = -1;

    *out = NULL;
    if (check_kid(kid, err) == -1)
        return -1;
    if ((s = calloc(1, sizeof(*s))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, "out of memory");
        goto done;
    }
    if (read_pem(priv_pem, 1, &s->pkey, err) == -1)
        goto done;
    if ((s->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL) {
        fail_ossl(err, GH_E_INTERNAL, "SHA-256 unavailable", "fetch");
        goto done;
    }
    s->kid = strdup(kid);
    s->hdr_b64 = make_header(kid);
    if (s->kid == NULL || s->hdr_b64 == NULL) {
        GH_FAIL(err, GH_E_NOMEM, "out of memory");
        goto done;
    }
    s->hdr_len = strlen(s->hdr_b64);
    s->sig_len = (size_t)EVP_PKEY_get_size(s->pkey);
    *out = s;
    s = NULL;
    rc = 0;
done:
    gh_signer_free(s);
    return rc;
}

void
gh_signer_free(struct gh_signer *s)
{
    if (s == NULL)
        return;
    EVP_PKEY_free(s->pkey); /* OpenSSL clears private key material on free */
    EVP_MD_free(s->sha256);
    free(s->kid);
    free(s->hdr_b64);
    free(s);
}

const char *
gh_signer_kid(const struct gh_signer *s)
{
    return s->kid;
}

/* RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3) over in[0..n). A fresh
 * EVP_MD_CTX per call makes concurrent use of one EVP_PKEY (and of the
 * fetched, immutable EVP_MD) safe. Measured single-threaded, this path,
 * cjose_jws_sign and `openssl speed rsa2048` land within a few percent of each
 * other: the RSA private operation is nearly all the cost. The digest is
 * pre-fetched so EVP_DigestSignInit does no implicit fetch per call. */
static int
rs256(const struct gh_signer *s, const char *in, size_t n, unsigned char *sig, size_t *siglen,
    struct gh_err *err)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int         rc = -1;

    if (ctx == NULL || EVP_DigestSignInit(ctx, NULL, s->sha256, NULL, s->pkey) != 1 ||
        EVP_DigestSign(ctx, sig, siglen, (const unsigned char *)in, n) != 1) {
        fail_ossl(err, GH_E_INTERNAL, "signing failed", "rs256");
        goto done;
    }
    rc = 0;
done:
    EVP_MD_CTX_free(ctx);
    return rc;
}

/* Builds hdr "." b64url(payload) "." b64url(sig) in one allocation; sign_fn
 * fills the signature over the first two parts. */
typedef int sign_fn(const void *key, const char *in, size_t n, unsigned char *sig,
    size_t *siglen, struct gh_err *err);

static int
compact(const char *hdr, size_t hlen, const char *payload, size_t siglen_max, sign_fn *fn,
    const void *key, char **jws, struct gh_err *err)
{
    size_t        plen = strlen(payload), p64, s64, in_len, siglen = siglen_max;
    unsigned char sig[SIG_MAX];
    char         *out;

    *jws = NULL;
    if (plen > SIZE_MAX / 2)
        return GH_FAIL(err, GH_E_INTERNAL, "payload too large");
    p64 = sodium_base64_ENCODED_LEN(plen, B64URL) - 1;
    s64 = sodium_base64_ENCODED_LEN(siglen_max, B64URL) - 1;
    in_len = hlen + 1 + p64;
    if ((out = malloc(in_len + 1 + s64 + 1)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, "out of memory");
    memcpy(out, hdr, hlen);
    out[hlen] = '.';
    sodium_bin2base64(out + hlen + 1, p64 + 1, (const unsigned char *)payload, plen, B64URL);
    if (fn(key, out, in_len, sig, &siglen, err) == -1) {
        free(out);
        return -1;
    }
    out[in_len] = '.';
    sodium_bin2base64(out + in_len + 1, s64 + 1, sig, siglen, B64URL);
    *jws = out;
    return 0;
}

static int
sign_rs256(const void *key, const char *in, size_t n, unsigned char *sig, size_t *siglen,
    struct gh_err *err)
{
    return rs256(key, in, n, sig, siglen, err);
}

/* See crypto.h. Thread-safe on a shared signer. *jws NULL on failure. */
int
gh_jws_sign(const struct gh_signer *s, const char *payload_json, char **jws,
    struct gh_err *err)
{
    return compact(s->hdr_b64, s->hdr_len, payload_json, s->sig_len, sign_rs256, s, jws, err);
}

struct hmac_key {
    const void *p;
    size_t      n;
};

static int
sign_hs256(const void *key, const char *in, size_t n, unsigned char *sig, size_t *siglen,
    struct gh_err *err)
{
    const struct hmac_key *k = key;

    gh_hmac_sha256(k->p, k->n, in, n, sig);
    *siglen = 32;
    return 0;
}

/* See crypto.h. An empty key is refused (RFC 7518 §3.2 wants >= 256 bits;
 * shorter template keys are the operator's choice and still accepted). */
int
gh_jws_sign_hs256(const void *key, size_t klen, const char *payload_json, char **jws,
    struct gh_err *err)
{
    /* base64url('{"alg":"HS256","typ":"JWT"}') */
    static const char hdr[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
    struct hmac_key   k = { key, klen };

    *jws = NULL;
    if (key == NULL || klen == 0)
        return GH_FAIL(err, GH_E_INTERNAL, "empty HS256 key");
    return compact(hdr, sizeof(hdr) - 1, payload_json, 32, sign_hs256, &k, jws, err);
}

/* ---- verification and JWK (cjose) ---- */

static int
bn_bytes(EVP_PKEY *pk, const char *name, uint8_t **out, size_t *len)
{
    BIGNUM *bn = NULL;
    int     n;

    *out = NULL;
    if (!EVP_PKEY_get_bn_param(pk, name, &bn))
        return -1;
    n = BN_num_bytes(bn);
    if ((*out = malloc(n > 0 ? (size_t)n : 1)) != NULL)
        *len = (size_t)BN_bn2bin(bn, *out); /* big-endian, no leading zero byte */
    BN_free(bn);
    return *out != NULL ? 0 : -1;
}

/* A cjose public JWK holding the modulus and exponent of pk. */
static cjose_jwk_t *
rsa_jwk(EVP_PKEY *pk, struct gh_err *err)
{
    cjose_jwk_rsa_keyspec spec;
    cjose_jwk_t          *jwk = NULL;
    cjose_err             cerr;

    memset(&spec, 0, sizeof(spec));
    if (bn_bytes(pk, OSSL_PKEY_PARAM_RSA_N, &spec.n, &spec.nlen) == -1 ||
        bn_bytes(pk, OSSL_PKEY_PARAM_RSA_E, &spec.e, &spec.elen) == -1) {
        fail_ossl(err, GH_E_INTERNAL, "cannot read RSA key", "n/e");
        goto done;
    }
    jwk = cjose_jwk_create_RSA_spec(&spec, &cerr);
    if (jwk == NULL) {
        GH_FAIL(err, GH_E_INTERNAL, "cannot load RSA key");
        gh_err_note(err, "cjose: %s", cerr.message);
    }
done:
    free(spec.n);
    free(spec.e);
    return jwk;
}

/* See crypto.h. pub_pem must be an SPKI PEM of an RSA key >= 2048 bits. */
int
gh_verifier_new(const char *kid, const char *pub_pem, struct gh_verifier **out,
    struct gh_err *err)
{
    struct gh_verifier *v = NULL;
    EVP_PKEY           *pk = NULL;
    int                 rc = -1;

    *out = NULL;
    if (check_kid(kid, err) == -1 || read_pem(pub_pem, 0, &pk, err) == -1)
        goto done;
    if ((v = calloc(1, sizeof(*v))) == NULL || (v->kid = strdup(kid)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, "out of memory");
        goto done;
    }
    v->sig_len = (size_t)EVP_PKEY_get_size(pk);
    if ((v->jwk = rsa_jwk(pk, err)) == NULL)
        goto done;
    *out = v;
    v = NULL;
    rc = 0;
done:
    gh_verifier_free(v);
    EVP_PKEY_free(pk);
    return rc;
}

void
gh_verifier_free(struct gh_verifier *v)
{
    if (v == NULL)
        return;
    if (v->jwk != NULL)
        cjose_jwk_release(v->jwk);
    free(v->kid);
    free(v);
}

static int
bad_token(struct gh_err *err, const char *why)
{
    GH_FAIL(err, GH_E_AUTH_INVALID, "invalid token");
    gh_err_note(err, "jws: %s", why);
    return -1;
}

/* RFC 7515 §4.1: the header decides how the signature is checked, so it is
 * pinned before any key is used. alg must be exactly RS256: "none" would skip
 * the check and HS256 would make our public key an HMAC secret (key
 * confusion). A kid naming another key and a "crit" we cannot honour refuse. */
static int
check_header(const struct gh_verifier *v, const char *h, size_t hlen, struct gh_err *err)
{
    unsigned char *raw = NULL;
    size_t         rawlen = 0;
    json_t        *hdr = NULL, *kid, *typ;
    json_error_t   jerr;
    const char    *why = NULL;

    if (gh_b64url_decode(h, hlen, &raw, &rawlen) == -1)
        why = "header is not base64url";
    else if ((hdr = json_loadb((const char *)raw, rawlen, JSON_REJECT_DUPLICATES, &jerr)) ==
                 NULL || !json_is_object(hdr))
        why = "header is not a JSON object";
    else if (!gh_str_eq(json_string_value(json_object_get(hdr, "alg")), "RS256"))
        why = "alg is not RS256";
    else if ((kid = json_object_get(hdr, "kid")) != NULL &&
             !gh_str_eq(json_string_value(kid), v->kid))
        why = "kid does not match";
    else if ((typ = json_object_get(hdr, "typ")) != NULL &&
             !gh_str_eq(json_string_value(typ), "JWT"))
        why = "typ is not JWT";
    else if (json_object_get(hdr, "crit") != NULL)
        why = "crit header not supported";
    json_decref(hdr);
    free(raw);
    return why != NULL ? bad_token(err, why) : 0;
}

/* Splits a compact JWS into exactly three non-empty parts; dot[] gets the
 * offsets of the two dots. Padding is refused (RFC 7515 §2: none in JWS). */
static int
split3(const char *jws, size_t len, size_t dot[2])
{
    int nd = 0;

    for (size_t i = 0; i < len; i++) {
        if (jws[i] == '=' || jws[i] == '\0')
            return -1;
        if (jws[i] != '.')
            continue;
        if (nd == 2)
            return -1;
        dot[nd++] = i;
    }
    if (nd != 2 || dot[0] == 0 || dot[1] == dot[0] + 1 || dot[1] + 1 == len)
        return -1;
    return 0;
}

/* The signature check proper, by cjose on the original compact text. */
static int
cjose_check(const struct gh_verifier *v, const char *jws, size_t len, struct gh_err *err)
{
    cjose_jws_t *cj;
    cjose_err    cerr;
    int          ok;

    cj = cjose_jws_import(jws, len, &cerr);
    if (cj == NULL)
        return bad_token(err, "cjose cannot parse token");
    ok = cjose_jws_verify(cj, v->jwk, &cerr);
    cjose_jws_release(cj);
    ERR_clear_error(); /* a failed RSA_verify leaves errors on this thread's queue */
    return ok ? 0 : bad_token(err, "signature mismatch");
}

/* See crypto.h. Every failure is GH_E_AUTH_INVALID with desc "invalid token";
 * which check failed is in err->note only. *payload_json NULL on failure. */
int
gh_jws_verify(const struct gh_verifier *v, const char *jws, size_t len, char **payload_json,
    struct gh_err *err)
{
    unsigned char *sig = NULL, *payload = NULL;
    size_t         siglen = 0, plen = 0, dot[2];
    char          *out = NULL;
    int            rc = -1;

    *payload_json = NULL;
    if (jws == NULL || len > JWS_MAX)
        return bad_token(err, "token too large");
    if (split3(jws, len, dot) == -1)
        return bad_token(err, "not three non-empty parts");
    if (check_header(v, jws, dot[0], err) == -1)
        return -1;
    if (gh_b64url_decode(jws + dot[1] + 1, len - dot[1] - 1, &sig, &siglen) == -1 ||
        siglen != v->sig_len) {
        bad_token(err, "bad signature encoding or length");
        goto done;
    }
    if (gh_b64url_decode(jws + dot[0] + 1, dot[1] - dot[0] - 1, &payload, &plen) == -1 ||
        memchr(payload, '\0', plen) != NULL) {
        bad_token(err, "bad payload encoding");
        goto done;
    }
    if (cjose_check(v, jws, len, err) == -1)
        goto done;
    if ((out = malloc(plen + 1)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, "out of memory");
        goto done;
    }
    memcpy(out, payload, plen);
    out[plen] = '\0';
    *payload_json = out;
    rc = 0;
done:
    free(sig);
    free(payload);
    return rc;
}

/* n and e of jwk as cjose exports them (unpadded base64url, big-endian, no
 * leading zero byte); *n and *e are borrowed from *doc, which the caller
 * releases. */
static int
jwk_n_e(const cjose_jwk_t *jwk, json_t **doc, const char **n, const char **e,
    struct gh_err *err)
{
    cjose_err cerr;
    char     *text = cjose_jwk_to_json(jwk, false, &cerr);

    *doc = NULL;
    if (text == NULL) {
        GH_FAIL(err, GH_E_INTERNAL, "cannot export JWK");
        gh_err_note(err, "cjose: %s", cerr.message);
        return -1;
    }
    *doc = json_loads(text, 0, NULL);
    cjose_get_dealloc()(text);
    *n = json_string_value(json_object_get(*doc, "n"));
    *e = json_string_value(json_object_get(*doc, "e"));
    if (*n == NULL || *e == NULL)
        return GH_FAIL(err, GH_E_INTERNAL, "cannot export JWK");
    return 0;
}

/* See crypto.h. Members in the order Clerk's JWKS shows them. *jwk_json
 * malloc'd (plain free) on success, NULL on failure. */
int
gh_jwk_from_pem(const char *kid, const char *pub_pem, char **jwk_json, struct gh_err *err)
{
    EVP_PKEY    *pk = NULL;
    cjose_jwk_t *jwk = NULL;
    json_t      *doc = NULL, *obj = NULL;
    const char  *n, *e;
    int          rc = -1;

    *jwk_json = NULL;
    if (check_kid(kid, err) == -1 || read_pem(pub_pem, 0, &pk, err) == -1)
        goto done;
    if ((jwk = rsa_jwk(pk, err)) == NULL || jwk_n_e(jwk, &doc, &n, &e, err) == -1)
        goto done;
    /* jansson keeps insertion order when dumping. */
    obj = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "use", "sig", "kty", "RSA", "kid", kid,
        "alg", "RS256", "n", n, "e", e);
    if (obj == NULL || (*jwk_json = json_dumps(obj, JSON_COMPACT)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, "out of memory");
        goto done;
    }
    rc = 0;
done:
    json_decref(obj);
    json_decref(doc);
    if (jwk != NULL)
        cjose_jwk_release(jwk);
    EVP_PKEY_free(pk);
    return rc;
}
