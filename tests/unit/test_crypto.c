/* test_crypto.c: encodings (RFC 4648), digests (FIPS 180, RFC 4231), random
 * helpers, the master key (env and file forms, sealing) and password hashing.
 * JOSE lives in test_jose.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "util/metrics.h"

struct vec {
    const char *plain, *b64, *b64url;
};

/* RFC 4648 §10 */
static const struct vec rfc4648[] = {
    { "", "", "" },
    { "f", "Zg==", "Zg" },
    { "fo", "Zm8=", "Zm8" },
    { "foo", "Zm9v", "Zm9v" },
    { "foob", "Zm9vYg==", "Zm9vYg" },
    { "fooba", "Zm9vYmE=", "Zm9vYmE" },
    { "foobar", "Zm9vYmFy", "Zm9vYmFy" },
};

static void
test_b64_rfc4648_vectors(void **state)
{
    for (size_t i = 0; i < sizeof(rfc4648) / sizeof(rfc4648[0]); i++) {
        const struct vec *v = &rfc4648[i];
        unsigned char    *out;
        size_t            n;
        char             *s = gh_b64_encode(v->plain, strlen(v->plain));

        assert_string_equal(s, v->b64);
        free(s);
        s = gh_b64url_encode(v->plain, strlen(v->plain));
        assert_string_equal(s, v->b64url);
        free(s);
        assert_int_equal(gh_b64_decode(v->b64, strlen(v->b64), &out, &n), 0);
        assert_int_equal(n, strlen(v->plain));
        assert_memory_equal(out, v->plain, n);
        free(out);
        /* base64url: unpadded and padded forms both accepted */
        assert_int_equal(gh_b64url_decode(v->b64url, strlen(v->b64url), &out, &n), 0);
        assert_int_equal(n, strlen(v->plain));
        assert_memory_equal(out, v->plain, n);
        free(out);
        assert_int_equal(gh_b64url_decode(v->b64, strlen(v->b64), &out, &n), 0);
        assert_int_equal(n, strlen(v->plain));
        free(out);
    }
}

static void
test_b64_alphabets_differ(void **state)
{
    static const unsigned char bin[] = { 0xfb, 0xff };
    unsigned char             *out;
    size_t                     n;
    char                      *s;

    s = gh_b64_encode(bin, sizeof(bin));
    assert_string_equal(s, "+/8=");
    free(s);
    s = gh_b64url_encode(bin, sizeof(bin));
    assert_string_equal(s, "-_8");
    free(s);
    assert_int_equal(gh_b64url_decode("-_8", 3, &out, &n), 0);
    assert_memory_equal(out, bin, 2);
    free(out);
    assert_int_equal(gh_b64url_decode("+/8", 3, &out, &n), -1);
    assert_null(out);
    assert_int_equal(gh_b64_decode("-_8=", 4, &out, &n), -1);
}

static void
test_b64_rejects_junk(void **state)
{
    static const char *const bad_std[] = { "Zg", "Zg=", "Zg===", "Zm9v!", "Zm 9v", "Zh==",
        "Z", "Zm9vYg=", "=Zm9", "Zm9v\n" };
    static const char *const bad_url[] = { "Z", "Zg=", "Zg===", "Zm9v*", "Zh", "Zm9vYg=",
        "Zm 9v", "Zm9v.", "Zg==x" };
    unsigned char           *out;
    size_t                   n;

    for (size_t i = 0; i < sizeof(bad_std) / sizeof(bad_std[0]); i++)
        assert_int_equal(gh_b64_decode(bad_std[i], strlen(bad_std[i]), &out, &n), -1);
    for (size_t i = 0; i < sizeof(bad_url) / sizeof(bad_url[0]); i++)
        assert_int_equal(gh_b64url_decode(bad_url[i], strlen(bad_url[i]), &out, &n), -1);
    /* an embedded NUL is junk, not the end of the input */
    assert_int_equal(gh_b64url_decode("Zm9v\0Zm9v", 9, &out, &n), -1);
    assert_int_equal(gh_b64_decode("Zm9v\0\0\0\0", 8, &out, &n), -1);
}

