-- The relay's store on PostgreSQL. It holds ciphertext, public keys and ids; never a name,
-- a key that opens anything, or plaintext.
CREATE TABLE teams (
    id UUID PRIMARY KEY,
    next_seq BIGINT NOT NULL DEFAULT 0,
    created_ms BIGINT NOT NULL
);

CREATE TABLE devices (
    team_id UUID NOT NULL REFERENCES teams (id),
    id UUID NOT NULL,
    sign_key BYTEA NOT NULL,
    exchange_key BYTEA NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'active', 'revoked')),
    admin BOOLEAN NOT NULL DEFAULT FALSE,
    invite_id TEXT,
    enrolled_ms BIGINT NOT NULL,
    last_seen_ms BIGINT,
    revoked_ms BIGINT,
    PRIMARY KEY (team_id, id)
);

CREATE TABLE invites (
    id TEXT PRIMARY KEY,
    team_id UUID NOT NULL REFERENCES teams (id),
    invite_key BYTEA NOT NULL,
    expires_ms BIGINT NOT NULL,
    created_by UUID NOT NULL,
    created_ms BIGINT NOT NULL,
    used_by UUID,
    used_ms BIGINT
);

CREATE TABLE scopes (
    team_id UUID NOT NULL REFERENCES teams (id),
    id UUID NOT NULL,
    epoch BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL,
    PRIMARY KEY (team_id, id)
);

CREATE TABLE grants (
    team_id UUID NOT NULL,
    scope_id UUID NOT NULL,
    device_id UUID NOT NULL,
    manage BOOLEAN NOT NULL,
    PRIMARY KEY (team_id, device_id, scope_id)
);
CREATE INDEX grants_by_scope ON grants (team_id, scope_id);

CREATE TABLE scope_drops (
    team_id UUID NOT NULL,
    scope_id UUID NOT NULL,
    device_id UUID NOT NULL,
    dropped_ms BIGINT NOT NULL,
    PRIMARY KEY (team_id, device_id, scope_id)
);

CREATE TABLE envelopes (
    team_id UUID NOT NULL REFERENCES teams (id),
    seq BIGINT NOT NULL,
    scope_id UUID NOT NULL,
    envelope_id UUID NOT NULL,
    device_id UUID NOT NULL,
    body BYTEA NOT NULL,
    received_ms BIGINT NOT NULL,
    PRIMARY KEY (team_id, seq),
    UNIQUE (team_id, envelope_id)
);
CREATE INDEX envelopes_by_scope ON envelopes (team_id, scope_id, seq);

CREATE TABLE request_nonces (
    device_id UUID NOT NULL,
    nonce TEXT NOT NULL,
    seen_ms BIGINT NOT NULL,
    PRIMARY KEY (device_id, nonce)
);
CREATE INDEX request_nonces_by_time ON request_nonces (seen_ms);
