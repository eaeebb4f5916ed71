/* store_webhooks.c: webhook endpoints, the outbox (messages fanned out into
 * deliveries at write time), claiming due deliveries with a lease, and the
 * attempts log (store.h, "webhooks"). Queries are written once for both
 * dialects; only the claim differs (PostgreSQL adds FOR UPDATE SKIP LOCKED).
 * Signing, sending and the retry schedule are src/jobs' business. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/str.h"

#define EP_COLS                                                                      \
    "id, url, description, event_filter, enabled, secret_sealed, prev_secret_sealed," \
    " prev_expires_at, first_failure_at, disabled_reason, created_at, updated_at"

/* A blob cell copied into *out (NULL for SQL NULL). -1 on OOM. */
static int
cell_blob(const struct gh_db_rows *rows, size_t r, size_t c, unsigned char **out, size_t *len)
{
    const char *p = gh_db_cell(rows, r, c);
    size_t      n = rows->len[r * rows->ncols + c];

    *out = NULL;
    *len = 0;
    if (p == NULL)
        return 0;
    if ((*out = malloc(n != 0 ? n : 1)) == NULL)
        return -1;
    memcpy(*out, p, n);
    *len = n;
    return 0;
}

/* Fills ep from EP_COLS starting at column c0. -1 on OOM. */
static int
ep_from_row(const struct gh_db_rows *rows, size_t r, size_t c0, struct gh_webhook_endpoint *ep)
{
    gh_db_cell_copy(rows, r, c0, ep->id, sizeof(ep->id));
    if (gh_db_cell_dup(rows, r, c0 + 1, &ep->url) == -1 ||
        gh_db_cell_dup(rows, r, c0 + 2, &ep->description) == -1 ||
        gh_db_cell_dup(rows, r, c0 + 3, &ep->event_filter) == -1)
        return -1;
    ep->enabled = gh_db_cell_i64(rows, r, c0 + 4) != 0;
    if (cell_blob(rows, r, c0 + 5, &ep->secret_sealed, &ep->secret_sealed_len) == -1 ||
        cell_blob(rows, r, c0 + 6, &ep->prev_sealed, &ep->prev_sealed_len) == -1)
        return -1;
    ep->prev_expires_at = gh_db_cell_i64(rows, r, c0 + 7);
    ep->first_failure_at = gh_db_cell_i64(rows, r, c0 + 8);
    if (gh_db_cell_dup(rows, r, c0 + 9, &ep->disabled_reason) == -1)
        return -1;
    ep->created_at = gh_db_cell_i64(rows, r, c0 + 10);
    ep->updated_at = gh_db_cell_i64(rows, r, c0 + 11);
    return 0;
}

int
gh_store_webhook_endpoint_insert(struct gh_store *st, const char *instance_id,
    const struct gh_webhook_endpoint *ep, struct gh_err *err)
{
    struct gh_db_param p[] = {
        gh_db_text(ep->id), gh_db_text(ep->url),
        gh_db_text(ep->description != NULL ? ep->description : ""),
        gh_db_text(ep->event_filter != NULL ? ep->event_filter : ""), gh_db_int(ep->enabled),
        gh_db_blob(ep->secret_sealed, ep->secret_sealed_len),
        gh_db_blob(ep->prev_sealed, ep->prev_sealed_len), gh_db_time(ep->prev_expires_at),
        gh_db_time(ep->first_failure_at), gh_db_text(ep->disabled_reason),
        gh_db_int(ep->created_at), gh_db_int(ep->updated_at), gh_db_text(instance_id),
    };
    int rc = gh_db_run(st, "INSERT INTO webhook_endpoints (" EP_COLS ", instance_id)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        p, 13, NULL, NULL, err);

    if (rc == -1)
        gh_db_unique_param(err, NULL);
    return rc;
}

int
gh_store_webhook_endpoint_get(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_webhook_endpoint *out, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(id) };
    struct gh_db_rows  rows;
    int                rc = -1;

    memset(out, 0, sizeof(*out));
    if (gh_db_run(st, "SELECT " EP_COLS " FROM webhook_endpoints WHERE instance_id = ? AND id = ?",
            p, 2, &rows, NULL, err) == -1)
        return -1;
    if (rows.nrows == 0)
        GH_FAIL(err, GH_E_NOT_FOUND, "webhook endpoint not found");
    else if (ep_from_row(&rows, 0, 0, out) == -1)
        GH_FAIL(err, GH_E_NOMEM, NULL);
    else
        rc = 0;
    if (rc == -1)
        gh_webhook_endpoint_clear(out);
    gh_db_rows_clear(&rows);
    return rc;
}

