//! Funds in the vault: funds and lines, the ledger with its running totals, requests and
//! decisions. Every row of the ledger goes through [`append`], which checks the movement
//! against the running totals ([`Totals::apply`]) before anything is written, writes the
//! row and its outbox entry, and brings the totals up to date in the same transaction.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::{Sqlite, SqliteConnection, Transaction};

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
    tx: &mut Transaction<'_, Sqlite>,
    outbox: Option<&Outbox>,
    author: &str,
    fund: &FundRow,
    rows: impl IntoIterator<Item = (Movement, RowDetail)>,
) -> Result<Vec<String>> {
    let mut totals = load_totals(tx, &fund.id).await?;
    let mut months: BTreeMap<(String, &'static str, String), i64> = BTreeMap::new();
    let mut touched_lines = std::collections::BTreeSet::new();
    let mut touched_agencies = std::collections::BTreeSet::new();
    let mut ids = Vec::new();
    let now = now_utc();
    for (movement, detail) in rows {
        totals.apply(&movement, fund.currency)?;
        let id = uuid::Uuid::now_v7().to_string();
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
        .execute(&mut **tx)
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
                .record(tx, Some(author), "fund_ledger", &id, Op::Insert, &fields)
                .await?;
        }
        ids.push(id);
    }
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
        .execute(&mut **tx)
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
        .execute(&mut **tx)
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
        .fetch_optional(&mut **tx)
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
        .execute(&mut **tx)
        .await?;
    }
    Ok(ids)
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
        let movement = match (kind.as_str(), agency, line) {
            ("contribution", Some(agency), None) => {
                let key = if in_kind { "in_kind" } else { "cash" };
                let sum = months
                    .entry((month, key.to_owned(), agency.clone()))
                    .or_default();
                *sum = add_checked(*sum, amount)?;
                Movement::Contribution {
                    agency,
                    in_kind,
                    amount,
                }
            }
            ("allocation", None, Some(line)) => Movement::Allocation { line, amount },
            ("commitment", None, Some(line)) => Movement::Commitment { line, amount },
            ("payment", None, Some(line)) => {
                let sum = months
                    .entry((month, "paid".to_owned(), line.clone()))
                    .or_default();
                *sum = add_checked(*sum, amount)?;
                Movement::Payment { line, amount }
            }
            _ => return Err(Error::Encode("a ledger row")),
        };
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
