/* test_fapi_code.c: the Frontend API's emailed codes (core/code.c), the
 * sign-up field rules (gh_sign_up_fields, gh_sign_up_status), and, against a
 * real SQLite store in a temporary directory, the sign-up state machine
 * (core/sign_up.c: create → prepare → attempts → completion), redeeming a
 * ticket by digest inside a transaction (core/ticket.c), the restriction
 * check with the instance switches (core/allowlist.c) and operator settings
 * edits (core/settings.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/allowlist.h"
#include "core/app.h"
#include "core/client.h"
#include "core/code.h"
#include "core/id.h"
#include "core/invitation.h"
#include "core/settings.h"
#include "core/sign_up.h"
#include "core/ticket.h"
#include "core/user.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/conf.h"
#include "util/str.h"

static struct gh_conf     test_conf = { .frontend_url = "http://fapi.test/", .hash_concurrency = 1 };
static struct gh_instance test_instance = { .id = "ins_test", .publishable_key = "pk_test_x",
    .name = "Test" };
static struct gh_app      test_app = { .conf = &test_conf, .instance = &test_instance };

/* ---- codes ---- */

static void
test_code_prepare_fills_a_fresh_unverified_code(void **state)
{
    struct gh_verif v;
    struct gh_err   err = { 0 };
    char            code[GH_CODE_LEN + 1];
    int64_t         before = gh_now_ms();

    (void)state;
    gh_verif_reset(&v);
    v.attempts = 3;
    assert_int_equal(gh_code_prepare(&test_app, "sua_1", "email_code", "idn_1", "a@example.com",
                         &v, code, &err), 0);
    assert_int_equal(strlen(code), GH_CODE_LEN);
    assert_int_equal(strspn(code, "0123456789"), GH_CODE_LEN);
    assert_string_equal(v.strategy, "email_code");
    assert_string_equal(v.status, "unverified");
    assert_string_equal(v.target_id, "idn_1");
    assert_int_equal(v.attempts, 0);
    assert_true(v.expire_at >= before + GH_CODE_TTL_MS && v.expire_at <= gh_now_ms() + GH_CODE_TTL_MS);
    assert_int_equal(strlen(v.code_hash), 64);
    assert_null(strstr(v.code_hash, code)); /* a hash, not the code */
    assert_true(gh_code_matches(&v, "sua_1", code));
}

static void
test_code_is_bound_to_its_owner(void **state)
{
    struct gh_verif v;
    struct gh_err   err = { 0 };
    char            code[GH_CODE_LEN + 1];

    (void)state;
    gh_verif_reset(&v);
    assert_int_equal(gh_code_prepare(&test_app, "sua_1", "email_code", NULL, "a@example.com", &v,
                         code, &err), 0);
    assert_false(gh_code_matches(&v, "sua_2", code));
    assert_int_equal(gh_code_check(&v, "sua_2", "email_code", code, gh_now_ms(), &err), -1);
    assert_int_equal(err.code, GH_E_CODE_INCORRECT);
    assert_string_equal(err.param, "code");
    assert_string_equal(v.status, "unverified");
}

static void
test_code_test_address_gets_424242_in_development_only(void **state)
{
    struct gh_instance live = test_instance;
    struct gh_app      prod = test_app;
    struct gh_verif    v;
    struct gh_err      err = { 0 };
    char               code[GH_CODE_LEN + 1];

    (void)state;
    assert_true(gh_code_is_test_address(&test_app, "zoe+clerk_test@example.com"));
    assert_true(gh_code_is_test_address(&test_app, "Zoe+Clerk_Test+x@example.com"));
    assert_false(gh_code_is_test_address(&test_app, "zoe@example.com"));
    assert_false(gh_code_is_test_address(&test_app, "zoe@clerk_test.example.com"));
    assert_false(gh_code_is_test_address(&test_app, NULL));
    gh_verif_reset(&v);
    assert_int_equal(gh_code_prepare(&test_app, "sua_1", "email_code", NULL,
                         "zoe+clerk_test@example.com", &v, code, &err), 0);
    assert_string_equal(code, GH_CODE_TEST);
    live.publishable_key = "pk_live_x";
    prod.instance = &live;
    assert_false(gh_code_is_test_address(&prod, "zoe+clerk_test@example.com"));
}

