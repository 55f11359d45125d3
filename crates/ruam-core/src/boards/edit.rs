//! A card in full (checklist, comments, attachments, history) and the changes made to it
//! after it is created; a board's columns renamed, added, moved and removed. Every change
//! writes its outbox entry and a line of the card's history in the caller's transaction;
//! positions of cards and columns stay 0, 1, 2, … among those not deleted.

use serde::{Deserialize, Serialize};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use super::store::{card_event, finish, CardRow, CardSummary};
use super::{clean_column_name, CheckedCard, Review, Stage};
use crate::outbox::{now_utc, Op, Outbox};
use crate::{Error, Result};

/// A card with everything on it, for those who may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CardDetail {
    pub card: CardSummary,
    pub board_id: String,
    /// The case of the board the card is on (a card on a case's board stays with it);
    /// none for the team's board, where `card.case_id` is the case it is linked to.
    pub board_case_id: Option<String>,
    pub stage: Option<Stage>,
    pub description: Option<String>,
    pub agency_id: Option<String>,
    pub starts_on: Option<String>,
    pub labels: Vec<String>,
    pub checklist: Vec<ChecklistItem>,
    pub comments: Vec<CardComment>,
    pub attachments: Vec<CardAttachment>,
    /// Oldest first (within a millisecond, in the order written).
    pub history: Vec<CardEvent>,
    pub created_by: String,
    pub created_at: String,
    /// The meeting whose action item the card is.
    pub meeting: Option<MeetingLink>,
    /// Whether the reader may change the card's fields, and delete it.
    pub may_edit: bool,
    pub may_delete: bool,
    /// Whether the reader may comment, attach and tick the checklist (those who work on
    /// the board, and the card's assignees and reviewer).
    pub may_contribute: bool,
}

/// The meeting a card came from: its committee and when it met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MeetingLink {
    pub meeting_id: String,
    pub committee_name: String,
    /// Local time, `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChecklistItem {
    pub id: String,
    pub text: String,
    pub done: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CardComment {
    pub id: String,
    pub body: String,
    pub author_id: String,
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CardAttachment {
    pub id: String,
    pub file_name: String,
    pub media_type: String,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub size: i64,
    pub added_by: String,
    pub created_at: String,
}

/// A line of a card's history: what happened (`created`, `moved`, `review`, `edited`,
/// `checklist`, `comment`, `attachment`, `handover`, `deleted`), with its details as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CardEvent {
    pub kind: String,
    pub detail: String,
    pub actor: String,
    pub at: String,
}

#[derive(sqlx::FromRow)]
struct DetailRow {
    #[sqlx(flatten)]
    card: CardSummary,
    board_id: String,
    board_case_id: Option<String>,
    stage: Option<Stage>,
    description: Option<String>,
    agency_id: Option<String>,
    starts_on: Option<String>,
    created_by: String,
    created_at: String,
}

/// Who may do what with a card, decided by the caller (`access`).
#[derive(Debug, Clone, Copy, Default)]
pub struct CardRights {
    pub edit: bool,
    pub delete: bool,
    pub contribute: bool,
}

