/* jwt_template.h: JWT templates (issue 3, spec §B4/§C9/§D3): their rules
 * (name, claims whose shortcodes must parse, lifetime and clock-skew bounds,
 * custom HS256/RS256 signing keys sealed with the master key), and minting a
 * templated token for a session. The shortcode language itself is
 * core/template.c; this file feeds it the user, session and organization and
 * signs the result. */
#ifndef GH_CORE_JWT_TEMPLATE_H
#define GH_CORE_JWT_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include "store/records.h"
#include "util/err.h"

struct gh_app;

#define GH_JWT_TEMPLATE_NAME_MAX     256       /* bytes */
#define GH_JWT_TEMPLATE_LIFETIME     60        /* s, default (Clerk's) */
#define GH_JWT_TEMPLATE_LIFETIME_MIN 30
#define GH_JWT_TEMPLATE_LIFETIME_MAX 315360000 /* ten years */
#define GH_JWT_TEMPLATE_SKEW         5         /* s, default */
#define GH_JWT_TEMPLATE_SKEW_MAX     300
#define GH_JWT_TEMPLATE_KEY_MAX      16384     /* bytes of a custom signing key */

/* Create/update input. NULL / has_* = 0 means "not given": required on
 * create for name and claims, unchanged on update. Strings are borrowed. */
struct gh_jwt_template_params {
    const char *name;
    const char *claims;            /* JSON object text */
    int         has_lifetime;
    int64_t     lifetime;
    int         has_skew;
    int64_t     allowed_clock_skew;
    int         has_custom;
    int         custom_signing_key;
    const char *signing_algorithm; /* "RS256" | "HS256" */
    const char *signing_key;       /* HS256 secret or RSA private PEM; secret, never logged */
};

/* Errors: GH_E_PARAM_MISSING / GH_E_PARAM_INVALID naming the parameter
 * (claims errors say which claim and what is wrong), GH_E_IDENTIFIER_EXISTS
 * naming "name", GH_E_NOT_FOUND for an unknown id. *out: caller frees with
 * gh_jwt_template_free. */
int gh_jwt_template_create(struct gh_app *app, const char *instance_id,
    const struct gh_jwt_template_params *p, struct gh_jwt_template **out, struct gh_err *err);
int gh_jwt_template_update(struct gh_app *app, const char *instance_id, const char *id,
    const struct gh_jwt_template_params *p, struct gh_jwt_template **out, struct gh_err *err);
int gh_jwt_template_get(struct gh_app *app, const char *instance_id, const char *id,
    struct gh_jwt_template **out, struct gh_err *err);
int gh_jwt_template_delete(struct gh_app *app, const char *instance_id, const char *id,
    struct gh_err *err);
/* Newest first; *out owned array (gh_jwt_templates_free). */
int gh_jwt_template_list(struct gh_app *app, const char *instance_id, int64_t limit,
    int64_t offset, struct gh_jwt_template ***out, size_t *n, struct gh_err *err);
int gh_jwt_template_count(struct gh_app *app, const char *instance_id, int64_t *out,
    struct gh_err *err);

/* Mints a token from the template named `name` for session_id: the rendered
 * claims plus sub, sid, iss, iat, exp (iat + lifetime, or expires_in_s when
 * > 0), nbf (iat - allowed_clock_skew), azp (origin when usable, else the
 * issuer) and a random jti unless the template sets one. Signed RS256 with the
 * instance key, or with the template's own key. Never cached: every call
 * reads the session, the template and the user. Unknown session or template
 * → GH_E_NOT_FOUND; session not active → GH_E_SESSION_NOT_ACTIVE. *jwt
 * malloc'd; free with gh_secret_free. */
int gh_jwt_template_mint(struct gh_app *app, const char *instance_id, const char *session_id,
    const char *name, const char *origin, int64_t expires_in_s, char **jwt, struct gh_err *err);

#endif
