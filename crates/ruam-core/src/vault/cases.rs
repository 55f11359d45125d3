//! Case files through the vault: each call finds the asker's part in the case, asks
//! `access::authorize`, and answers with only what they may see. Every view of a case,
//! every search and every attachment read is in the audit log; every change is written
//! with its outbox entry and audit entry in one transaction.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use super::{Open, State, Vault};
use crate::access::{Action, CaseAccess, Resource};
use crate::cases::store::{self, CaseFile, CasePage, CaseSummary, SearchHit, Viewer};
use crate::cases::{
    check_attachment, clean_note, past_date, search_phrase, ConsentGiver, Level, NewCase, Outcome,
    ReferralStatus, Responsibility, Section, Status,
};
use crate::outbox::{now_utc, Op};
use crate::team::{clean_name, clean_optional, MemberStatus};
use crate::{Error, Result};

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewNote {
    pub case_id: String,
    pub section: String,
    pub body: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewReferral {
    pub case_id: String,
    /// Whose eyes the reason is for (as a note's section); general when not given.
    #[serde(default)]
    pub section: Option<String>,
    pub to_level: String,
    pub to_agency_id: Option<String>,
    pub reason: String,
    /// `YYYY-MM-DD`.
    pub referred_on: String,
    /// A lead's written reason for referring to an agency without consent to share.
    pub consent_override_reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ReferralUpdate {
    pub case_id: String,
    pub referral_id: String,
    pub status: String,
    pub outcome: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewConsent {
    pub case_id: String,
    pub given_by: String,
    pub services: bool,
    pub reporting: bool,
    pub share_with: Vec<String>,
    pub given_on: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewAttachment {
    pub case_id: String,
    pub section: String,
    pub file_name: String,
    /// The file's bytes, base64.
    pub content_base64: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AttachmentContent {
    pub file_name: String,
    pub media_type: String,
    pub content_base64: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CaseMemberChange {
    pub case_id: String,
    pub member_id: String,
    /// `lead`, `support` or `review`; none removes them from the case.
    pub responsibility: Option<String>,
}

/// What happens when someone closes a case: closed at once by a lead who may approve,
/// otherwise a request for a lead.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CloseCase {
    pub case_id: String,
    pub outcome: Option<String>,
}

impl Open {
    pub(super) fn viewer(&self) -> Viewer {
        Viewer::of(self.actor())
    }

    pub(super) async fn case_access(&self, case_id: &str) -> Result<CaseAccess> {
        let mut conn = self.pool.acquire().await?;
        store::access_to(&mut conn, case_id, &self.member.id).await
    }

    /// The asker's part in a case, where an unknown case answers like a hidden one: no
    /// answer tells whether a case id exists.
    pub(super) async fn case_access_or_refuse(
        &self,
        action: Action,
        case_id: &str,
    ) -> Result<CaseAccess> {
        match self.case_access(case_id).await {
            Err(Error::NotFound(_)) => {
                self.audit_refusal(action, ("case", case_id)).await;
                Err(Error::Forbidden)
            }
            other => other,
        }
    }

    /// Ask for `action` on a case; the refusal is audited with the case's id.
    pub(super) async fn authorize_case(&self, action: Action, case_id: &str) -> Result<CaseAccess> {
        let access = self.case_access_or_refuse(action, case_id).await?;
        let decision = crate::access::authorize(self.actor(), action, Resource::Case(&access));
        if decision.is_err() {
            self.audit_refusal(action, ("case", case_id)).await;
        }
        decision.map(|()| access)
    }

    pub(super) async fn authorize_section(
        &self,
        action: Action,
        case_id: &str,
        section: Section,
    ) -> Result<CaseAccess> {
        let access = self.case_access_or_refuse(action, case_id).await?;
        let decision = crate::access::authorize(
            self.actor(),
            action,
            Resource::CaseSection(&access, section),
        );
        if decision.is_err() {
            self.audit_refusal(action, ("case", case_id)).await;
        }
        decision.map(|()| access)
    }

    pub(super) async fn audit_refusal(&self, action: Action, entity: (&str, &str)) {
        if let Err(err) = self
            .audit_outcome(
                action.audit_name(),
                Some(entity),
                crate::audit::Outcome::Refused,
            )
            .await
        {
            tracing::warn!(%err, "could not record a refusal in the audit log");
        }
    }

    /// A change to a case's own row, recorded three ways in its transaction: a line of its
    /// timeline, its outbox entry, and the audit entry.
    pub(super) async fn case_changed(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
        case_id: &str,
        (kind, detail): (&str, serde_json::Value),
        fields: serde_json::Value,
        audit_action: &str,
    ) -> Result<()> {
        store::add_event(tx, &self.outbox, case_id, kind, detail, &self.member.id).await?;
        self.outbox
            .record(
                tx,
                Some(&self.member.id),
                "case",
                case_id,
                Op::Update,
                &fields,
            )
            .await?;
        self.audit_in(tx, audit_action, Some(("case", case_id)))
            .await
    }

    /// The case as this member may see it (after `ViewCase` was allowed).
    pub(super) async fn case_file(&self, case_id: &str, access: &CaseAccess) -> Result<CaseFile> {
        let viewer = self.viewer();
        let sections = viewer.sections(access.membership);
        store::load(&self.pool, &viewer, case_id, sections).await
    }
}

impl Vault {
    /// Cases the signed-in member may see (`mine_only`: those they are on), a page at a
    /// time (`after`: the `next` of the page before).
    pub async fn list_cases(&self, mine_only: bool, after: Option<String>) -> Result<CasePage> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize(Action::FindCases, Resource::Cases).await?;
        store::list(&open.pool, &open.viewer(), mine_only, after.as_deref()).await
    }

    /// Cases the member may see whose child has this name and birth year.
    pub async fn case_duplicates(
        &self,
        name: String,
        birth_year: Option<i32>,
    ) -> Result<Vec<CaseSummary>> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize(Action::FindCases, Resource::Cases).await?;
        let name = clean_name("name", &name)?;
        let found = {
            let mut conn = open.pool.acquire().await?;
            store::possible_duplicates(&mut conn, &open.viewer(), &name, birth_year).await?
        };
        // A lookup of children by name: recorded, without the name.
        open.audit("case.duplicates", None).await?;
        Ok(found)
    }

    /// Open a case; its creator becomes its lead. A person with the same name and birth
    /// year in a case the member may see must be looked at first (`duplicates_reviewed`).
    pub async fn create_case(&self, new: NewCase) -> Result<CaseFile> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize(Action::CreateCase, Resource::Cases).await?;
        let checked = new.check()?;
        let mut tx = open.pool.begin().await?;
        if !new.duplicates_reviewed {
            let duplicates = store::possible_duplicates(
                &mut tx,
                &open.viewer(),
                &checked.subject.name,
                checked.subject.birth_year_estimate,
            )
            .await?;
            if !duplicates.is_empty() {
                return Err(Error::PossibleDuplicates(duplicates.len()));
            }
        }
        let id = store::insert_case(&mut tx, &open.outbox, &open.member.id, &checked).await?;
        open.audit_in(&mut tx, "case.create", Some(("case", &id)))
            .await?;
        tx.commit().await?;
        let access = CaseAccess {
            membership: Some(Responsibility::Lead),
        };
        open.case_file(&id, &access).await
    }

    /// A case as the member may see it. Every view is in the audit log.
    pub async fn open_case(&self, case_id: &str) -> Result<CaseFile> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let access = open.authorize_case(Action::ViewCase, case_id).await?;
        let file = open.case_file(case_id, &access).await?;
        open.audit("case.view", Some(("case", case_id))).await?;
        Ok(file)
    }

    /// Search names and notes of the cases (and sections) the member may see. The search
    /// is audited, without what was searched for.
    pub async fn search_cases(&self, query: &str) -> Result<Vec<SearchHit>> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        open.authorize(Action::FindCases, Resource::Cases).await?;
        let phrase = search_phrase(query)?;
        let hits = store::search(&open.pool, &open.viewer(), &phrase, query).await?;
        open.audit("case.search", None).await?;
        Ok(hits)
    }

    pub async fn add_case_note(&self, note: NewNote) -> Result<CaseFile> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let section = Section::parse("section", &note.section)?;
        let access = open
            .authorize_section(Action::WriteSection, &note.case_id, section)
            .await?;
        let body = clean_note(&note.body)?;
        let mut tx = open.pool.begin().await?;
        store::ensure_not_closed(&mut tx, &note.case_id).await?;
        let id = store::insert_note(
            &mut tx,
            &open.outbox,
            &open.member.id,
            &note.case_id,
            section,
            &body,
        )
        .await?;
        open.audit_in(&mut tx, "case.note.add", Some(("case_note", &id)))
            .await?;
        tx.commit().await?;
        open.case_file(&note.case_id, &access).await
    }

    /// Move a case along intake → assessment → plan → in progress (or back). Closing
    /// goes through [`Vault::close_case`].
    pub async fn set_case_status(&self, case_id: &str, status: &str) -> Result<CaseFile> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let access = open.authorize_case(Action::UpdateCase, case_id).await?;
        let status = Status::parse("status", status)?;
        if status == Status::Closed {
            return Err(Error::invalid(
                "status",
                "close a case with its outcome (Close case), not by its status",
            ));
        }
        let mut tx = open.pool.begin().await?;
        let current = store::state(&mut tx, case_id).await?;
        if current.status == Status::Closed {
            return Err(Error::invalid(
                "status",
                "the case is closed; a lead can reopen it",
            ));
        }
        if current.status != status {
            sqlx::query("UPDATE cases SET status = ?, updated_at = ? WHERE id = ?")
                .bind(status)
                .bind(now_utc())
                .bind(case_id)
                .execute(&mut *tx)
                .await?;
            open.case_changed(
                &mut tx,
                case_id,
                (
                    "status",
                    serde_json::json!({ "from": current.status, "to": status }),
                ),
                serde_json::json!({ "status": status }),
                "case.status",
            )
            .await?;
        }
        tx.commit().await?;
        open.case_file(case_id, &access).await
    }

    /// Close a case with its outcome. A member who may approve closes it at once; a
    /// member working on it asks a lead to (the case shows the request until decided).
    pub async fn close_case(&self, request: CloseCase) -> Result<CaseFile> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let case_id = request.case_id.as_str();
        let access = open.case_access(case_id).await?;
        let may_approve = open.actor().may(Action::CloseCase, Resource::Case(&access));
        let action = if may_approve {
            Action::CloseCase
        } else {
            Action::RequestClose
        };
        let access = open.authorize_case(action, case_id).await?;
        let outcome = match request.outcome.as_deref().map(str::trim) {
            None | Some("") => {
                return Err(Error::invalid("outcome", "is required to close a case"))
            }
            Some(raw) => Outcome::parse("outcome", raw)?,
        };
        let mut tx = open.pool.begin().await?;
        let current = store::state(&mut tx, case_id).await?;
        if current.status == Status::Closed {
            return Err(Error::invalid("outcome", "the case is already closed"));
        }
        let now = now_utc();
        if may_approve {
            close_now(open, &mut tx, case_id, outcome, &now).await?;
        } else {
            sqlx::query(
                "UPDATE cases SET close_requested_outcome = ?, close_requested_by = ?,
                     close_requested_at = ?, updated_at = ? WHERE id = ?",
            )
            .bind(outcome)
            .bind(&open.member.id)
            .bind(&now)
            .bind(&now)
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
            open.case_changed(
                &mut tx,
                case_id,
                ("close_requested", serde_json::json!({ "outcome": outcome })),
                serde_json::json!({ "close_requested_outcome": outcome, "close_requested_at": now }),
                "case.close.request",
            )
            .await?;
        }
        tx.commit().await?;
        open.case_file(case_id, &access).await
    }

    /// A lead approves (closes with the requested outcome) or declines a closure request.
    pub async fn decide_case_closure(&self, case_id: &str, approve: bool) -> Result<CaseFile> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let access = open.authorize_case(Action::CloseCase, case_id).await?;
        let mut tx = open.pool.begin().await?;
        let current = store::state(&mut tx, case_id).await?;
        let Some(outcome) = current.close_requested_outcome else {
            return Err(Error::invalid("case_id", "no one asked to close this case"));
        };
        let now = now_utc();
        if approve {
            close_now(open, &mut tx, case_id, outcome, &now).await?;
        } else {
            clear_close_request(&mut tx, case_id, &now).await?;
            open.case_changed(
                &mut tx,
                case_id,
                ("close_declined", serde_json::json!({ "outcome": outcome })),
                serde_json::json!({ "close_requested_outcome": null }),
                "case.close.decline",
            )
            .await?;
        }
        tx.commit().await?;
        open.case_file(case_id, &access).await
    }

    /// A lead reopens a closed case (back to in progress, its outcome cleared).
    pub async fn reopen_case(&self, case_id: &str) -> Result<CaseFile> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let access = open.authorize_case(Action::CloseCase, case_id).await?;
        let mut tx = open.pool.begin().await?;
        let current = store::state(&mut tx, case_id).await?;
        if current.status != Status::Closed {
            return Err(Error::invalid("case_id", "the case is not closed"));
        }
        // Only open cases are handed over when someone leaves the team: a reopened case
        // needs a lead who is still on the team, and those who left come off it.
        let active_leads: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM case_members cm JOIN members m ON m.id = cm.member_id
             WHERE cm.case_id = ? AND cm.removed_at IS NULL AND cm.responsibility = 'lead'
               AND m.status = 'active'",
        )
        .bind(case_id)
        .fetch_one(&mut *tx)
        .await?;
        if active_leads == 0 {
            return Err(Error::invalid(
                "case_id",
                "none of the case's leads is still on the team; make a current member its lead first, then reopen it",
            ));
        }
        let gone: Vec<String> = sqlx::query_scalar(
            "SELECT cm.member_id FROM case_members cm JOIN members m ON m.id = cm.member_id
             WHERE cm.case_id = ? AND cm.removed_at IS NULL AND m.status = 'left'",
        )
        .bind(case_id)
        .fetch_all(&mut *tx)
        .await?;
        for member_id in &gone {
            store::remove_member(&mut tx, &open.outbox, &open.member.id, case_id, member_id)
                .await?;
        }
        let now = now_utc();
        sqlx::query(
            "UPDATE cases SET status = 'in_progress', outcome = NULL, closed_by = NULL,
                 closed_at = NULL, updated_at = ? WHERE id = ?",
        )
        .bind(&now)
        .bind(case_id)
        .execute(&mut *tx)
        .await?;
        open.case_changed(
            &mut tx,
            case_id,
            ("reopened", serde_json::json!({})),
            serde_json::json!({ "status": Status::InProgress, "outcome": null }),
            "case.reopen",
        )
        .await?;
        tx.commit().await?;
        open.case_file(case_id, &access).await
    }

    /// Add a member to a case, change their responsibility, or remove them. A case keeps
    /// at least one lead.
    pub async fn change_case_member(&self, change: CaseMemberChange) -> Result<CaseFile> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let case_id = change.case_id.as_str();
        open.authorize_case(Action::ManageCaseMembers, case_id)
            .await?;
        let mut tx = open.pool.begin().await?;
        let member = crate::team::load_member(&mut *tx, &change.member_id)
            .await
            .map_err(|_| Error::invalid("member_id", "is not a member of the team"))?;
        if member.status == MemberStatus::Left {
            return Err(Error::invalid("member_id", "has left the team"));
        }
        let was = store::access_to(&mut tx, case_id, &member.id)
            .await?
            .membership;
        // Nobody puts themself on a case (to read its health or police notes) or takes
        // themself off it: the case lead or a team lead does.
        if member.id == open.member.id && was != Some(Responsibility::Lead) {
            return Err(Error::invalid(
                "member_id",
                "you cannot add yourself to a case; ask its lead",
            ));
        }
        let responsibility = change
            .responsibility
            .as_deref()
            .filter(|r| !r.trim().is_empty())
            .map(|r| Responsibility::parse("responsibility", r))
            .transpose()?;
        if member.id == open.member.id && responsibility != Some(Responsibility::Lead) {
            return Err(Error::invalid(
                "member_id",
                "you cannot take yourself off a case or step down as its lead; ask a team lead",
            ));
        }
        let losing_lead =
            was == Some(Responsibility::Lead) && responsibility != Some(Responsibility::Lead);
        if losing_lead && store::count_leads(&mut tx, case_id).await? <= 1 {
            return Err(Error::invalid(
                "responsibility",
                "this member is the case's only lead; make someone else its lead first",
            ));
        }
        match responsibility {
            Some(r) => {
                store::set_member(
                    &mut tx,
                    &open.outbox,
                    &open.member.id,
                    case_id,
                    &member.id,
                    r,
                )
                .await?
            }
            None => {
                store::remove_member(&mut tx, &open.outbox, &open.member.id, case_id, &member.id)
                    .await?
            }
        }
        store::add_event(
            &mut tx,
            &open.outbox,
            case_id,
            "member",
            serde_json::json!({ "member": member.display_name, "responsibility": responsibility }),
            &open.member.id,
        )
        .await?;
        store::touch(&mut tx, case_id).await?;
        open.audit_in(&mut tx, "case.members", Some(("case", case_id)))
            .await?;
        tx.commit().await?;
        // The asker's own part may have changed.
        let access = open.case_access(case_id).await?;
        if !crate::access::sees_case(open.actor(), &access) {
            return Err(Error::NotFound("the case (you are no longer on it)"));
        }
        open.case_file(case_id, &access).await
    }

    /// Refer a case to another level or agency. An agency the person did not agree to
    /// share with needs a lead's written reason (recorded, and audited as an override).
    pub async fn refer_case(&self, referral: NewReferral) -> Result<CaseFile> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let case_id = referral.case_id.as_str();
        let access = open.authorize_case(Action::ReferCase, case_id).await?;
        let section = match referral.section.as_deref().map(str::trim) {
            None | Some("") => Section::General,
            Some(raw) => Section::parse("section", raw)?,
        };
        open.authorize_section(Action::WriteSection, case_id, section)
            .await?;
        let to_level = Level::parse("to_level", &referral.to_level)?;
        let reason = clean_name("reason", &referral.reason)?;
        let referred_on = past_date("referred_on", &referral.referred_on)?;
        let mut tx = open.pool.begin().await?;
        let current = store::state(&mut tx, case_id).await?;
        if current.status == Status::Closed {
            return Err(Error::invalid(
                "case_id",
                "the case is closed; a lead can reopen it",
            ));
        }
        let to_agency = match referral.to_agency_id.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(id) => {
                let known: Option<String> = sqlx::query_scalar(
                    "SELECT id FROM agencies WHERE id = ? AND deleted_at IS NULL",
                )
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                Some(known.ok_or_else(|| {
                    Error::invalid("to_agency_id", "is not an agency of this team")
                })?)
            }
        };
        if to_level == current.level && to_agency.is_none() {
            return Err(Error::invalid(
                "to_level",
                "is the level the case is already at; name an agency to refer to one at this level",
            ));
        }
        let mut override_reason = None;
        if let Some(agency) = &to_agency {
            let consents = store::load_consents(&open.pool, case_id).await?;
            let agreed = consents
                .first()
                .is_some_and(|c| c.share_with.iter().any(|a| a == agency));
            if !agreed {
                let reason = clean_optional(
                    "consent_override_reason",
                    referral.consent_override_reason.as_deref(),
                )?;
                let Some(reason) = reason else {
                    return Err(Error::invalid(
                        "to_agency_id",
                        "the person has not agreed to share with this agency; a lead can refer anyway with a written reason",
                    ));
                };
                // Refused and audited for anyone who may not override.
                let decision = crate::access::authorize(
                    open.actor(),
                    Action::OverrideConsent,
                    Resource::Case(&access),
                );
                if decision.is_err() {
                    open.audit_refusal(Action::OverrideConsent, ("case", case_id))
                        .await;
                    decision?;
                }
                override_reason = Some(reason);
            }
        }
        let id = uuid::Uuid::now_v7().to_string();
        let now = now_utc();
        sqlx::query(
            "INSERT INTO case_referrals (id, case_id, section, from_level, to_level, to_agency_id,
                 reason, referred_on, status, consent_override_reason, created_by, created_at,
                 updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'sent', ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(case_id)
        .bind(section)
        .bind(current.level)
        .bind(to_level)
        .bind(&to_agency)
        .bind(&reason)
        .bind(&referred_on)
        .bind(&override_reason)
        .bind(&open.member.id)
        .bind(&now)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        store::touch(&mut tx, case_id).await?;
        open.outbox
            .record(
                &mut tx,
                Some(&open.member.id),
                "case_referral",
                &id,
                Op::Insert,
                &serde_json::json!({
                    "case_id": case_id, "from_level": current.level, "to_level": to_level,
                    "to_agency_id": to_agency, "reason": reason, "referred_on": referred_on,
                    "status": ReferralStatus::Sent, "consent_override_reason": override_reason,
                }),
            )
            .await?;
        open.audit_in(&mut tx, "case.refer", Some(("case_referral", &id)))
            .await?;
        if override_reason.is_some() {
            open.audit_in(
                &mut tx,
                "case.consent.override",
                Some(("case_referral", &id)),
            )
            .await?;
        }
        tx.commit().await?;
        open.case_file(case_id, &access).await
    }

    /// Record what became of a referral. Once accepted at another level, the case is held
    /// there.
    pub async fn update_referral(&self, update: ReferralUpdate) -> Result<CaseFile> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let case_id = update.case_id.as_str();
        let access = open.authorize_case(Action::ReferCase, case_id).await?;
        let status = ReferralStatus::parse("status", &update.status)?;
        let outcome = clean_optional("outcome", update.outcome.as_deref())?;
        let mut tx = open.pool.begin().await?;
        let found: Option<(Level, Section)> = sqlx::query_as(
            "SELECT to_level, section FROM case_referrals WHERE id = ? AND case_id = ?",
        )
        .bind(&update.referral_id)
        .bind(case_id)
        .fetch_optional(&mut *tx)
        .await?;
        let (to_level, section) =
            found.ok_or_else(|| Error::invalid("referral_id", "is not a referral of this case"))?;
        if !crate::access::sees_section(open.actor(), &access, section) {
            return Err(Error::invalid(
                "referral_id",
                "is not a referral of this case",
            ));
        }
        if store::state(&mut tx, case_id).await?.status == Status::Closed {
            return Err(Error::invalid(
                "case_id",
                "the case is closed; a lead can reopen it",
            ));
        }
        let now = now_utc();
        sqlx::query(
            "UPDATE case_referrals SET status = ?, outcome = ?, updated_at = ? WHERE id = ?",
        )
        .bind(status)
        .bind(&outcome)
        .bind(&now)
        .bind(&update.referral_id)
        .execute(&mut *tx)
        .await?;
        if status == ReferralStatus::Accepted {
            let current = store::state(&mut tx, case_id).await?;
            if to_level != current.level {
                sqlx::query("UPDATE cases SET level = ? WHERE id = ?")
                    .bind(to_level)
                    .bind(case_id)
                    .execute(&mut *tx)
                    .await?;
                open.outbox
                    .record(
                        &mut tx,
                        Some(&open.member.id),
                        "case",
                        case_id,
                        Op::Update,
                        &serde_json::json!({ "level": to_level }),
                    )
                    .await?;
                store::add_event(
                    &mut tx,
                    &open.outbox,
                    case_id,
                    "level",
                    serde_json::json!({ "from": current.level, "to": to_level }),
                    &open.member.id,
                )
                .await?;
            }
        }
        store::touch(&mut tx, case_id).await?;
        open.outbox
            .record(
                &mut tx,
                Some(&open.member.id),
                "case_referral",
                &update.referral_id,
                Op::Update,
                &serde_json::json!({ "status": status, "outcome": outcome, "updated_at": now }),
            )
            .await?;
        open.audit_in(
            &mut tx,
            "case.referral.update",
            Some(("case_referral", &update.referral_id)),
        )
        .await?;
        tx.commit().await?;
        open.case_file(case_id, &access).await
    }

    /// Record what the person (or their guardian) agreed to.
    pub async fn record_consent(&self, consent: NewConsent) -> Result<CaseFile> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let case_id = consent.case_id.as_str();
        let access = open.authorize_case(Action::ReferCase, case_id).await?;
        let given_by = ConsentGiver::parse("given_by", &consent.given_by)?;
        let given_on = past_date("given_on", &consent.given_on)?;
        let mut tx = open.pool.begin().await?;
        let mut share_with = Vec::new();
        for agency in &consent.share_with {
            let known: Option<String> =
                sqlx::query_scalar("SELECT id FROM agencies WHERE id = ? AND deleted_at IS NULL")
                    .bind(agency.trim())
                    .fetch_optional(&mut *tx)
                    .await?;
            let id = known.ok_or_else(|| {
                Error::invalid("share_with", "names an agency that is not on the team")
            })?;
            if !share_with.contains(&id) {
                share_with.push(id);
            }
        }
        let id = uuid::Uuid::now_v7().to_string();
        let encoded = serde_json::to_string(&share_with).map_err(|_| Error::Encode("consent"))?;
        sqlx::query(
            "INSERT INTO case_consents (id, case_id, given_by, services, reporting, share_with,
                 given_on, recorded_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(case_id)
        .bind(given_by)
        .bind(consent.services)
        .bind(consent.reporting)
        .bind(&encoded)
        .bind(&given_on)
        .bind(&open.member.id)
        .bind(now_utc())
        .execute(&mut *tx)
        .await?;
        store::add_event(
            &mut tx,
            &open.outbox,
            case_id,
            "consent",
            serde_json::json!({ "given_by": given_by }),
            &open.member.id,
        )
        .await?;
        store::touch(&mut tx, case_id).await?;
        open.outbox
            .record(
                &mut tx,
                Some(&open.member.id),
                "case_consent",
                &id,
                Op::Insert,
                &serde_json::json!({
                    "case_id": case_id, "given_by": given_by, "services": consent.services,
                    "reporting": consent.reporting, "share_with": share_with, "given_on": given_on,
                }),
            )
            .await?;
        open.audit_in(&mut tx, "case.consent", Some(("case_consent", &id)))
            .await?;
        tx.commit().await?;
        open.case_file(case_id, &access).await
    }

    /// Attach a photo or scanned document to a section. It is kept inside the encrypted
    /// vault, never as a file of its own.
    pub async fn add_attachment(&self, attachment: NewAttachment) -> Result<CaseFile> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let section = Section::parse("section", &attachment.section)?;
        let access = open
            .authorize_section(Action::WriteSection, &attachment.case_id, section)
            .await?;
        let bytes = decode_upload(&attachment.content_base64)?;
        let (file_name, media_type) = check_attachment(&attachment.file_name, &bytes)?;
        let sha = hex::encode(ring::digest::digest(&ring::digest::SHA256, &bytes));
        let id = uuid::Uuid::now_v7().to_string();
        let now = now_utc();
        let mut tx = open.pool.begin().await?;
        store::ensure_not_closed(&mut tx, &attachment.case_id).await?;
        sqlx::query(
            "INSERT INTO case_attachments (id, case_id, section, file_name, media_type, size,
                 sha256, content, added_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&id)
        .bind(&attachment.case_id)
        .bind(section)
        .bind(&file_name)
        .bind(media_type)
        .bind(i64::try_from(bytes.len()).unwrap_or(i64::MAX))
        .bind(&sha)
        .bind(&bytes)
        .bind(&open.member.id)
        .bind(&now)
        .execute(&mut *tx)
        .await?;
        store::touch(&mut tx, &attachment.case_id).await?;
        // The outbox carries the metadata; the bytes travel with sync's own blob transfer.
        open.outbox
            .record(
                &mut tx,
                Some(&open.member.id),
                "case_attachment",
                &id,
                Op::Insert,
                &serde_json::json!({
                    "case_id": attachment.case_id, "section": section, "file_name": file_name,
                    "media_type": media_type, "size": bytes.len(), "sha256": sha,
                }),
            )
            .await?;
        open.audit_in(
            &mut tx,
            "case.attachment.add",
            Some(("case_attachment", &id)),
        )
        .await?;
        tx.commit().await?;
        open.case_file(&attachment.case_id, &access).await
    }

    /// An attachment's content, for someone who may see its section. Audited.
    pub async fn attachment(&self, attachment_id: &str) -> Result<AttachmentContent> {
        let state = self.state.read().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let row: Option<(String, Section, String, String, Vec<u8>)> = sqlx::query_as(
            "SELECT case_id, section, file_name, media_type, content FROM case_attachments
             WHERE id = ? AND deleted_at IS NULL",
        )
        .bind(attachment_id)
        .fetch_optional(&open.pool)
        .await?;
        let Some((case_id, section, file_name, media_type, content)) = row else {
            open.audit_refusal(Action::ViewSection, ("case_attachment", attachment_id))
                .await;
            return Err(Error::Forbidden);
        };
        open.authorize_section(Action::ViewSection, &case_id, section)
            .await?;
        open.audit(
            "case.attachment.view",
            Some(("case_attachment", attachment_id)),
        )
        .await?;
        Ok(AttachmentContent {
            file_name,
            media_type,
            content_base64: base64::engine::general_purpose::STANDARD.encode(content),
        })
    }
}

