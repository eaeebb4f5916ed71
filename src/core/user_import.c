/* user_import.c: see user_import.h. Building comes first and touches no
 * table, so a line with a bad value costs nothing but its error; the
 * transaction then holds only the multi-row inserts. */
#include "core/user_import.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/ident.h"
#include "crypto/crypto.h"
#include "util/str.h"

/* Stores the built users (built[k] NULL for items that failed to build). */
static int
store_built(struct gh_app *app, const char *instance_id, struct gh_user_import *items,
    struct gh_user **built, size_t n, struct gh_err *err)
{
    struct gh_user **v = calloc(n != 0 ? n : 1, sizeof(*v));
    size_t          *at = calloc(n != 0 ? n : 1, sizeof(*at));
    const char     **clash = calloc(n != 0 ? n : 1, sizeof(*clash));
    struct gh_err    se = { 0 };
    size_t           m = 0;
    int              rc = -1;

    if (v == NULL || at == NULL || clash == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    for (size_t k = 0; k < n; k++)
        if (built[k] != NULL) {
            v[m] = built[k];
            at[m++] = k;
        }
    if (gh_store_begin(app->store, err) == -1)
        goto done;
    if (gh_store_user_insert_many(app->store, instance_id, v, m, clash, &se) == -1 ||
        gh_store_commit(app->store, &se) == -1) {
        gh_store_rollback(app->store);
        *err = se;
        goto done;
    }
    for (size_t j = 0; j < m; j++) {
        struct gh_user_import *it = &items[at[j]];

        if (clash[j] != NULL) {
            gh_ident_taken(&it->err, clash[j]);
            continue;
        }
        it->stored = 1;
        gh_strlcpy(it->id, v[j]->id, sizeof(it->id));
    }
    rc = 0;
done:
    free(v);
    free(at);
    free(clash);
    return rc;
}

int
gh_user_import_batch(struct gh_app *app, const char *instance_id,
    struct gh_user_import *items, size_t n, struct gh_err *err)
{
    struct gh_user **built = calloc(n != 0 ? n : 1, sizeof(*built));
    int              rc;

    if (built == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    if (gh_store_tune_bulk(app->store, err) == -1) {
        free(built);
        return -1;
    }
    for (size_t k = 0; k < n; k++) {
        items[k].stored = 0;
        items[k].id[0] = '\0';
        if (items[k].p == NULL)
            continue;
        gh_err_clear(&items[k].err);
        if (gh_user_build(app, items[k].p, &built[k], &items[k].err) == -1)
            built[k] = NULL;
    }
    rc = store_built(app, instance_id, items, built, n, err);
    for (size_t k = 0; k < n; k++)
        gh_user_free(built[k]);
    free(built);
    return rc;
}

int
gh_user_import_finish(struct gh_app *app, struct gh_err *err)
{
    return gh_store_analyze(app->store, 1, err);
}

int
gh_user_scan(struct gh_app *app, const char *instance_id, const char *after, int64_t limit,
    struct gh_user ***out, size_t *n, struct gh_err *err)
{
    struct gh_err se = { 0 };

    if (gh_store_user_scan(app->store, instance_id, after, limit, out, n, &se) == -1)
        return gh_ident_store_fail(&se, err);
    return 0;
}

int
gh_user_export_digest(const struct gh_user *u, char *hasher, size_t size, const char **digest)
{
    const char *h = u->password_hash, *end;
    size_t      plen = strlen(GH_DIGEST_PREFIX);

    *digest = NULL;
    if (h == NULL || size == 0)
        return 0;
    if (strncmp(h, "$argon2id$", 10) == 0) { /* our own hashes import as argon2id */
        gh_strlcpy(hasher, "argon2id", size);
        *digest = h;
        return 1;
    }
    /* "$gh-import$<hasher>$<digest as given>": hand back what was imported */
    if (strncmp(h, GH_DIGEST_PREFIX, plen) != 0 || (end = strchr(h + plen, '$')) == NULL ||
        (size_t)(end - (h + plen)) >= size)
        return 0;
    memcpy(hasher, h + plen, (size_t)(end - (h + plen)));
    hasher[end - (h + plen)] = '\0';
    *digest = end + 1;
    return 1;
}
