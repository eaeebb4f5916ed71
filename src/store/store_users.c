/* store_users.c: users, their identifiers (email addresses, phone numbers)
 * and the user list filters of store.h, as SQL written once for both
 * dialects. One function builds the WHERE clause for list and count. It
 * enforces uniqueness only through the schema's indexes; normalising
 * values (lower-case emails and usernames) is core's job. */
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/users_sql.h"
#include "util/str.h"

#define IDENT_CHUNK   256 /* users whose identifiers load in one query */

void
gh_user_filter_init(struct gh_user_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->created_before = GH_TIME_NULL;
    f->created_after = GH_TIME_NULL;
    f->last_active_since = GH_TIME_NULL;
    f->last_active_before = f->last_active_after = GH_TIME_NULL;
    f->last_sign_in_before = f->last_sign_in_after = GH_TIME_NULL;
    f->banned = -1;
    f->order_field = NULL;
    f->order_desc = 1;
    f->limit = 10;
    f->offset = 0;
}

/* ---- rows to records ---- */

static int
user_from_row(const struct gh_db_rows *rows, size_t r, struct gh_user *u)
{
    char **s[] = { &u->external_id, &u->username, &u->first_name, &u->last_name,
        &u->password_hash, &u->primary_email_id, &u->primary_phone_id, &u->public_metadata,
        &u->private_metadata, &u->unsafe_metadata };

    gh_db_cell_copy(rows, r, 0, u->id, sizeof(u->id));
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++)
        if (gh_db_cell_dup(rows, r, i + 1, s[i]) == -1)
            return -1;
    u->banned = (int)gh_db_cell_i64(rows, r, 11);
    u->locked = (int)gh_db_cell_i64(rows, r, 12);
    u->failed_attempts = (int)gh_db_cell_i64(rows, r, 13);
    u->lockout_until = gh_db_cell_i64(rows, r, 14);
    u->password_updated_at = gh_db_cell_i64(rows, r, 15);
    u->last_sign_in_at = gh_db_cell_i64(rows, r, 16);
    u->last_active_at = gh_db_cell_i64(rows, r, 17);
    u->legal_accepted_at = gh_db_cell_i64(rows, r, 18);
    u->delete_self_enabled = (int)gh_db_cell_i64(rows, r, 19);
    u->create_organization_enabled = (int)gh_db_cell_i64(rows, r, 20);
    u->created_at = gh_db_cell_i64(rows, r, 21);
    u->updated_at = gh_db_cell_i64(rows, r, 22);
    if (gh_db_cell_dup(rows, r, 23, &u->totp_secret) == -1 ||
        gh_db_cell_dup(rows, r, 24, &u->backup_codes) == -1)
        return -1;
    return 0;
}

static int
ident_from_row(const struct gh_db_rows *rows, size_t r, struct gh_ident *i)
{
    gh_db_cell_copy(rows, r, 0, i->id, sizeof(i->id));
    gh_db_cell_copy(rows, r, 1, i->user_id, sizeof(i->user_id));
    i->type = gh_db_cell_i64(rows, r, 2) == GH_IDENT_PHONE ? GH_IDENT_PHONE : GH_IDENT_EMAIL;
    if (gh_db_cell_dup(rows, r, 3, &i->value) == -1 ||
        gh_db_cell_dup(rows, r, 5, &i->strategy) == -1)
        return -1;
    i->verified = (int)gh_db_cell_i64(rows, r, 4);
    i->reserved = (int)gh_db_cell_i64(rows, r, 6);
    i->created_at = gh_db_cell_i64(rows, r, 7);
    i->updated_at = gh_db_cell_i64(rows, r, 8);
    return 0;
}

/* Loads the identifiers of v[0..n) (creation order) with one query per
 * IDENT_CHUNK users rather than one per user. */
