-- Committees and working groups, their meetings, who came, the agenda (topics and case
-- reviews), the decisions, and the task cards a meeting's action items became.

CREATE TABLE committees (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    kind        TEXT NOT NULL CHECK (kind IN ('committee', 'working_group')),
    frequency   TEXT NOT NULL CHECK (frequency IN ('weekly', 'fortnightly', 'monthly', 'quarterly', 'as_needed')),
    chair_id    TEXT REFERENCES members (id),
    created_by  TEXT NOT NULL REFERENCES members (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
);

CREATE TABLE committee_members (
    committee_id TEXT NOT NULL REFERENCES committees (id),
    member_id    TEXT NOT NULL REFERENCES members (id),
    PRIMARY KEY (committee_id, member_id)
);

CREATE TABLE meetings (
    id            TEXT PRIMARY KEY NOT NULL,
    committee_id  TEXT NOT NULL REFERENCES committees (id),
    -- Local time where the team is: YYYY-MM-DDTHH:MM.
    starts_at     TEXT NOT NULL,
    minutes_long  INTEGER NOT NULL CHECK (minutes_long BETWEEN 15 AND 720),
    place         TEXT NOT NULL CHECK (length(trim(place)) > 0),
    status        TEXT NOT NULL CHECK (status IN ('planned', 'held', 'cancelled')),
    -- The general minutes (a case review's are a note on its case).
    minutes       TEXT,
    created_by    TEXT NOT NULL REFERENCES members (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    deleted_at    TEXT
);
CREATE INDEX meetings_starts ON meetings (starts_at) WHERE deleted_at IS NULL;

CREATE TABLE meeting_attendees (
    meeting_id  TEXT NOT NULL REFERENCES meetings (id),
    member_id   TEXT NOT NULL REFERENCES members (id),
    attendance  TEXT NOT NULL CHECK (attendance IN ('invited', 'present', 'apologies', 'absent')),
    PRIMARY KEY (meeting_id, member_id)
);

-- An agenda item: a topic, or the review of a case (its minutes a note on the case).
CREATE TABLE meeting_items (
    id          TEXT PRIMARY KEY NOT NULL,
    meeting_id  TEXT NOT NULL REFERENCES meetings (id),
    position    INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('topic', 'case_review')),
    title       TEXT,
    case_id     TEXT,
    note_id     TEXT,
    created_at  TEXT NOT NULL,
    deleted_at  TEXT,
    CHECK ((kind = 'topic' AND title IS NOT NULL AND case_id IS NULL)
        OR (kind = 'case_review' AND case_id IS NOT NULL AND title IS NULL))
);
CREATE INDEX meeting_items_meeting ON meeting_items (meeting_id);

CREATE TABLE meeting_decisions (
    id          TEXT PRIMARY KEY NOT NULL,
    meeting_id  TEXT NOT NULL REFERENCES meetings (id),
    text        TEXT NOT NULL CHECK (length(trim(text)) > 0),
    created_by  TEXT NOT NULL REFERENCES members (id),
    created_at  TEXT NOT NULL
);
CREATE INDEX meeting_decisions_meeting ON meeting_decisions (meeting_id);

-- The meeting whose action item a card is.
ALTER TABLE cards ADD COLUMN meeting_id TEXT;
CREATE INDEX cards_meeting ON cards (meeting_id) WHERE meeting_id IS NOT NULL;
