-- Correcting and deleting what a case holds.
--
-- A note corrected by its author (or the case's lead, or a team lead) keeps each earlier
-- wording here, for the record; the audit log says who changed it. Deleted notes, people
-- and attachments keep their rows with `deleted_at` set: hidden from every answer and
-- taken out of the search index, but still in the encrypted vault.
CREATE TABLE case_note_versions (
    note_id     TEXT NOT NULL REFERENCES case_notes (id),
    body        TEXT NOT NULL,
    replaced_by TEXT NOT NULL REFERENCES members (id),
    replaced_at TEXT NOT NULL
);
CREATE INDEX case_note_versions_note ON case_note_versions (note_id);

-- The search index's rows of one note or person (to correct or remove them), and of one
-- case (to rewrite their member tokens when its members change).
CREATE INDEX case_search_keys_source ON case_search_keys (source_id);
CREATE INDEX case_search_keys_case ON case_search_keys (case_id);
