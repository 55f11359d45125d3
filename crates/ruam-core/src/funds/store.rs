//! Funds in the vault: funds and lines, the ledger with its running totals, requests and
//! decisions. Every row of the ledger goes through [`append`], which checks the movement
//! against the running totals ([`Totals::apply`]) before anything is written, writes the
//! row and its outbox entry, and brings the totals up to date in the same transaction.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::SqliteConnection;

use super::ledger::{AgencyTotals, LineTotals, Movement, Totals};
use super::money::{Currency, Money};
use crate::outbox::{now_utc, Op, Outbox};
use crate::{Error, Result};

/// An amount as the window shows it: minor units (as text, so that no JavaScript number
/// rounds them) and the amount written out with its currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Amount {
    pub minor: String,
    /// `1,250.50 THB`.
    pub text: String,
}

impl Amount {
    pub fn of(minor: i64, currency: Currency) -> Self {
        Self {
            minor: minor.to_string(),
            text: Money::from_minor(minor, currency).to_string(),
        }
    }
}

/// A fund as stored.
#[derive(Debug, Clone)]
pub struct FundRow {
    pub id: String,
    pub name: String,
    pub currency: Currency,
    pub starts_on: String,
    pub ends_on: String,
    /// Minor units; a request for more needs two approvers.
    pub second_approval_above: i64,
}

type FundTuple = (String, String, String, String, String, i64);

fn fund_from(row: FundTuple) -> Result<FundRow> {
    let (id, name, currency, starts_on, ends_on, second_approval_above) = row;
    Ok(FundRow {
        currency: Currency::parse("currency", &currency)?,
        id,
        name,
        starts_on,
        ends_on,
        second_approval_above,
    })
}

const FUND_SELECT: &str =
    "SELECT id, name, currency, starts_on, ends_on, second_approval_above FROM funds";

