/* limits.h: every named limit the HTTP layer enforces on input before a
 * handler runs. Limits an operator may tune (header bytes, body caps,
 * timeouts, connection counts) live in struct gh_conf instead; these are the
 * fixed ones. Exceeding one answers an error, never a truncated value. */
#ifndef GH_HTTP_LIMITS_H
#define GH_HTTP_LIMITS_H

#define GH_HTTP_MAX_HEADERS      100   /* request header lines; more → 431 */
#define GH_HTTP_MAX_URI          8192  /* request-target bytes; longer → 414 */
#define GH_HTTP_MAX_JSON_DEPTH   64    /* nesting of arrays/objects in a body; deeper → 400 */
#define GH_HTTP_MAX_QUERY_PARAMS 256   /* key=value pairs in the query string; more → 400 */
#define GH_HTTP_MAX_SEGMENTS     16    /* path segments the router looks at; more → 404 */
#define GH_HTTP_MAX_RESP_HEADERS 16    /* headers a handler may add to one response */
#define GH_HTTP_DRAIN_MS         10000 /* how long shutdown waits for in-flight requests */
#define GH_HTTP_MAX_TRUSTED      64    /* --trusted-proxies entries (issue 6) */
/* MHD's per-connection pool is max_header_bytes × this: it also holds MHD's
 * own header records and read buffer, so our exact byte count (431, JSON)
 * normally trips first and MHD's own 431 is only the backstop. */
#define GH_HTTP_POOL_FACTOR      2
/* An oversized body up to this many times the listener's cap is read and
 * thrown away before the 413 goes out: closing on a client that is still
 * uploading makes its kernel see a reset, and it gets EPIPE instead of our
 * answer. Past this bound (or with Expect: 100-continue) we answer at once. */
#define GH_HTTP_DRAIN_FACTOR 4

#endif
