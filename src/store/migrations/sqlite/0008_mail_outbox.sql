-- 0008_mail_outbox (SQLite): the durable queue of outgoing email (issue 4):
-- codes and invitations. A row is written in the transaction of the change
-- that sends it, so a crash loses nothing; delivery workers claim due rows
-- with a lease and record each attempt. The RFC 5322 message (subject and
-- body hold codes and tickets) is sealed with the master key and dropped once
-- the row is settled (sent, failed or expired).

CREATE TABLE mail_outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    instance_id     TEXT NOT NULL,
    recipient       TEXT NOT NULL,  -- envelope RCPT TO (one address)
    sender          TEXT NOT NULL,  -- envelope MAIL FROM
    message_sealed  BLOB,           -- NULL once settled
    status          TEXT NOT NULL,  -- pending|sent|failed|expired
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    expires_at      BIGINT,         -- not sent after this (codes); NULL = never
    last_error      TEXT,
    locked_by       TEXT,
    locked_until    BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_settled ON mail_outbox (status, updated_at);
