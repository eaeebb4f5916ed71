/* test_abuse.c (issue 6): the abuse-resistance mechanisms below HTTP.
 * Pure parts: the client address behind trusted proxies (client_ip.c), the
 * common-password list, the rate-limit config syntax, slow-client
 * deadlines on a socket pair. Stored parts, on SQLite and (with
 * GH_TEST_PG_URL) PostgreSQL: the attempt-reservation statements, the
 * lockout rule through verify_password (sequential and a parallel burst
 * that must count exactly the limit), and rate limits in process and
 * shared through the store by two limiters (two "servers"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/app.h"
#include "core/id.h"
#include "core/lockout.h"
#include "core/password_policy.h"
#include "core/ratelimit.h"
#include "core/user.h"
#include "http/client_ip.h"
#include "http/deadline.h"
#include "store/store.h"
#include "util/conf.h"
#include "util/str.h"

/* ---- client address (catalogue BI-12) ---- */

static struct sockaddr_in
v4(const char *ip)
{
    struct sockaddr_in a = {.sin_family = AF_INET};

    assert_int_equal(inet_pton(AF_INET, ip, &a.sin_addr), 1);
    return a;
}

static void
expect_client(const char *peer, const char *xff, const char *want)
{
    struct gh_ssrf_cidr t[2];
    struct gh_err       err = {0};
    struct sockaddr_in  p = v4(peer);
    char                out[GH_HTTP_IP_MAX];

    assert_int_equal(gh_ssrf_cidr_parse("10.0.0.0/8", &t[0], &err), 0);
    assert_int_equal(gh_ssrf_cidr_parse("192.168.1.1", &t[1], &err), 0);
    gh_http_client_ip((struct sockaddr *)&p, xff, t, 2, out, sizeof(out));
    if (strcmp(out, want) != 0)
        fail_msg("peer %s xff \"%s\": got %s, want %s", peer, xff ? xff : "(none)", out, want);
}

static void
test_client_ip_ignores_xff_from_untrusted_peers(void **state)
{
    struct sockaddr_in p = v4("203.0.113.9");
    char               out[GH_HTTP_IP_MAX];

    expect_client("203.0.113.9", "1.2.3.4", "203.0.113.9"); /* a client naming itself */
    expect_client("203.0.113.9", NULL, "203.0.113.9");
    gh_http_client_ip((struct sockaddr *)&p, "1.2.3.4", NULL, 0, out, sizeof(out));
    assert_string_equal(out, "203.0.113.9"); /* no trusted proxies configured */
}

static void
test_client_ip_takes_rightmost_untrusted_hop(void **state)
{
    expect_client("10.0.0.5", "198.51.100.7", "198.51.100.7");
    /* the client's own header comes first; proxies append */
    expect_client("10.0.0.5", "1.2.3.4, 198.51.100.7", "198.51.100.7");
    expect_client("10.0.0.5", "1.2.3.4, 198.51.100.7, 10.1.1.1, 192.168.1.1", "198.51.100.7");
    expect_client("10.0.0.5", "198.51.100.7:4711", "198.51.100.7");
    expect_client("10.0.0.5", "[2001:db8::7]:443", "2001:db8::7");
    expect_client("10.0.0.5", "2001:db8::8", "2001:db8::8");
    expect_client("10.0.0.5", "::ffff:198.51.100.9", "198.51.100.9");
    /* every hop trusted: the left-most */
    expect_client("10.0.0.5", "10.9.9.9, 10.0.0.7", "10.9.9.9");
    /* a malformed hop ends the walk at the last readable one */
    expect_client("10.0.0.5", "1.2.3.4, garbage, 10.0.0.7", "10.0.0.7");
    expect_client("10.0.0.5", "evil", "10.0.0.5");
    expect_client("10.0.0.5", "", "10.0.0.5");
    expect_client("10.0.0.5", ",,,", "10.0.0.5");
}

/* ---- common passwords (catalogue CRED-01, CRED-03) ---- */

