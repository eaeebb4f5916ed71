/* ui.h: the hosted pages (issue 4): /sign-in, /sign-up, /user,
 * /organization and /create-organization on the frontend listener, for apps
 * that only redirect. Each page is a small HTML shell that loads Clerk's own
 * clerk-js and @clerk/ui bundles from this origin (/npm/…) and mounts one
 * component with src/ui/hosted.js; both that script and its stylesheet are
 * embedded into the binary at build time (cmake/embed_files.cmake). */
#ifndef GH_UI_UI_H
#define GH_UI_UI_H

#include <stddef.h>

#include "http/http.h"

struct gh_ui_file {
    const char          *name;  /* "hosted.js" */
    const unsigned char *bytes; /* NUL-terminated for convenience */
    size_t               len;
};
extern const struct gh_ui_file gh_ui_files[]; /* ends with a NULL name */

gh_handler_fn gh_ui_sign_in;      /* GET /sign-in[/…] */
gh_handler_fn gh_ui_sign_up;      /* GET /sign-up[/…] */
gh_handler_fn gh_ui_user;         /* GET /user[/…] */
gh_handler_fn gh_ui_organization; /* GET /organization[/…] */
gh_handler_fn gh_ui_create_org;   /* GET /create-organization[/…] */
gh_handler_fn gh_ui_redirect;     /* GET /redirect?redirect_url= (allowlisted only) */
gh_handler_fn gh_ui_asset;        /* GET /ui/:file (hosted.js, hosted.css) */

#endif
