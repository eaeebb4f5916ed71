/* server.c: the listeners. One libmicrohttpd daemon per listener (thread
 * pool + epoll), the request lifecycle (state created when the request line
 * arrives, body accumulated up to the listener's cap, then route → auth →
 * handler → reply), the standard response headers, the access log, and
 * draining on shutdown. It knows no endpoint: routes.c does. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/app.h"
#include "core/ratelimit.h"
#include "crypto/crypto.h"
#include "http/client_ip.h"
#include "http/deadline.h"
#include "http/router.h"
#include "http/server.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/str.h"

struct gh_http_listener {
    struct gh_listener_def  def;
    char                   *name;    /* owned copies of def's strings */
    char                   *addr;
    struct gh_server       *srv;
    struct MHD_Daemon      *daemon;
    struct gh_http_metrics *metrics;
    _Atomic int             running; /* 0 while starting: MHD's log lines go out at warn */
    MHD_socket              quiesced; /* listening socket handed back by quiesce; -1 = none */
};

struct gh_server {
    struct gh_app           *app;
    const struct gh_conf    *conf;
    struct gh_http_listener *ls[GH_SERVER_MAX_LISTENERS];
    size_t                   nls;
    _Atomic unsigned         inflight; /* requests between request line and completion */
    _Atomic int              draining; /* answer with "Connection: close" */
    /* issue 6 */
    struct gh_http_deadlines *deadlines; /* slow-client cut-off (deadline.c) */
    struct gh_ssrf_cidr       trusted[GH_HTTP_MAX_TRUSTED]; /* --trusted-proxies */
    size_t                    ntrusted;
};

static const char canned_500[] =
    "{\"errors\":[{\"code\":\"internal_clerk_error\",\"message\":\"Something went wrong\","
    "\"long_message\":\"Something went wrong\",\"meta\":{}}],\"meta\":{},\"clerk_trace_id\":\"\"}";

int
gh_http_parse_addr(const char *s, void *ss, unsigned *len)
{
    char        host[64];
    const char *colon, *hs = s, *he;
    uint64_t    port;

    memset(ss, 0, sizeof(struct sockaddr_storage));
    if (s == NULL)
        return -1;
    if (s[0] == '[') {
        hs = s + 1;
        he = strchr(hs, ']');
        if (he == NULL || he[1] != ':')
            return -1;
        colon = he + 1;
    } else {
        colon = strrchr(s, ':');
        he = colon;
        if (colon == NULL)
            return -1;
    }
    if ((size_t)(he - hs) >= sizeof(host) || he == hs)
        return -1;
    memcpy(host, hs, (size_t)(he - hs));
    host[he - hs] = '\0';
    if (gh_parse_uint(colon + 1, 1, 65535, &port) == -1)
        return -1;
    if (s[0] == '[') {
        struct sockaddr_in6 *a6 = ss;

        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons((uint16_t)port);
        *len = sizeof(*a6);
        return inet_pton(AF_INET6, host, &a6->sin6_addr) == 1 ? 0 : -1;
    } else {
        struct sockaddr_in *a4 = ss;

        a4->sin_family = AF_INET;
        a4->sin_port = htons((uint16_t)port);
        *len = sizeof(*a4);
        return inet_pton(AF_INET, host, &a4->sin_addr) == 1 ? 0 : -1;
    }
}

/* ---- replies ---- */

static void
add_header(struct MHD_Response *mr, const char *name, const char *value)
{
    if (MHD_add_response_header(mr, name, value) == MHD_NO)
        gh_log_error("cannot add response header %s", name);
}

/* ---- abuse resistance (issue 6): headers, client address, limits ---- */

/* Catalogue BI-16/SES-16: nosniff and Referrer-Policy on every reply;
 * Cache-Control no-store unless the handler chose one, and always on a
 * Backend API JSON reply (users, sessions, tokens: PII and secrets). */
static void
add_security_headers(const struct gh_http_req *r, struct MHD_Response *mr)
{
    const struct gh_resp *resp = &r->resp;
    const char           *cc = resp->failed ? NULL : gh_resp_find_header(resp, "Cache-Control");

    if (cc != NULL && r->ls != NULL && r->ls->def.json_only &&
        gh_http_is_json_ctype(resp->content_type)) {
        MHD_del_response_header(mr, "Cache-Control", cc);
        cc = NULL;
    }
    if (cc == NULL)
        add_header(mr, "Cache-Control", "no-store");
    add_header(mr, "X-Content-Type-Options", "nosniff");
    if (resp->failed || gh_resp_find_header(resp, "Referrer-Policy") == NULL)
        add_header(mr, "Referrer-Policy", "no-referrer");
}

