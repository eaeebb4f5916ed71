/* test_http.c: the HTTP layer without sockets: route matching, path
 * parameter decoding, query parsing, JSON bodies, error rendering, metrics
 * text, listen-address parsing and configuration loading. Headers come from
 * a stand-in for MHD_lookup_connection_value (defined below; the
 * executable's definition takes precedence over libmicrohttpd's). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "http/router.h"
#include "http/server.h"
#include "util/conf.h"
#include "util/metrics.h"
#include "util/str.h"

/* ---- fake request headers ---- */

static const char *fake_ctype;

const char *
MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind,
    const char *key)
{
    if (key != NULL && strcasecmp(key, "Content-Type") == 0)
        return fake_ctype;
    return NULL;
}

static int dummy_conn;

static void
req_init(struct gh_http_req *r, const char *body, const char *ctype)
{
    memset(r, 0, sizeof(*r));
    r->req.impl = r;
    r->conn = &dummy_conn;
    r->req.body = body;
    r->req.body_len = strlen(body);
    fake_ctype = ctype;
}

static int
h_dummy(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return 0;
}

static const struct gh_route table[] = {
    { "GET",    "/healthz",            h_dummy, GH_AUTH_NONE },
    { "GET",    "/v1/users",           h_dummy, GH_AUTH_SECRET },
    { "GET",    "/v1/users/count",     h_dummy, GH_AUTH_SECRET },
    { "POST",   "/v1/users",           h_dummy, GH_AUTH_SECRET },
    { "GET",    "/v1/users/:id",       h_dummy, GH_AUTH_SECRET },
    { "DELETE", "/v1/users/:id",       h_dummy, GH_AUTH_SECRET },
    { "POST",   "/v1/users/:id/ban",   h_dummy, GH_AUTH_SECRET },
    { "PATCH",  "/v1/orgs/:id/memberships/:uid", h_dummy, GH_AUTH_SECRET },
};
#define NTABLE (sizeof(table) / sizeof(table[0]))

/* ---- router ---- */

static void
test_router_matches_literal_before_param(void **state)
{
    struct gh_route_match m;

    assert_int_equal(gh_router_match(table, NTABLE, "GET", "/v1/users/count", &m), GH_ROUTE_FOUND);
    assert_string_equal(m.route->pattern, "/v1/users/count");
    assert_int_equal(m.nparams, 0);
    assert_int_equal(gh_router_match(table, NTABLE, "GET", "/v1/users/user_1", &m), GH_ROUTE_FOUND);
    assert_string_equal(m.route->pattern, "/v1/users/:id");
    assert_int_equal(m.index, 4);
    assert_int_equal(m.nparams, 1);
    assert_int_equal(m.params[0].len, 6);
    assert_memory_equal(m.params[0].p, "user_1", 6);
}

static void
test_router_collects_params_in_order(void **state)
{
    struct gh_route_match m;

    assert_int_equal(gh_router_match(table, NTABLE, "PATCH", "/v1/orgs/org_1/memberships/u2", &m),
        GH_ROUTE_FOUND);
    assert_int_equal(m.nparams, 2);
    assert_memory_equal(m.params[0].p, "org_1", 5);
    assert_memory_equal(m.params[1].p, "u2", 2);
}

static void
test_router_tolerates_one_trailing_slash(void **state)
{
    struct gh_route_match m;

    assert_int_equal(gh_router_match(table, NTABLE, "GET", "/v1/users/", &m), GH_ROUTE_FOUND);
    assert_string_equal(m.route->pattern, "/v1/users");
    assert_int_equal(gh_router_match(table, NTABLE, "POST", "/v1/users/u1/ban/", &m),
        GH_ROUTE_FOUND);
    assert_int_equal(gh_router_match(table, NTABLE, "GET", "/v1/users//", &m), GH_ROUTE_NONE);
}

static void
test_router_rejects_empty_segments_and_relative_paths(void **state)
{
    struct gh_route_match m;

    assert_int_equal(gh_router_match(table, NTABLE, "GET", "/v1//users", &m), GH_ROUTE_NONE);
    assert_int_equal(gh_router_match(table, NTABLE, "GET", "v1/users", &m), GH_ROUTE_NONE);
    assert_int_equal(gh_router_match(table, NTABLE, "GET", "http://evil.test/v1/users", &m),
        GH_ROUTE_NONE);
    assert_int_equal(gh_router_match(table, NTABLE, "GET", "", &m), GH_ROUTE_NONE);
    assert_int_equal(gh_router_match(table, NTABLE, "GET", "/v1/users/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p",
        &m), GH_ROUTE_NONE);
}

