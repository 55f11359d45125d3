-- Pooled funds travel between laptops: the team's part of each row in the team scope, a
-- case's spending detail in the case's.
--
-- A request keeps in `fund_requests` what every member sees (fund, line, amount, number,
-- status) and whether it is for a case; its purpose, case, task and the reason it was
-- cancelled move to `fund_request_details`, whose row travels with the case when there is
-- one. A laptop of a member who is not on the case holds the request without them.
--
-- Numbers are given on each laptop, offline too: two laptops may give the same one, so it
-- names a request aloud beside who asked, and is no longer unique.
--
-- A decision gets an id of its own (request and member), as sync names rows by one id.
-- A ledger row's receipt is no longer a reference the vault enforces: a receipt of a case's
-- spending travels with the case, the row with the team.

-- Each table is rebuilt under its own name: the old one is renamed aside, the new one made
-- and filled, the old one dropped. The tables that refer to a rebuilt one are rebuilt after
-- it (the rename takes their references along), or made new here.
PRAGMA defer_foreign_keys = ON;

ALTER TABLE fund_requests RENAME TO fund_requests_old;
CREATE TABLE fund_requests (
    id               TEXT PRIMARY KEY NOT NULL,
    fund_id          TEXT NOT NULL REFERENCES funds (id),
    number           INTEGER NOT NULL,
    line_id          TEXT NOT NULL REFERENCES fund_lines (id),
    amount           INTEGER NOT NULL CHECK (amount > 0),
    for_case         INTEGER NOT NULL DEFAULT 0 CHECK (for_case IN (0, 1)),
    approvals_needed INTEGER NOT NULL CHECK (approvals_needed IN (1, 2)),
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'approved', 'rejected', 'paid', 'cancelled')),
    requested_by     TEXT NOT NULL REFERENCES members (id),
    requested_at     TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

CREATE TABLE fund_request_details (
    id            TEXT PRIMARY KEY NOT NULL REFERENCES fund_requests (id),
    purpose       TEXT NOT NULL CHECK (length(trim(purpose)) > 0),
    case_id       TEXT REFERENCES cases (id),
    card_id       TEXT REFERENCES cards (id),
    cancel_reason TEXT
);
CREATE INDEX fund_request_details_case ON fund_request_details (case_id)
    WHERE case_id IS NOT NULL;
CREATE INDEX fund_request_details_card ON fund_request_details (card_id)
    WHERE card_id IS NOT NULL;

INSERT INTO fund_requests (id, fund_id, number, line_id, amount, for_case,
        approvals_needed, status, requested_by, requested_at, updated_at)
    SELECT r.id, r.fund_id, r.number, r.line_id, r.amount,
           (r.case_id IS NOT NULL
            OR EXISTS (SELECT 1 FROM cards c WHERE c.id = r.card_id
                       AND (c.case_id IS NOT NULL
                            OR c.board_id IN (SELECT id FROM boards WHERE case_id IS NOT NULL)))),
           r.approvals_needed, r.status, r.requested_by, r.requested_at, r.updated_at
    FROM fund_requests_old r;
INSERT INTO fund_request_details (id, purpose, case_id, card_id, cancel_reason)
    SELECT id, purpose, case_id, card_id, cancel_reason FROM fund_requests_old;

ALTER TABLE fund_decisions RENAME TO fund_decisions_old;
CREATE TABLE fund_decisions (
    id         TEXT PRIMARY KEY NOT NULL,
    request_id TEXT NOT NULL REFERENCES fund_requests (id),
    member_id  TEXT NOT NULL REFERENCES members (id),
    decision   TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    reason     TEXT,
    decided_at TEXT NOT NULL,
    UNIQUE (request_id, member_id),
    CHECK (id = request_id || ':' || member_id),
    CHECK (decision = 'approve' OR length(trim(reason)) > 0)
);
INSERT INTO fund_decisions (id, request_id, member_id, decision, reason, decided_at)
    SELECT request_id || ':' || member_id, request_id, member_id, decision, reason, decided_at
    FROM fund_decisions_old ORDER BY rowid;

