/* test_store_bulk.c: the bulk paths of the store (issue 7: the import
 * verb's loader): gh_store_user_insert_many and gh_store_user_scan, on
 * SQLite in a temporary file and, when GH_TEST_PG_URL is set, on PostgreSQL
 * (its own schema, dropped first). Clashes with stored users, with earlier
 * users of the same call and inside one multi-row statement must skip just
 * that user and name the field; everything else of the call is stored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "util/str.h"

struct fixture {
    char             url[512];
    char             dir[64]; /* SQLite temp dir, or "" */
    struct gh_store *st;
};

static unsigned id_seq;

static void
new_id(const char *prefix, char out[GH_ID_MAX])
{
    snprintf(out, GH_ID_MAX, "%s_b%05u", prefix, ++id_seq);
}

static void
new_instance(struct fixture *f, char id[GH_ID_MAX])
{
    struct gh_instance in = { 0 };
    struct gh_err      err = { 0 };

    new_id("ins", in.id);
    in.name = "Bulk";
    in.settings = "{}";
    in.created_at = in.updated_at = 1000;
    assert_int_equal(gh_store_instance_insert(f->st, &in, &err), 0);
    memcpy(id, in.id, GH_ID_MAX);
}

static void
add_ident(struct gh_user *u, enum gh_ident_type type, const char *value)
{
    struct gh_ident *i = gh_user_ident_add(u);

    assert_non_null(i);
    new_id("idn", i->id);
    memcpy(i->user_id, u->id, GH_ID_MAX);
    i->type = type;
    i->value = strdup(value);
    i->strategy = strdup("admin");
    i->verified = 1;
    i->created_at = i->updated_at = 5;
}

/* A user with one email (and a username / external id when given). */
static struct gh_user *
make_user(const char *email, const char *username, const char *external_id)
{
    struct gh_user *u = gh_user_new();

    assert_non_null(u);
    new_id("user", u->id);
    u->username = gh_strdup(username);
    u->external_id = gh_strdup(external_id);
    u->created_at = u->updated_at = 5;
    if (email != NULL) {
        add_ident(u, GH_IDENT_EMAIL, email);
        u->primary_email_id = strdup(u->idents[0].id);
    }
    return u;
}

static int64_t
count_all(struct fixture *f, const char *ins)
{
    struct gh_user_filter flt;
    struct gh_err         err = { 0 };
    int64_t               n = -1;

    gh_user_filter_init(&flt);
    assert_int_equal(gh_store_user_count(f->st, ins, &flt, &n, &err), 0);
    return n;
}

static int
has_ident(struct fixture *f, const char *ins, const char *email)
{
    struct gh_user *u = NULL;
    struct gh_err   err = { 0 };
    int             found;

    assert_int_equal(gh_store_user_find_by_ident(f->st, ins, GH_IDENT_EMAIL, email, &u, &err), 0);
    found = u != NULL;
    gh_user_free(u);
    return found;
}

static void
test_insert_many_stores_users_with_identifiers(void **state)
{
    struct fixture *f = *state;
    struct gh_user *v[300];
    const char     *clash[300];
    struct gh_user *got = NULL;
    struct gh_err   err = { 0 };
    char            ins[GH_ID_MAX], mail[64], name[32];

    new_instance(f, ins);
    for (int k = 0; k < 300; k++) { /* more than one statement's worth of both tables */
        snprintf(mail, sizeof(mail), "bulk%d@x.test", k);
        snprintf(name, sizeof(name), "bulk%d", k);
        v[k] = make_user(mail, name, NULL);
        if (k % 3 == 0)
            add_ident(v[k], GH_IDENT_PHONE, (snprintf(mail, sizeof(mail), "+1555%07d", k), mail));
    }
    assert_int_equal(gh_store_user_insert_many(f->st, ins, v, 300, clash, &err), 0);
    for (int k = 0; k < 300; k++)
        assert_null(clash[k]);
    assert_int_equal(count_all(f, ins), 300);
    assert_int_equal(gh_store_user_get(f->st, ins, v[3]->id, &got, &err), 0);
    assert_int_equal(got->nidents, 2);
    assert_string_equal(got->idents[0].value, "bulk3@x.test");
    assert_string_equal(got->username, "bulk3");
    gh_user_free(got);
    for (int k = 0; k < 300; k++)
        gh_user_free(v[k]);
}

static void
test_insert_many_skips_clashes_and_names_them(void **state)
{
    struct fixture *f = *state;
    struct gh_user *old = make_user("taken@x.test", "takenname", "ext-taken");
    struct gh_user *v[6];
    const char     *clash[6];
    struct gh_err   err = { 0 };
    char            ins[GH_ID_MAX];

    new_instance(f, ins);
    assert_int_equal(gh_store_user_insert(f->st, ins, old, &err), 0);
    v[0] = make_user("taken@x.test", NULL, NULL);        /* stored user's email */
    v[1] = make_user("fresh1@x.test", "takenname", NULL); /* stored username */
    v[2] = make_user("fresh2@x.test", NULL, "ext-taken"); /* stored external id */
    v[3] = make_user("same@x.test", "first", NULL);
    v[4] = make_user("same@x.test", "second", NULL);      /* earlier user of this call */
    v[5] = make_user("ok@x.test", NULL, NULL);
    add_ident(v[4], GH_IDENT_PHONE, "+15550009999");     /* its other identifier goes too */
    assert_int_equal(gh_store_user_insert_many(f->st, ins, v, 6, clash, &err), 0);
    assert_string_equal(clash[0], "email_address");
    assert_string_equal(clash[1], "username");
    assert_string_equal(clash[2], "external_id");
    assert_null(clash[3]);
    assert_string_equal(clash[4], "email_address");
    assert_null(clash[5]);
    assert_int_equal(count_all(f, ins), 3); /* old, v[3], v[5] */
    assert_false(has_ident(f, ins, "fresh1@x.test"));
    assert_true(has_ident(f, ins, "same@x.test"));
    assert_true(has_ident(f, ins, "ok@x.test"));
    {
        struct gh_user *u = NULL;

        assert_int_equal(gh_store_user_find_by_ident(f->st, ins, GH_IDENT_PHONE,
                             "+15550009999", &u, &err), 0);
        assert_null(u); /* undone with its user */
    }
    for (int k = 0; k < 6; k++)
        gh_user_free(v[k]);
    gh_user_free(old);
}

