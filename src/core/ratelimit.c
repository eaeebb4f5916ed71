/* ratelimit.c: see ratelimit.h. One table of windows, set-associative
 * (RL_SETS sets of RL_WAYS entries, a lock per stripe of sets), so memory is
 * bounded whatever the number of client addresses: a full set evicts the
 * entry whose window ends first. Local windows run on the monotonic clock
 * (a wall-clock step neither freezes nor skips them); shared ones on unix
 * time, because the store row is read by every server. */
#include "core/ratelimit.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/log.h"
#include "util/str.h"

#define RL_SETS 2048
#define RL_WAYS 8
#define RL_LOCKS 64
#define RL_KEY_MAX 96     /* "<class>:<key>" incl. NUL; longer keys are refused */
#define RL_CHUNK_DIV 50   /* shared: a server takes n / this hits at a time */
#define RL_PURGE_MS 60000 /* shared: ended windows are deleted about this often */

struct rl_entry {
    char     instance_id[GH_ID_MAX];
    char     bucket[RL_KEY_MAX]; /* "<class>:<key>"; "" = free slot */
    int64_t  window_end;         /* ms: monotonic (local) or unix (shared) */
    unsigned used;               /* hits allowed in this window */
    unsigned granted;            /* shared: hits the store handed this server */
    int      exhausted;          /* shared: the store's count reached the limit */
};

struct gh_ratelimit {
    struct gh_conf_rate rates[GH_RL__COUNT];
    struct gh_store    *store; /* shared mode; NULL = local */
    uint64_t            seed;  /* keys the set hash: addresses cannot be aimed at one set */
    pthread_mutex_t     locks[RL_LOCKS];
    struct rl_entry    *ent; /* RL_SETS * RL_WAYS */
    _Atomic int64_t     next_purge;
};

static const char *const class_names[GH_RL__COUNT] = {"sign_in", "sign_up", "attempt", "backend"};

const char *
gh_ratelimit_class_name(enum gh_rl_class cls)
{
    return (unsigned)cls < GH_RL__COUNT ? class_names[cls] : "unknown";
}

int
gh_ratelimit_new(const struct gh_conf *conf, struct gh_store *shared, struct gh_ratelimit **out,
                 struct gh_err *err)
{
    struct gh_ratelimit *rl = calloc(1, sizeof(*rl));

