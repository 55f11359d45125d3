-- The audit log: who did or saw what, when. Never the sensitive content itself.
-- Each entry's hash is SHA-256 over the previous entry's hash and this entry's canonical
-- bytes, so an edited, deleted, reordered or inserted entry breaks the chain.

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY NOT NULL CHECK (seq > 0),
    id        TEXT NOT NULL UNIQUE,
    at        TEXT NOT NULL,
    actor     TEXT,
    action    TEXT NOT NULL,
    entity    TEXT,
    entity_id TEXT,
    outcome   TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
    device    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
CREATE INDEX audit_log_entity ON audit_log (entity, entity_id);
