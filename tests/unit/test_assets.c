/* test_assets.c: serving Clerk's bundles (src/http/assets.c) without sockets,
 * over a fake node_modules tree made in a temp dir: which tags and files are
 * served with which headers, every path-traversal shape refused, conditional
 * requests, a missing install, and the file-body ownership of gh_resp_file.
 * Request headers come from a stand-in for MHD_lookup_connection_value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/server.h"
#include "util/log.h"

/* ---- fake request headers ---- */

static const char *fake_inm; /* If-None-Match */
static const char *fake_ims; /* If-Modified-Since */

const char *
MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind,
    const char *key)
{
    if (key != NULL && strcasecmp(key, "If-None-Match") == 0)
        return fake_inm;
    if (key != NULL && strcasecmp(key, "If-Modified-Since") == 0)
        return fake_ims;
    return NULL;
}

static int  dummy_conn;
static char root[256]; /* the fake node_modules */

static void
put(const char *rel, const char *text)
{
    char  path[512];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", root, rel);
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int
setup_tree(void **state)
{
    char link[512];

    snprintf(root, sizeof(root), "%s/gh-assets-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(root));
    put("@clerk/clerk-js/package.json", "{\"name\":\"@clerk/clerk-js\",\"version\":\"6.40.0\"}");
    put("@clerk/clerk-js/dist/clerk.browser.js", "window.Clerk=1;");
    put("@clerk/clerk-js/dist/sub/chunk.css", "a{}");
    put("@clerk/clerk-js/dist/.hidden.js", "secret");
    put("@clerk/clerk-js/dist/dir/x.map", "{}");
    put("@clerk/clerk-js/secret.txt", "outside dist");
    put("@clerk/ui/package.json", "{\"name\":\"@clerk/ui\",\"version\":\"1.36.0\"}");
    put("@clerk/ui/dist/ui.browser.js", "window.__internal_ClerkUICtor=1;");
    put("@clerk/ui/dist/m.wasm", "\x00" "asm");
    put("@clerk/ui/dist/page.html", "<script>alert(1)</script>");
    put("@clerk/ui/dist/types.d.ts", "export {};");
    put("@clerk/ui/dist/blob.bin", "?");
    snprintf(link, sizeof(link), "%s/@clerk/ui/dist/link.js", root);
    assert_int_equal(symlink("../../clerk-js/secret.txt", link), 0);
    gh_log_set_level(GH_LOG_ERROR);
    assert_int_equal(gh_http_assets_init(root), 2);
    return 0;
}

static int
teardown_tree(void **state)
{
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    assert_int_equal(system(cmd), 0);
    return 0;
}

/* Runs the handler for /npm/@clerk/<pkg>/dist/<tail>; returns the status. */
static int
get(struct gh_http_req *r, const char *pkg, const char *tail)
{
    struct gh_err err = { 0 };

    memset(r, 0, sizeof(*r));
    r->req.impl = r;
    r->conn = &dummy_conn;
    r->req.params[0] = pkg;
    r->req.nparams = 1;
    r->req.wild = tail;
    if (gh_http_assets_get(&r->req, &r->resp, &err) == -1) {
        assert_int_equal(err.code, GH_E_ROUTE_NOT_FOUND);
        return gh_err_status(err.code);
    }
    return r->resp.status;
}

static int
status_of(const char *pkg, const char *tail)
{
    struct gh_http_req r;
    int                st = get(&r, pkg, tail);

    gh_http_req_clear(&r);
    return st;
}

static void
test_assets_serves_exact_version_with_long_cache(void **state)
{
    struct gh_http_req r;

    assert_int_equal(get(&r, "clerk-js@6.40.0", "clerk.browser.js"), 200);
    assert_true(r.resp.has_fd);
    assert_int_equal(r.resp.fd_len, strlen("window.Clerk=1;"));
    assert_string_equal(r.resp.content_type, "text/javascript; charset=utf-8");
    assert_string_equal(gh_resp_find_header(&r.resp, "Access-Control-Allow-Origin"), "*");
    assert_string_equal(gh_resp_find_header(&r.resp, "Cache-Control"),
        "public, max-age=31536000, immutable");
    assert_non_null(gh_resp_find_header(&r.resp, "ETag"));
    assert_non_null(gh_resp_find_header(&r.resp, "Last-Modified"));
    gh_http_req_clear(&r);
    assert_int_equal(get(&r, "clerk-js@6.40.0", "sub/chunk.css"), 200);
    assert_string_equal(r.resp.content_type, "text/css; charset=utf-8");
    gh_http_req_clear(&r);
}

/* The frontend listener's credentialed CORS runs before routing; the asset
 * answer must end with exactly one "Access-Control-Allow-Origin: *". */
static void
test_assets_replace_echoed_cors_headers(void **state)
{
    struct gh_http_req r;
    struct gh_err      err = { 0 };
    size_t             acao = 0;

    memset(&r, 0, sizeof(r));
    r.req.impl = &r;
    r.conn = &dummy_conn;
    r.req.params[0] = "ui@1";
    r.req.nparams = 1;
    r.req.wild = "ui.browser.js";
    gh_resp_header(&r.resp, "Vary", "Origin");
    gh_resp_header(&r.resp, "Access-Control-Allow-Origin", "http://127.0.0.1:3000");
    gh_resp_header(&r.resp, "Access-Control-Allow-Credentials", "true");
    gh_resp_header(&r.resp, "Access-Control-Expose-Headers", "Clerk-Db-Jwt");
    assert_int_equal(gh_http_assets_get(&r.req, &r.resp, &err), 0);
    for (size_t i = 0; i < r.resp.nhdr; i++)
        if (strcasecmp(r.resp.hdr[i].name, "Access-Control-Allow-Origin") == 0) {
            assert_string_equal(r.resp.hdr[i].value, "*");
            acao++;
        }
    assert_int_equal(acao, 1);
    assert_null(gh_resp_find_header(&r.resp, "Access-Control-Allow-Credentials"));
    assert_null(gh_resp_find_header(&r.resp, "Access-Control-Expose-Headers"));
    assert_string_equal(gh_resp_find_header(&r.resp, "Vary"), "Origin");
    gh_http_req_clear(&r);
}

static void
test_assets_tags_get_a_short_cache(void **state)
{
    static const char *const tags[] = { "ui@1", "ui@1.36", "ui@latest" };
    struct gh_http_req       r;

    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        assert_int_equal(get(&r, tags[i], "ui.browser.js"), 200);
        assert_string_equal(gh_resp_find_header(&r.resp, "Cache-Control"), "public, max-age=600");
        assert_string_equal(gh_resp_find_header(&r.resp, "Access-Control-Allow-Origin"), "*");
        gh_http_req_clear(&r);
    }
}

static void
test_assets_refuses_other_versions_and_packages(void **state)
{
    static const char *const bad[] = { "ui@2", "ui@0", "ui@1.3", "ui@1.36.1", "ui@1.36.0-beta",
        "ui@", "ui", "ui@next", "clerk-js@1.36.0", "react@1", "ui@1@1", "@1", "UI@1",
        "clerk-js@6.4", "clerk-js@6.", "clerk-js@.6" };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(status_of(bad[i], bad[i][0] == 'u' ? "ui.browser.js" : "clerk.browser.js"),
            404);
}

static void
test_assets_refuses_traversal(void **state)
{
    static const char *const bad[] = {
        "../secret.txt", "..", ".", "sub/../clerk.browser.js", "sub/./chunk.css",
        "%2e%2e/secret.txt", "%2E%2E%2Fsecret.txt", "sub%2Fchunk.css", "clerk.browser.js%00.png",
        "..%5csecret.txt", "sub\\chunk.css", "/etc/passwd", "sub//chunk.css", "sub/",
        ".hidden.js", "dir/.x", "", "a b.js", "clerk.browser.js?x", "clerk.browser.js#x",
        "dir", "nope.js",
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (status_of("clerk-js@6", bad[i]) != 404)
            fail_msg("served \"%s\"", bad[i]);
    }
    assert_int_equal(status_of("clerk-js@6", NULL), 404);
    /* A symlink out of dist/ is refused even though its name is fine. */
    assert_int_equal(status_of("ui@1", "link.js"), 404);
    {
        char long_seg[300];

        memset(long_seg, 'a', sizeof(long_seg) - 1);
        long_seg[sizeof(long_seg) - 1] = '\0';
        assert_int_equal(status_of("ui@1", long_seg), 404);
    }
}

static void
test_assets_content_types(void **state)
{
    static const struct {
        const char *pkg, *tail, *type;
    } cases[] = {
        { "ui@1", "m.wasm", "application/wasm" },
        { "ui@1", "types.d.ts", "text/plain; charset=utf-8" },
        { "ui@1", "page.html", "application/octet-stream" }, /* never rendered on our origin */
        { "ui@1", "blob.bin", "application/octet-stream" },
        { "clerk-js@6", "dir/x.map", "application/json; charset=utf-8" },
    };
    struct gh_http_req r;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(get(&r, cases[i].pkg, cases[i].tail), 200);
        assert_string_equal(r.resp.content_type, cases[i].type);
        gh_http_req_clear(&r);
    }
}

