/* test_user.c: core/ident.c normalisation, core/user.c password policy,
 * core/password.c's concurrency bound, and the user rules end to end against
 * a real SQLite store in a temporary directory (create, update, metadata,
 * list/count, ban/lock, verify_password with NUL bytes, email addresses). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>

#include <jansson.h>

#include "api/backend/render.h"
#include "core/app.h"
#include "core/id.h"
#include "core/ident.h"
#include "core/password.h"
#include "core/user.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/conf.h"
#include "util/json.h"
#include "util/str.h"

/* ---- identifier normalisation ---- */

static void
email_ok(const char *in, const char *want)
{
    struct gh_err err = { 0 };
    char         *out = NULL;

    assert_int_equal(gh_ident_norm_email(in, NULL, &out, &err), 0);
    assert_string_equal(out, want);
    free(out);
}

static void
email_bad(const char *in)
{
    struct gh_err err = { 0 };
    char         *out = NULL;

    if (gh_ident_norm_email(in, NULL, &out, &err) != -1)
        fail_msg("accepted bad email \"%s\"", in);
    assert_int_equal(err.code, GH_E_PARAM_INVALID);
    assert_string_equal(err.param, "email_address");
    assert_null(out);
}

static void
test_email_normalises_good_addresses(void **state)
{
    email_ok("  Alice@Example.COM \n", "alice@example.com");
    email_ok("first.last+tag@sub.example.co.uk", "first.last+tag@sub.example.co.uk");
    email_ok("o'brien_{x}@ex-ample.io", "o'brien_{x}@ex-ample.io");
    email_ok("j\xc3\xbcrgen@beispiel.de", "j\xc3\xbcrgen@beispiel.de");
}

static void
test_email_rejects_bad_addresses(void **state)
{
    char long_local[80], long_total[400];

    email_bad("");
    email_bad("   ");
    email_bad("plain");
    email_bad("@example.com");
    email_bad("a@");
    email_bad("a@b@example.com");
    email_bad("a@localhost");
    email_bad(".a@example.com");
    email_bad("a.@example.com");
    email_bad("a..b@example.com");
    email_bad("a b@example.com");
    email_bad("a@-example.com");
    email_bad("a@example-.com");
    email_bad("a@example..com");
    email_bad("a@1.2.3.4");
    email_bad("a\"b@example.com");
    email_bad("a@exa_mple.com");
    email_bad("a@\xff.com");
    memset(long_local, 'a', sizeof(long_local));
    snprintf(long_local + 65, sizeof(long_local) - 65, "@x.io");
    email_bad(long_local);
    memset(long_total, 'b', sizeof(long_total));
    long_total[0] = 'a';
    long_total[1] = '@';
    for (size_t i = 40; i < 380; i += 40)
        long_total[i] = '.';
    snprintf(long_total + 380, sizeof(long_total) - 380, ".com");
    email_bad(long_total);
}

static void
test_phone_normalises_e164(void **state)
{
    struct gh_err err = { 0 };
    char         *out = NULL;

    assert_int_equal(gh_ident_norm_phone("+1 (555) 555-0100", NULL, &out, &err), 0);
    assert_string_equal(out, "+15555550100");
    free(out);
    assert_int_equal(gh_ident_norm_phone("+4930123", NULL, &out, &err), 0); /* 7 digits */
    assert_string_equal(out, "+4930123");
    free(out);
    assert_int_equal(gh_ident_norm_phone("+123456789012345", NULL, &out, &err), 0); /* 15 */
    free(out);
}

static void
test_phone_rejects_bad_numbers(void **state)
{
    const char *bad[] = { "", "15555550100", "+", "+123456", "+1234567890123456",
        "+0123456789", "+1555abc0100", "++15555550100", "+1555+5550100", "+1 555 0100 ext 2" };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct gh_err err = { 0 };
        char         *out = NULL;
        if (gh_ident_norm_phone(bad[i], NULL, &out, &err) != -1)
            fail_msg("accepted bad phone \"%s\"", bad[i]);
        assert_int_equal(err.code, GH_E_PARAM_INVALID);
        assert_string_equal(err.param, "phone_number");
    }
}

