/* ident.c: see ident.h. Normalisation is pure; the identifier operations
 * load the owning user, change the identifier and the user's primary pointer
 * in one transaction, and map unique clashes to Clerk's wording. Who may
 * verify an identifier (codes, links) is decided by the sign-up/sign-in code,
 * not here: everything here is an admin action. */
#include "core/ident.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/event.h"
#include "core/id.h"
#include "core/user.h"
#include "store/store.h"
#include "util/str.h"

/* ---- normalisation ---- */

static int
is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Copies `in` without leading/trailing ASCII whitespace, lower-cased (ASCII). */
static char *
trim_lower(const char *in)
{
    size_t n;
    char  *s;

    while (is_ws(*in))
        in++;
    n = strlen(in);
    while (n > 0 && is_ws(in[n - 1]))
        n--;
    s = malloc(n + 1);
    if (s == NULL)
        return NULL;
    memcpy(s, in, n);
    s[n] = '\0';
    return gh_str_lower(s);
}

static int
is_alnum_lc(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* RFC 5322 dot-atom: atext runs separated by single dots. UTF-8 (RFC 6531)
 * bytes are allowed; the caller checked the whole string is valid UTF-8. */
static int
local_ok(const char *s, size_t n)
{
    static const char atext_sym[] = "!#$%&'*+/=?^_`{|}~-";

    if (n == 0 || n > 64 || s[0] == '.' || s[n - 1] == '.')
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '.' && s[i + 1] == '.')
            return 0;
        if (!is_alnum_lc(c) && c != '.' && c < 0x80 && strchr(atext_sym, c) == NULL)
            return 0;
    }
    return 1;
}

/* Labels of [a-z0-9-] (or UTF-8), 1–63 long, no edge hyphen; ≥ 2 labels;
 * the last label is not all digits (that would be an IP address). */
static int
domain_ok(const char *s, size_t n)
{
    size_t start = 0, labels = 0, digits_only = 1;

    if (n == 0 || n > 255)
        return 0;
    for (size_t i = 0; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)s[i] : '.';
        if (c == '.') {
            size_t len = i - start;
            if (len == 0 || len > 63 || s[start] == '-' || s[i - 1] == '-')
                return 0;
            labels++;
            if (i < n)
                digits_only = 1;
            start = i + 1;
            continue;
        }
        if (!is_alnum_lc(c) && c != '-' && c < 0x80)
            return 0;
        if (c < '0' || c > '9')
            digits_only = 0;
    }
    return labels >= 2 && !digits_only;
}

