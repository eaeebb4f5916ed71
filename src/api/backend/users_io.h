/* users_io.h: `gatehouse users import` and `users export`: users as JSON
 * lines, one create-user body of the Backend API per line (POST /v1/users:
 * email_address, phone_number, username, first_name, last_name, external_id,
 * password_digest + password_hasher or password, *_metadata, created_at, …).
 * Import validates each line as the Backend API does and stores users in
 * large transactions with multi-row statements; export writes what import
 * reads back. Progress and per-line errors go to a separate stream; line
 * contents (which hold password digests) are never printed. */
#ifndef GH_API_BACKEND_USERS_IO_H
#define GH_API_BACKEND_USERS_IO_H

#include <stdint.h>
#include <stdio.h>

struct gh_app;
struct gh_err;

#define GH_USERS_IO_BATCH_DEFAULT 2000   /* users per transaction */
#define GH_USERS_IO_BATCH_MAX     50000
#define GH_USERS_IO_LINE_MAX      (256 * 1024) /* bytes per line (metadata is ≤ 3 × 8 KiB) */
#define GH_USERS_IO_ERRORS_SHOWN  1000   /* per-line errors printed; the rest are counted */

enum gh_users_io_progress {
    GH_USERS_IO_QUIET = 0, /* the summary line only */
    GH_USERS_IO_LINES = 1, /* a progress line every 10 % (or 100 000 users) */
    GH_USERS_IO_BAR = 2,   /* one bar redrawn in place (a terminal) */
};

struct gh_users_io_opts {
    size_t                    batch;       /* users per transaction, 1..GH_USERS_IO_BATCH_MAX */
    enum gh_users_io_progress progress;
    int64_t                   total_bytes; /* input size for percent and ETA; -1 unknown */
};

struct gh_users_io_stats {
    uint64_t lines;   /* non-blank lines read (import) */
    uint64_t stored;  /* users imported / exported */
    uint64_t failed;  /* lines refused (import) */
    double   seconds;
};

/* Reads JSON lines from in until EOF and imports them into the default
 * instance. A line that is not a JSON object, or whose values the Backend
 * API would refuse (bad or taken email, username, external id, digest …), is
 * reported on msg as "line N: param: message" and skipped; the other lines of
 * its batch are stored. 0 when the input was read to the end (check
 * stats->failed), -1 when reading or a transaction failed (err says why;
 * batches committed before stay). */
int gh_users_import(struct gh_app *app, FILE *in, const struct gh_users_io_opts *o, FILE *msg,
    struct gh_users_io_stats *stats, struct gh_err *err);

/* Writes every user of the default instance to out, one import line each
 * (identifiers, names, external id, metadata, flags, created_at, and the
 * password as password_digest + password_hasher). MFA material is not
 * exported (the TOTP secret stays sealed; backup codes are kept hashed).
 * Progress on msg as for import. -1 on a store or write failure. */
int gh_users_export(struct gh_app *app, FILE *out, const struct gh_users_io_opts *o, FILE *msg,
    struct gh_users_io_stats *stats, struct gh_err *err);

#endif
