//! Roles as data: a name, a description of the role's responsibilities, and a set of
//! permissions. Built-in roles keep their ids and names (shown translated); the team
//! lead's role always holds every permission, so the team can never lock itself out.

use serde::{Deserialize, Serialize};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};

use super::{clean_name, clean_optional, ROLE_TEAM_LEAD};
use crate::access::{Permission, Permissions};
use crate::outbox::{now_utc, Op, Outbox};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Role {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub builtin: bool,
    pub permissions: Vec<Permission>,
}

#[derive(sqlx::FromRow)]
struct RoleRow {
    id: String,
    name: String,
    description: Option<String>,
    builtin: bool,
    permissions: String,
}

impl From<RoleRow> for Role {
    fn from(row: RoleRow) -> Self {
        let names: Vec<String> = serde_json::from_str(&row.permissions).unwrap_or_else(|err| {
            tracing::warn!(%err, role = %row.id, "a role's permissions are unreadable; it gets none");
            Vec::new()
        });
        // Names this version does not know (from a newer one) grant nothing here.
        let permissions: Permissions = names.iter().filter_map(|n| Permission::parse(n)).collect();
        Self {
            id: row.id,
            name: row.name,
            description: row.description,
            builtin: row.builtin,
            permissions: permissions.into_iter().collect(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewRole {
    pub name: String,
    pub description: Option<String>,
    pub permissions: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct RoleUpdate {
    pub id: String,
    pub role: NewRole,
}

const SELECT: &str = "SELECT id, name, description, builtin, permissions FROM roles";

pub async fn list(pool: &SqlitePool) -> Result<Vec<Role>> {
    let rows: Vec<RoleRow> = sqlx::query_as(&format!(
        "{SELECT} WHERE deleted_at IS NULL ORDER BY builtin DESC, created_at, name"
    ))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Role::from).collect())
}

pub async fn load_role<'e>(
    executor: impl sqlx::Executor<'e, Database = Sqlite>,
    id: &str,
) -> Result<Role> {
    let row: Option<RoleRow> =
        sqlx::query_as(&format!("{SELECT} WHERE id = ? AND deleted_at IS NULL"))
            .bind(id)
            .fetch_optional(executor)
            .await?;
    row.map(Role::from).ok_or(Error::NotFound("the role"))
}

fn parse_permissions(raw: &[String]) -> Result<Permissions> {
    raw.iter()
        .map(|name| {
            Permission::parse(name.trim()).ok_or_else(|| {
                Error::invalid("permissions", format!("“{name}” is not a permission"))
            })
        })
        .collect()
}

impl NewRole {
    async fn clean(
        &self,
        conn: &mut SqliteConnection,
        id: &str,
    ) -> Result<(String, Option<String>, Permissions)> {
        let name = clean_name("name", &self.name)?;
        let taken: Option<String> = sqlx::query_scalar(
            "SELECT id FROM roles WHERE lower(name) = lower(?) AND id != ? AND deleted_at IS NULL",
        )
        .bind(&name)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        if taken.is_some() {
            return Err(Error::invalid("name", "another role has this name"));
        }
        let description = clean_optional("description", self.description.as_deref())?;
        Ok((name, description, parse_permissions(&self.permissions)?))
    }
}

fn encode(permissions: &Permissions) -> Result<String> {
    let names: Vec<&str> = permissions.iter().map(|p| p.name()).collect();
    serde_json::to_string(&names).map_err(|_| Error::Encode("a role's permissions"))
}

pub async fn insert(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    new: &NewRole,
) -> Result<Role> {
    let id = uuid::Uuid::now_v7().to_string();
    let (name, description, permissions) = new.clean(tx, &id).await?;
    let encoded = encode(&permissions)?;
    let now = now_utc();
    sqlx::query(
        "INSERT INTO roles (id, name, description, builtin, permissions, created_at, updated_at)
         VALUES (?, ?, ?, 0, ?, ?, ?)",
    )
    .bind(&id)
    .bind(&name)
    .bind(&description)
    .bind(&encoded)
    .bind(&now)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    let fields = serde_json::json!({
        "name": name, "description": description, "builtin": false,
        "permissions": encoded, "created_at": now, "updated_at": now,
    });
    outbox
        .record(tx, Some(author), "role", &id, Op::Insert, &fields)
        .await?;
    Ok(Role {
        id,
        name,
        description,
        builtin: false,
        permissions: permissions.into_iter().collect(),
    })
}

pub async fn update(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    update: &RoleUpdate,
) -> Result<Role> {
    let current = load_role(&mut **tx, &update.id).await?;
    let (name, description, permissions) = update.role.clean(tx, &update.id).await?;
    if current.builtin && name != current.name {
        return Err(Error::invalid("name", "built-in roles keep their names"));
    }
    if current.id == ROLE_TEAM_LEAD && permissions.len() != Permission::ALL.len() {
        return Err(Error::invalid(
            "permissions",
            "the team lead always holds every permission",
        ));
    }
    let encoded = encode(&permissions)?;
    let now = now_utc();
    sqlx::query(
        "UPDATE roles SET name = ?, description = ?, permissions = ?, updated_at = ? WHERE id = ?",
    )
    .bind(&name)
    .bind(&description)
    .bind(&encoded)
    .bind(&now)
    .bind(&current.id)
    .execute(&mut **tx)
    .await?;
    let fields = serde_json::json!({
        "name": name, "description": description, "permissions": encoded, "updated_at": now,
    });
    outbox
        .record(tx, Some(author), "role", &current.id, Op::Update, &fields)
        .await?;
    Ok(Role {
        id: current.id,
        name,
        description,
        builtin: current.builtin,
        permissions: permissions.into_iter().collect(),
    })
}
