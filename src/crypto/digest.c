/* digest.c: password digests imported from other systems (Clerk's
 * password_hasher values), checked with libxcrypt (bcrypt), OpenSSL (PBKDF2,
 * scrypt, AES-CTR, MD5/SHA) and libsodium (argon2). A digest is stored as
 * "$gh-import$<hasher>$<digest as given>"; password.c routes that prefix here
 * and rehashes to argon2id after the first successful check. Every format is
 * parsed fully (the same parser at import and at check) and its cost is
 * bounded, so an imported digest cannot make one sign-in take minutes or
 * gigabytes. The only hand-written piece is phpass's own base64 alphabet. */
#include "crypto/crypto.h"

#include <crypt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#define DG_BUF        768          /* decoded salt/hash/key bytes: GH_DIGEST_MAX * 3 / 4 */
#define DG_FIELDS     8
#define PBKDF2_ITER_MAX 2000000    /* Django 5.2 uses 1,000,000 */
#define BCRYPT_COST_MAX 15
#define PHPASS_LOG2_MAX 20         /* 2^20 MD5 rounds; WordPress uses 2^13 */
#define SCRYPT_MEM_MAX  ((uint64_t)64 * 1024 * 1024) /* 128 * N * r bytes */
#define ARGON2_MEM_MAX  131072     /* KiB */
#define ARGON2_T_MAX    16

static const char itoa64[] =
    "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

struct span {
    const char *p;
    size_t      n;
};

/* One parsed digest; buffers are fixed so parsing never allocates. */
struct dg {
    const char   *digest;       /* the whole digest, NUL-terminated */
    uint64_t      iter;         /* PBKDF2 iterations, scrypt N, phpass rounds */
    uint64_t      r, p;         /* scrypt block size, parallelism */
    unsigned char salt[DG_BUF];
    size_t        salt_len;
    unsigned char hash[DG_BUF];
    size_t        hash_len;
    unsigned char key[DG_BUF];  /* Firebase signer key */
    size_t        key_len;
    unsigned char sep[64];      /* Firebase salt separator */
    size_t        sep_len;
};

typedef int parse_fn(const char *digest, struct dg *d);
typedef int check_fn(const struct dg *d, const char *pw, size_t len, int *ok);

/* ---- parsing helpers ---- */

static size_t
split(const char *s, struct span *f, size_t max)
{
    size_t n = 0;

    for (;;) {
        const char *e = strchr(s, '$');
        if (n == max)
            return max + 1;
        f[n].p = s;
        f[n].n = e != NULL ? (size_t)(e - s) : strlen(s);
        n++;
        if (e == NULL)
            return n;
        s = e + 1;
    }
}

