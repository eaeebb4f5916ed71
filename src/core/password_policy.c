/* password_policy.c: see password_policy.h. The embedded list is parsed once
 * (lower-cased, sorted, de-duplicated) into an array searched by bsearch;
 * input longer than the longest entry is not looked up at all. The breach
 * check hashes the password (SHA-1, the range protocol's hash) and hands
 * only the hash to jobs/pwned.c. */
#include "core/password_policy.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "crypto/crypto.h"
#include "jobs/pwned.h"
#include "util/log.h"

#define COMMON_MAX_LEN 64 /* entries longer than this are ignored */

extern const char gh_common_passwords_text[]; /* generated/common_passwords.c */

static pthread_once_t list_once = PTHREAD_ONCE_INIT;
static char         **list; /* sorted, lower-case; NULL when out of memory */
static size_t         nlist;
static size_t         longest;
static char          *list_buf; /* the lines the array points into */

static int
cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
lower(char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            s[i] = (char)(s[i] - 'A' + 'a');
}

static void
load_list(void)
{
    size_t cap = 0, k = 0;
    char  *p;

    if ((list_buf = strdup(gh_common_passwords_text)) == NULL)
        return;
    for (p = list_buf; *p != '\0'; p++)
        cap += *p == '\n';
    if ((list = calloc(cap + 1, sizeof(*list))) == NULL)
        return;
    for (p = list_buf; *p != '\0';) {
        char  *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);

        if (nl != NULL)
            *nl = '\0';
        if (len > 0 && len <= COMMON_MAX_LEN && strncmp(p, "#!comment", 9) != 0) {
            lower(p, len);
            list[k++] = p;
            if (len > longest)
                longest = len;
        }
        p = nl != NULL ? nl + 1 : p + len;
    }
    qsort(list, k, sizeof(*list), cmp);
    for (size_t i = 0; i < k; i++) /* de-duplicate ("password" and "Password") */
        if (nlist == 0 || strcmp(list[nlist - 1], list[i]) != 0)
            list[nlist++] = list[i];
}

static int
listed(const char *s)
{
    return bsearch(&s, list, nlist, sizeof(*list), cmp) != NULL;
}

size_t
gh_password_common_count(void)
{
    pthread_once(&list_once, load_list);
    return nlist;
}

int
gh_password_is_common(const char *pw, size_t len)
{
    char   buf[COMMON_MAX_LEN + 1];
    size_t n = len;

    pthread_once(&list_once, load_list);
    if (pw == NULL || len == 0 || len > longest || memchr(pw, '\0', len) != NULL)
        return 0;
    memcpy(buf, pw, len);
    buf[len] = '\0';
    lower(buf, len);
    if (listed(buf))
        return 1;
    while (n > 0 && strchr("!?.,;:*#@$%&_-+=~ ", buf[n - 1]) != NULL)
        buf[--n] = '\0';
    return n > 0 && n < len && listed(buf);
}

static int
pwned_fail(struct gh_err *err)
{
    return GH_FAIL_PARAM(
        err, GH_E_PASSWORD_PWNED, "password",
        "Password has been found in an online data breach. For account safety, please use a "
        "different password.");
}

int
gh_password_policy_check(const struct gh_app *app, const char *pw, size_t len, struct gh_err *err)
{
    const char   *url = app != NULL && app->conf != NULL ? app->conf->pwned_url : NULL;
    struct gh_err pe = {0};
    char          hex[41];
    int64_t       seen = 0;
    int           rc;

    if (gh_password_is_common(pw, len))
        return pwned_fail(err);
    if (url == NULL || url[0] == '\0')
        return 0;
    gh_sha1_hex_upper(pw, len, hex);
    rc = gh_pwned_count(url, hex, &seen, &pe);
    gh_memzero(hex, sizeof(hex));
    if (rc == -1) { /* fail open, documented in README */
        gh_log_warn("breached-password check skipped code=%s note=%s", gh_err_name(pe.code),
                    pe.note);
        return 0;
    }
    return seen > 0 ? pwned_fail(err) : 0;
}
