/* events_render.c: the webhook event envelope (spec §F2), registered with
 * core at startup (gh_api_events_install). data is the resource exactly as
 * the Backend API returns it: user (render.c), session (sessions.c) plus its
 * "user", and the DeletedObject {deleted,id,object,external_id} for
 * user.deleted. Organizations, memberships, roles and permissions render
 * through render_org.c (issue 5); their deletes are DeletedObjects
 * {deleted,id,object[,slug]}. New kinds add a case to render_data. */
#include "api/backend/backend.h"

#include <jansson.h>
#include <stdlib.h>

#include "api/backend/render.h"
#include "api/backend/render_org.h"
#include "api/params.h"
#include "core/app.h"
#include "core/event.h"

/* DeletedObject of an organization (with slug), role or permission. */
static json_t *
render_deleted(const struct gh_event_deleted *d)
{
    json_t *j = gh_api_deleted(d->object, d->id);

    if (j != NULL && d->slug != NULL &&
        json_object_set_new(j, "slug", json_string(d->slug)) == -1) {
        json_decref(j);
        return NULL;
    }
    return j;
}

static json_t *
render_membership(const struct gh_app *app, const struct gh_event_membership *em)
{
    return gh_render_org_membership(app, em->membership, em->org, em->user, em->role);
}

static json_t *
render_data(const struct gh_app *app, const struct gh_event *ev)
{
    const struct gh_event_session *es;
    const struct gh_user          *u;
    json_t                        *o;

    switch (ev->kind) {
    case GH_EVENT_USER:
        return gh_render_user(app, ev->obj);
    case GH_EVENT_USER_DELETED:
        u = ev->obj;
        return json_pack("{s:b,s:s,s:s,s:o}", "deleted", 1, "id", u->id, "object", "user",
            "external_id", gh_api_str(u->external_id));
    case GH_EVENT_SESSION:
        es = ev->obj;
        if ((o = gh_render_session(es->session)) == NULL)
            return NULL;
        if (json_object_set_new(o, "user",
                es->user != NULL ? gh_render_user(app, es->user) : json_null()) == -1) {
            json_decref(o);
            return NULL;
        }
        return o;
    case GH_EVENT_ORGANIZATION:
        return gh_render_org(ev->obj);
    case GH_EVENT_MEMBERSHIP:
        return render_membership(app, ev->obj);
    case GH_EVENT_ROLE:
        return gh_render_role(ev->obj);
    case GH_EVENT_PERMISSION:
        return gh_render_permission(ev->obj);
    case GH_EVENT_DELETED:
        return render_deleted(ev->obj);
    case GH_EVENT_EMAIL: /* XXX: email.created lands with the Frontend API's emails */
        break;
    }
    return NULL;
}

static char *
render_event(const struct gh_app *app, const struct gh_event *ev)
{
    json_t *data = render_data(app, ev), *env;
    char   *text = NULL;

    if (data == NULL)
        return NULL;
    env = json_pack("{s:o,s:{s:{s:s,s:s}},s:s,s:s,s:I,s:s}", "data", data, "event_attributes",
        "http_request", "client_ip", "", "user_agent", "", "instance_id", ev->instance_id,
        "object", "event", "timestamp", (json_int_t)ev->timestamp_ms, "type", ev->type);
    if (env != NULL)
        text = json_dumps(env, JSON_COMPACT);
    json_decref(env);
    return text;
}

void
gh_api_events_install(struct gh_app *app)
{
    gh_event_set_renderer(app, render_event);
}
