-- Task boards: one for the team and one per case, with editable columns, and cards with
-- their assignees, checklist, labels, comments, attachments and history. A card on a case
-- is seen by those who see the case and by no one else: not its title, not that it exists.

CREATE TABLE boards (
    id         TEXT PRIMARY KEY NOT NULL,
    -- The case the board belongs to; none for the team's board.
    case_id    TEXT REFERENCES cases (id),
    created_by TEXT NOT NULL REFERENCES members (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- One board per case, and one for the team.
CREATE UNIQUE INDEX boards_case ON boards (ifnull(case_id, ''));

CREATE TABLE board_columns (
    id         TEXT PRIMARY KEY NOT NULL,
    board_id   TEXT NOT NULL REFERENCES boards (id),
    -- None for the four columns a board starts with: the app names them by their stage,
    -- in the reader's language, until the team renames them.
    name       TEXT CHECK (name IS NULL OR length(trim(name)) > 0),
    -- Where the review flow puts a card: waiting for review, returned (in progress),
    -- approved (done). Columns a team adds have none.
    stage      TEXT CHECK (stage IS NULL OR stage IN ('todo', 'in_progress', 'review', 'done')),
    position   INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    deleted_at TEXT,
    CHECK (name IS NOT NULL OR stage IS NOT NULL)
);
CREATE INDEX board_columns_board ON board_columns (board_id, position);

CREATE TABLE cards (
    id            TEXT PRIMARY KEY NOT NULL,
    board_id      TEXT NOT NULL REFERENCES boards (id),
    column_id     TEXT NOT NULL REFERENCES board_columns (id),
    -- 0, 1, 2, … within the column, with no gaps and no repeats among cards not deleted.
    position      INTEGER NOT NULL,
    -- The case the card is about (always the board's case on a case's board).
    case_id       TEXT REFERENCES cases (id),
    title         TEXT NOT NULL CHECK (length(trim(title)) > 0),
    description   TEXT,
    agency_id     TEXT REFERENCES agencies (id),
    starts_on     TEXT,
    due_on        TEXT,
    priority      TEXT NOT NULL DEFAULT 'normal'
                  CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    -- A card that needs review is done only when its reviewer (or a lead) approves it.
    reviewer_id   TEXT REFERENCES members (id),
    review        TEXT NOT NULL DEFAULT 'none'
                  CHECK (review IN ('none', 'pending', 'waiting', 'returned', 'approved')),
    signed_off_by TEXT REFERENCES members (id),
    signed_off_at TEXT,
    created_by    TEXT NOT NULL REFERENCES members (id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    deleted_at    TEXT,
    CHECK (starts_on IS NULL OR due_on IS NULL OR starts_on <= due_on),
    CHECK ((review = 'none') = (reviewer_id IS NULL))
);
CREATE INDEX cards_column ON cards (column_id, position);
CREATE INDEX cards_case ON cards (case_id);
CREATE INDEX cards_reviewer ON cards (reviewer_id, review);
CREATE INDEX cards_due ON cards (due_on);

CREATE TABLE card_assignees (
    card_id   TEXT NOT NULL REFERENCES cards (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    PRIMARY KEY (card_id, member_id)
) WITHOUT ROWID;
CREATE INDEX card_assignees_member ON card_assignees (member_id);

CREATE TABLE card_checklist (
    id       TEXT PRIMARY KEY NOT NULL,
    card_id  TEXT NOT NULL REFERENCES cards (id),
    text     TEXT NOT NULL CHECK (length(trim(text)) > 0),
    done     INTEGER NOT NULL DEFAULT 0 CHECK (done IN (0, 1)),
    position INTEGER NOT NULL
);
CREATE INDEX card_checklist_card ON card_checklist (card_id, position);

CREATE TABLE card_labels (
    card_id TEXT NOT NULL REFERENCES cards (id),
    label   TEXT NOT NULL CHECK (length(trim(label)) > 0),
    PRIMARY KEY (card_id, label)
) WITHOUT ROWID;

CREATE TABLE card_comments (
    id         TEXT PRIMARY KEY NOT NULL,
    card_id    TEXT NOT NULL REFERENCES cards (id),
    body       TEXT NOT NULL CHECK (length(trim(body)) > 0),
    author_id  TEXT NOT NULL REFERENCES members (id),
    created_at TEXT NOT NULL
);
CREATE INDEX card_comments_card ON card_comments (card_id, created_at);

CREATE TABLE card_attachments (
    id         TEXT PRIMARY KEY NOT NULL,
    card_id    TEXT NOT NULL REFERENCES cards (id),
    file_name  TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    content    BLOB NOT NULL,
    added_by   TEXT NOT NULL REFERENCES members (id),
    created_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX card_attachments_card ON card_attachments (card_id);

-- A card's history: every change, who made it and when.
CREATE TABLE card_events (
    id      TEXT PRIMARY KEY NOT NULL,
    card_id TEXT NOT NULL REFERENCES cards (id),
    kind    TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT '{}',
    actor   TEXT NOT NULL REFERENCES members (id),
    at      TEXT NOT NULL
);
CREATE INDEX card_events_card ON card_events (card_id, at);
