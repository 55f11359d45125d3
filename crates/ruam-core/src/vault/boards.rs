//! Task boards through the vault: the team's board and each case's, cards added and moved.
//! A case's board follows its case (who sees the case sees its board; who works on the
//! case works on it); a card's assignees and reviewer must be able to see its case. Every
//! change is written with its history line, outbox entry and audit entry in one
//! transaction; moves keep positions 0, 1, 2, … in every column.

use serde::Deserialize;

use super::{Open, State, Vault};
use crate::access::{Action, Permission, Permissions, Resource};
use crate::boards::store::{self, Board, TaskFilter, TaskItem};
use crate::boards::{NewCard, Review, Stage};
use crate::cases::store as cases;
use crate::team::MemberStatus;
use crate::{Error, Result};

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CardMove {
    pub card_id: String,
    pub column_id: String,
    /// 0 for the top; past the end puts it last.
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub position: i64,
}

/// Which of my tasks to list.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MyTasksQuery {
    /// `overdue`, `today` or `week` (due within seven days); all when none.
    pub due: Option<String>,
    pub case_id: Option<String>,
    pub board_id: Option<String>,
}

/// The reviewer's answer on a card waiting for review.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CardReview {
    pub card_id: String,
    /// Approve (the card is done, signed off) or return it (back to in progress).
    pub approve: bool,
    /// Why it goes back (needed to return it).
    pub comment: Option<String>,
}

impl Open {
    /// Ask for `action` on the board of `case_id` (the team's when none); refusals are
    /// audited, and an unknown case answers like a hidden one.
    pub(super) async fn authorize_board(
        &self,
        action: Action,
        case_id: Option<&str>,
    ) -> Result<()> {
        let access = match case_id {
            Some(id) => Some(self.case_access_or_refuse(action, id).await?),
            None => None,
        };
        let decision =
            crate::access::authorize(self.actor(), action, Resource::Board(access.as_ref()));
        if decision.is_err() {
            self.audit_refusal(action, ("board", case_id.unwrap_or("team")))
                .await;
        }
        decision
    }

    /// Whether `member_id` is an active member who may see the case (or the team's board).
    pub(super) async fn may_see_board(
        &self,
        conn: &mut sqlx::SqliteConnection,
        member_id: &str,
        case_id: Option<&str>,
    ) -> Result<bool> {
        let Ok(member) = crate::team::load_member(&mut *conn, member_id).await else {
            return Ok(false);
        };
        if member.status != MemberStatus::Active {
            return Ok(false);
        }
        let Some(case_id) = case_id else {
            return Ok(true);
        };
        let membership = cases::access_to(conn, case_id, member_id).await?.membership;
        if membership.is_some() {
            return Ok(true);
        }
        let rights: Permissions = match crate::team::load_role(&mut *conn, &member.role).await {
            Ok(role) => role.permissions.into_iter().collect(),
            Err(_) => Permissions::new(),
        };
        Ok(rights.contains(&Permission::OverseeCases))
    }

    pub(super) async fn board_answer(&self, board_id: &str) -> Result<Board> {
        store::load_board(&self.pool, &self.viewer(), board_id).await
    }
}

impl Vault {
    /// The team's board (`case_id` none) or a case's, made with its four columns the
    /// first time it is opened.
    pub async fn open_board(&self, case_id: Option<String>) -> Result<Board> {
        // Reading a board that exists waits for no other reader (a long "my tasks", say);
        // only making it takes the vault for itself.
        {
            let state = self.state.read().await;
            let State::Unlocked(open) = &*state else {
                return Err(Error::Locked);
            };
            let case_id = case_id.as_deref().filter(|c| !c.is_empty());
            open.authorize_board(Action::ViewBoard, case_id).await?;
            let mut conn = open.pool.acquire().await?;
            let board_id = store::board_id(&mut conn, case_id).await?;
            drop(conn);
            if let Some(board_id) = board_id {
                let board = open.board_answer(&board_id).await?;
                if let Some(case_id) = case_id {
                    open.audit("board.view", Some(("case", case_id))).await?;
                }
                return Ok(board);
            }
        }
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let case_id = case_id.as_deref().filter(|c| !c.is_empty());
        open.authorize_board(Action::ViewBoard, case_id).await?;
        let mut tx = open.pool.begin().await?;
        let board_id = store::ensure_board(&mut tx, &open.outbox, &open.member.id, case_id).await?;
        tx.commit().await?;
        let board = open.board_answer(&board_id).await?;
        if let Some(case_id) = case_id {
            open.audit("board.view", Some(("case", case_id))).await?;
        }
        Ok(board)
    }

