/* mail.c: see mail.h. Composes code emails; delivery is the hook's. */
#include "core/mail.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/app.h"
#include "core/code.h"
#include "core/event.h"
#include "core/id.h"
#include "core/origin.h"
#include "core/settings.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/str.h"

void
gh_mail_set_sender(struct gh_app *app, gh_mail_send_fn *fn, void *arg)
{
    app->mail_send = fn;
    app->mail_arg = arg;
}

void
gh_mail_set_waker(struct gh_app *app, gh_mail_wake_fn *fn)
{
    app->mail_wake = fn;
}

void
gh_mail_wake(struct gh_app *app)
{
    if (app->mail_send != NULL && app->mail_wake != NULL)
        app->mail_wake(app->mail_arg);
}

/* The local part of the configured From address ("no-reply" by default):
 * email.created's from_email_name. */
static void
from_local_part(const struct gh_app *app, char *out, size_t size)
{
    const char *f = app->conf != NULL ? app->conf->mail_from : NULL, *lt, *at;

    gh_strlcpy(out, "no-reply", size);
    if (f == NULL || (at = strchr(f, '@')) == NULL)
        return;
    lt = memchr(f, '<', (size_t)(at - f));
    f = lt != NULL ? lt + 1 : f;
    while (f < at && *f == ' ')
        f++;
    if (at > f && (size_t)(at - f) < size) {
        memcpy(out, f, (size_t)(at - f));
        out[at - f] = '\0';
    }
}

/* email.created, as Clerk sends it for an email it delivers itself. Written
 * only when an enabled endpoint takes the event: the body holds the code or
 * the ticket link, which nothing else keeps in the clear at rest. */
static int
emit_created(struct gh_app *app, const char *instance_id, const struct gh_mail *m,
    struct gh_err *err)
{
    struct gh_event_email e = { 0 };
    char                  id[GH_ID_MAX], from[128];
    int64_t               n = 0;

    if (gh_store_webhook_listeners(app->store, instance_id, "email.created", &n, err) == -1)
        return -1;
    if (n == 0)
        return 0;
    gh_id_new("ema", id);
    from_local_part(app, from, sizeof(from));
    e.id = id;
    e.slug = m->slug;
    e.from_email_name = from;
    e.to_email_address = m->to;
    e.subject = m->subject;
    e.body = m->html;
    e.body_plain = m->text;
    e.status = "queued";
    e.data = m->data;
    e.delivered_by_clerk = 1;
    return gh_event_emit_email(app, instance_id, &e, err);
}

/* The delivery itself: the hook, the development log, or a refusal. */
static int
deliver(struct gh_app *app, const char *instance_id, const struct gh_mail *m,
    struct gh_err *err)
{
    if (app->mail_send != NULL)
        return app->mail_send(app->mail_arg, instance_id, m, err);
    if (!gh_app_is_development(app))
        return GH_FAIL(err, GH_E_UNAVAILABLE, "Email delivery is not configured.");
    /* Development without SMTP: the README documents that the message,
     * code included, goes to the log. Production never gets here. */
    if (m->redact)
        gh_log_warn("DEVELOPMENT EMAIL (not sent: no SMTP configured) to=%s subject=\"%s\""
                    " body=(not logged: the link is in the Backend API's answer)",
            m->to, m->subject);
    else
        gh_log_warn("DEVELOPMENT EMAIL (not sent: no SMTP configured) to=%s subject=\"%s\""
                    " body=\"%s\"", m->to, m->subject, m->text);
    return 0;
}

int
gh_mail_send(struct gh_app *app, const char *instance_id, const struct gh_mail *m,
    struct gh_err *err)
{
    int own, ok;

    if (app->event_render == NULL) /* no events (admin verbs, unit tests) */
        return deliver(app, instance_id, m, err);
    own = !gh_store_in_tx(app->store);
    if (own && gh_store_begin(app->store, err) == -1)
        return -1;
    ok = deliver(app, instance_id, m, err) == 0 && emit_created(app, instance_id, m, err) == 0;
    if (!own)
        return ok ? 0 : -1;
    if (gh_event_tx_end(app, ok, err) == -1)
        return -1;
    gh_mail_wake(app);
    return 0;
}

/* email.created "data" (the template's variables): {"app":{"name"},
 * key: value[, "org":{"name"}]}, as JSON text in b. */
static void
template_data(struct gh_buf *b, const char *app_name, const char *key, const char *value,
    const char *org_name)
{
    gh_buf_add(b, "{\"app\":{\"name\":");
    gh_buf_add_json_str(b, app_name);
    gh_buf_addf(b, "},\"%s\":", key);
    gh_buf_add_json_str(b, value);
    if (org_name != NULL) {
        gh_buf_add(b, ",\"org\":{\"name\":");
        gh_buf_add_json_str(b, org_name);
        gh_buf_addc(b, '}');
    }
    gh_buf_addc(b, '}');
}

