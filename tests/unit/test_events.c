/* test_events.c: the webhook events the Frontend API's flows emit through
 * core (issue 5): session.ended / session.removed (gh_session_finish),
 * organizationInvitation.created / revoked / accepted (invitation create and
 * revoke, signing in with the ticket, gh_org_invitation_accept), email.created
 * (gh_event_emit_email).
 * Runs the application core on a real SQLite store in a temp dir with the
 * Backend API's renderer installed (gh_api_events_install), wrapped so each
 * test sees the envelopes it produced and whether a transaction was open
 * when they were written. The HTTP side of these flows is the Frontend
 * API's; the created/revoked events are also checked end to end with svix
 * in tests/integration/webhooks_orgs.test.mjs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/backend/backend.h"
#include "core/app.h"
#include "core/event.h"
#include "core/id.h"
#include "core/invitation.h"
#include "core/org.h"
#include "core/org_access.h"
#include "core/session.h"
#include "core/sign_in.h"
#include "core/ticket.h"
#include "core/user.h"
#include "store/store.h"
#include "util/str.h"

#define MAX_SEEN 16

struct fixture {
    char                dir[64];
    char                db_url[128];
    struct gh_conf      conf;
    struct gh_app      *app;
    struct gh_bootstrap boot;
};

/* What the wrapped renderer saw, in order. */
static struct {
    gh_event_render_fn *real;
    struct gh_store    *store;
    json_t             *env[MAX_SEEN];
    int                 in_tx[MAX_SEEN];
    size_t              n;
} seen;

static char *
capture(const struct gh_app *app, const struct gh_event *ev)
{
    char *text = seen.real(app, ev);

    if (text != NULL && seen.n < MAX_SEEN) {
        seen.env[seen.n] = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
        seen.in_tx[seen.n] = gh_store_in_tx(seen.store);
        seen.n++;
    }
    return text;
}

static void
seen_reset(void)
{
    for (size_t i = 0; i < seen.n; i++)
        json_decref(seen.env[i]);
    seen.n = 0;
}

/* The i-th envelope: its type must be `type`, written inside a transaction. */
static json_t *
event_at(size_t i, const char *type)
{
    json_t *env;

    if (i >= seen.n)
        fail_msg("expected a %s event at %zu, saw %zu events", type, i, seen.n);
    env = seen.env[i];
    assert_non_null(env);
    assert_string_equal(json_string_value(json_object_get(env, "type")), type);
    assert_string_equal(json_string_value(json_object_get(env, "object")), "event");
    assert_true(seen.in_tx[i]);
    return json_object_get(env, "data");
}

static const char *
str_at(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);

    if (!json_is_string(v))
        fail_msg("%s is not a string", key);
    return json_string_value(v);
}