static int
load_idents(struct gh_store *st, struct gh_user **v, size_t n, struct gh_err *err)
{
    for (size_t at = 0; at < n; at += IDENT_CHUNK) {
        size_t            m = n - at < IDENT_CHUNK ? n - at : IDENT_CHUNK;
        const char       *ids[IDENT_CHUNK];
        struct gh_db_q    q;
        struct gh_db_rows rows = { 0 };
        int               rc = -1;

        for (size_t k = 0; k < m; k++)
            ids[k] = v[at + k]->id;
        gh_db_q_init(&q);
        /* By user id only: the users were read in this instance and ids are
         * unique, and an instance_id term lets SQLite pick the
         * (instance_id, type, value) index and scan every identifier of
         * the instance (0.2 s a page at 1M users; issue 7). */
        gh_db_q_sql(&q, "SELECT " IDENT_COLS " FROM identifications WHERE user_id IN ");
        gh_db_q_in_list(&q, ids, m);
        gh_db_q_sql(&q, " ORDER BY created_at, seq");
        if (gh_db_q_failed(&q))
            GH_FAIL(err, GH_E_NOMEM, NULL);
        else if (gh_db_run(st, gh_buf_str(&q.sql), q.p, q.np, &rows, NULL, err) == 0)
            rc = 0;
        for (size_t r = 0; rc == 0 && r < rows.nrows; r++) {
            const char      *uid = gh_db_cell(&rows, r, 1);
            struct gh_ident *i = NULL;

            for (size_t k = 0; k < m && i == NULL; k++)
                if (uid != NULL && strcmp(v[at + k]->id, uid) == 0 &&
                    (i = gh_user_ident_add(v[at + k])) == NULL)
                    rc = GH_FAIL(err, GH_E_NOMEM, NULL);
            if (i != NULL && ident_from_row(&rows, r, i) == -1)
                rc = GH_FAIL(err, GH_E_NOMEM, NULL);
        }
        gh_db_rows_clear(&rows);
        gh_db_q_clear(&q);
        if (rc == -1)
            return -1;
    }
    return 0;
}

/* Runs a SELECT of USER_COLS and returns the users with their identifiers. */
int
gh_store_users_fetch(struct gh_store *st, const char *instance_id, const char *sql,
    const struct gh_db_param *p, size_t np, struct gh_user ***out, size_t *n,
    struct gh_err *err)
{
    struct gh_db_rows rows;
    struct gh_user  **v = NULL;
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
        if ((v[k] = gh_user_new()) == NULL || user_from_row(&rows, k, v[k]) == -1) {
            GH_FAIL(err, GH_E_NOMEM, NULL);
            k++;
            goto done;
        }
    }
    if (load_idents(st, v, k, err) == -1)
        goto done;
    *out = v;
    *n = k;
    v = NULL;
    rc = 0;
done:
    gh_users_free(v, k);
    gh_db_rows_clear(&rows);
    return rc;
}

/* ---- users ---- */

void
gh_store_user_bind(const struct gh_user *u, struct gh_db_param *p)
{
    size_t k = 0;

    p[k++] = gh_db_text(u->external_id);
    p[k++] = gh_db_text(u->username);
    p[k++] = gh_db_text(u->first_name);
    p[k++] = gh_db_text(u->last_name);
    p[k++] = gh_db_text(u->password_hash);
    p[k++] = gh_db_text(u->primary_email_id);
    p[k++] = gh_db_text(u->primary_phone_id);
    p[k++] = gh_db_text(u->public_metadata != NULL ? u->public_metadata : "{}");
    p[k++] = gh_db_text(u->private_metadata != NULL ? u->private_metadata : "{}");
    p[k++] = gh_db_text(u->unsafe_metadata != NULL ? u->unsafe_metadata : "{}");
    p[k++] = gh_db_int(u->banned != 0);
    p[k++] = gh_db_int(u->locked != 0);
    p[k++] = gh_db_int(u->failed_attempts);
    p[k++] = gh_db_time(u->lockout_until);
    p[k++] = gh_db_time(u->password_updated_at);
    p[k++] = gh_db_time(u->last_sign_in_at);
    p[k++] = gh_db_time(u->last_active_at);
    p[k++] = gh_db_time(u->legal_accepted_at);
    p[k++] = gh_db_int(u->delete_self_enabled != 0);
    p[k++] = gh_db_int(u->create_organization_enabled != 0);
    p[k++] = gh_db_int(u->created_at);
    p[k++] = gh_db_int(u->updated_at);
    p[k++] = gh_db_text(u->totp_secret);
    p[k++] = gh_db_text(u->backup_codes);
}

