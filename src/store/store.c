/* store.c: the dialect-neutral half of the store: opening by URL, one
 * connection per worker thread (created lazily, all closed by
 * gh_store_close), transactions, migrations, and the helpers the drivers and
 * store_*.c share (result rows, statement cache, query builder). It holds no
 * table-specific SQL beyond schema_migrations and knows no driver library. */
#include "store/db.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/migrations.h"
#include "util/str.h"

#define ROWS_MAX_BYTES ((size_t)1 << 30) /* a result larger than this is a bug */
#define SQL_MAX_BYTES  ((size_t)1 << 20)

struct gh_store {
    const struct gh_db_ops *ops;
    char                   *url;         /* what the driver's connect gets */
    char                   *sqlite_path; /* NULL for postgres */
    pthread_key_t           key;         /* → this thread's struct gh_db_conn */
    pthread_mutex_t         mu;          /* guards conns */
    struct gh_db_conn      *conns;       /* every live connection */
};

/* ---- result rows ---- */

void
gh_db_rowbuf_init(struct gh_db_rowbuf *rb, size_t ncols)
{
    memset(rb, 0, sizeof(*rb));
    rb->ncols = ncols;
    gh_buf_init(&rb->data, ROWS_MAX_BYTES);
}

void
gh_db_rowbuf_cell(struct gh_db_rowbuf *rb, const void *p, size_t len)
{
    if (rb->failed)
        return;
    if (rb->ncells == rb->acells) {
        size_t  n = rb->acells != 0 ? rb->acells * 2 : 16;
        size_t *off = realloc(rb->off, n * sizeof(*off));
        size_t *ln;

        if (off == NULL) {
            rb->failed = 1;
            return;
        }
        rb->off = off;
        if ((ln = realloc(rb->len, n * sizeof(*ln))) == NULL) {
            rb->failed = 1;
            return;
        }
        rb->len = ln;
        rb->acells = n;
    }
    rb->off[rb->ncells] = p != NULL ? rb->data.len : SIZE_MAX;
    rb->len[rb->ncells] = p != NULL ? len : 0;
    rb->ncells++;
    if (p != NULL) {
        gh_buf_addn(&rb->data, p, len);
        gh_buf_addn(&rb->data, "", 1); /* each cell NUL-terminated */
    }
}

int
gh_db_rowbuf_finish(struct gh_db_rowbuf *rb, struct gh_db_rows *rows)
{
    int rc = -1;

    if (rows == NULL) {
        rc = rb->failed || gh_buf_failed(&rb->data) ? -1 : 0;
        goto done;
    }
    memset(rows, 0, sizeof(*rows));
    if (rb->failed || gh_buf_failed(&rb->data))
        goto done;
    rows->ncols = rb->ncols;
    rows->nrows = rb->ncols != 0 ? rb->ncells / rb->ncols : 0;
    rows->data = gh_buf_take(&rb->data);
    rows->cell = calloc(rb->ncells + 1, sizeof(*rows->cell));
    if (rows->cell == NULL)
        goto done;
    for (size_t i = 0; i < rb->ncells; i++)
        rows->cell[i] = rb->off[i] != SIZE_MAX ? rows->data + rb->off[i] : NULL;
    rows->len = rb->len;
    rb->len = NULL;
    rc = 0;
done:
    if (rc == -1 && rows != NULL)
        gh_db_rows_clear(rows);
    free(rb->off);
    free(rb->len);
    gh_buf_clear(&rb->data);
    memset(rb, 0, sizeof(*rb));
    return rc;
}

void
gh_db_rows_clear(struct gh_db_rows *rows)
{
    if (rows == NULL)
        return;
    free(rows->cell);
    free(rows->len);
    free(rows->data);
    memset(rows, 0, sizeof(*rows));
}

const char *
gh_db_cell(const struct gh_db_rows *rows, size_t r, size_t c)
{
    if (r >= rows->nrows || c >= rows->ncols)
        return NULL;
    return rows->cell[r * rows->ncols + c];
}

int64_t
gh_db_cell_i64(const struct gh_db_rows *rows, size_t r, size_t c)
{
    const char *s = gh_db_cell(rows, r, c);
    int64_t     v;

    if (s == NULL)
        return GH_TIME_NULL;
    if (gh_parse_int(s, INT64_MIN + 1, INT64_MAX, &v) == -1)
        return 0; /* the schema only stores integers here */
    return v;
}

