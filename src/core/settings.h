/* settings.h: the instance's Frontend API settings (issue 4): which
 * identifiers and strategies are on, sign-up mode, organizations, URLs. They
 * are stored as JSON text in instances.settings (operators change them with
 * the Backend API's PATCH /v1/instance…); missing keys take the defaults
 * below, so an instance created before a setting existed keeps working. */
#ifndef GH_CORE_SETTINGS_H
#define GH_CORE_SETTINGS_H

#include "util/err.h"

struct gh_app;

#define GH_SETTINGS_URL_MAX 512

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
    int  delete_self;            /* users may delete their account (default 1) */
    int  create_organization;    /* users may create organizations (default 1) */
    int  allowlist_only;         /* sign-up only for allowlisted identifiers (default 0) */
    int  blocklist_enabled;      /* blocklist checked at sign-up (default 1) */
    int  enumeration_protection; /* strict answers that do not reveal accounts (default 1) */
    int  min_password_length;    /* default 8 */
    char sign_up_mode[16];       /* "public" (default) | "restricted" (invitations only) */
    char preferred_sign_in_strategy[16]; /* "password" (default) | "otp" */
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
/* The instance's settings: defaults overlaid with instances.settings.
 * Unreadable JSON is logged and ignored (defaults). */
int gh_settings_load(const struct gh_app *app, struct gh_settings *s, struct gh_err *err);

#endif
