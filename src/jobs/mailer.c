/* mailer.c: the mail queue and its worker (mail.h). Enqueueing formats the
 * message once (so Date and Message-ID stay the same on every retry), seals
 * it with the master key and writes it to mail_outbox in the caller's
 * transaction. One worker thread per server claims due rows with a lease
 * (SKIP LOCKED on PostgreSQL), submits each over SMTP, and records the
 * outcome: sent, a retry after a backoff, failed (a permanent refusal or
 * GH_MAILER_MAX_ATTEMPTS used up) or expired (a code nobody can use any
 * more). At-least-once: a worker that dies mid-attempt leaves a lease that
 * expires, and the mail goes again. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/crypto.h"
#include "jobs/mail.h"
#include "store/store.h"
#include "util/log.h"
#include "util/str.h"

#define PRUNE_EVERY_MS (10LL * 60 * 1000)

struct gh_mailer {
    struct gh_mailer_conf conf;
    char                 *from;       /* header value (owned) */
    char                  sender[321]; /* envelope MAIL FROM */
    char                  domain[256]; /* for Message-IDs */
    pthread_mutex_t       mu;
    pthread_cond_t        cv;
    int                   stop;       /* guarded by mu */
    unsigned              wakes;      /* guarded by mu */
    int                   started;
    pthread_t             thread;
    char                  who[96];    /* lease owner: host/pid */
};

int64_t
gh_mailer_next_attempt_ms(int attempt_no, int64_t now_ms, double time_scale)
{
    static const int64_t delay_s[GH_MAILER_MAX_ATTEMPTS] = { 0, 10, 30, 120, 600, 1800, 3600,
        7200 };
    double               scale = isfinite(time_scale) && time_scale > 0 ? time_scale : 1.0;

    if (attempt_no < 0)
        attempt_no = 0;
    if (attempt_no >= GH_MAILER_MAX_ATTEMPTS)
        return -1;
    return now_ms + (int64_t)((double)delay_s[attempt_no] * 1000.0 * scale);
}

int
gh_mailer_new(const struct gh_mailer_conf *conf, struct gh_mailer **out, struct gh_err *err)
{
    struct gh_mailer *m;
    char              name[256], host[48] = "host";
    const char       *at;

    *out = NULL;
    if ((m = calloc(1, sizeof(*m))) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    m->conf = *conf;
    if (conf->from == NULL ||
        gh_mail_from_split(conf->from, m->sender, sizeof(m->sender), name, sizeof(name)) == -1) {
        free(m);
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "mail_from",
            "must be an address or \"Name <address>\"");
    }
    if ((m->from = gh_strdup(conf->from)) == NULL) {
        free(m);
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    at = strrchr(m->sender, '@');
    gh_strlcpy(m->domain, at != NULL ? at + 1 : "localhost", sizeof(m->domain));
    pthread_mutex_init(&m->mu, NULL);
    pthread_cond_init(&m->cv, NULL);
    gethostname(host, sizeof(host) - 1);
    snprintf(m->who, sizeof(m->who), "%s/%ld/mail", host, (long)getpid());
    *out = m;
    return 0;
}

/* "a***@example.test": enough for an operator to tell mails apart, without
 * writing the whole address of every user into the logs. */
static void
masked(const char *addr, char *out, size_t size)
{
    const char *at = strrchr(addr, '@');

    snprintf(out, size, "%c***%s", addr[0], at != NULL ? at : "");
}

/* Formats and seals it; *sealed malloc'd. */
static int
seal_message(struct gh_mailer *m, const struct gh_mailer_item *it, const char *id,
    int64_t now, unsigned char **sealed, size_t *slen, struct gh_err *err)
{
    char               mid[400], boundary[48], rnd[33], *text = NULL;
    size_t             len = 0;
    struct gh_mail_msg msg = { .from = m->from, .to = it->to, .subject = it->subject,
        .text = it->text, .html = it->html, .date_ms = now };
    int                rc;

    gh_rand_base62(rnd, 32);
    snprintf(mid, sizeof(mid), "<%s@%s>", id, m->domain);
    snprintf(boundary, sizeof(boundary), "=_gh_%s", rnd);
    msg.message_id = mid;
    msg.boundary = boundary;
    if (gh_mail_msg_format(&msg, &text, &len, err) == -1)
        return -1;
    rc = gh_master_seal(m->conf.master, text, len, sealed, slen, err);
    gh_memzero(text, len);
    free(text);
    return rc;
}

int
gh_mailer_enqueue(void *arg, const char *instance_id, const struct gh_mailer_item *it,
    struct gh_err *err)
{
    struct gh_mailer  *m = arg;
    struct gh_mail_row r = { 0 };
    unsigned char     *sealed = NULL;
    size_t             slen = 0;
    int64_t            now = gh_now_ms();
    char               rnd[28], who[64];
    int                rc;

    if (!gh_mail_addr_valid(it->to))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "email_address", "is not a mail address");
    gh_rand_base62(rnd, 27);
    snprintf(r.id, sizeof(r.id), "mail_%s", rnd);
    if (seal_message(m, it, r.id, now, &sealed, &slen, err) == -1)
        return -1;
    r.recipient = it->to;
    r.sender = m->sender;
    r.message_sealed = sealed;
    r.message_sealed_len = slen;
    r.expires_at = it->expires_at;
    r.created_at = now;
    rc = gh_store_mail_insert(m->conf.store, instance_id, &r, err);
    free(sealed);
    if (rc == -1)
        return -1;
    masked(it->to, who, sizeof(who));
    gh_log_info("mail queued id=%s to=%s", r.id, who);
    if (!gh_store_in_tx(m->conf.store))
        gh_mailer_wake(m);
    return 0;
}

