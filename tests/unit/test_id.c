/* test_id.c: Clerk-style identifiers (core/id.c): prefix, length, URL-safe
 * alphabet (the SDK puts ids into paths unescaped), uniqueness, validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/id.h"
#include "crypto/crypto.h"

static void
test_id_has_prefix_and_27_base62_chars(void **state)
{
    char id[GH_ID_MAX];

    gh_id_new("user", id);
    assert_int_equal(strlen(id), strlen("user_") + GH_ID_BODY_LEN);
    assert_memory_equal(id, "user_", 5);
    assert_int_equal(strspn(id + 5, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
        GH_ID_BODY_LEN);
    assert_true(gh_id_valid("user", id));
}

static void
test_id_longest_prefix_fits(void **state)
{
    char id[GH_ID_MAX];

    gh_id_new("orginv", id);
    assert_true(gh_id_valid("orginv", id));
    gh_id_new("orgmem", id);
    assert_true(gh_id_valid("orgmem", id));
}

static void
test_ids_do_not_repeat(void **state)
{
    enum { N = 2000 };
    static char ids[N][GH_ID_MAX];

    for (int i = 0; i < N; i++) {
        gh_id_new("sess", ids[i]);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(ids[i], ids[j]);
    }
}

static void
test_id_valid_rejects_wrong_shapes(void **state)
{
    char long_body[64];

    assert_false(gh_id_valid("user", NULL));
    assert_false(gh_id_valid("user", "sess_abc"));
    assert_false(gh_id_valid("user", "user_"));
    assert_false(gh_id_valid("user", "user"));
    assert_false(gh_id_valid("user", "useradc"));
    assert_false(gh_id_valid("user", "user_../x"));
    assert_false(gh_id_valid("user", "user_ab%2F"));
    assert_false(gh_id_valid("user", "user_a b"));
    assert_false(gh_id_valid("user", "user_ab-c"));
    memset(long_body, 'a', sizeof(long_body));
    memcpy(long_body, "user_", 5);
    long_body[sizeof(long_body) - 1] = '\0';
    assert_false(gh_id_valid("user", long_body)); /* body over 40 chars */
    assert_true(gh_id_valid("user", "user_a"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_id_has_prefix_and_27_base62_chars),
        cmocka_unit_test(test_id_longest_prefix_fits),
        cmocka_unit_test(test_ids_do_not_repeat),
        cmocka_unit_test(test_id_valid_rejects_wrong_shapes),
    };
    struct gh_err err = { 0 };

    if (gh_crypto_init(&err) == -1)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
