//! Staff turnover: what a member holds (open cases, unfinished tasks and reviews, spending
//! requests not yet settled, committee chairs), handed to other members item by item or
//! all at once, each with a note for the member taking over; then their account closed.
//! An account does not close while its member holds anything, so nothing is left without
//! someone to carry it. Their history stays theirs: notes, decisions and audit entries
//! keep naming them.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{Open, State, Vault};
use crate::access::{Action, Resource};
use crate::cases::store as cases;
use crate::cases::{clean_note, Responsibility, Section};
use crate::outbox::{now_utc, Op};
use crate::team::holdings::{self, HeldItem, HeldKind, HeldRef};
use crate::team::{Member, MemberStatus};
use crate::{Error, Result};

/// What a member holds, for the offboarding screen.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Holdings {
    pub member: Member,
    pub items: Vec<HeldItem>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct HandOver {
    pub from_member_id: String,
    pub to_member_id: String,
    /// What the member taking over needs to know: on a case a general note, on a task a
    /// line of its timeline, on a request or a committee its handover note.
    pub note: String,
    /// The items to hand over; none hands over everything the member holds.
    pub items: Option<Vec<HeldRef>>,
}

/// How many of each kind moved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct HandedOver {
    pub cases: u32,
    pub tasks: u32,
    pub reviews: u32,
    pub requests: u32,
    pub committees: u32,
}

impl HandedOver {
    fn count(&mut self, kind: HeldKind) {
        let n = match kind {
            HeldKind::Case => &mut self.cases,
            HeldKind::Task => &mut self.tasks,
            HeldKind::Review => &mut self.reviews,
            HeldKind::Request => &mut self.requests,
            HeldKind::Committee => &mut self.committees,
        };
        *n += 1;
    }
}

impl Vault {
    /// Everything a member holds, as a lead who oversees the team sees it.
    pub async fn member_holdings(&self, member_id: &str) -> Result<Holdings> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::HandOverCases, Resource::Cases)
            .await?;
        let mut conn = open.pool.acquire().await?;
        let member = crate::team::load_member(&mut *conn, member_id)
            .await
            .map_err(|_| Error::invalid("member_id", "is not a member of the team"))?;
        let items = holdings::held_by(&mut conn, member_id).await?;
        Ok(Holdings { member, items })
    }

    /// Hand what a member holds (the items named, or all of it) to another active member,
    /// with one note written on each item, in one transaction: either all of it moves or
    /// nothing does. Cases move first, so that the one taking over is on a case when its
    /// tasks reach them; a task on a case they may not see is refused.
    pub async fn hand_over(&self, hand_over: HandOver) -> Result<HandedOver> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize(Action::HandOverCases, Resource::Cases)
            .await?;
        let note = clean_note(&hand_over.note).map_err(|_| {
            Error::invalid(
                "note",
                "write a handover note: what the member taking over needs to know",
            )
        })?;
        if hand_over.from_member_id == hand_over.to_member_id {
            return Err(Error::invalid(
                "to_member_id",
                "choose someone other than the member handing over",
            ));
        }
        let mut tx = open.pool.begin().await?;
        let from = crate::team::load_member(&mut *tx, &hand_over.from_member_id)
            .await
            .map_err(|_| Error::invalid("from_member_id", "is not a member of the team"))?;
        let to = crate::team::load_member(&mut *tx, &hand_over.to_member_id)
            .await
            .map_err(|_| Error::invalid("to_member_id", "is not a member of the team"))?;
        if to.status == MemberStatus::Left {
            return Err(Error::invalid("to_member_id", "has left the team"));
        }
        let held = holdings::held_by(&mut tx, &from.id).await?;
        let mut items: Vec<HeldItem> = match &hand_over.items {
            None => held,
            Some(refs) => {
                let wanted: HashSet<&HeldRef> = refs.iter().collect();
                let chosen: Vec<HeldItem> = held
                    .into_iter()
                    .filter(|item| {
                        wanted.contains(&HeldRef {
                            kind: item.kind,
                            id: item.id.clone(),
                        })
                    })
                    .collect();
                if chosen.len() != wanted.len() {
                    return Err(Error::invalid(
                        "items",
                        format!(
                            "names something {} does not hold (it may have been handed over already)",
                            from.display_name
                        ),
                    ));
                }
                chosen
            }
        };
        if hand_over.items.as_ref().is_some_and(Vec::is_empty) {
            return Err(Error::invalid(
                "items",
                "choose at least one thing to hand over",
            ));
        }
        items.sort_by_key(|item| item.kind.rank());
        let mut handed = HandedOver::default();
        for item in &items {
            open.hand_over_item(&mut tx, item, (&from, &to), &note)
                .await?;
            handed.count(item.kind);
        }
        tx.commit().await?;
        tracing::info!(items = items.len(), "holdings handed over");
        Ok(handed)
    }

    /// Close the account of a member who holds nothing any more: they leave the team,
    /// lose their key slot on this laptop and their backup slot, and come off the
    /// committees they sat on. What they wrote and decided stays theirs.
    pub async fn close_member_account(&self, member_id: &str) -> Result<Member> {
        let current = {
            let state = self.state.read().await;
            let open = Self::unlocked(&state)?;
            // Offboarding is for those who oversee cases; the rest is `update_member`'s.
            open.authorize(Action::HandOverCases, Resource::Cases)
                .await?;
            crate::team::load_member(&open.pool, member_id)
                .await
                .map_err(|_| Error::invalid("member_id", "is not a member of the team"))?
        };
        if current.status == MemberStatus::Left {
            return Err(Error::invalid("member_id", "has already left the team"));
        }
        self.update_member(crate::team::MemberUpdate {
            id: current.id,
            display_name: current.display_name,
            role: current.role,
            discipline: current
                .discipline
                .map(|d| d.as_str().to_owned())
                .unwrap_or_default(),
            agency_id: current.agency_id,
            phone: current.phone,
            email: current.email,
            status: MemberStatus::Left.as_str().to_owned(),
        })
        .await
    }
}

