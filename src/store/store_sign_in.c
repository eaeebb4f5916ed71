/* store_sign_in.c: the users-table statements the Frontend API's sign-in
 * needs (issue 4), each one statement so racing requests on any number of
 * servers stay consistent: counting a failed verification toward the lockout
 * (and starting it), clearing the count, recording a sign-in, and consuming a
 * backup code by compare-and-swap on the stored list. The rules (limits,
 * durations) are core's; this file only runs them. */
#include <string.h>

#include "store/db.h"
#include "store/store.h"

int
gh_store_user_fail_count(struct gh_store *st, const char *instance_id, const char *user_id,
    int limit, int64_t lock_ms, int64_t now, int *count, int64_t *lockout_until,
    struct gh_err *err)
{
    /* An expired lockout starts a fresh count (1); otherwise +1, and the
     * failure that reaches the limit sets lockout_until. SET expressions read
     * the row as it was before the UPDATE (SQLite and PostgreSQL alike). */
    struct gh_db_param p[] = { gh_db_int(now), gh_db_int(now), gh_db_int(limit),
        gh_db_int(now + lock_ms), gh_db_text(instance_id), gh_db_text(user_id) };
    struct gh_db_rows  rows;
    int                rc = 0;

    *count = 0;
    *lockout_until = GH_TIME_NULL;
    if (gh_db_run(st, "UPDATE users SET"
                      " failed_attempts = CASE WHEN lockout_until IS NOT NULL AND lockout_until <= ?"
                      " THEN 1 ELSE failed_attempts + 1 END,"
                      " lockout_until = CASE WHEN lockout_until IS NOT NULL AND lockout_until <= ?"
                      " THEN NULL WHEN failed_attempts + 1 >= ? THEN ? ELSE lockout_until END"
                      " WHERE instance_id = ? AND id = ? RETURNING failed_attempts, lockout_until",
            p, 6, &rows, NULL, err) == -1)
        return -1;
    if (rows.nrows == 0) {
        rc = GH_FAIL(err, GH_E_NOT_FOUND, "user not found");
    } else {
        *count = (int)gh_db_cell_i64(&rows, 0, 0);
        *lockout_until = gh_db_cell_i64(&rows, 0, 1);
    }
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_store_user_failures_clear(struct gh_store *st, const char *instance_id, const char *user_id,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(user_id) };

    return gh_db_run(st, "UPDATE users SET failed_attempts = 0, lockout_until = NULL"
                         " WHERE instance_id = ? AND id = ? AND (failed_attempts <> 0"
                         " OR lockout_until IS NOT NULL)",
        p, 2, NULL, NULL, err);
}

int
gh_store_user_signed_in(struct gh_store *st, const char *instance_id, const char *user_id,
    int64_t now, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_int(now), gh_db_int(now), gh_db_text(instance_id),
        gh_db_text(user_id) };
    int64_t            n = 0;

    if (gh_db_run(st, "UPDATE users SET last_sign_in_at = ?, last_active_at = ?,"
                      " failed_attempts = 0, lockout_until = NULL"
                      " WHERE instance_id = ? AND id = ?",
            p, 4, NULL, &n, err) == -1)
        return -1;
    return n != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "user not found");
}

int
gh_store_user_backup_codes_swap(struct gh_store *st, const char *instance_id,
    const char *user_id, const char *old_codes, const char *new_codes, int64_t now,
    int *changed, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(new_codes), gh_db_int(now), gh_db_text(instance_id),
        gh_db_text(user_id), gh_db_text(old_codes) };
    int64_t            n = 0;

    *changed = 0;
    if (old_codes == NULL) /* nothing to consume */
        return 0;
    if (gh_db_run(st, "UPDATE users SET backup_codes = ?, updated_at = ?"
                      " WHERE instance_id = ? AND id = ? AND backup_codes = ?",
            p, 5, NULL, &n, err) == -1)
        return -1;
    *changed = n != 0;
    return 0;
}