static void
test_common_passwords_refused(void **state)
{
    static const char *bad[] = {"password", "12345678", "qwertyuiop", "Password1!",
                                "iloveyou", "PASSWORD", "letmein!!",  "baseball"};
    static const char *good[] = {"correct horse battery staple", "Tr0ub4dor&3-xkcd", "9f8e7d6c5b4a",
                                 "password with spaces and words"};
    struct gh_err      err = {0};
    char               pass[300];

    assert_true(gh_password_common_count() > 3000); /* John's list: 3546 lines, some dup by case */
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (!gh_password_is_common(bad[i], strlen(bad[i])))
            fail_msg("\"%s\" should be common", bad[i]);
        gh_err_clear(&err);
        assert_int_equal(gh_password_policy_check(NULL, bad[i], strlen(bad[i]), &err), -1);
        assert_int_equal(err.code, GH_E_PASSWORD_PWNED);
        assert_string_equal(err.param, "password");
    }
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        if (gh_password_is_common(good[i], strlen(good[i])))
            fail_msg("\"%s\" should not be common", good[i]);
    assert_false(gh_password_is_common("pass\0word", 9)); /* NUL: never a C-string prefix */
    /* long passphrases (256 bytes and more) are fine */
    memset(pass, 'x', sizeof(pass));
    for (size_t i = 0; i < sizeof(pass); i += 7)
        pass[i] = ' ';
    gh_err_clear(&err);
    assert_int_equal(gh_user_check_password(pass, sizeof(pass), 0, &err), 0);
    assert_int_equal(gh_password_policy_check(NULL, pass, sizeof(pass), &err), 0);
    assert_int_equal(gh_user_check_password(pass, GH_PASSWORD_MAX + 1, 0, &err), -1);
    assert_int_equal(err.code, GH_E_PASSWORD_TOO_LONG);
}

/* ---- configuration ---- */

static void
test_rate_config_syntax(void **state)
{
    struct gh_conf c;
    char *ok[] = {"--ratelimit-attempt", "7/60", "--ratelimit-backend=0", "--lockout-attempts",
                  "0"};
    char *bad[] = {"--ratelimit-attempt", "7",   "--ratelimit-sign-in", "0/10",
                   "--ratelimit-sign-up", "5/0", "--lockout-seconds",   "0"};
    FILE *devnull = fopen("/dev/null", "w");

    assert_int_equal(gh_conf_init_defaults(&c), 0);
    assert_int_equal(c.rl_sign_in.n, 5);
    assert_int_equal(c.rl_attempt.n, 3);
    assert_int_equal(c.rl_attempt.window_s, 10);
    assert_int_equal(c.rl_backend.n, 1000);
    assert_int_equal(c.lockout_attempts, 10);
    assert_int_equal(c.lockout_seconds, 3600);
    assert_int_equal(gh_conf_load(&c, 5, ok, devnull), 0);
    assert_int_equal(c.rl_attempt.n, 7);
    assert_int_equal(c.rl_attempt.window_s, 60);
    assert_int_equal(c.rl_backend.n, 0);
    assert_int_equal(c.lockout_attempts, 0);
    gh_conf_free(&c);
    assert_int_equal(gh_conf_init_defaults(&c), 0);
    assert_int_equal(gh_conf_load(&c, 8, bad, devnull), 4); /* every problem reported */
    gh_conf_free(&c);
    fclose(devnull);
}

/* ---- slow clients (catalogue BI-09) ---- */

static int
cut_within(int fd, int ms)
{
    char b;
    int  waited = 0;

    while (waited < ms) {
        ssize_t n = recv(fd, &b, 1, MSG_DONTWAIT);

        if (n == 0)
            return 1; /* the tracked side was shut down: EOF here */
        usleep(50 * 1000);
        waited += 50;
    }
    return 0;
}

static void
test_deadlines_cut_slow_headers_not_busy_requests(void **state)
{
    struct gh_http_deadlines *d = NULL;
    struct gh_err             err = {0};
    int                       slow[2], busy[2];

    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, slow), 0);
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, busy), 0);
    assert_int_equal(gh_http_deadlines_start(1, 1, 1, &d, &err), 0);
    struct gh_http_conn *cs = gh_http_deadline_open(d, slow[0]);
    struct gh_http_conn *cb = gh_http_deadline_open(d, busy[0]);

    gh_http_deadline_phase(cb, GH_HTTP_PHASE_BUSY);
    assert_true(cut_within(slow[1], 2500));
    assert_false(cut_within(busy[1], 300)); /* a running handler has no deadline */
    assert_int_equal(gh_http_deadlines_cut(d), 1);
    gh_http_deadline_close(d, cs);
    gh_http_deadline_close(d, cb);
    gh_http_deadlines_stop(d);
    for (int i = 0; i < 2; i++) {
        close(slow[i]);
        close(busy[i]);
    }
}