static int
num(struct span f, uint64_t min, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (f.n == 0 || f.n > 19)
        return -1;
    for (size_t i = 0; i < f.n; i++) {
        if (f.p[i] < '0' || f.p[i] > '9')
            return -1;
        v = v * 10 + (uint64_t)(f.p[i] - '0');
    }
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int
hex(struct span f, unsigned char *out, size_t max, size_t *len)
{
    if (f.n == 0 || f.n % 2 != 0)
        return -1;
    return sodium_hex2bin(out, max, f.p, f.n, NULL, len, NULL);
}

/* Standard base64, padded or not. */
static int
b64(struct span f, unsigned char *out, size_t max, size_t *len)
{
    int v = f.n % 4 == 0 ? sodium_base64_VARIANT_ORIGINAL
                         : sodium_base64_VARIANT_ORIGINAL_NO_PADDING;

    if (f.n == 0)
        return -1;
    return sodium_base642bin(out, max, f.p, f.n, NULL, len, NULL, v);
}

static int
raw(struct span f, unsigned char *out, size_t max, size_t *len)
{
    if (f.n == 0 || f.n > max)
        return -1;
    memcpy(out, f.p, f.n);
    *len = f.n;
    return 0;
}

static int
in_alphabet(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\0' || strchr(itoa64, s[i]) == NULL)
            return 0;
    return 1;
}

/* ---- bcrypt, bcrypt_sha256_django (libxcrypt) ---- */

/* "$2a$|$2b$|$2y$" + two-digit cost + "$" + 53 characters of salt and hash. */
static int
parse_bcrypt(const char *digest, struct dg *d)
{
    uint64_t cost;

    if (strlen(digest) != 60 || strncmp(digest, "$2", 2) != 0 ||
        strchr("aby", digest[2]) == NULL || digest[3] != '$' || digest[6] != '$' ||
        num((struct span){ digest + 4, 2 }, 4, BCRYPT_COST_MAX, &cost) == -1 ||
        !in_alphabet(digest + 7, 53))
        return -1;
    d->digest = digest;
    d->iter = cost;
    return 0;
}

static int
parse_bcrypt_django(const char *digest, struct dg *d)
{
    if (strncmp(digest, "bcrypt_sha256$", 14) != 0)
        return -1;
    return parse_bcrypt(digest + 14, d);
}

/* crypt(3) takes a C string: a password with a NUL inside cannot be the one
 * that was hashed, and must not match its prefix. */
static int
crypt_check(const char *setting, const char *pw, size_t len, int *ok)
{
    struct crypt_data *cd = NULL;
    char              *z = NULL;
    const char        *out;
    int                rc = -1;

    *ok = 0;
    if (memchr(pw, '\0', len) != NULL)
        return 0;
    if ((cd = calloc(1, sizeof(*cd))) == NULL || (z = malloc(len + 1)) == NULL)
        goto done;
    memcpy(z, pw, len);
    z[len] = '\0';
    out = crypt_r(z, setting, cd);
    if (out == NULL || out[0] == '*')
        goto done;
    *ok = strlen(out) == strlen(setting) && CRYPTO_memcmp(out, setting, strlen(out)) == 0;
    rc = 0;
done:
    if (z != NULL)
        sodium_memzero(z, len);
    free(z);
    if (cd != NULL)
        sodium_memzero(cd, sizeof(*cd));
    free(cd);
    return rc;
}

static int
check_bcrypt(const struct dg *d, const char *pw, size_t len, int *ok)
{
    return crypt_check(d->digest, pw, len, ok);
}

/* Django's BCryptSHA256PasswordHasher bcrypts the hex SHA-256 of the password. */
static int
check_bcrypt_django(const struct dg *d, const char *pw, size_t len, int *ok)
{
    char hexpw[65];
    int  rc;

    gh_sha256_hex(pw, len, hexpw);
    rc = crypt_check(d->digest, hexpw, 64, ok);
    sodium_memzero(hexpw, sizeof(hexpw));
    return rc;
}

/* ---- md5, sha256 (hex of the plain digest; insecure, rehashed at once) ---- */

static int
parse_hex_n(const char *digest, struct dg *d, size_t n)
{
    struct span f = { digest, strlen(digest) };

    if (hex(f, d->hash, sizeof(d->hash), &d->hash_len) == -1 || d->hash_len != n)
        return -1;
    return 0;
}

static int
parse_md5(const char *digest, struct dg *d)
{
    return parse_hex_n(digest, d, 16);
}

static int
parse_sha256(const char *digest, struct dg *d)
{
    return parse_hex_n(digest, d, 32);
}

static int
md_check(const EVP_MD *md, const void *a, size_t alen, const void *b, size_t blen,
    const unsigned char *want, size_t wlen, int *ok)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int  olen = 0;
    EVP_MD_CTX   *c = EVP_MD_CTX_new();
    int           rc = -1;

    *ok = 0;
    if (c != NULL && EVP_DigestInit_ex(c, md, NULL) == 1 && EVP_DigestUpdate(c, a, alen) == 1 &&
        (blen == 0 || EVP_DigestUpdate(c, b, blen) == 1) &&
        EVP_DigestFinal_ex(c, out, &olen) == 1) {
        *ok = olen == wlen && CRYPTO_memcmp(out, want, wlen) == 0;
        rc = 0;
    }
    EVP_MD_CTX_free(c);
    return rc;
}

static int
check_md5(const struct dg *d, const char *pw, size_t len, int *ok)
{
    return md_check(EVP_md5(), pw, len, NULL, 0, d->hash, d->hash_len, ok);
}

static int
check_sha256(const struct dg *d, const char *pw, size_t len, int *ok)
{
    return md_check(EVP_sha256(), pw, len, NULL, 0, d->hash, d->hash_len, ok);
}

/* ---- ldap_ssha: "{SSHA}" base64(SHA-1(password || salt) || salt) ---- */

