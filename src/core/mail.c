/* mail.c: see mail.h. Composes code emails; delivery is the hook's. */
#include "core/mail.h"

#include <stdio.h>
#include <string.h>

#include "core/app.h"
#include "core/code.h"
#include "core/origin.h"
#include "util/buf.h"
#include "util/log.h"

void
gh_mail_set_sender(struct gh_app *app, gh_mail_send_fn *fn, void *arg)
{
    app->mail_send = fn;
    app->mail_arg = arg;
}

int
gh_mail_send(struct gh_app *app, const char *instance_id, const struct gh_mail *m,
    struct gh_err *err)
{
    if (app->mail_send != NULL)
        return app->mail_send(app->mail_arg, instance_id, m, err);
    if (!gh_app_is_development(app))
        return GH_FAIL(err, GH_E_UNAVAILABLE, "Email delivery is not configured.");
    /* Development without SMTP: the README documents that the message,
     * code included, goes to the log. Production never gets here. */
    gh_log_warn("DEVELOPMENT EMAIL (not sent: no SMTP configured) to=%s subject=\"%s\" body=\"%s\"",
        m->to, m->subject, m->text);
    return 0;
}

static const char *
purpose_text(enum gh_mail_purpose p, const char **subject)
{
    switch (p) {
    case GH_MAIL_SIGN_UP:
        *subject = "verification code";
        return "Use this code to verify your email address and finish signing up";
    case GH_MAIL_SIGN_IN:
        *subject = "sign-in code";
        return "Use this code to sign in";
    case GH_MAIL_RESET_PASSWORD:
        *subject = "password reset code";
        return "Use this code to reset your password";
    case GH_MAIL_VERIFY_EMAIL:
    default:
        *subject = "verification code";
        return "Use this code to verify your email address";
    }
}

int
gh_mail_send_code(struct gh_app *app, const char *instance_id, const char *to,
    const char *code, enum gh_mail_purpose purpose, struct gh_err *err)
{
    const char    *name = app->instance != NULL && app->instance->name != NULL
                              ? app->instance->name : "Gatehouse";
    const char    *what, *lead = purpose_text(purpose, &what);
    struct gh_buf  subj, text, html;
    struct gh_mail m;
    int            rc;

    if (gh_code_is_test_address(app, to))
        return 0;
    gh_buf_init(&subj, 256);
    gh_buf_init(&text, 2048);
    gh_buf_init(&html, 4096);
    gh_buf_addf(&subj, "%s is your %s %s", code, name, what);
    gh_buf_addf(&text, "%s:\n\n    %s\n\nThe code expires in %d minutes. If you did not ask for it,"
        " ignore this email.\n\n-- %s\n", lead, code, (int)(GH_CODE_TTL_MS / 60000), name);
    gh_buf_addf(&html, "<!doctype html><html><body style=\"font-family:sans-serif\">"
        "<p>%s:</p><p style=\"font-size:28px;font-weight:bold;letter-spacing:4px\">%s</p>"
        "<p>The code expires in %d minutes. If you did not ask for it, ignore this email.</p>"
        "<p>&mdash; ", lead, code, (int)(GH_CODE_TTL_MS / 60000));
    gh_buf_add_html(&html, name);
    gh_buf_add(&html, "</p></body></html>");
    if (gh_buf_failed(&subj) || gh_buf_failed(&text) || gh_buf_failed(&html)) {
        rc = GH_FAIL(err, GH_E_NOMEM, NULL);
    } else {
        m.to = to;
        m.subject = gh_buf_str(&subj);
        m.text = gh_buf_str(&text);
        m.html = gh_buf_str(&html);
        rc = gh_mail_send(app, instance_id, &m, err);
    }
    gh_buf_clear(&subj);
    gh_buf_clear(&text);
    gh_buf_clear(&html);
    return rc;
}