/* ---- stored: fixture on SQLite or PostgreSQL ---- */

struct fixture {
    char           dir[64];
    char           url[512];
    struct gh_conf conf;
    struct gh_app  app;
    char           ins[GH_ID_MAX];
};

static int
open_fixture(struct fixture *f)
{
    struct gh_err      err = {0};
    struct gh_instance in = {0};

    f->conf.hash_concurrency = 2;
    f->conf.lockout_attempts = 10;
    f->conf.lockout_seconds = 3600;
    f->conf.frontend_url = "http://127.0.0.1:7900";
    f->app.conf = &f->conf;
    gh_id_new("ins", in.id);
    in.name = "test";
    in.frontend_url = "http://127.0.0.1:7900";
    in.publishable_key = "pk_test_x";
    in.settings = "{}";
    in.created_at = in.updated_at = gh_now_ms();
    if (gh_store_open(f->url, &f->app.store, &err) == -1 ||
        gh_store_migrate(f->app.store, &err) == -1 ||
        gh_store_instance_insert(f->app.store, &in, &err) == -1) {
        fprintf(stderr, "store setup: %s %s %s\n", gh_err_name(err.code), err.desc, err.note);
        return -1;
    }
    memcpy(f->ins, in.id, sizeof(f->ins));
    return 0;
}

