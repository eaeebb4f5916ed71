/* db.h: the internal driver interface under store.h. A driver (sqlite.c,
 * postgres.c) turns one SQL text with `?` placeholders plus typed parameters
 * into rows of strings, caching one prepared statement per SQL text on each
 * connection. Queries themselves are written once, in the store_*.c files;
 * drivers know nothing of tables. This header is private to src/store. */
#ifndef GH_STORE_DB_H
#define GH_STORE_DB_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/buf.h"
#include "util/err.h"

enum gh_db_type { GH_DB_NULL = 0, GH_DB_TEXT, GH_DB_INT, GH_DB_BLOB };

struct gh_db_param {
    enum gh_db_type type;
    const char     *text; /* GH_DB_TEXT: NUL-terminated, borrowed for the call */
    int64_t         i;    /* GH_DB_INT */
    const void     *blob; /* GH_DB_BLOB: borrowed */
    size_t          len;  /* GH_DB_BLOB: bytes */
};

/* Parameter constructors; a NULL string or GH_TIME_NULL becomes SQL NULL. */
static inline struct gh_db_param
gh_db_text(const char *s)
{
    struct gh_db_param p = { .type = s != NULL ? GH_DB_TEXT : GH_DB_NULL, .text = s };
    return p;
}

static inline struct gh_db_param
gh_db_int(int64_t v)
{
    struct gh_db_param p = { .type = GH_DB_INT, .i = v };
    return p;
}

static inline struct gh_db_param
gh_db_time(int64_t v) /* GH_TIME_NULL → NULL */
{
    struct gh_db_param p = { .type = v == INT64_MIN ? GH_DB_NULL : GH_DB_INT, .i = v };
    return p;
}

static inline struct gh_db_param
gh_db_blob(const void *b, size_t len)
{
    struct gh_db_param p = { .type = b != NULL ? GH_DB_BLOB : GH_DB_NULL, .blob = b, .len = len };
    return p;
}

/* A result: row-major cells, each NUL-terminated (blobs too, after their
 * bytes). cell[r * ncols + c] is NULL for SQL NULL. Everything lives in one
 * owned block released by gh_db_rows_clear. */
struct gh_db_rows {
    size_t  nrows;
    size_t  ncols;
    char  **cell; /* owned array of nrows*ncols pointers into data */
    size_t *len;  /* owned; byte length of each cell (0 for NULL) */
    char   *data; /* owned bytes */
};

/* Builds gh_db_rows one cell at a time (drivers use it; store.c has it). */
struct gh_db_rowbuf {
    size_t        ncols;
    size_t        ncells;
    size_t        acells;
    size_t       *off;  /* offset into data, SIZE_MAX for NULL */
    size_t       *len;
    struct gh_buf data;
    int           failed;
};

void gh_db_rowbuf_init(struct gh_db_rowbuf *rb, size_t ncols);
/* Appends the next cell (row-major); p == NULL is SQL NULL. */
void gh_db_rowbuf_cell(struct gh_db_rowbuf *rb, const void *p, size_t len);
/* Moves the cells into *rows (rows may be NULL: discarded). -1 on OOM; the
 * rowbuf is released either way. */
int  gh_db_rowbuf_finish(struct gh_db_rowbuf *rb, struct gh_db_rows *rows);
void gh_db_rows_clear(struct gh_db_rows *rows); /* accepts a zeroed struct */

/* Borrowed cell; NULL for SQL NULL. */
const char *gh_db_cell(const struct gh_db_rows *rows, size_t r, size_t c);
int64_t gh_db_cell_i64(const struct gh_db_rows *rows, size_t r, size_t c); /* NULL → GH_TIME_NULL */
/* Copies of cells: dup (NULL for NULL; -1 only on OOM), into a fixed array. */
int  gh_db_cell_dup(const struct gh_db_rows *rows, size_t r, size_t c, char **out);
void gh_db_cell_copy(const struct gh_db_rows *rows, size_t r, size_t c, char *dst, size_t size);

/* The statement cache: an SQL text → driver handle map, bounded (past
 * GH_DB_CACHE_MAX entries statements run unprepared). Keys are copied. */
#define GH_DB_CACHE_MAX 256
struct gh_db_cache_ent {
    char                   *sql;
    uint64_t                hash;
    void                   *handle; /* sqlite3_stmt * or a PG statement record */
    struct gh_db_cache_ent *next;
};
struct gh_db_cache {
    struct gh_db_cache_ent *bucket[64];
    size_t                  n;
};
void *gh_db_cache_find(struct gh_db_cache *c, const char *sql);
/* 0 when stored, -1 when full or out of memory (the caller keeps the handle). */
int gh_db_cache_add(struct gh_db_cache *c, const char *sql, void *handle);
/* Empties the cache, calling free_handle on each handle. */
void gh_db_cache_clear(struct gh_db_cache *c, void (*free_handle)(void *handle));

