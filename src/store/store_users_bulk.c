/* store_users_bulk.c: the bulk paths of the users table behind `gatehouse
 * users import` and `users export` (store.h: gh_store_user_insert_many,
 * gh_store_user_scan). An import writes multi-row INSERT … ON CONFLICT DO
 * NOTHING RETURNING id statements, BULK_USERS users or BULK_IDENTS
 * identifiers each, so a chunk of users costs a few round trips instead of
 * several per user, and a clash skips one user instead of failing the
 * statement (PostgreSQL would abort the whole transaction). The statements
 * are cached like every other (one text per chunk size). Written once for
 * both dialects; it checks no value, that is core's job. */
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/users_sql.h"

#define BULK_USERS  64  /* rows per users INSERT (26 parameters each) */
#define BULK_IDENTS 128 /* rows per identifications INSERT (10 parameters each) */

static const char clash_pending[] = "?"; /* not stored yet, reason unknown */

/* Appends "(?, ?, …)" with k placeholders (", " before it unless first). */
static void
add_tuple(struct gh_db_q *q, size_t k, int first)
{
    gh_db_q_sql(q, first ? "(?" : ", (?");
    for (size_t i = 1; i < k; i++)
        gh_db_q_sql(q, ", ?");
    gh_db_q_sql(q, ")");
}

/* The index in ids[0..n) of id, searching from *cursor on (RETURNING gives
 * rows in insertion order in practice, so this is linear; any order is
 * still right). n when absent. */
static size_t
find_from(const char *const *ids, size_t n, const char *id, size_t *cursor)
{
    for (size_t k = 0; k < n; k++) {
        size_t at = (*cursor + k) % n;

        if (strcmp(ids[at], id) == 0) {
            *cursor = at + 1;
            return at;
        }
    }
    return n;
}

/* Runs q (an INSERT … RETURNING id) and sets hit[k] = 1 for each returned
 * id found in ids[0..n). */
static int
run_returning(struct gh_store *st, struct gh_db_q *q, const char *const *ids, size_t n,
    unsigned char *hit, struct gh_err *err)
{
    struct gh_db_rows rows = { 0 };
    size_t            cursor = 0;

    if (gh_db_q_failed(q))
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    if (gh_db_run(st, gh_buf_str(&q->sql), q->p, q->np, &rows, NULL, err) == -1)
        return -1;
    for (size_t r = 0; r < rows.nrows; r++) {
        const char *id = gh_db_cell(&rows, r, 0);
        size_t      k = id != NULL ? find_from(ids, n, id, &cursor) : n;

        if (k < n)
            hit[k] = 1;
    }
    gh_db_rows_clear(&rows);
    return 0;
}

/* 1 when some stored user of the instance has `value` in column col. */
static int
taken(struct gh_store *st, const char *instance_id, const char *sql, const char *value,
    int *out, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(value) };
    struct gh_db_rows  rows = { 0 };

    *out = 0;
    if (value == NULL)
        return 0;
    if (gh_db_run(st, sql, p, 2, &rows, NULL, err) == -1)
        return -1;
    *out = rows.nrows > 0;
    gh_db_rows_clear(&rows);
    return 0;
}

/* Names the column a user that was not inserted clashed on. */
static int
user_clash(struct gh_store *st, const char *instance_id, const struct gh_user *u,
    const char **clash, struct gh_err *err)
{
    int t = 0;

    if (taken(st, instance_id, "SELECT 1 FROM users WHERE instance_id = ? AND username = ?",
            u->username, &t, err) == -1)
        return -1;
    if (t) {
        *clash = "username";
        return 0;
    }
    if (taken(st, instance_id, "SELECT 1 FROM users WHERE instance_id = ? AND external_id = ?",
            u->external_id, &t, err) == -1)
        return -1;
    *clash = t ? "external_id" : "id";
    return 0;
}

/* One users INSERT for v[0..n) (n ≤ BULK_USERS); clash[k] = NULL for the
 * users stored, the column otherwise. */
static int
insert_users(struct gh_store *st, const char *instance_id, struct gh_user *const *v, size_t n,
    const char **clash, struct gh_err *err)
{
    struct gh_db_q     q;
    struct gh_db_param p[USER_NSCALARS];
    const char        *ids[BULK_USERS];
    unsigned char      hit[BULK_USERS] = { 0 };
    int                rc;

    gh_db_q_init(&q);
    gh_db_q_sql(&q, "INSERT INTO users (instance_id, id, " USER_SET ") VALUES ");
    for (size_t k = 0; k < n; k++) {
        ids[k] = v[k]->id;
        add_tuple(&q, USER_NSCALARS + 2, k == 0);
        gh_db_q_param(&q, gh_db_text(instance_id));
        gh_db_q_param(&q, gh_db_text(v[k]->id));
        gh_store_user_bind(v[k], p);
        for (size_t i = 0; i < USER_NSCALARS; i++)
            gh_db_q_param(&q, p[i]);
    }
    gh_db_q_sql(&q, " ON CONFLICT DO NOTHING RETURNING id");
    rc = run_returning(st, &q, ids, n, hit, err);
    gh_db_q_clear(&q);
    for (size_t k = 0; rc == 0 && k < n; k++) {
        clash[k] = NULL;
        if (!hit[k])
            rc = user_clash(st, instance_id, v[k], &clash[k], err);
    }
    return rc;
}

/* Where one identifier to insert comes from. */
struct ident_ref {
    size_t                 user; /* index into v */
    const struct gh_ident *i;
};

/* One identifications INSERT for refs[0..n) (n ≤ BULK_IDENTS); a refused
 * identifier sets its user's clash (the first one wins). */
