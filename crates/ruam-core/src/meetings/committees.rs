//! Committees and working groups in SQL: their members a set of their own, each write
//! with its outbox change (team scope).

use sqlx::{Sqlite, SqliteConnection, Transaction};

use super::{Committee, CommitteeKind, Frequency, NewCommittee};
use crate::outbox::{now_utc, Op, Outbox};
use crate::{Error, Result};

#[derive(sqlx::FromRow)]
struct CommitteeRow {
    id: String,
    name: String,
    kind: CommitteeKind,
    frequency: Frequency,
    chair_id: Option<String>,
    members: String,
    handover_note: Option<String>,
}

const COMMITTEES: &str = "SELECT c.id, c.name, c.kind, c.frequency, c.chair_id, c.handover_note,
        (SELECT json_group_array(member_id) FROM
            (SELECT member_id FROM committee_members m WHERE m.committee_id = c.id
             ORDER BY member_id)) AS members
    FROM committees c WHERE c.deleted_at IS NULL";

fn committee(row: CommitteeRow) -> Result<Committee> {
    Ok(Committee {
        id: row.id,
        name: row.name,
        kind: row.kind,
        frequency: row.frequency,
        chair_id: row.chair_id,
        member_ids: serde_json::from_str(&row.members)?,
        handover_note: row.handover_note,
    })
}

pub async fn list(conn: &mut SqliteConnection) -> Result<Vec<Committee>> {
    let rows: Vec<CommitteeRow> = sqlx::query_as(&format!("{COMMITTEES} ORDER BY c.name"))
        .fetch_all(&mut *conn)
        .await?;
    rows.into_iter().map(committee).collect()
}

pub async fn by_id(conn: &mut SqliteConnection, id: &str) -> Result<Committee> {
    let row: Option<CommitteeRow> = sqlx::query_as(&format!("{COMMITTEES} AND c.id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    committee(row.ok_or(Error::NotFound("the committee"))?)
}

/// Every member named must be an active member of the team.
async fn check_members(conn: &mut SqliteConnection, ids: &[String]) -> Result<()> {
    for id in ids {
        let known: Option<String> = sqlx::query_scalar(
            "SELECT id FROM members WHERE id = ? AND status = 'active' AND deleted_at IS NULL",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        if known.is_none() {
            return Err(Error::invalid(
                "memberIds",
                "names someone who is not an active member",
            ));
        }
    }
    Ok(())
}

/// Insert (`id` none) or overwrite a committee; the caller commits.
pub async fn save(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    id: Option<&str>,
    new: &NewCommittee,
) -> Result<Committee> {
    let new = new.check()?;
    check_members(tx, &new.member_ids).await?;
    let now = now_utc();
    let (id, op) = match id {
        Some(id) => {
            by_id(tx, id).await?;
            sqlx::query(
                "UPDATE committees SET name = ?, kind = ?, frequency = ?, chair_id = ?,
                     updated_at = ? WHERE id = ?",
            )
            .bind(&new.name)
            .bind(new.kind.as_str())
            .bind(new.frequency.as_str())
            .bind(&new.chair_id)
            .bind(&now)
            .bind(id)
            .execute(&mut **tx)
            .await?;
            (id.to_owned(), Op::Update)
        }
        None => {
            let id = uuid::Uuid::now_v7().to_string();
            sqlx::query(
                "INSERT INTO committees (id, name, kind, frequency, chair_id, created_by,
                     created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&id)
            .bind(&new.name)
            .bind(new.kind.as_str())
            .bind(new.frequency.as_str())
            .bind(&new.chair_id)
            .bind(author)
            .bind(&now)
            .bind(&now)
            .execute(&mut **tx)
            .await?;
            (id, Op::Insert)
        }
    };
    sqlx::query("DELETE FROM committee_members WHERE committee_id = ?")
        .bind(&id)
        .execute(&mut **tx)
        .await?;
    for member in &new.member_ids {
        sqlx::query("INSERT INTO committee_members (committee_id, member_id) VALUES (?, ?)")
            .bind(&id)
            .bind(member)
            .execute(&mut **tx)
            .await?;
    }
    outbox
        .record(
            tx,
            Some(author),
            "committee",
            &id,
            op,
            &serde_json::json!({
                "name": new.name, "kind": new.kind, "frequency": new.frequency,
                "chair_id": new.chair_id, "members": new.member_ids, "updated_at": now,
            }),
        )
        .await?;
    by_id(tx, &id).await
}

/// Write a committee's chair and members as they now are, with its outbox change.
async fn write_people(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    committee: &Committee,
) -> Result<()> {
    let now = now_utc();
    sqlx::query(
        "UPDATE committees SET chair_id = ?, handover_note = ?, updated_at = ? WHERE id = ?",
    )
    .bind(&committee.chair_id)
    .bind(&committee.handover_note)
    .bind(&now)
    .bind(&committee.id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("DELETE FROM committee_members WHERE committee_id = ?")
        .bind(&committee.id)
        .execute(&mut **tx)
        .await?;
    for member in &committee.member_ids {
        sqlx::query("INSERT INTO committee_members (committee_id, member_id) VALUES (?, ?)")
            .bind(&committee.id)
            .bind(member)
            .execute(&mut **tx)
            .await?;
    }
    outbox
        .record(
            tx,
            Some(author),
            "committee",
            &committee.id,
            Op::Update,
            &serde_json::json!({
                "chair_id": committee.chair_id, "members": committee.member_ids,
                "handover_note": committee.handover_note, "updated_at": now,
            }),
        )
        .await?;
    Ok(())
}

/// A leaving chair's committee goes to `to`, who takes their seat too, with the note.
pub async fn hand_over_chair(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    committee_id: &str,
    (from, to): (&str, &str),
    note: &str,
) -> Result<Committee> {
    let mut committee = by_id(tx, committee_id).await?;
    if committee.chair_id.as_deref() != Some(from) {
        return Err(Error::invalid(
            "items",
            "names a committee the member does not chair",
        ));
    }
    committee.chair_id = Some(to.to_owned());
    committee
        .member_ids
        .retain(|member| member != from && member != to);
    committee.member_ids.push(to.to_owned());
    committee.member_ids.sort();
    committee.handover_note = Some(note.to_owned());
    write_people(tx, outbox, author, &committee).await?;
    Ok(committee)
}

/// A member who left comes off every committee they sat on (their attendance at past
/// meetings stays). Answers how many committees changed.
pub async fn leave_all(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    member_id: &str,
) -> Result<usize> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT m.committee_id FROM committee_members m JOIN committees c ON c.id = m.committee_id
         WHERE m.member_id = ? AND c.deleted_at IS NULL ORDER BY m.committee_id",
    )
    .bind(member_id)
    .fetch_all(&mut **tx)
    .await?;
    for id in &ids {
        let mut committee = by_id(tx, id).await?;
        committee.member_ids.retain(|member| member != member_id);
        write_people(tx, outbox, author, &committee).await?;
    }
    Ok(ids.len())
}
