/* records.h: the plain data the store reads and writes. No library types, no
 * behaviour beyond constructors and destructors (records.c); domain rules live
 * in src/core. Strings are heap-owned by the record unless noted; ids are
 * fixed arrays because they are short and URL-safe ([A-Za-z0-9_], DESIGN §5).
 * Times are integer milliseconds since the epoch; GH_TIME_NULL means SQL NULL. */
#ifndef GH_STORE_RECORDS_H
#define GH_STORE_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#define GH_TIME_NULL INT64_MIN
#define GH_ID_MAX 48 /* "orgmem_" + 27 base62 chars + NUL fits with room */

struct gh_instance {
    char    id[GH_ID_MAX];   /* ins_… */
    char   *name;            /* display name */
    char   *frontend_url;    /* public URL of the frontend listener at creation */
    char   *publishable_key; /* pk_test_… (not secret) */
    char   *settings;        /* JSON object text; "{}" when empty */
    int64_t created_at;
    int64_t updated_at;
};

struct gh_signing_key {
    char           kid[GH_ID_MAX];
    char           alg[16];         /* "RS256" */
    unsigned char *private_sealed;  /* private PEM sealed with the master key */
    size_t         private_sealed_len;
    char          *public_pem;      /* SPKI PEM */
    int            active;          /* 1 = signs new tokens; 0 = published for verification only */
    int64_t        created_at;
};

struct gh_api_key {
    char    id[GH_ID_MAX];   /* ak_… (row id, not secret) */
    char    secret_hash[65]; /* lowercase hex SHA-256 of the whole sk_… string */
    char    hint[16];        /* last 4 characters, for `keys list` */
    int64_t created_at;
    int64_t revoked_at;      /* GH_TIME_NULL while valid */
};

enum gh_ident_type { GH_IDENT_EMAIL = 1, GH_IDENT_PHONE = 2 };

struct gh_ident {
    char               id[GH_ID_MAX];      /* idn_… */
    char               user_id[GH_ID_MAX];
    enum gh_ident_type type;
    char              *value;              /* email lower-cased; phone E.164 */
    int                verified;
    char              *strategy;           /* "admin", "email_code", … ; NULL when none */
    int                reserved;
    int64_t            created_at;
    int64_t            updated_at;
};

struct gh_user {
    char             id[GH_ID_MAX];   /* user_… */
    char            *external_id;     /* NULL when unset (all optional strings) */
    char            *username;
    char            *first_name;
    char            *last_name;
    char            *password_hash;   /* PHC string ($argon2id$…) or NULL; never rendered */
    char            *primary_email_id;
    char            *primary_phone_id;
    char            *public_metadata; /* JSON object text, "{}" when empty; never NULL */
    char            *private_metadata;
    char            *unsafe_metadata;
    int              banned;
    int              locked;
    int              failed_attempts; /* consecutive failed verifications */
    int64_t          lockout_until;   /* GH_TIME_NULL unless locked by the lockout rule */
    int64_t          password_updated_at;
    int64_t          last_sign_in_at;
    int64_t          last_active_at;
    int64_t          legal_accepted_at;
    int              delete_self_enabled;
    int              create_organization_enabled;
    int64_t          created_at;
    int64_t          updated_at;
    /* issue 3: MFA material (render shows only whether each is set) */
    char            *totp_secret;     /* base64 of the base32 secret sealed with the master key */
    char            *backup_codes;    /* comma-separated hex SHA-256 of "<user id>:<code>" */
    struct gh_ident *idents;          /* owned array, creation order */
    size_t           nidents;
};

struct gh_client {
    char    id[GH_ID_MAX];   /* client_… */
    char    token_hash[65];  /* hex SHA-256 of the client cookie token; "" for BAPI-made clients */
    /* Frontend API (issue 4); "" when none */
    char    last_active_session_id[GH_ID_MAX];
    char    sign_in_id[GH_ID_MAX];  /* the sign-in in progress */
    char    sign_up_id[GH_ID_MAX];  /* the sign-up in progress */
    int64_t created_at;
    int64_t updated_at;
};

