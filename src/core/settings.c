/* settings.c: see settings.h. One table names every key with its type and
 * bounds; it drives reading the stored JSON, checking a patch, the CLI's
 * key=value form and the full listing. jansson is used inside this file
 * only; core headers stay library-free. The cache lives in
 * settings_cache.c. */
#include "core/settings.h"

#include <jansson.h>
#include <pthread.h>
#include <unistd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/app.h"
#include "core/origin.h"
#include "core/settings_snap.h"
#include "store/store.h"
#include "util/log.h"
#include "util/str.h"

#define UPDATE_TRIES 20

enum kind { K_BOOL, K_INT, K_ENUM, K_NAME, K_URL, K_EMAIL, K_ORIGINS, K_REDIRECTS };

struct key {
    const char        *name;
    enum kind          kind;
    size_t             off;  /* offsetof(struct gh_settings, field); lists: 0 */
    size_t             size; /* bytes of the field */
    int                min, max;
    const char *const *values; /* K_ENUM */
};

static const char *const modes[] = { "public", "restricted", NULL };
static const char *const strategies[] = { "password", "otp", NULL };

#define F(f) offsetof(struct gh_settings, f), sizeof(((struct gh_settings *)0)->f)
static const struct key keys[] = {
    { "single_session_mode",             K_BOOL,  F(single_session_mode), 0, 0, NULL },
    { "email_code_first_factor",         K_BOOL,  F(email_code_first_factor), 0, 0, NULL },
    { "password_enabled",                K_BOOL,  F(password_enabled), 0, 0, NULL },
    { "username_enabled",                K_BOOL,  F(username_enabled), 0, 0, NULL },
    { "names_enabled",                   K_BOOL,  F(names_enabled), 0, 0, NULL },
    { "totp_enabled",                    K_BOOL,  F(totp_enabled), 0, 0, NULL },
    { "backup_codes_enabled",            K_BOOL,  F(backup_codes_enabled), 0, 0, NULL },
    { "orgs_enabled",                    K_BOOL,  F(orgs_enabled), 0, 0, NULL },
    { "max_allowed_memberships",         K_INT,   F(max_allowed_memberships), 0, 100000, NULL },
    { "admin_delete",                    K_BOOL,  F(admin_delete), 0, 0, NULL },
    { "domains_enabled",                 K_BOOL,  F(domains_enabled), 0, 0, NULL },
    { "delete_self",                     K_BOOL,  F(delete_self), 0, 0, NULL },
    { "create_organization",             K_BOOL,  F(create_organization), 0, 0, NULL },
    { "allowlist_only",                  K_BOOL,  F(allowlist_only), 0, 0, NULL },
    { "blocklist_enabled",               K_BOOL,  F(blocklist_enabled), 0, 0, NULL },
    { "block_email_subaddresses",        K_BOOL,  F(block_email_subaddresses), 0, 0, NULL },
    { "block_disposable_email_domains",  K_BOOL,  F(block_disposable_email_domains), 0, 0, NULL },
    { "ignore_dots_for_gmail_addresses", K_BOOL,  F(ignore_dots_for_gmail_addresses), 0, 0, NULL },
    { "enumeration_protection",          K_BOOL,  F(enumeration_protection), 0, 0, NULL },
    { "test_mode",                       K_BOOL,  F(test_mode), 0, 0, NULL },
    { "min_password_length",             K_INT,   F(min_password_length), 8, 72, NULL },
    { "sign_up_mode",                    K_ENUM,  F(sign_up_mode), 0, 0, modes },
    { "preferred_sign_in_strategy",      K_ENUM,  F(preferred_sign_in_strategy), 0, 0, strategies },
    { "application_name",                K_NAME,  F(application_name), 0, 0, NULL },
    { "home_url",                        K_URL,   F(home_url), 0, 0, NULL },
    { "sign_in_url",                     K_URL,   F(sign_in_url), 0, 0, NULL },
    { "sign_up_url",                     K_URL,   F(sign_up_url), 0, 0, NULL },
    { "after_sign_in_url",               K_URL,   F(after_sign_in_url), 0, 0, NULL },
    { "after_sign_up_url",               K_URL,   F(after_sign_up_url), 0, 0, NULL },
    { "after_sign_out_url",              K_URL,   F(after_sign_out_url), 0, 0, NULL },
    { "support_email",                   K_EMAIL, F(support_email), 0, 0, NULL },
    { "allowed_origins",                 K_ORIGINS, 0, 0, 0, 0, NULL },
    { "allowed_redirect_urls",           K_REDIRECTS, 0, 0, 0, 0, NULL },
};
#undef F
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