static int
count_where(struct gh_store *st, const char *sql, const struct gh_db_param *p, size_t np,
    int64_t *out, struct gh_err *err)
{
    struct gh_db_rows rows;

    if (gh_db_run(st, sql, p, np, &rows, NULL, err) == -1)
        return -1;
    *out = gh_db_cell_i64(&rows, 0, 0);
    gh_db_rows_clear(&rows);
    return 0;
}

int
gh_store_webhook_endpoint_list(struct gh_store *st, const char *instance_id, int64_t limit,
    int64_t offset, struct gh_webhook_endpoint **out, size_t *n, int64_t *total,
    struct gh_err *err)
{
    struct gh_db_param          p[] = { gh_db_text(instance_id), gh_db_int(limit),
                 gh_db_int(offset) };
    struct gh_db_rows           rows = { 0 };
    struct gh_webhook_endpoint *v = NULL;
    size_t                      k = 0;
    int                         rc = -1;

    *out = NULL;
    *n = 0;
    if (count_where(st, "SELECT COUNT(*) FROM webhook_endpoints WHERE instance_id = ?", p, 1,
            total, err) == -1 ||
        gh_db_run(st, "SELECT " EP_COLS " FROM webhook_endpoints WHERE instance_id = ?"
                      " ORDER BY created_at, id LIMIT ? OFFSET ?",
            p, 3, &rows, NULL, err) == -1)
        goto done;
    if ((v = calloc(rows.nrows + 1, sizeof(*v))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    for (; k < rows.nrows; k++)
        if (ep_from_row(&rows, k, 0, &v[k]) == -1) {
            GH_FAIL(err, GH_E_NOMEM, NULL);
            k++;
            goto done;
        }
    *out = v;
    *n = k;
    v = NULL;
    rc = 0;
done:
    gh_webhook_endpoints_free(v, k);
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_store_webhook_endpoint_update(struct gh_store *st, const char *instance_id,
    const struct gh_webhook_endpoint *ep, struct gh_err *err)
{
    struct gh_db_param p[] = {
        gh_db_text(ep->url), gh_db_text(ep->description != NULL ? ep->description : ""),
        gh_db_text(ep->event_filter != NULL ? ep->event_filter : ""), gh_db_int(ep->enabled),
        gh_db_blob(ep->secret_sealed, ep->secret_sealed_len),
        gh_db_blob(ep->prev_sealed, ep->prev_sealed_len), gh_db_time(ep->prev_expires_at),
        gh_db_time(ep->first_failure_at), gh_db_text(ep->disabled_reason),
        gh_db_int(ep->updated_at), gh_db_text(instance_id), gh_db_text(ep->id),
    };
    int64_t            n = 0;

    if (gh_db_run(st, "UPDATE webhook_endpoints SET url = ?, description = ?, event_filter = ?,"
                      " enabled = ?, secret_sealed = ?, prev_secret_sealed = ?,"
                      " prev_expires_at = ?, first_failure_at = ?, disabled_reason = ?,"
                      " updated_at = ? WHERE instance_id = ? AND id = ?",
            p, 12, NULL, &n, err) == -1)
        return -1;
    return n != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "webhook endpoint not found");
}

int
gh_store_webhook_endpoint_delete(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(id) };
    int64_t            n = 0;
    int                owned = 0, ok = 0;

    if (gh_db_tx_join(st, &owned, err) == -1)
        return -1;
    if (gh_db_run(st, "DELETE FROM webhook_attempts WHERE instance_id = ? AND endpoint_id = ?",
            p, 2, NULL, NULL, err) == -1 ||
        gh_db_run(st, "DELETE FROM webhook_deliveries WHERE instance_id = ? AND endpoint_id = ?",
            p, 2, NULL, NULL, err) == -1 ||
        gh_db_run(st, "DELETE FROM webhook_endpoints WHERE instance_id = ? AND id = ?", p, 2,
            NULL, &n, err) == -1)
        goto done;
    if (n == 0) {
        GH_FAIL(err, GH_E_NOT_FOUND, "webhook endpoint not found");
        goto done;
    }
    ok = 1;
done:
    return gh_db_tx_end(st, owned, ok, err);
}

int
gh_store_webhook_message_insert(struct gh_store *st, const char *instance_id,
    const struct gh_webhook_message *m, struct gh_err *err)
{
    struct gh_db_param pm[] = { gh_db_text(m->id), gh_db_text(instance_id), gh_db_text(m->type),
        gh_db_text(m->payload), gh_db_int(m->created_at) };
    char               like[96];
    struct gh_db_param pd[] = { gh_db_text(m->id), gh_db_int(m->created_at),
        gh_db_int(m->created_at), gh_db_int(m->created_at), gh_db_text(instance_id),
        gh_db_text(like), gh_db_int(strcmp(m->type, GH_WEBHOOK_NAMED_ONLY) == 0) };
    int                owned = 0, ok = 0;

    snprintf(like, sizeof(like), "%%,%s,%%", m->type);
    if (gh_db_tx_join(st, &owned, err) == -1)
        return -1;
    if (gh_db_run(st, "INSERT INTO webhook_messages (id, instance_id, event_type, payload,"
                      " created_at) VALUES (?, ?, ?, ?, ?)",
            pm, 5, NULL, NULL, err) == -1) {
        gh_db_unique_param(err, NULL);
        goto done;
    }
    if (gh_db_run(st, "INSERT INTO webhook_deliveries (instance_id, message_id, endpoint_id,"
                      " status, attempts, next_attempt_at, created_at, updated_at)"
                      " SELECT w.instance_id, ?, w.id, 'pending', 0, ?, ?, ?"
                      " FROM webhook_endpoints w WHERE w.instance_id = ? AND w.enabled = 1"
                      " AND (w.event_filter LIKE ? OR (w.event_filter = '' AND ? = 0))"
                      " ORDER BY w.created_at, w.id",
            pd, 7, NULL, NULL, err) == -1)
        goto done;
    ok = 1;
done:
    return gh_db_tx_end(st, owned, ok, err);
}

/* Only the oldest due delivery of an endpoint is eligible, and none while
 * another of the same endpoint is leased: per-endpoint creation order. */
#define CLAIM_HEAD                                                                         \
    "UPDATE webhook_deliveries SET locked_by = ?, locked_until = ? WHERE seq IN ("         \
    "SELECT d.seq FROM webhook_deliveries d JOIN webhook_endpoints w ON w.id = d.endpoint_id" \
    " WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND w.enabled = 1"             \
    " AND (d.locked_until IS NULL OR d.locked_until < ?)"                                  \
    " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.endpoint_id = d.endpoint_id" \
    " AND e.status = 'pending' AND e.seq <> d.seq AND ((e.locked_until IS NOT NULL"        \
    " AND e.locked_until >= ?) OR (e.seq < d.seq AND e.next_attempt_at <= ?)))"            \
    " ORDER BY d.seq LIMIT ?"
#define CLAIM_TAIL ") RETURNING seq"

int
gh_store_webhook_claim(struct gh_store *st, const char *who, int64_t now, int64_t lease_ms,
    size_t max, int64_t **seqs, size_t *n, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(who), gh_db_int(now + lease_ms), gh_db_int(now),
        gh_db_int(now), gh_db_int(now), gh_db_int(now), gh_db_int((int64_t)max) };
    int                pg = strcmp(gh_store_dialect(st), "postgres") == 0;
    struct gh_db_rows  rows;
    int64_t           *v;

