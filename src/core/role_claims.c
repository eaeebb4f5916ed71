/* role_claims.c: the session token's organization claims (spec §D4). The
 * SDK rebuilds permissions from `fea` (org-scoped features, in order),
 * `o.per` (actions) and `o.fpm` (one decimal bitmask per feature, bit j =
 * action j, least significant first, arbitrary size). System permissions
 * (org:sys_*) are never carried. Features and actions are sorted so the
 * same grants always give the same token. */
#include "core/role.h"

#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "core/org.h"
#include "util/buf.h"
#include "util/str.h"

#define CLAIMS_PART_MAX 16384 /* bytes of fea, per or fpm */

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Adds s[0..n) to the distinct set v (strings malloc'd). Returns -1 on OOM. */
static int
set_add(char **v, size_t *nv, const char *s, size_t n)
{
    for (size_t i = 0; i < *nv; i++)
        if (strlen(v[i]) == n && memcmp(v[i], s, n) == 0)
            return 0;
    if ((v[*nv] = strndup(s, n)) == NULL)
        return -1;
    (*nv)++;
    return 0;
}

/* Appends the decimal value of bits[0..n) (bits[0] least significant). */
static void
add_decimal(struct gh_buf *b, const unsigned char *bits, size_t n, unsigned char *dig)
{
    size_t nd = 1;

    dig[0] = 0;
    for (size_t j = n; j-- > 0;) { /* dec = dec * 2 + bit */
        unsigned carry = bits[j];

        for (size_t d = 0; d < nd; d++) {
            unsigned v = dig[d] * 2u + carry;

            dig[d] = (unsigned char)(v % 10);
            carry = v / 10;
        }
        if (carry != 0)
            dig[nd++] = (unsigned char)carry;
    }
    while (nd-- > 0)
        gh_buf_addc(b, (char)('0' + dig[nd]));
}

/* Splits "org:F:A" into F and A; 0 for system or malformed keys. */
static int
split_key(const char *k, const char **f, size_t *fn, const char **a)
{
    const char *c;

    if (k == NULL || strncmp(k, "org:", 4) != 0 || strncmp(k, "org:sys_", 8) == 0)
        return 0;
    *f = k + 4;
    if ((c = strchr(*f, ':')) == NULL || c == *f || c[1] == '\0')
        return 0;
    *fn = (size_t)(c - *f);
    *a = c + 1;
    return 1;
}

static int
encode_parts(const char *const *keys, size_t n, char **feats, size_t nf, char **acts,
    size_t na, struct gh_buf *bf, struct gh_buf *bp, struct gh_buf *bm)
{
    unsigned char *bits = calloc(na + 1, 1), *dig = calloc(na + 2, 1);

    if (bits == NULL || dig == NULL) {
        free(bits);
        free(dig);
        return -1;
    }
    for (size_t j = 0; j < na; j++) {
        gh_buf_add(bp, j > 0 ? "," : "");
        gh_buf_add(bp, acts[j]);
    }
    for (size_t i = 0; i < nf; i++) {
        memset(bits, 0, na);
        for (size_t k = 0; k < n; k++) {
            const char *f, *a;
            size_t      fn;

            if (!split_key(keys[k], &f, &fn, &a) || strlen(feats[i]) != fn ||
                memcmp(feats[i], f, fn) != 0)
                continue;
            for (size_t j = 0; j < na; j++)
                if (strcmp(acts[j], a) == 0)
                    bits[j] = 1;
        }
        gh_buf_add(bf, i > 0 ? ",o:" : "o:");
        gh_buf_add(bf, feats[i]);
        gh_buf_add(bm, i > 0 ? "," : "");
        add_decimal(bm, bits, na, dig);
    }
    free(bits);
    free(dig);
    return 0;
}

int
gh_role_claims_encode(const char *const *keys, size_t n, char **fea, char **per, char **fpm,
    struct gh_err *err)
{
    char        **feats = calloc(n + 1, sizeof(char *)), **acts = calloc(n + 1, sizeof(char *));
    size_t        nf = 0, na = 0;
    struct gh_buf bf, bp, bm;
    int           rc = -1;

    *fea = *per = *fpm = NULL;
    gh_buf_init(&bf, CLAIMS_PART_MAX);
    gh_buf_init(&bp, CLAIMS_PART_MAX);
    gh_buf_init(&bm, CLAIMS_PART_MAX);
    if (feats == NULL || acts == NULL) {
        GH_FAIL(err, GH_E_NOMEM, NULL);
        goto done;
    }
    for (size_t k = 0; k < n; k++) {
        const char *f, *a;
        size_t      fn;

        if (split_key(keys[k], &f, &fn, &a) &&
            (set_add(feats, &nf, f, fn) == -1 || set_add(acts, &na, a, strlen(a)) == -1)) {
            GH_FAIL(err, GH_E_NOMEM, NULL);
            goto done;
        }
    }
    rc = 0;
    if (nf == 0)
        goto done;
    qsort(feats, nf, sizeof(*feats), cmp_str);
    qsort(acts, na, sizeof(*acts), cmp_str);
    if (encode_parts(keys, n, feats, nf, acts, na, &bf, &bp, &bm) == -1 || gh_buf_failed(&bf) ||
        gh_buf_failed(&bp) || gh_buf_failed(&bm)) {
        rc = GH_FAIL(err, GH_E_INTERNAL, "organization claims too large");
        goto done;
    }
    *fea = gh_buf_take(&bf);
    *per = gh_buf_take(&bp);
    *fpm = gh_buf_take(&bm);
    if (*fea == NULL || *per == NULL || *fpm == NULL) {
        free(*fea);
        free(*per);
        free(*fpm);
        *fea = *per = *fpm = NULL;
        rc = GH_FAIL(err, GH_E_NOMEM, NULL);
    }
done:
    for (size_t i = 0; feats != NULL && i < nf; i++)
        free(feats[i]);
    for (size_t i = 0; acts != NULL && i < na; i++)
        free(acts[i]);
    free(feats);
    free(acts);
    gh_buf_clear(&bf);
    gh_buf_clear(&bp);
    gh_buf_clear(&bm);
    return rc;
}

/* {"fpm":…,"id":…,"per":…,"rol":…,"slg":…} (per/fpm only with custom permissions). */
static int
build_o(const struct gh_org *o, const struct gh_role *r, const char *per, const char *fpm,
    char **out, struct gh_err *err)
{
    struct gh_buf b;
    const char   *rol = strncmp(r->key, "org:", 4) == 0 ? r->key + 4 : r->key;

    gh_buf_init(&b, CLAIMS_PART_MAX * 3);
    gh_buf_add(&b, "{");
    if (fpm != NULL) {
        gh_buf_add(&b, "\"fpm\":");
        gh_buf_add_json_str(&b, fpm);
        gh_buf_add(&b, ",");
    }
    gh_buf_add(&b, "\"id\":");
    gh_buf_add_json_str(&b, o->id);
    if (per != NULL) {
        gh_buf_add(&b, ",\"per\":");
        gh_buf_add_json_str(&b, per);
    }
    gh_buf_add(&b, ",\"rol\":");
    gh_buf_add_json_str(&b, rol);
    gh_buf_add(&b, ",\"slg\":");
    gh_buf_add_json_str(&b, o->slug);
    gh_buf_add(&b, "}");
    *out = gh_buf_take(&b);
    gh_buf_clear(&b);
    return *out != NULL ? 0 : GH_FAIL(err, GH_E_INTERNAL, "organization claims too large");
}

int
gh_role_org_claims(struct gh_app *app, const char *instance_id, const char *org_id,
    const char *user_id, char **o_out, char **fea_out, struct gh_err *err)
{
    struct gh_org_membership *m = NULL;
    struct gh_org            *o = NULL;
    struct gh_role           *r = NULL;
    const char              **keys = NULL;
    char                     *fea = NULL, *per = NULL, *fpm = NULL;
    struct gh_buf             b;
    int                       rc = -1;

    *o_out = *fea_out = NULL;
    gh_buf_init(&b, CLAIMS_PART_MAX + 2);
    if (gh_org_member_find(app, instance_id, org_id, user_id, &m, err) == -1)
        goto done;
    rc = 0;
    if (m == NULL) /* no longer a member: no org claims */
        goto done;
    rc = -1;
    if (gh_store_org_get(app->store, instance_id, m->org_id, 0, &o, err) == -1 ||
        gh_role_find_by_key(app, instance_id, m->role, &r, err) == -1)
        goto done;
    if (r != NULL && r->nperms > 0) {
        if ((keys = calloc(r->nperms, sizeof(*keys))) == NULL) {
            GH_FAIL(err, GH_E_NOMEM, NULL);
            goto done;
        }
        for (size_t i = 0; i < r->nperms; i++)
            keys[i] = r->perms[i].key;
        if (gh_role_claims_encode(keys, r->nperms, &fea, &per, &fpm, err) == -1)
            goto done;
    }
    if (r == NULL) { /* role deleted under the member: keep the key, grant nothing */
        struct gh_role tmp = { 0 };

        gh_strlcpy(tmp.key, m->role, sizeof(tmp.key));
        rc = build_o(o, &tmp, NULL, NULL, o_out, err);
    } else {
        rc = build_o(o, r, per, fpm, o_out, err);
    }
    if (rc == 0 && fea != NULL) {
        gh_buf_add_json_str(&b, fea);
        if ((*fea_out = gh_buf_take(&b)) == NULL) {
            free(*o_out);
            *o_out = NULL;
            rc = GH_FAIL(err, GH_E_NOMEM, NULL);
        }
    }
done:
    gh_buf_clear(&b);
    free(keys);
    free(fea);
    free(per);
    free(fpm);
    gh_role_free(r);
    gh_org_free(o);
    gh_org_membership_free(m);
    return rc;
}
