/* test_settings.c: core/settings.c and settings_cache.c (issue 4): the
 * redirect allowlist against every bypass string of catalogue BI-14, stored
 * shapes (origins, redirect URLs), patches (checked before written, null
 * resets, unknown keys and bad values named), the CLI's key=value form, the
 * cache (a change here is seen at once, one made by another server sharing
 * the database within the TTL, a lost compare-and-set is retried), and
 * readers racing a writer on many threads (run under ASan/TSan). Against a
 * real SQLite store in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/app.h"
#include "core/id.h"
#include "core/origin.h"
#include "core/settings.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/conf.h"
#include "util/log.h"
#include "util/str.h"

static struct gh_conf test_conf = { .frontend_url = "http://127.0.0.1:7900" };

struct fixture {
    char               dir[64];
    struct gh_store   *st;
    struct gh_instance in;
    struct gh_app      app;   /* this server */
    struct gh_app      other; /* a second server on the same database */
};

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct gh_err   err = { 0 };
    char            url[128];

    *state = f;
    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/gh_test_settings_XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(url, sizeof(url), "sqlite://%s/gh.db", f->dir);
    gh_id_new("ins", f->in.id);
    f->in.name = "Test Instance";
    f->in.frontend_url = "http://127.0.0.1:7900";
    f->in.publishable_key = "pk_test_x";
    f->in.settings = "{}";
    if (gh_store_open(url, &f->st, &err) == -1 || gh_store_migrate(f->st, &err) == -1 ||
        gh_store_instance_insert(f->st, &f->in, &err) == -1)
        return -1;
    f->app.conf = f->other.conf = &test_conf;
    f->app.store = f->other.store = f->st;
    f->app.instance = f->other.instance = &f->in;
    if (gh_settings_cache_new(&f->app.settings, &err) == -1 ||
        gh_settings_cache_new(&f->other.settings, &err) == -1)
        return -1;
    return 0;
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    const char     *files[] = { "gh.db", "gh.db-wal", "gh.db-shm" };
    char            path[160];

    gh_time_set_offset_ms(0);
    gh_settings_cache_free(f->app.settings);
    gh_settings_cache_free(f->other.settings);
    gh_store_close(f->st);
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    return 0;
}

static void
update_ok(struct gh_app *app, const char *json)
{
    struct gh_err err = { 0 };

    if (gh_settings_update(app, json, &err) == -1)
        fail_msg("update %s: %s %s %s", json, gh_err_name(err.code), err.param,
            gh_err_long_message(&err));
}

static void
update_fails(struct gh_app *app, const char *json, enum gh_err_code code, const char *param)
{
    struct gh_err err = { 0 };

    assert_int_equal(gh_settings_update(app, json, &err), -1);
    assert_int_equal(err.code, code);
    if (param != NULL)
        assert_string_equal(err.param, param);
}

/* Catalogue BI-14: with https://app.test/cb registered, every one of these
 * is refused; only the exact string passes. */
