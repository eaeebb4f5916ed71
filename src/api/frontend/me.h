/* me.h: what the /v1/me handlers share (me.c, me_emails.c, me_sessions.c,
 * me_mfa.c; spec FAPI §3.8): every call is about the signed-in user of one
 * session of this browser's client (?_clerk_session_id=, else the current
 * one; anything else is 401 signed_out), and every mutation answers
 * {response, client} with the full current client. */
#ifndef GH_API_FRONTEND_ME_H
#define GH_API_FRONTEND_ME_H

#include "api/frontend/fapi.h"

struct gh_me {
    struct gh_fapi     f;
    struct gh_session *s; /* owned: the session the call is about */
    struct gh_user    *u; /* owned: its user, as loaded at the start */
};

/* gh_fapi_begin + gh_fapi_session_user. gh_me_end is safe after a failure. */
int  gh_me_begin(struct gh_req *req, struct gh_resp *resp, struct gh_me *m, struct gh_err *err);
void gh_me_end(struct gh_me *m);
/* {response: user (as the browser sees it), client}. */
int  gh_me_reply_user(struct gh_me *m, const struct gh_user *u, struct gh_err *err);
/* {response: {object, id, deleted: true}, client}. */
int  gh_me_reply_deleted(struct gh_me *m, const char *object, const char *id, struct gh_err *err);

#endif
