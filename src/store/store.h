/* store.h: the one operations table between the domain and the databases.
 * Every call takes the instance id it works in (every row carries one).
 * Calls are thread-safe: each worker thread gets its own connection with its
 * own prepared statements, created on first use. Implementations: sqlite.c
 * and postgres.c (drivers, see db.h), with the queries written once in the
 * store_*.c files. Records returned are owned by the caller (records.h).
 *
 * Errors: GH_E_NOT_FOUND for a missing row on get/update/delete,
 * GH_E_IDENTIFIER_EXISTS for a unique clash on an identifier/username/
 * external id (err->param names the field), GH_E_UNAVAILABLE when the
 * database cannot be reached (callers answer 503; the next call reconnects),
 * GH_E_STORE for anything else. */
#ifndef GH_STORE_STORE_H
#define GH_STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "store/records.h"
#include "util/err.h"

struct gh_store; /* opaque; one per process */

/* url: "sqlite://PATH", "sqlite:PATH", a bare path, or "postgres://…" /
 * "postgresql://…". Opens (creating a SQLite file if needed) and checks it can
 * connect. Does not migrate. */
int  gh_store_open(const char *url, struct gh_store **out, struct gh_err *err);
void gh_store_close(struct gh_store *st); /* closes every thread's connection */
const char *gh_store_dialect(const struct gh_store *st); /* "sqlite" or "postgres" */
/* For SQLite, the database file path (to place the master key beside it); NULL for postgres. */
const char *gh_store_sqlite_path(const struct gh_store *st);
/* Applies pending migrations for the dialect, in order, each in a transaction.
 * Idempotent; safe to run from several processes at once (advisory lock on PG). */
int gh_store_migrate(struct gh_store *st, struct gh_err *err);
int gh_store_schema_version(struct gh_store *st, int *out, struct gh_err *err);
int gh_store_ping(struct gh_store *st, struct gh_err *err); /* SELECT 1 */
/* Tunes the calling thread's connection for a bulk load (SQLite: a large
 * page cache and mmap; nothing on PostgreSQL). Durability is unchanged. */
int gh_store_tune_bulk(struct gh_store *st, struct gh_err *err);
/* Refreshes the query planner's statistics: after_bulk = 0 at start (SQLite:
 * a sampled ANALYZE, milliseconds; PostgreSQL: nothing, autovacuum does it),
 * 1 after a bulk load (both). */
int gh_store_analyze(struct gh_store *st, int after_bulk, struct gh_err *err);
/* Releases the calling thread's connection (threads call it before exiting). */
void gh_store_thread_done(struct gh_store *st);

/* Transactions on the calling thread's connection. Nested begin is an error.
 * Rollback is a no-op when no transaction is open. */
int  gh_store_begin(struct gh_store *st, struct gh_err *err);
int  gh_store_commit(struct gh_store *st, struct gh_err *err);
void gh_store_rollback(struct gh_store *st);
/* 1 when a transaction is open on the calling thread (webhooks, issue 5:
 * lets a core operation join its caller's transaction). */
int  gh_store_in_tx(struct gh_store *st);

/* ---- instance and keys ---- */
/* The first instance ever created (*out NULL, return 0, when the db is empty). */
int gh_store_instance_find_default(struct gh_store *st, struct gh_instance **out,
    struct gh_err *err);
int gh_store_instance_insert(struct gh_store *st, const struct gh_instance *in,
    struct gh_err *err);
/* Writes name, frontend_url, publishable_key and updated_at. Never settings:
 * those change only through gh_store_instance_settings_set, so a stale
 * in-memory copy cannot overwrite an operator's edit. */
int gh_store_instance_update(struct gh_store *st, const struct gh_instance *in,
    struct gh_err *err);
/* Instance settings (issue 4): the JSON text (*text malloc'd, "{}" when
 * empty) and its version, which every write bumps. GH_E_NOT_FOUND when no
 * such instance. */
int gh_store_instance_settings_get(struct gh_store *st, const char *instance_id, char **text,
    int64_t *version, struct gh_err *err);
/* Just the version: the cheap "did anything change" query. */
int gh_store_instance_settings_version(struct gh_store *st, const char *instance_id,
    int64_t *version, struct gh_err *err);
/* Compare-and-set: writes text and version + 1 only while the stored version
 * is still `expected`. *changed = 1 when written; 0 when another writer got
 * there first (re-read and re-apply). */
int gh_store_instance_settings_set(struct gh_store *st, const char *instance_id,
    const char *text, int64_t expected, int64_t now, int *changed, struct gh_err *err);

int gh_store_signing_key_insert(struct gh_store *st, const char *instance_id,
    const struct gh_signing_key *k, struct gh_err *err);
