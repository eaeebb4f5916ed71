/* records.c: constructors and destructors for records.h. */
#include "store/records.h"

#include <stdlib.h>
#include <string.h>

#include "util/str.h"

struct gh_user *
gh_user_new(void)
{
    struct gh_user *u = calloc(1, sizeof(*u));

    if (u == NULL)
        return NULL;
    u->lockout_until = GH_TIME_NULL;
    u->password_updated_at = GH_TIME_NULL;
    u->last_sign_in_at = GH_TIME_NULL;
    u->last_active_at = GH_TIME_NULL;
    u->legal_accepted_at = GH_TIME_NULL;
    u->delete_self_enabled = 1;
    u->create_organization_enabled = 1;
    u->public_metadata = strdup("{}");
    u->private_metadata = strdup("{}");
    u->unsafe_metadata = strdup("{}");
    if (u->public_metadata == NULL || u->private_metadata == NULL || u->unsafe_metadata == NULL) {
        gh_user_free(u);
        return NULL;
    }
    return u;
}

void
gh_ident_clear(struct gh_ident *i)
{
    if (i == NULL)
        return;
    free(i->value);
    free(i->strategy);
    i->value = NULL;
    i->strategy = NULL;
}

void
gh_ident_free(struct gh_ident *i)
{
    gh_ident_clear(i);
    free(i);
}

void
gh_user_free(struct gh_user *u)
{
    if (u == NULL)
        return;
    free(u->external_id);
    free(u->username);
    free(u->first_name);
    free(u->last_name);
    free(u->password_hash);
    free(u->totp_secret);
    free(u->backup_codes);
    free(u->primary_email_id);
    free(u->primary_phone_id);
    free(u->public_metadata);
    free(u->private_metadata);
    free(u->unsafe_metadata);
    for (size_t i = 0; i < u->nidents; i++)
        gh_ident_clear(&u->idents[i]);
    free(u->idents);
    free(u);
}

void
gh_users_free(struct gh_user **v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        gh_user_free(v[i]);
    free(v);
}

struct gh_ident *
gh_user_ident_add(struct gh_user *u)
{
    struct gh_ident *p = realloc(u->idents, (u->nidents + 1) * sizeof(*p));

    if (p == NULL)
        return NULL;
    u->idents = p;
    memset(&p[u->nidents], 0, sizeof(*p));
    p[u->nidents].created_at = GH_TIME_NULL;
    p[u->nidents].updated_at = GH_TIME_NULL;
    return &p[u->nidents++];
}

const struct gh_ident *
gh_user_ident_find(const struct gh_user *u, const char *ident_id)
{
    for (size_t i = 0; ident_id != NULL && i < u->nidents; i++)
        if (strcmp(u->idents[i].id, ident_id) == 0)
            return &u->idents[i];
    return NULL;
}

struct gh_session *
gh_session_new(void)
{
    struct gh_session *s = calloc(1, sizeof(*s));

    if (s == NULL)
        return NULL;
    s->last_active_at = GH_TIME_NULL;
    s->expire_at = GH_TIME_NULL;
    s->abandon_at = GH_TIME_NULL;
    return s;
}

void
gh_session_free(struct gh_session *s)
{
    if (s == NULL)
        return;
    free(s->active_org_id);
    free(s->actor);
    free(s->user_agent);
    free(s);
}

void
gh_sessions_free(struct gh_session **v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        gh_session_free(v[i]);
    free(v);
}

void
gh_instance_free(struct gh_instance *in)
{
    if (in == NULL)
        return;
    free(in->name);
    free(in->frontend_url);
    free(in->publishable_key);
    free(in->settings);
    free(in);
}

void
gh_signing_key_clear(struct gh_signing_key *k)
{
    if (k == NULL)
        return;
    free(k->private_sealed);
    free(k->public_pem);
    k->private_sealed = NULL;
    k->public_pem = NULL;
}

void
gh_signing_keys_free(struct gh_signing_key *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        gh_signing_key_clear(&v[i]);
    free(v);
}

/* ---- webhooks (issue 5) ---- */

void
gh_webhook_endpoint_clear(struct gh_webhook_endpoint *ep)
{
    if (ep == NULL)
        return;
    free(ep->url);
    free(ep->description);
    free(ep->event_filter);
    free(ep->secret_sealed);
    free(ep->prev_sealed);
    free(ep->disabled_reason);
    memset(ep, 0, sizeof(*ep));
}

void
gh_webhook_endpoints_free(struct gh_webhook_endpoint *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        gh_webhook_endpoint_clear(&v[i]);
    free(v);
}

void
gh_webhook_job_clear(struct gh_webhook_job *j)
{
    if (j == NULL)
        return;
    free(j->payload);
    j->payload = NULL;
    gh_webhook_endpoint_clear(&j->ep);
}

void
gh_mail_job_clear(struct gh_mail_job *j)
{
    if (j == NULL)
        return;
    free(j->message_sealed);
    j->message_sealed = NULL;
    j->message_sealed_len = 0;
}

void
gh_webhook_attempts_free(struct gh_webhook_attempt *v, size_t n)
{
    for (size_t i = 0; v != NULL && i < n; i++)
        free(v[i].error);
    free(v);
}
