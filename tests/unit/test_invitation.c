/* test_invitation.c: core/ticket.c (single use, expiry, revocation, junk),
 * core/invitation.c (create → redeem accepts; revoke kills the ticket; the
 * duplicate and existing-user rules), core/sign_in_token.c, and
 * core/allowlist.c (normalisation and gh_identifier_allowed), against a real
 * SQLite store in a temporary directory. */
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
#include "core/id.h"
#include "core/invitation.h"
#include "core/mail.h"
#include "core/sign_in_token.h"
#include "core/ticket.h"
#include "core/user.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/conf.h"
#include "util/str.h"

static struct gh_conf test_conf = { .frontend_url = "http://fapi.test/", .hash_concurrency = 1 };
static struct gh_app  test_app = { .conf = &test_conf };

/* The mail hook (issue 4): what core handed over, and whether a
 * transaction was open at that moment (the mail must join it). */
struct capture {
    int  calls;
    int  fail;        /* 1: the hook refuses (GH_E_UNAVAILABLE) */
    int  in_tx;
    char to[128];
    char subject[256];
    char text[4096];
    char html[8192];
};
static struct capture cap;

static int
capture_mail(void *arg, const char *instance_id, const struct gh_mail *m, struct gh_err *err)
{
    struct capture *c = arg;

    (void)instance_id;
    c->calls++;
    c->in_tx = gh_store_in_tx(test_app.store);
    if (c->fail)
        return GH_FAIL(err, GH_E_UNAVAILABLE, "Email delivery is not configured.");
    gh_strlcpy(c->to, m->to, sizeof(c->to));
    gh_strlcpy(c->subject, m->subject, sizeof(c->subject));
    gh_strlcpy(c->text, m->text, sizeof(c->text));
    gh_strlcpy(c->html, m->html != NULL ? m->html : "", sizeof(c->html));
    return 0;
}

struct fixture {
    char             dir[64];
    char             url[128];
    struct gh_store *st;
    char             ins[GH_ID_MAX];
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
    struct fixture    *f = calloc(1, sizeof(*f));
    struct gh_err      err = { 0 };
    struct gh_instance in = { 0 };

    *state = f;
    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/gh_test_inv_XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        return -1;
    snprintf(f->url, sizeof(f->url), "sqlite://%s/gh.db", f->dir);
    gh_id_new("ins", in.id);
    in.name = "test";
    in.frontend_url = "http://127.0.0.1:7900";
    in.publishable_key = "pk_test_x";
    in.settings = "{}";
    in.created_at = in.updated_at = gh_now_ms();
    if (gh_store_open(f->url, &f->st, &err) == -1 || gh_store_migrate(f->st, &err) == -1 ||
        gh_store_instance_insert(f->st, &in, &err) == -1) {
        fprintf(stderr, "store setup: %s %s %s\n", gh_err_name(err.code), err.desc, err.note);
        return -1;
    }
    memcpy(f->ins, in.id, sizeof(f->ins));
    test_app.store = f->st;
    memset(&cap, 0, sizeof(cap));
    gh_mail_set_sender(&test_app, capture_mail, &cap);
    return 0;
}

/* The __clerk_ticket value of a url (malloc'd). */
static char *
ticket_of(const char *url)
{
    const char *t = strstr(url, "__clerk_ticket=");

    assert_non_null(t);
    return strdup(t + strlen("__clerk_ticket="));
}

/* One app-level invitation for email; *url_out malloc'd. */
static struct gh_invitation *
mk_invitation(struct fixture *f, const char *email, int64_t days, char **ticket_out)
{
    struct gh_invitation_params p;
    struct gh_invitation      **v = NULL;
    struct gh_invitation       *inv;
    char                      **urls = NULL;
    struct gh_err               err = { 0 };

    gh_invitation_params_init(&p);
    p.email_address = email;
    p.expires_in_days = days;
    if (gh_invitation_create(&test_app, f->ins, NULL, &p, 1, &v, &urls, &err) == -1)
        fail_msg("create: %s %s %s", gh_err_name(err.code), err.desc, err.note);
    assert_string_equal(v[0]->status, "pending");
    assert_int_equal(strncmp(urls[0], "http://fapi.test/sign-up?__clerk_ticket=", 40), 0);
    *ticket_out = ticket_of(urls[0]);
    inv = v[0];
    v[0] = NULL;
    gh_invitations_free(v, 1);
    gh_invitation_urls_free(urls, 1);
    return inv;
}