/* All keys of the instance, newest first; *out is an owned array of *n records. */
int gh_store_signing_key_list(struct gh_store *st, const char *instance_id,
    struct gh_signing_key **out, size_t *n, struct gh_err *err);

int gh_store_api_key_insert(struct gh_store *st, const char *instance_id,
    const struct gh_api_key *k, struct gh_err *err);
/* Finds a non-revoked key by secret hash. *found = 1 and instance_id filled
 * (GH_ID_MAX bytes) when it exists; *found = 0 otherwise (not an error). */
int gh_store_api_key_find(struct gh_store *st, const char *secret_hash, int *found,
    char *instance_id, struct gh_err *err);
int gh_store_api_key_list(struct gh_store *st, const char *instance_id,
    struct gh_api_key **out, size_t *n, struct gh_err *err);
int gh_store_api_key_revoke(struct gh_store *st, const char *instance_id, const char *id,
    int64_t now, struct gh_err *err);

/* ---- users and identifiers ---- */
struct gh_user_filter {
    const char *const *email_addresses; size_t n_email_addresses; /* exact, lower-cased */
    const char *const *phone_numbers;   size_t n_phone_numbers;
    const char *const *usernames;       size_t n_usernames;
    const char *const *user_ids;        size_t n_user_ids;
    const char *const *external_ids;    size_t n_external_ids;
    const char *const *org_ids;         size_t n_org_ids;      /* members of any (issue 3) */
    const char *query;          /* substring of id, names, username, email, phone, external id; NULL = none */
    int64_t created_before;     /* GH_TIME_NULL = unset (all time filters) */
    int64_t created_after;
    int64_t last_active_since;
    int     banned;             /* -1 unset, 0, 1 */
    /* issue 3: more filters (times strict, like created_before/after) */
    int64_t last_active_before;
    int64_t last_active_after;
    int64_t last_sign_in_before;
    int64_t last_sign_in_after;
    const char *email_query;    /* substrings, case-insensitive; NULL = none */
    const char *phone_query;
    const char *username_query;
    const char *name_query;     /* first name, last name or "first last" */
    const char *order_field;    /* allowlisted column name: created_at, updated_at, email_address,
                                   first_name, last_name, phone_number, username, last_active_at,
                                   last_sign_in_at; NULL = created_at */
    int     order_desc;         /* 1 = descending */
    int64_t limit;              /* ≥ 1; ignored by count */
    int64_t offset;
};
void gh_user_filter_init(struct gh_user_filter *f); /* unset everything, limit 10, -created_at */

/* Inserts the user and all of u->idents in one transaction (joins the caller's
 * transaction if one is open). */
int gh_store_user_insert(struct gh_store *st, const char *instance_id, const struct gh_user *u,
    struct gh_err *err);
/* Loads the user with its identifiers. GH_E_NOT_FOUND when absent. */
int gh_store_user_get(struct gh_store *st, const char *instance_id, const char *user_id,
    struct gh_user **out, struct gh_err *err);
/* Writes every scalar column of u (not its identifiers) except the lockout
 * counters failed_attempts and lockout_until, which only the attempt calls
 * below change. */
int gh_store_user_update(struct gh_store *st, const char *instance_id, const struct gh_user *u,
    struct gh_err *err);
/* Deletes the user, its identifiers, its sessions. */
int gh_store_user_delete(struct gh_store *st, const char *instance_id, const char *user_id,
    struct gh_err *err);
int gh_store_user_list(struct gh_store *st, const char *instance_id,
    const struct gh_user_filter *f, struct gh_user ***out, size_t *n, struct gh_err *err);
int gh_store_user_count(struct gh_store *st, const char *instance_id,
    const struct gh_user_filter *f, int64_t *out, struct gh_err *err);
/* The user owning identifier (type, value) or *out NULL (not an error). */
int gh_store_user_find_by_ident(struct gh_store *st, const char *instance_id,
    enum gh_ident_type type, const char *value, struct gh_user **out, struct gh_err *err);
/* Bulk insert for imports (store_users_bulk.c): stores the users v[0..n)
 * with their identifiers in multi-row statements, skipping each user that
 * clashes on an identifier, username or external id with a stored user or an
 * earlier one of v. clash[k] (caller's array of n) is NULL when v[k] was
 * stored, else the field that clashed: "email_address", "phone_number",
 * "username", "external_id" ("id" for a row id: a bug). Joins the caller's
 * transaction if one is open. -1 on a store failure: the caller's
 * transaction must then be rolled back and clash[] means nothing. */
int gh_store_user_insert_many(struct gh_store *st, const char *instance_id,
    struct gh_user *const *v, size_t n, const char **clash, struct gh_err *err);
