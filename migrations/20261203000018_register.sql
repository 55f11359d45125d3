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
    -- The score by the team's rule (`register_scores`), kept by the triggers below: this
    -- laptop's own, never sent.
    score          INTEGER,
    created_by     TEXT NOT NULL REFERENCES members (id),
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    deleted_at     TEXT
);
CREATE UNIQUE INDEX register_children_once ON register_children (village_id, name, birth_date)
    WHERE deleted_at IS NULL;
CREATE INDEX register_children_household ON register_children (household_id);
CREATE INDEX register_children_case ON register_children (case_id) WHERE case_id IS NOT NULL;
-- The register as it is read: the most vulnerable first, with what it is filtered by.
CREATE INDEX register_children_rank ON register_children
    (score DESC, name, id, village_id, documentation, school) WHERE deleted_at IS NULL;
CREATE INDEX register_children_village_rank ON register_children
    (village_id, score DESC, name, id) WHERE deleted_at IS NULL;

-- The team's rule: the points each indicator adds to a child's score, and the score from
-- which a child is flagged. One row.
CREATE TABLE register_rule (
    id          TEXT PRIMARY KEY NOT NULL CHECK (id = 'rule'),
    points      TEXT NOT NULL,
    threshold   INTEGER NOT NULL CHECK (threshold BETWEEN 1 AND 200),
    updated_by  TEXT REFERENCES members (id),
    updated_at  TEXT NOT NULL
);

-- The documented defaults (`community::rule`), on every laptop from the start; a change
-- travels as a change of this row.
INSERT INTO register_rule (id, points, threshold, updated_by, updated_at)
    VALUES ('rule', '{"incomeBelowPoverty":3,"incomeLow":1,"oneParentAway":2,"bothParentsAway":3,"debt":2,"disability":2,"noHealthCare":2,"otherRisks":1,"notInSchool":3,"stateless":3,"documentationUnknown":2,"documentationInProcess":1,"withOneParent":1,"withGrandparents":1,"withRelatives":2,"withOthers":2,"alone":3}', 8, NULL,
            '1970-01-01T00:00:00.000Z');

-- A child's score: the points the rule gives their household's indicators and their own.
-- The one place the rule is applied.
CREATE VIEW register_scores AS
SELECT c.id AS child_id,
       CASE h.income_band WHEN 'below_poverty' THEN json_extract(r.points, '$.incomeBelowPoverty')
                          WHEN 'low' THEN json_extract(r.points, '$.incomeLow') ELSE 0 END
     + CASE h.parents_away WHEN 'one' THEN json_extract(r.points, '$.oneParentAway')
                           WHEN 'both' THEN json_extract(r.points, '$.bothParentsAway') ELSE 0 END
     + h.debt * json_extract(r.points, '$.debt')
     + h.disability * json_extract(r.points, '$.disability')
     + (1 - h.health_care) * json_extract(r.points, '$.noHealthCare')
     + (h.other_risks IS NOT NULL) * json_extract(r.points, '$.otherRisks')
     + (c.school = 'not_attending') * json_extract(r.points, '$.notInSchool')
     + CASE c.documentation WHEN 'stateless' THEN json_extract(r.points, '$.stateless')
                            WHEN 'unknown' THEN json_extract(r.points, '$.documentationUnknown')
                            WHEN 'in_process' THEN json_extract(r.points, '$.documentationInProcess') ELSE 0 END
     + CASE c.lives_with WHEN 'one_parent' THEN json_extract(r.points, '$.withOneParent')
                         WHEN 'grandparents' THEN json_extract(r.points, '$.withGrandparents')
                         WHEN 'relatives' THEN json_extract(r.points, '$.withRelatives')
                         WHEN 'other' THEN json_extract(r.points, '$.withOthers')
                         WHEN 'alone' THEN json_extract(r.points, '$.alone') ELSE 0 END AS score
FROM register_children c
JOIN households h ON h.id = c.household_id
JOIN register_rule r ON r.id = 'rule';

-- Scores follow every change, from this laptop or another: a child's own, their
-- household's, the rule's.
CREATE TRIGGER register_children_scored AFTER INSERT ON register_children BEGIN
    UPDATE register_children SET score =
        (SELECT score FROM register_scores WHERE child_id = NEW.id) WHERE id = NEW.id;
END;
CREATE TRIGGER register_children_rescored
    AFTER UPDATE OF household_id, school, documentation, lives_with ON register_children BEGIN
    UPDATE register_children SET score =
        (SELECT score FROM register_scores WHERE child_id = NEW.id) WHERE id = NEW.id;
END;
CREATE TRIGGER households_scored AFTER INSERT ON households BEGIN
    UPDATE register_children SET score =
        (SELECT score FROM register_scores s WHERE s.child_id = register_children.id)
        WHERE household_id = NEW.id;
END;
CREATE TRIGGER households_rescored
    AFTER UPDATE OF income_band, parents_away, debt, disability, health_care, other_risks
    ON households BEGIN
    UPDATE register_children SET score =
        (SELECT score FROM register_scores s WHERE s.child_id = register_children.id)
        WHERE household_id = NEW.id;
END;
CREATE TRIGGER register_rule_rescored AFTER UPDATE OF points ON register_rule BEGIN
    UPDATE register_children SET score =
        (SELECT score FROM register_scores s WHERE s.child_id = register_children.id);
END;

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
