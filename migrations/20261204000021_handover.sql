-- Staff turnover (issue 15): whatever a leaving member holds is handed to another, with a
-- note for the member taking over. A case's note is a note on the case and a task's is in
-- its timeline; a spending request and a committee keep theirs beside them.

-- Who now follows a request up (withdraws it, sees it as theirs) when the member who asked
-- for it has left; none while it is still the one who asked. `requested_by` stays theirs.
ALTER TABLE fund_requests ADD COLUMN held_by TEXT REFERENCES members (id);
-- With the request's purpose: it travels with the case when the request is for one.
ALTER TABLE fund_request_details ADD COLUMN handover_note TEXT;

ALTER TABLE committees ADD COLUMN handover_note TEXT;
