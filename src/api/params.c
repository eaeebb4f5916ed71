/* params.c: see params.h. */
#include "api/params.h"

#include <string.h>

#include "store/records.h"
#include "util/str.h"

int
gh_api_paging(const struct gh_req *req, int64_t *limit, int64_t *offset, struct gh_err *err)
{
    const char *l = gh_req_query(req, "limit"), *o = gh_req_query(req, "offset");
    uint64_t    v;

    *limit = 10;
    *offset = 0;
    if (l != NULL) {
        if (gh_parse_uint(l, 1, 500, &v) == -1)
            return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "limit",
                "must be an integer between 1 and 500");
        *limit = (int64_t)v;
    }
    if (o != NULL) {
        if (gh_parse_uint(o, 0, INT32_MAX, &v) == -1)
            return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "offset",
                "must be a non-negative integer");
        *offset = (int64_t)v;
    }
    return 0;
}

int
gh_api_paginated(const struct gh_req *req)
{
    const char *p = gh_req_query(req, "paginated");

    return p != NULL && (strcmp(p, "true") == 0 || strcmp(p, "1") == 0);
}

int
gh_api_query_bool(const struct gh_req *req, const char *name, int dflt, int *out,
    struct gh_err *err)
{
    const char *v = gh_req_query(req, name);

    *out = dflt;
    if (v == NULL)
        return 0;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        *out = 1;
    else if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        *out = 0;
    else
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, name, "must be true or false");
    return 0;
}

int
gh_api_order_by(const struct gh_req *req, const char *const *allowed, const char *dflt_field,
    int dflt_desc, const char **field, int *desc, struct gh_err *err)
{
    const char *v = gh_req_query(req, "order_by");

    *field = dflt_field;
    *desc = dflt_desc;
    if (v == NULL || *v == '\0')
        return 0;
    *desc = 0;
    if (*v == '-' || *v == '+' || *v == ' ') /* '+' arrives as ' ' once form-decoded */
        *desc = *v++ == '-';
    for (size_t i = 0; allowed[i] != NULL; i++) {
        if (strcmp(v, allowed[i]) == 0) {
            *field = allowed[i];
            return 0;
        }
    }
    return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "order_by", "is not a supported ordering");
}

int
gh_api_body_str(json_t *body, const char *key, const char **out, struct gh_err *err)
{
    json_t *v = json_object_get(body, key);

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_string(v))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, key, "must be a string");
    /* Bodies are parsed with JSON_ALLOW_NUL (passwords keep their length);
     * every other string must not hide a NUL that C would truncate at. */
    if (strlen(json_string_value(v)) != json_string_length(v))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, key, "must not contain NUL characters");
    *out = json_string_value(v);
    return 0;
}

int
gh_api_body_bool(json_t *body, const char *key, int *present, int *out, struct gh_err *err)
{
    json_t *v = json_object_get(body, key);

    *present = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, key, "must be a boolean");
    *present = 1;
    *out = json_is_true(v);
    return 0;
}

int
gh_api_body_int(json_t *body, const char *key, int *present, int64_t *out, struct gh_err *err)
{
    json_t *v = json_object_get(body, key);

    *present = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_integer(v))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, key, "must be an integer");
    *present = 1;
    *out = (int64_t)json_integer_value(v);
    return 0;
}

int
gh_api_body_obj(json_t *body, const char *key, json_t **out, struct gh_err *err)
{
    json_t *v = json_object_get(body, key);

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return 0;
    if (!json_is_object(v))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, key, "must be an object");
    *out = v;
    return 0;
}

int
gh_api_body_strs(json_t *body, const char *key, const char **out, size_t max, size_t *n,
    struct gh_err *err)
{
    json_t *v = json_object_get(body, key), *it;
    size_t  i;

    *n = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (json_is_string(v)) {
        if (strlen(json_string_value(v)) != json_string_length(v))
            return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, key, "must not contain NUL characters");
        if (max > 0)
            out[0] = json_string_value(v);
        *n = 1;
        return 0;
    }
    if (!json_is_array(v))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, key, "must be an array of strings");
    json_array_foreach(v, i, it) {
        if (!json_is_string(it) || strlen(json_string_value(it)) != json_string_length(it))
            return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, key, "must be an array of strings");
        if (i < max)
            out[i] = json_string_value(it);
    }
    *n = json_array_size(v);
    return 0;
}

json_t *
gh_api_list(json_t *data, int64_t total)
{
    return json_pack("{s:o,s:I}", "data", data, "total_count", (json_int_t)total);
}

json_t *
gh_api_deleted(const char *object, const char *id)
{
    return json_pack("{s:s,s:s,s:b}", "object", object, "id", id, "deleted", 1);
}

json_t *
gh_api_time(int64_t ms)
{
    return ms == GH_TIME_NULL ? json_null() : json_integer((json_int_t)ms);
}

json_t *
gh_api_str(const char *s)
{
    return s != NULL ? json_string(s) : json_null();
}

json_t *
gh_api_obj_text(const char *text)
{
    json_t *o = text != NULL ? json_loads(text, 0, NULL) : NULL;

    if (o == NULL || !json_is_object(o)) {
        json_decref(o);
        return json_object();
    }
    return o;
}
