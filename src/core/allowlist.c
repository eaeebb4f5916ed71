/* allowlist.c: see allowlist.h. Matching is exact on normalised values (an
 * email also matches its "*@domain" wildcard); there is no subdomain or
 * pattern matching, so an entry means exactly what it says. */
#include "core/allowlist.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/id.h"
#include "core/ident.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/str.h"

static const char *
list_name(enum gh_access_list list)
{
    return list == GH_BLOCKLIST ? "block" : "allow";
}

/* "*@domain": the domain is checked as the domain of a placeholder address. */
static int
norm_wildcard(const char *domain, char **out, struct gh_err *err)
{
    struct gh_buf b;
    char         *probe, *norm = NULL;
    int           rc;

    gh_buf_init(&b, GH_EMAIL_MAX + 8);
    gh_buf_add(&b, "x@");
    gh_buf_add(&b, domain);
    if ((probe = gh_buf_take(&b)) == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "identifier", "is too long");
    rc = gh_ident_norm_email(probe, "identifier", &norm, err);
    free(probe);
    if (rc == -1)
        return -1;
    norm[0] = '*'; /* "x@dom" → "*@dom" */
    *out = norm;
    return 0;
}

static int
is_wallet(const char *s)
{
    if (strncmp(s, "0x", 2) != 0 && strncmp(s, "0X", 2) != 0)
        return 0;
    for (size_t i = 2; i < 42; i++) {
        char c = s[i];

        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return 0;
    }
    return s[42] == '\0';
}

int
gh_access_ident_norm(const char *in, char **out, char type[16], struct gh_err *err)
{
    *out = NULL;
    type[0] = '\0';
    if (in == NULL || *in == '\0')
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "identifier", NULL);
    while (*in == ' ' || *in == '\t')
        in++;
    gh_strlcpy(type, "email_address", 16);
    if (strncmp(in, "*@", 2) == 0)
        return norm_wildcard(in + 2, out, err);
    if (strchr(in, '@') != NULL)
        return gh_ident_norm_email(in, "identifier", out, err);
    if (is_wallet(in)) {
        gh_strlcpy(type, "web3_wallet", 16);
        if ((*out = strdup(in)) == NULL)
            return GH_FAIL(err, GH_E_NOMEM, NULL);
        gh_str_lower(*out);
        return 0;
    }
    if (*in == '+') {
        gh_strlcpy(type, "phone_number", 16);
        return gh_ident_norm_phone(in, "identifier", out, err);
    }
    type[0] = '\0';
    return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "identifier",
        "must be an email address, a *@domain wildcard, an E.164 phone number or a web3 wallet");
}

int
gh_access_ident_add(struct gh_app *app, const char *instance_id, enum gh_access_list list,
    const char *identifier, struct gh_access_ident **out, struct gh_err *err)
{
    struct gh_access_ident *a = gh_access_ident_new();
    int64_t                 now = gh_now_ms();
    int                     rc = -1;

    *out = NULL;
    if (a == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    if (gh_access_ident_norm(identifier, &a->identifier, a->type, err) == -1)
        goto done;
    gh_id_new(list == GH_BLOCKLIST ? "blid" : "alid", a->id);
    gh_strlcpy(a->list, list_name(list), sizeof(a->list));
    a->created_at = a->updated_at = now;
    if (gh_store_access_ident_insert(app->store, instance_id, a, err) == -1) {
        if (err->code == GH_E_DUPLICATE_RECORD) {
            gh_strlcpy(err->desc, "duplicate identifier", sizeof(err->desc));
            gh_strlcpy(err->long_msg, "That identifier is already on the list.",
                sizeof(err->long_msg));
        }
        goto done;
    }
    *out = a;
    a = NULL;
    rc = 0;
done:
    gh_access_ident_free(a);
    return rc;
}

int
gh_access_ident_remove(struct gh_app *app, const char *instance_id,
    enum gh_access_list list, const char *id, struct gh_access_ident **out, struct gh_err *err)
{
    *out = NULL;
    if (!gh_id_valid(list == GH_BLOCKLIST ? "blid" : "alid", id))
        return GH_FAIL(err, GH_E_NOT_FOUND, "Identifier not found");
    return gh_store_access_ident_delete(app->store, instance_id, list_name(list), id, out, err);
}

int
gh_access_ident_list(struct gh_app *app, const char *instance_id, enum gh_access_list list,
    int64_t limit, int64_t offset, struct gh_access_ident ***out, size_t *n, int64_t *total,
    struct gh_err *err)
{
    return gh_store_access_ident_list(app->store, instance_id, list_name(list), limit, offset,
        out, n, total, err);
}

/* The identifier and, for an email address, its "*@domain" wildcard. */
static int
match_values(const char *identifier, char **norm, char **wild, const char *vals[2],
    struct gh_err *err)
{
    char        type[16];
    const char *at;

    *wild = NULL;
    if (gh_access_ident_norm(identifier, norm, type, err) == -1)
        return -1;
    vals[0] = vals[1] = *norm;
    if (strcmp(type, "email_address") == 0 && (*norm)[0] != '*' &&
        (at = strchr(*norm, '@')) != NULL) {
        if ((*wild = malloc(strlen(at) + 2)) == NULL) {
            free(*norm);
            *norm = NULL;
            return GH_FAIL(err, GH_E_NOMEM, NULL);
        }
        (*wild)[0] = '*';
        memcpy(*wild + 1, at, strlen(at) + 1);
        vals[1] = *wild;
    }
    return 0;
}

int
gh_identifier_check(struct gh_app *app, const char *instance_id, const char *identifier,
    int use_allow, int use_block, enum gh_access_verdict *verdict, struct gh_err *err)
{
    const char *vals[2];
    char       *norm = NULL, *wild = NULL;
    int         found = 0, rc = -1;
    int64_t     count = 0;

    *verdict = GH_ACCESS_NOT_ALLOWED;
    if (match_values(identifier, &norm, &wild, vals, err) == -1)
        return -1;
    if (use_block && gh_store_access_ident_match(app->store, instance_id, "block", vals, 2,
                         &found, &count, err) == -1)
        goto done;
    if (found) {
        *verdict = GH_ACCESS_BLOCKED;
    } else if (use_allow) {
        if (gh_store_access_ident_match(app->store, instance_id, "allow", vals, 2, &found,
                &count, err) == -1)
            goto done;
        *verdict = found ? GH_ACCESS_OK : GH_ACCESS_NOT_ALLOWED;
    } else {
        *verdict = GH_ACCESS_OK;
    }
    rc = 0;
done:
    free(norm);
    free(wild);
    return rc;
}

int
gh_identifier_allowed(struct gh_app *app, const char *instance_id, const char *identifier,
    int *allowed, struct gh_err *err)
{
    const char *vals[2];
    char       *norm = NULL, *wild = NULL;
    int         found = 0, rc = -1;
    int64_t     count = 0;

    *allowed = 0;
    if (match_values(identifier, &norm, &wild, vals, err) == -1)
        return -1;
    if (gh_store_access_ident_match(app->store, instance_id, "block", vals, 2, &found, &count,
            err) == -1)
        goto done;
    if (!found) {
        if (gh_store_access_ident_match(app->store, instance_id, "allow", vals, 2, &found, &count,
                err) == -1)
            goto done;
        *allowed = count == 0 || found;
    }
    rc = 0;
done:
    free(norm);
    free(wild);
    return rc;
}
