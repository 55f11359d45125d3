//! Pooled funds through the vault: who may open a fund, put money in, ask to spend,
//! approve, pay and correct, and what each reader sees. Every member reads a fund's
//! totals; those who manage funds or approve spending read the whole ledger and every
//! request; members read their own requests. Spending for a case shows its purpose and
//! case only to those who see the case.

use std::collections::{BTreeMap, HashMap};

use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sqlx::{QueryBuilder, Sqlite};

use super::cases::decode_upload;
use super::{AttachmentContent, Open, State, Vault};
use crate::access::{Action, Permission, Resource};
use crate::cases::parse_date;
use crate::funds::ledger::{FundFigures, Movement};
use crate::funds::store::{self, Amount, FundRow, RowDetail};
use crate::funds::{Currency, Money, Rate};
use crate::outbox::{now_utc, Op};
use crate::team::{clean_name, clean_optional};
use crate::{Error, Result};

/// At most this many budget lines in one fund.
pub const LINES_MAX: usize = 40;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewFund {
    pub name: String,
    /// ISO 4217; THB when empty.
    pub currency: Option<String>,
    pub starts_on: String,
    pub ends_on: String,
    /// A request for more than this needs a second, different approver.
    pub second_approval_above: String,
    /// The budget lines to start with (more can be added).
    #[serde(default)]
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewFundLine {
    pub fund_id: String,
    pub name: String,
}

/// Cash given to a line from the fund's unallocated money, taken back from a line, or
/// moved from one line to another.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FundAllocation {
    pub fund_id: String,
    /// None: from the fund's unallocated cash.
    pub from_line_id: Option<String>,
    /// None: back to the fund's unallocated cash.
    pub to_line_id: Option<String>,
    pub amount: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewContribution {
    pub fund_id: String,
    pub agency_id: String,
    /// Staff time, a vehicle, a room: valued, but not money the fund can spend.
    #[serde(default)]
    pub in_kind: bool,
    pub amount: String,
    /// The currency of `amount`; the fund's when empty. Another needs `rate`.
    pub currency: Option<String>,
    /// Units of the fund's currency for one unit of `currency`.
    pub rate: Option<String>,
    pub received_on: String,
    /// What was given in kind (required for in kind).
    pub description: Option<String>,
    pub reference: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewSpendingRequest {
    pub fund_id: String,
    pub line_id: String,
    pub amount: String,
    pub purpose: String,
    pub case_id: Option<String>,
    /// A task the spending is for; its case, if any, becomes the request's.
    pub card_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SpendingDecision {
    pub request_id: String,
    pub approve: bool,
    /// Required to reject.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RequestCancel {
    pub request_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewPayment {
    pub request_id: String,
    pub paid_on: String,
    /// cash, transfer, cheque or other.
    pub method: String,
    pub reference: Option<String>,
    pub receipt_file_name: String,
    /// The receipt's bytes, base64.
    pub receipt_base64: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct EntryReversal {
    pub entry_id: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RequestQuery {
    pub fund_id: String,
    /// pending, approved, rejected, paid or cancelled; all when none.
    pub status: Option<String>,
}

/// A fund in the list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FundSummary {
    pub id: String,
    pub name: String,
    pub currency: String,
    pub starts_on: String,
    pub ends_on: String,
    pub second_approval_above: Amount,
    pub balance: Amount,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FundTotals {
    pub cash: Amount,
    pub in_kind: Amount,
    pub allocated: Amount,
    pub unallocated: Amount,
    pub committed: Amount,
    pub paid: Amount,
    /// Cash held: received, less paid.
    pub balance: Amount,
    /// What can still be committed.
    pub available: Amount,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct LineView {
    pub id: String,
    pub name: String,
    pub allocated: Amount,
    pub committed: Amount,
    pub paid: Amount,
    pub remaining: Amount,
}

/// What an agency put in, and its share of what was paid (pro rata to cash).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ContributorView {
    pub agency_id: String,
    pub name: String,
    pub cash: Amount,
    pub in_kind: Amount,
    pub share_of_paid: Amount,
    /// Its cash not yet spent: cash less its share of what was paid.
    pub unspent: Amount,
    /// Its part of all the cash, in thousandths.
    pub cash_permille: u32,
}

/// One bar segment of a chart: an agency's contribution or a line's payments in a month.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChartPart {
    pub id: String,
    pub amount: Amount,
    /// Its length against the largest month of either chart, in thousandths.
    pub permille: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FundMonth {
    /// YYYY-MM.
    pub month: String,
    /// Cash and in kind, by agency.
    pub contributed: Vec<ChartPart>,
    /// Payments, by line.
    pub paid: Vec<ChartPart>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct FundOverview {
    pub fund: FundSummary,
    pub totals: FundTotals,
    pub lines: Vec<LineView>,
    pub contributors: Vec<ContributorView>,
    pub months: Vec<FundMonth>,
    pub may_manage: bool,
    pub may_request: bool,
    pub may_approve: bool,
    pub may_read_ledger: bool,
    /// Requests waiting for this reader's decision.
    pub waiting_for_me: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DecisionView {
    pub member_id: String,
    pub member_name: String,
    pub approve: bool,
    pub reason: Option<String>,
    pub decided_at: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PaymentView {
    pub entry_id: String,
    pub paid_on: String,
    pub method: String,
    pub reference: Option<String>,
    pub receipt_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SpendingRequest {
    pub id: String,
    pub number: u32,
    pub fund_id: String,
    pub fund_name: String,
    pub line_id: String,
    pub line_name: String,
    pub amount: Amount,
    /// None when the spending is for a case the reader may not see.
    pub purpose: Option<String>,
    pub case_id: Option<String>,
    /// For a case the reader may not see: neither its purpose nor its case is shown.
    pub case_hidden: bool,
    pub card_id: Option<String>,
    pub requested_by: String,
    pub requested_by_name: String,
    pub requested_at: String,
    /// Who follows the request up: the member who asked, or the one it was handed to
    /// when they left the team.
    pub held_by: String,
    pub held_by_name: String,
    /// What the member who handed it over wrote for the one taking it on (hidden with
    /// the purpose).
    pub handover_note: Option<String>,
    pub status: String,
    pub approvals_needed: u32,
    pub decisions: Vec<DecisionView>,
    pub payment: Option<PaymentView>,
    /// Approved once, waiting for a second, different approver.
    pub awaiting_second: bool,
    pub may_decide: bool,
    pub may_pay: bool,
    pub may_cancel: bool,
}

const METHODS: [&str; 4] = ["cash", "transfer", "cheque", "other"];
const STATUSES: [&str; 5] = ["pending", "approved", "rejected", "paid", "cancelled"];

fn permille(part: i64, whole: i64) -> u32 {
    if whole <= 0 || part <= 0 {
        return 0;
    }
    u32::try_from(i128::from(part) * 1000 / i128::from(whole)).unwrap_or(1000)
}

fn not_in_future(field: &'static str, raw: &str) -> Result<String> {
    let date = parse_date(field, raw)?;
    if date > crate::cases::today() {
        return Err(Error::invalid(field, "is in the future"));
    }
    Ok(date.to_string())
}

/// The most one row may carry, in minor units (10 trillion baht): far beyond any fund,
/// and small enough that sums of many rows stay far from the limit of an `i64`.
pub const AMOUNT_MAX_MINOR: i64 = 1_000_000_000_000_000;

fn positive(field: &'static str, raw: &str, currency: Currency) -> Result<i64> {
    let money = Money::parse(field, raw, currency)?;
    if money.minor() <= 0 {
        return Err(Error::invalid(field, "must be more than zero"));
    }
    if money.minor() > AMOUNT_MAX_MINOR {
        return Err(Error::invalid(field, "is larger than any fund can hold"));
    }
    Ok(money.minor())
}

fn required(field: &'static str, raw: &str) -> Result<String> {
    clean_optional(field, Some(raw))?.ok_or_else(|| Error::invalid(field, "is empty"))
}

async fn display_name(conn: &mut sqlx::SqliteConnection, member_id: &str) -> Result<String> {
    Ok(
        sqlx::query_scalar("SELECT display_name FROM members WHERE id = ?")
            .bind(member_id)
            .fetch_one(conn)
            .await?,
    )
}

/// A request as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
struct RequestRow {
    id: String,
    number: i64,
    fund_id: String,
    line_id: String,
    amount: i64,
    for_case: bool,
    purpose: String,
    case_id: Option<String>,
    card_id: Option<String>,
    approvals_needed: i64,
    status: String,
    requested_by: String,
    requested_at: String,
    held_by: String,
    handover_note: Option<String>,
}

/// A request with its detail. A request for a case whose detail this laptop does not hold
/// (its member is not on the case) reads as for an unknown case (`''`): hidden.
const REQUEST_SELECT: &str = "SELECT * FROM (SELECT r.id, r.number, r.fund_id, r.line_id,
    r.amount, r.for_case, ifnull(d.purpose, '') AS purpose,
    CASE WHEN r.for_case = 1 THEN ifnull(d.case_id, '') ELSE d.case_id END AS case_id,
    d.card_id, r.approvals_needed, r.status, r.requested_by, r.requested_at,
    coalesce(r.held_by, r.requested_by) AS held_by, d.handover_note
    FROM fund_requests r LEFT JOIN fund_request_details d ON d.id = r.id)";

impl Open {
    /// Whether the reader sees each of these cases (an unknown case: no).
    pub(super) async fn cases_seen(&self, case_ids: Vec<String>) -> Result<HashMap<String, bool>> {
        let mut seen = HashMap::new();
        for case_id in case_ids {
            if seen.contains_key(&case_id) {
                continue;
            }
            let visible = match self.case_access(&case_id).await {
                Ok(access) => crate::access::sees_case(self.actor(), &access),
                Err(Error::NotFound(_)) => false,
                Err(err) => return Err(err),
            };
            seen.insert(case_id, visible);
        }
        Ok(seen)
    }

    /// Write one ledger row for the signed-in member, with its outbox entry; its id.
    async fn append_row(
        &self,
        tx: &mut sqlx::Transaction<'_, Sqlite>,
        fund: &FundRow,
        movement: Movement,
        detail: RowDetail,
    ) -> Result<String> {
        let mut ids = store::append(
            tx,
            Some(&self.outbox),
            &self.member.id,
            fund,
            [(movement, detail)],
        )
        .await?;
        ids.pop().ok_or(Error::Encode("a ledger row"))
    }

    fn holds(&self, permission: Permission) -> bool {
        self.permissions.contains(&permission)
    }

    pub(super) async fn authorize_funds(&self, action: Action) -> Result<()> {
        self.authorize(action, Resource::Funds).await
    }

    pub(super) async fn load_fund(&self, fund_id: &str) -> Result<FundRow> {
        let mut conn = self.pool.acquire().await?;
        store::fund(&mut conn, fund_id).await
    }

    async fn load_request(&self, request_id: &str) -> Result<RequestRow> {
        sqlx::query_as(&format!("{REQUEST_SELECT} WHERE id = ?"))
            .bind(request_id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(Error::NotFound("the request"))
    }

    /// A line of this fund, or an error naming the field.
    async fn check_line(&self, fund: &FundRow, field: &'static str, line_id: &str) -> Result<()> {
        let found: Option<String> =
            sqlx::query_scalar("SELECT id FROM fund_lines WHERE id = ? AND fund_id = ?")
                .bind(line_id)
                .bind(&fund.id)
                .fetch_optional(&self.pool)
                .await?;
        found
            .map(|_| ())
            .ok_or_else(|| Error::invalid(field, "is not a budget line of this fund"))
    }

    async fn summary(&self, fund: &FundRow) -> Result<FundSummary> {
        let mut conn = self.pool.acquire().await?;
        let figures = store::load_totals(&mut conn, &fund.id).await?.figures()?;
        Ok(self.summary_with(fund, &figures))
    }

    fn summary_with(&self, fund: &FundRow, figures: &FundFigures) -> FundSummary {
        FundSummary {
            id: fund.id.clone(),
            name: fund.name.clone(),
            currency: fund.currency.code().to_owned(),
            starts_on: fund.starts_on.clone(),
            ends_on: fund.ends_on.clone(),
            second_approval_above: Amount::of(fund.second_approval_above, fund.currency),
            balance: Amount::of(figures.balance(), fund.currency),
        }
    }

    async fn overview(&self, fund: &FundRow) -> Result<FundOverview> {
        let mut conn = self.pool.acquire().await?;
        let totals = store::load_totals(&mut conn, &fund.id).await?;
        let figures = totals.figures()?;
        let currency = fund.currency;
        let amount = |minor: i64| Amount::of(minor, currency);
        let lines = store::line_names(&mut conn, &fund.id)
            .await?
            .into_iter()
            .map(|(id, name)| {
                let t = totals.line(&id);
                LineView {
                    allocated: amount(t.allocated),
                    committed: amount(t.committed),
                    paid: amount(t.paid),
                    remaining: amount(t.remaining()),
                    id,
                    name,
                }
            })
            .collect();
        let names: HashMap<String, String> = sqlx::query_as("SELECT id, name FROM agencies")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
        let shares = totals.shares_of_paid(currency)?;
        let mut contributors: Vec<ContributorView> = shares
            .into_iter()
            .map(|(agency_id, share)| {
                let t = totals.agencies[&agency_id];
                ContributorView {
                    name: names.get(&agency_id).cloned().unwrap_or_default(),
                    cash: amount(t.cash),
                    in_kind: amount(t.in_kind),
                    share_of_paid: amount(share.minor()),
                    unspent: amount(t.cash - share.minor()),
                    cash_permille: permille(t.cash, figures.cash),
                    agency_id,
                }
            })
            .filter(|c| c.cash.minor != "0" || c.in_kind.minor != "0")
            .collect();
        contributors.sort_by_key(|c| c.name.to_lowercase());
        let month_rows = store::month_totals(&mut conn, &fund.id).await?;
        type Parts = Vec<(String, i64)>;
        let mut by_month: BTreeMap<String, (Parts, Parts)> = BTreeMap::new();
        for row in month_rows {
            let entry = by_month.entry(row.month).or_default();
            if row.kind == "paid" {
                entry.1.push((row.key_id, row.amount));
            } else {
                match entry.0.iter_mut().find(|(id, _)| *id == row.key_id) {
                    Some(found) => found.1 = found.1.saturating_add(row.amount),
                    None => entry.0.push((row.key_id, row.amount)),
                }
            }
        }
        let largest = by_month
            .values()
            .flat_map(|(given, paid)| {
                [
                    given
                        .iter()
                        .fold(0_i64, |sum, (_, a)| sum.saturating_add(*a)),
                    paid.iter()
                        .fold(0_i64, |sum, (_, a)| sum.saturating_add(*a)),
                ]
            })
            .max()
            .unwrap_or(0);
        let parts = |items: Vec<(String, i64)>| -> Vec<ChartPart> {
            items
                .into_iter()
                .filter(|(_, a)| *a != 0)
                .map(|(id, a)| ChartPart {
                    id,
                    amount: amount(a),
                    permille: permille(a, largest),
                })
                .collect()
        };
        let months = by_month
            .into_iter()
            .map(|(month, (given, paid))| FundMonth {
                month,
                contributed: parts(given),
                paid: parts(paid),
            })
            .collect();
        let waiting_for_me = if self.holds(Permission::ApproveSpending) {
            let n: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM fund_requests r WHERE r.fund_id = ?2 AND r.status = 'pending'
                   AND r.requested_by != ?1 AND coalesce(r.held_by, r.requested_by) != ?1
                   AND NOT EXISTS (SELECT 1 FROM fund_decisions d
                                   WHERE d.request_id = r.id AND d.member_id = ?1)",
            )
            .bind(&self.member.id)
            .bind(&fund.id)
            .fetch_one(&mut *conn)
            .await?;
            u32::try_from(n).unwrap_or(u32::MAX)
        } else {
            0
        };
        Ok(FundOverview {
            fund: self.summary_with(fund, &figures),
            totals: FundTotals {
                cash: amount(figures.cash),
                in_kind: amount(figures.in_kind),
                allocated: amount(figures.allocated),
                unallocated: amount(figures.unallocated()),
                committed: amount(figures.committed),
                paid: amount(figures.paid),
                balance: amount(figures.balance()),
                available: amount(figures.available()),
            },
            lines,
            contributors,
            months,
            may_manage: self.actor().may(Action::ManageFund, Resource::Funds),
            may_request: self.actor().may(Action::RequestSpending, Resource::Funds),
            may_approve: self.actor().may(Action::DecideSpending, Resource::Funds),
            may_read_ledger: self.actor().may(Action::ReadLedger, Resource::Funds),
            waiting_for_me,
        })
    }

    /// Requests as this reader may see them: a case's spending shows its purpose and case
    /// only to those who see the case.
    async fn request_views(&self, rows: Vec<RequestRow>) -> Result<Vec<SpendingRequest>> {
        let sees = self
            .cases_seen(rows.iter().filter_map(|r| r.case_id.clone()).collect())
            .await?;
        let mut conn = self.pool.acquire().await?;
        let mut views = Vec::with_capacity(rows.len());
        for row in rows {
            let fund = store::fund(&mut conn, &row.fund_id).await?;
            let (line_name,): (String,) =
                sqlx::query_as("SELECT name FROM fund_lines WHERE id = ?")
                    .bind(&row.line_id)
                    .fetch_one(&mut *conn)
                    .await?;
            let requested_by_name = display_name(&mut conn, &row.requested_by).await?;
            let held_by_name = display_name(&mut conn, &row.held_by).await?;
            let decisions: Vec<(String, String, String, Option<String>, String)> = sqlx::query_as(
                "SELECT d.member_id, m.display_name, d.decision, d.reason, d.decided_at
                 FROM fund_decisions d JOIN members m ON m.id = d.member_id
                 WHERE d.request_id = ? ORDER BY d.decided_at, d.rowid",
            )
            .bind(&row.id)
            .fetch_all(&mut *conn)
            .await?;
            type Payment = (
                String,
                String,
                Option<String>,
                Option<String>,
                Option<String>,
            );
            let payment: Option<Payment> = sqlx::query_as(
                "SELECT p.id, p.on_date, p.method, p.reference, p.receipt_id FROM fund_ledger p
                     WHERE p.request_id = ? AND p.kind = 'payment' AND p.amount > 0
                       AND NOT EXISTS (SELECT 1 FROM fund_ledger r WHERE r.reverses = p.id)
                     ORDER BY p.seq DESC LIMIT 1",
            )
            .bind(&row.id)
            .fetch_optional(&mut *conn)
            .await?;
            let hidden = row
                .case_id
                .as_ref()
                .is_some_and(|c| !sees.get(c).copied().unwrap_or(false));
            let mine = row.held_by == self.member.id;
            let asked = mine || row.requested_by == self.member.id;
            let decided_by_me = decisions.iter().any(|d| d.0 == self.member.id);
            let pending = row.status == "pending";
            let manage = self.actor().may(Action::ManageFund, Resource::Funds);
            let approvals = decisions.iter().filter(|d| d.2 == "approve").count();
            views.push(SpendingRequest {
                number: u32::try_from(row.number).unwrap_or(0),
                fund_name: fund.name.clone(),
                line_name,
                amount: Amount::of(row.amount, fund.currency),
                purpose: (!hidden).then(|| row.purpose.clone()),
                case_id: if hidden { None } else { row.case_id.clone() },
                case_hidden: hidden,
                card_id: if hidden { None } else { row.card_id.clone() },
                requested_by_name,
                approvals_needed: u32::try_from(row.approvals_needed).unwrap_or(1),
                decisions: decisions
                    .into_iter()
                    .map(
                        |(member_id, member_name, decision, reason, decided_at)| DecisionView {
                            member_id,
                            member_name,
                            approve: decision == "approve",
                            reason: if hidden { None } else { reason },
                            decided_at,
                        },
                    )
                    .collect(),
                payment: payment.map(|(entry_id, paid_on, method, reference, receipt_id)| {
                    PaymentView {
                        entry_id,
                        paid_on,
                        method: method.unwrap_or_default(),
                        reference: if hidden { None } else { reference },
                        receipt_id: if hidden { None } else { receipt_id },
                    }
                }),
                awaiting_second: pending && row.approvals_needed == 2 && approvals == 1,
                may_decide: pending
                    && !asked
                    && !decided_by_me
                    && self.actor().may(Action::DecideSpending, Resource::Funds),
                may_pay: row.status == "approved" && manage,
                may_cancel: (pending && mine)
                    || (manage && matches!(row.status.as_str(), "pending" | "approved")),
                status: row.status,
                requested_by: row.requested_by,
                requested_at: row.requested_at,
                held_by: row.held_by,
                held_by_name,
                handover_note: if hidden { None } else { row.handover_note },
                id: row.id,
                fund_id: row.fund_id,
                line_id: row.line_id,
            });
        }
        Ok(views)
    }

    async fn request_view(&self, request_id: &str) -> Result<SpendingRequest> {
        let row = self.load_request(request_id).await?;
        let mut views = self.request_views(vec![row]).await?;
        views.pop().ok_or(Error::NotFound("the request"))
    }

    /// A request the reader may act on: every request for those who read the ledger,
    /// their own for others. To the others, an unknown request answers like another's:
    /// refused, so that no answer tells whether it exists.
    async fn visible_request(&self, action: Action, request_id: &str) -> Result<RequestRow> {
        let row = self.load_request(request_id).await;
        let reads_all = self.actor().may(Action::ReadLedger, Resource::Funds);
        match row {
            Ok(row) if reads_all || row.held_by == self.member.id => Ok(row),
            Err(Error::NotFound(what)) if reads_all => Err(Error::NotFound(what)),
            Ok(_) | Err(Error::NotFound(_)) => {
                self.audit_refusal(action, ("fund_request", request_id))
                    .await;
                Err(Error::Forbidden)
            }
            Err(err) => Err(err),
        }
    }

    /// Move a request from the status it was read in to the next; a request changed in
    /// between (by another device, once sync comes) is refused rather than overwritten.
    async fn write_request_status(
        &self,
        tx: &mut sqlx::Transaction<'_, Sqlite>,
        request_id: &str,
        (from, to): (&str, &str),
        cancel_reason: Option<&str>,
    ) -> Result<()> {
        let now = now_utc();
        let changed = sqlx::query(
            "UPDATE fund_requests SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
        )
        .bind(to)
        .bind(&now)
        .bind(request_id)
        .bind(from)
        .execute(&mut **tx)
        .await?;
        if changed.rows_affected() != 1 {
            return Err(Error::invalid(
                "request",
                "changed while you were working on it: open it again",
            ));
        }
        if let Some(reason) = cancel_reason {
            // Beside the purpose: a case's spending says why only to those on the case.
            sqlx::query("UPDATE fund_request_details SET cancel_reason = ? WHERE id = ?")
                .bind(reason)
                .bind(request_id)
                .execute(&mut **tx)
                .await?;
            self.outbox
                .record(
                    tx,
                    Some(&self.member.id),
                    "fund_request_detail",
                    request_id,
                    Op::Update,
                    &serde_json::json!({ "cancel_reason": reason }),
                )
                .await?;
        }
        let fields = serde_json::json!({ "status": to, "updated_at": now });
        self.outbox
            .record(
                tx,
                Some(&self.member.id),
                "fund_request",
                request_id,
                Op::Update,
                &fields,
            )
            .await
    }
}

impl Vault {
    /// Every fund, with its balance: open to every member.
    pub async fn funds(&self) -> Result<Vec<FundSummary>> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize_funds(Action::ViewFunds).await?;
        let mut conn = open.pool.acquire().await?;
        let funds = store::funds(&mut conn).await?;
        drop(conn);
        let mut out = Vec::with_capacity(funds.len());
        for fund in &funds {
            out.push(open.summary(fund).await?);
        }
        Ok(out)
    }

    /// A fund's totals by line, by agency and by month: open to every member.
    pub async fn fund_overview(&self, fund_id: &str) -> Result<FundOverview> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize_funds(Action::ViewFunds).await?;
        let fund = open.load_fund(fund_id).await?;
        open.overview(&fund).await
    }

    pub async fn create_fund(&self, new: NewFund) -> Result<FundOverview> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize_funds(Action::ManageFund).await?;
        let name = clean_name("name", &new.name)?;
        let currency = match new.currency.as_deref().map(str::trim) {
            None | Some("") => Currency::THB,
            Some(code) => Currency::parse("currency", code)?,
        };
        let starts_on = parse_date("startsOn", &new.starts_on)?;
        let ends_on = parse_date("endsOn", &new.ends_on)?;
        if ends_on < starts_on {
            return Err(Error::invalid("endsOn", "is before the start"));
        }
        let threshold = Money::parse("secondApprovalAbove", &new.second_approval_above, currency)?;
        if new.lines.len() > LINES_MAX {
            return Err(Error::invalid(
                "lines",
                format!("a fund has at most {LINES_MAX} budget lines"),
            ));
        }
        let mut lines: Vec<String> = Vec::new();
        for raw in &new.lines {
            let line = clean_name("lines", raw)?;
            if lines
                .iter()
                .any(|l| l.to_lowercase() == line.to_lowercase())
            {
                return Err(Error::invalid("lines", format!("“{line}” is listed twice")));
            }
            lines.push(line);
        }
        let mut tx = open.pool.begin().await?;
        let taken: Option<String> =
            sqlx::query_scalar("SELECT id FROM funds WHERE lower(name) = lower(?)")
                .bind(&name)
                .fetch_optional(&mut *tx)
                .await?;
        if taken.is_some() {
            return Err(Error::invalid("name", "another fund has this name"));
        }
        let id = uuid::Uuid::now_v7().to_string();
        let now = now_utc();
        sqlx::query(
            "INSERT INTO funds (id, name, currency, starts_on, ends_on, second_approval_above,
                 created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&name)
        .bind(currency.code())
        .bind(starts_on.to_string())
        .bind(ends_on.to_string())
        .bind(threshold.minor())
        .bind(&open.member.id)
        .bind(&now)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        open.outbox
            .record(
                &mut tx,
                Some(&open.member.id),
                "fund",
                &id,
                Op::Insert,
                &serde_json::json!({
                    "name": name, "currency": currency.code(), "starts_on": starts_on.to_string(),
                    "ends_on": ends_on.to_string(), "second_approval_above": threshold.minor(),
                    "created_by": open.member.id, "created_at": now, "updated_at": now,
                }),
            )
            .await?;
        for (position, line) in lines.iter().enumerate() {
            insert_line(open, &mut tx, &id, line, position).await?;
        }
        open.audit_in(&mut tx, "fund.create", Some(("fund", &id)))
            .await?;
        tx.commit().await?;
        let fund = open.load_fund(&id).await?;
        open.overview(&fund).await
    }

    pub async fn add_fund_line(&self, new: NewFundLine) -> Result<FundOverview> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize_funds(Action::ManageFund).await?;
        let fund = open.load_fund(&new.fund_id).await?;
        let name = clean_name("name", &new.name)?;
        let mut tx = open.pool.begin().await?;
        let existing: Vec<String> =
            sqlx::query_scalar("SELECT name FROM fund_lines WHERE fund_id = ?")
                .bind(&fund.id)
                .fetch_all(&mut *tx)
                .await?;
        if existing.len() >= LINES_MAX {
            return Err(Error::invalid(
                "name",
                format!("a fund has at most {LINES_MAX} budget lines"),
            ));
        }
        if existing
            .iter()
            .any(|l| l.to_lowercase() == name.to_lowercase())
        {
            return Err(Error::invalid("name", "the fund has a line with this name"));
        }
        let id = insert_line(open, &mut tx, &fund.id, &name, existing.len()).await?;
        open.audit_in(&mut tx, "fund.line.add", Some(("fund_line", &id)))
            .await?;
        tx.commit().await?;
        open.overview(&fund).await
    }

    /// Give cash to a line, take it back, or move it between lines.
    pub async fn allocate_fund(&self, change: FundAllocation) -> Result<FundOverview> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize_funds(Action::ManageFund).await?;
        let fund = open.load_fund(&change.fund_id).await?;
        let amount = positive("amount", &change.amount, fund.currency)?;
        let reason = clean_optional("reason", change.reason.as_deref())?;
        if let Some(line) = &change.from_line_id {
            open.check_line(&fund, "fromLineId", line).await?;
        }
        if let Some(line) = &change.to_line_id {
            open.check_line(&fund, "toLineId", line).await?;
        }
        let mut rows = Vec::new();
        let detail = RowDetail {
            on_date: crate::cases::today().to_string(),
            description: reason,
            ..RowDetail::default()
        };
        match (&change.from_line_id, &change.to_line_id) {
            (None, None) => {
                return Err(Error::invalid(
                    "toLineId",
                    "choose the line to give money to",
                ))
            }
            (Some(a), Some(b)) if a == b => {
                return Err(Error::invalid(
                    "toLineId",
                    "is the line the money comes from",
                ))
            }
            (from, to) => {
                if let Some(line) = from {
                    rows.push((
                        Movement::Allocation {
                            line: line.clone(),
                            amount: -amount,
                        },
                        detail.clone(),
                    ));
                }
                if let Some(line) = to {
                    rows.push((
                        Movement::Allocation {
                            line: line.clone(),
                            amount,
                        },
                        detail.clone(),
                    ));
                }
            }
        }
        let mut tx = open.pool.begin().await?;
        let ids = store::append(&mut tx, Some(&open.outbox), &open.member.id, &fund, rows).await?;
        open.audit_in(&mut tx, "fund.allocate", Some(("fund_ledger", &ids[0])))
            .await?;
        // Money given to a line may let in spending from other laptops held for want of it.
        crate::sync::held::retry(&mut tx).await?;
        tx.commit().await?;
        open.overview(&fund).await
    }

    pub async fn contribute_to_fund(&self, new: NewContribution) -> Result<FundOverview> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize_funds(Action::ManageFund).await?;
        let fund = open.load_fund(&new.fund_id).await?;
        let agency: Option<String> =
            sqlx::query_scalar("SELECT id FROM agencies WHERE id = ? AND deleted_at IS NULL")
                .bind(&new.agency_id)
                .fetch_optional(&open.pool)
                .await?;
        if agency.is_none() {
            return Err(Error::invalid(
                "agencyId",
                "is not one of the team's agencies",
            ));
        }
        let given_in = match new.currency.as_deref().map(str::trim) {
            None | Some("") => fund.currency,
            Some(code) => Currency::parse("currency", code)?,
        };
        let rate = new.rate.as_deref().map(str::trim).filter(|r| !r.is_empty());
        let (amount, original) = if given_in == fund.currency {
            if rate.is_some() {
                return Err(Error::invalid(
                    "rate",
                    format!(
                        "is only for a contribution in another currency than {}",
                        fund.currency
                    ),
                ));
            }
            (positive("amount", &new.amount, fund.currency)?, None)
        } else {
            let Some(rate_text) = rate else {
                return Err(Error::invalid(
                    "rate",
                    format!(
                        "is needed: the contribution is in {given_in} and the fund counts in {}",
                        fund.currency
                    ),
                ));
            };
            let given = positive("amount", &new.amount, given_in)?;
            let rate = Rate::parse("rate", rate_text)?;
            let converted = Money::from_minor(given, given_in).convert(&rate, fund.currency)?;
            if converted.minor() <= 0 {
                return Err(Error::invalid(
                    "amount",
                    format!("is worth nothing in {} at this rate", fund.currency),
                ));
            }
            (converted.minor(), Some((given, given_in, rate.to_string())))
        };
        let description = clean_optional("description", new.description.as_deref())?;
        if new.in_kind && description.is_none() {
            return Err(Error::invalid(
                "description",
                "say what was given in kind (staff time, a vehicle, a room…)",
            ));
        }
        let detail = RowDetail {
            on_date: not_in_future("receivedOn", &new.received_on)?,
            description,
            reference: clean_optional("reference", new.reference.as_deref())?,
            original,
            ..RowDetail::default()
        };
        let movement = Movement::Contribution {
            agency: new.agency_id.clone(),
            in_kind: new.in_kind,
            amount,
        };
        let mut tx = open.pool.begin().await?;
        let id = open.append_row(&mut tx, &fund, movement, detail).await?;
        open.audit_in(&mut tx, "fund.contribute", Some(("fund_ledger", &id)))
            .await?;
        tx.commit().await?;
        open.overview(&fund).await
    }

    pub async fn request_spending(&self, new: NewSpendingRequest) -> Result<SpendingRequest> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize_funds(Action::RequestSpending).await?;
        let fund = open.load_fund(&new.fund_id).await?;
        open.check_line(&fund, "lineId", &new.line_id).await?;
        let amount = positive("amount", &new.amount, fund.currency)?;
        let purpose = required("purpose", &new.purpose)?;
        let mut case_id = new.case_id.clone().filter(|c| !c.trim().is_empty());
        let card_id = new.card_id.clone().filter(|c| !c.trim().is_empty());
        if let Some(card_id) = &card_id {
            let card = open.find_card(Action::ViewBoard, card_id).await?;
            match (&case_id, &card.case_id) {
                (Some(asked), Some(of_card)) if asked != of_card => {
                    return Err(Error::invalid("cardId", "is a task of another case"));
                }
                (None, Some(of_card)) => case_id = Some(of_card.clone()),
                _ => {}
            }
        }
        if let Some(case_id) = &case_id {
            open.authorize_case(Action::ViewCase, case_id).await?;
        }
        let mut tx = open.pool.begin().await?;
        let line = store::load_totals(&mut tx, &fund.id)
            .await?
            .line(&new.line_id);
        if line.remaining() < amount {
            return Err(Error::invalid(
                "amount",
                format!(
                    "is more than the line has left ({}); a lead can move money to it from another line",
                    Money::from_minor(line.remaining(), fund.currency)
                ),
            ));
        }
        let approvals_needed = if amount > fund.second_approval_above {
            2
        } else {
            1
        };
        let number: i64 = sqlx::query_scalar(
            "SELECT ifnull(max(number), 0) + 1 FROM fund_requests WHERE fund_id = ?",
        )
        .bind(&fund.id)
        .fetch_one(&mut *tx)
        .await?;
        let id = uuid::Uuid::now_v7().to_string();
        let now = now_utc();
        sqlx::query(
            "INSERT INTO fund_requests (id, fund_id, number, line_id, amount, for_case,
                 approvals_needed, status, requested_by, requested_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)",
        )
        .bind(&id)
        .bind(&fund.id)
        .bind(number)
        .bind(&new.line_id)
        .bind(amount)
        .bind(case_id.is_some())
        .bind(approvals_needed)
        .bind(&open.member.id)
        .bind(&now)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO fund_request_details (id, purpose, case_id, card_id) VALUES (?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&purpose)
        .bind(&case_id)
        .bind(&card_id)
        .execute(&mut *tx)
        .await?;
        open.outbox
            .record(
                &mut tx,
                Some(&open.member.id),
                "fund_request",
                &id,
                Op::Insert,
                &serde_json::json!({
                    "fund_id": fund.id, "number": number, "line_id": new.line_id,
                    "amount": amount, "for_case": case_id.is_some(),
                    "approvals_needed": approvals_needed, "status": "pending",
                    "requested_by": open.member.id, "requested_at": now, "updated_at": now,
                }),
            )
            .await?;
        open.outbox
            .record(
                &mut tx,
                Some(&open.member.id),
                "fund_request_detail",
                &id,
                Op::Insert,
                &serde_json::json!({
                    "purpose": purpose, "case_id": case_id, "card_id": card_id,
                }),
            )
            .await?;
        open.audit_in(&mut tx, "fund.request", Some(("fund_request", &id)))
            .await?;
        tx.commit().await?;
        open.request_view(&id).await
    }

    /// Requests of a fund: all of them for those who read the ledger, one's own for
    /// others. Newest first.
    pub async fn spending_requests(&self, query: RequestQuery) -> Result<Vec<SpendingRequest>> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize_funds(Action::ViewFunds).await?;
        let fund = open.load_fund(&query.fund_id).await?;
        if let Some(status) = &query.status {
            if !STATUSES.contains(&status.as_str()) {
                return Err(Error::invalid(
                    "status",
                    format!("“{status}” is not a request status"),
                ));
            }
        }
        let reads_all = open.actor().may(Action::ReadLedger, Resource::Funds);
        let mut sql = QueryBuilder::<Sqlite>::new(REQUEST_SELECT);
        sql.push(" WHERE fund_id = ").push_bind(&fund.id);
        if let Some(status) = &query.status {
            sql.push(" AND status = ").push_bind(status);
        }
        if !reads_all {
            sql.push(" AND held_by = ").push_bind(&open.member.id);
        }
        sql.push(" ORDER BY number DESC");
        let rows: Vec<RequestRow> = sql.build_query_as().fetch_all(&open.pool).await?;
        open.request_views(rows).await
    }

    /// Spending for a case, for those who see the case.
    pub async fn case_spending(&self, case_id: &str) -> Result<Vec<SpendingRequest>> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize_case(Action::ViewCase, case_id).await?;
        let rows: Vec<RequestRow> = sqlx::query_as(&format!(
            "{REQUEST_SELECT} WHERE case_id = ? ORDER BY requested_at DESC, id DESC"
        ))
        .bind(case_id)
        .fetch_all(&open.pool)
        .await?;
        open.request_views(rows).await
    }

    /// Approve or reject. Nobody decides on their own request, nor twice on one; a
    /// request above the fund's threshold needs two approvals by different people. The
    /// last approval sets the money aside on its line, or is refused if the line no longer
    /// has it.
    pub async fn decide_spending(&self, decision: SpendingDecision) -> Result<SpendingRequest> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize_funds(Action::DecideSpending).await?;
        let request = open
            .visible_request(Action::DecideSpending, &decision.request_id)
            .await?;
        if request.requested_by == open.member.id || request.held_by == open.member.id {
            open.audit_refusal(Action::DecideSpending, ("fund_request", &request.id))
                .await;
            return Err(Error::invalid(
                "request",
                "you asked for this spending: another lead must decide on it",
            ));
        }
        match request.status.as_str() {
            "pending" => {}
            "approved" | "paid" => {
                return Err(Error::invalid("request", "is already approved"));
            }
            "rejected" => return Err(Error::invalid("request", "was rejected")),
            _ => return Err(Error::invalid("request", "was cancelled")),
        }
        let mut tx = open.pool.begin().await?;
        let earlier: Vec<(String, String)> =
            sqlx::query_as("SELECT member_id, decision FROM fund_decisions WHERE request_id = ?")
                .bind(&request.id)
                .fetch_all(&mut *tx)
                .await?;
        if earlier.iter().any(|(member, _)| *member == open.member.id) {
            return Err(Error::invalid(
                "request",
                "you have already approved this request: a second, different lead must approve it",
            ));
        }
        let reason = clean_optional("reason", decision.reason.as_deref())?;
        if !decision.approve && reason.is_none() {
            return Err(Error::invalid("reason", "say why the request is rejected"));
        }
        let now = now_utc();
        let verdict = if decision.approve {
            "approve"
        } else {
            "reject"
        };
        sqlx::query(
            "INSERT INTO fund_decisions (id, request_id, member_id, decision, reason, decided_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(format!("{}:{}", request.id, open.member.id))
        .bind(&request.id)
        .bind(&open.member.id)
        .bind(verdict)
        .bind(&reason)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        open.outbox
            .record(
                &mut tx,
                Some(&open.member.id),
                "fund_decision",
                &format!("{}:{}", request.id, open.member.id),
                Op::Insert,
                &serde_json::json!({
                    "request_id": request.id, "member_id": open.member.id,
                    "decision": verdict, "reason": reason, "decided_at": now,
                }),
            )
            .await?;
        let approvals = earlier.iter().filter(|(_, d)| d == "approve").count() + 1;
        if !decision.approve {
            open.write_request_status(&mut tx, &request.id, ("pending", "rejected"), None)
                .await?;
        } else if i64::try_from(approvals).unwrap_or(i64::MAX) >= request.approvals_needed {
            let fund = store::fund(&mut tx, &request.fund_id).await?;
            let detail = RowDetail {
                id: Some(store::commitment_id(&request.id)),
                request_id: Some(request.id.clone()),
                on_date: crate::cases::today().to_string(),
                ..RowDetail::default()
            };
            let movement = Movement::Commitment {
                line: request.line_id.clone(),
                amount: request.amount,
            };
            open.append_row(&mut tx, &fund, movement, detail).await?;
            open.write_request_status(&mut tx, &request.id, ("pending", "approved"), None)
                .await?;
        }
        let action = if decision.approve {
            "fund.approve"
        } else {
            "fund.reject"
        };
        open.audit_in(&mut tx, action, Some(("fund_request", &request.id)))
            .await?;
        tx.commit().await?;
        open.request_view(&request.id).await
    }

    /// Withdraw one's own pending request, or (managing funds) cancel a pending or
    /// approved one; an approved request's money goes back to its line.
    pub async fn cancel_spending(&self, cancel: RequestCancel) -> Result<SpendingRequest> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize_funds(Action::ViewFunds).await?;
        let request = open
            .visible_request(Action::ManageFund, &cancel.request_id)
            .await?;
        let manage = open.actor().may(Action::ManageFund, Resource::Funds);
        let mine = request.held_by == open.member.id;
        let allowed = match request.status.as_str() {
            "pending" => mine || manage,
            "approved" => manage,
            "paid" => {
                return Err(Error::invalid(
                    "request",
                    "is paid: reverse its payment first",
                ))
            }
            _ => return Err(Error::invalid("request", "is already closed")),
        };
        if !allowed {
            open.audit_refusal(Action::ManageFund, ("fund_request", &request.id))
                .await;
            return Err(Error::Forbidden);
        }
        let reason = required("reason", &cancel.reason)?;
        let mut tx = open.pool.begin().await?;
        if request.status == "approved" {
            let fund = store::fund(&mut tx, &request.fund_id).await?;
            let detail = RowDetail {
                request_id: Some(request.id.clone()),
                on_date: crate::cases::today().to_string(),
                // The team's ledger says why only of spending that is not for a case.
                description: (!request.for_case).then(|| reason.clone()),
                ..RowDetail::default()
            };
            let movement = Movement::Commitment {
                line: request.line_id.clone(),
                amount: -request.amount,
            };
            open.append_row(&mut tx, &fund, movement, detail).await?;
        }
        open.write_request_status(
            &mut tx,
            &request.id,
            (request.status.as_str(), "cancelled"),
            Some(&reason),
        )
        .await?;
        open.audit_in(&mut tx, "fund.cancel", Some(("fund_request", &request.id)))
            .await?;
        tx.commit().await?;
        open.request_view(&request.id).await
    }

    /// Record that an approved request was paid, with its receipt.
    pub async fn pay_spending(&self, payment: NewPayment) -> Result<SpendingRequest> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize_funds(Action::ManageFund).await?;
        let request = open
            .visible_request(Action::ManageFund, &payment.request_id)
            .await?;
        match request.status.as_str() {
            "approved" => {}
            "pending" => return Err(Error::invalid("request", "is not approved yet")),
            "rejected" => return Err(Error::invalid("request", "was rejected: it cannot be paid")),
            "paid" => return Err(Error::invalid("request", "is already paid")),
            _ => {
                return Err(Error::invalid(
                    "request",
                    "was cancelled: it cannot be paid",
                ))
            }
        }
        let paid_on = not_in_future("paidOn", &payment.paid_on)?;
        let method = METHODS
            .into_iter()
            .find(|m| *m == payment.method.trim())
            .ok_or_else(|| Error::invalid("method", "is cash, transfer, cheque or other"))?;
        let reference = clean_optional("reference", payment.reference.as_deref())?;
        let bytes = decode_upload(&payment.receipt_base64).map_err(|err| match err {
            Error::Invalid { reason, .. } => Error::invalid("receipt", reason),
            other => other,
        })?;
        if bytes.is_empty() {
            return Err(Error::invalid("receipt", "is empty"));
        }
        let (file_name, media_type) =
            crate::cases::check_attachment(&payment.receipt_file_name, &bytes)?;
        // A case's receipt travels with the case: this laptop must hold the case.
        let case_id = match request.case_id.as_deref() {
            Some("") => {
                return Err(Error::invalid(
                    "request",
                    "is for a case this laptop does not hold: pay it on the laptop of a member on the case",
                ))
            }
            other => other.map(str::to_owned),
        };
        let mut tx = open.pool.begin().await?;
        let fund = store::fund(&mut tx, &request.fund_id).await?;
        let receipt_id = uuid::Uuid::now_v7().to_string();
        let sha = hex::encode(ring::digest::digest(&ring::digest::SHA256, &bytes));
        let now = now_utc();
        sqlx::query(
            "INSERT INTO fund_receipts (id, fund_id, case_id, file_name, media_type, size, sha256,
                 content, added_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&receipt_id)
        .bind(&fund.id)
        .bind(&case_id)
        .bind(&file_name)
        .bind(media_type)
        .bind(i64::try_from(bytes.len()).unwrap_or(i64::MAX))
        .bind(&sha)
        .bind(&bytes)
        .bind(&open.member.id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        // The outbox carries the metadata; the bytes travel with sync's own blob transfer.
        open.outbox
            .record(
                &mut tx,
                Some(&open.member.id),
                "fund_receipt",
                &receipt_id,
                Op::Insert,
                &serde_json::json!({
                    "fund_id": fund.id, "file_name": file_name, "media_type": media_type,
                    "size": bytes.len(), "sha256": sha, "added_by": open.member.id,
                    "created_at": now,
                }),
            )
            .await?;
        let detail = RowDetail {
            request_id: Some(request.id.clone()),
            on_date: paid_on,
            reference,
            method: Some(method),
            receipt_id: Some(receipt_id),
            ..RowDetail::default()
        };
        let movement = Movement::Payment {
            line: request.line_id.clone(),
            amount: request.amount,
        };
        let id = open.append_row(&mut tx, &fund, movement, detail).await?;
        open.write_request_status(&mut tx, &request.id, ("approved", "paid"), None)
            .await?;
        open.audit_in(&mut tx, "fund.pay", Some(("fund_ledger", &id)))
            .await?;
        tx.commit().await?;
        open.request_view(&request.id).await
    }

    /// A payment's receipt, for those who read the ledger and for whoever asked for the
    /// spending. Audited.
    pub async fn fund_receipt(&self, receipt_id: &str) -> Result<AttachmentContent> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        type Receipt = (String, String, Vec<u8>, Option<String>, Option<String>);
        let row: Option<Receipt> = sqlx::query_as(
            "SELECT r.file_name, r.media_type, r.content, q.requested_by,
                    CASE WHEN q.for_case = 1 THEN ifnull(d.case_id, '') END
             FROM fund_receipts r
             LEFT JOIN fund_ledger l ON l.receipt_id = r.id
             LEFT JOIN fund_requests q ON q.id = l.request_id
             LEFT JOIN fund_request_details d ON d.id = q.id
             WHERE r.id = ? LIMIT 1",
        )
        .bind(receipt_id)
        .fetch_optional(&open.pool)
        .await?;
        let reads_all = open.actor().may(Action::ReadLedger, Resource::Funds);
        // A receipt may name the child: for a case's spending, only those who see the
        // case open it (whoever asked for it, too, is bound by that once off the case).
        let case_id = row.as_ref().and_then(|r| r.4.clone());
        let seen = open.cases_seen(case_id.iter().cloned().collect()).await?;
        let sees_case = case_id.is_none_or(|c| seen.get(&c).copied().unwrap_or(false));
        let mine = |r: &Receipt| r.3.as_deref() == Some(open.member.id.as_str());
        let Some((file_name, media_type, content, _, _)) =
            row.filter(|r| sees_case && (mine(r) || reads_all))
        else {
            open.audit_refusal(Action::ReadLedger, ("fund_receipt", receipt_id))
                .await;
            return Err(Error::Forbidden);
        };
        open.audit("fund.receipt.view", Some(("fund_receipt", receipt_id)))
            .await?;
        Ok(AttachmentContent {
            file_name,
            media_type,
            content_base64: base64::engine::general_purpose::STANDARD.encode(content),
        })
    }

    /// Correct a contribution or a payment with a row of the opposite amount.
    pub async fn reverse_fund_entry(&self, reversal: EntryReversal) -> Result<FundOverview> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize_funds(Action::ManageFund).await?;
        type Entry = (
            String,
            String,
            i64,
            Option<String>,
            bool,
            Option<String>,
            Option<String>,
            Option<String>,
        );
        let entry: Option<Entry> = sqlx::query_as(
            "SELECT fund_id, kind, amount, agency_id, in_kind, line_id, request_id, reverses
             FROM fund_ledger WHERE id = ?",
        )
        .bind(&reversal.entry_id)
        .fetch_optional(&open.pool)
        .await?;
        let Some((fund_id, kind, amount, agency, in_kind, line, request_id, reverses)) = entry
        else {
            return Err(Error::NotFound("the ledger entry"));
        };
        if reverses.is_some() || amount < 0 {
            return Err(Error::invalid(
                "entryId",
                "is itself a correction: record the entry again instead",
            ));
        }
        let reversed: Option<String> =
            sqlx::query_scalar("SELECT id FROM fund_ledger WHERE reverses = ?")
                .bind(&reversal.entry_id)
                .fetch_optional(&open.pool)
                .await?;
        if reversed.is_some() {
            return Err(Error::invalid("entryId", "is already reversed"));
        }
        let reason = required("reason", &reversal.reason)?;
        let movement = match (kind.as_str(), agency, line) {
            ("contribution", Some(agency), _) => Movement::Contribution {
                agency,
                in_kind,
                amount: -amount,
            },
            ("payment", _, Some(line)) => Movement::Payment {
                line,
                amount: -amount,
            },
            ("allocation", ..) => {
                return Err(Error::invalid(
                    "entryId",
                    "is an allocation: move the money between lines instead",
                ))
            }
            _ => {
                return Err(Error::invalid(
                    "entryId",
                    "is an approval: cancel its request instead",
                ))
            }
        };
        let mut tx = open.pool.begin().await?;
        let fund = store::fund(&mut tx, &fund_id).await?;
        let detail = RowDetail {
            request_id: request_id.clone(),
            on_date: crate::cases::today().to_string(),
            description: Some(reason),
            reverses: Some(reversal.entry_id.clone()),
            ..RowDetail::default()
        };
        let id = open.append_row(&mut tx, &fund, movement, detail).await?;
        if kind == "payment" {
            if let Some(request_id) = &request_id {
                open.write_request_status(&mut tx, request_id, ("paid", "approved"), None)
                    .await?;
            }
        }
        open.audit_in(&mut tx, "fund.reverse", Some(("fund_ledger", &id)))
            .await?;
        tx.commit().await?;
        open.overview(&fund).await
    }
}

