/* store_orgs.c: organizations and memberships (issue 3) as SQL written once
 * for both dialects. Uniqueness (slug per instance, one membership per
 * (org, user)) is the schema's; memberships go with their organization or
 * user by ON DELETE CASCADE. List filters build their WHERE clause in one
 * function shared by list and count, as store_users.c does. */
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/str.h"

#define ORG_COLS                                                                           \
    "o.id, o.name, o.slug, o.image_url, o.max_allowed_memberships, o.admin_delete_enabled," \
    " o.public_metadata, o.private_metadata, o.created_by, o.created_at, o.updated_at"
#define ORG_COUNT_EXPR "(SELECT COUNT(*) FROM organization_memberships c WHERE c.org_id = o.id)"
#define MEM_COLS                                                                            \
    "m.id, m.org_id, m.user_id, m.role, m.public_metadata, m.private_metadata, m.created_at," \
    " m.updated_at"
#define LIKE_Q " LIKE lower(CAST(? AS TEXT)) ESCAPE '\\'"

void
gh_org_filter_init(struct gh_org_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->order_desc = 1;
    f->limit = 10;
}

void
gh_org_member_filter_init(struct gh_org_member_filter *f)
{
    memset(f, 0, sizeof(*f));
    f->order_desc = 1;
    f->limit = 10;
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

/* ---- organizations ---- */

static int
org_from_row(const struct gh_db_rows *rows, size_t r, int with_count, struct gh_org *o)
{
    free(o->public_metadata);
    free(o->private_metadata);
    o->public_metadata = o->private_metadata = NULL;
    gh_db_cell_copy(rows, r, 0, o->id, sizeof(o->id));
    if (gh_db_cell_dup(rows, r, 1, &o->name) == -1 || gh_db_cell_dup(rows, r, 2, &o->slug) == -1 ||
        gh_db_cell_dup(rows, r, 3, &o->image_url) == -1 ||
        gh_db_cell_dup(rows, r, 6, &o->public_metadata) == -1 ||
        gh_db_cell_dup(rows, r, 7, &o->private_metadata) == -1)
        return -1;
    o->max_allowed_memberships = gh_db_cell_i64(rows, r, 4);
    o->admin_delete_enabled = (int)gh_db_cell_i64(rows, r, 5);
    gh_db_cell_copy(rows, r, 8, o->created_by, sizeof(o->created_by));
    o->created_at = gh_db_cell_i64(rows, r, 9);
    o->updated_at = gh_db_cell_i64(rows, r, 10);
    o->members_count = with_count ? gh_db_cell_i64(rows, r, 11) : -1;
    return 0;
}

static int
fetch_orgs(struct gh_store *st, const char *sql, const struct gh_db_param *p, size_t np,
    int with_count, struct gh_org ***out, size_t *n, struct gh_err *err)
{
    struct gh_db_rows rows;
    struct gh_org   **v = NULL;
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
        if ((v[k] = gh_org_new()) == NULL || org_from_row(&rows, k, with_count, v[k]) == -1) {
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
    gh_orgs_free(v, k);
    gh_db_rows_clear(&rows);
    return rc;
}

static void
org_unique_param(struct gh_err *err)
{
    if (err != NULL && err->code == GH_E_IDENTIFIER_EXISTS)
        gh_db_unique_param(err, strstr(err->note, "slug") != NULL ? "slug" : NULL);
}

int
gh_store_org_insert(struct gh_store *st, const char *instance_id, const struct gh_org *o,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(o->id), gh_db_text(instance_id), gh_db_text(o->name),
        gh_db_text(o->slug), gh_db_text(o->image_url), gh_db_int(o->max_allowed_memberships),
        gh_db_int(o->admin_delete_enabled != 0), gh_db_text(o->public_metadata),
        gh_db_text(o->private_metadata), gh_db_text(o->created_by), gh_db_int(o->created_at),
        gh_db_int(o->updated_at) };

    if (gh_db_run(st, "INSERT INTO organizations (id, instance_id, name, slug, image_url,"
                      " max_allowed_memberships, admin_delete_enabled, public_metadata,"
                      " private_metadata, created_by, created_at, updated_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            p, 12, NULL, NULL, err) == -1) {
        org_unique_param(err);
        return -1;
    }
    return 0;
}

int
gh_store_org_get(struct gh_store *st, const char *instance_id, const char *id_or_slug,
    int with_count, struct gh_org **out, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(id_or_slug),
        gh_db_text(id_or_slug) };
    struct gh_org    **v;
    size_t             n;

    *out = NULL;
    /* Ids contain '_' and slugs cannot, so the two never match different rows. */
    if (fetch_orgs(st,
            with_count ? "SELECT " ORG_COLS ", " ORG_COUNT_EXPR " FROM organizations o"
                         " WHERE o.instance_id = ? AND (o.id = ? OR o.slug = ?)"
                       : "SELECT " ORG_COLS " FROM organizations o"
                         " WHERE o.instance_id = ? AND (o.id = ? OR o.slug = ?)",
            p, 3, with_count, &v, &n, err) == -1)
        return -1;
    if (n == 0) {
        gh_orgs_free(v, n);
        return GH_FAIL(err, GH_E_NOT_FOUND, "organization not found");
    }
    *out = v[0];
    v[0] = NULL;
    gh_orgs_free(v, n);
    return 0;
}

int
gh_store_org_update(struct gh_store *st, const char *instance_id, const struct gh_org *o,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(o->name), gh_db_text(o->slug), gh_db_text(o->image_url),
        gh_db_int(o->max_allowed_memberships), gh_db_int(o->admin_delete_enabled != 0),
        gh_db_text(o->public_metadata), gh_db_text(o->private_metadata),
        gh_db_int(o->updated_at), gh_db_text(instance_id), gh_db_text(o->id) };
    int64_t changes = 0;

    if (gh_db_run(st, "UPDATE organizations SET name = ?, slug = ?, image_url = ?,"
                      " max_allowed_memberships = ?, admin_delete_enabled = ?,"
                      " public_metadata = ?, private_metadata = ?, updated_at = ?"
                      " WHERE instance_id = ? AND id = ?",
            p, 10, NULL, &changes, err) == -1) {
        org_unique_param(err);
        return -1;
    }
    return changes != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "organization not found");
}

