/* server.h: the HTTP layer's inside: listeners (one libmicrohttpd daemon
 * each), the per-request state behind struct gh_req, the response being
 * built, query parsing, error rendering, metrics and the route tables. Only
 * src/http and main.c include this; handlers see http.h alone. */
#ifndef GH_HTTP_SERVER_H
#define GH_HTTP_SERVER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "http/limits.h"
#include "util/conf.h"
#include "util/err.h"

struct gh_app;
struct gh_http_metrics;

/* ---- server.c: listeners and lifecycle ---- */

struct gh_listener_def {
    const char            *name;      /* "frontend" / "backend": logs and metrics label */
    const char            *addr;      /* "127.0.0.1:7900" or "[::1]:7901" */
    const struct gh_route *routes;    /* borrowed; must outlive the server */
    size_t                 nroutes;
    size_t                 max_body;  /* bytes; a larger body → 413 */
    int                    json_only; /* a non-empty body must be application/json (415) */
    int                    fapi;      /* Frontend API rules: ?_method= override, form bodies,
                                       * CORS for allowed origins (cors.c) */
};

struct gh_server;

/* Creates a server with no listeners. conf and app are borrowed and must
 * outlive it (app may be a test double). Caller frees with gh_server_free. */
int gh_server_new(struct gh_app *app, const struct gh_conf *conf, struct gh_server **out,
    struct gh_err *err);
/* Binds def->addr and starts its daemon (thread pool of conf->threads). At
 * most GH_SERVER_MAX_LISTENERS. GH_E_BAD_REQUEST for an unparsable address,
 * GH_E_INTERNAL when the socket cannot be bound. */
#define GH_SERVER_MAX_LISTENERS 4
int gh_server_listen(struct gh_server *srv, const struct gh_listener_def *def,
    struct gh_err *err);
/* Stops accepting on every listener, answers the rest with "Connection:
 * close", and waits up to timeout_ms for in-flight requests to finish.
 * Returns how many were still running when it gave up (0 = clean). */
unsigned gh_server_drain(struct gh_server *srv, unsigned timeout_ms);
/* Stops the daemons (closing idle connections) and frees. NULL ok. */
void gh_server_free(struct gh_server *srv);

/* Parses "ADDR:PORT" (IPv4 dotted quad) or "[V6]:PORT" into ss (a struct
 * sockaddr_storage); *len is the sockaddr length. -1 on anything else. */
int gh_http_parse_addr(const char *s, void *ss, unsigned *len);

/* ---- req.c: per-request state ---- */

struct gh_query_pair {
    const char *key;   /* decoded; "name[]" is stored as "name" */
    const char *value; /* decoded; "" for "key" without "=" */
};

struct gh_query {
    char                *buf;   /* owned copy of the raw query, decoded in place */
    struct gh_query_pair pairs[GH_HTTP_MAX_QUERY_PARAMS];
    size_t               n;
};

/* Parses a raw query string (without "?"); every occurrence kept in order.
 * Malformed %-escape, invalid UTF-8 or NUL in a key or value, or more than
 * GH_HTTP_MAX_QUERY_PARAMS pairs → GH_E_BAD_REQUEST. q is cleared on error. */
int  gh_query_parse(struct gh_query *q, const char *raw, struct gh_err *err);
void gh_query_clear(struct gh_query *q);

struct gh_resp_header {
    char *name;  /* owned */
    char *value; /* owned */
};

struct gh_resp {
    int                   status;       /* 0 until a handler or the server sets a reply */
    char                 *content_type; /* owned */
    char                 *body;         /* owned, malloc'd; handed to MHD */
    size_t                len;
    struct gh_resp_header hdr[GH_HTTP_MAX_RESP_HEADERS];
    size_t                nhdr;
    unsigned              retry_after_s; /* sent as Retry-After when non-zero */
    int                   failed;        /* out of memory while filling: answer 500 */
    int                   has_fd;        /* the body is fd (gh_resp_file) instead of body */
    int                   fd;            /* owned while has_fd; MHD closes it once it sends */
    uint64_t              fd_len;        /* bytes of fd to send, from offset 0 */
};

void gh_resp_clear(struct gh_resp *resp); /* frees everything; resp may be reused */
/* Sets a reply whose body is the first len bytes of the open file fd, sent
 * without copying (sendfile). Takes ownership of fd in every case (closed on
 * failure or when the response is done). Only the HTTP layer's own handlers
 * (assets.c) use it, so it is declared here rather than in http.h. */
void gh_resp_file(struct gh_resp *resp, int status, const char *content_type, int fd,
    uint64_t len);
/* First value of a header the handler added (case-insensitive), or NULL. */
const char *gh_resp_find_header(const struct gh_resp *resp, const char *name);
/* Removes every header of that name (case-insensitive) added so far. */
void gh_resp_unset_header(struct gh_resp *resp, const char *name);

