/* users.c: the Backend API's /v1/users handlers, as @clerk/backend 3.25.0
 * calls them (spec §B1): read the query or body, call core/user.c, render
 * with render.c. Validation of values (identifier syntax, password policy,
 * metadata size) is core's; this file only checks JSON types and shapes.
 * Unknown body and query keys are ignored, as Clerk does. */
#include "api/backend/backend.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/backend/render.h"
#include "api/backend/user_body.h"
#include "api/params.h"
#include "core/mfa.h"
#include "core/user.h"
#include "util/str.h"

#define FILTER_MAX 100 /* values per repeated list filter */

/* ---- shared ---- */

static int
reply_user(struct gh_req *req, struct gh_resp *resp, const struct gh_user *u,
    struct gh_err *err)
{
    json_t *o = gh_render_user(req->app, u);

    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

static const char *
path_id(const struct gh_req *req)
{
    return req->nparams > 0 ? req->params[0] : "";
}

/* A password keeps its exact bytes: JSON "\u0000" inside is data, and the
 * length (not strlen) is what gets hashed. Absent or null → *given 0. */
static int
read_password(json_t *body, const char **pw, size_t *len, int *given, struct gh_err *err)
{
    json_t *v = json_object_get(body, "password");

    *pw = NULL;
    *len = 0;
    *given = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "password", "must be a string");
    *pw = json_string_value(v);
    *len = json_string_length(v);
    *given = 1;
    return 0;
}

/* created_at / legal_accepted_at: an RFC 3339 string (what JSON.stringify
 * makes of a Date) or integer milliseconds. null → *present 1, GH_TIME_NULL. */
static int
read_time(json_t *body, const char *key, int *present, int64_t *out, struct gh_err *err)
{
    json_t *v = json_object_get(body, key);

    *present = v != NULL;
    *out = GH_TIME_NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = (int64_t)json_integer_value(v);
        return 0;
    }
    if (json_is_string(v) && gh_parse_iso8601_ms(json_string_value(v), out) == 0)
        return 0;
    *out = GH_TIME_NULL;
    return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, key, "must be a valid RFC 3339 date-time");
}

