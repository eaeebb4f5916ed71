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

#endif
