/* test_outbox.c: the webhook outbox in the store (store.h, "webhooks"):
 * fan-out at write time by filter and enabled flag, claiming with a lease,
 * per-endpoint creation order, recording outcomes (retry scheduling,
 * exhaustion, disabling), replay, and concurrent claims never sharing a row.
 * Runs on SQLite and, when GH_TEST_PG_URL is set, on PostgreSQL (schema
 * "public" recreated first). Each test deletes its endpoints at the end, so
 * the (global) claim sees only its own deliveries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobs/webhook.h"
#include "store/store.h"
#include "util/str.h"

#define LEASE 60000

struct fixture {
    char             url[512];
    char             dir[64];
    struct gh_store *st;
};

static unsigned seq_no;
static const char INS[] = "ins_outbox";

static void
new_id(const char *prefix, char out[GH_ID_MAX])
{
    snprintf(out, GH_ID_MAX, "%s_o%u", prefix, ++seq_no);
}

static void
add_endpoint(struct fixture *f, const char *filter, int enabled, char id[GH_ID_MAX])
{
    struct gh_webhook_endpoint ep = { 0 };
    struct gh_err              err = { 0 };
    unsigned char              sealed[] = { 1, 0, 2, 3 }; /* opaque bytes, NUL inside */

    new_id("ep", ep.id);
    ep.url = "http://127.0.0.1:9/x";
    ep.description = "";
    ep.event_filter = (char *)filter;
    ep.enabled = enabled;
    ep.secret_sealed = sealed;
    ep.secret_sealed_len = sizeof(sealed);
    ep.prev_expires_at = ep.first_failure_at = GH_TIME_NULL;
    ep.created_at = ep.updated_at = 1000 + seq_no;
    assert_int_equal(gh_store_webhook_endpoint_insert(f->st, INS, &ep, &err), 0);
    memcpy(id, ep.id, GH_ID_MAX);
}

static void
add_message(struct fixture *f, const char *type, int64_t at, char id[GH_ID_MAX])
{
    struct gh_webhook_message m = { .created_at = at };
    struct gh_err             err = { 0 };
    char                      payload[128];

    new_id("msg", m.id);
    gh_strlcpy(m.type, type, sizeof(m.type));
    snprintf(payload, sizeof(payload), "{\"type\":\"%s\",\"n\":%u}", type, seq_no);
    m.payload = payload;
    assert_int_equal(gh_store_webhook_message_insert(f->st, INS, &m, &err), 0);
    if (id != NULL)
        memcpy(id, m.id, GH_ID_MAX);
}

static int64_t
count(struct fixture *f, const char *status)
{
    struct gh_err err = { 0 };
    int64_t       n = -1;

    assert_int_equal(gh_store_webhook_delivery_count(f->st, status, &n, &err), 0);
    return n;
}

static size_t
claim(struct fixture *f, int64_t now, size_t max, int64_t **seqs)
{
    struct gh_err err = { 0 };
    size_t        n = 0;

    assert_int_equal(gh_store_webhook_claim(f->st, "test", now, LEASE, max, seqs, &n, &err), 0);
    return n;
}

static void
drop_endpoint(struct fixture *f, const char *id)
{
    struct gh_err err = { 0 };

    assert_int_equal(gh_store_webhook_endpoint_delete(f->st, INS, id, &err), 0);
}

/* Records an attempt outcome for a claimed delivery. */
static void
finish(struct fixture *f, int64_t seq, const char *status, int64_t next, int success,
    const char *disable)
{
    struct gh_webhook_job     j;
    struct gh_webhook_outcome o = { .job = &j };
    struct gh_err             err = { 0 };

    assert_int_equal(gh_store_webhook_job_load(f->st, seq, &j, &err), 0);
    o.http_status = success ? 200 : 500;
    o.error = success ? NULL : "HTTP 500";
    o.duration_ms = 3;
    o.at = next;
    o.status = status;
    o.next_attempt_at = next;
    o.success = success;
    o.disable_reason = disable;
    assert_int_equal(gh_store_webhook_attempt_record(f->st, &o, &err), 0);
    gh_webhook_job_clear(&j);
}

