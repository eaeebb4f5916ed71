/* webhooks.c: Gatehouse's own /v1/webhook_endpoints routes (issue 5; Clerk
 * manages endpoints in its dashboard, so the SDK has no such calls): create
 * (the only answer, with rotate_secret's, that shows the whsec_ secret), list,
 * get, update, delete, disable/enable, rotate_secret, attempts and replay.
 * Rules live in core/webhooks.c. */
#include "api/backend/backend.h"

#include <stdlib.h>
#include <string.h>

#include "api/params.h"
#include "core/app.h"
#include "core/webhooks.h"
#include "crypto/crypto.h"

static const char *
instance_of(const struct gh_req *req)
{
    return req->instance_id[0] != '\0' ? req->instance_id : req->app->instance->id;
}

static const char *
path_id(const struct gh_req *req)
{
    return req->nparams > 0 ? req->params[0] : "";
}

/* {object:"webhook_endpoint", id, url, events, description, enabled, …};
 * secret only when given (create, rotate). */
static json_t *
render_endpoint(const struct gh_webhook_endpoint *ep, const char *secret)
{
    json_t *events = json_array(), *o;
    char  **names = NULL;
    size_t  n = 0;

    if (events == NULL || gh_webhooks_filter_split(ep->event_filter, &names, &n) == -1) {
        json_decref(events);
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        json_array_append_new(events, json_string(names[i]));
    free(names);
    o = json_pack("{s:s,s:s,s:s,s:o,s:s,s:b,s:o,s:o,s:I,s:I}", "object", "webhook_endpoint",
        "id", ep->id, "url", ep->url, "events", events, "description",
        ep->description != NULL ? ep->description : "", "enabled", ep->enabled,
        "disabled_reason", gh_api_str(ep->disabled_reason), "secret_rotated_until",
        ep->prev_expires_at != GH_TIME_NULL && ep->prev_sealed != NULL
            ? gh_api_time(ep->prev_expires_at) : json_null(),
        "created_at", (json_int_t)ep->created_at, "updated_at", (json_int_t)ep->updated_at);
    if (o != NULL && secret != NULL)
        json_object_set_new(o, "secret", json_string(secret));
    return o;
}

static int
reply_endpoint(struct gh_resp *resp, const struct gh_webhook_endpoint *ep, const char *secret,
    struct gh_err *err)
{
    json_t *o = render_endpoint(ep, secret);

    if (o == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_resp_json(resp, 200, o);
    return 0;
}

/* url, description, events from the body into p (borrowed from body). */
static int
read_params(struct gh_req *req, struct gh_webhook_params *p, const char **events,
    struct gh_err *err)
{
    json_t *body;

    memset(p, 0, sizeof(*p));
    if (gh_req_json(req, &body, err) == -1 || gh_api_body_str(body, "url", &p->url, err) == -1 ||
        gh_api_body_str(body, "description", &p->description, err) == -1 ||
        gh_api_body_strs(body, "events", events, GH_WEBHOOK_EVENTS_MAX, &p->nevents, err) == -1)
        return -1;
    if (p->nevents > GH_WEBHOOK_EVENTS_MAX)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "events", "lists too many events");
    p->events = events;
    p->events_given = json_object_get(body, "events") != NULL;
    return 0;
}

int
gh_api_webhooks_create(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_webhook_params   p;
    struct gh_webhook_endpoint ep;
    const char                *events[GH_WEBHOOK_EVENTS_MAX];
    char                       secret[GH_WEBHOOK_SECRET_SIZE];
    int                        rc = -1;

    if (read_params(req, &p, events, err) == -1)
        return -1;
    if (p.url == NULL || *p.url == '\0')
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "url", NULL);
    if (gh_webhooks_create(req->app, instance_of(req), &p, &ep, secret, err) == 0)
        rc = reply_endpoint(resp, &ep, secret, err);
    gh_memzero(secret, sizeof(secret));
    gh_webhook_endpoint_clear(&ep);
    return rc;
}

int
gh_api_webhooks_list(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_webhook_endpoint *v = NULL;
    size_t                      n = 0;
    int64_t                     limit, offset, total = 0;
    json_t                     *arr = NULL;
    int                         rc = -1;

    if (gh_api_paging(req, &limit, &offset, err) == -1 ||
        gh_webhooks_list(req->app, instance_of(req), limit, offset, &v, &n, &total, err) == -1)
        return -1;
    if ((arr = json_array()) == NULL)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        if (json_array_append_new(arr, render_endpoint(&v[i], NULL)) == -1)
            goto nomem;
    gh_resp_json(resp, 200, gh_api_list(arr, total));
    arr = NULL;
    rc = 0;
    goto done;
nomem:
    GH_FAIL(err, GH_E_NOMEM, NULL);
done:
    json_decref(arr);
    gh_webhook_endpoints_free(v, n);
    return rc;
}

