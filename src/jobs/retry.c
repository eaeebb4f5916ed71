/* retry.c: the webhook retry schedule, copied from Svix (docs.svix.com/retries)
 * so receivers see the timing they expect from Clerk: immediately, then 5 s,
 * 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; an endpoint failing for 5 days is
 * disabled. Pure arithmetic on caller-supplied clocks: no jitter, no I/O, so
 * tests can compress time with a scale factor. */
#include <math.h>

#include "jobs/webhook.h"

/* Delay before attempt i+1 (index = attempts already made), seconds. */
static const int64_t delays_s[GH_WEBHOOK_MAX_ATTEMPTS] = {
    0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600,
};

static double
sane_scale(double s)
{
    return (isfinite(s) && s > 0.0) ? s : 1.0;
}

/* ms * scale, rounded, never negative, never past INT64_MAX / 4 (callers add it). */
static int64_t
scaled_ms(int64_t ms, double scale)
{
    double v = round((double)ms * sane_scale(scale));

    if (v < 0)
        return 0;
    if (v > (double)(INT64_MAX / 4))
        return INT64_MAX / 4;
    return (int64_t)v;
}

int64_t
gh_webhook_next_attempt_ms(int attempt_no, int64_t now_ms, double time_scale)
{
    if (attempt_no < 0)
        attempt_no = 0;
    if (attempt_no >= GH_WEBHOOK_MAX_ATTEMPTS)
        return -1;
    return now_ms + scaled_ms(delays_s[attempt_no] * 1000, time_scale);
}

int
gh_webhook_endpoint_should_disable(int64_t first_failure_ms, int64_t now_ms, double time_scale)
{
    if (first_failure_ms <= 0)
        return 0;
    return now_ms - first_failure_ms >= scaled_ms(GH_WEBHOOK_DISABLE_AFTER_MS, time_scale);
}
