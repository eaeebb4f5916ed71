/* fuzz_jwt.c: compact JWS parsing and verification (gh_jws_verify: split,
 * header pinning, base64url, cjose) with a fixed RS256 key whose public
 * half is below; the seed "valid-rs256" is a real token signed with it, so
 * mutations start from a token that passes. Invariants: only a token whose
 * header says exactly RS256 can verify, and a verified payload is handed
 * out NUL-free; the claim readers then take whatever it holds. */
#include <string.h>

#include "crypto/crypto.h"
#include "fuzz.h"
#include "util/json.h"

static const char pub_pem[] = "-----BEGIN PUBLIC KEY-----\n"
                              "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEArSMMXzg14k0436R8Ynaf\n"
                              "VyZun6qWa/5unv4Tlvq0zAOtux/VL5dJRtUMkAF9PuQoBZy3m0kIWugFMME6D/ty\n"
                              "kTi3AiWAg8lHpHMGqusHfefHi6Qc2eJQF6HaczDms3YBaxPCsRdTxE8QEzi2P8eU\n"
                              "ExvkWo4LM/qJQMo+hrh7WldTLot1n/ovgnYx0PZ0Qwm0jQj8sA8SV4yfOsRrVD3a\n"
                              "UU6XXMEmXKk224PI88PdJ+0JqN+HU929F8kjxPwMXzl9QjeuUdxNlW/4kK3RNGf/\n"
                              "TvgwB+iCkbdkF2gUfa4UAACzEdjF86H1nrduf1YoYl8+evMJaaEHYXlDfx69xdZn\n"
                              "CQIDAQAB\n"
                              "-----END PUBLIC KEY-----\n";

/* corpus/jwt/valid-rs256: checked at start, so a broken key or verifier
 * cannot make every input fail for the wrong reason. */
static const char valid[] =
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImZ1enoiLCJ0eXAiOiJKV1QifQ.eyJzdWIiOiAidXNlcl8yYWJjIiwgInNpZ"
    "CI6ICJzZXNzXzEiLCAidiI6IDIsICJleHAiOiA5OTk5OTk5OTk5LCAiaWF0IjogMSwgIm5iZiI6IDB9.Ndq6vCsn"
    "B_bQKD_W2fkY74wCPecxYfGJYF9R0yU_isXhDCktFDPtR3glEJyptdWTqFGvKoHtcrOMszAbqY9gQpZ7W7fdBhlm"
    "eO8lEjof1i6e_hY-hxns5ib_L_7GdnsiexIFZc54Iv4FYzDvIMF1qQZAn9udGEEA_y28mqXS9d7UTR2a_IUC82mK"
    "0-392TcndKlcaPsuUyWcETtFjuvEt3oWiHdIAFjhZi9pMa0jjfAjQy-a4016OHQ_3y1SUL7g_AMftBiW_Pi_wGzh"
    "MhlVyDDkRFzANmgFrK6RF-2IR0XAUXhRUrteTzk9ubKr4pofdlBgeO0kAwpgfaetEINeIA";

static struct gh_verifier *v;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct gh_err err = {0};
    char         *payload = NULL;

    if (gh_crypto_init(&err) == -1 || gh_verifier_new("fuzz", pub_pem, &v, &err) == -1)
        abort();
    FUZZ_ASSERT(gh_jws_verify(v, valid, sizeof(valid) - 1, &payload, &err) == 0);
    free(payload);
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gh_err err = {0};
    char         *tok = fuzz_cstr(data, size), *payload = NULL;
    int64_t       exp;
    char          sub[64];

    if (gh_jws_verify(v, tok, size, &payload, &err) == 0) {
        FUZZ_ASSERT(payload != NULL);
        FUZZ_ASSERT(strlen(payload) > 0);
        gh_json_field_int(payload, "exp", &exp);
        gh_json_field_str(payload, "sub", sub, sizeof(sub));
        free(payload);
    } else {
        FUZZ_ASSERT(payload == NULL);
        FUZZ_ASSERT(err.code == GH_E_AUTH_INVALID || err.code == GH_E_NOMEM);
    }
    /* the claim readers on raw input too: they parse untrusted JSON */
    gh_json_field_int(tok, "exp", &exp);
    gh_json_field_str(tok, "sid", sub, sizeof(sub));
    free(tok);
    return 0;
}