void
gh_settings_defaults(struct gh_settings *s)
{
    memset(s, 0, sizeof(*s));
    s->single_session_mode = 1;
    s->email_code_first_factor = 1;
    s->password_enabled = 1;
    s->names_enabled = 1;
    s->totp_enabled = 1;
    s->backup_codes_enabled = 1;
    s->orgs_enabled = 1;
    s->admin_delete = 1;
    s->delete_self = 1;
    s->create_organization = 1;
    s->blocklist_enabled = 1;
    s->enumeration_protection = 1;
    s->test_mode = 1;
    s->min_password_length = 8;
    snprintf(s->sign_up_mode, sizeof(s->sign_up_mode), "public");
    snprintf(s->preferred_sign_in_strategy, sizeof(s->preferred_sign_in_strategy), "password");
}

static const struct key *
find_key(const char *name, size_t len)
{
    for (size_t i = 0; i < NKEYS; i++)
        if (strlen(keys[i].name) == len && strncmp(keys[i].name, name, len) == 0)
            return &keys[i];
    return NULL;
}

/* ---- shapes ---- */

static int
scheme_forbidden(const char *s, size_t n)
{
    static const char *const bad[] = { "javascript", "data", "vbscript", "file", "blob", NULL };

    for (size_t i = 0; bad[i] != NULL; i++)
        if (strlen(bad[i]) == n && strncmp(s, bad[i], n) == 0)
            return 1;
    return 0;
}

/* An http(s) authority: host of [A-Za-z0-9.-] (or an [IPv6] literal) and an
 * optional numeric port. No '%': "app%2etest" is not a host. */
static int
http_authority_ok(const char *a, size_t n)
{
    size_t   i = 0;
    unsigned port = 0;

    if (n > 0 && a[0] == '[') {
        while (i < n && a[i] != ']')
            i++;
        if (i == n || i < 3)
            return 0;
        i++;
    } else {
        while (i < n && ((a[i] >= 'a' && a[i] <= 'z') || (a[i] >= 'A' && a[i] <= 'Z') ||
                            (a[i] >= '0' && a[i] <= '9') || a[i] == '.' || a[i] == '-'))
            i++;
        if (i == 0)
            return 0;
    }
    if (i == n)
        return 1;
    if (a[i] != ':' || i + 1 == n || n - i - 1 > 5)
        return 0;
    for (i++; i < n; i++) {
        if (a[i] < '0' || a[i] > '9')
            return 0;
        port = port * 10 + (unsigned)(a[i] - '0');
    }
    return port >= 1 && port <= 65535;
}

int
gh_settings_redirect_url_valid(const char *url)
{
    size_t      n = url != NULL ? strlen(url) : 0, sn = 0, an;
    const char *auth;

    if (n == 0 || n >= GH_SETTINGS_URL_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)url[i] <= ' ' || (unsigned char)url[i] >= 0x7f || url[i] == '\\')
            return 0;
    /* RFC 3986 scheme, lower case only: "HTTPS://APP.TEST/cb" is not the
     * registered string, and "JaVaScRiPt:" never gets a chance. */
    while (sn < n && ((url[sn] >= 'a' && url[sn] <= 'z') ||
                         (sn > 0 && ((url[sn] >= '0' && url[sn] <= '9') || url[sn] == '+' ||
                                        url[sn] == '.' || url[sn] == '-'))))
        sn++;
    if (sn == 0 || strncmp(url + sn, "://", 3) != 0 || scheme_forbidden(url, sn))
        return 0;
    auth = url + sn + 3;
    an = strcspn(auth, "/?#");
    if (an == 0 || memchr(auth, '@', an) != NULL)
        return 0;
    if ((sn == 4 && strncmp(url, "http", 4) == 0) || (sn == 5 && strncmp(url, "https", 5) == 0))
        return http_authority_ok(auth, an);
    return 1;
}