static void
test_fan_out_by_filter_and_enabled(void **state)
{
    struct fixture *f = *state;
    char            all[GH_ID_MAX], sess[GH_ID_MAX], off[GH_ID_MAX];

    add_endpoint(f, "", 1, all);
    add_endpoint(f, ",session.created,session.revoked,", 1, sess);
    add_endpoint(f, "", 0, off);
    add_message(f, "user.created", 10, NULL);
    assert_int_equal(count(f, NULL), 1);
    add_message(f, "session.created", 11, NULL);
    assert_int_equal(count(f, NULL), 3);
    add_message(f, "session", 12, NULL); /* a prefix of a filtered name is no match */
    assert_int_equal(count(f, NULL), 4);
    assert_int_equal(count(f, "pending"), 4);
    drop_endpoint(f, all);
    drop_endpoint(f, sess);
    drop_endpoint(f, off);
    assert_int_equal(count(f, NULL), 0);
}

static void
test_claim_lease_and_order(void **state)
{
    struct fixture       *f = *state;
    char                  ep[GH_ID_MAX], m1[GH_ID_MAX], m2[GH_ID_MAX];
    int64_t              *s = NULL, first;
    struct gh_webhook_job j;
    struct gh_err         err = { 0 };

    add_endpoint(f, "", 1, ep);
    add_message(f, "user.created", 100, m1);
    add_message(f, "user.updated", 101, m2);
    /* Only the oldest of the endpoint is claimable. */
    assert_int_equal(claim(f, 200, 10, &s), 1);
    first = s[0];
    assert_int_equal(gh_store_webhook_job_load(f->st, first, &j, &err), 0);
    assert_string_equal(j.message_id, m1);
    assert_string_equal(j.ep.id, ep);
    assert_int_equal(j.attempts, 0);
    assert_int_equal(j.ep.secret_sealed_len, 4);
    assert_int_equal(j.ep.secret_sealed[2], 2);
    assert_non_null(strstr(j.payload, "user.created"));
    assert_int_equal(j.payload_len, strlen(j.payload));
    gh_webhook_job_clear(&j);
    free(s);
    /* In flight: nothing else of this endpoint, not even the next message. */
    assert_int_equal(claim(f, 201, 10, &s), 0);
    free(s);
    /* A crashed worker: the lease expires and the same delivery comes back. */
    assert_int_equal(claim(f, 200 + LEASE + 1, 10, &s), 1);
    assert_true(s[0] == first);
    free(s);
    /* Order holds among due deliveries only: while the first waits for its
     * retry, the next message goes. */
    finish(f, first, "pending", 1000000000, 0, NULL);
    assert_int_equal(count(f, "pending"), 2);
    assert_int_equal(claim(f, 300, 10, &s), 1);
    assert_true(s[0] != first);
    finish(f, s[0], "succeeded", 400, 1, NULL);
    free(s);
    /* Exhausted deliveries are never claimed again. */
    assert_int_equal(claim(f, 1000000000, 10, &s), 1);
    assert_true(s[0] == first);
    finish(f, first, "exhausted", 6000, 0, NULL);
    free(s);
    assert_int_equal(claim(f, 99999999, 10, &s), 0);
    free(s);
    assert_int_equal(count(f, "succeeded"), 1);
    assert_int_equal(count(f, "exhausted"), 1);
    drop_endpoint(f, ep);
}

