/* settings.h: the instance's settings (issue 4): which identifiers and
 * strategies are on, sign-up mode and restrictions, organizations, display
 * name and URLs, allowed origins and the redirect allowlist. They are stored
 * as a JSON object of Gatehouse keys (the field names below) in
 * instances.settings, holding only what an operator set; missing keys take
 * the defaults, so an instance created before a setting existed keeps
 * working. Operators change them with the Backend API (PATCH /v1/instance…)
 * or `gatehouse instance set`.
 *
 * Reads go through a per-process cache (settings_cache.c) that every thread
 * shares: a change made here is visible to every thread at once, and a
 * change made by another server sharing the database within
 * GH_SETTINGS_TTL_MS (a one-column version check, then a re-read only when
 * the version moved). Writes are a compare-and-set on that version, so two
 * servers editing at once never lose an edit. */
#ifndef GH_CORE_SETTINGS_H
#define GH_CORE_SETTINGS_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct gh_app;

#define GH_SETTINGS_URL_MAX  512
#define GH_SETTINGS_NAME_MAX 256
#define GH_SETTINGS_LIST_MAX 50    /* entries in allowed_origins, allowed_redirect_urls */
#define GH_SETTINGS_TEXT_MAX 65536 /* the stored JSON text */
#define GH_SETTINGS_TTL_MS   1000  /* a server re-checks the version this often */

struct gh_settings {
    int  single_session_mode;    /* 1 (default): one signed-in account per browser */
    int  email_code_first_factor;/* 1: sign in with an emailed code (default 1) */
    int  password_enabled;       /* 1 (default): passwords; required at sign-up */
    int  username_enabled;       /* 0 (default) */
    int  names_enabled;          /* first/last name fields (default 1) */
    int  totp_enabled;           /* authenticator apps as second factor (default 1) */
    int  backup_codes_enabled;   /* default 1 */
    int  orgs_enabled;           /* organizations (default 1) */
    int  max_allowed_memberships;/* per organization; 0 = unlimited (default 0) */
    int  admin_delete;           /* admins may delete organizations (default 1) */
    int  domains_enabled;        /* organization verified domains (stored only; default 0) */
    int  delete_self;            /* users may delete their account (default 1) */
    int  create_organization;    /* users may create organizations (default 1) */
    int  allowlist_only;         /* sign-up only for allowlisted identifiers (default 0) */
    int  blocklist_enabled;      /* blocklist checked at sign-up (default 1) */
    int  block_email_subaddresses;       /* refuse "a+b@x" at sign-up (default 0) */
    int  block_disposable_email_domains; /* default 0 */
    int  ignore_dots_for_gmail_addresses;/* default 0 */
    int  enumeration_protection; /* strict answers that do not reveal accounts (default 1) */
    int  test_mode;              /* development: +clerk_test addresses (default 1) */
    int  min_password_length;    /* 8..72, default 8 */
    char sign_up_mode[16];       /* "public" (default) | "restricted" (invitations only) */
    char preferred_sign_in_strategy[16]; /* "password" (default) | "otp" */
    char application_name[GH_SETTINGS_NAME_MAX]; /* "" = the instance's name */
    char home_url[GH_SETTINGS_URL_MAX];        /* "" = none */
    char sign_in_url[GH_SETTINGS_URL_MAX];     /* "" = the hosted page */
    char sign_up_url[GH_SETTINGS_URL_MAX];
    char after_sign_in_url[GH_SETTINGS_URL_MAX];
    char after_sign_up_url[GH_SETTINGS_URL_MAX];
    char after_sign_out_url[GH_SETTINGS_URL_MAX];
    char support_email[256];
};

/* The defaults above. */
void gh_settings_defaults(struct gh_settings *s);
/* The instance's settings (defaults overlaid with what is stored), from the
 * cache. Never fails today (unreadable JSON is logged and ignored; a
 * database that cannot be reached leaves the last copy in use); err is kept
 * for callers that check. */
int gh_settings_load(const struct gh_app *app, struct gh_settings *s, struct gh_err *err);
/* The display name: application_name, else the instance's name, else
 * "Gatehouse". Always terminated. */
void gh_settings_app_name(const struct gh_app *app, char *out, size_t size);

/* 1 when origin matches an entry of the instance's allowed_origins (exact,
 * or "scheme://host:*"; see core/origin.h). */
int gh_settings_origin_allowed(const struct gh_app *app, const char *origin);

/* Redirects after sign-in/sign-up/sign-out (issue 4; catalogue BI-14): 1
 * only when url is byte for byte one of allowed_redirect_urls or of the
 * instance's own configured URLs (home, sign-in, sign-up, after-*). No
 * prefix, case, path or host normalisation of any kind: a near miss is a
 * miss. 0 for NULL, "" and anything longer than GH_SETTINGS_URL_MAX. */
int gh_settings_redirect_allowed(const struct gh_app *app, const char *url);
/* 1 when url may be stored as a redirect target: shorter than
 * GH_SETTINGS_URL_MAX, printable ASCII without spaces or backslashes,
 * "scheme://authority…" with a lower-case scheme other than javascript,
 * data, vbscript, file or blob, and a non-empty authority without '@'
 * (for http and https: a host of letters, digits, '.' and '-' or an [IPv6]
 * literal, and a numeric port). Pure; exposed for unit tests. */
int gh_settings_redirect_url_valid(const char *url);

/* Applies patch, a JSON object of Gatehouse keys (the struct fields above
 * plus "allowed_origins" and "allowed_redirect_urls", arrays of strings), to
 * the stored settings: a value sets the key, null resets it to the default.
 * Everything is checked before anything is written: unknown key →
 * GH_E_PARAM_UNKNOWN, wrong type or out of range → GH_E_PARAM_INVALID, each
 * naming the key in err->param. Retries the compare-and-set when another
 * writer got in between; the new settings are visible to every thread of
 * this process on return. */
int gh_settings_update(struct gh_app *app, const char *patch_json, struct gh_err *err);
/* The same from "key=value" strings (the CLI): the value is read by the key's
 * type (booleans true/false/1/0/yes/no/on/off, whole numbers, strings, lists
 * comma-separated); "key=" resets the key to its default. */
int gh_settings_update_kv(struct gh_app *app, const char *const *kv, size_t n,
    struct gh_err *err);
/* Every setting with its effective value, lists included, as a JSON object
 * (*out malloc'd; pretty = indented). */
int gh_settings_json(const struct gh_app *app, int pretty, char **out, struct gh_err *err);

/* ---- the cache (settings_cache.c; core/app.c owns it) ---- */
struct gh_settings_cache;
int  gh_settings_cache_new(struct gh_settings_cache **out, struct gh_err *err);
void gh_settings_cache_free(struct gh_settings_cache *c);

/* Operator edits (`gatehouse settings set KEY=VALUE`): sets one key of the
 * instance's settings JSON and stores it (app->instance->settings follows).
 * assign is "key=value": a boolean key takes true|false, a number key a
 * non-negative integer, sign_up_mode public|restricted|waitlist,
 * preferred_sign_in_strategy password|otp, the URL keys any text (""
 * clears). An unknown key or a bad value → GH_E_PARAM_INVALID naming the
 * key (gh_settings_update_kv with one pair). */
int gh_settings_set(struct gh_app *app, const char *assign, struct gh_err *err);

#endif
