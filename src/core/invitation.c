/* invitation.c: see invitation.h. Creation is two-phase: every item is
 * checked and built in memory (reads only; role seeding may open its own
 * transaction), then all rows and tickets are written in one transaction.
 * XXX: the duplicate-pending check is a read before the write, so two racing
 * creates for one email can both pass; harmless (two pending invitations). */
#include "core/invitation.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/event.h"
#include "core/id.h"
#include "core/ident.h"
#include "core/mail.h"
#include "core/org.h"
#include "core/role.h"
#include "core/ticket.h"
#include "core/user.h"
#include "crypto/crypto.h"
#include "util/buf.h"
#include "util/conf.h"
#include "util/json.h"
#include "util/str.h"

#define DAY_MS (86400LL * 1000)

static const char *const statuses[] = { "pending", "accepted", "revoked", "expired", NULL };

void
gh_invitation_params_init(struct gh_invitation_params *p)
{
    memset(p, 0, sizeof(*p));
    p->notify = 1;
}

int
gh_invitation_status_valid(const char *status)
{
    for (size_t i = 0; status != NULL && statuses[i] != NULL; i++)
        if (strcmp(status, statuses[i]) == 0)
            return 1;
    return 0;
}

void
gh_invitation_settle(struct gh_invitation *inv, int64_t now)
{
    if (strcmp(inv->status, "pending") == 0 && inv->expires_at != GH_TIME_NULL &&
        inv->expires_at <= now)
        gh_strlcpy(inv->status, "expired", sizeof(inv->status));
}

void
gh_invitation_urls_free(char **urls, size_t n)
{
    if (urls == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        gh_secret_free(urls[i]);
    free(urls);
}

/* "<frontend_url>/sign-up" without a doubled slash; malloc'd. */
static char *
default_redirect(const struct gh_app *app)
{
    const char   *base = app->conf != NULL ? app->conf->frontend_url : NULL;
    struct gh_buf b;
    size_t        n;

    if (base == NULL && app->instance != NULL)
        base = app->instance->frontend_url;
    if (base == NULL)
        base = "";
    n = strlen(base);
    while (n > 0 && base[n - 1] == '/')
        n--;
    gh_buf_init(&b, GH_TICKET_URL_MAX / 2);
    gh_buf_addn(&b, base, n);
    gh_buf_add(&b, "/sign-up");
    return gh_buf_take(&b);
}

/* Is there a pending (unexpired) invitation for email in org_id (NULL: app)? */
static int
pending_exists(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *email, int *exists, struct gh_err *err)
{
    struct gh_invitation_filter f;
    const char                 *st[] = { "pending" };
    int64_t                     n = 0;

    gh_invitation_filter_init(&f);
    f.org_id = org_id;
    f.emails = &email;
    f.n_emails = 1;
    f.statuses = st;
    f.n_statuses = 1;
    f.now = gh_now_ms();
    if (gh_store_invitation_count(app->store, instance_id, &f, &n, err) == -1)
        return -1;
    *exists = n > 0;
    return 0;
}

/* App-level rules: no user owns the email, no pending invitation for it. */
static int
check_app_level(struct gh_app *app, const char *instance_id, const struct gh_invitation *inv,
    const struct gh_invitation_params *p, struct gh_err *err)
{
    struct gh_user *u = NULL;
    int             exists = 0, owned;

    if (p->ignore_existing)
        return 0;
    if (gh_store_user_find_by_ident(app->store, instance_id, GH_IDENT_EMAIL, inv->email_address,
            &u, err) == -1)
        return -1;
    owned = u != NULL;
    gh_user_free(u);
    if (owned)
        return gh_ident_taken(err, "email_address");
    if (pending_exists(app, instance_id, NULL, inv->email_address, &exists, err) == -1)
        return -1;
    if (exists)
        return GH_FAIL_PARAM(err, GH_E_DUPLICATE_RECORD, "email_address",
            "There is already a pending invitation for this email address.");
    return 0;
}

/* Organization rules: role exists, inviter is a member, the email's user is
 * not a member yet, no pending invitation for it in this org. */
static int
check_org_level(struct gh_app *app, const char *instance_id, struct gh_invitation *inv,
    const struct gh_invitation_params *p, struct gh_err *err)
{
    struct gh_role           *role = NULL;
    struct gh_user           *u = NULL;
    struct gh_org_membership *m = NULL;
    int                       exists = 0, rc = -1;

    if (p->role == NULL || *p->role == '\0')
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "role", NULL);
    if (gh_role_find_by_key(app, instance_id, p->role, &role, err) == -1)
        return -1;
    if (role == NULL)
        return GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "role", "is not an existing role");
    gh_strlcpy(inv->role, role->key, sizeof(inv->role));
    gh_role_free(role);
    if (p->inviter_user_id != NULL) {
        if (gh_org_member_find(app, instance_id, inv->org_id, p->inviter_user_id, &m, err) == -1)
            goto done;
        if (m == NULL) {
            GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "inviter_user_id",
                "is not a member of the organization");
            goto done;
        }
        gh_strlcpy(inv->inviter_id, p->inviter_user_id, sizeof(inv->inviter_id));
        gh_org_membership_free(m);
        m = NULL;
    }
    if (gh_store_user_find_by_ident(app->store, instance_id, GH_IDENT_EMAIL, inv->email_address,
            &u, err) == -1)
        goto done;
    if (u != NULL && gh_org_member_find(app, instance_id, inv->org_id, u->id, &m, err) == -1)
        goto done;
    if (m != NULL) {
        GH_FAIL_PARAM(err, GH_E_ALREADY_MEMBER, "email_address", NULL);
        goto done;
    }
    if (pending_exists(app, instance_id, inv->org_id, inv->email_address, &exists, err) == -1)
        goto done;
    if (exists) {
        GH_FAIL_PARAM(err, GH_E_DUPLICATE_RECORD, "email_address",
            "There is already a pending invitation for this email address.");
        goto done;
    }
    rc = 0;