static void
test_ticket_is_single_use_and_accepts_its_invitation(void **state)
{
    struct fixture       *f = *state;
    struct gh_invitation *inv, *after = NULL;
    struct gh_err         err = { 0 };
    char                  target[GH_ID_MAX], *t;

    inv = mk_invitation(f, "single@example.com", 0, &t);
    assert_int_equal(strlen(t), 43);
    assert_int_equal(gh_ticket_check(&test_app, f->ins, GH_TICKET_INVITATION, t, target, &err), 0);
    assert_string_equal(target, inv->id);
    /* the wrong kind does not find it */
    assert_int_equal(gh_ticket_redeem(&test_app, f->ins, GH_TICKET_SIGN_IN, t, target, &err), -1);
    assert_int_equal(err.code, GH_E_TICKET_INVALID);
    gh_err_clear(&err);
    assert_int_equal(gh_ticket_redeem(&test_app, f->ins, GH_TICKET_INVITATION, t, target, &err), 0);
    assert_string_equal(target, inv->id);
    assert_int_equal(gh_invitation_get(&test_app, f->ins, NULL, inv->id, &after, &err), 0);
    assert_string_equal(after->status, "accepted");
    /* second use */
    assert_int_equal(gh_ticket_redeem(&test_app, f->ins, GH_TICKET_INVITATION, t, target, &err), -1);
    assert_int_equal(err.code, GH_E_TICKET_USED);
    assert_int_equal(gh_err_status(err.code), 400);
    assert_string_equal(target, "");
    /* accepted is not pending: revoke refused */
    gh_err_clear(&err);
    gh_invitation_free(after);
    assert_int_equal(gh_invitation_revoke(&test_app, f->ins, NULL, inv->id, &after, &err), -1);
    assert_int_equal(err.code, GH_E_INVITATION_NOT_PENDING);
    gh_invitation_free(inv);
    free(t);
}

static void
test_revoked_invitation_ticket_is_refused(void **state)
{
    struct fixture       *f = *state;
    struct gh_invitation *inv, *rv = NULL;
    struct gh_err         err = { 0 };
    char                  target[GH_ID_MAX], *t;

    inv = mk_invitation(f, "revoked@example.com", 0, &t);
    assert_int_equal(gh_invitation_revoke(&test_app, f->ins, NULL, inv->id, &rv, &err), 0);
    assert_string_equal(rv->status, "revoked");
    assert_int_equal(gh_ticket_redeem(&test_app, f->ins, GH_TICKET_INVITATION, t, target, &err), -1);
    assert_int_equal(err.code, GH_E_TICKET_REVOKED);
    assert_int_equal(gh_err_status(err.code), 400);
    gh_err_clear(&err);
    assert_int_equal(gh_ticket_check(&test_app, f->ins, GH_TICKET_INVITATION, t, target, &err), -1);
    assert_int_equal(err.code, GH_E_TICKET_REVOKED);
    gh_invitation_free(rv);
    gh_invitation_free(inv);
    free(t);
}

static void
test_expired_ticket_is_refused_and_invitation_reads_expired(void **state)
{
    struct fixture       *f = *state;
    struct gh_invitation *inv, *got = NULL;
    struct gh_err         err = { 0 };
    char                  target[GH_ID_MAX], *t, *raw = NULL;

    inv = mk_invitation(f, "expired@example.com", 1, &t);
    gh_time_set_offset_ms(86400LL * 1000 + 1000);
    assert_int_equal(gh_ticket_redeem(&test_app, f->ins, GH_TICKET_INVITATION, t, target, &err), -1);
    assert_int_equal(err.code, GH_E_TICKET_EXPIRED);
    gh_err_clear(&err);
    assert_int_equal(gh_invitation_get(&test_app, f->ins, NULL, inv->id, &got, &err), 0);
    assert_string_equal(got->status, "expired");
    gh_invitation_free(got);
    assert_int_equal(gh_invitation_revoke(&test_app, f->ins, NULL, inv->id, &got, &err), -1);
    assert_int_equal(err.code, GH_E_INVITATION_NOT_PENDING);
    gh_time_set_offset_ms(0);
    /* a ticket issued directly, expiring in one second */
    gh_err_clear(&err);
    assert_int_equal(gh_ticket_issue(&test_app, f->ins, GH_TICKET_SIGN_IN, "sit_x", gh_now_ms() + 1000,
                         &raw, &err), 0);
    gh_time_set_offset_ms(1000);
    assert_int_equal(gh_ticket_check(&test_app, f->ins, GH_TICKET_SIGN_IN, raw, target, &err), -1);
    assert_int_equal(err.code, GH_E_TICKET_EXPIRED);
    gh_time_set_offset_ms(0);
    gh_secret_free(raw);
    gh_invitation_free(inv);
    free(t);
}

