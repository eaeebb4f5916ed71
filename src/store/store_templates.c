/* store_templates.c: JWT templates (store.h, issue 3), as SQL written once
 * for both dialects, and the record's constructor and destructor. It stores
 * what it is given: validating claims and sealing custom keys are core's. */
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/str.h"

#define TEMPLATE_COLS                                                                    \
    "id, name, claims, lifetime, allowed_clock_skew, custom_signing_key,"                \
    " signing_algorithm, signing_key_sealed, created_at, updated_at"

struct gh_jwt_template *
gh_jwt_template_new(void)
{
    struct gh_jwt_template *t = calloc(1, sizeof(*t));

    if (t == NULL)
        return NULL;
    t->created_at = GH_TIME_NULL;
    t->updated_at = GH_TIME_NULL;
    return t;
}

void
gh_jwt_template_free(struct gh_jwt_template *t)
{
    if (t == NULL)
        return;
    free(t->name);
    free(t->claims);
    free(t->signing_key_sealed);
    free(t);
}

void
gh_jwt_templates_free(struct gh_jwt_template **v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        gh_jwt_template_free(v[i]);
    free(v);
}

static int
template_from_row(const struct gh_db_rows *rows, size_t r, struct gh_jwt_template *t)
{
    const char *sealed = gh_db_cell(rows, r, 7);
    size_t      len = rows->len[r * rows->ncols + 7];

    gh_db_cell_copy(rows, r, 0, t->id, sizeof(t->id));
    if (gh_db_cell_dup(rows, r, 1, &t->name) == -1 || gh_db_cell_dup(rows, r, 2, &t->claims) == -1)
        return -1;
    t->lifetime = gh_db_cell_i64(rows, r, 3);
    t->allowed_clock_skew = gh_db_cell_i64(rows, r, 4);
    t->custom_signing_key = gh_db_cell_i64(rows, r, 5) != 0;
    gh_db_cell_copy(rows, r, 6, t->signing_algorithm, sizeof(t->signing_algorithm));
    if (sealed != NULL && len > 0) {
        if ((t->signing_key_sealed = malloc(len)) == NULL)
            return -1;
        memcpy(t->signing_key_sealed, sealed, len);
        t->signing_key_sealed_len = len;
    }
    t->created_at = gh_db_cell_i64(rows, r, 8);
    t->updated_at = gh_db_cell_i64(rows, r, 9);
    return 0;
}

