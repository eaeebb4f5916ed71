/* sign.c: webhook secrets ("whsec_" + standard base64) and the Svix /
 * Standard-Webhooks signature header ("v1,<base64 HMAC-SHA256>" over
 * "{id}.{timestamp}.{body}"), byte-compatible with npm svix 1.99.1's
 * Webhook.sign/verify. It does not verify incoming signatures and never
 * logs a secret or a key. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "jobs/webhook.h"
#include "util/buf.h"

#define PREFIX_LEN (sizeof(GH_WEBHOOK_SECRET_PREFIX) - 1)
#define SECRET_B64_MAX 1024 /* a whsec_ body longer than this is no key of ours */

int
gh_webhook_secret_new(char out[GH_WEBHOOK_SECRET_SIZE], struct gh_err *err)
{
    unsigned char key[GH_WEBHOOK_SECRET_BYTES];
    char         *b64 = NULL;
    int           rc = -1;

    out[0] = '\0';
    gh_rand_bytes(key, sizeof(key));
    if ((b64 = gh_b64_encode(key, sizeof(key))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    if (strlen(b64) != GH_WEBHOOK_SECRET_SIZE - 1 - PREFIX_LEN) {
        GH_FAIL(err, GH_E_INTERNAL, NULL);
        gh_err_note(err, "base64 encoder gave an unexpected length");
        goto done;
    }
    memcpy(out, GH_WEBHOOK_SECRET_PREFIX, PREFIX_LEN);
    memcpy(out + PREFIX_LEN, b64, strlen(b64) + 1);
    rc = 0;
done:
    gh_memzero(key, sizeof(key));
    gh_secret_free(b64);
    return rc;
}

/* 1 when s[0..n) is canonical standard base64: a multiple of 4 characters
 * from A-Za-z0-9+/ with at most two '=' only at the end. This is what svix's
 * decoder (@stablelib/base64) accepts; we check it ourselves rather than rely
 * on how lenient the underlying decoder is. */
static int
b64_canonical(const char *s, size_t n)
{
    size_t pad = 0;

    if (n == 0 || n % 4 != 0)
        return 0;
    while (pad < 2 && s[n - 1 - pad] == '=')
        pad++;
    for (size_t i = 0; i < n - pad; i++) {
        char c = s[i];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '+' || c == '/'))
            return 0;
    }
    return 1;
}

int
gh_webhook_secret_decode(const char *secret, unsigned char **key, size_t *keylen,
    struct gh_err *err)
{
    const char    *b64;
    size_t         n;
    unsigned char *k = NULL;
    size_t         klen = 0;

    *key = NULL;
    *keylen = 0;
    if (secret == NULL || strncmp(secret, GH_WEBHOOK_SECRET_PREFIX, PREFIX_LEN) != 0)
        return GH_FAIL(err, GH_E_PARAM_INVALID, "secret must start with whsec_");
    b64 = secret + PREFIX_LEN;
    n = strlen(b64);
    if (n == 0 || n > SECRET_B64_MAX || !b64_canonical(b64, n))
        return GH_FAIL(err, GH_E_PARAM_INVALID, "secret is not valid base64");
    if (gh_b64_decode(b64, n, &k, &klen) == -1 || k == NULL)
        return GH_FAIL(err, GH_E_PARAM_INVALID, "secret is not valid base64");
    if (klen == 0) {
        free(k);
        return GH_FAIL(err, GH_E_PARAM_INVALID, "secret is empty");
    }
    *key = k;
    *keylen = klen;
    return 0;
}

/* msg_id goes into a header and into the signed content: keep it to the
 * characters our ids use, so no CR/LF and no '.' ambiguity can sneak in. */
static int
msg_id_ok(const char *id)
{
    size_t n = 0;

    if (id == NULL)
        return 0;
    for (; id[n] != '\0'; n++) {
        char c = id[n];

        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '_' || c == '-'))
            return 0;
    }
    return n > 0 && n <= GH_WEBHOOK_MSG_ID_MAX;
}

/* Appends "v1,<base64 HMAC-SHA256(key(secret), content)>" to out. */
static int
sign_one(const char *secret, const struct gh_buf *content, struct gh_buf *out,
    struct gh_err *err)
{
    unsigned char *key = NULL;
    size_t         klen = 0;
    unsigned char  mac[32];
    char          *b64 = NULL;
    struct gh_err  derr = { 0 };
    int            rc = -1;

    if (gh_webhook_secret_decode(secret, &key, &klen, &derr) == -1) {
        /* a stored secret we cannot use is our bug, not the caller's input */
        GH_FAIL(err, GH_E_INTERNAL, NULL);
        gh_err_note(err, "webhook secret unusable: %s", derr.desc);
        goto done;
    }
    gh_hmac_sha256(key, klen, gh_buf_str(content), gh_buf_len(content), mac);
    if ((b64 = gh_b64_encode(mac, sizeof(mac))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    gh_buf_add(out, "v1,");
    gh_buf_add(out, b64);
    rc = 0;
done:
    if (key != NULL) {
        gh_memzero(key, klen);
        free(key);
    }
    free(b64);
    return rc;
}

int
gh_webhook_sign(const char *const *secrets, size_t nsecrets, const char *msg_id,
    int64_t ts_seconds, const char *body, size_t len, char **sig_header, struct gh_err *err)
{
    struct gh_buf content, out;
    int           rc = -1;

    *sig_header = NULL;
    gh_buf_init(&content, len + GH_WEBHOOK_MSG_ID_MAX + 32);
    gh_buf_init(&out, nsecrets * 48 + 1);
    if (secrets == NULL || nsecrets == 0 || nsecrets > 16 || !msg_id_ok(msg_id) ||
        ts_seconds < 0 || (body == NULL && len > 0)) {
        GH_FAIL(err, GH_E_INTERNAL, NULL);
        gh_err_note(err, "webhook sign: bad arguments");
        goto done;
    }
    /* Signed content: the exact bytes sent, after "{id}.{ts}." (Svix). */
    gh_buf_addf(&content, "%s.%" PRId64 ".", msg_id, ts_seconds);
    if (len > 0)
        gh_buf_addn(&content, body, len);
    for (size_t i = 0; i < nsecrets; i++) {
        if (i > 0)
            gh_buf_addc(&out, ' ');
        if (sign_one(secrets[i], &content, &out, err) == -1)
            goto done;
    }
    if (gh_buf_failed(&content) || gh_buf_failed(&out)) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    *sig_header = gh_buf_take(&out);
    rc = 0;
done:
    gh_buf_clear(&content);
    gh_buf_clear(&out);
    return rc;
}