static void
test_router_distinguishes_405_from_404(void **state)
{
    struct gh_route_match m;

    assert_int_equal(gh_router_match(table, NTABLE, "PUT", "/v1/users/u1", &m), GH_ROUTE_NO_METHOD);
    assert_int_equal(gh_router_match(table, NTABLE, "TRACE", "/healthz", &m), GH_ROUTE_NO_METHOD);
    assert_int_equal(gh_router_match(table, NTABLE, "GET", "/v1/nothing", &m), GH_ROUTE_NONE);
    assert_int_equal(gh_router_match(table, NTABLE, "GET", "/v1/users/u1/ban", &m),
        GH_ROUTE_NO_METHOD);
}

static void
test_router_head_matches_get(void **state)
{
    struct gh_route_match m;

    assert_int_equal(gh_router_match(table, NTABLE, "HEAD", "/healthz", &m), GH_ROUTE_FOUND);
    assert_int_equal(gh_router_match(table, NTABLE, "HEAD", "/v1/users/u1/ban", &m),
        GH_ROUTE_NO_METHOD);
}

static void
test_router_matches_raw_segments_only(void **state)
{
    struct gh_route_match m;

    /* An encoded slash stays inside one segment: it cannot reach /ban. */
    assert_int_equal(gh_router_match(table, NTABLE, "POST", "/v1/users/u1%2Fban", &m),
        GH_ROUTE_NO_METHOD);
    /* Literal segments are not decoded. */
    assert_int_equal(gh_router_match(table, NTABLE, "GET", "/v1/%75sers", &m), GH_ROUTE_NONE);
}

static const struct gh_route wild_table[] = {
    { "GET", "/npm/@clerk/:pkg/dist/*", h_dummy, GH_AUTH_NONE },
    { "GET", "/npm/@clerk/:pkg/other", h_dummy, GH_AUTH_NONE },
};
#define NWILD (sizeof(wild_table) / sizeof(wild_table[0]))

static void
assert_rest(const struct gh_route_match *m, const char *want)
{
    assert_non_null(m->rest.p);
    assert_int_equal(m->rest.len, strlen(want));
    assert_memory_equal(m->rest.p, want, strlen(want));
}

static void
test_router_trailing_star_takes_the_rest(void **state)
{
    struct gh_route_match m;

    assert_int_equal(gh_router_match(wild_table, NWILD, "GET",
                         "/npm/@clerk/ui@1/dist/ui.browser.js", &m), GH_ROUTE_FOUND);
    assert_int_equal(m.index, 0);
    assert_int_equal(m.nparams, 1);
    assert_int_equal(m.params[0].len, 4);
    assert_memory_equal(m.params[0].p, "ui@1", 4);
    assert_rest(&m, "ui.browser.js");
    /* Several segments, raw: the handler sees "%2e" and decides. */
    assert_int_equal(gh_router_match(wild_table, NWILD, "HEAD",
                         "/npm/@clerk/ui@1/dist/a/%2e%2e/c.js", &m), GH_ROUTE_FOUND);
    assert_rest(&m, "a/%2e%2e/c.js");
    /* The tolerated trailing slash is not part of the tail. */
    assert_int_equal(gh_router_match(wild_table, NWILD, "GET", "/npm/@clerk/x/dist/a/b.js/", &m),
        GH_ROUTE_FOUND);
    assert_rest(&m, "a/b.js");
    /* Routes without "*" leave rest empty. */
    assert_int_equal(gh_router_match(wild_table, NWILD, "GET", "/npm/@clerk/x/other", &m),
        GH_ROUTE_FOUND);
    assert_null(m.rest.p);
    assert_int_equal(gh_router_match(table, NTABLE, "GET", "/v1/users/u1", &m), GH_ROUTE_FOUND);
    assert_null(m.rest.p);
}

