/* test_webhook.c: unit tests of the webhook building blocks in src/jobs:
 * secrets, Svix signatures (against vectors computed with npm svix 1.99.1),
 * the SSRF URL and address checks, the retry schedule, and real deliveries to
 * a tiny HTTP server thread on 127.0.0.1 started by the test itself. No
 * traffic leaves loopback; no Node is needed. */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "crypto/crypto.h"
#include "jobs/ssrf.h"
#include "jobs/webhook.h"
#include "util/str.h"

/* ---- vectors: `new Webhook(secret).sign(id, new Date(ts * 1000), body)`,
 * svix 1.99.1 (npm), node 20 ---- */
#define S1 "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" /* 24-byte key (svix docs' example) */
#define S2 "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=" /* bytes 0..31 */
#define VEC_ID "msg_2fVpZ8s1kXo3yH9w0qLmT4uRbC7"
#define VEC_TS 1716883200
/* UTF-8 on purpose: the signature covers bytes, not characters. */
#define VEC_BODY                                                                      \
    "{\"object\":\"event\",\"type\":\"user.created\",\"timestamp\":1716883200000,"    \
    "\"data\":{\"id\":\"user_1\",\"first_name\":\"Zo\xc3\xab\",\"note\":\"\xc3\xbc" \
    "\xe2\x82\xac\xf0\x9f\x98\x80\"}}"
#define VEC_SIG_S1    "v1,+DquiXgauIjRTt//8oNBF8eCdjY8qWBvETzVQsvBUfQ="
#define VEC_SIG_S2    "v1,13EyrT8GtpqXtW1yAzCN/buCXfoZBAoCTqeAoJKJZGI="
#define VEC_SIG_EMPTY "v1,+L5Jc1DEFhnPKYcxxFnhZbjLrvz0L4lhLqdA4h35xnI=" /* S1, body "" */

static int
group_setup(void **state)
{
    struct gh_err err = { 0 };

    return gh_crypto_init(&err) == 0 && gh_webhook_global_init(&err) == 0 ? 0 : -1;
}

/* ---- secrets ---- */

static void
test_secret_new_is_whsec_32_bytes(void **state)
{
    char           a[GH_WEBHOOK_SECRET_SIZE], b[GH_WEBHOOK_SECRET_SIZE];
    unsigned char *key = NULL;
    size_t         klen = 0;
    struct gh_err  err = { 0 };

    assert_int_equal(gh_webhook_secret_new(a, &err), 0);
    assert_int_equal(gh_webhook_secret_new(b, &err), 0);
    assert_int_equal(strlen(a), GH_WEBHOOK_SECRET_SIZE - 1);
    assert_memory_equal(a, "whsec_", 6);
    assert_string_not_equal(a, b);
    assert_int_equal(gh_webhook_secret_decode(a, &key, &klen, &err), 0);
    assert_int_equal(klen, 32);
    free(key);
}

static void
test_secret_decode_accepts_svix_secrets(void **state)
{
    unsigned char *key = NULL;
    size_t         klen = 0;
    struct gh_err  err = { 0 };

    assert_int_equal(gh_webhook_secret_decode(S1, &key, &klen, &err), 0);
    assert_int_equal(klen, 24);
    free(key);
    assert_int_equal(gh_webhook_secret_decode(S2, &key, &klen, &err), 0);
    assert_int_equal(klen, 32);
    for (size_t i = 0; i < 32; i++)
        assert_int_equal(key[i], i);
    free(key);
}

static void
test_secret_decode_refuses_bad_input(void **state)
{
    static const char *bad[] = {
        "",                    "whsec_",       "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", /* no prefix */
        "WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS",
        "whsec_!!!!",          "whsec_====",   "whsec_AA=A", "whsec_A===",
        "whsec_MfKQ9r8G-YqrTwjUPD8ILPZIo2LaLaSw", /* base64url alphabet */
        "whsec_MfKQ9r8G YqrTwjUPD8ILPZIo2LaLaSw",
    };
    unsigned char *key = (unsigned char *)"x";
    size_t         klen = 1;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct gh_err err = { 0 };

        assert_int_equal(gh_webhook_secret_decode(bad[i], &key, &klen, &err), -1);
        assert_int_equal(err.code, GH_E_PARAM_INVALID);
        assert_null(key);
        assert_int_equal(klen, 0);
    }
    {
        struct gh_err err = { 0 };

        assert_int_equal(gh_webhook_secret_decode(NULL, &key, &klen, &err), -1);
    }
}

/* ---- signatures ---- */

static void
check_sign(const char *const *secrets, size_t n, const char *body, const char *want)
{
    char         *sig = NULL;
    struct gh_err err = { 0 };

    assert_int_equal(gh_webhook_sign(secrets, n, VEC_ID, VEC_TS, body, strlen(body), &sig, &err),
        0);
    assert_string_equal(sig, want);
    free(sig);
}

static void
test_sign_matches_svix_single_secret(void **state)
{
    const char *s1[] = { S1 }, *s2[] = { S2 };

    check_sign(s1, 1, VEC_BODY, VEC_SIG_S1);
    check_sign(s2, 1, VEC_BODY, VEC_SIG_S2);
    check_sign(s1, 1, "", VEC_SIG_EMPTY);
}

