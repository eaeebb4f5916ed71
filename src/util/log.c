/* log.c: JSON-lines logger. One write(2) per line so lines from worker threads
 * never interleave. Messages are JSON-escaped here; callers pass plain text. */
#include "util/log.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "util/buf.h"

static enum gh_log_level       log_level = GH_LOG_INFO;
static _Thread_local char      log_rid[48];
static const char *const       level_names[] = { "debug", "info", "warn", "error" };

void
gh_log_set_level(enum gh_log_level lvl)
{
    log_level = lvl;
}

enum gh_log_level
gh_log_get_level(void)
{
    return log_level;
}

void
gh_log_set_request_id(const char *rid)
{
    snprintf(log_rid, sizeof(log_rid), "%s", rid != NULL ? rid : "");
}

const char *
gh_log_request_id(void)
{
    return log_rid;
}

static void
log_head(struct gh_buf *b, enum gh_log_level lvl)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    gh_buf_addf(b, "{\"ts\":%lld.%03d,\"level\":\"%s\"", (long long)tv.tv_sec,
        (int)(tv.tv_usec / 1000), level_names[lvl]);
    if (log_rid[0] != '\0') {
        gh_buf_add(b, ",\"request_id\":");
        gh_buf_add_json_str(b, log_rid);
    }
}

static void
log_emit(struct gh_buf *b)
{
    ssize_t w;

    if (gh_buf_failed(b))
        return;
    gh_buf_add(b, "}\n");
    w = write(STDERR_FILENO, gh_buf_str(b), gh_buf_len(b));
    (void)w;
}

void
gh_log_write(enum gh_log_level lvl, const char *func, const char *fmt, ...)
{
    char          msg[1024];
    struct gh_buf b;
    va_list       ap;

    if (lvl < log_level)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    gh_buf_init(&b, 4096);
    log_head(&b, lvl);
    gh_buf_add(&b, ",\"func\":");
    gh_buf_add_json_str(&b, func);
    gh_buf_add(&b, ",\"msg\":");
    gh_buf_add_json_str(&b, msg);
    log_emit(&b);
    gh_buf_clear(&b);
}

void
gh_log_raw(enum gh_log_level lvl, const char *json_fields)
{
    struct gh_buf b;

    if (lvl < log_level)
        return;
    gh_buf_init(&b, 4096);
    log_head(&b, lvl);
    gh_buf_add(&b, ",");
    gh_buf_add(&b, json_fields);
    log_emit(&b);
    gh_buf_clear(&b);
}
