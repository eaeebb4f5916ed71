/* user.c: see user.h. Every change is load → validate → write → reload, so
 * callers always render what the store holds. Identifier syntax lives in
 * ident.c, hashing and its concurrency bound in password.c, metadata merging
 * in util/json.c. Uniqueness is checked up front for a clear 422, and the
 * store's unique constraints still catch races (mapped to the same error).
 * XXX: updates are last-writer-wins on the whole row (no row lock), so two
 * concurrent metadata merges on one user can lose a key. */
#include "core/user.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/event.h"
#include "core/id.h"
#include "core/ident.h"
#include "core/lockout.h"
#include "core/password_policy.h"
#include "core/mfa.h"
#include "core/password.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

/* ---- small helpers ---- */

static int
set_str(char **dst, const char *src, struct gh_err *err)
{
    char *v = NULL;

    if (src != NULL && (v = strdup(src)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    free(*dst);
    *dst = v;
    return 0;
}

/* Optional free-text fields: bounded and free of invalid UTF-8. */
static int
check_text(const char *s, const char *param, struct gh_err *err)
{
    size_t n;

    if (s == NULL)
        return 0;
    n = strlen(s);
    if (n > GH_USER_NAME_MAX)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, param, "is too long");
    if (!gh_utf8_valid(s, n))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, param, "must be valid UTF-8");
    return 0;
}

static int
store_fail(const struct gh_err *se, struct gh_err *err)
{
    return gh_ident_store_fail(se, err);
}

/* *taken = 1 when a user other than `self` (NULL = none) has that username
 * (field 'u') or external id (field 'x'). */
static int
field_taken(struct gh_app *app, const char *instance_id, char field, const char *value,
    const char *self, int *taken, struct gh_err *err)
{
    struct gh_user_filter f;
    struct gh_user      **v = NULL;
    size_t                n = 0;
    struct gh_err         se = { 0 };
    const char           *vals[1] = { value };

    *taken = 0;
    gh_user_filter_init(&f);
    if (field == 'u') {
        f.usernames = vals;
        f.n_usernames = 1;
    } else {
        f.external_ids = vals;
        f.n_external_ids = 1;
    }
    f.limit = 2;
    if (gh_store_user_list(app->store, instance_id, &f, &v, &n, &se) == -1)
        return store_fail(&se, err);
    for (size_t i = 0; i < n; i++) {
        if (self == NULL || strcmp(v[i]->id, self) != 0)
            *taken = 1;
    }
    gh_users_free(v, n);
    return 0;
}

static int
check_unique(struct gh_app *app, const char *instance_id, char field, const char *value,
    const char *self, struct gh_err *err)
{
    int taken;

    if (value == NULL)
        return 0;
    if (field_taken(app, instance_id, field, value, self, &taken, err) == -1)
        return -1;
    if (taken)
        return gh_ident_taken(err, field == 'u' ? "username" : "external_id");
    return 0;
}

int
gh_user_check_password(const char *pw, size_t len, int skip_checks, struct gh_err *err)
{
    if (pw == NULL || len == 0)
        return GH_FAIL_PARAM(err, GH_E_PASSWORD_TOO_SHORT, "password",
            "Passwords must be 8 characters or more.");
    if (len > GH_PASSWORD_MAX)
        return GH_FAIL_PARAM(err, GH_E_PASSWORD_TOO_LONG, "password",
            "Passwords must be 1024 characters or less.");
    if (!skip_checks && len < GH_PASSWORD_MIN)
        return GH_FAIL_PARAM(err, GH_E_PASSWORD_TOO_SHORT, "password",
            "Passwords must be 8 characters or more.");
    return 0;
}

