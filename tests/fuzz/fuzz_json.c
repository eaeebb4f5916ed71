/* fuzz_json.c: request bodies through gh_req_json_any (req.c: jansson with
 * duplicate keys refused, NUL kept, depth ≤ 64). Invariants: an accepted
 * body is an object or array that survives a round trip (serialised and
 * parsed again it is equal, so no duplicate or invalid text got in); a
 * refused one is refused as a bad body, never as an internal error. */
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "fuzz.h"
#include "http/server.h"

/* gh_req_header reads through libmicrohttpd; here the one header is fixed. */
const char *
MHD_lookup_connection_value(struct MHD_Connection *connection, enum MHD_ValueKind kind,
                            const char *key)
{
    return key != NULL && strcasecmp(key, "Content-Type") == 0 ? "application/json" : NULL;
}

static int dummy_conn;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gh_http_req r;
    struct gh_err      err = {0};
    char              *body = fuzz_cstr(data, size), *text;
    json_t            *j = NULL, *again;

    memset(&r, 0, sizeof(r));
    r.req.impl = &r;
    r.conn = &dummy_conn;
    r.req.body = body;
    r.req.body_len = size;
    if (gh_req_json_any(&r.req, &j, &err) == 0) {
        FUZZ_ASSERT(json_is_object(j) || json_is_array(j));
        text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
        FUZZ_ASSERT(text != NULL);
        again = json_loads(text, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, NULL);
        FUZZ_ASSERT(again != NULL && json_equal(j, again));
        json_decref(again);
        free(text);
    } else {
        FUZZ_ASSERT(err.code == GH_E_BODY_INVALID || err.code == GH_E_NOMEM);
    }
    gh_http_req_clear(&r);
    free(body);
    return 0;
}
