/* smtp.c: one SMTP submission through libcurl (mail.h): the server from
 * GATEHOUSE_SMTP_URL, STARTTLS or implicit TLS, AUTH with credentials kept
 * out of the URL (so no curl message or log line can carry them), one
 * envelope recipient. It does not queue or retry: mailer.c does. One easy
 * handle per call, so any thread may call it. */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/crypto.h"
#include "jobs/mail.h"
#include "jobs/webhook.h"
#include "util/str.h"

#if LIBCURL_VERSION_NUM < 0x075500
#error "libcurl >= 7.85 is required (CURLOPT_PROTOCOLS_STR)"
#endif

void
gh_smtp_conf_clear(struct gh_smtp_conf *c)
{
    if (c == NULL)
        return;
    free(c->url);
    free(c->user);
    gh_secret_free(c->password);
    memset(c, 0, sizeof(*c));
}

static int
loopback_host(const char *h)
{
    return strcasecmp(h, "localhost") == 0 || strncmp(h, "127.", 4) == 0 ||
           strcmp(h, "[::1]") == 0 || strcmp(h, "::1") == 0;
}

/* A URL part (decoded) as a malloc'd string, or NULL when absent. */
static char *
url_part(CURLU *u, CURLUPart what, unsigned flags)
{
    char *v = NULL, *copy;

    if (curl_url_get(u, what, &v, flags) != CURLUE_OK || v == NULL)
        return NULL;
    copy = gh_strdup(v);
    if (what == CURLUPART_PASSWORD)
        gh_memzero(v, strlen(v));
    curl_free(v);
    return copy;
}

/* Fills everything but the credentials from the parsed URL. */
static int
fill_from_url(CURLU *u, struct gh_smtp_conf *out, struct gh_err *err)
{
    char *scheme = url_part(u, CURLUPART_SCHEME, 0);
    char *host = url_part(u, CURLUPART_HOST, 0);
    char *port = url_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT);
    char *v = NULL;
    int   rc = -1;

    if (scheme == NULL || host == NULL || host[0] == '\0' ||
        (strcasecmp(scheme, "smtp") != 0 && strcasecmp(scheme, "smtps") != 0)) {
        GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "smtp_url",
            "must be smtp://HOST[:PORT] or smtps://HOST[:PORT]");
        goto done;
    }
    out->tls = strcasecmp(scheme, "smtps") == 0 ? 2 : 0;
    snprintf(out->where, sizeof(out->where), "%s:%s", host, port != NULL ? port : "?");
    if (curl_url_set(u, CURLUPART_USER, NULL, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0) != CURLUE_OK ||
        curl_url_set(u, CURLUPART_OPTIONS, NULL, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_URL, &v, 0) != CURLUE_OK || (out->url = gh_strdup(v)) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    if (out->tls == 0 && !loopback_host(host))
        out->tls = -1; /* decided once the credentials are known */
    rc = 0;
done:
    curl_free(v);
    free(scheme);
    free(host);
    free(port);
    return rc;
}

int
gh_smtp_conf_parse(const char *url, const char *user, const char *password,
    struct gh_smtp_conf *out, struct gh_err *err)
{
    CURLU *u;
    int    rc = -1;

    memset(out, 0, sizeof(*out));
    if (url == NULL || *url == '\0')
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "smtp_url", "is empty");
    if ((u = curl_url()) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
        GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "smtp_url", "is not a URL");
        goto done;
    }
    out->user = url_part(u, CURLUPART_USER, CURLU_URLDECODE);
    out->password = url_part(u, CURLUPART_PASSWORD, CURLU_URLDECODE);
    if (fill_from_url(u, out, err) == -1)
        goto done;
    if (user != NULL && *user != '\0') {
        free(out->user);
        out->user = gh_strdup(user);
    }
    if (password != NULL && *password != '\0') {
        gh_secret_free(out->password);
        out->password = gh_strdup(password);
    }
    if ((user != NULL && *user != '\0' && out->user == NULL) ||
        (password != NULL && *password != '\0' && out->password == NULL)) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    /* A password never crosses the network in the clear: with credentials,
     * a non-loopback smtp:// server must do STARTTLS. */
    if (out->tls == -1)
        out->tls = out->user != NULL ? 1 : 0;
    out->timeout_ms = GH_SMTP_TIMEOUT_MS;
    rc = 0;
