/* event.h: webhook events, written to the outbox inside the transaction that
 * made the change (so a crash between the change and the delivery loses
 * nothing). Core does not know JSON: the api layer registers one renderer at
 * startup (gh_event_set_renderer) that turns a record into the envelope of
 * spec §F2; core only says which kind of record it hands over.
 *
 * Adding an event (e.g. organization.created, from the organizations work):
 *   1. add a kind below (the record type it carries is part of its contract);
 *   2. teach the renderer (src/api/backend/events_render.c) to render it;
 *   3. call gh_event_emit(app, instance_id, "organization.created",
 *      GH_EVENT_ORGANIZATION, org, err) between gh_store_begin and
 *      gh_store_commit, then gh_event_wake(app) after the commit. */
#ifndef GH_CORE_EVENT_H
#define GH_CORE_EVENT_H

#include <stdint.h>

#include "util/err.h"

struct gh_app;
struct gh_invitation;
struct gh_org;
struct gh_org_membership;
struct gh_permission;
struct gh_role;
struct gh_session;
struct gh_user;

enum gh_event_kind {
    GH_EVENT_USER = 1,      /* obj: const struct gh_user * (the stored user) */
    GH_EVENT_USER_DELETED,  /* obj: const struct gh_user * (as it was): DeletedObject + external_id */
    GH_EVENT_SESSION,       /* obj: const struct gh_event_session * */
    GH_EVENT_EMAIL,         /* obj: const struct gh_event_email * (email.created, the mailer's) */
    /* organizations, memberships, roles, permissions (issue 5, event_org.c) */
    GH_EVENT_ORGANIZATION,  /* obj: const struct gh_org * (as the API answers: no members_count) */
    GH_EVENT_MEMBERSHIP,    /* obj: const struct gh_event_membership * */
    GH_EVENT_ROLE,          /* obj: const struct gh_role * (with its permissions) */
    GH_EVENT_PERMISSION,    /* obj: const struct gh_permission * */
    GH_EVENT_DELETED,       /* obj: const struct gh_event_deleted * (DeletedObject) */
    GH_EVENT_ORG_INVITATION, /* obj: const struct gh_event_org_invitation * */
};

/* session.* events carry the session and its user. */
struct gh_event_session {
    const struct gh_session *session;
    const struct gh_user    *user; /* NULL renders as null */
};

/* organizationMembership.* events: the membership with what the API renders
 * beside it (user and role NULL when gone). */
struct gh_event_membership {
    const struct gh_org_membership *membership;
    const struct gh_org            *org;
    const struct gh_user           *user;
    const struct gh_role           *role;
};

/* DeletedObject {object,id,deleted:true} plus slug when not NULL
 * (organization.deleted, role.deleted, permission.deleted). */
struct gh_event_deleted {
    const char *object; /* "organization" | "role" | "permission" */
    const char *id;
    const char *slug;   /* NULL: no slug key */
};

/* organizationInvitation.* events: the invitation as stored after the change
 * (status effective), with what the API renders beside it (role and inviter
 * NULL when gone). data has "url": null: the ticket is shown only in the
 * create answer and never stored. accepted adds "user_id" (spec §F2). */
struct gh_event_org_invitation {
    const struct gh_invitation *invitation;
    const struct gh_role       *role;
    const struct gh_user       *inviter;
    int                         with_user_id; /* 1: data has "user_id" (accepted) */
    const char                 *user_id;      /* who accepted; NULL renders null */
};

/* email.created: an email Gatehouse is about to send, as Clerk's "email"
 * object (SDK EmailJSON). Strings borrowed; NULL renders null. */
struct gh_event_email {
    const char *id;                 /* ema_… */
    const char *slug;               /* template slug: "verification_code", "invitation", … */
    const char *from_email_name;    /* local part of the sender, e.g. "notifications" */
    const char *to_email_address;
    const char *email_address_id;   /* idn_… of the recipient, NULL when not a user's */
    const char *user_id;
    const char *subject;
    const char *body;               /* HTML */
    const char *body_plain;
    const char *status;             /* "queued" when emitted */
    const char *data;               /* JSON object text (template variables), NULL: null */
    int         delivered_by_clerk; /* 1 when Gatehouse delivers it itself */
};

