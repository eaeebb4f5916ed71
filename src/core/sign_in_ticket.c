/* sign_in_ticket.c: signing in with a ticket (spec §B5, §C5, §C6, §C9): a
 * sign-in token from the Backend API, or an invitation (app-level or to an
 * organization) whose email address already has an account. Resolving
 * consumes nothing; the sign-in redeems the ticket only once everything else
 * (lock, already signed in) checked out, so a refused attempt does not burn
 * it. Tickets are opaque, so the kind is found by trying each. */
#include "core/sign_in.h"

#include <string.h>

#include "core/app.h"
#include "core/event.h"
#include "core/org.h"
#include "core/ticket.h"
#include "store/store.h"
#include "util/str.h"

static const enum gh_ticket_kind kinds[] = {
    GH_TICKET_SIGN_IN, GH_TICKET_INVITATION, GH_TICKET_ORG_INVITATION,
};

/* The ticket's kind and target; GH_E_TICKET_* (param ticket) otherwise. */
static int
ticket_kind(struct gh_app *app, const char *instance_id, const char *raw,
    struct gh_sign_in_ticket *t, struct gh_err *err)
{
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        struct gh_err te = { 0 };

        if (gh_ticket_check(app, instance_id, kinds[i], raw, t->target, &te) == 0) {
            t->kind = kinds[i];
            return 0;
        }
        if (te.code != GH_E_TICKET_INVALID) { /* this kind's, but used, expired, revoked */
            *err = te;
            gh_strlcpy(err->param, "ticket", sizeof(err->param));
            return -1;
        }
    }
    return GH_FAIL_PARAM(err, GH_E_TICKET_INVALID, "ticket", "The ticket is invalid.");
}

/* The user owning a verified address email; *u NULL when none. */
static int
user_by_email(struct gh_app *app, const char *instance_id, const char *email,
    struct gh_user **u, struct gh_err *err)
{
    *u = NULL;
    if (email == NULL ||
        gh_store_user_find_by_ident(app->store, instance_id, GH_IDENT_EMAIL, email, u, err) == -1)
        return email == NULL ? 0 : -1;
    for (size_t i = 0; *u != NULL && i < (*u)->nidents; i++)
        if ((*u)->idents[i].type == GH_IDENT_EMAIL && (*u)->idents[i].verified &&
            strcmp((*u)->idents[i].value, email) == 0)
            return 0;
    gh_user_free(*u); /* owned by an unverified address: not this person's yet */
    *u = NULL;
    return 0;
}

int
gh_sign_in_ticket_resolve(struct gh_app *app, const char *instance_id, const char *raw,
    struct gh_sign_in_ticket *t, struct gh_user **u, struct gh_err *err)
{
    struct gh_sign_in_token sit;
    struct gh_invitation   *inv = NULL;
    int                     rc = -1;

    memset(t, 0, sizeof(*t));
    *u = NULL;
    if (ticket_kind(app, instance_id, raw, t, err) == -1)
        return -1;
    if (t->kind == GH_TICKET_SIGN_IN) {
        if (gh_store_sign_in_token_get(app->store, instance_id, t->target, &sit, err) == -1)
            return -1;
        if (gh_store_user_get(app->store, instance_id, sit.user_id, u, err) == -1) {
            if (err->code == GH_E_NOT_FOUND) { /* the user was deleted since */
                gh_err_clear(err);
                GH_FAIL_PARAM(err, GH_E_TICKET_INVALID, "ticket", "The ticket is invalid.");
            }
            return -1;
        }
        return 0;
    }
    if (gh_store_invitation_get(app->store, instance_id, t->target, &inv, err) == -1)
        return -1;
    gh_strlcpy(t->org_id, inv->org_id, sizeof(t->org_id));
    gh_strlcpy(t->role, inv->role, sizeof(t->role));
    if (user_by_email(app, instance_id, inv->email_address, u, err) == -1)
        goto done;
    if (*u == NULL) { /* a new person: clerk-js moves on to sign-up with the ticket */
        GH_FAIL_PARAM(err, GH_E_INVITATION_ACCOUNT_NOT_EXISTS, "ticket",
            "There is no account for this invitation yet. Sign up instead.");
        goto done;
    }
    rc = 0;
done:
    gh_invitation_free(inv);
    return rc;
}

/* Inside the caller's transaction: for an organization invitation, the
 * membership (a member already is one: nothing to add) and
 * organizationInvitation.accepted (webhooks, issue 5). */
static int
join_org(struct gh_app *app, const char *instance_id, const struct gh_sign_in_ticket *t,
    const char *user_id, struct gh_err *err)
{
    struct gh_err me = { 0 };

    if (t->kind != GH_TICKET_ORG_INVITATION)
        return 0;
    if (gh_org_member_add(app, instance_id, t->org_id, user_id, t->role, NULL, NULL, NULL,
            &me) == -1 && me.code != GH_E_ALREADY_MEMBER) {
        *err = me;
        return -1;
    }
    return gh_event_emit_org_invitation(app, instance_id, "organizationInvitation.accepted",
        t->target, user_id, err);
}

int
gh_sign_in_ticket_redeem(struct gh_app *app, const char *instance_id, const char *raw,
    const struct gh_sign_in_ticket *t, const char *user_id, struct gh_err *err)
{
    char target[GH_ID_MAX], hash[65];
    int  ok;

    /* One transaction: the ticket, the membership and the event. */
    if (gh_ticket_digest(raw, hash, err) == -1) {
        gh_strlcpy(err->param, "ticket", sizeof(err->param));
        return -1;
    }
    if (gh_store_begin(app->store, err) == -1)
        return -1;
    ok = gh_ticket_redeem_hash(app, instance_id, t->kind, hash, target, err) == 0;
    if (!ok)
        gh_strlcpy(err->param, "ticket", sizeof(err->param));
    ok = ok && join_org(app, instance_id, t, user_id, err) == 0;
    return gh_event_tx_end(app, ok, err);
}
