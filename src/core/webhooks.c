/* webhooks.c: see webhooks.h. Endpoint rules: URL policy at creation,
 * secrets generated here and sealed with the master key before they reach
 * the store (the clear value leaves only through secret_out), filters kept
 * as ",a,b," so the store can match them in SQL. */
#include "core/webhooks.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/event.h"
#include "core/id.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/str.h"

void
gh_webhooks_policy_load(const struct gh_app *app, struct gh_webhooks_policy *out)
{
    const struct gh_conf *conf = app->conf;
    const char           *pk = app->instance != NULL ? app->instance->publishable_key : NULL;
    char                  buf[1024], *s, *e;
    size_t                n = 0;

    memset(out, 0, sizeof(*out));
    out->policy.allow_loopback = (pk != NULL && strncmp(pk, "pk_test_", 8) == 0) ||
                                 conf->webhook_allow_loopback == 1;
    if (conf->webhook_allow_cidrs != NULL &&
        gh_strlcpy(buf, conf->webhook_allow_cidrs, sizeof(buf)) == -1) {
        gh_log_warn("GATEHOUSE_WEBHOOK_ALLOW_CIDRS: longer than %zu bytes, ignored", sizeof(buf));
    } else if (conf->webhook_allow_cidrs != NULL) {
        for (s = buf; s != NULL && *s != '\0' && n < GH_WEBHOOK_CIDRS_MAX; s = e) {
            struct gh_err ce = { 0 };

            if ((e = strchr(s, ',')) != NULL)
                *e++ = '\0';
            while (*s == ' ')
                s++;
            if (*s != '\0' && gh_ssrf_cidr_parse(s, &out->cidrs[n], &ce) == 0)
                n++;
            else if (*s != '\0')
                gh_log_warn("GATEHOUSE_WEBHOOK_ALLOW_CIDRS: ignoring \"%s\"", s);
        }
    }
    out->policy.allow = out->cidrs;
    out->policy.nallow = n;
}

static int
event_name_ok(const char *s)
{
    size_t n = 0;

    for (; s[n] != '\0'; n++)
        if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') || s[n] == '.'))
            return 0;
    return n >= 1 && n <= 63;
}

/* ",a,b," from the list (duplicates kept out), or "" for none. */
static int
make_filter(const char *const *events, size_t n, char **out, struct gh_err *err)
{
    struct gh_buf b;
    char          probe[80];

    *out = NULL;
    if (n > GH_WEBHOOK_EVENTS_MAX)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "events", "lists too many events");
    gh_buf_init(&b, 8192);
    for (size_t i = 0; i < n; i++) {
        if (events[i] == NULL || !event_name_ok(events[i])) {
            gh_buf_clear(&b);
            return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "events", "is not an event type");
        }
        snprintf(probe, sizeof(probe), ",%s,", events[i]);
        if (strstr(gh_buf_str(&b), probe) != NULL)
            continue;
        gh_buf_add(&b, gh_buf_len(&b) == 0 ? probe : probe + 1);
    }
    if (gh_buf_failed(&b) || (*out = gh_strdup(gh_buf_str(&b))) == NULL) {
        gh_buf_clear(&b);
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    gh_buf_clear(&b);
    return 0;
}

int
gh_webhooks_filter_split(const char *filter, char ***out, size_t *n)
{
    size_t len = filter != NULL ? strlen(filter) : 0, k = 0, cap = 1;
    char **v, *copy;

    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < len; i++)
        cap += filter[i] == ',';
    if ((v = malloc(cap * sizeof(*v) + len + 1)) == NULL)
        return -1;
    copy = (char *)(v + cap);
    memcpy(copy, filter != NULL ? filter : "", len + 1);
    for (char *s = copy, *e; *s != '\0'; s = e) {
        if ((e = strchr(s, ',')) != NULL)
            *e++ = '\0';
        else
            e = s + strlen(s);
        if (*s != '\0')
            v[k++] = s;
    }
    *out = v;
    *n = k;
    return 0;
}

static int
check_url(struct gh_app *app, const char *url, struct gh_err *err)
{
    struct gh_webhooks_policy pol;

    if (url == NULL || *url == '\0')
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "url", NULL);
    gh_webhooks_policy_load(app, &pol);
    if (gh_ssrf_check_url(url, &pol.policy, err) == -1) {
        gh_strlcpy(err->param, "url", sizeof(err->param));
        return -1;
    }
    return 0;
}

/* A new secret into secret_out, sealed into *box. */
static int
new_secret(struct gh_app *app, char secret_out[GH_WEBHOOK_SECRET_SIZE], unsigned char **box,
    size_t *boxlen, struct gh_err *err)
{
    if (gh_webhook_secret_new(secret_out, err) == -1)
        return -1;
    if (gh_master_seal(app->master, secret_out, strlen(secret_out), box, boxlen, err) == -1) {
        gh_memzero(secret_out, GH_WEBHOOK_SECRET_SIZE);
        return -1;
    }
    return 0;
}