static void
test_sign_two_secrets_space_separated(void **state)
{
    const char *both[] = { S1, S2 }, *rev[] = { S2, S1 };

    check_sign(both, 2, VEC_BODY, VEC_SIG_S1 " " VEC_SIG_S2);
    check_sign(rev, 2, VEC_BODY, VEC_SIG_S2 " " VEC_SIG_S1);
}

static void
test_sign_covers_exact_bytes(void **state)
{
    const char   *s1[] = { S1 };
    char         *a = NULL, *b = NULL;
    struct gh_err err = { 0 };

    /* A trailing newline is a different message. */
    assert_int_equal(gh_webhook_sign(s1, 1, VEC_ID, VEC_TS, VEC_BODY "\n",
                         strlen(VEC_BODY) + 1, &a, &err), 0);
    assert_string_not_equal(a, VEC_SIG_S1);
    /* And so is another timestamp. */
    assert_int_equal(gh_webhook_sign(s1, 1, VEC_ID, VEC_TS + 1, VEC_BODY, strlen(VEC_BODY), &b,
                         &err), 0);
    assert_string_not_equal(b, VEC_SIG_S1);
    free(a);
    free(b);
}

static void
test_sign_refuses_bad_arguments(void **state)
{
    const char *s1[] = { S1 }, *bad_secret[] = { S1, "whsec_%%%%" };
    const char *ids[] = { "", "msg_1\r\nX-Evil: 1", "msg.1", "msg 1", NULL };

    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        char         *sig = (char *)"x";
        struct gh_err err = { 0 };

        assert_int_equal(gh_webhook_sign(s1, 1, ids[i], VEC_TS, "{}", 2, &sig, &err), -1);
        assert_null(sig);
    }
    {
        char         *sig = NULL;
        struct gh_err err = { 0 };

        assert_int_equal(gh_webhook_sign(s1, 0, VEC_ID, VEC_TS, "{}", 2, &sig, &err), -1);
        assert_int_equal(gh_webhook_sign(s1, 1, VEC_ID, -1, "{}", 2, &sig, &err), -1);
    }
    {
        char         *sig = NULL;
        struct gh_err err = { 0 };

        assert_int_equal(gh_webhook_sign(bad_secret, 2, VEC_ID, VEC_TS, "{}", 2, &sig, &err), -1);
        assert_int_equal(err.code, GH_E_INTERNAL);
        assert_null(strstr(err.note, "%%%%")); /* the secret never reaches the log */
        assert_null(sig);
    }
}

/* ---- SSRF: URLs at creation ---- */

static const struct gh_ssrf_policy dev = { .allow_loopback = 1 };
static const struct gh_ssrf_policy prod = { 0 };

static void
expect_url(const char *url, const struct gh_ssrf_policy *pol, int ok)
{
    struct gh_err err = { 0 };
    int           rc = gh_ssrf_check_url(url, pol, &err);

    if (rc != (ok ? 0 : -1))
        fail_msg("%s: expected %s, got %s (%s)", url, ok ? "allowed" : "refused",
            rc == 0 ? "allowed" : "refused", err.desc);
    if (!ok) {
        assert_int_equal(err.code, GH_E_PARAM_INVALID);
        assert_string_equal(err.param, "url");
    }
}

static void
test_ssrf_url_allows_public_targets(void **state)
{
    static const char *ok[] = {
        "https://example.com/webhooks",
        "http://example.com:8080/x?y=1#frag",
        "HTTPS://Hooks.Example.CO.UK/",
        "https://example.com./",
        "https://a-b_c.example/path",
        "https://8.8.8.8/",
        "https://1.1.1.1:443/hook",
        "https://[2606:4700:4700::1111]/",
        "https://[::ffff:8.8.8.8]/",
        "https://127.0.0.1.nip.io/", /* a name: judged by its address at delivery */
        "https://xn--bcher-kva.example/",
    };

    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
        expect_url(ok[i], &prod, 1);
    expect_url("https://example.com/", NULL, 1);
}

