//! Row changes from another laptop that break a rule of this laptop's records: another
//! member holds that sign-in name here, the row they refer to is not here, a value breaks
//! a check. Such a change is held (`sync_held`), not applied and not lost, and the rest of
//! its envelope is applied. Every round tries the held changes again, a row's together
//! (so that a rename made since lets a clashing row in); a lead sees why they wait.

use serde_json::Map;
use sqlx::SqliteConnection;

use super::apply::{self, Applied};
use super::capture;
use super::changes::RowChange;
use crate::{Error, Result};

/// Which rule a change broke, if the error says it broke one of the records' rules.
pub fn broken_rule(err: &Error) -> Option<&'static str> {
    match err {
        Error::BooksBroken(_) => return Some("books"),
        Error::FileIncomplete => return Some("file"),
        _ => {}
    }
    let Error::Storage(sqlx::Error::Database(db)) = err else {
        return None;
    };
    match db.kind() {
        sqlx::error::ErrorKind::UniqueViolation => Some("unique"),
        sqlx::error::ErrorKind::ForeignKeyViolation => Some("reference"),
        sqlx::error::ErrorKind::CheckViolation => Some("check"),
        sqlx::error::ErrorKind::NotNullViolation => Some("required"),
        _ => None,
    }
}

/// Apply one change in a savepoint of its own; a change that breaks a rule is undone and
/// held. Returns what was applied and whether it was held.
pub async fn apply_or_hold(
    conn: &mut SqliteConnection,
    change: &RowChange,
    shadow: Option<capture::Shadow>,
    ahead: &mut apply::Ahead,
) -> Result<(Applied, bool)> {
    // A new row with no set to fill is one statement, which SQLite undoes by itself when
    // it breaks a rule; anything more is undone through a savepoint.
    let single = shadow.is_none()
        && !super::entities::checked_on_apply(&change.entity)
        && super::entities::entity(&change.entity).is_some_and(|entity| {
            entity.sets.iter().all(|set| {
                change
                    .fields
                    .get(set.field)
                    .is_none_or(|v| v.as_array().is_some_and(Vec::is_empty))
            })
        });
    if !single {
        sqlx::query("SAVEPOINT row_change")
            .execute(&mut *conn)
            .await?;
    }
    let outcome = apply::apply_change(conn, change, shadow, ahead).await;
    if !single {
        if outcome.is_err() {
            sqlx::query("ROLLBACK TO row_change")
                .execute(&mut *conn)
                .await?;
        }
        sqlx::query("RELEASE row_change")
            .execute(&mut *conn)
            .await?;
    }
    let err = match outcome {
        Ok(applied) => return Ok((applied, false)),
        Err(err) => err,
    };
    let Some(rule) = broken_rule(&err) else {
        return Err(err);
    };
    tracing::warn!(entity = %change.entity, rule, "a row change from another laptop is held");
    sqlx::query(
        "INSERT INTO sync_held (entity, entity_id, hlc, change, reason, held_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(&change.entity)
    .bind(&change.id)
    .bind(&change.hlc)
    .bind(serde_json::to_string(change)?)
    .bind(rule)
    .bind(crate::outbox::now_utc())
    .execute(&mut *conn)
    .await?;
    Ok((
        Applied {
            held: 1,
            ..Applied::default()
        },
        true,
    ))
}

/// One change from a row's held changes, oldest first: each field as the newest of them
/// set it.
fn merged(changes: &[RowChange]) -> Option<RowChange> {
    let mut sorted: Vec<&RowChange> = changes.iter().collect();
    sorted.sort_by(|a, b| a.hlc.cmp(&b.hlc));
    let first = (*sorted.first()?).clone();
    let mut fields = Map::new();
    let mut parents = Map::new();
    for change in &sorted {
        for (k, v) in &change.fields {
            fields.insert(k.clone(), v.clone());
        }
        for (k, v) in &change.parents {
            parents.entry(k.clone()).or_insert_with(|| v.clone());
        }
    }
    let last = sorted.last()?;
    Some(RowChange {
        hlc: last.hlc.clone(),
        author: last.author.clone(),
        fields,
        parents,
        ..first
    })
}

/// Try every held row again. Returns how many rows now applied.
pub async fn retry(conn: &mut SqliteConnection) -> Result<usize> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT entity, entity_id FROM sync_held GROUP BY entity, entity_id ORDER BY min(id)",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut applied = 0;
    for (entity, entity_id) in rows {
        let held: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, change FROM sync_held WHERE entity = ? AND entity_id = ? ORDER BY id",
        )
        .bind(&entity)
        .bind(&entity_id)
        .fetch_all(&mut *conn)
        .await?;
        let changes: Vec<RowChange> = held
            .iter()
            .filter_map(|(_, json)| serde_json::from_str(json).ok())
            .collect();
        let Some(change) = merged(&changes) else {
            continue;
        };
        let Some(found) = super::entities::entity(&change.entity) else {
            continue;
        };
        let shadow = capture::load_shadow(conn, found.name, &change.id).await?;
        sqlx::query("SAVEPOINT held_row")
            .execute(&mut *conn)
            .await?;
        match apply::apply_change(conn, &change, shadow, &mut apply::Ahead::default()).await {
            Ok(_) => {
                sqlx::query("DELETE FROM sync_held WHERE entity = ? AND entity_id = ?")
                    .bind(&entity)
                    .bind(&entity_id)
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("RELEASE held_row").execute(&mut *conn).await?;
                applied += 1;
            }
            Err(err) => {
                sqlx::query("ROLLBACK TO held_row")
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("RELEASE held_row").execute(&mut *conn).await?;
                let Some(rule) = broken_rule(&err) else {
                    return Err(err);
                };
                sqlx::query("UPDATE sync_held SET reason = ? WHERE entity = ? AND entity_id = ?")
                    .bind(rule)
                    .bind(&entity)
                    .bind(&entity_id)
                    .execute(&mut *conn)
                    .await?;
            }
        }
    }
    Ok(applied)
}

/// The rows held here, for a lead: (entity, row id, rule, when first held).
pub async fn list(conn: &mut SqliteConnection) -> Result<Vec<(String, String, String, String)>> {
    Ok(sqlx::query_as(
        "SELECT entity, entity_id, reason, min(held_at) FROM sync_held
         GROUP BY entity, entity_id ORDER BY min(id)",
    )
    .fetch_all(&mut *conn)
    .await?)
}
