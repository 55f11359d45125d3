//! Committees and meetings in SQL, each write with its outbox change (team scope; a
//! meeting's items and decisions travel with it).

use sqlx::{Sqlite, SqliteConnection, Transaction};

use super::{Attendance, Attendee, Committee, Decision, ItemKind, MeetingStatus, MeetingSummary};
use crate::outbox::{now_utc, Op, Outbox};
use crate::{Error, Result};

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: String,
    committee_id: String,
    committee_name: String,
    starts_at: String,
    minutes_long: u32,
    place: String,
    status: MeetingStatus,
}

impl From<SummaryRow> for MeetingSummary {
    fn from(r: SummaryRow) -> Self {
        Self {
            id: r.id,
            committee_id: r.committee_id,
            committee_name: r.committee_name,
            starts_at: r.starts_at,
            minutes_long: r.minutes_long,
            place: r.place,
            status: r.status,
        }
    }
}

const SUMMARIES: &str = "SELECT m.id, m.committee_id, c.name AS committee_name, m.starts_at,
        m.minutes_long, m.place, m.status
    FROM meetings m JOIN committees c ON c.id = m.committee_id WHERE m.deleted_at IS NULL";

/// Meetings from `from` on (local time), the soonest first; or all, the latest first.
pub async fn meetings(
    conn: &mut SqliteConnection,
    from: Option<&str>,
    limit: u32,
) -> Result<Vec<MeetingSummary>> {
    let rows: Vec<SummaryRow> = match from {
        Some(from) => {
            sqlx::query_as(&format!(
                "{SUMMARIES} AND m.status = 'planned' AND m.starts_at >= ?
                 ORDER BY m.starts_at LIMIT ?"
            ))
            .bind(from)
            .bind(limit)
            .fetch_all(&mut *conn)
            .await?
        }
        None => {
            sqlx::query_as(&format!("{SUMMARIES} ORDER BY m.starts_at DESC LIMIT ?"))
                .bind(limit)
                .fetch_all(&mut *conn)
                .await?
        }
    };
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn summary(conn: &mut SqliteConnection, id: &str) -> Result<MeetingSummary> {
    let row: Option<SummaryRow> = sqlx::query_as(&format!("{SUMMARIES} AND m.id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.ok_or(Error::NotFound("the meeting"))?.into())
}

pub async fn attendees(conn: &mut SqliteConnection, meeting_id: &str) -> Result<Vec<Attendee>> {
    let rows: Vec<(String, Attendance)> = sqlx::query_as(
        "SELECT member_id, attendance FROM meeting_attendees WHERE meeting_id = ?
         ORDER BY member_id",
    )
    .bind(meeting_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(member_id, attendance)| Attendee {
            member_id,
            attendance,
        })
        .collect())
}

/// A meeting's agenda rows: (id, position, kind, title, case id, note id).
pub type ItemRow = (
    String,
    u32,
    ItemKind,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub async fn items(conn: &mut SqliteConnection, meeting_id: &str) -> Result<Vec<ItemRow>> {
    Ok(sqlx::query_as(
        "SELECT id, position, kind, title, case_id, note_id FROM meeting_items
         WHERE meeting_id = ? AND deleted_at IS NULL ORDER BY position, id",
    )
    .bind(meeting_id)
    .fetch_all(&mut *conn)
    .await?)
}

pub async fn minutes(conn: &mut SqliteConnection, meeting_id: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT minutes FROM meetings WHERE id = ?")
            .bind(meeting_id)
            .fetch_one(&mut *conn)
            .await?,
    )
}

pub async fn decisions(conn: &mut SqliteConnection, meeting_id: &str) -> Result<Vec<Decision>> {
    let rows: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT id, text, created_by, created_at FROM meeting_decisions WHERE meeting_id = ?
         ORDER BY created_at, id",
    )
    .bind(meeting_id)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, text, created_by, created_at)| Decision {
            id,
            text,
            created_by,
            created_at,
        })
        .collect())
}