done:
    gh_org_membership_free(m);
    gh_user_free(u);
    return rc;
}

/* Shape checks and normalisation shared by both kinds. */
static int
build_common(const struct gh_invitation_params *p, int is_org, int64_t now,
    struct gh_invitation *inv, struct gh_err *err)
{
    int64_t days = p->expires_in_days != 0 ? p->expires_in_days : GH_INVITATION_DAYS_DEFAULT;

    if (p->email_address == NULL || *p->email_address == '\0')
        return GH_FAIL_PARAM(err, GH_E_PARAM_MISSING, "email_address", NULL);
    if (gh_ident_norm_email(p->email_address, "email_address", &inv->email_address, err) == -1)
        return -1;
    if (days < 1 || days > GH_INVITATION_DAYS_MAX)
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "expires_in_days",
            "must be between 1 and 365");
    if (p->redirect_url != NULL && !gh_ticket_redirect_valid(p->redirect_url))
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "redirect_url",
            "must be an absolute http(s) URL");
    if (p->redirect_url != NULL && (inv->redirect_url = strdup(p->redirect_url)) == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    if (p->public_metadata != NULL) {
        free(inv->public_metadata);
        inv->public_metadata = NULL;
        if (gh_json_object_canon(p->public_metadata, GH_JSON_METADATA_MAX, "public_metadata",
                &inv->public_metadata, err) == -1)
            return -1;
    }
    if (is_org && p->private_metadata != NULL) {
        free(inv->private_metadata);
        inv->private_metadata = NULL;
        if (gh_json_object_canon(p->private_metadata, GH_JSON_METADATA_MAX, "private_metadata",
                &inv->private_metadata, err) == -1)
            return -1;
    }
    gh_strlcpy(inv->status, "pending", sizeof(inv->status));
    inv->expires_at = now + days * DAY_MS;
    inv->created_at = inv->updated_at = now;
    return 0;
}