impl Open {
    /// Refuse a member's leaving while they hold anything, naming how much of each kind.
    pub(super) async fn refuse_while_holding(
        &self,
        conn: &mut sqlx::SqliteConnection,
        member: &Member,
    ) -> Result<()> {
        let held = holdings::held_by(conn, &member.id).await?;
        if held.is_empty() {
            return Ok(());
        }
        Err(Error::invalid(
            "status",
            format!(
                "{} still holds {}; hand them over to another member first",
                member.display_name,
                holdings::describe(&held)
            ),
        ))
    }

    /// What is left of a member who leaves, in the transaction of their leaving: their
    /// seats on committees, and the slot that opened this laptop's backups for them.
    pub(super) async fn clear_leaver(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        member_id: &str,
    ) -> Result<()> {
        crate::meetings::committees::leave_all(tx, &self.outbox, &self.member.id, member_id)
            .await?;
        sqlx::query("DELETE FROM backup_slots WHERE member_id = ?")
            .bind(member_id)
            .execute(&mut **tx)
            .await?;
        Ok(())
    }

    async fn hand_over_item(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        item: &HeldItem,
        (from, to): (&Member, &Member),
        note: &str,
    ) -> Result<()> {
        match item.kind {
            HeldKind::Case => self.hand_over_case(tx, &item.id, (from, to), note).await,
            HeldKind::Task | HeldKind::Review => {
                if !self
                    .may_see_board(tx, &to.id, item.case_id.as_deref())
                    .await?
                {
                    return Err(Error::invalid(
                        "to_member_id",
                        format!(
                            "{} is not on the case of the task “{}”: hand over the case too, or choose someone on it",
                            to.display_name, item.label
                        ),
                    ));
                }
                crate::boards::store::hand_over_card(
                    tx,
                    &self.outbox,
                    &self.member.id,
                    &item.id,
                    (&from.id, &to.id),
                    item.kind == HeldKind::Review,
                    note,
                )
                .await?;
                self.audit_in(tx, "card.handover", Some(("card", &item.id)))
                    .await
            }
            HeldKind::Request => {
                if !self
                    .may_see_board(tx, &to.id, item.case_id.as_deref())
                    .await?
                {
                    return Err(Error::invalid(
                        "to_member_id",
                        format!(
                            "{} is not on the case of the spending request {}: hand over the case too, or choose someone on it",
                            to.display_name, item.label
                        ),
                    ));
                }
                self.hand_over_request(tx, &item.id, &to.id, note).await
            }
            HeldKind::Committee => {
                crate::meetings::committees::hand_over_chair(
                    tx,
                    &self.outbox,
                    &self.member.id,
                    &item.id,
                    (&from.id, &to.id),
                    note,
                )
                .await?;
                self.audit_in(tx, "committee.handover", Some(("committee", &item.id)))
                    .await
            }
        }
    }