static void
test_code_resend_within_cooldown_is_refused(void **state)
{
    struct gh_verif v;
    struct gh_err   err = { 0 };
    char            code[GH_CODE_LEN + 1];

    (void)state;
    gh_verif_reset(&v);
    assert_int_equal(gh_code_prepare(&test_app, "sua_1", "email_code", NULL, "a@example.com", &v,
                         code, &err), 0);
    assert_int_equal(gh_code_prepare(&test_app, "sua_1", "email_code", NULL, "a@example.com", &v,
                         code, &err), -1);
    assert_int_equal(err.code, GH_E_RESEND_TOO_SOON);
    assert_true(err.retry_after_s >= 29 && err.retry_after_s <= 30);
    gh_err_clear(&err);
    /* another strategy is not a resend */
    assert_int_equal(gh_code_prepare(&test_app, "sua_1", "reset_password_email_code", NULL,
                         "a@example.com", &v, code, &err), 0);
    gh_err_clear(&err);
    gh_time_set_offset_ms(GH_CODE_RESEND_MS);
    assert_int_equal(gh_code_prepare(&test_app, "sua_1", "reset_password_email_code", NULL,
                         "a@example.com", &v, code, &err), 0);
    gh_time_set_offset_ms(0);
}

static void
test_code_ttl_follows_the_configuration(void **state)
{
    struct gh_conf  c = test_conf;
    struct gh_app   a = test_app;
    struct gh_verif v;
    struct gh_err   err = { 0 };
    char            code[GH_CODE_LEN + 1];

    (void)state;
    assert_int_equal(gh_code_ttl_ms(NULL), GH_CODE_TTL_MS);
    assert_int_equal(gh_code_ttl_ms(&test_app), GH_CODE_TTL_MS); /* 0 = the default */
    c.code_ttl_s = 2;
    a.conf = &c;
    assert_int_equal(gh_code_ttl_ms(&a), 2000);
    gh_verif_reset(&v);
    assert_int_equal(gh_code_prepare(&a, "sua_1", "email_code", NULL, "a@example.com", &v, code,
                         &err), 0);
    assert_true(v.expire_at - gh_now_ms() <= 2000);
    assert_int_equal(gh_code_check(&v, "sua_1", "email_code", code, v.expire_at, &err), -1);
    assert_int_equal(err.code, GH_E_VERIFICATION_EXPIRED);
    assert_string_equal(v.status, "expired");
    /* once expired, even the right code before the deadline stays refused */
    gh_err_clear(&err);
    assert_int_equal(gh_code_check(&v, "sua_1", "email_code", code, v.expire_at - 1000, &err), -1);
    assert_int_equal(err.code, GH_E_VERIFICATION_EXPIRED);
}

static void
test_code_check_states(void **state)
{
    struct gh_verif v;
    struct gh_err   err = { 0 };
    char            code[GH_CODE_LEN + 1];
    int64_t         now = gh_now_ms();

    (void)state;
    gh_verif_reset(&v);
    assert_int_equal(gh_code_check(&v, "sua_1", "email_code", "123456", now, &err), -1);
    assert_int_equal(err.code, GH_E_VERIFICATION_MISSING);
    gh_err_clear(&err);
    assert_int_equal(gh_code_prepare(&test_app, "sua_1", "email_code", NULL, "a@example.com", &v,
                         code, &err), 0);
    assert_int_equal(gh_code_check(&v, "sua_1", "phone_code", code, now, &err), -1);
    assert_int_equal(err.code, GH_E_VERIFICATION_MISSING);
    gh_err_clear(&err);
    assert_int_equal(gh_code_check(&v, "sua_1", "email_code", "12345", now, &err), -1);
    assert_int_equal(err.code, GH_E_CODE_INCORRECT);
    assert_string_equal(gh_err_long_message(&err), "Incorrect code");
    gh_err_clear(&err);
    assert_false(gh_code_matches(&v, "sua_1", NULL));
    assert_false(gh_code_matches(&v, "sua_1", "1234567"));
    assert_int_equal(gh_code_usable(&v, "email_code", now, &err), 0);
    v.attempts = GH_CODE_MAX_ATTEMPTS;
    assert_int_equal(gh_code_check(&v, "sua_1", "email_code", code, now, &err), -1);
    assert_int_equal(err.code, GH_E_VERIFICATION_FAILED);
    assert_string_equal(v.status, "failed");
    gh_err_clear(&err);
    v.attempts = 0; /* failed stays failed until a new code is prepared */
    assert_int_equal(gh_code_usable(&v, "email_code", now, &err), -1);
    assert_int_equal(err.code, GH_E_VERIFICATION_FAILED);
    gh_err_clear(&err);
    gh_time_set_offset_ms(GH_CODE_RESEND_MS);
    assert_int_equal(gh_code_prepare(&test_app, "sua_1", "email_code", NULL, "a@example.com", &v,
                         code, &err), 0);
    gh_time_set_offset_ms(0);
    assert_int_equal(gh_code_check(&v, "sua_1", "email_code", code, now, &err), 0);
    assert_string_equal(v.status, "verified");
    /* verified is sticky: a later check passes without a code */
    assert_int_equal(gh_code_check(&v, "sua_1", "email_code", NULL, now, &err), 0);
}