/* Checks one item and builds its row (not stored). *out caller frees. */
static int
prepare(struct gh_app *app, const char *instance_id, const char *org_id,
    const struct gh_invitation_params *p, int64_t now, struct gh_invitation **out,
    struct gh_err *err)
{
    struct gh_invitation *inv = gh_invitation_new();
    int                   rc = -1;

    *out = NULL;
    if (inv == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_id_new(org_id != NULL ? "orginv" : "inv", inv->id);
    if (org_id != NULL)
        gh_strlcpy(inv->org_id, org_id, sizeof(inv->org_id));
    if (build_common(p, org_id != NULL, now, inv, err) == -1)
        goto done;
    if (org_id != NULL ? check_org_level(app, instance_id, inv, p, err)
                       : check_app_level(app, instance_id, inv, p, err))
        goto done;
    *out = inv;
    inv = NULL;
    rc = 0;
done:
    gh_invitation_free(inv);
    return rc;
}

/* Writes one prepared invitation with its ticket; *url holds the ticket.
 * Organization invitations emit organizationInvitation.created (webhooks,
 * issue 5) in the same transaction; Clerk has no app-level invitation events.
 * With notify, queues its email in the same transaction. */
static int
store_one(struct gh_app *app, const char *instance_id, const struct gh_invitation *inv,
    const char *dflt_redirect, const char *org_name, int notify, char **url, struct gh_err *err)
{
    int   is_org = inv->org_id[0] != '\0';
    char *raw = NULL;
    int   rc;

    if (gh_store_invitation_insert(app->store, instance_id, inv, err) == -1 ||
        gh_ticket_issue(app, instance_id, is_org ? GH_TICKET_ORG_INVITATION : GH_TICKET_INVITATION,
            inv->id, inv->expires_at, &raw, err) == -1 ||
        (is_org && gh_event_emit_org_invitation(app, instance_id, "organizationInvitation.created",
                       inv->id, NULL, err) == -1)) {
        gh_secret_free(raw);
        return -1;
    }
    rc = gh_ticket_url(inv->redirect_url != NULL ? inv->redirect_url : dflt_redirect, raw, url,
        err);
    gh_secret_free(raw);
    if (rc == 0 && notify)
        rc = gh_mail_send_invitation(app, instance_id, inv->email_address, *url, org_name,
            inv->expires_at, err);
    return rc;
}

/* Phase 2: every row, ticket and email in one transaction. */
static int
store_all(struct gh_app *app, const char *instance_id, struct gh_invitation **v,
    const struct gh_invitation_params *p, size_t n, const char *org_name, char **urls,
    struct gh_err *err)
{
    char *dflt = default_redirect(app);
    int   ok = 0, mailed = 0;

    if (dflt == NULL)
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    if (gh_store_begin(app->store, err) == 0) {
        ok = 1;
        for (size_t i = 0; ok && i < n; i++) {
            ok = store_one(app, instance_id, v[i], dflt, org_name, p[i].notify, &urls[i],
                     err) == 0;
            mailed |= p[i].notify;
        }
        ok = gh_event_tx_end(app, ok, err) == 0;
    }
    free(dflt);
    if (ok && mailed)
        gh_mail_wake(app);
    return ok ? 0 : -1;
}

/* The organization's id for an id or slug (GH_E_NOT_FOUND when none), and
 * its name when name is non-NULL (*name malloc'd). */
static int
resolve_org(struct gh_app *app, const char *instance_id, const char *id_or_slug,
    char id[GH_ID_MAX], char **name, struct gh_err *err)
{
    struct gh_org *o = NULL;
    int            rc = 0;

    if (gh_org_get(app, instance_id, id_or_slug, 0, &o, err) == -1)
        return -1;
    gh_strlcpy(id, o->id, GH_ID_MAX);
    if (name != NULL && (*name = gh_strdup(o->name != NULL ? o->name : o->id)) == NULL)
        rc = GH_FAIL(err, GH_E_NOMEM, NULL);
    gh_org_free(o);
    return rc;
}

int
gh_invitation_create(struct gh_app *app, const char *instance_id, const char *org_id,
    const struct gh_invitation_params *p, size_t n, struct gh_invitation ***out, char ***urls,
    struct gh_err *err)
{
    struct gh_invitation **v = NULL;
    char                 **u = NULL;
    char                   oid[GH_ID_MAX], *org_name = NULL;
    int64_t                now = gh_now_ms();
    size_t                 k = 0;
    int                    rc = -1;