/* Checks, hashes and stores a new password on u (password_updated_at = now). */
static int
set_password(struct gh_app *app, struct gh_user *u, const char *pw, size_t len, int skip,
    int64_t now, struct gh_err *err)
{
    char *phc = NULL;

    if (gh_user_check_password(pw, len, skip, err) == -1)
        return -1;
    /* issue 6: common and (when configured) breached passwords refused;
     * skip_password_checks skips these too, as Clerk's does */
    if (!skip && gh_password_policy_check(app, pw, len, err) == -1)
        return -1;
    if (gh_password_hash_bounded(app, pw, len, &phc, err) == -1)
        return -1;
    free(u->password_hash);
    u->password_hash = phc;
    u->password_updated_at = now;
    return 0;
}

/* ---- issue 3: imported password digests and MFA material ---- */

/* Stores an imported digest on u (checked for its hasher's format; no
 * hashing happens here: the first sign-in rehashes to argon2id). */
static int
set_digest(struct gh_user *u, const char *hasher, const char *digest, int password_given,
    int64_t now, struct gh_err *err)
{
    char *phc = NULL;

    if (password_given)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "password_digest",
            "cannot be combined with password");
    if (gh_password_import(hasher, digest, &phc, err) == -1)
        return -1;
    free(u->password_hash);
    u->password_hash = phc;
    u->password_updated_at = now;
    return 0;
}

static int
create_secrets(struct gh_app *app, struct gh_user *u, const struct gh_user_params *p,
    int64_t now, struct gh_err *err)
{
    if ((p->password_digest != NULL || p->password_hasher != NULL) &&
        set_digest(u, p->password_hasher, p->password_digest, p->password_given, now, err) == -1)
        return -1;
    if (gh_mfa_set_totp(app, u, p->totp_secret, err) == -1 ||
        gh_mfa_set_backup_codes(u, p->backup_codes, p->n_backup_codes, err) == -1)
        return -1;
    return 0;
}

static int
patch_secrets(struct gh_app *app, struct gh_user *u, const struct gh_user_patch *p,
    int64_t now, struct gh_err *err)
{
    if ((p->fields & GH_USER_F_PASSWORD_DIGEST) &&
        set_digest(u, p->password_hasher, p->password_digest,
            (p->fields & GH_USER_F_PASSWORD) != 0, now, err) == -1)
        return -1;
    if ((p->fields & GH_USER_F_TOTP) && gh_mfa_set_totp(app, u, p->totp_secret, err) == -1)
        return -1;
    if ((p->fields & GH_USER_F_BACKUP_CODES) &&
        gh_mfa_set_backup_codes(u, p->backup_codes, p->n_backup_codes, err) == -1)
        return -1;
    if (p->fields & GH_USER_F_PASSWORD_CLEAR) { /* issue 4: /v1/me/remove_password */
        free(u->password_hash);
        u->password_hash = NULL;
        u->password_updated_at = GH_TIME_NULL;
    }
    return 0;
}

/* Replaces *slot with the canonical form of text (≤ 8 KiB). */
static int
set_metadata(char **slot, const char *text, const char *param, struct gh_err *err)
{
    char *canon = NULL;

    if (gh_json_object_canon(text, GH_JSON_METADATA_MAX, param, &canon, err) == -1)
        return -1;
    free(*slot);
    *slot = canon;
    return 0;
}

int
gh_user_get(struct gh_app *app, const char *instance_id, const char *user_id,
    struct gh_user **out, struct gh_err *err)
{
    struct gh_err se = { 0 };

    *out = NULL;
    if (!gh_id_valid("user", user_id))
        return GH_FAIL(err, GH_E_NOT_FOUND, "User not found");
    if (gh_store_user_get(app->store, instance_id, user_id, out, &se) == -1) {
        *out = NULL;
        if (se.code == GH_E_NOT_FOUND)
            return GH_FAIL(err, GH_E_NOT_FOUND, "User not found");
        return store_fail(&se, err);
    }
    return 0;
}

/* webhooks (issue 5): ends the transaction a write opened, emitting the
 * user's event in it first (ok = 0: the write failed, roll back). */
