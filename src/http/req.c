/* req.c: what handlers read from a request (http.h): headers, the query
 * string (parsed here from the raw request-target, because libmicrohttpd's
 * argument table drops repeated keys), and the JSON body, parsed once with
 * duplicate keys refused and nesting bounded. Limits on sizes are enforced
 * earlier, in server.c; nothing here logs request content. */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/router.h"
#include "http/server.h"
#include "util/str.h"

static struct gh_http_req *
impl(const struct gh_req *req)
{
    return (struct gh_http_req *)req->impl;
}

const char *
gh_req_header(const struct gh_req *req, const char *name)
{
    struct gh_http_req *r = impl(req);

    if (r == NULL || r->conn == NULL || name == NULL)
        return NULL;
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_HEADER_KIND, name);
}

const char *
gh_req_cookie(const struct gh_req *req, const char *name)
{
    struct gh_http_req *r = impl(req);

    if (r == NULL || r->conn == NULL || name == NULL)
        return NULL;
    /* MHD parses the Cookie header into its own table (first wins). */
    return MHD_lookup_connection_value((struct MHD_Connection *)r->conn, MHD_COOKIE_KIND, name);
}

/* Decodes one key or value in place; -1 on a bad escape, NUL or invalid UTF-8. */
static int
decode_part(char *s, size_t len)
{
    long n = gh_http_form_decode(s, len, 1);

    if (n < 0)
        return -1;
    return gh_utf8_valid(s, (size_t)n) ? 0 : -1;
}

static int
add_pair(struct gh_query *q, char *part, size_t len, struct gh_err *err)
{
    char  *eq = memchr(part, '=', len);
    size_t klen = eq != NULL ? (size_t)(eq - part) : len;
    char  *val = eq != NULL ? eq + 1 : part + len; /* "" when there is no '=' */
    size_t vlen = eq != NULL ? len - klen - 1 : 0;
    size_t dk;

    if (q->n == GH_HTTP_MAX_QUERY_PARAMS)
        return GH_FAIL(err, GH_E_BAD_REQUEST, "Too many query parameters");
    if (decode_part(val, vlen) == -1 || decode_part(part, klen) == -1)
        return GH_FAIL(err, GH_E_BAD_REQUEST, "Malformed query string");
    dk = strlen(part);
    if (dk > 2 && strcmp(part + dk - 2, "[]") == 0)
        part[dk - 2] = '\0'; /* "status[]=x" means "status=x" for some clients */
    q->pairs[q->n].key = part;
    q->pairs[q->n].value = val;
    q->n++;
    return 0;
}