/* ---- sign-up fields ---- */

static void
test_sign_up_fields_follow_settings_and_input(void **state)
{
    struct gh_settings  st;
    struct gh_sign_up  *su = gh_sign_up_new();
    struct gh_su_fields fl;

    (void)state;
    assert_non_null(su);
    gh_settings_defaults(&st);
    gh_sign_up_fields(&st, su, &fl);
    assert_int_equal(fl.required, GH_SU_EMAIL | GH_SU_PASSWORD);
    assert_int_equal(fl.optional, GH_SU_FIRST_NAME | GH_SU_LAST_NAME);
    assert_int_equal(fl.missing, GH_SU_EMAIL | GH_SU_PASSWORD);
    assert_int_equal(fl.unverified, 0); /* nothing to verify yet */
    su->email_address = strdup("a@example.com");
    gh_sign_up_fields(&st, su, &fl);
    assert_int_equal(fl.missing, GH_SU_PASSWORD);
    assert_int_equal(fl.unverified, GH_SU_EMAIL);
    su->password_hash = strdup("$argon2id$x");
    snprintf(su->ev.status, sizeof(su->ev.status), "unverified");
    gh_sign_up_fields(&st, su, &fl);
    assert_int_equal(fl.missing, 0);
    assert_int_equal(fl.unverified, GH_SU_EMAIL);
    snprintf(su->ev.status, sizeof(su->ev.status), "verified");
    gh_sign_up_fields(&st, su, &fl);
    assert_int_equal(fl.missing | fl.unverified, 0);
    /* no passwords, usernames on, names off */
    st.password_enabled = 0;
    st.username_enabled = 1;
    st.names_enabled = 0;
    free(su->password_hash);
    su->password_hash = NULL;
    gh_sign_up_fields(&st, su, &fl);
    assert_int_equal(fl.required, GH_SU_EMAIL);
    assert_int_equal(fl.optional, GH_SU_USERNAME);
    assert_int_equal(fl.missing, 0);
    gh_sign_up_free(su);
}

static void
test_sign_up_status_reads_abandoned_after_abandon_at(void **state)
{
    struct gh_sign_up *su = gh_sign_up_new();

    (void)state;
    snprintf(su->status, sizeof(su->status), "missing_requirements");
    assert_string_equal(gh_sign_up_status(su, 1000), "missing_requirements"); /* no abandon_at */
    su->abandon_at = 5000;
    assert_string_equal(gh_sign_up_status(su, 4999), "missing_requirements");
    assert_string_equal(gh_sign_up_status(su, 5000), "abandoned");
    snprintf(su->status, sizeof(su->status), "complete");
    assert_string_equal(gh_sign_up_status(su, 9000), "complete");
    gh_sign_up_free(su);
}

/* ---- against a store ---- */

struct fixture {
    char             dir[64];
    char             url[128];
    struct gh_store *st;
};

static int
teardown_store(void **state)
{
    struct fixture *f = *state;
    const char     *files[] = { "gh.db", "gh.db-wal", "gh.db-shm" };
    char            path[160];

    if (f == NULL)
        return 0;
    gh_store_close(f->st);
    test_app.store = NULL;
    free(test_instance.settings);
    test_instance.settings = NULL;
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s/%s", f->dir, files[i]);
        unlink(path);
    }
    rmdir(f->dir);
    free(f);
    *state = NULL;
    return 0;
}

