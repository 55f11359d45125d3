-- Files travel between laptops: attachments of cases and cards, and receipts. A file's
-- bytes go in parts (each well under an envelope's limit) ahead of the row that names it,
-- in the same scope; the parts wait here until all have arrived, then the row goes in with
-- its bytes, checked against the SHA-256 it gives, and the parts are let go.
CREATE TABLE sync_blob_parts (
    -- The entity and row whose bytes these are.
    owner       TEXT NOT NULL,
    owner_id    TEXT NOT NULL,
    part        INTEGER NOT NULL CHECK (part >= 0),
    parts       INTEGER NOT NULL CHECK (parts > 0 AND part < parts),
    -- The scope they came in: a case's (for dropping a case's) and its section.
    case_id     TEXT,
    section     TEXT,
    data        BLOB NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (owner, owner_id, part)
);
CREATE INDEX sync_blob_parts_case ON sync_blob_parts (case_id) WHERE case_id IS NOT NULL;

-- A receipt for a case's spending travels with the case.
ALTER TABLE fund_receipts ADD COLUMN case_id TEXT REFERENCES cases (id);
UPDATE fund_receipts SET case_id = (
    SELECT d.case_id FROM fund_ledger l JOIN fund_request_details d ON d.id = l.request_id
    WHERE l.receipt_id = fund_receipts.id LIMIT 1);

-- What was written before files travelled goes at the next round.
UPDATE changes SET synced = 0
    WHERE entity IN ('case_attachment', 'card_attachment', 'fund_receipt');
