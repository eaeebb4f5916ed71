/* client_ip.c (issue 6): the address a request is attributed to, for rate
 * limits and logs. It is the socket peer, except when the peer is one of the
 * operator's trusted proxies: then it is the right-most X-Forwarded-For hop
 * that is not itself a trusted proxy. Everything left of that hop was
 * written by the client and proves nothing, so a client cannot pick its own
 * address by sending the header (catalogue BI-12). It reads no header
 * itself: server.c hands it every X-Forwarded-For line joined in order. */
#include "http/client_ip.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

struct addr {
    int           family; /* AF_INET or AF_INET6 */
    unsigned char b[16];
};

/* ::ffff:a.b.c.d is a.b.c.d (a dual-stack socket reports IPv4 peers so). */
static void
unmap(struct addr *a)
{
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

    if (a->family == AF_INET6 && memcmp(a->b, mapped, 12) == 0) {
        memmove(a->b, a->b + 12, 4);
        a->family = AF_INET;
    }
}

static int
from_sockaddr(const struct sockaddr *sa, struct addr *a)
{
    memset(a, 0, sizeof(*a));
    if (sa != NULL && sa->sa_family == AF_INET) {
        a->family = AF_INET;
        memcpy(a->b, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
    } else if (sa != NULL && sa->sa_family == AF_INET6) {
        a->family = AF_INET6;
        memcpy(a->b, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
    } else {
        return -1;
    }
    unmap(a);
    return 0;
}

/* One X-Forwarded-For element: "1.2.3.4", "1.2.3.4:5678", "2001:db8::1",
 * "[2001:db8::1]" or "[2001:db8::1]:5678", with blanks around. */
static int
parse_hop(const char *s, size_t len, struct addr *a)
{
    char        buf[INET6_ADDRSTRLEN + 8];
    const char *end;

    while (len > 0 && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len == 0 || len >= sizeof(buf))
        return -1;
    if (s[0] == '[') {
        end = memchr(s, ']', len);
        if (end == NULL || (end + 1 != s + len && end[1] != ':'))
            return -1;
        s++;
        len = (size_t)(end - s);
    } else if ((end = memchr(s, ':', len)) != NULL &&
               memchr(end + 1, ':', len - (size_t)(end - s) - 1) == NULL) {
        len = (size_t)(end - s); /* one colon: IPv4 with a port */
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    memset(a, 0, sizeof(*a));
    if (inet_pton(AF_INET, buf, a->b) == 1)
        a->family = AF_INET;
    else if (inet_pton(AF_INET6, buf, a->b) == 1)
        a->family = AF_INET6;
    else
        return -1;
    unmap(a);
    return 0;
}

static int
trusted(const struct gh_ssrf_cidr *t, size_t n, const struct addr *a)
{
    return gh_ssrf_cidr_contains(t, n, a->family, a->b);
}

static void
to_text(const struct addr *a, char *out, size_t outsz)
{
    if (inet_ntop(a->family, a->b, out, (socklen_t)outsz) == NULL)
        snprintf(out, outsz, "?");
}

void
gh_http_client_ip(const struct sockaddr *peer, const char *xff, const struct gh_ssrf_cidr *t,
                  size_t nt, char *out, size_t outsz)
{
    struct addr best, hop;
    size_t      end, hops = 0;

    if (from_sockaddr(peer, &best) == -1) {
        snprintf(out, outsz, "?");
        return;
    }
    if (nt == 0 || xff == NULL || !trusted(t, nt, &best)) {
        to_text(&best, out, outsz);
        return;
    }
    /* Right to left: each trusted hop vouches for the one before it. A
     * malformed element ends the walk at the last hop we could read. */
    end = strlen(xff);
    while (end > 0 && hops++ < GH_HTTP_XFF_MAX_HOPS) {
        size_t start = end;

        while (start > 0 && xff[start - 1] != ',')
            start--;
        if (parse_hop(xff + start, end - start, &hop) == -1)
            break;
        best = hop;
        if (!trusted(t, nt, &hop))
            break;
        end = start > 0 ? start - 1 : 0;
    }
    to_text(&best, out, outsz);
}
