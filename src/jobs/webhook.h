/* webhook.h: the self-contained pieces of webhook delivery: whsec_ secrets,
 * Svix / Standard-Webhooks signatures, one HTTP POST attempt (libcurl, with the
 * SSRF address policy of ssrf.h enforced at connect time) and the Svix retry
 * schedule. It knows nothing of the outbox, the store or the Backend API: the
 * worker (outbox.c) wires these together. No curl type leaks out of here. */
#ifndef GH_JOBS_WEBHOOK_H
#define GH_JOBS_WEBHOOK_H

#include <stddef.h>
#include <stdint.h>

#include "jobs/ssrf.h"
#include "util/err.h"

/* ---- secrets (sign.c) ---- */
#define GH_WEBHOOK_SECRET_PREFIX "whsec_"
#define GH_WEBHOOK_SECRET_BYTES  32 /* Standard Webhooks: 24..64; the catalogue's bar is 32 */
/* "whsec_" + base64 of 32 bytes (44 chars with padding) + NUL */
#define GH_WEBHOOK_SECRET_SIZE   (6 + 44 + 1)

/* Writes a new secret "whsec_<standard base64 of 32 CSPRNG bytes>" into out.
 * -1 (GH_E_NOMEM) only when the encoder cannot allocate; out is "" then.
 * The value is a secret: never log it. */
int gh_webhook_secret_new(char out[GH_WEBHOOK_SECRET_SIZE], struct gh_err *err);

/* Decodes a whsec_ secret into its HMAC key. Refuses (GH_E_PARAM_INVALID) a
 * missing prefix, an empty remainder and anything that is not canonical
 * standard base64 with padding (what svix's decoder accepts). On success *key
 * is malloc'd (*keylen bytes); the caller wipes it with gh_memzero() and
 * frees it. On failure *key is NULL. */
int gh_webhook_secret_decode(const char *secret, unsigned char **key, size_t *keylen,
    struct gh_err *err);

/* ---- signatures (sign.c) ---- */
/* Longest svix-id we put on the wire ("msg_" + a Clerk-style id fits easily). */
#define GH_WEBHOOK_MSG_ID_MAX 128

/* The svix-signature header value for one attempt: one "v1,<base64 HMAC-SHA256>"
 * entry per secret, space-separated (two secrets = rotation overlap), each over
 * the bytes "{msg_id}.{ts_seconds}.{body[0..len)}" exactly. msg_id must be
 * 1..GH_WEBHOOK_MSG_ID_MAX characters of [A-Za-z0-9_-] (it is a header value);
 * ts_seconds >= 0; nsecrets >= 1. *sig_header is malloc'd on success, NULL on
 * failure (GH_E_INTERNAL for bad arguments or a bad secret, GH_E_NOMEM). */
int gh_webhook_sign(const char *const *secrets, size_t nsecrets, const char *msg_id,
    int64_t ts_seconds, const char *body, size_t len, char **sig_header, struct gh_err *err);

/* ---- one delivery attempt (deliver.c) ---- */
#define GH_WEBHOOK_USER_AGENT         "Gatehouse-Webhooks/0.1"
#define GH_WEBHOOK_TIMEOUT_MS         15000L /* Svix: 2xx within 15 s */
#define GH_WEBHOOK_CONNECT_TIMEOUT_MS 5000L
#define GH_WEBHOOK_RESP_CAP           4096   /* response bytes kept for the attempt log */
#define GH_WEBHOOK_RESP_DRAIN_MAX     (1024 * 1024) /* bytes read (and dropped) before we hang up */

