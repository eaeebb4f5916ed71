/* test_mail.c: the pure parts of outgoing email (src/jobs/mail.h, issue 4):
 * envelope address checks (no CR/LF can reach SMTP), From parsing,
 * quoted-printable and RFC 2047 encoding, the whole RFC 5322 message, the
 * retry schedule, and GATEHOUSE_SMTP_URL parsing (credentials out of the
 * URL, TLS modes). Plus core/mail.c's composition through a capturing hook:
 * a code email holds the code in both parts, in the instance's name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/mail.h"
#include "crypto/crypto.h"
#include "jobs/mail.h"
#include "util/buf.h"
#include "util/conf.h"

static char *
qp(const char *in)
{
    struct gh_buf b;

    gh_buf_init(&b, 1 << 20);
    gh_mail_qp_encode(&b, in);
    assert_false(gh_buf_failed(&b));
    return gh_buf_take(&b);
}

static char *
hdr(const char *in)
{
    struct gh_buf b;

    gh_buf_init(&b, 1 << 20);
    gh_mail_header_encode(&b, in);
    assert_false(gh_buf_failed(&b));
    return gh_buf_take(&b);
}

static void
test_addresses_refuse_header_and_envelope_injection(void **state)
{
    static const char *const bad[] = {
        "victim@x.test\r\nBcc: a@evil.test", "victim@x.test\nRCPT TO:<a@evil.test>",
        "a b@x.test", "<a@x.test>", "a@x.test>", "\"a\"@x.test", "a@b@c.test", "@x.test",
        "a@", "ab", "a,b@x.test", "a;b@x.test", "a@x.test\t", "", NULL,
    };

    (void)state;
    for (size_t i = 0; bad[i] != NULL; i++)
        assert_false(gh_mail_addr_valid(bad[i]));
    assert_false(gh_mail_addr_valid(NULL));
    assert_true(gh_mail_addr_valid("a@b.c"));
    assert_true(gh_mail_addr_valid("first.last+tag@sub.example.test"));
    assert_true(gh_mail_addr_valid("zo\xc3\xab@example.test")); /* UTF-8 is the server's call */
}

static void
test_from_split(void **state)
{
    char addr[321], name[256];

    (void)state;
    assert_int_equal(gh_mail_from_split("Acme <no-reply@acme.test>", addr, sizeof(addr), name,
                         sizeof(name)), 0);
    assert_string_equal(addr, "no-reply@acme.test");
    assert_string_equal(name, "Acme");
    assert_int_equal(gh_mail_from_split("  \"Acme, \\\"Inc\\\"\" <x@y.test> ", addr, sizeof(addr),
                         name, sizeof(name)), 0);
    assert_string_equal(name, "Acme, \"Inc\"");
    assert_int_equal(gh_mail_from_split("x@y.test", addr, sizeof(addr), name, sizeof(name)), 0);
    assert_string_equal(addr, "x@y.test");
    assert_string_equal(name, "");
    assert_int_equal(gh_mail_from_split("<x@y.test>", addr, sizeof(addr), name, sizeof(name)), 0);
    assert_int_equal(gh_mail_from_split("A <x@y.test> junk", addr, sizeof(addr), name,
                         sizeof(name)), -1);
    assert_int_equal(gh_mail_from_split("A <x@y.test", addr, sizeof(addr), name, sizeof(name)),
        -1);
    assert_int_equal(gh_mail_from_split("A\r\nBcc: e@v.test <x@y.test>", addr, sizeof(addr),
                         name, sizeof(name)), -1);
    assert_int_equal(gh_mail_from_split("nobody", addr, sizeof(addr), name, sizeof(name)), -1);
}

static void
test_quoted_printable(void **state)
{
    char  *s, long_line[200];
    size_t col = 0;

    (void)state;
    s = qp("a=b\ncaf\xc3\xa9 \n.dot\nFrom me\r\nend\t");
    assert_string_equal(s, "a=3Db\r\ncaf=C3=A9=20\r\n=2Edot\r\n=46rom me\r\nend=09");
    free(s);
    memset(long_line, 'x', sizeof(long_line) - 1);
    long_line[sizeof(long_line) - 1] = '\0';
    s = qp(long_line);
    for (const char *p = s; *p != '\0'; p++) {
        if (*p == '\r') {
            assert_true(col <= 76);
            assert_true(p[-1] == '='); /* soft breaks only */
            col = 0;
            p++;
            continue;
        }
        col++;
    }
    assert_true(col <= 76);
    free(s);
    /* an encoded triple is never split by a soft break */
    memset(long_line, '=', 100);
    long_line[100] = '\0';
    s = qp(long_line);
    for (char *sv = NULL, *line = strtok_r(s, "\n", &sv); line != NULL;
         line = strtok_r(NULL, "\n", &sv)) {
        size_t n = strlen(line);

        if (n > 0 && line[n - 1] == '\r')
            n--;
        assert_true(n <= 76);
        if (n > 0 && line[n - 1] == '=') /* soft break: what precedes is whole triples */
            n--;
        assert_int_equal(n % 3, 0);
    }
    free(s);
}

