/* render_org.c: see render_org.h. Times are integer milliseconds; metadata
 * text becomes an object. */
#include "api/backend/render_org.h"

#include <string.h>

#include "api/backend/render.h"
#include "api/params.h"
#include "core/app.h"

json_t *
gh_render_org(const struct gh_org *o)
{
    json_t *j = json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:I,s:b,s:o,s:o,s:s,s:I,s:I}",
        "object", "organization",
        "id", o->id,
        "name", o->name != NULL ? o->name : "",
        "slug", o->slug != NULL ? o->slug : "",
        "image_url", o->image_url != NULL ? o->image_url : "",
        "has_image", o->image_url != NULL && o->image_url[0] != '\0',
        "max_allowed_memberships", (json_int_t)o->max_allowed_memberships,
        "admin_delete_enabled", o->admin_delete_enabled != 0,
        "public_metadata", gh_api_obj_text(o->public_metadata),
        "private_metadata", gh_api_obj_text(o->private_metadata),
        "created_by", o->created_by,
        "created_at", (json_int_t)o->created_at,
        "updated_at", (json_int_t)o->updated_at);

    if (j != NULL && o->members_count >= 0 &&
        json_object_set_new(j, "members_count", json_integer((json_int_t)o->members_count)) == -1) {
        json_decref(j);
        return NULL;
    }
    return j;
}

json_t *
gh_render_permission(const struct gh_permission *p)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:I,s:I}",
        "object", "permission",
        "id", p->id,
        "key", p->key,
        "name", p->name != NULL ? p->name : "",
        "description", p->description != NULL ? p->description : "",
        "type", p->type,
        "created_at", (json_int_t)p->created_at,
        "updated_at", (json_int_t)p->updated_at);
}

json_t *
gh_render_role(const struct gh_role *r)
{
    json_t *perms = json_array();

    for (size_t i = 0; perms != NULL && i < r->nperms; i++)
        if (json_array_append_new(perms, gh_render_permission(&r->perms[i])) == -1) {
            json_decref(perms);
            return NULL;
        }
    if (perms == NULL)
        return NULL;
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:o,s:b,s:I,s:I}",
        "object", "role",
        "id", r->id,
        "key", r->key,
        "name", r->name != NULL ? r->name : "",
        "description", r->description != NULL ? r->description : "",
        "permissions", perms,
        "is_creator_eligible", r->is_creator_eligible != 0,
        "created_at", (json_int_t)r->created_at,
        "updated_at", (json_int_t)r->updated_at);
}

/* The primary email, else the primary phone, else the username, else "". */
static const char *
identifier_of(const struct gh_user *u)
{
    const char *ids[] = { u->primary_email_id, u->primary_phone_id };

    for (size_t k = 0; k < 2; k++)
        for (size_t i = 0; ids[k] != NULL && i < u->nidents; i++)
            if (strcmp(u->idents[i].id, ids[k]) == 0 && u->idents[i].value != NULL)
                return u->idents[i].value;
    return u->username != NULL ? u->username : "";
}

static json_t *
public_user_data(const struct gh_app *app, const struct gh_org_membership *m,
    const struct gh_user *u)
{
    json_t *ju, *img;
    json_t *j;

    if (u == NULL)
        return json_pack("{s:s,s:n,s:n,s:s,s:b,s:s,s:n,s:b}", "user_id", m->user_id,
            "first_name", "last_name", "image_url", "", "has_image", 0, "identifier", "",
            "username", "banned", 0);
    if ((ju = gh_render_user(app, u)) == NULL)
        return NULL;
    img = json_object_get(ju, "image_url");
    j = json_pack("{s:s,s:o,s:o,s:o,s:b,s:s,s:o,s:b}",
        "user_id", u->id,
        "first_name", gh_api_str(u->first_name),
        "last_name", gh_api_str(u->last_name),
        "image_url", img != NULL ? json_incref(img) : json_string(""),
        "has_image", 0,
        "identifier", identifier_of(u),
        "username", gh_api_str(u->username),
        "banned", u->banned != 0);
    json_decref(ju);
    return j;
}

json_t *
gh_render_org_membership(const struct gh_app *app, const struct gh_org_membership *m,
    const struct gh_org *o, const struct gh_user *u, const struct gh_role *r)
{
    json_t *perms = json_array(), *jo = gh_render_org(o), *pud = public_user_data(app, m, u);

    for (size_t i = 0; perms != NULL && r != NULL && i < r->nperms; i++)
        if (json_array_append_new(perms, json_string(r->perms[i].key)) == -1)
            break;
    if (perms == NULL || jo == NULL || pud == NULL) {
        json_decref(perms);
        json_decref(jo);
        json_decref(pud);
        return NULL;
    }
    return json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:I,s:I}",
        "object", "organization_membership",
        "id", m->id,
        "role", m->role,
        "role_name", r != NULL && r->name != NULL ? r->name : m->role,
        "permissions", perms,
        "public_metadata", gh_api_obj_text(m->public_metadata),
        "private_metadata", gh_api_obj_text(m->private_metadata),
        "organization", jo,
        "public_user_data", pud,
        "created_at", (json_int_t)m->created_at,
        "updated_at", (json_int_t)m->updated_at);
}

/* {user_id, first_name, last_name, image_url, has_image, identifier} of the
 * inviter (identifier: the primary email address), or null without one. */
static json_t *
inviter_data(const struct gh_app *app, const struct gh_user *u)
{
    json_t     *full, *o = NULL;
    const char *ident = "";

    if (u == NULL)
        return json_null();
    for (size_t i = 0; i < u->nidents; i++)
        if (u->primary_email_id != NULL && strcmp(u->idents[i].id, u->primary_email_id) == 0 &&
            u->idents[i].value != NULL)
            ident = u->idents[i].value;
    if ((full = gh_render_user(app, u)) == NULL)
        return NULL;
    o = json_pack("{s:s,s:O?,s:O?,s:O?,s:O?,s:s}", "user_id", u->id,
        "first_name", json_object_get(full, "first_name"),
        "last_name", json_object_get(full, "last_name"),
        "image_url", json_object_get(full, "image_url"),
        "has_image", json_object_get(full, "has_image"),
        "identifier", ident);
    json_decref(full);
    return o;
}

json_t *
gh_render_org_invitation_of(const struct gh_app *app, const struct gh_invitation *inv,
    const char *url, const struct gh_role *r, const struct gh_user *inviter)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:o,s:o,s:o,s:o,s:o,s:o}",
        "object", "organization_invitation",
        "id", inv->id,
        "email_address", inv->email_address != NULL ? inv->email_address : "",
        "role", inv->role,
        "role_name", r != NULL && r->name != NULL ? r->name : inv->role,
        "organization_id", inv->org_id,
        "inviter_id", inv->inviter_id[0] != '\0' ? json_string(inv->inviter_id) : json_null(),
        "public_inviter_data", inviter_data(app, inviter),
        "status", inv->status,
        "public_metadata", gh_api_obj_text(inv->public_metadata),
        "private_metadata", gh_api_obj_text(inv->private_metadata),
        "url", gh_api_str(url),
        "expires_at", gh_api_time(inv->expires_at),
        "created_at", gh_api_time(inv->created_at),
        "updated_at", gh_api_time(inv->updated_at));
}