/* A unique clash on users names its column (SQLite) or index (PostgreSQL);
 * both contain the column name. */
static void
user_unique_param(struct gh_err *err)
{
    if (err == NULL || err->code != GH_E_IDENTIFIER_EXISTS)
        return;
    if (strstr(err->note, "username") != NULL)
        gh_db_unique_param(err, "username");
    else if (strstr(err->note, "external_id") != NULL)
        gh_db_unique_param(err, "external_id");
    else
        gh_db_unique_param(err, NULL);
}

static void
ident_unique_param(struct gh_err *err, enum gh_ident_type type)
{
    if (err == NULL || err->code != GH_E_IDENTIFIER_EXISTS)
        return;
    if (strstr(err->note, "value") == NULL)
        gh_db_unique_param(err, NULL);
    else
        gh_db_unique_param(err, type == GH_IDENT_PHONE ? "phone_number" : "email_address");
}

int
gh_store_user_insert(struct gh_store *st, const char *instance_id, const struct gh_user *u,
    struct gh_err *err)
{
    struct gh_db_param p[USER_NSCALARS + 2];
    int                owned, ok;

    p[0] = gh_db_text(instance_id);
    p[1] = gh_db_text(u->id);
    gh_store_user_bind(u, p + 2);
    if (gh_db_tx_join(st, &owned, err) == -1)
        return -1;
    ok = gh_db_run(st, "INSERT INTO users (instance_id, id, " USER_SET ") VALUES (?, ?, ?, ?, ?,"
                       " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
             p, USER_NSCALARS + 2, NULL, NULL, err) == 0;
    if (!ok)
        user_unique_param(err);
    for (size_t i = 0; ok && i < u->nidents; i++)
        ok = gh_store_ident_insert(st, instance_id, &u->idents[i], err) == 0;
    return gh_db_tx_end(st, owned, ok, err);
}

int
gh_store_user_get(struct gh_store *st, const char *instance_id, const char *user_id,
    struct gh_user **out, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(user_id) };
    struct gh_user   **v;
    size_t             n;

    *out = NULL;
    /* Hot path: one cached statement for the row, one for its identifiers. */
    if (gh_store_users_fetch(st, instance_id, "SELECT " USER_COLS " FROM users u"
                                     " WHERE u.instance_id = ? AND u.id = ?",
            p, 2, &v, &n, err) == -1)
        return -1;
    if (n == 0) {
        gh_users_free(v, n);
        return GH_FAIL(err, GH_E_NOT_FOUND, "user not found");
    }
    *out = v[0];
    v[0] = NULL;
    gh_users_free(v, n);
    return 0;
}

int
gh_store_user_find_by_ident(struct gh_store *st, const char *instance_id,
    enum gh_ident_type type, const char *value, struct gh_user **out, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(instance_id),
        gh_db_int(type), gh_db_text(value) };
    struct gh_user   **v;
    size_t             n;

    *out = NULL;
    if (gh_store_users_fetch(st, instance_id, "SELECT " USER_COLS " FROM users u WHERE u.instance_id = ?"
                                     " AND u.id = (SELECT i.user_id FROM identifications i"
                                     " WHERE i.instance_id = ? AND i.type = ? AND i.value = ?)",
            p, 4, &v, &n, err) == -1)
        return -1;
    if (n > 0) {
        *out = v[0];
        v[0] = NULL;
    }
    gh_users_free(v, n);
    return 0;
}

/* Every scalar column but the lockout counters: those move only through the
 * atomic statements of store_abuse.c, so a profile update read before a
 * burst of failed attempts cannot write the old count back (issue 6). */
