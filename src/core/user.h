/* user.h: the user rules behind the Backend API: create, update, metadata,
 * delete, ban/lock, password verification, listing. Inputs are plain C
 * (metadata as JSON object text); outputs are store records (records.h)
 * that the caller frees with gh_user_free. No HTTP, SQL or jansson here.
 * Sign-in/sign-up flows (Frontend API) build on these but live elsewhere. */
#ifndef GH_CORE_USER_H
#define GH_CORE_USER_H

#include <stddef.h>
#include <stdint.h>

#include "store/records.h"
#include "store/store.h"
#include "util/err.h"

struct gh_app;

#define GH_USER_MAX_IDENTS    10   /* emails (and phones) per create request */
#define GH_USER_NAME_MAX      256  /* first/last name, external id (bytes) */
#define GH_PASSWORD_MIN       8    /* bytes */
#define GH_PASSWORD_MAX       1024 /* bytes; longer → 422 before any hashing (catalogue CRED-01) */

/* POST /v1/users. Strings are borrowed for the call; NULL = not given. */
struct gh_user_params {
    const char *const *email_addresses; /* raw; normalised by gh_user_create */
    size_t             n_email_addresses;
    const char *const *phone_numbers;
    size_t             n_phone_numbers;
    const char        *username;
    const char        *password;        /* password_len bytes; may contain NUL */
    size_t             password_len;
    int                password_given;
    int                skip_password_checks;     /* only length ≥ 1 is checked */
    int                skip_password_requirement; /* accepted; nothing requires one yet */
    const char        *first_name;
    const char        *last_name;
    const char        *external_id;
    const char        *public_metadata;  /* JSON object text or NULL ({}) */
    const char        *private_metadata;
    const char        *unsafe_metadata;
    int64_t            created_at;        /* ms; GH_TIME_NULL = now */
    int64_t            legal_accepted_at; /* ms; GH_TIME_NULL = none */
    int                banned;
    int                locked;
    int                delete_self_enabled;         /* -1 = default (true) */
    int                create_organization_enabled; /* -1 = default (true) */
    /* issue 3: password imports and MFA material */
    const char        *password_digest;   /* with password_hasher, instead of password */
    const char        *password_hasher;
    const char        *totp_secret;       /* base32; NULL = none */
    const char *const *backup_codes;      /* NULL = none */
    size_t             n_backup_codes;
};
void gh_user_params_init(struct gh_user_params *p); /* zero, times NULL, flags -1 */

/* Validates and normalises p, refuses identifiers taken by anyone
 * (GH_E_IDENTIFIER_EXISTS naming email_address/phone_number/username/
 * external_id) or repeated within p, hashes the password (bounded), and
 * stores the user with its identifiers verified by "admin"; the first email
 * and phone become primary. *out: the stored user (caller frees). */
int gh_user_create(struct gh_app *app, const char *instance_id, const struct gh_user_params *p,
    struct gh_user **out, struct gh_err *err);

/* The user gh_user_create would store for p (validated, normalised, new id,
 * identifiers verified by "admin", password hashed or digest wrapped), built
 * without asking the store whether its identifiers, username or external id
 * are taken: the bulk import (user_import.h) leaves that to the store's
 * multi-row insert. Stores nothing. *out: caller frees. */
int gh_user_build(struct gh_app *app, const struct gh_user_params *p, struct gh_user **out,
    struct gh_err *err);