/* Everything the server keeps for one request; req.impl points here. */
struct gh_http_req {
    struct gh_req                 req;
    struct gh_resp                resp;
    const struct gh_http_listener *ls;   /* NULL in unit tests */
    void                          *conn;  /* struct MHD_Connection *; NULL in unit tests */
    char                          *uri;   /* owned raw request-target as received */
    char                          *path;  /* owned raw path (no query) */
    const char                    *query_raw; /* into uri; NULL when no "?" */
    struct gh_query                query;
    char                          *param_buf; /* owned decoded path params */
    char                          *body;  /* owned accumulated body, NUL-terminated */
    size_t                         body_len;
    size_t                         body_alloc;
    json_t                        *json;  /* owned parsed body, once gh_req_json ran */
    struct gh_err                  json_err; /* its failure, returned again on later calls */
    int                            json_done;
    int                            started;  /* access handler saw the headers */
    int                            fapi;     /* the listener's def.fapi (form bodies, CORS) */
    char                           method_override[8]; /* "PATCH"… from ?_method= (FAPI) */
    int                            rejected; /* an early reply (413/431) is queued */
    int                            too_large; /* body passed the cap mid-upload: 413 at the end */
    size_t                         discarded; /* bytes dropped since then */
    int                            counted;  /* holds a slot in the in-flight counter */
    const char                    *route_pattern; /* for logs/metrics; NULL = unmatched */
    size_t                         route_index;
    uint64_t                       start_ns;
    char                           peer[64];
    char                           client_ip[64]; /* issue 6: see client_ip.c; "" until headers */
};

/* 1 when a Content-Type value names application/json (parameters such as
 * charset ignored, case-insensitive). NULL → 0. */
int gh_http_is_json_ctype(const char *ctype);

/* Frees everything a request holds (not the struct itself). */
void gh_http_req_clear(struct gh_http_req *r);

/* ---- cors.c: Frontend API CORS (issue 4) ---- */

/* Adds Access-Control-Allow-Origin (echoing an allowed Origin), -Credentials,
 * -Expose-Headers and Vary: Origin to the response when the request's Origin
 * is allowed (core/origin.h decides). No Origin, or a refused one: nothing. */
void gh_http_cors_headers(struct gh_http_req *r);
/* 1 when the request may proceed: no Origin, an allowed Origin, or a safe
 * method. A cookie-authenticated mutation from another origin is refused
 * (CSRF; catalogue SES). */
int gh_http_cors_origin_ok(struct gh_http_req *r);
/* Answers an OPTIONS preflight (204 with the allow headers, or 403 for an
 * origin that is not allowed). */
int gh_http_cors_preflight(struct gh_http_req *r, struct gh_err *err);

/* ---- reply.c: error rendering ---- */

/* Replaces whatever resp holds with the Clerk error document for err
 * (status from the error table, clerk_trace_id = request id) and logs one
 * line with the code name, func:line and note. Headers the handler added
 * (e.g. Retry-After) are kept. */
void gh_reply_error(struct gh_req *req, struct gh_resp *resp, const struct gh_err *err);

/* ---- metrics.c ---- */

/* Registers a listener's counters (one per route plus "unmatched"); called
 * before its daemon starts. NULL on OOM or too many listeners. The block
 * lives until process exit. */
struct gh_http_metrics *gh_http_metrics_register(const char *listener,
    const struct gh_route *routes, size_t nroutes);
/* Removes and frees a block; only once its daemon has stopped. NULL ok. */
void gh_http_metrics_unregister(struct gh_http_metrics *m);
/* Counts one finished request; route_index == nroutes means unmatched. */
void gh_http_metrics_observe(struct gh_http_metrics *m, size_t route_index, int status,
    uint64_t duration_ns);

/* ---- built-in handlers (builtin.c, metrics.c) ---- */
gh_handler_fn gh_http_healthz_get;       /* GET /healthz */
gh_handler_fn gh_http_metrics_get;       /* GET /metrics (backend) */
gh_handler_fn gh_http_default_avatar_get; /* GET /images/default-avatar.svg */

/* ---- assets.c: Clerk's browser bundles (/npm/@clerk/<pkg>@<tag>/dist/<file>) ---- */

/* Finds the bundles: `dir` (GATEHOUSE_ASSETS_DIR) when non-NULL, else beside
 * the real executable (<exe dir>/../src/ui/vendor/node_modules), else
 * ./src/ui/vendor/node_modules. Reads both packages' versions and logs where
 * they are, or a warning naming the places it looked. Call before the
 * listeners start (not thread-safe); may be called again (tests). Returns how
 * many of the two packages it found; with fewer than 2 the missing one's
 * routes answer 404. */
int gh_http_assets_init(const char *dir);
gh_handler_fn gh_http_assets_get; /* GET /npm/@clerk/:pkg/dist/<file…> */

/* ---- routes.c: the route tables ---- */
extern const struct gh_route gh_routes_frontend[];
extern const size_t          gh_routes_frontend_count;
extern const struct gh_route gh_routes_backend[];
extern const size_t          gh_routes_backend_count;

#endif
