//! Conflicts between laptops, as a member sees and settles them: two edits of one field
//! made without seeing each other are both kept (`sync::apply`); here a person keeps one,
//! which travels as an edit and settles the conflict on the other laptops. A case's
//! conflicts are shown only to those who may open the case.

use serde::{Deserialize, Serialize};

use super::{Open, Vault};
use crate::access::{Action, Resource};
use crate::sync::capture::Target;
use crate::{Error, Result};

/// Two laptops changed the same field without seeing each other's edit: both values, for
/// a person to choose. Values are JSON text as the row holds them.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct SyncConflict {
    pub id: String,
    /// `card`, `case`, `case_person`, `case_note`, …
    pub entity: String,
    pub entity_id: String,
    pub field: String,
    /// The case it is about, if any.
    pub case_id: Option<String>,
    /// What this laptop had.
    pub local_value: String,
    /// What the other laptop wrote (the one shown now when its clock is later).
    pub remote_value: String,
    /// The member who wrote it there.
    pub remote_author: Option<String>,
    /// The value the row holds now.
    pub current_value: String,
    pub created_at: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ConflictChoice {
    pub conflict_id: String,
    /// `local` (what this laptop had) or `remote` (what the other wrote).
    pub keep: String,
}

impl Vault {
    /// The open conflicts of rows the signed-in member may see.
    pub async fn sync_conflicts(&self) -> Result<Vec<SyncConflict>> {
        let state = self.state.read().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::SyncDevice, Resource::Vault).await?;
        open.visible_conflicts(None).await
    }

    /// Keep one of a conflict's two values: it becomes this laptop's edit of the field (and
    /// travels as one), and the conflict is closed.
    pub async fn sync_resolve(&self, choice: ConflictChoice) -> Result<Vec<SyncConflict>> {
        let state = self.state.write().await;
        let open = Self::unlocked(&state)?;
        open.authorize(Action::SyncDevice, Resource::Vault).await?;
        let keep_remote = match choice.keep.as_str() {
            "local" => false,
            "remote" => true,
            _ => return Err(Error::invalid("keep", "must be local or remote")),
        };
        let Some(conflict) = open
            .visible_conflicts(Some(&choice.conflict_id))
            .await?
            .into_iter()
            .next()
        else {
            return Err(Error::NotFound("the conflict"));
        };
        let entity = crate::sync::entities::entity(&conflict.entity)
            .ok_or(Error::NotFound("the conflict"))?;
        let chosen = if keep_remote {
            &conflict.remote_value
        } else {
            &conflict.local_value
        };
        let value: serde_json::Value = serde_json::from_str(chosen)?;
        let mut tx = open.pool.begin().await?;
        let fields = serde_json::Map::from_iter([(conflict.field.clone(), value)]);
        if *chosen != conflict.current_value {
            crate::sync::entities::write_row(&mut tx, entity, &conflict.entity_id, &fields).await?;
        } else {
            // The row holds it already; forgetting that it was synced makes the choice
            // travel as an edit all the same, and settles the conflict on the other laptops.
            sqlx::query(
                "UPDATE sync_rows SET state = json_remove(state, '$.' || ?)
                 WHERE entity = ? AND entity_id = ?",
            )
            .bind(&conflict.field)
            .bind(entity.name)
            .bind(&conflict.entity_id)
            .execute(&mut *tx)
            .await?;
        }
        open.outbox
            .record(
                &mut tx,
                Some(&open.member.id),
                entity.name,
                &conflict.entity_id,
                crate::outbox::Op::Update,
                &serde_json::Value::Object(fields),
            )
            .await?;
        sqlx::query(
            "UPDATE sync_conflicts SET resolved_at = ?, resolved_by = ?, chosen = ? WHERE id = ?",
        )
        .bind(crate::outbox::now_utc())
        .bind(&open.member.id)
        .bind(if keep_remote { "remote" } else { "local" })
        .bind(&conflict.id)
        .execute(&mut *tx)
        .await?;
        open.audit_in(
            &mut tx,
            "sync.conflict.resolve",
            Some((entity.name, &conflict.entity_id)),
        )
        .await?;
        tx.commit().await?;
        open.visible_conflicts(None).await
    }
}

impl Open {
    /// Open conflicts (or the one named) of rows this member may see: the team's rows, and
    /// a case's only for those who may open the case.
    async fn visible_conflicts(&self, only: Option<&str>) -> Result<Vec<SyncConflict>> {
        type Row = (
            String,
            String,
            String,
            String,
            String,
            String,
            Option<String>,
            String,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, entity, entity_id, field, local_value, remote_value, remote_author, created_at
             FROM sync_conflicts WHERE resolved_at IS NULL AND (?1 IS NULL OR id = ?1)
             ORDER BY created_at, id",
        )
        .bind(only)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        let mut conn = self.pool.acquire().await?;
        for (
            id,
            entity_name,
            entity_id,
            field,
            local_value,
            remote_value,
            remote_author,
            created_at,
        ) in rows
        {
            let Some(entity) = crate::sync::entities::entity(&entity_name) else {
                continue;
            };
            let Some(row) = crate::sync::entities::read_row(&mut conn, entity, &entity_id).await?
            else {
                continue;
            };
            let case_id =
                match crate::sync::capture::target_of(&mut conn, entity, &entity_id, &row).await? {
                    Target::Team => None,
                    Target::Case(case_id) => {
                        let Ok(access) = self.case_access(&case_id).await else {
                            continue;
                        };
                        let allowed = crate::access::authorize(
                            self.actor(),
                            Action::ViewCase,
                            Resource::Case(&access),
                        );
                        if allowed.is_err() {
                            continue;
                        }
                        Some(case_id)
                    }
                    Target::Section(case_id, section) => {
                        let (Ok(access), Ok(section)) = (
                            self.case_access(&case_id).await,
                            crate::cases::Section::parse("section", &section),
                        ) else {
                            continue;
                        };
                        if !crate::access::sees_section(self.actor(), &access, section) {
                            continue;
                        }
                        Some(case_id)
                    }
                };
            let current_value = row
                .get(&field)
                .cloned()
                .unwrap_or(serde_json::Value::Null)
                .to_string();
            out.push(SyncConflict {
                id,
                entity: entity_name,
                entity_id,
                field,
                case_id,
                local_value,
                remote_value,
                remote_author,
                current_value,
                created_at,
            });
        }
        Ok(out)
    }
}
