/* store_invitations.c: invitations (app-level and organization), sign-in
 * tokens, their tickets, and the allow/blocklist identifiers (store.h,
 * issue 3), as SQL written once for both dialects. A ticket is consumed by
 * one conditional UPDATE so two racing redeems cannot both win; "expired"
 * is computed from expires_at, never stored. Which transitions are allowed
 * is core's business, not this file's. */
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/str.h"

/* ---- tickets ---- */

#define TICKET_COLS "id, kind, target_id, token_hash, expires_at, used_at, revoked_at, created_at"

int
gh_store_ticket_insert(struct gh_store *st, const char *instance_id, const struct gh_ticket *t,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(t->id), gh_db_text(t->kind), gh_db_text(t->target_id),
        gh_db_text(t->token_hash), gh_db_int(t->expires_at), gh_db_time(t->used_at),
        gh_db_time(t->revoked_at), gh_db_int(t->created_at), gh_db_text(instance_id) };
    int rc = gh_db_run(st, "INSERT INTO tickets (" TICKET_COLS ", instance_id)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        p, 9, NULL, NULL, err);

    if (rc == -1)
        gh_db_unique_param(err, NULL); /* a hash clash of 256 random bits is a bug */
    return rc;
}

int
gh_store_ticket_find(struct gh_store *st, const char *instance_id, const char *kind,
    const char *token_hash, struct gh_ticket *out, int *found, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(kind), gh_db_text(token_hash) };
    struct gh_db_rows  rows;

    memset(out, 0, sizeof(*out));
    *found = 0;
    if (gh_db_run(st, "SELECT " TICKET_COLS " FROM tickets"
                      " WHERE instance_id = ? AND kind = ? AND token_hash = ?",
            p, 3, &rows, NULL, err) == -1)
        return -1;
    if (rows.nrows > 0) {
        gh_db_cell_copy(&rows, 0, 0, out->id, sizeof(out->id));
        gh_db_cell_copy(&rows, 0, 1, out->kind, sizeof(out->kind));
        gh_db_cell_copy(&rows, 0, 2, out->target_id, sizeof(out->target_id));
        gh_db_cell_copy(&rows, 0, 3, out->token_hash, sizeof(out->token_hash));
        out->expires_at = gh_db_cell_i64(&rows, 0, 4);
        out->used_at = gh_db_cell_i64(&rows, 0, 5);
        out->revoked_at = gh_db_cell_i64(&rows, 0, 6);
        out->created_at = gh_db_cell_i64(&rows, 0, 7);
        *found = 1;
    }
    gh_db_rows_clear(&rows);
    return 0;
}

int
gh_store_ticket_use(struct gh_store *st, const char *instance_id, const char *kind,
    const char *token_hash, int64_t now, int *changed, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_int(now), gh_db_text(instance_id), gh_db_text(kind),
        gh_db_text(token_hash), gh_db_int(now) };
    int64_t            n = 0;

    *changed = 0;
    /* Every condition sits in the UPDATE itself: single use without a lock. */
    if (gh_db_run(st, "UPDATE tickets SET used_at = ? WHERE instance_id = ? AND kind = ?"
                      " AND token_hash = ? AND used_at IS NULL AND revoked_at IS NULL"
                      " AND expires_at > ?",
            p, 5, NULL, &n, err) == -1)
        return -1;
    *changed = n != 0;
    return 0;
}

int
gh_store_ticket_revoke_target(struct gh_store *st, const char *instance_id,
    const char *target_id, int64_t now, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_int(now), gh_db_text(instance_id), gh_db_text(target_id) };

    return gh_db_run(st, "UPDATE tickets SET revoked_at = ? WHERE instance_id = ?"
                         " AND target_id = ? AND used_at IS NULL AND revoked_at IS NULL",
        p, 3, NULL, NULL, err);
}

/* ---- invitations ---- */

#define INV_COLS                                                                            \
    "id, org_id, email_address, role, inviter_id, status, public_metadata, private_metadata," \
    " redirect_url, expires_at, created_at, updated_at"

void
gh_invitation_filter_init(struct gh_invitation_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->order_desc = 1;
    f->limit = 10;
}

