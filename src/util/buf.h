/* buf.h: a growable text buffer with a mandatory cap and a sticky error, after
 * curl's dynbuf and SQLite's sqlite3_str: append freely, check once at the end
 * with gh_buf_failed(). The content is always NUL-terminated. */
#ifndef GH_UTIL_BUF_H
#define GH_UTIL_BUF_H

#include <stddef.h>

struct gh_buf {
    char  *data;   /* owned; NULL until the first append */
    size_t len;    /* bytes used, excluding the NUL */
    size_t alloc;  /* bytes allocated */
    size_t cap;    /* hard limit on len; an append past it fails the buffer */
    int    failed; /* sticky: too long or out of memory */
};

void gh_buf_init(struct gh_buf *b, size_t cap);
void gh_buf_clear(struct gh_buf *b);   /* frees; the buffer may be reused after init */
void gh_buf_reset(struct gh_buf *b);   /* empties, keeps memory and cap, clears failed */
void gh_buf_addn(struct gh_buf *b, const void *p, size_t n);
void gh_buf_add(struct gh_buf *b, const char *s);
void gh_buf_addc(struct gh_buf *b, char c);
void gh_buf_addf(struct gh_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included. */
void gh_buf_add_json_str(struct gh_buf *b, const char *s);
/* Appends s with & < > " ' escaped for HTML text and attribute values. */
void gh_buf_add_html(struct gh_buf *b, const char *s);
/* Appends s percent-encoded: RFC 3986 unreserved characters as they are. */
void gh_buf_add_pct(struct gh_buf *b, const char *s);
int         gh_buf_failed(const struct gh_buf *b);
const char *gh_buf_str(const struct gh_buf *b); /* "" when empty; borrowed */
size_t      gh_buf_len(const struct gh_buf *b);
/* Hands the string to the caller (free() it); the buffer is left empty. NULL
 * when the buffer failed. */
char *gh_buf_take(struct gh_buf *b);

#endif
