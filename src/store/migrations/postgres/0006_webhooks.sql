-- 0006_webhooks (PostgreSQL): webhook endpoints, the outbox of event messages,
-- one delivery per (message, endpoint) fanned out when the message is
-- written, and the log of delivery attempts. Secrets are sealed with the
-- master key. event_filter is ",type,type," ('' = every event).

CREATE TABLE webhook_endpoints (
    id                 TEXT PRIMARY KEY,
    instance_id        TEXT NOT NULL,
    url                TEXT NOT NULL,
    description        TEXT NOT NULL DEFAULT '',
    event_filter       TEXT NOT NULL DEFAULT '',
    enabled            INTEGER NOT NULL DEFAULT 1,
    secret_sealed      BYTEA NOT NULL,
    prev_secret_sealed BYTEA,
    prev_expires_at    BIGINT,
    first_failure_at   BIGINT,
    disabled_reason    TEXT,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_instance ON webhook_endpoints (instance_id, created_at, id);

CREATE TABLE webhook_messages (
    seq         BIGSERIAL PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    instance_id TEXT NOT NULL,
    event_type  TEXT NOT NULL,
    payload     TEXT NOT NULL, -- the exact bytes sent and signed
    created_at  BIGINT NOT NULL
);
CREATE INDEX webhook_messages_created ON webhook_messages (instance_id, created_at, seq);

CREATE TABLE webhook_deliveries (
    seq             BIGSERIAL PRIMARY KEY,
    instance_id     TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    endpoint_id     TEXT NOT NULL,
    status          TEXT NOT NULL, -- pending|succeeded|failed|exhausted
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    locked_by       TEXT,
    locked_until    BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (message_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, status, seq);

CREATE TABLE webhook_attempts (
    seq          BIGSERIAL PRIMARY KEY,
    instance_id  TEXT NOT NULL,
    delivery_seq BIGINT NOT NULL,
    message_id   TEXT NOT NULL,
    endpoint_id  TEXT NOT NULL,
    attempt_no   INTEGER NOT NULL,
    http_status  INTEGER,
    error        TEXT,
    duration_ms  BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, seq);