int
gh_db_cell_dup(const struct gh_db_rows *rows, size_t r, size_t c, char **out)
{
    const char *s = gh_db_cell(rows, r, c);

    free(*out);
    *out = NULL;
    if (s == NULL)
        return 0;
    *out = strdup(s);
    return *out != NULL ? 0 : -1;
}

void
gh_db_cell_copy(const struct gh_db_rows *rows, size_t r, size_t c, char *dst, size_t size)
{
    const char *s = gh_db_cell(rows, r, c);

    gh_strlcpy(dst, s != NULL ? s : "", size);
}

/* ---- statement cache ---- */

void *
gh_db_cache_find(struct gh_db_cache *c, const char *sql)
{
    uint64_t h = gh_str_hash(sql);

    for (struct gh_db_cache_ent *e = c->bucket[h % 64]; e != NULL; e = e->next)
        if (e->hash == h && strcmp(e->sql, sql) == 0)
            return e->handle;
    return NULL;
}

int
gh_db_cache_add(struct gh_db_cache *c, const char *sql, void *handle)
{
    struct gh_db_cache_ent *e;

    if (c->n >= GH_DB_CACHE_MAX || (e = calloc(1, sizeof(*e))) == NULL)
        return -1;
    if ((e->sql = strdup(sql)) == NULL) {
        free(e);
        return -1;
    }
    e->hash = gh_str_hash(sql);
    e->handle = handle;
    e->next = c->bucket[e->hash % 64];
    c->bucket[e->hash % 64] = e;
    c->n++;
    return 0;
}

void
gh_db_cache_clear(struct gh_db_cache *c, void (*free_handle)(void *handle))
{
    for (size_t b = 0; b < 64; b++) {
        struct gh_db_cache_ent *e = c->bucket[b], *next;

        for (; e != NULL; e = next) {
            next = e->next;
            if (free_handle != NULL)
                free_handle(e->handle);
            free(e->sql);
            free(e);
        }
        c->bucket[b] = NULL;
    }
    c->n = 0;
}

/* ---- query builder ---- */

void
gh_db_q_init(struct gh_db_q *q)
{
    memset(q, 0, sizeof(*q));
    gh_buf_init(&q->sql, SQL_MAX_BYTES);
}

void
gh_db_q_clear(struct gh_db_q *q)
{
    gh_buf_clear(&q->sql);
    free(q->p);
    memset(q, 0, sizeof(*q));
}

void
gh_db_q_sql(struct gh_db_q *q, const char *s)
{
    gh_buf_add(&q->sql, s);
}

void
gh_db_q_param(struct gh_db_q *q, struct gh_db_param p)
{
    if (q->failed)
        return;
    if (q->np == q->ap) {
        size_t              n = q->ap != 0 ? q->ap * 2 : 16;
        struct gh_db_param *v = realloc(q->p, n * sizeof(*v));

        if (v == NULL) {
            q->failed = 1;
            return;
        }
        q->p = v;
        q->ap = n;
    }
    q->p[q->np++] = p;
}

void
gh_db_q_in_list(struct gh_db_q *q, const char *const *v, size_t n)
{
    size_t padded = 1;

    while (padded < n)
        padded *= 2;
    gh_db_q_sql(q, "(");
    for (size_t i = 0; i < padded; i++) {
        gh_db_q_sql(q, i == 0 ? "?" : ",?");
        gh_db_q_param(q, gh_db_text(v[i < n ? i : n - 1]));
    }
    gh_db_q_sql(q, ")");
}

int
gh_db_q_failed(const struct gh_db_q *q)
{
    return q->failed || gh_buf_failed(&q->sql);
}

/* ---- connections ---- */

/* Runs when a thread that used the store exits without gh_store_thread_done. */
static void
conn_release(void *p)
{
    struct gh_db_conn *c = p;
    struct gh_store   *st;

    if (c == NULL)
        return;
    st = c->st;
    pthread_mutex_lock(&st->mu);
    if (c->prev != NULL)
        c->prev->next = c->next;
    else
        st->conns = c->next;
    if (c->next != NULL)
        c->next->prev = c->prev;
    pthread_mutex_unlock(&st->mu);
    c->ops->disconnect(c);
}

