/* records_invitations.c: constructors and destructors for the invitation
 * records of records.h (issue 3): invitations and allow/blocklist
 * identifiers. Tickets and sign-in tokens are flat and need none. */
#include "store/records.h"

#include <stdlib.h>
#include <string.h>

struct gh_invitation *
gh_invitation_new(void)
{
    struct gh_invitation *inv = calloc(1, sizeof(*inv));

    if (inv == NULL)
        return NULL;
    inv->expires_at = GH_TIME_NULL;
    inv->created_at = GH_TIME_NULL;
    inv->updated_at = GH_TIME_NULL;
    inv->public_metadata = strdup("{}");
    inv->private_metadata = strdup("{}");
    if (inv->public_metadata == NULL || inv->private_metadata == NULL) {
        gh_invitation_free(inv);
        return NULL;
    }
    return inv;
}

void
gh_invitation_free(struct gh_invitation *inv)
{
    if (inv == NULL)
        return;
    free(inv->email_address);
    free(inv->public_metadata);
    free(inv->private_metadata);
    free(inv->redirect_url);
    free(inv);
}

void
gh_invitations_free(struct gh_invitation **v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        gh_invitation_free(v[i]);
    free(v);
}

struct gh_access_ident *
gh_access_ident_new(void)
{
    struct gh_access_ident *a = calloc(1, sizeof(*a));

    if (a == NULL)
        return NULL;
    a->created_at = GH_TIME_NULL;
    a->updated_at = GH_TIME_NULL;
    return a;
}

void
gh_access_ident_free(struct gh_access_ident *a)
{
    if (a == NULL)
        return;
    free(a->identifier);
    free(a);
}

void
gh_access_idents_free(struct gh_access_ident **v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        gh_access_ident_free(v[i]);
    free(v);
}