static int
invitation_from_row(const struct gh_db_rows *rows, size_t r, struct gh_invitation *inv)
{
    gh_db_cell_copy(rows, r, 0, inv->id, sizeof(inv->id));
    gh_db_cell_copy(rows, r, 1, inv->org_id, sizeof(inv->org_id));
    gh_db_cell_copy(rows, r, 3, inv->role, sizeof(inv->role));
    gh_db_cell_copy(rows, r, 4, inv->inviter_id, sizeof(inv->inviter_id));
    gh_db_cell_copy(rows, r, 5, inv->status, sizeof(inv->status));
    free(inv->public_metadata);
    free(inv->private_metadata);
    inv->public_metadata = inv->private_metadata = NULL;
    if (gh_db_cell_dup(rows, r, 2, &inv->email_address) == -1 ||
        gh_db_cell_dup(rows, r, 6, &inv->public_metadata) == -1 ||
        gh_db_cell_dup(rows, r, 7, &inv->private_metadata) == -1 ||
        gh_db_cell_dup(rows, r, 8, &inv->redirect_url) == -1)
        return -1;
    if ((inv->public_metadata == NULL && (inv->public_metadata = strdup("{}")) == NULL) ||
        (inv->private_metadata == NULL && (inv->private_metadata = strdup("{}")) == NULL))
        return -1;
    inv->expires_at = gh_db_cell_i64(rows, r, 9);
    inv->created_at = gh_db_cell_i64(rows, r, 10);
    inv->updated_at = gh_db_cell_i64(rows, r, 11);
    return 0;
}

static int
fetch_invitations(struct gh_store *st, const char *sql, const struct gh_db_param *p, size_t np,
    struct gh_invitation ***out, size_t *n, struct gh_err *err)
{
    struct gh_db_rows      rows;
    struct gh_invitation **v = NULL;
    size_t                 k = 0;
    int                    rc = -1;