static int
parse_ssha(const char *digest, struct dg *d)
{
    unsigned char buf[DG_BUF];
    size_t        n;

    if (strncmp(digest, "{SSHA}", 6) != 0 ||
        b64((struct span){ digest + 6, strlen(digest + 6) }, buf, sizeof(buf), &n) == -1 ||
        n <= 20)
        return -1;
    memcpy(d->hash, buf, 20);
    d->hash_len = 20;
    memcpy(d->salt, buf + 20, n - 20);
    d->salt_len = n - 20;
    return 0;
}

static int
check_ssha(const struct dg *d, const char *pw, size_t len, int *ok)
{
    return md_check(EVP_sha1(), pw, len, d->salt, d->salt_len, d->hash, d->hash_len, ok);
}

/* ---- phpass / md5_phpass: "$P$" or "$H$", rounds, 8 salt, 22 checksum ---- */

static int
parse_phpass(const char *digest, struct dg *d)
{
    const char *c;

    if (strlen(digest) != 34 || (strncmp(digest, "$P$", 3) != 0 && strncmp(digest, "$H$", 3) != 0) ||
        !in_alphabet(digest + 3, 31))
        return -1;
    c = strchr(itoa64, digest[3]);
    if (c - itoa64 < 7 || c - itoa64 > PHPASS_LOG2_MAX)
        return -1;
    d->digest = digest;
    d->iter = (uint64_t)1 << (c - itoa64);
    return 0;
}

/* phpass's encode64: little-endian 6-bit groups over its own alphabet. */
static void
phpass_encode(const unsigned char in[16], char out[23])
{
    size_t i = 0, o = 0;

    do {
        uint32_t v = in[i++];
        out[o++] = itoa64[v & 0x3f];
        if (i < 16)
            v |= (uint32_t)in[i] << 8;
        out[o++] = itoa64[(v >> 6) & 0x3f];
        if (i++ >= 16)
            break;
        if (i < 16)
            v |= (uint32_t)in[i] << 16;
        out[o++] = itoa64[(v >> 12) & 0x3f];
        if (i++ >= 16)
            break;
        out[o++] = itoa64[(v >> 18) & 0x3f];
    } while (i < 16);
    out[o] = '\0';
}

/* hash = MD5(salt || pw); rounds times: hash = MD5(hash || pw). */
static int
check_phpass(const struct dg *d, const char *pw, size_t len, int *ok)
{
    unsigned char h[16];
    unsigned int  hl;
    char          enc[23];
    EVP_MD_CTX   *c = EVP_MD_CTX_new();
    int           rc = -1, good = c != NULL;

    *ok = 0;
    good = good && EVP_DigestInit_ex(c, EVP_md5(), NULL) == 1 &&
        EVP_DigestUpdate(c, d->digest + 4, 8) == 1 && EVP_DigestUpdate(c, pw, len) == 1 &&
        EVP_DigestFinal_ex(c, h, &hl) == 1;
    for (uint64_t k = 0; good && k < d->iter; k++)
        good = EVP_DigestInit_ex(c, EVP_md5(), NULL) == 1 && EVP_DigestUpdate(c, h, 16) == 1 &&
            EVP_DigestUpdate(c, pw, len) == 1 && EVP_DigestFinal_ex(c, h, &hl) == 1;
    if (good) {
        phpass_encode(h, enc);
        *ok = CRYPTO_memcmp(enc, d->digest + 12, 22) == 0;
        rc = 0;
    }
    EVP_MD_CTX_free(c);
    return rc;
}

/* ---- PBKDF2 (OpenSSL) ---- */

/* "<prefix>$<iterations>$<salt>$<hash>"; salt and hash decoded as told. */
static int
parse_pbkdf2(const char *digest, struct dg *d, const char *prefix,
    int (*salt_dec)(struct span, unsigned char *, size_t, size_t *),
    int (*hash_dec)(struct span, unsigned char *, size_t, size_t *))
{
    struct span f[DG_FIELDS];

    if (split(digest, f, DG_FIELDS) != 4 || f[0].n != strlen(prefix) ||
        strncmp(f[0].p, prefix, f[0].n) != 0 || num(f[1], 1, PBKDF2_ITER_MAX, &d->iter) == -1 ||
        salt_dec(f[2], d->salt, sizeof(d->salt), &d->salt_len) == -1 ||
        hash_dec(f[3], d->hash, sizeof(d->hash), &d->hash_len) == -1 ||
        d->hash_len == 0 || d->hash_len > 64)
        return -1;
    return 0;
}

