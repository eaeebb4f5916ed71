/* assets.c: Clerk's browser bundles on the frontend listener, at Clerk's own
 * path shape /npm/@clerk/<pkg>@<tag>/dist/<file…> (spec §1.5), served
 * unmodified from the npm packages scripts/setup.sh installs (src/ui/vendor).
 * Only the dist/ trees of @clerk/clerk-js and @clerk/ui are reachable: the
 * file part of a path is checked character by character before it touches
 * the file system, and files go out with sendfile, never read into memory.
 * It does not compress, list directories or serve anything but regular files. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "http/server.h"
#include "util/log.h"
#include "util/str.h"

#define ASSET_MAX_TAIL 512 /* bytes of "<file…>" after dist/; dist's deepest is ~80 */
#define ASSET_MAX_SEG  255 /* one file or directory name (NAME_MAX) */

/* Script tags are crossorigin="anonymous" (spec §1.5), so every answer
 * carries ACAO: *. Chunks are fetched at the exact version, which never
 * changes: cache them for a year. Tags ("6", "latest") move when Gatehouse's
 * pinned pair moves, so they get ten minutes. */
#define CACHE_EXACT "public, max-age=31536000, immutable"
#define CACHE_TAG   "public, max-age=600"

struct asset_pkg {
    const char *name;    /* "clerk-js": the part after "@clerk/" */
    char        version[32]; /* from its package.json; "" = not installed */
};

/* Written by gh_http_assets_init before any listener starts, read-only after. */
static struct {
    char             dir[PATH_MAX]; /* "…/node_modules"; "" = none found */
    struct asset_pkg pkgs[2];
} assets = { "", { { "clerk-js", "" }, { "ui", "" } } };

/* ---- finding the bundles ---- */

/* The "version" of dir/@clerk/<name>/package.json into out, or -1. */
static int
read_version(const char *dir, const char *name, char *out, size_t outsz)
{
    char         path[PATH_MAX + 64];
    json_error_t jerr;
    json_t      *pkg;
    const char  *v;
    int          rc = -1;

    snprintf(path, sizeof(path), "%s/@clerk/%s/package.json", dir, name);
    pkg = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
    v = json_string_value(json_object_get(pkg, "version"));
    if (v != NULL && strlen(v) < outsz && strspn(v, "0123456789.") == strlen(v)) {
        gh_strlcpy(out, v, outsz);
        rc = 0;
    }
    json_decref(pkg);
    return rc;
}

/* Canonical form of `candidate` into out when it holds @clerk/clerk-js. */
static int
usable_dir(const char *candidate, char *out)
{
    char probe[PATH_MAX + 64];

    if (realpath(candidate, out) == NULL)
        return -1;
    snprintf(probe, sizeof(probe), "%s/@clerk/clerk-js/package.json", out);
    return access(probe, R_OK);
}

/* Default places, in order: beside the real executable as the checkout lays
 * it out (build/gatehouse → ../src/ui/vendor/node_modules), then the working
 * directory (a checkout run from its root). `tried` lists them for the log. */
static int
locate_default(char *out, char *tried, size_t triedsz)
{
    char exe[PATH_MAX], cand[PATH_MAX + 64];
    char *slash;

    tried[0] = '\0';
    if (realpath("/proc/self/exe", exe) != NULL && (slash = strrchr(exe, '/')) != NULL) {
        *slash = '\0';
        snprintf(cand, sizeof(cand), "%s/../src/ui/vendor/node_modules", exe);
        snprintf(tried, triedsz, "%s", cand);
        if (usable_dir(cand, out) == 0)
            return 0;
    }
    snprintf(tried + strlen(tried), triedsz - strlen(tried), "%s./src/ui/vendor/node_modules",
        tried[0] != '\0' ? ", " : "");
    return usable_dir("./src/ui/vendor/node_modules", out);
}

