-- The committee's indicators read, for every case of a period, its dates, outcome and
-- concerns and its child's sex, birth and village. This laptop keeps them in one narrow
-- row per case, kept by the triggers below whichever laptop wrote the case, so that the
-- dashboard reads one table without a join (docs/BENCHMARKS.md). This laptop's own: never
-- recorded in the outbox, never sent.
DROP INDEX case_people_subject;

CREATE TABLE case_facts (
    case_id             TEXT PRIMARY KEY NOT NULL,
    created_at          TEXT NOT NULL,
    status              TEXT NOT NULL,
    closed_at           TEXT,
    outcome             TEXT,
    deleted             INTEGER NOT NULL DEFAULT 0,
    -- The bits of the case's concerns, in the order of `indicators::store::CONCERNS`.
    concerns            INTEGER NOT NULL DEFAULT 0,
    sex                 TEXT,
    birth_date          TEXT,
    birth_year_estimate INTEGER,
    village             TEXT
) WITHOUT ROWID;

INSERT INTO case_facts (case_id, created_at, status, closed_at, outcome, deleted, concerns,
        sex, birth_date, birth_year_estimate, village)
SELECT c.id, c.created_at, c.status, c.closed_at, c.outcome, c.deleted_at IS NOT NULL,
       coalesce((SELECT sum(CASE concern
        WHEN 'trafficking' THEN 1 WHEN 'sexual_abuse' THEN 2 WHEN 'rape' THEN 4
        WHEN 'sexual_harassment' THEN 8 WHEN 'labour_exploitation' THEN 16 WHEN 'neglect' THEN 32
        WHEN 'human_rights_violation' THEN 64 WHEN 'high_vulnerability' THEN 128 ELSE 0 END) FROM case_concerns k WHERE k.case_id = c.id), 0),
       p.sex, p.birth_date, p.birth_year_estimate, p.village
FROM cases c
LEFT JOIN case_people p ON p.id = (SELECT id FROM case_people
    WHERE case_id = c.id AND party = 'subject' AND deleted_at IS NULL LIMIT 1);

CREATE TRIGGER case_facts_case_added AFTER INSERT ON cases BEGIN
    INSERT OR REPLACE INTO case_facts (case_id, created_at, status, closed_at, outcome, deleted)
    VALUES (NEW.id, NEW.created_at, NEW.status, NEW.closed_at, NEW.outcome, NEW.deleted_at IS NOT NULL);
END;
CREATE TRIGGER case_facts_case_changed AFTER UPDATE ON cases BEGIN
    UPDATE case_facts SET created_at = NEW.created_at, status = NEW.status,
        closed_at = NEW.closed_at, outcome = NEW.outcome, deleted = NEW.deleted_at IS NOT NULL
    WHERE case_id = NEW.id;
END;
CREATE TRIGGER case_facts_case_gone AFTER DELETE ON cases BEGIN
    DELETE FROM case_facts WHERE case_id = OLD.id;
END;

-- The child: whichever subject row of the case is not deleted, after any change to one.
CREATE TRIGGER case_facts_child_added AFTER INSERT ON case_people WHEN NEW.party = 'subject' BEGIN
    UPDATE case_facts SET (sex, birth_date, birth_year_estimate, village) = (
        SELECT sex, birth_date, birth_year_estimate, village FROM case_people
        WHERE case_id = NEW.case_id AND party = 'subject' AND deleted_at IS NULL LIMIT 1)
    WHERE case_id = NEW.case_id;
END;
CREATE TRIGGER case_facts_child_changed AFTER UPDATE ON case_people
    WHEN NEW.party = 'subject' OR OLD.party = 'subject' BEGIN
    UPDATE case_facts SET (sex, birth_date, birth_year_estimate, village) = (
        SELECT sex, birth_date, birth_year_estimate, village FROM case_people
        WHERE case_id = NEW.case_id AND party = 'subject' AND deleted_at IS NULL LIMIT 1)
    WHERE case_id = NEW.case_id;
END;
CREATE TRIGGER case_facts_child_gone AFTER DELETE ON case_people WHEN OLD.party = 'subject' BEGIN
    UPDATE case_facts SET (sex, birth_date, birth_year_estimate, village) = (
        SELECT sex, birth_date, birth_year_estimate, village FROM case_people
        WHERE case_id = OLD.case_id AND party = 'subject' AND deleted_at IS NULL LIMIT 1)
    WHERE case_id = OLD.case_id;
END;

CREATE TRIGGER case_facts_concern_added AFTER INSERT ON case_concerns BEGIN
    UPDATE case_facts SET concerns = coalesce(
        (SELECT sum(CASE concern
        WHEN 'trafficking' THEN 1 WHEN 'sexual_abuse' THEN 2 WHEN 'rape' THEN 4
        WHEN 'sexual_harassment' THEN 8 WHEN 'labour_exploitation' THEN 16 WHEN 'neglect' THEN 32
        WHEN 'human_rights_violation' THEN 64 WHEN 'high_vulnerability' THEN 128 ELSE 0 END) FROM case_concerns WHERE case_id = NEW.case_id), 0)
    WHERE case_id = NEW.case_id;
END;
CREATE TRIGGER case_facts_concern_gone AFTER DELETE ON case_concerns BEGIN
    UPDATE case_facts SET concerns = coalesce(
        (SELECT sum(CASE concern
        WHEN 'trafficking' THEN 1 WHEN 'sexual_abuse' THEN 2 WHEN 'rape' THEN 4
        WHEN 'sexual_harassment' THEN 8 WHEN 'labour_exploitation' THEN 16 WHEN 'neglect' THEN 32
        WHEN 'human_rights_violation' THEN 64 WHEN 'high_vulnerability' THEN 128 ELSE 0 END) FROM case_concerns WHERE case_id = OLD.case_id), 0)
    WHERE case_id = OLD.case_id;
END;
