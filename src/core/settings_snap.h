/* settings_snap.h: private to settings.c and settings_cache.c. A snapshot
 * is the parsed form of one version of instances.settings; it is immutable
 * once published, and reference-counted so a reader keeps using the copy it
 * took while a newer one is installed. */
#ifndef GH_CORE_SETTINGS_SNAP_H
#define GH_CORE_SETTINGS_SNAP_H

#include <stddef.h>
#include <stdint.h>

#include "core/settings.h"

struct gh_settings_snap {
    int                refs;      /* guarded by the cache's mutex; temp: always 1 */
    int                temp;      /* 1: not from the cache (freed on put) */
    int64_t            version;   /* instances.settings_version it was read at; -1 unknown */
    struct gh_settings s;
    char              *text;      /* the stored JSON (owned) */
    char             **origins;   /* allowed_origins (owned) */
    size_t             norigins;
    char             **redirects; /* allowed_redirect_urls (owned) */
    size_t             nredirects;
};

/* settings.c: parses text (junk and invalid values are logged and skipped)
 * into a new snapshot with refs = 1. NULL only when out of memory. */
struct gh_settings_snap *gh_settings_snap_parse(const char *text, int64_t version);
void gh_settings_snap_free(struct gh_settings_snap *sn);

/* settings_cache.c: the current snapshot, with a reference the caller
 * returns with gh_settings_snap_put. Never NULL (falls back to the defaults
 * when out of memory). */
struct gh_settings_snap *gh_settings_snap_get(const struct gh_app *app);
void gh_settings_snap_put(const struct gh_app *app, struct gh_settings_snap *sn);
/* Publishes sn (just written by this process at sn->version), unless the
 * cache already holds a newer version; takes sn's reference. */
void gh_settings_snap_install(const struct gh_app *app, struct gh_settings_snap *sn);

#endif
