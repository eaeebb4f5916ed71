-- 0002_orgs (PostgreSQL): organizations, memberships, roles and permissions
-- (issue 3). Same conventions as 0001: instance_id on every row, BIGINT ms
-- times, INTEGER 0/1 booleans. Roles and permissions are seeded per instance
-- by core (role.c) on first use, not here. Never edit once released.

CREATE TABLE organizations (
    id                      TEXT PRIMARY KEY,
    instance_id             TEXT NOT NULL,
    name                    TEXT NOT NULL,
    slug                    TEXT NOT NULL,
    image_url               TEXT,
    max_allowed_memberships BIGINT NOT NULL DEFAULT 0, -- 0 = unlimited
    admin_delete_enabled    INTEGER NOT NULL DEFAULT 1,
    public_metadata         TEXT NOT NULL DEFAULT '{}',
    private_metadata        TEXT NOT NULL DEFAULT '{}',
    created_by              TEXT NOT NULL DEFAULT '',
    created_at              BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL,
    CONSTRAINT organizations_slug_uq UNIQUE (instance_id, slug)
);
CREATE INDEX organizations_created ON organizations (instance_id, created_at, id);
CREATE INDEX organizations_name ON organizations (instance_id, name, id);

CREATE TABLE organization_memberships (
    id               TEXT PRIMARY KEY,
    instance_id      TEXT NOT NULL,
    org_id           TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role             TEXT NOT NULL, -- role key, "org:admin"
    public_metadata  TEXT NOT NULL DEFAULT '{}',
    private_metadata TEXT NOT NULL DEFAULT '{}',
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    CONSTRAINT organization_memberships_member_uq UNIQUE (org_id, user_id)
);
CREATE INDEX organization_memberships_org ON organization_memberships (org_id, created_at, id);
CREATE INDEX organization_memberships_user ON organization_memberships (instance_id, user_id);
CREATE INDEX organization_memberships_role ON organization_memberships (instance_id, role);
CREATE INDEX organization_memberships_created ON organization_memberships (instance_id, created_at, id);

CREATE TABLE organization_permissions (
    id          TEXT PRIMARY KEY,
    instance_id TEXT NOT NULL,
    key         TEXT NOT NULL, -- org:<feature>:<action>
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    type        TEXT NOT NULL, -- system | user
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    CONSTRAINT organization_permissions_key_uq UNIQUE (instance_id, key)
);

CREATE TABLE organization_roles (
    id                  TEXT PRIMARY KEY,
    instance_id         TEXT NOT NULL,
    key                 TEXT NOT NULL, -- org:<name>
    name                TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    is_creator_eligible INTEGER NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL,
    CONSTRAINT organization_roles_key_uq UNIQUE (instance_id, key)
);

CREATE TABLE organization_role_permissions (
    role_id       TEXT NOT NULL REFERENCES organization_roles (id) ON DELETE CASCADE,
    permission_id TEXT NOT NULL REFERENCES organization_permissions (id) ON DELETE CASCADE,
    instance_id   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (role_id, permission_id)
);
CREATE INDEX organization_role_permissions_perm ON organization_role_permissions (permission_id);
