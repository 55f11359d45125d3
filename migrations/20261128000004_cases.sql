-- Case files: the case, the people in it, its concerns, its members (need to know), notes
-- by section, attachments (inside the encrypted vault), referrals, consent, the events
-- of its timeline, and a trigram full-text index (Thai has no spaces between words).

CREATE TABLE cases (
    id                    TEXT PRIMARY KEY NOT NULL,
    status                TEXT NOT NULL DEFAULT 'intake'
                          CHECK (status IN ('intake', 'assessment', 'plan', 'in_progress', 'closed')),
    risk                  TEXT NOT NULL CHECK (risk IN ('low', 'medium', 'high')),
    level                 TEXT NOT NULL CHECK (level IN ('village', 'district', 'province')),
    outcome               TEXT CHECK (outcome IS NULL OR outcome IN ('resolved_district',
                              'referred_province', 'referred_agency', 'transferred',
                              'no_further_action')),
    -- A closure asked for by a member without the right to approve it, waiting for a lead.
    close_requested_outcome TEXT CHECK (close_requested_outcome IS NULL OR close_requested_outcome IN (
                              'resolved_district', 'referred_province', 'referred_agency',
                              'transferred', 'no_further_action')),
    close_requested_by    TEXT REFERENCES members (id),
    close_requested_at    TEXT,
    closed_by             TEXT REFERENCES members (id),
    closed_at             TEXT,
    created_by            TEXT NOT NULL REFERENCES members (id),
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    deleted_at            TEXT,
    CHECK ((status = 'closed') = (outcome IS NOT NULL))
);
CREATE INDEX cases_status ON cases (status, updated_at);

CREATE TABLE case_concerns (
    case_id TEXT NOT NULL REFERENCES cases (id),
    concern TEXT NOT NULL CHECK (concern IN ('trafficking', 'sexual_abuse', 'rape',
                'sexual_harassment', 'labour_exploitation', 'neglect',
                'human_rights_violation', 'high_vulnerability')),
    PRIMARY KEY (case_id, concern)
);

-- The child or victim (party 'subject') and the other parties.
CREATE TABLE case_people (
    id                  TEXT PRIMARY KEY NOT NULL,
    case_id             TEXT NOT NULL REFERENCES cases (id),
    party               TEXT NOT NULL CHECK (party IN ('subject', 'alleged_perpetrator',
                            'guardian', 'witness', 'other')),
    relation            TEXT,
    name                TEXT NOT NULL CHECK (length(trim(name)) > 0),
    alias               TEXT,
    sex                 TEXT NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    birth_date          TEXT,
    birth_year_estimate INTEGER,
    nationality         TEXT,
    documentation       TEXT NOT NULL CHECK (documentation IN ('thai_id', 'other_id',
                            'stateless', 'unknown', 'in_process')),
    languages           TEXT,
    village             TEXT,
    contact             TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    deleted_at          TEXT
);
CREATE INDEX case_people_case ON case_people (case_id, party);
-- Possible duplicates: the same name and birth year.
CREATE INDEX case_people_name ON case_people (lower(name), birth_year_estimate);

CREATE TABLE case_members (
    case_id        TEXT NOT NULL REFERENCES cases (id),
    member_id      TEXT NOT NULL REFERENCES members (id),
    responsibility TEXT NOT NULL CHECK (responsibility IN ('lead', 'support', 'review')),
    added_by       TEXT NOT NULL REFERENCES members (id),
    added_at       TEXT NOT NULL,
    removed_at     TEXT,
    PRIMARY KEY (case_id, member_id)
);
CREATE INDEX case_members_member ON case_members (member_id, removed_at);

