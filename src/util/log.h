/* log.h: structured one-line JSON logs on stderr, with level, function and the
 * current request id (thread-local, set by the HTTP layer). Never pass a
 * secret, token, code, password or Authorization header to these macros: log
 * ids, kids or a short hash instead. */
#ifndef GH_UTIL_LOG_H
#define GH_UTIL_LOG_H

#include <stdarg.h>

enum gh_log_level { GH_LOG_DEBUG = 0, GH_LOG_INFO, GH_LOG_WARN, GH_LOG_ERROR };

void gh_log_set_level(enum gh_log_level lvl);
enum gh_log_level gh_log_get_level(void);
/* The request id stamped on every line this thread logs; NULL clears it. The
 * string is copied. */
void        gh_log_set_request_id(const char *rid);
const char *gh_log_request_id(void);

void gh_log_write(enum gh_log_level lvl, const char *func, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Writes one line whose fields are already JSON: {"ts":..,"level":..,<fields>}.
 * `json_fields` must be a valid comma-separated list of "key":value pairs. */
void gh_log_raw(enum gh_log_level lvl, const char *json_fields);

#define gh_log_debug(...) gh_log_write(GH_LOG_DEBUG, __func__, __VA_ARGS__)
#define gh_log_info(...)  gh_log_write(GH_LOG_INFO, __func__, __VA_ARGS__)
#define gh_log_warn(...)  gh_log_write(GH_LOG_WARN, __func__, __VA_ARGS__)
#define gh_log_error(...) gh_log_write(GH_LOG_ERROR, __func__, __VA_ARGS__)

#endif