int
gh_store_user_update(struct gh_store *st, const char *instance_id, const struct gh_user *u,
    struct gh_err *err)
{
    struct gh_db_param all[USER_NSCALARS], p[USER_NSCALARS + 2];
    int64_t            changes = 0;
    size_t             k = 0;

    gh_store_user_bind(u, all);
    for (size_t i = 0; i < USER_NSCALARS; i++)
        if (i != USER_FAILED_ATTEMPTS && i != USER_LOCKOUT_UNTIL)
            p[k++] = all[i];
    p[k++] = gh_db_text(instance_id);
    p[k++] = gh_db_text(u->id);
    if (gh_db_run(st, "UPDATE users SET external_id = ?, username = ?, first_name = ?,"
                      " last_name = ?, password_hash = ?, primary_email_id = ?,"
                      " primary_phone_id = ?, public_metadata = ?, private_metadata = ?,"
                      " unsafe_metadata = ?, banned = ?, locked = ?,"
                      " password_updated_at = ?, last_sign_in_at = ?,"
                      " last_active_at = ?, legal_accepted_at = ?, delete_self_enabled = ?,"
                      " create_organization_enabled = ?, created_at = ?, updated_at = ?,"
                      " totp_secret = ?, backup_codes = ?"
                      " WHERE instance_id = ? AND id = ?",
            p, k, NULL, &changes, err) == -1) {
        user_unique_param(err);
        return -1;
    }
    return changes != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "user not found");
}

int
gh_store_user_delete(struct gh_store *st, const char *instance_id, const char *user_id,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(user_id) };
    int64_t            changes = 0;

    /* identifications and sessions go by ON DELETE CASCADE, in the same statement. */
    if (gh_db_run(st, "DELETE FROM users WHERE instance_id = ? AND id = ?", p, 2, NULL, &changes,
            err) == -1)
        return -1;
    return changes != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "user not found");
}

/* ---- list and count ---- */

/* "%<s with \ % _ escaped>%", for LIKE … ESCAPE '\': user input is literal. */
static char *
like_pattern(const char *s)
{
    struct gh_buf b;

    gh_buf_init(&b, strlen(s) * 2 + 3);
    gh_buf_addc(&b, '%');
    for (; *s != '\0'; s++) {
        if (*s == '\\' || *s == '%' || *s == '_')
            gh_buf_addc(&b, '\\');
        gh_buf_addc(&b, *s);
    }
    gh_buf_addc(&b, '%');
    return gh_buf_take(&b);
}

static void
where_in(struct gh_db_q *q, const char *col, const char *const *v, size_t n)
{
    if (n == 0)
        return;
    gh_db_q_sql(q, col);
    gh_db_q_in_list(q, v, n);
}

static void
where_time(struct gh_db_q *q, const char *cond, int64_t t)
{
    if (t == GH_TIME_NULL)
        return;
    gh_db_q_sql(q, cond);
    gh_db_q_param(q, gh_db_int(t));
}

/* Users owning one of the identifiers v[0..n) of one type; the
 * (instance_id, type, value) unique index answers it. */
static void
where_ident(struct gh_db_q *q, const char *instance_id, const char *type_cond,
    const char *const *v, size_t n)
{
    if (n == 0)
        return;
    gh_db_q_sql(q, " AND u.id IN (SELECT i.user_id FROM identifications i WHERE i.instance_id = ?");
    gh_db_q_param(q, gh_db_text(instance_id));
    gh_db_q_sql(q, type_cond);
    gh_db_q_sql(q, " AND i.value IN ");
    gh_db_q_in_list(q, v, n);
    gh_db_q_sql(q, ")");
}

#define LIKE_Q " LIKE lower(CAST(? AS TEXT)) ESCAPE '\\'"

/* Appends cond (with k LIKE_Q placeholders, an instance_id one first when
 * with_instance) for the substring query v; *pattern (caller frees) backs it. */