static void
test_assets_conditional_requests(void **state)
{
    struct gh_http_req r;
    char               etag[64], weak[80], list[160];

    assert_int_equal(get(&r, "ui@1.36.0", "ui.browser.js"), 200);
    snprintf(etag, sizeof(etag), "%s", gh_resp_find_header(&r.resp, "ETag"));
    gh_http_req_clear(&r);
    snprintf(weak, sizeof(weak), "W/%s", etag);
    snprintf(list, sizeof(list), "\"nope\", %s", etag);
    {
        const char *hit[] = { etag, weak, list, "*" };

        for (size_t i = 0; i < 4; i++) {
            fake_inm = hit[i];
            assert_int_equal(get(&r, "ui@1.36.0", "ui.browser.js"), 304);
            assert_false(r.resp.has_fd);
            assert_int_equal(r.resp.len, 0);
            assert_string_equal(gh_resp_find_header(&r.resp, "ETag"), etag);
            assert_non_null(gh_resp_find_header(&r.resp, "Cache-Control"));
            gh_http_req_clear(&r);
        }
    }
    fake_inm = "\"other\"";
    assert_int_equal(status_of("ui@1.36.0", "ui.browser.js"), 200);
    /* If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2). */
    fake_ims = "Fri, 01 Jan 2100 00:00:00 GMT";
    assert_int_equal(status_of("ui@1.36.0", "ui.browser.js"), 200);
    fake_inm = NULL;
    assert_int_equal(status_of("ui@1.36.0", "ui.browser.js"), 304);
    fake_ims = "Thu, 01 Jan 1970 00:00:00 GMT";
    assert_int_equal(status_of("ui@1.36.0", "ui.browser.js"), 200);
    fake_ims = "yesterday";
    assert_int_equal(status_of("ui@1.36.0", "ui.browser.js"), 200);
    fake_ims = NULL;
}