done:
    curl_url_cleanup(u);
    return rc;
}

struct upload {
    const char *p;
    size_t      left;
};

static size_t
on_read(char *buf, size_t size, size_t nitems, void *ud)
{
    struct upload *up = ud;
    size_t         n = size * nitems;

    if (n > up->left)
        n = up->left;
    memcpy(buf, up->p, n);
    up->p += n;
    up->left -= n;
    return n;
}

/* 5xx replies a retry cannot change; authentication trouble (530, 534, 535,
 * 538) is the operator's to fix, so those keep being retried. */
static int
permanent(long code)
{
    return code >= 500 && code < 600 && code != 530 && code != 534 && code != 535 &&
           code != 538;
}

static void
set_options(CURL *h, const struct gh_smtp_conf *c, const char *sender, struct curl_slist *rcpt,
    struct upload *up, size_t len, char *errbuf)
{
    curl_easy_setopt(h, CURLOPT_URL, c->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(h, CURLOPT_USE_SSL, c->tls == 0 ? (long)CURLUSESSL_TRY : (long)CURLUSESSL_ALL);
    if (c->user != NULL) {
        curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
        curl_easy_setopt(h, CURLOPT_PASSWORD, c->password != NULL ? c->password : "");
    }
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, sender);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
    curl_easy_setopt(h, CURLOPT_READDATA, up);
    curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms > 0 ? c->timeout_ms : GH_SMTP_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, GH_SMTP_CONNECT_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
}

int
gh_smtp_send(const struct gh_smtp_conf *c, const char *sender, const char *rcpt,
    const char *msg, size_t len, struct gh_smtp_result *res, struct gh_err *err)
{
    struct upload      up = { msg, len };
    struct curl_slist *to = NULL;
    char               from[330], rc_addr[330], errbuf[CURL_ERROR_SIZE] = "";
    uint64_t           t0 = gh_mono_ns();
    CURL              *h = NULL;
    CURLcode           rc;
    int                ret = -1;

    memset(res, 0, sizeof(*res));
    if (!gh_mail_addr_valid(sender) || !gh_mail_addr_valid(rcpt)) {
        snprintf(res->error, sizeof(res->error), "bad envelope address");
        return GH_FAIL(err, GH_E_INTERNAL, "bad envelope address");
    }
    snprintf(from, sizeof(from), "<%s>", sender);
    snprintf(rc_addr, sizeof(rc_addr), "<%s>", rcpt);
    if (gh_webhook_global_init(err) == -1 || (h = curl_easy_init()) == NULL ||
        (to = curl_slist_append(NULL, rc_addr)) == NULL) {
        snprintf(res->error, sizeof(res->error), "curl setup failed");
        GH_FAIL(err, GH_E_INTERNAL, "curl setup failed");
        goto done;
    }
    set_options(h, c, from, to, &up, len, errbuf);
    rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &res->code);
    if (rc == CURLE_OK) {
        ret = 0;
        goto done;
    }
    res->permanent = permanent(res->code);
    snprintf(res->error, sizeof(res->error), "%s%s%s (SMTP %ld)", curl_easy_strerror(rc),
        errbuf[0] != '\0' ? ": " : "", errbuf, res->code);
    GH_FAIL(err, GH_E_UNAVAILABLE, "SMTP submission failed");
done:
    res->duration_ms = (int64_t)((gh_mono_ns() - t0) / 1000000);
    curl_slist_free_all(to);
    if (h != NULL)
        curl_easy_cleanup(h);
    return ret;
}