pub async fn fund(conn: &mut SqliteConnection, id: &str) -> Result<FundRow> {
    let row: Option<FundTuple> = sqlx::query_as(&format!("{FUND_SELECT} WHERE id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    fund_from(row.ok_or(Error::NotFound("the fund"))?)
}

pub async fn funds(conn: &mut SqliteConnection) -> Result<Vec<FundRow>> {
    let rows: Vec<FundTuple> =
        sqlx::query_as(&format!("{FUND_SELECT} ORDER BY starts_on DESC, name"))
            .fetch_all(&mut *conn)
            .await?;
    rows.into_iter().map(fund_from).collect()
}

/// A fund's running totals, as kept beside the ledger.
pub async fn load_totals(conn: &mut SqliteConnection, fund_id: &str) -> Result<Totals> {
    let lines: Vec<(String, i64, i64, i64)> =
        sqlx::query_as("SELECT id, allocated, committed, paid FROM fund_lines WHERE fund_id = ?")
            .bind(fund_id)
            .fetch_all(&mut *conn)
            .await?;
    let agencies: Vec<(String, i64, i64)> =
        sqlx::query_as("SELECT agency_id, cash, in_kind FROM fund_agency_totals WHERE fund_id = ?")
            .bind(fund_id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(Totals {
        lines: lines
            .into_iter()
            .map(|(id, allocated, committed, paid)| {
                (
                    id,
                    LineTotals {
                        allocated,
                        committed,
                        paid,
                    },
                )
            })
            .collect(),
        agencies: agencies
            .into_iter()
            .map(|(id, cash, in_kind)| (id, AgencyTotals { cash, in_kind }))
            .collect(),
    })
}

/// One ledger row to write, beyond its movement.
#[derive(Debug, Clone, Default)]
pub struct RowDetail {
    /// The row's id when every laptop must give it the same one (the money an approval
    /// sets aside, which two laptops may each write); else a new one.
    pub id: Option<String>,
    pub request_id: Option<String>,
    /// YYYY-MM-DD.
    pub on_date: String,
    pub description: Option<String>,
    pub reference: Option<String>,
    pub method: Option<&'static str>,
    /// In another currency: the amount given, its currency and the rate used.
    pub original: Option<(i64, Currency, String)>,
    pub receipt_id: Option<String>,
    pub reverses: Option<String>,
}

/// Write ledger rows (in order, all or none) and bring the running totals up to date.
/// A movement the totals refuse writes nothing and names what is wrong. Returns the rows'
/// ids.
pub async fn append(
    tx: &mut SqliteConnection,
    outbox: Option<&Outbox>,
    author: &str,
    fund: &FundRow,
    rows: impl IntoIterator<Item = (Movement, RowDetail)>,
) -> Result<Vec<String>> {
    let mut totals = load_totals(tx, &fund.id).await?;
    let mut months = MonthSums::new();
    let mut touched_lines = std::collections::BTreeSet::new();
    let mut touched_agencies = std::collections::BTreeSet::new();
    let mut ids = Vec::new();
    let now = now_utc();
    for (movement, detail) in rows {
        totals.apply(&movement, fund.currency)?;
        let id = detail
            .id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        let (kind, amount, agency, in_kind, line) = match &movement {
            Movement::Contribution {
                agency,
                in_kind,
                amount,
            } => ("contribution", *amount, Some(agency), *in_kind, None),
            Movement::Allocation { line, amount } => {
                ("allocation", *amount, None, false, Some(line))
            }
            Movement::Commitment { line, amount } => {
                ("commitment", *amount, None, false, Some(line))
            }
            Movement::Payment { line, amount } => ("payment", *amount, None, false, Some(line)),
        };
        if amount == 0 {
            return Err(Error::invalid("amount", "must be more than zero"));
        }
        let month = detail.on_date.get(..7).unwrap_or_default().to_owned();
        match &movement {
            Movement::Contribution { agency, .. } => {
                touched_agencies.insert(agency.clone());
                let kind = if in_kind { "in_kind" } else { "cash" };
                let sum = months.entry((month, kind, agency.clone())).or_default();
                *sum = add_checked(*sum, amount)?;
            }
            Movement::Payment { line, .. } => {
                touched_lines.insert(line.clone());
                let sum = months.entry((month, "paid", line.clone())).or_default();
                *sum = add_checked(*sum, amount)?;
            }
            Movement::Allocation { line, .. } | Movement::Commitment { line, .. } => {
                touched_lines.insert(line.clone());
            }
        }
        let (original_amount, original_currency, rate) = match &detail.original {
            Some((minor, currency, rate)) => (
                Some(*minor),
                Some(currency.code().to_owned()),
                Some(rate.clone()),
            ),
            None => (None, None, None),
        };
        sqlx::query(
            "INSERT INTO fund_ledger (id, fund_id, kind, amount, agency_id, in_kind, line_id,
                 request_id, on_date, description, reference, method, original_amount,
                 original_currency, rate, receipt_id, reverses, recorded_by, recorded_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&fund.id)
        .bind(kind)
        .bind(amount)
        .bind(agency)
        .bind(in_kind)
        .bind(line)
        .bind(&detail.request_id)
        .bind(&detail.on_date)
        .bind(&detail.description)
        .bind(&detail.reference)
        .bind(detail.method)
        .bind(original_amount)
        .bind(&original_currency)
        .bind(&rate)
        .bind(&detail.receipt_id)
        .bind(&detail.reverses)
        .bind(author)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        if let Some(outbox) = outbox {
            let fields = serde_json::json!({
                "fund_id": fund.id, "kind": kind, "amount": amount, "agency_id": agency,
                "in_kind": in_kind, "line_id": line, "request_id": detail.request_id,
                "on_date": detail.on_date, "description": detail.description,
                "reference": detail.reference, "method": detail.method,
                "original_amount": original_amount, "original_currency": original_currency,
                "rate": rate, "receipt_id": detail.receipt_id, "reverses": detail.reverses,
                "recorded_by": author, "recorded_at": now,
            });
            outbox
                .record_on(tx, Some(author), "fund_ledger", &id, Op::Insert, &fields)
                .await?;
        }
        ids.push(id);
    }
    write_totals(tx, fund, &totals, touched_lines, touched_agencies, months).await?;
    Ok(ids)
}

/// Months' sums a write adds: (month, kind, agency or line) to amount.
type MonthSums = BTreeMap<(String, &'static str, String), i64>;

/// Bring the kept totals of the lines and agencies touched up to `totals`, and add to
/// the months' sums.
async fn write_totals(
    conn: &mut SqliteConnection,
    fund: &FundRow,
    totals: &Totals,
    touched_lines: std::collections::BTreeSet<String>,
    touched_agencies: std::collections::BTreeSet<String>,
    months: MonthSums,
) -> Result<()> {
    for line in touched_lines {
        let t = totals.line(&line);
        let updated = sqlx::query(
            "UPDATE fund_lines SET allocated = ?, committed = ?, paid = ? WHERE id = ? AND fund_id = ?",
        )
        .bind(t.allocated)
        .bind(t.committed)
        .bind(t.paid)
        .bind(&line)
        .bind(&fund.id)
        .execute(&mut *conn)
        .await?;
        if updated.rows_affected() != 1 {
            return Err(Error::invalid("lineId", "is not a line of this fund"));
        }
    }
    for agency in touched_agencies {
        let t = totals.agencies.get(&agency).copied().unwrap_or_default();
        sqlx::query(
            "INSERT INTO fund_agency_totals (fund_id, agency_id, cash, in_kind) VALUES (?, ?, ?, ?)
             ON CONFLICT (fund_id, agency_id) DO UPDATE SET cash = excluded.cash,
                 in_kind = excluded.in_kind",
        )
        .bind(&fund.id)
        .bind(&agency)
        .bind(t.cash)
        .bind(t.in_kind)
        .execute(&mut *conn)
        .await?;
    }
    for ((month, kind, key), amount) in months {
        let kept: Option<i64> = sqlx::query_scalar(
            "SELECT amount FROM fund_month_totals
             WHERE fund_id = ? AND month = ? AND kind = ? AND key_id = ?",
        )
        .bind(&fund.id)
        .bind(&month)
        .bind(kind)
        .bind(&key)
        .fetch_optional(&mut *conn)
        .await?;
        let amount = add_checked(kept.unwrap_or(0), amount)?;
        sqlx::query(
            "INSERT INTO fund_month_totals (fund_id, month, kind, key_id, amount) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (fund_id, month, kind, key_id) DO UPDATE SET amount = excluded.amount",
        )
        .bind(&fund.id)
        .bind(&month)
        .bind(kind)
        .bind(&key)
        .bind(amount)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The id every laptop gives the money an approval sets aside.
pub fn commitment_id(request_id: &str) -> String {
    format!("{request_id}:commitment")
}

/// Requests approved enough on several laptops together: two leads who each gave one of
/// two approvals offline, neither seeing the other's. Once both decisions are here the
/// request is approved: the laptop of a member who may decide sets its money aside, under
/// the id every laptop gives it, so that it is one row however many laptops write it. A
/// request the line no longer has money for stays pending, and the log says so.
pub async fn settle_approved(
    conn: &mut SqliteConnection,
    outbox: &Outbox,
    me: &str,
) -> Result<usize> {
    let decides: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM members m JOIN roles r ON r.id = m.role
                        WHERE m.id = ? AND m.status = 'active'
                          AND EXISTS (SELECT 1 FROM json_each(r.permissions)
                                      WHERE value = 'funds.approve'))",
    )
    .bind(me)
    .fetch_one(&mut *conn)
    .await?;
    if !decides {
        return Ok(0);
    }
    let ready: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT r.id, r.fund_id, r.line_id, r.amount FROM fund_requests r
         WHERE r.status = 'pending'
           AND NOT EXISTS (SELECT 1 FROM fund_decisions d
                           WHERE d.request_id = r.id AND d.decision = 'reject')
           AND (SELECT count(*) FROM fund_decisions d
                WHERE d.request_id = r.id AND d.decision = 'approve') >= r.approvals_needed",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut settled = 0;
    for (request_id, fund_id, line_id, amount) in ready {
        let fund = fund(conn, &fund_id).await?;
        let id = commitment_id(&request_id);
        let set_aside: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM fund_ledger WHERE id = ?)")
                .bind(&id)
                .fetch_one(&mut *conn)
                .await?;
        if !set_aside {
            let detail = RowDetail {
                id: Some(id),
                request_id: Some(request_id.clone()),
                on_date: crate::cases::today().to_string(),
                ..RowDetail::default()
            };
            let movement = Movement::Commitment {
                line: line_id,
                amount,
            };
            sqlx::query("SAVEPOINT settle").execute(&mut *conn).await?;
            let appended = append(conn, Some(outbox), me, &fund, [(movement, detail)]).await;
            if appended.is_err() {
                sqlx::query("ROLLBACK TO settle")
                    .execute(&mut *conn)
                    .await?;
            }
            sqlx::query("RELEASE settle").execute(&mut *conn).await?;
            match appended {
                Ok(_) => {}
                Err(Error::Invalid { .. }) => {
                    tracing::warn!("an approved request waits: its line no longer has the money");
                    continue;
                }
                Err(err) => return Err(err),
            }
        }
        let now = now_utc();
        sqlx::query("UPDATE fund_requests SET status = 'approved', updated_at = ? WHERE id = ?")
            .bind(&now)
            .bind(&request_id)
            .execute(&mut *conn)
            .await?;
        outbox
            .record_on(
                conn,
                Some(me),
                "fund_request",
                &request_id,
                Op::Update,
                &serde_json::json!({ "status": "approved", "updated_at": now }),
            )
            .await?;
        settled += 1;
    }
    Ok(settled)
}

/// The id every laptop gives the row that gives a withdrawn request's money back.
pub fn release_id(request_id: &str) -> String {
    format!("{request_id}:release")
}

/// Requests withdrawn or rejected on one laptop while a lead approved them on another:
/// the withdrawal stands (`sync::entities::progress`), so the money the approval set
/// aside goes back to its line. The laptop of a member who manages or approves funds
/// writes it, under the id every laptop gives it (one row however many write it).
pub async fn release_withdrawn(
    conn: &mut SqliteConnection,
    outbox: &Outbox,
    me: &str,
) -> Result<usize> {
    let may: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM members m JOIN roles r ON r.id = m.role
                        WHERE m.id = ? AND m.status = 'active'
                          AND EXISTS (SELECT 1 FROM json_each(r.permissions)
                                      WHERE value IN ('funds.approve', 'funds.manage')))",
    )
    .bind(me)
    .fetch_one(&mut *conn)
    .await?;
    if !may {
        return Ok(0);
    }
    let stranded: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT r.id, r.fund_id, r.line_id, sum(l.amount) FROM fund_requests r
         JOIN fund_ledger l ON l.request_id = r.id AND l.kind = 'commitment'
         WHERE r.status IN ('cancelled', 'rejected')
         GROUP BY r.id HAVING sum(l.amount) > 0",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut released = 0;
    for (request_id, fund_id, line_id, amount) in stranded {
        let id = release_id(&request_id);
        let written: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM fund_ledger WHERE id = ?)")
                .bind(&id)
                .fetch_one(&mut *conn)
                .await?;
        if written {
            continue;
        }
        let fund = fund(conn, &fund_id).await?;
        let detail = RowDetail {
            id: Some(id),
            request_id: Some(request_id),
            on_date: crate::cases::today().to_string(),
            ..RowDetail::default()
        };
        let movement = Movement::Commitment {
            line: line_id,
            amount: -amount,
        };
        append(conn, Some(outbox), me, &fund, [(movement, detail)]).await?;
        released += 1;
    }
    Ok(released)
}