static void
test_header_encoding(void **state)
{
    char *s;

    (void)state;
    s = hdr("123456 is your Acme code");
    assert_string_equal(s, "123456 is your Acme code");
    free(s);
    s = hdr("evil\r\nBcc: x@evil.test");
    assert_string_equal(s, "evil  Bcc: x@evil.test"); /* no new header line */
    free(s);
    s = hdr("Caf\xc3\xa9"); /* base64("Café") */
    assert_string_equal(s, "=?UTF-8?B?Q2Fmw6k=?=");
    free(s);
    /* long UTF-8: several words ≤ 75 chars, folded, no split sequence */
    s = hdr("\xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93"
            "\xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93"
            "\xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93\xe2\x9c\x93");
    assert_non_null(strstr(s, "?=\r\n =?UTF-8?B?"));
    for (char *sv = NULL, *w = strtok_r(s, "\r\n ", &sv); w != NULL;
         w = strtok_r(NULL, "\r\n ", &sv)) {
        unsigned char *raw = NULL;
        size_t         n = 0, wl = strlen(w);

        assert_true(wl <= 75);
        assert_int_equal(strncmp(w, "=?UTF-8?B?", 10), 0);
        assert_int_equal(gh_b64_decode(w + 10, wl - 12, &raw, &n), 0);
        assert_int_equal(n % 3, 0); /* whole check marks (3 bytes each) */
        free(raw);
    }
    free(s);
    s = hdr("looks =?like?= a word"); /* plain ASCII, but "=?" would be read as encoding */
    assert_int_equal(strncmp(s, "=?UTF-8?B?", 10), 0);
    free(s);
}

static void
test_message_format(void **state)
{
    struct gh_mail_msg m = {
        .from = "Acme <no-reply@acme.test>", .to = "user@example.test",
        .subject = "123456 is your Acme code", .text = "Your code:\n\n    123456\n",
        .html = "<p>Your code: <b>123456</b></p>", .date_ms = 1714521600000LL, /* 2024-05-01 */
        .message_id = "<mail_1@acme.test>", .boundary = "=_gh_b0undary",
    };
    struct gh_err err = { 0 };
    char         *out = NULL;
    size_t        len = 0;

    (void)state;
    assert_int_equal(gh_mail_msg_format(&m, &out, &len, &err), 0);
    assert_int_equal(len, strlen(out));
    assert_int_equal(strncmp(out, "Date: Wed, 01 May 2024 00:00:00 +0000\r\n", 39), 0);
    assert_non_null(strstr(out, "\r\nFrom: \"Acme\" <no-reply@acme.test>\r\n"));
    assert_non_null(strstr(out, "\r\nTo: <user@example.test>\r\n"));
    assert_non_null(strstr(out, "\r\nSubject: 123456 is your Acme code\r\n"));
    assert_non_null(strstr(out, "\r\nMessage-ID: <mail_1@acme.test>\r\n"));
    assert_non_null(strstr(out, "\r\nMIME-Version: 1.0\r\n"));
    assert_non_null(strstr(out, "Content-Type: multipart/alternative; boundary=\"=_gh_b0undary\""
                                "\r\n\r\n--=_gh_b0undary\r\nContent-Type: text/plain; charset=UTF-8"));
    assert_non_null(strstr(out, "\r\n    123456\r\n"));
    assert_non_null(strstr(out, "--=_gh_b0undary\r\nContent-Type: text/html; charset=UTF-8"));
    assert_non_null(strstr(out, "<b>123456</b>"));
    assert_non_null(strstr(out, "\r\n--=_gh_b0undary--\r\n"));
    for (const char *p = out; *p != '\0'; p++) /* CRLF only; no bare LF or CR */
        if (*p == '\n')
            assert_true(p > out && p[-1] == '\r');
        else if (*p == '\r')
            assert_true(p[1] == '\n');
    free(out);

    m.html = NULL; /* text only */
    assert_int_equal(gh_mail_msg_format(&m, &out, &len, &err), 0);
    assert_non_null(strstr(out, "Content-Type: text/plain; charset=UTF-8\r\n"));
    assert_null(strstr(out, "multipart"));
    free(out);

    m.to = "a@x.test\r\nBcc: b@evil.test";
    assert_int_equal(gh_mail_msg_format(&m, &out, &len, &err), -1);
    assert_int_equal(err.code, GH_E_PARAM_INVALID);
    assert_null(out);
    m.to = "a@x.test";
    m.from = "Acme\r\nBcc: b@evil.test <x@y.test>";
    gh_err_clear(&err);
    assert_int_equal(gh_mail_msg_format(&m, &out, &len, &err), -1);
    m.from = "Caf\xc3\xa9 <x@y.test>";
    assert_int_equal(gh_mail_msg_format(&m, &out, &len, &err), 0);
    assert_non_null(strstr(out, "\r\nFrom: =?UTF-8?B?Q2Fmw6k=?= <x@y.test>\r\n"));
    free(out);
}