/* A metadata object serialised for core (*text malloc'd); absent/null → NULL. */
static int
read_metadata(json_t *body, const char *key, char **text, struct gh_err *err)
{
    json_t *v;

    *text = NULL;
    if (gh_api_body_obj(body, key, &v, err) == -1)
        return -1;
    if (v != NULL && (*text = json_dumps(v, JSON_COMPACT)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    return 0;
}

static int
read_metadata3(json_t *body, char *md[3], struct gh_err *err)
{
    if (read_metadata(body, "public_metadata", &md[0], err) == -1 ||
        read_metadata(body, "private_metadata", &md[1], err) == -1 ||
        read_metadata(body, "unsafe_metadata", &md[2], err) == -1)
        return -1;
    return 0;
}

/* ---- issue 3: password digests and MFA material ---- */

static int
read_secrets(json_t *body, struct gh_api_user_secrets *s, struct gh_err *err)
{
    memset(s, 0, sizeof(*s));
    if (gh_api_body_str(body, "password_digest", &s->digest, err) == -1 ||
        gh_api_body_str(body, "password_hasher", &s->hasher, err) == -1 ||
        gh_api_body_str(body, "totp_secret", &s->totp, err) == -1)
        return -1;
    s->digest_given = s->digest != NULL || s->hasher != NULL;
    s->totp_given = json_object_get(body, "totp_secret") != NULL;
    s->codes_given = json_object_get(body, "backup_codes") != NULL;
    if (s->codes_given && !json_is_null(json_object_get(body, "backup_codes")) &&
        gh_api_body_strs(body, "backup_codes", s->codes, GH_API_BACKUP_CODES_MAX, &s->ncodes, err) == -1)
        return -1;
    return 0;
}

static void
secrets_to_params(const struct gh_api_user_secrets *s, struct gh_user_params *p)
{
    p->password_digest = s->digest;
    p->password_hasher = s->hasher;
    p->totp_secret = s->totp;
    p->backup_codes = s->codes;
    p->n_backup_codes = s->ncodes;
}

static void
secrets_to_patch(const struct gh_api_user_secrets *s, struct gh_user_patch *p)
{
    p->password_digest = s->digest;
    p->password_hasher = s->hasher;
    p->totp_secret = s->totp;
    p->backup_codes = s->codes;
    p->n_backup_codes = s->ncodes;
    p->fields |= (s->digest_given ? GH_USER_F_PASSWORD_DIGEST : 0) |
        (s->totp_given ? GH_USER_F_TOTP : 0) | (s->codes_given ? GH_USER_F_BACKUP_CODES : 0);
}

static int
read_bool(json_t *body, const char *key, int dflt, int *out, struct gh_err *err)
{
    int present, v;

    *out = dflt;
    if (gh_api_body_bool(body, key, &present, &v, err) == -1)
        return -1;
    if (present)
        *out = v;
    return 0;
}

/* ---- POST /v1/users ---- */

static int
create_strings(json_t *body, struct gh_user_params *p, struct gh_err *err)
{
    if (gh_api_body_str(body, "username", &p->username, err) == -1 ||
        gh_api_body_str(body, "first_name", &p->first_name, err) == -1 ||
        gh_api_body_str(body, "last_name", &p->last_name, err) == -1 ||
        gh_api_body_str(body, "external_id", &p->external_id, err) == -1 ||
        read_password(body, &p->password, &p->password_len, &p->password_given, err) == -1)
        return -1;
    return 0;
}

static int
create_flags(json_t *body, struct gh_user_params *p, struct gh_err *err)
{
    int present;

    if (read_bool(body, "skip_password_checks", 0, &p->skip_password_checks, err) == -1 ||
        read_bool(body, "skip_password_requirement", 0, &p->skip_password_requirement, err) == -1 ||
        read_bool(body, "banned", 0, &p->banned, err) == -1 ||
        read_bool(body, "locked", 0, &p->locked, err) == -1 ||
        read_bool(body, "delete_self_enabled", -1, &p->delete_self_enabled, err) == -1 ||
        read_bool(body, "create_organization_enabled", -1, &p->create_organization_enabled,
            err) == -1)
        return -1;
    if (read_time(body, "created_at", &present, &p->created_at, err) == -1 ||
        read_time(body, "legal_accepted_at", &present, &p->legal_accepted_at, err) == -1)
        return -1;
    /* Accepted and ignored for now: web3_wallet, locale, timezone,
     * skip_legal_checks, *_identification_status. */
    return 0;
}

int
gh_api_user_body_read(json_t *body, struct gh_api_user_body *b, struct gh_err *err)
{
    struct gh_user_params *p = &b->p;

    memset(b, 0, sizeof(*b));
    gh_user_params_init(p);
    if (!json_is_object(body))
        return GH_FAIL(err, GH_E_BODY_INVALID, "Request body must be a JSON object");
    if (read_secrets(body, &b->sec, err) == -1)
        return -1;
    secrets_to_params(&b->sec, p);
    if (gh_api_body_strs(body, "email_address", b->emails, GH_USER_MAX_IDENTS,
            &p->n_email_addresses, err) == -1 ||
        gh_api_body_strs(body, "phone_number", b->phones, GH_USER_MAX_IDENTS,
            &p->n_phone_numbers, err) == -1)
        return -1;
    p->email_addresses = b->emails;
    p->phone_numbers = b->phones;
    if (create_strings(body, p, err) == -1 || create_flags(body, p, err) == -1 ||
        read_metadata3(body, b->md, err) == -1)
        return -1;
    p->public_metadata = b->md[0];
    p->private_metadata = b->md[1];
    p->unsafe_metadata = b->md[2];
    return 0;
}

void
gh_api_user_body_clear(struct gh_api_user_body *b)
{
    for (size_t i = 0; i < 3; i++) {
        free(b->md[i]);
        b->md[i] = NULL;
    }
}

int
gh_api_users_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_api_user_body b;
    struct gh_user         *u = NULL;
    json_t                 *body;
    int                     rc = -1;

    memset(&b, 0, sizeof(b));
    if (gh_req_json(req, &body, err) == -1 || gh_api_user_body_read(body, &b, err) == -1)
        goto done;
    if (gh_user_create(req->app, req->instance_id, &b.p, &u, err) == -1)
        goto done;
    rc = reply_user(req, resp, u, err);
done:
    gh_user_free(u);
    gh_api_user_body_clear(&b);
    return rc;
}

/* ---- PATCH /v1/users/:id ---- */

/* A string field that null clears: absent → untouched; null → bit set, NULL. */
static int
patch_str(json_t *body, const char *key, unsigned bit, unsigned *fields, const char **out,
    struct gh_err *err)
{
    json_t *v = json_object_get(body, key);

    *out = NULL;
    if (v == NULL)
        return 0;
    if (gh_api_body_str(body, key, out, err) == -1)
        return -1;
    *fields |= bit;
    return 0;
}

static int
patch_bool(json_t *body, const char *key, unsigned bit, unsigned *fields, int *out,
    struct gh_err *err)
{
    int present;

    if (gh_api_body_bool(body, key, &present, out, err) == -1)
        return -1;
    if (present)
        *fields |= bit;
    return 0;
}

static int
patch_read(json_t *body, struct gh_user_patch *p, char *md[3], struct gh_err *err)
{
    int given, present;

    if (patch_str(body, "first_name", GH_USER_F_FIRST_NAME, &p->fields, &p->first_name, err) ||
        patch_str(body, "last_name", GH_USER_F_LAST_NAME, &p->fields, &p->last_name, err) ||
        patch_str(body, "username", GH_USER_F_USERNAME, &p->fields, &p->username, err) ||
        patch_str(body, "external_id", GH_USER_F_EXTERNAL_ID, &p->fields, &p->external_id, err))
        return -1;
    /* null primary ids and passwords mean "no change": a user keeps a primary. */
    if (gh_api_body_str(body, "primary_email_address_id", &p->primary_email_address_id, err) ||
        gh_api_body_str(body, "primary_phone_number_id", &p->primary_phone_number_id, err) ||
        read_password(body, &p->password, &p->password_len, &given, err) ||
        read_bool(body, "skip_password_checks", 0, &p->skip_password_checks, err))
        return -1;
    p->fields |= (p->primary_email_address_id ? GH_USER_F_PRIMARY_EMAIL : 0) |
        (p->primary_phone_number_id ? GH_USER_F_PRIMARY_PHONE : 0) |
        (given ? GH_USER_F_PASSWORD : 0);
    if (patch_bool(body, "delete_self_enabled", GH_USER_F_DELETE_SELF, &p->fields,
            &p->delete_self_enabled, err) ||
        patch_bool(body, "create_organization_enabled", GH_USER_F_CREATE_ORG, &p->fields,
            &p->create_organization_enabled, err))
        return -1;
    if (read_time(body, "created_at", &present, &p->created_at, err))
        return -1;
    p->fields |= p->created_at != GH_TIME_NULL ? GH_USER_F_CREATED_AT : 0;
    if (read_time(body, "legal_accepted_at", &present, &p->legal_accepted_at, err))
        return -1;
    p->fields |= present ? GH_USER_F_LEGAL_AT : 0;
    if (read_metadata3(body, md, err) == -1)
        return -1;
    p->public_metadata = md[0];
    p->private_metadata = md[1];
    p->unsafe_metadata = md[2];
    p->fields |= (md[0] ? GH_USER_F_PUBLIC_MD : 0) | (md[1] ? GH_USER_F_PRIVATE_MD : 0) |
        (md[2] ? GH_USER_F_UNSAFE_MD : 0);
    return 0;
}

int
gh_api_users_update(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_user_patch p;
    struct gh_user      *u = NULL;
    char                *md[3] = { NULL, NULL, NULL };
    struct gh_api_user_secrets    sec;
    json_t              *body;
    int                  rc = -1;

    memset(&p, 0, sizeof(p));
    p.created_at = p.legal_accepted_at = GH_TIME_NULL;
    if (gh_req_json(req, &body, err) == -1 || read_secrets(body, &sec, err) == -1 ||
        patch_read(body, &p, md, err) == -1)
        goto done;
    secrets_to_patch(&sec, &p);
    /* Ignored for now: sign_out_of_other_sessions, notify_primary_email_address_changed,
     * primary_web3_wallet_id, profile_image_id, locale, timezone,
     * create_organizations_limit, skip_legal_checks. */
    if (gh_user_update(req->app, req->instance_id, path_id(req), &p, &u, err) == -1)
        goto done;
    rc = reply_user(req, resp, u, err);
done:
    gh_user_free(u);
    for (size_t i = 0; i < 3; i++)
        free(md[i]);
    return rc;
}

/* ---- GET / DELETE /v1/users/:id, metadata, state ---- */

int
gh_api_users_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_user *u = NULL;
    int             rc = -1;

    if (gh_user_get(req->app, req->instance_id, path_id(req), &u, err) == 0)
        rc = reply_user(req, resp, u, err);
    gh_user_free(u);
    return rc;
}

