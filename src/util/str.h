/* str.h: small string and number helpers that every layer may use. Numbers
 * from untrusted input go through gh_parse_uint/gh_parse_int (never atoi). */
#ifndef GH_UTIL_STR_H
#define GH_UTIL_STR_H

#include <stddef.h>
#include <stdint.h>

/* Parses a whole decimal string into [min,max]. -1 on junk, sign, overflow,
 * empty string or out of range; *out untouched then. */
int gh_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);
int gh_parse_int(const char *s, int64_t min, int64_t max, int64_t *out);

/* RFC 3339 / ISO-8601 ("1970-01-01T00:00:00.000Z", "+02:00" offsets) to
 * milliseconds since the epoch. -1 when malformed. */
int gh_parse_iso8601_ms(const char *s, int64_t *out_ms);

/* strdup that accepts NULL (returns NULL). Caller frees. */
char *gh_strdup(const char *s);
/* Copies src into dst[size], always terminated; returns -1 if truncated. */
int gh_strlcpy(char *dst, const char *src, size_t size);
/* Lower-cases ASCII letters in place; returns s. */
char *gh_str_lower(char *s);
/* 1 when a and b are both NULL or equal strings. */
int gh_str_eq(const char *a, const char *b);
/* 1 when s is valid UTF-8 of exactly len bytes and has no NUL. */
int gh_utf8_valid(const char *s, size_t len);

/* FNV-1a 64-bit hash of a string: for hash tables and shard picks, never for
 * anything an attacker must not predict. */
uint64_t gh_str_hash(const char *s);

/* Milliseconds since the epoch, wall clock. Tests may shift it with
 * gh_time_set_offset_ms (used to exercise expiry). */
int64_t gh_now_ms(void);
void    gh_time_set_offset_ms(int64_t off);
/* Monotonic clock, nanoseconds; for latency measurements only. */
uint64_t gh_mono_ns(void);

#endif