struct xff_buf {
    struct gh_buf b;
    int           n;
};

static enum MHD_Result
collect_xff(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct xff_buf *x = cls;

    if (key == NULL || value == NULL || strcasecmp(key, "X-Forwarded-For") != 0)
        return MHD_YES;
    if (x->n++ > 0)
        gh_buf_addc(&x->b, ',');
    gh_buf_add(&x->b, value);
    return MHD_YES;
}

/* req.client_ip: the socket peer, or behind a trusted proxy the right-most
 * untrusted X-Forwarded-For hop (client_ip.c). Every X-Forwarded-For line
 * counts, in order: a proxy that adds its own line after the client's must
 * not be read as the client's. */
static void
attribute_client(struct gh_http_req *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct gh_server *srv = r->ls->srv;
    struct xff_buf          x = { .n = 0 };

    gh_buf_init(&x.b, srv->conf->max_header_bytes);
    if (srv->ntrusted > 0)
        MHD_get_connection_values(r->conn, MHD_HEADER_KIND, collect_xff, &x);
    gh_http_client_ip(ci != NULL ? ci->client_addr : NULL,
        x.n > 0 && !gh_buf_failed(&x.b) ? gh_buf_str(&x.b) : NULL, srv->trusted, srv->ntrusted,
        r->client_ip, sizeof(r->client_ip));
    gh_buf_clear(&x.b);
    r->req.client_ip = r->client_ip;
}

/* Clerk's Backend API limit (conf rl_backend, default 1000 per 10 s) per
 * instance, once the secret key named it. */
static int
backend_limit(struct gh_http_req *r, struct gh_err *err)
{
    return gh_ratelimit_hit(r->req.app, r->req.instance_id, GH_RL_BACKEND, "", NULL, err);
}

/* One "10.0.0.0/8" (blanks around allowed) into the next srv->trusted slot. */
static int
add_trusted(struct gh_server *srv, const char *s, size_t len, struct gh_err *err)
{
    struct gh_err ce = { 0 };
    char          tok[64];

    while (len > 0 && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0)
        return 0;
    if (srv->ntrusted == GH_HTTP_MAX_TRUSTED)
        return GH_FAIL(err, GH_E_BAD_REQUEST, "trusted-proxies: too many entries");
    if (len >= sizeof(tok))
        return GH_FAIL(err, GH_E_BAD_REQUEST, "trusted-proxies: not a CIDR block");
    memcpy(tok, s, len);
    tok[len] = '\0';
    if (gh_ssrf_cidr_parse(tok, &srv->trusted[srv->ntrusted], &ce) == -1) {
        GH_FAIL(err, GH_E_BAD_REQUEST, "trusted-proxies: not a CIDR block");
        gh_err_note(err, "trusted-proxies entry \"%s\" %s", tok, ce.desc);
        return -1;
    }
    srv->ntrusted++;
    return 0;
}

/* "10.0.0.0/8, 192.168.1.1" into srv->trusted. */
static int
parse_trusted(struct gh_server *srv, const char *list, struct gh_err *err)
{
    while (list != NULL && *list != '\0') {
        const char *comma = strchr(list, ',');
        size_t      len = comma != NULL ? (size_t)(comma - list) : strlen(list);

        if (add_trusted(srv, list, len, err) == -1)
            return -1;
        list = comma != NULL ? comma + 1 : NULL;
    }
    return 0;
}

/* MHD_OPTION_NOTIFY_CONNECTION: each connection is tracked by deadline.c
 * from accept to close; its record is MHD's socket_context. */
static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
    struct gh_http_listener *ls = cls;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);

        *socket_context =
            ci != NULL ? gh_http_deadline_open(ls->srv->deadlines, ci->connect_fd) : NULL;
        return;
    }
    gh_http_deadline_close(ls->srv->deadlines, *socket_context);
    *socket_context = NULL;
}

static void
conn_phase(struct MHD_Connection *conn, enum gh_http_phase phase)
{
    const union MHD_ConnectionInfo *ci =
        conn != NULL ? MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT) : NULL;

    if (ci != NULL)
        gh_http_deadline_phase(ci->socket_context, phase);
}

