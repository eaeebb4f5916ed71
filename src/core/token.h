/* token.h: session tokens: Clerk's v2 claim set (spec §D3) signed RS256 with
 * the instance's active key, a cache that hands a token out again while it
 * has most of its life left (so a burst of refreshes costs one signature),
 * and verification of our own session tokens (tests, Frontend API). JWT
 * templates build on the same signer elsewhere. */
#ifndef GH_CORE_TOKEN_H
#define GH_CORE_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct gh_app;
struct gh_token_cache;

#define GH_TOKEN_CACHE_MAX     65536 /* cached tokens, all sessions together */
#define GH_TOKEN_ORIGIN_MAX    256   /* longest Origin used as azp; longer ones are ignored */
#define GH_TOKEN_CLOCK_SKEW_S  5     /* leeway on exp/nbf/iat when verifying (the SDK's default) */
#define GH_TOKEN_NBF_BACKDATE_S 10   /* nbf = iat - this, as Clerk does */

/* A cache of at most max_entries tokens (rounded up to a multiple of the
 * shard count). *out: caller frees with gh_token_cache_free. */
int  gh_token_cache_new(size_t max_entries, struct gh_token_cache **out, struct gh_err *err);
void gh_token_cache_free(struct gh_token_cache *c);
/* Forgets every cached token of the session (any azp). */
void gh_token_cache_drop(struct gh_token_cache *c, const char *session_id);
/* Number of cached tokens (tests). */
size_t gh_token_cache_size(struct gh_token_cache *c);

/* Mints a session token for session_id. Reads the session every time (one
 * row), so a revoked or expired session stops getting tokens at once on every
 * server sharing the database: unknown → GH_E_NOT_FOUND "Session not found";
 * not active → GH_E_SESSION_NOT_ACTIVE. origin (the request's Origin header,
 * or NULL) becomes azp, else the frontend URL's origin. expires_in_s > 0 sets
 * the lifetime and bypasses the cache; 0 means conf->token_ttl_s and the
 * cache (unless conf->token_reuse_min_s is 0). *jwt malloc'd; free with
 * gh_secret_free. */
int gh_token_mint(struct gh_app *app, const char *instance_id, const char *session_id,
    const char *origin, int64_t expires_in_s, char **jwt, struct gh_err *err);

/* Verifies a session token of this instance: RS256 signature by one of the
 * keyring's keys, exp (required) and nbf/iat within GH_TOKEN_CLOCK_SKEW_S,
 * and that it is a v2 session token (has "sid", "v" is 2): JWT-template and
 * other tokens signed by the same key are refused. It does not read the
 * session (callers that need liveness do). *claims_json malloc'd on success.
 * GH_E_AUTH_INVALID on any failure. */
int gh_token_verify(struct gh_app *app, const char *jwt, char **claims_json, struct gh_err *err);

/* The origin ("scheme://host[:port]") of url into out[size]: the issuer and
 * default azp of session tokens. -1 when url has no scheme or it does not fit. */
int gh_token_origin_of(const char *url, char *out, size_t size);

/* ---- JWT templates (issue 3) ---- */
/* 1 when a request's Origin header can serve as azp (an http(s) origin of
 * printable ASCII within GH_TOKEN_ORIGIN_MAX); templated tokens use the same
 * rule as session tokens (core/jwt_template.c). */
int gh_token_origin_usable(const char *origin);

#endif
