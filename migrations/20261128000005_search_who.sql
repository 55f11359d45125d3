-- Search keeps to a member's own cases inside the index. Each indexed text also carries,
-- in a `who` column, a three-character token for every current member of its case, so a
-- member who is not a lead searches `text : "..." AND who : "<their token>"` and the index
-- reads only rows of their cases, instead of walking every match in the vault and
-- dropping those of other cases. The token is made from the random last twelve hex digits
-- of the member's id, one character of the Unicode private-use plane 16 per four digits
-- (no text a person types is in that plane; a trigram across a space is never a token).
-- The SQL conditions on membership and sections still decide what is shown: the token only
-- narrows the walk. (The same expressions are in `cases::store`; a test holds them equal.)
DROP TABLE case_search;
CREATE VIRTUAL TABLE case_search USING fts5 (
    text,
    who,
    content = '',
    contentless_delete = 1,
    tokenize = 'trigram remove_diacritics 1'
);
INSERT INTO case_search (rowid, text, who)
    SELECT k.rowid,
           CASE k.source WHEN 'note' THEN (SELECT body FROM case_notes WHERE id = k.source_id) ELSE (SELECT name || coalesce(' ' || alias, '') FROM case_people WHERE id = k.source_id) END,
           (SELECT coalesce(group_concat(char(1048576 + (instr('0123456789abcdef', substr(cm.member_id, 25, 1)) - 1) * 4096 + (instr('0123456789abcdef', substr(cm.member_id, 26, 1)) - 1) * 256 + (instr('0123456789abcdef', substr(cm.member_id, 27, 1)) - 1) * 16 + (instr('0123456789abcdef', substr(cm.member_id, 28, 1)) - 1) * 1, 1048576 + (instr('0123456789abcdef', substr(cm.member_id, 29, 1)) - 1) * 4096 + (instr('0123456789abcdef', substr(cm.member_id, 30, 1)) - 1) * 256 + (instr('0123456789abcdef', substr(cm.member_id, 31, 1)) - 1) * 16 + (instr('0123456789abcdef', substr(cm.member_id, 32, 1)) - 1) * 1, 1048576 + (instr('0123456789abcdef', substr(cm.member_id, 33, 1)) - 1) * 4096 + (instr('0123456789abcdef', substr(cm.member_id, 34, 1)) - 1) * 256 + (instr('0123456789abcdef', substr(cm.member_id, 35, 1)) - 1) * 16 + (instr('0123456789abcdef', substr(cm.member_id, 36, 1)) - 1) * 1), ' '), '') FROM case_members cm WHERE cm.case_id = k.case_id AND cm.removed_at IS NULL)
    FROM case_search_keys k;
