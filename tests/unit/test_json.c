/* test_json.c: util/json.c: object checks and the metadata deep merge
 * (null deletes at any depth, objects merge, arrays and scalars replace,
 * the size cap names the field). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/json.h"

/* Merges and compares the compact result. */
static void
merge_is(const char *base, const char *patch, const char *want)
{
    struct gh_err err = { 0 };
    char         *out = NULL;

    assert_int_equal(gh_json_merge(base, patch, GH_JSON_METADATA_MAX, "public_metadata", &out,
                         &err), 0);
    assert_string_equal(out, want);
    free(out);
}

static void
test_merge_adds_and_overwrites_top_level(void **state)
{
    merge_is("{\"a\":1,\"b\":2}", "{\"b\":3,\"c\":4}", "{\"a\":1,\"b\":3,\"c\":4}");
}

static void
test_merge_recurses_into_nested_objects(void **state)
{
    merge_is("{\"p\":{\"x\":1,\"y\":{\"z\":1}}}", "{\"p\":{\"y\":{\"w\":2}}}",
        "{\"p\":{\"x\":1,\"y\":{\"z\":1,\"w\":2}}}");
}

static void
test_merge_null_deletes_at_depth(void **state)
{
    merge_is("{\"a\":1,\"p\":{\"x\":1,\"y\":{\"z\":1,\"k\":2}}}",
        "{\"a\":null,\"p\":{\"y\":{\"z\":null}}}", "{\"p\":{\"x\":1,\"y\":{\"k\":2}}}");
    /* deleting an absent key is not an error */
    merge_is("{\"a\":1}", "{\"nope\":null,\"p\":{\"q\":null}}", "{\"a\":1,\"p\":{}}");
}

static void
test_merge_replaces_non_object_with_object(void **state)
{
    /* the patch object lands on {} so its own nulls vanish too */
    merge_is("{\"a\":5}", "{\"a\":{\"x\":1,\"y\":null}}", "{\"a\":{\"x\":1}}");
}

static void
test_merge_replaces_arrays_whole(void **state)
{
    merge_is("{\"a\":[1,2,3],\"b\":{\"c\":1}}", "{\"a\":[4],\"b\":[1]}", "{\"a\":[4],\"b\":[1]}");
}

static void
test_merge_keeps_camel_case_keys_and_nul_strings(void **state)
{
    merge_is("{}", "{\"fooBar\":\"a\\u0000b\"}", "{\"fooBar\":\"a\\u0000b\"}");
}

static void
test_merge_base_junk_counts_as_empty(void **state)
{
    merge_is("[1,2]", "{\"a\":1}", "{\"a\":1}");
    merge_is(NULL, "{\"a\":1}", "{\"a\":1}");
}

static void
test_merge_rejects_non_object_patch(void **state)
{
    struct gh_err err = { 0 };
    char         *out = NULL;

    assert_int_equal(gh_json_merge("{}", "[1]", 100, "private_metadata", &out, &err), -1);
    assert_int_equal(err.code, GH_E_PARAM_INVALID);
    assert_string_equal(err.param, "private_metadata");
    assert_null(out);
}

static void
test_merge_refuses_result_over_cap(void **state)
{
    struct gh_err err = { 0 };
    char         *out = NULL;
    char          big[9000];

    memset(big, 'x', sizeof(big));
    memcpy(big, "{\"k\":\"", 6);
    memcpy(big + sizeof(big) - 3, "\"}", 3);
    assert_int_equal(gh_json_merge("{}", big, GH_JSON_METADATA_MAX, "unsafe_metadata", &out,
                         &err), -1);
    assert_int_equal(err.code, GH_E_PARAM_INVALID);
    assert_string_equal(err.param, "unsafe_metadata");
    assert_null(out);
}

static void
test_canon_accepts_objects_only(void **state)
{
    struct gh_err err = { 0 };
    char         *out = NULL;

    assert_int_equal(gh_json_object_canon("{ \"a\" : [ 1 , 2 ] }", 100, "public_metadata", &out,
                         &err), 0);
    assert_string_equal(out, "{\"a\":[1,2]}");
    free(out);
    assert_int_equal(gh_json_object_canon("\"str\"", 100, "public_metadata", &out, &err), -1);
    assert_int_equal(err.code, GH_E_PARAM_INVALID);
    assert_null(out);
}

static void
test_canon_refuses_duplicate_keys_and_oversize(void **state)
{
    struct gh_err err = { 0 };
    char         *out = NULL;

    assert_int_equal(gh_json_object_canon("{\"a\":1,\"a\":2}", 100, "p", &out, &err), -1);
    gh_err_clear(&err);
    assert_int_equal(gh_json_object_canon("{\"a\":\"0123456789\"}", 10, "p", &out, &err), -1);
    assert_string_equal(err.param, "p");
    gh_err_clear(&err);
    /* exactly at the cap is fine */
    assert_int_equal(gh_json_object_canon("{\"a\":\"01\"}", 10, "p", &out, &err), 0);
    free(out);
}

static void
test_is_object(void **state)
{
    assert_true(gh_json_is_object("{}"));
    assert_false(gh_json_is_object("[]"));
    assert_false(gh_json_is_object("{"));
    assert_false(gh_json_is_object(NULL));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_adds_and_overwrites_top_level),
        cmocka_unit_test(test_merge_recurses_into_nested_objects),
        cmocka_unit_test(test_merge_null_deletes_at_depth),
        cmocka_unit_test(test_merge_replaces_non_object_with_object),
        cmocka_unit_test(test_merge_replaces_arrays_whole),
        cmocka_unit_test(test_merge_keeps_camel_case_keys_and_nul_strings),
        cmocka_unit_test(test_merge_base_junk_counts_as_empty),
        cmocka_unit_test(test_merge_rejects_non_object_patch),
        cmocka_unit_test(test_merge_refuses_result_over_cap),
        cmocka_unit_test(test_canon_accepts_objects_only),
        cmocka_unit_test(test_canon_refuses_duplicate_keys_and_oversize),
        cmocka_unit_test(test_is_object),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