static void
test_username_rules(void **state)
{
    struct gh_err err = { 0 };
    char         *out = NULL;
    char          s65[66];

    assert_int_equal(gh_ident_norm_username(" John_Doe-1.x ", &out, &err), 0);
    assert_string_equal(out, "john_doe-1.x");
    free(out);
    assert_int_equal(gh_ident_norm_username("abc", &out, &err), -1);
    assert_int_equal(err.code, GH_E_USERNAME_INVALID_LENGTH);
    assert_string_equal(err.param, "username");
    assert_string_equal(gh_err_api_code(err.code), "form_username_invalid_length");
    gh_err_clear(&err);
    memset(s65, 'a', 65);
    s65[65] = '\0';
    assert_int_equal(gh_ident_norm_username(s65, &out, &err), -1);
    assert_int_equal(err.code, GH_E_USERNAME_INVALID_LENGTH);
    gh_err_clear(&err);
    s65[64] = '\0';
    assert_int_equal(gh_ident_norm_username(s65, &out, &err), 0);
    free(out);
    assert_int_equal(gh_ident_norm_username("bad name", &out, &err), -1);
    assert_int_equal(err.code, GH_E_USERNAME_INVALID_CHARACTER);
    gh_err_clear(&err);
    assert_int_equal(gh_ident_norm_username("a@b.com", &out, &err), -1);
    assert_null(out);
}

static void
test_password_policy(void **state)
{
    struct gh_err err = { 0 };
    char          big[GH_PASSWORD_MAX + 1];

    memset(big, 'p', sizeof(big));
    assert_int_equal(gh_user_check_password("1234567", 7, 0, &err), -1);
    assert_int_equal(err.code, GH_E_PASSWORD_TOO_SHORT);
    assert_string_equal(err.param, "password");
    gh_err_clear(&err);
    assert_int_equal(gh_user_check_password("12345678", 8, 0, &err), 0);
    assert_int_equal(gh_user_check_password("1234567", 7, 1, &err), 0); /* skip checks */
    assert_int_equal(gh_user_check_password("", 0, 1, &err), -1);
    gh_err_clear(&err);
    assert_int_equal(gh_user_check_password(big, 256, 0, &err), 0);
    assert_int_equal(gh_user_check_password(big, GH_PASSWORD_MAX, 0, &err), 0);
    assert_int_equal(gh_user_check_password(big, GH_PASSWORD_MAX + 1, 1, &err), -1);
    assert_int_equal(err.code, GH_E_PASSWORD_TOO_LONG);
}

/* ---- rendering (spec §C1, §C2) ---- */