static void
test_redirect_allowlist_refuses_every_bypass(void **state)
{
    static const char *const bypass[] = {
        "https://app.test.evil.test/cb",
        "https://app.test@evil.test/cb",
        "https://a@b@evil.test/cb",
        "https://evil.test\\@app.test/cb",
        "https://app.test/cb/..;/..;/evil",
        "https://app.test/cb/../../x",
        "//evil.test",
        "/\\evil.test",
        "https:evil.test",
        "HTTPS://APP.TEST/cb",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "javascript://app.test/cb%0aalert(1)",
        "data:text/html,x",
        "https://app.test/cb%0d%0aSet-Cookie:x=1",
        "https://app.test/cb\r\nSet-Cookie:x=1",
        "http://app.test/cb",
        "https://app.test:444/cb",
        "http://localhost/cb",
        "http://127.0.0.1:1/cb",
        "https://app\xe3\x80\x82test/cb", /* ideographic full stop */
        "https://app%2etest/cb",
        "https://app.test/cb?x=1",
        "https://app.test/cb/",
        "https://app.test/cb#frag",
        "https://app.test/CB",
        " https://app.test/cb",
        "https://app.test/cb ",
        "https://app.test/c",
        "https://app.test",
        "",
        NULL,
    };
    struct fixture *f = *state;

    assert_false(gh_settings_redirect_allowed(&f->app, "https://app.test/cb")); /* none yet */
    update_ok(&f->app, "{\"allowed_redirect_urls\":[\"https://app.test/cb\","
                       "\"myapp://oauth/callback\"]}");
    assert_true(gh_settings_redirect_allowed(&f->app, "https://app.test/cb"));
    assert_true(gh_settings_redirect_allowed(&f->app, "myapp://oauth/callback"));
    for (size_t i = 0; bypass[i] != NULL; i++)
        if (gh_settings_redirect_allowed(&f->app, bypass[i]))
            fail_msg("bypass accepted: %s", bypass[i]);
    assert_false(gh_settings_redirect_allowed(&f->app, NULL));
    /* the instance's own configured URLs are allowed too, exactly */
    update_ok(&f->app, "{\"after_sign_in_url\":\"https://app.test/dashboard\"}");
    assert_true(gh_settings_redirect_allowed(&f->app, "https://app.test/dashboard"));
    assert_false(gh_settings_redirect_allowed(&f->app, "https://app.test/dashboard/../admin"));
    assert_false(gh_settings_redirect_allowed(&f->app, "https://app.test/dashboar"));
}

static void
test_redirect_url_shapes(void **state)
{
    static const char *const good[] = { "https://app.test/cb", "http://localhost:3000/x?y=1#z",
        "https://[::1]:8443/cb", "myapp://callback", "com.example.app://oauth", NULL };
    static const char *const bad[] = { "https://app.test@evil.test/", "https://app%2etest/",
        "https://app.test:99999/", "https://app.test:/", "https:///x", "https://",
        "javascript://x", "data://x", "vbscript://x", "file:///etc/passwd", "blob://x",
        "HTTPS://app.test/", "1http://x", "https://a b/", "https://app.test\\x",
        "https://app.test/\x01", "https://app.t\xc3\xa9st/", "mailto:a@b.test", "/relative",
        "//evil.test", "", NULL };

    (void)state;
    for (size_t i = 0; good[i] != NULL; i++)
        if (!gh_settings_redirect_url_valid(good[i]))
            fail_msg("refused: %s", good[i]);
    for (size_t i = 0; bad[i] != NULL; i++)
        if (gh_settings_redirect_url_valid(bad[i]))
            fail_msg("accepted: %s", bad[i]);
    assert_false(gh_settings_redirect_url_valid(NULL));
}

static void
test_origin_patterns(void **state)
{
    (void)state;
    assert_true(gh_origin_pattern_valid("https://app.example.test"));
    assert_true(gh_origin_pattern_valid("http://localhost:3000"));
    assert_true(gh_origin_pattern_valid("http://localhost:*"));
    assert_true(gh_origin_pattern_valid("http://[::1]:8080"));
    assert_false(gh_origin_pattern_valid("https://app.example.test/"));
    assert_false(gh_origin_pattern_valid("https://user@app.example.test"));
    assert_false(gh_origin_pattern_valid("chrome-extension://abc"));
    assert_false(gh_origin_pattern_valid("*"));
    assert_false(gh_origin_pattern_valid("https://app.example.test:abc"));
    assert_false(gh_origin_pattern_valid(""));
    assert_false(gh_origin_pattern_valid(NULL));
}

