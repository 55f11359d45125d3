//! Committees and meetings through the vault. Every member sees them; those who manage the
//! team make committees; a committee's members (and those who manage the team) plan and
//! record its meetings. A case review shows each reader only what they may see of its
//! case; its minutes are written as a note on the case, in the section the author chose,
//! with the rights of that section. Action items are cards made as any card is, linked
//! to the meeting. Each write goes with its outbox changes and audit entry.

use super::{Open, Vault};
use crate::access::{Action, Permission, Resource};
use crate::boards::store as boards;
use crate::cases::store as cases;
use crate::cases::{clean_note, Section};
use crate::meetings::{
    clean_minutes, ActionItem, AgendaItem, AttendanceUpdate, Committee, CommitteeUpdate, ItemKind,
    MeetingSummary, MeetingView, MinutesUpdate, NewActionItem, NewAgendaItem, NewCommittee,
    NewDecision, NewMeeting, ReviewMinutes, ReviewedCase,
};
use crate::meetings::{committees, store};
use crate::team::clean_name;
use crate::{Error, Result};

/// At most this many meetings a list.
const MEETINGS_AT_MOST: u32 = 200;

/// Now where the person is, as meetings are written: `YYYY-MM-DDTHH:MM`.
fn local_now() -> String {
    jiff::Zoned::now().strftime("%Y-%m-%dT%H:%M").to_string()
}

impl Open {
    /// Whether the asker may plan and record the meetings of `committee`.
    fn runs(&self, committee: &Committee) -> bool {
        self.permissions.contains(&Permission::ManageTeam)
            || committee.member_ids.contains(&self.member.id)
            || committee.chair_id.as_deref() == Some(self.member.id.as_str())
    }

    /// Allow a meeting's planning or record to its committee's members; refusals audited.
    async fn authorize_run(&self, meeting_id: &str) -> Result<String> {
        self.authorize(Action::RunMeeting, Resource::Team).await?;
        let mut conn = self.pool.acquire().await?;
        let summary = store::summary(&mut conn, meeting_id).await?;
        let committee = committees::by_id(&mut conn, &summary.committee_id).await?;
        drop(conn);
        if self.runs(&committee) {
            Ok(summary.committee_id)
        } else {
            self.audit_refusal(Action::RunMeeting, ("meeting", meeting_id))
                .await;
            Err(Error::Forbidden)
        }
    }

    /// A case review as this reader sees it.
    async fn review(&self, case_id: &str, note_id: Option<&str>) -> Result<ReviewedCase> {
        let hidden = ReviewedCase {
            case_id: None,
            subject_name: None,
            minutes: None,
            minutes_section: None,
            minutes_written: note_id.is_some(),
        };
        let access = match self.case_access(case_id).await {
            Ok(access) => access,
            Err(Error::NotFound(_)) => return Ok(hidden),
            Err(other) => return Err(other),
        };
        if !self.actor().may(Action::ViewCase, Resource::Case(&access)) {
            return Ok(hidden);
        }
        let mut conn = self.pool.acquire().await?;
        let subject_name: Option<String> = sqlx::query_scalar(
            "SELECT name FROM case_people WHERE case_id = ? AND party = 'subject'
             AND deleted_at IS NULL ORDER BY created_at LIMIT 1",
        )
        .bind(case_id)
        .fetch_optional(&mut *conn)
        .await?;
        let mut review = ReviewedCase {
            case_id: Some(case_id.to_owned()),
            subject_name,
            ..hidden
        };
        if let Some(note_id) = note_id {
            let note: Option<(Section, String)> = sqlx::query_as(
                "SELECT section, body FROM case_notes WHERE id = ? AND deleted_at IS NULL",
            )
            .bind(note_id)
            .fetch_optional(&mut *conn)
            .await?;
            if let Some((section, body)) = note {
                if self
                    .actor()
                    .may(Action::ViewSection, Resource::CaseSection(&access, section))
                {
                    review.minutes = Some(body);
                    review.minutes_section = Some(section.as_str().to_owned());
                }
            }
        }
        Ok(review)
    }

