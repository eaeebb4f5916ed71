/* store_fapi.c: the Frontend API's rows (issue 4): clients found by their
 * cookie token's hash, a client's pointers to its current session, sign-in
 * and sign-up, and the sign-in and sign-up rows themselves. A sign-in or
 * sign-up is written whole (every column) by core after each step; the
 * attempt counters also have a conditional increment so racing wrong codes
 * cannot exceed the limit. */
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "store/store.h"
#include "util/str.h"

/* "" → SQL NULL for the fixed-size id fields. */
static struct gh_db_param
id_param(const char *s)
{
    return gh_db_text(s != NULL && s[0] != '\0' ? s : NULL);
}

/* ---- clients ---- */

#define CLIENT_COLS \
    "id, token_hash, last_active_session_id, sign_in_id, sign_up_id, created_at, updated_at"

static void *
client_rec_new(void)
{
    return calloc(1, sizeof(struct gh_client));
}

static int
client_rec_read(const struct gh_db_rows *rows, size_t r, void *rec, const void *arg)
{
    struct gh_client *c = rec;

    (void)arg;
    gh_db_cell_copy(rows, r, 0, c->id, sizeof(c->id));
    gh_db_cell_copy(rows, r, 1, c->token_hash, sizeof(c->token_hash));
    gh_db_cell_copy(rows, r, 2, c->last_active_session_id, sizeof(c->last_active_session_id));
    gh_db_cell_copy(rows, r, 3, c->sign_in_id, sizeof(c->sign_in_id));
    gh_db_cell_copy(rows, r, 4, c->sign_up_id, sizeof(c->sign_up_id));
    c->created_at = gh_db_cell_i64(rows, r, 5);
    c->updated_at = gh_db_cell_i64(rows, r, 6);
    return 0;
}

static const struct gh_db_rec_type client_rec = { client_rec_new, client_rec_read, free };

/* The one row a SELECT by key returns: 0 with *out NULL when none. */
static int
fetch_one(struct gh_store *st, const char *sql, const struct gh_db_param *p, size_t np,
    const struct gh_db_rec_type *type, void **out, struct gh_err *err)
{
    void **v = NULL;
    size_t n = 0;

    *out = NULL;
    if (gh_db_fetch(st, sql, p, np, type, NULL, &v, &n, err) == -1)
        return -1;
    if (n > 0) {
        *out = v[0];
        v[0] = NULL;
    }
    for (size_t i = 0; i < n; i++)
        type->rec_free(v[i]);
    free(v);
    return 0;
}

int
gh_store_client_find_by_token(struct gh_store *st, const char *instance_id,
    const char *token_hash, struct gh_client **out, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(token_hash) };

    if (token_hash == NULL || token_hash[0] == '\0') { /* BAPI clients have "" */
        *out = NULL;
        return 0;
    }
    return fetch_one(st, "SELECT " CLIENT_COLS " FROM clients WHERE instance_id = ?"
                         " AND token_hash = ?",
        p, 2, &client_rec, (void **)out, err);
}

int
gh_store_client_get(struct gh_store *st, const char *instance_id, const char *client_id,
    struct gh_client **out, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(client_id) };

    if (fetch_one(st, "SELECT " CLIENT_COLS " FROM clients WHERE instance_id = ? AND id = ?", p,
            2, &client_rec, (void **)out, err) == -1)
        return -1;
    return *out != NULL ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "client not found");
}

int
gh_store_client_update(struct gh_store *st, const char *instance_id, const struct gh_client *c,
    struct gh_err *err)
{
    struct gh_db_param p[] = { id_param(c->last_active_session_id), id_param(c->sign_in_id),
        id_param(c->sign_up_id), gh_db_int(c->updated_at), gh_db_text(c->token_hash),
        gh_db_text(instance_id), gh_db_text(c->id) };
    int64_t            n = 0;