static void
test_router_trailing_star_needs_a_segment(void **state)
{
    struct gh_route_match m;

    assert_int_equal(gh_router_match(wild_table, NWILD, "GET", "/npm/@clerk/ui@1/dist", &m),
        GH_ROUTE_NONE);
    assert_int_equal(gh_router_match(wild_table, NWILD, "GET", "/npm/@clerk/ui@1/dist/", &m),
        GH_ROUTE_NONE);
    assert_int_equal(gh_router_match(wild_table, NWILD, "GET", "/npm/@clerk/ui@1/dist//a.js", &m),
        GH_ROUTE_NONE);
    assert_int_equal(gh_router_match(wild_table, NWILD, "GET", "/npm/@clerk/ui@1/dist/a//b", &m),
        GH_ROUTE_NONE);
    assert_int_equal(gh_router_match(wild_table, NWILD, "GET", "/npm/@clerk/ui@1/lib/a.js", &m),
        GH_ROUTE_NONE);
    /* An encoded slash cannot fake the literal segments before the star. */
    assert_int_equal(gh_router_match(wild_table, NWILD, "GET", "/npm/@clerk/ui@1%2Fdist/a.js", &m),
        GH_ROUTE_NONE);
    assert_int_equal(gh_router_match(wild_table, NWILD, "POST", "/npm/@clerk/ui@1/dist/a.js", &m),
        GH_ROUTE_NO_METHOD);
}

static void
test_router_decode_param_refuses_traversal(void **state)
{
    char out[64];

    assert_int_equal(gh_router_decode_param("user_1", 6, out, sizeof(out)), 0);
    assert_string_equal(out, "user_1");
    assert_int_equal(gh_router_decode_param("a%20b+c", 7, out, sizeof(out)), 0);
    assert_string_equal(out, "a b+c");
    assert_int_equal(gh_router_decode_param("a%2Fb", 5, out, sizeof(out)), -1);
    assert_int_equal(gh_router_decode_param("..", 2, out, sizeof(out)), -1);
    assert_int_equal(gh_router_decode_param(".", 1, out, sizeof(out)), -1);
    assert_int_equal(gh_router_decode_param("%2e%2E", 6, out, sizeof(out)), -1);
    assert_int_equal(gh_router_decode_param("a%00b", 5, out, sizeof(out)), -1);
    assert_int_equal(gh_router_decode_param("a%zz", 4, out, sizeof(out)), -1);
    assert_int_equal(gh_router_decode_param("a%4", 3, out, sizeof(out)), -1);
    assert_int_equal(gh_router_decode_param("%ff", 3, out, sizeof(out)), -1);
    assert_int_equal(gh_router_decode_param("abcdef", 6, out, 4), -1);
}

/* ---- query ---- */

static void
test_query_keeps_repeated_keys_in_order(void **state)
{
    struct gh_http_req r;
    struct gh_err      err = { 0 };
    const char        *v[4];

    req_init(&r, "", NULL);
    assert_int_equal(gh_query_parse(&r.query,
        "email_address=a%40x.io&limit=5&email_address=b%40x.io&status[]=pending&status=accepted",
        &err), 0);
    assert_int_equal(gh_req_query_all(&r.req, "email_address", v, 4), 2);
    assert_string_equal(v[0], "a@x.io");
    assert_string_equal(v[1], "b@x.io");
    assert_int_equal(gh_req_query_all(&r.req, "status", v, 4), 2);
    assert_string_equal(v[0], "pending");
    assert_string_equal(v[1], "accepted");
    assert_string_equal(gh_req_query(&r.req, "limit"), "5");
    assert_null(gh_req_query(&r.req, "offset"));
    assert_int_equal(gh_req_query_all(&r.req, "email_address", v, 1), 2); /* count exceeds max */
    gh_http_req_clear(&r);
}

static void
test_query_form_decodes(void **state)
{
    struct gh_http_req r;
    struct gh_err      err = { 0 };
    const char        *v[4];

    req_init(&r, "", NULL);
    assert_int_equal(gh_query_parse(&r.query, "q=a+b%2Bc&role=org%3Aadmin&flag&&x=1%262&=e",
        &err), 0);
    assert_string_equal(gh_req_query(&r.req, "q"), "a b+c");
    assert_string_equal(gh_req_query(&r.req, "role"), "org:admin");
    assert_string_equal(gh_req_query(&r.req, "flag"), "");
    assert_int_equal(gh_req_query_all(&r.req, "x", v, 4), 1); /* %26 does not split */
    assert_string_equal(v[0], "1&2");
    assert_string_equal(gh_req_query(&r.req, ""), "e");
    gh_http_req_clear(&r);
}

