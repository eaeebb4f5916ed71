/* store_sessions.c: clients and sessions (store.h), as SQL written once for
 * both dialects. Status transitions are conditional updates so two requests
 * racing to end a session cannot both win; which transitions are allowed is
 * core's business, not this file's. */
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/str.h"

#define SESSION_COLS                                                                   \
    "id, user_id, client_id, status, active_org_id, actor, last_active_at, expire_at," \
    " abandon_at, created_at, updated_at, user_agent, ip_address"

int
gh_store_client_insert(struct gh_store *st, const char *instance_id,
    const struct gh_client *c, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(c->id), gh_db_text(instance_id),
        gh_db_text(c->token_hash), gh_db_int(c->created_at), gh_db_int(c->updated_at) };
    int rc = gh_db_run(st, "INSERT INTO clients (id, instance_id, token_hash, created_at,"
                           " updated_at) VALUES (?, ?, ?, ?, ?)",
        p, 5, NULL, NULL, err);

    if (rc == -1)
        gh_db_unique_param(err, NULL);
    return rc;
}

static int
session_from_row(const struct gh_db_rows *rows, size_t r, struct gh_session *s)
{
    gh_db_cell_copy(rows, r, 0, s->id, sizeof(s->id));
    gh_db_cell_copy(rows, r, 1, s->user_id, sizeof(s->user_id));
    gh_db_cell_copy(rows, r, 2, s->client_id, sizeof(s->client_id));
    gh_db_cell_copy(rows, r, 3, s->status, sizeof(s->status));
    if (gh_db_cell_dup(rows, r, 4, &s->active_org_id) == -1 ||
        gh_db_cell_dup(rows, r, 5, &s->actor) == -1)
        return -1;
    s->last_active_at = gh_db_cell_i64(rows, r, 6);
    s->expire_at = gh_db_cell_i64(rows, r, 7);
    s->abandon_at = gh_db_cell_i64(rows, r, 8);
    s->created_at = gh_db_cell_i64(rows, r, 9);
    s->updated_at = gh_db_cell_i64(rows, r, 10);
    /* issue 4 (0010): the browser it was last used from */
    if (gh_db_cell_dup(rows, r, 11, &s->user_agent) == -1)
        return -1;
    gh_db_cell_copy(rows, r, 12, s->ip_address, sizeof(s->ip_address));
    return 0;
}

static void *
session_rec_new(void)
{
    return gh_session_new();
}

static int
session_rec_read(const struct gh_db_rows *rows, size_t r, void *rec, const void *arg)
{
    (void)arg;
    return session_from_row(rows, r, rec);
}

static void
session_rec_free(void *rec)
{
    gh_session_free(rec);
}

static const struct gh_db_rec_type session_rec = {
    session_rec_new, session_rec_read, session_rec_free,
};

/* Runs a SELECT of SESSION_COLS; *out is an owned array of *n sessions. */
static int
fetch_sessions(struct gh_store *st, const char *sql, const struct gh_db_param *p, size_t np,
    struct gh_session ***out, size_t *n, struct gh_err *err)
{
    void **v;
    int    rc = gh_db_fetch(st, sql, p, np, &session_rec, NULL, &v, n, err);

    *out = (struct gh_session **)v;
    return rc;
}

int
gh_store_session_insert(struct gh_store *st, const char *instance_id,
    const struct gh_session *s, struct gh_err *err)
{
    struct gh_db_param p[] = {
        gh_db_text(s->id),
        gh_db_text(s->user_id),
        gh_db_text(s->client_id),
        gh_db_text(s->status),
        gh_db_text(s->active_org_id),
        gh_db_text(s->actor),
        gh_db_time(s->last_active_at),
        gh_db_time(s->expire_at),
        gh_db_time(s->abandon_at),
        gh_db_int(s->created_at),
        gh_db_int(s->updated_at),
        gh_db_text(s->user_agent),
        gh_db_text(s->ip_address[0] != '\0' ? s->ip_address : NULL),
        gh_db_text(instance_id),
    };
    int rc = gh_db_run(st, "INSERT INTO sessions (" SESSION_COLS ", instance_id)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        p, 14, NULL, NULL, err);

    if (rc == -1)
        gh_db_unique_param(err, NULL);
    return rc;
}

int
gh_store_session_get(struct gh_store *st, const char *instance_id, const char *session_id,
    struct gh_session **out, struct gh_err *err)
{
    struct gh_db_param  p[] = { gh_db_text(instance_id), gh_db_text(session_id) };
    struct gh_session **v;
    size_t              n;

    *out = NULL;
    /* Hot path (every token refresh): one cached statement. */
    if (fetch_sessions(st, "SELECT " SESSION_COLS " FROM sessions WHERE instance_id = ? AND id = ?",
            p, 2, &v, &n, err) == -1)
        return -1;
    if (n == 0) {
        gh_sessions_free(v, n);
        return GH_FAIL(err, GH_E_NOT_FOUND, "session not found");
    }
    *out = v[0];
    v[0] = NULL;
    gh_sessions_free(v, n);
    return 0;
}

int
gh_store_session_set_status(struct gh_store *st, const char *instance_id,
    const char *session_id, const char *from, const char *to, int64_t now, int *changed,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(to), gh_db_int(now), gh_db_text(instance_id),
        gh_db_text(session_id), gh_db_text(from) };
    int64_t            n = 0;

    *changed = 0;
    /* The condition sits in the UPDATE itself: of two racing requests only
     * one sees status = from. A missing session just changes nothing. */
    if (gh_db_run(st, from != NULL ? "UPDATE sessions SET status = ?, updated_at = ?"
                                     " WHERE instance_id = ? AND id = ? AND status = ?"
                                   : "UPDATE sessions SET status = ?, updated_at = ?"
                                     " WHERE instance_id = ? AND id = ?",
            p, from != NULL ? 5 : 4, NULL, &n, err) == -1)
        return -1;
    *changed = n != 0;
    return 0;
}

