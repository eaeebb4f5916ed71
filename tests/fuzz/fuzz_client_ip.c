/* fuzz_client_ip.c: X-Forwarded-For values through http/client_ip.c with a
 * trusted peer (127.0.0.1 in 127.0.0.0/8). Invariants: the result is always
 * an address in canonical text (it parses, and prints back the same), never
 * a fragment of the header. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "fuzz.h"
#include "http/client_ip.h"

static struct gh_ssrf_cidr trusted[2];

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct gh_err err = {0};

    if (gh_ssrf_cidr_parse("127.0.0.0/8", &trusted[0], &err) == -1 ||
        gh_ssrf_cidr_parse("fd00::/8", &trusted[1], &err) == -1)
        abort();
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct sockaddr_in peer = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
    char              *xff = fuzz_cstr(data, size), out[GH_HTTP_IP_MAX], back[GH_HTTP_IP_MAX];
    unsigned char      a[16];
    int                fam;

    gh_http_client_ip((struct sockaddr *)&peer, xff, trusted, 2, out, sizeof(out));
    fam = strchr(out, ':') != NULL ? AF_INET6 : AF_INET;
    FUZZ_ASSERT(inet_pton(fam, out, a) == 1);
    FUZZ_ASSERT(inet_ntop(fam, a, back, sizeof(back)) != NULL && strcmp(back, out) == 0);
    free(xff);
    return 0;
}
