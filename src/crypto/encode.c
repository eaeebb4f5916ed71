/* encode.c: base64 / base64url, SHA-256, HMAC-SHA-256, constant-time compare
 * and wiping, on libsodium. Decoders are strict: wrong alphabet, bad padding,
 * non-canonical trailing bits and embedded NULs are all refused. Nothing here
 * knows about JOSE or keys (jose.c, master.c). */
#include "crypto/crypto.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

static char *
encode(const void *p, size_t n, int variant)
{
    size_t len = sodium_base64_ENCODED_LEN(n, variant); /* includes the NUL */
    char  *s = malloc(len);

    if (s == NULL)
        return NULL;
    sodium_bin2base64(s, len, p, n, variant);
    return s;
}

/* Decodes exactly s[0..slen) (no whitespace skipped) into a fresh buffer,
 * which always has at least one byte so a zero-length result is non-NULL. */
static int
decode(const char *s, size_t slen, int variant, unsigned char **out, size_t *outlen)
{
    size_t         max = slen / 4 * 3 + 3;
    unsigned char *bin = malloc(max);
    size_t         blen = 0;

    *out = NULL;
    *outlen = 0;
    if (bin == NULL)
        return -1;
    /* b64_end NULL: libsodium fails unless every input byte was consumed. */
    if (sodium_base642bin(bin, max, s, slen, NULL, &blen, NULL, variant) != 0) {
        free(bin);
        return -1;
    }
    *out = bin;
    *outlen = blen;
    return 0;
}

/* Unpadded base64url (RFC 4648 §5), as JOSE uses. Caller frees; NULL on OOM. */
char *
gh_b64url_encode(const void *p, size_t n)
{
    return encode(p, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* base64url with or without '=' padding; when padding is present it must be
 * exactly the right amount. *out malloc'd on success; -1 on bad input or OOM
 * (*out NULL then). */
int
gh_b64url_decode(const char *s, size_t slen, unsigned char **out, size_t *outlen)
{
    int variant = memchr(s, '=', slen) != NULL ? sodium_base64_VARIANT_URLSAFE
                                               : sodium_base64_VARIANT_URLSAFE_NO_PADDING;

    return decode(s, slen, variant, out, outlen);
}

/* Standard padded base64 (RFC 4648 §4). Caller frees; NULL on OOM. */
char *
gh_b64_encode(const void *p, size_t n)
{
    return encode(p, n, sodium_base64_VARIANT_ORIGINAL);
}

/* Standard base64, padding required. *out malloc'd; -1 on bad input or OOM. */
int
gh_b64_decode(const char *s, size_t slen, unsigned char **out, size_t *outlen)
{
    return decode(s, slen, sodium_base64_VARIANT_ORIGINAL, out, outlen);
}

void
gh_sha256(const void *p, size_t n, unsigned char out[32])
{
    crypto_hash_sha256(out, p, n);
}

/* Lower-case hex of SHA-256(p), NUL-terminated. */
void
gh_sha256_hex(const void *p, size_t n, char out[65])
{
    unsigned char d[32];

    crypto_hash_sha256(d, p, n);
    sodium_bin2hex(out, 65, d, sizeof(d));
}

/* Upper-case hex of SHA-1(p): only for the breached-password range API,
 * whose k-anonymity protocol is defined on SHA-1 (issue 6). Not a MAC or a
 * password hash. */
void
gh_sha1_hex_upper(const void *p, size_t n, char out[41])
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char     d[EVP_MAX_MD_SIZE];
    unsigned int      dl = 0;

    if (EVP_Digest(p, n, d, &dl, EVP_sha1(), NULL) != 1 || dl != 20) {
        memset(out, '0', 40); /* cannot happen with a working OpenSSL */
        out[40] = '\0';
        return;
    }
    for (unsigned i = 0; i < 20; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[40] = '\0';
    gh_memzero(d, sizeof(d));
}

/* RFC 2104 HMAC-SHA-256; keys of any length (longer than 64 bytes are hashed
 * first, as the RFC says). */
void
gh_hmac_sha256(const void *key, size_t klen, const void *msg, size_t mlen,
    unsigned char out[32])
{
    crypto_auth_hmacsha256_state st;

    crypto_auth_hmacsha256_init(&st, key, klen);
    crypto_auth_hmacsha256_update(&st, msg, mlen);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof(st));
}

/* 1 when a[0..n) == b[0..n); time depends on n only. */
int
gh_ct_equal(const void *a, const void *b, size_t n)
{
    return sodium_memcmp(a, b, n) == 0;
}

/* Wipes strlen(s) bytes and frees s. NULL is a no-op. */
void
gh_secret_free(char *s)
{
    if (s == NULL)
        return;
    sodium_memzero(s, strlen(s));
    free(s);
}

/* Zeroes p[0..n) in a way the compiler may not elide. */
void
gh_memzero(void *p, size_t n)
{
    sodium_memzero(p, n);
}