int
gh_http_assets_init(const char *configured)
{
    char   dir[PATH_MAX], tried[2 * PATH_MAX + 128];
    int    found = 0, rc;
    size_t i;

    assets.dir[0] = '\0';
    for (i = 0; i < 2; i++)
        assets.pkgs[i].version[0] = '\0';
    if (configured != NULL) {
        snprintf(tried, sizeof(tried), "%s (GATEHOUSE_ASSETS_DIR)", configured);
        rc = usable_dir(configured, dir);
    } else {
        rc = locate_default(dir, tried, sizeof(tried));
    }
    if (rc == 0) {
        gh_strlcpy(assets.dir, dir, sizeof(assets.dir));
        for (i = 0; i < 2; i++)
            found += read_version(dir, assets.pkgs[i].name, assets.pkgs[i].version,
                         sizeof(assets.pkgs[i].version)) == 0;
    }
    if (found < 2) {
        gh_log_warn("browser bundles not found (looked in %s): /npm/@clerk/* answers 404 and "
                    "Clerk's components cannot load; run scripts/setup.sh (npm ci in "
                    "src/ui/vendor) or set GATEHOUSE_ASSETS_DIR", tried);
        return found;
    }
    gh_log_info("browser bundles @clerk/clerk-js %s and @clerk/ui %s from %s",
        assets.pkgs[0].version, assets.pkgs[1].version, assets.dir);
    return found;
}

/* ---- checking a request ---- */

/* The package a ":pkg" segment ("clerk-js@6") names, or NULL. *exact is 1
 * when the tag is the installed version itself. Accepted tags: the exact
 * version, a prefix of it ending at a dot ("6", "6.40") and "latest"; any
 * other version is refused rather than silently answered with this one. */
static const struct asset_pkg *
pick_pkg(const char *seg, int *exact)
{
    const char *at = strchr(seg, '@');

    *exact = 0;
    if (at == NULL)
        return NULL;
    for (size_t i = 0; i < 2; i++) {
        const struct asset_pkg *p = &assets.pkgs[i];
        const char             *tag = at + 1;
        size_t                  tl = strlen(tag);

        if (strlen(p->name) != (size_t)(at - seg) || strncmp(seg, p->name, (size_t)(at - seg)) != 0)
            continue;
        if (p->version[0] == '\0')
            return NULL;
        if (strcmp(tag, p->version) == 0) {
            *exact = 1;
            return p;
        }
        if (strcmp(tag, "latest") == 0 ||
            (tl > 0 && strspn(tag, "0123456789.") == tl && strncmp(tag, p->version, tl) == 0 &&
                p->version[tl] == '.'))
            return p;
        return NULL;
    }
    return NULL;
}

/* 1 when the raw tail is a plain relative file path: segments of
 * [A-Za-z0-9._-] that do not start with '.', so no "..", hidden file,
 * %-escape (no encoded '/' or NUL), backslash or empty segment gets through.
 * Every file in the published dist/ trees fits this. */
static int
tail_ok(const char *tail)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
    const char       *p = tail;

    if (tail == NULL || strlen(tail) > ASSET_MAX_TAIL)
        return 0;
    for (;;) {
        size_t n = strspn(p, ok);

        if (n == 0 || n > ASSET_MAX_SEG || p[0] == '.')
            return 0;
        p += n;
        if (*p == '\0')
            return 1;
        if (*p != '/')
            return 0;
        p++;
    }
}

/* Content-Type by extension. HTML and anything unknown go out as
 * application/octet-stream (with nosniff): nothing here should ever render
 * as a page on Gatehouse's origin. */
static const char *
content_type(const char *tail)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        { "js", "text/javascript; charset=utf-8" }, { "mjs", "text/javascript; charset=utf-8" },
        { "cjs", "text/javascript; charset=utf-8" }, { "css", "text/css; charset=utf-8" },
        { "json", "application/json; charset=utf-8" }, { "map", "application/json; charset=utf-8" },
        { "wasm", "application/wasm" }, { "svg", "image/svg+xml" }, { "png", "image/png" },
        { "jpg", "image/jpeg" }, { "jpeg", "image/jpeg" }, { "gif", "image/gif" },
        { "webp", "image/webp" }, { "ico", "image/x-icon" }, { "woff", "font/woff" },
        { "woff2", "font/woff2" }, { "ttf", "font/ttf" }, { "txt", "text/plain; charset=utf-8" },
        { "md", "text/plain; charset=utf-8" }, { "ts", "text/plain; charset=utf-8" },
    };
    const char *base = strrchr(tail, '/'), *dot;

    dot = strrchr(base != NULL ? base : tail, '.');
    if (dot != NULL)
        for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
            if (strcmp(dot + 1, types[i].ext) == 0)
                return types[i].type;
    return "application/octet-stream";
}

/* ---- answering ---- */

/* RFC 9110 §13.1.2: If-None-Match is "*" or a list of entity tags; a weak
 * comparison is enough for GET. */
static int
etag_listed(const char *header, const char *etag)
{
    size_t n = strlen(etag);

    for (const char *p = header; p != NULL && *p != '\0';) {
        p += strspn(p, " \t,");
        if (*p == '*')
            return 1;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        if (strncmp(p, etag, n) == 0 && (p[n] == '\0' || p[n] == ',' || p[n] == ' '))
            return 1;
        p = strchr(p, ',');
    }
    return 0;
}