/* A file body (gh_resp_file): MHD sends it with sendfile(2) where it can and
 * closes the descriptor with the response, so ownership moves to MHD here. */
static struct MHD_Response *
file_response(struct gh_resp *resp)
{
    struct MHD_Response *mr = MHD_create_response_from_fd64(resp->fd_len, resp->fd);

    if (mr != NULL)
        resp->has_fd = 0;
    return mr;
}

static struct MHD_Response *
build_response(struct gh_http_req *r)
{
    struct gh_resp      *resp = &r->resp;
    struct MHD_Response *mr;
    char                 num[16];

    if (resp->failed || resp->status == 0) {
        mr = MHD_create_response_from_buffer(sizeof(canned_500) - 1, (void *)canned_500,
            MHD_RESPMEM_PERSISTENT);
        resp->status = 500;
        if (mr != NULL)
            add_header(mr, "Content-Type", "application/json");
    } else {
        mr = resp->has_fd ? file_response(resp) :
            MHD_create_response_from_buffer(resp->len, resp->body, MHD_RESPMEM_MUST_FREE);
        if (mr == NULL)
            return NULL;
        resp->body = NULL; /* MHD frees it with the response */
        add_header(mr, "Content-Type", resp->content_type);
        for (size_t i = 0; i < resp->nhdr; i++)
            add_header(mr, resp->hdr[i].name, resp->hdr[i].value);
    }
    if (mr == NULL)
        return NULL;
    add_security_headers(r, mr);
    add_header(mr, "X-Request-Id", r->req.request_id);
    if (resp->retry_after_s > 0 && gh_resp_find_header(resp, "Retry-After") == NULL) {
        snprintf(num, sizeof(num), "%u", resp->retry_after_s);
        add_header(mr, "Retry-After", num);
    }
    if (r->ls != NULL && atomic_load(&r->ls->srv->draining))
        add_header(mr, "Connection", "close");
    return mr;
}

static enum MHD_Result
queue_reply(struct gh_http_req *r)
{
    struct MHD_Response *mr = build_response(r);
    enum MHD_Result      rc;

    if (mr == NULL)
        return MHD_NO; /* out of memory: MHD closes the connection */
    rc = MHD_queue_response(r->conn, (unsigned)r->resp.status, mr);
    MHD_destroy_response(mr);
    return rc;
}

static enum MHD_Result
reply_error(struct gh_http_req *r, enum gh_err_code code, const char *desc)
{
    struct gh_err err = { 0 };

    GH_FAIL(&err, code, desc);
    gh_reply_error(&r->req, &r->resp, &err);
    return queue_reply(r);
}

/* ---- request state ---- */

static void
peer_text(struct MHD_Connection *conn, char *out, size_t outsz)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

    snprintf(out, outsz, "?");
    if (sa != NULL && sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
            (socklen_t)outsz);
    else if (sa != NULL && sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
            (socklen_t)outsz);
}

/* MHD_OPTION_URI_LOG_CALLBACK: called once per request with the raw
 * request-target, before MHD unescapes it; the state made here is *con_cls. */
static void *
on_request_line(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct gh_http_listener *ls = cls;
    struct gh_http_req      *r = calloc(1, sizeof(*r));

    if (r == NULL)
        return NULL;
    r->start_ns = gh_mono_ns();
    r->ls = ls;
    r->conn = conn;
    r->route_index = ls->def.nroutes;
    r->uri = gh_strdup(uri);
    r->req.impl = r;
    r->req.app = ls->srv->app;
    r->req.body = "";
    gh_rand_base62(r->req.request_id, 16);
    peer_text(conn, r->peer, sizeof(r->peer));
    r->req.peer_ip = r->peer;
    r->counted = 1;
    atomic_fetch_add(&ls->srv->inflight, 1);
    return r;
}

