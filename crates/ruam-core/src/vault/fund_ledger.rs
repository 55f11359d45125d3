//! A fund's ledger as its readers see it: pages with filters, the CSV export, and the
//! check of the books (a replay of every row against the running totals, and each
//! request's status against its rows). For those who manage funds or approve spending;
//! what was written about a case's spending shows only to those who see the case.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite};

use super::{ExportedFile, Open, State, Vault};
use crate::access::{Action, Resource};
use crate::cases::parse_date;
use crate::funds::store::{self, Amount, FundRow};
use crate::funds::{Currency, Money};
use crate::{Error, Result};

const LEDGER_PAGE_DEFAULT: u32 = 100;

const LEDGER_PAGE_MAX: u32 = 500;

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LedgerQuery {
    pub fund_id: String,
    /// contribution, allocation, commitment or payment.
    pub kind: Option<String>,
    pub line_id: Option<String>,
    pub agency_id: Option<String>,
    /// YYYY-MM-DD, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    /// The page after this row (its `seq`), newest first.
    #[cfg_attr(feature = "specta", specta(type = Option<u32>))]
    pub before: Option<i64>,
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub seq: i64,
    pub id: String,
    pub kind: String,
    pub amount: Amount,
    pub agency_id: Option<String>,
    pub agency_name: Option<String>,
    pub in_kind: bool,
    pub line_id: Option<String>,
    pub line_name: Option<String>,
    pub request_number: Option<u32>,
    pub on_date: String,
    pub description: Option<String>,
    pub reference: Option<String>,
    pub method: Option<String>,
    /// In another currency: `1,000.00 USD at 35.2175`.
    pub original: Option<String>,
    pub receipt_id: Option<String>,
    pub reverses: Option<String>,
    pub reversed: bool,
    /// A contribution or a payment, not itself a correction nor corrected yet, for a
    /// reader who manages funds.
    pub may_reverse: bool,
    pub recorded_by_name: String,
    pub recorded_at: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LedgerPage {
    pub entries: Vec<LedgerEntry>,
    pub more: bool,
}

/// The running totals against a replay of the whole ledger, and each request's status
/// against its rows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct BooksCheck {
    pub entries: u32,
    pub totals_match: bool,
    pub months_match: bool,
    /// Every request's status agrees with its rows: nothing set aside or paid while
    /// pending, rejected or cancelled; its amount set aside once approved; and paid once
    /// paid.
    pub requests_match: bool,
    /// The requests whose status and rows disagree, by number.
    pub requests_astray: Vec<u32>,
}

const KINDS: [&str; 4] = ["contribution", "allocation", "commitment", "payment"];

#[derive(sqlx::FromRow)]
struct LedgerRow {
    seq: i64,
    id: String,
    kind: String,
    amount: i64,
    agency_id: Option<String>,
    agency_name: Option<String>,
    in_kind: bool,
    line_id: Option<String>,
    line_name: Option<String>,
    request_number: Option<i64>,
    on_date: String,
    description: Option<String>,
    reference: Option<String>,
    method: Option<String>,
    original_amount: Option<i64>,
    original_currency: Option<String>,
    rate: Option<String>,
    receipt_id: Option<String>,
    reverses: Option<String>,
    case_id: Option<String>,
    reversed: bool,
    recorded_by_name: String,
    recorded_at: String,
}

