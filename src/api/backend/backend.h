/* backend.h: every Backend API handler, grouped by file. The route table in
 * src/http/routes.c maps method + path + auth to these. */
#ifndef GH_API_BACKEND_H
#define GH_API_BACKEND_H

#include "http/http.h"

/* users.c */
gh_handler_fn gh_api_users_list;             /* GET    /v1/users */
gh_handler_fn gh_api_users_count;            /* GET    /v1/users/count */
gh_handler_fn gh_api_users_create;           /* POST   /v1/users */
gh_handler_fn gh_api_users_get;              /* GET    /v1/users/:id */
gh_handler_fn gh_api_users_update;           /* PATCH  /v1/users/:id */
gh_handler_fn gh_api_users_delete;           /* DELETE /v1/users/:id */
gh_handler_fn gh_api_users_metadata_merge;   /* PATCH  /v1/users/:id/metadata */
gh_handler_fn gh_api_users_metadata_replace; /* PUT    /v1/users/:id/metadata */
gh_handler_fn gh_api_users_ban;              /* POST   /v1/users/:id/ban */
gh_handler_fn gh_api_users_unban;            /* POST   /v1/users/:id/unban */
gh_handler_fn gh_api_users_lock;             /* POST   /v1/users/:id/lock */
gh_handler_fn gh_api_users_unlock;           /* POST   /v1/users/:id/unlock */
gh_handler_fn gh_api_users_verify_password;  /* POST   /v1/users/:id/verify_password */
/* users.c, issue 3: MFA material */
gh_handler_fn gh_api_users_mfa_disable;      /* DELETE /v1/users/:id/mfa */
gh_handler_fn gh_api_users_verify_totp;      /* POST   /v1/users/:id/verify_totp */

/* email_addresses.c */
gh_handler_fn gh_api_email_addresses_create; /* POST   /v1/email_addresses */
gh_handler_fn gh_api_email_addresses_get;    /* GET    /v1/email_addresses/:id */
gh_handler_fn gh_api_email_addresses_update; /* PATCH  /v1/email_addresses/:id */
gh_handler_fn gh_api_email_addresses_delete; /* DELETE /v1/email_addresses/:id */

/* sessions.c */
gh_handler_fn gh_api_sessions_list;          /* GET    /v1/sessions */
gh_handler_fn gh_api_sessions_create;        /* POST   /v1/sessions */
gh_handler_fn gh_api_sessions_get;           /* GET    /v1/sessions/:id */
gh_handler_fn gh_api_sessions_revoke;        /* POST   /v1/sessions/:id/revoke */
gh_handler_fn gh_api_sessions_token;         /* POST   /v1/sessions/:id/tokens */

/* jwks.c */
gh_handler_fn gh_api_jwks_get;               /* GET /v1/jwks (backend), /.well-known/jwks.json (frontend) */

/* jwt_templates.c: JWT templates (issue 3) */
gh_handler_fn gh_api_jwt_templates_list;      /* GET    /v1/jwt_templates */
gh_handler_fn gh_api_jwt_templates_create;    /* POST   /v1/jwt_templates */
gh_handler_fn gh_api_jwt_templates_get;       /* GET    /v1/jwt_templates/:id */
gh_handler_fn gh_api_jwt_templates_update;    /* PATCH  /v1/jwt_templates/:id */
gh_handler_fn gh_api_jwt_templates_delete;    /* DELETE /v1/jwt_templates/:id */
gh_handler_fn gh_api_sessions_token_template; /* POST   /v1/sessions/:id/tokens/:template */
/* webhooks.c, events_render.c (issue 5) */
gh_handler_fn gh_api_webhooks_list;          /* GET    /v1/webhook_endpoints */
gh_handler_fn gh_api_webhooks_create;        /* POST   /v1/webhook_endpoints */
gh_handler_fn gh_api_webhooks_get;           /* GET    /v1/webhook_endpoints/:id */
gh_handler_fn gh_api_webhooks_update;        /* PATCH  /v1/webhook_endpoints/:id */
gh_handler_fn gh_api_webhooks_delete;        /* DELETE /v1/webhook_endpoints/:id */
gh_handler_fn gh_api_webhooks_disable;       /* POST   /v1/webhook_endpoints/:id/disable */
gh_handler_fn gh_api_webhooks_enable;        /* POST   /v1/webhook_endpoints/:id/enable */
gh_handler_fn gh_api_webhooks_rotate;        /* POST   /v1/webhook_endpoints/:id/rotate_secret */
gh_handler_fn gh_api_webhooks_attempts;      /* GET    /v1/webhook_endpoints/:id/attempts */
gh_handler_fn gh_api_webhooks_replay;        /* POST   /v1/webhook_endpoints/:id/replay */
/* Registers the webhook event renderer with core (once, at startup). */
void gh_api_events_install(struct gh_app *app);
/* organizations (issue 3): organizations.c, memberships.c, roles.c */
gh_handler_fn gh_api_orgs_list;              /* GET    /v1/organizations */
gh_handler_fn gh_api_orgs_create;            /* POST   /v1/organizations */
gh_handler_fn gh_api_orgs_get;               /* GET    /v1/organizations/:id (id or slug) */
gh_handler_fn gh_api_orgs_update;            /* PATCH  /v1/organizations/:id */
gh_handler_fn gh_api_orgs_delete;            /* DELETE /v1/organizations/:id */
gh_handler_fn gh_api_orgs_metadata_merge;    /* PATCH  /v1/organizations/:id/metadata */
gh_handler_fn gh_api_orgs_metadata_replace;  /* PUT    /v1/organizations/:id/metadata */
gh_handler_fn gh_api_org_members_list;       /* GET    /v1/organizations/:id/memberships */
gh_handler_fn gh_api_org_members_create;     /* POST   /v1/organizations/:id/memberships */
gh_handler_fn gh_api_org_members_update;     /* PATCH  /v1/organizations/:id/memberships/:uid */
gh_handler_fn gh_api_org_members_delete;     /* DELETE /v1/organizations/:id/memberships/:uid */
gh_handler_fn gh_api_org_members_metadata;   /* PATCH  …/memberships/:uid/metadata */
gh_handler_fn gh_api_user_org_memberships;   /* GET    /v1/users/:id/organization_memberships */
gh_handler_fn gh_api_org_memberships_all;    /* GET    /v1/organization_memberships */
gh_handler_fn gh_api_roles_list;             /* GET    /v1/organization_roles */
gh_handler_fn gh_api_roles_create;           /* POST   /v1/organization_roles */
gh_handler_fn gh_api_roles_get;              /* GET    /v1/organization_roles/:id */
gh_handler_fn gh_api_roles_update;           /* PATCH  /v1/organization_roles/:id */
gh_handler_fn gh_api_roles_delete;           /* DELETE /v1/organization_roles/:id */
gh_handler_fn gh_api_roles_perm_add;         /* POST   /v1/organization_roles/:id/permissions/:pid */
gh_handler_fn gh_api_roles_perm_remove;      /* DELETE /v1/organization_roles/:id/permissions/:pid */
gh_handler_fn gh_api_perms_list;             /* GET    /v1/organization_permissions */
gh_handler_fn gh_api_perms_create;           /* POST   /v1/organization_permissions */
gh_handler_fn gh_api_perms_get;              /* GET    /v1/organization_permissions/:id */
gh_handler_fn gh_api_perms_update;           /* PATCH  /v1/organization_permissions/:id */
gh_handler_fn gh_api_perms_delete;           /* DELETE /v1/organization_permissions/:id */