    if (gh_db_run(st, "UPDATE clients SET last_active_session_id = ?, sign_in_id = ?,"
                      " sign_up_id = ?, updated_at = ?, token_hash = ?"
                      " WHERE instance_id = ? AND id = ?",
            p, 7, NULL, &n, err) == -1)
        return -1;
    return n != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "client not found");
}

int
gh_store_client_delete(struct gh_store *st, const char *instance_id, const char *client_id,
    struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(client_id) };

    if (gh_db_run(st, "DELETE FROM sign_ins WHERE instance_id = ? AND client_id = ?", p, 2,
            NULL, NULL, err) == -1 ||
        gh_db_run(st, "DELETE FROM sign_ups WHERE instance_id = ? AND client_id = ?", p, 2,
            NULL, NULL, err) == -1)
        return -1;
    return gh_db_run(st, "DELETE FROM clients WHERE instance_id = ? AND id = ?", p, 2, NULL,
        NULL, err);
}

int
gh_store_session_set_org(struct gh_store *st, const char *instance_id, const char *session_id,
    const char *org_id, int64_t now, struct gh_err *err)
{
    struct gh_db_param p[] = { id_param(org_id), gh_db_int(now), gh_db_int(now),
        gh_db_text(instance_id), gh_db_text(session_id) };
    int64_t            n = 0;

    if (gh_db_run(st, "UPDATE sessions SET active_org_id = ?, last_active_at = ?, updated_at = ?"
                      " WHERE instance_id = ? AND id = ?",
            p, 5, NULL, &n, err) == -1)
        return -1;
    return n != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "session not found");
}

/* ---- verifications: 7 columns each, in this order ---- */

#define VERIF_COLS(x) \
    x "_strategy, " x "_status, " x "_attempts, " x "_expire_at, " x "_code_hash, " \
    x "_target_id, " x "_sent_at"
#define VERIF_SET(x)                                                                    \
    x "_strategy = ?, " x "_status = ?, " x "_attempts = ?, " x "_expire_at = ?, " x \
      "_code_hash = ?, " x "_target_id = ?, " x "_sent_at = ?"

static void
verif_params(const struct gh_verif *v, struct gh_db_param *p)
{
    p[0] = gh_db_text(v->strategy);
    p[1] = gh_db_text(v->status);
    p[2] = gh_db_int(v->attempts);
    p[3] = gh_db_time(v->expire_at);
    p[4] = gh_db_text(v->code_hash);
    p[5] = gh_db_text(v->target_id);
    p[6] = gh_db_time(v->sent_at);
}

static void
verif_read(const struct gh_db_rows *rows, size_t r, size_t c, struct gh_verif *v)
{
    gh_db_cell_copy(rows, r, c, v->strategy, sizeof(v->strategy));
    gh_db_cell_copy(rows, r, c + 1, v->status, sizeof(v->status));
    v->attempts = (int)gh_db_cell_i64(rows, r, c + 2);
    v->expire_at = gh_db_cell_i64(rows, r, c + 3);
    gh_db_cell_copy(rows, r, c + 4, v->code_hash, sizeof(v->code_hash));
    gh_db_cell_copy(rows, r, c + 5, v->target_id, sizeof(v->target_id));
    v->sent_at = gh_db_cell_i64(rows, r, c + 6);
}

/* ---- sign-ins ---- */

#define SIGN_IN_COLS                                                                \
    "id, client_id, status, identifier, user_id, " VERIF_COLS("ff") ", " VERIF_COLS( \
        "sf") ", created_session_id, abandon_at, created_at, updated_at"
#define SIGN_IN_NCOLS 23

static void *
sign_in_rec_new(void)
{
    return gh_sign_in_new();
}

