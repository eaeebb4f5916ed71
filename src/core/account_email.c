/* account_email.c: a user's own email addresses (account.h): add one
 * unverified, prove it with an emailed code, remove it. The code rules are
 * core/code.c's (hash bound to the address id, TTL, attempts, cooldown); the
 * state lives in ident_verifications (migration 0010). Failed and expired
 * are not written back: they follow from attempts and expire_at, so a slow
 * request can never overwrite a newer attempt count. */
#include "core/account.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/code.h"
#include "core/event.h"
#include "core/ident.h"
#include "core/mail.h"
#include "crypto/crypto.h"
#include "store/store.h"
#include "util/log.h"
#include "util/str.h"

#define STRATEGY "email_code"

static int
store_fail(const struct gh_err *se, struct gh_err *err)
{
    return gh_ident_store_fail(se, err);
}

int
gh_account_email_get(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *ident_id, struct gh_ident **out, struct gh_err *err)
{
    if (gh_ident_load(app, instance_id, ident_id, GH_IDENT_EMAIL, out, err) == -1)
        return -1;
    if (strcmp((*out)->user_id, user_id) != 0) { /* someone else's: as if absent */
        gh_ident_free(*out);
        *out = NULL;
        return GH_FAIL(err, GH_E_NOT_FOUND, "Email address not found");
    }
    return 0;
}

int
gh_account_email_add(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *email, struct gh_ident **out, struct gh_err *err)
{
    struct gh_user *u = NULL;
    size_t          n = 0;
    int             rc = -1;

    *out = NULL;
    if (gh_user_get(app, instance_id, user_id, &u, err) == -1)
        return -1;
    for (size_t i = 0; i < u->nidents; i++)
        n += u->idents[i].type == GH_IDENT_EMAIL;
    if (n >= GH_ACCOUNT_EMAILS_MAX)
        GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "email_address",
            "You have reached the maximum number of email addresses.");
    else
        rc = gh_ident_add(app, instance_id, user_id, GH_IDENT_EMAIL, email, 0, 0, out, err);
    gh_user_free(u);
    return rc;
}

int
gh_account_email_remove(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *ident_id, struct gh_err *err)
{
    struct gh_ident *i = NULL;
    struct gh_user  *u = NULL;
    int              rc = -1;

    if (gh_account_email_get(app, instance_id, user_id, ident_id, &i, err) == -1 ||
        gh_user_get(app, instance_id, user_id, &u, err) == -1)
        goto done;
    /* Clerk keeps the primary address: it is where codes and resets go.
     * Another verified address must be made primary first. */
    if (gh_str_eq(u->primary_email_id, i->id)) {
        GH_FAIL(err, GH_E_BAD_REQUEST,
            "You cannot remove your primary email address. Make another address primary first.");
        goto done;
    }
    rc = gh_ident_remove(app, instance_id, ident_id, GH_IDENT_EMAIL, err);
done:
    gh_ident_free(i);
    gh_user_free(u);
    return rc;
}

int
gh_account_email_verif(struct gh_app *app, const char *instance_id, const char *ident_id,
    struct gh_verif *v, int *found, struct gh_err *err)
{
    struct gh_err se = { 0 };

    if (gh_store_ident_verif_get(app->store, instance_id, ident_id, v, found, &se) == -1)
        return store_fail(&se, err);
    return 0;
}

/* v as a verified address shows it (no stored code needed). */
static void
verified_state(const struct gh_ident *i, struct gh_verif *v)
{
    gh_verif_reset(v);
    gh_strlcpy(v->strategy, i->strategy != NULL ? i->strategy : "admin", sizeof(v->strategy));
    gh_strlcpy(v->status, "verified", sizeof(v->status));
    gh_strlcpy(v->target_id, i->id, sizeof(v->target_id));
}