/* RFC 9110 §13.1.3/§13.2.2: If-Modified-Since counts only without
 * If-None-Match; an unparsable date is ignored. */
static int
not_modified(const struct gh_req *req, const char *etag, time_t mtime)
{
    const char *inm = gh_req_header(req, "If-None-Match");
    const char *ims = gh_req_header(req, "If-Modified-Since");
    struct tm   tm = { 0 };
    const char *end;

    if (inm != NULL)
        return etag_listed(inm, etag);
    if (ims == NULL || (end = strptime(ims, "%a, %d %b %Y %H:%M:%S GMT", &tm)) == NULL ||
        *end != '\0')
        return 0;
    return mtime <= timegm(&tm);
}

static void
add_cache_headers(struct gh_resp *resp, int exact, const char *etag, time_t mtime)
{
    char      date[64];
    struct tm tm;

    /* The listener's credentialed CORS (cors.c) echoed an allowed Origin before
     * routing; a second Access-Control-Allow-Origin would make the browser
     * refuse the script, so the public-asset answer replaces it. */
    gh_resp_unset_header(resp, "Access-Control-Allow-Origin");
    gh_resp_unset_header(resp, "Access-Control-Allow-Credentials");
    gh_resp_unset_header(resp, "Access-Control-Expose-Headers");
    gh_resp_header(resp, "Access-Control-Allow-Origin", "*");
    gh_resp_header(resp, "Cross-Origin-Resource-Policy", "cross-origin");
    gh_resp_header(resp, "Cache-Control", exact ? CACHE_EXACT : CACHE_TAG);
    gh_resp_header(resp, "ETag", etag);
    if (gmtime_r(&mtime, &tm) != NULL &&
        strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm) > 0)
        gh_resp_header(resp, "Last-Modified", date);
}

/* Opens dir/@clerk/<pkg>/dist/<tail> as a regular file (the last component
 * may not be a symlink); -1 with errno-style reason in *why otherwise. */
static int
open_asset(const struct asset_pkg *p, const char *tail, struct stat *st, const char **why)
{
    char path[PATH_MAX + ASSET_MAX_TAIL + 64];
    int  fd, n;

    n = snprintf(path, sizeof(path), "%s/@clerk/%s/dist/%s", assets.dir, p->name, tail);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        *why = "path too long";
        return -1;
    }
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd == -1) {
        *why = errno == ELOOP ? "symlink refused" : "no such file";
        return -1;
    }
    if (fstat(fd, st) == -1 || !S_ISREG(st->st_mode)) {
        close(fd);
        *why = "not a regular file";
        return -1;
    }
    return fd;
}

int
gh_http_assets_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    const struct asset_pkg *p;
    const char             *why = NULL;
    struct stat             st;
    char                    etag[64];
    int                     exact, fd;

    if (req->nparams != 1 || (p = pick_pkg(req->params[0], &exact)) == NULL) {
        GH_FAIL(err, GH_E_ROUTE_NOT_FOUND, NULL);
        gh_err_note(err, "no such bundle version (serving clerk-js %s, ui %s)",
            assets.pkgs[0].version[0] != '\0' ? assets.pkgs[0].version : "none",
            assets.pkgs[1].version[0] != '\0' ? assets.pkgs[1].version : "none");
        return -1;
    }
    if (!tail_ok(req->wild)) {
        GH_FAIL(err, GH_E_ROUTE_NOT_FOUND, NULL);
        gh_err_note(err, "asset path refused");
        return -1;
    }
    if ((fd = open_asset(p, req->wild, &st, &why)) == -1) {
        GH_FAIL(err, GH_E_ROUTE_NOT_FOUND, NULL);
        gh_err_note(err, "asset: %s", why);
        return -1;
    }
    snprintf(etag, sizeof(etag), "\"%llx-%llx\"", (unsigned long long)st.st_size,
        (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
            (unsigned long long)st.st_mtim.tv_nsec);
    if (not_modified(req, etag, st.st_mtim.tv_sec)) {
        close(fd);
        gh_resp_body(resp, 304, content_type(req->wild), "", 0);
    } else {
        gh_resp_file(resp, 200, content_type(req->wild), fd, (uint64_t)st.st_size);
    }
    add_cache_headers(resp, exact, etag, st.st_mtim.tv_sec);
    return 0;
}