static void
test_query_rejects_bad_escapes_and_utf8(void **state)
{
    static const char *bad[] = { "a=%zz", "a=%4", "a=%", "a=%ff", "a=%c3%28", "a%00=1", "a=x%00y" };
    struct gh_query     q;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct gh_err err = { 0 };

        assert_int_equal(gh_query_parse(&q, bad[i], &err), -1);
        assert_int_equal(err.code, GH_E_BAD_REQUEST);
        assert_null(q.buf);
    }
}

static void
test_query_accepts_utf8_and_empty(void **state)
{
    struct gh_query q;
    struct gh_err   err = { 0 };

    assert_int_equal(gh_query_parse(&q, "name=J%C3%BCrgen", &err), 0);
    assert_string_equal(q.pairs[0].value, "J\xc3\xbcrgen");
    gh_query_clear(&q);
    assert_int_equal(gh_query_parse(&q, "", &err), 0);
    assert_int_equal(q.n, 0);
    assert_int_equal(gh_query_parse(&q, NULL, &err), 0);
    assert_int_equal(q.n, 0);
}

static void
test_query_caps_pair_count(void **state)
{
    struct gh_query q;
    struct gh_err   err = { 0 };
    char           *raw = malloc(4 * (GH_HTTP_MAX_QUERY_PARAMS + 1) + 1);
    size_t          off = 0;

    for (int i = 0; i <= GH_HTTP_MAX_QUERY_PARAMS; i++) {
        memcpy(raw + off, "a=1&", 4);
        off += 4;
    }
    raw[off - 1] = '\0';
    assert_int_equal(gh_query_parse(&q, raw, &err), -1);
    assert_int_equal(err.code, GH_E_BAD_REQUEST);
    raw[4 * GH_HTTP_MAX_QUERY_PARAMS - 1] = '\0'; /* exactly the cap */
    gh_err_clear(&err);
    assert_int_equal(gh_query_parse(&q, raw, &err), 0);
    assert_int_equal(q.n, GH_HTTP_MAX_QUERY_PARAMS);
    gh_query_clear(&q);
    free(raw);
}

/* ---- JSON bodies ---- */

static void
test_json_empty_body_is_empty_object(void **state)
{
    struct gh_http_req r;
    struct gh_err      err = { 0 };
    json_t            *j, *j2;

    req_init(&r, "", "application/json");
    assert_int_equal(gh_req_json(&r.req, &j, &err), 0);
    assert_true(json_is_object(j));
    assert_int_equal(json_object_size(j), 0);
    assert_int_equal(gh_req_json(&r.req, &j2, &err), 0);
    assert_ptr_equal(j, j2); /* parsed once */
    gh_http_req_clear(&r);
    req_init(&r, " \r\n\t", NULL); /* whitespace, no Content-Type */
    assert_int_equal(gh_req_json(&r.req, &j, &err), 0);
    assert_int_equal(json_object_size(j), 0);
    gh_http_req_clear(&r);
}

static void
test_json_rejects_duplicates_and_non_objects(void **state)
{
    struct gh_http_req r;
    struct gh_err      err = { 0 };
    json_t            *j;

    req_init(&r, "{\"role\":\"org:member\",\"role\":\"org:admin\"}", "application/json");
    assert_int_equal(gh_req_json(&r.req, &j, &err), -1);
    assert_int_equal(err.code, GH_E_BODY_INVALID);
    assert_null(j);
    gh_err_clear(&err);
    assert_int_equal(gh_req_json(&r.req, &j, &err), -1); /* the cached failure again */
    assert_int_equal(err.code, GH_E_BODY_INVALID);
    gh_http_req_clear(&r);

    gh_err_clear(&err);
    req_init(&r, "[{\"a\":1}]", "application/json; charset=utf-8");
    assert_int_equal(gh_req_json(&r.req, &j, &err), -1);
    assert_int_equal(err.code, GH_E_BODY_INVALID);
    assert_string_equal(err.desc, "Request body must be a JSON object");
    gh_err_clear(&err);
    assert_int_equal(gh_req_json_any(&r.req, &j, &err), 0);
    assert_true(json_is_array(j));
    gh_http_req_clear(&r);

    gh_err_clear(&err);
    req_init(&r, "\"str\"", "application/json");
    assert_int_equal(gh_req_json_any(&r.req, &j, &err), -1);
    gh_http_req_clear(&r);
}

