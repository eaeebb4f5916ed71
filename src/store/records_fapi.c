/* records_fapi.c: constructors and destructors for the Frontend API records
 * of records.h (issue 4): sign-ins and sign-ups. */
#include "store/records.h"

#include <stdlib.h>
#include <string.h>

void
gh_verif_reset(struct gh_verif *v)
{
    memset(v, 0, sizeof(*v));
    v->expire_at = GH_TIME_NULL;
    v->sent_at = GH_TIME_NULL;
}

struct gh_sign_in *
gh_sign_in_new(void)
{
    struct gh_sign_in *si = calloc(1, sizeof(*si));

    if (si == NULL)
        return NULL;
    gh_verif_reset(&si->ff);
    gh_verif_reset(&si->sf);
    si->abandon_at = GH_TIME_NULL;
    si->created_at = GH_TIME_NULL;
    si->updated_at = GH_TIME_NULL;
    return si;
}

void
gh_sign_in_free(struct gh_sign_in *si)
{
    if (si == NULL)
        return;
    free(si->identifier);
    free(si);
}

struct gh_sign_up *
gh_sign_up_new(void)
{
    struct gh_sign_up *su = calloc(1, sizeof(*su));

    if (su == NULL)
        return NULL;
    gh_verif_reset(&su->ev);
    su->legal_accepted_at = GH_TIME_NULL;
    su->abandon_at = GH_TIME_NULL;
    su->created_at = GH_TIME_NULL;
    su->updated_at = GH_TIME_NULL;
    if ((su->unsafe_metadata = strdup("{}")) == NULL) {
        free(su);
        return NULL;
    }
    return su;
}

void
gh_sign_up_free(struct gh_sign_up *su)
{
    if (su == NULL)
        return;
    free(su->email_address);
    free(su->phone_number);
    free(su->username);
    free(su->first_name);
    free(su->last_name);
    if (su->password_hash != NULL) /* a hash, but no reason to leave it around */
        memset(su->password_hash, 0, strlen(su->password_hash));
    free(su->password_hash);
    free(su->unsafe_metadata);
    free(su);
}