static void
access_log(struct gh_http_req *r, enum MHD_RequestTerminationCode toe, uint64_t dur_ns)
{
    static const char *const toe_names[] = { "ok", "error", "timeout", "shutdown", "read_error",
        "client_abort" };
    struct gh_buf b;

    gh_buf_init(&b, 1024);
    gh_buf_add(&b, "\"msg\":\"access\",\"listener\":");
    gh_buf_add_json_str(&b, r->ls->def.name);
    gh_buf_add(&b, ",\"method\":");
    gh_buf_add_json_str(&b, r->req.method != NULL ? r->req.method : "");
    gh_buf_add(&b, ",\"route\":");
    gh_buf_add_json_str(&b, r->route_pattern != NULL ? r->route_pattern : "unmatched");
    gh_buf_addf(&b, ",\"status\":%d,\"duration_ms\":%.3f,\"peer\":", r->resp.status,
        (double)dur_ns / 1e6);
    gh_buf_add_json_str(&b, r->peer);
    if (r->client_ip[0] != '\0' && strcmp(r->client_ip, r->peer) != 0) { /* issue 6 */
        gh_buf_add(&b, ",\"client\":");
        gh_buf_add_json_str(&b, r->client_ip);
    }
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK)
        gh_buf_addf(&b, ",\"termination\":\"%s\"",
            (unsigned)toe < sizeof(toe_names) / sizeof(toe_names[0]) ? toe_names[toe] : "other");
    if (!gh_buf_failed(&b))
        gh_log_raw(GH_LOG_INFO, gh_buf_str(&b));
    gh_buf_clear(&b);
}

/* MHD_OPTION_NOTIFY_COMPLETED: the request is over (sent, timed out or
 * aborted); log it, count it and free its state. */
static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
    struct gh_http_listener *ls = cls;
    struct gh_http_req      *r = *con_cls;
    uint64_t                 dur;

    conn_phase(conn, GH_HTTP_PHASE_NEXT); /* issue 6: keep-alive gets its own deadline */
    if (r == NULL)
        return;
    *con_cls = NULL;
    dur = gh_mono_ns() - r->start_ns;
    gh_log_set_request_id(r->req.request_id);
    access_log(r, toe, dur);
    gh_log_set_request_id(NULL);
    gh_http_metrics_observe(ls->metrics, r->route_index, r->resp.status, dur);
    if (r->counted)
        atomic_fetch_sub(&ls->srv->inflight, 1);
    gh_http_req_clear(r);
    free(r);
}

/* ---- the access handler: headers, body, then dispatch ---- */

struct header_tally {
    size_t n;
    size_t bytes;
};

static enum MHD_Result
tally_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct header_tally *t = cls;

    t->n++;
    t->bytes += strlen(key) + (value != NULL ? strlen(value) : 0) + 4; /* ": " CRLF */
    return MHD_YES;
}

static enum MHD_Result
first_call(struct gh_http_listener *ls, struct gh_http_req *r, const char *method)
{
    struct header_tally t = { 0, 0 };
    const char         *cl;
    uint64_t            len;

    r->started = 1;
    r->req.method = method; /* MHD keeps it for the whole request */
    conn_phase(r->conn, GH_HTTP_PHASE_BODY); /* issue 6: headers are in */
    attribute_client(r);
    r->fapi = ls->def.fapi;
    if (r->uri != NULL && strlen(r->uri) > GH_HTTP_MAX_URI) {
        r->rejected = 1;
        return reply_error(r, GH_E_URI_TOO_LONG, NULL);
    }
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, tally_header, &t);
    if (t.n > GH_HTTP_MAX_HEADERS || t.bytes > ls->srv->conf->max_header_bytes) {
        r->rejected = 1;
        return reply_error(r, GH_E_HEADERS_TOO_LARGE, NULL);
    }
    cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl != NULL && gh_parse_uint(cl, 0, UINT64_MAX, &len) == 0 && len > ls->def.max_body) {
        const char *expect =
            MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);

        /* A client waiting for 100-continue, or one announcing an absurd
         * size, is answered before the body is read (MHD then closes). Any
         * other is drained first (see GH_HTTP_DRAIN_FACTOR) so it reads the
         * 413 instead of a connection reset. */
        if (expect != NULL || len / GH_HTTP_DRAIN_FACTOR > ls->def.max_body) {
            r->rejected = 1;
            return reply_error(r, GH_E_BODY_TOO_LARGE, NULL);
        }
        r->too_large = 1;
    }
    return MHD_YES;
}

