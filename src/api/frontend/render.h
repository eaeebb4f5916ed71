/* render.h: the Frontend API's JSON shapes (spec FAPI §4): client, session
 * (with its full user), user (the Backend API's user plus
 * organization_memberships, minus private_metadata, which never reaches a
 * browser), sign-in and sign-up. Every field clerk-js reads is present with
 * its type: a missing one stalls or crashes the UI (spec §4 "if missing"). */
#ifndef GH_API_FRONTEND_RENDER_H
#define GH_API_FRONTEND_RENDER_H

#include <jansson.h>

#include "api/frontend/fapi.h"
#include "store/records.h"
#include "util/err.h"

/* The whole current client of f (sessions with users and tokens, sign-in,
 * sign-up). NULL with err set on failure. */
json_t *gh_fapi_render_client(struct gh_fapi *f, struct gh_err *err);
/* A session with its user and last_active_token (u may be NULL: loaded). */
json_t *gh_fapi_render_session(struct gh_fapi *f, const struct gh_session *s,
    const struct gh_user *u, struct gh_err *err);
/* A user as the browser sees it (with organization_memberships). */
json_t *gh_fapi_render_user(struct gh_fapi *f, const struct gh_user *u, struct gh_err *err);
/* An organization as members see it: private_metadata removed,
 * pending_invitations_count added. NULL on OOM. */
json_t *gh_fapi_render_org(struct gh_fapi *f, const struct gh_org *o);
/* A membership with its organization (o may be NULL: loaded), role name and
 * permissions, public_user_data; no private metadata. */
json_t *gh_fapi_render_membership(struct gh_fapi *f, const struct gh_org_membership *m,
    const struct gh_org *o, struct gh_err *err);
/* {first_name,last_name,image_url,has_image,identifier,user_id,username}. */
json_t *gh_fapi_render_public_user_data(struct gh_fapi *f, const struct gh_user *u);
/* A Verification (spec §4.6) from v, or null when v has no strategy. */
json_t *gh_fapi_render_verif(const struct gh_verif *v);

/* Sign-in and sign-up (render_sign_in.c, render_sign_up.c). */
json_t *gh_fapi_render_sign_in(struct gh_fapi *f, const struct gh_sign_in *si,
    struct gh_err *err);
json_t *gh_fapi_render_sign_up(struct gh_fapi *f, const struct gh_sign_up *su,
    struct gh_err *err);

/* /v1/me shapes (render_me.c, issue 4). */
/* An EmailAddress (§4.8) with its Verification: verified → its strategy;
 * unverified → the emailed-code state (unverified/failed/expired), or null
 * when nothing was prepared. */
json_t *gh_fapi_render_email_address(struct gh_fapi *f, const struct gh_ident *i,
    struct gh_err *err);
json_t *gh_fapi_render_email_verif(const struct gh_ident *i, const struct gh_verif *stored);
/* Replaces user["email_addresses"] with the Frontend API's form. */
int gh_fapi_user_emails(struct gh_fapi *f, const struct gh_user *u, json_t *user,
    struct gh_err *err);
/* SessionWithActivities: the session with latest_activity, user null. NULL on OOM. */
json_t *gh_fapi_render_session_activity(const struct gh_session *s);
/* TOTP (§4.10): secret and uri when given (creation), backup_codes when n > 0. */
json_t *gh_fapi_render_totp(const struct gh_totp *t, const char *secret, const char *uri,
    char *const *codes, size_t n);
/* BackupCode {object:"backup_code", id, codes, created_at, updated_at}. */
json_t *gh_fapi_render_backup_codes(const char *user_id, char *const *codes, size_t n);

#endif
