//! Reading and writing cases. Every query that returns case content takes a [`Viewer`]
//! and keeps to what it may see: cases it is a member of (or all, for those who oversee),
//! and in them only the sections whose audience it is in. The conditions are built from
//! `access::section_grant`, the same rule that single reads are checked against.

use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection, SqlitePool, Transaction};

use super::{
    age_of, CheckedCase, Concern, ConsentGiver, Documentation, Level, Outcome, Party, Person,
    ReferralStatus, Responsibility, Risk, Section, Sex, Status,
};
use crate::access::{self, Actor, CaseAccess, Permission};
use crate::outbox::{now_utc, Op, Outbox};
use crate::{Error, Result};

/// What a member may see across cases, fixed for one query.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub member_id: String,
    pub oversee: bool,
    grants: Vec<(Section, access::SectionGrant)>,
}

impl Viewer {
    pub fn of(actor: Actor<'_>) -> Self {
        Self {
            member_id: actor.member_id.to_owned(),
            oversee: actor.permissions.contains(&Permission::OverseeCases),
            grants: Section::ALL
                .iter()
                .map(|&s| (s, access::section_grant(actor, s)))
                .collect(),
        }
    }

    /// SQL true when the joined membership `cm` (LEFT JOIN, may be NULL) lets the viewer
    /// see the case. Only constants from this file go into it.
    fn case_condition(&self) -> String {
        format!("(cm.member_id IS NOT NULL OR {})", u8::from(self.oversee))
    }

    /// SQL true when the viewer may see the row's section (column `section_column`).
    fn section_condition(&self, section_column: &str) -> String {
        let parts: Vec<String> = self
            .grants
            .iter()
            .map(|(section, g)| {
                format!(
                    "({section_column} = '{}' AND ({} OR (cm.member_id IS NOT NULL AND ({} OR (cm.responsibility = 'lead' AND {})))))",
                    section.as_str(),
                    u8::from(g.non_member),
                    u8::from(g.member),
                    u8::from(g.case_lead),
                )
            })
            .collect();
        format!("({})", parts.join(" OR "))
    }

    /// The sections of one case the viewer may see.
    pub fn sections(&self, membership: Option<Responsibility>) -> Vec<Section> {
        self.grants
            .iter()
            .filter(|(_, g)| match membership {
                None => g.non_member,
                Some(Responsibility::Lead) => g.member || g.case_lead,
                Some(_) => g.member,
            })
            .map(|(s, _)| *s)
            .collect()
    }
}

/// A case in a list: enough to find it, nothing of its sections.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CaseSummary {
    pub id: String,
    pub subject_name: String,
    pub subject_alias: Option<String>,
    pub subject_age: Option<u32>,
    pub status: Status,
    pub risk: Risk,
    pub level: Level,
    pub outcome: Option<Outcome>,
    pub concerns: Vec<Concern>,
    /// The viewer's part in the case (none for those who oversee without being on it).
    pub my_responsibility: Option<Responsibility>,
    /// A member asked a lead to close it, with this outcome.
    pub close_requested: Option<Outcome>,
    pub updated_at: String,
}

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: String,
    subject_name: String,
    subject_alias: Option<String>,
    birth_date: Option<String>,
    birth_year_estimate: Option<i32>,
    status: Status,
    risk: Risk,
    level: Level,
    outcome: Option<Outcome>,
    concerns: Option<String>,
    responsibility: Option<Responsibility>,
    close_requested_outcome: Option<Outcome>,
    updated_at: String,
}

impl From<SummaryRow> for CaseSummary {
    fn from(row: SummaryRow) -> Self {
        let concerns = row
            .concerns
            .unwrap_or_default()
            .split(',')
            .filter_map(|c| Concern::parse("concerns", c).ok())
            .collect();
        Self {
            subject_age: age_of(row.birth_date.as_deref(), row.birth_year_estimate),
            id: row.id,
            subject_name: row.subject_name,
            subject_alias: row.subject_alias,
            status: row.status,
            risk: row.risk,
            level: row.level,
            outcome: row.outcome,
            concerns,
            my_responsibility: row.responsibility,
            close_requested: row.close_requested_outcome,
            updated_at: row.updated_at,
        }
    }
}

const SUMMARY_COLUMNS: &str = "SELECT c.id, p.name AS subject_name, p.alias AS subject_alias,
        p.birth_date, p.birth_year_estimate, c.status, c.risk, c.level, c.outcome,
        (SELECT group_concat(concern) FROM case_concerns WHERE case_id = c.id) AS concerns,
        cm.responsibility, c.close_requested_outcome, c.updated_at";

/// Summaries of the cases the viewer may see. Those who are only on some cases are
/// served from their memberships (an index), never by scanning every case.
fn summaries<'a>(viewer: &'a Viewer, members_only: bool) -> QueryBuilder<'a, Sqlite> {
    let mut sql = QueryBuilder::new(SUMMARY_COLUMNS);
    if viewer.oversee && !members_only {
        sql.push(
            " FROM cases c
              JOIN case_people p ON p.case_id = c.id AND p.party = 'subject' AND p.deleted_at IS NULL
              LEFT JOIN case_members cm ON cm.case_id = c.id AND cm.removed_at IS NULL
                  AND cm.member_id = ",
        );
        sql.push_bind(viewer.member_id.clone());
        sql.push(" WHERE c.deleted_at IS NULL");
    } else {
        sql.push(
            " FROM case_members cm
              JOIN cases c ON c.id = cm.case_id AND c.deleted_at IS NULL
              JOIN case_people p ON p.case_id = c.id AND p.party = 'subject' AND p.deleted_at IS NULL
              WHERE cm.removed_at IS NULL AND cm.member_id = ",
        );
        sql.push_bind(viewer.member_id.clone());
    }
    sql
}

