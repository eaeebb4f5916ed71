/* id.h: Clerk-style identifiers: a type prefix and 27 random base62
 * characters ("user_2x…"), URL-safe as the SDK requires (it puts ids into
 * paths unescaped). */
#ifndef GH_CORE_ID_H
#define GH_CORE_ID_H

#include <stddef.h>

#include "store/records.h"

#define GH_ID_BODY_LEN 27

/* Writes prefix + "_" + 27 base62 chars into out[GH_ID_MAX]. prefix is one of
 * "user", "sess", "client", "idn", "org", "orgmem", "inv", "orginv", "jtmp",
 * "msg", "ins", "ak", … (at most 12 chars). */
void gh_id_new(const char *prefix, char out[GH_ID_MAX]);
/* 1 when s looks like an id of that prefix: prefix_ then 1–40 of [A-Za-z0-9]. */
int gh_id_valid(const char *prefix, const char *s);

#endif
