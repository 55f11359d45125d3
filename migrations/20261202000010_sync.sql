-- Team sync (the laptop's side). This laptop's place in the team's sync, the keys of the
-- scopes it may hold, the team's devices, what it last knew of each replicated row (to
-- tell a local edit from a remote one, field by field), envelopes sealed and waiting for
-- the relay, the envelopes already applied, and the conflicts a person resolves.

CREATE TABLE sync_state (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    relay_url      TEXT NOT NULL,
    -- The team and this laptop at the relay (UUIDs).
    team_remote_id TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    -- Known once a lead's laptop has sent this one the team scope's key.
    team_scope_id  TEXT,
    -- The relay's sequence number up to which this laptop has pulled.
    pulled_seq     INTEGER NOT NULL DEFAULT 0,
    -- The newest clock seen from another laptop: this laptop's clock never falls behind it.
    newest_hlc     TEXT,
    last_synced_at TEXT,
    last_error     TEXT,
    created_at     TEXT NOT NULL
);

-- A scope's key at each epoch. Inside the encrypted vault only.
CREATE TABLE sync_scope_keys (
    scope_id   TEXT NOT NULL,
    epoch      INTEGER NOT NULL CHECK (epoch >= 1),
    key        BLOB NOT NULL CHECK (length(key) = 32),
    -- 'team' for the team's scope; 'case' and 'section' come with case scopes.
    kind       TEXT NOT NULL,
    case_id    TEXT,
    section    TEXT,
    created_at TEXT NOT NULL,
    PRIMARY KEY (scope_id, epoch)
);

-- Who this laptop last said (to the relay) may read and write each scope it manages, so
-- that a change of a case's members, or a revoked laptop, is carried to the relay.
CREATE TABLE sync_scope_grants (
    scope_id  TEXT NOT NULL,
    device_id TEXT NOT NULL,
    manage    INTEGER NOT NULL,
    PRIMARY KEY (scope_id, device_id)
) WITHOUT ROWID;

-- Invites this (lead's) laptop made: the code stays here until its laptop is approved
-- or the invite expires, to show the short code beside the laptop that used it.
CREATE TABLE sync_invites (
    invite_id  TEXT PRIMARY KEY NOT NULL,
    code       BLOB NOT NULL CHECK (length(code) = 20),
    member_id  TEXT NOT NULL REFERENCES members (id),
    expires_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- The team's devices as the team knows them (their public keys verify what they wrote).
CREATE TABLE sync_devices (
    device_id    TEXT PRIMARY KEY NOT NULL,
    sign_key     BLOB NOT NULL CHECK (length(sign_key) = 32),
    exchange_key BLOB NOT NULL CHECK (length(exchange_key) = 32),
    status       TEXT NOT NULL CHECK (status IN ('pending', 'active', 'revoked')),
    admin        INTEGER NOT NULL DEFAULT 0,
    -- The member whose laptop it is, as the lead who approved it said.
    member_id    TEXT,
    updated_at   TEXT NOT NULL
);

-- Each replicated row as last synced: its fields and each field's clock (HLC).
CREATE TABLE sync_rows (
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    state     TEXT NOT NULL,
    clocks    TEXT NOT NULL,
    PRIMARY KEY (entity, entity_id)
) WITHOUT ROWID;

-- Envelopes sealed here and not yet stored by the relay, oldest first.
CREATE TABLE sync_outgoing (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    envelope_id TEXT NOT NULL UNIQUE,
    scope_id    TEXT NOT NULL,
    epoch       INTEGER NOT NULL,
    body        BLOB NOT NULL,
    changes     INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);

-- Envelopes applied here (or refused), so that a repeat changes nothing.
CREATE TABLE sync_seen (
    envelope_id TEXT PRIMARY KEY NOT NULL,
    seq         INTEGER NOT NULL,
    outcome     TEXT NOT NULL CHECK (outcome IN ('applied', 'refused')),
    reason      TEXT,
    at          TEXT NOT NULL
) WITHOUT ROWID;

-- Two laptops changed the same field without seeing each other's edit. Both values are
-- kept; the later one shows until a person chooses.
CREATE TABLE sync_conflicts (
    id             TEXT PRIMARY KEY NOT NULL,
    entity         TEXT NOT NULL,
    entity_id      TEXT NOT NULL,
    field          TEXT NOT NULL,
    local_value    TEXT NOT NULL,
    local_hlc      TEXT,
    remote_value   TEXT NOT NULL,
    remote_hlc     TEXT NOT NULL,
    remote_author  TEXT,
    created_at     TEXT NOT NULL,
    resolved_at    TEXT,
    resolved_by    TEXT,
    chosen         TEXT CHECK (chosen IN ('local', 'remote'))
);
CREATE INDEX sync_conflicts_open ON sync_conflicts (entity, entity_id) WHERE resolved_at IS NULL;

-- Whether each change of this laptop's outbox has been sealed for the relay.
ALTER TABLE changes ADD COLUMN synced INTEGER NOT NULL DEFAULT 0;
CREATE INDEX changes_unsynced ON changes (seq) WHERE synced = 0;
