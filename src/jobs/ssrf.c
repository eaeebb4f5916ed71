/* ssrf.c: the outbound address policy (ssrf.h). URLs are parsed with libcurl's
 * own URL parser so the check sees the host curl will connect to, not our
 * guess of it; IP literals are read with inet_aton semantics, so the decimal,
 * octal, hex and short forms the resolver accepts are judged as the address
 * they mean. It does no DNS: names are judged by their addresses at connect
 * time (deliver.c calls gh_ssrf_addr_allowed from curl's open-socket hook). */
#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <string.h>

#include "jobs/ssrf.h"
#include "jobs/webhook.h"
#include "util/str.h"

struct range {
    unsigned char addr[16];
    unsigned      prefix;
};

/* IANA special-purpose IPv4 registry (RFC 6890 and successors): nothing a
 * webhook receiver on the public internet lives in. 127/8 is handled apart. */
static const struct range deny4[] = {
    { { 0 }, 8 },               /* "this network"; 0.0.0.0 reaches local services on Linux */
    { { 10 }, 8 },              /* RFC 1918 */
    { { 100, 64 }, 10 },        /* RFC 6598 carrier-grade NAT */
    { { 169, 254 }, 16 },       /* link-local, incl. 169.254.169.254 cloud metadata */
    { { 172, 16 }, 12 },        /* RFC 1918 */
    { { 192, 0, 0 }, 24 },      /* IETF protocol assignments */
    { { 192, 0, 2 }, 24 },      /* TEST-NET-1 */
    { { 192, 88, 99 }, 24 },    /* 6to4 relay anycast */
    { { 192, 168 }, 16 },       /* RFC 1918 */
    { { 198, 18 }, 15 },        /* benchmarking */
    { { 198, 51, 100 }, 24 },   /* TEST-NET-2 */
    { { 203, 0, 113 }, 24 },    /* TEST-NET-3 */
    { { 224 }, 4 },             /* multicast */
    { { 240 }, 4 },             /* reserved, incl. 255.255.255.255 broadcast */
};

/* Inside 2000::/3 (everything outside it is denied wholesale). */
static const struct range deny6[] = {
    { { 0x20, 0x01 }, 23 },             /* IETF protocol assignments, incl. Teredo 2001::/32 */
    { { 0x20, 0x01, 0x0d, 0xb8 }, 32 }, /* documentation */
    { { 0x3f, 0xff }, 20 },             /* documentation (RFC 9637) */
};

static const struct gh_ssrf_policy default_policy = { 0 };

static int
prefix_match(const unsigned char *a, const unsigned char *net, unsigned prefix)
{
    unsigned      full = prefix / 8, rest = prefix % 8;
    unsigned char mask;

    if (memcmp(a, net, full) != 0)
        return 0;
    if (rest == 0)
        return 1;
    mask = (unsigned char)(0xff << (8 - rest));
    return (a[full] & mask) == (net[full] & mask);
}

static int
in_ranges(const unsigned char *a, const struct range *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (prefix_match(a, r[i].addr, r[i].prefix))
            return 1;
    return 0;
}

static int
allowlisted(int family, const unsigned char *a, const struct gh_ssrf_policy *pol)
{
    for (size_t i = 0; i < pol->nallow; i++)
        if (pol->allow[i].family == family && prefix_match(a, pol->allow[i].addr,
                                                  pol->allow[i].prefix))
            return 1;
    return 0;
}

static int
v4_allowed(const unsigned char a[4], const struct gh_ssrf_policy *pol)
{
    if (allowlisted(AF_INET, a, pol))
        return 1;
    if (a[0] == 127)
        return pol->allow_loopback != 0;
    return !in_ranges(a, deny4, sizeof(deny4) / sizeof(deny4[0]));
}

static int
v6_allowed(const unsigned char a[16], const struct gh_ssrf_policy *pol)
{
    static const unsigned char mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
    static const unsigned char nat64[12] = { 0, 0x64, 0xff, 0x9b };
    static const unsigned char loop[16] = { [15] = 1 };

    if (allowlisted(AF_INET6, a, pol))
        return 1;
    /* Addresses that carry an IPv4 address are judged by it: ::ffff:127.0.0.1
     * is a connection to 127.0.0.1, and a NAT64 or 6to4 gateway forwards to
     * the embedded address. */
    if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0)
        return v4_allowed(a + 12, pol);
    if (a[0] == 0x20 && a[1] == 0x02)
        return v4_allowed(a + 2, pol);
    if (memcmp(a, loop, 16) == 0)
        return pol->allow_loopback != 0;
    /* Only 2000::/3 is global unicast: this refuses ::, ::/96, 100::/64,
     * 64:ff9b:1::/48, fc00::/7, fe80::/10, fec0::/10 and ff00::/8 at once. */
    if ((a[0] & 0xe0) != 0x20)
        return 0;
    return !in_ranges(a, deny6, sizeof(deny6) / sizeof(deny6[0]));
}