/* The outcome of one attempt, from the SMTP result. */
static void
judge(const struct gh_mailer *m, const struct gh_mail_job *j, int sent,
    const struct gh_smtp_result *res, int64_t now, struct gh_mail_outcome *o)
{
    int64_t next = gh_mailer_next_attempt_ms(j->attempts + 1, now, m->conf.time_scale);

    o->seq = j->seq;
    o->who = m->who;
    o->attempts = j->attempts + 1;
    o->at = now;
    o->next_attempt_at = now;
    o->error = sent ? NULL : res->error;
    if (sent)
        o->status = "sent";
    else if (res->permanent || next == -1)
        o->status = "failed";
    else if (j->expires_at != GH_TIME_NULL && next >= j->expires_at)
        o->status = "expired"; /* the next try would come too late to matter */
    else {
        o->status = "pending";
        o->next_attempt_at = next;
    }
}

/* One attempt of one claimed email, recorded. Lowers *soonest to the retry
 * it scheduled, if any. */
static void
send_one(struct gh_mailer *m, int64_t seq, int64_t *soonest)
{
    struct gh_mail_job     j;
    struct gh_mail_outcome o = { 0 };
    struct gh_smtp_result  res;
    struct gh_err          err = { 0 }, serr = { 0 };
    char                  *text = NULL, who[64];
    int                    sent = 0, recorded = 0;
    int64_t                now = gh_now_ms();

    if (gh_store_mail_load(m->conf.store, seq, &j, &err) == -1) {
        if (err.code != GH_E_NOT_FOUND)
            gh_log_warn("mail %lld: cannot load: %s", (long long)seq, err.desc);
        return;
    }
    memset(&res, 0, sizeof(res));
    masked(j.recipient, who, sizeof(who));
    if (j.expires_at != GH_TIME_NULL && j.expires_at <= now) {
        snprintf(res.error, sizeof(res.error), "expired before it could be sent");
        res.permanent = 1;
    } else if (gh_master_open(m->conf.master, j.message_sealed, j.message_sealed_len, &text,
                   &err) == -1) {
        snprintf(res.error, sizeof(res.error), "cannot open the sealed message");
        res.permanent = 1;
    } else {
        sent = gh_smtp_send(m->conf.smtp, j.sender, j.recipient, text, strlen(text), &res,
                   &serr) == 0;
    }
    judge(m, &j, sent, &res, gh_now_ms(), &o);
    if (j.expires_at != GH_TIME_NULL && j.expires_at <= now)
        o.status = "expired";
    if (strcmp(o.status, "pending") == 0 && o.next_attempt_at < *soonest)
        *soonest = o.next_attempt_at;
    if (gh_store_mail_record(m->conf.store, &o, &recorded, &err) == -1)
        gh_log_warn("mail %s: cannot record the attempt: %s", j.id, err.desc);
    else if (!recorded)
        gh_log_warn("mail %s: lease lost while sending (another worker took it)", j.id);
    if (sent)
        gh_log_info("mail sent id=%s to=%s attempt=%d smtp=%ld ms=%lld", j.id, who, o.attempts,
            res.code, (long long)res.duration_ms);
    else
        gh_log_warn("mail attempt failed id=%s to=%s attempt=%d result=%s server=%s error=%s",
            j.id, who, o.attempts, o.status, m->conf.smtp->where, res.error);
    gh_secret_free(text);
    gh_mail_job_clear(&j);
}

