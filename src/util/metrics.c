/* metrics.c: see metrics.h. */
#include "util/metrics.h"

#include <stdatomic.h>

static _Atomic uint64_t counters[GH_METRIC__COUNT];

static const char *const names[GH_METRIC__COUNT] = {
    [GH_METRIC_TOKEN_MINT_SIGNED] = "gatehouse_token_mints_total{kind=\"signed\"}",
    [GH_METRIC_TOKEN_MINT_REUSED] = "gatehouse_token_mints_total{kind=\"reused\"}",
    [GH_METRIC_PASSWORD_HASHES] = "gatehouse_password_hashes_total",
    [GH_METRIC_PASSWORD_VERIFIES] = "gatehouse_password_verifies_total",
};

void
gh_metric_inc(enum gh_metric m)
{
    atomic_fetch_add_explicit(&counters[m], 1, memory_order_relaxed);
}

uint64_t
gh_metric_get(enum gh_metric m)
{
    return atomic_load_explicit(&counters[m], memory_order_relaxed);
}

const char *
gh_metric_name(enum gh_metric m)
{
    return names[m];
}