int
gh_store_org_delete(struct gh_store *st, const char *instance_id, const char *org_id,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(org_id) };
    int64_t            changes = 0;

    if (gh_db_run(st, "DELETE FROM organizations WHERE instance_id = ? AND id = ?", p, 2, NULL,
            &changes, err) == -1)
        return -1;
    return changes != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "organization not found");
}

static void
org_where(struct gh_db_q *q, const char *instance_id, const struct gh_org_filter *f,
    char **pattern)
{
    gh_db_q_sql(q, " WHERE o.instance_id = ?");
    gh_db_q_param(q, gh_db_text(instance_id));
    if (f->n_org_ids > 0) {
        gh_db_q_sql(q, " AND o.id IN ");
        gh_db_q_in_list(q, f->org_ids, f->n_org_ids);
    }
    if (f->n_user_ids > 0) {
        gh_db_q_sql(q, " AND o.id IN (SELECT x.org_id FROM organization_memberships x"
                       " WHERE x.instance_id = ? AND x.user_id IN ");
        gh_db_q_param(q, gh_db_text(instance_id));
        gh_db_q_in_list(q, f->user_ids, f->n_user_ids);
        gh_db_q_sql(q, ")");
    }
    if (f->query != NULL && (*pattern = like_pattern(f->query)) == NULL)
        q->failed = 1;
    if (f->query != NULL && *pattern != NULL) {
        gh_db_q_sql(q, " AND (lower(o.id)" LIKE_Q " OR lower(o.name)" LIKE_Q
                       " OR lower(o.slug)" LIKE_Q ")");
        for (int k = 0; k < 3; k++)
            gh_db_q_param(q, gh_db_text(*pattern));
    }
}

