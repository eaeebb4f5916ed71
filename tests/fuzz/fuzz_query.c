/* fuzz_query.c: query strings (and form bodies, which the same parser
 * reads) through gh_query_parse. Invariants: every decoded key and value is
 * valid UTF-8 without NUL (the decoded form of %00 or %C0%AF never gets
 * through) and the pair count stays within GH_HTTP_MAX_QUERY_PARAMS; a
 * refusal is a 400. */
#include <string.h>

#include "fuzz.h"
#include "http/server.h"
#include "util/str.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gh_query q;
    struct gh_err   err = {0};
    char           *raw = fuzz_cstr(data, size);

    if (gh_query_parse(&q, raw, &err) == 0) {
        FUZZ_ASSERT(q.n <= GH_HTTP_MAX_QUERY_PARAMS);
        for (size_t i = 0; i < q.n; i++) {
            FUZZ_ASSERT(gh_utf8_valid(q.pairs[i].key, strlen(q.pairs[i].key)));
            FUZZ_ASSERT(gh_utf8_valid(q.pairs[i].value, strlen(q.pairs[i].value)));
        }
        gh_query_clear(&q);
    } else {
        FUZZ_ASSERT(err.code == GH_E_BAD_REQUEST || err.code == GH_E_NOMEM);
    }
    free(raw);
    return 0;
}