/// An uploaded file's bytes from base64, refusing an oversized one before decoding it
/// (base64 is 4/3 of the bytes).
pub(super) fn decode_upload(content_base64: &str) -> Result<Vec<u8>> {
    if content_base64.len() > crate::cases::ATTACHMENT_MAX_BYTES / 3 * 4 + 8 {
        return Err(Error::invalid(
            "content",
            format!(
                "is larger than {} MB",
                crate::cases::ATTACHMENT_MAX_BYTES / 1_048_576
            ),
        ));
    }
    base64::engine::general_purpose::STANDARD
        .decode(content_base64.trim())
        .map_err(|_| Error::invalid("content", "is not base64"))
}

async fn clear_close_request(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    case_id: &str,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE cases SET close_requested_outcome = NULL, close_requested_by = NULL,
             close_requested_at = NULL, updated_at = ? WHERE id = ?",
    )
    .bind(now)
    .bind(case_id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn close_now(
    open: &Open,
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    case_id: &str,
    outcome: Outcome,
    now: &str,
) -> Result<()> {
    sqlx::query(
        "UPDATE cases SET status = 'closed', outcome = ?, closed_by = ?, closed_at = ?,
             close_requested_outcome = NULL, close_requested_by = NULL, close_requested_at = NULL,
             updated_at = ? WHERE id = ?",
    )
    .bind(outcome)
    .bind(&open.member.id)
    .bind(now)
    .bind(now)
    .bind(case_id)
    .execute(&mut **tx)
    .await?;
    open.case_changed(
        tx,
        case_id,
        ("closed", serde_json::json!({ "outcome": outcome })),
        serde_json::json!({ "status": Status::Closed, "outcome": outcome, "closed_at": now }),
        "case.close",
    )
    .await?;
    Ok(())
}
