/* postgres.c: the PostgreSQL driver behind db.h, on libpq. One PGconn per
 * worker thread, each with its own named prepared statements ("s1", "s2", …)
 * keyed by the store's `?` SQL text, rewritten to $1..$n once per statement.
 * A lost connection is reset on the next use and, outside a transaction, the
 * failed statement retried once; while the server stays away callers get
 * GH_E_UNAVAILABLE. It knows no table and builds no SQL. */
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/buf.h"

#define BYTEA_OID 17

struct pg_stmt {
    char name[16]; /* "s<n>", or "" (unnamed) when the cache is full */
};

struct pg_conn {
    struct gh_db_conn  base; /* first: drivers are handed &base */
    PGconn            *pg;
    struct gh_db_cache cache;   /* SQL text → struct pg_stmt * */
    unsigned           next_id; /* for statement names */
};

/* The driver message without libpq's trailing newline, for err->note. */
static void
note_msg(struct gh_err *err, const char *what, const char *msg)
{
    size_t n = msg != NULL ? strcspn(msg, "\n") : 0;

    gh_err_note(err, "postgres %s: %.*s", what, (int)(n < 200 ? n : 200), msg != NULL ? msg : "");
}

static int
pg_unavailable(struct pg_conn *c, const char *what, struct gh_err *err)
{
    GH_FAIL(err, GH_E_UNAVAILABLE, NULL);
    note_msg(err, what, PQerrorMessage(c->pg));
    return -1;
}

/* Maps a failed result: unique_violation (23505) → IDENTIFIER_EXISTS with
 * the constraint name in the note; connection classes or a dead connection
 * → UNAVAILABLE; anything else → STORE. */
static int
pg_fail(struct pg_conn *c, PGresult *res, const char *what, struct gh_err *err)
{
    const char *state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res != NULL ? PQresultErrorMessage(res) : PQerrorMessage(c->pg);

    if (PQstatus(c->pg) != CONNECTION_OK ||
        (state != NULL && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)))
        return pg_unavailable(c, what, err);
    if (state != NULL && strcmp(state, "23505") == 0) {
        const char *cons = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);

        GH_FAIL(err, GH_E_IDENTIFIER_EXISTS, NULL);
        gh_err_note(err, "constraint=%s", cons != NULL ? cons : "?");
        note_msg(err, what, msg);
        return -1;
    }
    GH_FAIL(err, GH_E_STORE, NULL);
    note_msg(err, what, msg);
    return -1;
}

static void
stmt_free(void *handle)
{
    free(handle);
}

static void
quiet_notices(void *arg, const char *msg)
{
    (void)arg;
    (void)msg; /* "relation already exists, skipping" and the like */
}

static void
pg_disconnect(struct gh_db_conn *base)
{
    struct pg_conn *c = (struct pg_conn *)base;

    if (c == NULL)
        return;
    gh_db_cache_clear(&c->cache, stmt_free);
    PQfinish(c->pg);
    free(c);
}

