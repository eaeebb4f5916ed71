-- 0007_fapi (PostgreSQL): the Frontend API's state (issue 4). A client is a browser
-- or device (its cookie token stored as a SHA-256 hash); it holds at most one
-- sign-in and one sign-up in progress. Each verification inside a sign-in or
-- sign-up is a group of columns (ff_ first factor, sf_ second factor, ev_
-- email verification): strategy, status, attempts, expire_at, the code's
-- salted hash (never the code), the identification it targets, when it was
-- last sent (resend cooldown).

ALTER TABLE clients ADD COLUMN last_active_session_id TEXT;
ALTER TABLE clients ADD COLUMN sign_in_id TEXT;
ALTER TABLE clients ADD COLUMN sign_up_id TEXT;

CREATE TABLE sign_ins (
    id                 TEXT PRIMARY KEY,
    instance_id        TEXT NOT NULL,
    client_id          TEXT NOT NULL,
    status             TEXT NOT NULL,
    identifier         TEXT,
    user_id            TEXT,
    ff_strategy        TEXT NOT NULL DEFAULT '',
    ff_status          TEXT NOT NULL DEFAULT '',
    ff_attempts        INTEGER NOT NULL DEFAULT 0,
    ff_expire_at       BIGINT,
    ff_code_hash       TEXT NOT NULL DEFAULT '',
    ff_target_id       TEXT NOT NULL DEFAULT '',
    ff_sent_at         BIGINT,
    sf_strategy        TEXT NOT NULL DEFAULT '',
    sf_status          TEXT NOT NULL DEFAULT '',
    sf_attempts        INTEGER NOT NULL DEFAULT 0,
    sf_expire_at       BIGINT,
    sf_code_hash       TEXT NOT NULL DEFAULT '',
    sf_target_id       TEXT NOT NULL DEFAULT '',
    sf_sent_at         BIGINT,
    created_session_id TEXT,
    abandon_at         BIGINT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX sign_ins_client ON sign_ins (instance_id, client_id);

CREATE TABLE sign_ups (
    id                 TEXT PRIMARY KEY,
    instance_id        TEXT NOT NULL,
    client_id          TEXT NOT NULL,
    status             TEXT NOT NULL,
    email_address      TEXT,
    phone_number       TEXT,
    username           TEXT,
    first_name         TEXT,
    last_name          TEXT,
    password_hash      TEXT,
    unsafe_metadata    TEXT NOT NULL DEFAULT '{}',
    legal_accepted_at  BIGINT,
    invitation_id      TEXT,
    ev_strategy        TEXT NOT NULL DEFAULT '',
    ev_status          TEXT NOT NULL DEFAULT '',
    ev_attempts        INTEGER NOT NULL DEFAULT 0,
    ev_expire_at       BIGINT,
    ev_code_hash       TEXT NOT NULL DEFAULT '',
    ev_target_id       TEXT NOT NULL DEFAULT '',
    ev_sent_at         BIGINT,
    created_session_id TEXT,
    created_user_id    TEXT,
    abandon_at         BIGINT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX sign_ups_client ON sign_ups (instance_id, client_id);
