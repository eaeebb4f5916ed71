/* test_sign_in.c: the pure parts of the Frontend API's sign-in (issue 4,
 * core/sign_in_view.c): the decoy an unknown identifier gets under
 * enumeration protection (deterministic, shaped like a real account, never
 * a real id), email masking, which factors a real account offers (verified
 * addresses only, the typed one unmasked, second factors and names only past
 * the first factor), when MFA is needed, and the status list. The flows
 * themselves run against the real server in
 * tests/integration/fapi_sign_in.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/settings.h"
#include "core/sign_in.h"
#include "store/records.h"
#include "util/str.h"

static void
mac_of(unsigned char mac[32], unsigned seed)
{
    for (int i = 0; i < 32; i++)
        mac[i] = (unsigned char)(seed * 31u + (unsigned)i * 7u);
}

static int
id_shape_ok(const char *id)
{
    if (strncmp(id, "idn_", 4) != 0 || strlen(id) != 4 + 27)
        return 0;
    for (const char *p = id + 4; *p != '\0'; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z')))
            return 0;
    return 1;
}

static void
test_decoy_looks_like_an_account_with_a_password(void **state)
{
    struct gh_settings     st;
    struct gh_sign_in_view v;
    unsigned char          mac[32];

    (void)state;
    gh_settings_defaults(&st);
    mac_of(mac, 1);
    gh_sign_in_decoy(mac, &st, "nobody@example.com", &v);
    assert_int_equal(v.nfirst, 3);
    assert_string_equal(v.first[0].strategy, "password");
    assert_string_equal(v.first[0].email_address_id, "");
    assert_string_equal(v.first[1].strategy, "email_code");
    assert_string_equal(v.first[2].strategy, "reset_password_email_code");
    assert_true(id_shape_ok(v.first[1].email_address_id));
    assert_string_equal(v.first[1].email_address_id, v.first[2].email_address_id);
    assert_string_equal(v.first[1].safe_identifier, "nobody@example.com"); /* as typed */
    assert_int_equal(v.first[1].primary, 1);
    assert_int_equal(v.second_listed, 0);
    assert_null(v.first_name);
    assert_null(v.last_name);
}

static void
test_decoy_is_deterministic_per_mac(void **state)
{
    struct gh_settings     st;
    struct gh_sign_in_view a, b, c;
    unsigned char          m1[32], m2[32];

    (void)state;
    gh_settings_defaults(&st);
    mac_of(m1, 1);
    mac_of(m2, 2);
    gh_sign_in_decoy(m1, &st, "x@example.com", &a);
    gh_sign_in_decoy(m1, &st, "x@example.com", &b);
    gh_sign_in_decoy(m2, &st, "x@example.com", &c);
    assert_string_equal(a.first[1].email_address_id, b.first[1].email_address_id);
    assert_string_not_equal(a.first[1].email_address_id, c.first[1].email_address_id);
}

static void
test_decoy_follows_the_settings(void **state)
{
    struct gh_settings     st;
    struct gh_sign_in_view v;
    unsigned char          mac[32];

    (void)state;
    gh_settings_defaults(&st);
    mac_of(mac, 3);
    st.password_enabled = 0;
    gh_sign_in_decoy(mac, &st, "x@example.com", &v);
    assert_int_equal(v.nfirst, 1);
    assert_string_equal(v.first[0].strategy, "email_code");
    st.password_enabled = 1;
    st.email_code_first_factor = 0;
    gh_sign_in_decoy(mac, &st, "x@example.com", &v);
    assert_int_equal(v.nfirst, 2);
    assert_string_equal(v.first[0].strategy, "password");
    assert_string_equal(v.first[1].strategy, "reset_password_email_code");
}

static void
test_decoy_for_a_username_shows_a_masked_address(void **state)
{
    struct gh_settings     st;
    struct gh_sign_in_view v;
    unsigned char          mac[32];
    const char            *at;

    (void)state;
    gh_settings_defaults(&st);
    st.username_enabled = 1;
    mac_of(mac, 4);
    gh_sign_in_decoy(mac, &st, "some_name", &v);
    assert_int_equal(v.identifier_username, 1);
    at = strchr(v.first[1].safe_identifier, '@');
    assert_non_null(at);
    assert_int_equal(at - v.first[1].safe_identifier, 4); /* "x***@" like a masked real one */
    assert_memory_equal(v.first[1].safe_identifier + 1, "***", 3);
    assert_null(strstr(v.first[1].safe_identifier, "some_name"));
}

static void
test_mask_email(void **state)
{
    char out[GH_EMAIL_MAX + 1];

    (void)state;
    gh_sign_in_mask_email("zoe@example.com", out);
    assert_string_equal(out, "z***@example.com");
    gh_sign_in_mask_email("no-at-sign", out);
    assert_string_equal(out, "no-at-sign");
    gh_sign_in_mask_email("@odd", out);
    assert_string_equal(out, "@odd");
    gh_sign_in_mask_email(NULL, out);
    assert_string_equal(out, "");
}

/* A user with two verified addresses and one unverified, a password, MFA. */
static struct gh_user *
make_user(void)
{
    static const char *const values[] = { "a@x.test", "b@x.test", "c@x.test" };
    struct gh_user          *u = gh_user_new();

    assert_non_null(u);
    gh_strlcpy(u->id, "user_1", sizeof(u->id));
    u->first_name = gh_strdup("Ada");
    u->password_hash = gh_strdup("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA");
    u->totp_secret = gh_strdup("sealed");
    u->backup_codes = gh_strdup("00");
    for (int i = 0; i < 3; i++) {
        struct gh_ident *id = gh_user_ident_add(u);

        assert_non_null(id);
        snprintf(id->id, sizeof(id->id), "idn_%d", i);
        id->type = GH_IDENT_EMAIL;
        id->value = gh_strdup(values[i]);
        id->verified = i < 2;
    }
    u->primary_email_id = gh_strdup("idn_1");
    return u;
}