static void
test_ssrf_url_refuses_private_and_reserved_literals(void **state)
{
    static const char *bad[] = {
        "http://127.0.0.1/", "http://127.255.255.254:8080/", "http://[::1]/",
        "http://0.0.0.0/", "http://[::]/", "http://10.0.0.1/", "http://172.16.0.1/",
        "http://172.31.255.255/", "http://192.168.1.1/", "http://169.254.169.254/latest/",
        "http://100.64.0.1/", "http://224.0.0.1/", "http://239.255.255.250/",
        "http://255.255.255.255/", "http://192.0.2.1/", "http://198.51.100.7/",
        "http://203.0.113.9/", "http://198.18.0.1/", "http://240.0.0.1/",
        "http://[fc00::1]/", "http://[fd12:3456::1]/", "http://[fe80::1]/",
        "http://[fec0::1]/", "http://[ff02::1]/", "http://[2001:db8::1]/",
        "http://[::ffff:10.0.0.1]/", "http://[::ffff:169.254.169.254]/",
        "http://[64:ff9b::a9fe:a9fe]/", /* NAT64 of 169.254.169.254 */
        "http://[2002:c0a8:101::]/",    /* 6to4 of 192.168.1.1 */
        "http://[::a00:1]/",            /* IPv4-compatible */
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_url(bad[i], &prod, 0);
}

static void
test_ssrf_url_refuses_obfuscated_loopback(void **state)
{
    static const char *bad[] = {
        "http://127.1/", "http://127.0.1/", "http://2130706433/", "http://0x7f000001/",
        "http://0x7F.1/", "http://0177.0.0.1/", "http://0177.1/", "http://017700000001/",
        "http://0x7f.0x0.0x0.0x1/", "http://127.000.000.001/", "http://0/", "http://0x0/",
        "http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/", "http://[64:ff9b::7f00:1]/",
        "http://[2002:7f00:1::]/", "http://[0:0:0:0:0:0:0:1]/", "http://localhost/",
        "http://LOCALHOST./", "http://x.localhost/", "http://a.b.localhost:80/",
        "http://1.2.3.256/", "http://1.2.3.4.5/", "http://999999999999/", "http://0x/",
        "http://127.0.0.1./", "http://2130706433./", "http://%31%32%37.0.0.1/",
        "http://\xef\xbc\x91\xef\xbc\x92\xef\xbc\x97.0.0.1/", /* fullwidth "127" */
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_url(bad[i], &prod, 0);
}

static void
test_ssrf_url_refuses_bad_syntax(void **state)
{
    static const char *bad[] = {
        "", "example.com", "/relative", "ftp://example.com/", "file:///etc/passwd",
        "gopher://example.com/_x", "dict://example.com/", "javascript:alert(1)",
        "ldap://example.com/", "https://", "https:///path", "http://user@example.com/",
        "http://user:pw@example.com/", "http://:pw@example.com/", "http://example.com@127.0.0.1/",
        "http://example.com:0/", "http://example.com:65536/", "http://example.com:99999/",
        "http://example.com:-1/", "http://example.com:abc/", "http://exa mple.com/",
        "http://example.com/\r\nX-Evil: 1", "http://example.com/\t", "http://[fe80::1%25eth0]/",
        "http://[::1/", "http://[not:an:ip]/", "http://exa\\mple.com/",
    };
    char long_url[GH_SSRF_URL_MAX + 2];

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_url(bad[i], &prod, 0);
    expect_url(NULL, &prod, 0);
    /* exactly at the limit is fine, one more byte is not */
    memset(long_url, 'a', sizeof(long_url) - 1);
    memcpy(long_url, "https://example.com/", 20);
    long_url[GH_SSRF_URL_MAX] = '\0';
    expect_url(long_url, &prod, 1);
    long_url[GH_SSRF_URL_MAX] = 'a';
    long_url[GH_SSRF_URL_MAX + 1] = '\0';
    expect_url(long_url, &prod, 0);
}

static void
test_ssrf_url_loopback_and_allowlist_policies(void **state)
{
    struct gh_ssrf_cidr   allow[2];
    struct gh_ssrf_policy pol = { .allow = allow, .nallow = 2 };
    struct gh_ssrf_policy https = { .https_only = 1 };
    struct gh_err         err = { 0 };

    expect_url("http://127.0.0.1:8080/hook", &dev, 1);
    expect_url("http://localhost:3000/", &dev, 1);
    expect_url("http://[::1]:9/", &dev, 1);
    expect_url("http://2130706433/", &dev, 1); /* it is loopback, and loopback is allowed */
    expect_url("http://10.0.0.1/", &dev, 0);  /* loopback only, not private */
    expect_url("http://0.0.0.0/", &dev, 0);   /* 0.0.0.0 is not "loopback" */
    expect_url("http://169.254.169.254/", &dev, 0);
    assert_int_equal(gh_ssrf_cidr_parse("10.0.0.0/8", &allow[0], &err), 0);
    assert_int_equal(gh_ssrf_cidr_parse("fd00::/8", &allow[1], &err), 0);
    expect_url("http://10.1.2.3/", &pol, 1);
    expect_url("http://[::ffff:10.1.2.3]/", &pol, 1);
    expect_url("http://[fd00::5]/", &pol, 1);
    expect_url("http://172.16.0.1/", &pol, 0);
    expect_url("http://127.0.0.1/", &pol, 0);
    expect_url("http://example.com/", &https, 0);
    expect_url("https://example.com/", &https, 1);
}

/* ---- SSRF: addresses at connect time ---- */

struct addr_case {
    const char *ip;
    int         loopback; /* policy.allow_loopback */
    int         allowed;
};

static void
expect_addr(const struct addr_case *c, const struct gh_ssrf_policy *base)
{
    struct gh_ssrf_policy   pol = *base;
    struct sockaddr_storage ss = { 0 };
    struct sockaddr_in     *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6    *in6 = (struct sockaddr_in6 *)&ss;

    pol.allow_loopback = c->loopback;
    if (inet_pton(AF_INET, c->ip, &in4->sin_addr) == 1)
        in4->sin_family = AF_INET;
    else if (inet_pton(AF_INET6, c->ip, &in6->sin6_addr) == 1)
        in6->sin6_family = AF_INET6;
    else
        fail_msg("bad test address %s", c->ip);
    if (gh_ssrf_addr_allowed((struct sockaddr *)&ss, &pol) != c->allowed)
        fail_msg("%s (loopback=%d): expected %s", c->ip, c->loopback,
            c->allowed ? "allowed" : "denied");
}

static void
test_ssrf_addr_table(void **state)
{
    static const struct addr_case cases[] = {
        { "8.8.8.8", 0, 1 }, { "1.1.1.1", 0, 1 }, { "172.15.255.255", 0, 1 },
        { "172.32.0.1", 0, 1 }, { "192.169.0.1", 0, 1 }, { "100.63.255.255", 0, 1 },
        { "100.128.0.1", 0, 1 }, { "169.253.255.255", 0, 1 }, { "223.255.255.255", 0, 1 },
        { "127.0.0.1", 0, 0 }, { "127.0.0.1", 1, 1 }, { "127.255.255.254", 1, 1 },
        { "0.0.0.0", 0, 0 }, { "0.0.0.0", 1, 0 }, { "0.1.2.3", 0, 0 },
        { "10.0.0.1", 0, 0 }, { "10.255.255.255", 1, 0 }, { "172.16.0.1", 0, 0 },
        { "172.31.255.255", 0, 0 }, { "192.168.1.1", 0, 0 }, { "169.254.169.254", 0, 0 },
        { "169.254.169.254", 1, 0 }, { "100.64.0.1", 0, 0 }, { "100.127.255.255", 0, 0 },
        { "224.0.0.1", 0, 0 }, { "239.255.255.250", 0, 0 }, { "255.255.255.255", 0, 0 },
        { "240.0.0.1", 0, 0 }, { "192.0.0.8", 0, 0 }, { "192.0.2.1", 0, 0 },
        { "198.51.100.1", 0, 0 }, { "203.0.113.1", 0, 0 }, { "198.19.255.255", 0, 0 },
        { "192.88.99.1", 0, 0 },
        { "2606:4700:4700::1111", 0, 1 }, { "2a00:1450:4001::200e", 0, 1 },
        { "::ffff:8.8.8.8", 0, 1 }, { "64:ff9b::808:808", 0, 1 }, { "2002:808:808::1", 0, 1 },
        { "::1", 0, 0 }, { "::1", 1, 1 }, { "::", 0, 0 }, { "::", 1, 0 },
        { "::ffff:127.0.0.1", 0, 0 }, { "::ffff:127.0.0.1", 1, 1 }, { "::ffff:10.0.0.1", 0, 0 },
        { "::ffff:169.254.169.254", 1, 0 }, { "::ffff:0.0.0.0", 1, 0 },
        { "64:ff9b::a00:1", 0, 0 }, { "64:ff9b::7f00:1", 0, 0 }, { "64:ff9b:1::1", 0, 0 },
        { "2002:a00:1::", 0, 0 }, { "2002:7f00:1::", 0, 0 }, { "::a00:1", 0, 0 },
        { "::8.8.8.8", 0, 0 }, { "fc00::1", 0, 0 }, { "fd00::1", 0, 0 }, { "fe80::1", 0, 0 },
        { "fe80::1", 1, 0 }, { "febf::1", 0, 0 }, { "fec0::1", 0, 0 }, { "ff02::1", 0, 0 },
        { "ff0e::1", 0, 0 }, { "2001::1", 0, 0 }, { "2001:db8::1", 0, 0 }, { "3fff::1", 0, 0 },
        { "100::1", 0, 0 }, { "4000::1", 0, 0 },
    };
    static const struct gh_ssrf_policy none = { 0 };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_addr(&cases[i], &none);
}

static void
test_ssrf_addr_allowlist_and_families(void **state)
{
    static const struct addr_case cases[] = {
        { "10.0.0.5", 0, 1 }, { "::ffff:10.0.0.5", 0, 1 }, { "10.0.0.6", 0, 0 },
        { "fd00::1", 0, 1 }, { "fc00::1", 0, 0 }, { "127.0.0.1", 0, 0 },
    };
    struct gh_ssrf_cidr   allow[2];
    struct gh_ssrf_policy pol = { .allow = allow, .nallow = 2 };
    struct sockaddr_un    un = { .sun_family = AF_UNIX };
    struct gh_err         err = { 0 };

    assert_int_equal(gh_ssrf_cidr_parse("10.0.0.5", &allow[0], &err), 0);
    assert_int_equal(allow[0].prefix, 32);
    assert_int_equal(gh_ssrf_cidr_parse("fd00::/8", &allow[1], &err), 0);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        expect_addr(&cases[i], &pol);
    assert_int_equal(gh_ssrf_addr_allowed((struct sockaddr *)&un, &dev), 0);
    assert_int_equal(gh_ssrf_addr_allowed(NULL, &dev), 0);
}

static void
test_ssrf_cidr_parse(void **state)
{
    static const char *bad[] = {
        "", "garbage", "10.0.0.1/8", "10.0.0.0/33", "10.0.0.0/", "10.0.0.0/-1", "fd00::/129",
        "fd00::1/8", "0177.0.0.1/32", "127.1", "10.0.0.0/8x",
    };
    struct gh_ssrf_cidr c;
    struct gh_err       err = { 0 };

    assert_int_equal(gh_ssrf_cidr_parse("10.0.0.0/8", &c, &err), 0);
    assert_int_equal(c.family, AF_INET);
    assert_int_equal(c.prefix, 8);
    assert_int_equal(gh_ssrf_cidr_parse("::1", &c, &err), 0);
    assert_int_equal(c.family, AF_INET6);
    assert_int_equal(c.prefix, 128);
    assert_int_equal(gh_ssrf_cidr_parse("0.0.0.0/0", &c, &err), 0);
    assert_int_equal(gh_ssrf_cidr_parse("172.16.0.0/12", &c, &err), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct gh_err e = { 0 };

        if (gh_ssrf_cidr_parse(bad[i], &c, &e) != -1)
            fail_msg("cidr %s accepted", bad[i]);
        assert_int_equal(e.code, GH_E_PARAM_INVALID);
    }
}

/* ---- retry schedule ---- */

static void
test_retry_schedule_real_time(void **state)
{
    static const int64_t want[] = {
        0, 5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000,
    };
    const int64_t now = 1716883200000;

    for (int i = 0; i < 8; i++)
        assert_int_equal(gh_webhook_next_attempt_ms(i, now, 1.0), now + want[i]);
    assert_int_equal(gh_webhook_next_attempt_ms(8, now, 1.0), -1);
    assert_int_equal(gh_webhook_next_attempt_ms(1000, now, 1.0), -1);
    assert_int_equal(gh_webhook_next_attempt_ms(-3, now, 1.0), now);
    /* nonsense scales count as real time */
    assert_int_equal(gh_webhook_next_attempt_ms(1, now, 0.0), now + 5000);
    assert_int_equal(gh_webhook_next_attempt_ms(1, now, -2.0), now + 5000);
    assert_int_equal(gh_webhook_next_attempt_ms(1, now, NAN), now + 5000);
    assert_int_equal(gh_webhook_next_attempt_ms(1, now, INFINITY), now + 5000);
}

static void
test_retry_schedule_scaled(void **state)
{
    static const int64_t want[] = { 0, 5, 300, 1800, 7200, 18000, 36000, 36000 };
    const int64_t now = 1000;

    for (int i = 0; i < 8; i++)
        assert_int_equal(gh_webhook_next_attempt_ms(i, now, 0.001), now + want[i]);
    assert_int_equal(gh_webhook_next_attempt_ms(8, now, 0.001), -1);
    assert_int_equal(gh_webhook_next_attempt_ms(1, now, 2.0), now + 10000);
}

static void
test_endpoint_disable_after_five_days(void **state)
{
    const int64_t day = 24LL * 3600 * 1000, now = 1716883200000;

    assert_int_equal(gh_webhook_endpoint_should_disable(0, now, 1.0), 0);
    assert_int_equal(gh_webhook_endpoint_should_disable(-5, now, 1.0), 0);
    assert_int_equal(gh_webhook_endpoint_should_disable(now, now, 1.0), 0);
    assert_int_equal(gh_webhook_endpoint_should_disable(now - 5 * day + 1, now, 1.0), 0);
    assert_int_equal(gh_webhook_endpoint_should_disable(now - 5 * day, now, 1.0), 1);
    assert_int_equal(gh_webhook_endpoint_should_disable(now - 6 * day, now, 1.0), 1);
    /* scaled: 5 days * 0.001 = 432 s */
    assert_int_equal(gh_webhook_endpoint_should_disable(now - 431999, now, 0.001), 0);
    assert_int_equal(gh_webhook_endpoint_should_disable(now - 432000, now, 0.001), 1);
}

#define SSRF_TESTS                                                        \
    cmocka_unit_test(test_ssrf_url_allows_public_targets),                \
        cmocka_unit_test(test_ssrf_url_refuses_private_and_reserved_literals), \
        cmocka_unit_test(test_ssrf_url_refuses_obfuscated_loopback),      \
        cmocka_unit_test(test_ssrf_url_refuses_bad_syntax),               \
        cmocka_unit_test(test_ssrf_url_loopback_and_allowlist_policies),  \
        cmocka_unit_test(test_ssrf_addr_table),                           \
        cmocka_unit_test(test_ssrf_addr_allowlist_and_families),          \
        cmocka_unit_test(test_ssrf_cidr_parse)
#define RETRY_TESTS                                        \
    cmocka_unit_test(test_retry_schedule_real_time),       \
        cmocka_unit_test(test_retry_schedule_scaled),      \
        cmocka_unit_test(test_endpoint_disable_after_five_days)

/* ---- delivery against a real HTTP server thread on 127.0.0.1 ---- */

enum srv_mode { SRV_OK, SRV_REDIRECT, SRV_GONE, SRV_BUSY, SRV_SLOW, SRV_BIG, SRV_ENDLESS };

struct server {
    int           fd;
    int           port;
    enum srv_mode mode;
    pthread_t     thread;
    volatile int  stop; /* written by the test thread, polled by the server */
    pthread_mutex_t mu;
    int           hits;    /* connections accepted */
    char          req[65536]; /* the last request, raw */
    size_t        req_len;
};

static int
wait_readable(struct server *s, int fd, int ms)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };

    for (int waited = 0; waited < ms && !s->stop; waited += 20)
        if (poll(&p, 1, 20) > 0)
            return 1;
    return 0;
}