async fn ledger_rows(
    open: &Open,
    fund: &FundRow,
    query: &LedgerQuery,
    limit: Option<u32>,
) -> Result<Vec<LedgerEntry>> {
    if let Some(kind) = &query.kind {
        if !KINDS.contains(&kind.as_str()) {
            return Err(Error::invalid(
                "kind",
                format!("“{kind}” is not a kind of entry"),
            ));
        }
    }
    let from = query
        .from
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(|d| parse_date("from", d))
        .transpose()?;
    let to = query
        .to
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(|d| parse_date("to", d))
        .transpose()?;
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            return Err(Error::invalid("to", "is before the start"));
        }
    }
    let mut sql = QueryBuilder::<Sqlite>::new(
        "SELECT l.seq, l.id, l.kind, l.amount, l.agency_id, a.name AS agency_name, l.in_kind,
                l.line_id, fl.name AS line_name, q.number AS request_number, l.on_date,
                l.description, l.reference, l.method, l.original_amount, l.original_currency,
                l.rate, l.receipt_id, l.reverses,
                CASE WHEN q.for_case = 1 THEN ifnull(d.case_id, '') END AS case_id,
                EXISTS (SELECT 1 FROM fund_ledger r WHERE r.reverses = l.id) AS reversed,
                m.display_name AS recorded_by_name, l.recorded_at
         FROM fund_ledger l
         LEFT JOIN agencies a ON a.id = l.agency_id
         LEFT JOIN fund_lines fl ON fl.id = l.line_id
         LEFT JOIN fund_requests q ON q.id = l.request_id
         LEFT JOIN fund_request_details d ON d.id = q.id
         JOIN members m ON m.id = l.recorded_by
         WHERE l.fund_id = ",
    );
    sql.push_bind(&fund.id);
    if let Some(kind) = &query.kind {
        sql.push(" AND l.kind = ").push_bind(kind);
    }
    if let Some(line) = query.line_id.as_deref().filter(|l| !l.is_empty()) {
        sql.push(" AND l.line_id = ").push_bind(line);
    }
    if let Some(agency) = query.agency_id.as_deref().filter(|a| !a.is_empty()) {
        sql.push(" AND l.agency_id = ").push_bind(agency);
    }
    if let Some(from) = from {
        sql.push(" AND l.on_date >= ").push_bind(from.to_string());
    }
    if let Some(to) = to {
        sql.push(" AND l.on_date <= ").push_bind(to.to_string());
    }
    if let Some(before) = query.before {
        sql.push(" AND l.seq < ").push_bind(before);
    }
    sql.push(" ORDER BY l.seq DESC");
    if let Some(limit) = limit {
        sql.push(" LIMIT ").push_bind(i64::from(limit));
    }
    let rows: Vec<LedgerRow> = sql.build_query_as().fetch_all(&open.pool).await?;
    let sees = open
        .cases_seen(rows.iter().filter_map(|r| r.case_id.clone()).collect())
        .await?;
    let currency = fund.currency;
    let manage = open.actor().may(Action::ManageFund, Resource::Funds);
    Ok(rows
        .into_iter()
        .map(|r| {
            // What was written about a case's spending (a reason, a reference, a receipt)
            // may name the child: only for those who see the case.
            let may_reverse = manage
                && matches!(r.kind.as_str(), "contribution" | "payment")
                && r.reverses.is_none()
                && r.amount > 0
                && !r.reversed;
            let hidden = r
                .case_id
                .as_ref()
                .is_some_and(|c| !sees.get(c).copied().unwrap_or(false));
            let original = match (r.original_amount, r.original_currency.as_deref(), &r.rate) {
                (Some(minor), Some(code), Some(rate)) => Currency::parse("currency", code)
                    .ok()
                    .map(|c| format!("{} at {rate}", Money::from_minor(minor, c))),
                _ => None,
            };
            LedgerEntry {
                seq: r.seq,
                id: r.id,
                kind: r.kind,
                amount: Amount::of(r.amount, currency),
                agency_id: r.agency_id,
                agency_name: r.agency_name,
                in_kind: r.in_kind,
                line_id: r.line_id,
                line_name: r.line_name,
                request_number: r.request_number.and_then(|n| u32::try_from(n).ok()),
                on_date: r.on_date,
                description: if hidden { None } else { r.description },
                reference: if hidden { None } else { r.reference },
                method: r.method,
                original,
                receipt_id: if hidden { None } else { r.receipt_id },
                may_reverse,
                reverses: r.reverses,
                reversed: r.reversed,
                recorded_by_name: r.recorded_by_name,
                recorded_at: r.recorded_at,
            }
        })
        .collect())
}

/// The ledger as CSV: one row per entry, amounts as plain decimals with the currency in
/// its own column, and no field a spreadsheet would run as a formula.
fn ledger_csv(fund: &FundRow, rows: &[LedgerEntry]) -> String {
    let mut out = String::from(
        "seq,date,kind,amount,currency,agency,in_kind,line,request,method,reference,original,reverses,recorded_by,recorded_at\n",
    );
    for row in rows {
        let plain = row
            .amount
            .text
            .trim_end_matches(fund.currency.code())
            .trim()
            .replace(',', "");
        let fields = [
            row.seq.to_string(),
            row.on_date.clone(),
            row.kind.clone(),
            plain,
            fund.currency.code().to_owned(),
            row.agency_name.clone().unwrap_or_default(),
            if row.in_kind { "yes" } else { "" }.to_owned(),
            row.line_name.clone().unwrap_or_default(),
            row.request_number
                .map(|n| n.to_string())
                .unwrap_or_default(),
            row.method.clone().unwrap_or_default(),
            row.reference.clone().unwrap_or_default(),
            row.original.clone().unwrap_or_default(),
            row.reverses.clone().unwrap_or_default(),
            row.recorded_by_name.clone(),
            row.recorded_at.clone(),
        ];
        // The amount is a plain decimal (negative for a correction), written as a
        // number: the formula guard is for text, and would turn "-3000.00" into text.
        let line: Vec<String> = fields
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let number = f.strip_prefix('-').unwrap_or(f);
                let numeric =
                    !number.is_empty() && number.chars().all(|c| c.is_ascii_digit() || c == '.');
                if i == 3 && numeric {
                    f.clone()
                } else {
                    super::audit_log::csv_field(f)
                }
            })
            .collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

