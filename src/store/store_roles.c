/* store_roles.c: organization roles, permissions and the grants between
 * them (issue 3), SQL written once for both dialects. A role is loaded with
 * its permissions (sorted by key). Keys are unique per instance by the
 * schema; grants go with their role or permission by ON DELETE CASCADE. */
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/str.h"

#define PERM_COLS "p.id, p.key, p.name, p.description, p.type, p.created_at, p.updated_at"
#define ROLE_COLS \
    "r.id, r.key, r.name, r.description, r.is_creator_eligible, r.created_at, r.updated_at"
#define LIKE_Q " LIKE lower(CAST(? AS TEXT)) ESCAPE '\\'"

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
key_unique_param(struct gh_err *err)
{
    if (err != NULL && err->code == GH_E_IDENTIFIER_EXISTS)
        gh_db_unique_param(err, strstr(err->note, "key") != NULL ? "key" : NULL);
}

static int
perm_from_row(const struct gh_db_rows *rows, size_t r, size_t c0, struct gh_permission *p)
{
    gh_db_cell_copy(rows, r, c0, p->id, sizeof(p->id));
    gh_db_cell_copy(rows, r, c0 + 1, p->key, sizeof(p->key));
    gh_db_cell_copy(rows, r, c0 + 4, p->type, sizeof(p->type));
    if (gh_db_cell_dup(rows, r, c0 + 2, &p->name) == -1 ||
        gh_db_cell_dup(rows, r, c0 + 3, &p->description) == -1)
        return -1;
    p->created_at = gh_db_cell_i64(rows, r, c0 + 5);
    p->updated_at = gh_db_cell_i64(rows, r, c0 + 6);
    return 0;
}

/* ---- permissions ---- */

int
gh_store_permission_insert(struct gh_store *st, const char *instance_id,
    const struct gh_permission *p, struct gh_err *err)
{
    struct gh_db_param q[] = { gh_db_text(p->id), gh_db_text(instance_id), gh_db_text(p->key),
        gh_db_text(p->name), gh_db_text(p->description != NULL ? p->description : ""),
        gh_db_text(p->type), gh_db_int(p->created_at), gh_db_int(p->updated_at) };

    if (gh_db_run(st, "INSERT INTO organization_permissions (id, instance_id, key, name,"
                      " description, type, created_at, updated_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            q, 8, NULL, NULL, err) == -1) {
        key_unique_param(err);
        return -1;
    }
    return 0;
}

static int
fetch_perms(struct gh_store *st, const char *sql, const struct gh_db_param *p, size_t np,
    struct gh_permission ***out, size_t *n, struct gh_err *err)
{
    struct gh_db_rows      rows;
    struct gh_permission **v = NULL;
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
        if ((v[k] = gh_permission_new()) == NULL || perm_from_row(&rows, k, 0, v[k]) == -1) {
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
    gh_permissions_free(v, k);
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_store_permission_find(struct gh_store *st, const char *instance_id, const char *by,
    const char *value, struct gh_permission **out, struct gh_err *err)
{
    struct gh_db_param     p[] = { gh_db_text(instance_id), gh_db_text(value) };
    struct gh_permission **v;
    size_t                 n;

    *out = NULL;
    if (fetch_perms(st, strcmp(by, "key") == 0
                ? "SELECT " PERM_COLS " FROM organization_permissions p"
                  " WHERE p.instance_id = ? AND p.key = ?"
                : "SELECT " PERM_COLS " FROM organization_permissions p"
                  " WHERE p.instance_id = ? AND p.id = ?",
            p, 2, &v, &n, err) == -1)
        return -1;
    if (n > 0) {
        *out = v[0];
        v[0] = NULL;
    }
    gh_permissions_free(v, n);
    return 0;
}

int
gh_store_permission_update(struct gh_store *st, const char *instance_id,
    const struct gh_permission *p, struct gh_err *err)
{
    struct gh_db_param q[] = { gh_db_text(p->key), gh_db_text(p->name),
        gh_db_text(p->description != NULL ? p->description : ""), gh_db_int(p->updated_at),
        gh_db_text(instance_id), gh_db_text(p->id) };
    int64_t changes = 0;

    if (gh_db_run(st, "UPDATE organization_permissions SET key = ?, name = ?, description = ?,"
                      " updated_at = ? WHERE instance_id = ? AND id = ?",
            q, 6, NULL, &changes, err) == -1) {
        key_unique_param(err);
        return -1;
    }
    return changes != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "permission not found");
}

int
gh_store_permission_delete(struct gh_store *st, const char *instance_id, const char *perm_id,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(perm_id) };
    int64_t            changes = 0;

    if (gh_db_run(st, "DELETE FROM organization_permissions WHERE instance_id = ? AND id = ?", p,
            2, NULL, &changes, err) == -1)
        return -1;
    return changes != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "permission not found");
}

