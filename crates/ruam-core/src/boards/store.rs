//! Boards, columns and cards in SQL. Every list of cards takes the viewer, so a card on a
//! case the viewer may not see is never in an answer. Card positions within a column are
//! 0, 1, 2, … with no gaps or repeats; every move renumbers in its transaction.

use serde::Serialize;
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};

use super::{CheckedCard, Priority, Review, Stage, DEFAULT_STAGES};
use crate::cases::store::Viewer;
use crate::outbox::{now_utc, Op, Outbox};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Board {
    pub id: String,
    /// The case whose board this is; none for the team's board.
    pub case_id: Option<String>,
    pub columns: Vec<Column>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Column {
    pub id: String,
    /// None: named by its stage, in the reader's language.
    pub name: Option<String>,
    pub stage: Option<Stage>,
    /// The column's first cards ([`COLUMN_PAGE`]); `column_cards` gives the next ones.
    pub cards: Vec<CardSummary>,
    /// How many cards the column holds that the reader may see.
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub total: i64,
}

/// How many cards of a column one answer carries: a board opens with the first of each
/// column, and the rest come as the reader scrolls. A board of thousands of cards then
/// opens as fast as a small one.
pub const COLUMN_PAGE: i64 = 50;

/// A card as a board shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CardSummary {
    pub id: String,
    pub column_id: String,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub position: i64,
    pub title: String,
    pub case_id: Option<String>,
    pub due_on: Option<String>,
    pub priority: Priority,
    pub reviewer_id: Option<String>,
    pub review: Review,
    /// Who approved it after review, and when.
    pub signed_off_by: Option<String>,
    pub signed_off_at: Option<String>,
    /// Member ids, comma-separated in SQL; a list here.
    #[sqlx(skip)]
    pub assignee_ids: Vec<String>,
    #[sqlx(rename = "assignees")]
    #[serde(skip)]
    pub assignees_joined: Option<String>,
}

/// A card as `load_board` reads it, in one JSON array.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct CardJson {
    id: String,
    column_id: String,
    position: i64,
    title: String,
    case_id: Option<String>,
    due_on: Option<String>,
    priority: Priority,
    reviewer_id: Option<String>,
    review: Review,
    signed_off_by: Option<String>,
    signed_off_at: Option<String>,
    #[serde(default)]
    assignee_ids: Vec<String>,
}

impl From<CardJson> for CardSummary {
    fn from(card: CardJson) -> Self {
        Self {
            id: card.id,
            column_id: card.column_id,
            position: card.position,
            title: card.title,
            case_id: card.case_id,
            due_on: card.due_on,
            priority: card.priority,
            reviewer_id: card.reviewer_id,
            review: card.review,
            signed_off_by: card.signed_off_by,
            signed_off_at: card.signed_off_at,
            assignee_ids: card.assignee_ids,
            assignees_joined: None,
        }
    }
}

/// The board of a case (or the team's), if it was made.
pub async fn board_id(
    conn: &mut SqliteConnection,
    case_id: Option<&str>,
) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT id FROM boards WHERE ifnull(case_id, '') = ifnull(?, '')")
            .bind(case_id)
            .fetch_optional(conn)
            .await?,
    )
}

/// An id every laptop computes alike for the same thing, so that two laptops that each
/// make a case's board (or the team's) before they sync make the same rows, which merge.
fn shared_id(parts: &[&str]) -> String {
    let mut context = ring::digest::Context::new(&ring::digest::SHA256);
    context.update(b"ruam/shared-id/v1");
    for part in parts {
        context.update(b"\n");
        context.update(part.as_bytes());
    }
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&context.finish().as_ref()[..16]);
    uuid::Builder::from_custom_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// The board of a case (or the team's), made with its four columns the first time. Their