static int
setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct gh_err   err = { 0 };

    assert_non_null(f);
    snprintf(f->dir, sizeof(f->dir), "/tmp/gh-test-events-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db_url, sizeof(f->db_url), "sqlite://%s/gh.db", f->dir);
    f->conf.database_url = f->db_url;
    f->conf.frontend_url = "http://127.0.0.1:7900";
    f->conf.backend_url = "http://127.0.0.1:7901";
    f->conf.instance_name = "Test";
    f->conf.hash_concurrency = 1;
    f->conf.token_ttl_s = 60;
    f->conf.token_reuse_min_s = 30;
    if (gh_app_open(&f->conf, &f->app, &f->boot, &err) == -1)
        fail_msg("gh_app_open: %s (%s)", err.desc, err.note);
    gh_api_events_install(f->app);
    seen.real = f->app->event_render;
    seen.store = f->app->store;
    gh_event_set_renderer(f->app, capture);
    *state = f;
    return 0;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static int
teardown(void **state)
{
    struct fixture *f = *state;

    seen_reset();
    gh_time_set_offset_ms(0);
    gh_app_close(f->app);
    nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
    free(f);
    return 0;
}

static const char *
iid(struct fixture *f)
{
    return f->app->instance->id;
}

/* A user with one email address; *out caller frees. */
static struct gh_user *
mk_user(struct fixture *f, const char *email, const char *first)
{
    struct gh_user_params p;
    struct gh_user       *u = NULL;
    struct gh_err         err = { 0 };
    const char           *emails[] = { email };

    gh_user_params_init(&p);
    p.email_addresses = emails;
    p.n_email_addresses = 1;
    p.first_name = first;
    if (gh_user_create(f->app, iid(f), &p, &u, &err) == -1)
        fail_msg("user: %s %s %s", gh_err_name(err.code), err.desc, err.note);
    return u;
}

static void
test_session_finish_emits_ended_and_removed(void **state)
{
    struct fixture    *f = *state;
    struct gh_user    *u = mk_user(f, "ender@example.com", "Ender");
    struct gh_session *s1 = NULL, *s2 = NULL, *out = NULL;
    struct gh_err      err = { 0 };
    json_t            *d;

    assert_int_equal(gh_session_create(f->app, iid(f), u->id, NULL, &s1, &err), 0);
    assert_int_equal(gh_session_create(f->app, iid(f), u->id, NULL, &s2, &err), 0);
    seen_reset();

    assert_int_equal(gh_session_finish(f->app, iid(f), s1->id, "ended", &err), 0);
    d = event_at(0, "session.ended");
    assert_string_equal(str_at(d, "object"), "session");
    assert_string_equal(str_at(d, "id"), s1->id);
    assert_string_equal(str_at(d, "status"), "ended");
    assert_string_equal(str_at(json_object_get(d, "user"), "id"), u->id);
    assert_int_equal(gh_session_get(f->app, iid(f), s1->id, &out, &err), 0);
    assert_string_equal(out->status, "ended");
    gh_session_free(out);

    /* not active any more: left alone, no event */
    assert_int_equal(gh_session_finish(f->app, iid(f), s1->id, "removed", &err), 0);
    assert_int_equal(seen.n, 1);

    assert_int_equal(gh_session_finish(f->app, iid(f), s2->id, "removed", &err), 0);
    d = event_at(1, "session.removed");
    assert_string_equal(str_at(d, "status"), "removed");
    assert_int_equal(seen.n, 2);
    gh_session_free(s1);
    gh_session_free(s2);
    gh_user_free(u);
}

/* One organization invitation to email with role; *ticket malloc'd. */
static struct gh_invitation *
mk_org_invitation(struct fixture *f, const char *org_id, const char *email, const char *inviter,
    char **ticket)
{
    struct gh_invitation_params p;
    struct gh_invitation      **v = NULL, *inv;
    char                      **urls = NULL;
    struct gh_err               err = { 0 };
    const char                 *t;

    gh_invitation_params_init(&p);
    p.email_address = email;
    p.role = "org:member";
    p.inviter_user_id = inviter;
    if (gh_invitation_create(f->app, iid(f), org_id, &p, 1, &v, &urls, &err) == -1)
        fail_msg("invitation: %s %s %s", gh_err_name(err.code), err.desc, err.note);
    t = strstr(urls[0], "__clerk_ticket=");
    assert_non_null(t);
    *ticket = strdup(t + strlen("__clerk_ticket="));
    inv = v[0];
    v[0] = NULL;
    gh_invitations_free(v, 1);
    gh_invitation_urls_free(urls, 1);
    return inv;
}

static void
test_org_invitation_events(void **state)
{
    struct fixture       *f = *state;
    struct gh_user       *admin = mk_user(f, "boss@example.com", "Boss");
    struct gh_user       *joiner = mk_user(f, "joiner@example.com", "Joiner");
    struct gh_org_params  op;
    struct gh_org        *o = NULL;
    struct gh_invitation *a, *b, *rv = NULL, *rv2 = NULL, *app_inv;
    struct gh_invitation_params ap;
    struct gh_invitation **av = NULL;
    char                **aurls = NULL, *ta, *tb, *txt;
    struct gh_sign_in_ticket st;
    struct gh_user       *who = NULL, *who2 = NULL;
    struct gh_err         err = { 0 };
    json_t               *d;

    gh_org_params_init(&op);
    op.name = "Events Inc";
    op.created_by = admin->id;
    assert_int_equal(gh_org_create(f->app, iid(f), &op, &o, &err), 0);
    seen_reset();

    a = mk_org_invitation(f, o->id, "joiner@example.com", admin->id, &ta);
    d = event_at(0, "organizationInvitation.created");
    assert_string_equal(str_at(d, "object"), "organization_invitation");
    assert_string_equal(str_at(d, "id"), a->id);
    assert_string_equal(str_at(d, "organization_id"), o->id);
    assert_string_equal(str_at(d, "status"), "pending");
    assert_string_equal(str_at(d, "role"), "org:member");
    assert_string_equal(str_at(d, "role_name"), "Member");
    assert_true(json_is_null(json_object_get(d, "url"))); /* the ticket is never stored */
    assert_null(json_object_get(d, "user_id"));
    assert_string_equal(str_at(json_object_get(d, "public_inviter_data"), "user_id"), admin->id);
    assert_string_equal(str_at(json_object_get(d, "public_inviter_data"), "identifier"),
        "boss@example.com");
    txt = json_dumps(seen.env[0], 0);
    assert_non_null(txt);
    assert_null(strstr(txt, ta)); /* the raw ticket goes nowhere near the outbox */
    free(txt);

    b = mk_org_invitation(f, o->id, "other@example.com", NULL, &tb);
    d = event_at(1, "organizationInvitation.created");
    assert_true(json_is_null(json_object_get(d, "public_inviter_data")));
    assert_int_equal(gh_invitation_revoke(f->app, iid(f), o->id, b->id, &rv, &err), 0);
    d = event_at(2, "organizationInvitation.revoked");
    assert_string_equal(str_at(d, "id"), b->id);
    assert_string_equal(str_at(d, "status"), "revoked");
    assert_null(json_object_get(d, "user_id"));
    /* a refused sign-in (revoked ticket) emits nothing */
    assert_int_equal(gh_sign_in_ticket_resolve(f->app, iid(f), tb, &st, &who, &err), -1);
    assert_int_equal(err.code, GH_E_TICKET_REVOKED);
    assert_int_equal(seen.n, 3);
    gh_err_clear(&err);

    /* signing in with the ticket: membership, then accepted, one transaction */
    assert_int_equal(gh_sign_in_ticket_resolve(f->app, iid(f), ta, &st, &who, &err), 0);
    assert_string_equal(who->id, joiner->id);
    assert_int_equal(gh_sign_in_ticket_redeem(f->app, iid(f), ta, &st, joiner->id, &err), 0);
    assert_string_equal(st.target, a->id);
    d = event_at(3, "organizationMembership.created");
    assert_string_equal(str_at(json_object_get(d, "public_user_data"), "user_id"), joiner->id);
    d = event_at(4, "organizationInvitation.accepted");
    assert_string_equal(str_at(d, "id"), a->id);
    assert_string_equal(str_at(d, "status"), "accepted");
    assert_string_equal(str_at(d, "user_id"), joiner->id);

    /* app-level invitations have no events in Clerk */
    gh_invitation_params_init(&ap);
    ap.email_address = "app-level@example.com";
    assert_int_equal(gh_invitation_create(f->app, iid(f), NULL, &ap, 1, &av, &aurls, &err), 0);
    app_inv = av[0];
    assert_int_equal(gh_invitation_revoke(f->app, iid(f), NULL, app_inv->id, &rv2, &err), 0);
    assert_int_equal(seen.n, 5);
    /* the ticket is spent */
    assert_int_equal(gh_sign_in_ticket_resolve(f->app, iid(f), ta, &st, &who2, &err), -1);
    assert_int_equal(err.code, GH_E_TICKET_USED);

    gh_user_free(who);
    gh_user_free(who2);
    gh_invitations_free(av, 1);
    gh_invitation_urls_free(aurls, 1);
    gh_invitation_free(b);
    gh_invitation_free(rv2);
    gh_invitation_free(rv);
    gh_invitation_free(a);
    free(ta);
    free(tb);
    gh_org_free(o);
    gh_user_free(joiner);
    gh_user_free(admin);
}

/* The signed-in user accepts (Frontend API /me/organization_invitations/…/accept). */
static void
test_org_invitation_accept_by_member_emits_membership_then_accepted(void **state)
{
    struct fixture       *f = *state;
    struct gh_user       *admin = mk_user(f, "owner@example.com", "Owner");
    struct gh_user       *joiner = mk_user(f, "member@example.com", "Member");
    struct gh_org_params  op;
    struct gh_org        *o = NULL;
    struct gh_invitation *inv, *after = NULL;
    struct gh_err         err = { 0 };
    char                 *t;
    json_t               *d;

    gh_org_params_init(&op);
    op.name = "Accept Inc";
    op.created_by = admin->id;
    assert_int_equal(gh_org_create(f->app, iid(f), &op, &o, &err), 0);
    inv = mk_org_invitation(f, o->id, "member@example.com", admin->id, &t);
    seen_reset();
    assert_int_equal(gh_org_invitation_accept(f->app, iid(f), inv->id, joiner->id, &after, &err), 0);
    assert_string_equal(after->status, "accepted");
    d = event_at(0, "organizationMembership.created");
    assert_string_equal(str_at(json_object_get(d, "public_user_data"), "user_id"), joiner->id);
    d = event_at(1, "organizationInvitation.accepted");
    assert_string_equal(str_at(d, "id"), inv->id);
    assert_string_equal(str_at(d, "status"), "accepted");
    assert_string_equal(str_at(d, "user_id"), joiner->id);
    assert_int_equal(seen.n, 2);
    /* again: not pending, nothing emitted */
    gh_invitation_free(after);
    after = NULL;
    assert_int_equal(gh_org_invitation_accept(f->app, iid(f), inv->id, joiner->id, &after, &err), -1);
    assert_int_equal(err.code, GH_E_ORG_INVITATION_NOT_PENDING);
    assert_int_equal(seen.n, 2);
    gh_invitation_free(inv);
    free(t);
    gh_org_free(o);
    gh_user_free(joiner);
    gh_user_free(admin);
}

static void
test_email_created_renders_clerk_email(void **state)
{
    struct fixture       *f = *state;
    struct gh_event_email e = {
        .id = "ema_test1", .slug = "verification_code", .from_email_name = "notifications",
        .to_email_address = "ada@example.com", .email_address_id = "idn_test1",
        .user_id = NULL, .subject = "123456 is your code", .body = "<p>123456</p>",
        .body_plain = "123456", .status = "queued", .data = "{\"otp_code\":\"123456\"}",
        .delivered_by_clerk = 1,
    };
    struct gh_err err = { 0 };
    json_t       *want, *d;

    want = json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:n,s:s,s:s,s:s,s:s,s:{s:s},s:b}", "object",
        "email", "id", "ema_test1", "slug", "verification_code", "from_email_name",
        "notifications", "to_email_address", "ada@example.com", "email_address_id", "idn_test1",
        "user_id", "subject", "123456 is your code", "body", "<p>123456</p>", "body_plain",
        "123456", "status", "queued", "data", "otp_code", "123456", "delivered_by_clerk", 1);
    assert_non_null(want);
    assert_int_equal(gh_store_begin(f->app->store, &err), 0);
    assert_int_equal(gh_event_emit_email(f->app, iid(f), &e, &err), 0);
    assert_int_equal(gh_event_tx_end(f->app, 1, &err), 0);
    d = event_at(0, "email.created");
    if (!json_equal(d, want)) {
        char *got = json_dumps(d, JSON_SORT_KEYS);

        fail_msg("email.created data: %s", got != NULL ? got : "?");
    }
    json_decref(want);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_session_finish_emits_ended_and_removed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_org_invitation_events, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_org_invitation_accept_by_member_emits_membership_then_accepted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_email_created_renders_clerk_email, setup, teardown),
    };

    return cmocka_run_group_tests_name("events", tests, NULL, NULL);
}