int
gh_account_email_prepare(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *ident_id, const char *strategy, struct gh_verif *v, struct gh_err *err)
{
    struct gh_ident *i = NULL;
    struct gh_err    se = { 0 };
    char             code[GH_CODE_LEN + 1] = "";
    int              found, rc = -1;

    gh_verif_reset(v);
    if (strategy == NULL || strcmp(strategy, STRATEGY) != 0)
        return GH_FAIL_PARAM(err, GH_E_PARAM_VALUE_INVALID, "strategy",
            "Only email_code is supported for email addresses.");
    if (gh_account_email_get(app, instance_id, user_id, ident_id, &i, err) == -1)
        return -1;
    if (i->verified) { /* nothing to prove: no email */
        verified_state(i, v);
        rc = 0;
        goto done;
    }
    if (gh_account_email_verif(app, instance_id, i->id, v, &found, err) == -1 ||
        gh_code_prepare(app, i->id, STRATEGY, i->id, i->value, v, code, err) == -1)
        goto done;
    if (gh_store_ident_verif_put(app->store, instance_id, i->id, v, gh_now_ms(), &se) == -1) {
        store_fail(&se, err);
        goto done;
    }
    if (gh_mail_send_code(app, instance_id, i->value, code, GH_MAIL_VERIFY_EMAIL, err) == -1) {
        /* Not sent: lift the resend cooldown so the user can ask again now. */
        v->sent_at = GH_TIME_NULL;
        (void)gh_store_ident_verif_put(app->store, instance_id, i->id, v, gh_now_ms(),
            &(struct gh_err){ 0 });
        goto done;
    }
    gh_log_info("email verification code sent ident_id=%s user_id=%s", i->id, user_id);
    rc = 0;
done:
    gh_memzero(code, sizeof(code));
    gh_ident_free(i);
    return rc;
}

/* The address is proved: ident verified by email_code, the verification
 * marked, and user.updated, in one transaction. */
static int
mark_verified(struct gh_app *app, const char *instance_id, struct gh_ident *i,
    const struct gh_verif *v, struct gh_err *err)
{
    struct gh_err se = { 0 };
    char         *prev = i->strategy;
    int           ok;

    if ((i->strategy = gh_strdup(STRATEGY)) == NULL) {
        i->strategy = prev;
        return GH_FAIL(err, GH_E_NOMEM, NULL);
    }
    free(prev);
    i->verified = 1;
    i->updated_at = gh_now_ms();
    if (gh_store_begin(app->store, &se) == -1)
        return store_fail(&se, err);
    ok = gh_store_ident_update(app->store, instance_id, i, &se) == 0 &&
        gh_store_ident_verif_put(app->store, instance_id, i->id, v, i->updated_at, &se) == 0 &&
        gh_event_emit_user(app, instance_id, "user.updated", i->user_id, &se) == 0;
    if (gh_event_tx_end(app, ok, &se) == -1)
        return store_fail(&se, err);
    return 0;
}

int
gh_account_email_attempt(struct gh_app *app, const char *instance_id, const char *user_id,
    const char *ident_id, const char *code, struct gh_verif *v, struct gh_err *err)
{
    struct gh_ident *i = NULL;
    struct gh_err    se = { 0 };
    int              found = 0, counted = 0, rc = -1;

    gh_verif_reset(v);
    if (gh_account_email_get(app, instance_id, user_id, ident_id, &i, err) == -1)
        return -1;
    if (i->verified) {
        verified_state(i, v);
        rc = 0;
        goto done;
    }
    if (gh_account_email_verif(app, instance_id, i->id, v, &found, err) == -1)
        goto done;
    /* Reserve the attempt before comparing: of N racing guesses only those
     * the conditional UPDATE counted get compared. */
    if (found && v->code_hash[0] != '\0') {
        if (gh_store_verif_bump(app->store, instance_id, "ident_verifications", i->id,
                GH_CODE_MAX_ATTEMPTS, &counted, &se) == -1) {
            store_fail(&se, err);
            goto done;
        }
        v->attempts = counted ? v->attempts + 1 : GH_CODE_MAX_ATTEMPTS + 1;
    }
    /* gh_code_check refuses once attempts exceed the limit; this attempt is
     * already counted in v->attempts, so compare against the count before it. */
    v->attempts -= counted;
    rc = gh_code_check(v, i->id, STRATEGY, code, gh_now_ms(), err);
    v->attempts += counted;
    if (rc == -1)
        goto done;
    rc = mark_verified(app, instance_id, i, v, err);
    if (rc == 0)
        gh_log_info("email address verified ident_id=%s user_id=%s", i->id, user_id);
done:
    gh_ident_free(i);
    return rc;
}