/// ids come from the case's (or the team's), the same on every laptop.
pub async fn ensure_board(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    case_id: Option<&str>,
) -> Result<String> {
    if let Some(id) = board_id(tx, case_id).await? {
        return Ok(id);
    }
    let owner = match case_id {
        Some(case_id) => case_id.to_owned(),
        None => {
            sqlx::query_scalar("SELECT id FROM team ORDER BY id LIMIT 1")
                .fetch_one(&mut **tx)
                .await?
        }
    };
    let id = shared_id(&["board", &owner]);
    let now = now_utc();
    sqlx::query(
        "INSERT INTO boards (id, case_id, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(case_id)
    .bind(author)
    .bind(&now)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    outbox
        .record(
            tx,
            Some(author),
            "board",
            &id,
            Op::Insert,
            &serde_json::json!({ "case_id": case_id, "created_at": now }),
        )
        .await?;
    for (position, stage) in DEFAULT_STAGES.iter().enumerate() {
        let column = shared_id(&["board_column", &id, &position.to_string()]);
        sqlx::query(
            "INSERT INTO board_columns (id, board_id, name, stage, position, created_at)
             VALUES (?, ?, NULL, ?, ?, ?)",
        )
        .bind(&column)
        .bind(&id)
        .bind(stage)
        .bind(i64::try_from(position).unwrap_or(0))
        .bind(&now)
        .execute(&mut **tx)
        .await?;
        outbox
            .record(
                tx,
                Some(author),
                "board_column",
                &column,
                Op::Insert,
                &serde_json::json!({ "board_id": id, "stage": stage, "position": position }),
            )
            .await?;
    }
    Ok(id)
}

/// SQL true when the viewer may see card `c` (`param`: where the viewer's id is bound).
fn card_visible(viewer: &Viewer, param: &str) -> String {
    format!(
        "(c.case_id IS NULL OR (EXISTS (SELECT 1 FROM cases k WHERE k.id = c.case_id AND k.deleted_at IS NULL)
           AND ({} OR EXISTS (SELECT 1 FROM case_members cm WHERE cm.case_id = c.case_id
                AND cm.removed_at IS NULL AND cm.member_id = {param}))))",
        u8::from(viewer.oversee)
    )
}

/// A card read with its assignees joined in SQL, with them as a list.
pub(crate) fn finish(mut card: CardSummary) -> CardSummary {
    card.assignee_ids = card
        .assignees_joined
        .take()
        .map(|joined| joined.split(',').map(str::to_owned).collect())
        .unwrap_or_default();
    card
}

/// The JSON of a card in a page, from the subquery `c` of [`visible_places`].
const CARD_JSON: &str = "json_object(
    'id', c.id, 'columnId', c.column_id, 'position', c.place, 'title', c.title,
    'caseId', c.case_id, 'dueOn', c.due_on, 'priority', c.priority,
    'reviewerId', c.reviewer_id, 'review', c.review,
    'signedOffBy', c.signed_off_by, 'signedOffAt', c.signed_off_at,
    'assigneeIds', json((SELECT json_group_array(member_id) FROM card_assignees
                         WHERE card_id = c.id)))";

/// The cards of a board the viewer may see, each with its place among them in its column
/// (0, 1, 2, …: a gap would tell of a hidden card). Binds: the board id, the viewer's id.
fn visible_places(viewer: &Viewer) -> String {
    format!(
        "SELECT c.*, row_number() OVER (PARTITION BY c.column_id ORDER BY c.position) - 1 AS place
         FROM cards c WHERE c.board_id = ? AND c.deleted_at IS NULL AND {}",
        card_visible(viewer, "?")
    )
}

fn parse_cards(json: &str) -> Result<Vec<CardSummary>> {
    let mut cards: Vec<CardJson> =
        serde_json::from_str(json).map_err(|_| Error::Encode("the board"))?;
    cards.sort_by_key(|card| card.position);
    Ok(cards.into_iter().map(CardSummary::from).collect())
}

/// A board with its columns, each with its first cards the viewer may see, in order, and
/// how many they may see in all.
pub async fn load_board(pool: &SqlitePool, viewer: &Viewer, board_id: &str) -> Result<Board> {
    let case_id: Option<Option<String>> =
        sqlx::query_scalar("SELECT case_id FROM boards WHERE id = ?")
            .bind(board_id)
            .fetch_optional(pool)
            .await?;
    let case_id = case_id.ok_or(Error::NotFound("the board"))?;
    let columns: Vec<(String, Option<String>, Option<Stage>)> = sqlx::query_as(
        "SELECT id, name, stage FROM board_columns WHERE board_id = ? AND deleted_at IS NULL
         ORDER BY position, id",
    )
    .bind(board_id)
    .fetch_all(pool)
    .await?;
    let totals: Vec<(String, i64)> = sqlx::query_as(&format!(
        "SELECT c.column_id, count(*) FROM cards c
         WHERE c.board_id = ? AND c.deleted_at IS NULL AND {} GROUP BY c.column_id",
        card_visible(viewer, "?")
    ))
    .bind(board_id)
    .bind(&viewer.member_id)
    .fetch_all(pool)
    .await?;
    // One row holding the cards as JSON: many rows, each sent on its own from the
    // database thread, cost more than the query.
    let json: String = sqlx::query_scalar(&format!(
        "SELECT json_group_array({CARD_JSON}) FROM ({}) c WHERE c.place < ?",
        visible_places(viewer)
    ))
    .bind(board_id)
    .bind(&viewer.member_id)
    .bind(COLUMN_PAGE)
    .fetch_one(pool)
    .await?;
    let mut columns: Vec<Column> = columns
        .into_iter()
        .map(|(id, name, stage)| {
            let total = totals
                .iter()
                .find(|(column, _)| *column == id)
                .map_or(0, |(_, n)| *n);
            Column {
                id,
                name,
                stage,
                cards: Vec::new(),
                total,
            }
        })
        .collect();
    for card in parse_cards(&json)? {
        if let Some(column) = columns.iter_mut().find(|c| c.id == card.column_id) {
            column.cards.push(card);
        }
    }
    Ok(Board {
        id: board_id.to_owned(),
        case_id,
        columns,
    })
}

