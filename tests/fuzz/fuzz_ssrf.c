/* fuzz_ssrf.c: webhook URLs through the registration-time SSRF check
 * (jobs/ssrf.c: libcurl's URL parser plus the IP-literal classifier) and
 * CIDR blocks through the allowlist parser. Invariants: the default policy
 * (nothing private, no loopback) never accepts a URL that the loopback
 * development policy refuses (it only ever widens), an https-only policy
 * never accepts what the default refuses, and a parsed CIDR's prefix fits
 * its family. */
#include <string.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "jobs/ssrf.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct gh_ssrf_policy dev = {.allow_loopback = 1};
    static const struct gh_ssrf_policy strict = {.https_only = 1};
    struct gh_err                      e1 = {0}, e2 = {0}, e3 = {0};
    struct gh_ssrf_cidr                c;
    char                              *s = fuzz_cstr(data, size);
    int                                dflt, loop, https;

    dflt = gh_ssrf_check_url(s, NULL, &e1) == 0;
    loop = gh_ssrf_check_url(s, &dev, &e2) == 0;
    https = gh_ssrf_check_url(s, &strict, &e3) == 0;
    FUZZ_ASSERT(!dflt || loop);
    FUZZ_ASSERT(!https || dflt);
    FUZZ_ASSERT(dflt || e1.code == GH_E_PARAM_INVALID || e1.code == GH_E_NOMEM);
    if (gh_ssrf_cidr_parse(s, &c, &e1) == 0)
        FUZZ_ASSERT((c.family == AF_INET && c.prefix <= 32) ||
                    (c.family == AF_INET6 && c.prefix <= 128));
    free(s);
    return 0;
}