static enum MHD_Result
take_body(struct gh_http_listener *ls, struct gh_http_req *r, const char *data, size_t *size)
{
    size_t n = *size;

    *size = 0;
    if (r->rejected)
        return MHD_YES; /* an early reply is queued; discard what MHD still hands us */
    if (r->too_large || n > ls->def.max_body - r->body_len) {
        /* MHD 0.9.75 cannot queue a reply mid-upload, so the excess is
         * discarded (never stored) and 413 goes out at the end; past
         * GH_HTTP_DRAIN_FACTOR times the cap the connection is cut. */
        r->too_large = 1;
        r->discarded += n;
        return r->discarded / GH_HTTP_DRAIN_FACTOR > ls->def.max_body ? MHD_NO : MHD_YES;
    }
    if (r->body_len + n + 1 > r->body_alloc) {
        size_t want = r->body_alloc > 0 ? r->body_alloc : 1024;
        char  *nb;

        while (want < r->body_len + n + 1)
            want *= 2;
        if (want > ls->def.max_body + 1)
            want = ls->def.max_body + 1;
        nb = realloc(r->body, want);
        if (nb == NULL) {
            r->rejected = 1;
            return reply_error(r, GH_E_NOMEM, NULL);
        }
        r->body = nb;
        r->body_alloc = want;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return MHD_YES;
}

static int
split_uri(struct gh_http_req *r, struct gh_err *err)
{
    char *q;

    if (r->uri == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    q = strchr(r->uri, '?');
    r->path = q != NULL ? strndup(r->uri, (size_t)(q - r->uri)) : gh_strdup(r->uri);
    if (r->path == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    r->query_raw = q != NULL ? q + 1 : NULL;
    r->req.path = r->path;
    return 0;
}

static int
decode_params(struct gh_http_req *r, const struct gh_route_match *m, struct gh_err *err)
{
    /* Params and the "*" tail are disjoint pieces of the path, none longer
     * decoded than raw: the path's length plus one NUL each is enough. */
    size_t size = strlen(r->path) + GH_MAX_PATH_PARAMS + 2, off = 0;

    r->param_buf = malloc(size);
    if (r->param_buf == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    for (size_t i = 0; i < m->nparams; i++) {
        char *out = r->param_buf + off;

        if (gh_router_decode_param(m->params[i].p, m->params[i].len, out, size - off) == -1) {
            GH_FAIL(err, GH_E_ROUTE_NOT_FOUND, NULL);
            gh_err_note(err, "undecodable path parameter %zu", i);
            return -1;
        }
        r->req.params[i] = out;
        off += strlen(out) + 1;
    }
    r->req.nparams = m->nparams;
    if (m->rest.p != NULL) { /* a final "*": the raw tail, for the handler to check */
        memcpy(r->param_buf + off, m->rest.p, m->rest.len);
        r->param_buf[off + m->rest.len] = '\0';
        r->req.wild = r->param_buf + off;
    }
    return 0;
}

/* GH_AUTH_SECRET: "Authorization: Bearer sk_…". The header is never logged. */
static int
check_secret(struct gh_http_req *r, struct gh_err *err)
{
    const char *h = gh_req_header(&r->req, MHD_HTTP_HEADER_AUTHORIZATION);

    if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
        return GH_FAIL(err, GH_E_AUTH_INVALID, NULL);
    h += 7;
    while (*h == ' ')
        h++;
    if (*h == '\0')
        return GH_FAIL(err, GH_E_AUTH_INVALID, NULL);
    return gh_app_check_secret(r->req.app, h, r->req.instance_id, err);
}

/* Frontend API (spec FAPI §2): clerk-js sends PATCH, PUT and DELETE as POST
 * with ?_method=, so its requests stay CORS-simple. Only POST may be
 * overridden, and only into those three. */
static void
method_override(struct gh_http_req *r)
{
    static const char *const allowed[] = { "PATCH", "PUT", "DELETE" };
    const char              *m = gh_req_query(&r->req, "_method");

    if (m == NULL || strcmp(r->req.method, "POST") != 0)
        return;
    for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
        if (strcasecmp(m, allowed[i]) == 0) {
            snprintf(r->method_override, sizeof(r->method_override), "%s", allowed[i]);
            r->req.method = r->method_override;
            return;
        }
    }
}

static int
dispatch(struct gh_http_listener *ls, struct gh_http_req *r, struct gh_err *err)
{
    struct gh_route_match m;

    if (split_uri(r, err) == -1 || gh_query_parse(&r->query, r->query_raw, err) == -1)
        return -1;
    if (ls->def.fapi) {
        gh_http_cors_headers(r);
        if (strcmp(r->req.method, "OPTIONS") == 0)
            return gh_http_cors_preflight(r, err);
        method_override(r);
    }
    switch (gh_router_match(ls->def.routes, ls->def.nroutes, r->req.method, r->path, &m)) {
    case GH_ROUTE_NONE:
        return GH_FAIL(err, GH_E_ROUTE_NOT_FOUND, NULL);
    case GH_ROUTE_NO_METHOD:
        return GH_FAIL(err, GH_E_METHOD_NOT_ALLOWED, NULL);
    case GH_ROUTE_FOUND:
        break;
    }
    r->route_pattern = m.route->pattern;
    r->route_index = m.index;
    if (decode_params(r, &m, err) == -1)
        return -1;
    if (ls->def.json_only && r->body_len > 0 &&
        !gh_http_is_json_ctype(gh_req_header(&r->req, MHD_HTTP_HEADER_CONTENT_TYPE)))
        return GH_FAIL(err, GH_E_UNSUPPORTED_MEDIA, "Content-Type must be application/json");
    if (m.route->auth == GH_AUTH_SECRET &&
        (check_secret(r, err) == -1 || backend_limit(r, err) == -1))
        return -1;
    if (m.route->auth == GH_AUTH_CLIENT && !gh_http_cors_origin_ok(r))
        return GH_FAIL(err, GH_E_ORIGIN_INVALID, NULL);
    return m.route->fn(&r->req, &r->resp, err);
}

static enum MHD_Result
final_call(struct gh_http_listener *ls, struct gh_http_req *r)
{
    struct gh_err err = { 0 };

    conn_phase(r->conn, GH_HTTP_PHASE_BUSY); /* issue 6: our time, not the client's */
    if (r->too_large)
        return reply_error(r, GH_E_BODY_TOO_LARGE, NULL);
    r->req.body = r->body != NULL ? r->body : "";
    r->req.body_len = r->body_len;
    if (dispatch(ls, r, &err) == -1) {
        gh_reply_error(&r->req, &r->resp, &err);
    } else if (r->resp.status == 0 || r->resp.failed) {
        /* A handler that succeeds must have answered; anything else is a bug. */
        GH_FAIL(&err, r->resp.failed ? GH_E_NOMEM : GH_E_INTERNAL, NULL);
        gh_err_note(&err, "handler for %s set no usable response", r->route_pattern);
        gh_reply_error(&r->req, &r->resp, &err);
    }
    return queue_reply(r);
}

static enum MHD_Result
on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    struct gh_http_listener *ls = cls;
    struct gh_http_req      *r = *con_cls;
    enum MHD_Result          rc;

    if (r == NULL)
        return MHD_NO; /* no state (out of memory): drop the connection */
    gh_log_set_request_id(r->req.request_id);
    if (!r->started)
        rc = first_call(ls, r, method);
    else if (*upload_data_size != 0)
        rc = take_body(ls, r, upload_data, upload_data_size);
    else if (r->rejected)
        rc = MHD_YES;
    else
        rc = final_call(ls, r);
    gh_log_set_request_id(NULL);
    return rc;
}

/* ---- daemons ---- */

__attribute__((format(printf, 2, 0))) static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct gh_http_listener *ls = cls;
    char                     msg[512];
    size_t                   n;

    vsnprintf(msg, sizeof(msg), fmt, ap);
    n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    /* After startup these are about single clients (bad requests, resets):
     * debug only, so a flood of bad clients cannot flood the log. */
    gh_log_write(atomic_load(&ls->running) ? GH_LOG_DEBUG : GH_LOG_WARN, "libmicrohttpd",
        "%s: %s", ls->name, msg);
}

static struct MHD_Daemon *
start_daemon(struct gh_http_listener *ls, unsigned flags, const struct sockaddr *sa)
{
    const struct gh_conf *c = ls->srv->conf;

    return MHD_start_daemon(flags, 0, NULL, NULL, on_access, ls,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, ls, /* first, so it sees every message */
        MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)c->threads,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)c->conn_timeout_s,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)c->per_ip_conn_limit,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)c->conn_limit,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(c->max_header_bytes * GH_HTTP_POOL_FACTOR),
        MHD_OPTION_URI_LOG_CALLBACK, on_request_line, ls,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, ls,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, ls, /* issue 6: deadlines */
        MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
        MHD_OPTION_END);
}