/// The next cards of a column the viewer may see: [`COLUMN_PAGE`] of them from place
/// `from` (0 is the top).
pub async fn column_cards(
    pool: &SqlitePool,
    viewer: &Viewer,
    board_id: &str,
    column_id: &str,
    from: i64,
) -> Result<Vec<CardSummary>> {
    let json: String = sqlx::query_scalar(&format!(
        "SELECT json_group_array({CARD_JSON}) FROM ({}) c
         WHERE c.column_id = ? AND c.place >= ? AND c.place < ?",
        visible_places(viewer)
    ))
    .bind(board_id)
    .bind(&viewer.member_id)
    .bind(column_id)
    .bind(from.max(0))
    .bind(from.max(0).saturating_add(COLUMN_PAGE))
    .fetch_one(pool)
    .await?;
    parse_cards(&json)
}

/// A card as stored, for moving or reviewing it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CardRow {
    pub id: String,
    pub board_id: String,
    pub column_id: String,
    pub position: i64,
    pub case_id: Option<String>,
    pub title: String,
    pub reviewer_id: Option<String>,
    pub review: Review,
}

/// A card that is not deleted; `NotFound` otherwise.
pub async fn card_row(conn: &mut SqliteConnection, card_id: &str) -> Result<CardRow> {
    sqlx::query_as(
        "SELECT id, board_id, column_id, position, case_id, title, reviewer_id, review
         FROM cards WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(card_id)
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound("the card"))
}

/// A column of the board that is not deleted, with its stage.
pub async fn column_of(
    conn: &mut SqliteConnection,
    board_id: &str,
    column_id: Option<&str>,
) -> Result<(String, Option<Stage>)> {
    let found: Option<(String, Option<Stage>)> = match column_id {
        Some(id) => {
            sqlx::query_as(
                "SELECT id, stage FROM board_columns WHERE id = ? AND board_id = ? AND deleted_at IS NULL",
            )
            .bind(id)
            .bind(board_id)
            .fetch_optional(conn)
            .await?
        }
        None => {
            sqlx::query_as(
                "SELECT id, stage FROM board_columns WHERE board_id = ? AND deleted_at IS NULL
                 ORDER BY position, id LIMIT 1",
            )
            .bind(board_id)
            .fetch_optional(conn)
            .await?
        }
    };
    found.ok_or_else(|| Error::invalid("column_id", "is not a column of this board"))
}

async fn cards_in(conn: &mut SqliteConnection, column_id: &str) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT count(*) FROM cards WHERE column_id = ? AND deleted_at IS NULL")
            .bind(column_id)
            .fetch_one(conn)
            .await?,
    )
}

