/* origin.h: which web origins may call the Frontend API with the browser's
 * credentials (CORS with cookies, and the CSRF check on mutations). The
 * instance's own frontend origin always may; a development instance
 * (pk_test_) also allows any http://localhost:*, http://127.0.0.1:* and
 * http://[::1]:* origin, as Clerk's development instances do; anything else
 * must be listed in conf->allowed_origins or in the instance settings'
 * allowed_origins (core/settings.h), exact or "scheme://host:*". */
#ifndef GH_CORE_ORIGIN_H
#define GH_CORE_ORIGIN_H

#include <stddef.h>

struct gh_app;

#define GH_ORIGIN_MAX 256 /* longest origin considered at all */

/* 1 when origin ("scheme://host[:port]", no path) is allowed; 0 otherwise
 * (also for NULL, "null", or anything malformed). */
int gh_origin_allowed(const struct gh_app *app, const char *origin);

/* 1 when the instance is a development instance (pk_test_ key). */
int gh_app_is_development(const struct gh_app *app);

/* 1 when origin matches pattern: equal (case-insensitive scheme and host),
 * or pattern ends in ":*" and origin has the same scheme and host with any
 * port (or none). Exposed for unit tests. */
int gh_origin_match(const char *pattern, size_t plen, const char *origin);
/* 1 when pattern can be stored as an allowed origin: an http(s) origin
 * ("scheme://host[:port]", no path, no userinfo) or one ending in ":*". */
int gh_origin_pattern_valid(const char *pattern);

#endif
