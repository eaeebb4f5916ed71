/* metrics.c: per-listener request counters and latency histograms, and the
 * /metrics handler that renders them with the process-wide gh_metric_*
 * counters in Prometheus text format. Counting is lock-free (relaxed
 * atomics, a small per-route table of status slots claimed by CAS), so the
 * hot path never takes a lock; only registration at startup does. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http/server.h"
#include "util/buf.h"
#include "util/metrics.h"

#define STATUS_SLOTS 12 /* distinct statuses counted per route; more go to "other" */
#define NBUCKETS     12

static const double bucket_le[NBUCKETS - 1] = {
    .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5,
};

struct route_counts {
    _Atomic int      status[STATUS_SLOTS]; /* 0 = free slot */
    _Atomic uint64_t count[STATUS_SLOTS];
    _Atomic uint64_t other;                /* statuses that found no slot */
    _Atomic uint64_t aborted;              /* ended before any reply was queued */
};

struct gh_http_metrics {
    const char            *listener;
    const struct gh_route *routes;
    size_t                 nroutes;
    struct route_counts   *per_route;      /* nroutes + 1 (last = unmatched) */
    _Atomic uint64_t       bucket[NBUCKETS]; /* non-cumulative; last = +Inf */
    _Atomic uint64_t       sum_ns;
    _Atomic uint64_t       n;
};

static pthread_mutex_t         reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gh_http_metrics *registry[GH_SERVER_MAX_LISTENERS];
static _Atomic size_t          nregistry;

struct gh_http_metrics *
gh_http_metrics_register(const char *listener, const struct gh_route *routes, size_t nroutes)
{
    struct gh_http_metrics *m = NULL;

    pthread_mutex_lock(&reg_lock);
    if (atomic_load(&nregistry) == GH_SERVER_MAX_LISTENERS)
        goto done;
    m = calloc(1, sizeof(*m));
    if (m == NULL)
        goto done;
    m->per_route = calloc(nroutes + 1, sizeof(*m->per_route));
    if (m->per_route == NULL) {
        free(m);
        m = NULL;
        goto done;
    }
    m->listener = listener;
    m->routes = routes;
    m->nroutes = nroutes;
    registry[atomic_load(&nregistry)] = m;
    atomic_fetch_add(&nregistry, 1); /* publish after the slot is filled */
done:
    pthread_mutex_unlock(&reg_lock);
    return m;
}

void
gh_http_metrics_unregister(struct gh_http_metrics *m)
{
    size_t n;

    if (m == NULL)
        return;
    pthread_mutex_lock(&reg_lock);
    n = atomic_load(&nregistry);
    for (size_t i = 0; i < n; i++) {
        if (registry[i] != m)
            continue;
        registry[i] = registry[n - 1];
        registry[n - 1] = NULL;
        atomic_store(&nregistry, n - 1);
        break;
    }
    pthread_mutex_unlock(&reg_lock);
    free(m->per_route);
    free(m);
}

static void
count_status(struct route_counts *rc, int status)
{
    for (int i = 0; i < STATUS_SLOTS; i++) {
        int cur = atomic_load_explicit(&rc->status[i], memory_order_acquire);

        if (cur == 0) {
            int expect = 0;

            if (!atomic_compare_exchange_strong(&rc->status[i], &expect, status))
                cur = expect; /* another thread claimed it first */
            else
                cur = status;
        }
        if (cur == status) {
            atomic_fetch_add_explicit(&rc->count[i], 1, memory_order_relaxed);
            return;
        }
    }
    atomic_fetch_add_explicit(&rc->other, 1, memory_order_relaxed);
}

