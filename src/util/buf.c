/* buf.c: see buf.h. Growth doubles; failure frees nothing until clear so the
 * caller's single check at the end is enough. */
#include "util/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
gh_buf_init(struct gh_buf *b, size_t cap)
{
    memset(b, 0, sizeof(*b));
    b->cap = cap;
}

void
gh_buf_clear(struct gh_buf *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

void
gh_buf_reset(struct gh_buf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->data != NULL)
        b->data[0] = '\0';
}

static int
buf_grow(struct gh_buf *b, size_t need)
{
    size_t n;
    char  *p;

    if (b->failed)
        return -1;
    if (need > b->cap || need + 1 < need) {
        b->failed = 1;
        return -1;
    }
    if (need + 1 <= b->alloc)
        return 0;
    n = b->alloc != 0 ? b->alloc : 64;
    while (n < need + 1)
        n *= 2;
    p = realloc(b->data, n);
    if (p == NULL) {
        b->failed = 1;
        return -1;
    }
    b->data = p;
    b->alloc = n;
    return 0;
}

void
gh_buf_addn(struct gh_buf *b, const void *p, size_t n)
{
    if (buf_grow(b, b->len + n) == -1)
        return;
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void
gh_buf_add(struct gh_buf *b, const char *s)
{
    gh_buf_addn(b, s, strlen(s));
}

void
gh_buf_addc(struct gh_buf *b, char c)
{
    gh_buf_addn(b, &c, 1);
}

void
gh_buf_addf(struct gh_buf *b, const char *fmt, ...)
{
    va_list ap;
    int     n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = 1;
        return;
    }
    if (buf_grow(b, b->len + (size_t)n) == -1)
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void
gh_buf_add_json_str(struct gh_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p;

    gh_buf_addc(b, '"');
    for (p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
        case '"':  gh_buf_add(b, "\\\""); break;
        case '\\': gh_buf_add(b, "\\\\"); break;
        case '\n': gh_buf_add(b, "\\n"); break;
        case '\r': gh_buf_add(b, "\\r"); break;
        case '\t': gh_buf_add(b, "\\t"); break;
        default:
            if (*p < 0x20) {
                char u[7] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15], 0 };
                gh_buf_add(b, u);
            } else {
                gh_buf_addc(b, (char)*p);
            }
        }
    }
    gh_buf_addc(b, '"');
}

int
gh_buf_failed(const struct gh_buf *b)
{
    return b->failed;
}

const char *
gh_buf_str(const struct gh_buf *b)
{
    return b->data != NULL ? b->data : "";
}

size_t
gh_buf_len(const struct gh_buf *b)
{
    return b->len;
}

char *
gh_buf_take(struct gh_buf *b)
{
    char *s;

    if (b->failed) {
        gh_buf_clear(b);
        return NULL;
    }
    s = b->data != NULL ? b->data : strdup("");
    memset(b, 0, sizeof(*b));
    return s;
}

void
gh_buf_add_html(struct gh_buf *b, const char *s)
{
    for (; s != NULL && *s != '\0'; s++) {
        switch (*s) {
        case '&': gh_buf_add(b, "&amp;"); break;
        case '<': gh_buf_add(b, "&lt;"); break;
        case '>': gh_buf_add(b, "&gt;"); break;
        case '"': gh_buf_add(b, "&quot;"); break;
        case '\'': gh_buf_add(b, "&#39;"); break;
        default: gh_buf_addc(b, *s); break;
        }
    }
}

void
gh_buf_add_pct(struct gh_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";

    for (; s != NULL && *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;

        /* RFC 3986 §2.3: unreserved characters stay, everything else is %XX. */
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            gh_buf_addc(b, (char)c);
        } else {
            gh_buf_addc(b, '%');
            gh_buf_addc(b, hex[c >> 4]);
            gh_buf_addc(b, hex[c & 15]);
        }
    }
}
