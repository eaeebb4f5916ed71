/* session_activity.h: which browser a session was last used from, for the
 * Frontend API's active-devices list (GET /v1/me/sessions/active, spec FAPI
 * §3.8): the raw User-Agent (cleaned and capped) and the peer address are
 * stored on the session; browser name, version and device type are read out
 * of the User-Agent when rendering. No geolocation: city and country stay
 * unknown. No HTTP here: the api layer hands over the header and address. */
#ifndef GH_CORE_SESSION_ACTIVITY_H
#define GH_CORE_SESSION_ACTIVITY_H

#include <stddef.h>

#include "store/records.h"
#include "util/err.h"

struct gh_app;

#define GH_UA_MAX 512 /* bytes of User-Agent kept; the rest is cut */

/* What the active-devices list shows (Clerk's SessionActivity). Empty
 * strings mean unknown. */
struct gh_ua_info {
    char browser_name[32];    /* "Chrome", "Firefox", "Safari", "Edge", "Opera" */
    char browser_version[32]; /* "120.0.6099.71" */
    char device_type[32];     /* "Macintosh", "Windows", "iPhone", "iPad", "Android", "Linux", … */
    int  is_mobile;
};

/* Copies ua into out[GH_UA_MAX + 1]: at most GH_UA_MAX bytes, every byte
 * outside printable ASCII replaced by '?' (so it is valid text in both
 * databases and in logs). NULL → "". */
void gh_user_agent_clean(const char *ua, char *out);
/* Reads browser and device out of a User-Agent (NULL → all unknown). Never
 * fails; anything unrecognised stays "". */
void gh_user_agent_parse(const char *ua, struct gh_ua_info *out);

/* Stores ua (cleaned) and ip on session s when they differ from what s
 * holds, and updates s to match; no write when nothing changed, so callers
 * may call it on every request. */
int gh_session_note_activity(struct gh_app *app, const char *instance_id, struct gh_session *s,
    const char *ua, const char *ip, struct gh_err *err);

#endif
