//! The agencies taking part: social welfare, police, health, schools, local
//! administration, NGOs.

use serde::{Deserialize, Serialize};
use sqlx::{Sqlite, SqliteConnection, SqlitePool, Transaction};

use super::{clean_name, clean_optional, AgencyKind};
use crate::outbox::{now_utc, Op, Outbox};
use crate::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Agency {
    pub id: String,
    pub name: String,
    pub kind: AgencyKind,
    pub district: Option<String>,
    pub province: Option<String>,
    pub contact: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewAgency {
    pub name: String,
    pub kind: String,
    pub district: Option<String>,
    pub province: Option<String>,
    pub contact: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct AgencyUpdate {
    pub id: String,
    pub agency: NewAgency,
}

impl NewAgency {
    async fn clean(&self, conn: &mut SqliteConnection, id: &str) -> Result<Agency> {
        let name = clean_name("name", &self.name)?;
        let taken: Option<String> = sqlx::query_scalar(
            "SELECT id FROM agencies WHERE lower(name) = lower(?) AND id != ? AND deleted_at IS NULL",
        )
        .bind(&name)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        if taken.is_some() {
            return Err(Error::invalid("name", "another agency has this name"));
        }
        Ok(Agency {
            id: id.to_owned(),
            name,
            kind: AgencyKind::parse("kind", &self.kind)?,
            district: clean_optional("district", self.district.as_deref())?,
            province: clean_optional("province", self.province.as_deref())?,
            contact: clean_optional("contact", self.contact.as_deref())?,
        })
    }
}

fn fields(agency: &Agency, now: &str) -> serde_json::Value {
    serde_json::json!({
        "name": agency.name, "kind": agency.kind, "district": agency.district,
        "province": agency.province, "contact": agency.contact, "updated_at": now,
    })
}

pub async fn list(pool: &SqlitePool) -> Result<Vec<Agency>> {
    Ok(sqlx::query_as(
        "SELECT id, name, kind, district, province, contact FROM agencies
         WHERE deleted_at IS NULL ORDER BY name COLLATE NOCASE",
    )
    .fetch_all(pool)
    .await?)
}

/// Check `new` and insert it; the caller commits.
pub async fn insert(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    new: &NewAgency,
) -> Result<Agency> {
    let agency = new.clean(tx, &uuid::Uuid::now_v7().to_string()).await?;
    let now = now_utc();
    sqlx::query(
        "INSERT INTO agencies (id, name, kind, district, province, contact, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&agency.id)
    .bind(&agency.name)
    .bind(agency.kind)
    .bind(&agency.district)
    .bind(&agency.province)
    .bind(&agency.contact)
    .bind(&now)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    outbox
        .record(
            tx,
            Some(author),
            "agency",
            &agency.id,
            Op::Insert,
            &fields(&agency, &now),
        )
        .await?;
    Ok(agency)
}

pub async fn update(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    update: &AgencyUpdate,
) -> Result<Agency> {
    let agency = update.agency.clean(tx, &update.id).await?;
    let now = now_utc();
    let done = sqlx::query(
        "UPDATE agencies SET name = ?, kind = ?, district = ?, province = ?, contact = ?, updated_at = ?
         WHERE id = ? AND deleted_at IS NULL",
    )
    .bind(&agency.name)
    .bind(agency.kind)
    .bind(&agency.district)
    .bind(&agency.province)
    .bind(&agency.contact)
    .bind(&now)
    .bind(&agency.id)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound("the agency"));
    }
    outbox
        .record(
            tx,
            Some(author),
            "agency",
            &agency.id,
            Op::Update,
            &fields(&agency, &now),
        )
        .await?;
    Ok(agency)
}
