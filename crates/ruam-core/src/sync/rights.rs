//! What another laptop may write, checked as its batch arrives, by the rights this laptop
//! knows for the member whose laptop it is (`sync_devices.member_id`, as a lead approved
//! it) and by the member's part in the case, as held here. The keys decide who can read a
//! scope; these rules decide what a laptop that can read it may write there: the same
//! rules the app applies on the member's own laptop (`access`). A batch that writes what
//! its member may not (a changed client: a ledger row from a member who neither manages
//! nor approves, an outsider put on a case by one who does not lead it, a task signed off
//! in its reviewer's name) is refused whole, as `entities::leads_only` refuses changes to
//! the team. A lead's laptop (an admin device) is not asked: it may write all of it.
//!
//! A field counts as written only where it differs from the row held here, so a change
//! that carries a value unchanged (a whole set, a row sent again) asks for nothing.

use std::collections::HashMap;

use serde_json::{Map, Value};
use sqlx::SqliteConnection;
use uuid::Uuid;

use super::capture::Target;
use super::changes::{Batch, RowChange};
use crate::Result;

/// The member whose laptop sent a batch, as known here. One who has since left is still
/// the author of what their laptop wrote before it was revoked (a laptop that joins later
/// reads it from the relay); the relay refuses what a revoked laptop sends after.
struct Sender {
    member: Option<String>,
    rights: Vec<String>,
    discipline: Option<String>,
}

impl Sender {
    async fn of(conn: &mut SqliteConnection, device_id: Uuid) -> Result<Self> {
        type Row = (Option<String>, Option<String>, Option<String>);
        let row: Option<Row> = sqlx::query_as(
            "SELECT m.id, r.permissions, m.discipline FROM sync_devices d
             LEFT JOIN members m ON m.id = d.member_id
             LEFT JOIN roles r ON r.id = m.role
             WHERE d.device_id = ?",
        )
        .bind(device_id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
        let (member, rights, discipline) = row.unwrap_or_default();
        Ok(Self {
            member,
            rights: rights
                .and_then(|json| serde_json::from_str(&json).ok())
                .unwrap_or_default(),
            discipline,
        })
    }

    fn has(&self, right: &str) -> bool {
        self.rights.iter().any(|r| r == right)
    }

    /// Whether `who` names this member (never true for a laptop whose member is gone).
    fn is(&self, who: Option<&str>) -> bool {
        self.member.is_some() && who == self.member.as_deref()
    }
}

/// Why the batch is refused, if a change of it is one its laptop's member may not make.
pub async fn refusal(
    conn: &mut SqliteConnection,
    batch: &Batch,
    target: &Target,
    device_id: Uuid,
) -> Result<Option<String>> {
    let sender = Sender::of(conn, device_id).await?;
    let held = Held::read(conn, batch).await?;
    if let Some(reason) = funds(conn, batch, &sender).await? {
        return Ok(Some(reason));
    }
    if let Target::Case(case_id) | Target::Section(case_id, _) = target {
        let section = match target {
            Target::Section(_, section) => Some(section.as_str()),
            _ => None,
        };
        if let Some(reason) = case(conn, batch, &held, &sender, case_id, section).await? {
            return Ok(Some(reason));
        }
    }
    Ok(records(batch, &held, &sender))
}

/// The rows a batch changes, as held here before it (the rows of the entities whose
/// rules look at what is there).
struct Held(HashMap<(String, String), Map<String, Value>>);

impl Held {
    const ENTITIES: [&'static str; 6] = [
        "case",
        "case_note",
        "case_attachment",
        "card",
        "card_comment",
        "card_attachment",
    ];

    async fn read(conn: &mut SqliteConnection, batch: &Batch) -> Result<Self> {
        let mut out = HashMap::new();
        for name in Self::ENTITIES {
            let ids: Vec<String> = batch
                .changes
                .iter()
                .filter(|c| c.entity == name)
                .map(|c| c.id.clone())
                .collect();
            let Some(entity) = super::entities::entity(name) else {
                continue;
            };
            if ids.is_empty() {
                continue;
            }
            for (id, fields) in super::entities::read_rows(conn, entity, &ids).await? {
                out.insert((name.to_owned(), id), fields);
            }
        }
        Ok(Self(out))
    }

