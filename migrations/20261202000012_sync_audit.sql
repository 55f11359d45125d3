-- Other laptops' audit logs, on the laptops of those who read the audit log (leads): each
-- laptop seals its new entries to each of them, in that laptop's inbox. Entries are kept
-- as their laptop wrote and chained them, one chain per laptop (`origin`: its sync device
-- id), so that each chain is checked on its own and this laptop's own never changes.
CREATE TABLE audit_remote (
    origin      TEXT NOT NULL,
    seq         INTEGER NOT NULL CHECK (seq > 0),
    id          TEXT NOT NULL,
    at          TEXT NOT NULL,
    actor       TEXT,
    action      TEXT NOT NULL,
    entity      TEXT,
    entity_id   TEXT,
    outcome     TEXT NOT NULL CHECK (outcome IN ('ok', 'refused', 'failed')),
    device      TEXT NOT NULL,
    prev_hash   TEXT NOT NULL,
    hash        TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (origin, seq)
) WITHOUT ROWID;
CREATE INDEX audit_remote_at ON audit_remote (at);
CREATE INDEX audit_remote_actor ON audit_remote (actor, at);
CREATE INDEX audit_remote_entity ON audit_remote (entity, entity_id);

-- How far this laptop's audit log has reached each reader's laptop.
CREATE TABLE sync_audit_sent (
    device_id TEXT PRIMARY KEY NOT NULL,
    seq       INTEGER NOT NULL
) WITHOUT ROWID;