static char *
nested(int depth)
{
    char *s = malloc((size_t)depth * 2 + 1);

    memset(s, '[', (size_t)depth);
    memset(s + depth, ']', (size_t)depth);
    s[depth * 2] = '\0';
    return s;
}

static void
test_json_limits_depth(void **state)
{
    struct gh_http_req r;
    struct gh_err      err = { 0 };
    json_t            *j;
    char              *ok = nested(64), *deep = nested(65), *huge = nested(100000);

    req_init(&r, ok, "application/json");
    assert_int_equal(gh_req_json_any(&r.req, &j, &err), 0);
    gh_http_req_clear(&r);
    req_init(&r, deep, "application/json");
    assert_int_equal(gh_req_json_any(&r.req, &j, &err), -1);
    assert_int_equal(err.code, GH_E_BODY_INVALID);
    gh_http_req_clear(&r);
    gh_err_clear(&err);
    req_init(&r, huge, "application/json");
    assert_int_equal(gh_req_json_any(&r.req, &j, &err), -1);
    assert_int_equal(err.code, GH_E_BODY_INVALID);
    gh_http_req_clear(&r);
    free(ok);
    free(deep);
    free(huge);
}

static void
test_json_keeps_nul_and_refuses_bad_utf8(void **state)
{
    struct gh_http_req r;
    struct gh_err      err = { 0 };
    json_t            *j;

    req_init(&r, "{\"password\":\"a\\u0000b\"}", "application/json");
    assert_int_equal(gh_req_json(&r.req, &j, &err), 0);
    assert_int_equal(json_string_length(json_object_get(j, "password")), 3);
    gh_http_req_clear(&r);
    req_init(&r, "{\"a\":\"\xff\"}", "application/json");
    assert_int_equal(gh_req_json(&r.req, &j, &err), -1);
    assert_int_equal(err.code, GH_E_BODY_INVALID);
    gh_http_req_clear(&r);
}

static void
test_json_requires_json_content_type_for_a_body(void **state)
{
    struct gh_http_req r;
    struct gh_err      err = { 0 };
    json_t            *j;

    req_init(&r, "{\"a\":1}", "text/plain");
    assert_int_equal(gh_req_json(&r.req, &j, &err), -1);
    assert_int_equal(err.code, GH_E_UNSUPPORTED_MEDIA);
    gh_http_req_clear(&r);
    gh_err_clear(&err);
    req_init(&r, "{\"a\":1}", NULL);
    assert_int_equal(gh_req_json(&r.req, &j, &err), -1);
    assert_int_equal(err.code, GH_E_UNSUPPORTED_MEDIA);
    gh_http_req_clear(&r);
}

static void
test_json_ctype_ignores_parameters(void **state)
{
    assert_true(gh_http_is_json_ctype("application/json"));
    assert_true(gh_http_is_json_ctype("Application/JSON; charset=utf-8"));
    assert_true(gh_http_is_json_ctype(" application/json;charset=UTF-8"));
    assert_false(gh_http_is_json_ctype("application/jsonx"));
    assert_false(gh_http_is_json_ctype("application/x-www-form-urlencoded"));
    assert_false(gh_http_is_json_ctype("text/json"));
    assert_false(gh_http_is_json_ctype(NULL));
}

/* ---- replies ---- */

static void
test_reply_error_renders_clerk_shape(void **state)
{
    struct gh_req  req = { 0 };
    struct gh_resp resp = { 0 };
    struct gh_err  err = { 0 };
    json_t        *doc, *e0;

    gh_strlcpy(req.request_id, "RID123", sizeof(req.request_id));
    GH_FAIL_PARAM(&err, GH_E_IDENTIFIER_EXISTS, "email_address", "That email address is taken.");
    gh_err_note(&err, "secret detail");
    gh_reply_error(&req, &resp, &err);
    assert_int_equal(resp.status, 422);
    assert_string_equal(resp.content_type, "application/json");
    assert_null(strstr(resp.body, "secret detail"));
    doc = json_loads(resp.body, 0, NULL);
    assert_non_null(doc);
    e0 = json_array_get(json_object_get(doc, "errors"), 0);
    assert_string_equal(json_string_value(json_object_get(e0, "code")), "form_identifier_exists");
    assert_string_equal(json_string_value(json_object_get(json_object_get(e0, "meta"), "param_name")),
        "email_address");
    assert_true(json_is_object(json_object_get(doc, "meta")));
    assert_string_equal(json_string_value(json_object_get(doc, "clerk_trace_id")), "RID123");
    json_decref(doc);
    gh_resp_clear(&resp);
}