/// Write a line of a card's history (and its outbox entry).
pub async fn card_event(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    card_id: &str,
    kind: &str,
    detail: serde_json::Value,
    actor: &str,
) -> Result<()> {
    let id = uuid::Uuid::now_v7().to_string();
    let at = now_utc();
    sqlx::query(
        "INSERT INTO card_events (id, card_id, kind, detail, actor, at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(card_id)
    .bind(kind)
    .bind(detail.to_string())
    .bind(actor)
    .bind(&at)
    .execute(&mut **tx)
    .await?;
    outbox
        .record(
            tx,
            Some(actor),
            "card_event",
            &id,
            Op::Insert,
            &serde_json::json!({ "card_id": card_id, "kind": kind, "detail": detail, "actor": actor, "at": at }),
        )
        .await
}

/// Put a checked card at the end of a column.
#[allow(clippy::too_many_arguments)]
pub async fn insert_card(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    board_id: &str,
    column_id: &str,
    case_id: Option<&str>,
    card: &CheckedCard,
) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_utc();
    let position = cards_in(tx, column_id).await?;
    let review = if card.reviewer_id.is_some() {
        Review::Pending
    } else {
        Review::None
    };
    sqlx::query(
        "INSERT INTO cards (id, board_id, column_id, position, case_id, title, description,
             agency_id, starts_on, due_on, priority, reviewer_id, review, created_by,
             created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(board_id)
    .bind(column_id)
    .bind(position)
    .bind(case_id)
    .bind(&card.title)
    .bind(&card.description)
    .bind(&card.agency_id)
    .bind(&card.starts_on)
    .bind(&card.due_on)
    .bind(card.priority)
    .bind(&card.reviewer_id)
    .bind(review)
    .bind(author)
    .bind(&now)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    for member in &card.assignee_ids {
        sqlx::query("INSERT INTO card_assignees (card_id, member_id) VALUES (?, ?)")
            .bind(&id)
            .bind(member)
            .execute(&mut **tx)
            .await?;
    }
    for label in &card.labels {
        sqlx::query("INSERT INTO card_labels (card_id, label) VALUES (?, ?)")
            .bind(&id)
            .bind(label)
            .execute(&mut **tx)
            .await?;
    }
    for (position, item) in card.checklist.iter().enumerate() {
        sqlx::query(
            "INSERT INTO card_checklist (id, card_id, text, done, position) VALUES (?, ?, ?, 0, ?)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&id)
        .bind(item)
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .execute(&mut **tx)
        .await?;
    }
    outbox
        .record(
            tx,
            Some(author),
            "card",
            &id,
            Op::Insert,
            &serde_json::json!({
                "board_id": board_id, "column_id": column_id, "position": position,
                "case_id": case_id, "title": card.title, "description": card.description,
                "assignee_ids": card.assignee_ids, "agency_id": card.agency_id,
                "starts_on": card.starts_on, "due_on": card.due_on, "priority": card.priority,
                "reviewer_id": card.reviewer_id, "labels": card.labels, "checklist": card.checklist,
                "created_at": now,
            }),
        )
        .await?;
    card_event(
        tx,
        outbox,
        &id,
        "created",
        serde_json::json!({ "column_id": column_id }),
        author,
    )
    .await?;
    Ok(id)
}

/// Where a card lands in `to_column` when the viewer asks for place `index` among the
/// cards they see there (the card itself left out): just before the card they see at that
/// place, or just after the last one they see. Cards hidden from them keep their places.
pub async fn stored_place(
    conn: &mut SqliteConnection,
    viewer: &Viewer,
    card_id: &str,
    to_column: &str,
    index: i64,
) -> Result<i64> {
    let seen: Vec<bool> = sqlx::query_scalar(&format!(
        "SELECT {} FROM cards c WHERE c.column_id = ? AND c.deleted_at IS NULL AND c.id <> ?
         ORDER BY c.position",
        card_visible(viewer, "?")
    ))
    .bind(&viewer.member_id)
    .bind(to_column)
    .bind(card_id)
    .fetch_all(conn)
    .await?;
    let visible: Vec<usize> = seen
        .iter()
        .enumerate()
        .filter_map(|(place, seen)| seen.then_some(place))
        .collect();
    let place = match usize::try_from(index).ok().and_then(|i| visible.get(i)) {
        Some(&place) => place,
        None => visible.last().map_or(seen.len(), |&last| last + 1),
    };
    Ok(i64::try_from(place).unwrap_or(i64::MAX))
}

/// Move a card to `position` (clamped to the column's end) in `to_column` of its board;
/// the cards it leaves and joins close up and make room, so positions stay 0, 1, 2, ….
pub async fn move_card(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    card: &CardRow,
    to_column: &str,
    position: i64,
) -> Result<i64> {
    let same = card.column_id == to_column;
    let room = cards_in(tx, to_column).await? - i64::from(same);
    let to = position.clamp(0, room.max(0));
    if same {
        if to > card.position {
            sqlx::query(
                "UPDATE cards SET position = position - 1 WHERE column_id = ? AND deleted_at IS NULL
                 AND id <> ? AND position > ? AND position <= ?",
            )
            .bind(to_column)
            .bind(&card.id)
            .bind(card.position)
            .bind(to)
            .execute(&mut **tx)
            .await?;
        } else if to < card.position {
            sqlx::query(
                "UPDATE cards SET position = position + 1 WHERE column_id = ? AND deleted_at IS NULL
                 AND id <> ? AND position >= ? AND position < ?",
            )
            .bind(to_column)
            .bind(&card.id)
            .bind(to)
            .bind(card.position)
            .execute(&mut **tx)
            .await?;
        }
    } else {
        sqlx::query(
            "UPDATE cards SET position = position - 1 WHERE column_id = ? AND deleted_at IS NULL
             AND position > ?",
        )
        .bind(&card.column_id)
        .bind(card.position)
        .execute(&mut **tx)
        .await?;
        sqlx::query(
            "UPDATE cards SET position = position + 1 WHERE column_id = ? AND deleted_at IS NULL
             AND position >= ?",
        )
        .bind(to_column)
        .bind(to)
        .execute(&mut **tx)
        .await?;
    }
    let now = now_utc();
    sqlx::query("UPDATE cards SET column_id = ?, position = ?, updated_at = ? WHERE id = ?")
        .bind(to_column)
        .bind(to)
        .bind(&now)
        .bind(&card.id)
        .execute(&mut **tx)
        .await?;
    outbox
        .record(
            tx,
            Some(author),
            "card",
            &card.id,
            Op::Update,
            &serde_json::json!({ "column_id": to_column, "position": to, "updated_at": now }),
        )
        .await?;
    card_event(
        tx,
        outbox,
        &card.id,
        "moved",
        serde_json::json!({ "from": card.column_id, "to": to_column, "position": to }),
        author,
    )
    .await?;
    Ok(to)
}

/// Set where a card stands in its review.
pub async fn set_review(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    card_id: &str,
    review: Review,
) -> Result<()> {
    // A sign-off stands only while the card stays approved.
    sqlx::query(
        "UPDATE cards SET review = ?,
             signed_off_by = CASE WHEN ? = 'approved' THEN signed_off_by END,
             signed_off_at = CASE WHEN ? = 'approved' THEN signed_off_at END
         WHERE id = ?",
    )
    .bind(review)
    .bind(review)
    .bind(review)
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
            &serde_json::json!({ "review": review }),
        )
        .await?;
    card_event(
        tx,
        outbox,
        card_id,
        "review",
        serde_json::json!({ "review": review }),
        author,
    )
    .await
}

/// SQL true for card `c` that is not finished: not deleted, not in a done column, and not
/// on a closed or deleted case.
const UNFINISHED: &str = "c.deleted_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM board_columns bc WHERE bc.id = c.column_id AND bc.stage = 'done')
    AND (c.case_id IS NULL OR EXISTS (SELECT 1 FROM cases k WHERE k.id = c.case_id
         AND k.deleted_at IS NULL AND k.status <> 'closed'))";

/// Give a leaving member's part in one card (as an assignee, or as its reviewer) to
/// another member, with the handover note in the card's timeline. The caller has checked
/// that the card is unfinished, that `from` holds that part and that `to` may see it.
pub async fn hand_over_card(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    card_id: &str,
    (from, to): (&str, &str),
    reviewer: bool,
    note: &str,
) -> Result<()> {
    if reviewer {
        sqlx::query(
            "UPDATE cards SET reviewer_id = ?, updated_at = ? WHERE id = ? AND reviewer_id = ?",
        )
        .bind(to)
        .bind(now_utc())
        .bind(card_id)
        .bind(from)
        .execute(&mut **tx)
        .await?;
    } else {
        sqlx::query("DELETE FROM card_assignees WHERE card_id = ? AND member_id = ?")
            .bind(card_id)
            .bind(from)
            .execute(&mut **tx)
            .await?;
        sqlx::query("INSERT OR IGNORE INTO card_assignees (card_id, member_id) VALUES (?, ?)")
            .bind(card_id)
            .bind(to)
            .execute(&mut **tx)
            .await?;
        sqlx::query("UPDATE cards SET updated_at = ? WHERE id = ?")
            .bind(now_utc())
            .bind(card_id)
            .execute(&mut **tx)
            .await?;
    }
    let detail = serde_json::json!({
        "from": from, "to": to, "assignee": !reviewer, "reviewer": reviewer, "note": note,
    });
    outbox
        .record(tx, Some(author), "card", card_id, Op::Update, &detail)
        .await?;
    card_event(tx, outbox, card_id, "handover", detail, author).await?;
    Ok(())
}

/// A task in "my tasks" or the review queue: the card, where it is, and whether it is late.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TaskItem {
    pub card: CardSummary,
    pub board_id: String,
    pub stage: Option<Stage>,
    /// Due before today (where the person is).
    pub overdue: bool,
    pub due_today: bool,
}