int
gh_api_webhooks_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_webhook_endpoint ep;
    int                        rc = -1;

    if (gh_webhooks_get(req->app, instance_of(req), path_id(req), &ep, err) == 0)
        rc = reply_endpoint(resp, &ep, NULL, err);
    gh_webhook_endpoint_clear(&ep);
    return rc;
}

int
gh_api_webhooks_update(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_webhook_params   p;
    struct gh_webhook_endpoint ep;
    const char                *events[GH_WEBHOOK_EVENTS_MAX];
    int                        rc = -1;

    if (read_params(req, &p, events, err) == -1)
        return -1;
    if (gh_webhooks_update(req->app, instance_of(req), path_id(req), &p, &ep, err) == 0)
        rc = reply_endpoint(resp, &ep, NULL, err);
    gh_webhook_endpoint_clear(&ep);
    return rc;
}

int
gh_api_webhooks_delete(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    if (gh_webhooks_delete(req->app, instance_of(req), path_id(req), err) == -1)
        return -1;
    gh_resp_json(resp, 200, gh_api_deleted("webhook_endpoint", path_id(req)));
    return 0;
}

static int
set_enabled(struct gh_req *req, struct gh_resp *resp, int enabled, struct gh_err *err)
{
    struct gh_webhook_endpoint ep;
    int                        rc = -1;

    if (gh_webhooks_set_enabled(req->app, instance_of(req), path_id(req), enabled, &ep,
            err) == 0)
        rc = reply_endpoint(resp, &ep, NULL, err);
    gh_webhook_endpoint_clear(&ep);
    return rc;
}

int
gh_api_webhooks_disable(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return set_enabled(req, resp, 0, err);
}

int
gh_api_webhooks_enable(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    return set_enabled(req, resp, 1, err);
}

int
gh_api_webhooks_rotate(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_webhook_endpoint ep;
    json_t                    *body;
    char                       secret[GH_WEBHOOK_SECRET_SIZE];
    int64_t                    overlap_s = GH_WEBHOOK_OVERLAP_MS / 1000;
    int                        given = 0, rc = -1;

    if (gh_req_json(req, &body, err) == -1 ||
        gh_api_body_int(body, "overlap_seconds", &given, &overlap_s, err) == -1)
        return -1;
    if (!given)
        overlap_s = GH_WEBHOOK_OVERLAP_MS / 1000;
    if (overlap_s < 0 || overlap_s > GH_WEBHOOK_OVERLAP_MAX_MS / 1000)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "overlap_seconds", "is out of range");
    if (gh_webhooks_rotate(req->app, instance_of(req), path_id(req), overlap_s * 1000, &ep,
            secret, err) == 0)
        rc = reply_endpoint(resp, &ep, secret, err);
    gh_memzero(secret, sizeof(secret));
    gh_webhook_endpoint_clear(&ep);
    return rc;
}

static json_t *
render_attempt(const struct gh_webhook_attempt *a)
{
    return json_pack("{s:s,s:I,s:s,s:s,s:s,s:i,s:o,s:o,s:I,s:I}", "object", "webhook_attempt",
        "id", (json_int_t)a->seq, "message_id", a->message_id, "endpoint_id", a->endpoint_id,
        "event_type", a->event_type, "attempt", a->attempt_no, "response_status_code",
        a->http_status > 0 ? json_integer(a->http_status) : json_null(), "error",
        gh_api_str(a->error), "duration_ms", (json_int_t)a->duration_ms, "created_at",
        (json_int_t)a->created_at);
}

int
gh_api_webhooks_attempts(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_webhook_attempt *v = NULL;
    size_t                     n = 0;
    int64_t                    limit, offset, total = 0;
    json_t                    *arr = NULL;
    int                        rc = -1;

    if (gh_api_paging(req, &limit, &offset, err) == -1 ||
        gh_webhooks_attempts(req->app, instance_of(req), path_id(req), limit, offset, &v, &n,
            &total, err) == -1)
        return -1;
    if ((arr = json_array()) == NULL)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        if (json_array_append_new(arr, render_attempt(&v[i])) == -1)
            goto nomem;
    gh_resp_json(resp, 200, gh_api_list(arr, total));
    arr = NULL;
    rc = 0;
    goto done;
nomem:
    GH_FAIL(err, GH_E_NOMEM, NULL);
done:
    json_decref(arr);
    gh_webhook_attempts_free(v, n);
    return rc;
}

int
gh_api_webhooks_replay(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    json_t     *body;
    const char *msg_id;
    int64_t     since = 0, count = 0;
    int         given = 0;

    if (gh_req_json(req, &body, err) == -1 ||
        gh_api_body_str(body, "message_id", &msg_id, err) == -1 ||
        gh_api_body_int(body, "since", &given, &since, err) == -1)
        return -1;
    if (msg_id == NULL && !given)
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "message_id", NULL);
    if (gh_webhooks_replay(req->app, instance_of(req), path_id(req), msg_id, since, &count,
            err) == -1)
        return -1;
    gh_resp_json(resp, 200, json_pack("{s:s,s:I}", "object", "webhook_replay", "queued",
                                (json_int_t)count));
    return 0;
}
