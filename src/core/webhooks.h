/* webhooks.h: webhook endpoints as operators manage them (Backend API and
 * `gatehouse webhooks add`): creating one with a fresh whsec_ secret sealed
 * with the master key, listing, changing, enabling/disabling, rotating the
 * secret with an overlap, replaying messages and reading the attempts log;
 * plus the outbound address policy shared with the worker. Events are
 * written by event.h; delivery is src/jobs/worker.c. */
#ifndef GH_CORE_WEBHOOKS_H
#define GH_CORE_WEBHOOKS_H

#include <stddef.h>
#include <stdint.h>

#include "jobs/ssrf.h"
#include "jobs/webhook.h"
#include "store/records.h"
#include "util/err.h"

struct gh_app;

#define GH_WEBHOOK_EVENTS_MAX     64
#define GH_WEBHOOK_DESC_MAX       1024
#define GH_WEBHOOK_OVERLAP_MS     (24LL * 3600 * 1000) /* rotation overlap by default */
#define GH_WEBHOOK_OVERLAP_MAX_MS (7LL * 24 * 3600 * 1000)
#define GH_WEBHOOK_CIDRS_MAX      16

/* The outbound policy: loopback allowed for a development instance
 * (publishable key pk_test_) or GATEHOUSE_WEBHOOK_ALLOW_LOOPBACK=1; private
 * ranges only through GATEHOUSE_WEBHOOK_ALLOW_CIDRS (comma-separated CIDRs;
 * a bad entry is logged and skipped). policy.allow points into cidrs. */
struct gh_webhooks_policy {
    struct gh_ssrf_policy policy;
    struct gh_ssrf_cidr   cidrs[GH_WEBHOOK_CIDRS_MAX];
};
void gh_webhooks_policy_load(const struct gh_app *app, struct gh_webhooks_policy *out);

/* Endpoint input. events: NULL/0 = every event; each 1..63 of [A-Za-z.]. */
struct gh_webhook_params {
    const char        *url;
    const char        *description; /* NULL = "" (create) or unchanged (update) */
    const char *const *events;
    size_t             nevents;
    int                events_given; /* update: 1 replaces the filter */
};

/* Checks the URL (gh_ssrf_check_url with the policy; GH_E_PARAM_INVALID
 * naming url), generates the secret and stores the endpoint. secret_out gets
 * the whsec_ value: shown once, never stored in the clear, never logged. */
int gh_webhooks_create(struct gh_app *app, const char *instance_id,
    const struct gh_webhook_params *p, struct gh_webhook_endpoint *out,
    char secret_out[GH_WEBHOOK_SECRET_SIZE], struct gh_err *err);
/* Unknown or malformed id → GH_E_NOT_FOUND "Webhook endpoint not found". */
int gh_webhooks_get(struct gh_app *app, const char *instance_id, const char *id,
    struct gh_webhook_endpoint *out, struct gh_err *err);
int gh_webhooks_list(struct gh_app *app, const char *instance_id, int64_t limit, int64_t offset,
    struct gh_webhook_endpoint **out, size_t *n, int64_t *total, struct gh_err *err);
/* url (re-checked) and description when non-NULL, events when events_given. */
int gh_webhooks_update(struct gh_app *app, const char *instance_id, const char *id,
    const struct gh_webhook_params *p, struct gh_webhook_endpoint *out, struct gh_err *err);
int gh_webhooks_delete(struct gh_app *app, const char *instance_id, const char *id,
    struct gh_err *err);
/* enable: clears the failure streak and the reason, and wakes the worker. */
int gh_webhooks_set_enabled(struct gh_app *app, const char *instance_id, const char *id,
    int enabled, struct gh_webhook_endpoint *out, struct gh_err *err);
/* New secret in secret_out; the old one keeps signing for overlap_ms
 * (0..GH_WEBHOOK_OVERLAP_MAX_MS, else GH_E_PARAM_INVALID naming overlap_seconds). */
int gh_webhooks_rotate(struct gh_app *app, const char *instance_id, const char *id,
    int64_t overlap_ms, struct gh_webhook_endpoint *out,
    char secret_out[GH_WEBHOOK_SECRET_SIZE], struct gh_err *err);
int gh_webhooks_attempts(struct gh_app *app, const char *instance_id, const char *id,
    int64_t limit, int64_t offset, struct gh_webhook_attempt **out, size_t *n, int64_t *total,
    struct gh_err *err);
/* message_id non-NULL: that message; else everything since since_ms. */
int gh_webhooks_replay(struct gh_app *app, const char *instance_id, const char *id,
    const char *message_id, int64_t since_ms, int64_t *count, struct gh_err *err);

/* Splits an event_filter (",a,b,") into its names: *out is a malloc'd array
 * of *n pointers into one block (free(*out) releases all). */
int gh_webhooks_filter_split(const char *filter, char ***out, size_t *n);

#endif