static int
setup_sqlite(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    *state = f;
    snprintf(f->dir, sizeof(f->dir), "/tmp/gh_test_abuse_XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->url, sizeof(f->url), "sqlite://%s/gh.db", f->dir);
    return open_fixture(f);
}

static int
setup_pg(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    PGconn         *c;
    PGresult       *r;

    *state = f;
    gh_strlcpy(f->url, getenv("GH_TEST_PG_URL"), sizeof(f->url));
    c = PQconnectdb(f->url);
    r = PQexec(c, "SET client_min_messages = warning;"
                  " DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
    if (PQresultStatus(r) != PGRES_COMMAND_OK)
        fprintf(stderr, "reset schema: %s", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    return open_fixture(f);
}

static int
teardown(void **state)
{
    struct fixture *f = *state;
    char            path[160];

    gh_time_set_offset_ms(0);
    gh_store_close(f->app.store);
    if (f->dir[0] != '\0') {
        for (int k = 0; k < 3; k++) {
            snprintf(path, sizeof(path), "%s/gh.db%s", f->dir,
                     (const char *[]){"", "-wal", "-shm"}[k]);
            unlink(path);
        }
        rmdir(f->dir);
    }
    free(f);
    return 0;
}

static struct gh_user *
mk_user(struct fixture *f, const char *email, const char *pw)
{
    struct gh_user_params p;
    struct gh_user       *u = NULL;
    struct gh_err         err = {0};
    const char           *emails[1] = {email};

    gh_user_params_init(&p);
    p.email_addresses = emails;
    p.n_email_addresses = 1;
    p.password = pw;
    p.password_len = pw != NULL ? strlen(pw) : 0;
    p.password_given = pw != NULL;
    if (gh_user_create(&f->app, f->ins, &p, &u, &err) == -1)
        fail_msg("create: %s %s", err.desc, err.note);
    return u;
}

static struct gh_user *
reload(struct fixture *f, const char *id)
{
    struct gh_user *u = NULL;
    struct gh_err   err = {0};

    assert_int_equal(gh_user_get(&f->app, f->ins, id, &u, &err), 0);
    return u;
}

/* The reservation statement: limit, lock, expiry, refund, admin lock. */
static void
test_attempt_reserve_counts_and_locks(void **state)
{
    struct fixture *f = *state;
    struct gh_user *u = mk_user(f, "r@x.test", NULL), *g;
    struct gh_err   err = {0};
    int             res = 0, n = 0;

    for (int k = 1; k <= 3; k++) {
        assert_int_equal(gh_store_user_attempt_reserve(f->app.store, f->ins, u->id, 3, 1000, 5000,
                                                       &res, &n, &err),
                         0);
        assert_int_equal(res, 1);
        assert_int_equal(n, k);
    }
    g = reload(f, u->id);
    assert_true(g->lockout_until == 5000); /* the third reached the limit */
    gh_user_free(g);
    assert_int_equal(
        gh_store_user_attempt_reserve(f->app.store, f->ins, u->id, 3, 4999, 9000, &res, &n, &err),
        0);
    assert_int_equal(res, 0); /* locked: not counted */
    g = reload(f, u->id);
    assert_int_equal(g->failed_attempts, 3);
    gh_user_free(g);
    /* after the lockout ran out the count starts over */
    assert_int_equal(
        gh_store_user_attempt_reserve(f->app.store, f->ins, u->id, 3, 5000, 9000, &res, &n, &err),
        0);
    assert_int_equal(res, 1);
    assert_int_equal(n, 1);
    assert_int_equal(gh_store_user_attempt_refund(f->app.store, f->ins, u->id, 3, &err), 0);
    g = reload(f, u->id);
    assert_int_equal(g->failed_attempts, 0);
    assert_true(g->lockout_until == GH_TIME_NULL);
    gh_user_free(g);
    /* an admin lock refuses regardless of counts */
    g = reload(f, u->id);
    g->locked = 1;
    assert_int_equal(gh_store_user_update(f->app.store, f->ins, g, &err), 0);
    gh_user_free(g);
    assert_int_equal(
        gh_store_user_attempt_reserve(f->app.store, f->ins, u->id, 3, 1, 2, &res, &n, &err), 0);
    assert_int_equal(res, 0);
    assert_int_equal(
        gh_store_user_attempt_reserve(f->app.store, f->ins, "user_none", 3, 1, 2, &res, &n, &err),
        -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    gh_user_free(u);
}

static void
verify(struct fixture *f, const char *id, const char *pw, enum gh_err_code want)
{
    struct gh_err err = {0};
    int           rc = gh_user_verify_password(&f->app, f->ins, id, pw, strlen(pw), &err);

    if (want == GH_E_OK && rc != 0)
        fail_msg("verify \"%s\": %s (%s)", pw, gh_err_name(err.code), err.note);
    if (want != GH_E_OK && (rc != -1 || err.code != want))
        fail_msg("verify \"%s\": got %s, want %s", pw, gh_err_name(err.code), gh_err_name(want));
}

/* Catalogue CRED-06: N wrong → locked; right password refused while locked;
 * failures during the lock do not count; expiry and unlock start over. */
static void
test_lockout_through_verify_password(void **state)
{
    struct fixture        *f = *state;
    struct gh_user        *u = mk_user(f, "l@x.test", "right horse battery"), *g;
    struct gh_lockout_view v;
    struct gh_err          err = {0};

    verify(f, u->id, "wrong guess 0", GH_E_PASSWORD_INCORRECT);
    verify(f, u->id, "right horse battery", GH_E_OK); /* a success resets */
    g = reload(f, u->id);
    assert_int_equal(g->failed_attempts, 0);
    gh_user_free(g);
    for (int k = 1; k <= 10; k++)
        verify(f, u->id, "wrong guess", GH_E_PASSWORD_INCORRECT);
    verify(f, u->id, "right horse battery", GH_E_USER_LOCKED);
    verify(f, u->id, "wrong guess", GH_E_USER_LOCKED);
    g = reload(f, u->id);
    assert_int_equal(g->failed_attempts, 10);
    gh_user_lockout_view(&f->app, g, gh_now_ms(), &v);
    assert_true(v.locked);
    assert_true(v.expires_in_s > 3590 && v.expires_in_s <= 3600);
    assert_int_equal(v.attempts_remaining, 0);
    gh_user_free(g);
    /* the refusal carries the time left for clerk-js */
    assert_int_equal(gh_user_verify_password(&f->app, f->ins, u->id, "x", 1, &err), -1);
    assert_int_equal(err.code, GH_E_USER_LOCKED);
    assert_true(err.lockout_s > 3590 && err.lockout_s <= 3600);
    /* an hour later the user may try again, with a fresh count */
    gh_time_set_offset_ms(3600 * 1000 + 1000);
    g = reload(f, u->id);
    gh_user_lockout_view(&f->app, g, gh_now_ms(), &v);
    assert_false(v.locked);
    assert_int_equal(v.attempts_remaining, 10);
    gh_user_free(g);
    verify(f, u->id, "wrong again", GH_E_PASSWORD_INCORRECT);
    g = reload(f, u->id);
    assert_int_equal(g->failed_attempts, 1);
    gh_user_free(g);
    gh_time_set_offset_ms(0);
    /* unlock works at once */
    for (int k = 0; k < 12; k++)
        gh_user_verify_password(&f->app, f->ins, u->id, "nope", 4, &(struct gh_err){0});
    gh_err_clear(&err);
    assert_int_equal(gh_user_set_state(&f->app, f->ins, u->id, GH_USER_UNLOCK, &g, &err), 0);
    assert_int_equal(g->failed_attempts, 0);
    gh_user_free(g);
    verify(f, u->id, "right horse battery", GH_E_OK);
    gh_user_free(u);
}

struct burst {
    struct fixture *f;
    const char     *id;
    _Atomic int     incorrect, locked, other;
};

static void *
burst_thread(void *p)
{
    struct burst *b = p;

    for (int k = 0; k < 8; k++) {
        struct gh_err err = {0};

        gh_user_verify_password(&b->f->app, b->f->ins, b->id, "bad guess", 9, &err);
        if (err.code == GH_E_PASSWORD_INCORRECT)
            atomic_fetch_add(&b->incorrect, 1);
        else if (err.code == GH_E_USER_LOCKED)
            atomic_fetch_add(&b->locked, 1);
        else
            atomic_fetch_add(&b->other, 1);
    }
    gh_store_thread_done(b->f->app.store);
    return NULL;
}

/* Catalogue CRED-07: a parallel burst of wrong passwords gets exactly the
 * limit of checks; the rest are refused as locked without counting. */
static void
test_lockout_parallel_burst_counts_exactly(void **state)
{
    struct fixture *f = *state;
    struct gh_user *u = mk_user(f, "burst@x.test", "right horse battery"), *g;
    struct burst    b = {.f = f, .id = u->id};
    pthread_t       t[8];

    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&t[i], NULL, burst_thread, &b), 0);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(b.other, 0);
    assert_int_equal(b.incorrect, 10);
    assert_int_equal(b.locked, 64 - 10);
    g = reload(f, u->id);
    assert_int_equal(g->failed_attempts, 10);
    gh_user_free(g);
    verify(f, u->id, "right horse battery", GH_E_USER_LOCKED);
    gh_user_free(u);
}

/* Local windows: n allowed, then refused with the time left; keys apart;
 * an IPv6 /64 is one key; the window reopens. */
static void
test_ratelimit_local_window(void **state)
{
    struct gh_conf       c = {.rl_attempt = {3, 1}, .rl_sign_in = {0, 1}};
    struct gh_ratelimit *rl = NULL;
    struct gh_err        err = {0};
    unsigned             ra = 0;

    assert_int_equal(gh_ratelimit_new(&c, NULL, &rl, &err), 0);
    for (int k = 0; k < 3; k++)
        assert_int_equal(gh_ratelimit_hit_rl(rl, "ins_a", GH_RL_ATTEMPT, "1.2.3.4", &ra, &err), 0);
    assert_int_equal(gh_ratelimit_hit_rl(rl, "ins_a", GH_RL_ATTEMPT, "1.2.3.4", &ra, &err), -1);
    assert_int_equal(err.code, GH_E_TOO_MANY_REQUESTS);
    assert_int_equal(ra, 1);
    assert_int_equal(err.retry_after_s, 1);
    gh_err_clear(&err);
    assert_int_equal(gh_ratelimit_hit_rl(rl, "ins_a", GH_RL_ATTEMPT, "1.2.3.5", &ra, &err), 0);
    assert_int_equal(gh_ratelimit_hit_rl(rl, "ins_b", GH_RL_ATTEMPT, "1.2.3.4", &ra, &err), 0);
    for (int k = 0; k < 20; k++) /* limit 0: off */
        assert_int_equal(gh_ratelimit_hit_rl(rl, "ins_a", GH_RL_SIGN_IN, "1.2.3.4", &ra, &err), 0);
    for (int k = 0; k < 3; k++) {
        char ip[64];

        snprintf(ip, sizeof(ip), "2001:db8:1:2::%x", k + 1); /* one /64 */
        assert_int_equal(gh_ratelimit_hit_rl(rl, "ins_a", GH_RL_ATTEMPT, ip, &ra, &err), 0);
    }
    assert_int_equal(
        gh_ratelimit_hit_rl(rl, "ins_a", GH_RL_ATTEMPT, "2001:db8:1:2:ffff::1", &ra, &err), -1);
    gh_err_clear(&err);
    usleep(1100 * 1000);
    assert_int_equal(gh_ratelimit_hit_rl(rl, "ins_a", GH_RL_ATTEMPT, "1.2.3.4", &ra, &err), 0);
    gh_ratelimit_free(rl);
}

struct rl_arg {
    struct gh_ratelimit *rl;
    struct gh_store     *st;
    enum gh_rl_class     cls;
    _Atomic int         *allowed;
    _Atomic int         *errors;
};

static void *
rl_thread(void *p)
{
    struct rl_arg *a = p;

    for (int k = 0; k < 60; k++) {
        struct gh_err err = {0};

        if (gh_ratelimit_hit_rl(a->rl, "ins_shared", a->cls, "198.51.100.1", NULL, &err) == 0)
            atomic_fetch_add(a->allowed, 1);
        else if (err.code != GH_E_TOO_MANY_REQUESTS)
            atomic_fetch_add(a->errors, 1);
    }
    gh_store_thread_done(a->st);
    return NULL;
}

/* Two limiters on one store stand for two servers on one database: the
 * per-IP class (taken one hit at a time) allows exactly n in total; the
 * Backend API class (taken in chunks) never more than n and loses at most
 * one chunk per server. The window then reopens (unix time, shifted). */
static void
test_ratelimit_shared_between_servers(void **state)
{
    struct fixture      *f = *state;
    struct gh_conf       c = {.rl_attempt = {25, 60}, .rl_backend = {200, 60}};
    struct gh_ratelimit *rl[2] = {NULL, NULL};
    struct gh_err        err = {0};
    _Atomic int          allowed = 0, errors = 0;
    struct rl_arg        a[6];
    pthread_t            t[6];

    for (int i = 0; i < 2; i++)
        assert_int_equal(gh_ratelimit_new(&c, f->app.store, &rl[i], &err), 0);
    for (int cls = 0; cls < 2; cls++) {
        atomic_store(&allowed, 0);
        for (int i = 0; i < 6; i++) {
            a[i] = (struct rl_arg){rl[i % 2], f->app.store,
                                   cls == 0 ? GH_RL_ATTEMPT : GH_RL_BACKEND, &allowed, &errors};
            assert_int_equal(pthread_create(&t[i], NULL, rl_thread, &a[i]), 0);
        }
        for (int i = 0; i < 6; i++)
            pthread_join(t[i], NULL);
        assert_int_equal(errors, 0);
        if (cls == 0)
            assert_int_equal(allowed, 25);
        else
            assert_true(allowed <= 200 && allowed >= 200 - 2 * (200 / 50));
    }
    gh_time_set_offset_ms(61 * 1000);
    assert_int_equal(
        gh_ratelimit_hit_rl(rl[1], "ins_shared", GH_RL_ATTEMPT, "198.51.100.1", NULL, &err), 0);
    gh_time_set_offset_ms(0);
    gh_ratelimit_free(rl[0]);
    gh_ratelimit_free(rl[1]);
}

int
main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_client_ip_ignores_xff_from_untrusted_peers),
        cmocka_unit_test(test_client_ip_takes_rightmost_untrusted_hop),
        cmocka_unit_test(test_common_passwords_refused),
        cmocka_unit_test(test_rate_config_syntax),
        cmocka_unit_test(test_deadlines_cut_slow_headers_not_busy_requests),
        cmocka_unit_test(test_ratelimit_local_window),
    };
    const struct CMUnitTest stored[] = {
        cmocka_unit_test(test_attempt_reserve_counts_and_locks),
        cmocka_unit_test(test_lockout_through_verify_password),
        cmocka_unit_test(test_lockout_parallel_burst_counts_exactly),
        cmocka_unit_test(test_ratelimit_shared_between_servers),
    };
    int failed = cmocka_run_group_tests_name("abuse_pure", pure, NULL, NULL);

    failed += cmocka_run_group_tests_name("abuse_sqlite", stored, setup_sqlite, teardown);
    if (getenv("GH_TEST_PG_URL") != NULL && *getenv("GH_TEST_PG_URL") != '\0')
        failed += cmocka_run_group_tests_name("abuse_postgres", stored, setup_pg, teardown);
    return failed != 0;
}
