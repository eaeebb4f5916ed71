/* client_ip.h (issue 6): which address a request counts as coming from
 * (rate-limit key, access log). See client_ip.c. */
#ifndef GH_HTTP_CLIENT_IP_H
#define GH_HTTP_CLIENT_IP_H

#include <stddef.h>
#include <sys/socket.h>

#include "jobs/ssrf.h"

#define GH_HTTP_IP_MAX 64       /* text form, NUL included */
#define GH_HTTP_XFF_MAX_HOPS 32 /* X-Forwarded-For elements looked at, from the right */

/* Writes the client address as text to out[outsz]: the socket peer (an
 * IPv4-mapped IPv6 peer as IPv4), or, when the peer is in trusted[0..nt),
 * the right-most X-Forwarded-For element (xff: every header line joined
 * with ",", or NULL) that is not in trusted. Walking left stops at a
 * malformed element (the last readable hop is used) and after
 * GH_HTTP_XFF_MAX_HOPS; when every hop is trusted the left-most one is used.
 * "?" when the peer is not an IP socket. Never fails. */
void gh_http_client_ip(const struct sockaddr *peer, const char *xff,
                       const struct gh_ssrf_cidr *trusted, size_t nt, char *out, size_t outsz);

#endif