static void
test_assets_missing_install_answers_404(void **state)
{
    char missing[300];

    snprintf(missing, sizeof(missing), "%s/nowhere", root);
    assert_int_equal(gh_http_assets_init(missing), 0);
    assert_int_equal(status_of("clerk-js@6", "clerk.browser.js"), 404);
    assert_int_equal(status_of("ui@1", "ui.browser.js"), 404);
    assert_int_equal(gh_http_assets_init(root), 2);
    assert_int_equal(status_of("ui@1", "ui.browser.js"), 200);
}

/* gh_resp_file owns the descriptor: clearing the response or replacing the
 * body (an error after a file was set) closes it. */
static void
test_resp_file_owns_the_descriptor(void **state)
{
    struct gh_resp resp = { 0 };
    struct gh_err  err = { 0 };
    int            fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

    assert_true(fd >= 0);
    gh_resp_file(&resp, 200, "text/plain", fd, 0);
    assert_true(resp.has_fd);
    gh_resp_clear(&resp);
    assert_int_equal(fcntl(fd, F_GETFD), -1);

    fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    assert_true(fd >= 0);
    gh_resp_file(&resp, 200, "text/plain", fd, 0);
    GH_FAIL(&err, GH_E_ROUTE_NOT_FOUND, NULL);
    gh_reply_error(NULL, &resp, &err);
    assert_false(resp.has_fd);
    assert_int_equal(resp.status, 404);
    assert_int_equal(fcntl(fd, F_GETFD), -1);
    gh_resp_clear(&resp);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assets_serves_exact_version_with_long_cache),
        cmocka_unit_test(test_assets_replace_echoed_cors_headers),
        cmocka_unit_test(test_assets_tags_get_a_short_cache),
        cmocka_unit_test(test_assets_refuses_other_versions_and_packages),
        cmocka_unit_test(test_assets_refuses_traversal),
        cmocka_unit_test(test_assets_content_types),
        cmocka_unit_test(test_assets_conditional_requests),
        cmocka_unit_test(test_assets_missing_install_answers_404),
        cmocka_unit_test(test_resp_file_owns_the_descriptor),
    };

    return cmocka_run_group_tests(tests, setup_tree, teardown_tree);
}