/// A ledger row another laptop wrote, just put in by sync: check it against this laptop's
/// running totals as [`append`] checks its own, and bring them up to date. A row that
/// would break the books is refused ([`Error::BooksBroken`]) for sync to hold for a lead.
pub async fn absorb(conn: &mut SqliteConnection, entry_id: &str) -> Result<()> {
    type Row = (
        String,
        String,
        i64,
        Option<String>,
        bool,
        Option<String>,
        String,
    );
    let (fund_id, kind, amount, agency, in_kind, line, on_date): Row = sqlx::query_as(
        "SELECT fund_id, kind, amount, agency_id, in_kind, line_id, on_date FROM fund_ledger
         WHERE id = ?",
    )
    .bind(entry_id)
    .fetch_one(&mut *conn)
    .await?;
    let fund = fund(conn, &fund_id).await?;
    let movement = movement_of(&kind, amount, agency, in_kind, line)?;
    let mut totals = load_totals(conn, &fund.id).await?;
    totals
        .apply(&movement, fund.currency)
        .map_err(|err| match err {
            Error::Invalid { reason, .. } => Error::BooksBroken(reason),
            other => other,
        })?;
    let month = on_date.get(..7).unwrap_or_default().to_owned();
    let mut months = MonthSums::new();
    let mut lines = std::collections::BTreeSet::new();
    let mut agencies = std::collections::BTreeSet::new();
    match movement {
        Movement::Contribution {
            agency, in_kind, ..
        } => {
            let kind = if in_kind { "in_kind" } else { "cash" };
            months.insert((month, kind, agency.clone()), amount);
            agencies.insert(agency);
        }
        Movement::Payment { line, .. } => {
            months.insert((month, "paid", line.clone()), amount);
            lines.insert(line);
        }
        Movement::Allocation { line, .. } | Movement::Commitment { line, .. } => {
            lines.insert(line);
        }
    }
    write_totals(conn, &fund, &totals, lines, agencies, months).await
}

