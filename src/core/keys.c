/* keys.c: see keys.h. Builds the immutable keyring from the store's signing
 * key rows: only the active key's private PEM is opened (and wiped once the
 * signer holds it); the others are published for verification only. It does
 * not insert, rotate or delete keys (app.c and the `keys` verbs do). */
#include "core/keys.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/id.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/str.h"

#define JWKS_MAX (64 * 1024) /* a JWK is ~450 bytes; this fits 100+ keys */

struct kr_key {
    char                kid[GH_ID_MAX];
    char               *public_pem;
    struct gh_verifier *verifier;
};

struct gh_keyring {
    struct gh_signer *signer; /* the active key's private part */
    struct kr_key    *keys;   /* [0] is the active key */
    size_t            nkeys;
    char             *jwks;   /* {"keys":[…]} */
};

int
gh_keyring_generate(const struct gh_master_key *mk, struct gh_signing_key *k, struct gh_err *err)
{
    char *priv = NULL, *pub = NULL;
    int   rc = -1;

    memset(k, 0, sizeof(*k));
    /* Clerk's kids look like "ins_…"; a fresh random body keeps the kid
     * distinct from the instance id (it names a key, not the instance). */
    gh_id_new("ins", k->kid);
    snprintf(k->alg, sizeof(k->alg), "RS256");
    k->active = 1;
    k->created_at = gh_now_ms();
    if (gh_rsa_generate(&priv, &pub, err) == -1)
        goto done;
    if (gh_master_seal(mk, priv, strlen(priv), &k->private_sealed, &k->private_sealed_len,
            err) == -1)
        goto done;
    k->public_pem = pub;
    pub = NULL;
    rc = 0;
done:
    gh_secret_free(priv);
    free(pub);
    return rc;
}

/* Opens the sealed private key of k and makes the signer. A box that does not
 * open means the master key differs from the one that sealed it. */
static int
open_signer(const struct gh_master_key *mk, const char *mk_origin, const struct gh_signing_key *k,
    struct gh_signer **out, struct gh_err *err)
{
    struct gh_err oe = { 0 };
    char         *pem = NULL, msg[128];
    int           rc;

    if (gh_master_open(mk, k->private_sealed, k->private_sealed_len, &pem, &oe) == -1) {
        snprintf(msg, sizeof(msg), "the master key from %.70s does not open the signing key",
            mk_origin != NULL ? mk_origin : "GATEHOUSE_MASTER_KEY");
        GH_FAIL(err, GH_E_INTERNAL, msg);
        gh_err_note(err, "kid=%s master key source=%s: wrong master key? set "
                         "GATEHOUSE_MASTER_KEY or the key file (--master-key-file) to the one "
                         "that created this database (%s)",
            k->kid, mk_origin != NULL ? mk_origin : "GATEHOUSE_MASTER_KEY", oe.desc);
        return -1;
    }
    rc = gh_signer_new(k->kid, pem, out, err);
    gh_secret_free(pem);
    return rc;
}

/* Adds one key (public part only) at kr->keys[kr->nkeys]. */
static int
add_key(struct gh_keyring *kr, const struct gh_signing_key *k, struct gh_err *err)
{
    struct kr_key *e = &kr->keys[kr->nkeys];

    memcpy(e->kid, k->kid, sizeof(e->kid));
    e->public_pem = gh_strdup(k->public_pem);
    if (e->public_pem == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    kr->nkeys++;
    return gh_verifier_new(k->kid, k->public_pem, &e->verifier, err);
}

static int
build_jwks(struct gh_keyring *kr, struct gh_err *err)
{
    struct gh_buf b;
    char         *jwk = NULL;

    gh_buf_init(&b, JWKS_MAX);
    gh_buf_add(&b, "{\"keys\":[");
    for (size_t i = 0; i < kr->nkeys; i++) {
        if (gh_jwk_from_pem(kr->keys[i].kid, kr->keys[i].public_pem, &jwk, err) == -1) {
            gh_buf_clear(&b);
            return -1;
        }
        if (i > 0)
            gh_buf_addc(&b, ',');
        gh_buf_add(&b, jwk);
        free(jwk);
        jwk = NULL;
    }
    gh_buf_add(&b, "]}");
    kr->jwks = gh_buf_take(&b);
    gh_buf_clear(&b);
    if (kr->jwks == NULL)
        return GH_FAIL(err, GH_E_NOMEM, "JWKS too large");
    return 0;
}

/* Index of the newest active key in v (newest first), or -1. */
static long
find_active(const struct gh_signing_key *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].active)
            return (long)i;
    return -1;
}

int
gh_keyring_load(struct gh_store *st, const struct gh_master_key *mk, const char *mk_origin,
    const char *instance_id, struct gh_keyring **out, struct gh_err *err)
{
    struct gh_signing_key *v = NULL;
    struct gh_keyring     *kr = NULL;
    size_t                 n = 0;
    long                   act;
    int                    rc = -1;

    *out = NULL;
    if (gh_store_signing_key_list(st, instance_id, &v, &n, err) == -1)
        goto done;
    if ((act = find_active(v, n)) < 0) {
        GH_FAIL(err, GH_E_INTERNAL, "the instance has no active signing key");
        gh_err_note(err, "instance=%s keys=%zu", instance_id, n);
        goto done;
    }
    if ((kr = calloc(1, sizeof(*kr))) == NULL || (kr->keys = calloc(n, sizeof(*kr->keys))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    if (open_signer(mk, mk_origin, &v[act], &kr->signer, err) == -1 ||
        add_key(kr, &v[act], err) == -1)
        goto done;
    for (size_t i = 0; i < n; i++)
        if ((long)i != act && add_key(kr, &v[i], err) == -1)
            goto done;
    if (build_jwks(kr, err) == -1)
        goto done;
    gh_log_info("signing keys loaded active_kid=%s keys=%zu", kr->keys[0].kid, kr->nkeys);
    *out = kr;
    kr = NULL;
    rc = 0;
done:
    gh_keyring_free(kr);
    gh_signing_keys_free(v, n);
    return rc;
}

void
gh_keyring_free(struct gh_keyring *kr)
{
    if (kr == NULL)
        return;
    for (size_t i = 0; i < kr->nkeys; i++) {
        free(kr->keys[i].public_pem);
        gh_verifier_free(kr->keys[i].verifier);
    }
    free(kr->keys);
    gh_signer_free(kr->signer);
    free(kr->jwks);
    free(kr);
}

const struct gh_signer *
gh_keyring_signer(const struct gh_keyring *kr)
{
    return kr->signer;
}

const char *
gh_keyring_active_kid(const struct gh_keyring *kr)
{
    return kr->keys[0].kid;
}

const char *
gh_keyring_active_pem(const struct gh_keyring *kr)
{
    return kr->keys[0].public_pem;
}

const char *
gh_keyring_jwks_json(const struct gh_keyring *kr)
{
    return kr->jwks;
}

size_t
gh_keyring_count(const struct gh_keyring *kr)
{
    return kr->nkeys;
}

const struct gh_verifier *
gh_keyring_verifier(const struct gh_keyring *kr, size_t i)
{
    return i < kr->nkeys ? kr->keys[i].verifier : NULL;
}