    *out = NULL;
    *urls = NULL;
    if (n == 0 || n > GH_INVITATION_BULK_MAX)
        return GH_FAIL(err, GH_E_BAD_REQUEST, "between 1 and 100 invitations per request");
    if (org_id != NULL && resolve_org(app, instance_id, org_id, oid, &org_name, err) == -1)
        return -1;
    if ((v = calloc(n, sizeof(*v))) == NULL || (u = calloc(n, sizeof(*u))) == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    for (; k < n; k++) {
        if (prepare(app, instance_id, org_id != NULL ? oid : NULL, &p[k], now, &v[k], err) == -1) {
            if (n > 1)
                gh_err_note(err, "item %zu", k);
            goto done;
        }
        /* Two items of one bulk request for the same email: refuse too. */
        for (size_t j = 0; j < k; j++)
            if (strcmp(v[j]->email_address, v[k]->email_address) == 0 && !p[k].ignore_existing) {
                GH_FAIL_PARAM(err, GH_E_DUPLICATE_RECORD, "email_address",
                    "The same email address appears twice in the request.");
                k++;
                goto done;
            }
    }
    if (store_all(app, instance_id, v, p, n, org_name, u, err) == -1)
        goto done;
    *out = v;
    *urls = u;
    v = NULL;
    u = NULL;
    rc = 0;
done:
    free(org_name);
    gh_invitations_free(v, k);
    gh_invitation_urls_free(u, n);
    return rc;
}

int
gh_invitation_get(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *id, struct gh_invitation **out, struct gh_err *err)
{
    struct gh_invitation *inv = NULL;
    char                  oid[GH_ID_MAX] = "";
    struct gh_err         se = { 0 };

    *out = NULL;
    if (org_id != NULL && resolve_org(app, instance_id, org_id, oid, NULL, err) == -1)
        return -1;
    if (!gh_id_valid(org_id != NULL ? "orginv" : "inv", id))
        return GH_FAIL(err, GH_E_NOT_FOUND, "Invitation not found");
    if (gh_store_invitation_get(app->store, instance_id, id, &inv, &se) == -1) {
        if (se.code == GH_E_NOT_FOUND)
            return GH_FAIL(err, GH_E_NOT_FOUND, "Invitation not found");
        *err = se;
        return -1;
    }
    if (strcmp(inv->org_id, oid) != 0) { /* another organization's, or app vs org */
        gh_invitation_free(inv);
        return GH_FAIL(err, GH_E_NOT_FOUND, "Invitation not found");
    }
    gh_invitation_settle(inv, gh_now_ms());
    *out = inv;
    return 0;
}

/* pending → revoked and the ticket revoked, in one transaction (with
 * organizationInvitation.revoked for an organization's). The update is
 * conditional: an acceptance racing with us wins or loses cleanly. */
static int
revoke_rows(struct gh_app *app, const char *instance_id, const char *id, int is_org,
    enum gh_err_code not_pending, struct gh_err *err)
{
    int changed = 0, ok = 0;