/* Runs a SELECT of TEMPLATE_COLS; *out is an owned array of *n templates. */
static int
fetch_templates(struct gh_store *st, const char *sql, const struct gh_db_param *p, size_t np,
    struct gh_jwt_template ***out, size_t *n, struct gh_err *err)
{
    struct gh_db_rows        rows;
    struct gh_jwt_template **v = NULL;
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
        if ((v[k] = gh_jwt_template_new()) == NULL || template_from_row(&rows, k, v[k]) == -1) {
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
    gh_jwt_templates_free(v, k);
    gh_db_rows_clear(&rows);
    return rc;
}

/* The single row of a SELECT, GH_E_NOT_FOUND when none (unless find: *out NULL). */
static int
fetch_one(struct gh_store *st, const char *sql, const struct gh_db_param *p, size_t np,
    int find, struct gh_jwt_template **out, struct gh_err *err)
{
    struct gh_jwt_template **v;
    size_t                   n;

    *out = NULL;
    if (fetch_templates(st, sql, p, np, &v, &n, err) == -1)
        return -1;
    if (n > 0) {
        *out = v[0];
        v[0] = NULL;
    }
    gh_jwt_templates_free(v, n);
    if (*out == NULL && !find)
        return GH_FAIL(err, GH_E_NOT_FOUND, "JWT template not found");
    return 0;
}

int
gh_store_jwt_template_insert(struct gh_store *st, const char *instance_id,
    const struct gh_jwt_template *t, struct gh_err *err)
{
    struct gh_db_param p[] = {
        gh_db_text(t->id),
        gh_db_text(t->name),
        gh_db_text(t->claims),
        gh_db_int(t->lifetime),
        gh_db_int(t->allowed_clock_skew),
        gh_db_int(t->custom_signing_key != 0),
        gh_db_text(t->signing_algorithm),
        gh_db_blob(t->signing_key_sealed, t->signing_key_sealed_len),
        gh_db_int(t->created_at),
        gh_db_int(t->updated_at),
        gh_db_text(instance_id),
    };
    int rc = gh_db_run(st, "INSERT INTO jwt_templates (" TEMPLATE_COLS ", instance_id)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        p, 11, NULL, NULL, err);

    if (rc == -1)
        gh_db_unique_param(err, "name"); /* the only unique column besides the random id */
    return rc;
}

int
gh_store_jwt_template_update(struct gh_store *st, const char *instance_id,
    const struct gh_jwt_template *t, struct gh_err *err)
{
    struct gh_db_param p[] = {
        gh_db_text(t->name),
        gh_db_text(t->claims),
        gh_db_int(t->lifetime),
        gh_db_int(t->allowed_clock_skew),
        gh_db_int(t->custom_signing_key != 0),
        gh_db_text(t->signing_algorithm),
        gh_db_blob(t->signing_key_sealed, t->signing_key_sealed_len),
        gh_db_int(t->updated_at),
        gh_db_text(instance_id),
        gh_db_text(t->id),
    };
    int64_t changes = 0;

    if (gh_db_run(st, "UPDATE jwt_templates SET name = ?, claims = ?, lifetime = ?,"
                      " allowed_clock_skew = ?, custom_signing_key = ?, signing_algorithm = ?,"
                      " signing_key_sealed = ?, updated_at = ? WHERE instance_id = ? AND id = ?",
            p, 10, NULL, &changes, err) == -1) {
        gh_db_unique_param(err, "name");
        return -1;
    }
    return changes != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "JWT template not found");
}

int
gh_store_jwt_template_get(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_jwt_template **out, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(id) };

    return fetch_one(st, "SELECT " TEMPLATE_COLS " FROM jwt_templates"
                         " WHERE instance_id = ? AND id = ?",
        p, 2, 0, out, err);
}

int
gh_store_jwt_template_find_by_name(struct gh_store *st, const char *instance_id,
    const char *name, struct gh_jwt_template **out, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(name) };

    return fetch_one(st, "SELECT " TEMPLATE_COLS " FROM jwt_templates"
                         " WHERE instance_id = ? AND name = ?",
        p, 2, 1, out, err);
}

int
gh_store_jwt_template_delete(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(id) };
    int64_t            changes = 0;

    if (gh_db_run(st, "DELETE FROM jwt_templates WHERE instance_id = ? AND id = ?", p, 2, NULL,
            &changes, err) == -1)
        return -1;
    return changes != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "JWT template not found");
}

int
gh_store_jwt_template_list(struct gh_store *st, const char *instance_id, int64_t limit,
    int64_t offset, struct gh_jwt_template ***out, size_t *n, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_int(limit >= 1 ? limit : 10),
        gh_db_int(offset >= 0 ? offset : 0) };

    return fetch_templates(st, "SELECT " TEMPLATE_COLS " FROM jwt_templates"
                               " WHERE instance_id = ? ORDER BY created_at DESC, id DESC"
                               " LIMIT ? OFFSET ?",
        p, 3, out, n, err);
}

int
gh_store_jwt_template_count(struct gh_store *st, const char *instance_id, int64_t *out,
    struct gh_err *err)
{
    struct gh_db_param p = gh_db_text(instance_id);
    struct gh_db_rows  rows = { 0 };

    *out = 0;
    if (gh_db_run(st, "SELECT COUNT(*) FROM jwt_templates WHERE instance_id = ?", &p, 1, &rows,
            NULL, err) == -1)
        return -1;
    *out = gh_db_cell_i64(&rows, 0, 0);
    gh_db_rows_clear(&rows);
    return 0;
}
