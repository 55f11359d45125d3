//! Documentation and citizenship for a child without ID or citizenship: the steps of the
//! process (birth registration, a DNA test where the registrar asks for one, the
//! application to the district registrar, the hearing, the decision), each with its date,
//! status and documents, and the spending request of the child's case that paid its fees.
//! The steps are on the case, and travel in its scope.

use serde::{Deserialize, Serialize};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use crate::cases::{parse_date, today};
use crate::funds::money::Currency;
use crate::funds::store::Amount;
use crate::outbox::{now_utc, Op, Outbox};
use crate::team::{clean_optional, text_enum};
use crate::{Error, Result};

text_enum! {
    /// A step of the process, in its usual order.
    StepKind {
        BirthRegistration => "birth_registration",
        DnaTest => "dna_test",
        RegistrarApplication => "registrar_application",
        Hearing => "hearing",
        Decision => "decision",
    }
}

text_enum! {
    StepStatus {
        Planned => "planned",
        InProgress => "in_progress",
        Done => "done",
        Refused => "refused",
        NotNeeded => "not_needed",
    }
}

/// A step as shown, with the fee its spending request records (when the asker may read
/// the case's spending, which they may: the steps are the case's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct DocumentationStep {
    pub id: String,
    pub case_id: String,
    pub kind: StepKind,
    pub status: StepStatus,
    pub happened_on: Option<String>,
    pub documents: Option<String>,
    pub fee_request_id: Option<String>,
    /// The request's amount, and its status (pending, approved, paid, …).
    pub fee: Option<Amount>,
    pub fee_status: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewStep {
    pub case_id: String,
    pub kind: StepKind,
    pub status: StepStatus,
    pub happened_on: Option<String>,
    pub documents: Option<String>,
    pub fee_request_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct StepUpdate {
    pub id: String,
    pub status: StepStatus,
    pub happened_on: Option<String>,
    pub documents: Option<String>,
    pub fee_request_id: Option<String>,
}

struct Clean {
    happened_on: Option<String>,
    documents: Option<String>,
    fee_request_id: Option<String>,
}

async fn clean(
    conn: &mut SqliteConnection,
    case_id: &str,
    status: StepStatus,
    happened_on: Option<&str>,
    documents: Option<&str>,
    fee_request_id: Option<&str>,
) -> Result<Clean> {
    let happened_on = match happened_on.map(str::trim).filter(|d| !d.is_empty()) {
        None => None,
        Some(raw) => {
            let day = parse_date("happenedOn", raw)?;
            if day > today() && status != StepStatus::Planned {
                return Err(Error::invalid(
                    "happenedOn",
                    format!("{day} is after today: only a planned step has a day to come"),
                ));
            }
            Some(day.to_string())
        }
    };
    if status == StepStatus::Done && happened_on.is_none() {
        return Err(Error::invalid(
            "happenedOn",
            "a step done has the day it was done",
        ));
    }
    let documents = clean_optional("documents", documents)?;
    let fee_request_id = match fee_request_id.map(str::trim).filter(|f| !f.is_empty()) {
        None => None,
        Some(request) => {
            let of_case: Option<String> = sqlx::query_scalar(
                "SELECT id FROM fund_request_details WHERE id = ? AND case_id = ?",
            )
            .bind(request)
            .bind(case_id)
            .fetch_optional(&mut *conn)
            .await?;
            Some(of_case.ok_or_else(|| {
                Error::invalid("feeRequestId", "is not a spending request of this case")
            })?)
        }
    };
    Ok(Clean {
        happened_on,
        documents,
        fee_request_id,
    })
}

/// The steps of a case, in the order of the process and then of their days.
pub async fn list(conn: &mut SqliteConnection, case_id: &str) -> Result<Vec<DocumentationStep>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        id: String,
        case_id: String,
        kind: StepKind,
        status: StepStatus,
        happened_on: Option<String>,
        documents: Option<String>,
        fee_request_id: Option<String>,
        fee_amount: Option<i64>,
        fee_currency: Option<String>,
        fee_status: Option<String>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT s.id, s.case_id, s.kind, s.status, s.happened_on, s.documents,
                s.fee_request_id, r.amount AS fee_amount, f.currency AS fee_currency,
                r.status AS fee_status
         FROM documentation_steps s LEFT JOIN fund_requests r ON r.id = s.fee_request_id
         LEFT JOIN funds f ON f.id = r.fund_id
         WHERE s.case_id = ? AND s.deleted_at IS NULL
         ORDER BY CASE s.kind WHEN 'birth_registration' THEN 1 WHEN 'dna_test' THEN 2
                  WHEN 'registrar_application' THEN 3 WHEN 'hearing' THEN 4 ELSE 5 END,
                  coalesce(s.happened_on, '9999'), s.id",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| DocumentationStep {
            id: r.id,
            case_id: r.case_id,
            kind: r.kind,
            status: r.status,
            happened_on: r.happened_on,
            documents: r.documents,
            fee_request_id: r.fee_request_id,
            fee: r.fee_amount.zip(r.fee_currency).and_then(|(minor, code)| {
                Currency::parse("currency", &code)
                    .ok()
                    .map(|currency| Amount::of(minor, currency))
            }),
            fee_status: r.fee_status,
        })
        .collect())
}