static void
test_reply_error_sets_retry_after_on_429(void **state)
{
    struct gh_req  req = { 0 };
    struct gh_resp resp = { 0 };
    struct gh_err  err = { 0 };

    GH_FAIL(&err, GH_E_TOO_MANY_REQUESTS, NULL);
    gh_reply_error(&req, &resp, &err);
    assert_int_equal(resp.status, 429);
    assert_int_equal(resp.retry_after_s, 1);
    assert_non_null(strstr(resp.body, "\"meta\":{}"));
    gh_resp_clear(&resp);
    gh_err_clear(&err);
    GH_FAIL(&err, GH_E_TOO_MANY_REQUESTS, NULL);
    err.retry_after_s = 9;
    gh_reply_error(&req, &resp, &err);
    assert_int_equal(resp.retry_after_s, 9);
    gh_resp_clear(&resp);
}

static void
test_reply_error_without_code_is_500(void **state)
{
    struct gh_req  req = { 0 };
    struct gh_resp resp = { 0 };
    struct gh_err  err = { 0 };

    gh_reply_error(&req, &resp, &err);
    assert_int_equal(resp.status, 500);
    gh_resp_clear(&resp);
}

static void
test_resp_header_refuses_crlf(void **state)
{
    struct gh_resp resp = { 0 };

    gh_resp_header(&resp, "X-Ok", "fine");
    assert_false(resp.failed);
    assert_string_equal(gh_resp_find_header(&resp, "x-ok"), "fine");
    gh_resp_header(&resp, "X-Bad", "a\r\nSet-Cookie: x=1");
    assert_true(resp.failed);
    gh_resp_clear(&resp);
}

/* ---- metrics ---- */

static void
test_metrics_render_counts_and_histogram(void **state)
{
    struct gh_http_metrics *m = gh_http_metrics_register("backend", table, NTABLE);
    struct gh_req           req = { 0 };
    struct gh_resp          resp = { 0 };
    struct gh_err           err = { 0 };

    assert_non_null(m);
    gh_http_metrics_observe(m, 4, 200, 2000000);
    gh_http_metrics_observe(m, 4, 200, 3000000);
    gh_http_metrics_observe(m, 4, 404, 100);
    gh_http_metrics_observe(m, NTABLE, 405, 100);
    gh_http_metrics_observe(m, NTABLE, 0, 100);
    gh_metric_inc(GH_METRIC_TOKEN_MINT_SIGNED);
    assert_int_equal(gh_http_metrics_get(&req, &resp, &err), 0);
    assert_string_equal(resp.content_type, "text/plain; version=0.0.4");
    assert_non_null(strstr(resp.body,
        "gatehouse_http_requests_total{listener=\"backend\",route=\"/v1/users/:id\",status=\"200\"} 2\n"));
    assert_non_null(strstr(resp.body,
        "gatehouse_http_requests_total{listener=\"backend\",route=\"unmatched\",status=\"405\"} 1\n"));
    assert_non_null(strstr(resp.body, "status=\"aborted\"} 1\n"));
    assert_non_null(strstr(resp.body,
        "gatehouse_http_request_duration_seconds_bucket{listener=\"backend\",le=\"0.0025\"} 4\n"));
    assert_non_null(strstr(resp.body,
        "gatehouse_http_request_duration_seconds_bucket{listener=\"backend\",le=\"+Inf\"} 5\n"));
    assert_non_null(strstr(resp.body, "gatehouse_token_mints_total{kind=\"signed\"} 1\n"));
    assert_non_null(strstr(resp.body, "process_resident_memory_bytes "));
    gh_resp_clear(&resp);
    gh_http_metrics_unregister(m);
}

/* ---- addresses ---- */