static int
parse_pbkdf2_sha256(const char *digest, struct dg *d)
{
    return parse_pbkdf2(digest, d, "pbkdf2_sha256", b64, b64);
}

static int
parse_pbkdf2_django(const char *digest, struct dg *d)
{
    return parse_pbkdf2(digest, d, "pbkdf2_sha256", raw, b64);
}

/* Clerk documents a hex hash; Django itself writes base64: both are read. */
static int
hex_or_b64(struct span f, unsigned char *out, size_t max, size_t *len)
{
    return hex(f, out, max, len) == 0 ? 0 : b64(f, out, max, len);
}

static int
parse_pbkdf2_sha1(const char *digest, struct dg *d)
{
    return parse_pbkdf2(digest, d, "pbkdf2_sha1", raw, hex_or_b64);
}

static int
pbkdf2_check(const EVP_MD *md, const struct dg *d, const char *pw, size_t len, int *ok)
{
    unsigned char out[64];

    *ok = 0;
    if (len > INT32_MAX ||
        PKCS5_PBKDF2_HMAC(pw, (int)len, d->salt, (int)d->salt_len, (int)d->iter, md,
            (int)d->hash_len, out) != 1)
        return -1;
    *ok = CRYPTO_memcmp(out, d->hash, d->hash_len) == 0;
    sodium_memzero(out, sizeof(out));
    return 0;
}

static int
check_pbkdf2_sha256(const struct dg *d, const char *pw, size_t len, int *ok)
{
    return pbkdf2_check(EVP_sha256(), d, pw, len, ok);
}

static int
check_pbkdf2_sha1(const struct dg *d, const char *pw, size_t len, int *ok)
{
    return pbkdf2_check(EVP_sha1(), d, pw, len, ok);
}

/* ---- scrypt (OpenSSL EVP_PBE_scrypt) ---- */

static int
scrypt_bounded(uint64_t n, uint64_t r, uint64_t p)
{
    return n >= 2 && (n & (n - 1)) == 0 && r >= 1 && r <= 32 && p >= 1 && p <= 16 &&
        n <= SCRYPT_MEM_MAX / 128 / r;
}

static int
scrypt_raw(const char *pw, size_t len, const unsigned char *salt, size_t slen, uint64_t n,
    uint64_t r, uint64_t p, unsigned char *out, size_t olen)
{
    uint64_t maxmem = 128 * n * r + 128 * r * p + 1024 * 1024;

    return EVP_PBE_scrypt(pw, len, salt, slen, n, r, p, maxmem, out, olen) == 1 ? 0 : -1;
}

/* Werkzeug: "scrypt:<N>:<r>:<p>$<salt>$<hex of scrypt(pw, salt)>" (Clerk's
 * page says base64 for the hash; Werkzeug writes hex: both are read). */
static int
parse_werkzeug(const char *digest, struct dg *d)
{
    struct span f[DG_FIELDS], a[4];
    size_t      na;
    char        args[64];

    if (split(digest, f, DG_FIELDS) != 3 || f[0].n >= sizeof(args))
        return -1;
    memcpy(args, f[0].p, f[0].n);
    args[f[0].n] = '\0';
    for (char *c = args; *c != '\0'; c++)
        *c = *c == ':' ? '$' : *c;
    na = split(args, a, 4);
    if (na != 4 || a[0].n != 6 || strncmp(a[0].p, "scrypt", 6) != 0 ||
        num(a[1], 2, UINT32_MAX, &d->iter) == -1 || num(a[2], 1, 32, &d->r) == -1 ||
        num(a[3], 1, 16, &d->p) == -1 || !scrypt_bounded(d->iter, d->r, d->p) ||
        raw(f[1], d->salt, sizeof(d->salt), &d->salt_len) == -1 ||
        hex_or_b64(f[2], d->hash, sizeof(d->hash), &d->hash_len) == -1 || d->hash_len > 128)
        return -1;
    return 0;
}