static int
insert_idents(struct gh_store *st, const char *instance_id, const struct ident_ref *refs,
    size_t n, const char **clash, struct gh_err *err)
{
    struct gh_db_q     q;
    struct gh_db_param p[IDENT_NCOLS + 1];
    const char        *ids[BULK_IDENTS];
    unsigned char      hit[BULK_IDENTS] = { 0 };
    int                rc;

    gh_db_q_init(&q);
    gh_db_q_sql(&q, "INSERT INTO identifications (" IDENT_COLS ", instance_id) VALUES ");
    for (size_t k = 0; k < n; k++) {
        ids[k] = refs[k].i->id;
        add_tuple(&q, IDENT_NCOLS + 1, k == 0);
        gh_store_ident_bind(instance_id, refs[k].i, p);
        for (size_t i = 0; i <= IDENT_NCOLS; i++)
            gh_db_q_param(&q, p[i]);
    }
    gh_db_q_sql(&q, " ON CONFLICT DO NOTHING RETURNING id");
    rc = run_returning(st, &q, ids, n, hit, err);
    gh_db_q_clear(&q);
    for (size_t k = 0; rc == 0 && k < n; k++)
        if (!hit[k] && clash[refs[k].user] == NULL)
            clash[refs[k].user] =
                refs[k].i->type == GH_IDENT_PHONE ? "phone_number" : "email_address";
    return rc;
}

/* Deletes the users of v that were inserted but lost an identifier (their
 * other identifiers go with them: ON DELETE CASCADE). */
static int
undo_users(struct gh_store *st, const char *instance_id, struct gh_user *const *v,
    const unsigned char *stored, const char **clash, size_t n, struct gh_err *err)
{
    const char   **ids = calloc(n != 0 ? n : 1, sizeof(*ids));
    size_t         m = 0;
    struct gh_db_q q;
    int            rc = 0;

    if (ids == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    for (size_t k = 0; k < n; k++)
        if (stored[k] && clash[k] != NULL)
            ids[m++] = v[k]->id;
    for (size_t at = 0; rc == 0 && at < m; at += BULK_USERS) {
        gh_db_q_init(&q);
        gh_db_q_sql(&q, "DELETE FROM users WHERE instance_id = ? AND id IN ");
        gh_db_q_param(&q, gh_db_text(instance_id));
        gh_db_q_in_list(&q, ids + at, m - at < BULK_USERS ? m - at : BULK_USERS);
        if (gh_db_q_failed(&q))
            rc = GH_FAIL(err, GH_E_NOMEM, NULL);
        else
            rc = gh_db_run(st, gh_buf_str(&q.sql), q.p, q.np, NULL, NULL, err);
        gh_db_q_clear(&q);
    }
    free(ids);
    return rc;
}

/* The identifiers of the users stored so far, in user order. */
static struct ident_ref *
ident_refs(struct gh_user *const *v, size_t n, const char **clash, size_t *nrefs)
{
    struct ident_ref *refs;
    size_t            total = 0, m = 0;

    for (size_t k = 0; k < n; k++)
        total += clash[k] == NULL ? v[k]->nidents : 0;
    if ((refs = calloc(total != 0 ? total : 1, sizeof(*refs))) == NULL)
        return NULL;
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; clash[k] == NULL && i < v[k]->nidents; i++)
            refs[m++] = (struct ident_ref){ .user = k, .i = &v[k]->idents[i] };
    *nrefs = m;
    return refs;
}

static int
insert_many(struct gh_store *st, const char *instance_id, struct gh_user *const *v, size_t n,
    const char **clash, unsigned char *stored, struct gh_err *err)
{
    struct ident_ref *refs = NULL;
    size_t            nrefs = 0;
    int               rc = 0;

    for (size_t at = 0; rc == 0 && at < n; at += BULK_USERS)
        rc = insert_users(st, instance_id, v + at, n - at < BULK_USERS ? n - at : BULK_USERS,
            clash + at, err);
    if (rc == -1)
        return -1;
    for (size_t k = 0; k < n; k++)
        stored[k] = clash[k] == NULL;
    if ((refs = ident_refs(v, n, clash, &nrefs)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    for (size_t at = 0; rc == 0 && at < nrefs; at += BULK_IDENTS)
        rc = insert_idents(st, instance_id, refs + at,
            nrefs - at < BULK_IDENTS ? nrefs - at : BULK_IDENTS, clash, err);
    free(refs);
    if (rc == 0)
        rc = undo_users(st, instance_id, v, stored, clash, n, err);
    return rc;
}

int
gh_store_user_insert_many(struct gh_store *st, const char *instance_id,
    struct gh_user *const *v, size_t n, const char **clash, struct gh_err *err)
{
    unsigned char *stored = calloc(n != 0 ? n : 1, 1);
    int            owned, ok;

    for (size_t k = 0; k < n; k++)
        clash[k] = clash_pending;
    if (stored == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    if (gh_db_tx_join(st, &owned, err) == -1) {
        free(stored);
        return -1;
    }
    ok = insert_many(st, instance_id, v, n, clash, stored, err) == 0;
    free(stored);
    return gh_db_tx_end(st, owned, ok, err);
}

int
gh_store_user_scan(struct gh_store *st, const char *instance_id, const char *after,
    int64_t limit, struct gh_user ***out, size_t *n, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(after != NULL ? after : ""),
        gh_db_int(limit >= 1 ? limit : 1) };

    return gh_store_users_fetch(st, instance_id,
        "SELECT " USER_COLS " FROM users u WHERE u.instance_id = ? AND u.id > ?"
        " ORDER BY u.id LIMIT ?",
        p, 3, out, n, err);
}
