/* fuzz_email.c: email identifiers through core/ident.c normalisation (every
 * email a client or the Backend API sends). Invariants: the normal form has
 * no ASCII upper case, blanks or control bytes and exactly one '@', and
 * normalising it again changes nothing (so two spellings of one address can
 * never become two identities). */
#include <string.h>

#include "core/ident.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
    return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gh_err err = {0};
    char         *in = fuzz_cstr(data, size), *out = NULL, *again = NULL;

    if (gh_ident_norm_email(in, NULL, &out, &err) == 0) {
        FUZZ_ASSERT(out != NULL);
        FUZZ_ASSERT(strchr(out, '@') != NULL && strchr(out, '@') == strrchr(out, '@'));
        for (const unsigned char *p = (const unsigned char *)out; *p != '\0'; p++)
            FUZZ_ASSERT(*p > 0x20 && *p != 0x7f && !(*p >= 'A' && *p <= 'Z'));
        FUZZ_ASSERT(gh_ident_norm_email(out, NULL, &again, &err) == 0);
        FUZZ_ASSERT(strcmp(out, again) == 0);
        free(again);
        free(out);
    } else {
        FUZZ_ASSERT(out == NULL);
    }
    free(in);
    return 0;
}