int
gh_store_session_touch(struct gh_store *st, const char *instance_id,
    const char *session_id, int64_t now, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_int(now), gh_db_text(instance_id), gh_db_text(session_id) };
    int64_t            n = 0;

    if (gh_db_run(st, "UPDATE sessions SET last_active_at = ? WHERE instance_id = ? AND id = ?",
            p, 3, NULL, &n, err) == -1)
        return -1;
    return n != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "session not found");
}

/* The WHERE clause shared by list and count. */
static void
session_where(struct gh_db_q *q, const char *instance_id, const struct gh_session_filter *f)
{
    gh_db_q_sql(q, " WHERE instance_id = ?");
    gh_db_q_param(q, gh_db_text(instance_id));
    if (f->user_id != NULL) {
        gh_db_q_sql(q, " AND user_id = ?");
        gh_db_q_param(q, gh_db_text(f->user_id));
    }
    if (f->client_id != NULL) {
        gh_db_q_sql(q, " AND client_id = ?");
        gh_db_q_param(q, gh_db_text(f->client_id));
    }
    if (f->status != NULL) {
        gh_db_q_sql(q, " AND status = ?");
        gh_db_q_param(q, gh_db_text(f->status));
    }
}

int
gh_store_session_list(struct gh_store *st, const char *instance_id,
    const struct gh_session_filter *f, struct gh_session ***out, size_t *n, struct gh_err *err)
{
    struct gh_db_q q;
    int            rc = -1;

    *out = NULL;
    *n = 0;
    gh_db_q_init(&q);
    gh_db_q_sql(&q, "SELECT " SESSION_COLS " FROM sessions");
    session_where(&q, instance_id, f);
    /* A user's or a client's sessions are few: fetch them by their index
     * and sort. Without the unary + (an expression no index can order by),
     * SQLite without fresh statistics walks sessions_created over every
     * session of the instance instead: each FAPI sign-in lists its client's
     * sessions, so it slowed down with every session ever made (issue 7). */
    gh_db_q_sql(&q, f->user_id != NULL || f->client_id != NULL
                        ? " ORDER BY +created_at DESC, id DESC LIMIT ? OFFSET ?"
                        : " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?");
    gh_db_q_param(&q, gh_db_int(f->limit >= 1 ? f->limit : 10));
    gh_db_q_param(&q, gh_db_int(f->offset >= 0 ? f->offset : 0));
    if (gh_db_q_failed(&q))
        GH_FAIL(err, GH_E_NOMEM, NULL);
    else
        rc = fetch_sessions(st, gh_buf_str(&q.sql), q.p, q.np, out, n, err);
    gh_db_q_clear(&q);
    return rc;
}

int
gh_store_session_count(struct gh_store *st, const char *instance_id,
    const struct gh_session_filter *f, int64_t *out, struct gh_err *err)
{
    struct gh_db_q    q;
    struct gh_db_rows rows = { 0 };
    int               rc = -1;

    *out = 0;
    gh_db_q_init(&q);
    gh_db_q_sql(&q, "SELECT COUNT(*) FROM sessions");
    session_where(&q, instance_id, f);
    if (gh_db_q_failed(&q)) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
    } else if (gh_db_run(st, gh_buf_str(&q.sql), q.p, q.np, &rows, NULL, err) == 0) {
        *out = gh_db_cell_i64(&rows, 0, 0);
        rc = 0;
    }
    gh_db_rows_clear(&rows);
    gh_db_q_clear(&q);
    return rc;
}