int
gh_ident_norm_email(const char *in, const char *param, char **out, struct gh_err *err)
{
    char       *s = NULL, *at;
    size_t      n;
    const char *p = param != NULL ? param : "email_address";

    *out = NULL;
    if (in == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, p, NULL);
    if ((s = trim_lower(in)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    n = strlen(s);
    at = strchr(s, '@');
    if (n == 0 || n > GH_EMAIL_MAX || !gh_utf8_valid(s, n) || at == NULL ||
        strchr(at + 1, '@') != NULL || !local_ok(s, (size_t)(at - s)) ||
        !domain_ok(at + 1, strlen(at + 1))) {
        free(s);
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, p, "must be a valid email address.");
    }
    *out = s;
    return 0;
}

int
gh_ident_norm_phone(const char *in, const char *param, char **out, struct gh_err *err)
{
    const char *p = param != NULL ? param : "phone_number";
    char        digits[GH_PHONE_DIGITS_MAX + 2]; /* '+' + digits + NUL */
    size_t      nd = 0;
    int         plus = 0;

    *out = NULL;
    if (in == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, p, NULL);
    for (const char *c = in; *c != '\0'; c++) {
        if (is_ws(*c) || *c == '-' || *c == '.' || *c == '(' || *c == ')')
            continue;
        if (*c == '+' && !plus && nd == 0) {
            plus = 1;
            continue;
        }
        if (*c < '0' || *c > '9' || nd >= GH_PHONE_DIGITS_MAX)
            goto bad;
        digits[1 + nd++] = *c;
    }
    if (!plus || nd < GH_PHONE_DIGITS_MIN || digits[1] == '0')
        goto bad;
    digits[0] = '+';
    digits[1 + nd] = '\0';
    if ((*out = strdup(digits)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    return 0;
bad:
    return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, p,
        "must be a valid phone number in E.164 format, such as +15555550100.");
}

int
gh_ident_norm_username(const char *in, char **out, struct gh_err *err)
{
    char  *s;
    size_t n;

    *out = NULL;
    if (in == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "username", NULL);
    if ((s = trim_lower(in)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    n = strlen(s);
    if (n < GH_USERNAME_MIN || n > GH_USERNAME_MAX) {
        free(s);
        return GH_FAIL_PARAM(err, GH_E_USERNAME_INVALID_LENGTH, "username",
            "Usernames must be between 4 and 64 characters long.");
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!is_alnum_lc(c) && c != '_' && c != '-' && c != '.') {
            free(s);
            return GH_FAIL_PARAM(err, GH_E_USERNAME_INVALID_CHARACTER, "username",
                "Usernames may only contain letters, digits, '_', '-' and '.'.");
        }
    }
    *out = s;
    return 0;
}

/* ---- errors ---- */

const char *
gh_ident_param(enum gh_ident_type type)
{
    return type == GH_IDENT_PHONE ? "phone_number" : "email_address";
}

int
gh_ident_taken(struct gh_err *err, const char *param)
{
    const char *msg = "That email address is taken. Please try another.";

    if (param == NULL || *param == '\0')
        param = "email_address";
    if (strcmp(param, "phone_number") == 0)
        msg = "That phone number is taken. Please try another.";
    else if (strcmp(param, "username") == 0)
        msg = "That username is taken. Please try another.";
    else if (strcmp(param, "external_id") == 0)
        msg = "That external ID is taken. Please try another.";
    return GH_FAIL_PARAM(err, GH_E_IDENTIFIER_EXISTS, param, msg);
}

int
gh_ident_store_fail(const struct gh_err *store_err, struct gh_err *err)
{
    if (err == NULL || err->code != GH_E_OK)
        return -1;
    if (store_err->code == GH_E_IDENTIFIER_EXISTS) {
        gh_ident_taken(err, store_err->param);
        gh_err_note(err, "store: %s", store_err->note);
        return -1;
    }
    *err = *store_err;
    if (err->code == GH_E_OK) /* a store bug: failed without saying why */
        GH_FAIL(err, GH_E_STORE, NULL);
    return -1;
}

/* ---- identifier operations ---- */

static char **
primary_slot(struct gh_user *u, enum gh_ident_type type)
{
    return type == GH_IDENT_PHONE ? &u->primary_phone_id : &u->primary_email_id;
}

static int
set_primary(struct gh_user *u, enum gh_ident_type type, const char *id, struct gh_err *err)
{
    char **slot = primary_slot(u, type), *v = NULL;

    if (id != NULL && (v = strdup(id)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    free(*slot);
    *slot = v;
    return 0;
}

static int
not_found(enum gh_ident_type type, struct gh_err *err)
{
    return GH_FAIL(err, GH_E_NOT_FOUND,
        type == GH_IDENT_PHONE ? "Phone number not found" : "Email address not found");
}

/* Runs the identifier write and, when `u` is given, the user row update in
 * one transaction. `op` is 1 insert, 2 update, 3 delete. */
static int
write_both(struct gh_app *app, const char *instance_id, int op, const struct gh_ident *i,
    const struct gh_user *u, struct gh_err *err)
{
    struct gh_err se = { 0 };
    int           rc;

    if (gh_store_begin(app->store, &se) == -1)
        return gh_ident_store_fail(&se, err);
    if (op == 1)
        rc = gh_store_ident_insert(app->store, instance_id, i, &se);
    else if (op == 2)
        rc = gh_store_ident_update(app->store, instance_id, i, &se);
    else
        rc = gh_store_ident_delete(app->store, instance_id, i->id, &se);
    if (rc == 0 && u != NULL)
        rc = gh_store_user_update(app->store, instance_id, u, &se);
    if (rc == 0) /* webhooks (issue 5): an email or phone change is a user.updated */
        rc = gh_event_emit_user(app, instance_id, "user.updated", i->user_id, &se);
    if (rc == 0)
        rc = gh_store_commit(app->store, &se);
    if (rc == -1) {
        gh_store_rollback(app->store);
        return gh_ident_store_fail(&se, err);
    }
    gh_event_wake(app);
    return 0;
}

static int
ident_fill(struct gh_ident *i, const char *user_id, enum gh_ident_type type, char *value,
    int verified, struct gh_err *err)
{
    gh_id_new("idn", i->id);
    gh_strlcpy(i->user_id, user_id, sizeof(i->user_id));
    i->type = type;
    i->value = value;
    i->verified = verified;
    i->strategy = NULL;
    if (verified && (i->strategy = strdup("admin")) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    i->created_at = i->updated_at = gh_now_ms();
    return 0;
}

int
gh_ident_add(struct gh_app *app, const char *instance_id, const char *user_id,
    enum gh_ident_type type, const char *value, int verified, int primary,
    struct gh_ident **out, struct gh_err *err)
{
    struct gh_user  *u = NULL, *owner = NULL;
    struct gh_ident *i = NULL;
    char            *norm = NULL;
    struct gh_err    se = { 0 };
    int              rc = -1;

    *out = NULL;
    if ((type == GH_IDENT_PHONE ? gh_ident_norm_phone(value, NULL, &norm, err)
                                : gh_ident_norm_email(value, NULL, &norm, err)) == -1)
        goto done;
    if (gh_user_get(app, instance_id, user_id, &u, err) == -1)
        goto done;
    if (gh_store_user_find_by_ident(app->store, instance_id, type, norm, &owner, &se) == -1) {
        gh_ident_store_fail(&se, err);
        goto done;
    }
    if (owner != NULL) {
        gh_ident_taken(err, gh_ident_param(type));
        goto done;
    }
    if ((i = calloc(1, sizeof(*i))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    if (ident_fill(i, u->id, type, norm, verified, err) == -1)
        goto done;
    norm = NULL; /* owned by i */
    /* Clerk: the first address becomes primary even when not asked for. */
    if (primary || *primary_slot(u, type) == NULL) {
        if (set_primary(u, type, i->id, err) == -1)
            goto done;
        u->updated_at = i->created_at;
    } else {
        gh_user_free(u);
        u = NULL;
    }
    if (write_both(app, instance_id, 1, i, u, err) == -1)
        goto done;
    *out = i;
    i = NULL;
    rc = 0;
done:
    free(norm);
    gh_ident_free(i);
    gh_user_free(u);
    gh_user_free(owner);
    return rc;
}

int
gh_ident_load(struct gh_app *app, const char *instance_id, const char *ident_id,
    enum gh_ident_type type, struct gh_ident **out, struct gh_err *err)
{
    struct gh_ident *i = NULL;
    struct gh_err    se = { 0 };

    *out = NULL;
    if (!gh_id_valid("idn", ident_id))
        return not_found(type, err);
    if (gh_store_ident_get(app->store, instance_id, ident_id, &i, &se) == -1) {
        if (se.code == GH_E_NOT_FOUND)
            return not_found(type, err);
        return gh_ident_store_fail(&se, err);
    }
    if (i->type != type) {
        gh_ident_free(i);
        return not_found(type, err);
    }
    *out = i;
    return 0;
}

int
gh_ident_modify(struct gh_app *app, const char *instance_id, const char *ident_id,
    enum gh_ident_type type, int verified, int primary, struct gh_ident **out,
    struct gh_err *err)
{
    struct gh_ident *i = NULL;
    struct gh_user  *u = NULL;
    int              rc = -1;

    *out = NULL;
    if (gh_ident_load(app, instance_id, ident_id, type, &i, err) == -1)
        goto done;
    i->updated_at = gh_now_ms();
    if (verified >= 0) {
        free(i->strategy);
        i->strategy = NULL;
        i->verified = verified != 0;
        if (verified && (i->strategy = strdup("admin")) == NULL) {
            GH_FAIL(err, GH_E_NOMEM, NULL);
            goto done;
        }
    }
    if (primary == 1) {
        if (gh_user_get(app, instance_id, i->user_id, &u, err) == -1 ||
            set_primary(u, type, i->id, err) == -1)
            goto done;
        u->updated_at = i->updated_at;
    }
    if (write_both(app, instance_id, 2, i, u, err) == -1)
        goto done;
    *out = i;
    i = NULL;
    rc = 0;
done:
    gh_ident_free(i);
    gh_user_free(u);
    return rc;
}

int
gh_ident_remove(struct gh_app *app, const char *instance_id, const char *ident_id,
    enum gh_ident_type type, struct gh_err *err)
{
    struct gh_ident *i = NULL;
    struct gh_user  *u = NULL;
    const char      *next = NULL;
    int              rc = -1;

    if (gh_ident_load(app, instance_id, ident_id, type, &i, err) == -1 ||
        gh_user_get(app, instance_id, i->user_id, &u, err) == -1)
        goto done;
    if (gh_str_eq(*primary_slot(u, type), i->id)) {
        for (size_t k = 0; k < u->nidents && next == NULL; k++) {
            if (u->idents[k].type == type && strcmp(u->idents[k].id, i->id) != 0)
                next = u->idents[k].id;
        }
        if (set_primary(u, type, next, err) == -1)
            goto done;
        u->updated_at = gh_now_ms();
    } else {
        gh_user_free(u);
        u = NULL;
    }
    if (write_both(app, instance_id, 3, i, u, err) == -1)
        goto done;
    rc = 0;
done:
    gh_ident_free(i);
    gh_user_free(u);
    return rc;
}
