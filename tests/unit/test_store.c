/* test_store.c: the store contract suite (store.h). Every test runs against
 * SQLite in a temporary file and, when GH_TEST_PG_URL is set, again against
 * PostgreSQL (schema "public" dropped and recreated first). Each test works
 * in its own instance so lists and counts see only its rows. Set
 * GH_TEST_PG_RESTART to a shell command that restarts the server to also
 * check that the store reconnects by itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/str.h"

struct fixture {
    const char      *dialect;
    char             url[512];
    char             dir[64]; /* SQLite temp dir, or "" */
    struct gh_store *st;
};

static unsigned id_seq;

/* A fresh id with a prefix; unique within the run. */
static void
new_id(const char *prefix, char out[GH_ID_MAX])
{
    snprintf(out, GH_ID_MAX, "%s_t%u", prefix, ++id_seq);
}

/* A new instance for one test, so counts are exact. */
static void
new_instance(struct fixture *f, char id[GH_ID_MAX])
{
    struct gh_instance in = { 0 };
    struct gh_err      err = { 0 };

    new_id("ins", in.id);
    in.name = "Test";
    in.settings = "{}";
    in.created_at = in.updated_at = 1000 + id_seq;
    assert_int_equal(gh_store_instance_insert(f->st, &in, &err), 0);
    memcpy(id, in.id, GH_ID_MAX);
}

static struct gh_ident *
add_ident(struct gh_user *u, enum gh_ident_type type, const char *value, int64_t at)
{
    struct gh_ident *i = gh_user_ident_add(u);

    assert_non_null(i);
    new_id("idn", i->id);
    memcpy(i->user_id, u->id, GH_ID_MAX);
    i->type = type;
    i->value = strdup(value);
    i->strategy = strdup("admin");
    i->created_at = i->updated_at = at;
    return i;
}

/* A user with the given emails (NULL-terminated list), not yet stored. */
static struct gh_user *
make_user(const char *first, const char *username, int64_t created, const char **emails)
{
    struct gh_user *u = gh_user_new();

    assert_non_null(u);
    new_id("user", u->id);
    u->first_name = gh_strdup(first);
    u->username = gh_strdup(username);
    u->created_at = u->updated_at = created;
    for (size_t k = 0; emails != NULL && emails[k] != NULL; k++)
        add_ident(u, GH_IDENT_EMAIL, emails[k], created + (int64_t)k);
    if (u->nidents > 0)
        u->primary_email_id = strdup(u->idents[0].id);
    return u;
}

static void
insert_user(struct fixture *f, const char *ins, struct gh_user *u)
{
    struct gh_err err = { 0 };

    if (gh_store_user_insert(f->st, ins, u, &err) == -1)
        fail_msg("user insert: %s %s", gh_err_name(err.code), err.note);
}

static void
insert_session(struct fixture *f, const char *ins, const char *user_id, const char *status,
    int64_t at, char id[GH_ID_MAX])
{
    struct gh_session s = { 0 };
    struct gh_err     err = { 0 };

    new_id("sess", s.id);
    memcpy(s.user_id, user_id, GH_ID_MAX);
    gh_strlcpy(s.client_id, "client_x", sizeof(s.client_id));
    gh_strlcpy(s.status, status, sizeof(s.status));
    s.last_active_at = s.expire_at = s.abandon_at = GH_TIME_NULL;
    s.created_at = s.updated_at = at;
    assert_int_equal(gh_store_session_insert(f->st, ins, &s, &err), 0);
    if (id != NULL)
        memcpy(id, s.id, GH_ID_MAX);
}

/* ---- migrations, instances, keys ---- */

static void
test_migrate_is_idempotent(void **state)
{
    struct fixture *f = *state;
    struct gh_err   err = { 0 };
    int             v = -1;

    assert_int_equal(gh_store_migrate(f->st, &err), 0);
    assert_int_equal(gh_store_migrate(f->st, &err), 0);
    assert_int_equal(gh_store_schema_version(f->st, &v, &err), 0);
    assert_true(v >= 2); /* 0001 + 0002_orgs (issue 3) and any later ones */
    assert_int_equal(gh_store_ping(f->st, &err), 0);
    assert_string_equal(gh_store_dialect(f->st), f->dialect);
    if (strcmp(f->dialect, "sqlite") == 0)
        assert_non_null(strstr(gh_store_sqlite_path(f->st), f->dir));
    else
        assert_null(gh_store_sqlite_path(f->st));
}

static void
test_sqlite_url_forms(void **state)
{
    struct fixture  *f = *state;
    struct gh_store *st = NULL;
    struct gh_err    err = { 0 };
    char             url[256], want[256];
    const char      *prefixes[] = { "sqlite://", "sqlite:", "" };

    if (strcmp(f->dialect, "sqlite") != 0)
        skip();
    snprintf(want, sizeof(want), "%s/u.db", f->dir);
    for (int k = 0; k < 3; k++) {
        snprintf(url, sizeof(url), "%s%s", prefixes[k], want);
        assert_int_equal(gh_store_open(url, &st, &err), 0);
        assert_string_equal(gh_store_sqlite_path(st), want);
        assert_int_equal(gh_store_ping(st, &err), 0);
        gh_store_close(st);
    }
    assert_int_equal(access(want, F_OK), 0);
    unlink(want);
    snprintf(want, sizeof(want), "%s/u.db-wal", f->dir);
    unlink(want);
    snprintf(want, sizeof(want), "%s/u.db-shm", f->dir);
    unlink(want);
    assert_int_equal(gh_store_open("sqlite:///nonexistent-dir/x.db", &st, &err), -1);
    assert_int_equal(err.code, GH_E_STORE);
    assert_null(st);
}