int
gh_ssrf_addr_allowed(const struct sockaddr *sa, const struct gh_ssrf_policy *policy)
{
    const struct gh_ssrf_policy *pol = policy != NULL ? policy : &default_policy;

    if (sa == NULL)
        return 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in4 = (const struct sockaddr_in *)(const void *)sa;

        return v4_allowed((const unsigned char *)&in4->sin_addr, pol);
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

        return v6_allowed(in6->sin6_addr.s6_addr, pol);
    }
    return 0;
}

int
gh_ssrf_cidr_contains(const struct gh_ssrf_cidr *c, size_t n, int family,
    const unsigned char *addr)
{
    for (size_t i = 0; i < n; i++)
        if (c[i].family == family && prefix_match(addr, c[i].addr, c[i].prefix))
            return 1;
    return 0;
}

int
gh_ssrf_cidr_parse(const char *s, struct gh_ssrf_cidr *out, struct gh_err *err)
{
    char               ip[64];
    const char        *slash;
    uint64_t           prefix;
    unsigned           max;
    struct gh_ssrf_cidr c = { 0 };
    struct range       r;

    if (s == NULL || gh_strlcpy(ip, s, sizeof(ip)) == -1)
        return GH_FAIL(err, GH_E_PARAM_INVALID, "is not a CIDR block");
    if ((slash = strchr(s, '/')) != NULL)
        ip[slash - s] = '\0';
    if (inet_pton(AF_INET, ip, c.addr) == 1)
        c.family = AF_INET, max = 32;
    else if (inet_pton(AF_INET6, ip, c.addr) == 1)
        c.family = AF_INET6, max = 128;
    else
        return GH_FAIL(err, GH_E_PARAM_INVALID, "is not a CIDR block");
    prefix = max;
    if (slash != NULL && gh_parse_uint(slash + 1, 0, max, &prefix) == -1)
        return GH_FAIL(err, GH_E_PARAM_INVALID, "has a bad prefix length");
    c.prefix = (unsigned)prefix;
    /* 10.0.0.1/8 is a typo for a host or a network: make the operator say which. */
    memset(&r, 0, sizeof(r));
    for (unsigned i = 0; i < c.prefix / 8; i++)
        r.addr[i] = c.addr[i];
    if (c.prefix % 8 != 0)
        r.addr[c.prefix / 8] = c.addr[c.prefix / 8] & (unsigned char)(0xff << (8 - c.prefix % 8));
    if (memcmp(r.addr, c.addr, max / 8) != 0)
        return GH_FAIL(err, GH_E_PARAM_INVALID, "has host bits set beyond the prefix");
    *out = c;
    return 0;
}

/* ---- URL check ---- */

static int
url_fail(struct gh_err *err, const char *desc)
{
    return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "url", desc);
}

/* 1 when the last label of host looks like a number ("1", "0x7f", "0177"):
 * the resolver would read such a host as an IPv4 address, so it must be one. */
static int
last_label_numeric(const char *host)
{
    const char *l = strrchr(host, '.');
    size_t      i = 0;

    l = l != NULL ? l + 1 : host;
    if (l[0] == '0' && (l[1] == 'x' || l[1] == 'X')) {
        for (i = 2; isxdigit((unsigned char)l[i]); i++)
            ;
        return l[i] == '\0';
    }
    for (i = 0; isdigit((unsigned char)l[i]); i++)
        ;
    return i > 0 && l[i] == '\0';
}

static int
check_ip6_host(const char *host, const struct gh_ssrf_policy *pol, struct gh_err *err)
{
    char                buf[64];
    size_t              n = strlen(host);
    struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };

    if (n < 3 || n - 2 >= sizeof(buf) || host[n - 1] != ']')
        return url_fail(err, "has an invalid IPv6 host");
    memcpy(buf, host + 1, n - 2);
    buf[n - 2] = '\0';
    if (inet_pton(AF_INET6, buf, &sa.sin6_addr) != 1)
        return url_fail(err, "has an invalid IPv6 host");
    if (!gh_ssrf_addr_allowed((const struct sockaddr *)&sa, pol))
        return url_fail(err, "points to a private or reserved address");
    return 0;
}