static int
sign_in_rec_read(const struct gh_db_rows *rows, size_t r, void *rec, const void *arg)
{
    struct gh_sign_in *si = rec;

    (void)arg;
    gh_db_cell_copy(rows, r, 0, si->id, sizeof(si->id));
    gh_db_cell_copy(rows, r, 1, si->client_id, sizeof(si->client_id));
    gh_db_cell_copy(rows, r, 2, si->status, sizeof(si->status));
    if (gh_db_cell_dup(rows, r, 3, &si->identifier) == -1)
        return -1;
    gh_db_cell_copy(rows, r, 4, si->user_id, sizeof(si->user_id));
    verif_read(rows, r, 5, &si->ff);
    verif_read(rows, r, 12, &si->sf);
    gh_db_cell_copy(rows, r, 19, si->created_session_id, sizeof(si->created_session_id));
    si->abandon_at = gh_db_cell_i64(rows, r, 20);
    si->created_at = gh_db_cell_i64(rows, r, 21);
    si->updated_at = gh_db_cell_i64(rows, r, 22);
    return 0;
}

static void
sign_in_rec_free(void *rec)
{
    gh_sign_in_free(rec);
}

static const struct gh_db_rec_type sign_in_rec = {
    sign_in_rec_new, sign_in_rec_read, sign_in_rec_free,
};

/* Every column but id, in SIGN_IN_COLS order after id: 22 params. */
static void
sign_in_params(const struct gh_sign_in *si, struct gh_db_param *p)
{
    p[0] = gh_db_text(si->client_id);
    p[1] = gh_db_text(si->status);
    p[2] = gh_db_text(si->identifier);
    p[3] = id_param(si->user_id);
    verif_params(&si->ff, p + 4);
    verif_params(&si->sf, p + 11);
    p[18] = id_param(si->created_session_id);
    p[19] = gh_db_time(si->abandon_at);
    p[20] = gh_db_int(si->created_at);
    p[21] = gh_db_int(si->updated_at);
}

int
gh_store_sign_in_insert(struct gh_store *st, const char *instance_id,
    const struct gh_sign_in *si, struct gh_err *err)
{
    struct gh_db_param p[SIGN_IN_NCOLS + 1];

    p[0] = gh_db_text(si->id);
    sign_in_params(si, p + 1);
    p[SIGN_IN_NCOLS] = gh_db_text(instance_id);
    return gh_db_run(st, "INSERT INTO sign_ins (" SIGN_IN_COLS ", instance_id) VALUES (?, ?, ?,"
                         " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        p, SIGN_IN_NCOLS + 1, NULL, NULL, err);
}

int
gh_store_sign_in_update(struct gh_store *st, const char *instance_id,
    const struct gh_sign_in *si, struct gh_err *err)
{
    struct gh_db_param p[SIGN_IN_NCOLS + 1];
    int64_t            n = 0;

    sign_in_params(si, p);
    p[SIGN_IN_NCOLS - 1] = gh_db_text(instance_id);
    p[SIGN_IN_NCOLS] = gh_db_text(si->id);
    if (gh_db_run(st, "UPDATE sign_ins SET client_id = ?, status = ?, identifier = ?,"
                      " user_id = ?, " VERIF_SET("ff") ", " VERIF_SET("sf") ","
                      " created_session_id = ?, abandon_at = ?, created_at = ?, updated_at = ?"
                      " WHERE instance_id = ? AND id = ?",
            p, SIGN_IN_NCOLS + 1, NULL, &n, err) == -1)
        return -1;
    return n != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "sign-in not found");
}

int
gh_store_sign_in_get(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_sign_in **out, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(id) };

    if (fetch_one(st, "SELECT " SIGN_IN_COLS " FROM sign_ins WHERE instance_id = ? AND id = ?",
            p, 2, &sign_in_rec, (void **)out, err) == -1)
        return -1;
    return *out != NULL ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "sign-in not found");
}

/* ---- sign-ups ---- */

#define SIGN_UP_COLS                                                                      \
    "id, client_id, status, email_address, phone_number, username, first_name, last_name," \
    " password_hash, unsafe_metadata, legal_accepted_at, invitation_id, " VERIF_COLS("ev") \
    ", created_session_id, created_user_id, abandon_at, created_at, updated_at"
#define SIGN_UP_NCOLS 24

static void *
sign_up_rec_new(void)
{
    return gh_sign_up_new();
}

