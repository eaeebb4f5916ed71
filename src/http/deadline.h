/* deadline.h (issue 6): total-time deadlines for reading a request, against
 * slowloris-style clients. libmicrohttpd's connection timeout is an idle
 * timeout, renewed by every byte, so a client that sends one header byte
 * every few seconds would hold its connection forever. Here every
 * connection is tracked from accept (libmicrohttpd's connection
 * notification) and a reaper thread cuts, with shutdown(2), any connection
 * whose request line and headers did not arrive within header_s, or whose
 * body did not arrive within body_s of its headers. Libmicrohttpd then sees
 * the end of the stream and closes the connection itself: the socket is
 * never closed behind its back. */
#ifndef GH_HTTP_DEADLINE_H
#define GH_HTTP_DEADLINE_H

#include <stdint.h>

#include "util/err.h"

struct gh_http_deadlines;
struct gh_http_conn; /* one tracked connection; libmicrohttpd's socket_context */

enum gh_http_phase {
    GH_HTTP_PHASE_HEADERS = 0, /* reading request line + headers (first request) */
    GH_HTTP_PHASE_NEXT,        /* keep-alive: waiting for and reading the next request */
    GH_HTTP_PHASE_BODY,        /* headers read, body arriving */
    GH_HTTP_PHASE_BUSY,        /* handler running or reply going out: no deadline */
};

/* Starts the reaper. header_s and body_s as above; a keep-alive connection
 * gets idle_s + header_s for its next request. *out: stop with
 * gh_http_deadlines_stop once no daemon uses it any more. */
int  gh_http_deadlines_start(unsigned header_s, unsigned body_s, unsigned idle_s,
                             struct gh_http_deadlines **out, struct gh_err *err);
void gh_http_deadlines_stop(struct gh_http_deadlines *d); /* NULL ok */

/* Tracks a new connection on socket fd (phase HEADERS); NULL on OOM (the
 * connection is then simply not tracked). Untracked when closed. */
struct gh_http_conn *gh_http_deadline_open(struct gh_http_deadlines *d, int fd);
void gh_http_deadline_close(struct gh_http_deadlines *d, struct gh_http_conn *c); /* NULL ok */
/* Moves c to a phase; its clock restarts. NULL ok. */
void gh_http_deadline_phase(struct gh_http_conn *c, enum gh_http_phase phase);
/* Connections cut so far (metrics, tests). */
uint64_t gh_http_deadlines_cut(const struct gh_http_deadlines *d);

#endif