struct gh_delivery_req {
    const char                  *url;        /* checked with gh_ssrf_check_url at creation */
    const char                  *msg_id;     /* svix-id; the same on every retry */
    int64_t                      timestamp;  /* svix-timestamp, unix s; 0 → now (per attempt) */
    const char *const           *secrets;    /* whsec_ values; borrowed; never logged */
    size_t                       nsecrets;   /* >= 1; 2 during a rotation overlap */
    const char                  *body;       /* exact JSON bytes sent and signed */
    size_t                       body_len;
    const struct gh_ssrf_policy *policy;     /* NULL → the default (deny everything listed) */
    long                         timeout_ms; /* whole attempt; 0 → GH_WEBHOOK_TIMEOUT_MS */
    long                         connect_timeout_ms; /* 0 → GH_WEBHOOK_CONNECT_TIMEOUT_MS */
};

struct gh_delivery_result {
    long    status;       /* HTTP status of the response; 0 when there was none */
    int     success;      /* 1 for 2xx only (3xx is a failure: redirects are not followed) */
    int     gone;         /* 1 for 410: the caller disables the endpoint */
    int     refused;      /* 1 when the SSRF policy refused every address: nothing connected */
    int     timed_out;    /* 1 when the connect or total timeout fired */
    int64_t timestamp;    /* svix-timestamp actually sent, unix s */
    int64_t retry_after_s; /* Retry-After in seconds (429/503), -1 when absent */
    int64_t duration_ms;  /* wall time of the attempt */
    size_t  resp_len;     /* bytes kept in resp (<= GH_WEBHOOK_RESP_CAP) */
    size_t  resp_total;   /* response body bytes read in total */
    char    resp[GH_WEBHOOK_RESP_CAP + 1]; /* first bytes of the body, NUL-terminated */
    char    error[256];   /* for logs: what went wrong; never contains a secret */
};

/* curl_global_init, once per process (pthread_once); safe from any thread.
 * gh_webhook_deliver calls it itself; main may call it early to fail fast. */
int gh_webhook_global_init(struct gh_err *err);

/* Makes one POST of req->body to req->url with Content-Type: application/json,
 * svix-id, svix-timestamp, svix-signature (signed here, for this attempt's
 * timestamp) and User-Agent: GH_WEBHOOK_USER_AGENT. Redirects are not
 * followed, only http/https are spoken, proxies from the environment are
 * ignored, and every address curl is about to connect to passes
 * gh_ssrf_addr_allowed() first (so a name that resolves, or re-resolves, to a
 * denied address is refused without a connection: DNS rebinding).
 * *res is always filled. Returns 0 when the receiver answered 2xx; otherwise
 * -1 with res->error and err set: GH_E_UNAVAILABLE for a remote failure
 * (non-2xx, refused, timeout, network), GH_E_INTERNAL/GH_E_NOMEM for a local
 * one (bad request, curl setup). Thread-safe: one easy handle per call. */
int gh_webhook_deliver(const struct gh_delivery_req *req, struct gh_delivery_result *res,
    struct gh_err *err);

/* ---- schedule (retry.c) ---- */
#define GH_WEBHOOK_MAX_ATTEMPTS 8
#define GH_WEBHOOK_DISABLE_AFTER_MS (5LL * 24 * 3600 * 1000) /* Svix: failing for 5 days */

/* When the next attempt is due, in ms on now_ms's clock, given attempt_no
 * attempts already made (0 → now: the first attempt is immediate; 1 → +5 s;
 * then 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). -1 when all
 * GH_WEBHOOK_MAX_ATTEMPTS are used up. Every delay is multiplied by time_scale
 * (1.0 = real time; tests use 0.001 so 5 s becomes 5 ms); a scale that is not
 * a positive finite number counts as 1.0. A negative attempt_no counts as 0. */
int64_t gh_webhook_next_attempt_ms(int attempt_no, int64_t now_ms, double time_scale);

/* 1 when an endpoint whose current failure streak began at first_failure_ms
 * (0 or negative: it is not failing) has been failing for 5 days (scaled as
 * above) at now_ms, so the caller disables it; else 0. */
int gh_webhook_endpoint_should_disable(int64_t first_failure_ms, int64_t now_ms,
    double time_scale);

#endif
