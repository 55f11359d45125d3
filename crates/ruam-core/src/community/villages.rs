//! Villages: a name in Thai (and in English where it has one), its number in its
//! sub-district, and its place, picked from the gazetteer. Bad input names the field and
//! writes nothing.

use serde::{Deserialize, Serialize};
use sqlx::{Sqlite, SqliteConnection, Transaction};

use super::gazetteer;
use crate::outbox::{now_utc, Op, Outbox};
use crate::{Error, Result};

/// The longest name kept (a village's name is a few words).
const NAME_CHARS: usize = 120;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Village {
    pub id: String,
    pub name_th: String,
    pub name_en: Option<String>,
    /// Its number in its sub-district (หมู่ที่).
    pub moo: Option<i32>,
    pub subdistrict: String,
    pub district: String,
    pub province: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct NewVillage {
    pub name_th: String,
    pub name_en: Option<String>,
    pub moo: Option<i32>,
    pub subdistrict: String,
    pub district: String,
    pub province: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct VillageUpdate {
    pub id: String,
    pub village: NewVillage,
}

fn name(field: &'static str, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(Error::invalid(field, "is required"));
    }
    if value.chars().count() > NAME_CHARS {
        return Err(Error::invalid(
            field,
            format!("is longer than {NAME_CHARS} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, "holds a control character"));
    }
    Ok(value.to_owned())
}

impl NewVillage {
    /// The village as it would be kept, or the first field that is wrong.
    async fn clean(&self, conn: &mut SqliteConnection, id: &str) -> Result<Village> {
        let name_th = name("nameTh", &self.name_th)?;
        let name_en = match self.name_en.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(english) => Some(name("nameEn", english)?),
        };
        if let Some(moo) = self.moo {
            if !(1..=99).contains(&moo) {
                return Err(Error::invalid("moo", "is a village number from 1 to 99"));
            }
        }
        if gazetteer::districts(self.province.trim()).is_empty() {
            return Err(Error::invalid("province", "is not a province of Thailand"));
        }
        if !gazetteer::districts(self.province.trim()).contains(&self.district.trim()) {
            return Err(Error::invalid(
                "district",
                "is not a district of that province",
            ));
        }
        let place = gazetteer::find(&self.province, &self.district, &self.subdistrict).ok_or_else(
            || Error::invalid("subdistrict", "is not a sub-district of that district"),
        )?;
        let taken: Option<String> = sqlx::query_scalar(
            "SELECT id FROM villages WHERE province = ? AND district = ? AND subdistrict = ?
             AND coalesce(moo, 0) = coalesce(?, 0) AND name_th = ? AND id <> ?
             AND deleted_at IS NULL",
        )
        .bind(place.province)
        .bind(place.district)
        .bind(place.subdistrict)
        .bind(self.moo)
        .bind(&name_th)
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        if taken.is_some() {
            return Err(Error::invalid(
                "nameTh",
                "this sub-district already has a village of this name and number",
            ));
        }
        Ok(Village {
            id: id.to_owned(),
            name_th,
            name_en,
            moo: self.moo,
            subdistrict: place.subdistrict.to_owned(),
            district: place.district.to_owned(),
            province: place.province.to_owned(),
        })
    }
}

fn fields(village: &Village, now: &str) -> serde_json::Value {
    serde_json::json!({
        "name_th": village.name_th, "name_en": village.name_en, "moo": village.moo,
        "subdistrict": village.subdistrict, "district": village.district,
        "province": village.province, "updated_at": now,
    })
}

/// Every village, by province, district, sub-district, number and name.
pub async fn list(conn: &mut SqliteConnection) -> Result<Vec<Village>> {
    Ok(sqlx::query_as(
        "SELECT id, name_th, name_en, moo, subdistrict, district, province FROM villages
         WHERE deleted_at IS NULL
         ORDER BY province, district, subdistrict, coalesce(moo, 0), name_th",
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// Check `new` and insert it; the caller commits.
pub async fn insert(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    new: &NewVillage,
) -> Result<Village> {
    let village = new.clean(tx, &uuid::Uuid::now_v7().to_string()).await?;
    let now = now_utc();
    sqlx::query(
        "INSERT INTO villages (id, name_th, name_en, moo, subdistrict, district, province,
             created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&village.id)
    .bind(&village.name_th)
    .bind(&village.name_en)
    .bind(village.moo)
    .bind(&village.subdistrict)
    .bind(&village.district)
    .bind(&village.province)
    .bind(author)
    .bind(&now)
    .bind(&now)
    .execute(&mut **tx)
    .await?;
    outbox
        .record(
            tx,
            Some(author),
            "village",
            &village.id,
            Op::Insert,
            &fields(&village, &now),
        )
        .await?;
    Ok(village)
}

/// Check `update` and write it over the village; the caller commits.
pub async fn update(
    tx: &mut Transaction<'_, Sqlite>,
    outbox: &Outbox,
    author: &str,
    update: &VillageUpdate,
) -> Result<Village> {
    let known: Option<String> =
        sqlx::query_scalar("SELECT id FROM villages WHERE id = ? AND deleted_at IS NULL")
            .bind(&update.id)
            .fetch_optional(&mut **tx)
            .await?;
    if known.is_none() {
        return Err(Error::NotFound("the village"));
    }
    let village = update.village.clean(tx, &update.id).await?;
    let now = now_utc();
    sqlx::query(
        "UPDATE villages SET name_th = ?, name_en = ?, moo = ?, subdistrict = ?, district = ?,
             province = ?, updated_at = ? WHERE id = ?",
    )
    .bind(&village.name_th)
    .bind(&village.name_en)
    .bind(village.moo)
    .bind(&village.subdistrict)
    .bind(&village.district)
    .bind(&village.province)
    .bind(&now)
    .bind(&village.id)
    .execute(&mut **tx)
    .await?;
    outbox
        .record(
            tx,
            Some(author),
            "village",
            &village.id,
            Op::Update,
            &fields(&village, &now),
        )
        .await?;
    Ok(village)
}
