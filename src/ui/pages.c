/* pages.c: see ui.h. A page is the same shell for every component; what
 * differs is data-component and where to go afterwards. redirect_url is
 * honoured only when the instance allowlists it exactly
 * (gh_settings_redirect_allowed) or it is a plain path on this origin;
 * anything else falls back to the configured after-sign-in URL, so the pages
 * cannot be used as an open redirect (catalogue BI-14). Security headers:
 * a CSP that allows only this origin's scripts and no framing. */
#include <string.h>

#include "core/app.h"
#include "core/settings.h"
#include "ui/ui.h"
#include "util/buf.h"

#define PAGE_MAX (16 * 1024)

/* Clerk's styles are injected at run time (emotion), hence 'unsafe-inline'
 * for styles only; scripts come from this origin alone. */
#define CSP                                                                             \
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "         \
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "           \
    "worker-src 'self' blob:; frame-ancestors 'none'; base-uri 'none'; "                \
    "form-action 'self'; object-src 'none'"

/* A path on this origin: "/" then no second "/" or "\" (which browsers read as
 * another host), printable ASCII without quotes or angle brackets. */
static int
local_path(const char *u)
{
    if (u == NULL || u[0] != '/' || u[1] == '/' || u[1] == '\\' || strlen(u) > 512)
        return 0;
    for (const char *p = u; *p != '\0'; p++)
        if (*p <= ' ' || *p >= 0x7f || *p == '\\' || *p == '"' || *p == '\'' || *p == '<' ||
            *p == '>')
            return 0;
    return 1;
}

/* Where to send the visitor after the component is done. */
static const char *
redirect_of(const struct gh_req *req, const struct gh_settings *st)
{
    const char *want = gh_req_query(req, "redirect_url");

    if (want != NULL && (local_path(want) || gh_settings_redirect_allowed(req->app, want)))
        return want;
    if (st->after_sign_in_url[0] != '\0')
        return st->after_sign_in_url;
    return "/user";
}

static void
attr(struct gh_buf *b, const char *name, const char *value)
{
    gh_buf_addf(b, " data-%s=\"", name);
    gh_buf_add_html(b, value);
    gh_buf_addc(b, '"');
}

static int
page(struct gh_req *req, struct gh_resp *resp, const char *component, const char *title,
    struct gh_err *err)
{
    struct gh_settings st;
    struct gh_buf      b;
    const char        *fe = req->app->conf->frontend_url, *redirect;

    if (gh_settings_load(req->app, &st, err) == -1)
        return -1;
    redirect = redirect_of(req, &st);
    gh_buf_init(&b, PAGE_MAX);
    gh_buf_add(&b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                   "<title>");
    gh_buf_add_html(&b, title);
    gh_buf_add(&b, " · ");
    gh_buf_add_html(&b, req->app->instance->name != NULL ? req->app->instance->name : "Gatehouse");
    gh_buf_add(&b, "</title><link rel=\"icon\" href=\"data:,\">"
                   "<link rel=\"stylesheet\" href=\"/ui/hosted.css\"></head>\n<body");
    attr(&b, "component", component);
    attr(&b, "redirect", redirect);
    attr(&b, "sign-in-url", "/sign-in");
    attr(&b, "sign-up-url", "/sign-up");
    attr(&b, "user-url", "/user");
    attr(&b, "org-url", "/organization");
    attr(&b, "create-org-url", "/create-organization");
    attr(&b, "orgs", st.orgs_enabled ? "1" : "0");
    gh_buf_add(&b, ">\n<div id=\"gh-bar\"></div><main id=\"gh-main\" data-state=\"loading\"></main>"
                   "<noscript>This page needs JavaScript.</noscript>\n"
                   "<script src=\"/npm/@clerk/clerk-js@6/dist/clerk.browser.js\""
                   " crossorigin=\"anonymous\"");
    attr(&b, "clerk-publishable-key", req->app->instance->publishable_key);
    attr(&b, "clerk-proxy-url", fe != NULL ? fe : "");
    gh_buf_add(&b, "></script>\n<script src=\"/npm/@clerk/ui@1/dist/ui.browser.js\""
                   " crossorigin=\"anonymous\"></script>\n"
                   "<script src=\"/ui/hosted.js\"></script>\n</body></html>\n");
    if (gh_buf_failed(&b)) {
        gh_buf_clear(&b);
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    gh_resp_body(resp, 200, "text/html; charset=utf-8", gh_buf_str(&b), gh_buf_len(&b));
    gh_buf_clear(&b);
    gh_resp_header(resp, "Content-Security-Policy", CSP);
    gh_resp_header(resp, "X-Frame-Options", "DENY");
    gh_resp_header(resp, "Referrer-Policy", "strict-origin-when-cross-origin");
    gh_resp_header(resp, "Cache-Control", "no-store");
    return 0;
}

int
gh_ui_sign_in(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return page(req, resp, "sign-in", "Sign in", err);
}

int
gh_ui_sign_up(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return page(req, resp, "sign-up", "Sign up", err);
}

int
gh_ui_user(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return page(req, resp, "user", "Your account", err);
}

int
gh_ui_organization(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return page(req, resp, "organization", "Organization", err);
}

int
gh_ui_create_org(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return page(req, resp, "create-organization", "Create an organization", err);
}

/* GET /redirect?redirect_url=…: the last hop of a hosted page to an
 * allowlisted URL on another origin. clerk-js itself is only ever given
 * same-origin targets: in a development instance it refuses cross-origin
 * ones without a dev-browser token (spec FAPI §1.3). Anything not allowed
 * lands on /user. */
int
gh_ui_redirect(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_settings st;
    const char        *to;

    if (gh_settings_load(req->app, &st, err) == -1)
        return -1;
    to = redirect_of(req, &st);
    gh_resp_body(resp, 303, "text/plain; charset=utf-8", "", 0);
    gh_resp_header(resp, "Location", to);
    gh_resp_header(resp, "Cache-Control", "no-store");
    gh_resp_header(resp, "Referrer-Policy", "no-referrer");
    return 0;
}

int
gh_ui_asset(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    const char *name = req->nparams > 0 ? req->params[0] : "";

    for (const struct gh_ui_file *f = gh_ui_files; f->name != NULL; f++) {
        size_t n = strlen(f->name);

        if (strcmp(f->name, name) != 0)
            continue;
        gh_resp_body(resp, 200, n > 4 && strcmp(f->name + n - 4, ".css") == 0
                                    ? "text/css; charset=utf-8"
                                    : "text/javascript; charset=utf-8",
            (const char *)f->bytes, f->len);
        gh_resp_header(resp, "Cache-Control", "public, max-age=300");
        return 0;
    }
    return GH_FAIL(err, GH_E_ROUTE_NOT_FOUND, NULL);
}
