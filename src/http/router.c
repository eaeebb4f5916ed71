/* router.c: see router.h. Tables are small (tens of rows), so matching is a
 * linear scan over pre-split path segments; the first matching row wins,
 * which is why routes.c lists "/v1/users/count" before "/v1/users/:id". It
 * does not decode literal segments: "/v1/%75sers" is not "/v1/users", and it
 * hands a "*" tail over raw, for its handler to check. */
#include "http/router.h"

#include <string.h>

#include "http/limits.h"
#include "util/str.h"

struct seg {
    const char *p;
    size_t      len;
};

/* Splits "/a/b/" into segments; -1 when it does not start with '/', has an
 * empty segment in the middle, or has too many segments. "/" has none. */
static int
split_path(const char *path, struct seg *segs, size_t *nsegs)
{
    const char *p = path;
    size_t      n = 0;

    if (p == NULL || *p != '/')
        return -1;
    p++;
    while (*p != '\0') {
        const char *end = strchr(p, '/');
        size_t      len = end != NULL ? (size_t)(end - p) : strlen(p);

        if (len == 0)
            return -1;
        if (n == GH_HTTP_MAX_SEGMENTS)
            return -1;
        segs[n].p = p;
        segs[n].len = len;
        n++;
        p += len;
        if (*p == '/')
            p++; /* a single trailing slash ends the loop here */
    }
    *nsegs = n;
    return 0;
}

/* 1 when the pattern's segments match segs; fills params (and rest for a
 * final "*", which stands for one or more further segments). */
static int
pattern_matches(const char *pattern, const struct seg *segs, size_t nsegs,
    struct gh_route_match *m)
{
    struct seg pat[GH_HTTP_MAX_SEGMENTS];
    size_t     npat = 0, np = 0, nfixed;
    int        wild;

    if (split_path(pattern, pat, &npat) == -1)
        return 0;
    wild = npat > 0 && pat[npat - 1].len == 1 && pat[npat - 1].p[0] == '*';
    nfixed = wild ? npat - 1 : npat;
    if (wild ? nsegs <= nfixed : nsegs != npat)
        return 0;
    for (size_t i = 0; i < nfixed; i++) {
        if (pat[i].p[0] == ':') {
            if (np == GH_MAX_PATH_PARAMS)
                return 0;
            m->params[np].p = segs[i].p;
            m->params[np].len = segs[i].len;
            np++;
        } else if (pat[i].len != segs[i].len || memcmp(pat[i].p, segs[i].p, segs[i].len) != 0) {
            return 0;
        }
    }
    m->nparams = np;
    if (wild) {
        m->rest.p = segs[nfixed].p;
        m->rest.len = (size_t)(segs[nsegs - 1].p + segs[nsegs - 1].len - segs[nfixed].p);
    }
    return 1;
}

static int
method_matches(const char *route_method, const char *method)
{
    if (strcmp(route_method, method) == 0)
        return 1;
    return strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0;
}

enum gh_route_result
gh_router_match(const struct gh_route *routes, size_t n, const char *method, const char *path,
    struct gh_route_match *m)
{
    struct seg segs[GH_HTTP_MAX_SEGMENTS];
    size_t     nsegs = 0;
    int        path_seen = 0;

    memset(m, 0, sizeof(*m));
    if (method == NULL || split_path(path, segs, &nsegs) == -1)
        return GH_ROUTE_NONE;
    for (size_t i = 0; i < n; i++) {
        struct gh_route_match cand = { 0 };

        if (!pattern_matches(routes[i].pattern, segs, nsegs, &cand))
            continue;
        path_seen = 1;
        if (!method_matches(routes[i].method, method))
            continue;
        *m = cand;
        m->route = &routes[i];
        m->index = i;
        return GH_ROUTE_FOUND;
    }
    return path_seen ? GH_ROUTE_NO_METHOD : GH_ROUTE_NONE;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long
gh_http_form_decode(char *s, size_t len, int plus_is_space)
{
    size_t r = 0, w = 0;

    while (r < len) {
        if (s[r] == '%') {
            int hi, lo;

            if (r + 2 >= len)
                return -1; /* truncated escape */
            hi = hexval(s[r + 1]);
            lo = hexval(s[r + 2]);
            if (hi < 0 || lo < 0)
                return -1;
            s[w++] = (char)(hi * 16 + lo);
            r += 3;
        } else if (s[r] == '+' && plus_is_space) {
            s[w++] = ' ';
            r++;
        } else {
            s[w++] = s[r++];
        }
    }
    s[w] = '\0';
    return (long)w;
}

int
gh_router_decode_param(const char *raw, size_t len, char *out, size_t outsz)
{
    long n;

    if (len == 0 || len >= outsz)
        return -1;
    memcpy(out, raw, len);
    out[len] = '\0';
    /* In a path '+' is a literal plus (RFC 3986); only %XX is decoded. */
    n = gh_http_form_decode(out, len, 0);
    if (n <= 0 || memchr(out, '/', (size_t)n) != NULL || !gh_utf8_valid(out, (size_t)n))
        return -1;
    if (strcmp(out, ".") == 0 || strcmp(out, "..") == 0)
        return -1;
    return 0;
}