static int
sign_up_rec_read(const struct gh_db_rows *rows, size_t r, void *rec, const void *arg)
{
    struct gh_sign_up *su = rec;

    (void)arg;
    gh_db_cell_copy(rows, r, 0, su->id, sizeof(su->id));
    gh_db_cell_copy(rows, r, 1, su->client_id, sizeof(su->client_id));
    gh_db_cell_copy(rows, r, 2, su->status, sizeof(su->status));
    free(su->unsafe_metadata);
    su->unsafe_metadata = NULL;
    if (gh_db_cell_dup(rows, r, 3, &su->email_address) == -1 ||
        gh_db_cell_dup(rows, r, 4, &su->phone_number) == -1 ||
        gh_db_cell_dup(rows, r, 5, &su->username) == -1 ||
        gh_db_cell_dup(rows, r, 6, &su->first_name) == -1 ||
        gh_db_cell_dup(rows, r, 7, &su->last_name) == -1 ||
        gh_db_cell_dup(rows, r, 8, &su->password_hash) == -1 ||
        gh_db_cell_dup(rows, r, 9, &su->unsafe_metadata) == -1)
        return -1;
    if (su->unsafe_metadata == NULL && (su->unsafe_metadata = gh_strdup("{}")) == NULL)
        return -1;
    su->legal_accepted_at = gh_db_cell_i64(rows, r, 10);
    gh_db_cell_copy(rows, r, 11, su->invitation_id, sizeof(su->invitation_id));
    verif_read(rows, r, 12, &su->ev);
    gh_db_cell_copy(rows, r, 19, su->created_session_id, sizeof(su->created_session_id));
    gh_db_cell_copy(rows, r, 20, su->created_user_id, sizeof(su->created_user_id));
    su->abandon_at = gh_db_cell_i64(rows, r, 21);
    su->created_at = gh_db_cell_i64(rows, r, 22);
    su->updated_at = gh_db_cell_i64(rows, r, 23);
    return 0;
}

static void
sign_up_rec_free(void *rec)
{
    gh_sign_up_free(rec);
}

static const struct gh_db_rec_type sign_up_rec = {
    sign_up_rec_new, sign_up_rec_read, sign_up_rec_free,
};

/* Every column but id: 23 params. */
static void
sign_up_params(const struct gh_sign_up *su, struct gh_db_param *p)
{
    p[0] = gh_db_text(su->client_id);
    p[1] = gh_db_text(su->status);
    p[2] = gh_db_text(su->email_address);
    p[3] = gh_db_text(su->phone_number);
    p[4] = gh_db_text(su->username);
    p[5] = gh_db_text(su->first_name);
    p[6] = gh_db_text(su->last_name);
    p[7] = gh_db_text(su->password_hash);
    p[8] = gh_db_text(su->unsafe_metadata != NULL ? su->unsafe_metadata : "{}");
    p[9] = gh_db_time(su->legal_accepted_at);
    p[10] = id_param(su->invitation_id);
    verif_params(&su->ev, p + 11);
    p[18] = id_param(su->created_session_id);
    p[19] = id_param(su->created_user_id);
    p[20] = gh_db_time(su->abandon_at);
    p[21] = gh_db_int(su->created_at);
    p[22] = gh_db_int(su->updated_at);
}

