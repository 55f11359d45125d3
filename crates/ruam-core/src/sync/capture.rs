//! Turning this laptop's outbox into row changes for the relay: each row the outbox names
//! (and the rows that belong to it) is read as it is now and compared, field by field, with
//! what was last synced; only the fields that differ travel, each with the clock of the
//! change and of the value it replaces. Runs inside the transaction that seals them.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};
use sqlx::SqliteConnection;

use super::changes::{RowChange, DELETED};
use super::entities::{self, Entity, ScopeRule};
use crate::Result;

/// Changes of rows whose scope this laptop holds no key of yet: marked so, and read again
/// at the next capture.
const WAITS_FOR_SCOPE: i64 = 2;

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

/// [`load_shadow`] for many rows of one entity at once: the shadows found, by id.
pub async fn load_shadows(
    conn: &mut SqliteConnection,
    entity: &str,
    ids: &[String],
) -> Result<HashMap<String, Shadow>> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(entities::AHEAD) {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT entity_id, state, clocks FROM sync_rows
             WHERE entity = ? AND entity_id IN (SELECT value FROM json_each(?))",
        )
        .bind(entity)
        .bind(serde_json::to_string(chunk)?)
        .fetch_all(&mut *conn)
        .await?;
        for (id, state, clocks) in rows {
            out.insert(
                id,
                Shadow {
                    state: serde_json::from_str(&state)?,
                    clocks: serde_json::from_str(&clocks)?,
                },
            );
        }
    }
    Ok(out)
}

/// Rows, their shadows and their children's ids, read ahead for every row a capture
/// looks at, a few queries an entity instead of several a row.
#[derive(Default)]
struct Ahead {
    rows: HashMap<(String, String), Option<Map<String, Value>>>,
    shadows: HashMap<(String, String), Option<Shadow>>,
    children: HashMap<(String, String), Vec<String>>,
}