static int
setup_store(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct gh_err   err = { 0 };

    *state = f;
    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/gh_test_su_XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->url, sizeof(f->url), "sqlite://%s/gh.db", f->dir);
    test_instance.settings = strdup("{}"); /* gh_settings_set replaces it */
    test_instance.frontend_url = "http://127.0.0.1:7900";
    test_instance.created_at = test_instance.updated_at = gh_now_ms();
    if (gh_store_open(f->url, &f->st, &err) == -1 || gh_store_migrate(f->st, &err) == -1 ||
        gh_store_instance_insert(f->st, &test_instance, &err) == -1) {
        fprintf(stderr, "store setup: %s %s %s\n", gh_err_name(err.code), err.desc, err.note);
        return -1;
    }
    test_app.store = f->st;
    return 0;
}

static struct gh_client *
new_client(void)
{
    struct gh_client *c = NULL;
    struct gh_err     err = { 0 };
    char             *tok = NULL;

    if (gh_client_create(&test_app, test_instance.id, &c, &tok, &err) == -1)
        fail_msg("client: %s %s", gh_err_name(err.code), err.note);
    gh_secret_free(tok);
    return c;
}

static struct gh_sign_up *
must_create(struct gh_client *c, const char *email, const char *password)
{
    struct gh_sign_up_params p;
    struct gh_sign_up       *su = NULL;
    struct gh_err            err = { 0 };

    gh_sign_up_params_init(&p);
    p.email_address = email;
    p.password = password;
    p.password_len = password != NULL ? strlen(password) : 0;
    if (gh_sign_up_create(&test_app, test_instance.id, c, &p, &su, &err) == -1)
        fail_msg("create: %s %s %s", gh_err_name(err.code), err.desc, err.note);
    return su;
}

static void
test_sign_up_attempts_are_limited_and_completion_makes_user_and_session(void **state)
{
    struct gh_client  *c = new_client();
    struct gh_sign_up *su = must_create(c, "Limit+clerk_test@Example.com", "correct horse 9"), *r;
    struct gh_err      err = { 0 };
    struct gh_user    *u = NULL;
    int                signed_in = 0;

    (void)state;
    assert_string_equal(su->email_address, "limit+clerk_test@example.com");
    assert_string_equal(c->sign_up_id, su->id);
    assert_int_equal(gh_sign_up_attempt(&test_app, test_instance.id, c, su->id, "email_code",
                         "424242", &r, &err), -1);
    assert_int_equal(err.code, GH_E_VERIFICATION_MISSING);
    gh_err_clear(&err);
    assert_int_equal(gh_sign_up_prepare(&test_app, test_instance.id, c, su->id, "email_code", &r,
                         &err), 0);
    assert_string_equal(r->ev.status, "unverified");
    gh_sign_up_free(r);
    for (int i = 0; i < GH_CODE_MAX_ATTEMPTS; i++) {
        assert_int_equal(gh_sign_up_attempt(&test_app, test_instance.id, c, su->id, "email_code",
                             "000000", &r, &err), -1);
        assert_int_equal(err.code, GH_E_CODE_INCORRECT);
        gh_err_clear(&err);
    }
    assert_int_equal(gh_sign_up_attempt(&test_app, test_instance.id, c, su->id, "email_code",
                         "424242", &r, &err), -1);
    assert_int_equal(err.code, GH_E_VERIFICATION_FAILED);
    gh_err_clear(&err);
    assert_int_equal(gh_sign_up_get(&test_app, test_instance.id, c, su->id, &r, &err), 0);
    assert_string_equal(r->ev.status, "failed");
    assert_int_equal(r->ev.attempts, GH_CODE_MAX_ATTEMPTS);
    gh_sign_up_free(r);
    /* a new code after the cooldown, then the right one completes */
    gh_time_set_offset_ms(GH_CODE_RESEND_MS);
    assert_int_equal(gh_sign_up_prepare(&test_app, test_instance.id, c, su->id, "email_code", &r,
                         &err), 0);
    assert_int_equal(r->ev.attempts, 0);
    gh_sign_up_free(r);
    assert_int_equal(gh_sign_up_attempt(&test_app, test_instance.id, c, su->id, "email_code",
                         "424242", &r, &err), 0);
    gh_time_set_offset_ms(0);
    assert_string_equal(r->status, "complete");
    assert_string_equal(c->last_active_session_id, r->created_session_id);
    assert_int_equal(gh_store_user_get(test_app.store, test_instance.id, r->created_user_id, &u,
                         &err), 0);
    assert_int_equal(u->nidents, 1);
    assert_int_equal(u->idents[0].verified, 1);
    assert_string_equal(u->idents[0].strategy, "email_code");
    assert_non_null(u->password_hash);
    assert_int_equal(gh_sign_up_client_signed_in(&test_app, test_instance.id, c, &signed_in, &err), 0);
    assert_true(signed_in);
    /* single-session: no second sign-up on this client */
    {
        struct gh_sign_up_params p;
        struct gh_sign_up       *x = NULL;

        gh_sign_up_params_init(&p);
        assert_int_equal(gh_sign_up_create(&test_app, test_instance.id, c, &p, &x, &err), -1);
        assert_int_equal(err.code, GH_E_SESSION_EXISTS);
        assert_null(x);
    }
    gh_user_free(u);
    gh_sign_up_free(r);
    gh_sign_up_free(su);
    free(c);
}

