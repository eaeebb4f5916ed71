/* mail.h: outgoing email below the domain (issue 4): the RFC 5322 message
 * (mail_msg.c: pure formatting, unit-tested), one SMTP submission through
 * libcurl (smtp.c), and the mailer (mailer.c): a durable queue in the store
 * (mail_outbox) and a worker thread that sends due mail with bounded retries.
 * It knows nothing of core: main.c adapts core's delivery hook (core/mail.h)
 * to gh_mailer_enqueue. No curl type leaks out of here; SMTP credentials are
 * never logged. */
#ifndef GH_JOBS_MAIL_H
#define GH_JOBS_MAIL_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct gh_store;
struct gh_master_key;

/* ---- the message (mail_msg.c) ---- */
#define GH_MAIL_MSG_MAX     (512 * 1024) /* formatted message, bytes */
#define GH_MAIL_SUBJECT_MAX 900          /* subject bytes before encoding */

/* What one message says. Strings are UTF-8 and borrowed for the call. */
struct gh_mail_msg {
    const char *from;       /* From header: "Name <addr>" or "addr" */
    const char *to;         /* one address (checked with gh_mail_addr_valid) */
    const char *subject;
    const char *text;       /* text/plain part */
    const char *html;       /* text/html part, or NULL for a text-only message */
    int64_t     date_ms;    /* Date header, ms since the epoch (UTC) */
    const char *message_id; /* Message-ID header value "<…@…>" */
    const char *boundary;   /* multipart boundary; must not occur in QP output
                               ("=_" prefixed values cannot) */
};

/* Formats m as an RFC 5322 / MIME message with CRLF line ends: Date,
 * From, To, Subject (RFC 2047 B-encoded words when not plain ASCII; CR and
 * LF become spaces, so no header can be injected), Message-ID,
 * MIME-Version, Auto-Submitted, and multipart/alternative text + HTML parts
 * in UTF-8 quoted-printable (text only when html is NULL). *out malloc'd
 * (*len bytes, NUL-terminated). GH_E_PARAM_INVALID for a bad address or
 * From; GH_E_BAD_REQUEST past GH_MAIL_MSG_MAX; GH_E_NOMEM. */
int gh_mail_msg_format(const struct gh_mail_msg *m, char **out, size_t *len, struct gh_err *err);

/* 1 when addr can be an SMTP envelope address and a To header as is:
 * 3..320 bytes, one '@' with something either side, no control characters,
 * spaces or any of <>()[]\,;:" (UTF-8 bytes are allowed). */
int gh_mail_addr_valid(const char *addr);

/* Splits a From value ("Name <addr>", "<addr>" or "addr") into the envelope
 * address and the display name (may be ""). -1 when the address is not valid
 * or a part does not fit. */
int gh_mail_from_split(const char *from, char *addr, size_t asize, char *name, size_t nsize);

/* Quoted-printable (RFC 2045 §6.7) of text into b: CRLF line ends (bare LF
 * and CR become CRLF), lines of at most 76 characters, '=', controls, bytes
 * >= 0x7f, trailing blanks, a leading '.' and a leading "From " encoded. */
struct gh_buf;
void gh_mail_qp_encode(struct gh_buf *b, const char *text);

/* A header value as RFC 2047 encoded words (=?UTF-8?B?…?=, each at most 75
 * characters, never splitting a UTF-8 sequence) folded with CRLF SP; plain
 * printable ASCII is copied as is. CR/LF/controls become spaces. */
void gh_mail_header_encode(struct gh_buf *b, const char *value);

/* ---- one SMTP submission (smtp.c) ---- */
#define GH_SMTP_TIMEOUT_MS         30000L
#define GH_SMTP_CONNECT_TIMEOUT_MS 10000L

/* Where to submit: GATEHOUSE_SMTP_URL smtp://host[:port] (STARTTLS when the
 * server offers it; required when credentials are set and the host is not
 * loopback) or smtps://host[:port] (TLS from the start). Credentials come
 * from the URL's userinfo or GATEHOUSE_SMTP_USER / GATEHOUSE_SMTP_PASSWORD
 * (which win). The URL kept has no userinfo; `where` is "host:port" for
 * logs. */