/* Export: up to limit users with id > after ("" or NULL = from the first),
 * in id order, with their identifiers. *out: owned array (gh_users_free). */
int gh_store_user_scan(struct gh_store *st, const char *instance_id, const char *after,
    int64_t limit, struct gh_user ***out, size_t *n, struct gh_err *err);

int gh_store_ident_insert(struct gh_store *st, const char *instance_id, const struct gh_ident *i,
    struct gh_err *err);
int gh_store_ident_get(struct gh_store *st, const char *instance_id, const char *ident_id,
    struct gh_ident **out, struct gh_err *err);
int gh_store_ident_update(struct gh_store *st, const char *instance_id,
    const struct gh_ident *i, struct gh_err *err); /* verified, strategy, reserved, updated_at */
int gh_store_ident_delete(struct gh_store *st, const char *instance_id, const char *ident_id,
    struct gh_err *err);

/* ---- abuse resistance (issue 6): lockout counters and rate limits ---- */

/* Reserves one verification attempt before a credential is checked, in one
 * statement (so parallel attempts on any number of servers can never take
 * more than `limit`): unless the user is locked (locked = 1, or lockout_until
 * > now), failed_attempts goes up by one (restarting at 1 when an earlier
 * lockout has run out) and, when it reaches limit, lockout_until = until.
 * *reserved = 1 with *attempts = the new count; *reserved = 0 when locked
 * (nothing changes). GH_E_NOT_FOUND when there is no such user. */
int gh_store_user_attempt_reserve(struct gh_store *st, const char *instance_id,
    const char *user_id, int limit, int64_t now, int64_t until, int *reserved, int *attempts,
    struct gh_err *err);
/* failed_attempts = 0 and lockout_until = NULL (a successful check, unlock). */
int gh_store_user_attempt_reset(struct gh_store *st, const char *instance_id,
    const char *user_id, struct gh_err *err);
/* Gives a reservation back when its check could not run (hashing slot
 * timeout, store error): failed_attempts - 1 (not below 0), and the lockout
 * it may have started is lifted when the count falls below limit. */
int gh_store_user_attempt_refund(struct gh_store *st, const char *instance_id,
    const char *user_id, int limit, struct gh_err *err);

/* Adds `take` hits to the bucket's current window in one statement (an
 * upsert): a bucket without a row, or whose window ended (window_end <= now),
 * starts a new window [now, now + window_ms) with `take` hits. *hits: the
 * window's count including these; *window_end: when it ends (unix ms). */
int gh_store_ratelimit_take(struct gh_store *st, const char *instance_id, const char *bucket,
    int64_t now, int64_t window_ms, int take, int64_t *hits, int64_t *window_end,
    struct gh_err *err);
/* Deletes buckets whose window ended before `before` (ms). */
int gh_store_ratelimit_purge(struct gh_store *st, int64_t before, struct gh_err *err);

/* ---- clients and sessions ---- */
int gh_store_client_insert(struct gh_store *st, const char *instance_id,
    const struct gh_client *c, struct gh_err *err);

struct gh_session_filter {
    const char *user_id;   /* NULL = any */
    const char *client_id;
    const char *status;
    int64_t     limit;     /* ≥ 1 */
    int64_t     offset;
};
int gh_store_session_insert(struct gh_store *st, const char *instance_id,
    const struct gh_session *s, struct gh_err *err);
int gh_store_session_get(struct gh_store *st, const char *instance_id, const char *session_id,
    struct gh_session **out, struct gh_err *err);
/* Sets status (and updated_at = now) only when the current status is `from`
 * (NULL = any). *changed = 1 when a row changed. */
int gh_store_session_set_status(struct gh_store *st, const char *instance_id,
    const char *session_id, const char *from, const char *to, int64_t now, int *changed,
    struct gh_err *err);
int gh_store_session_touch(struct gh_store *st, const char *instance_id,
    const char *session_id, int64_t now, struct gh_err *err); /* last_active_at */
/* Newest first. */
int gh_store_session_list(struct gh_store *st, const char *instance_id,
    const struct gh_session_filter *f, struct gh_session ***out, size_t *n, struct gh_err *err);
int gh_store_session_count(struct gh_store *st, const char *instance_id,
    const struct gh_session_filter *f, int64_t *out, struct gh_err *err);

/* ---- Frontend API (issue 4): clients, sign-ins, sign-ups (store_fapi.c) ---- */
/* The client whose cookie token hashes to token_hash; *out NULL (return 0)
 * when none (an empty hash never matches: Backend API clients have ""). */
int gh_store_client_find_by_token(struct gh_store *st, const char *instance_id,
    const char *token_hash, struct gh_client **out, struct gh_err *err);
int gh_store_client_get(struct gh_store *st, const char *instance_id, const char *client_id,
    struct gh_client **out, struct gh_err *err); /* caller frees with free() */
