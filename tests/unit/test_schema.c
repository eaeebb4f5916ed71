/* test_schema.c: the migrated schema keeps the rule of issue 2 that every
 * row carries instance_id: after gh_store_migrate, every table except
 * instances (the root) and schema_migrations (bookkeeping) has an
 * instance_id column, on SQLite and, when GH_TEST_PG_URL is set, on
 * PostgreSQL (schema "public" recreated first, as test_store.c does). Both
 * dialects also end at the same schema version with the same tables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"

#define MAX_TABLES 64

struct tables {
    char name[MAX_TABLES][64];
    int  has_instance[MAX_TABLES];
    int  n;
    int  version;
};

static struct tables sqlite_tables;

static int
exempt(const char *t)
{
    return strcmp(t, "instances") == 0 || strcmp(t, "schema_migrations") == 0 ||
           strncmp(t, "sqlite_", 7) == 0;
}

static void
migrate(const char *url, int *version)
{
    struct gh_store *st = NULL;
    struct gh_err    err = { 0 };

    if (gh_store_open(url, &st, &err) == -1 || gh_store_migrate(st, &err) == -1 ||
        gh_store_schema_version(st, version, &err) == -1)
        fail_msg("migrate %s: %s %s %s", url, gh_err_name(err.code), err.desc, err.note);
    gh_store_close(st);
}

static void
check(const struct tables *t, const char *dialect)
{
    assert_true(t->n >= 10);
    for (int i = 0; i < t->n; i++)
        if (!exempt(t->name[i]) && !t->has_instance[i])
            fail_msg("%s: table %s has no instance_id column", dialect, t->name[i]);
}

static void
test_sqlite_tables_carry_instance_id(void **state)
{
    char          dir[] = "/tmp/gh-test-schema-XXXXXX", url[128], path[96], wal[128];
    sqlite3      *db = NULL;
    sqlite3_stmt *q = NULL, *c = NULL;
    struct tables *t = &sqlite_tables;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/gh.db", dir);
    snprintf(url, sizeof(url), "sqlite://%s", path);
    migrate(url, &t->version);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                         "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", -1, &q,
                         NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                         "SELECT count(*) FROM pragma_table_info(?) WHERE name = 'instance_id'", -1,
                         &c, NULL), SQLITE_OK);
    while (sqlite3_step(q) == SQLITE_ROW && t->n < MAX_TABLES) {
        const char *name = (const char *)sqlite3_column_text(q, 0);

        if (strncmp(name, "sqlite_", 7) == 0)
            continue;
        snprintf(t->name[t->n], sizeof(t->name[0]), "%s", name);
        sqlite3_bind_text(c, 1, name, -1, SQLITE_TRANSIENT);
        assert_int_equal(sqlite3_step(c), SQLITE_ROW);
        t->has_instance[t->n] = sqlite3_column_int(c, 0) == 1;
        sqlite3_reset(c);
        t->n++;
    }
    sqlite3_finalize(c);
    sqlite3_finalize(q);
    sqlite3_close(db);
    check(t, "sqlite");
    for (size_t i = 0; i < 4; i++) {
        const char *files[] = { "", "-wal", "-shm", ".key" };

        snprintf(wal, sizeof(wal), "%s%s", path, files[i]);
        unlink(wal);
    }
    rmdir(dir);
}

static PGresult *
pg_exec(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);

    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    return r;
}

static void
test_postgres_tables_carry_instance_id_and_match_sqlite(void **state)
{
    const char   *url = getenv("GH_TEST_PG_URL");
    struct tables t = { 0 };
    PGconn       *c;
    PGresult     *r;

    if (url == NULL || *url == '\0')
        skip();
    c = PQconnectdb(url);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PQclear(pg_exec(c, "SET client_min_messages = warning;"
                       " DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public"));
    migrate(url, &t.version);
    r = pg_exec(c, "SELECT t.table_name, EXISTS (SELECT 1 FROM information_schema.columns k"
                   "  WHERE k.table_schema = t.table_schema AND k.table_name = t.table_name"
                   "  AND k.column_name = 'instance_id')"
                   " FROM information_schema.tables t WHERE t.table_schema = 'public'"
                   " AND t.table_type = 'BASE TABLE' ORDER BY t.table_name");
    for (int i = 0; i < PQntuples(r) && t.n < MAX_TABLES; i++, t.n++) {
        snprintf(t.name[t.n], sizeof(t.name[0]), "%s", PQgetvalue(r, i, 0));
        t.has_instance[t.n] = strcmp(PQgetvalue(r, i, 1), "t") == 0;
    }
    PQclear(r);
    PQfinish(c);
    check(&t, "postgres");
    /* Both dialects: same version, same tables. */
    assert_int_equal(t.version, sqlite_tables.version);
    assert_int_equal(t.n, sqlite_tables.n);
    for (int i = 0; i < t.n; i++)
        assert_string_equal(t.name[i], sqlite_tables.name[i]);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sqlite_tables_carry_instance_id),
        cmocka_unit_test(test_postgres_tables_carry_instance_id_and_match_sqlite),
    };

    return cmocka_run_group_tests_name("schema", tests, NULL, NULL);
}