static int
event_commit(struct gh_app *app, const char *instance_id, const char *type, const char *user_id,
    int ok, struct gh_err *err)
{
    if (ok && gh_event_emit_user(app, instance_id, type, user_id, err) == 0 &&
        gh_store_commit(app->store, err) == 0) {
        gh_event_wake(app);
        return 0;
    }
    gh_store_rollback(app->store);
    return -1;
}

/* Writes u's scalar columns (with a user.updated event) and hands back the
 * stored user. */
static int
save_and_reload(struct gh_app *app, const char *instance_id, struct gh_user *u,
    struct gh_user **out, struct gh_err *err)
{
    struct gh_err se = { 0 };

    if (gh_store_begin(app->store, err) == -1) /* webhooks (issue 5) */
        return -1;
    if (gh_store_user_update(app->store, instance_id, u, &se) == -1) {
        gh_store_rollback(app->store);
        if (se.code == GH_E_NOT_FOUND)
            return GH_FAIL(err, GH_E_NOT_FOUND, "User not found");
        return store_fail(&se, err);
    }
    if (event_commit(app, instance_id, "user.updated", u->id, 1, err) == -1)
        return -1;
    return gh_user_get(app, instance_id, u->id, out, err);
}

/* ---- create ---- */

void
gh_user_params_init(struct gh_user_params *p)
{
    memset(p, 0, sizeof(*p));
    p->created_at = GH_TIME_NULL;
    p->legal_accepted_at = GH_TIME_NULL;
    p->delete_self_enabled = -1;
    p->create_organization_enabled = -1;
}

/* Normalises one identifier, refuses repeats within the request and values
 * someone already has, and appends it to u verified by "admin". */
static int
add_ident(struct gh_app *app, const char *instance_id, struct gh_user *u,
    enum gh_ident_type type, const char *raw, int64_t now, int check_store, struct gh_err *err)
{
    const char      *param = gh_ident_param(type);
    struct gh_user  *owner = NULL;
    struct gh_ident *i;
    struct gh_err    se = { 0 };
    char            *v = NULL;

    if ((type == GH_IDENT_PHONE ? gh_ident_norm_phone(raw, param, &v, err)
                                : gh_ident_norm_email(raw, param, &v, err)) == -1)
        return -1;
    for (size_t k = 0; k < u->nidents; k++) {
        if (u->idents[k].type == type && strcmp(u->idents[k].value, v) == 0) {
            free(v);
            return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, param,
                "must not list the same value twice");
        }
    }
    if (check_store &&
        gh_store_user_find_by_ident(app->store, instance_id, type, v, &owner, &se) == -1) {
        free(v);
        return store_fail(&se, err);
    }
    if (owner != NULL) {
        gh_user_free(owner);
        free(v);
        return gh_ident_taken(err, param);
    }
    if ((i = gh_user_ident_add(u)) == NULL || (i->strategy = strdup("admin")) == NULL) {
        free(v);
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    gh_id_new("idn", i->id);
    gh_strlcpy(i->user_id, u->id, sizeof(i->user_id));
    i->type = type;
    i->value = v;
    i->verified = 1; /* spec B1: Backend API identifiers are verified by default */
    i->created_at = i->updated_at = now;
    if (type == GH_IDENT_EMAIL && u->primary_email_id == NULL)
        return set_str(&u->primary_email_id, i->id, err);
    if (type == GH_IDENT_PHONE && u->primary_phone_id == NULL)
        return set_str(&u->primary_phone_id, i->id, err);
    return 0;
}

