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

#endif