    *seqs = NULL;
    *n = 0;
    if (gh_db_run(st, pg ? CLAIM_HEAD " FOR UPDATE OF d SKIP LOCKED" CLAIM_TAIL
                         : CLAIM_HEAD CLAIM_TAIL,
            p, 7, &rows, NULL, err) == -1)
        return -1;
    if ((v = calloc(rows.nrows + 1, sizeof(*v))) == NULL) {
        gh_db_rows_clear(&rows);
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    for (size_t i = 0; i < rows.nrows; i++)
        v[i] = gh_db_cell_i64(&rows, i, 0);
    *n = rows.nrows;
    gh_db_rows_clear(&rows);
    /* RETURNING gives no order: oldest first, by seq. */
    for (size_t i = 1; i < *n; i++)
        for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
            int64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    *seqs = v;
    return 0;
}

int
gh_store_webhook_job_load(struct gh_store *st, int64_t seq, struct gh_webhook_job *out,
    struct gh_err *err)
{
    struct gh_db_param p = gh_db_int(seq);
    struct gh_db_rows  rows;
    int                rc = -1;

    memset(out, 0, sizeof(*out));
    if (gh_db_run(st, "SELECT d.seq, d.instance_id, d.message_id, d.attempts, m.payload,"
                      " w.id, w.url, w.description, w.event_filter, w.enabled, w.secret_sealed,"
                      " w.prev_secret_sealed, w.prev_expires_at, w.first_failure_at,"
                      " w.disabled_reason, w.created_at, w.updated_at"
                      " FROM webhook_deliveries d"
                      " JOIN webhook_messages m ON m.id = d.message_id"
                      " JOIN webhook_endpoints w ON w.id = d.endpoint_id WHERE d.seq = ?",
            &p, 1, &rows, NULL, err) == -1)
        return -1;
    if (rows.nrows == 0) {
        GH_FAIL(err, GH_E_NOT_FOUND, "delivery not found");
        goto done;
    }
    out->seq = gh_db_cell_i64(&rows, 0, 0);
    gh_db_cell_copy(&rows, 0, 1, out->instance_id, sizeof(out->instance_id));
    gh_db_cell_copy(&rows, 0, 2, out->message_id, sizeof(out->message_id));
    out->attempts = (int)gh_db_cell_i64(&rows, 0, 3);
    out->payload_len = rows.len[4];
    if (gh_db_cell_dup(&rows, 0, 4, &out->payload) == -1 || out->payload == NULL ||
        ep_from_row(&rows, 0, 5, &out->ep) == -1) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        gh_webhook_job_clear(out);
        goto done;
    }
    rc = 0;
done:
    gh_db_rows_clear(&rows);
    return rc;
}

