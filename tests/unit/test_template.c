/* test_template.c: core/template.c, the JWT template shortcode renderer:
 * every shortcode kind, type preservation of whole-value shortcodes, string
 * interpolation, `||` fallbacks (paths and literals), nested metadata paths,
 * missing values, org shortcodes with and without an active organization,
 * reserved claims that templates cannot override, and syntax errors that
 * name the claim. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/template.h"
#include "store/records.h"

static const struct gh_tpl_std STD = {
    .sub = "user_1", .sid = "sess_1", .iss = "https://auth.example.com",
    .azp = "https://app.example.com", .jti = "jti_1", .iat = 1000, .exp = 1060, .nbf = 995,
};

static struct gh_tpl_ctx
ctx_full(void)
{
    struct gh_tpl_ctx c = {
        .user_id = "user_1",
        .external_id = "ext-9",
        .first_name = "Ada",
        .last_name = "Lovelace",
        .username = NULL,
        .primary_email = "ada@example.com",
        .primary_phone = NULL,
        .image_url = "https://auth.example.com/images/default-avatar.svg",
        .email_verified = 1,
        .phone_verified = 0,
        .has_image = 0,
        .user_created_at = 1700000000123,
        .user_updated_at = GH_TIME_NULL,
        .user_public_metadata = "{\"plan\":\"pro\",\"limits\":{\"seats\":5,\"tags\":[\"a\",\"b\"]},"
                                "\"beta\":true,\"empty\":\"\"}",
        .user_private_metadata = "{\"stripe\":{\"customer\":\"cus_1\"}}",
        .user_unsafe_metadata = "{}",
        .org_id = NULL,
        .session_id = "sess_1",
        .session_actor = NULL,
    };
    return c;
}

/* Renders tpl and returns the compact JSON of claim `key` (caller frees). */
static char *
claim_of(const char *tpl, const struct gh_tpl_ctx *ctx, const char *key)
{
    struct gh_err err = { 0 };
    char         *out = NULL, *s;
    json_t       *o;

    assert_int_equal(gh_tpl_claims(tpl, ctx, &STD, &out, &err), 0);
    o = json_loads(out, 0, NULL);
    assert_non_null(o);
    s = json_object_get(o, key) != NULL
        ? json_dumps(json_object_get(o, key), JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)
        : strdup("<absent>");
    json_decref(o);
    free(out);
    return s;
}

static void
claim_is(const char *tpl, const struct gh_tpl_ctx *ctx, const char *key, const char *want)
{
    char *got = claim_of(tpl, ctx, key);

    assert_string_equal(got, want);
    free(got);
}

static void
test_user_string_shortcodes(void **state)
{
    struct gh_tpl_ctx c = ctx_full();

    claim_is("{\"a\":\"{{user.id}}\"}", &c, "a", "\"user_1\"");
    claim_is("{\"a\":\"{{user.external_id}}\"}", &c, "a", "\"ext-9\"");
    claim_is("{\"a\":\"{{user.first_name}}\"}", &c, "a", "\"Ada\"");
    claim_is("{\"a\":\"{{user.last_name}}\"}", &c, "a", "\"Lovelace\"");
    claim_is("{\"a\":\"{{user.full_name}}\"}", &c, "a", "\"Ada Lovelace\"");
    claim_is("{\"a\":\"{{user.primary_email_address}}\"}", &c, "a", "\"ada@example.com\"");
    claim_is("{\"a\":\"{{user.image_url}}\"}", &c, "a",
        "\"https://auth.example.com/images/default-avatar.svg\"");
    claim_is("{\"a\":\"{{session.id}}\"}", &c, "a", "\"sess_1\"");
}

static void
test_whole_shortcode_keeps_json_type(void **state)
{
    struct gh_tpl_ctx c = ctx_full();

    claim_is("{\"a\":\"{{user.email_verified}}\"}", &c, "a", "true");
    claim_is("{\"a\":\"{{user.phone_number_verified}}\"}", &c, "a", "false");
    claim_is("{\"a\":\"{{user.created_at}}\"}", &c, "a", "1700000000");
    claim_is("{\"a\":\"{{user.public_metadata}}\"}", &c, "a",
        "{\"beta\":true,\"empty\":\"\",\"limits\":{\"seats\":5,\"tags\":[\"a\",\"b\"]},"
        "\"plan\":\"pro\"}");
    claim_is("{\"a\":\"{{user.public_metadata.limits.seats}}\"}", &c, "a", "5");
    claim_is("{\"a\":\"{{user.public_metadata.limits.tags}}\"}", &c, "a", "[\"a\",\"b\"]");
    claim_is("{\"a\":\"{{ user.public_metadata.beta }}\"}", &c, "a", "true");
}

