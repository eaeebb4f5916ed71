/* reply.c: filling a response (gh_resp_*) and rendering a gh_err as Clerk's
 * error document (gh_reply_error, the only place an error meets the wire).
 * It does not talk to libmicrohttpd: server.c turns the finished gh_resp
 * into a MHD response and adds the standard headers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "http/server.h"
#include "util/log.h"
#include "util/str.h"

/* Closes a file body a handler set, when something replaces it. */
static void
drop_fd(struct gh_resp *resp)
{
    if (resp->has_fd)
        close(resp->fd);
    resp->has_fd = 0;
    resp->fd = -1;
    resp->fd_len = 0;
}

static void
set_body(struct gh_resp *resp, int status, const char *ctype, char *body, size_t len)
{
    char *ct = gh_strdup(ctype);

    drop_fd(resp);
    free(resp->content_type);
    free(resp->body);
    resp->content_type = ct;
    resp->body = body;
    resp->len = len;
    resp->status = status;
    if (ct == NULL || body == NULL)
        resp->failed = 1;
}

void
gh_resp_json(struct gh_resp *resp, int status, json_t *body)
{
    char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;

    json_decref(body);
    set_body(resp, status, "application/json", text, text != NULL ? strlen(text) : 0);
}

void
gh_resp_json_text(struct gh_resp *resp, int status, const char *json)
{
    char *copy = gh_strdup(json);

    set_body(resp, status, "application/json", copy, copy != NULL ? strlen(copy) : 0);
}

void
gh_resp_body(struct gh_resp *resp, int status, const char *content_type, const char *body,
    size_t len)
{
    char *copy = malloc(len + 1);

    if (copy != NULL) {
        if (len > 0)
            memcpy(copy, body, len);
        copy[len] = '\0';
    }
    set_body(resp, status, content_type, copy, len);
}

void
gh_resp_file(struct gh_resp *resp, int status, const char *content_type, int fd, uint64_t len)
{
    char *ct = gh_strdup(content_type);

    drop_fd(resp);
    free(resp->content_type);
    free(resp->body);
    resp->content_type = ct;
    resp->body = NULL;
    resp->len = 0;
    resp->status = status;
    if (ct == NULL) {
        resp->failed = 1;
        close(fd);
        return;
    }
    resp->has_fd = 1;
    resp->fd = fd;
    resp->fd_len = len;
}

/* CR, LF or NUL in a header would let a value smuggle another header. */
static int
header_safe(const char *s)
{
    return s != NULL && strpbrk(s, "\r\n") == NULL;
}

void
gh_resp_header(struct gh_resp *resp, const char *name, const char *value)
{
    struct gh_resp_header *h;

    if (!header_safe(name) || !header_safe(value) || name[0] == '\0' ||
        resp->nhdr == GH_HTTP_MAX_RESP_HEADERS) {
        gh_log_error("refused response header (unsafe or too many)");
        resp->failed = 1;
        return;
    }
    h = &resp->hdr[resp->nhdr];
    h->name = gh_strdup(name);
    h->value = gh_strdup(value);
    resp->nhdr++;
    if (h->name == NULL || h->value == NULL)
        resp->failed = 1;
}

const char *
gh_resp_find_header(const struct gh_resp *resp, const char *name)
{
    for (size_t i = 0; i < resp->nhdr; i++)
        if (resp->hdr[i].name != NULL && strcasecmp(resp->hdr[i].name, name) == 0)
            return resp->hdr[i].value;
    return NULL;
}

void
gh_resp_unset_header(struct gh_resp *resp, const char *name)
{
    size_t w = 0;

    for (size_t i = 0; i < resp->nhdr; i++) {
        if (resp->hdr[i].name != NULL && strcasecmp(resp->hdr[i].name, name) == 0) {
            free(resp->hdr[i].name);
            free(resp->hdr[i].value);
            continue;
        }
        resp->hdr[w++] = resp->hdr[i];
    }
    for (size_t i = w; i < resp->nhdr; i++)
        resp->hdr[i].name = resp->hdr[i].value = NULL;
    resp->nhdr = w;
}

void
gh_resp_clear(struct gh_resp *resp)
{
    for (size_t i = 0; i < resp->nhdr; i++) {
        free(resp->hdr[i].name);
        free(resp->hdr[i].value);
    }
    drop_fd(resp);
    free(resp->content_type);
    free(resp->body);
    memset(resp, 0, sizeof(*resp));
}

static json_t *
error_doc(const struct gh_err *err, const char *trace_id)
{
    json_t *item = json_object();
    json_t *meta = json_object();

    if (err->param[0] != '\0')
        json_object_set_new(meta, "param_name", json_string(err->param));
    if (err->code == GH_E_USER_LOCKED) /* clerk-js shows the wait from here */
        json_object_set_new(meta, "lockout_expires_in_seconds",
            err->lockout_s > 0 ? json_integer((json_int_t)err->lockout_s) : json_null());
    if (err->session_id[0] != '\0') /* clerk-js switches to this session */
        json_object_set_new(meta, "session_id", json_string(err->session_id));
    json_object_set_new(item, "code", json_string(gh_err_api_code(err->code)));
    json_object_set_new(item, "message", json_string(gh_err_message(err)));
    json_object_set_new(item, "long_message", json_string(gh_err_long_message(err)));
    json_object_set_new(item, "meta", meta);
    return json_pack("{s:[o],s:{},s:s}", "errors", item, "meta", "clerk_trace_id",
        trace_id != NULL ? trace_id : "");
}

void
gh_reply_error(struct gh_req *req, struct gh_resp *resp, const struct gh_err *err)
{
    struct gh_err    internal = { 0 };
    int              status;
    enum gh_log_level lvl;

    if (err == NULL || err->code == GH_E_OK) {
        /* A failure without a code is a bug in the caller; never answer 200. */
        GH_FAIL(&internal, GH_E_INTERNAL, NULL);
        gh_err_note(&internal, "error reply without an error code");
        err = &internal;
    }
    status = gh_err_status(err->code);
    lvl = status >= 500 ? GH_LOG_ERROR : GH_LOG_WARN;
    gh_log_write(lvl, err->func != NULL ? err->func : "?", "error %s status=%d line=%d%s%s",
        gh_err_name(err->code), status, err->line, err->note[0] != '\0' ? " note=" : "",
        err->note);
    resp->failed = 0;
    gh_resp_json(resp, status, error_doc(err, req != NULL ? req->request_id : NULL));
    if (status == 429 && resp->retry_after_s == 0)
        resp->retry_after_s = err->retry_after_s > 0 ? err->retry_after_s : 1;
}