int
gh_webhooks_create(struct gh_app *app, const char *instance_id,
    const struct gh_webhook_params *p, struct gh_webhook_endpoint *out,
    char secret_out[GH_WEBHOOK_SECRET_SIZE], struct gh_err *err)
{
    struct gh_webhook_endpoint ep = { 0 };
    int64_t                    now = gh_now_ms();
    int                        rc = -1;

    memset(out, 0, sizeof(*out));
    secret_out[0] = '\0';
    if (check_url(app, p->url, err) == -1)
        return -1;
    if (p->description != NULL && strlen(p->description) > GH_WEBHOOK_DESC_MAX)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "description", "is too long");
    if (make_filter(p->events, p->nevents, &ep.event_filter, err) == -1)
        goto done;
    gh_id_new("ep", ep.id);
    ep.enabled = 1;
    ep.prev_expires_at = ep.first_failure_at = GH_TIME_NULL;
    ep.created_at = ep.updated_at = now;
    if ((ep.url = gh_strdup(p->url)) == NULL ||
        (ep.description = gh_strdup(p->description != NULL ? p->description : "")) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    if (new_secret(app, secret_out, &ep.secret_sealed, &ep.secret_sealed_len, err) == -1 ||
        gh_store_webhook_endpoint_insert(app->store, instance_id, &ep, err) == -1)
        goto done;
    gh_log_info("webhook endpoint created endpoint_id=%s", ep.id);
    *out = ep;
    memset(&ep, 0, sizeof(ep));
    rc = 0;
done:
    if (rc == -1)
        gh_memzero(secret_out, GH_WEBHOOK_SECRET_SIZE);
    gh_webhook_endpoint_clear(&ep);
    return rc;
}

int
gh_webhooks_get(struct gh_app *app, const char *instance_id, const char *id,
    struct gh_webhook_endpoint *out, struct gh_err *err)
{
    struct gh_err se = { 0 };

    memset(out, 0, sizeof(*out));
    if (!gh_id_valid("ep", id))
        return GH_FAIL(err, GH_E_NOT_FOUND, "Webhook endpoint not found");
    if (gh_store_webhook_endpoint_get(app->store, instance_id, id, out, &se) == -1) {
        if (se.code == GH_E_NOT_FOUND)
            return GH_FAIL(err, GH_E_NOT_FOUND, "Webhook endpoint not found");
        *err = se;
        return -1;
    }
    return 0;
}

int
gh_webhooks_list(struct gh_app *app, const char *instance_id, int64_t limit, int64_t offset,
    struct gh_webhook_endpoint **out, size_t *n, int64_t *total, struct gh_err *err)
{
    return gh_store_webhook_endpoint_list(app->store, instance_id, limit, offset, out, n, total,
        err);
}

/* Writes ep back and hands it to out (ep is emptied). */
static int
save(struct gh_app *app, const char *instance_id, struct gh_webhook_endpoint *ep,
    struct gh_webhook_endpoint *out, struct gh_err *err)
{
    ep->updated_at = gh_now_ms();
    if (gh_store_webhook_endpoint_update(app->store, instance_id, ep, err) == -1) {
        gh_webhook_endpoint_clear(ep);
        return -1;
    }
    *out = *ep;
    memset(ep, 0, sizeof(*ep));
    return 0;
}

static int
replace_str(char **slot, const char *v, struct gh_err *err)
{
    char *c = gh_strdup(v);

    if (c == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    free(*slot);
    *slot = c;
    return 0;
}

int
gh_webhooks_update(struct gh_app *app, const char *instance_id, const char *id,
    const struct gh_webhook_params *p, struct gh_webhook_endpoint *out, struct gh_err *err)
{
    struct gh_webhook_endpoint ep;
    char                      *filter = NULL;

    memset(out, 0, sizeof(*out));
    if (p->url != NULL && check_url(app, p->url, err) == -1)
        return -1;
    if (p->description != NULL && strlen(p->description) > GH_WEBHOOK_DESC_MAX)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "description", "is too long");
    if (p->events_given && make_filter(p->events, p->nevents, &filter, err) == -1)
        return -1;
    if (gh_webhooks_get(app, instance_id, id, &ep, err) == -1) {
        free(filter);
        return -1;
    }
    if ((p->url != NULL && replace_str(&ep.url, p->url, err) == -1) ||
        (p->description != NULL && replace_str(&ep.description, p->description, err) == -1)) {
        free(filter);
        gh_webhook_endpoint_clear(&ep);
        return -1;
    }
    if (filter != NULL) {
        free(ep.event_filter);
        ep.event_filter = filter;
    }
    return save(app, instance_id, &ep, out, err);
}

