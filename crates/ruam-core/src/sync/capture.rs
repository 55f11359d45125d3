//! Turning this laptop's outbox into row changes for the relay: each row the outbox names
//! (and the rows that belong to it) is read as it is now and compared, field by field, with
//! what was last synced; only the fields that differ travel, each with the clock of the
//! change and of the value it replaces. Runs inside the transaction that seals them.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Map, Value};
use sqlx::SqliteConnection;

use super::changes::{RowChange, DELETED};
use super::entities::{self, Entity, ScopeRule};
use crate::Result;

/// Rows that travel in a case's scope wait for case scopes: their changes are marked so
/// and read again once those exist.
const WAITS_FOR_CASE_SCOPE: i64 = 2;

/// A row as last synced.
#[derive(Debug, Clone, Default)]
pub struct Shadow {
    pub state: Map<String, Value>,
    pub clocks: Map<String, Value>,
}

pub async fn load_shadow(
    conn: &mut SqliteConnection,
    entity: &str,
    id: &str,
) -> Result<Option<Shadow>> {
    let row: Option<(String, String)> =
        sqlx::query_as("SELECT state, clocks FROM sync_rows WHERE entity = ? AND entity_id = ?")
            .bind(entity)
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?;
    let Some((state, clocks)) = row else {
        return Ok(None);
    };
    Ok(Some(Shadow {
        state: serde_json::from_str(&state)?,
        clocks: serde_json::from_str(&clocks)?,
    }))
}

pub async fn save_shadow(
    conn: &mut SqliteConnection,
    entity: &str,
    id: &str,
    shadow: &Shadow,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_rows (entity, entity_id, state, clocks) VALUES (?, ?, ?, ?)
         ON CONFLICT (entity, entity_id) DO UPDATE SET state = excluded.state, clocks = excluded.clocks",
    )
    .bind(entity)
    .bind(id)
    .bind(Value::Object(shadow.state.clone()).to_string())
    .bind(Value::Object(shadow.clocks.clone()).to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Where a row travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Team,
    Case(String),
}

/// The scope of a row from its fields (as it is now, or as last synced if removed).
pub async fn target_of(
    conn: &mut SqliteConnection,
    entity: &Entity,
    fields: &Map<String, Value>,
) -> Result<Target> {
    let mut entity = entity;
    let mut fields = fields.clone();
    // Children name their parent; a few steps at most.
    for _ in 0..4 {
        match entity.scope {
            ScopeRule::Team => return Ok(Target::Team),
            ScopeRule::CaseColumn(column) => {
                return Ok(match fields.get(column).and_then(Value::as_str) {
                    Some(case_id) => Target::Case(case_id.to_owned()),
                    None => Target::Team,
                })
            }
            ScopeRule::Parent => {
                let Some((parent, column)) = entity.parent else {
                    return Ok(Target::Team);
                };
                let Some(parent_entity) = entities::entity(parent) else {
                    return Ok(Target::Team);
                };
                let Some(parent_id) = fields.get(column).and_then(Value::as_str) else {
                    return Ok(Target::Team);
                };
                let parent_id = parent_id.to_owned();
                fields = match entities::read_row(conn, parent_entity, &parent_id).await? {
                    Some(row) => row,
                    None => load_shadow(conn, parent, &parent_id)
                        .await?
                        .map(|s| s.state)
                        .unwrap_or_default(),
                };
                entity = parent_entity;
            }
        }
    }
    Ok(Target::Team)
}

/// The change of one row since it was last synced, and its shadow brought up to date;
/// `None` when nothing differs.
pub async fn diff_row(
    conn: &mut SqliteConnection,
    entity: &Entity,
    id: &str,
    hlc: &str,
    author: Option<&str>,
) -> Result<Option<RowChange>> {
    let current = entities::read_row(conn, entity, id).await?;
    let shadow = load_shadow(conn, entity.name, id).await?;
    let mut fields = Map::new();
    let mut parents = Map::new();
    let mut next = shadow.clone().unwrap_or_default();
    let was_deleted = shadow
        .as_ref()
        .is_some_and(|s| s.state.get(DELETED) == Some(&Value::Bool(true)));
    match (&current, &shadow) {
        (None, None) => return Ok(None),
        (None, Some(_)) if was_deleted => return Ok(None),
        (None, Some(s)) => {
            fields.insert(DELETED.to_owned(), Value::Bool(true));
            parents.insert(
                DELETED.to_owned(),
                s.clocks.get(DELETED).cloned().unwrap_or(Value::Null),
            );
            next.state = Map::from_iter([(DELETED.to_owned(), Value::Bool(true))]);
            next.clocks
                .insert(DELETED.to_owned(), Value::String(hlc.to_owned()));
        }
        (Some(row), shadow) => {
            for (field, value) in row {
                let same =
                    !was_deleted && shadow.as_ref().and_then(|s| s.state.get(field)) == Some(value);
                if same {
                    continue;
                }
                fields.insert(field.clone(), value.clone());
                parents.insert(
                    field.clone(),
                    shadow
                        .as_ref()
                        .and_then(|s| s.clocks.get(field).cloned())
                        .unwrap_or(Value::Null),
                );
                next.clocks
                    .insert(field.clone(), Value::String(hlc.to_owned()));
            }
            if was_deleted {
                fields.insert(DELETED.to_owned(), Value::Bool(false));
                parents.insert(
                    DELETED.to_owned(),
                    next.clocks.get(DELETED).cloned().unwrap_or(Value::Null),
                );
                next.clocks
                    .insert(DELETED.to_owned(), Value::String(hlc.to_owned()));
            }
            next.state = row.clone();
        }
    }
    if fields.is_empty() {
        return Ok(None);
    }
    save_shadow(conn, entity.name, id, &next).await?;
    Ok(Some(RowChange {
        entity: entity.name.to_owned(),
        id: id.to_owned(),
        hlc: hlc.to_owned(),
        author: author.map(str::to_owned),
        fields,
        parents,
    }))
}