    *out = NULL;
    *n = 0;
    if (gh_db_run(st, sql, p, np, &rows, NULL, err) == -1)
        return -1;
    if ((v = calloc(rows.nrows + 1, sizeof(*v))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    for (; k < rows.nrows; k++) {
        if ((v[k] = gh_invitation_new()) == NULL || invitation_from_row(&rows, k, v[k]) == -1) {
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
    gh_invitations_free(v, k);
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_store_invitation_insert(struct gh_store *st, const char *instance_id,
    const struct gh_invitation *inv, struct gh_err *err)
{
    struct gh_db_param p[] = {
        gh_db_text(inv->id),
        gh_db_text(inv->org_id[0] != '\0' ? inv->org_id : NULL),
        gh_db_text(inv->email_address),
        gh_db_text(inv->role[0] != '\0' ? inv->role : NULL),
        gh_db_text(inv->inviter_id[0] != '\0' ? inv->inviter_id : NULL),
        gh_db_text(inv->status),
        gh_db_text(inv->public_metadata),
        gh_db_text(inv->private_metadata),
        gh_db_text(inv->redirect_url),
        gh_db_time(inv->expires_at),
        gh_db_int(inv->created_at),
        gh_db_int(inv->updated_at),
        gh_db_text(instance_id),
    };
    int rc = gh_db_run(st, "INSERT INTO invitations (" INV_COLS ", instance_id)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        p, 13, NULL, NULL, err);

    if (rc == -1)
        gh_db_unique_param(err, NULL);
    return rc;
}

int
gh_store_invitation_get(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_invitation **out, struct gh_err *err)
{
    struct gh_db_param     p[] = { gh_db_text(instance_id), gh_db_text(id) };
    struct gh_invitation **v;
    size_t                 n;

    *out = NULL;
    if (fetch_invitations(st, "SELECT " INV_COLS " FROM invitations WHERE instance_id = ? AND id = ?",
            p, 2, &v, &n, err) == -1)
        return -1;
    if (n == 0) {
        gh_invitations_free(v, n);
        return GH_FAIL(err, GH_E_NOT_FOUND, "invitation not found");
    }
    *out = v[0];
    v[0] = NULL;
    gh_invitations_free(v, n);
    return 0;
}

int
gh_store_invitation_set_status(struct gh_store *st, const char *instance_id, const char *id,
    const char *from, const char *to, int64_t now, int *changed, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(to), gh_db_int(now), gh_db_text(instance_id),
        gh_db_text(id), gh_db_text(from) };
    int64_t            n = 0;

    *changed = 0;
    if (gh_db_run(st, "UPDATE invitations SET status = ?, updated_at = ?"
                      " WHERE instance_id = ? AND id = ? AND status = ?",
            p, 5, NULL, &n, err) == -1)
        return -1;
    *changed = n != 0;
    return 0;
}

int
gh_store_invitation_delete(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(id) };
    int64_t            n = 0;
    int                owned = 0, ok = 0;

    if (gh_db_tx_join(st, &owned, err) == -1)
        return -1;
    if (gh_db_run(st, "DELETE FROM tickets WHERE instance_id = ? AND target_id = ?", p, 2, NULL,
            NULL, err) == 0 &&
        gh_db_run(st, "DELETE FROM invitations WHERE instance_id = ? AND id = ?", p, 2, NULL, &n,
            err) == 0)
        ok = n != 0 ? 1 : (GH_FAIL(err, GH_E_NOT_FOUND, "invitation not found"), 0);
    if (gh_db_tx_end(st, owned, ok, err) == -1)
        return -1;
    return ok ? 0 : -1;
}

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

/* One status term; "expired" and "pending" split on expires_at vs now. */
static void
status_term(struct gh_db_q *q, const char *status, int64_t now)
{
    if (strcmp(status, "pending") == 0) {
        gh_db_q_sql(q, "(status = 'pending' AND (expires_at IS NULL OR expires_at > ?))");
        gh_db_q_param(q, gh_db_int(now));
    } else if (strcmp(status, "expired") == 0) {
        gh_db_q_sql(q, "(status = 'pending' AND expires_at IS NOT NULL AND expires_at <= ?)");
        gh_db_q_param(q, gh_db_int(now));
    } else {
        gh_db_q_sql(q, "status = ?");
        gh_db_q_param(q, gh_db_text(status));
    }
}

/* The WHERE clause shared by list and count; *pattern is the LIKE text to
 * free after the query. */
static void
invitation_where(struct gh_db_q *q, const char *instance_id, const struct gh_invitation_filter *f,
    char **pattern)
{
    gh_db_q_sql(q, " WHERE instance_id = ?");
    gh_db_q_param(q, gh_db_text(instance_id));
    if (f->any_org) {
        gh_db_q_sql(q, " AND org_id IS NOT NULL");
    } else if (f->org_id != NULL) {
        gh_db_q_sql(q, " AND org_id = ?");
        gh_db_q_param(q, gh_db_text(f->org_id));
    } else {
        gh_db_q_sql(q, " AND org_id IS NULL");
    }
    if (f->n_emails > 0) {
        gh_db_q_sql(q, " AND email_address IN ");
        gh_db_q_in_list(q, f->emails, f->n_emails);
    }
    for (size_t i = 0; i < f->n_statuses; i++) {
        gh_db_q_sql(q, i == 0 ? " AND (" : " OR ");
        status_term(q, f->statuses[i], f->now);
    }
    if (f->n_statuses > 0)
        gh_db_q_sql(q, ")");
    if (f->query != NULL && *f->query != '\0') {
        if ((*pattern = like_pattern(f->query)) == NULL)
            q->failed = 1;
        gh_db_q_sql(q, " AND lower(email_address) LIKE lower(CAST(? AS TEXT)) ESCAPE '\\'");
        gh_db_q_param(q, gh_db_text(*pattern));
    }
}

int
gh_store_invitation_list(struct gh_store *st, const char *instance_id,
    const struct gh_invitation_filter *f, struct gh_invitation ***out, size_t *n,
    struct gh_err *err)
{
    const char    *field = f->order_field != NULL ? f->order_field : "created_at";
    const char    *dir = f->order_desc ? " DESC" : " ASC";
    struct gh_db_q q;
    char          *pattern = NULL;
    int            rc = -1;

    *out = NULL;
    *n = 0;
    /* ORDER BY from an allowlist, never from input text. */
    if (strcmp(field, "created_at") != 0 && strcmp(field, "email_address") != 0 &&
        strcmp(field, "expires_at") != 0)
        return GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "order_by", NULL);
    gh_db_q_init(&q);
    gh_db_q_sql(&q, "SELECT " INV_COLS " FROM invitations");
    invitation_where(&q, instance_id, f, &pattern);
    gh_db_q_sql(&q, " ORDER BY ");
    gh_db_q_sql(&q, field);
    gh_db_q_sql(&q, dir);
    gh_db_q_sql(&q, " NULLS LAST, id");
    gh_db_q_sql(&q, dir);
    gh_db_q_sql(&q, " LIMIT ? OFFSET ?");
    gh_db_q_param(&q, gh_db_int(f->limit >= 1 ? f->limit : 10));
    gh_db_q_param(&q, gh_db_int(f->offset >= 0 ? f->offset : 0));
    if (gh_db_q_failed(&q))
        GH_FAIL(err, GH_E_NOMEM, NULL);
    else
        rc = fetch_invitations(st, gh_buf_str(&q.sql), q.p, q.np, out, n, err);
    gh_db_q_clear(&q);
    free(pattern);
    return rc;
}

int
gh_store_invitation_count(struct gh_store *st, const char *instance_id,
    const struct gh_invitation_filter *f, int64_t *out, struct gh_err *err)
{
    struct gh_db_q    q;
    struct gh_db_rows rows = { 0 };
    char             *pattern = NULL;
    int               rc = -1;

    *out = 0;
    gh_db_q_init(&q);
    gh_db_q_sql(&q, "SELECT COUNT(*) FROM invitations");
    invitation_where(&q, instance_id, f, &pattern);
    if (gh_db_q_failed(&q)) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
    } else if (gh_db_run(st, gh_buf_str(&q.sql), q.p, q.np, &rows, NULL, err) == 0) {
        *out = gh_db_cell_i64(&rows, 0, 0);
        rc = 0;
    }
    gh_db_rows_clear(&rows);
    gh_db_q_clear(&q);
    free(pattern);
    return rc;
}

/* ---- sign-in tokens ---- */

int
gh_store_sign_in_token_insert(struct gh_store *st, const char *instance_id,
    const struct gh_sign_in_token *t, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(t->id), gh_db_text(instance_id), gh_db_text(t->user_id),
        gh_db_text(t->status), gh_db_int(t->expires_at), gh_db_int(t->created_at),
        gh_db_int(t->updated_at) };
    int rc = gh_db_run(st, "INSERT INTO sign_in_tokens (id, instance_id, user_id, status,"
                           " expires_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        p, 7, NULL, NULL, err);

    if (rc == -1)
        gh_db_unique_param(err, NULL);
    return rc;
}

int
gh_store_sign_in_token_get(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_sign_in_token *out, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(id) };
    struct gh_db_rows  rows;
    int                rc = 0;

    memset(out, 0, sizeof(*out));
    if (gh_db_run(st, "SELECT id, user_id, status, expires_at, created_at, updated_at"
                      " FROM sign_in_tokens WHERE instance_id = ? AND id = ?",
            p, 2, &rows, NULL, err) == -1)
        return -1;
    if (rows.nrows == 0) {
        rc = GH_FAIL(err, GH_E_NOT_FOUND, "sign-in token not found");
    } else {
        gh_db_cell_copy(&rows, 0, 0, out->id, sizeof(out->id));
        gh_db_cell_copy(&rows, 0, 1, out->user_id, sizeof(out->user_id));
        gh_db_cell_copy(&rows, 0, 2, out->status, sizeof(out->status));
        out->expires_at = gh_db_cell_i64(&rows, 0, 3);
        out->created_at = gh_db_cell_i64(&rows, 0, 4);
        out->updated_at = gh_db_cell_i64(&rows, 0, 5);
    }
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_store_sign_in_token_set_status(struct gh_store *st, const char *instance_id,
    const char *id, const char *from, const char *to, int64_t now, int *changed,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(to), gh_db_int(now), gh_db_text(instance_id),
        gh_db_text(id), gh_db_text(from) };
    int64_t            n = 0;

    *changed = 0;
    if (gh_db_run(st, "UPDATE sign_in_tokens SET status = ?, updated_at = ?"
                      " WHERE instance_id = ? AND id = ? AND status = ?",
            p, 5, NULL, &n, err) == -1)
        return -1;
    *changed = n != 0;
    return 0;
}

/* ---- allow/blocklist identifiers ---- */

#define ACCESS_COLS "id, list, identifier, identifier_type, created_at, updated_at"

static int
fetch_access(struct gh_store *st, const char *sql, const struct gh_db_param *p, size_t np,
    struct gh_access_ident ***out, size_t *n, struct gh_err *err)
{
    struct gh_db_rows        rows;
    struct gh_access_ident **v = NULL;
    size_t                   k = 0;
    int                      rc = -1;

