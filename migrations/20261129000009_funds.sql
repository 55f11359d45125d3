-- Pooled funds: what agencies put in (cash, or in kind at a value), budget lines, spending
-- requests and their approvals, and payments. Every movement of money is a row of the
-- ledger, which is never changed: a correction is a row with the opposite amount. Running
-- totals by line, by agency and by month are kept in the same transaction as each row, so
-- that balances are read from a handful of rows however long the ledger grows.

CREATE TABLE funds (
    id                    TEXT PRIMARY KEY NOT NULL,
    name                  TEXT NOT NULL CHECK (length(trim(name)) > 0),
    -- ISO 4217 code; amounts of this fund are minor units of it.
    currency              TEXT NOT NULL CHECK (length(currency) = 3),
    starts_on             TEXT NOT NULL,
    ends_on               TEXT NOT NULL,
    -- A request for more than this (minor units) needs a second, different approver.
    second_approval_above INTEGER NOT NULL CHECK (second_approval_above >= 0),
    created_by            TEXT NOT NULL REFERENCES members (id),
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    CHECK (starts_on <= ends_on)
);
CREATE UNIQUE INDEX funds_name ON funds (lower(name));

-- A budget line and its running totals (minor units).
CREATE TABLE fund_lines (
    id         TEXT PRIMARY KEY NOT NULL,
    fund_id    TEXT NOT NULL REFERENCES funds (id),
    name       TEXT NOT NULL CHECK (length(trim(name)) > 0),
    position   INTEGER NOT NULL,
    allocated  INTEGER NOT NULL DEFAULT 0,
    committed  INTEGER NOT NULL DEFAULT 0,
    paid       INTEGER NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL REFERENCES members (id),
    created_at TEXT NOT NULL,
    CHECK (committed >= 0 AND paid >= 0 AND allocated - committed - paid >= 0)
);
CREATE UNIQUE INDEX fund_lines_name ON fund_lines (fund_id, lower(name));

-- What each agency put in, running.
CREATE TABLE fund_agency_totals (
    fund_id   TEXT NOT NULL REFERENCES funds (id),
    agency_id TEXT NOT NULL REFERENCES agencies (id),
    cash      INTEGER NOT NULL DEFAULT 0 CHECK (cash >= 0),
    in_kind   INTEGER NOT NULL DEFAULT 0 CHECK (in_kind >= 0),
    PRIMARY KEY (fund_id, agency_id)
) WITHOUT ROWID;

-- Contributions by agency and payments by line, month by month, for the fund's charts.
CREATE TABLE fund_month_totals (
    fund_id TEXT NOT NULL REFERENCES funds (id),
    -- YYYY-MM of the day the money came in or went out.
    month   TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('cash', 'in_kind', 'paid')),
    -- The agency (cash, in kind) or the line (paid).
    key_id  TEXT NOT NULL,
    amount  INTEGER NOT NULL CHECK (typeof(amount) = 'integer'),
    PRIMARY KEY (fund_id, month, kind, key_id)
) WITHOUT ROWID;

-- A request to spend from a line, and where it stands.
CREATE TABLE fund_requests (
    id               TEXT PRIMARY KEY NOT NULL,
    fund_id          TEXT NOT NULL REFERENCES funds (id),
    -- 1, 2, 3, … within the fund, to name a request aloud.
    number           INTEGER NOT NULL,
    line_id          TEXT NOT NULL REFERENCES fund_lines (id),
    amount           INTEGER NOT NULL CHECK (amount > 0),
    purpose          TEXT NOT NULL CHECK (length(trim(purpose)) > 0),
    -- Spending for a case is seen with its purpose only by those who see the case.
    case_id          TEXT REFERENCES cases (id),
    card_id          TEXT REFERENCES cards (id),
    approvals_needed INTEGER NOT NULL CHECK (approvals_needed IN (1, 2)),
    status           TEXT NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'approved', 'rejected', 'paid', 'cancelled')),
    -- Why it was withdrawn or cancelled.
    cancel_reason    TEXT,
    requested_by     TEXT NOT NULL REFERENCES members (id),
    requested_at     TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE UNIQUE INDEX fund_requests_number ON fund_requests (fund_id, number);
