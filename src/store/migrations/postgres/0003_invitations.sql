-- 0003_invitations (PostgreSQL): invitations (app-level and organization),
-- sign-in tokens, their single-use tickets, and the allowlist / blocklist
-- identifiers (issue 3). Same conventions as 0001: instance_id on every row,
-- BIGINT ms times, NULL for "never". A ticket's raw value is never stored:
-- only its SHA-256. Never edit once released.

CREATE TABLE tickets (
    id          TEXT PRIMARY KEY,          -- tkt_…
    instance_id TEXT NOT NULL,
    kind        TEXT NOT NULL,             -- invitation | org_invitation | sign_in
    target_id   TEXT NOT NULL,             -- inv_… / orginv_… / sit_…
    token_hash  TEXT NOT NULL,             -- lowercase hex SHA-256 of the raw ticket
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    revoked_at  BIGINT,
    created_at  BIGINT NOT NULL,
    CONSTRAINT tickets_hash_uq UNIQUE (token_hash)
);
CREATE INDEX tickets_target ON tickets (instance_id, target_id);

CREATE TABLE invitations (
    id               TEXT PRIMARY KEY,     -- inv_… (app) or orginv_… (organization)
    instance_id      TEXT NOT NULL,
    org_id           TEXT REFERENCES organizations (id) ON DELETE CASCADE, -- NULL: app-level
    email_address    TEXT NOT NULL,        -- lower-cased by core
    role             TEXT,                 -- role key for organization invitations
    inviter_id       TEXT,
    status           TEXT NOT NULL,        -- pending | accepted | revoked ("expired" is computed)
    public_metadata  TEXT NOT NULL DEFAULT '{}',
    private_metadata TEXT NOT NULL DEFAULT '{}',
    redirect_url     TEXT,
    expires_at       BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX invitations_app ON invitations (instance_id, org_id, created_at, id);
CREATE INDEX invitations_email ON invitations (instance_id, email_address);
CREATE INDEX invitations_org ON invitations (org_id, created_at, id);

CREATE TABLE sign_in_tokens (
    id          TEXT PRIMARY KEY,          -- sit_…
    instance_id TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status      TEXT NOT NULL,             -- pending | accepted | revoked
    expires_at  BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX sign_in_tokens_user ON sign_in_tokens (instance_id, user_id);

CREATE TABLE access_identifiers (
    id              TEXT PRIMARY KEY,      -- alid_… / blid_…
    instance_id     TEXT NOT NULL,
    list            TEXT NOT NULL,         -- allow | block
    identifier      TEXT NOT NULL,         -- normalised: email, *@domain, +E.164
    identifier_type TEXT NOT NULL,         -- email_address | phone_number
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CONSTRAINT access_identifiers_uq UNIQUE (instance_id, list, identifier)
);
CREATE INDEX access_identifiers_created ON access_identifiers (instance_id, list, created_at, id);