static int
fill_scalars(struct gh_app *app, const char *instance_id, struct gh_user *u,
    const struct gh_user_params *p, int check_store, struct gh_err *err)
{
    char *uname = NULL;

    if (check_text(p->first_name, "first_name", err) == -1 ||
        check_text(p->last_name, "last_name", err) == -1 ||
        check_text(p->external_id, "external_id", err) == -1)
        return -1;
    if (p->username != NULL) {
        if (gh_ident_norm_username(p->username, &uname, err) == -1)
            return -1;
        u->username = uname;
    }
    if (set_str(&u->first_name, p->first_name, err) == -1 ||
        set_str(&u->last_name, p->last_name, err) == -1 ||
        set_str(&u->external_id, p->external_id, err) == -1)
        return -1;
    if ((p->public_metadata != NULL &&
            set_metadata(&u->public_metadata, p->public_metadata, "public_metadata", err) == -1) ||
        (p->private_metadata != NULL &&
            set_metadata(&u->private_metadata, p->private_metadata, "private_metadata", err) == -1) ||
        (p->unsafe_metadata != NULL &&
            set_metadata(&u->unsafe_metadata, p->unsafe_metadata, "unsafe_metadata", err) == -1))
        return -1;
    u->banned = p->banned != 0;
    u->locked = p->locked != 0;
    if (p->delete_self_enabled >= 0)
        u->delete_self_enabled = p->delete_self_enabled != 0;
    if (p->create_organization_enabled >= 0)
        u->create_organization_enabled = p->create_organization_enabled != 0;
    u->legal_accepted_at = p->legal_accepted_at;
    if (check_store && (check_unique(app, instance_id, 'u', u->username, NULL, err) == -1 ||
        check_unique(app, instance_id, 'x', u->external_id, NULL, err) == -1))
        return -1;
    return 0;
}

/* The user p describes, validated and normalised, password hashed;
 * check_store: also refuse identifiers, usernames and external ids that
 * stored users have (the bulk import leaves that to the store). */
static int
build_user(struct gh_app *app, const char *instance_id, const struct gh_user_params *p,
    int check_store, struct gh_user **out, struct gh_err *err)
{
    struct gh_user *u = NULL;
    int64_t         now = gh_now_ms();
    int             rc = -1;

    *out = NULL;
    if (p->n_email_addresses > GH_USER_MAX_IDENTS || p->n_phone_numbers > GH_USER_MAX_IDENTS) {
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID,
            p->n_email_addresses > GH_USER_MAX_IDENTS ? "email_address" : "phone_number",
            "lists too many values");
    }
    /* Cheap checks first, so a bad request never costs an argon2id hash. */
    if (p->password_given &&
        gh_user_check_password(p->password, p->password_len, p->skip_password_checks, err) == -1)
        return -1;
    if ((u = gh_user_new()) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_id_new("user", u->id);
    u->created_at = p->created_at != GH_TIME_NULL ? p->created_at : now;
    u->updated_at = now;
    if (fill_scalars(app, instance_id, u, p, check_store, err) == -1 ||
        create_secrets(app, u, p, now, err) == -1)
        goto done;
    for (size_t i = 0; i < p->n_email_addresses; i++)
        if (add_ident(app, instance_id, u, GH_IDENT_EMAIL, p->email_addresses[i], now,
                check_store, err) == -1)
            goto done;
    for (size_t i = 0; i < p->n_phone_numbers; i++)
        if (add_ident(app, instance_id, u, GH_IDENT_PHONE, p->phone_numbers[i], now,
                check_store, err) == -1)
            goto done;
    if (p->password_given && set_password(app, u, p->password, p->password_len,
                                 p->skip_password_checks, now, err) == -1)
        goto done;
    *out = u;
    u = NULL;
    rc = 0;
done:
    gh_user_free(u);
    return rc;
}

int
gh_user_build(struct gh_app *app, const struct gh_user_params *p, struct gh_user **out,
    struct gh_err *err)
{
    return build_user(app, NULL, p, 0, out, err);
}

int
gh_user_create(struct gh_app *app, const char *instance_id, const struct gh_user_params *p,
    struct gh_user **out, struct gh_err *err)
{
    struct gh_user *u = NULL;
    struct gh_err   se = { 0 };
    int             rc = -1;