static void
test_sign_up_taken_and_other_clients(void **state)
{
    struct gh_client        *c = new_client(), *other = new_client();
    struct gh_sign_up       *su = must_create(c, "dup+clerk_test@example.com", NULL), *r = NULL;
    struct gh_sign_up_params p;
    struct gh_user_params    up;
    struct gh_user          *u = NULL;
    struct gh_err            err = { 0 };
    const char              *emails[] = { "Taken@Example.com" };

    (void)state;
    gh_user_params_init(&up);
    up.email_addresses = emails;
    up.n_email_addresses = 1;
    assert_int_equal(gh_user_create(&test_app, test_instance.id, &up, &u, &err), 0);
    gh_user_free(u);
    gh_sign_up_params_init(&p);
    p.email_address = "taken@example.COM";
    assert_int_equal(gh_sign_up_update(&test_app, test_instance.id, c, su->id, &p, &r, &err), -1);
    assert_int_equal(err.code, GH_E_IDENTIFIER_EXISTS);
    assert_string_equal(err.param, "email_address");
    gh_err_clear(&err);
    assert_int_equal(gh_sign_up_get(&test_app, test_instance.id, other, su->id, &r, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    gh_err_clear(&err);
    assert_int_equal(gh_sign_up_prepare(&test_app, test_instance.id, other, su->id, "email_code",
                         &r, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    gh_err_clear(&err);
    gh_sign_up_params_init(&p);
    p.password = "short";
    p.password_len = 5;
    assert_int_equal(gh_sign_up_update(&test_app, test_instance.id, c, su->id, &p, &r, &err), -1);
    assert_int_equal(err.code, GH_E_PASSWORD_TOO_SHORT);
    assert_string_equal(err.param, "password");
    gh_err_clear(&err);
    p.password = NULL;
    p.password_len = 0;
    p.email_address = "not an email";
    assert_int_equal(gh_sign_up_update(&test_app, test_instance.id, c, su->id, &p, &r, &err), -1);
    assert_int_equal(err.code, GH_E_PARAM_INVALID);
    assert_string_equal(err.param, "email_address");
    gh_sign_up_free(su);
    free(c);
    free(other);
}

static void
test_ticket_redeem_by_digest_only_inside_a_transaction(void **state)
{
    struct gh_invitation_params ip;
    struct gh_invitation      **v = NULL;
    char                      **urls = NULL, target[GH_ID_MAX], hash[65];
    struct gh_err               err = { 0 };
    const char                 *t;

    (void)state;
    gh_invitation_params_init(&ip);
    ip.email_address = "digest@example.com";
    assert_int_equal(gh_invitation_create(&test_app, test_instance.id, NULL, &ip, 1, &v, &urls,
                         &err), 0);
    t = strstr(urls[0], "__clerk_ticket=") + strlen("__clerk_ticket=");
    assert_int_equal(gh_ticket_digest(t, hash, &err), 0);
    assert_int_equal(gh_ticket_digest("short", hash + 0, &err), -1);
    assert_int_equal(err.code, GH_E_TICKET_INVALID);
    gh_err_clear(&err);
    assert_int_equal(gh_ticket_digest(t, hash, &err), 0);
    assert_int_equal(gh_ticket_redeem_hash(&test_app, test_instance.id, GH_TICKET_INVITATION, hash,
                         target, &err), -1);
    assert_int_equal(err.code, GH_E_INTERNAL);
    gh_err_clear(&err);
    /* rolled back: the invitation stays pending and the ticket usable */
    assert_int_equal(gh_store_begin(test_app.store, &err), 0);
    assert_int_equal(gh_ticket_redeem_hash(&test_app, test_instance.id, GH_TICKET_INVITATION, hash,
                         target, &err), 0);
    assert_string_equal(target, v[0]->id);
    gh_store_rollback(test_app.store);
    assert_int_equal(gh_ticket_check(&test_app, test_instance.id, GH_TICKET_INVITATION, t, target,
                         &err), 0);
    /* committed: used */
    assert_int_equal(gh_store_begin(test_app.store, &err), 0);
    assert_int_equal(gh_ticket_redeem_hash(&test_app, test_instance.id, GH_TICKET_INVITATION, hash,
                         target, &err), 0);
    assert_int_equal(gh_store_commit(test_app.store, &err), 0);
    assert_int_equal(gh_store_begin(test_app.store, &err), 0);
    assert_int_equal(gh_ticket_redeem_hash(&test_app, test_instance.id, GH_TICKET_INVITATION, hash,
                         target, &err), -1);
    assert_int_equal(err.code, GH_E_TICKET_USED);
    gh_store_rollback(test_app.store);
    gh_invitations_free(v, 1);
    gh_invitation_urls_free(urls, 1);
}

static void
test_identifier_check_uses_the_switches(void **state)
{
    struct gh_access_ident *a = NULL;
    enum gh_access_verdict  vd;
    struct gh_err           err = { 0 };

    (void)state;
    assert_int_equal(gh_identifier_check(&test_app, test_instance.id, "a@x.test", 1, 1, &vd, &err), 0);
    assert_int_equal(vd, GH_ACCESS_NOT_ALLOWED); /* allowlist on and empty: nobody */
    assert_int_equal(gh_identifier_check(&test_app, test_instance.id, "a@x.test", 0, 1, &vd, &err), 0);
    assert_int_equal(vd, GH_ACCESS_OK);
    assert_int_equal(gh_access_ident_add(&test_app, test_instance.id, GH_ALLOWLIST, "*@x.test", &a,
                         &err), 0);
    gh_access_ident_free(a);
    assert_int_equal(gh_access_ident_add(&test_app, test_instance.id, GH_BLOCKLIST, "bad@x.test", &a,
                         &err), 0);
    gh_access_ident_free(a);
    assert_int_equal(gh_identifier_check(&test_app, test_instance.id, "A@X.test", 1, 1, &vd, &err), 0);
    assert_int_equal(vd, GH_ACCESS_OK);
    assert_int_equal(gh_identifier_check(&test_app, test_instance.id, "bad@x.test", 1, 1, &vd, &err), 0);
    assert_int_equal(vd, GH_ACCESS_BLOCKED);
    assert_int_equal(gh_identifier_check(&test_app, test_instance.id, "bad@x.test", 1, 0, &vd, &err), 0);
    assert_int_equal(vd, GH_ACCESS_OK); /* blocklist switched off */
    assert_int_equal(gh_identifier_check(&test_app, test_instance.id, "a@y.test", 1, 1, &vd, &err), 0);
    assert_int_equal(vd, GH_ACCESS_NOT_ALLOWED);
    assert_int_equal(gh_identifier_check(&test_app, test_instance.id, "nonsense", 1, 1, &vd, &err), -1);
    assert_int_equal(err.code, GH_E_PARAM_INVALID);
}


int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_prepare_fills_a_fresh_unverified_code),
        cmocka_unit_test(test_code_is_bound_to_its_owner),
        cmocka_unit_test(test_code_test_address_gets_424242_in_development_only),
        cmocka_unit_test(test_code_resend_within_cooldown_is_refused),
        cmocka_unit_test(test_code_ttl_follows_the_configuration),
        cmocka_unit_test(test_code_check_states),
        cmocka_unit_test(test_sign_up_fields_follow_settings_and_input),
        cmocka_unit_test(test_sign_up_status_reads_abandoned_after_abandon_at),
        cmocka_unit_test_setup_teardown(
            test_sign_up_attempts_are_limited_and_completion_makes_user_and_session, setup_store,
            teardown_store),
        cmocka_unit_test_setup_teardown(test_sign_up_taken_and_other_clients, setup_store,
            teardown_store),
        cmocka_unit_test_setup_teardown(test_ticket_redeem_by_digest_only_inside_a_transaction,
            setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(test_identifier_check_uses_the_switches, setup_store,
            teardown_store),
    };
    struct gh_err err = { 0 };

    if (gh_crypto_init(&err) == -1)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
