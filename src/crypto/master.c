/* master.c: the master key that seals secrets at rest (signing private keys)
 * with libsodium's secretbox (XSalsa20-Poly1305). The key comes from the
 * GATEHOUSE_MASTER_KEY value or a 0600 file, never from the database, and
 * lives in locked, read-only sodium_malloc memory. It never prints key bytes
 * and does not decide where the key comes from (main.c does). */
#include "crypto/crypto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#define MK_LEN       crypto_secretbox_KEYBYTES /* 32 */
#define MK_FILE_MAX  256                       /* a key file is ~45 bytes */
#define MK_ENV_NAME  "GATEHOUSE_MASTER_KEY"

struct gh_master_key {
    unsigned char *key; /* MK_LEN bytes, sodium_malloc'd (guarded, mlocked), read-only */
};

static int
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Parses base64 (standard, padded) of 32 bytes or 64 hex characters, ignoring
 * surrounding whitespace. -1 on anything else; key[] is then unspecified. */
static int
parse_key_text(const char *s, size_t len, unsigned char key[MK_LEN])
{
    unsigned char *bin = NULL;
    size_t         blen = 0;
    const char    *end = NULL;
    int            rc = -1;

    while (len > 0 && is_space(s[0]))
        s++, len--;
    while (len > 0 && is_space(s[len - 1]))
        len--;
    if (len == 2 * MK_LEN) {
        if (sodium_hex2bin(key, MK_LEN, s, len, NULL, &blen, &end) == 0 && blen == MK_LEN &&
            end == s + len)
            rc = 0;
        goto done;
    }
    if (gh_b64_decode(s, len, &bin, &blen) == 0 && blen == MK_LEN) {
        memcpy(key, bin, MK_LEN);
        rc = 0;
    }
done:
    if (bin != NULL) {
        sodium_memzero(bin, blen);
        free(bin);
    }
    return rc;
}

/* Fails with "<pre><path><post>" as the operator-facing message and the OS
 * error (errnum, 0 for none) in the note. */
static int
fail_path(struct gh_err *err, const char *pre, const char *path, const char *post, int errnum)
{
    char msg[128];

    snprintf(msg, sizeof(msg), "%s%s%s", pre, path, post);
    GH_FAIL(err, GH_E_INTERNAL, msg);
    gh_err_note(err, "master key file %s%s%s", path, errnum != 0 ? ": " : "",
        errnum != 0 ? strerror(errnum) : "");
    return -1;
}

/* Reads a key file, refusing one that group or other may access: the key
 * decrypts every signing key, so it must be as private as a private key. */
static int
read_key_file(const char *path, unsigned char key[MK_LEN], struct gh_err *err)
{
    char        text[MK_FILE_MAX];
    struct stat st;
    ssize_t     n;
    int         fd, rc = -1;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd == -1)
        return fail_path(err, "cannot open master key file ", path, "", errno);
    if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
        fail_path(err, "master key file ", path, " is not a regular file", 0);
        goto done;
    }
    if ((st.st_mode & 077) != 0) {
        fail_path(err, "master key file ", path,
            " is accessible by group/other; fix: chmod 600 it", 0);
        goto done;
    }
    n = read(fd, text, sizeof(text));
    if (n < 0 || n == (ssize_t)sizeof(text) || parse_key_text(text, (size_t)n, key) == -1) {
        fail_path(err, "master key file ", path, " must hold base64 of 32 bytes", 0);
        goto done;
    }
    rc = 0;
done:
    sodium_memzero(text, sizeof(text));
    close(fd);
    return rc;
}

/* Creates path exclusively (0600) holding base64 of a fresh random key.
 * Returns 1 when it already existed (nothing written), 0 when created. */
static int
create_key_file(const char *path, unsigned char key[MK_LEN], struct gh_err *err)
{
    char   *b64 = NULL;
    size_t  len;
    int     fd, ok;

    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd == -1 && errno == EEXIST)
        return 1;
    if (fd == -1)
        return fail_path(err, "cannot create master key file ", path, "", errno);
    randombytes_buf(key, MK_LEN);
    b64 = gh_b64_encode(key, MK_LEN);
    ok = b64 != NULL;
    if (ok) {
        len = strlen(b64);
        b64[len] = '\n'; /* the NUL slot; the string is not used as one again */
        ok = write(fd, b64, len + 1) == (ssize_t)(len + 1) && fsync(fd) == 0;
        sodium_memzero(b64, len + 1);
        free(b64);
    }
    if (close(fd) != 0)
        ok = 0;
    if (!ok) {
        unlink(path);
        return fail_path(err, "cannot write master key file ", path, "", 0);
    }
    return 0;
}