static void
test_junk_tickets_are_invalid(void **state)
{
    struct fixture *f = *state;
    const char     *junk[] = { "", "short", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" };
    char            target[GH_ID_MAX];

    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        struct gh_err err = { 0 };

        assert_int_equal(gh_ticket_redeem(&test_app, f->ins, GH_TICKET_INVITATION, junk[i], target,
                             &err), -1);
        assert_int_equal(err.code, GH_E_TICKET_INVALID);
    }
}

static void
test_invitation_rules(void **state)
{
    struct fixture             *f = *state;
    struct gh_invitation_params p[2];
    struct gh_invitation      **v = NULL, *inv;
    struct gh_user_params       up;
    struct gh_user             *u = NULL;
    char                      **urls = NULL, *t;
    const char                 *emails[] = { "member@example.com" };
    struct gh_err               err = { 0 };

    inv = mk_invitation(f, "dup@example.com", 0, &t);
    gh_invitation_params_init(&p[0]);
    p[0].email_address = " DUP@example.com ";
    assert_int_equal(gh_invitation_create(&test_app, f->ins, NULL, p, 1, &v, &urls, &err), -1);
    assert_int_equal(err.code, GH_E_DUPLICATE_RECORD);
    assert_string_equal(err.param, "email_address");
    gh_user_params_init(&up);
    up.email_addresses = emails;
    up.n_email_addresses = 1;
    gh_err_clear(&err);
    assert_int_equal(gh_user_create(&test_app, f->ins, &up, &u, &err), 0);
    p[0].email_address = "member@example.com";
    assert_int_equal(gh_invitation_create(&test_app, f->ins, NULL, p, 1, &v, &urls, &err), -1);
    assert_int_equal(err.code, GH_E_IDENTIFIER_EXISTS);
    /* bulk: one bad item creates none */
    gh_err_clear(&err);
    gh_invitation_params_init(&p[0]);
    gh_invitation_params_init(&p[1]);
    p[0].email_address = "fine@example.com";
    p[1].email_address = "fine2@example.com";
    p[1].redirect_url = "ftp://x.example.com/";
    assert_int_equal(gh_invitation_create(&test_app, f->ins, NULL, p, 2, &v, &urls, &err), -1);
    assert_int_equal(err.code, GH_E_PARAM_INVALID);
    assert_string_equal(err.param, "redirect_url");
    p[1].redirect_url = "https://app.example.com/x?y=1";
    gh_err_clear(&err);
    assert_int_equal(gh_invitation_create(&test_app, f->ins, NULL, p, 2, &v, &urls, &err), 0);
    assert_int_equal(strncmp(urls[1], "https://app.example.com/x?y=1&__clerk_ticket=", 45), 0);
    gh_invitations_free(v, 2);
    gh_invitation_urls_free(urls, 2);
    gh_user_free(u);
    gh_invitation_free(inv);
    free(t);
}