static void
where_like(struct gh_db_q *q, const char *instance_id, const char *cond, int with_instance,
    int k, const char *v, char **pattern)
{
    if (v == NULL || *v == '\0')
        return;
    if ((*pattern = like_pattern(v)) == NULL) {
        q->failed = 1;
        return;
    }
    gh_db_q_sql(q, cond);
    if (with_instance)
        gh_db_q_param(q, gh_db_text(instance_id));
    for (int i = 0; i < k; i++)
        gh_db_q_param(q, gh_db_text(*pattern));
}

#define IDENT_LIKE(type)                                                                    \
    " AND u.id IN (SELECT i.user_id FROM identifications i WHERE i.instance_id = ?"        \
    " AND i.type = " type " AND lower(i.value)" LIKE_Q ")"

/* Substring filters: pattern[0..USER_PATTERNS). */
#define USER_PATTERNS 5
static void
user_where_like(struct gh_db_q *q, const char *instance_id, const struct gh_user_filter *f,
    char **pattern)
{
    /* The identifier subquery must not refer to u: correlated, it ran once
     * per user row (a full scan of identifications each, hours at 1M users;
     * issue 7). Uncorrelated, both dialects evaluate it once into a set. */
    where_like(q, instance_id, " AND (u.id IN (SELECT i.user_id FROM identifications i"
        " WHERE i.instance_id = ? AND lower(i.value)" LIKE_Q ") OR lower(u.id)" LIKE_Q
        " OR lower(u.first_name)" LIKE_Q " OR lower(u.last_name)" LIKE_Q
        " OR lower(u.username)" LIKE_Q " OR lower(u.external_id)" LIKE_Q ")",
        1, 6, f->query, &pattern[0]);
    where_like(q, instance_id, IDENT_LIKE("1"), 1, 1, f->email_query, &pattern[1]);
    where_like(q, instance_id, IDENT_LIKE("2"), 1, 1, f->phone_query, &pattern[2]);
    where_like(q, instance_id, " AND lower(u.username)" LIKE_Q, 0, 1, f->username_query,
        &pattern[3]);
    where_like(q, instance_id, " AND (lower(u.first_name)" LIKE_Q " OR lower(u.last_name)" LIKE_Q
        " OR lower(COALESCE(u.first_name, '') || ' ' || COALESCE(u.last_name, ''))" LIKE_Q ")",
        0, 3, f->name_query, &pattern[4]);
}

/* The WHERE clause shared by list and count: arrays are OR within a field,
 * AND across fields; email and phone match through identifications.
 * pattern[0..USER_PATTERNS) (caller frees) back the substring parameters. */
static void
user_where(struct gh_db_q *q, const char *instance_id, const struct gh_user_filter *f,
    char **pattern)
{
    gh_db_q_sql(q, " WHERE u.instance_id = ?");
    gh_db_q_param(q, gh_db_text(instance_id));
    where_in(q, " AND u.id IN ", f->user_ids, f->n_user_ids);
    where_in(q, " AND u.username IN ", f->usernames, f->n_usernames);
    where_in(q, " AND u.external_id IN ", f->external_ids, f->n_external_ids);
    where_ident(q, instance_id, " AND i.type = 1", f->email_addresses, f->n_email_addresses);
    where_ident(q, instance_id, " AND i.type = 2", f->phone_numbers, f->n_phone_numbers);
    if (f->n_org_ids > 0) { /* organization members (issue 3) */
        gh_db_q_sql(q, " AND u.id IN (SELECT x.user_id FROM organization_memberships x"
                       " WHERE x.instance_id = ? AND x.org_id IN ");
        gh_db_q_param(q, gh_db_text(instance_id));
        gh_db_q_in_list(q, f->org_ids, f->n_org_ids);
        gh_db_q_sql(q, ")");
    }
    user_where_like(q, instance_id, f, pattern);
    where_time(q, " AND u.created_at < ?", f->created_before);
    where_time(q, " AND u.created_at > ?", f->created_after);
    where_time(q, " AND u.last_active_at >= ?", f->last_active_since);
    where_time(q, " AND u.last_active_at < ?", f->last_active_before);
    where_time(q, " AND u.last_active_at > ?", f->last_active_after);
    where_time(q, " AND u.last_sign_in_at < ?", f->last_sign_in_before);
    where_time(q, " AND u.last_sign_in_at > ?", f->last_sign_in_after);
    if (f->banned == 0 || f->banned == 1) {
        gh_db_q_sql(q, " AND u.banned = ?");
        gh_db_q_param(q, gh_db_int(f->banned));
    }
}