void
gh_http_metrics_observe(struct gh_http_metrics *m, size_t route_index, int status,
    uint64_t duration_ns)
{
    double secs = (double)duration_ns / 1e9;
    int    b = 0;

    if (m == NULL)
        return;
    if (route_index > m->nroutes)
        route_index = m->nroutes;
    if (status > 0)
        count_status(&m->per_route[route_index], status);
    else
        atomic_fetch_add_explicit(&m->per_route[route_index].aborted, 1, memory_order_relaxed);
    while (b < NBUCKETS - 1 && secs > bucket_le[b])
        b++;
    atomic_fetch_add_explicit(&m->bucket[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_ns, duration_ns, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->n, 1, memory_order_relaxed);
}

static void
render_route(struct gh_buf *b, const struct gh_http_metrics *m, size_t i)
{
    const struct route_counts *rc = &m->per_route[i];
    const char *route = i < m->nroutes ? m->routes[i].pattern : "unmatched";

    for (int s = 0; s < STATUS_SLOTS; s++) {
        int st = atomic_load(&rc->status[s]);

        if (st == 0)
            continue;
        gh_buf_addf(b, "gatehouse_http_requests_total{listener=\"%s\",route=\"%s\",status=\"%d\"} %llu\n",
            m->listener, route, st, (unsigned long long)atomic_load(&rc->count[s]));
    }
    if (atomic_load(&rc->other) > 0)
        gh_buf_addf(b, "gatehouse_http_requests_total{listener=\"%s\",route=\"%s\",status=\"other\"} %llu\n",
            m->listener, route, (unsigned long long)atomic_load(&rc->other));
    if (atomic_load(&rc->aborted) > 0)
        gh_buf_addf(b, "gatehouse_http_requests_total{listener=\"%s\",route=\"%s\",status=\"aborted\"} %llu\n",
            m->listener, route, (unsigned long long)atomic_load(&rc->aborted));
}

static void
render_histogram(struct gh_buf *b, const struct gh_http_metrics *m)
{
    const char *h = "gatehouse_http_request_duration_seconds";
    uint64_t    cum = 0;

    for (int i = 0; i < NBUCKETS; i++) {
        cum += atomic_load(&m->bucket[i]);
        if (i < NBUCKETS - 1)
            gh_buf_addf(b, "%s_bucket{listener=\"%s\",le=\"%g\"} %llu\n", h, m->listener,
                bucket_le[i], (unsigned long long)cum);
        else
            gh_buf_addf(b, "%s_bucket{listener=\"%s\",le=\"+Inf\"} %llu\n", h, m->listener,
                (unsigned long long)cum);
    }
    gh_buf_addf(b, "%s_sum{listener=\"%s\"} %.6f\n", h, m->listener,
        (double)atomic_load(&m->sum_ns) / 1e9);
    gh_buf_addf(b, "%s_count{listener=\"%s\"} %llu\n", h, m->listener,
        (unsigned long long)atomic_load(&m->n));
}

static void
render_process(struct gh_buf *b)
{
    FILE         *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    long          page = sysconf(_SC_PAGESIZE);

    if (f != NULL) {
        if (fscanf(f, "%lu %lu", &size, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    gh_buf_add(b, "# TYPE process_resident_memory_bytes gauge\n");
    gh_buf_addf(b, "process_resident_memory_bytes %llu\n",
        (unsigned long long)resident * (unsigned long long)(page > 0 ? page : 4096));
}

static void
render_app_counters(struct gh_buf *b)
{
    char last[96] = "";

    for (int i = 0; i < GH_METRIC__COUNT; i++) {
        const char *name = gh_metric_name((enum gh_metric)i);
        size_t      base = strcspn(name, "{");

        /* One TYPE line per metric family (labels share a family). */
        if (base >= sizeof(last) || strncmp(last, name, base) != 0 || last[base] != '\0') {
            snprintf(last, sizeof(last), "%.*s", (int)base, name);
            gh_buf_addf(b, "# TYPE %s counter\n", last);
        }
        gh_buf_addf(b, "%s %llu\n", name, (unsigned long long)gh_metric_get((enum gh_metric)i));
    }
}

int
gh_http_metrics_get(struct gh_req *req, struct gh_resp *resp, struct gh_err *err)
{
    struct gh_buf b;
    size_t        n = atomic_load(&nregistry);

    gh_buf_init(&b, 1 << 20);
    gh_buf_add(&b, "# TYPE gatehouse_http_requests_total counter\n");
    for (size_t l = 0; l < n; l++)
        for (size_t i = 0; i <= registry[l]->nroutes; i++)
            render_route(&b, registry[l], i);
    gh_buf_add(&b, "# TYPE gatehouse_http_request_duration_seconds histogram\n");
    for (size_t l = 0; l < n; l++)
        render_histogram(&b, registry[l]);
    render_app_counters(&b);
    render_process(&b);
    if (gh_buf_failed(&b)) {
        gh_buf_clear(&b);
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    gh_resp_body(resp, 200, "text/plain; version=0.0.4", gh_buf_str(&b), gh_buf_len(&b));
    gh_buf_clear(&b);
    return 0;
}