struct gh_session {
    char    id[GH_ID_MAX];        /* sess_… */
    char    user_id[GH_ID_MAX];
    char    client_id[GH_ID_MAX];
    char    status[16];           /* active|revoked|ended|expired|removed|abandoned|replaced|pending */
    char   *active_org_id;        /* NULL when none */
    char   *actor;                /* JSON object text or NULL */
    int64_t last_active_at;
    int64_t expire_at;
    int64_t abandon_at;
    int64_t created_at;
    int64_t updated_at;
    /* issue 4 (0010): the browser it was last used from (the active-devices list) */
    char   *user_agent;           /* raw User-Agent (≤ GH_UA_MAX bytes); NULL when unknown */
    char    ip_address[64];       /* peer address as text; "" when unknown */
};

/* Constructors zero the record and set times to GH_TIME_NULL and metadata to
 * "{}". Every _free accepts NULL. */
struct gh_user    *gh_user_new(void);
void               gh_user_free(struct gh_user *u);
void               gh_users_free(struct gh_user **v, size_t n); /* frees array too */
struct gh_ident   *gh_user_ident_add(struct gh_user *u); /* appends a zeroed ident; NULL on OOM */
const struct gh_ident *gh_user_ident_find(const struct gh_user *u, const char *ident_id);
void               gh_ident_clear(struct gh_ident *i);   /* frees strings inside */
void               gh_ident_free(struct gh_ident *i);
struct gh_session *gh_session_new(void);
void               gh_session_free(struct gh_session *s);
void               gh_sessions_free(struct gh_session **v, size_t n);
void               gh_instance_free(struct gh_instance *in);
void               gh_signing_key_clear(struct gh_signing_key *k);
void               gh_signing_keys_free(struct gh_signing_key *v, size_t n);

/* ---- JWT templates (issue 3) ---- */
struct gh_jwt_template {
    char           id[GH_ID_MAX];          /* jtmp_… */
    char          *name;                   /* unique per instance */
    char          *claims;                 /* JSON object text, shortcodes unrendered */
    int64_t        lifetime;               /* s, 30–315360000 */
    int64_t        allowed_clock_skew;     /* s, 0–300 */
    int            custom_signing_key;     /* 1: signs with signing_key_sealed, not the instance key */
    char           signing_algorithm[16];  /* "RS256" | "HS256" */
    unsigned char *signing_key_sealed;     /* HS256 secret or RSA private PEM, sealed; NULL when none */
    size_t         signing_key_sealed_len;
    int64_t        created_at;
    int64_t        updated_at;
};
/* In store_templates.c. _new zeroes and sets times to GH_TIME_NULL; _free
 * accepts NULL (the sealed key is ciphertext: no wipe needed);
 * _templates_free frees the array too. */
struct gh_jwt_template *gh_jwt_template_new(void);
void                    gh_jwt_template_free(struct gh_jwt_template *t);
void                    gh_jwt_templates_free(struct gh_jwt_template **v, size_t n);

/* ---- webhooks (issue 5) ---- */
struct gh_webhook_endpoint {
    char           id[GH_ID_MAX];       /* ep_… */
    char          *url;
    char          *description;         /* "" when none */
    char          *event_filter;        /* ",user.created,session.created," or "" = every event */
    int            enabled;
    unsigned char *secret_sealed;       /* whsec_… sealed with the master key */
    size_t         secret_sealed_len;
    unsigned char *prev_sealed;         /* the secret before the last rotation, or NULL */
    size_t         prev_sealed_len;
    int64_t        prev_expires_at;     /* the previous secret signs until then; GH_TIME_NULL */
    int64_t        first_failure_at;    /* start of the current failure streak; GH_TIME_NULL */
    char          *disabled_reason;     /* NULL, "manual", "gone" (410), "failing" (5 days) */
    int64_t        created_at;
    int64_t        updated_at;
};

