/* origin.c: see origin.h. Origins are compared as text after a shape check
 * (scheme http or https, printable host, optional numeric port, no path, no
 * userinfo), so "http://localhost.evil.com" never passes for "localhost". */
#include "core/origin.h"

#include <string.h>
#include <strings.h>

#include "core/app.h"
#include "core/settings.h"
#include "core/token.h"

int
gh_app_is_development(const struct gh_app *app)
{
    const char *pk = app != NULL && app->instance != NULL ? app->instance->publishable_key : NULL;

    return pk != NULL && strncmp(pk, "pk_test_", 8) == 0;
}

/* Length of "scheme://host" (without the port) when s has origin shape; 0 if not. */
static size_t
host_end(const char *s)
{
    const char *p, *h;

    if (strncasecmp(s, "http://", 7) == 0)
        h = s + 7;
    else if (strncasecmp(s, "https://", 8) == 0)
        h = s + 8;
    else
        return 0;
    p = h;
    if (*p == '[') { /* IPv6 literal */
        while (*p != '\0' && *p != ']')
            p++;
        if (*p != ']')
            return 0;
        p++;
    } else {
        while (*p != '\0' && *p != ':' && *p != '/' && *p != '@' && *p != '?' && *p != '#' &&
            *p > ' ' && *p < 0x7f)
            p++;
    }
    if (p == h || (*p != '\0' && *p != ':'))
        return 0;
    return (size_t)(p - s);
}

/* 1 when s (from its port part on) is "" or ":digits". */
static int
port_ok(const char *s)
{
    if (*s == '\0')
        return 1;
    if (*s++ != ':' || *s == '\0')
        return 0;
    for (size_t i = 0; s[i] != '\0'; i++)
        if (s[i] < '0' || s[i] > '9' || i >= 5)
            return 0;
    return 1;
}

int
gh_origin_match(const char *pattern, size_t plen, const char *origin)
{
    size_t oh = host_end(origin);

    if (oh == 0 || !port_ok(origin + oh))
        return 0;
    if (plen >= 2 && pattern[plen - 2] == ':' && pattern[plen - 1] == '*')
        return oh == plen - 2 && strncasecmp(pattern, origin, oh) == 0;
    return strlen(origin) == plen && strncasecmp(pattern, origin, plen) == 0;
}

int
gh_origin_pattern_valid(const char *pattern)
{
    size_t n = pattern != NULL ? strlen(pattern) : 0, h;
    char   tmp[GH_ORIGIN_MAX];

    if (n == 0 || n >= GH_ORIGIN_MAX)
        return 0;
    memcpy(tmp, pattern, n + 1);
    if (n >= 2 && tmp[n - 2] == ':' && tmp[n - 1] == '*')
        tmp[n - 2] = '\0';
    h = host_end(tmp);
    return h != 0 && port_ok(tmp + h);
}

/* Each comma-separated entry of list (spaces around entries ignored). */
static int
in_list(const char *list, const char *origin)
{
    const char *p = list;

    while (p != NULL && *p != '\0') {
        const char *end = strchr(p, ',');
        size_t      n = end != NULL ? (size_t)(end - p) : strlen(p);

        while (n > 0 && *p == ' ') {
            p++;
            n--;
        }
        while (n > 0 && p[n - 1] == ' ')
            n--;
        if (n > 0 && gh_origin_match(p, n, origin))
            return 1;
        p = end != NULL ? end + 1 : NULL;
    }
    return 0;
}

int
gh_origin_allowed(const struct gh_app *app, const char *origin)
{
    static const char dev[] = "http://localhost:*,http://127.0.0.1:*,http://[::1]:*";
    char              own[GH_ORIGIN_MAX];

    if (app == NULL || origin == NULL || strlen(origin) >= GH_ORIGIN_MAX)
        return 0;
    if (app->conf != NULL && app->conf->frontend_url != NULL &&
        gh_token_origin_of(app->conf->frontend_url, own, sizeof(own)) == 0 &&
        gh_origin_match(own, strlen(own), origin))
        return 1;
    if (gh_app_is_development(app) && in_list(dev, origin))
        return 1;
    if (app->conf != NULL && app->conf->allowed_origins != NULL &&
        in_list(app->conf->allowed_origins, origin))
        return 1;
    /* issue 4: origins an operator added to the instance settings */
    return gh_settings_origin_allowed(app, origin);
}
