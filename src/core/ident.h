/* ident.h: a user's identifiers: normalising and validating email
 * addresses, phone numbers and usernames (shared by the Backend and Frontend
 * APIs), and adding, changing and removing a user's email addresses and
 * phone numbers (keeping primary_email_id / primary_phone_id consistent).
 * No HTTP or SQL here; verification codes and sign-up flows live elsewhere. */
#ifndef GH_CORE_IDENT_H
#define GH_CORE_IDENT_H

#include "store/records.h"
#include "util/err.h"

struct gh_app;

#define GH_EMAIL_MAX    320 /* RFC 5321 path limits: 64 local + @ + 255 domain */
#define GH_PHONE_DIGITS_MIN 7
#define GH_PHONE_DIGITS_MAX 15 /* E.164 */
#define GH_USERNAME_MIN 4
#define GH_USERNAME_MAX 64

/* Trims ASCII whitespace, lower-cases, checks a sane syntax (one '@', dot-atom
 * local part ≤ 64, a domain of ≥ 2 labels), total ≤ GH_EMAIL_MAX. *out
 * malloc'd on success (NULL on error). Bad → GH_E_PARAM_INVALID naming
 * `param` (NULL → "email_address"). */
int gh_ident_norm_email(const char *in, const char *param, char **out, struct gh_err *err);
/* Strips spaces, dashes, dots and parentheses; requires "+" then 7–15
 * digits, the first not 0. *out = "+<digits>" malloc'd. Bad →
 * GH_E_PARAM_INVALID naming `param` (NULL → "phone_number"). */
int gh_ident_norm_phone(const char *in, const char *param, char **out, struct gh_err *err);
/* Trims and case-folds; 4–64 of [a-z0-9_.-]. Wrong length →
 * GH_E_USERNAME_INVALID_LENGTH, other characters →
 * GH_E_USERNAME_INVALID_CHARACTER, both naming "username". *out malloc'd. */
int gh_ident_norm_username(const char *in, char **out, struct gh_err *err);

/* The wire parameter name of an identifier type ("email_address", "phone_number"). */
const char *gh_ident_param(enum gh_ident_type type);
/* Sets GH_E_IDENTIFIER_EXISTS naming `param` with Clerk's sentence ("That
 * email address is taken. Please try another."). Returns -1. */
int gh_ident_taken(struct gh_err *err, const char *param);
/* Copies a store error into err, rewriting a unique clash
 * (GH_E_IDENTIFIER_EXISTS) into gh_ident_taken's form. Returns -1. */
int gh_ident_store_fail(const struct gh_err *store_err, struct gh_err *err);

/* Adds an identifier to a user: value is normalised and must not belong to
 * anyone. verified → strategy "admin". primary, or the user having no
 * primary of that type yet, makes it the primary. *out (caller frees with
 * gh_ident_free) is the stored identifier. Unknown user → GH_E_NOT_FOUND
 * ("User not found"); taken → GH_E_IDENTIFIER_EXISTS. */
int gh_ident_add(struct gh_app *app, const char *instance_id, const char *user_id,
    enum gh_ident_type type, const char *value, int verified, int primary,
    struct gh_ident **out, struct gh_err *err);
/* The identifier with that id and type (*out caller-owned). Absent or of
 * another type → GH_E_NOT_FOUND. */
int gh_ident_load(struct gh_app *app, const char *instance_id, const char *ident_id,
    enum gh_ident_type type, struct gh_ident **out, struct gh_err *err);
/* verified: -1 keep, 0 unverify, 1 verify (strategy "admin"). primary: 1
 * makes it the user's primary of its type; 0 or -1 leaves the primary alone.
 * *out is the updated identifier (caller frees). */
int gh_ident_modify(struct gh_app *app, const char *instance_id, const char *ident_id,
    enum gh_ident_type type, int verified, int primary, struct gh_ident **out,
    struct gh_err *err);
/* Deletes the identifier; when it was the primary, the user's next
 * identifier of that type (creation order) becomes primary, or none. */
int gh_ident_remove(struct gh_app *app, const char *instance_id, const char *ident_id,
    enum gh_ident_type type, struct gh_err *err);

#endif
