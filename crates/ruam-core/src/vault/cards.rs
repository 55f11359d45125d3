//! A card after it is made: read in full, its fields changed, its checklist ticked, a
//! comment or an encrypted attachment added, deleted; a board's columns edited; and the
//! counts behind the Tasks badge and the once-a-day reminder. A card follows its case's
//! need to know; those who work on the board edit it, and its assignees and reviewer may
//! also comment, attach and tick. Each change is one transaction with its history line,
//! outbox entry and audit entry.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::cases::decode_upload;
use super::{AttachmentContent, Open, State, Vault};
use crate::access::{Action, Permission, Resource};
use crate::boards::edit::{self, CardDetail, CardRights, CardUpdate, ChecklistEntry, ColumnRow};
use crate::boards::store::{self, Board, CardRow, CardSummary, TaskFilter};
use crate::boards::{clean_column_name, NewCard, Review, Stage};
use crate::cases::store as cases;
use crate::{Error, Result};

/// A card's fields as the person left them in the card's form.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CardEdit {
    pub card_id: String,
    pub title: String,
    pub description: Option<String>,
    #[serde(default)]
    pub assignee_ids: Vec<String>,
    pub agency_id: Option<String>,
    pub starts_on: Option<String>,
    pub due_on: Option<String>,
    pub priority: Option<String>,
    pub reviewer_id: Option<String>,
    #[serde(default)]
    pub labels: Vec<String>,
    /// The whole checklist in order; items already on the card keep their id.
    #[serde(default)]
    pub checklist: Vec<ChecklistEntry>,
    /// The case the card is about. Only a card on the team's board can be linked to a
    /// case or unlinked; one on a case's board stays with its case.
    pub case_id: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CardTick {
    pub card_id: String,
    pub item_id: String,
    pub done: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewCardComment {
    pub card_id: String,
    pub body: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewCardAttachment {
    pub card_id: String,
    pub file_name: String,
    /// The file's bytes, base64.
    pub content_base64: String,
}

/// A column added (no `column_id`), or renamed and moved.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ColumnSave {
    pub board_id: String,
    pub column_id: Option<String>,
    /// A new column's name; for a starting column, empty gives back its usual name.
    pub name: Option<String>,
    /// 0 for the first column; past the end puts it last; none leaves it where it is.
    #[cfg_attr(feature = "specta", specta(type = Option<u32>))]
    pub position: Option<i64>,
}

/// The next cards of a column, as the reader scrolls.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ColumnPage {
    pub column_id: String,
    /// How many of the column's cards the reader has already (0 for the top).
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub from: i64,
}

/// What the Tasks badge and the daily reminder count, among the tasks the member may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TaskCounts {
    /// My tasks due before today.
    pub overdue: u32,
    pub due_today: u32,
    /// Cards waiting for my review.
    pub to_review: u32,
}

impl TaskCounts {
    /// The reminder's title and text in the person's language. Counts only: a
    /// notification shows on screen and stays in the system's list, so it never names a
    /// task, a case or a child.
    pub fn reminder(&self, language: crate::settings::Language) -> (String, String) {
        use crate::settings::Language;
        let (overdue, today) = (self.overdue, self.due_today);
        match language {
            Language::En => {
                let tasks = |n: u32| {
                    if n == 1 {
                        "1 task".to_owned()
                    } else {
                        format!("{n} tasks")
                    }
                };
                let body = match (overdue, today) {
                    (0, t) => format!("{} due today.", tasks(t)),
                    (o, 0) => format!("{} overdue.", tasks(o)),
                    (o, t) => format!("{} overdue and {} due today.", tasks(o), tasks(t)),
                };
                (
                    "Ruam: tasks due".to_owned(),
                    format!("{body} Open Tasks to see them."),
                )
            }
            Language::Th => {
                let body = match (overdue, today) {
                    (0, t) => format!("มีงานครบกำหนดวันนี้ {t} งาน"),
                    (o, 0) => format!("มีงานเลยกำหนด {o} งาน"),
                    (o, t) => format!("มีงานเลยกำหนด {o} งาน และครบกำหนดวันนี้ {t} งาน"),
                };
                (
                    "รวม: งานที่ถึงกำหนด".to_owned(),
                    format!("{body} เปิดหน้างานเพื่อดูรายละเอียด"),
                )
            }
        }
    }
}