/// Cases per page of the list.
pub const PAGE_SIZE: usize = 100;

/// One page of the case list, and the marker of the next page when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CasePage {
    pub cases: Vec<CaseSummary>,
    /// Pass as `after` for the next page; none on the last page.
    pub next: Option<String>,
}

/// The cases the viewer may see, most recently changed first, a page at a time: `after`
/// is the `next` of the page before (none for the first page).
pub async fn list(
    pool: &SqlitePool,
    viewer: &Viewer,
    mine_only: bool,
    after: Option<&str>,
) -> Result<CasePage> {
    let mut sql = summaries(viewer, mine_only);
    if let Some(after) = after {
        let (updated_at, id) = after
            .split_once('|')
            .filter(|(at, id)| !at.is_empty() && !id.is_empty())
            .ok_or_else(|| Error::invalid("after", "is not a page marker of this list"))?;
        sql.push(" AND (c.updated_at < ")
            .push_bind(updated_at.to_owned())
            .push(" OR (c.updated_at = ")
            .push_bind(updated_at.to_owned())
            .push(" AND c.id > ")
            .push_bind(id.to_owned())
            .push("))");
    }
    sql.push(" ORDER BY c.updated_at DESC, c.id LIMIT ")
        .push_bind(i64::try_from(PAGE_SIZE + 1).unwrap_or(i64::MAX));
    let rows: Vec<SummaryRow> = sql.build_query_as().fetch_all(pool).await?;
    let mut cases: Vec<CaseSummary> = rows.into_iter().map(CaseSummary::from).collect();
    let next = if cases.len() > PAGE_SIZE {
        cases.truncate(PAGE_SIZE);
        cases.last().map(|c| format!("{}|{}", c.updated_at, c.id))
    } else {
        None
    };
    Ok(CasePage { cases, next })
}

/// Cases the viewer may see whose child has this name (any case) and birth year: the
/// possible duplicates shown before a new case is made. Cases the viewer may not see are
/// never mentioned, not even as a count.
pub async fn possible_duplicates(
    conn: &mut SqliteConnection,
    viewer: &Viewer,
    name: &str,
    birth_year: Option<i32>,
) -> Result<Vec<CaseSummary>> {
    let key = super::name_key(name);
    let mut sql = summaries(viewer, false);
    // The longest word of the name finds the candidates whatever the spacing (in its
    // compatibility form, as names are kept).
    use unicode_normalization::UnicodeNormalization as _;
    let folded: String = name.nfkc().collect();
    let word = folded
        .split_whitespace()
        .max_by_key(|w| w.chars().count())
        .unwrap_or_default();
    match super::search_phrase(word) {
        // Candidates from the index (which folds case and Latin accents in every script),
        // then the same name exactly, compared in Rust.
        Ok(phrase) => {
            sql.push(
                " AND c.id IN (SELECT k.case_id FROM case_search s
                   JOIN case_search_keys k ON k.rowid = s.rowid
                   WHERE case_search MATCH 'text : ' || ",
            )
            .push_bind(phrase)
            .push(" AND k.source = 'person')");
        }
        // Every word too short for the index: the same letters, whatever their case.
        Err(_) => {
            sql.push(" AND lower(p.name) = lower(")
                .push_bind(name.to_owned())
                .push(")");
        }
    }
    if let Some(year) = birth_year {
        sql.push(" AND (p.birth_year_estimate IS NULL OR p.birth_year_estimate = ")
            .push_bind(year)
            .push(")");
    }
    sql.push(" ORDER BY c.updated_at DESC");
    let rows: Vec<SummaryRow> = sql.build_query_as().fetch_all(&mut *conn).await?;
    Ok(rows
        .into_iter()
        .map(CaseSummary::from)
        .filter(|c| super::name_key(&c.subject_name) == key)
        .collect())
}

/// The viewer's part in a case; `NotFound` when there is no such case.
pub async fn access_to(
    conn: &mut SqliteConnection,
    case_id: &str,
    member_id: &str,
) -> Result<CaseAccess> {
    let row: Option<(String, Option<Responsibility>)> = sqlx::query_as(
        "SELECT c.id, cm.responsibility FROM cases c
         LEFT JOIN case_members cm ON cm.case_id = c.id AND cm.member_id = ? AND cm.removed_at IS NULL
         WHERE c.id = ? AND c.deleted_at IS NULL",
    )
    .bind(member_id)
    .bind(case_id)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        Some((_, membership)) => Ok(CaseAccess { membership }),
        None => Err(Error::NotFound("the case")),
    }
}

