/* users_io.c: see users_io.h. Import reads a line, parses it with the same
 * reader as POST /v1/users (user_body.h) and queues it; a full batch goes to
 * core in one transaction (core/user_import.c). Export pages through the
 * users in id order and writes each as the line import would read. The
 * progress display is here too: a bar on a terminal, a line every 10 %
 * otherwise. Nothing here prints a line's content. */
#include "api/backend/users_io.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/backend/user_body.h"
#include "api/params.h"
#include "core/app.h"
#include "core/user_import.h"
#include "util/err.h"

#define EXPORT_PAGE   1000
#define LINES_EVERY   100000 /* progress lines without a known total */
#define BAR_WIDTH     24
#define BAR_REDRAW_S  0.2

/* ---- progress ---- */

struct progress {
    FILE                     *msg;
    enum gh_users_io_progress mode;
    const char               *verb;   /* "import", "export" */
    int64_t                   total;  /* bytes (import) or users (export); -1 unknown */
    double                    t0;
    double                    drawn;  /* when the bar was last drawn */
    int64_t                   mark;   /* last decile / LINES_EVERY step printed */
    int                       on_bar; /* the cursor is on a drawn bar */
};

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
progress_init(struct progress *pg, FILE *msg, enum gh_users_io_progress mode, const char *verb,
    int64_t total)
{
    memset(pg, 0, sizeof(*pg));
    pg->msg = msg;
    pg->mode = msg != NULL ? mode : GH_USERS_IO_QUIET;
    pg->verb = verb;
    pg->total = total > 0 ? total : -1;
    pg->t0 = pg->drawn = now_s();
    pg->mark = 0;
}

/* Leaves the bar's line so that other output starts on a clean one. */
static void
progress_break(struct progress *pg)
{
    if (pg->on_bar)
        fputs("\r\033[K", pg->msg);
    pg->on_bar = 0;
}

/* users: done so far; at: position in total (bytes or users). */
static void
progress_show(struct progress *pg, uint64_t users, int64_t at, int final)
{
    double t = now_s(), secs = t - pg->t0, rate = secs > 0 ? (double)users / secs : 0;
    double frac = pg->total > 0 ? (double)at / (double)pg->total : 0;
    int64_t step;
    char    bar[BAR_WIDTH + 1];

    if (pg->mode == GH_USERS_IO_QUIET)
        return;
    if (frac > 1)
        frac = 1;
    if (pg->mode == GH_USERS_IO_LINES) {
        step = pg->total > 0 ? (int64_t)(frac * 10) : (int64_t)(users / LINES_EVERY);
        if (final || step <= pg->mark)
            return;
        pg->mark = step;
        if (pg->total > 0)
            fprintf(pg->msg, "%s: %3.0f%%  %llu users  %.0f users/s\n", pg->verb, frac * 100,
                (unsigned long long)users, rate);
        else
            fprintf(pg->msg, "%s: %llu users  %.0f users/s\n", pg->verb,
                (unsigned long long)users, rate);
        fflush(pg->msg);
        return;
    }
    if (!final && t - pg->drawn < BAR_REDRAW_S)
        return;
    pg->drawn = t;
    if (pg->total > 0) {
        int    full = (int)(frac * BAR_WIDTH);
        double eta = frac > 0 ? secs / frac - secs : 0;

        for (int i = 0; i < BAR_WIDTH; i++)
            bar[i] = i < full ? '#' : '.';
        bar[BAR_WIDTH] = '\0';
        fprintf(pg->msg, "\r%s [%s] %3.0f%%  %llu users  %.0f/s  ETA %d:%02d\033[K", pg->verb,
            bar, frac * 100, (unsigned long long)users, rate, (int)eta / 60, (int)eta % 60);
    } else {
        fprintf(pg->msg, "\r%s %llu users  %.0f/s\033[K", pg->verb, (unsigned long long)users,
            rate);
    }
    pg->on_bar = 1;
    if (final)
        progress_break(pg);
    fflush(pg->msg);
}

/* ---- import ---- */

struct batch {
    size_t                   n, cap;
    json_t                 **json;
    struct gh_api_user_body *body;
    struct gh_user_import   *items;
    uint64_t                *lineno;
};

struct import_ctx {
    struct gh_app            *app;
    struct batch              b;
    struct progress           pg;
    struct gh_users_io_stats *stats;
    int64_t                   bytes; /* read so far */
};

static int
batch_init(struct batch *b, size_t cap)
{
    memset(b, 0, sizeof(*b));
    b->cap = cap;
    b->json = calloc(cap, sizeof(*b->json));
    b->body = calloc(cap, sizeof(*b->body));
    b->items = calloc(cap, sizeof(*b->items));
    b->lineno = calloc(cap, sizeof(*b->lineno));
    return b->json != NULL && b->body != NULL && b->items != NULL && b->lineno != NULL ? 0 : -1;
}

