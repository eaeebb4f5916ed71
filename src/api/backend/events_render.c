/* events_render.c: the webhook event envelope (spec §F2), registered with
 * core at startup (gh_api_events_install). data is the resource exactly as
 * the Backend API returns it: user (render.c), session (sessions.c) plus its
 * "user", and the DeletedObject {deleted,id,object,external_id} for
 * user.deleted. Organizations, memberships, roles and permissions render
 * through render_org.c (issue 5); their deletes are DeletedObjects
 * {deleted,id,object[,slug]}. Organization invitations render as the API
 * renders them (render_org.c; accepted adds user_id); email.created carries
 * Clerk's "email" object. New kinds add a case to render_data. */
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

/* organizationInvitation.*: the invitation (+ user_id for accepted). */
static json_t *
render_org_invitation(const struct gh_app *app, const struct gh_event_org_invitation *ei)
{
    json_t *j = gh_render_org_invitation_of(app, ei->invitation, NULL, ei->role, ei->inviter);

    if (j != NULL && ei->with_user_id &&
        json_object_set_new(j, "user_id", gh_api_str(ei->user_id)) == -1) {
        json_decref(j);
        return NULL;
    }
    return j;
}

/* Clerk's "email" object (SDK EmailJSON), field by field. */
static json_t *
render_email(const struct gh_event_email *e)
{
    return json_pack("{s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:b}",
        "object", "email",
        "id", gh_api_str(e->id),
        "slug", gh_api_str(e->slug),
        "from_email_name", gh_api_str(e->from_email_name),
        "to_email_address", gh_api_str(e->to_email_address),
        "email_address_id", gh_api_str(e->email_address_id),
        "user_id", gh_api_str(e->user_id),
        "subject", gh_api_str(e->subject),
        "body", gh_api_str(e->body),
        "body_plain", gh_api_str(e->body_plain),
        "status", gh_api_str(e->status),
        "data", e->data != NULL ? gh_api_obj_text(e->data) : json_null(),
        "delivered_by_clerk", e->delivered_by_clerk != 0);
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
    case GH_EVENT_ORG_INVITATION:
        return render_org_invitation(app, ev->obj);
    case GH_EVENT_EMAIL:
        return render_email(ev->obj);
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
