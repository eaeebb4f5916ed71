-- 0004_jwt_templates (PostgreSQL): JWT templates (issue 3, spec §B4/§C9). claims is
-- the template's JSON object text with its shortcodes unrendered; a custom
-- signing key (HS256 secret or RSA private PEM) is sealed with the master key
-- like the instance's own signing keys, and NULL when the template signs
-- with the instance key. Names are unique per instance (tokens are asked for
-- by name).

CREATE TABLE jwt_templates (
    id                 TEXT PRIMARY KEY,
    instance_id        TEXT NOT NULL,
    name               TEXT NOT NULL,
    claims             TEXT NOT NULL,
    lifetime           BIGINT NOT NULL,  -- seconds
    allowed_clock_skew BIGINT NOT NULL,  -- seconds
    custom_signing_key INTEGER NOT NULL DEFAULT 0,
    signing_algorithm  TEXT NOT NULL,
    signing_key_sealed BYTEA,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    UNIQUE (instance_id, name)
);
CREATE INDEX jwt_templates_instance ON jwt_templates (instance_id, created_at);