/// A card that is not deleted, in full. The caller has checked the reader may see it.
pub async fn card_detail(
    conn: &mut SqliteConnection,
    card_id: &str,
    rights: CardRights,
) -> Result<CardDetail> {
    let row: DetailRow = sqlx::query_as(
        "SELECT c.id, c.column_id, c.position, c.title, c.case_id, c.due_on, c.priority,
                c.reviewer_id, c.review, c.signed_off_by, c.signed_off_at,
                (SELECT group_concat(member_id) FROM card_assignees WHERE card_id = c.id) AS assignees,
                c.board_id, b.case_id AS board_case_id, bc.stage, c.description, c.agency_id,
                c.starts_on, c.created_by, c.created_at
         FROM cards c JOIN boards b ON b.id = c.board_id
              JOIN board_columns bc ON bc.id = c.column_id
         WHERE c.id = ? AND c.deleted_at IS NULL",
    )
    .bind(card_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound("the card"))?;
    let labels: Vec<String> =
        sqlx::query_scalar("SELECT label FROM card_labels WHERE card_id = ? ORDER BY label")
            .bind(card_id)
            .fetch_all(&mut *conn)
            .await?;
    let checklist: Vec<ChecklistItem> = sqlx::query_as(
        "SELECT id, text, done FROM card_checklist WHERE card_id = ? ORDER BY position, id",
    )
    .bind(card_id)
    .fetch_all(&mut *conn)
    .await?;
    let comments: Vec<CardComment> = sqlx::query_as(
        "SELECT id, body, author_id, created_at FROM card_comments WHERE card_id = ?
         ORDER BY created_at, rowid",
    )
    .bind(card_id)
    .fetch_all(&mut *conn)
    .await?;
    let attachments: Vec<CardAttachment> = sqlx::query_as(
        "SELECT id, file_name, media_type, size, added_by, created_at FROM card_attachments
         WHERE card_id = ? AND deleted_at IS NULL ORDER BY created_at, rowid",
    )
    .bind(card_id)
    .fetch_all(&mut *conn)
    .await?;
    let meeting: Option<MeetingLink> = sqlx::query_as(
        "SELECT m.id AS meeting_id, k.name AS committee_name, m.starts_at
         FROM cards c JOIN meetings m ON m.id = c.meeting_id
              JOIN committees k ON k.id = m.committee_id
         WHERE c.id = ? AND m.deleted_at IS NULL",
    )
    .bind(card_id)
    .fetch_optional(&mut *conn)
    .await?;
    let history: Vec<CardEvent> = sqlx::query_as(
        "SELECT kind, detail, actor, at FROM card_events WHERE card_id = ? ORDER BY at, rowid",
    )
    .bind(card_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(CardDetail {
        card: finish(row.card),
        board_id: row.board_id,
        board_case_id: row.board_case_id,
        stage: row.stage,
        description: row.description,
        agency_id: row.agency_id,
        starts_on: row.starts_on,
        labels,
        checklist,
        comments,
        attachments,
        history,
        created_by: row.created_by,
        created_at: row.created_at,
        meeting,
        may_edit: rights.edit,
        may_delete: rights.delete,
        may_contribute: rights.contribute,
    })
}

/// A checklist item as sent back after an edit: an item already on the card keeps its id.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ChecklistEntry {
    pub id: Option<String>,
    pub text: String,
    #[serde(default)]
    pub done: bool,
}

/// The new state of a card's fields, already checked.
#[derive(Debug, Clone)]
pub struct CardUpdate<'a> {
    pub fields: &'a CheckedCard,
    /// The case the card is about (the board's case on a case's board).
    pub case_id: Option<&'a str>,
    pub review: Review,
    /// The checklist in order: (id if kept, text, done).
    pub checklist: Vec<(Option<String>, String, bool)>,
}