/* SELECT/COUNT over one table with an optional query on key and name. */
static void
keyed_where(struct gh_db_q *q, const char *alias, const char *instance_id, const char *query,
    char **pattern)
{
    gh_db_q_sql(q, " WHERE ");
    gh_db_q_sql(q, alias);
    gh_db_q_sql(q, ".instance_id = ?");
    gh_db_q_param(q, gh_db_text(instance_id));
    if (query != NULL && (*pattern = like_pattern(query)) == NULL)
        q->failed = 1;
    if (query != NULL && *pattern != NULL) {
        gh_db_q_sql(q, strcmp(alias, "p") == 0
                ? " AND (lower(p.key)" LIKE_Q " OR lower(p.name)" LIKE_Q ")"
                : " AND (lower(r.key)" LIKE_Q " OR lower(r.name)" LIKE_Q ")");
        gh_db_q_param(q, gh_db_text(*pattern));
        gh_db_q_param(q, gh_db_text(*pattern));
    }
}

static int
keyed_count(struct gh_store *st, const char *table, const char *alias, const char *instance_id,
    const char *query, int64_t *total, struct gh_err *err)
{
    struct gh_db_q    q;
    struct gh_db_rows rows = { 0 };
    char             *pattern = NULL;
    int               rc = -1;

    gh_db_q_init(&q);
    gh_db_q_sql(&q, "SELECT COUNT(*) FROM ");
    gh_db_q_sql(&q, table);
    keyed_where(&q, alias, instance_id, query, &pattern);
    if (gh_db_q_failed(&q))
        GH_FAIL(err, GH_E_NOMEM, NULL);
    else if (gh_db_run(st, gh_buf_str(&q.sql), q.p, q.np, &rows, NULL, err) == 0) {
        *total = gh_db_cell_i64(&rows, 0, 0);
        rc = 0;
    }
    gh_db_rows_clear(&rows);
    free(pattern);
    gh_db_q_clear(&q);
    return rc;
}

int
gh_store_permission_list(struct gh_store *st, const char *instance_id, const char *query,
    int64_t limit, int64_t offset, struct gh_permission ***out, size_t *n, int64_t *total,
    struct gh_err *err)
{
    struct gh_db_q q;
    char          *pattern = NULL;
    int            rc = -1;

    *out = NULL;
    *n = 0;
    if (keyed_count(st, "organization_permissions p", "p", instance_id, query, total, err) == -1)
        return -1;
    gh_db_q_init(&q);
    gh_db_q_sql(&q, "SELECT " PERM_COLS " FROM organization_permissions p");
    keyed_where(&q, "p", instance_id, query, &pattern);
    gh_db_q_sql(&q, " ORDER BY p.key, p.id LIMIT ? OFFSET ?");
    gh_db_q_param(&q, gh_db_int(limit >= 1 ? limit : 10));
    gh_db_q_param(&q, gh_db_int(offset >= 0 ? offset : 0));
    if (gh_db_q_failed(&q))
        GH_FAIL(err, GH_E_NOMEM, NULL);
    else
        rc = fetch_perms(st, gh_buf_str(&q.sql), q.p, q.np, out, n, err);
    free(pattern);
    gh_db_q_clear(&q);
    return rc;
}

/* ---- roles ---- */