static void
test_render_user_has_every_field(void **state)
{
    static const char *keys[] = { "id", "object", "external_id", "username", "first_name",
        "last_name", "image_url", "has_image", "primary_email_address_id",
        "primary_phone_number_id", "primary_web3_wallet_id", "password_enabled",
        "two_factor_enabled", "totp_enabled", "backup_code_enabled", "email_addresses",
        "phone_numbers", "web3_wallets", "external_accounts", "saml_accounts",
        "enterprise_accounts", "passkeys", "public_metadata", "private_metadata",
        "unsafe_metadata", "banned", "locked", "lockout_expires_in_seconds",
        "verification_attempts_remaining", "last_sign_in_at", "last_active_at",
        "legal_accepted_at", "password_last_updated_at", "created_at", "updated_at",
        "delete_self_enabled", "create_organization_enabled", "create_organizations_limit",
        "locale", "timezone", "mfa_enabled_at", "mfa_disabled_at", "profile_image_url",
        "bypass_client_trust", NULL };
    struct gh_conf   conf = { .frontend_url = "http://fapi.test/", .lockout_attempts = 10 };
    struct gh_app    app = { .conf = &conf };
    struct gh_user  *u = gh_user_new();
    struct gh_ident *e = gh_user_ident_add(u), *ph;
    json_t          *o, *em, *pn;

    ph = gh_user_ident_add(u);
    e = &u->idents[0]; /* the array may have moved */
    gh_id_new("user", u->id);
    gh_id_new("idn", e->id);
    e->type = GH_IDENT_EMAIL;
    e->value = strdup("a@example.com");
    e->verified = 1;
    e->strategy = strdup("admin");
    gh_id_new("idn", ph->id);
    ph->type = GH_IDENT_PHONE;
    ph->value = strdup("+15555550100");
    u->primary_email_id = strdup(e->id);
    u->failed_attempts = 3;
    u->created_at = u->updated_at = 5;
    free(u->public_metadata);
    u->public_metadata = strdup("{\"k\":1}");
    o = gh_render_user(&app, u);
    assert_non_null(o);
    for (size_t i = 0; keys[i] != NULL; i++)
        if (json_object_get(o, keys[i]) == NULL)
            fail_msg("user lacks %s", keys[i]);
    assert_null(json_object_get(o, "deleted"));
    assert_string_equal(json_string_value(json_object_get(o, "image_url")),
        "http://fapi.test/images/default-avatar.svg");
    assert_int_equal(json_integer_value(json_object_get(o, "verification_attempts_remaining")), 7);
    assert_true(json_is_null(json_object_get(o, "lockout_expires_in_seconds")));
    assert_true(json_is_object(json_object_get(o, "private_metadata")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(o, "public_metadata"),
                         "k")), 1);
    assert_true(json_is_false(json_object_get(o, "password_enabled")));
    em = json_array_get(json_object_get(o, "email_addresses"), 0);
    assert_string_equal(json_string_value(json_object_get(em, "object")), "email_address");
    assert_true(json_is_array(json_object_get(em, "linked_to")));
    assert_null(json_object_get(em, "deleted"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(em, "verification"),
                            "object")), "verification_admin");
    pn = json_array_get(json_object_get(o, "phone_numbers"), 0);
    assert_string_equal(json_string_value(json_object_get(pn, "phone_number")), "+15555550100");
    assert_true(json_is_array(json_object_get(pn, "linked_to")));
    assert_true(json_is_null(json_object_get(pn, "verification"))); /* unverified */
    assert_true(json_is_null(json_object_get(pn, "backup_codes")));
    json_decref(o);
    gh_user_free(u);
}

/* ---- the hashing gate ---- */

struct gate_run {
    struct gh_hash_gate *g;
    atomic_uint          inside;
    atomic_uint          max_inside;
    atomic_uint          failures;
};

static void *
gate_worker(void *arg)
{
    struct gate_run *r = arg;
    struct timespec  nap = { 0, 5 * 1000 * 1000 };

    for (int i = 0; i < 5; i++) {
        struct gh_err err = { 0 };
        unsigned      now, seen;
        if (gh_hash_gate_enter(r->g, 5000, &err) == -1) {
            atomic_fetch_add(&r->failures, 1);
            continue;
        }
        now = atomic_fetch_add(&r->inside, 1) + 1;
        seen = atomic_load(&r->max_inside);
        while (now > seen && !atomic_compare_exchange_weak(&r->max_inside, &seen, now))
            ;
        nanosleep(&nap, NULL);
        atomic_fetch_sub(&r->inside, 1);
        gh_hash_gate_leave(r->g);
    }
    return NULL;
}