ALTER TABLE fund_ledger RENAME TO fund_ledger_old;
CREATE TABLE fund_ledger (
    seq               INTEGER PRIMARY KEY AUTOINCREMENT,
    id                TEXT NOT NULL UNIQUE,
    fund_id           TEXT NOT NULL REFERENCES funds (id),
    kind              TEXT NOT NULL
                      CHECK (kind IN ('contribution', 'allocation', 'commitment', 'payment')),
    amount            INTEGER NOT NULL CHECK (amount != 0),
    agency_id         TEXT REFERENCES agencies (id),
    in_kind           INTEGER NOT NULL DEFAULT 0 CHECK (in_kind IN (0, 1)),
    line_id           TEXT REFERENCES fund_lines (id),
    request_id        TEXT REFERENCES fund_requests (id),
    on_date           TEXT NOT NULL,
    description       TEXT,
    reference         TEXT,
    method            TEXT CHECK (method IS NULL OR method IN ('cash', 'transfer', 'cheque', 'other')),
    original_amount   INTEGER,
    original_currency TEXT,
    rate              TEXT,
    -- A receipt in `fund_receipts`, when this laptop holds it.
    receipt_id        TEXT,
    reverses          TEXT REFERENCES fund_ledger (id),
    recorded_by       TEXT NOT NULL REFERENCES members (id),
    recorded_at       TEXT NOT NULL,
    CHECK ((kind = 'contribution') = (agency_id IS NOT NULL)),
    CHECK ((kind = 'contribution') = (line_id IS NULL)),
    CHECK (kind = 'contribution' OR in_kind = 0),
    CHECK ((rate IS NULL) = (original_amount IS NULL) AND (rate IS NULL) = (original_currency IS NULL))
);
INSERT INTO fund_ledger SELECT seq, id, fund_id, kind, amount, agency_id, in_kind, line_id,
        request_id, on_date, description, reference, method, original_amount,
        original_currency, rate, receipt_id, reverses, recorded_by, recorded_at
    FROM fund_ledger_old ORDER BY seq;
-- The old tables go, those that referred to others first; their indexes and triggers go
-- with them, and the new tables get their own.
DROP TABLE fund_ledger_old;
DROP TABLE fund_decisions_old;
DROP TABLE fund_requests_old;
CREATE INDEX fund_requests_number ON fund_requests (fund_id, number);
CREATE INDEX fund_requests_status ON fund_requests (fund_id, status, requested_at);
CREATE INDEX fund_requests_member ON fund_requests (requested_by);
CREATE TRIGGER fund_decisions_final_update BEFORE UPDATE ON fund_decisions
BEGIN
    SELECT RAISE(ABORT, 'a decision on a request is final');
END;
CREATE TRIGGER fund_decisions_final_delete BEFORE DELETE ON fund_decisions
BEGIN
    SELECT RAISE(ABORT, 'a decision on a request is final');
END;
CREATE INDEX fund_ledger_fund ON fund_ledger (fund_id, seq);
CREATE INDEX fund_ledger_request ON fund_ledger (request_id);
CREATE INDEX fund_ledger_receipt ON fund_ledger (receipt_id) WHERE receipt_id IS NOT NULL;
CREATE UNIQUE INDEX fund_ledger_reverses ON fund_ledger (reverses) WHERE reverses IS NOT NULL;
CREATE TRIGGER fund_ledger_append_only_update BEFORE UPDATE ON fund_ledger
BEGIN
    SELECT RAISE(ABORT, 'the fund ledger is append-only');
END;
CREATE TRIGGER fund_ledger_append_only_delete BEFORE DELETE ON fund_ledger
BEGIN
    SELECT RAISE(ABORT, 'the fund ledger is append-only');
END;

-- What the funds wrote before they travelled goes at the next round.
UPDATE changes SET synced = 0
    WHERE entity IN ('fund', 'fund_line', 'fund_ledger', 'fund_request', 'fund_decision');
