/* session_activity.c: see session_activity.h. The User-Agent reading is a
 * short table of well-known tokens, checked in an order that handles the
 * usual impersonation (Edge and Opera also say "Chrome/", Chrome also says
 * "Safari/"); it is for display, never for a security decision. */
#include "core/session_activity.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "store/store.h"
#include "util/str.h"

void
gh_user_agent_clean(const char *ua, char *out)
{
    size_t n = 0;

    for (; ua != NULL && ua[n] != '\0' && n < GH_UA_MAX; n++) {
        unsigned char c = (unsigned char)ua[n];

        out[n] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    out[n] = '\0';
}

/* Copies the version after `token` in ua ([0-9.]*, at most cap - 1 bytes). */
static void
version_after(const char *ua, const char *token, char *out, size_t cap)
{
    const char *p = strstr(ua, token);
    size_t      n = 0;

    out[0] = '\0';
    if (p == NULL)
        return;
    p += strlen(token);
    while (n + 1 < cap && ((p[n] >= '0' && p[n] <= '9') || p[n] == '.'))
        n++;
    memcpy(out, p, n);
    out[n] = '\0';
}

struct ua_browser {
    const char *token;    /* found in the User-Agent */
    const char *name;     /* shown */
    const char *version;  /* token the version follows; NULL = token itself */
    const char *requires; /* a second token that must also be present, or NULL */
};

/* First match wins: the order is what makes the impersonations come out right. */
static const struct ua_browser browsers[] = {
    { "Edg/", "Edge", NULL, NULL },
    { "EdgA/", "Edge", NULL, NULL },
    { "EdgiOS/", "Edge", NULL, NULL },
    { "OPR/", "Opera", NULL, NULL },
    { "Firefox/", "Firefox", NULL, NULL },
    { "FxiOS/", "Firefox", NULL, NULL },
    { "CriOS/", "Chrome", NULL, NULL },
    { "HeadlessChrome/", "Chrome", NULL, NULL },
    { "Chrome/", "Chrome", NULL, NULL },
    { "Safari/", "Safari", "Version/", "Version/" },
};

struct ua_device {
    const char *token;
    const char *name;
    int         mobile;
};

static const struct ua_device devices[] = {
    { "iPhone", "iPhone", 1 },
    { "iPad", "iPad", 1 },
    { "Android", "Android", 0 }, /* phones also say "Mobile" */
    { "Windows", "Windows", 0 },
    { "Macintosh", "Macintosh", 0 },
    { "CrOS", "Chrome OS", 0 },
    { "Linux", "Linux", 0 },
};

void
gh_user_agent_parse(const char *ua, struct gh_ua_info *out)
{
    memset(out, 0, sizeof(*out));
    if (ua == NULL)
        return;
    for (size_t i = 0; i < sizeof(browsers) / sizeof(browsers[0]); i++) {
        const struct ua_browser *b = &browsers[i];

        if (strstr(ua, b->token) == NULL || (b->requires != NULL && strstr(ua, b->requires) == NULL))
            continue;
        gh_strlcpy(out->browser_name, b->name, sizeof(out->browser_name));
        version_after(ua, b->version != NULL ? b->version : b->token, out->browser_version,
            sizeof(out->browser_version));
        break;
    }
    for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
        if (strstr(ua, devices[i].token) == NULL)
            continue;
        gh_strlcpy(out->device_type, devices[i].name, sizeof(out->device_type));
        out->is_mobile = devices[i].mobile;
        break;
    }
    if (strstr(ua, "Mobi") != NULL) /* "Mobile", "Mobi": the convention browsers follow */
        out->is_mobile = 1;
}

int
gh_session_note_activity(struct gh_app *app, const char *instance_id, struct gh_session *s,
    const char *ua, const char *ip, struct gh_err *err)
{
    char  clean[GH_UA_MAX + 1];
    char *dup;

    gh_user_agent_clean(ua, clean);
    if (ip == NULL || strlen(ip) >= sizeof(s->ip_address))
        ip = "";
    if (gh_str_eq(s->user_agent != NULL ? s->user_agent : "", clean) &&
        strcmp(s->ip_address, ip) == 0)
        return 0;
    if (gh_store_session_set_activity(app->store, instance_id, s->id, clean[0] ? clean : NULL,
            ip, err) == -1)
        return -1;
    if ((dup = clean[0] != '\0' ? gh_strdup(clean) : NULL) == NULL && clean[0] != '\0')
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    free(s->user_agent);
    s->user_agent = dup;
    gh_strlcpy(s->ip_address, ip, sizeof(s->ip_address));
    return 0;
}
