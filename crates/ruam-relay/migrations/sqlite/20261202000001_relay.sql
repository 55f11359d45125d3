-- The relay's store on SQLite. It holds ciphertext, public keys and ids; never a name,
-- a key that opens anything, or plaintext.
CREATE TABLE teams (
    id BLOB PRIMARY KEY,
    next_seq INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL
);

CREATE TABLE devices (
    team_id BLOB NOT NULL REFERENCES teams (id),
    id BLOB NOT NULL,
    sign_key BLOB NOT NULL,
    exchange_key BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'revoked')),
    admin INTEGER NOT NULL DEFAULT 0,
    invite_id TEXT,
    enrolled_ms INTEGER NOT NULL,
    last_seen_ms INTEGER,
    revoked_ms INTEGER,
    PRIMARY KEY (team_id, id)
);

CREATE TABLE invites (
    id TEXT PRIMARY KEY,
    team_id BLOB NOT NULL REFERENCES teams (id),
    invite_key BLOB NOT NULL,
    expires_ms INTEGER NOT NULL,
    created_by BLOB NOT NULL,
    created_ms INTEGER NOT NULL,
    used_by BLOB,
    used_ms INTEGER
);

CREATE TABLE scopes (
    team_id BLOB NOT NULL REFERENCES teams (id),
    id BLOB NOT NULL,
    epoch INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL,
    PRIMARY KEY (team_id, id)
);

CREATE TABLE grants (
    team_id BLOB NOT NULL,
    scope_id BLOB NOT NULL,
    device_id BLOB NOT NULL,
    manage INTEGER NOT NULL,
    PRIMARY KEY (team_id, device_id, scope_id)
);
CREATE INDEX grants_by_scope ON grants (team_id, scope_id);

CREATE TABLE scope_drops (
    team_id BLOB NOT NULL,
    scope_id BLOB NOT NULL,
    device_id BLOB NOT NULL,
    dropped_ms INTEGER NOT NULL,
    PRIMARY KEY (team_id, device_id, scope_id)
);

CREATE TABLE envelopes (
    team_id BLOB NOT NULL REFERENCES teams (id),
    seq INTEGER NOT NULL,
    scope_id BLOB NOT NULL,
    envelope_id BLOB NOT NULL,
    device_id BLOB NOT NULL,
    body BLOB NOT NULL,
    received_ms INTEGER NOT NULL,
    PRIMARY KEY (team_id, seq),
    UNIQUE (team_id, envelope_id)
);
CREATE INDEX envelopes_by_scope ON envelopes (team_id, scope_id, seq);

CREATE TABLE request_nonces (
    device_id BLOB NOT NULL,
    nonce TEXT NOT NULL,
    seen_ms INTEGER NOT NULL,
    PRIMARY KEY (device_id, nonce)
);
CREATE INDEX request_nonces_by_time ON request_nonces (seen_ms);