int
gh_store_org_list(struct gh_store *st, const char *instance_id, const struct gh_org_filter *f,
    struct gh_org ***out, size_t *n, struct gh_err *err)
{
    const char    *field = f->order_field != NULL ? f->order_field : "created_at";
    const char    *dir = f->order_desc ? " DESC" : " ASC", *expr;
    struct gh_db_q q;
    char          *pattern = NULL;
    int            rc = -1;

    *out = NULL;
    *n = 0;
    if (strcmp(field, "created_at") == 0)
        expr = "o.created_at";
    else if (strcmp(field, "name") == 0)
        expr = "o.name";
    else if (strcmp(field, "members_count") == 0)
        expr = ORG_COUNT_EXPR;
    else
        return GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "order_by", NULL);
    gh_db_q_init(&q);
    gh_db_q_sql(&q, "SELECT " ORG_COLS);
    gh_db_q_sql(&q, f->with_count ? ", " ORG_COUNT_EXPR " FROM organizations o"
                                  : " FROM organizations o");
    org_where(&q, instance_id, f, &pattern);
    gh_db_q_sql(&q, " ORDER BY ");
    gh_db_q_sql(&q, expr);
    gh_db_q_sql(&q, dir);
    gh_db_q_sql(&q, ", o.id");
    gh_db_q_sql(&q, dir);
    gh_db_q_sql(&q, " LIMIT ? OFFSET ?");
    gh_db_q_param(&q, gh_db_int(f->limit >= 1 ? f->limit : 10));
    gh_db_q_param(&q, gh_db_int(f->offset >= 0 ? f->offset : 0));
    if (gh_db_q_failed(&q)) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    rc = fetch_orgs(st, gh_buf_str(&q.sql), q.p, q.np, f->with_count, out, n, err);
done:
    free(pattern);
    gh_db_q_clear(&q);
    return rc;
}

/* Runs a COUNT(*) query built in q. */
static int
run_count(struct gh_store *st, struct gh_db_q *q, int64_t *out, struct gh_err *err)
{
    struct gh_db_rows rows = { 0 };

    *out = 0;
    if (gh_db_q_failed(q))
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    if (gh_db_run(st, gh_buf_str(&q->sql), q->p, q->np, &rows, NULL, err) == -1)
        return -1;
    *out = gh_db_cell_i64(&rows, 0, 0);
    gh_db_rows_clear(&rows);
    return 0;
}

int
gh_store_org_count(struct gh_store *st, const char *instance_id, const struct gh_org_filter *f,
    int64_t *out, struct gh_err *err)
{
    struct gh_db_q q;
    char          *pattern = NULL;
    int            rc;

    gh_db_q_init(&q);
    gh_db_q_sql(&q, "SELECT COUNT(*) FROM organizations o");
    org_where(&q, instance_id, f, &pattern);
    rc = run_count(st, &q, out, err);
    free(pattern);
    gh_db_q_clear(&q);
    return rc;
}

/* ---- memberships ---- */

static int
mem_from_row(const struct gh_db_rows *rows, size_t r, struct gh_org_membership *m)
{
    free(m->public_metadata);
    free(m->private_metadata);
    m->public_metadata = m->private_metadata = NULL;
    gh_db_cell_copy(rows, r, 0, m->id, sizeof(m->id));
    gh_db_cell_copy(rows, r, 1, m->org_id, sizeof(m->org_id));
    gh_db_cell_copy(rows, r, 2, m->user_id, sizeof(m->user_id));
    gh_db_cell_copy(rows, r, 3, m->role, sizeof(m->role));
    if (gh_db_cell_dup(rows, r, 4, &m->public_metadata) == -1 ||
        gh_db_cell_dup(rows, r, 5, &m->private_metadata) == -1)
        return -1;
    m->created_at = gh_db_cell_i64(rows, r, 6);
    m->updated_at = gh_db_cell_i64(rows, r, 7);
    return 0;
}