    /// The member taking over takes the leaver's part in the case (keeping their own if it
    /// was larger), the leaver comes off it, and the note is written on it. As on a single
    /// case, nobody puts themself on a case: a case's lead reads its health and police
    /// sections, which overseeing alone does not show.
    async fn hand_over_case(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        case_id: &str,
        (from, to): (&Member, &Member),
        note: &str,
    ) -> Result<()> {
        if to.id == self.member.id {
            return Err(Error::invalid(
                "to_member_id",
                "you cannot hand cases to yourself; choose another member, or ask another lead",
            ));
        }
        let rank = |r: Responsibility| match r {
            Responsibility::Lead => 2,
            Responsibility::Support => 1,
            Responsibility::Review => 0,
        };
        let part = cases::access_to(tx, case_id, &from.id)
            .await?
            .membership
            .ok_or(Error::NotFound("the case"))?;
        let kept = match cases::access_to(tx, case_id, &to.id).await?.membership {
            Some(theirs) if rank(theirs) >= rank(part) => theirs,
            _ => part,
        };
        let author = &self.member.id;
        cases::set_member(tx, &self.outbox, author, case_id, &to.id, kept).await?;
        cases::remove_member(tx, &self.outbox, author, case_id, &from.id).await?;
        cases::insert_note(
            tx,
            &self.outbox,
            author,
            case_id,
            Section::General,
            &format!("{} → {}: {note}", from.display_name, to.display_name),
        )
        .await?;
        cases::add_event(
            tx,
            &self.outbox,
            case_id,
            "handover",
            serde_json::json!({
                "from": from.display_name, "to": to.display_name, "responsibility": kept,
            }),
            author,
        )
        .await?;
        self.audit_in(tx, "case.handover", Some(("case", case_id)))
            .await
    }

    /// The member taking over follows the request up (may withdraw it, sees it as theirs);
    /// the one who asked for it stays named as such.
    async fn hand_over_request(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        request_id: &str,
        to: &str,
        note: &str,
    ) -> Result<()> {
        let now = now_utc();
        sqlx::query("UPDATE fund_requests SET held_by = ?, updated_at = ? WHERE id = ?")
            .bind(to)
            .bind(&now)
            .bind(request_id)
            .execute(&mut **tx)
            .await?;
        let author = Some(self.member.id.as_str());
        self.outbox
            .record(
                tx,
                author,
                "fund_request",
                request_id,
                Op::Update,
                &serde_json::json!({ "held_by": to, "updated_at": now }),
            )
            .await?;
        let detail = sqlx::query("UPDATE fund_request_details SET handover_note = ? WHERE id = ?")
            .bind(note)
            .bind(request_id)
            .execute(&mut **tx)
            .await?;
        if detail.rows_affected() > 0 {
            self.outbox
                .record(
                    tx,
                    author,
                    "fund_request_detail",
                    request_id,
                    Op::Update,
                    &serde_json::json!({ "handover_note": note }),
                )
                .await?;
        }
        self.audit_in(tx, "fund.handover", Some(("fund_request", request_id)))
            .await
    }
}
