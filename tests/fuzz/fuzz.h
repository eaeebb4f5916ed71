/* fuzz.h: what every libFuzzer harness in tests/fuzz defines (issue 6,
 * catalogue BI-20). Each fuzz_<target>.c is built two ways (CMakeLists.txt):
 * with clang -fsanitize=fuzzer,address,undefined into build-fuzz/fuzz_<target>,
 * which scripts/test.sh runs for a bounded time; and in every normal build
 * into <build>/tests/replay_<target>, linked with replay.c, which ctest runs
 * over tests/fuzz/corpus/<target>/ so the attack-named seeds are regression
 * tests on any compiler. A harness asserts invariants with FUZZ_ASSERT
 * (abort = a finding), not just the absence of crashes. */
#ifndef GH_FUZZ_H
#define GH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv); /* every harness defines it */

#define FUZZ_ASSERT(c)                                                                             \
    do {                                                                                           \
        if (!(c)) {                                                                                \
            fprintf(stderr, "fuzz invariant failed: %s (%s:%d)\n", #c, __FILE__, __LINE__);        \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* data[0..size) as a NUL-terminated malloc'd copy (the harness frees). */
static inline char *
fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    if (s == NULL)
        abort();
    for (size_t i = 0; i < size; i++)
        s[i] = (char)data[i];
    s[size] = '\0';
    return s;
}

#endif