/* Reads one request: headers, then Content-Length bytes of body. */
static size_t
read_request(struct server *s, int c, char *buf, size_t cap)
{
    size_t      len = 0;
    const char *end = NULL, *cl;
    ssize_t     n;
    uint64_t    want = 0;

    while (len < cap - 1 && wait_readable(s, c, 2000) && (n = recv(c, buf + len, cap - 1 - len,
                                                                  0)) > 0) {
        len += (size_t)n;
        buf[len] = '\0';
        if (end == NULL && (end = strstr(buf, "\r\n\r\n")) != NULL &&
            (cl = strcasestr(buf, "\r\nContent-Length: ")) != NULL && cl < end)
            want = strtoull(cl + 18, NULL, 10);
        if (end != NULL && len >= (size_t)(end + 4 - buf) + want)
            break;
    }
    return len;
}

static void
send_all(int c, const char *p, size_t n)
{
    ssize_t w;

    while (n > 0 && (w = send(c, p, n, MSG_NOSIGNAL)) > 0)
        p += w, n -= (size_t)w;
}

static void
respond(struct server *s, int c)
{
    char   head[512];
    char  *big;
    size_t blen = s->mode == SRV_BIG ? 100 * 1024 : 2 * 1024 * 1024;

    switch (s->mode) {
    case SRV_OK:
        send_all(c, head, (size_t)snprintf(head, sizeof(head), "HTTP/1.1 204 No Content\r\n"
                                                                "Connection: close\r\n\r\n"));
        break;
    case SRV_REDIRECT:
        send_all(c, head, (size_t)snprintf(head, sizeof(head),
                                 "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:%d/other\r\n"
                                 "Content-Length: 0\r\nConnection: close\r\n\r\n", s->port));
        break;
    case SRV_GONE:
    case SRV_BUSY:
        send_all(c, head, (size_t)snprintf(head, sizeof(head),
                                 "HTTP/1.1 %s\r\nRetry-After: 120\r\nContent-Length: 4\r\n"
                                 "Connection: close\r\n\r\nnope",
                                 s->mode == SRV_GONE ? "410 Gone" : "503 Busy"));
        break;
    case SRV_SLOW:
        wait_readable(s, -1, 3000); /* never readable: sleeps until stopped or 3 s */
        break;
    case SRV_BIG:
    case SRV_ENDLESS:
        send_all(c, head, (size_t)snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\n"
                                 "Content-Length: %zu\r\nConnection: close\r\n\r\n", blen));
        big = malloc(blen);
        memset(big, 'x', blen);
        send_all(c, big, blen);
        free(big);
        break;
    }
}