impl Ahead {
    async fn read(conn: &mut SqliteConnection, keys: &[(String, String)]) -> Result<Self> {
        let mut by_entity: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (entity, id) in keys {
            by_entity
                .entry(entity.as_str())
                .or_default()
                .push(id.clone());
        }
        let mut ahead = Self::default();
        for (name, ids) in by_entity {
            let Some(entity) = entities::entity(name) else {
                continue;
            };
            let mut rows = entities::read_rows(conn, entity, &ids).await?;
            let mut shadows = load_shadows(conn, entity.name, &ids).await?;
            for (child_name, column) in entity.children {
                let Some(child) = entities::entity(child_name) else {
                    continue;
                };
                let mut found = entities::children_of(conn, child, column, &ids).await?;
                for id in &ids {
                    ahead.children.insert(
                        (child.name.to_owned(), id.clone()),
                        found.remove(id).unwrap_or_default(),
                    );
                }
            }
            for id in ids {
                let key = (name.to_owned(), id.clone());
                ahead.rows.insert(key.clone(), rows.remove(&id));
                ahead.shadows.insert(key, shadows.remove(&id));
            }
        }
        Ok(ahead)
    }
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
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Target {
    Team,
    Case(String),
    /// A section of a case with a narrower audience (health, police): its sub-scope.
    Section(String, String),
}

/// The scope of row `id` from its fields (as it is now, or as last synced if removed).
pub async fn target_of(
    conn: &mut SqliteConnection,
    entity: &Entity,
    id: &str,
    fields: &Map<String, Value>,
) -> Result<Target> {
    let narrow = entity
        .section
        .and_then(|column| fields.get(column))
        .and_then(Value::as_str)
        .filter(|section| entities::NARROW_SECTIONS.contains(section))
        .map(str::to_owned);
    let base = base_target(conn, entity, id, fields).await?;
    Ok(match (base, narrow) {
        (Target::Case(case_id), Some(section)) => Target::Section(case_id, section),
        (base, _) => base,
    })
}

async fn base_target(
    conn: &mut SqliteConnection,
    entity: &Entity,
    id: &str,
    fields: &Map<String, Value>,
) -> Result<Target> {
    let mut entity = entity;
    let mut id = id.to_owned();
    let mut fields = fields.clone();
    // Children name their parent; a few steps at most.
    for _ in 0..4 {
        match entity.scope {
            ScopeRule::Team => return Ok(Target::Team),
            ScopeRule::CaseItself => return Ok(Target::Case(id)),
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
                id = parent_id.to_owned();
                fields = match entities::read_row(conn, parent_entity, &id).await? {
                    Some(row) => row,
                    None => load_shadow(conn, parent, &id)
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

/// The scope a change from another laptop is about: its fields over the row as last
/// synced here (this laptop's own changes are captured first, so that is the row).
pub async fn target_of_change(
    conn: &mut SqliteConnection,
    entity: &Entity,
    change: &RowChange,
    shadow: Option<&Shadow>,
) -> Result<Target> {
    let mut fields = shadow.map(|s| s.state.clone()).unwrap_or_default();
    for (field, value) in &change.fields {
        fields.insert(field.clone(), value.clone());
    }
    target_of(conn, entity, &change.id, &fields).await
}

/// Shadows brought up to date by a capture, written together at its end (and read from
/// here meanwhile).
#[derive(Default)]
struct Written(HashMap<(String, String), Shadow>);

impl Written {
    async fn shadow(
        &self,
        conn: &mut SqliteConnection,
        entity: &str,
        id: &str,
    ) -> Result<Option<Shadow>> {
        match self.0.get(&(entity.to_owned(), id.to_owned())) {
            Some(shadow) => Ok(Some(shadow.clone())),
            None => load_shadow(conn, entity, id).await,
        }
    }

    async fn save(self, conn: &mut SqliteConnection) -> Result<()> {
        save_shadows(conn, self.0).await
    }
}

/// Write many shadows, 200 a statement (four values a row, well under SQLite's limit), in
/// the order of their key, so that each statement writes into neighbouring pages of the
/// table's index (ids are made in time order) rather than all over it.
pub async fn save_shadows(
    conn: &mut SqliteConnection,
    shadows: HashMap<(String, String), Shadow>,
) -> Result<()> {
    let mut rows: Vec<((String, String), Shadow)> = shadows.into_iter().collect();
    rows.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    for chunk in rows.chunks(200) {
        let marks = vec!["(?, ?, ?, ?)"; chunk.len()].join(", ");
        let sql = format!(
            "INSERT INTO sync_rows (entity, entity_id, state, clocks) VALUES {marks}
             ON CONFLICT (entity, entity_id) DO UPDATE SET state = excluded.state, clocks = excluded.clocks"
        );
        let mut query = sqlx::query(&sql);
        for ((entity, id), shadow) in chunk {
            query = query
                .bind(entity)
                .bind(id)
                .bind(Value::Object(shadow.state.clone()).to_string())
                .bind(Value::Object(shadow.clocks.clone()).to_string());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// The change of one row since it was last synced, with its shadow brought up to date
/// (kept in `written`); `None` when nothing differs.
async fn diff_row(
    conn: &mut SqliteConnection,
    written: &mut Written,
    entity: &Entity,
    id: &str,
    hlc: &str,
    author: Option<&str>,
) -> Result<Option<RowChange>> {
    let current = entities::read_row(conn, entity, id).await?;
    let shadow = written.shadow(conn, entity.name, id).await?;
    diff(written, entity, id, hlc, author, current, shadow)
}

/// [`diff_row`] with the row and its shadow already read.
fn diff(
    written: &mut Written,
    entity: &Entity,
    id: &str,
    hlc: &str,
    author: Option<&str>,
    current: Option<Map<String, Value>>,
    shadow: Option<Shadow>,
) -> Result<Option<RowChange>> {
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
    written
        .0
        .insert((entity.name.to_owned(), id.to_owned()), next);
    Ok(Some(RowChange {
        entity: entity.name.to_owned(),
        id: id.to_owned(),
        hlc: hlc.to_owned(),
        author: author.map(str::to_owned),
        fields,
        parents,
    }))
}

/// A row's newest clock and author among the changes read, and those changes.
type Latest = (String, Option<String>, Vec<i64>);

/// What a capture found: the row changes for each scope this laptop holds a key of, and
/// the cases whose rows wait for a scope to be made.
#[derive(Debug, Default)]
pub struct Captured {
    pub changes: BTreeMap<Target, Vec<RowChange>>,
    /// Cases and sections whose rows wait for a scope this laptop is to make.
    pub without_scope: BTreeSet<Target>,
}

/// Every change of this laptop not yet sealed, in the order the outbox made them, for
/// the scopes in `ready`; the outbox rows are marked sealed, or waiting (read again next
/// time) when their scope is not ready.
pub async fn capture(conn: &mut SqliteConnection, ready: &BTreeSet<Target>) -> Result<Captured> {
    sqlx::query("UPDATE changes SET synced = 0 WHERE synced = ?")
        .bind(WAITS_FOR_SCOPE)
        .execute(&mut *conn)
        .await?;
    let rows: Vec<(i64, String, String, String, Option<String>)> = sqlx::query_as(
        "SELECT seq, entity, entity_id, hlc, author FROM changes WHERE synced = 0 ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await?;
    // Each row once, in the order it first changed, with its newest clock and author.
    let mut order: Vec<(String, String)> = Vec::new();
    let mut latest: HashMap<(String, String), Latest> = HashMap::new();
    let mut sealed = Vec::new();
    for (seq, name, id, hlc, author) in rows {
        let Some((entity, id)) = entities::resolve(&name, &id) else {
            // Not replicated (a handover note is kept on the rows it changed).
            sealed.push(seq);
            continue;
        };
        let key = (entity.name.to_owned(), id.to_owned());
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
    let mut out = Captured::default();
    let mut waiting = Vec::new();
    let mut ahead = Ahead::read(conn, &order).await?;
    let mut written = Written::default();
    for key in order {
        let (hlc, author, seqs) = latest.get(&key).cloned().unwrap_or_default();
        let Some(entity) = entities::entity(&key.0) else {
            sealed.extend(seqs);
            continue;
        };
        let current = match ahead.rows.remove(&key) {
            Some(row) => row,
            None => entities::read_row(conn, entity, &key.1).await?,
        };
        let shadow = match (written.0.get(&key), ahead.shadows.remove(&key)) {
            (Some(written), _) => Some(written.clone()),
            (None, Some(shadow)) => shadow,
            (None, None) => load_shadow(conn, entity.name, &key.1).await?,
        };
        let fields = match (&current, &shadow) {
            (Some(row), _) => row.clone(),
            (None, Some(shadow)) => shadow.state.clone(),
            (None, None) => Map::new(),
        };
        let target = target_of(conn, entity, &key.1, &fields).await?;
        if !ready.contains(&target) {
            if target != Target::Team {
                out.without_scope.insert(target.clone());
            }
            waiting.extend(seqs);
            continue;
        }
        let is_new = shadow.is_none();
        // A file's bytes go ahead of its row, the first time it travels.
        let parts = if is_new && current.is_some() && super::blob::has_content(entity.name) {
            super::blob::parts_of(conn, entity, &key.1, &target, &hlc, author.as_deref()).await?
        } else {
            Vec::new()
        };
        let group = out.changes.entry(target).or_default();
        group.extend(parts);
        if let Some(change) = diff(
            &mut written,
            entity,
            &key.1,
            &hlc,
            author.as_deref(),
            current,
            shadow,
        )? {
            group.push(change);
        }
        for (child_name, column) in entity.children {
            let Some(child) = entities::entity(child_name) else {
                continue;
            };
            let known = ahead
                .children
                .remove(&(child.name.to_owned(), key.1.clone()));
            let mut ids: BTreeSet<String> = match known {
                Some(ids) => ids.into_iter().collect(),
                None => entities::child_ids(conn, child, column, &key.1)
                    .await?
                    .into_iter()
                    .collect(),
            };
            if !is_new {
                // Rows of it synced before and gone since (a checklist item taken off).
                let shadowed: Vec<String> = sqlx::query_scalar(
                    "SELECT entity_id FROM sync_rows WHERE entity = ? AND json_extract(state, '$.' || ?) = ?",
                )
                .bind(child.name)
                .bind(column)
                .bind(&key.1)
                .fetch_all(&mut *conn)
                .await?;
                ids.extend(shadowed);
            }
            for child_id in ids {
                let child_hlc = latest
                    .get(&(child.name.to_owned(), child_id.clone()))
                    .map(|(h, _, _)| h.clone())
                    .filter(|h| *h > hlc)
                    .unwrap_or_else(|| hlc.clone());
                // Read now, and what was read ahead of it is stale from here on.
                let child_key = (child.name.to_owned(), child_id.clone());
                ahead.rows.remove(&child_key);
                ahead.shadows.remove(&child_key);
                if let Some(change) = diff_row(
                    conn,
                    &mut written,
                    child,
                    &child_id,
                    &child_hlc,
                    author.as_deref(),
                )
                .await?
                {
                    group.push(change);
                }
            }
        }
        sealed.extend(seqs);
    }
    out.changes.retain(|_, changes| !changes.is_empty());
    written.save(conn).await?;
    mark(conn, &sealed, 1).await?;
    mark(conn, &waiting, WAITS_FOR_SCOPE).await?;
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
