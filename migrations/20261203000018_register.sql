-- The community register: the volunteers who know their villages, the households they
-- survey (with the household's wellbeing indicators), the children of each household,
-- the team's rule that scores a child's vulnerability, and, on a case, the steps of a
-- child's documentation and citizenship.

-- A volunteer of a village; a member of the team or not.
CREATE TABLE volunteers (
    id          TEXT PRIMARY KEY NOT NULL,
    name        TEXT NOT NULL CHECK (length(trim(name)) > 0),
    member_id   TEXT REFERENCES members (id),
    village_id  TEXT NOT NULL REFERENCES villages (id),
    phone       TEXT,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_by  TEXT NOT NULL REFERENCES members (id),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    deleted_at  TEXT
);
CREATE INDEX volunteers_village ON volunteers (village_id) WHERE deleted_at IS NULL;

-- The trainings a volunteer attended, with the day of each.
CREATE TABLE volunteer_trainings (
    volunteer_id TEXT NOT NULL REFERENCES volunteers (id),
    title        TEXT NOT NULL,
    held_on      TEXT NOT NULL,
    PRIMARY KEY (volunteer_id, title, held_on)
);

-- A household as a volunteer surveyed it: its wellbeing indicators on the survey's day.
CREATE TABLE households (
    id             TEXT PRIMARY KEY NOT NULL,
    village_id     TEXT NOT NULL REFERENCES villages (id),
    -- The house number or the name the village knows it by.
    label          TEXT NOT NULL CHECK (length(trim(label)) > 0),
    surveyed_on    TEXT NOT NULL,
    volunteer_id   TEXT REFERENCES volunteers (id),
    income_band    TEXT NOT NULL CHECK (income_band IN ('below_poverty', 'low', 'sufficient', 'unknown')),
    -- Parents working away from home, or migrated.
    parents_away   TEXT NOT NULL CHECK (parents_away IN ('none', 'one', 'both')),
    debt           INTEGER NOT NULL CHECK (debt IN (0, 1)),
    disability     INTEGER NOT NULL CHECK (disability IN (0, 1)),
    health_care    INTEGER NOT NULL CHECK (health_care IN (0, 1)),
    other_risks    TEXT,
    created_by     TEXT NOT NULL REFERENCES members (id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT
);
CREATE UNIQUE INDEX households_label ON households (village_id, label) WHERE deleted_at IS NULL;

-- A child of a surveyed household.
CREATE TABLE register_children (
    id             TEXT PRIMARY KEY NOT NULL,
    household_id   TEXT NOT NULL REFERENCES households (id),
    -- The household's village, kept here too: one child of a name and birth date a village.
    village_id     TEXT NOT NULL REFERENCES villages (id),
    name           TEXT NOT NULL CHECK (length(trim(name)) > 0),
    sex            TEXT NOT NULL CHECK (sex IN ('female', 'male', 'other', 'unknown')),
    birth_date     TEXT NOT NULL,
    school         TEXT NOT NULL CHECK (school IN ('attending', 'not_attending', 'not_school_age')),
    documentation  TEXT NOT NULL CHECK (documentation IN ('thai_id', 'other_id', 'stateless', 'unknown', 'in_process')),
    lives_with     TEXT NOT NULL CHECK (lives_with IN ('both_parents', 'one_parent', 'grandparents', 'relatives', 'other', 'alone')),
    -- The case opened for the child, once one is.
    case_id        TEXT,
    created_by     TEXT NOT NULL REFERENCES members (id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT
);
CREATE UNIQUE INDEX register_children_once ON register_children (village_id, name, birth_date)
    WHERE deleted_at IS NULL;
CREATE INDEX register_children_household ON register_children (household_id);
CREATE INDEX register_children_case ON register_children (case_id) WHERE case_id IS NOT NULL;

-- The team's rule: the points each indicator adds to a child's score, and the score from
-- which a child is flagged. One row, once someone changes the documented defaults.
CREATE TABLE register_rule (
    id          TEXT PRIMARY KEY NOT NULL CHECK (id = 'rule'),
    points      TEXT NOT NULL,
    threshold   INTEGER NOT NULL CHECK (threshold BETWEEN 1 AND 200),
    updated_by  TEXT REFERENCES members (id),
    updated_at  TEXT NOT NULL
);

-- The steps of a child's documentation and citizenship, on the child's case.
CREATE TABLE documentation_steps (
    id              TEXT PRIMARY KEY NOT NULL,
    case_id         TEXT NOT NULL REFERENCES cases (id),
    kind            TEXT NOT NULL CHECK (kind IN ('birth_registration', 'dna_test', 'registrar_application', 'hearing', 'decision')),
    status          TEXT NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'refused', 'not_needed')),
    happened_on     TEXT,
    documents       TEXT,
    -- The spending request that paid its fees, from one of the team's funds.
    fee_request_id  TEXT,
    created_by      TEXT NOT NULL REFERENCES members (id),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    deleted_at      TEXT
);
CREATE INDEX documentation_steps_case ON documentation_steps (case_id) WHERE deleted_at IS NULL;
