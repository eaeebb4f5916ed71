/* template.c: see template.h. The claims are walked as a jansson tree (the
 * one place in core that includes jansson, inside this file only: the
 * header speaks text). Validation and rendering share one code path: with no
 * context (ctx NULL) every shortcode is parsed and checked and nothing is
 * resolved, so a template that validated at create time cannot fail to parse
 * when a token is minted. Shortcodes are not a language: no escapes, no
 * nesting, no operators but `||`. */
#include "core/template.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/records.h"
#include "util/buf.h"

#define WHERE_MAX   96  /* "claims.a.b[3]" shown in errors, truncated */
#define SEGS_MAX    16  /* dots in one path */
#define SEG_MAX     128 /* bytes in one path segment */
#define DEPTH_MAX   32  /* nesting of the claims object */
#define LOAD_FLAGS  (JSON_REJECT_DUPLICATES)
#define DUMP_FLAGS  (JSON_COMPACT | JSON_SORT_KEYS)

enum field_kind {
    K_STR,      /* const char * in the context */
    K_BOOL,     /* int */
    K_TIME,     /* int64_t ms, rendered as unix seconds */
    K_JSON,     /* JSON object text; further path segments descend into it */
    K_FULLNAME, /* first_name + " " + last_name */
};

struct field {
    const char     *root;
    const char     *name;
    enum field_kind kind;
    size_t          off; /* offsetof(struct gh_tpl_ctx, …) */
};

#define F(root, name, kind, member) { root, name, kind, offsetof(struct gh_tpl_ctx, member) }

/* Every shortcode Gatehouse knows: Clerk's documented set plus
 * user.private_metadata (issue 3) and session.id. */
static const struct field FIELDS[] = {
    F("user", "id", K_STR, user_id),
    F("user", "external_id", K_STR, external_id),
    F("user", "first_name", K_STR, first_name),
    F("user", "last_name", K_STR, last_name),
    F("user", "full_name", K_FULLNAME, first_name),
    F("user", "username", K_STR, username),
    F("user", "primary_email_address", K_STR, primary_email),
    F("user", "primary_phone_address", K_STR, primary_phone),
    F("user", "email_verified", K_BOOL, email_verified),
    F("user", "phone_number_verified", K_BOOL, phone_verified),
    F("user", "image_url", K_STR, image_url),
    F("user", "profile_image_url", K_STR, image_url),
    F("user", "has_image", K_BOOL, has_image),
    F("user", "created_at", K_TIME, user_created_at),
    F("user", "updated_at", K_TIME, user_updated_at),
    F("user", "public_metadata", K_JSON, user_public_metadata),
    F("user", "private_metadata", K_JSON, user_private_metadata),
    F("user", "unsafe_metadata", K_JSON, user_unsafe_metadata),
    F("org", "id", K_STR, org_id),
    F("org", "name", K_STR, org_name),
    F("org", "slug", K_STR, org_slug),
    F("org", "role", K_STR, org_role),
    F("org", "image_url", K_STR, org_image_url),
    F("org", "public_metadata", K_JSON, org_public_metadata),
    F("session", "id", K_STR, session_id),
    F("session", "actor", K_JSON, session_actor),
};

/* The claims a template cannot set (Clerk's "default claims"). */
static const char *const RESERVED[] = { "sub", "sid", "iss", "iat", "exp", "nbf", "azp" };

struct walk {
    const struct gh_tpl_ctx *ctx; /* NULL: validate only */
    char                     where[WHERE_MAX];
    char                     why[96];
};

static int
fail_why(struct walk *w, const char *why, const char *s, size_t n)
{
    snprintf(w->why, sizeof(w->why), "%s%s%.*s%s", why, n > 0 ? " in {{" : "",
        (int)(n > 48 ? 48 : n), s, n > 0 ? "}}" : "");
    return -1;
}

