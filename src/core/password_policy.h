/* password_policy.h (issue 6): what a new password must not be, beyond its
 * length (user.c): one of the most common passwords (catalogue CRED-03;
 * John the Ripper's list from Debian's john-data, embedded at build time),
 * or, when the operator configured a range API (--pwned-url), a password
 * seen in a breach. Both answer Clerk's form_password_pwned (422, param
 * "password"). The breach check fails open: when the API cannot be reached
 * the password is accepted and a warning logged, so an outage of a third
 * party never blocks sign-ups. No HTTP, SQL or library types here. */
#ifndef GH_CORE_PASSWORD_POLICY_H
#define GH_CORE_PASSWORD_POLICY_H

#include <stddef.h>

#include "util/err.h"

struct gh_app;

/* 1 when pw[0..len) is on the common list, compared without ASCII case and
 * also with trailing punctuation removed ("Password1!" is "password1"). */
int gh_password_is_common(const char *pw, size_t len);
/* Number of distinct entries of the embedded list (tests). */
size_t gh_password_common_count(void);

/* Common list, then the breach check (app->conf->pwned_url; app may be
 * NULL: list only). GH_E_PASSWORD_PWNED naming "password" on a match. */
int gh_password_policy_check(const struct gh_app *app, const char *pw, size_t len,
                             struct gh_err *err);

#endif
