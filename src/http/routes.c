/* routes.c: THE routing table. Every endpoint of both listeners, with the
 * authentication it requires, is listed here and nowhere else. Order
 * matters only where a literal and a ":param" overlap: the first matching
 * row wins, so "/v1/users/count" comes before "/v1/users/:id". */
#include "api/backend/backend.h"
#include "api/frontend/frontend.h"
#include "http/server.h"
#include "ui/ui.h"

#define NONE   GH_AUTH_NONE
#define SECRET GH_AUTH_SECRET
#define CLIENT GH_AUTH_CLIENT

/* Frontend listener: browsers and the public internet. */
const struct gh_route gh_routes_frontend[] = {
    /* method    pattern                          handler                      auth */
    { "GET",    "/healthz",                       gh_http_healthz_get,         NONE },
    { "GET",    "/.well-known/jwks.json",         gh_api_jwks_get,             NONE },
    { "GET",    "/images/default-avatar.svg",     gh_http_default_avatar_get,  NONE },
    /* Clerk's browser bundles, at Clerk's path shape (spec §1.5): any tag of
     * @clerk/clerk-js and @clerk/ui; "*" is the file under dist/. */
    { "GET",    "/npm/@clerk/:pkg/dist/*",        gh_http_assets_get,          NONE },

    /* Hosted pages (issue 4), with the sub-paths the components route to
     * (/sign-in/factor-one, /user/security, …) so a reload lands on them. */
    { "GET",    "/sign-in",                       gh_ui_sign_in, NONE },
    { "GET",    "/sign-in/*",                     gh_ui_sign_in, NONE },
    { "GET",    "/sign-up",                       gh_ui_sign_up, NONE },
    { "GET",    "/sign-up/*",                     gh_ui_sign_up, NONE },
    { "GET",    "/user",                          gh_ui_user, NONE },
    { "GET",    "/user/*",                        gh_ui_user, NONE },
    { "GET",    "/organization",                  gh_ui_organization, NONE },
    { "GET",    "/organization/*",                gh_ui_organization, NONE },
    { "GET",    "/create-organization",           gh_ui_create_org, NONE },
    { "GET",    "/create-organization/*",         gh_ui_create_org, NONE },
    { "GET",    "/redirect",                      gh_ui_redirect,              NONE },
    { "GET",    "/ui/:file",                      gh_ui_asset,                 NONE },

    /* Frontend API (issue 4). CLIENT: the browser's client from its cookie
     * (or dev-browser token), looked up by the handler; mutations only from
     * allowed origins. PATCH/PUT/DELETE arrive as POST ?_method=. */
    { "GET",    "/v1/environment",                gh_fapi_environment_get,     NONE },
    { "PATCH",  "/v1/environment",                gh_fapi_environment_get,     NONE },
    { "POST",   "/v1/dev_browser",                gh_fapi_dev_browser_create,  NONE },
    { "GET",    "/v1/client",                     gh_fapi_client_get,          CLIENT },
    { "DELETE", "/v1/client",                     gh_fapi_client_delete,       CLIENT },
    { "DELETE", "/v1/client/sessions",            gh_fapi_client_sessions_delete, CLIENT },
    { "GET",    "/v1/client/sessions/:id",        gh_fapi_session_get,         CLIENT },
    { "POST",   "/v1/client/sessions/:id/touch",  gh_fapi_session_touch,       CLIENT },
    { "POST",   "/v1/client/sessions/:id/tokens", gh_fapi_session_token,       CLIENT },
    { "POST",   "/v1/client/sessions/:id/tokens/:template", gh_fapi_session_token_template, CLIENT },
    { "POST",   "/v1/client/sessions/:id/end",    gh_fapi_session_end,         CLIENT },
    { "POST",   "/v1/client/sessions/:id/remove", gh_fapi_session_remove,      CLIENT },
    { "POST",   "/v1/client/sign_ups",            gh_fapi_sign_up_create,      CLIENT },
    { "GET",    "/v1/client/sign_ups/:id",        gh_fapi_sign_up_get,         CLIENT },
    { "PATCH",  "/v1/client/sign_ups/:id",        gh_fapi_sign_up_update,      CLIENT },
    { "POST",   "/v1/client/sign_ups/:id/prepare_verification", gh_fapi_sign_up_prepare, CLIENT },
    { "POST",   "/v1/client/sign_ups/:id/attempt_verification", gh_fapi_sign_up_attempt, CLIENT },
    /* sign-in (spec FAPI §3.3–§3.5) */
    { "POST",   "/v1/client/sign_ins",            gh_fapi_sign_in_create,      CLIENT },
    { "GET",    "/v1/client/sign_ins/:id",        gh_fapi_sign_in_get,         CLIENT },
    { "POST",   "/v1/client/sign_ins/:id/prepare_first_factor",  gh_fapi_sign_in_prepare_first,  CLIENT },
    { "POST",   "/v1/client/sign_ins/:id/attempt_first_factor",  gh_fapi_sign_in_attempt_first,  CLIENT },
    { "POST",   "/v1/client/sign_ins/:id/reset_password",        gh_fapi_sign_in_reset_password, CLIENT },
    { "POST",   "/v1/client/sign_ins/:id/prepare_second_factor", gh_fapi_sign_in_prepare_second, CLIENT },
    { "POST",   "/v1/client/sign_ins/:id/attempt_second_factor", gh_fapi_sign_in_attempt_second, CLIENT },
    /* /v1/me: the signed-in user's own account (issue 4, spec FAPI §3.8);
     * every call names its session in ?_clerk_session_id=. */
    { "GET",    "/v1/me",                         gh_fapi_me_get,              CLIENT },
    { "PATCH",  "/v1/me",                         gh_fapi_me_update,           CLIENT },
    { "DELETE", "/v1/me",                         gh_fapi_me_delete,           CLIENT },
    { "PATCH",  "/v1/me/metadata",                gh_fapi_me_metadata,         CLIENT },
    { "POST",   "/v1/me/change_password",         gh_fapi_me_change_password,  CLIENT },
    { "POST",   "/v1/me/remove_password",         gh_fapi_me_remove_password,  CLIENT },
    { "POST",   "/v1/me/profile_image",           gh_fapi_me_profile_image,    CLIENT },
    { "DELETE", "/v1/me/profile_image",           gh_fapi_me_profile_image,    CLIENT },
    { "POST",   "/v1/me/email_addresses",         gh_fapi_me_email_create,     CLIENT },
    { "GET",    "/v1/me/email_addresses/:id",     gh_fapi_me_email_get,        CLIENT },
    { "DELETE", "/v1/me/email_addresses/:id",     gh_fapi_me_email_delete,     CLIENT },
    { "POST",   "/v1/me/email_addresses/:id/prepare_verification", gh_fapi_me_email_prepare, CLIENT },
    { "POST",   "/v1/me/email_addresses/:id/attempt_verification", gh_fapi_me_email_attempt, CLIENT },
    { "GET",    "/v1/me/sessions/active",         gh_fapi_me_sessions_active,  CLIENT },
    { "POST",   "/v1/me/sessions/:id/revoke",     gh_fapi_me_session_revoke,   CLIENT },
    { "POST",   "/v1/me/totp",                    gh_fapi_me_totp_create,      CLIENT },
    { "DELETE", "/v1/me/totp",                    gh_fapi_me_totp_delete,      CLIENT },
    { "POST",   "/v1/me/totp/attempt_verification", gh_fapi_me_totp_attempt,  CLIENT },
    { "POST",   "/v1/me/backup_codes",            gh_fapi_me_backup_codes,     CLIENT },

    /* Frontend API organizations: the signed-in member's role decides. */
    { "POST",   "/v1/organizations",                       gh_fapi_org_create,          CLIENT },
    { "GET",    "/v1/organizations/:org",                  gh_fapi_org_get,             CLIENT },
    { "PATCH",  "/v1/organizations/:org",                  gh_fapi_org_update,          CLIENT },
    { "DELETE", "/v1/organizations/:org",                  gh_fapi_org_delete,          CLIENT },
    { "GET",    "/v1/organizations/:org/roles",            gh_fapi_org_roles,           CLIENT },
    { "GET",    "/v1/organizations/:org/memberships",      gh_fapi_org_members_list,    CLIENT },
    { "POST",   "/v1/organizations/:org/memberships",      gh_fapi_org_members_create,  CLIENT },
    { "PATCH",  "/v1/organizations/:org/memberships/:uid", gh_fapi_org_members_update,  CLIENT },
    { "DELETE", "/v1/organizations/:org/memberships/:uid", gh_fapi_org_members_delete,  CLIENT },
    { "GET",    "/v1/organizations/:org/domains",          gh_fapi_org_empty_list,      CLIENT },
    { "GET",    "/v1/organizations/:org/membership_requests", gh_fapi_org_empty_list,   CLIENT },
    { "GET",    "/v1/organizations/:org/invitations",      gh_fapi_org_invitations_list, CLIENT },
    { "POST",   "/v1/organizations/:org/invitations",      gh_fapi_org_invitations_create, CLIENT },
    { "POST",   "/v1/organizations/:org/invitations/bulk", gh_fapi_org_invitations_bulk, CLIENT },
    { "POST",   "/v1/organizations/:org/invitations/:id/revoke", gh_fapi_org_invitations_revoke, CLIENT },
    { "GET",    "/v1/me/organization_memberships",         gh_fapi_me_org_memberships,  CLIENT },
    { "DELETE", "/v1/me/organization_memberships/:org",    gh_fapi_me_org_leave,        CLIENT },
    { "GET",    "/v1/me/organization_invitations",         gh_fapi_me_org_invitations,  CLIENT },
    { "POST",   "/v1/me/organization_invitations/:id/accept", gh_fapi_me_org_invitation_accept, CLIENT },
    { "GET",    "/v1/me/organization_suggestions",         gh_fapi_me_org_suggestions,  CLIENT },
};
const size_t gh_routes_frontend_count = sizeof(gh_routes_frontend) / sizeof(gh_routes_frontend[0]);

