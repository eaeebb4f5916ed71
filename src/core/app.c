/* app.c: see app.h. Opens everything the server runs on (store, master key,
 * default instance, keyring, token cache), creating the instance on first
 * start, and checks Backend API secret keys with a small in-process cache.
 * It does not parse configuration (main.c) or serve anything (src/http). */
#include "core/app.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/id.h"
#include "core/keys.h"
#include "core/ratelimit.h"
#include "core/settings.h"
#include "core/token.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/log.h"
#include "util/str.h"

#define SECRET_PREFIX    "sk_test_"
#define SECRET_BODY_LEN  40
#define SECRET_LEN       (sizeof(SECRET_PREFIX) - 1 + SECRET_BODY_LEN)
#define SECRET_MAX       128   /* longer Authorization values are refused before hashing */
#define SC_SLOTS         256   /* secret-key cache: direct-mapped slots */
#define SC_TTL_MS        60000
#define PATH_MAX_LEN     4096
#define PK_HOST_MAX      256

/* Positive results of secret-key checks, by SHA-256 of the key. XXX: a key
 * revoked with `gatehouse keys` (another process) keeps working here for up
 * to SC_TTL_MS; the Backend API hot path does not hit the database for every
 * request in exchange. Unknown keys are never cached, so a new key works at
 * once. */
struct sc_slot {
    char    hash[65];
    char    instance_id[GH_ID_MAX];
    int64_t expires_at; /* ms; 0 = empty */
};

struct app_impl {
    struct gh_app    app;                    /* first: gh_app * converts back */
    pthread_rwlock_t sc_lock;
    struct sc_slot   sc[SC_SLOTS];
    char             mk_path[PATH_MAX_LEN];  /* master key file ("" when from the env) */
};

static struct app_impl *
impl_of(struct gh_app *app)
{
    return (struct app_impl *)app;
}

/* ---- secret keys ---- */

static size_t
sc_index(const char hash[65])
{
    uint64_t v = 0;

    for (int i = 0; i < 4; i++) {
        char c = hash[i];

        v = v * 16 + (uint64_t)(c >= 'a' ? c - 'a' + 10 : c - '0');
    }
    return (size_t)(v % SC_SLOTS);
}

static int
sc_get(struct app_impl *im, const char hash[65], int64_t now, char *instance_id)
{
    struct sc_slot *s = &im->sc[sc_index(hash)];
    int             hit = 0;

    pthread_rwlock_rdlock(&im->sc_lock);
    if (s->expires_at > now && gh_ct_equal(s->hash, hash, 64)) {
        memcpy(instance_id, s->instance_id, GH_ID_MAX);
        hit = 1;
    }
    pthread_rwlock_unlock(&im->sc_lock);
    return hit;
}

static void
sc_put(struct app_impl *im, const char hash[65], int64_t now, const char *instance_id)
{
    struct sc_slot *s = &im->sc[sc_index(hash)];

    pthread_rwlock_wrlock(&im->sc_lock);
    memcpy(s->hash, hash, sizeof(s->hash));
    gh_strlcpy(s->instance_id, instance_id, sizeof(s->instance_id));
    s->expires_at = now + SC_TTL_MS;
    pthread_rwlock_unlock(&im->sc_lock);
}

/* Copies a store error into err (first failure wins). */
static int
pass_err(struct gh_err *err, const struct gh_err *se)
{
    if (err != NULL && err->code == GH_E_OK)
        *err = *se;
    return -1;
}

int
gh_app_check_secret(struct gh_app *app, const char *secret, char *instance_id, struct gh_err *err)
{
    struct gh_err se = { 0 };
    char          hash[65], id[GH_ID_MAX];
    size_t        n = secret != NULL ? strnlen(secret, SECRET_MAX + 1) : 0;
    int64_t       now = gh_now_ms();
    int           found = 0;

    if (n == 0 || n > SECRET_MAX ||
        (strncmp(secret, "sk_test_", 8) != 0 && strncmp(secret, "sk_live_", 8) != 0))
        return GH_FAIL(err, GH_E_KEY_INVALID, NULL);
    /* Looked up by hash: the database compares digests, never the secret, so
     * response time says nothing about how much of a guess was right. */
    gh_sha256_hex(secret, n, hash);
    if (sc_get(impl_of(app), hash, now, instance_id))
        return 0;
    if (gh_store_api_key_find(app->store, hash, &found, id, &se) == -1)
        return pass_err(err, &se);
    if (!found)
        return GH_FAIL(err, GH_E_KEY_INVALID, NULL);
    sc_put(impl_of(app), hash, now, id);
    memcpy(instance_id, id, GH_ID_MAX);
    return 0;
}