static int
role_load_perms(struct gh_store *st, const char *instance_id, struct gh_role *r,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(r->id) };
    struct gh_db_rows  rows;
    int                rc = 0;

    if (gh_db_run(st, "SELECT " PERM_COLS " FROM organization_role_permissions g"
                      " JOIN organization_permissions p ON p.id = g.permission_id"
                      " WHERE g.instance_id = ? AND g.role_id = ? ORDER BY p.key",
            p, 2, &rows, NULL, err) == -1)
        return -1;
    if (rows.nrows > 0 && (r->perms = calloc(rows.nrows, sizeof(*r->perms))) == NULL)
        rc = GH_FAIL(err, GH_E_NOMEM, NULL);
    for (size_t k = 0; rc == 0 && k < rows.nrows; k++) {
        r->nperms = k + 1;
        if (perm_from_row(&rows, k, 0, &r->perms[k]) == -1)
            rc = GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    gh_db_rows_clear(&rows);
    return rc;
}

static int
fetch_roles(struct gh_store *st, const char *instance_id, const char *sql,
    const struct gh_db_param *p, size_t np, struct gh_role ***out, size_t *n,
    struct gh_err *err)
{
    struct gh_db_rows rows;
    struct gh_role  **v = NULL;
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
        if ((v[k] = gh_role_new()) == NULL) {
            GH_FAIL(err, GH_E_NOMEM, NULL);
            goto done;
        }
        gh_db_cell_copy(&rows, k, 0, v[k]->id, sizeof(v[k]->id));
        gh_db_cell_copy(&rows, k, 1, v[k]->key, sizeof(v[k]->key));
        if (gh_db_cell_dup(&rows, k, 2, &v[k]->name) == -1 ||
            gh_db_cell_dup(&rows, k, 3, &v[k]->description) == -1) {
            GH_FAIL(err, GH_E_NOMEM, NULL);
            k++;
            goto done;
        }
        v[k]->is_creator_eligible = (int)gh_db_cell_i64(&rows, k, 4);
        v[k]->created_at = gh_db_cell_i64(&rows, k, 5);
        v[k]->updated_at = gh_db_cell_i64(&rows, k, 6);
    }
    for (size_t i = 0; i < k; i++)
        if (role_load_perms(st, instance_id, v[i], err) == -1)
            goto done;
    *out = v;
    *n = k;
    v = NULL;
    rc = 0;
done:
    gh_roles_free(v, k);
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_store_role_insert(struct gh_store *st, const char *instance_id, const struct gh_role *r,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(r->id), gh_db_text(instance_id), gh_db_text(r->key),
        gh_db_text(r->name), gh_db_text(r->description != NULL ? r->description : ""),
        gh_db_int(r->is_creator_eligible != 0), gh_db_int(r->created_at),
        gh_db_int(r->updated_at) };
    int owned, ok;

    if (gh_db_tx_join(st, &owned, err) == -1)
        return -1;
    ok = gh_db_run(st, "INSERT INTO organization_roles (id, instance_id, key, name, description,"
                       " is_creator_eligible, created_at, updated_at)"
                       " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
             p, 8, NULL, NULL, err) == 0;
    if (!ok)
        key_unique_param(err);
    for (size_t i = 0; ok && i < r->nperms; i++)
        ok = gh_store_role_grant(st, instance_id, r->id, r->perms[i].id, 1, r->created_at,
                 err) == 0;
    return gh_db_tx_end(st, owned, ok, err);
}

int
gh_store_role_find(struct gh_store *st, const char *instance_id, const char *by,
    const char *value, struct gh_role **out, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(value) };
    struct gh_role   **v;
    size_t             n;

    *out = NULL;
    if (fetch_roles(st, instance_id, strcmp(by, "key") == 0
                ? "SELECT " ROLE_COLS " FROM organization_roles r"
                  " WHERE r.instance_id = ? AND r.key = ?"
                : "SELECT " ROLE_COLS " FROM organization_roles r"
                  " WHERE r.instance_id = ? AND r.id = ?",
            p, 2, &v, &n, err) == -1)
        return -1;
    if (n > 0) {
        *out = v[0];
        v[0] = NULL;
    }
    gh_roles_free(v, n);
    return 0;
}