static int
check_werkzeug(const struct dg *d, const char *pw, size_t len, int *ok)
{
    unsigned char out[128];

    *ok = 0;
    if (scrypt_raw(pw, len, d->salt, d->salt_len, d->iter, d->r, d->p, out, d->hash_len) == -1)
        return -1;
    *ok = CRYPTO_memcmp(out, d->hash, d->hash_len) == 0;
    sodium_memzero(out, sizeof(out));
    return 0;
}

/* Firebase: "<hash>$<salt>$<signer key>$<salt separator>$<rounds>$<mem cost>"
 * (base64 for the first four). The hash is the signer key encrypted with
 * AES-256-CTR (zero IV) under scrypt(pw, salt || separator, 2^mem, rounds, 1). */
static int
parse_firebase(const char *digest, struct dg *d)
{
    struct span f[DG_FIELDS];
    uint64_t    mem;

    if (split(digest, f, DG_FIELDS) != 6 ||
        b64(f[0], d->hash, sizeof(d->hash), &d->hash_len) == -1 ||
        b64(f[1], d->salt, sizeof(d->salt), &d->salt_len) == -1 ||
        b64(f[2], d->key, sizeof(d->key), &d->key_len) == -1 ||
        b64(f[3], d->sep, sizeof(d->sep), &d->sep_len) == -1 ||
        num(f[4], 1, 8, &d->r) == -1 || num(f[5], 1, 20, &mem) == -1 ||
        d->hash_len != d->key_len || d->salt_len + d->sep_len > sizeof(d->salt))
        return -1;
    d->iter = (uint64_t)1 << mem;
    d->p = 1;
    return scrypt_bounded(d->iter, d->r, d->p) ? 0 : -1;
}

static int
check_firebase(const struct dg *d, const char *pw, size_t len, int *ok)
{
    unsigned char  salt[DG_BUF], dk[32], iv[16] = { 0 }, out[DG_BUF];
    int            n1 = 0, n2 = 0, rc = -1;
    EVP_CIPHER_CTX *c = NULL;

    *ok = 0;
    memcpy(salt, d->salt, d->salt_len);
    memcpy(salt + d->salt_len, d->sep, d->sep_len);
    if (scrypt_raw(pw, len, salt, d->salt_len + d->sep_len, d->iter, d->r, d->p, dk,
            sizeof(dk)) == -1 || (c = EVP_CIPHER_CTX_new()) == NULL)
        goto done;
    if (EVP_EncryptInit_ex(c, EVP_aes_256_ctr(), NULL, dk, iv) != 1 ||
        EVP_EncryptUpdate(c, out, &n1, d->key, (int)d->key_len) != 1 ||
        EVP_EncryptFinal_ex(c, out + n1, &n2) != 1 || (size_t)(n1 + n2) != d->hash_len)
        goto done;
    *ok = CRYPTO_memcmp(out, d->hash, d->hash_len) == 0;
    rc = 0;
done:
    EVP_CIPHER_CTX_free(c);
    sodium_memzero(dk, sizeof(dk));
    return rc;
}

/* ---- argon2i, argon2id (libsodium) ---- */

/* "m=<KiB>,t=<passes>" bounded before libsodium allocates anything. */
static int
argon2_params_bounded(const char *digest)
{
    const char *m = strstr(digest, "$m="), *t = strstr(digest, ",t=");
    struct span sm, st;
    uint64_t    v;

    if (m == NULL || t == NULL || t < m)
        return 0;
    sm = (struct span){ m + 3, strspn(m + 3, "0123456789") };
    st = (struct span){ t + 3, strspn(t + 3, "0123456789") };
    return num(sm, 1, ARGON2_MEM_MAX, &v) == 0 && num(st, 1, ARGON2_T_MAX, &v) == 0;
}

static int
parse_argon2(const char *digest, struct dg *d, const char *prefix)
{
    char buf[crypto_pwhash_STRBYTES] = { 0 };

    if (strncmp(digest, prefix, strlen(prefix)) != 0 || strlen(digest) >= sizeof(buf) ||
        !argon2_params_bounded(digest))
        return -1;
    memcpy(buf, digest, strlen(digest));
    if (crypto_pwhash_str_needs_rehash(buf, 2, 19456 * 1024) == -1)
        return -1;
    d->digest = digest;
    return 0;
}