static int
email_ok(const char *s)
{
    const char *at = strchr(s, '@');

    if (at == NULL || at == s || at[1] == '\0' || strchr(at + 1, '@') != NULL)
        return 0;
    for (const char *p = s; *p != '\0'; p++)
        if ((unsigned char)*p <= ' ' || *p == 0x7f || strchr("<>()[]\\,;:\"", *p) != NULL)
            return 0;
    return 1;
}

static int
name_ok(const char *s, size_t size)
{
    size_t n = strlen(s);

    if (n == 0 || n >= size)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
            return 0;
    return 1;
}

/* Checks one list entry; msg says what is wrong. */
static int
list_entry_ok(enum kind kind, const char *s)
{
    return kind == K_ORIGINS ? gh_origin_pattern_valid(s) : gh_settings_redirect_url_valid(s);
}

static int
check_list(const struct key *k, json_t *v, struct gh_err *err)
{
    size_t  i;
    json_t *e;

    if (!json_is_array(v) || json_array_size(v) > GH_SETTINGS_LIST_MAX)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, k->name,
            "must be an array of at most 50 strings");
    json_array_foreach(v, i, e) {
        if (!json_is_string(e) || !list_entry_ok(k->kind, json_string_value(e)))
            return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, k->name,
                k->kind == K_ORIGINS ? "entries must be http(s) origins (a port may be *)"
                                     : "entries must be absolute URLs without userinfo");
    }
    return 0;
}

/* 0 when v is a valid value for k (not null). */
static int
check_value(const struct key *k, json_t *v, struct gh_err *err)
{
    const char *s = json_string_value(v);
    int64_t     i;

    switch (k->kind) {
    case K_BOOL:
        return json_is_boolean(v) ? 0 : GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, k->name,
                                            "must be true or false");
    case K_INT:
        i = json_is_integer(v) ? json_integer_value(v) : INT64_MIN;
        if (i < k->min || i > k->max) {
            GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, k->name, NULL);
            snprintf(err->long_msg, sizeof(err->long_msg), "%s must be a whole number from %d to %d",
                k->name, k->min, k->max);
            return -1;
        }
        return 0;
    case K_ENUM:
        for (size_t j = 0; s != NULL && k->values[j] != NULL; j++)
            if (strcmp(s, k->values[j]) == 0)
                return 0;
        return GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, k->name, "is not a supported value");
    case K_NAME:
        return s != NULL && name_ok(s, k->size) ? 0
                   : GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, k->name,
                         "must be 1 to 255 bytes without control characters");
    case K_URL:
        return s != NULL && (s[0] == '\0' || gh_settings_redirect_url_valid(s)) ? 0
                   : GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, k->name,
                         "must be an absolute URL (or empty)");
    case K_EMAIL:
        return s != NULL && strlen(s) < k->size && (s[0] == '\0' || email_ok(s)) ? 0
                   : GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, k->name,
                         "must be an email address (or empty)");
    case K_ORIGINS:
    case K_REDIRECTS:
        return check_list(k, v, err);
    }
    return GH_FAIL(err, GH_E_INTERNAL, NULL);
}

/* ---- snapshots ---- */

static void
free_list(char **v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        free(v[i]);
    free(v);
}

void
gh_settings_snap_free(struct gh_settings_snap *sn)
{
    if (sn == NULL)
        return;
    free(sn->text);
    free_list(sn->origins, sn->norigins);
    free_list(sn->redirects, sn->nredirects);
    free(sn);
}

static int
take_list(json_t *v, char ***out, size_t *n)
{
    size_t  i;
    json_t *e;

    if ((*out = calloc(json_array_size(v) + 1, sizeof(char *))) == NULL)
        return -1;
    json_array_foreach(v, i, e) {
        if (((*out)[i] = gh_strdup(json_string_value(e))) == NULL)
            return -1;
        *n = i + 1;
    }
    return 0;
}

/* Applies one checked value to the snapshot. -1 on OOM. */
static int
apply(const struct key *k, json_t *v, struct gh_settings_snap *sn)
{
    char *field = (char *)&sn->s + k->off;

    switch (k->kind) {
    case K_BOOL:
        *(int *)(void *)field = json_is_true(v);
        return 0;
    case K_INT:
        *(int *)(void *)field = (int)json_integer_value(v);
        return 0;
    case K_ORIGINS:
        return take_list(v, &sn->origins, &sn->norigins);
    case K_REDIRECTS:
        return take_list(v, &sn->redirects, &sn->nredirects);
    default:
        gh_strlcpy(field, json_string_value(v), k->size);
        return 0;
    }
}