/// The case a step is on.
pub async fn case_of(conn: &mut SqliteConnection, step_id: &str) -> Result<String> {
    let case: Option<String> = sqlx::query_scalar(
        "SELECT case_id FROM documentation_steps WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(step_id)
    .fetch_optional(&mut *conn)
    .await?;
    case.ok_or(Error::NotFound("the documentation step"))
}

fn fields(
    case_id: &str,
    kind: StepKind,
    status: StepStatus,
    clean: &Clean,
    now: &str,
) -> serde_json::Value {
    serde_json::json!({
        "case_id": case_id, "kind": kind, "status": status,
        "happened_on": clean.happened_on, "documents": clean.documents,
        "fee_request_id": clean.fee_request_id, "updated_at": now,
    })
}

/// Check `new` and insert it; the caller commits. Returns the step's id.
pub async fn insert(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    new: &NewStep,
) -> Result<String> {
    let clean = clean(
        tx,
        &new.case_id,
        new.status,
        new.happened_on.as_deref(),
        new.documents.as_deref(),
        new.fee_request_id.as_deref(),
    )
    .await?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_utc();
    sqlx::query(
        "INSERT INTO documentation_steps (id, case_id, kind, status, happened_on, documents,
             fee_request_id, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&new.case_id)
    .bind(new.kind.as_str())
    .bind(new.status.as_str())
    .bind(&clean.happened_on)
    .bind(&clean.documents)
    .bind(&clean.fee_request_id)
    .bind(author)
    .bind(&now)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    outbox
        .record(
            tx,
            Some(author),
            "documentation_step",
            &id,
            Op::Insert,
            &fields(&new.case_id, new.kind, new.status, &clean, &now),
        )
        .await?;
    Ok(id)
}

/// Check `update` and write it over the step of `case_id`; the caller commits.
pub async fn update(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    case_id: &str,
    update: &StepUpdate,
) -> Result<()> {
    let kind: StepKind = sqlx::query_scalar("SELECT kind FROM documentation_steps WHERE id = ?")
        .bind(&update.id)
        .fetch_one(&mut **tx)
        .await?;
    let clean = clean(
        tx,
        case_id,
        update.status,
        update.happened_on.as_deref(),
        update.documents.as_deref(),
        update.fee_request_id.as_deref(),
    )
    .await?;
    let now = now_utc();
    sqlx::query(
        "UPDATE documentation_steps SET status = ?, happened_on = ?, documents = ?,
             fee_request_id = ?, updated_at = ? WHERE id = ?",
    )
    .bind(update.status.as_str())
    .bind(&clean.happened_on)
    .bind(&clean.documents)
    .bind(&clean.fee_request_id)
    .bind(&now)
    .bind(&update.id)
    .execute(&mut **tx)
    .await?;
    outbox
        .record(
            tx,
            Some(author),
            "documentation_step",
            &update.id,
            Op::Update,
            &fields(case_id, kind, update.status, &clean, &now),
        )
        .await
}
