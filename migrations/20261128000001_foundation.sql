-- The foundation: the team, its first member, and the outbox of changes.
-- Ids are UUIDv7 text; timestamps are UTC RFC 3339; rows are soft-deleted (deleted_at).

CREATE TABLE team (
    id                    TEXT PRIMARY KEY NOT NULL,
    name                  TEXT NOT NULL CHECK (length(trim(name)) > 0),
    -- The recovery key shown at creation must be acknowledged; until then the app
    -- offers a fresh one at each unlock.
    recovery_acknowledged INTEGER NOT NULL DEFAULT 0 CHECK (recovery_acknowledged IN (0, 1)),
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    deleted_at            TEXT
);

CREATE TABLE members (
    id           TEXT PRIMARY KEY NOT NULL,
    display_name TEXT NOT NULL CHECK (length(trim(display_name)) > 0),
    role         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    deleted_at   TEXT
);

CREATE TABLE changes (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    id         TEXT NOT NULL UNIQUE,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    op         TEXT NOT NULL CHECK (op IN ('insert', 'update', 'delete')),
    fields     TEXT NOT NULL,
    hlc        TEXT NOT NULL,
    author     TEXT,
    device     TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX changes_hlc ON changes (hlc);
CREATE INDEX changes_entity ON changes (entity, entity_id);
