/* keys.h: the keyring: the instance's signing keys as the running server
 * uses them. The active key's signer (the only private key held in memory),
 * a verifier and public PEM per key, and the JWKS document, built once at
 * load. Immutable after gh_keyring_load, so every thread reads it without a
 * lock; a rotation builds a new keyring. Key generation for bootstrap and
 * rotation lives here too; storing keys is the caller's (app.c). */
#ifndef GH_CORE_KEYS_H
#define GH_CORE_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "store/records.h"
#include "util/err.h"

struct gh_keyring;
struct gh_store;
struct gh_master_key;
struct gh_signer;
struct gh_verifier;

/* Generates a new RSA-2048 (e=65537) signing key: kid "ins_" + 27 base62
 * characters, alg RS256, private PEM sealed with mk, active = 1, created_at =
 * now. Fills *k (caller storage; release with gh_signing_key_clear, also on
 * failure). */
int gh_keyring_generate(const struct gh_master_key *mk, struct gh_signing_key *k,
    struct gh_err *err);

/* Loads every signing key of the instance: opens the newest active key's
 * private part with mk, parses every public key, and builds the JWKS (active
 * key first, then the rest newest first). mk_origin names where the master
 * key came from ("GATEHOUSE_MASTER_KEY" or a file path) for the message when
 * it does not open the key. No key, or no active key → GH_E_INTERNAL.
 * *out: caller frees with gh_keyring_free. */
int  gh_keyring_load(struct gh_store *st, const struct gh_master_key *mk, const char *mk_origin,
    const char *instance_id, struct gh_keyring **out, struct gh_err *err);
void gh_keyring_free(struct gh_keyring *kr);

/* Borrowed views, valid while the keyring lives. */
const struct gh_signer *gh_keyring_signer(const struct gh_keyring *kr);
const char *gh_keyring_active_kid(const struct gh_keyring *kr);
const char *gh_keyring_active_pem(const struct gh_keyring *kr); /* SPKI PEM (CLERK_JWT_KEY) */
const char *gh_keyring_jwks_json(const struct gh_keyring *kr);  /* {"keys":[…]} */
size_t      gh_keyring_count(const struct gh_keyring *kr);
/* The i-th key's verifier (0 = active), or NULL past the end. */
const struct gh_verifier *gh_keyring_verifier(const struct gh_keyring *kr, size_t i);

#endif