/* Writes token_hash, last_active_session_id, sign_in_id, sign_up_id, updated_at. */
int gh_store_client_update(struct gh_store *st, const char *instance_id,
    const struct gh_client *c, struct gh_err *err);
/* Deletes the client and its sign-ins and sign-ups (not its sessions). */
int gh_store_client_delete(struct gh_store *st, const char *instance_id, const char *client_id,
    struct gh_err *err);
/* Sets the session's active organization (NULL or "" = personal) and
 * last_active_at = updated_at = now. */
int gh_store_session_set_org(struct gh_store *st, const char *instance_id,
    const char *session_id, const char *org_id, int64_t now, struct gh_err *err);

/* Sign-ins and sign-ups are written whole; get fails with GH_E_NOT_FOUND. */
int gh_store_sign_in_insert(struct gh_store *st, const char *instance_id,
    const struct gh_sign_in *si, struct gh_err *err);
int gh_store_sign_in_update(struct gh_store *st, const char *instance_id,
    const struct gh_sign_in *si, struct gh_err *err);
int gh_store_sign_in_get(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_sign_in **out, struct gh_err *err);
int gh_store_sign_up_insert(struct gh_store *st, const char *instance_id,
    const struct gh_sign_up *su, struct gh_err *err);
int gh_store_sign_up_update(struct gh_store *st, const char *instance_id,
    const struct gh_sign_up *su, struct gh_err *err);
int gh_store_sign_up_get(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_sign_up **out, struct gh_err *err);
/* As gh_store_sign_up_get, inside the caller's transaction, after taking the
 * row's write lock (a no-op UPDATE: a row lock on PostgreSQL, the database's
 * write lock on SQLite): read-modify-write of one sign-up is serialised, so
 * concurrent requests never write back a stale copy. */
int gh_store_sign_up_get_locked(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_sign_up **out, struct gh_err *err);
/* Counts one attempt on a verification ("sign_ins.ff", "sign_ins.sf",
 * "sign_ups.ev" or "ident_verifications", keyed by ident id) only while
 * fewer than max_attempts were counted, in one
 * conditional UPDATE: racing requests cannot pass the limit. *counted = 1
 * when this attempt was counted, 0 when the limit had been reached. */
int gh_store_verif_bump(struct gh_store *st, const char *instance_id, const char *table_col,
    const char *id, int max_attempts, int *counted, struct gh_err *err);

/* ---- Frontend API /v1/me (issue 4, 0010; store_me.c) ---- */
/* Records the browser a session was last used from (NULL/"" store NULL). */
int gh_store_session_set_activity(struct gh_store *st, const char *instance_id,
    const char *session_id, const char *user_agent, const char *ip_address, struct gh_err *err);
/* The emailed-code verification of an identifier added through /v1/me; *found
 * = 0 (and v reset) when none was prepared. v->target_id is ident_id. */
int gh_store_ident_verif_get(struct gh_store *st, const char *instance_id, const char *ident_id,
    struct gh_verif *v, int *found, struct gh_err *err);
/* Inserts or replaces it (updated_at = now; created_at = now on insert). Its
 * attempt counter also has gh_store_verif_bump(…, "ident_verifications", …). */
int gh_store_ident_verif_put(struct gh_store *st, const char *instance_id, const char *ident_id,
    const struct gh_verif *v, int64_t now, struct gh_err *err);
/* The user's TOTP enrolment; *out NULL (return 0) when none. Caller frees. */
int gh_store_totp_get(struct gh_store *st, const char *instance_id, const char *user_id,
    struct gh_totp **out, struct gh_err *err);
/* Inserts or replaces the user's enrolment (every column). */
int gh_store_totp_put(struct gh_store *st, const char *instance_id, const struct gh_totp *t,
    struct gh_err *err);
int gh_store_totp_delete(struct gh_store *st, const char *instance_id, const char *user_id,
    struct gh_err *err);
/* Marks the enrolment totp_id verified only while it is unverified (one
 * conditional UPDATE); *changed = 1 when this call did it. */
int gh_store_totp_confirm(struct gh_store *st, const char *instance_id, const char *user_id,
    const char *totp_id, int64_t now, int *changed, struct gh_err *err);
/* Sign-in's users statements (store_sign_in.c), each a single statement.
 * fail_count: one failed verification: failed_attempts + 1 (or 1 when a
 * lockout has expired), and the failure reaching `limit` sets lockout_until
 * = now + lock_ms. *count and *lockout_until: the row after. GH_E_NOT_FOUND
 * for an unknown user. failures_clear: failed_attempts 0, no lockout.
 * signed_in: last_sign_in_at = last_active_at = now and the count cleared.
 * backup_codes_swap: sets backup_codes to new_codes (NULL = none left) only
 * while it still equals old_codes; *changed = 0 when another request got
 * there first (the caller re-reads and retries). */