static const char *
trim(const char *s, size_t *n)
{
    while (*n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        (*n)--;
    }
    while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '\t'))
        (*n)--;
    return s;
}

static int
seg_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        c == '_' || c == '-';
}

/* Splits a path into NUL-terminated segments in segs[][SEG_MAX]. */
static int
split_path(const char *s, size_t n, char segs[][SEG_MAX], size_t *nseg)
{
    size_t k = 0, start = 0;

    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != '.') {
            if (!seg_char(s[i]))
                return -1;
            continue;
        }
        if (i == start || i - start >= SEG_MAX || k == SEGS_MAX)
            return -1;
        memcpy(segs[k], s + start, i - start);
        segs[k++][i - start] = '\0';
        start = i + 1;
    }
    *nseg = k;
    return 0;
}

static const struct field *
field_find(const char *root, const char *name)
{
    for (size_t i = 0; i < sizeof(FIELDS) / sizeof(FIELDS[0]); i++)
        if (strcmp(FIELDS[i].root, root) == 0 && strcmp(FIELDS[i].name, name) == 0)
            return &FIELDS[i];
    return NULL;
}

static int
all_digits(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s != '\0'; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* The value at segs[0..n) inside JSON object text, new reference or NULL. */
static json_t *
json_at(const char *text, char segs[][SEG_MAX], size_t n)
{
    json_t *root = text != NULL ? json_loads(text, 0, NULL) : NULL, *v = root;

    for (size_t i = 0; v != NULL && i < n; i++) {
        if (json_is_object(v))
            v = json_object_get(v, segs[i]);
        else if (json_is_array(v) && all_digits(segs[i]) && strlen(segs[i]) < 10)
            v = json_array_get(v, (size_t)strtoul(segs[i], NULL, 10));
        else
            v = NULL;
    }
    json_incref(v);
    json_decref(root);
    return v;
}

static json_t *
full_name(const struct gh_tpl_ctx *ctx)
{
    const char   *f = ctx->first_name != NULL ? ctx->first_name : "";
    const char   *l = ctx->last_name != NULL ? ctx->last_name : "";
    struct gh_buf b;
    json_t       *v;

    if (*f == '\0' && *l == '\0')
        return NULL;
    gh_buf_init(&b, 1024);
    gh_buf_add(&b, f);
    gh_buf_add(&b, *f != '\0' && *l != '\0' ? " " : "");
    gh_buf_add(&b, l);
    v = gh_buf_failed(&b) ? NULL : json_string(gh_buf_str(&b));
    gh_buf_clear(&b);
    return v;
}

/* Resolves a known field (further segments only for K_JSON). */
static json_t *
field_value(const struct field *f, const struct gh_tpl_ctx *ctx, char segs[][SEG_MAX],
    size_t nrest)
{
    const char *base = (const char *)ctx + f->off;
    const char *s = NULL;
    int64_t     t;

    if (strcmp(f->root, "org") == 0 && ctx->org_id == NULL)
        return NULL;
    if (f->kind == K_STR || f->kind == K_JSON) /* only these members are pointers */
        s = *(const char *const *)(const void *)base;
    switch (f->kind) {
    case K_STR:
        return s != NULL ? json_string(s) : NULL;
    case K_BOOL:
        return json_boolean(*(const int *)(const void *)base);
    case K_TIME:
        t = *(const int64_t *)(const void *)base;
        return t != GH_TIME_NULL ? json_integer((json_int_t)(t / 1000)) : NULL;
    case K_FULLNAME:
        return full_name(ctx);
    case K_JSON:
        return json_at(s, segs, nrest);
    }
    return NULL;
}

/* A quoted literal ('x' or "x", no escapes) or a true/false/number literal.
 * 1 when alt is a literal (*val set when rendering), 0 when it is not one,
 * -1 on a malformed literal. */
static int
literal(const char *a, size_t n, struct walk *w, json_t **val)
{
    char    buf[SEG_MAX];
    json_t *v;

    if (*a == '\'' || *a == '"') {
        if (n < 2 || a[n - 1] != *a || memchr(a + 1, *a, n - 2) != NULL || n - 2 >= SEG_MAX)
            return -1;
        memcpy(buf, a + 1, n - 2);
        buf[n - 2] = '\0';
        if (w->ctx != NULL)
            *val = json_string(buf);
        return 1;
    }
    if (!((*a >= '0' && *a <= '9') || *a == '-') && !(n == 4 && memcmp(a, "true", 4) == 0) &&
        !(n == 5 && memcmp(a, "false", 5) == 0))
        return 0;
    if (n >= SEG_MAX)
        return -1;
    memcpy(buf, a, n);
    buf[n] = '\0';
    v = json_loads(buf, JSON_DECODE_ANY, NULL);
    if (v == NULL || !(json_is_number(v) || json_is_boolean(v))) {
        json_decref(v);
        return -1;
    }
    if (w->ctx != NULL)
        *val = v;
    else
        json_decref(v);
    return 1;
}

/* One alternative: *val a new reference, or NULL when it resolves to nothing. */
static int
eval_alt(const char *a, size_t n, struct walk *w, json_t **val)
{
    char                segs[SEGS_MAX][SEG_MAX];
    size_t              nseg = 0;
    const struct field *f;
    int                 lit;

    *val = NULL;
    if ((lit = literal(a, n, w, val)) != 0)
        return lit == 1 ? 0 : -1;
    if (split_path(a, n, segs, &nseg) == -1 || nseg < 2)
        return -1;
    if ((f = field_find(segs[0], segs[1])) == NULL) {
        snprintf(w->why, sizeof(w->why), "unknown shortcode %.*s", (int)(n > 60 ? 60 : n), a);
        return -1;
    }
    if (nseg > 2 && f->kind != K_JSON) {
        snprintf(w->why, sizeof(w->why), "%s.%s has no fields", f->root, f->name);
        return -1;
    }
    if (w->ctx != NULL)
        *val = field_value(f, w->ctx, segs + 2, nseg - 2);
    return 0;
}

static int
found(const json_t *v)
{
    return v != NULL && !json_is_null(v) &&
        !(json_is_string(v) && json_string_length(v) == 0);
}

/* The inside of one "{{…}}": alternatives separated by "||". *val: new
 * reference or NULL (nothing). In validation mode every alternative is checked. */
static int
eval_expr(const char *s, size_t n, struct walk *w, json_t **val)
{
    size_t i = 0, tn = n;

    *val = NULL;
    trim(s, &tn);
    if (tn == 0)
        return fail_why(w, "empty shortcode", "", 0);
    while (i <= n) {
        size_t      start = i, len;
        char        q = 0;
        const char *a;
        json_t     *v = NULL;

        for (; i < n && (q != 0 || !(s[i] == '|' && i + 1 < n && s[i + 1] == '|')); i++)
            if (s[i] == '\'' || s[i] == '"')
                q = q == 0 ? s[i] : (q == s[i] ? 0 : q);
        len = i - start;
        a = trim(s + start, &len);
        w->why[0] = '\0';
        if (len == 0 || eval_alt(a, len, w, &v) == -1) {
            json_decref(*val);
            *val = NULL;
            return w->why[0] != '\0' ? -1 : fail_why(w, "syntax error", s, n);
        }
        if (*val == NULL && found(v))
            *val = v;
        else
            json_decref(v);
        if (w->ctx != NULL && *val != NULL)
            return 0;
        i += 2; /* past "||" (or past the end) */
    }
    return 0;
}

/* Appends a value as interpolated text: strings raw, others as JSON. */
static void
add_text(struct gh_buf *b, json_t *v)
{
    char *t;

    if (v == NULL || json_is_null(v))
        return;
    if (json_is_string(v)) {
        gh_buf_addn(b, json_string_value(v), json_string_length(v));
        return;
    }
    t = json_dumps(v, DUMP_FLAGS | JSON_ENCODE_ANY);
    if (t != NULL)
        gh_buf_add(b, t);
    free(t);
}

/* Renders one string; *out NULL when it has no shortcode (keep as is). */
static int
render_string(const char *s, size_t n, struct walk *w, json_t **out)
{
    const char   *p = s, *open, *close;
    struct gh_buf b;
    json_t       *v;
    int           rc = -1;

    *out = NULL;
    if ((open = strstr(s, "{{")) == NULL)
        return 0;
    close = strstr(open + 2, "}}");
    /* Exactly one shortcode and nothing else: the value keeps its type. */
    if (open == s && close != NULL && (size_t)(close + 2 - s) == n) {
        if (eval_expr(s + 2, n - 4, w, &v) == -1)
            return -1;
        *out = w->ctx == NULL ? NULL : v != NULL ? v : json_null();
        return 0;
    }
    gh_buf_init(&b, GH_TPL_CLAIMS_MAX);
    while ((open = strstr(p, "{{")) != NULL) {
        if ((close = strstr(open + 2, "}}")) == NULL) {
            fail_why(w, "unterminated {{", "", 0);
            goto done;
        }
        gh_buf_addn(&b, p, (size_t)(open - p));
        if (eval_expr(open + 2, (size_t)(close - open - 2), w, &v) == -1)
            goto done;
        add_text(&b, v);
        json_decref(v);
        p = close + 2;
    }
    gh_buf_add(&b, p);
    if (gh_buf_failed(&b)) {
        fail_why(w, "rendered value too long", "", 0);
        goto done;
    }
    if (w->ctx != NULL && (*out = json_string(gh_buf_str(&b))) == NULL)
        fail_why(w, "rendered value is not valid UTF-8", "", 0);
    else
        rc = 0;
done:
    gh_buf_clear(&b);
    return rc;
}

static int walk_value(json_t *v, struct walk *w, int depth, json_t **out);

/* Appends ".key" or "[i]" to w->where for the duration of a call. */
static size_t
where_push(struct walk *w, const char *key, size_t index)
{
    size_t len = strlen(w->where);

    if (key != NULL)
        snprintf(w->where + len, sizeof(w->where) - len, ".%s", key);
    else
        snprintf(w->where + len, sizeof(w->where) - len, "[%zu]", index);
    return len;
}

static int
walk_children(json_t *v, struct walk *w, int depth)
{
    const char *key;
    json_t     *child, *nv;
    size_t      i, mark;

    json_object_foreach(v, key, child) {
        mark = where_push(w, key, 0);
        if (walk_value(child, w, depth + 1, &nv) == -1)
            return -1;
        w->where[mark] = '\0';
        if (nv != NULL && json_object_set_new(v, key, nv) == -1)
            return fail_why(w, "out of memory", "", 0);
    }
    json_array_foreach(v, i, child) {
        mark = where_push(w, NULL, i);
        if (walk_value(child, w, depth + 1, &nv) == -1)
            return -1;
        w->where[mark] = '\0';
        if (nv != NULL && json_array_set_new(v, i, nv) == -1)
            return fail_why(w, "out of memory", "", 0);
    }
    return 0;
}

/* *out: the replacement for v (new reference), or NULL to keep v. */
static int
walk_value(json_t *v, struct walk *w, int depth, json_t **out)
{
    *out = NULL;
    if (depth > DEPTH_MAX)
        return fail_why(w, "nested too deeply", "", 0);
    if (json_is_string(v))
        return render_string(json_string_value(v), json_string_length(v), w, out);
    if (json_is_object(v) || json_is_array(v))
        return walk_children(v, w, depth);
    return 0;
}

static int
dump_cb(const char *p, size_t n, void *data)
{
    gh_buf_addn(data, p, n);
    return gh_buf_failed(data) ? -1 : 0;
}

/* Compact serialisation of an object, at most GH_TPL_CLAIMS_MAX bytes. */
static int
dump(const json_t *v, size_t flags, char **out, struct gh_err *err)
{
    struct gh_buf b;

    gh_buf_init(&b, GH_TPL_CLAIMS_MAX);
    if (json_dump_callback(v, dump_cb, &b, flags) == -1 || gh_buf_failed(&b) ||
        (*out = gh_buf_take(&b)) == NULL) {
        gh_buf_clear(&b);
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "claims", "exceed the maximum size");
    }
    gh_buf_clear(&b);
    return 0;
}