static int
pg_connect(const char *url, struct gh_db_conn **out, struct gh_err *err)
{
    struct pg_conn *c = calloc(1, sizeof(*c));

    *out = NULL;
    if (c == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    c->pg = PQconnectdb(url);
    if (c->pg == NULL) {
        free(c);
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    if (PQstatus(c->pg) != CONNECTION_OK) {
        pg_unavailable(c, "connect", err);
        pg_disconnect(&c->base);
        return -1;
    }
    PQsetNoticeProcessor(c->pg, quiet_notices, NULL);
    *out = &c->base;
    return 0;
}

/* Reconnects a connection libpq has marked bad. Server-side prepared
 * statements died with the old session, so the cache goes too. */
static int
ensure_up(struct pg_conn *c, struct gh_err *err)
{
    if (PQstatus(c->pg) == CONNECTION_OK)
        return 0;
    gh_db_cache_clear(&c->cache, stmt_free);
    PQreset(c->pg);
    if (PQstatus(c->pg) != CONNECTION_OK)
        return pg_unavailable(c, "reconnect", err);
    return 0;
}

static int
pg_exec_script(struct gh_db_conn *base, const char *sql, struct gh_err *err)
{
    struct pg_conn *c = (struct pg_conn *)base;
    PGresult       *res;
    int             rc = 0;

    if (ensure_up(c, err) == -1)
        return -1;
    res = PQexec(c->pg, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
        rc = pg_fail(c, res, "exec", err);
    PQclear(res);
    return rc;
}

/* `?` → `$n`, outside quoted literals and identifiers. Caller frees. */
static char *
rewrite_placeholders(const char *sql)
{
    struct gh_buf b;
    char          quote = 0;
    unsigned      n = 0;

    gh_buf_init(&b, strlen(sql) * 4 + 16);
    for (const char *s = sql; *s != '\0'; s++) {
        if (quote != 0 && *s == quote)
            quote = 0;
        else if (quote == 0 && (*s == '\'' || *s == '"'))
            quote = *s;
        if (quote == 0 && *s == '?')
            gh_buf_addf(&b, "$%u", ++n);
        else
            gh_buf_addc(&b, *s);
    }
    return gh_buf_take(&b);
}

/* The prepared statement for sql, prepared on first use. *oneshot = 1 when
 * the cache is full (unnamed statement; caller frees the record). */
static struct pg_stmt *
stmt_get(struct pg_conn *c, const char *sql, int *oneshot, struct gh_err *err)
{
    struct pg_stmt *s = gh_db_cache_find(&c->cache, sql);
    char           *text = NULL;
    PGresult       *res = NULL;

    *oneshot = 0;
    if (s != NULL)
        return s;
    if ((s = calloc(1, sizeof(*s))) == NULL || (text = rewrite_placeholders(sql)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto fail;
    }
    *oneshot = c->cache.n >= GH_DB_CACHE_MAX;
    if (!*oneshot)
        snprintf(s->name, sizeof(s->name), "s%u", ++c->next_id);
    res = PQprepare(c->pg, s->name, text, 0, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        pg_fail(c, res, "prepare", err);
        goto fail;
    }
    if (!*oneshot && gh_db_cache_add(&c->cache, sql, s) == -1) {
        GH_FAIL(err, GH_E_NOMEM, NULL); /* prepared under a name nothing remembers */
        goto fail;
    }
    PQclear(res);
    free(text);
    return s;
fail:
    PQclear(res);
    free(text);
    free(s);
    return NULL;
}

struct pg_params {
    const char **val;
    int         *len;
    int         *fmt;
    char       (*num)[24];
};

static int
params_fill(struct pg_params *pp, const struct gh_db_param *p, size_t np)
{
    size_t n = np != 0 ? np : 1;

    pp->val = calloc(n, sizeof(*pp->val));
    pp->len = calloc(n, sizeof(*pp->len));
    pp->fmt = calloc(n, sizeof(*pp->fmt));
    pp->num = calloc(n, sizeof(*pp->num));
    if (pp->val == NULL || pp->len == NULL || pp->fmt == NULL || pp->num == NULL)
        return -1;
    for (size_t i = 0; i < np; i++) {
        if (p[i].type == GH_DB_TEXT) {
            pp->val[i] = p[i].text;
        } else if (p[i].type == GH_DB_INT) {
            snprintf(pp->num[i], sizeof(pp->num[i]), "%" PRId64, p[i].i);
            pp->val[i] = pp->num[i];
        } else if (p[i].type == GH_DB_BLOB) {
            pp->val[i] = p[i].len != 0 ? p[i].blob : "";
            pp->len[i] = (int)p[i].len;
            pp->fmt[i] = 1; /* binary: bytea bytes as they are */
        }
    }
    return 0;
}

static void
params_free(struct pg_params *pp)
{
    free(pp->val);
    free(pp->len);
    free(pp->fmt);
    free(pp->num);
}

static int
rows_from(PGresult *res, struct gh_db_rows *rows)
{
    struct gh_db_rowbuf rb;
    int                 nr = PQntuples(res), nc = PQnfields(res);

    gh_db_rowbuf_init(&rb, (size_t)nc);
    for (int r = 0; r < nr; r++) {
        for (int col = 0; col < nc; col++) {
            unsigned char *bin;
            size_t         blen;

            if (PQgetisnull(res, r, col)) {
                gh_db_rowbuf_cell(&rb, NULL, 0);
            } else if (PQftype(res, col) != BYTEA_OID) {
                gh_db_rowbuf_cell(&rb, PQgetvalue(res, r, col),
                    (size_t)PQgetlength(res, r, col));
            } else if ((bin = PQunescapeBytea((const unsigned char *)PQgetvalue(res, r, col),
                            &blen)) != NULL) {
                gh_db_rowbuf_cell(&rb, bin, blen);
                PQfreemem(bin);
            } else {
                rb.failed = 1;
            }
        }
    }
    return gh_db_rowbuf_finish(&rb, rows);
}

static int
pg_once(struct pg_conn *c, const char *sql, const struct gh_db_param *p, size_t np,
    struct gh_db_rows *rows, int64_t *changes, struct gh_err *err)
{
    struct pg_params pp = { 0 };
    struct pg_stmt  *s;
    PGresult        *res = NULL;
    int              oneshot = 0, st, rc = -1;
    const char      *ct;

    if ((s = stmt_get(c, sql, &oneshot, err)) == NULL)
        return -1;
    if (params_fill(&pp, p, np) == -1) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    res = PQexecPrepared(c->pg, s->name, (int)np, pp.val, pp.len, pp.fmt, 0);
    st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        pg_fail(c, res, "query", err);
        goto done;
    }
    if (rows != NULL && rows_from(res, rows) == -1) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    ct = PQcmdTuples(res);
    if (changes != NULL)
        *changes = *ct != '\0' ? strtoll(ct, NULL, 10) : PQntuples(res);
    rc = 0;
done:
    PQclear(res);
    params_free(&pp);
    if (oneshot)
        free(s);
    return rc;
}

static int
pg_query(struct gh_db_conn *base, const char *sql, const struct gh_db_param *p, size_t np,
    struct gh_db_rows *rows, int64_t *changes, struct gh_err *err)
{
    struct pg_conn *c = (struct pg_conn *)base;
    struct gh_err   first = { 0 };

    if (ensure_up(c, err) == -1)
        return -1;
    if (pg_once(c, sql, p, np, rows, changes, &first) == 0)
        return 0;
    /* The server went away under us (restart, failover, idle kill). Outside
     * a transaction nothing was half-done, so reconnect and try once more;
     * inside one the transaction is lost and the caller must start over. */
    if (PQstatus(c->pg) != CONNECTION_OK && c->base.tx_depth == 0 && ensure_up(c, NULL) == 0) {
        gh_db_rows_clear(rows);
        return pg_once(c, sql, p, np, rows, changes, err);
    }
    if (err != NULL && err->code == GH_E_OK)
        *err = first;
    return -1;
}

const struct gh_db_ops gh_db_postgres_ops = {
    .dialect = "postgres",
    .begin_sql = "BEGIN",
    /* Several instances starting together: the first migrates, the others
     * wait here and then find the migration applied. */
    .migrate_lock_sql = "SELECT pg_advisory_xact_lock(7240951352)",
    .has_table_sql = "SELECT COUNT(*) FROM information_schema.tables"
                     " WHERE table_schema = current_schema() AND table_name = ?",
    /* autovacuum keeps statistics at start; after an import they are
     * refreshed at once rather than on autovacuum's schedule. */
    .stats_start_sql = NULL,
    .stats_bulk_sql = "ANALYZE users; ANALYZE identifications",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .exec_script = pg_exec_script,
    .query = pg_query,
};