/* PATCH /v1/users/:id. `fields` says which members are given. */
enum {
    GH_USER_F_FIRST_NAME    = 1u << 0,  /* NULL clears */
    GH_USER_F_LAST_NAME     = 1u << 1,  /* NULL clears */
    GH_USER_F_USERNAME      = 1u << 2,  /* NULL clears; else validated */
    GH_USER_F_PASSWORD      = 1u << 3,  /* sets password_updated_at */
    GH_USER_F_EXTERNAL_ID   = 1u << 4,  /* NULL clears */
    GH_USER_F_PRIMARY_EMAIL = 1u << 5,  /* must be one of the user's email ids */
    GH_USER_F_PRIMARY_PHONE = 1u << 6,
    GH_USER_F_PUBLIC_MD     = 1u << 7,  /* replace whole */
    GH_USER_F_PRIVATE_MD    = 1u << 8,
    GH_USER_F_UNSAFE_MD     = 1u << 9,
    GH_USER_F_CREATED_AT    = 1u << 10,
    GH_USER_F_LEGAL_AT      = 1u << 11, /* GH_TIME_NULL clears */
    GH_USER_F_DELETE_SELF   = 1u << 12,
    GH_USER_F_CREATE_ORG    = 1u << 13,
    /* issue 3: password imports and MFA material */
    GH_USER_F_PASSWORD_DIGEST = 1u << 20, /* password_digest + password_hasher */
    GH_USER_F_TOTP            = 1u << 21, /* totp_secret; NULL clears */
    GH_USER_F_BACKUP_CODES    = 1u << 22, /* backup_codes; none clears */
    /* issue 4: POST /v1/me/remove_password */
    GH_USER_F_PASSWORD_CLEAR  = 1u << 23, /* no password any more */
};
struct gh_user_patch {
    unsigned    fields;                   /* GH_USER_F_* */
    const char *first_name;
    const char *last_name;
    const char *username;
    const char *password;                 /* password_len bytes; may contain NUL */
    size_t      password_len;
    int         skip_password_checks;
    const char *external_id;
    const char *primary_email_address_id;
    const char *primary_phone_number_id;
    const char *public_metadata;          /* JSON object text */
    const char *private_metadata;
    const char *unsafe_metadata;
    int64_t     created_at;
    int64_t     legal_accepted_at;
    int         delete_self_enabled;
    int         create_organization_enabled;
    /* issue 3 */
    const char        *password_digest;
    const char        *password_hasher;
    const char        *totp_secret;
    const char *const *backup_codes;
    size_t             n_backup_codes;
};

/* Changes only the given fields; updated_at = now. *out: the stored user
 * after the change (caller frees). Unknown user → GH_E_NOT_FOUND. */
int gh_user_update(struct gh_app *app, const char *instance_id, const char *user_id,
    const struct gh_user_patch *p, struct gh_user **out, struct gh_err *err);

/* PATCH (merge = 1: deep merge, null deletes) or PUT (merge = 0: replace)
 * /v1/users/:id/metadata. NULL members are left alone. Each must be JSON
 * object text and at most GH_JSON_METADATA_MAX bytes after the change, else
 * GH_E_PARAM_INVALID naming the field. *out as gh_user_update. */
int gh_user_metadata(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *public_md, const char *private_md, const char *unsafe_md, int merge,
    struct gh_user **out, struct gh_err *err);

/* The user with its identifiers (*out caller-owned). A missing or malformed
 * id → GH_E_NOT_FOUND with message "User not found". */
int gh_user_get(struct gh_app *app, const char *instance_id, const char *user_id,
    struct gh_user **out, struct gh_err *err);
/* Deletes the user, its identifiers and sessions. GH_E_NOT_FOUND when absent. */
int gh_user_delete(struct gh_app *app, const char *instance_id, const char *user_id,
    struct gh_err *err);

enum gh_user_action { GH_USER_BAN, GH_USER_UNBAN, GH_USER_LOCK, GH_USER_UNLOCK };
/* Sets banned/locked; UNLOCK also clears failed_attempts and lockout_until.
 * *out: the stored user after the change. */
int gh_user_set_state(struct gh_app *app, const char *instance_id, const char *user_id,
    enum gh_user_action action, struct gh_user **out, struct gh_err *err);

/* 0 when pw[0..len) is the user's password. No password →
 * GH_E_PASSWORD_NOT_SET; wrong → GH_E_PASSWORD_INCORRECT. A hash that is not
 * argon2id at the current parameters is replaced on success. Each call is a
 * verification attempt of the lockout rule (core/lockout.h): locked →
 * GH_E_USER_LOCKED, and the limit-th wrong password starts the lockout. */
int gh_user_verify_password(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *pw, size_t len, struct gh_err *err);

/* Password policy for new passwords: GH_PASSWORD_MIN..GH_PASSWORD_MAX bytes
 * (skip_checks: 1..GH_PASSWORD_MAX). Errors name "password". */
int gh_user_check_password(const char *pw, size_t len, int skip_checks, struct gh_err *err);

/* Listing with the store's filter (emails/usernames already lower-cased by
 * the caller). *out: owned array of *n users (gh_users_free). */
int gh_user_list(struct gh_app *app, const char *instance_id, const struct gh_user_filter *f,
    struct gh_user ***out, size_t *n, struct gh_err *err);
int gh_user_count(struct gh_app *app, const char *instance_id, const struct gh_user_filter *f,
    int64_t *out, struct gh_err *err);

#endif
