/* code.c: see code.h. */
#include "core/code.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/app.h"
#include "core/origin.h"
#include "core/settings.h"
#include "crypto/crypto.h"
#include "util/str.h"

int64_t
gh_code_ttl_ms(const struct gh_app *app)
{
    if (app != NULL && app->conf != NULL && app->conf->code_ttl_s > 0)
        return (int64_t)app->conf->code_ttl_s * 1000;
    return GH_CODE_TTL_MS;
}

int
gh_code_is_test_address(const struct gh_app *app, const char *email)
{
    const char *at;

    struct gh_settings st;

    if (!gh_app_is_development(app) || email == NULL || (at = strchr(email, '@')) == NULL)
        return 0;
    /* PATCH /v1/instance {test_mode:false} turns the convention off. */
    if (gh_settings_load(app, &st, NULL) == 0 && !st.test_mode)
        return 0;
    for (const char *p = email; p + 11 <= at; p++)
        if (strncasecmp(p, "+clerk_test", 11) == 0)
            return 1;
    return 0;
}

/* hex SHA-256 of "<owner>:<code>": a code leaked from one sign-in's row
 * says nothing about another's, and the table never holds a code. */
static void
code_hash(const char *owner_id, const char *code, char out[65])
{
    char buf[GH_ID_MAX + GH_CODE_LEN + 2];

    snprintf(buf, sizeof(buf), "%s:%s", owner_id, code);
    gh_sha256_hex(buf, strlen(buf), out);
    gh_memzero(buf, sizeof(buf));
}

static void
random_code(char *code)
{
    unsigned char r[4];
    uint32_t      v;

    /* 2^32 mod 10^6 bias is below 0.03 %: fine for a rate-limited code. */
    gh_rand_bytes(r, sizeof(r));
    v = ((uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3]) % 1000000u;
    snprintf(code, GH_CODE_LEN + 1, "%06u", v);
    gh_memzero(r, sizeof(r));
}

int
gh_code_prepare(const struct gh_app *app, const char *owner_id, const char *strategy,
    const char *target_id, const char *email, struct gh_verif *v, char *code,
    struct gh_err *err)
{
    int64_t now = gh_now_ms();

    if (v->sent_at != GH_TIME_NULL && strcmp(v->strategy, strategy) == 0 &&
        strcmp(v->target_id, target_id != NULL ? target_id : "") == 0 &&
        now - v->sent_at < GH_CODE_RESEND_MS) {
        GH_FAIL(err, GH_E_RESEND_TOO_SOON, NULL);
        err->retry_after_s = (unsigned)((GH_CODE_RESEND_MS - (now - v->sent_at) + 999) / 1000);
        return -1;
    }
    if (gh_code_is_test_address(app, email))
        snprintf(code, GH_CODE_LEN + 1, "%s", GH_CODE_TEST);
    else
        random_code(code);
    gh_verif_reset(v);
    gh_strlcpy(v->strategy, strategy, sizeof(v->strategy));
    snprintf(v->status, sizeof(v->status), "unverified");
    gh_strlcpy(v->target_id, target_id != NULL ? target_id : "", sizeof(v->target_id));
    v->expire_at = now + gh_code_ttl_ms(app);
    v->sent_at = now;
    code_hash(owner_id, code, v->code_hash);
    return 0;
}

int
gh_code_usable(struct gh_verif *v, const char *strategy, int64_t now, struct gh_err *err)
{
    if (strcmp(v->strategy, strategy) != 0 || v->code_hash[0] == '\0')
        return GH_FAIL_PARAM(err, GH_E_VERIFICATION_MISSING, "strategy",
            "No code was sent for this strategy.");
    if (strcmp(v->status, "verified") == 0)
        return 0;
    if (strcmp(v->status, "failed") == 0 || v->attempts >= GH_CODE_MAX_ATTEMPTS) {
        snprintf(v->status, sizeof(v->status), "failed");
        return GH_FAIL_PARAM(err, GH_E_VERIFICATION_FAILED, "code",
            "Too many failed attempts. Please request a new code.");
    }
    if (strcmp(v->status, "expired") == 0 || (v->expire_at != GH_TIME_NULL && now >= v->expire_at)) {
        snprintf(v->status, sizeof(v->status), "expired");
        return GH_FAIL_PARAM(err, GH_E_VERIFICATION_EXPIRED, "code",
            "This verification has expired. Please request a new code.");
    }
    return 0;
}

int
gh_code_matches(const struct gh_verif *v, const char *owner_id, const char *code)
{
    char want[65];
    int  ok;

    if (code == NULL || strlen(code) != GH_CODE_LEN || v->code_hash[0] == '\0')
        return 0;
    code_hash(owner_id, code, want);
    ok = gh_ct_equal(want, v->code_hash, 64);
    gh_memzero(want, sizeof(want));
    return ok;
}

int
gh_code_check(struct gh_verif *v, const char *owner_id, const char *strategy,
    const char *code, int64_t now, struct gh_err *err)
{
    if (gh_code_usable(v, strategy, now, err) == -1)
        return -1;
    if (strcmp(v->status, "verified") == 0)
        return 0;
    if (!gh_code_matches(v, owner_id, code))
        return GH_FAIL_PARAM(err, GH_E_CODE_INCORRECT, "code", "Incorrect code");
    snprintf(v->status, sizeof(v->status), "verified");
    return 0;
}
