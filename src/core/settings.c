/* settings.c: see settings.h. The JSON text is read with jansson inside this
 * file only; core headers stay library-free. */
#include "core/settings.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/json.h"
#include "util/log.h"
#include "util/str.h"

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
    s->min_password_length = 8;
    snprintf(s->sign_up_mode, sizeof(s->sign_up_mode), "public");
    snprintf(s->preferred_sign_in_strategy, sizeof(s->preferred_sign_in_strategy), "password");
}

static void
read_bool(json_t *o, const char *key, int *out)
{
    json_t *v = json_object_get(o, key);

    if (json_is_boolean(v))
        *out = json_is_true(v);
}

static void
read_int(json_t *o, const char *key, int *out)
{
    json_t *v = json_object_get(o, key);

    if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) < 1000000)
        *out = (int)json_integer_value(v);
}

static void
read_str(json_t *o, const char *key, char *out, size_t size)
{
    json_t *v = json_object_get(o, key);

    if (json_is_string(v) && json_string_length(v) < size)
        gh_strlcpy(out, json_string_value(v), size);
}

int
gh_settings_load(const struct gh_app *app, struct gh_settings *s, struct gh_err *err)
{
    const char  *text = app->instance != NULL ? app->instance->settings : NULL;
    json_t      *o;
    json_error_t je;

    (void)err;
    gh_settings_defaults(s);
    if (text == NULL || text[0] == '\0')
        return 0;
    if ((o = json_loads(text, 0, &je)) == NULL || !json_is_object(o)) {
        gh_log_warn("instance settings unreadable (defaults used): %s", je.text);
        json_decref(o);
        return 0;
    }
    read_bool(o, "single_session_mode", &s->single_session_mode);
    read_bool(o, "email_code_first_factor", &s->email_code_first_factor);
    read_bool(o, "password_enabled", &s->password_enabled);
    read_bool(o, "username_enabled", &s->username_enabled);
    read_bool(o, "names_enabled", &s->names_enabled);
    read_bool(o, "totp_enabled", &s->totp_enabled);
    read_bool(o, "backup_codes_enabled", &s->backup_codes_enabled);
    read_bool(o, "orgs_enabled", &s->orgs_enabled);
    read_int(o, "max_allowed_memberships", &s->max_allowed_memberships);
    read_bool(o, "admin_delete", &s->admin_delete);
    read_bool(o, "delete_self", &s->delete_self);
    read_bool(o, "create_organization", &s->create_organization);
    read_bool(o, "allowlist_only", &s->allowlist_only);
    read_bool(o, "blocklist_enabled", &s->blocklist_enabled);
    read_bool(o, "enumeration_protection", &s->enumeration_protection);
    read_int(o, "min_password_length", &s->min_password_length);
    read_str(o, "sign_up_mode", s->sign_up_mode, sizeof(s->sign_up_mode));
    read_str(o, "preferred_sign_in_strategy", s->preferred_sign_in_strategy,
        sizeof(s->preferred_sign_in_strategy));
    read_str(o, "home_url", s->home_url, sizeof(s->home_url));
    read_str(o, "sign_in_url", s->sign_in_url, sizeof(s->sign_in_url));
    read_str(o, "sign_up_url", s->sign_up_url, sizeof(s->sign_up_url));
    read_str(o, "after_sign_in_url", s->after_sign_in_url, sizeof(s->after_sign_in_url));
    read_str(o, "after_sign_up_url", s->after_sign_up_url, sizeof(s->after_sign_up_url));
    read_str(o, "after_sign_out_url", s->after_sign_out_url, sizeof(s->after_sign_out_url));
    read_str(o, "support_email", s->support_email, sizeof(s->support_email));
    json_decref(o);
    return 0;
}

/* ---- operator edits ---- */

/* Every key gh_settings_load reads, with its type: 'b' boolean, 'i' number,
 * 's' text, 'e' one of the listed words. */