CREATE TABLE case_notes (
    id         TEXT PRIMARY KEY NOT NULL,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    section    TEXT NOT NULL CHECK (section IN ('social', 'police', 'health', 'general')),
    body       TEXT NOT NULL CHECK (length(trim(body)) > 0),
    author_id  TEXT NOT NULL REFERENCES members (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX case_notes_case ON case_notes (case_id, section, created_at);

-- Attachments are kept inside the encrypted database, never as files of their own.
CREATE TABLE case_attachments (
    id         TEXT PRIMARY KEY NOT NULL,
    case_id    TEXT NOT NULL REFERENCES cases (id),
    section    TEXT NOT NULL CHECK (section IN ('social', 'police', 'health', 'general')),
    file_name  TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size       INTEGER NOT NULL CHECK (size > 0),
    sha256     TEXT NOT NULL,
    content    BLOB NOT NULL,
    added_by   TEXT NOT NULL REFERENCES members (id),
    created_at TEXT NOT NULL,
    deleted_at TEXT
);
CREATE INDEX case_attachments_case ON case_attachments (case_id, section);

CREATE TABLE case_referrals (
    id                      TEXT PRIMARY KEY NOT NULL,
    case_id                 TEXT NOT NULL REFERENCES cases (id),
    -- Its reason and outcome can be as sensitive as a note: they go to this section's audience.
    section                 TEXT NOT NULL DEFAULT 'general'
                            CHECK (section IN ('social', 'police', 'health', 'general')),
    from_level              TEXT NOT NULL CHECK (from_level IN ('village', 'district', 'province')),
    from_agency_id          TEXT REFERENCES agencies (id),
    to_level                TEXT NOT NULL CHECK (to_level IN ('village', 'district', 'province')),
    to_agency_id            TEXT REFERENCES agencies (id),
    reason                  TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    referred_on             TEXT NOT NULL,
    status                  TEXT NOT NULL CHECK (status IN ('sent', 'accepted', 'declined', 'done')),
    outcome                 TEXT,
    -- Set when a lead sent it without the person's consent to share with that agency.
    consent_override_reason TEXT,
    created_by              TEXT NOT NULL REFERENCES members (id),
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
);
CREATE INDEX case_referrals_case ON case_referrals (case_id, referred_on);

CREATE TABLE case_consents (
    id              TEXT PRIMARY KEY NOT NULL,
    case_id         TEXT NOT NULL REFERENCES cases (id),
    given_by        TEXT NOT NULL CHECK (given_by IN ('person', 'guardian')),
    services        INTEGER NOT NULL CHECK (services IN (0, 1)),
    reporting       INTEGER NOT NULL CHECK (reporting IN (0, 1)),
    -- A JSON array of agency ids the person agreed their information may go to.
    share_with      TEXT NOT NULL,
    given_on        TEXT NOT NULL,
    recorded_by     TEXT NOT NULL REFERENCES members (id),
    created_at      TEXT NOT NULL
);
CREATE INDEX case_consents_case ON case_consents (case_id, given_on);

-- What the timeline shows besides notes and referrals: status changes, closures.
CREATE TABLE case_events (
    id        TEXT PRIMARY KEY NOT NULL,
    case_id   TEXT NOT NULL REFERENCES cases (id),
    kind      TEXT NOT NULL,
    detail    TEXT NOT NULL,
    actor     TEXT REFERENCES members (id),
    at        TEXT NOT NULL
);
CREATE INDEX case_events_case ON case_events (case_id, at);

-- Full-text search over names and notes. The index holds no copy of the text
-- (contentless); each of its rows is described in `case_search_keys` (same rowid): its
-- case and section, so that a search keeps to what the asker may see by reading narrow
-- rows, and where the text is, for the snippet.
CREATE VIRTUAL TABLE case_search USING fts5 (
    text,
    content = '',
    contentless_delete = 1,
    tokenize = 'trigram remove_diacritics 1'
);
CREATE TABLE case_search_keys (
    rowid     INTEGER PRIMARY KEY,
    case_id   TEXT NOT NULL,
    section   TEXT NOT NULL,
    source    TEXT NOT NULL CHECK (source IN ('person', 'note')),
    source_id TEXT NOT NULL
);

-- Rights for cases join the built-in roles' sets (a lead may have adjusted them: append).
UPDATE roles SET permissions = json_insert(permissions, '$[#]', 'cases.create')
    WHERE id IN ('team_lead', 'case_worker', 'volunteer_coordinator');
UPDATE roles SET permissions = json_insert(permissions, '$[#]', 'cases.oversee')
    WHERE id = 'team_lead';
UPDATE roles SET permissions = json_insert(permissions, '$[#]', 'cases.approve')
    WHERE id = 'team_lead';