/* The endpoint half of an outcome: failure streak and disabling. */
static int
record_endpoint(struct gh_store *st, const struct gh_webhook_outcome *o, struct gh_err *err)
{
    struct gh_db_param ps[] = { gh_db_text(o->job->ep.id) };
    struct gh_db_param pf[] = { gh_db_int(o->at), gh_db_text(o->job->ep.id) };
    struct gh_db_param pd[] = { gh_db_text(o->disable_reason), gh_db_int(o->at),
        gh_db_text(o->job->ep.id) };

    if (o->success ? gh_db_run(st, "UPDATE webhook_endpoints SET first_failure_at = NULL"
                                   " WHERE id = ? AND first_failure_at IS NOT NULL",
                         ps, 1, NULL, NULL, err) == -1
                   : gh_db_run(st, "UPDATE webhook_endpoints SET first_failure_at ="
                                   " COALESCE(first_failure_at, ?) WHERE id = ?",
                         pf, 2, NULL, NULL, err) == -1)
        return -1;
    if (o->disable_reason != NULL &&
        gh_db_run(st, "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = ?,"
                      " updated_at = ? WHERE id = ?",
            pd, 3, NULL, NULL, err) == -1)
        return -1;
    return 0;
}

int
gh_store_webhook_attempt_record(struct gh_store *st, const struct gh_webhook_outcome *o,
    struct gh_err *err)
{
    const struct gh_webhook_job *j = o->job;
    struct gh_db_param pa[] = { gh_db_text(j->instance_id), gh_db_int(j->seq),
        gh_db_text(j->message_id), gh_db_text(j->ep.id), gh_db_int(j->attempts + 1),
        o->http_status > 0 ? gh_db_int(o->http_status) : gh_db_text(NULL), gh_db_text(o->error),
        gh_db_int(o->duration_ms), gh_db_int(o->at) };
    struct gh_db_param pd[] = { gh_db_text(o->status), gh_db_int(j->attempts + 1),
        gh_db_int(o->next_attempt_at),
        o->http_status > 0 ? gh_db_int(o->http_status) : gh_db_text(NULL), gh_db_text(o->error),
        gh_db_int(o->at), gh_db_int(j->seq) };
    int owned = 0, ok = 0;