static void
test_attempts_log_and_disable(void **state)
{
    struct fixture             *f = *state;
    char                        ep[GH_ID_MAX], m[GH_ID_MAX];
    int64_t                    *s = NULL, total = 0;
    struct gh_webhook_attempt  *a = NULL;
    struct gh_webhook_endpoint  e;
    struct gh_err               err = { 0 };
    size_t                      n = 0;

    add_endpoint(f, "", 1, ep);
    add_message(f, "user.deleted", 100, m);
    assert_int_equal(claim(f, 200, 10, &s), 1);
    finish(f, s[0], "pending", 300, 0, NULL);
    assert_int_equal(gh_store_webhook_endpoint_get(f->st, INS, ep, &e, &err), 0);
    assert_true(e.first_failure_at == 300);
    gh_webhook_endpoint_clear(&e);
    free(s);
    assert_int_equal(claim(f, 300, 10, &s), 1);
    finish(f, s[0], "pending", 400, 0, "gone");
    free(s);
    assert_int_equal(gh_store_webhook_endpoint_get(f->st, INS, ep, &e, &err), 0);
    assert_int_equal(e.enabled, 0);
    assert_string_equal(e.disabled_reason, "gone");
    assert_true(e.first_failure_at == 300); /* the streak's start is kept */
    gh_webhook_endpoint_clear(&e);
    /* Disabled: its pending delivery waits. */
    assert_int_equal(claim(f, 9999, 10, &s), 0);
    free(s);
    assert_int_equal(gh_store_webhook_attempt_list(f->st, INS, ep, 10, 0, &a, &n, &total, &err),
        0);
    assert_int_equal(n, 2);
    assert_int_equal(total, 2);
    assert_int_equal(a[0].attempt_no, 2); /* newest first */
    assert_int_equal(a[1].attempt_no, 1);
    assert_int_equal(a[0].http_status, 500);
    assert_string_equal(a[0].error, "HTTP 500");
    assert_string_equal(a[0].message_id, m);
    assert_string_equal(a[0].event_type, "user.deleted");
    gh_webhook_attempts_free(a, n);
    drop_endpoint(f, ep);
}

static void
test_replay(void **state)
{
    struct fixture             *f = *state;
    char                        ep[GH_ID_MAX], late[GH_ID_MAX], m1[GH_ID_MAX];
    struct gh_webhook_endpoint  e;
    struct gh_err               err = { 0 };
    int64_t                    *s = NULL, c = 0;

    add_endpoint(f, ",user.created,", 1, ep);
    add_message(f, "user.created", 1000, m1);
    add_message(f, "user.updated", 1001, NULL);
    assert_int_equal(claim(f, 2000, 10, &s), 1);
    finish(f, s[0], "succeeded", 2000, 1, NULL);
    free(s);
    /* One message, again from attempt 0. */
    assert_int_equal(gh_store_webhook_endpoint_get(f->st, INS, ep, &e, &err), 0);
    assert_int_equal(gh_store_webhook_replay(f->st, INS, &e, m1, 0, 3000, &c, &err), 0);
    assert_true(c == 1);
    assert_int_equal(count(f, "pending"), 1);
    gh_webhook_endpoint_clear(&e);
    /* A later endpoint gets older messages only by replay, and only those its
     * filter takes. */
    add_endpoint(f, ",user.updated,", 1, late);
    assert_int_equal(gh_store_webhook_endpoint_get(f->st, INS, late, &e, &err), 0);
    assert_int_equal(gh_store_webhook_replay(f->st, INS, &e, NULL, 1000, 3000, &c, &err), 0);
    assert_true(c == 1);
    assert_int_equal(gh_store_webhook_replay(f->st, INS, &e, NULL, 1002, 3000, &c, &err), 0);
    assert_true(c == 0);
    gh_webhook_endpoint_clear(&e);
    assert_int_equal(claim(f, 3000, 10, &s), 2); /* one per endpoint */
    free(s);
    drop_endpoint(f, ep);
    drop_endpoint(f, late);
}

struct claimer {
    struct fixture *f;
    int64_t        *seqs;
    size_t          n;
};

static void *
claim_thread(void *arg)
{
    struct claimer *c = arg;
    struct gh_err   err = { 0 };

    if (gh_store_webhook_claim(c->f->st, "thread", 500, LEASE, 40, &c->seqs, &c->n, &err) == -1)
        c->n = (size_t)-1;
    gh_store_thread_done(c->f->st);
    return NULL;
}