impl Vault {
    /// A page of the ledger, newest first, for those who manage funds or approve spending.
    pub async fn fund_ledger(&self, query: LedgerQuery) -> Result<LedgerPage> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize_funds(Action::ReadLedger).await?;
        let fund = open.load_fund(&query.fund_id).await?;
        let limit = query.limit.unwrap_or(LEDGER_PAGE_DEFAULT);
        if !(1..=LEDGER_PAGE_MAX).contains(&limit) {
            return Err(Error::invalid(
                "limit",
                format!("must be between 1 and {LEDGER_PAGE_MAX}"),
            ));
        }
        let mut entries = ledger_rows(open, &fund, &query, Some(limit + 1)).await?;
        let more = entries.len() > limit as usize;
        entries.truncate(limit as usize);
        Ok(LedgerPage { entries, more })
    }

    /// Write the ledger rows that match to a CSV file in `dir`. Purposes stay in the
    /// vault: the file holds amounts, dates, lines, agencies and references. Audited.
    pub async fn export_fund_ledger(&self, query: LedgerQuery, dir: &Path) -> Result<ExportedFile> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize_funds(Action::ReadLedger).await?;
        let fund = open.load_fund(&query.fund_id).await?;
        let rows = ledger_rows(open, &fund, &query, None).await?;
        let stamp = time::OffsetDateTime::now_utc()
            .format(time::macros::format_description!(
                "[year][month][day]-[hour][minute][second]"
            ))
            .map_err(|_| Error::Encode("a date"))?;
        let path: PathBuf = dir.join(format!("ruam-fund-ledger-{stamp}.csv"));
        crate::paths::write_atomic(&path, ledger_csv(&fund, &rows).as_bytes())?;
        if let Err(err) = open
            .audit("fund.ledger.export", Some(("fund", &fund.id)))
            .await
        {
            if let Err(remove) = std::fs::remove_file(&path) {
                tracing::warn!(%remove, "could not remove an export that was not recorded");
            }
            return Err(err);
        }
        tracing::info!(entries = rows.len(), "fund ledger exported");
        Ok(ExportedFile {
            path: path.display().to_string(),
            entries: u32::try_from(rows.len()).unwrap_or(u32::MAX),
        })
    }

    /// Replay the fund's whole ledger and compare with the running totals; and compare
    /// each request's status with what its rows set aside and paid.
    pub async fn check_fund_books(&self, fund_id: &str) -> Result<BooksCheck> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize_funds(Action::ReadLedger).await?;
        let mut conn = open.pool.acquire().await?;
        let fund = store::fund(&mut conn, fund_id).await?;
        let (mut replayed, mut months, entries) = store::replay(&mut conn, &fund).await?;
        let kept = store::load_totals(&mut conn, &fund.id).await?;
        for line in kept.lines.keys() {
            replayed.lines.entry(line.clone()).or_default();
        }
        months.retain(|m| m.amount != 0);
        let kept_months = store::month_totals(&mut conn, &fund.id).await?;
        // Per request: what its rows set aside (commitments) and paid (payments), net of
        // cancellations and reversals.
        let requests: Vec<(i64, String, i64, i64, i64)> = sqlx::query_as(
            "SELECT r.number, r.status, r.amount,
                    ifnull(sum(CASE WHEN l.kind = 'commitment' THEN l.amount END), 0),
                    ifnull(sum(CASE WHEN l.kind = 'payment' THEN l.amount END), 0)
             FROM fund_requests r LEFT JOIN fund_ledger l ON l.request_id = r.id
             WHERE r.fund_id = ? GROUP BY r.id ORDER BY r.number",
        )
        .bind(&fund.id)
        .fetch_all(&mut *conn)
        .await?;
        let requests_astray: Vec<u32> = requests
            .into_iter()
            .filter(|(_, status, amount, committed, paid)| {
                let expected = match status.as_str() {
                    "approved" => (*amount, 0),
                    "paid" => (*amount, *amount),
                    _ => (0, 0),
                };
                (*committed, *paid) != expected
            })
            .map(|(number, ..)| u32::try_from(number).unwrap_or(0))
            .collect();
        Ok(BooksCheck {
            entries: u32::try_from(entries).unwrap_or(u32::MAX),
            totals_match: replayed == kept,
            months_match: months == kept_months,
            requests_match: requests_astray.is_empty(),
            requests_astray,
        })
    }
}