async fn insert_line(
    open: &Open,
    tx: &mut sqlx::Transaction<'_, Sqlite>,
    fund_id: &str,
    name: &str,
    position: usize,
) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_utc();
    let position = i64::try_from(position).unwrap_or(i64::MAX);
    sqlx::query(
        "INSERT INTO fund_lines (id, fund_id, name, position, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(fund_id)
    .bind(name)
    .bind(position)
    .bind(&open.member.id)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    open.outbox
        .record(
            tx,
            Some(&open.member.id),
            "fund_line",
            &id,
            Op::Insert,
            &serde_json::json!({
                "fund_id": fund_id, "name": name, "position": position,
                "created_by": open.member.id, "created_at": now,
            }),
        )
        .await?;
    Ok(id)
}

#[cfg(feature = "test-support")]
impl Vault {
    /// For benchmarks: write `count` ledger rows to a fund through the same checks and
    /// running totals as every row, in one transaction (contributions, allocations,
    /// commitments and payments in turn, dated over `months` months). No outbox entries.
    pub async fn fill_fund_ledger_for_bench(
        &self,
        fund_id: &str,
        agency_ids: &[String],
        count: usize,
    ) -> Result<()> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let mut tx = open.pool.begin().await?;
        let fund = store::fund(&mut tx, fund_id).await?;
        let lines: Vec<String> =
            sqlx::query_scalar("SELECT id FROM fund_lines WHERE fund_id = ? ORDER BY position")
                .bind(fund_id)
                .fetch_all(&mut *tx)
                .await?;
        if lines.is_empty() || agency_ids.is_empty() {
            return Err(Error::invalid("lines", "the fund needs lines and agencies"));
        }
        let rows = (0..count).map(|i| {
            let round = i / 4;
            let line = lines[round % lines.len()].clone();
            let month = 1 + (round / 1000) % 12;
            let detail = RowDetail {
                on_date: format!("2026-{month:02}-15"),
                ..RowDetail::default()
            };
            let movement = match i % 4 {
                0 => Movement::Contribution {
                    agency: agency_ids[round % agency_ids.len()].clone(),
                    in_kind: round % 7 == 6,
                    amount: 10_000,
                },
                1 => Movement::Allocation {
                    line,
                    amount: 5_000,
                },
                2 => Movement::Commitment {
                    line,
                    amount: 3_000,
                },
                _ => Movement::Payment {
                    line,
                    amount: 2_000,
                },
            };
            (movement, detail)
        });
        store::append(&mut tx, None, &open.member.id, &fund, rows).await?;
        tx.commit().await?;
        Ok(())
    }
}
