/* invitations.h: what invitations.c shares with org_invitations.c: reading
 * one invitation body (or a bulk array of them) into core parameters, and
 * the list reply helper. Private to src/api/backend. */
#ifndef GH_API_BACKEND_INVITATIONS_H
#define GH_API_BACKEND_INVITATIONS_H

#include <jansson.h>
#include <stddef.h>

#include "core/invitation.h"
#include "http/http.h"

/* One parsed item; pub/priv own the metadata text p points at. */
struct gh_api_inv_item {
    struct gh_invitation_params p;
    char                       *pub;
    char                       *priv;
};

/* body: an object (bulk = 0) or an array of objects (bulk = 1, 1..100
 * items). Field errors name the parameter; with bulk the note names the item.
 * Both kinds read notify (default true: email the invitation); is_org: role,
 * inviter_user_id, private_metadata; else ignore_existing, template_slug.
 * *out owned (gh_api_inv_items_free). */
int  gh_api_inv_items(json_t *body, int is_org, int bulk, struct gh_api_inv_item **out,
    size_t *n, struct gh_err *err);
void gh_api_inv_items_free(struct gh_api_inv_item *v, size_t n);

/* Replies {data,total_count} (paginated) or the bare array; steals arr. */
int gh_api_reply_list(struct gh_resp *resp, json_t *arr, int paginated, int64_t total,
    struct gh_err *err);

#endif