static int
load_bytes(const char *env_value, const char *file_path, int create, unsigned char *key,
    struct gh_err *err)
{
    int rc;

    if (env_value != NULL) {
        if (parse_key_text(env_value, strlen(env_value), key) == -1)
            return GH_FAIL(err, GH_E_INTERNAL,
                MK_ENV_NAME " must be base64 of 32 bytes or 64 hex characters");
        return 0;
    }
    if (file_path == NULL || file_path[0] == '\0')
        return GH_FAIL(err, GH_E_INTERNAL, "no master key: set " MK_ENV_NAME
                       " or a master key file");
    if (create) {
        rc = create_key_file(file_path, key, err);
        if (rc != 1)
            return rc;
    }
    return read_key_file(file_path, key, err);
}

/* See crypto.h. *out is NULL on failure; the error desc names the variable or
 * file at fault and how to fix it, never the key material. */
int
gh_master_key_load(const char *env_value, const char *file_path, int create,
    struct gh_master_key **out, struct gh_err *err)
{
    struct gh_master_key *mk = NULL;
    int                   rc = -1;

    *out = NULL;
    if (gh_crypto_init(err) == -1) /* sodium_malloc needs sodium_init */
        return -1;
    mk = calloc(1, sizeof(*mk));
    if (mk == NULL || (mk->key = sodium_malloc(MK_LEN)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, "out of memory");
        goto done;
    }
    if (load_bytes(env_value, file_path, create, mk->key, err) == -1)
        goto done;
    (void)sodium_mprotect_readonly(mk->key); /* best effort, like the mlock */
    *out = mk;
    mk = NULL;
    rc = 0;
done:
    gh_master_key_free(mk);
    return rc;
}

/* Wipes and frees the key. NULL is a no-op. */
void
gh_master_key_free(struct gh_master_key *mk)
{
    if (mk == NULL)
        return;
    if (mk->key != NULL)
        sodium_free(mk->key); /* wipes and unlocks */
    free(mk);
}

/* *out = 24-byte random nonce || secretbox(plain) (16-byte MAC + plen bytes).
 * *out malloc'd on success, NULL on failure. */
int
gh_master_seal(const struct gh_master_key *mk, const void *plain, size_t plen,
    unsigned char **out, size_t *outlen, struct gh_err *err)
{
    const size_t   over = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
    unsigned char *box;

    *out = NULL;
    *outlen = 0;
    if (plen > SIZE_MAX - over || (box = malloc(plen + over)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, "out of memory");
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, plain, plen, box, mk->key);
    *out = box;
    *outlen = plen + over;
    return 0;
}

/* Opens a box made by gh_master_seal. *out malloc'd, NUL-terminated, free with
 * gh_secret_free. Short, tampered or foreign-key boxes → -1, GH_E_INTERNAL. */
int
gh_master_open(const struct gh_master_key *mk, const unsigned char *box, size_t blen,
    char **out, struct gh_err *err)
{
    const size_t over = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
    size_t       plen;
    char        *plain;

    *out = NULL;
    if (blen < over)
        return GH_FAIL(err, GH_E_INTERNAL, "sealed secret is truncated");
    plen = blen - over;
    plain = malloc(plen + 1);
    if (plain == NULL)
        return GH_FAIL(err, GH_E_NOMEM, "out of memory");
    if (crypto_secretbox_open_easy((unsigned char *)plain, box + crypto_secretbox_NONCEBYTES,
            blen - crypto_secretbox_NONCEBYTES, box, mk->key) != 0) {
        free(plain);
        GH_FAIL(err, GH_E_INTERNAL, "cannot decrypt sealed secret");
        gh_err_note(err, "wrong master key or corrupted data");
        return -1;
    }
    plain[plen] = '\0';
    *out = plain;
    return 0;
}

void
gh_master_mac(const struct gh_master_key *mk, const char *label, const void *msg, size_t mlen,
    unsigned char out[32])
{
    crypto_auth_hmacsha256_state st;
    unsigned char                sub[32];

    /* sub = HMAC(master, "gatehouse:" label): a per-purpose key. */
    crypto_auth_hmacsha256_init(&st, mk->key, MK_LEN);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"gatehouse:", 10);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)label, strlen(label));
    crypto_auth_hmacsha256_final(&st, sub);
    gh_hmac_sha256(sub, sizeof(sub), msg, mlen, out);
    sodium_memzero(&st, sizeof(st));
    sodium_memzero(sub, sizeof(sub));
}