/* What a renderer gets: everything the envelope needs. */
struct gh_event {
    const char        *instance_id;
    const char        *type;         /* "user.created", … (spec §F3) */
    enum gh_event_kind kind;
    const void        *obj;
    int64_t            timestamp_ms;
};

/* Renders the whole envelope {data,event_attributes,instance_id,object,
 * timestamp,type} as compact JSON text (malloc'd), or NULL on failure. */
typedef char *gh_event_render_fn(const struct gh_app *app, const struct gh_event *ev);
/* Wakes whoever delivers the outbox (the webhook worker). */
typedef void gh_event_wake_fn(void *arg);

/* Registered once at startup, before any request. Without a renderer (admin
 * verbs, unit tests of core) gh_event_emit writes nothing. */
void gh_event_set_renderer(struct gh_app *app, gh_event_render_fn *fn);
void gh_event_set_waker(struct gh_app *app, gh_event_wake_fn *fn, void *arg);

/* Renders the event and inserts its outbox message (fanned out to the
 * matching endpoints). Must run inside the store transaction that made the
 * change; a failure fails that transaction. */
int gh_event_emit(struct gh_app *app, const char *instance_id, const char *type,
    enum gh_event_kind kind, const void *obj, struct gh_err *err);
/* Loads the user (inside the transaction) and emits a GH_EVENT_USER event. */
int gh_event_emit_user(struct gh_app *app, const char *instance_id, const char *type,
    const char *user_id, struct gh_err *err);
/* Loads the session and its user and emits a GH_EVENT_SESSION event. */
int gh_event_emit_session(struct gh_app *app, const char *instance_id, const char *type,
    const char *session_id, struct gh_err *err);
/* After the commit: lets the worker pick the new messages up at once. */
void gh_event_wake(struct gh_app *app);

/* ---- organizations, memberships, roles, permissions (issue 5, event_org.c) ----
 * Each loads the stored record inside the open transaction and emits it. */
int gh_event_emit_org(struct gh_app *app, const char *instance_id, const char *type,
    const char *org_id, struct gh_err *err);
/* m is the membership as stored (or, for .deleted, as it was); its
 * organization, user and role are loaded to render it. */
int gh_event_emit_membership(struct gh_app *app, const char *instance_id, const char *type,
    const struct gh_org_membership *m, struct gh_err *err);
int gh_event_emit_role(struct gh_app *app, const char *instance_id, const char *type,
    const char *role_id, struct gh_err *err);
int gh_event_emit_permission(struct gh_app *app, const char *instance_id, const char *type,
    const char *perm_id, struct gh_err *err);
/* organizationInvitation.<type>: loads the invitation, its role and its
 * inviter inside the open transaction. user_id is for .accepted (may be
 * NULL: rendered null); other types pass NULL and get no user_id key. */
int gh_event_emit_org_invitation(struct gh_app *app, const char *instance_id, const char *type,
    const char *invitation_id, const char *user_id, struct gh_err *err);
/* email.created for an email queued in the caller's transaction
 * (gh_mail_send calls it, and only while an endpoint takes the event: the
 * body holds the code or ticket link, which the mail queue keeps sealed). */
int gh_event_emit_email(struct gh_app *app, const char *instance_id,
    const struct gh_event_email *email, struct gh_err *err);
/* A *.deleted event carrying a DeletedObject (slug may be NULL). */
int gh_event_emit_deleted(struct gh_app *app, const char *instance_id, const char *type,
    const char *object, const char *id, const char *slug, struct gh_err *err);
/* Ends a transaction begun with gh_store_begin: ok → commit, then wake the
 * worker; !ok or a failed commit → roll back (err keeps the first failure).
 * Returns 0 when committed. */
int gh_event_tx_end(struct gh_app *app, int ok, struct gh_err *err);

#endif