    fn row(&self, change: &RowChange) -> Option<&Map<String, Value>> {
        self.0.get(&(change.entity.clone(), change.id.clone()))
    }

    /// The fields a change writes: those that differ from the row held here.
    fn written<'a>(&self, change: &'a RowChange) -> Vec<&'a str> {
        let row = self.row(change);
        change
            .fields
            .iter()
            .filter(|(name, value)| row.is_none_or(|row| row.get(name.as_str()) != Some(value)))
            .map(|(name, _)| name.as_str())
            .collect()
    }
}

fn field<'a>(change: &'a RowChange, name: &str) -> Option<&'a str> {
    change.fields.get(name).and_then(Value::as_str)
}

fn held_field<'a>(row: Option<&'a Map<String, Value>>, name: &str) -> Option<&'a str> {
    row.and_then(|r| r.get(name)).and_then(Value::as_str)
}

fn refuse(entity: &str) -> Option<String> {
    Some(format!(
        "writes a {entity} that its laptop's member may not"
    ))
}

/// The pooled funds: funds, lines, receipts need `funds.manage`; ledger rows manage or
/// approve; decisions approve, in one's own name; requests and their details manage or
/// approve, or (one who asks) one's own request, pending or withdrawn.
async fn funds(
    conn: &mut SqliteConnection,
    batch: &Batch,
    sender: &Sender,
) -> Result<Option<String>> {
    if !batch.changes.iter().any(|c| c.entity.starts_with("fund")) {
        return Ok(None);
    }
    let manages = sender.has("funds.manage");
    let decides = sender.has("funds.approve");
    for change in &batch.changes {
        let allowed = match change.entity.as_str() {
            "fund" | "fund_line" | "fund_receipt" => manages,
            "fund_ledger" => manages || decides,
            "fund_decision" => decides && sender.is(field(change, "member_id")),
            "fund_request" | "fund_request_detail" => {
                manages
                    || decides
                    || (sender.has("funds.request")
                        // One who only asks may ask and withdraw, never approve.
                        && field(change, "status").is_none_or(|s| s == "pending" || s == "cancelled")
                        && sender.is(requester(conn, batch, change).await?.as_deref()))
            }
            _ => true,
        };
        if !allowed {
            return Ok(refuse(&change.entity));
        }
    }
    Ok(None)
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

/// A case's rules (`access::case_rule`): its members and those who oversee every case
/// write in it, a section's audience in a section; its lead (or one who oversees) says
/// who is on it; one who leads or supports it changes its file, refers it, asks to close
/// it; closing, reopening, overriding consent need `cases.approve`; a note or file is
/// changed by whoever wrote it, the case's lead, or one who oversees.
async fn case(
    conn: &mut SqliteConnection,
    batch: &Batch,
    held: &Held,
    sender: &Sender,
    case_id: &str,
    section: Option<&str>,
) -> Result<Option<String>> {
    let oversees = sender.has("cases.oversee");
    let approves = sender.has("cases.approve");
    let case_change = batch
        .changes
        .iter()
        .find(|c| c.entity == "case" && c.id == case_id);
    let known: Option<String> = sqlx::query_scalar("SELECT status FROM cases WHERE id = ?")
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await?;
    let part: Option<String> = match &known {
        Some(_) => {
            sqlx::query_scalar(
                "SELECT responsibility FROM case_members
                 WHERE case_id = ? AND member_id = ? AND removed_at IS NULL",
            )
            .bind(case_id)
            .bind(sender.member.as_deref().unwrap_or(""))
            .fetch_optional(&mut *conn)
            .await?
        }
        // A case new here: its opener's word, in the batch that brings it.
        None => case_change
            .and_then(|c| c.fields.get("members"))
            .and_then(Value::as_array)
            .and_then(|members| {
                members.iter().find_map(|m| {
                    (sender.is(m.get("member_id").and_then(Value::as_str))
                        && m.get("removed_at").is_none_or(Value::is_null))
                    .then(|| m.get("responsibility")?.as_str().map(str::to_owned))
                    .flatten()
                })
            }),
    };
    let leads = part.as_deref() == Some("lead");
    let works = leads || part.as_deref() == Some("support") || oversees;
    let sees = match section {
        // A narrower section: the case's lead and its members of that discipline.
        Some(section) => leads || (part.is_some() && sender.discipline.as_deref() == Some(section)),
        None => part.is_some() || oversees,
    };
    if !sees {
        return Ok(Some(
            "writes into a case its laptop's member is not on".to_owned(),
        ));
    }
    for change in &batch.changes {
        let written = held.written(change);
        let row = held.row(change);
        let allowed = match change.entity.as_str() {
            "case" if change.id == case_id => {
                if known.is_none() {
                    // Opening a case: one who may, as its lead; or one who oversees.
                    oversees
                        || (sender.has("cases.create")
                            && leads
                            && sender.is(field(change, "created_by")))
                } else {
                    let closing = |name: &str| {
                        matches!(name, "closed_by" | "closed_at")
                            || (name == "status"
                                && (field(change, "status") == Some("closed")
                                    || known.as_deref() == Some("closed")))
                    };
                    written.iter().all(|name| match *name {
                        "updated_at" => true,
                        "members" => leads || oversees,
                        name if closing(name) => approves,
                        _ => works,
                    })
                }
            }
            "case_person" | "case_consent" => works,
            "case_referral" => {
                works
                    && (!written.contains(&"consent_override_reason")
                        || change
                            .fields
                            .get("consent_override_reason")
                            .is_none_or(Value::is_null)
                        || approves)
            }
            "case_note" | "case_attachment" => {
                let author = if change.entity == "case_note" {
                    "author_id"
                } else {
                    "added_by"
                };
                match row {
                    // A new one in one's own name.
                    None => sender.is(field(change, author)),
                    // A correction or deletion: its author, the case's lead, one who oversees.
                    Some(row) => {
                        written.is_empty()
                            || (!written.contains(&author)
                                && (oversees || leads || sender.is(held_field(Some(row), author))))
                    }
                }
            }
            _ => true,
        };
        if !allowed {
            return Ok(refuse(&change.entity));
        }
    }
    Ok(None)
}

/// Rules of any scope: a task is signed off (or sent back) by its reviewer, or by one who
/// approves cases, in their own name; a comment is written in one's own name.
fn records(batch: &Batch, held: &Held, sender: &Sender) -> Option<String> {
    for change in &batch.changes {
        let written = held.written(change);
        let row = held.row(change);
        let allowed = match change.entity.as_str() {
            "card" => {
                let decides = written.contains(&"review")
                    && matches!(field(change, "review"), Some("approved" | "returned"));
                let signs = written.contains(&"signed_off_by")
                    && change
                        .fields
                        .get("signed_off_by")
                        .is_some_and(|v| !v.is_null());
                let reviewer = sender.is(held_field(row, "reviewer_id"));
                (!decides && !signs)
                    || ((reviewer || sender.has("cases.approve"))
                        && (!signs || sender.is(field(change, "signed_off_by"))))
            }
            "card_comment" => row.is_some() || sender.is(field(change, "author_id")),
            // A new file in one's own name; its removal by any who work on the card.
            "card_attachment" => row.is_some() || sender.is(field(change, "added_by")),
            // Committees are made by those who manage the team.
            "committee" => sender.has("team.manage"),
            // The register is kept by those who keep it.
            "village" | "volunteer" | "household" | "register_child" | "register_rule" => {
                sender.has("community.manage")
            }
            _ => true,
        };
        if !allowed {
            return refuse(&change.entity);
        }
    }
    None
}
