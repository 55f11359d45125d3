-- The committee's indicators (issue 15) read each case's child (sex, birth, village) for
-- every case of a period: an index that holds those columns answers without a second
-- lookup of each row.
CREATE INDEX case_people_subject ON case_people
    (case_id, sex, birth_date, birth_year_estimate, village)
    WHERE party = 'subject' AND deleted_at IS NULL;
