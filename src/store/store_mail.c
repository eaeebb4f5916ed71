/* store_mail.c: the outbox of outgoing email (store.h, "outgoing email"):
 * queueing in the caller's transaction, claiming due rows with a lease,
 * recording attempts, and pruning settled rows. Queries are written once for
 * both dialects; only the claim differs (PostgreSQL adds FOR UPDATE SKIP
 * LOCKED). Formatting, sealing and SMTP are src/jobs' business. */
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/str.h"

int
gh_store_mail_insert(struct gh_store *st, const char *instance_id, const struct gh_mail_row *r,
    struct gh_err *err)
{
    struct gh_db_param p[] = {
        gh_db_text(r->id), gh_db_text(instance_id), gh_db_text(r->recipient),
        gh_db_text(r->sender), gh_db_blob(r->message_sealed, r->message_sealed_len),
        gh_db_int(r->created_at), gh_db_time(r->expires_at), gh_db_int(r->created_at),
        gh_db_int(r->created_at),
    };
    int rc = gh_db_run(st, "INSERT INTO mail_outbox (id, instance_id, recipient, sender,"
                           " message_sealed, status, attempts, next_attempt_at, expires_at,"
                           " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)",
        p, 9, NULL, NULL, err);

    if (rc == -1)
        gh_db_unique_param(err, NULL);
    return rc;
}

#define CLAIM_HEAD                                                                          \
    "UPDATE mail_outbox SET locked_by = ?, locked_until = ? WHERE seq IN ("                 \
    "SELECT seq FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= ?"         \
    " AND (locked_until IS NULL OR locked_until < ?) ORDER BY seq LIMIT ?"
#define CLAIM_TAIL ") RETURNING seq"

int
gh_store_mail_claim(struct gh_store *st, const char *who, int64_t now, int64_t lease_ms,
    size_t max, int64_t **seqs, size_t *n, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(who), gh_db_int(now + lease_ms), gh_db_int(now),
        gh_db_int(now), gh_db_int((int64_t)max) };
    int                pg = strcmp(gh_store_dialect(st), "postgres") == 0;
    struct gh_db_rows  rows;
    int64_t           *v;

    *seqs = NULL;
    *n = 0;
    if (gh_db_run(st, pg ? CLAIM_HEAD " FOR UPDATE SKIP LOCKED" CLAIM_TAIL : CLAIM_HEAD CLAIM_TAIL,
            p, 5, &rows, NULL, err) == -1)
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
gh_store_mail_load(struct gh_store *st, int64_t seq, struct gh_mail_job *out, struct gh_err *err)
{
    struct gh_db_param p = gh_db_int(seq);
    struct gh_db_rows  rows;
    const char        *blob;
    size_t             len;
    int                rc = -1;

    memset(out, 0, sizeof(*out));
    if (gh_db_run(st, "SELECT seq, id, instance_id, recipient, sender, message_sealed, attempts,"
                      " expires_at, created_at FROM mail_outbox"
                      " WHERE seq = ? AND status = 'pending'",
            &p, 1, &rows, NULL, err) == -1)
        return -1;
    if (rows.nrows == 0 || (blob = gh_db_cell(&rows, 0, 5)) == NULL) {
        GH_FAIL(err, GH_E_NOT_FOUND, "mail not found");
        goto done;
    }
    out->seq = gh_db_cell_i64(&rows, 0, 0);
    gh_db_cell_copy(&rows, 0, 1, out->id, sizeof(out->id));
    gh_db_cell_copy(&rows, 0, 2, out->instance_id, sizeof(out->instance_id));
    gh_db_cell_copy(&rows, 0, 3, out->recipient, sizeof(out->recipient));
    gh_db_cell_copy(&rows, 0, 4, out->sender, sizeof(out->sender));
    len = rows.len[5];
    if ((out->message_sealed = malloc(len != 0 ? len : 1)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    memcpy(out->message_sealed, blob, len);
    out->message_sealed_len = len;
    out->attempts = (int)gh_db_cell_i64(&rows, 0, 6);
    out->expires_at = gh_db_cell_i64(&rows, 0, 7);
    out->created_at = gh_db_cell_i64(&rows, 0, 8);
    rc = 0;
done:
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_store_mail_record(struct gh_store *st, const struct gh_mail_outcome *o, int *recorded,
    struct gh_err *err)
{
    int                settled = strcmp(o->status, "pending") != 0;
    struct gh_db_param p[] = { gh_db_text(o->status), gh_db_int(o->attempts),
        gh_db_int(o->next_attempt_at), gh_db_text(o->error), gh_db_int(o->at),
        gh_db_int(settled), gh_db_int(o->seq), gh_db_text(o->who) };
    int64_t            n = 0;

    *recorded = 0;
    /* Settling drops the sealed message: codes and tickets leave the
     * database once they are sent or given up on. */
    if (gh_db_run(st, "UPDATE mail_outbox SET status = ?, attempts = ?, next_attempt_at = ?,"
                      " last_error = ?, updated_at = ?, locked_by = NULL, locked_until = NULL,"
                      " message_sealed = CASE WHEN ? = 1 THEN NULL ELSE message_sealed END"
                      " WHERE seq = ? AND locked_by = ?",
            p, 8, NULL, &n, err) == -1)
        return -1;
    *recorded = n != 0;
    return 0;
}

int
gh_store_mail_count(struct gh_store *st, const char *status, int64_t *out, struct gh_err *err)
{
    struct gh_db_param p = gh_db_text(status);
    struct gh_db_rows  rows;

    if (gh_db_run(st, status != NULL ? "SELECT COUNT(*) FROM mail_outbox WHERE status = ?"
                                     : "SELECT COUNT(*) FROM mail_outbox",
            &p, status != NULL ? 1 : 0, &rows, NULL, err) == -1)
        return -1;
    *out = gh_db_cell_i64(&rows, 0, 0);
    gh_db_rows_clear(&rows);
    return 0;
}

int
gh_store_mail_prune(struct gh_store *st, int64_t before, int64_t *n, struct gh_err *err)
{
    struct gh_db_param p = gh_db_int(before);

    *n = 0;
    return gh_db_run(st, "DELETE FROM mail_outbox WHERE status IN ('sent', 'failed', 'expired')"
                         " AND updated_at < ?",
        &p, 1, NULL, n, err);
}