static void
test_sign_in_token_ticket(void **state)
{
    struct fixture         *f = *state;
    struct gh_user_params   up;
    struct gh_user         *u = NULL;
    struct gh_sign_in_token t, r;
    struct gh_err           err = { 0 };
    char                   *tok = NULL, *url = NULL, target[GH_ID_MAX];
    const char             *emails[] = { "sit@example.com" };

    gh_user_params_init(&up);
    up.email_addresses = emails;
    up.n_email_addresses = 1;
    assert_int_equal(gh_user_create(&test_app, f->ins, &up, &u, &err), 0);
    assert_int_equal(gh_sign_in_token_create(&test_app, f->ins, u->id, 0, &t, &tok, &url, &err), 0);
    assert_string_equal(t.status, "pending");
    assert_true(t.expires_at - t.created_at == (int64_t)GH_SIGN_IN_TOKEN_TTL_DEFAULT * 1000);
    assert_int_equal(strncmp(url, "http://fapi.test/sign-in?__clerk_ticket=", 40), 0);
    assert_string_equal(url + 40, tok);
    assert_int_equal(gh_sign_in_token_revoke(&test_app, f->ins, t.id, &r, &err), 0);
    assert_string_equal(r.status, "revoked");
    assert_int_equal(gh_ticket_redeem(&test_app, f->ins, GH_TICKET_SIGN_IN, tok, target, &err), -1);
    assert_int_equal(err.code, GH_E_TICKET_REVOKED);
    gh_secret_free(tok);
    gh_secret_free(url);
    gh_err_clear(&err);
    assert_int_equal(gh_sign_in_token_create(&test_app, f->ins, "user_nobody00000000000000000", 0, &t,
                         &tok, &url, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    assert_null(tok);
    gh_user_free(u);
}

static void
allowed(struct fixture *f, const char *who, int want)
{
    struct gh_err err = { 0 };
    int           ok = -1;

    if (gh_identifier_allowed(&test_app, f->ins, who, &ok, &err) == -1)
        fail_msg("allowed(%s): %s %s", who, gh_err_name(err.code), err.desc);
    if (ok != want)
        fail_msg("allowed(%s) = %d, want %d", who, ok, want);
}

static void
test_allowlist_and_blocklist_matching(void **state)
{
    struct fixture         *f = *state;
    struct gh_access_ident *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    struct gh_err           err = { 0 };
    char                   *norm = NULL, type[16];

    assert_int_equal(gh_access_ident_norm(" *@Example.COM", &norm, type, &err), 0);
    assert_string_equal(norm, "*@example.com");
    assert_string_equal(type, "email_address");
    free(norm);
    assert_int_equal(gh_access_ident_norm("0xABCDEFabcdef0123456789abcdef0123456789ab", &norm, type,
                         &err), 0);
    assert_string_equal(type, "web3_wallet");
    free(norm);
    assert_int_equal(gh_access_ident_norm("example.com", &norm, type, &err), -1);
    assert_int_equal(err.code, GH_E_PARAM_INVALID);
    gh_err_clear(&err);

    allowed(f, "anyone@anywhere.io", 1); /* both lists empty */
    assert_int_equal(gh_access_ident_add(&test_app, f->ins, GH_BLOCKLIST, "*@spam.example", &a, &err), 0);
    allowed(f, "x@spam.example", 0);
    allowed(f, "X@SPAM.example", 0);
    allowed(f, "x@sub.spam.example", 1); /* no subdomain matching */
    allowed(f, "anyone@anywhere.io", 1);
    assert_int_equal(gh_access_ident_add(&test_app, f->ins, GH_ALLOWLIST, "*@corp.example", &b, &err), 0);
    assert_int_equal(gh_access_ident_add(&test_app, f->ins, GH_ALLOWLIST, "guest@else.example", &c, &err),
        0);
    assert_int_equal(gh_access_ident_add(&test_app, f->ins, GH_ALLOWLIST, "+1 555 555 0100", &d, &err), 0);
    assert_string_equal(d->identifier, "+15555550100");
    allowed(f, "ann@corp.example", 1);
    allowed(f, "Guest@else.example", 1);
    allowed(f, "other@else.example", 0);
    allowed(f, "anyone@anywhere.io", 0); /* a non-empty allowlist closes the door */
    allowed(f, "+15555550100", 1);
    allowed(f, "+15555550101", 0);
    gh_access_ident_free(d);
    d = NULL;
    assert_int_equal(gh_access_ident_add(&test_app, f->ins, GH_ALLOWLIST, "*@CORP.example", &d, &err), -1);
    assert_int_equal(err.code, GH_E_DUPLICATE_RECORD);
    gh_err_clear(&err);
    /* blocklist wins over allowlist */
    gh_access_ident_free(a);
    assert_int_equal(gh_access_ident_add(&test_app, f->ins, GH_BLOCKLIST, "ann@corp.example", &a, &err), 0);
    allowed(f, "ann@corp.example", 0);
    allowed(f, "bob@corp.example", 1);
    gh_access_ident_free(d);
    assert_int_equal(gh_access_ident_remove(&test_app, f->ins, GH_ALLOWLIST, b->id, &d, &err), 0);
    assert_string_equal(d->identifier, "*@corp.example");
    allowed(f, "bob@corp.example", 0);
    gh_access_ident_free(d);
    assert_int_equal(gh_access_ident_remove(&test_app, f->ins, GH_ALLOWLIST, b->id, &d, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    gh_access_ident_free(a);
    gh_access_ident_free(b);
    gh_access_ident_free(c);
    gh_access_ident_free(d);
}

/* Issue 4: an invitation's email carries its URL and is queued inside the
 * creating transaction; notify = 0 sends none; a hook that refuses (a
 * production instance without SMTP) creates nothing. */
static void
test_invitation_email_carries_the_url(void **state)
{
    struct fixture               *f = *state;
    struct gh_invitation_params   p;
    struct gh_invitation        **v = NULL;
    struct gh_invitation_filter   flt;
    char                        **urls = NULL;
    struct gh_err                 err = { 0 };
    int64_t                       n = -1;

    gh_invitation_params_init(&p);
    assert_int_equal(p.notify, 1);
    p.email_address = "Mailed@Example.com";
    assert_int_equal(gh_invitation_create(&test_app, f->ins, NULL, &p, 1, &v, &urls, &err), 0);
    assert_int_equal(cap.calls, 1);
    assert_int_equal(cap.in_tx, 1);
    assert_string_equal(cap.to, "mailed@example.com");
    assert_string_equal(cap.subject, "You're invited to join Gatehouse");
    assert_non_null(strstr(cap.text, urls[0]));
    assert_non_null(strstr(cap.html, "href=\"http://fapi.test/sign-up?__clerk_ticket="));
    gh_invitations_free(v, 1);
    gh_invitation_urls_free(urls, 1);

    p.email_address = "quiet@example.com";
    p.notify = 0;
    assert_int_equal(gh_invitation_create(&test_app, f->ins, NULL, &p, 1, &v, &urls, &err), 0);
    assert_int_equal(cap.calls, 1);
    gh_invitations_free(v, 1);
    gh_invitation_urls_free(urls, 1);

    cap.fail = 1;
    p.email_address = "refused@example.com";
    p.notify = 1;
    assert_int_equal(gh_invitation_create(&test_app, f->ins, NULL, &p, 1, &v, &urls, &err), -1);
    assert_int_equal(err.code, GH_E_UNAVAILABLE);
    assert_int_equal(cap.calls, 2);
    gh_invitation_filter_init(&flt);
    assert_int_equal(gh_store_invitation_count(f->st, f->ins, &flt, &n, &err), 0);
    assert_int_equal(n, 2); /* the refused one was rolled back */
}

int
main(void)
{
    const struct CMUnitTest stored[] = {
        cmocka_unit_test_setup_teardown(test_ticket_is_single_use_and_accepts_its_invitation,
            setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(test_revoked_invitation_ticket_is_refused, setup_store,
            teardown_store),
        cmocka_unit_test_setup_teardown(test_expired_ticket_is_refused_and_invitation_reads_expired,
            setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(test_junk_tickets_are_invalid, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(test_invitation_rules, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(test_sign_in_token_ticket, setup_store, teardown_store),
        cmocka_unit_test_setup_teardown(test_allowlist_and_blocklist_matching, setup_store,
            teardown_store),
        cmocka_unit_test_setup_teardown(test_invitation_email_carries_the_url, setup_store,
            teardown_store),
    };
    struct gh_err err = { 0 };

    if (gh_crypto_init(&err) == -1)
        return 1;
    return cmocka_run_group_tests_name("invitation", stored, NULL, NULL);
}