static void
test_concurrent_claims_never_share(void **state)
{
    struct fixture *f = *state;
    char            eps[30][GH_ID_MAX];
    struct claimer  c[3] = { { f, NULL, 0 }, { f, NULL, 0 }, { f, NULL, 0 } };
    pthread_t       t[3];
    size_t          total = 0;

    for (int i = 0; i < 30; i++)
        add_endpoint(f, "", 1, eps[i]);
    add_message(f, "user.created", 100, NULL); /* 30 deliveries */
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, claim_thread, &c[i]);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 3; i++) {
        assert_true(c[i].n != (size_t)-1);
        total += c[i].n;
        for (int k = 0; k < 3; k++)
            for (size_t x = 0; k != i && x < c[i].n; x++)
                for (size_t y = 0; y < c[k].n; y++)
                    assert_true(c[i].seqs[x] != c[k].seqs[y]);
    }
    assert_true(total <= 30);
    assert_true(total >= 1);
    for (int i = 0; i < 3; i++)
        free(c[i].seqs);
    for (int i = 0; i < 30; i++)
        drop_endpoint(f, eps[i]);
}

static void
test_schedule_drives_next_attempt(void **state)
{
    (void)state;
    /* The worker's arithmetic: attempts made → next due time (scaled). */
    assert_true(gh_webhook_next_attempt_ms(0, 1000, 1.0) == 1000);
    assert_true(gh_webhook_next_attempt_ms(1, 1000, 1.0) == 6000);
    assert_true(gh_webhook_next_attempt_ms(2, 0, 0.001) == 300);
    assert_true(gh_webhook_next_attempt_ms(GH_WEBHOOK_MAX_ATTEMPTS, 0, 1.0) == -1);
}

/* ---- the mail outbox (issue 4) ---- */

static int64_t
mail_count(struct fixture *f, const char *status)
{
    struct gh_err err = { 0 };
    int64_t       n = -1;

    assert_int_equal(gh_store_mail_count(f->st, status, &n, &err), 0);
    return n;
}

static void
add_mail(struct fixture *f, const char *to, int64_t at, int64_t expires_at)
{
    static const unsigned char sealed[] = { 9, 0, 8, 7 }; /* opaque, NUL inside */
    struct gh_mail_row          r = { .recipient = to, .sender = "no-reply@x.test",
                 .message_sealed = sealed, .message_sealed_len = sizeof(sealed),
                 .expires_at = expires_at, .created_at = at };
    struct gh_err               err = { 0 };

    new_id("mail", r.id);
    assert_int_equal(gh_store_mail_insert(f->st, INS, &r, &err), 0);
}

static size_t
mail_claim(struct fixture *f, const char *who, int64_t now, int64_t **seqs)
{
    struct gh_err err = { 0 };
    size_t        n = 0;

    assert_int_equal(gh_store_mail_claim(f->st, who, now, LEASE, 10, seqs, &n, &err), 0);
    return n;
}

static int
mail_record(struct fixture *f, int64_t seq, const char *who, const char *status, int attempts,
    int64_t next)
{
    struct gh_mail_outcome o = { .seq = seq, .who = who, .status = status,
        .attempts = attempts, .next_attempt_at = next, .error = "HTTP? no: SMTP 451",
        .at = next };
    struct gh_err          err = { 0 };
    int                    recorded = -1;

    assert_int_equal(gh_store_mail_record(f->st, &o, &recorded, &err), 0);
    return recorded;
}

/* Queue in a rolled-back transaction: nothing. Claim with a lease, oldest
 * first; a crashed worker's lease expires; only the lease holder records;
 * a retry waits for its time; settling drops the sealed message; prune. */