int
gh_webhooks_delete(struct gh_app *app, const char *instance_id, const char *id,
    struct gh_err *err)
{
    struct gh_err se = { 0 };

    if (!gh_id_valid("ep", id))
        return GH_FAIL(err, GH_E_NOT_FOUND, "Webhook endpoint not found");
    if (gh_store_webhook_endpoint_delete(app->store, instance_id, id, &se) == -1) {
        if (se.code == GH_E_NOT_FOUND)
            return GH_FAIL(err, GH_E_NOT_FOUND, "Webhook endpoint not found");
        *err = se;
        return -1;
    }
    gh_log_info("webhook endpoint deleted endpoint_id=%s", id);
    return 0;
}

int
gh_webhooks_set_enabled(struct gh_app *app, const char *instance_id, const char *id,
    int enabled, struct gh_webhook_endpoint *out, struct gh_err *err)
{
    struct gh_webhook_endpoint ep;

    memset(out, 0, sizeof(*out));
    if (gh_webhooks_get(app, instance_id, id, &ep, err) == -1)
        return -1;
    ep.enabled = enabled != 0;
    free(ep.disabled_reason);
    ep.disabled_reason = NULL;
    if (enabled)
        ep.first_failure_at = GH_TIME_NULL;
    else if ((ep.disabled_reason = gh_strdup("manual")) == NULL) {
        gh_webhook_endpoint_clear(&ep);
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    if (save(app, instance_id, &ep, out, err) == -1)
        return -1;
    if (enabled)
        gh_event_wake(app);
    return 0;
}

int
gh_webhooks_rotate(struct gh_app *app, const char *instance_id, const char *id,
    int64_t overlap_ms, struct gh_webhook_endpoint *out,
    char secret_out[GH_WEBHOOK_SECRET_SIZE], struct gh_err *err)
{
    struct gh_webhook_endpoint ep;
    unsigned char             *box = NULL;
    size_t                     boxlen = 0;

    memset(out, 0, sizeof(*out));
    secret_out[0] = '\0';
    if (overlap_ms < 0 || overlap_ms > GH_WEBHOOK_OVERLAP_MAX_MS)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "overlap_seconds", "is out of range");
    if (gh_webhooks_get(app, instance_id, id, &ep, err) == -1)
        return -1;
    if (new_secret(app, secret_out, &box, &boxlen, err) == -1) {
        gh_webhook_endpoint_clear(&ep);
        return -1;
    }
    free(ep.prev_sealed);
    ep.prev_sealed = ep.secret_sealed;
    ep.prev_sealed_len = ep.secret_sealed_len;
    ep.prev_expires_at = gh_now_ms() + overlap_ms;
    ep.secret_sealed = box;
    ep.secret_sealed_len = boxlen;
    if (save(app, instance_id, &ep, out, err) == -1) {
        gh_memzero(secret_out, GH_WEBHOOK_SECRET_SIZE);
        return -1;
    }
    gh_log_info("webhook secret rotated endpoint_id=%s overlap_ms=%lld", id,
        (long long)overlap_ms);
    return 0;
}

int
gh_webhooks_attempts(struct gh_app *app, const char *instance_id, const char *id,
    int64_t limit, int64_t offset, struct gh_webhook_attempt **out, size_t *n, int64_t *total,
    struct gh_err *err)
{
    struct gh_webhook_endpoint ep;

    *out = NULL;
    *n = 0;
    if (gh_webhooks_get(app, instance_id, id, &ep, err) == -1)
        return -1;
    gh_webhook_endpoint_clear(&ep);
    return gh_store_webhook_attempt_list(app->store, instance_id, id, limit, offset, out, n,
        total, err);
}

int
gh_webhooks_replay(struct gh_app *app, const char *instance_id, const char *id,
    const char *message_id, int64_t since_ms, int64_t *count, struct gh_err *err)
{
    struct gh_webhook_endpoint ep;
    int                        rc;

    *count = 0;
    if (message_id != NULL && !gh_id_valid("msg", message_id))
        return GH_FAIL_PARAM(err, GH_E_NOT_FOUND, "message_id", "Message not found");
    if (gh_webhooks_get(app, instance_id, id, &ep, err) == -1)
        return -1;
    rc = gh_store_webhook_replay(app->store, instance_id, &ep, message_id, since_ms, gh_now_ms(),
        count, err);
    gh_webhook_endpoint_clear(&ep);
    if (rc == 0 && message_id != NULL && *count == 0)
        return GH_FAIL_PARAM(err, GH_E_NOT_FOUND, "message_id", "Message not found");
    if (rc == 0)
        gh_event_wake(app);
    return rc;
}