/// Write a card's new fields, assignees, labels and checklist. Answers the names of the
/// fields that changed (nothing is written when none did).
pub async fn update_card(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    before: &CardDetail,
    update: &CardUpdate<'_>,
) -> Result<Vec<&'static str>> {
    let card_id = before.card.id.as_str();
    let f = update.fields;
    let mut changed: Vec<&'static str> = Vec::new();
    let mut note = |name: &'static str, differs: bool| {
        if differs {
            changed.push(name);
        }
    };
    note("title", f.title != before.card.title);
    note("description", f.description != before.description);
    note("case_id", update.case_id != before.card.case_id.as_deref());
    note("agency_id", f.agency_id != before.agency_id);
    note("starts_on", f.starts_on != before.starts_on);
    note("due_on", f.due_on != before.card.due_on);
    note("priority", f.priority != before.card.priority);
    note("reviewer_id", f.reviewer_id != before.card.reviewer_id);
    let mut old_assignees = before.card.assignee_ids.clone();
    old_assignees.sort();
    let mut new_assignees = f.assignee_ids.clone();
    new_assignees.sort();
    note("assignee_ids", old_assignees != new_assignees);
    let mut new_labels = f.labels.clone();
    new_labels.sort();
    note("labels", new_labels != before.labels);
    let old_checklist: Vec<(Option<String>, String, bool)> = before
        .checklist
        .iter()
        .map(|i| (Some(i.id.clone()), i.text.clone(), i.done))
        .collect();
    note("checklist", old_checklist != update.checklist);
    if changed.is_empty() {
        return Ok(changed);
    }
    let now = now_utc();
    sqlx::query(
        "UPDATE cards SET title = ?, description = ?, case_id = ?, agency_id = ?, starts_on = ?,
             due_on = ?, priority = ?, reviewer_id = ?, review = ?, updated_at = ?
         WHERE id = ?",
    )
    .bind(&f.title)
    .bind(&f.description)
    .bind(update.case_id)
    .bind(&f.agency_id)
    .bind(&f.starts_on)
    .bind(&f.due_on)
    .bind(f.priority)
    .bind(&f.reviewer_id)
    .bind(update.review)
    .bind(&now)
    .bind(card_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM card_assignees WHERE card_id = ?")
        .bind(card_id)
        .execute(&mut **tx)
        .await?;
    for member in &f.assignee_ids {
        sqlx::query("INSERT INTO card_assignees (card_id, member_id) VALUES (?, ?)")
            .bind(card_id)
            .bind(member)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM card_labels WHERE card_id = ?")
        .bind(card_id)
        .execute(&mut **tx)
        .await?;
    for label in &f.labels {
        sqlx::query("INSERT INTO card_labels (card_id, label) VALUES (?, ?)")
            .bind(card_id)
            .bind(label)
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("DELETE FROM card_checklist WHERE card_id = ?")
        .bind(card_id)
        .execute(&mut **tx)
        .await?;
    let mut checklist = Vec::with_capacity(update.checklist.len());
    for (position, (id, text, done)) in update.checklist.iter().enumerate() {
        let id = id
            .clone()
            .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
        sqlx::query(
            "INSERT INTO card_checklist (id, card_id, text, done, position) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(card_id)
        .bind(text)
        .bind(done)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .execute(&mut **tx)
        .await?;
        checklist.push(serde_json::json!({ "id": id, "text": text, "done": done }));
    }
    outbox
        .record(
            tx,
            Some(author),
            "card",
            card_id,
            Op::Update,
            &serde_json::json!({
                "title": f.title, "description": f.description, "case_id": update.case_id,
                "agency_id": f.agency_id, "starts_on": f.starts_on, "due_on": f.due_on,
                "priority": f.priority, "reviewer_id": f.reviewer_id, "review": update.review,
                "assignee_ids": f.assignee_ids, "labels": f.labels, "checklist": checklist,
                "updated_at": now,
            }),
        )
        .await?;
    card_event(
        tx,
        outbox,
        card_id,
        "edited",
        serde_json::json!({ "fields": changed }),
        author,
    )
    .await?;
    Ok(changed)
}

/// Tick or untick one item of a card's checklist.
pub async fn tick_item(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    card_id: &str,
    item_id: &str,
    done: bool,
) -> Result<()> {
    let changed = sqlx::query("UPDATE card_checklist SET done = ? WHERE id = ? AND card_id = ?")
        .bind(done)
        .bind(item_id)
        .bind(card_id)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    if changed == 0 {
        return Err(Error::invalid(
            "item_id",
            "is not on this card's checklist (it may have been removed; reload the card)",
        ));
    }
    touch(tx, card_id).await?;
    outbox
        .record(
            tx,
            Some(author),
            "card_checklist",
            item_id,
            Op::Update,
            &serde_json::json!({ "card_id": card_id, "done": done }),
        )
        .await?;
    card_event(
        tx,
        outbox,
        card_id,
        "checklist",
        serde_json::json!({ "item": item_id, "done": done }),
        author,
    )
    .await
}

async fn touch(tx: &mut Transaction<'_, Sqlite>, card_id: &str) -> Result<()> {
    sqlx::query("UPDATE cards SET updated_at = ? WHERE id = ?")
        .bind(now_utc())
        .bind(card_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Add an encrypted attachment (its bytes stay inside the vault) to a card.
pub async fn add_attachment(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    card_id: &str,
    file: (&str, &str, &[u8]),
) -> Result<String> {
    let (file_name, media_type, bytes) = file;
    let sha = hex::encode(ring::digest::digest(&ring::digest::SHA256, bytes));
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_utc();
    sqlx::query(
        "INSERT INTO card_attachments (id, card_id, file_name, media_type, size, sha256, content,
             added_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(card_id)
    .bind(file_name)
    .bind(media_type)
    .bind(i64::try_from(bytes.len()).unwrap_or(i64::MAX))
    .bind(&sha)
    .bind(bytes)
    .bind(author)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    touch(tx, card_id).await?;
    // The outbox carries the metadata; the bytes travel with sync's own blob transfer.
    outbox
        .record(
            tx,
            Some(author),
            "card_attachment",
            &id,
            Op::Insert,
            &serde_json::json!({
                "card_id": card_id, "file_name": file_name, "media_type": media_type,
                "size": bytes.len(), "sha256": sha, "added_by": author, "created_at": now,
            }),
        )
        .await?;
    card_event(
        tx,
        outbox,
        card_id,
        "attachment",
        serde_json::json!({ "attachment": id, "file_name": file_name }),
        author,
    )
    .await?;
    Ok(id)
}

/// Mark a card deleted; the cards below it in its column close up.
pub async fn delete_card(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    card: &CardRow,
) -> Result<()> {
    let now = now_utc();
    sqlx::query("UPDATE cards SET deleted_at = ?, updated_at = ? WHERE id = ?")
        .bind(&now)
        .bind(&now)
        .bind(&card.id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE cards SET position = position - 1 WHERE column_id = ? AND deleted_at IS NULL
         AND position > ?",
    )
    .bind(&card.column_id)
    .bind(card.position)
    .execute(&mut **tx)
    .await?;
    outbox
        .record(
            tx,
            Some(author),
            "card",
            &card.id,
            Op::Delete,
            &serde_json::json!({ "deleted_at": now }),
        )
        .await?;
    card_event(
        tx,
        outbox,
        &card.id,
        "deleted",
        serde_json::json!({}),
        author,
    )
    .await
}

/// A column of a board, as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ColumnRow {
    pub id: String,
    pub board_id: String,
    pub name: Option<String>,
    pub stage: Option<Stage>,
    pub position: i64,
    pub deleted: bool,
}

/// A column, deleted or not; `NotFound` when there never was one.
pub async fn column_row(conn: &mut SqliteConnection, column_id: &str) -> Result<ColumnRow> {
    sqlx::query_as(
        "SELECT id, board_id, name, stage, position, deleted_at IS NOT NULL AS deleted
         FROM board_columns WHERE id = ?",
    )
    .bind(column_id)
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound("the column"))
}

async fn columns_in(conn: &mut SqliteConnection, board_id: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM board_columns WHERE board_id = ? AND deleted_at IS NULL",
    )
    .bind(board_id)
    .fetch_one(conn)
    .await?)
}

/// The most columns a board may have: enough for any team's steps, few enough to see.
pub const COLUMNS_MAX: i64 = 12;

/// Add a named column at `position` (clamped; the end when none).
pub async fn add_column(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    board_id: &str,
    name: &str,
    position: Option<i64>,
) -> Result<String> {
    let count = columns_in(tx, board_id).await?;
    if count >= COLUMNS_MAX {
        return Err(Error::invalid(
            "name",
            format!("a board has at most {COLUMNS_MAX} columns"),
        ));
    }
    let to = position.unwrap_or(count).clamp(0, count);
    sqlx::query(
        "UPDATE board_columns SET position = position + 1 WHERE board_id = ? AND deleted_at IS NULL
         AND position >= ?",
    )
    .bind(board_id)
    .bind(to)
    .execute(&mut **tx)
    .await?;
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_utc();
    sqlx::query(
        "INSERT INTO board_columns (id, board_id, name, stage, position, created_at)
         VALUES (?, ?, ?, NULL, ?, ?)",
    )
    .bind(&id)
    .bind(board_id)
    .bind(name)
    .bind(to)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    outbox
        .record(
            tx,
            Some(author),
            "board_column",
            &id,
            Op::Insert,
            &serde_json::json!({ "board_id": board_id, "name": name, "position": to }),
        )
        .await?;
    Ok(id)
}

/// Rename a column (empty: a starting column goes back to its stage's name; none: the
/// name stays) and move it.
pub async fn change_column(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    column: &ColumnRow,
    name: Option<&str>,
    position: Option<i64>,
) -> Result<()> {
    let name = match name.map(str::trim) {
        // Only moved: the name stays.
        None => column.name.clone(),
        Some("") if column.stage.is_some() => None,
        Some(raw) => Some(clean_column_name(raw)?),
    };
    let count = columns_in(tx, &column.board_id).await?;
    let to = position
        .unwrap_or(column.position)
        .clamp(0, (count - 1).max(0));
    if to > column.position {
        sqlx::query(
            "UPDATE board_columns SET position = position - 1 WHERE board_id = ?
             AND deleted_at IS NULL AND id <> ? AND position > ? AND position <= ?",
        )
        .bind(&column.board_id)
        .bind(&column.id)
        .bind(column.position)
        .bind(to)
        .execute(&mut **tx)
        .await?;
    } else if to < column.position {
        sqlx::query(
            "UPDATE board_columns SET position = position + 1 WHERE board_id = ?
             AND deleted_at IS NULL AND id <> ? AND position >= ? AND position < ?",
        )
        .bind(&column.board_id)
        .bind(&column.id)
        .bind(to)
        .bind(column.position)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("UPDATE board_columns SET name = ?, position = ? WHERE id = ?")
        .bind(&name)
        .bind(to)
        .bind(&column.id)
        .execute(&mut **tx)
        .await?;
    outbox
        .record(
            tx,
            Some(author),
            "board_column",
            &column.id,
            Op::Update,
            &serde_json::json!({ "name": name, "position": to }),
        )
        .await
}

/// Remove an empty column the team added (the starting columns carry the review flow).
pub async fn delete_column(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    column: &ColumnRow,
) -> Result<()> {
    if column.stage.is_some() {
        return Err(Error::invalid(
            "column_id",
            "this column carries a step of the review flow; rename it instead",
        ));
    }
    let cards: i64 =
        sqlx::query_scalar("SELECT count(*) FROM cards WHERE column_id = ? AND deleted_at IS NULL")
            .bind(&column.id)
            .fetch_one(&mut **tx)
            .await?;
    if cards > 0 {
        // No count: some of them may be on cases the asker may not see.
        return Err(Error::invalid(
            "column_id",
            "still holds cards; move them to another column first",
        ));
    }
    let now = now_utc();
    sqlx::query("UPDATE board_columns SET deleted_at = ? WHERE id = ?")
        .bind(&now)
        .bind(&column.id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "UPDATE board_columns SET position = position - 1 WHERE board_id = ?
         AND deleted_at IS NULL AND position > ?",
    )
    .bind(&column.board_id)
    .bind(column.position)
    .execute(&mut **tx)
    .await?;
    outbox
        .record(
            tx,
            Some(author),
            "board_column",
            &column.id,
            Op::Delete,
            &serde_json::json!({ "deleted_at": now }),
        )
        .await
}

/// When a member was last reminded of their late and due tasks (a day, where they are).
pub async fn reminded_on(conn: &mut SqliteConnection, member_id: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT reminded_on FROM task_reminders WHERE member_id = ?")
            .bind(member_id)
            .fetch_optional(conn)
            .await?,
    )
}

pub async fn set_reminded_on(
    conn: &mut SqliteConnection,
    member_id: &str,
    day: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO task_reminders (member_id, reminded_on) VALUES (?, ?)
         ON CONFLICT (member_id) DO UPDATE SET reminded_on = excluded.reminded_on",
    )
    .bind(member_id)
    .bind(day)
    .execute(conn)
    .await?;
    Ok(())
}
