/* test_me.c: the pure parts behind the Frontend API's /v1/me routes (issue
 * 4): reading browsers out of User-Agent strings (core/session_activity.c),
 * cleaning what is stored, percent-encoding for the otpauth:// URI
 * (util/buf.c), and fresh TOTP secrets (crypto/totp.c) checked against codes
 * computed independently by liboath. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <liboath/oath.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/session_activity.h"
#include "crypto/crypto.h"
#include "util/buf.h"

struct ua_case {
    const char *ua;
    const char *browser, *version, *device;
    int         mobile;
};

static const struct ua_case ua_cases[] = {
    { "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.6099.71 Safari/537.36", "Chrome", "120.0.6099.71", "Macintosh", 0 },
    /* Edge and Opera also say Chrome/ and Safari/: their own token wins. */
    { "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.61", "Edge", "120.0.2210.61", "Windows", 0 },
    { "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 "
      "Safari/537.36 OPR/105.0.0.0", "Opera", "105.0.0.0", "Linux", 0 },
    /* Safari's version is in Version/, not Safari/. */
    { "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
      "Gecko) Version/17.1 Mobile/15E148 Safari/604.1", "Safari", "17.1", "iPhone", 1 },
    { "Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0", "Firefox", "121.0",
      "Android", 1 },
    { "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
      "HeadlessChrome/131.0.6778.85 Safari/537.36", "Chrome", "131.0.6778.85", "Linux", 0 },
    { "node", "", "", "", 0 },
    { "", "", "", "", 0 },
};

static void
test_user_agent_parse_known_browsers(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(ua_cases) / sizeof(ua_cases[0]); i++) {
        struct gh_ua_info u;

        gh_user_agent_parse(ua_cases[i].ua, &u);
        assert_string_equal(u.browser_name, ua_cases[i].browser);
        assert_string_equal(u.browser_version, ua_cases[i].version);
        assert_string_equal(u.device_type, ua_cases[i].device);
        assert_int_equal(u.is_mobile, ua_cases[i].mobile);
    }
}

static void
test_user_agent_parse_bounds_hostile_input(void **state)
{
    char              big[4096];
    struct gh_ua_info u;

    (void)state;
    gh_user_agent_parse(NULL, &u);
    assert_string_equal(u.browser_name, "");
    /* A version longer than the field is cut, never overflows. */
    memcpy(big, "Chrome/", 7);
    memset(big + 7, '9', sizeof(big) - 8);
    big[sizeof(big) - 1] = '\0';
    gh_user_agent_parse(big, &u);
    assert_string_equal(u.browser_name, "Chrome");
    assert_int_equal(strlen(u.browser_version), sizeof(u.browser_version) - 1);
    gh_user_agent_parse("Chrome/", &u); /* token at the very end */
    assert_string_equal(u.browser_version, "");
}

static void
test_user_agent_clean_caps_and_replaces(void **state)
{
    char in[GH_UA_MAX * 2], out[GH_UA_MAX + 1];

    (void)state;
    gh_user_agent_clean("a\tb\x01\xc3\xa9z", out);
    assert_string_equal(out, "a?b???z"); /* control bytes and non-ASCII become '?' */
    memset(in, 'x', sizeof(in) - 1);
    in[sizeof(in) - 1] = '\0';
    gh_user_agent_clean(in, out);
    assert_int_equal(strlen(out), GH_UA_MAX);
    gh_user_agent_clean(NULL, out);
    assert_string_equal(out, "");
}

static void
test_buf_add_pct_keeps_unreserved_only(void **state)
{
    struct gh_buf b;

    (void)state;
    gh_buf_init(&b, 256);
    gh_buf_add_pct(&b, "My App:a+b@x.com/é~._-");
    assert_false(gh_buf_failed(&b));
    assert_string_equal(gh_buf_str(&b), "My%20App%3Aa%2Bb%40x.com%2F%C3%A9~._-");
    gh_buf_clear(&b);
}

static void
test_totp_secret_new_is_fresh_and_checks(void **state)
{
    char          a[GH_TOTP_NEW_LEN + 1], b[GH_TOTP_NEW_LEN + 1], code[7];
    char         *key = NULL;
    size_t        klen = 0;
    struct gh_err err = { 0 };
    time_t        now = time(NULL);
    int           ok = 0;

    (void)state;
    assert_int_equal(gh_totp_secret_new(a, &err), 0);
    assert_int_equal(gh_totp_secret_new(b, &err), 0);
    assert_int_equal(strlen(a), GH_TOTP_NEW_LEN);
    assert_int_equal(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), GH_TOTP_NEW_LEN);
    assert_string_not_equal(a, b);
    assert_true(gh_totp_secret_valid(a));
    /* liboath computes the code on its own; the check accepts it, and a code
     * from ten minutes later is refused. */
    assert_int_equal(oath_init(), OATH_OK);
    assert_int_equal(oath_base32_decode(a, strlen(a), &key, &klen), OATH_OK);
    assert_int_equal(klen, 20);
    assert_int_equal(oath_totp_generate(key, klen, now, 30, 0, 6, code), OATH_OK);
    assert_int_equal(gh_totp_check(a, code, (int64_t)now, &ok, &err), 0);
    assert_int_equal(ok, 1);
    assert_int_equal(oath_totp_generate(key, klen, now + 600, 30, 0, 6, code), OATH_OK);
    assert_int_equal(gh_totp_check(a, code, (int64_t)now, &ok, &err), 0);
    assert_int_equal(ok, 0);
    free(key);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_agent_parse_known_browsers),
        cmocka_unit_test(test_user_agent_parse_bounds_hostile_input),
        cmocka_unit_test(test_user_agent_clean_caps_and_replaces),
        cmocka_unit_test(test_buf_add_pct_keeps_unreserved_only),
        cmocka_unit_test(test_totp_secret_new_is_fresh_and_checks),
    };
    return cmocka_run_group_tests_name("me", tests, NULL, NULL);
}