    *out = NULL;
    if (build_user(app, instance_id, p, 1, &u, err) == -1)
        goto done;
    if (gh_store_begin(app->store, err) == -1) /* webhooks (issue 5): insert + user.created */
        goto done;
    if (gh_store_user_insert(app->store, instance_id, u, &se) == -1) {
        gh_store_rollback(app->store);
        store_fail(&se, err);
        goto done;
    }
    if (event_commit(app, instance_id, "user.created", u->id, 1, err) == -1)
        goto done;
    rc = gh_user_get(app, instance_id, u->id, out, err);
done:
    gh_user_free(u);
    return rc;
}

/* ---- update ---- */

/* primary_*_id must name one of the user's identifiers of that type. */
static int
set_primary(struct gh_user *u, enum gh_ident_type type, const char *id, const char *param,
    struct gh_err *err)
{
    const struct gh_ident *i = id != NULL ? gh_user_ident_find(u, id) : NULL;

    if (i == NULL || i->type != type)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, param,
            "must be the id of one of the user's identifiers");
    return set_str(type == GH_IDENT_EMAIL ? &u->primary_email_id : &u->primary_phone_id, id,
        err);
}

static int
patch_names(struct gh_app *app, const char *instance_id, struct gh_user *u,
    const struct gh_user_patch *p, struct gh_err *err)
{
    char *uname = NULL;

    if ((p->fields & GH_USER_F_FIRST_NAME) && (check_text(p->first_name, "first_name", err) == -1 ||
                                                  set_str(&u->first_name, p->first_name, err) == -1))
        return -1;
    if ((p->fields & GH_USER_F_LAST_NAME) && (check_text(p->last_name, "last_name", err) == -1 ||
                                                 set_str(&u->last_name, p->last_name, err) == -1))
        return -1;
    if (p->fields & GH_USER_F_EXTERNAL_ID) {
        if (check_text(p->external_id, "external_id", err) == -1 ||
            check_unique(app, instance_id, 'x', p->external_id, u->id, err) == -1 ||
            set_str(&u->external_id, p->external_id, err) == -1)
            return -1;
    }
    if (p->fields & GH_USER_F_USERNAME) {
        if (p->username != NULL && gh_ident_norm_username(p->username, &uname, err) == -1)
            return -1;
        if (check_unique(app, instance_id, 'u', uname, u->id, err) == -1) {
            free(uname);
            return -1;
        }
        free(u->username);
        u->username = uname;
    }
    return 0;
}

static int
patch_rest(struct gh_user *u, const struct gh_user_patch *p, struct gh_err *err)
{
    if ((p->fields & GH_USER_F_PRIMARY_EMAIL) &&
        set_primary(u, GH_IDENT_EMAIL, p->primary_email_address_id, "primary_email_address_id",
            err) == -1)
        return -1;
    if ((p->fields & GH_USER_F_PRIMARY_PHONE) &&
        set_primary(u, GH_IDENT_PHONE, p->primary_phone_number_id, "primary_phone_number_id",
            err) == -1)
        return -1;
    if (((p->fields & GH_USER_F_PUBLIC_MD) &&
            set_metadata(&u->public_metadata, p->public_metadata, "public_metadata", err) == -1) ||
        ((p->fields & GH_USER_F_PRIVATE_MD) &&
            set_metadata(&u->private_metadata, p->private_metadata, "private_metadata", err) == -1) ||
        ((p->fields & GH_USER_F_UNSAFE_MD) &&
            set_metadata(&u->unsafe_metadata, p->unsafe_metadata, "unsafe_metadata", err) == -1))
        return -1;
    if ((p->fields & GH_USER_F_CREATED_AT) && p->created_at != GH_TIME_NULL)
        u->created_at = p->created_at;
    if (p->fields & GH_USER_F_LEGAL_AT)
        u->legal_accepted_at = p->legal_accepted_at;
    if (p->fields & GH_USER_F_DELETE_SELF)
        u->delete_self_enabled = p->delete_self_enabled != 0;
    if (p->fields & GH_USER_F_CREATE_ORG)
        u->create_organization_enabled = p->create_organization_enabled != 0;
    return 0;
}

