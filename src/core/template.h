/* template.h: the JWT template shortcode language (spec §B4, issue 3) as a
 * pure function of text: claims JSON in, claims JSON out. Every string value
 * of the template's claims that contains "{{…}}" is rendered from a plain
 * context struct (filled by core/jwt_template.c from the user, the session
 * and its active organization): a string that is exactly one shortcode keeps
 * the JSON type of what it resolves to (object, array, number, bool, null),
 * anything else is string interpolation. Inside a shortcode, `a || b || 'x'`
 * takes the first alternative that resolves to something (not null, not "").
 * No store, HTTP or key access here; signing is the caller's. */
#ifndef GH_CORE_TEMPLATE_H
#define GH_CORE_TEMPLATE_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

#define GH_TPL_CLAIMS_MAX 16384 /* bytes of template claims and of rendered claims */

/* What shortcodes read. Every string is borrowed and may be NULL (renders as
 * null / ""); metadata and actor are JSON text (objects). org_id NULL means
 * no active organization: every {{org.*}} then resolves to nothing. */
struct gh_tpl_ctx {
    const char *user_id;
    const char *external_id;
    const char *first_name;
    const char *last_name;
    const char *username;
    const char *primary_email;         /* the address, not its id */
    const char *primary_phone;
    const char *image_url;
    int         email_verified;        /* primary email verified (0/1) */
    int         phone_verified;
    int         has_image;
    int64_t     user_created_at;       /* unix ms; rendered in seconds; GH_TIME_NULL = none */
    int64_t     user_updated_at;
    const char *user_public_metadata;  /* JSON object text */
    const char *user_private_metadata;
    const char *user_unsafe_metadata;

    const char *org_id;                /* NULL = no active organization */
    const char *org_name;
    const char *org_slug;
    const char *org_role;              /* "org:admin" */
    const char *org_image_url;
    const char *org_public_metadata;   /* JSON object text */

    const char *session_id;
    const char *session_actor;         /* JSON object text or NULL */
};

/* The claims every templated token carries and no template can set
 * (Clerk's "default claims"). azp NULL omits it. jti is the template's if it
 * sets one, else this (NULL omits it). */
struct gh_tpl_std {
    const char *sub;
    const char *sid;
    const char *iss;
    const char *azp;
    const char *jti;
    int64_t     iat;            /* unix s */
    int64_t     exp;            /* unix s */
    int64_t     nbf;            /* unix s */
};

/* Checks that claims_json is a JSON object (duplicate keys refused, at most
 * GH_TPL_CLAIMS_MAX bytes) whose every shortcode parses and names a known
 * field. Failure: GH_E_PARAM_INVALID naming "claims", the message saying which
 * claim and what is wrong ("claims.name: unknown shortcode field user.nme").
 * *canon (may be NULL) gets the compact serialisation, malloc'd. */
int gh_tpl_validate(const char *claims_json, char **canon, struct gh_err *err);

/* Renders the claims with ctx, then sets the standard claims over whatever the
 * template said (a template's sub/sid/iss/iat/exp/nbf/azp are dropped). The
 * result is a compact JSON object text with sorted keys, *out malloc'd. A
 * template that does not validate → as gh_tpl_validate; rendered claims over
 * GH_TPL_CLAIMS_MAX → GH_E_PARAM_INVALID naming "claims". */
int gh_tpl_claims(const char *claims_json, const struct gh_tpl_ctx *ctx,
    const struct gh_tpl_std *std, char **out, struct gh_err *err);

#endif