static void
batch_reset(struct batch *b)
{
    for (size_t k = 0; k < b->n; k++) {
        gh_api_user_body_clear(&b->body[k]);
        json_decref(b->json[k]);
        b->json[k] = NULL;
    }
    b->n = 0;
}

static void
batch_free(struct batch *b)
{
    batch_reset(b);
    free(b->json);
    free(b->body);
    free(b->items);
    free(b->lineno);
}

/* "line N: param: message" for a refused line (at most ERRORS_SHOWN). */
static void
report(struct import_ctx *c, uint64_t lineno, const struct gh_err *e)
{
    c->stats->failed++;
    if (c->pg.msg == NULL || c->stats->failed > GH_USERS_IO_ERRORS_SHOWN)
        return;
    progress_break(&c->pg);
    fprintf(c->pg.msg, "line %llu: %s%s%s\n", (unsigned long long)lineno, e->param,
        e->param[0] != '\0' ? ": " : "", gh_err_message(e));
    if (c->stats->failed == GH_USERS_IO_ERRORS_SHOWN)
        fputs("(further refused lines are counted, not shown)\n", c->pg.msg);
}

static int
flush(struct import_ctx *c, struct gh_err *err)
{
    struct batch *b = &c->b;

    if (b->n == 0)
        return 0;
    if (gh_user_import_batch(c->app, c->app->instance->id, b->items, b->n, err) == -1)
        return -1;
    for (size_t k = 0; k < b->n; k++) {
        if (b->items[k].stored)
            c->stats->stored++;
        else
            report(c, b->lineno[k], &b->items[k].err);
    }
    batch_reset(b);
    progress_show(&c->pg, c->stats->stored, c->bytes, 0);
    return 0;
}

static int
blank(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return 0;
    return 1;
}

/* Queues a line refused before it reached core, so its error is reported
 * in line order with the rest of its batch. */
static void
take_refused(struct batch *b, const struct gh_err *e, uint64_t lineno)
{
    b->json[b->n] = NULL;
    memset(&b->body[b->n], 0, sizeof(b->body[b->n]));
    b->items[b->n].p = NULL;
    b->items[b->n].err = *e;
    b->lineno[b->n++] = lineno;
}

/* Parses one line into the batch (refused or not). */
static void
take_line(struct batch *b, const char *line, size_t len, uint64_t lineno)
{
    struct gh_err e = { 0 };
    json_error_t  jerr;
    json_t       *j = NULL;

    if (len > GH_USERS_IO_LINE_MAX) {
        GH_FAIL(&e, GH_E_BODY_INVALID, "the line is too long");
    } else if ((j = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr)) ==
               NULL) {
        /* Same flags as a request body; the parser's message quotes input,
         * so only what went wrong is shown. */
        GH_FAIL(&e, GH_E_BODY_INVALID, json_error_code(&jerr) == json_error_duplicate_key
                                            ? "the line has a duplicate key"
                                            : "the line is not valid JSON");
    } else if (!json_is_object(j)) {
        GH_FAIL(&e, GH_E_BODY_INVALID, "the line must be a JSON object");
    } else if (gh_api_user_body_read(j, &b->body[b->n], &e) == 0) {
        b->json[b->n] = j;
        b->items[b->n].p = &b->body[b->n].p;
        b->lineno[b->n++] = lineno;
        return;
    } else {
        gh_api_user_body_clear(&b->body[b->n]);
    }
    json_decref(j);
    take_refused(b, &e, lineno);
}

int
gh_users_import(struct gh_app *app, FILE *in, const struct gh_users_io_opts *o, FILE *msg,
    struct gh_users_io_stats *stats, struct gh_err *err)
{
    struct import_ctx c = { .app = app, .stats = stats };
    size_t            batch = o->batch >= 1 && o->batch <= GH_USERS_IO_BATCH_MAX
                                  ? o->batch : GH_USERS_IO_BATCH_DEFAULT;
    char             *line = NULL;
    size_t            cap = 0;
    ssize_t           len;
    uint64_t          lineno = 0;
    int               rc = -1;

    memset(stats, 0, sizeof(*stats));
    progress_init(&c.pg, msg, o->progress, "import", o->total_bytes);
    if (batch_init(&c.b, batch) == -1) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    while ((len = getline(&line, &cap, in)) != -1) {
        lineno++;
        c.bytes += len;
        if (blank(line, (size_t)len))
            continue;
        stats->lines++;
        take_line(&c.b, line, (size_t)len, lineno);
        if (c.b.n == c.b.cap && flush(&c, err) == -1)
            goto done;
    }
    if (ferror(in)) {
        GH_FAIL(err, GH_E_INTERNAL, "cannot read the input");
        goto done;
    }
    if (flush(&c, err) == -1 || (stats->stored > 0 && gh_user_import_finish(app, err) == -1))
        goto done;
    rc = 0;
done:
    progress_show(&c.pg, stats->stored, c.bytes, 1);
    stats->seconds = now_s() - c.pg.t0;
    batch_free(&c.b);
    free(line);
    return rc;
}