/// The movement a ledger row makes, from its columns.
fn movement_of(
    kind: &str,
    amount: i64,
    agency: Option<String>,
    in_kind: bool,
    line: Option<String>,
) -> Result<Movement> {
    Ok(match (kind, agency, line) {
        ("contribution", Some(agency), None) => Movement::Contribution {
            agency,
            in_kind,
            amount,
        },
        ("allocation", None, Some(line)) => Movement::Allocation { line, amount },
        ("commitment", None, Some(line)) => Movement::Commitment { line, amount },
        ("payment", None, Some(line)) => Movement::Payment { line, amount },
        _ => return Err(Error::Encode("a ledger row")),
    })
}

fn add_checked(a: i64, b: i64) -> Result<i64> {
    a.checked_add(b)
        .ok_or_else(|| Error::invalid("amount", "is too large to count"))
}

/// What the ledger's rows give, replayed from the first: the totals, and the month by
/// month figures.
pub async fn replay(
    conn: &mut SqliteConnection,
    fund: &FundRow,
) -> Result<(Totals, Vec<MonthTotal>, u64)> {
    type Row = (String, i64, Option<String>, bool, Option<String>, String);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT kind, amount, agency_id, in_kind, line_id, on_date FROM fund_ledger
         WHERE fund_id = ? ORDER BY seq",
    )
    .bind(&fund.id)
    .fetch_all(&mut *conn)
    .await?;
    let mut totals = Totals::default();
    let mut months: BTreeMap<(String, String, String), i64> = BTreeMap::new();
    let count = rows.len() as u64;
    for (kind, amount, agency, in_kind, line, on_date) in rows {
        let month = on_date.get(..7).unwrap_or_default().to_owned();
        let movement = movement_of(&kind, amount, agency, in_kind, line)?;
        let key = match &movement {
            Movement::Contribution { agency, .. } => {
                Some((if in_kind { "in_kind" } else { "cash" }, agency.clone()))
            }
            Movement::Payment { line, .. } => Some(("paid", line.clone())),
            _ => None,
        };
        if let Some((kind, key)) = key {
            let sum = months.entry((month, kind.to_owned(), key)).or_default();
            *sum = add_checked(*sum, amount)?;
        }
        totals.apply(&movement, fund.currency)?;
    }
    let months = months
        .into_iter()
        .map(|((month, kind, key_id), amount)| MonthTotal {
            month,
            kind,
            key_id,
            amount,
        })
        .collect();
    Ok((totals, months, count))
}