static void
test_view_lists_verified_addresses_typed_one_unmasked(void **state)
{
    struct gh_settings     st;
    struct gh_sign_in_view v;
    struct gh_sign_in     *si = gh_sign_in_new();
    struct gh_user        *u = make_user();

    (void)state;
    gh_settings_defaults(&st);
    gh_strlcpy(si->status, "needs_first_factor", sizeof(si->status));
    gh_strlcpy(si->user_id, u->id, sizeof(si->user_id));
    si->identifier = gh_strdup("b@x.test");
    gh_sign_in_view(NULL, &st, si, u, &v);
    assert_int_equal(v.nfirst, 5); /* password + 2 × email_code + 2 × reset */
    assert_string_equal(v.first[0].strategy, "password");
    assert_string_equal(v.first[1].email_address_id, "idn_0");
    assert_string_equal(v.first[1].safe_identifier, "a***@x.test");
    assert_int_equal(v.first[1].primary, 0);
    assert_string_equal(v.first[2].email_address_id, "idn_1");
    assert_string_equal(v.first[2].safe_identifier, "b@x.test");
    assert_int_equal(v.first[2].primary, 1);
    assert_string_equal(v.first[4].strategy, "reset_password_email_code");
    for (size_t i = 0; i < v.nfirst; i++)
        assert_string_not_equal(v.first[i].email_address_id, "idn_2"); /* unverified */
    /* Before the first factor: no second factors, no names (protection on). */
    assert_int_equal(v.second_listed, 0);
    assert_null(v.first_name);
    st.enumeration_protection = 0;
    gh_sign_in_view(NULL, &st, si, u, &v);
    assert_string_equal(v.first_name, "Ada");
    gh_sign_in_free(si);
    gh_user_free(u);
}

static void
test_view_second_factors_after_the_first(void **state)
{
    struct gh_settings     st;
    struct gh_sign_in_view v;
    struct gh_sign_in     *si = gh_sign_in_new();
    struct gh_user        *u = make_user();

    (void)state;
    gh_settings_defaults(&st);
    gh_strlcpy(si->status, "needs_second_factor", sizeof(si->status));
    gh_strlcpy(si->user_id, u->id, sizeof(si->user_id));
    gh_sign_in_view(NULL, &st, si, u, &v);
    assert_int_equal(v.second_listed, 1);
    assert_int_equal(v.nsecond, 2);
    assert_string_equal(v.second[0].strategy, "totp");
    assert_string_equal(v.second[1].strategy, "backup_code");
    assert_string_equal(v.first_name, "Ada");
    st.backup_codes_enabled = 0;
    gh_sign_in_view(NULL, &st, si, u, &v);
    assert_int_equal(v.nsecond, 1);
    gh_sign_in_free(si);
    gh_user_free(u);
}

static void
test_view_without_password_or_identifier(void **state)
{
    struct gh_settings     st;
    struct gh_sign_in_view v;
    struct gh_sign_in     *si = gh_sign_in_new();
    struct gh_user        *u = make_user();

    (void)state;
    gh_settings_defaults(&st);
    gh_strlcpy(si->status, "needs_first_factor", sizeof(si->status));
    free(u->password_hash);
    u->password_hash = NULL;
    gh_sign_in_view(NULL, &st, si, u, &v);
    assert_int_equal(v.nfirst, 2); /* email codes only: no password, no reset */
    assert_string_equal(v.first[0].strategy, "email_code");
    /* needs_identifier: nothing to offer yet. */
    gh_strlcpy(si->status, "needs_identifier", sizeof(si->status));
    gh_sign_in_view(NULL, &st, si, NULL, &v);
    assert_int_equal(v.nfirst, 0);
    gh_sign_in_free(si);
    gh_user_free(u);
}

static void
test_needs_mfa_and_statuses(void **state)
{
    struct gh_settings st;
    struct gh_user    *u = make_user();

    (void)state;
    gh_settings_defaults(&st);
    assert_true(gh_sign_in_needs_mfa(&st, u));
    st.totp_enabled = 0;
    assert_true(gh_sign_in_needs_mfa(&st, u)); /* backup codes alone */
    st.backup_codes_enabled = 0;
    assert_false(gh_sign_in_needs_mfa(&st, u));
    assert_false(gh_sign_in_needs_mfa(&st, NULL));
    assert_true(gh_sign_in_status_valid("needs_new_password"));
    assert_true(gh_sign_in_status_valid("complete"));
    assert_false(gh_sign_in_status_valid("needs_client_trust"));
    assert_false(gh_sign_in_status_valid(NULL));
    gh_user_free(u);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decoy_looks_like_an_account_with_a_password),
        cmocka_unit_test(test_decoy_is_deterministic_per_mac),
        cmocka_unit_test(test_decoy_follows_the_settings),
        cmocka_unit_test(test_decoy_for_a_username_shows_a_masked_address),
        cmocka_unit_test(test_mask_email),
        cmocka_unit_test(test_view_lists_verified_addresses_typed_one_unmasked),
        cmocka_unit_test(test_view_second_factors_after_the_first),
        cmocka_unit_test(test_view_without_password_or_identifier),
        cmocka_unit_test(test_needs_mfa_and_statuses),
    };

    return cmocka_run_group_tests_name("sign_in", tests, NULL, NULL);
}