/* A new "sk_test_" + 40 base62 secret in secret[SECRET_LEN + 1] and its row. */
static void
new_secret(char *secret, struct gh_api_key *k)
{
    memset(k, 0, sizeof(*k));
    memcpy(secret, SECRET_PREFIX, sizeof(SECRET_PREFIX) - 1);
    gh_rand_base62(secret + sizeof(SECRET_PREFIX) - 1, SECRET_BODY_LEN);
    gh_id_new("ak", k->id);
    gh_sha256_hex(secret, SECRET_LEN, k->secret_hash);
    gh_strlcpy(k->hint, secret + SECRET_LEN - 4, sizeof(k->hint));
    k->created_at = gh_now_ms();
    k->revoked_at = GH_TIME_NULL;
}

int
gh_app_create_secret(struct gh_app *app, char **secret_out, struct gh_err *err)
{
    struct gh_api_key k;
    char              secret[SECRET_LEN + 1];

    *secret_out = NULL;
    new_secret(secret, &k);
    if (gh_store_api_key_insert(app->store, app->instance->id, &k, err) == -1) {
        gh_memzero(secret, sizeof(secret));
        return -1;
    }
    *secret_out = gh_strdup(secret);
    gh_memzero(secret, sizeof(secret));
    if (*secret_out == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_log_info("secret key created id=%s hint=%s", k.id, k.hint);
    return 0;
}

/* ---- publishable key ---- */

/* "host[:port]" of url (scheme, userinfo and path removed) into out[size]. */
static int
url_host(const char *url, char *out, size_t size)
{
    const char *p = strstr(url, "://"), *at;
    size_t      n;

    p = p != NULL ? p + 3 : url;
    n = strcspn(p, "/?#");
    at = memchr(p, '@', n);
    if (at != NULL) {
        n -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    if (n == 0 || n >= size)
        return -1;
    memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

/* spec §E1: "pk_test_" + base64("<host>$") without trailing '='. The SDK
 * splits on '_' (standard base64 has none) and wants a '.' in the host. */
static int
publishable_key(const char *frontend_url, char **out, struct gh_err *err)
{
    char   host[PK_HOST_MAX + 2], *b64;
    size_t n;

    *out = NULL;
    if (frontend_url == NULL || url_host(frontend_url, host, PK_HOST_MAX) == -1)
        return GH_FAIL(err, GH_E_INTERNAL, "the frontend URL has no host");
    if (strchr(host, '.') == NULL)
        gh_log_warn("frontend host %s has no '.': Clerk's SDK rejects such a publishable key; "
                    "use 127.0.0.1 or a dotted name (e.g. gatehouse.localhost)", host);
    n = strlen(host);
    host[n] = '$';
    if ((b64 = gh_b64_encode(host, n + 1)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    for (n = strlen(b64); n > 0 && b64[n - 1] == '='; n--)
        b64[n - 1] = '\0';
    *out = malloc(8 + n + 1);
    if (*out != NULL)
        snprintf(*out, 8 + n + 1, "pk_test_%s", b64);
    free(b64);
    return *out != NULL ? 0 : GH_FAIL(err, GH_E_NOMEM, NULL);
}

/* ---- bootstrap ---- */

static struct gh_instance *
new_instance(const struct gh_conf *conf, int64_t now, struct gh_err *err)
{
    struct gh_instance *in = calloc(1, sizeof(*in));

    if (in == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        return NULL;
    }
    gh_id_new("ins", in->id);
    in->name = gh_strdup(conf->instance_name != NULL ? conf->instance_name : "Gatehouse");
    in->frontend_url = gh_strdup(conf->frontend_url);
    in->settings = gh_strdup("{}");
    in->created_at = in->updated_at = now;
    if (in->name == NULL || in->frontend_url == NULL || in->settings == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
    } else if (publishable_key(conf->frontend_url, &in->publishable_key, err) == 0) {
        return in;
    }
    gh_instance_free(in);
    return NULL;
}

/* Creates the instance, its signing key and first secret key in one
 * transaction. XXX: two processes bootstrapping one empty PostgreSQL database
 * at once both create an instance; the first created stays the default. */
static int
bootstrap(struct gh_app *app, struct gh_bootstrap *boot, struct gh_err *err)
{
    struct gh_signing_key sk = { 0 };
    struct gh_api_key     ak;
    struct gh_instance   *in = NULL;
    char                  secret[SECRET_LEN + 1];
    int                   rc = -1, in_tx = 0;

    new_secret(secret, &ak);
    if ((in = new_instance(app->conf, gh_now_ms(), err)) == NULL ||
        gh_keyring_generate(app->master, &sk, err) == -1)
        goto done;
    if (gh_store_begin(app->store, err) == -1)
        goto done;
    in_tx = 1;
    if (gh_store_instance_insert(app->store, in, err) == -1 ||
        gh_store_signing_key_insert(app->store, in->id, &sk, err) == -1 ||
        gh_store_api_key_insert(app->store, in->id, &ak, err) == -1 ||
        gh_store_commit(app->store, err) == -1)
        goto done;
    in_tx = 0;
    gh_log_info("instance created id=%s kid=%s secret_key_id=%s", in->id, sk.kid, ak.id);
    if (boot != NULL) {
        boot->created = 1;
        gh_strlcpy(boot->secret_key, secret, sizeof(boot->secret_key));
    } else {
        gh_log_warn("instance %s created by an admin command: its first secret key is not "
                    "shown; make one with: gatehouse keys create-secret", in->id);
    }
    app->instance = in;
    in = NULL;
    rc = 0;
done:
    if (in_tx)
        gh_store_rollback(app->store);
    gh_memzero(secret, sizeof(secret));
    gh_signing_key_clear(&sk);
    gh_instance_free(in);
    return rc;
}

/* The frontend URL moved since the instance was created: the publishable key
 * encodes its host, so it changes too. */
static int
sync_frontend_url(struct gh_app *app, struct gh_err *err)
{
    struct gh_instance *in = app->instance;
    char               *pk = NULL, *url = NULL;

    if (app->conf->frontend_url == NULL || gh_str_eq(in->frontend_url, app->conf->frontend_url))
        return 0;
    if (publishable_key(app->conf->frontend_url, &pk, err) == -1)
        return -1;
    if ((url = gh_strdup(app->conf->frontend_url)) == NULL) {
        free(pk);
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    gh_log_info("frontend URL changed from %s to %s; publishable key updated",
        in->frontend_url != NULL ? in->frontend_url : "(none)", url);
    free(in->frontend_url);
    free(in->publishable_key);
    in->frontend_url = url;
    in->publishable_key = pk;
    in->updated_at = gh_now_ms();
    return gh_store_instance_update(app->store, in, err);
}

/* Where the master key file lives: --master-key-file, else beside the SQLite
 * file, else ./gatehouse.key. */
static int
master_key_path(const struct gh_conf *conf, struct gh_store *st, char *out, size_t size,
    struct gh_err *err)
{
    const char *db = gh_store_sqlite_path(st);
    int         n;

    if (conf->master_key_file != NULL && conf->master_key_file[0] != '\0')
        n = snprintf(out, size, "%s", conf->master_key_file);
    else if (db != NULL)
        n = snprintf(out, size, "%s.key", db);
    else
        n = snprintf(out, size, "./gatehouse.key");
    if (n < 0 || (size_t)n >= size)
        return GH_FAIL(err, GH_E_INTERNAL, "master key path too long");
    return 0;
}

static int
load_instance(struct gh_app *app, struct gh_bootstrap *boot, struct gh_err *err)
{
    if (gh_store_instance_find_default(app->store, &app->instance, err) == -1)
        return -1;
    if (app->instance == NULL)
        return bootstrap(app, boot, err);
    /* Only `serve` (boot != NULL) follows a new frontend URL: admin verbs run
     * without the server's flags and must not rewrite the publishable key. */
    return boot != NULL ? sync_frontend_url(app, err) : 0;
}

int
gh_app_open(const struct gh_conf *conf, struct gh_app **out, struct gh_bootstrap *boot,
    struct gh_err *err)
{
    struct app_impl *im;
    struct gh_app   *app;

    *out = NULL;
    if (boot != NULL)
        memset(boot, 0, sizeof(*boot));
    if (gh_crypto_init(err) == -1)
        return -1;
    if ((im = calloc(1, sizeof(*im))) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    app = &im->app;
    app->conf = conf;
    if (pthread_rwlock_init(&im->sc_lock, NULL) != 0) {
        GH_FAIL(err, GH_E_INTERNAL, "rwlock init failed");
        goto fail_alloc;
    }
    if (gh_store_open(conf->database_url, &app->store, err) == -1)
        goto fail_lock;
    if (gh_store_migrate(app->store, err) == -1 || gh_store_analyze(app->store, 0, err) == -1)
        goto fail_store;
    if (master_key_path(conf, app->store, im->mk_path, sizeof(im->mk_path), err) == -1 ||
        gh_master_key_load(conf->master_key, im->mk_path, 1, &app->master, err) == -1)
        goto fail_store;
    if (load_instance(app, boot, err) == -1)
        goto fail_instance;
    if (gh_keyring_load(app->store, app->master,
            conf->master_key != NULL ? "GATEHOUSE_MASTER_KEY" : im->mk_path, app->instance->id,
            &app->keys, err) == -1)
        goto fail_instance;
    if (gh_token_cache_new(GH_TOKEN_CACHE_MAX, &app->tokens, err) == -1)
        goto fail_keys;
    /* issue 6: PostgreSQL means several servers may share the database, so
     * their rate-limit counts must meet there; SQLite is one server. */
    if (gh_ratelimit_new(conf, strcmp(gh_store_dialect(app->store), "postgres") == 0
                                   ? app->store : NULL, &app->limits, err) == -1)
        goto fail_tokens;
    if (gh_settings_cache_new(&app->settings, err) == -1)
        goto fail_limits;
    *out = app;
    return 0;
fail_limits:
    gh_ratelimit_free(app->limits);
fail_tokens:
    gh_token_cache_free(app->tokens);
fail_keys:
    gh_keyring_free(app->keys);
fail_instance:
    if (boot != NULL)
        gh_memzero(boot, sizeof(*boot));
    gh_instance_free(app->instance);
    gh_master_key_free(app->master);
fail_store:
    gh_store_close(app->store);
fail_lock:
    pthread_rwlock_destroy(&im->sc_lock);
fail_alloc:
    free(im);
    return -1;
}

void
gh_app_close(struct gh_app *app)
{
    struct app_impl *im;

    if (app == NULL)
        return;
    im = impl_of(app);
    gh_ratelimit_free(app->limits);
    gh_settings_cache_free(app->settings);
    gh_token_cache_free(app->tokens);
    gh_keyring_free(app->keys);
    gh_instance_free(app->instance);
    gh_master_key_free(app->master);
    gh_store_close(app->store);
    gh_memzero(im->sc, sizeof(im->sc));
    pthread_rwlock_destroy(&im->sc_lock);
    free(im);
}

/* ---- printing ---- */

/* url without trailing slashes, as "%.*s" length. */
static int
trimmed_len(const char *url)
{
    size_t n = strlen(url);

    while (n > 0 && url[n - 1] == '/')
        n--;
    return (int)n;
}

void
gh_app_print_env(const struct gh_app *app, const struct gh_bootstrap *boot, FILE *out)
{
    const char *api = app->conf->backend_url != NULL ? app->conf->backend_url : "";

    fprintf(out, "CLERK_PUBLISHABLE_KEY=%s\n", app->instance->publishable_key);
    if (boot != NULL && boot->created)
        fprintf(out, "CLERK_SECRET_KEY=%s\n", boot->secret_key);
    else
        fprintf(out, "# CLERK_SECRET_KEY was printed when the instance was created; "
                     "make a new one with: gatehouse keys create-secret\n");
    fprintf(out, "CLERK_API_URL=%.*s\n", trimmed_len(api), api);
    fprintf(out, "CLERK_JWKS_URL=%.*s/v1/jwks\n", trimmed_len(api), api);
    fprintf(out, "# JWT public key (CLERK_JWT_KEY): gatehouse keys jwt-public-key\n");
    fflush(out);
    /* The caller's struct is not const underneath (app.h: "wipe after printing"). */
    if (boot != NULL)
        gh_memzero((void *)boot->secret_key, sizeof(boot->secret_key));
}

static void
fmt_time(int64_t ms, char out[32])
{
    struct tm tm;
    time_t    t = (time_t)(ms / 1000);

    if (ms == GH_TIME_NULL || gmtime_r(&t, &tm) == NULL ||
        strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, 32, "-");
}

int
gh_app_list_keys(struct gh_app *app, FILE *out, struct gh_err *err)
{
    struct gh_signing_key *sv = NULL;
    struct gh_api_key     *av = NULL;
    size_t                 sn = 0, an = 0;
    char                   t1[32], t2[32];
    int                    rc = -1;

    if (gh_store_signing_key_list(app->store, app->instance->id, &sv, &sn, err) == -1 ||
        gh_store_api_key_list(app->store, app->instance->id, &av, &an, err) == -1)
        goto done;
    fprintf(out, "# signing keys (newest first)\n");
    for (size_t i = 0; i < sn; i++) {
        fmt_time(sv[i].created_at, t1);
        fprintf(out, "signing %s %s %s created=%s\n", sv[i].kid, sv[i].alg,
            sv[i].active ? "active" : "verify-only", t1);
    }
    fprintf(out, "# secret keys\n");
    for (size_t i = 0; i < an; i++) {
        fmt_time(av[i].created_at, t1);
        fmt_time(av[i].revoked_at, t2);
        fprintf(out, "secret %s sk_…%s created=%s revoked=%s\n", av[i].id, av[i].hint, t1, t2);
    }
    rc = 0;
done:
    gh_signing_keys_free(sv, sn);
    free(av);
    return rc;
}

const char *
gh_app_jwt_public_pem(const struct gh_app *app)
{
    return gh_keyring_active_pem(app->keys);
}

const char *
gh_app_jwks_json(const struct gh_app *app)
{
    return gh_keyring_jwks_json(app->keys);
}
