/* code.h: one-time codes sent by email (issue 4): sign-up email
 * verification, sign-in email_code, reset_password_email_code, and verifying
 * an added address. A code is 6 digits, lives GH_CODE_TTL_MS, allows
 * GH_CODE_MAX_ATTEMPTS wrong tries, and cannot be re-sent within
 * GH_CODE_RESEND_MS. Only a hash bound to its owner (the sign-in or sign-up
 * id) is kept, in a struct gh_verif (records.h).
 *
 * Development instances follow Clerk's testing convention: an address with a
 * "+clerk_test" subaddress gets no email and its code is always 424242. */
#ifndef GH_CORE_CODE_H
#define GH_CORE_CODE_H

#include <stdint.h>

#include "store/records.h"
#include "util/err.h"

struct gh_app;

#define GH_CODE_LEN          6
#define GH_CODE_TTL_MS       (10LL * 60 * 1000)
#define GH_CODE_MAX_ATTEMPTS 5
#define GH_CODE_RESEND_MS    (30LL * 1000)
#define GH_CODE_TEST         "424242"

/* The lifetime of a new code: the configuration's code_ttl_s (an operator
 * knob; tests shorten it), else GH_CODE_TTL_MS. app may be NULL. */
int64_t gh_code_ttl_ms(const struct gh_app *app);

/* 1 when email is a "+clerk_test" address of a development instance whose
 * settings keep test_mode on (the default). */
int gh_code_is_test_address(const struct gh_app *app, const char *email);

/* Starts (or restarts) v as an emailed code for strategy to target_id:
 * status "unverified", attempts 0, expire_at now + TTL, sent_at now, and a
 * fresh code in code[GH_CODE_LEN + 1] (the test code for a test address).
 * The TTL is gh_code_ttl_ms(app).
 * A resend within GH_CODE_RESEND_MS of the last one → GH_E_RESEND_TOO_SOON
 * (retry_after_s set). The caller stores v, then mails the code. */
int gh_code_prepare(const struct gh_app *app, const char *owner_id, const char *strategy,
    const char *target_id, const char *email, struct gh_verif *v, char *code,
    struct gh_err *err);

/* Checks code against v (owner_id as at prepare). Returns 0 and sets
 * v->status "verified" when right; otherwise fails with
 * GH_E_VERIFICATION_MISSING (nothing prepared for this strategy),
 * GH_E_VERIFICATION_EXPIRED, GH_E_VERIFICATION_FAILED (attempts used up:
 * v->status "failed") or GH_E_CODE_INCORRECT (param "code"; the caller
 * counts the attempt with gh_store_verif_bump). Constant-time compare. */
int gh_code_check(struct gh_verif *v, const char *owner_id, const char *strategy,
    const char *code, int64_t now, struct gh_err *err);

/* The two halves of gh_code_check, for callers that count an attempt in
 * between (sign-up: the attempt is reserved with gh_store_verif_bump before
 * the code is compared, so racing guesses can never exceed the limit).
 * gh_code_usable: the state checks only (same errors as gh_code_check but
 * GH_E_CODE_INCORRECT; a verified v passes; expired / exhausted v get status
 * "expired" / "failed"). gh_code_matches: 1 when code is v's code (constant
 * time; a malformed code is 0); changes nothing. */
int gh_code_usable(struct gh_verif *v, const char *strategy, int64_t now, struct gh_err *err);
int gh_code_matches(const struct gh_verif *v, const char *owner_id, const char *code);

#endif
