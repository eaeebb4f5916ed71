/* store_instance.c: instances, signing keys and API keys (store.h), as SQL
 * written once for both dialects. It stores what it is given: sealing keys,
 * hashing secrets and choosing the active key happen in core and crypto. */
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "util/str.h"

#define INSTANCE_COLS "id, name, frontend_url, publishable_key, settings, created_at, updated_at"

int
gh_store_instance_find_default(struct gh_store *st, struct gh_instance **out,
    struct gh_err *err)
{
    struct gh_db_rows   rows;
    struct gh_instance *in = NULL;
    int                 rc = -1;

    *out = NULL;
    if (gh_db_run(st, "SELECT " INSTANCE_COLS " FROM instances ORDER BY created_at, id LIMIT 1",
            NULL, 0, &rows, NULL, err) == -1)
        return -1;
    if (rows.nrows == 0) {
        rc = 0;
        goto done;
    }
    if ((in = calloc(1, sizeof(*in))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    gh_db_cell_copy(&rows, 0, 0, in->id, sizeof(in->id));
    if (gh_db_cell_dup(&rows, 0, 1, &in->name) == -1 ||
        gh_db_cell_dup(&rows, 0, 2, &in->frontend_url) == -1 ||
        gh_db_cell_dup(&rows, 0, 3, &in->publishable_key) == -1 ||
        gh_db_cell_dup(&rows, 0, 4, &in->settings) == -1) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    in->created_at = gh_db_cell_i64(&rows, 0, 5);
    in->updated_at = gh_db_cell_i64(&rows, 0, 6);
    *out = in;
    in = NULL;
    rc = 0;
done:
    gh_instance_free(in);
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_store_instance_insert(struct gh_store *st, const struct gh_instance *in,
    struct gh_err *err)
{
    struct gh_db_param p[] = {
        gh_db_text(in->id),
        gh_db_text(in->name != NULL ? in->name : ""),
        gh_db_text(in->frontend_url),
        gh_db_text(in->publishable_key),
        gh_db_text(in->settings != NULL ? in->settings : "{}"),
        gh_db_int(in->created_at),
        gh_db_int(in->updated_at),
    };
    int rc = gh_db_run(st, "INSERT INTO instances (" INSTANCE_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?)",
        p, 7, NULL, NULL, err);

    if (rc == -1)
        gh_db_unique_param(err, NULL); /* an id clash is a bug, not a taken identifier */
    return rc;
}

int
gh_store_instance_update(struct gh_store *st, const struct gh_instance *in,
    struct gh_err *err)
{
    struct gh_db_param p[] = {
        gh_db_text(in->name != NULL ? in->name : ""),
        gh_db_text(in->frontend_url),
        gh_db_text(in->publishable_key),
        gh_db_int(in->updated_at),
        gh_db_text(in->id),
    };
    int64_t changes = 0;

    if (gh_db_run(st, "UPDATE instances SET name = ?, frontend_url = ?, publishable_key = ?,"
                      " updated_at = ? WHERE id = ?",
            p, 5, NULL, &changes, err) == -1)
        return -1;
    return changes != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "instance not found");
}

/* ---- settings (issue 4) ---- */

int
gh_store_instance_settings_get(struct gh_store *st, const char *instance_id, char **text,
    int64_t *version, struct gh_err *err)
{
    struct gh_db_param p = gh_db_text(instance_id);
    struct gh_db_rows  rows;
    const char        *t;
    int                rc = -1;

    *text = NULL;
    if (gh_db_run(st, "SELECT settings, settings_version FROM instances WHERE id = ?", &p, 1,
            &rows, NULL, err) == -1)
        return -1;
    if (rows.nrows == 0) {
        GH_FAIL(err, GH_E_NOT_FOUND, "instance not found");
        goto done;
    }
    t = gh_db_cell(&rows, 0, 0);
    if ((*text = gh_strdup(t != NULL && t[0] != '\0' ? t : "{}")) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    *version = gh_db_cell_i64(&rows, 0, 1);
    rc = 0;
done:
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_store_instance_settings_version(struct gh_store *st, const char *instance_id,
    int64_t *version, struct gh_err *err)
{
    struct gh_db_param p = gh_db_text(instance_id);
    struct gh_db_rows  rows;
    int                rc = 0;

    if (gh_db_run(st, "SELECT settings_version FROM instances WHERE id = ?", &p, 1, &rows, NULL,
            err) == -1)
        return -1;
    if (rows.nrows == 0)
        rc = GH_FAIL(err, GH_E_NOT_FOUND, "instance not found");
    else
        *version = gh_db_cell_i64(&rows, 0, 0);
    gh_db_rows_clear(&rows);
    return rc;
}

int
gh_store_instance_settings_set(struct gh_store *st, const char *instance_id,
    const char *text, int64_t expected, int64_t now, int *changed, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(text), gh_db_int(now), gh_db_text(instance_id),
        gh_db_int(expected) };
    int64_t            n = 0;

    *changed = 0;
    if (gh_db_run(st, "UPDATE instances SET settings = ?, settings_version = settings_version + 1,"
                      " updated_at = ? WHERE id = ? AND settings_version = ?",
            p, 4, NULL, &n, err) == -1)
        return -1;
    *changed = n != 0;
    return 0;
}

/* ---- signing keys ---- */

int
gh_store_signing_key_insert(struct gh_store *st, const char *instance_id,
    const struct gh_signing_key *k, struct gh_err *err)
{
    struct gh_db_param p[] = {
        gh_db_text(k->kid),
        gh_db_text(instance_id),
        gh_db_text(k->alg),
        gh_db_blob(k->private_sealed != NULL ? (const void *)k->private_sealed : "",
            k->private_sealed_len),
        gh_db_text(k->public_pem != NULL ? k->public_pem : ""),
        gh_db_int(k->active != 0),
        gh_db_int(k->created_at),
    };
    int rc = gh_db_run(st, "INSERT INTO signing_keys (kid, instance_id, alg, private_sealed,"
                           " public_pem, active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        p, 7, NULL, NULL, err);

    if (rc == -1)
        gh_db_unique_param(err, NULL); /* an id clash is a bug, not a taken identifier */
    return rc;
}

static int
signing_key_from_row(const struct gh_db_rows *rows, size_t r, struct gh_signing_key *k)
{
    const char *sealed = gh_db_cell(rows, r, 2);
    size_t      len = rows->len[r * rows->ncols + 2];

    gh_db_cell_copy(rows, r, 0, k->kid, sizeof(k->kid));
    gh_db_cell_copy(rows, r, 1, k->alg, sizeof(k->alg));
    if ((k->private_sealed = malloc(len != 0 ? len : 1)) == NULL)
        return -1;
    if (sealed != NULL)
        memcpy(k->private_sealed, sealed, len);
    k->private_sealed_len = len;
    if (gh_db_cell_dup(rows, r, 3, &k->public_pem) == -1)
        return -1;
    k->active = gh_db_cell_i64(rows, r, 4) != 0;
    k->created_at = gh_db_cell_i64(rows, r, 5);
    return 0;
}

int
gh_store_signing_key_list(struct gh_store *st, const char *instance_id,
    struct gh_signing_key **out, size_t *n, struct gh_err *err)
{
    struct gh_db_param     p = gh_db_text(instance_id);
    struct gh_db_rows      rows;
    struct gh_signing_key *v = NULL;
    size_t                 i = 0;
    int                    rc = -1;

    *out = NULL;
    *n = 0;
    if (gh_db_run(st, "SELECT kid, alg, private_sealed, public_pem, active, created_at"
                      " FROM signing_keys WHERE instance_id = ?"
                      " ORDER BY created_at DESC, kid DESC",
            &p, 1, &rows, NULL, err) == -1)
        return -1;
    if ((v = calloc(rows.nrows + 1, sizeof(*v))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    for (; i < rows.nrows; i++) {
        if (signing_key_from_row(&rows, i, &v[i]) == -1) {
            GH_FAIL(err, GH_E_NOMEM, NULL);
            i++; /* free the half-filled one too */
            goto done;
        }
    }
    *out = v;
    *n = i;
    v = NULL;
    rc = 0;
done:
    gh_signing_keys_free(v, i);
    gh_db_rows_clear(&rows);
    return rc;
}

/* ---- API keys ---- */

int
gh_store_api_key_insert(struct gh_store *st, const char *instance_id,
    const struct gh_api_key *k, struct gh_err *err)
{
    struct gh_db_param p[] = {
        gh_db_text(k->id),
        gh_db_text(instance_id),
        gh_db_text(k->secret_hash),
        gh_db_text(k->hint),
        gh_db_int(k->created_at),
        gh_db_time(k->revoked_at),
    };
    int rc = gh_db_run(st, "INSERT INTO api_keys (id, instance_id, secret_hash, hint, created_at,"
                           " revoked_at) VALUES (?, ?, ?, ?, ?, ?)",
        p, 6, NULL, NULL, err);

    if (rc == -1)
        gh_db_unique_param(err, NULL); /* an id clash is a bug, not a taken identifier */
    return rc;
}

int
gh_store_api_key_find(struct gh_store *st, const char *secret_hash, int *found,
    char *instance_id, struct gh_err *err)
{
    struct gh_db_param p = gh_db_text(secret_hash);
    struct gh_db_rows  rows;

    *found = 0;
    /* Hot path (every Backend API request): one cached statement. */
    if (gh_db_run(st, "SELECT instance_id FROM api_keys WHERE secret_hash = ?"
                      " AND revoked_at IS NULL",
            &p, 1, &rows, NULL, err) == -1)
        return -1;
    if (rows.nrows > 0) {
        gh_db_cell_copy(&rows, 0, 0, instance_id, GH_ID_MAX);
        *found = 1;
    }
    gh_db_rows_clear(&rows);
    return 0;
}

int
gh_store_api_key_list(struct gh_store *st, const char *instance_id,
    struct gh_api_key **out, size_t *n, struct gh_err *err)
{
    struct gh_db_param p = gh_db_text(instance_id);
    struct gh_db_rows  rows;
    struct gh_api_key *v;

    *out = NULL;
    *n = 0;
    if (gh_db_run(st, "SELECT id, secret_hash, hint, created_at, revoked_at FROM api_keys"
                      " WHERE instance_id = ? ORDER BY created_at DESC, id DESC",
            &p, 1, &rows, NULL, err) == -1)
        return -1;
    if ((v = calloc(rows.nrows + 1, sizeof(*v))) == NULL) {
        gh_db_rows_clear(&rows);
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    for (size_t i = 0; i < rows.nrows; i++) {
        gh_db_cell_copy(&rows, i, 0, v[i].id, sizeof(v[i].id));
        gh_db_cell_copy(&rows, i, 1, v[i].secret_hash, sizeof(v[i].secret_hash));
        gh_db_cell_copy(&rows, i, 2, v[i].hint, sizeof(v[i].hint));
        v[i].created_at = gh_db_cell_i64(&rows, i, 3);
        v[i].revoked_at = gh_db_cell_i64(&rows, i, 4);
    }
    *out = v;
    *n = rows.nrows;
    gh_db_rows_clear(&rows);
    return 0;
}

int
gh_store_api_key_revoke(struct gh_store *st, const char *instance_id, const char *id,
    int64_t now, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_int(now), gh_db_text(instance_id), gh_db_text(id) };
    int64_t            changes = 0;

    /* Revoking twice keeps the first time and still succeeds. */
    if (gh_db_run(st, "UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?)"
                      " WHERE instance_id = ? AND id = ?",
            p, 3, NULL, &changes, err) == -1)
        return -1;
    return changes != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "API key not found");
}