/// Which of my tasks: all, or those due by a day, on one case, or on one board.
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub due_by: Option<String>,
    pub case_id: Option<String>,
    pub board_id: Option<String>,
}

#[derive(sqlx::FromRow)]
struct TaskRow {
    #[sqlx(flatten)]
    card: CardSummary,
    board_id: String,
    stage: Option<Stage>,
}

/// Unfinished cards the viewer may see that meet `condition` (which names the viewer as
/// `?1`), filtered, late ones first, then by due date and priority.
async fn task_items(
    pool: &SqlitePool,
    viewer: &Viewer,
    condition: &str,
    filter: &TaskFilter,
    today: &str,
) -> Result<Vec<TaskItem>> {
    let rows: Vec<TaskRow> = sqlx::query_as(&format!(
        "SELECT c.id, c.column_id, c.position, c.title, c.case_id, c.due_on, c.priority,
                c.reviewer_id, c.review, c.signed_off_by, c.signed_off_at,
                (SELECT group_concat(member_id) FROM card_assignees WHERE card_id = c.id) AS assignees,
                c.board_id, bc.stage
         FROM cards c JOIN board_columns bc ON bc.id = c.column_id
         WHERE {UNFINISHED} AND {} AND {condition}
           AND (?2 IS NULL OR c.due_on <= ?2)
           AND (?3 IS NULL OR c.case_id = ?3)
           AND (?4 IS NULL OR c.board_id = ?4)
         ORDER BY (c.due_on IS NOT NULL AND c.due_on < ?5) DESC, c.due_on IS NULL, c.due_on,
                  CASE c.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END,
                  c.created_at, c.id",
        card_visible(viewer, "?1")
    ))
    .bind(&viewer.member_id)
    .bind(&filter.due_by)
    .bind(&filter.case_id)
    .bind(&filter.board_id)
    .bind(today)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let overdue = row.card.due_on.as_deref().is_some_and(|d| d < today);
            let due_today = row.card.due_on.as_deref() == Some(today);
            TaskItem {
                card: finish(row.card),
                board_id: row.board_id,
                stage: row.stage,
                overdue,
                due_today,
            }
        })
        .collect())
}

