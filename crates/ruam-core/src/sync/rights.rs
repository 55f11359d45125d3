//! What another laptop may write in the pooled funds, checked as its batch arrives, by the
//! rights this laptop knows for the member whose laptop it is (`sync_devices.member_id`,
//! as a lead approved it). A batch that writes what its member may not (a changed client:
//! a ledger row from a member who neither manages nor approves, a decision in another
//! member's name) is refused whole, as `entities::leads_only` refuses changes to the team.
//! A lead's laptop (an admin device) is not asked: it may write all of the funds.

use serde_json::Value;
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::changes::{Batch, RowChange};
use crate::Result;

/// Why the batch is refused, if a change of it is one its laptop's member may not make.
pub async fn funds_refusal(
    conn: &mut SqliteConnection,
    batch: &Batch,
    device_id: Uuid,
) -> Result<Option<String>> {
    if !batch.changes.iter().any(|c| c.entity.starts_with("fund")) {
        return Ok(None);
    }
    let sender: Option<(Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT d.member_id, r.permissions FROM sync_devices d
         LEFT JOIN members m ON m.id = d.member_id AND m.status = 'active'
         LEFT JOIN roles r ON r.id = m.role
         WHERE d.device_id = ?",
    )
    .bind(device_id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let (member, rights) = sender.unwrap_or_default();
    let rights: Vec<String> = rights
        .and_then(|json| serde_json::from_str(&json).ok())
        .unwrap_or_default();
    let has = |right: &str| rights.iter().any(|r| r == right);
    let manages = has("funds.manage");
    let decides = has("funds.approve");
    for change in &batch.changes {
        let allowed = match change.entity.as_str() {
            "fund" | "fund_line" | "fund_receipt" => manages,
            "fund_ledger" => manages || decides,
            "fund_decision" => {
                decides && member.is_some() && field(change, "member_id") == member.as_deref()
            }
            "fund_request" | "fund_request_detail" => {
                manages
                    || decides
                    || (has("funds.request")
                        // One who only asks may ask and withdraw, never approve.
                        && field(change, "status").is_none_or(|s| s == "pending" || s == "cancelled")
                        && member.is_some()
                        && requester(conn, batch, change).await?.as_deref() == member.as_deref())
            }
            _ => true,
        };
        if !allowed {
            return Ok(Some(format!(
                "writes a {} that its laptop's member may not",
                change.entity
            )));
        }
    }
    Ok(None)
}

fn field<'a>(change: &'a RowChange, name: &str) -> Option<&'a str> {
    change.fields.get(name).and_then(Value::as_str)
}

/// Who asked for the request a change is about: the request as held here, else (a new
/// one) the word of its change in the batch.
async fn requester(
    conn: &mut SqliteConnection,
    batch: &Batch,
    change: &RowChange,
) -> Result<Option<String>> {
    let held: Option<String> =
        sqlx::query_scalar("SELECT requested_by FROM fund_requests WHERE id = ?")
            .bind(&change.id)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(held.or_else(|| {
        batch
            .changes
            .iter()
            .filter(|c| c.entity == "fund_request" && c.id == change.id)
            .find_map(|c| field(c, "requested_by"))
            .map(str::to_owned)
    }))
}
