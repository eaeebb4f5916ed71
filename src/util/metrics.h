/* metrics.h: process-wide counters for /metrics (Prometheus text format,
 * rendered by src/http/metrics.c). Lock-free atomics; any layer may count. */
#ifndef GH_UTIL_METRICS_H
#define GH_UTIL_METRICS_H

#include <stdint.h>

enum gh_metric {
    GH_METRIC_TOKEN_MINT_SIGNED = 0, /* session tokens signed afresh */
    GH_METRIC_TOKEN_MINT_REUSED,     /* session tokens handed out again from the cache */
    GH_METRIC_PASSWORD_HASHES,       /* argon2id hashes computed */
    GH_METRIC_PASSWORD_VERIFIES,     /* password verifications */
    GH_METRIC__COUNT
};

void     gh_metric_inc(enum gh_metric m);
uint64_t gh_metric_get(enum gh_metric m);
const char *gh_metric_name(enum gh_metric m); /* "gatehouse_token_mints_total{kind=\"signed\"}" */

#endif