struct gh_settings_snap *
gh_settings_snap_parse(const char *text, int64_t version)
{
    struct gh_settings_snap *sn = calloc(1, sizeof(*sn));
    json_error_t             je;
    json_t                  *o = NULL;
    int                      ok = 1;

    if (sn == NULL)
        return NULL;
    sn->refs = 1;
    sn->version = version;
    gh_settings_defaults(&sn->s);
    if ((sn->text = gh_strdup(text != NULL && text[0] != '\0' ? text : "{}")) == NULL) {
        free(sn);
        return NULL;
    }
    if ((o = json_loads(sn->text, JSON_REJECT_DUPLICATES, &je)) == NULL || !json_is_object(o)) {
        gh_log_warn("instance settings unreadable (defaults used): %s", o == NULL ? je.text : "not an object");
        json_decref(o);
        return sn;
    }
    for (size_t i = 0; ok && i < NKEYS; i++) {
        json_t       *v = json_object_get(o, keys[i].name);
        struct gh_err ce = { 0 };

        if (v == NULL || json_is_null(v))
            continue;
        if (check_value(&keys[i], v, &ce) == -1)
            gh_log_warn("instance setting %s: stored value ignored (%s)", keys[i].name,
                gh_err_long_message(&ce));
        else
            ok = apply(&keys[i], v, sn) == 0;
    }
    json_decref(o);
    if (!ok) {
        gh_settings_snap_free(sn);
        return NULL;
    }
    return sn;
}

/* ---- reads ---- */

int
gh_settings_load(const struct gh_app *app, struct gh_settings *s, struct gh_err *err)
{
    struct gh_settings_snap *sn = gh_settings_snap_get(app);

    (void)err;
    *s = sn->s;
    gh_settings_snap_put(app, sn);
    return 0;
}

void
gh_settings_app_name(const struct gh_app *app, char *out, size_t size)
{
    struct gh_settings_snap *sn = gh_settings_snap_get(app);
    const char              *inst = app->instance != NULL ? app->instance->name : NULL;

    gh_strlcpy(out, sn->s.application_name[0] != '\0' ? sn->s.application_name
                    : inst != NULL && inst[0] != '\0' ? inst : "Gatehouse",
        size);
    gh_settings_snap_put(app, sn);
}

int
gh_settings_origin_allowed(const struct gh_app *app, const char *origin)
{
    struct gh_settings_snap *sn;
    int                      ok = 0;

    if (origin == NULL)
        return 0;
    sn = gh_settings_snap_get(app);
    for (size_t i = 0; !ok && i < sn->norigins; i++)
        ok = gh_origin_match(sn->origins[i], strlen(sn->origins[i]), origin);
    gh_settings_snap_put(app, sn);
    return ok;
}

int
gh_settings_redirect_allowed(const struct gh_app *app, const char *url)
{
    struct gh_settings_snap *sn;
    const char              *own[6];
    int                      ok = 0;

    if (!gh_settings_redirect_url_valid(url))
        return 0;
    sn = gh_settings_snap_get(app);
    own[0] = sn->s.home_url;
    own[1] = sn->s.sign_in_url;
    own[2] = sn->s.sign_up_url;
    own[3] = sn->s.after_sign_in_url;
    own[4] = sn->s.after_sign_up_url;
    own[5] = sn->s.after_sign_out_url;
    /* Exact string equality, nothing else (catalogue BI-14). */
    for (size_t i = 0; !ok && i < sn->nredirects; i++)
        ok = strcmp(sn->redirects[i], url) == 0;
    for (size_t i = 0; !ok && i < 6; i++)
        ok = own[i][0] != '\0' && strcmp(own[i], url) == 0;
    gh_settings_snap_put(app, sn);
    return ok;
}