int
gh_query_parse(struct gh_query *q, const char *raw, struct gh_err *err)
{
    char *p;

    memset(q, 0, sizeof(*q));
    if (raw == NULL || raw[0] == '\0')
        return 0;
    q->buf = gh_strdup(raw);
    if (q->buf == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    p = q->buf;
    while (*p != '\0') {
        char  *amp = strchr(p, '&');
        size_t len = amp != NULL ? (size_t)(amp - p) : strlen(p);
        char  *next = amp != NULL ? amp + 1 : p + len;

        /* Cut at '&' first: decoding happens inside the piece, so an encoded
         * %26 can never split a pair. */
        p[len] = '\0';
        if (len > 0 && add_pair(q, p, len, err) == -1) {
            gh_query_clear(q);
            return -1;
        }
        p = next;
    }
    return 0;
}

void
gh_query_clear(struct gh_query *q)
{
    free(q->buf);
    memset(q, 0, sizeof(*q));
}

const char *
gh_req_query(const struct gh_req *req, const char *name)
{
    const char *v = NULL;

    return gh_req_query_all(req, name, &v, 1) > 0 ? v : NULL;
}

size_t
gh_req_query_all(const struct gh_req *req, const char *name, const char **out, size_t max)
{
    struct gh_http_req *r = impl(req);
    size_t              found = 0;

    if (r == NULL || name == NULL)
        return 0;
    for (size_t i = 0; i < r->query.n; i++) {
        if (strcmp(r->query.pairs[i].key, name) != 0)
            continue;
        if (found < max)
            out[found] = r->query.pairs[i].value;
        found++;
    }
    return found;
}

int
gh_http_is_json_ctype(const char *ctype)
{
    static const char mime[] = "application/json";
    size_t            n = sizeof(mime) - 1;

    if (ctype == NULL)
        return 0;
    while (*ctype == ' ' || *ctype == '\t')
        ctype++;
    if (strncasecmp(ctype, mime, n) != 0)
        return 0;
    return ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ' || ctype[n] == '\t';
}

/* Depth of nested arrays/objects; stops counting past limit. jansson's own
 * parser bound (2048) keeps this recursion shallow. */
static int
too_deep(json_t *j, int depth)
{
    const char *key;
    json_t     *v;
    size_t      i;

    if (!json_is_object(j) && !json_is_array(j))
        return 0;
    if (depth > GH_HTTP_MAX_JSON_DEPTH)
        return 1;
    if (json_is_object(j)) {
        json_object_foreach(j, key, v)
            if (too_deep(v, depth + 1))
                return 1;
    } else {
        json_array_foreach(j, i, v)
            if (too_deep(v, depth + 1))
                return 1;
    }
    return 0;
}

static int
all_space(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

/* 1 when a Content-Type value names application/x-www-form-urlencoded. */
static int
is_form_ctype(const char *ctype)
{
    static const char mime[] = "application/x-www-form-urlencoded";
    size_t            n = sizeof(mime) - 1;

    if (ctype == NULL)
        return 0;
    while (*ctype == ' ' || *ctype == '\t')
        ctype++;
    return strncasecmp(ctype, mime, n) == 0 &&
        (ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ');
}

/* Frontend API (issue 4): a form body becomes the JSON object handlers read:
 * each key a string, a repeated key an array of strings in order. Parsed with
 * the query-string rules (escapes, UTF-8, NUL and pair count checked). */
static int
form_to_json(struct gh_req *req, struct gh_http_req *r, struct gh_err *err)
{
    struct gh_query q;
    json_t         *o = NULL;

    memset(&q, 0, sizeof(q));
    if (gh_query_parse(&q, req->body, err) == -1) {
        err->code = GH_E_BODY_INVALID;
        return -1;
    }
    if ((o = json_object()) == NULL)
        goto nomem;
    for (size_t i = 0; i < q.n; i++) {
        json_t *prev = json_object_get(o, q.pairs[i].key);
        json_t *v = json_string(q.pairs[i].value);

        if (v == NULL)
            goto nomem;
        if (prev == NULL) {
            if (json_object_set_new(o, q.pairs[i].key, v) == -1)
                goto nomem;
        } else if (json_is_array(prev)) {
            if (json_array_append_new(prev, v) == -1)
                goto nomem;
        } else {
            json_t *a = json_pack("[OO]", prev, v);

            json_decref(v);
            if (a == NULL || json_object_set_new(o, q.pairs[i].key, a) == -1)
                goto nomem;
        }
    }
    gh_query_clear(&q);
    r->json = o;
    return 0;
nomem:
    gh_query_clear(&q);
    json_decref(o);
    return GH_FAIL(err, GH_E_NOMEM, NULL);
}

static int
parse_body(struct gh_req *req, struct gh_http_req *r, struct gh_err *err)
{
    json_error_t jerr;

    if (req->body_len == 0 || all_space(req->body, req->body_len)) {
        r->json = json_object();
        return r->json != NULL ? 0 : GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    if (r->fapi && is_form_ctype(gh_req_header(req, "Content-Type")))
        return form_to_json(req, r, err);
    if (!gh_http_is_json_ctype(gh_req_header(req, "Content-Type")))
        return GH_FAIL(err, GH_E_UNSUPPORTED_MEDIA, "Content-Type must be application/json");
    /* JSON_ALLOW_NUL: passwords keep their real length; params.c refuses NUL
     * in every other string. Invalid UTF-8 is refused by jansson itself. */
    r->json = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (r->json == NULL) {
        GH_FAIL(err, GH_E_BODY_INVALID, json_error_code(&jerr) == json_error_duplicate_key ?
            "Request body has a duplicate key" : "Request body is not valid JSON");
        gh_err_note(err, "json line %d col %d: %s", jerr.line, jerr.column, jerr.text);
        return -1;
    }
    if (too_deep(r->json, 1)) {
        json_decref(r->json);
        r->json = NULL;
        return GH_FAIL(err, GH_E_BODY_INVALID, "Request body is nested too deeply");
    }
    return 0;
}

static int
load_json(struct gh_req *req, json_t **out, struct gh_err *err)
{
    struct gh_http_req *r = impl(req);

    *out = NULL;
    if (r == NULL)
        return GH_FAIL(err, GH_E_INTERNAL, NULL);
    if (!r->json_done) {
        r->json_done = 1;
        if (parse_body(req, r, &r->json_err) == -1 && r->json_err.code == GH_E_OK)
            GH_FAIL(&r->json_err, GH_E_INTERNAL, NULL);
    }
    if (r->json == NULL) {
        if (err != NULL && err->code == GH_E_OK)
            *err = r->json_err;
        return -1;
    }
    *out = r->json;
    return 0;
}

int
gh_req_json(struct gh_req *req, json_t **out, struct gh_err *err)
{
    if (load_json(req, out, err) == -1)
        return -1;
    if (!json_is_object(*out)) {
        *out = NULL;
        return GH_FAIL(err, GH_E_BODY_INVALID, "Request body must be a JSON object");
    }
    return 0;
}

int
gh_req_json_any(struct gh_req *req, json_t **out, struct gh_err *err)
{
    if (load_json(req, out, err) == -1)
        return -1;
    if (!json_is_object(*out) && !json_is_array(*out)) {
        *out = NULL;
        return GH_FAIL(err, GH_E_BODY_INVALID, "Request body must be a JSON object or array");
    }
    return 0;
}

void
gh_http_req_clear(struct gh_http_req *r)
{
    gh_resp_clear(&r->resp);
    gh_query_clear(&r->query);
    json_decref(r->json);
    free(r->uri);
    free(r->path);
    free(r->param_buf);
    free(r->body);
    memset(r, 0, sizeof(*r));
}
