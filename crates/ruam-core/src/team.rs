//! The team and its members, as far as the vault's foundation needs them: the team's
//! name and the first member, its lead. (Roles and member administration grow here.)

use serde::Serialize;
use sqlx::{Sqlite, SqlitePool, Transaction};

use crate::outbox::{now_utc, Op, Outbox};
use crate::{Error, Result};

pub const ROLE_TEAM_LEAD: &str = "team_lead";
pub const NAME_MAX_CHARS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct MemberSummary {
    pub id: String,
    pub display_name: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Team {
    pub id: String,
    pub name: String,
    pub recovery_acknowledged: bool,
}

/// Trim a name and check it is present and not absurdly long.
pub fn clean_name(field: &'static str, raw: &str) -> Result<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(Error::invalid(field, "is empty"));
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(Error::invalid(
            field,
            format!("must be at most {NAME_MAX_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(field, "contains control characters"));
    }
    Ok(name.to_owned())
}

pub async fn insert_team(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    id: &str,
    name: &str,
) -> Result<()> {
    let now = now_utc();
    sqlx::query("INSERT INTO team (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)")
        .bind(id)
        .bind(name)
        .bind(&now)
        .bind(&now)
        .execute(&mut **tx)
        .await?;
    let fields = serde_json::json!({ "name": name, "created_at": now, "updated_at": now });
    outbox
        .record(tx, Some(author), "team", id, Op::Insert, &fields)
        .await
}

pub async fn insert_member(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    member: &MemberSummary,
) -> Result<()> {
    let now = now_utc();
    sqlx::query(
        "INSERT INTO members (id, display_name, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&member.id)
    .bind(&member.display_name)
    .bind(&member.role)
    .bind(&now)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    let fields = serde_json::json!({
        "display_name": member.display_name, "role": member.role,
        "created_at": now, "updated_at": now,
    });
    outbox
        .record(tx, Some(author), "member", &member.id, Op::Insert, &fields)
        .await
}

pub async fn load_team(pool: &SqlitePool) -> Result<Team> {
    sqlx::query_as(
        "SELECT id, name, recovery_acknowledged FROM team WHERE deleted_at IS NULL ORDER BY id LIMIT 1",
    )
    .fetch_optional(pool)
    .await?
    .ok_or(Error::NotFound("the team"))
}

pub async fn load_member(pool: &SqlitePool, id: &str) -> Result<MemberSummary> {
    sqlx::query_as("SELECT id, display_name, role FROM members WHERE id = ? AND deleted_at IS NULL")
        .bind(id)
        .fetch_optional(pool)
        .await?
        .ok_or(Error::NotFound("the member"))
}

/// The longest-serving active team lead: the member a recovery key unlocks as.
pub async fn first_lead(pool: &SqlitePool) -> Result<MemberSummary> {
    sqlx::query_as(
        "SELECT id, display_name, role FROM members
         WHERE role = ? AND deleted_at IS NULL ORDER BY created_at, id LIMIT 1",
    )
    .bind(ROLE_TEAM_LEAD)
    .fetch_optional(pool)
    .await?
    .ok_or(Error::NotFound("an active team lead"))
}

pub async fn set_recovery_acknowledged(
    pool: &SqlitePool,
    outbox: &Outbox,
    author: &str,
    team_id: &str,
    acknowledged: bool,
) -> Result<()> {
    let now = now_utc();
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE team SET recovery_acknowledged = ?, updated_at = ? WHERE id = ?")
        .bind(acknowledged)
        .bind(&now)
        .bind(team_id)
        .execute(&mut *tx)
        .await?;
    let fields = serde_json::json!({ "recovery_acknowledged": acknowledged, "updated_at": now });
    outbox
        .record(&mut tx, Some(author), "team", team_id, Op::Update, &fields)
        .await?;
    tx.commit().await?;
    Ok(())
}