    *out = NULL;
    *n = 0;
    if (gh_db_run(st, sql, p, np, &rows, NULL, err) == -1)
        return -1;
    if ((v = calloc(rows.nrows + 1, sizeof(*v))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    for (; k < rows.nrows; k++) {
        if ((v[k] = gh_access_ident_new()) == NULL ||
            gh_db_cell_dup(&rows, k, 2, &v[k]->identifier) == -1) {
            GH_FAIL(err, GH_E_NOMEM, NULL);
            k++;
            goto done;
        }
        gh_db_cell_copy(&rows, k, 0, v[k]->id, sizeof(v[k]->id));
        gh_db_cell_copy(&rows, k, 1, v[k]->list, sizeof(v[k]->list));
        gh_db_cell_copy(&rows, k, 3, v[k]->type, sizeof(v[k]->type));
        v[k]->created_at = gh_db_cell_i64(&rows, k, 4);
        v[k]->updated_at = gh_db_cell_i64(&rows, k, 5);
    }
    *out = v;
    *n = k;
    v = NULL;
    rc = 0;
done:
    gh_access_idents_free(v, k);
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_store_access_ident_insert(struct gh_store *st, const char *instance_id,
    const struct gh_access_ident *a, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(a->id), gh_db_text(a->list), gh_db_text(a->identifier),
        gh_db_text(a->type), gh_db_int(a->created_at), gh_db_int(a->updated_at),
        gh_db_text(instance_id) };
    int rc = gh_db_run(st, "INSERT INTO access_identifiers (" ACCESS_COLS ", instance_id)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?)",
        p, 7, NULL, NULL, err);

    if (rc == -1 && err->code == GH_E_IDENTIFIER_EXISTS) {
        err->code = GH_E_DUPLICATE_RECORD;
        gh_strlcpy(err->param, "identifier", sizeof(err->param));
    }
    return rc;
}

int
gh_store_access_ident_delete(struct gh_store *st, const char *instance_id, const char *list,
    const char *id, struct gh_access_ident **out, struct gh_err *err)
{
    struct gh_db_param       p[] = { gh_db_text(instance_id), gh_db_text(list), gh_db_text(id) };
    struct gh_access_ident **v = NULL;
    size_t                   n = 0;
    int                      rc = -1;

    *out = NULL;
    if (fetch_access(st, "SELECT " ACCESS_COLS " FROM access_identifiers"
                         " WHERE instance_id = ? AND list = ? AND id = ?",
            p, 3, &v, &n, err) == -1)
        return -1;
    if (n == 0)
        GH_FAIL(err, GH_E_NOT_FOUND, "identifier not found");
    else if (gh_db_run(st, "DELETE FROM access_identifiers WHERE instance_id = ? AND list = ?"
                           " AND id = ?",
                 p, 3, NULL, NULL, err) == 0) {
        *out = v[0];
        v[0] = NULL;
        rc = 0;
    }
    gh_access_idents_free(v, n);
    return rc;
}

int
gh_store_access_ident_list(struct gh_store *st, const char *instance_id, const char *list,
    int64_t limit, int64_t offset, struct gh_access_ident ***out, size_t *n, int64_t *total,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(list),
        gh_db_int(limit >= 1 ? limit : 10), gh_db_int(offset >= 0 ? offset : 0) };
    struct gh_db_rows  rows;

    *total = 0;
    if (gh_db_run(st, "SELECT COUNT(*) FROM access_identifiers WHERE instance_id = ? AND list = ?",
            p, 2, &rows, NULL, err) == -1)
        return -1;
    *total = gh_db_cell_i64(&rows, 0, 0);
    gh_db_rows_clear(&rows);
    return fetch_access(st, "SELECT " ACCESS_COLS " FROM access_identifiers"
                            " WHERE instance_id = ? AND list = ?"
                            " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
        p, 4, out, n, err);
}

int
gh_store_access_ident_match(struct gh_store *st, const char *instance_id, const char *list,
    const char *const *values, size_t n, int *found, int64_t *count, struct gh_err *err)
{
    struct gh_db_q    q;
    struct gh_db_rows rows = { 0 };
    int               rc = -1;

    *found = 0;
    *count = 0;
    gh_db_q_init(&q);
    /* One round trip: the list's size and whether any value is in it. */
    gh_db_q_sql(&q, "SELECT COUNT(*), COALESCE(SUM(CASE WHEN identifier IN ");
    if (n > 0)
        gh_db_q_in_list(&q, values, n);
    else
        gh_db_q_sql(&q, "(NULL)");
    gh_db_q_sql(&q, " THEN 1 ELSE 0 END), 0) FROM access_identifiers"
                    " WHERE instance_id = ? AND list = ?");
    gh_db_q_param(&q, gh_db_text(instance_id));
    gh_db_q_param(&q, gh_db_text(list));
    if (gh_db_q_failed(&q)) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
    } else if (gh_db_run(st, gh_buf_str(&q.sql), q.p, q.np, &rows, NULL, err) == 0) {
        *count = gh_db_cell_i64(&rows, 0, 0);
        *found = gh_db_cell_i64(&rows, 0, 1) > 0;
        rc = 0;
    }
    gh_db_rows_clear(&rows);
    gh_db_q_clear(&q);
    return rc;
}