int gh_store_user_fail_count(struct gh_store *st, const char *instance_id, const char *user_id,
    int limit, int64_t lock_ms, int64_t now, int *count, int64_t *lockout_until,
    struct gh_err *err);
int gh_store_user_failures_clear(struct gh_store *st, const char *instance_id,
    const char *user_id, struct gh_err *err);
int gh_store_user_signed_in(struct gh_store *st, const char *instance_id, const char *user_id,
    int64_t now, struct gh_err *err);
int gh_store_user_backup_codes_swap(struct gh_store *st, const char *instance_id,
    const char *user_id, const char *old_codes, const char *new_codes, int64_t now,
    int *changed, struct gh_err *err);

/* ---- JWT templates (issue 3) ---- */
/* A name clash → GH_E_IDENTIFIER_EXISTS with param "name" (insert, update). */
int gh_store_jwt_template_insert(struct gh_store *st, const char *instance_id,
    const struct gh_jwt_template *t, struct gh_err *err);
/* Writes every column but id, instance_id and created_at. */
int gh_store_jwt_template_update(struct gh_store *st, const char *instance_id,
    const struct gh_jwt_template *t, struct gh_err *err);
int gh_store_jwt_template_get(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_jwt_template **out, struct gh_err *err);
/* *out NULL (not an error) when no template has that name. */
int gh_store_jwt_template_find_by_name(struct gh_store *st, const char *instance_id,
    const char *name, struct gh_jwt_template **out, struct gh_err *err);
int gh_store_jwt_template_delete(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_err *err);
/* Newest first. */
int gh_store_jwt_template_list(struct gh_store *st, const char *instance_id, int64_t limit,
    int64_t offset, struct gh_jwt_template ***out, size_t *n, struct gh_err *err);
int gh_store_jwt_template_count(struct gh_store *st, const char *instance_id, int64_t *out,
    struct gh_err *err);

/* ---- webhooks (issue 5): endpoints, the outbox, deliveries, attempts ---- */
int gh_store_webhook_endpoint_insert(struct gh_store *st, const char *instance_id,
    const struct gh_webhook_endpoint *ep, struct gh_err *err);
/* GH_E_NOT_FOUND when absent. *out is filled (clear with gh_webhook_endpoint_clear). */
int gh_store_webhook_endpoint_get(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_webhook_endpoint *out, struct gh_err *err);
/* Oldest first. *out: owned array (gh_webhook_endpoints_free). */
int gh_store_webhook_endpoint_list(struct gh_store *st, const char *instance_id, int64_t limit,
    int64_t offset, struct gh_webhook_endpoint **out, size_t *n, int64_t *total,
    struct gh_err *err);
/* Writes every mutable column (url, description, event_filter, enabled, both
 * sealed secrets, prev_expires_at, first_failure_at, disabled_reason, updated_at). */
int gh_store_webhook_endpoint_update(struct gh_store *st, const char *instance_id,
    const struct gh_webhook_endpoint *ep, struct gh_err *err);
/* Deletes the endpoint with its deliveries and attempts. */
int gh_store_webhook_endpoint_delete(struct gh_store *st, const char *instance_id,
    const char *id, struct gh_err *err);

/* Writes an outbox message and, in the same transaction (joining the
 * caller's), one pending delivery due now for every enabled endpoint of the
 * instance whose filter takes m->type: fan-out happens at write time, so an
 * endpoint added later does not receive older messages (replay does). */
int gh_store_webhook_message_insert(struct gh_store *st, const char *instance_id,
    const struct gh_webhook_message *m, struct gh_err *err);

/* *n = how many enabled endpoints of the instance would receive an event of
 * this type (the fan-out rule of gh_store_webhook_message_insert). */
int gh_store_webhook_listeners(struct gh_store *st, const char *instance_id, const char *type,
    int64_t *n, struct gh_err *err);

/* Claims up to max due deliveries for worker `who` until now + lease_ms:
 * pending, next_attempt_at <= now, endpoint enabled, lease free or expired,
 * and the oldest due one of its endpoint with no other delivery of that
 * endpoint in flight (per-endpoint creation order). PostgreSQL: FOR UPDATE
 * SKIP LOCKED, so concurrent instances never claim the same row. *seqs: owned
 * array of *n delivery seqs, oldest first. */
int gh_store_webhook_claim(struct gh_store *st, const char *who, int64_t now, int64_t lease_ms,
    size_t max, int64_t **seqs, size_t *n, struct gh_err *err);
