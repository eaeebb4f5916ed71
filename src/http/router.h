/* router.h: matching a request's method and raw path against a route table.
 * Matching works on the raw (still percent-encoded) path segments, so an
 * encoded "/" can never split or join segments; only the captured ":x"
 * parameters are decoded afterwards. A pattern may end in "*", which matches
 * one or more further segments and is handed over raw (its handler checks
 * it). No allocation, no MHD types. */
#ifndef GH_HTTP_ROUTER_H
#define GH_HTTP_ROUTER_H

#include <stddef.h>

#include "http/http.h"

enum gh_route_result {
    GH_ROUTE_FOUND = 0,  /* m->route set */
    GH_ROUTE_NO_METHOD,  /* some pattern matches the path, none with this method (405) */
    GH_ROUTE_NONE,       /* no pattern matches the path (404) */
};

struct gh_route_match {
    const struct gh_route *route; /* borrowed from the table */
    size_t                 index; /* position of route in the table */
    size_t                 nparams;
    struct {
        const char *p;            /* points into the path passed to gh_router_match */
        size_t      len;
    } params[GH_MAX_PATH_PARAMS]; /* raw (encoded) ":x" segments, in pattern order */
    struct {
        const char *p;            /* NULL unless the pattern ends in "*" */
        size_t      len;          /* the raw segments it matched, "a/b.js" (no trailing "/") */
    } rest;
};

/* Finds the first route in table order whose method and pattern match. HEAD
 * matches GET routes. One trailing slash on the path is tolerated; empty
 * segments ("//") and paths not starting with "/" match nothing. A final "*"
 * needs at least one segment: "/npm/:pkg/dist/" + "*" does not match "/npm/x/dist". */
enum gh_route_result gh_router_match(const struct gh_route *routes, size_t n, const char *method,
    const char *path, struct gh_route_match *m);

/* Percent-decodes one raw path parameter into out[outsz] (NUL-terminated).
 * Returns -1 on a malformed escape, a decoded "/" or NUL, invalid UTF-8, the
 * values "." and "..", or when out is too small: such a parameter can never
 * name a resource. */
int gh_router_decode_param(const char *raw, size_t len, char *out, size_t outsz);

/* Decodes application/x-www-form-urlencoded text in place (%XX, '+' → space)
 * over s[0..len); writes the NUL and returns the decoded length, or -1 on a
 * malformed escape. Shared by the query parser. */
long gh_http_form_decode(char *s, size_t len, int plus_is_space);

#endif