int
gh_server_new(struct gh_app *app, const struct gh_conf *conf, struct gh_server **out,
    struct gh_err *err)
{
    struct gh_server *srv = calloc(1, sizeof(*srv));

    *out = NULL;
    if (srv == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    srv->app = app;
    srv->conf = conf;
    if (parse_trusted(srv, conf->trusted_proxies, err) == -1 ||
        gh_http_deadlines_start(conf->header_timeout_s > 0 ? conf->header_timeout_s : 10,
            conf->body_timeout_s > 0 ? conf->body_timeout_s : 30, conf->conn_timeout_s,
            &srv->deadlines, err) == -1) {
        free(srv);
        return -1;
    }
    *out = srv;
    return 0;
}

static void
listener_free(struct gh_http_listener *ls)
{
    if (ls == NULL)
        return;
    if (ls->daemon != NULL)
        MHD_stop_daemon(ls->daemon);
    if (ls->quiesced != MHD_INVALID_SOCKET)
        close(ls->quiesced); /* ours to close, and only after the daemon stopped */
    gh_http_metrics_unregister(ls->metrics);
    free(ls->name);
    free(ls->addr);
    free(ls);
}

int
gh_server_listen(struct gh_server *srv, const struct gh_listener_def *def, struct gh_err *err)
{
    struct sockaddr_storage  ss;
    unsigned                 sslen, flags;
    struct gh_http_listener *ls = NULL;
    int                      rc = -1;

    if (srv->nls == GH_SERVER_MAX_LISTENERS)
        return GH_FAIL(err, GH_E_INTERNAL, "too many listeners");
    if (gh_http_parse_addr(def->addr, &ss, &sslen) == -1) {
        GH_FAIL(err, GH_E_BAD_REQUEST, "listen address must be ADDR:PORT or [V6]:PORT");
        gh_err_note(err, "listener %s address %s", def->name, def->addr);
        return -1;
    }
    ls = calloc(1, sizeof(*ls));
    if (ls != NULL)
        ls->quiesced = MHD_INVALID_SOCKET;
    if (ls == NULL || (ls->name = gh_strdup(def->name)) == NULL ||
        (ls->addr = gh_strdup(def->addr)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    ls->def = *def;
    ls->def.name = ls->name;
    ls->def.addr = ls->addr;
    ls->srv = srv;
    ls->metrics = gh_http_metrics_register(ls->name, def->routes, def->nroutes);
    if (ls->metrics == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
        (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0);
    ls->daemon = start_daemon(ls, flags | MHD_USE_EPOLL, (const struct sockaddr *)&ss);
    if (ls->daemon == NULL) /* no epoll on this platform: let MHD pick */
        ls->daemon = start_daemon(ls, flags | MHD_USE_AUTO, (const struct sockaddr *)&ss);
    if (ls->daemon == NULL) {
        GH_FAIL(err, GH_E_INTERNAL, "cannot listen");
        gh_err_note(err, "listener %s: cannot bind %s", def->name, def->addr);
        goto done;
    }
    atomic_store(&ls->running, 1);
    srv->ls[srv->nls++] = ls;
    ls = NULL;
    rc = 0;
done:
    listener_free(ls);
    return rc;
}

unsigned
gh_server_drain(struct gh_server *srv, unsigned timeout_ms)
{
    struct timespec tick = { 0, 10 * 1000 * 1000 };
    unsigned        waited = 0, left;

    atomic_store(&srv->draining, 1);
    for (size_t i = 0; i < srv->nls; i++) {
        struct gh_http_listener *ls = srv->ls[i];

        if (ls->quiesced != MHD_INVALID_SOCKET)
            continue;
        ls->quiesced = MHD_quiesce_daemon(ls->daemon);
        if (ls->quiesced == MHD_INVALID_SOCKET)
            gh_log_warn("listener %s: cannot stop accepting", ls->name);
    }
    while ((left = atomic_load(&srv->inflight)) > 0 && waited < timeout_ms) {
        nanosleep(&tick, NULL);
        waited += 10;
    }
    return left;
}

void
gh_server_free(struct gh_server *srv)
{
    if (srv == NULL)
        return;
    for (size_t i = 0; i < srv->nls; i++)
        listener_free(srv->ls[i]);
    gh_http_deadlines_stop(srv->deadlines); /* after the daemons: they report closes to it */
    free(srv);
}