/* Loads a claimed delivery with its payload and endpoint. GH_E_NOT_FOUND when
 * it vanished (endpoint deleted). Clear *out with gh_webhook_job_clear. */
int gh_store_webhook_job_load(struct gh_store *st, int64_t seq, struct gh_webhook_job *out,
    struct gh_err *err);

/* The result of one attempt, recorded in one transaction. */
struct gh_webhook_outcome {
    const struct gh_webhook_job *job;
    int         http_status;     /* 0 when there was no response */
    const char *error;           /* NULL on success */
    int64_t     duration_ms;
    int64_t     at;              /* when the attempt ended */
    const char *status;          /* new delivery status: pending|succeeded|exhausted */
    int64_t     next_attempt_at; /* for pending */
    int         success;         /* 1: clears the endpoint's failure streak; 0: starts it */
    const char *disable_reason;  /* non-NULL: disable the endpoint with this reason */
};
int gh_store_webhook_attempt_record(struct gh_store *st, const struct gh_webhook_outcome *o,
    struct gh_err *err);
/* The attempts log of an endpoint, newest first. */
int gh_store_webhook_attempt_list(struct gh_store *st, const char *instance_id,
    const char *endpoint_id, int64_t limit, int64_t offset, struct gh_webhook_attempt **out,
    size_t *n, int64_t *total, struct gh_err *err);
/* Re-queues deliveries to the endpoint (pending, attempts 0, due at now):
 * message_id non-NULL → that message (whatever the endpoint's filter); else
 * every message created at or after since_ms that the filter takes.
 * *count: deliveries queued. */
int gh_store_webhook_replay(struct gh_store *st, const char *instance_id,
    const struct gh_webhook_endpoint *ep, const char *message_id, int64_t since_ms, int64_t now,
    int64_t *count, struct gh_err *err);
/* For tests and `gatehouse webhooks`: deliveries in a status (NULL = any). */
int gh_store_webhook_delivery_count(struct gh_store *st, const char *status, int64_t *out,
    struct gh_err *err);

/* ---- outgoing email (issue 4): the mail outbox (store_mail.c) ---- */
/* Queues one email, due at r->created_at, status pending; joins the
 * caller's transaction (so a rolled-back change sends nothing). */
int gh_store_mail_insert(struct gh_store *st, const char *instance_id,
    const struct gh_mail_row *r, struct gh_err *err);
/* Claims up to max due emails (pending, next_attempt_at <= now, lease free
 * or expired) for worker `who` until now + lease_ms. PostgreSQL: FOR UPDATE
 * SKIP LOCKED, so servers sharing the database never claim the same row.
 * *seqs: owned array of *n seqs, oldest first. */
int gh_store_mail_claim(struct gh_store *st, const char *who, int64_t now, int64_t lease_ms,
    size_t max, int64_t **seqs, size_t *n, struct gh_err *err);
/* Loads a pending email (GH_E_NOT_FOUND when gone or settled). Clear *out
 * with gh_mail_job_clear. */
int gh_store_mail_load(struct gh_store *st, int64_t seq, struct gh_mail_job *out,
    struct gh_err *err);
/* The result of one attempt. */
struct gh_mail_outcome {
    int64_t     seq;
    const char *who;             /* the lease holder recording it */
    const char *status;          /* pending (retry) | sent | failed | expired */
    int         attempts;        /* made so far, this one included */
    int64_t     next_attempt_at; /* for pending */
    const char *error;           /* NULL on success; never holds a secret */
    int64_t     at;
};
/* Records o and releases the lease, only while `who` still holds it
 * (*recorded = 0 when the lease was lost to another worker). A settled
 * status drops the sealed message. */
int gh_store_mail_record(struct gh_store *st, const struct gh_mail_outcome *o, int *recorded,
    struct gh_err *err);
/* Emails in a status (NULL = any): tests and `gatehouse mail status`. */
int gh_store_mail_count(struct gh_store *st, const char *status, int64_t *out,
    struct gh_err *err);
/* Deletes settled rows last updated before `before` (ms). *n: rows deleted. */
int gh_store_mail_prune(struct gh_store *st, int64_t before, int64_t *n, struct gh_err *err);

/* ---- organizations (issue 3) ---- */
struct gh_org_filter {
    const char *const *org_ids;  size_t n_org_ids;   /* organization_id[] */
    const char *const *user_ids; size_t n_user_ids;  /* orgs with one of these members */
    const char *query;           /* substring of id, name, slug; NULL = none */
    const char *order_field;     /* name, created_at, members_count; NULL = created_at */
    int     order_desc;
    int     with_count;          /* fill members_count */
    int64_t limit;               /* ≥ 1; ignored by count */
    int64_t offset;
};
void gh_org_filter_init(struct gh_org_filter *f); /* limit 10, -created_at */