/* ---- export ---- */

static int
set_str(json_t *o, const char *key, const char *v)
{
    return v == NULL ? 0 : json_object_set_new(o, key, json_string(v));
}

static int
set_time(json_t *o, const char *key, int64_t ms)
{
    return ms == GH_TIME_NULL ? 0 : json_object_set_new(o, key, json_integer((json_int_t)ms));
}

/* The identifiers of one type, primary first (import makes the first primary). */
static json_t *
ident_list(const struct gh_user *u, enum gh_ident_type type, const char *primary)
{
    json_t *a = json_array();

    for (int pass = 0; a != NULL && pass < 2; pass++)
        for (size_t i = 0; i < u->nidents; i++) {
            const struct gh_ident *d = &u->idents[i];
            int is_primary = primary != NULL && strcmp(d->id, primary) == 0;

            if (d->type == type && d->value != NULL && is_primary == (pass == 0))
                json_array_append_new(a, json_string(d->value));
        }
    return a;
}

/* One import line for u (caller frees). */
static json_t *
export_user(const struct gh_user *u)
{
    json_t     *o = json_object();
    const char *digest;
    char        hasher[64];
    int         bad = o == NULL;

    if (bad)
        return NULL;
    bad |= json_object_set_new(o, "email_address",
        ident_list(u, GH_IDENT_EMAIL, u->primary_email_id));
    bad |= json_object_set_new(o, "phone_number",
        ident_list(u, GH_IDENT_PHONE, u->primary_phone_id));
    bad |= set_str(o, "username", u->username) | set_str(o, "first_name", u->first_name) |
        set_str(o, "last_name", u->last_name) | set_str(o, "external_id", u->external_id);
    if (gh_user_export_digest(u, hasher, sizeof(hasher), &digest))
        bad |= set_str(o, "password_digest", digest) | set_str(o, "password_hasher", hasher);
    bad |= json_object_set_new(o, "public_metadata", gh_api_obj_text(u->public_metadata));
    bad |= json_object_set_new(o, "private_metadata", gh_api_obj_text(u->private_metadata));
    bad |= json_object_set_new(o, "unsafe_metadata", gh_api_obj_text(u->unsafe_metadata));
    bad |= set_time(o, "created_at", u->created_at) |
        set_time(o, "legal_accepted_at", u->legal_accepted_at);
    bad |= json_object_set_new(o, "banned", json_boolean(u->banned)) |
        json_object_set_new(o, "locked", json_boolean(u->locked)) |
        json_object_set_new(o, "delete_self_enabled", json_boolean(u->delete_self_enabled)) |
        json_object_set_new(o, "create_organization_enabled",
            json_boolean(u->create_organization_enabled));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int
write_page(FILE *out, struct gh_user **v, size_t n, struct gh_err *err)
{
    for (size_t k = 0; k < n; k++) {
        json_t *o = export_user(v[k]);
        int     bad = o == NULL || json_dumpf(o, out, JSON_COMPACT) == -1 || fputc('\n', out) == EOF;

        json_decref(o);
        if (bad)
            return GH_FAIL(err, GH_E_INTERNAL, "cannot write the output");
    }
    return 0;
}

int
gh_users_export(struct gh_app *app, FILE *out, const struct gh_users_io_opts *o, FILE *msg,
    struct gh_users_io_stats *stats, struct gh_err *err)
{
    struct progress       pg;
    struct gh_user_filter all;
    struct gh_user      **v = NULL;
    size_t                n = 0;
    int64_t               total = -1;
    char                  after[GH_ID_MAX] = "";
    int                   rc = -1;

    memset(stats, 0, sizeof(*stats));
    gh_user_filter_init(&all);
    if (o->progress != GH_USERS_IO_QUIET &&
        gh_user_count(app, app->instance->id, &all, &total, err) == -1)
        return -1;
    progress_init(&pg, msg, o->progress, "export", total);
    for (;;) {
        if (gh_user_scan(app, app->instance->id, after, EXPORT_PAGE, &v, &n, err) == -1)
            goto done;
        if (n == 0)
            break;
        if (write_page(out, v, n, err) == -1)
            goto done;
        stats->stored += n;
        memcpy(after, v[n - 1]->id, sizeof(after));
        gh_users_free(v, n);
        v = NULL;
        n = 0;
        progress_show(&pg, stats->stored, (int64_t)stats->stored, 0);
    }
    if (fflush(out) == EOF || ferror(out)) {
        GH_FAIL(err, GH_E_INTERNAL, "cannot write the output");
        goto done;
    }
    rc = 0;
done:
    gh_users_free(v, n);
    progress_show(&pg, stats->stored, (int64_t)stats->stored, 1);
    stats->seconds = now_s() - pg.t0;
    return rc;
}