/* invitations (issue 3) */
/* invitations.c */
gh_handler_fn gh_api_invitations_list;       /* GET    /v1/invitations */
gh_handler_fn gh_api_invitations_create;     /* POST   /v1/invitations */
gh_handler_fn gh_api_invitations_bulk;       /* POST   /v1/invitations/bulk */
gh_handler_fn gh_api_invitations_revoke;     /* POST   /v1/invitations/:id/revoke */
gh_handler_fn gh_api_invitations_delete;     /* DELETE /v1/invitations/:id */
/* org_invitations.c */
gh_handler_fn gh_api_org_invitations_list;    /* GET  /v1/organizations/:id/invitations */
gh_handler_fn gh_api_org_invitations_create;  /* POST /v1/organizations/:id/invitations */
gh_handler_fn gh_api_org_invitations_bulk;    /* POST /v1/organizations/:id/invitations/bulk */
gh_handler_fn gh_api_org_invitations_pending; /* GET  /v1/organizations/:id/invitations/pending */
gh_handler_fn gh_api_org_invitations_get;     /* GET  /v1/organizations/:id/invitations/:inv */
gh_handler_fn gh_api_org_invitations_revoke;  /* POST /v1/organizations/:id/invitations/:inv/revoke */
gh_handler_fn gh_api_users_org_invitations;   /* GET  /v1/users/:id/organization_invitations */
/* allowlist.c */
gh_handler_fn gh_api_allowlist_list;         /* GET    /v1/allowlist_identifiers */
gh_handler_fn gh_api_allowlist_create;       /* POST   /v1/allowlist_identifiers */
gh_handler_fn gh_api_allowlist_delete;       /* DELETE /v1/allowlist_identifiers/:id */
gh_handler_fn gh_api_blocklist_list;         /* GET    /v1/blocklist_identifiers */
gh_handler_fn gh_api_blocklist_create;       /* POST   /v1/blocklist_identifiers */
gh_handler_fn gh_api_blocklist_delete;       /* DELETE /v1/blocklist_identifiers/:id */
/* sign_in_tokens.c */
gh_handler_fn gh_api_sign_in_tokens_create;  /* POST   /v1/sign_in_tokens */
gh_handler_fn gh_api_sign_in_tokens_revoke;  /* POST   /v1/sign_in_tokens/:id/revoke */
/* instance.c (issue 4: instance settings) */
gh_handler_fn gh_api_instance_get;                 /* GET   /v1/instance */
gh_handler_fn gh_api_instance_update;              /* PATCH /v1/instance (204) */
gh_handler_fn gh_api_instance_restrictions_update; /* PATCH /v1/instance/restrictions */
gh_handler_fn gh_api_instance_org_settings_get;    /* GET   /v1/instance/organization_settings */
gh_handler_fn gh_api_instance_org_settings_update; /* PATCH /v1/instance/organization_settings */

#endif
