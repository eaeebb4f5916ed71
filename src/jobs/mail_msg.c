/* mail_msg.c: the RFC 5322 / MIME message of an outgoing email (mail.h):
 * headers (Date, From, To, Subject in RFC 2047 encoded words, Message-ID,
 * MIME-Version), a multipart/alternative body of UTF-8 quoted-printable
 * parts, and the address checks that keep CR/LF out of the SMTP envelope
 * and the headers. Pure: no I/O, no clock, no randomness (the caller passes
 * the date, Message-ID and boundary), so every byte is unit-testable. */
#include "jobs/mail.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/crypto.h"
#include "util/buf.h"
#include "util/str.h"

#define QP_LINE  76 /* RFC 2045 §6.7 rule 5, the soft break's '=' included */
#define EW_BYTES 45 /* raw bytes per encoded word: base64 of 45 = 60, + 12 = 72 ≤ 75 */

int
gh_mail_addr_valid(const char *addr)
{
    size_t      n, at = 0, ats = 0;
    const char *bad = "<>()[]\\,;:\"";

    if (addr == NULL || (n = strlen(addr)) < 3 || n > 320)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)addr[i];

        if (c <= ' ' || c == 0x7f || strchr(bad, c) != NULL)
            return 0;
        if (c == '@') {
            at = i;
            ats++;
        }
    }
    return ats == 1 && at > 0 && at < n - 1;
}

/* s[0..n) without leading and trailing blanks. */
static void
trim(const char **s, size_t *n)
{
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static int
copy_part(const char *s, size_t n, char *out, size_t size)
{
    if (n >= size)
        return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

/* A display name without its quotes; \" and \\ unescaped. */
static int
copy_name(const char *s, size_t n, char *out, size_t size)
{
    size_t k = 0;

    if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
        s++;
        n -= 2;
    }
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n)
            i++;
        if (k + 1 >= size)
            return -1;
        out[k++] = s[i];
    }
    out[k] = '\0';
    return 0;
}

int
gh_mail_from_split(const char *from, char *addr, size_t asize, char *name, size_t nsize)
{
    const char *s = from, *lt, *gt;
    size_t      n;

    if (from == NULL || asize == 0 || nsize == 0)
        return -1;
    n = strlen(s);
    trim(&s, &n);
    name[0] = '\0';
    lt = memchr(s, '<', n);
    if (lt == NULL) {
        if (copy_part(s, n, addr, asize) == -1)
            return -1;
    } else {
        const char *a = lt + 1, *rest;
        size_t      an, restn;

        if ((gt = memchr(a, '>', n - (size_t)(a - s))) == NULL)
            return -1;
        an = (size_t)(gt - a);
        rest = gt + 1;
        restn = n - (size_t)(rest - s);
        trim(&rest, &restn);
        if (restn != 0 || copy_part(a, an, addr, asize) == -1)
            return -1;
        n = (size_t)(lt - s);
        trim(&s, &n);
        if (copy_name(s, n, name, nsize) == -1)
            return -1;
    }
    for (const char *p = name; *p != '\0'; p++)
        if ((unsigned char)*p < ' ' || *p == 0x7f)
            return -1;
    return gh_mail_addr_valid(addr) ? 0 : -1;
}

/* 1 when s is printable ASCII with no "=?" (which a reader could take for
 * the start of an encoded word). */
static int
plain_ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++)
        if (*p < ' ' || *p > '~' || (p[0] == '=' && p[1] == '?'))
            return 0;
    return 1;
}

/* Length of the longest prefix of s[0..n) of at most max bytes that does not
 * end inside a UTF-8 sequence (a lone continuation run is cut anyway). */
static size_t
utf8_cut(const unsigned char *s, size_t n, size_t max)
{
    size_t k = n < max ? n : max;

    if (k == n)
        return k;
    while (k > 0 && (s[k] & 0xC0) == 0x80)
        k--;
    return k > 0 ? k : (n < max ? n : max);
}

void
gh_mail_header_encode(struct gh_buf *b, const char *value)
{
    char  *v = gh_strdup(value != NULL ? value : "");
    size_t n, off = 0;

    if (v == NULL) {
        b->failed = 1;
        return;
    }
    for (char *p = v; *p != '\0'; p++)
        if ((unsigned char)*p < ' ' || *p == 0x7f)
            *p = ' '; /* CR, LF, TAB, controls: no folding or injection by the input */
    if (plain_ascii(v)) {
        gh_buf_add(b, v);
        free(v);
        return;
    }
    n = strlen(v);
    while (off < n) {
        size_t k = utf8_cut((const unsigned char *)v + off, n - off, EW_BYTES);
        char  *enc = gh_b64_encode(v + off, k);

        if (enc == NULL) {
            b->failed = 1;
            break;
        }
        gh_buf_addf(b, "%s=?UTF-8?B?%s?=", off > 0 ? "\r\n " : "", enc);
        free(enc);
        off += k;
    }
    free(v);
}

/* 1 when the byte at p must be encoded as =XX. */
static int
qp_must_encode(const unsigned char *p, int line_start)
{
    unsigned char c = *p;
    int           eol = p[1] == '\0' || p[1] == '\r' || p[1] == '\n';

    if (c == '=' || c >= 0x7f || (c < ' ' && c != '\t'))
        return 1;
    if ((c == ' ' || c == '\t') && eol)
        return 1; /* trailing blanks are dropped by transports */
    if (line_start && c == '.')
        return 1; /* a lone "." ends SMTP DATA */
    if (line_start && c == 'F' && strncmp((const char *)p, "From ", 5) == 0)
        return 1; /* mbox readers would quote it */
    return 0;
}

