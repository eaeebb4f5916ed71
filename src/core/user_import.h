/* user_import.h: creating many users at once, for `gatehouse users import`.
 * Each user is validated exactly as POST /v1/users validates it
 * (gh_user_build); a batch is stored in one transaction with the store's
 * multi-row insert, where a clash (an identifier, username or external id
 * that a stored user or an earlier user of the batch has) skips that user
 * only. Imports emit no webhook events (a bulk load would flood every
 * endpoint) and reload nothing. No HTTP, SQL or jansson here. */
#ifndef GH_CORE_USER_IMPORT_H
#define GH_CORE_USER_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/user.h"

struct gh_user_import {
    const struct gh_user_params *p;      /* in: borrowed for the call; NULL = refused
                                            before (err is kept), so errors stay in order */
    int                          stored; /* out: 1 when the user is in the database */
    char                         id[GH_ID_MAX]; /* out: its new id when stored */
    struct gh_err                err;    /* out: why not, when !stored (Clerk's error) */
};

/* Builds and stores items[0..n) in one transaction (which must not be open
 * yet). Invalid or taken values fail their item only (items[k].err) and
 * return 0. -1 when the transaction itself failed: nothing of the batch is
 * stored, every item has stored = 0, err says why. */
int gh_user_import_batch(struct gh_app *app, const char *instance_id,
    struct gh_user_import *items, size_t n, struct gh_err *err);

/* After the last batch: refreshes the planner's statistics, so lists and
 * searches on the grown tables are planned for their new size at once. */
int gh_user_import_finish(struct gh_app *app, struct gh_err *err);

/* Export (`gatehouse users export`): up to limit users with id > after (""
 * = from the first), in id order, with identifiers. *out: gh_users_free. */
int gh_user_scan(struct gh_app *app, const char *instance_id, const char *after, int64_t limit,
    struct gh_user ***out, size_t *n, struct gh_err *err);

/* The stored password of u as an importable digest: *hasher is Clerk's
 * password_hasher name (copied into hasher[0..size)) and *digest points into
 * u->password_hash. 0 when u has none or it cannot be exported; 1 when set. */
int gh_user_export_digest(const struct gh_user *u, char *hasher, size_t size,
    const char **digest);

#endif