    pub(super) async fn meeting_view(&self, meeting_id: &str) -> Result<MeetingView> {
        let mut conn = self.pool.acquire().await?;
        let summary = store::summary(&mut conn, meeting_id).await?;
        let committee = committees::by_id(&mut conn, &summary.committee_id).await?;
        let attendees = store::attendees(&mut conn, meeting_id).await?;
        let items = store::items(&mut conn, meeting_id).await?;
        let minutes = store::minutes(&mut conn, meeting_id).await?;
        let decisions = store::decisions(&mut conn, meeting_id).await?;
        let cards = store::action_cards(&mut conn, meeting_id).await?;
        drop(conn);
        let mut agenda = Vec::with_capacity(items.len());
        for (id, position, kind, title, case_id, note_id) in items {
            let review = match (&kind, case_id) {
                (ItemKind::CaseReview, Some(case_id)) => {
                    Some(self.review(&case_id, note_id.as_deref()).await?)
                }
                _ => None,
            };
            agenda.push(AgendaItem {
                id,
                position,
                kind,
                title,
                review,
            });
        }
        let mut action_items = Vec::with_capacity(cards.len());
        for (card_id, title, case_id, due_on, assignees, stage) in cards {
            if let Some(case_id) = &case_id {
                let sees = match self.case_access(case_id).await {
                    Ok(access) => self.actor().may(Action::ViewCase, Resource::Case(&access)),
                    Err(Error::NotFound(_)) => false,
                    Err(other) => return Err(other),
                };
                if !sees {
                    continue;
                }
            }
            let mut assignee_ids: Vec<String> = serde_json::from_str(&assignees)?;
            assignee_ids.retain(|a| !a.is_empty());
            action_items.push(ActionItem {
                card_id,
                title,
                case_id,
                due_on,
                assignee_ids,
                stage,
            });
        }
        Ok(MeetingView {
            may_run: self.runs(&committee),
            summary,
            attendees,
            agenda,
            minutes,
            decisions,
            action_items,
        })
    }
}