/* Parses and walks claims_json; *root the (rendered, when ctx) object. */
static int
walk_claims(const char *claims_json, const struct gh_tpl_ctx *ctx, json_t **root,
    struct gh_err *err)
{
    struct walk w = { .ctx = ctx, .where = "claims" };
    json_t     *v, *nv = NULL;
    char        desc[sizeof(err->desc)];

    *root = NULL;
    v = claims_json != NULL && strlen(claims_json) <= GH_TPL_CLAIMS_MAX
        ? json_loads(claims_json, LOAD_FLAGS, NULL)
        : NULL;
    if (v == NULL || !json_is_object(v)) {
        json_decref(v);
        return GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "claims", "must be a JSON object");
    }
    if (walk_value(v, &w, 0, &nv) == -1) {
        json_decref(v);
        snprintf(desc, sizeof(desc), "Invalid shortcode in %s: %s", w.where, w.why);
        GH_FAIL_PARAM(err, GH_E_PARAM_INVALID, "claims", desc);
        snprintf(err->long_msg, sizeof(err->long_msg), "claims has an invalid shortcode at %s: %s",
            w.where, w.why);
        return -1;
    }
    *root = v;
    return 0;
}

int
gh_tpl_validate(const char *claims_json, char **canon, struct gh_err *err)
{
    json_t *v;
    int     rc = 0;

    if (canon != NULL)
        *canon = NULL;
    if (walk_claims(claims_json, NULL, &v, err) == -1)
        return -1;
    if (canon != NULL)
        rc = dump(v, JSON_COMPACT, canon, err); /* the template's own key order */
    json_decref(v);
    return rc;
}