static void
test_retry_schedule_is_bounded(void **state)
{
    (void)state;
    assert_int_equal(gh_mailer_next_attempt_ms(0, 1000, 1.0), 1000);
    assert_int_equal(gh_mailer_next_attempt_ms(1, 1000, 1.0), 11000);
    assert_int_equal(gh_mailer_next_attempt_ms(2, 0, 1.0), 30000);
    assert_int_equal(gh_mailer_next_attempt_ms(7, 0, 1.0), 7200000);
    assert_int_equal(gh_mailer_next_attempt_ms(GH_MAILER_MAX_ATTEMPTS, 0, 1.0), -1);
    assert_int_equal(gh_mailer_next_attempt_ms(99, 0, 1.0), -1);
    assert_int_equal(gh_mailer_next_attempt_ms(1, 0, 0.001), 10);
    assert_int_equal(gh_mailer_next_attempt_ms(1, 0, -3), 10000); /* nonsense scale: real time */
    assert_int_equal(gh_mailer_next_attempt_ms(-1, 5, 1.0), 5);
    for (int i = 1; i < GH_MAILER_MAX_ATTEMPTS - 1; i++) /* backoff grows */
        assert_true(gh_mailer_next_attempt_ms(i + 1, 0, 1) > gh_mailer_next_attempt_ms(i, 0, 1));
}

static void
test_smtp_url_parsing(void **state)
{
    struct gh_smtp_conf c;
    struct gh_err       err = { 0 };

    (void)state;
    assert_int_equal(gh_smtp_conf_parse("smtp://127.0.0.1:2525", NULL, NULL, &c, &err), 0);
    assert_null(c.user);
    assert_int_equal(c.tls, 0);
    assert_string_equal(c.where, "127.0.0.1:2525");
    gh_smtp_conf_clear(&c);

    /* credentials leave the URL; %-decoded */
    assert_int_equal(gh_smtp_conf_parse("smtp://me%40x:p%3Ass@mail.example.test:587", NULL, NULL,
                         &c, &err), 0);
    assert_string_equal(c.user, "me@x");
    assert_string_equal(c.password, "p:ss");
    assert_null(strstr(c.url, "p%3Ass"));
    assert_null(strstr(c.url, "me%40x"));
    assert_int_equal(c.tls, 1); /* a password to a remote host: STARTTLS required */
    assert_string_equal(c.where, "mail.example.test:587");
    gh_smtp_conf_clear(&c);

    /* the environment's user/password win */
    assert_int_equal(gh_smtp_conf_parse("smtps://u:p@mail.example.test", "envuser", "envpass",
                         &c, &err), 0);
    assert_string_equal(c.user, "envuser");
    assert_string_equal(c.password, "envpass");
    assert_int_equal(c.tls, 2);
    assert_string_equal(c.where, "mail.example.test:465");
    gh_smtp_conf_clear(&c);

    assert_int_equal(gh_smtp_conf_parse("smtp://mail.example.test", NULL, NULL, &c, &err), 0);
    assert_int_equal(c.tls, 0); /* no credentials: opportunistic STARTTLS */
    assert_string_equal(c.where, "mail.example.test:25");
    gh_smtp_conf_clear(&c);

    assert_int_equal(gh_smtp_conf_parse("http://mail.example.test", NULL, NULL, &c, &err), -1);
    assert_int_equal(err.code, GH_E_PARAM_INVALID);
    gh_smtp_conf_clear(&c);
    gh_err_clear(&err);
    assert_int_equal(gh_smtp_conf_parse("smtp://u:supersecret@", NULL, NULL, &c, &err), -1);
    assert_null(strstr(err.desc, "supersecret"));
    assert_null(strstr(err.long_msg, "supersecret"));
    assert_null(strstr(err.note, "supersecret"));
    gh_smtp_conf_clear(&c);
}

