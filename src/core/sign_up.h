/* sign_up.h: the Frontend API's sign-up state machine (issue 4): create and
 * update a sign-up with the fields a visitor gives, verify its email address
 * with an emailed code, and — once nothing required is missing or unverified
 * — create the user and a session on the client in one transaction. Instance
 * settings (core/settings.h) say which fields are required; allowlist,
 * blocklist and invitation-only mode are enforced at create. */
#ifndef GH_CORE_SIGN_UP_H
#define GH_CORE_SIGN_UP_H

#include "core/settings.h"
#include "store/records.h"

/* Field bits for required/optional/missing/unverified. */
#define GH_SU_EMAIL      0x01u
#define GH_SU_PASSWORD   0x02u
#define GH_SU_USERNAME   0x04u
#define GH_SU_FIRST_NAME 0x08u
#define GH_SU_LAST_NAME  0x10u
#define GH_SU_LEGAL      0x20u

struct gh_su_fields {
    unsigned required;
    unsigned optional;
    unsigned missing;    /* required and not given */
    unsigned unverified; /* given but not verified (the email address) */
};

/* What st requires of su, and what su still lacks. */
void gh_sign_up_fields(const struct gh_settings *st, const struct gh_sign_up *su,
    struct gh_su_fields *out);

#endif