/// Index a name or a note of a case for search (public for the benchmark, which builds
/// its vault through it).
pub async fn index_text(
    tx: &mut Transaction<'_, Sqlite>,
    case_id: &str,
    section: Section,
    source: &str,
    source_id: &str,
    text: &str,
) -> Result<()> {
    let row = sqlx::query(
        "INSERT INTO case_search_keys (case_id, section, source, source_id) VALUES (?, ?, ?, ?)",
    )
    .bind(case_id)
    .bind(section.as_str())
    .bind(source)
    .bind(source_id)
    .execute(&mut **tx)
    .await?
    .last_insert_rowid();
    sqlx::query(&format!(
        "INSERT INTO case_search (rowid, text, who)
         SELECT k.rowid, ?, {} FROM case_search_keys k WHERE k.rowid = ?",
        who_of_case()
    ))
    .bind(text)
    .bind(row)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// SQL for the search token of the member whose id is the SQL value `member`: three
/// characters of Unicode plane 16, one per four of the id's last twelve hex digits.
/// Migration 0005 holds the same expression (a test keeps the two equal).
fn who_token(member: &str) -> String {
    let group = |at: usize| {
        let digits: Vec<String> = [4096, 256, 16, 1]
            .iter()
            .enumerate()
            .map(|(i, weight)| {
                format!(
                    "(instr('0123456789abcdef', substr({member}, {}, 1)) - 1) * {weight}",
                    at + i
                )
            })
            .collect();
        format!("1048576 + {}", digits.join(" + "))
    };
    format!("char({})", [25, 29, 33].map(group).join(", "))
}

/// SQL for the `who` column of the index row `k`: the tokens of its case's current members.
fn who_of_case() -> String {
    format!(
        "(SELECT coalesce(group_concat({}, ' '), '') FROM case_members cm
          WHERE cm.case_id = k.case_id AND cm.removed_at IS NULL)",
        who_token("cm.member_id")
    )
}

/// SQL for the indexed text of the index row `k`, read back from the note or person.
const TEXT_OF_KEY: &str = "CASE k.source WHEN 'note' THEN (SELECT body FROM case_notes WHERE id = k.source_id) ELSE (SELECT name || coalesce(' ' || alias, '') FROM case_people WHERE id = k.source_id) END";

/// Which index rows to write again: a whole case's, or one note's or person's.
#[derive(Clone, Copy)]
enum Indexed<'a> {
    Case(&'a str),
    Source(&'a str),
}

impl Indexed<'_> {
    fn condition(self) -> (&'static str, String) {
        match self {
            Indexed::Case(id) => ("case_id", id.to_owned()),
            Indexed::Source(id) => ("source_id", id.to_owned()),
        }
    }
}

