/* users_sql.h: the column lists and parameter binders of the users and
 * identifications tables, shared by store_users.c (one row at a time) and
 * store_users_bulk.c (import and export). Private to src/store. */
#ifndef GH_STORE_USERS_SQL_H
#define GH_STORE_USERS_SQL_H

#include "store/db.h"

#define USER_COLS                                                                            \
    "u.id, u.external_id, u.username, u.first_name, u.last_name, u.password_hash,"         \
    " u.primary_email_id, u.primary_phone_id, u.public_metadata, u.private_metadata,"       \
    " u.unsafe_metadata, u.banned, u.locked, u.failed_attempts, u.lockout_until,"           \
    " u.password_updated_at, u.last_sign_in_at, u.last_active_at, u.legal_accepted_at,"     \
    " u.delete_self_enabled, u.create_organization_enabled, u.created_at, u.updated_at,"    \
    " u.totp_secret, u.backup_codes"
#define IDENT_COLS \
    "id, user_id, type, value, verified, strategy, reserved, created_at, updated_at"
#define IDENT_NCOLS   9  /* IDENT_COLS; gh_store_ident_bind adds instance_id */
#define USER_NSCALARS 24 /* USER_SET; gh_store_user_bind */
#define USER_FAILED_ATTEMPTS 12 /* their positions in gh_store_user_bind */
#define USER_LOCKOUT_UNTIL   13

/* The scalar columns in gh_store_user_bind order. */
#define USER_SET                                                                             \
    "external_id, username, first_name, last_name, password_hash, primary_email_id,"        \
    " primary_phone_id, public_metadata, private_metadata, unsafe_metadata, banned, locked," \
    " failed_attempts, lockout_until, password_updated_at, last_sign_in_at, last_active_at," \
    " legal_accepted_at, delete_self_enabled, create_organization_enabled, created_at,"      \
    " updated_at, totp_secret, backup_codes"

/* p[0..USER_NSCALARS) = u's USER_SET columns (borrowed from u). */
void gh_store_user_bind(const struct gh_user *u, struct gh_db_param *p);
/* p[0..IDENT_NCOLS] = i's IDENT_COLS, then instance_id (borrowed). */
void gh_store_ident_bind(const char *instance_id, const struct gh_ident *i,
    struct gh_db_param *p);
/* Runs a SELECT of USER_COLS (table alias u) and returns the users with their
 * identifiers: *out is an owned array of *n users (gh_users_free). */
int gh_store_users_fetch(struct gh_store *st, const char *instance_id, const char *sql,
    const struct gh_db_param *p, size_t np, struct gh_user ***out, size_t *n,
    struct gh_err *err);

#endif