/* Inserts; slug clash → GH_E_IDENTIFIER_EXISTS param "slug". */
int gh_store_org_insert(struct gh_store *st, const char *instance_id, const struct gh_org *o,
    struct gh_err *err);
/* By id or, when key does not start with "org_" or no such id, by slug. */
int gh_store_org_get(struct gh_store *st, const char *instance_id, const char *id_or_slug,
    int with_count, struct gh_org **out, struct gh_err *err);
/* name, slug, image_url, max, admin_delete, metadata, updated_at. */
int gh_store_org_update(struct gh_store *st, const char *instance_id, const struct gh_org *o,
    struct gh_err *err);
int gh_store_org_delete(struct gh_store *st, const char *instance_id, const char *org_id,
    struct gh_err *err); /* and its memberships */
int gh_store_org_list(struct gh_store *st, const char *instance_id,
    const struct gh_org_filter *f, struct gh_org ***out, size_t *n, struct gh_err *err);
int gh_store_org_count(struct gh_store *st, const char *instance_id,
    const struct gh_org_filter *f, int64_t *out, struct gh_err *err);

struct gh_org_member_filter {
    const char *org_id;          /* NULL = every organization */
    const char *const *user_ids; size_t n_user_ids;
    const char *const *roles;    size_t n_roles;
    const char *query;           /* substring of user id, names, username, email */
    const char *order_field;     /* created_at, first_name, last_name, username,
                                    email_address, phone_number; NULL = created_at */
    int     order_desc;
    int64_t limit;               /* ≥ 1; ignored by count */
    int64_t offset;
};
void gh_org_member_filter_init(struct gh_org_member_filter *f); /* limit 10, -created_at */

/* Unique (org, user) clash → GH_E_ALREADY_MEMBER. */
int gh_store_org_member_insert(struct gh_store *st, const char *instance_id,
    const struct gh_org_membership *m, struct gh_err *err);
/* *out NULL (return 0) when absent. */
int gh_store_org_member_find(struct gh_store *st, const char *instance_id, const char *org_id,
    const char *user_id, struct gh_org_membership **out, struct gh_err *err);
int gh_store_org_member_update(struct gh_store *st, const char *instance_id,
    const struct gh_org_membership *m, struct gh_err *err); /* role, metadata, updated_at */
int gh_store_org_member_delete(struct gh_store *st, const char *instance_id,
    const char *org_id, const char *user_id, struct gh_err *err);
int gh_store_org_member_list(struct gh_store *st, const char *instance_id,
    const struct gh_org_member_filter *f, struct gh_org_membership ***out, size_t *n,
    struct gh_err *err);
int gh_store_org_member_count(struct gh_store *st, const char *instance_id,
    const struct gh_org_member_filter *f, int64_t *out, struct gh_err *err);

/* Roles and permissions. Lists are by key. Role gets load the permissions. */
int gh_store_permission_insert(struct gh_store *st, const char *instance_id,
    const struct gh_permission *p, struct gh_err *err); /* key clash → IDENTIFIER_EXISTS "key" */
/* by = "id" or "key". *out NULL (return 0) when absent. */
int gh_store_permission_find(struct gh_store *st, const char *instance_id, const char *by,
    const char *value, struct gh_permission **out, struct gh_err *err);
int gh_store_permission_update(struct gh_store *st, const char *instance_id,
    const struct gh_permission *p, struct gh_err *err);
int gh_store_permission_delete(struct gh_store *st, const char *instance_id,
    const char *perm_id, struct gh_err *err); /* and its grants */
int gh_store_permission_list(struct gh_store *st, const char *instance_id, const char *query,
    int64_t limit, int64_t offset, struct gh_permission ***out, size_t *n, int64_t *total,
    struct gh_err *err);

int gh_store_role_insert(struct gh_store *st, const char *instance_id, const struct gh_role *r,
    struct gh_err *err); /* with its grants (r->perms ids); key clash → IDENTIFIER_EXISTS "key" */
int gh_store_role_find(struct gh_store *st, const char *instance_id, const char *by,
    const char *value, struct gh_role **out, struct gh_err *err);
int gh_store_role_update(struct gh_store *st, const char *instance_id, const struct gh_role *r,
    const char *old_key, struct gh_err *err); /* scalars; renames memberships' role */
int gh_store_role_delete(struct gh_store *st, const char *instance_id, const char *role_id,
    struct gh_err *err);
int gh_store_role_list(struct gh_store *st, const char *instance_id, const char *query,
    int64_t limit, int64_t offset, struct gh_role ***out, size_t *n, int64_t *total,
    struct gh_err *err);
