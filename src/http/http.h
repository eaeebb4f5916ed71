/* http.h: what a handler sees of a request and how it answers. The HTTP layer
 * (server.c, req.c, reply.c) owns parsing, limits, auth and error rendering;
 * handlers in src/api parse their inputs, call core, and fill the response, or
 * return -1 with err set (never set an error status themselves). jansson types
 * appear here and in src/api, never in core. */
#ifndef GH_HTTP_HTTP_H
#define GH_HTTP_HTTP_H

#include <jansson.h>
#include <stddef.h>

#include "store/records.h"
#include "util/err.h"

struct gh_app;

#define GH_MAX_PATH_PARAMS 4

struct gh_req {
    struct gh_app *app;
    const char    *method;                      /* "GET", … (after any override) */
    const char    *path;                        /* URL path without the query string */
    const char    *params[GH_MAX_PATH_PARAMS];  /* ":name" segments of the route, in order */
    size_t         nparams;
    const char    *wild;                        /* raw (still %-encoded) tail matched by a final
                                                   "*" in the route, "a/b.js"; NULL otherwise */
    const char    *body;                        /* raw body, NUL-terminated; "" when none
                                                 * (a form body is read as JSON: gh_req_json) */
    size_t         body_len;
    char           instance_id[GH_ID_MAX];      /* set by the auth step of GH_AUTH_SECRET routes */
    char           request_id[32];
    const char    *peer_ip;                     /* socket peer address as text */
    const char    *client_ip;                   /* issue 6: the rate-limit key: the peer, or
                                                   behind a trusted proxy the right-most
                                                   untrusted X-Forwarded-For hop */
    void          *impl;                        /* server-private */
};

/* Header value (case-insensitive name), or NULL. Borrowed for the request. */
const char *gh_req_header(const struct gh_req *req, const char *name);
/* A cookie's value, or NULL. Borrowed for the request. */
const char *gh_req_cookie(const struct gh_req *req, const char *name);
/* First value of a query parameter (form-decoded: %XX and '+'), or NULL. */
const char *gh_req_query(const struct gh_req *req, const char *name);
/* Every value of a repeated query parameter, in order; returns how many were
 * found (may exceed max; only max are stored). */
size_t gh_req_query_all(const struct gh_req *req, const char *name, const char **out, size_t max);
/* Parses the body as a JSON object once and caches it (borrowed, freed with the
 * request). An empty body yields an empty object (the SDK sends none for
 * parameterless POSTs). Duplicate keys, depth > 64, invalid UTF-8, or a
 * non-object → GH_E_BODY_INVALID. A JSON array body is accepted only through
 * gh_req_json_any. */
int gh_req_json(struct gh_req *req, json_t **out, struct gh_err *err);
int gh_req_json_any(struct gh_req *req, json_t **out, struct gh_err *err);

struct gh_resp;
/* Sets a JSON reply; steals `body`. Content-Type is exactly application/json. */
void gh_resp_json(struct gh_resp *resp, int status, json_t *body);
/* Sets a JSON reply from already-serialised text (copied). */
void gh_resp_json_text(struct gh_resp *resp, int status, const char *json);
/* Sets a non-JSON reply (copied). */
void gh_resp_body(struct gh_resp *resp, int status, const char *content_type, const char *body,
    size_t len);
/* Adds a response header (copied). */
void gh_resp_header(struct gh_resp *resp, const char *name, const char *value);

typedef int gh_handler_fn(struct gh_req *req, struct gh_resp *resp, struct gh_err *err);

enum gh_auth {
    GH_AUTH_NONE = 0, /* public */
    GH_AUTH_SECRET,   /* Authorization: Bearer sk_… (Backend API) */
    GH_AUTH_CLIENT,   /* Frontend API: the __client cookie (or dev-browser token), looked up by
                       * the handler; mutations only from allowed origins (CSRF) */
};

struct gh_route {
    const char    *method;  /* "GET", "POST", "PATCH", "PUT", "DELETE" */
    const char    *pattern; /* "/v1/users/:id/ban"; ":x" matches one non-empty segment, a final
                               "*" one or more (req->wild) */
    gh_handler_fn *fn;
    enum gh_auth   auth;
};

#endif
