/* sign_up_complete.c: the end of a sign-up (sign_up.h): the user, its
 * invitation and its first session, written in the caller's transaction so
 * a failure anywhere leaves no user without a session, no accepted
 * invitation without a user, and no half-made membership. Also the ticket
 * check a sign-up makes when it is given an invitation ticket. */
#include "core/sign_up.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/event.h"
#include "core/id.h"
#include "core/ident.h"
#include "core/invitation.h"
#include "core/org.h"
#include "core/session.h"
#include "core/ticket.h"
#include "store/store.h"
#include "util/str.h"

static enum gh_ticket_kind
kind_of(const char *invitation_id)
{
    return strncmp(invitation_id, "orginv_", 7) == 0 ? GH_TICKET_ORG_INVITATION
                                                      : GH_TICKET_INVITATION;
}

int
gh_sign_up_ticket_check(struct gh_app *app, const char *instance_id, const char *raw,
    char inv_id[GH_ID_MAX], char ticket_hash[65], char **email, struct gh_err *err)
{
    struct gh_invitation *inv = NULL;
    struct gh_err         se = { 0 };

    *email = NULL;
    /* A ticket does not say its kind: an app invitation's, else an organization's. */
    if (gh_ticket_check(app, instance_id, GH_TICKET_INVITATION, raw, inv_id, &se) == -1) {
        if (se.code != GH_E_TICKET_INVALID) {
            *err = se;
            return -1;
        }
        if (gh_ticket_check(app, instance_id, GH_TICKET_ORG_INVITATION, raw, inv_id, err) == -1)
            return -1;
    }
    if (gh_ticket_digest(raw, ticket_hash, err) == -1 ||
        gh_store_invitation_get(app->store, instance_id, inv_id, &inv, err) == -1)
        return -1;
    *email = gh_strdup(inv->email_address);
    gh_invitation_free(inv);
    return *email != NULL ? 0 : GH_FAIL(err, GH_E_NOMEM, NULL);
}

static int
dup_into(char **slot, const char *v)
{
    if (v == NULL)
        return 0;
    free(*slot);
    return (*slot = gh_strdup(v)) != NULL ? 0 : -1;
}

/* The user record su describes, with its one email address, verified by the
 * strategy that verified it ("email_code" or "ticket"). NULL on OOM. */
static struct gh_user *
user_from(const struct gh_sign_up *su, const struct gh_invitation *inv, int64_t now)
{
    struct gh_user  *u = gh_user_new();
    struct gh_ident *i;

    if (u == NULL)
        return NULL;
    gh_id_new("user", u->id);
    u->created_at = u->updated_at = now;
    u->last_sign_in_at = u->last_active_at = now;
    u->legal_accepted_at = su->legal_accepted_at;
    if (su->password_hash != NULL)
        u->password_updated_at = now;
    /* An app invitation's public_metadata becomes the user's (Clerk's rule). */
    if (dup_into(&u->username, su->username) == -1 || dup_into(&u->first_name, su->first_name) ||
        dup_into(&u->last_name, su->last_name) || dup_into(&u->password_hash, su->password_hash) ||
        dup_into(&u->unsafe_metadata, su->unsafe_metadata) ||
        (inv != NULL && inv->org_id[0] == '\0' &&
            dup_into(&u->public_metadata, inv->public_metadata)) ||
        (i = gh_user_ident_add(u)) == NULL)
        goto oom;
    gh_id_new("idn", i->id);
    gh_strlcpy(i->user_id, u->id, sizeof(i->user_id));
    i->type = GH_IDENT_EMAIL;
    i->verified = 1;
    i->created_at = i->updated_at = now;
    if ((i->value = gh_strdup(su->email_address)) == NULL ||
        (i->strategy = gh_strdup(su->ev.strategy[0] != '\0' ? su->ev.strategy : "email_code")) ==
            NULL ||
        (u->primary_email_id = gh_strdup(i->id)) == NULL)
        goto oom;
    return u;
oom:
    gh_user_free(u);
    return NULL;
}