/// One month's contributions of an agency (cash or in kind) or payments from a line.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct MonthTotal {
    pub month: String,
    pub kind: String,
    pub key_id: String,
    pub amount: i64,
}

pub async fn month_totals(conn: &mut SqliteConnection, fund_id: &str) -> Result<Vec<MonthTotal>> {
    Ok(sqlx::query_as(
        "SELECT month, kind, key_id, amount FROM fund_month_totals
         WHERE fund_id = ? AND amount != 0 ORDER BY month, kind, key_id",
    )
    .bind(fund_id)
    .fetch_all(&mut *conn)
    .await?)
}

/// Lines that exist with nothing on them yet are part of the totals too (all zero).
pub async fn line_names(
    conn: &mut SqliteConnection,
    fund_id: &str,
) -> Result<Vec<(String, String)>> {
    Ok(sqlx::query_as(
        "SELECT id, name FROM fund_lines WHERE fund_id = ? ORDER BY position, created_at",
    )
    .bind(fund_id)
    .fetch_all(&mut *conn)
    .await?)
}

#[cfg(test)]
mod tests {
    use sqlx::sqlite::SqliteConnectOptions;
    use sqlx::SqlitePool;
    use std::str::FromStr as _;

    async fn count(pool: &SqlitePool, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
    }