impl Open {
    /// A card that is not deleted, for `action`: an unknown card answers like a hidden
    /// one; a deleted one says so to those who may work on its board.
    pub(super) async fn find_card(&self, action: Action, card_id: &str) -> Result<CardRow> {
        let mut conn = self.pool.acquire().await?;
        match store::card_row(&mut conn, card_id).await {
            Ok(card) => {
                drop(conn);
                self.authorize_board(action, card.case_id.as_deref())
                    .await?;
                Ok(card)
            }
            Err(Error::NotFound(_)) => {
                let deleted: Option<Option<String>> = sqlx::query_scalar(
                    "SELECT case_id FROM cards WHERE id = ? AND deleted_at IS NOT NULL",
                )
                .bind(card_id)
                .fetch_optional(&mut *conn)
                .await?;
                drop(conn);
                match deleted {
                    Some(case_id) => {
                        self.authorize_board(action, case_id.as_deref()).await?;
                        Err(Error::invalid(
                            "card_id",
                            "this card was deleted; reload the board",
                        ))
                    }
                    None => {
                        self.audit_refusal(action, ("card", card_id)).await;
                        Err(Error::Forbidden)
                    }
                }
            }
            Err(err) => Err(err),
        }
    }

    /// What the signed-in member may do with a card they may see. Nothing on a closed case.
    async fn card_rights(&self, card: &CardRow) -> Result<CardRights> {
        let mut conn = self.pool.acquire().await?;
        let access = match &card.case_id {
            Some(case_id) => {
                if cases::ensure_not_closed(&mut conn, case_id).await.is_err() {
                    return Ok(CardRights::default());
                }
                Some(cases::access_to(&mut conn, case_id, &self.member.id).await?)
            }
            None => None,
        };
        let works = crate::access::authorize(
            self.actor(),
            Action::WorkOnBoard,
            Resource::Board(access.as_ref()),
        )
        .is_ok();
        let (created_by, assigned): (String, bool) = sqlx::query_as(
            "SELECT created_by, EXISTS (SELECT 1 FROM card_assignees WHERE card_id = c.id
                 AND member_id = ?) FROM cards c WHERE id = ?",
        )
        .bind(&self.member.id)
        .bind(&card.id)
        .fetch_one(&mut *conn)
        .await?;
        let me = self.member.id.as_str();
        let reviews = card.reviewer_id.as_deref() == Some(me);
        let lead = self.permissions.contains(&Permission::ApproveCases)
            || access.is_some_and(|a| a.membership == Some(crate::cases::Responsibility::Lead));
        Ok(CardRights {
            edit: works,
            delete: works && (created_by == me || lead),
            contribute: works || assigned || reviews,
        })
    }

    async fn card_answer(&self, card: &CardRow) -> Result<CardDetail> {
        let rights = self.card_rights(card).await?;
        let mut conn = self.pool.acquire().await?;
        edit::card_detail(&mut conn, &card.id, rights).await
    }

    /// A card on a closed case is read-only until a lead reopens the case.
    async fn ensure_card_open(&self, card: &CardRow) -> Result<()> {
        if let Some(case_id) = &card.case_id {
            let mut conn = self.pool.acquire().await?;
            cases::ensure_not_closed(&mut conn, case_id).await?;
        }
        Ok(())
    }

    /// Refuse (audited) unless the right holds.
    async fn require(&self, allowed: bool, action: Action, card_id: &str) -> Result<()> {
        if allowed {
            return Ok(());
        }
        self.audit_refusal(action, ("card", card_id)).await;
        Err(Error::Forbidden)
    }

    /// Assignees and reviewer must be active members who may see the case; the agency
    /// must be the team's.
    pub(super) async fn check_card_people(
        &self,
        conn: &mut sqlx::SqliteConnection,
        assignee_ids: &[String],
        reviewer_id: Option<&str>,
        agency_id: Option<&str>,
        case_id: Option<&str>,
    ) -> Result<()> {
        for member in assignee_ids {
            if !self.may_see_board(conn, member, case_id).await? {
                return Err(Error::invalid(
                    "assignee_ids",
                    "names someone who is not an active member who may see this case",
                ));
            }
        }
        if let Some(reviewer) = reviewer_id {
            if !self.may_see_board(conn, reviewer, case_id).await? {
                return Err(Error::invalid(
                    "reviewer_id",
                    "is not an active member who may see this case",
                ));
            }
        }
        if let Some(agency) = agency_id {
            let known: Option<String> =
                sqlx::query_scalar("SELECT id FROM agencies WHERE id = ? AND deleted_at IS NULL")
                    .bind(agency)
                    .fetch_optional(&mut *conn)
                    .await?;
            if known.is_none() {
                return Err(Error::invalid("agency_id", "is not an agency of the team"));
            }
        }
        Ok(())
    }

    /// The board `board_id` for `action` on it: unknown answers like hidden.
    async fn find_board(&self, action: Action, board_id: &str) -> Result<()> {
        let case_id: Option<Option<String>> =
            sqlx::query_scalar("SELECT case_id FROM boards WHERE id = ?")
                .bind(board_id)
                .fetch_optional(&self.pool)
                .await?;
        let Some(case_id) = case_id else {
            self.audit_refusal(action, ("board", board_id)).await;
            return Err(Error::Forbidden);
        };
        self.authorize_board(action, case_id.as_deref()).await?;
        if let Some(case_id) = &case_id {
            let mut conn = self.pool.acquire().await?;
            cases::ensure_not_closed(&mut conn, case_id).await?;
        }
        Ok(())
    }

    async fn task_counts(&self) -> Result<TaskCounts> {
        let today = crate::cases::today().to_string();
        let viewer = self.viewer();
        let mine = store::my_tasks(&self.pool, &viewer, &TaskFilter::default(), &today).await?;
        let review = store::review_queue(&self.pool, &viewer, &today).await?;
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Ok(TaskCounts {
            overdue: count(mine.iter().filter(|t| t.overdue).count()),
            due_today: count(mine.iter().filter(|t| t.due_today).count()),
            to_review: count(review.len()),
        })
    }
}