/* Frees buffers that held a code or a ticket link, wiping them first. */
static void
wipe_bufs(struct gh_buf **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (v[i]->data != NULL)
            gh_memzero(v[i]->data, v[i]->len);
        gh_buf_clear(v[i]);
    }
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
    const char    *what, *lead = purpose_text(purpose, &what);
    char           name[GH_SETTINGS_NAME_MAX];
    struct gh_buf  subj, text, html, data;
    struct gh_mail m;
    int            rc, minutes = (int)((gh_code_ttl_ms(app) + 59999) / 60000);

    if (gh_code_is_test_address(app, to))
        return 0;
    gh_settings_app_name(app, name, sizeof(name));
    gh_buf_init(&subj, 512);
    gh_buf_init(&text, 2048);
    gh_buf_init(&html, 4096);
    gh_buf_init(&data, 512);
    template_data(&data, name, "otp_code", code, NULL);
    gh_buf_addf(&subj, "%s is your %s %s", code, name, what);
    gh_buf_addf(&text, "%s:\n\n    %s\n\nThe code expires in %d minutes. If you did not ask for it,"
        " ignore this email.\n\n-- %s\n", lead, code, minutes, name);
    gh_buf_addf(&html, "<!doctype html><html><body style=\"font-family:sans-serif\">"
        "<p>%s:</p><p style=\"font-size:28px;font-weight:bold;letter-spacing:4px\">%s</p>"
        "<p>The code expires in %d minutes. If you did not ask for it, ignore this email.</p>"
        "<p>&mdash; ", lead, code, minutes);
    gh_buf_add_html(&html, name);
    gh_buf_add(&html, "</p></body></html>");
    if (gh_buf_failed(&subj) || gh_buf_failed(&text) || gh_buf_failed(&html) ||
        gh_buf_failed(&data)) {
        rc = GH_FAIL(err, GH_E_NOMEM, NULL);
    } else {
        memset(&m, 0, sizeof(m));
        m.to = to;
        m.subject = gh_buf_str(&subj);
        m.text = gh_buf_str(&text);
        m.html = gh_buf_str(&html);
        m.expires_at = gh_now_ms() + GH_CODE_TTL_MS; /* a late code is no use */
        m.slug = purpose == GH_MAIL_RESET_PASSWORD ? "reset_password_code" : "verification_code";
        m.data = gh_buf_str(&data);
        rc = gh_mail_send(app, instance_id, &m, err);
    }
    wipe_bufs((struct gh_buf *[]){ &subj, &text, &html, &data }, 4);
    return rc;
}

/* "on 2026-05-01" (UTC) for an expiry, or "" when there is none. */
static void
expiry_words(int64_t ms, char out[32])
{
    time_t    t = (time_t)(ms / 1000);
    struct tm tm;

    out[0] = '\0';
    if (ms > 0 && gmtime_r(&t, &tm) != NULL)
        strftime(out, 32, " on %Y-%m-%d", &tm);
}

static void
invitation_text(struct gh_buf *text, struct gh_buf *html, const char *what, const char *url,
    const char *name, const char *until)
{
    gh_buf_addf(text, "You have been invited to join %s.\n\nAccept the invitation:\n\n    %s\n\n"
        "The invitation expires%s. If you were not expecting it, ignore this email.\n\n-- %s\n",
        what, url, until[0] != '\0' ? until : " after some time", name);
    gh_buf_add(html, "<!doctype html><html><body style=\"font-family:sans-serif\"><p>"
        "You have been invited to join ");
    gh_buf_add_html(html, what);
    gh_buf_add(html, ".</p><p><a href=\"");
    gh_buf_add_html(html, url);
    gh_buf_add(html, "\" style=\"display:inline-block;padding:10px 16px;background:#333;"
        "color:#fff;text-decoration:none;border-radius:4px\">Accept the invitation</a></p>"
        "<p>Or open this link: ");
    gh_buf_add_html(html, url);
    gh_buf_addf(html, "</p><p>The invitation expires%s. If you were not expecting it, ignore "
        "this email.</p><p>&mdash; ", until[0] != '\0' ? until : " after some time");
    gh_buf_add_html(html, name);
    gh_buf_add(html, "</p></body></html>");
}

int
gh_mail_send_invitation(struct gh_app *app, const char *instance_id, const char *to,
    const char *url, const char *org_name, int64_t expires_at, struct gh_err *err)
{
    char           name[GH_SETTINGS_NAME_MAX], until[32];
    struct gh_buf  subj, what, text, html, data;
    struct gh_mail m;
    int            rc;

    if (gh_code_is_test_address(app, to))
        return 0;
    gh_settings_app_name(app, name, sizeof(name));
    expiry_words(expires_at, until);
    gh_buf_init(&subj, 1024);
    gh_buf_init(&what, 1024);
    gh_buf_init(&text, 8192);
    gh_buf_init(&html, 16384);
    gh_buf_init(&data, 4096);
    template_data(&data, name, "action_url", url, org_name);
    if (org_name != NULL)
        gh_buf_addf(&what, "%s on %s", org_name, name);
    else
        gh_buf_add(&what, name);
    gh_buf_addf(&subj, "You're invited to join %s", gh_buf_str(&what));
    invitation_text(&text, &html, gh_buf_str(&what), url, name, until);
    if (gh_buf_failed(&subj) || gh_buf_failed(&what) || gh_buf_failed(&text) ||
        gh_buf_failed(&html) || gh_buf_failed(&data)) {
        rc = GH_FAIL(err, GH_E_NOMEM, NULL);
    } else {
        memset(&m, 0, sizeof(m));
        m.to = to;
        m.subject = gh_buf_str(&subj);
        m.text = gh_buf_str(&text);
        m.html = gh_buf_str(&html);
        m.expires_at = expires_at;
        m.redact = 1;
        m.slug = org_name != NULL ? "organization_invitation" : "invitation";
        m.data = gh_buf_str(&data);
        rc = gh_mail_send(app, instance_id, &m, err);
    }
    wipe_bufs((struct gh_buf *[]){ &subj, &what, &text, &html, &data }, 5);
    return rc;
}
