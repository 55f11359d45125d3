-- Backups (issue 15): this laptop's plan and the slots that open its backups.
-- Both are this laptop's own: never recorded in the outbox, never sent.

-- One row: where the daily backup goes, how many are kept, and the last one made.
CREATE TABLE backup_plan (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    folder TEXT,
    keep INTEGER NOT NULL DEFAULT 7 CHECK (keep BETWEEN 1 AND 60),
    daily INTEGER NOT NULL DEFAULT 0 CHECK (daily IN (0, 1)),
    last_at TEXT,
    last_file TEXT,
    last_bytes INTEGER,
    -- The error code of the last scheduled backup that failed, cleared by the next success.
    last_error TEXT
);
INSERT INTO backup_plan (id) VALUES (1);

-- A lead's passphrase slot for backups (JSON, see backup/keys.rs): the data key wrapped
-- under the passphrase alone, copied into each backup's header.
CREATE TABLE backup_slots (
    member_id TEXT PRIMARY KEY REFERENCES members (id),
    slot TEXT NOT NULL,
    made_at TEXT NOT NULL
);