/* One outbox row: an event rendered once, sent byte for byte to every endpoint. */
/* The one event type an endpoint receives only when its events filter names
 * it (an endpoint with no filter does not): email.created carries the code
 * or ticket link of the email, which a catch-all sync receiver should not
 * get by default. */
#define GH_WEBHOOK_NAMED_ONLY "email.created"

struct gh_webhook_message {
    char        id[GH_ID_MAX];          /* msg_…: the svix-id of every attempt */
    char        type[64];               /* "user.created", … */
    const char *payload;                /* borrowed for the insert */
    int64_t     created_at;
};

/* A claimed delivery with what the worker needs to send it. */
struct gh_webhook_job {
    int64_t                    seq;     /* delivery row */
    char                       instance_id[GH_ID_MAX];
    char                       message_id[GH_ID_MAX];
    int                        attempts; /* made before this one */
    char                      *payload;
    size_t                     payload_len;
    struct gh_webhook_endpoint ep;
};

/* One row of the attempts log (newest first in lists). */
struct gh_webhook_attempt {
    int64_t seq;
    char    message_id[GH_ID_MAX];
    char    endpoint_id[GH_ID_MAX];
    char    event_type[64];
    int     attempt_no;                 /* 1-based */
    int     http_status;                /* 0 when there was no response */
    char   *error;                      /* NULL on success */
    int64_t duration_ms;
    int64_t created_at;
};

void gh_webhook_endpoint_clear(struct gh_webhook_endpoint *ep); /* frees inside */
void gh_webhook_endpoints_free(struct gh_webhook_endpoint *v, size_t n);
void gh_webhook_job_clear(struct gh_webhook_job *j);
void gh_webhook_attempts_free(struct gh_webhook_attempt *v, size_t n);

/* ---- outgoing email (issue 4): the mail outbox ---- */
#define GH_MAIL_ADDR_MAX 320 /* RFC 5321: 64 + '@' + 255 */

/* One queued email. Strings borrowed for the insert. */
struct gh_mail_row {
    char                 id[GH_ID_MAX];   /* mail_… */
    const char          *recipient;      /* envelope RCPT TO */
    const char          *sender;         /* envelope MAIL FROM */
    const unsigned char *message_sealed; /* the RFC 5322 message sealed with the master key */
    size_t               message_sealed_len;
    int64_t              expires_at;     /* GH_TIME_NULL = never */
    int64_t              created_at;     /* also the first attempt's due time */
};

/* A claimed email with what the worker needs to send it. */
struct gh_mail_job {
    int64_t        seq;
    char           id[GH_ID_MAX];
    char           instance_id[GH_ID_MAX];
    char           recipient[GH_MAIL_ADDR_MAX + 1];
    char           sender[GH_MAIL_ADDR_MAX + 1];
    unsigned char *message_sealed;        /* owned; NULL once settled */
    size_t         message_sealed_len;
    int            attempts;              /* made before this one */
    int64_t        expires_at;            /* GH_TIME_NULL = never */
    int64_t        created_at;
};
void gh_mail_job_clear(struct gh_mail_job *j); /* frees inside */

/* ---- organizations (issue 3) ---- */
#define GH_ROLE_KEY_MAX 128 /* "org:<key>" role and "org:<feature>:<action>" permission keys */

struct gh_org {
    char    id[GH_ID_MAX];           /* org_… */
    char   *name;
    char   *slug;                    /* unique per instance, ^[a-z0-9][a-z0-9-]*$ */
    char   *image_url;               /* NULL when none (rendered "") */
    int64_t max_allowed_memberships; /* 0 = unlimited */
    int     admin_delete_enabled;
    char   *public_metadata;         /* JSON object text, "{}" when empty; never NULL */
    char   *private_metadata;
    char    created_by[GH_ID_MAX];   /* user_… or "" */
    int64_t members_count;           /* -1 unless loaded (include_members_count) */
    int64_t created_at;
    int64_t updated_at;
};

