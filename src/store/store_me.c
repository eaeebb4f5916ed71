/* store_me.c: the rows behind the Frontend API's /v1/me routes (issue 4,
 * migration 0010): the browser a session was last used from, the emailed-code
 * verification of an address added to an account, and TOTP enrolments. Rules
 * (who may verify what, when a code is right) are core's; this file only reads
 * and writes. Attempt counting for ident_verifications is gh_store_verif_bump
 * (store_fapi.c), one conditional UPDATE. */
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/store.h"
#include "util/str.h"

int
gh_store_session_set_activity(struct gh_store *st, const char *instance_id,
    const char *session_id, const char *user_agent, const char *ip_address, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(user_agent),
        gh_db_text(ip_address != NULL && ip_address[0] != '\0' ? ip_address : NULL),
        gh_db_text(instance_id), gh_db_text(session_id) };
    int64_t            n = 0;

    if (gh_db_run(st, "UPDATE sessions SET user_agent = ?, ip_address = ?"
                      " WHERE instance_id = ? AND id = ?",
            p, 4, NULL, &n, err) == -1)
        return -1;
    return n != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "session not found");
}

/* ---- ident_verifications ---- */

int
gh_store_ident_verif_get(struct gh_store *st, const char *instance_id, const char *ident_id,
    struct gh_verif *v, int *found, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(ident_id) };
    struct gh_db_rows  rows = { 0 };

    *found = 0;
    gh_verif_reset(v);
    if (gh_db_run(st, "SELECT strategy, status, attempts, expire_at, code_hash, sent_at"
                      " FROM ident_verifications WHERE instance_id = ? AND ident_id = ?",
            p, 2, &rows, NULL, err) == -1)
        return -1;
    if (rows.nrows > 0) {
        gh_db_cell_copy(&rows, 0, 0, v->strategy, sizeof(v->strategy));
        gh_db_cell_copy(&rows, 0, 1, v->status, sizeof(v->status));
        v->attempts = (int)gh_db_cell_i64(&rows, 0, 2);
        v->expire_at = gh_db_cell_i64(&rows, 0, 3);
        gh_db_cell_copy(&rows, 0, 4, v->code_hash, sizeof(v->code_hash));
        v->sent_at = gh_db_cell_i64(&rows, 0, 5);
        gh_strlcpy(v->target_id, ident_id, sizeof(v->target_id));
        *found = 1;
    }
    gh_db_rows_clear(&rows);
    return 0;
}

int
gh_store_ident_verif_put(struct gh_store *st, const char *instance_id, const char *ident_id,
    const struct gh_verif *v, int64_t now, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(ident_id), gh_db_text(instance_id),
        gh_db_text(v->strategy), gh_db_text(v->status), gh_db_int(v->attempts),
        gh_db_time(v->expire_at), gh_db_text(v->code_hash), gh_db_time(v->sent_at),
        gh_db_int(now), gh_db_int(now) };

    /* One statement on both dialects: SQLite ≥ 3.24 and PostgreSQL share
     * ON CONFLICT … DO UPDATE with excluded.*. */
    return gh_db_run(st, "INSERT INTO ident_verifications (ident_id, instance_id, strategy,"
                         " status, attempts, expire_at, code_hash, sent_at, created_at,"
                         " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                         " ON CONFLICT (ident_id) DO UPDATE SET strategy = excluded.strategy,"
                         " status = excluded.status, attempts = excluded.attempts,"
                         " expire_at = excluded.expire_at, code_hash = excluded.code_hash,"
                         " sent_at = excluded.sent_at, updated_at = excluded.updated_at",
        p, 10, NULL, NULL, err);
}

/* ---- totp_enrolments ---- */

void
gh_totp_free(struct gh_totp *t)
{
    if (t == NULL)
        return;
    free(t->secret_sealed);
    free(t);
}

int
gh_store_totp_get(struct gh_store *st, const char *instance_id, const char *user_id,
    struct gh_totp **out, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(user_id) };
    struct gh_db_rows  rows = { 0 };
    struct gh_totp    *t = NULL;
    int                rc = -1;

    *out = NULL;
    if (gh_db_run(st, "SELECT id, user_id, secret_sealed, verified, created_at, updated_at"
                      " FROM totp_enrolments WHERE instance_id = ? AND user_id = ?",
            p, 2, &rows, NULL, err) == -1)
        return -1;
    if (rows.nrows == 0) {
        rc = 0;
        goto done;
    }
    if ((t = calloc(1, sizeof(*t))) == NULL ||
        gh_db_cell_dup(&rows, 0, 2, &t->secret_sealed) == -1) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    gh_db_cell_copy(&rows, 0, 0, t->id, sizeof(t->id));
    gh_db_cell_copy(&rows, 0, 1, t->user_id, sizeof(t->user_id));
    t->verified = gh_db_cell_i64(&rows, 0, 3) != 0;
    t->created_at = gh_db_cell_i64(&rows, 0, 4);
    t->updated_at = gh_db_cell_i64(&rows, 0, 5);
    *out = t;
    t = NULL;
    rc = 0;
done:
    gh_totp_free(t);
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_store_totp_put(struct gh_store *st, const char *instance_id, const struct gh_totp *t,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(t->user_id), gh_db_text(instance_id),
        gh_db_text(t->id), gh_db_text(t->secret_sealed), gh_db_int(t->verified != 0),
        gh_db_int(t->created_at), gh_db_int(t->updated_at) };

    return gh_db_run(st, "INSERT INTO totp_enrolments (user_id, instance_id, id, secret_sealed,"
                         " verified, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                         " ON CONFLICT (user_id) DO UPDATE SET id = excluded.id,"
                         " secret_sealed = excluded.secret_sealed, verified = excluded.verified,"
                         " created_at = excluded.created_at, updated_at = excluded.updated_at",
        p, 7, NULL, NULL, err);
}

int
gh_store_totp_delete(struct gh_store *st, const char *instance_id, const char *user_id,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(user_id) };

    return gh_db_run(st, "DELETE FROM totp_enrolments WHERE instance_id = ? AND user_id = ?", p,
        2, NULL, NULL, err);
}

int
gh_store_totp_confirm(struct gh_store *st, const char *instance_id, const char *user_id,
    const char *totp_id, int64_t now, int *changed, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_int(now), gh_db_text(instance_id), gh_db_text(user_id),
        gh_db_text(totp_id) };
    int64_t            n = 0;

    *changed = 0;
    /* Conditional: of two racing confirmations only one flips it. */
    if (gh_db_run(st, "UPDATE totp_enrolments SET verified = 1, updated_at = ?"
                      " WHERE instance_id = ? AND user_id = ? AND id = ? AND verified = 0",
            p, 4, NULL, &n, err) == -1)
        return -1;
    *changed = n != 0;
    return 0;
}
