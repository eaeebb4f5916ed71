/* test_digest.c: imported password digests (src/crypto/digest.c) against
 * known vectors. Sources: argon2 reference implementation README (argon2i/id,
 * p=4); openwall phpass test.php ("test12345"); firebase/scrypt README
 * ("user1password"); the rest made with independent implementations on the
 * development machine: bcryptjs 2.4.3 (bcrypt, Django's bcrypt_sha256 over
 * hashlib's hex SHA-256), Python hashlib (md5, sha256, pbkdf2_hmac, scrypt as
 * Werkzeug calls it, SHA-1 for {SSHA}); TOTP from RFC 6238. Each vector: the right password
 * verifies, a wrong one does not, a mangled digest is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"

struct vec {
    const char *hasher;
    const char *digest;
    const char *password;
};

#define CH "correct horse"

static const struct vec vecs[] = {
    { "argon2i", "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
        "password" },
    { "argon2id",
        "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo",
        "password" },
    { "bcrypt", "$2a$04$HJTin.CyzKLxrFEI.m/LKORM8az4myor83Enbo01GE2xbyCxQzNsC", CH },
    { "bcrypt", "$2b$05$68bwsignzrlMufAEtoqqB.CDKomCJv4eXggcKsd4zB3eTqYbOxTwG", CH },
    { "bcrypt", "$2y$04$S1AvJDXd9pYEfCcmJuVZPeqszxjR0sG3J.68GLei5rJhxXxjr4xzC", CH },
    { "bcrypt_sha256_django",
        "bcrypt_sha256$$2b$04$GUp7OlZ8L4Du4Sk7PHaWHOYe/7mAyb2Dx2lQlZ8e2l.MyHHEtImOi", CH },
    { "md5", "3cb4e732631f47e6eb961f34554b7cde", CH },
    { "sha256", "4104d36f8da2c254349f85836793ebe029e0c957063a34c91c2e9203187b5631", CH },
    { "pbkdf2_sha256",
        "pbkdf2_sha256$1000$AQJzYWx0eWJ5dGVz/w==$Rid0U/kh13XhgJ/yVOanUtkcp0KPwRgAtv4HA0qFsMY=", CH },
    { "pbkdf2_sha256_django",
        "pbkdf2_sha256$1200$Xy9zSaltDj$69odNtAG5EApbfAq/lVeCiiueCIYBDis9PZjXo4xAmM=", CH },
    { "pbkdf2_sha1", "pbkdf2_sha1$1100$sha1salt$c74466a5555cf445a3b9f01049d0a125c968585f", CH },
    { "pbkdf2_sha1", "pbkdf2_sha1$1100$sha1salt$x0RmpVVc9EWjufAQSdChJcloWF8=", CH },
    { "phpass", "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "test12345" },
    { "phpass", "$P$BabcdEFGHy9DcyJiTWZdCpz6vaL2XB1", CH },
    { "md5_phpass", "$H$9abcdEFGH5GPBBbFTYC0.NCHA4okHC.", CH },
    { "scrypt_firebase",
        "lSrfV15cpx95/sZS2W9c9Kp6i/LVgQNDNC/qzrCnh1SAyZvqmZqAjTdn3aoItz+VHjoZilo78198JAdRuid5lQ=="
        "$42xEC+ixf3L2lw=="
        "$jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA=="
        "$Bw==$8$14",
        "user1password" },
    { "scrypt_werkzeug",
        "scrypt:1024:8:1$werkzeugSalt1234$eefadb52d158030aa65d530e12fa35615d290fe4e6026c4a802ea2a16"
        "63902a3e5941e0ab70ca7a7bbda31aa48390beb0e0fe6fbacc48baca43e71be9d840662",
        CH },
    { "ldap_ssha", "{SSHA}vAjhh+e9YW+Gl8xv5wEgLBBxr+tzc2hh", CH },
};

static int
verify(const char *hasher, const char *digest, const char *pw, size_t len, int *ok)
{
    char *phc = gh_digest_wrap(hasher, digest);
    int   stale = 0, rc;
    struct gh_err err = { 0 };

    assert_non_null(phc);
    rc = gh_password_verify(phc, pw, len, ok, &stale, &err);
    if (rc == 0)
        assert_int_equal(stale, 1); /* every imported format is rehashed */
    free(phc);
    return rc;
}

static void
test_digest_known_vectors_verify(void **state)
{
    for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
        const struct vec *v = &vecs[i];
        int               ok = 0;

        print_message("%s %s\n", v->hasher, v->digest);
        assert_int_equal(gh_digest_check(v->hasher, v->digest), GH_DIGEST_OK);
        assert_int_equal(verify(v->hasher, v->digest, v->password, strlen(v->password), &ok), 0);
        assert_int_equal(ok, 1);
    }
}

static void
test_digest_wrong_password_fails(void **state)
{
    for (size_t i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
        const struct vec *v = &vecs[i];
        int               ok = 1;

        assert_int_equal(verify(v->hasher, v->digest, "wrong password", 14, &ok), 0);
        assert_int_equal(ok, 0);
        ok = 1; /* a prefix of the right password is not the password */
        assert_int_equal(
            verify(v->hasher, v->digest, v->password, strlen(v->password) - 1, &ok), 0);
        assert_int_equal(ok, 0);
    }
}

/* crypt(3) stops at NUL: "correct horse\0x" must not pass as "correct horse". */
static void
test_digest_bcrypt_refuses_embedded_nul(void **state)
{
    int ok = 1;

    assert_int_equal(verify("bcrypt", vecs[2].digest, CH "\0x", sizeof(CH "\0x") - 1, &ok), 0);
    assert_int_equal(ok, 0);
}