/* Backend listener: the Backend API (secret key) on a private address. */
const struct gh_route gh_routes_backend[] = {
    /* method    pattern                          handler                         auth */
    { "GET",    "/healthz",                       gh_http_healthz_get,            NONE },
    { "GET",    "/metrics",                       gh_http_metrics_get,            NONE },

    { "GET",    "/v1/users",                      gh_api_users_list,              SECRET },
    { "GET",    "/v1/users/count",                gh_api_users_count,             SECRET },
    { "POST",   "/v1/users",                      gh_api_users_create,            SECRET },
    { "GET",    "/v1/users/:id",                  gh_api_users_get,               SECRET },
    { "PATCH",  "/v1/users/:id",                  gh_api_users_update,            SECRET },
    { "DELETE", "/v1/users/:id",                  gh_api_users_delete,            SECRET },
    { "PATCH",  "/v1/users/:id/metadata",         gh_api_users_metadata_merge,    SECRET },
    { "PUT",    "/v1/users/:id/metadata",         gh_api_users_metadata_replace,  SECRET },
    { "POST",   "/v1/users/:id/ban",              gh_api_users_ban,               SECRET },
    { "POST",   "/v1/users/:id/unban",            gh_api_users_unban,             SECRET },
    { "POST",   "/v1/users/:id/lock",             gh_api_users_lock,              SECRET },
    { "POST",   "/v1/users/:id/unlock",           gh_api_users_unlock,            SECRET },
    { "POST",   "/v1/users/:id/verify_password",  gh_api_users_verify_password,   SECRET },
    /* issue 3: users' MFA material */
    { "DELETE", "/v1/users/:id/mfa",              gh_api_users_mfa_disable,       SECRET },
    { "POST",   "/v1/users/:id/verify_totp",      gh_api_users_verify_totp,       SECRET },

    { "POST",   "/v1/email_addresses",            gh_api_email_addresses_create,  SECRET },
    { "GET",    "/v1/email_addresses/:id",        gh_api_email_addresses_get,     SECRET },
    { "PATCH",  "/v1/email_addresses/:id",        gh_api_email_addresses_update,  SECRET },
    { "DELETE", "/v1/email_addresses/:id",        gh_api_email_addresses_delete,  SECRET },

    { "GET",    "/v1/sessions",                   gh_api_sessions_list,           SECRET },
    { "POST",   "/v1/sessions",                   gh_api_sessions_create,         SECRET },
    { "GET",    "/v1/sessions/:id",               gh_api_sessions_get,            SECRET },
    { "POST",   "/v1/sessions/:id/revoke",        gh_api_sessions_revoke,         SECRET },
    { "POST",   "/v1/sessions/:id/tokens",        gh_api_sessions_token,          SECRET },

    /* organizations (issue 3) */
    { "GET",    "/v1/organizations",                              gh_api_orgs_list,             SECRET },
    { "POST",   "/v1/organizations",                              gh_api_orgs_create,           SECRET },
    { "GET",    "/v1/organizations/:id",                          gh_api_orgs_get,              SECRET },
    { "PATCH",  "/v1/organizations/:id",                          gh_api_orgs_update,           SECRET },
    { "DELETE", "/v1/organizations/:id",                          gh_api_orgs_delete,           SECRET },
    { "PATCH",  "/v1/organizations/:id/metadata",                 gh_api_orgs_metadata_merge,   SECRET },
    { "PUT",    "/v1/organizations/:id/metadata",                 gh_api_orgs_metadata_replace, SECRET },
    { "GET",    "/v1/organizations/:id/memberships",              gh_api_org_members_list,      SECRET },
    { "POST",   "/v1/organizations/:id/memberships",              gh_api_org_members_create,    SECRET },
    { "PATCH",  "/v1/organizations/:id/memberships/:uid",         gh_api_org_members_update,    SECRET },
    { "DELETE", "/v1/organizations/:id/memberships/:uid",         gh_api_org_members_delete,    SECRET },
    { "PATCH",  "/v1/organizations/:id/memberships/:uid/metadata", gh_api_org_members_metadata, SECRET },
    { "GET",    "/v1/users/:id/organization_memberships",         gh_api_user_org_memberships,  SECRET },
    { "GET",    "/v1/organization_memberships",                   gh_api_org_memberships_all,   SECRET },
    { "GET",    "/v1/organization_roles",                         gh_api_roles_list,            SECRET },
    { "POST",   "/v1/organization_roles",                         gh_api_roles_create,          SECRET },
    { "GET",    "/v1/organization_roles/:id",                     gh_api_roles_get,             SECRET },
    { "PATCH",  "/v1/organization_roles/:id",                     gh_api_roles_update,          SECRET },
    { "DELETE", "/v1/organization_roles/:id",                     gh_api_roles_delete,          SECRET },
    { "POST",   "/v1/organization_roles/:id/permissions/:pid",    gh_api_roles_perm_add,        SECRET },
    { "DELETE", "/v1/organization_roles/:id/permissions/:pid",    gh_api_roles_perm_remove,     SECRET },
    { "GET",    "/v1/organization_permissions",                   gh_api_perms_list,            SECRET },
    { "POST",   "/v1/organization_permissions",                   gh_api_perms_create,          SECRET },
    { "GET",    "/v1/organization_permissions/:id",               gh_api_perms_get,             SECRET },
    { "PATCH",  "/v1/organization_permissions/:id",               gh_api_perms_update,          SECRET },
    { "DELETE", "/v1/organization_permissions/:id",               gh_api_perms_delete,          SECRET },

    { "GET",    "/v1/jwks",                       gh_api_jwks_get,                SECRET },

    /* JWT templates (issue 3) */
    { "GET",    "/v1/jwt_templates",              gh_api_jwt_templates_list,      SECRET },
    { "POST",   "/v1/jwt_templates",              gh_api_jwt_templates_create,    SECRET },
    { "GET",    "/v1/jwt_templates/:id",          gh_api_jwt_templates_get,       SECRET },
    { "PATCH",  "/v1/jwt_templates/:id",          gh_api_jwt_templates_update,    SECRET },
    { "DELETE", "/v1/jwt_templates/:id",          gh_api_jwt_templates_delete,    SECRET },
    { "POST",   "/v1/sessions/:id/tokens/:template", gh_api_sessions_token_template, SECRET },
    /* webhooks (issue 5) */
    { "GET",    "/v1/webhook_endpoints",          gh_api_webhooks_list,           SECRET },
    { "POST",   "/v1/webhook_endpoints",          gh_api_webhooks_create,         SECRET },
    { "GET",    "/v1/webhook_endpoints/:id",      gh_api_webhooks_get,            SECRET },
    { "PATCH",  "/v1/webhook_endpoints/:id",      gh_api_webhooks_update,         SECRET },
    { "DELETE", "/v1/webhook_endpoints/:id",      gh_api_webhooks_delete,         SECRET },
    { "POST",   "/v1/webhook_endpoints/:id/disable", gh_api_webhooks_disable,     SECRET },
    { "POST",   "/v1/webhook_endpoints/:id/enable",  gh_api_webhooks_enable,      SECRET },
    { "POST",   "/v1/webhook_endpoints/:id/rotate_secret", gh_api_webhooks_rotate, SECRET },
    { "GET",    "/v1/webhook_endpoints/:id/attempts", gh_api_webhooks_attempts,   SECRET },
    { "POST",   "/v1/webhook_endpoints/:id/replay",   gh_api_webhooks_replay,     SECRET },
    /* invitations (issue 3): app-level and organization invitations,
     * allow/blocklist identifiers, sign-in tokens. "/pending" and "/bulk"
     * come before ":inv" rows of the same method. */
    { "GET",    "/v1/invitations",                gh_api_invitations_list,        SECRET },
    { "POST",   "/v1/invitations",                gh_api_invitations_create,      SECRET },
    { "POST",   "/v1/invitations/bulk",           gh_api_invitations_bulk,        SECRET },
    { "POST",   "/v1/invitations/:id/revoke",     gh_api_invitations_revoke,      SECRET },
    { "DELETE", "/v1/invitations/:id",            gh_api_invitations_delete,      SECRET },
    { "GET",    "/v1/organizations/:id/invitations",         gh_api_org_invitations_list,    SECRET },
    { "POST",   "/v1/organizations/:id/invitations",         gh_api_org_invitations_create,  SECRET },
    { "POST",   "/v1/organizations/:id/invitations/bulk",    gh_api_org_invitations_bulk,    SECRET },
    { "GET",    "/v1/organizations/:id/invitations/pending", gh_api_org_invitations_pending, SECRET },
    { "GET",    "/v1/organizations/:id/invitations/:inv",    gh_api_org_invitations_get,     SECRET },
    { "POST",   "/v1/organizations/:id/invitations/:inv/revoke", gh_api_org_invitations_revoke, SECRET },
    { "GET",    "/v1/users/:id/organization_invitations",    gh_api_users_org_invitations,   SECRET },
    { "GET",    "/v1/allowlist_identifiers",      gh_api_allowlist_list,          SECRET },
    { "POST",   "/v1/allowlist_identifiers",      gh_api_allowlist_create,        SECRET },
    { "DELETE", "/v1/allowlist_identifiers/:id",  gh_api_allowlist_delete,        SECRET },
    { "GET",    "/v1/blocklist_identifiers",      gh_api_blocklist_list,          SECRET },
    { "POST",   "/v1/blocklist_identifiers",      gh_api_blocklist_create,        SECRET },
    { "DELETE", "/v1/blocklist_identifiers/:id",  gh_api_blocklist_delete,        SECRET },
    { "POST",   "/v1/sign_in_tokens",             gh_api_sign_in_tokens_create,   SECRET },
    { "POST",   "/v1/sign_in_tokens/:id/revoke",  gh_api_sign_in_tokens_revoke,   SECRET },
    /* instance settings (issue 4): what /v1/environment and CORS follow */
    { "GET",    "/v1/instance",                   gh_api_instance_get,            SECRET },
    { "PATCH",  "/v1/instance",                   gh_api_instance_update,         SECRET },
    { "PATCH",  "/v1/instance/restrictions",      gh_api_instance_restrictions_update, SECRET },
    { "GET",    "/v1/instance/organization_settings", gh_api_instance_org_settings_get, SECRET },
    { "PATCH",  "/v1/instance/organization_settings", gh_api_instance_org_settings_update, SECRET },
};
const size_t gh_routes_backend_count = sizeof(gh_routes_backend) / sizeof(gh_routes_backend[0]);
