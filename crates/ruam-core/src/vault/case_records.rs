//! Correcting and deleting what a case holds (notes, people, attachments). Each change is
//! checked like the rest of the case commands (need to know first), refused on a closed
//! case, and written with its outbox entry and audit entry in one transaction. Changes to
//! people are also lines of the case's timeline; a corrected note shows that it was
//! edited, and a deleted note or attachment leaves no line (the timeline goes to every
//! member of the case, and a line would tell them a health or police note had been there).

use serde::Deserialize;

use super::{Open, State, Vault};
use crate::access::{Action, Permission};
use crate::cases::store::{self, CaseFile, Record};
use crate::cases::{clean_note, NewPerson, Party};
use crate::{Error, Result};

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NoteEdit {
    pub note_id: String,
    pub body: String,
}

/// A person to add to a case (`person_id` empty) or to correct.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PersonChange {
    pub case_id: String,
    pub person_id: Option<String>,
    pub person: NewPerson,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct PersonRemoval {
    pub case_id: String,
    pub person_id: String,
}

impl Open {
    /// A note or attachment the asker may change: it exists, they see its section, and
    /// they wrote or added it, lead its case, or oversee every case. Anything else is
    /// refused alike (and audited), so an id tells nothing.
    async fn changeable(
        &self,
        record: (&str, &str),
        case_id: &str,
        section: crate::cases::Section,
        author: &str,
    ) -> Result<crate::access::CaseAccess> {
        let access = self
            .authorize_section(Action::WriteSection, case_id, section)
            .await?;
        let oversees = self.permissions.contains(&Permission::OverseeCases);
        if !crate::access::may_change_record(&self.member.id, oversees, access.membership, author) {
            self.audit_refusal(Action::WriteSection, record).await;
            return Err(Error::Forbidden);
        }
        Ok(access)
    }

    /// A record asked for by an id that is unknown or deleted: refused like a hidden one.
    async fn unknown(&self, record: (&str, &str)) -> Error {
        self.audit_refusal(Action::WriteSection, record).await;
        Error::Forbidden
    }
}