static void
test_gate_bounds_concurrency(void **state)
{
    struct gh_hash_gate g;
    struct gate_run     r = { .g = &g };
    pthread_t           t[12];
    struct gh_err       err = { 0 };

    assert_int_equal(gh_hash_gate_init(&g, 3, &err), 0);
    for (size_t i = 0; i < 12; i++)
        assert_int_equal(pthread_create(&t[i], NULL, gate_worker, &r), 0);
    for (size_t i = 0; i < 12; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&r.failures), 0);
    assert_true(atomic_load(&r.max_inside) <= 3);
    assert_true(gh_hash_gate_max_seen(&g) <= 3);
    assert_true(gh_hash_gate_max_seen(&g) >= 2); /* 12 threads did contend */
    gh_hash_gate_clear(&g);
}

static void
test_gate_wait_is_bounded(void **state)
{
    struct gh_hash_gate g;
    struct gh_err       err = { 0 };
    uint64_t            t0;

    assert_int_equal(gh_hash_gate_init(&g, 1, &err), 0);
    assert_int_equal(gh_hash_gate_enter(&g, 10, &err), 0);
    t0 = gh_mono_ns();
    assert_int_equal(gh_hash_gate_enter(&g, 50, &err), -1);
    assert_int_equal(err.code, GH_E_UNAVAILABLE);
    assert_true(gh_mono_ns() - t0 >= 45ull * 1000 * 1000);
    gh_hash_gate_leave(&g);
    gh_err_clear(&err);
    assert_int_equal(gh_hash_gate_enter(&g, 10, &err), 0); /* the slot came back */
    gh_hash_gate_leave(&g);
    gh_hash_gate_clear(&g);
}

/* The process-wide gate takes its size from the first app it sees. */
static struct gh_conf  test_conf = { .hash_concurrency = 1 };
static struct gh_app   test_app = { .conf = &test_conf };

static void *
hash_worker(void *arg)
{
    struct gh_err err = { 0 };
    char         *phc = NULL;

    if (gh_password_hash_bounded(&test_app, "correct horse", 13, &phc, &err) == 0)
        free(phc);
    return NULL;
}

static void
test_bounded_hashing_respects_config(void **state)
{
    pthread_t t[4];

    for (size_t i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hash_worker, NULL), 0);
    for (size_t i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(gh_password_gate(&test_app)->limit, 1);
    assert_int_equal(gh_hash_gate_max_seen(gh_password_gate(&test_app)), 1);
}

/* nice value (field 19 of /proc/self/task/TID/stat) of every thread: how
 * many have `want`. */
static int
threads_with_nice(long want)
{
    DIR           *d = opendir("/proc/self/task");
    struct dirent *e;
    int            n = 0;

    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        char  path[300], buf[1024], *p;
        FILE *f;
        long  nice = 0;

        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/proc/self/task/%s/stat", e->d_name);
        if ((f = fopen(path, "r")) == NULL)
            continue;
        if (fgets(buf, sizeof(buf), f) != NULL && (p = strrchr(buf, ')')) != NULL) {
            /* after "pid (comm)": state is field 3, nice field 19 */
            for (int field = 3; field <= 19 && p != NULL; field++)
                p = strchr(p + 1, ' ');
            if (p != NULL && sscanf(p + 1, "%ld", &nice) == 1 && nice == want)
                n++;
        }
        fclose(f);
    }
    closedir(d);
    return n;
}

/* Issue 7: hashes run on their own lower-priority threads, so request
 * threads serving token refreshes preempt them during a sign-in storm. */
static void
test_hashes_run_on_low_priority_threads(void **state)
{
    (void)state;
    assert_int_equal(threads_with_nice(GH_PASSWORD_NICE),
        (int)gh_password_gate(&test_app)->limit);
    assert_true(threads_with_nice(0) >= 1); /* the callers keep theirs */
}

static void
test_bounded_verify_counts_nul_bytes(void **state)
{
    struct gh_err err = { 0 };
    char         *phc = NULL;
    int           ok = -1, stale = -1;

    assert_int_equal(gh_password_hash_bounded(&test_app, "abc\0defgh", 9, &phc, &err), 0);
    assert_int_equal(gh_password_verify_bounded(&test_app, phc, "abc", 3, &ok, &stale, &err), 0);
    assert_int_equal(ok, 0);
    assert_int_equal(gh_password_verify_bounded(&test_app, phc, "abc\0defgh", 9, &ok, &stale,
                         &err), 0);
    assert_int_equal(ok, 1);
    assert_int_equal(stale, 0);
    free(phc);
}

