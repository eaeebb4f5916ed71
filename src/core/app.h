/* app.h: the running application as the domain sees it: the store, the
 * default instance, its keys, and the loaded configuration. Built by main.c
 * through gh_app_open(); shared read-only by every worker thread (mutable
 * parts inside have their own locks). No HTTP, SQL or library types here. */
#ifndef GH_CORE_APP_H
#define GH_CORE_APP_H

#include <stdint.h>
#include <stdio.h>

#include "core/event.h"
#include "store/records.h"
#include "util/conf.h"
#include "util/err.h"

struct gh_store;
struct gh_keyring;      /* core/keys.c: signing key, public keys, cached JWKS */
struct gh_token_cache;  /* core/token.c: reusable session tokens */
struct gh_master_key;
struct gh_ratelimit;    /* core/ratelimit.c: rate-limit windows (issue 6) */
struct gh_mail;         /* core/mail.h */
struct gh_settings_cache; /* core/settings.c */

struct gh_app {
    const struct gh_conf  *conf;
    struct gh_store       *store;
    struct gh_master_key  *master;
    struct gh_instance    *instance;  /* the default instance (owned) */
    struct gh_keyring     *keys;
    struct gh_token_cache *tokens;
    struct gh_ratelimit   *limits;    /* issue 6; NULL limits nothing (unit tests) */
    /* webhooks (issue 5): set once at startup, see core/event.h */
    gh_event_render_fn    *event_render;
    gh_event_wake_fn      *event_wake;
    void                  *event_wake_arg;
    /* Frontend API email (issue 4): set once at startup, see core/mail.h */
    int                  (*mail_send)(void *arg, const char *instance_id,
                             const struct gh_mail *m, struct gh_err *err);
    void                 (*mail_wake)(void *arg);
    void                  *mail_arg;
    /* instance settings (issue 4): shared cache, see core/settings.h */
    struct gh_settings_cache *settings;
};

/* What bootstrap created, to print once on stdout. */
struct gh_bootstrap {
    int  created;                /* 1 when this start created the instance */
    char secret_key[128];        /* the new sk_test_… (only when created; wipe after printing) */
};

/* Opens the store, migrates, loads the master key, and loads the default
 * instance, creating it (instance, RSA-2048 key, publishable key, first secret
 * key) when the database is empty. `boot` may be NULL. Caller frees with
 * gh_app_close. With boot non-NULL (serve), a conf->frontend_url that differs
 * from the stored one replaces it and the publishable key; with NULL (admin
 * verbs, run without the server's flags) the stored values are kept. */
int  gh_app_open(const struct gh_conf *conf, struct gh_app **out, struct gh_bootstrap *boot,
    struct gh_err *err);
void gh_app_close(struct gh_app *app);

/* Prints CLERK_PUBLISHABLE_KEY=, CLERK_SECRET_KEY= (when boot->created),
 * CLERK_API_URL=, CLERK_JWKS_URL= and how to get the PEM, each on its own line. */
void gh_app_print_env(const struct gh_app *app, const struct gh_bootstrap *boot, FILE *out);

/* Checks an "sk_…" secret key in constant time (lookup by SHA-256); on success
 * copies the instance id (GH_ID_MAX bytes). GH_E_KEY_INVALID otherwise. */
int gh_app_check_secret(struct gh_app *app, const char *secret, char *instance_id,
    struct gh_err *err);

/* Admin verbs. create_secret: *secret_out malloc'd (free with gh_secret_free). */
int gh_app_create_secret(struct gh_app *app, char **secret_out, struct gh_err *err);
int gh_app_list_keys(struct gh_app *app, FILE *out, struct gh_err *err);
/* The active signing key's SPKI PEM, for CLERK_JWT_KEY. Borrowed. */
const char *gh_app_jwt_public_pem(const struct gh_app *app);
/* The JWKS document {"keys":[…]} as JSON text. Borrowed; stable between key changes. */
const char *gh_app_jwks_json(const struct gh_app *app);

#endif