static void
test_nested_metadata_paths(void **state)
{
    struct gh_tpl_ctx c = ctx_full();

    claim_is("{\"a\":\"{{user.private_metadata.stripe.customer}}\"}", &c, "a", "\"cus_1\"");
    claim_is("{\"a\":\"{{user.public_metadata.limits.tags.1}}\"}", &c, "a", "\"b\"");
    claim_is("{\"a\":\"{{user.public_metadata.limits.nope.deeper}}\"}", &c, "a", "null");
    claim_is("{\"a\":\"{{user.unsafe_metadata.x}}\"}", &c, "a", "null");
    /* Shortcodes deep inside objects and arrays are rendered too. */
    claim_is("{\"a\":{\"b\":[\"{{user.id}}\",{\"c\":\"{{user.public_metadata.plan}}\"}]}}", &c,
        "a", "{\"b\":[\"user_1\",{\"c\":\"pro\"}]}");
}

static void
test_interpolation(void **state)
{
    struct gh_tpl_ctx c = ctx_full();

    claim_is("{\"n\":\"{{user.first_name}} {{user.last_name}}\"}", &c, "n", "\"Ada Lovelace\"");
    claim_is("{\"n\":\"id={{user.id}};seats={{user.public_metadata.limits.seats}}\"}", &c, "n",
        "\"id=user_1;seats=5\"");
    claim_is("{\"n\":\"v:{{user.email_verified}}\"}", &c, "n", "\"v:true\"");
    /* Missing values interpolate as nothing. */
    claim_is("{\"n\":\"[{{user.username}}]\"}", &c, "n", "\"[]\"");
    claim_is("{\"n\":\"plain text\",\"k\":42}", &c, "k", "42");
}

static void
test_missing_values_render_null(void **state)
{
    struct gh_tpl_ctx c = ctx_full();

    claim_is("{\"a\":\"{{user.username}}\"}", &c, "a", "null");
    claim_is("{\"a\":\"{{user.primary_phone_address}}\"}", &c, "a", "null");
    claim_is("{\"a\":\"{{user.updated_at}}\"}", &c, "a", "null");
    claim_is("{\"a\":\"{{session.actor}}\"}", &c, "a", "null");
    c.first_name = NULL;
    c.last_name = NULL;
    claim_is("{\"a\":\"{{user.full_name}}\"}", &c, "a", "null");
}

static void
test_fallbacks(void **state)
{
    struct gh_tpl_ctx c = ctx_full();

    claim_is("{\"a\":\"{{user.username || user.primary_email_address}}\"}", &c, "a",
        "\"ada@example.com\"");
    claim_is("{\"a\":\"{{user.first_name || user.primary_email_address}}\"}", &c, "a", "\"Ada\"");
    claim_is("{\"a\":\"{{user.username || 'none'}}\"}", &c, "a", "\"none\"");
    claim_is("{\"a\":\"{{user.username||\\\"dq\\\"}}\"}", &c, "a", "\"dq\"");
    claim_is("{\"a\":\"{{user.public_metadata.empty || 'x || y'}}\"}", &c, "a", "\"x || y\"");
    claim_is("{\"a\":\"{{user.public_metadata.seats || 10}}\"}", &c, "a", "10");
    claim_is("{\"a\":\"{{user.username || user.primary_phone_address}}\"}", &c, "a", "null");
    claim_is("{\"a\":\"hi {{user.username || 'friend'}}!\"}", &c, "a", "\"hi friend!\"");
}

static void
test_org_shortcodes(void **state)
{
    struct gh_tpl_ctx c = ctx_full();
    const char       *tpl = "{\"o\":{\"id\":\"{{org.id}}\",\"name\":\"{{org.name}}\","
                            "\"slug\":\"{{org.slug}}\",\"role\":\"{{org.role}}\","
                            "\"img\":\"{{org.image_url}}\",\"tier\":\"{{org.public_metadata.tier}}\"}}";

    claim_is(tpl, &c, "o",
        "{\"id\":null,\"img\":null,\"name\":null,\"role\":null,\"slug\":null,\"tier\":null}");
    c.org_id = "org_1";
    c.org_name = "Acme";
    c.org_slug = "acme";
    c.org_role = "org:admin";
    c.org_image_url = "https://img/acme.png";
    c.org_public_metadata = "{\"tier\":\"gold\"}";
    claim_is(tpl, &c, "o",
        "{\"id\":\"org_1\",\"img\":\"https://img/acme.png\",\"name\":\"Acme\","
        "\"role\":\"org:admin\",\"slug\":\"acme\",\"tier\":\"gold\"}");
}

static void
test_session_actor(void **state)
{
    struct gh_tpl_ctx c = ctx_full();

    c.session_actor = "{\"sub\":\"user_admin\"}";
    claim_is("{\"act\":\"{{session.actor}}\"}", &c, "act", "{\"sub\":\"user_admin\"}");
    claim_is("{\"a\":\"{{session.actor.sub}}\"}", &c, "a", "\"user_admin\"");
}