static void
test_parse_addr(void **state)
{
    struct sockaddr_storage ss;
    unsigned                len;

    assert_int_equal(gh_http_parse_addr("127.0.0.1:7900", &ss, &len), 0);
    assert_int_equal(ss.ss_family, AF_INET);
    assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 7900);
    assert_int_equal(gh_http_parse_addr("[::1]:7901", &ss, &len), 0);
    assert_int_equal(ss.ss_family, AF_INET6);
    assert_int_equal(len, sizeof(struct sockaddr_in6));
    assert_int_equal(gh_http_parse_addr("0.0.0.0:1", &ss, &len), 0);
    assert_int_equal(gh_http_parse_addr("127.0.0.1", &ss, &len), -1);
    assert_int_equal(gh_http_parse_addr("127.0.0.1:0", &ss, &len), -1);
    assert_int_equal(gh_http_parse_addr("127.0.0.1:65536", &ss, &len), -1);
    assert_int_equal(gh_http_parse_addr("localhost:80", &ss, &len), -1);
    assert_int_equal(gh_http_parse_addr("::1:80", &ss, &len), -1);
    assert_int_equal(gh_http_parse_addr("[::1]80", &ss, &len), -1);
    assert_int_equal(gh_http_parse_addr(":80", &ss, &len), -1);
}

/* ---- configuration ---- */

static FILE *
errs_open(char **buf, size_t *len)
{
    return open_memstream(buf, len);
}

static void
test_conf_defaults(void **state)
{
    struct gh_conf c;
    char          *buf = NULL;
    size_t         len = 0;
    FILE          *errs = errs_open(&buf, &len);

    assert_int_equal(gh_conf_init_defaults(&c), 0);
    assert_int_equal(gh_conf_load(&c, 0, NULL, errs), 0);
    fclose(errs);
    assert_string_equal(c.frontend_addr, "127.0.0.1:7900");
    assert_string_equal(c.backend_addr, "127.0.0.1:7901");
    assert_string_equal(c.frontend_url, "http://127.0.0.1:7900");
    assert_string_equal(c.backend_url, "http://127.0.0.1:7901");
    assert_string_equal(c.database_url, "sqlite://./gatehouse.db");
    assert_string_equal(c.master_key_file, "./gatehouse.db.key");
    assert_true(c.threads >= 4);
    assert_true(c.hash_concurrency >= 1);
    assert_int_equal(c.token_ttl_s, 60);
    assert_int_equal(c.token_reuse_min_s, 30);
    assert_int_equal(c.max_body_backend, 1024 * 1024);
    assert_int_equal(c.max_body_frontend, 64 * 1024);
    assert_int_equal(c.conn_timeout_s, 30);
    assert_null(c.master_key);
    gh_conf_free(&c);
    free(buf);
}

static void
test_conf_flags_override_env(void **state)
{
    struct gh_conf c;
    char          *buf = NULL;
    size_t         len = 0;
    FILE          *errs = errs_open(&buf, &len);
    char          *argv[] = { "--backend", "0.0.0.0:9901", "--threads=8", "--log-level", "debug",
        "--database", "postgres://db/gh" };

    setenv("GATEHOUSE_BACKEND", "127.0.0.1:8801", 1);
    setenv("GATEHOUSE_FRONTEND", "127.0.0.1:8800", 1);
    setenv("GATEHOUSE_TOKEN_REUSE_SECONDS", "0", 1);
    setenv("GATEHOUSE_MASTER_KEY", "k3y", 1);
    assert_int_equal(gh_conf_init_defaults(&c), 0);
    assert_int_equal(gh_conf_load(&c, 7, argv, errs), 0);
    fclose(errs);
    assert_string_equal(c.backend_addr, "0.0.0.0:9901");
    assert_string_equal(c.frontend_addr, "127.0.0.1:8800");
    assert_string_equal(c.backend_url, "http://0.0.0.0:9901");
    assert_string_equal(c.master_key_file, "./gatehouse.key");
    assert_string_equal(c.master_key, "k3y");
    assert_int_equal(c.threads, 8);
    assert_int_equal(c.log_level, 0);
    assert_int_equal(c.token_reuse_min_s, 0);
    unsetenv("GATEHOUSE_BACKEND");
    unsetenv("GATEHOUSE_FRONTEND");
    unsetenv("GATEHOUSE_TOKEN_REUSE_SECONDS");
    unsetenv("GATEHOUSE_MASTER_KEY");
    gh_conf_free(&c);
    free(buf);
}

