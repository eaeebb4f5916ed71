/* fuzz_redirect.c: redirect URLs (core/ticket.c gh_ticket_redirect_valid,
 * the rule for invitation and sign-in-token redirect_url). Invariant: an
 * accepted URL is an absolute http(s) URL of printable ASCII within the
 * length bound with no userinfo, so "javascript:", "data:", CR/LF header
 * injection, scheme-relative "//evil" and "https://app.test@evil.test" can
 * never pass. (This harness found raw non-ASCII hosts getting through.) */
#include <string.h>
#include <strings.h>

#include "core/ticket.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_cstr(data, size);

    if (gh_ticket_redirect_valid(s)) {
        size_t n = strlen(s);

        FUZZ_ASSERT(strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0);
        FUZZ_ASSERT(n <= GH_TICKET_URL_MAX / 2);
        const char *host = s + (s[4] == 's' || s[4] == 'S' ? 8 : 7);

        for (size_t i = 0; i < n; i++)
            FUZZ_ASSERT((unsigned char)s[i] > 0x20 && (unsigned char)s[i] < 0x7f);
        FUZZ_ASSERT(memchr(host, '@', strcspn(host, "/?#")) == NULL);
    }
    free(s);
    return 0;
}