    /// Add a card to the team's board or a case's. Its assignees and reviewer must be
    /// active members who may see the board's case.
    pub async fn create_card(&self, new: NewCard) -> Result<Board> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let case_id = new.case_id.as_deref().filter(|c| !c.is_empty());
        open.authorize_board(Action::WorkOnBoard, case_id).await?;
        let card = new.check()?;
        let mut tx = open.pool.begin().await?;
        if let Some(case_id) = case_id {
            cases::ensure_not_closed(&mut tx, case_id).await?;
        }
        open.check_card_people(
            &mut tx,
            &card.assignee_ids,
            card.reviewer_id.as_deref(),
            card.agency_id.as_deref(),
            case_id,
        )
        .await?;
        let board_id = store::ensure_board(&mut tx, &open.outbox, &open.member.id, case_id).await?;
        let (column_id, _) = store::column_of(&mut tx, &board_id, new.column_id.as_deref()).await?;
        let id = store::insert_card(
            &mut tx,
            &open.outbox,
            &open.member.id,
            &board_id,
            &column_id,
            case_id,
            &card,
        )
        .await?;
        open.audit_in(&mut tx, "card.create", Some(("card", &id)))
            .await?;
        tx.commit().await?;
        open.board_answer(&board_id).await
    }

    /// Move a card within its board. A card that needs review goes to the done column
    /// only once approved; moving it to the review column asks its reviewer.
    pub async fn move_card(&self, request: CardMove) -> Result<Board> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let target = ("card", request.card_id.as_str());
        // Unknown answers like hidden; deleted since the board was read says so.
        let card = open
            .find_card(Action::WorkOnBoard, &request.card_id)
            .await?;
        let mut tx = open.pool.begin().await?;
        if let Some(case_id) = &card.case_id {
            cases::ensure_not_closed(&mut tx, case_id).await?;
        }
        let (column_id, stage) =
            store::column_of(&mut tx, &card.board_id, Some(&request.column_id)).await?;
        let needs_review = card.reviewer_id.is_some();
        let review = match stage {
            Some(Stage::Done) if needs_review && card.review != Review::Approved => {
                return Err(Error::invalid(
                    "column_id",
                    "this task needs its reviewer's approval before it is done",
                ));
            }
            Some(Stage::Review) if needs_review => Some(Review::Waiting),
            Some(Stage::Done) => None,
            _ if needs_review && matches!(card.review, Review::Waiting | Review::Approved) => {
                Some(Review::Pending)
            }
            _ => None,
        };
        let place = store::stored_place(
            &mut tx,
            &open.viewer(),
            &card.id,
            &column_id,
            request.position,
        )
        .await?;
        store::move_card(
            &mut tx,
            &open.outbox,
            &open.member.id,
            &card,
            &column_id,
            place,
        )
        .await?;
        if let Some(review) = review.filter(|r| *r != card.review) {
            store::set_review(&mut tx, &open.outbox, &open.member.id, &card.id, review).await?;
        }
        open.audit_in(&mut tx, "card.move", Some(target)).await?;
        tx.commit().await?;
        open.board_answer(&card.board_id).await
    }

    /// Everything assigned to the signed-in member that is not done, across the boards
    /// they may see: late first, then by due date and priority.
    pub async fn my_tasks(&self, query: MyTasksQuery) -> Result<Vec<TaskItem>> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let today = crate::cases::today();
        let due_by = match query
            .due
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
        {
            None => None,
            Some("overdue") => today.previous_day(),
            Some("today") => Some(today),
            Some("week") => today.checked_add(time::Duration::days(7)),
            Some(_) => {
                return Err(Error::invalid(
                    "due",
                    "must be one of: overdue, today, week",
                ))
            }
        };
        let filter = TaskFilter {
            due_by: due_by.map(|d| d.to_string()),
            case_id: query.case_id.filter(|c| !c.is_empty()),
            board_id: query.board_id.filter(|b| !b.is_empty()),
        };
        store::my_tasks(&open.pool, &open.viewer(), &filter, &today.to_string()).await
    }

    /// The cards waiting for the signed-in member's review.
    pub async fn review_queue(&self) -> Result<Vec<TaskItem>> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let today = crate::cases::today().to_string();
        store::review_queue(&open.pool, &open.viewer(), &today).await
    }

    /// Approve a card waiting for review (it goes to done, signed off with who and
    /// when) or return it with a comment (back to in progress). Only its named reviewer
    /// or a lead who may approve, among those who see its case.
    pub async fn review_card(&self, review: CardReview) -> Result<Board> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let target = ("card", review.card_id.as_str());
        let card = {
            let mut conn = open.pool.acquire().await?;
            store::card_row(&mut conn, &review.card_id).await
        };
        let Ok(card) = card else {
            open.audit_refusal(Action::ReviewCard, target).await;
            return Err(Error::Forbidden);
        };
        open.authorize_board(Action::ReviewCard, card.case_id.as_deref())
            .await?;
        let reviewer = card.reviewer_id.as_deref() == Some(open.member.id.as_str());
        if !reviewer && !open.permissions.contains(&Permission::ApproveCases) {
            open.audit_refusal(Action::ReviewCard, target).await;
            return Err(Error::Forbidden);
        }
        if card.review != Review::Waiting {
            return Err(Error::invalid(
                "card_id",
                "is not waiting for review (move it to the review column first)",
            ));
        }
        let comment = review
            .comment
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(crate::cases::clean_note)
            .transpose()
            .map_err(|_| Error::invalid("comment", "is too long"))?;
        if !review.approve && comment.is_none() {
            return Err(Error::invalid(
                "comment",
                "say what is missing, so the task can be finished",
            ));
        }
        let mut tx = open.pool.begin().await?;
        if let Some(case_id) = &card.case_id {
            cases::ensure_not_closed(&mut tx, case_id).await?;
        }
        let (stage, outcome) = if review.approve {
            (Stage::Done, Review::Approved)
        } else {
            (Stage::InProgress, Review::Returned)
        };
        let column = store::column_with_stage(&mut tx, &card.board_id, stage).await?;
        store::move_card(&mut tx, &open.outbox, &open.member.id, &card, &column, 0).await?;
        store::set_review(&mut tx, &open.outbox, &open.member.id, &card.id, outcome).await?;
        if review.approve {
            store::sign_off(&mut tx, &open.outbox, &open.member.id, &card.id).await?;
        }
        if let Some(comment) = &comment {
            store::add_comment(&mut tx, &open.outbox, &open.member.id, &card.id, comment).await?;
        }
        open.audit_in(
            &mut tx,
            if review.approve {
                "card.approve"
            } else {
                "card.return"
            },
            Some(target),
        )
        .await?;
        tx.commit().await?;
        open.board_answer(&card.board_id).await
    }
}
