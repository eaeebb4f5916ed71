/* user_body.h: the body of POST /v1/users read into core's parameters, shared
 * by the handler (users.c) and the bulk import (users_import.c), so an import
 * line means exactly what the same JSON means to the Backend API. Only JSON
 * types and shapes are checked here; values are core's. */
#ifndef GH_API_BACKEND_USER_BODY_H
#define GH_API_BACKEND_USER_BODY_H

#include <jansson.h>

#include "core/user.h"

#define GH_API_BACKUP_CODES_MAX 50 /* core refuses more (GH_MFA_CODES_MAX) */

/* password_digest + password_hasher, totp_secret, backup_codes. *_given say
 * which were present (null counts as present for the PATCH "clear" meaning). */
struct gh_api_user_secrets {
    const char *digest, *hasher, *totp;
    const char *codes[GH_API_BACKUP_CODES_MAX];
    size_t      ncodes;
    int         digest_given, totp_given, codes_given;
};

/* p points into the other members and into the JSON body: read it in place,
 * never copy the struct, and keep the body alive while p is used. */
struct gh_api_user_body {
    struct gh_user_params      p;
    const char                *emails[GH_USER_MAX_IDENTS];
    const char                *phones[GH_USER_MAX_IDENTS];
    char                      *md[3]; /* owned: public, private, unsafe metadata text */
    struct gh_api_user_secrets sec;
};

/* Fills b from a create-user JSON object; unknown keys are ignored, as Clerk
 * does. Wrong types → GH_E_PARAM_INVALID naming the key. Call
 * gh_api_user_body_clear afterwards either way. */
int  gh_api_user_body_read(json_t *body, struct gh_api_user_body *b, struct gh_err *err);
void gh_api_user_body_clear(struct gh_api_user_body *b);

#endif