static void
test_defaults_and_patch_rules(void **state)
{
    struct fixture    *f = *state;
    struct gh_settings s;
    char               name[GH_SETTINGS_NAME_MAX], *json = NULL;
    struct gh_err      err = { 0 };

    assert_int_equal(gh_settings_load(&f->app, &s, &err), 0);
    assert_int_equal(s.single_session_mode, 1);
    assert_int_equal(s.min_password_length, 8);
    assert_string_equal(s.sign_up_mode, "public");
    gh_settings_app_name(&f->app, name, sizeof(name));
    assert_string_equal(name, "Test Instance");

    update_ok(&f->app, "{\"application_name\":\"Acme\",\"min_password_length\":12,"
                       "\"single_session_mode\":false,\"sign_up_mode\":\"restricted\","
                       "\"support_email\":\"help@acme.test\",\"username_enabled\":true}");
    assert_int_equal(gh_settings_load(&f->app, &s, &err), 0);
    assert_int_equal(s.min_password_length, 12);
    assert_int_equal(s.single_session_mode, 0);
    assert_int_equal(s.username_enabled, 1);
    assert_string_equal(s.sign_up_mode, "restricted");
    assert_string_equal(s.support_email, "help@acme.test");
    gh_settings_app_name(&f->app, name, sizeof(name));
    assert_string_equal(name, "Acme");

    /* one bad key: nothing at all is written */
    update_fails(&f->app, "{\"min_password_length\":20,\"sign_up_mode\":\"waitlist\"}",
        GH_E_PARAM_VALUE_INVALID, "sign_up_mode");
    update_fails(&f->app, "{\"min_password_length\":7}", GH_E_PARAM_INVALID,
        "min_password_length");
    update_fails(&f->app, "{\"min_password_length\":\"12\"}", GH_E_PARAM_INVALID,
        "min_password_length");
    update_fails(&f->app, "{\"single_session_mode\":1}", GH_E_PARAM_INVALID,
        "single_session_mode");
    update_fails(&f->app, "{\"no_such_key\":true}", GH_E_PARAM_UNKNOWN, "no_such_key");
    update_fails(&f->app, "{\"after_sign_in_url\":\"javascript:alert(1)\"}", GH_E_PARAM_INVALID,
        "after_sign_in_url");
    update_fails(&f->app, "{\"support_email\":\"a\\r\\nBcc: x@y\"}", GH_E_PARAM_INVALID,
        "support_email");
    update_fails(&f->app, "{\"application_name\":\"\"}", GH_E_PARAM_INVALID, "application_name");
    update_fails(&f->app, "{\"allowed_origins\":[\"https://ok.test\",\"https://x.test/path\"]}",
        GH_E_PARAM_INVALID, "allowed_origins");
    update_fails(&f->app, "{\"allowed_origins\":\"https://ok.test\"}", GH_E_PARAM_INVALID,
        "allowed_origins");
    update_fails(&f->app, "[1]", GH_E_BODY_INVALID, NULL);
    update_fails(&f->app, "{\"a\":1,\"a\":2}", GH_E_BODY_INVALID, NULL);
    assert_int_equal(gh_settings_load(&f->app, &s, &err), 0);
    assert_int_equal(s.min_password_length, 12);

    /* null resets to the default */
    update_ok(&f->app, "{\"min_password_length\":null,\"application_name\":null}");
    assert_int_equal(gh_settings_load(&f->app, &s, &err), 0);
    assert_int_equal(s.min_password_length, 8);
    gh_settings_app_name(&f->app, name, sizeof(name));
    assert_string_equal(name, "Test Instance");
    assert_string_equal(s.sign_up_mode, "restricted"); /* untouched keys stay */

    assert_int_equal(gh_settings_json(&f->app, 0, &json, &err), 0);
    assert_non_null(strstr(json, "\"sign_up_mode\":\"restricted\""));
    assert_non_null(strstr(json, "\"application_name\":\"Test Instance\""));
    assert_non_null(strstr(json, "\"allowed_origins\":[]"));
    free(json);
}