static void
test_instance_insert_find_update(void **state)
{
    struct fixture     *f = *state;
    struct gh_instance *in = NULL, up = { 0 };
    struct gh_err       err = { 0 };
    char                ins[GH_ID_MAX];

    new_instance(f, ins);
    assert_int_equal(gh_store_instance_find_default(f->st, &in, &err), 0);
    assert_non_null(in);
    assert_string_equal(in->name, "Test");
    memcpy(up.id, in->id, GH_ID_MAX);
    up.name = "Renamed";
    up.frontend_url = "http://x";
    up.publishable_key = "pk_test_x";
    up.settings = "{\"a\":1}";
    up.updated_at = 99;
    assert_int_equal(gh_store_instance_update(f->st, &up, &err), 0);
    gh_instance_free(in);
    assert_int_equal(gh_store_instance_find_default(f->st, &in, &err), 0);
    assert_string_equal(in->name, "Renamed");
    /* settings change only through gh_store_instance_settings_set */
    assert_string_equal(in->settings, "{}");
    assert_string_equal(in->publishable_key, "pk_test_x");
    gh_instance_free(in);
    new_id("ins", up.id);
    assert_int_equal(gh_store_instance_update(f->st, &up, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
}

/* Issue 4: settings are written with a compare-and-set on their version, so
 * two servers editing at once cannot lose each other's change. */
static void
test_instance_settings_compare_and_set(void **state)
{
    struct fixture *f = *state;
    struct gh_err   err = { 0 };
    char            ins[GH_ID_MAX], *text = NULL;
    int64_t         v0 = -1, v1 = -1, v = -1;
    int             changed = -1;

    new_instance(f, ins);
    assert_int_equal(gh_store_instance_settings_get(f->st, ins, &text, &v0, &err), 0);
    assert_string_equal(text, "{}");
    free(text);
    assert_int_equal(gh_store_instance_settings_set(f->st, ins, "{\"a\":1}", v0, 5, &changed,
                         &err), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(gh_store_instance_settings_version(f->st, ins, &v1, &err), 0);
    assert_int_equal(v1, v0 + 1);
    /* a writer that read v0 loses: nothing written */
    assert_int_equal(gh_store_instance_settings_set(f->st, ins, "{\"b\":2}", v0, 6, &changed,
                         &err), 0);
    assert_int_equal(changed, 0);
    assert_int_equal(gh_store_instance_settings_get(f->st, ins, &text, &v, &err), 0);
    assert_string_equal(text, "{\"a\":1}");
    assert_int_equal(v, v1);
    free(text);
    new_id("ins", ins);
    assert_int_equal(gh_store_instance_settings_get(f->st, ins, &text, &v, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
}

static void
test_signing_keys_round_trip_binary(void **state)
{
    struct fixture        *f = *state;
    unsigned char          sealed[256];
    struct gh_signing_key  k = { 0 }, *v = NULL;
    struct gh_err          err = { 0 };
    size_t                 n = 0;
    char                   ins[GH_ID_MAX];

    new_instance(f, ins);
    for (size_t i = 0; i < sizeof(sealed); i++)
        sealed[i] = (unsigned char)(255 - i); /* includes 0x00 and high bytes */
    gh_strlcpy(k.alg, "RS256", sizeof(k.alg));
    k.private_sealed = sealed;
    k.private_sealed_len = sizeof(sealed);
    k.public_pem = "-----BEGIN PUBLIC KEY-----\n";
    for (int i = 0; i < 2; i++) {
        new_id("kid", k.kid);
        k.active = i;
        k.created_at = 100 + i;
        assert_int_equal(gh_store_signing_key_insert(f->st, ins, &k, &err), 0);
    }
    assert_int_equal(gh_store_signing_key_list(f->st, ins, &v, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0].kid, k.kid); /* newest first */
    assert_int_equal(v[0].active, 1);
    assert_int_equal(v[1].active, 0);
    assert_int_equal(v[0].private_sealed_len, sizeof(sealed));
    assert_memory_equal(v[0].private_sealed, sealed, sizeof(sealed));
    assert_string_equal(v[1].public_pem, k.public_pem);
    gh_signing_keys_free(v, n);
}

static void
test_api_key_find_and_revoke(void **state)
{
    struct fixture    *f = *state;
    struct gh_api_key  k = { 0 }, *v = NULL;
    struct gh_err      err = { 0 };
    char               ins[GH_ID_MAX], got[GH_ID_MAX] = "";
    int                found = -1;
    size_t             n;

    new_instance(f, ins);
    new_id("ak", k.id);
    snprintf(k.secret_hash, sizeof(k.secret_hash), "%064u", id_seq);
    gh_strlcpy(k.hint, "abcd", sizeof(k.hint));
    k.created_at = 5;
    k.revoked_at = GH_TIME_NULL;
    assert_int_equal(gh_store_api_key_insert(f->st, ins, &k, &err), 0);
    assert_int_equal(gh_store_api_key_find(f->st, k.secret_hash, &found, got, &err), 0);
    assert_int_equal(found, 1);
    assert_string_equal(got, ins);
    assert_int_equal(gh_store_api_key_find(f->st, "nope", &found, got, &err), 0);
    assert_int_equal(found, 0);
    assert_int_equal(gh_store_api_key_list(f->st, ins, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0].hint, "abcd");
    assert_true(v[0].revoked_at == GH_TIME_NULL);
    free(v);
    assert_int_equal(gh_store_api_key_revoke(f->st, ins, k.id, 77, &err), 0);
    assert_int_equal(gh_store_api_key_find(f->st, k.secret_hash, &found, got, &err), 0);
    assert_int_equal(found, 0);
    assert_int_equal(gh_store_api_key_revoke(f->st, ins, "ak_none", 78, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
}

/* ---- users ---- */

static void
test_user_insert_get_update(void **state)
{
    struct fixture  *f = *state;
    const char      *emails[] = { "a@x.test", "b@x.test", NULL };
    struct gh_user  *u = make_user("Ann", "ann", 1000, emails), *g = NULL;
    struct gh_err    err = { 0 };
    char             ins[GH_ID_MAX];

    new_instance(f, ins);
    add_ident(u, GH_IDENT_PHONE, "+15550001", 1000);
    for (size_t k = 0; k < u->nidents; k++) { /* same time, ids sorting backwards */
        u->idents[k].created_at = 1000;
        u->idents[k].id[4] = (char)('z' - k);
    }
    free(u->primary_email_id);
    u->primary_email_id = strdup(u->idents[0].id);
    u->password_hash = strdup("$argon2id$x");
    u->lockout_until = 123;
    insert_user(f, ins, u);
    assert_int_equal(gh_store_user_get(f->st, ins, u->id, &g, &err), 0);
    assert_string_equal(g->first_name, "Ann");
    assert_string_equal(g->username, "ann");
    assert_null(g->last_name);
    assert_null(g->external_id);
    assert_string_equal(g->public_metadata, "{}");
    assert_string_equal(g->password_hash, "$argon2id$x");
    assert_true(g->lockout_until == 123);
    assert_true(g->last_active_at == GH_TIME_NULL);
    assert_int_equal(g->delete_self_enabled, 1);
    assert_int_equal(g->nidents, 3); /* creation order */
    assert_string_equal(g->idents[0].value, "a@x.test");
    assert_string_equal(g->idents[1].value, "b@x.test");
    assert_int_equal(g->idents[2].type, GH_IDENT_PHONE);
    assert_string_equal(g->idents[2].strategy, "admin");
    assert_string_equal(g->primary_email_id, u->idents[0].id);

    free(g->last_name);
    g->last_name = strdup("Lee");
    free(g->public_metadata);
    g->public_metadata = strdup("{\"k\":\"v\"}");
    g->banned = 1;
    g->lockout_until = GH_TIME_NULL;
    g->updated_at = 2000;
    assert_int_equal(gh_store_user_update(f->st, ins, g, &err), 0);
    gh_user_free(g);
    assert_int_equal(gh_store_user_get(f->st, ins, u->id, &g, &err), 0);
    assert_string_equal(g->last_name, "Lee");
    assert_string_equal(g->public_metadata, "{\"k\":\"v\"}");
    assert_int_equal(g->banned, 1);
    assert_true(g->lockout_until == 123); /* issue 6: update leaves the lockout counters alone */
    assert_true(g->updated_at == 2000);
    gh_user_free(g);
    assert_int_equal(gh_store_user_attempt_reset(f->st, ins, u->id, &err), 0);
    assert_int_equal(gh_store_user_get(f->st, ins, u->id, &g, &err), 0);
    assert_true(g->lockout_until == GH_TIME_NULL);
    assert_int_equal(g->failed_attempts, 0);
    gh_user_free(g);
    gh_user_free(u);
}

static void
test_user_unknown_is_not_found(void **state)
{
    struct fixture *f = *state;
    struct gh_user *g = (struct gh_user *)1, *u = gh_user_new();
    struct gh_err   err = { 0 };
    char            ins[GH_ID_MAX];

    new_instance(f, ins);
    assert_int_equal(gh_store_user_get(f->st, ins, "user_none", &g, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    assert_null(g);
    gh_err_clear(&err);
    gh_strlcpy(u->id, "user_none", sizeof(u->id));
    assert_int_equal(gh_store_user_update(f->st, ins, u, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    gh_err_clear(&err);
    assert_int_equal(gh_store_user_delete(f->st, ins, "user_none", &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    assert_int_equal(gh_store_user_find_by_ident(f->st, ins, GH_IDENT_EMAIL, "z@z", &g, &err), 0);
    assert_null(g);
    gh_user_free(u);
}

static void
test_user_duplicates_name_the_field(void **state)
{
    struct fixture *f = *state;
    const char     *e1[] = { "dup@x.test", NULL };
    struct gh_user *a = make_user("A", "dupname", 1, e1), *b;
    struct gh_user *g = NULL;
    struct gh_err   err = { 0 };
    char            ins[GH_ID_MAX];

    new_instance(f, ins);
    a->external_id = strdup("ext-1");
    add_ident(a, GH_IDENT_PHONE, "+15550002", 2);
    insert_user(f, ins, a);

    b = make_user("B", "other", 2, e1); /* same email */
    assert_int_equal(gh_store_user_insert(f->st, ins, b, &err), -1);
    assert_int_equal(err.code, GH_E_IDENTIFIER_EXISTS);
    assert_string_equal(err.param, "email_address");
    assert_int_equal(gh_store_user_get(f->st, ins, b->id, &g, &err), -1); /* rolled back */
    gh_user_free(b);

    gh_err_clear(&err);
    b = make_user("B", "other2", 2, NULL);
    add_ident(b, GH_IDENT_PHONE, "+15550002", 2);
    assert_int_equal(gh_store_user_insert(f->st, ins, b, &err), -1);
    assert_int_equal(err.code, GH_E_IDENTIFIER_EXISTS);
    assert_string_equal(err.param, "phone_number");
    gh_user_free(b);

    gh_err_clear(&err);
    b = make_user("B", "dupname", 3, NULL);
    assert_int_equal(gh_store_user_insert(f->st, ins, b, &err), -1);
    assert_int_equal(err.code, GH_E_IDENTIFIER_EXISTS);
    assert_string_equal(err.param, "username");
    gh_user_free(b);

    gh_err_clear(&err);
    b = make_user("B", NULL, 3, NULL);
    b->external_id = strdup("ext-1");
    assert_int_equal(gh_store_user_insert(f->st, ins, b, &err), -1);
    assert_int_equal(err.code, GH_E_IDENTIFIER_EXISTS);
    assert_string_equal(err.param, "external_id");
    gh_user_free(b);

    gh_err_clear(&err); /* NULL usernames never clash; other instances never clash */
    b = make_user("B", NULL, 4, NULL);
    insert_user(f, ins, b);
    gh_user_free(b);
    b = make_user("C", NULL, 4, NULL);
    insert_user(f, ins, b);
    gh_user_free(b);
    new_instance(f, ins);
    b = make_user("D", "dupname", 5, e1);
    insert_user(f, ins, b);
    gh_user_free(b);
    gh_user_free(a);
}

/* Five users for the list tests; returns their ids in creation order. */
static void
seed_users(struct fixture *f, const char *ins, char ids[5][GH_ID_MAX])
{
    const char     *firsts[] = { "Zed", "Amy", "Bob", "100%_real", "Eve" };
    const char     *unames[] = { "zed", "amy", NULL, "pct", "eve" };
    char            mail[5][32];
    struct gh_user *u;

    for (int k = 0; k < 5; k++) {
        const char *e[] = { mail[k], NULL };

        snprintf(mail[k], sizeof(mail[k]), "u%d@list.test", k);
        u = make_user(firsts[k], unames[k], 10000 + k * 10, e);
        if (k == 1)
            add_ident(u, GH_IDENT_PHONE, "+15551111", 10011);
        if (k == 2) {
            u->external_id = strdup("ext_b");
            u->banned = 1;
        }
        u->last_active_at = k >= 3 ? 50000 + k : GH_TIME_NULL;
        insert_user(f, ins, u);
        memcpy(ids[k], u->id, GH_ID_MAX);
        gh_user_free(u);
    }
}

/* Lists with f and checks the result ids (in order) and that count agrees. */
static void
expect_list(struct fixture *f, const char *ins, const struct gh_user_filter *flt,
    char ids[5][GH_ID_MAX], const char *want)
{
    struct gh_user **v = NULL;
    struct gh_err    err = { 0 };
    size_t           n = 0;
    int64_t          cnt = -1;
    char             got[16] = "";

    if (gh_store_user_list(f->st, ins, flt, &v, &n, &err) == -1)
        fail_msg("list: %s %s", gh_err_name(err.code), err.note);
    for (size_t i = 0; i < n && i < sizeof(got) - 1; i++)
        for (int k = 0; k < 5; k++)
            if (strcmp(v[i]->id, ids[k]) == 0)
                got[i] = (char)('0' + k);
    assert_string_equal(got, want);
    assert_int_equal(gh_store_user_count(f->st, ins, flt, &cnt, &err), 0);
    if (flt->offset == 0 && (int64_t)strlen(want) < flt->limit)
        assert_int_equal(cnt, strlen(want));
    for (size_t i = 0; i < n; i++) /* identifiers come along */
        assert_true(v[i]->nidents >= 1);
    gh_users_free(v, n);
}

static void
test_user_list_order(void **state)
{
    struct fixture       *f = *state;
    struct gh_user_filter flt;
    char                  ins[GH_ID_MAX], ids[5][GH_ID_MAX];

    new_instance(f, ins);
    seed_users(f, ins, ids);
    gh_user_filter_init(&flt);
    expect_list(f, ins, &flt, ids, "43210"); /* default -created_at */
    flt.order_desc = 0;
    expect_list(f, ins, &flt, ids, "01234");
    flt.limit = 2;
    flt.offset = 1;
    expect_list(f, ins, &flt, ids, "12");
    gh_user_filter_init(&flt);
    flt.order_field = "first_name";
    flt.order_desc = 0;
    expect_list(f, ins, &flt, ids, "31240"); /* "100%_real" < Amy < Bob < Eve < Zed */
    flt.order_field = "username";
    expect_list(f, ins, &flt, ids, "14302"); /* amy eve pct zed, NULL last */
    flt.order_field = "email_address";
    flt.order_desc = 1;
    expect_list(f, ins, &flt, ids, "43210");
    flt.order_field = "no_such_column";
    {
        struct gh_user **v;
        size_t           n;
        struct gh_err    err = { 0 };

        assert_int_equal(gh_store_user_list(f->st, ins, &flt, &v, &n, &err), -1);
        assert_int_equal(err.code, GH_E_PARAM_VALUE_INVALID);
    }
}

static void
test_user_list_filters(void **state)
{
    struct fixture       *f = *state;
    struct gh_user_filter flt;
    char                  ins[GH_ID_MAX], ids[5][GH_ID_MAX];
    const char           *two[2], *one[1];

    new_instance(f, ins);
    seed_users(f, ins, ids);
    gh_user_filter_init(&flt);
    two[0] = "u1@list.test";
    two[1] = "u3@list.test";
    flt.email_addresses = two;
    flt.n_email_addresses = 2;
    expect_list(f, ins, &flt, ids, "31");
    one[0] = "+15551111";
    flt.phone_numbers = one; /* AND across fields */
    flt.n_phone_numbers = 1;
    expect_list(f, ins, &flt, ids, "1");

    gh_user_filter_init(&flt);
    two[0] = "zed";
    two[1] = "eve";
    flt.usernames = two;
    flt.n_usernames = 2;
    expect_list(f, ins, &flt, ids, "40");
    gh_user_filter_init(&flt);
    flt.user_ids = (const char *const[]){ ids[2], ids[3], "user_nope" };
    flt.n_user_ids = 3;
    expect_list(f, ins, &flt, ids, "32");
    gh_user_filter_init(&flt);
    flt.external_ids = (const char *const[]){ "ext_b" };
    flt.n_external_ids = 1;
    expect_list(f, ins, &flt, ids, "2");

    gh_user_filter_init(&flt);
    flt.created_after = 10010;
    flt.created_before = 10040;
    expect_list(f, ins, &flt, ids, "32");
    gh_user_filter_init(&flt);
    flt.last_active_since = 50004;
    expect_list(f, ins, &flt, ids, "4");
    gh_user_filter_init(&flt);
    flt.banned = 1;
    expect_list(f, ins, &flt, ids, "2");
    flt.banned = 0;
    expect_list(f, ins, &flt, ids, "4310");
}

static void
test_user_list_query_is_literal(void **state)
{
    struct fixture       *f = *state;
    struct gh_user_filter flt;
    char                  ins[GH_ID_MAX], ids[5][GH_ID_MAX];

    new_instance(f, ins);
    seed_users(f, ins, ids);
    gh_user_filter_init(&flt);
    flt.query = "0%_R"; /* literal, case-insensitive: only "100%_real" */
    expect_list(f, ins, &flt, ids, "3");
    flt.query = "%";
    expect_list(f, ins, &flt, ids, "3");
    flt.query = "_";
    expect_list(f, ins, &flt, ids, "43210"); /* every id is user_… */
    flt.query = "b_";                       /* literal: "bob" does not match */
    expect_list(f, ins, &flt, ids, "");
    flt.query = "U2@LIST"; /* through identifications */
    expect_list(f, ins, &flt, ids, "2");
    flt.query = "5551111";
    expect_list(f, ins, &flt, ids, "1");
    flt.query = "EXT_";
    expect_list(f, ins, &flt, ids, "2");
    flt.query = ids[4] + 5; /* part of an id */
    expect_list(f, ins, &flt, ids, "4");
    flt.query = "list.test";
    expect_list(f, ins, &flt, ids, "43210");
    flt.query = "nobody";
    expect_list(f, ins, &flt, ids, "");
}

static void
test_user_delete_cascades(void **state)
{
    struct fixture           *f = *state;
    const char               *e[] = { "gone@x.test", NULL };
    struct gh_user           *u = make_user("Gone", "gone", 1, e), *g = NULL;
    struct gh_session_filter  sf = { .limit = 10 };
    struct gh_ident          *i = NULL;
    struct gh_err             err = { 0 };
    int64_t                   cnt = -1;
    char                      ins[GH_ID_MAX];

    new_instance(f, ins);
    insert_user(f, ins, u);
    insert_session(f, ins, u->id, "active", 5, NULL);
    assert_int_equal(gh_store_user_find_by_ident(f->st, ins, GH_IDENT_EMAIL, "gone@x.test", &g,
                         &err), 0);
    assert_non_null(g);
    assert_string_equal(g->id, u->id);
    gh_user_free(g);
    assert_int_equal(gh_store_user_delete(f->st, ins, u->id, &err), 0);
    assert_int_equal(gh_store_ident_get(f->st, ins, u->idents[0].id, &i, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    sf.user_id = u->id;
    assert_int_equal(gh_store_session_count(f->st, ins, &sf, &cnt, &err), 0);
    assert_int_equal(cnt, 0);
    /* the email is free again */
    gh_user_free(u);
    u = make_user("Back", "gone", 2, e);
    insert_user(f, ins, u);
    gh_user_free(u);
}

static void
test_ident_get_update_delete(void **state)
{
    struct fixture  *f = *state;
    const char      *e[] = { "i@x.test", NULL };
    struct gh_user  *u = make_user("I", NULL, 1, e);
    struct gh_ident *i = NULL, extra = { 0 };
    struct gh_err    err = { 0 };
    char             ins[GH_ID_MAX];

    new_instance(f, ins);
    insert_user(f, ins, u);
    assert_int_equal(gh_store_ident_get(f->st, ins, u->idents[0].id, &i, &err), 0);
    assert_string_equal(i->value, "i@x.test");
    assert_int_equal(i->verified, 0);
    i->verified = 1;
    free(i->strategy);
    i->strategy = NULL;
    i->updated_at = 42;
    assert_int_equal(gh_store_ident_update(f->st, ins, i, &err), 0);
    gh_ident_free(i);
    assert_int_equal(gh_store_ident_get(f->st, ins, u->idents[0].id, &i, &err), 0);
    assert_int_equal(i->verified, 1);
    assert_null(i->strategy);
    assert_true(i->updated_at == 42);
    gh_ident_free(i);

    new_id("idn", extra.id);
    memcpy(extra.user_id, u->id, GH_ID_MAX);
    extra.type = GH_IDENT_EMAIL;
    extra.value = "i@x.test";
    assert_int_equal(gh_store_ident_insert(f->st, ins, &extra, &err), -1);
    assert_int_equal(err.code, GH_E_IDENTIFIER_EXISTS);
    assert_string_equal(err.param, "email_address");
    gh_err_clear(&err);
    extra.value = "j@x.test";
    assert_int_equal(gh_store_ident_insert(f->st, ins, &extra, &err), 0);
    assert_int_equal(gh_store_ident_delete(f->st, ins, u->idents[0].id, &err), 0);
    assert_int_equal(gh_store_ident_delete(f->st, ins, u->idents[0].id, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    gh_err_clear(&err);
    assert_int_equal(gh_store_ident_update(f->st, ins, &u->idents[0], &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    gh_user_free(u);
}

static void
test_transaction_rollback_and_nesting(void **state)
{
    struct fixture *f = *state;
    struct gh_user *u = make_user("Tx", NULL, 1, NULL), *g = NULL;
    struct gh_err   err = { 0 };
    char            ins[GH_ID_MAX];

    new_instance(f, ins);
    assert_int_equal(gh_store_begin(f->st, &err), 0);
    assert_int_equal(gh_store_begin(f->st, &err), -1); /* nested */
    gh_err_clear(&err);
    insert_user(f, ins, u); /* joins the open transaction */
    gh_store_rollback(f->st);
    gh_store_rollback(f->st); /* no-op */
    assert_int_equal(gh_store_user_get(f->st, ins, u->id, &g, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    gh_err_clear(&err);
    assert_int_equal(gh_store_begin(f->st, &err), 0);
    insert_user(f, ins, u);
    assert_int_equal(gh_store_commit(f->st, &err), 0);
    assert_int_equal(gh_store_user_get(f->st, ins, u->id, &g, &err), 0);
    gh_user_free(g);
    gh_user_free(u);
}

/* ---- sessions ---- */

static void
test_sessions(void **state)
{
    struct fixture           *f = *state;
    struct gh_user           *u = make_user("S", NULL, 1, NULL), *w = make_user("W", NULL, 1, NULL);
    struct gh_session        *s = NULL, **v = NULL;
    struct gh_session_filter  sf = { .limit = 10 };
    struct gh_client          c = { 0 };
    struct gh_err             err = { 0 };
    char                      ins[GH_ID_MAX], s1[GH_ID_MAX], s2[GH_ID_MAX];
    int                       changed = -1;
    int64_t                   cnt = -1;
    size_t                    n = 0;

    new_instance(f, ins);
    insert_user(f, ins, u);
    insert_user(f, ins, w);
    new_id("client", c.id);
    c.created_at = c.updated_at = 1;
    assert_int_equal(gh_store_client_insert(f->st, ins, &c, &err), 0);
    insert_session(f, ins, u->id, "active", 100, s1);
    insert_session(f, ins, u->id, "active", 200, s2);
    insert_session(f, ins, w->id, "active", 300, NULL);

    assert_int_equal(gh_store_session_get(f->st, ins, s1, &s, &err), 0);
    assert_string_equal(s->status, "active");
    assert_string_equal(s->user_id, u->id);
    assert_null(s->actor);
    assert_true(s->expire_at == GH_TIME_NULL);
    gh_session_free(s);
    assert_int_equal(gh_store_session_set_status(f->st, ins, s1, "revoked", "ended", 500,
                         &changed, &err), 0);
    assert_int_equal(changed, 0); /* from-condition not met */
    assert_int_equal(gh_store_session_set_status(f->st, ins, s1, "active", "revoked", 500,
                         &changed, &err), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(gh_store_session_set_status(f->st, ins, s1, "active", "revoked", 501,
                         &changed, &err), 0);
    assert_int_equal(changed, 0);
    assert_int_equal(gh_store_session_set_status(f->st, ins, s2, NULL, "ended", 502, &changed,
                         &err), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(gh_store_session_touch(f->st, ins, s2, 777, &err), 0);
    assert_int_equal(gh_store_session_get(f->st, ins, s2, &s, &err), 0);
    assert_string_equal(s->status, "ended");
    assert_true(s->updated_at == 502 && s->last_active_at == 777);
    gh_session_free(s);

    sf.user_id = u->id;
    assert_int_equal(gh_store_session_list(f->st, ins, &sf, &v, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0]->id, s2); /* newest first */
    gh_sessions_free(v, n);
    sf.status = "revoked";
    assert_int_equal(gh_store_session_count(f->st, ins, &sf, &cnt, &err), 0);
    assert_int_equal(cnt, 1);
    sf.user_id = NULL;
    sf.status = "active";
    assert_int_equal(gh_store_session_count(f->st, ins, &sf, &cnt, &err), 0);
    assert_int_equal(cnt, 1);
    assert_int_equal(gh_store_session_get(f->st, ins, "sess_none", &s, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    gh_user_free(u);
    gh_user_free(w);
}

/* ---- /v1/me (issue 4, 0010) ---- */

static void
test_session_activity(void **state)
{
    struct fixture    *f = *state;
    struct gh_user    *u = make_user("A", NULL, 1, NULL);
    struct gh_session *s = NULL;
    struct gh_err      err = { 0 };
    char               ins[GH_ID_MAX], sid[GH_ID_MAX];

    new_instance(f, ins);
    insert_user(f, ins, u);
    insert_session(f, ins, u->id, "active", 100, sid);
    assert_int_equal(gh_store_session_get(f->st, ins, sid, &s, &err), 0);
    assert_null(s->user_agent); /* unknown until a browser is seen */
    assert_string_equal(s->ip_address, "");
    gh_session_free(s);
    assert_int_equal(gh_store_session_set_activity(f->st, ins, sid, "Mozilla/5.0 (X11) Firefox/1",
                         "::1", &err), 0);
    assert_int_equal(gh_store_session_get(f->st, ins, sid, &s, &err), 0);
    assert_string_equal(s->user_agent, "Mozilla/5.0 (X11) Firefox/1");
    assert_string_equal(s->ip_address, "::1");
    gh_session_free(s);
    assert_int_equal(gh_store_session_set_activity(f->st, ins, "sess_none", "x", "1.2.3.4", &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    gh_user_free(u);
}

static void
test_ident_verifications(void **state)
{
    struct fixture *f = *state;
    const char     *emails[] = { "iv@example.com", NULL };
    struct gh_user *u = make_user("V", NULL, 1, emails);
    struct gh_verif v, got;
    struct gh_err   err = { 0 };
    char            ins[GH_ID_MAX], idn[GH_ID_MAX];
    int             found = -1, counted = -1;

    new_instance(f, ins);
    insert_user(f, ins, u);
    memcpy(idn, u->idents[0].id, GH_ID_MAX);
    assert_int_equal(gh_store_ident_verif_get(f->st, ins, idn, &got, &found, &err), 0);
    assert_int_equal(found, 0);
    gh_verif_reset(&v);
    gh_strlcpy(v.strategy, "email_code", sizeof(v.strategy));
    gh_strlcpy(v.status, "unverified", sizeof(v.status));
    gh_strlcpy(v.code_hash, "ab12", sizeof(v.code_hash));
    v.expire_at = 5000;
    v.sent_at = 4000;
    assert_int_equal(gh_store_ident_verif_put(f->st, ins, idn, &v, 4000, &err), 0);
    /* The attempt counter stops at the limit, however often it is bumped. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(gh_store_verif_bump(f->st, ins, "ident_verifications", idn, 2, &counted,
                             &err), 0);
    assert_int_equal(counted, 0);
    assert_int_equal(gh_store_ident_verif_get(f->st, ins, idn, &got, &found, &err), 0);
    assert_int_equal(found, 1);
    assert_int_equal(got.attempts, 2);
    assert_string_equal(got.strategy, "email_code");
    assert_string_equal(got.code_hash, "ab12");
    assert_string_equal(got.target_id, idn);
    assert_true(got.expire_at == 5000 && got.sent_at == 4000);
    /* Put replaces the row (a new code starts over). */
    v.attempts = 0;
    v.sent_at = GH_TIME_NULL;
    gh_strlcpy(v.code_hash, "cd34", sizeof(v.code_hash));
    assert_int_equal(gh_store_ident_verif_put(f->st, ins, idn, &v, 6000, &err), 0);
    assert_int_equal(gh_store_ident_verif_get(f->st, ins, idn, &got, &found, &err), 0);
    assert_int_equal(got.attempts, 0);
    assert_string_equal(got.code_hash, "cd34");
    assert_true(got.sent_at == GH_TIME_NULL);
    /* It goes with its identifier. */
    assert_int_equal(gh_store_ident_delete(f->st, ins, idn, &err), 0);
    assert_int_equal(gh_store_ident_verif_get(f->st, ins, idn, &got, &found, &err), 0);
    assert_int_equal(found, 0);
    gh_user_free(u);
}

static void
test_totp_enrolments(void **state)
{
    struct fixture *f = *state;
    struct gh_user *u = make_user("T", NULL, 1, NULL);
    struct gh_totp  t = { 0 }, *got = NULL;
    struct gh_err   err = { 0 };
    char            ins[GH_ID_MAX];
    int             changed = -1;

    new_instance(f, ins);
    insert_user(f, ins, u);
    assert_int_equal(gh_store_totp_get(f->st, ins, u->id, &got, &err), 0);
    assert_null(got);
    new_id("totp", t.id);
    memcpy(t.user_id, u->id, GH_ID_MAX);
    t.secret_sealed = "c2VhbGVk";
    t.created_at = t.updated_at = 10;
    assert_int_equal(gh_store_totp_put(f->st, ins, &t, &err), 0);
    new_id("totp", t.id); /* a second enrolment replaces the unfinished one */
    assert_int_equal(gh_store_totp_put(f->st, ins, &t, &err), 0);
    assert_int_equal(gh_store_totp_get(f->st, ins, u->id, &got, &err), 0);
    assert_non_null(got);
    assert_string_equal(got->id, t.id);
    assert_string_equal(got->secret_sealed, "c2VhbGVk");
    assert_int_equal(got->verified, 0);
    gh_totp_free(got);
    assert_int_equal(gh_store_totp_confirm(f->st, ins, u->id, "totp_other", 20, &changed, &err), 0);
    assert_int_equal(changed, 0); /* another enrolment's id */
    assert_int_equal(gh_store_totp_confirm(f->st, ins, u->id, t.id, 20, &changed, &err), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(gh_store_totp_confirm(f->st, ins, u->id, t.id, 21, &changed, &err), 0);
    assert_int_equal(changed, 0); /* only once */
    assert_int_equal(gh_store_totp_get(f->st, ins, u->id, &got, &err), 0);
    assert_int_equal(got->verified, 1);
    assert_true(got->updated_at == 20);
    gh_totp_free(got);
    /* Deleting the user takes the enrolment with it. */
    assert_int_equal(gh_store_user_delete(f->st, ins, u->id, &err), 0);
    assert_int_equal(gh_store_totp_get(f->st, ins, u->id, &got, &err), 0);
    assert_null(got);
    gh_user_free(u);
}

/* ---- threads ---- */

struct thread_arg {
    struct fixture *f;
    const char     *ins;
    const char     *user_id;
    int             fails;
    int             max_seen;
};

static void *
fail_attempts_thread(void *p)
{
    struct thread_arg *a = p;

    for (int k = 0; k < 25; k++) {
        struct gh_err err = { 0 };
        int           got = 0, reserved = 0;

        /* issue 6: reservations under a limit far above 100 all succeed */
        if (gh_store_user_attempt_reserve(a->f->st, a->ins, a->user_id, 1000, 1, 2, &reserved,
                &got, &err) == -1 || !reserved)
            a->fails++;
        if (got > a->max_seen)
            a->max_seen = got;
    }
    gh_store_thread_done(a->f->st);
    return NULL;
}

static void *
reader_thread(void *p)
{
    struct thread_arg *a = p;

    for (int k = 0; k < 50; k++) {
        struct gh_user *g = NULL;
        struct gh_err   err = { 0 };

        if (gh_store_user_get(a->f->st, a->ins, a->user_id, &g, &err) == -1 || g->nidents != 1)
            a->fails++;
        gh_user_free(g);
    }
    /* no thread_done: the key destructor must release the connection */
    return NULL;
}

static void
run_threads(void *(*fn)(void *), struct thread_arg *a, int n)
{
    pthread_t t[4];

    for (int k = 0; k < n; k++)
        assert_int_equal(pthread_create(&t[k], NULL, fn, &a[k]), 0);
    for (int k = 0; k < n; k++)
        pthread_join(t[k], NULL);
}

static void
test_fail_attempt_is_atomic_across_threads(void **state)
{
    struct fixture   *f = *state;
    const char       *e[] = { "t@x.test", NULL };
    struct gh_user   *u = make_user("T", NULL, 1, e), *g = NULL;
    struct thread_arg a[4];
    struct gh_err     err = { 0 };
    char              ins[GH_ID_MAX];
    int               got = 0;

    new_instance(f, ins);
    insert_user(f, ins, u);
    for (int k = 0; k < 4; k++)
        a[k] = (struct thread_arg){ .f = f, .ins = ins, .user_id = u->id };
    run_threads(fail_attempts_thread, a, 4);
    for (int k = 0; k < 4; k++)
        assert_int_equal(a[k].fails, 0);
    assert_int_equal(gh_store_user_get(f->st, ins, u->id, &g, &err), 0);
    assert_int_equal(g->failed_attempts, 100);
    gh_user_free(g);
    run_threads(reader_thread, a, 4);
    for (int k = 0; k < 4; k++)
        assert_int_equal(a[k].fails, 0);
    assert_int_equal(gh_store_user_attempt_reserve(f->st, ins, "user_none", 10, 1, 2, &got, &got,
                         &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    gh_user_free(u);
}

/* Only with GH_TEST_PG_RESTART (a command that restarts the server), and
 * GH_TEST_PG_STOP / GH_TEST_PG_START for the outage half. */
static void
test_pg_reconnects_after_restart(void **state)
{
    struct fixture *f = *state;
    const char     *cmd = getenv("GH_TEST_PG_RESTART");
    const char     *stop = getenv("GH_TEST_PG_STOP"), *start = getenv("GH_TEST_PG_START");
    struct gh_user *g = NULL;
    struct gh_err   err = { 0 };

    if (strcmp(f->dialect, "postgres") != 0 || cmd == NULL)
        skip();
    assert_int_equal(gh_store_ping(f->st, &err), 0);
    assert_int_equal(system(cmd), 0);
    /* the old session is dead: the driver resets and retries transparently */
    if (gh_store_ping(f->st, &err) == -1)
        fail_msg("after restart: %s %s", gh_err_name(err.code), err.note);
    test_user_insert_get_update(state);
    if (stop == NULL || start == NULL)
        return;
    assert_int_equal(system(stop), 0);
    assert_int_equal(gh_store_user_get(f->st, "ins_x", "user_x", &g, &err), -1);
    assert_int_equal(err.code, GH_E_UNAVAILABLE); /* the HTTP layer answers 503 */
    gh_err_clear(&err);
    assert_int_equal(gh_store_ping(f->st, &err), -1);
    assert_int_equal(err.code, GH_E_UNAVAILABLE);
    gh_err_clear(&err);
    assert_int_equal(system(start), 0);
    if (gh_store_ping(f->st, &err) == -1) /* back by itself */
        fail_msg("after start: %s %s", gh_err_name(err.code), err.note);
}

/* ---- fixtures ---- */

static int
open_store(struct fixture *f)
{
    struct gh_err err = { 0 };

    if (gh_store_open(f->url, &f->st, &err) == -1 || gh_store_migrate(f->st, &err) == -1) {
        fprintf(stderr, "store %s: %s %s\n", f->url, gh_err_name(err.code), err.note);
        return -1;
    }
    return 0;
}

static int
setup_sqlite(void **state)
{
    static struct fixture f;

    f.dialect = "sqlite";
    gh_strlcpy(f.dir, "/tmp/gh_store_XXXXXX", sizeof(f.dir));
    if (mkdtemp(f.dir) == NULL)
        return -1;
    snprintf(f.url, sizeof(f.url), "sqlite://%s/test.db", f.dir);
    *state = &f;
    return open_store(&f);
}

static int
teardown_sqlite(void **state)
{
    struct fixture *f = *state;
    char            path[128];

    gh_store_close(f->st);
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof(path), "%s/test.db%s", f->dir, (const char *[]){ "", "-wal", "-shm" }[k]);
        unlink(path);
    }
    rmdir(f->dir);
    return 0;
}

static int
setup_pg(void **state)
{
    static struct fixture f;
    PGconn               *c;
    PGresult             *r;

    f.dialect = "postgres";
    gh_strlcpy(f.url, getenv("GH_TEST_PG_URL"), sizeof(f.url));
    c = PQconnectdb(f.url);
    r = PQexec(c, "SET client_min_messages = warning;"
                  " DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "reset schema: %s", PQerrorMessage(c));
        PQclear(r);
        PQfinish(c);
        return -1;
    }
    PQclear(r);
    PQfinish(c);
    *state = &f;
    return open_store(&f);
}

static int
teardown_pg(void **state)
{
    struct fixture *f = *state;

    gh_store_close(f->st);
    return 0;
}

/* ---- JWT templates (issue 3) ---- */

static struct gh_jwt_template *
make_template(const char *name, int64_t at)
{
    struct gh_jwt_template *t = gh_jwt_template_new();

    assert_non_null(t);
    new_id("jtmp", t->id);
    t->name = gh_strdup(name);
    t->claims = gh_strdup("{\"a\":\"{{user.id}}\"}");
    t->lifetime = 60;
    t->allowed_clock_skew = 5;
    gh_strlcpy(t->signing_algorithm, "RS256", sizeof(t->signing_algorithm));
    t->created_at = t->updated_at = at;
    return t;
}

static void
test_jwt_templates(void **state)
{
    struct fixture          *f = *state;
    struct gh_err            err = { 0 };
    char                     ins[GH_ID_MAX];
    struct gh_jwt_template  *a = make_template("alpha", 10), *b = make_template("beta", 20);
    struct gh_jwt_template  *dup = make_template("alpha", 30), *got = NULL, **v = NULL;
    static const unsigned char box[] = { 0, 1, 2, 0xff, 0, 3 }; /* binary, with NULs */
    size_t                   n = 0;
    int64_t                  count = 0;

    new_instance(f, ins);
    b->custom_signing_key = 1;
    gh_strlcpy(b->signing_algorithm, "HS256", sizeof(b->signing_algorithm));
    b->signing_key_sealed = malloc(sizeof(box));
    memcpy(b->signing_key_sealed, box, sizeof(box));
    b->signing_key_sealed_len = sizeof(box);
    assert_int_equal(gh_store_jwt_template_insert(f->st, ins, a, &err), 0);
    assert_int_equal(gh_store_jwt_template_insert(f->st, ins, b, &err), 0);
    assert_int_equal(gh_store_jwt_template_insert(f->st, ins, dup, &err), -1);
    assert_int_equal(err.code, GH_E_IDENTIFIER_EXISTS);
    assert_string_equal(err.param, "name");

    err = (struct gh_err){ 0 };
    assert_int_equal(gh_store_jwt_template_get(f->st, ins, b->id, &got, &err), 0);
    assert_string_equal(got->name, "beta");
    assert_string_equal(got->claims, b->claims);
    assert_int_equal(got->custom_signing_key, 1);
    assert_string_equal(got->signing_algorithm, "HS256");
    assert_int_equal(got->signing_key_sealed_len, sizeof(box));
    assert_memory_equal(got->signing_key_sealed, box, sizeof(box));
    gh_jwt_template_free(got);

    assert_int_equal(gh_store_jwt_template_find_by_name(f->st, ins, "alpha", &got, &err), 0);
    assert_non_null(got);
    assert_string_equal(got->id, a->id);
    assert_null(got->signing_key_sealed);
    gh_jwt_template_free(got);
    assert_int_equal(gh_store_jwt_template_find_by_name(f->st, ins, "zeta", &got, &err), 0);
    assert_null(got);

    /* Renaming onto a taken name names the field; a real update sticks. */
    free(a->name);
    a->name = gh_strdup("beta");
    assert_int_equal(gh_store_jwt_template_update(f->st, ins, a, &err), -1);
    assert_string_equal(err.param, "name");
    err = (struct gh_err){ 0 };
    free(a->name);
    a->name = gh_strdup("gamma");
    a->lifetime = 120;
    a->updated_at = 40;
    assert_int_equal(gh_store_jwt_template_update(f->st, ins, a, &err), 0);
    assert_int_equal(gh_store_jwt_template_get(f->st, ins, a->id, &got, &err), 0);
    assert_string_equal(got->name, "gamma");
    assert_int_equal(got->lifetime, 120);
    assert_int_equal(got->updated_at, 40);
    gh_jwt_template_free(got);

    assert_int_equal(gh_store_jwt_template_list(f->st, ins, 10, 0, &v, &n, &err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(v[0]->id, b->id); /* newest first */
    gh_jwt_templates_free(v, n);
    assert_int_equal(gh_store_jwt_template_list(f->st, ins, 1, 1, &v, &n, &err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(v[0]->id, a->id);
    gh_jwt_templates_free(v, n);
    assert_int_equal(gh_store_jwt_template_count(f->st, ins, &count, &err), 0);
    assert_int_equal(count, 2);

    assert_int_equal(gh_store_jwt_template_delete(f->st, ins, a->id, &err), 0);
    assert_int_equal(gh_store_jwt_template_delete(f->st, ins, a->id, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    err = (struct gh_err){ 0 };
    assert_int_equal(gh_store_jwt_template_get(f->st, "ins_other", b->id, &got, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    gh_jwt_template_free(a);
    gh_jwt_template_free(b);
    gh_jwt_template_free(dup);
}

/* ---- sign-in (issue 4): lockout counting and backup codes ---- */

static void
test_user_fail_count_locks_at_limit(void **state)
{
    struct fixture *f = *state;
    const char     *e[] = { "lock@x.test", NULL };
    struct gh_user *u = make_user("L", NULL, 1, e), *g = NULL;
    struct gh_err   err = { 0 };
    char            ins[GH_ID_MAX];
    int64_t         until = 0;
    int             n = 0;

    new_instance(f, ins);
    insert_user(f, ins, u);
    for (int k = 1; k <= 2; k++) {
        assert_int_equal(gh_store_user_fail_count(f->st, ins, u->id, 3, 1000, 5000, &n, &until,
                             &err), 0);
        assert_int_equal(n, k);
        assert_true(until == GH_TIME_NULL);
    }
    /* The failure reaching the limit starts the lockout. */
    assert_int_equal(gh_store_user_fail_count(f->st, ins, u->id, 3, 1000, 5000, &n, &until, &err),
        0);
    assert_int_equal(n, 3);
    assert_int_equal(until, 6000);
    /* Once it has expired the count starts again. */
    assert_int_equal(gh_store_user_fail_count(f->st, ins, u->id, 3, 1000, 7000, &n, &until, &err),
        0);
    assert_int_equal(n, 1);
    assert_true(until == GH_TIME_NULL);
    assert_int_equal(gh_store_user_failures_clear(f->st, ins, u->id, &err), 0);
    assert_int_equal(gh_store_user_get(f->st, ins, u->id, &g, &err), 0);
    assert_int_equal(g->failed_attempts, 0);
    assert_true(g->lockout_until == GH_TIME_NULL);
    gh_user_free(g);
    /* A sign-in records its time and clears the count. */
    assert_int_equal(gh_store_user_fail_count(f->st, ins, u->id, 3, 1000, 8000, &n, &until, &err),
        0);
    assert_int_equal(gh_store_user_signed_in(f->st, ins, u->id, 9000, &err), 0);
    assert_int_equal(gh_store_user_get(f->st, ins, u->id, &g, &err), 0);
    assert_int_equal(g->failed_attempts, 0);
    assert_int_equal(g->last_sign_in_at, 9000);
    assert_int_equal(g->last_active_at, 9000);
    gh_user_free(g);
    assert_int_equal(gh_store_user_fail_count(f->st, ins, "user_none", 3, 1000, 1, &n, &until,
                         &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    err = (struct gh_err){ 0 };
    assert_int_equal(gh_store_user_signed_in(f->st, ins, "user_none", 1, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND);
    gh_user_free(u);
}

static void
test_user_backup_codes_swap_is_compare_and_swap(void **state)
{
    struct fixture *f = *state;
    const char     *e[] = { "bk@x.test", NULL };
    struct gh_user *u = make_user("B", NULL, 1, e), *g = NULL;
    struct gh_err   err = { 0 };
    char            ins[GH_ID_MAX];
    int             changed = 0;

    u->backup_codes = gh_strdup("aa,bb");
    new_instance(f, ins);
    insert_user(f, ins, u);
    assert_int_equal(gh_store_user_backup_codes_swap(f->st, ins, u->id, "aa,bb", "bb", 50,
                         &changed, &err), 0);
    assert_int_equal(changed, 1);
    /* A second request that read the old list loses. */
    assert_int_equal(gh_store_user_backup_codes_swap(f->st, ins, u->id, "aa,bb", "bb", 60,
                         &changed, &err), 0);
    assert_int_equal(changed, 0);
    assert_int_equal(gh_store_user_backup_codes_swap(f->st, ins, u->id, "bb", NULL, 70, &changed,
                         &err), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(gh_store_user_get(f->st, ins, u->id, &g, &err), 0);
    assert_null(g->backup_codes);
    assert_int_equal(g->updated_at, 70);
    gh_user_free(g);
    assert_int_equal(gh_store_user_backup_codes_swap(f->st, ins, u->id, NULL, "x", 80, &changed,
                         &err), 0);
    assert_int_equal(changed, 0);
    gh_user_free(u);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_migrate_is_idempotent),
        cmocka_unit_test(test_sqlite_url_forms),
        cmocka_unit_test(test_instance_insert_find_update),
        cmocka_unit_test(test_instance_settings_compare_and_set), /* issue 4 */
        cmocka_unit_test(test_signing_keys_round_trip_binary),
        cmocka_unit_test(test_api_key_find_and_revoke),
        cmocka_unit_test(test_user_insert_get_update),
        cmocka_unit_test(test_user_unknown_is_not_found),
        cmocka_unit_test(test_user_duplicates_name_the_field),
        cmocka_unit_test(test_user_list_order),
        cmocka_unit_test(test_user_list_filters),
        cmocka_unit_test(test_user_list_query_is_literal),
        cmocka_unit_test(test_user_delete_cascades),
        cmocka_unit_test(test_ident_get_update_delete),
        cmocka_unit_test(test_transaction_rollback_and_nesting),
        cmocka_unit_test(test_sessions),
        cmocka_unit_test(test_session_activity),   /* issue 4: /v1/me */
        cmocka_unit_test(test_ident_verifications),
        cmocka_unit_test(test_totp_enrolments),
        cmocka_unit_test(test_fail_attempt_is_atomic_across_threads),
        cmocka_unit_test(test_jwt_templates), /* issue 3 */
        cmocka_unit_test(test_user_fail_count_locks_at_limit), /* issue 4 */
        cmocka_unit_test(test_user_backup_codes_swap_is_compare_and_swap),
        cmocka_unit_test(test_pg_reconnects_after_restart),
    };
    int failed = cmocka_run_group_tests_name("store_sqlite", tests, setup_sqlite, teardown_sqlite);

    if (getenv("GH_TEST_PG_URL") != NULL && *getenv("GH_TEST_PG_URL") != '\0')
        failed += cmocka_run_group_tests_name("store_postgres", tests, setup_pg, teardown_pg);
    return failed != 0;
}