impl Vault {
    pub async fn committees(&self) -> Result<Vec<Committee>> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ViewMeetings, Resource::Team).await?;
        let mut conn = open.pool.acquire().await?;
        committees::list(&mut conn).await
    }

    pub async fn add_committee(&self, new: NewCommittee) -> Result<Committee> {
        self.save_committee(None, new).await
    }

    pub async fn update_committee(&self, update: CommitteeUpdate) -> Result<Committee> {
        self.save_committee(Some(update.id), update.committee).await
    }

    async fn save_committee(&self, id: Option<String>, new: NewCommittee) -> Result<Committee> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ManageCommittees, Resource::Team)
            .await?;
        let mut tx = open.pool.begin().await?;
        let committee =
            committees::save(&mut tx, &open.outbox, &open.member.id, id.as_deref(), &new).await?;
        let action = if id.is_some() {
            "committee.update"
        } else {
            "committee.add"
        };
        open.audit_in(&mut tx, action, Some(("committee", &committee.id)))
            .await?;
        tx.commit().await?;
        Ok(committee)
    }

    /// The meetings to come (planned, from now on, the soonest first), or all (the latest
    /// first).
    pub async fn meetings(&self, upcoming: bool) -> Result<Vec<MeetingSummary>> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ViewMeetings, Resource::Team).await?;
        let mut conn = open.pool.acquire().await?;
        let now = local_now();
        store::meetings(
            &mut conn,
            upcoming.then_some(now.as_str()),
            MEETINGS_AT_MOST,
        )
        .await
    }

    pub async fn meeting(&self, meeting_id: &str) -> Result<MeetingView> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::ViewMeetings, Resource::Team).await?;
        open.meeting_view(meeting_id).await
    }

    /// Plan a meeting of a committee the asker is on: its members are invited; a case on
    /// the agenda must be one the planner sees.
    pub async fn plan_meeting(&self, new: NewMeeting) -> Result<MeetingView> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::RunMeeting, Resource::Team).await?;
        let (starts_at, place) = new.check()?;
        let agenda = new
            .agenda
            .iter()
            .map(NewAgendaItem::check)
            .collect::<Result<Vec<_>>>()?;
        let committee = {
            let mut conn = open.pool.acquire().await?;
            committees::by_id(&mut conn, &new.committee_id)
                .await
                .map_err(|_| Error::invalid("committeeId", "is not a committee of the team"))?
        };
        if !open.runs(&committee) {
            open.audit_refusal(Action::RunMeeting, ("committee", &committee.id))
                .await;
            return Err(Error::Forbidden);
        }
        for (_, _, case_id) in &agenda {
            if let Some(case_id) = case_id {
                open.authorize_case(Action::ViewCase, case_id).await?;
            }
        }
        let mut tx = open.pool.begin().await?;
        let id = store::insert_meeting(
            &mut tx,
            &open.outbox,
            &open.member.id,
            &committee,
            store::Planned {
                starts_at: &starts_at,
                minutes_long: new.minutes_long,
                place: &place,
                agenda: &agenda,
            },
        )
        .await?;
        open.audit_in(&mut tx, "meeting.plan", Some(("meeting", &id)))
            .await?;
        tx.commit().await?;
        open.meeting_view(&id).await
    }

    pub async fn add_agenda_item(
        &self,
        meeting_id: &str,
        item: NewAgendaItem,
    ) -> Result<MeetingView> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize_run(meeting_id).await?;
        let (kind, title, case_id) = item.check()?;
        if let Some(case_id) = &case_id {
            open.authorize_case(Action::ViewCase, case_id).await?;
        }
        let mut tx = open.pool.begin().await?;
        let id = store::insert_item(
            &mut tx,
            &open.outbox,
            &open.member.id,
            meeting_id,
            kind,
            title.as_deref(),
            case_id.as_deref(),
        )
        .await?;
        open.audit_in(&mut tx, "meeting.agenda.add", Some(("meeting_item", &id)))
            .await?;
        tx.commit().await?;
        open.meeting_view(meeting_id).await
    }

    pub async fn record_attendance(&self, update: AttendanceUpdate) -> Result<MeetingView> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize_run(&update.meeting_id).await?;
        let mut tx = open.pool.begin().await?;
        store::set_attendance(
            &mut tx,
            &open.outbox,
            &open.member.id,
            &update.meeting_id,
            &update.attendees,
        )
        .await?;
        open.audit_in(
            &mut tx,
            "meeting.attendance",
            Some(("meeting", &update.meeting_id)),
        )
        .await?;
        tx.commit().await?;
        open.meeting_view(&update.meeting_id).await
    }

    /// The general minutes, and whether the meeting was held (or cancelled).
    pub async fn record_minutes(&self, update: MinutesUpdate) -> Result<MeetingView> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize_run(&update.meeting_id).await?;
        let minutes = clean_minutes(update.minutes.as_deref())?;
        let mut tx = open.pool.begin().await?;
        store::set_minutes(
            &mut tx,
            &open.outbox,
            &open.member.id,
            &update.meeting_id,
            minutes.as_deref(),
            update.status,
        )
        .await?;
        open.audit_in(
            &mut tx,
            "meeting.minutes",
            Some(("meeting", &update.meeting_id)),
        )
        .await?;
        tx.commit().await?;
        open.meeting_view(&update.meeting_id).await
    }

    /// A case review's minutes: a note on its case in the chosen section (with that
    /// section's rights), linked from the agenda. Once per review.
    pub async fn record_review_minutes(&self, review: ReviewMinutes) -> Result<MeetingView> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        let item: Option<(String, Option<String>, Option<String>)> = {
            let mut conn = open.pool.acquire().await?;
            sqlx::query_as(
                "SELECT meeting_id, case_id, note_id FROM meeting_items
                 WHERE id = ? AND kind = 'case_review' AND deleted_at IS NULL",
            )
            .bind(&review.item_id)
            .fetch_optional(&mut *conn)
            .await?
        };
        let Some((meeting_id, Some(case_id), note_id)) = item else {
            return Err(Error::NotFound("the case review"));
        };
        open.authorize_run(&meeting_id).await?;
        if note_id.is_some() {
            return Err(Error::invalid(
                "itemId",
                "this review's minutes are written: correct the note on the case",
            ));
        }
        let section = Section::parse("section", &review.section)?;
        open.authorize_section(Action::WriteSection, &case_id, section)
            .await?;
        let body = clean_note(&review.body)?;
        let mut tx = open.pool.begin().await?;
        cases::ensure_not_closed(&mut tx, &case_id).await?;
        let note = cases::insert_note(
            &mut tx,
            &open.outbox,
            &open.member.id,
            &case_id,
            section,
            &body,
        )
        .await?;
        store::link_review_note(
            &mut tx,
            &open.outbox,
            &open.member.id,
            &review.item_id,
            &note,
        )
        .await?;
        open.audit_in(&mut tx, "case.note.add", Some(("case_note", &note)))
            .await?;
        open.audit_in(
            &mut tx,
            "meeting.review.minutes",
            Some(("meeting_item", &review.item_id)),
        )
        .await?;
        tx.commit().await?;
        open.meeting_view(&meeting_id).await
    }

    pub async fn add_decision(&self, new: NewDecision) -> Result<MeetingView> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize_run(&new.meeting_id).await?;
        let text = clean_name("text", &new.text)?;
        let mut tx = open.pool.begin().await?;
        let id = store::insert_decision(
            &mut tx,
            &open.outbox,
            &open.member.id,
            &new.meeting_id,
            &text,
        )
        .await?;
        open.audit_in(
            &mut tx,
            "meeting.decision.add",
            Some(("meeting_decision", &id)),
        )
        .await?;
        tx.commit().await?;
        open.meeting_view(&new.meeting_id).await
    }

    /// An action item: a card on the team's board, or on the board of a case this meeting
    /// reviewed, made as any card is (assignees who may see the case, a due date), and
    /// linked to the meeting.
    pub async fn add_action_item(&self, new: NewActionItem) -> Result<MeetingView> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize_run(&new.meeting_id).await?;
        let case_id = new.card.case_id.as_deref().filter(|c| !c.is_empty());
        if let Some(case_id) = case_id {
            let reviewed: bool = {
                let mut conn = open.pool.acquire().await?;
                sqlx::query_scalar(
                    "SELECT EXISTS (SELECT 1 FROM meeting_items WHERE meeting_id = ?
                         AND case_id = ? AND deleted_at IS NULL)",
                )
                .bind(&new.meeting_id)
                .bind(case_id)
                .fetch_one(&mut *conn)
                .await?
            };
            if !reviewed {
                return Err(Error::invalid(
                    "caseId",
                    "is not a case this meeting reviews: an action item goes on the team's board or a reviewed case's",
                ));
            }
        }
        open.authorize_board(Action::WorkOnBoard, case_id).await?;
        let card = new.card.check()?;
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
        let board_id =
            boards::ensure_board(&mut tx, &open.outbox, &open.member.id, case_id).await?;
        let (column_id, _) = boards::column_of(&mut tx, &board_id, None).await?;
        let card_id = boards::insert_card(
            &mut tx,
            &open.outbox,
            &open.member.id,
            &board_id,
            &column_id,
            case_id,
            &card,
        )
        .await?;
        store::link_card(
            &mut tx,
            &open.outbox,
            &open.member.id,
            &card_id,
            &new.meeting_id,
        )
        .await?;
        open.audit_in(&mut tx, "card.create", Some(("card", &card_id)))
            .await?;
        open.audit_in(&mut tx, "meeting.action.add", Some(("card", &card_id)))
            .await?;
        tx.commit().await?;
        open.meeting_view(&new.meeting_id).await
    }
}