static void
test_reserved_claims_cannot_be_overridden(void **state)
{
    struct gh_tpl_ctx c = ctx_full();
    const char       *tpl = "{\"sub\":\"evil\",\"sid\":\"x\",\"iss\":\"https://evil\",\"iat\":1,"
                            "\"exp\":99999999999,\"nbf\":0,\"azp\":\"https://evil\",\"aud\":\"svc\"}";

    claim_is(tpl, &c, "sub", "\"user_1\"");
    claim_is(tpl, &c, "sid", "\"sess_1\"");
    claim_is(tpl, &c, "iss", "\"https://auth.example.com\"");
    claim_is(tpl, &c, "iat", "1000");
    claim_is(tpl, &c, "exp", "1060");
    claim_is(tpl, &c, "nbf", "995");
    claim_is(tpl, &c, "azp", "\"https://app.example.com\"");
    claim_is(tpl, &c, "aud", "\"svc\"");
    /* jti: the template's wins, else the caller's. */
    claim_is(tpl, &c, "jti", "\"jti_1\"");
    claim_is("{\"jti\":\"mine\"}", &c, "jti", "\"mine\"");
}

static void
test_output_is_sorted_and_compact(void **state)
{
    struct gh_tpl_ctx c = ctx_full();
    struct gh_err     err = { 0 };
    char             *out = NULL;

    assert_int_equal(gh_tpl_claims("{\"z\":1,\"a\":\"{{user.id}}\"}", &c, &STD, &out, &err), 0);
    assert_string_equal(out, "{\"a\":\"user_1\",\"azp\":\"https://app.example.com\",\"exp\":1060,"
                             "\"iat\":1000,\"iss\":\"https://auth.example.com\",\"jti\":\"jti_1\","
                             "\"nbf\":995,\"sid\":\"sess_1\",\"sub\":\"user_1\",\"z\":1}");
    free(out);
}

/* Validation fails with PARAM_INVALID on "claims", the message containing `where`. */
static void
invalid(const char *tpl, const char *where)
{
    struct gh_err err = { 0 };
    char         *canon = (char *)"x";

    assert_int_equal(gh_tpl_validate(tpl, &canon, &err), -1);
    assert_null(canon);
    assert_int_equal(err.code, GH_E_PARAM_INVALID);
    assert_string_equal(err.param, "claims");
    if (strstr(err.desc, where) == NULL)
        fail_msg("\"%s\" does not mention \"%s\"", err.desc, where);
}

static void
test_syntax_errors_are_reported_with_location(void **state)
{
    invalid("{\"a\":\"{{user.nme}}\"}", "claims.a: unknown shortcode user.nme");
    invalid("{\"a\":{\"b\":[1,\"{{bogus.x}}\"]}}", "claims.a.b[1]");
    invalid("{\"a\":\"{{user.first_name\"}", "unterminated");
    invalid("{\"a\":\"x {{ }} y\"}", "empty shortcode");
    invalid("{\"a\":\"{{user.id ||}}\"}", "syntax error");
    invalid("{\"a\":\"{{user.id || 'open}}\"}", "claims.a");
    invalid("{\"a\":\"{{user.id.more}}\"}", "user.id has no fields");
    invalid("{\"a\":\"{{user}}\"}", "claims.a");
    invalid("{\"a\":\"{{user..id}}\"}", "claims.a");
    invalid("{\"a\":\"{{user.id + 1}}\"}", "claims.a");
    /* An unknown field behind a fallback is still an error. */
    invalid("{\"a\":\"{{user.id || user.zzz}}\"}", "user.zzz");
}

static void
test_claims_must_be_an_object(void **state)
{
    invalid("[1,2]", "JSON object");
    invalid("{\"a\":1,\"a\":2}", "JSON object");
    invalid("not json", "JSON object");
}

static void
test_validate_returns_canonical_text(void **state)
{
    struct gh_err err = { 0 };
    char         *canon = NULL;

    assert_int_equal(gh_tpl_validate("{ \"b\" : \"{{user.id}}\", \"a\" : [ 1 ] }", &canon, &err), 0);
    assert_string_equal(canon, "{\"b\":\"{{user.id}}\",\"a\":[1]}");
    free(canon);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_string_shortcodes),
        cmocka_unit_test(test_whole_shortcode_keeps_json_type),
        cmocka_unit_test(test_nested_metadata_paths),
        cmocka_unit_test(test_interpolation),
        cmocka_unit_test(test_missing_values_render_null),
        cmocka_unit_test(test_fallbacks),
        cmocka_unit_test(test_org_shortcodes),
        cmocka_unit_test(test_session_actor),
        cmocka_unit_test(test_reserved_claims_cannot_be_overridden),
        cmocka_unit_test(test_output_is_sorted_and_compact),
        cmocka_unit_test(test_syntax_errors_are_reported_with_location),
        cmocka_unit_test(test_claims_must_be_an_object),
        cmocka_unit_test(test_validate_returns_canonical_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