/* The calling thread's connection, opened on first use. A failed connect is
 * not remembered: the next call tries again (PostgreSQL may come back). */
static struct gh_db_conn *
conn_get(struct gh_store *st, struct gh_err *err)
{
    struct gh_db_conn *c = pthread_getspecific(st->key);

    if (c != NULL)
        return c;
    if (st->ops->connect(st->url, &c, err) == -1)
        return NULL;
    c->ops = st->ops;
    c->st = st;
    c->tx_depth = 0;
    pthread_mutex_lock(&st->mu);
    c->prev = NULL;
    c->next = st->conns;
    if (st->conns != NULL)
        st->conns->prev = c;
    st->conns = c;
    pthread_mutex_unlock(&st->mu);
    if (pthread_setspecific(st->key, c) != 0) {
        conn_release(c);
        GH_FAIL(err, GH_E_NOMEM, NULL);
        return NULL;
    }
    return c;
}

void
gh_store_thread_done(struct gh_store *st)
{
    struct gh_db_conn *c;

    if (st == NULL || (c = pthread_getspecific(st->key)) == NULL)
        return;
    pthread_setspecific(st->key, NULL);
    conn_release(c);
}

int
gh_db_fetch(struct gh_store *st, const char *sql, const struct gh_db_param *p, size_t np,
    const struct gh_db_rec_type *type, const void *arg, void ***out, size_t *n,
    struct gh_err *err)
{
    struct gh_db_rows rows;
    void            **v = NULL;
    size_t            k = 0;
    int               rc = -1;