impl Vault {
    /// A card in full: its checklist, comments, attachments and history, with what the
    /// reader may do with it. Reading a card on a case is audited.
    pub async fn card(&self, card_id: &str) -> Result<CardDetail> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let card = open.find_card(Action::ViewBoard, card_id).await?;
        let detail = open.card_answer(&card).await?;
        if card.case_id.is_some() {
            open.audit("card.view", Some(("card", card_id))).await?;
        }
        Ok(detail)
    }

    /// Change a card's fields, people, labels and checklist. A card on the team's board
    /// may be linked to a case (then only those who see the case see it) or unlinked.
    pub async fn update_card(&self, change: CardEdit) -> Result<CardDetail> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let card = open.find_card(Action::WorkOnBoard, &change.card_id).await?;
        let before = open.card_answer(&card).await?;
        let wanted_case = change.case_id.as_deref().filter(|c| !c.is_empty());
        let case_id = match &before.board_case_id {
            Some(board_case) if wanted_case.is_some_and(|c| c != board_case) => {
                return Err(Error::invalid(
                    "case_id",
                    "a card on a case's board stays with its case",
                ));
            }
            Some(board_case) => Some(board_case.as_str()),
            None => wanted_case,
        };
        if case_id != card.case_id.as_deref() {
            // What was written on a case's card (comments, attachments) must not reach
            // the whole team, nor another case: only the case's lead or a team lead
            // takes a card off its case.
            if let Some(old_case) = card.case_id.as_deref() {
                let membership = open.case_access(old_case).await?.membership;
                let lead = membership == Some(crate::cases::Responsibility::Lead)
                    || open.permissions.contains(&Permission::ApproveCases);
                open.require(lead, Action::WorkOnBoard, &card.id).await?;
            }
            if case_id.is_some() {
                open.authorize_board(Action::WorkOnBoard, case_id).await?;
            }
        }
        let fields = NewCard {
            case_id: case_id.map(str::to_owned),
            column_id: None,
            title: change.title,
            description: change.description,
            assignee_ids: change.assignee_ids,
            agency_id: change.agency_id,
            starts_on: change.starts_on,
            due_on: change.due_on,
            priority: change.priority,
            reviewer_id: change.reviewer_id,
            labels: change.labels,
            checklist: change.checklist.iter().map(|e| e.text.clone()).collect(),
        }
        .check()?;
        let mut checklist: Vec<(Option<String>, String, bool)> =
            Vec::with_capacity(fields.checklist.len());
        for (entry, text) in change.checklist.iter().zip(&fields.checklist) {
            let id = entry.id.as_deref().map(str::trim).filter(|i| !i.is_empty());
            if let Some(id) = id {
                let known = before.checklist.iter().any(|item| item.id == id);
                let repeated = checklist
                    .iter()
                    .any(|(seen, _, _)| seen.as_deref() == Some(id));
                if !known || repeated {
                    return Err(Error::invalid(
                        "checklist",
                        "names an item that is not on this card; reload the card",
                    ));
                }
            }
            checklist.push((id.map(str::to_owned), text.clone(), entry.done));
        }
        let under_review = matches!(before.card.review, Review::Waiting | Review::Returned);
        let reviewer_changes = before.card.reviewer_id != fields.reviewer_id;
        if under_review
            && reviewer_changes
            && before.card.reviewer_id.as_deref() != Some(open.member.id.as_str())
            && !open.permissions.contains(&Permission::ApproveCases)
        {
            return Err(Error::invalid(
                "reviewer_id",
                "the task is under review: only its reviewer or a lead can change who reviews it",
            ));
        }
        let review = match (&before.card.reviewer_id, &fields.reviewer_id) {
            (old, new) if old == new => before.card.review,
            _ if before.card.review == Review::Approved => {
                return Err(Error::invalid(
                    "reviewer_id",
                    "the task is already signed off; its reviewer stays",
                ));
            }
            (_, None) => Review::None,
            (None, Some(_)) => match before.stage {
                Some(Stage::Done) => {
                    return Err(Error::invalid(
                        "reviewer_id",
                        "the task is already done; move it back before asking for a review",
                    ));
                }
                Some(Stage::Review) => Review::Waiting,
                _ => Review::Pending,
            },
            (Some(_), Some(_)) => before.card.review,
        };
        let mut tx = open.pool.begin().await?;
        for case in [card.case_id.as_deref(), case_id].into_iter().flatten() {
            cases::ensure_not_closed(&mut tx, case).await?;
        }
        open.check_card_people(
            &mut tx,
            &fields.assignee_ids,
            fields.reviewer_id.as_deref(),
            fields.agency_id.as_deref(),
            case_id,
        )
        .await?;
        let update = CardUpdate {
            fields: &fields,
            case_id,
            review,
            checklist,
        };
        let changed =
            edit::update_card(&mut tx, &open.outbox, &open.member.id, &before, &update).await?;
        if review != before.card.review {
            store::set_review(&mut tx, &open.outbox, &open.member.id, &card.id, review).await?;
        }
        if !changed.is_empty() {
            open.audit_in(&mut tx, "card.update", Some(("card", &card.id)))
                .await?;
        }
        tx.commit().await?;
        let card = {
            let mut conn = open.pool.acquire().await?;
            store::card_row(&mut conn, &card.id).await?
        };
        open.card_answer(&card).await
    }

    /// Tick or untick an item of a card's checklist.
    pub async fn tick_card_item(&self, tick: CardTick) -> Result<CardDetail> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let card = open.find_card(Action::ViewBoard, &tick.card_id).await?;
        open.ensure_card_open(&card).await?;
        let rights = open.card_rights(&card).await?;
        open.require(rights.contribute, Action::WorkOnBoard, &card.id)
            .await?;
        let mut tx = open.pool.begin().await?;
        edit::tick_item(
            &mut tx,
            &open.outbox,
            &open.member.id,
            &card.id,
            &tick.item_id,
            tick.done,
        )
        .await?;
        open.audit_in(&mut tx, "card.checklist", Some(("card", &card.id)))
            .await?;
        tx.commit().await?;
        open.card_answer(&card).await
    }

    /// Comment on a card.
    pub async fn comment_on_card(&self, comment: NewCardComment) -> Result<CardDetail> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let card = open.find_card(Action::ViewBoard, &comment.card_id).await?;
        open.ensure_card_open(&card).await?;
        let rights = open.card_rights(&card).await?;
        open.require(rights.contribute, Action::WorkOnBoard, &card.id)
            .await?;
        let body = crate::cases::clean_note(&comment.body)?;
        let mut tx = open.pool.begin().await?;
        let id =
            store::add_comment(&mut tx, &open.outbox, &open.member.id, &card.id, &body).await?;
        store::card_event(
            &mut tx,
            &open.outbox,
            &card.id,
            "comment",
            serde_json::json!({ "comment": id }),
            &open.member.id,
        )
        .await?;
        open.audit_in(&mut tx, "card.comment", Some(("card", &card.id)))
            .await?;
        tx.commit().await?;
        open.card_answer(&card).await
    }

    /// Attach a photo or scanned document to a card, kept inside the encrypted vault.
    pub async fn attach_to_card(&self, attachment: NewCardAttachment) -> Result<CardDetail> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let card = open
            .find_card(Action::ViewBoard, &attachment.card_id)
            .await?;
        open.ensure_card_open(&card).await?;
        let rights = open.card_rights(&card).await?;
        open.require(rights.contribute, Action::WorkOnBoard, &card.id)
            .await?;
        let bytes = decode_upload(&attachment.content_base64)?;
        let (file_name, media_type) =
            crate::cases::check_attachment(&attachment.file_name, &bytes)?;
        let mut tx = open.pool.begin().await?;
        let id = edit::add_attachment(
            &mut tx,
            &open.outbox,
            &open.member.id,
            &card.id,
            (&file_name, media_type, &bytes),
        )
        .await?;
        open.audit_in(
            &mut tx,
            "card.attachment.add",
            Some(("card_attachment", &id)),
        )
        .await?;
        tx.commit().await?;
        open.card_answer(&card).await
    }

    /// A card attachment's content, for those who may see the card. Audited.
    pub async fn card_attachment(&self, attachment_id: &str) -> Result<AttachmentContent> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let row: Option<(Option<String>, String, String, Vec<u8>)> = sqlx::query_as(
            "SELECT c.case_id, a.file_name, a.media_type, a.content
             FROM card_attachments a JOIN cards c ON c.id = a.card_id
             WHERE a.id = ? AND a.deleted_at IS NULL AND c.deleted_at IS NULL",
        )
        .bind(attachment_id)
        .fetch_optional(&open.pool)
        .await?;
        let Some((case_id, file_name, media_type, content)) = row else {
            open.audit_refusal(Action::ViewBoard, ("card_attachment", attachment_id))
                .await;
            return Err(Error::Forbidden);
        };
        open.authorize_board(Action::ViewBoard, case_id.as_deref())
            .await?;
        open.audit(
            "card.attachment.view",
            Some(("card_attachment", attachment_id)),
        )
        .await?;
        Ok(AttachmentContent {
            file_name,
            media_type,
            content_base64: base64::engine::general_purpose::STANDARD.encode(content),
        })
    }

    /// Delete a card: its creator, a lead, or the lead of its case. It leaves every list;
    /// the cards below it close up.
    pub async fn delete_card(&self, card_id: &str) -> Result<Board> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let card = open.find_card(Action::WorkOnBoard, card_id).await?;
        open.ensure_card_open(&card).await?;
        let rights = open.card_rights(&card).await?;
        open.require(rights.delete, Action::WorkOnBoard, &card.id)
            .await?;
        let mut tx = open.pool.begin().await?;
        if let Some(case_id) = &card.case_id {
            cases::ensure_not_closed(&mut tx, case_id).await?;
        }
        edit::delete_card(&mut tx, &open.outbox, &open.member.id, &card).await?;
        open.audit_in(&mut tx, "card.delete", Some(("card", &card.id)))
            .await?;
        tx.commit().await?;
        open.board_answer(&card.board_id).await
    }

    /// Add a column to a board, or rename and move one.
    pub async fn save_column(&self, save: ColumnSave) -> Result<Board> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.find_board(Action::WorkOnBoard, &save.board_id).await?;
        let mut tx = open.pool.begin().await?;
        match save.column_id.as_deref().filter(|c| !c.is_empty()) {
            None => {
                let name = clean_column_name(save.name.as_deref().unwrap_or_default())?;
                let id = edit::add_column(
                    &mut tx,
                    &open.outbox,
                    &open.member.id,
                    &save.board_id,
                    &name,
                    save.position,
                )
                .await?;
                open.audit_in(&mut tx, "board.column.add", Some(("board_column", &id)))
                    .await?;
            }
            Some(column_id) => {
                let column = match edit::column_row(&mut tx, column_id).await {
                    Ok(column) if column.board_id == save.board_id => column,
                    Ok(_) | Err(Error::NotFound(_)) => {
                        return Err(Error::invalid("column_id", "is not a column of this board"))
                    }
                    Err(err) => return Err(err),
                };
                if column.deleted {
                    return Err(Error::invalid(
                        "column_id",
                        "this column was removed; reload the board",
                    ));
                }
                edit::change_column(
                    &mut tx,
                    &open.outbox,
                    &open.member.id,
                    &column,
                    save.name.as_deref(),
                    save.position,
                )
                .await?;
                open.audit_in(
                    &mut tx,
                    "board.column.change",
                    Some(("board_column", column_id)),
                )
                .await?;
            }
        }
        tx.commit().await?;
        open.board_answer(&save.board_id).await
    }

    /// Remove an empty column the team added.
    pub async fn delete_column(&self, column_id: &str) -> Result<Board> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let column = {
            let mut conn = open.pool.acquire().await?;
            edit::column_row(&mut conn, column_id).await
        };
        let column = match column {
            Ok(column) => column,
            Err(Error::NotFound(_)) => {
                open.audit_refusal(Action::WorkOnBoard, ("board_column", column_id))
                    .await;
                return Err(Error::Forbidden);
            }
            Err(err) => return Err(err),
        };
        open.find_board(Action::WorkOnBoard, &column.board_id)
            .await?;
        let mut tx = open.pool.begin().await?;
        let column = live_column(&mut tx, column_id).await?;
        edit::delete_column(&mut tx, &open.outbox, &open.member.id, &column).await?;
        open.audit_in(
            &mut tx,
            "board.column.delete",
            Some(("board_column", column_id)),
        )
        .await?;
        tx.commit().await?;
        open.board_answer(&column.board_id).await
    }

    /// The next cards of a column the reader may see (a board opens with the first of each).
    pub async fn column_cards(&self, page: ColumnPage) -> Result<Vec<CardSummary>> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let column = {
            let mut conn = open.pool.acquire().await?;
            edit::column_row(&mut conn, &page.column_id).await
        };
        let column = match column {
            Ok(column) => column,
            Err(Error::NotFound(_)) => {
                open.audit_refusal(Action::ViewBoard, ("board_column", &page.column_id))
                    .await;
                return Err(Error::Forbidden);
            }
            Err(err) => return Err(err),
        };
        let case_id: Option<String> = sqlx::query_scalar("SELECT case_id FROM boards WHERE id = ?")
            .bind(&column.board_id)
            .fetch_one(&open.pool)
            .await?;
        open.authorize_board(Action::ViewBoard, case_id.as_deref())
            .await?;
        if column.deleted {
            return Err(Error::invalid(
                "column_id",
                "this column was removed; reload the board",
            ));
        }
        store::column_cards(
            &open.pool,
            &open.viewer(),
            &column.board_id,
            &column.id,
            page.from,
        )
        .await
    }

    /// My late and due-today tasks and the cards waiting for my review, for the badge.
    pub async fn task_counts(&self) -> Result<TaskCounts> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.task_counts().await
    }

    /// The once-a-day reminder: the counts when the signed-in member has late or due-today
    /// tasks and was not reminded yet today (where they are); none otherwise, and none
    /// when the vault is locked. Answering counts as reminding.
    pub async fn due_reminder(&self) -> Result<Option<TaskCounts>> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Ok(None);
        };
        let today = crate::cases::today().to_string();
        let mut conn = open.pool.acquire().await?;
        if edit::reminded_on(&mut conn, &open.member.id)
            .await?
            .as_deref()
            == Some(&today)
        {
            return Ok(None);
        }
        drop(conn);
        let counts = open.task_counts().await?;
        if counts.overdue == 0 && counts.due_today == 0 {
            return Ok(None);
        }
        let mut conn = open.pool.acquire().await?;
        edit::set_reminded_on(&mut conn, &open.member.id, &today).await?;
        Ok(Some(counts))
    }
}

