/* crypto.h: everything cryptographic Gatehouse does, behind our own types.
 * This directory is the only place that includes OpenSSL, cjose or libsodium
 * headers. Call gh_crypto_init() once before anything else. Secrets handed out
 * as char * are wiped and freed with gh_secret_free(). */
#ifndef GH_CRYPTO_CRYPTO_H
#define GH_CRYPTO_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

int gh_crypto_init(struct gh_err *err); /* sodium_init etc.; idempotent */

/* ---- random, encodings, digests ---- */
void gh_rand_bytes(void *buf, size_t n);                 /* CSPRNG; aborts on failure */
/* Writes n random base62 characters and a NUL to out (out has n+1 bytes). */
void gh_rand_base62(char *out, size_t n);
/* Base64url without padding. Returns a malloc'd string; NULL on OOM. */
char *gh_b64url_encode(const void *p, size_t n);
/* Accepts base64url with or without padding. *out malloc'd. -1 on bad input. */
int   gh_b64url_decode(const char *s, size_t slen, unsigned char **out, size_t *outlen);
/* Standard base64 with padding (publishable keys, webhook signatures). */
char *gh_b64_encode(const void *p, size_t n);
int   gh_b64_decode(const char *s, size_t slen, unsigned char **out, size_t *outlen);
void  gh_sha256(const void *p, size_t n, unsigned char out[32]);
void  gh_sha256_hex(const void *p, size_t n, char out[65]);
void  gh_sha1_hex_upper(const void *p, size_t n, char out[41]); /* breached-password API only */
void  gh_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
    unsigned char out[32]);
int   gh_ct_equal(const void *a, const void *b, size_t n); /* 1 when equal; constant time */
void  gh_secret_free(char *s);                            /* wipes strlen(s) bytes, frees; NULL ok */
void  gh_memzero(void *p, size_t n);

/* ---- passwords (argon2id, libsodium; OWASP m=19 MiB, t=2, p=1) ---- */
/* Hashes pw[0..len) (may contain NUL bytes: the length is what counts) into a
 * PHC string ($argon2id$v=19$m=19456,t=2,p=1$…). *phc_out malloc'd. */
int gh_password_hash(const char *pw, size_t len, char **phc_out, struct gh_err *err);
/* *ok = 1 when pw matches phc. Unknown/malformed hash → -1 with GH_E_INTERNAL.
 * *needs_rehash = 1 when the hash is not argon2id at the current parameters
 * (may be NULL). */
int gh_password_verify(const char *phc, const char *pw, size_t len, int *ok, int *needs_rehash,
    struct gh_err *err);
/* Burns the same time as a verify against a fixed dummy hash, for unknown
 * identifiers (enumeration resistance). */
void gh_password_dummy_verify(const char *pw, size_t len);

/* ---- imported password digests (digest.c; issue 3, password imports) ---- */
/* Stored form of an imported digest: GH_DIGEST_PREFIX "<hasher>$<digest>".
 * gh_password_verify checks it (needs_rehash is always 1). */
#define GH_DIGEST_PREFIX "$gh-import$"
#define GH_DIGEST_MAX    1024 /* bytes of a digest as given */
enum { GH_DIGEST_OK = 0, GH_DIGEST_UNKNOWN = 1, GH_DIGEST_MALFORMED = 2, GH_DIGEST_NOMEM = 3 };
/* Whether `digest` is in the form Clerk documents for `hasher` (argon2i,
 * argon2id, bcrypt, bcrypt_sha256_django, md5, sha256, pbkdf2_sha256,
 * pbkdf2_sha256_django, pbkdf2_sha1, phpass, md5_phpass, scrypt_firebase,
 * scrypt_werkzeug, ldap_ssha) and within our cost bounds: GH_DIGEST_*. */
int   gh_digest_check(const char *hasher, const char *digest);
/* The stored form of a checked digest; malloc'd, NULL on OOM. */
char *gh_digest_wrap(const char *hasher, const char *digest);
/* Verifier for the stored form: 0 with *ok set, -1 when unreadable. */
int   gh_digest_verify(const char *phc, const char *pw, size_t len, int *ok);

/* ---- TOTP (totp.c, liboath; issue 3) ---- */
#define GH_TOTP_SECRET_MAX 128 /* base32 characters */
/* 1 when b32 is base32 (any case, '=' and spaces ignored) of ≥ 80 bits. */
int gh_totp_secret_valid(const char *b32);
/* *ok = 1 when code is the 6-digit RFC 6238 code (30 s, SHA-1) for now_s or
 * one step either side. An unreadable secret → -1 with GH_E_INTERNAL. */
