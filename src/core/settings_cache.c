/* settings_cache.c: the process-wide cache of the instance settings
 * (settings.h). Readers take a reference to the current snapshot under a
 * mutex and read it without a lock (snapshots never change once published).
 * When the copy is older than GH_SETTINGS_TTL_MS one reader checks
 * instances.settings_version (one indexed column) and re-reads the text only
 * when it moved; the others keep using the copy they have meanwhile, so a
 * slow database never queues requests behind the check. A failed check
 * keeps the last copy (logged once per outage). An app without a cache
 * (unit tests that build one by hand) parses the startup copy each time. */
#include <pthread.h>
#include <stdlib.h>

#include "core/app.h"
#include "core/settings.h"
#include "core/settings_snap.h"
#include "store/store.h"
#include "util/log.h"
#include "util/str.h"

struct gh_settings_cache {
    pthread_mutex_t          mu;
    struct gh_settings_snap *cur;        /* NULL until the first read; guarded by mu */
    int64_t                  checked_at; /* ms of the last version check; guarded by mu */
    int                      refreshing; /* one reader checks at a time; guarded by mu */
    int                      failing;    /* the last check failed (log once); guarded by mu */
};

int
gh_settings_cache_new(struct gh_settings_cache **out, struct gh_err *err)
{
    struct gh_settings_cache *c = calloc(1, sizeof(*c));

    *out = NULL;
    if (c == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    if (pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c);
        return GH_FAIL(err, GH_E_INTERNAL, "mutex init failed");
    }
    *out = c;
    return 0;
}

void
gh_settings_cache_free(struct gh_settings_cache *c)
{
    if (c == NULL)
        return;
    gh_settings_snap_free(c->cur);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* The defaults, for when even a snapshot cannot be allocated. */
static struct gh_settings_snap fallback_snap;

static void
fallback_init(void)
{
    fallback_snap.temp = 2; /* static: never freed */
    fallback_snap.version = -1;
    gh_settings_defaults(&fallback_snap.s);
}

/* A temporary snapshot of the startup copy (no cache). */
static struct gh_settings_snap *
startup_copy(const struct gh_app *app)
{
    static pthread_once_t    once = PTHREAD_ONCE_INIT;
    struct gh_settings_snap *sn =
        gh_settings_snap_parse(app->instance != NULL ? app->instance->settings : NULL, -1);

    if (sn != NULL) {
        sn->temp = 1;
        return sn;
    }
    pthread_once(&once, fallback_init);
    return &fallback_snap;
}

/* Asks the store for a newer version; a new snapshot (refs 1) when there is
 * one, NULL when nothing changed or the check failed (*failed). */
static struct gh_settings_snap *
fetch_newer(const struct gh_app *app, int64_t have, int *failed)
{
    struct gh_settings_snap *sn = NULL;
    struct gh_err            err = { 0 };
    int64_t                  v = -1;
    char                    *text = NULL;

    *failed = 0;
    if (gh_store_instance_settings_version(app->store, app->instance->id, &v, &err) == -1) {
        *failed = 1;
    } else if (v != have) {
        if (gh_store_instance_settings_get(app->store, app->instance->id, &text, &v, &err) == -1)
            *failed = 1;
        else if ((sn = gh_settings_snap_parse(text, v)) == NULL)
            *failed = 1;
        free(text);
    }
    if (*failed && err.code != GH_E_OK)
        gh_log_debug("settings version check failed: %s", gh_err_message(&err));
    return sn;
}

/* Installs sn (refs 1 → owned by the cache) unless cur is newer. Under mu. */
static void
install_locked(struct gh_settings_cache *c, struct gh_settings_snap *sn)
{
    struct gh_settings_snap *old = c->cur;

    if (old != NULL && old->version >= sn->version) {
        if (--sn->refs == 0)
            gh_settings_snap_free(sn);
        return;
    }
    c->cur = sn; /* the cache's reference moves to sn */
    if (old != NULL && --old->refs == 0)
        gh_settings_snap_free(old);
}

/* Re-checks the version (outside the lock) and installs what changed. */
static void
refresh(const struct gh_app *app, struct gh_settings_cache *c, int64_t have)
{
    int                      failed = 0;
    struct gh_settings_snap *sn = fetch_newer(app, have, &failed);

    pthread_mutex_lock(&c->mu);
    c->refreshing = 0;
    c->checked_at = gh_now_ms();
    if (failed && !c->failing)
        gh_log_warn("instance settings: cannot check for changes; using the copy loaded before");
    else if (!failed && c->failing)
        gh_log_info("instance settings: change checks work again");
    c->failing = failed;
    if (sn != NULL)
        install_locked(c, sn);
    pthread_mutex_unlock(&c->mu);
}

struct gh_settings_snap *
gh_settings_snap_get(const struct gh_app *app)
{
    struct gh_settings_cache *c = app != NULL ? app->settings : NULL;
    struct gh_settings_snap  *sn;
    int64_t                   now = gh_now_ms(), have;
    int                       check;

    if (c == NULL || app->store == NULL || app->instance == NULL)
        return startup_copy(app);
    pthread_mutex_lock(&c->mu);
    check = !c->refreshing && (c->cur == NULL || now - c->checked_at >= GH_SETTINGS_TTL_MS ||
                                  now < c->checked_at);
    if (check)
        c->refreshing = 1;
    have = c->cur != NULL ? c->cur->version : -2;
    pthread_mutex_unlock(&c->mu);
    if (check)
        refresh(app, c, have);
    pthread_mutex_lock(&c->mu);
    sn = c->cur;
    if (sn != NULL)
        sn->refs++;
    pthread_mutex_unlock(&c->mu);
    /* Nothing cached yet and the first read failed (or another thread is
     * still doing it): the copy loaded at startup. */
    return sn != NULL ? sn : startup_copy(app);
}

void
gh_settings_snap_put(const struct gh_app *app, struct gh_settings_snap *sn)
{
    struct gh_settings_cache *c = app != NULL ? app->settings : NULL;
    int                       last;

    if (sn == NULL || sn->temp == 2)
        return;
    if (sn->temp || c == NULL) {
        gh_settings_snap_free(sn);
        return;
    }
    pthread_mutex_lock(&c->mu);
    last = --sn->refs == 0;
    pthread_mutex_unlock(&c->mu);
    if (last)
        gh_settings_snap_free(sn);
}

void
gh_settings_snap_install(const struct gh_app *app, struct gh_settings_snap *sn)
{
    struct gh_settings_cache *c = app != NULL ? app->settings : NULL;

    if (c == NULL) {
        gh_settings_snap_free(sn);
        return;
    }
    pthread_mutex_lock(&c->mu);
    install_locked(c, sn);
    c->checked_at = gh_now_ms();
    pthread_mutex_unlock(&c->mu);
}