struct gh_db_ops;

/* The connection header every driver's connection starts with. */
struct gh_db_conn {
    const struct gh_db_ops *ops;
    struct gh_store        *st;   /* owner; set by store.c */
    struct gh_db_conn      *next; /* store's list of every thread's connection */
    struct gh_db_conn      *prev;
    int                     tx_depth; /* 1 inside gh_store_begin..commit/rollback */
};

struct gh_db_ops {
    const char *dialect;   /* "sqlite" | "postgres" */
    const char *begin_sql; /* "BEGIN IMMEDIATE" | "BEGIN" */
    const char *migrate_lock_sql; /* run first in each migration transaction, or NULL */
    const char *has_table_sql;    /* one `?` (table name); returns a count */
    const char *bulk_sql;         /* run on a connection before a bulk load, or NULL */
    const char *stats_start_sql;  /* planner statistics at every start (cheap), or NULL */
    const char *stats_bulk_sql;   /* planner statistics after a bulk load, or NULL */
    /* Opens a connection. Failures: GH_E_UNAVAILABLE (cannot reach) or GH_E_STORE. */
    int (*connect)(const char *url, struct gh_db_conn **out, struct gh_err *err);
    void (*disconnect)(struct gh_db_conn *c); /* accepts NULL */
    /* Runs several ;-separated statements, no parameters, no results. */
    int (*exec_script)(struct gh_db_conn *c, const char *sql, struct gh_err *err);
    /* Runs one statement. rows (may be NULL) is filled on success and must be
     * cleared by the caller; *changes (may be NULL) gets the affected row count.
     * Unique violations fail with GH_E_IDENTIFIER_EXISTS, err->note naming the
     * constraint or columns; lost database GH_E_UNAVAILABLE; else GH_E_STORE. */
    int (*query)(struct gh_db_conn *c, const char *sql, const struct gh_db_param *p, size_t np,
        struct gh_db_rows *rows, int64_t *changes, struct gh_err *err);
};

extern const struct gh_db_ops gh_db_sqlite_ops;
extern const struct gh_db_ops gh_db_postgres_ops;

/* ---- used by store_*.c (implemented in store.c) ---- */

/* Runs one statement on the calling thread's connection (connecting on first
 * use). Same contract as gh_db_ops.query. */
int gh_db_run(struct gh_store *st, const char *sql, const struct gh_db_param *p, size_t np,
    struct gh_db_rows *rows, int64_t *changes, struct gh_err *err);
/* A record type for gh_db_fetch: make an empty record, fill one from row r
 * (arg is the caller's, passed through), free one (NULL ok). */
struct gh_db_rec_type {
    void *(*rec_new)(void);
    int   (*rec_from_row)(const struct gh_db_rows *rows, size_t r, void *rec, const void *arg);
    void  (*rec_free)(void *rec);
};
/* Runs a SELECT and builds one record per row: *out is an owned array of *n
 * records (cast it to the record's pointer type), NULL-terminated. On failure
 * nothing is left allocated and *out is NULL. */
int gh_db_fetch(struct gh_store *st, const char *sql, const struct gh_db_param *p, size_t np,
    const struct gh_db_rec_type *type, const void *arg, void ***out, size_t *n,
    struct gh_err *err);
/* Begins a transaction unless one is open on this thread: *owned says whether
 * the caller must finish it with gh_db_tx_end. */
int gh_db_tx_join(struct gh_store *st, int *owned, struct gh_err *err);
/* ok != 0: commit when owned; else roll back when owned. Returns -1 when the
 * commit fails. */
int gh_db_tx_end(struct gh_store *st, int owned, int ok, struct gh_err *err);
/* Turns a GH_E_IDENTIFIER_EXISTS from the driver into the store.h contract:
 * names err->param, or downgrades to GH_E_STORE when param is NULL (a clash
 * on a row id is a bug, not a taken identifier). */
void gh_db_unique_param(struct gh_err *err, const char *param);

/* Query text built at run time (user and session lists): SQL plus a growing
 * parameter array. Sticky failure, checked once with gh_db_q_failed. */
struct gh_db_q {
    struct gh_buf       sql;
    struct gh_db_param *p;
    size_t              np;
    size_t              ap;
    int                 failed;
};
void gh_db_q_init(struct gh_db_q *q);
void gh_db_q_clear(struct gh_db_q *q);
void gh_db_q_sql(struct gh_db_q *q, const char *s);
void gh_db_q_param(struct gh_db_q *q, struct gh_db_param p);
/* Appends "(?,?,…)" for v[0..n) padded with copies of the last value to the
 * next power of two, so the text (and its cached statement) repeats. n ≥ 1. */
void gh_db_q_in_list(struct gh_db_q *q, const char *const *v, size_t n);
int  gh_db_q_failed(const struct gh_db_q *q);

#endif
