/* fapi.h: what every Frontend API handler shares (spec FAPI §2, §5): finding
 * the browser's client (the __client cookie, a dev-browser token in
 * ?__clerk_db_jwt=, or a native client's Authorization header), creating it
 * on the first mutation (Set-Cookie), choosing the session a /me call is
 * about (?_clerk_session_id=), reading form fields, and the reply envelope
 * {"response": …, "client": …} that carries the full current client on every
 * answer, so clerk-js replaces its state from it.
 *
 * Usage in a handler:
 *     struct gh_fapi f;
 *     if (gh_fapi_begin(req, resp, &f, err) == -1) return -1;
 *     … work with f.client (NULL when the browser has none yet) …
 *     rc = gh_fapi_reply(&f, response_json, err);   // steals response_json
 *     gh_fapi_end(&f);
 */
#ifndef GH_API_FRONTEND_FAPI_H
#define GH_API_FRONTEND_FAPI_H

#include <jansson.h>
#include <stdint.h>

#include "http/http.h"
#include "store/records.h"

#define GH_FAPI_COOKIE "__client"

struct gh_fapi {
    struct gh_req    *req;
    struct gh_resp   *resp;
    const char       *instance_id;   /* the default instance's */
    struct gh_client *client;        /* owned; NULL until found or created */
    json_t           *body;          /* borrowed form/JSON body ({} when none) */
    int               native;        /* ?_is_native=1: token in Authorization, not a cookie */
    int               dev_browser;   /* token came from ?__clerk_db_jwt= */
};

/* Finds the request's client (f->client NULL when none) and parses the body. */
int  gh_fapi_begin(struct gh_req *req, struct gh_resp *resp, struct gh_fapi *f,
    struct gh_err *err);
void gh_fapi_end(struct gh_fapi *f);
/* Makes sure f->client exists: creates one and sets its cookie (or, native
 * and dev-browser, the Authorization / Clerk-Db-Jwt header) when none. */
int  gh_fapi_client_ensure(struct gh_fapi *f, struct gh_err *err);
/* Saves f->client's pointers (current session, sign-in, sign-up). */
int  gh_fapi_client_save(struct gh_fapi *f, struct gh_err *err);

/* The session a call is about: ?_clerk_session_id= when given, else the
 * client's current one. It must be an active session of this client:
 * otherwise GH_E_SIGNED_OUT (401, so clerk-js reloads the client). */
int gh_fapi_session(struct gh_fapi *f, struct gh_session **out, struct gh_err *err);
/* The user of gh_fapi_session (with identifiers). Both out-params owned. */
int gh_fapi_session_user(struct gh_fapi *f, struct gh_session **s_out, struct gh_user **u_out,
    struct gh_err *err);

/* Records the request's User-Agent and peer address on s when they changed
 * (the active-devices list, issue 4); failures are logged, never returned:
 * it is only shown. Called by gh_fapi_session, touch and token routes. */
void gh_fapi_session_seen(struct gh_fapi *f, struct gh_session *s);

/* 200 {"response": response, "client": <client or null>}; steals response
 * (NULL → null). Also refreshes __client_uat for production instances. */
int gh_fapi_reply(struct gh_fapi *f, json_t *response, struct gh_err *err);
/* 200 with a bare body (tokens, /me/sessions/active, dev_browser); steals. */
int gh_fapi_reply_bare(struct gh_fapi *f, json_t *body, struct gh_err *err);

/* Form fields. The body is form-encoded (every value a string) or JSON.
 * Absent or "" → NULL (clerk-js sends null as an empty string). */
const char *gh_fapi_str(const struct gh_fapi *f, const char *key);
/* Like gh_fapi_str, but "" is kept (a field explicitly cleared). *present
 * says whether the key was sent at all. */
const char *gh_fapi_str_raw(const struct gh_fapi *f, const char *key, int *present);
/* "true"/"false" (or JSON booleans); absent → dflt; anything else → 422. */
int gh_fapi_bool(const struct gh_fapi *f, const char *key, int dflt, int *out,
    struct gh_err *err);
/* A JSON object sent as text (unsafe_metadata={"a":1}); absent → NULL.
 * *out is a new reference. Not an object → 422 naming key. */
int gh_fapi_obj(const struct gh_fapi *f, const char *key, json_t **out, struct gh_err *err);
/* A required string: missing → GH_E_PARAM_MISSING naming key. */
int gh_fapi_need(const struct gh_fapi *f, const char *key, const char **out,
    struct gh_err *err);
/* The request's Origin when usable as a token's azp, else NULL. */
const char *gh_fapi_origin(const struct gh_fapi *f);

#endif
