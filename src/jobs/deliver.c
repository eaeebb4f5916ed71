/* deliver.c: one webhook delivery attempt: a signed POST with libcurl, under
 * the outbound address policy. One easy handle per call, so it is safe from
 * any number of worker threads. It does not retry, queue or record anything:
 * the caller reads struct gh_delivery_result and decides (retry.c schedule,
 * 410 → disable). src/jobs is the only directory that includes curl.h. */
#include <curl/curl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "jobs/ssrf.h"
#include "jobs/webhook.h"
#include "util/str.h"

#if LIBCURL_VERSION_NUM < 0x075500
#error "libcurl >= 7.85 is required (CURLOPT_PROTOCOLS_STR)"
#endif

struct attempt {
    const struct gh_ssrf_policy *pol;
    struct gh_delivery_result   *res;
    unsigned                     opened;  /* sockets we let curl open */
    unsigned                     refused; /* addresses the policy refused */
    int                          hung_up; /* we stopped reading a runaway body */
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CURLcode       init_rc = CURLE_FAILED_INIT;

static void
global_init(void)
{
    init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int
gh_webhook_global_init(struct gh_err *err)
{
    pthread_once(&init_once, global_init);
    if (init_rc != CURLE_OK) {
        GH_FAIL(err, GH_E_INTERNAL, NULL);
        gh_err_note(err, "curl_global_init: %s", curl_easy_strerror(init_rc));
        return -1;
    }
    return 0;
}

/* Runs for every address curl is about to connect to, after DNS: the last
 * moment to refuse, so a name that resolved to a public address at
 * registration and to 127.0.0.1 now (DNS rebinding) never gets a socket. */
static curl_socket_t
open_socket(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
    struct attempt *a = clientp;
    socklen_t       need = addr->family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                    : sizeof(struct sockaddr_in);
    curl_socket_t   s;

    if (purpose != CURLSOCKTYPE_IPCXN || addr->addrlen < need ||
        !gh_ssrf_addr_allowed(&addr->addr, a->pol)) {
        a->refused++;
        return CURL_SOCKET_BAD;
    }
    s = socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
    if (s != CURL_SOCKET_BAD)
        a->opened++;
    return s;
}

/* Keeps the first GH_WEBHOOK_RESP_CAP bytes, counts and drops the rest, and
 * hangs up past GH_WEBHOOK_RESP_DRAIN_MAX (a receiver streaming forever). */
static size_t
on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    struct attempt            *a = ud;
    struct gh_delivery_result *r = a->res;
    size_t                     n = size * nmemb, take;

    if (r->resp_len < GH_WEBHOOK_RESP_CAP) {
        take = GH_WEBHOOK_RESP_CAP - r->resp_len;
        take = n < take ? n : take;
        memcpy(r->resp + r->resp_len, p, take);
        r->resp_len += take;
        r->resp[r->resp_len] = '\0';
    }
    r->resp_total += n;
    if (r->resp_total > GH_WEBHOOK_RESP_DRAIN_MAX) {
        a->hung_up = 1;
        return 0; /* CURLE_WRITE_ERROR: the status line is already in */
    }
    return n;
}

/* Picks "Retry-After: <seconds>" out of the response headers (429/503). */
static size_t
on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    struct attempt *a = ud;
    size_t          n = size * nmemb, i = 12;
    int64_t         v = 0;

    if (n > 12 && strncasecmp(p, "retry-after:", 12) == 0) {
        while (i < n && (p[i] == ' ' || p[i] == '\t'))
            i++;
        if (i < n && p[i] >= '0' && p[i] <= '9') {
            for (; i < n && p[i] >= '0' && p[i] <= '9' && v < 10000000; i++)
                v = v * 10 + (p[i] - '0');
            a->res->retry_after_s = v; /* an HTTP-date form is ignored */
        }
    }
    return n;
}

static int
add_header(struct curl_slist **list, const char *name, const char *value)
{
    char               line[1024];
    struct curl_slist *l;

    if (snprintf(line, sizeof(line), "%s: %s", name, value) >= (int)sizeof(line))
        return -1;
    if ((l = curl_slist_append(*list, line)) == NULL)
        return -1;
    *list = l;
    return 0;
}

static int
build_headers(const struct gh_delivery_req *req, int64_t ts, struct curl_slist **out,
    struct gh_err *err)
{
    char *sig = NULL;
    char  tsbuf[32];
    int   rc = -1;