static void
test_mail_outbox(void **state)
{
    struct fixture    *f = *state;
    struct gh_mail_job j;
    struct gh_err      err = { 0 };
    int64_t           *s = NULL, a, b, pruned = -1;

    assert_int_equal(gh_store_begin(f->st, &err), 0);
    add_mail(f, "gone@x.test", 100, GH_TIME_NULL);
    gh_store_rollback(f->st);
    assert_int_equal(mail_count(f, NULL), 0);

    add_mail(f, "a@x.test", 100, GH_TIME_NULL);
    add_mail(f, "b@x.test", 101, 5000);
    add_mail(f, "later@x.test", 90000, GH_TIME_NULL); /* not due before 90000 */
    assert_int_equal(mail_claim(f, "w1", 200, &s), 2);
    a = s[0];
    b = s[1];
    assert_true(a < b);
    free(s);
    assert_int_equal(gh_store_mail_load(f->st, a, &j, &err), 0);
    assert_string_equal(j.recipient, "a@x.test");
    assert_string_equal(j.sender, "no-reply@x.test");
    assert_int_equal(j.message_sealed_len, 4);
    assert_int_equal(j.message_sealed[2], 8);
    assert_int_equal(j.attempts, 0);
    assert_true(j.expires_at == GH_TIME_NULL);
    gh_mail_job_clear(&j);
    assert_int_equal(gh_store_mail_load(f->st, b, &j, &err), 0);
    assert_int_equal(j.expires_at, 5000);
    gh_mail_job_clear(&j);
    /* leased: nobody else gets them; after the lease, they come back */
    assert_int_equal(mail_claim(f, "w2", 201, &s), 0);
    free(s);
    assert_int_equal(mail_claim(f, "w2", 200 + LEASE + 1, &s), 2);
    free(s);
    /* w1 lost its lease: its record does not count */
    assert_int_equal(mail_record(f, a, "w1", "sent", 1, 300), 0);
    /* w2 schedules a retry for a and sends b */
    assert_int_equal(mail_record(f, a, "w2", "pending", 1, 100000), 1);
    assert_int_equal(mail_record(f, b, "w2", "sent", 1, 300), 1);
    assert_int_equal(gh_store_mail_load(f->st, b, &j, &err), -1);
    assert_int_equal(err.code, GH_E_NOT_FOUND); /* settled: no message left to load */
    gh_err_clear(&err);
    assert_int_equal(mail_claim(f, "w3", 99999, &s), 1); /* only "later" */
    assert_true(s[0] != a);
    assert_int_equal(mail_record(f, s[0], "w3", "failed", 8, 1000), 1);
    free(s);
    assert_int_equal(mail_claim(f, "w3", 100000, &s), 1);
    assert_true(s[0] == a);
    assert_int_equal(gh_store_mail_load(f->st, a, &j, &err), 0);
    assert_int_equal(j.attempts, 1);
    gh_mail_job_clear(&j);
    assert_int_equal(mail_record(f, a, "w3", "expired", 2, 100001), 1);
    free(s);
    assert_int_equal(mail_count(f, "pending"), 0);
    assert_int_equal(mail_count(f, "sent"), 1);
    assert_int_equal(mail_count(f, "failed"), 1);
    assert_int_equal(mail_count(f, "expired"), 1);
    assert_int_equal(mail_claim(f, "w3", INT64_MAX / 2, &s), 0);
    free(s);
    assert_int_equal(gh_store_mail_prune(f->st, 1001, &pruned, &err), 0);
    assert_int_equal(pruned, 2); /* sent at 300, failed at 1000; expired at 100001 stays */
    assert_int_equal(gh_store_mail_prune(f->st, INT64_MAX / 2, &pruned, &err), 0);
    assert_int_equal(mail_count(f, NULL), 0);
}

struct mail_claimer {
    struct fixture *f;
    int64_t        *seqs;
    size_t          n;
    char            who[16];
};

static void *
mail_claim_thread(void *arg)
{
    struct mail_claimer *c = arg;
    struct gh_err        err = { 0 };

    if (gh_store_mail_claim(c->f->st, c->who, 500, LEASE, 40, &c->seqs, &c->n, &err) == -1)
        c->n = (size_t)-1;
    gh_store_thread_done(c->f->st);
    return NULL;
}

