/* ssrf.h: the outbound address policy for webhook deliveries (and any other
 * server-initiated HTTP). Two checks: gh_ssrf_check_url() when an operator
 * registers a URL (syntax, scheme, IP-literal hosts), and
 * gh_ssrf_addr_allowed() on every address right before a connect (names are
 * only judged by what they resolve to, at delivery time). It does no DNS and
 * opens no socket. */
#ifndef GH_JOBS_SSRF_H
#define GH_JOBS_SSRF_H

#include <stddef.h>
#include <sys/socket.h>

#include "util/err.h"

#define GH_SSRF_URL_MAX 2048

/* An address block: family AF_INET (addr[0..4)) or AF_INET6 (addr[0..16)),
 * network byte order, prefix bits. */
struct gh_ssrf_cidr {
    int           family;
    unsigned char addr[16];
    unsigned      prefix;   /* 0..32 or 0..128 */
};

struct gh_ssrf_policy {
    int                        allow_loopback; /* 127/8, ::1, "localhost": development instances */
    int                        https_only;     /* refuse http:// (production hardening) */
    const struct gh_ssrf_cidr *allow;          /* operator allowlist; borrowed; wins over the */
    size_t                     nallow;         /* denied ranges (e.g. a receiver on 10.0.0.5/32) */
};

/* Parses "10.0.0.0/8", "fd00::/8" or a bare address (a /32 or /128) into *out.
 * Host bits beyond the prefix are refused (a typo, not a network). -1 with
 * GH_E_PARAM_INVALID on anything else. For the config loader. */
int gh_ssrf_cidr_parse(const char *s, struct gh_ssrf_cidr *out, struct gh_err *err);

/* 1 when addr (4 bytes for AF_INET, 16 for AF_INET6, network order) is in
 * one of the n blocks of its family. Issue 6: the trusted-proxy list. */
int gh_ssrf_cidr_contains(const struct gh_ssrf_cidr *c, size_t n, int family,
    const unsigned char *addr);

/* Creation-time check of a webhook URL: at most GH_SSRF_URL_MAX bytes, parsed
 * exactly as libcurl will parse it for the delivery; scheme http or https
 * (https only with policy->https_only); a host; no user info; no IPv6 zone;
 * port 1..65535 when given. A host that is an IP literal (in any form the
 * resolver would accept: "2130706433", "0177.0.0.1", "0x7f.1", "[::ffff:7f00:1]")
 * must pass gh_ssrf_addr_allowed(); a host whose last label is numeric but is
 * not an address is refused; "localhost" and "*.localhost" count as loopback.
 * Other names pass here and are judged at delivery. policy NULL → the default
 * policy (everything denied). -1 with GH_E_PARAM_INVALID (param "url"; the
 * desc says what is wrong and is safe to show the operator). */
int gh_ssrf_check_url(const char *url, const struct gh_ssrf_policy *policy, struct gh_err *err);

/* 1 when a connection to sa (AF_INET or AF_INET6; any other family is
 * denied) is allowed, else 0. Denied unless in policy->allow: 0.0.0.0/8,
 * 10/8, 100.64/10, 127/8 (allowed with allow_loopback), 169.254/16 (cloud
 * metadata), 172.16/12, 192.0.0/24, 192.0.2/24, 192.88.99/24, 192.168/16,
 * 198.18/15, 198.51.100/24, 203.0.113/24, 224/4 multicast, 240/4 and
 * 255.255.255.255; "::", ::1 (allowed with allow_loopback), ::/96
 * IPv4-compatible, 100::/64, 2001::/23, 2001:db8::/32, 3fff::/20, fc00::/7,
 * fe80::/10, fec0::/10, ff00::/8, 64:ff9b:1::/48 and anything else outside
 * 2000::/3 (global unicast). IPv4-mapped ::ffff:a.b.c.d,
 * NAT64 64:ff9b::/96 and 6to4 2002::/16 are judged by the IPv4 address they
 * carry. policy NULL → the default policy. */
int gh_ssrf_addr_allowed(const struct sockaddr *sa, const struct gh_ssrf_policy *policy);

#endif