static int
check_host(const char *host_in, const struct gh_ssrf_policy *pol, struct gh_err *err)
{
    char               host[256];
    size_t             n;
    struct sockaddr_in sa = { .sin_family = AF_INET };

    if (host_in[0] == '[')
        return check_ip6_host(host_in, pol, err);
    if (gh_strlcpy(host, host_in, sizeof(host)) == -1 || host[0] == '\0')
        return url_fail(err, "has an invalid host");
    gh_str_lower(host);
    n = strlen(host);
    if (n > 1 && host[n - 1] == '.')
        host[--n] = '\0'; /* "localhost." is localhost */
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)host[i]) && strchr("-._", host[i]) == NULL)
            return url_fail(err, "has an invalid host");
    if (strcmp(host, "localhost") == 0 ||
        (n > 10 && strcmp(host + n - 10, ".localhost") == 0)) {
        /* RFC 6761 §6.3: resolvers may map every *.localhost to loopback. */
        if (!pol->allow_loopback)
            return url_fail(err, "points to a private or reserved address");
        return 0;
    }
    if (!last_label_numeric(host))
        return 0; /* a name: judged by its addresses at delivery */
    /* inet_aton reads "2130706433", "0177.0.0.1", "0x7f.1" and "127.1" the way
     * getaddrinfo and curl would; anything numeric it cannot read is refused
     * rather than left for some resolver to interpret. */
    if (inet_aton(host, &sa.sin_addr) == 0)
        return url_fail(err, "has an invalid IP address");
    if (!v4_allowed((const unsigned char *)&sa.sin_addr, pol))
        return url_fail(err, "points to a private or reserved address");
    return 0;
}

/* 1 when the URL part is present (user, password, options, zone id...). */
static int
has_part(CURLU *u, CURLUPart what)
{
    char    *v = NULL;
    CURLUcode rc = curl_url_get(u, what, &v, 0);

    curl_free(v);
    return rc == CURLUE_OK;
}

static int
check_parts(CURLU *u, const struct gh_ssrf_policy *pol, struct gh_err *err)
{
    char    *scheme = NULL, *host = NULL, *port = NULL;
    uint64_t portno;
    int      rc = -1;

    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        (strcmp(scheme, "https") != 0 && (strcmp(scheme, "http") != 0 || pol->https_only))) {
        url_fail(err, pol->https_only ? "must use https" : "must use http or https");
        goto done;
    }
    if (has_part(u, CURLUPART_USER) || has_part(u, CURLUPART_PASSWORD) ||
        has_part(u, CURLUPART_OPTIONS)) {
        url_fail(err, "must not contain user information");
        goto done;
    }
    if (has_part(u, CURLUPART_ZONEID)) {
        url_fail(err, "must not contain an IPv6 zone");
        goto done;
    }
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || host[0] == '\0') {
        url_fail(err, "must have a host");
        goto done;
    }
    if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK &&
        gh_parse_uint(port, 1, 65535, &portno) == -1) {
        url_fail(err, "has an invalid port");
        goto done;
    }
    rc = check_host(host, pol, err);
done:
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    return rc;
}

int
gh_ssrf_check_url(const char *url, const struct gh_ssrf_policy *policy, struct gh_err *err)
{
    const struct gh_ssrf_policy *pol = policy != NULL ? policy : &default_policy;
    CURLU                       *u = NULL;
    const char                  *sep;
    size_t                       len;
    int                          rc = -1;

    if (url == NULL || (len = strlen(url)) == 0)
        return url_fail(err, "is missing");
    if (len > GH_SSRF_URL_MAX)
        return url_fail(err, "is too long");
    /* Controls, spaces and non-ASCII never reach the parser: no CR/LF games,
     * and no IDN mapping of fullwidth digits into an IP address. */
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)url[i] <= 0x20 || (unsigned char)url[i] >= 0x7f)
            return url_fail(err, "must be ASCII without spaces (use punycode for names)");
    /* curl tolerates "http:/x", "http:x" and "https:///x"; we want exactly
     * "scheme://authority", so what the operator sees is what curl parses. */
    sep = strstr(url, "://");
    if (sep == NULL || sep[3] == '/' || sep[3] == '\\' || strcspn(url, ":") != (size_t)(sep - url))
        return url_fail(err, "is not a valid URL");
    if (gh_webhook_global_init(err) == -1)
        return -1;
    if ((u = curl_url()) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    /* No flags: a scheme is required, and schemes this libcurl cannot speak
     * are refused by the parser itself. */
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK) {
        url_fail(err, "is not a valid URL");
        goto done;
    }
    rc = check_parts(u, pol, err);
done:
    curl_url_cleanup(u);
    return rc;
}
