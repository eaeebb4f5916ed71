/* rand.c: library start-up (gh_crypto_init) and the CSPRNG helpers, all on
 * libsodium's randombytes. It does no encoding or hashing (encode.c) and keeps
 * no state of its own beyond the once-only initialisation flag. */
#include "crypto/crypto.h"

#include <pthread.h>
#include <sodium.h>

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int            init_rc = -1; /* result of sodium_init, written once */

static void
do_init(void)
{
    /* sodium_init: 0 = initialised now, 1 = already initialised, -1 = failure. */
    init_rc = sodium_init() < 0 ? -1 : 0;
}

/* Initialises libsodium once per process; safe to call from several threads
 * and any number of times. -1 with GH_E_INTERNAL when libsodium cannot start
 * (no usable entropy source). OpenSSL 3 initialises itself lazily. */
int
gh_crypto_init(struct gh_err *err)
{
    pthread_once(&init_once, do_init);
    if (init_rc != 0)
        return GH_FAIL(err, GH_E_INTERNAL, "crypto library initialisation failed");
    return 0;
}

/* Fills buf with n bytes from the OS CSPRNG (getrandom). libsodium aborts the
 * process rather than return weak bytes, so there is no error path. */
void
gh_rand_bytes(void *buf, size_t n)
{
    randombytes_buf(buf, n);
}

/* Writes n uniformly distributed characters of [0-9A-Za-z] and a NUL into
 * out[n+1]. Bytes >= 248 (= 4 * 62) are rejected so `b % 62` has no bias. */
void
gh_rand_base62(char *out, size_t n)
{
    static const char alphabet[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    unsigned char pool[64];
    size_t        have = 0, used = 0, i = 0;

    while (i < n) {
        if (used == have) {
            randombytes_buf(pool, sizeof(pool));
            have = sizeof(pool);
            used = 0;
        }
        unsigned char b = pool[used++];
        if (b >= 248)
            continue;
        out[i++] = alphabet[b % 62];
    }
    out[n] = '\0';
    sodium_memzero(pool, sizeof(pool));
}