static int
fetch_mems(struct gh_store *st, const char *sql, const struct gh_db_param *p, size_t np,
    struct gh_org_membership ***out, size_t *n, struct gh_err *err)
{
    struct gh_db_rows          rows;
    struct gh_org_membership **v = NULL;
    size_t                     k = 0;
    int                        rc = -1;

    *out = NULL;
    *n = 0;
    if (gh_db_run(st, sql, p, np, &rows, NULL, err) == -1)
        return -1;
    if ((v = calloc(rows.nrows + 1, sizeof(*v))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    for (; k < rows.nrows; k++) {
        if ((v[k] = gh_org_membership_new()) == NULL || mem_from_row(&rows, k, v[k]) == -1) {
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
    gh_org_memberships_free(v, k);
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_store_org_member_insert(struct gh_store *st, const char *instance_id,
    const struct gh_org_membership *m, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(m->id), gh_db_text(instance_id), gh_db_text(m->org_id),
        gh_db_text(m->user_id), gh_db_text(m->role), gh_db_text(m->public_metadata),
        gh_db_text(m->private_metadata), gh_db_int(m->created_at), gh_db_int(m->updated_at) };

    if (gh_db_run(st, "INSERT INTO organization_memberships (id, instance_id, org_id, user_id,"
                      " role, public_metadata, private_metadata, created_at, updated_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            p, 9, NULL, NULL, err) == -1) {
        if (err != NULL && err->code == GH_E_IDENTIFIER_EXISTS &&
            (strstr(err->note, "user_id") != NULL || strstr(err->note, "member_uq") != NULL))
            err->code = GH_E_ALREADY_MEMBER;
        else
            gh_db_unique_param(err, NULL);
        return -1;
    }
    return 0;
}

int
gh_store_org_member_find(struct gh_store *st, const char *instance_id, const char *org_id,
    const char *user_id, struct gh_org_membership **out, struct gh_err *err)
{
    struct gh_db_param         p[] = { gh_db_text(instance_id), gh_db_text(org_id),
        gh_db_text(user_id) };
    struct gh_org_membership **v;
    size_t                     n;

    *out = NULL;
    if (fetch_mems(st, "SELECT " MEM_COLS " FROM organization_memberships m"
                       " WHERE m.instance_id = ? AND m.org_id = ? AND m.user_id = ?",
            p, 3, &v, &n, err) == -1)
        return -1;
    if (n > 0) {
        *out = v[0];
        v[0] = NULL;
    }
    gh_org_memberships_free(v, n);
    return 0;
}

int
gh_store_org_member_update(struct gh_store *st, const char *instance_id,
    const struct gh_org_membership *m, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(m->role), gh_db_text(m->public_metadata),
        gh_db_text(m->private_metadata), gh_db_int(m->updated_at), gh_db_text(instance_id),
        gh_db_text(m->id) };
    int64_t changes = 0;

    if (gh_db_run(st, "UPDATE organization_memberships SET role = ?, public_metadata = ?,"
                      " private_metadata = ?, updated_at = ? WHERE instance_id = ? AND id = ?",
            p, 6, NULL, &changes, err) == -1)
        return -1;
    return changes != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "membership not found");
}

int
gh_store_org_member_delete(struct gh_store *st, const char *instance_id, const char *org_id,
    const char *user_id, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(org_id), gh_db_text(user_id) };
    int64_t            changes = 0;

    if (gh_db_run(st, "DELETE FROM organization_memberships WHERE instance_id = ? AND org_id = ?"
                      " AND user_id = ?",
            p, 3, NULL, &changes, err) == -1)
        return -1;
    return changes != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "membership not found");
}

static void
mem_where(struct gh_db_q *q, const char *instance_id, const struct gh_org_member_filter *f,
    char **pattern)
{
    gh_db_q_sql(q, " FROM organization_memberships m JOIN users u ON u.id = m.user_id"
                   " WHERE m.instance_id = ?");
    gh_db_q_param(q, gh_db_text(instance_id));
    if (f->org_id != NULL) {
        gh_db_q_sql(q, " AND m.org_id = ?");
        gh_db_q_param(q, gh_db_text(f->org_id));
    }
    if (f->n_user_ids > 0) {
        gh_db_q_sql(q, " AND m.user_id IN ");
        gh_db_q_in_list(q, f->user_ids, f->n_user_ids);
    }
    if (f->n_roles > 0) {
        gh_db_q_sql(q, " AND m.role IN ");
        gh_db_q_in_list(q, f->roles, f->n_roles);
    }
    if (f->query != NULL && (*pattern = like_pattern(f->query)) == NULL)
        q->failed = 1;
    if (f->query != NULL && *pattern != NULL) {
        gh_db_q_sql(q, " AND (lower(u.id)" LIKE_Q " OR lower(u.first_name)" LIKE_Q
                       " OR lower(u.last_name)" LIKE_Q " OR lower(u.username)" LIKE_Q
                       " OR u.id IN (SELECT i.user_id FROM identifications i"
                       " WHERE i.instance_id = ? AND lower(i.value)" LIKE_Q "))");
        for (int k = 0; k < 6; k++)
            gh_db_q_param(q, gh_db_text(k == 4 ? instance_id : *pattern));
    }
}

static const struct {
    const char *field;
    const char *expr;
} mem_orders[] = {
    { "created_at", "m.created_at" },
    { "first_name", "u.first_name" },
    { "last_name", "u.last_name" },
    { "username", "u.username" },
    { "email_address", "(SELECT e.value FROM identifications e WHERE e.id = u.primary_email_id)" },
    { "phone_number", "(SELECT e.value FROM identifications e WHERE e.id = u.primary_phone_id)" },
};

int
gh_store_org_member_list(struct gh_store *st, const char *instance_id,
    const struct gh_org_member_filter *f, struct gh_org_membership ***out, size_t *n,
    struct gh_err *err)
{
    const char    *field = f->order_field != NULL ? f->order_field : "created_at";
    const char    *dir = f->order_desc ? " DESC" : " ASC", *expr = NULL;
    struct gh_db_q q;
    char          *pattern = NULL;
    int            rc = -1;

    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < sizeof(mem_orders) / sizeof(mem_orders[0]); i++)
        if (strcmp(mem_orders[i].field, field) == 0)
            expr = mem_orders[i].expr;
    if (expr == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "order_by", NULL);
    gh_db_q_init(&q);
    gh_db_q_sql(&q, "SELECT " MEM_COLS);
    mem_where(&q, instance_id, f, &pattern);
    gh_db_q_sql(&q, " ORDER BY ");
    gh_db_q_sql(&q, expr);
    gh_db_q_sql(&q, dir);
    gh_db_q_sql(&q, strcmp(field, "created_at") == 0 ? ", m.id" : " NULLS LAST, m.id");
    gh_db_q_sql(&q, dir);
    gh_db_q_sql(&q, " LIMIT ? OFFSET ?");
    gh_db_q_param(&q, gh_db_int(f->limit >= 1 ? f->limit : 10));
    gh_db_q_param(&q, gh_db_int(f->offset >= 0 ? f->offset : 0));
    if (gh_db_q_failed(&q)) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    rc = fetch_mems(st, gh_buf_str(&q.sql), q.p, q.np, out, n, err);
done:
    free(pattern);
    gh_db_q_clear(&q);
    return rc;
}

int
gh_store_org_member_count(struct gh_store *st, const char *instance_id,
    const struct gh_org_member_filter *f, int64_t *out, struct gh_err *err)
{
    struct gh_db_q q;
    char          *pattern = NULL;
    int            rc;

    gh_db_q_init(&q);
    gh_db_q_sql(&q, "SELECT COUNT(*)");
    mem_where(&q, instance_id, f, &pattern);
    rc = run_count(st, &q, out, err);
    free(pattern);
    gh_db_q_clear(&q);
    return rc;
}