    if (gh_webhook_sign(req->secrets, req->nsecrets, req->msg_id, ts, req->body, req->body_len,
            &sig, err) == -1)
        goto done;
    snprintf(tsbuf, sizeof(tsbuf), "%" PRId64, ts);
    if (add_header(out, "Content-Type", "application/json") == -1 ||
        add_header(out, "svix-id", req->msg_id) == -1 ||
        add_header(out, "svix-timestamp", tsbuf) == -1 ||
        add_header(out, "svix-signature", sig) == -1 ||
        (*out = curl_slist_append(*out, "Expect:")) == NULL) { /* no 100-continue round trip */
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    rc = 0;
done:
    free(sig);
    return rc;
}

static long
or_default(long v, long def)
{
    return v > 0 ? v : def;
}

/* Every option that makes this a safe, bounded, single POST. */
static int
setup_handle(CURL *h, const struct gh_delivery_req *req, struct curl_slist *hdrs,
    struct attempt *a, char *errbuf)
{
    const char *protos = (a->pol != NULL && a->pol->https_only) ? "https" : "http,https";
    CURLcode    c = CURLE_OK;

#define SET(opt, val) \
    if (c == CURLE_OK) \
    c = curl_easy_setopt(h, opt, val)
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_URL, req->url);
    SET(CURLOPT_PROTOCOLS_STR, protos);
    SET(CURLOPT_REDIR_PROTOCOLS_STR, protos);
    SET(CURLOPT_FOLLOWLOCATION, 0L);          /* 3xx is a failure (Svix) */
    SET(CURLOPT_PROXY, "");                   /* no *_proxy from the environment */
    SET(CURLOPT_NOSIGNAL, 1L);                /* worker threads: no SIGALRM */
    SET(CURLOPT_TIMEOUT_MS, or_default(req->timeout_ms, GH_WEBHOOK_TIMEOUT_MS));
    SET(CURLOPT_CONNECTTIMEOUT_MS, or_default(req->connect_timeout_ms,
                                       GH_WEBHOOK_CONNECT_TIMEOUT_MS));
    SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    SET(CURLOPT_OPENSOCKETFUNCTION, open_socket);
    SET(CURLOPT_OPENSOCKETDATA, a);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, a);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, a);
    SET(CURLOPT_USERAGENT, GH_WEBHOOK_USER_AGENT);
    SET(CURLOPT_HTTPHEADER, hdrs);
    SET(CURLOPT_POST, 1L);
    SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    SET(CURLOPT_POSTFIELDS, req->body_len > 0 ? req->body : "");
#undef SET
    return c == CURLE_OK ? 0 : -1;
}

/* Turns curl's outcome into the result, and err when it is not a success. */
static int
finish(CURL *h, CURLcode cc, const struct attempt *a, const char *errbuf, struct gh_err *err)
{
    struct gh_delivery_result *r = a->res;
    long                       status = 0;
    /* A hang-up past the drain limit still had a complete status line. */
    int completed = cc == CURLE_OK || (cc == CURLE_WRITE_ERROR && a->hung_up);

    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    r->status = status;
    r->gone = status == 410;
    r->timed_out = cc == CURLE_OPERATION_TIMEDOUT;
    r->refused = a->refused > 0 && a->opened == 0;
    r->success = completed && status >= 200 && status <= 299;
    if (r->success)
        return 0;
    if (r->refused)
        snprintf(r->error, sizeof(r->error),
            "refused by the outbound address policy (private or reserved address)");
    else if (completed)
        snprintf(r->error, sizeof(r->error), "receiver answered HTTP %ld", status);
    else
        snprintf(r->error, sizeof(r->error), "%s", errbuf[0] != '\0' ? errbuf
                                                                     : curl_easy_strerror(cc));
    GH_FAIL(err, GH_E_UNAVAILABLE, "webhook delivery failed");
    gh_err_note(err, "%s", r->error);
    return -1;
}

int
gh_webhook_deliver(const struct gh_delivery_req *req, struct gh_delivery_result *res,
    struct gh_err *err)
{
    struct attempt     a = { .pol = req->policy, .res = res };
    struct curl_slist *hdrs = NULL;
    CURL              *h = NULL;
    char               errbuf[CURL_ERROR_SIZE] = "";
    uint64_t           t0 = gh_mono_ns();
    int                rc = -1;

    memset(res, 0, sizeof(*res));
    res->retry_after_s = -1;
    res->timestamp = req->timestamp > 0 ? req->timestamp : gh_now_ms() / 1000;
    if (req->url == NULL || (req->body == NULL && req->body_len > 0)) {
        snprintf(res->error, sizeof(res->error), "bad delivery request");
        GH_FAIL(err, GH_E_INTERNAL, NULL);
        goto done;
    }
    if (gh_webhook_global_init(err) == -1 ||
        build_headers(req, res->timestamp, &hdrs, err) == -1)
        goto fail_local;
    if ((h = curl_easy_init()) == NULL || setup_handle(h, req, hdrs, &a, errbuf) == -1) {
        GH_FAIL(err, GH_E_INTERNAL, NULL);
        goto fail_local;
    }
    rc = finish(h, curl_easy_perform(h), &a, errbuf, err);
    goto done;
fail_local:
    snprintf(res->error, sizeof(res->error), "could not prepare the request");
done:
    res->duration_ms = (int64_t)((gh_mono_ns() - t0) / 1000000);
    curl_easy_cleanup(h);
    curl_slist_free_all(hdrs);
    return rc;
}
