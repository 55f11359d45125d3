-- Another laptop's row changes that could not be applied here because they break a rule
-- of this laptop's records (a sign-in name another member has here, a row they refer to
-- that is not here): held, not applied, not lost. Each round tries them again (a row's
-- held changes together); a lead sees why they wait.
CREATE TABLE sync_held (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    hlc       TEXT NOT NULL,
    -- The row change as it arrived (JSON).
    change    TEXT NOT NULL,
    -- Which rule: unique, reference, check, required.
    reason    TEXT NOT NULL,
    held_at   TEXT NOT NULL
);
CREATE INDEX sync_held_row ON sync_held (entity, entity_id);