int
gh_store_role_update(struct gh_store *st, const char *instance_id, const struct gh_role *r,
    const char *old_key, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(r->key), gh_db_text(r->name),
        gh_db_text(r->description != NULL ? r->description : ""), gh_db_int(r->updated_at),
        gh_db_text(instance_id), gh_db_text(r->id) };
    struct gh_db_param m[] = { gh_db_text(r->key), gh_db_text(instance_id), gh_db_text(old_key) };
    int64_t            changes = 0;
    int                owned, ok;

    if (gh_db_tx_join(st, &owned, err) == -1)
        return -1;
    ok = gh_db_run(st, "UPDATE organization_roles SET key = ?, name = ?, description = ?,"
                       " updated_at = ? WHERE instance_id = ? AND id = ?",
             p, 6, NULL, &changes, err) == 0;
    if (!ok)
        key_unique_param(err);
    else if (changes == 0)
        ok = GH_FAIL(err, GH_E_NOT_FOUND, "role not found") == 0;
    if (ok && old_key != NULL && strcmp(old_key, r->key) != 0)
        ok = gh_db_run(st, "UPDATE organization_memberships SET role = ?"
                           " WHERE instance_id = ? AND role = ?",
                 m, 3, NULL, NULL, err) == 0;
    return gh_db_tx_end(st, owned, ok, err);
}

int
gh_store_role_delete(struct gh_store *st, const char *instance_id, const char *role_id,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(role_id) };
    int64_t            changes = 0;

    if (gh_db_run(st, "DELETE FROM organization_roles WHERE instance_id = ? AND id = ?", p, 2,
            NULL, &changes, err) == -1)
        return -1;
    return changes != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "role not found");
}

int
gh_store_role_list(struct gh_store *st, const char *instance_id, const char *query,
    int64_t limit, int64_t offset, struct gh_role ***out, size_t *n, int64_t *total,
    struct gh_err *err)
{
    struct gh_db_q q;
    char          *pattern = NULL;
    int            rc = -1;

    *out = NULL;
    *n = 0;
    if (keyed_count(st, "organization_roles r", "r", instance_id, query, total, err) == -1)
        return -1;
    gh_db_q_init(&q);
    gh_db_q_sql(&q, "SELECT " ROLE_COLS " FROM organization_roles r");
    keyed_where(&q, "r", instance_id, query, &pattern);
    gh_db_q_sql(&q, " ORDER BY r.key, r.id LIMIT ? OFFSET ?");
    gh_db_q_param(&q, gh_db_int(limit >= 1 ? limit : 10));
    gh_db_q_param(&q, gh_db_int(offset >= 0 ? offset : 0));
    if (gh_db_q_failed(&q))
        GH_FAIL(err, GH_E_NOMEM, NULL);
    else
        rc = fetch_roles(st, instance_id, gh_buf_str(&q.sql), q.p, q.np, out, n, err);
    free(pattern);
    gh_db_q_clear(&q);
    return rc;
}

int
gh_store_role_grant(struct gh_store *st, const char *instance_id, const char *role_id,
    const char *perm_id, int grant, int64_t now, struct gh_err *err)
{
    struct gh_db_param a[] = { gh_db_text(role_id), gh_db_text(perm_id), gh_db_text(instance_id),
        gh_db_int(now) };
    struct gh_db_param d[] = { gh_db_text(instance_id), gh_db_text(role_id), gh_db_text(perm_id) };
    struct gh_db_param u[] = { gh_db_int(now), gh_db_text(instance_id), gh_db_text(role_id) };

    if (grant && gh_db_run(st, "INSERT INTO organization_role_permissions (role_id,"
                               " permission_id, instance_id, created_at) VALUES (?, ?, ?, ?)"
                               " ON CONFLICT DO NOTHING",
                     a, 4, NULL, NULL, err) == -1)
        return -1;
    if (!grant && gh_db_run(st, "DELETE FROM organization_role_permissions WHERE instance_id = ?"
                                " AND role_id = ? AND permission_id = ?",
                      d, 3, NULL, NULL, err) == -1)
        return -1;
    return gh_db_run(st, "UPDATE organization_roles SET updated_at = ?"
                         " WHERE instance_id = ? AND id = ?",
        u, 3, NULL, NULL, err);
}

int
gh_store_role_members(struct gh_store *st, const char *instance_id, const char *key,
    int64_t *out, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(key) };
    struct gh_db_rows  rows;

    *out = 0;
    if (gh_db_run(st, "SELECT COUNT(*) FROM organization_memberships"
                      " WHERE instance_id = ? AND role = ?",
            p, 2, &rows, NULL, err) == -1)
        return -1;
    *out = gh_db_cell_i64(&rows, 0, 0);
    gh_db_rows_clear(&rows);
    return 0;
}
