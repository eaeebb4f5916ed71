/* fuzz_digest.c: imported password digests (crypto/digest.c, BAPI
 * password_digest + password_hasher). Input: the hasher name, a newline,
 * the digest. gh_digest_check parses every format; for the cheap hashers an
 * accepted digest is also wrapped and verified against a fixed password.
 * Invariants: the check answers one of its four codes, a checked digest
 * wraps to the stored "$gh-import$<hasher>$<digest>" form, and verifying
 * the stored form never fails to read it. Expensive hashers (bcrypt,
 * scrypt, PBKDF2, argon2, phpass) are only parsed: their cost bounds are
 * what the check enforces, and running them would only slow the fuzzer. */
#include <string.h>

#include "crypto/crypto.h"
#include "fuzz.h"

static const char *const cheap[] = {"md5", "sha256", "ldap_ssha", NULL};

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct gh_err err = {0};

    return gh_crypto_init(&err);
}

static int
is_cheap(const char *h)
{
    for (size_t i = 0; cheap[i] != NULL; i++)
        if (strcmp(h, cheap[i]) == 0)
            return 1;
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *in = fuzz_cstr(data, size), *nl = strchr(in, '\n'), *digest, *stored;
    int   rc, ok = 0;

    if (nl == NULL) {
        free(in);
        return 0;
    }
    *nl = '\0';
    digest = nl + 1;
    rc = gh_digest_check(in, digest);
    FUZZ_ASSERT(rc == GH_DIGEST_OK || rc == GH_DIGEST_UNKNOWN || rc == GH_DIGEST_MALFORMED ||
                rc == GH_DIGEST_NOMEM);
    if (rc == GH_DIGEST_OK && is_cheap(in)) {
        stored = gh_digest_wrap(in, digest);
        FUZZ_ASSERT(stored != NULL);
        FUZZ_ASSERT(strncmp(stored, GH_DIGEST_PREFIX, strlen(GH_DIGEST_PREFIX)) == 0);
        FUZZ_ASSERT(gh_digest_verify(stored, "password", 8, &ok) == 0);
        free(stored);
    }
    free(in);
    return 0;
}