static void
test_cli_key_values(void **state)
{
    struct fixture    *f = *state;
    struct gh_settings s;
    struct gh_err      err = { 0 };
    const char        *ok[] = { "username_enabled=yes", "max_allowed_memberships=5",
               "allowed_origins=https://a.test, http://localhost:*,,", "home_url=https://a.test/" };
    const char        *reset[] = { "max_allowed_memberships=" };
    const char        *bad_bool[] = { "username_enabled=maybe" };
    const char        *bad_key[] = { "colour=blue" };
    const char        *no_eq[] = { "username_enabled" };

    assert_int_equal(gh_settings_update_kv(&f->app, ok, 4, &err), 0);
    assert_int_equal(gh_settings_load(&f->app, &s, &err), 0);
    assert_int_equal(s.username_enabled, 1);
    assert_int_equal(s.max_allowed_memberships, 5);
    assert_string_equal(s.home_url, "https://a.test/");
    assert_true(gh_settings_origin_allowed(&f->app, "https://a.test"));
    assert_true(gh_settings_origin_allowed(&f->app, "http://localhost:5173"));
    assert_false(gh_settings_origin_allowed(&f->app, "https://b.test"));
    assert_int_equal(gh_settings_update_kv(&f->app, reset, 1, &err), 0);
    assert_int_equal(gh_settings_load(&f->app, &s, &err), 0);
    assert_int_equal(s.max_allowed_memberships, 0);
    assert_int_equal(gh_settings_update_kv(&f->app, bad_bool, 1, &err), -1);
    assert_int_equal(err.code, GH_E_PARAM_INVALID);
    gh_err_clear(&err);
    assert_int_equal(gh_settings_update_kv(&f->app, bad_key, 1, &err), -1);
    assert_int_equal(err.code, GH_E_PARAM_UNKNOWN);
    assert_string_equal(err.param, "colour");
    gh_err_clear(&err);
    assert_int_equal(gh_settings_update_kv(&f->app, no_eq, 1, &err), -1);
}

/* CORS (core/origin.c) follows the instance's allowed_origins, as well as
 * --allowed-origins. */
static void
test_origin_rule_follows_settings(void **state)
{
    struct fixture *f = *state;

    f->in.publishable_key = "pk_live_x"; /* production: no localhost default */
    assert_false(gh_origin_allowed(&f->app, "https://shop.example.test"));
    update_ok(&f->app, "{\"allowed_origins\":[\"https://shop.example.test\"]}");
    assert_true(gh_origin_allowed(&f->app, "https://shop.example.test"));
    assert_false(gh_origin_allowed(&f->app, "https://shop.example.test.evil.test"));
    assert_false(gh_origin_allowed(&f->app, "http://localhost:3000"));
    update_ok(&f->app, "{\"allowed_origins\":null}");
    assert_false(gh_origin_allowed(&f->app, "https://shop.example.test"));
    f->in.publishable_key = "pk_test_x";
}

/* Another server sharing the database sees a change within the TTL; a
 * compare-and-set that loses to it is retried, so neither edit is lost. */
static void
test_change_reaches_another_server(void **state)
{
    struct fixture    *f = *state;
    struct gh_settings s;
    struct gh_err      err = { 0 };

    assert_int_equal(gh_settings_load(&f->other, &s, &err), 0); /* other caches the defaults */
    assert_int_equal(s.username_enabled, 0);
    update_ok(&f->app, "{\"username_enabled\":true}");
    assert_int_equal(gh_settings_load(&f->app, &s, &err), 0);
    assert_int_equal(s.username_enabled, 1); /* here: at once */
    gh_time_set_offset_ms(GH_SETTINGS_TTL_MS + 10);
    assert_int_equal(gh_settings_load(&f->other, &s, &err), 0);
    assert_int_equal(s.username_enabled, 1); /* there: after the TTL */
    /* other's copy is now current; app's is stale (version-wise it is not,
     * but write through other and check app sees it after the TTL) */
    update_ok(&f->other, "{\"names_enabled\":false}");
    update_ok(&f->app, "{\"totp_enabled\":false}"); /* app read an old version? CAS retries */
    gh_time_set_offset_ms(2 * (GH_SETTINGS_TTL_MS + 10));
    assert_int_equal(gh_settings_load(&f->other, &s, &err), 0);
    assert_int_equal(s.names_enabled, 0);
    assert_int_equal(s.totp_enabled, 0);
    assert_int_equal(s.username_enabled, 1);
    assert_int_equal(gh_settings_load(&f->app, &s, &err), 0);
    assert_int_equal(s.names_enabled, 0);
    assert_int_equal(s.totp_enabled, 0);
}

/* A stored value that is no longer valid is skipped; junk text gives the
 * defaults. Without a cache (hand-built app) the startup copy is read. */