struct gh_org_membership {
    char    id[GH_ID_MAX];           /* orgmem_… */
    char    org_id[GH_ID_MAX];
    char    user_id[GH_ID_MAX];
    char    role[GH_ROLE_KEY_MAX];   /* role key, "org:admin" */
    char   *public_metadata;         /* JSON object text; never NULL */
    char   *private_metadata;
    int64_t created_at;
    int64_t updated_at;
};

struct gh_permission {
    char    id[GH_ID_MAX];           /* perm_… */
    char    key[GH_ROLE_KEY_MAX];    /* "org:<feature>:<action>" */
    char   *name;
    char   *description;             /* "" when none; never NULL */
    char    type[8];                 /* "system" (org:sys_*) or "user" */
    int64_t created_at;
    int64_t updated_at;
};

struct gh_role {
    char                  id[GH_ID_MAX];        /* role_… */
    char                  key[GH_ROLE_KEY_MAX]; /* "org:<key>" */
    char                 *name;
    char                 *description;          /* "" when none; never NULL */
    int                   is_creator_eligible;  /* may be the creator's role (org:admin) */
    int64_t               created_at;
    int64_t               updated_at;
    struct gh_permission *perms;                /* owned array sorted by key; may be NULL */
    size_t                nperms;
};

/* Constructors zero, set times to GH_TIME_NULL, metadata "{}", members_count -1. */
struct gh_org            *gh_org_new(void);
void                      gh_org_free(struct gh_org *o);
void                      gh_orgs_free(struct gh_org **v, size_t n);
struct gh_org_membership *gh_org_membership_new(void);
void                      gh_org_membership_free(struct gh_org_membership *m);
void                      gh_org_memberships_free(struct gh_org_membership **v, size_t n);
void                      gh_permission_clear(struct gh_permission *p); /* frees strings inside */
struct gh_permission     *gh_permission_new(void);
void                      gh_permission_free(struct gh_permission *p);
void                      gh_permissions_free(struct gh_permission **v, size_t n);
struct gh_role           *gh_role_new(void);
void                      gh_role_free(struct gh_role *r);
void                      gh_roles_free(struct gh_role **v, size_t n);

/* ---- invitations and tickets (issue 3) ---- */
struct gh_ticket {
    char    id[GH_ID_MAX];        /* tkt_… */
    char    kind[16];             /* "invitation" | "org_invitation" | "sign_in" */
    char    target_id[GH_ID_MAX]; /* inv_… / orginv_… / sit_… */
    char    token_hash[65];       /* hex SHA-256 of the raw ticket (never the raw value) */
    int64_t expires_at;
    int64_t used_at;              /* GH_TIME_NULL until redeemed */
    int64_t revoked_at;           /* GH_TIME_NULL unless its target was revoked */
    int64_t created_at;
};

struct gh_invitation {
    char    id[GH_ID_MAX];           /* inv_… (app) or orginv_… (organization) */
    char    org_id[GH_ID_MAX];       /* "" for an app-level invitation */
    char   *email_address;           /* lower-cased */
    char    role[GH_ROLE_KEY_MAX];   /* role key (organization invitations), else "" */
    char    inviter_id[GH_ID_MAX];   /* user_… or "" */
    char    status[16];              /* pending|accepted|revoked; core reads "expired" */
    char   *public_metadata;         /* JSON object text; never NULL */
    char   *private_metadata;
    char   *redirect_url;            /* NULL when none */
    int64_t expires_at;              /* GH_TIME_NULL = never */
    int64_t created_at;
    int64_t updated_at;
};

struct gh_sign_in_token {
    char    id[GH_ID_MAX];           /* sit_… */
    char    user_id[GH_ID_MAX];
    char    status[16];              /* pending|accepted|revoked */
    int64_t expires_at;
    int64_t created_at;
    int64_t updated_at;
};

struct gh_access_ident {
    char    id[GH_ID_MAX];           /* alid_… (allowlist) / blid_… (blocklist) */
    char    list[8];                 /* "allow" | "block" */
    char   *identifier;              /* normalised: email, "*@domain", "+E.164" */
    char    type[16];                /* "email_address" | "phone_number" */
    int64_t created_at;
    int64_t updated_at;
};

