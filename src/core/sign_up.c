/* sign_up.c: see sign_up.h. */
#include "core/sign_up.h"

#include <string.h>

void
gh_sign_up_fields(const struct gh_settings *st, const struct gh_sign_up *su,
    struct gh_su_fields *out)
{
    unsigned given = 0;

    memset(out, 0, sizeof(*out));
    out->required = GH_SU_EMAIL;
    if (st->password_enabled)
        out->required |= GH_SU_PASSWORD;
    if (st->username_enabled)
        out->optional |= GH_SU_USERNAME;
    if (st->names_enabled)
        out->optional |= GH_SU_FIRST_NAME | GH_SU_LAST_NAME;
    if (su->email_address != NULL)
        given |= GH_SU_EMAIL;
    if (su->password_hash != NULL)
        given |= GH_SU_PASSWORD;
    if (su->username != NULL)
        given |= GH_SU_USERNAME;
    if (su->first_name != NULL)
        given |= GH_SU_FIRST_NAME;
    if (su->last_name != NULL)
        given |= GH_SU_LAST_NAME;
    out->missing = out->required & ~given;
    if (su->email_address != NULL && strcmp(su->ev.status, "verified") != 0)
        out->unverified |= GH_SU_EMAIL;
}