    if (gh_db_tx_join(st, &owned, err) == -1)
        return -1;
    if (gh_db_run(st, "INSERT INTO webhook_attempts (instance_id, delivery_seq, message_id,"
                      " endpoint_id, attempt_no, http_status, error, duration_ms, created_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            pa, 9, NULL, NULL, err) == -1 ||
        gh_db_run(st, "UPDATE webhook_deliveries SET status = ?, attempts = ?,"
                      " next_attempt_at = ?, last_status = ?, last_error = ?, updated_at = ?,"
                      " locked_by = NULL, locked_until = NULL WHERE seq = ?",
            pd, 7, NULL, NULL, err) == -1 ||
        record_endpoint(st, o, err) == -1)
        goto done;
    ok = 1;
done:
    return gh_db_tx_end(st, owned, ok, err);
}

int
gh_store_webhook_attempt_list(struct gh_store *st, const char *instance_id,
    const char *endpoint_id, int64_t limit, int64_t offset, struct gh_webhook_attempt **out,
    size_t *n, int64_t *total, struct gh_err *err)
{
    struct gh_db_param         p[] = { gh_db_text(instance_id), gh_db_text(endpoint_id),
                gh_db_int(limit), gh_db_int(offset) };
    struct gh_db_rows          rows = { 0 };
    struct gh_webhook_attempt *v = NULL;
    size_t                     k = 0;
    int                        rc = -1;

    *out = NULL;
    *n = 0;
    if (count_where(st, "SELECT COUNT(*) FROM webhook_attempts WHERE instance_id = ?"
                        " AND endpoint_id = ?", p, 2, total, err) == -1 ||
        gh_db_run(st, "SELECT a.seq, a.message_id, a.endpoint_id, m.event_type, a.attempt_no,"
                      " a.http_status, a.error, a.duration_ms, a.created_at"
                      " FROM webhook_attempts a LEFT JOIN webhook_messages m ON m.id = a.message_id"
                      " WHERE a.instance_id = ? AND a.endpoint_id = ?"
                      " ORDER BY a.seq DESC LIMIT ? OFFSET ?",
            p, 4, &rows, NULL, err) == -1)
        goto done;
    if ((v = calloc(rows.nrows + 1, sizeof(*v))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    for (; k < rows.nrows; k++) {
        v[k].seq = gh_db_cell_i64(&rows, k, 0);
        gh_db_cell_copy(&rows, k, 1, v[k].message_id, sizeof(v[k].message_id));
        gh_db_cell_copy(&rows, k, 2, v[k].endpoint_id, sizeof(v[k].endpoint_id));
        gh_db_cell_copy(&rows, k, 3, v[k].event_type, sizeof(v[k].event_type));
        v[k].attempt_no = (int)gh_db_cell_i64(&rows, k, 4);
        v[k].http_status = gh_db_cell(&rows, k, 5) != NULL ? (int)gh_db_cell_i64(&rows, k, 5) : 0;
        v[k].duration_ms = gh_db_cell_i64(&rows, k, 7);
        v[k].created_at = gh_db_cell_i64(&rows, k, 8);
        if (gh_db_cell_dup(&rows, k, 6, &v[k].error) == -1) {
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
    gh_webhook_attempts_free(v, k);
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_store_webhook_replay(struct gh_store *st, const char *instance_id,
    const struct gh_webhook_endpoint *ep, const char *message_id, int64_t since_ms, int64_t now,
    int64_t *count, struct gh_err *err)
{
    const char        *filter = ep->event_filter != NULL ? ep->event_filter : "";
    struct gh_db_param p[] = { gh_db_text(ep->id), gh_db_int(now), gh_db_int(now),
        gh_db_int(now), gh_db_text(instance_id),
        message_id != NULL ? gh_db_text(message_id) : gh_db_int(since_ms), gh_db_text(filter),
        gh_db_text(filter) };

    *count = 0;
    /* An upsert: a message already delivered (or given up on) goes again. */
    return gh_db_run(st,
        message_id != NULL
            ? "INSERT INTO webhook_deliveries (instance_id, message_id, endpoint_id, status,"
              " attempts, next_attempt_at, created_at, updated_at)"
              " SELECT m.instance_id, m.id, ?, 'pending', 0, ?, ?, ? FROM webhook_messages m"
              " WHERE m.instance_id = ? AND m.id = ? AND (? = '' OR ? <> '')"
              " ON CONFLICT (message_id, endpoint_id) DO UPDATE SET status = 'pending',"
              " attempts = 0, next_attempt_at = excluded.next_attempt_at, locked_by = NULL,"
              " locked_until = NULL, updated_at = excluded.updated_at"
            : "INSERT INTO webhook_deliveries (instance_id, message_id, endpoint_id, status,"
              " attempts, next_attempt_at, created_at, updated_at)"
              " SELECT m.instance_id, m.id, ?, 'pending', 0, ?, ?, ? FROM webhook_messages m"
              " WHERE m.instance_id = ? AND m.created_at >= ?"
              " AND (? LIKE '%,' || m.event_type || ',%' OR (? = '' AND m.event_type <> '"
              GH_WEBHOOK_NAMED_ONLY "')) ORDER BY m.seq"
              " ON CONFLICT (message_id, endpoint_id) DO UPDATE SET status = 'pending',"
              " attempts = 0, next_attempt_at = excluded.next_attempt_at, locked_by = NULL,"
              " locked_until = NULL, updated_at = excluded.updated_at",
        p, 8, NULL, count, err);
}

int
gh_store_webhook_listeners(struct gh_store *st, const char *instance_id, const char *type,
    int64_t *n, struct gh_err *err)
{
    char               like[96];
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(like),
        gh_db_int(strcmp(type, GH_WEBHOOK_NAMED_ONLY) == 0) };

    snprintf(like, sizeof(like), "%%,%s,%%", type);
    return count_where(st, "SELECT COUNT(*) FROM webhook_endpoints WHERE instance_id = ?"
                           " AND enabled = 1 AND (event_filter LIKE ? OR (event_filter = ''"
                           " AND ? = 0))",
        p, 3, n, err);
}

int
gh_store_webhook_delivery_count(struct gh_store *st, const char *status, int64_t *out,
    struct gh_err *err)
{
    struct gh_db_param p = gh_db_text(status);

    if (status == NULL)
        return count_where(st, "SELECT COUNT(*) FROM webhook_deliveries", NULL, 0, out, err);
    return count_where(st, "SELECT COUNT(*) FROM webhook_deliveries WHERE status = ?", &p, 1,
        out, err);
}