/* Consumes the sign-up's ticket (its digest is in ev.code_hash) and, for an
 * organization invitation, makes the user a member with the invited role and
 * the invitation's metadata. */
static int
accept_invitation(struct gh_app *app, const char *instance_id, const struct gh_sign_up *su,
    const struct gh_invitation *inv, const char *user_id, struct gh_err *err)
{
    char target[GH_ID_MAX];

    if (gh_ticket_redeem_hash(app, instance_id, kind_of(su->invitation_id), su->ev.code_hash,
            target, err) == -1)
        return -1;
    if (strcmp(target, su->invitation_id) != 0)
        return GH_FAIL(err, GH_E_TICKET_INVALID, NULL);
    if (inv->org_id[0] == '\0')
        return 0;
    if (gh_org_member_add(app, instance_id, inv->org_id, user_id, inv->role,
            inv->public_metadata, inv->private_metadata, NULL, err) == -1)
        return -1;
    /* webhooks (issue 5): after organizationMembership.created */
    return gh_event_emit_org_invitation(app, instance_id, "organizationInvitation.accepted",
        inv->id, user_id, err);
}

static int
load_invitation(struct gh_app *app, const char *instance_id, const struct gh_sign_up *su,
    struct gh_invitation **inv, struct gh_err *err)
{
    *inv = NULL;
    if (su->invitation_id[0] == '\0')
        return 0;
    if (strcmp(su->ev.strategy, "ticket") != 0) /* the address changed since: not invited */
        return GH_FAIL(err, GH_E_TICKET_INVALID, NULL);
    if (gh_store_invitation_get(app->store, instance_id, su->invitation_id, inv, err) == -1) {
        if (err->code == GH_E_NOT_FOUND) { /* deleted since the sign-up took it */
            gh_err_clear(err);
            GH_FAIL(err, GH_E_TICKET_REVOKED, NULL);
        }
        return -1;
    }
    return 0;
}

int
gh_sign_up_complete(struct gh_app *app, const char *instance_id, const struct gh_settings *st,
    struct gh_client *c, struct gh_sign_up *su, struct gh_err *err)
{
    struct gh_invitation *inv = NULL;
    struct gh_user       *u = NULL;
    struct gh_session    *s = NULL;
    struct gh_err         se = { 0 };
    int                   signed_in = 0, rc = -1;

    if (!gh_store_in_tx(app->store))
        return GH_FAIL(err, GH_E_INTERNAL, "sign-up completion outside a transaction");
    /* Single-session: the client may have signed in since the sign-up began. */
    if (gh_sign_up_client_signed_in(app, instance_id, c, &signed_in, err) == -1)
        return -1;
    if (signed_in && st->single_session_mode)
        return GH_FAIL(err, GH_E_SESSION_EXISTS, NULL);
    if (load_invitation(app, instance_id, su, &inv, err) == -1)
        return -1;
    if ((u = user_from(su, inv, gh_now_ms())) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    if (gh_store_user_insert(app->store, instance_id, u, &se) == -1) {
        gh_ident_store_fail(&se, err); /* a race on the address: form_identifier_exists */
        goto done;
    }
    if (gh_event_emit_user(app, instance_id, "user.created", u->id, err) == -1 ||
        (inv != NULL && accept_invitation(app, instance_id, su, inv, u->id, err) == -1) ||
        gh_session_create_on_client(app, instance_id, u->id, c->id, NULL, &s, err) == -1)
        goto done;
    gh_strlcpy(su->status, "complete", sizeof(su->status));
    gh_strlcpy(su->created_user_id, u->id, sizeof(su->created_user_id));
    gh_strlcpy(su->created_session_id, s->id, sizeof(su->created_session_id));
    su->updated_at = gh_now_ms();
    gh_strlcpy(c->last_active_session_id, s->id, sizeof(c->last_active_session_id));
    rc = 0;
done:
    gh_session_free(s);
    gh_user_free(u);
    gh_invitation_free(inv);
    return rc;
}