static const struct {
    const char *key;
    char        type;
    const char *words; /* 'e': "|a|b|" */
} keys[] = {
    { "single_session_mode", 'b', NULL },   { "email_code_first_factor", 'b', NULL },
    { "password_enabled", 'b', NULL },      { "username_enabled", 'b', NULL },
    { "names_enabled", 'b', NULL },         { "totp_enabled", 'b', NULL },
    { "backup_codes_enabled", 'b', NULL },  { "orgs_enabled", 'b', NULL },
    { "max_allowed_memberships", 'i', NULL }, { "admin_delete", 'b', NULL },
    { "delete_self", 'b', NULL },           { "create_organization", 'b', NULL },
    { "allowlist_only", 'b', NULL },        { "blocklist_enabled", 'b', NULL },
    { "enumeration_protection", 'b', NULL }, { "min_password_length", 'i', NULL },
    { "sign_up_mode", 'e', "|public|restricted|waitlist|" },
    { "preferred_sign_in_strategy", 'e', "|password|otp|" },
    { "home_url", 's', NULL },              { "sign_in_url", 's', NULL },
    { "sign_up_url", 's', NULL },           { "after_sign_in_url", 's', NULL },
    { "after_sign_up_url", 's', NULL },     { "after_sign_out_url", 's', NULL },
    { "support_email", 's', NULL },
};

/* {"key": value} as JSON text into b, or -1 when value does not fit key. */
static int
patch_text(const char *key, size_t klen, const char *value, struct gh_buf *b)
{
    char word[64];

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strlen(keys[i].key) != klen || strncmp(keys[i].key, key, klen) != 0)
            continue;
        if (keys[i].type == 'e' &&
            (snprintf(word, sizeof(word), "|%s|", value) >= (int)sizeof(word) ||
                strstr(keys[i].words, word) == NULL))
            return -1;
        gh_buf_add(b, "{");
        gh_buf_add_json_str(b, keys[i].key);
        gh_buf_add(b, ":");
        switch (keys[i].type) {
        case 'b':
            if (strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
                return -1;
            gh_buf_add(b, value);
            break;
        case 'i': {
            uint64_t n;

            if (gh_parse_uint(value, 0, 999999, &n) == -1)
                return -1;
            gh_buf_addf(b, "%llu", (unsigned long long)n);
            break;
        }
        default: /* text, and the words of an 'e' key */
            if (strlen(value) >= GH_SETTINGS_URL_MAX)
                return -1;
            gh_buf_add_json_str(b, value);
        }
        gh_buf_add(b, "}");
        return gh_buf_failed(b) ? -1 : 0;
    }
    return -1;
}

int
gh_settings_set(struct gh_app *app, const char *assign, struct gh_err *err)
{
    const char   *eq = strchr(assign, '=');
    struct gh_buf b;
    char         *merged = NULL, *old;
    int           rc = -1;

    gh_buf_init(&b, 2 * GH_SETTINGS_URL_MAX);
    if (eq == NULL || app->instance == NULL ||
        patch_text(assign, (size_t)(eq - assign), eq + 1, &b) == -1) {
        GH_FAIL(err, GH_E_PARAM_INVALID, NULL);
        snprintf(err->desc, sizeof(err->desc), "%.*s: unknown key, or a value not of its type",
            eq != NULL ? (int)(eq - assign) : 64, assign);
        goto done;
    }
    if (gh_json_merge(app->instance->settings, gh_buf_str(&b), 65536, "settings", &merged,
            err) == -1)
        goto done;
    old = app->instance->settings;
    app->instance->settings = merged;
    app->instance->updated_at = gh_now_ms();
    if (gh_store_instance_update(app->store, app->instance, err) == -1) {
        app->instance->settings = old;
        free(merged);
        goto done;
    }
    free(old);
    rc = 0;
done:
    gh_buf_clear(&b);
    return rc;
}