int
gh_store_sign_up_insert(struct gh_store *st, const char *instance_id,
    const struct gh_sign_up *su, struct gh_err *err)
{
    struct gh_db_param p[SIGN_UP_NCOLS + 1];

    p[0] = gh_db_text(su->id);
    sign_up_params(su, p + 1);
    p[SIGN_UP_NCOLS] = gh_db_text(instance_id);
    return gh_db_run(st, "INSERT INTO sign_ups (" SIGN_UP_COLS ", instance_id) VALUES (?, ?, ?,"
                         " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        p, SIGN_UP_NCOLS + 1, NULL, NULL, err);
}

int
gh_store_sign_up_update(struct gh_store *st, const char *instance_id,
    const struct gh_sign_up *su, struct gh_err *err)
{
    struct gh_db_param p[SIGN_UP_NCOLS + 1];
    int64_t            n = 0;

    sign_up_params(su, p);
    p[SIGN_UP_NCOLS - 1] = gh_db_text(instance_id);
    p[SIGN_UP_NCOLS] = gh_db_text(su->id);
    if (gh_db_run(st, "UPDATE sign_ups SET client_id = ?, status = ?, email_address = ?,"
                      " phone_number = ?, username = ?, first_name = ?, last_name = ?,"
                      " password_hash = ?, unsafe_metadata = ?, legal_accepted_at = ?,"
                      " invitation_id = ?, " VERIF_SET("ev") ", created_session_id = ?,"
                      " created_user_id = ?, abandon_at = ?, created_at = ?, updated_at = ?"
                      " WHERE instance_id = ? AND id = ?",
            p, SIGN_UP_NCOLS + 1, NULL, &n, err) == -1)
        return -1;
    return n != 0 ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "sign-up not found");
}

int
gh_store_sign_up_get(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_sign_up **out, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(id) };

    if (fetch_one(st, "SELECT " SIGN_UP_COLS " FROM sign_ups WHERE instance_id = ? AND id = ?",
            p, 2, &sign_up_rec, (void **)out, err) == -1)
        return -1;
    return *out != NULL ? 0 : GH_FAIL(err, GH_E_NOT_FOUND, "sign-up not found");
}

int
gh_store_sign_up_get_locked(struct gh_store *st, const char *instance_id, const char *id,
    struct gh_sign_up **out, struct gh_err *err)
{
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(id) };
    int64_t            n = 0;

    *out = NULL;
    if (!gh_store_in_tx(st))
        return GH_FAIL(err, GH_E_INTERNAL, "sign-up lock outside a transaction");
    if (gh_db_run(st, "UPDATE sign_ups SET updated_at = updated_at WHERE instance_id = ? AND id = ?",
            p, 2, NULL, &n, err) == -1)
        return -1;
    if (n == 0)
        return GH_FAIL(err, GH_E_NOT_FOUND, "sign-up not found");
    return gh_store_sign_up_get(st, instance_id, id, out, err);
}

/* ---- attempt counters ---- */

int
gh_store_verif_bump(struct gh_store *st, const char *instance_id, const char *table_col,
    const char *id, int max_attempts, int *attempts, struct gh_err *err)
{
    static const char *const sql[] = {
        "UPDATE sign_ins SET ff_attempts = ff_attempts + 1 WHERE instance_id = ? AND id = ?"
        " AND ff_attempts < ?",
        "UPDATE sign_ins SET sf_attempts = sf_attempts + 1 WHERE instance_id = ? AND id = ?"
        " AND sf_attempts < ?",
        "UPDATE sign_ups SET ev_attempts = ev_attempts + 1 WHERE instance_id = ? AND id = ?"
        " AND ev_attempts < ?",
        /* issue 4 (0010): an address added through /v1/me */
        "UPDATE ident_verifications SET attempts = attempts + 1 WHERE instance_id = ?"
        " AND ident_id = ? AND attempts < ?",
    };
    static const char *const cols[] = { "sign_ins.ff", "sign_ins.sf", "sign_ups.ev",
        "ident_verifications" };
    struct gh_db_param p[] = { gh_db_text(instance_id), gh_db_text(id), gh_db_int(max_attempts) };
    int64_t            n = 0;
    size_t             k;

    *attempts = 0;
    for (k = 0; k < sizeof(cols) / sizeof(cols[0]) && strcmp(cols[k], table_col) != 0; k++)
        ;
    if (k == sizeof(cols) / sizeof(cols[0]))
        return GH_FAIL(err, GH_E_INTERNAL, NULL);
    if (gh_db_run(st, sql[k], p, 3, NULL, &n, err) == -1)
        return -1;
    *attempts = n != 0 ? 1 : 0; /* 1: this attempt was counted; 0: the limit was reached */
    return 0;
}