/// Write index rows again (same rowids) from the notes and people as they are now, with
/// their case's members as they are now.
async fn reindex(tx: &mut Transaction<'_, Sqlite>, rows: Indexed<'_>) -> Result<()> {
    let (column, id) = rows.condition();
    sqlx::query(&format!(
        "DELETE FROM case_search WHERE rowid IN (SELECT rowid FROM case_search_keys WHERE {column} = ?)"
    ))
    .bind(&id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO case_search (rowid, text, who)
         SELECT k.rowid, {TEXT_OF_KEY}, {} FROM case_search_keys k WHERE k.{column} = ?",
        who_of_case()
    ))
    .bind(&id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn reindex_case(tx: &mut Transaction<'_, Sqlite>, case_id: &str) -> Result<()> {
    reindex(tx, Indexed::Case(case_id)).await
}

/// Write a case's whole search index again from its people and notes as they are now (a
/// case that arrived from another laptop, or changed there).
pub async fn rebuild_index(conn: &mut SqliteConnection, case_id: &str) -> Result<()> {
    sqlx::query(
        "DELETE FROM case_search WHERE rowid IN (SELECT rowid FROM case_search_keys WHERE case_id = ?)",
    )
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("DELETE FROM case_search_keys WHERE case_id = ?")
        .bind(case_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO case_search_keys (case_id, section, source, source_id)
         SELECT case_id, 'general', 'person', id FROM case_people
         WHERE case_id = ?1 AND deleted_at IS NULL
         UNION ALL
         SELECT case_id, section, 'note', id FROM case_notes
         WHERE case_id = ?1 AND deleted_at IS NULL",
    )
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query(&format!(
        "INSERT INTO case_search (rowid, text, who)
         SELECT k.rowid, {TEXT_OF_KEY}, {} FROM case_search_keys k WHERE k.case_id = ?",
        who_of_case()
    ))
    .bind(case_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Take a deleted note or person out of the search index.
async fn unindex(tx: &mut Transaction<'_, Sqlite>, source_id: &str) -> Result<()> {
    sqlx::query(
        "DELETE FROM case_search WHERE rowid IN (SELECT rowid FROM case_search_keys WHERE source_id = ?)",
    )
    .bind(source_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM case_search_keys WHERE source_id = ?")
        .bind(source_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A note as stored, for correcting or deleting it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoteRow {
    pub case_id: String,
    pub section: Section,
    pub body: String,
    pub author_id: String,
}

/// A note that is not deleted; `NotFound` otherwise.
pub async fn note_row(conn: &mut SqliteConnection, note_id: &str) -> Result<NoteRow> {
    sqlx::query_as(
        "SELECT case_id, section, body, author_id FROM case_notes WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(note_id)
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound("the note"))
}

/// Correct a note's text; its earlier wording is kept in `case_note_versions`.
pub async fn update_note(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    note_id: &str,
    before: &NoteRow,
    body: &str,
) -> Result<()> {
    let now = now_utc();
    sqlx::query(
        "INSERT INTO case_note_versions (note_id, body, replaced_by, replaced_at) VALUES (?, ?, ?, ?)",
    )
    .bind(note_id)
    .bind(&before.body)
    .bind(author)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE case_notes SET body = ?, updated_at = ? WHERE id = ?")
        .bind(body)
        .bind(&now)
        .bind(note_id)
        .execute(&mut **tx)
        .await?;
    reindex(tx, Indexed::Source(note_id)).await?;
    touch(tx, &before.case_id).await?;
    let version = serde_json::json!({
        "note_id": note_id, "body": before.body, "replaced_by": author, "replaced_at": now,
    });
    outbox
        .record(
            tx,
            Some(author),
            "case_note_version",
            &format!("{note_id}/{now}"),
            Op::Insert,
            &version,
        )
        .await?;
    let fields = serde_json::json!({ "body": body, "updated_at": now });
    outbox
        .record(tx, Some(author), "case_note", note_id, Op::Update, &fields)
        .await
}

/// Delete a note, a person or an attachment: hidden from every answer and out of the
/// search index; the row stays in the vault.
pub async fn delete_record(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    case_id: &str,
    record: Record,
    id: &str,
) -> Result<()> {
    let now = now_utc();
    let (table, entity) = match record {
        Record::Note => ("case_notes", "case_note"),
        Record::Person => ("case_people", "case_person"),
        Record::Attachment => ("case_attachments", "case_attachment"),
    };
    let done = sqlx::query(&format!(
        "UPDATE {table} SET deleted_at = ? WHERE id = ? AND case_id = ? AND deleted_at IS NULL"
    ))
    .bind(&now)
    .bind(id)
    .bind(case_id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound("the record"));
    }
    unindex(tx, id).await?;
    touch(tx, case_id).await?;
    let fields = serde_json::json!({ "case_id": case_id, "deleted_at": now });
    outbox
        .record(tx, Some(author), entity, id, Op::Delete, &fields)
        .await
}

/// What can be deleted from a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Record {
    Note,
    Person,
    Attachment,
}

/// A person as stored: their case and part, for correcting or removing them.
pub async fn person_party(
    conn: &mut SqliteConnection,
    case_id: &str,
    person_id: &str,
) -> Result<crate::cases::Party> {
    sqlx::query_scalar(
        "SELECT party FROM case_people WHERE id = ? AND case_id = ? AND deleted_at IS NULL",
    )
    .bind(person_id)
    .bind(case_id)
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound("the person"))
}

/// Add a person to a case (not its child or victim, who came with the case).
pub async fn add_person(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    case_id: &str,
    person: &Person,
) -> Result<()> {
    insert_person(tx, outbox, author, case_id, person, &now_utc()).await?;
    touch(tx, case_id).await
}

/// Correct a person's details.
pub async fn update_person(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    case_id: &str,
    person: &Person,
) -> Result<()> {
    let now = now_utc();
    let languages =
        serde_json::to_string(&person.languages).map_err(|_| Error::Encode("languages"))?;
    sqlx::query(
        "UPDATE case_people SET party = ?, relation = ?, name = ?, alias = ?, sex = ?, birth_date = ?,
             birth_year_estimate = ?, nationality = ?, documentation = ?, languages = ?,
             village = ?, contact = ?, updated_at = ?
         WHERE id = ? AND case_id = ? AND deleted_at IS NULL",
    )
    .bind(person.party)
    .bind(&person.relation)
    .bind(&person.name)
    .bind(&person.alias)
    .bind(person.sex)
    .bind(&person.birth_date)
    .bind(person.birth_year_estimate)
    .bind(&person.nationality)
    .bind(person.documentation)
    .bind(&languages)
    .bind(&person.village)
    .bind(&person.contact)
    .bind(&now)
    .bind(&person.id)
    .bind(case_id)
    .execute(&mut **tx)
    .await?;
    reindex(tx, Indexed::Source(&person.id)).await?;
    touch(tx, case_id).await?;
    let mut fields = serde_json::to_value(person).map_err(|_| Error::Encode("a person"))?;
    fields["case_id"] = case_id.into();
    outbox
        .record(
            tx,
            Some(author),
            "case_person",
            &person.id,
            Op::Update,
            &fields,
        )
        .await
}

/// Refuse changes to a closed case's record (a lead reopens it first).
pub async fn ensure_not_closed(conn: &mut SqliteConnection, case_id: &str) -> Result<()> {
    if state(conn, case_id).await?.status == Status::Closed {
        return Err(Error::invalid(
            "case_id",
            "the case is closed; a lead can reopen it to change it",
        ));
    }
    Ok(())
}

/// Open cases (not closed, not deleted) the member is on.
pub async fn open_cases_of(
    conn: &mut SqliteConnection,
    member_id: &str,
) -> Result<Vec<(String, Responsibility)>> {
    Ok(sqlx::query_as(
        "SELECT cm.case_id, cm.responsibility FROM case_members cm
         JOIN cases c ON c.id = cm.case_id AND c.deleted_at IS NULL AND c.status <> 'closed'
         WHERE cm.member_id = ? AND cm.removed_at IS NULL
         ORDER BY cm.case_id",
    )
    .bind(member_id)
    .fetch_all(conn)
    .await?)
}

async fn insert_person(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    case_id: &str,
    person: &Person,
    now: &str,
) -> Result<()> {
    let languages =
        serde_json::to_string(&person.languages).map_err(|_| Error::Encode("languages"))?;
    sqlx::query(
        "INSERT INTO case_people (id, case_id, party, relation, name, alias, sex, birth_date,
            birth_year_estimate, nationality, documentation, languages, village, contact,
            created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&person.id)
    .bind(case_id)
    .bind(person.party)
    .bind(&person.relation)
    .bind(&person.name)
    .bind(&person.alias)
    .bind(person.sex)
    .bind(&person.birth_date)
    .bind(person.birth_year_estimate)
    .bind(&person.nationality)
    .bind(person.documentation)
    .bind(&languages)
    .bind(&person.village)
    .bind(&person.contact)
    .bind(now)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let names = match &person.alias {
        Some(alias) => format!("{} {alias}", person.name),
        None => person.name.clone(),
    };
    index_text(tx, case_id, Section::General, "person", &person.id, &names).await?;
    let mut fields = serde_json::to_value(person).map_err(|_| Error::Encode("a person"))?;
    fields["case_id"] = case_id.into();
    outbox
        .record(
            tx,
            Some(author),
            "case_person",
            &person.id,
            Op::Insert,
            &fields,
        )
        .await
}

/// A line of the case's timeline (and of the outbox, so other devices show it too).
pub async fn add_event(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    case_id: &str,
    kind: &str,
    detail: serde_json::Value,
    actor: &str,
) -> Result<()> {
    let id = uuid::Uuid::now_v7().to_string();
    let at = now_utc();
    sqlx::query(
        "INSERT INTO case_events (id, case_id, kind, detail, actor, at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(case_id)
    .bind(kind)
    .bind(detail.to_string())
    .bind(actor)
    .bind(&at)
    .execute(&mut **tx)
    .await?;
    let fields = serde_json::json!({
        "case_id": case_id, "kind": kind, "detail": detail, "actor": actor, "at": at,
    });
    outbox
        .record(tx, Some(actor), "case_event", &id, Op::Insert, &fields)
        .await
}

/// Insert a checked case with its people and concerns; its creator becomes its lead.
pub async fn insert_case(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    case: &CheckedCase,
) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_utc();
    sqlx::query(
        "INSERT INTO cases (id, status, risk, level, created_by, created_at, updated_at)
         VALUES (?, 'intake', ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(case.risk)
    .bind(case.level)
    .bind(author)
    .bind(&now)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    for concern in &case.concerns {
        sqlx::query("INSERT INTO case_concerns (case_id, concern) VALUES (?, ?)")
            .bind(&id)
            .bind(concern)
            .execute(&mut **tx)
            .await?;
    }
    let fields = serde_json::json!({
        "status": Status::Intake, "risk": case.risk, "level": case.level,
        "concerns": case.concerns, "created_by": author, "created_at": now, "updated_at": now,
    });
    outbox
        .record(tx, Some(author), "case", &id, Op::Insert, &fields)
        .await?;
    insert_person(tx, outbox, author, &id, &case.subject, &now).await?;
    for other in &case.others {
        insert_person(tx, outbox, author, &id, other, &now).await?;
    }
    set_member(tx, outbox, author, &id, author, Responsibility::Lead).await?;
    add_event(
        tx,
        outbox,
        &id,
        "created",
        serde_json::json!({ "status": Status::Intake }),
        author,
    )
    .await?;
    Ok(id)
}

/// Make `member_id` a member of the case with this responsibility (or change it).
pub async fn set_member(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    case_id: &str,
    member_id: &str,
    responsibility: Responsibility,
) -> Result<()> {
    let now = now_utc();
    sqlx::query(
        "INSERT INTO case_members (case_id, member_id, responsibility, added_by, added_at)
         VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (case_id, member_id) DO UPDATE SET responsibility = excluded.responsibility,
             added_by = excluded.added_by, added_at = excluded.added_at, removed_at = NULL",
    )
    .bind(case_id)
    .bind(member_id)
    .bind(responsibility)
    .bind(author)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    reindex_case(tx, case_id).await?;
    let fields = serde_json::json!({
        "case_id": case_id, "member_id": member_id, "responsibility": responsibility, "at": now,
    });
    outbox
        .record(
            tx,
            Some(author),
            "case_member",
            &format!("{case_id}/{member_id}"),
            Op::Update,
            &fields,
        )
        .await
}

pub async fn remove_member(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    case_id: &str,
    member_id: &str,
) -> Result<()> {
    let now = now_utc();
    let done = sqlx::query(
        "UPDATE case_members SET removed_at = ? WHERE case_id = ? AND member_id = ? AND removed_at IS NULL",
    )
    .bind(&now)
    .bind(case_id)
    .bind(member_id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::invalid("member_id", "is not a member of this case"));
    }
    reindex_case(tx, case_id).await?;
    let fields =
        serde_json::json!({ "case_id": case_id, "member_id": member_id, "removed_at": now });
    outbox
        .record(
            tx,
            Some(author),
            "case_member",
            &format!("{case_id}/{member_id}"),
            Op::Delete,
            &fields,
        )
        .await
}

/// Leads of the case who are still on it (a case keeps at least one).
pub async fn count_leads(conn: &mut SqliteConnection, case_id: &str) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM case_members WHERE case_id = ? AND responsibility = 'lead' AND removed_at IS NULL",
    )
    .bind(case_id)
    .fetch_one(conn)
    .await?)
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Note {
    pub id: String,
    pub section: Section,
    pub body: String,
    pub author_id: String,
    pub author_name: Option<String>,
    pub created_at: String,
    /// When its text was last corrected.
    pub edited_at: Option<String>,
    /// Whether the viewer may correct or delete it (its author, the case's lead, a team
    /// lead).
    #[sqlx(default)]
    pub may_change: bool,
}

pub async fn insert_note(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    case_id: &str,
    section: Section,
    body: &str,
) -> Result<String> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_utc();
    sqlx::query(
        "INSERT INTO case_notes (id, case_id, section, body, author_id, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(case_id)
    .bind(section)
    .bind(body)
    .bind(author)
    .bind(&now)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    index_text(tx, case_id, section, "note", &id, body).await?;
    touch(tx, case_id).await?;
    let fields = serde_json::json!({
        "case_id": case_id, "section": section, "body": body, "author_id": author, "created_at": now,
    });
    outbox
        .record(tx, Some(author), "case_note", &id, Op::Insert, &fields)
        .await?;
    Ok(id)
}

/// The case changed: it moves up its lists.
pub async fn touch(tx: &mut Transaction<'_, Sqlite>, case_id: &str) -> Result<()> {
    sqlx::query("UPDATE cases SET updated_at = ? WHERE id = ?")
        .bind(now_utc())
        .bind(case_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CaseMember {
    pub member_id: String,
    pub display_name: String,
    pub responsibility: Responsibility,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Referral {
    pub id: String,
    pub section: Section,
    pub from_level: Level,
    pub from_agency_id: Option<String>,
    pub to_level: Level,
    pub to_agency_id: Option<String>,
    pub reason: String,
    pub referred_on: String,
    pub status: ReferralStatus,
    pub outcome: Option<String>,
    pub consent_override_reason: Option<String>,
    pub created_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    pub id: String,
    pub given_by: ConsentGiver,
    pub services: bool,
    pub reporting: bool,
    pub share_with: Vec<String>,
    pub given_on: String,
    pub recorded_by: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AttachmentInfo {
    pub id: String,
    pub section: Section,
    pub file_name: String,
    pub media_type: String,
    #[cfg_attr(feature = "specta", specta(type = u32))]
    pub size: i64,
    pub created_at: String,
    pub added_by: String,
    /// Whether the viewer may delete it (who added it, the case's lead, a team lead).
    #[sqlx(default)]
    pub may_change: bool,
}

/// One line of a case's timeline: a note, an event (created, status, closure…), or a
/// referral, each from a section the viewer may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct TimelineItem {
    pub at: String,
    /// `note`, `referral`, or the event's kind (`created`, `status`, `close_requested`, …).
    pub kind: String,
    pub section: Option<Section>,
    /// The note's first line, the referral's levels, or the event's detail (JSON).
    pub summary: String,
    pub actor_name: Option<String>,
}

/// A case as its viewer may see it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CaseFile {
    pub summary: CaseSummary,
    pub people: Vec<Person>,
    pub members: Vec<CaseMember>,
    /// The sections this viewer sees; the others are absent from everything below.
    pub sections: Vec<Section>,
    pub notes: Vec<Note>,
    pub attachments: Vec<AttachmentInfo>,
    pub referrals: Vec<Referral>,
    pub consents: Vec<Consent>,
    pub timeline: Vec<TimelineItem>,
}

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: String,
    party: Party,
    relation: Option<String>,
    name: String,
    alias: Option<String>,
    sex: Sex,
    birth_date: Option<String>,
    birth_year_estimate: Option<i32>,
    nationality: Option<String>,
    documentation: Documentation,
    languages: Option<String>,
    village: Option<String>,
    contact: Option<String>,
}

fn in_list(sections: &[Section]) -> String {
    let quoted: Vec<String> = sections
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    if quoted.is_empty() {
        "(NULL)".to_owned()
    } else {
        format!("({})", quoted.join(", "))
    }
}

/// Load a case for a viewer already allowed to see it, with `sections` the ones it sees.
pub async fn load(
    pool: &SqlitePool,
    viewer: &Viewer,
    case_id: &str,
    sections: Vec<Section>,
) -> Result<CaseFile> {
    let mut sql = summaries(viewer, false);
    sql.push(" AND c.id = ").push_bind(case_id.to_owned());
    let summary: SummaryRow = sql
        .build_query_as()
        .fetch_optional(pool)
        .await?
        .ok_or(Error::NotFound("the case"))?;
    let people: Vec<PersonRow> = sqlx::query_as(
        "SELECT id, party, relation, name, alias, sex, birth_date, birth_year_estimate, nationality,
                documentation, languages, village, contact
         FROM case_people WHERE case_id = ? AND deleted_at IS NULL
         ORDER BY party = 'subject' DESC, created_at, id",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    let people = people
        .into_iter()
        .map(|p| Person {
            age: age_of(p.birth_date.as_deref(), p.birth_year_estimate),
            languages: p
                .languages
                .and_then(|l| serde_json::from_str(&l).ok())
                .unwrap_or_default(),
            id: p.id,
            party: p.party,
            relation: p.relation,
            name: p.name,
            alias: p.alias,
            sex: p.sex,
            birth_date: p.birth_date,
            birth_year_estimate: p.birth_year_estimate,
            nationality: p.nationality,
            documentation: p.documentation,
            village: p.village,
            contact: p.contact,
        })
        .collect();
    let members = sqlx::query_as(
        "SELECT cm.member_id, m.display_name, cm.responsibility FROM case_members cm
         JOIN members m ON m.id = cm.member_id
         WHERE cm.case_id = ? AND cm.removed_at IS NULL
         ORDER BY cm.responsibility = 'lead' DESC, m.display_name",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    let visible = in_list(&sections);
    let notes = sqlx::query_as(&format!(
        "SELECT n.id, n.section, n.body, n.author_id, m.display_name AS author_name, n.created_at,
                (SELECT max(replaced_at) FROM case_note_versions WHERE note_id = n.id) AS edited_at
         FROM case_notes n LEFT JOIN members m ON m.id = n.author_id
         WHERE n.case_id = ? AND n.deleted_at IS NULL AND n.section IN {visible}
         ORDER BY n.created_at DESC, n.id DESC"
    ))
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    let attachments = sqlx::query_as(&format!(
        "SELECT id, section, file_name, media_type, size, created_at, added_by FROM case_attachments
         WHERE case_id = ? AND deleted_at IS NULL AND section IN {visible}
         ORDER BY created_at DESC, id DESC"
    ))
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    let referrals = sqlx::query_as(&format!(
        "SELECT id, section, from_level, from_agency_id, to_level, to_agency_id, reason,
                referred_on, status, outcome, consent_override_reason, created_by
         FROM case_referrals WHERE case_id = ? AND section IN {visible}
         ORDER BY referred_on DESC, created_at DESC"
    ))
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    let may_change = |author: &str| {
        access::may_change_record(
            &viewer.member_id,
            viewer.oversee,
            summary.responsibility,
            author,
        )
    };
    let mut notes: Vec<Note> = notes;
    for note in &mut notes {
        note.may_change = may_change(&note.author_id);
    }
    let mut attachments: Vec<AttachmentInfo> = attachments;
    for attachment in &mut attachments {
        attachment.may_change = may_change(&attachment.added_by);
    }
    let consents = load_consents(pool, case_id).await?;
    let timeline = sqlx::query_as(&format!(
        "SELECT at, kind, section, summary, actor_name FROM (
            SELECT n.created_at AS at, 'note' AS kind, n.section AS section,
                   substr(n.body, 1, 160) AS summary, m.display_name AS actor_name
              FROM case_notes n LEFT JOIN members m ON m.id = n.author_id
              WHERE n.case_id = ?1 AND n.deleted_at IS NULL AND n.section IN {visible}
            UNION ALL
            SELECT e.at, e.kind, NULL, e.detail, m.display_name
              FROM case_events e LEFT JOIN members m ON m.id = e.actor WHERE e.case_id = ?1
            UNION ALL
            SELECT r.created_at, 'referral', r.section,
                   json_object('from', r.from_level, 'to', r.to_level, 'status', r.status),
                   m.display_name
              FROM case_referrals r LEFT JOIN members m ON m.id = r.created_by
              WHERE r.case_id = ?1 AND r.section IN {visible}
         ) ORDER BY at DESC"
    ))
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    Ok(CaseFile {
        summary: summary.into(),
        people,
        members,
        sections,
        notes,
        attachments,
        referrals,
        consents,
        timeline,
    })
}

pub async fn load_consents(pool: &SqlitePool, case_id: &str) -> Result<Vec<Consent>> {
    let rows: Vec<(String, ConsentGiver, bool, bool, String, String, String)> = sqlx::query_as(
        "SELECT id, given_by, services, reporting, share_with, given_on, recorded_by
         FROM case_consents WHERE case_id = ? ORDER BY given_on DESC, created_at DESC",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(
            |(id, given_by, services, reporting, share_with, given_on, recorded_by)| Consent {
                id,
                given_by,
                services,
                reporting,
                share_with: serde_json::from_str(&share_with).unwrap_or_default(),
                given_on,
                recorded_by,
            },
        )
        .collect())
}

/// One search hit: the case, and a short snippet from a section the viewer may see.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SearchHit {
    pub case_id: String,
    pub subject_name: String,
    pub section: Section,
    /// `person` (a name) or `note`.
    pub source: String,
    /// The matching text with the match between « and ».
    pub snippet: String,
}

pub const SEARCH_LIMIT: i64 = 50;

/// Search names and notes in the cases and sections the viewer may see. `phrase` comes
/// from `search_phrase`; `typed` is what was typed, to mark the match in the snippet.
pub async fn search(
    pool: &SqlitePool,
    viewer: &Viewer,
    phrase: &str,
    typed: &str,
) -> Result<Vec<SearchHit>> {
    let mut sql = QueryBuilder::<Sqlite>::new(
        "SELECT k.case_id, p.name AS subject_name, k.section, k.source, k.source_id
         FROM case_search s
         JOIN case_search_keys k ON k.rowid = s.rowid
         JOIN cases c ON c.id = k.case_id AND c.deleted_at IS NULL
         JOIN case_people p ON p.case_id = c.id AND p.party = 'subject' AND p.deleted_at IS NULL
         LEFT JOIN case_members cm ON cm.case_id = c.id AND cm.removed_at IS NULL AND cm.member_id = ",
    );
    sql.push_bind(viewer.member_id.clone());
    sql.push(" WHERE case_search MATCH 'text : ' || ")
        .push_bind(phrase.to_owned());
    if !viewer.oversee {
        // The index itself keeps to the viewer's cases (migration 0005): most matches of a
        // word are in other cases, and walking them would cost more than the search.
        sql.push(" || ' AND who : \"' || (SELECT ")
            .push(who_token("v.id"))
            .push(" FROM (SELECT ")
            .push_bind(viewer.member_id.clone())
            .push(" AS id) v) || '\"'");
    }
    // What the viewer may see is still decided here, by membership and section.
    sql.push(" AND ").push(viewer.case_condition());
    sql.push(" AND ")
        .push(viewer.section_condition("k.section"));
    // Newest first, and no ranking: FTS5 then walks its index backwards and stops at the
    // first hits the viewer may see, instead of scoring every match of a common word.
    sql.push(" ORDER BY s.rowid DESC LIMIT ")
        .push_bind(SEARCH_LIMIT);
    let rows: Vec<(String, String, Section, String, String)> =
        sql.build_query_as().fetch_all(pool).await?;
    let mut hits = Vec::with_capacity(rows.len());
    for (case_id, subject_name, section, source, source_id) in rows {
        let text: Option<String> = if source == "note" {
            sqlx::query_scalar("SELECT body FROM case_notes WHERE id = ?")
                .bind(&source_id)
                .fetch_optional(pool)
                .await?
        } else {
            sqlx::query_scalar(
                "SELECT name || coalesce(' ' || alias, '') FROM case_people WHERE id = ?",
            )
            .bind(&source_id)
            .fetch_optional(pool)
            .await?
        };
        hits.push(SearchHit {
            case_id,
            subject_name,
            section,
            snippet: super::snippet(text.as_deref().unwrap_or_default(), typed),
            source,
        });
    }
    Ok(hits)
}

/// Status, closure and level as stored.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CaseState {
    pub status: Status,
    pub level: Level,
    pub close_requested_outcome: Option<Outcome>,
}

pub async fn state(conn: &mut SqliteConnection, case_id: &str) -> Result<CaseState> {
    sqlx::query_as(
        "SELECT status, level, close_requested_outcome FROM cases
         WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(case_id)
    .fetch_optional(conn)
    .await?
    .ok_or(Error::NotFound("the case"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIGRATION: &str = include_str!("../../../../migrations/20261128000005_search_who.sql");

    #[test]
    fn the_migration_indexes_as_the_store_does() {
        assert!(MIGRATION.contains(
            &who_of_case()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        ));
        assert!(MIGRATION.contains(TEXT_OF_KEY));
    }

    /// A vault written before migration 0005 (the index without member tokens) finds its
    /// notes for a case worker once migrated.
    #[tokio::test]
    async fn a_vault_from_before_the_tokens_is_indexed_again_by_its_migration() {
        use sqlx::sqlite::SqliteConnectOptions;
        use std::str::FromStr as _;
        let dir = tempfile::tempdir().unwrap();
        let options = SqliteConnectOptions::from_str("sqlite:")
            .unwrap()
            .filename(dir.path().join("old.db"))
            .create_if_missing(true)
            .foreign_keys(false);
        let pool = SqlitePool::connect_with(options).await.unwrap();
        let before = sqlx::migrate::Migrator {
            migrations: std::borrow::Cow::Owned(crate::db::MIGRATOR.migrations[..4].to_vec()),
            ..sqlx::migrate::Migrator::DEFAULT
        };
        before.run(&pool).await.unwrap();
        let worker = "01930000-0000-7000-8000-00000000a001";
        let other = "01930000-0000-7000-8000-00000000b002";
        let t = "2026-11-20T00:00:00.000Z";
        for (case, member, person, note, body) in [
            ("c1", worker, "p1", "n1", "ตำรวจสอบปากคำพยาน"),
            ("c2", other, "p2", "n2", "แพทย์สอบปากคำเด็ก"),
        ] {
            for sql in [
                format!("INSERT INTO cases (id, status, risk, level, created_by, created_at, updated_at) VALUES ('{case}', 'intake', 'low', 'village', '{member}', '{t}', '{t}')"),
                format!("INSERT INTO case_people (id, case_id, party, name, sex, documentation, created_at, updated_at) VALUES ('{person}', '{case}', 'subject', 'Child {case}', 'female', 'unknown', '{t}', '{t}')"),
                format!("INSERT INTO case_members (case_id, member_id, responsibility, added_by, added_at) VALUES ('{case}', '{member}', 'lead', '{member}', '{t}')"),
                format!("INSERT INTO case_notes (id, case_id, section, body, author_id, created_at, updated_at) VALUES ('{note}', '{case}', 'general', '{body}', '{member}', '{t}', '{t}')"),
                format!("INSERT INTO case_search_keys (case_id, section, source, source_id) VALUES ('{case}', 'general', 'note', '{note}')"),
                format!("INSERT INTO case_search (rowid, text) VALUES (last_insert_rowid(), '{body}')"),
            ] {
                sqlx::query(&sql).execute(&pool).await.unwrap();
            }
        }
        crate::db::MIGRATOR.run(&pool).await.unwrap();
        let rights = crate::access::Permissions::new();
        let viewer = Viewer::of(Actor {
            member_id: worker,
            permissions: &rights,
            must_change_passphrase: false,
            discipline: None,
        });
        let phrase = crate::cases::search_phrase("สอบปากคำ").unwrap();
        let hits = search(&pool, &viewer, &phrase, "สอบปากคำ").await.unwrap();
        assert_eq!(
            hits.iter().map(|h| h.case_id.as_str()).collect::<Vec<_>>(),
            ["c1"],
            "the worker's own case, found through its token"
        );
    }

    #[tokio::test]
    async fn tokens_are_three_characters_of_plane_16_one_per_member() {
        use sqlx::Connection as _;
        let mut conn = SqliteConnection::connect("sqlite::memory:").await.unwrap();
        let sql = format!("SELECT {} FROM (SELECT ? AS id) v", who_token("v.id"));
        let mut tokens = Vec::new();
        for id in [
            "0193b7a2-8c1e-7d4f-9a2b-3c4d5e6f7a8b",
            "0193b7a2-8c1e-7d4f-9a2b-3c4d5e6f7a8c",
        ] {
            let token: String = sqlx::query_scalar(&sql)
                .bind(id)
                .fetch_one(&mut conn)
                .await
                .unwrap();
            tokens.push(token);
        }
        let (a, b) = (&tokens[0], &tokens[1]);
        assert_eq!(a.chars().count(), 3);
        assert_ne!(a, b);
        assert!(a
            .chars()
            .chain(b.chars())
            .all(|c| ('\u{100000}'..='\u{10FFFF}').contains(&c)));
        // 3c4d 5e6f 7a8b, each as one character.
        assert_eq!(a, "\u{103c4d}\u{105e6f}\u{107a8b}");
    }
}
