/* lockout.h (issue 6): the rule that locks a user after too many failed
 * verifications (conf->lockout_attempts, default 10, for conf->lockout_seconds,
 * default 1 hour). Every check of a user's credential (password, TOTP,
 * backup code, and the Frontend API's email codes) is bracketed:
 *
 *     struct gh_attempt a;
 *     if (gh_user_attempt_check(app, instance_id, user_id, &a, err) == -1)
 *         return -1;                       (locked: GH_E_USER_LOCKED)
 *     ok = …check the credential…;
 *     gh_user_attempt_record(app, &a, ok ? GH_ATTEMPT_OK : GH_ATTEMPT_FAILED);
 *
 * The check reserves the attempt in the store with one atomic statement
 * before the slow check runs, so no number of parallel attempts on any
 * number of servers gets more than the limit of checks: attempt N reaching
 * the limit starts the lockout at once, and a success lifts it. Attempts
 * while locked are refused without counting. No HTTP, SQL or jansson here. */
#ifndef GH_CORE_LOCKOUT_H
#define GH_CORE_LOCKOUT_H

#include <stdint.h>

#include "store/records.h"
#include "util/err.h"

struct gh_app;

/* One reserved attempt, from check to record. Caller storage. */
struct gh_attempt {
    char instance_id[GH_ID_MAX];
    char user_id[GH_ID_MAX];
    int  number;   /* this attempt's number among the consecutive failures (1 = first) */
    int  limit;    /* the limit it was reserved under (INT32_MAX when lockout is off) */
    int  reserved; /* 1 between a successful check and its record */
};

enum gh_attempt_result {
    GH_ATTEMPT_OK,      /* the credential was right: counter reset, lockout lifted */
    GH_ATTEMPT_FAILED,  /* it was wrong: the reservation stays counted */
    GH_ATTEMPT_NOT_RUN, /* the check could not run (503, store error): given back */
};

/* Reserves one verification attempt for the user. Locked (by an admin, or by
 * this rule until lockout_until) → GH_E_USER_LOCKED (403, err->lockout_s = the
 * seconds left, 0 for an admin lock) and nothing is counted; unknown user →
 * GH_E_NOT_FOUND "User not found"; store failures as usual. With
 * conf->lockout_attempts 0 only admin locks refuse. */
int gh_user_attempt_check(struct gh_app *app, const char *instance_id, const char *user_id,
                          struct gh_attempt *a, struct gh_err *err);
/* Closes a reservation (a no-op unless a->reserved). Store failures are
 * logged, not returned: the caller's answer does not change. */
void gh_user_attempt_record(struct gh_app *app, struct gh_attempt *a,
                            enum gh_attempt_result result);

/* What the user object shows (Clerk's locked, lockout_expires_in_seconds,
 * verification_attempts_remaining) for u at now_ms. app may be NULL (the
 * default limit). */
struct gh_lockout_view {
    int     locked;             /* an admin lock or a running lockout */
    int64_t expires_in_s;       /* seconds left of a running lockout; -1 = none (null) */
    int     attempts_remaining; /* -1 when lockout is off (null) */
};
void gh_user_lockout_view(const struct gh_app *app, const struct gh_user *u, int64_t now_ms,
                          struct gh_lockout_view *out);

#endif