/* Claims and sends one batch; how many were claimed (-1 on error). */
static int
run_batch(struct gh_mailer *m, int64_t *soonest)
{
    int64_t      *seqs = NULL;
    size_t        n = 0;
    struct gh_err err = { 0 };

    if (gh_store_mail_claim(m->conf.store, m->who, gh_now_ms(), GH_MAILER_LEASE_MS,
            GH_MAILER_BATCH, &seqs, &n, &err) == -1) {
        gh_log_warn("mail worker: claim failed: %s", err.desc);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        send_one(m, seqs[i], soonest);
    free(seqs);
    return (int)n;
}

static void
prune(struct gh_mailer *m)
{
    struct gh_err err = { 0 };
    int64_t       n = 0;

    if (gh_store_mail_prune(m->conf.store, gh_now_ms() - GH_MAILER_KEEP_MS, &n, &err) == -1)
        gh_log_warn("mail worker: prune failed: %s", err.desc);
    else if (n > 0)
        gh_log_info("mail worker: pruned %lld settled mails", (long long)n);
}

/* Sleeps until woken, stopped, the poll interval passed, or soonest is due. */
static void
idle(struct gh_mailer *m, unsigned *seen, int64_t soonest)
{
    struct timespec ts;
    int64_t         ms = m->conf.poll_ms > 0 ? m->conf.poll_ms : GH_MAILER_POLL_MS;
    int64_t         until = soonest - gh_now_ms();

    if (until < ms)
        ms = until > 1 ? until : 1;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += (time_t)(ms / 1000);
    ts.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&m->mu);
    while (!m->stop && m->wakes == *seen)
        if (pthread_cond_timedwait(&m->cv, &m->mu, &ts) != 0)
            break;
    *seen = m->wakes;
    pthread_mutex_unlock(&m->mu);
}

static void *
thread_main(void *arg)
{
    struct gh_mailer *m = arg;
    unsigned          seen = 0;
    int64_t           soonest = INT64_MAX, pruned = 0;
    int               stop;

    for (;;) {
        pthread_mutex_lock(&m->mu);
        stop = m->stop;
        seen = m->wakes;
        pthread_mutex_unlock(&m->mu);
        if (stop)
            break;
        if (gh_now_ms() - pruned > PRUNE_EVERY_MS) {
            prune(m);
            pruned = gh_now_ms();
        }
        if (run_batch(m, &soonest) <= 0) {
            idle(m, &seen, soonest);
            if (soonest <= gh_now_ms())
                soonest = INT64_MAX;
        }
    }
    gh_store_thread_done(m->conf.store);
    return NULL;
}

int
gh_mailer_start(struct gh_mailer *m, struct gh_err *err)
{
    if (m->started)
        return 0;
    if (pthread_create(&m->thread, NULL, thread_main, m) != 0)
        return GH_FAIL(err, GH_E_INTERNAL, "cannot start the mail worker");
    m->started = 1;
    gh_log_info("mail worker started server=%s tls=%s auth=%s from=%s time_scale=%g",
        m->conf.smtp->where,
        m->conf.smtp->tls == 2 ? "smtps" : m->conf.smtp->tls == 1 ? "starttls" : "opportunistic",
        m->conf.smtp->user != NULL ? "yes" : "no", m->sender, m->conf.time_scale);
    return 0;
}

void
gh_mailer_wake(void *arg)
{
    struct gh_mailer *m = arg;

    if (m == NULL)
        return;
    pthread_mutex_lock(&m->mu);
    m->wakes++;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
}

void
gh_mailer_free(struct gh_mailer *m)
{
    if (m == NULL)
        return;
    if (m->started) {
        pthread_mutex_lock(&m->mu);
        m->stop = 1;
        pthread_cond_broadcast(&m->cv);
        pthread_mutex_unlock(&m->mu);
        pthread_join(m->thread, NULL);
    }
    pthread_cond_destroy(&m->cv);
    pthread_mutex_destroy(&m->mu);
    free(m->from);
    free(m);
}
