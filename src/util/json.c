/* json.c: see json.h. The only jansson user outside src/http and src/api.
 * Parsing allows NUL inside strings (\u0000 round-trips) and refuses
 * duplicate keys; output goes through a capped gh_buf so an oversized result
 * is refused without first building it whole. */
#include "util/json.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

#define LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL)

static json_t *
load_object(const char *text)
{
    json_t *v;

    if (text == NULL)
        return NULL;
    v = json_loads(text, LOAD_FLAGS, NULL);
    if (v != NULL && !json_is_object(v)) {
        json_decref(v);
        return NULL;
    }
    return v;
}

static int
dump_cb(const char *p, size_t n, void *data)
{
    struct gh_buf *b = data;

    gh_buf_addn(b, p, n);
    return gh_buf_failed(b) ? -1 : 0;
}

/* Compact serialisation of v into *out, at most max bytes; -1 when longer. */
static int
dump_capped(const json_t *v, size_t max, char **out)
{
    struct gh_buf b;

    *out = NULL;
    gh_buf_init(&b, max);
    if (json_dump_callback(v, dump_cb, &b, JSON_COMPACT) == -1 || gh_buf_failed(&b)) {
        gh_buf_clear(&b);
        return -1;
    }
    if (gh_buf_len(&b) == 0)
        gh_buf_add(&b, "{}"); /* unreachable for objects; keeps *out non-NULL */
    *out = gh_buf_take(&b);
    return *out != NULL ? 0 : -1;
}

int
gh_json_is_object(const char *text)
{
    json_t *v = load_object(text);
    int     ok = v != NULL;

    json_decref(v);
    return ok;
}

int
gh_json_object_canon(const char *text, size_t max, const char *param, char **out,
    struct gh_err *err)
{
    json_t *v = load_object(text);
    int     rc = -1;

    *out = NULL;
    if (v == NULL) {
        GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, param, "must be a JSON object");
        goto done;
    }
    if (dump_capped(v, max, out) == -1) {
        GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, param, "exceeds the maximum allowed size");
        gh_err_note(err, "limit=%zu bytes", max);
        goto done;
    }
    rc = 0;
done:
    json_decref(v);
    return rc;
}

/* Merges patch into target in place. Returns -1 only on OOM. */
static int
merge_into(json_t *target, json_t *patch)
{
    const char *key;
    json_t     *pv, *tv, *fresh;

    json_object_foreach(patch, key, pv) {
        if (json_is_null(pv)) {
            json_object_del(target, key); /* absent is fine */
            continue;
        }
        if (!json_is_object(pv)) {
            if (json_object_set(target, key, pv) == -1)
                return -1;
            continue;
        }
        tv = json_object_get(target, key);
        if (tv != NULL && json_is_object(tv)) {
            if (merge_into(tv, pv) == -1)
                return -1;
            continue;
        }
        /* RFC 7396 §2: a patch object applied to a non-object applies to {}. */
        fresh = json_object();
        if (fresh == NULL || merge_into(fresh, pv) == -1 ||
            json_object_set_new(target, key, fresh) == -1) {
            json_decref(fresh);
            return -1;
        }
    }
    return 0;
}

int
gh_json_merge(const char *base, const char *patch, size_t max, const char *param,
    char **out, struct gh_err *err)
{
    json_t *b = load_object(base), *p = load_object(patch);
    int     rc = -1;

    *out = NULL;
    if (p == NULL) {
        GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, param, "must be a JSON object");
        goto done;
    }
    if (b == NULL && (b = json_object()) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    if (merge_into(b, p) == -1) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    if (dump_capped(b, max, out) == -1) {
        GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, param, "exceeds the maximum allowed size");
        gh_err_note(err, "limit=%zu bytes", max);
        goto done;
    }
    rc = 0;
done:
    json_decref(b);
    json_decref(p);
    return rc;
}

/* Loads text as an object for the field readers; NULL when it is not one. */
static json_t *
field_doc(const char *text)
{
    json_t *o = text != NULL ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;

    if (o != NULL && !json_is_object(o)) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int
gh_json_field_int(const char *text, const char *key, int64_t *out)
{
    json_t *o = field_doc(text), *v;
    int     rc = -1;

    if (o == NULL)
        return -1;
    v = json_object_get(o, key);
    if (v == NULL) {
        rc = 0;
    } else if (json_is_integer(v)) {
        *out = (int64_t)json_integer_value(v);
        rc = 1;
    }
    json_decref(o);
    return rc;
}

int
gh_json_field_str(const char *text, const char *key, char *out, size_t size)
{
    json_t *o = field_doc(text), *v;
    int     rc = -1;

    if (o == NULL)
        return -1;
    v = json_object_get(o, key);
    if (v == NULL) {
        rc = 0;
    } else if (json_is_string(v) && json_string_length(v) < size &&
        strlen(json_string_value(v)) == json_string_length(v)) {
        memcpy(out, json_string_value(v), json_string_length(v) + 1);
        rc = 1;
    }
    json_decref(o);
    return rc;
}