static void
test_stored_junk_is_ignored(void **state)
{
    struct fixture    *f = *state;
    struct gh_app      bare = { .conf = &test_conf, .instance = &f->in };
    struct gh_settings s;
    struct gh_err      err = { 0 };
    int                changed = 0;
    int64_t            v = 0;

    assert_int_equal(gh_store_instance_settings_version(f->st, f->in.id, &v, &err), 0);
    assert_int_equal(gh_store_instance_settings_set(f->st, f->in.id,
                         "{\"min_password_length\":3,\"username_enabled\":true,"
                         "\"allowed_origins\":[\"nope\"],\"sign_up_mode\":\"x\"}",
                         v, 1, &changed, &err), 0);
    assert_int_equal(changed, 1);
    gh_time_set_offset_ms(GH_SETTINGS_TTL_MS + 10);
    assert_int_equal(gh_settings_load(&f->app, &s, &err), 0);
    assert_int_equal(s.min_password_length, 8);
    assert_int_equal(s.username_enabled, 1);
    assert_string_equal(s.sign_up_mode, "public");
    assert_false(gh_settings_origin_allowed(&f->app, "nope"));
    f->in.settings = "not json";
    assert_int_equal(gh_settings_load(&bare, &s, &err), 0);
    assert_int_equal(s.min_password_length, 8);
    f->in.settings = "{\"support_email\":\"a@b.test\"}";
    assert_int_equal(gh_settings_load(&bare, &s, &err), 0);
    assert_string_equal(s.support_email, "a@b.test");
    f->in.settings = "{}";
}

struct racer {
    struct fixture *f;
    int             writer;
    int             bad;
};

static void *
race(void *arg)
{
    struct racer      *r = arg;
    struct gh_settings s;
    struct gh_err      err = { 0 };
    char               json[128], name[GH_SETTINGS_NAME_MAX];

    for (int i = 0; i < 60; i++) {
        if (r->writer) {
            snprintf(json, sizeof(json), "{\"min_password_length\":%d,\"application_name\":\"n%d\"}",
                8 + i % 60, i);
            if (gh_settings_update(&r->f->app, json, &err) == -1)
                r->bad++;
            continue;
        }
        /* half the reads through the second server's cache, which refreshes */
        struct gh_app *a = i % 2 != 0 ? &r->f->other : &r->f->app;

        gh_settings_load(a, &s, &err);
        gh_settings_app_name(a, name, sizeof(name));
        if (s.min_password_length < 8 || s.min_password_length > 72)
            r->bad++;
        (void)gh_origin_allowed(a, "https://x.test");
        (void)gh_settings_redirect_allowed(a, "https://x.test/cb");
        if (i % 10 == 0)
            gh_time_set_offset_ms((int64_t)i * 100); /* force version checks */
    }
    gh_store_thread_done(r->f->st);
    return NULL;
}

/* Readers on 6 threads, 2 writers: no torn reads, no failed writes (the
 * compare-and-set retries), and — under the sanitizers — no race or leak. */
static void
test_readers_race_writers(void **state)
{
    struct fixture    *f = *state;
    struct racer       r[8];
    pthread_t          t[8];
    struct gh_settings s;
    struct gh_err      err = { 0 };

    for (int i = 0; i < 8; i++) {
        r[i] = (struct racer){ .f = f, .writer = i < 2 };
        assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(r[i].bad, 0);
    }
    assert_int_equal(gh_settings_load(&f->app, &s, &err), 0);
    assert_int_equal(s.min_password_length, 8 + 59);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_redirect_allowlist_refuses_every_bypass, setup,
            teardown),
        cmocka_unit_test(test_redirect_url_shapes),
        cmocka_unit_test(test_origin_patterns),
        cmocka_unit_test_setup_teardown(test_defaults_and_patch_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cli_key_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_origin_rule_follows_settings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_change_reaches_another_server, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stored_junk_is_ignored, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readers_race_writers, setup, teardown),
    };
    struct gh_err err = { 0 };

    if (gh_crypto_init(&err) == -1)
        return 1;
    gh_log_set_level(GH_LOG_ERROR); /* every update logs a line */
    return cmocka_run_group_tests_name("settings", tests, NULL, NULL);
}
