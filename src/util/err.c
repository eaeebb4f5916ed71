/* err.c: the error table and the helpers that fill struct gh_err. It knows
 * nothing of HTTP beyond the status number in each row. */
#include "util/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct err_row {
    const char *name;
    int         status;
    const char *api;
    const char *msg;
};

static const struct err_row err_rows[GH_E__COUNT] = {
    [GH_E_OK] = { "OK", 200, "ok", "ok" },
#define GH_ERR(n, s, a, m) [GH_E_##n] = { #n, (s), (a), (m) },
#include "err.def"
#undef GH_ERR
};

static const struct err_row *
row(enum gh_err_code code)
{
    if ((int)code < 0 || code >= GH_E__COUNT)
        code = GH_E_INTERNAL;
    return &err_rows[code];
}

int
gh_err_set(struct gh_err *err, enum gh_err_code code, const char *func, int line,
    const char *desc)
{
    if (err == NULL || err->code != GH_E_OK)
        return -1;
    err->code = code;
    err->func = func;
    err->line = line;
    snprintf(err->desc, sizeof(err->desc), "%s", desc != NULL ? desc : "");
    return -1;
}

int
gh_err_param(struct gh_err *err, enum gh_err_code code, const char *func, int line,
    const char *param, const char *desc)
{
    if (err == NULL || err->code != GH_E_OK)
        return -1;
    gh_err_set(err, code, func, line, desc != NULL ? desc : row(code)->msg);
    snprintf(err->param, sizeof(err->param), "%s", param != NULL ? param : "");
    if (param != NULL && desc != NULL && desc[0] >= 'a' && desc[0] <= 'z')
        snprintf(err->long_msg, sizeof(err->long_msg), "%s %s", param, desc);
    else if (param != NULL && desc == NULL)
        snprintf(err->long_msg, sizeof(err->long_msg), "%s %s", param, row(code)->msg);
    return -1;
}

void
gh_err_note(struct gh_err *err, const char *fmt, ...)
{
    va_list ap;
    size_t  len;

    if (err == NULL)
        return;
    len = strlen(err->note);
    if (len >= sizeof(err->note) - 2)
        return;
    if (len > 0)
        err->note[len++] = ';', err->note[len] = '\0';
    va_start(ap, fmt);
    vsnprintf(err->note + len, sizeof(err->note) - len, fmt, ap);
    va_end(ap);
}

void
gh_err_clear(struct gh_err *err)
{
    memset(err, 0, sizeof(*err));
}

int
gh_err_status(enum gh_err_code code)
{
    return row(code)->status;
}

const char *
gh_err_api_code(enum gh_err_code code)
{
    return row(code)->api;
}

const char *
gh_err_name(enum gh_err_code code)
{
    return row(code)->name;
}

const char *
gh_err_message(const struct gh_err *err)
{
    return err->desc[0] != '\0' ? err->desc : row(err->code)->msg;
}

const char *
gh_err_long_message(const struct gh_err *err)
{
    return err->long_msg[0] != '\0' ? err->long_msg : gh_err_message(err);
}
