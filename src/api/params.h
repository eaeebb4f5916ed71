/* params.h: input helpers shared by Backend and Frontend API handlers: paging
 * from the query string, typed reads of JSON body fields that name the
 * offending parameter on error, and the common reply envelopes. */
#ifndef GH_API_PARAMS_H
#define GH_API_PARAMS_H

#include <jansson.h>
#include <stdint.h>

#include "http/http.h"

/* limit (1–500, default 10) and offset (≥ 0, default 0) from the query. The
 * SDK never sends falsy values, so absence means the default. */
int gh_api_paging(const struct gh_req *req, int64_t *limit, int64_t *offset, struct gh_err *err);
/* 1 when the query has paginated=true (answer {data,total_count}; else a bare array). */
int gh_api_paginated(const struct gh_req *req);
/* Query boolean: "true"/"1" → 1, "false"/"0" → 0, absent → dflt; else -1 with err. */
int gh_api_query_bool(const struct gh_req *req, const char *name, int dflt, int *out,
    struct gh_err *err);
/* order_by: optional leading '+' or '-' then a name from `allowed` (NULL-terminated).
 * Absent → dflt_field/dflt_desc. Unknown field → GH_E_PARAM_INVALID naming order_by. */
int gh_api_order_by(const struct gh_req *req, const char *const *allowed, const char *dflt_field,
    int dflt_desc, const char **field, int *desc, struct gh_err *err);

/* Typed reads of body fields. Absent or JSON null → *out NULL / *present 0 and
 * return 0; wrong type → GH_E_PARAM_INVALID naming the key. Strings with an
 * embedded NUL are refused (read a password with json_string_length instead). */
int gh_api_body_str(json_t *body, const char *key, const char **out, struct gh_err *err);
int gh_api_body_bool(json_t *body, const char *key, int *present, int *out, struct gh_err *err);
int gh_api_body_int(json_t *body, const char *key, int *present, int64_t *out,
    struct gh_err *err);
/* A JSON object field (metadata); absent/null → NULL. Borrowed. */
int gh_api_body_obj(json_t *body, const char *key, json_t **out, struct gh_err *err);
/* A string or array of strings (the SDK sends email_address as an array);
 * returns the count in *n and up to max borrowed strings. */
int gh_api_body_strs(json_t *body, const char *key, const char **out, size_t max, size_t *n,
    struct gh_err *err);

/* {"data":data,"total_count":total}; steals data. */
json_t *gh_api_list(json_t *data, int64_t total);
/* {"object":object,"id":id,"deleted":true} */
json_t *gh_api_deleted(const char *object, const char *id);
/* JSON integer for a time, or null for GH_TIME_NULL. */
json_t *gh_api_time(int64_t ms);
/* JSON string or null. */
json_t *gh_api_str(const char *s);
/* Parses JSON object text (metadata columns) into a new object; "{}" on junk. */
json_t *gh_api_obj_text(const char *text);

#endif