/* ---- core against a real SQLite store ---- */

struct fixture {
    char            dir[64];
    char            url[128];
    struct gh_store *st;
    char             ins[GH_ID_MAX];
};

static int
teardown_store(void **state)
{
    struct fixture *f = *state;
    const char     *files[] = { "gh.db", "gh.db-wal", "gh.db-shm", "gh.db.key" };
    char            path[160];

    if (f == NULL)
        return 0;
    gh_store_close(f->st);
    test_app.store = NULL;
    for (size_t i = 0; i < 4; i++) {
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
    snprintf(f->dir, sizeof(f->dir), "/tmp/gh_test_user_XXXXXX");
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
    return 0;
}

/* Creates a user with one email (and optionally a password). */
static struct gh_user *
mk_user(struct fixture *f, const char *email, const char *pw, size_t pwlen)
{
    struct gh_user_params p;
    struct gh_user       *u = NULL;
    struct gh_err         err = { 0 };
    const char           *emails[1] = { email };

    gh_user_params_init(&p);
    p.email_addresses = emails;
    p.n_email_addresses = email != NULL;
    p.password = pw;
    p.password_len = pwlen;
    p.password_given = pw != NULL;
    if (gh_user_create(&test_app, f->ins, &p, &u, &err) == -1)
        fail_msg("create: %s %s %s", gh_err_name(err.code), err.desc, err.note);
    return u;
}

static void
test_create_normalises_and_verifies_by_admin(void **state)
{
    struct fixture       *f = *state;
    struct gh_user_params p;
    struct gh_user       *u = NULL;
    struct gh_err         err = { 0 };
    const char           *emails[] = { " Ann@Example.com ", "ann2@example.com" };
    const char           *phones[] = { "+1 555 555 0100" };

    gh_user_params_init(&p);
    p.email_addresses = emails;
    p.n_email_addresses = 2;
    p.phone_numbers = phones;
    p.n_phone_numbers = 1;
    p.username = "Ann_X";
    p.first_name = "Ann";
    p.public_metadata = "{ \"plan\" : \"pro\" }";
    p.created_at = 1000;
    assert_int_equal(gh_user_create(&test_app, f->ins, &p, &u, &err), 0);
    assert_true(gh_id_valid("user", u->id));
    assert_string_equal(u->username, "ann_x");
    assert_int_equal(u->nidents, 3);
    assert_string_equal(u->primary_email_id, u->idents[0].id);
    assert_string_equal(u->idents[0].value, "ann@example.com");
    assert_int_equal(u->idents[0].verified, 1);
    assert_string_equal(u->idents[0].strategy, "admin");
    assert_non_null(u->primary_phone_id);
    assert_string_equal(u->public_metadata, "{\"plan\":\"pro\"}");
    assert_int_equal(u->created_at, 1000);
    assert_null(u->password_hash);
    gh_user_free(u);
}

static void
test_create_refuses_taken_and_repeated_identifiers(void **state)
{
    struct fixture       *f = *state;
    struct gh_user_params p;
    struct gh_user       *u = mk_user(f, "taken@example.com", NULL, 0), *u2 = NULL;
    struct gh_err         err = { 0 };
    const char           *emails[] = { "TAKEN@example.com" };
    const char           *twice[] = { "x@example.com", "X@example.com" };

    gh_user_params_init(&p);
    p.email_addresses = emails;
    p.n_email_addresses = 1;
    assert_int_equal(gh_user_create(&test_app, f->ins, &p, &u2, &err), -1);
    assert_int_equal(err.code, GH_E_IDENTIFIER_EXISTS);
    assert_string_equal(err.param, "email_address");
    assert_string_equal(gh_err_message(&err), "That email address is taken. Please try another.");
    gh_err_clear(&err);
    p.email_addresses = twice;
    p.n_email_addresses = 2;
    assert_int_equal(gh_user_create(&test_app, f->ins, &p, &u2, &err), -1);
    assert_string_equal(err.param, "email_address");
    gh_err_clear(&err);
    p.n_email_addresses = 0;
    p.password = "short";
    p.password_len = 5;
    p.password_given = 1;
    assert_int_equal(gh_user_create(&test_app, f->ins, &p, &u2, &err), -1);
    assert_int_equal(err.code, GH_E_PASSWORD_TOO_SHORT);
    assert_null(u2);
    gh_user_free(u);
}

static void
test_update_changes_only_given_fields(void **state)
{
    struct fixture      *f = *state;
    struct gh_user      *u = mk_user(f, "upd@example.com", NULL, 0), *v = NULL;
    struct gh_user_patch p = { 0 };
    struct gh_err        err = { 0 };

    p.fields = GH_USER_F_FIRST_NAME | GH_USER_F_USERNAME | GH_USER_F_EXTERNAL_ID;
    p.first_name = "Zed";
    p.username = "Zed.Name";
    p.external_id = "ext-1";
    assert_int_equal(gh_user_update(&test_app, f->ins, u->id, &p, &v, &err), 0);
    assert_string_equal(v->first_name, "Zed");
    assert_string_equal(v->username, "zed.name");
    assert_string_equal(v->external_id, "ext-1");
    assert_string_equal(v->primary_email_id, u->primary_email_id);
    assert_true(v->updated_at >= u->updated_at);
    gh_user_free(v);
    memset(&p, 0, sizeof(p));
    p.fields = GH_USER_F_USERNAME | GH_USER_F_PRIMARY_EMAIL;
    p.username = NULL; /* clears */
    p.primary_email_address_id = "idn_nope";
    assert_int_equal(gh_user_update(&test_app, f->ins, u->id, &p, &v, &err), -1);
    assert_string_equal(err.param, "primary_email_address_id");
    gh_err_clear(&err);
    p.fields = GH_USER_F_USERNAME;
    assert_int_equal(gh_user_update(&test_app, f->ins, u->id, &p, &v, &err), 0);
    assert_null(v->username);
    assert_string_equal(v->first_name, "Zed");
    gh_user_free(v);
    assert_int_equal(gh_user_update(&test_app, f->ins, "user_missing", &p, &v, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    assert_string_equal(gh_err_message(&err), "User not found");
    gh_user_free(u);
}

static void
test_metadata_merge_and_replace(void **state)
{
    struct fixture *f = *state;
    struct gh_user *u = mk_user(f, "md@example.com", NULL, 0), *v = NULL;
    struct gh_err   err = { 0 };

    assert_int_equal(gh_user_metadata(&test_app, f->ins, u->id, "{\"a\":{\"b\":1,\"c\":2}}",
                         "{\"s\":1}", NULL, 0, &v, &err), 0);
    gh_user_free(v);
    assert_int_equal(gh_user_metadata(&test_app, f->ins, u->id, "{\"a\":{\"b\":null,\"d\":3}}",
                         NULL, NULL, 1, &v, &err), 0);
    assert_string_equal(v->public_metadata, "{\"a\":{\"c\":2,\"d\":3}}");
    assert_string_equal(v->private_metadata, "{\"s\":1}");
    assert_string_equal(v->unsafe_metadata, "{}");
    gh_user_free(v);
    assert_int_equal(gh_user_metadata(&test_app, f->ins, u->id, NULL, "{\"t\":2}", NULL, 0, &v,
                         &err), 0);
    assert_string_equal(v->private_metadata, "{\"t\":2}");
    assert_string_equal(v->public_metadata, "{\"a\":{\"c\":2,\"d\":3}}");
    gh_user_free(v);
    assert_int_equal(gh_user_metadata(&test_app, f->ins, u->id, "[1]", NULL, NULL, 0, &v, &err),
        -1);
    assert_string_equal(err.param, "public_metadata");
    gh_user_free(u);
}

static void
test_verify_password_uses_length_not_nul(void **state)
{
    struct fixture *f = *state;
    struct gh_user *u = mk_user(f, "pw@example.com", "abc\0defgh", 9), *n = NULL;
    struct gh_err   err = { 0 };

    assert_non_null(u->password_hash);
    assert_true(u->password_updated_at != GH_TIME_NULL);
    assert_int_equal(gh_user_verify_password(&test_app, f->ins, u->id, "abc", 3, &err), -1);
    assert_int_equal(err.code, GH_E_PASSWORD_INCORRECT);
    gh_err_clear(&err);
    assert_int_equal(gh_user_verify_password(&test_app, f->ins, u->id, "abc\0defgh", 9, &err), 0);
    n = mk_user(f, "nopw@example.com", NULL, 0);
    assert_int_equal(gh_user_verify_password(&test_app, f->ins, n->id, "whatever1", 9, &err), -1);
    assert_int_equal(err.code, GH_E_PASSWORD_NOT_SET);
    gh_user_free(n);
    gh_user_free(u);
}

static void
test_state_changes_and_delete(void **state)
{
    struct fixture *f = *state;
    struct gh_user *u = mk_user(f, "st@example.com", NULL, 0), *v = NULL;
    struct gh_err   err = { 0 };

    assert_int_equal(gh_user_set_state(&test_app, f->ins, u->id, GH_USER_BAN, &v, &err), 0);
    assert_int_equal(v->banned, 1);
    gh_user_free(v);
    assert_int_equal(gh_user_set_state(&test_app, f->ins, u->id, GH_USER_LOCK, &v, &err), 0);
    assert_int_equal(v->locked, 1);
    gh_user_free(v);
    assert_int_equal(gh_user_set_state(&test_app, f->ins, u->id, GH_USER_UNLOCK, &v, &err), 0);
    assert_int_equal(v->locked, 0);
    assert_int_equal(v->failed_attempts, 0);
    assert_int_equal(v->banned, 1);
    gh_user_free(v);
    assert_int_equal(gh_user_delete(&test_app, f->ins, u->id, &err), 0);
    assert_int_equal(gh_user_get(&test_app, f->ins, u->id, &v, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    gh_err_clear(&err);
    assert_int_equal(gh_user_delete(&test_app, f->ins, u->id, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    gh_user_free(u);
}

static void
test_list_and_count_filter(void **state)
{
    struct fixture       *f = *state;
    struct gh_user       *a = mk_user(f, "list-a@example.com", NULL, 0);
    struct gh_user       *b;
    struct gh_user      **v = NULL;
    struct gh_user_filter flt;
    struct gh_err         err = { 0 };
    const char           *emails[] = { "list-a@example.com", "list-b@example.com" };
    size_t                n = 0;
    int64_t               total = 0;

    usleep(3000); /* distinct created_at, so the order is defined */
    b = mk_user(f, "list-b@example.com", NULL, 0);
    gh_user_filter_init(&flt);
    flt.email_addresses = emails;
    flt.n_email_addresses = 2;
    assert_int_equal(gh_user_count(&test_app, f->ins, &flt, &total, &err), 0);
    assert_int_equal(total, 2);
    flt.limit = 1;
    assert_int_equal(gh_user_list(&test_app, f->ins, &flt, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0]->id, b->id); /* -created_at: newest first */
    gh_users_free(v, n);
    flt.order_desc = 0;
    assert_int_equal(gh_user_list(&test_app, f->ins, &flt, &v, &n, &err), 0);
    assert_string_equal(v[0]->id, a->id);
    gh_users_free(v, n);
    gh_user_free(a);
    gh_user_free(b);
}

static void
test_email_addresses_add_promote_remove(void **state)
{
    struct fixture  *f = *state;
    struct gh_user  *u = mk_user(f, "one@example.com", NULL, 0), *v = NULL;
    struct gh_ident *i = NULL, *j = NULL;
    struct gh_err    err = { 0 };

    assert_int_equal(gh_ident_add(&test_app, f->ins, u->id, GH_IDENT_EMAIL, "Two@Example.com", 0,
                         0, &i, &err), 0);
    assert_string_equal(i->value, "two@example.com");
    assert_int_equal(i->verified, 0);
    assert_int_equal(gh_ident_add(&test_app, f->ins, u->id, GH_IDENT_EMAIL, "two@example.com", 1,
                         0, &j, &err), -1);
    assert_int_equal(err.code, GH_E_IDENTIFIER_EXISTS);
    gh_err_clear(&err);
    assert_int_equal(gh_ident_modify(&test_app, f->ins, i->id, GH_IDENT_EMAIL, 1, 1, &j, &err), 0);
    assert_int_equal(j->verified, 1);
    gh_ident_free(j);
    assert_int_equal(gh_user_get(&test_app, f->ins, u->id, &v, &err), 0);
    assert_string_equal(v->primary_email_id, i->id);
    gh_user_free(v);
    /* removing the primary promotes the next address */
    assert_int_equal(gh_ident_remove(&test_app, f->ins, i->id, GH_IDENT_EMAIL, &err), 0);
    assert_int_equal(gh_user_get(&test_app, f->ins, u->id, &v, &err), 0);
    assert_string_equal(v->primary_email_id, u->idents[0].id);
    assert_int_equal(v->nidents, 1);
    gh_user_free(v);
    assert_int_equal(gh_ident_remove(&test_app, f->ins, u->idents[0].id, GH_IDENT_EMAIL, &err), 0);
    assert_int_equal(gh_user_get(&test_app, f->ins, u->id, &v, &err), 0);
    assert_null(v->primary_email_id);
    gh_user_free(v);
    assert_int_equal(gh_ident_load(&test_app, f->ins, i->id, GH_IDENT_EMAIL, &j, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    gh_ident_free(i);
    gh_user_free(u);
}

int
main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test(test_email_normalises_good_addresses),
        cmocka_unit_test(test_email_rejects_bad_addresses),
        cmocka_unit_test(test_phone_normalises_e164),
        cmocka_unit_test(test_phone_rejects_bad_numbers),
        cmocka_unit_test(test_username_rules),
        cmocka_unit_test(test_password_policy),
        cmocka_unit_test(test_render_user_has_every_field),
        cmocka_unit_test(test_gate_bounds_concurrency),
        cmocka_unit_test(test_gate_wait_is_bounded),
        cmocka_unit_test(test_bounded_hashing_respects_config), /* first user of the global gate */
        cmocka_unit_test(test_hashes_run_on_low_priority_threads),
        cmocka_unit_test(test_bounded_verify_counts_nul_bytes),
    };
    const struct CMUnitTest stored[] = {
        cmocka_unit_test(test_create_normalises_and_verifies_by_admin),
        cmocka_unit_test(test_create_refuses_taken_and_repeated_identifiers),
        cmocka_unit_test(test_update_changes_only_given_fields),
        cmocka_unit_test(test_metadata_merge_and_replace),
        cmocka_unit_test(test_verify_password_uses_length_not_nul),
        cmocka_unit_test(test_state_changes_and_delete),
        cmocka_unit_test(test_list_and_count_filter),
        cmocka_unit_test(test_email_addresses_add_promote_remove),
    };
    struct gh_err err = { 0 };
    int           failed;

    if (gh_crypto_init(&err) == -1)
        return 1;
    failed = cmocka_run_group_tests_name("user_pure", pure, NULL, NULL);
    failed += cmocka_run_group_tests_name("user_store", stored, setup_store, teardown_store);
    return failed;
}