CREATE INDEX fund_requests_status ON fund_requests (fund_id, status, requested_at);
CREATE INDEX fund_requests_case ON fund_requests (case_id);
CREATE INDEX fund_requests_member ON fund_requests (requested_by);

-- Each approver's decision on a request: one each, never changed.
CREATE TABLE fund_decisions (
    request_id TEXT NOT NULL REFERENCES fund_requests (id),
    member_id  TEXT NOT NULL REFERENCES members (id),
    decision   TEXT NOT NULL CHECK (decision IN ('approve', 'reject')),
    reason     TEXT,
    decided_at TEXT NOT NULL,
    PRIMARY KEY (request_id, member_id),
    CHECK (decision = 'approve' OR length(trim(reason)) > 0)
);

-- A payment's receipt, inside the encrypted vault like every attachment.
CREATE TABLE fund_receipts (
    id         TEXT PRIMARY KEY NOT NULL,
    fund_id    TEXT NOT NULL REFERENCES funds (id),
    file_name  TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size       INTEGER NOT NULL,
    sha256     TEXT NOT NULL,
    content    BLOB NOT NULL,
    added_by   TEXT NOT NULL REFERENCES members (id),
    created_at TEXT NOT NULL
);

-- The ledger. Amounts are minor units of the fund's currency; a negative amount undoes
-- (a reversal, a cancellation, money moved off a line).
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
    -- The day the money came in, moved or went out.
    on_date           TEXT NOT NULL,
    -- In kind: what was given. A reversal or a move: why.
    description       TEXT,
    -- A transfer number, a receipt number.
    reference         TEXT,
    method            TEXT CHECK (method IS NULL OR method IN ('cash', 'transfer', 'cheque', 'other')),
    -- A contribution in another currency: what was given, and the rate used.
    original_amount   INTEGER,
    original_currency TEXT,
    rate              TEXT,
    receipt_id        TEXT REFERENCES fund_receipts (id),
    reverses          TEXT REFERENCES fund_ledger (id),
    recorded_by       TEXT NOT NULL REFERENCES members (id),
    recorded_at       TEXT NOT NULL,
    CHECK ((kind = 'contribution') = (agency_id IS NOT NULL)),
    CHECK ((kind = 'contribution') = (line_id IS NULL)),
    CHECK (kind = 'contribution' OR in_kind = 0),
    CHECK ((rate IS NULL) = (original_amount IS NULL) AND (rate IS NULL) = (original_currency IS NULL))
);
CREATE INDEX fund_ledger_fund ON fund_ledger (fund_id, seq);
CREATE INDEX fund_ledger_request ON fund_ledger (request_id);
CREATE INDEX fund_ledger_receipt ON fund_ledger (receipt_id) WHERE receipt_id IS NOT NULL;
-- A row is reversed at most once.
CREATE UNIQUE INDEX fund_ledger_reverses ON fund_ledger (reverses) WHERE reverses IS NOT NULL;

CREATE TRIGGER fund_ledger_append_only_update BEFORE UPDATE ON fund_ledger
BEGIN
    SELECT RAISE(ABORT, 'the fund ledger is append-only');
END;
CREATE TRIGGER fund_ledger_append_only_delete BEFORE DELETE ON fund_ledger
BEGIN
    SELECT RAISE(ABORT, 'the fund ledger is append-only');
END;
CREATE TRIGGER fund_decisions_final_update BEFORE UPDATE ON fund_decisions
BEGIN
    SELECT RAISE(ABORT, 'a decision on a request is final');
END;
CREATE TRIGGER fund_decisions_final_delete BEFORE DELETE ON fund_decisions
BEGIN
    SELECT RAISE(ABORT, 'a decision on a request is final');
END;

-- Rights for funds join the built-in roles' sets (a lead may have adjusted them: append).
UPDATE roles SET permissions = json_insert(permissions, '$[#]', 'funds.manage')
    WHERE id = 'team_lead';
UPDATE roles SET permissions = json_insert(permissions, '$[#]', 'funds.approve')
    WHERE id = 'team_lead';
UPDATE roles SET permissions = json_insert(permissions, '$[#]', 'funds.request')
    WHERE id IN ('team_lead', 'case_worker', 'police_liaison', 'health_officer',
                 'volunteer_coordinator');