    *out = NULL;
    *n = 0;
    if (gh_db_run(st, sql, p, np, &rows, NULL, err) == -1)
        return -1;
    if ((v = calloc(rows.nrows + 1, sizeof(*v))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    for (; k < rows.nrows; k++) {
        if ((v[k] = type->rec_new()) == NULL ||
            type->rec_from_row(&rows, k, v[k], arg) == -1) {
            GH_FAIL(err, GH_E_NOMEM, NULL);
            k++;
            goto done;
        }
    }
    *out = v;
    *n = k;
    v = NULL;
    rc = 0;
done:
    for (size_t i = 0; v != NULL && i < k; i++)
        type->rec_free(v[i]);
    free(v);
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_db_run(struct gh_store *st, const char *sql, const struct gh_db_param *p, size_t np,
    struct gh_db_rows *rows, int64_t *changes, struct gh_err *err)
{
    struct gh_db_conn *c = conn_get(st, err);

    if (rows != NULL)
        memset(rows, 0, sizeof(*rows));
    if (c == NULL)
        return -1;
    return st->ops->query(c, sql, p, np, rows, changes, err);
}

void
gh_db_unique_param(struct gh_err *err, const char *param)
{
    if (err == NULL || err->code != GH_E_IDENTIFIER_EXISTS)
        return;
    if (param == NULL) {
        err->code = GH_E_STORE;
        return;
    }
    gh_strlcpy(err->param, param, sizeof(err->param));
}

/* ---- open and close ---- */

/* "sqlite://./x.db" → "./x.db"; "sqlite:///abs.db" → "/abs.db"; "sqlite:x" → "x". */
static const char *
sqlite_path_of(const char *url)
{
    if (strncmp(url, "sqlite://", 9) == 0)
        return url + 9;
    if (strncmp(url, "sqlite:", 7) == 0)
        return url + 7;
    return url;
}

/* libpq waits forever for an unreachable host by default; a short
 * connect_timeout keeps a request's 503 prompt while PostgreSQL is down. */
static char *
pg_url_of(const char *url)
{
    struct gh_buf b;

    gh_buf_init(&b, 8192);
    gh_buf_add(&b, url);
    if (strstr(url, "connect_timeout=") == NULL)
        gh_buf_add(&b, strchr(url, '?') != NULL ? "&connect_timeout=3" : "?connect_timeout=3");
    return gh_buf_take(&b);
}

static int
store_parse_url(struct gh_store *st, const char *url, struct gh_err *err)
{
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
        st->ops = &gh_db_postgres_ops;
        st->url = pg_url_of(url);
        return st->url != NULL ? 0 : GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    st->ops = &gh_db_sqlite_ops;
    if (*sqlite_path_of(url) == '\0')
        return GH_FAIL(err, GH_E_STORE, "database URL has no path");
    st->sqlite_path = strdup(sqlite_path_of(url));
    st->url = strdup(sqlite_path_of(url));
    if (st->sqlite_path == NULL || st->url == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    return 0;
}

int
gh_store_open(const char *url, struct gh_store **out, struct gh_err *err)
{
    struct gh_store *st = calloc(1, sizeof(*st));

    *out = NULL;
    if (st == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    if (url == NULL || store_parse_url(st, url, err) == -1)
        goto fail_url;
    if (pthread_key_create(&st->key, conn_release) != 0) {
        GH_FAIL(err, GH_E_STORE, NULL);
        goto fail_url;
    }
    if (pthread_mutex_init(&st->mu, NULL) != 0) {
        GH_FAIL(err, GH_E_STORE, NULL);
        goto fail_key;
    }
    if (conn_get(st, err) == NULL) /* proves the database is reachable */
        goto fail_mutex;
    *out = st;
    return 0;
fail_mutex:
    pthread_mutex_destroy(&st->mu);
fail_key:
    pthread_key_delete(st->key);
fail_url:
    if (url == NULL)
        GH_FAIL(err, GH_E_STORE, "no database URL");
    free(st->url);
    free(st->sqlite_path);
    free(st);
    return -1;
}

void
gh_store_close(struct gh_store *st)
{
    struct gh_db_conn *c, *next;

    if (st == NULL)
        return;
    /* Deleting the key first stops exiting threads' destructors from racing
     * with the loop below; every worker must be stopped by now. */
    pthread_key_delete(st->key);
    for (c = st->conns; c != NULL; c = next) {
        next = c->next;
        st->ops->disconnect(c);
    }
    pthread_mutex_destroy(&st->mu);
    free(st->url);
    free(st->sqlite_path);
    free(st);
}

const char *
gh_store_dialect(const struct gh_store *st)
{
    return st->ops->dialect;
}

const char *
gh_store_sqlite_path(const struct gh_store *st)
{
    return st->sqlite_path;
}

int
gh_store_ping(struct gh_store *st, struct gh_err *err)
{
    return gh_db_run(st, "SELECT 1", NULL, 0, NULL, NULL, err);
}

int
gh_store_tune_bulk(struct gh_store *st, struct gh_err *err)
{
    struct gh_db_conn *c = conn_get(st, err);

    if (c == NULL)
        return -1;
    return st->ops->bulk_sql != NULL ? st->ops->exec_script(c, st->ops->bulk_sql, err) : 0;
}

int
gh_store_analyze(struct gh_store *st, int after_bulk, struct gh_err *err)
{
    const char        *sql = after_bulk ? st->ops->stats_bulk_sql : st->ops->stats_start_sql;
    struct gh_db_conn *c;

    if (sql == NULL)
        return 0;
    if ((c = conn_get(st, err)) == NULL)
        return -1;
    return st->ops->exec_script(c, sql, err);
}

/* ---- transactions ---- */

int
gh_store_begin(struct gh_store *st, struct gh_err *err)
{
    struct gh_db_conn *c = conn_get(st, err);

    if (c == NULL)
        return -1;
    if (c->tx_depth > 0) {
        GH_FAIL(err, GH_E_STORE, NULL);
        gh_err_note(err, "nested transaction");
        return -1;
    }
    if (st->ops->query(c, st->ops->begin_sql, NULL, 0, NULL, NULL, err) == -1)
        return -1;
    c->tx_depth = 1;
    return 0;
}

int
gh_store_commit(struct gh_store *st, struct gh_err *err)
{
    struct gh_db_conn *c = conn_get(st, err);
    int                rc;

    if (c == NULL)
        return -1;
    if (c->tx_depth == 0) {
        GH_FAIL(err, GH_E_STORE, NULL);
        gh_err_note(err, "commit without begin");
        return -1;
    }
    rc = st->ops->query(c, "COMMIT", NULL, 0, NULL, NULL, err);
    if (rc == -1) /* the transaction is over either way once we roll back */
        st->ops->query(c, "ROLLBACK", NULL, 0, NULL, NULL, NULL);
    c->tx_depth = 0;
    return rc;
}

void
gh_store_rollback(struct gh_store *st)
{
    struct gh_db_conn *c = pthread_getspecific(st->key);
    struct gh_err      ignored = { 0 };

    if (c == NULL || c->tx_depth == 0)
        return;
    st->ops->query(c, "ROLLBACK", NULL, 0, NULL, NULL, &ignored);
    c->tx_depth = 0;
}

/* webhooks (issue 5) */
int
gh_store_in_tx(struct gh_store *st)
{
    struct gh_db_conn *c = pthread_getspecific(st->key);

    return c != NULL && c->tx_depth > 0;
}

int
gh_db_tx_join(struct gh_store *st, int *owned, struct gh_err *err)
{
    struct gh_db_conn *c = conn_get(st, err);

    *owned = 0;
    if (c == NULL)
        return -1;
    if (c->tx_depth > 0)
        return 0;
    if (gh_store_begin(st, err) == -1)
        return -1;
    *owned = 1;
    return 0;
}

int
gh_db_tx_end(struct gh_store *st, int owned, int ok, struct gh_err *err)
{
    if (!owned)
        return ok ? 0 : -1;
    if (ok)
        return gh_store_commit(st, err);
    gh_store_rollback(st);
    return -1;
}

/* ---- migrations ---- */

static const char create_migrations_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

int
gh_store_schema_version(struct gh_store *st, int *out, struct gh_err *err)
{
    struct gh_db_rows  rows;
    struct gh_db_param p = gh_db_text("schema_migrations");
    int                rc = -1;

    *out = 0;
    if (gh_db_run(st, st->ops->has_table_sql, &p, 1, &rows, NULL, err) == -1)
        return -1;
    if (gh_db_cell_i64(&rows, 0, 0) == 0) {
        rc = 0;
        goto done;
    }
    gh_db_rows_clear(&rows);
    if (gh_db_run(st, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", NULL, 0, &rows,
            NULL, err) == -1)
        goto done;
    *out = (int)gh_db_cell_i64(&rows, 0, 0);
    rc = 0;
done:
    gh_db_rows_clear(&rows);
    return rc;
}

/* Applies m if the database has not got it yet, inside one transaction that
 * also (on PostgreSQL) holds the advisory lock, so concurrent starters queue. */
static int
migrate_one(struct gh_store *st, struct gh_db_conn *c, const struct gh_migration *m,
    struct gh_err *err)
{
    struct gh_db_rows  rows = { 0 };
    struct gh_db_param p[3];
    int                ok = 0;

    if (gh_store_begin(st, err) == -1)
        return -1;
    if (st->ops->migrate_lock_sql != NULL &&
        st->ops->exec_script(c, st->ops->migrate_lock_sql, err) == -1)
        goto done;
    if (st->ops->exec_script(c, create_migrations_sql, err) == -1 ||
        st->ops->query(c, "SELECT COUNT(*) FROM schema_migrations WHERE version = ?",
            (p[0] = gh_db_int(m->version), p), 1, &rows, NULL, err) == -1)
        goto done;
    if (gh_db_cell_i64(&rows, 0, 0) == 0) {
        p[1] = gh_db_text(m->name);
        p[2] = gh_db_int(gh_now_ms());
        if (st->ops->exec_script(c, m->sql, err) == -1) {
            gh_err_note(err, "migration %s", m->name);
            goto done;
        }
        if (st->ops->query(c, "INSERT INTO schema_migrations (version, name, applied_at)"
                              " VALUES (?, ?, ?)", p, 3, NULL, NULL, err) == -1)
            goto done;
    }
    ok = 1;
done:
    gh_db_rows_clear(&rows);
    return gh_db_tx_end(st, 1, ok, err);
}

int
gh_store_migrate(struct gh_store *st, struct gh_err *err)
{
    const struct gh_migration *m = strcmp(st->ops->dialect, "sqlite") == 0
                                       ? gh_migrations_sqlite
                                       : gh_migrations_postgres;
    struct gh_db_conn         *c = conn_get(st, err);

    if (c == NULL)
        return -1;
    if (c->tx_depth > 0) {
        GH_FAIL(err, GH_E_STORE, NULL);
        gh_err_note(err, "migrate inside a transaction");
        return -1;
    }
    for (; m->version != 0; m++)
        if (migrate_one(st, c, m, err) == -1)
            return -1;
    return 0;
}