/// A column that is not deleted.
async fn live_column(conn: &mut sqlx::SqliteConnection, column_id: &str) -> Result<ColumnRow> {
    match edit::column_row(conn, column_id).await {
        Ok(column) if !column.deleted => Ok(column),
        Ok(_) => Err(Error::invalid(
            "column_id",
            "this column was removed; reload the board",
        )),
        Err(Error::NotFound(_)) => {
            Err(Error::invalid("column_id", "is not a column of this board"))
        }
        Err(err) => Err(err),
    }
}

#[cfg(test)]
mod tests {
    use super::TaskCounts;
    use crate::settings::Language;

    #[test]
    fn the_reminder_says_how_many_and_nothing_else() {
        let counts = |overdue, due_today| TaskCounts {
            overdue,
            due_today,
            to_review: 4,
        };
        assert_eq!(
            counts(2, 1).reminder(Language::En).1,
            "2 tasks overdue and 1 task due today. Open Tasks to see them."
        );
        assert_eq!(
            counts(0, 3).reminder(Language::En).1,
            "3 tasks due today. Open Tasks to see them."
        );
        assert_eq!(
            counts(1, 0).reminder(Language::En).1,
            "1 task overdue. Open Tasks to see them."
        );
        let (title, body) = counts(2, 1).reminder(Language::Th);
        assert!(title.starts_with("รวม"), "{title}");
        assert!(
            body.contains("เลยกำหนด 2") && body.contains("วันนี้ 1"),
            "{body}"
        );
    }
}