static void
test_digest_malformed_refused(void **state)
{
    static const struct vec bad[] = {
        { "bcrypt", "$2a$04$short", NULL },
        { "bcrypt", "$2x$04$HJTin.CyzKLxrFEI.m/LKORM8az4myor83Enbo01GE2xbyCxQzNsC", NULL },
        { "bcrypt", "$2a$31$HJTin.CyzKLxrFEI.m/LKORM8az4myor83Enbo01GE2xbyCxQzNsC", NULL },
        { "bcrypt_sha256_django", "$2b$04$GUp7OlZ8L4Du4Sk7PHaWHOYe/7mAyb2Dx2lQlZ8e2l.MyHHEtImOi",
            NULL },
        { "md5", "3cb4e732631f47e6eb961f34554b7cd", NULL },
        { "md5", "zzb4e732631f47e6eb961f34554b7cde", NULL },
        { "sha256", "3cb4e732631f47e6eb961f34554b7cde", NULL },
        { "pbkdf2_sha256", "pbkdf2_sha256$1000$!!$Rid0U/kh13XhgJ/yVOanUtkcp0KPwRgAtv4HA0qFsMY=",
            NULL },
        { "pbkdf2_sha256", "pbkdf2_sha256$abc$AQJz$Rid0", NULL },
        { "pbkdf2_sha256", "pbkdf2_sha256$99999999$AQJz$Rid0U/kh13XhgJ/yVOanUtkcp0KPwRgAtv4HA0qFsMY=",
            NULL },
        { "pbkdf2_sha256_django", "pbkdf2_sha1$1200$Xy9z$69odNtAG5EApbfAq/lVeCiiueCIYBDis9PZjXo4xAmM=",
            NULL },
        { "pbkdf2_sha1", "pbkdf2_sha1$1100$sha1salt", NULL },
        { "phpass", "$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L", NULL },
        { "phpass", "$P$zIQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", NULL }, /* 2^61 rounds */
        { "scrypt_firebase", "hash$salt", NULL },
        { "scrypt_firebase", "aGFzaA==$c2FsdA==$aGFzaA==$Bw==$eight$14", NULL },
        { "scrypt_firebase", "aGFzaA==$c2FsdA==$aGFzaA==$Bw==$8$30", NULL },
        { "scrypt_werkzeug", "scrypt:1000:8:1$salt$abcd", NULL }, /* N not a power of 2 */
        { "scrypt_werkzeug", "scrypt:16384:8:1$salt$not-hex!", NULL },
        { "scrypt_werkzeug", "pbkdf2:sha256:1000$salt$abcd", NULL },
        { "argon2id", "argon2id$...", NULL },
        { "argon2id", "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
            NULL },
        { "argon2i", "$argon2i$v=19$m=4194304,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG",
            NULL },
        { "ldap_ssha", "{SSHA}vAjh", NULL },
        { "md5", "", NULL },
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        print_message("%s %s\n", bad[i].hasher, bad[i].digest);
        assert_int_equal(gh_digest_check(bad[i].hasher, bad[i].digest), GH_DIGEST_MALFORMED);
    }
}

static void
test_digest_unknown_hasher(void **state)
{
    assert_int_equal(gh_digest_check("awscognito", "x"), GH_DIGEST_UNKNOWN);
    assert_int_equal(gh_digest_check("bcrypt2", vecs[2].digest), GH_DIGEST_UNKNOWN);
    assert_int_equal(gh_digest_check("", "x"), GH_DIGEST_UNKNOWN);
}

/* A stored form that does not parse is the server's fault: -1, never ok. */
static void
test_digest_unreadable_stored_form(void **state)
{
    struct gh_err err = { 0 };
    int           ok = 1, stale;

    assert_int_equal(gh_password_verify("$gh-import$nope$abc", "x", 1, &ok, &stale, &err), -1);
    assert_int_equal(ok, 0);
    assert_int_equal(gh_password_verify("$gh-import$md5$zz", "x", 1, &ok, &stale, &err), -1);
    assert_int_equal(err.code, GH_E_INTERNAL);
}

/* RFC 6238 appendix B (SHA-1 rows, last six digits), through liboath. */
static void
test_totp_rfc6238_vectors(void **state)
{
    const char   *key = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; /* "12345678901234567890" */
    struct gh_err err = { 0 };
    int           ok = 0;

    assert_int_equal(gh_totp_check(key, "287082", 59, &ok, &err), 0);
    assert_int_equal(ok, 1);
    assert_int_equal(gh_totp_check(key, "081804", 1111111109, &ok, &err), 0);
    assert_int_equal(ok, 1);
    assert_int_equal(gh_totp_check(key, "081804", 1111111109 + 90, &ok, &err), 0);
    assert_int_equal(ok, 0); /* three steps later: outside the ±1 window */
    assert_int_equal(gh_totp_check(key, "08180", 1111111109, &ok, &err), 0);
    assert_int_equal(ok, 0);
    assert_true(gh_totp_secret_valid("jbswy3dpehpk3pxp"));
    assert_false(gh_totp_secret_valid("JBSWY3DP")); /* < 80 bits */
    assert_false(gh_totp_secret_valid("JBSWY3DPEHPK3PX1"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digest_known_vectors_verify),
        cmocka_unit_test(test_digest_wrong_password_fails),
        cmocka_unit_test(test_digest_bcrypt_refuses_embedded_nul),
        cmocka_unit_test(test_digest_malformed_refused),
        cmocka_unit_test(test_digest_unknown_hasher),
        cmocka_unit_test(test_digest_unreadable_stored_form),
        cmocka_unit_test(test_totp_rfc6238_vectors),
    };
    struct gh_err err = { 0 };

    if (gh_crypto_init(&err) == -1)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