static const struct {
    const char *field;
    const char *expr;
    int         nullable;
} user_orders[] = {
    { "created_at", "u.created_at", 0 },
    { "updated_at", "u.updated_at", 0 },
    { "email_address", "(SELECT e.value FROM identifications e WHERE e.id = u.primary_email_id)", 1 },
    { "phone_number", "(SELECT e.value FROM identifications e WHERE e.id = u.primary_phone_id)", 1 },
    { "first_name", "u.first_name", 1 },
    { "last_name", "u.last_name", 1 },
    { "username", "u.username", 1 },
    { "last_active_at", "u.last_active_at", 1 },
    { "last_sign_in_at", "u.last_sign_in_at", 1 },
};

/* ORDER BY from the allowlist (never from input text); ties break on id.
 * NULLS LAST in both directions so both dialects page the same way. */
static int
user_order(struct gh_db_q *q, const struct gh_user_filter *f, struct gh_err *err)
{
    const char *field = f->order_field != NULL ? f->order_field : "created_at";
    const char *dir = f->order_desc ? " DESC" : " ASC";
    /* Exact filters pick a few users through their own indexes; ordering by
     * an indexed time column must not tempt the planner (SQLite without
     * fresh statistics) into walking that index over every user instead.
     * Unary + (valid on BIGINT in both dialects) makes the term an
     * expression no index orders (issue 7). */
    int selective = f->n_user_ids > 0 || f->n_usernames > 0 || f->n_external_ids > 0 ||
        f->n_email_addresses > 0 || f->n_phone_numbers > 0;

    for (size_t i = 0; i < sizeof(user_orders) / sizeof(user_orders[0]); i++) {
        if (strcmp(user_orders[i].field, field) != 0)
            continue;
        gh_db_q_sql(q, selective && !user_orders[i].nullable && user_orders[i].expr[0] == 'u'
                           ? " ORDER BY +"
                           : " ORDER BY ");
        gh_db_q_sql(q, user_orders[i].expr);
        gh_db_q_sql(q, dir);
        gh_db_q_sql(q, user_orders[i].nullable ? " NULLS LAST, u.id" : ", u.id");
        gh_db_q_sql(q, dir);
        return 0;
    }
    return GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "order_by", NULL);
}

int
gh_store_user_list(struct gh_store *st, const char *instance_id,
    const struct gh_user_filter *f, struct gh_user ***out, size_t *n, struct gh_err *err)
{
    struct gh_db_q q;
    char          *pattern[USER_PATTERNS] = { NULL };
    int            rc = -1;

    *out = NULL;
    *n = 0;
    gh_db_q_init(&q);
    gh_db_q_sql(&q, "SELECT " USER_COLS " FROM users u");
    user_where(&q, instance_id, f, pattern);
    if (user_order(&q, f, err) == -1)
        goto done;
    gh_db_q_sql(&q, " LIMIT ? OFFSET ?");
    gh_db_q_param(&q, gh_db_int(f->limit >= 1 ? f->limit : 10));
    gh_db_q_param(&q, gh_db_int(f->offset >= 0 ? f->offset : 0));
    if (gh_db_q_failed(&q)) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    rc = gh_store_users_fetch(st, instance_id, gh_buf_str(&q.sql), q.p, q.np, out, n, err);
done:
    for (size_t i = 0; i < USER_PATTERNS; i++)
        free(pattern[i]);
    gh_db_q_clear(&q);
    return rc;
}

