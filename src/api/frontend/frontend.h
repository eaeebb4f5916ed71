/* frontend.h: the Frontend API's handlers (issue 4), one group per file,
 * listed in src/http/routes.c. Shared plumbing is fapi.h; JSON shapes are
 * render.h. */
#ifndef GH_API_FRONTEND_FRONTEND_H
#define GH_API_FRONTEND_FRONTEND_H

#include "http/http.h"

/* environment.c */
gh_handler_fn gh_fapi_environment_get;     /* GET /v1/environment; POST ?_method=PATCH (dev) */

/* client.c */
gh_handler_fn gh_fapi_client_get;          /* GET /v1/client */
gh_handler_fn gh_fapi_client_delete;       /* DELETE /v1/client */
gh_handler_fn gh_fapi_client_sessions_delete; /* DELETE /v1/client/sessions (sign-out) */
gh_handler_fn gh_fapi_dev_browser_create;  /* POST /v1/dev_browser */

/* sessions.c */
gh_handler_fn gh_fapi_session_get;         /* GET /v1/client/sessions/:id */
gh_handler_fn gh_fapi_session_touch;       /* POST …/sessions/:id/touch */
gh_handler_fn gh_fapi_session_token;       /* POST …/sessions/:id/tokens */
gh_handler_fn gh_fapi_session_token_template; /* POST …/sessions/:id/tokens/:template */
gh_handler_fn gh_fapi_session_end;         /* POST …/sessions/:id/end */
gh_handler_fn gh_fapi_session_remove;      /* POST …/sessions/:id/remove */

/* sign_up.c */
gh_handler_fn gh_fapi_sign_up_create;      /* POST /v1/client/sign_ups */
gh_handler_fn gh_fapi_sign_up_update;      /* PATCH /v1/client/sign_ups/:id */
gh_handler_fn gh_fapi_sign_up_get;         /* GET /v1/client/sign_ups/:id */
gh_handler_fn gh_fapi_sign_up_prepare;     /* POST …/sign_ups/:id/prepare_verification */
gh_handler_fn gh_fapi_sign_up_attempt;     /* POST …/sign_ups/:id/attempt_verification */
/* sign_in.c */
gh_handler_fn gh_fapi_sign_in_create;         /* POST /v1/client/sign_ins */
gh_handler_fn gh_fapi_sign_in_get;            /* GET /v1/client/sign_ins/:id */
gh_handler_fn gh_fapi_sign_in_prepare_first;  /* POST …/sign_ins/:id/prepare_first_factor */
gh_handler_fn gh_fapi_sign_in_attempt_first;  /* POST …/sign_ins/:id/attempt_first_factor */
gh_handler_fn gh_fapi_sign_in_reset_password; /* POST …/sign_ins/:id/reset_password */
gh_handler_fn gh_fapi_sign_in_prepare_second; /* POST …/sign_ins/:id/prepare_second_factor */
gh_handler_fn gh_fapi_sign_in_attempt_second; /* POST …/sign_ins/:id/attempt_second_factor */

/* me.c, me_emails.c, me_sessions.c, me_mfa.c: the signed-in user's own
 * account (issue 4, spec FAPI §3.8) */
gh_handler_fn gh_fapi_me_get;              /* GET /v1/me */
gh_handler_fn gh_fapi_me_update;           /* PATCH /v1/me */
gh_handler_fn gh_fapi_me_metadata;         /* PATCH /v1/me/metadata */
gh_handler_fn gh_fapi_me_change_password;  /* POST /v1/me/change_password */
gh_handler_fn gh_fapi_me_remove_password;  /* POST /v1/me/remove_password */
gh_handler_fn gh_fapi_me_delete;           /* DELETE /v1/me */
gh_handler_fn gh_fapi_me_profile_image;    /* POST/DELETE /v1/me/profile_image (refused) */
gh_handler_fn gh_fapi_me_email_create;     /* POST /v1/me/email_addresses */
gh_handler_fn gh_fapi_me_email_get;        /* GET /v1/me/email_addresses/:id */
gh_handler_fn gh_fapi_me_email_prepare;    /* POST …/:id/prepare_verification */
gh_handler_fn gh_fapi_me_email_attempt;    /* POST …/:id/attempt_verification */
gh_handler_fn gh_fapi_me_email_delete;     /* DELETE /v1/me/email_addresses/:id */
gh_handler_fn gh_fapi_me_sessions_active;  /* GET /v1/me/sessions/active (bare array) */
gh_handler_fn gh_fapi_me_session_revoke;   /* POST /v1/me/sessions/:id/revoke */
gh_handler_fn gh_fapi_me_totp_create;      /* POST /v1/me/totp */
gh_handler_fn gh_fapi_me_totp_attempt;     /* POST /v1/me/totp/attempt_verification */
gh_handler_fn gh_fapi_me_totp_delete;      /* DELETE /v1/me/totp */
gh_handler_fn gh_fapi_me_backup_codes;     /* POST /v1/me/backup_codes */

/* organizations.c */
gh_handler_fn gh_fapi_org_create;          /* POST /v1/organizations */
gh_handler_fn gh_fapi_org_get;             /* GET /v1/organizations/:org */
gh_handler_fn gh_fapi_org_update;          /* PATCH /v1/organizations/:org */
gh_handler_fn gh_fapi_org_delete;          /* DELETE /v1/organizations/:org */
gh_handler_fn gh_fapi_org_roles;           /* GET …/:org/roles */
gh_handler_fn gh_fapi_org_members_list;    /* GET …/:org/memberships */
gh_handler_fn gh_fapi_org_members_create;  /* POST …/:org/memberships */
gh_handler_fn gh_fapi_org_members_update;  /* PATCH …/:org/memberships/:uid */
gh_handler_fn gh_fapi_org_members_delete;  /* DELETE …/:org/memberships/:uid */
gh_handler_fn gh_fapi_org_empty_list;      /* GET …/:org/domains, …/membership_requests */

/* org_invitations.c */
gh_handler_fn gh_fapi_org_invitations_list;   /* GET …/:org/invitations */
gh_handler_fn gh_fapi_org_invitations_create; /* POST …/:org/invitations */
gh_handler_fn gh_fapi_org_invitations_bulk;   /* POST …/:org/invitations/bulk */
gh_handler_fn gh_fapi_org_invitations_revoke; /* POST …/:org/invitations/:id/revoke */
gh_handler_fn gh_fapi_me_org_memberships;     /* GET /v1/me/organization_memberships */
gh_handler_fn gh_fapi_me_org_invitations;     /* GET /v1/me/organization_invitations */
gh_handler_fn gh_fapi_me_org_suggestions;     /* GET /v1/me/organization_suggestions */
gh_handler_fn gh_fapi_me_org_invitation_accept; /* POST /v1/me/organization_invitations/:id/accept */
gh_handler_fn gh_fapi_me_org_leave;           /* DELETE /v1/me/organization_memberships/:org */

#endif
