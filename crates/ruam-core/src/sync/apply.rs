//! Applying another laptop's row changes, field by field, by hybrid logical clock.
//!
//! For each field: a change made after seeing this laptop's value (its parent clock is
//! ours) simply replaces it; a change already held is skipped; two edits made without
//! seeing each other are concurrent: the later clock wins everywhere, and where the
//! entity's field is one a person must decide (a case's text, a card's title), both
//! values are kept as a conflict. Runs after this laptop's own changes were captured, in
//! the same transaction, so its shadows are its rows.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};
use sqlx::SqliteConnection;

use super::capture::{save_shadow, Shadow};
use super::changes::{RowChange, DELETED};
use super::entities;
use crate::{Error, Result};

/// What applying a batch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Rows changed here.
    pub rows: usize,
    /// Field values that lost to a later one, or were held already.
    pub skipped_fields: usize,
    pub conflicts: usize,
    /// Row changes held: they break a rule of this laptop's records (`super::held`).
    pub held: usize,
}

impl Applied {
    pub fn add(&mut self, other: Applied) {
        self.rows += other.rows;
        self.skipped_fields += other.skipped_fields;
        self.conflicts += other.conflicts;
        self.held += other.held;
    }
}

fn clock(value: Option<&Value>) -> Option<&str> {
    value.and_then(Value::as_str)
}

/// Check the shape of a change before anything of it is written.
fn check(change: &RowChange) -> Result<&'static entities::Entity> {
    let entity = entities::entity(&change.entity).ok_or_else(|| {
        Error::invalid(
            "sync",
            format!("a change names an unknown entity {}", change.entity),
        )
    })?;
    if change.id.is_empty() || change.id.len() > 100 {
        return Err(Error::invalid("sync", "a change has no usable row id"));
    }
    if super::hlc_device(&change.hlc).is_none() {
        return Err(Error::invalid("sync", "a change's clock is malformed"));
    }
    for field in change.fields.keys() {
        let known = field == DELETED
            || entity.columns.contains(&field.as_str())
            || entity.sets.iter().any(|s| s.field == field);
        if !known {
            return Err(Error::invalid(
                "sync",
                format!(
                    "a change names a field {field} that {} does not have",
                    entity.name
                ),
            ));
        }
    }
    Ok(entity)
}

/// What a batch's apply read ahead for all its rows (each query costs a hand-over to the
/// database's thread: a few for a batch, not several a row), and the shadows it writes
/// together at its end. The default reads and writes row by row.
#[derive(Debug, Default)]
pub struct Ahead {
    /// The rows with an open conflict, when read ahead.
    pub open: Option<HashSet<(String, String)>>,
    /// Whether a row is in the vault, for the rows read ahead.
    pub exists: HashMap<(String, String), bool>,
    /// Shadows written by this batch, when they are written at its end.
    pub written: Option<HashMap<(String, String), Shadow>>,
}

impl Ahead {
    /// Write the shadows kept for the end.
    pub async fn save(&mut self, conn: &mut SqliteConnection) -> Result<()> {
        match self.written.take() {
            Some(written) => super::capture::save_shadows(conn, written).await,
            None => Ok(()),
        }
    }
}

/// A change of a row new here (no shadow, not in the vault) that fills no set and removes
/// nothing: what to insert and the row's shadow after, exactly as [`apply_change`] would
/// write them, without asking the vault. `None`: not such a change.
pub fn fresh_row(change: &RowChange) -> Result<Option<Shadow>> {
    let entity = check(change)?;
    if change.fields.contains_key(DELETED) {
        return Ok(None);
    }
    let fills_a_set = entity.sets.iter().any(|set| {
        change
            .fields
            .get(set.field)
            .is_some_and(|v| !v.as_array().is_some_and(Vec::is_empty))
    });
    if fills_a_set {
        return Ok(None);
    }
    let mut next = Shadow::default();
    for (field, value) in &change.fields {
        next.state.insert(field.clone(), value.clone());
        next.clocks
            .insert(field.clone(), Value::String(change.hlc.clone()));
    }
    Ok(Some(next))
}

