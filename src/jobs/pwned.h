/* pwned.h (issue 6): the optional breached-password check, over the
 * k-anonymity range protocol of Have I Been Pwned's Pwned Passwords API:
 * only the first 5 hex digits of the password's SHA-1 leave the server
 * (GET <base>/range/ABCDE, "Add-Padding: true"); the answer lists the
 * remaining 35 digits of every breached hash with that prefix and a count.
 * Off unless the operator sets --pwned-url. libcurl stays in src/jobs. */
#ifndef GH_JOBS_PWNED_H
#define GH_JOBS_PWNED_H

#include <stdint.h>

#include "util/err.h"

#define GH_PWNED_TIMEOUT_MS 2000        /* whole request: sign-ups wait for it */
#define GH_PWNED_MAX_RESPONSE (1 << 20) /* a padded range answer is ~40 KB */

/* Looks up sha1_hex (40 upper-case hex digits) at base_url ("https://…",
 * no trailing "/range"). *count: how often that hash was seen in breaches,
 * 0 when absent. Network failure, timeout, a status other than 200 or a
 * malformed answer → -1 with GH_E_UNAVAILABLE (the caller decides whether
 * to fail open). Redirects are not followed. */
int gh_pwned_count(const char *base_url, const char sha1_hex[41], int64_t *count,
                   struct gh_err *err);

#endif