int
gh_store_user_count(struct gh_store *st, const char *instance_id,
    const struct gh_user_filter *f, int64_t *out, struct gh_err *err)
{
    struct gh_db_q    q;
    struct gh_db_rows rows = { 0 };
    char             *pattern[USER_PATTERNS] = { NULL };
    int               rc = -1;

    *out = 0;
    gh_db_q_init(&q);
    gh_db_q_sql(&q, "SELECT COUNT(*) FROM users u");
    user_where(&q, instance_id, f, pattern);
    if (gh_db_q_failed(&q)) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    if (gh_db_run(st, gh_buf_str(&q.sql), q.p, q.np, &rows, NULL, err) == -1)
        goto done;
    *out = gh_db_cell_i64(&rows, 0, 0);
    rc = 0;
done:
    gh_db_rows_clear(&rows);
    for (size_t i = 0; i < USER_PATTERNS; i++)
        free(pattern[i]);
    gh_db_q_clear(&q);
    return rc;
}

/* ---- identifiers ---- */

void
gh_store_ident_bind(const char *instance_id, const struct gh_ident *i, struct gh_db_param *p)
{
    size_t k = 0;

    p[k++] = gh_db_text(i->id);
    p[k++] = gh_db_text(i->user_id);
    p[k++] = gh_db_int(i->type);
    p[k++] = gh_db_text(i->value != NULL ? i->value : "");
    p[k++] = gh_db_int(i->verified != 0);
    p[k++] = gh_db_text(i->strategy);
    p[k++] = gh_db_int(i->reserved != 0);
    p[k++] = gh_db_int(i->created_at);
    p[k++] = gh_db_int(i->updated_at);
    p[k++] = gh_db_text(instance_id);
}

int
gh_store_ident_insert(struct gh_store *st, const char *instance_id, const struct gh_ident *i,
    struct gh_err *err)
{
    struct gh_db_param p[IDENT_NCOLS + 1];

    gh_store_ident_bind(instance_id, i, p);
    if (gh_db_run(st, "INSERT INTO identifications (" IDENT_COLS ", instance_id)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            p, IDENT_NCOLS + 1, NULL, NULL, err) == -1) {
        ident_unique_param(err, i->type);
        return -1;
    }
    return 0;
}

int
gh_store_ident_get(struct gh_store *st, const char *instance_id, const char *ident_id,
    struct gh_ident **out, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(ident_id) };
    struct gh_db_rows  rows;
    struct gh_ident   *i = NULL;
    int                rc = -1;

    *out = NULL;
    if (gh_db_run(st, "SELECT " IDENT_COLS " FROM identifications WHERE instance_id = ? AND id = ?",
            p, 2, &rows, NULL, err) == -1)
        return -1;
    if (rows.nrows == 0) {
        GH_FAIL(err, GH_E_NOT_FOUND, "identifier not found");
        goto done;
    }
    if ((i = calloc(1, sizeof(*i))) == NULL || ident_from_row(&rows, 0, i) == -1) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    *out = i;
    i = NULL;
    rc = 0;
done:
    gh_ident_free(i);
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_store_ident_update(struct gh_store *st, const char *instance_id,
    const struct gh_ident *i, struct gh_err *err)
{
    struct gh_db_param p[] = {
        gh_db_int(i->verified != 0),
        gh_db_text(i->strategy),
        gh_db_int(i->reserved != 0),
        gh_db_int(i->updated_at),
        gh_db_text(instance_id),
        gh_db_text(i->id),
    };
    int64_t changes = 0;

    if (gh_db_run(st, "UPDATE identifications SET verified = ?, strategy = ?, reserved = ?,"
                      " updated_at = ? WHERE instance_id = ? AND id = ?",
            p, 6, NULL, &changes, err) == -1)
        return -1;
    return changes != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "identifier not found");
}

int
gh_store_ident_delete(struct gh_store *st, const char *instance_id, const char *ident_id,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(ident_id) };
    int64_t            changes = 0;

    if (gh_db_run(st, "DELETE FROM identifications WHERE instance_id = ? AND id = ?", p, 2, NULL,
            &changes, err) == -1)
        return -1;
    return changes != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "identifier not found");
}