void
gh_mail_qp_encode(struct gh_buf *b, const char *text)
{
    static const char    hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)(text != NULL ? text : "");
    size_t               col = 0;

    while (*p != '\0') {
        int enc, width;

        if (*p == '\r' || *p == '\n') {
            p += (p[0] == '\r' && p[1] == '\n') ? 2 : 1;
            gh_buf_add(b, "\r\n");
            col = 0;
            continue;
        }
        enc = qp_must_encode(p, col == 0);
        width = enc ? 3 : 1;
        if (col + (size_t)width > QP_LINE - 1) {
            gh_buf_add(b, "=\r\n"); /* soft line break */
            col = 0;
            enc = qp_must_encode(p, 1);
            width = enc ? 3 : 1;
        }
        if (enc) {
            gh_buf_addc(b, '=');
            gh_buf_addc(b, hex[*p >> 4]);
            gh_buf_addc(b, hex[*p & 15]);
        } else {
            gh_buf_addc(b, (char)*p);
        }
        col += (size_t)width;
        p++;
    }
}

static void
add_date(struct gh_buf *b, int64_t ms)
{
    static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
    static const char *const mons[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
        "Aug", "Sep", "Oct", "Nov", "Dec" };
    time_t                   t = (time_t)(ms / 1000);
    struct tm                tm;

    if (gmtime_r(&t, &tm) == NULL) {
        b->failed = 1;
        return;
    }
    /* RFC 5322 §3.3, built by hand: strftime's names follow the locale. */
    gh_buf_addf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday],
        tm.tm_mday, mons[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* From: "Name" <addr>, an encoded-word name when it is not plain ASCII. */
static int
add_from(struct gh_buf *b, const char *from)
{
    char addr[321], name[256];

    if (gh_mail_from_split(from, addr, sizeof(addr), name, sizeof(name)) == -1)
        return -1;
    gh_buf_add(b, "From: ");
    if (name[0] != '\0' && plain_ascii(name)) {
        gh_buf_addc(b, '"');
        for (const char *p = name; *p != '\0'; p++) {
            if (*p == '"' || *p == '\\')
                gh_buf_addc(b, '\\');
            gh_buf_addc(b, *p);
        }
        gh_buf_add(b, "\" ");
    } else if (name[0] != '\0') {
        gh_mail_header_encode(b, name);
        gh_buf_addc(b, ' ');
    }
    gh_buf_addf(b, "<%s>\r\n", addr);
    return 0;
}

static void
add_part(struct gh_buf *b, const char *boundary, const char *type, const char *body)
{
    gh_buf_addf(b, "--%s\r\nContent-Type: %s; charset=UTF-8\r\n"
                   "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
        boundary, type);
    gh_mail_qp_encode(b, body);
    gh_buf_add(b, "\r\n");
}

/* 1 when the caller's Message-ID and boundary are safe to put in headers. */
static int
ids_ok(const struct gh_mail_msg *m)
{
    size_t n = m->message_id != NULL ? strlen(m->message_id) : 0;

    if (n < 3 || m->message_id[0] != '<' || m->message_id[n - 1] != '>' ||
        !plain_ascii(m->message_id) || strchr(m->message_id, ' ') != NULL)
        return 0;
    n = m->boundary != NULL ? strlen(m->boundary) : 0;
    if (n < 1 || n > 70 || !plain_ascii(m->boundary) || strchr(m->boundary, '"') != NULL)
        return 0;
    return 1;
}

int
gh_mail_msg_format(const struct gh_mail_msg *m, char **out, size_t *len, struct gh_err *err)
{
    struct gh_buf b;

    *out = NULL;
    *len = 0;
    if (!gh_mail_addr_valid(m->to))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "email_address", "is not a mail address");
    if (!ids_ok(m))
        return GH_FAIL(err, GH_E_INTERNAL, "bad Message-ID or boundary");
    if (m->subject == NULL || strlen(m->subject) > GH_MAIL_SUBJECT_MAX || m->text == NULL)
        return GH_FAIL(err, GH_E_BAD_REQUEST, "subject or body missing or too long");
    /* Quoted-printable at most triples a body, soft breaks add 3 per 75. */
    if ((strlen(m->text) + (m->html != NULL ? strlen(m->html) : 0)) * 3.1 + 4096 >
        GH_MAIL_MSG_MAX)
        return GH_FAIL(err, GH_E_BAD_REQUEST, "message too large");
    gh_buf_init(&b, GH_MAIL_MSG_MAX);
    add_date(&b, m->date_ms);
    if (add_from(&b, m->from) == -1) {
        gh_buf_clear(&b);
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "mail_from", "is not a mail address");
    }
    gh_buf_addf(&b, "To: <%s>\r\nSubject: ", m->to);
    gh_mail_header_encode(&b, m->subject);
    gh_buf_addf(&b, "\r\nMessage-ID: %s\r\nMIME-Version: 1.0\r\n"
                    "Auto-Submitted: auto-generated\r\n", m->message_id);
    if (m->html == NULL) {
        gh_buf_add(&b, "Content-Type: text/plain; charset=UTF-8\r\n"
                       "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
        gh_mail_qp_encode(&b, m->text);
        gh_buf_add(&b, "\r\n");
    } else {
        gh_buf_addf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
            m->boundary);
        add_part(&b, m->boundary, "text/plain", m->text);
        add_part(&b, m->boundary, "text/html", m->html);
        gh_buf_addf(&b, "--%s--\r\n", m->boundary);
    }
    if (gh_buf_failed(&b)) { /* sizes were checked above: out of memory */
        gh_buf_clear(&b);
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    *len = gh_buf_len(&b);
    *out = gh_buf_take(&b);
    return 0;
}
