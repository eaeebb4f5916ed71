/* mail.h: outgoing email as the domain sees it (issue 4): verification codes
 * and invitations. Core composes the message; delivery is a hook installed at
 * startup (src/jobs/mail.c: SMTP through libcurl, from a durable queue). With
 * no hook, or no SMTP configured, a development instance writes the message to
 * the log instead (clearly marked, since it holds the code) and a production
 * instance fails with GH_E_UNAVAILABLE. "+clerk_test" addresses of a
 * development instance get no email at all (core/code.h). */
#ifndef GH_CORE_MAIL_H
#define GH_CORE_MAIL_H

#include <stdint.h>

#include "util/err.h"

struct gh_app;

struct gh_mail {
    const char *to;         /* one address */
    const char *subject;
    const char *text;       /* text/plain body */
    const char *html;       /* text/html body, or NULL */
    int64_t     expires_at; /* ms; not delivered after this (codes); 0 = never */
    int         redact;     /* 1: the development log shows no body (it holds a
                               ticket the Backend API already returned) */
    const char *slug;       /* email.created "slug" (template name), or NULL */
    const char *data;       /* email.created "data" (JSON object text), or NULL */
};

/* Delivery hook: queues m (copying what it keeps), joining the calling
 * thread's transaction when one is open. 0 when queued. */
typedef int gh_mail_send_fn(void *arg, const char *instance_id, const struct gh_mail *m,
    struct gh_err *err);
/* Wakes the delivery worker (same arg as the sender). */
typedef void gh_mail_wake_fn(void *arg);
void gh_mail_set_sender(struct gh_app *app, gh_mail_send_fn *fn, void *arg);
void gh_mail_set_waker(struct gh_app *app, gh_mail_wake_fn *fn);

/* Sends m through the hook, or as described above, and emits email.created
 * (core/event.h) in the same transaction: the caller's when one is open (the
 * mail and the event then go only if it commits: call gh_mail_wake after the
 * commit so it leaves at once), else one of its own. */
int gh_mail_send(struct gh_app *app, const char *instance_id, const struct gh_mail *m,
    struct gh_err *err);
void gh_mail_wake(struct gh_app *app);

/* What a code is for: picks the subject and wording. */
enum gh_mail_purpose {
    GH_MAIL_SIGN_UP = 1,     /* verify the address of a new account */
    GH_MAIL_SIGN_IN,         /* sign-in code */
    GH_MAIL_RESET_PASSWORD,  /* reset-password code */
    GH_MAIL_VERIFY_EMAIL,    /* verify an address added to an account */
};
/* Composes and sends a code email (text + HTML, with the instance name).
 * Test addresses (+clerk_test, development) are skipped. */
int gh_mail_send_code(struct gh_app *app, const char *instance_id, const char *to,
    const char *code, enum gh_mail_purpose purpose, struct gh_err *err);

/* Composes and sends an invitation email (text + HTML) carrying url, the
 * invitation's ticket link: to the instance (org_name NULL) or to the
 * organization org_name. The development log shows no URL (the Backend API
 * returned it). expires_at (ms, 0 = none) is the invitation's. */
int gh_mail_send_invitation(struct gh_app *app, const char *instance_id, const char *to,
    const char *url, const char *org_name, int64_t expires_at, struct gh_err *err);

#endif