    /// A vault with funds from before they travelled (migration 0015), migrated with its
    /// references enforced as every vault is: a case's request keeps its purpose in its
    /// detail, decisions get their ids, the ledger keeps its rows, their order and its
    /// rules, nothing refers to what is not there, and what the funds wrote goes at the
    /// next round.
    #[tokio::test]
    async fn funds_written_before_they_travelled_are_split_and_queued_by_their_migration() {
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::from_str("sqlite:")
            .unwrap()
            .filename(dir.path().join("old.db"))
            .create_if_missing(true)
            .foreign_keys(true);
        let pool = SqlitePool::connect_with(options).await.unwrap();
        let before = sqlx::migrate::Migrator {
            migrations: std::borrow::Cow::Owned(crate::db::MIGRATOR.migrations[..14].to_vec()),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        before.run(&pool).await.unwrap();
        let t = "2026-11-20T00:00:00.000Z";
        for sql in [
            format!("INSERT INTO members (id, display_name, sign_in_name, role, created_at, updated_at) VALUES ('m1', 'Dao', 'dao', 'team_lead', '{t}', '{t}'), ('m2', 'Kanya', 'kanya', 'team_lead', '{t}', '{t}')"),
            format!("INSERT INTO agencies (id, name, kind, created_at, updated_at) VALUES ('a1', 'Friends', 'ngo', '{t}', '{t}')"),
            format!("INSERT INTO cases (id, status, risk, level, created_by, created_at, updated_at) VALUES ('c1', 'intake', 'low', 'village', 'm1', '{t}', '{t}')"),
            format!("INSERT INTO funds (id, name, currency, starts_on, ends_on, second_approval_above, created_by, created_at, updated_at) VALUES ('f1', 'Fund', 'THB', '2026-01-01', '2026-12-31', 1000000, 'm1', '{t}', '{t}')"),
            format!("INSERT INTO fund_lines (id, fund_id, name, position, allocated, committed, created_by, created_at) VALUES ('l1', 'f1', 'Shelter', 0, 5000, 3000, 'm1', '{t}')"),
            "INSERT INTO fund_agency_totals (fund_id, agency_id, cash) VALUES ('f1', 'a1', 20000)".to_owned(),
            format!("INSERT INTO fund_requests (id, fund_id, number, line_id, amount, purpose, case_id, approvals_needed, status, requested_by, requested_at, updated_at) VALUES ('r1', 'f1', 1, 'l1', 3000, 'Shelter for Lan', 'c1', 1, 'approved', 'm2', '{t}', '{t}'), ('r2', 'f1', 2, 'l1', 100, 'Bus fares', NULL, 1, 'cancelled', 'm2', '{t}', '{t}')"),
            "UPDATE fund_requests SET cancel_reason = 'Not needed' WHERE id = 'r2'".to_owned(),
            format!("INSERT INTO fund_decisions (request_id, member_id, decision, decided_at) VALUES ('r1', 'm1', 'approve', '{t}')"),
            format!("INSERT INTO fund_ledger (id, fund_id, kind, amount, agency_id, line_id, request_id, on_date, recorded_by, recorded_at) VALUES ('e1', 'f1', 'contribution', 20000, 'a1', NULL, NULL, '2026-03-02', 'm1', '{t}'), ('e2', 'f1', 'allocation', 5000, NULL, 'l1', NULL, '2026-03-02', 'm1', '{t}'), ('e3', 'f1', 'commitment', 3000, NULL, 'l1', 'r1', '2026-03-03', 'm1', '{t}')"),
            format!("INSERT INTO changes (id, entity, entity_id, op, fields, hlc, device, created_at, synced) VALUES ('x1', 'fund', 'f1', 'insert', '{{}}', '1:0:d', 'd', '{t}', 1), ('x2', 'card', 'k1', 'insert', '{{}}', '1:1:d', 'd', '{t}', 1)"),
        ] {
            sqlx::query(&sql).execute(&pool).await.unwrap();
        }
        crate::db::MIGRATOR.run(&pool).await.unwrap();

        let detail: (String, Option<String>, i64) = sqlx::query_as(
            "SELECT d.purpose, d.case_id, r.for_case FROM fund_requests r
             JOIN fund_request_details d ON d.id = r.id WHERE r.id = 'r1'",
        )
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(
            detail,
            ("Shelter for Lan".to_owned(), Some("c1".to_owned()), 1)
        );
        let reason: Option<String> =
            sqlx::query_scalar("SELECT cancel_reason FROM fund_request_details WHERE id = 'r2'")
                .fetch_one(&pool)
                .await
                .unwrap();
        assert_eq!(reason.as_deref(), Some("Not needed"));
        assert_eq!(
            count(
                &pool,
                "SELECT count(*) FROM fund_requests WHERE for_case = 0"
            )
            .await,
            1
        );
        let decision: String = sqlx::query_scalar("SELECT id FROM fund_decisions")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(decision, "r1:m1");
        let ledger: Vec<(i64, String)> =
            sqlx::query_as("SELECT seq, id FROM fund_ledger ORDER BY seq")
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(
            ledger,
            [
                (1, "e1".to_owned()),
                (2, "e2".to_owned()),
                (3, "e3".to_owned())
            ]
        );
        let broken: Vec<(String,)> = sqlx::query_as("PRAGMA foreign_key_check")
            .fetch_all(&pool)
            .await
            .unwrap();
        assert!(broken.is_empty(), "{broken:?}");
        let schema: Vec<String> =
            sqlx::query_scalar("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")
                .fetch_all(&pool)
                .await
                .unwrap();
        assert!(schema.iter().all(|sql| !sql.contains("_old")), "{schema:?}");
        for refused in [
            "UPDATE fund_ledger SET amount = 1 WHERE id = 'e1'",
            "DELETE FROM fund_ledger WHERE id = 'e1'",
            "UPDATE fund_decisions SET decision = 'reject'",
            "DELETE FROM fund_decisions",
        ] {
            assert!(
                sqlx::query(refused).execute(&pool).await.is_err(),
                "{refused}"
            );
        }
        // The fund's entry waits for the next round; the card's, synced, stays so.
        let synced: Vec<(String, i64)> =
            sqlx::query_as("SELECT entity, synced FROM changes ORDER BY seq")
                .fetch_all(&pool)
                .await
                .unwrap();
        assert_eq!(synced, [("fund".to_owned(), 0), ("card".to_owned(), 1)]);
    }
}