struct gh_smtp_conf {
    char *url;        /* without userinfo; owned */
    char *user;       /* NULL = no AUTH; owned */
    char *password;   /* owned; a secret: wiped by gh_smtp_conf_clear, never logged */
    int   tls;        /* 0 opportunistic STARTTLS, 1 STARTTLS required, 2 smtps */
    char  where[300]; /* host:port, safe to log */
    long  timeout_ms; /* whole submission; 0 → GH_SMTP_TIMEOUT_MS */
};
/* Parses url (and the separate user/password, each NULL when unset). Another
 * scheme, a path other than "/" or an empty host → GH_E_PARAM_INVALID (the
 * message never holds the password). Clear *out with gh_smtp_conf_clear,
 * also after a failure. */
int  gh_smtp_conf_parse(const char *url, const char *user, const char *password,
    struct gh_smtp_conf *out, struct gh_err *err);
void gh_smtp_conf_clear(struct gh_smtp_conf *c);

struct gh_smtp_result {
    long    code;         /* last SMTP reply code, 0 when none */
    int     permanent;    /* 1: a 5xx refusal that a retry will not change */
    int64_t duration_ms;
    char    error[256];   /* for logs; never holds a credential */
};
/* Submits msg[0..len) from `sender` to `rcpt` (envelope addresses). 0 when
 * the server accepted it; -1 with *res and err (GH_E_UNAVAILABLE) otherwise.
 * Thread-safe: one easy handle per call. */
int gh_smtp_send(const struct gh_smtp_conf *c, const char *sender, const char *rcpt,
    const char *msg, size_t len, struct gh_smtp_result *res, struct gh_err *err);

/* ---- the mailer: queue + worker (mailer.c) ---- */
#define GH_MAILER_MAX_ATTEMPTS 8
#define GH_MAILER_LEASE_MS     120000 /* > the 30 s submission timeout, with room */
#define GH_MAILER_POLL_MS      1000   /* also sees other servers' rows */
#define GH_MAILER_BATCH        8
#define GH_MAILER_KEEP_MS      (7LL * 24 * 3600 * 1000) /* settled rows kept this long */

struct gh_mailer_conf {
    struct gh_store            *store;      /* borrowed; outlives the mailer */
    const struct gh_master_key *master;     /* borrowed: seals queued messages */
    const struct gh_smtp_conf  *smtp;       /* borrowed; outlives the mailer */
    const char                 *from;       /* From header (copied) */
    double                      time_scale; /* multiplies retry delays (tests: 0.001) */
    int64_t                     poll_ms;    /* 0 → GH_MAILER_POLL_MS */
};
struct gh_mailer;

/* One email to queue. Strings borrowed for the call. */
struct gh_mailer_item {
    const char *to;
    const char *subject;
    const char *text;
    const char *html;       /* or NULL */
    int64_t     expires_at; /* ms; not sent after this (codes); GH_TIME_NULL = never */
};

/* A mailer that can queue (gh_mailer_enqueue) but sends nothing until
 * gh_mailer_start. Bad From → GH_E_PARAM_INVALID. Free with gh_mailer_free. */
int  gh_mailer_new(const struct gh_mailer_conf *conf, struct gh_mailer **out, struct gh_err *err);
/* Starts the worker thread. */
int  gh_mailer_start(struct gh_mailer *m, struct gh_err *err);
/* Formats, seals and queues one email in the mail outbox, joining the
 * calling thread's transaction when one is open (so it is sent only if that
 * commits, and a crash after the commit loses nothing). Outside a
 * transaction the worker is woken at once; inside, the caller wakes it after
 * the commit (gh_mailer_wake). Bad address → GH_E_PARAM_INVALID naming
 * "email_address". arg is the struct gh_mailer *. */
int  gh_mailer_enqueue(void *arg, const char *instance_id, const struct gh_mailer_item *it,
    struct gh_err *err);
/* Wakes the worker (new rows). arg is the struct gh_mailer *; NULL is a no-op. */
void gh_mailer_wake(void *arg);
/* Stops the worker (waiting for an attempt in flight, ≤ the SMTP timeout) and
 * frees. NULL is a no-op. */
void gh_mailer_free(struct gh_mailer *m);

/* When attempt attempt_no + 1 is due, given attempt_no attempts made
 * (1 → +10 s, then 30 s, 2 min, 10 min, 30 min, 1 h, 2 h), times time_scale
 * (not a positive finite number → 1.0). -1 when GH_MAILER_MAX_ATTEMPTS are
 * used up. */
int64_t gh_mailer_next_attempt_ms(int attempt_no, int64_t now_ms, double time_scale);

#endif