/* Servers sharing a database never send the same mail twice at once. */
static void
test_mail_concurrent_claims_never_share(void **state)
{
    struct fixture     *f = *state;
    struct mail_claimer c[3] = { { f, NULL, 0, "t0" }, { f, NULL, 0, "t1" }, { f, NULL, 0, "t2" } };
    pthread_t           t[3];
    size_t              total = 0;
    int64_t             pruned;
    struct gh_err       err = { 0 };

    for (int i = 0; i < 30; i++)
        add_mail(f, "many@x.test", 100 + i, GH_TIME_NULL);
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, mail_claim_thread, &c[i]);
    for (int i = 0; i < 3; i++)
        pthread_join(t[i], NULL);
    for (int i = 0; i < 3; i++) {
        assert_true(c[i].n != (size_t)-1);
        total += c[i].n;
        for (int k = 0; k < 3; k++)
            for (size_t x = 0; k != i && x < c[i].n; x++)
                for (size_t y = 0; y < c[k].n; y++)
                    assert_true(c[i].seqs[x] != c[k].seqs[y]);
        for (size_t x = 0; x < c[i].n; x++)
            assert_int_equal(mail_record(f, c[i].seqs[x], c[i].who, "sent", 1, 600), 1);
        free(c[i].seqs);
    }
    assert_true(total >= 1 && total <= 30);
    assert_int_equal(gh_store_mail_prune(f->st, INT64_MAX / 2, &pruned, &err), 0);
    /* what was not claimed is still pending; drop it for the next test */
    assert_int_equal(mail_count(f, "pending"), 30 - (int64_t)total);
}

static int
open_store(struct fixture *f)
{
    struct gh_err err = { 0 };

    if (gh_store_open(f->url, &f->st, &err) == -1 || gh_store_migrate(f->st, &err) == -1) {
        fprintf(stderr, "open %s: %s %s\n", f->url, gh_err_name(err.code), err.note);
        return -1;
    }
    return 0;
}

static int
setup_sqlite(void **state)
{
    static struct fixture f;

    gh_strlcpy(f.dir, "/tmp/gh_outbox_XXXXXX", sizeof(f.dir));
    if (mkdtemp(f.dir) == NULL)
        return -1;
    snprintf(f.url, sizeof(f.url), "sqlite://%s/test.db", f.dir);
    *state = &f;
    return open_store(&f);
}

static int
teardown_sqlite(void **state)
{
    struct fixture *f = *state;
    char            path[128];

    gh_store_close(f->st);
    for (int k = 0; k < 3; k++) {
        snprintf(path, sizeof(path), "%s/test.db%s", f->dir,
            (const char *[]){ "", "-wal", "-shm" }[k]);
        unlink(path);
    }
    rmdir(f->dir);
    return 0;
}

static int
setup_pg(void **state)
{
    static struct fixture f;
    PGconn               *c;
    PGresult             *r;
    int                   ok;

    gh_strlcpy(f.url, getenv("GH_TEST_PG_URL"), sizeof(f.url));
    c = PQconnectdb(f.url);
    r = PQexec(c, "SET client_min_messages = warning;"
                  " DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public");
    ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "reset schema: %s", PQerrorMessage(c));
    PQclear(r);
    PQfinish(c);
    *state = &f;
    return ok ? open_store(&f) : -1;
}

static int
teardown_pg(void **state)
{
    struct fixture *f = *state;

    gh_store_close(f->st);
    return 0;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fan_out_by_filter_and_enabled),
        cmocka_unit_test(test_claim_lease_and_order),
        cmocka_unit_test(test_attempts_log_and_disable),
        cmocka_unit_test(test_replay),
        cmocka_unit_test(test_concurrent_claims_never_share),
        cmocka_unit_test(test_schedule_drives_next_attempt),
        cmocka_unit_test(test_mail_outbox), /* issue 4 */
        cmocka_unit_test(test_mail_concurrent_claims_never_share),
    };
    int failed = cmocka_run_group_tests_name("outbox_sqlite", tests, setup_sqlite, teardown_sqlite);

    if (getenv("GH_TEST_PG_URL") != NULL && *getenv("GH_TEST_PG_URL") != '\0')
        failed += cmocka_run_group_tests_name("outbox_postgres", tests, setup_pg, teardown_pg);
    return failed;
}