/// Everything assigned to the viewer that is not done, across boards.
pub async fn my_tasks(
    pool: &SqlitePool,
    viewer: &Viewer,
    filter: &TaskFilter,
    today: &str,
) -> Result<Vec<TaskItem>> {
    task_items(
        pool,
        viewer,
        "EXISTS (SELECT 1 FROM card_assignees a WHERE a.card_id = c.id AND a.member_id = ?1)",
        filter,
        today,
    )
    .await
}

/// Cards waiting for the viewer's review.
pub async fn review_queue(
    pool: &SqlitePool,
    viewer: &Viewer,
    today: &str,
) -> Result<Vec<TaskItem>> {
    task_items(
        pool,
        viewer,
        "c.reviewer_id = ?1 AND c.review = 'waiting'",
        &TaskFilter::default(),
        today,
    )
    .await
}

/// The column of a board with this stage.
pub async fn column_with_stage(
    conn: &mut SqliteConnection,
    board_id: &str,
    stage: Stage,
) -> Result<String> {
    sqlx::query_scalar(
        "SELECT id FROM board_columns WHERE board_id = ? AND stage = ? AND deleted_at IS NULL
         ORDER BY position LIMIT 1",
    )
    .bind(board_id)
    .bind(stage)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| Error::invalid("column_id", "the board has no column for this step"))
}

/// Sign a card off (approved) or return it with a comment.
pub async fn sign_off(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    card_id: &str,
) -> Result<()> {
    let now = now_utc();
    sqlx::query("UPDATE cards SET signed_off_by = ?, signed_off_at = ? WHERE id = ?")
        .bind(author)
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
            &serde_json::json!({ "signed_off_by": author, "signed_off_at": now }),
        )
        .await
}

/// Add a comment to a card.
pub async fn add_comment(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    card_id: &str,
    body: &str,
) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_utc();
    sqlx::query(
        "INSERT INTO card_comments (id, card_id, body, author_id, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(card_id)
    .bind(body)
    .bind(author)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    outbox
        .record(
            tx,
            Some(author),
            "card_comment",
            &id,
            Op::Insert,
            &serde_json::json!({ "card_id": card_id, "body": body, "author_id": author, "created_at": now }),
        )
        .await?;
    Ok(id)
}