int
gh_user_update(struct gh_app *app, const char *instance_id, const char *user_id,
    const struct gh_user_patch *p, struct gh_user **out, struct gh_err *err)
{
    struct gh_user *u = NULL;
    int64_t         now = gh_now_ms();
    int             rc = -1;

    *out = NULL;
    if ((p->fields & GH_USER_F_PASSWORD) &&
        gh_user_check_password(p->password, p->password_len, p->skip_password_checks, err) == -1)
        goto done;
    if (gh_user_get(app, instance_id, user_id, &u, err) == -1 ||
        patch_names(app, instance_id, u, p, err) == -1 || patch_rest(u, p, err) == -1 ||
        patch_secrets(app, u, p, now, err) == -1)
        goto done;
    if ((p->fields & GH_USER_F_PASSWORD) &&
        set_password(app, u, p->password, p->password_len, p->skip_password_checks, now,
            err) == -1)
        goto done;
    u->updated_at = now;
    rc = save_and_reload(app, instance_id, u, out, err);
done:
    gh_user_free(u);
    return rc;
}

/* ---- metadata ---- */

static int
apply_metadata(char **slot, const char *given, int merge, const char *param,
    struct gh_err *err)
{
    char *v = NULL;

    if (given == NULL)
        return 0;
    if (!merge)
        return set_metadata(slot, given, param, err);
    if (gh_json_merge(*slot, given, GH_JSON_METADATA_MAX, param, &v, err) == -1)
        return -1;
    free(*slot);
    *slot = v;
    return 0;
}

int
gh_user_metadata(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *public_md, const char *private_md, const char *unsafe_md, int merge,
    struct gh_user **out, struct gh_err *err)
{
    struct gh_user *u = NULL;
    int             rc = -1;

    *out = NULL;
    if (gh_user_get(app, instance_id, user_id, &u, err) == -1)
        goto done;
    if (apply_metadata(&u->public_metadata, public_md, merge, "public_metadata", err) == -1 ||
        apply_metadata(&u->private_metadata, private_md, merge, "private_metadata", err) == -1 ||
        apply_metadata(&u->unsafe_metadata, unsafe_md, merge, "unsafe_metadata", err) == -1)
        goto done;
    u->updated_at = gh_now_ms();
    rc = save_and_reload(app, instance_id, u, out, err);
done:
    gh_user_free(u);
    return rc;
}

/* ---- delete, ban, lock ---- */

int
gh_user_delete(struct gh_app *app, const char *instance_id, const char *user_id,
    struct gh_err *err)
{
    struct gh_err   se = { 0 };
    struct gh_user *u = NULL;
    int             rc;

    if (!gh_id_valid("user", user_id))
        return GH_FAIL(err, GH_E_NOT_FOUND, "User not found");
    /* webhooks (issue 5): the user as it was feeds user.deleted, emitted in
     * the delete's transaction. */
    if (gh_store_begin(app->store, &se) == -1)
        return store_fail(&se, err);
    if (gh_store_user_get(app->store, instance_id, user_id, &u, &se) == -1 ||
        gh_store_user_delete(app->store, instance_id, user_id, &se) == -1) {
        gh_store_rollback(app->store);
        gh_user_free(u);
        if (se.code == GH_E_NOT_FOUND)
            return GH_FAIL(err, GH_E_NOT_FOUND, "User not found");
        return store_fail(&se, err);
    }
    rc = gh_event_emit(app, instance_id, "user.deleted", GH_EVENT_USER_DELETED, u, err);
    gh_user_free(u);
    if (rc == -1 || gh_store_commit(app->store, err) == -1) {
        gh_store_rollback(app->store);
        return -1;
    }
    gh_event_wake(app);
    return 0;
}

int
gh_user_set_state(struct gh_app *app, const char *instance_id, const char *user_id,
    enum gh_user_action action, struct gh_user **out, struct gh_err *err)
{
    struct gh_user *u = NULL;
    int             rc = -1;

