/* err.h: one error type for every fallible function, and the table that maps
 * internal codes to HTTP status and Clerk error codes (err.def). Only
 * gh_reply_error() (src/http/reply.c) turns a gh_err into a response. */
#ifndef GH_UTIL_ERR_H
#define GH_UTIL_ERR_H

#include <stdint.h>

enum gh_err_code {
    GH_E_OK = 0,
#define GH_ERR(name, status, api, msg) GH_E_##name,
#include "err.def"
#undef GH_ERR
    GH_E__COUNT
};

struct gh_err {
    enum gh_err_code code;
    const char      *func;      /* where it was raised; set by GH_FAIL */
    int              line;
    char             desc[128]; /* client-safe "message"; empty → table default */
    char             long_msg[256]; /* client-safe "long_message"; empty → desc */
    char             param[64]; /* meta.param_name, or empty */
    char             session_id[48]; /* meta.session_id (identifier_already_signed_in), or empty */
    char             note[256]; /* detail for the log; never sent */
    unsigned         retry_after_s; /* GH_E_TOO_MANY_REQUESTS: seconds for Retry-After (0 → 1) */
    int64_t          lockout_s; /* GH_E_USER_LOCKED: meta.lockout_expires_in_seconds (0 → null:
                                   locked until an admin unlocks) */
};

/* Records the first failure only (later calls on a set err are ignored so the
 * root cause survives). Always returns -1 so `return GH_FAIL(...)` works. */
int gh_err_set(struct gh_err *err, enum gh_err_code code, const char *func, int line,
    const char *desc);
#define GH_FAIL(err, c, desc) gh_err_set((err), (c), __func__, __LINE__, (desc))

/* Like GH_FAIL, and names the offending parameter (meta.param_name) and
 * sets long_message to "<param> <desc>" unless desc already reads as a sentence. */
int gh_err_param(struct gh_err *err, enum gh_err_code code, const char *func, int line,
    const char *param, const char *desc);
#define GH_FAIL_PARAM(err, c, param, desc) \
    gh_err_param((err), (c), __func__, __LINE__, (param), (desc))

/* Adds log-only detail (printf-style) to an error already set. */
void gh_err_note(struct gh_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void gh_err_clear(struct gh_err *err);

int         gh_err_status(enum gh_err_code code);   /* HTTP status */
const char *gh_err_api_code(enum gh_err_code code); /* Clerk "code" */
const char *gh_err_name(enum gh_err_code code);     /* "NOT_FOUND" */
/* message for the wire: err->desc, else the table's default */
const char *gh_err_message(const struct gh_err *err);
/* long_message for the wire: err->long_msg, else gh_err_message() */
const char *gh_err_long_message(const struct gh_err *err);

#endif