static int
parse_argon2i(const char *digest, struct dg *d)
{
    return parse_argon2(digest, d, "$argon2i$");
}

static int
parse_argon2id(const char *digest, struct dg *d)
{
    return parse_argon2(digest, d, "$argon2id$");
}

static int
check_argon2(const struct dg *d, const char *pw, size_t len, int *ok)
{
    char buf[crypto_pwhash_STRBYTES] = { 0 };

    memcpy(buf, d->digest, strlen(d->digest));
    *ok = crypto_pwhash_str_verify(buf, pw, len) == 0;
    return 0;
}

/* ---- the table ---- */

static const struct {
    const char *name;   /* Clerk's password_hasher value */
    parse_fn   *parse;
    check_fn   *check;
} hashers[] = {
    { "argon2i", parse_argon2i, check_argon2 },
    { "argon2id", parse_argon2id, check_argon2 },
    { "bcrypt", parse_bcrypt, check_bcrypt },
    { "bcrypt_sha256_django", parse_bcrypt_django, check_bcrypt_django },
    { "md5", parse_md5, check_md5 },
    { "sha256", parse_sha256, check_sha256 },
    { "pbkdf2_sha256", parse_pbkdf2_sha256, check_pbkdf2_sha256 },
    { "pbkdf2_sha256_django", parse_pbkdf2_django, check_pbkdf2_sha256 },
    { "pbkdf2_sha1", parse_pbkdf2_sha1, check_pbkdf2_sha1 },
    { "phpass", parse_phpass, check_phpass },
    { "md5_phpass", parse_phpass, check_phpass },
    { "scrypt_firebase", parse_firebase, check_firebase },
    { "scrypt_werkzeug", parse_werkzeug, check_werkzeug },
    { "ldap_ssha", parse_ssha, check_ssha },
};

static int
find(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof(hashers) / sizeof(hashers[0]); i++)
        if (strlen(hashers[i].name) == n && strncmp(hashers[i].name, name, n) == 0)
            return (int)i;
    return -1;
}

int
gh_digest_check(const char *hasher, const char *digest)
{
    struct dg *d;
    int        h = hasher != NULL ? find(hasher, strlen(hasher)) : -1, rc;

    if (h < 0)
        return GH_DIGEST_UNKNOWN;
    if (digest == NULL || digest[0] == '\0' || strlen(digest) > GH_DIGEST_MAX)
        return GH_DIGEST_MALFORMED;
    if ((d = calloc(1, sizeof(*d))) == NULL)
        return GH_DIGEST_NOMEM;
    rc = hashers[h].parse(digest, d) == 0 ? GH_DIGEST_OK : GH_DIGEST_MALFORMED;
    free(d);
    return rc;
}

char *
gh_digest_wrap(const char *hasher, const char *digest)
{
    size_t n = strlen(GH_DIGEST_PREFIX) + strlen(hasher) + 1 + strlen(digest) + 1;
    char  *s = malloc(n);

    if (s == NULL)
        return NULL;
    memcpy(s, GH_DIGEST_PREFIX, strlen(GH_DIGEST_PREFIX));
    memcpy(s + strlen(GH_DIGEST_PREFIX), hasher, strlen(hasher));
    s[strlen(GH_DIGEST_PREFIX) + strlen(hasher)] = '$';
    memcpy(s + strlen(GH_DIGEST_PREFIX) + strlen(hasher) + 1, digest, strlen(digest) + 1);
    return s;
}

int
gh_digest_verify(const char *phc, const char *pw, size_t len, int *ok)
{
    const char *name, *end;
    struct dg  *d;
    int         h, rc = -1;

    *ok = 0;
    if (strncmp(phc, GH_DIGEST_PREFIX, strlen(GH_DIGEST_PREFIX)) != 0)
        return -1;
    name = phc + strlen(GH_DIGEST_PREFIX);
    if ((end = strchr(name, '$')) == NULL || (h = find(name, (size_t)(end - name))) < 0)
        return -1;
    if ((d = calloc(1, sizeof(*d))) == NULL)
        return -1;
    if (hashers[h].parse(end + 1, d) == 0)
        rc = hashers[h].check(d, pw, len, ok);
    sodium_memzero(d, sizeof(*d));
    free(d);
    return rc;
}
