-- 0001_init (SQLite): the first schema. Every row carries instance_id (an
-- instance's own row is keyed by id); times are BIGINT milliseconds since the
-- epoch, booleans INTEGER 0/1, so src/store/store_*.c runs the same query text
-- on both dialects. Never edit once released: add 0002_… instead.

CREATE TABLE instances (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    frontend_url    TEXT,
    publishable_key TEXT,
    settings        TEXT NOT NULL DEFAULT '{}',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX instances_created ON instances (created_at, id);

CREATE TABLE signing_keys (
    kid            TEXT PRIMARY KEY,
    instance_id    TEXT NOT NULL,
    alg            TEXT NOT NULL,
    private_sealed BLOB NOT NULL, -- private PEM sealed with the master key
    public_pem     TEXT NOT NULL,
    active         INTEGER NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL
);
CREATE INDEX signing_keys_instance ON signing_keys (instance_id, created_at);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE, -- hex SHA-256 of the sk_… string
    hint        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX api_keys_instance ON api_keys (instance_id, created_at);

CREATE TABLE users (
    id                          TEXT PRIMARY KEY,
    instance_id                 TEXT NOT NULL,
    external_id                 TEXT,
    username                    TEXT, -- lower-cased by core
    first_name                  TEXT,
    last_name                   TEXT,
    password_hash               TEXT,
    primary_email_id            TEXT,
    primary_phone_id            TEXT,
    public_metadata             TEXT NOT NULL DEFAULT '{}',
    private_metadata            TEXT NOT NULL DEFAULT '{}',
    unsafe_metadata             TEXT NOT NULL DEFAULT '{}',
    banned                      INTEGER NOT NULL DEFAULT 0,
    locked                      INTEGER NOT NULL DEFAULT 0,
    failed_attempts             INTEGER NOT NULL DEFAULT 0,
    lockout_until               BIGINT,
    password_updated_at         BIGINT,
    last_sign_in_at             BIGINT,
    last_active_at              BIGINT,
    legal_accepted_at           BIGINT,
    delete_self_enabled         INTEGER NOT NULL DEFAULT 1,
    create_organization_enabled INTEGER NOT NULL DEFAULT 1,
    created_at                  BIGINT NOT NULL,
    updated_at                  BIGINT NOT NULL
);
-- NULLs never clash, so users without a username or external id are fine.
CREATE UNIQUE INDEX users_username_uq ON users (instance_id, username);
CREATE UNIQUE INDEX users_external_id_uq ON users (instance_id, external_id);
-- One index per list order (and the created_at/last_active filters).
CREATE INDEX users_created ON users (instance_id, created_at, id);
CREATE INDEX users_updated ON users (instance_id, updated_at, id);
CREATE INDEX users_first_name ON users (instance_id, first_name);
CREATE INDEX users_last_name ON users (instance_id, last_name);
CREATE INDEX users_last_active ON users (instance_id, last_active_at);
CREATE INDEX users_last_sign_in ON users (instance_id, last_sign_in_at);
CREATE INDEX users_banned ON users (instance_id, created_at) WHERE banned = 1;

CREATE TABLE identifications (
    seq         INTEGER PRIMARY KEY, -- insertion order (rowid): ties on created_at keep it
    id          TEXT NOT NULL UNIQUE,
    instance_id TEXT NOT NULL,
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type        INTEGER NOT NULL, -- 1 email, 2 phone (enum gh_ident_type)
    value       TEXT NOT NULL,    -- email lower-cased; phone E.164
    verified    INTEGER NOT NULL DEFAULT 0,
    strategy    TEXT,
    reserved    INTEGER NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CONSTRAINT identifications_value_uq UNIQUE (instance_id, type, value)
);
CREATE INDEX identifications_user ON identifications (user_id, created_at, seq);

CREATE TABLE clients (
    id          TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    token_hash  TEXT NOT NULL DEFAULT '', -- '' for clients made by the Backend API
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX clients_token ON clients (instance_id, token_hash);

CREATE TABLE sessions (
    id             TEXT PRIMARY KEY,
    instance_id    TEXT NOT NULL,
    user_id        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    client_id      TEXT NOT NULL,
    status         TEXT NOT NULL,
    active_org_id  TEXT,
    actor          TEXT,
    last_active_at BIGINT,
    expire_at      BIGINT,
    abandon_at     BIGINT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (instance_id, user_id);
CREATE INDEX sessions_client ON sessions (instance_id, client_id);
CREATE INDEX sessions_created ON sessions (instance_id, created_at, id);
