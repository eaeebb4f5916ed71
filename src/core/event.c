/* event.c: see event.h. Renders through the api layer's callback and writes
 * the outbox row through the store; it never sends anything itself. */
#include "core/event.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/id.h"
#include "store/store.h"
#include "util/log.h"
#include "util/str.h"

void
gh_event_set_renderer(struct gh_app *app, gh_event_render_fn *fn)
{
    app->event_render = fn;
}

void
gh_event_set_waker(struct gh_app *app, gh_event_wake_fn *fn, void *arg)
{
    app->event_wake = fn;
    app->event_wake_arg = arg;
}

void
gh_event_wake(struct gh_app *app)
{
    if (app->event_wake != NULL)
        app->event_wake(app->event_wake_arg);
}

int
gh_event_emit(struct gh_app *app, const char *instance_id, const char *type,
    enum gh_event_kind kind, const void *obj, struct gh_err *err)
{
    struct gh_webhook_message m = { .created_at = gh_now_ms() };
    struct gh_event           ev = { .instance_id = instance_id, .type = type, .kind = kind,
                  .obj = obj, .timestamp_ms = m.created_at };
    char                     *payload;
    int                       rc;

    if (app->event_render == NULL)
        return 0;
    if ((payload = app->event_render(app, &ev)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_id_new("msg", m.id);
    gh_strlcpy(m.type, type, sizeof(m.type));
    m.payload = payload;
    rc = gh_store_webhook_message_insert(app->store, instance_id, &m, err);
    if (rc == 0)
        gh_log_debug("event %s queued msg_id=%s", type, m.id);
    free(payload);
    return rc;
}

int
gh_event_emit_user(struct gh_app *app, const char *instance_id, const char *type,
    const char *user_id, struct gh_err *err)
{
    struct gh_user *u = NULL;
    int             rc;

    if (app->event_render == NULL)
        return 0;
    if (gh_store_user_get(app->store, instance_id, user_id, &u, err) == -1)
        return -1;
    rc = gh_event_emit(app, instance_id, type, GH_EVENT_USER, u, err);
    gh_user_free(u);
    return rc;
}

int
gh_event_emit_session(struct gh_app *app, const char *instance_id, const char *type,
    const char *session_id, struct gh_err *err)
{
    struct gh_session      *s = NULL;
    struct gh_user         *u = NULL;
    struct gh_event_session es;
    struct gh_err           ue = { 0 };
    int                     rc = -1;

    if (app->event_render == NULL)
        return 0;
    if (gh_store_session_get(app->store, instance_id, session_id, &s, err) == -1)
        return -1;
    if (gh_store_user_get(app->store, instance_id, s->user_id, &u, &ue) == -1 &&
        ue.code != GH_E_NOT_FOUND) {
        *err = ue;
        goto done;
    }
    es.session = s;
    es.user = u;
    rc = gh_event_emit(app, instance_id, type, GH_EVENT_SESSION, &es, err);
done:
    gh_user_free(u);
    gh_session_free(s);
    return rc;
}