static void
test_insert_many_joins_the_callers_transaction(void **state)
{
    struct fixture *f = *state;
    struct gh_user *v[2] = { make_user("tx1@x.test", NULL, NULL), make_user("tx2@x.test", NULL, NULL) };
    const char     *clash[2];
    struct gh_err   err = { 0 };
    char            ins[GH_ID_MAX];

    new_instance(f, ins);
    assert_int_equal(gh_store_begin(f->st, &err), 0);
    assert_int_equal(gh_store_user_insert_many(f->st, ins, v, 2, clash, &err), 0);
    gh_store_rollback(f->st);
    assert_int_equal(count_all(f, ins), 0);
    assert_int_equal(gh_store_user_insert_many(f->st, ins, v, 2, clash, &err), 0); /* own tx */
    assert_int_equal(count_all(f, ins), 2);
    assert_int_equal(gh_store_user_insert_many(f->st, ins, v, 0, clash, &err), 0);
    gh_user_free(v[0]);
    gh_user_free(v[1]);
}

static void
test_scan_pages_in_id_order(void **state)
{
    struct fixture  *f = *state;
    struct gh_user  *v[25], **page = NULL;
    const char      *clash[25];
    struct gh_err    err = { 0 };
    char             ins[GH_ID_MAX], after[GH_ID_MAX] = "", mail[32];
    size_t           n = 0, seen = 0;

    new_instance(f, ins);
    for (int k = 0; k < 25; k++) {
        snprintf(mail, sizeof(mail), "scan%d@x.test", k);
        v[k] = make_user(mail, NULL, NULL);
    }
    assert_int_equal(gh_store_user_insert_many(f->st, ins, v, 25, clash, &err), 0);
    for (;;) {
        assert_int_equal(gh_store_user_scan(f->st, ins, after, 10, &page, &n, &err), 0);
        if (n == 0)
            break;
        for (size_t i = 0; i < n; i++) {
            assert_true(strcmp(page[i]->id, after) > 0);
            assert_int_equal(page[i]->nidents, 1);
            memcpy(after, page[i]->id, GH_ID_MAX);
        }
        seen += n;
        gh_users_free(page, n);
    }
    gh_users_free(page, n);
    assert_int_equal(seen, 25);
    for (int k = 0; k < 25; k++)
        gh_user_free(v[k]);
}

static int
setup_sqlite(void **state)
{
    static struct fixture f;
    struct gh_err         err = { 0 };

    gh_strlcpy(f.dir, "/tmp/gh_bulk_XXXXXX", sizeof(f.dir));
    if (mkdtemp(f.dir) == NULL)
        return -1;
    snprintf(f.url, sizeof(f.url), "sqlite://%s/test.db", f.dir);
    *state = &f;
    return gh_store_open(f.url, &f.st, &err) == 0 && gh_store_migrate(f.st, &err) == 0 ? 0 : -1;
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

/* PostgreSQL in a schema of its own, so the main store suite may share the cluster. */
static int
setup_pg(void **state)
{
    static struct fixture f;
    struct gh_err         err = { 0 };
    PGconn               *c;
    PGresult             *r;
    const char           *base = getenv("GH_TEST_PG_URL");

    c = PQconnectdb(base);
    r = PQexec(c, "SET client_min_messages = warning;"
                  " DROP SCHEMA IF EXISTS gh_bulk_test CASCADE; CREATE SCHEMA gh_bulk_test");
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "schema: %s", PQerrorMessage(c));
        PQclear(r);
        PQfinish(c);
        return -1;
    }
    PQclear(r);
    PQfinish(c);
    snprintf(f.url, sizeof(f.url), "%s%soptions=-csearch_path%%3Dgh_bulk_test", base,
        strchr(base, '?') != NULL ? "&" : "?");
    *state = &f;
    if (gh_store_open(f.url, &f.st, &err) == -1 || gh_store_migrate(f.st, &err) == -1) {
        fprintf(stderr, "store %s: %s %s\n", f.url, gh_err_name(err.code), err.note);
        return -1;
    }
    return 0;
}

static int
teardown_pg(void **state)
{
    struct fixture *f = *state;

    gh_store_close(f->st);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_many_stores_users_with_identifiers),
        cmocka_unit_test(test_insert_many_skips_clashes_and_names_them),
        cmocka_unit_test(test_insert_many_joins_the_callers_transaction),
        cmocka_unit_test(test_scan_pages_in_id_order),
    };
    int failed = cmocka_run_group_tests_name("store_bulk_sqlite", tests, setup_sqlite,
        teardown_sqlite);

    if (getenv("GH_TEST_PG_URL") != NULL && getenv("GH_TEST_PG_URL")[0] != '\0')
        failed += cmocka_run_group_tests_name("store_bulk_postgres", tests, setup_pg, teardown_pg);
    return failed;
}