static void
test_rand_base62_charset_and_length(void **state)
{
    char buf[1001];
    int  seen[128] = { 0 };

    memset(buf, 'X', sizeof(buf));
    gh_rand_base62(buf, 1000);
    assert_int_equal(strlen(buf), 1000);
    for (size_t i = 0; i < 1000; i++) {
        char c = buf[i];
        assert_true((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
        seen[(int)c] = 1;
    }
    int distinct = 0;
    for (int i = 0; i < 128; i++)
        distinct += seen[i];
    assert_true(distinct > 50); /* 1000 draws over 62 symbols hit nearly all */
    gh_rand_base62(buf, 0);
    assert_string_equal(buf, "");
}

static void
test_rand_bytes_differ(void **state)
{
    unsigned char a[32], b[32];

    gh_rand_bytes(a, sizeof(a));
    gh_rand_bytes(b, sizeof(b));
    assert_memory_not_equal(a, b, sizeof(a));
}

static void
hex(const unsigned char *p, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static void
test_sha256_known_vectors(void **state)
{
    unsigned char d[32];
    char          h[65];

    gh_sha256_hex("abc", 3, h);
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    gh_sha256("", 0, d);
    hex(d, 32, h);
    assert_string_equal(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void
test_hmac_rfc4231(void **state)
{
    static const char data6[] = "Test Using Larger Than Block-Size Key - Hash Key First";
    unsigned char     mac[32], key6[131];
    char              h[65];

    /* RFC 4231 test case 2 */
    gh_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
    hex(mac, 32, h);
    assert_string_equal(h, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    /* test case 6: a key longer than the block is hashed first */
    memset(key6, 0xaa, sizeof(key6));
    gh_hmac_sha256(key6, sizeof(key6), data6, strlen(data6), mac);
    hex(mac, 32, h);
    assert_string_equal(h, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void
test_ct_equal(void **state)
{
    assert_int_equal(gh_ct_equal("abcdef", "abcdef", 6), 1);
    assert_int_equal(gh_ct_equal("abcdef", "abcdeg", 6), 0);
    assert_int_equal(gh_ct_equal("xbcdef", "abcdef", 6), 0);
    assert_int_equal(gh_ct_equal("a", "b", 0), 1);
}

static void
test_secret_free_and_memzero(void **state)
{
    char buf[8] = "secret!";

    gh_memzero(buf, sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++)
        assert_int_equal(buf[i], 0);
    gh_secret_free(strdup("a secret"));
    gh_secret_free(NULL);
}

/* ---- master key ---- */

#define KEY_HEX "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
#define KEY_B64 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

static char tmpdir[64];

static int
master_setup(void **state)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/gh-test-crypto-XXXXXX");
    return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
master_teardown(void **state)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/master.key", tmpdir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/open.key", tmpdir);
    unlink(path);
    rmdir(tmpdir);
    return 0;
}

/* 1 when a box sealed with a opens with b. */
static int
same_key(const struct gh_master_key *a, const struct gh_master_key *b)
{
    unsigned char *box;
    size_t         blen;
    char          *plain = NULL;
    struct gh_err  err = { 0 };
    int            same;

    assert_int_equal(gh_master_seal(a, "pem", 3, &box, &blen, &err), 0);
    same = gh_master_open(b, box, blen, &plain, &err) == 0 && strcmp(plain, "pem") == 0;
    gh_secret_free(plain);
    free(box);
    return same;
}

static void
test_master_key_from_hex_and_base64_env(void **state)
{
    struct gh_master_key *h, *b;
    struct gh_err         err = { 0 };

    assert_int_equal(gh_master_key_load(KEY_HEX, NULL, 0, &h, &err), 0);
    assert_int_equal(gh_master_key_load(KEY_B64 "\n", NULL, 0, &b, &err), 0);
    assert_true(same_key(h, b));
    gh_master_key_free(h);
    gh_master_key_free(b);
}

static void
test_master_key_bad_env_names_variable(void **state)
{
    static const char *const bad[] = { "", "short", KEY_HEX "0", KEY_HEX "00",
        "zz0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==", /* 31 bytes */
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8" /* no padding */ };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct gh_master_key *mk = (void *)1;
        struct gh_err         err = { 0 };

        assert_int_equal(gh_master_key_load(bad[i], NULL, 0, &mk, &err), -1);
        assert_null(mk);
        assert_non_null(strstr(err.desc, "GATEHOUSE_MASTER_KEY"));
        if (strlen(bad[i]) > 4) {
            assert_null(strstr(err.desc, bad[i]));
            assert_null(strstr(err.note, bad[i]));
        }
    }
}

static void
test_master_key_file_created_0600_and_reloaded(void **state)
{
    struct gh_master_key *a, *b;
    struct gh_err         err = { 0 };
    struct stat           st;
    char                  path[128];

    snprintf(path, sizeof(path), "%s/master.key", tmpdir);
    unlink(path);
    assert_int_equal(gh_master_key_load(NULL, path, 1, &a, &err), 0);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 45); /* 44 base64 characters and a newline */
    assert_int_equal(gh_master_key_load(NULL, path, 0, &b, &err), 0);
    assert_true(same_key(a, b));
    gh_master_key_free(b);
    /* create on an existing file loads it instead of replacing it */
    assert_int_equal(gh_master_key_load(NULL, path, 1, &b, &err), 0);
    assert_true(same_key(a, b));
    gh_master_key_free(b);
    gh_master_key_free(a);
}

static void
test_master_key_file_readable_by_others_refused(void **state)
{
    struct gh_master_key *mk;
    struct gh_err         err = { 0 };
    char                  path[128];
    int                   fd;

    snprintf(path, sizeof(path), "%s/open.key", tmpdir);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, KEY_B64 "\n", 45), 45);
    close(fd);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(gh_master_key_load(NULL, path, 0, &mk, &err), -1);
    assert_null(mk);
    assert_non_null(strstr(err.desc, path));
    assert_non_null(strstr(err.desc, "chmod 600"));
    assert_int_equal(chmod(path, 0600), 0);
    gh_err_clear(&err);
    assert_int_equal(gh_master_key_load(NULL, path, 0, &mk, &err), 0);
    gh_master_key_free(mk);
}

static void
test_master_key_missing_file_without_create(void **state)
{
    struct gh_master_key *mk;
    struct gh_err         err = { 0 };
    char                  path[128];

    snprintf(path, sizeof(path), "%s/absent.key", tmpdir);
    assert_int_equal(gh_master_key_load(NULL, path, 0, &mk, &err), -1);
    assert_non_null(strstr(err.desc, path));
    gh_err_clear(&err);
    assert_int_equal(gh_master_key_load(NULL, NULL, 0, &mk, &err), -1);
    assert_non_null(strstr(err.desc, "GATEHOUSE_MASTER_KEY"));
}

static void
test_master_seal_open_round_trip_and_failures(void **state)
{
    static const char     pem[] = "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----\n";
    struct gh_master_key *mk, *other;
    unsigned char        *box, *box2;
    size_t                blen, blen2;
    char                 *plain;
    struct gh_err         err = { 0 };

    assert_int_equal(gh_master_key_load(KEY_HEX, NULL, 0, &mk, &err), 0);
    assert_int_equal(gh_master_key_load(NULL, NULL, 0, &other, &err), -1);
    gh_err_clear(&err);
    assert_int_equal(gh_master_key_load(
        "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", NULL, 0, &other,
        &err), 0);
    assert_int_equal(gh_master_seal(mk, pem, strlen(pem), &box, &blen, &err), 0);
    assert_int_equal(blen, 24 + 16 + strlen(pem));
    assert_int_equal(gh_master_seal(mk, pem, strlen(pem), &box2, &blen2, &err), 0);
    assert_memory_not_equal(box, box2, 24); /* fresh nonce each time */
    free(box2);
    assert_int_equal(gh_master_open(mk, box, blen, &plain, &err), 0);
    assert_string_equal(plain, pem);
    gh_secret_free(plain);
    /* wrong key */
    assert_int_equal(gh_master_open(other, box, blen, &plain, &err), -1);
    assert_null(plain);
    assert_int_equal(err.code, GH_E_INTERNAL);
    /* tampered ciphertext, tampered nonce, truncated */
    gh_err_clear(&err);
    box[30] ^= 1;
    assert_int_equal(gh_master_open(mk, box, blen, &plain, &err), -1);
    box[30] ^= 1;
    box[0] ^= 0x80;
    assert_int_equal(gh_master_open(mk, box, blen, &plain, &err), -1);
    box[0] ^= 0x80;
    assert_int_equal(gh_master_open(mk, box, blen - 1, &plain, &err), -1);
    assert_int_equal(gh_master_open(mk, box, 39, &plain, &err), -1);
    assert_int_equal(gh_master_open(mk, box, blen, &plain, &err), 0);
    gh_secret_free(plain);
    free(box);
    gh_master_key_free(mk);
    gh_master_key_free(other);
}

/* ---- passwords ---- */

static void
test_password_hash_and_verify(void **state)
{
    char         *phc;
    int           ok = -1, rehash = -1;
    struct gh_err err = { 0 };
    uint64_t      h0 = gh_metric_get(GH_METRIC_PASSWORD_HASHES);
    uint64_t      v0 = gh_metric_get(GH_METRIC_PASSWORD_VERIFIES);

    assert_int_equal(gh_password_hash("correct horse", 13, &phc, &err), 0);
    assert_true(strncmp(phc, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
    assert_int_equal(gh_password_verify(phc, "correct horse", 13, &ok, &rehash, &err), 0);
    assert_int_equal(ok, 1);
    assert_int_equal(rehash, 0);
    assert_int_equal(gh_password_verify(phc, "correct horsf", 13, &ok, NULL, &err), 0);
    assert_int_equal(ok, 0);
    assert_int_equal(gh_password_verify(phc, "correct hors", 12, &ok, NULL, &err), 0);
    assert_int_equal(ok, 0);
    assert_int_equal(gh_metric_get(GH_METRIC_PASSWORD_HASHES), h0 + 1);
    assert_int_equal(gh_metric_get(GH_METRIC_PASSWORD_VERIFIES), v0 + 3);
    free(phc);
}

static void
test_password_nul_is_a_byte(void **state)
{
    char         *phc;
    int           ok = -1;
    struct gh_err err = { 0 };

    assert_int_equal(gh_password_hash("abc\0def", 7, &phc, &err), 0);
    assert_int_equal(gh_password_verify(phc, "abc", 3, &ok, NULL, &err), 0);
    assert_int_equal(ok, 0);
    assert_int_equal(gh_password_verify(phc, "abc\0deg", 7, &ok, NULL, &err), 0);
    assert_int_equal(ok, 0);
    assert_int_equal(gh_password_verify(phc, "abc\0def", 7, &ok, NULL, &err), 0);
    assert_int_equal(ok, 1);
    free(phc);
}

static void
test_password_long(void **state)
{
    char          pw[1024];
    char         *phc;
    int           ok = -1;
    struct gh_err err = { 0 };

    memset(pw, 'p', sizeof(pw));
    assert_int_equal(gh_password_hash(pw, sizeof(pw), &phc, &err), 0);
    assert_int_equal(gh_password_verify(phc, pw, sizeof(pw), &ok, NULL, &err), 0);
    assert_int_equal(ok, 1);
    pw[1023] = 'q';
    assert_int_equal(gh_password_verify(phc, pw, sizeof(pw), &ok, NULL, &err), 0);
    assert_int_equal(ok, 0);
    free(phc);
}

static void
test_password_unknown_or_malformed_hash(void **state)
{
    static const char *const bad[] = {
        "$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", /* bcrypt: later */
        "plaintext", "", "$argon2id$v=19$m=19456,t=2,p=1$garbage",
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$" };
    int ok = -1, rehash = -1;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct gh_err err = { 0 };

        assert_int_equal(gh_password_verify(bad[i], "pw", 2, &ok, &rehash, &err), -1);
        assert_int_equal(err.code, GH_E_INTERNAL);
        assert_int_equal(ok, 0);
    }
}

static void
test_password_needs_rehash_for_other_params_or_alg(void **state)
{
    /* Real hashes of "password": argon2id at m=8 MiB, t=2 and argon2i at
     * m=8 MiB, t=3 (made with libsodium's crypto_pwhash_str_alg). */
    static const char id_weak[] = "$argon2id$v=19$m=8192,t=2,p=1$eUZZsoTi/HUuCucORGxasw$"
                                  "TtBCkYKkn99Qwqn81CFVRCXlYDLP6569fB4BkxoKMQM";
    static const char argon2i[] = "$argon2i$v=19$m=8192,t=3,p=1$Rgego/pjelDg44d2EXc1QQ$"
                                  "Bp56pJXKCE0XmTKTG5YdyjxG2laYA2/JB3lhvqtc5s8";
    int           ok = -1, rehash = -1;
    struct gh_err err = { 0 };

    assert_int_equal(gh_password_verify(id_weak, "password", 8, &ok, &rehash, &err), 0);
    assert_int_equal(ok, 1);
    assert_int_equal(rehash, 1);
    assert_int_equal(gh_password_verify(argon2i, "password", 8, &ok, &rehash, &err), 0);
    assert_int_equal(ok, 1);
    assert_int_equal(rehash, 1);
    assert_int_equal(gh_password_verify(argon2i, "Password", 8, &ok, &rehash, &err), 0);
    assert_int_equal(ok, 0);
}

static void
test_password_dummy_verify_runs(void **state)
{
    uint64_t v0 = gh_metric_get(GH_METRIC_PASSWORD_VERIFIES);

    gh_password_dummy_verify("anything", 8);
    gh_password_dummy_verify("", 0);
    assert_int_equal(gh_metric_get(GH_METRIC_PASSWORD_VERIFIES), v0 + 2);
}

static int
group_setup(void **state)
{
    struct gh_err err = { 0 };

    return gh_crypto_init(&err) == 0 && gh_crypto_init(&err) == 0 ? 0 : -1;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b64_rfc4648_vectors),
        cmocka_unit_test(test_b64_alphabets_differ),
        cmocka_unit_test(test_b64_rejects_junk),
        cmocka_unit_test(test_rand_base62_charset_and_length),
        cmocka_unit_test(test_rand_bytes_differ),
        cmocka_unit_test(test_sha256_known_vectors),
        cmocka_unit_test(test_hmac_rfc4231),
        cmocka_unit_test(test_ct_equal),
        cmocka_unit_test(test_secret_free_and_memzero),
        cmocka_unit_test_setup_teardown(test_master_key_from_hex_and_base64_env, master_setup,
            master_teardown),
        cmocka_unit_test(test_master_key_bad_env_names_variable),
        cmocka_unit_test_setup_teardown(test_master_key_file_created_0600_and_reloaded,
            master_setup, master_teardown),
        cmocka_unit_test_setup_teardown(test_master_key_file_readable_by_others_refused,
            master_setup, master_teardown),
        cmocka_unit_test_setup_teardown(test_master_key_missing_file_without_create,
            master_setup, master_teardown),
        cmocka_unit_test(test_master_seal_open_round_trip_and_failures),
        cmocka_unit_test(test_password_hash_and_verify),
        cmocka_unit_test(test_password_nul_is_a_byte),
        cmocka_unit_test(test_password_long),
        cmocka_unit_test(test_password_unknown_or_malformed_hash),
        cmocka_unit_test(test_password_needs_rehash_for_other_params_or_alg),
        cmocka_unit_test(test_password_dummy_verify_runs),
    };

    return cmocka_run_group_tests(tests, group_setup, NULL);
}