static void
test_conf_reports_every_problem(void **state)
{
    struct gh_conf c;
    char          *buf = NULL;
    size_t         len = 0;
    FILE          *errs = errs_open(&buf, &len);
    char          *argv[] = { "--threads", "0", "--bogus", "x", "--log-level=loud", "--frontend" };

    setenv("GATEHOUSE_HASH_CONCURRENCY", "lots", 1);
    assert_int_equal(gh_conf_init_defaults(&c), 0);
    /* env hash_concurrency, --threads 0, --bogus, "x", --log-level, --frontend w/o value */
    assert_int_equal(gh_conf_load(&c, 6, argv, errs), 6);
    fclose(errs);
    assert_non_null(strstr(buf, "GATEHOUSE_HASH_CONCURRENCY"));
    assert_non_null(strstr(buf, "--threads"));
    assert_non_null(strstr(buf, "--bogus: unknown option"));
    assert_non_null(strstr(buf, "--log-level"));
    unsetenv("GATEHOUSE_HASH_CONCURRENCY");
    gh_conf_free(&c);
    free(buf);
}

static void
test_conf_checks_addresses_and_urls(void **state)
{
    struct gh_conf c;
    char          *buf = NULL;
    size_t         len = 0;
    FILE          *errs = errs_open(&buf, &len);
    char          *bad[] = { "--frontend", "nowhere" };
    char          *good[] = { "--frontend-url=https://auth.example.com", "--database=sqlite:/var/gh.db" };

    assert_int_equal(gh_conf_init_defaults(&c), 0);
    assert_int_equal(gh_conf_load(&c, 2, bad, errs), 1);
    gh_conf_free(&c);
    assert_int_equal(gh_conf_init_defaults(&c), 0);
    assert_int_equal(gh_conf_load(&c, 2, good, errs), 0);
    fclose(errs);
    assert_string_equal(c.frontend_url, "https://auth.example.com");
    assert_string_equal(c.master_key_file, "/var/gh.db.key");
    gh_conf_free(&c);
    free(buf);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_router_matches_literal_before_param),
        cmocka_unit_test(test_router_collects_params_in_order),
        cmocka_unit_test(test_router_tolerates_one_trailing_slash),
        cmocka_unit_test(test_router_rejects_empty_segments_and_relative_paths),
        cmocka_unit_test(test_router_distinguishes_405_from_404),
        cmocka_unit_test(test_router_head_matches_get),
        cmocka_unit_test(test_router_matches_raw_segments_only),
        cmocka_unit_test(test_router_decode_param_refuses_traversal),
        cmocka_unit_test(test_router_trailing_star_takes_the_rest),
        cmocka_unit_test(test_router_trailing_star_needs_a_segment),
        cmocka_unit_test(test_query_keeps_repeated_keys_in_order),
        cmocka_unit_test(test_query_form_decodes),
        cmocka_unit_test(test_query_rejects_bad_escapes_and_utf8),
        cmocka_unit_test(test_query_accepts_utf8_and_empty),
        cmocka_unit_test(test_query_caps_pair_count),
        cmocka_unit_test(test_json_empty_body_is_empty_object),
        cmocka_unit_test(test_json_rejects_duplicates_and_non_objects),
        cmocka_unit_test(test_json_limits_depth),
        cmocka_unit_test(test_json_keeps_nul_and_refuses_bad_utf8),
        cmocka_unit_test(test_json_requires_json_content_type_for_a_body),
        cmocka_unit_test(test_json_ctype_ignores_parameters),
        cmocka_unit_test(test_reply_error_renders_clerk_shape),
        cmocka_unit_test(test_reply_error_sets_retry_after_on_429),
        cmocka_unit_test(test_reply_error_without_code_is_500),
        cmocka_unit_test(test_resp_header_refuses_crlf),
        cmocka_unit_test(test_metrics_render_counts_and_histogram),
        cmocka_unit_test(test_parse_addr),
        cmocka_unit_test(test_conf_defaults),
        cmocka_unit_test(test_conf_flags_override_env),
        cmocka_unit_test(test_conf_reports_every_problem),
        cmocka_unit_test(test_conf_checks_addresses_and_urls),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