async fn record_meeting(
    tx: &mut SqliteConnection,
    outbox: &Outbox,
    author: &str,
    id: &str,
    op: Op,
    fields: serde_json::Value,
) -> Result<()> {
    outbox
        .record_on(tx, Some(author), "meeting", id, op, &fields)
        .await
}

/// Insert a meeting, its committee's members invited, and its agenda (checked by the
/// caller); the caller commits.
/// A meeting checked to be planned: when, how long, where, its agenda (each item's kind,
/// a topic's title, a review's case).
#[derive(Debug)]
pub struct Planned<'a> {
    pub starts_at: &'a str,
    pub minutes_long: u32,
    pub place: &'a str,
    pub agenda: &'a [(ItemKind, Option<String>, Option<String>)],
}

pub async fn insert_meeting(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    committee: &Committee,
    planned: Planned<'_>,
) -> Result<String> {
    let Planned {
        starts_at,
        minutes_long,
        place,
        agenda,
    } = planned;
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_utc();
    sqlx::query(
        "INSERT INTO meetings (id, committee_id, starts_at, minutes_long, place, status,
             created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'planned', ?, ?, ?)",
    )
    .bind(&id)
    .bind(&committee.id)
    .bind(starts_at)
    .bind(minutes_long)
    .bind(place)
    .bind(author)
    .bind(&now)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    for member in &committee.member_ids {
        sqlx::query(
            "INSERT INTO meeting_attendees (meeting_id, member_id, attendance)
             VALUES (?, ?, 'invited')",
        )
        .bind(&id)
        .bind(member)
        .execute(&mut **tx)
        .await?;
    }
    let attendees: Vec<serde_json::Value> = committee
        .member_ids
        .iter()
        .map(|m| serde_json::json!({ "member_id": m, "attendance": "invited" }))
        .collect();
    record_meeting(
        tx,
        outbox,
        author,
        &id,
        Op::Insert,
        serde_json::json!({
            "committee_id": committee.id, "starts_at": starts_at, "minutes_long": minutes_long,
            "place": place, "status": "planned", "attendees": attendees, "created_at": now,
        }),
    )
    .await?;
    for (kind, title, case_id) in agenda {
        insert_item(
            tx,
            outbox,
            author,
            &id,
            *kind,
            title.as_deref(),
            case_id.as_deref(),
        )
        .await?;
    }
    Ok(id)
}

pub async fn insert_item(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    meeting_id: &str,
    kind: ItemKind,
    title: Option<&str>,
    case_id: Option<&str>,
) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_utc();
    let position: u32 = sqlx::query_scalar(
        "SELECT coalesce(max(position) + 1, 0) FROM meeting_items WHERE meeting_id = ?",
    )
    .bind(meeting_id)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO meeting_items (id, meeting_id, position, kind, title, case_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(meeting_id)
    .bind(position)
    .bind(kind.as_str())
    .bind(title)
    .bind(case_id)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    outbox
        .record(
            tx,
            Some(author),
            "meeting_item",
            &id,
            Op::Insert,
            &serde_json::json!({
                "meeting_id": meeting_id, "position": position, "kind": kind, "title": title,
                "case_id": case_id, "created_at": now,
            }),
        )
        .await?;
    Ok(id)
}