    if (gh_store_begin(app->store, err) == -1)
        return -1;
    if (gh_store_invitation_set_status(app->store, instance_id, id, "pending", "revoked",
            gh_now_ms(), &changed, err) == 0) {
        if (!changed)
            GH_FAIL(err, not_pending, NULL);
        else if (gh_ticket_revoke_target(app, instance_id, id, err) == 0 &&
                 (!is_org || gh_event_emit_org_invitation(app, instance_id,
                                 "organizationInvitation.revoked", id, NULL, err) == 0))
            ok = 1;
    }
    return gh_event_tx_end(app, ok, err);
}

int
gh_invitation_revoke(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *id, struct gh_invitation **out, struct gh_err *err)
{
    struct gh_invitation *inv = NULL;
    enum gh_err_code      not_pending =
        org_id != NULL ? GH_E_ORG_INVITATION_NOT_PENDING : GH_E_INVITATION_NOT_PENDING;
    int                   ok;

    *out = NULL;
    if (gh_invitation_get(app, instance_id, org_id, id, &inv, err) == -1)
        return -1;
    if (strcmp(inv->status, "pending") != 0) {
        gh_invitation_free(inv);
        return GH_FAIL(err, not_pending, NULL);
    }
    ok = revoke_rows(app, instance_id, inv->id, org_id != NULL, not_pending, err) == 0;
    gh_invitation_free(inv);
    if (!ok)
        return -1;
    return gh_invitation_get(app, instance_id, org_id, id, out, err);
}

int
gh_invitation_delete(struct gh_app *app, const char *instance_id, const char *id,
    struct gh_err *err)
{
    struct gh_invitation *inv = NULL;

    if (gh_invitation_get(app, instance_id, NULL, id, &inv, err) == -1)
        return -1;
    gh_invitation_free(inv);
    return gh_store_invitation_delete(app->store, instance_id, id, err);
}

int
gh_invitation_list(struct gh_app *app, const char *instance_id,
    struct gh_invitation_filter *f, struct gh_invitation ***out, size_t *n, int64_t *total,
    struct gh_err *err)
{
    char        oid[GH_ID_MAX];
    const char *given = f->org_id;
    int         rc = -1;

    *out = NULL;
    *n = 0;
    for (size_t i = 0; i < f->n_statuses; i++)
        if (!gh_invitation_status_valid(f->statuses[i]))
            return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "status",
                "must be one of pending, accepted, revoked, expired");
    if (given != NULL && !f->any_org) {
        if (resolve_org(app, instance_id, given, oid, NULL, err) == -1)
            return -1;
        f->org_id = oid;
    }
    f->now = gh_now_ms();
    if (gh_store_invitation_list(app->store, instance_id, f, out, n, err) == 0 &&
        (total == NULL || gh_store_invitation_count(app->store, instance_id, f, total, err) == 0))
        rc = 0;
    f->org_id = given;
    if (rc == -1) {
        gh_invitations_free(*out, *n);
        *out = NULL;
        *n = 0;
        return -1;
    }
    for (size_t i = 0; i < *n; i++)
        gh_invitation_settle((*out)[i], f->now);
    return 0;
}

int
gh_invitation_list_for_user(struct gh_app *app, const char *instance_id,
    const char *user_id, const char *const *st, size_t n_st, int64_t limit, int64_t offset,
    struct gh_invitation ***out, size_t *n, int64_t *total, struct gh_err *err)
{
    struct gh_invitation_filter f;
    struct gh_user             *u = NULL;
    const char                 *emails[GH_USER_MAX_IDENTS * 2];
    size_t                      ne = 0;
    int                         rc = 0;

    *out = NULL;
    *n = 0;
    *total = 0;
    if (gh_user_get(app, instance_id, user_id, &u, err) == -1)
        return -1;
    for (size_t i = 0; i < u->nidents && ne < sizeof(emails) / sizeof(emails[0]); i++)
        if (u->idents[i].type == GH_IDENT_EMAIL && u->idents[i].value != NULL)
            emails[ne++] = u->idents[i].value;
    if (ne > 0) {
        gh_invitation_filter_init(&f);
        f.any_org = 1;
        f.emails = emails;
        f.n_emails = ne;
        f.statuses = st;
        f.n_statuses = n_st;
        f.limit = limit;
        f.offset = offset;
        rc = gh_invitation_list(app, instance_id, &f, out, n, total, err);
    } else if ((*out = calloc(1, sizeof(**out))) == NULL) {
        rc = GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    gh_user_free(u);
    return rc;
}
