/* totp.c: RFC 6238 TOTP checks through liboath (the only liboath user).
 * Secrets arrive as base32 text; nothing here stores or logs them. Replay
 * protection (remembering the last accepted step) is the caller's concern. */
#include "crypto/crypto.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <liboath/oath.h>
#include <sodium.h>

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int            oath_ok;

static void
init_oath(void)
{
    oath_ok = oath_init() == OATH_OK;
}

/* Upper-case base32 without padding or spaces into out (cap bytes). */
static int
canon(const char *b32, char *out, size_t cap, size_t *n)
{
    size_t k = 0;

    for (; *b32 != '\0'; b32++) {
        char c = *b32;
        if (c == '=' || c == ' ')
            continue;
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (!((c >= 'A' && c <= 'Z') || (c >= '2' && c <= '7')) || k + 1 >= cap)
            return -1;
        out[k++] = c;
    }
    out[k] = '\0';
    *n = k;
    return k >= 16 ? 0 : -1; /* ≥ 80 bits */
}

int
gh_totp_secret_valid(const char *b32)
{
    char   buf[GH_TOTP_SECRET_MAX + 1];
    size_t n;

    return b32 != NULL && canon(b32, buf, sizeof(buf), &n) == 0;
}

int
gh_totp_check(const char *b32, const char *code, int64_t now_s, int *ok, struct gh_err *err)
{
    char   buf[GH_TOTP_SECRET_MAX + 1];
    char  *key = NULL;
    size_t n, klen = 0;
    int    rc = -1;

    *ok = 0;
    pthread_once(&oath_once, init_oath);
    if (!oath_ok)
        return GH_FAIL(err, GH_E_INTERNAL, NULL);
    if (canon(b32, buf, sizeof(buf), &n) == -1 ||
        oath_base32_decode(buf, n, &key, &klen) != OATH_OK) {
        GH_FAIL(err, GH_E_INTERNAL, NULL);
        gh_err_note(err, "stored TOTP secret unreadable");
        goto done;
    }
    if (strlen(code) == 6 && strspn(code, "0123456789") == 6)
        *ok = oath_totp_validate(key, klen, (time_t)now_s, 30, 0, 1, code) >= 0;
    rc = 0;
done:
    if (key != NULL)
        sodium_memzero(key, klen);
    free(key);
    sodium_memzero(buf, sizeof(buf));
    return rc;
}

int
gh_totp_secret_new(char *out, struct gh_err *err)
{
    unsigned char raw[20];
    char         *b32 = NULL;
    size_t        n = 0;
    int           rc = -1;

    out[0] = '\0';
    pthread_once(&oath_once, init_oath);
    if (!oath_ok)
        return GH_FAIL(err, GH_E_INTERNAL, NULL);
    gh_rand_bytes(raw, sizeof(raw));
    if (oath_base32_encode((const char *)raw, sizeof(raw), &b32, &n) != OATH_OK || b32 == NULL ||
        n != GH_TOTP_NEW_LEN) { /* 160 bits are exactly 32 characters, no padding */
        GH_FAIL(err, GH_E_INTERNAL, NULL);
        goto done;
    }
    memcpy(out, b32, n);
    out[n] = '\0';
    rc = 0;
done:
    if (b32 != NULL)
        sodium_memzero(b32, n);
    free(b32);
    sodium_memzero(raw, sizeof(raw));
    return rc;
}
