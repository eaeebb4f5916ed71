-- 0010_me_profile (SQLite): what the Frontend API's /v1/me routes keep
-- (issue 4). Sessions remember the browser they were last used from (raw
-- User-Agent, capped by core, and the peer address) for the active-devices
-- list. An address added to an account has its emailed-code verification in
-- ident_verifications (the code's salted hash, never the code; attempts are
-- counted with a conditional UPDATE). A TOTP enrolment lives in
-- totp_enrolments until its first code is verified; the verified secret is
-- then also users.totp_secret (0005), which is what sign-in checks.

ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN ip_address TEXT;

CREATE TABLE ident_verifications (
    ident_id    TEXT PRIMARY KEY REFERENCES identifications (id) ON DELETE CASCADE,
    instance_id TEXT NOT NULL,
    strategy    TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT '',
    attempts    INTEGER NOT NULL DEFAULT 0,
    expire_at   BIGINT,
    code_hash   TEXT NOT NULL DEFAULT '',
    sent_at     BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE totp_enrolments (
    user_id       TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    instance_id   TEXT NOT NULL,
    id            TEXT NOT NULL UNIQUE, -- totp_…
    secret_sealed TEXT NOT NULL,        -- base64 of the base32 secret sealed with the master key
    verified      INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
