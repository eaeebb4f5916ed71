/* id.c: see id.h. */
#include "core/id.h"

#include <stdio.h>
#include <string.h>

#include "crypto/crypto.h"

void
gh_id_new(const char *prefix, char out[GH_ID_MAX])
{
    char body[GH_ID_BODY_LEN + 1];

    gh_rand_base62(body, GH_ID_BODY_LEN);
    snprintf(out, GH_ID_MAX, "%.12s_%s", prefix, body);
}

int
gh_id_valid(const char *prefix, const char *s)
{
    size_t plen = strlen(prefix), n;

    if (s == NULL || strncmp(s, prefix, plen) != 0 || s[plen] != '_')
        return 0;
    s += plen + 1;
    n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
    return n >= 1 && n <= 40 && s[n] == '\0';
}