/// Every change of this laptop not yet sealed, for the team's scope, in the order the
/// outbox made them; the outbox rows are marked sealed (or waiting for a case's scope).
pub async fn capture_team(conn: &mut SqliteConnection) -> Result<Vec<RowChange>> {
    let rows: Vec<(i64, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT seq, entity, entity_id, hlc, author FROM changes WHERE synced = 0 ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await?;
    // Each row once, in the order it first changed, with its newest clock and author.
    let mut order: Vec<(String, String)> = Vec::new();
    let mut latest: HashMap<(String, String), (String, Option<String>, Vec<i64>)> = HashMap::new();
    for (seq, entity, id, hlc, author) in rows {
        let key = (entity, id);
        match latest.get_mut(&key) {
            Some(entry) => {
                if hlc > entry.0 {
                    entry.0 = hlc;
                    entry.1 = author;
                }
                entry.2.push(seq);
            }
            None => {
                order.push(key.clone());
                latest.insert(key, (hlc, author, vec![seq]));
            }
        }
    }
    let mut out = Vec::new();
    let mut sealed = Vec::new();
    let mut waiting = Vec::new();
    for key in order {
        let (hlc, author, seqs) = latest.get(&key).cloned().unwrap_or_default();
        let Some(entity) = entities::entity(&key.0) else {
            // Not replicated (a handover note is kept on the rows it changed).
            sealed.extend(seqs);
            continue;
        };
        let fields = match entities::read_row(conn, entity, &key.1).await? {
            Some(row) => row,
            None => load_shadow(conn, entity.name, &key.1)
                .await?
                .map(|s| s.state)
                .unwrap_or_default(),
        };
        if target_of(conn, entity, &fields).await? != Target::Team {
            waiting.extend(seqs);
            continue;
        }
        if let Some(change) = diff_row(conn, entity, &key.1, &hlc, author.as_deref()).await? {
            out.push(change);
        }
        for (child_name, column) in entity.children {
            let Some(child) = entities::entity(child_name) else {
                continue;
            };
            let mut ids: BTreeSet<String> = entities::child_ids(conn, child, column, &key.1)
                .await?
                .into_iter()
                .collect();
            let shadowed: Vec<String> = sqlx::query_scalar(
                "SELECT entity_id FROM sync_rows WHERE entity = ? AND json_extract(state, '$.' || ?) = ?",
            )
            .bind(child.name)
            .bind(column)
            .bind(&key.1)
            .fetch_all(&mut *conn)
            .await?;
            ids.extend(shadowed);
            for child_id in ids {
                let child_hlc = latest
                    .get(&(child.name.to_owned(), child_id.clone()))
                    .map(|(h, _, _)| h.clone())
                    .filter(|h| *h > hlc)
                    .unwrap_or_else(|| hlc.clone());
                if let Some(change) =
                    diff_row(conn, child, &child_id, &child_hlc, author.as_deref()).await?
                {
                    out.push(change);
                }
            }
        }
        sealed.extend(seqs);
    }
    mark(conn, &sealed, 1).await?;
    mark(conn, &waiting, WAITS_FOR_CASE_SCOPE).await?;
    Ok(out)
}

async fn mark(conn: &mut SqliteConnection, seqs: &[i64], synced: i64) -> Result<()> {
    for chunk in seqs.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!("UPDATE changes SET synced = ? WHERE seq IN ({marks})");
        let mut query = sqlx::query(&sql).bind(synced);
        for seq in chunk {
            query = query.bind(seq);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}