static void *
serve(void *arg)
{
    struct server *s = arg;
    static char    buf[sizeof(s->req)];

    while (!s->stop) {
        int    c;
        size_t n;

        if (!wait_readable(s, s->fd, 100) || (c = accept(s->fd, NULL, NULL)) < 0)
            continue;
        pthread_mutex_lock(&s->mu);
        s->hits++;
        pthread_mutex_unlock(&s->mu);
        n = read_request(s, c, buf, sizeof(buf));
        pthread_mutex_lock(&s->mu);
        memcpy(s->req, buf, n);
        s->req[n] = '\0';
        s->req_len = n;
        pthread_mutex_unlock(&s->mu);
        respond(s, c);
        close(c);
    }
    return NULL;
}

static int
server_start(void **state, enum srv_mode mode)
{
    struct server     *s = calloc(1, sizeof(*s));
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t          alen = sizeof(a);

    if (s == NULL)
        return -1;
    s->mode = mode;
    pthread_mutex_init(&s->mu, NULL);
    if ((s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
        bind(s->fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(s->fd, 16) != 0 ||
        getsockname(s->fd, (struct sockaddr *)&a, &alen) != 0)
        return -1;
    s->port = ntohs(a.sin_port);
    if (pthread_create(&s->thread, NULL, serve, s) != 0)
        return -1;
    *state = s;
    return 0;
}

static int srv_ok(void **st) { return server_start(st, SRV_OK); }
static int srv_redirect(void **st) { return server_start(st, SRV_REDIRECT); }
static int srv_gone(void **st) { return server_start(st, SRV_GONE); }
static int srv_busy(void **st) { return server_start(st, SRV_BUSY); }
static int srv_slow(void **st) { return server_start(st, SRV_SLOW); }
static int srv_big(void **st) { return server_start(st, SRV_BIG); }
static int srv_endless(void **st) { return server_start(st, SRV_ENDLESS); }

static int
server_stop(void **state)
{
    struct server *s = *state;

    s->stop = 1;
    pthread_join(s->thread, NULL);
    close(s->fd);
    pthread_mutex_destroy(&s->mu);
    free(s);
    return 0;
}

static int
server_hits(struct server *s)
{
    int h;

    pthread_mutex_lock(&s->mu);
    h = s->hits;
    pthread_mutex_unlock(&s->mu);
    return h;
}

/* Copies the value of header `name` from the captured request into out. */
static int
req_header(struct server *s, const char *name, char *out, size_t cap)
{
    char        pat[64];
    const char *p, *e;
    int         rc = -1;

    snprintf(pat, sizeof(pat), "\r\n%s: ", name);
    pthread_mutex_lock(&s->mu);
    if ((p = strcasestr(s->req, pat)) != NULL && (e = strstr(p + 2, "\r\n")) != NULL &&
        (size_t)(e - p - strlen(pat)) < cap) {
        memcpy(out, p + strlen(pat), (size_t)(e - p) - strlen(pat));
        out[(e - p) - strlen(pat)] = '\0';
        rc = 0;
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static void
make_req(struct gh_delivery_req *r, struct server *s, char *url, size_t cap,
    const struct gh_ssrf_policy *pol, const char *const *secrets, size_t n)
{
    snprintf(url, cap, "http://127.0.0.1:%d/hooks/clerk", s->port);
    *r = (struct gh_delivery_req){
        .url = url, .msg_id = VEC_ID, .secrets = secrets, .nsecrets = n, .body = VEC_BODY,
        .body_len = strlen(VEC_BODY), .policy = pol, .timeout_ms = 5000,
    };
}

static const char *const only_s1[] = { S1 };

/* One delivery of VEC_BODY signed with S1 to the test server. */
static int
deliver(struct server *s, const struct gh_ssrf_policy *pol, struct gh_delivery_result *res,
    struct gh_err *err)
{
    char                   url[128];
    struct gh_delivery_req r;

    make_req(&r, s, url, sizeof(url), pol, only_s1, 1);
    return gh_webhook_deliver(&r, res, err);
}

static void
test_deliver_200_signed_headers_intact(void **state)
{
    struct server            *s = *state;
    const char               *secrets[] = { S1, S2 };
    char                      url[128], v[512], ts[32], *want = NULL;
    const char               *body;
    struct gh_delivery_req    r;
    struct gh_delivery_result res;
    struct gh_err             err = { 0 };
    uint64_t                  tsv;

    make_req(&r, s, url, sizeof(url), &dev, secrets, 2);
    assert_int_equal(gh_webhook_deliver(&r, &res, &err), 0);
    assert_int_equal(res.success, 1);
    assert_int_equal(res.status, 204);
    assert_int_equal(res.gone, 0);
    assert_int_equal(server_hits(s), 1);
    assert_int_equal(req_header(s, "svix-id", v, sizeof(v)), 0);
    assert_string_equal(v, VEC_ID);
    assert_int_equal(req_header(s, "content-type", v, sizeof(v)), 0);
    assert_string_equal(v, "application/json");
    assert_int_equal(req_header(s, "user-agent", v, sizeof(v)), 0);
    assert_string_equal(v, "Gatehouse-Webhooks/0.1");
    assert_int_equal(req_header(s, "svix-timestamp", ts, sizeof(ts)), 0);
    assert_int_equal(gh_parse_uint(ts, 1, INT64_MAX, &tsv), 0);
    assert_int_equal((int64_t)tsv, res.timestamp);
    assert_true(llabs(res.timestamp - gh_now_ms() / 1000) <= 5);
    /* The body arrives byte for byte, and the signature recomputes over it. */
    body = strstr(s->req, "\r\n\r\n") + 4;
    assert_int_equal(s->req_len - (size_t)(body - s->req), strlen(VEC_BODY));
    assert_memory_equal(body, VEC_BODY, strlen(VEC_BODY));
    assert_int_equal(req_header(s, "svix-signature", v, sizeof(v)), 0);
    assert_int_equal(gh_webhook_sign(secrets, 2, VEC_ID, (int64_t)tsv, body, strlen(VEC_BODY),
                         &want, &err), 0);
    assert_string_equal(v, want);
    assert_non_null(strchr(v, ' ')); /* two signatures: rotation overlap */
    free(want);
}

static void
test_deliver_fixed_timestamp_matches_svix_vector(void **state)
{
    struct server            *s = *state;
    char                      url[128], v[512];
    struct gh_delivery_req    r;
    struct gh_delivery_result res;
    struct gh_err             err = { 0 };

    make_req(&r, s, url, sizeof(url), &dev, only_s1, 1);
    r.timestamp = VEC_TS;
    assert_int_equal(gh_webhook_deliver(&r, &res, &err), 0);
    assert_int_equal(req_header(s, "svix-signature", v, sizeof(v)), 0);
    assert_string_equal(v, VEC_SIG_S1);
    assert_int_equal(req_header(s, "svix-timestamp", v, sizeof(v)), 0);
    assert_string_equal(v, "1716883200");
}

static void
test_deliver_302_is_failure_not_followed(void **state)
{
    struct gh_delivery_result res;
    struct gh_err             err = { 0 };

    assert_int_equal(deliver(*state, &dev, &res, &err), -1);
    assert_int_equal(err.code, GH_E_UNAVAILABLE);
    assert_int_equal(res.status, 302);
    assert_int_equal(res.success, 0);
    assert_int_equal(res.gone, 0);
    assert_non_null(strstr(res.error, "302"));
    usleep(100 * 1000);
    assert_int_equal(server_hits(*state), 1); /* /other was never requested */
}

static void
test_deliver_410_is_gone(void **state)
{
    struct gh_delivery_result res;
    struct gh_err             err = { 0 };

    assert_int_equal(deliver(*state, &dev, &res, &err), -1);
    assert_int_equal(res.status, 410);
    assert_int_equal(res.gone, 1);
    assert_int_equal(res.success, 0);
    assert_int_equal(res.resp_len, 4);
    assert_string_equal(res.resp, "nope");
}

static void
test_deliver_503_reports_retry_after(void **state)
{
    struct gh_delivery_result res;
    struct gh_err             err = { 0 };

    assert_int_equal(deliver(*state, &dev, &res, &err), -1);
    assert_int_equal(res.status, 503);
    assert_int_equal(res.gone, 0);
    assert_int_equal(res.retry_after_s, 120);
}

static void
test_deliver_slow_server_times_out(void **state)
{
    char                      url[128];
    struct gh_delivery_req    r;
    struct gh_delivery_result res;
    struct gh_err             err = { 0 };

    make_req(&r, *state, url, sizeof(url), &dev, only_s1, 1);
    r.timeout_ms = 1000;
    assert_int_equal(gh_webhook_deliver(&r, &res, &err), -1);
    assert_int_equal(res.timed_out, 1);
    assert_int_equal(res.success, 0);
    assert_int_equal(res.status, 0);
    assert_in_range(res.duration_ms, 900, 2500);
    assert_string_not_equal(res.error, "");
}

static void
test_deliver_large_response_is_capped(void **state)
{
    struct gh_delivery_result res;
    struct gh_err             err = { 0 };

    assert_int_equal(deliver(*state, &dev, &res, &err), 0);
    assert_int_equal(res.status, 200);
    assert_int_equal(res.resp_len, GH_WEBHOOK_RESP_CAP);
    assert_int_equal(strlen(res.resp), GH_WEBHOOK_RESP_CAP);
    assert_int_equal(res.resp_total, 100 * 1024);
}

static void
test_deliver_runaway_response_hung_up(void **state)
{
    struct gh_delivery_result res;
    struct gh_err             err = { 0 };

    assert_int_equal(deliver(*state, &dev, &res, &err), 0); /* the 200 counts */
    assert_int_equal(res.resp_len, GH_WEBHOOK_RESP_CAP);
    assert_true(res.resp_total > GH_WEBHOOK_RESP_DRAIN_MAX);
    assert_true(res.resp_total < 2 * 1024 * 1024);
}

static void
test_deliver_loopback_refused_without_connecting(void **state)
{
    struct server            *s = *state;
    const char               *hosts[] = { "127.0.0.1", "localhost", "[::ffff:127.0.0.1]" };
    char                      url[128];
    struct gh_delivery_req    r;
    struct gh_delivery_result res;

    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
        struct gh_err err = { 0 };

        make_req(&r, s, url, sizeof(url), &prod, only_s1, 1);
        snprintf(url, sizeof(url), "http://%s:%d/hooks", hosts[i], s->port);
        assert_int_equal(gh_webhook_deliver(&r, &res, &err), -1);
        assert_int_equal(res.refused, 1);
        assert_int_equal(res.status, 0);
        assert_int_equal(err.code, GH_E_UNAVAILABLE);
    }
    usleep(100 * 1000);
    assert_int_equal(server_hits(s), 0);
    /* same server, loopback allowed: it was reachable all along */
    {
        struct gh_err err = { 0 };

        assert_int_equal(deliver(s, &dev, &res, &err), 0);
        assert_int_equal(server_hits(s), 1);
    }
}

static void
test_deliver_refuses_bad_request_and_schemes(void **state)
{
    struct server            *s = *state;
    char                      url[128];
    struct gh_delivery_req    r;
    struct gh_delivery_result res;
    struct gh_err             err = { 0 };

    make_req(&r, s, url, sizeof(url), &dev, only_s1, 1);
    r.msg_id = "msg_1\r\nX-Evil: 1";
    assert_int_equal(gh_webhook_deliver(&r, &res, &err), -1);
    assert_int_equal(err.code, GH_E_INTERNAL);
    gh_err_clear(&err);
    make_req(&r, s, url, sizeof(url), &dev, only_s1, 1);
    snprintf(url, sizeof(url), "file:///etc/passwd");
    assert_int_equal(gh_webhook_deliver(&r, &res, &err), -1);
    assert_int_equal(res.success, 0);
    assert_int_equal(server_hits(s), 0);
}

#define DELIVER_TEST(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, server_stop)
#define DELIVER_TESTS                                                                 \
    DELIVER_TEST(test_deliver_200_signed_headers_intact, srv_ok),                     \
        DELIVER_TEST(test_deliver_fixed_timestamp_matches_svix_vector, srv_ok),       \
        DELIVER_TEST(test_deliver_302_is_failure_not_followed, srv_redirect),         \
        DELIVER_TEST(test_deliver_410_is_gone, srv_gone),                             \
        DELIVER_TEST(test_deliver_503_reports_retry_after, srv_busy),                 \
        DELIVER_TEST(test_deliver_slow_server_times_out, srv_slow),                   \
        DELIVER_TEST(test_deliver_large_response_is_capped, srv_big),                 \
        DELIVER_TEST(test_deliver_runaway_response_hung_up, srv_endless),             \
        DELIVER_TEST(test_deliver_loopback_refused_without_connecting, srv_ok),       \
        DELIVER_TEST(test_deliver_refuses_bad_request_and_schemes, srv_ok)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_new_is_whsec_32_bytes),
        cmocka_unit_test(test_secret_decode_accepts_svix_secrets),
        cmocka_unit_test(test_secret_decode_refuses_bad_input),
        cmocka_unit_test(test_sign_matches_svix_single_secret),
        cmocka_unit_test(test_sign_two_secrets_space_separated),
        cmocka_unit_test(test_sign_covers_exact_bytes),
        cmocka_unit_test(test_sign_refuses_bad_arguments),
        SSRF_TESTS,
        RETRY_TESTS,
        DELIVER_TESTS,
    };

    return cmocka_run_group_tests(tests, group_setup, NULL);
}