impl Vault {
    /// Correct a note's text. Its earlier wording stays in the vault, for the record.
    pub async fn edit_case_note(&self, edit: NoteEdit) -> Result<CaseFile> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let target = ("case_note", edit.note_id.as_str());
        let note = {
            let mut conn = open.pool.acquire().await?;
            store::note_row(&mut conn, &edit.note_id).await
        };
        let Ok(note) = note else {
            return Err(open.unknown(target).await);
        };
        let access = open
            .changeable(target, &note.case_id, note.section, &note.author_id)
            .await?;
        let body = clean_note(&edit.body)?;
        let mut tx = open.pool.begin().await?;
        store::ensure_not_closed(&mut tx, &note.case_id).await?;
        if body != note.body {
            store::update_note(
                &mut tx,
                &open.outbox,
                &open.member.id,
                &edit.note_id,
                &note,
                &body,
            )
            .await?;
            open.audit_in(&mut tx, "case.note.edit", Some(target))
                .await?;
        }
        tx.commit().await?;
        open.case_file(&note.case_id, &access).await
    }

    /// Delete a note: gone from every view and from search (kept in the vault).
    pub async fn delete_case_note(&self, note_id: &str) -> Result<CaseFile> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let target = ("case_note", note_id);
        let note = {
            let mut conn = open.pool.acquire().await?;
            store::note_row(&mut conn, note_id).await
        };
        let Ok(note) = note else {
            return Err(open.unknown(target).await);
        };
        let access = open
            .changeable(target, &note.case_id, note.section, &note.author_id)
            .await?;
        let mut tx = open.pool.begin().await?;
        store::ensure_not_closed(&mut tx, &note.case_id).await?;
        store::delete_record(
            &mut tx,
            &open.outbox,
            &open.member.id,
            &note.case_id,
            Record::Note,
            note_id,
        )
        .await?;
        open.audit_in(&mut tx, "case.note.delete", Some(target))
            .await?;
        tx.commit().await?;
        open.case_file(&note.case_id, &access).await
    }

    /// Delete an attachment: gone from every view (kept in the vault).
    pub async fn delete_case_attachment(&self, attachment_id: &str) -> Result<CaseFile> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let target = ("case_attachment", attachment_id);
        let row: Option<(String, crate::cases::Section, String)> = sqlx::query_as(
            "SELECT case_id, section, added_by FROM case_attachments
             WHERE id = ? AND deleted_at IS NULL",
        )
        .bind(attachment_id)
        .fetch_optional(&open.pool)
        .await?;
        let Some((case_id, section, added_by)) = row else {
            return Err(open.unknown(target).await);
        };
        let access = open
            .changeable(target, &case_id, section, &added_by)
            .await?;
        let mut tx = open.pool.begin().await?;
        store::ensure_not_closed(&mut tx, &case_id).await?;
        store::delete_record(
            &mut tx,
            &open.outbox,
            &open.member.id,
            &case_id,
            Record::Attachment,
            attachment_id,
        )
        .await?;
        open.audit_in(&mut tx, "case.attachment.delete", Some(target))
            .await?;
        tx.commit().await?;
        open.case_file(&case_id, &access).await
    }

    /// Add a person to a case (a guardian, a witness, …) or correct someone's details.
    /// The child or victim stays the case's subject; nobody else becomes it.
    pub async fn save_case_person(&self, change: PersonChange) -> Result<CaseFile> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let case_id = change.case_id.as_str();
        let access = open.authorize_case(Action::UpdateCase, case_id).await?;
        let mut tx = open.pool.begin().await?;
        store::ensure_not_closed(&mut tx, case_id).await?;
        let existing = match change.person_id.as_deref().filter(|id| !id.is_empty()) {
            Some(id) => Some((
                id.to_owned(),
                store::person_party(&mut tx, case_id, id)
                    .await
                    .map_err(|_| Error::invalid("person_id", "is not a person in this case"))?,
            )),
            None => None,
        };
        let is_subject = matches!(existing, Some((_, Party::Subject)));
        let mut person = change
            .person
            .check(if is_subject { "subject" } else { "others" })?;
        if (person.party == Party::Subject) != is_subject {
            return Err(Error::invalid(
                if is_subject { "subject.party" } else { "party" },
                if is_subject {
                    "the child or victim stays the subject of the case"
                } else {
                    "a case has one child or victim; add this person as a guardian, witness or other"
                },
            ));
        }
        let (audit_action, kind) = match existing {
            Some((id, _)) => {
                person.id = id;
                store::update_person(&mut tx, &open.outbox, &open.member.id, case_id, &person)
                    .await?;
                ("case.person.update", "person_updated")
            }
            None => {
                store::add_person(&mut tx, &open.outbox, &open.member.id, case_id, &person).await?;
                ("case.person.add", "person_added")
            }
        };
        store::add_event(
            &mut tx,
            &open.outbox,
            case_id,
            kind,
            serde_json::json!({ "party": person.party }),
            &open.member.id,
        )
        .await?;
        open.audit_in(&mut tx, audit_action, Some(("case_person", &person.id)))
            .await?;
        tx.commit().await?;
        open.case_file(case_id, &access).await
    }

    /// Take a person (not the child or victim) off a case.
    pub async fn remove_case_person(&self, removal: PersonRemoval) -> Result<CaseFile> {
        let state = self.state.write().await;
        let State::Unlocked(open) = &*state else {
            return Err(Error::Locked);
        };
        let case_id = removal.case_id.as_str();
        let access = open.authorize_case(Action::UpdateCase, case_id).await?;
        let mut tx = open.pool.begin().await?;
        store::ensure_not_closed(&mut tx, case_id).await?;
        let party = store::person_party(&mut tx, case_id, &removal.person_id)
            .await
            .map_err(|_| Error::invalid("person_id", "is not a person in this case"))?;
        if party == Party::Subject {
            return Err(Error::invalid(
                "person_id",
                "the child or victim cannot be removed from their case; correct their details instead",
            ));
        }
        store::delete_record(
            &mut tx,
            &open.outbox,
            &open.member.id,
            case_id,
            Record::Person,
            &removal.person_id,
        )
        .await?;
        store::add_event(
            &mut tx,
            &open.outbox,
            case_id,
            "person_removed",
            serde_json::json!({ "party": party }),
            &open.member.id,
        )
        .await?;
        open.audit_in(
            &mut tx,
            "case.person.remove",
            Some(("case_person", &removal.person_id)),
        )
        .await?;
        tx.commit().await?;
        open.case_file(case_id, &access).await
    }
}