static int
set_std(json_t *o, const struct gh_tpl_std *std)
{
    json_t *jti = json_object_get(o, "jti");
    int     rc = 0;

    for (size_t i = 0; i < sizeof(RESERVED) / sizeof(RESERVED[0]); i++)
        json_object_del(o, RESERVED[i]);
    if (std->jti != NULL && (jti == NULL || json_is_null(jti)))
        rc |= json_object_set_new(o, "jti", json_string(std->jti));
    if (std->azp != NULL)
        rc |= json_object_set_new(o, "azp", json_string(std->azp));
    return rc | json_object_set_new(o, "sub", json_string(std->sub)) |
        json_object_set_new(o, "sid", json_string(std->sid)) |
        json_object_set_new(o, "iss", json_string(std->iss)) |
        json_object_set_new(o, "iat", json_integer((json_int_t)std->iat)) |
        json_object_set_new(o, "exp", json_integer((json_int_t)std->exp)) |
        json_object_set_new(o, "nbf", json_integer((json_int_t)std->nbf));
}

int
gh_tpl_claims(const char *claims_json, const struct gh_tpl_ctx *ctx,
    const struct gh_tpl_std *std, char **out, struct gh_err *err)
{
    json_t *v = NULL;
    int     rc = -1;

    *out = NULL;
    if (walk_claims(claims_json, ctx, &v, err) == -1)
        return -1;
    if (set_std(v, std) != 0) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    rc = dump(v, DUMP_FLAGS, out, err);
done:
    json_decref(v);
    return rc;
}
