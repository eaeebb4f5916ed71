/* password.c: password hashing and verification. New hashes are argon2id
 * (libsodium, OWASP m=19 MiB, t=2, p=1) in PHC string form. Verification goes
 * through a table of hashers keyed by PHC prefix: libsodium's argon2 formats
 * and imported digests ("$gh-import$…", digest.c). Policy (length limits, breach lists)
 * lives in core/password.c, not here. */
#include "crypto/crypto.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util/metrics.h"

#define PW_OPSLIMIT 2ULL
#define PW_MEMLIMIT ((size_t)19456 * 1024) /* 19 MiB, in bytes */
#define PHC_MAX     (GH_DIGEST_MAX + 64) /* longest stored form: an imported digest */

/* A format's verifier: 0 = checked (*ok set to 1 or 0), -1 = hash malformed. */
typedef int gh_pw_verify_fn(const char *phc, const char *pw, size_t len, int *ok);

struct hasher {
    const char      *prefix; /* PHC / crypt prefix, e.g. "$argon2id$" */
    gh_pw_verify_fn *verify;
    int              current; /* 1: the format new hashes use; 0: rehash on sign-in */
};

static int
argon2_verify(const char *phc, const char *pw, size_t len, int *ok)
{
    if (strnlen(phc, crypto_pwhash_STRBYTES) == crypto_pwhash_STRBYTES)
        return -1;
    /* needs_rehash parses the string fully: -1 means malformed, which
     * crypto_pwhash_str_verify would not tell apart from a wrong password. */
    if (crypto_pwhash_str_needs_rehash(phc, PW_OPSLIMIT, PW_MEMLIMIT) == -1)
        return -1;
    *ok = crypto_pwhash_str_verify(phc, pw, len) == 0;
    return 0;
}

/* Imported digests (digest.c) are one row with current = 0: they verify and
 * are then rehashed to argon2id. */
static const struct hasher hashers[] = {
    { "$argon2id$", argon2_verify, 1 },
    { "$argon2i$", argon2_verify, 0 },
    { GH_DIGEST_PREFIX, gh_digest_verify, 0 },
};

/* Hashes pw[0..len) (NUL bytes included) as argon2id with a random salt.
 * *phc_out malloc'd (plain free) on success, NULL on failure; -1 with
 * GH_E_NOMEM when the 19 MiB work area cannot be had. */
int
gh_password_hash(const char *pw, size_t len, char **phc_out, struct gh_err *err)
{
    char out[crypto_pwhash_STRBYTES];

    *phc_out = NULL;
    if (len > crypto_pwhash_PASSWD_MAX)
        return GH_FAIL(err, GH_E_INTERNAL, "password too long to hash");
    if (crypto_pwhash_str_alg(out, pw, len, PW_OPSLIMIT, PW_MEMLIMIT,
            crypto_pwhash_ALG_ARGON2ID13) != 0)
        return GH_FAIL(err, GH_E_NOMEM, "password hashing failed");
    gh_metric_inc(GH_METRIC_PASSWORD_HASHES);
    *phc_out = strdup(out);
    if (*phc_out == NULL)
        return GH_FAIL(err, GH_E_NOMEM, "out of memory");
    return 0;
}

static const struct hasher *
find_hasher(const char *phc)
{
    for (size_t i = 0; i < sizeof(hashers) / sizeof(hashers[0]); i++)
        if (strncmp(phc, hashers[i].prefix, strlen(hashers[i].prefix)) == 0)
            return &hashers[i];
    return NULL;
}

/* Checks pw[0..len) against phc. On success *ok is 1 or 0 and, if
 * needs_rehash is non-NULL, *needs_rehash is 1 when phc is not argon2id at
 * today's parameters. An unknown or malformed phc gives -1 with GH_E_INTERNAL
 * (*ok = 0): a stored hash we cannot read is our fault, not the user's. */
int
gh_password_verify(const char *phc, const char *pw, size_t len, int *ok, int *needs_rehash,
    struct gh_err *err)
{
    const struct hasher *h;

    *ok = 0;
    if (needs_rehash != NULL)
        *needs_rehash = 0;
    if (phc == NULL || strnlen(phc, PHC_MAX) == PHC_MAX)
        return GH_FAIL(err, GH_E_INTERNAL, "unreadable password hash");
    h = find_hasher(phc);
    if (h == NULL) {
        GH_FAIL(err, GH_E_INTERNAL, "unreadable password hash");
        gh_err_note(err, "unknown password hash format");
        return -1;
    }
    gh_metric_inc(GH_METRIC_PASSWORD_VERIFIES);
    if (h->verify(phc, pw, len, ok) == -1) {
        GH_FAIL(err, GH_E_INTERNAL, "unreadable password hash");
        gh_err_note(err, "malformed %s hash", h->prefix);
        return -1;
    }
    if (needs_rehash != NULL)
        *needs_rehash = !h->current ||
            crypto_pwhash_str_needs_rehash(phc, PW_OPSLIMIT, PW_MEMLIMIT) != 0;
    return 0;
}

static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static char           dummy_phc[crypto_pwhash_STRBYTES]; /* "" if hashing failed */

static void
make_dummy(void)
{
    char pw[33];

    gh_rand_base62(pw, sizeof(pw) - 1);
    if (crypto_pwhash_str_alg(dummy_phc, pw, sizeof(pw) - 1, PW_OPSLIMIT, PW_MEMLIMIT,
            crypto_pwhash_ALG_ARGON2ID13) != 0)
        dummy_phc[0] = '\0';
    sodium_memzero(pw, sizeof(pw));
}

/* Runs one argon2id verification at the current parameters against a hash of
 * a random password made on first use, so "no such user" costs what "wrong
 * password" costs. The first call also pays for making that hash. */
void
gh_password_dummy_verify(const char *pw, size_t len)
{
    pthread_once(&dummy_once, make_dummy);
    gh_metric_inc(GH_METRIC_PASSWORD_VERIFIES);
    if (dummy_phc[0] != '\0' && crypto_pwhash_str_verify(dummy_phc, pw, len) == 0)
        return; /* a random 32-character password: never matches in practice */
}