static json_t *
list_json(char **v, size_t n)
{
    json_t *a = json_array();

    for (size_t i = 0; a != NULL && i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

static json_t *
value_json(const struct key *k, const struct gh_settings_snap *sn, const char *app_name)
{
    const char *field = (const char *)&sn->s + k->off;

    switch (k->kind) {
    case K_BOOL:
        return json_boolean(*(const int *)(const void *)field);
    case K_INT:
        return json_integer(*(const int *)(const void *)field);
    case K_ORIGINS:
        return list_json(sn->origins, sn->norigins);
    case K_REDIRECTS:
        return list_json(sn->redirects, sn->nredirects);
    case K_NAME:
        return json_string(field[0] != '\0' ? field : app_name);
    default:
        return json_string(field);
    }
}

int
gh_settings_json(const struct gh_app *app, int pretty, char **out, struct gh_err *err)
{
    struct gh_settings_snap *sn = gh_settings_snap_get(app);
    json_t                  *o = json_object();
    char                     name[GH_SETTINGS_NAME_MAX];

    *out = NULL;
    gh_settings_app_name(app, name, sizeof(name));
    for (size_t i = 0; o != NULL && i < NKEYS; i++)
        json_object_set_new(o, keys[i].name, value_json(&keys[i], sn, name));
    gh_settings_snap_put(app, sn);
    if (o != NULL)
        *out = json_dumps(o, pretty ? JSON_INDENT(2) | JSON_SORT_KEYS : JSON_COMPACT);
    json_decref(o);
    return *out != NULL ? 0 : GH_FAIL(err, GH_E_NOMEM, NULL);
}

/* ---- writes ---- */

/* Checks every key of patch (an object). */
static int
check_patch(json_t *patch, struct gh_err *err)
{
    const char *name;
    json_t     *v;

    json_object_foreach(patch, name, v) {
        const struct key *k = find_key(name, strlen(name));

        if (k == NULL)
            return GH_FAIL_PARAM(err, GH_E_PARAM_UNKNOWN, name, "is not an instance setting");
        if (!json_is_null(v) && check_value(k, v, err) == -1)
            return -1;
    }
    return 0;
}

/* The stored text with patch applied; *out malloc'd. */
static int
merged_text(const char *base, json_t *patch, char **out, struct gh_err *err)
{
    json_t     *o = json_loads(base, JSON_REJECT_DUPLICATES, NULL), *v;
    const char *name;

    *out = NULL;
    if (!json_is_object(o)) {
        json_decref(o);
        o = json_object();
    }
    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    json_object_foreach(patch, name, v) {
        if (json_is_null(v))
            json_object_del(o, name);
        else
            json_object_set(o, name, v);
    }
    *out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    if (*out == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    if (strlen(*out) > GH_SETTINGS_TEXT_MAX) {
        free(*out);
        *out = NULL;
        return GH_FAIL(err, GH_E_BAD_REQUEST, "instance settings too large");
    }
    return 0;
}

/* One read-merge-compare-and-set round. *done = 1 when written. */
static int
update_once(struct gh_app *app, json_t *patch, int *done, struct gh_err *err)
{
    const char *ins = app->instance->id;
    char       *base = NULL, *text = NULL;
    int64_t     version = 0;
    int         rc = -1;

    *done = 0;
    if (gh_store_instance_settings_get(app->store, ins, &base, &version, err) == -1 ||
        merged_text(base, patch, &text, err) == -1 ||
        gh_store_instance_settings_set(app->store, ins, text, version, gh_now_ms(), done,
            err) == -1)
        goto out;
    if (*done) {
        struct gh_settings_snap *sn = gh_settings_snap_parse(text, version + 1);

        if (sn == NULL) {
            GH_FAIL(err, GH_E_NOMEM, NULL);
            goto out;
        }
        gh_settings_snap_install(app, sn);
        gh_log_info("instance settings changed instance_id=%s version=%lld", ins,
            (long long)version + 1);
    }
    rc = 0;
out:
    free(base);
    free(text);
    return rc;
}

/* Writers in one process take turns (so a burst of PATCHes on one server
 * never exhausts the retries); the compare-and-set still orders writers on
 * different servers, which back off a little between tries. */
static pthread_mutex_t update_lock = PTHREAD_MUTEX_INITIALIZER;

static int
update_json(struct gh_app *app, json_t *patch, struct gh_err *err)
{
    int done = 0, rc = 0;

    if (check_patch(patch, err) == -1)
        return -1;
    pthread_mutex_lock(&update_lock);
    for (int i = 0; i < UPDATE_TRIES && !done && rc == 0; i++) {
        if (i > 0)
            usleep((useconds_t)(1000 * i));
        rc = update_once(app, patch, &done, err);
    }
    pthread_mutex_unlock(&update_lock);
    if (rc == -1)
        return -1;
    return done ? 0 : GH_FAIL(err, GH_E_UNAVAILABLE, "The settings are being changed; try again.");
}

int
gh_settings_update(struct gh_app *app, const char *patch_json, struct gh_err *err)
{
    json_t *patch = json_loads(patch_json != NULL ? patch_json : "", JSON_REJECT_DUPLICATES, NULL);
    int     rc;

    if (!json_is_object(patch)) {
        json_decref(patch);
        return GH_FAIL(err, GH_E_BODY_INVALID, "The settings must be a JSON object.");
    }
    rc = update_json(app, patch, err);
    json_decref(patch);
    return rc;
}

static int
parse_bool(const char *s, int *out)
{
    static const char *const yes[] = { "true", "1", "yes", "on", NULL };
    static const char *const no[] = { "false", "0", "no", "off", NULL };

    for (size_t i = 0; yes[i] != NULL; i++) {
        if (strcasecmp(s, yes[i]) == 0)
            return *out = 1, 0;
        if (strcasecmp(s, no[i]) == 0)
            return *out = 0, 0;
    }
    return -1;
}

/* "a, b,,c" → ["a","b","c"]. */
static json_t *
split_list(const char *s)
{
    json_t *a = json_array();

    while (a != NULL && *s != '\0') {
        size_t n = strcspn(s, ",");
        char   item[GH_SETTINGS_URL_MAX];
        size_t b = 0, e = n;

        while (b < e && s[b] == ' ')
            b++;
        while (e > b && s[e - 1] == ' ')
            e--;
        if (e > b && e - b < sizeof(item)) {
            memcpy(item, s + b, e - b);
            item[e - b] = '\0';
            json_array_append_new(a, json_string(item));
        } else if (e > b) {
            json_array_append_new(a, json_string("")); /* too long: refused by the check */
        }
        s += n;
        if (*s == ',')
            s++;
    }
    return a;
}

/* The JSON value of one "key=value" (NULL when the value does not parse). */
static json_t *
kv_value(const struct key *k, const char *v)
{
    int     b;
    int64_t i;

    if (*v == '\0')
        return json_null();
    switch (k->kind) {
    case K_BOOL:
        return parse_bool(v, &b) == 0 ? json_boolean(b) : NULL;
    case K_INT:
        return gh_parse_int(v, INT32_MIN, INT32_MAX, &i) == 0 ? json_integer(i) : NULL;
    case K_ORIGINS:
    case K_REDIRECTS:
        return split_list(v);
    default:
        return json_string(v);
    }
}

int
gh_settings_update_kv(struct gh_app *app, const char *const *kv, size_t n, struct gh_err *err)
{
    json_t *patch = json_object();
    int     rc = -1;

    if (patch == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    for (size_t i = 0; i < n; i++) {
        const char       *eq = strchr(kv[i], '=');
        const struct key *k = eq != NULL ? find_key(kv[i], (size_t)(eq - kv[i])) : NULL;
        json_t           *v;

        if (eq == NULL) {
            GH_FAIL(err, GH_E_BAD_REQUEST, "expected KEY=VALUE");
            gh_err_note(err, "%s", kv[i]);
            goto done;
        }
        if (k == NULL) {
            char name[64];

            snprintf(name, sizeof(name), "%.*s", (int)(eq - kv[i]), kv[i]);
            GH_FAIL_PARAM(err, GH_E_PARAM_UNKNOWN, name, "is not an instance setting");
            goto done;
        }
        if ((v = kv_value(k, eq + 1)) == NULL) {
            GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, k->name, "has a value of the wrong type");
            goto done;
        }
        json_object_set_new(patch, k->name, v);
    }
    rc = update_json(app, patch, err);
done:
    json_decref(patch);
    return rc;
}

int
gh_settings_set(struct gh_app *app, const char *assign, struct gh_err *err)
{
    const char *kv[1] = { assign };

    return gh_settings_update_kv(app, kv, 1, err);
}
