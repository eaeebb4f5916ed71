/* test_org.c: the session token's organization claim encoder (spec §D4) and
 * the slug / key shape rules of core/org.c and core/role.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/org.h"
#include "core/role.h"

static void
encode(const char *const *keys, size_t n, const char *fea, const char *per, const char *fpm)
{
    struct gh_err err = { 0 };
    char         *f, *p, *m;

    assert_int_equal(gh_role_claims_encode(keys, n, &f, &p, &m, &err), 0);
    if (fea == NULL) {
        assert_null(f);
        assert_null(p);
        assert_null(m);
        return;
    }
    assert_string_equal(f, fea);
    assert_string_equal(p, per);
    assert_string_equal(m, fpm);
    free(f);
    free(p);
    free(m);
}

/* The spec's example with custom features: memberships manage+read (3),
 * profile read (2). */
static void
test_spec_example(void **state)
{
    const char *keys[] = { "org:profile:read", "org:memberships:manage", "org:memberships:read" };

    (void)state;
    encode(keys, 3, "o:memberships,o:profile", "manage,read", "3,2");
}

static void
test_system_and_duplicates_ignored(void **state)
{
    const char *keys[] = { "org:sys_profile:manage", "org:sys_memberships:read", "org:a:x",
        "org:a:x", "bogus", "org:b", NULL };
    const char *sys[] = { "org:sys_profile:manage", "org:sys_domains:read" };

    (void)state;
    encode(keys, 7, "o:a", "x", "1");
    encode(sys, 2, NULL, NULL, NULL);
    encode(NULL, 0, NULL, NULL, NULL);
}

static void
test_three_by_two(void **state)
{
    const char *keys[] = { "org:projects:manage", "org:projects:read", "org:billing:read",
        "org:reports:read", "org:reports:export" };

    (void)state;
    encode(keys, 5, "o:billing,o:projects,o:reports", "export,manage,read", "4,6,5");
}

/* 70 actions on one feature: 2^70 - 1 needs more than 64 bits. */
static void
test_big_mask(void **state)
{
    char        bufs[70][32];
    const char *keys[70];
    struct gh_err err = { 0 };
    char       *f, *p, *m;

    (void)state;
    for (int i = 0; i < 70; i++) {
        snprintf(bufs[i], sizeof(bufs[i]), "org:f:a%02d", i);
        keys[i] = bufs[i];
    }
    assert_int_equal(gh_role_claims_encode(keys, 70, &f, &p, &m, &err), 0);
    assert_string_equal(f, "o:f");
    assert_string_equal(m, "1180591620717411303423"); /* 2^70 - 1 */
    free(f);
    free(p);
    free(m);
    /* Only the highest action: 2^69. */
    keys[0] = bufs[69];
    assert_int_equal(gh_role_claims_encode(keys, 1, &f, &p, &m, &err), 0);
    assert_string_equal(m, "1");
    free(f);
    free(p);
    free(m);
}

static void
test_slugs(void **state)
{
    struct gh_err err = { 0 };
    char         *s;

    (void)state;
    assert_true(gh_org_slug_valid("acme-1"));
    assert_true(gh_org_slug_valid("1"));
    assert_false(gh_org_slug_valid("-acme"));
    assert_false(gh_org_slug_valid("Acme"));
    assert_false(gh_org_slug_valid("a_b"));
    assert_false(gh_org_slug_valid(""));
    assert_int_equal(gh_org_slug_from_name("  Acme,  Inc. 2024!", &s, &err), 0);
    assert_string_equal(s, "acme-inc-2024");
    free(s);
    assert_int_equal(gh_org_slug_from_name("Ünïcode Co", &s, &err), 0);
    assert_string_equal(s, "n-code-co");
    free(s);
    assert_int_equal(gh_org_slug_from_name("!!!", &s, &err), -1);
    assert_int_equal(err.code, GH_E_PARAM_INVALID);
}

static void
test_keys(void **state)
{
    (void)state;
    assert_true(gh_permission_key_valid("org:projects:read"));
    assert_true(gh_permission_key_valid("org:sys_profile:manage"));
    assert_false(gh_permission_key_valid("projects:read"));
    assert_false(gh_permission_key_valid("org:projects"));
    assert_false(gh_permission_key_valid("org:projects:"));
    assert_false(gh_permission_key_valid("org:a:b:c"));
    assert_false(gh_permission_key_valid("org:A:b"));
    assert_true(gh_role_key_valid("org:admin"));
    assert_false(gh_role_key_valid("admin"));
    assert_false(gh_role_key_valid("org:"));
    assert_false(gh_role_key_valid("org:a:b"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spec_example),
        cmocka_unit_test(test_system_and_duplicates_ignored),
        cmocka_unit_test(test_three_by_two),
        cmocka_unit_test(test_big_mask),
        cmocka_unit_test(test_slugs),
        cmocka_unit_test(test_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