int gh_totp_check(const char *b32, const char *code, int64_t now_s, int *ok,
    struct gh_err *err);
/* A fresh 160-bit secret (RFC 4226 §4 recommends ≥ 160 bits) as 32 base32
 * characters into out[GH_TOTP_NEW_LEN + 1]; issue 4 (TOTP enrolment). */
#define GH_TOTP_NEW_LEN 32
int gh_totp_secret_new(char *out, struct gh_err *err);

/* ---- master key: seals secrets at rest (libsodium secretbox) ---- */
struct gh_master_key; /* 32 key bytes in locked memory */
/* From `env_value` (base64 of 32 bytes, or 64 hex chars) when non-NULL; else
 * from `file_path`, creating it (0600, 32 random bytes base64) when `create`
 * is set and it does not exist. A file readable by group/other is refused. */
int  gh_master_key_load(const char *env_value, const char *file_path, int create,
    struct gh_master_key **out, struct gh_err *err);
void gh_master_key_free(struct gh_master_key *mk);
/* out = nonce || secretbox(plain). *out malloc'd. */
int gh_master_seal(const struct gh_master_key *mk, const void *plain, size_t plen,
    unsigned char **out, size_t *outlen, struct gh_err *err);
/* *out malloc'd and NUL-terminated (plaintext is text: a PEM). Wrong key or
 * tampered box → -1. Free with gh_secret_free. */
int gh_master_open(const struct gh_master_key *mk, const unsigned char *box, size_t blen,
    char **out, struct gh_err *err);
/* HMAC-SHA256 under a key derived from the master key for `label` (so one
 * purpose's MACs say nothing about another's): stable across restarts and
 * shared by every server of a deployment. Used where a value must look the
 * same every time without being stored (sign-in decoys, issue 6). */
void gh_master_mac(const struct gh_master_key *mk, const char *label, const void *msg,
    size_t mlen, unsigned char out[32]);

/* ---- RSA signing keys, JWS, JWK ---- */
/* New RSA-2048, e=65537 key pair. *priv_pem (PKCS#8 PEM; free with
 * gh_secret_free) and *pub_pem (SPKI PEM "-----BEGIN PUBLIC KEY-----"). */
int gh_rsa_generate(char **priv_pem, char **pub_pem, struct gh_err *err);

struct gh_signer; /* a parsed private key with its kid; thread-safe for concurrent signing */
int  gh_signer_new(const char *kid, const char *priv_pem, struct gh_signer **out,
    struct gh_err *err);
void gh_signer_free(struct gh_signer *s);
const char *gh_signer_kid(const struct gh_signer *s);
/* Compact JWS with header {"alg":"RS256","kid":<kid>,"typ":"JWT"} over
 * payload_json (bytes used as given). *jws malloc'd. */
int gh_jws_sign(const struct gh_signer *s, const char *payload_json, char **jws,
    struct gh_err *err);
/* HS256 compact JWS with header {"alg":"HS256","typ":"JWT"} (JWT templates with a custom key). */
int gh_jws_sign_hs256(const void *key, size_t klen, const char *payload_json, char **jws,
    struct gh_err *err);

struct gh_verifier; /* a public key (from SPKI PEM) for verifying RS256 */
int  gh_verifier_new(const char *kid, const char *pub_pem, struct gh_verifier **out,
    struct gh_err *err);
void gh_verifier_free(struct gh_verifier *v);
/* Verifies a compact JWS: exactly 3 parts, header alg == "RS256" (alg:none,
 * HS*, anything else refused), kid equal to the verifier's when the header has
 * one, signature valid. Claims are NOT checked here (see core/token.c).
 * *payload_json malloc'd on success. GH_E_AUTH_INVALID on any failure. */
int gh_jws_verify(const struct gh_verifier *v, const char *jws, size_t len, char **payload_json,
    struct gh_err *err);

/* Public JWK JSON text {"use":"sig","kty":"RSA","kid":..,"alg":"RS256","n":..,"e":"AQAB"}
 * for an SPKI PEM. *jwk_json malloc'd. */
int gh_jwk_from_pem(const char *kid, const char *pub_pem, char **jwk_json, struct gh_err *err);

#endif
