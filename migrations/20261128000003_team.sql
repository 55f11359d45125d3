-- The team: agencies, roles as data with permission sets, and members with a sign-in
-- name, discipline, agency, contacts and status. Built-in roles have fixed ids; their
-- names and descriptions are shown translated, custom roles show what the lead typed.

CREATE TABLE agencies (
    id         TEXT PRIMARY KEY NOT NULL,
    name       TEXT NOT NULL CHECK (length(trim(name)) > 0),
    kind       TEXT NOT NULL CHECK (kind IN ('social_welfare', 'police', 'health', 'education',
                                             'local_administration', 'ngo', 'other')),
    district   TEXT,
    province   TEXT,
    contact    TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);

CREATE TABLE roles (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    description TEXT,
    builtin     INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
    -- A JSON array of permission names; core checks every name.
    permissions TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
);

INSERT INTO roles (id, name, builtin, permissions, created_at, updated_at) VALUES
    ('team_lead', 'Team lead', 1,
     '["team.manage","roles.manage","audit.read","recovery.manage"]',
     strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('case_worker', 'Case worker', 1, '[]',
     strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('police_liaison', 'Police liaison', 1, '[]',
     strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('health_officer', 'Health officer', 1, '[]',
     strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('volunteer_coordinator', 'Volunteer coordinator', 1, '[]',
     strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    ('viewer', 'Viewer', 1, '[]',
     strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));

-- Members, rebuilt with their new columns. Nothing references members yet. Members
-- made before sign-in names existed get their display name, folded, as one.
CREATE TABLE members_v3 (
    id                     TEXT PRIMARY KEY NOT NULL,
    display_name           TEXT NOT NULL CHECK (length(trim(display_name)) > 0),
    sign_in_name           TEXT NOT NULL CHECK (length(sign_in_name) > 0),
    role                   TEXT NOT NULL REFERENCES roles (id),
    discipline             TEXT CHECK (discipline IS NULL OR discipline IN (
                               'social_work', 'police', 'health', 'education', 'ngo',
                               'local_government', 'volunteer_coordination')),
    agency_id              TEXT REFERENCES agencies (id),
    phone                  TEXT,
    email                  TEXT,
    status                 TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'left')),
    must_change_passphrase INTEGER NOT NULL DEFAULT 0 CHECK (must_change_passphrase IN (0, 1)),
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    deleted_at             TEXT
);
INSERT INTO members_v3 (id, display_name, sign_in_name, role, created_at, updated_at, deleted_at)
    SELECT id, display_name, lower(replace(trim(display_name), ' ', '.')), role,
           created_at, updated_at, deleted_at
    FROM members;
DROP TABLE members;
ALTER TABLE members_v3 RENAME TO members;
CREATE UNIQUE INDEX members_sign_in_name ON members (sign_in_name) WHERE deleted_at IS NULL;
CREATE INDEX members_role ON members (role, status);
