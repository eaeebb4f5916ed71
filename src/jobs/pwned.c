/* pwned.c: see pwned.h. One bounded GET per call (timeout, response cap,
 * no redirects, no proxy from the environment); the answer is scanned line
 * by line for the suffix, case-insensitively. Neither the password nor its
 * full hash is logged or sent. */
#include "jobs/pwned.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "jobs/webhook.h"
#include "util/buf.h"
#include "util/str.h"

struct answer {
    struct gh_buf b; /* capped at GH_PWNED_MAX_RESPONSE */
};

static size_t
on_body(char *p, size_t size, size_t n, void *ud)
{
    struct answer *a = ud;

    gh_buf_addn(&a->b, p, size * n);
    return gh_buf_failed(&a->b) ? 0 : size * n; /* over the cap: curl aborts */
}

/* Finds "SUFFIX:COUNT" lines; -1 when a line is not of that form. */
static int
scan(const char *text, const char *suffix, int64_t *count)
{
    const char *line = text;

    *count = 0;
    while (*line != '\0') {
        const char *nl = strchr(line, '\n');
        size_t      len = nl != NULL ? (size_t)(nl - line) : strlen(line);
        char        num[24];
        int64_t     v;

        if (len > 0 && line[len - 1] == '\r')
            len--;
        if (len > 0) {
            if (len < 37 || len - 36 >= sizeof(num) || line[35] != ':')
                return -1;
            memcpy(num, line + 36, len - 36);
            num[len - 36] = '\0';
            if (gh_parse_int(num, 0, INT64_MAX, &v) == -1)
                return -1;
            if (v > 0 && strncasecmp(line, suffix, 35) == 0) /* padding rows have count 0 */
                *count = v;
        }
        line = nl != NULL ? nl + 1 : line + len;
    }
    return 0;
}

static int
fetch(const char *url, struct answer *a, long *status, struct gh_err *err)
{
    struct curl_slist *hdrs = curl_slist_append(NULL, "Add-Padding: true");
    CURL              *h = curl_easy_init();
    CURLcode           c = h != NULL && hdrs != NULL ? CURLE_OK : CURLE_OUT_OF_MEMORY;

#define SET(opt, val)                                                                              \
    if (c == CURLE_OK)                                                                             \
    c = curl_easy_setopt(h, opt, val)
    SET(CURLOPT_URL, url);
    SET(CURLOPT_PROTOCOLS_STR, "http,https");
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_PROXY, "");
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_TIMEOUT_MS, (long)GH_PWNED_TIMEOUT_MS);
    SET(CURLOPT_CONNECTTIMEOUT_MS, (long)GH_PWNED_TIMEOUT_MS);
    SET(CURLOPT_HTTPHEADER, hdrs);
    SET(CURLOPT_USERAGENT, GH_WEBHOOK_USER_AGENT);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, a);
#undef SET
    if (c == CURLE_OK)
        c = curl_easy_perform(h);
    if (c == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(h);
    curl_slist_free_all(hdrs);
    if (c != CURLE_OK) {
        GH_FAIL(err, GH_E_UNAVAILABLE, "breached-password check unavailable");
        gh_err_note(err, "pwned range request: %s", curl_easy_strerror(c));
        return -1;
    }
    return 0;
}

int
gh_pwned_count(const char *base_url, const char sha1_hex[41], int64_t *count, struct gh_err *err)
{
    struct answer a;
    char          url[1024];
    long          status = 0;
    size_t        blen = base_url != NULL ? strlen(base_url) : 0;
    int           rc = -1;

    *count = 0;
    while (blen > 0 && base_url[blen - 1] == '/')
        blen--;
    if (blen == 0 || strlen(sha1_hex) != 40 || blen > 900)
        return GH_FAIL(err, GH_E_INTERNAL, "bad breached-password request");
    snprintf(url, sizeof(url), "%.*s/range/%.5s", (int)blen, base_url, sha1_hex);
    if (gh_webhook_global_init(err) == -1)
        return -1;
    gh_buf_init(&a.b, GH_PWNED_MAX_RESPONSE);
    if (fetch(url, &a, &status, err) == -1)
        goto done;
    if (status != 200 || gh_buf_failed(&a.b)) {
        GH_FAIL(err, GH_E_UNAVAILABLE, "breached-password check unavailable");
        gh_err_note(err, "pwned range answer: HTTP %ld", status);
        goto done;
    }
    if (scan(gh_buf_str(&a.b), sha1_hex + 5, count) == -1) {
        GH_FAIL(err, GH_E_UNAVAILABLE, "breached-password check unavailable");
        gh_err_note(err, "pwned range answer is malformed");
        goto done;
    }
    rc = 0;
done:
    gh_buf_clear(&a.b);
    return rc;
}