/// Apply one change over the row's shadow (as `capture::load_shadow` read it, or as
/// this batch left it).
pub async fn apply_change(
    conn: &mut SqliteConnection,
    change: &RowChange,
    shadow: Option<Shadow>,
    ahead: &mut Ahead,
) -> Result<Applied> {
    let entity = check(change)?;
    let mut applied = Applied::default();
    let key = (change.entity.clone(), change.id.clone());
    if entities::append_only(entity.name) {
        let here = match (&shadow, ahead.exists.get(&key)) {
            (Some(_), _) | (None, Some(true)) => true,
            (None, Some(false)) => false,
            (None, None) => entities::existing(conn, entity, std::slice::from_ref(&change.id))
                .await?
                .contains(&change.id),
        };
        if here || change.fields.contains_key(DELETED) {
            // Written once: a row held already (the same row again) or a change of it
            // (which no laptop writes) changes nothing.
            applied.skipped_fields += change.fields.len();
            return Ok(applied);
        }
    }
    // Most rows have no open conflict: one look, not one per field.
    let open_here: bool = match &ahead.open {
        Some(open) => open.contains(&key),
        None => {
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM sync_conflicts
                                WHERE entity = ? AND entity_id = ? AND resolved_at IS NULL)",
            )
            .bind(&change.entity)
            .bind(&change.id)
            .fetch_one(&mut *conn)
            .await?
        }
    };
    let mut next = shadow.clone().unwrap_or_default();
    let mut write = Map::new();
    for (field, value) in &change.fields {
        let ours = shadow.as_ref().and_then(|s| clock(s.clocks.get(field)));
        let parent = clock(change.parents.get(field));
        if ours == Some(change.hlc.as_str()) {
            applied.skipped_fields += 1;
            continue;
        }
        let concurrent = ours.is_some_and(|ours| parent.is_none_or(|p| p < ours));
        let theirs_later = ours.is_none_or(|ours| change.hlc.as_str() > ours);
        let local_value = shadow
            .as_ref()
            .and_then(|s| s.state.get(field))
            .cloned()
            .unwrap_or(Value::Null);
        let ordered = concurrent
            .then(|| entities::progress(entity.name, field, &local_value, value))
            .flatten();
        if let Some(theirs_wins) = ordered {
            // A state that only moves on (a request withdrawn while a lead approved it):
            // the one further on wins on every laptop, whatever the clocks, and the
            // money follows it (`funds::store::release_withdrawn`). No person is asked.
            if !theirs_wins {
                applied.skipped_fields += 1;
                continue;
            }
            write.insert(field.clone(), value.clone());
            let later = ours
                .filter(|o| *o > change.hlc.as_str())
                .unwrap_or(&change.hlc);
            next.clocks
                .insert(field.clone(), Value::String(later.to_owned()));
            continue;
        }
        if concurrent && entity.tracked.contains(&field.as_str()) && local_value != *value {
            record_conflict(conn, change, field, &local_value, ours, value).await?;
            applied.conflicts += 1;
            if let Some(open) = &mut ahead.open {
                open.insert(key.clone());
            }
        }
        if !theirs_later {
            applied.skipped_fields += 1;
            continue;
        }
        if !concurrent && open_here {
            // Written after seeing this laptop's value: a conflict still open here on the
            // field was settled there (resolved, or edited over).
            settle(conn, change, field).await?;
        }
        write.insert(field.clone(), value.clone());
        next.clocks
            .insert(field.clone(), Value::String(change.hlc.clone()));
    }
    if write.is_empty() {
        return Ok(applied);
    }
    match write.get(DELETED) {
        Some(Value::Bool(true)) => {
            entities::delete_row(conn, entity, &change.id).await?;
            ahead.exists.insert(key.clone(), false);
            next.state = Map::from_iter([(DELETED.to_owned(), Value::Bool(true))]);
        }
        _ => {
            write.remove(DELETED);
            next.state.remove(DELETED);
            let exists = ahead.exists.get(&key).copied();
            let new_file = super::blob::has_content(entity.name)
                && match exists {
                    Some(here) => !here,
                    None => entities::existing(conn, entity, std::slice::from_ref(&change.id))
                        .await?
                        .is_empty(),
                };
            if new_file {
                super::blob::insert_with_content(conn, entity, &change.id, &write).await?;
            } else {
                entities::write_row_known(conn, entity, &change.id, &write, exists).await?;
            }
            ahead.exists.insert(key.clone(), true);
            if entity.name == "fund_ledger" {
                crate::funds::store::absorb(conn, &change.id).await?;
            }
            // Values travel as `read_row` gives them on every laptop, so the row now holds
            // what was known of it with the fields written over it.
            for (field, value) in write {
                next.state.insert(field, value);
            }
        }
    }
    match &mut ahead.written {
        Some(written) => {
            written.insert(key, next);
        }
        None => save_shadow(conn, entity.name, &change.id, &next).await?,
    }
    applied.rows += 1;
    Ok(applied)
}

async fn settle(conn: &mut SqliteConnection, change: &RowChange, field: &str) -> Result<()> {
    sqlx::query(
        "UPDATE sync_conflicts SET resolved_at = ?, resolved_by = ?, chosen = 'remote'
         WHERE entity = ? AND entity_id = ? AND field = ? AND resolved_at IS NULL",
    )
    .bind(crate::outbox::now_utc())
    .bind(&change.author)
    .bind(&change.entity)
    .bind(&change.id)
    .bind(field)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

async fn record_conflict(
    conn: &mut SqliteConnection,
    change: &RowChange,
    field: &str,
    local: &Value,
    local_hlc: Option<&str>,
    remote: &Value,
) -> Result<()> {
    // One open conflict per field: a newer concurrent value replaces the remote side.
    sqlx::query(
        "DELETE FROM sync_conflicts
         WHERE entity = ? AND entity_id = ? AND field = ? AND resolved_at IS NULL",
    )
    .bind(&change.entity)
    .bind(&change.id)
    .bind(field)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO sync_conflicts
         (id, entity, entity_id, field, local_value, local_hlc, remote_value, remote_hlc, remote_author, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(uuid::Uuid::now_v7().to_string())
    .bind(&change.entity)
    .bind(&change.id)
    .bind(field)
    .bind(local.to_string())
    .bind(local_hlc)
    .bind(remote.to_string())
    .bind(&change.hlc)
    .bind(&change.author)
    .bind(crate::outbox::now_utc())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