/* ---- core/mail.c composition ---- */

struct capture {
    int            calls;
    struct gh_mail m;
    char           subject[512], text[4096], html[8192];
};

static int
capture_mail(void *arg, const char *instance_id, const struct gh_mail *m, struct gh_err *err)
{
    struct capture *c = arg;

    (void)instance_id;
    (void)err;
    c->calls++;
    c->m = *m;
    snprintf(c->subject, sizeof(c->subject), "%s", m->subject);
    snprintf(c->text, sizeof(c->text), "%s", m->text);
    snprintf(c->html, sizeof(c->html), "%s", m->html != NULL ? m->html : "");
    return 0;
}

static void
test_code_email_composition(void **state)
{
    static struct gh_conf conf = { .frontend_url = "http://127.0.0.1:7900" };
    struct gh_instance    in = { .name = "Acme <Inc>", .publishable_key = "pk_test_x",
           .settings = "{}" };
    struct gh_app         app = { .conf = &conf, .instance = &in };
    struct capture        c = { 0 };
    struct gh_err         err = { 0 };

    (void)state;
    /* no hook, production (pk_live_): refused, 503 */
    in.publishable_key = "pk_live_x";
    assert_int_equal(gh_mail_send_code(&app, "ins_1", "u@example.test", "123456",
                         GH_MAIL_SIGN_IN, &err), -1);
    assert_int_equal(err.code, GH_E_UNAVAILABLE);
    assert_int_equal(gh_err_status(err.code), 503);
    in.publishable_key = "pk_test_x";

    gh_mail_set_sender(&app, capture_mail, &c);
    assert_int_equal(gh_mail_send_code(&app, "ins_1", "u@example.test", "654321",
                         GH_MAIL_SIGN_UP, &err), 0);
    assert_int_equal(c.calls, 1);
    assert_string_equal(c.subject, "654321 is your Acme <Inc> verification code");
    assert_non_null(strstr(c.text, "654321"));
    assert_non_null(strstr(c.html, ">654321<"));
    assert_non_null(strstr(c.html, "Acme &lt;Inc&gt;")); /* escaped in HTML */
    assert_true(c.m.expires_at > 0);
    assert_int_equal(c.m.redact, 0);
    /* +clerk_test in development: no email at all */
    assert_int_equal(gh_mail_send_code(&app, "ins_1", "u+clerk_test@example.test", "424242",
                         GH_MAIL_SIGN_IN, &err), 0);
    assert_int_equal(c.calls, 1);
    /* test_mode off: +clerk_test addresses get real mail */
    in.settings = "{\"test_mode\":false}";
    assert_int_equal(gh_mail_send_code(&app, "ins_1", "u+clerk_test@example.test", "111111",
                         GH_MAIL_SIGN_IN, &err), 0);
    assert_int_equal(c.calls, 2);
    /* the settings' application_name wins over the instance name */
    in.settings = "{\"application_name\":\"Caf\xc3\xa9\"}";
    assert_int_equal(gh_mail_send_invitation(&app, "ins_1", "v@example.test",
                         "http://x.test/sign-up?__clerk_ticket=abc", "Team <A>", 0, &err), 0);
    assert_string_equal(c.subject, "You're invited to join Team <A> on Caf\xc3\xa9");
    assert_non_null(strstr(c.text, "http://x.test/sign-up?__clerk_ticket=abc"));
    assert_non_null(strstr(c.html, "href=\"http://x.test/sign-up?__clerk_ticket=abc\""));
    assert_non_null(strstr(c.html, "Team &lt;A&gt;"));
    assert_int_equal(c.m.redact, 1);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addresses_refuse_header_and_envelope_injection),
        cmocka_unit_test(test_from_split),
        cmocka_unit_test(test_quoted_printable),
        cmocka_unit_test(test_header_encoding),
        cmocka_unit_test(test_message_format),
        cmocka_unit_test(test_retry_schedule_is_bounded),
        cmocka_unit_test(test_smtp_url_parsing),
        cmocka_unit_test(test_code_email_composition),
    };
    struct gh_err err = { 0 };

    if (gh_crypto_init(&err) == -1)
        return 1;
    return cmocka_run_group_tests_name("mail", tests, NULL, NULL);
}
