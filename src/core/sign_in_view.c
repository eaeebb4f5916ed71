/* sign_in_view.c: what a sign-in shows the browser (spec FAPI §4.4): its
 * first factors (one per way the account can sign in), its second factors
 * once the first one passed, and the user's names once it is safe to show
 * them. For an identifier nobody owns, the decoy: the factors a typical
 * account would have, with an email_address_id derived from the identifier,
 * so the answer does not say whether the account exists (issue 6). Pure
 * except for the master-key MAC; no HTTP or jansson. */
#include "core/sign_in.h"

#include <stdio.h>
#include <string.h>

#include "core/app.h"
#include "core/id.h"
#include "crypto/crypto.h"
#include "util/str.h"

static const char *const statuses[] = {
    "needs_identifier", "needs_first_factor", "needs_second_factor", "needs_new_password",
    "complete", "abandoned", NULL,
};

int
gh_sign_in_status_valid(const char *status)
{
    for (size_t i = 0; status != NULL && statuses[i] != NULL; i++)
        if (strcmp(status, statuses[i]) == 0)
            return 1;
    return 0;
}

void
gh_sign_in_mask_email(const char *email, char *out)
{
    const char *at = email != NULL ? strchr(email, '@') : NULL;

    if (email == NULL)
        email = "";
    if (at == NULL || at == email)
        snprintf(out, GH_EMAIL_MAX + 1, "%s", email);
    else
        snprintf(out, GH_EMAIL_MAX + 1, "%c***%s", email[0], at);
}

int
gh_sign_in_needs_mfa(const struct gh_settings *st, const struct gh_user *u)
{
    return u != NULL && ((st->totp_enabled && u->totp_secret != NULL) ||
                            (st->backup_codes_enabled && u->backup_codes != NULL));
}

static void
add_factor(struct gh_sign_in_view *v, const char *strategy, const char *ident_id,
    const char *safe, int primary)
{
    struct gh_sign_in_factor *f;

    if (v->nfirst >= GH_SIGN_IN_FACTORS_MAX)
        return;
    f = &v->first[v->nfirst++];
    gh_strlcpy(f->strategy, strategy, sizeof(f->strategy));
    gh_strlcpy(f->email_address_id, ident_id != NULL ? ident_id : "",
        sizeof(f->email_address_id));
    gh_strlcpy(f->safe_identifier, safe != NULL ? safe : "", sizeof(f->safe_identifier));
    f->primary = primary;
}

/* ---- decoys ---- */

static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/* Where a made-up address for a username lives: common enough to be dull. */
static const char *const decoy_domains[] = {
    "gmail.com", "outlook.com", "yahoo.com", "icloud.com", "hotmail.com", "proton.me",
};

void
gh_sign_in_decoy(const unsigned char mac[32], const struct gh_settings *st,
    const char *identifier, struct gh_sign_in_view *out)
{
    char id[GH_ID_MAX], safe[GH_EMAIL_MAX + 1];
    int  n;

    memset(out, 0, sizeof(*out));
    out->identifier_username = st->username_enabled;
    n = snprintf(id, sizeof(id), "idn_");
    for (int i = 0; i < GH_ID_BODY_LEN; i++) /* as gh_id_new: 27 base62 characters */
        id[n + i] = b62[mac[i] % 62];
    id[n + GH_ID_BODY_LEN] = '\0';
    if (identifier != NULL && strchr(identifier, '@') != NULL)
        gh_strlcpy(safe, identifier, sizeof(safe)); /* a known account shows it as typed */
    else
        snprintf(safe, sizeof(safe), "%c***@%s", 'a' + mac[27] % 26,
            decoy_domains[mac[28] % (sizeof(decoy_domains) / sizeof(decoy_domains[0]))]);
    if (st->password_enabled)
        add_factor(out, "password", NULL, NULL, 0);
    if (st->email_code_first_factor)
        add_factor(out, "email_code", id, safe, 1);
    if (st->password_enabled)
        add_factor(out, "reset_password_email_code", id, safe, 1);
}

/* ---- a real account ---- */

static void
add_email_factors(struct gh_sign_in_view *v, const struct gh_user *u, const char *typed,
    const char *strategy)
{
    char safe[GH_EMAIL_MAX + 1];

    for (size_t i = 0; i < u->nidents; i++) {
        const struct gh_ident *id = &u->idents[i];

        /* Only verified addresses sign in: an unconfirmed one may be anybody's. */
        if (id->type != GH_IDENT_EMAIL || !id->verified)
            continue;
        if (typed != NULL && strcmp(typed, id->value) == 0)
            gh_strlcpy(safe, id->value, sizeof(safe));
        else
            gh_sign_in_mask_email(id->value, safe);
        add_factor(v, strategy, id->id, safe,
            u->primary_email_id != NULL && strcmp(u->primary_email_id, id->id) == 0);
    }
}

static void
add_second_factors(struct gh_sign_in_view *v, const struct gh_settings *st,
    const struct gh_user *u)
{
    if (st->totp_enabled && u->totp_secret != NULL)
        gh_strlcpy(v->second[v->nsecond++].strategy, "totp", sizeof(v->second[0].strategy));
    if (st->backup_codes_enabled && u->backup_codes != NULL)
        gh_strlcpy(v->second[v->nsecond++].strategy, "backup_code",
            sizeof(v->second[0].strategy));
    v->second_listed = v->nsecond > 0;
}

/* Past the first factor: the person has shown they own the account. */
static int
first_factor_done(const struct gh_sign_in *si)
{
    return strcmp(si->status, "needs_second_factor") == 0 ||
        strcmp(si->status, "needs_new_password") == 0 || strcmp(si->status, "complete") == 0;
}

void
gh_sign_in_view(struct gh_app *app, const struct gh_settings *st, const struct gh_sign_in *si,
    const struct gh_user *u, struct gh_sign_in_view *out)
{
    unsigned char mac[32];

    memset(out, 0, sizeof(*out));
    out->identifier_username = st->username_enabled;
    if (u == NULL) {
        if (si->identifier == NULL || si->user_id[0] != '\0' || app == NULL ||
            app->master == NULL)
            return; /* needs_identifier (or the user was deleted meanwhile) */
        gh_master_mac(app->master, "sign-in-decoy", si->identifier, strlen(si->identifier),
            mac);
        gh_sign_in_decoy(mac, st, si->identifier, out);
        gh_memzero(mac, sizeof(mac));
        return;
    }
    if (st->password_enabled && u->password_hash != NULL)
        add_factor(out, "password", NULL, NULL, 0);
    if (st->email_code_first_factor)
        add_email_factors(out, u, si->identifier, "email_code");
    if (st->password_enabled && u->password_hash != NULL)
        add_email_factors(out, u, si->identifier, "reset_password_email_code");
    if (first_factor_done(si))
        add_second_factors(out, st, u);
    if (!st->enumeration_protection || first_factor_done(si)) {
        out->first_name = u->first_name;
        out->last_name = u->last_name;
    }
}
