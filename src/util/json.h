/* json.h: JSON text helpers for layers that must not see jansson (core):
 * checking that text is a JSON object within a size cap, and the metadata
 * deep merge (RFC 7396 style: null deletes, objects merge, anything else
 * replaces). Everything crosses as NUL-terminated text; results are
 * re-serialised compactly. jansson is used inside json.c only. */
#ifndef GH_UTIL_JSON_H
#define GH_UTIL_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Clerk's limit on each metadata blob (public, private, unsafe), serialised. */
#define GH_JSON_METADATA_MAX 8192

/* 1 when text parses (duplicate keys refused) as a JSON object; 0 otherwise. */
int gh_json_is_object(const char *text);

/* Parses text as a JSON object and writes its compact serialisation to *out
 * (malloc'd; caller frees). Not an object, or longer than max bytes once
 * serialised → -1 with GH_E_PARAM_INVALID naming `param`. *out NULL on error. */
int gh_json_object_canon(const char *text, size_t max, const char *param, char **out,
    struct gh_err *err);

/* Deep-merges the object `patch` into the object `base` and writes the
 * compact result to *out (malloc'd): a null value deletes the key at any
 * depth; an object merges into an object; an object replacing a non-object is
 * merged into {} (so its nulls vanish too); arrays and scalars replace whole.
 * base that is not an object counts as {}. patch not an object, or a result
 * longer than max → -1 with GH_E_PARAM_INVALID naming `param`. */
int gh_json_merge(const char *base, const char *patch, size_t max, const char *param,
    char **out, struct gh_err *err);

/* Top-level field readers for an object's text (claims, settings). Each parses
 * the text; not for hot paths. Return 1 when the key holds a value of the
 * wanted type, 0 when the key is absent, -1 when the text is not an object or
 * the value has another type (or, for strings, does not fit out[size] or holds
 * a NUL). */
int gh_json_field_int(const char *text, const char *key, int64_t *out);
int gh_json_field_str(const char *text, const char *key, char *out, size_t size);

#endif
