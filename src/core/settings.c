/* settings.c: see settings.h. The JSON text is read with jansson inside this
 * file only; core headers stay library-free. */
#include "core/settings.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/app.h"
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