pub async fn set_attendance(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    meeting_id: &str,
    attendees: &[Attendee],
) -> Result<()> {
    for attendee in attendees {
        let known: Option<String> =
            sqlx::query_scalar("SELECT id FROM members WHERE id = ? AND deleted_at IS NULL")
                .bind(&attendee.member_id)
                .fetch_optional(&mut **tx)
                .await?;
        if known.is_none() {
            return Err(Error::invalid(
                "attendees",
                "names someone who is not a member",
            ));
        }
    }
    let mut ids: Vec<&str> = attendees.iter().map(|a| a.member_id.as_str()).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return Err(Error::invalid("attendees", "names someone twice"));
    }
    sqlx::query("DELETE FROM meeting_attendees WHERE meeting_id = ?")
        .bind(meeting_id)
        .execute(&mut **tx)
        .await?;
    for a in attendees {
        sqlx::query(
            "INSERT INTO meeting_attendees (meeting_id, member_id, attendance) VALUES (?, ?, ?)",
        )
        .bind(meeting_id)
        .bind(&a.member_id)
        .bind(a.attendance.as_str())
        .execute(&mut **tx)
        .await?;
    }
    let now = now_utc();
    sqlx::query("UPDATE meetings SET updated_at = ? WHERE id = ?")
        .bind(&now)
        .bind(meeting_id)
        .execute(&mut **tx)
        .await?;
    let list: Vec<serde_json::Value> = attendees
        .iter()
        .map(|a| serde_json::json!({ "member_id": a.member_id, "attendance": a.attendance }))
        .collect();
    record_meeting(
        tx,
        outbox,
        author,
        meeting_id,
        Op::Update,
        serde_json::json!({ "attendees": list, "updated_at": now }),
    )
    .await
}

pub async fn set_minutes(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    meeting_id: &str,
    minutes: Option<&str>,
    status: MeetingStatus,
) -> Result<()> {
    let now = now_utc();
    sqlx::query("UPDATE meetings SET minutes = ?, status = ?, updated_at = ? WHERE id = ?")
        .bind(minutes)
        .bind(status.as_str())
        .bind(&now)
        .bind(meeting_id)
        .execute(&mut **tx)
        .await?;
    record_meeting(
        tx,
        outbox,
        author,
        meeting_id,
        Op::Update,
        serde_json::json!({ "minutes": minutes, "status": status, "updated_at": now }),
    )
    .await
}

pub async fn insert_decision(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    meeting_id: &str,
    text: &str,
) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_utc();
    sqlx::query(
        "INSERT INTO meeting_decisions (id, meeting_id, text, created_by, created_at)
         VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(meeting_id)
    .bind(text)
    .bind(author)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    outbox
        .record(
            tx,
            Some(author),
            "meeting_decision",
            &id,
            Op::Insert,
            &serde_json::json!({
                "meeting_id": meeting_id, "text": text, "created_by": author, "created_at": now,
            }),
        )
        .await?;
    Ok(id)
}

/// Note that a review's minutes are the case note `note_id`; the caller commits.
pub async fn link_review_note(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    item_id: &str,
    note_id: &str,
) -> Result<()> {
    sqlx::query("UPDATE meeting_items SET note_id = ? WHERE id = ?")
        .bind(note_id)
        .bind(item_id)
        .execute(&mut **tx)
        .await?;
    outbox
        .record(
            tx,
            Some(author),
            "meeting_item",
            item_id,
            Op::Update,
            &serde_json::json!({ "note_id": note_id }),
        )
        .await
}

/// Note that a card is an action item of `meeting_id`; the caller commits.
pub async fn link_card(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    card_id: &str,
    meeting_id: &str,
) -> Result<()> {
    let now = now_utc();
    sqlx::query("UPDATE cards SET meeting_id = ?, updated_at = ? WHERE id = ?")
        .bind(meeting_id)
        .bind(&now)
        .bind(card_id)
        .execute(&mut **tx)
        .await?;
    outbox
        .record(
            tx,
            Some(author),
            "card",
            card_id,
            Op::Update,
            &serde_json::json!({ "meeting_id": meeting_id, "updated_at": now }),
        )
        .await
}

/// The cards of a meeting: (card id, title, case id, due on, assignees, stage).
pub type ActionRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
);

pub async fn action_cards(conn: &mut SqliteConnection, meeting_id: &str) -> Result<Vec<ActionRow>> {
    Ok(sqlx::query_as(
        "SELECT c.id, c.title, c.case_id, c.due_on,
                (SELECT json_group_array(member_id) FROM card_assignees a WHERE a.card_id = c.id),
                col.stage
         FROM cards c LEFT JOIN board_columns col ON col.id = c.column_id
         WHERE c.meeting_id = ? AND c.deleted_at IS NULL ORDER BY c.created_at, c.id",
    )
    .bind(meeting_id)
    .fetch_all(&mut *conn)
    .await?)
}
