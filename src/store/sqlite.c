/* sqlite.c: the SQLite driver behind db.h. One sqlite3 handle per worker
 * thread (SQLITE_OPEN_NOMUTEX: a handle is never shared), each with its own
 * cache of persistent prepared statements keyed by SQL text. It maps SQLite
 * result codes to gh_err; it knows no table and builds no SQL. */
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"

#define BUSY_TIMEOUT_MS 5000

struct sqlite_conn {
    struct gh_db_conn  base; /* first: drivers are handed &base */
    sqlite3           *db;
    struct gh_db_cache cache; /* SQL text → sqlite3_stmt * */
};

static int
sqlite_fail(sqlite3 *db, int rc, const char *what, struct gh_err *err)
{
    enum gh_err_code code = GH_E_STORE;

    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        code = GH_E_IDENTIFIER_EXISTS;
    else if ((rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED)
        code = GH_E_UNAVAILABLE; /* still locked after BUSY_TIMEOUT_MS: ask the client to retry */
    GH_FAIL(err, code, NULL);
    gh_err_note(err, "sqlite %s: %s (%d)", what, db != NULL ? sqlite3_errmsg(db) : "", rc);
    return -1;
}

static void
stmt_finalize(void *handle)
{
    sqlite3_finalize(handle);
}

static void
sqlite_disconnect(struct gh_db_conn *base)
{
    struct sqlite_conn *c = (struct sqlite_conn *)base;

    if (c == NULL)
        return;
    gh_db_cache_clear(&c->cache, stmt_finalize);
    sqlite3_close_v2(c->db);
    free(c);
}

static int
sqlite_exec_script(struct gh_db_conn *base, const char *sql, struct gh_err *err)
{
    struct sqlite_conn *c = (struct sqlite_conn *)base;
    int                 rc = sqlite3_exec(c->db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? 0 : sqlite_fail(c->db, rc, "exec", err);
}

/* WAL with synchronous=NORMAL: a committed transaction is in the WAL file
 * before COMMIT returns, so it survives kill -9 of this process; only an OS
 * crash or power loss can drop the last transactions (never corrupt the
 * file). Readers never block the single writer and vice versa. */
static const char conn_pragmas[] =
    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";

static int
sqlite_connect(const char *path, struct gh_db_conn **out, struct gh_err *err)
{
    struct sqlite_conn *c = calloc(1, sizeof(*c));
    int                 rc;

    *out = NULL;
    if (c == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    rc = sqlite3_open_v2(path, &c->db,
        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        sqlite_fail(c->db, rc, "open", err);
        goto fail;
    }
    sqlite3_extended_result_codes(c->db, 1);
    sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
    if (sqlite_exec_script(&c->base, conn_pragmas, err) == -1)
        goto fail;
    *out = &c->base;
    return 0;
fail:
    sqlite_disconnect(&c->base);
    return -1;
}

static int
bind_params(sqlite3_stmt *s, const struct gh_db_param *p, size_t np)
{
    int rc = SQLITE_OK;

    for (size_t i = 0; i < np && rc == SQLITE_OK; i++) {
        int at = (int)i + 1;

        switch (p[i].type) {
        case GH_DB_TEXT:
            rc = sqlite3_bind_text(s, at, p[i].text, -1, SQLITE_STATIC);
            break;
        case GH_DB_INT:
            rc = sqlite3_bind_int64(s, at, p[i].i);
            break;
        case GH_DB_BLOB:
            rc = sqlite3_bind_blob64(s, at, p[i].blob, p[i].len, SQLITE_STATIC);
            break;
        default:
            rc = sqlite3_bind_null(s, at);
        }
    }
    return rc;
}

static void
row_cells(sqlite3_stmt *s, struct gh_db_rowbuf *rb)
{
    for (int i = 0; i < (int)rb->ncols; i++) {
        int         t = sqlite3_column_type(s, i);
        const void *v;

        if (t == SQLITE_NULL) {
            gh_db_rowbuf_cell(rb, NULL, 0);
            continue;
        }
        v = t == SQLITE_BLOB ? sqlite3_column_blob(s, i) : (const void *)sqlite3_column_text(s, i);
        gh_db_rowbuf_cell(rb, v != NULL ? v : "", (size_t)sqlite3_column_bytes(s, i));
    }
}

/* The cached statement for sql, prepared on first use. *oneshot = 1 when the
 * cache is full and the caller must finalize it. */
static sqlite3_stmt *
stmt_get(struct sqlite_conn *c, const char *sql, int *oneshot, struct gh_err *err)
{
    sqlite3_stmt *s = gh_db_cache_find(&c->cache, sql);
    int           rc;

    *oneshot = 0;
    if (s != NULL)
        return s;
    rc = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (rc != SQLITE_OK) {
        sqlite_fail(c->db, rc, "prepare", err);
        return NULL;
    }
    if (gh_db_cache_add(&c->cache, sql, s) == -1)
        *oneshot = 1;
    return s;
}

static int
sqlite_query(struct gh_db_conn *base, const char *sql, const struct gh_db_param *p, size_t np,
    struct gh_db_rows *rows, int64_t *changes, struct gh_err *err)
{
    struct sqlite_conn *c = (struct sqlite_conn *)base;
    struct gh_db_rowbuf rb;
    sqlite3_stmt       *s;
    int                 oneshot, rc, ret = -1;

    if ((s = stmt_get(c, sql, &oneshot, err)) == NULL)
        return -1;
    gh_db_rowbuf_init(&rb, (size_t)sqlite3_column_count(s));
    if ((rc = bind_params(s, p, np)) != SQLITE_OK) {
        sqlite_fail(c->db, rc, "bind", err);
        goto done;
    }
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (rows != NULL)
            row_cells(s, &rb);
    if (rc != SQLITE_DONE) {
        sqlite_fail(c->db, rc, "step", err);
        goto done;
    }
    if (changes != NULL)
        *changes = sqlite3_changes64(c->db);
    ret = 0;
done:
    if (gh_db_rowbuf_finish(&rb, ret == 0 ? rows : NULL) == -1 && ret == 0)
        ret = GH_FAIL(err, GH_E_NOMEM, NULL);
    if (oneshot) {
        sqlite3_finalize(s);
    } else {
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
    }
    return ret;
}

const struct gh_db_ops gh_db_sqlite_ops = {
    .dialect = "sqlite",
    /* IMMEDIATE takes the write lock up front, so two writers never both
     * hold a read lock and deadlock on the upgrade; the busy timeout queues them. */
    .begin_sql = "BEGIN IMMEDIATE",
    .migrate_lock_sql = NULL, /* BEGIN IMMEDIATE already serializes migrators */
    .has_table_sql = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
    /* A bulk import touches index pages all over the file (ids are random):
     * a 256 MiB page cache and memory-mapped reads keep them out of
     * read()/write() calls. Only the importing connection gets this. */
    .bulk_sql = "PRAGMA cache_size = -262144; PRAGMA mmap_size = 1073741824;",
    /* Without sqlite_stat1 the planner guesses, and at scale it guesses
     * wrong: `u.id IN (users with this email)` ran as a walk of the whole
     * created_at index (0.1 s at 1M users; issue 7). A sampled ANALYZE
     * (analysis_limit) takes milliseconds even on a 1 GB file. */
    .stats_start_sql = "PRAGMA analysis_limit = 1000; ANALYZE;",
    .stats_bulk_sql = "PRAGMA analysis_limit = 1000; ANALYZE;",
    .connect = sqlite_connect,
    .disconnect = sqlite_disconnect,
    .exec_script = sqlite_exec_script,
    .query = sqlite_query,
};