int
gh_api_users_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    json_t *o;

    if (gh_user_delete(req->app, req->instance_id, path_id(req), err) == -1)
        return -1;
    if ((o = gh_api_deleted("user", path_id(req))) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

static int
metadata(struct gh_req *req, struct gh_resp *resp, int merge, struct gh_err *err)
{
    struct gh_user *u = NULL;
    char           *md[3] = { NULL, NULL, NULL };
    json_t         *body;
    int             rc = -1;

    if (gh_req_json(req, &body, err) == -1 || read_metadata3(body, md, err) == -1)
        goto done;
    if (gh_user_metadata(req->app, req->instance_id, path_id(req), md[0], md[1], md[2], merge,
            &u, err) == -1)
        goto done;
    rc = reply_user(req, resp, u, err);
done:
    gh_user_free(u);
    for (size_t i = 0; i < 3; i++)
        free(md[i]);
    return rc;
}

int
gh_api_users_metadata_merge(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return metadata(req, resp, 1, err);
}

int
gh_api_users_metadata_replace(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return metadata(req, resp, 0, err);
}

static int
set_state(struct gh_req *req, struct gh_resp *resp, enum gh_user_action a, struct gh_err *err)
{
    struct gh_user *u = NULL;
    int             rc = -1;

    if (gh_user_set_state(req->app, req->instance_id, path_id(req), a, &u, err) == 0)
        rc = reply_user(req, resp, u, err);
    gh_user_free(u);
    return rc;
}

int
gh_api_users_ban(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return set_state(req, resp, GH_USER_BAN, err);
}

int
gh_api_users_unban(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return set_state(req, resp, GH_USER_UNBAN, err);
}

int
gh_api_users_lock(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return set_state(req, resp, GH_USER_LOCK, err);
}

int
gh_api_users_unlock(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return set_state(req, resp, GH_USER_UNLOCK, err);
}

int
gh_api_users_verify_password(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    json_t     *body, *o;
    const char *pw;
    size_t      len;
    int         given;

    if (gh_req_json(req, &body, err) == -1 || read_password(body, &pw, &len, &given, err) == -1)
        return -1;
    if (!given)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "password", NULL);
    if (gh_user_verify_password(req->app, req->instance_id, path_id(req), pw, len, err) == -1)
        return -1;
    if ((o = json_pack("{s:b}", "verified", 1)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

/* ---- DELETE /v1/users/:id/mfa, POST /v1/users/:id/verify_totp (issue 3) ---- */

int
gh_api_users_mfa_disable(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    json_t *o;

    if (gh_user_mfa_disable(req->app, req->instance_id, path_id(req), err) == -1)
        return -1;
    /* spec §B1: a raw {"user_id"} object, not a user. */
    if ((o = json_pack("{s:s}", "user_id", path_id(req))) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

int
gh_api_users_verify_totp(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    const char *code, *type;
    json_t     *body, *o;

    if (gh_req_json(req, &body, err) == -1 || gh_api_body_str(body, "code", &code, err) == -1)
        return -1;
    if (code == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "code", NULL);
    if (gh_user_verify_totp(req->app, req->instance_id, path_id(req), code, &type, err) == -1)
        return -1;
    if ((o = json_pack("{s:b,s:s}", "verified", 1, "code_type", type)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

/* ---- GET /v1/users and /v1/users/count ---- */

struct list_query {
    struct gh_user_filter f;
    const char           *emails[FILTER_MAX], *phones[FILTER_MAX], *unames[FILTER_MAX];
    const char           *ids[FILTER_MAX], *xids[FILTER_MAX];
    const char           *orgs[FILTER_MAX]; /* organization_id (issue 3) */
    char                 *owned[2 * FILTER_MAX]; /* lower-cased copies */
    size_t                nowned;
    int                   matches_nothing;       /* e.g. a web3_wallet filter */
};

static void
list_query_clear(struct list_query *q)
{
    for (size_t i = 0; i < q->nowned; i++)
        free(q->owned[i]);
    q->nowned = 0;
}

/* Repeated key → vals; lower: replace each by a lower-cased copy. */
static int
query_values(struct gh_req *req, struct list_query *q, const char *name, int lower,
    const char **vals, size_t *n, struct gh_err *err)
{
    size_t got = gh_req_query_all(req, name, vals, FILTER_MAX);

    if (got > FILTER_MAX)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, name, "lists too many values");
    for (size_t i = 0; lower && i < got; i++) {
        char *c = strdup(vals[i]);
        if (c == NULL)
            return GH_FAIL(err, GH_E_NOMEM, NULL);
        q->owned[q->nowned++] = gh_str_lower(c);
        vals[i] = c;
    }
    *n = got;
    return 0;
}

static int
query_time(struct gh_req *req, const char *name, int64_t *out, struct gh_err *err)
{
    const char *v = gh_req_query(req, name);

    *out = GH_TIME_NULL;
    if (v == NULL)
        return 0;
    if (gh_parse_int(v, 0, INT64_MAX, out) == -1) {
        *out = GH_TIME_NULL;
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, name,
            "must be a time in milliseconds since the epoch");
    }
    return 0;
}

/* A substring filter; empty means none. */
static const char *
query_text(struct gh_req *req, const char *name)
{
    const char *v = gh_req_query(req, name);

    return v != NULL && *v != '\0' ? v : NULL;
}

/* issue 3: the remaining time ranges and substring searches. */
static int
read_more_filters(struct gh_req *req, struct gh_user_filter *f, struct gh_err *err)
{
    if (query_time(req, "last_active_at_before", &f->last_active_before, err) ||
        query_time(req, "last_active_at_after", &f->last_active_after, err) ||
        query_time(req, "last_sign_in_at_before", &f->last_sign_in_before, err) ||
        query_time(req, "last_sign_in_at_after", &f->last_sign_in_after, err))
        return -1;
    f->email_query = query_text(req, "email_address_query");
    f->phone_query = query_text(req, "phone_number_query");
    f->username_query = query_text(req, "username_query");
    f->name_query = query_text(req, "name_query");
    return 0;
}

/* The filters shared by list and count (spec §B1). Unknown keys are ignored.
 * Not yet supported and ignored: provider. */
static int
read_filters(struct gh_req *req, struct list_query *q, struct gh_err *err)
{
    struct gh_user_filter *f = &q->f;
    const char            *w3[1];

    gh_user_filter_init(f);
    if (query_values(req, q, "email_address", 1, q->emails, &f->n_email_addresses, err) ||
        query_values(req, q, "phone_number", 0, q->phones, &f->n_phone_numbers, err) ||
        query_values(req, q, "username", 1, q->unames, &f->n_usernames, err) ||
        query_values(req, q, "user_id", 0, q->ids, &f->n_user_ids, err) ||
        query_values(req, q, "external_id", 0, q->xids, &f->n_external_ids, err) ||
        query_values(req, q, "organization_id", 0, q->orgs, &f->n_org_ids, err))
        return -1;
    f->org_ids = q->orgs;
    f->email_addresses = q->emails;
    f->phone_numbers = q->phones;
    f->usernames = q->unames;
    f->user_ids = q->ids;
    f->external_ids = q->xids;
    f->query = gh_req_query(req, "query");
    if (f->query != NULL && *f->query == '\0')
        f->query = NULL;
    if (query_time(req, "created_at_before", &f->created_before, err) ||
        query_time(req, "created_at_after", &f->created_after, err) ||
        query_time(req, "last_active_at_since", &f->last_active_since, err) ||
        gh_api_query_bool(req, "banned", -1, &f->banned, err) ||
        read_more_filters(req, f, err))
        return -1;
    /* Users have no web3 wallets yet, so a wallet filter matches nobody. */
    q->matches_nothing = gh_req_query_all(req, "web3_wallet", w3, 1) > 0;
    return 0;
}

static const char *const user_orders[] = {
    "created_at", "updated_at", "email_address", "web3wallet", "first_name", "last_name",
    "phone_number", "username", "last_active_at", "last_sign_in_at", NULL,
};

int
gh_api_users_list(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct list_query q;
    struct gh_user  **v = NULL;
    size_t            n = 0;
    json_t           *arr = NULL;
    int               rc = -1;

    q.nowned = 0;
    if (read_filters(req, &q, err) == -1 ||
        gh_api_paging(req, &q.f.limit, &q.f.offset, err) == -1 ||
        gh_api_order_by(req, user_orders, "created_at", 1, &q.f.order_field, &q.f.order_desc,
            err) == -1)
        goto done;
    if (strcmp(q.f.order_field, "web3wallet") == 0) /* no wallets: order is creation */
        q.f.order_field = "created_at";
    if (!q.matches_nothing && gh_user_list(req->app, req->instance_id, &q.f, &v, &n, err) == -1)
        goto done;
    if ((arr = json_array()) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        if (json_array_append_new(arr, gh_render_user(req->app, v[i])) == -1) {
            GH_FAIL(err, GH_E_NOMEM, NULL);
            goto done;
        }
    }
    /* Spec A6: a bare array; the SDK pairs it with /users/count itself. */
    gh_resp_json(resp, 200, arr);
    arr = NULL;
    rc = 0;
done:
    json_decref(arr);
    gh_users_free(v, n);
    list_query_clear(&q);
    return rc;
}

int
gh_api_users_count(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct list_query q;
    int64_t           total = 0;
    json_t           *o;
    int               rc = -1;

    q.nowned = 0;
    if (read_filters(req, &q, err) == -1)
        goto done;
    if (!q.matches_nothing &&
        gh_user_count(req->app, req->instance_id, &q.f, &total, err) == -1)
        goto done;
    if ((o = json_pack("{s:s,s:I}", "object", "total_count", "total_count",
             (json_int_t)total)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    gh_resp_json(resp, 200, o);
    rc = 0;
done:
    list_query_clear(&q);
    return rc;
}
