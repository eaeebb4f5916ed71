/* render.h: the Backend API JSON shapes of users and their identifiers
 * (spec/clerk-backend-api.md §C1, §C2), built field by field so every key
 * the SDK's fromJSON reads is present with the right type. Objects here
 * never carry a "deleted" key (the SDK would turn them into DeletedObject). */
#ifndef GH_API_BACKEND_RENDER_H
#define GH_API_BACKEND_RENDER_H

#include <jansson.h>

#include "store/records.h"

struct gh_app;

/* A new "user" object with its email_addresses and phone_numbers; NULL on OOM. */
json_t *gh_render_user(const struct gh_app *app, const struct gh_user *u);
/* A new "email_address" object; NULL on OOM. */
json_t *gh_render_email_address(const struct gh_ident *i);
/* A new "phone_number" object; NULL on OOM. */
json_t *gh_render_phone_number(const struct gh_ident *i);
/* The verification of an identifier: null when unverified, else an object
 * whose "object" follows the strategy (verification_admin, verification_otp,
 * verification_from_oauth, …). */
json_t *gh_render_verification(const struct gh_ident *i);

/* A new "session" object (§C7; sessions.c). webhooks (issue 5). */
json_t *gh_render_session(const struct gh_session *s);

#endif