/* ---- Frontend API (issue 4): sign-ins and sign-ups (records_fapi.c) ---- */

/* One verification inside a sign-in or sign-up (spec FAPI §4.6). Codes are
 * never stored: code_hash is hex SHA-256 over "<owner id>:<code>". */
struct gh_verif {
    char    strategy[40];          /* "password", "email_code", "totp", …; "" = none yet */
    char    status[16];            /* unverified|verified|failed|expired|transferable; "" = none */
    int     attempts;              /* wrong codes so far */
    int64_t expire_at;             /* GH_TIME_NULL = no expiry */
    char    code_hash[65];         /* "" when no code was sent */
    char    target_id[GH_ID_MAX];  /* idn_… the code was sent to; "" when none */
    int64_t sent_at;               /* last send (resend cooldown); GH_TIME_NULL = never */
};

struct gh_sign_in {
    char            id[GH_ID_MAX];         /* sia_… */
    char            client_id[GH_ID_MAX];
    char            status[24];            /* needs_identifier|needs_first_factor|needs_second_factor|needs_new_password|complete|abandoned */
    char           *identifier;            /* as the user typed it (normalised); NULL = none */
    char            user_id[GH_ID_MAX];    /* "" until an identifier matched a user */
    struct gh_verif ff;                    /* first factor */
    struct gh_verif sf;                    /* second factor */
    char            created_session_id[GH_ID_MAX]; /* "" until complete */
    int64_t         abandon_at;
    int64_t         created_at;
    int64_t         updated_at;
};

struct gh_sign_up {
    char            id[GH_ID_MAX];         /* sua_… */
    char            client_id[GH_ID_MAX];
    char            status[24];            /* missing_requirements|complete|abandoned */
    char           *email_address;         /* lower-cased; NULL = not given (all strings) */
    char           *phone_number;
    char           *username;
    char           *first_name;
    char           *last_name;
    char           *password_hash;         /* argon2id PHC; never rendered (has_password) */
    char           *unsafe_metadata;       /* JSON object text; never NULL */
    int64_t         legal_accepted_at;
    char            invitation_id[GH_ID_MAX]; /* inv_…/orginv_… accepted through a ticket; "" */
    struct gh_verif ev;                    /* email address verification */
    char            created_session_id[GH_ID_MAX];
    char            created_user_id[GH_ID_MAX];
    int64_t         abandon_at;
    int64_t         created_at;
    int64_t         updated_at;
};

/* Constructors zero and set times to GH_TIME_NULL (metadata "{}"). */
struct gh_sign_in *gh_sign_in_new(void);
void               gh_sign_in_free(struct gh_sign_in *si);
struct gh_sign_up *gh_sign_up_new(void);
void               gh_sign_up_free(struct gh_sign_up *su);
void               gh_verif_reset(struct gh_verif *v); /* zero, times GH_TIME_NULL */

/* ---- Frontend API /v1/me (issue 4, 0010; store_me.c) ---- */

/* A user's authenticator-app enrolment: created unverified by POST /v1/me/totp,
 * verified by its first right code (then users.totp_secret holds the same
 * sealed secret, which is what sign-in checks). One per user. */
struct gh_totp {
    char    id[GH_ID_MAX];       /* totp_… */
    char    user_id[GH_ID_MAX];
    char   *secret_sealed;       /* base64 of the base32 secret sealed with the master key */
    int     verified;
    int64_t created_at;
    int64_t updated_at;
};
void gh_totp_free(struct gh_totp *t); /* accepts NULL */

/* Constructors zero, set times to GH_TIME_NULL and metadata to "{}". */
struct gh_invitation    *gh_invitation_new(void);
void                     gh_invitation_free(struct gh_invitation *inv);
void                     gh_invitations_free(struct gh_invitation **v, size_t n);
struct gh_access_ident  *gh_access_ident_new(void);
void                     gh_access_ident_free(struct gh_access_ident *a);
void                     gh_access_idents_free(struct gh_access_ident **v, size_t n);

#endif