int gh_store_role_grant(struct gh_store *st, const char *instance_id, const char *role_id,
    const char *perm_id, int grant, int64_t now, struct gh_err *err); /* 1 add, 0 remove */
/* Members holding role key (to refuse deleting a role in use). */
int gh_store_role_members(struct gh_store *st, const char *instance_id, const char *key,
    int64_t *out, struct gh_err *err);

/* ---- invitations and tickets (issue 3) ---- */
/* Tickets: single-use, expiring secrets, looked up by the SHA-256 of the raw
 * value. Joins the caller's transaction like every other call. */
int gh_store_ticket_insert(struct gh_store *st, const char *instance_id, const struct gh_ticket *t,
    struct gh_err *err);
/* The ticket of that kind and hash, whatever its state; *found = 0 (return 0) when none. */
int gh_store_ticket_find(struct gh_store *st, const char *instance_id, const char *kind,
    const char *token_hash, struct gh_ticket *out, int *found, struct gh_err *err);
/* Marks the ticket used, only when it is unused, unrevoked and expires after
 * now (one conditional UPDATE: of two racing redeems one wins). *changed = 1
 * when this call consumed it. */
int gh_store_ticket_use(struct gh_store *st, const char *instance_id, const char *kind,
    const char *token_hash, int64_t now, int *changed, struct gh_err *err);
/* Revokes every unused ticket of target_id. */
int gh_store_ticket_revoke_target(struct gh_store *st, const char *instance_id,
    const char *target_id, int64_t now, struct gh_err *err);

struct gh_invitation_filter {
    const char *org_id;          /* NULL = app-level invitations only */
    int         any_org;         /* 1 = every organization's (org_id ignored) */
    const char *const *emails;   size_t n_emails;   /* exact, lower-cased; 0 = any */
    const char *const *statuses; size_t n_statuses; /* pending|accepted|revoked|expired; 0 = any */
    int64_t     now;             /* ms; splits pending from expired */
    const char *query;           /* substring of email_address; NULL = none */
    const char *order_field;     /* created_at, email_address, expires_at; NULL = created_at */
    int         order_desc;
    int64_t     limit;           /* ≥ 1; ignored by count */
    int64_t     offset;
};
void gh_invitation_filter_init(struct gh_invitation_filter *f); /* app-level, limit 10, -created_at */

int gh_store_invitation_insert(struct gh_store *st, const char *instance_id,
    const struct gh_invitation *inv, struct gh_err *err);
/* GH_E_NOT_FOUND when absent. */
int gh_store_invitation_get(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_invitation **out, struct gh_err *err);
/* status = to (updated_at = now) only when it is `from`; *changed = 1 when it was. */
int gh_store_invitation_set_status(struct gh_store *st, const char *instance_id, const char *id,
    const char *from, const char *to, int64_t now, int *changed, struct gh_err *err);
int gh_store_invitation_delete(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_err *err); /* and its tickets */
int gh_store_invitation_list(struct gh_store *st, const char *instance_id,
    const struct gh_invitation_filter *f, struct gh_invitation ***out, size_t *n,
    struct gh_err *err);
int gh_store_invitation_count(struct gh_store *st, const char *instance_id,
    const struct gh_invitation_filter *f, int64_t *out, struct gh_err *err);

int gh_store_sign_in_token_insert(struct gh_store *st, const char *instance_id,
    const struct gh_sign_in_token *t, struct gh_err *err);
int gh_store_sign_in_token_get(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_sign_in_token *out, struct gh_err *err); /* GH_E_NOT_FOUND when absent */
int gh_store_sign_in_token_set_status(struct gh_store *st, const char *instance_id,
    const char *id, const char *from, const char *to, int64_t now, int *changed,
    struct gh_err *err);

/* Allow/blocklist identifiers; list is "allow" or "block". A repeated
 * identifier in the same list → GH_E_DUPLICATE_RECORD naming "identifier". */
int gh_store_access_ident_insert(struct gh_store *st, const char *instance_id,
    const struct gh_access_ident *a, struct gh_err *err);
/* Deletes and returns the row (*out caller frees); GH_E_NOT_FOUND when absent. */
int gh_store_access_ident_delete(struct gh_store *st, const char *instance_id, const char *list,
    const char *id, struct gh_access_ident **out, struct gh_err *err);
/* Newest first. */
int gh_store_access_ident_list(struct gh_store *st, const char *instance_id, const char *list,
    int64_t limit, int64_t offset, struct gh_access_ident ***out, size_t *n, int64_t *total,
    struct gh_err *err);
/* *found = 1 when any of values[0..n) is in the list; *count = the list's size. */
int gh_store_access_ident_match(struct gh_store *st, const char *instance_id, const char *list,
    const char *const *values, size_t n, int *found, int64_t *count, struct gh_err *err);

#endif