    *out = NULL;
    if (gh_user_get(app, instance_id, user_id, &u, err) == -1)
        goto done;
    switch (action) {
    case GH_USER_BAN:   u->banned = 1; break;
    case GH_USER_UNBAN: u->banned = 0; break;
    case GH_USER_LOCK:  u->locked = 1; break;
    case GH_USER_UNLOCK: {
        struct gh_err se = { 0 };

        /* the lockout counters move only by their own statements (issue 6) */
        if (gh_store_user_attempt_reset(app->store, instance_id, user_id, &se) == -1) {
            rc = store_fail(&se, err);
            goto done;
        }
        u->locked = 0;
        u->failed_attempts = 0;
        u->lockout_until = GH_TIME_NULL;
        break;
    }
    }
    u->updated_at = gh_now_ms();
    rc = save_and_reload(app, instance_id, u, out, err);
done:
    gh_user_free(u);
    return rc;
}

/* ---- password verification ---- */

/* The password was right but its hash is old (another algorithm or weaker
 * parameters): store a fresh argon2id hash. Failure here is logged, not
 * returned; the verification itself succeeded. */
static void
rehash(struct gh_app *app, const char *instance_id, struct gh_user *u, const char *pw,
    size_t len)
{
    struct gh_err se = { 0 };
    char         *phc = NULL;

    if (gh_password_hash_bounded(app, pw, len, &phc, &se) == 0) {
        free(u->password_hash);
        u->password_hash = phc;
        if (gh_store_user_update(app->store, instance_id, u, &se) == 0)
            return;
    }
    gh_log_warn("password rehash failed user_id=%s code=%s", u->id, gh_err_name(se.code));
}

int
gh_user_verify_password(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *pw, size_t len, struct gh_err *err)
{
    struct gh_user        *u = NULL;
    struct gh_attempt      a = { 0 };
    enum gh_attempt_result result = GH_ATTEMPT_FAILED;
    int                    ok = 0, stale = 0, rc = -1;

    if (gh_user_get(app, instance_id, user_id, &u, err) == -1)
        goto done;
    if (u->password_hash == NULL) {
        GH_FAIL(err, GH_E_PASSWORD_NOT_SET, "This user has no password set.");
        goto done;
    }
    /* issue 6: the attempt is reserved (and a locked user refused) before
     * the hash runs, so parallel guesses cannot outrun the lockout. */
    if (gh_user_attempt_check(app, instance_id, user_id, &a, err) == -1)
        goto done;
    if (pw == NULL || len > GH_PASSWORD_MAX) { /* cannot match; spare the hash */
        GH_FAIL_PARAM(err, GH_E_PASSWORD_INCORRECT, "password", "Password is incorrect.");
        goto done;
    }
    if (gh_password_verify_bounded(app, u->password_hash, pw, len, &ok, &stale, err) == -1) {
        result = GH_ATTEMPT_NOT_RUN;
        goto done;
    }
    if (!ok) {
        GH_FAIL_PARAM(err, GH_E_PASSWORD_INCORRECT, "password", "Password is incorrect.");
        goto done;
    }
    result = GH_ATTEMPT_OK;
    if (stale)
        rehash(app, instance_id, u, pw, len);
    rc = 0;
done:
    gh_user_attempt_record(app, &a, result);
    gh_user_free(u);
    return rc;
}

/* ---- listing ---- */

int
gh_user_list(struct gh_app *app, const char *instance_id, const struct gh_user_filter *f,
    struct gh_user ***out, size_t *n, struct gh_err *err)
{
    struct gh_err se = { 0 };

    *out = NULL;
    *n = 0;
    if (gh_store_user_list(app->store, instance_id, f, out, n, &se) == -1)
        return store_fail(&se, err);
    return 0;
}

int
gh_user_count(struct gh_app *app, const char *instance_id, const struct gh_user_filter *f,
    int64_t *out, struct gh_err *err)
{
    struct gh_err se = { 0 };

    *out = 0;
    if (gh_store_user_count(app->store, instance_id, f, out, &se) == -1)
        return store_fail(&se, err);
    return 0;
}
