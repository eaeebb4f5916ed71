/* store_abuse.c (issue 6): the counters behind lockout and rate limiting,
 * each moved by one atomic statement so that concurrent requests on any
 * number of servers sharing the database count exactly: a conditional
 * UPDATE … RETURNING for verification attempts, an upsert … RETURNING for
 * rate-limit windows. Policy (limits, what counts, what to answer) is
 * core's (core/lockout.c, core/ratelimit.c). */
#include <string.h>

#include "store/db.h"

int
gh_store_user_attempt_reserve(struct gh_store *st, const char *instance_id, const char *user_id,
                              int limit, int64_t now, int64_t until, int *reserved, int *attempts,
                              struct gh_err *err)
{
    /* SET expressions read the row as it was before the statement (both
     * dialects), and the WHERE clause has already excluded an active
     * lockout, so a non-NULL lockout_until here is one that ran out. */
    struct gh_db_param p[] = {gh_db_int(limit), gh_db_int(until), gh_db_text(instance_id),
                              gh_db_text(user_id), gh_db_int(now)};
    struct gh_db_rows  rows;
    int                rc = 0;

    *reserved = 0;
    *attempts = 0;
    if (gh_db_run(
            st,
            "UPDATE users SET"
            " failed_attempts = CASE WHEN lockout_until IS NULL"
            "   THEN failed_attempts + 1 ELSE 1 END,"
            " lockout_until = CASE WHEN (CASE WHEN lockout_until IS NULL"
            "   THEN failed_attempts + 1 ELSE 1 END) >= ? THEN CAST(? AS BIGINT) ELSE NULL END"
            " WHERE instance_id = ? AND id = ? AND locked = 0"
            " AND (lockout_until IS NULL OR lockout_until <= ?)"
            " RETURNING failed_attempts",
            p, 5, &rows, NULL, err) == -1)
        return -1;
    if (rows.nrows == 1) {
        *reserved = 1;
        *attempts = (int)gh_db_cell_i64(&rows, 0, 0);
    } else {
        /* Locked, or no such user: tell them apart with one read. */
        struct gh_db_param q[] = {gh_db_text(instance_id), gh_db_text(user_id)};
        struct gh_db_rows  exists = {0};

        if (gh_db_run(st, "SELECT 1 FROM users WHERE instance_id = ? AND id = ?", q, 2, &exists,
                      NULL, err) == -1)
            rc = -1;
        else if (exists.nrows == 0)
            rc = GH_FAIL(err, GH_E_NOT_FOUND, "user not found");
        gh_db_rows_clear(&exists);
    }
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_store_user_attempt_reset(struct gh_store *st, const char *instance_id, const char *user_id,
                            struct gh_err *err)
{
    struct gh_db_param p[] = {gh_db_text(instance_id), gh_db_text(user_id)};
    int64_t            changes = 0;

    if (gh_db_run(st,
                  "UPDATE users SET failed_attempts = 0, lockout_until = NULL"
                  " WHERE instance_id = ? AND id = ?",
                  p, 2, NULL, &changes, err) == -1)
        return -1;
    return changes != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "user not found");
}

int
gh_store_user_attempt_refund(struct gh_store *st, const char *instance_id, const char *user_id,
                             int limit, struct gh_err *err)
{
    struct gh_db_param p[] = {gh_db_int(limit), gh_db_text(instance_id), gh_db_text(user_id)};

    return gh_db_run(st,
                     "UPDATE users SET"
                     " failed_attempts = CASE WHEN failed_attempts > 0"
                     "   THEN failed_attempts - 1 ELSE 0 END,"
                     " lockout_until = CASE WHEN failed_attempts - 1 < ?"
                     "   THEN NULL ELSE lockout_until END"
                     " WHERE instance_id = ? AND id = ?",
                     p, 3, NULL, NULL, err);
}

int
gh_store_ratelimit_take(struct gh_store *st, const char *instance_id, const char *bucket,
                        int64_t now, int64_t window_ms, int take, int64_t *hits,
                        int64_t *window_end, struct gh_err *err)
{
    struct gh_db_param p[] = {
        gh_db_text(instance_id), gh_db_text(bucket), gh_db_int(now + window_ms),
        gh_db_int(take),         gh_db_int(now),     gh_db_int(now)};
    struct gh_db_rows rows;
    int               rc = 0;

    *hits = 0;
    *window_end = 0;
    if (gh_db_run(st,
                  "INSERT INTO rate_limits (instance_id, bucket, window_end, hits)"
                  " VALUES (?, ?, ?, ?)"
                  " ON CONFLICT (instance_id, bucket) DO UPDATE SET"
                  " hits = CASE WHEN rate_limits.window_end <= ? THEN excluded.hits"
                  "   ELSE rate_limits.hits + excluded.hits END,"
                  " window_end = CASE WHEN rate_limits.window_end <= ?"
                  "   THEN excluded.window_end ELSE rate_limits.window_end END"
                  " RETURNING hits, window_end",
                  p, 6, &rows, NULL, err) == -1)
        return -1;
    if (rows.nrows != 1) {
        rc = GH_FAIL(err, GH_E_STORE, NULL);
        gh_err_note(err, "rate limit upsert returned %zu rows", rows.nrows);
    } else {
        *hits = gh_db_cell_i64(&rows, 0, 0);
        *window_end = gh_db_cell_i64(&rows, 0, 1);
    }
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_store_ratelimit_purge(struct gh_store *st, int64_t before, struct gh_err *err)
{
    struct gh_db_param p[] = {gh_db_int(before)};

    return gh_db_run(st, "DELETE FROM rate_limits WHERE window_end < ?", p, 1, NULL, NULL, err);
}