    *out = NULL;
    if (rl == NULL || (rl->ent = calloc((size_t)RL_SETS * RL_WAYS, sizeof(*rl->ent))) == NULL) {
        free(rl);
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    rl->rates[GH_RL_SIGN_IN] = conf->rl_sign_in;
    rl->rates[GH_RL_SIGN_UP] = conf->rl_sign_up;
    rl->rates[GH_RL_ATTEMPT] = conf->rl_attempt;
    rl->rates[GH_RL_BACKEND] = conf->rl_backend;
    rl->store = shared;
    gh_rand_bytes(&rl->seed, sizeof(rl->seed));
    for (int i = 0; i < RL_LOCKS; i++)
        pthread_mutex_init(&rl->locks[i], NULL);
    *out = rl;
    return 0;
}

void
gh_ratelimit_free(struct gh_ratelimit *rl)
{
    if (rl == NULL)
        return;
    for (int i = 0; i < RL_LOCKS; i++)
        pthread_mutex_destroy(&rl->locks[i]);
    free(rl->ent);
    free(rl);
}

/* "<class>:<key>", an IPv6 key cut to its /64. -1 when it does not fit. */
static int
make_bucket(enum gh_rl_class cls, const char *key, char out[RL_KEY_MAX])
{
    struct in6_addr a6;
    char            text[INET6_ADDRSTRLEN];

    if (strchr(key, ':') != NULL && inet_pton(AF_INET6, key, &a6) == 1) {
        memset(a6.s6_addr + 8, 0, 8);
        if (inet_ntop(AF_INET6, &a6, text, sizeof(text)) == NULL)
            return -1;
        return snprintf(out, RL_KEY_MAX, "%s:%s/64", class_names[cls], text) < RL_KEY_MAX ? 0 : -1;
    }
    return snprintf(out, RL_KEY_MAX, "%s:%s", class_names[cls], key) < RL_KEY_MAX ? 0 : -1;
}

static size_t
set_of(const struct gh_ratelimit *rl, const char *instance_id, const char *bucket)
{
    uint64_t h = 1469598103934665603ULL ^ rl->seed; /* FNV-1a, seeded */

    for (const char *s = instance_id; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h = (h ^ '|') * 1099511628211ULL;
    for (const char *s = bucket; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)(h % RL_SETS);
}

/* The entry for (instance, bucket) in set `set` (lock held): the existing
 * one, else a free or ended slot, else the one ending first, reset. */
static struct rl_entry *
entry_get(struct gh_ratelimit *rl, size_t set, const char *instance_id, const char *bucket,
          int64_t now)
{
    struct rl_entry *row = &rl->ent[set * RL_WAYS], *victim = NULL;

    for (int w = 0; w < RL_WAYS; w++)
        if (strcmp(row[w].bucket, bucket) == 0 && strcmp(row[w].instance_id, instance_id) == 0)
            return &row[w];
    for (int w = 0; w < RL_WAYS; w++) {
        if (row[w].bucket[0] == '\0' || row[w].window_end <= now) {
            victim = &row[w];
            break;
        }
        if (victim == NULL || row[w].window_end < victim->window_end)
            victim = &row[w];
    }
    memset(victim, 0, sizeof(*victim));
    gh_strlcpy(victim->instance_id, instance_id, sizeof(victim->instance_id));
    gh_strlcpy(victim->bucket, bucket, sizeof(victim->bucket));
    return victim;
}

static int
refuse(int64_t window_end, int64_t now, unsigned *retry_after_s, struct gh_err *err)
{
    int64_t  left = window_end - now;
    unsigned s = left > 0 ? (unsigned)((left + 999) / 1000) : 1;

    if (retry_after_s != NULL)
        *retry_after_s = s;
    GH_FAIL(err, GH_E_TOO_MANY_REQUESTS, "Too many requests. Please try again in a bit.");
    if (err != NULL)
        err->retry_after_s = s;
    return -1;
}

static int
hit_local(struct gh_ratelimit *rl, const char *instance_id, const char *bucket,
          struct gh_conf_rate rate, unsigned *retry_after_s, struct gh_err *err)
{
    int64_t          now = (int64_t)(gh_mono_ns() / 1000000);
    size_t           set = set_of(rl, instance_id, bucket);
    pthread_mutex_t *mu = &rl->locks[set % RL_LOCKS];
    struct rl_entry *e;
    int64_t          end;

    pthread_mutex_lock(mu);
    e = entry_get(rl, set, instance_id, bucket, now);
    if (e->window_end <= now) {
        e->window_end = now + (int64_t)rate.window_s * 1000;
        e->used = 0;
    }
    if (e->used < rate.n) {
        e->used++;
        pthread_mutex_unlock(mu);
        return 0;
    }
    end = e->window_end;
    pthread_mutex_unlock(mu);
    return refuse(end, now, retry_after_s, err);
}

/* Deletes ended windows from the store, about once per RL_PURGE_MS per
 * server; a failure is only logged (the next purge catches up). */
static void
maybe_purge(struct gh_ratelimit *rl, int64_t now)
{
    int64_t       due = atomic_load(&rl->next_purge);
    struct gh_err se = {0};

    if (now < due || !atomic_compare_exchange_strong(&rl->next_purge, &due, now + RL_PURGE_MS))
        return;
    if (gh_store_ratelimit_purge(rl->store, now - 1000, &se) == -1)
        gh_log_warn("rate limit purge failed code=%s", gh_err_name(se.code));
}

/* Shared mode, lock held: serve from hits this server was granted. 1 =
 * allowed, 0 = ask the store, -1 = refused (the window is known full). */
static int
serve_granted(struct rl_entry *e, int64_t now)
{
    if (e->window_end != 0 && e->window_end <= now) {
        e->window_end = 0; /* ended: the store opens the next one */
        e->used = e->granted = 0;
        e->exhausted = 0;
    }
    if (e->used < e->granted) {
        e->used++;
        return 1;
    }
    return e->exhausted ? -1 : 0;
}

static int
hit_shared(struct gh_ratelimit *rl, const char *instance_id, const char *bucket,
           struct gh_conf_rate rate, unsigned *retry_after_s, struct gh_err *err)
{
    int64_t          now = gh_now_ms(), hits = 0, end = 0, got;
    size_t           set = set_of(rl, instance_id, bucket);
    pthread_mutex_t *mu = &rl->locks[set % RL_LOCKS];
    int              take = rate.n / RL_CHUNK_DIV > 0 ? (int)(rate.n / RL_CHUNK_DIV) : 1, st;
    struct rl_entry *e;

    pthread_mutex_lock(mu);
    e = entry_get(rl, set, instance_id, bucket, now);
    st = serve_granted(e, now);
    end = e->window_end;
    pthread_mutex_unlock(mu);
    if (st != 0)
        return st == 1 ? 0 : refuse(end, now, retry_after_s, err);
    /* The round trip runs unlocked; concurrent takers each add their own
     * grant to the entry, so nothing handed out is lost. */
    if (gh_store_ratelimit_take(rl->store, instance_id, bucket, now, (int64_t)rate.window_s * 1000,
                                take, &hits, &end, err) == -1)
        return -1;
    maybe_purge(rl, now);
    got = (int64_t)rate.n - (hits - take);
    got = got < 0 ? 0 : got > take ? take : got;
    pthread_mutex_lock(mu);
    e = entry_get(rl, set, instance_id, bucket, now);
    if (e->window_end != end) { /* first news of this window here */
        e->window_end = end;
        e->used = e->granted = 0;
        e->exhausted = 0;
    }
    e->granted += (unsigned)got;
    if (hits >= (int64_t)rate.n)
        e->exhausted = 1;
    st = serve_granted(e, now);
    pthread_mutex_unlock(mu);
    return st == 1 ? 0 : refuse(end, now, retry_after_s, err);
}

int
gh_ratelimit_hit_rl(struct gh_ratelimit *rl, const char *instance_id, enum gh_rl_class cls,
                    const char *key, unsigned *retry_after_s, struct gh_err *err)
{
    char bucket[RL_KEY_MAX];

    if (retry_after_s != NULL)
        *retry_after_s = 0;
    if (rl == NULL || (unsigned)cls >= GH_RL__COUNT || rl->rates[cls].n == 0)
        return 0;
    if (instance_id == NULL || strlen(instance_id) >= GH_ID_MAX || key == NULL ||
        make_bucket(cls, key, bucket) == -1) {
        GH_FAIL(err, GH_E_INTERNAL, NULL);
        gh_err_note(err, "rate limit key does not fit");
        return -1;
    }
    if (rl->store != NULL)
        return hit_shared(rl, instance_id, bucket, rl->rates[cls], retry_after_s, err);
    return hit_local(rl, instance_id, bucket, rl->rates[cls], retry_after_s, err);
}

int
gh_ratelimit_hit(struct gh_app *app, const char *instance_id, enum gh_rl_class cls, const char *key,
                 unsigned *retry_after_s, struct gh_err *err)
{
    return gh_ratelimit_hit_rl(app != NULL ? app->limits : NULL, instance_id, cls, key,
                               retry_after_s, err);
}
